/*
 * ce_json.c - strict, bounded RFC 8259 parser; see ce_json.h.
 *
 * Every read goes through the parser's (s, len, pos) triple and is bounds
 * checked, because the input is not NUL terminated and is fuzzed. A node is
 * kept consistent at every step (count covers exactly the initialised
 * slots), so on any failure the partly built tree is freed by the same
 * ce_json__free_contents that frees a complete one.
 */
#include "ce_json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ce_json {
  ce_json_type type;
  char *text;     /* STRING: decoded bytes; NUMBER: source text; NUL ends */
  size_t len;     /* byte length of text                                  */
  size_t count;   /* ARRAY, OBJECT: initialised slots                     */
  size_t cap;     /* allocated slots                                      */
  ce_json *items; /* ARRAY, OBJECT: element / member values               */
  char **keys;    /* OBJECT: member names, decoded, NUL terminated        */
  size_t *key_lens;
};

typedef struct {
  const unsigned char *s;
  size_t len;
  size_t pos;
  size_t max_depth;
  ce_json_error *err;
} ce_json__parser;

/* Records the first error only: later errors are consequences of it. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int
ce_json__fail(ce_json__parser *p, size_t offset, const char *fmt, ...) {
  if (p->err != NULL && p->err->msg[0] == '\0') {
    char detail[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    p->err->offset = offset;
    snprintf(p->err->msg, sizeof p->err->msg, "offset %zu: %s", offset, detail);
  }
  return -1;
}

/* Describes the byte at pos for an error message. */
static void ce_json__describe(const ce_json__parser *p, size_t pos, char *buf,
                              size_t n) {
  if (pos >= p->len) {
    snprintf(buf, n, "end of input");
  } else {
    unsigned c = p->s[pos];
    if (c >= 0x20 && c < 0x7f)
      snprintf(buf, n, "'%c'", (char)c);
    else
      snprintf(buf, n, "byte 0x%02x", c);
  }
}

static void ce_json__free_contents(ce_json *v) {
  free(v->text);
  for (size_t i = 0; i < v->count; i++) {
    ce_json__free_contents(&v->items[i]);
    if (v->keys != NULL)
      free(v->keys[i]);
  }
  free(v->items);
  free(v->keys);
  free(v->key_lens);
  memset(v, 0, sizeof *v);
}

static void ce_json__skip_ws(ce_json__parser *p) {
  while (p->pos < p->len) {
    unsigned char c = p->s[p->pos];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
      break;
    p->pos++;
  }
}

static int ce_json__hexval(unsigned char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Reads the 4 hex digits of a \u escape at pos. */
static int ce_json__read_u4(ce_json__parser *p, size_t pos, unsigned *out) {
  if (p->len - pos < 4 || pos > p->len)
    return ce_json__fail(p, pos, "truncated \\u escape");
  unsigned v = 0;
  for (size_t i = 0; i < 4; i++) {
    int h = ce_json__hexval(p->s[pos + i]);
    if (h < 0)
      return ce_json__fail(p, pos + i, "invalid hex digit in \\u escape");
    v = (v << 4) | (unsigned)h;
  }
  *out = v;
  return 0;
}

static size_t ce_json__put_utf8(unsigned cp, char *out) {
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xc0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3f));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xe0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[2] = (char)(0x80 | (cp & 0x3f));
    return 3;
  }
  out[0] = (char)(0xf0 | (cp >> 18));
  out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
  out[3] = (char)(0x80 | (cp & 0x3f));
  return 4;
}

/* Length of the valid UTF-8 sequence at pos (RFC 3629: no overlong forms,
   no surrogates, nothing above U+10FFFF), or 0 when invalid. */
