/*
 * ce_vecfile.c - ce1-vectors/1 loader; see ce_vecfile.h.
 */
#include "ce_vecfile.h"

#include "ce_hex.h"
#include "ce_json.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where in the file a problem is, for messages. */
typedef struct {
  const char *name;
  char *err;
  size_t err_len;
  const ce_vec_group *group; /* NULL at file level */
  int mode_known;            /* group->mode has been read */
  const char *prefix;        /* "derived." inside the derived object */
  int in_test;
  int has_id;
  int64_t id;
  size_t test_index;
} ce_vec__where;

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int
ce_vec__fail(const ce_vec__where *w, const char *field, const char *fmt, ...) {
  if (w->err == NULL || w->err_len == 0)
    return -1;
  char loc[160], detail[256];
  int n = snprintf(loc, sizeof loc, "%s", w->name);
  if (w->group != NULL && n >= 0 && (size_t)n < sizeof loc) {
    if (w->mode_known)
      n += snprintf(loc + n, sizeof loc - (size_t)n, ": group %zu (mode %d)",
                    w->group->index, w->group->mode);
    else
      n += snprintf(loc + n, sizeof loc - (size_t)n, ": group %zu",
                    w->group->index);
  }
  if (w->in_test && n >= 0 && (size_t)n < sizeof loc) {
    if (w->has_id)
      snprintf(loc + n, sizeof loc - (size_t)n, ": test id %lld",
               (long long)w->id);
    else
      snprintf(loc + n, sizeof loc - (size_t)n, ": test #%zu", w->test_index);
  }
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(detail, sizeof detail, fmt, ap);
  va_end(ap);
  if (field != NULL)
    snprintf(w->err, w->err_len, "%s: field \"%s%s\": %s", loc,
             w->prefix ? w->prefix : "", field, detail);
  else
    snprintf(w->err, w->err_len, "%s: %s", loc, detail);
  return -1;
}

/* Rejects members not in allowed (NULL terminated). */
static int ce_vec__only(const ce_vec__where *w, const ce_json *obj,
                        const char *const *allowed) {
  for (size_t i = 0; i < ce_json_size(obj); i++) {
    size_t klen;
    const char *k = ce_json_key_at(obj, i, &klen);
    int ok = 0;
    for (const char *const *a = allowed; *a; a++)
      if (strlen(*a) == klen && memcmp(*a, k, klen) == 0)
        ok = 1;
    if (!ok)
      return ce_vec__fail(w, NULL, "unknown member \"%.*s\"",
                          (int)(klen > 40 ? 40 : klen), k);
  }
  return 0;
}

static const ce_json *ce_vec__require(const ce_vec__where *w,
                                      const ce_json *obj, const char *field,
                                      ce_json_type type) {
  const ce_json *v = ce_json_get(obj, field);
  if (v == NULL) {
    ce_vec__fail(w, field, "missing");
    return NULL;
  }
  if (ce_json_type_of(v) != type) {
    ce_vec__fail(w, field, "expected %s, got %s", ce_json_type_name(type),
                 ce_json_type_name(ce_json_type_of(v)));
    return NULL;
  }
  return v;
}

static int ce_vec__strdup(const ce_vec__where *w, const char *field,
                          const ce_json *v, char **out) {
  size_t n;
  const char *s = ce_json_string(v, &n);
  if (s == NULL)
    return ce_vec__fail(w, field, "expected string, got %s",
                        ce_json_type_name(ce_json_type_of(v)));
  if (memchr(s, '\0', n) != NULL)
    return ce_vec__fail(w, field, "contains a NUL character");
  char *d = malloc(n + 1);
  if (d == NULL)
    return ce_vec__fail(w, field, "out of memory");
  memcpy(d, s, n + 1);
  *out = d;
  return 0;
}

