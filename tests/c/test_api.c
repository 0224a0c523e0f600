/*
 * test_api.c - the public API's edges: argument checks, statuses and their
 * names, the mode table, overhead and size limits (spec 8), config
 * validation (spec 3, 11.3), the base64 salt helper, and that every refusal
 * leaves the caller's buffer and length as they were.
 */
#include "ce_test.h"

#include <stdlib.h>

#include "chanenc.h"
#include "chanenc_testing.h"

static ce_ctx *new_ctx(int mode) {
  ce_config cfg;
  ce_config_init(&cfg);
  cfg.mode = mode;
  ce_config_set_key_str(&cfg, "api test key");
  memset(cfg.salt, 0x5a, sizeof cfg.salt);
  ce_ctx *ctx = NULL;
  CE_CHECK_STATUS(ce_ctx_new(&cfg, &ctx), CE_OK, "mode %d", mode);
  return ctx;
}

static void test_statuses(void) {
  static const int all[] = {CE_OK,
                            CE_ERR_MALFORMED,
                            CE_ERR_BAD_VERSION,
                            CE_ERR_MODE_MISMATCH,
                            CE_ERR_KEY_MISMATCH,
                            CE_ERR_BAD_PADDING,
                            CE_ERR_AUTH_FAILED,
                            CE_ERR_INVALID_ARGUMENT,
                            CE_ERR_NOT_SUPPORTED,
                            CE_ERR_BUFFER_TOO_SMALL,
                            CE_ERR_TOO_LARGE,
                            CE_ERR_INTERNAL,
                            CE_ERR_OBSERVER,
                            CE_DROPPED};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
    int back = 99;
    const char *name = ce_status_name(all[i]);
    CE_CHECK(strcmp(name, "UNKNOWN") != 0, "status %d has a name", all[i]);
    CE_CHECK(ce_status_from_name(name, &back) && back == all[i],
             "%s round-trips", name);
    CE_CHECK(strcmp(ce_status_str(all[i]), "unknown status") != 0,
             "%s has a description", name);
    for (size_t j = 0; j < i; j++)
      CE_CHECK(all[i] != all[j] && strcmp(name, ce_status_name(all[j])) != 0,
               "%s distinct", name);
  }
  CE_CHECK(strcmp(ce_status_name(-999), "UNKNOWN") == 0, "unknown");
  int untouched = 7;
  CE_CHECK(!ce_status_from_name("NOPE", &untouched) && untouched == 7,
           "unknown name");
  /* The spec 10 status names (conformance.md 2.5, 3.4). */
  CE_CHECK(strcmp(ce_status_name(CE_ERR_AUTH_FAILED), "AUTH_FAILED") == 0,
           "name");
  CE_CHECK(strcmp(ce_status_name(CE_ERR_KEY_MISMATCH), "KEY_MISMATCH") == 0,
           "name");
}

