/*
 * mode_xts.c - the XTS family, AES_128_XTS and AES_256_XTS (docs/spec.md
 * 6.2):
 *   data unit number i = LE64(PN) || 0^8 (IEEE 1619 encrypts it with Key2
 *   into the tweak)
 *   payload >= 16: S = 0, body = XTS(payload), ciphertext stealing
 *   payload < 16:  S = 1, body = XTS(payload || 0^(15-len) || len)
 * XTS has no integrity: a flipped bit gives garbage, not an error.
 * Seal and open work in the context's own buffers (internal.h).
 */
#include "internal.h"

#include <string.h>

/* One data unit, len >= 16; the data unit number is the only per-packet
   setting. */
static int ce__xts_run(EVP_CIPHER_CTX *c, uint64_t pn, const uint8_t *in,
                       size_t len, uint8_t *out) {
  uint8_t i[16];
  int outl = 0;
  for (int k = 0; k < 8; k++)
    i[k] = (uint8_t)(pn >> (8 * k)); /* LE64 */
  memset(i + 8, 0, 8);
  return !CE__FAULT("xts.init") &&
         EVP_CipherInit_ex(c, NULL, NULL, NULL, i, -1) == 1 &&
         !CE__FAULT("xts.update") &&
         EVP_CipherUpdate(c, out, &outl, in, (int)len) == 1 &&
         (size_t)outl == len;
}

ce_status ce__xts_seal(ce_ctx *ctx, uint64_t pn, const uint8_t *src, size_t n,
                       size_t *frame_len) {
  uint8_t *f = ctx->seal_buf, *body = f + CE__HDR_LONG;
  int ok;
  if (n >= CE__BLOCK) {
    ce__write_header(ctx, f, 0, pn);
    ok = ce__xts_run(ctx->enc, pn, src, n, body);
  } else {
    /* The short-payload block: payload, zeros, then the length byte,
       assembled in the body and encrypted where it is. */
    memcpy(body, src, n);
    memset(body + n, 0, CE__BLOCK - 1 - n);
    body[CE__BLOCK - 1] = (uint8_t)n;
    ce__write_header(ctx, f, 1, pn);
    ok = ce__xts_run(ctx->enc, pn, body, CE__BLOCK, body);
    n = CE__BLOCK;
  }
  if (!ok) {
    ce_wipe(f, CE__HDR_LONG + n);
    return CE_ERR_INTERNAL;
  }
  *frame_len = CE__HDR_LONG + n;
  return CE_OK;
}

ce_status ce__xts_open(ce_ctx *ctx, const uint8_t *frame, size_t n,
                       size_t *plen) {
  size_t body = n - CE__HDR_LONG; /* >= 16 by spec 9 step 1 */
  uint8_t *p = ctx->open_buf;
  /* Step 8 (S = 1): exactly one block, holding the length byte and zeros. */
  int s_flag = (frame[0] & CE__FLAG_S) != 0;
  if (s_flag && body != CE__BLOCK)
    return CE_ERR_BAD_PADDING;
  if (!ce__xts_run(ctx->dec, ce__read_pn(frame), frame + CE__HDR_LONG, body,
                   p)) {
    ce_wipe(p, body);
    return CE_ERR_INTERNAL;
  }
  if (!s_flag) {
    *plen = body;
    return CE_OK;
  }
  unsigned len = p[CE__BLOCK - 1];
  unsigned bad = len > CE__BLOCK - 1;
  for (unsigned i = 0; i < CE__BLOCK - 1; i++)
    bad |= (i >= len) & (p[i] != 0);
  if (bad) {
    ce_wipe(p, CE__BLOCK);
    return CE_ERR_BAD_PADDING;
  }
  *plen = len;
  return CE_OK;
}
