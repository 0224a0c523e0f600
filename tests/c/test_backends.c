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
 *  2. A differential test of each fast backend against OpenSSL (the
 *     reference backend) on random inputs: intel-ipsec-mb in every GCM
 *     mode, sm4-simd in SM4_128_ECB, at the frame level (ce_protect and
 *     ce_unprotect of a context on each backend): each payload
 *     length 0..2048 and a sample of longer ones up to 65,535 (the largest
 *     included). Per length: both make byte-identical frames for the same
 *     packet number; each opens the other's frames, in place and out of
 *     place; frames tampered with (one bit flipped anywhere, one byte cut
 *     off, one byte appended) get the same refusal from both, with the
 *     caller's buffer and length untouched. Contexts also protect with
 *     their own packet numbers, opened by the other backend.
 *  3. The testing interface's per-backend GCM and ECB operations: argument
 *     checks, truncated tags, a wrong tag leaving the output untouched;
 *     ECB: every block count 0..64 and a few large ones, sm4-simd against
 *     OpenSSL, in place and out of place.
 * Random inputs come from a seed (printed; CE_TEST_SEED=N replays one).
 * Without ipsec-mb (not built in, or a CPU without AES-NI) or sm4-simd (a
 * CPU without GFNI or AES-NI with AVX2) parts 2 and 3 say so and check
 * that the backend is refused instead.
 */
#include "ce_test.h"

#include "chanenc.h"
#include "chanenc_channel.h"
#include "chanenc_testing.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>

#include <openssl/crypto.h>
#ifdef CE_TEST_HAVE_IPSECMB
#include <intel-ipsec-mb.h>
#endif
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

static int sm4simd_usable(void) {
  int b;
  return ce_backend_select(CE_BACKEND_SM4SIMD, CE_MODE_SM4_128_ECB, &b) ==
         CE_OK;
}

/* Whether the named backend b serves mode here. */
static int serves(int b, int mode) {
  switch (b) {
  case CE_BACKEND_OPENSSL:
    return 1;
  case CE_BACKEND_IPSECMB:
    return ce_mode_family(mode) == CE_FAMILY_GCM && ipsecmb_usable();
  default:
    return mode == CE_MODE_SM4_128_ECB && sm4simd_usable();
  }
}

/* ---- 1. the choice ------------------------------------------------------- */

