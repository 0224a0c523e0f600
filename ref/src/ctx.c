/*
 * ctx.c - the context: creation (key schedule, the backend chosen for the
 * mode and its keys, buffers, first packet number), the frame header
 * (docs/spec.md 5), the unprotect checks of spec 9 steps 1-5, and the one
 * protect and one unprotect path (internal.h) behind every entry point.
 * The family specific work lives in mode_ecb.c, mode_xts.c and mode_gcm.c.
 */
#include "backend.h"
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

/* Keys one EVP_CIPHER_CTX for a direction (ECB, XTS). ECB runs without
   padding (CE1 pads itself, docs/spec.md 6.1). */
static ce_status ce__cipher_ctx(EVP_CIPHER *cipher, const ce_derived *d,
                                ce_family fam, int enc, EVP_CIPHER_CTX **out) {
  EVP_CIPHER_CTX *c = CE__FAULT("ctx.cipher_new") ? NULL : EVP_CIPHER_CTX_new();
  if (c == NULL)
    return CE_ERR_INTERNAL;
  if (CE__FAULT("ctx.cipher_init") ||
      EVP_CipherInit_ex2(c, cipher, d->enc_key, NULL, enc, NULL) != 1 ||
      (fam == CE_FAMILY_ECB && (CE__FAULT("ctx.set_padding") ||
                                EVP_CIPHER_CTX_set_padding(c, 0) != 1))) {
    EVP_CIPHER_CTX_free(c);
    return CE_ERR_INTERNAL;
  }
  *out = c;
  return CE_OK;
}

ce_status ce__evp_keys(ce_ctx *ctx, const ce_derived *d) {
  EVP_CIPHER *cipher = NULL;
  ce_status st = ce__fetch_cipher(ctx->mi->cipher, &cipher);
  if (st == CE_OK)
    st = ce__cipher_ctx(cipher, d, ctx->mi->family, 1, &ctx->enc);
  if (st == CE_OK)
    st = ce__cipher_ctx(cipher, d, ctx->mi->family, 0, &ctx->dec);
  EVP_CIPHER_free(cipher);
  return st;
}

/* EVP_CIPHER_CTX_copy duplicates the keyed provider context, so the key
   schedule is not run again. */
ce_status ce__evp_dup(ce_ctx *d, const ce_ctx *ctx) {
  d->enc = CE__FAULT("dup.cipher_new") ? NULL : EVP_CIPHER_CTX_new();
  d->dec = CE__FAULT("dup.cipher_new") ? NULL : EVP_CIPHER_CTX_new();
  if (d->enc == NULL || d->dec == NULL || CE__FAULT("dup.copy") ||
      EVP_CIPHER_CTX_copy(d->enc, ctx->enc) != 1 || CE__FAULT("dup.copy") ||
      EVP_CIPHER_CTX_copy(d->dec, ctx->dec) != 1)
    return CE_ERR_INTERNAL;
  return CE_OK;
}

/* The parts every context owns besides its cipher contexts: the two
   buffers of the one path (internal.h) and a first packet number. */
