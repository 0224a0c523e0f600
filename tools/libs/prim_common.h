/*
 * prim_common.h - the argument and result handling that the adapters in
 * tools/libs/ (openssl, gcrypt, nettle, wolfssl, botan, tomcrypt) share
 * around the primitive C ABI of tools/ce1_prim.h: its status values, its
 * domain rules, the checks of what a library's parameters can carry, and
 * the scratch buffers through which a result reaches the caller only on
 * success. Everything that depends on a library stays in its adapter.
 *
 * Included by the adapters only (static inline: each gets its own copy,
 * and what one does not use costs nothing). An adapter that wipes memory
 * with its library's function defines PRIM_WIPE(p, n) before including
 * this header; the default is explicit_bzero, which glibc declares under
 * _DEFAULT_SOURCE (define it before the first system header).
 */
#ifndef PRIM_COMMON_H
#define PRIM_COMMON_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* chanenc.h's status values, as ce1_prim.h prescribes them. */
enum {
  ST_OK = 0,
  ST_AUTH_FAILED = -6,
  ST_INVALID_ARGUMENT = -7,
  ST_NOT_SUPPORTED = -8,
  ST_BUFFER_TOO_SMALL = -9,
  ST_INTERNAL = -11
};

/* ------------------------------------------------------------------ */
/* The domain of the operations (ce1_prim.h)                           */
/* ------------------------------------------------------------------ */

/* XTS: a data unit of at most 2^20 blocks (SP 800-38E, IEEE 1619-2007
   5.1); a longer one is outside the domain (ce1_prim.h). */
#define XTS_MAX_LEN ((size_t)16 << 20)

/* RFC 5869: L <= 255 * HashLen. */
#define HKDF_SHA256_MAX_OKM (255u * 32u)

/* A NULL pointer is allowed only for a zero length (ce1_prim.h). */
static inline int bad_buf(const void *p, size_t n) {
  return p == NULL && n != 0;
}

/* A pointer is acceptable when it is non-NULL or its length is 0. */
static inline int buf_ok(const void *p, size_t n) {
  return !bad_buf(p, n);
}

/* A zero-length input given as NULL is passed on as a pointer to this
   (never read), for the libraries that reject or mishandle a NULL buffer
   even with a zero length. */
static inline const uint8_t *nz(const uint8_t *p) {
  static const uint8_t empty_input[1];
  return p != NULL ? p : empty_input;
}

/* AES keys of 128, 192 or 256 bits. */
static inline int aes_key_len_ok(size_t key_len) {
  return key_len == 16 || key_len == 24 || key_len == 32;
}

/* GCM: an IV of at least one byte and a tag_len of 1..16, with an AES key
   (gcm_domain) or whatever key the library judges (gcm_iv_tag_ok). */
static inline int gcm_iv_tag_ok(size_t iv_len, size_t tag_len) {
  return iv_len >= 1 && tag_len >= 1 && tag_len <= 16;
}

static inline int gcm_domain(size_t key_len, size_t iv_len, size_t tag_len) {
  return aes_key_len_ok(key_len) && gcm_iv_tag_ok(iv_len, tag_len);
}

/* ------------------------------------------------------------------ */
/* What a library's parameters can carry                               */
/* ------------------------------------------------------------------ */

/* word32 (wolfCrypt) and unsigned long (libtomcrypt) lengths. */
static inline int fits32(size_t n) {
  return n <= UINT32_MAX;
}

static inline int fits_ulong(size_t n) {
  return (unsigned long long)n <= ULONG_MAX;
}

/* The status of arguments a library's parameters cannot carry: a refusal
   (NOT_SUPPORTED) when they are inside the operation's domain, else the
   argument's error (INVALID_ARGUMENT). */
static inline int unfit_status(int in_domain) {
  return in_domain ? ST_NOT_SUPPORTED : ST_INVALID_ARGUMENT;
}

/* The status of a library call that failed (not with an authentication
   failure) after the adapter's own checks: outside the domain any failure
   is the argument's (INVALID_ARGUMENT, however the library words it);
   inside it, a refusal is NOT_SUPPORTED and the rest INTERNAL. */
static inline int failed_status(int refused, int in_domain) {
  if (!in_domain) {
    return ST_INVALID_ARGUMENT;
  }
  return refused ? ST_NOT_SUPPORTED : ST_INTERNAL;
}

/* ------------------------------------------------------------------ */
/* Scratch buffers and delivery                                        */
/* ------------------------------------------------------------------ */

#ifndef PRIM_WIPE
#define PRIM_WIPE(p, n) explicit_bzero((p), (n))
#endif

/* A scratch buffer for an output: results reach the caller only once
   everything has succeeded. malloc(0) may return NULL, so at least 1. */
static inline uint8_t *scratch_new(size_t n) {
  return malloc(n != 0 ? n : 1);
}

/* Wipes and frees a scratch buffer; NULL is allowed. */
static inline void scratch_free(uint8_t *p, size_t n) {
  if (p != NULL) {
    PRIM_WIPE(p, n);
    free(p);
  }
}

/* Copies a finished len-byte result to the caller's buffer, if it fits:
   BUFFER_TOO_SMALL when *out_len cannot hold it. Called last, after every
   other check (ce1_prim.h), so a short buffer never hides another error;
   on failure nothing is written and *out_len is unchanged. */
static inline int deliver(const uint8_t *res, size_t len, uint8_t *out,
                          size_t *out_len) {
  if (*out_len < len) {
    return ST_BUFFER_TOO_SMALL;
  }
  if (len != 0) {
    memcpy(out, res, len);
  }
  *out_len = len;
  return ST_OK;
}

/* The end of a call with status st whose result is in res: a failure
   stays the call's status, a success is delivered. */
static inline int deliver_status(int st, const uint8_t *res, size_t len,
                                 uint8_t *out, size_t *out_len) {
  if (st != ST_OK) {
    return st;
  }
  return deliver(res, len, out, out_len);
}

#endif /* PRIM_COMMON_H */
