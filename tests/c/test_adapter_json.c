/*
 * test_adapter_json.c - unit tests of the conformance tooling: the JSON
 * parser, hex codec, vector-file loader and context cache (ce_tools), the
 * request handler of the JSON-lines adapter (tools/ce1_adapter.c, included
 * below with its main left out) against the rules of docs/conformance.md
 * section 3, and the shared-library adapter libce1impl_ref.so loaded with
 * dlopen.
 *
 * The parser is fed from exact-size heap copies, never string literals, so
 * a read past the given length shows up under AddressSanitizer.
 */
#define _GNU_SOURCE /* dladdr-free readlink of /proc/self/exe, RTLD_* */

#include "ce_test.h"
#include "ce_ctxcache.h"
#include "ce_hex.h"
#include "ce_json.h"
#include "ce_vecfile.h"
#include "chanenc.h"
#include "chanenc_testing.h"

#include "../../tools/ce1_impl.h"

/* handle_line() and its helpers are static: include the adapter itself. */
#define CE1_ADAPTER_NO_MAIN
#include "../../tools/ce1_adapter.c"

#include <dlfcn.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* JSON                                                                */
/* ------------------------------------------------------------------ */

/* Parses text[0..len) from an exact-size heap copy (no NUL after it). */
static int parse_n(const char *text, size_t len, size_t depth, ce_json **out,
                   ce_json_error *err) {
  char *copy = malloc(len ? len : 1);
  if (copy == NULL) {
    fprintf(stderr, "out of memory\n");
    exit(2);
  }
  if (len)
    memcpy(copy, text, len);
  int rc = ce_json_parse(len ? copy : NULL, len, depth, out, err);
  free(copy);
  return rc;
}

static int parse(const char *text, ce_json **out, ce_json_error *err) {
  return parse_n(text, strlen(text), 0, out, err);
}

static void json_ok(const char *text) {
  ce_json *v;
  ce_json_error e;
  CE_CHECK(parse(text, &v, &e) == 0, "should parse: %s (%s)", text, e.msg);
  ce_json_free(v);
}

/* Must fail at exactly offset `at` (or anywhere when at is SIZE_MAX). */
static void json_bad_n(const char *text, size_t len, size_t at) {
  ce_json *v = (ce_json *)(uintptr_t)1;
  ce_json_error e;
  int rc = parse_n(text, len, 0, &v, &e);
  CE_CHECK(rc == -1 && v == NULL, "should fail: %.*s", (int)len, text);
  if (rc == 0) {
    ce_json_free(v);
    return;
  }
  CE_CHECK(strstr(e.msg, "offset ") == e.msg, "message without offset: %s",
           e.msg);
  if (at != SIZE_MAX)
    CE_CHECK(e.offset == at, "%.*s: error at %zu, want %zu (%s)", (int)len,
             text, e.offset, at, e.msg);
}

static void json_bad(const char *text, size_t at) {
  json_bad_n(text, strlen(text), at);
}

static void test_json_valid(void) {
  json_ok("null");
  json_ok(" true ");
  json_ok("\t\r\nfalse\n");
  json_ok("0");
  json_ok("-0");
  json_ok("-12.5e+3");
  json_ok("1E-7");
  json_ok("\"\"");
  json_ok("[]");
  json_ok("{}");
  json_ok("[[[]], {}, {\"a\": [1, 2, {\"b\": null}]}]");
  json_ok("{\"\": 1, \"a\\u0000\": 2, \"a\": 3}"); /* distinct names */

  ce_json *v;
  ce_json_error e;
  const char *doc =
      "{\"s\": \"a\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u20ac\\ud83d\\ude00z\","
      " \"n\": -42, \"f\": 1.5, \"big\": 9223372036854775807,"
      " \"min\": -9223372036854775808, \"over\": 9223372036854775808,"
      " \"arr\": [true, false, null], \"nul\": \"x\\u0000y\","
      " \"raw\": \"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}";
  CE_CHECK(parse(doc, &v, &e) == 0, "doc: %s", e.msg);
  size_t n;
  const char *s = ce_json_string(ce_json_get(v, "s"), &n);
  static const char want_s[] = "a\"\\/\b\f\n\r\t\xc3\xa9\xe2\x82\xac"
                               "\xf0\x9f\x98\x80z";
  CE_CHECK(s != NULL && n == sizeof want_s - 1 && memcmp(s, want_s, n) == 0,
           "escapes decode to UTF-8");
  s = ce_json_string(ce_json_get(v, "raw"), &n);
  CE_CHECK(s != NULL && n == 9 && memcmp(s, want_s + 9, 9) == 0,
           "raw UTF-8 kept");
  s = ce_json_string(ce_json_get(v, "nul"), &n);
  CE_CHECK(s != NULL && n == 3 && memcmp(s, "x\0y", 3) == 0, "\\u0000");
  int64_t i;
  CE_CHECK(ce_json_int64(ce_json_get(v, "n"), &i) && i == -42, "int");
  CE_CHECK(ce_json_int64(ce_json_get(v, "big"), &i) && i == INT64_MAX,
           "INT64_MAX");
  CE_CHECK(ce_json_int64(ce_json_get(v, "min"), &i) && i == INT64_MIN,
           "INT64_MIN");
  CE_CHECK(!ce_json_int64(ce_json_get(v, "over"), &i), "overflow refused");
  CE_CHECK(!ce_json_int64(ce_json_get(v, "f"), &i), "fraction refused");
  double d;
  CE_CHECK(ce_json_double(ce_json_get(v, "f"), &d) && d == 1.5, "double");
  const ce_json *arr = ce_json_get(v, "arr");
  CE_CHECK(ce_json_type_of(arr) == CE_JSON_ARRAY && ce_json_size(arr) == 3,
           "array");
  CE_CHECK(ce_json_bool(ce_json_at(arr, 0)) == 1 &&
               ce_json_bool(ce_json_at(arr, 1)) == 0 &&
               ce_json_is_null(ce_json_at(arr, 2)) &&
               ce_json_at(arr, 3) == NULL,
           "array elements");
  CE_CHECK(ce_json_size(v) == 9, "member count");
  size_t kl;
  CE_CHECK(strcmp(ce_json_key_at(v, 0, &kl), "s") == 0 && kl == 1, "key order");
  CE_CHECK(ce_json_get(v, "missing") == NULL, "absent member");
  /* Accessors are NULL- and type-safe so lookups chain. */
  CE_CHECK(ce_json_get(ce_json_get(v, "missing"), "x") == NULL &&
               ce_json_string(ce_json_get(v, "n"), NULL) == NULL &&
               ce_json_size(NULL) == 0 && ce_json_at(v, 99) == NULL &&
               ce_json_bool(NULL) == -1 && !ce_json_is_null(NULL),
           "NULL-safe accessors");
  ce_json_free(v);
  ce_json_free(NULL);
}

