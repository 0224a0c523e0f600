/*
 * sframe_suite.c - SFrame cipher suites (RFC 9605 4.5, 8.1; suites 6-8 of
 * draft-barnes-sframe-iana-256), key derivation (4.4.2), the nonce
 * (4.4.3) and the two AEADs: AES-GCM, and AES-CTR with a truncated HMAC
 * (4.5.1). docs/sframe.md 4-6.
 *
 * Both AEADs are keyed once per key (ce__sf_aead_init, at add_key); per
 * packet only the nonce is set. HMAC is OpenSSL's EVP_MAC, re-initialised
 * per packet with the key it holds (EVP_MAC_init with a NULL key).
 */
#include "sframe_internal.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/params.h>

static const ce__sf_suite ce__sf_suites[] = {
    {{1, "AES_128_CTR_HMAC_SHA256_80", 32, 16, 48, 12, 10, 0},
     "SHA256",
     "AES-128-CTR"},
    {{2, "AES_128_CTR_HMAC_SHA256_64", 32, 16, 48, 12, 8, 0},
     "SHA256",
     "AES-128-CTR"},
    {{3, "AES_128_CTR_HMAC_SHA256_32", 32, 16, 48, 12, 4, 0},
     "SHA256",
     "AES-128-CTR"},
    {{4, "AES_128_GCM_SHA256_128", 32, 0, 16, 12, 16, 1},
     "SHA256",
     "AES-128-GCM"},
    {{5, "AES_256_GCM_SHA512_128", 64, 0, 32, 12, 16, 1},
     "SHA512",
     "AES-256-GCM"},
    {{6, "AES_256_CTR_HMAC_SHA512_80", 64, 32, 96, 12, 10, 0},
     "SHA512",
     "AES-256-CTR"},
    {{7, "AES_256_CTR_HMAC_SHA512_64", 64, 32, 96, 12, 8, 0},
     "SHA512",
     "AES-256-CTR"},
    {{8, "AES_256_CTR_HMAC_SHA512_32", 64, 32, 96, 12, 4, 0},
     "SHA512",
     "AES-256-CTR"},
};

const ce__sf_suite *ce__sf_suite_of(int id) {
  if (id < 1 || id > (int)(sizeof ce__sf_suites / sizeof ce__sf_suites[0]))
    return NULL;
  return &ce__sf_suites[id - 1];
}

const ce_sframe_suite_info *ce_sframe_suite_get(int suite) {
  const ce__sf_suite *s = ce__sf_suite_of(suite);
  return s ? &s->info : NULL;
}

size_t ce_sframe_overhead(int suite, uint64_t kid, uint64_t ctr) {
  const ce__sf_suite *s = ce__sf_suite_of(suite);
  return s ? ce_sframe_header_len(kid, ctr) + s->info.nt : 0;
}

void ce_sframe_nonce(const uint8_t salt[12], uint64_t ctr, uint8_t nonce[12]) {
  /* RFC 9605 4.4.3: ctr = encode_big_endian(CTR, Nn); nonce = salt XOR ctr.
     CTR is at most 64 bits, so the first Nn - 8 = 4 bytes are the salt's. */
  memcpy(nonce, salt, CE__SF_NN);
  for (int i = 0; i < 8; i++)
    nonce[4 + i] ^= (uint8_t)(ctr >> (56 - 8 * i));
}

/* ---- OpenSSL algorithms ------------------------------------------------- */

ce_status ce__sf_fetch(const ce__sf_suite *s, ce__sf_algs *a) {
  ce__sf_algs t = {NULL, NULL};
  ce_status st = ce__fetch_cipher(s->cipher, &t.cipher);
  if (st == CE_OK) {
    if (CE__FAULT("sframe.mac_fetch")) {
      ERR_raise(ERR_LIB_EVP, ERR_R_MALLOC_FAILURE); /* as a real failure */
      t.hmac = NULL;
    } else {
      t.hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    }
    if (t.hmac == NULL)
      st = ce__fetch_failure();
  }
  if (st != CE_OK) {
    ce__sf_algs_free(&t);
    return st;
  }
  *a = t;
  return CE_OK;
}

