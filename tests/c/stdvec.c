/*
 * stdvec.c - locations of the standard vector sets and readers for their
 * files; see stdvec.h.
 *
 * Every reader loads the whole file, splits it into lines in place and
 * copies what it keeps into small malloc'd strings, so the records outlive
 * the file buffer. Allocation failures are reported like parse errors.
 */
#include "stdvec.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ------------------------------------------------------------------ */
/* Small string helpers                                                */
/* ------------------------------------------------------------------ */

#if defined(__GNUC__)
#define SV_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define SV_PRINTF(f, a)
#endif

static void set_err(char *err, const char *fmt, ...) SV_PRINTF(2, 3);

static void set_err(char *err, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, SV_ERR_LEN, fmt, ap);
  va_end(ap);
}

static char *dup_str(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = malloc(n);
  if (p)
    memcpy(p, s, n);
  return p;
}

static int lower(int c) {
  return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* ASCII case-insensitive equality, independent of the C locale. */
static int eq_ci(const char *a, const char *b) {
  while (*a && lower((unsigned char)*a) == lower((unsigned char)*b)) {
    a++;
    b++;
  }
  return *a == '\0' && *b == '\0';
}

static int is_space(char c) {
  return c == ' ' || c == '\t' || c == '\f' || c == '\v';
}

/* Trims s in place and returns the first kept character. */
static char *trim(char *s) {
  while (is_space(*s))
    s++;
  size_t n = strlen(s);
  while (n > 0 && is_space(s[n - 1]))
    s[--n] = '\0';
  return s;
}

/* ------------------------------------------------------------------ */
/* Where the vector sets are                                           */
/* ------------------------------------------------------------------ */

static const sv_set_info k_sets[SV_SET_COUNT] = {
    [SV_SET_PROJECT] = {"", "CE_VECTORS_DIR", NULL, NULL},
    [SV_SET_PYCA] = {"pyca/", "CE_PYCA_VECTORS_DIR",
                     "/usr/lib/python3/dist-packages/cryptography_vectors",
                     "python3-cryptography-vectors"},
    [SV_SET_CRYPTOPP] = {"cryptopp/", "CE_CRYPTOPP_VECTORS_DIR",
                         "/usr/share/crypto++/TestVectors",
                         "libcrypto++-utils"},
};

const sv_set_info *sv_set_get(sv_set s) {
  return (unsigned)s < SV_SET_COUNT ? &k_sets[s] : NULL;
}

int sv_set_dir(sv_set s, const char **dir, char err[SV_ERR_LEN]) {
  const sv_set_info *in = sv_set_get(s);
  *dir = NULL;
  if (!in) {
    set_err(err, "no vector set %d", (int)s);
    return -1;
  }
  const char *env = getenv(in->env);
  int from_env = env && *env;
  const char *d = from_env ? env : in->dflt;
  if (!d) {
    set_err(err, "%s is not set", in->env);
    return -1;
  }
  struct stat sb;
  if (stat(d, &sb) == 0 && S_ISDIR(sb.st_mode)) {
    *dir = d;
    return 0;
  }
  if (!in->package)
    set_err(err, "%s=%s is not a directory", in->env, d);
  else if (from_env)
    set_err(err,
            "%s=%s is not a directory; it must hold the files that the "
            "Debian package %s installs (apt-get install %s)",
            in->env, d, in->package, in->package);
  else
    set_err(err,
            "the Debian package %s is not installed: %s is not a directory "
            "(install it with apt-get install %s, as scripts/deps.sh does, "
            "or set %s to a copy of its files)",
            in->package, d, in->package, in->env);
  return -1;
}

/* Reads a whole file and NUL-terminates it. */
static char *read_all(const char *path, size_t *len, char *err) {
  FILE *fp = fopen(path, "rb");
  if (!fp) {
    set_err(err, "cannot open %s: %s", path, strerror(errno));
    return NULL;
  }
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  while (buf) {
    n += fread(buf + n, 1, cap - n - 1, fp);
    if (n < cap - 1)
      break;
    char *bigger = realloc(buf, cap * 2);
    if (!bigger) {
      free(buf);
      buf = NULL;
      break;
    }
    buf = bigger;
    cap *= 2;
  }
  int bad = !buf || ferror(fp);
  fclose(fp);
  if (bad) {
    free(buf);
    set_err(err, "cannot read %s", path);
    return NULL;
  }
  buf[n] = '\0';
  *len = n;
  return buf;
}

/*
 * Returns the next line of [*pos, end) NUL-terminated in place, or NULL at
 * the end. "\r\n", "\n" and a bare "\r" each end a line: the CAVP files
 * are CRLF and the README warns of stray bare CRs.
 */
static char *next_line(char **pos, char *end) {
  char *s = *pos;
  if (s >= end)
    return NULL;
  char *p = s;
  while (p < end && *p != '\n' && *p != '\r')
    p++;
  char *next = p;
  if (next < end && *next == '\r')
    next++;
  if (next < end && *next == '\n' && (next == p || *p == '\r'))
    next++;
  *p = '\0';
  *pos = next;
  return s;
}

/* ------------------------------------------------------------------ */
/* Growable arrays                                                     */
/* ------------------------------------------------------------------ */

/* Makes room for one more element of size sz in *v (n used, *cap held). */
static int grow(void **v, size_t n, size_t *cap, size_t sz) {
  if (n < *cap)
    return 0;
  size_t ncap = *cap ? *cap * 2 : 8;
  void *p = realloc(*v, ncap * sz);
  if (!p)
    return -1;
  *v = p;
  *cap = ncap;
  return 0;
}

typedef struct field_vec {
  sv_field *v;
  size_t n, cap;
} field_vec;

static int fv_push(field_vec *fv, const char *name, const char *value) {
  if (grow((void **)&fv->v, fv->n, &fv->cap, sizeof *fv->v))
    return -1;
  char *n = dup_str(name), *v = dup_str(value);
  if (!n || !v) {
    free(n);
    free(v);
    return -1;
  }
  fv->v[fv->n].name = n;
  fv->v[fv->n].value = v;
  fv->n++;
  return 0;
}

static void fields_free(sv_field *v, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(v[i].name);
    free(v[i].value);
  }
  free(v);
}