static void test_modes(void) {
  static const struct {
    int id;
    const char *name, *str;
    size_t key, hdr;
  } want[] = {{1, "AES_128_XTS", "aes-128-xts", 32, 10},
              {2, "AES_128_ECB", "aes-128-ecb", 16, 2},
              {3, "AES_256_XTS", "aes-256-xts", 64, 10},
              {4, "SM4_128_ECB", "sm4-128-ecb", 16, 2},
              {5, "AES_128_GCM", "aes-128-gcm", 16, 10},
              {6, "AES_256_GCM", "aes-256-gcm", 32, 10},
              {7, "AES_128_GCM2", "aes-128-gcm-2", 16, 10},
              {8, "AES_256_GCM2", "aes-256-gcm-2", 32, 10}};
  for (size_t i = 0; i < 8; i++) {
    int m = want[i].id;
    CE_CHECK(strcmp(ce_mode_name(m), want[i].name) == 0, "name %d", m);
    CE_CHECK(strcmp(ce_mode_string(m), want[i].str) == 0, "string %d", m);
    CE_CHECK(ce_mode_key_bytes(m) == want[i].key, "key bytes %d", m);
    CE_CHECK(ce_mode_header_len(m) == want[i].hdr, "header %d", m);
    CE_CHECK(ce_mode_from_name(want[i].name) == m, "from name %d", m);
    CE_CHECK(ce_mode_from_name(want[i].str) == m, "from string %d", m);
  }
  static const int bad[] = {0, 9, -1, 15, 255};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    CE_CHECK(ce_mode_name(bad[i]) == NULL, "bad id %d", bad[i]);
    CE_CHECK(ce_overhead(bad[i], 10) == 0, "bad id overhead %d", bad[i]);
    CE_CHECK_STATUS(ce_mode_supported(bad[i]), CE_ERR_INVALID_ARGUMENT, "%d",
                    bad[i]);
  }
  CE_CHECK(ce_mode_from_name("7") == 7 && ce_mode_from_name("0") == 0 &&
               ce_mode_from_name("9") == 0 && ce_mode_from_name("") == 0 &&
               ce_mode_from_name(NULL) == 0 && ce_mode_from_name("07") == 0,
           "decimal ids");
  /* Spec 8 expansions. */
  CE_CHECK(ce_overhead(2, 0) == 18 && ce_overhead(2, 15) == 3 &&
               ce_overhead(2, 16) == 18 && ce_overhead(4, 65535) == 3,
           "ECB overhead");
  CE_CHECK(ce_overhead(1, 0) == 26 && ce_overhead(1, 15) == 11 &&
               ce_overhead(3, 16) == 10 && ce_overhead(3, 65535) == 10,
           "XTS overhead");
  for (int m = 5; m <= 8; m++)
    CE_CHECK(ce_overhead(m, 0) == 26 && ce_overhead(m, 65535) == 26, "GCM");
}

static void test_config(void) {
  ce_config cfg;
  ce_config_init(&cfg);
  ce_config_init(NULL);
  CE_CHECK(cfg.mode == CE_MODE_AES_128_GCM2 && cfg.key == NULL &&
               !cfg.datastream_encryption_enabled,
           "defaults (spec 2: fresh config is AES_128_GCM2)");
  ce_ctx *ctx = (ce_ctx *)&cfg; /* must be overwritten with NULL */
  CE_CHECK_STATUS(ce_ctx_new(&cfg, &ctx), CE_ERR_INVALID_ARGUMENT, "no key");
  CE_CHECK(ctx == NULL, "out set to NULL on failure");
  CE_CHECK_STATUS(ce_config_set_key_str(&cfg, ""), CE_ERR_INVALID_ARGUMENT,
                  "empty key");
  CE_CHECK_STATUS(ce_config_set_key_str(&cfg, NULL), CE_ERR_INVALID_ARGUMENT,
                  "NULL key");
  CE_CHECK_STATUS(ce_config_set_key_str(NULL, "k"), CE_ERR_INVALID_ARGUMENT,
                  "NULL cfg");
  CE_CHECK_STATUS(ce_config_set_key_str(&cfg, "k"), CE_OK, "key");
  CE_CHECK_STATUS(ce_config_check(&cfg), CE_ERR_INVALID_ARGUMENT,
                  "GCM2 with all-zero salt");
  cfg.mode = 8;
  CE_CHECK_STATUS(ce_config_check(&cfg), CE_ERR_INVALID_ARGUMENT,
                  "GCM2-256 with all-zero salt");
  cfg.mode = 5;
  CE_CHECK_STATUS(ce_config_check(&cfg), CE_OK, "GCM ignores the salt");
  cfg.mode = 0;
  CE_CHECK_STATUS(ce_config_check(&cfg), CE_ERR_INVALID_ARGUMENT, "mode 0");
  cfg.mode = 9;
  CE_CHECK_STATUS(ce_config_check(&cfg), CE_ERR_INVALID_ARGUMENT, "mode 9");
  CE_CHECK_STATUS(ce_config_check(NULL), CE_ERR_INVALID_ARGUMENT, "NULL");
  cfg.mode = 7;
  cfg.key_len = 0;
  CE_CHECK_STATUS(ce_config_check(&cfg), CE_ERR_INVALID_ARGUMENT, "len 0");
  CE_CHECK_STATUS(ce_ctx_new(NULL, &ctx), CE_ERR_INVALID_ARGUMENT, "NULL");
  CE_CHECK_STATUS(ce_ctx_new(&cfg, NULL), CE_ERR_INVALID_ARGUMENT, "NULL out");
  ce_ctx_free(NULL); /* no-op */

  /* Base64 salt: 32 bytes exactly; bad input leaves the salt alone. */
  uint8_t expect[32];
  for (int i = 0; i < 32; i++)
    expect[i] = (uint8_t)i;
  const char *b64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
  CE_CHECK_STATUS(ce_config_set_salt_base64(&cfg, b64), CE_OK, "b64");
  CE_CHECK_MEM(cfg.salt, expect, 32, "b64 bytes");
  CE_CHECK_STATUS(ce_config_set_salt_base64(
                      &cfg, "  AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\n"),
                  CE_OK, "unpadded, spaces");
  static const char *bad[] = {
      "",
      "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==",   /* 31 bytes */
      "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gIQ", /* 34 bytes */
      "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8*",   /* bad symbol */
      "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9=",   /* bits not 0 */
      "AAEC AwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    CE_CHECK_STATUS(ce_config_set_salt_base64(&cfg, bad[i]),
                    CE_ERR_INVALID_ARGUMENT, "bad b64 %zu", i);
    CE_CHECK_MEM(cfg.salt, expect, 32, "salt unchanged after bad b64 %zu", i);
  }
  CE_CHECK_STATUS(ce_config_set_salt_base64(&cfg, NULL),
                  CE_ERR_INVALID_ARGUMENT, "NULL b64");
}

