/*
 * test_openssl_failures.c - OpenSSL's own failure reports, read correctly.
 *
 * test_faults.c fails each of the library's fault sites before the real
 * OpenSSL call is made. Here the real call reports the failure: the
 * executable is linked with -Wl,--wrap for every OpenSSL function whose
 * result ref/ checks (test_openssl_failures.cmake), so each call that
 * chanenc_testing's objects make lands in a __wrap_ function here that
 * forwards to OpenSSL or, when armed, makes the n-th call of that function
 * fail in one of the ways OpenSSL reports failure:
 *   RET0    returns 0 (every function here); the fetches return NULL and
 *           add an error entry that is not EVP's "unsupported" (as a
 *           provider's own failure would);
 *   RETNEG  returns -1 (EVP functions may; RAND_bytes does when its
 *           method lacks the operation); the fetches return NULL with
 *           EVP's ERR_R_UNSUPPORTED entry: no provider has the algorithm;
 *   SHORT   calls OpenSSL, then reports one byte less output than asked
 *           for (EVP_*Update with an output buffer, EVP_MAC_final): the
 *           library must not take a short output for a whole one.
 * For every operation below, every wrapped function and every way, the
 * test arms call 1, 2, 3, ... until a run completes without the armed call
 * being reached, and checks after each failure:
 *  - the documented status: CE_ERR_INTERNAL, except CE_ERR_AUTH_FAILED when
 *    the failing call is the GCM tag check itself and CE_ERR_NOT_SUPPORTED
 *    when a fetch finds no provider; from ce_channel_enable_encryption the
 *    SDK codes CE_SDK_ERR_FAILED and CE_SDK_ERR_NOT_SUPPORTED;
 *  - the caller's buffers and lengths unchanged (*out NULL for _new and
 *    _dup), the channel's state, counters and error callback as
 *    chanenc_channel.h says;
 *  - the context still produces byte-exact frames (compared with a context
 *    that never failed) and opens genuine ones; protect consumed its packet
 *    number (the seal had started);
 *  - no leak (LeakSanitizer, in the ASan build).
 * Every mode runs on the OpenSSL backend (CE_BACKEND_OPENSSL), whose
 * packet path is OpenSSL's (SM4_128_ECB included); context creation and
 * duplication also run with the ipsec-mb and sm4-simd backends where they
 * are usable (the key schedule, the random packet number and the cipher
 * check are OpenSSL's there too), and SM4_128_ECB's packet path on
 * sm4-simd is shown to make no OpenSSL call.
 */
#include "ce_test.h"

#include "chanenc.h"
#include "chanenc_channel.h"
#include "chanenc_testing.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

/* ---- the wrapped functions ------------------------------------------- */

enum {
  F_CIPHER_INIT_EX2,
  F_CIPHER_INIT_EX,
  F_SET_PADDING,
  F_CTX_COPY,
  F_CTX_CTRL,
  F_CIPHER_UPDATE,
  F_ENCRYPT_UPDATE,
  F_DECRYPT_UPDATE,
  F_CIPHER_FINAL,
  F_ENCRYPT_FINAL,
  F_DECRYPT_FINAL,
  F_MAC_INIT,
  F_MAC_UPDATE,
  F_MAC_FINAL,
  F_PBKDF2,
  F_RAND_BYTES,
  F_CIPHER_FETCH,
  F_MAC_FETCH,
  F_COUNT
};

static const char *const f_names[F_COUNT] = {
    "EVP_CipherInit_ex2",  "EVP_CipherInit_ex",   "EVP_CIPHER_CTX_set_padding",
    "EVP_CIPHER_CTX_copy", "EVP_CIPHER_CTX_ctrl", "EVP_CipherUpdate",
    "EVP_EncryptUpdate",   "EVP_DecryptUpdate",   "EVP_CipherFinal_ex",
    "EVP_EncryptFinal_ex", "EVP_DecryptFinal_ex", "EVP_MAC_init",
    "EVP_MAC_update",      "EVP_MAC_final",       "PKCS5_PBKDF2_HMAC",
    "RAND_bytes",          "EVP_CIPHER_fetch",    "EVP_MAC_fetch"};

/* Functions with an output length that SHORT can shorten. */
static int f_has_length(int f) {
  return f == F_CIPHER_UPDATE || f == F_ENCRYPT_UPDATE ||
         f == F_DECRYPT_UPDATE || f == F_MAC_FINAL;
}

enum { RET0, RETNEG, SHORT, HOW_COUNT };
static const char *const how_names[HOW_COUNT] = {"returns 0", "returns -1",
                                                 "short output"};

/* The status the library must return when call f failed in way how:
   CE_ERR_INTERNAL, but CE_ERR_NOT_SUPPORTED for a fetch that found no
   provider. (The GCM tag checks are the operations' own business.) */