static void fv_clear(field_vec *fv) {
  fields_free(fv->v, fv->n);
  fv->v = NULL;
  fv->n = fv->cap = 0;
}

/* Sets name to value, replacing an earlier field of that name. */
static int fv_set(field_vec *fv, const char *name, const char *value) {
  for (size_t i = 0; i < fv->n; i++) {
    if (eq_ci(fv->v[i].name, name)) {
      char *v = dup_str(value);
      if (!v)
        return -1;
      free(fv->v[i].value);
      fv->v[i].value = v;
      return 0;
    }
  }
  return fv_push(fv, name, value);
}

static int fv_copy(field_vec *dst, const field_vec *src) {
  for (size_t i = 0; i < src->n; i++)
    if (fv_push(dst, src->v[i].name, src->v[i].value))
      return -1;
  return 0;
}

static void record_free(sv_record *r) {
  free(r->section);
  fields_free(r->params, r->n_params);
  fields_free(r->fields, r->n_fields);
}

void sv_free_file(sv_file *f) {
  if (!f)
    return;
  for (size_t i = 0; i < f->n_recs; i++)
    record_free(&f->recs[i]);
  free(f->recs);
  f->recs = NULL;
  f->n_recs = 0;
}

/* Appends a record built from the given section, params and fields; the
   fields are moved into the record, the rest copied. */
static int push_record(sv_file *f, size_t *cap, const char *section,
                       const field_vec *params, field_vec *fields,
                       unsigned long line) {
  if (grow((void **)&f->recs, f->n_recs, cap, sizeof *f->recs))
    return -1;
  field_vec pcopy = {0};
  char *sec = dup_str(section);
  if (!sec || fv_copy(&pcopy, params)) {
    free(sec);
    fv_clear(&pcopy);
    return -1;
  }
  sv_record *r = &f->recs[f->n_recs++];
  r->section = sec;
  r->params = pcopy.v;
  r->n_params = pcopy.n;
  r->fields = fields->v;
  r->n_fields = fields->n;
  r->line = line;
  fields->v = NULL;
  fields->n = fields->cap = 0;
  return 0;
}

