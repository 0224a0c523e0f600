/*
 * adapter_fuzzer.c - the JSON-lines adapter's request handling.
 *
 * Target: handle_line() of tools/ce1_adapter.c (conformance.md section 3:
 * request decoding, hex fields, pn, op dispatch, answers) together with
 * the context cache (ce_ctxcache.c), the JSON parser and the hex codec it
 * uses, over whole sessions: the input is split into lines exactly as the
 * adapter's main loop splits standard input.
 *
 * handle_line is static, so this file includes ce1_adapter.c itself (its
 * main renamed away). Two calls are redirected, by macro, before the
 * include: a GCM2 context or key schedule for a (key, salt) that the
 * library would accept costs a 100,000-iteration PBKDF2 by design, so such
 * requests are served from the fixed table of fuzz_common.c (the key and
 * salt the table picks stand in for the requested ones; mode 7/8 requests
 * naming a table entry get exactly that entry). Everything else goes to
 * the real cache, which is made fresh per input so each input is its own
 * deterministic session.
 *
 * What must hold, for every line:
 *  - exactly one answer line, a JSON object of one of the shapes of
 *    conformance.md 3: {"frame": hex}, {"payload": hex}, {"error": NAME}
 *    with NAME a status name or UNSUPPORTED_OP, or the three derive
 *    members; hex is lower case;
 *  - a frame answer unprotects (through the adapter again, same mode, key
 *    and salt) to the request's payload, and a payload answer protects
 *    again, with the frame's PN, to the request's frame (lower-cased);
 *  - capabilities (conformance.md 8.1) answers {"ops": [strings]}, none of
 *    them "capabilities", each an op the adapter does not answer
 *    UNSUPPORTED_OP;
 *  - a primitive (conformance.md 8.2) answers exactly its members, lower
 *    hex of the right lengths; a cipher's answer run through the inverse
 *    op gives the request's input back (ECB, XTS, GCM seal/open both
 *    ways), and hkdf_sha256 equals hkdf_sha256_expand of
 *    hkdf_sha256_extract.
 *
 * PBKDF2 is redirected too: an iteration count over FZ_PBKDF2_MAX_ITER is
 * answered NOT_SUPPORTED instead of being run, since the protocol allows
 * up to 2^32-1 iterations and one such input would stall a campaign. The
 * answer's value is not checked for PBKDF2, only its length.
 */
#define main ce1_adapter_main
#define ce_ctxcache_get fz_adapter_cache_get
#define ce_ctxcache_derive fz_adapter_cache_derive
#define ce_pbkdf2_sha256 fz_adapter_pbkdf2
#include "ce1_adapter.c"
#undef main
#undef ce_ctxcache_get
#undef ce_ctxcache_derive
#undef ce_pbkdf2_sha256

#include "fuzz_common.h"

#include <ctype.h>

/* The real cache functions; their header's declarations were renamed by
   the macros above (the include guard keeps them from reappearing). */
ce_status ce_ctxcache_get(ce_ctxcache *c, int mode, const uint8_t *key,
                          size_t key_len, const uint8_t *salt, ce_ctx **out);
ce_status ce_ctxcache_derive(ce_ctxcache *c, int mode, const uint8_t *key,
                             size_t key_len, const uint8_t *salt,
                             ce_derived *out);
ce_status ce_pbkdf2_sha256(const uint8_t *pass, size_t pass_len,
                           const uint8_t *salt, size_t salt_len,
                           uint32_t iterations, uint8_t *out, size_t out_len);

#define FZ_PBKDF2_MAX_ITER 64u

ce_status fz_adapter_pbkdf2(const uint8_t *pass, size_t pass_len,
                            const uint8_t *salt, size_t salt_len,
                            uint32_t iterations, uint8_t *out, size_t out_len) {
  if (iterations > FZ_PBKDF2_MAX_ITER)
    return CE_ERR_NOT_SUPPORTED;
  return ce_pbkdf2_sha256(pass, pass_len, salt, salt_len, iterations, out,
                          out_len);
}

/* A GCM2 config that the library would derive (rather than refuse). */
static int slow_gcm2(int mode, size_t key_len, const uint8_t *salt) {
  if ((mode != 7 && mode != 8) || key_len == 0 || salt == NULL)
    return 0;
  for (size_t i = 0; i < CE_SALT_LEN; i++)
    if (salt[i])
      return 1;
  return 0;
}