static int want_for(int f, int how) {
  if ((f == F_CIPHER_FETCH || f == F_MAC_FETCH) && how == RETNEG)
    return CE_ERR_NOT_SUPPORTED;
  return CE_ERR_INTERNAL;
}

static int armed_f = -1, armed_how;
static unsigned long armed_nth, armed_calls;
static int fired;

static void arm(int f, int how, unsigned long nth) {
  armed_f = f;
  armed_how = how;
  armed_nth = nth;
  armed_calls = 0;
  fired = 0;
}

static void disarm(void) {
  armed_f = -1;
}

/* Whether this call of f is the armed one. SHORT counts only calls that
   produce output (an AAD update has none to shorten). */
static int hit(int f, int produces_output) {
  if (f != armed_f || (armed_how == SHORT && !produces_output))
    return 0;
  if (++armed_calls != armed_nth)
    return 0;
  fired = 1;
  return 1;
}

static int fail_value(void) {
  return armed_how == RETNEG ? -1 : 0;
}

#define WRAP_DECL(ret, name, params)                                           \
  ret __real_##name params;                                                    \
  ret __wrap_##name params;

WRAP_DECL(int, EVP_CipherInit_ex2,
          (EVP_CIPHER_CTX * c, const EVP_CIPHER *cipher,
           const unsigned char *key, const unsigned char *iv, int enc,
           const OSSL_PARAM params[]))
WRAP_DECL(int, EVP_CipherInit_ex,
          (EVP_CIPHER_CTX * c, const EVP_CIPHER *cipher, ENGINE *impl,
           const unsigned char *key, const unsigned char *iv, int enc))
WRAP_DECL(int, EVP_CIPHER_CTX_set_padding, (EVP_CIPHER_CTX * c, int pad))
WRAP_DECL(int, EVP_CIPHER_CTX_copy,
          (EVP_CIPHER_CTX * out, const EVP_CIPHER_CTX *in))
WRAP_DECL(int, EVP_CIPHER_CTX_ctrl,
          (EVP_CIPHER_CTX * c, int type, int arg, void *ptr))
WRAP_DECL(int, EVP_CipherUpdate,
          (EVP_CIPHER_CTX * c, unsigned char *out, int *outl,
           const unsigned char *in, int inl))
WRAP_DECL(int, EVP_EncryptUpdate,
          (EVP_CIPHER_CTX * c, unsigned char *out, int *outl,
           const unsigned char *in, int inl))
WRAP_DECL(int, EVP_DecryptUpdate,
          (EVP_CIPHER_CTX * c, unsigned char *out, int *outl,
           const unsigned char *in, int inl))
WRAP_DECL(int, EVP_CipherFinal_ex,
          (EVP_CIPHER_CTX * c, unsigned char *out, int *outl))
WRAP_DECL(int, EVP_EncryptFinal_ex,
          (EVP_CIPHER_CTX * c, unsigned char *out, int *outl))
WRAP_DECL(int, EVP_DecryptFinal_ex,
          (EVP_CIPHER_CTX * c, unsigned char *out, int *outl))
WRAP_DECL(int, EVP_MAC_init,
          (EVP_MAC_CTX * c, const unsigned char *key, size_t keylen,
           const OSSL_PARAM params[]))
WRAP_DECL(int, EVP_MAC_update,
          (EVP_MAC_CTX * c, const unsigned char *data, size_t len))
WRAP_DECL(int, EVP_MAC_final,
          (EVP_MAC_CTX * c, unsigned char *out, size_t *outl, size_t outsize))
WRAP_DECL(int, PKCS5_PBKDF2_HMAC,
          (const char *pass, int passlen, const unsigned char *salt,
           int saltlen, int iter, const EVP_MD *digest, int keylen,
           unsigned char *out))
WRAP_DECL(int, RAND_bytes, (unsigned char *buf, int num))

int __wrap_EVP_CipherInit_ex2(EVP_CIPHER_CTX *c, const EVP_CIPHER *cipher,
                              const unsigned char *key, const unsigned char *iv,
                              int enc, const OSSL_PARAM params[]) {
  if (hit(F_CIPHER_INIT_EX2, 0))
    return fail_value();
  return __real_EVP_CipherInit_ex2(c, cipher, key, iv, enc, params);
}

int __wrap_EVP_CipherInit_ex(EVP_CIPHER_CTX *c, const EVP_CIPHER *cipher,
                             ENGINE *impl, const unsigned char *key,
                             const unsigned char *iv, int enc) {
  if (hit(F_CIPHER_INIT_EX, 0))
    return fail_value();
  return __real_EVP_CipherInit_ex(c, cipher, impl, key, iv, enc);
}

