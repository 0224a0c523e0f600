/*
 * ce1-adapter - the JSON-lines process adapter of docs/conformance.md
 * section 3 over the chanenc reference implementation, with the SFrame
 * operations of section 7 and the primitive operations and capabilities
 * request of section 8 (tools/ce1_prim.h).
 *
 * Failures are checked in the order of docs/spec.md section 10.1 (as
 * docs/conformance.md 3.4 spells it out for this protocol): the line, then
 * "op" (UNSUPPORTED_OP before any other member is examined), then the
 * members the op uses, then the configuration (INVALID_ARGUMENT before
 * NOT_SUPPORTED, spec 3.1), then the operation (TOO_LARGE; spec 9 steps).
 *
 * One JSON object per input line, one JSON object per output line, in
 * order, flushed after each line so a runner can drive it interactively.
 * Exits 0 when standard input closes. See usage() for the protocol.
 *
 * A fuzz harness may #include this file with CE1_ADAPTER_NO_MAIN defined
 * and call handle_line() directly: it parses one request line (any bytes,
 * not NUL terminated) and writes exactly one answer line to `out`.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* getline */
#endif

#include "chanenc.h"
#include "chanenc_sframe.h"
#include "chanenc_sframe_testing.h"
#include "chanenc_testing.h"
#include "ce_ctxcache.h"
#include "ce_hex.h"
#include "ce_json.h"
#include "ce_prim_ref.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

/* Answer for an unknown "op"; not a library status (conformance.md 3.4). */
#define CE1_UNSUPPORTED_OP "UNSUPPORTED_OP"

typedef struct {
  unsigned long line_no;
  int verbose;
} ce1_session;

/* An error answer; the reason goes to stderr when verbose. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static const char *
reject(const ce1_session *s, const char *status, const char *fmt, ...) {
  if (s->verbose) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "ce1-adapter: line %lu: %s: ", s->line_no, status);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
  }
  return status;
}

/* Decodes a required hex string field; returns NULL on success or the
   error status. *out is malloc'd (at least one byte). */
static const char *hex_field(const ce1_session *s, const ce_json *req,
                             const char *field, uint8_t **out,
                             size_t *out_len) {
  const ce_json *v = ce_json_get(req, field);
  if (v == NULL)
    return reject(s, "INVALID_ARGUMENT", "missing field \"%s\"", field);
  size_t n, bad = 0;
  const char *str = ce_json_string(v, &n);
  if (str == NULL)
    return reject(s, "INVALID_ARGUMENT",
                  "field \"%s\" is a %s, not a hex "
                  "string",
                  field, ce_json_type_name(ce_json_type_of(v)));
  ce_hex_result r = ce_hex_decode_alloc(str, n, 0, out, out_len, &bad);
  if (r != CE_HEX_OK)
    return reject(s, "INVALID_ARGUMENT", "field \"%s\": %s at %zu", field,
                  ce_hex_strerror(r), bad);
  return NULL;
}

typedef struct {
  int mode;
  uint8_t *key;
  size_t key_len;
  uint8_t *salt; /* exactly CE_SALT_LEN bytes once parsed */
  uint8_t *data; /* payload (protect) or frame (unprotect) */
  size_t data_len;
  uint64_t pn;
} ce1_request;

static void request_free(ce1_request *r) {
  if (r->key != NULL) {
    ce_wipe(r->key, r->key_len);
    free(r->key);
  }
  free(r->salt);
  free(r->data);
}

/* Reads the fields every op has: mode, key, salt. */
static const char *common_fields(const ce1_session *s, const ce_json *req,
                                 ce1_request *r) {
  const ce_json *m = ce_json_get(req, "mode");
  int64_t mode;
  if (m == NULL)
    return reject(s, "INVALID_ARGUMENT", "missing field \"mode\"");
  if (!ce_json_int64(m, &mode))
    return reject(s, "INVALID_ARGUMENT", "field \"mode\" is not an integer");
  /* A number with a fraction or an exponent (7.0, 7e0) is not an integer
     and is refused above (conformance.md 3.2). Out-of-range ids are the
     library's to refuse (spec 3.1), so pass any int on; only ids that do
     not fit an int are refused here, never reduced to another value. */
  if (mode < -2147483647 - 1 || mode > 2147483647)
    return reject(s, "INVALID_ARGUMENT", "field \"mode\" out of range");
  r->mode = (int)mode;
  const char *err = hex_field(s, req, "key", &r->key, &r->key_len);
  if (err != NULL)
    return err;
  size_t salt_len;
  err = hex_field(s, req, "salt", &r->salt, &salt_len);
  if (err != NULL)
    return err;
  /* A salt must be 32 bytes in every mode, also in modes 1-6, which
     ignore its value (spec 3, 3.1); the API's uint8_t[32] cannot carry
     another length, so it is refused here, before the library sees it. */
  if (salt_len != CE_SALT_LEN)
    return reject(s, "INVALID_ARGUMENT", "salt is %zu bytes, not %d", salt_len,
                  CE_SALT_LEN);
  return NULL;
}