static size_t ce_json__utf8_len(const ce_json__parser *p, size_t pos) {
  const unsigned char *s = p->s + pos;
  size_t avail = p->len - pos;
  unsigned c = s[0];
  size_t n;
  unsigned lo = 0x80, hi = 0xbf; /* allowed range of the second byte */
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    if (c == 0xe0)
      lo = 0xa0; /* overlong below U+0800 */
    else if (c == 0xed)
      hi = 0x9f; /* U+D800..DFFF are surrogates */
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    if (c == 0xf0)
      lo = 0x90; /* overlong below U+10000 */
    else if (c == 0xf4)
      hi = 0x8f; /* above U+10FFFF */
  } else {
    return 0;
  }
  if (avail < n)
    return 0;
  if (s[1] < lo || s[1] > hi)
    return 0;
  for (size_t i = 2; i < n; i++)
    if (s[i] < 0x80 || s[i] > 0xbf)
      return 0;
  return n;
}

/* Parses the string whose opening quote is at p->pos into a fresh
   NUL-terminated buffer. */
static int ce_json__parse_string(ce_json__parser *p, char **out,
                                 size_t *out_len) {
  size_t start = p->pos;
  size_t i = start + 1;
  /* Find the closing quote first to size the buffer: decoding never makes
     a string longer than its source (an escape of 6 or 12 source bytes
     gives at most 3 or 4 bytes). */
  size_t end = 0;
  int found = 0;
  while (i < p->len) {
    unsigned char c = p->s[i];
    if (c == '"') {
      end = i;
      found = 1;
      break;
    }
    i += (c == '\\') ? 2 : 1;
  }
  if (!found)
    return ce_json__fail(p, start, "unterminated string");

  char *buf = malloc(end - start); /* source bytes between quotes + NUL */
  if (buf == NULL)
    return ce_json__fail(p, start, "out of memory");
  size_t n = 0;
  i = start + 1;
  while (i < end) {
    unsigned char c = p->s[i];
    if (c == '\\') {
      unsigned char e = p->s[i + 1]; /* i + 1 < end: end is not escaped */
      switch (e) {
      case '"':
        buf[n++] = '"';
        break;
      case '\\':
        buf[n++] = '\\';
        break;
      case '/':
        buf[n++] = '/';
        break;
      case 'b':
        buf[n++] = '\b';
        break;
      case 'f':
        buf[n++] = '\f';
        break;
      case 'n':
        buf[n++] = '\n';
        break;
      case 'r':
        buf[n++] = '\r';
        break;
      case 't':
        buf[n++] = '\t';
        break;
      case 'u': {
        unsigned cp;
        if (ce_json__read_u4(p, i + 2, &cp) != 0 || i + 6 > end)
          goto fail_escape;
        if (cp >= 0xdc00 && cp <= 0xdfff) {
          ce_json__fail(p, i, "lone low surrogate \\u%04x", cp);
          goto fail;
        }
        if (cp >= 0xd800 && cp <= 0xdbff) {
          unsigned lo;
          if (i + 12 > end || p->s[i + 6] != '\\' || p->s[i + 7] != 'u') {
            ce_json__fail(p, i,
                          "high surrogate \\u%04x not followed by a "
                          "low surrogate",
                          cp);
            goto fail;
          }
          if (ce_json__read_u4(p, i + 8, &lo) != 0)
            goto fail;
          if (lo < 0xdc00 || lo > 0xdfff) {
            ce_json__fail(p, i,
                          "high surrogate \\u%04x followed by "
                          "\\u%04x, not a low surrogate",
                          cp, lo);
            goto fail;
          }
          cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
          i += 6;
        }
        n += ce_json__put_utf8(cp, buf + n);
        i += 4; /* the 4 hex digits; the 2 of "\u" are added below */
        break;
      }
      default: {
        char d[16];
        ce_json__describe(p, i + 1, d, sizeof d);
        ce_json__fail(p, i, "invalid escape \\ followed by %s", d);
        goto fail;
      }
      }
      i += 2;
    } else if (c < 0x20) {
      ce_json__fail(p, i, "unescaped control character 0x%02x in string", c);
      goto fail;
    } else if (c < 0x80) {
      buf[n++] = (char)c;
      i++;
    } else {
      size_t k = ce_json__utf8_len(p, i);
      if (k == 0 || i + k > end) {
        ce_json__fail(p, i, "invalid UTF-8 in string");
        goto fail;
      }
      memcpy(buf + n, p->s + i, k);
      n += k;
      i += k;
    }
  }
  buf[n] = '\0';
  p->pos = end + 1;
  *out = buf;
  *out_len = n;
  return 0;

fail_escape:
  ce_json__fail(p, i, "truncated \\u escape");
fail:
  free(buf);
  return -1;
}

