/*
 * ce_sframe_abi.c - the SFrame operations of the C ABI over the reference
 * (ce_sframe_abi.h). Each call builds a fresh ce_sframe_ctx: SFrame's key
 * derivation is two HKDFs, cheap enough not to cache, and a fresh context
 * makes every call independent of the ones before it, as section 7.1 of
 * docs/conformance.md requires (the receiver's history travels in the
 * request).
 */
#include "ce_sframe_abi.h"

#include "chanenc.h"
#include "chanenc_sframe.h"
#include "chanenc_sframe_testing.h"

#include <stdlib.h>

/* A valid pointer for empty inputs given as NULL (the library rejects NULL
   with a length, and wants a pointer even for none). */
static const uint8_t sframe_abi_empty[1];

int ce_tools_sframe_protect(int suite, uint64_t kid, uint64_t ctr,
                            const uint8_t *base_key, size_t base_key_len,
                            const uint8_t *metadata, size_t metadata_len,
                            const uint8_t *payload, size_t payload_len,
                            uint8_t *out, size_t *out_len) {
  if (out == NULL || out_len == NULL ||
      (base_key == NULL && base_key_len != 0) ||
      (metadata == NULL && metadata_len != 0) ||
      (payload == NULL && payload_len != 0))
    return CE_ERR_INVALID_ARGUMENT;
  if (payload == NULL)
    payload = sframe_abi_empty;
  ce_sframe_ctx *ctx;
  ce_status st = ce_sframe_ctx_new(suite, &ctx);
  if (st != CE_OK)
    return st;
  st = ce_sframe_add_key(ctx, kid, CE_SFRAME_SEND, base_key, base_key_len);
  if (st == CE_OK)
    st = ce_testing_sframe_protect_ctr_into(ctx, kid, ctr, metadata,
                                            metadata_len, payload, payload_len,
                                            out, out_len);
  ce_sframe_ctx_free(ctx);
  return st;
}

/* Replays the receiver's history into ctx (section 7.1): each accepted
   frame is unprotected into a scratch buffer, so that out is written by
   the frame under test alone. */
static ce_status replay_history(ce_sframe_ctx *ctx,
                                const ce1_impl_sframe_frame *accepted,
                                size_t n_accepted) {
  if (n_accepted == 0)
    return CE_OK;
  size_t cap = 1;
  for (size_t i = 0; i < n_accepted; i++)
    if (accepted[i].frame_len > cap)
      cap = accepted[i].frame_len;
  uint8_t *scratch = malloc(cap);
  if (scratch == NULL)
    return CE_ERR_INTERNAL;
  ce_status st = CE_OK;
  for (size_t i = 0; st == CE_OK && i < n_accepted; i++) {
    size_t n = cap;
    st = ce_sframe_unprotect_into(
        ctx, accepted[i].metadata, accepted[i].metadata_len,
        accepted[i].frame ? accepted[i].frame : sframe_abi_empty,
        accepted[i].frame_len, scratch, &n, NULL, NULL);
  }
  /* The history's plaintexts are not secret to the caller, but they are
     plaintext: wipe before freeing. */
  ce_wipe(scratch, cap);
  free(scratch);
  return st;
}

int ce_tools_sframe_unprotect(int suite, const ce1_impl_sframe_key *keys,
                              size_t n_keys, size_t replay_window,
                              const ce1_impl_sframe_frame *accepted,
                              size_t n_accepted, const uint8_t *metadata,
                              size_t metadata_len, const uint8_t *frame,
                              size_t frame_len, uint8_t *out, size_t *out_len,
                              uint64_t *kid, uint64_t *ctr) {
  if (out == NULL || out_len == NULL || (keys == NULL && n_keys != 0) ||
      (accepted == NULL && n_accepted != 0) ||
      (metadata == NULL && metadata_len != 0) ||
      (frame == NULL && frame_len != 0))
    return CE_ERR_INVALID_ARGUMENT;
  for (size_t i = 0; i < n_accepted; i++)
    if ((accepted[i].frame == NULL && accepted[i].frame_len != 0) ||
        (accepted[i].metadata == NULL && accepted[i].metadata_len != 0))
      return CE_ERR_INVALID_ARGUMENT;
  for (size_t i = 0; i < n_keys; i++)
    for (size_t j = 0; j < i; j++)
      if (keys[i].kid == keys[j].kid)
        return CE_ERR_INVALID_ARGUMENT; /* a KID given twice */
  if (frame == NULL)
    frame = sframe_abi_empty;
  ce_sframe_ctx *ctx;
  ce_status st = ce_sframe_ctx_new(suite, &ctx);
  if (st != CE_OK)
    return st;
  for (size_t i = 0; st == CE_OK && i < n_keys; i++)
    st = ce_sframe_add_key(ctx, keys[i].kid, CE_SFRAME_RECEIVE,
                           keys[i].base_key, keys[i].base_key_len);
  if (st == CE_OK)
    st = ce_sframe_set_replay_window(ctx, replay_window);
  if (st == CE_OK)
    st = replay_history(ctx, accepted, n_accepted);
  if (st == CE_OK)
    st = ce_sframe_unprotect_into(ctx, metadata, metadata_len, frame, frame_len,
                                  out, out_len, kid, ctr);
  ce_sframe_ctx_free(ctx);
  return st;
}