static const char *parse_pn(const ce1_session *s, const ce_json *req,
                            ce1_request *r) {
  const ce_json *v = ce_json_get(req, "pn");
  if (v == NULL || ce_json_is_null(v)) {
    /* ECB frames carry no packet number (spec 6.1), and vector files write
       "pn": null for them; every other mode needs one. A pn that is
       present and not null must be 16 hex digits in every mode, ECB
       included (conformance.md 3.2). */
    if (ce_mode_family(r->mode) == CE_FAMILY_ECB) {
      r->pn = 0;
      return NULL;
    }
    return reject(s, "INVALID_ARGUMENT", "missing field \"pn\"");
  }
  size_t n, len, bad = 0;
  const char *str = ce_json_string(v, &n);
  uint8_t b[8];
  if (str == NULL || n != 16 ||
      ce_hex_decode(str, n, 0, b, sizeof b, &len, &bad) != CE_HEX_OK)
    return reject(s, "INVALID_ARGUMENT",
                  "field \"pn\" is not 16 hex "
                  "digits");
  uint64_t pn = 0;
  for (size_t i = 0; i < sizeof b; i++)
    pn = (pn << 8) | b[i];
  r->pn = pn;
  return NULL;
}

/* Writes {"name":"hex"} and a newline. Returns 0, or -1 when out of
   memory (the caller then answers INTERNAL). */
static int answer_hex(FILE *out, const char *name, const uint8_t *b, size_t n) {
  char *hex = ce_hex_encode_alloc(b, n);
  if (hex == NULL)
    return -1;
  fprintf(out, "{\"%s\":\"%s\"}\n", name, hex);
  free(hex);
  return 0;
}

static void answer_error(FILE *out, const char *status) {
  fprintf(out, "{\"error\":\"%s\"}\n", status);
}

/* ------------------------------------------------------------------ */
/* SFrame operations (docs/conformance.md section 7)                   */
/* ------------------------------------------------------------------ */

/* A 64-bit KID or CTR: a string of exactly 16 hex digits, big-endian, as
   the CE1 "pn" (conformance.md 7.2). Reads member `name` of obj. */
static const char *u64_field(const ce1_session *s, const ce_json *obj,
                             const char *name, uint64_t *out) {
  const ce_json *v = ce_json_get(obj, name);
  size_t n, len, bad = 0;
  const char *str = v != NULL ? ce_json_string(v, &n) : NULL;
  uint8_t b[8];
  if (str == NULL || n != 16 ||
      ce_hex_decode(str, n, 0, b, sizeof b, &len, &bad) != CE_HEX_OK)
    return reject(s, "INVALID_ARGUMENT", "field \"%s\" is not 16 hex digits",
                  name);
  uint64_t x = 0;
  for (size_t i = 0; i < sizeof b; i++)
    x = (x << 8) | b[i];
  *out = x;
  return NULL;
}

/* "suite": a JSON number written as an integer (like "mode"); values that
   do not fit an int are refused here, others by ce_sframe_ctx_new. */
static const char *suite_field(const ce1_session *s, const ce_json *req,
                               int *suite) {
  const ce_json *m = ce_json_get(req, "suite");
  int64_t v;
  if (m == NULL || !ce_json_int64(m, &v))
    return reject(s, "INVALID_ARGUMENT",
                  "field \"suite\" missing or not an integer");
  if (v < -2147483647 - 1 || v > 2147483647)
    return reject(s, "INVALID_ARGUMENT", "field \"suite\" out of range");
  *suite = (int)v;
  return NULL;
}

/* Writes {"frame":HEX} or {"payload":HEX,"kid":HEX16,"ctr":HEX16}. */
static int answer_sframe_payload(FILE *out, const uint8_t *b, size_t n,
                                 uint64_t kid, uint64_t ctr) {
  char *hex = ce_hex_encode_alloc(b, n);
  if (hex == NULL)
    return -1;
  fprintf(out, "{\"payload\":\"%s\",\"kid\":\"%016llx\",\"ctr\":\"%016llx\"}\n",
          hex, (unsigned long long)kid, (unsigned long long)ctr);
  free(hex);
  return 0;
}

/* sframe_protect: {suite, kid, ctr, base_key, metadata, payload} ->
   {"frame": HEX}. A fresh context with one send key; the frame carries the
   explicit ctr (ce_testing_sframe_protect_ctr_into). */
static const char *sframe_protect_op(const ce1_session *s, const ce_json *req,
                                     FILE *out) {
  int suite = 0;
  uint64_t kid = 0, ctr = 0;
  uint8_t *bk = NULL, *md = NULL, *pl = NULL, *buf = NULL;
  size_t bk_len = 0, md_len = 0, pl_len = 0;
  ce_sframe_ctx *ctx = NULL;
  const char *err;
  if ((err = suite_field(s, req, &suite)) != NULL ||
      (err = u64_field(s, req, "kid", &kid)) != NULL ||
      (err = u64_field(s, req, "ctr", &ctr)) != NULL ||
      (err = hex_field(s, req, "base_key", &bk, &bk_len)) != NULL ||
      (err = hex_field(s, req, "metadata", &md, &md_len)) != NULL ||
      (err = hex_field(s, req, "payload", &pl, &pl_len)) != NULL)
    goto done;
  ce_status st = ce_sframe_ctx_new(suite, &ctx);
  if (st == CE_OK)
    st = ce_sframe_add_key(ctx, kid, CE_SFRAME_SEND, bk, bk_len);
  if (st != CE_OK) {
    err = reject(s, ce_status_name(st), "configuration refused");
    goto done;
  }
  size_t cap = pl_len + CE_SFRAME_MAX_OVERHEAD;
  buf = malloc(cap);
  if (buf == NULL) {
    err = reject(s, "INTERNAL", "out of memory");
    goto done;
  }
  size_t out_len = cap;
  st = ce_testing_sframe_protect_ctr_into(ctx, kid, ctr, md, md_len, pl, pl_len,
                                          buf, &out_len);
  if (st != CE_OK)
    err = reject(s, ce_status_name(st), "sframe protect failed");
  else if (answer_hex(out, "frame", buf, out_len) != 0)
    err = reject(s, "INTERNAL", "out of memory");
done:
  ce_sframe_ctx_free(ctx);
  if (bk != NULL) {
    ce_wipe(bk, bk_len);
    free(bk);
  }
  free(md);
  free(pl);
  free(buf);
  return err;
}

