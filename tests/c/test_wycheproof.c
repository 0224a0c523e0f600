/*
 * test_wycheproof.c - Project Wycheproof's AES-GCM, AES-GMAC, AES-XTS,
 * HKDF-SHA256 and PBKDF2-HMAC-SHA256 files through the primitive layer,
 * and its HMAC-SHA256/512 and HKDF-SHA512 files through the HMAC and HKDF
 * that SFrame uses (chanenc_sframe_testing.h),
 * read in place from the directory CE_WYCHEPROOF_DIR names (a checkout's
 * testvectors_v1/, or the team's ../shared/vectors/wycheproof; never
 * copied into this repository).
 *
 * Per test, by its "result":
 *  - valid: the primitive gives exactly the expected output, both ways;
 *  - invalid: decryption / verification refuses it (AUTH_FAILED), or the
 *    primitive refuses the parameters with the documented status;
 *  - acceptable: either outcome, but a success must give the expected bytes.
 * "Refused" counts parameters the primitive documents as outside its range
 * (chanenc.h): GCM IVs over 128 bytes (NOT_SUPPORTED), an empty GCM IV,
 * XTS data shorter than 16 bytes or an AES-192-XTS key (not in IEEE 1619)
 * (INVALID_ARGUMENT), HKDF output over 8160 bytes (INVALID_ARGUMENT). Every
 * refusal must be of exactly that kind, and the counts per file are asserted,
 * so a changed or truncated file cannot silently shrink the run.
 *
 * GCM and GMAC tests with a 12-byte IV and a 128- or 256-bit key (the
 * shape of CE1's GCM modes) also run through each GCM backend built in and
 * usable here (chanenc_testing.h, ce_testing_gcm_backend_*), with the same
 * verdicts.
 */
#include "ce_test.h"

#include "ce_hex.h"
#include "ce_json.h"
#include "chanenc.h"
#include "chanenc_sframe_testing.h"
#include "chanenc_testing.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct tally {
  unsigned long run, passed, refused;
} tally;

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc(n > 0 ? (size_t)n : 1);
  if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
    fclose(f);
    free(buf);
    return NULL;
  }
  fclose(f);
  *len = (size_t)n;
  return buf;
}

/* Hex member of a test as bytes (malloc'd, at least 1 byte). */
static uint8_t *hex_of(const ce_json *t, const char *name, size_t *len) {
  size_t sl = 0;
  const char *s = ce_json_string(ce_json_get(t, name), &sl);
  uint8_t *out = NULL;
  *len = 0;
  if (s == NULL ||
      ce_hex_decode_alloc(s, sl, 0, &out, len, NULL) != CE_HEX_OK) {
    fprintf(stderr, "wycheproof: bad or missing hex member %s\n", name);
    exit(2);
  }
  return out;
}

static int64_t int_of(const ce_json *v, const char *name) {
  int64_t x = 0;
  if (!ce_json_int64(ce_json_get(v, name), &x)) {
    fprintf(stderr, "wycheproof: missing integer %s\n", name);
    exit(2);
  }
  return x;
}

typedef enum verdict { V_VALID, V_INVALID, V_ACCEPTABLE } verdict;

static verdict result_of(const ce_json *t) {
  const char *r = ce_json_string(ce_json_get(t, "result"), NULL);
  if (r && strcmp(r, "valid") == 0)
    return V_VALID;
  if (r && strcmp(r, "invalid") == 0)
    return V_INVALID;
  return V_ACCEPTABLE;
}

typedef void (*test_fn)(const ce_json *group, const ce_json *t, tally *tl);

/* GCM and GMAC tests run through each backend, by CE_BACKEND_*. */
static unsigned long g_backend_runs[3];

/* One GCM test through every usable backend's own operations: a valid one
   encrypts to ct || tag and decrypts back, an invalid one is refused, an
   acceptable one may go either way but a success gives msg. */
