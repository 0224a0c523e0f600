/*
 * ce1_mbedtls_prim.c - the primitive ABI of tools/ce1_prim.h
 * (docs/conformance.md 8.3). Failures in the order of 8.3: NULL pointers
 * with a non-zero length, then the algorithm's domain (INVALID_ARGUMENT),
 * NOT_SUPPORTED, the operation (AUTH_FAILED), and the output capacity
 * (BUFFER_TOO_SMALL) last. ECB, XTS and seal cannot fail once their
 * arguments are accepted (but for INTERNAL, which stands outside the
 * order), so they check the capacity before doing the work. Results go
 * to memory of this library's own and are copied to the caller only on
 * success: on failure nothing is written to out, tag, prk, okm, dk or
 * *out_len.
 */
#include "ce1_prim.h"
#include "ce1_mbedtls.h"

#include <mbedtls/platform_util.h>

#include <stdlib.h>
#include <string.h>

/* A NULL pointer whose length is not 0. */
#define BAD_BUF(p, n) ((p) == NULL && (n) != 0)

/* Largest GCM plaintext, SP 800-38D: 2^39 - 256 bits. */
#define GCM_MAX_LEN ((uint64_t)0xfffffffe0)
/* XTS data units of at most 2^20 blocks (SP 800-38E; conformance.md 8.2
   counts longer ones outside the domain, and mbedTLS refuses them). */
#define XTS_MAX_LEN ((size_t)1 << 24)

/* Scratch memory of at least one byte; wiped and freed by scratch_free. */
static uint8_t *scratch_new(size_t n) {
  return malloc(n ? n : 1);
}

static void scratch_free(uint8_t *p, size_t n) {
  if (p == NULL)
    return;
  mbedtls_platform_zeroize(p, n ? n : 1);
  free(p);
}

static int aes_key_len_ok(size_t key_len) {
  return key_len == 16 || key_len == 24 || key_len == 32;
}

/* Copies a successful result of len bytes to the caller. */
static int deliver(int st, const uint8_t *buf, size_t len, uint8_t *out,
                   size_t *out_len) {
  if (st != CE1M_OK)
    return st;
  if (len)
    memcpy(out, buf, len);
  *out_len = len;
  return CE1M_OK;
}

/* ECB of either cipher: the shared checks and buffering. */
static int ecb(int sm4, int encrypt, const uint8_t *key, size_t key_len,
               const uint8_t *in, size_t len, uint8_t *out, size_t *out_len) {
  if (out_len == NULL || BAD_BUF(key, key_len) || BAD_BUF(in, len) ||
      BAD_BUF(out, len))
    return CE1M_INVALID_ARGUMENT;
  if ((sm4 ? key_len != 16 : !aes_key_len_ok(key_len)) || len % 16 != 0)
    return CE1M_INVALID_ARGUMENT;
  if (*out_len < len)
    return CE1M_BUFFER_TOO_SMALL;
  uint8_t *buf = scratch_new(len);
  if (buf == NULL)
    return CE1M_INTERNAL;
  int st = sm4 ? ce1m_sm4_ecb(encrypt, key, in, len, buf)
               : ce1m_aes_ecb(encrypt, key, key_len, in, len, buf);
  st = deliver(st, buf, len, out, out_len);
  scratch_free(buf, len);
  return st;
}

CE1_IMPL_EXPORT int ce1_impl_aes_ecb(int encrypt, const uint8_t *key,
                                     size_t key_len, const uint8_t *in,
                                     size_t len, uint8_t *out,
                                     size_t *out_len) {
  return ecb(0, encrypt, key, key_len, in, len, out, out_len);
}

CE1_IMPL_EXPORT int ce1_impl_sm4_ecb(int encrypt, const uint8_t *key,
                                     size_t key_len, const uint8_t *in,
                                     size_t len, uint8_t *out,
                                     size_t *out_len) {
  return ecb(1, encrypt, key, key_len, in, len, out, out_len);
}