/* sframe_unprotect: {suite, base_keys: [{kid, base_key}...],
   replay_window?, accepted?: [{frame, metadata}...], metadata, frame} ->
   {"payload", "kid", "ctr"}. A fresh receiving context: the keys as
   receive keys, the window, then every accepted frame unprotected in
   order (the receiver's history), then the frame. */
static const char *sframe_unprotect_op(const ce1_session *s, const ce_json *req,
                                       FILE *out) {
  int suite = 0;
  int64_t window = 0;
  uint8_t *md = NULL, *fr = NULL, *buf = NULL;
  size_t md_len = 0, fr_len = 0;
  ce_sframe_ctx *ctx = NULL;
  const char *err;
  const ce_json *keys, *acc, *w;
  if ((err = suite_field(s, req, &suite)) != NULL)
    goto done;
  keys = ce_json_get(req, "base_keys");
  if (keys == NULL || ce_json_type_of(keys) != CE_JSON_ARRAY) {
    err = reject(s, "INVALID_ARGUMENT", "\"base_keys\" is not an array");
    goto done;
  }
  for (size_t i = 0; i < ce_json_size(keys); i++) {
    const ce_json *k = ce_json_at(keys, i);
    uint64_t kid;
    uint8_t *bk = NULL;
    size_t bk_len;
    if (ce_json_type_of(k) != CE_JSON_OBJECT) {
      err = reject(s, "INVALID_ARGUMENT", "base_keys[%zu] is not an object", i);
      goto done;
    }
    if ((err = u64_field(s, k, "kid", &kid)) != NULL ||
        (err = hex_field(s, k, "base_key", &bk, &bk_len)) != NULL)
      goto done;
    free(bk);
  }
  w = ce_json_get(req, "replay_window");
  if (w != NULL && !ce_json_is_null(w) &&
      (!ce_json_int64(w, &window) || window < 0 ||
       window > (int64_t)CE_SFRAME_MAX_REPLAY_WINDOW)) {
    err = reject(s, "INVALID_ARGUMENT",
                 "\"replay_window\" is not an integer 0..%u",
                 CE_SFRAME_MAX_REPLAY_WINDOW);
    goto done;
  }
  acc = ce_json_get(req, "accepted");
  if (acc != NULL && !ce_json_is_null(acc)) {
    if (ce_json_type_of(acc) != CE_JSON_ARRAY) {
      err = reject(s, "INVALID_ARGUMENT", "\"accepted\" is not an array");
      goto done;
    }
    for (size_t i = 0; i < ce_json_size(acc); i++) {
      const ce_json *a = ce_json_at(acc, i);
      uint8_t *x = NULL, *y = NULL;
      size_t xl, yl;
      if (ce_json_type_of(a) != CE_JSON_OBJECT) {
        err =
            reject(s, "INVALID_ARGUMENT", "accepted[%zu] is not an object", i);
        goto done;
      }
      err = hex_field(s, a, "frame", &x, &xl);
      if (err == NULL)
        err = hex_field(s, a, "metadata", &y, &yl);
      free(x);
      free(y);
      if (err != NULL)
        goto done;
    }
  } else {
    acc = NULL;
  }
  if ((err = hex_field(s, req, "metadata", &md, &md_len)) != NULL ||
      (err = hex_field(s, req, "frame", &fr, &fr_len)) != NULL)
    goto done;

  /* The configuration: suite, keys (a KID twice is refused), window. */
  ce_status st = ce_sframe_ctx_new(suite, &ctx);
  for (size_t i = 0; st == CE_OK && i < ce_json_size(keys); i++) {
    const ce_json *k = ce_json_at(keys, i);
    uint64_t kid, other;
    uint8_t *bk = NULL;
    size_t bk_len;
    u64_field(s, k, "kid", &kid);
    for (size_t j = 0; j < i; j++) {
      u64_field(s, ce_json_at(keys, j), "kid", &other);
      if (other == kid) {
        err = reject(s, "INVALID_ARGUMENT", "KID %016llx given twice",
                     (unsigned long long)kid);
        goto done;
      }
    }
    hex_field(s, k, "base_key", &bk, &bk_len);
    st = ce_sframe_add_key(ctx, kid, CE_SFRAME_RECEIVE, bk, bk_len);
    ce_wipe(bk, bk_len);
    free(bk);
  }
  if (st == CE_OK)
    st = ce_sframe_set_replay_window(ctx, (size_t)window);
  if (st != CE_OK) {
    err = reject(s, ce_status_name(st), "configuration refused");
    goto done;
  }
  size_t cap = fr_len;
  for (size_t i = 0; acc != NULL && i < ce_json_size(acc); i++) {
    uint8_t *x = NULL;
    size_t xl;
    hex_field(s, ce_json_at(acc, i), "frame", &x, &xl);
    if (xl > cap)
      cap = xl;
    free(x);
  }
  buf = malloc(cap ? cap : 1);
  if (buf == NULL) {
    err = reject(s, "INTERNAL", "out of memory");
    goto done;
  }
  /* The receiver's history: the frames it accepted before this one. */
  for (size_t i = 0; acc != NULL && i < ce_json_size(acc); i++) {
    const ce_json *a = ce_json_at(acc, i);
    uint8_t *x = NULL, *y = NULL;
    size_t xl, yl, n = cap;
    hex_field(s, a, "frame", &x, &xl);
    hex_field(s, a, "metadata", &y, &yl);
    st = ce_sframe_unprotect_into(ctx, y, yl, x, xl, buf, &n, NULL, NULL);
    free(x);
    free(y);
    if (st != CE_OK) {
      err = reject(s, ce_status_name(st), "accepted[%zu] refused", i);
      goto done;
    }
  }
  uint64_t kid = 0, ctr = 0;
  size_t n = cap;
  st = ce_sframe_unprotect_into(ctx, md, md_len, fr, fr_len, buf, &n, &kid,
                                &ctr);
  if (st != CE_OK)
    err = reject(s, ce_status_name(st), "sframe unprotect failed");
  else if (answer_sframe_payload(out, buf, n, kid, ctr) != 0)
    err = reject(s, "INTERNAL", "out of memory");
done:
  ce_sframe_ctx_free(ctx);
  free(md);
  free(fr);
  free(buf);
  return err;
}