/* Protect refusals: too large, too small a buffer; nothing is written. */
static void test_protect_limits(int mode) {
  ce_ctx *ctx = new_ctx(mode);
  if (ctx == NULL)
    return;
  size_t cap = CE_MAX_PAYLOAD + 1 + CE_MAX_OVERHEAD;
  uint8_t *buf = malloc(cap), *copy = malloc(cap);
  if (buf == NULL || copy == NULL) {
    CE_CHECK(0, "malloc");
    free(buf);
    free(copy);
    ce_ctx_free(ctx);
    return;
  }
  for (size_t i = 0; i < cap; i++)
    buf[i] = (uint8_t)(i * 31);
  memcpy(copy, buf, cap);
  uint64_t pn = ce_ctx_next_pn(ctx);

  size_t len = CE_MAX_PAYLOAD + 1;
  CE_CHECK_STATUS(ce_protect(ctx, buf, &len, cap), CE_ERR_TOO_LARGE, "m%d",
                  mode);
  CE_CHECK(len == CE_MAX_PAYLOAD + 1 && memcmp(buf, copy, cap) == 0,
           "too large leaves buffer, mode %d", mode);

  len = CE_MAX_PAYLOAD;
  size_t frame = len + ce_overhead(mode, len);
  CE_CHECK_STATUS(ce_protect(ctx, buf, &len, frame - 1),
                  CE_ERR_BUFFER_TOO_SMALL, "m%d", mode);
  CE_CHECK(len == CE_MAX_PAYLOAD && memcmp(buf, copy, cap) == 0,
           "too small leaves buffer, mode %d", mode);
  CE_CHECK(ce_ctx_next_pn(ctx) == pn, "PN does not advance on failure");

  /* The maximum payload protects and comes back. */
  CE_CHECK_STATUS(ce_protect(ctx, buf, &len, frame), CE_OK, "max m%d", mode);
  CE_CHECK(len == frame, "max frame length");
  CE_CHECK_STATUS(ce_unprotect(ctx, buf, &len), CE_OK, "max back");
  CE_CHECK(len == CE_MAX_PAYLOAD && memcmp(buf, copy, len) == 0, "max data");

  /* A frame one byte longer than the mode's maximum is MALFORMED. */
  memcpy(buf, copy, cap);
  len = frame + 1;
  CE_CHECK_STATUS(ce_unprotect(ctx, buf, &len), CE_ERR_MALFORMED, "m%d", mode);
  CE_CHECK(len == frame + 1 && memcmp(buf, copy, cap) == 0, "unchanged");

  /* NULL arguments. */
  CE_CHECK_STATUS(ce_protect(NULL, buf, &len, cap), CE_ERR_INVALID_ARGUMENT,
                  "NULL ctx");
  CE_CHECK_STATUS(ce_protect(ctx, NULL, &len, cap), CE_ERR_INVALID_ARGUMENT,
                  "NULL buf");
  CE_CHECK_STATUS(ce_protect(ctx, buf, NULL, cap), CE_ERR_INVALID_ARGUMENT,
                  "NULL len");
  CE_CHECK_STATUS(ce_unprotect(ctx, NULL, &len), CE_ERR_INVALID_ARGUMENT,
                  "NULL buf");
  CE_CHECK_STATUS(ce_unprotect(NULL, buf, &len), CE_ERR_INVALID_ARGUMENT,
                  "NULL ctx");
  /* Partly overlapping in and out work (all input is read before any
     output is written; tests/c/test_hardening.c covers every shift). */
  size_t out_len = 100;
  memcpy(buf, copy, 50);
  CE_CHECK_STATUS(ce_protect_into(ctx, buf, 50, buf + 10, &out_len), CE_OK,
                  "partial overlap");
  size_t back_len = 100;
  CE_CHECK_STATUS(ce_unprotect_into(ctx, buf + 10, out_len, buf + 3, &back_len),
                  CE_OK, "partial overlap back");
  CE_CHECK(back_len == 50 && memcmp(buf + 3, copy, 50) == 0,
           "overlap round trip");

  /* Out of place, capacity too small for the payload: out untouched. */
  len = 100;
  memcpy(buf, copy, 100);
  CE_CHECK_STATUS(ce_protect(ctx, buf, &len, cap), CE_OK, "small frame");
  uint8_t out[128], out_copy[128];
  memset(out, 0xee, sizeof out);
  memcpy(out_copy, out, sizeof out);
  out_len = 99;
  CE_CHECK_STATUS(ce_unprotect_into(ctx, buf, len, out, &out_len),
                  CE_ERR_BUFFER_TOO_SMALL, "into too small m%d", mode);
  CE_CHECK(out_len == 99 && memcmp(out, out_copy, sizeof out) == 0,
           "out untouched");
  out_len = 100 + ce_overhead(mode, 100) - 1;
  CE_CHECK_STATUS(ce_protect_into(ctx, copy, 100, out, &out_len),
                  CE_ERR_BUFFER_TOO_SMALL, "protect into too small");
  CE_CHECK(memcmp(out, out_copy, sizeof out) == 0, "out untouched");
  /* in == out is the in-place form. */
  out_len = len;
  CE_CHECK_STATUS(ce_unprotect_into(ctx, buf, len, buf, &out_len), CE_OK,
                  "in == out");
  CE_CHECK(out_len == 100 && memcmp(buf, copy, 100) == 0, "in == out data");

  free(buf);
  free(copy);
  ce_ctx_free(ctx);
}

