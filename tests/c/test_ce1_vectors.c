/*
 * test_ce1_vectors.c - runs every CE1 frame vector file
 * (CE_VECTORS_DIR/ce1/<name>.json, format ce1-vectors/1) through the reference.
 *
 * Per group: refusal groups must be refused with exactly config_status;
 * other groups must derive exactly "derived". Per valid test: protect in
 * place and out of place gives exactly the frame (with the capacity exactly
 * the frame length, and one byte less giving BUFFER_TOO_SMALL with nothing
 * touched); unprotect in place and out of place gives exactly the payload.
 * Per invalid test: both unprotect forms fail with exactly the status and
 * leave every byte the caller owns - slack capacity included, filled with a
 * sentinel - and the length as they were (spec 9, chanenc.h).
 *
 * The GCM and SM4_128_ECB groups run once per cipher backend built in
 * and usable here (OpenSSL; intel-ipsec-mb for GCM, sm4-simd for SM4;
 * chanenc.h "Cipher backends"), each with a context that names that
 * backend: every backend must make and accept exactly the vectors'
 * frames.
 */
#define _POSIX_C_SOURCE 200809L

#include "ce_test.h"
#include "ce_testbuf.h"
#include "ce_vecfile.h"
#include "chanenc.h"
#include "chanenc_testing.h"

#include <glob.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  const char *file; /* base name, for messages */
  const ce_vec_group *g;
  const ce_vec_test *t;
} where;

#define AT(w) (w)->file, (long long)(w)->t->id, (w)->t->comment

static const char *base_name(const char *path) {
  const char *s = strrchr(path, '/');
  return s ? s + 1 : path;
}

/* malloc that never returns NULL to the tests: a failed allocation is a
   failed run, not a crash. */