/* Decodes a lower-case hex string member (required). */
static int ce_vec__hex(const ce_vec__where *w, const ce_json *obj,
                       const char *field, uint8_t **out, size_t *out_len) {
  const ce_json *v = ce_vec__require(w, obj, field, CE_JSON_STRING);
  if (v == NULL)
    return -1;
  size_t n, bad = 0;
  const char *s = ce_json_string(v, &n);
  ce_hex_result r =
      ce_hex_decode_alloc(s, n, CE_HEX_LOWER_ONLY, out, out_len, &bad);
  if (r == CE_HEX_BAD_DIGIT)
    return ce_vec__fail(w, field,
                        "invalid hex digit at position %zu "
                        "(lower-case hex required)",
                        bad);
  if (r != CE_HEX_OK)
    return ce_vec__fail(w, field, "%s", ce_hex_strerror(r));
  return 0;
}

/* Decodes a hex member of exactly n bytes into out. */
static int ce_vec__hex_fixed(const ce_vec__where *w, const ce_json *obj,
                             const char *field, uint8_t *out, size_t n) {
  uint8_t *b;
  size_t len;
  if (ce_vec__hex(w, obj, field, &b, &len) != 0)
    return -1;
  if (len != n) {
    free(b);
    return ce_vec__fail(w, field,
                        "expected %zu bytes (%zu hex digits), "
                        "got %zu bytes",
                        n, 2 * n, len);
  }
  memcpy(out, b, n);
  free(b);
  return 0;
}

/* "pn": 16 lower-case hex digits, or null. Absent counts as null only
   when optional. */
static int ce_vec__pn(const ce_vec__where *w, const ce_json *obj, int required,
                      int *has, uint64_t *pn) {
  const ce_json *v = ce_json_get(obj, "pn");
  *has = 0;
  if (v == NULL) {
    if (required)
      return ce_vec__fail(w, "pn", "missing (use null for ECB)");
    return 0;
  }
  if (ce_json_is_null(v))
    return 0;
  size_t n;
  const char *s = ce_json_string(v, &n);
  if (s == NULL)
    return ce_vec__fail(w, "pn", "expected string or null, got %s",
                        ce_json_type_name(ce_json_type_of(v)));
  if (n != 16)
    return ce_vec__fail(w, "pn",
                        "expected 16 hex digits, got %zu "
                        "characters",
                        n);
  uint8_t b[8];
  size_t len, bad = 0;
  if (ce_hex_decode(s, n, CE_HEX_LOWER_ONLY, b, sizeof b, &len, &bad) !=
      CE_HEX_OK)
    return ce_vec__fail(w, "pn",
                        "invalid hex digit at position %zu "
                        "(lower-case hex required)",
                        bad);
  uint64_t x = 0;
  for (size_t i = 0; i < 8; i++)
    x = (x << 8) | b[i];
  *pn = x;
  *has = 1;
  return 0;
}

static int ce_vec__is_unprotect_status(int st) {
  return st == CE_ERR_MALFORMED || st == CE_ERR_BAD_VERSION ||
         st == CE_ERR_MODE_MISMATCH || st == CE_ERR_KEY_MISMATCH ||
         st == CE_ERR_BAD_PADDING || st == CE_ERR_AUTH_FAILED;
}

static int ce_vec__status(const ce_vec__where *w, const ce_json *obj,
                          const char *field, int *out) {
  const ce_json *v = ce_vec__require(w, obj, field, CE_JSON_STRING);
  if (v == NULL)
    return -1;
  size_t n;
  const char *s = ce_json_string(v, &n);
  int st;
  if (memchr(s, '\0', n) != NULL || !ce_status_from_name(s, &st))
    return ce_vec__fail(w, field, "unknown status name \"%.40s\"", s);
  *out = st;
  return 0;
}

