/*
 * test_sm4_fast.c - the SM4 block layer (ref/src/sm4_fast.h), every
 * implementation this CPU can run, forced one by one:
 *  - GB/T 32907-2016 example 1 (encrypt and decrypt) and example 2 (one
 *    block encrypted 1,000,000 times with the same key, and decrypted back);
 *  - differentially against OpenSSL's EVP SM4-ECB on random keys and random
 *    data of every block count 1..300 and some large ones, encrypt and
 *    decrypt, in place and out of place, at unaligned addresses, with guard
 *    bytes around the output (a masked store must not spill);
 *  - CE1 mode 4 through ce_ctx with the implementation forced: the
 *    automatic backend choice (sm4-simd, or "openssl" when "portable" is
 *    forced), frames byte-identical to a context on the "openssl" backend
 *    (OpenSSL's EVP SM4), opened both ways, and a bad padding refused;
 * plus the automatic choice for given CPU features, the forcing controls
 * and the key schedule's optional outputs.
 */
#include "ce_test.h"

#include "chanenc.h"
#include "chanenc_testing.h"
#include "sm4_fast_impl.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void) { /* xorshift64* */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545f4914f6cdd1dull;
}

static void rand_fill(uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    p[i] = (uint8_t)(rng() >> 56);
}

static void unhex(const char *h, uint8_t *out) {
  for (size_t i = 0; h[2 * i]; i++) {
    unsigned v;
    sscanf(h + 2 * i, "%2x", &v);
    out[i] = (uint8_t)v;
  }
}

/* ---- GB/T 32907-2016 appendix A -------------------------------------- */

static void test_gbt(const char *impl) {
  uint8_t key[16], ct1[16], ct2[16], buf[16];
  unhex("0123456789abcdeffedcba9876543210", key);
  unhex("681edf34d206965e86b3e94f536e4246", ct1);
  unhex("595298c7c6fd271f0402f804c33d3f66", ct2);
  ce__sm4_key enc, dec;
  ce__sm4_expand_key(key, &enc, &dec);
  ce__sm4_ecb(&enc, key, buf, 1); /* plaintext = key */
  CE_CHECK_MEM(buf, ct1, 16, "%s: GB/T example 1 encrypt", impl);
  ce__sm4_ecb(&dec, buf, buf, 1);
  CE_CHECK_MEM(buf, key, 16, "%s: GB/T example 1 decrypt", impl);
  memcpy(buf, key, 16);
  for (int i = 0; i < 1000000; i++)
    ce__sm4_ecb(&enc, buf, buf, 1);
  CE_CHECK_MEM(buf, ct2, 16, "%s: GB/T example 2 (10^6 encryptions)", impl);
  for (int i = 0; i < 1000000; i++)
    ce__sm4_ecb(&dec, buf, buf, 1);
  CE_CHECK_MEM(buf, key, 16, "%s: GB/T example 2 decrypted back", impl);
  ce__sm4_key_wipe(&enc);
  ce__sm4_key_wipe(&dec);
  static const ce__sm4_key zero;
  CE_CHECK(memcmp(&enc, &zero, sizeof zero) == 0 &&
               memcmp(&dec, &zero, sizeof zero) == 0,
           "%s: ce__sm4_key_wipe left bytes", impl);
}

/* ---- against OpenSSL -------------------------------------------------- */

static EVP_CIPHER *sm4_evp;

static int evp_ecb(int enc, const uint8_t key[16], const uint8_t *in,
                   uint8_t *out, size_t n) {
  EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
  int outl = 0,
      ok = c != NULL &&
           EVP_CipherInit_ex2(c, sm4_evp, key, NULL, enc, NULL) == 1 &&
           EVP_CIPHER_CTX_set_padding(c, 0) == 1 &&
           EVP_CipherUpdate(c, out, &outl, in, (int)n) == 1 &&
           (size_t)outl == n;
  EVP_CIPHER_CTX_free(c);
  return ok;
}

