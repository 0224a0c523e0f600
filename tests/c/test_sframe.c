/*
 * test_sframe.c - SFrame (RFC 9605): every vector of the working group's
 * files, read in place, and the context's refusals.
 *
 * Vectors: $CE_SFRAME_VECTORS_DIR, or <source>/../shared/vectors/sframe
 * (README.md there says what each file holds):
 *  - test-vectors.json: header (289), aes_ctr_hmac (3), aes_256_ctr_hmac
 *    (3), sframe (5, suites 1-5);
 *  - test-vectors.rfc9605-era-025d568.json: header, aes_ctr_hmac, sframe
 *    (the file RFC 9605 cites);
 *  - test-vectors-aes256.json: sframe_aes_256_ctr_hmac (3, suites 6-8).
 * The count of every array is asserted, so a file that shrank, or a parser
 * that dropped entries, fails. KID and CTR (up to 2^64-1) are parsed from
 * the numbers' text, never through a double. Every intermediate value a
 * vector gives is compared (labels, secret, key, salt, nonce, aad, ct;
 * enc_key and auth_key), encryption and decryption both ways: the one-shot
 * AEAD, and a context (explicit CTR, and the counter set to the vector's).
 *
 * Then, for every suite: tamper every byte, truncate at every length,
 * headers longer than the frame, non-minimal headers, unknown and
 * wrong-usage KIDs, wrong metadata, replayed and stale counters (and a
 * window that only authentic frames move), counter exhaustion, remove and
 * replace, fork, buffer rules, and that the packet path makes no OpenSSL
 * allocation for the GCM suites (the count for CTR+HMAC is reported:
 * OpenSSL 3.0's HMAC re-initialisation allocates, docs/sframe.md 6.3).
 */
#include "ce_test.h"

#include "ce_hex.h"
#include "ce_json.h"
#include "chanenc.h"
#include "chanenc_sframe.h"
#include "chanenc_sframe_testing.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/crypto.h>

#ifndef CE_SOURCE_DIR
#define CE_SOURCE_DIR "."
#endif

/* ---- OpenSSL allocation counter (set before any OpenSSL use) ---------- */

static unsigned long g_ossl_allocs;
static void *cnt_malloc(size_t n, const char *f, int l) {
  (void)f;
  (void)l;
  __atomic_fetch_add(&g_ossl_allocs, 1, __ATOMIC_RELAXED);
  return malloc(n);
}
static void *cnt_realloc(void *p, size_t n, const char *f, int l) {
  (void)f;
  (void)l;
  __atomic_fetch_add(&g_ossl_allocs, 1, __ATOMIC_RELAXED);
  return realloc(p, n);
}
static void cnt_free(void *p, const char *f, int l) {
  (void)f;
  (void)l;
  free(p);
}

/* ---- helpers ------------------------------------------------------------ */

static char g_dir[4096];

static char *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    return NULL;
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  for (;;) {
    if (n == cap) {
      cap *= 2;
      buf = realloc(buf, cap);
    }
    size_t r = fread(buf + n, 1, cap - n, f);
    if (r == 0)
      break;
    n += r;
  }
  fclose(f);
  *len = n;
  return buf;
}

static ce_json *load(const char *name) {
  char path[8192];
  snprintf(path, sizeof path, "%s/%s", g_dir, name);
  size_t len = 0;
  char *text = read_all(path, &len);
  CE_CHECK(text != NULL, "cannot read %s (set CE_SFRAME_VECTORS_DIR)", path);
  if (text == NULL)
    return NULL;
  ce_json *root = NULL;
  ce_json_error err;
  int rc = ce_json_parse(text, len, 0, &root, &err);
  CE_CHECK(rc == 0, "%s: %s", path, err.msg);
  free(text);
  return rc == 0 ? root : NULL;
}

/* An unsigned 64-bit integer from a JSON number's text, exactly. */
static int get_u64(const ce_json *obj, const char *name, uint64_t *out) {
  const char *t = ce_json_number_text(ce_json_get(obj, name));
  if (t == NULL || *t == '\0')
    return 0;
  uint64_t v = 0;
  for (const char *p = t; *p; p++) {
    if (*p < '0' || *p > '9')
      return 0; /* sign, fraction or exponent: not a u64 */
    unsigned d = (unsigned)(*p - '0');
    if (v > (UINT64_MAX - d) / 10)
      return 0; /* over 2^64-1 */
    v = v * 10 + d;
  }
  *out = v;
  return 1;
}

typedef struct bytes {
  uint8_t *p;
  size_t n;
} bytes;

static bytes get_hex(const ce_json *obj, const char *name) {
  bytes b = {NULL, 0};
  size_t len = 0;
  const char *s = ce_json_string(ce_json_get(obj, name), &len);
  CE_CHECK(s != NULL, "member %s missing", name);
  if (s == NULL)
    return b;
  ce_hex_result r = ce_hex_decode_alloc(s, len, 0, &b.p, &b.n, NULL);
  CE_CHECK(r == CE_HEX_OK, "member %s: %s", name, ce_hex_strerror(r));
  return b;
}

static int eq(const uint8_t *a, size_t an, bytes b) {
  return b.p != NULL && an == b.n && (an == 0 || memcmp(a, b.p, an) == 0);
}

static void fill(uint8_t *p, size_t n, unsigned seed) {
  for (size_t i = 0; i < n; i++)
    p[i] = (uint8_t)(seed * 131u + i * 7u + (i >> 8));
}

/* ---- vectors ------------------------------------------------------------ */

typedef struct tally {
  unsigned long run, passed;
} tally;

static void tally_case(tally *t, unsigned long failed_before) {
  t->run++;
  if (ce_test_failed == failed_before)
    t->passed++;
}

static void run_headers(const char *file, const ce_json *arr, tally *t) {
  for (size_t i = 0; i < ce_json_size(arr); i++) {
    unsigned long f0 = ce_test_failed;
    const ce_json *v = ce_json_at(arr, i);
    uint64_t kid = 0, ctr = 0;
    CE_CHECK(get_u64(v, "kid", &kid) && get_u64(v, "ctr", &ctr),
             "%s header %zu: kid/ctr", file, i);
    bytes enc = get_hex(v, "encoded");
    uint8_t out[CE_SFRAME_MAX_HEADER + 4];
    size_t n = sizeof out;
    CE_CHECK_STATUS(ce_sframe_header_encode(kid, ctr, out, &n), CE_OK,
                    "%s header %zu encode", file, i);
    CE_CHECK(eq(out, n, enc), "%s header %zu: encoding differs", file, i);
    CE_CHECK(ce_sframe_header_len(kid, ctr) == enc.n, "%s header %zu len", file,
             i);
    /* Too small a buffer: refused, untouched. */
    uint8_t small[CE_SFRAME_MAX_HEADER];
    memset(small, 0xa5, sizeof small);
    size_t sn = enc.n - 1;
    CE_CHECK_STATUS(ce_sframe_header_encode(kid, ctr, small, &sn),
                    CE_ERR_BUFFER_TOO_SMALL, "%s header %zu", file, i);
    CE_CHECK(sn == enc.n - 1 && small[0] == 0xa5, "untouched");
    /* Decode, alone and followed by more bytes. */
    uint8_t in[CE_SFRAME_MAX_HEADER + 3];
    memcpy(in, enc.p, enc.n);
    memset(in + enc.n, 0xff, 3);
    for (size_t extra = 0; extra <= 3; extra += 3) {
      uint64_t k = 1, c = 1;
      size_t hl = 0;
      CE_CHECK_STATUS(ce_sframe_header_decode(in, enc.n + extra, &k, &c, &hl),
                      CE_OK, "%s header %zu decode", file, i);
      CE_CHECK(k == kid && c == ctr && hl == enc.n,
               "%s header %zu: decoded values", file, i);
    }
    /* Every truncation is malformed, and writes nothing. */
    for (size_t cut = 0; cut < enc.n; cut++) {
      uint64_t k = 77, c = 78;
      size_t hl = 79;
      CE_CHECK_STATUS(ce_sframe_header_decode(in, cut, &k, &c, &hl),
                      CE_ERR_MALFORMED, "%s header %zu cut %zu", file, i, cut);
      CE_CHECK(k == 77 && c == 78 && hl == 79, "outputs untouched");
    }
    free(enc.p);
    tally_case(t, f0);
  }
}