ce_status fz_adapter_cache_get(ce_ctxcache *c, int mode, const uint8_t *key,
                               size_t key_len, const uint8_t *salt,
                               ce_ctx **out) {
  if (slow_gcm2(mode, key_len, salt)) {
    *out = fz_gcm2_ctx(fz_gcm2_pick(mode, key, key_len, salt));
    return CE_OK;
  }
  return ce_ctxcache_get(c, mode, key, key_len, salt, out);
}

ce_status fz_adapter_cache_derive(ce_ctxcache *c, int mode, const uint8_t *key,
                                  size_t key_len, const uint8_t *salt,
                                  ce_derived *out) {
  if (slow_gcm2(mode, key_len, salt)) {
    *out = *fz_gcm2_derived(fz_gcm2_pick(mode, key, key_len, salt));
    return CE_OK;
  }
  return ce_ctxcache_derive(c, mode, key, key_len, salt, out);
}

/* ---- one request, one answer --------------------------------------------- */

typedef struct {
  char *text; /* the answer line without its newline, NUL terminated */
  ce_json *json;
} fz_answer;

static void run_line(ce_ctxcache *cache, const char *line, size_t len,
                     fz_answer *a) {
  char *out = NULL;
  size_t out_len = 0;
  FILE *f = open_memstream(&out, &out_len);
  FZ_CHECK(f != NULL, "open_memstream");
  ce1_session s = {1, 0};
  handle_line(&s, cache, line, len, f);
  FZ_CHECK(fclose(f) == 0, "memstream close");
  /* Exactly one line. */
  FZ_CHECK(out_len > 0 && out[out_len - 1] == '\n' &&
               memchr(out, '\n', out_len - 1) == NULL,
           "answer is not exactly one line: \"%s\"", out);
  out[out_len - 1] = '\0';
  a->text = out;
  ce_json_error err;
  FZ_CHECK(ce_json_parse(out, out_len - 1, 0, &a->json, &err) == 0,
           "answer is not JSON (%s): %s", err.msg, out);
  FZ_CHECK(ce_json_type_of(a->json) == CE_JSON_OBJECT,
           "answer is not an object: %s", out);
}

static void answer_free(fz_answer *a) {
  ce_json_free(a->json);
  free(a->text);
}

static int lower_hex(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
      return 0;
  return n % 2 == 0;
}

/* The hex member name of a one-member answer, else NULL. */
static const char *check_shape(const fz_answer *a) {
  const ce_json *j = a->json;
  size_t n;
  if (ce_json_size(j) == 1) {
    const char *k = ce_json_key_at(j, 0, NULL);
    const char *v = ce_json_string(ce_json_at(j, 0), &n);
    FZ_CHECK(v != NULL, "answer member is not a string: %s", a->text);
    if (strcmp(k, "error") == 0) {
      int st;
      FZ_CHECK(strcmp(v, "UNSUPPORTED_OP") == 0 ||
                   (ce_status_from_name(v, &st) && st < 0),
               "unknown error status: %s", a->text);
      return NULL;
    }
    FZ_CHECK(strcmp(k, "frame") == 0 || strcmp(k, "payload") == 0,
             "unknown answer member: %s", a->text);
    FZ_CHECK(lower_hex(v, n), "answer hex is not lower case: %s", a->text);
    return k;
  }
  /* derive: enc_key, iv_base (hex or null), check. */
  FZ_CHECK(ce_json_size(j) == 3, "answer shape: %s", a->text);
  const char *ek = ce_json_string(ce_json_get(j, "enc_key"), &n);
  FZ_CHECK(ek != NULL && lower_hex(ek, n) && n >= 32, "enc_key: %s", a->text);
  const ce_json *iv = ce_json_get(j, "iv_base");
  const char *ivs = ce_json_string(iv, &n);
  FZ_CHECK(ce_json_is_null(iv) || (ivs != NULL && n == 24 && lower_hex(ivs, n)),
           "iv_base: %s", a->text);
  const char *ck = ce_json_string(ce_json_get(j, "check"), &n);
  FZ_CHECK(ck != NULL && n == 2 && lower_hex(ck, n), "check: %s", a->text);
  return NULL;
}

static char *lower_dup(const char *s, size_t n) {
  char *d = malloc(n + 1);
  for (size_t i = 0; i < n; i++)
    d[i] = (char)tolower((unsigned char)s[i]);
  d[n] = '\0';
  return d;
}

/* After a frame or payload answer: the inverse request through the
   adapter must give back the request's payload or frame. */
