/*
 * mode_gcm.c - the GCM family, AES_128/256_GCM and the salted GCM2 modes
 * (docs/spec.md 6.3):
 *   nonce = iv_base XOR (0^4 || BE64(PN)),  aad = header(10)
 *   frame = header(10) || ct || tag(16)
 * Seal and open work in the context's own buffers (internal.h): open
 * decrypts into open_buf and the payload leaves it only after the tag
 * verified, so no unauthenticated plaintext or key stream ever reaches the
 * caller.
 */
#include "internal.h"

#include <string.h>

static void ce__gcm_nonce(const ce_ctx *ctx, uint64_t pn, uint8_t nonce[12]) {
  memcpy(nonce, ctx->iv_base, 12);
  for (int i = 0; i < 8; i++)
    nonce[4 + i] ^= (uint8_t)(pn >> (56 - 8 * i));
}

/* Sets the nonce, feeds the 10-byte header as AAD and runs the body
   through (encrypting or decrypting, as c was keyed); no Final. */
static int ce__gcm_body(EVP_CIPHER_CTX *c, const uint8_t nonce[12],
                        const uint8_t *hdr, const uint8_t *in, size_t len,
                        uint8_t *out) {
  int outl = 0;
  if (CE__FAULT("gcm.init") ||
      EVP_CipherInit_ex(c, NULL, NULL, NULL, nonce, -1) != 1 ||
      CE__FAULT("gcm.aad") ||
      EVP_CipherUpdate(c, NULL, &outl, hdr, (int)CE__HDR_LONG) != 1)
    return 0;
  return len == 0 || (!CE__FAULT("gcm.update") &&
                      EVP_CipherUpdate(c, out, &outl, in, (int)len) == 1 &&
                      (size_t)outl == len);
}

ce_status ce__gcm_seal(ce_ctx *ctx, uint64_t pn, const uint8_t *src, size_t n,
                       size_t *frame_len) {
  uint8_t nonce[12];
  uint8_t *f = ctx->seal_buf, *body = f + CE__HDR_LONG;
  int outl = 0;
  ce__gcm_nonce(ctx, pn, nonce);
  ce__write_header(ctx, f, 0, pn);
  if (!ce__gcm_body(ctx->enc, nonce, f, src, n, body) ||
      CE__FAULT("gcm.seal.final") ||
      EVP_EncryptFinal_ex(ctx->enc, body + n, &outl) != 1 ||
      CE__FAULT("gcm.seal.get_tag") ||
      EVP_CIPHER_CTX_ctrl(ctx->enc, EVP_CTRL_AEAD_GET_TAG, CE__TAG_LEN,
                          body + n) != 1) {
    ce_wipe(f, CE__HDR_LONG + n + CE__TAG_LEN);
    return CE_ERR_INTERNAL;
  }
  *frame_len = CE__HDR_LONG + n + CE__TAG_LEN;
  return CE_OK;
}

ce_status ce__gcm_open(ce_ctx *ctx, const uint8_t *frame, size_t n,
                       size_t *plen) {
  size_t len = n - CE__HDR_LONG - CE__TAG_LEN; /* >= 0 by spec 9 step 1 */
  uint8_t nonce[12], tag[CE__TAG_LEN];
  uint8_t *p = ctx->open_buf;
  int outl = 0;
  /* OpenSSL wants a writable tag; copying it also means the tag is read
     once, before anything else happens. */
  memcpy(tag, frame + CE__HDR_LONG + len, CE__TAG_LEN);
  ce__gcm_nonce(ctx, ce__read_pn(frame), nonce);
  ce_status st = CE_OK;
  if (!ce__gcm_body(ctx->dec, nonce, frame, frame + CE__HDR_LONG, len, p) ||
      CE__FAULT("gcm.open.set_tag") ||
      EVP_CIPHER_CTX_ctrl(ctx->dec, EVP_CTRL_AEAD_SET_TAG, CE__TAG_LEN, tag) !=
          1)
    st = CE_ERR_INTERNAL;
  else if (CE__FAULT("gcm.open.final") ||
           EVP_DecryptFinal_ex(ctx->dec, tag, &outl) != 1)
    st = CE_ERR_AUTH_FAILED; /* step 9 */
  if (st != CE_OK) {
    ce_wipe(p, len); /* unauthenticated plaintext */
    return st;
  }
  *plen = len;
  return CE_OK;
}
