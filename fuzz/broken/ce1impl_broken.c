/*
 * ce1impl_broken.c - libce1impl_broken.so, a deliberately wrong CE1
 * implementation with the conformance.md section 4 ABI, for showing that
 * the differential harness finds real differences.
 *
 * It is the reference (linked in statically, with the tools' context
 * cache, like libce1impl_ref.so) with one planted bug of the kind a real
 * port makes:
 *
 *   ECB padding is checked by its last byte only. A body whose last
 *   decrypted byte p is in 1..16 is accepted and p bytes are dropped, even
 *   when the other p - 1 padding bytes are not all p (spec 9 step 7 says
 *   BAD_PADDING). Every valid frame still round-trips and every vector
 *   whose padding is intact still passes, so only frames no honest sender
 *   makes show the bug - which is exactly what fuzzing is for.
 *
 * and one in its SFrame functions (conformance.md 7.3), for
 * sframe_differential_fuzzer.c:
 *
 *   The metadata goes through a fixed 32-byte buffer, and what does not
 *   fit is silently dropped: metadata longer than 32 bytes is only
 *   authenticated up to byte 32, on protect and on unprotect. The RFC 9605
 *   vectors (no metadata) and every frame with short metadata still pass.
 *
 * Never use this library for anything else.
 */
#include "ce1_impl.h"

#include "chanenc.h"
#include "chanenc_testing.h"
#include "ce_ctxcache.h"
#include "ce_sframe_abi.h"

#include <pthread.h>
#include <string.h>

#define CE1_EXPORT __attribute__((visibility("default")))

static pthread_mutex_t broken_lock = PTHREAD_MUTEX_INITIALIZER;
static ce_ctxcache broken_cache;

__attribute__((destructor)) static void broken_fini(void) {
  pthread_mutex_lock(&broken_lock);
  ce_ctxcache_clear(&broken_cache);
  pthread_mutex_unlock(&broken_lock);
}

static const uint8_t broken_empty[1];

CE1_EXPORT int ce1_impl_protect(int mode, const uint8_t *key, size_t key_len,
                                const uint8_t salt[32], uint64_t pn,
                                const uint8_t *payload, size_t payload_len,
                                uint8_t *out, size_t *out_len) {
  if (out_len == NULL || (key == NULL && key_len != 0) ||
      (payload == NULL && payload_len != 0))
    return CE_ERR_INVALID_ARGUMENT;
  if (payload == NULL)
    payload = broken_empty;
  pthread_mutex_lock(&broken_lock);
  ce_ctx *ctx;
  ce_status st = ce_ctxcache_get(&broken_cache, mode, key, key_len, salt, &ctx);
  if (st == CE_OK)
    st =
        ce_testing_protect_pn_into(ctx, pn, payload, payload_len, out, out_len);
  pthread_mutex_unlock(&broken_lock);
  return st;
}

/* The planted bug: ECB padding judged by its last byte alone. */
static ce_status lenient_ecb(int mode, const uint8_t *key, size_t key_len,
                             const uint8_t salt[32], const uint8_t *frame,
                             size_t frame_len, uint8_t *out, size_t *out_len) {
  ce_derived d;
  ce_status st =
      ce_ctxcache_derive(&broken_cache, mode, key, key_len, salt, &d);
  if (st != CE_OK)
    return st;
  size_t body = frame_len - 2;
  uint8_t last[16];
  st =
      ce_ecb_crypt(mode == CE_MODE_SM4_128_ECB ? CE_BLOCK_SM4 : CE_BLOCK_AES, 0,
                   d.enc_key, d.enc_key_len, frame + frame_len - 16, 16, last);
  unsigned pad = last[15];
  if (st != CE_OK || pad < 1 || pad > 16) {
    ce_wipe(&d, sizeof d);
    ce_wipe(last, sizeof last);
    return st != CE_OK ? st : CE_ERR_BAD_PADDING;
  }
  size_t plen = body - pad;
  if (*out_len < plen) {
    ce_wipe(&d, sizeof d);
    ce_wipe(last, sizeof last);
    return CE_ERR_BUFFER_TOO_SMALL;
  }
  if (body > 16)
    st = ce_ecb_crypt(mode == CE_MODE_SM4_128_ECB ? CE_BLOCK_SM4 : CE_BLOCK_AES,
                      0, d.enc_key, d.enc_key_len, frame + 2, body - 16, out);
  if (st == CE_OK) {
    memcpy(out + body - 16, last, 16 - pad);
    *out_len = plen;
  }
  ce_wipe(&d, sizeof d);
  ce_wipe(last, sizeof last);
  return st;
}

CE1_EXPORT int ce1_impl_unprotect(int mode, const uint8_t *key, size_t key_len,
                                  const uint8_t salt[32], const uint8_t *frame,
                                  size_t frame_len, uint8_t *out,
                                  size_t *out_len) {
  if (out_len == NULL || (key == NULL && key_len != 0) ||
      (frame == NULL && frame_len != 0))
    return CE_ERR_INVALID_ARGUMENT;
  if (frame == NULL)
    frame = broken_empty;
  pthread_mutex_lock(&broken_lock);
  ce_ctx *ctx;
  ce_status st = ce_ctxcache_get(&broken_cache, mode, key, key_len, salt, &ctx);
  if (st == CE_OK)
    st = ce_unprotect_into(ctx, frame, frame_len, out, out_len);
  /* Where the reference says BAD_PADDING for ECB, this port looks again. */
  if (st == CE_ERR_BAD_PADDING && ce_mode_family(mode) == CE_FAMILY_ECB)
    st = lenient_ecb(mode, key, key_len, salt, frame, frame_len, out, out_len);
  pthread_mutex_unlock(&broken_lock);
  return st;
}

/* ------------------------------------------------------------------ */
/* SFrame: the planted bug, metadata cut to a 32-byte buffer.          */
/* ------------------------------------------------------------------ */

#define BROKEN_MD_MAX 32

CE1_EXPORT int ce1_impl_sframe_protect(
    int suite, uint64_t kid, uint64_t ctr, const uint8_t *base_key,
    size_t base_key_len, const uint8_t *metadata, size_t metadata_len,
    const uint8_t *payload, size_t payload_len, uint8_t *out, size_t *out_len) {
  return ce_tools_sframe_protect(
      suite, kid, ctr, base_key, base_key_len, metadata,
      metadata_len > BROKEN_MD_MAX ? BROKEN_MD_MAX : metadata_len, payload,
      payload_len, out, out_len);
}

CE1_EXPORT int ce1_impl_sframe_unprotect(
    int suite, const ce1_impl_sframe_key *keys, size_t n_keys,
    size_t replay_window, const ce1_impl_sframe_frame *accepted,
    size_t n_accepted, const uint8_t *metadata, size_t metadata_len,
    const uint8_t *frame, size_t frame_len, uint8_t *out, size_t *out_len,
    uint64_t *kid, uint64_t *ctr) {
  return ce_tools_sframe_unprotect(
      suite, keys, n_keys, replay_window, accepted, n_accepted, metadata,
      metadata_len > BROKEN_MD_MAX ? BROKEN_MD_MAX : metadata_len, frame,
      frame_len, out, out_len, kid, ctr);
}