static void gcm_backends(int64_t id, verdict v, const uint8_t *key, size_t kl,
                         const uint8_t *iv, size_t il, const uint8_t *aad,
                         size_t al, const uint8_t *msg, size_t ml,
                         const uint8_t *ct, size_t cl, const uint8_t *tag,
                         size_t tgl) {
  if (il != 12 || (kl != 16 && kl != 32) || tgl < 1 || tgl > 16)
    return;
  for (int b = CE_BACKEND_OPENSSL; b <= CE_BACKEND_IPSECMB; b++) {
    int chosen;
    if (ce_backend_select(b, CE_MODE_AES_128_GCM, &chosen) != CE_OK)
      continue;
    const char *name = ce_backend_name(b);
    uint8_t *out = malloc(ml + cl + 1), otag[16];
    ce_status dec = ce_testing_gcm_backend_decrypt(b, key, kl, iv, il, aad, al,
                                                   ct, cl, tag, tgl, out);
    if (v == V_VALID) {
      CE_CHECK_STATUS(dec, CE_OK, "gcm tcId %lld %s decrypt", (long long)id,
                      name);
      CE_CHECK(dec != CE_OK || ml == 0 || memcmp(out, msg, ml) == 0,
               "gcm tcId %lld %s: plaintext", (long long)id, name);
      ce_status enc = ce_testing_gcm_backend_encrypt(
          b, key, kl, iv, il, aad, al, msg, ml, out, otag, tgl);
      CE_CHECK_STATUS(enc, CE_OK, "gcm tcId %lld %s encrypt", (long long)id,
                      name);
      CE_CHECK(
          (cl == 0 || memcmp(out, ct, cl) == 0) && memcmp(otag, tag, tgl) == 0,
          "gcm tcId %lld %s: ciphertext or tag differs", (long long)id, name);
    } else if (v == V_INVALID) {
      CE_CHECK_STATUS(dec, CE_ERR_AUTH_FAILED, "gcm tcId %lld %s invalid",
                      (long long)id, name);
    } else if (dec == CE_OK) {
      CE_CHECK(ml == 0 || memcmp(out, msg, ml) == 0,
               "gcm tcId %lld %s: plaintext", (long long)id, name);
    }
    g_backend_runs[b]++;
    free(out);
  }
}

static void gcm_test(const ce_json *g, const ce_json *t, tally *tl) {
  (void)g;
  size_t kl, il, al, ml, cl, tgl;
  uint8_t *key = hex_of(t, "key", &kl), *iv = hex_of(t, "iv", &il),
          *aad = hex_of(t, "aad", &al), *msg = hex_of(t, "msg", &ml),
          *ct = hex_of(t, "ct", &cl), *tag = hex_of(t, "tag", &tgl);
  int64_t id = int_of(t, "tcId");
  verdict v = result_of(t);
  uint8_t *out = malloc(ml + cl + 1), otag[16];
  ce_status enc =
      ce_gcm_encrypt(key, kl, iv, il, aad, al, msg, ml, out, otag, tgl);
  ce_status want_refusal = il == 0    ? CE_ERR_INVALID_ARGUMENT
                           : il > 128 ? CE_ERR_NOT_SUPPORTED
                                      : CE_OK;
  tl->run++;
  if (want_refusal != CE_OK) {
    CE_CHECK_STATUS(enc, want_refusal, "gcm tcId %lld: IV %zu bytes",
                    (long long)id, il);
    ce_status dec =
        ce_gcm_decrypt(key, kl, iv, il, aad, al, ct, cl, tag, tgl, out);
    CE_CHECK_STATUS(dec, want_refusal, "gcm tcId %lld decrypt", (long long)id);
    tl->refused++;
  } else {
    ce_status dec =
        ce_gcm_decrypt(key, kl, iv, il, aad, al, ct, cl, tag, tgl, out);
    if (v == V_VALID) {
      CE_CHECK_STATUS(enc, CE_OK, "gcm tcId %lld encrypt", (long long)id);
      CE_CHECK_STATUS(dec, CE_OK, "gcm tcId %lld decrypt", (long long)id);
      CE_CHECK(memcmp(out, msg, ml) == 0, "gcm tcId %lld: plaintext",
               (long long)id);
      /* Encrypt again to compare the ciphertext and tag. */
      ce_gcm_encrypt(key, kl, iv, il, aad, al, msg, ml, out, otag, tgl);
      CE_CHECK(memcmp(out, ct, cl) == 0 && memcmp(otag, tag, tgl) == 0,
               "gcm tcId %lld: ciphertext or tag differs", (long long)id);
    } else if (v == V_INVALID) {
      CE_CHECK_STATUS(dec, CE_ERR_AUTH_FAILED, "gcm tcId %lld invalid",
                      (long long)id);
    }
    gcm_backends(id, v, key, kl, iv, il, aad, al, msg, ml, ct, cl, tag, tgl);
  }
  free(key), free(iv), free(aad), free(msg), free(ct), free(tag), free(out);
}