static ce_status ce__ctx_alloc(const ce__mode_info *mi, uint8_t check,
                               const uint8_t iv_base[CE_IV_BASE_LEN],
                               ce_ctx **out) {
  if (ce__fork_init() != CE_OK)
    return CE_ERR_INTERNAL;
  ce_ctx *ctx = ce__calloc(1, sizeof *ctx);
  if (ctx == NULL)
    return CE_ERR_INTERNAL;
  ctx->mi = mi;
  ctx->check = check;
  memcpy(ctx->iv_base, iv_base, sizeof ctx->iv_base);
  ctx->seal_buf = ce__malloc(CE_MAX_FRAME);
  ctx->open_buf = ctx->seal_buf ? ce__malloc(CE__MAX_BODY) : NULL;
  /* Spec 7: the first packet number comes from a CSPRNG. */
  ctx->fork_gen = ce__fork_generation();
  if (ctx->open_buf == NULL || CE__FAULT("ctx.rand") ||
      RAND_bytes((unsigned char *)&ctx->next_pn, sizeof ctx->next_pn) != 1) {
    ce_ctx_free(ctx);
    return CE_ERR_INTERNAL;
  }
  *out = ctx;
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
  ce__err_mark();
  ce_ctx *ctx = NULL;
  const ce__mode_info *mi = ce__mode(cfg->mode);
  int backend = CE_BACKEND_OPENSSL;
  st = ce__ctx_alloc(mi, d.check, d.iv_base, &ctx);
  /* The backend chosen by cfg->backend (validated by ce_derive). */
  if (st == CE_OK)
    st = ce_backend_select(cfg->backend, cfg->mode, &backend);
  if (st == CE_OK && mi->family == CE_FAMILY_GCM) {
    ctx->gcm = ce__gcm_backend_of(backend);
    st = ctx->gcm->key_new(d.enc_key, d.enc_key_len, &ctx->gcm_key);
  } else if (st == CE_OK && mi->family == CE_FAMILY_ECB) {
    ctx->ecb = ce__ecb_backend_of(backend);
    st = ctx->ecb->key_init(ctx, &d);
  } else if (st == CE_OK) {
    st = ce__evp_keys(ctx, &d); /* XTS: OpenSSL only */
  }
  ce_wipe(&d, sizeof d);
  ce__err_pop();
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
  ce__err_mark();
  ce_ctx *d = NULL;
  ce_status st = ce__ctx_alloc(ctx->mi, ctx->check, ctx->iv_base, &d);
  /* The backend copies its keyed state without running the key schedule
     again where it can; the copy draws its own packet number. */
  if (st == CE_OK && ctx->gcm != NULL) {
    d->gcm = ctx->gcm;
    st = ctx->gcm->key_dup(ctx->gcm_key, &d->gcm_key);
  } else if (st == CE_OK && ctx->ecb != NULL) {
    d->ecb = ctx->ecb;
    st = ctx->ecb->key_dup(d, ctx);
  } else if (st == CE_OK) {
    st = ce__evp_dup(d, ctx);
  }
  ce__err_pop();
  if (st != CE_OK) {
    ce_ctx_free(d);
    return st;
  }
  *out = d;
  return CE_OK;
}

void ce_ctx_free(ce_ctx *ctx) {
  if (ctx == NULL)
    return;
  /* EVP_CIPHER_CTX_free cleanses the key schedule it holds, as the GCM
     backends' key_free does; the SM4 round keys go with the final wipe of
     the context; the buffers held frames and payloads. */
  if (ctx->gcm != NULL)
    ctx->gcm->key_free(ctx->gcm_key);
  EVP_CIPHER_CTX_free(ctx->enc);
  EVP_CIPHER_CTX_free(ctx->dec);
  if (ctx->seal_buf != NULL)
    ce_wipe(ctx->seal_buf, CE_MAX_FRAME);
  if (ctx->open_buf != NULL)
    ce_wipe(ctx->open_buf, CE__MAX_BODY);
  free(ctx->seal_buf);
  free(ctx->open_buf);
  ce_wipe(ctx, sizeof *ctx);
  free(ctx);
}

int ce_ctx_mode(const ce_ctx *ctx) {
  return ctx ? ctx->mi->id : 0;
}

const char *ce_ctx_backend(const ce_ctx *ctx) {
  if (ctx == NULL)
    return NULL;
  if (ctx->gcm != NULL)
    return ctx->gcm->name;
  if (ctx->ecb != NULL)
    return ctx->ecb->name;
  return ce_backend_name(CE_BACKEND_OPENSSL); /* XTS */
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
    return; /* spec 5, 6.1: ECB has no packet number */
  for (int i = 0; i < 8; i++)
    buf[2 + i] = (uint8_t)(pn >> (56 - 8 * i)); /* BE64 */
}

uint64_t ce__read_pn(const uint8_t *hdr) {
  uint64_t pn = 0;
  for (int i = 0; i < 8; i++)
    pn = (pn << 8) | hdr[2 + i];
  return pn;
}

/* ---- protect (docs/spec.md 5-9) ---------------------------------------- */

ce_status ce__protect_frame(ce_ctx *ctx, int explicit_pn, uint64_t pn,
                            const uint8_t *in, size_t in_len, size_t cap,
                            size_t *frame_len) {
  static const uint8_t empty[1];
  if (in_len > CE_MAX_PAYLOAD)
    return CE_ERR_TOO_LARGE; /* spec 8: never truncate */
  if (cap < in_len + ce_overhead(ctx->mi->id, in_len))
    return CE_ERR_BUFFER_TOO_SMALL;
  if (in == NULL)
    in = empty; /* in_len is 0 (checked by the callers) */
  if (ctx->mi->family == CE_FAMILY_ECB)
    return ce__ecb_seal(ctx, in, in_len, frame_len);
  if (!explicit_pn) {
    /* Spec 7. After fork() the child draws a fresh random packet number
       rather than continue the parent's sequence (fork.c). */
    uint64_t gen = ce__fork_generation();
    if (gen != ctx->fork_gen) {
      uint64_t fresh;
      if (ce__fork_random(&fresh) != CE_OK)
        return CE_ERR_INTERNAL;
      ctx->next_pn = fresh;
      ctx->fork_gen = gen;
    }
    /* Consumed once the seal starts, whatever its outcome: a cipher that
       ran with this number must never run with it again. */
    pn = ctx->next_pn++;
  }
  if (ctx->mi->family == CE_FAMILY_XTS)
    return ce__xts_seal(ctx, pn, in, in_len, frame_len);
  return ce__gcm_seal(ctx, pn, in, in_len, frame_len);
}