static void run_aead(const char *file, const ce_json *arr, tally *t) {
  for (size_t i = 0; i < ce_json_size(arr); i++) {
    unsigned long f0 = ce_test_failed;
    const ce_json *v = ce_json_at(arr, i);
    uint64_t suite = 0;
    CE_CHECK(get_u64(v, "cipher_suite", &suite), "suite");
    const ce_sframe_suite_info *si = ce_sframe_suite_get((int)suite);
    CE_CHECK(si != NULL && !si->gcm, "%s aead %zu: suite %llu", file, i,
             (unsigned long long)suite);
    if (si == NULL)
      continue;
    bytes key = get_hex(v, "key"), ek = get_hex(v, "enc_key"),
          ak = get_hex(v, "auth_key"), nonce = get_hex(v, "nonce"),
          aad = get_hex(v, "aad"), pt = get_hex(v, "pt"), ct = get_hex(v, "ct");
    CE_CHECK(key.n == si->nk && nonce.n == 12, "%s aead %zu: sizes", file, i);
    CE_CHECK(eq(key.p, si->nka, ek), "%s aead %zu: enc_key", file, i);
    CE_CHECK(eq(key.p + si->nka, key.n - si->nka, ak), "%s aead %zu: auth_key",
             file, i);
    uint8_t out[256];
    CE_CHECK_STATUS(ce_sframe_aead_encrypt((int)suite, key.p, key.n, nonce.p,
                                           aad.p, aad.n, pt.p, pt.n, out),
                    CE_OK, "%s aead %zu encrypt", file, i);
    CE_CHECK(eq(out, pt.n + si->nt, ct), "%s aead %zu: ct", file, i);
    CE_CHECK_STATUS(ce_sframe_aead_decrypt((int)suite, key.p, key.n, nonce.p,
                                           aad.p, aad.n, ct.p, ct.n, out),
                    CE_OK, "%s aead %zu decrypt", file, i);
    CE_CHECK(eq(out, ct.n - si->nt, pt), "%s aead %zu: pt", file, i);
    /* Every byte of ct (and of aad) matters. */
    for (size_t b = 0; b < ct.n + aad.n; b++) {
      uint8_t *p = b < ct.n ? ct.p + b : aad.p + (b - ct.n);
      *p ^= 0x01;
      memset(out, 0x5a, sizeof out);
      CE_CHECK_STATUS(ce_sframe_aead_decrypt((int)suite, key.p, key.n, nonce.p,
                                             aad.p, aad.n, ct.p, ct.n, out),
                      CE_ERR_AUTH_FAILED, "%s aead %zu byte %zu", file, i, b);
      CE_CHECK(out[0] == 0x5a && out[ct.n] == 0x5a, "out untouched");
      *p ^= 0x01;
    }
    free(key.p), free(ek.p), free(ak.p), free(nonce.p), free(aad.p);
    free(pt.p), free(ct.p);
    tally_case(t, f0);
  }
}

