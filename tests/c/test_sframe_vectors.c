/*
 * test_sframe_vectors.c - runs the project's own SFrame vectors
 * (CE_VECTORS_DIR/sframe/<suite>.json, format sframe-vectors/1, written by
 * vectors/gen/gen_sframe_vectors.py, an implementation independent of the
 * C code; docs/sframe.md 10 and vectors/README.md describe the format).
 *
 * Per group: one send context (the keys of usage "both" and "send", as
 * CE_SFRAME_SEND) and two receive contexts (the keys of usage "both" and
 * "receive", as CE_SFRAME_RECEIVE, with the group's replay window). Every
 * key's derivation is compared with ce_sframe_derive. The cases run in file
 * order, since the replay state depends on it: every unprotect case runs in
 * place on the first receive context and out of place on the second, so
 * each context sees the whole sequence once.
 *
 * protect cases: ce_testing_sframe_protect_ctr (in place) and
 * ce_testing_sframe_protect_ctr_into (out of place), capacity exactly the
 * frame, must give exactly the frame (and one byte less BUFFER_TOO_SMALL),
 * or the status, with nothing the caller owns touched.
 * unprotect cases: the payload, KID and CTR, or the status, with the
 * buffer, length and KID/CTR outputs (and slack after the buffers, filled
 * with a sentinel) untouched on failure. For an authentic frame with a
 * payload, the out-of-place call first gets one byte too little capacity:
 * BUFFER_TOO_SMALL, which must not record the CTR (docs/sframe.md 7.3).
 *
 * The number of files, groups, cases and cases per status of every file is
 * asserted, so a shrunken file or a parser dropping cases fails.
 */
#define _POSIX_C_SOURCE 200809L

#include "ce_test.h"
#include "ce_testbuf.h"

#include "ce_hex.h"
#include "ce_json.h"
#include "chanenc.h"
#include "chanenc_sframe.h"
#include "chanenc_sframe_testing.h"

#include <glob.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KID_SENTINEL UINT64_C(0xa5a5a5a5a5a5a5a5)

/* Per-file counts, as vectors/README.md lists them (--check of the
   generator is the authority on the bytes; this is the authority on what
   the C test must have run). */
typedef struct {
  const char *file;
  int suite;
  size_t groups, protect, unprotect;
  size_t ok, malformed, unknown_kid, replayed, auth_failed;
} expect_row;

static const expect_row EXPECT[] = {
    {"sframe-aes-128-ctr-hmac-sha256-32.json", 3, 4, 89, 453, 160, 248, 34, 39,
     61},
    {"sframe-aes-128-ctr-hmac-sha256-64.json", 2, 4, 89, 469, 160, 260, 34, 39,
     65},
    {"sframe-aes-128-ctr-hmac-sha256-80.json", 1, 4, 89, 477, 160, 266, 34, 39,
     67},
    {"sframe-aes-128-gcm-sha256-128.json", 4, 4, 89, 501, 160, 284, 34, 39, 73},
    {"sframe-aes-256-ctr-hmac-sha512-32.json", 8, 4, 89, 453, 160, 248, 34, 39,
     61},
    {"sframe-aes-256-ctr-hmac-sha512-64.json", 7, 4, 89, 469, 160, 260, 34, 39,
     65},
    {"sframe-aes-256-ctr-hmac-sha512-80.json", 6, 4, 89, 477, 160, 266, 34, 39,
     67},
    {"sframe-aes-256-gcm-sha512-128.json", 5, 4, 89, 501, 160, 284, 34, 39, 73},
};
#define N_EXPECT (sizeof EXPECT / sizeof EXPECT[0])

typedef struct {
  size_t groups, protect, unprotect;
  size_t ok, malformed, unknown_kid, replayed, auth_failed, other;
} counts;

static const char *base_name(const char *path) {
  const char *s = strrchr(path, '/');
  return s ? s + 1 : path;
}

static char *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    return NULL;
  size_t cap = 1 << 16, n = 0;
  char *buf = (char *)xalloc(cap);
  for (;;) {
    if (n == cap) {
      cap *= 2;
      char *nb = realloc(buf, cap);
      if (nb == NULL) {
        free(buf);
        fclose(f);
        return NULL;
      }
      buf = nb;
    }
    size_t r = fread(buf + n, 1, cap - n, f);
    if (r == 0)
      break;
    n += r;
  }
  fclose(f);
  *len = n;
  return buf;
}

