/*
 * unprotect_fuzzer.c - arbitrary frames against the receiver.
 *
 * Target: ce_unprotect and ce_unprotect_into (ctx.c header checks, the
 * ECB/XTS/GCM open paths of mode_*.c) under every mode, with the input
 * choosing the mode, the key (and for GCM2 a cached key and salt) and the
 * frame bytes.
 *
 * Input: config prefix (fuzz_common.h), one flags byte, then the frame.
 *   flags bit 0   fix up the header: write the version/mode nibbles and the
 *                 receiver's check byte over bytes 0 and 1 (keeping S), so
 *                 mutations spend their time on the body instead of on
 *                 rediscovering the check byte
 *   flags bit 1-2 capacity given to ce_unprotect_into (see below)
 *   flags bit 3   also run ce_unprotect_into with in == out
 *   flags bit 4   also run ce_unprotect_into with partly overlapping buffers
 *   flags bit 5   extend the frame with zero bytes to the longest frame of
 *                 the family, minus 1, exactly, or plus 1 (bits 6-7 pick):
 *                 spec 9 step 1's upper bound without 64 KB inputs
 *
 * What must hold, for every frame:
 *  - the status and payload equal the primitive-layer model of spec 9
 *    (fuzz_common.c), so the validation order and every byte are checked;
 *  - on failure the buffer and *len are exactly as they were (spec 9; the
 *    harness aborts on a single changed byte);
 *  - on success the frame is canonical: protecting the payload again with
 *    the frame's PN gives back the very same frame (CE1 frames have no
 *    malleable bits: every header bit and every padding byte is checked);
 *  - the out-of-place form agrees with the in-place one, leaves in
 *    untouched, and leaves out and *out_len untouched on failure.
 */
#include "fuzz_common.h"

#include <stdlib.h>
#include <string.h>

/* A byte that the library never writes on its own, to spot stray writes
   into output room it was not supposed to touch. */
#define FZ_POISON 0xa5