static void check_inverse(ce_ctxcache *cache, const char *line, size_t len,
                          const char *member, const char *value) {
  ce_json *req;
  FZ_CHECK(ce_json_parse(line, len, 0, &req, NULL) == 0, "request reparse");
  size_t kn, sn, dn;
  const char *mode = ce_json_number_text(ce_json_get(req, "mode"));
  const char *key = ce_json_string(ce_json_get(req, "key"), &kn);
  const char *salt = ce_json_string(ce_json_get(req, "salt"), &sn);
  int protect = strcmp(member, "frame") == 0;
  const char *data =
      ce_json_string(ce_json_get(req, protect ? "payload" : "frame"), &dn);
  FZ_CHECK(mode && key && salt && data, "accepted request lacks fields");
  size_t vn = strlen(value);
  size_t cap = 200 + kn + sn + vn;
  char *inv = malloc(cap);
  int k;
  if (protect) {
    k = snprintf(inv, cap,
                 "{\"op\":\"unprotect\",\"mode\":%s,\"key\":\"%s\","
                 "\"salt\":\"%s\",\"frame\":\"%s\"}",
                 mode, key, salt, value);
  } else {
    /* Protect again with the PN of the frame (ECB: none). */
    char *frame = lower_dup(data, dn);
    char pn[17] = "0000000000000000";
    if (dn >= 20)
      memcpy(pn, frame + 4, 16);
    cap += dn;
    inv = realloc(inv, cap);
    k = snprintf(inv, cap,
                 "{\"op\":\"protect\",\"mode\":%s,\"key\":\"%s\","
                 "\"salt\":\"%s\",\"pn\":\"%s\",\"payload\":\"%s\"}",
                 mode, key, salt, pn, value);
    free(frame);
  }
  FZ_CHECK(k > 0 && (size_t)k < cap, "inverse request");
  fz_answer a;
  run_line(cache, inv, (size_t)k, &a);
  const char *want_member = protect ? "payload" : "frame";
  size_t got_n;
  const char *got = ce_json_string(ce_json_get(a.json, want_member), &got_n);
  char *want = lower_dup(data, dn);
  if (got == NULL || got_n != dn || memcmp(got, want, dn) != 0) {
    fprintf(stderr, "request: %.*s\nanswer:  %s=%s\ninverse: %s\n", (int)len,
            line, member, value, inv);
    FZ_CHECK(0, "inverse answer %s, want %s \"%s\"", a.text, want_member, want);
  }
  free(want);
  answer_free(&a);
  free(inv);
  ce_json_free(req);
}

/* ---- capabilities and primitives (conformance.md 8) -----------------------
 */

/* Runs the request printf formats. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void
run_fmt(ce_ctxcache *cache, fz_answer *a, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  FZ_CHECK(n > 0, "request format");
  char *line = malloc((size_t)n + 1);
  FZ_CHECK(line != NULL, "out of memory");
  va_start(ap, fmt);
  vsnprintf(line, (size_t)n + 1, fmt, ap);
  va_end(ap);
  run_line(cache, line, (size_t)n, a);
  free(line);
}

static int is_error(const fz_answer *a) {
  return ce_json_get(a->json, "error") != NULL;
}

static void check_capabilities(ce_ctxcache *cache, const fz_answer *a) {
  const ce_json *ops = ce_json_get(a->json, "ops");
  FZ_CHECK(ce_json_size(a->json) == 1 && ops != NULL &&
               ce_json_type_of(ops) == CE_JSON_ARRAY && ce_json_size(ops) > 0,
           "capabilities answer: %s", a->text);
  for (size_t i = 0; i < ce_json_size(ops); i++) {
    size_t n;
    const char *op = ce_json_string(ce_json_at(ops, i), &n);
    FZ_CHECK(op != NULL && n > 0 && memchr(op, '"', n) == NULL &&
                 memchr(op, '\\', n) == NULL &&
                 !(n == 12 && memcmp(op, "capabilities", 12) == 0),
             "capabilities op %zu: %s", i, a->text);
    fz_answer b;
    run_fmt(cache, &b, "{\"op\":\"%.*s\"}", (int)n, op);
    size_t en;
    const char *e = ce_json_string(ce_json_get(b.json, "error"), &en);
    FZ_CHECK(e == NULL || en != 14 || memcmp(e, "UNSUPPORTED_OP", 14) != 0,
             "listed op %.*s answers %s", (int)n, op, b.text);
    answer_free(&b);
  }
}

/* A lower-case hex member of a; NULL when absent. */
static const char *hex_member(const fz_answer *a, const char *name, size_t *n) {
  const char *v = ce_json_string(ce_json_get(a->json, name), n);
  if (v != NULL)
    FZ_CHECK(lower_hex(v, *n), "%s is not lower-case hex: %s", name, a->text);
  return v;
}