/* An unsigned 64-bit integer from a JSON number's text, exactly (values up
   to 2^64-1 do not fit a double or an int64). */
static int get_u64(const ce_json *obj, const char *name, uint64_t *out) {
  const char *t = ce_json_number_text(ce_json_get(obj, name));
  if (t == NULL || *t == '\0')
    return 0;
  uint64_t v = 0;
  for (const char *p = t; *p; p++) {
    if (*p < '0' || *p > '9')
      return 0;
    unsigned d = (unsigned)(*p - '0');
    if (v > (UINT64_MAX - d) / 10)
      return 0;
    v = v * 10 + d;
  }
  *out = v;
  return 1;
}

typedef struct {
  uint8_t *p;
  size_t n;
  int ok;
} bytes;

/* Lower-case hex member, decoded (p is never NULL when ok). */
static bytes get_hex(const ce_json *obj, const char *name) {
  bytes b = {NULL, 0, 0};
  size_t len = 0;
  const char *s = ce_json_string(ce_json_get(obj, name), &len);
  if (s == NULL)
    return b;
  if (ce_hex_decode_alloc(s, len, CE_HEX_LOWER_ONLY, &b.p, &b.n, NULL) !=
      CE_HEX_OK)
    return b;
  b.ok = 1;
  return b;
}

static const char *get_str(const ce_json *obj, const char *name) {
  return ce_json_string(ce_json_get(obj, name), NULL);
}

typedef struct {
  const char *file;
  int64_t id;
  const char *comment;
} where;

#define AT(w) (w)->file, (long long)(w)->id, (w)->comment

static void run_protect(const where *w, const ce_json *c, ce_sframe_ctx *tx,
                        int want) {
  uint64_t kid = 0, ctr = 0;
  CE_CHECK(get_u64(c, "kid", &kid) && get_u64(c, "ctr", &ctr),
           "%s id %lld (%s): kid/ctr", AT(w));
  bytes md = get_hex(c, "metadata"), pt = get_hex(c, "payload");
  bytes fr = {NULL, 0, 1};
  if (want == CE_OK)
    fr = get_hex(c, "frame");
  CE_CHECK(md.ok && pt.ok && fr.ok, "%s id %lld (%s): hex fields", AT(w));
  if (!(md.ok && pt.ok && fr.ok))
    goto out;
  const uint8_t *mdp = md.n ? md.p : NULL;

  if (want == CE_OK) {
    size_t flen = fr.n;
    CE_CHECK(flen ==
                 pt.n + ce_sframe_overhead(ce_sframe_ctx_suite(tx), kid, ctr),
             "%s id %lld (%s): frame length %zu is not payload + overhead",
             AT(w), flen);
    /* In place, capacity exactly the frame. */
    uint8_t *buf = sentinel_buf(pt.p, pt.n, flen);
    size_t len = pt.n;
    CE_CHECK_STATUS(
        ce_testing_sframe_protect_ctr(tx, kid, ctr, mdp, md.n, buf, &len, flen),
        CE_OK, "%s id %lld (%s): protect_ctr in place", AT(w));
    CE_CHECK(len == flen && memcmp(buf, fr.p, flen) == 0,
             "%s id %lld (%s): protect_ctr in place: frame differs", AT(w));
    CE_CHECK(all_sentinel(buf + flen, SLACK),
             "%s id %lld (%s): protect_ctr wrote past the capacity", AT(w));
    free(buf);
    /* One byte short. */
    buf = sentinel_buf(pt.p, pt.n, flen);
    len = pt.n;
    CE_CHECK_STATUS(ce_testing_sframe_protect_ctr(tx, kid, ctr, mdp, md.n, buf,
                                                  &len, flen - 1),
                    CE_ERR_BUFFER_TOO_SMALL,
                    "%s id %lld (%s): protect_ctr, capacity frame - 1", AT(w));
    CE_CHECK(len == pt.n && memcmp(buf, pt.p, pt.n) == 0 &&
                 all_sentinel(buf + pt.n, flen - pt.n + SLACK),
             "%s id %lld (%s): protect_ctr changed the buffer on failure",
             AT(w));
    free(buf);
    /* Out of place. */
    uint8_t *in = sentinel_buf(pt.p, pt.n, pt.n);
    uint8_t *out = sentinel_buf(NULL, 0, flen);
    size_t out_len = flen;
    CE_CHECK_STATUS(ce_testing_sframe_protect_ctr_into(tx, kid, ctr, mdp, md.n,
                                                       in, pt.n, out, &out_len),
                    CE_OK, "%s id %lld (%s): protect_ctr_into", AT(w));
    CE_CHECK(out_len == flen && memcmp(out, fr.p, flen) == 0,
             "%s id %lld (%s): protect_ctr_into: frame differs", AT(w));
    CE_CHECK(all_sentinel(out + flen, SLACK),
             "%s id %lld (%s): protect_ctr_into wrote past the capacity",
             AT(w));
    CE_CHECK(memcmp(in, pt.p, pt.n) == 0 && all_sentinel(in + pt.n, SLACK),
             "%s id %lld (%s): protect_ctr_into changed its input", AT(w));
    free(in);
    free(out);
  } else {
    size_t cap = pt.n + CE_SFRAME_MAX_OVERHEAD;
    uint8_t *buf = sentinel_buf(pt.p, pt.n, cap);
    uint8_t *snap = sentinel_buf(pt.p, pt.n, cap);
    size_t len = pt.n;
    CE_CHECK_STATUS(
        ce_testing_sframe_protect_ctr(tx, kid, ctr, mdp, md.n, buf, &len, cap),
        want, "%s id %lld (%s): protect_ctr in place", AT(w));
    CE_CHECK(len == pt.n && memcmp(buf, snap, cap + SLACK) == 0,
             "%s id %lld (%s): protect_ctr changed the buffer on failure",
             AT(w));
    uint8_t *out = sentinel_buf(NULL, 0, cap);
    size_t out_len = cap;
    CE_CHECK_STATUS(ce_testing_sframe_protect_ctr_into(
                        tx, kid, ctr, mdp, md.n, buf, pt.n, out, &out_len),
                    want, "%s id %lld (%s): protect_ctr_into", AT(w));
    CE_CHECK(out_len == cap && all_sentinel(out, cap + SLACK),
             "%s id %lld (%s): protect_ctr_into wrote on failure", AT(w));
    free(buf);
    free(snap);
    free(out);
  }
out:
  free(md.p);
  free(pt.p);
  if (want == CE_OK)
    free(fr.p);
}