/* ------------------------------------------------------------------ */
/* Primitive operations (docs/conformance.md section 8, ce1_prim.h)    */
/* ------------------------------------------------------------------ */

/* The protocol's bounds (conformance.md 8.2). A byte field may hold up to
   1 MiB (SFrame's payload limit, far more than any known-answer vector
   needs); a longer one is TOO_LARGE. An integer member is refused when it
   lies outside 0..1 MiB (iterations: 0..2^32-1, the C ABI's uint32_t) and
   so bounds every buffer the adapter allocates; inside, the library
   decides, so that the algorithms' own domains (tag_len 1..16, an HKDF
   length 1..8160, ...) are answered by the code under test, as through
   the C ABI. */
#define CE1_PRIM_MAX_BYTES (1u << 20)
#define CE1_PRIM_MAX_MEMBERS 6

enum {
  PRIM_AES_ECB,
  PRIM_SM4_ECB,
  PRIM_AES_XTS,
  PRIM_GCM_SEAL,
  PRIM_GCM_OPEN,
  PRIM_HKDF_EXTRACT,
  PRIM_HKDF_EXPAND,
  PRIM_HKDF,
  PRIM_PBKDF2
};

/* One request member: a hex string (of exactly exact_len bytes when that
   is not 0) or, when is_int, an integer in 0..max. */
typedef struct {
  const char *name;
  int is_int;
  int64_t max;
  size_t exact_len;
} prim_member;

typedef struct {
  const char *op;
  int kind;
  int encrypt;
  prim_member m[CE1_PRIM_MAX_MEMBERS]; /* in the order they are checked */
} prim_op;

#define HEX(n)                                                                 \
  { n, 0, 0, 0 }
#define HEXN(n, len)                                                           \
  { n, 0, 0, len }
#define INT(n, hi)                                                             \
  { n, 1, hi, 0 }

/* Every primitive op: the table is the dispatcher and the capabilities
   list, so the two cannot disagree. */
static const prim_op prim_ops[] = {
    {"aes_ecb_encrypt", PRIM_AES_ECB, 1, {HEX("key"), HEX("data")}},
    {"aes_ecb_decrypt", PRIM_AES_ECB, 0, {HEX("key"), HEX("data")}},
    {"sm4_ecb_encrypt", PRIM_SM4_ECB, 1, {HEX("key"), HEX("data")}},
    {"sm4_ecb_decrypt", PRIM_SM4_ECB, 0, {HEX("key"), HEX("data")}},
    {"aes_xts_encrypt",
     PRIM_AES_XTS,
     1,
     {HEX("key"), HEXN("tweak", 16), HEX("data")}},
    {"aes_xts_decrypt",
     PRIM_AES_XTS,
     0,
     {HEX("key"), HEXN("tweak", 16), HEX("data")}},
    {"aes_gcm_seal",
     PRIM_GCM_SEAL,
     1,
     {HEX("key"), HEX("iv"), HEX("aad"), HEX("plaintext"),
      INT("tag_len", CE1_PRIM_MAX_BYTES)}},
    {"aes_gcm_open",
     PRIM_GCM_OPEN,
     0,
     {HEX("key"), HEX("iv"), HEX("aad"), HEX("ciphertext"), HEX("tag"),
      INT("tag_len", CE1_PRIM_MAX_BYTES)}},
    {"hkdf_sha256_extract", PRIM_HKDF_EXTRACT, 0, {HEX("salt"), HEX("ikm")}},
    {"hkdf_sha256_expand",
     PRIM_HKDF_EXPAND,
     0,
     {HEX("prk"), HEX("info"), INT("length", CE1_PRIM_MAX_BYTES)}},
    {"hkdf_sha256",
     PRIM_HKDF,
     0,
     {HEX("salt"), HEX("ikm"), HEX("info"), INT("length", CE1_PRIM_MAX_BYTES)}},
    {"pbkdf2_sha256",
     PRIM_PBKDF2,
     0,
     {HEX("password"), HEX("salt"), INT("iterations", UINT32_MAX),
      INT("length", CE1_PRIM_MAX_BYTES)}},
};

#undef HEX
#undef HEXN
#undef INT

/* The frame and SFrame ops handle_line dispatches itself (capabilities
   lists them before the primitives). */
static const char *const frame_op_names[] = {
    "protect", "unprotect", "derive", "sframe_protect", "sframe_unprotect"};