static int ce_json__parse_number(ce_json__parser *p, ce_json *v) {
  size_t start = p->pos, i = p->pos;
  if (i < p->len && p->s[i] == '-')
    i++;
  if (i >= p->len || p->s[i] < '0' || p->s[i] > '9')
    return ce_json__fail(p, i, "expected a digit in number");
  if (p->s[i] == '0') {
    i++;
    if (i < p->len && p->s[i] >= '0' && p->s[i] <= '9')
      return ce_json__fail(p, i, "leading zero in number");
  } else {
    while (i < p->len && p->s[i] >= '0' && p->s[i] <= '9')
      i++;
  }
  if (i < p->len && p->s[i] == '.') {
    i++;
    if (i >= p->len || p->s[i] < '0' || p->s[i] > '9')
      return ce_json__fail(p, i, "expected a digit after '.' in number");
    while (i < p->len && p->s[i] >= '0' && p->s[i] <= '9')
      i++;
  }
  if (i < p->len && (p->s[i] == 'e' || p->s[i] == 'E')) {
    i++;
    if (i < p->len && (p->s[i] == '+' || p->s[i] == '-'))
      i++;
    if (i >= p->len || p->s[i] < '0' || p->s[i] > '9')
      return ce_json__fail(p, i, "expected a digit in exponent");
    while (i < p->len && p->s[i] >= '0' && p->s[i] <= '9')
      i++;
  }
  size_t n = i - start;
  char *t = malloc(n + 1);
  if (t == NULL)
    return ce_json__fail(p, start, "out of memory");
  memcpy(t, p->s + start, n);
  t[n] = '\0';
  v->type = CE_JSON_NUMBER;
  v->text = t;
  v->len = n;
  p->pos = i;
  return 0;
}

static int ce_json__literal(ce_json__parser *p, const char *word,
                            ce_json_type t, ce_json *v) {
  size_t n = strlen(word);
  if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0)
    return ce_json__fail(p, p->pos, "invalid literal (expected %s)", word);
  v->type = t;
  p->pos += n;
  return 0;
}

/* Makes room for one more slot in an array or object. */
static int ce_json__grow(ce_json__parser *p, ce_json *v, int with_keys) {
  if (v->count < v->cap)
    return 0;
  size_t ncap = v->cap ? v->cap * 2 : 4;
  if (ncap > ((size_t)-1) / sizeof(ce_json))
    return ce_json__fail(p, p->pos, "out of memory");
  ce_json *items = realloc(v->items, ncap * sizeof *items);
  if (items == NULL)
    return ce_json__fail(p, p->pos, "out of memory");
  v->items = items;
  if (with_keys) {
    char **keys = realloc(v->keys, ncap * sizeof *keys);
    if (keys == NULL)
      return ce_json__fail(p, p->pos, "out of memory");
    v->keys = keys;
    size_t *lens = realloc(v->key_lens, ncap * sizeof *lens);
    if (lens == NULL)
      return ce_json__fail(p, p->pos, "out of memory");
    v->key_lens = lens;
  }
  v->cap = ncap;
  return 0;
}

static int ce_json__parse_value(ce_json__parser *p, ce_json *v, size_t depth);