static void run_unprotect(const where *w, const ce_json *c, ce_sframe_ctx *rx1,
                          ce_sframe_ctx *rx2, int want) {
  bytes fr = get_hex(c, "frame"), md = get_hex(c, "metadata");
  bytes pt = {NULL, 0, 1};
  uint64_t wkid = 0, wctr = 0;
  if (want == CE_OK) {
    pt = get_hex(c, "payload");
    CE_CHECK(get_u64(c, "kid", &wkid) && get_u64(c, "ctr", &wctr),
             "%s id %lld (%s): kid/ctr", AT(w));
  }
  CE_CHECK(fr.ok && md.ok && pt.ok, "%s id %lld (%s): hex fields", AT(w));
  if (!(fr.ok && md.ok && pt.ok))
    goto out;
  const uint8_t *mdp = md.n ? md.p : NULL;
  const size_t flen = fr.n;

  /* In place, on the first receive context. */
  uint8_t *buf = sentinel_buf(fr.p, flen, flen);
  size_t len = flen;
  uint64_t kid = KID_SENTINEL, ctr = KID_SENTINEL;
  CE_CHECK_STATUS(ce_sframe_unprotect(rx1, mdp, md.n, buf, &len, &kid, &ctr),
                  want, "%s id %lld (%s): unprotect in place", AT(w));
  if (want == CE_OK) {
    CE_CHECK(len == pt.n && memcmp(buf, pt.p, pt.n) == 0,
             "%s id %lld (%s): unprotect in place: payload differs", AT(w));
    CE_CHECK(kid == wkid && ctr == wctr,
             "%s id %lld (%s): unprotect in place: KID/CTR differ", AT(w));
    CE_CHECK(all_sentinel(buf + flen, SLACK),
             "%s id %lld (%s): unprotect wrote past the frame", AT(w));
  } else {
    CE_CHECK(len == flen && memcmp(buf, fr.p, flen) == 0 &&
                 all_sentinel(buf + flen, SLACK),
             "%s id %lld (%s): unprotect changed the buffer or length on "
             "failure",
             AT(w));
    CE_CHECK(kid == KID_SENTINEL && ctr == KID_SENTINEL,
             "%s id %lld (%s): unprotect wrote KID/CTR on failure", AT(w));
  }
  free(buf);

  /* Out of place, on the second receive context. */
  uint8_t *in = sentinel_buf(fr.p, flen, flen);
  kid = ctr = KID_SENTINEL;
  if (want == CE_OK) {
    uint8_t *out = sentinel_buf(NULL, 0, pt.n);
    size_t out_len;
    if (pt.n > 0) {
      out_len = pt.n - 1;
      CE_CHECK_STATUS(ce_sframe_unprotect_into(rx2, mdp, md.n, in, flen, out,
                                               &out_len, &kid, &ctr),
                      CE_ERR_BUFFER_TOO_SMALL,
                      "%s id %lld (%s): unprotect_into, capacity payload - 1",
                      AT(w));
      CE_CHECK(out_len == pt.n - 1 && all_sentinel(out, pt.n + SLACK) &&
                   kid == KID_SENTINEL && ctr == KID_SENTINEL,
               "%s id %lld (%s): unprotect_into wrote on BUFFER_TOO_SMALL",
               AT(w));
    }
    out_len = pt.n;
    CE_CHECK_STATUS(ce_sframe_unprotect_into(rx2, mdp, md.n, in, flen, out,
                                             &out_len, &kid, &ctr),
                    CE_OK, "%s id %lld (%s): unprotect_into", AT(w));
    CE_CHECK(out_len == pt.n && memcmp(out, pt.p, pt.n) == 0,
             "%s id %lld (%s): unprotect_into: payload differs", AT(w));
    CE_CHECK(kid == wkid && ctr == wctr,
             "%s id %lld (%s): unprotect_into: KID/CTR differ", AT(w));
    CE_CHECK(all_sentinel(out + pt.n, SLACK),
             "%s id %lld (%s): unprotect_into wrote past the capacity", AT(w));
    free(out);
  } else {
    size_t cap = flen + SLACK;
    uint8_t *out = sentinel_buf(NULL, 0, cap);
    size_t out_len = cap;
    CE_CHECK_STATUS(ce_sframe_unprotect_into(rx2, mdp, md.n, in, flen, out,
                                             &out_len, &kid, &ctr),
                    want, "%s id %lld (%s): unprotect_into", AT(w));
    CE_CHECK(out_len == cap && all_sentinel(out, cap + SLACK) &&
                 kid == KID_SENTINEL && ctr == KID_SENTINEL,
             "%s id %lld (%s): unprotect_into wrote on failure", AT(w));
    free(out);
  }
  CE_CHECK(memcmp(in, fr.p, flen) == 0 && all_sentinel(in + flen, SLACK),
           "%s id %lld (%s): unprotect_into changed its input", AT(w));
  free(in);
out:
  free(fr.p);
  free(md.p);
  if (want == CE_OK)
    free(pt.p);
}