int __wrap_EVP_CIPHER_CTX_set_padding(EVP_CIPHER_CTX *c, int pad) {
  if (hit(F_SET_PADDING, 0))
    return fail_value();
  return __real_EVP_CIPHER_CTX_set_padding(c, pad);
}

int __wrap_EVP_CIPHER_CTX_copy(EVP_CIPHER_CTX *out, const EVP_CIPHER_CTX *in) {
  if (hit(F_CTX_COPY, 0))
    return fail_value();
  return __real_EVP_CIPHER_CTX_copy(out, in);
}

int __wrap_EVP_CIPHER_CTX_ctrl(EVP_CIPHER_CTX *c, int type, int arg,
                               void *ptr) {
  if (hit(F_CTX_CTRL, 0))
    return fail_value();
  return __real_EVP_CIPHER_CTX_ctrl(c, type, arg, ptr);
}

/* The three update functions: RET0/RETNEG fail without calling OpenSSL;
   SHORT calls it and reports one byte less. */
#define WRAP_UPDATE(name, f)                                                   \
  int __wrap_##name(EVP_CIPHER_CTX *c, unsigned char *out, int *outl,          \
                    const unsigned char *in, int inl) {                        \
    if (!hit(f, out != NULL))                                                  \
      return __real_##name(c, out, outl, in, inl);                             \
    if (armed_how != SHORT)                                                    \
      return fail_value();                                                     \
    int r = __real_##name(c, out, outl, in, inl);                              \
    if (*outl > 0)                                                             \
      (*outl)--;                                                               \
    return r;                                                                  \
  }
WRAP_UPDATE(EVP_CipherUpdate, F_CIPHER_UPDATE)
WRAP_UPDATE(EVP_EncryptUpdate, F_ENCRYPT_UPDATE)
WRAP_UPDATE(EVP_DecryptUpdate, F_DECRYPT_UPDATE)

int __wrap_EVP_CipherFinal_ex(EVP_CIPHER_CTX *c, unsigned char *out,
                              int *outl) {
  if (hit(F_CIPHER_FINAL, 0))
    return fail_value();
  return __real_EVP_CipherFinal_ex(c, out, outl);
}

int __wrap_EVP_EncryptFinal_ex(EVP_CIPHER_CTX *c, unsigned char *out,
                               int *outl) {
  if (hit(F_ENCRYPT_FINAL, 0))
    return fail_value();
  return __real_EVP_EncryptFinal_ex(c, out, outl);
}

int __wrap_EVP_DecryptFinal_ex(EVP_CIPHER_CTX *c, unsigned char *out,
                               int *outl) {
  if (hit(F_DECRYPT_FINAL, 0))
    return fail_value();
  return __real_EVP_DecryptFinal_ex(c, out, outl);
}

int __wrap_EVP_MAC_init(EVP_MAC_CTX *c, const unsigned char *key, size_t keylen,
                        const OSSL_PARAM params[]) {
  if (hit(F_MAC_INIT, 0))
    return fail_value();
  return __real_EVP_MAC_init(c, key, keylen, params);
}

int __wrap_EVP_MAC_update(EVP_MAC_CTX *c, const unsigned char *data,
                          size_t len) {
  if (hit(F_MAC_UPDATE, 0))
    return fail_value();
  return __real_EVP_MAC_update(c, data, len);
}

int __wrap_EVP_MAC_final(EVP_MAC_CTX *c, unsigned char *out, size_t *outl,
                         size_t outsize) {
  if (!hit(F_MAC_FINAL, 1))
    return __real_EVP_MAC_final(c, out, outl, outsize);
  if (armed_how != SHORT)
    return fail_value();
  int r = __real_EVP_MAC_final(c, out, outl, outsize);
  if (*outl > 0)
    (*outl)--;
  return r;
}

int __wrap_PKCS5_PBKDF2_HMAC(const char *pass, int passlen,
                             const unsigned char *salt, int saltlen, int iter,
                             const EVP_MD *digest, int keylen,
                             unsigned char *out) {
  if (hit(F_PBKDF2, 0))
    return fail_value();
  return __real_PKCS5_PBKDF2_HMAC(pass, passlen, salt, saltlen, iter, digest,
                                  keylen, out);
}

int __wrap_RAND_bytes(unsigned char *buf, int num) {
  if (hit(F_RAND_BYTES, 0))
    return fail_value();
  return __real_RAND_bytes(buf, num);
}

/* A failed fetch: NULL, and the entry a real one adds. */
static void fetch_failure_entry(void) {
  if (armed_how == RETNEG)
    ERR_raise(ERR_LIB_EVP, ERR_R_UNSUPPORTED);
  else
    ERR_raise(ERR_LIB_PROV, ERR_R_MALLOC_FAILURE);
}

WRAP_DECL(EVP_CIPHER *, EVP_CIPHER_fetch,
          (OSSL_LIB_CTX * lctx, const char *name, const char *props))
