/*
 * prim_gcm.c - raw AES-GCM (NIST SP 800-38D) with any IV length >= 1 byte
 * (non-96-bit IVs go through GHASH), any AAD and tags of 1..16 bytes, for
 * the NIST CAVP GCM files. Not on the packet path.
 */
#include "internal.h"

#include <string.h>

#include <openssl/core_names.h>

static const char *ce__gcm_cipher_name(size_t key_len) {
  switch (key_len) {
  case 16:
    return "AES-128-GCM";
  case 24:
    return "AES-192-GCM";
  case 32:
    return "AES-256-GCM";
  default:
    return NULL;
  }
}

/* A GCM context keyed for one direction with the IV length set (the IV
   itself is given per operation). */
static ce_status ce__gcm_prim_ctx(const uint8_t *key, size_t key_len,
                                  size_t iv_len, int enc,
                                  EVP_CIPHER_CTX **out) {
  const char *name = ce__gcm_cipher_name(key_len);
  if (name == NULL || key == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  EVP_CIPHER *cipher = ce__fetch_cipher(name);
  if (cipher == NULL)
    return CE_ERR_NOT_SUPPORTED;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, &iv_len),
      OSSL_PARAM_construct_end()};
  EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
  ce_status st = CE_ERR_INTERNAL;
  if (c != NULL &&
      EVP_CipherInit_ex2(c, cipher, NULL, NULL, enc, params) == 1 &&
      EVP_CipherInit_ex2(c, NULL, key, NULL, enc, NULL) == 1)
    st = CE_OK;
  EVP_CIPHER_free(cipher);
  if (st != CE_OK) {
    EVP_CIPHER_CTX_free(c);
    /* OpenSSL takes IVs of 1..128 bytes; a longer one is refused there. */
    return iv_len > 128 ? CE_ERR_INVALID_ARGUMENT : st;
  }
  *out = c;
  return CE_OK;
}

static ce_status ce__gcm_prim_args(const uint8_t *iv, size_t iv_len,
                                   const uint8_t *aad, size_t aad_len,
                                   const uint8_t *in, size_t len,
                                   const void *out, const void *tag,
                                   size_t tag_len) {
  if (iv == NULL || iv_len == 0 || iv_len > 128 || (aad == NULL && aad_len) ||
      ((in == NULL || out == NULL) && len) || tag == NULL || tag_len == 0 ||
      tag_len > 16)
    return CE_ERR_INVALID_ARGUMENT;
  if (!ce__fits_int(aad_len) || !ce__fits_int(len))
    return CE_ERR_TOO_LARGE;
  return CE_OK;
}

ce_status ce_gcm_encrypt(const uint8_t *key, size_t key_len, const uint8_t *iv,
                         size_t iv_len, const uint8_t *aad, size_t aad_len,
                         const uint8_t *in, size_t len, uint8_t *out,
                         uint8_t *tag, size_t tag_len) {
  ce_status st =
      ce__gcm_prim_args(iv, iv_len, aad, aad_len, in, len, out, tag, tag_len);
  EVP_CIPHER_CTX *c = NULL;
  if (st == CE_OK)
    st = ce__gcm_prim_ctx(key, key_len, iv_len, 1, &c);
  if (st != CE_OK)
    return st;
  int outl = 0;
  uint8_t full[16];
  st = CE_ERR_INTERNAL;
  if (EVP_EncryptInit_ex2(c, NULL, NULL, iv, NULL) == 1 &&
      (aad_len == 0 ||
       EVP_EncryptUpdate(c, NULL, &outl, aad, (int)aad_len) == 1) &&
      (len == 0 || EVP_EncryptUpdate(c, out, &outl, in, (int)len) == 1) &&
      EVP_EncryptFinal_ex(c, full, &outl) == 1 &&
      EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, full) == 1) {
    /* A truncated tag is the leftmost tag_len bytes (SP 800-38D 7.1). */
    memcpy(tag, full, tag_len);
    st = CE_OK;
  }
  EVP_CIPHER_CTX_free(c);
  return st;
}

ce_status ce_gcm_decrypt(const uint8_t *key, size_t key_len, const uint8_t *iv,
                         size_t iv_len, const uint8_t *aad, size_t aad_len,
                         const uint8_t *in, size_t len, const uint8_t *tag,
                         size_t tag_len, uint8_t *out) {
  ce_status st =
      ce__gcm_prim_args(iv, iv_len, aad, aad_len, in, len, out, tag, tag_len);
  EVP_CIPHER_CTX *c = NULL;
  if (st == CE_OK)
    st = ce__gcm_prim_ctx(key, key_len, iv_len, 0, &c);
  if (st != CE_OK)
    return st;
  st =
      ce__gcm_decrypt_verified(c, iv, aad, aad_len, in, len, tag, tag_len, out);
  EVP_CIPHER_CTX_free(c);
  return st;
}