static void run_sframe(const char *file, const ce_json *arr, tally *t) {
  for (size_t i = 0; i < ce_json_size(arr); i++) {
    unsigned long f0 = ce_test_failed;
    const ce_json *v = ce_json_at(arr, i);
    uint64_t suite = 0, kid = 0, ctr = 0;
    CE_CHECK(get_u64(v, "cipher_suite", &suite) && get_u64(v, "kid", &kid) &&
                 get_u64(v, "ctr", &ctr),
             "%s sframe %zu: numbers", file, i);
    const ce_sframe_suite_info *si = ce_sframe_suite_get((int)suite);
    CE_CHECK(si != NULL, "%s sframe %zu: suite", file, i);
    if (si == NULL)
      continue;
    bytes base = get_hex(v, "base_key"), kl = get_hex(v, "sframe_key_label"),
          sl = get_hex(v, "sframe_salt_label"),
          sec = get_hex(v, "sframe_secret"), key = get_hex(v, "sframe_key"),
          salt = get_hex(v, "sframe_salt"), meta = get_hex(v, "metadata"),
          nonce = get_hex(v, "nonce"), aad = get_hex(v, "aad"),
          pt = get_hex(v, "pt"), ct = get_hex(v, "ct");
    /* Key derivation, step by step. */
    ce_sframe_derived d;
    CE_CHECK_STATUS(ce_sframe_derive((int)suite, kid, base.p, base.n, &d),
                    CE_OK, "%s sframe %zu derive", file, i);
    CE_CHECK(eq(d.key_label, sizeof d.key_label, kl), "%s %zu: key label", file,
             i);
    CE_CHECK(eq(d.salt_label, sizeof d.salt_label, sl), "%s %zu: salt label",
             file, i);
    CE_CHECK(eq(d.secret, d.secret_len, sec), "%s %zu: secret", file, i);
    CE_CHECK(eq(d.key, d.key_len, key), "%s %zu: sframe_key", file, i);
    CE_CHECK(eq(d.salt, d.salt_len, salt), "%s %zu: sframe_salt", file, i);
    /* Nonce and AAD. */
    uint8_t n12[12];
    ce_sframe_nonce(d.salt, ctr, n12);
    CE_CHECK(eq(n12, 12, nonce), "%s %zu: nonce", file, i);
    uint8_t hdr[CE_SFRAME_MAX_HEADER];
    size_t hl = sizeof hdr;
    CE_CHECK_STATUS(ce_sframe_header_encode(kid, ctr, hdr, &hl), CE_OK, "hdr");
    uint8_t a[256];
    memcpy(a, hdr, hl);
    memcpy(a + hl, meta.p, meta.n);
    CE_CHECK(eq(a, hl + meta.n, aad), "%s %zu: aad", file, i);
    /* ct = header || AEAD.Encrypt(key, nonce, aad, pt), via the AEAD. */
    uint8_t out[512];
    memcpy(out, hdr, hl);
    CE_CHECK_STATUS(ce_sframe_aead_encrypt((int)suite, d.key, d.key_len, n12, a,
                                           hl + meta.n, pt.p, pt.n, out + hl),
                    CE_OK, "aead");
    CE_CHECK(eq(out, hl + pt.n + si->nt, ct), "%s %zu: ct (AEAD)", file, i);
    CE_CHECK(ce_sframe_overhead((int)suite, kid, ctr) == ct.n - pt.n,
             "%s %zu: overhead", file, i);
    /* Through contexts: explicit CTR, and the sender's own counter. */
    ce_sframe_ctx *tx = NULL, *rx = NULL;
    CE_CHECK_STATUS(ce_sframe_ctx_new((int)suite, &tx), CE_OK, "tx");
    CE_CHECK_STATUS(ce_sframe_ctx_new((int)suite, &rx), CE_OK, "rx");
    CE_CHECK_STATUS(ce_sframe_add_key(tx, kid, CE_SFRAME_SEND, base.p, base.n),
                    CE_OK, "add send");
    CE_CHECK_STATUS(
        ce_sframe_add_key(rx, kid, CE_SFRAME_RECEIVE, base.p, base.n), CE_OK,
        "add receive");
    size_t len = pt.n;
    memcpy(out, pt.p, pt.n);
    CE_CHECK_STATUS(ce_testing_sframe_protect_ctr(tx, kid, ctr, meta.p, meta.n,
                                                  out, &len, sizeof out),
                    CE_OK, "protect_ctr");
    CE_CHECK(eq(out, len, ct), "%s %zu: ct (context, explicit CTR)", file, i);
    CE_CHECK_STATUS(ce_testing_sframe_set_next_ctr(tx, kid, ctr), CE_OK,
                    "set ctr");
    size_t olen = sizeof out;
    CE_CHECK_STATUS(
        ce_sframe_protect_into(tx, kid, meta.p, meta.n, pt.p, pt.n, out, &olen),
        CE_OK, "protect_into");
    CE_CHECK(eq(out, olen, ct), "%s %zu: ct (context counter)", file, i);
    uint64_t next = 0;
    CE_CHECK(ce_sframe_next_ctr(tx, kid, &next) == CE_OK && next == ctr + 1,
             "counter advanced");
    uint64_t gk = 0, gc = 0;
    len = ct.n;
    memcpy(out, ct.p, ct.n);
    CE_CHECK_STATUS(
        ce_sframe_unprotect(rx, meta.p, meta.n, out, &len, &gk, &gc), CE_OK,
        "%s %zu unprotect", file, i);
    CE_CHECK(eq(out, len, pt) && gk == kid && gc == ctr, "%s %zu: pt", file, i);
    olen = sizeof out;
    CE_CHECK_STATUS(ce_sframe_unprotect_into(rx, meta.p, meta.n, ct.p, ct.n,
                                             out, &olen, NULL, NULL),
                    CE_OK, "%s %zu unprotect_into", file, i);
    CE_CHECK(eq(out, olen, pt), "%s %zu: pt (into)", file, i);
    ce_sframe_ctx_free(tx);
    ce_sframe_ctx_free(rx);
    ce_wipe(&d, sizeof d);
    bytes all[] = {base, kl, sl, sec, key, salt, meta, nonce, aad, pt, ct};
    for (size_t j = 0; j < sizeof all / sizeof all[0]; j++)
      free(all[j].p);
    tally_case(t, f0);
  }
}

typedef struct expect {
  const char *array;
  size_t count;
  void (*run)(const char *, const ce_json *, tally *);
} expect;

static void run_file(const char *file, const expect *ex, size_t nex) {
  ce_json *root = load(file);
  if (root == NULL)
    return;
  CE_CHECK(ce_json_size(root) == nex, "%s: %zu arrays, expected %zu", file,
           ce_json_size(root), nex);
  for (size_t i = 0; i < nex; i++) {
    const ce_json *arr = ce_json_get(root, ex[i].array);
    CE_CHECK(ce_json_size(arr) == ex[i].count, "%s: %s has %zu, expected %zu",
             file, ex[i].array, ce_json_size(arr), ex[i].count);
    tally t = {0, 0};
    ex[i].run(file, arr, &t);
    printf("%s %s: %lu run, %lu passed\n", file, ex[i].array, t.run, t.passed);
  }
  ce_json_free(root);
}

/* ---- header refusals ---------------------------------------------------- */

