/*
 * backend_sm4simd.c - the ECB block cipher on chanenc's vectorized SM4
 * (backend.h, sm4_fast.h), SM4_128_ECB only. The round keys are expanded
 * once by ce_ctx_new into the context (sm4_enc for protect, sm4_dec for
 * unprotect) and wiped with it by ce_ctx_free; nothing here calls OpenSSL,
 * allocates or fails.
 */
#include "backend.h"
#include "internal.h"

static ce_status ce__sm4simd_key_init(ce_ctx *ctx, const ce_derived *d) {
  ce__sm4_expand_key(d->enc_key, &ctx->sm4_enc, &ctx->sm4_dec);
  return CE_OK;
}

static ce_status ce__sm4simd_key_dup(ce_ctx *dst, const ce_ctx *src) {
  dst->sm4_enc = src->sm4_enc;
  dst->sm4_dec = src->sm4_dec;
  return CE_OK;
}

static ce_status ce__sm4simd_encrypt(ce_ctx *ctx, const uint8_t *in,
                                     uint8_t *out, size_t len) {
  ce__sm4_ecb(&ctx->sm4_enc, in, out, len / CE__BLOCK);
  return CE_OK;
}

static ce_status ce__sm4simd_decrypt(ce_ctx *ctx, const uint8_t *in,
                                     uint8_t *out, size_t len) {
  ce__sm4_ecb(&ctx->sm4_dec, in, out, len / CE__BLOCK);
  return CE_OK;
}

const ce__ecb_backend ce__ecb_sm4simd = {
    CE_BACKEND_SM4SIMD,  "sm4-simd",          ce__sm4simd_key_init,
    ce__sm4simd_key_dup, ce__sm4simd_encrypt, ce__sm4simd_decrypt,
};