/* Spec 7: the context's PN starts at random and advances by one per
   XTS/GCM frame; the explicit-PN form leaves it alone; it wraps mod 2^64. */
static void test_packet_numbers(void) {
  ce_ctx *a = new_ctx(5), *b = new_ctx(5), *e = new_ctx(2);
  if (!a || !b || !e) {
    ce_ctx_free(a);
    ce_ctx_free(b);
    ce_ctx_free(e);
    return;
  }
  CE_CHECK(ce_ctx_next_pn(a) != ce_ctx_next_pn(b), "random start differs");
  uint8_t buf[64] = {0};
  size_t len = 5;
  uint64_t pn = ce_ctx_next_pn(a);
  CE_CHECK_STATUS(ce_protect(a, buf, &len, sizeof buf), CE_OK, "protect");
  uint64_t in_frame = 0;
  for (int i = 0; i < 8; i++)
    in_frame = (in_frame << 8) | buf[2 + i];
  CE_CHECK(in_frame == pn && ce_ctx_next_pn(a) == pn + 1, "PN in header");
  len = 5;
  CE_CHECK_STATUS(ce_testing_protect_pn(a, UINT64_MAX, buf, &len, sizeof buf),
                  CE_OK, "explicit");
  CE_CHECK(ce_ctx_next_pn(a) == pn + 1, "explicit PN leaves the counter");
  CE_CHECK(buf[2] == 0xff && buf[9] == 0xff, "BE64 of 2^64-1");
  CE_CHECK_STATUS(ce_unprotect(a, buf, &len), CE_OK, "unprotect max PN");
  uint64_t epn = ce_ctx_next_pn(e);
  len = 5;
  CE_CHECK_STATUS(ce_protect(e, buf, &len, sizeof buf), CE_OK, "ecb");
  CE_CHECK(len == 18 && ce_ctx_next_pn(e) == epn, "ECB has no PN");
  CE_CHECK(ce_ctx_mode(a) == 5 && ce_ctx_mode(NULL) == 0, "ctx mode");
  ce_ctx_free(a);
  ce_ctx_free(b);
  ce_ctx_free(e);
}

