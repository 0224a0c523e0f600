/*
 * kdf.c - HKDF-SHA256 (RFC 5869) and PBKDF2-HMAC-SHA256 (RFC 8018), the
 * primitives of the key schedule (spec 4), also exposed for standard
 * vectors.
 *
 * HKDF is written over EVP_MAC HMAC rather than OpenSSL's HKDF KDF because
 * the latter refuses an empty IKM, which RFC 5869 allows.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#define CE__SHA256_LEN 32u

void ce_wipe(void *p, size_t len) {
  if (p != NULL && len > 0)
    OPENSSL_cleanse(p, len);
}

/* HMAC-SHA256 over up to three byte strings, with a fresh EVP_MAC_CTX. */
static ce_status ce__hmac3(EVP_MAC *mac, const uint8_t *key, size_t key_len,
                           const uint8_t *a, size_t a_len, const uint8_t *b,
                           size_t b_len, const uint8_t *c, size_t c_len,
                           uint8_t out[CE__SHA256_LEN]) {
  ce_status st = CE_ERR_INTERNAL;
  EVP_MAC_CTX *mc = CE__FAULT("hmac.ctx_new") ? NULL : EVP_MAC_CTX_new(mac);
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end()};
  /* EVP_MAC_init treats a NULL key as "keep the previous key"; an empty
     HMAC key must be passed as a non-NULL pointer with length 0. */
  static const uint8_t empty = 0;
  size_t outl = 0;
  if (mc == NULL)
    return CE_ERR_INTERNAL;
  if (CE__FAULT("hmac.init") ||
      EVP_MAC_init(mc, key_len ? key : &empty, key_len, params) != 1)
    goto done;
  if (a_len && (CE__FAULT("hmac.update") || EVP_MAC_update(mc, a, a_len) != 1))
    goto done;
  if (b_len && (CE__FAULT("hmac.update") || EVP_MAC_update(mc, b, b_len) != 1))
    goto done;
  if (c_len && (CE__FAULT("hmac.update") || EVP_MAC_update(mc, c, c_len) != 1))
    goto done;
  if (CE__FAULT("hmac.final") ||
      EVP_MAC_final(mc, out, &outl, CE__SHA256_LEN) != 1 ||
      outl != CE__SHA256_LEN)
    goto done;
  st = CE_OK;
done:
  EVP_MAC_CTX_free(mc);
  return st;
}

/* HMAC from the default provider: CE_ERR_NOT_SUPPORTED when no provider
   has it (as ce__fetch_cipher), CE_ERR_INTERNAL for any other failure. */
static ce_status ce__fetch_hmac(EVP_MAC **out) {
  if (CE__FAULT("hmac.fetch")) {
    ERR_raise(ERR_LIB_EVP, ERR_R_MALLOC_FAILURE); /* as a real failure */
    *out = NULL;
  } else {
    *out = EVP_MAC_fetch(NULL, "HMAC", NULL);
  }
  return *out != NULL ? CE_OK : ce__fetch_failure();
}

ce_status ce_hkdf_sha256_extract(const uint8_t *salt, size_t salt_len,
                                 const uint8_t *ikm, size_t ikm_len,
                                 uint8_t prk[32]) {
  static const uint8_t zeros[CE__SHA256_LEN] = {0};
  if (prk == NULL || (salt == NULL && salt_len) || (ikm == NULL && ikm_len))
    return CE_ERR_INVALID_ARGUMENT;
  ce__err_mark();
  EVP_MAC *mac = NULL;
  ce_status st = ce__fetch_hmac(&mac);
  /* RFC 5869 2.2: a missing salt is HashLen zero bytes. */
  if (salt_len == 0) {
    salt = zeros;
    salt_len = sizeof zeros;
  }
  uint8_t tmp[CE__SHA256_LEN];
  if (st == CE_OK)
    st = ce__hmac3(mac, salt, salt_len, ikm, ikm_len, NULL, 0, NULL, 0, tmp);
  EVP_MAC_free(mac);
  if (st == CE_OK)
    memcpy(prk, tmp, sizeof tmp);
  ce_wipe(tmp, sizeof tmp);
  ce__err_pop();
  return st;
}