void ce__sf_algs_free(ce__sf_algs *a) {
  EVP_CIPHER_free(a->cipher);
  EVP_MAC_free(a->hmac);
  a->cipher = NULL;
  a->hmac = NULL;
}

/* An HMAC context of the suite's hash keyed with key[0..len). EVP_MAC_init
   treats a NULL key as "keep the previous one", so an empty key is passed
   as a non-NULL pointer with length 0. */
static ce_status ce__sf_mac_new(EVP_MAC *hmac, const char *digest,
                                const uint8_t *key, size_t len,
                                EVP_MAC_CTX **out) {
  static const uint8_t empty = 0;
  char dg[8];
  size_t dl = strlen(digest);
  memcpy(dg, digest, dl + 1); /* OSSL_PARAM wants a mutable string */
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, dg, 0),
      OSSL_PARAM_construct_end()};
  EVP_MAC_CTX *mc = CE__FAULT("sframe.mac_new") ? NULL : EVP_MAC_CTX_new(hmac);
  if (mc == NULL)
    return CE_ERR_INTERNAL;
  if (CE__FAULT("sframe.mac_key") ||
      EVP_MAC_init(mc, len ? key : &empty, len, params) != 1) {
    EVP_MAC_CTX_free(mc);
    return CE_ERR_INTERNAL;
  }
  *out = mc;
  return CE_OK;
}

/* HMAC over the concatenation of up to n parts, with mc's key. */
typedef struct ce__sf_part {
  const uint8_t *p;
  size_t n;
} ce__sf_part;

static int ce__sf_hmac(EVP_MAC_CTX *mc, int rekey, const ce__sf_part *parts,
                       size_t nparts, uint8_t out[CE__SF_MAX_NH], size_t nh) {
  size_t outl = 0;
  if (rekey &&
      (CE__FAULT("sframe.mac_init") || EVP_MAC_init(mc, NULL, 0, NULL) != 1))
    return 0;
  for (size_t i = 0; i < nparts; i++)
    if (parts[i].n && (CE__FAULT("sframe.mac_update") ||
                       EVP_MAC_update(mc, parts[i].p, parts[i].n) != 1))
      return 0;
  return !CE__FAULT("sframe.mac_final") &&
         EVP_MAC_final(mc, out, &outl, CE__SF_MAX_NH) == 1 && outl == nh;
}

/* ---- key derivation (RFC 9605 4.4.2) ------------------------------------ */

static void ce__sf_label(const char *prefix, uint64_t kid, int suite,
                         uint8_t *out) {
  size_t n = strlen(prefix);
  memcpy(out, prefix, n);
  for (int i = 0; i < 8; i++)
    out[n + (size_t)i] = (uint8_t)(kid >> (56 - 8 * i)); /* BE64(KID) */
  out[n + 8] = (uint8_t)((unsigned)suite >> 8);          /* BE16 */
  out[n + 9] = (uint8_t)suite;
}

/* HKDF-Expand (RFC 5869 2.3) with prk of Nh bytes; len <= 255 * Nh. */
static ce_status ce__sf_expand(const ce__sf_suite *s, EVP_MAC *hmac,
                               const uint8_t *prk, const uint8_t *info,
                               size_t info_len, uint8_t *out, size_t len) {
  size_t nh = s->info.nh;
  uint8_t t[CE__SF_MAX_NH];
  EVP_MAC_CTX *mc = NULL;
  ce_status st = ce__sf_mac_new(hmac, s->digest, prk, nh, &mc);
  size_t done = 0;
  for (uint8_t i = 1; st == CE_OK && done < len; i++) {
    ce__sf_part parts[3] = {{t, done ? nh : 0}, {info, info_len}, {&i, 1}};
    if (!ce__sf_hmac(mc, i > 1, parts, 3, t, nh)) {
      st = CE_ERR_INTERNAL;
      break;
    }
    size_t take = len - done < nh ? len - done : nh;
    memcpy(out + done, t, take);
    done += take;
  }
  EVP_MAC_CTX_free(mc);
  ce_wipe(t, sizeof t);
  return st;
}