static void count_status(counts *n, int st) {
  switch (st) {
  case CE_OK:
    n->ok++;
    break;
  case CE_ERR_MALFORMED:
    n->malformed++;
    break;
  case CE_ERR_UNKNOWN_KID:
    n->unknown_kid++;
    break;
  case CE_ERR_REPLAYED:
    n->replayed++;
    break;
  case CE_ERR_AUTH_FAILED:
    n->auth_failed++;
    break;
  default:
    n->other++;
  }
}

static void run_group(const char *file, size_t gi, int suite, const ce_json *g,
                      counts *n, int64_t *next_id) {
  uint64_t window = 0;
  CE_CHECK(get_u64(g, "replay_window", &window) &&
               window <= CE_SFRAME_MAX_REPLAY_WINDOW,
           "%s group %zu: replay_window", file, gi);
  ce_sframe_ctx *tx = NULL, *rx1 = NULL, *rx2 = NULL;
  CE_CHECK_STATUS(ce_sframe_ctx_new(suite, &tx), CE_OK, "%s group %zu: tx",
                  file, gi);
  CE_CHECK_STATUS(ce_sframe_ctx_new(suite, &rx1), CE_OK, "%s group %zu: rx1",
                  file, gi);
  CE_CHECK_STATUS(ce_sframe_ctx_new(suite, &rx2), CE_OK, "%s group %zu: rx2",
                  file, gi);
  if (tx == NULL || rx1 == NULL || rx2 == NULL)
    goto out;
  CE_CHECK_STATUS(ce_sframe_set_replay_window(rx1, (size_t)window), CE_OK,
                  "%s group %zu: window", file, gi);
  CE_CHECK_STATUS(ce_sframe_set_replay_window(rx2, (size_t)window), CE_OK,
                  "%s group %zu: window", file, gi);

  const ce_json *keys = ce_json_get(g, "keys");
  CE_CHECK(ce_json_type_of(keys) == CE_JSON_ARRAY && ce_json_size(keys) > 0,
           "%s group %zu: keys", file, gi);
  for (size_t i = 0; i < ce_json_size(keys); i++) {
    const ce_json *k = ce_json_at(keys, i);
    uint64_t kid = 0;
    const char *usage = get_str(k, "usage");
    bytes base = get_hex(k, "base_key"), key = get_hex(k, "sframe_key"),
          salt = get_hex(k, "sframe_salt");
    int ok = get_u64(k, "kid", &kid) && usage != NULL && base.ok && key.ok &&
             salt.ok;
    CE_CHECK(ok, "%s group %zu key %zu: fields", file, gi, i);
    if (ok) {
      ce_sframe_derived d;
      CE_CHECK_STATUS(ce_sframe_derive(suite, kid, base.p, base.n, &d), CE_OK,
                      "%s group %zu key %zu: derive", file, gi, i);
      CE_CHECK(d.key_len == key.n && memcmp(d.key, key.p, key.n) == 0 &&
                   d.salt_len == salt.n && memcmp(d.salt, salt.p, salt.n) == 0,
               "%s group %zu key %zu (KID %llu): derived key or salt differs",
               file, gi, i, (unsigned long long)kid);
      ce_wipe(&d, sizeof d);
      int send = strcmp(usage, "both") == 0 || strcmp(usage, "send") == 0;
      int recv = strcmp(usage, "both") == 0 || strcmp(usage, "receive") == 0;
      CE_CHECK(send || recv, "%s group %zu key %zu: usage %s", file, gi, i,
               usage);
      if (send)
        CE_CHECK_STATUS(
            ce_sframe_add_key(tx, kid, CE_SFRAME_SEND, base.p, base.n), CE_OK,
            "%s group %zu key %zu: add send key", file, gi, i);
      if (recv) {
        CE_CHECK_STATUS(
            ce_sframe_add_key(rx1, kid, CE_SFRAME_RECEIVE, base.p, base.n),
            CE_OK, "%s group %zu key %zu: add receive key", file, gi, i);
        CE_CHECK_STATUS(
            ce_sframe_add_key(rx2, kid, CE_SFRAME_RECEIVE, base.p, base.n),
            CE_OK, "%s group %zu key %zu: add receive key", file, gi, i);
      }
    }
    free(base.p);
    free(key.p);
    free(salt.p);
  }

  const ce_json *cases = ce_json_get(g, "cases");
  CE_CHECK(ce_json_type_of(cases) == CE_JSON_ARRAY && ce_json_size(cases) > 0,
           "%s group %zu: cases", file, gi);
  for (size_t i = 0; i < ce_json_size(cases); i++) {
    const ce_json *c = ce_json_at(cases, i);
    where w = {file, -1, get_str(c, "comment")};
    if (w.comment == NULL)
      w.comment = "?";
    CE_CHECK(ce_json_int64(ce_json_get(c, "id"), &w.id) && w.id == *next_id,
             "%s group %zu case %zu: id %lld, want %lld", file, gi, i,
             (long long)w.id, (long long)*next_id);
    (*next_id)++;
    const char *op = get_str(c, "op");
    const char *status = get_str(c, "status");
    int want = 0;
    if (op == NULL || status == NULL || !ce_status_from_name(status, &want)) {
      CE_CHECK(0, "%s id %lld (%s): op or status missing or unknown", AT(&w));
      continue;
    }
    count_status(n, want);
    if (strcmp(op, "protect") == 0) {
      n->protect++;
      run_protect(&w, c, tx, want);
    } else if (strcmp(op, "unprotect") == 0) {
      n->unprotect++;
      run_unprotect(&w, c, rx1, rx2, want);
    } else {
      CE_CHECK(0, "%s id %lld (%s): op %s", AT(&w), op);
    }
  }
out:
  ce_sframe_ctx_free(tx);
  ce_sframe_ctx_free(rx1);
  ce_sframe_ctx_free(rx2);
}