static int ce_json__parse_array(ce_json__parser *p, ce_json *v, size_t depth) {
  v->type = CE_JSON_ARRAY;
  p->pos++; /* '[' */
  ce_json__skip_ws(p);
  if (p->pos < p->len && p->s[p->pos] == ']') {
    p->pos++;
    return 0;
  }
  for (;;) {
    if (ce_json__grow(p, v, 0) != 0)
      return -1;
    memset(&v->items[v->count], 0, sizeof v->items[0]);
    v->count++;
    if (ce_json__parse_value(p, &v->items[v->count - 1], depth) != 0)
      return -1;
    ce_json__skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == ',') {
      p->pos++;
      continue;
    }
    if (p->pos < p->len && p->s[p->pos] == ']') {
      p->pos++;
      return 0;
    }
    char d[16];
    ce_json__describe(p, p->pos, d, sizeof d);
    return ce_json__fail(p, p->pos, "expected ',' or ']' in array, got %s", d);
  }
}

typedef struct {
  const char *name;
  size_t len;
  size_t offset;
} ce_json__name_ref;

static int ce_json__name_cmp(const void *a, const void *b) {
  const ce_json__name_ref *x = a, *y = b;
  size_t n = x->len < y->len ? x->len : y->len;
  int c = memcmp(x->name, y->name, n);
  if (c != 0)
    return c;
  if (x->len != y->len)
    return x->len < y->len ? -1 : 1;
  /* Equal names: order by position so the reported one is the later. */
  return x->offset < y->offset ? -1 : (x->offset > y->offset);
}

/* Sorting keeps duplicate detection O(n log n): an object with many
   members (fuzzed input) must not cost O(n^2). */
static int ce_json__check_duplicates(ce_json__parser *p, const ce_json *v,
                                     const size_t *offsets) {
  if (v->count < 2)
    return 0;
  ce_json__name_ref *refs = malloc(v->count * sizeof *refs);
  if (refs == NULL)
    return ce_json__fail(p, offsets[0], "out of memory");
  for (size_t i = 0; i < v->count; i++) {
    refs[i].name = v->keys[i];
    refs[i].len = v->key_lens[i];
    refs[i].offset = offsets[i];
  }
  qsort(refs, v->count, sizeof *refs, ce_json__name_cmp);
  int rc = 0;
  for (size_t i = 1; i < v->count; i++) {
    if (refs[i].len == refs[i - 1].len &&
        memcmp(refs[i].name, refs[i - 1].name, refs[i].len) == 0) {
      rc = ce_json__fail(p, refs[i].offset, "duplicate member name \"%.*s\"",
                         (int)(refs[i].len > 40 ? 40 : refs[i].len),
                         refs[i].name);
      break;
    }
  }
  free(refs);
  return rc;
}