static void gmac_test(const ce_json *g, const ce_json *t, tally *tl) {
  (void)g;
  size_t kl, il, ml, tgl;
  uint8_t *key = hex_of(t, "key", &kl), *iv = hex_of(t, "iv", &il),
          *msg = hex_of(t, "msg", &ml), *tag = hex_of(t, "tag", &tgl);
  int64_t id = int_of(t, "tcId");
  uint8_t otag[16], dummy[1];
  tl->run++;
  /* GMAC is GCM with the message as AAD and no plaintext. */
  ce_status dec =
      ce_gcm_decrypt(key, kl, iv, il, msg, ml, NULL, 0, tag, tgl, dummy);
  if (result_of(t) == V_VALID) {
    CE_CHECK_STATUS(dec, CE_OK, "gmac tcId %lld", (long long)id);
    CE_CHECK_STATUS(
        ce_gcm_encrypt(key, kl, iv, il, msg, ml, NULL, 0, dummy, otag, tgl),
        CE_OK, "gmac tcId %lld tag", (long long)id);
    CE_CHECK(memcmp(otag, tag, tgl) == 0, "gmac tcId %lld: tag differs",
             (long long)id);
  } else if (result_of(t) == V_INVALID) {
    CE_CHECK(dec == CE_ERR_AUTH_FAILED || dec == CE_ERR_INVALID_ARGUMENT,
             "gmac tcId %lld invalid: %s", (long long)id, ce_status_name(dec));
  }
  gcm_backends(id, result_of(t), key, kl, iv, il, msg, ml, NULL, 0, NULL, 0,
               tag, tgl);
  free(key), free(iv), free(msg), free(tag);
}

static void xts_test(const ce_json *g, const ce_json *t, tally *tl) {
  (void)g;
  size_t kl, il, ml, cl;
  uint8_t *key = hex_of(t, "key", &kl), *iv = hex_of(t, "iv", &il),
          *msg = hex_of(t, "msg", &ml), *ct = hex_of(t, "ct", &cl);
  int64_t id = int_of(t, "tcId");
  uint8_t *out = malloc(ml + 1);
  /* Wycheproof gives tweaks shorter than 16 bytes (the data unit number,
     little-endian); IEEE 1619's tweak is that number zero-extended. */
  uint8_t tweak[16] = {0};
  memcpy(tweak, iv, il < 16 ? il : 16);
  tl->run++;
  ce_status enc = ce_xts_crypt(1, key, kl, tweak, msg, ml, out);
  if (ml < 16 || (kl != 32 && kl != 64) || il > 16) {
    /* Outside IEEE 1619 / chanenc.h: data under one block, or the
       AES-192-XTS key size (48 bytes) that IEEE 1619 does not define. */
    CE_CHECK_STATUS(enc, CE_ERR_INVALID_ARGUMENT,
                    "xts tcId %lld: %zu-byte key, %zu-byte data", (long long)id,
                    kl, ml);
    tl->refused++;
  } else if (result_of(t) != V_INVALID) {
    CE_CHECK_STATUS(enc, CE_OK, "xts tcId %lld", (long long)id);
    CE_CHECK(memcmp(out, ct, cl) == 0, "xts tcId %lld: ciphertext",
             (long long)id);
    CE_CHECK_STATUS(ce_xts_crypt(0, key, kl, tweak, ct, cl, out), CE_OK,
                    "xts tcId %lld decrypt", (long long)id);
    CE_CHECK(memcmp(out, msg, ml) == 0, "xts tcId %lld: plaintext",
             (long long)id);
  }
  free(key), free(iv), free(msg), free(ct), free(out);
}

static void hkdf_test(const ce_json *g, const ce_json *t, tally *tl) {
  (void)g;
  size_t il, sl, nl, ol;
  uint8_t *ikm = hex_of(t, "ikm", &il), *salt = hex_of(t, "salt", &sl),
          *info = hex_of(t, "info", &nl), *okm = hex_of(t, "okm", &ol);
  int64_t id = int_of(t, "tcId"), size = int_of(t, "size");
  uint8_t *out = malloc((size_t)size + 1);
  tl->run++;
  ce_status st = ce_hkdf_sha256(salt, sl, ikm, il, info, nl, out, (size_t)size);
  if (result_of(t) == V_INVALID) {
    CE_CHECK_STATUS(st, CE_ERR_INVALID_ARGUMENT, "hkdf tcId %lld size %lld",
                    (long long)id, (long long)size);
    tl->refused++;
  } else {
    CE_CHECK_STATUS(st, CE_OK, "hkdf tcId %lld", (long long)id);
    CE_CHECK((size_t)size == ol && memcmp(out, okm, ol) == 0,
             "hkdf tcId %lld: okm", (long long)id);
  }
  free(ikm), free(salt), free(info), free(okm), free(out);
}

