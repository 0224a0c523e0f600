/*
 * kdf.c - HKDF-SHA256 (RFC 5869) and PBKDF2-HMAC-SHA256 (RFC 8018), the
 * primitives of the key schedule (spec 3), also exposed for standard
 * vectors.
 *
 * HKDF is written over EVP_MAC HMAC rather than OpenSSL's HKDF KDF because
 * the latter refuses an empty IKM, which RFC 5869 allows.
 */
#include "internal.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
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
  EVP_MAC_CTX *mc = EVP_MAC_CTX_new(mac);
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
  if (EVP_MAC_init(mc, key_len ? key : &empty, key_len, params) != 1)
    goto done;
  if (a_len && EVP_MAC_update(mc, a, a_len) != 1)
    goto done;
  if (b_len && EVP_MAC_update(mc, b, b_len) != 1)
    goto done;
  if (c_len && EVP_MAC_update(mc, c, c_len) != 1)
    goto done;
  if (EVP_MAC_final(mc, out, &outl, CE__SHA256_LEN) != 1 ||
      outl != CE__SHA256_LEN)
    goto done;
  st = CE_OK;
done:
  EVP_MAC_CTX_free(mc);
  return st;
}

ce_status ce_hkdf_sha256_extract(const uint8_t *salt, size_t salt_len,
                                 const uint8_t *ikm, size_t ikm_len,
                                 uint8_t prk[32]) {
  static const uint8_t zeros[CE__SHA256_LEN] = {0};
  if (prk == NULL || (salt == NULL && salt_len) || (ikm == NULL && ikm_len))
    return CE_ERR_INVALID_ARGUMENT;
  EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
  if (mac == NULL)
    return CE_ERR_NOT_SUPPORTED;
  /* RFC 5869 2.2: a missing salt is HashLen zero bytes. */
  if (salt_len == 0) {
    salt = zeros;
    salt_len = sizeof zeros;
  }
  uint8_t tmp[CE__SHA256_LEN];
  ce_status st =
      ce__hmac3(mac, salt, salt_len, ikm, ikm_len, NULL, 0, NULL, 0, tmp);
  EVP_MAC_free(mac);
  if (st == CE_OK)
    memcpy(prk, tmp, sizeof tmp);
  ce_wipe(tmp, sizeof tmp);
  return st;
}

ce_status ce_hkdf_sha256_expand(const uint8_t *prk, size_t prk_len,
                                const uint8_t *info, size_t info_len,
                                uint8_t *okm, size_t okm_len) {
  /* RFC 5869 2.3: PRK at least HashLen, L <= 255 * HashLen. */
  if (prk == NULL || prk_len < CE__SHA256_LEN || okm == NULL || okm_len == 0 ||
      okm_len > 255u * CE__SHA256_LEN || (info == NULL && info_len))
    return CE_ERR_INVALID_ARGUMENT;
  EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
  if (mac == NULL)
    return CE_ERR_NOT_SUPPORTED;
  uint8_t t[CE__SHA256_LEN];
  size_t t_len = 0, done = 0;
  ce_status st = CE_OK;
  for (uint8_t i = 1; done < okm_len; i++) {
    /* T(i) = HMAC(PRK, T(i-1) || info || i) */
    st = ce__hmac3(mac, prk, prk_len, t, t_len, info, info_len, &i, 1, t);
    if (st != CE_OK)
      break;
    t_len = CE__SHA256_LEN;
    size_t take = okm_len - done < t_len ? okm_len - done : t_len;
    memcpy(okm + done, t, take);
    done += take;
  }
  EVP_MAC_free(mac);
  ce_wipe(t, sizeof t);
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
  if (PKCS5_PBKDF2_HMAC(pass_len ? (const char *)pass : empty, (int)pass_len,
                        salt_len ? salt : (const uint8_t *)empty, (int)salt_len,
                        (int)iterations, EVP_sha256(), (int)out_len, out) != 1)
    return CE_ERR_INTERNAL;
  return CE_OK;
}
