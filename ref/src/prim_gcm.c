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
static ce_status ce__gcm_prim_ctx(const char *name, const uint8_t *key,
                                  size_t iv_len, int enc,
                                  EVP_CIPHER_CTX **out) {
  EVP_CIPHER *cipher = NULL;
  ce_status st = ce__fetch_cipher(name, &cipher);
  if (st != CE_OK)
    return st;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, &iv_len),
      OSSL_PARAM_construct_end()};
  EVP_CIPHER_CTX *c =
      CE__FAULT("prim.gcm.cipher_new") ? NULL : EVP_CIPHER_CTX_new();
  st = CE_ERR_INTERNAL;
  if (c != NULL && !CE__FAULT("prim.gcm.init") &&
      EVP_CipherInit_ex2(c, cipher, NULL, NULL, enc, params) == 1 &&
      !CE__FAULT("prim.gcm.key") &&
      EVP_CipherInit_ex2(c, NULL, key, NULL, enc, NULL) == 1)
    st = CE_OK;
  EVP_CIPHER_free(cipher);
  if (st != CE_OK) {
    EVP_CIPHER_CTX_free(c);
    return st;
  }
  *out = c;
  return CE_OK;
}

/* Argument checks shared by both directions. IV: 1..128 bytes. SP 800-38D
   allows longer IVs, but OpenSSL's GCM holds at most 128 bytes of IV, so a
   longer one is a valid input this implementation cannot take:
   CE_ERR_NOT_SUPPORTED. */
static ce_status ce__gcm_prim_args(const uint8_t *key, size_t key_len,
                                   const uint8_t *iv, size_t iv_len,
                                   const uint8_t *aad, size_t aad_len,
                                   const uint8_t *in, size_t len,
                                   const void *out, const void *tag,
                                   size_t tag_len, const char **name) {
  *name = ce__gcm_cipher_name(key_len);
  if (*name == NULL || key == NULL || iv == NULL || iv_len == 0 ||
      (aad == NULL && aad_len) || ((in == NULL || out == NULL) && len) ||
      tag == NULL || tag_len == 0 || tag_len > 16)
    return CE_ERR_INVALID_ARGUMENT;
  if (!ce__fits_int(aad_len) || !ce__fits_int(len))
    return CE_ERR_TOO_LARGE;
  if (iv_len > 128)
    return CE_ERR_NOT_SUPPORTED;
  return CE_OK;
}

/* One GCM pass into library memory, then the tag: encrypt gets it,
   decrypt checks it. out (and tag, encrypting) are written only on CE_OK:
   decryption never shows unauthenticated plaintext, and no failure leaves
   a partial result. */
static ce_status ce__gcm_prim(int enc, const uint8_t *key, size_t key_len,
                              const uint8_t *iv, size_t iv_len,
                              const uint8_t *aad, size_t aad_len,
                              const uint8_t *in, size_t len, uint8_t *out,
                              uint8_t *tag, size_t tag_len) {
  const char *name;
  ce_status st = ce__gcm_prim_args(key, key_len, iv, iv_len, aad, aad_len, in,
                                   len, out, tag, tag_len, &name);
  if (st != CE_OK)
    return st;
  ce__err_mark();
  EVP_CIPHER_CTX *c = NULL;
  uint8_t full[16];
  int outl = 0;
  uint8_t *tmp = len ? ce__malloc(len) : NULL;
  st = len && tmp == NULL ? CE_ERR_INTERNAL
                          : ce__gcm_prim_ctx(name, key, iv_len, enc, &c);
  if (st == CE_OK) {
    st = CE_ERR_INTERNAL;
    if (!enc)
      memcpy(full, tag, tag_len);
    if (!CE__FAULT("prim.gcm.iv") &&
        EVP_CipherInit_ex2(c, NULL, NULL, iv, enc, NULL) == 1 &&
        (aad_len == 0 ||
         (!CE__FAULT("prim.gcm.aad") &&
          EVP_CipherUpdate(c, NULL, &outl, aad, (int)aad_len) == 1)) &&
        (len == 0 || (!CE__FAULT("prim.gcm.update") &&
                      EVP_CipherUpdate(c, tmp, &outl, in, (int)len) == 1 &&
                      (size_t)outl == len)) &&
        (enc || (!CE__FAULT("prim.gcm.set_tag") &&
                 EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, (int)tag_len,
                                     full) == 1))) {
      if (CE__FAULT("prim.gcm.final") ||
          EVP_CipherFinal_ex(c, full, &outl) != 1)
        st = enc ? CE_ERR_INTERNAL : CE_ERR_AUTH_FAILED;
      else if (enc &&
               (CE__FAULT("prim.gcm.get_tag") ||
                EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, full) != 1))
        st = CE_ERR_INTERNAL;
      else
        st = CE_OK;
    }
  }
  if (st == CE_OK) {
    if (len)
      memcpy(out, tmp, len);
    /* A truncated tag is the leftmost tag_len bytes (SP 800-38D 7.1). */
    if (enc)
      memcpy(tag, full, tag_len);
  }
  if (tmp != NULL) {
    ce_wipe(tmp, len);
    free(tmp);
  }
  ce_wipe(full, sizeof full);
  EVP_CIPHER_CTX_free(c);
  ce__err_pop();
  return st;
}

ce_status ce_gcm_encrypt(const uint8_t *key, size_t key_len, const uint8_t *iv,
                         size_t iv_len, const uint8_t *aad, size_t aad_len,
                         const uint8_t *in, size_t len, uint8_t *out,
                         uint8_t *tag, size_t tag_len) {
  return ce__gcm_prim(1, key, key_len, iv, iv_len, aad, aad_len, in, len, out,
                      tag, tag_len);
}

ce_status ce_gcm_decrypt(const uint8_t *key, size_t key_len, const uint8_t *iv,
                         size_t iv_len, const uint8_t *aad, size_t aad_len,
                         const uint8_t *in, size_t len, const uint8_t *tag,
                         size_t tag_len, uint8_t *out) {
  /* The tag is only read when decrypting (ce__gcm_prim copies it). */
  return ce__gcm_prim(0, key, key_len, iv, iv_len, aad, aad_len, in, len, out,
                      (uint8_t *)(uintptr_t)tag, tag_len);
}