#define GUARD 64
#define MAXB 4097 /* blocks: the largest CE1 ECB body (65,536 + 16 bytes) */

static uint8_t src[MAXB * 16 + 2 * GUARD + 16], dst[MAXB * 16 + 2 * GUARD + 16],
    want[MAXB * 16], back[MAXB * 16 + GUARD];

/* One block count: random key and data at offset off (0..15) from an
   aligned buffer; both directions, in place and out of place. */
static void diff_case(const char *impl, size_t nb, size_t off) {
  uint8_t key[16];
  size_t n = nb * 16;
  rand_fill(key, sizeof key);
  ce__sm4_key enc, dec;
  ce__sm4_expand_key(key, &enc, &dec);
  uint8_t *in = src + GUARD + off, *out = dst + GUARD + off;
  rand_fill(in, n);
  if (!evp_ecb(1, key, in, want, n)) {
    CE_CHECK(0, "OpenSSL SM4-ECB encrypt failed");
    return;
  }
  /* Out of place, guards around the output. */
  memset(dst, 0xa5, sizeof dst);
  ce__sm4_ecb(&enc, in, out, nb);
  CE_CHECK_MEM(out, want, n, "%s: encrypt %zu blocks (off %zu)", impl, nb, off);
  int guards = 1;
  for (size_t i = 0; i < GUARD + off; i++)
    guards &= dst[i] == 0xa5;
  for (size_t i = 0; i < GUARD; i++)
    guards &= out[n + i] == 0xa5;
  CE_CHECK(guards, "%s: encrypt %zu blocks wrote outside the output", impl, nb);
  /* Decrypt OpenSSL's ciphertext, out of place, and compare with in. */
  memset(back, 0x5a, sizeof back);
  ce__sm4_ecb(&dec, want, back, nb);
  CE_CHECK_MEM(back, in, n, "%s: decrypt %zu blocks", impl, nb);
  CE_CHECK(back[n] == 0x5a && back[n + GUARD - 1] == 0x5a,
           "%s: decrypt %zu blocks wrote past the output", impl, nb);
  /* In place, both ways (OpenSSL decrypts the result as a cross-check). */
  memcpy(out, in, n);
  ce__sm4_ecb(&enc, out, out, nb);
  CE_CHECK_MEM(out, want, n, "%s: encrypt in place %zu blocks", impl, nb);
  ce__sm4_ecb(&dec, out, out, nb);
  CE_CHECK_MEM(out, in, n, "%s: decrypt in place %zu blocks", impl, nb);
  if (evp_ecb(0, key, want, back, n))
    CE_CHECK_MEM(back, in, n, "OpenSSL decrypt %zu blocks", nb);
  /* Zero blocks: nothing written. */
  memset(dst, 0xa5, sizeof dst);
  ce__sm4_ecb(&enc, in, out, 0);
  CE_CHECK(out[0] == 0xa5, "%s: 0 blocks wrote", impl);
}

static void test_differential(const char *impl) {
  if (sm4_evp == NULL) {
    CE_SKIP(1);
    return;
  }
  for (size_t nb = 1; nb <= 300; nb++)
    diff_case(impl, nb, nb % 16);
  static const size_t big[] = {383,  384,  385,  511, 1000,
                               1024, 2048, 4095, MAXB};
  for (size_t i = 0; i < sizeof big / sizeof big[0]; i++)
    diff_case(impl, big[i], i % 3);
}

/* ---- CE1 mode 4 through the context ---------------------------------- */

static void cfg_sm4(ce_config *cfg) {
  ce_config_init(cfg);
  cfg->mode = CE_MODE_SM4_128_ECB;
  ce_config_set_key_str(cfg, "sm4-fast-test-key");
}

static uint8_t fa[70000], fb[70000], pl[70000];

