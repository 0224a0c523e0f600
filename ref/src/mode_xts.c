/*
 * mode_xts.c - the XTS family, AES_128_XTS and AES_256_XTS (spec 4.2).
 *   tweak = LE64(PN) || 0^8 (the IEEE 1619 data unit number)
 *   payload >= 16: S = 0, body = XTS(payload), ciphertext stealing
 *   payload < 16:  S = 1, body = XTS(payload || 0^(15-len) || len)
 * XTS has no integrity: a flipped bit gives garbage, not an error.
 */
#include "internal.h"

#include <string.h>

static void ce__xts_tweak(uint64_t pn, uint8_t tweak[16]) {
  for (int i = 0; i < 8; i++)
    tweak[i] = (uint8_t)(pn >> (8 * i)); /* LE64 */
  memset(tweak + 8, 0, 8);
}

/* One data unit, len >= 16; the tweak is the only per-packet setting. */
static int ce__xts_run(EVP_CIPHER_CTX *c, uint64_t pn, const uint8_t *in,
                       size_t len, uint8_t *out) {
  uint8_t tweak[16];
  int outl = 0;
  ce__xts_tweak(pn, tweak);
  return EVP_CipherInit_ex(c, NULL, NULL, NULL, tweak, -1) == 1 &&
         EVP_CipherUpdate(c, out, &outl, in, (int)len) == 1 &&
         (size_t)outl == len;
}

ce_status ce__xts_seal(ce_ctx *ctx, uint64_t pn, const uint8_t *src,
                       uint8_t *buf, size_t n) {
  uint8_t *body = buf + CE__HDR_LONG;
  int ok;
  if (n >= CE__BLOCK) {
    if (src == buf) { /* in place: make room for the header */
      memmove(body, buf, n);
      src = body;
    }
    ce__write_header(ctx, buf, 0, pn);
    ok = ce__xts_run(ctx->enc, pn, src, n, body);
  } else {
    /* The short-payload block X: payload, zeros, then the length byte. */
    uint8_t x[CE__BLOCK] = {0};
    memcpy(x, src, n);
    x[CE__BLOCK - 1] = (uint8_t)n;
    ce__write_header(ctx, buf, 1, pn);
    ok = ce__xts_run(ctx->enc, pn, x, CE__BLOCK, body);
    ce_wipe(x, sizeof x);
    n = CE__BLOCK;
  }
  if (!ok) {
    ce_wipe(buf, CE__HDR_LONG + n);
    return CE_ERR_INTERNAL;
  }
  return CE_OK;
}

ce_status ce__xts_open(ce_ctx *ctx, const uint8_t *frame, size_t n,
                       uint8_t *out, size_t *out_len, int priv) {
  (void)priv; /* out of place already decrypts straight into out */
  size_t body = n - CE__HDR_LONG; /* >= 16 by spec 5 step 1 */
  uint64_t pn = ce__read_pn(frame);
  int in_place = out == frame;

  if (frame[0] & CE__FLAG_S) {
    /* Spec 5 step 8: the S block is decrypted on the stack and its
       padding checked before anything is written. */
    if (body != CE__BLOCK)
      return CE_ERR_BAD_PADDING;
    uint8_t x[CE__BLOCK];
    if (!ce__xts_run(ctx->dec, pn, frame + CE__HDR_LONG, CE__BLOCK, x))
      return CE_ERR_INTERNAL;
    unsigned len = x[CE__BLOCK - 1];
    unsigned bad = len > CE__BLOCK - 1;
    for (unsigned i = 0; i < CE__BLOCK - 1; i++)
      bad |= (i >= len) & (x[i] != 0);
    if (bad || (!in_place && *out_len < len)) {
      ce_wipe(x, sizeof x);
      return bad ? CE_ERR_BAD_PADDING : CE_ERR_BUFFER_TOO_SMALL;
    }
    memcpy(out, x, len);
    *out_len = len;
    ce_wipe(x, sizeof x);
    return CE_OK;
  }

  if (!in_place && *out_len < body)
    return CE_ERR_BUFFER_TOO_SMALL;
  uint8_t *dst = in_place ? out + CE__HDR_LONG : out;
  if (!ce__xts_run(ctx->dec, pn, frame + CE__HDR_LONG, body, dst)) {
    if (!in_place)
      ce_wipe(dst, body);
    return CE_ERR_INTERNAL;
  }
  if (in_place)
    memmove(out, dst, body);
  *out_len = body;
  return CE_OK;
}
