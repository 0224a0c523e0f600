/*
 * ce1_impl_ref.c - libce1impl_ref.so: the shared-library adapter ABI of
 * docs/conformance.md section 4 (tools/ce1_impl.h) over the chanenc
 * reference.
 *
 * Failures come in the order of docs/spec.md section 10.1: the arguments
 * (every pointer check, out included, before the configuration is looked
 * at), then the configuration, then the library's protect or unprotect
 * (TOO_LARGE, BUFFER_TOO_SMALL; the spec 9 steps, capacity last).
 *
 * It also exports the optional SFrame pair (conformance.md 7.3),
 * ce1_impl_sframe_protect / ce1_impl_sframe_unprotect: each call builds a
 * fresh ce_sframe_ctx (no cache: SFrame derivation is two HKDFs, and the
 * receiver's history comes with every call), so they need no lock.
 *
 * Built with hidden visibility and a version script so that exactly the
 * ABI functions are exported: the reference library is linked in
 * statically, and its own ce_* symbols must not leak into a process that
 * may load a second implementation (or the shared libchanenc) beside it.
 *
 * Contexts are cached per (mode, key, salt) like the process adapter's,
 * because differential fuzzers call with the same GCM2 config millions of
 * times and a PBKDF2 per call would make that useless. The cache is
 * guarded by a mutex: callers may be multi-threaded, and a ce_ctx is not.
 */
#include "ce1_impl.h"

#include "chanenc.h"
#include "chanenc_sframe.h"
#include "chanenc_sframe_testing.h"
#include "chanenc_testing.h"
#include "ce_ctxcache.h"

#include <pthread.h>
#include <stdlib.h>

#define CE1_EXPORT __attribute__((visibility("default")))

static pthread_mutex_t ce1_impl__lock = PTHREAD_MUTEX_INITIALIZER;
static ce_ctxcache ce1_impl__cache;

/* Releases the cached contexts (and wipes their keys) at dlclose. */
__attribute__((destructor)) static void ce1_impl__fini(void) {
  pthread_mutex_lock(&ce1_impl__lock);
  ce_ctxcache_clear(&ce1_impl__cache);
  pthread_mutex_unlock(&ce1_impl__lock);
}

/* An empty input may come as NULL; the library wants a pointer. */
static const uint8_t ce1_impl__empty[1];

CE1_EXPORT int ce1_impl_protect(int mode, const uint8_t *key, size_t key_len,
                                const uint8_t salt[32], uint64_t pn,
                                const uint8_t *payload, size_t payload_len,
                                uint8_t *out, size_t *out_len) {
  if (out == NULL || out_len == NULL || (key == NULL && key_len != 0) ||
      (payload == NULL && payload_len != 0))
    return CE_ERR_INVALID_ARGUMENT;
  if (payload == NULL)
    payload = ce1_impl__empty;
  if (pthread_mutex_lock(&ce1_impl__lock) != 0)
    return CE_ERR_INTERNAL;
  ce_ctx *ctx;
  ce_status st =
      ce_ctxcache_get(&ce1_impl__cache, mode, key, key_len, salt, &ctx);
  if (st == CE_OK)
    st =
        ce_testing_protect_pn_into(ctx, pn, payload, payload_len, out, out_len);
  pthread_mutex_unlock(&ce1_impl__lock);
  return st;
}

CE1_EXPORT int ce1_impl_unprotect(int mode, const uint8_t *key, size_t key_len,
                                  const uint8_t salt[32], const uint8_t *frame,
                                  size_t frame_len, uint8_t *out,
                                  size_t *out_len) {
  if (out == NULL || out_len == NULL || (key == NULL && key_len != 0) ||
      (frame == NULL && frame_len != 0))
    return CE_ERR_INVALID_ARGUMENT;
  if (frame == NULL)
    frame = ce1_impl__empty;
  if (pthread_mutex_lock(&ce1_impl__lock) != 0)
    return CE_ERR_INTERNAL;
  ce_ctx *ctx;
  ce_status st =
      ce_ctxcache_get(&ce1_impl__cache, mode, key, key_len, salt, &ctx);
  if (st == CE_OK)
    st = ce_unprotect_into(ctx, frame, frame_len, out, out_len);
  pthread_mutex_unlock(&ce1_impl__lock);
  return st;
}

/* ------------------------------------------------------------------ */
/* SFrame (conformance.md 7.3)                                         */
/* ------------------------------------------------------------------ */

CE1_EXPORT int ce1_impl_sframe_protect(
    int suite, uint64_t kid, uint64_t ctr, const uint8_t *base_key,
    size_t base_key_len, const uint8_t *metadata, size_t metadata_len,
    const uint8_t *payload, size_t payload_len, uint8_t *out, size_t *out_len) {
  if (out == NULL || out_len == NULL ||
      (base_key == NULL && base_key_len != 0) ||
      (metadata == NULL && metadata_len != 0) ||
      (payload == NULL && payload_len != 0))
    return CE_ERR_INVALID_ARGUMENT;
  if (payload == NULL)
    payload = ce1_impl__empty;
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

CE1_EXPORT int ce1_impl_sframe_unprotect(
    int suite, const ce1_impl_sframe_key *keys, size_t n_keys,
    size_t replay_window, const ce1_impl_sframe_frame *accepted,
    size_t n_accepted, const uint8_t *metadata, size_t metadata_len,
    const uint8_t *frame, size_t frame_len, uint8_t *out, size_t *out_len,
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
    frame = ce1_impl__empty;
  ce_sframe_ctx *ctx;
  ce_status st = ce_sframe_ctx_new(suite, &ctx);
  if (st != CE_OK)
    return st;
  for (size_t i = 0; st == CE_OK && i < n_keys; i++)
    st = ce_sframe_add_key(ctx, keys[i].kid, CE_SFRAME_RECEIVE,
                           keys[i].base_key, keys[i].base_key_len);
  if (st == CE_OK)
    st = ce_sframe_set_replay_window(ctx, replay_window);
  /* The receiver's history, into a scratch buffer: out is written only by
     the frame itself. */
  size_t cap = 1;
  for (size_t i = 0; i < n_accepted; i++)
    if (accepted[i].frame_len > cap)
      cap = accepted[i].frame_len;
  uint8_t *scratch = NULL;
  if (st == CE_OK && n_accepted > 0) {
    scratch = malloc(cap);
    if (scratch == NULL)
      st = CE_ERR_INTERNAL;
  }
  for (size_t i = 0; st == CE_OK && i < n_accepted; i++) {
    size_t n = cap;
    st = ce_sframe_unprotect_into(
        ctx, accepted[i].metadata, accepted[i].metadata_len,
        accepted[i].frame ? accepted[i].frame : ce1_impl__empty,
        accepted[i].frame_len, scratch, &n, NULL, NULL);
  }
  free(scratch);
  if (st == CE_OK)
    st = ce_sframe_unprotect_into(ctx, metadata, metadata_len, frame, frame_len,
                                  out, out_len, kid, ctr);
  ce_sframe_ctx_free(ctx);
  return st;
}
