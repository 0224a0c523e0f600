/*
 * test_backends.c - the cipher backends (chanenc.h "Cipher backends",
 * ref/src/backend.h).
 *
 *  1. The choice: backend names both ways; ce_backend_select for every
 *     backend and mode (and its refusals); ce_config_set_backend;
 *     ce_config_check, ce_derive, ce_ctx_new and
 *     ce_channel_enable_encryption refusing a backend that cannot serve the
 *     mode (NOT_SUPPORTED, after every INVALID_ARGUMENT) and a value that
 *     is no backend (INVALID_ARGUMENT); ce_ctx_backend; ce_ctx_dup keeping
 *     the backend; ce_version listing the backends built in.
 *  2. A differential test of intel-ipsec-mb against OpenSSL (the
 *     reference backend) on random inputs, every GCM mode: each payload
 *     length 0..2048 and a sample of longer ones up to 65,535 (the largest
 *     included). Per length: both make byte-identical frames for the same
 *     packet number; each opens the other's frames, in place and out of
 *     place; frames tampered with (one bit flipped anywhere, one byte cut
 *     off, one byte appended) get the same refusal from both, with the
 *     caller's buffer and length untouched. Contexts also protect with
 *     their own packet numbers, opened by the other backend.
 *  3. The testing interface's per-backend GCM operations: argument checks,
 *     truncated tags, a wrong tag leaving the output untouched.
 * Random inputs come from a seed (printed; CE_TEST_SEED=N replays one).
 * Without ipsec-mb (not built in, or a CPU without AES-NI) parts 2 and 3
 * say so and check that ipsec-mb is refused instead.
 */
#include "ce_test.h"

#include "chanenc.h"
#include "chanenc_channel.h"
#include "chanenc_testing.h"

#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t g_rng;