const char *sv_get(const sv_record *r, const char *name) {
  for (size_t i = r->n_fields; i-- > 0;)
    if (eq_ci(r->fields[i].name, name))
      return r->fields[i].value;
  return NULL;
}

const char *sv_param(const sv_record *r, const char *name) {
  for (size_t i = 0; i < r->n_params; i++)
    if (eq_ci(r->params[i].name, name))
      return r->params[i].value;
  return NULL;
}

/* ------------------------------------------------------------------ */
/* Value decoding                                                      */
/* ------------------------------------------------------------------ */

static int hex_digit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

int sv_hex(const char *s, uint8_t **out, size_t *len) {
  *out = NULL;
  *len = 0;
  while (is_space(*s))
    s++;
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
    s += 2;
  /* Never return NULL: callers pass the buffer to APIs that reject a NULL
     pointer with a nonzero length, and an empty PT must still work. */
  uint8_t *buf = malloc(strlen(s) / 2 + 1);
  if (!buf)
    return -1;
  size_t n = 0;
  int hi = -1;
  for (; *s; s++) {
    if (is_space(*s) || *s == '\n')
      continue;
    int d = hex_digit(*s);
    if (d < 0) {
      free(buf);
      return -1;
    }
    if (hi < 0) {
      hi = d;
    } else {
      buf[n++] = (uint8_t)(hi << 4 | d);
      hi = -1;
    }
  }
  if (hi >= 0) { /* odd number of digits */
    free(buf);
    return -1;
  }
  *out = buf;
  *len = n;
  return 0;
}

int sv_u64(const char *s, uint64_t *out) {
  uint64_t v = 0;
  if (!*s)
    return -1;
  for (; *s; s++) {
    if (*s < '0' || *s > '9')
      return -1;
    uint64_t d = (uint64_t)(*s - '0');
    if (v > (UINT64_MAX - d) / 10)
      return -1;
    v = v * 10 + d;
  }
  *out = v;
  return 0;
}

/* Appends len bytes of p to the growing buffer *buf of *n bytes. */
static int bytes_append(uint8_t **buf, size_t *n, size_t *cap, const uint8_t *p,
                        size_t len) {
  if (*n + len + 1 > *cap) {
    size_t ncap = *cap ? *cap : 64;
    while (ncap < *n + len + 1)
      ncap *= 2;
    uint8_t *q = realloc(*buf, ncap);
    if (!q)
      return -1;
    *buf = q;
    *cap = ncap;
  }
  if (len)
    memcpy(*buf + *n, p, len);
  *n += len;
  return 0;
}

int sv_cpp_bytes(const char *s, uint8_t **out, size_t *len) {
  uint8_t *buf = NULL;
  size_t n = 0, cap = 0;
  *out = NULL;
  *len = 0;
  if (bytes_append(&buf, &n, &cap, NULL, 0)) /* never NULL, as sv_hex */
    return -1;
  for (;;) {
    while (is_space(*s))
      s++;
    if (!*s)
      break;
    uint64_t repeat = 1;
    if (*s == 'r' && s[1] >= '0' && s[1] <= '9') {
      char num[21];
      size_t k = 0;
      for (s++; *s >= '0' && *s <= '9' && k < sizeof num - 1; s++)
        num[k++] = *s;
      num[k] = '\0';
      if (!is_space(*s) || sv_u64(num, &repeat) || repeat > 1u << 20)
        goto bad;
      while (is_space(*s))
        s++;
    }
    uint8_t *tok = NULL;
    size_t tok_len = 0, tok_cap = 0;
    int rc;
    if (*s == '"') {
      const char *end = strchr(s + 1, '"');
      if (!end)
        goto bad;
      rc = bytes_append(&tok, &tok_len, &tok_cap, (const uint8_t *)s + 1,
                        (size_t)(end - s - 1));
      s = end + 1;
    } else if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
      size_t k = 2;
      while (s[k] && !is_space(s[k]))
        k++;
      char *hex = malloc(k - 1);
      if (!hex)
        goto bad;
      memcpy(hex, s + 2, k - 2);
      hex[k - 2] = '\0';
      rc = sv_hex(hex, &tok, &tok_len);
      free(hex);
      s += k;
    } else {
      rc = sv_hex(s, &tok, &tok_len); /* the rest of the value */
      s += strlen(s);
    }
    for (uint64_t i = 0; rc == 0 && i < repeat; i++)
      rc = bytes_append(&buf, &n, &cap, tok, tok_len);
    free(tok);
    if (rc)
      goto bad;
  }
  *out = buf;
  *len = n;
  return 0;