static void pbkdf2_test(const ce_json *g, const ce_json *t, tally *tl) {
  (void)g;
  size_t pl, sl, dl;
  uint8_t *pw = hex_of(t, "password", &pl), *salt = hex_of(t, "salt", &sl),
          *dk = hex_of(t, "dk", &dl);
  int64_t id = int_of(t, "tcId"), it = int_of(t, "iterationCount"),
          len = int_of(t, "dkLen");
  uint8_t *out = malloc((size_t)len + 1);
  tl->run++;
  ce_status st =
      ce_pbkdf2_sha256(pw, pl, salt, sl, (uint32_t)it, out, (size_t)len);
  CE_CHECK_STATUS(st, CE_OK, "pbkdf2 tcId %lld", (long long)id);
  CE_CHECK((size_t)len == dl && memcmp(out, dk, dl) == 0,
           "pbkdf2 tcId %lld: dk", (long long)id);
  free(pw), free(salt), free(dk), free(out);
}

/* SFrame's own HMAC and HKDF (chanenc_sframe_testing.h), the ones its
   CTR+HMAC suites and key derivation use: suite 1 computes SHA-256, suite
   6 SHA-512 (HMAC); suite 5 is the HKDF-SHA512 suite. */
static int g_sframe_suite;

static void sframe_hmac_test(const ce_json *g, const ce_json *t, tally *tl) {
  size_t kl, ml, tgl;
  uint8_t *key = hex_of(t, "key", &kl), *msg = hex_of(t, "msg", &ml),
          *tag = hex_of(t, "tag", &tgl);
  int64_t id = int_of(t, "tcId"), bits = int_of(g, "tagSize");
  uint8_t full[64];
  size_t fl = 0;
  tl->run++;
  CE_CHECK_STATUS(
      ce_testing_sframe_hmac(g_sframe_suite, key, kl, msg, ml, full, &fl),
      CE_OK, "hmac tcId %lld", (long long)id);
  /* A truncated tag is the leftmost tagSize bits (RFC 2104 5). */
  int same =
      (size_t)bits / 8 == tgl && tgl <= fl && memcmp(full, tag, tgl) == 0;
  if (result_of(t) == V_VALID)
    CE_CHECK(same, "hmac tcId %lld: tag differs", (long long)id);
  else if (result_of(t) == V_INVALID)
    CE_CHECK(!same, "hmac tcId %lld: an invalid tag matched", (long long)id);
  free(key), free(msg), free(tag);
}

static void sframe_hkdf_test(const ce_json *g, const ce_json *t, tally *tl) {
  (void)g;
  size_t il, sl, nl, ol;
  uint8_t *ikm = hex_of(t, "ikm", &il), *salt = hex_of(t, "salt", &sl),
          *info = hex_of(t, "info", &nl), *okm = hex_of(t, "okm", &ol);
  int64_t id = int_of(t, "tcId"), size = int_of(t, "size");
  uint8_t *out = malloc((size_t)size + 1);
  tl->run++;
  ce_status st = ce_testing_sframe_hkdf(g_sframe_suite, salt, sl, ikm, il, info,
                                        nl, out, (size_t)size);
  if (result_of(t) == V_INVALID) {
    CE_CHECK_STATUS(st, CE_ERR_INVALID_ARGUMENT, "hkdf-sha512 tcId %lld",
                    (long long)id);
    tl->refused++;
  } else {
    CE_CHECK_STATUS(st, CE_OK, "hkdf-sha512 tcId %lld", (long long)id);
    CE_CHECK((size_t)size == ol && memcmp(out, okm, ol) == 0,
             "hkdf-sha512 tcId %lld: okm", (long long)id);
  }
  free(ikm), free(salt), free(info), free(okm), free(out);
}

