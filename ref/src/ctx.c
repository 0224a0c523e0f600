/*
 * ctx.c - the context: creation (key schedule, cipher contexts, first
 * packet number), the frame header (spec 4), the unprotect checks of spec
 * 5 steps 1-5, and the in-place / out-of-place entry points. The family
 * specific work lives in mode_ecb.c, mode_xts.c and mode_gcm.c.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

/* Keys one EVP_CIPHER_CTX for a direction. ECB runs without padding (CE1
   pads itself, spec 4.1); GCM's 12-byte IV is OpenSSL's default. */
static ce_status ce__cipher_ctx(EVP_CIPHER *cipher, const ce_derived *d,
                                ce_family fam, int enc, EVP_CIPHER_CTX **out) {
  EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
  if (c == NULL)
    return CE_ERR_INTERNAL;
  if (EVP_CipherInit_ex2(c, cipher, d->enc_key, NULL, enc, NULL) != 1 ||
      (fam == CE_FAMILY_ECB && EVP_CIPHER_CTX_set_padding(c, 0) != 1)) {
    EVP_CIPHER_CTX_free(c);
    return CE_ERR_INTERNAL;
  }
  *out = c;
  return CE_OK;
}

ce_status ce_ctx_new(const ce_config *cfg, ce_ctx **out) {
  if (out == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  *out = NULL;
  ce_derived d;
  ce_status st = ce_derive(cfg, &d);
  if (st != CE_OK)
    return st;
  ce_ctx *ctx = calloc(1, sizeof *ctx);
  EVP_CIPHER *cipher = NULL;
  if (ctx == NULL) {
    st = CE_ERR_INTERNAL;
    goto done;
  }
  ctx->mi = ce__mode(cfg->mode);
  ctx->check = d.check;
  memcpy(ctx->iv_base, d.iv_base, sizeof ctx->iv_base);
  cipher = ce__fetch_cipher(ctx->mi->cipher);
  if (cipher == NULL) {
    st = CE_ERR_NOT_SUPPORTED;
    goto done;
  }
  st = ce__cipher_ctx(cipher, &d, ctx->mi->family, 1, &ctx->enc);
  if (st == CE_OK)
    st = ce__cipher_ctx(cipher, &d, ctx->mi->family, 0, &ctx->dec);
  /* Spec 4.4: the first packet number comes from a CSPRNG. */
  if (st == CE_OK &&
      RAND_bytes((unsigned char *)&ctx->next_pn, sizeof ctx->next_pn) != 1)
    st = CE_ERR_INTERNAL;
done:
  EVP_CIPHER_free(cipher);
  ce_wipe(&d, sizeof d);
  if (st != CE_OK) {
    ce_ctx_free(ctx);
    return st;
  }
  *out = ctx;
  return CE_OK;
}

ce_status ce_ctx_dup(const ce_ctx *ctx, ce_ctx **out) {
  if (out == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  *out = NULL;
  if (ctx == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  ce_ctx *d = calloc(1, sizeof *d);
  if (d == NULL)
    return CE_ERR_INTERNAL;
  d->mi = ctx->mi;
  d->check = ctx->check;
  memcpy(d->iv_base, ctx->iv_base, sizeof d->iv_base);
  /* EVP_CIPHER_CTX_copy duplicates the keyed provider context, so the key
     schedule is not run again; the copy gets its own packet numbers. */
  d->enc = EVP_CIPHER_CTX_new();
  d->dec = EVP_CIPHER_CTX_new();
  if (d->enc == NULL || d->dec == NULL ||
      EVP_CIPHER_CTX_copy(d->enc, ctx->enc) != 1 ||
      EVP_CIPHER_CTX_copy(d->dec, ctx->dec) != 1 ||
      RAND_bytes((unsigned char *)&d->next_pn, sizeof d->next_pn) != 1) {
    ce_ctx_free(d);
    return CE_ERR_INTERNAL;
  }
  *out = d;
  return CE_OK;
}

void ce_ctx_free(ce_ctx *ctx) {
  if (ctx == NULL)
    return;
  /* EVP_CIPHER_CTX_free cleanses the key schedule it holds. */
  EVP_CIPHER_CTX_free(ctx->enc);
  EVP_CIPHER_CTX_free(ctx->dec);
  ce_wipe(ctx, sizeof *ctx);
  free(ctx);
}

int ce_ctx_mode(const ce_ctx *ctx) {
  return ctx ? ctx->mi->id : 0;
}

uint8_t ce_ctx_check(const ce_ctx *ctx) {
  return ctx ? ctx->check : 0;
}

uint64_t ce_ctx_next_pn(const ce_ctx *ctx) {
  return ctx ? ctx->next_pn : 0;
}

void ce__write_header(const ce_ctx *ctx, uint8_t *buf, int s_flag,
                      uint64_t pn) {
  buf[0] = (uint8_t)((s_flag ? CE__FLAG_S : 0u) | CE__VERSION_BITS |
                     (unsigned)ctx->mi->id);
  buf[1] = ctx->check;
  if (ctx->mi->family == CE_FAMILY_ECB)
    return; /* spec 4.1: ECB has no packet number */
  for (int i = 0; i < 8; i++)
    buf[2 + i] = (uint8_t)(pn >> (56 - 8 * i)); /* BE64 */
}

uint64_t ce__read_pn(const uint8_t *hdr) {
  uint64_t pn = 0;
  for (int i = 0; i < 8; i++)
    pn = (pn << 8) | hdr[2 + i];
  return pn;
}

/* ---- protect ---------------------------------------------------------- */

/* src == buf: in place; otherwise src is a distinct, non-overlapping
   payload that the family reads directly (no copy). */
static ce_status ce__seal(ce_ctx *ctx, uint64_t pn, const uint8_t *src,
                          uint8_t *buf, size_t n) {
  switch (ctx->mi->family) {
  case CE_FAMILY_ECB:
    return ce__ecb_seal(ctx, src, buf, n);
  case CE_FAMILY_XTS:
    return ce__xts_seal(ctx, pn, src, buf, n);
  case CE_FAMILY_GCM:
    return ce__gcm_seal(ctx, pn, src, buf, n);
  default:
    return CE_ERR_INTERNAL;
  }
}

/* Checks shared by every protect form: arguments, size, capacity. */
static ce_status ce__protect_check(const ce_ctx *ctx, size_t n, size_t cap,
                                   size_t *frame_len) {
  if (n > CE_MAX_PAYLOAD)
    return CE_ERR_TOO_LARGE; /* spec 4.5: never truncate */
  *frame_len = n + ce_overhead(ctx->mi->id, n);
  if (cap < *frame_len)
    return CE_ERR_BUFFER_TOO_SMALL;
  return CE_OK;
}

static ce_status ce__protect_inplace(ce_ctx *ctx, uint64_t pn, uint8_t *buf,
                                     size_t *len, size_t cap) {
  if (ctx == NULL || buf == NULL || len == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  size_t frame_len;
  ce_status st = ce__protect_check(ctx, *len, cap, &frame_len);
  if (st == CE_OK)
    st = ce__seal(ctx, pn, buf, buf, *len);
  if (st == CE_OK)
    *len = frame_len;
  return st;
}

ce_status ce_protect(ce_ctx *ctx, uint8_t *buf, size_t *len, size_t cap) {
  if (ctx == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  ce_status st = ce__protect_inplace(ctx, ctx->next_pn, buf, len, cap);
  /* Spec 4.4: +1 mod 2^64 per XTS or GCM frame actually produced. */
  if (st == CE_OK && ctx->mi->family != CE_FAMILY_ECB)
    ctx->next_pn++;
  return st;
}

ce_status ce_protect_pn(ce_ctx *ctx, uint64_t pn, uint8_t *buf, size_t *len,
                        size_t cap) {
  return ce__protect_inplace(ctx, pn, buf, len, cap);
}

/* in and out either equal or disjoint. */
static int ce__overlap(const uint8_t *a, size_t a_len, const uint8_t *b,
                       size_t b_len) {
  uintptr_t pa = (uintptr_t)a, pb = (uintptr_t)b;
  return a != b && pa < pb + b_len && pb < pa + a_len;
}

static ce_status ce__protect_into(ce_ctx *ctx, uint64_t pn, const uint8_t *in,
                                  size_t in_len, uint8_t *out,
                                  size_t *out_len) {
  if (ctx == NULL || out == NULL || out_len == NULL || (in == NULL && in_len) ||
      ce__overlap(in, in_len, out, *out_len))
    return CE_ERR_INVALID_ARGUMENT;
  if (in == out) {
    size_t len = in_len;
    ce_status st = ce__protect_inplace(ctx, pn, out, &len, *out_len);
    if (st == CE_OK)
      *out_len = len;
    return st;
  }
  size_t frame_len;
  ce_status st = ce__protect_check(ctx, in_len, *out_len, &frame_len);
  if (st != CE_OK)
    return st;
  st = ce__seal(ctx, pn, in != NULL ? in : out, out, in_len);
  if (st == CE_OK)
    *out_len = frame_len;
  else
    ce_wipe(out, frame_len); /* CE_ERR_INTERNAL only: leave no plaintext */
  return st;
}

ce_status ce_protect_into(ce_ctx *ctx, const uint8_t *in, size_t in_len,
                          uint8_t *out, size_t *out_len) {
  if (ctx == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  ce_status st = ce__protect_into(ctx, ctx->next_pn, in, in_len, out, out_len);
  if (st == CE_OK && ctx->mi->family != CE_FAMILY_ECB)
    ctx->next_pn++;
  return st;
}

ce_status ce_protect_pn_into(ce_ctx *ctx, uint64_t pn, const uint8_t *in,
                             size_t in_len, uint8_t *out, size_t *out_len) {
  return ce__protect_into(ctx, pn, in, in_len, out, out_len);
}

/* ---- unprotect -------------------------------------------------------- */

/* Spec 5 steps 1-5, on the frame bytes only; family checks follow in the
   family's open function. */
static ce_status ce__header_checks(const ce_ctx *ctx, const uint8_t *f,
                                   size_t n) {
  static const size_t min_frame[] = {0, CE__HDR_ECB + CE__BLOCK,
                                     CE__HDR_LONG + CE__BLOCK,
                                     CE__HDR_LONG + CE__TAG_LEN};
  static const size_t max_frame_of[] = {
      0, CE_MAX_PAYLOAD + 3u, CE_MAX_PAYLOAD + 10u, CE_MAX_PAYLOAD + 26u};
  ce_family fam = ctx->mi->family;
  size_t max_frame = max_frame_of[fam];
  if (n < min_frame[fam] || n > max_frame)
    return CE_ERR_MALFORMED; /* step 1 */
  if ((f[0] & 0x70u) != CE__VERSION_BITS)
    return CE_ERR_BAD_VERSION; /* step 2 */
  if ((f[0] & 0x0fu) != (unsigned)ctx->mi->id)
    return CE_ERR_MODE_MISMATCH; /* step 3 */
  if ((f[0] & CE__FLAG_S) && fam != CE_FAMILY_XTS)
    return CE_ERR_MALFORMED; /* step 4 */
  if (f[1] != ctx->check)
    return CE_ERR_KEY_MISMATCH; /* step 5 */
  return CE_OK;
}

static ce_status ce__open(ce_ctx *ctx, const uint8_t *frame, size_t n,
                          uint8_t *out, size_t *out_len, int priv) {
  ce_status st = ce__header_checks(ctx, frame, n);
  if (st != CE_OK)
    return st;
  switch (ctx->mi->family) {
  case CE_FAMILY_ECB:
    return ce__ecb_open(ctx, frame, n, out, out_len, priv);
  case CE_FAMILY_XTS:
    return ce__xts_open(ctx, frame, n, out, out_len, priv);
  case CE_FAMILY_GCM:
    return ce__gcm_open(ctx, frame, n, out, out_len, priv);
  default:
    return CE_ERR_INTERNAL;
  }
}

ce_status ce_unprotect(ce_ctx *ctx, uint8_t *buf, size_t *len) {
  if (ctx == NULL || buf == NULL || len == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  size_t out_len = *len; /* in place: the frame's own bytes are the room */
  ce_status st = ce__open(ctx, buf, *len, buf, &out_len, 0);
  if (st == CE_OK)
    *len = out_len;
  return st;
}

ce_status ce_unprotect_into(ce_ctx *ctx, const uint8_t *in, size_t in_len,
                            uint8_t *out, size_t *out_len) {
  if (ctx == NULL || in == NULL || out == NULL || out_len == NULL ||
      ce__overlap(in, in_len, out, *out_len))
    return CE_ERR_INVALID_ARGUMENT;
  size_t room = *out_len;
  ce_status st = ce__open(ctx, in, in_len, out, &room, 0);
  if (st == CE_OK)
    *out_len = room;
  return st;
}

ce_status ce__unprotect_private(ce_ctx *ctx, const uint8_t *in, size_t in_len,
                                uint8_t *out, size_t *out_len) {
  if (ctx == NULL || in == NULL || out == NULL || out_len == NULL ||
      ce__overlap(in, in_len, out, *out_len))
    return CE_ERR_INVALID_ARGUMENT;
  size_t room = *out_len;
  ce_status st = ce__open(ctx, in, in_len, out, &room, 1);
  if (st == CE_OK)
    *out_len = room;
  return st;
}