static void check_valid(const where *w, ce_ctx *ctx) {
  const ce_vec_test *t = w->t;
  int mode = w->g->mode;
  const size_t plen = t->payload_len, flen = t->frame_len;
  ce_family fam = ce_mode_family(mode);

  /* Vector self-consistency (conformance.md 2.4): ECB has no PN, the others
     need one, and the frame length follows spec 8. */
  if (fam == CE_FAMILY_ECB)
    CE_CHECK(!t->has_pn, "%s id %lld (%s): ECB test with a pn", AT(w));
  else
    CE_CHECK(t->has_pn, "%s id %lld (%s): pn is null", AT(w));
  CE_CHECK(flen == plen + ce_overhead(mode, plen),
           "%s id %lld (%s): frame is %zu bytes, payload %zu + overhead %zu",
           AT(w), flen, plen, ce_overhead(mode, plen));
  if (flen == 0 || flen < plen)
    return; /* nothing below can be meaningful */
  /* ECB ignores the PN: any value must give the same frame. */
  uint64_t pn = t->has_pn ? t->pn : UINT64_C(0x0123456789abcdef);
  uint64_t next_before = ce_ctx_next_pn(ctx);

  /* ce_testing_protect_pn in place, capacity exactly the frame length. */
  uint8_t *buf = sentinel_buf(t->payload, plen, flen);
  size_t len = plen;
  CE_CHECK_STATUS(ce_testing_protect_pn(ctx, pn, buf, &len, flen), CE_OK,
                  "%s id %lld (%s): protect_pn in place", AT(w));
  CE_CHECK(len == flen, "%s id %lld (%s): protect_pn length %zu, want %zu",
           AT(w), len, flen);
  CE_CHECK_MEM(buf, t->frame, flen, "%s id %lld (%s): protect_pn frame", AT(w));
  CE_CHECK(all_sentinel(buf + flen, SLACK),
           "%s id %lld (%s): protect_pn wrote past the capacity", AT(w));
  free(buf);

  /* One byte short: BUFFER_TOO_SMALL, buffer and length untouched. */
  buf = sentinel_buf(t->payload, plen, flen);
  uint8_t *snap = sentinel_buf(t->payload, plen, flen);
  len = plen;
  CE_CHECK_STATUS(ce_testing_protect_pn(ctx, pn, buf, &len, flen - 1),
                  CE_ERR_BUFFER_TOO_SMALL,
                  "%s id %lld (%s): protect_pn with capacity frame - 1", AT(w));
  CE_CHECK(len == plen, "%s id %lld (%s): length changed on failure", AT(w));
  CE_CHECK_MEM(buf, snap, flen + SLACK,
               "%s id %lld (%s): buffer changed on BUFFER_TOO_SMALL", AT(w));
  free(buf);
  free(snap);

  if (fam == CE_FAMILY_ECB) {
    buf = sentinel_buf(t->payload, plen, flen);
    len = plen;
    CE_CHECK_STATUS(ce_testing_protect_pn(ctx, ~pn, buf, &len, flen), CE_OK,
                    "%s id %lld (%s): ECB protect_pn, other pn", AT(w));
    CE_CHECK(len == flen && memcmp(buf, t->frame, flen) == 0,
             "%s id %lld (%s): ECB frame depends on the pn", AT(w));
    free(buf);
  }

  /* ce_testing_protect_pn_into, out of place, capacity exactly the frame. */
  uint8_t *in = sentinel_buf(t->payload, plen, plen);
  uint8_t *in_snap = sentinel_buf(t->payload, plen, plen);
  uint8_t *out = sentinel_buf(NULL, 0, flen);
  size_t out_len = flen;
  CE_CHECK_STATUS(ce_testing_protect_pn_into(ctx, pn, in, plen, out, &out_len),
                  CE_OK, "%s id %lld (%s): protect_pn_into", AT(w));
  CE_CHECK(out_len == flen,
           "%s id %lld (%s): protect_pn_into length %zu, want %zu", AT(w),
           out_len, flen);
  CE_CHECK_MEM(out, t->frame, flen, "%s id %lld (%s): protect_pn_into frame",
               AT(w));
  CE_CHECK(all_sentinel(out + flen, SLACK),
           "%s id %lld (%s): protect_pn_into wrote past the capacity", AT(w));
  CE_CHECK_MEM(in, in_snap, plen + SLACK,
               "%s id %lld (%s): protect_pn_into changed its input", AT(w));
  free(out);

  /* ... and one byte short. */
  out = sentinel_buf(NULL, 0, flen);
  out_len = flen - 1;
  CE_CHECK_STATUS(ce_testing_protect_pn_into(ctx, pn, in, plen, out, &out_len),
                  CE_ERR_BUFFER_TOO_SMALL,
                  "%s id %lld (%s): protect_pn_into, capacity frame - 1",
                  AT(w));
  CE_CHECK(out_len == flen - 1,
           "%s id %lld (%s): protect_pn_into changed out_len on failure",
           AT(w));
  CE_CHECK(all_sentinel(out, flen + SLACK),
           "%s id %lld (%s): protect_pn_into wrote on BUFFER_TOO_SMALL", AT(w));
  free(out);
  free(in);
  free(in_snap);

  /* The explicit-PN forms must not touch the context's own counter. */
  CE_CHECK(ce_ctx_next_pn(ctx) == next_before,
           "%s id %lld (%s): protect_pn moved the context's packet number",
           AT(w));

  /* ce_unprotect in place. */
  buf = sentinel_buf(t->frame, flen, flen);
  len = flen;
  CE_CHECK_STATUS(ce_unprotect(ctx, buf, &len), CE_OK,
                  "%s id %lld (%s): unprotect in place", AT(w));
  CE_CHECK(len == plen, "%s id %lld (%s): unprotect length %zu, want %zu",
           AT(w), len, plen);
  if (len == plen)
    CE_CHECK_MEM(buf, t->payload, plen, "%s id %lld (%s): unprotect payload",
                 AT(w));
  CE_CHECK(all_sentinel(buf + flen, SLACK),
           "%s id %lld (%s): unprotect wrote past the frame", AT(w));
  free(buf);

  /* ce_unprotect_into, out of place, capacity exactly the payload. */
  in = sentinel_buf(t->frame, flen, flen);
  in_snap = sentinel_buf(t->frame, flen, flen);
  out = sentinel_buf(NULL, 0, plen);
  out_len = plen;
  CE_CHECK_STATUS(ce_unprotect_into(ctx, in, flen, out, &out_len), CE_OK,
                  "%s id %lld (%s): unprotect_into", AT(w));
  CE_CHECK(out_len == plen,
           "%s id %lld (%s): unprotect_into length %zu, want %zu", AT(w),
           out_len, plen);
  CE_CHECK_MEM(out, t->payload, plen, "%s id %lld (%s): unprotect_into payload",
               AT(w));
  CE_CHECK(all_sentinel(out + plen, SLACK),
           "%s id %lld (%s): unprotect_into wrote past the capacity", AT(w));
  CE_CHECK_MEM(in, in_snap, flen + SLACK,
               "%s id %lld (%s): unprotect_into changed its input", AT(w));
  free(out);

  /* A capacity below the payload fails without writing (chanenc.h:
     "nothing is written to out unless CE_OK is returned"). */
  if (plen > 0) {
    out = sentinel_buf(NULL, 0, plen);
    out_len = plen - 1;
    CE_CHECK_STATUS(ce_unprotect_into(ctx, in, flen, out, &out_len),
                    CE_ERR_BUFFER_TOO_SMALL,
                    "%s id %lld (%s): unprotect_into, capacity payload - 1",
                    AT(w));
    CE_CHECK(out_len == plen - 1,
             "%s id %lld (%s): unprotect_into changed out_len on failure",
             AT(w));
    CE_CHECK(all_sentinel(out, plen + SLACK),
             "%s id %lld (%s): unprotect_into wrote on BUFFER_TOO_SMALL",
             AT(w));
    free(out);
  }

  /* in == out is allowed for the _into forms. */
  out_len = flen;
  CE_CHECK_STATUS(ce_unprotect_into(ctx, in, flen, in, &out_len), CE_OK,
                  "%s id %lld (%s): unprotect_into with in == out", AT(w));
  CE_CHECK(out_len == plen && memcmp(in, t->payload, plen) == 0,
           "%s id %lld (%s): unprotect_into with in == out: wrong payload",
           AT(w));
  free(in);
  free(in_snap);
}