WRAP_DECL(EVP_MAC *, EVP_MAC_fetch,
          (OSSL_LIB_CTX * lctx, const char *name, const char *props))

EVP_CIPHER *__wrap_EVP_CIPHER_fetch(OSSL_LIB_CTX *lctx, const char *name,
                                    const char *props) {
  if (!hit(F_CIPHER_FETCH, 0))
    return __real_EVP_CIPHER_fetch(lctx, name, props);
  fetch_failure_entry();
  return NULL;
}

EVP_MAC *__wrap_EVP_MAC_fetch(OSSL_LIB_CTX *lctx, const char *name,
                              const char *props) {
  if (!hit(F_MAC_FETCH, 0))
    return __real_EVP_MAC_fetch(lctx, name, props);
  fetch_failure_entry();
  return NULL;
}

/* ---- the driver --------------------------------------------------------- */

/* One operation under test. run() performs it once and returns its
   status (an SDK code for enable_encryption); check() is called after
   every run in which the armed call failed, with the call and the way. */
typedef struct op {
  const char *name;
  int (*run)(struct op *);
  void (*check)(struct op *, int f, int how, unsigned long nth, int st);
  int no_short; /* skip SHORT (the call's length is not the result's) */
  int mode;
  size_t len;
  void *state;
  void *result; /* what _new or _dup set *out to */
} op;

static unsigned long failures_total;

/* Every way every wrapped call on op's path can fail. Returns how many
   calls failed; the operation's own success after the last (unarmed) run
   is the caller's to check. */
static unsigned long each_failure(op *o) {
  unsigned long n_failed = 0;
  for (int f = 0; f < F_COUNT; f++) {
    for (int how = 0; how < HOW_COUNT; how++) {
      if (how == SHORT && (!f_has_length(f) || o->no_short))
        continue;
      for (unsigned long nth = 1;; nth++) {
        arm(f, how, nth);
        int st = o->run(o);
        int did = fired;
        disarm();
        if (!did)
          break;
        n_failed++;
        o->check(o, f, how, nth, st);
      }
    }
  }
  failures_total += n_failed;
  return n_failed;
}

#define WHERE(o, f, how, nth)                                                  \
  "%s: %s call %lu %s", (o)->name, f_names[f], (nth), how_names[how]

static void fill(uint8_t *p, size_t n, unsigned seed) {
  for (size_t i = 0; i < n; i++)
    p[i] = (uint8_t)(seed + i * 31u);
}

/* The backend of every config this test makes. */
static int g_backend = CE_BACKEND_OPENSSL;

static void cfg_for(ce_config *cfg, int mode) {
  ce_config_init(cfg);
  cfg->mode = mode;
  cfg->backend = g_backend;
  ce_config_set_key_str(cfg, "openssl failures");
  memset(cfg->salt, 0x47, sizeof cfg->salt);
}

static ce_ctx *ctx_for(int mode) {
  ce_config cfg;
  cfg_for(&cfg, mode);
  ce_ctx *ctx = NULL;
  if (ce_ctx_new(&cfg, &ctx) != CE_OK) {
    fprintf(stderr, "ce_ctx_new(mode %d) failed\n", mode);
    exit(2);
  }
  return ctx;
}

/* ---- contexts ------------------------------------------------------------ */

static int run_ctx_new(op *o) {
  ce_config cfg;
  cfg_for(&cfg, o->mode);
  ce_ctx *ctx = (ce_ctx *)o; /* must become NULL on failure */
  int st = ce_ctx_new(&cfg, &ctx);
  o->result = ctx;
  if (st == CE_OK)
    ce_ctx_free(ctx);
  return st;
}

static int run_ctx_dup(op *o) {
  ce_ctx *ctx = (ce_ctx *)o;
  int st = ce_ctx_dup((ce_ctx *)o->state, &ctx);
  o->result = ctx;
  if (st == CE_OK)
    ce_ctx_free(ctx);
  return st;
}

static void check_ctx_new(op *o, int f, int how, unsigned long nth, int st) {
  CE_CHECK_STATUS(st, want_for(f, how), WHERE(o, f, how, nth));
  CE_CHECK(o->result == NULL, "*out not NULL: " WHERE(o, f, how, nth));
}

static void check_ctx_dup(op *o, int f, int how, unsigned long nth, int st) {
  CE_CHECK_STATUS(st, want_for(f, how), WHERE(o, f, how, nth));
  CE_CHECK(o->result == NULL, "*out not NULL: " WHERE(o, f, how, nth));
}