static void test_derive(void) {
  ce_config cfg;
  ce_config_init(&cfg);
  ce_config_set_key_str(&cfg, "same key");
  memset(cfg.salt, 1, sizeof cfg.salt);
  ce_derived d[9];
  memset(d, 0, sizeof d);
  for (int m = 1; m <= 8; m++) {
    cfg.mode = m;
    CE_CHECK_STATUS(ce_derive(&cfg, &d[m]), CE_OK, "derive %d", m);
    CE_CHECK(d[m].enc_key_len == ce_mode_key_bytes(m), "key len %d", m);
    CE_CHECK(d[m].has_iv_base == (m >= 5), "iv_base only for GCM (%d)", m);
  }
  /* Spec 4: the mode string is bound into every output. */
  CE_CHECK(memcmp(d[5].enc_key, d[7].enc_key, 16) != 0, "5 vs 7 keys");
  CE_CHECK(memcmp(d[2].enc_key, d[4].enc_key, 16) != 0, "2 vs 4 keys");
  /* GCM2 depends on the salt; GCM does not. */
  ce_derived other;
  cfg.mode = 7;
  memset(cfg.salt, 2, sizeof cfg.salt);
  CE_CHECK_STATUS(ce_derive(&cfg, &other), CE_OK, "derive salt 2");
  CE_CHECK(memcmp(other.enc_key, d[7].enc_key, 16) != 0, "salt matters");
  cfg.mode = 5;
  CE_CHECK_STATUS(ce_derive(&cfg, &other), CE_OK, "derive gcm salt 2");
  CE_CHECK(memcmp(other.enc_key, d[5].enc_key, 16) == 0, "salt ignored");
  CE_CHECK_STATUS(ce_derive(&cfg, NULL), CE_ERR_INVALID_ARGUMENT, "NULL");
  ce_wipe(d, sizeof d);
  ce_wipe(NULL, 5);
}

/* ce_ctx_dup: same keys (frames interoperate both ways), own PN. */
static void test_dup(void) {
  for (int m = 1; m <= 8; m++) {
    ce_ctx *a = new_ctx(m), *b = NULL;
    CE_CHECK_STATUS(ce_ctx_dup(a, &b), CE_OK, "dup mode %d", m);
    if (a == NULL || b == NULL) {
      ce_ctx_free(a);
      ce_ctx_free(b);
      continue;
    }
    CE_CHECK(ce_ctx_mode(b) == m && ce_ctx_check(b) == ce_ctx_check(a),
             "dup keeps mode and check");
    CE_CHECK(ce_ctx_next_pn(a) != ce_ctx_next_pn(b), "dup draws its own PN");
    uint8_t fa[64], fb[64];
    size_t la = 20, lb = 20;
    memset(fa, 7, sizeof fa);
    memset(fb, 7, sizeof fb);
    CE_CHECK_STATUS(ce_testing_protect_pn(a, 42, fa, &la, sizeof fa), CE_OK,
                    "a");
    CE_CHECK_STATUS(ce_testing_protect_pn(b, 42, fb, &lb, sizeof fb), CE_OK,
                    "b");
    CE_CHECK(la == lb && memcmp(fa, fb, la) == 0, "same frame, mode %d", m);
    CE_CHECK_STATUS(ce_unprotect(b, fa, &la), CE_OK, "b opens a's frame");
    ce_ctx_free(a);
    ce_ctx_free(b);
  }
  ce_ctx *out = (ce_ctx *)&out;
  CE_CHECK_STATUS(ce_ctx_dup(NULL, &out), CE_ERR_INVALID_ARGUMENT, "NULL");
  CE_CHECK(out == NULL, "out NULL on failure");
}

int main(void) {
  test_dup();
  test_statuses();
  test_modes();
  test_config();
  for (int m = 1; m <= 8; m++)
    test_protect_limits(m);
  test_packet_numbers();
  test_derive();
  printf("%s\n", ce_version());
  return ce_test_finish("test_api");
}