static void run_file(const char *path, size_t *total) {
  const char *file = base_name(path);
  const expect_row *e = NULL;
  for (size_t i = 0; i < N_EXPECT; i++)
    if (strcmp(EXPECT[i].file, file) == 0)
      e = &EXPECT[i];
  CE_CHECK(e != NULL, "%s: not a file this test knows (update EXPECT)", file);
  size_t len = 0;
  char *text = read_all(path, &len);
  CE_CHECK(text != NULL, "cannot read %s", path);
  if (text == NULL)
    return;
  ce_json *root = NULL;
  ce_json_error err;
  int rc = ce_json_parse(text, len, 0, &root, &err);
  free(text);
  CE_CHECK(rc == 0, "%s: %s", file, err.msg);
  if (rc != 0)
    return;
  const char *fmt = get_str(root, "format");
  CE_CHECK(fmt != NULL && strcmp(fmt, "sframe-vectors/1") == 0, "%s: format %s",
           file, fmt ? fmt : "(none)");
  int64_t suite = 0;
  CE_CHECK(ce_json_int64(ce_json_get(root, "suite"), &suite), "%s: suite",
           file);
  const ce_sframe_suite_info *info = ce_sframe_suite_get((int)suite);
  const char *sname = get_str(root, "suite_name");
  CE_CHECK(info != NULL && sname != NULL && strcmp(info->name, sname) == 0,
           "%s: suite %lld is not %s", file, (long long)suite,
           sname ? sname : "(none)");
  if (e != NULL)
    CE_CHECK(suite == e->suite, "%s: suite %lld, want %d", file,
             (long long)suite, e->suite);
  if (info == NULL) {
    ce_json_free(root);
    return;
  }
  const ce_json *groups = ce_json_get(root, "groups");
  counts n;
  memset(&n, 0, sizeof n);
  int64_t next_id = 1;
  for (size_t gi = 0; gi < ce_json_size(groups); gi++) {
    n.groups++;
    run_group(file, gi, (int)suite, ce_json_at(groups, gi), &n, &next_id);
  }
  printf("%s: %zu groups, %zu protect, %zu unprotect (OK %zu, MALFORMED %zu, "
         "UNKNOWN_KID %zu, REPLAYED %zu, AUTH_FAILED %zu, other %zu)\n",
         file, n.groups, n.protect, n.unprotect, n.ok, n.malformed,
         n.unknown_kid, n.replayed, n.auth_failed, n.other);
  if (e != NULL) {
    CE_CHECK(n.groups == e->groups && n.protect == e->protect &&
                 n.unprotect == e->unprotect,
             "%s: %zu groups, %zu protect, %zu unprotect; want %zu, %zu, %zu",
             file, n.groups, n.protect, n.unprotect, e->groups, e->protect,
             e->unprotect);
    CE_CHECK(n.ok == e->ok && n.malformed == e->malformed &&
                 n.unknown_kid == e->unknown_kid && n.replayed == e->replayed &&
                 n.auth_failed == e->auth_failed && n.other == 0,
             "%s: status counts differ from the expected ones", file);
  }
  *total += n.protect + n.unprotect;
  ce_json_free(root);
}

int main(void) {
  const char *dir = getenv("CE_VECTORS_DIR");
  if (dir == NULL || *dir == '\0') {
    fprintf(stderr, "CE_VECTORS_DIR is not set\n");
    return 1;
  }
  char pattern[4096];
  int k = snprintf(pattern, sizeof pattern, "%s/sframe/*.json", dir);
  if (k < 0 || (size_t)k >= sizeof pattern) {
    fprintf(stderr, "CE_VECTORS_DIR too long\n");
    return 1;
  }
  glob_t gl;
  int grc = glob(pattern, 0, NULL, &gl); /* sorted */
  CE_CHECK(grc == 0 && gl.gl_pathc == N_EXPECT, "%s: %zu files, want %zu",
           pattern, grc == 0 ? (size_t)gl.gl_pathc : (size_t)0,
           (size_t)N_EXPECT);
  size_t total = 0;
  for (size_t i = 0; grc == 0 && i < gl.gl_pathc; i++)
    run_file(gl.gl_pathv[i], &total);
  if (grc == 0)
    globfree(&gl);
  printf("%zu SFrame vector cases run\n", total);
  CE_CHECK(total > 0, "no vector cases were run");
  return ce_test_finish("test_sframe_vectors");
}
