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
 *    again, with the frame's PN, to the request's frame (lower-cased).
 */
#define main ce1_adapter_main
#define ce_ctxcache_get fz_adapter_cache_get
#define ce_ctxcache_derive fz_adapter_cache_derive
#include "ce1_adapter.c"
#undef main
#undef ce_ctxcache_get
#undef ce_ctxcache_derive

#include "fuzz_common.h"

#include <ctype.h>

/* The real cache functions; their header's declarations were renamed by
   the macros above (the include guard keeps them from reappearing). */
ce_status ce_ctxcache_get(ce_ctxcache *c, int mode, const uint8_t *key,
                          size_t key_len, const uint8_t *salt, ce_ctx **out);
ce_status ce_ctxcache_derive(ce_ctxcache *c, int mode, const uint8_t *key,
                             size_t key_len, const uint8_t *salt,
                             ce_derived *out);

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
    const char *member = check_shape(&a);
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