static const prim_op *prim_find(const char *op, size_t op_len) {
  for (size_t i = 0; i < sizeof prim_ops / sizeof prim_ops[0]; i++)
    if (strlen(prim_ops[i].op) == op_len &&
        memcmp(prim_ops[i].op, op, op_len) == 0)
      return &prim_ops[i];
  return NULL;
}

/* An integer member in [0, max]: a JSON number written as an integer
   (as "mode", conformance.md 3.2); a value outside the range, or one that
   does not fit int64_t, is refused, never reduced. */
static const char *int_field(const ce1_session *s, const ce_json *req,
                             const prim_member *m, int64_t *out) {
  const ce_json *v = ce_json_get(req, m->name);
  int64_t x;
  if (v == NULL)
    return reject(s, "INVALID_ARGUMENT", "missing field \"%s\"", m->name);
  if (!ce_json_int64(v, &x))
    return reject(s, "INVALID_ARGUMENT",
                  "field \"%s\" is not an integer (or does not fit 64 bits)",
                  m->name);
  if (x < 0 || x > m->max)
    return reject(s, "INVALID_ARGUMENT",
                  "field \"%s\" is %lld, outside 0..%lld", m->name,
                  (long long)x, (long long)m->max);
  *out = x;
  return NULL;
}

/* The decoded members of a primitive request, by table position. */
typedef struct {
  uint8_t *b[CE1_PRIM_MAX_MEMBERS];
  size_t n[CE1_PRIM_MAX_MEMBERS];
  int64_t v[CE1_PRIM_MAX_MEMBERS];
} prim_args;

/* Every byte field is wiped: keys, passwords, IKMs and PRKs are secret,
   and telling them apart from the public ones is not worth a mistake. */
static void prim_args_free(prim_args *a) {
  for (size_t i = 0; i < CE1_PRIM_MAX_MEMBERS; i++)
    if (a->b[i] != NULL) {
      ce_wipe(a->b[i], a->n[i]);
      free(a->b[i]);
    }
}

/* Writes {"name0":"hex0",...} and a newline. Every member is encoded
   before anything is written, so running out of memory writes nothing
   (the caller then answers INTERNAL). The hex text is wiped: it may be a
   key (prk, okm, dk) or a plaintext. */
static int answer_members(FILE *out, size_t count, const char *const *names,
                          const uint8_t *const *bufs, const size_t *lens) {
  char *hex[2] = {NULL, NULL};
  int rc = 0;
  if (count > 2)
    return -1;
  for (size_t i = 0; i < count && rc == 0; i++) {
    hex[i] = ce_hex_encode_alloc(bufs[i], lens[i]);
    if (hex[i] == NULL)
      rc = -1;
  }
  if (rc == 0) {
    fputc('{', out);
    for (size_t i = 0; i < count; i++)
      fprintf(out, "%s\"%s\":\"%s\"", i ? "," : "", names[i], hex[i]);
    fputs("}\n", out);
  }
  for (size_t i = 0; i < count; i++)
    if (hex[i] != NULL) {
      ce_wipe(hex[i], 2 * lens[i]);
      free(hex[i]);
    }
  return rc;
}

/* {"op":"capabilities"} -> {"ops":[...]}: every op this adapter answers
   other than capabilities itself (conformance.md 8.1). */
static const char *capabilities_op(FILE *out) {
  fputs("{\"ops\":[", out);
  for (size_t i = 0; i < sizeof frame_op_names / sizeof frame_op_names[0]; i++)
    fprintf(out, "%s\"%s\"", i ? "," : "", frame_op_names[i]);
  for (size_t i = 0; i < sizeof prim_ops / sizeof prim_ops[0]; i++)
    fprintf(out, ",\"%s\"", prim_ops[i].op);
  fputs("]}\n", out);
  return NULL;
}

/* One primitive request: the members in table order (INVALID_ARGUMENT),
   then the sizes (TOO_LARGE), then the library, whose status is the
   answer (its INVALID_ARGUMENT domain checks before NOT_SUPPORTED, before
   the operation's own AUTH_FAILED). conformance.md 8.2. */