static void test_json_invalid(void) {
  json_bad("", 0);
  json_bad("   ", 3);
  json_bad("\xef\xbb\xbfnull", 0);
  json_bad("nul", 0);
  json_bad("nulll", 4);
  json_bad("True", 0);
  json_bad("01", 1);
  json_bad("-", 1);
  json_bad("+1", 0);
  json_bad(".5", 0);
  json_bad("1.", 2);
  json_bad("1.e3", 2);
  json_bad("1e", 2);
  json_bad("1e+", 3);
  json_bad("NaN", 0);
  json_bad("Infinity", 0);
  json_bad("[1,]", 3);
  json_bad("[1 2]", 3);
  json_bad("[", 1);
  json_bad("]", 0);
  json_bad("{\"a\":1,}", 7);
  json_bad("{\"a\" 1}", 5);
  json_bad("{1:2}", 1);
  json_bad("{'a':1}", 1);
  json_bad("{\"a\":1,\"b\":2,\"a\":3}", 13); /* duplicate names */
  json_bad("\"abc", 0);
  json_bad("\"a\tb\"", 2);
  json_bad("\"\\x\"", 1);
  json_bad("\"\\u12\"", 3);
  json_bad("\"\\u12g4\"", 5);
  json_bad("\"\\ud800\"", 1);
  json_bad("\"\\udc00\"", 1);
  json_bad("\"\\ud800\\u0041\"", 1);
  json_bad("\"\\ud800x\"", 1);
  json_bad("\"\xc0\x80\"", 1);         /* overlong NUL */
  json_bad("\"\xed\xa0\x80\"", 1);     /* UTF-8 surrogate */
  json_bad("\"\xf4\x90\x80\x80\"", 1); /* above U+10FFFF */
  json_bad("\"\xe2\x82\"", 1);         /* truncated sequence */
  json_bad("\"\x80\"", 1);
  json_bad("\"\xff\"", 1);
  json_bad("1 2", 2);
  json_bad("{} x", 3);
  json_bad("/* c */ 1", 0);
  json_bad_n("[1]\0", 4, 3); /* a NUL is data, not an end */
}

static void test_json_depth(void) {
  char buf[300];
  for (size_t levels = 1; levels <= 130; levels++) {
    memset(buf, '[', levels);
    memset(buf + levels, ']', levels);
    ce_json *v;
    ce_json_error e;
    int rc = parse_n(buf, 2 * levels, 0, &v, &e);
    CE_CHECK((rc == 0) == (levels <= CE_JSON_DEFAULT_MAX_DEPTH),
             "%zu nested arrays: rc %d (%s)", levels, rc, e.msg);
    ce_json_free(v);
    rc = parse_n(buf, 2 * levels, 3, &v, &e);
    CE_CHECK((rc == 0) == (levels <= 3), "%zu levels, limit 3", levels);
    ce_json_free(v);
  }
  /* A deep unterminated input fails without recursing past the limit. */
  static char deep[100000];
  memset(deep, '[', sizeof deep);
  json_bad_n(deep, sizeof deep, CE_JSON_DEFAULT_MAX_DEPTH);
}

/* Every proper prefix of an object document is invalid; every one must
   be refused without reading past its end. */
static void test_json_prefixes(void) {
  const char *doc = "{\"k\": [1, -2.5e3, \"s\\u00e9\\ud83d\\ude00\", true, "
                    "false, null, {\"x\": {}}], \"e\": \"\xc3\xa9\"}";
  size_t len = strlen(doc);
  for (size_t n = 0; n < len; n++)
    json_bad_n(doc, n, SIZE_MAX);
  json_ok(doc);
}

/* ------------------------------------------------------------------ */
/* Hex                                                                 */
/* ------------------------------------------------------------------ */

