/*
 * chanenc_sframe_testing.h - the SFrame testing interface. NOT FOR LIVE
 * TRAFFIC.
 *
 * Lets a caller choose what the production API never lets a caller choose:
 * the CTR of a frame (reusing one with the same key breaks GCM and
 * AES-CTR) or where a send key's counter stands. For known-answer vectors,
 * adapters, fuzzers and tests. Compiled into the static library
 * chanenc_testing only, like chanenc_testing.h.
 */
#ifndef CHANENC_SFRAME_TESTING_H
#define CHANENC_SFRAME_TESTING_H

#include "chanenc_sframe.h"

#ifdef __cplusplus
extern "C" {
#endif

/* As ce_sframe_protect with the send key of kid, but the frame carries
   ctr. Does not read or change the key's counter or exhaustion, and does
   not check for fork (an inherited send key works). Statuses and buffer
   rules otherwise as ce_sframe_protect. */
ce_status ce_testing_sframe_protect_ctr(ce_sframe_ctx *ctx, uint64_t kid,
                                        uint64_t ctr, const uint8_t *metadata,
                                        size_t metadata_len, uint8_t *buf,
                                        size_t *len, size_t cap);
/* Out of place (see ce_sframe_protect_into). */
ce_status ce_testing_sframe_protect_ctr_into(ce_sframe_ctx *ctx, uint64_t kid,
                                             uint64_t ctr,
                                             const uint8_t *metadata,
                                             size_t metadata_len,
                                             const uint8_t *in, size_t in_len,
                                             uint8_t *out, size_t *out_len);
/* Sets the CTR the next ce_sframe_protect with kid uses, and clears the
   key's exhaustion (e.g. 2^64-2 to test exhaustion in two frames).
   CE_ERR_UNKNOWN_KID when kid has no send key; CE_ERR_INVALID_ARGUMENT
   for NULL ctx. Ignores fork. */
ce_status ce_testing_sframe_set_next_ctr(ce_sframe_ctx *ctx, uint64_t kid,
                                         uint64_t ctr);

/* The HMAC and HKDF of a suite's hash (SHA-256 for suites 1-4, SHA-512
   for 5-8) exactly as SFrame computes them, for known-answer tests
   (Wycheproof). ce_testing_sframe_hmac writes the full Nh-byte HMAC to out
   (room for 64 bytes) and its length to *out_len; ce_testing_sframe_hkdf is
   RFC 5869 extract-then-expand, okm_len 1..255 * Nh. Statuses: CE_OK;
   CE_ERR_INVALID_ARGUMENT (suite outside 1..8, NULL with a nonzero length,
   okm_len out of range); CE_ERR_NOT_SUPPORTED; CE_ERR_INTERNAL. Outputs
   are written only on CE_OK. */
ce_status ce_testing_sframe_hmac(int suite, const uint8_t *key, size_t key_len,
                                 const uint8_t *data, size_t len, uint8_t *out,
                                 size_t *out_len);
ce_status ce_testing_sframe_hkdf(int suite, const uint8_t *salt,
                                 size_t salt_len, const uint8_t *ikm,
                                 size_t ikm_len, const uint8_t *info,
                                 size_t info_len, uint8_t *okm, size_t okm_len);

#ifdef __cplusplus
}
#endif

#endif /* CHANENC_SFRAME_TESTING_H */