static void run_file(const char *dir, const char *name, test_fn fn,
                     unsigned long want_run, unsigned long want_refused) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  size_t len = 0;
  char *text = read_file(path, &len);
  if (text == NULL) {
    fprintf(stderr,
            "test_wycheproof: cannot read %s. Point CE_WYCHEPROOF_DIR at a "
            "Wycheproof testvectors_v1 directory.\n",
            path);
    CE_CHECK(0, "%s readable", name);
    return;
  }
  ce_json *root = NULL;
  ce_json_error err;
  if (ce_json_parse(text, len, 0, &root, &err) != 0) {
    CE_CHECK(0, "%s: %s", name, err.msg);
    free(text);
    return;
  }
  tally tl = {0, 0, 0};
  unsigned long failed_before = ce_test_failed;
  const ce_json *groups = ce_json_get(root, "testGroups");
  for (size_t i = 0; i < ce_json_size(groups); i++) {
    const ce_json *g = ce_json_at(groups, i), *tests = ce_json_get(g, "tests");
    for (size_t j = 0; j < ce_json_size(tests); j++) {
      unsigned long fails = ce_test_failed, refusals = tl.refused;
      fn(g, ce_json_at(tests, j), &tl);
      if (ce_test_failed == fails && tl.refused == refusals)
        tl.passed++;
    }
  }
  int64_t declared = int_of(root, "numberOfTests");
  printf("%-28s %4lu tests: %4lu passed, %3lu refused (documented range), "
         "%lu failed checks\n",
         name, tl.run, tl.passed, tl.refused, ce_test_failed - failed_before);
  CE_CHECK(tl.run == (unsigned long)declared,
           "%s: ran %lu of the %lld tests it declares", name, tl.run,
           (long long)declared);
  CE_CHECK(tl.run == want_run && tl.refused == want_refused,
           "%s: %lu tests, %lu refused; this snapshot has %lu and %lu", name,
           tl.run, tl.refused, want_run, want_refused);
  ce_json_free(root);
  free(text);
}

int main(void) {
  const char *dir = getenv("CE_WYCHEPROOF_DIR");
  if (dir == NULL || *dir == '\0') {
    fprintf(stderr, "test_wycheproof: set CE_WYCHEPROOF_DIR\n");
    return 1;
  }
  /* Expected counts: the snapshot in ../shared/vectors/wycheproof (C2SP
     wycheproof dac1dd47). A different checkout may differ: then this check
     names both numbers. */
  run_file(dir, "aes_gcm_test.json", gcm_test, 316, 9);
  run_file(dir, "aes_gmac_test.json", gmac_test, 414, 0);
  run_file(dir, "aes_xts_test.json", xts_test, 123, 41);
  printf("GCM and GMAC tests with a 12-byte IV and a 128/256-bit key "
         "through the backends' own operations: openssl %lu, ipsec-mb %lu\n",
         g_backend_runs[CE_BACKEND_OPENSSL],
         g_backend_runs[CE_BACKEND_IPSECMB]);
  CE_CHECK(g_backend_runs[CE_BACKEND_OPENSSL] > 0,
           "no GCM test ran through the OpenSSL backend");
  int chosen;
  if (ce_backend_select(CE_BACKEND_IPSECMB, CE_MODE_AES_128_GCM, &chosen) ==
      CE_OK)
    CE_CHECK(g_backend_runs[CE_BACKEND_IPSECMB] ==
                 g_backend_runs[CE_BACKEND_OPENSSL],
             "ipsec-mb ran %lu GCM tests, OpenSSL %lu",
             g_backend_runs[CE_BACKEND_IPSECMB],
             g_backend_runs[CE_BACKEND_OPENSSL]);
  run_file(dir, "hkdf_sha256_test.json", hkdf_test, 86, 3);
  run_file(dir, "pbkdf2_hmacsha256_test.json", pbkdf2_test, 60, 0);
  /* The primitives SFrame uses (RFC 9605 4.4.2, 4.5.1). */
  g_sframe_suite = CE_SFRAME_AES_128_CTR_HMAC_SHA256_80;
  run_file(dir, "hmac_sha256_test.json", sframe_hmac_test, 174, 0);
  g_sframe_suite = CE_SFRAME_AES_256_CTR_HMAC_SHA512_80;
  run_file(dir, "hmac_sha512_test.json", sframe_hmac_test, 174, 0);
  g_sframe_suite = CE_SFRAME_AES_256_GCM_SHA512_128;
  run_file(dir, "hkdf_sha512_test.json", sframe_hkdf_test, 83, 3);
  return ce_test_finish("test_wycheproof");
}