static int ce_vec__parse_test(ce_vec__where *w, const ce_json *t,
                              ce_vec_test *out) {
  static const char *const allowed[] = {"id",    "comment", "pn",     "payload",
                                        "frame", "result",  "status", NULL};
  if (ce_json_type_of(t) != CE_JSON_OBJECT)
    return ce_vec__fail(w, NULL, "expected object, got %s",
                        ce_json_type_name(ce_json_type_of(t)));
  const ce_json *id = ce_vec__require(w, t, "id", CE_JSON_NUMBER);
  if (id == NULL)
    return -1;
  if (!ce_json_int64(id, &out->id))
    return ce_vec__fail(w, "id", "expected an integer, got %s",
                        ce_json_number_text(id));
  w->has_id = 1;
  w->id = out->id;
  if (ce_vec__only(w, t, allowed) != 0)
    return -1;
  const ce_json *comment = ce_vec__require(w, t, "comment", CE_JSON_STRING);
  if (comment == NULL ||
      ce_vec__strdup(w, "comment", comment, &out->comment) != 0)
    return -1;
  const ce_json *result = ce_vec__require(w, t, "result", CE_JSON_STRING);
  if (result == NULL)
    return -1;
  size_t rn;
  const char *r = ce_json_string(result, &rn);
  if (rn == 5 && memcmp(r, "valid", 5) == 0)
    out->valid = 1;
  else if (rn == 7 && memcmp(r, "invalid", 7) == 0)
    out->valid = 0;
  else
    return ce_vec__fail(w, "result",
                        "expected \"valid\" or \"invalid\", "
                        "got \"%.40s\"",
                        r);

  if (ce_vec__hex(w, t, "frame", &out->frame, &out->frame_len) != 0)
    return -1;
  if (ce_vec__pn(w, t, out->valid, &out->has_pn, &out->pn) != 0)
    return -1;
  if (out->valid || ce_json_get(t, "payload") != NULL) {
    if (ce_vec__hex(w, t, "payload", &out->payload, &out->payload_len) != 0)
      return -1;
    out->has_payload = 1;
  } else {
    out->payload = malloc(1); /* keep "never NULL" for callers */
    if (out->payload == NULL)
      return ce_vec__fail(w, "payload", "out of memory");
    out->payload_len = 0;
  }
  if (out->valid) {
    if (ce_json_get(t, "status") != NULL)
      return ce_vec__fail(w, "status", "not allowed in a valid test");
    out->status = CE_OK;
  } else {
    if (ce_vec__status(w, t, "status", &out->status) != 0)
      return -1;
    if (!ce_vec__is_unprotect_status(out->status))
      return ce_vec__fail(w, "status",
                          "%s is not an unprotect outcome "
                          "(spec 9)",
                          ce_status_name(out->status));
  }
  return 0;
}

