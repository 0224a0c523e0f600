/*
 * test_roundtrip.c - random round trips for every mode and every payload
 * length 0..2048 (in place and out of place, with the context's own packet
 * numbers), and tamper-every-byte for the GCM family: every single-byte
 * change of a GCM frame must be refused with the status spec 9 assigns to
 * that byte, and must leave the buffer and length exactly as they were.
 */
#include "ce_test.h"

#include <stdint.h>
#include <stdlib.h>

#include "chanenc.h"
#include "chanenc_testing.h"

#define MAXLEN 2048

/* xorshift64*: deterministic test data; the seed is printed. */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint64_t rnd(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545f4914f6cdd1du;
}
static void fill(uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    p[i] = (uint8_t)rnd();
}

static ce_ctx *make_ctx(int mode, const char *key) {
  ce_config cfg;
  ce_config_init(&cfg);
  cfg.mode = mode;
  CE_CHECK_STATUS(ce_config_set_key_str(&cfg, key), CE_OK, "key");
  fill(cfg.salt, sizeof cfg.salt);
  ce_ctx *ctx = NULL;
  CE_CHECK_STATUS(ce_ctx_new(&cfg, &ctx), CE_OK, "ctx_new mode %d", mode);
  return ctx;
}

static void roundtrip_mode(int mode) {
  ce_ctx *ctx = make_ctx(mode, "roundtrip key");
  if (ctx == NULL)
    return;
  static uint8_t payload[MAXLEN], buf[MAXLEN + CE_MAX_OVERHEAD],
      frame[MAXLEN + CE_MAX_OVERHEAD], back[MAXLEN];
  unsigned long bad = 0;
  for (size_t n = 0; n <= MAXLEN; n++) {
    fill(payload, n);
    uint64_t pn = ce_ctx_next_pn(ctx);
    /* In place, with a capacity of exactly the frame. */
    memcpy(buf, payload, n);
    size_t len = n, cap = n + ce_overhead(mode, n);
    ce_status st = ce_protect(ctx, buf, &len, cap);
    if (st != CE_OK || len != cap) {
      bad++;
      continue;
    }
    if (ce_mode_family(mode) != CE_FAMILY_ECB && ce_ctx_next_pn(ctx) != pn + 1)
      bad++;
    memcpy(frame, buf, len);
    size_t flen = len;
    st = ce_unprotect(ctx, buf, &len);
    if (st != CE_OK || len != n || memcmp(buf, payload, n) != 0)
      bad++;
    /* Out of place, exact capacity. */
    size_t out_len = n;
    st = ce_unprotect_into(ctx, frame, flen, back, &out_len);
    if (st != CE_OK || out_len != n || memcmp(back, payload, n) != 0)
      bad++;
    /* Same frame again from the explicit-PN form. */
    size_t f2len = sizeof buf;
    st = ce_testing_protect_pn_into(ctx, pn, payload, n, buf, &f2len);
    if (st != CE_OK || f2len != flen || memcmp(buf, frame, flen) != 0)
      bad++;
  }
  CE_CHECK(bad == 0, "mode %d: %lu round-trip mismatches over 0..%d", mode, bad,
           MAXLEN);
  ce_ctx_free(ctx);
}

/* The status spec 9 gives a GCM frame whose byte i was xored with x. */
static int expected_tamper_status(const uint8_t *orig, size_t i, uint8_t x) {
  if (i == 0) {
    uint8_t b = (uint8_t)(orig[0] ^ x);
    if ((b & 0x70) != 0x10)
      return CE_ERR_BAD_VERSION;
    if ((b & 0x0f) != (orig[0] & 0x0f))
      return CE_ERR_MODE_MISMATCH;
    if (b & 0x80)
      return CE_ERR_MALFORMED;
  }
  if (i == 1)
    return CE_ERR_KEY_MISMATCH;
  return CE_ERR_AUTH_FAILED;
}

static void tamper_mode(int mode) {
  static const size_t lens[] = {0, 1, 15, 16, 17, 160, 1200};
  static const uint8_t flips[] = {0x01, 0x80, 0xff};
  ce_ctx *ctx = make_ctx(mode, "tamper key");
  if (ctx == NULL)
    return;
  static uint8_t frame[1200 + CE_MAX_OVERHEAD], buf[sizeof frame + 8],
      out[sizeof frame], out_before[sizeof frame];
  unsigned long cases = 0, bad = 0;
  for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
    size_t n = lens[li], flen = n;
    fill(frame, n);
    if (ce_protect(ctx, frame, &flen, sizeof frame) != CE_OK) {
      bad++;
      continue;
    }
    for (size_t i = 0; i < flen; i++) {
      for (size_t f = 0; f < sizeof flips; f++) {
        cases++;
        /* In place: the whole buffer, slack included, must be unchanged. */
        memset(buf, 0xa5, sizeof buf);
        memcpy(buf, frame, flen);
        buf[i] ^= flips[f];
        uint8_t before[sizeof buf];
        memcpy(before, buf, sizeof buf);
        size_t len = flen;
        int want = expected_tamper_status(frame, i, flips[f]);
        ce_status st = ce_unprotect(ctx, buf, &len);
        if ((int)st != want || len != flen ||
            memcmp(buf, before, sizeof buf) != 0) {
          if (bad++ < 5)
            fprintf(stderr, "mode %d len %zu byte %zu ^%02x: %s, want %s\n",
                    mode, n, i, flips[f], ce_status_name(st),
                    ce_status_name(want));
        }
        /* Out of place: in, out and *out_len untouched. */
        fill(out, sizeof out);
        memcpy(out_before, out, sizeof out);
        size_t out_len = sizeof out;
        st = ce_unprotect_into(ctx, buf, flen, out, &out_len);
        if ((int)st != want || out_len != sizeof out ||
            memcmp(out, out_before, sizeof out) != 0 ||
            memcmp(buf, before, sizeof buf) != 0)
          bad++;
      }
    }
  }
  CE_CHECK(bad == 0, "mode %d: %lu of %lu tampered frames mishandled", mode,
           bad, cases);
  printf("mode %d (%s): %lu tampered frames refused, buffers unchanged\n", mode,
         ce_mode_name(mode), cases - bad);
  ce_ctx_free(ctx);
}

int main(void) {
  const char *seed = getenv("CE_TEST_SEED");
  if (seed != NULL)
    rng_state = strtoull(seed, NULL, 0) | 1u;
  printf("seed 0x%016llx\n", (unsigned long long)rng_state);
  for (int mode = 1; mode <= 8; mode++) {
    if (ce_mode_supported(mode) != CE_OK) {
      printf("mode %d (%s): cipher not supported by OpenSSL, skipped\n", mode,
             ce_mode_name(mode));
      CE_SKIP(1);
      continue;
    }
    roundtrip_mode(mode);
    printf("mode %d (%s): lengths 0..%d round-trip\n", mode, ce_mode_name(mode),
           MAXLEN);
  }
  for (int mode = 5; mode <= 8; mode++)
    tamper_mode(mode);
  return ce_test_finish("test_roundtrip");
}