ce_status ce__sf_derive(const ce__sf_suite *s, EVP_MAC *hmac, uint64_t kid,
                        const uint8_t *base_key, size_t base_key_len,
                        ce_sframe_derived *out) {
  ce_sframe_derived d;
  memset(&d, 0, sizeof d);
  d.secret_len = s->info.nh;
  d.key_len = s->info.nk;
  d.salt_len = s->info.nn;
  ce__sf_label("SFrame 1.0 Secret key ", kid, s->info.id, d.key_label);
  ce__sf_label("SFrame 1.0 Secret salt ", kid, s->info.id, d.salt_label);
  /* sframe_secret = HKDF-Extract("", base_key): HMAC keyed with the empty
     salt (the same as HashLen zero bytes, RFC 5869 2.2) over base_key. */
  EVP_MAC_CTX *mc = NULL;
  ce_status st = ce__sf_mac_new(hmac, s->digest, NULL, 0, &mc);
  if (st == CE_OK) {
    ce__sf_part part = {base_key, base_key_len};
    if (!ce__sf_hmac(mc, 0, &part, 1, d.secret, s->info.nh))
      st = CE_ERR_INTERNAL;
  }
  EVP_MAC_CTX_free(mc);
  if (st == CE_OK)
    st = ce__sf_expand(s, hmac, d.secret, d.key_label, sizeof d.key_label,
                       d.key, d.key_len);
  if (st == CE_OK)
    st = ce__sf_expand(s, hmac, d.secret, d.salt_label, sizeof d.salt_label,
                       d.salt, d.salt_len);
  if (st == CE_OK)
    memcpy(out, &d, sizeof d);
  ce_wipe(&d, sizeof d);
  return st;
}

/* ---- HMAC and HKDF alone, for known-answer tests ------------------------ */

/* The suite's HMAC exactly as SFrame computes it (ce__sf_mac_new,
   ce__sf_hmac): the testing interface runs Wycheproof's HMAC files through
   it. Not on the packet path. */
