/*
 * sframe_ctx.c - the SFrame context (chanenc_sframe.h, docs/sframe.md 7):
 * keys by KID, each a send key (counter) or a receive key (replay window),
 * and the one protect and one unprotect path.
 *
 * Ownership, for the thread rule of chanenc_sframe.h: protect writes only
 * seal_buf, seal_used and the counter fields of send keys; unprotect
 * writes only open_buf, open_used and the window fields of receive keys. A
 * KID has one usage, so no key is written by both directions. The key
 * table itself changes only in the control calls.
 */
#include "sframe_internal.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

typedef struct ce__sf_key {
  uint64_t kid;
  int usage;        /* CE_SFRAME_SEND or CE_SFRAME_RECEIVE */
  uint8_t salt[12]; /* sframe_salt */
  ce__sf_aead aead; /* keyed with sframe_key for this usage */
  /* Send keys (protect side). */
  uint64_t next_ctr;
  int exhausted;     /* CTR 2^64-1 was used */
  uint64_t fork_gen; /* ce__fork_generation() at add_key */
  /* Receive keys (unprotect side). */
  int seen;                       /* a CTR was accepted */
  uint64_t top;                   /* highest accepted CTR */
  uint64_t win[CE__SF_WIN_WORDS]; /* bit d: CTR top - d accepted */
} ce__sf_key;

/* What the context remembers of every key it has held and let go
   (replaced or removed): enough to recognise the same base key for the
   same KID again (the derived salt identifies it, section 7.1 of
   docs/sframe.md) and to continue its counter, or to refuse it. No key
   material: the salt is wiped at free. */
typedef struct ce__sf_past {
  uint64_t kid;
  uint8_t salt[12];
  int usage;
  uint64_t next_ctr;
  int exhausted;
  uint64_t fork_gen;
} ce__sf_past;

struct ce_sframe_ctx {
  const ce__sf_suite *s;
  ce__sf_algs algs;
  ce__sf_key **keys; /* sorted by KID */
  size_t nkeys, cap;
  /* Keys let go of. Room for one more than every live key is kept
     reserved (add_key reserves it), so remove and replace never allocate
     and cannot fail. */
  ce__sf_past *past;
  size_t npast, past_cap;
  size_t window;     /* 0: replay check off */
  uint8_t *seal_buf; /* CE_SFRAME_MAX_PAYLOAD + CE_SFRAME_MAX_OVERHEAD */
  size_t seal_used;  /* high-water mark, wiped at free */
  uint8_t *open_buf; /* CE_SFRAME_MAX_PAYLOAD */
  size_t open_used;
};

#define CE__SF_SEAL_CAP (CE_SFRAME_MAX_PAYLOAD + CE_SFRAME_MAX_OVERHEAD)
#define CE__SF_OPEN_CAP CE_SFRAME_MAX_PAYLOAD

static void ce__sf_key_free(ce__sf_key *k) {
  if (k == NULL)
    return;
  ce__sf_aead_clear(&k->aead);
  ce_wipe(k, sizeof *k);
  free(k);
}

/* Index of kid in the sorted table, or of where it would go (*found 0). */
static size_t ce__sf_find(const ce_sframe_ctx *ctx, uint64_t kid, int *found) {
  size_t lo = 0, hi = ctx->nkeys;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    uint64_t m = ctx->keys[mid]->kid;
    if (m == kid) {
      *found = 1;
      return mid;
    }
    if (m < kid)
      lo = mid + 1;
    else
      hi = mid;
  }
  *found = 0;
  return lo;
}

static ce__sf_key *ce__sf_key_of(const ce_sframe_ctx *ctx, uint64_t kid,
                                 int usage) {
  int found;
  size_t i = ce__sf_find(ctx, kid, &found);
  return found && ctx->keys[i]->usage == usage ? ctx->keys[i] : NULL;
}