static void check_invalid(const where *w, ce_ctx *ctx) {
  const ce_vec_test *t = w->t;
  const size_t flen = t->frame_len;
  const char *want = ce_status_name(t->status);

  /* In place: the whole buffer, slack included, must stay as it was. */
  uint8_t *buf = sentinel_buf(t->frame, flen, flen);
  uint8_t *snap = sentinel_buf(t->frame, flen, flen);
  size_t len = flen;
  CE_CHECK_STATUS(ce_unprotect(ctx, buf, &len), t->status,
                  "%s id %lld (%s): unprotect in place, want %s", AT(w), want);
  CE_CHECK(len == flen, "%s id %lld (%s): unprotect changed the length", AT(w));
  CE_CHECK_MEM(buf, snap, flen + SLACK,
               "%s id %lld (%s): unprotect changed the buffer on failure",
               AT(w));
  free(buf);

  /* Out of place: in and out sentinel-filled, neither may change. */
  uint8_t *in = sentinel_buf(t->frame, flen, flen);
  uint8_t *out = sentinel_buf(NULL, 0, flen);
  size_t out_len = flen + SLACK;
  CE_CHECK_STATUS(ce_unprotect_into(ctx, in, flen, out, &out_len), t->status,
                  "%s id %lld (%s): unprotect_into, want %s", AT(w), want);
  CE_CHECK(out_len == flen + SLACK,
           "%s id %lld (%s): unprotect_into changed out_len on failure", AT(w));
  CE_CHECK_MEM(in, snap, flen + SLACK,
               "%s id %lld (%s): unprotect_into changed its input", AT(w));
  CE_CHECK(all_sentinel(out, flen + SLACK),
           "%s id %lld (%s): unprotect_into wrote to out on failure", AT(w));

  /* Same pointer for in and out: still nothing may change. */
  out_len = flen + SLACK;
  CE_CHECK_STATUS(ce_unprotect_into(ctx, in, flen, in, &out_len), t->status,
                  "%s id %lld (%s): unprotect_into in == out, want %s", AT(w),
                  want);
  CE_CHECK_MEM(in, snap, flen + SLACK,
               "%s id %lld (%s): unprotect_into in == out changed the "
               "buffer on failure",
               AT(w));
  free(in);
  free(out);
  free(snap);
}

/* A group whose configuration must be refused. */
static void check_refusal(const char *file, const ce_vec_group *g) {
  const char *want = ce_status_name(g->config_status);
  ce_config cfg;
  ce_status st = ce_vec_group_config(g, &cfg);
  if (st != CE_OK) {
    /* A salt that is not 32 bytes cannot be put in a ce_config; the
       loader's helper (like the adapter) refuses it as a bad argument. */
    CE_CHECK(g->salt_len != CE_SALT_LEN,
             "%s group %zu: config helper refused a 32-byte salt", file,
             g->index);
    CE_CHECK_STATUS(st, g->config_status,
                    "%s group %zu (mode %d, %zu-byte salt): want %s", file,
                    g->index, g->mode, g->salt_len, want);
    return;
  }
  ce_ctx *ctx = (ce_ctx *)(uintptr_t)1; /* must be reset to NULL */
  CE_CHECK_STATUS(ce_ctx_new(&cfg, &ctx), g->config_status,
                  "%s group %zu (mode %d): ce_ctx_new, want %s", file, g->index,
                  g->mode, want);
  CE_CHECK(ctx == NULL, "%s group %zu: ce_ctx_new left *out set on failure",
           file, g->index);
  if (ctx != NULL && ctx != (ce_ctx *)(uintptr_t)1)
    ce_ctx_free(ctx);
  CE_CHECK_STATUS(ce_config_check(&cfg), g->config_status,
                  "%s group %zu (mode %d): ce_config_check, want %s", file,
                  g->index, g->mode, want);
  ce_derived d;
  memset(&d, SENTINEL, sizeof d);
  CE_CHECK_STATUS(ce_derive(&cfg, &d), g->config_status,
                  "%s group %zu (mode %d): ce_derive, want %s", file, g->index,
                  g->mode, want);
  CE_CHECK(all_sentinel((const uint8_t *)&d, sizeof d),
           "%s group %zu: ce_derive wrote *out on failure", file, g->index);
}