ce_status ce__sf_hmac_oneshot(int suite, const uint8_t *key, size_t key_len,
                              const uint8_t *data, size_t len, uint8_t *out,
                              size_t *out_len) {
  const ce__sf_suite *s = ce__sf_suite_of(suite);
  if (s == NULL || (key == NULL && key_len) || (data == NULL && len) ||
      out == NULL || out_len == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  ce__err_mark();
  ce__sf_algs a = {NULL, NULL};
  EVP_MAC_CTX *mc = NULL;
  uint8_t t[CE__SF_MAX_NH];
  ce_status st = ce__sf_fetch(s, &a);
  if (st == CE_OK)
    st = ce__sf_mac_new(a.hmac, s->digest, key, key_len, &mc);
  if (st == CE_OK) {
    ce__sf_part part = {data, len};
    if (!ce__sf_hmac(mc, 0, &part, 1, t, s->info.nh))
      st = CE_ERR_INTERNAL;
  }
  if (st == CE_OK) {
    memcpy(out, t, s->info.nh);
    *out_len = s->info.nh;
  }
  EVP_MAC_CTX_free(mc);
  ce__sf_algs_free(&a);
  ce_wipe(t, sizeof t);
  ce__err_pop();
  return st;
}

/* HKDF (RFC 5869) with the suite's hash, on the same extract (HMAC keyed
   with the salt) and expand (ce__sf_expand) SFrame's key derivation uses,
   for Wycheproof's HKDF files. okm is written only on success. */
ce_status ce__sf_hkdf(int suite, const uint8_t *salt, size_t salt_len,
                      const uint8_t *ikm, size_t ikm_len, const uint8_t *info,
                      size_t info_len, uint8_t *okm, size_t okm_len) {
  const ce__sf_suite *s = ce__sf_suite_of(suite);
  if (s == NULL || (salt == NULL && salt_len) || (ikm == NULL && ikm_len) ||
      (info == NULL && info_len) || okm == NULL || okm_len == 0 ||
      okm_len > 255u * s->info.nh)
    return CE_ERR_INVALID_ARGUMENT;
  ce__err_mark();
  ce__sf_algs a = {NULL, NULL};
  EVP_MAC_CTX *mc = NULL;
  uint8_t prk[CE__SF_MAX_NH];
  uint8_t *tmp = ce__malloc(okm_len);
  ce_status st = tmp == NULL ? CE_ERR_INTERNAL : ce__sf_fetch(s, &a);
  /* Extract: HMAC(salt, ikm); an empty salt is HashLen zeros, which is
     what HMAC makes of an empty key. */
  if (st == CE_OK)
    st = ce__sf_mac_new(a.hmac, s->digest, salt, salt_len, &mc);
  if (st == CE_OK) {
    ce__sf_part part = {ikm, ikm_len};
    if (!ce__sf_hmac(mc, 0, &part, 1, prk, s->info.nh))
      st = CE_ERR_INTERNAL;
  }
  if (st == CE_OK)
    st = ce__sf_expand(s, a.hmac, prk, info, info_len, tmp, okm_len);
  if (st == CE_OK)
    memcpy(okm, tmp, okm_len);
  if (tmp != NULL) {
    ce_wipe(tmp, okm_len);
    free(tmp);
  }
  EVP_MAC_CTX_free(mc);
  ce__sf_algs_free(&a);
  ce_wipe(prk, sizeof prk);
  ce__err_pop();
  return st;
}

ce_status ce_sframe_derive(int suite, uint64_t kid, const uint8_t *base_key,
                           size_t base_key_len, ce_sframe_derived *out) {
  const ce__sf_suite *s = ce__sf_suite_of(suite);
  if (s == NULL || out == NULL || base_key == NULL || base_key_len == 0)
    return CE_ERR_INVALID_ARGUMENT;
  ce__err_mark();
  ce__sf_algs algs;
  ce_status st = ce__sf_fetch(s, &algs);
  if (st == CE_OK) {
    st = ce__sf_derive(s, algs.hmac, kid, base_key, base_key_len, out);
    ce__sf_algs_free(&algs);
  }
  ce__err_pop();
  return st;
}

/* ---- the AEADs (RFC 9605 4.4, 4.5.1) ------------------------------------ */

ce_status ce__sf_aead_init(ce__sf_aead *a, const ce__sf_suite *s,
                           const ce__sf_algs *algs, const uint8_t *key,
                           int encrypt) {
  ce__sf_aead t = {s, NULL, NULL};
  /* CTR+HMAC (4.5.1): enc_key = key[..Nka], auth_key = key[Nka..] (Nh
     bytes). GCM: the whole key. CTR decrypts by encrypting. */
  ce_status st = CE_ERR_INTERNAL;
  t.cipher = CE__FAULT("sframe.cipher_new") ? NULL : EVP_CIPHER_CTX_new();
  if (t.cipher != NULL && !CE__FAULT("sframe.cipher_init") &&
      EVP_CipherInit_ex2(t.cipher, algs->cipher, key, NULL,
                         s->info.gcm ? (encrypt ? 1 : 0) : 1, NULL) == 1)
    st = CE_OK;
  if (st == CE_OK && !s->info.gcm)
    st = ce__sf_mac_new(algs->hmac, s->digest, key + s->info.nka, s->info.nh,
                        &t.mac);
  if (st != CE_OK) {
    ce__sf_aead_clear(&t);
    return st;
  }
  *a = t;
  return CE_OK;
}

void ce__sf_aead_clear(ce__sf_aead *a) {
  /* Both free functions cleanse the key material they hold. */
  EVP_CIPHER_CTX_free(a->cipher);
  EVP_MAC_CTX_free(a->mac);
  a->cipher = NULL;
  a->mac = NULL;
}

static void ce__sf_be64(uint64_t v, uint8_t *out) {
  for (int i = 0; i < 8; i++)
    out[i] = (uint8_t)(v >> (56 - 8 * i));
}

/* compute_tag (4.5.1): HMAC(auth_key, BE64(len(aad)) || BE64(len(ct)) ||
   BE64(Nt) || nonce || aad || ct), truncated to Nt bytes. */
static ce_status ce__sf_tag(ce__sf_aead *a, const uint8_t nonce[12],
                            const uint8_t *aad1, size_t aad1_len,
                            const uint8_t *aad2, size_t aad2_len,
                            const uint8_t *ct, size_t n,
                            uint8_t tag[CE_SFRAME_MAX_TAG]) {
  uint8_t lens[24], full[CE__SF_MAX_NH];
  ce__sf_be64((uint64_t)aad1_len + aad2_len, lens);
  ce__sf_be64(n, lens + 8);
  ce__sf_be64(a->s->info.nt, lens + 16);
  ce__sf_part parts[] = {{lens, sizeof lens},
                         {nonce, CE__SF_NN},
                         {aad1, aad1_len},
                         {aad2, aad2_len},
                         {ct, n}};
  if (!ce__sf_hmac(a->mac, 1, parts, 5, full, a->s->info.nh))
    return CE_ERR_INTERNAL;
  memcpy(tag, full, a->s->info.nt);
  ce_wipe(full, sizeof full);
  return CE_OK;
}

/* Sets the nonce (GCM: the 12-byte IV; CTR: nonce || 0^4, the initial
   counter block of 4.5.1), feeds the AAD (GCM) and runs n bytes through. */
static int ce__sf_body(ce__sf_aead *a, const uint8_t nonce[12],
                       const uint8_t *aad1, size_t aad1_len,
                       const uint8_t *aad2, size_t aad2_len, const uint8_t *in,
                       size_t n, uint8_t *out) {
  uint8_t iv[16] = {0};
  int outl = 0;
  memcpy(iv, nonce, CE__SF_NN);
  if (CE__FAULT("sframe.iv") ||
      EVP_CipherInit_ex(a->cipher, NULL, NULL, NULL, iv, -1) != 1)
    return 0;
  if (a->s->info.gcm) {
    if (aad1_len &&
        (CE__FAULT("sframe.gcm.aad") ||
         EVP_CipherUpdate(a->cipher, NULL, &outl, aad1, (int)aad1_len) != 1))
      return 0;
    if (aad2_len &&
        (CE__FAULT("sframe.gcm.aad") ||
         EVP_CipherUpdate(a->cipher, NULL, &outl, aad2, (int)aad2_len) != 1))
      return 0;
  }
  return n == 0 || (!CE__FAULT("sframe.update") &&
                    EVP_CipherUpdate(a->cipher, out, &outl, in, (int)n) == 1 &&
                    (size_t)outl == n);
}

ce_status ce__sf_seal(ce__sf_aead *a, const uint8_t nonce[12],
                      const uint8_t *aad1, size_t aad1_len, const uint8_t *aad2,
                      size_t aad2_len, const uint8_t *pt, size_t n,
                      uint8_t *out) {
  ce_status st = CE_OK;
  int outl = 0;
  if (!ce__sf_body(a, nonce, aad1, aad1_len, aad2, aad2_len, pt, n, out))
    st = CE_ERR_INTERNAL;
  else if (a->s->info.gcm) {
    if (CE__FAULT("sframe.gcm.final") ||
        EVP_EncryptFinal_ex(a->cipher, out + n, &outl) != 1 ||
        CE__FAULT("sframe.gcm.get_tag") ||
        EVP_CIPHER_CTX_ctrl(a->cipher, EVP_CTRL_AEAD_GET_TAG, 16, out + n) != 1)
      st = CE_ERR_INTERNAL;
  } else {
    st = ce__sf_tag(a, nonce, aad1, aad1_len, aad2, aad2_len, out, n, out + n);
  }
  if (st != CE_OK)
    ce_wipe(out, n + a->s->info.nt);
  return st;
}

ce_status ce__sf_open(ce__sf_aead *a, const uint8_t nonce[12],
                      const uint8_t *aad1, size_t aad1_len, const uint8_t *aad2,
                      size_t aad2_len, const uint8_t *ct, size_t n,
                      const uint8_t *tag, uint8_t *out) {
  size_t nt = a->s->info.nt;
  uint8_t want[CE_SFRAME_MAX_TAG];
  int outl = 0;
  /* Read once, before anything else (and OpenSSL wants it writable). */
  memcpy(want, tag, nt);
  if (!a->s->info.gcm) {
    /* Encrypt-then-MAC: verify first, decrypt only an authentic frame. */
    uint8_t got[CE_SFRAME_MAX_TAG];
    ce_status st =
        ce__sf_tag(a, nonce, aad1, aad1_len, aad2, aad2_len, ct, n, got);
    if (st == CE_OK && CRYPTO_memcmp(got, want, nt) != 0)
      st = CE_ERR_AUTH_FAILED;
    if (st == CE_OK && !ce__sf_body(a, nonce, NULL, 0, NULL, 0, ct, n, out)) {
      ce_wipe(out, n);
      st = CE_ERR_INTERNAL;
    }
    return st;
  }
  ce_status st = CE_OK;
  if (!ce__sf_body(a, nonce, aad1, aad1_len, aad2, aad2_len, ct, n, out) ||
      CE__FAULT("sframe.gcm.set_tag") ||
      EVP_CIPHER_CTX_ctrl(a->cipher, EVP_CTRL_AEAD_SET_TAG, 16, want) != 1)
    st = CE_ERR_INTERNAL;
  else if (CE__FAULT("sframe.gcm.open_final") ||
           EVP_DecryptFinal_ex(a->cipher, want, &outl) != 1)
    st = CE_ERR_AUTH_FAILED;
  if (st != CE_OK)
    ce_wipe(out, n); /* unauthenticated plaintext */
  return st;
}

/* ---- one-shot primitives ------------------------------------------------ */

static ce_status ce__sf_oneshot(int suite, int encrypt, const uint8_t *key,
                                size_t key_len, const uint8_t nonce[12],
                                const uint8_t *aad, size_t aad_len,
                                const uint8_t *in, size_t len, uint8_t *out) {
  const ce__sf_suite *s = ce__sf_suite_of(suite);
  if (s == NULL || key == NULL || nonce == NULL || out == NULL ||
      key_len != s->info.nk || (aad == NULL && aad_len) || (in == NULL && len))
    return CE_ERR_INVALID_ARGUMENT;
  if (!ce__fits_int(len) || !ce__fits_int(aad_len))
    return CE_ERR_TOO_LARGE;
  size_t nt = s->info.nt;
  if (!encrypt && len < nt)
    return CE_ERR_MALFORMED;
  size_t out_len = encrypt ? len + nt : len - nt;
  ce__err_mark();
  ce__sf_algs algs = {NULL, NULL};
  ce__sf_aead a = {s, NULL, NULL};
  uint8_t *tmp = NULL;
  ce_status st = ce__sf_fetch(s, &algs);
  if (st == CE_OK)
    st = ce__sf_aead_init(&a, s, &algs, key, encrypt);
  if (st == CE_OK) {
    tmp = ce__malloc(out_len + 1); /* built here: out untouched on failure */
    if (tmp == NULL)
      st = CE_ERR_INTERNAL;
  }
  if (st == CE_OK)
    st = encrypt ? ce__sf_seal(&a, nonce, aad, aad_len, NULL, 0, in, len, tmp)
                 : ce__sf_open(&a, nonce, aad, aad_len, NULL, 0, in, out_len,
                               in + out_len, tmp);
  if (st == CE_OK && out_len)
    memmove(out, tmp, out_len);
  if (tmp != NULL) {
    ce_wipe(tmp, out_len + 1);
    free(tmp);
  }
  ce__sf_aead_clear(&a);
  ce__sf_algs_free(&algs);
  ce__err_pop();
  return st;
}

ce_status ce_sframe_aead_encrypt(int suite, const uint8_t *key, size_t key_len,
                                 const uint8_t nonce[12], const uint8_t *aad,
                                 size_t aad_len, const uint8_t *in, size_t len,
                                 uint8_t *out) {
  return ce__sf_oneshot(suite, 1, key, key_len, nonce, aad, aad_len, in, len,
                        out);
}

ce_status ce_sframe_aead_decrypt(int suite, const uint8_t *key, size_t key_len,
                                 const uint8_t nonce[12], const uint8_t *aad,
                                 size_t aad_len, const uint8_t *in, size_t len,
                                 uint8_t *out) {
  return ce__sf_oneshot(suite, 0, key, key_len, nonce, aad, aad_len, in, len,
                        out);
}