static void test_hex(void) {
  const uint8_t b[] = {0x00, 0x01, 0xab, 0xff};
  char s[9];
  ce_hex_encode(b, sizeof b, s);
  CE_CHECK(strcmp(s, "0001abff") == 0, "encode lower case");
  char *a = ce_hex_encode_alloc(b, 0);
  CE_CHECK(a != NULL && a[0] == '\0', "encode empty");
  free(a);

  uint8_t out[8];
  size_t n = 99, bad = 99;
  CE_CHECK(ce_hex_decode("0001abff", 8, 0, out, sizeof out, &n, &bad) ==
                   CE_HEX_OK &&
               n == 4 && memcmp(out, b, 4) == 0,
           "decode");
  CE_CHECK(ce_hex_decode("0001ABFF", 8, 0, out, sizeof out, &n, &bad) ==
                   CE_HEX_OK &&
               memcmp(out, b, 4) == 0,
           "upper case accepted by default");
  CE_CHECK(ce_hex_decode("0001aBff", 8, CE_HEX_LOWER_ONLY, out, sizeof out, &n,
                         &bad) == CE_HEX_BAD_DIGIT &&
               bad == 5,
           "upper case refused with CE_HEX_LOWER_ONLY");
  CE_CHECK(ce_hex_decode("abc", 3, 0, out, sizeof out, &n, &bad) ==
               CE_HEX_ODD_LENGTH,
           "odd length");
  CE_CHECK(ce_hex_decode("0x00", 4, 0, out, sizeof out, &n, &bad) ==
                   CE_HEX_BAD_DIGIT &&
               bad == 1,
           "0x prefix");
  CE_CHECK(ce_hex_decode("00 11", 5, 0, out, sizeof out, &n, &bad) ==
               CE_HEX_BAD_DIGIT,
           "space");
  CE_CHECK(ce_hex_decode("000000", 6, 0, out, 2, &n, &bad) == CE_HEX_TOO_LONG,
           "capacity");
  uint8_t *p = NULL;
  CE_CHECK(ce_hex_decode_alloc("", 0, 0, &p, &n, &bad) == CE_HEX_OK &&
               p != NULL && n == 0,
           "empty decodes to a non-NULL buffer");
  free(p);
  CE_CHECK(ce_hex_decode_alloc("zz", 2, 0, &p, &n, &bad) == CE_HEX_BAD_DIGIT &&
               p == NULL,
           "alloc error leaves NULL");
}

/* ------------------------------------------------------------------ */
/* Vector files                                                        */
/* ------------------------------------------------------------------ */

#define SALT32                                                                 \
  "0101010101010101010101010101010101010101010101010101010101010101"

/* A valid document with one placeholder "@" replaced by `patch`. */
static char *vec_doc(const char *patch) {
  static const char tmpl[] =
      "{\"format\": \"ce1-vectors/1\", \"description\": \"d\", \"groups\": ["
      "{\"mode\": 5, \"mode_name\": \"AES_128_GCM\", \"comment\": \"g\","
      " \"key\": \"6b6579\", \"salt\": \"" SALT32 "\","
      " \"derived\": {\"enc_key\": \"00112233445566778899aabbccddeeff\","
      " \"iv_base\": \"000102030405060708090a0b\", \"check\": \"2c\"},"
      " \"tests\": ["
      "{\"id\": 1, \"comment\": \"c1\", \"pn\": \"0000000000003039\","
      " \"payload\": \"\", \"frame\": \"00\", \"result\": \"valid\"},"
      "{\"id\": 7, \"comment\": \"c7\", \"frame\": \"0011\","
      " \"result\": \"invalid\", \"status\": \"AUTH_FAILED\"@}]},"
      "{\"mode\": 9, \"mode_name\": null, \"key\": \"6b\","
      " \"salt\": \"00\", \"derived\": null,"
      " \"config_status\": \"INVALID_ARGUMENT\", \"tests\": []}]}";
  const char *at = strchr(tmpl, '@');
  size_t pre = (size_t)(at - tmpl), plen = strlen(patch);
  char *s = malloc(sizeof tmpl + plen);
  if (s == NULL)
    exit(2);
  memcpy(s, tmpl, pre);
  memcpy(s + pre, patch, plen);
  strcpy(s + pre + plen, at + 1);
  return s;
}

/* Replaces the first occurrence of `from` in a vec_doc("") by `to`. */
static char *vec_doc_sub(const char *from, const char *to) {
  char *base = vec_doc("");
  char *at = strstr(base, from);
  if (at == NULL) {
    fprintf(stderr, "vec_doc_sub: %s not found\n", from);
    exit(2);
  }
  size_t n = strlen(base) - strlen(from) + strlen(to) + 1;
  char *s = malloc(n);
  if (s == NULL)
    exit(2);
  size_t pre = (size_t)(at - base);
  memcpy(s, base, pre);
  strcpy(s + pre, to);
  strcat(s, at + strlen(from));
  free(base);
  return s;
}

/* The document must be refused with a message containing all of the
   given fragments. */
static void vec_bad(char *doc, const char *frag1, const char *frag2) {
  ce_vec_file *f = (ce_vec_file *)(uintptr_t)1;
  char err[512];
  int rc = ce_vec_parse(doc, strlen(doc), "t.json", &f, err, sizeof err);
  CE_CHECK(rc == -1 && f == NULL, "should be refused (%s, %s)", frag1,
           frag2 ? frag2 : "");
  if (rc == 0) {
    ce_vec_free(f);
  } else {
    CE_CHECK(strstr(err, frag1) != NULL, "message \"%s\" lacks \"%s\"", err,
             frag1);
    if (frag2 != NULL)
      CE_CHECK(strstr(err, frag2) != NULL, "message \"%s\" lacks \"%s\"", err,
               frag2);
  }
  free(doc);
}