/* ctx (made with impl forced) against ref (OpenSSL's EVP path). */
static void test_ctx(const char *impl, ce_ctx *ref) {
  ce_config cfg;
  cfg_sm4(&cfg);
  ce_ctx *ctx = NULL;
  CE_CHECK_STATUS(ce_ctx_new(&cfg, &ctx), CE_OK, "%s: ctx_new", impl);
  if (ctx == NULL)
    return;
  /* CE_BACKEND_AUTO: sm4-simd on a vectorized SM4, OpenSSL's EVP SM4 when
     only the portable one is left. */
  const char *runs_on = strcmp(impl, "portable") != 0 ? "sm4-simd" : "openssl";
  CE_CHECK(strcmp(ce_ctx_backend(ctx), runs_on) == 0, "%s: auto runs on %s",
           impl, ce_ctx_backend(ctx));
  ce_ctx *dup = NULL;
  CE_CHECK_STATUS(ce_ctx_dup(ctx, &dup), CE_OK, "%s: ctx_dup", impl);
  static const size_t sizes[] = {0,   1,    15,   16,   17,    64,   160,
                                 255, 1200, 1500, 4096, 16384, 65535};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    size_t n = sizes[i], la = n, lb = n, lc = n;
    rand_fill(pl, n);
    memcpy(fa, pl, n);
    memcpy(fb, pl, n);
    CE_CHECK_STATUS(ce_protect(ctx, fa, &la, sizeof fa), CE_OK,
                    "%s: protect %zu", impl, n);
    CE_CHECK_STATUS(ce_protect(ref, fb, &lb, sizeof fb), CE_OK, "ref %zu", n);
    CE_CHECK(la == lb && memcmp(fa, fb, la) == 0,
             "%s: frame of %zu bytes differs from OpenSSL's path", impl, n);
    uint8_t *fc = malloc(la);
    if (fc == NULL)
      exit(2);
    memcpy(fc, fa, la);
    CE_CHECK_STATUS(ce_unprotect(ref, fa, &la), CE_OK, "ref opens %zu", n);
    CE_CHECK(la == n && memcmp(fa, pl, n) == 0, "ref payload %zu", n);
    CE_CHECK_STATUS(ce_unprotect(dup ? dup : ctx, fb, &lb), CE_OK,
                    "%s: unprotect %zu", impl, n);
    CE_CHECK(lb == n && memcmp(fb, pl, n) == 0, "%s: payload %zu", impl, n);
    /* A flipped bit in the last block: the padding check runs on garbage;
       bad padding is refused and the input left as it was. Usually the
       padding is bad; when it happens to look valid, the payload differs. */
    fc[lc + 16 - lc % 16 + 1] ^= 0x40;
    size_t lf = lc + 16 - lc % 16 + 2;
    uint8_t *copy = malloc(lf);
    if (copy == NULL)
      exit(2);
    memcpy(copy, fc, lf);
    ce_status st = ce_unprotect(ctx, fc, &lf);
    CE_CHECK(st == CE_ERR_BAD_PADDING ||
                 (st == CE_OK && (lf != n || memcmp(fc, pl, n))),
             "%s: tampered frame of %zu: %s", impl, n, ce_status_name(st));
    if (st != CE_OK)
      CE_CHECK(memcmp(fc, copy, lf) == 0, "%s: input changed on failure", impl);
    free(copy);
    free(fc);
  }
  ce_ctx_free(dup);
  ce_ctx_free(ctx);
}

/* ---- selection --------------------------------------------------------- */