static int ce_json__parse_object(ce_json__parser *p, ce_json *v, size_t depth) {
  v->type = CE_JSON_OBJECT;
  p->pos++; /* '{' */
  ce_json__skip_ws(p);
  if (p->pos < p->len && p->s[p->pos] == '}') {
    p->pos++;
    return 0;
  }
  size_t *offsets = NULL, offsets_cap = 0;
  int rc = -1;
  for (;;) {
    ce_json__skip_ws(p);
    if (p->pos >= p->len || p->s[p->pos] != '"') {
      char d[16];
      ce_json__describe(p, p->pos, d, sizeof d);
      ce_json__fail(p, p->pos, "expected a member name string, got %s", d);
      goto done;
    }
    size_t name_off = p->pos;
    char *name;
    size_t name_len;
    if (ce_json__parse_string(p, &name, &name_len) != 0)
      goto done;
    if (ce_json__grow(p, v, 1) != 0) {
      free(name);
      goto done;
    }
    if (offsets_cap < v->cap) {
      size_t *o = realloc(offsets, v->cap * sizeof *o);
      if (o == NULL) {
        free(name);
        ce_json__fail(p, name_off, "out of memory");
        goto done;
      }
      offsets = o;
      offsets_cap = v->cap;
    }
    memset(&v->items[v->count], 0, sizeof v->items[0]);
    v->keys[v->count] = name;
    v->key_lens[v->count] = name_len;
    offsets[v->count] = name_off;
    v->count++;
    ce_json__skip_ws(p);
    if (p->pos >= p->len || p->s[p->pos] != ':') {
      char d[16];
      ce_json__describe(p, p->pos, d, sizeof d);
      ce_json__fail(p, p->pos, "expected ':' after member name, got %s", d);
      goto done;
    }
    p->pos++;
    if (ce_json__parse_value(p, &v->items[v->count - 1], depth) != 0)
      goto done;
    ce_json__skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == ',') {
      p->pos++;
      continue;
    }
    if (p->pos < p->len && p->s[p->pos] == '}') {
      p->pos++;
      rc = ce_json__check_duplicates(p, v, offsets);
      goto done;
    }
    char d[16];
    ce_json__describe(p, p->pos, d, sizeof d);
    ce_json__fail(p, p->pos, "expected ',' or '}' in object, got %s", d);
    goto done;
  }
done:
  free(offsets);
  return rc;
}

static int ce_json__parse_value(ce_json__parser *p, ce_json *v, size_t depth) {
  ce_json__skip_ws(p);
  if (p->pos >= p->len)
    return ce_json__fail(p, p->pos,
                         "unexpected end of input, expected a "
                         "value");
  unsigned char c = p->s[p->pos];
  switch (c) {
  case '{':
  case '[':
    if (depth >= p->max_depth)
      return ce_json__fail(p, p->pos, "nesting deeper than %zu levels",
                           p->max_depth);
    return c == '{' ? ce_json__parse_object(p, v, depth + 1)
                    : ce_json__parse_array(p, v, depth + 1);
  case '"': {
    char *t;
    size_t n;
    if (ce_json__parse_string(p, &t, &n) != 0)
      return -1;
    v->type = CE_JSON_STRING;
    v->text = t;
    v->len = n;
    return 0;
  }
  case 't':
    return ce_json__literal(p, "true", CE_JSON_TRUE, v);
  case 'f':
    return ce_json__literal(p, "false", CE_JSON_FALSE, v);
  case 'n':
    return ce_json__literal(p, "null", CE_JSON_NULL, v);
  default:
    if (c == '-' || (c >= '0' && c <= '9'))
      return ce_json__parse_number(p, v);
    {
      char d[16];
      ce_json__describe(p, p->pos, d, sizeof d);
      return ce_json__fail(p, p->pos, "unexpected %s, expected a value", d);
    }
  }
}

int ce_json_parse(const char *text, size_t len, size_t max_depth, ce_json **out,
                  ce_json_error *err) {
  if (err != NULL) {
    err->offset = 0;
    err->msg[0] = '\0';
  }
  ce_json__parser p = {(const unsigned char *)text, len, 0,
                       max_depth ? max_depth : CE_JSON_DEFAULT_MAX_DEPTH, err};
  if (out == NULL)
    return ce_json__fail(&p, 0, "no output pointer");
  *out = NULL;
  if (text == NULL && len != 0)
    return ce_json__fail(&p, 0, "NULL text");
  if (len == 0)
    return ce_json__fail(&p, 0, "empty input");
  if (len >= 3 && p.s[0] == 0xef && p.s[1] == 0xbb && p.s[2] == 0xbf)
    return ce_json__fail(&p, 0, "byte order mark not allowed");

  ce_json *root = calloc(1, sizeof *root);
  if (root == NULL)
    return ce_json__fail(&p, 0, "out of memory");
  if (ce_json__parse_value(&p, root, 0) != 0) {
    ce_json_free(root);
    return -1;
  }
  ce_json__skip_ws(&p);
  if (p.pos != len) {
    char d[16];
    ce_json__describe(&p, p.pos, d, sizeof d);
    ce_json_free(root);
    return ce_json__fail(&p, p.pos, "unexpected %s after the JSON value", d);
  }
  *out = root;
  return 0;
}