static void test_vecfile(void) {
  char *doc = vec_doc("");
  ce_vec_file *f = NULL;
  char err[512];
  CE_CHECK(ce_vec_parse(doc, strlen(doc), "t.json", &f, err, sizeof err) == 0,
           "valid document refused: %s", err);
  free(doc);
  if (f != NULL) {
    CE_CHECK(f->n_groups == 2 && f->n_valid == 1 && f->n_invalid == 1 &&
                 f->n_refusals == 1,
             "counts");
    const ce_vec_group *g = &f->groups[0];
    CE_CHECK(g->mode == 5 && g->key_len == 3 && g->salt_len == 32 &&
                 g->has_derived && g->has_iv_base && g->check == 0x2c &&
                 g->enc_key_len == 16 && g->comment != NULL,
             "group fields");
    CE_CHECK(g->tests[0].valid && g->tests[0].has_pn &&
                 g->tests[0].pn == 0x3039 && g->tests[0].payload_len == 0 &&
                 g->tests[0].payload != NULL && g->tests[0].frame_len == 1,
             "valid test fields");
    CE_CHECK(!g->tests[1].valid && g->tests[1].id == 7 &&
                 g->tests[1].status == CE_ERR_AUTH_FAILED &&
                 !g->tests[1].has_pn && g->tests[1].frame_len == 2,
             "invalid test fields");
    const ce_vec_group *r = &f->groups[1];
    CE_CHECK(r->has_config_status &&
                 r->config_status == CE_ERR_INVALID_ARGUMENT && r->mode == 9 &&
                 r->mode_name == NULL && r->salt_len == 1,
             "refusal group fields");
    ce_config cfg;
    CE_CHECK_STATUS(ce_vec_group_config(r, &cfg), CE_ERR_INVALID_ARGUMENT,
                    "1-byte salt cannot make a config");
    CE_CHECK_STATUS(ce_vec_group_config(g, &cfg), CE_OK, "config");
    CE_CHECK(cfg.mode == 5 && cfg.key_len == 3 && cfg.salt[0] == 1,
             "config fields");
    ce_vec_free(f);
  }

  /* Each refusal names the place (group, test id) and the field. */
  vec_bad(vec_doc(", \"stauts\": 1"), "test id 7", "stauts");
  vec_bad(vec_doc_sub("\"frame\": \"0011\", ", ""), "test id 7", "\"frame\"");
  vec_bad(vec_doc_sub("\"frame\": \"0011\"", "\"frame\": \"0G11\""),
          "test id 7", "\"frame\"");
  vec_bad(vec_doc_sub("\"frame\": \"0011\"", "\"frame\": \"00AB\""),
          "test id 7", "lower-case");
  vec_bad(vec_doc_sub("\"frame\": \"0011\"", "\"frame\": 17"), "test id 7",
          "expected string");
  vec_bad(vec_doc_sub("\"AUTH_FAILED\"", "\"AUTH_FAIL\""), "test id 7",
          "status");
  vec_bad(vec_doc_sub("\"AUTH_FAILED\"", "\"TOO_LARGE\""), "test id 7",
          "not an unprotect outcome");
  vec_bad(vec_doc_sub("\"invalid\"", "\"bad\""), "test id 7", "result");
  vec_bad(vec_doc_sub("\"id\": 7", "\"id\": 1"), "id 1", "more than once");
  vec_bad(vec_doc_sub("\"id\": 7", "\"id\": 7.5"), "id", "integer");
  vec_bad(vec_doc_sub("\"0000000000003039\"", "\"003039\""), "test id 1",
          "\"pn\"");
  vec_bad(vec_doc_sub("\"pn\": \"0000000000003039\", ", ""), "test id 1",
          "\"pn\"");
  vec_bad(vec_doc_sub("\"payload\": \"\", ", ""), "test id 1", "\"payload\"");
  vec_bad(vec_doc_sub(", \"status\": \"AUTH_FAILED\"", ""), "test id 7",
          "\"status\"");
  vec_bad(vec_doc_sub("\"result\": \"valid\"",
                      "\"result\": \"valid\", \"status\": \"OK\""),
          "test id 1", "\"status\"");
  vec_bad(vec_doc_sub("\"check\": \"2c\"", "\"check\": \"2c2c\""),
          "group 0 (mode 5)", "derived.check");
  vec_bad(vec_doc_sub("\"000102030405060708090a0b\"", "\"0001\""), "group 0",
          "derived.iv_base");
  vec_bad(vec_doc_sub("\"derived\": {", "\"derived\": {\"x\": 1, "), "group 0",
          "unknown member");
  vec_bad(vec_doc_sub("\"key\": \"6b6579\", ", ""), "group 0", "\"key\"");
  vec_bad(vec_doc_sub("\"mode\": 5", "\"mode\": \"5\""), "group 0", "\"mode\"");
  vec_bad(vec_doc_sub("\"tests\": []", "\"tests\": [{}]"), "group 1",
          "no tests");
  vec_bad(vec_doc_sub("\"INVALID_ARGUMENT\"", "\"AUTH_FAILED\""), "group 1",
          "config_status");
  vec_bad(vec_doc_sub("ce1-vectors/1", "ce1-vectors/2"), "format", NULL);
  vec_bad(vec_doc_sub("\"description\": \"d\", ", ""), "description", NULL);
  vec_bad(vec_doc_sub("{\"format\"", "{\"extra\": 1, \"format\""),
          "unknown member", NULL);
  vec_bad(vec_doc_sub("\"groups\": [", "\"groups\": [1, "), "group 0",
          "expected object");
  vec_bad(vec_doc_sub("]}]}", "]}]"), "invalid JSON", "offset");

  CE_CHECK(ce_vec_load("/nonexistent/x.json", &f, err, sizeof err) == -1 &&
               f == NULL && strstr(err, "cannot open") != NULL,
           "missing file: %s", err);
}

/* ------------------------------------------------------------------ */
/* Context cache                                                       */
/* ------------------------------------------------------------------ */