ce_status ce_hkdf_sha256_expand(const uint8_t *prk, size_t prk_len,
                                const uint8_t *info, size_t info_len,
                                uint8_t *okm, size_t okm_len) {
  /* RFC 5869 2.3: PRK at least HashLen, L <= 255 * HashLen. */
  if (prk == NULL || prk_len < CE__SHA256_LEN || okm == NULL || okm_len == 0 ||
      okm_len > 255u * CE__SHA256_LEN || (info == NULL && info_len))
    return CE_ERR_INVALID_ARGUMENT;
  ce__err_mark();
  EVP_MAC *mac = NULL;
  ce_status st = ce__fetch_hmac(&mac);
  /* Built here and copied out only on success: okm is never left partly
     written (chanenc.h). */
  uint8_t t[255u * CE__SHA256_LEN];
  size_t done = 0;
  for (uint8_t i = 1; st == CE_OK && done < okm_len; i++) {
    /* T(i) = HMAC(PRK, T(i-1) || info || i) */
    const uint8_t *prev = done ? t + done - CE__SHA256_LEN : NULL;
    st = ce__hmac3(mac, prk, prk_len, prev, done ? CE__SHA256_LEN : 0, info,
                   info_len, &i, 1, t + done);
    done += CE__SHA256_LEN;
  }
  if (st == CE_OK)
    memcpy(okm, t, okm_len);
  EVP_MAC_free(mac);
  ce_wipe(t, done);
  ce__err_pop();
  return st;
}

ce_status ce_hkdf_sha256(const uint8_t *salt, size_t salt_len,
                         const uint8_t *ikm, size_t ikm_len,
                         const uint8_t *info, size_t info_len, uint8_t *okm,
                         size_t okm_len) {
  uint8_t prk[CE__SHA256_LEN];
  ce_status st = ce_hkdf_sha256_extract(salt, salt_len, ikm, ikm_len, prk);
  if (st == CE_OK)
    st = ce_hkdf_sha256_expand(prk, sizeof prk, info, info_len, okm, okm_len);
  ce_wipe(prk, sizeof prk);
  return st;
}

ce_status ce_pbkdf2_sha256(const uint8_t *pass, size_t pass_len,
                           const uint8_t *salt, size_t salt_len,
                           uint32_t iterations, uint8_t *out, size_t out_len) {
  if (out == NULL || out_len == 0 || iterations == 0 ||
      (pass == NULL && pass_len) || (salt == NULL && salt_len))
    return CE_ERR_INVALID_ARGUMENT;
  if (!ce__fits_int(pass_len) || !ce__fits_int(salt_len) ||
      !ce__fits_int(out_len) || !ce__fits_int(iterations))
    return CE_ERR_TOO_LARGE;
  static const char empty[1] = {0};
  ce__err_mark();
  /* PKCS5_PBKDF2_HMAC cannot say why it failed: fetch HMAC first so that a
     provider without it is NOT_SUPPORTED here as in HKDF. */
  EVP_MAC *mac = NULL;
  ce_status st = ce__fetch_hmac(&mac);
  EVP_MAC_free(mac);
  if (st != CE_OK) {
    ce__err_pop();
    return st;
  }
  st = CE_ERR_INTERNAL;
  uint8_t *tmp = ce__malloc(out_len); /* out is written only on success */
  if (tmp != NULL && !CE__FAULT("pbkdf2") &&
      PKCS5_PBKDF2_HMAC(pass_len ? (const char *)pass : empty, (int)pass_len,
                        salt_len ? salt : (const uint8_t *)empty, (int)salt_len,
                        (int)iterations, EVP_sha256(), (int)out_len,
                        tmp) == 1) {
    memcpy(out, tmp, out_len);
    st = CE_OK;
  }
  if (tmp != NULL) {
    ce_wipe(tmp, out_len);
    free(tmp);
  }
  ce__err_pop();
  return st;
}