bad:
  free(buf);
  return -1;
}

/* ------------------------------------------------------------------ */
/* "name = value" records                                              */
/* ------------------------------------------------------------------ */

typedef struct kv_state {
  sv_file *out;
  size_t cap;
  const char *start_key;
  char *section;    /* current [X] */
  field_vec params; /* current [Name = value] */
  field_vec cur;    /* fields of the open record */
  int open;
  unsigned long open_line;
} kv_state;

static int kv_flush(kv_state *st) {
  if (!st->open)
    return 0;
  st->open = 0;
  return push_record(st->out, &st->cap, st->section, &st->params, &st->cur,
                     st->open_line);
}

/* "[ENCRYPT]" sets the section, "[Keylen = 128]" a parameter. */
static int kv_header(kv_state *st, char *inner) {
  char *eq = strchr(inner, '=');
  if (!eq) {
    char *sec = dup_str(trim(inner));
    if (!sec)
      return -1;
    free(st->section);
    st->section = sec;
    return 0;
  }
  *eq = '\0';
  return fv_set(&st->params, trim(inner), trim(eq + 1));
}

/* A field line; a line without '=' is a bare word such as "FAIL". */
static int kv_field(kv_state *st, char *s, unsigned long lineno) {
  char *eq = strchr(s, '=');
  const char *name = s, *value = "";
  if (eq) {
    *eq = '\0';
    name = trim(s);
    value = trim(eq + 1);
  }
  if (st->start_key && eq_ci(name, st->start_key)) {
    if (kv_flush(st))
      return -1;
    st->open = 1;
    st->open_line = lineno;
  } else if (!st->open) {
    if (st->start_key) { /* before the first record of a section */
      st->out->n_stray_lines++;
      return 0;
    }
    st->open = 1;
    st->open_line = lineno;
  }
  return fv_push(&st->cur, name, value);
}

static int kv_line(kv_state *st, char *line, unsigned long lineno) {
  char *s = trim(line);
  size_t n = strlen(s);
  if (n == 0)
    return st->start_key ? 0 : kv_flush(st);
  if (s[0] == '#')
    return 0;
  if (s[0] == '[' && s[n - 1] == ']') {
    s[n - 1] = '\0';
    if (kv_flush(st))
      return -1;
    return kv_header(st, s + 1);
  }
  return kv_field(st, s, lineno);
}

int sv_load_kv(const char *path, const char *start_key, sv_file *out) {
  memset(out, 0, sizeof *out);
  size_t len;
  char *buf = read_all(path, &len, out->err);
  if (!buf)
    return -1;
  kv_state st = {.out = out, .start_key = start_key};
  int rc = (st.section = dup_str("")) ? 0 : -1;
  char *pos = buf, *line;
  unsigned long lineno = 0;
  while (rc == 0 && (line = next_line(&pos, buf + len)))
    rc = kv_line(&st, line, ++lineno);
  if (rc == 0)
    rc = kv_flush(&st);
  free(st.section);
  fv_clear(&st.params);
  fv_clear(&st.cur);
  free(buf);
  if (rc) {
    sv_free_file(out);
    set_err(out->err, "out of memory reading %s", path);
  }
  return rc;
}

/* ------------------------------------------------------------------ */
/* Crypto++ test data                                                  */
/* ------------------------------------------------------------------ */