static void check_into(fz_cfg *c, const uint8_t *frame, size_t n,
                       ce_status want, const uint8_t *want_payload,
                       size_t want_len, size_t cap) {
  uint8_t *in = malloc(n ? n : 1);
  uint8_t *out = malloc(cap ? cap : 1);
  uint8_t *out_before = malloc(cap ? cap : 1);
  if (n)
    memcpy(in, frame, n);
  memset(out, FZ_POISON, cap ? cap : 1);
  memcpy(out_before, out, cap ? cap : 1);
  size_t out_len = cap;
  ce_status st = ce_unprotect_into(c->ctx, in, n, out, &out_len);
  FZ_CHECK(n == 0 || memcmp(in, frame, n) == 0,
           "ce_unprotect_into wrote to its input");
  if (want == CE_OK && cap >= want_len) {
    FZ_CHECK_STATUS(st, CE_OK, "ce_unprotect_into, room enough");
    FZ_CHECK(out_len == want_len, "into: length %zu, want %zu", out_len,
             want_len);
    FZ_CHECK(want_len == 0 || memcmp(out, want_payload, want_len) == 0,
             "into: payload differs from in place");
    FZ_CHECK(cap == want_len || memcmp(out + want_len, out_before + want_len,
                                       cap - want_len) == 0,
             "into: wrote past the payload");
  } else {
    /* Every check of spec 9 comes first, capacity last, in every family:
       a failing frame reports its own failure whatever the capacity. */
    FZ_CHECK_STATUS(st, want == CE_OK ? CE_ERR_BUFFER_TOO_SMALL : want,
                    "into: status for a failing frame or a short capacity");
    FZ_CHECK(out_len == cap, "into: *out_len changed on failure");
    FZ_CHECK(memcmp(out, out_before, cap ? cap : 1) == 0,
             "into: out changed on failure (%s)", ce_status_name(st));
  }
  free(in);
  free(out);
  free(out_before);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fz_reader r = {data, size};
  fz_cfg c;
  if (!fz_read_cfg(&r, &c))
    return 0;
  uint8_t flags = fz_u8(&r);
  size_t raw_n, n;
  const uint8_t *raw = fz_rest(&r, &raw_n);
  n = raw_n;
  if (flags & 32) {
    static const size_t longest[] = {0, 65538, 65545, 65561};
    size_t want = longest[ce_mode_family(c.mode)] + ((flags >> 6) % 3) - 1;
    if (want > n)
      n = want;
  }

  /* The frame, in a buffer of exactly n bytes so ASan flags any access
     past it; frame is what buf must still be after a failure. */
  uint8_t *buf = malloc(n ? n : 1);
  uint8_t *frame = calloc(n ? n : 1, 1);
  if (raw_n)
    memcpy(frame, raw, raw_n);
  if ((flags & 1) && n >= 2) {
    frame[0] = (uint8_t)((frame[0] & 0x80) | 0x10 | c.mode);
    frame[1] = ce_ctx_check(c.ctx);
  }
  if (n)
    memcpy(buf, frame, n);

  /* The model, on its own scratch. */
  uint8_t *model = malloc(n + 16);
  size_t model_len = 0;
  ce_status want =
      fz_model_unprotect(c.mode, &c.derived, frame, n, model, &model_len);

  /* In place. */
  size_t len = n;
  ce_status st = ce_unprotect(c.ctx, buf, &len);
  if (st != want) {
    fz_hexdump("frame", frame, n);
    FZ_CHECK_STATUS(st, want, "ce_unprotect vs model");
  }
  if (st != CE_OK) {
    FZ_CHECK(len == n, "*len changed on failure: %zu -> %zu", n, len);
    FZ_CHECK(n == 0 || memcmp(buf, frame, n) == 0,
             "buffer changed on failure (%s)", ce_status_name(st));
  } else {
    FZ_CHECK(len == model_len, "payload length %zu, model %zu", len, model_len);
    if (len && memcmp(buf, model, len) != 0) {
      fz_hexdump("frame", frame, n);
      fz_hexdump("library payload", buf, len);
      fz_hexdump("model payload", model, len);
      FZ_CHECK(0, "payload differs from the model");
    }
    /* Canonical: the same payload and PN protect to the same frame. */
    uint64_t pn =
        ce_mode_family(c.mode) == CE_FAMILY_ECB ? 0 : fz_be64(frame + 2);
    uint8_t *again = malloc(n);
    size_t again_len = len;
    memcpy(again, buf, len);
    FZ_CHECK_STATUS(ce_testing_protect_pn(c.ctx, pn, again, &again_len, n),
                    CE_OK, "re-protect of an accepted payload");
    FZ_CHECK(again_len == n && memcmp(again, frame, n) == 0,
             "accepted frame is not canonical (re-protect gives %zu bytes)",
             again_len);
    free(again);
  }

  /* Out of place, with the capacity the flags pick. */
  size_t need = want == CE_OK ? model_len : n;
  size_t caps[4] = {need, need ? need - 1 : 0, n, 0};
  check_into(&c, frame, n, want, model, model_len, caps[(flags >> 1) & 3]);

  if (flags & 8) {
    /* in == out is allowed and means in place. */
    uint8_t *same = malloc(n ? n : 1);
    if (n)
      memcpy(same, frame, n);
    size_t same_len = n;
    st = ce_unprotect_into(c.ctx, same, n, same, &same_len);
    FZ_CHECK_STATUS(st, want, "ce_unprotect_into with in == out");
    if (st == CE_OK)
      FZ_CHECK(same_len == model_len &&
                   (same_len == 0 || memcmp(same, model, same_len) == 0),
               "in == out: payload differs");
    else
      FZ_CHECK(same_len == n && (n == 0 || memcmp(same, frame, n) == 0),
               "in == out: changed on failure");
    free(same);
  }
  if ((flags & 16) && n >= 2) {
    /* Partly overlapping buffers: all of in is read before out is written,
       so the answer is the model's; on failure nothing changed. */
    uint8_t *both = malloc(2 * n);
    memcpy(both, frame, n);
    memset(both + n, FZ_POISON, n);
    size_t ov_len = n;
    st = ce_unprotect_into(c.ctx, both, n, both + 1, &ov_len);
    FZ_CHECK_STATUS(st, want, "overlapping in and out");
    if (st == CE_OK)
      FZ_CHECK(ov_len == model_len &&
                   (model_len == 0 || memcmp(both + 1, model, model_len) == 0),
               "overlap: payload differs");
    else
      FZ_CHECK(ov_len == n && memcmp(both, frame, n) == 0,
               "overlap failure changed the buffer");
    free(both);
  }

  free(model);
  free(buf);
  free(frame);
  fz_cfg_free(&c);
  return 0;
}