static void test_ctxcache(void) {
  ce_ctxcache c;
  memset(&c, 0, sizeof c);
  uint8_t salt[CE_SALT_LEN];
  memset(salt, 7, sizeof salt);
  const uint8_t key[] = "cache key";
  ce_ctx *a, *b;
  CE_CHECK_STATUS(ce_ctxcache_get(&c, 7, key, 9, salt, &a), CE_OK, "get");
  CE_CHECK_STATUS(ce_ctxcache_get(&c, 7, key, 9, salt, &b), CE_OK, "get");
  CE_CHECK(a != NULL && a == b && c.hits == 1 && c.misses == 1,
           "second get is a hit");
  /* Any part of the key differing is another entry. */
  CE_CHECK_STATUS(ce_ctxcache_get(&c, 8, key, 9, salt, &b), CE_OK, "mode");
  CE_CHECK(b != a, "other mode, other context");
  salt[31] ^= 1;
  CE_CHECK_STATUS(ce_ctxcache_get(&c, 7, key, 9, salt, &b), CE_OK, "salt");
  CE_CHECK(b != a, "other salt, other context");
  salt[31] ^= 1;
  CE_CHECK_STATUS(ce_ctxcache_get(&c, 7, key, 8, salt, &b), CE_OK, "key");
  CE_CHECK(b != a, "other key, other context");

  /* Refusals are reported and not cached. */
  ce_ctx *r = (ce_ctx *)(uintptr_t)1;
  CE_CHECK_STATUS(ce_ctxcache_get(&c, 9, key, 9, salt, &r),
                  CE_ERR_INVALID_ARGUMENT, "bad mode");
  CE_CHECK(r == NULL, "NULL on failure");
  CE_CHECK_STATUS(ce_ctxcache_get(&c, 5, NULL, 0, salt, &r),
                  CE_ERR_INVALID_ARGUMENT, "empty key");

  /* Derivation results match ce_derive and are cached. */
  ce_config cfg;
  ce_config_init(&cfg);
  cfg.mode = 7;
  cfg.key = key;
  cfg.key_len = 9;
  memcpy(cfg.salt, salt, CE_SALT_LEN);
  ce_derived want, got;
  CE_CHECK_STATUS(ce_derive(&cfg, &want), CE_OK, "derive");
  unsigned long hits = c.hits;
  CE_CHECK_STATUS(ce_ctxcache_derive(&c, 7, key, 9, salt, &got), CE_OK,
                  "cached derive");
  CE_CHECK(hits + 1 == c.hits, "derive found the existing entry");
  CE_CHECK(memcmp(&got, &want, sizeof got) == 0, "derive equal");
  CE_CHECK_STATUS(ce_ctxcache_derive(&c, 7, key, 9, salt, &got), CE_OK,
                  "cached derive");
  CE_CHECK(memcmp(&got, &want, sizeof got) == 0, "cached derive equal");

  /* Filling past the capacity evicts the least recently used entry, and
     a re-fetch after eviction works. */
  for (int i = 0; i < 3 * CE_CTXCACHE_SLOTS; i++) {
    uint8_t k[2] = {'k', (uint8_t)i};
    CE_CHECK_STATUS(ce_ctxcache_get(&c, 5, k, 2, salt, &b), CE_OK, "fill %d",
                    i);
    CE_CHECK_STATUS(ce_ctxcache_get(&c, 7, key, 9, salt, &b), CE_OK,
                    "hot entry");
  }
  CE_CHECK(b == a, "a constantly used entry is never evicted");
  size_t used = 0;
  for (size_t i = 0; i < CE_CTXCACHE_SLOTS; i++)
    used += (size_t)c.slots[i].used;
  CE_CHECK(used == CE_CTXCACHE_SLOTS, "cache full, not over-full");
  ce_ctxcache_clear(&c);
  for (size_t i = 0; i < CE_CTXCACHE_SLOTS; i++)
    CE_CHECK(!c.slots[i].used && c.slots[i].ctx == NULL, "cleared");
}

/* ------------------------------------------------------------------ */
/* The JSON-lines adapter (docs/conformance.md section 3)             */
/* ------------------------------------------------------------------ */

/* The answer line to one request line, fed from an exact-size heap copy
   (no NUL after it). Caller frees. */
static char *adapter_answer(ce_ctxcache *cache, const char *line) {
  size_t len = strlen(line);
  char *copy = malloc(len ? len : 1);
  char *ans = NULL;
  size_t ans_len = 0;
  FILE *f = open_memstream(&ans, &ans_len);
  if (copy == NULL || f == NULL) {
    fprintf(stderr, "out of memory\n");
    exit(2);
  }
  memcpy(copy, line, len);
  ce1_session s = {0, 0};
  handle_line(&s, cache, copy, len, f);
  fclose(f);
  free(copy);
  return ans;
}

/* The request must be answered with exactly `want` (without the newline). */
static void adapter_is(ce_ctxcache *cache, const char *line, const char *want,
                       const char *what) {
  char *ans = adapter_answer(cache, line);
  size_t n = strlen(ans);
  CE_CHECK(n > 0 && ans[n - 1] == '\n' && strlen(want) == n - 1 &&
               memcmp(ans, want, n - 1) == 0,
           "adapter, %s:\n  request %.200s\n  answer  %.200s  want    %s", what,
           line, ans, want);
  free(ans);
}

#define AD_KEY "\"key\":\"30313233343536373839616263646566\""
#define AD_SALT                                                                \
  "\"salt\":"                                                                  \
  "\"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\""
#define AD_SALT_UC                                                             \
  "\"salt\":"                                                                  \
  "\"000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F\""
/* Appendix A of docs/spec.md: mode 7, PN 12345, payload "hello". */
#define AD_GCM2_FRAME                                                          \
  "{\"frame\":\"17980000000000003039c344eacccf6c9d067868ecb3766bf3838ea7c2d70" \
  "1\"}"
/* ... and mode 2 (AES-128-ECB), which has no PN. */
#define AD_ECB_FRAME "{\"frame\":\"12d36928fd94648165734198a693d0923ab1\"}"
#define AD_INVALID "{\"error\":\"INVALID_ARGUMENT\"}"