static void test_contexts(void) {
  for (int mode = 1; mode <= 8; mode++) {
    int unused;
    if (ce_backend_select(g_backend, mode, &unused) != CE_OK)
      continue; /* ipsec-mb: the GCM modes only */
    if (ce_mode_supported(mode) != CE_OK) {
      CE_SKIP(1);
      continue;
    }
    op o = {"ce_ctx_new", run_ctx_new, check_ctx_new, 0, mode, 0, NULL, NULL};
    CE_CHECK(each_failure(&o) > 0, "m%d: ce_ctx_new calls OpenSSL", mode);
    CE_CHECK_STATUS(run_ctx_new(&o), CE_OK, "m%d: ce_ctx_new unarmed", mode);

    ce_ctx *src = ctx_for(mode);
    op d = {"ce_ctx_dup", run_ctx_dup, check_ctx_dup, 0, mode, 0, src, NULL};
    CE_CHECK(each_failure(&d) > 0, "m%d: ce_ctx_dup calls OpenSSL", mode);
    CE_CHECK_STATUS(run_ctx_dup(&d), CE_OK, "m%d: ce_ctx_dup unarmed", mode);
    ce_ctx_free(src);
  }
}

/* ---- the packet path ----------------------------------------------------- */

typedef struct {
  ce_ctx *ctx, *ref; /* the context under test, one that never fails */
  uint8_t buf[128], snap[128], frame[128];
  size_t len, frame_len;
  uint64_t pn_before;
} packet_state;

/* The context still makes the reference's exact frames and opens them. */
static void check_still_works(op *o, packet_state *s, const char *after) {
  uint8_t a[128], b[128];
  fill(a, o->len, 3);
  memcpy(b, a, o->len);
  size_t la = o->len, lb = o->len;
  int ok = ce_testing_protect_pn(s->ctx, 77, a, &la, sizeof a) == CE_OK &&
           ce_testing_protect_pn(s->ref, 77, b, &lb, sizeof b) == CE_OK &&
           la == lb && memcmp(a, b, la) == 0 &&
           ce_unprotect(s->ctx, b, &lb) == CE_OK && lb == o->len;
  CE_CHECK(ok, "%s: m%d len %zu: the context works afterwards (%s)", o->name,
           o->mode, o->len, after);
}

static int run_protect(op *o) {
  packet_state *s = o->state;
  fill(s->buf, sizeof s->buf, (unsigned)o->len);
  memcpy(s->snap, s->buf, sizeof s->buf);
  s->len = o->len;
  s->pn_before = ce_ctx_next_pn(s->ctx);
  return ce_protect(s->ctx, s->buf, &s->len, sizeof s->buf);
}

static void check_protect(op *o, int f, int how, unsigned long nth, int st) {
  packet_state *s = o->state;
  CE_CHECK_STATUS(st, want_for(f, how), WHERE(o, f, how, nth));
  CE_CHECK(s->len == o->len && memcmp(s->buf, s->snap, sizeof s->buf) == 0,
           "buffer or length changed: " WHERE(o, f, how, nth));
  if (ce_mode_family(o->mode) != CE_FAMILY_ECB)
    CE_CHECK(ce_ctx_next_pn(s->ctx) == s->pn_before + 1,
             "the packet number was consumed: " WHERE(o, f, how, nth));
  check_still_works(o, s, f_names[f]);
}

static int run_unprotect(op *o) {
  packet_state *s = o->state;
  memcpy(s->buf, s->frame, s->frame_len);
  memcpy(s->snap, s->buf, sizeof s->buf);
  s->len = s->frame_len;
  return ce_unprotect(s->ctx, s->buf, &s->len);
}

static void check_unprotect(op *o, int f, int how, unsigned long nth, int st) {
  packet_state *s = o->state;
  /* EVP_DecryptFinal_ex is the GCM tag check: its "no" is the answer. */
  CE_CHECK_STATUS(st,
                  f == F_DECRYPT_FINAL ? CE_ERR_AUTH_FAILED : want_for(f, how),
                  WHERE(o, f, how, nth));
  CE_CHECK(s->len == s->frame_len &&
               memcmp(s->buf, s->snap, sizeof s->buf) == 0,
           "buffer or length changed: " WHERE(o, f, how, nth));
  check_still_works(o, s, f_names[f]);
}

/* One mode's packet path on the backend g_backend. openssl: whether each
   packet calls OpenSSL; SM4_128_ECB on sm4-simd does not
   (ref/src/sm4_fast.h), and then no OpenSSL failure can reach it. */
