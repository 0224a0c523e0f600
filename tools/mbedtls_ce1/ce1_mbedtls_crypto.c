/*
 * ce1_mbedtls_crypto.c - the primitives on mbedTLS 2.28 (and SM4 from
 * sm4.c): the only file that calls mbedTLS's ciphers and KDFs. Arguments
 * are already checked (ce1_mbedtls.h); every mbedTLS failure is
 * CE1M_INTERNAL, every context is freed (mbedTLS's *_free functions
 * zeroize them) and every local copy of key material wiped.
 */
#include "ce1_mbedtls.h"
#include "sm4.h"

#include <mbedtls/aes.h>
#include <mbedtls/constant_time.h>
#include <mbedtls/gcm.h>
#include <mbedtls/hkdf.h>
#include <mbedtls/md.h>
#include <mbedtls/pkcs5.h>
#include <mbedtls/platform_util.h>

const uint8_t ce1m_empty[1];

static const uint8_t *nz(const uint8_t *p) {
  return p != NULL ? p : ce1m_empty;
}

static unsigned bits(size_t key_len) {
  return (unsigned)(key_len * 8);
}

int ce1m_aes_ecb(int encrypt, const uint8_t *key, size_t key_len,
                 const uint8_t *in, size_t len, uint8_t *out) {
  mbedtls_aes_context ctx;
  mbedtls_aes_init(&ctx);
  int rc = encrypt ? mbedtls_aes_setkey_enc(&ctx, key, bits(key_len))
                   : mbedtls_aes_setkey_dec(&ctx, key, bits(key_len));
  for (size_t off = 0; rc == 0 && off < len; off += 16)
    rc = mbedtls_aes_crypt_ecb(
        &ctx, encrypt ? MBEDTLS_AES_ENCRYPT : MBEDTLS_AES_DECRYPT, in + off,
        out + off);
  mbedtls_aes_free(&ctx);
  return rc == 0 ? CE1M_OK : CE1M_INTERNAL;
}

int ce1m_sm4_ecb(int encrypt, const uint8_t key[16], const uint8_t *in,
                 size_t len, uint8_t *out) {
  sm4_key ks;
  sm4_setkey(&ks, key, !encrypt);
  for (size_t off = 0; off < len; off += 16)
    sm4_crypt_block(&ks, in + off, out + off);
  sm4_wipe(&ks);
  return CE1M_OK;
}

int ce1m_aes_xts(int encrypt, const uint8_t *key, size_t key_len,
                 const uint8_t tweak[16], const uint8_t *in, size_t len,
                 uint8_t *out) {
  mbedtls_aes_xts_context ctx;
  mbedtls_aes_xts_init(&ctx);
  /* key is Key1 || Key2, as mbedTLS takes it; tweak is IEEE 1619's data
     unit sequence number i, which mbedTLS encrypts with Key2 itself. */
  int rc = encrypt ? mbedtls_aes_xts_setkey_enc(&ctx, key, bits(key_len))
                   : mbedtls_aes_xts_setkey_dec(&ctx, key, bits(key_len));
  if (rc == 0)
    rc = mbedtls_aes_crypt_xts(
        &ctx, encrypt ? MBEDTLS_AES_ENCRYPT : MBEDTLS_AES_DECRYPT, len, tweak,
        in, out);
  mbedtls_aes_xts_free(&ctx);
  return rc == 0 ? CE1M_OK : CE1M_INTERNAL;
}

/* Runs GCM over in, giving out and the full 16-byte tag. */
static int gcm_run(int mode, const uint8_t *key, size_t key_len,
                   const uint8_t *iv, size_t iv_len, const uint8_t *aad,
                   size_t aad_len, const uint8_t *in, size_t len, uint8_t *out,
                   uint8_t tag[16]) {
  mbedtls_gcm_context ctx;
  mbedtls_gcm_init(&ctx);
  int rc = mbedtls_gcm_setkey(&ctx, MBEDTLS_CIPHER_ID_AES, key, bits(key_len));
  if (rc == 0)
    rc = mbedtls_gcm_crypt_and_tag(&ctx, mode, len, iv, iv_len, nz(aad),
                                   aad_len, nz(in), out, 16, tag);
  mbedtls_gcm_free(&ctx);
  return rc == 0 ? CE1M_OK : CE1M_INTERNAL;
}

int ce1m_gcm_seal(const uint8_t *key, size_t key_len, const uint8_t *iv,
                  size_t iv_len, const uint8_t *aad, size_t aad_len,
                  const uint8_t *in, size_t len, uint8_t *out,
                  uint8_t tag[16]) {
  return gcm_run(MBEDTLS_GCM_ENCRYPT, key, key_len, iv, iv_len, aad, aad_len,
                 in, len, out, tag);
}

int ce1m_gcm_open(const uint8_t *key, size_t key_len, const uint8_t *iv,
                  size_t iv_len, const uint8_t *aad, size_t aad_len,
                  const uint8_t *in, size_t len, const uint8_t *tag,
                  size_t tag_len, uint8_t *out) {
  /* mbedtls_gcm_auth_decrypt takes tags of 4..16 bytes only, so compute
     the full tag over the ciphertext and compare its first tag_len bytes
     in constant time. */
  uint8_t want[16];
  int st = gcm_run(MBEDTLS_GCM_DECRYPT, key, key_len, iv, iv_len, aad, aad_len,
                   in, len, out, want);
  if (st == CE1M_OK && mbedtls_ct_memcmp(want, tag, tag_len) != 0)
    st = CE1M_AUTH_FAILED;
  mbedtls_platform_zeroize(want, sizeof want);
  return st;
}

static const mbedtls_md_info_t *sha256(void) {
  return mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
}

int ce1m_hkdf_extract(const uint8_t *salt, size_t salt_len, const uint8_t *ikm,
                      size_t ikm_len, uint8_t prk[32]) {
  const mbedtls_md_info_t *md = sha256();
  if (md == NULL)
    return CE1M_INTERNAL;
  /* A NULL salt is RFC 5869's "not provided": HashLen zero bytes. */
  int rc = mbedtls_hkdf_extract(md, salt_len ? salt : NULL, salt_len, nz(ikm),
                                ikm_len, prk);
  return rc == 0 ? CE1M_OK : CE1M_INTERNAL;
}

int ce1m_hkdf_expand(const uint8_t *prk, size_t prk_len, const uint8_t *info,
                     size_t info_len, uint8_t *okm, size_t okm_len) {
  const mbedtls_md_info_t *md = sha256();
  if (md == NULL)
    return CE1M_INTERNAL;
  int rc =
      mbedtls_hkdf_expand(md, prk, prk_len, nz(info), info_len, okm, okm_len);
  return rc == 0 ? CE1M_OK : CE1M_INTERNAL;
}

int ce1m_pbkdf2(const uint8_t *password, size_t password_len,
                const uint8_t *salt, size_t salt_len, uint32_t iterations,
                uint8_t *dk, size_t dk_len) {
  const mbedtls_md_info_t *md = sha256();
  if (md == NULL)
    return CE1M_INTERNAL;
  mbedtls_md_context_t ctx;
  mbedtls_md_init(&ctx);
  int rc = mbedtls_md_setup(&ctx, md, 1 /* HMAC */);
  if (rc == 0)
    rc = mbedtls_pkcs5_pbkdf2_hmac(&ctx, nz(password), password_len, nz(salt),
                                   salt_len, iterations, (uint32_t)dk_len, dk);
  mbedtls_md_free(&ctx);
  return rc == 0 ? CE1M_OK : CE1M_INTERNAL;
}
