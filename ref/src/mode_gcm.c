/*
 * mode_gcm.c - the GCM family, AES_128/256_GCM and the salted GCM2 modes
 * (docs/spec.md 6.3):
 *   nonce = iv_base XOR (0^4 || BE64(PN)),  aad = header(10)
 *   frame = header(10) || ct || tag(16)
 * Seal and open work in the context's own buffers (internal.h): open
 * decrypts into open_buf and the payload leaves it only after the tag
 * verified, so no unauthenticated plaintext or key stream ever reaches the
 * caller. The cipher itself is the context's backend (backend.h:
 * OpenSSL or intel-ipsec-mb); the frame and the buffer rules are here.
 */
#include "backend.h"
#include "internal.h"

#include <string.h>

static void ce__gcm_nonce(const ce_ctx *ctx, uint64_t pn, uint8_t nonce[12]) {
  memcpy(nonce, ctx->iv_base, 12);
  for (int i = 0; i < 8; i++)
    nonce[4 + i] ^= (uint8_t)(pn >> (56 - 8 * i));
}

ce_status ce__gcm_seal(ce_ctx *ctx, uint64_t pn, const uint8_t *src, size_t n,
                       size_t *frame_len) {
  uint8_t nonce[12];
  uint8_t *f = ctx->seal_buf, *body = f + CE__HDR_LONG;
  ce__gcm_nonce(ctx, pn, nonce);
  ce__write_header(ctx, f, 0, pn);
  if (ctx->gcm->seal(ctx->gcm_key, nonce, f, CE__HDR_LONG, src, n, body,
                     body + n) != CE_OK) {
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
  /* The tag is read once, before anything else happens. */
  memcpy(tag, frame + CE__HDR_LONG + len, CE__TAG_LEN);
  ce__gcm_nonce(ctx, ce__read_pn(frame), nonce);
  /* Steps 6-9: CE_ERR_AUTH_FAILED when the tag does not verify. */
  ce_status st = ctx->gcm->open(ctx->gcm_key, nonce, frame, CE__HDR_LONG,
                                frame + CE__HDR_LONG, len, tag, CE__TAG_LEN, p);
  if (st != CE_OK) {
    ce_wipe(p, len); /* unauthenticated plaintext */
    return st;
  }
  *plen = len;
  return CE_OK;
}