/* "mode" must be a JSON number written as an integer (conformance.md
   3.2): 7.0 and 7e0 are refused although they equal 7. */
static void test_adapter_mode_integer(ce_ctxcache *c) {
  static const char *const modes[] = {"7",     "7.0",   "7e0",  "7E0", "0.7e1",
                                      "70e-1", "\"7\"", "true", "null"};
  char line[512];
  for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
    snprintf(line, sizeof line,
             "{\"op\":\"protect\",\"mode\":%s," AD_KEY "," AD_SALT
             ",\"pn\":\"0000000000003039\",\"payload\":\"68656c6c6f\"}",
             modes[i]);
    adapter_is(c, line, i == 0 ? AD_GCM2_FRAME : AD_INVALID,
               i == 0 ? "mode 7" : "mode not written as an integer");
  }
  /* Integers outside 1..8 are refused, never reduced (2^32 + 7). */
  static const char *const out_of_range[] = {"0",  "-0",         "9",
                                             "-7", "4294967303", "2147483655"};
  for (size_t i = 0; i < sizeof out_of_range / sizeof out_of_range[0]; i++) {
    snprintf(line, sizeof line,
             "{\"op\":\"unprotect\",\"mode\":%s," AD_KEY "," AD_SALT
             ",\"frame\":\"\"}",
             out_of_range[i]);
    adapter_is(c, line, AD_INVALID, "mode outside 1..8");
  }
}

/* Hex is case-insensitive on input and lower case on output
   (conformance.md 3.2). */
static void test_adapter_hex_case(ce_ctxcache *c) {
  adapter_is(c,
             "{\"op\":\"protect\",\"mode\":7," AD_KEY "," AD_SALT_UC
             ",\"pn\":\"0000000000003039\",\"payload\":\"68656C6C6F\"}",
             AD_GCM2_FRAME, "upper-case salt and payload");
  adapter_is(c,
             "{\"op\":\"unprotect\",\"mode\":7," AD_KEY "," AD_SALT
             ",\"frame\":\"17980000000000003039C344EACCCF6C9D067868ECB3766BF"
             "3838EA7C2D701\"}",
             "{\"payload\":\"68656c6c6f\"}", "upper-case frame");
  adapter_is(c,
             "{\"op\":\"protect\",\"mode\":2," AD_KEY "," AD_SALT_UC
             ",\"pn\":\"0123456789ABCDEF\",\"payload\":\"68656c6C6F\"}",
             AD_ECB_FRAME, "mixed case, upper-case pn");
  adapter_is(c, "{\"op\":\"derive\",\"mode\":2," AD_KEY "," AD_SALT_UC "}",
             "{\"enc_key\":\"058fdeaabd61d6972a98b906bcd3355f\",\"iv_base\":"
             "null,\"check\":\"d3\"}",
             "derive answers lower case");
  /* Not hex at all: odd length, a prefix, a separator, a non-string. */
  static const char *const bad[] = {"\"68656c6c6\"", "\"0x68656c6c6f\"",
                                    "\"68 65 6c 6c 6f\"", "\"68656c6c6g\"",
                                    "[104]"};
  char line[512];
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    snprintf(line, sizeof line,
             "{\"op\":\"protect\",\"mode\":2," AD_KEY "," AD_SALT
             ",\"payload\":%s}",
             bad[i]);
    adapter_is(c, line, AD_INVALID, "bad hex");
  }
}

/* The salt is 32 bytes in every mode (spec 3.1, conformance.md 3.2), and
   the pn rule of ECB modes (conformance.md 3.2). */
static void test_adapter_fields(ce_ctxcache *c) {
  static const int modes[] = {1, 2, 3, 4, 5, 6, 7, 8};
  static const char *const salts[] = {
      "", "00",
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e",
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"};
  char line[512];
  for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++)
    for (size_t i = 0; i < sizeof salts / sizeof salts[0]; i++) {
      snprintf(line, sizeof line,
               "{\"op\":\"protect\",\"mode\":%d," AD_KEY ",\"salt\":\"%s\","
               "\"pn\":\"0000000000003039\",\"payload\":\"68656c6c6f\"}",
               modes[m], salts[i]);
      adapter_is(c, line, AD_INVALID, "salt not 32 bytes, every mode");
    }
  /* ECB: pn absent, null or well formed is ignored; malformed is not. */
  static const char *const ok_pn[] = {"", ",\"pn\":null",
                                      ",\"pn\":\"ffffffffffffffff\""};
  for (size_t i = 0; i < sizeof ok_pn / sizeof ok_pn[0]; i++) {
    snprintf(line, sizeof line,
             "{\"op\":\"protect\",\"mode\":2," AD_KEY "," AD_SALT
             "%s,\"payload\":\"68656c6c6f\"}",
             ok_pn[i]);
    adapter_is(c, line, AD_ECB_FRAME, "ECB pn ignored");
  }
  static const char *const bad_pn[] = {",\"pn\":\"3039\"", ",\"pn\":12345",
                                       ",\"pn\":\"000000000000303g\"",
                                       ",\"pn\":\"00000000000030390\""};
  for (int mode = 2; mode <= 7; mode += 5)
    for (size_t i = 0; i < sizeof bad_pn / sizeof bad_pn[0]; i++) {
      snprintf(line, sizeof line,
               "{\"op\":\"protect\",\"mode\":%d," AD_KEY "," AD_SALT
               "%s,\"payload\":\"68656c6c6f\"}",
               mode, bad_pn[i]);
      adapter_is(c, line, AD_INVALID, "malformed pn, ECB or not");
    }
  adapter_is(c,
             "{\"op\":\"protect\",\"mode\":7," AD_KEY "," AD_SALT
             ",\"payload\":\"68656c6c6f\"}",
             AD_INVALID, "GCM without pn");
  /* Members an op does not use are ignored, whatever their value. */
  adapter_is(c,
             "{\"op\":\"unprotect\",\"mode\":2," AD_KEY "," AD_SALT
             ",\"pn\":12,\"payload\":[],\"x\":{},"
             "\"frame\":\"12d36928fd94648165734198a693d0923ab1\"}",
             "{\"payload\":\"68656c6c6f\"}", "unused members ignored");
  /* Duplicate member names make a malformed line. */
  adapter_is(c,
             "{\"op\":\"protect\",\"mode\":2,\"mode\":2," AD_KEY "," AD_SALT
             ",\"payload\":\"68656c6c6f\"}",
             AD_INVALID, "duplicate member");
}

