/*
 * roundtrip_fuzzer.c - protect then unprotect.
 *
 * Target: ce_testing_protect_pn / ce_testing_protect_pn_into / ce_protect /
 *         ce_protect_into
 * followed by ce_unprotect / ce_unprotect_into, for arbitrary payloads
 * (0..65,535 bytes), packet numbers and modes (the seal paths of
 * mode_*.c, ce_overhead, the capacity checks of ctx.c).
 *
 * Input: config prefix (fuzz_common.h), PN (8 bytes, big-endian), a flags
 * byte, a "shortfall" byte, then the payload.
 *   flags bit 0  also check that a 65,536-byte payload is refused
 *   flags bit 1  also protect with the context's own counter (ce_protect,
 *                ce_protect_into) and check that the PN advances
 *   flags bit 2  also run ce_testing_protect_pn_into with in == out
 *   flags bit 3  extend the payload with zero bytes to 65,535 - (shortfall
 *                % 4) bytes: the largest frames without 64 KB inputs
 *   flags bit 4  after a tampered frame went through the context, duplicate
 *                it (ce_ctx_dup) and check that the copy makes the same
 *                frame, opens the original's, and has a PN of its own
 *
 * What must hold:
 *  - the in-place and the out-of-place frames are identical, as long as
 *    payload + ce_overhead, and equal to the primitive-layer model
 *    (fuzz_common.c) byte for byte;
 *  - a capacity one or more bytes short fails with BUFFER_TOO_SMALL and
 *    leaves the buffer (and *len, and out) exactly as it was;
 *  - unprotecting the frame, in place and out of place, gives back the
 *    payload exactly.
 */
#include "fuzz_common.h"

#include <stdlib.h>
#include <string.h>

#define FZ_POISON 0xa5

/* A payload one byte over the limit (spec 8), zero filled; static so the
   check costs no allocation. */
static uint8_t fz_big[CE_MAX_PAYLOAD + 1 + CE_MAX_OVERHEAD];

static void check_too_large(fz_cfg *c) {
  size_t len = CE_MAX_PAYLOAD + 1;
  fz_big[0] = 0x42;
  FZ_CHECK_STATUS(ce_testing_protect_pn(c->ctx, 1, fz_big, &len, sizeof fz_big),
                  CE_ERR_TOO_LARGE, "65,536-byte payload");
  FZ_CHECK(len == CE_MAX_PAYLOAD + 1 && fz_big[0] == 0x42,
           "refused payload was touched");
  uint8_t out[64];
  size_t out_len = sizeof out;
  FZ_CHECK_STATUS(ce_testing_protect_pn_into(c->ctx, 1, fz_big,
                                             CE_MAX_PAYLOAD + 1, out, &out_len),
                  CE_ERR_TOO_LARGE, "65,536-byte payload, into");
  FZ_CHECK(out_len == sizeof out, "refused: *out_len changed");
}

