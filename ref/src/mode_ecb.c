/*
 * mode_ecb.c - the ECB family, AES_128_ECB and SM4_128_ECB (spec 4.1):
 *   frame = header(2) || ECB-Encrypt(enc_key, PKCS7-Pad16(payload)).
 * ECB is deterministic and leaks equal blocks; it exists for compatibility.
 */
#include "internal.h"

#include <string.h>

ce_status ce__ecb_seal(ce_ctx *ctx, const uint8_t *src, uint8_t *buf,
                       size_t n) {
  /* PKCS#7 always pads, 1..16 bytes, so the body is 16 * (n / 16 + 1). */
  size_t pad = CE__BLOCK - n % CE__BLOCK;
  size_t body = n + pad;
  int outl = 0;
  memmove(buf + CE__HDR_ECB, src, n); /* src == buf: in place */
  memset(buf + CE__HDR_ECB + n, (int)pad, pad);
  ce__write_header(ctx, buf, 0, 0);
  /* body <= 65536 (spec 4.5), far inside int. */
  if (EVP_EncryptUpdate(ctx->enc, buf + CE__HDR_ECB, &outl, buf + CE__HDR_ECB,
                        (int)body) != 1 ||
      (size_t)outl != body) {
    ce_wipe(buf, CE__HDR_ECB + body);
    return CE_ERR_INTERNAL;
  }
  return CE_OK;
}

/* Decrypts count bytes of whole blocks; count may be 0. */
static int ce__ecb_blocks(EVP_CIPHER_CTX *dec, const uint8_t *in, size_t count,
                          uint8_t *out) {
  int outl = 0;
  if (count == 0)
    return 1;
  return EVP_DecryptUpdate(dec, out, &outl, in, (int)count) == 1 &&
         (size_t)outl == count;
}

/* PKCS#7 check of the last block: 1..16 equal bytes. Returns the pad
   length, or 0 when bad. */
static unsigned ce__ecb_pad(const uint8_t *last) {
  unsigned pad = last[CE__BLOCK - 1];
  unsigned bad = (pad < 1u) | (pad > CE__BLOCK);
  for (unsigned i = 0; i < CE__BLOCK; i++)
    bad |= (i >= CE__BLOCK - pad) & (last[i] != pad);
  return bad ? 0 : pad;
}

ce_status ce__ecb_open(ce_ctx *ctx, const uint8_t *frame, size_t n,
                       uint8_t *out, size_t *out_len, int priv) {
  size_t body = n - CE__HDR_ECB; /* >= 16 by spec 5 step 1 */
  if (body % CE__BLOCK != 0)
    return CE_ERR_MALFORMED; /* spec 5 step 6 */

  /* In place, or into private memory with room for the whole body: one
     EVP call over the whole body, then the padding check. In place, a bad
     padding is undone by encrypting the body again (ECB is a permutation),
     so the caller gets back exactly the frame it passed in. */
  if (out == frame || (priv && *out_len >= body)) {
    uint8_t *dst = out == frame ? out + CE__HDR_ECB : out;
    if (!ce__ecb_blocks(ctx->dec, frame + CE__HDR_ECB, body, dst)) {
      if (out != frame)
        ce_wipe(dst, body);
      return CE_ERR_INTERNAL;
    }
    unsigned pad = ce__ecb_pad(dst + body - CE__BLOCK);
    if (pad == 0) {
      int outl = 0;
      if (out != frame)
        ce_wipe(dst, body);
      else if (EVP_EncryptUpdate(ctx->enc, dst, &outl, dst, (int)body) != 1) {
        ce_wipe(dst, body);
        return CE_ERR_INTERNAL;
      }
      return CE_ERR_BAD_PADDING;
    }
    size_t plen = body - pad;
    if (out == frame)
      memmove(out, dst, plen);
    *out_len = plen;
    return CE_OK;
  }

  /* Out of place (the caller's out must stay untouched on failure): spec
     5 step 7 is checked before anything is written, on the last block
     decrypted into a stack block. ECB blocks are independent, so the rest
     is decrypted straight into out afterwards. */
  uint8_t last[CE__BLOCK];
  if (!ce__ecb_blocks(ctx->dec, frame + n - CE__BLOCK, CE__BLOCK, last))
    return CE_ERR_INTERNAL;
  unsigned pad = ce__ecb_pad(last);
  size_t plen = body - pad;
  ce_status st = CE_OK;
  if (pad == 0)
    st = CE_ERR_BAD_PADDING;
  else if (*out_len < plen)
    st = CE_ERR_BUFFER_TOO_SMALL;
  else if (!ce__ecb_blocks(ctx->dec, frame + CE__HDR_ECB, body - CE__BLOCK,
                           out)) {
    ce_wipe(out, body - CE__BLOCK); /* leave no partial plaintext */
    st = CE_ERR_INTERNAL;
  }
  if (st == CE_OK) {
    memcpy(out + body - CE__BLOCK, last, CE__BLOCK - pad);
    *out_len = plen;
  }
  ce_wipe(last, sizeof last);
  return st;
}