CE1_IMPL_EXPORT int ce1_impl_aes_xts(int encrypt, const uint8_t *key,
                                     size_t key_len, const uint8_t tweak[16],
                                     const uint8_t *in, size_t len,
                                     uint8_t *out, size_t *out_len) {
  if (out_len == NULL || tweak == NULL || BAD_BUF(key, key_len) ||
      BAD_BUF(in, len) || BAD_BUF(out, len))
    return CE1M_INVALID_ARGUMENT;
  if ((key_len != 32 && key_len != 64) || len < 16 || len > XTS_MAX_LEN)
    return CE1M_INVALID_ARGUMENT;
  if (*out_len < len)
    return CE1M_BUFFER_TOO_SMALL;
  uint8_t *buf = scratch_new(len);
  if (buf == NULL)
    return CE1M_INTERNAL;
  int st = ce1m_aes_xts(encrypt, key, key_len, tweak, in, len, buf);
  st = deliver(st, buf, len, out, out_len);
  scratch_free(buf, len);
  return st;
}

/* The checks seal and open share. */
static int gcm_args(const uint8_t *key, size_t key_len, const uint8_t *iv,
                    size_t iv_len, const uint8_t *aad, size_t aad_len,
                    const uint8_t *in, size_t len, size_t tag_len,
                    const uint8_t *out, const size_t *out_len) {
  if (out_len == NULL || BAD_BUF(key, key_len) || BAD_BUF(iv, iv_len) ||
      BAD_BUF(aad, aad_len) || BAD_BUF(in, len) || BAD_BUF(out, len))
    return CE1M_INVALID_ARGUMENT;
  /* SP 800-38D: IV of 1 .. 2^64 - 1 bits, AAD under 2^64 bits. */
  if (!aes_key_len_ok(key_len) || iv_len == 0 || (uint64_t)iv_len >> 61 ||
      (uint64_t)aad_len >> 61 || (uint64_t)len > GCM_MAX_LEN || tag_len < 1 ||
      tag_len > 16)
    return CE1M_INVALID_ARGUMENT;
  return CE1M_OK;
}

CE1_IMPL_EXPORT int ce1_impl_aes_gcm_seal(const uint8_t *key, size_t key_len,
                                          const uint8_t *iv, size_t iv_len,
                                          const uint8_t *aad, size_t aad_len,
                                          const uint8_t *in, size_t len,
                                          size_t tag_len, uint8_t *out,
                                          size_t *out_len, uint8_t *tag) {
  int st = gcm_args(key, key_len, iv, iv_len, aad, aad_len, in, len, tag_len,
                    out, out_len);
  if (st != CE1M_OK)
    return st;
  if (tag == NULL)
    return CE1M_INVALID_ARGUMENT;
  if (*out_len < len)
    return CE1M_BUFFER_TOO_SMALL;
  uint8_t *buf = scratch_new(len);
  if (buf == NULL)
    return CE1M_INTERNAL;
  uint8_t full[16];
  st =
      ce1m_gcm_seal(key, key_len, iv, iv_len, aad, aad_len, in, len, buf, full);
  if (st == CE1M_OK)
    memcpy(tag, full, tag_len);
  st = deliver(st, buf, len, out, out_len);
  mbedtls_platform_zeroize(full, sizeof full);
  scratch_free(buf, len);
  return st;
}

CE1_IMPL_EXPORT int ce1_impl_aes_gcm_open(const uint8_t *key, size_t key_len,
                                          const uint8_t *iv, size_t iv_len,
                                          const uint8_t *aad, size_t aad_len,
                                          const uint8_t *in, size_t len,
                                          const uint8_t *tag, size_t tag_size,
                                          size_t tag_len, uint8_t *out,
                                          size_t *out_len) {
  int st = gcm_args(key, key_len, iv, iv_len, aad, aad_len, in, len, tag_len,
                    out, out_len);
  if (st != CE1M_OK)
    return st;
  if (BAD_BUF(tag, tag_size))
    return CE1M_INVALID_ARGUMENT;
  /* A tag of another size than the receiver's tag_len is a forgery. */
  if (tag_size != tag_len)
    return CE1M_AUTH_FAILED;
  uint8_t *buf = scratch_new(len);
  if (buf == NULL)
    return CE1M_INTERNAL;
  st = ce1m_gcm_open(key, key_len, iv, iv_len, aad, aad_len, in, len, tag,
                     tag_len, buf);
  /* The capacity only once the tag verified (8.3: a forgery is
     AUTH_FAILED whatever the capacity). */
  if (st == CE1M_OK && *out_len < len)
    st = CE1M_BUFFER_TOO_SMALL;
  st = deliver(st, buf, len, out, out_len);
  scratch_free(buf, len);
  return st;
}