void ce__deliver(uint8_t *dst, const uint8_t *src, size_t n) {
  if (n > 0)
    memmove(dst, src, n);
}

ce_status ce__protect_to(ce_ctx *ctx, int explicit_pn, uint64_t pn,
                         const uint8_t *in, size_t in_len, uint8_t *out,
                         size_t cap, size_t *out_len) {
  /* out_len: every caller has checked it (it reads *out_len or *len). */
  if (ctx == NULL || out == NULL || (in == NULL && in_len))
    return CE_ERR_INVALID_ARGUMENT;
  size_t frame_len;
  ce_status st =
      ce__protect_frame(ctx, explicit_pn, pn, in, in_len, cap, &frame_len);
  if (st == CE_OK) {
    ce__deliver(out, ctx->seal_buf, frame_len);
    *out_len = frame_len;
  }
  return st;
}

ce_status ce_protect(ce_ctx *ctx, uint8_t *buf, size_t *len, size_t cap) {
  if (buf == NULL || len == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  return ce__protect_to(ctx, 0, 0, buf, *len, buf, cap, len);
}

ce_status ce_protect_into(ce_ctx *ctx, const uint8_t *in, size_t in_len,
                          uint8_t *out, size_t *out_len) {
  if (out_len == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  return ce__protect_to(ctx, 0, 0, in, in_len, out, *out_len, out_len);
}

/* ---- unprotect (docs/spec.md 9) ----------------------------------------- */

/* Steps 1-5, on the header bytes only; the family's open runs the rest. */
static ce_status ce__header_checks(const ce_ctx *ctx, const uint8_t *f,
                                   size_t n) {
  static const size_t min_frame[] = {0, CE__HDR_ECB + CE__BLOCK,
                                     CE__HDR_LONG + CE__BLOCK,
                                     CE__HDR_LONG + CE__TAG_LEN};
  static const size_t max_frame_of[] = {
      0, CE_MAX_PAYLOAD + 3u, CE_MAX_PAYLOAD + 10u, CE_MAX_PAYLOAD + 26u};
  ce_family fam = ctx->mi->family;
  if (n < min_frame[fam] || n > max_frame_of[fam])
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

ce_status ce__unprotect_frame(ce_ctx *ctx, const uint8_t *in, size_t in_len,
                              size_t *out_len) {
  ce_status st = ce__header_checks(ctx, in, in_len);
  if (st != CE_OK)
    return st;
  switch (ctx->mi->family) {
  case CE_FAMILY_ECB:
    return ce__ecb_open(ctx, in, in_len, out_len);
  case CE_FAMILY_XTS:
    return ce__xts_open(ctx, in, in_len, out_len);
  default:
    return ce__gcm_open(ctx, in, in_len, out_len);
  }
}

ce_status ce_unprotect(ce_ctx *ctx, uint8_t *buf, size_t *len) {
  if (ctx == NULL || buf == NULL || len == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  size_t plen;
  ce_status st = ce__unprotect_frame(ctx, buf, *len, &plen);
  if (st == CE_OK) { /* a payload is always shorter than its frame */
    ce__deliver(buf, ctx->open_buf, plen);
    *len = plen;
  }
  return st;
}

ce_status ce_unprotect_into(ce_ctx *ctx, const uint8_t *in, size_t in_len,
                            uint8_t *out, size_t *out_len) {
  if (ctx == NULL || in == NULL || out == NULL || out_len == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  size_t plen;
  ce_status st = ce__unprotect_frame(ctx, in, in_len, &plen);
  /* Capacity last (spec 9): a forged frame is reported as forged. */
  if (st == CE_OK && plen > *out_len) {
    ce_wipe(ctx->open_buf, plen);
    st = CE_ERR_BUFFER_TOO_SMALL;
  }
  if (st == CE_OK) {
    ce__deliver(out, ctx->open_buf, plen);
    *out_len = plen;
  }
  return st;
}