static void check_derived(const char *file, const ce_vec_group *g,
                          const ce_config *cfg) {
  ce_derived d;
  CE_CHECK_STATUS(ce_derive(cfg, &d), CE_OK, "%s group %zu (mode %d): derive",
                  file, g->index, g->mode);
  CE_CHECK(d.enc_key_len == g->enc_key_len &&
               memcmp(d.enc_key, g->enc_key, g->enc_key_len) == 0,
           "%s group %zu (mode %d): enc_key differs", file, g->index, g->mode);
  CE_CHECK(d.has_iv_base == g->has_iv_base,
           "%s group %zu (mode %d): iv_base presence differs (lib %d, "
           "vector %d)",
           file, g->index, g->mode, d.has_iv_base, g->has_iv_base);
  if (d.has_iv_base && g->has_iv_base)
    CE_CHECK_MEM(d.iv_base, g->iv_base, CE_IV_BASE_LEN,
                 "%s group %zu (mode %d): iv_base differs", file, g->index,
                 g->mode);
  CE_CHECK(d.check == g->check,
           "%s group %zu (mode %d): check 0x%02x, vector 0x%02x", file,
           g->index, g->mode, d.check, g->check);
  ce_wipe(&d, sizeof d);
}

typedef struct {
  size_t valid, invalid, refusals;
  size_t per_backend[4]; /* tests run, by CE_BACKEND_* */
} counts;

/* SM4_128_ECB vector tests run through OpenSSL. */
static size_t g_sm4_openssl;

static void run_group(const char *file, const ce_vec_group *g, counts *c) {
  if (g->has_config_status) {
    check_refusal(file, g);
    c->refusals++;
    return;
  }
  const char *name = ce_mode_name(g->mode);
  CE_CHECK(name != NULL && g->mode_name != NULL &&
               strcmp(name, g->mode_name) == 0,
           "%s group %zu: mode %d has mode_name %s", file, g->index, g->mode,
           g->mode_name ? g->mode_name : "null");
  ce_config cfg;
  CE_CHECK_STATUS(ce_vec_group_config(g, &cfg), CE_OK,
                  "%s group %zu: a %zu-byte salt in a group with tests", file,
                  g->index, g->salt_len);
  if (g->salt_len != CE_SALT_LEN)
    return;
  /* One context per group and backend: GCM2 derivation is ~50 ms, and
     reusing the context across tests also checks that one context serves
     many packets in both directions. */
  check_derived(file, g, &cfg);
  for (int b = CE_BACKEND_OPENSSL; b <= CE_BACKEND_SM4SIMD; b++) {
    int chosen;
    if (ce_backend_select(b, g->mode, &chosen) != CE_OK)
      continue; /* ipsec-mb: GCM only, sm4-simd: SM4_128_ECB only, and
                   each only where it runs */
    cfg.backend = b;
    ce_ctx *ctx = NULL;
    ce_status st = ce_ctx_new(&cfg, &ctx);
    if (st == CE_ERR_NOT_SUPPORTED &&
        ce_mode_supported(g->mode) == CE_ERR_NOT_SUPPORTED) {
      printf("%s group %zu: mode %s not supported by this OpenSSL, %zu "
             "tests skipped\n",
             file, g->index, name ? name : "?", g->n_tests);
      CE_SKIP(g->n_tests);
      return;
    }
    CE_CHECK_STATUS(st, CE_OK, "%s group %zu (mode %d, %s): ce_ctx_new", file,
                    g->index, g->mode, ce_backend_name(b));
    if (st != CE_OK)
      continue;
    const char *used = ce_ctx_backend(ctx);
    CE_CHECK(used != NULL && strcmp(used, ce_backend_name(b)) == 0,
             "%s group %zu: context runs on %s, %s asked for", file, g->index,
             used ? used : "NULL", ce_backend_name(b));
    CE_CHECK(ce_ctx_check(ctx) == g->check,
             "%s group %zu: ce_ctx_check 0x%02x, vector 0x%02x", file, g->index,
             ce_ctx_check(ctx), g->check);
    for (size_t i = 0; i < g->n_tests; i++) {
      where w = {file, g, &g->tests[i]};
      if (g->tests[i].valid) {
        check_valid(&w, ctx);
        c->valid += b == CE_BACKEND_OPENSSL;
      } else {
        check_invalid(&w, ctx);
        c->invalid += b == CE_BACKEND_OPENSSL;
      }
      c->per_backend[b]++;
      g_sm4_openssl +=
          b == CE_BACKEND_OPENSSL && g->mode == CE_MODE_SM4_128_ECB;
    }
    ce_ctx_free(ctx);
  }
}