static void test_header_refusals(void) {
  static const struct {
    const char *hex;
    const char *why;
  } bad[] = {
      {"", "empty"},
      {"8005", "extended KID 5 (0..7 must be inline)"},
      {"8000", "extended KID 0"},
      {"0807", "extended CTR 7"},
      {"900008", "KID 8 with a leading zero byte"},
      {"09000f", "CTR 15 with a leading zero byte"},
      {"f000ffffffffffffff", "8-byte KID with a leading zero"},
      {"0f00ffffffffffffff", "8-byte CTR with a leading zero"},
      {"88", "KID byte missing"},
      {"08", "CTR byte missing"},
      {"ff", "17-byte header, 1 byte given"},
      {"ffffffffffffffffffffffffffffffff", "16 of 17 bytes"},
      {"99012345", "CTR cut short"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    uint8_t in[32];
    size_t n = 0;
    ce_hex_decode(bad[i].hex, strlen(bad[i].hex), 0, in, sizeof in, &n, NULL);
    uint64_t k = 5, c = 6;
    CE_CHECK_STATUS(ce_sframe_header_decode(in, n, &k, &c, NULL),
                    CE_ERR_MALFORMED, "%s", bad[i].why);
    CE_CHECK(k == 5 && c == 6, "outputs untouched");
  }
  /* Every config byte with enough bytes after it: decodes, or is refused
     only for a non-minimal value; re-encoding gives the same bytes. */
  for (unsigned cfg = 0; cfg < 256; cfg++) {
    uint8_t in[17];
    memset(in, 0x80, sizeof in);
    in[0] = (uint8_t)cfg;
    uint64_t k, c;
    size_t hl;
    CE_CHECK_STATUS(ce_sframe_header_decode(in, sizeof in, &k, &c, &hl), CE_OK,
                    "config %02x", cfg);
    uint8_t re[17];
    size_t rn = sizeof re;
    ce_sframe_header_encode(k, c, re, &rn);
    CE_CHECK(rn == hl && memcmp(re, in, hl) == 0, "config %02x round trip",
             cfg);
  }
  uint64_t k;
  CE_CHECK_STATUS(ce_sframe_header_decode(NULL, 1, &k, NULL, NULL),
                  CE_ERR_INVALID_ARGUMENT, "NULL in");
  size_t n = 4;
  CE_CHECK_STATUS(ce_sframe_header_encode(1, 2, NULL, &n),
                  CE_ERR_INVALID_ARGUMENT, "NULL out");
  CE_CHECK(ce_sframe_overhead(0, 0, 0) == 0 && ce_sframe_overhead(9, 0, 0) == 0,
           "invalid suites");
  CE_CHECK(ce_sframe_suite_get(0) == NULL && ce_sframe_suite_get(9) == NULL,
           "no row");
}

/* ---- context ------------------------------------------------------------ */

static const uint8_t base_a[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
static const uint8_t base_b[16] = {0xb0, 0xb1, 0xb2};
static const uint8_t meta[] = {'m', 'e', 't', 'a'};

static void pair(int suite, uint64_t kid, const uint8_t *base,
                 ce_sframe_ctx **tx, ce_sframe_ctx **rx) {
  CE_CHECK_STATUS(ce_sframe_ctx_new(suite, tx), CE_OK, "tx %d", suite);
  CE_CHECK_STATUS(ce_sframe_ctx_new(suite, rx), CE_OK, "rx %d", suite);
  CE_CHECK_STATUS(ce_sframe_add_key(*tx, kid, CE_SFRAME_SEND, base, 16), CE_OK,
                  "send key");
  CE_CHECK_STATUS(ce_sframe_add_key(*rx, kid, CE_SFRAME_RECEIVE, base, 16),
                  CE_OK, "receive key");
}

/* Unprotect must fail with a status in want[] and leave everything as it
   was. */
static void expect_refused(ce_sframe_ctx *rx, const uint8_t *meta_p,
                           size_t meta_n, const uint8_t *frame, size_t n,
                           const int *want, size_t nwant, const char *what,
                           size_t at) {
  uint8_t buf[600], copy[600];
  memcpy(buf, frame, n);
  memcpy(copy, frame, n);
  size_t len = n;
  uint64_t k = 11, c = 12;
  ce_status st = ce_sframe_unprotect(rx, meta_p, meta_n, buf, &len, &k, &c);
  int ok = 0;
  for (size_t i = 0; i < nwant; i++)
    ok |= (int)st == want[i];
  CE_CHECK(ok, "%s %zu: status %s", what, at, ce_status_name(st));
  CE_CHECK(len == n && memcmp(buf, copy, n) == 0 && k == 11 && c == 12,
           "%s %zu: buffer, length and outputs untouched", what, at);
  uint8_t out[600];
  memset(out, 0x3c, sizeof out);
  size_t olen = sizeof out;
  ce_status st2 = ce_sframe_unprotect_into(rx, meta_p, meta_n, frame, n, out,
                                           &olen, NULL, NULL);
  CE_CHECK(st2 == st && olen == sizeof out && out[0] == 0x3c,
           "%s %zu: _into agrees and writes nothing", what, at);
}

static void test_tamper_truncate(int suite) {
  ce_sframe_ctx *tx, *rx;
  const uint64_t kid = 291;
  pair(suite, kid, base_a, &tx, &rx);
  uint8_t frame[600];
  size_t n = 40;
  fill(frame, n, 3);
  CE_CHECK_STATUS(ce_testing_sframe_protect_ctr(tx, kid, 17767, meta,
                                                sizeof meta, frame, &n,
                                                sizeof frame),
                  CE_OK, "protect");
  size_t hl = ce_sframe_header_len(kid, 17767);
  static const int hdr_st[] = {CE_ERR_MALFORMED, CE_ERR_UNKNOWN_KID,
                               CE_ERR_AUTH_FAILED};
  static const int auth[] = {CE_ERR_AUTH_FAILED};
  for (size_t b = 0; b < n; b++) {
    for (unsigned bit = 0; bit < 8; bit++) {
      frame[b] ^= (uint8_t)(1u << bit);
      if (b < hl)
        expect_refused(rx, meta, sizeof meta, frame, n, hdr_st, 3, "tamper", b);
      else
        expect_refused(rx, meta, sizeof meta, frame, n, auth, 1, "tamper", b);
      frame[b] ^= (uint8_t)(1u << bit);
    }
  }
  static const int cut_st[] = {CE_ERR_MALFORMED, CE_ERR_AUTH_FAILED};
  for (size_t cut = 0; cut < n; cut++)
    expect_refused(rx, meta, sizeof meta, frame, cut, cut_st, 2, "truncate",
                   cut);
  /* Fewer than Nt bytes after a whole header: malformed. */
  const ce_sframe_suite_info *si = ce_sframe_suite_get(suite);
  static const int mal[] = {CE_ERR_MALFORMED};
  expect_refused(rx, meta, sizeof meta, frame, hl + si->nt - 1, mal, 1,
                 "short tag", 0);
  /* A header longer than the frame: 8-byte KID and CTR announced. */
  uint8_t longhdr[10] = {0xff, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  expect_refused(rx, NULL, 0, longhdr, sizeof longhdr, mal, 1, "long header",
                 0);
  /* Wrong or missing metadata. */
  static const uint8_t other[] = {'m', 'e', 't', 'b'};
  expect_refused(rx, other, sizeof other, frame, n, auth, 1, "metadata", 0);
  expect_refused(rx, NULL, 0, frame, n, auth, 1, "no metadata", 0);
  expect_refused(rx, meta, 3, frame, n, auth, 1, "short metadata", 0);
  /* The genuine frame still opens. */
  uint8_t buf[600];
  memcpy(buf, frame, n);
  size_t len = n;
  CE_CHECK_STATUS(
      ce_sframe_unprotect(rx, meta, sizeof meta, buf, &len, NULL, NULL), CE_OK,
      "genuine %d", suite);
  uint8_t want[40];
  fill(want, 40, 3);
  CE_CHECK(len == 40 && memcmp(buf, want, 40) == 0, "payload");
  ce_sframe_ctx_free(tx);
  ce_sframe_ctx_free(rx);
}

static ce_status open_ctr(ce_sframe_ctx *tx, ce_sframe_ctx *rx, uint64_t kid,
                          uint64_t ctr) {
  uint8_t f[100] = {1, 2, 3};
  size_t n = 3;
  CE_CHECK_STATUS(
      ce_testing_sframe_protect_ctr(tx, kid, ctr, NULL, 0, f, &n, sizeof f),
      CE_OK, "protect ctr %llu", (unsigned long long)ctr);
  return ce_sframe_unprotect(rx, NULL, 0, f, &n, NULL, NULL);
}

static void test_keys_and_replay(int suite) {
  ce_sframe_ctx *tx, *rx;
  pair(suite, 7, base_a, &tx, &rx);
  uint8_t f[100];
  size_t n;
  /* Unknown KIDs, and keys used in the wrong direction. */
  n = 4;
  CE_CHECK_STATUS(ce_sframe_protect(tx, 8, NULL, 0, f, &n, sizeof f),
                  CE_ERR_UNKNOWN_KID, "no send key 8");
  n = 4;
  CE_CHECK_STATUS(ce_sframe_protect(rx, 7, NULL, 0, f, &n, sizeof f),
                  CE_ERR_UNKNOWN_KID, "receive key cannot send");
  n = 4;
  CE_CHECK_STATUS(ce_sframe_protect(tx, 7, NULL, 0, f, &n, sizeof f), CE_OK,
                  "send");
  size_t flen = n;
  uint8_t g[100];
  memcpy(g, f, flen);
  CE_CHECK_STATUS(ce_sframe_unprotect(tx, NULL, 0, g, &n, NULL, NULL),
                  CE_ERR_UNKNOWN_KID, "send key cannot receive");
  ce_sframe_ctx *rx2;
  CE_CHECK_STATUS(ce_sframe_ctx_new(suite, &rx2), CE_OK, "rx2");
  CE_CHECK_STATUS(ce_sframe_unprotect(rx2, NULL, 0, g, &n, NULL, NULL),
                  CE_ERR_UNKNOWN_KID, "no key at all");
  ce_sframe_ctx_free(rx2);

  /* Replay window off (default): a duplicate is accepted. */
  CE_CHECK_STATUS(open_ctr(tx, rx, 7, 100), CE_OK, "first");
  CE_CHECK_STATUS(open_ctr(tx, rx, 7, 100), CE_OK, "duplicate, window off");
  CE_CHECK_STATUS(ce_sframe_set_replay_window(rx, 1025),
                  CE_ERR_INVALID_ARGUMENT, "window too large");
  CE_CHECK_STATUS(ce_sframe_set_replay_window(rx, 64), CE_OK, "window 64");
  /* What was seen while off counts once the window is on. */
  CE_CHECK_STATUS(open_ctr(tx, rx, 7, 100), CE_ERR_REPLAYED, "dup");
  CE_CHECK_STATUS(open_ctr(tx, rx, 7, 101), CE_OK, "next");
  CE_CHECK_STATUS(open_ctr(tx, rx, 7, 99), CE_OK, "late, in window");
  CE_CHECK_STATUS(open_ctr(tx, rx, 7, 99), CE_ERR_REPLAYED, "late dup");
  CE_CHECK_STATUS(open_ctr(tx, rx, 7, 101 - 63), CE_OK, "oldest in window");
  CE_CHECK_STATUS(open_ctr(tx, rx, 7, 101 - 64), CE_ERR_REPLAYED, "stale");
  CE_CHECK_STATUS(open_ctr(tx, rx, 7, 0), CE_ERR_REPLAYED, "very stale");
  CE_CHECK_STATUS(open_ctr(tx, rx, 7, 1000), CE_OK, "jump");
  CE_CHECK_STATUS(open_ctr(tx, rx, 7, 101), CE_ERR_REPLAYED, "now stale");
  CE_CHECK_STATUS(open_ctr(tx, rx, 7, 990), CE_OK, "in window after jump");
  CE_CHECK_STATUS(open_ctr(tx, rx, 7, 990), CE_ERR_REPLAYED, "dup after jump");
  /* Only authentic frames move the window: a forged frame with a high CTR
     is refused as forged and leaves it alone. */
  n = 3;
  memset(f, 1, 3);
  CE_CHECK_STATUS(
      ce_testing_sframe_protect_ctr(tx, 7, 5000, NULL, 0, f, &n, sizeof f),
      CE_OK, "protect 5000");
  f[n - 1] ^= 0x80;
  size_t m = n;
  CE_CHECK_STATUS(ce_sframe_unprotect(rx, NULL, 0, f, &m, NULL, NULL),
                  CE_ERR_AUTH_FAILED, "forged 5000");
  CE_CHECK_STATUS(open_ctr(tx, rx, 7, 980), CE_OK,
                  "window did not move for the forgery");
  /* Capacity too small: refused after authentication, CTR not recorded. */
  n = 3;
  CE_CHECK_STATUS(
      ce_testing_sframe_protect_ctr(tx, 7, 1001, NULL, 0, f, &n, sizeof f),
      CE_OK, "protect 1001");
  uint8_t out[3];
  size_t olen = 2;
  CE_CHECK_STATUS(
      ce_sframe_unprotect_into(rx, NULL, 0, f, n, out, &olen, NULL, NULL),
      CE_ERR_BUFFER_TOO_SMALL, "capacity");
  olen = 3;
  CE_CHECK_STATUS(
      ce_sframe_unprotect_into(rx, NULL, 0, f, n, out, &olen, NULL, NULL),
      CE_OK, "retry with room");
  CE_CHECK_STATUS(ce_sframe_set_replay_window(rx, 1024), CE_OK, "window 1024");
  CE_CHECK_STATUS(open_ctr(tx, rx, 7, 0), CE_OK,
                  "0 is in a 1024 window and was refused, not recorded");
  CE_CHECK_STATUS(open_ctr(tx, rx, 7, 0), CE_ERR_REPLAYED, "0 now recorded");
  CE_CHECK_STATUS(open_ctr(tx, rx, 7, 2000), CE_OK, "2000");
  CE_CHECK_STATUS(open_ctr(tx, rx, 7, 2000 - 1023), CE_OK, "edge of 1024");
  CE_CHECK_STATUS(open_ctr(tx, rx, 7, 2000 - 1024), CE_ERR_REPLAYED,
                  "beyond 1024");
  CE_CHECK_STATUS(open_ctr(tx, rx, 7, 1001), CE_ERR_REPLAYED,
                  "1001 was recorded");

  /* Replace the receive key with another base key: the old sender's
     frames fail; with the same base key again, the window is kept. */
  CE_CHECK_STATUS(ce_sframe_add_key(rx, 7, CE_SFRAME_RECEIVE, base_a, 16),
                  CE_OK, "same key again");
  CE_CHECK_STATUS(open_ctr(tx, rx, 7, 2000), CE_ERR_REPLAYED,
                  "window kept on re-add of the same key");
  CE_CHECK_STATUS(ce_sframe_add_key(rx, 7, CE_SFRAME_RECEIVE, base_b, 16),
                  CE_OK, "replace");
  CE_CHECK_STATUS(open_ctr(tx, rx, 7, 3000), CE_ERR_AUTH_FAILED,
                  "old key's frame");
  CE_CHECK_STATUS(ce_sframe_remove_key(rx, 7), CE_OK, "remove");
  CE_CHECK_STATUS(ce_sframe_remove_key(rx, 7), CE_ERR_UNKNOWN_KID,
                  "remove again");
  CE_CHECK_STATUS(open_ctr(tx, rx, 7, 3001), CE_ERR_UNKNOWN_KID, "removed");

  /* Send side: counter, same-key re-add continues, new key restarts,
     remove. */
  uint64_t next = 0;
  CE_CHECK(ce_sframe_next_ctr(tx, 7, &next) == CE_OK && next == 1, "next 1");
  CE_CHECK_STATUS(ce_sframe_add_key(tx, 7, CE_SFRAME_SEND, base_a, 16), CE_OK,
                  "same send key");
  CE_CHECK(ce_sframe_next_ctr(tx, 7, &next) == CE_OK && next == 1,
           "counter continues");
  CE_CHECK_STATUS(ce_sframe_add_key(tx, 7, CE_SFRAME_SEND, base_b, 16), CE_OK,
                  "new send key");
  CE_CHECK(ce_sframe_next_ctr(tx, 7, &next) == CE_OK && next == 0,
           "restarts at 0");
  /* Back to the first base key: its counter continues where it stopped.
     (Before: it restarted at 0 and repeated the first frame's nonce.) */
  CE_CHECK_STATUS(ce_sframe_add_key(tx, 7, CE_SFRAME_SEND, base_a, 16), CE_OK,
                  "back to the first key");
  CE_CHECK(ce_sframe_next_ctr(tx, 7, &next) == CE_OK && next == 1,
           "the first key's counter continues (no nonce reuse)");
  CE_CHECK_STATUS(ce_sframe_remove_key(tx, 7), CE_OK, "remove");
  CE_CHECK_STATUS(ce_sframe_add_key(tx, 7, CE_SFRAME_SEND, base_a, 16), CE_OK,
                  "removed and added again");
  CE_CHECK(ce_sframe_next_ctr(tx, 7, &next) == CE_OK && next == 1,
           "a removed key's counter continues too");
  CE_CHECK_STATUS(ce_sframe_add_key(tx, 7, CE_SFRAME_SEND, base_b, 16), CE_OK,
                  "the second key again");
  CE_CHECK(ce_sframe_next_ctr(tx, 7, &next) == CE_OK && next == 0,
           "the second key continues at its own counter");
  /* RFC 9605 4.4.1: a base key is for sending or receiving, never both:
     the same base key for the same KID with the other usage is refused,
     another base key is fine. */
  CE_CHECK_STATUS(ce_sframe_add_key(tx, 7, CE_SFRAME_RECEIVE, base_b, 16),
                  CE_ERR_INVALID_ARGUMENT, "usage change of one base key");
  CE_CHECK_STATUS(ce_sframe_add_key(tx, 7, CE_SFRAME_RECEIVE, base_a, 16),
                  CE_ERR_INVALID_ARGUMENT, "usage change of a past base key");
  static const uint8_t base_c[16] = {0xcc};
  CE_CHECK_STATUS(ce_sframe_add_key(tx, 7, CE_SFRAME_RECEIVE, base_c, 16),
                  CE_OK, "usage change with another base key");
  CE_CHECK_STATUS(ce_sframe_next_ctr(tx, 7, &next), CE_ERR_UNKNOWN_KID,
                  "no longer a send key");
  CE_CHECK_STATUS(ce_sframe_remove_key(tx, 7), CE_OK, "remove send");
  n = 1;
  CE_CHECK_STATUS(ce_sframe_protect(tx, 7, NULL, 0, f, &n, sizeof f),
                  CE_ERR_UNKNOWN_KID, "removed send key");
  /* Many keys: the table grows and stays sorted. */
  for (uint64_t k = 0; k < 100; k++) {
    uint64_t kid = k * 0x0101010101010101ull;
    CE_CHECK_STATUS(ce_sframe_add_key(tx, kid, CE_SFRAME_SEND, base_a, 16),
                    CE_OK, "add %llu", (unsigned long long)k);
  }
  for (uint64_t k = 0; k < 100; k += 2)
    CE_CHECK_STATUS(ce_sframe_remove_key(tx, k * 0x0101010101010101ull), CE_OK,
                    "remove");
  for (uint64_t k = 0; k < 100; k++) {
    ce_status st = ce_sframe_next_ctr(tx, k * 0x0101010101010101ull, &next);
    CE_CHECK_STATUS(st, k % 2 ? CE_OK : CE_ERR_UNKNOWN_KID, "key %llu",
                    (unsigned long long)k);
  }
  /* Argument checks. */
  CE_CHECK_STATUS(ce_sframe_add_key(tx, 1, 3, base_a, 16),
                  CE_ERR_INVALID_ARGUMENT, "usage");
  CE_CHECK_STATUS(ce_sframe_add_key(tx, 1, CE_SFRAME_SEND, base_a, 0),
                  CE_ERR_INVALID_ARGUMENT, "empty key");
  CE_CHECK_STATUS(ce_sframe_add_key(tx, 1, CE_SFRAME_SEND, NULL, 16),
                  CE_ERR_INVALID_ARGUMENT, "NULL key");
  CE_CHECK_STATUS(ce_sframe_add_key(NULL, 1, CE_SFRAME_SEND, base_a, 16),
                  CE_ERR_INVALID_ARGUMENT, "NULL ctx");
  n = 1;
  CE_CHECK_STATUS(ce_sframe_protect(tx, 1, NULL, 3, f, &n, sizeof f),
                  CE_ERR_INVALID_ARGUMENT, "NULL metadata, length 3");
  CE_CHECK_STATUS(ce_sframe_protect(NULL, 1, NULL, 0, f, &n, sizeof f),
                  CE_ERR_INVALID_ARGUMENT, "NULL ctx");
  CE_CHECK_STATUS(ce_sframe_unprotect(rx, NULL, 0, NULL, &n, NULL, NULL),
                  CE_ERR_INVALID_ARGUMENT, "NULL buf");
  ce_sframe_ctx_free(tx);
  ce_sframe_ctx_free(rx);
}

static void test_counter(int suite) {
  ce_sframe_ctx *tx, *rx;
  pair(suite, 300, base_a, &tx, &rx);
  CE_CHECK_STATUS(ce_sframe_set_replay_window(rx, 16), CE_OK, "window");
  uint8_t f[200];
  /* Sequence from 0; sizes and capacity. */
  for (uint64_t i = 0; i < 20; i++) {
    size_t n = (size_t)i * 5;
    fill(f, n, (unsigned)i);
    size_t need = n + ce_sframe_overhead(suite, 300, i);
    size_t m = n;
    CE_CHECK_STATUS(ce_sframe_protect(tx, 300, meta, 2, f, &m, need - 1),
                    CE_ERR_BUFFER_TOO_SMALL, "cap");
    uint64_t next = 99;
    CE_CHECK(ce_sframe_next_ctr(tx, 300, &next) == CE_OK && next == i,
             "refusal did not consume the counter");
    CE_CHECK_STATUS(ce_sframe_protect(tx, 300, meta, 2, f, &m, need), CE_OK,
                    "protect %llu", (unsigned long long)i);
    CE_CHECK(m == need, "frame length");
    uint64_t k = 0, c = 99;
    CE_CHECK_STATUS(ce_sframe_unprotect(rx, meta, 2, f, &m, &k, &c), CE_OK,
                    "unprotect");
    uint8_t want[200];
    fill(want, n, (unsigned)i);
    CE_CHECK(m == n && memcmp(f, want, n) == 0 && k == 300 && c == i,
             "round trip %llu", (unsigned long long)i);
  }
  /* Exhaustion: 2^64-2 and 2^64-1 are sent, then the KID refuses. */
  CE_CHECK_STATUS(ce_testing_sframe_set_next_ctr(tx, 300, UINT64_MAX - 1),
                  CE_OK, "near the end");
  for (int i = 0; i < 2; i++) {
    size_t m = 5;
    memset(f, 9, 5);
    CE_CHECK_STATUS(ce_sframe_protect(tx, 300, NULL, 0, f, &m, sizeof f), CE_OK,
                    "last frames");
    uint64_t c = 0;
    CE_CHECK_STATUS(ce_sframe_unprotect(rx, NULL, 0, f, &m, NULL, &c), CE_OK,
                    "open");
    CE_CHECK(c == UINT64_MAX - 1 + (uint64_t)i, "ctr %d", i);
  }
  size_t m = 5;
  memset(f, 9, 5);
  CE_CHECK_STATUS(ce_sframe_protect(tx, 300, NULL, 0, f, &m, sizeof f),
                  CE_ERR_COUNTER_EXHAUSTED, "exhausted");
  CE_CHECK(m == 5 && f[0] == 9 && f[4] == 9, "untouched");
  uint64_t next;
  CE_CHECK_STATUS(ce_sframe_next_ctr(tx, 300, &next), CE_ERR_COUNTER_EXHAUSTED,
                  "next_ctr");
  /* The explicit-CTR testing path still works; a new key starts again. */
  m = 5;
  CE_CHECK_STATUS(
      ce_testing_sframe_protect_ctr(tx, 300, 3, NULL, 0, f, &m, sizeof f),
      CE_OK, "testing path");
  CE_CHECK_STATUS(ce_sframe_add_key(tx, 300, CE_SFRAME_SEND, base_b, 16), CE_OK,
                  "new key");
  CE_CHECK(ce_sframe_next_ctr(tx, 300, &next) == CE_OK && next == 0, "fresh");
  ce_sframe_ctx_free(tx);
  ce_sframe_ctx_free(rx);
}

/* Context frames equal one-shot AEAD frames at many lengths (the CTR and
   GCM contexts are reset per packet), in place and out of place, with
   overlapping buffers. */
static void test_cross(int suite) {
  ce_sframe_ctx *tx, *rx;
  pair(suite, 9, base_a, &tx, &rx);
  ce_sframe_derived d;
  CE_CHECK_STATUS(ce_sframe_derive(suite, 9, base_a, 16, &d), CE_OK, "derive");
  static uint8_t a[70000], b[70000], c[70000];
  static const size_t lens[] = {0, 1, 15, 16, 17, 31, 33, 100, 1000, 65536};
  for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
    size_t n = lens[i];
    fill(a, n, (unsigned)i + 40);
    uint64_t ctr = 0;
    ce_sframe_next_ctr(tx, 9, &ctr);
    size_t flen = sizeof b;
    CE_CHECK_STATUS(
        ce_sframe_protect_into(tx, 9, meta, sizeof meta, a, n, b, &flen), CE_OK,
        "protect %zu", n);
    size_t hl = ce_sframe_header_len(9, ctr);
    uint8_t aad[32], nonce[12];
    ce_sframe_header_encode(9, ctr, aad, &(size_t){sizeof aad});
    memcpy(aad + hl, meta, sizeof meta);
    ce_sframe_nonce(d.salt, ctr, nonce);
    CE_CHECK_STATUS(ce_sframe_aead_encrypt(suite, d.key, d.key_len, nonce, aad,
                                           hl + sizeof meta, a, n, c),
                    CE_OK, "one-shot");
    CE_CHECK(flen == hl + n + ce_sframe_suite_get(suite)->nt &&
                 memcmp(b, aad, hl) == 0 && memcmp(b + hl, c, flen - hl) == 0,
             "suite %d len %zu: context == one-shot", suite, n);
    /* Unprotect out of place into a buffer overlapping the input. */
    memmove(c + 5, b, flen);
    size_t olen = sizeof c - 5;
    CE_CHECK_STATUS(ce_sframe_unprotect_into(rx, meta, sizeof meta, c + 5, flen,
                                             c, &olen, NULL, NULL),
                    CE_OK, "open %zu", n);
    CE_CHECK(olen == n && memcmp(c, a, n) == 0, "payload %zu", n);
    /* Protect in place with the payload overlapping nothing else. */
    memcpy(c, a, n);
    size_t m = n;
    CE_CHECK_STATUS(
        ce_sframe_protect(tx, 9, meta, sizeof meta, c, &m, sizeof c), CE_OK,
        "in place %zu", n);
    CE_CHECK_STATUS(
        ce_sframe_unprotect(rx, meta, sizeof meta, c, &m, NULL, NULL), CE_OK,
        "open in place %zu", n);
    CE_CHECK(m == n && memcmp(c, a, n) == 0, "in place payload %zu", n);
  }
  /* Sizes: the largest payload, one more. */
  static uint8_t big[CE_SFRAME_MAX_PAYLOAD + CE_SFRAME_MAX_OVERHEAD + 1];
  size_t m = CE_SFRAME_MAX_PAYLOAD + 1;
  CE_CHECK_STATUS(ce_sframe_protect(tx, 9, NULL, 0, big, &m, sizeof big),
                  CE_ERR_TOO_LARGE, "over the maximum");
  m = CE_SFRAME_MAX_PAYLOAD;
  CE_CHECK_STATUS(ce_sframe_protect(tx, 9, NULL, 0, big, &m, sizeof big), CE_OK,
                  "the maximum");
  CE_CHECK_STATUS(ce_sframe_unprotect(rx, NULL, 0, big, &m, NULL, NULL), CE_OK,
                  "open the maximum");
  CE_CHECK(m == CE_SFRAME_MAX_PAYLOAD, "max length");
  ce_wipe(&d, sizeof d);
  ce_sframe_ctx_free(tx);
  ce_sframe_ctx_free(rx);
}

static void test_fork(int suite) {
  ce_sframe_ctx *tx, *rx;
  pair(suite, 12, base_a, &tx, &rx);
  uint8_t f[100];
  size_t n = 4;
  memset(f, 1, n);
  CE_CHECK_STATUS(ce_sframe_protect(tx, 12, NULL, 0, f, &n, sizeof f), CE_OK,
                  "parent before fork");
  uint8_t parent_frame[100];
  size_t parent_len = n;
  memcpy(parent_frame, f, n);
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    /* The child: exit status bit i set when check i failed. */
    int bad = 0;
    size_t m = 4;
    if (ce_sframe_protect(tx, 12, NULL, 0, f, &m, sizeof f) !=
        CE_ERR_UNKNOWN_KID)
      bad |= 1;
    uint64_t next;
    if (ce_sframe_next_ctr(tx, 12, &next) != CE_ERR_UNKNOWN_KID)
      bad |= 2;
    if (ce_sframe_add_key(tx, 12, CE_SFRAME_SEND, base_a, 16) !=
        CE_ERR_INVALID_ARGUMENT)
      bad |= 4;
    m = parent_len;
    memcpy(f, parent_frame, m);
    if (ce_sframe_unprotect(rx, NULL, 0, f, &m, NULL, NULL) != CE_OK)
      bad |= 8; /* receive keys keep working */
    if (ce_sframe_add_key(tx, 12, CE_SFRAME_SEND, base_b, 16) != CE_OK ||
        ce_sframe_next_ctr(tx, 12, &next) != CE_OK || next != 0)
      bad |= 16;
    m = 4;
    if (ce_sframe_protect(tx, 12, NULL, 0, f, &m, sizeof f) != CE_OK)
      bad |= 32;
    if (ce_sframe_remove_key(tx, 12) != CE_OK)
      bad |= 64;
    /* The inherited base key stays refused by any route: after another
       key replaced it, after removal, or with the other usage (before:
       base_a -> base_b -> base_a gave CTR 0 again, the parent's nonces). */
    if (ce_sframe_add_key(tx, 12, CE_SFRAME_SEND, base_a, 16) !=
            CE_ERR_INVALID_ARGUMENT ||
        ce_sframe_add_key(tx, 12, CE_SFRAME_RECEIVE, base_a, 16) !=
            CE_ERR_INVALID_ARGUMENT)
      bad |= 128;
    ce_sframe_ctx_free(tx);
    ce_sframe_ctx_free(rx);
    /* exit, not _exit: in the coverage build the child's counters are
       written at exit (scripts/coverage.sh builds with -fno-builtin-fork),
       and the child is the only process that takes the fork branches. */
    exit(bad);
  }
  CE_CHECK(pid > 0, "fork");
  int status = 0;
  CE_CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
               WEXITSTATUS(status) == 0,
           "suite %d child: failed checks mask %d", suite,
           WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  /* The parent continues its own counter. */
  uint64_t next = 0;
  CE_CHECK(ce_sframe_next_ctr(tx, 12, &next) == CE_OK && next == 1,
           "parent counter");
  n = 4;
  CE_CHECK_STATUS(ce_sframe_protect(tx, 12, NULL, 0, f, &n, sizeof f), CE_OK,
                  "parent after fork");
  ce_sframe_ctx_free(tx);
  ce_sframe_ctx_free(rx);
}

static void test_no_alloc(int suite) {
  ce_sframe_ctx *tx, *rx;
  pair(suite, 1234, base_a, &tx, &rx);
  CE_CHECK_STATUS(ce_sframe_set_replay_window(rx, 128), CE_OK, "window");
  static uint8_t f[2000];
  /* Warm up (first use of a context may initialise provider state). */
  size_t n = 100;
  ce_sframe_protect(tx, 1234, meta, sizeof meta, f, &n, sizeof f);
  ce_sframe_unprotect(rx, meta, sizeof meta, f, &n, NULL, NULL);
  unsigned long before = __atomic_load_n(&g_ossl_allocs, __ATOMIC_RELAXED);
  const int rounds = 200;
  for (int i = 0; i < rounds; i++) {
    n = (size_t)(i * 7) % 1500;
    fill(f, n, (unsigned)i);
    ce_sframe_protect(tx, 1234, meta, sizeof meta, f, &n, sizeof f);
    size_t m = n;
    ce_sframe_unprotect(rx, meta, sizeof meta, f, &m, NULL, NULL);
    ce_sframe_unprotect(rx, meta, sizeof meta, f, &n, NULL, NULL); /* dup */
  }
  unsigned long allocs =
      __atomic_load_n(&g_ossl_allocs, __ATOMIC_RELAXED) - before;
  const ce_sframe_suite_info *si = ce_sframe_suite_get(suite);
  if (si->gcm)
    CE_CHECK(allocs == 0,
             "suite %d: %lu OpenSSL allocations on the packet path", suite,
             allocs);
  else
    printf("suite %d (%s): %lu OpenSSL allocations in %d protect + "
           "%d unprotect (OpenSSL 3.0 HMAC re-init)\n",
           suite, si->name, allocs, rounds, rounds);
  ce_sframe_ctx_free(tx);
  ce_sframe_ctx_free(rx);
}

static void test_ctx_args(void) {
  ce_sframe_ctx *ctx = (ce_sframe_ctx *)&ctx;
  CE_CHECK_STATUS(ce_sframe_ctx_new(0, &ctx), CE_ERR_INVALID_ARGUMENT,
                  "suite 0");
  CE_CHECK(ctx == NULL, "NULL on failure");
  CE_CHECK_STATUS(ce_sframe_ctx_new(9, &ctx), CE_ERR_INVALID_ARGUMENT,
                  "suite 9");
  CE_CHECK_STATUS(ce_sframe_ctx_new(1, NULL), CE_ERR_INVALID_ARGUMENT, "NULL");
  ce_sframe_ctx_free(NULL);
  CE_CHECK(ce_sframe_ctx_suite(NULL) == 0, "suite of NULL");
  CE_CHECK_STATUS(ce_sframe_set_replay_window(NULL, 1), CE_ERR_INVALID_ARGUMENT,
                  "NULL");
  CE_CHECK_STATUS(ce_sframe_remove_key(NULL, 1), CE_ERR_INVALID_ARGUMENT,
                  "NULL");
  ce_sframe_derived d;
  CE_CHECK_STATUS(ce_sframe_derive(0, 1, base_a, 16, &d),
                  CE_ERR_INVALID_ARGUMENT, "derive suite 0");
  uint8_t k[16] = {0}, nonce[12] = {0}, out[32];
  CE_CHECK_STATUS(
      ce_sframe_aead_encrypt(4, k, 15, nonce, NULL, 0, NULL, 0, out),
      CE_ERR_INVALID_ARGUMENT, "key length");
  CE_CHECK_STATUS(
      ce_sframe_aead_decrypt(4, k, 16, nonce, NULL, 0, out, 15, out),
      CE_ERR_MALFORMED, "shorter than the tag");
  for (int s = 1; s <= 8; s++) {
    const ce_sframe_suite_info *si = ce_sframe_suite_get(s);
    CE_CHECK(si != NULL && si->id == s && si->nn == 12 &&
                 si->nk == (si->gcm ? si->nh / 2 : si->nka + si->nh),
             "suite %d constants", s);
    CE_CHECK_STATUS(ce_sframe_ctx_new(s, &ctx), CE_OK, "suite %d", s);
    CE_CHECK(ce_sframe_ctx_suite(ctx) == s, "suite");
    ce_sframe_ctx_free(ctx);
  }
  /* The new statuses have names. */
  static const int sts[] = {CE_ERR_UNKNOWN_KID, CE_ERR_REPLAYED,
                            CE_ERR_COUNTER_EXHAUSTED};
  static const char *const names[] = {"UNKNOWN_KID", "REPLAYED",
                                      "COUNTER_EXHAUSTED"};
  for (int i = 0; i < 3; i++) {
    int back = 0;
    CE_CHECK(strcmp(ce_status_name(sts[i]), names[i]) == 0 &&
                 ce_status_from_name(names[i], &back) && back == sts[i],
             "%s", names[i]);
  }
}

int main(void) {
  CRYPTO_set_mem_functions(cnt_malloc, cnt_realloc, cnt_free);
  const char *dir = getenv("CE_SFRAME_VECTORS_DIR");
  snprintf(g_dir, sizeof g_dir, "%s",
           dir && *dir ? dir : CE_SOURCE_DIR "/../shared/vectors/sframe");
  printf("vectors: %s\n", g_dir);

  static const expect current[] = {{"header", 289, run_headers},
                                   {"aes_ctr_hmac", 3, run_aead},
                                   {"aes_256_ctr_hmac", 3, run_aead},
                                   {"sframe", 5, run_sframe}};
  static const expect era[] = {{"header", 289, run_headers},
                               {"aes_ctr_hmac", 3, run_aead},
                               {"sframe", 5, run_sframe}};
  static const expect aes256[] = {{"sframe_aes_256_ctr_hmac", 3, run_sframe}};
  run_file("test-vectors.json", current, 4);
  run_file("test-vectors.rfc9605-era-025d568.json", era, 3);
  run_file("test-vectors-aes256.json", aes256, 1);

  test_header_refusals();
  test_ctx_args();
  for (int s = 1; s <= 8; s++) {
    test_tamper_truncate(s);
    test_keys_and_replay(s);
    test_counter(s);
    test_cross(s);
    test_fork(s);
    test_no_alloc(s);
  }
  return ce_test_finish("test_sframe");
}
