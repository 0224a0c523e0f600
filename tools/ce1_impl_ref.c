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
 * receiver's history comes with every call), so they need no lock. And
 * every optional primitive symbol of tools/ce1_prim.h (conformance.md
 * 8.3), ce1_impl_describe included, over chanenc's primitive API.
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
#include "ce1_prim.h"

#include "chanenc.h"
#include "chanenc_sframe.h"
#include "chanenc_sframe_testing.h"
#include "chanenc_testing.h"
#include "ce_ctxcache.h"
#include "ce_prim_ref.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* ------------------------------------------------------------------ */
/* Primitives (conformance.md 8.3, tools/ce1_prim.h)                   */
/* ------------------------------------------------------------------ */
/* Stateless one-shot calls of chanenc's primitive API (thread-safe, no
   lock). The rules the contract adds to that API are in ce_prim_ref.h,
   shared with the JSON-lines adapter; the capacity rule is here.

   Order of failures: the pointers (INVALID_ARGUMENT), then the library's
   own (domain INVALID_ARGUMENT, NOT_SUPPORTED, the operation's
   AUTH_FAILED, INTERNAL), then BUFFER_TOO_SMALL last, as section 4 puts it
   for unprotect: a short capacity never hides a forged tag or a bad key.
   To get that order without a second copy of the library's checks, a call
   whose capacity is short runs into scratch memory, which is wiped and
   freed; out is written only by a call that succeeds. */

static pthread_once_t ce1_impl__describe_once = PTHREAD_ONCE_INIT;
static char ce1_impl__description[160];

static void ce1_impl__describe_init(void) {
  /* ce_version() is a constant string; a description cut at the buffer's
     end is still a description. */
  int n = snprintf(ce1_impl__description, sizeof ce1_impl__description,
                   "chanenc reference: %s", ce_version());
  if (n < 0)
    ce1_impl__description[0] = '\0';
}

CE1_EXPORT const char *ce1_impl_describe(void) {
  if (pthread_once(&ce1_impl__describe_once, ce1_impl__describe_init) != 0 ||
      ce1_impl__description[0] == '\0')
    return "chanenc reference";
  return ce1_impl__description;
}

/* Where a len-byte result goes: out itself when *out_len can hold it,
   else scratch memory (*dst != out). INTERNAL when that cannot be had. */
static ce_status ce1_impl__dst(uint8_t *out, size_t cap, size_t len,
                               uint8_t **dst) {
  if (cap >= len) {
    *dst = out;
    return CE_OK;
  }
  *dst = malloc(len);
  return *dst == NULL ? CE_ERR_INTERNAL : CE_OK;
}

/* The answer of a call that wrote its len-byte result to dst: the
   library's status (as the contract names it), BUFFER_TOO_SMALL when it
   succeeded into scratch memory, else CE_OK with *out_len = len. */
static int ce1_impl__finish(ce_status st, uint8_t *out, size_t *out_len,
                            size_t len, uint8_t *dst) {
  st = ce_prim_ref_status(st);
  if (dst != out) {
    if (dst != NULL) {
      ce_wipe(dst, len);
      free(dst);
    }
    return st == CE_OK ? CE_ERR_BUFFER_TOO_SMALL : st;
  }
  if (st == CE_OK)
    *out_len = len;
  return st;
}

/* ECB for either block cipher: len bytes out. */
static int ce1_impl__ecb(ce_block_cipher bc, int encrypt, const uint8_t *key,
                         size_t key_len, const uint8_t *in, size_t len,
                         uint8_t *out, size_t *out_len) {
  if (out_len == NULL || (key == NULL && key_len != 0) ||
      ((in == NULL || out == NULL) && len != 0))
    return CE_ERR_INVALID_ARGUMENT;
  uint8_t *dst;
  ce_status st = ce1_impl__dst(out, *out_len, len, &dst);
  if (st == CE_OK)
    st = ce_ecb_crypt(bc, encrypt, key, key_len, in, len, dst);
  return ce1_impl__finish(st, out, out_len, len, dst);
}

CE1_EXPORT int ce1_impl_aes_ecb(int encrypt, const uint8_t *key, size_t key_len,
                                const uint8_t *in, size_t len, uint8_t *out,
                                size_t *out_len) {
  return ce1_impl__ecb(CE_BLOCK_AES, encrypt, key, key_len, in, len, out,
                       out_len);
}

CE1_EXPORT int ce1_impl_sm4_ecb(int encrypt, const uint8_t *key, size_t key_len,
                                const uint8_t *in, size_t len, uint8_t *out,
                                size_t *out_len) {
  return ce1_impl__ecb(CE_BLOCK_SM4, encrypt, key, key_len, in, len, out,
                       out_len);
}

