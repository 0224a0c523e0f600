/*
 * ce1_mbedtls.h - internal interface of libce1impl_mbedtls.so, a CE1
 * implementation on mbedTLS 2.28 written from docs/spec.md alone.
 *
 *   sm4.c                 SM4 (GB/T 32907), which mbedTLS 2.28 lacks
 *   ce1_mbedtls_crypto.c  the primitives over mbedTLS (and sm4.c)
 *   ce1_mbedtls_prim.c    the primitive ABI of tools/ce1_prim.h
 *   ce1_mbedtls_keys.c    modes and key schedule (spec 2, 4)
 *   ce1_mbedtls.c         frames (spec 5-10): the ABI of tools/ce1_impl.h
 *   sm4_selftest.c        SM4 against GB/T 32907 Appendix A (a CTest)
 *
 * Built by tools/libs/mbedtls_ce1.cmake as libce1impl_mbedtls.so.
 * Nothing here is exported from the library (it is built with
 * -fvisibility=hidden); only the CE1_IMPL_EXPORT definitions are.
 */
#ifndef CE1_MBEDTLS_H
#define CE1_MBEDTLS_H

#include <stddef.h>
#include <stdint.h>

/* The status values of docs/conformance.md section 4.2. */
enum {
  CE1M_OK = 0,
  CE1M_MALFORMED = -1,
  CE1M_BAD_VERSION = -2,
  CE1M_MODE_MISMATCH = -3,
  CE1M_KEY_MISMATCH = -4,
  CE1M_BAD_PADDING = -5,
  CE1M_AUTH_FAILED = -6,
  CE1M_INVALID_ARGUMENT = -7,
  CE1M_NOT_SUPPORTED = -8,
  CE1M_BUFFER_TOO_SMALL = -9,
  CE1M_TOO_LARGE = -10,
  CE1M_INTERNAL = -11
};

/* ------------------------------------------------------------------ */
/* Primitives (ce1_mbedtls_crypto.c). The caller has checked that every */
/* argument is in the algorithm's domain (key lengths, block multiples, */
/* tag lengths) and passes buffers of the stated sizes that do not      */
/* overlap. Return CE1M_OK, CE1M_AUTH_FAILED (open) or CE1M_INTERNAL.   */
/* On failure out may hold partial results: callers pass memory of      */
/* their own and copy to the caller of the ABI only on success.         */
/* ------------------------------------------------------------------ */

/* AES-ECB (key_len 16, 24, 32), len a multiple of 16. */
int ce1m_aes_ecb(int encrypt, const uint8_t *key, size_t key_len,
                 const uint8_t *in, size_t len, uint8_t *out);
/* SM4-ECB (16-byte key), len a multiple of 16. */
int ce1m_sm4_ecb(int encrypt, const uint8_t key[16], const uint8_t *in,
                 size_t len, uint8_t *out);
/* XTS-AES, key = Key1 || Key2 (32 or 64 bytes), 16 <= len <= 2^24. */
int ce1m_aes_xts(int encrypt, const uint8_t *key, size_t key_len,
                 const uint8_t tweak[16], const uint8_t *in, size_t len,
                 uint8_t *out);
/* AES-GCM with the full 16-byte tag; iv_len >= 1. */
int ce1m_gcm_seal(const uint8_t *key, size_t key_len, const uint8_t *iv,
                  size_t iv_len, const uint8_t *aad, size_t aad_len,
                  const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[16]);
/* AES-GCM open: CE1M_AUTH_FAILED unless the first tag_len (1..16) bytes
   of the tag computed over in equal tag[0..tag_len). */
int ce1m_gcm_open(const uint8_t *key, size_t key_len, const uint8_t *iv,
                  size_t iv_len, const uint8_t *aad, size_t aad_len,
                  const uint8_t *in, size_t len, const uint8_t *tag,
                  size_t tag_len, uint8_t *out);
/* HKDF-SHA256 (RFC 5869); an empty salt is 32 zero bytes. */
int ce1m_hkdf_extract(const uint8_t *salt, size_t salt_len, const uint8_t *ikm,
                      size_t ikm_len, uint8_t prk[32]);
/* prk_len >= 32, 1 <= okm_len <= 8160. */
int ce1m_hkdf_expand(const uint8_t *prk, size_t prk_len, const uint8_t *info,
                     size_t info_len, uint8_t *okm, size_t okm_len);
/* PBKDF2-HMAC-SHA256 (RFC 8018), iterations >= 1, 1 <= dk_len < 2^32. */
int ce1m_pbkdf2(const uint8_t *password, size_t password_len,
                const uint8_t *salt, size_t salt_len, uint32_t iterations,
                uint8_t *dk, size_t dk_len);

/* A byte that NULL arguments of length 0 point at: mbedTLS is never
   handed a NULL pointer. */
extern const uint8_t ce1m_empty[1];

/* ------------------------------------------------------------------ */
/* Modes and key schedule (ce1_mbedtls_keys.c).                         */
/* ------------------------------------------------------------------ */

enum { CE1M_ECB = 1, CE1M_XTS = 2, CE1M_GCM = 3 };

/* Family of a mode 1..8 (spec 2). */
int ce1m_family(int mode);

typedef struct ce1m_keys {
  uint8_t enc_key[64]; /* key_bytes(mode): XTS K1 || K2 */
  size_t enc_key_len;
  uint8_t iv_base[12]; /* GCM family only */
  uint8_t check;
} ce1m_keys;

/* Spec 4 for a configuration that passed spec 3.1 (mode 1..8, key_len >=
   1, for 7 and 8 a non-zero salt). CE1M_OK or CE1M_INTERNAL; *k is
   wiped on failure. Wipe it with mbedtls_platform_zeroize after use. */
int ce1m_derive(int mode, const uint8_t *key, size_t key_len,
                const uint8_t salt[32], ce1m_keys *k);

#endif /* CE1_MBEDTLS_H */
