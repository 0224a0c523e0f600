/*
 * json_fuzzer.c - the strict JSON parser of the tools.
 *
 * Target: ce_json_parse and every accessor of tools/common/ce_json.h, on
 * arbitrary bytes with an arbitrary nesting limit.
 *
 * Input: one byte for max_depth (0 = the default), then the text (not NUL
 * terminated: the parser must stay inside text[0..len)).
 *
 * What must hold, besides "no memory error, no leak":
 *  - failure: *out is NULL and the error message is set, with an offset
 *    inside the input;
 *  - success: the tree obeys the header's promises - numbers follow the
 *    RFC 8259 grammar, ce_json_int64 agrees with an overflow-checked
 *    decimal parse, decoded strings are valid UTF-8, member names of an
 *    object are unique and ce_json_get_n finds each of them, accessors
 *    given the wrong type report "absent";
 *  - the nesting limit is exact: the tree's depth D is within the limit,
 *    and the tree re-parses with max_depth D but not D - 1;
 *  - serialising the tree and parsing that again gives an identical tree
 *    (a round trip through an independent printer).
 */
#include "fuzz_common.h"
#include "ce_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a growable output buffer ------------------------------------------ */

typedef struct {
  char *p;
  size_t n, cap;
} fz_buf;

static void put(fz_buf *b, const char *s, size_t n) {
  if (b->n + n + 1 > b->cap) {
    b->cap = (b->n + n + 1) * 2;
    b->p = realloc(b->p, b->cap);
    FZ_CHECK(b->p != NULL, "out of memory");
  }
  memcpy(b->p + b->n, s, n);
  b->n += n;
}

static void put_string(fz_buf *b, const char *s, size_t n) {
  put(b, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') {
      char e[2] = {'\\', (char)c};
      put(b, e, 2);
    } else if (c < 0x20) {
      char e[8];
      snprintf(e, sizeof e, "\\u%04x", c);
      put(b, e, 6);
    } else {
      put(b, (const char *)&c, 1);
    }
  }
  put(b, "\"", 1);
}

static void serialise(fz_buf *b, const ce_json *v) {
  size_t n;
  const char *s;
  switch (ce_json_type_of(v)) {
  case CE_JSON_NULL:
    put(b, "null", 4);
    break;
  case CE_JSON_FALSE:
    put(b, "false", 5);
    break;
  case CE_JSON_TRUE:
    put(b, "true", 4);
    break;
  case CE_JSON_NUMBER:
    s = ce_json_number_text(v);
    put(b, s, strlen(s));
    break;
  case CE_JSON_STRING:
    s = ce_json_string(v, &n);
    put_string(b, s, n);
    break;
  case CE_JSON_ARRAY:
    put(b, "[", 1);
    for (size_t i = 0; i < ce_json_size(v); i++) {
      if (i)
        put(b, ",", 1);
      serialise(b, ce_json_at(v, i));
    }
    put(b, "]", 1);
    break;
  case CE_JSON_OBJECT:
    put(b, "{", 1);
    for (size_t i = 0; i < ce_json_size(v); i++) {
      if (i)
        put(b, ",", 1);
      s = ce_json_key_at(v, i, &n);
      put_string(b, s, n);
      put(b, ":", 1);
      serialise(b, ce_json_at(v, i));
    }
    put(b, "}", 1);
    break;
  }
}

/* ---- independent validators --------------------------------------------- */

static int is_digit(char c) {
  return c >= '0' && c <= '9';
}

/* RFC 8259 section 6: -? int frac? exp? */
static int valid_number(const char *s) {
  if (*s == '-')
    s++;
  if (*s == '0')
    s++;
  else if (*s >= '1' && *s <= '9')
    while (is_digit(*s))
      s++;
  else
    return 0;
  if (*s == '.') {
    s++;
    if (!is_digit(*s))
      return 0;
    while (is_digit(*s))
      s++;
  }
  if (*s == 'e' || *s == 'E') {
    s++;
    if (*s == '+' || *s == '-')
      s++;
    if (!is_digit(*s))
      return 0;
    while (is_digit(*s))
      s++;
  }
  return *s == '\0';
}