static const char *prim_run(const ce1_session *s, const prim_op *p,
                            const ce_json *req, FILE *out) {
  prim_args a;
  memset(&a, 0, sizeof a);
  const char *err = NULL;
  uint8_t *res = NULL; /* the variable-length result */
  size_t res_len = 0;
  uint8_t fixed[32]; /* a GCM tag or an HKDF PRK */
  ce_status st;

  for (size_t i = 0; i < CE1_PRIM_MAX_MEMBERS && p->m[i].name != NULL; i++) {
    const prim_member *m = &p->m[i];
    if (!m->is_int) {
      err = hex_field(s, req, m->name, &a.b[i], &a.n[i]);
      if (err == NULL && m->exact_len != 0 && a.n[i] != m->exact_len)
        err =
            reject(s, "INVALID_ARGUMENT", "field \"%s\" is %zu bytes, not %zu",
                   m->name, a.n[i], m->exact_len);
    } else {
      err = int_field(s, req, m, &a.v[i]);
    }
    if (err != NULL)
      goto done;
  }
  for (size_t i = 0; i < CE1_PRIM_MAX_MEMBERS && p->m[i].name != NULL; i++)
    if (a.n[i] > CE1_PRIM_MAX_BYTES) {
      err = reject(s, "TOO_LARGE", "field \"%s\" is %zu bytes, over %u",
                   p->m[i].name, a.n[i], CE1_PRIM_MAX_BYTES);
      goto done;
    }

  /* The result's length: the data's for the ciphers, the requested one
     for the KDFs (bounded by the members' check). HKDF-Extract and the GCM
     tag go to fixed instead. */
  switch (p->kind) {
  case PRIM_AES_ECB:
  case PRIM_SM4_ECB:
  case PRIM_AES_XTS:
    res_len = a.n[p->kind == PRIM_AES_XTS ? 2 : 1];
    break;
  case PRIM_GCM_SEAL:
  case PRIM_GCM_OPEN:
    res_len = a.n[3];
    break;
  case PRIM_HKDF_EXPAND:
    res_len = (size_t)a.v[2];
    break;
  case PRIM_HKDF:
  case PRIM_PBKDF2:
    res_len = (size_t)a.v[3];
    break;
  default:
    res_len = 0;
  }
  res = malloc(res_len ? res_len : 1);
  if (res == NULL) {
    err = reject(s, "INTERNAL", "out of memory");
    goto done;
  }

  const char *names[2] = {NULL, NULL};
  const uint8_t *bufs[2] = {res, fixed};
  size_t lens[2] = {res_len, 0};
  size_t count = 1;
  switch (p->kind) {
  case PRIM_AES_ECB:
  case PRIM_SM4_ECB:
    st = ce_ecb_crypt(p->kind == PRIM_AES_ECB ? CE_BLOCK_AES : CE_BLOCK_SM4,
                      p->encrypt, a.b[0], a.n[0], a.b[1], a.n[1], res);
    names[0] = "data";
    break;
  case PRIM_AES_XTS:
    st = ce_prim_ref_xts(p->encrypt, a.b[0], a.n[0], a.b[1], a.b[2], a.n[2],
                         res);
    names[0] = "data";
    break;
  case PRIM_GCM_SEAL:
    st = ce_gcm_encrypt(a.b[0], a.n[0], a.b[1], a.n[1], a.b[2], a.n[2], a.b[3],
                        a.n[3], res, fixed, (size_t)a.v[4]);
    names[0] = "ciphertext";
    names[1] = "tag";
    lens[1] = (size_t)a.v[4];
    count = 2;
    break;
  case PRIM_GCM_OPEN:
    st = ce_prim_ref_gcm_open(a.b[0], a.n[0], a.b[1], a.n[1], a.b[2], a.n[2],
                              a.b[3], a.n[3], a.b[4], a.n[4], (size_t)a.v[5],
                              res);
    names[0] = "plaintext";
    break;
  case PRIM_HKDF_EXTRACT:
    st = ce_hkdf_sha256_extract(a.b[0], a.n[0], a.b[1], a.n[1], fixed);
    names[0] = "prk";
    bufs[0] = fixed;
    lens[0] = 32;
    break;
  case PRIM_HKDF_EXPAND:
    st = ce_hkdf_sha256_expand(a.b[0], a.n[0], a.b[1], a.n[1], res, res_len);
    names[0] = "okm";
    break;
  case PRIM_HKDF:
    st = ce_hkdf_sha256(a.b[0], a.n[0], a.b[1], a.n[1], a.b[2], a.n[2], res,
                        res_len);
    names[0] = "okm";
    break;
  case PRIM_PBKDF2:
    st = ce_pbkdf2_sha256(a.b[0], a.n[0], a.b[1], a.n[1], (uint32_t)a.v[2], res,
                          res_len);
    names[0] = "dk";
    break;
  default:
    st = CE_ERR_INTERNAL; /* a table entry without a case */
  }
  st = ce_prim_ref_status(st);
  if (st != CE_OK)
    err = reject(s, ce_status_name(st), "%s refused", p->op);
  else if (answer_members(out, count, names, bufs, lens) != 0)
    err = reject(s, "INTERNAL", "out of memory");

done:
  ce_wipe(fixed, sizeof fixed);
  if (res != NULL) {
    ce_wipe(res, res_len);
    free(res);
  }
  prim_args_free(&a);
  return err;
}

