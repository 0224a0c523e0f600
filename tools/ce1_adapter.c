/*
 * ce1-adapter - the JSON-lines process adapter of docs/conformance.md
 * section 3 over the chanenc reference implementation.
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