static int ce_vec__parse_group(ce_vec__where *w, const ce_json *g,
                               ce_vec_group *out) {
  static const char *const allowed[] = {"mode",          "mode_name", "comment",
                                        "key",           "salt",      "derived",
                                        "config_status", "tests",     NULL};
  static const char *const allowed_derived[] = {"enc_key", "iv_base", "check",
                                                NULL};
  w->group = out;
  w->mode_known = 0;
  if (ce_json_type_of(g) != CE_JSON_OBJECT)
    return ce_vec__fail(w, NULL, "expected object, got %s",
                        ce_json_type_name(ce_json_type_of(g)));
  const ce_json *mode = ce_vec__require(w, g, "mode", CE_JSON_NUMBER);
  if (mode == NULL)
    return -1;
  int64_t m;
  if (!ce_json_int64(mode, &m) || m < -2147483647 - 1 || m > 2147483647)
    return ce_vec__fail(w, "mode", "expected an int, got %s",
                        ce_json_number_text(mode));
  out->mode = (int)m;
  w->mode_known = 1; /* from here messages name the group's mode too */
  if (ce_vec__only(w, g, allowed) != 0)
    return -1;

  const ce_json *mn = ce_json_get(g, "mode_name");
  if (mn == NULL)
    return ce_vec__fail(w, "mode_name", "missing");
  if (!ce_json_is_null(mn) &&
      ce_vec__strdup(w, "mode_name", mn, &out->mode_name) != 0)
    return -1;
  const ce_json *gc = ce_json_get(g, "comment");
  if (gc != NULL && ce_vec__strdup(w, "comment", gc, &out->comment) != 0)
    return -1;
  if (ce_vec__hex(w, g, "key", &out->key, &out->key_len) != 0)
    return -1;
  if (ce_vec__hex(w, g, "salt", &out->salt, &out->salt_len) != 0)
    return -1;

  const ce_json *cs = ce_json_get(g, "config_status");
  const ce_json *tests = ce_json_get(g, "tests");
  const ce_json *derived = ce_json_get(g, "derived");
  if (cs != NULL) {
    if (ce_vec__status(w, g, "config_status", &out->config_status) != 0)
      return -1;
    if (out->config_status != CE_ERR_INVALID_ARGUMENT &&
        out->config_status != CE_ERR_NOT_SUPPORTED)
      return ce_vec__fail(w, "config_status",
                          "expected INVALID_ARGUMENT "
                          "or NOT_SUPPORTED, got %s",
                          ce_status_name(out->config_status));
    out->has_config_status = 1;
    /* A refused config has nothing to derive and nothing to run. */
    if (tests != NULL && ce_json_size(tests) != 0)
      return ce_vec__fail(w, "tests", "a config_status group has no tests");
    if (tests != NULL && ce_json_type_of(tests) != CE_JSON_ARRAY)
      return ce_vec__fail(w, "tests", "expected array, got %s",
                          ce_json_type_name(ce_json_type_of(tests)));
    if (derived != NULL && !ce_json_is_null(derived))
      return ce_vec__fail(w, "derived",
                          "a config_status group derives "
                          "nothing (use null or omit)");
    return 0;
  }

  if (derived == NULL)
    return ce_vec__fail(w, "derived", "missing");
  if (ce_json_type_of(derived) != CE_JSON_OBJECT)
    return ce_vec__fail(w, "derived", "expected object, got %s",
                        ce_json_type_name(ce_json_type_of(derived)));
  for (size_t i = 0; i < ce_json_size(derived); i++) {
    size_t klen;
    const char *k = ce_json_key_at(derived, i, &klen);
    int ok = 0;
    for (const char *const *a = allowed_derived; *a; a++)
      if (strlen(*a) == klen && memcmp(*a, k, klen) == 0)
        ok = 1;
    if (!ok)
      return ce_vec__fail(w, "derived", "unknown member \"%.*s\"",
                          (int)(klen > 40 ? 40 : klen), k);
  }
  w->prefix = "derived.";
  if (ce_vec__hex(w, derived, "enc_key", &out->enc_key, &out->enc_key_len) != 0)
    return -1;
  if (out->enc_key_len == 0)
    return ce_vec__fail(w, "enc_key", "empty");
  const ce_json *iv = ce_json_get(derived, "iv_base");
  if (iv == NULL)
    return ce_vec__fail(w, "iv_base",
                        "missing (use null outside the GCM "
                        "family)");
  if (!ce_json_is_null(iv)) {
    if (ce_vec__hex_fixed(w, derived, "iv_base", out->iv_base,
                          sizeof out->iv_base) != 0)
      return -1;
    out->has_iv_base = 1;
  }
  if (ce_vec__hex_fixed(w, derived, "check", &out->check, 1) != 0)
    return -1;
  w->prefix = NULL;
  out->has_derived = 1;

  if (tests == NULL)
    return ce_vec__fail(w, "tests", "missing");
  if (ce_json_type_of(tests) != CE_JSON_ARRAY)
    return ce_vec__fail(w, "tests", "expected array, got %s",
                        ce_json_type_name(ce_json_type_of(tests)));
  size_t n = ce_json_size(tests);
  out->tests = calloc(n ? n : 1, sizeof *out->tests);
  if (out->tests == NULL)
    return ce_vec__fail(w, "tests", "out of memory");
  for (size_t i = 0; i < n; i++) {
    w->in_test = 1;
    w->has_id = 0;
    w->test_index = i;
    out->n_tests = i + 1; /* so ce_vec_free releases a partial test */
    if (ce_vec__parse_test(w, ce_json_at(tests, i), &out->tests[i]) != 0)
      return -1;
  }
  w->in_test = 0;
  return 0;
}

