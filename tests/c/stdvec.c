/*
 * stdvec.c - readers for the standard vector files; see stdvec.h.
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

int sv_load_botan(const char *path, sv_file *out) {
  /* Botan's Text_Based_Test runs a vector at each blank line. */
  return sv_load_kv(path, NULL, out);
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

/* ------------------------------------------------------------------ */
/* AsciiDoc examples                                                   */
/* ------------------------------------------------------------------ */

#define ADOC_LEVELS 7

typedef struct adoc_state {
  sv_adoc *out;
  size_t cap, cap_blocks;
  char *heading[ADOC_LEVELS]; /* open heading titles by level */
  sv_example *cur;            /* open example, inside out->ex */
  char *label;                /* label for the next block */
  strbuf prose, block;
  int in_block;
} adoc_state;

static void example_free(sv_example *e) {
  free(e->group);
  free(e->title);
  free(e->prose);
  for (size_t i = 0; i < e->n_blocks; i++) {
    free(e->blocks[i].label);
    free(e->blocks[i].text);
  }
  free(e->blocks);
}

void sv_free_adoc(sv_adoc *a) {
  if (!a)
    return;
  for (size_t i = 0; i < a->n_ex; i++)
    example_free(&a->ex[i]);
  free(a->ex);
  a->ex = NULL;
  a->n_ex = 0;
}

const sv_block *sv_block_get(const sv_example *ex, const char *label) {
  for (size_t i = 0; i < ex->n_blocks; i++)
    if (eq_ci(ex->blocks[i].label, label))
      return &ex->blocks[i];
  return NULL;
}

static int adoc_close_example(adoc_state *st) {
  sv_example *e = st->cur;
  if (!e)
    return 0;
  e->prose = dup_str(st->prose.s ? st->prose.s : "");
  st->cur = NULL;
  sb_reset(&st->prose);
  return e->prose ? 0 : -1;
}

static int adoc_open_example(adoc_state *st, int level, const char *title,
                             unsigned long lineno) {
  if (grow((void **)&st->out->ex, st->out->n_ex, &st->cap, sizeof *st->out->ex))
    return -1;
  const char *group = "";
  for (int l = level - 1; l > 0; l--) {
    if (st->heading[l]) {
      group = st->heading[l];
      break;
    }
  }
  sv_example *e = &st->out->ex[st->out->n_ex];
  memset(e, 0, sizeof *e);
  e->line = lineno;
  e->group = dup_str(group);
  e->title = dup_str(title);
  st->out->n_ex++; /* counted now so sv_free_adoc frees a partial one */
  st->cur = e;
  st->cap_blocks = 0;
  return e->group && e->title ? 0 : -1;
}

/* "=== Title": closes the open example and maybe opens another. */
static int adoc_heading(adoc_state *st, const char *s, unsigned long lineno) {
  int level = 0;
  while (s[level] == '=')
    level++;
  if (level >= ADOC_LEVELS)
    level = ADOC_LEVELS - 1;
  if (adoc_close_example(st))
    return -1;
  free(st->label);
  st->label = NULL;
  for (int l = level; l < ADOC_LEVELS; l++) {
    free(st->heading[l]);
    st->heading[l] = NULL;
  }
  const char *title = s + level;
  while (is_space(*title))
    title++;
  if (!(st->heading[level] = dup_str(title)))
    return -1;
  if (strncmp(title, "Example ", 8) == 0)
    return adoc_open_example(st, level, title, lineno);
  return 0;
}

static int adoc_end_block(adoc_state *st) {
  st->in_block = 0;
  sv_example *e = st->cur;
  if (!e) /* a listing outside any example */
    return 0;
  if (grow((void **)&e->blocks, e->n_blocks, &st->cap_blocks,
           sizeof *e->blocks))
    return -1;
  sv_block *b = &e->blocks[e->n_blocks];
  b->label = dup_str(st->label ? st->label : "");
  b->text = dup_str(st->block.s ? st->block.s : "");
  e->n_blocks++;
  free(st->label);
  st->label = NULL;
  return b->label && b->text ? 0 : -1;
}

static int is_fence(const char *s) {
  size_t n = strspn(s, "-");
  return n >= 4 && s[n] == '\0';
}

static int adoc_line(adoc_state *st, char *line, unsigned long lineno) {
  char *s = trim(line);
  if (st->in_block) {
    if (is_fence(s))
      return adoc_end_block(st);
    if (st->block.n && sb_append(&st->block, "\n"))
      return -1;
    return sb_append(&st->block, s);
  }
  size_t n = strlen(s);
  if (n == 0)
    return 0;
  if (is_fence(s)) {
    st->in_block = 1;
    sb_reset(&st->block);
    return 0;
  }
  if (s[0] == '=') {
    size_t lvl = strspn(s, "=");
    if (s[lvl] == ' ')
      return adoc_heading(st, s, lineno);
  }
  if (s[0] == '[' && s[n - 1] == ']') /* attribute line: [source], [#id] */
    return 0;
  if (!st->cur)
    return 0;
  if ((st->prose.n && sb_append(&st->prose, "\n")) || sb_append(&st->prose, s))
    return -1;
  if (s[n - 1] == ':') { /* "Plaintext:" labels the next listing */
    s[n - 1] = '\0';
    free(st->label);
    if (!(st->label = dup_str(trim(s))))
      return -1;
  }
  return 0;
}

int sv_load_adoc(const char *path, sv_adoc *out) {
  memset(out, 0, sizeof *out);
  size_t len;
  char *buf = read_all(path, &len, out->err);
  if (!buf)
    return -1;
  adoc_state st = {.out = out};
  char *pos = buf, *line;
  unsigned long lineno = 0;
  int rc = 0;
  while (rc == 0 && (line = next_line(&pos, buf + len)))
    rc = adoc_line(&st, line, ++lineno);
  if (rc == 0 && st.in_block) {
    set_err(out->err, "unterminated ---- block at end of %s", path);
    rc = -1;
  } else if (rc == 0) {
    rc = adoc_close_example(&st);
  }
  if (rc && !out->err[0])
    set_err(out->err, "out of memory reading %s", path);
  for (int l = 0; l < ADOC_LEVELS; l++)
    free(st.heading[l]);
  free(st.label);
  free(st.prose.s);
  free(st.block.s);
  free(buf);
  if (rc)
    sv_free_adoc(out);
  return rc;
}