/* Which error wins when several apply (spec 10.1, conformance.md 3.4). */
static void test_adapter_error_order(ce_ctxcache *c) {
  adapter_is(c, "{\"op\":\"sign\"}", "{\"error\":\"UNSUPPORTED_OP\"}",
             "unknown op before missing members");
  adapter_is(c, "{\"op\":\"sign\",\"mode\":7.0,\"salt\":\"0\"}",
             "{\"error\":\"UNSUPPORTED_OP\"}",
             "unknown op before malformed members");
  adapter_is(c, "{\"mode\":7}", AD_INVALID, "missing op");
  adapter_is(c, "{\"op\":7}", AD_INVALID, "op not a string");
  adapter_is(c, "[]", AD_INVALID, "not an object");
  adapter_is(c, "", AD_INVALID, "empty line");

  /* A 65,536-byte payload (131,072 hex digits). */
  const size_t big_hex = 2 * (CE_MAX_PAYLOAD + 1);
  char *line = malloc(big_hex + 512);
  if (line == NULL)
    exit(2);
  struct {
    int mode;
    const char *key, *salt, *want, *what;
  } cases[] = {
      {5, AD_KEY, AD_SALT, "{\"error\":\"TOO_LARGE\"}", "valid config"},
      {5, "\"key\":\"\"", AD_SALT, AD_INVALID, "empty key before size"},
      {9, AD_KEY, AD_SALT, AD_INVALID, "mode 9 before size"},
      {7, AD_KEY,
       "\"salt\":\"0000000000000000000000000000000000000000000000000000000000"
       "000000\"",
       AD_INVALID, "GCM2 zero salt before size"},
      {4, AD_KEY, "\"salt\":\"00\"", AD_INVALID,
       "SM4 with a 1-byte salt: INVALID_ARGUMENT with or without SM4"},
      {4, "\"key\":\"\"", AD_SALT, AD_INVALID,
       "SM4 with an empty key: INVALID_ARGUMENT with or without SM4"},
      {4, AD_KEY, AD_SALT,
       ce_mode_supported(4) == CE_OK ? "{\"error\":\"TOO_LARGE\"}"
                                     : "{\"error\":\"NOT_SUPPORTED\"}",
       "SM4: NOT_SUPPORTED (configuration) before TOO_LARGE"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int w = snprintf(line, 512,
                     "{\"op\":\"protect\",\"mode\":%d,%s,%s,"
                     "\"pn\":\"0000000000000000\",\"payload\":\"",
                     cases[i].mode, cases[i].key, cases[i].salt);
    memset(line + w, 'a', big_hex);
    strcpy(line + (size_t)w + big_hex, "\"}");
    adapter_is(c, line, cases[i].want, cases[i].what);
  }
  /* A request-shape error beats the configuration, also for SM4. */
  adapter_is(c,
             "{\"op\":\"protect\",\"mode\":4," AD_KEY "," AD_SALT
             ",\"pn\":\"3039\",\"payload\":\"\"}",
             AD_INVALID, "SM4 with a malformed pn");
  free(line);
}

static void test_adapter(void) {
  ce_ctxcache cache;
  memset(&cache, 0, sizeof cache);
  test_adapter_mode_integer(&cache);
  test_adapter_hex_case(&cache);
  test_adapter_fields(&cache);
  test_adapter_error_order(&cache);
  ce_ctxcache_clear(&cache);
}

/* ------------------------------------------------------------------ */
/* libce1impl_ref.so                                                   */
/* ------------------------------------------------------------------ */

/* <build>/tests/test_adapter_json -> <build>/tools/libce1impl_ref.so */
static int impl_path(char *buf, size_t n) {
  char exe[PATH_MAX];
  ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (len <= 0)
    return -1;
  exe[len] = '\0';
  char *slash = strrchr(exe, '/');
  if (slash == NULL)
    return -1;
  *slash = '\0';
  int w = snprintf(buf, n, "%s/../tools/libce1impl_ref.so", exe);
  return (w < 0 || (size_t)w >= n) ? -1 : 0;
}

static void test_impl_so(void) {
  char path[PATH_MAX + 64];
  if (impl_path(path, sizeof path) != 0) {
    CE_CHECK(0, "cannot locate the test executable");
    return;
  }
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  CE_CHECK(h != NULL, "dlopen %s: %s", path, dlerror());
  if (h == NULL)
    return;
  ce1_impl_protect_fn prot;
  ce1_impl_unprotect_fn unprot;
  /* POSIX: a data pointer from dlsym converts to a function pointer. */
  *(void **)&prot = dlsym(h, CE1_IMPL_PROTECT_SYMBOL);
  *(void **)&unprot = dlsym(h, CE1_IMPL_UNPROTECT_SYMBOL);
  CE_CHECK(prot != NULL && unprot != NULL, "ABI symbols exported");
  /* The statically linked reference stays private to the .so. */
  CE_CHECK(dlsym(h, "ce_ctx_new") == NULL &&
               dlsym(h, "ce_json_parse") == NULL &&
               dlsym(h, "ce_ctxcache_get") == NULL,
           "no other symbols exported");
  if (prot == NULL || unprot == NULL) {
    dlclose(h);
    return;
  }

  uint8_t salt[32];
  memset(salt, 3, sizeof salt);
  const uint8_t key[] = "so key";
  const uint8_t payload[] = "hello, conformance";
  const size_t plen = sizeof payload - 1;
  for (int mode = 1; mode <= 8; mode++) {
    uint8_t frame[64], back[64];
    size_t flen = sizeof frame;
    int st = prot(mode, key, 6, salt, 42, payload, plen, frame, &flen);
    CE_CHECK_STATUS(st, CE_OK, "so protect mode %d", mode);
    CE_CHECK(flen == plen + ce_overhead(mode, plen), "frame length");
    /* Same result as the library in process. */
    ce_config cfg;
    ce_config_init(&cfg);
    cfg.mode = mode;
    cfg.key = key;
    cfg.key_len = 6;
    memcpy(cfg.salt, salt, 32);
    ce_ctx *ctx;
    uint8_t ref[64];
    size_t rlen = sizeof ref;
    if (ce_ctx_new(&cfg, &ctx) == CE_OK) {
      CE_CHECK_STATUS(
          ce_testing_protect_pn_into(ctx, 42, payload, plen, ref, &rlen), CE_OK,
          "ref protect");
      CE_CHECK(rlen == flen && memcmp(ref, frame, flen) == 0,
               "so and library agree, mode %d", mode);
      ce_ctx_free(ctx);
    }
    size_t blen = sizeof back;
    CE_CHECK_STATUS(unprot(mode, key, 6, salt, frame, flen, back, &blen), CE_OK,
                    "so unprotect mode %d", mode);
    CE_CHECK(blen == plen && memcmp(back, payload, plen) == 0, "round trip");

    /* Capacity in, length out; too small leaves out and *out_len. */
    uint8_t small[64];
    memset(small, 0xa5, sizeof small);
    size_t slen = flen - 1;
    CE_CHECK_STATUS(prot(mode, key, 6, salt, 42, payload, plen, small, &slen),
                    CE_ERR_BUFFER_TOO_SMALL, "so protect, small");
    CE_CHECK(slen == flen - 1 && small[0] == 0xa5 && small[63] == 0xa5,
             "nothing written");
    /* Only GCM detects an altered body: XTS has no integrity (spec 6.2)
       and ECB's padding check catches it only by chance. */
    if (ce_mode_family(mode) == CE_FAMILY_GCM) {
      frame[flen - 1] ^= 1;
      blen = sizeof back;
      CE_CHECK_STATUS(unprot(mode, key, 6, salt, frame, flen, back, &blen),
                      CE_ERR_AUTH_FAILED, "so unprotect, altered tag");
      CE_CHECK(blen == sizeof back, "out_len unchanged on failure");
    }
  }
  size_t n = 64;
  uint8_t out[64];
  CE_CHECK_STATUS(prot(5, key, 6, salt, 1, NULL, 0, out, &n), CE_OK,
                  "NULL empty payload");
  CE_CHECK_STATUS(prot(5, key, 6, salt, 1, payload, plen, out, NULL),
                  CE_ERR_INVALID_ARGUMENT, "NULL out_len");
  CE_CHECK_STATUS(prot(5, NULL, 0, salt, 1, payload, plen, out, &n),
                  CE_ERR_INVALID_ARGUMENT, "empty key");
  CE_CHECK_STATUS(prot(9, key, 6, salt, 1, payload, plen, out, &n),
                  CE_ERR_INVALID_ARGUMENT, "bad mode");
  uint8_t zero[32] = {0};
  CE_CHECK_STATUS(prot(7, key, 6, zero, 1, payload, plen, out, &n),
                  CE_ERR_INVALID_ARGUMENT, "GCM2 zero salt");
  /* Arguments before configuration (spec 10.1): a NULL out is refused
     before the mode is looked at, so also for SM4 without SM4. */
  for (int mode = 1; mode <= 9; mode++) {
    n = 64;
    CE_CHECK_STATUS(prot(mode, key, 6, salt, 1, payload, plen, NULL, &n),
                    CE_ERR_INVALID_ARGUMENT, "NULL out, protect, mode %d",
                    mode);
    n = 64;
    CE_CHECK_STATUS(unprot(mode, key, 6, salt, payload, plen, NULL, &n),
                    CE_ERR_INVALID_ARGUMENT, "NULL out, unprotect, mode %d",
                    mode);
  }
  /* Configuration before size: TOO_LARGE only for an accepted config. */
  static uint8_t big[CE_MAX_PAYLOAD + 1];
  n = 64;
  CE_CHECK_STATUS(prot(5, key, 6, salt, 1, big, sizeof big, out, &n),
                  CE_ERR_TOO_LARGE, "too large, capacity small");
  n = 64;
  CE_CHECK_STATUS(prot(7, key, 6, zero, 1, big, sizeof big, out, &n),
                  CE_ERR_INVALID_ARGUMENT, "zero salt before size");
  n = 64;
  CE_CHECK_STATUS(prot(4, key, 6, salt, 1, big, sizeof big, out, &n),
                  ce_mode_supported(4) == CE_OK ? CE_ERR_TOO_LARGE
                                                : CE_ERR_NOT_SUPPORTED,
                  "SM4: NOT_SUPPORTED before TOO_LARGE");
  dlclose(h);
}

int main(void) {
  test_json_valid();
  test_json_invalid();
  test_json_depth();
  test_json_prefixes();
  test_hex();
  test_vecfile();
  test_ctxcache();
  test_adapter();
  test_impl_so();
  return ce_test_finish("test_adapter_json");
}