/* A hex member of the (accepted) request, and an integer member's text. */
static const char *req_hex(const ce_json *req, const char *name, size_t *n) {
  const char *v = ce_json_string(ce_json_get(req, name), n);
  FZ_CHECK(v != NULL, "accepted request lacks %s", name);
  return v;
}

static const char *req_int(const ce_json *req, const char *name) {
  const char *v = ce_json_number_text(ce_json_get(req, name));
  FZ_CHECK(v != NULL, "accepted request lacks %s", name);
  return v;
}

/* The answer member `name` of b equals want (case-insensitively, the
   request's hex may be upper case). */
static void expect_member(const fz_answer *b, const char *name,
                          const char *want, size_t want_n, const char *what) {
  size_t n;
  const char *got = ce_json_string(ce_json_get(b->json, name), &n);
  char *lw = lower_dup(want, want_n);
  FZ_CHECK(got != NULL && n == want_n && memcmp(got, lw, n) == 0,
           "%s: %s, want %s \"%s\"", what, b->text, name, lw);
  free(lw);
}

static void check_primitive(ce_ctxcache *cache, const ce_json *req,
                            const char *op, const fz_answer *a) {
  const prim_op *p = prim_find(op, strlen(op));
  size_t n, kn, tn, dn, in, an, xn, yn;
  const char *v, *key, *tw, *d, *iv, *aad, *x, *y;
  fz_answer b;
  switch (p->kind) {
  case PRIM_AES_ECB:
  case PRIM_SM4_ECB:
  case PRIM_AES_XTS: {
    FZ_CHECK(ce_json_size(a->json) == 1, "answer: %s", a->text);
    v = hex_member(a, "data", &n);
    key = req_hex(req, "key", &kn);
    d = req_hex(req, "data", &dn);
    FZ_CHECK(v != NULL && n == dn, "data answer: %s", a->text);
    /* The inverse op: encrypt <-> decrypt, same stem (aes_ecb_...). */
    char inv[32];
    size_t stem = strlen(op) - 7;
    FZ_CHECK(stem + 8 <= sizeof inv, "op name");
    memcpy(inv, op, stem);
    memcpy(inv + stem, p->encrypt ? "decrypt" : "encrypt", 8);
    if (p->kind == PRIM_AES_XTS) {
      tw = req_hex(req, "tweak", &tn);
      run_fmt(cache, &b,
              "{\"op\":\"%s\",\"key\":\"%.*s\",\"tweak\":\"%.*s\","
              "\"data\":\"%.*s\"}",
              inv, (int)kn, key, (int)tn, tw, (int)n, v);
    } else {
      run_fmt(cache, &b, "{\"op\":\"%s\",\"key\":\"%.*s\",\"data\":\"%.*s\"}",
              inv, (int)kn, key, (int)n, v);
    }
    expect_member(&b, "data", d, dn, "inverse");
    answer_free(&b);
    return;
  }
  case PRIM_GCM_SEAL:
  case PRIM_GCM_OPEN: {
    key = req_hex(req, "key", &kn);
    iv = req_hex(req, "iv", &in);
    aad = req_hex(req, "aad", &an);
    const char *tl = req_int(req, "tag_len");
    if (p->kind == PRIM_GCM_SEAL) {
      FZ_CHECK(ce_json_size(a->json) == 2, "answer: %s", a->text);
      d = req_hex(req, "plaintext", &dn);
      x = hex_member(a, "ciphertext", &xn);
      y = hex_member(a, "tag", &yn);
      FZ_CHECK(x != NULL && xn == dn && y != NULL &&
                   yn == 2 * (size_t)strtoul(tl, NULL, 10),
               "seal answer: %s", a->text);
      run_fmt(cache, &b,
              "{\"op\":\"aes_gcm_open\",\"key\":\"%.*s\",\"iv\":\"%.*s\","
              "\"aad\":\"%.*s\",\"ciphertext\":\"%.*s\",\"tag\":\"%.*s\","
              "\"tag_len\":%s}",
              (int)kn, key, (int)in, iv, (int)an, aad, (int)xn, x, (int)yn, y,
              tl);
      expect_member(&b, "plaintext", d, dn, "open of the seal");
    } else {
      FZ_CHECK(ce_json_size(a->json) == 1, "answer: %s", a->text);
      v = hex_member(a, "plaintext", &n);
      x = req_hex(req, "ciphertext", &xn);
      y = req_hex(req, "tag", &yn);
      FZ_CHECK(v != NULL && n == xn, "open answer: %s", a->text);
      run_fmt(cache, &b,
              "{\"op\":\"aes_gcm_seal\",\"key\":\"%.*s\",\"iv\":\"%.*s\","
              "\"aad\":\"%.*s\",\"plaintext\":\"%.*s\",\"tag_len\":%s}",
              (int)kn, key, (int)in, iv, (int)an, aad, (int)n, v, tl);
      expect_member(&b, "ciphertext", x, xn, "seal of the open");
      expect_member(&b, "tag", y, yn, "seal of the open");
    }
    answer_free(&b);
    return;
  }
  case PRIM_HKDF_EXTRACT:
    v = hex_member(a, "prk", &n);
    FZ_CHECK(ce_json_size(a->json) == 1 && v != NULL && n == 64, "prk: %s",
             a->text);
    return;
  case PRIM_HKDF_EXPAND:
  case PRIM_PBKDF2:
    v = hex_member(a, p->kind == PRIM_PBKDF2 ? "dk" : "okm", &n);
    FZ_CHECK(ce_json_size(a->json) == 1 && v != NULL &&
                 n == 2 * (size_t)strtoul(req_int(req, "length"), NULL, 10),
             "okm/dk: %s", a->text);
    return;
  case PRIM_HKDF: {
    v = hex_member(a, "okm", &n);
    FZ_CHECK(ce_json_size(a->json) == 1 && v != NULL &&
                 n == 2 * (size_t)strtoul(req_int(req, "length"), NULL, 10),
             "okm: %s", a->text);
    const char *salt = req_hex(req, "salt", &xn);
    const char *ikm = req_hex(req, "ikm", &yn);
    const char *info = req_hex(req, "info", &in);
    run_fmt(
        cache, &b,
        "{\"op\":\"hkdf_sha256_extract\",\"salt\":\"%.*s\",\"ikm\":\"%.*s\"}",
        (int)xn, salt, (int)yn, ikm);
    size_t pn;
    const char *prk = hex_member(&b, "prk", &pn);
    FZ_CHECK(prk != NULL, "extract after hkdf_sha256: %s", b.text);
    fz_answer c;
    run_fmt(cache, &c,
            "{\"op\":\"hkdf_sha256_expand\",\"prk\":\"%.*s\",\"info\":\"%.*s\","
            "\"length\":%s}",
            (int)pn, prk, (int)in, info, req_int(req, "length"));
    expect_member(&c, "okm", v, n, "expand(extract) against hkdf_sha256");
    answer_free(&c);
    answer_free(&b);
    return;
  }
  default:
    FZ_CHECK(0, "primitive kind %d", p->kind);
  }
}