static int ce_vec__id_cmp(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : (x > y);
}

int ce_vec_parse(const char *text, size_t len, const char *name,
                 ce_vec_file **out, char *err, size_t err_len) {
  static const char *const allowed[] = {"format", "description", "groups",
                                        NULL};
  ce_vec__where w = {
      name ? name : "(vectors)", err, err_len, NULL, 0, NULL, 0, 0, 0, 0};
  if (err != NULL && err_len > 0)
    err[0] = '\0';
  if (out == NULL)
    return ce_vec__fail(&w, NULL, "no output pointer");
  *out = NULL;

  ce_json *root;
  ce_json_error jerr;
  if (ce_json_parse(text, len, 0, &root, &jerr) != 0)
    return ce_vec__fail(&w, NULL, "invalid JSON: %s", jerr.msg);

  int rc = -1;
  ce_vec_file *f = calloc(1, sizeof *f);
  if (f == NULL) {
    ce_vec__fail(&w, NULL, "out of memory");
    goto done;
  }
  f->name = malloc(strlen(w.name) + 1);
  if (f->name == NULL) {
    ce_vec__fail(&w, NULL, "out of memory");
    goto done;
  }
  strcpy(f->name, w.name);

  if (ce_json_type_of(root) != CE_JSON_OBJECT) {
    ce_vec__fail(&w, NULL, "top level must be an object");
    goto done;
  }
  if (ce_vec__only(&w, root, allowed) != 0)
    goto done;
  const ce_json *format = ce_vec__require(&w, root, "format", CE_JSON_STRING);
  if (format == NULL)
    goto done;
  size_t fn;
  const char *fs = ce_json_string(format, &fn);
  if (fn != strlen(CE_VEC_FORMAT) || memcmp(fs, CE_VEC_FORMAT, fn) != 0) {
    ce_vec__fail(&w, "format", "expected \"%s\", got \"%.40s\"", CE_VEC_FORMAT,
                 fs);
    goto done;
  }
  const ce_json *desc =
      ce_vec__require(&w, root, "description", CE_JSON_STRING);
  if (desc == NULL ||
      ce_vec__strdup(&w, "description", desc, &f->description) != 0)
    goto done;
  const ce_json *groups = ce_vec__require(&w, root, "groups", CE_JSON_ARRAY);
  if (groups == NULL)
    goto done;
  size_t ng = ce_json_size(groups);
  f->groups = calloc(ng ? ng : 1, sizeof *f->groups);
  if (f->groups == NULL) {
    ce_vec__fail(&w, "groups", "out of memory");
    goto done;
  }
  for (size_t i = 0; i < ng; i++) {
    f->n_groups = i + 1; /* so ce_vec_free releases a partial group */
    f->groups[i].index = i;
    w.in_test = 0;
    w.prefix = NULL;
    if (ce_vec__parse_group(&w, ce_json_at(groups, i), &f->groups[i]) != 0)
      goto done;
    ce_vec_group *g = &f->groups[i];
    if (g->has_config_status)
      f->n_refusals++;
    for (size_t t = 0; t < g->n_tests; t++) {
      if (g->tests[t].valid)
        f->n_valid++;
      else
        f->n_invalid++;
    }
  }
  w.group = NULL;
  w.in_test = 0;

  /* Ids are unique within a file (conformance.md 2.4). */
  size_t nt = f->n_valid + f->n_invalid;
  if (nt > 1) {
    int64_t *ids = malloc(nt * sizeof *ids);
    if (ids == NULL) {
      ce_vec__fail(&w, NULL, "out of memory");
      goto done;
    }
    size_t k = 0;
    for (size_t i = 0; i < f->n_groups; i++)
      for (size_t t = 0; t < f->groups[i].n_tests; t++)
        ids[k++] = f->groups[i].tests[t].id;
    qsort(ids, nt, sizeof *ids, ce_vec__id_cmp);
    for (size_t i = 1; i < nt; i++) {
      if (ids[i] == ids[i - 1]) {
        ce_vec__fail(&w, "id", "test id %lld is used more than once",
                     (long long)ids[i]);
        free(ids);
        goto done;
      }
    }
    free(ids);
  }
  *out = f;
  f = NULL;
  rc = 0;
done:
  ce_vec_free(f);
  ce_json_free(root);
  return rc;
}

