/*
 * mode_gcm.c - the GCM family, AES_128/256_GCM and the salted GCM2 modes
 * (spec 4.3):
 *   nonce = iv_base XOR (0^4 || BE64(PN)),  aad = header(10)
 *   frame = header(10) || ct || tag(16)
 */
#include "internal.h"

#include <string.h>

static void ce__gcm_nonce(const ce_ctx *ctx, uint64_t pn, uint8_t nonce[12]) {
  memcpy(nonce, ctx->iv_base, 12);
  for (int i = 0; i < 8; i++)
    nonce[4 + i] ^= (uint8_t)(pn >> (56 - 8 * i));
}

/* Sets the nonce and feeds the header as AAD; no Final, no tag. Used to
   encrypt, to decrypt, and to re-encrypt a frame whose tag failed. */
static int ce__gcm_start(EVP_CIPHER_CTX *c, const uint8_t nonce[12],
                         const uint8_t *aad, size_t aad_len) {
  int outl = 0;
  return EVP_CipherInit_ex(c, NULL, NULL, NULL, nonce, -1) == 1 &&
         (aad_len == 0 ||
          EVP_CipherUpdate(c, NULL, &outl, aad, (int)aad_len) == 1);
}

static int ce__gcm_update(EVP_CIPHER_CTX *c, const uint8_t *in, size_t len,
                          uint8_t *out) {
  int outl = 0;
  return len == 0 || (EVP_CipherUpdate(c, out, &outl, in, (int)len) == 1 &&
                      (size_t)outl == len);
}

/* Sets the expected tag (OpenSSL copies it) and runs Final: 1 when the
   tag verifies. */
static int ce__gcm_finish_decrypt(EVP_CIPHER_CTX *c, const uint8_t *tag,
                                  size_t tag_len) {
  uint8_t t[CE__TAG_LEN];
  int outl = 0;
  memcpy(t, tag, tag_len);
  return EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, (int)tag_len, t) == 1 &&
         EVP_DecryptFinal_ex(c, t, &outl) == 1;
}

ce_status ce__gcm_seal(ce_ctx *ctx, uint64_t pn, const uint8_t *src,
                       uint8_t *buf, size_t n) {
  uint8_t nonce[12];
  uint8_t *body = buf + CE__HDR_LONG;
  int outl = 0;
  ce__gcm_nonce(ctx, pn, nonce);
  if (src == buf) { /* in place: make room for the header */
    memmove(body, buf, n);
    src = body;
  }
  ce__write_header(ctx, buf, 0, pn);
  if (!ce__gcm_start(ctx->enc, nonce, buf, CE__HDR_LONG) ||
      !ce__gcm_update(ctx->enc, src, n, body) ||
      EVP_EncryptFinal_ex(ctx->enc, body + n, &outl) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx->enc, EVP_CTRL_AEAD_GET_TAG, CE__TAG_LEN,
                          body + n) != 1) {
    ce_wipe(buf, CE__HDR_LONG + n + CE__TAG_LEN);
    return CE_ERR_INTERNAL;
  }
  return CE_OK;
}

ce_status ce__gcm_decrypt_verified(EVP_CIPHER_CTX *c, const uint8_t *iv,
                                   const uint8_t *aad, size_t aad_len,
                                   const uint8_t *in, size_t len,
                                   const uint8_t *tag, size_t tag_len,
                                   uint8_t *out) {
  uint8_t scratch[256];
  /* Pass 1: decrypt into scratch, discarding, only to check the tag. */
  int ok = ce__gcm_start(c, iv, aad, aad_len);
  for (size_t off = 0; ok && off < len; off += sizeof scratch) {
    size_t chunk = len - off < sizeof scratch ? len - off : sizeof scratch;
    ok = ce__gcm_update(c, in + off, chunk, scratch);
  }
  ce_wipe(scratch, sizeof scratch);
  if (!ok)
    return CE_ERR_INTERNAL;
  if (!ce__gcm_finish_decrypt(c, tag, tag_len))
    return CE_ERR_AUTH_FAILED;
  /* Pass 2: the tag verified; now write the plaintext. */
  if (!ce__gcm_start(c, iv, aad, aad_len) || !ce__gcm_update(c, in, len, out) ||
      !ce__gcm_finish_decrypt(c, tag, tag_len)) {
    ce_wipe(out, len);
    return CE_ERR_INTERNAL;
  }
  return CE_OK;
}

ce_status ce__gcm_open(ce_ctx *ctx, const uint8_t *frame, size_t n,
                       uint8_t *out, size_t *out_len, int priv) {
  size_t plen = n - CE__HDR_LONG - CE__TAG_LEN; /* >= 0 by spec 5 step 1 */
  const uint8_t *tag = frame + CE__HDR_LONG + plen;
  uint8_t nonce[12];
  ce__gcm_nonce(ctx, ce__read_pn(frame), nonce);

  if (out != frame && priv) {
    /* Private output: decrypt straight into it, one pass. */
    if (*out_len < plen)
      return CE_ERR_BUFFER_TOO_SMALL;
    if (!ce__gcm_start(ctx->dec, nonce, frame, CE__HDR_LONG) ||
        !ce__gcm_update(ctx->dec, frame + CE__HDR_LONG, plen, out)) {
      ce_wipe(out, plen);
      return CE_ERR_INTERNAL;
    }
    if (!ce__gcm_finish_decrypt(ctx->dec, tag, CE__TAG_LEN)) {
      ce_wipe(out, plen);
      return CE_ERR_AUTH_FAILED;
    }
    *out_len = plen;
    return CE_OK;
  }
  if (out != frame) {
    if (*out_len < plen)
      return CE_ERR_BUFFER_TOO_SMALL;
    ce_status st = ce__gcm_decrypt_verified(ctx->dec, nonce, frame,
                                            CE__HDR_LONG, frame + CE__HDR_LONG,
                                            plen, tag, CE__TAG_LEN, out);
    if (st == CE_OK)
      *out_len = plen;
    return st;
  }

  /* In place, one pass: decrypt where the body is, then check the tag.
     On failure the body is encrypted again (GCM's CTR keystream is its own
     inverse), so the caller gets back exactly the frame it passed in. */
  uint8_t *body = out + CE__HDR_LONG;
  if (!ce__gcm_start(ctx->dec, nonce, frame, CE__HDR_LONG) ||
      !ce__gcm_update(ctx->dec, body, plen, body))
    return CE_ERR_INTERNAL; /* OpenSSL checks its arguments before writing */
  if (!ce__gcm_finish_decrypt(ctx->dec, tag, CE__TAG_LEN)) {
    if (!ce__gcm_start(ctx->enc, nonce, frame, CE__HDR_LONG) ||
        !ce__gcm_update(ctx->enc, body, plen, body)) {
      ce_wipe(body, plen);
      return CE_ERR_INTERNAL;
    }
    return CE_ERR_AUTH_FAILED;
  }
  memmove(out, body, plen);
  *out_len = plen;
  return CE_OK;
}