static void test_names(void) {
  static const char *const names[] = {"auto", "openssl", "ipsec-mb",
                                      "sm4-simd"};
  for (int b = 0; b < 4; b++) {
    CE_CHECK(ce_backend_name(b) && strcmp(ce_backend_name(b), names[b]) == 0,
             "name of %d", b);
    CE_CHECK(ce_backend_from_name(names[b]) == b, "from name %s", names[b]);
  }
  CE_CHECK(ce_backend_name(-1) == NULL && ce_backend_name(4) == NULL,
           "names of non-backends");
  static const char *const bad[] = {
      "",         "AUTO",    "OpenSSL",  "ipsec_mb", "ipsecmb",
      "openssl ", "sm4simd", "sm4_simd", "SM4-SIMD", "nss"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    CE_CHECK(ce_backend_from_name(bad[i]) == -1, "from name \"%s\"", bad[i]);
  CE_CHECK(ce_backend_from_name(NULL) == -1, "from name NULL");
}

static void test_select(void) {
  int usable = ipsecmb_usable(), sm4 = sm4simd_usable(), out = 77;
  CE_CHECK_STATUS(ce_backend_select(CE_BACKEND_AUTO, 5, NULL),
                  CE_ERR_INVALID_ARGUMENT, "select: NULL out");
  CE_CHECK_STATUS(ce_backend_select(CE_BACKEND_AUTO, 0, &out),
                  CE_ERR_INVALID_ARGUMENT, "select: mode 0");
  CE_CHECK_STATUS(ce_backend_select(CE_BACKEND_AUTO, 9, &out),
                  CE_ERR_INVALID_ARGUMENT, "select: mode 9");
  CE_CHECK_STATUS(ce_backend_select(-1, 5, &out), CE_ERR_INVALID_ARGUMENT,
                  "select: backend -1");
  CE_CHECK_STATUS(ce_backend_select(4, 4, &out), CE_ERR_INVALID_ARGUMENT,
                  "select: backend 4");
  CE_CHECK(out == 77, "select: *out written on failure");
  for (int mode = 1; mode <= 8; mode++) {
    int gcm = ce_mode_family(mode) == CE_FAMILY_GCM;
    int sm4mode = mode == CE_MODE_SM4_128_ECB;
    out = -5;
    CE_CHECK_STATUS(ce_backend_select(CE_BACKEND_AUTO, mode, &out), CE_OK,
                    "auto m%d", mode);
    int fastest = gcm && usable    ? CE_BACKEND_IPSECMB
                  : sm4mode && sm4 ? CE_BACKEND_SM4SIMD
                                   : CE_BACKEND_OPENSSL;
    CE_CHECK(out == fastest, "auto m%d chose %d", mode, out);
    CE_CHECK_STATUS(ce_backend_select(CE_BACKEND_OPENSSL, mode, &out), CE_OK,
                    "openssl m%d", mode);
    CE_CHECK(out == CE_BACKEND_OPENSSL, "openssl m%d chose %d", mode, out);
    out = -5;
    ce_status want = gcm && usable ? CE_OK : CE_ERR_NOT_SUPPORTED;
    CE_CHECK_STATUS(ce_backend_select(CE_BACKEND_IPSECMB, mode, &out), want,
                    "ipsec-mb m%d", mode);
    CE_CHECK(out == (want == CE_OK ? CE_BACKEND_IPSECMB : -5),
             "ipsec-mb m%d: *out %d", mode, out);
    out = -5;
    want = sm4mode && sm4 ? CE_OK : CE_ERR_NOT_SUPPORTED;
    CE_CHECK_STATUS(ce_backend_select(CE_BACKEND_SM4SIMD, mode, &out), want,
                    "sm4-simd m%d", mode);
    CE_CHECK(out == (want == CE_OK ? CE_BACKEND_SM4SIMD : -5),
             "sm4-simd m%d: *out %d", mode, out);
  }
#if defined(__x86_64__)
  /* This x86-64 CPU either has a vectorized SM4 or is told so. */
  printf("sm4-simd %s here\n", sm4 ? "usable" : "NOT usable");
#else
  CE_CHECK(!sm4, "sm4-simd usable off x86-64");
#endif
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
  CE_CHECK_STATUS(ce_config_set_backend(&cfg, "sm4-simd"), CE_OK, "set");
  CE_CHECK(cfg.backend == CE_BACKEND_SM4SIMD, "set sm4-simd");
  CE_CHECK_STATUS(ce_config_set_backend(&cfg, "openssl"), CE_OK, "set");
  CE_CHECK(cfg.backend == CE_BACKEND_OPENSSL, "set openssl");
  CE_CHECK_STATUS(ce_config_set_backend(&cfg, "auto"), CE_OK, "set");
  CE_CHECK(cfg.backend == CE_BACKEND_AUTO, "set auto");

  /* Not a backend: INVALID_ARGUMENT everywhere. */
  for (int bad = -1; bad <= 4; bad += 5) {
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

  /* ipsec-mb and sm4-simd for a mode they do not serve (and where they
     cannot run): NOT_SUPPORTED, but only after every INVALID_ARGUMENT. */
  for (int b = CE_BACKEND_IPSECMB; b <= CE_BACKEND_SM4SIMD; b++) {
    const char *bn = ce_backend_name(b);
    for (int mode = 1; mode <= 8; mode++) {
      cfg_for(&cfg, mode, b);
      if (ce_mode_supported(mode) != CE_OK)
        continue;
      ce_status want = serves(b, mode) ? CE_OK : CE_ERR_NOT_SUPPORTED;
      CE_CHECK_STATUS(ce_config_check(&cfg), want, "check %s m%d", bn, mode);
      if (mode == 7 || mode == 8)
        continue; /* the PBKDF2 of a successful derive: in part 2 */
      ce_derived d;
      memset(&d, 0x55, sizeof d);
      CE_CHECK_STATUS(ce_derive(&cfg, &d), want, "derive %s m%d", bn, mode);
      if (want != CE_OK)
        CE_CHECK(d.check == 0x55 && d.enc_key[0] == 0x55,
                 "derive m%d wrote *out on failure", mode);
      ce_wipe(&d, sizeof d);
      ce_ctx *ctx = (ce_ctx *)&cfg;
      CE_CHECK_STATUS(ce_ctx_new(&cfg, &ctx), want, "ctx_new %s m%d", bn, mode);
      CE_CHECK(want == CE_OK || ctx == NULL, "ctx_new m%d: *out not NULL",
               mode);
      if (want == CE_OK) {
        CE_CHECK(strcmp(ce_ctx_backend(ctx), bn) == 0, "m%d backend %s", mode,
                 ce_ctx_backend(ctx));
        ce_ctx_free(ctx);
      }
      ce_channel *ch = NULL;
      if (ce_channel_new(&ch) == CE_OK) {
        CE_CHECK(ce_channel_enable_encryption(ch, 1, &cfg) ==
                     (want == CE_OK ? CE_SDK_OK : CE_SDK_ERR_NOT_SUPPORTED),
                 "channel enable %s m%d", bn, mode);
        ce_channel_free(ch);
      }
    }
    /* INVALID_ARGUMENT before NOT_SUPPORTED (spec 10.1). */
    cfg_for(&cfg, CE_MODE_AES_128_XTS, b);
    cfg.key_len = 0;
    CE_CHECK_STATUS(ce_config_check(&cfg), CE_ERR_INVALID_ARGUMENT,
                    "empty key and %s, which cannot serve", bn);
    cfg_for(&cfg, 9, b);
    CE_CHECK_STATUS(ce_config_check(&cfg), CE_ERR_INVALID_ARGUMENT,
                    "mode 9 and %s", bn);
  }
}

static void test_ctx_backend(void) {
  CE_CHECK(ce_ctx_backend(NULL) == NULL, "ce_ctx_backend(NULL)");
  for (int mode = 1; mode <= 6; mode++) { /* no PBKDF2 here */
    if (ce_mode_supported(mode) != CE_OK)
      continue;
    for (int b = CE_BACKEND_AUTO; b <= CE_BACKEND_SM4SIMD; b++) {
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
  /* The run-time versions of the libraries, not the headers'. */
  CE_CHECK(strstr(v, OpenSSL_version(OPENSSL_VERSION)) != NULL,
           "version %s lacks the loaded OpenSSL's %s", v,
           OpenSSL_version(OPENSSL_VERSION));
#ifdef CE_TEST_HAVE_IPSECMB
  char imb[64];
  snprintf(imb, sizeof imb, ", ipsec-mb %s", imb_get_version_str());
  CE_CHECK(strstr(v, imb) != NULL, "version %s lacks the loaded '%s'", v, imb);
#else
  CE_CHECK(strstr(v, "ipsec-mb") == NULL, "version: %s", v);
  CE_CHECK(!ipsecmb_usable(), "ipsec-mb usable though not built in");
#endif
#if defined(__x86_64__)
  CE_CHECK(strstr(v, ", sm4-simd)") != NULL, "version: %s", v);
#else
  CE_CHECK(strstr(v, "sm4-simd") == NULL, "version: %s", v);
#endif
  printf("%s\n", v);
}

/* ---- 2. differential: each fast backend against OpenSSL ----------------- */

#define BUF (CE_MAX_FRAME + 64)

typedef struct diff_state {
  ce_ctx *ossl, *imb; /* imb: the fast backend (ipsec-mb or sm4-simd) */
  const char *fast;
  int mode;
  uint8_t *payload, *a, *b, *c, *d, *snap;
  unsigned long frames, tampered, accepted;
} diff_state;

/* Both contexts give frame[0..n) (in place) the same answer: the same
   refusal, leaving the buffer and length as they were, or (ECB only,
   which has no tag: a flipped bit outside the last block still decrypts)
   the same payload. */
static void same_refusal(diff_state *s, const uint8_t *frame, size_t n,
                         const char *what, size_t plen) {
  ce_status st[2];
  size_t len[2];
  ce_ctx *ctx[2] = {s->ossl, s->imb};
  uint8_t *out[2] = {s->c, s->d};
  for (int k = 0; k < 2; k++) {
    memcpy(out[k], frame, n);
    memcpy(s->snap, frame, n);
    len[k] = n;
    st[k] = ce_unprotect(ctx[k], out[k], &len[k]);
    CE_CHECK(st[k] == CE_OK || (len[k] == n && memcmp(out[k], s->snap, n) == 0),
             "m%d len %zu %s (%s): buffer or length changed", s->mode, plen,
             what, ce_ctx_backend(ctx[k]));
  }
  CE_CHECK(st[0] == st[1], "m%d len %zu %s: openssl %s, %s %s", s->mode, plen,
           what, ce_status_name(st[0]), s->fast, ce_status_name(st[1]));
  if (st[0] == CE_OK && st[1] == CE_OK) {
    CE_CHECK(ce_mode_family(s->mode) == CE_FAMILY_ECB,
             "m%d len %zu %s: accepted", s->mode, plen, what);
    CE_CHECK(len[0] == len[1] && memcmp(out[0], out[1], len[0]) == 0,
             "m%d len %zu %s: accepted with different payloads", s->mode, plen,
             what);
    s->accepted++;
  } else {
    s->tampered++;
  }
}

static void diff_one(diff_state *s, size_t n) {
  uint64_t pn = rnd();
  size_t flen = n + ce_overhead(s->mode, n), la = n, lb = n;
  rnd_fill(s->payload, n);
  memcpy(s->a, s->payload, n);
  memcpy(s->b, s->payload, n);
  CE_CHECK_STATUS(ce_testing_protect_pn(s->ossl, pn, s->a, &la, flen), CE_OK,
                  "m%d len %zu: openssl protect", s->mode, n);
  CE_CHECK_STATUS(ce_testing_protect_pn(s->imb, pn, s->b, &lb, flen), CE_OK,
                  "m%d len %zu: %s protect", s->mode, n, s->fast);
  CE_CHECK(la == flen && lb == flen && memcmp(s->a, s->b, flen) == 0,
           "m%d len %zu pn %016" PRIx64 ": frames differ", s->mode, n, pn);
  s->frames++;

  /* Each opens the other's frame: in place, and out of place. */
  memcpy(s->c, s->a, flen);
  size_t lc = flen;
  CE_CHECK(ce_unprotect(s->imb, s->c, &lc) == CE_OK && lc == n &&
               memcmp(s->c, s->payload, n) == 0,
           "m%d len %zu: %s does not open openssl's frame", s->mode, n,
           s->fast);
  lc = BUF;
  CE_CHECK(ce_unprotect_into(s->ossl, s->b, flen, s->c, &lc) == CE_OK &&
               lc == n && memcmp(s->c, s->payload, n) == 0,
           "m%d len %zu: openssl does not open %s's frame", s->mode, n,
           s->fast);

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
           "m%d len %zu: %s protect, openssl unprotect", s->mode, n, s->fast);
  lb = BUF;
  CE_CHECK(ce_protect_into(s->ossl, s->payload, n, s->b, &lb) == CE_OK &&
               ce_unprotect(s->imb, s->b, &lb) == CE_OK && lb == n &&
               memcmp(s->b, s->payload, n) == 0,
           "m%d len %zu: openssl protect, %s unprotect", s->mode, n, s->fast);
}

static void test_differential(void) {
  int imb = ipsecmb_usable(), sm4 = sm4simd_usable();
  if (!imb)
    printf("differential: ipsec-mb not built in or not usable here, "
           "skipped\n");
  if (!sm4)
    printf("differential: sm4-simd not usable here, skipped\n");
  CE_SKIP(!imb + !sm4);
  diff_state s;
  memset(&s, 0, sizeof s);
  s.payload = malloc(BUF);
  s.a = malloc(BUF);
  s.b = malloc(BUF);
  s.c = malloc(BUF);
  s.d = malloc(BUF);
  s.snap = malloc(BUF);
  if (!s.payload || !s.a || !s.b || !s.c || !s.d || !s.snap)
    exit(2);
  /* Modes 4 (sm4-simd), 5-8 (ipsec-mb). */
  for (int mode = CE_MODE_SM4_128_ECB; mode <= 8; mode++) {
    int fast =
        mode == CE_MODE_SM4_128_ECB ? CE_BACKEND_SM4SIMD : CE_BACKEND_IPSECMB;
    if (!serves(fast, mode))
      continue;
    ce_config cfg;
    cfg_for(&cfg, mode, CE_BACKEND_OPENSSL);
    s.mode = mode;
    s.fast = ce_backend_name(fast);
    CE_CHECK_STATUS(ce_ctx_new(&cfg, &s.ossl), CE_OK, "openssl m%d", mode);
    cfg.backend = fast;
    CE_CHECK_STATUS(ce_ctx_new(&cfg, &s.imb), CE_OK, "%s m%d", s.fast, mode);
    if (s.ossl == NULL || s.imb == NULL)
      exit(2);
    CE_CHECK(strcmp(ce_ctx_backend(s.ossl), "openssl") == 0 &&
                 strcmp(ce_ctx_backend(s.imb), s.fast) == 0,
             "m%d: backends", mode);
    unsigned long fails = ce_test_failed, frames = s.frames;
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
    printf("differential %s, %s against openssl: %lu frames, %s\n",
           ce_mode_name(mode), s.fast, s.frames - frames,
           ce_test_failed == fails ? "identical" : "DIFFERENCES");
    ce_ctx_free(s.ossl);
    ce_ctx_free(s.imb);
  }
  printf("differential: %lu frames made by both backends, %lu tampered "
         "frames refused by both, %lu (ECB) accepted alike\n",
         s.frames, s.tampered, s.accepted);
  free(s.payload);
  free(s.a);
  free(s.b);
  free(s.c);
  free(s.d);
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
  for (int b = CE_BACKEND_AUTO; b <= CE_BACKEND_SM4SIMD + 1; b++) {
    /* auto, sm4-simd (no GCM) and no backend */
    ce_status want = CE_ERR_INVALID_ARGUMENT;
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

/* The testing interface's per-backend ECB block cipher. */
static void test_ecb_ops(void) {
  enum { MAXB = 4096 };
  uint8_t key[16], *in = malloc(MAXB), *ref = malloc(MAXB), *out = malloc(MAXB),
                   *io = malloc(MAXB);
  if (!in || !ref || !out || !io)
    exit(2);
  rnd_fill(key, sizeof key);
  int sm4 = sm4simd_usable();
  /* Which backends serve which cipher. */
  for (int b = CE_BACKEND_AUTO; b <= CE_BACKEND_SM4SIMD + 1; b++) {
    for (int bc = CE_BLOCK_AES; bc <= CE_BLOCK_SM4; bc++) {
      ce_status want = CE_ERR_INVALID_ARGUMENT;
      if (b == CE_BACKEND_OPENSSL)
        want = ce_mode_supported(bc == CE_BLOCK_SM4 ? 4 : 3) == CE_OK
                   ? CE_OK
                   : CE_ERR_NOT_SUPPORTED;
      else if (b == CE_BACKEND_SM4SIMD)
        want = bc == CE_BLOCK_SM4 && sm4 ? CE_OK : CE_ERR_NOT_SUPPORTED;
      memset(out, 0xee, 32);
      CE_CHECK_STATUS(
          ce_testing_ecb_backend_crypt(b, bc, 1, key, 16, in, 32, out), want,
          "ecb backend %d cipher %d", b, bc);
      CE_CHECK(want == CE_OK || (out[0] == 0xee && out[31] == 0xee),
               "ecb backend %d: output written on failure", b);
    }
  }
  /* Arguments. */
  int o = CE_BACKEND_OPENSSL, bsm4 = CE_BLOCK_SM4;
  CE_CHECK_STATUS(ce_testing_ecb_backend_crypt(o, 3, 1, key, 16, in, 16, out),
                  CE_ERR_INVALID_ARGUMENT, "ecb: cipher 3");
  CE_CHECK_STATUS(
      ce_testing_ecb_backend_crypt(o, bsm4, 1, NULL, 16, in, 16, out),
      CE_ERR_INVALID_ARGUMENT, "ecb: NULL key");
  CE_CHECK_STATUS(
      ce_testing_ecb_backend_crypt(o, CE_BLOCK_AES, 1, key, 32, in, 16, out),
      CE_ERR_INVALID_ARGUMENT, "ecb: 32-byte key");
  CE_CHECK_STATUS(
      ce_testing_ecb_backend_crypt(o, bsm4, 1, key, 16, NULL, 16, out),
      CE_ERR_INVALID_ARGUMENT, "ecb: NULL in");
  CE_CHECK_STATUS(
      ce_testing_ecb_backend_crypt(o, bsm4, 0, key, 16, in, 16, NULL),
      CE_ERR_INVALID_ARGUMENT, "ecb: NULL out");
  CE_CHECK_STATUS(
      ce_testing_ecb_backend_crypt(o, bsm4, 1, key, 16, in, 17, out),
      CE_ERR_INVALID_ARGUMENT, "ecb: 17 bytes");
  CE_CHECK_STATUS(
      ce_testing_ecb_backend_crypt(o, bsm4, 1, key, 16, in, 65552, out),
      CE_ERR_TOO_LARGE, "ecb: over 65,536 bytes");
  CE_CHECK_STATUS(
      ce_testing_ecb_backend_crypt(o, bsm4, 1, key, 16, NULL, 0, NULL), CE_OK,
      "ecb: empty");
  if (!sm4 || ce_mode_supported(CE_MODE_SM4_128_ECB) != CE_OK) {
    printf("ecb ops: sm4-simd not usable here, differential skipped\n");
    CE_SKIP(1);
  } else {
    /* sm4-simd against OpenSSL: every block count 0..64 and a few large
       ones, both directions, out of place and in place. */
    static const size_t big[] = {100, 127, 128, 129, 255, 256};
    unsigned long n_runs = 0;
    for (size_t i = 0; i < 65 + sizeof big / sizeof big[0]; i++) {
      size_t len = 16 * (i < 65 ? i : big[i - 65]);
      rnd_fill(key, sizeof key);
      rnd_fill(in, len);
      for (int enc = 0; enc <= 1; enc++) {
        CE_CHECK_STATUS(
            ce_testing_ecb_backend_crypt(o, bsm4, enc, key, 16, in, len, ref),
            CE_OK, "ecb openssl %zu", len);
        CE_CHECK_STATUS(ce_testing_ecb_backend_crypt(CE_BACKEND_SM4SIMD, bsm4,
                                                     enc, key, 16, in, len,
                                                     out),
                        CE_OK, "ecb sm4-simd %zu", len);
        CE_CHECK(memcmp(out, ref, len) == 0, "ecb %zu bytes enc %d: differ",
                 len, enc);
        memcpy(io, in, len);
        CE_CHECK_STATUS(ce_testing_ecb_backend_crypt(CE_BACKEND_SM4SIMD, bsm4,
                                                     enc, key, 16, io, len, io),
                        CE_OK, "ecb sm4-simd in place %zu", len);
        CE_CHECK(memcmp(io, ref, len) == 0, "ecb %zu in place enc %d: differ",
                 len, enc);
        n_runs++;
      }
    }
    printf("ecb ops: sm4-simd and openssl agree on %lu runs\n", n_runs);
  }
  free(in);
  free(ref);
  free(out);
  free(io);
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
  test_ecb_ops();
  return ce_test_finish("test_backends");
}