ce_status ce_sframe_ctx_new(int suite, ce_sframe_ctx **out) {
  if (out == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  *out = NULL;
  const ce__sf_suite *s = ce__sf_suite_of(suite);
  if (s == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  if (ce__fork_init() != CE_OK)
    return CE_ERR_INTERNAL;
  ce__err_mark();
  ce_status st = CE_ERR_INTERNAL;
  ce_sframe_ctx *ctx = ce__calloc(1, sizeof *ctx);
  if (ctx != NULL) {
    ctx->s = s;
    ctx->seal_buf = ce__malloc(CE__SF_SEAL_CAP);
    ctx->open_buf = ctx->seal_buf ? ce__malloc(CE__SF_OPEN_CAP) : NULL;
    if (ctx->open_buf != NULL)
      st = ce__sf_fetch(s, &ctx->algs);
  }
  ce__err_pop();
  if (st != CE_OK) {
    ce_sframe_ctx_free(ctx);
    return st;
  }
  *out = ctx;
  return CE_OK;
}

void ce_sframe_ctx_free(ce_sframe_ctx *ctx) {
  if (ctx == NULL)
    return;
  for (size_t i = 0; i < ctx->nkeys; i++)
    ce__sf_key_free(ctx->keys[i]);
  free(ctx->keys);
  if (ctx->past != NULL)
    ce_wipe(ctx->past, ctx->past_cap * sizeof *ctx->past);
  free(ctx->past);
  if (ctx->seal_buf != NULL)
    ce_wipe(ctx->seal_buf, ctx->seal_used);
  if (ctx->open_buf != NULL)
    ce_wipe(ctx->open_buf, ctx->open_used);
  free(ctx->seal_buf);
  free(ctx->open_buf);
  ce__sf_algs_free(&ctx->algs);
  ce_wipe(ctx, sizeof *ctx);
  free(ctx);
}

int ce_sframe_ctx_suite(const ce_sframe_ctx *ctx) {
  return ctx ? ctx->s->info.id : 0;
}

/* ---- keys (control calls) ----------------------------------------------- */

/* Room for one more entry; the table is left as it was on failure. */
static ce_status ce__sf_reserve(ce_sframe_ctx *ctx) {
  if (ctx->nkeys < ctx->cap)
    return CE_OK;
  size_t cap = ctx->cap ? ctx->cap * 2 : 8;
  if (cap > ((size_t)-1) / sizeof(ce__sf_key *))
    return CE_ERR_INTERNAL;
  ce__sf_key **t = ce__malloc(cap * sizeof *t);
  if (t == NULL)
    return CE_ERR_INTERNAL;
  if (ctx->nkeys)
    memcpy(t, ctx->keys, ctx->nkeys * sizeof *t);
  free(ctx->keys);
  ctx->keys = t;
  ctx->cap = cap;
  return CE_OK;
}

/* Room in the past list for every live key plus one more (the key being
   added), so that letting any of them go later needs no allocation. */
static ce_status ce__sf_reserve_past(ce_sframe_ctx *ctx) {
  size_t need = ctx->npast + ctx->nkeys + 1;
  if (need <= ctx->past_cap)
    return CE_OK;
  size_t cap = need * 2;
  if (cap > ((size_t)-1) / sizeof(ce__sf_past))
    return CE_ERR_INTERNAL;
  ce__sf_past *t = ce__malloc(cap * sizeof *t);
  if (t == NULL)
    return CE_ERR_INTERNAL;
  if (ctx->npast)
    memcpy(t, ctx->past, ctx->npast * sizeof *t);
  if (ctx->past != NULL)
    ce_wipe(ctx->past, ctx->past_cap * sizeof *ctx->past);
  free(ctx->past);
  ctx->past = t;
  ctx->past_cap = cap;
  return CE_OK;
}

/* The past entry of (kid, salt), or NULL. */
static ce__sf_past *ce__sf_past_of(const ce_sframe_ctx *ctx, uint64_t kid,
                                   const uint8_t salt[12]) {
  for (size_t i = 0; i < ctx->npast; i++)
    if (ctx->past[i].kid == kid &&
        CRYPTO_memcmp(ctx->past[i].salt, salt, 12) == 0)
      return &ctx->past[i];
  return NULL;
}

/* Records a key being let go of (room was reserved when it was added). A
   base key comes back at most once per KID in the list: an entry it left
   before was taken out when it came back. */
static void ce__sf_retire(ce_sframe_ctx *ctx, const ce__sf_key *k) {
  ce__sf_past *p = &ctx->past[ctx->npast++];
  p->kid = k->kid;
  memcpy(p->salt, k->salt, sizeof p->salt);
  p->usage = k->usage;
  p->next_ctr = k->next_ctr;
  p->exhausted = k->exhausted;
  p->fork_gen = k->fork_gen;
}

ce_status ce_sframe_add_key(ce_sframe_ctx *ctx, uint64_t kid, int usage,
                            const uint8_t *base_key, size_t base_key_len) {
  if (ctx == NULL || (usage != CE_SFRAME_SEND && usage != CE_SFRAME_RECEIVE) ||
      base_key == NULL || base_key_len == 0)
    return CE_ERR_INVALID_ARGUMENT;
  int found;
  size_t i = ce__sf_find(ctx, kid, &found);
  ce__sf_key *old = found ? ctx->keys[i] : NULL;
  ce__err_mark();
  ce_sframe_derived d;
  ce__sf_key *k = NULL;
  ce_status st =
      ce__sf_derive(ctx->s, ctx->algs.hmac, kid, base_key, base_key_len, &d);
  if (st == CE_OK && old != NULL && old->usage == usage &&
      CRYPTO_memcmp(old->salt, d.salt, sizeof old->salt) == 0) {
    /* The same base key again (the salt is HKDF of it, the KID and the
       suite): keep the key's state. In a child after fork() an inherited
       send key must not come back: its counter is the parent's too. */
    if (usage == CE_SFRAME_SEND && old->fork_gen != ce__fork_generation())
      st = CE_ERR_INVALID_ARGUMENT;
    ce_wipe(&d, sizeof d);
    ce__err_pop();
    return st;
  }
  /* A base key this context has held before for this KID (section 7.1):
     only with the same usage (RFC 9605 4.4.1: never both), and as a send
     key only in the process that used it, continuing its counter: a
     restart at 0 would repeat nonces, in a child the parent's too. The
     live key of the KID, if it has this salt, is such a key as well. */
  /* Room first: the reservation may move the past list. */
  if (st == CE_OK && !found)
    st = ce__sf_reserve(ctx);
  if (st == CE_OK)
    st = ce__sf_reserve_past(ctx);
  ce__sf_past *past = st == CE_OK ? ce__sf_past_of(ctx, kid, d.salt) : NULL;
  if (st == CE_OK && old != NULL &&
      CRYPTO_memcmp(old->salt, d.salt, sizeof old->salt) == 0)
    st = CE_ERR_INVALID_ARGUMENT; /* same base key, other usage */
  if (st == CE_OK && past != NULL &&
      (past->usage != usage ||
       (usage == CE_SFRAME_SEND && past->fork_gen != ce__fork_generation())))
    st = CE_ERR_INVALID_ARGUMENT;
  if (st == CE_OK) {
    k = ce__calloc(1, sizeof *k);
    if (k == NULL)
      st = CE_ERR_INTERNAL;
  }
  if (st == CE_OK)
    st = ce__sf_aead_init(&k->aead, ctx->s, &ctx->algs, d.key,
                          usage == CE_SFRAME_SEND);
  ce_wipe(&d.key, sizeof d.key);
  ce_wipe(&d.secret, sizeof d.secret);
  if (st == CE_OK) {
    k->kid = kid;
    k->usage = usage;
    memcpy(k->salt, d.salt, sizeof k->salt);
    k->fork_gen = ce__fork_generation();
    if (past != NULL) {
      /* Back again: continue where it stopped; the entry leaves the list
         (swap with the last). */
      k->next_ctr = past->next_ctr;
      k->exhausted = past->exhausted;
      k->seen = 0;
      *past = ctx->past[--ctx->npast];
      ce_wipe(&ctx->past[ctx->npast], sizeof *past);
    }
    if (found) {
      ce__sf_retire(ctx, old);
      ctx->keys[i] = k; /* replace: the old key is wiped below */
    } else {
      memmove(ctx->keys + i + 1, ctx->keys + i,
              (ctx->nkeys - i) * sizeof *ctx->keys);
      ctx->keys[i] = k;
      ctx->nkeys++;
      old = NULL;
    }
    ce__sf_key_free(old);
  } else {
    ce__sf_key_free(k);
  }
  ce_wipe(&d, sizeof d);
  ce__err_pop();
  return st;
}

ce_status ce_sframe_remove_key(ce_sframe_ctx *ctx, uint64_t kid) {
  if (ctx == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  int found;
  size_t i = ce__sf_find(ctx, kid, &found);
  if (!found)
    return CE_ERR_UNKNOWN_KID;
  ce__sf_retire(ctx, ctx->keys[i]);
  ce__sf_key_free(ctx->keys[i]);
  memmove(ctx->keys + i, ctx->keys + i + 1,
          (ctx->nkeys - i - 1) * sizeof *ctx->keys);
  ctx->nkeys--;
  return CE_OK;
}

ce_status ce_sframe_set_replay_window(ce_sframe_ctx *ctx, size_t size) {
  if (ctx == NULL || size > CE_SFRAME_MAX_REPLAY_WINDOW)
    return CE_ERR_INVALID_ARGUMENT;
  ctx->window = size;
  return CE_OK;
}

/* The send key of kid usable in this process, or the status saying why
   there is none. */
static ce_status ce__sf_send_key(const ce_sframe_ctx *ctx, uint64_t kid,
                                 int check_fork, ce__sf_key **out) {
  ce__sf_key *k = ce__sf_key_of(ctx, kid, CE_SFRAME_SEND);
  if (k == NULL || (check_fork && k->fork_gen != ce__fork_generation()))
    return CE_ERR_UNKNOWN_KID;
  *out = k;
  return CE_OK;
}

ce_status ce_sframe_next_ctr(const ce_sframe_ctx *ctx, uint64_t kid,
                             uint64_t *ctr) {
  if (ctx == NULL || ctr == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  ce__sf_key *k = NULL;
  ce_status st = ce__sf_send_key(ctx, kid, 1, &k);
  if (st != CE_OK)
    return st;
  if (k->exhausted)
    return CE_ERR_COUNTER_EXHAUSTED;
  *ctr = k->next_ctr;
  return CE_OK;
}

ce_status ce__sf_set_next_ctr(ce_sframe_ctx *ctx, uint64_t kid, uint64_t ctr) {
  if (ctx == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  ce__sf_key *k = NULL;
  ce_status st = ce__sf_send_key(ctx, kid, 0, &k);
  if (st == CE_OK) {
    k->next_ctr = ctr;
    k->exhausted = 0;
  }
  return st;
}

/* ---- protect ------------------------------------------------------------ */

ce_status ce__sf_protect_to(ce_sframe_ctx *ctx, uint64_t kid, int explicit_ctr,
                            uint64_t ctr, const uint8_t *metadata,
                            size_t metadata_len, const uint8_t *in,
                            size_t in_len, uint8_t *out, size_t cap,
                            size_t *out_len) {
  static const uint8_t empty[1];
  if (ctx == NULL || out == NULL || out_len == NULL || (in == NULL && in_len) ||
      (metadata == NULL && metadata_len))
    return CE_ERR_INVALID_ARGUMENT;
  ce__sf_key *k = NULL;
  ce_status st = ce__sf_send_key(ctx, kid, !explicit_ctr, &k);
  if (st != CE_OK)
    return st;
  if (!explicit_ctr) {
    if (k->exhausted)
      return CE_ERR_COUNTER_EXHAUSTED;
    ctr = k->next_ctr;
  }
  if (in_len > CE_SFRAME_MAX_PAYLOAD || !ce__fits_int(metadata_len))
    return CE_ERR_TOO_LARGE;
  size_t hlen = ce_sframe_header_len(kid, ctr);
  size_t frame_len = hlen + in_len + ctx->s->info.nt;
  if (cap < frame_len)
    return CE_ERR_BUFFER_TOO_SMALL;
  if (!explicit_ctr) {
    /* Consumed once the seal starts, whatever its outcome (RFC 9605 7.4:
       never encrypt twice with one key and nonce). CTR 2^64-1 is used,
       then the KID is exhausted rather than wrapping to 0. */
    if (ctr == UINT64_MAX)
      k->exhausted = 1;
    else
      k->next_ctr = ctr + 1;
  }
  uint8_t *f = ctx->seal_buf;
  uint8_t nonce[12];
  ce__sf_header_write(kid, ctr, f);
  ce_sframe_nonce(k->salt, ctr, nonce);
  if (frame_len > ctx->seal_used)
    ctx->seal_used = frame_len;
  st = ce__sf_seal(&k->aead, nonce, f, hlen, metadata_len ? metadata : empty,
                   metadata_len, in_len ? in : empty, in_len, f + hlen);
  if (st != CE_OK) {
    ce_wipe(f, hlen);
    return st;
  }
  memmove(out, f, frame_len); /* in and metadata were read: any overlap */
  *out_len = frame_len;
  return CE_OK;
}

ce_status ce_sframe_protect(ce_sframe_ctx *ctx, uint64_t kid,
                            const uint8_t *metadata, size_t metadata_len,
                            uint8_t *buf, size_t *len, size_t cap) {
  if (buf == NULL || len == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  return ce__sf_protect_to(ctx, kid, 0, 0, metadata, metadata_len, buf, *len,
                           buf, cap, len);
}

ce_status ce_sframe_protect_into(ce_sframe_ctx *ctx, uint64_t kid,
                                 const uint8_t *metadata, size_t metadata_len,
                                 const uint8_t *in, size_t in_len, uint8_t *out,
                                 size_t *out_len) {
  if (out_len == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  return ce__sf_protect_to(ctx, kid, 0, 0, metadata, metadata_len, in, in_len,
                           out, *out_len, out_len);
}

/* ---- unprotect ---------------------------------------------------------- */

/* Replay window (docs/sframe.md 7.3), after RFC 3711 3.3.2. */
static int ce__sf_replayed(const ce__sf_key *k, uint64_t ctr, size_t w) {
  if (!k->seen || ctr > k->top)
    return 0;
  uint64_t d = k->top - ctr;
  if (d >= w)
    return 1; /* older than the window */
  return (int)((k->win[d / 64] >> (d % 64)) & 1u);
}

static void ce__sf_record(ce__sf_key *k, uint64_t ctr) {
  if (!k->seen || ctr > k->top) {
    uint64_t s = k->seen ? ctr - k->top : 64u * CE__SF_WIN_WORDS;
    if (s >= 64u * CE__SF_WIN_WORDS) {
      memset(k->win, 0, sizeof k->win);
    } else {
      /* bit i -> bit i + s */
      size_t ws = (size_t)(s / 64);
      unsigned bs = (unsigned)(s % 64);
      for (size_t i = CE__SF_WIN_WORDS; i-- > 0;) {
        uint64_t v = 0;
        if (i >= ws)
          v = k->win[i - ws] << bs;
        if (bs && i >= ws + 1)
          v |= k->win[i - ws - 1] >> (64 - bs);
        k->win[i] = v;
      }
    }
    k->top = ctr;
    k->seen = 1;
    k->win[0] |= 1u;
    return;
  }
  uint64_t d = k->top - ctr;
  if (d < 64u * CE__SF_WIN_WORDS)
    k->win[d / 64] |= (uint64_t)1 << (d % 64);
}

/* Every check and the AEAD; on CE_OK the payload is in open_buf. */
static ce_status ce__sf_unprotect_frame(ce_sframe_ctx *ctx,
                                        const uint8_t *metadata,
                                        size_t metadata_len, const uint8_t *in,
                                        size_t in_len, size_t *plen,
                                        ce__sf_key **key, uint64_t *kid,
                                        uint64_t *ctr) {
  static const uint8_t empty[1];
  size_t hlen = 0, nt = ctx->s->info.nt;
  ce_status st = ce_sframe_header_decode(in, in_len, kid, ctr, &hlen);
  if (st != CE_OK)
    return st;
  if (in_len - hlen < nt)
    return CE_ERR_MALFORMED; /* no room for the tag */
  ce__sf_key *k = ce__sf_key_of(ctx, *kid, CE_SFRAME_RECEIVE);
  if (k == NULL)
    return CE_ERR_UNKNOWN_KID;
  size_t n = in_len - hlen - nt;
  if (n > CE_SFRAME_MAX_PAYLOAD || !ce__fits_int(metadata_len))
    return CE_ERR_TOO_LARGE;
  if (ctx->window && ce__sf_replayed(k, *ctr, ctx->window))
    return CE_ERR_REPLAYED;
  uint8_t nonce[12];
  ce_sframe_nonce(k->salt, *ctr, nonce);
  if (n > ctx->open_used)
    ctx->open_used = n;
  st = ce__sf_open(&k->aead, nonce, in, hlen, metadata_len ? metadata : empty,
                   metadata_len, in + hlen, n, in + hlen + n, ctx->open_buf);
  if (st != CE_OK)
    return st;
  *plen = n;
  *key = k;
  return CE_OK;
}

static ce_status ce__sf_unprotect_to(ce_sframe_ctx *ctx,
                                     const uint8_t *metadata,
                                     size_t metadata_len, const uint8_t *in,
                                     size_t in_len, uint8_t *out, size_t cap,
                                     size_t *out_len, uint64_t *kid_out,
                                     uint64_t *ctr_out) {
  if (ctx == NULL || in == NULL || out == NULL || out_len == NULL ||
      (metadata == NULL && metadata_len))
    return CE_ERR_INVALID_ARGUMENT;
  size_t n = 0;
  uint64_t kid = 0, ctr = 0;
  ce__sf_key *k = NULL;
  ce_status st = ce__sf_unprotect_frame(ctx, metadata, metadata_len, in, in_len,
                                        &n, &k, &kid, &ctr);
  if (st != CE_OK)
    return st;
  if (n > cap) { /* capacity last; the CTR is not recorded */
    ce_wipe(ctx->open_buf, n);
    return CE_ERR_BUFFER_TOO_SMALL;
  }
  ce__sf_record(k, ctr); /* authenticated, and delivered now */
  if (n)
    memmove(out, ctx->open_buf, n);
  *out_len = n;
  if (kid_out != NULL)
    *kid_out = kid;
  if (ctr_out != NULL)
    *ctr_out = ctr;
  return CE_OK;
}

ce_status ce_sframe_unprotect(ce_sframe_ctx *ctx, const uint8_t *metadata,
                              size_t metadata_len, uint8_t *buf, size_t *len,
                              uint64_t *kid, uint64_t *ctr) {
  if (buf == NULL || len == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  /* A payload is always shorter than its frame: cap *len never binds. */
  return ce__sf_unprotect_to(ctx, metadata, metadata_len, buf, *len, buf, *len,
                             len, kid, ctr);
}

ce_status ce_sframe_unprotect_into(ce_sframe_ctx *ctx, const uint8_t *metadata,
                                   size_t metadata_len, const uint8_t *in,
                                   size_t in_len, uint8_t *out, size_t *out_len,
                                   uint64_t *kid, uint64_t *ctr) {
  if (out_len == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  return ce__sf_unprotect_to(ctx, metadata, metadata_len, in, in_len, out,
                             *out_len, out_len, kid, ctr);
}
