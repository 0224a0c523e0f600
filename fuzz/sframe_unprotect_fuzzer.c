/*
 * sframe_unprotect_fuzzer.c - arbitrary SFrame ciphertexts against a
 * receiver (RFC 9605, docs/sframe.md).
 *
 * Target: ce_sframe_unprotect and ce_sframe_unprotect_into (sframe_ctx.c:
 * header checks, key lookup, the replay window; sframe_suite.c: the GCM and
 * CTR+HMAC open paths) under all eight suites, with a context that holds a
 * few receive keys (among them the RFC vectors' KID 291 and base key, so
 * the vectors' frames, in the seed corpus, authenticate) and one send key
 * (a KID of the wrong usage).
 *
 * Input: one suite byte (suite 1 + b % 8), one flags byte, then
 *   flags bit 0   metadata follows: one length byte L, then L bytes
 *   flags bit 1-2 capacity given to ce_sframe_unprotect_into: the payload
 *                 length, one less, the frame length, or 0
 *   flags bit 3   also run ce_sframe_unprotect_into with in == out
 *   flags bit 4-5 replay window: 0 (off), 1, 64, 1024
 *   flags bit 6   rewrite the header: the next byte picks a KID of the
 *                 context (index % 7), the next 8 bytes are the CTR; the
 *                 header is encoded and replaces the frame's own, so
 *                 mutations spend their time behind a well-formed header
 * and the rest is the frame.
 *
 * What must hold, for every frame:
 *  - the status is one the header documents for unprotect, and equals a
 *    model built from the public pieces: ce_sframe_header_decode (MALFORMED
 *    when it fails or fewer than Nt bytes follow the header), the key table
 *    (UNKNOWN_KID), and the one-shot AEAD ce_sframe_aead_decrypt with the
 *    key and salt ce_sframe_derive gives (OK with the same payload, or
 *    AUTH_FAILED);
 *  - on failure the buffer, *len, *kid and *ctr are exactly as they were;
 *  - on success the frame is canonical: protecting the payload again with
 *    a sender holding the same base key and the frame's CTR
 *    (ce_testing_sframe_protect_ctr) gives back the very same bytes;
 *  - with the window on, the same frame a second time is REPLAYED (and
 *    changes nothing);
 *  - ce_sframe_unprotect_into agrees: the same status, or BUFFER_TOO_SMALL
 *    last when only the capacity is short (and then the CTR is not
 *    recorded); out untouched on failure, nothing written past the payload.
 * After an accepted frame the key is removed and added again, so that the
 * replay state (kept even with the window off) never carries over from one
 * input to the next: every input gives the same result alone or in a run.
 */
#include "fuzz_common.h"

#include "chanenc_sframe.h"
#include "chanenc_sframe_testing.h"

#include <stdlib.h>
#include <string.h>

#define FZ_POISON 0xa5
#define FZ_NKIDS 7

/* The receive KIDs (index 0..5) and the send KID (index 6). */
static const uint64_t fz_kids[FZ_NKIDS] = {
    291, 0, 7, 8, 0x0123456789abcdefull, UINT64_MAX, 5};
/* RFC 9605 test vectors: base_key of every "sframe" vector (KID 291). */
static const uint8_t fz_vec_key[16] = {0, 1, 2,  3,  4,  5,  6,  7,
                                       8, 9, 10, 11, 12, 13, 14, 15};

typedef struct fz_sf {
  ce_sframe_ctx *rx, *tx;
  ce_sframe_derived d[FZ_NKIDS];
} fz_sf;

static fz_sf fz_ctx[9];

static void fz_base(size_t i, uint8_t *key, size_t *len) {
  if (i == 0) {
    memcpy(key, fz_vec_key, sizeof fz_vec_key);
    *len = sizeof fz_vec_key;
    return;
  }
  for (size_t j = 0; j < 16 + i; j++)
    key[j] = (uint8_t)(0x40 + i * 7 + j);
  *len = 16 + i;
}