static uint64_t rnd(void) { /* splitmix64 */
  uint64_t z = (g_rng += UINT64_C(0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static void rnd_fill(uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    p[i] = (uint8_t)rnd();
}

static void cfg_for(ce_config *cfg, int mode, int backend) {
  ce_config_init(cfg);
  cfg->mode = mode;
  ce_config_set_key_str(cfg, "backend differential");
  for (size_t i = 0; i < CE_SALT_LEN; i++)
    cfg->salt[i] = (uint8_t)(0x3a + 7 * i);
  cfg->backend = backend;
}

static int ipsecmb_usable(void) {
  int b;
  return ce_backend_select(CE_BACKEND_IPSECMB, CE_MODE_AES_128_GCM, &b) ==
         CE_OK;
}

/* ---- 1. the choice ------------------------------------------------------- */

static void test_names(void) {
  static const char *const names[] = {"auto", "openssl", "ipsec-mb"};
  for (int b = 0; b < 3; b++) {
    CE_CHECK(ce_backend_name(b) && strcmp(ce_backend_name(b), names[b]) == 0,
             "name of %d", b);
    CE_CHECK(ce_backend_from_name(names[b]) == b, "from name %s", names[b]);
  }
  CE_CHECK(ce_backend_name(-1) == NULL && ce_backend_name(3) == NULL,
           "names of non-backends");
  static const char *const bad[] = {
      "", "AUTO", "OpenSSL", "ipsec_mb", "ipsecmb", "openssl ", "nss"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    CE_CHECK(ce_backend_from_name(bad[i]) == -1, "from name \"%s\"", bad[i]);
  CE_CHECK(ce_backend_from_name(NULL) == -1, "from name NULL");
}

static void test_select(void) {
  int usable = ipsecmb_usable(), out = 77;
  CE_CHECK_STATUS(ce_backend_select(CE_BACKEND_AUTO, 5, NULL),
                  CE_ERR_INVALID_ARGUMENT, "select: NULL out");
  CE_CHECK_STATUS(ce_backend_select(CE_BACKEND_AUTO, 0, &out),
                  CE_ERR_INVALID_ARGUMENT, "select: mode 0");
  CE_CHECK_STATUS(ce_backend_select(CE_BACKEND_AUTO, 9, &out),
                  CE_ERR_INVALID_ARGUMENT, "select: mode 9");
  CE_CHECK_STATUS(ce_backend_select(-1, 5, &out), CE_ERR_INVALID_ARGUMENT,
                  "select: backend -1");
  CE_CHECK_STATUS(ce_backend_select(3, 5, &out), CE_ERR_INVALID_ARGUMENT,
                  "select: backend 3");
  CE_CHECK(out == 77, "select: *out written on failure");
  for (int mode = 1; mode <= 8; mode++) {
    int gcm = ce_mode_family(mode) == CE_FAMILY_GCM;
    out = -5;
    CE_CHECK_STATUS(ce_backend_select(CE_BACKEND_AUTO, mode, &out), CE_OK,
                    "auto m%d", mode);
    CE_CHECK(out == (gcm && usable ? CE_BACKEND_IPSECMB : CE_BACKEND_OPENSSL),
             "auto m%d chose %d", mode, out);
    CE_CHECK_STATUS(ce_backend_select(CE_BACKEND_OPENSSL, mode, &out), CE_OK,
                    "openssl m%d", mode);
    CE_CHECK(out == CE_BACKEND_OPENSSL, "openssl m%d chose %d", mode, out);
    out = -5;
    ce_status want = gcm && usable ? CE_OK : CE_ERR_NOT_SUPPORTED;
    CE_CHECK_STATUS(ce_backend_select(CE_BACKEND_IPSECMB, mode, &out), want,
                    "ipsec-mb m%d", mode);
    CE_CHECK(out == (want == CE_OK ? CE_BACKEND_IPSECMB : -5),
             "ipsec-mb m%d: *out %d", mode, out);
  }
}

static void test_config(void) {
  ce_config cfg;
  cfg_for(&cfg, CE_MODE_AES_256_GCM, CE_BACKEND_AUTO);
  ce_config fresh;
  ce_config_init(&fresh);
  CE_CHECK(fresh.backend == CE_BACKEND_AUTO, "a fresh config is auto");
  CE_CHECK_STATUS(ce_config_set_backend(NULL, "openssl"),
                  CE_ERR_INVALID_ARGUMENT, "set_backend NULL cfg");
  CE_CHECK_STATUS(ce_config_set_backend(&cfg, NULL), CE_ERR_INVALID_ARGUMENT,
                  "set_backend NULL name");
  CE_CHECK_STATUS(ce_config_set_backend(&cfg, "fast"), CE_ERR_INVALID_ARGUMENT,
                  "set_backend unknown");
  CE_CHECK(cfg.backend == CE_BACKEND_AUTO, "refused name changed the config");
  CE_CHECK_STATUS(ce_config_set_backend(&cfg, "ipsec-mb"), CE_OK, "set");
  CE_CHECK(cfg.backend == CE_BACKEND_IPSECMB, "set ipsec-mb");
  CE_CHECK_STATUS(ce_config_set_backend(&cfg, "openssl"), CE_OK, "set");
  CE_CHECK(cfg.backend == CE_BACKEND_OPENSSL, "set openssl");
  CE_CHECK_STATUS(ce_config_set_backend(&cfg, "auto"), CE_OK, "set");
  CE_CHECK(cfg.backend == CE_BACKEND_AUTO, "set auto");

  /* Not a backend: INVALID_ARGUMENT everywhere. */
  for (int bad = -1; bad <= 3; bad += 4) {
    cfg_for(&cfg, CE_MODE_AES_128_GCM, bad);
    ce_ctx *ctx = (ce_ctx *)&cfg;
    ce_derived d;
    CE_CHECK_STATUS(ce_config_check(&cfg), CE_ERR_INVALID_ARGUMENT,
                    "check backend %d", bad);
    CE_CHECK_STATUS(ce_derive(&cfg, &d), CE_ERR_INVALID_ARGUMENT,
                    "derive backend %d", bad);
    CE_CHECK_STATUS(ce_ctx_new(&cfg, &ctx), CE_ERR_INVALID_ARGUMENT,
                    "ctx_new backend %d", bad);
    CE_CHECK(ctx == NULL, "ctx_new: *out not NULL");
  }

  /* ipsec-mb for a mode it does not serve (and for GCM where it cannot
     run): NOT_SUPPORTED, but only after every INVALID_ARGUMENT. */
  int usable = ipsecmb_usable();
  for (int mode = 1; mode <= 8; mode++) {
    cfg_for(&cfg, mode, CE_BACKEND_IPSECMB);
    int serves = ce_mode_family(mode) == CE_FAMILY_GCM && usable;
    if (ce_mode_supported(mode) != CE_OK)
      continue;
    ce_status want = serves ? CE_OK : CE_ERR_NOT_SUPPORTED;
    CE_CHECK_STATUS(ce_config_check(&cfg), want, "check ipsec-mb m%d", mode);
    if (mode == 7 || mode == 8)
      continue; /* the PBKDF2 of a successful derive: in part 2 */
    ce_derived d;
    memset(&d, 0x55, sizeof d);
    CE_CHECK_STATUS(ce_derive(&cfg, &d), want, "derive ipsec-mb m%d", mode);
    if (want != CE_OK)
      CE_CHECK(d.check == 0x55 && d.enc_key[0] == 0x55,
               "derive m%d wrote *out on failure", mode);
    ce_wipe(&d, sizeof d);
    ce_ctx *ctx = (ce_ctx *)&cfg;
    CE_CHECK_STATUS(ce_ctx_new(&cfg, &ctx), want, "ctx_new ipsec-mb m%d", mode);
    CE_CHECK(want == CE_OK || ctx == NULL, "ctx_new m%d: *out not NULL", mode);
    if (want == CE_OK) {
      CE_CHECK(strcmp(ce_ctx_backend(ctx), "ipsec-mb") == 0, "m%d backend",
               mode);
      ce_ctx_free(ctx);
    }
    ce_channel *ch = NULL;
    if (ce_channel_new(&ch) == CE_OK) {
      CE_CHECK(ce_channel_enable_encryption(ch, 1, &cfg) ==
                   (want == CE_OK ? CE_SDK_OK : CE_SDK_ERR_NOT_SUPPORTED),
               "channel enable ipsec-mb m%d", mode);
      ce_channel_free(ch);
    }
  }
  /* INVALID_ARGUMENT before NOT_SUPPORTED (spec 10.1). */
  cfg_for(&cfg, CE_MODE_AES_128_XTS, CE_BACKEND_IPSECMB);
  cfg.key_len = 0;
  CE_CHECK_STATUS(ce_config_check(&cfg), CE_ERR_INVALID_ARGUMENT,
                  "empty key and a backend that cannot serve");
  cfg_for(&cfg, 9, CE_BACKEND_IPSECMB);
  CE_CHECK_STATUS(ce_config_check(&cfg), CE_ERR_INVALID_ARGUMENT,
                  "mode 9 and ipsec-mb");
}

static void test_ctx_backend(void) {
  CE_CHECK(ce_ctx_backend(NULL) == NULL, "ce_ctx_backend(NULL)");
  for (int mode = 1; mode <= 6; mode++) { /* no PBKDF2 here */
    if (ce_mode_supported(mode) != CE_OK)
      continue;
    for (int b = CE_BACKEND_AUTO; b <= CE_BACKEND_IPSECMB; b++) {
      int want;
      if (ce_backend_select(b, mode, &want) != CE_OK)
        continue;
      ce_config cfg;
      cfg_for(&cfg, mode, b);
      ce_ctx *ctx = NULL, *dup = NULL;
      CE_CHECK_STATUS(ce_ctx_new(&cfg, &ctx), CE_OK, "m%d b%d", mode, b);
      CE_CHECK_STATUS(ce_ctx_dup(ctx, &dup), CE_OK, "dup m%d b%d", mode, b);
      if (ctx == NULL || dup == NULL) {
        ce_ctx_free(ctx);
        continue;
      }
      CE_CHECK(strcmp(ce_ctx_backend(ctx), ce_backend_name(want)) == 0,
               "m%d asked %s, runs on %s", mode, ce_backend_name(b),
               ce_ctx_backend(ctx));
      CE_CHECK(strcmp(ce_ctx_backend(dup), ce_ctx_backend(ctx)) == 0,
               "m%d: dup runs on %s", mode, ce_ctx_backend(dup));
      /* The copy works with the original's keys, both ways. */
      uint8_t buf[64] = {1, 2, 3};
      size_t len = 20;
      CE_CHECK(ce_protect(dup, buf, &len, sizeof buf) == CE_OK &&
                   ce_unprotect(ctx, buf, &len) == CE_OK && len == 20 &&
                   buf[2] == 3,
               "m%d b%d: dup and original interoperate", mode, b);
      ce_ctx_free(dup);
      ce_ctx_free(ctx);
    }
  }
}

static void test_version(void) {
  const char *v = ce_version();
  CE_CHECK(strstr(v, "backends: openssl") != NULL, "version: %s", v);
#ifdef CE_TEST_HAVE_IPSECMB
  CE_CHECK(strstr(v, ", ipsec-mb ") != NULL, "version: %s", v);
#else
  CE_CHECK(strstr(v, "ipsec-mb") == NULL, "version: %s", v);
  CE_CHECK(!ipsecmb_usable(), "ipsec-mb usable though not built in");
#endif
  printf("%s\n", v);
}

/* ---- 2. differential: ipsec-mb against OpenSSL --------------------------- */

#define BUF (CE_MAX_FRAME + 64)

typedef struct diff_state {
  ce_ctx *ossl, *imb;
  int mode;
  uint8_t *payload, *a, *b, *c, *snap;
  unsigned long frames, tampered;
} diff_state;

/* Both contexts refuse frame[0..n) (in place) with the same status, and
   leave the buffer and length as they were. */
static void same_refusal(diff_state *s, const uint8_t *frame, size_t n,
                         const char *what, size_t plen) {
  ce_status st[2];
  ce_ctx *ctx[2] = {s->ossl, s->imb};
  for (int k = 0; k < 2; k++) {
    memcpy(s->c, frame, n);
    memcpy(s->snap, frame, n);
    size_t len = n;
    st[k] = ce_unprotect(ctx[k], s->c, &len);
    CE_CHECK(len == n && memcmp(s->c, s->snap, n) == 0,
             "m%d len %zu %s (%s): buffer or length changed", s->mode, plen,
             what, ce_ctx_backend(ctx[k]));
  }
  CE_CHECK(st[0] == st[1], "m%d len %zu %s: openssl %s, ipsec-mb %s", s->mode,
           plen, what, ce_status_name(st[0]), ce_status_name(st[1]));
  CE_CHECK(st[0] != CE_OK, "m%d len %zu %s: accepted", s->mode, plen, what);
  s->tampered++;
}

static void diff_one(diff_state *s, size_t n) {
  uint64_t pn = rnd();
  size_t flen = n + CE_MAX_OVERHEAD, la = n, lb = n;
  rnd_fill(s->payload, n);
  memcpy(s->a, s->payload, n);
  memcpy(s->b, s->payload, n);
  CE_CHECK_STATUS(ce_testing_protect_pn(s->ossl, pn, s->a, &la, flen), CE_OK,
                  "m%d len %zu: openssl protect", s->mode, n);
  CE_CHECK_STATUS(ce_testing_protect_pn(s->imb, pn, s->b, &lb, flen), CE_OK,
                  "m%d len %zu: ipsec-mb protect", s->mode, n);
  CE_CHECK(la == flen && lb == flen && memcmp(s->a, s->b, flen) == 0,
           "m%d len %zu pn %016" PRIx64 ": frames differ", s->mode, n, pn);
  s->frames++;

  /* Each opens the other's frame: in place, and out of place. */
  memcpy(s->c, s->a, flen);
  size_t lc = flen;
  CE_CHECK(ce_unprotect(s->imb, s->c, &lc) == CE_OK && lc == n &&
               memcmp(s->c, s->payload, n) == 0,
           "m%d len %zu: ipsec-mb does not open openssl's frame", s->mode, n);
  lc = BUF;
  CE_CHECK(ce_unprotect_into(s->ossl, s->b, flen, s->c, &lc) == CE_OK &&
               lc == n && memcmp(s->c, s->payload, n) == 0,
           "m%d len %zu: openssl does not open ipsec-mb's frame", s->mode, n);

  /* Tampered: a bit flipped anywhere, the frame cut short, extended. */
  size_t at = (size_t)(rnd() % flen);
  memcpy(s->c, s->a, flen);
  s->c[at] ^= (uint8_t)(1u << (rnd() % 8));
  memcpy(s->b, s->c, flen);
  char what[48];
  snprintf(what, sizeof what, "bit flipped in byte %zu", at);
  same_refusal(s, s->b, flen, what, n);
  same_refusal(s, s->a, flen - 1, "one byte cut off", n);
  s->a[flen] = (uint8_t)rnd();
  same_refusal(s, s->a, flen + 1, "one byte appended", n);

  /* Each context's own packet number, opened by the other backend. */
  la = n;
  memcpy(s->a, s->payload, n);
  CE_CHECK(ce_protect(s->imb, s->a, &la, flen) == CE_OK &&
               ce_unprotect(s->ossl, s->a, &la) == CE_OK && la == n &&
               memcmp(s->a, s->payload, n) == 0,
           "m%d len %zu: ipsec-mb protect, openssl unprotect", s->mode, n);
  lb = BUF;
  CE_CHECK(ce_protect_into(s->ossl, s->payload, n, s->b, &lb) == CE_OK &&
               ce_unprotect(s->imb, s->b, &lb) == CE_OK && lb == n &&
               memcmp(s->b, s->payload, n) == 0,
           "m%d len %zu: openssl protect, ipsec-mb unprotect", s->mode, n);
}

static void test_differential(void) {
  if (!ipsecmb_usable()) {
    printf("differential: ipsec-mb not built in or not usable here, "
           "skipped\n");
    CE_SKIP(1);
    return;
  }
  diff_state s;
  memset(&s, 0, sizeof s);
  s.payload = malloc(BUF);
  s.a = malloc(BUF);
  s.b = malloc(BUF);
  s.c = malloc(BUF);
  s.snap = malloc(BUF);
  if (!s.payload || !s.a || !s.b || !s.c || !s.snap)
    exit(2);
  for (int mode = 5; mode <= 8; mode++) {
    ce_config cfg;
    cfg_for(&cfg, mode, CE_BACKEND_OPENSSL);
    s.mode = mode;
    CE_CHECK_STATUS(ce_ctx_new(&cfg, &s.ossl), CE_OK, "openssl m%d", mode);
    cfg.backend = CE_BACKEND_IPSECMB;
    CE_CHECK_STATUS(ce_ctx_new(&cfg, &s.imb), CE_OK, "ipsec-mb m%d", mode);
    if (s.ossl == NULL || s.imb == NULL)
      exit(2);
    CE_CHECK(strcmp(ce_ctx_backend(s.ossl), "openssl") == 0 &&
                 strcmp(ce_ctx_backend(s.imb), "ipsec-mb") == 0,
             "m%d: backends", mode);
    unsigned long fails = ce_test_failed;
    for (size_t n = 0; n <= 2048; n++)
      diff_one(&s, n);
    /* Longer payloads: the largest ones, powers of two and a random sample
       (packets this long are rare; every length costs a full pass). */
    static const size_t edges[] = {2049,  4095,  4096,  4097,  8192,
                                   16383, 16384, 32768, 65534, 65535};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
      diff_one(&s, edges[i]);
    for (int i = 0; i < 150; i++)
      diff_one(&s, 2049 + (size_t)(rnd() % (CE_MAX_PAYLOAD - 2048)));
    printf("differential %s: %s\n", ce_mode_name(mode),
           ce_test_failed == fails ? "identical" : "DIFFERENCES");
    ce_ctx_free(s.ossl);
    ce_ctx_free(s.imb);
  }
  printf("differential: %lu frames made by both backends, %lu tampered "
         "frames refused by both\n",
         s.frames, s.tampered);
  free(s.payload);
  free(s.a);
  free(s.b);
  free(s.c);
  free(s.snap);
}

/* ---- 3. the testing interface's per-backend GCM ------------------------ */

static void test_gcm_ops(void) {
  uint8_t key[32], iv[12], aad[20], in[100], out[100], back[100], tag[16];
  rnd_fill(key, sizeof key);
  rnd_fill(iv, sizeof iv);
  rnd_fill(aad, sizeof aad);
  rnd_fill(in, sizeof in);
  int usable = ipsecmb_usable();
  for (int b = CE_BACKEND_AUTO; b <= 3; b++) {
    ce_status want = CE_ERR_INVALID_ARGUMENT; /* auto, and no backend */
    if (b == CE_BACKEND_OPENSSL || (b == CE_BACKEND_IPSECMB && usable))
      want = CE_OK;
    else if (b == CE_BACKEND_IPSECMB)
      want = CE_ERR_NOT_SUPPORTED;
    CE_CHECK_STATUS(ce_testing_gcm_backend_encrypt(b, key, 16, iv, 12, aad, 20,
                                                   in, 100, out, tag, 16),
                    want, "backend %d", b);
    if (want != CE_OK)
      continue;
    const char *name = ce_backend_name(b);
    /* Arguments. */
    CE_CHECK_STATUS(ce_testing_gcm_backend_encrypt(b, key, 24, iv, 12, aad, 20,
                                                   in, 100, out, tag, 16),
                    CE_ERR_INVALID_ARGUMENT, "%s: 24-byte key", name);
    CE_CHECK_STATUS(ce_testing_gcm_backend_encrypt(b, NULL, 16, iv, 12, aad, 20,
                                                   in, 100, out, tag, 16),
                    CE_ERR_INVALID_ARGUMENT, "%s: NULL key", name);
    CE_CHECK_STATUS(ce_testing_gcm_backend_encrypt(b, key, 16, iv, 16, aad, 20,
                                                   in, 100, out, tag, 16),
                    CE_ERR_INVALID_ARGUMENT, "%s: 16-byte IV", name);
    CE_CHECK_STATUS(ce_testing_gcm_backend_encrypt(b, key, 16, NULL, 12, aad,
                                                   20, in, 100, out, tag, 16),
                    CE_ERR_INVALID_ARGUMENT, "%s: NULL IV", name);
    CE_CHECK_STATUS(ce_testing_gcm_backend_encrypt(b, key, 16, iv, 12, NULL, 20,
                                                   in, 100, out, tag, 16),
                    CE_ERR_INVALID_ARGUMENT, "%s: NULL AAD", name);
    CE_CHECK_STATUS(ce_testing_gcm_backend_encrypt(b, key, 16, iv, 12, aad, 20,
                                                   NULL, 100, out, tag, 16),
                    CE_ERR_INVALID_ARGUMENT, "%s: NULL in", name);
    CE_CHECK_STATUS(ce_testing_gcm_backend_encrypt(b, key, 16, iv, 12, aad, 20,
                                                   in, 100, NULL, tag, 16),
                    CE_ERR_INVALID_ARGUMENT, "%s: NULL out", name);
    CE_CHECK_STATUS(ce_testing_gcm_backend_encrypt(b, key, 16, iv, 12, aad, 20,
                                                   in, 100, out, NULL, 16),
                    CE_ERR_INVALID_ARGUMENT, "%s: NULL tag", name);
    CE_CHECK_STATUS(ce_testing_gcm_backend_encrypt(b, key, 16, iv, 12, aad, 20,
                                                   in, 100, out, tag, 0),
                    CE_ERR_INVALID_ARGUMENT, "%s: tag_len 0", name);
    CE_CHECK_STATUS(ce_testing_gcm_backend_decrypt(b, key, 16, iv, 12, aad, 20,
                                                   in, 100, tag, 17, out),
                    CE_ERR_INVALID_ARGUMENT, "%s: tag_len 17", name);
    CE_CHECK_STATUS(ce_testing_gcm_backend_encrypt(b, key, 16, iv, 12, aad,
                                                   (size_t)INT_MAX + 1, in, 100,
                                                   out, tag, 16),
                    CE_ERR_TOO_LARGE, "%s: AAD over INT_MAX", name);
    CE_CHECK_STATUS(ce_testing_gcm_backend_decrypt(b, key, 16, iv, 12, aad, 20,
                                                   in, (size_t)INT_MAX + 1, tag,
                                                   16, out),
                    CE_ERR_TOO_LARGE, "%s: input over INT_MAX", name);
    /* Empty everything is valid GCM (a GMAC of nothing). */
    CE_CHECK_STATUS(ce_testing_gcm_backend_encrypt(b, key, 32, iv, 12, NULL, 0,
                                                   NULL, 0, NULL, tag, 16),
                    CE_OK, "%s: empty", name);
    CE_CHECK_STATUS(ce_testing_gcm_backend_decrypt(b, key, 32, iv, 12, NULL, 0,
                                                   NULL, 0, tag, 16, NULL),
                    CE_OK, "%s: empty, decrypt", name);
    /* A 12-byte tag round trip; a wrong tag changes nothing. */
    for (size_t kl = 16; kl <= 32; kl += 16) {
      CE_CHECK_STATUS(ce_testing_gcm_backend_encrypt(b, key, kl, iv, 12, aad,
                                                     20, in, 100, out, tag, 12),
                      CE_OK, "%s: encrypt", name);
      CE_CHECK_STATUS(ce_testing_gcm_backend_decrypt(
                          b, key, kl, iv, 12, aad, 20, out, 100, tag, 12, back),
                      CE_OK, "%s: decrypt", name);
      CE_CHECK(memcmp(back, in, 100) == 0, "%s: round trip", name);
      tag[11] ^= 1;
      memset(back, 0xee, sizeof back);
      CE_CHECK_STATUS(ce_testing_gcm_backend_decrypt(
                          b, key, kl, iv, 12, aad, 20, out, 100, tag, 12, back),
                      CE_ERR_AUTH_FAILED, "%s: wrong tag", name);
      CE_CHECK(back[0] == 0xee && back[99] == 0xee,
               "%s: output written on AUTH_FAILED", name);
    }
  }
}

int main(void) {
  const char *seed_env = getenv("CE_TEST_SEED");
  uint64_t seed = seed_env && *seed_env ? strtoull(seed_env, NULL, 0)
                                        : (uint64_t)time(NULL);
  g_rng = seed;
  printf("test_backends: seed %" PRIu64 " (CE_TEST_SEED=%" PRIu64 " replays)\n",
         seed, seed);
  test_names();
  test_select();
  test_config();
  test_ctx_backend();
  test_version();
  test_differential();
  test_gcm_ops();
  return ce_test_finish("test_backends");
}