static void test_selection(void) {
  CE_CHECK(strcmp(ce__sm4_impl_for_features(0), "portable") == 0,
           "no features: %s", ce__sm4_impl_for_features(0));
#ifdef CE__SM4_X86
  static const struct {
    uint32_t f;
    const char *want;
  } cases[] = {
      {0xffffffffu, "gfni-avx512"},
      {CE__SM4_F_AVX512 | CE__SM4_F_GFNI, "gfni-avx512"},
      {CE__SM4_F_AVX2 | CE__SM4_F_GFNI | CE__SM4_F_VAES | CE__SM4_F_AES,
       "gfni-avx2"},
      {CE__SM4_F_AVX2 | CE__SM4_F_VAES | CE__SM4_F_AES, "vaes-avx2"},
      {CE__SM4_F_AVX2 | CE__SM4_F_AES, "aesni-avx2"},
      {CE__SM4_F_AVX512 | CE__SM4_F_AES, "portable"},
      {CE__SM4_F_GFNI | CE__SM4_F_AES | CE__SM4_F_VAES, "portable"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    CE_CHECK(strcmp(ce__sm4_impl_for_features(cases[i].f), cases[i].want) == 0,
             "features %#x: %s, want %s", cases[i].f,
             ce__sm4_impl_for_features(cases[i].f), cases[i].want);
#endif
  CE_CHECK(ce__sm4_force_impl("no-such-sm4") == -1, "unknown name accepted");
  CE_CHECK(ce__sm4_force_impl(NULL) == 0, "automatic choice");
  const char *autoname = ce__sm4_impl_for_features(ce__sm4_cpu_features());
  CE_CHECK(strcmp(ce__sm4_impl_name(), autoname) == 0, "auto: %s vs %s",
           ce__sm4_impl_name(), autoname);
  printf("test_sm4_fast: CPU features %#x, automatic choice %s\n",
         ce__sm4_cpu_features(), autoname);
  /* The key schedule's outputs are optional and agree with each other. */
  uint8_t key[16];
  rand_fill(key, sizeof key);
  ce__sm4_key e, d, e2, d2;
  ce__sm4_expand_key(key, &e, &d);
  ce__sm4_expand_key(key, &e2, NULL);
  ce__sm4_expand_key(key, NULL, &d2);
  CE_CHECK(memcmp(&e, &e2, sizeof e) == 0 && memcmp(&d, &d2, sizeof d) == 0,
           "key schedule with one output");
  int rev = 1;
  for (int i = 0; i < 32; i++)
    rev &= e.rk[i] == d.rk[31 - i];
  CE_CHECK(rev, "decryption keys are not the reversed encryption keys");
}

int main(void) {
  sm4_evp = EVP_CIPHER_fetch(NULL, "SM4-ECB", NULL);
  if (sm4_evp == NULL)
    printf("test_sm4_fast: OpenSSL has no SM4-ECB: differential tests "
           "skipped\n");
  test_selection();

  /* The reference context: OpenSSL's EVP SM4 (the "openssl" backend). */
  ce_ctx *ref = NULL;
  if (sm4_evp != NULL) {
    ce_config cfg;
    cfg_sm4(&cfg);
    cfg.backend = CE_BACKEND_OPENSSL;
    CE_CHECK_STATUS(ce_ctx_new(&cfg, &ref), CE_OK, "reference ctx");
    CE_CHECK(ref && strcmp(ce_ctx_backend(ref), "openssl") == 0,
             "reference ctx not on openssl");
  }
  for (size_t i = 0; ce__sm4_impl_at(i) != NULL; i++) {
    const char *impl = ce__sm4_impl_at(i);
    if (ce__sm4_force_impl(impl) != 0) {
      printf("test_sm4_fast: %s: this CPU lacks what it needs, skipped\n",
             impl);
      CE_SKIP(1);
      continue;
    }
    CE_CHECK(strcmp(ce__sm4_impl_name(), impl) == 0, "forced %s, got %s", impl,
             ce__sm4_impl_name());
    CE_CHECK(ce__sm4_impl_vectorized() == (strcmp(impl, "portable") != 0),
             "%s: vectorized flag", impl);
    unsigned long failed = ce_test_failed;
    test_gbt(impl);
    test_differential(impl);
    if (ref != NULL)
      test_ctx(impl, ref);
    printf("test_sm4_fast: %s: %s\n", impl,
           ce_test_failed == failed ? "ok" : "FAILED");
  }
  ce__sm4_force_impl(NULL);
  ce_ctx_free(ref);
  EVP_CIPHER_free(sm4_evp);
  return ce_test_finish("test_sm4_fast");
}