static void fz_add(ce_sframe_ctx *c, size_t i, int usage) {
  uint8_t key[32];
  size_t len;
  fz_base(i, key, &len);
  FZ_CHECK_STATUS(ce_sframe_add_key(c, fz_kids[i], usage, key, len), CE_OK,
                  "add_key");
}

static fz_sf *fz_get(int suite) {
  fz_sf *f = &fz_ctx[suite];
  if (f->rx != NULL)
    return f;
  FZ_CHECK_STATUS(ce_sframe_ctx_new(suite, &f->rx), CE_OK, "ctx_new");
  FZ_CHECK_STATUS(ce_sframe_ctx_new(suite, &f->tx), CE_OK, "ctx_new");
  for (size_t i = 0; i < FZ_NKIDS; i++) {
    uint8_t key[32];
    size_t len;
    fz_base(i, key, &len);
    FZ_CHECK_STATUS(ce_sframe_derive(suite, fz_kids[i], key, len, &f->d[i]),
                    CE_OK, "derive");
    if (i == FZ_NKIDS - 1) {
      fz_add(f->rx, i, CE_SFRAME_SEND); /* the wrong usage for rx */
    } else {
      fz_add(f->rx, i, CE_SFRAME_RECEIVE);
      fz_add(f->tx, i, CE_SFRAME_SEND);
    }
  }
  return f;
}

/* Forget what the receive key of kid has seen (the window state). */
static void fz_forget(fz_sf *f, uint64_t kid) {
  for (size_t i = 0; i + 1 < FZ_NKIDS; i++)
    if (fz_kids[i] == kid) {
      FZ_CHECK_STATUS(ce_sframe_remove_key(f->rx, kid), CE_OK, "remove");
      fz_add(f->rx, i, CE_SFRAME_RECEIVE);
      return;
    }
  FZ_CHECK(0, "accepted a frame of KID %llu, which has no receive key",
           (unsigned long long)kid);
}

/* The model (see the top). */
static ce_status fz_model(int suite, const fz_sf *f, const uint8_t *meta,
                          size_t mlen, const uint8_t *frame, size_t n,
                          uint8_t *payload, size_t *plen, uint64_t *kid,
                          uint64_t *ctr) {
  const ce_sframe_suite_info *si = ce_sframe_suite_get(suite);
  size_t hlen = 0;
  if (ce_sframe_header_decode(frame, n, kid, ctr, &hlen) != CE_OK)
    return CE_ERR_MALFORMED;
  if (n - hlen < si->nt)
    return CE_ERR_MALFORMED;
  size_t i = 0;
  while (i + 1 < FZ_NKIDS && fz_kids[i] != *kid)
    i++;
  if (i + 1 == FZ_NKIDS)
    return CE_ERR_UNKNOWN_KID; /* no key, or the send key */
  uint8_t nonce[12];
  ce_sframe_nonce(f->d[i].salt, *ctr, nonce);
  uint8_t *aad = malloc(hlen + mlen);
  memcpy(aad, frame, hlen);
  if (mlen)
    memcpy(aad + hlen, meta, mlen);
  ce_status st =
      ce_sframe_aead_decrypt(suite, f->d[i].key, f->d[i].key_len, nonce, aad,
                             hlen + mlen, frame + hlen, n - hlen, payload);
  free(aad);
  if (st == CE_OK)
    *plen = n - hlen - si->nt;
  return st;
}