int ce_vec_load(const char *path, ce_vec_file **out, char *err,
                size_t err_len) {
  const size_t max_size = (size_t)256 << 20;
  ce_vec__where w = {
      path ? path : "(null)", err, err_len, NULL, 0, NULL, 0, 0, 0, 0};
  if (out != NULL)
    *out = NULL;
  if (path == NULL || out == NULL)
    return ce_vec__fail(&w, NULL, "invalid argument");
  FILE *fp = fopen(path, "rb");
  if (fp == NULL)
    return ce_vec__fail(&w, NULL, "cannot open: %s", strerror(errno));
  /* Read in chunks rather than trusting ftell: works for pipes too. */
  size_t cap = 1 << 16, len = 0;
  char *buf = malloc(cap);
  if (buf == NULL) {
    fclose(fp);
    return ce_vec__fail(&w, NULL, "out of memory");
  }
  for (;;) {
    if (len == cap) {
      if (cap >= max_size) {
        free(buf);
        fclose(fp);
        return ce_vec__fail(&w, NULL, "file larger than %zu bytes", max_size);
      }
      char *nb = realloc(buf, cap * 2);
      if (nb == NULL) {
        free(buf);
        fclose(fp);
        return ce_vec__fail(&w, NULL, "out of memory");
      }
      buf = nb;
      cap *= 2;
    }
    size_t got = fread(buf + len, 1, cap - len, fp);
    len += got;
    if (got == 0)
      break;
  }
  int read_error = ferror(fp);
  fclose(fp);
  if (read_error) {
    free(buf);
    return ce_vec__fail(&w, NULL, "read error");
  }
  int rc = ce_vec_parse(buf, len, path, out, err, err_len);
  free(buf);
  return rc;
}

void ce_vec_free(ce_vec_file *f) {
  if (f == NULL)
    return;
  for (size_t i = 0; i < f->n_groups; i++) {
    ce_vec_group *g = &f->groups[i];
    for (size_t t = 0; t < g->n_tests; t++) {
      free(g->tests[t].comment);
      free(g->tests[t].payload);
      free(g->tests[t].frame);
    }
    free(g->tests);
    free(g->mode_name);
    free(g->comment);
    free(g->key);
    free(g->salt);
    free(g->enc_key);
  }
  free(f->groups);
  free(f->description);
  free(f->name);
  free(f);
}

ce_status ce_vec_group_config(const ce_vec_group *g, ce_config *cfg) {
  if (g == NULL || cfg == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  ce_config_init(cfg);
  if (g->salt_len != CE_SALT_LEN)
    return CE_ERR_INVALID_ARGUMENT;
  cfg->mode = g->mode;
  cfg->key = g->key;
  cfg->key_len = g->key_len;
  memcpy(cfg->salt, g->salt, CE_SALT_LEN);
  return CE_OK;
}