int main(void) {
  const char *dir = getenv("CE_VECTORS_DIR");
  if (dir == NULL || *dir == '\0') {
    fprintf(stderr, "CE_VECTORS_DIR is not set\n");
    return 1;
  }
  char pattern[4096];
  int n = snprintf(pattern, sizeof pattern, "%s/ce1/*.json", dir);
  if (n < 0 || (size_t)n >= sizeof pattern) {
    fprintf(stderr, "CE_VECTORS_DIR too long\n");
    return 1;
  }
  glob_t gl;
  int grc = glob(pattern, 0, NULL, &gl); /* sorted: a stable order */
  CE_CHECK(grc == 0 && gl.gl_pathc > 0, "no vector files match %s", pattern);

  size_t total = 0, per_backend[4] = {0, 0, 0, 0};
  for (size_t i = 0; grc == 0 && i < gl.gl_pathc; i++) {
    const char *path = gl.gl_pathv[i];
    const char *file = base_name(path);
    char err[512];
    ce_vec_file *f;
    if (ce_vec_load(path, &f, err, sizeof err) != 0) {
      CE_CHECK(0, "cannot load %s", err);
      continue;
    }
    CE_CHECK(f->n_valid + f->n_invalid + f->n_refusals > 0,
             "%s: no tests and no refusal groups", file);
    counts c;
    memset(&c, 0, sizeof c);
    for (size_t k = 0; k < f->n_groups; k++)
      run_group(file, &f->groups[k], &c);
    printf("%s: %zu valid, %zu invalid, %zu refusals checked; tests run "
           "through openssl %zu, ipsec-mb %zu, sm4-simd %zu\n",
           file, c.valid, c.invalid, c.refusals,
           c.per_backend[CE_BACKEND_OPENSSL], c.per_backend[CE_BACKEND_IPSECMB],
           c.per_backend[CE_BACKEND_SM4SIMD]);
    total += c.valid + c.invalid + c.refusals;
    for (int b = 0; b < 4; b++)
      per_backend[b] += c.per_backend[b];
    ce_vec_free(f);
  }
  if (grc == 0)
    globfree(&gl);
  CE_CHECK(total > 0, "no vector tests were run");
  /* Where ipsec-mb runs, it must have run every GCM vector. */
  int chosen;
  if (ce_backend_select(CE_BACKEND_IPSECMB, CE_MODE_AES_128_GCM, &chosen) ==
      CE_OK)
    CE_CHECK(per_backend[CE_BACKEND_IPSECMB] > 0,
             "ipsec-mb is usable but ran no vector");
  else
    printf("ipsec-mb backend not built in or not usable here: GCM on "
           "OpenSSL only\n");
  /* Where sm4-simd runs, it must have run every SM4_128_ECB vector that
     OpenSSL ran. */
  if (ce_backend_select(CE_BACKEND_SM4SIMD, CE_MODE_SM4_128_ECB, &chosen) ==
      CE_OK)
    CE_CHECK(per_backend[CE_BACKEND_SM4SIMD] > 0 &&
                 per_backend[CE_BACKEND_SM4SIMD] == g_sm4_openssl,
             "sm4-simd ran %zu SM4 vectors, openssl %zu",
             per_backend[CE_BACKEND_SM4SIMD], g_sm4_openssl);
  else
    printf("sm4-simd backend not usable here: SM4_128_ECB on OpenSSL "
           "only\n");
  return ce_test_finish("test_ce1_vectors");
}
