/*
 * backend_openssl_gcm.c - the GCM family on OpenSSL 3 EVP (backend.h), the
 * reference backend, always built in.
 *
 * State: one EVP_CIPHER_CTX per direction, keyed once by key_new; per
 * packet only the IV is set (EVP_CipherInit_ex with the IV alone), the AAD
 * and the body go through one update each, then the tag. GCM's 12-byte IV
 * is OpenSSL's default length.
 */
#include "backend.h"
#include "internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct ce__ossl_gcm {
  EVP_CIPHER_CTX *enc; /* protect side   */
  EVP_CIPHER_CTX *dec; /* unprotect side */
} ce__ossl_gcm;

static ce_status ce__ossl_gcm_usable(void) {
  return CE_OK; /* whether OpenSSL has AES-GCM is ce_mode_supported's */
}

static void ce__ossl_gcm_free(void *k) {
  ce__ossl_gcm *s = k;
  if (s == NULL)
    return;
  /* EVP_CIPHER_CTX_free cleanses the key schedule it holds. */
  EVP_CIPHER_CTX_free(s->enc);
  EVP_CIPHER_CTX_free(s->dec);
  free(s);
}

/* One context keyed for a direction. */
static ce_status ce__ossl_gcm_ctx(EVP_CIPHER *cipher, const uint8_t *key,
                                  int enc, EVP_CIPHER_CTX **out) {
  EVP_CIPHER_CTX *c = CE__FAULT("ctx.cipher_new") ? NULL : EVP_CIPHER_CTX_new();
  if (c == NULL)
    return CE_ERR_INTERNAL;
  if (CE__FAULT("ctx.cipher_init") ||
      EVP_CipherInit_ex2(c, cipher, key, NULL, enc, NULL) != 1) {
    EVP_CIPHER_CTX_free(c);
    return CE_ERR_INTERNAL;
  }
  *out = c;
  return CE_OK;
}

static ce_status ce__ossl_gcm_new(const uint8_t *key, size_t key_len,
                                  void **out) {
  EVP_CIPHER *cipher = NULL;
  ce__ossl_gcm *s = ce__calloc(1, sizeof *s);
  ce_status st =
      s == NULL ? CE_ERR_INTERNAL
                : ce__fetch_cipher(
                      key_len == 16 ? "AES-128-GCM" : "AES-256-GCM", &cipher);
  if (st == CE_OK)
    st = ce__ossl_gcm_ctx(cipher, key, 1, &s->enc);
  if (st == CE_OK)
    st = ce__ossl_gcm_ctx(cipher, key, 0, &s->dec);
  EVP_CIPHER_free(cipher);
  if (st != CE_OK) {
    ce__ossl_gcm_free(s);
    return st;
  }
  *out = s;
  return CE_OK;
}

/* EVP_CIPHER_CTX_copy duplicates the keyed provider contexts, so the key
   schedule is not run again. */
static ce_status ce__ossl_gcm_dup(const void *k, void **out) {
  const ce__ossl_gcm *src = k;
  ce__ossl_gcm *s = ce__calloc(1, sizeof *s);
  if (s == NULL)
    return CE_ERR_INTERNAL;
  s->enc = CE__FAULT("dup.cipher_new") ? NULL : EVP_CIPHER_CTX_new();
  s->dec = CE__FAULT("dup.cipher_new") ? NULL : EVP_CIPHER_CTX_new();
  if (s->enc == NULL || s->dec == NULL || CE__FAULT("dup.copy") ||
      EVP_CIPHER_CTX_copy(s->enc, src->enc) != 1 || CE__FAULT("dup.copy") ||
      EVP_CIPHER_CTX_copy(s->dec, src->dec) != 1) {
    ce__ossl_gcm_free(s);
    return CE_ERR_INTERNAL;
  }
  *out = s;
  return CE_OK;
}

/* Sets the IV, feeds the AAD and runs the body through (encrypting or
   decrypting, as c was keyed); no Final. Lengths fit int (backend.h). */
static int ce__ossl_gcm_body(EVP_CIPHER_CTX *c, const uint8_t iv[12],
                             const uint8_t *aad, size_t aad_len,
                             const uint8_t *in, size_t len, uint8_t *out) {
  int outl = 0;
  if (CE__FAULT("gcm.init") ||
      EVP_CipherInit_ex(c, NULL, NULL, NULL, iv, -1) != 1 ||
      CE__FAULT("gcm.aad") ||
      EVP_CipherUpdate(c, NULL, &outl, aad, (int)aad_len) != 1)
    return 0;
  return len == 0 || (!CE__FAULT("gcm.update") &&
                      EVP_CipherUpdate(c, out, &outl, in, (int)len) == 1 &&
                      (size_t)outl == len);
}

static ce_status ce__ossl_gcm_seal(void *k, const uint8_t iv[12],
                                   const uint8_t *aad, size_t aad_len,
                                   const uint8_t *in, size_t len, uint8_t *out,
                                   uint8_t tag[16]) {
  ce__ossl_gcm *s = k;
  int outl = 0;
  /* GCM's Final writes nothing; tag is a valid place for its output. */
  if (!ce__ossl_gcm_body(s->enc, iv, aad, aad_len, in, len, out) ||
      CE__FAULT("gcm.seal.final") ||
      EVP_EncryptFinal_ex(s->enc, tag, &outl) != 1 ||
      CE__FAULT("gcm.seal.get_tag") ||
      EVP_CIPHER_CTX_ctrl(s->enc, EVP_CTRL_AEAD_GET_TAG, CE__TAG_LEN, tag) != 1)
    return CE_ERR_INTERNAL;
  return CE_OK;
}

static ce_status ce__ossl_gcm_open(void *k, const uint8_t iv[12],
                                   const uint8_t *aad, size_t aad_len,
                                   const uint8_t *in, size_t len,
                                   const uint8_t *tag, size_t tag_len,
                                   uint8_t *out) {
  ce__ossl_gcm *s = k;
  uint8_t t[CE__TAG_LEN]; /* OpenSSL wants a writable tag */
  int outl = 0;
  memcpy(t, tag, tag_len);
  if (!ce__ossl_gcm_body(s->dec, iv, aad, aad_len, in, len, out) ||
      CE__FAULT("gcm.open.set_tag") ||
      EVP_CIPHER_CTX_ctrl(s->dec, EVP_CTRL_AEAD_SET_TAG, (int)tag_len, t) != 1)
    return CE_ERR_INTERNAL;
  /* OpenSSL compares the tag in constant time. */
  if (CE__FAULT("gcm.open.final") || EVP_DecryptFinal_ex(s->dec, t, &outl) != 1)
    return CE_ERR_AUTH_FAILED; /* spec 9 step 9 */
  return CE_OK;
}

const ce__gcm_backend ce__gcm_openssl = {
    .id = CE_BACKEND_OPENSSL,
    .name = "openssl",
    .usable = ce__ossl_gcm_usable,
    .key_new = ce__ossl_gcm_new,
    .key_dup = ce__ossl_gcm_dup,
    .key_free = ce__ossl_gcm_free,
    .seal = ce__ossl_gcm_seal,
    .open = ce__ossl_gcm_open,
};