static void packet_path(int mode, int openssl) {
  static const size_t lens[] = {0, 5, 16, 40};
  packet_state s;
  memset(&s, 0, sizeof s);
  s.ctx = ctx_for(mode);
  s.ref = ctx_for(mode);
  for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
    op p = {"ce_protect", run_protect, check_protect, 0, mode,
            lens[i],      &s,          NULL};
    CE_CHECK((each_failure(&p) > 0) == openssl,
             "m%d: protect calls OpenSSL: %d", mode, openssl);
    CE_CHECK_STATUS(run_protect(&p), CE_OK, "m%d: protect unarmed", mode);

    fill(s.frame, lens[i], 9);
    s.frame_len = lens[i];
    CE_CHECK_STATUS(ce_protect(s.ref, s.frame, &s.frame_len, sizeof s.frame),
                    CE_OK, "reference frame");
    op u = {"ce_unprotect",
            run_unprotect,
            check_unprotect,
            0,
            mode,
            lens[i],
            &s,
            NULL};
    CE_CHECK((each_failure(&u) > 0) == openssl,
             "m%d: unprotect calls OpenSSL: %d", mode, openssl);
    CE_CHECK_STATUS(run_unprotect(&u), CE_OK, "m%d: unprotect unarmed", mode);
  }
  ce_ctx_free(s.ctx);
  ce_ctx_free(s.ref);
}

static void test_packet_path(void) {
  /* Every mode on OpenSSL: every packet calls it, SM4_128_ECB included
     (a context that names "openssl" runs EVP's SM4, never sm4-simd). */
  for (int mode = 1; mode <= 8; mode++) {
    if (ce_mode_supported(mode) != CE_OK) {
      CE_SKIP(1);
      continue;
    }
    packet_path(mode, 1);
  }
  /* SM4_128_ECB on sm4-simd: no OpenSSL call per packet. */
  int unused;
  if (ce_mode_supported(CE_MODE_SM4_128_ECB) == CE_OK &&
      ce_backend_select(CE_BACKEND_SM4SIMD, CE_MODE_SM4_128_ECB, &unused) ==
          CE_OK) {
    g_backend = CE_BACKEND_SM4SIMD;
    packet_path(CE_MODE_SM4_128_ECB, 0);
    g_backend = CE_BACKEND_OPENSSL;
  } else {
    printf("sm4-simd backend not usable here: SM4_128_ECB tested on OpenSSL "
           "only\n");
    CE_SKIP(1);
  }
}

/* ---- the channel --------------------------------------------------------- */

typedef struct {
  ce_channel *ch;
  int errors, last_type, last_status;
  uint8_t buf[128], snap[128], frame[128];
  size_t len, frame_len;
  ce_channel_counters before;
  int receive;
} chan_state;

static void on_error(void *user, int type, int status) {
  chan_state *s = user;
  s->errors++;
  s->last_type = type;
  s->last_status = status;
}

static int run_channel(op *o) {
  chan_state *s = o->state;
  if (ce_channel_get_counters(s->ch, &s->before) != CE_OK)
    exit(2);
  s->errors = 0;
  if (s->receive) {
    memcpy(s->buf, s->frame, s->frame_len);
    s->len = s->frame_len;
  } else {
    fill(s->buf, o->len, 4);
    s->len = o->len;
  }
  memcpy(s->snap, s->buf, sizeof s->buf);
  return s->receive ? ce_channel_receive(s->ch, CE_PACKET_VIDEO, s->buf,
                                         &s->len, sizeof s->buf)
                    : ce_channel_send(s->ch, CE_PACKET_VIDEO, s->buf, &s->len,
                                      sizeof s->buf);
}

static void check_channel(op *o, int f, int how, unsigned long nth, int st) {
  chan_state *s = o->state;
  int want = f == F_DECRYPT_FINAL ? CE_ERR_AUTH_FAILED : want_for(f, how);
  CE_CHECK_STATUS(st, want, WHERE(o, f, how, nth));
  CE_CHECK(memcmp(s->buf, s->snap, sizeof s->buf) == 0 &&
               s->len == (s->receive ? s->frame_len : o->len),
           "buffer or length changed: " WHERE(o, f, how, nth));
  int type = want == CE_ERR_INTERNAL ? CE_ENCRYPTION_ERROR_INTERNAL_FAILURE
                                     : CE_ENCRYPTION_ERROR_DECRYPTION_FAILURE;
  CE_CHECK(s->errors == 1 && s->last_type == type && s->last_status == want,
           "reported once: " WHERE(o, f, how, nth));
  ce_channel_counters c;
  CE_CHECK_STATUS(ce_channel_get_counters(s->ch, &c), CE_OK, "counters");
  const ce_channel_kind_counters *k = &c.kind[CE_PACKET_VIDEO],
                                 *b = &s->before.kind[CE_PACKET_VIDEO];
  uint64_t got = s->receive
                     ? k->receive_failed[-want] - b->receive_failed[-want]
                     : k->send_failed[-want] - b->send_failed[-want];
  CE_CHECK(got == 1, "counted once: " WHERE(o, f, how, nth));
}

