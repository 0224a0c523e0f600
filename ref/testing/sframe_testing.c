/*
 * sframe_testing.c - the SFrame testing interface
 * (chanenc_sframe_testing.h): protect with a caller-chosen CTR and set a
 * send key's counter. Built into the static library chanenc_testing only.
 * Protect takes the same path as ce_sframe_protect (ce__sf_protect_to),
 * only with the CTR given.
 */
#include "chanenc_sframe_testing.h"
#include "sframe_internal.h"

ce_status ce_testing_sframe_protect_ctr(ce_sframe_ctx *ctx, uint64_t kid,
                                        uint64_t ctr, const uint8_t *metadata,
                                        size_t metadata_len, uint8_t *buf,
                                        size_t *len, size_t cap) {
  if (buf == NULL || len == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  return ce__sf_protect_to(ctx, kid, 1, ctr, metadata, metadata_len, buf, *len,
                           buf, cap, len);
}

ce_status ce_testing_sframe_protect_ctr_into(ce_sframe_ctx *ctx, uint64_t kid,
                                             uint64_t ctr,
                                             const uint8_t *metadata,
                                             size_t metadata_len,
                                             const uint8_t *in, size_t in_len,
                                             uint8_t *out, size_t *out_len) {
  if (out_len == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  return ce__sf_protect_to(ctx, kid, 1, ctr, metadata, metadata_len, in, in_len,
                           out, *out_len, out_len);
}

ce_status ce_testing_sframe_set_next_ctr(ce_sframe_ctx *ctx, uint64_t kid,
                                         uint64_t ctr) {
  return ce__sf_set_next_ctr(ctx, kid, ctr);
}

ce_status ce_testing_sframe_hmac(int suite, const uint8_t *key, size_t key_len,
                                 const uint8_t *data, size_t len, uint8_t *out,
                                 size_t *out_len) {
  return ce__sf_hmac_oneshot(suite, key, key_len, data, len, out, out_len);
}

ce_status ce_testing_sframe_hkdf(int suite, const uint8_t *salt,
                                 size_t salt_len, const uint8_t *ikm,
                                 size_t ikm_len, const uint8_t *info,
                                 size_t info_len, uint8_t *okm,
                                 size_t okm_len) {
  return ce__sf_hkdf(suite, salt, salt_len, ikm, ikm_len, info, info_len, okm,
                     okm_len);
}