/* The op of a request line that is a JSON object with a string op, as a
   NUL-terminated copy (NULL otherwise; ops with a NUL byte are none of
   the adapter's). *req gets the parsed request. */
static char *request_op(const char *line, size_t len, ce_json **req) {
  *req = NULL;
  if (ce_json_parse(line, len, 0, req, NULL) != 0)
    return NULL;
  size_t n;
  const char *op = ce_json_string(ce_json_get(*req, "op"), &n);
  if (op == NULL || memchr(op, '\0', n) != NULL)
    return NULL;
  char *copy = malloc(n + 1);
  FZ_CHECK(copy != NULL, "out of memory");
  memcpy(copy, op, n);
  copy[n] = '\0';
  return copy;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ce_ctxcache cache;
  memset(&cache, 0, sizeof cache);
  /* A private copy so each line is exactly its bytes to ASan. */
  char *text = malloc(size ? size : 1);
  if (size)
    memcpy(text, data, size);
  size_t pos = 0;
  while (pos < size) {
    /* As the main loop: split at '\n', drop the '\n'. */
    const char *nl = memchr(text + pos, '\n', size - pos);
    size_t end = nl ? (size_t)(nl - text) : size;
    size_t len = end - pos;
    char *line = malloc(len ? len : 1);
    if (len)
      memcpy(line, text + pos, len);
    fz_answer a;
    run_line(&cache, line, len, &a);
    ce_json *req;
    char *op = request_op(line, len, &req);
    const char *member = NULL;
    if (op != NULL && strcmp(op, "capabilities") == 0 && !is_error(&a))
      check_capabilities(&cache, &a);
    else if (op != NULL && prim_find(op, strlen(op)) != NULL && !is_error(&a))
      check_primitive(&cache, req, op, &a);
    else
      member = check_shape(&a);
    free(op);
    ce_json_free(req);
    if (member != NULL) {
      size_t vn;
      const char *v = ce_json_string(ce_json_get(a.json, member), &vn);
      check_inverse(&cache, line, len, member, v);
    }
    answer_free(&a);
    free(line);
    pos = end + 1;
  }
  ce_ctxcache_clear(&cache);
  free(text);
  return 0;
}