static void test_channel(void) {
  static const int modes[] = {CE_MODE_AES_128_ECB, CE_MODE_AES_256_XTS,
                              CE_MODE_AES_128_GCM2};
  for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
    int mode = modes[i];
    chan_state s;
    memset(&s, 0, sizeof s);
    ce_config cfg, other;
    cfg_for(&cfg, mode);
    cfg_for(&other, CE_MODE_AES_256_GCM);
    if (ce_channel_new(&s.ch) != CE_OK || ce_channel_join(s.ch) != CE_OK ||
        ce_channel_enable_encryption(s.ch, 1, &cfg) != CE_SDK_OK ||
        ce_channel_set_error_callback(s.ch, on_error, &s) != CE_OK)
      exit(2);

    op snd = {
        "ce_channel_send", run_channel, check_channel, 0, mode, 20, &s, NULL};
    CE_CHECK(each_failure(&snd) > 0, "m%d: send calls OpenSSL", mode);
    CE_CHECK_STATUS(run_channel(&snd), CE_OK, "m%d: send unarmed", mode);
    memcpy(s.frame, s.buf, s.len);
    s.frame_len = s.len;
    s.receive = 1;
    op rcv = {"ce_channel_receive",
              run_channel,
              check_channel,
              0,
              mode,
              20,
              &s,
              NULL};
    CE_CHECK(each_failure(&rcv) > 0, "m%d: receive calls OpenSSL", mode);
    CE_CHECK_STATUS(run_channel(&rcv), CE_OK, "m%d: receive unarmed", mode);

    /* enable_encryption: CE_SDK_ERR_FAILED (CE_SDK_ERR_NOT_SUPPORTED when
       a fetch finds no provider), and the old mode stays. */
    unsigned long n = 0;
    for (int f = 0; f < F_COUNT; f++) {
      for (int how = RET0; how <= RETNEG; how++) {
        int want_rc = want_for(f, how) == CE_ERR_NOT_SUPPORTED
                          ? CE_SDK_ERR_NOT_SUPPORTED
                          : CE_SDK_ERR_FAILED;
        for (unsigned long nth = 1;; nth++) {
          arm(f, how, nth);
          int rc = ce_channel_enable_encryption(s.ch, 1, &other);
          int did = fired;
          disarm();
          if (!did) {
            if (rc == CE_SDK_OK &&
                ce_channel_enable_encryption(s.ch, 1, &cfg) != CE_SDK_OK)
              exit(2);
            break;
          }
          n++;
          CE_CHECK(rc == want_rc, "enable: %s call %lu %s: %d", f_names[f], nth,
                   how_names[how], rc);
          uint8_t b[64] = {0};
          size_t l = 4;
          CE_CHECK(ce_channel_send(s.ch, CE_PACKET_AUDIO, b, &l, sizeof b) ==
                           CE_OK &&
                       (b[0] & 0x0f) == mode,
                   "enable: %s call %lu: the old mode stays", f_names[f], nth);
        }
      }
    }
    CE_CHECK(n > 0, "enable calls OpenSSL");
    failures_total += n;
    ce_channel_free(s.ch);
  }
}

/* ---- primitives and the key schedule ------------------------------------- */

typedef struct {
  uint8_t out[64], snap[64], tag[16], tag_snap[16];
  uint8_t key[64], in[64], iv[16], aad[20];
  int which;
} prim_state;

enum {
  P_ECB_AES,
  P_ECB_SM4,
  P_XTS,
  P_GCM_ENC,
  P_GCM_DEC,
  P_GMAC_ENC,
  P_HKDF,
  P_HKDF_EXTRACT,
  P_HKDF_EXPAND,
  P_PBKDF2,
  P_DERIVE,
  P_COUNT
};
static const char *const p_names[P_COUNT] = {"ce_ecb_crypt AES",
                                             "ce_ecb_crypt SM4",
                                             "ce_xts_crypt",
                                             "ce_gcm_encrypt",
                                             "ce_gcm_decrypt",
                                             "ce_gcm_encrypt (GMAC)",
                                             "ce_hkdf_sha256",
                                             "ce_hkdf_sha256_extract",
                                             "ce_hkdf_sha256_expand",
                                             "ce_pbkdf2_sha256",
                                             "ce_derive"};

static uint8_t gcm_tag[16], gcm_ct[40];