void ce_json_free(ce_json *root) {
  if (root == NULL)
    return;
  ce_json__free_contents(root);
  free(root);
}

ce_json_type ce_json_type_of(const ce_json *v) {
  return v ? v->type : CE_JSON_NULL;
}

const char *ce_json_type_name(ce_json_type t) {
  switch (t) {
  case CE_JSON_NULL:
    return "null";
  case CE_JSON_FALSE:
    return "false";
  case CE_JSON_TRUE:
    return "true";
  case CE_JSON_NUMBER:
    return "number";
  case CE_JSON_STRING:
    return "string";
  case CE_JSON_ARRAY:
    return "array";
  case CE_JSON_OBJECT:
    return "object";
  }
  return "unknown";
}

const ce_json *ce_json_get_n(const ce_json *v, const char *name,
                             size_t name_len) {
  if (v == NULL || v->type != CE_JSON_OBJECT || name == NULL)
    return NULL;
  for (size_t i = 0; i < v->count; i++)
    if (v->key_lens[i] == name_len && memcmp(v->keys[i], name, name_len) == 0)
      return &v->items[i];
  return NULL;
}

const ce_json *ce_json_get(const ce_json *v, const char *name) {
  return name ? ce_json_get_n(v, name, strlen(name)) : NULL;
}

size_t ce_json_size(const ce_json *v) {
  if (v == NULL || (v->type != CE_JSON_ARRAY && v->type != CE_JSON_OBJECT))
    return 0;
  return v->count;
}

const ce_json *ce_json_at(const ce_json *v, size_t i) {
  if (i >= ce_json_size(v))
    return NULL;
  return &v->items[i];
}

const char *ce_json_key_at(const ce_json *v, size_t i, size_t *len) {
  if (v == NULL || v->type != CE_JSON_OBJECT || i >= v->count)
    return NULL;
  if (len != NULL)
    *len = v->key_lens[i];
  return v->keys[i];
}

const char *ce_json_string(const ce_json *v, size_t *len) {
  if (v == NULL || v->type != CE_JSON_STRING)
    return NULL;
  if (len != NULL)
    *len = v->len;
  return v->text;
}

const char *ce_json_number_text(const ce_json *v) {
  return (v != NULL && v->type == CE_JSON_NUMBER) ? v->text : NULL;
}

int ce_json_int64(const ce_json *v, int64_t *out) {
  if (v == NULL || v->type != CE_JSON_NUMBER)
    return 0;
  const char *t = v->text;
  int neg = (*t == '-');
  if (neg)
    t++;
  /* Accumulate as a negative value: its range is one larger, so INT64_MIN
     parses without overflow. */
  int64_t acc = 0;
  for (; *t; t++) {
    if (*t < '0' || *t > '9')
      return 0; /* fraction or exponent: not written as an integer */
    int d = *t - '0';
    if (acc < (INT64_MIN + d) / 10)
      return 0;
    acc = acc * 10 - d;
  }
  if (!neg) {
    if (acc == INT64_MIN)
      return 0;
    acc = -acc;
  }
  *out = acc;
  return 1;
}

int ce_json_double(const ce_json *v, double *out) {
  if (v == NULL || v->type != CE_JSON_NUMBER)
    return 0;
  *out = strtod(v->text, NULL);
  return 1;
}

int ce_json_bool(const ce_json *v) {
  if (v == NULL)
    return -1;
  if (v->type == CE_JSON_TRUE)
    return 1;
  if (v->type == CE_JSON_FALSE)
    return 0;
  return -1;
}

int ce_json_is_null(const ce_json *v) {
  return v != NULL && v->type == CE_JSON_NULL;
}