/* Handles one request line and writes its one answer line. */
static void handle_line(ce1_session *s, ce_ctxcache *cache, const char *line,
                        size_t len, FILE *out) {
  ce_json *req = NULL;
  ce_json_error jerr;
  ce1_request r = {0};
  const char *err = NULL;
  uint8_t *buf = NULL;

  if (ce_json_parse(line, len, 0, &req, &jerr) != 0) {
    err = reject(s, "INVALID_ARGUMENT", "bad JSON: %s", jerr.msg);
    goto done;
  }
  if (ce_json_type_of(req) != CE_JSON_OBJECT) {
    err = reject(s, "INVALID_ARGUMENT", "request is a %s, not an object",
                 ce_json_type_name(ce_json_type_of(req)));
    goto done;
  }
  size_t op_len;
  const char *op = ce_json_string(ce_json_get(req, "op"), &op_len);
  if (op == NULL) {
    err = reject(s, "INVALID_ARGUMENT", "missing or non-string \"op\"");
    goto done;
  }
  enum { OP_PROTECT, OP_UNPROTECT, OP_DERIVE } kind;
  const prim_op *prim;
  if (op_len == 14 && memcmp(op, "sframe_protect", 14) == 0) {
    err = sframe_protect_op(s, req, out);
    goto done;
  } else if (op_len == 16 && memcmp(op, "sframe_unprotect", 16) == 0) {
    err = sframe_unprotect_op(s, req, out);
    goto done;
  } else if (op_len == 7 && memcmp(op, "protect", 7) == 0) {
    kind = OP_PROTECT;
  } else if (op_len == 9 && memcmp(op, "unprotect", 9) == 0) {
    kind = OP_UNPROTECT;
  } else if (op_len == 6 && memcmp(op, "derive", 6) == 0) {
    kind = OP_DERIVE;
  } else if (op_len == 12 && memcmp(op, "capabilities", 12) == 0) {
    err = capabilities_op(out);
    goto done;
  } else if ((prim = prim_find(op, op_len)) != NULL) {
    err = prim_run(s, prim, req, out);
    goto done;
  } else {
    err = reject(s, CE1_UNSUPPORTED_OP, "unknown op \"%.40s\"", op);
    goto done;
  }

  if ((err = common_fields(s, req, &r)) != NULL)
    goto done;

  if (kind == OP_DERIVE) {
    ce_derived d;
    ce_status st =
        ce_ctxcache_derive(cache, r.mode, r.key, r.key_len, r.salt, &d);
    if (st != CE_OK) {
      err = reject(s, ce_status_name(st), "derive refused");
      goto done;
    }
    char ek[2 * CE_MAX_KEY_BYTES + 1], iv[2 * CE_IV_BASE_LEN + 1], ck[3];
    ce_hex_encode(d.enc_key, d.enc_key_len, ek);
    ce_hex_encode(&d.check, 1, ck);
    if (d.has_iv_base) {
      ce_hex_encode(d.iv_base, CE_IV_BASE_LEN, iv);
      fprintf(out, "{\"enc_key\":\"%s\",\"iv_base\":\"%s\",\"check\":\"%s\"}\n",
              ek, iv, ck);
    } else {
      fprintf(out, "{\"enc_key\":\"%s\",\"iv_base\":null,\"check\":\"%s\"}\n",
              ek, ck);
    }
    ce_wipe(&d, sizeof d);
    ce_wipe(ek, sizeof ek);
    ce_wipe(iv, sizeof iv);
    goto done;
  }

  if (kind == OP_PROTECT) {
    if ((err = parse_pn(s, req, &r)) != NULL)
      goto done;
    if ((err = hex_field(s, req, "payload", &r.data, &r.data_len)) != NULL)
      goto done;
  } else {
    if ((err = hex_field(s, req, "frame", &r.data, &r.data_len)) != NULL)
      goto done;
  }

  ce_ctx *ctx;
  ce_status st = ce_ctxcache_get(cache, r.mode, r.key, r.key_len, r.salt, &ctx);
  if (st != CE_OK) {
    err = reject(s, ce_status_name(st), "configuration refused");
    goto done;
  }
  /* Output capacity: a frame adds at most CE_MAX_OVERHEAD bytes; a
     payload is never longer than its frame. The library reports
     TOO_LARGE itself for an oversized payload. */
  size_t cap = kind == OP_PROTECT ? r.data_len + CE_MAX_OVERHEAD : r.data_len;
  buf = malloc(cap ? cap : 1);
  if (buf == NULL) {
    err = reject(s, "INTERNAL", "out of memory");
    goto done;
  }
  size_t out_len = cap;
  st = kind == OP_PROTECT
           ? ce_testing_protect_pn_into(ctx, r.pn, r.data, r.data_len, buf,
                                        &out_len)
           : ce_unprotect_into(ctx, r.data, r.data_len, buf, &out_len);
  if (st != CE_OK) {
    err = reject(s, ce_status_name(st), "%s failed",
                 kind == OP_PROTECT ? "protect" : "unprotect");
    goto done;
  }
  if (answer_hex(out, kind == OP_PROTECT ? "frame" : "payload", buf, out_len) !=
      0)
    err = reject(s, "INTERNAL", "out of memory");

done:
  if (err != NULL)
    answer_error(out, err);
  free(buf);
  request_free(&r);
  ce_json_free(req);
}