static int run_prim(op *o) {
  prim_state *s = o->state;
  fill(s->out, sizeof s->out, 0xa0);
  fill(s->tag, sizeof s->tag, 0xb0);
  memcpy(s->snap, s->out, sizeof s->out);
  memcpy(s->tag_snap, s->tag, sizeof s->tag);
  switch (s->which) {
  case P_ECB_AES:
    return ce_ecb_crypt(CE_BLOCK_AES, 1, s->key, 16, s->in, 32, s->out);
  case P_ECB_SM4:
    return ce_ecb_crypt(CE_BLOCK_SM4, 0, s->key, 16, s->in, 32, s->out);
  case P_XTS:
    return ce_xts_crypt(1, s->key, 64, s->iv, s->in, 37, s->out);
  case P_GCM_ENC:
    return ce_gcm_encrypt(s->key, 16, s->iv, 12, s->aad, 20, s->in, 40, s->out,
                          s->tag, 16);
  case P_GCM_DEC:
    return ce_gcm_decrypt(s->key, 16, s->iv, 12, s->aad, 20, gcm_ct, 40,
                          gcm_tag, 16, s->out);
  case P_GMAC_ENC:
    return ce_gcm_encrypt(s->key, 32, s->iv, 16, s->aad, 20, NULL, 0, NULL,
                          s->tag, 12);
  case P_HKDF:
    return ce_hkdf_sha256(s->iv, 16, s->key, 22, s->aad, 20, s->out, 64);
  case P_HKDF_EXTRACT:
    return ce_hkdf_sha256_extract(NULL, 0, s->key, 22, s->out);
  case P_HKDF_EXPAND:
    return ce_hkdf_sha256_expand(s->key, 32, s->aad, 20, s->out, 40);
  case P_PBKDF2:
    return ce_pbkdf2_sha256(s->key, 10, s->iv, 16, 2, s->out, 40);
  default: {
    ce_config cfg;
    cfg_for(&cfg, o->mode);
    ce_derived d;
    memset(&d, 0xc4, sizeof d);
    ce_derived snap = d;
    int st = ce_derive(&cfg, &d);
    if (st != CE_OK && memcmp(&d, &snap, sizeof d) != 0)
      s->out[0] ^= 1; /* reported as a changed output */
    ce_wipe(&d, sizeof d);
    return st;
  }
  }
}

static void check_prim(op *o, int f, int how, unsigned long nth, int st) {
  prim_state *s = o->state;
  int want = s->which == P_GCM_DEC && f == F_CIPHER_FINAL ? CE_ERR_AUTH_FAILED
                                                          : want_for(f, how);
  CE_CHECK_STATUS(st, want, WHERE(o, f, how, nth));
  CE_CHECK(memcmp(s->out, s->snap, sizeof s->out) == 0 &&
               memcmp(s->tag, s->tag_snap, sizeof s->tag) == 0,
           "output changed: " WHERE(o, f, how, nth));
}

static void test_primitives(void) {
  prim_state s;
  memset(&s, 0, sizeof s);
  fill(s.key, sizeof s.key, 1);
  fill(s.in, sizeof s.in, 2);
  fill(s.iv, sizeof s.iv, 3);
  fill(s.aad, sizeof s.aad, 4);
  if (ce_gcm_encrypt(s.key, 16, s.iv, 12, s.aad, 20, s.in, 40, gcm_ct, gcm_tag,
                     16) != CE_OK)
    exit(2);
  for (int p = 0; p < P_COUNT; p++) {
    if (p == P_ECB_SM4 && ce_mode_supported(CE_MODE_SM4_128_ECB) != CE_OK) {
      CE_SKIP(1);
      continue;
    }
    int modes = p == P_DERIVE ? 8 : 1;
    for (int m = 1; m <= modes; m++) {
      if (p == P_DERIVE && ce_mode_supported(m) != CE_OK)
        continue;
      s.which = p;
      /* The GCM primitive ignores the output length of its update (GCM
         outputs what it is given): SHORT does not apply. */
      op o = {p_names[p], run_prim,
              check_prim, p == P_GCM_ENC || p == P_GCM_DEC || p == P_GMAC_ENC,
              m,          0,
              &s,         NULL};
      CE_CHECK(each_failure(&o) > 0, "%s calls OpenSSL", p_names[p]);
      CE_CHECK_STATUS(run_prim(&o), CE_OK, "%s (m%d) unarmed", p_names[p], m);
    }
  }
}

int main(void) {
  test_contexts();
  /* Contexts on every other backend usable here (each serves only some
     modes: test_contexts skips the rest). */
  for (int b = CE_BACKEND_IPSECMB; b <= CE_BACKEND_SM4SIMD; b++) {
    int unused,
        m = b == CE_BACKEND_IPSECMB ? CE_MODE_AES_128_GCM : CE_MODE_SM4_128_ECB;
    if (ce_backend_select(b, m, &unused) == CE_OK) {
      g_backend = b;
      test_contexts();
      g_backend = CE_BACKEND_OPENSSL;
    } else {
      printf("%s backend not built in or not usable here: its contexts not "
             "tested\n",
             ce_backend_name(b));
    }
  }
  test_packet_path();
  test_channel();
  test_primitives();
  printf("test_openssl_failures: %lu OpenSSL failures injected\n",
         failures_total);
  return ce_test_finish("test_openssl_failures");
}
