/*
 * sframe_internal.h - declarations shared by the SFrame sources
 * (sframe_header.c, sframe_suite.c, sframe_ctx.c) and the SFrame testing
 * interface (ref/testing/sframe_testing.c). Nothing here is exported.
 */
#ifndef CE_SFRAME_INTERNAL_H
#define CE_SFRAME_INTERNAL_H

#include "chanenc_sframe.h"
#include "internal.h"

#include <openssl/evp.h>

/* A suite row: the public constants and how to get them from OpenSSL. */
typedef struct ce__sf_suite {
  ce_sframe_suite_info info;
  const char *digest; /* "SHA256", "SHA512": HKDF and HMAC        */
  const char *cipher; /* "AES-128-CTR", "AES-256-GCM", ...         */
} ce__sf_suite;

const ce__sf_suite *ce__sf_suite_of(int id);

#define CE__SF_NN 12u       /* nonce bytes, every suite */
#define CE__SF_MAX_NH 64u   /* SHA-512                  */
#define CE__SF_WIN_WORDS 16 /* 1024-bit replay bitmap   */

/* The OpenSSL algorithms of a suite, fetched once per context. */
typedef struct ce__sf_algs {
  EVP_CIPHER *cipher;
  EVP_MAC *hmac;
} ce__sf_algs;

ce_status ce__sf_fetch(const ce__sf_suite *s, ce__sf_algs *a);
void ce__sf_algs_free(ce__sf_algs *a);

/* One AEAD keyed for one direction (RFC 9605 4.4, 4.5.1): the AES context
   (CTR, or GCM keyed to encrypt or to decrypt) and, for CTR+HMAC suites,
   an HMAC context keyed with auth_key. Keyed once; per packet only the
   nonce changes. */
typedef struct ce__sf_aead {
  const ce__sf_suite *s;
  EVP_CIPHER_CTX *cipher;
  EVP_MAC_CTX *mac; /* CTR+HMAC only */
} ce__sf_aead;

/* Keys a from the Nk-byte AEAD key. encrypt selects the GCM direction
   (CTR suites ignore it). a is untouched on failure. */
ce_status ce__sf_aead_init(ce__sf_aead *a, const ce__sf_suite *s,
                           const ce__sf_algs *algs, const uint8_t *key,
                           int encrypt);
void ce__sf_aead_clear(ce__sf_aead *a);
/* AEAD.Encrypt with aad = aad1 || aad2 (header || metadata): pt[0..n) ->
   out[0..n + Nt). pt and out must not overlap. Lengths fit int (the
   callers check). On failure the bytes written to out are wiped. */
ce_status ce__sf_seal(ce__sf_aead *a, const uint8_t nonce[12],
                      const uint8_t *aad1, size_t aad1_len, const uint8_t *aad2,
                      size_t aad2_len, const uint8_t *pt, size_t n,
                      uint8_t *out);
/* AEAD.Decrypt: ct[0..n) followed by tag[0..Nt) -> out[0..n), written only
   as far as needed and wiped again unless the result is CE_OK. ct and out
   must not overlap. */
ce_status ce__sf_open(ce__sf_aead *a, const uint8_t nonce[12],
                      const uint8_t *aad1, size_t aad1_len, const uint8_t *aad2,
                      size_t aad2_len, const uint8_t *ct, size_t n,
                      const uint8_t *tag, uint8_t *out);

/* derive_key_salt (RFC 9605 4.4.2) with the context's HMAC. */
/* HMAC and HKDF with the suite's hash, as SFrame computes them (the
   testing interface's known-answer tests). */
ce_status ce__sf_hmac_oneshot(int suite, const uint8_t *key, size_t key_len,
                              const uint8_t *data, size_t len, uint8_t *out,
                              size_t *out_len);
ce_status ce__sf_hkdf(int suite, const uint8_t *salt, size_t salt_len,
                      const uint8_t *ikm, size_t ikm_len, const uint8_t *info,
                      size_t info_len, uint8_t *okm, size_t okm_len);
ce_status ce__sf_derive(const ce__sf_suite *s, EVP_MAC *hmac, uint64_t kid,
                        const uint8_t *base_key, size_t base_key_len,
                        ce_sframe_derived *out);

/* Writes the header for (kid, ctr) (at most CE_SFRAME_MAX_HEADER bytes)
   and returns its length. */
size_t ce__sf_header_write(uint64_t kid, uint64_t ctr, uint8_t *out);

/* The protect path behind ce_sframe_protect*, and the testing interface:
   explicit_ctr selects ctr instead of the key's counter (then the counter,
   the exhaustion flag and the fork check are neither read nor changed). */
ce_status ce__sf_protect_to(ce_sframe_ctx *ctx, uint64_t kid, int explicit_ctr,
                            uint64_t ctr, const uint8_t *metadata,
                            size_t metadata_len, const uint8_t *in,
                            size_t in_len, uint8_t *out, size_t cap,
                            size_t *out_len);
/* Testing: sets the next CTR of kid's send key (clears exhaustion). */
ce_status ce__sf_set_next_ctr(ce_sframe_ctx *ctx, uint64_t kid, uint64_t ctr);

#endif