typedef struct strbuf {
  char *s;
  size_t n, cap;
} strbuf;

static int sb_append(strbuf *b, const char *s) {
  size_t add = strlen(s);
  if (b->n + add + 1 > b->cap) {
    size_t ncap = b->cap ? b->cap : 256;
    while (ncap < b->n + add + 1)
      ncap *= 2;
    char *p = realloc(b->s, ncap);
    if (!p)
      return -1;
    b->s = p;
    b->cap = ncap;
  }
  memcpy(b->s + b->n, s, add + 1);
  b->n += add;
  return 0;
}

static void sb_reset(strbuf *b) {
  b->n = 0;
  if (b->s)
    b->s[0] = '\0';
}

typedef struct cpp_state {
  sv_file *out;
  size_t cap;
  field_vec fields; /* in effect now */
  strbuf logical;   /* the field being assembled across `\` lines */
  int pending;      /* logical holds text */
  unsigned long first_line;
} cpp_state;

/* Handles one complete "Name: value" field. */
static int cpp_field(cpp_state *st, char *s) {
  char *colon = strchr(s, ':');
  if (!colon) {
    set_err(st->out->err, "line %lu: no ':' in \"%.60s\"", st->first_line, s);
    return -1;
  }
  *colon = '\0';
  const char *name = trim(s), *value = trim(colon + 1);
  /* Crypto++'s datatest.cpp starts afresh at each AlgorithmType. */
  if (eq_ci(name, "AlgorithmType"))
    fv_clear(&st->fields);
  if (fv_set(&st->fields, name, value))
    goto oom;
  if (eq_ci(name, "Test")) {
    field_vec copy = {0}, none = {0};
    const char *sec = "";
    for (size_t i = 0; i < st->fields.n; i++)
      if (eq_ci(st->fields.v[i].name, "Name"))
        sec = st->fields.v[i].value;
    if (fv_copy(&copy, &st->fields) ||
        push_record(st->out, &st->cap, sec, &none, &copy, st->first_line)) {
      fv_clear(&copy);
      goto oom;
    }
  }
  return 0;
oom:
  set_err(st->out->err, "out of memory");
  return -1;
}

static int cpp_line(cpp_state *st, char *line, unsigned long lineno) {
  char *hash = strchr(line, '#'); /* '#' comments out the rest */
  if (hash)
    *hash = '\0';
  char *s = trim(line);
  if (hash && *s == '\0') /* a comment line, not a blank one */
    return 0;
  size_t n = strlen(s);
  int cont = n > 0 && s[n - 1] == '\\';
  if (cont) {
    s[n - 1] = '\0';
    s = trim(s);
  }
  if (!st->pending) {
    /* Blank lines mean nothing to datatest.cpp (it reads with >>), so a
       stray CR cannot split a test's fields. */
    if (n == 0)
      return 0;
    st->first_line = lineno;
    sb_reset(&st->logical);
  }
  /* Hex split over lines is joined with a space, which sv_hex skips. */
  if ((st->pending && sb_append(&st->logical, " ")) ||
      sb_append(&st->logical, s)) {
    set_err(st->out->err, "out of memory");
    return -1;
  }
  st->pending = cont;
  return cont ? 0 : cpp_field(st, st->logical.s);
}

int sv_load_cryptopp(const char *path, sv_file *out) {
  memset(out, 0, sizeof *out);
  size_t len;
  char *buf = read_all(path, &len, out->err);
  if (!buf)
    return -1;
  cpp_state st = {.out = out};
  char *pos = buf, *line;
  unsigned long lineno = 0;
  int rc = 0;
  while (rc == 0 && (line = next_line(&pos, buf + len)))
    rc = cpp_line(&st, line, ++lineno);
  if (rc == 0 && st.pending) {
    set_err(out->err, "line %lu: continuation at end of file", lineno);
    rc = -1;
  }
  fv_clear(&st.fields);
  free(st.logical.s);
  free(buf);
  if (rc)
    sv_free_file(out);
  return rc;
}