#ifndef CE1_ADAPTER_NO_MAIN
static void usage(FILE *f) {
  fprintf(
      f,
      "usage: ce1-adapter [--verbose]\n"
      "\n"
      "CE1 conformance adapter over the chanenc reference\n"
      "(docs/conformance.md section 3). Reads one JSON object per line on\n"
      "standard input and answers each with one JSON object per line on\n"
      "standard output, in order. Exits 0 when standard input closes.\n"
      "\n"
      "Requests (HEX is a hex string, HEX16 exactly 16 hex digits):\n"
      "  {\"op\": \"protect\", \"mode\": 7, \"key\": HEX, \"salt\": HEX,\n"
      "   \"pn\": HEX16, \"payload\": HEX}          -> {\"frame\": HEX}\n"
      "  {\"op\": \"unprotect\", \"mode\": 7, \"key\": HEX, \"salt\": HEX,\n"
      "   \"frame\": HEX}                         -> {\"payload\": HEX}\n"
      "  {\"op\": \"derive\", \"mode\": 7, \"key\": HEX, \"salt\": HEX}\n"
      "     -> {\"enc_key\": HEX, \"iv_base\": HEX or null, \"check\": HEX}\n"
      "  {\"op\": \"sframe_protect\", \"suite\": 4, \"kid\": HEX16, \"ctr\": "
      "HEX16,\n"
      "   \"base_key\": HEX, \"metadata\": HEX, \"payload\": HEX} -> "
      "{\"frame\": HEX}\n"
      "  {\"op\": \"sframe_unprotect\", \"suite\": 4,\n"
      "   \"base_keys\": [{\"kid\": HEX16, \"base_key\": HEX}, ...],\n"
      "   \"replay_window\": 0, \"accepted\": [{\"frame\": HEX, \"metadata\": "
      "HEX}, ...],\n"
      "   \"metadata\": HEX, \"frame\": HEX}\n"
      "     -> {\"payload\": HEX, \"kid\": HEX16, \"ctr\": HEX16}\n"
      "  (SFrame, RFC 9605: docs/conformance.md section 7; KID and CTR are\n"
      "  16 hex digits, big-endian, like pn)\n"
      "  {\"op\": \"capabilities\"}  -> {\"ops\": [every op above and below]}\n"
      "\n"
      "Primitive requests (docs/conformance.md section 8, tools/ce1_prim.h;\n"
      "N an integer):\n"
      "  aes_ecb_encrypt, aes_ecb_decrypt, sm4_ecb_encrypt, sm4_ecb_decrypt:\n"
      "    {key, data} -> {data}\n"
      "  aes_xts_encrypt, aes_xts_decrypt: {key, tweak (16 bytes), data}\n"
      "    -> {data}\n"
      "  aes_gcm_seal: {key, iv, aad, plaintext, tag_len: N}\n"
      "    -> {ciphertext, tag}\n"
      "  aes_gcm_open: {key, iv, aad, ciphertext, tag, tag_len: N}\n"
      "    -> {plaintext}; a tag of another size than tag_len: AUTH_FAILED\n"
      "  hkdf_sha256_extract: {salt, ikm} -> {prk}\n"
      "  hkdf_sha256_expand: {prk, info, length: N} -> {okm}\n"
      "  hkdf_sha256: {salt, ikm, info, length: N} -> {okm}\n"
      "  pbkdf2_sha256: {password, salt, iterations: N, length: N} -> {dk}\n"
      "  Every member is required (\"\" for none); byte members are HEX.\n"
      "  Bounds: a byte member over 1,048,576 bytes is TOO_LARGE; tag_len\n"
      "  and length outside 0..1,048,576 and iterations outside\n"
      "  0..4,294,967,295 are INVALID_ARGUMENT, as is anything outside the\n"
      "  algorithm's domain (a key length it does not define, ECB data not a\n"
      "  multiple of 16, ...). NOT_SUPPORTED: valid but not offered here\n"
      "  (XTS with Key1 == Key2, a GCM IV over 128 bytes, SM4 without\n"
      "  OpenSSL's SM4, PBKDF2 iterations over 2^31-1).\n"
      "\n"
      "mode is the CE1 mode id (1..8), a JSON number written as an integer\n"
      "(7.0 and 7e0 are not). key is the key string's raw bytes in hex;\n"
      "salt must be 32 bytes (64 hex digits) in every mode, although only\n"
      "modes 7 and 8 use its value. pn is the big-endian packet number,\n"
      "used as is (ce_testing_protect_pn); ECB modes ignore it and accept\n"
      "it null or absent, but a pn that is present must be 16 hex digits\n"
      "in every mode. Input hex may be either case; output hex is lower\n"
      "case. Members an op does not use are ignored.\n"
      "\n"
      "Failures answer {\"error\": STATUS}: MALFORMED, BAD_VERSION,\n"
      "MODE_MISMATCH, KEY_MISMATCH, BAD_PADDING, AUTH_FAILED (unprotect,\n"
      "docs/spec.md section 9), TOO_LARGE, NOT_SUPPORTED, INVALID_ARGUMENT\n"
      "(a refused configuration, or a malformed request: bad JSON, a\n"
      "missing or mistyped field, a mode that is not an integer, bad hex, a\n"
      "salt that is not 32 bytes, a pn that is not 16 hex digits),\n"
      "UNSUPPORTED_OP (unknown op) or INTERNAL (the library failed). When\n"
      "several apply, the first of: request, configuration (INVALID_ARGUMENT\n"
      "before NOT_SUPPORTED), size or frame (docs/spec.md section 10.1).\n"
      "Every input line gets exactly one answer line.\n"
      "\n"
      "Contexts are cached per (mode, key, salt) in a small LRU, so\n"
      "repeated GCM2 requests derive their keys once.\n"
      "\n"
      "  --verbose, -v  explain each error answer on standard error\n"
      "  --help, -h     show this help\n"
      "  --version      show the library version\n");
}

int main(int argc, char **argv) {
  ce1_session s = {0, 0};
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      usage(stdout);
      return 0;
    }
    if (strcmp(argv[i], "--version") == 0) {
      printf("ce1-adapter (%s)\n", ce_version());
      return 0;
    }
    if (strcmp(argv[i], "--verbose") == 0 || strcmp(argv[i], "-v") == 0) {
      s.verbose = 1;
      continue;
    }
    fprintf(stderr, "ce1-adapter: unknown argument '%s'\n", argv[i]);
    usage(stderr);
    return 2;
  }

  /* The one piece of mutable state that outlives a request. */
  ce_ctxcache cache;
  memset(&cache, 0, sizeof cache);

  /* getline grows its buffer to any line length: a 65,535-byte payload is
     a 131 KB line, and nothing may be silently truncated. */
  char *line = NULL;
  size_t line_cap = 0;
  ssize_t n;
  int rc = 0;
  while ((n = getline(&line, &line_cap, stdin)) != -1) {
    s.line_no++;
    size_t len = (size_t)n;
    if (len > 0 && line[len - 1] == '\n')
      len--;
    handle_line(&s, &cache, line, len, stdout);
    if (fflush(stdout) != 0 || ferror(stdout)) {
      fprintf(stderr, "ce1-adapter: cannot write the answer\n");
      rc = 1;
      break;
    }
  }
  if (rc == 0 && ferror(stdin)) {
    fprintf(stderr, "ce1-adapter: read error on standard input\n");
    rc = 1;
  }
  free(line);
  ce_ctxcache_clear(&cache);
  return rc;
}
#endif /* CE1_ADAPTER_NO_MAIN */