/* 1 and *out when s is an integer (no fraction or exponent) in int64. */
static int int64_of(const char *s, int64_t *out) {
  int neg = *s == '-';
  if (neg)
    s++;
  uint64_t limit = neg ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
  uint64_t v = 0;
  for (; *s; s++) {
    if (!is_digit(*s))
      return 0;
    uint64_t d = (uint64_t)(*s - '0');
    if (v > (limit - d) / 10)
      return 0;
    v = v * 10 + d;
  }
  *out = neg ? (int64_t)(0 - v) : (int64_t)v;
  return 1;
}

/* Well-formed UTF-8 (RFC 3629): no overlongs, no surrogates, <= U+10FFFF. */
static int valid_utf8(const unsigned char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned c = s[i];
    size_t k;
    unsigned min;
    if (c < 0x80) {
      i++;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      k = 1;
      min = 0x80;
      c &= 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      k = 2;
      min = 0x800;
      c &= 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      k = 3;
      min = 0x10000;
      c &= 0x07;
    } else {
      return 0;
    }
    if (i + k >= n)
      return 0; /* truncated sequence */
    for (size_t j = 1; j <= k; j++) {
      if ((s[i + j] & 0xc0) != 0x80)
        return 0;
      c = (c << 6) | (s[i + j] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
      return 0;
    i += k + 1;
  }
  return 1;
}

/* ---- the walk ----------------------------------------------------------- */

static size_t walk(const ce_json *v) {
  ce_json_type t = ce_json_type_of(v);
  size_t n, depth = 0;
  FZ_CHECK(ce_json_type_name(t) != NULL, "type name");
  int is_container = t == CE_JSON_ARRAY || t == CE_JSON_OBJECT;
  /* Wrong-type accessors report "absent". */
  if (t != CE_JSON_STRING)
    FZ_CHECK(ce_json_string(v, &n) == NULL, "string of a non-string");
  if (t != CE_JSON_NUMBER) {
    int64_t i;
    double d;
    FZ_CHECK(ce_json_number_text(v) == NULL && !ce_json_int64(v, &i) &&
                 !ce_json_double(v, &d),
             "number of a non-number");
  }
  if (t != CE_JSON_OBJECT)
    FZ_CHECK(ce_json_get(v, "a") == NULL && ce_json_key_at(v, 0, &n) == NULL,
             "member of a non-object");
  if (!is_container)
    FZ_CHECK(ce_json_size(v) == 0 && ce_json_at(v, 0) == NULL,
             "element of a scalar");
  FZ_CHECK(ce_json_bool(v) == (t == CE_JSON_TRUE    ? 1
                               : t == CE_JSON_FALSE ? 0
                                                    : -1),
           "bool");
  FZ_CHECK(ce_json_is_null(v) == (t == CE_JSON_NULL), "is_null");

  if (t == CE_JSON_NUMBER) {
    const char *s = ce_json_number_text(v);
    FZ_CHECK(s != NULL && valid_number(s), "number text \"%s\"", s);
    int64_t want = 0, got = 0;
    int ok = int64_of(s, &want);
    FZ_CHECK(ce_json_int64(v, &got) == ok && (!ok || got == want),
             "int64 of \"%s\"", s);
    double d;
    FZ_CHECK(ce_json_double(v, &d), "double of a number");
  } else if (t == CE_JSON_STRING) {
    const char *s = ce_json_string(v, &n);
    FZ_CHECK(s != NULL && s[n] == '\0', "string not NUL terminated");
    FZ_CHECK(valid_utf8((const unsigned char *)s, n), "string not UTF-8");
  } else if (is_container) {
    size_t count = ce_json_size(v);
    FZ_CHECK(ce_json_at(v, count) == NULL, "element past the end");
    for (size_t i = 0; i < count; i++) {
      const ce_json *e = ce_json_at(v, i);
      FZ_CHECK(e != NULL, "element %zu missing", i);
      if (t == CE_JSON_OBJECT) {
        size_t kl;
        const char *k = ce_json_key_at(v, i, &kl);
        FZ_CHECK(k != NULL && k[kl] == '\0', "key %zu", i);
        FZ_CHECK(valid_utf8((const unsigned char *)k, kl), "key not UTF-8");
        FZ_CHECK(ce_json_get_n(v, k, kl) == e, "member %zu not found", i);
        /* Unique names (duplicates are rejected); quadratic, so only for
           the sizes a fuzzer makes quickly. */
        if (count <= 256)
          for (size_t j = 0; j < i; j++) {
            size_t jl;
            const char *kj = ce_json_key_at(v, j, &jl);
            FZ_CHECK(jl != kl || memcmp(kj, k, kl) != 0,
                     "duplicate member name accepted");
          }
      } else {
        FZ_CHECK(ce_json_key_at(v, i, NULL) == NULL, "key of an array");
      }
      size_t d = walk(e);
      if (d > depth)
        depth = d;
    }
    FZ_CHECK(t != CE_JSON_OBJECT || ce_json_key_at(v, count, NULL) == NULL,
             "key past the end");
    depth++;
  }
  return depth;
}

static int same_tree(const ce_json *a, const ce_json *b) {
  ce_json_type t = ce_json_type_of(a);
  if (t != ce_json_type_of(b))
    return 0;
  size_t an, bn;
  const char *as, *bs;
  switch (t) {
  case CE_JSON_NUMBER:
    return strcmp(ce_json_number_text(a), ce_json_number_text(b)) == 0;
  case CE_JSON_STRING:
    as = ce_json_string(a, &an);
    bs = ce_json_string(b, &bn);
    return an == bn && memcmp(as, bs, an) == 0;
  case CE_JSON_ARRAY:
  case CE_JSON_OBJECT:
    if (ce_json_size(a) != ce_json_size(b))
      return 0;
    for (size_t i = 0; i < ce_json_size(a); i++) {
      if (t == CE_JSON_OBJECT) {
        as = ce_json_key_at(a, i, &an);
        bs = ce_json_key_at(b, i, &bn);
        if (an != bn || memcmp(as, bs, an) != 0)
          return 0;
      }
      if (!same_tree(ce_json_at(a, i), ce_json_at(b, i)))
        return 0;
    }
    return 1;
  default:
    return 1;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fz_reader r = {data, size};
  size_t max_depth = fz_u8(&r) % 80; /* around the default of 64 */
  size_t len;
  const uint8_t *raw = fz_rest(&r, &len);
  /* A private copy of exactly len bytes: ASan then flags any read past
     the end, i.e. any reliance on a terminator. */
  char *text = malloc(len ? len : 1);
  if (len)
    memcpy(text, raw, len);

  ce_json *root = (ce_json *)text; /* must become NULL on failure */
  ce_json_error err;
  memset(&err, 0, sizeof err);
  int rc = ce_json_parse(len ? text : NULL, len, max_depth, &root, &err);
  if (rc != 0) {
    FZ_CHECK(rc == -1 && root == NULL, "failure: rc %d, root set", rc);
    FZ_CHECK(err.msg[0] != '\0' && memchr(err.msg, '\0', sizeof err.msg),
             "failure without a message");
    FZ_CHECK(err.offset <= len, "error offset %zu past %zu", err.offset, len);
    free(text);
    return 0;
  }
  /* Parsing again without an error struct gives the same. */
  ce_json *again = NULL;
  FZ_CHECK(ce_json_parse(text, len, max_depth, &again, NULL) == 0,
           "second parse failed");
  FZ_CHECK(same_tree(root, again), "parse is not deterministic");
  ce_json_free(again);

  size_t depth = walk(root);
  size_t limit = max_depth ? max_depth : CE_JSON_DEFAULT_MAX_DEPTH;
  FZ_CHECK(depth <= limit, "depth %zu over the limit %zu", depth, limit);

  fz_buf out = {NULL, 0, 0};
  serialise(&out, root);
  ce_json *back = NULL;
  ce_json_error err2;
  size_t d = depth ? depth : 1;
  if (ce_json_parse(out.p, out.n, d, &back, &err2) != 0) {
    fprintf(stderr, "serialised: %.*s\n", (int)(out.n < 2000 ? out.n : 2000),
            out.p);
    FZ_CHECK(0, "serialised tree does not parse: %s", err2.msg);
  }
  FZ_CHECK(same_tree(root, back), "round trip changed the tree");
  ce_json_free(back);
  if (depth >= 2) {
    back = NULL;
    FZ_CHECK(ce_json_parse(out.p, out.n, depth - 1, &back, NULL) != 0 &&
                 back == NULL,
             "depth %zu accepted with max_depth %zu", depth, depth - 1);
  }
  free(out.p);
  ce_json_free(root);
  free(text);
  return 0;
}
