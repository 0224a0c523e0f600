/*
 * backend_openssl_ecb.c - the ECB block cipher on OpenSSL 3 EVP (backend.h):
 * AES-128-ECB and SM4-ECB without padding, one EVP_CIPHER_CTX per
 * direction, keyed once by ce_ctx_new (ce__evp_keys, shared with XTS).
 */
#include "backend.h"
#include "internal.h"

static ce_status ce__ecb_openssl_update(EVP_CIPHER_CTX *c, int enc,
                                        const uint8_t *in, uint8_t *out,
                                        size_t len) {
  int outl = 0;
  int ok = enc ? !CE__FAULT("ecb.seal.update") &&
                     EVP_EncryptUpdate(c, out, &outl, in, (int)len) == 1
               : !CE__FAULT("ecb.open.update") &&
                     EVP_DecryptUpdate(c, out, &outl, in, (int)len) == 1;
  /* len <= 65536 (spec 8), far inside int. */
  return ok && (size_t)outl == len ? CE_OK : CE_ERR_INTERNAL;
}

static ce_status ce__ecb_openssl_encrypt(ce_ctx *ctx, const uint8_t *in,
                                         uint8_t *out, size_t len) {
  return ce__ecb_openssl_update(ctx->enc, 1, in, out, len);
}

static ce_status ce__ecb_openssl_decrypt(ce_ctx *ctx, const uint8_t *in,
                                         uint8_t *out, size_t len) {
  return ce__ecb_openssl_update(ctx->dec, 0, in, out, len);
}

const ce__ecb_backend ce__ecb_openssl = {
    CE_BACKEND_OPENSSL,
    "openssl",
    ce__evp_keys,
    ce__evp_dup,
    ce__ecb_openssl_encrypt,
    ce__ecb_openssl_decrypt,
};