/* Unprotects frame (both forms) and checks the payload comes back. */
static void check_back(fz_cfg *c, const uint8_t *frame, size_t flen,
                       const uint8_t *payload, size_t n, const char *what) {
  uint8_t *buf = malloc(flen);
  memcpy(buf, frame, flen);
  size_t len = flen;
  ce_status st = ce_unprotect(c->ctx, buf, &len);
  if (st != CE_OK || len != n || (n && memcmp(buf, payload, n) != 0)) {
    fz_hexdump("payload", payload, n);
    fz_hexdump("frame", frame, flen);
    fz_hexdump("unprotected", buf, st == CE_OK ? len : 0);
    FZ_CHECK(0, "%s: round trip failed in place (%s, %zu bytes)", what,
             ce_status_name(st), len);
  }
  /* Out of place into exactly n bytes: the payload must fit exactly. */
  uint8_t *out = malloc(n ? n : 1);
  size_t out_len = n;
  st = ce_unprotect_into(c->ctx, frame, flen, out, &out_len);
  FZ_CHECK(st == CE_OK && out_len == n && (n == 0 || !memcmp(out, payload, n)),
           "%s: round trip failed out of place (%s)", what, ce_status_name(st));
  if (n > 0) {
    /* One byte less is refused and leaves out alone. */
    memset(out, FZ_POISON, n);
    out_len = n - 1;
    st = ce_unprotect_into(c->ctx, frame, flen, out, &out_len);
    FZ_CHECK_STATUS(st, CE_ERR_BUFFER_TOO_SMALL, "unprotect_into, n - 1");
    FZ_CHECK(out_len == n - 1, "unprotect_into: *out_len changed");
    for (size_t i = 0; i < n; i++)
      FZ_CHECK(out[i] == FZ_POISON, "unprotect_into wrote to a short out");
  }
  free(out);
  free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fz_reader r = {data, size};
  fz_cfg c;
  if (!fz_read_cfg(&r, &c))
    return 0;
  uint64_t pn = fz_u64(&r);
  uint8_t flags = fz_u8(&r);
  uint8_t shortfall = fz_u8(&r);
  size_t raw_n;
  const uint8_t *raw = fz_rest(&r, &raw_n);
  size_t n = raw_n;
  if (flags & 8)
    n = CE_MAX_PAYLOAD - shortfall % 4;
  if (n > CE_MAX_PAYLOAD)
    n = CE_MAX_PAYLOAD; /* the limit itself is checked by flags bit 0 */
  /* The payload in its own buffer of exactly n bytes. */
  uint8_t *payload = calloc(n ? n : 1, 1);
  memcpy(payload, raw, raw_n < n ? raw_n : n);

  size_t over = ce_overhead(c.mode, n);
  size_t flen = n + over;
  FZ_CHECK(over >= 3 && over <= CE_MAX_OVERHEAD, "overhead %zu", over);

  /* The model's frame. */
  uint8_t *model = malloc(n + CE_MAX_OVERHEAD);
  size_t model_len =
      fz_model_protect(c.mode, &c.derived, pn, payload, n, model);
  FZ_CHECK(model_len == flen, "model frame %zu bytes, expected %zu", model_len,
           flen);

  /* In place, in a buffer of exactly the frame length. */
  uint8_t *buf = malloc(flen);
  memcpy(buf, payload, n);
  size_t len = n;
  FZ_CHECK_STATUS(ce_testing_protect_pn(c.ctx, pn, buf, &len, flen), CE_OK,
                  "ce_testing_protect_pn, exact capacity");
  FZ_CHECK(len == flen, "frame length %zu, want %zu", len, flen);
  if (memcmp(buf, model, flen) != 0) {
    fz_hexdump("payload", payload, n);
    fz_hexdump("library frame", buf, flen);
    fz_hexdump("model frame", model, flen);
    FZ_CHECK(0, "frame differs from the model (mode %d, pn %016llx)", c.mode,
             (unsigned long long)pn);
  }

  /* Out of place, exact capacity. */
  uint8_t *out = malloc(flen);
  size_t out_len = flen;
  FZ_CHECK_STATUS(
      ce_testing_protect_pn_into(c.ctx, pn, payload, n, out, &out_len), CE_OK,
      "ce_testing_protect_pn_into, exact capacity");
  FZ_CHECK(out_len == flen && memcmp(out, model, flen) == 0,
           "out-of-place frame differs from in place");

  /* Capacity too small, by 1 + shortfall bytes (at least down to 0). */
  size_t cap = flen - 1 - (shortfall % flen);
  size_t room = cap > n ? cap : n; /* the buffer holds the payload */
  uint8_t *small = malloc(room ? room : 1);
  uint8_t *small_before = malloc(room ? room : 1);
  memset(small, FZ_POISON, room ? room : 1);
  if (n)
    memcpy(small, payload, n);
  memcpy(small_before, small, room ? room : 1);
  len = n;
  FZ_CHECK_STATUS(ce_testing_protect_pn(c.ctx, pn, small, &len, cap),
                  CE_ERR_BUFFER_TOO_SMALL,
                  "ce_testing_protect_pn, capacity short");
  FZ_CHECK(len == n && memcmp(small, small_before, room ? room : 1) == 0,
           "short capacity: buffer or *len changed");
  memset(small, FZ_POISON, room ? room : 1);
  memcpy(small_before, small, room ? room : 1);
  out_len = cap;
  FZ_CHECK_STATUS(
      ce_testing_protect_pn_into(c.ctx, pn, payload, n, small, &out_len),
      CE_ERR_BUFFER_TOO_SMALL, "ce_testing_protect_pn_into, capacity short");
  FZ_CHECK(out_len == cap && memcmp(small, small_before, room ? room : 1) == 0,
           "short capacity: out or *out_len changed");
  free(small);
  free(small_before);

  check_back(&c, buf, flen, payload, n, "protect_pn");

  if (flags & 1)
    check_too_large(&c);

  if ((flags & 2) && c.owns_ctx) {
    /* The context's own counter: the frame carries next_pn, which then
       advances by one (XTS, GCM) or stays (ECB, which has no PN). The start
       value is random by design (spec 7); nothing checked depends on it. */
    int ecb = ce_mode_family(c.mode) == CE_FAMILY_ECB;
    uint64_t pn0 = ce_ctx_next_pn(c.ctx);
    memcpy(buf, payload, n);
    len = n;
    FZ_CHECK_STATUS(ce_protect(c.ctx, buf, &len, flen), CE_OK, "ce_protect");
    FZ_CHECK(len == flen, "ce_protect length");
    FZ_CHECK(ecb || fz_be64(buf + 2) == pn0, "ce_protect used another PN");
    FZ_CHECK(ce_ctx_next_pn(c.ctx) == pn0 + (ecb ? 0 : 1), "PN advance");
    check_back(&c, buf, flen, payload, n, "protect");
    out_len = flen;
    FZ_CHECK_STATUS(ce_protect_into(c.ctx, payload, n, out, &out_len), CE_OK,
                    "ce_protect_into");
    FZ_CHECK(ecb || fz_be64(out + 2) == pn0 + 1, "ce_protect_into PN");
    check_back(&c, out, out_len, payload, n, "protect_into");
    /* A refused call does not advance the counter. */
    uint64_t pn1 = ce_ctx_next_pn(c.ctx);
    len = n;
    memcpy(buf, payload, n);
    FZ_CHECK_STATUS(ce_protect(c.ctx, buf, &len, flen - 1),
                    CE_ERR_BUFFER_TOO_SMALL, "ce_protect, capacity short");
    FZ_CHECK(ce_ctx_next_pn(c.ctx) == pn1, "refused protect advanced PN");
  }

  if (flags & 4) {
    /* in == out: the payload is at out and the frame replaces it. */
    uint8_t *same = malloc(flen);
    memcpy(same, payload, n);
    out_len = flen;
    FZ_CHECK_STATUS(
        ce_testing_protect_pn_into(c.ctx, pn, same, n, same, &out_len), CE_OK,
        "ce_testing_protect_pn_into with in == out");
    FZ_CHECK(out_len == flen && memcmp(same, model, flen) == 0,
             "in == out frame differs");
    free(same);
  }

  if (flags & 16) {
    /* A tampered frame first: whatever it does to the cipher contexts'
       state must not leak into the next call or into a copy. */
    uint8_t *bad = malloc(flen);
    memcpy(bad, model, flen);
    bad[flen - 1] ^= 1;
    len = flen;
    (void)ce_unprotect(c.ctx, bad, &len); /* status depends on the family */
    free(bad);
    ce_ctx *dup = NULL;
    FZ_CHECK_STATUS(ce_ctx_dup(c.ctx, &dup), CE_OK, "ce_ctx_dup");
    FZ_CHECK(ce_ctx_mode(dup) == c.mode &&
                 ce_ctx_check(dup) == ce_ctx_check(c.ctx),
             "duplicate: mode or check byte");
    out_len = flen;
    FZ_CHECK_STATUS(
        ce_testing_protect_pn_into(dup, pn, payload, n, out, &out_len), CE_OK,
        "duplicate protect");
    FZ_CHECK(out_len == flen && memcmp(out, model, flen) == 0,
             "duplicate makes another frame");
    fz_cfg dc = c;
    dc.ctx = dup;
    check_back(&dc, model, flen, payload, n, "duplicate");
    ce_ctx_free(dup);
  }

  free(out);
  free(buf);
  free(model);
  free(payload);
  fz_cfg_free(&c);
  return 0;
}