static int fz_documented(ce_status st) {
  return st == CE_OK || st == CE_ERR_MALFORMED || st == CE_ERR_UNKNOWN_KID ||
         st == CE_ERR_TOO_LARGE || st == CE_ERR_REPLAYED ||
         st == CE_ERR_AUTH_FAILED || st == CE_ERR_BUFFER_TOO_SMALL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fz_reader r = {data, size};
  int suite = 1 + fz_u8(&r) % 8;
  uint8_t flags = fz_u8(&r);
  const uint8_t *meta = NULL;
  size_t mlen = 0;
  if (flags & 1)
    meta = fz_bytes(&r, fz_u8(&r), &mlen);
  static const size_t windows[4] = {0, 1, 64, 1024};
  size_t window = windows[(flags >> 4) & 3];
  uint8_t hdr[CE_SFRAME_MAX_HEADER];
  size_t hlen = 0;
  if (flags & 64) {
    uint64_t kid = fz_kids[fz_u8(&r) % FZ_NKIDS];
    uint64_t ctr = fz_u64(&r);
    hlen = sizeof hdr;
    FZ_CHECK_STATUS(ce_sframe_header_encode(kid, ctr, hdr, &hlen), CE_OK,
                    "header_encode");
  }
  size_t raw_n;
  const uint8_t *raw = fz_rest(&r, &raw_n);
  fz_sf *f = fz_get(suite);
  FZ_CHECK_STATUS(ce_sframe_set_replay_window(f->rx, window), CE_OK, "window");

  /* The frame, in a buffer of exactly n bytes (ASan sees any overread). */
  size_t skip = 0;
  if (hlen) {
    /* Replace the frame's own header, when it has one. */
    size_t old = 0;
    if (ce_sframe_header_decode(raw, raw_n, NULL, NULL, &old) == CE_OK)
      skip = old;
  }
  size_t n = hlen + raw_n - skip;
  uint8_t *frame = malloc(n ? n : 1);
  memcpy(frame, hdr, hlen);
  if (raw_n - skip)
    memcpy(frame + hlen, raw + skip, raw_n - skip);
  /* Metadata in its own exact buffer too. */
  uint8_t *md = NULL;
  if (mlen) {
    md = malloc(mlen);
    memcpy(md, meta, mlen);
  }

  uint8_t *model = malloc(n ? n : 1);
  size_t model_len = 0;
  uint64_t mkid = 0, mctr = 0;
  ce_status want =
      fz_model(suite, f, md, mlen, frame, n, model, &model_len, &mkid, &mctr);

  /* In place. */
  uint8_t *buf = malloc(n ? n : 1);
  if (n)
    memcpy(buf, frame, n);
  size_t len = n;
  uint64_t kid = 0x5555, ctr = 0x6666;
  ce_status st = ce_sframe_unprotect(f->rx, md, mlen, buf, &len, &kid, &ctr);
  FZ_CHECK(fz_documented(st) && st != CE_ERR_BUFFER_TOO_SMALL,
           "undocumented status %s", ce_status_name(st));
  if (st != want) {
    fz_hexdump("frame", frame, n);
    FZ_CHECK_STATUS(st, want, "ce_sframe_unprotect vs model");
  }
  if (st != CE_OK) {
    FZ_CHECK(len == n && (n == 0 || memcmp(buf, frame, n) == 0),
             "buffer or length changed on failure (%s)", ce_status_name(st));
    FZ_CHECK(kid == 0x5555 && ctr == 0x6666, "kid/ctr written on failure");
  } else {
    FZ_CHECK(len == model_len && (len == 0 || memcmp(buf, model, len) == 0) &&
                 kid == mkid && ctr == mctr,
             "payload, KID or CTR differs from the model");
    /* Canonical: the same payload, KID and CTR protect to the same frame. */
    uint8_t *again = malloc(n);
    size_t again_len = len;
    memcpy(again, buf, len);
    FZ_CHECK_STATUS(ce_testing_sframe_protect_ctr(f->tx, kid, ctr, md, mlen,
                                                  again, &again_len, n),
                    CE_OK, "re-protect of an accepted payload");
    FZ_CHECK(again_len == n && memcmp(again, frame, n) == 0,
             "accepted frame is not canonical");
    free(again);
    if (window) {
      memcpy(buf, frame, n);
      len = n;
      FZ_CHECK_STATUS(
          ce_sframe_unprotect(f->rx, md, mlen, buf, &len, NULL, NULL),
          CE_ERR_REPLAYED, "the same frame twice, window on");
      FZ_CHECK(len == n && memcmp(buf, frame, n) == 0,
               "a replayed frame changed the buffer");
    }
    fz_forget(f, kid);
  }

  /* Out of place, with the capacity the flags pick. */
  size_t need = want == CE_OK ? model_len : n;
  size_t caps[4] = {need, need ? need - 1 : 0, n, 0};
  size_t cap = caps[(flags >> 1) & 3];
  uint8_t *out = malloc(cap ? cap : 1);
  uint8_t *out_before = malloc(cap ? cap : 1);
  memset(out, FZ_POISON, cap ? cap : 1);
  memcpy(out_before, out, cap ? cap : 1);
  uint8_t *in = malloc(n ? n : 1);
  if (n)
    memcpy(in, frame, n);
  size_t out_len = cap;
  kid = 0x5555;
  ctr = 0x6666;
  st = ce_sframe_unprotect_into(f->rx, md, mlen, in, n, out, &out_len, &kid,
                                &ctr);
  FZ_CHECK(fz_documented(st), "undocumented status %s", ce_status_name(st));
  FZ_CHECK(n == 0 || memcmp(in, frame, n) == 0,
           "ce_sframe_unprotect_into wrote to its input");
  if (want == CE_OK && cap >= model_len) {
    FZ_CHECK_STATUS(st, CE_OK, "into, room enough");
    FZ_CHECK(out_len == model_len &&
                 (model_len == 0 || memcmp(out, model, model_len) == 0) &&
                 kid == mkid && ctr == mctr,
             "into: payload differs");
    FZ_CHECK(cap == model_len || memcmp(out + model_len, out_before + model_len,
                                        cap - model_len) == 0,
             "into: wrote past the payload");
    fz_forget(f, kid);
  } else {
    FZ_CHECK_STATUS(st, want == CE_OK ? CE_ERR_BUFFER_TOO_SMALL : want,
                    "into: a failing frame, or a short capacity");
    FZ_CHECK(out_len == cap && memcmp(out, out_before, cap ? cap : 1) == 0,
             "into: out or *out_len changed on failure");
    FZ_CHECK(kid == 0x5555 && ctr == 0x6666, "into: kid/ctr written");
    if (want == CE_OK && window) {
      /* Capacity last, and the CTR not recorded: the frame is retried. */
      size_t big = model_len;
      uint8_t *retry = malloc(big ? big : 1);
      FZ_CHECK_STATUS(ce_sframe_unprotect_into(f->rx, md, mlen, in, n, retry,
                                               &big, NULL, NULL),
                      CE_OK, "retry after BUFFER_TOO_SMALL");
      free(retry);
      fz_forget(f, mkid);
    }
  }

  if (flags & 8) {
    /* in == out means in place. */
    memcpy(in, frame, n);
    size_t same_len = n;
    st = ce_sframe_unprotect_into(f->rx, md, mlen, in, n, in, &same_len, NULL,
                                  NULL);
    FZ_CHECK_STATUS(st, want, "ce_sframe_unprotect_into with in == out");
    if (st == CE_OK) {
      FZ_CHECK(same_len == model_len &&
                   (same_len == 0 || memcmp(in, model, same_len) == 0),
               "in == out: payload differs");
      fz_forget(f, mkid);
    } else {
      FZ_CHECK(same_len == n && (n == 0 || memcmp(in, frame, n) == 0),
               "in == out: changed on failure");
    }
  }

  FZ_CHECK_STATUS(ce_sframe_set_replay_window(f->rx, 0), CE_OK, "window");
  free(in);
  free(out);
  free(out_before);
  free(buf);
  free(model);
  free(md);
  free(frame);
  return 0;
}
