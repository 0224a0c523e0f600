/*
 * mode_ecb.c - the ECB family, AES_128_ECB and SM4_128_ECB (docs/spec.md
 * 6.1):
 *   frame = header(2) || ECB-Encrypt(enc_key, PKCS7-Pad16(payload)).
 * ECB is deterministic and leaks equal blocks; it exists for compatibility.
 * Seal and open work in the context's own buffers (internal.h).
 *
 * The block cipher is the context's ECB backend (backend.h): OpenSSL's EVP
 * for both modes, or for SM4_128_ECB the vectorized SM4 "sm4-simd"
 * (OpenSSL 3.0's SM4 is portable C, about 60 times slower than AES-NI).
 * Padding, the validation order and the buffers are written once, here,
 * for every backend.
 */
#include "backend.h"
#include "internal.h"

#include <string.h>

ce_status ce__ecb_seal(ce_ctx *ctx, const uint8_t *src, size_t n,
                       size_t *frame_len) {
  /* PKCS#7 always pads, 1..16 bytes, so the body is 16 * (n / 16 + 1). */
  size_t pad = CE__BLOCK - n % CE__BLOCK;
  size_t body = n + pad; /* <= 65536 (spec 8), far inside int */
  uint8_t *f = ctx->seal_buf;
  ce__write_header(ctx, f, 0, 0);
  memcpy(f + CE__HDR_ECB, src, n);
  memset(f + CE__HDR_ECB + n, (int)pad, pad);
  if (ctx->ecb->encrypt(ctx, f + CE__HDR_ECB, f + CE__HDR_ECB, body) != CE_OK) {
    ce_wipe(f, CE__HDR_ECB + body); /* the padded payload */
    return CE_ERR_INTERNAL;
  }
  *frame_len = CE__HDR_ECB + body;
  return CE_OK;
}

/* PKCS#7 check of the last block: 1..16 equal bytes. Returns the pad
   length, or 0 when bad. No early exit on the bytes themselves. */
static unsigned ce__ecb_pad(const uint8_t *last) {
  unsigned pad = last[CE__BLOCK - 1];
  unsigned bad = (pad < 1u) | (pad > CE__BLOCK);
  for (unsigned i = 0; i < CE__BLOCK; i++)
    bad |= (i >= CE__BLOCK - pad) & (last[i] != pad);
  return bad ? 0 : pad;
}

ce_status ce__ecb_open(ce_ctx *ctx, const uint8_t *frame, size_t n,
                       size_t *plen) {
  size_t body = n - CE__HDR_ECB; /* 16..65536 by spec 9 step 1 */
  if (body % CE__BLOCK != 0)
    return CE_ERR_MALFORMED; /* step 6 */
  uint8_t *p = ctx->open_buf;
  if (ctx->ecb->decrypt(ctx, frame + CE__HDR_ECB, p, body) != CE_OK) {
    ce_wipe(p, body);
    return CE_ERR_INTERNAL;
  }
  unsigned pad = ce__ecb_pad(p + body - CE__BLOCK);
  if (pad == 0) {
    ce_wipe(p, body);
    return CE_ERR_BAD_PADDING; /* step 7 */
  }
  *plen = body - pad;
  return CE_OK;
}