CE1_IMPL_EXPORT int ce1_impl_hkdf_sha256_extract(const uint8_t *salt,
                                                 size_t salt_len,
                                                 const uint8_t *ikm,
                                                 size_t ikm_len,
                                                 uint8_t prk[32]) {
  if (prk == NULL || BAD_BUF(salt, salt_len) || BAD_BUF(ikm, ikm_len))
    return CE1M_INVALID_ARGUMENT;
  uint8_t buf[32];
  int st = ce1m_hkdf_extract(salt, salt_len, ikm, ikm_len, buf);
  if (st == CE1M_OK)
    memcpy(prk, buf, sizeof buf);
  mbedtls_platform_zeroize(buf, sizeof buf);
  return st;
}

/* RFC 5869: L <= 255 * HashLen. */
#define HKDF_MAX_OKM (255 * 32)

CE1_IMPL_EXPORT int ce1_impl_hkdf_sha256_expand(const uint8_t *prk,
                                                size_t prk_len,
                                                const uint8_t *info,
                                                size_t info_len, uint8_t *okm,
                                                size_t okm_len) {
  if (BAD_BUF(prk, prk_len) || BAD_BUF(info, info_len) || BAD_BUF(okm, okm_len))
    return CE1M_INVALID_ARGUMENT;
  if (prk_len < 32 || okm_len < 1 || okm_len > HKDF_MAX_OKM)
    return CE1M_INVALID_ARGUMENT;
  uint8_t buf[HKDF_MAX_OKM];
  int st = ce1m_hkdf_expand(prk, prk_len, info, info_len, buf, okm_len);
  if (st == CE1M_OK)
    memcpy(okm, buf, okm_len);
  mbedtls_platform_zeroize(buf, okm_len);
  return st;
}

CE1_IMPL_EXPORT int ce1_impl_hkdf_sha256(const uint8_t *salt, size_t salt_len,
                                         const uint8_t *ikm, size_t ikm_len,
                                         const uint8_t *info, size_t info_len,
                                         uint8_t *okm, size_t okm_len) {
  if (BAD_BUF(salt, salt_len) || BAD_BUF(ikm, ikm_len) ||
      BAD_BUF(info, info_len) || BAD_BUF(okm, okm_len))
    return CE1M_INVALID_ARGUMENT;
  if (okm_len < 1 || okm_len > HKDF_MAX_OKM)
    return CE1M_INVALID_ARGUMENT;
  uint8_t prk[32], buf[HKDF_MAX_OKM];
  int st = ce1m_hkdf_extract(salt, salt_len, ikm, ikm_len, prk);
  if (st == CE1M_OK)
    st = ce1m_hkdf_expand(prk, sizeof prk, info, info_len, buf, okm_len);
  if (st == CE1M_OK)
    memcpy(okm, buf, okm_len);
  mbedtls_platform_zeroize(prk, sizeof prk);
  mbedtls_platform_zeroize(buf, okm_len);
  return st;
}

CE1_IMPL_EXPORT int ce1_impl_pbkdf2_sha256(const uint8_t *password,
                                           size_t password_len,
                                           const uint8_t *salt, size_t salt_len,
                                           uint32_t iterations, uint8_t *dk,
                                           size_t dk_len) {
  if (BAD_BUF(password, password_len) || BAD_BUF(salt, salt_len) ||
      BAD_BUF(dk, dk_len))
    return CE1M_INVALID_ARGUMENT;
  /* RFC 8018 5.2: dkLen <= (2^32 - 1) * hLen. */
  if (iterations == 0 || dk_len == 0 ||
      (uint64_t)dk_len > (uint64_t)UINT32_MAX * 32)
    return CE1M_INVALID_ARGUMENT;
  if ((uint64_t)dk_len > UINT32_MAX) /* mbedTLS takes a uint32_t length */
    return CE1M_NOT_SUPPORTED;
  uint8_t *buf = scratch_new(dk_len);
  if (buf == NULL)
    return CE1M_INTERNAL;
  int st = ce1m_pbkdf2(password, password_len, salt, salt_len, iterations, buf,
                       dk_len);
  if (st == CE1M_OK)
    memcpy(dk, buf, dk_len);
  scratch_free(buf, dk_len);
  return st;
}