CE1_EXPORT int ce1_impl_aes_xts(int encrypt, const uint8_t *key, size_t key_len,
                                const uint8_t tweak[16], const uint8_t *in,
                                size_t len, uint8_t *out, size_t *out_len) {
  if (out_len == NULL || (key == NULL && key_len != 0) || tweak == NULL ||
      ((in == NULL || out == NULL) && len != 0))
    return CE_ERR_INVALID_ARGUMENT;
  uint8_t *dst;
  ce_status st = ce1_impl__dst(out, *out_len, len, &dst);
  if (st == CE_OK)
    st = ce_prim_ref_xts(encrypt, key, key_len, tweak, in, len, dst);
  return ce1_impl__finish(st, out, out_len, len, dst);
}

CE1_EXPORT int ce1_impl_aes_gcm_seal(const uint8_t *key, size_t key_len,
                                     const uint8_t *iv, size_t iv_len,
                                     const uint8_t *aad, size_t aad_len,
                                     const uint8_t *in, size_t len,
                                     size_t tag_len, uint8_t *out,
                                     size_t *out_len, uint8_t *tag) {
  if (out_len == NULL || (key == NULL && key_len != 0) ||
      (iv == NULL && iv_len != 0) || (aad == NULL && aad_len != 0) ||
      ((in == NULL || out == NULL) && len != 0) ||
      (tag == NULL && tag_len != 0))
    return CE_ERR_INVALID_ARGUMENT;
  /* The tag goes to library-sized memory first, so that a call that fails
     (BUFFER_TOO_SMALL included) writes no tag either. */
  uint8_t t[16];
  uint8_t *dst;
  ce_status st = ce1_impl__dst(out, *out_len, len, &dst);
  if (st == CE_OK)
    st = ce_gcm_encrypt(key, key_len, iv, iv_len, aad, aad_len, in, len, dst, t,
                        tag_len);
  int rc = ce1_impl__finish(st, out, out_len, len, dst);
  if (rc == CE_OK)
    memcpy(tag, t, tag_len); /* 1..16: ce_gcm_encrypt succeeded */
  ce_wipe(t, sizeof t);
  return rc;
}

CE1_EXPORT int ce1_impl_aes_gcm_open(const uint8_t *key, size_t key_len,
                                     const uint8_t *iv, size_t iv_len,
                                     const uint8_t *aad, size_t aad_len,
                                     const uint8_t *in, size_t len,
                                     const uint8_t *tag, size_t tag_size,
                                     size_t tag_len, uint8_t *out,
                                     size_t *out_len) {
  if (out_len == NULL || (key == NULL && key_len != 0) ||
      (iv == NULL && iv_len != 0) || (aad == NULL && aad_len != 0) ||
      ((in == NULL || out == NULL) && len != 0) ||
      (tag == NULL && tag_size != 0))
    return CE_ERR_INVALID_ARGUMENT;
  uint8_t *dst;
  ce_status st = ce1_impl__dst(out, *out_len, len, &dst);
  if (st == CE_OK)
    st = ce_prim_ref_gcm_open(key, key_len, iv, iv_len, aad, aad_len, in, len,
                              tag, tag_size, tag_len, dst);
  return ce1_impl__finish(st, out, out_len, len, dst);
}

/* The KDFs write a result of the length asked for into memory of that
   length; chanenc's KDFs write it only on success. */

CE1_EXPORT int ce1_impl_hkdf_sha256_extract(const uint8_t *salt,
                                            size_t salt_len, const uint8_t *ikm,
                                            size_t ikm_len, uint8_t prk[32]) {
  return ce_prim_ref_status(
      ce_hkdf_sha256_extract(salt, salt_len, ikm, ikm_len, prk));
}

CE1_EXPORT int ce1_impl_hkdf_sha256_expand(const uint8_t *prk, size_t prk_len,
                                           const uint8_t *info, size_t info_len,
                                           uint8_t *okm, size_t okm_len) {
  return ce_prim_ref_status(
      ce_hkdf_sha256_expand(prk, prk_len, info, info_len, okm, okm_len));
}

CE1_EXPORT int ce1_impl_hkdf_sha256(const uint8_t *salt, size_t salt_len,
                                    const uint8_t *ikm, size_t ikm_len,
                                    const uint8_t *info, size_t info_len,
                                    uint8_t *okm, size_t okm_len) {
  return ce_prim_ref_status(ce_hkdf_sha256(salt, salt_len, ikm, ikm_len, info,
                                           info_len, okm, okm_len));
}

CE1_EXPORT int ce1_impl_pbkdf2_sha256(const uint8_t *password,
                                      size_t password_len, const uint8_t *salt,
                                      size_t salt_len, uint32_t iterations,
                                      uint8_t *dk, size_t dk_len) {
  return ce_prim_ref_status(ce_pbkdf2_sha256(password, password_len, salt,
                                             salt_len, iterations, dk, dk_len));
}
