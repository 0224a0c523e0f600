/*
 * test_faults.c - every error path, proven (built only with
 * -DCE_FAULT_INJECTION=ON; scripts/test.sh runs it under ASan+LSan).
 *
 * Every OpenSSL call, allocation and lock initialisation in ref/src is a
 * fault site (internal.h, CE__FAULT). For each operation below, and each
 * mode, in place and out of place, the test arms site 1, 2, 3, ... of that
 * operation's path until an armed run completes without the fault firing
 * (then every site on the path has failed once). After each injected
 * failure it checks:
 *  - the documented status (CE_ERR_INTERNAL; CE_ERR_AUTH_FAILED when the
 *    site is the GCM tag check itself; the SDK's -1 for enable_encryption);
 *  - the caller's buffers and lengths are exactly as they were;
 *  - no leak (LeakSanitizer, at exit, in the ASan stage);
 *  - the same context still produces byte-exact frames (compared with a
 *    context that never saw a fault) and still opens genuine ones;
 *  - protect consumed its packet number once the seal had started
 *    (finding 6), and not before.
 * The SFrame sections (one per suite 1-8) do the same for
 * ce_sframe_ctx_new, ce_sframe_add_key (a new key; replacing a key, after
 * which the old key must still work; re-adding the same key),
 * ce_sframe_derive, the one-shot AEADs, ce_sframe_protect(_into) (the CTR
 * is consumed once the seal starts, docs/sframe.md 7.2: every site of
 * protect is inside the seal) and ce_sframe_unprotect(_into) (a failed
 * frame is not recorded by the replay window). The SFrame tag check that
 * can fail is GCM's (sframe.gcm.open_final, CE_ERR_AUTH_FAILED); the
 * CTR+HMAC tag comparison is CRYPTO_memcmp, not a fault site, and a failed
 * HMAC computation is CE_ERR_INTERNAL.
 *
 * The GCM modes and SM4_128_ECB run once per cipher backend built in and
 * usable here (OpenSSL; intel-ipsec-mb for GCM, sm4-simd for SM4). The
 * ipsec-mb backend's sites are all at context creation and duplication
 * (its state, the IMB_MGR and its setup, the key expansion), sm4-simd has
 * none of its own: their packet paths call nothing that can fail, and the
 * loops below prove they have no site there. A backend hidden through the
 * testing interface (a CPU without AES-NI, or without a vectorized SM4)
 * must make CE_BACKEND_AUTO choose OpenSSL and the named backend be
 * refused (test_hidden_backend).
 */
#include "ce_test.h"

#include "chanenc.h"
#include "chanenc_channel.h"
#include "chanenc_testing.h"
#include "chanenc_sframe.h"
#include "chanenc_sframe_testing.h"

#include <stdlib.h>
#include <string.h>

static unsigned long faults_total;

static const uint8_t salt[CE_SALT_LEN] = {9, 8, 7};

/* The backend of the configs below (main runs each mode per backend that
   serves it). */
static int g_backend = CE_BACKEND_OPENSSL;

static void cfg_for(int mode, ce_config *cfg) {
  ce_config_init(cfg);
  cfg->mode = mode;
  cfg->backend = g_backend;
  ce_config_set_key_str(cfg, "fault-key");
  memcpy(cfg->salt, salt, sizeof salt);
}

static void fill(uint8_t *p, size_t n, unsigned seed) {
  for (size_t i = 0; i < n; i++)
    p[i] = (uint8_t)(seed + i * 13u);
}

/* The status an injected failure at site must produce. */
static ce_status want_for(const char *site) {
  if (strcmp(site, "gcm.open.final") == 0 ||
      strcmp(site, "sframe.gcm.open_final") == 0)
    return CE_ERR_AUTH_FAILED; /* the tag check itself said no */
  return CE_ERR_INTERNAL;
}

/* Runs body(k) for k = 1, 2, ... with the k-th site armed, until a run
   fires nothing. body returns its status; check(k, site, st) is called for
   every run that fired. Returns the number of sites. Each run starts as
   in a fresh process (ce_testing_backend_reset), so that the sites of what
   the backends set up once per process are on the path too. */
#define FOR_EACH_FAULT(k, site, ...)                                           \
  for (unsigned long k = 1;; k++) {                                            \
    ce_testing_backend_reset();                                                \
    ce_testing_fault_arm(k);                                                   \
    __VA_ARGS__;                                                               \
    const char *site = ce_testing_fault_fired();                               \
    ce_testing_fault_arm(0);                                                   \
    if (site == NULL)                                                          \
      break;                                                                   \
    faults_total++;

#define END_FOR_EACH_FAULT }

/* ------------------------------------------------------------------ */
/* Context creation                                                    */
/* ------------------------------------------------------------------ */

static void test_ctx_new(int mode) {
  ce_config cfg;
  cfg_for(mode, &cfg);
  ce_ctx *ctx = (ce_ctx *)&cfg; /* must become NULL on failure */
  ce_status st;
  unsigned long sites = 0;
  FOR_EACH_FAULT(k, site, st = ce_ctx_new(&cfg, &ctx))
  sites++;
  CE_CHECK_STATUS(st, want_for(site), "ctx_new m%d site %lu (%s)", mode, k,
                  site);
  CE_CHECK(ctx == NULL, "ctx_new m%d: *out not NULL after failure", mode);
  END_FOR_EACH_FAULT
  CE_CHECK_STATUS(st, CE_OK, "ctx_new m%d after all sites", mode);
  CE_CHECK(sites >= 5, "ctx_new m%d reached only %lu sites", mode, sites);
  ce_ctx *dup = (ce_ctx *)&cfg;
  sites = 0;
  FOR_EACH_FAULT(k, site, st = ce_ctx_dup(ctx, &dup))
  sites++;
  CE_CHECK_STATUS(st, CE_ERR_INTERNAL, "dup m%d site %s", mode, site);
  CE_CHECK(dup == NULL, "dup m%d: *out not NULL after failure", mode);
  END_FOR_EACH_FAULT
  CE_CHECK_STATUS(st, CE_OK, "dup m%d", mode);
  CE_CHECK(sites >= 4, "dup m%d reached only %lu sites", mode, sites);
  ce_ctx_free(dup);
  ce_ctx_free(ctx);
}

/* ------------------------------------------------------------------ */
/* Packet path                                                         */
/* ------------------------------------------------------------------ */

/* After a failure: ctx must still make the frame ref makes, and open it. */
static void check_still_exact(ce_ctx *ctx, ce_ctx *ref, int mode,
                              const char *what) {
  uint8_t a[128], b[128];
  size_t la = 37, lb = 37;
  fill(a, la, 99);
  memcpy(b, a, lb);
  CE_CHECK_STATUS(ce_testing_protect_pn(ctx, 1234, a, &la, sizeof a), CE_OK,
                  "%s m%d: protect after fault", what, mode);
  CE_CHECK_STATUS(ce_testing_protect_pn(ref, 1234, b, &lb, sizeof b), CE_OK,
                  "ref");
  CE_CHECK(la == lb && memcmp(a, b, la) == 0,
           "%s m%d: frame after a fault is not byte-exact", what, mode);
  CE_CHECK_STATUS(ce_unprotect(ctx, a, &la), CE_OK,
                  "%s m%d: unprotect after fault", what, mode);
  fill(b, 37, 99);
  CE_CHECK(la == 37 && memcmp(a, b, 37) == 0, "%s m%d: payload", what, mode);
}

static void test_protect(int mode, size_t n) {
  ce_config cfg;
  cfg_for(mode, &cfg);
  ce_ctx *ctx = NULL, *ref = NULL;
  if (ce_ctx_new(&cfg, &ctx) != CE_OK || ce_ctx_dup(ctx, &ref) != CE_OK)
    exit(2);
  int has_pn = ce_mode_family(mode) != CE_FAMILY_ECB;
  for (int form = 0; form < 2; form++) {
    uint8_t buf[256], copy[256], out[256], out_copy[256];
    size_t len, out_len;
    ce_status st;
    FOR_EACH_FAULT(k, site, fill(buf, sizeof buf, (unsigned)(k + n));
                   memcpy(copy, buf, sizeof buf); memset(out, 0x3c, sizeof out);
                   memcpy(out_copy, out, sizeof out); len = n;
                   out_len = sizeof out;
                   uint64_t pn_before = ce_ctx_next_pn(ctx);
                   st = form == 0 ? ce_protect(ctx, buf, &len, sizeof buf)
                                  : ce_protect_into(ctx, buf, n, out, &out_len);
                   uint64_t pn_after = ce_ctx_next_pn(ctx))
    CE_CHECK_STATUS(st, want_for(site), "protect m%d form %d site %s", mode,
                    form, site);
    CE_CHECK(len == n && memcmp(buf, copy, sizeof buf) == 0,
             "protect m%d form %d site %s: buffer changed", mode, form, site);
    CE_CHECK(out_len == sizeof out && memcmp(out, out_copy, sizeof out) == 0,
             "protect_into m%d site %s: out changed", mode, site);
    /* Finding 6: consumed once the seal started (every site of protect is
       inside the seal). */
    CE_CHECK(pn_after == pn_before + (uint64_t)has_pn,
             "protect m%d site %s: packet number %s", mode, site,
             pn_after == pn_before ? "not consumed" : "consumed twice");
    check_still_exact(ctx, ref, mode, "protect");
    END_FOR_EACH_FAULT
    CE_CHECK_STATUS(st, CE_OK, "protect m%d form %d", mode, form);
  }
  ce_ctx_free(ref);
  ce_ctx_free(ctx);
}

static void test_unprotect(int mode, size_t n) {
  ce_config cfg;
  cfg_for(mode, &cfg);
  ce_ctx *ctx = NULL, *ref = NULL;
  if (ce_ctx_new(&cfg, &ctx) != CE_OK || ce_ctx_dup(ctx, &ref) != CE_OK)
    exit(2);
  uint8_t frame[256];
  size_t flen = n;
  fill(frame, n, 5);
  if (ce_protect(ctx, frame, &flen, sizeof frame) != CE_OK)
    exit(2);
  for (int form = 0; form < 3; form++) { /* in place, into, into in == out */
    uint8_t buf[256], out[256], out_copy[256];
    size_t len, out_len;
    ce_status st;
    FOR_EACH_FAULT(
        k, site, memcpy(buf, frame, flen); memset(out, 0x3c, sizeof out);
        memcpy(out_copy, out, sizeof out); len = flen; out_len = sizeof out;
        st = form == 0   ? ce_unprotect(ctx, buf, &len)
             : form == 1 ? ce_unprotect_into(ctx, buf, flen, out, &out_len)
                         : ce_unprotect_into(ctx, buf, flen, buf, &len))
    CE_CHECK_STATUS(st, want_for(site), "unprotect m%d form %d site %s", mode,
                    form, site);
    CE_CHECK(len == flen && memcmp(buf, frame, flen) == 0,
             "unprotect m%d form %d site %s: buffer changed", mode, form, site);
    CE_CHECK(out_len == sizeof out && memcmp(out, out_copy, sizeof out) == 0,
             "unprotect_into m%d site %s: out changed", mode, site);
    check_still_exact(ctx, ref, mode, "unprotect");
    END_FOR_EACH_FAULT
    CE_CHECK_STATUS(st, CE_OK, "unprotect m%d form %d", mode, form);
  }
  ce_ctx_free(ref);
  ce_ctx_free(ctx);
}

/* ------------------------------------------------------------------ */
/* Channel                                                             */
/* ------------------------------------------------------------------ */

typedef struct errlog {
  int calls, type, status;
} errlog;

static void on_error(void *user, int type, int status) {
  errlog *e = user;
  e->calls++;
  e->type = type;
  e->status = status;
}

static int obs_keep(void *user, ce_packet *pkt) {
  (void)user;
  (void)pkt;
  return 1;
}

static int obs_drop(void *user, ce_packet *pkt) {
  (void)user;
  (void)pkt;
  return 0;
}

/* A control call that, had it succeeded, would make a later plain send of
   3 bytes fail or come out unencrypted. */
static ce_status control_call(ce_channel *ch, int which,
                              const ce_packet_observer *drop) {
  switch (which) {
  case 0:
    return ce_channel_set_max_wire_size(ch, 5);
  case 1:
    return ce_channel_register_packet_observer(ch, drop, NULL);
  case 2:
    return ce_channel_set_error_callback(ch, NULL, NULL);
  case 3:
    return ce_channel_leave(ch);
  default:
    return ce_channel_join(ch);
  }
}

/* After control_call(which) failed: what it would have changed is as it
   was. 0-3 run on a joined channel with encryption on and on_error set,
   4 on one that has left. */
static void control_state_kept(ce_channel *ch, int which, int mode,
                               errlog *log) {
  uint8_t b[64] = {1, 2, 3};
  size_t blen = 3;
  if (which == 2) {
    /* The error callback is still set: a failing send reports. */
    int calls = log->calls;
    CE_CHECK_STATUS(ce_channel_send(ch, CE_PACKET_AUDIO, b, &blen, 4),
                    CE_ERR_BUFFER_TOO_SMALL, "send with cap 4");
    CE_CHECK(log->calls == calls + 1, "error callback cleared by a failed "
                                      "set_error_callback");
    return;
  }
  ce_status st = ce_channel_send(ch, CE_PACKET_AUDIO, b, &blen, sizeof b);
  if (which == 4) {
    CE_CHECK_STATUS(st, CE_ERR_INVALID_ARGUMENT,
                    "joined by a failed ce_channel_join");
    return;
  }
  CE_CHECK_STATUS(st, CE_OK, "send after failed control call %d", which);
  CE_CHECK(blen == 3 + ce_overhead(mode, 3),
           "control %d: encryption state changed", which);
}

static void test_channel(int mode) {
  ce_config cfg;
  cfg_for(mode, &cfg);
  ce_channel *ch = (ce_channel *)&cfg;
  ce_status st;
  FOR_EACH_FAULT(k, site, st = ce_channel_new(&ch))
  CE_CHECK_STATUS(st, CE_ERR_INTERNAL, "channel_new site %s", site);
  CE_CHECK(ch == NULL, "channel_new: *out not NULL");
  END_FOR_EACH_FAULT
  CE_CHECK_STATUS(st, CE_OK, "channel_new");
  ce_channel *peer = NULL;
  errlog log = {0, 0, 0};
  if (ce_channel_new(&peer) != CE_OK || ce_channel_join(ch) != CE_OK ||
      ce_channel_join(peer) != CE_OK ||
      ce_channel_set_error_callback(ch, on_error, &log) != CE_OK ||
      ce_channel_enable_encryption(peer, 1, &cfg) != CE_SDK_OK)
    exit(2);

  /* enable_encryption: on failure the state is unchanged (still plain). */
  int rc;
  FOR_EACH_FAULT(k, site, rc = ce_channel_enable_encryption(ch, 1, &cfg))
  CE_CHECK(rc == CE_SDK_ERR_FAILED, "enable m%d site %s: %d", mode, site, rc);
  uint8_t b[64] = {1, 2, 3};
  size_t blen = 3;
  CE_CHECK_STATUS(ce_channel_send(ch, CE_PACKET_AUDIO, b, &blen, sizeof b),
                  CE_OK, "plain send");
  CE_CHECK(blen == 3 && b[0] == 1, "still unencrypted after a failed enable");
  END_FOR_EACH_FAULT
  CE_CHECK(rc == CE_SDK_OK, "enable m%d", mode);

  /* The other control calls: each has the control lock as its one site,
     and a failed call changes nothing: control_state_kept checks the one
     thing each call would have changed. Joining is tried on a channel that
     has left (joining a joined channel changes nothing anyway). */
  static const ce_packet_observer drop = {obs_drop, obs_drop, obs_drop,
                                          obs_drop};
  for (int which = 0; which < 5; which++) {
    unsigned long sites = 0;
    if (which == 4 && ce_channel_leave(ch) != CE_OK)
      exit(2);
    FOR_EACH_FAULT(k, site, st = control_call(ch, which, &drop))
    sites++;
    CE_CHECK_STATUS(st, CE_ERR_INTERNAL, "control %d site %s", which, site);
    control_state_kept(ch, which, mode, &log);
    END_FOR_EACH_FAULT
    CE_CHECK(sites == 1, "control %d reached %lu sites", which, sites);
    /* Undo what the successful call did. */
    if (ce_channel_set_max_wire_size(ch, 0) != CE_OK ||
        ce_channel_register_packet_observer(ch, NULL, NULL) != CE_OK ||
        ce_channel_set_error_callback(ch, on_error, &log) != CE_OK ||
        ce_channel_join(ch) != CE_OK ||
        (which >= 3 && ce_channel_enable_encryption(ch, 1, &cfg) != CE_SDK_OK))
      exit(2);
  }

  static const ce_packet_observer obs = {obs_keep, obs_keep, obs_keep,
                                         obs_keep};
  for (int with_obs = 0; with_obs < 2; with_obs++) {
    ce_channel_register_packet_observer(ch, with_obs ? &obs : NULL, NULL);
    uint8_t buf[256], copy[256];
    size_t n = 40, len;
    FOR_EACH_FAULT(
        k, site, fill(buf, sizeof buf, 3); memcpy(copy, buf, sizeof buf);
        len = n; log.calls = 0;
        st = ce_channel_send(ch, CE_PACKET_VIDEO, buf, &len, sizeof buf))
    CE_CHECK_STATUS(st, CE_ERR_INTERNAL, "send m%d site %s", mode, site);
    CE_CHECK(len == n && memcmp(buf, copy, sizeof buf) == 0,
             "send m%d site %s: buffer changed", mode, site);
    CE_CHECK(log.calls == 1 && log.type == 0 && log.status == CE_ERR_INTERNAL,
             "send m%d site %s: error callback", mode, site);
    END_FOR_EACH_FAULT
    CE_CHECK_STATUS(st, CE_OK, "send m%d", mode);
    /* Receive a genuine frame from the peer. */
    uint8_t frame[256];
    size_t flen = 40;
    fill(frame, flen, 8);
    if (ce_channel_send(peer, CE_PACKET_VIDEO, frame, &flen, sizeof frame) !=
        CE_OK)
      exit(2);
    FOR_EACH_FAULT(
        k, site, memcpy(buf, frame, flen); len = flen; log.calls = 0;
        st = ce_channel_receive(ch, CE_PACKET_VIDEO, buf, &len, sizeof buf))
    CE_CHECK_STATUS(st, want_for(site), "receive m%d site %s", mode, site);
    CE_CHECK(len == flen && memcmp(buf, frame, flen) == 0,
             "receive m%d site %s: buffer changed", mode, site);
    CE_CHECK(log.calls == 1 && log.status == (int)want_for(site),
             "receive m%d site %s: error callback", mode, site);
    END_FOR_EACH_FAULT
    CE_CHECK_STATUS(st, CE_OK, "receive m%d", mode);
    uint8_t want[40];
    fill(want, 40, 8);
    CE_CHECK(len == 40 && memcmp(buf, want, 40) == 0, "received payload");
  }
  ce_channel_free(peer);
  ce_channel_free(ch);
}

/* ------------------------------------------------------------------ */
/* Primitives and configuration queries                                */
/* ------------------------------------------------------------------ */

/* Runs a primitive that writes out[0..n) with every site failing in turn:
   the status is the site's, out is unchanged. */
#define PRIM_CASE(name, n, call)                                               \
  do {                                                                         \
    uint8_t out_copy_[512];                                                    \
    ce_status st_;                                                             \
    unsigned long sites_ = 0;                                                  \
    FOR_EACH_FAULT(k, site, memset(out, 0x77, sizeof out);                     \
                   memcpy(out_copy_, out, sizeof out); st_ = (call))           \
    sites_++;                                                                  \
    ce_status w_ = want_for(site);                                             \
    if (strcmp(site, "prim.gcm.final") == 0 && decrypting)                     \
      w_ = CE_ERR_AUTH_FAILED;                                                 \
    CE_CHECK_STATUS(st_, w_, "%s site %s", name, site);                        \
    CE_CHECK(memcmp(out, out_copy_, sizeof out) == 0,                          \
             "%s site %s: out changed", name, site);                           \
    END_FOR_EACH_FAULT                                                         \
    CE_CHECK_STATUS(st_, CE_OK, "%s", name);                                   \
    CE_CHECK(sites_ >= 1, "%s reached no site", name);                         \
    (void)(n);                                                                 \
  } while (0)

static void test_primitives(void) {
  uint8_t key[64], iv[16], in[64], out[128], tag[16], prk[32];
  fill(key, sizeof key, 1);
  fill(iv, sizeof iv, 2);
  fill(in, sizeof in, 3);
  int decrypting = 0;
  PRIM_CASE("ecb aes", 32, ce_ecb_crypt(CE_BLOCK_AES, 1, key, 16, in, 32, out));
  PRIM_CASE("ecb sm4", 32, ce_ecb_crypt(CE_BLOCK_SM4, 0, key, 16, in, 32, out));
  PRIM_CASE("xts", 40, ce_xts_crypt(1, key, 32, iv, in, 40, out));
  PRIM_CASE("gcm encrypt", 40,
            ce_gcm_encrypt(key, 16, iv, 12, in, 5, in, 40, out, out + 64, 16));
  uint8_t ct[40];
  if (ce_gcm_encrypt(key, 16, iv, 12, in, 5, in, 40, ct, tag, 16) != CE_OK)
    exit(2);
  decrypting = 1;
  PRIM_CASE("gcm decrypt", 40,
            ce_gcm_decrypt(key, 16, iv, 12, in, 5, ct, 40, tag, 16, out));
  decrypting = 0;
  /* Each GCM backend's own operations (chanenc_testing.h). */
  for (int b = CE_BACKEND_OPENSSL; b <= CE_BACKEND_IPSECMB; b++) {
    int chosen;
    if (ce_backend_select(b, CE_MODE_AES_128_GCM, &chosen) != CE_OK)
      continue;
    PRIM_CASE(ce_backend_name(b), 40,
              ce_testing_gcm_backend_encrypt(b, key, 32, iv, 12, in, 10, in, 40,
                                             out, out + 64, 16));
    PRIM_CASE(ce_backend_name(b), 40,
              ce_testing_gcm_backend_decrypt(b, key, 16, iv, 12, in, 5, ct, 40,
                                             tag, 16, out));
  }
  /* Each ECB backend's own block cipher (chanenc_testing.h). */
  for (int b = CE_BACKEND_OPENSSL; b <= CE_BACKEND_SM4SIMD; b++) {
    int chosen;
    if (b == CE_BACKEND_IPSECMB ||
        ce_backend_select(b, CE_MODE_SM4_128_ECB, &chosen) != CE_OK)
      continue;
    PRIM_CASE(
        ce_backend_name(b), 32,
        ce_testing_ecb_backend_crypt(b, CE_BLOCK_SM4, 1, key, 16, in, 32, out));
    PRIM_CASE(
        ce_backend_name(b), 48,
        ce_testing_ecb_backend_crypt(b, CE_BLOCK_SM4, 0, key, 16, in, 48, out));
  }
  PRIM_CASE("openssl ecb aes", 16,
            ce_testing_ecb_backend_crypt(CE_BACKEND_OPENSSL, CE_BLOCK_AES, 1,
                                         key, 16, in, 16, out));
  PRIM_CASE("hkdf", 100, ce_hkdf_sha256(iv, 16, key, 32, in, 10, out, 100));
  PRIM_CASE("hkdf extract", 32, ce_hkdf_sha256_extract(iv, 16, key, 32, out));
  fill(prk, sizeof prk, 4);
  PRIM_CASE("hkdf expand", 70, ce_hkdf_sha256_expand(prk, 32, in, 3, out, 70));
  PRIM_CASE("pbkdf2", 48, ce_pbkdf2_sha256(key, 8, iv, 16, 3, out, 48));

  /* Queries: a failed fetch that is not "unsupported" is INTERNAL. */
  ce_status st;
  FOR_EACH_FAULT(k, site, st = ce_mode_supported(CE_MODE_SM4_128_ECB))
  CE_CHECK_STATUS(st, CE_ERR_INTERNAL, "mode_supported site %s", site);
  END_FOR_EACH_FAULT
  CE_CHECK_STATUS(st, CE_OK, "mode_supported");
  for (int mode = 1; mode <= 8; mode++) {
    ce_config cfg;
    cfg_for(mode, &cfg);
    ce_derived d, copy;
    FOR_EACH_FAULT(k, site, memset(&d, 0x41, sizeof d);
                   memcpy(&copy, &d, sizeof d); st = ce_derive(&cfg, &d))
    CE_CHECK_STATUS(st, CE_ERR_INTERNAL, "derive m%d site %s", mode, site);
    CE_CHECK(memcmp(&d, &copy, sizeof d) == 0, "derive: *out changed");
    END_FOR_EACH_FAULT
    CE_CHECK_STATUS(st, CE_OK, "derive m%d", mode);
  }
}

/* ------------------------------------------------------------------ */
/* SFrame (RFC 9605)                                                   */
/* ------------------------------------------------------------------ */

static const uint8_t sf_key_a[16] = {0xa1, 0xa2, 0xa3, 0xa4, 5, 6, 7, 8, 9};
static const uint8_t sf_key_b[20] = {0xb1, 0xb2, 0xb3};
static const uint8_t sf_meta[] = {'f', 'a', 'u', 'l', 't'};

static ce_sframe_ctx *sf_new(int suite) {
  ce_sframe_ctx *c = NULL;
  if (ce_sframe_ctx_new(suite, &c) != CE_OK)
    exit(2);
  return c;
}

static void sf_add(ce_sframe_ctx *c, uint64_t kid, int usage,
                   const uint8_t *key, size_t key_len) {
  if (ce_sframe_add_key(c, kid, usage, key, key_len) != CE_OK)
    exit(2);
}

/* ctx and ref hold send keys for kid from the same base key: a frame with
   an explicit CTR must be byte-exact, and open with rx (when not NULL). */
static void sf_check_exact(ce_sframe_ctx *ctx, ce_sframe_ctx *ref,
                           ce_sframe_ctx *rx, uint64_t kid, uint64_t ctr,
                           int suite, const char *what, const char *site) {
  uint8_t a[128], b[128], want[128];
  size_t la = 37, lb = 37;
  fill(a, la, 77);
  memcpy(b, a, lb);
  memcpy(want, a, la);
  CE_CHECK_STATUS(ce_testing_sframe_protect_ctr(
                      ctx, kid, ctr, sf_meta, sizeof sf_meta, a, &la, sizeof a),
                  CE_OK, "sframe %s s%d site %s: protect after the fault", what,
                  suite, site);
  CE_CHECK_STATUS(ce_testing_sframe_protect_ctr(
                      ref, kid, ctr, sf_meta, sizeof sf_meta, b, &lb, sizeof b),
                  CE_OK, "sframe ref");
  CE_CHECK(la == lb && memcmp(a, b, la) == 0,
           "sframe %s s%d site %s: frame after a fault is not byte-exact", what,
           suite, site);
  if (rx != NULL) {
    CE_CHECK_STATUS(
        ce_sframe_unprotect(rx, sf_meta, sizeof sf_meta, a, &la, NULL, NULL),
        CE_OK, "sframe %s s%d site %s: open after the fault", what, suite,
        site);
    CE_CHECK(la == 37 && memcmp(a, want, 37) == 0,
             "sframe %s s%d site %s: payload", what, suite, site);
  }
}

static void test_sframe_ctx_new(int suite) {
  ce_sframe_ctx *ctx = (ce_sframe_ctx *)&ctx; /* must become NULL */
  ce_status st;
  unsigned long sites = 0;
  FOR_EACH_FAULT(k, site, st = ce_sframe_ctx_new(suite, &ctx))
  sites++;
  CE_CHECK_STATUS(st, CE_ERR_INTERNAL, "sframe ctx_new s%d site %lu (%s)",
                  suite, k, site);
  CE_CHECK(ctx == NULL, "sframe ctx_new s%d: *out not NULL after failure",
           suite);
  END_FOR_EACH_FAULT
  CE_CHECK_STATUS(st, CE_OK, "sframe ctx_new s%d after all sites", suite);
  CE_CHECK(sites >= 4, "sframe ctx_new s%d reached only %lu sites", suite,
           sites);
  CE_CHECK(ce_sframe_ctx_suite(ctx) == suite, "suite");
  ce_sframe_ctx_free(ctx);
}

static void test_sframe_derive(int suite) {
  ce_sframe_derived d, copy;
  ce_status st;
  unsigned long sites = 0;
  FOR_EACH_FAULT(
      k, site, memset(&d, 0x41, sizeof d); memcpy(&copy, &d, sizeof d);
      st = ce_sframe_derive(suite, 291, sf_key_a, sizeof sf_key_a, &d))
  sites++;
  CE_CHECK_STATUS(st, CE_ERR_INTERNAL, "sframe derive s%d site %s", suite,
                  site);
  CE_CHECK(memcmp(&d, &copy, sizeof d) == 0,
           "sframe derive s%d site %s: *out changed", suite, site);
  END_FOR_EACH_FAULT
  CE_CHECK_STATUS(st, CE_OK, "sframe derive s%d", suite);
  CE_CHECK(sites >= 6, "sframe derive s%d reached only %lu sites", suite,
           sites);
  /* The same values as a derivation that never saw a fault. */
  ce_sframe_derived again;
  CE_CHECK_STATUS(
      ce_sframe_derive(suite, 291, sf_key_a, sizeof sf_key_a, &again), CE_OK,
      "derive");
  CE_CHECK(memcmp(&d, &again, sizeof d) == 0, "sframe derive s%d differs",
           suite);
  ce_wipe(&d, sizeof d);
  ce_wipe(&again, sizeof again);
}

static void test_sframe_aead(int suite) {
  const ce_sframe_suite_info *si = ce_sframe_suite_get(suite);
  uint8_t key[96], nonce[12], in[64], out[128], ct[128];
  fill(key, sizeof key, 21);
  fill(nonce, sizeof nonce, 22);
  fill(in, sizeof in, 23);
  for (int withaad = 0; withaad < 2; withaad++) {
    size_t n = withaad ? 40 : 0, alen = withaad ? sizeof sf_meta : 0;
    const uint8_t *aad = withaad ? sf_meta : NULL;
    if (ce_sframe_aead_encrypt(suite, key, si->nk, nonce, aad, alen, in, n,
                               ct) != CE_OK)
      exit(2);
    int decrypting = 0;
    PRIM_CASE("sframe aead encrypt", n,
              ce_sframe_aead_encrypt(suite, key, si->nk, nonce, aad, alen, in,
                                     n, out));
    CE_CHECK(memcmp(out, ct, n + si->nt) == 0, "sframe encrypt s%d", suite);
    decrypting = 1;
    PRIM_CASE("sframe aead decrypt", n,
              ce_sframe_aead_decrypt(suite, key, si->nk, nonce, aad, alen, ct,
                                     n + si->nt, out));
    CE_CHECK(memcmp(out, in, n) == 0, "sframe decrypt s%d", suite);
    (void)decrypting;
  }
}

/* add_key: a new key (send and receive), replacing a key with another base
   key (the old one must go on working), re-adding the same base key (the
   counter must stay). */
static void test_sframe_add_key(int suite) {
  ce_sframe_ctx *ctx = sf_new(suite), *ref = sf_new(suite), *rx = sf_new(suite);
  ce_status st;
  uint64_t ctr = 0;
  /* A new send key, in an empty table (the table's allocation too). */
  FOR_EACH_FAULT(k, site,
                 st = ce_sframe_add_key(ctx, 300, CE_SFRAME_SEND, sf_key_a,
                                        sizeof sf_key_a))
  CE_CHECK_STATUS(st, CE_ERR_INTERNAL, "sframe add new s%d site %s", suite,
                  site);
  CE_CHECK_STATUS(ce_sframe_next_ctr(ctx, 300, &ctr), CE_ERR_UNKNOWN_KID,
                  "sframe add new s%d site %s: a key appeared", suite, site);
  END_FOR_EACH_FAULT
  CE_CHECK_STATUS(st, CE_OK, "sframe add new s%d", suite);
  /* A new receive key. */
  FOR_EACH_FAULT(k, site,
                 st = ce_sframe_add_key(rx, 300, CE_SFRAME_RECEIVE, sf_key_a,
                                        sizeof sf_key_a))
  CE_CHECK_STATUS(st, CE_ERR_INTERNAL, "sframe add rx s%d site %s", suite,
                  site);
  END_FOR_EACH_FAULT
  CE_CHECK_STATUS(st, CE_OK, "sframe add rx s%d", suite);
  sf_add(ref, 300, CE_SFRAME_SEND, sf_key_a, sizeof sf_key_a);
  sf_check_exact(ctx, ref, rx, 300, 5, suite, "add new", "-");

  /* Send three frames: the counter stands at 3. */
  for (int i = 0; i < 3; i++) {
    uint8_t f[64];
    size_t n = 4;
    memset(f, i, n);
    if (ce_sframe_protect(ctx, 300, NULL, 0, f, &n, sizeof f) != CE_OK)
      exit(2);
  }
  /* Replace the send key with another base key: on failure the old key,
     its counter included, is still there. */
  FOR_EACH_FAULT(k, site,
                 st = ce_sframe_add_key(ctx, 300, CE_SFRAME_SEND, sf_key_b,
                                        sizeof sf_key_b))
  CE_CHECK_STATUS(st, CE_ERR_INTERNAL, "sframe replace s%d site %s", suite,
                  site);
  CE_CHECK(ce_sframe_next_ctr(ctx, 300, &ctr) == CE_OK && ctr == 3,
           "sframe replace s%d site %s: counter lost", suite, site);
  sf_check_exact(ctx, ref, rx, 300, 100 + k, suite, "replace", site);
  END_FOR_EACH_FAULT
  CE_CHECK_STATUS(st, CE_OK, "sframe replace s%d", suite);
  CE_CHECK(ce_sframe_next_ctr(ctx, 300, &ctr) == CE_OK && ctr == 0,
           "sframe replace s%d: a new key starts at 0", suite);
  /* Replace the receive key: on failure it still opens the old key's
     frames. */
  uint8_t f[64];
  size_t n;
  FOR_EACH_FAULT(k, site,
                 st = ce_sframe_add_key(rx, 300, CE_SFRAME_RECEIVE, sf_key_b,
                                        sizeof sf_key_b))
  CE_CHECK_STATUS(st, CE_ERR_INTERNAL, "sframe replace rx s%d site %s", suite,
                  site);
  n = 9;
  fill(f, n, 3);
  CE_CHECK(ce_testing_sframe_protect_ctr(ref, 300, 200 + k, NULL, 0, f, &n,
                                         sizeof f) == CE_OK &&
               ce_sframe_unprotect(rx, NULL, 0, f, &n, NULL, NULL) == CE_OK,
           "sframe replace rx s%d site %s: the old key no longer opens", suite,
           site);
  END_FOR_EACH_FAULT
  CE_CHECK_STATUS(st, CE_OK, "sframe replace rx s%d", suite);

  /* Re-adding the same base key (derivation only): on failure, and on
     success, the counter stays. */
  ce_sframe_ctx_free(ref);
  ref = sf_new(suite);
  sf_add(ref, 300, CE_SFRAME_SEND, sf_key_b, sizeof sf_key_b);
  n = 0;
  if (ce_sframe_protect(ctx, 300, NULL, 0, f, &n, sizeof f) != CE_OK)
    exit(2);
  FOR_EACH_FAULT(k, site,
                 st = ce_sframe_add_key(ctx, 300, CE_SFRAME_SEND, sf_key_b,
                                        sizeof sf_key_b))
  CE_CHECK_STATUS(st, CE_ERR_INTERNAL, "sframe re-add s%d site %s", suite,
                  site);
  CE_CHECK(ce_sframe_next_ctr(ctx, 300, &ctr) == CE_OK && ctr == 1,
           "sframe re-add s%d site %s: counter", suite, site);
  sf_check_exact(ctx, ref, rx, 300, 300 + k, suite, "re-add", site);
  END_FOR_EACH_FAULT
  CE_CHECK_STATUS(st, CE_OK, "sframe re-add s%d", suite);
  CE_CHECK(ce_sframe_next_ctr(ctx, 300, &ctr) == CE_OK && ctr == 1,
           "sframe re-add s%d: the counter must continue", suite);
  ce_sframe_ctx_free(rx);
  ce_sframe_ctx_free(ref);
  ce_sframe_ctx_free(ctx);
}

static void test_sframe_protect(int suite, size_t n, int with_meta) {
  const uint64_t kid = 0x1234;
  ce_sframe_ctx *ctx = sf_new(suite), *ref = sf_new(suite), *rx = sf_new(suite);
  sf_add(ctx, kid, CE_SFRAME_SEND, sf_key_a, sizeof sf_key_a);
  sf_add(ref, kid, CE_SFRAME_SEND, sf_key_a, sizeof sf_key_a);
  sf_add(rx, kid, CE_SFRAME_RECEIVE, sf_key_a, sizeof sf_key_a);
  const uint8_t *meta = with_meta ? sf_meta : NULL;
  size_t mlen = with_meta ? sizeof sf_meta : 0;
  for (int form = 0; form < 2; form++) {
    uint8_t buf[256], copy[256], out[256], out_copy[256];
    size_t len, out_len;
    uint64_t before = 0, after = 0;
    ce_status st;
    unsigned long sites = 0;
    FOR_EACH_FAULT(
        k, site, fill(buf, sizeof buf, (unsigned)(k + n));
        memcpy(copy, buf, sizeof buf); memset(out, 0x3c, sizeof out);
        memcpy(out_copy, out, sizeof out); len = n; out_len = sizeof out;
        (void)ce_sframe_next_ctr(ctx, kid, &before);
        st = form == 0 ? ce_sframe_protect(ctx, kid, meta, mlen, buf, &len,
                                           sizeof buf)
                       : ce_sframe_protect_into(ctx, kid, meta, mlen, buf, n,
                                                out, &out_len);
        (void)ce_sframe_next_ctr(ctx, kid, &after))
    sites++;
    CE_CHECK_STATUS(st, CE_ERR_INTERNAL, "sframe protect s%d form %d site %s",
                    suite, form, site);
    CE_CHECK(len == n && memcmp(buf, copy, sizeof buf) == 0,
             "sframe protect s%d form %d site %s: buffer changed", suite, form,
             site);
    CE_CHECK(out_len == sizeof out && memcmp(out, out_copy, sizeof out) == 0,
             "sframe protect_into s%d site %s: out changed", suite, site);
    /* docs/sframe.md 7.2: consumed once the seal starts, whatever its
       outcome; every site of protect is inside the seal. */
    CE_CHECK(after == before + 1, "sframe protect s%d site %s: CTR %s", suite,
             site, after == before ? "not consumed" : "consumed twice");
    sf_check_exact(ctx, ref, rx, kid, 1000 + k, suite, "protect", site);
    END_FOR_EACH_FAULT
    CE_CHECK_STATUS(st, CE_OK, "sframe protect s%d form %d", suite, form);
    CE_CHECK(sites >= 2, "sframe protect s%d reached only %lu sites", suite,
             sites);
    /* The frame the last call made is the one ref makes with its CTR. */
    uint8_t want[256];
    size_t wl = n;
    fill(want, sizeof want, (unsigned)(sites + 1 + n));
    CE_CHECK_STATUS(ce_testing_sframe_protect_ctr(ref, kid, before, meta, mlen,
                                                  want, &wl, sizeof want),
                    CE_OK, "ref");
    const uint8_t *got = form == 0 ? buf : out;
    size_t got_len = form == 0 ? len : out_len;
    CE_CHECK(got_len == wl && memcmp(got, want, wl) == 0,
             "sframe protect s%d form %d: frame after the faults", suite, form);
  }
  ce_sframe_ctx_free(rx);
  ce_sframe_ctx_free(ref);
  ce_sframe_ctx_free(ctx);
}

static void test_sframe_unprotect(int suite, size_t n, int with_meta) {
  const uint64_t kid = 9;
  ce_sframe_ctx *tx = sf_new(suite), *ref = sf_new(suite), *rx = sf_new(suite);
  sf_add(tx, kid, CE_SFRAME_SEND, sf_key_b, sizeof sf_key_b);
  sf_add(ref, kid, CE_SFRAME_SEND, sf_key_b, sizeof sf_key_b);
  sf_add(rx, kid, CE_SFRAME_RECEIVE, sf_key_b, sizeof sf_key_b);
  /* Window on: a failed frame must not be recorded (else the final,
     successful attempt would be REPLAYED). */
  if (ce_sframe_set_replay_window(rx, 64) != CE_OK)
    exit(2);
  const uint8_t *meta = with_meta ? sf_meta : NULL;
  size_t mlen = with_meta ? sizeof sf_meta : 0;
  for (int form = 0; form < 3; form++) { /* in place, into, into in == out */
    uint8_t frame[256], payload[256];
    size_t flen = n;
    fill(payload, n, (unsigned)(form + 40));
    memcpy(frame, payload, n);
    /* The checks below send CTRs F + 1, F + 2, ... (F the frame's), so
       the frame stays within the window until it is accepted. */
    const uint64_t fctr = 10000u * (uint64_t)(form + 1);
    if (ce_testing_sframe_protect_ctr(tx, kid, fctr, meta, mlen, frame, &flen,
                                      sizeof frame) != CE_OK)
      exit(2);
    uint8_t buf[256], out[256], out_copy[256];
    size_t len, out_len;
    uint64_t got_kid, got_ctr;
    ce_status st;
    unsigned long sites = 0;
    FOR_EACH_FAULT(
        k, site, memcpy(buf, frame, flen); memset(out, 0x3c, sizeof out);
        memcpy(out_copy, out, sizeof out); len = flen; out_len = sizeof out;
        got_kid = got_ctr = 77;
        st = form == 0 ? ce_sframe_unprotect(rx, meta, mlen, buf, &len,
                                             &got_kid, &got_ctr)
             : form == 1
                 ? ce_sframe_unprotect_into(rx, meta, mlen, buf, flen, out,
                                            &out_len, &got_kid, &got_ctr)
                 : ce_sframe_unprotect_into(rx, meta, mlen, buf, flen, buf,
                                            &len, &got_kid, &got_ctr))
    sites++;
    CE_CHECK_STATUS(st, want_for(site), "sframe unprotect s%d form %d site %s",
                    suite, form, site);
    CE_CHECK(len == flen && memcmp(buf, frame, flen) == 0,
             "sframe unprotect s%d form %d site %s: buffer changed", suite,
             form, site);
    CE_CHECK(out_len == sizeof out && memcmp(out, out_copy, sizeof out) == 0,
             "sframe unprotect_into s%d site %s: out changed", suite, site);
    CE_CHECK(got_kid == 77 && got_ctr == 77,
             "sframe unprotect s%d site %s: kid/ctr written", suite, site);
    /* The receiver still opens what a fault-free sender makes. */
    CE_CHECK(k < 64, "sframe unprotect s%d: too many sites", suite);
    sf_check_exact(ref, ref, rx, kid, fctr + k, suite, "unprotect", site);
    END_FOR_EACH_FAULT
    CE_CHECK_STATUS(st, CE_OK, "sframe unprotect s%d form %d", suite, form);
    CE_CHECK(sites >= 2, "sframe unprotect s%d reached only %lu sites", suite,
             sites);
    const uint8_t *got = form == 1 ? out : buf;
    size_t got_len = form == 1 ? out_len : len;
    CE_CHECK(got_len == n && memcmp(got, payload, n) == 0 && got_kid == kid &&
                 got_ctr == fctr,
             "sframe unprotect s%d form %d: payload", suite, form);
  }
  ce_sframe_ctx_free(rx);
  ce_sframe_ctx_free(ref);
  ce_sframe_ctx_free(tx);
}

static void test_sframe(int suite) {
  test_sframe_ctx_new(suite);
  test_sframe_derive(suite);
  test_sframe_aead(suite);
  test_sframe_add_key(suite);
  test_sframe_protect(suite, 0, 0);
  test_sframe_protect(suite, 40, 1);
  test_sframe_unprotect(suite, 0, 0);
  test_sframe_unprotect(suite, 40, 1);
}

/* ------------------------------------------------------------------ */
/* A backend that cannot run here                                      */
/* ------------------------------------------------------------------ */

/* With backend b (serving mode first..last) hidden, auto picks OpenSSL
   and naming b is NOT_SUPPORTED; unhidden, auto picks b again. */
static void hidden_backend(int b, int first, int last) {
  int chosen = 0;
  const char *bn = ce_backend_name(b);
  if (ce_backend_select(b, first, &chosen) != CE_OK) {
    printf("%s not built in or not usable: nothing to hide\n", bn);
    return;
  }
  ce_testing_backend_hide(1u << b);
  for (int mode = first; mode <= last; mode++) {
    CE_CHECK(ce_backend_select(CE_BACKEND_AUTO, mode, &chosen) == CE_OK &&
                 chosen == CE_BACKEND_OPENSSL,
             "hidden %s: auto m%d chose %d", bn, mode, chosen);
    CE_CHECK_STATUS(ce_backend_select(b, mode, &chosen), CE_ERR_NOT_SUPPORTED,
                    "hidden %s: named m%d", bn, mode);
    ce_config cfg;
    g_backend = CE_BACKEND_AUTO;
    cfg_for(mode, &cfg);
    ce_ctx *ctx = NULL;
    CE_CHECK_STATUS(ce_ctx_new(&cfg, &ctx), CE_OK, "hidden: auto m%d", mode);
    CE_CHECK(ctx && strcmp(ce_ctx_backend(ctx), "openssl") == 0,
             "hidden %s: auto m%d runs on %s", bn, mode,
             ctx ? ce_ctx_backend(ctx) : "NULL");
    ce_ctx_free(ctx);
    g_backend = b;
    cfg_for(mode, &cfg);
    ctx = (ce_ctx *)&cfg;
    CE_CHECK_STATUS(ce_config_check(&cfg), CE_ERR_NOT_SUPPORTED,
                    "hidden: check m%d", mode);
    CE_CHECK_STATUS(ce_ctx_new(&cfg, &ctx), CE_ERR_NOT_SUPPORTED,
                    "hidden: ctx_new m%d", mode);
    CE_CHECK(ctx == NULL, "hidden: *out not NULL");
  }
  uint8_t key[16] = {1}, iv[12] = {2}, out[16], tag[16];
  if (b == CE_BACKEND_IPSECMB)
    CE_CHECK_STATUS(ce_testing_gcm_backend_encrypt(b, key, 16, iv, 12, NULL, 0,
                                                   key, 8, out, tag, 16),
                    CE_ERR_NOT_SUPPORTED, "hidden: testing encrypt");
  else
    CE_CHECK_STATUS(
        ce_testing_ecb_backend_crypt(b, CE_BLOCK_SM4, 1, key, 16, key, 16, out),
        CE_ERR_NOT_SUPPORTED, "hidden: testing ecb");
  ce_testing_backend_hide(0);
  g_backend = CE_BACKEND_OPENSSL;
  CE_CHECK(ce_backend_select(CE_BACKEND_AUTO, first, &chosen) == CE_OK &&
               chosen == b,
           "%s back after unhiding", bn);
}

/* intel-ipsec-mb's IMB_MGR is set up once per process, not per context
   (backend_ipsecmb_gcm.c keeps its function pointers; each context used
   to have a manager of its own, about 200 KiB and 80 us of ce_ctx_new).
   The first context after a reset reaches the manager's sites; no site of
   a later ce_ctx_new or ce_ctx_dup is the manager's; and a context keeps
   working after the backend forgot what it kept. */
static int fires_manager_site(const ce_config *cfg, const ce_ctx *of) {
  int seen = 0;
  for (unsigned long k = 1;; k++) {
    ce_ctx *c = NULL;
    ce_testing_fault_arm(k);
    ce_status st = of ? ce_ctx_dup(of, &c) : ce_ctx_new(cfg, &c);
    const char *site = ce_testing_fault_fired();
    ce_testing_fault_arm(0);
    ce_ctx_free(c);
    if (site == NULL) {
      CE_CHECK_STATUS(st, CE_OK, "manager: unarmed run");
      return seen;
    }
    seen |= strncmp(site, "ipsecmb.mgr", 11) == 0;
  }
}

static void test_ipsecmb_manager_once(void) {
  int chosen;
  if (ce_backend_select(CE_BACKEND_IPSECMB, CE_MODE_AES_256_GCM, &chosen) !=
      CE_OK) {
    printf("ipsec-mb not usable here: one-manager test not run\n");
    return;
  }
  g_backend = CE_BACKEND_IPSECMB;
  ce_config cfg;
  cfg_for(CE_MODE_AES_256_GCM, &cfg);
  ce_ctx *first = NULL, *ref = NULL;
  ce_testing_backend_reset();
  CE_CHECK(fires_manager_site(&cfg, NULL),
           "manager: a first context reaches no manager site");
  ce_testing_backend_reset();
  CE_CHECK_STATUS(ce_ctx_new(&cfg, &first), CE_OK, "manager: first");
  CE_CHECK(!fires_manager_site(&cfg, NULL),
           "manager: a second ce_ctx_new sets up a manager of its own");
  CE_CHECK(!fires_manager_site(&cfg, first),
           "manager: ce_ctx_dup sets up a manager of its own");
  ce_testing_backend_reset(); /* what first was keyed from is forgotten */
  CE_CHECK_STATUS(ce_ctx_new(&cfg, &ref), CE_OK, "manager: ref");
  check_still_exact(first, ref, CE_MODE_AES_256_GCM, "manager reset");
  ce_ctx_free(ref);
  ce_ctx_free(first);
  g_backend = CE_BACKEND_OPENSSL;
}

static void test_hidden_backend(void) {
  hidden_backend(CE_BACKEND_IPSECMB, CE_MODE_AES_128_GCM, CE_MODE_AES_256_GCM);
  hidden_backend(CE_BACKEND_SM4SIMD, CE_MODE_SM4_128_ECB, CE_MODE_SM4_128_ECB);
}

int main(void) {
  if (!ce_testing_fault_available()) {
    fprintf(stderr, "test_faults: this build has no fault sites; configure "
                    "with -DCE_FAULT_INJECTION=ON\n");
    return 1;
  }
  test_primitives();
  test_ipsecmb_manager_once();
  test_hidden_backend();
  for (int run = 0; run < 24; run++) {
    int mode = run / 3 + 1, chosen;
    g_backend = run % 3 + CE_BACKEND_OPENSSL;
    if (ce_backend_select(g_backend, mode, &chosen) != CE_OK)
      continue; /* ipsec-mb: GCM only, sm4-simd: SM4 only, where they run */
    printf("mode %s, backend %s\n", ce_mode_name(mode),
           ce_backend_name(g_backend));
    test_ctx_new(mode);
    static const size_t lens[] = {0, 5, 16, 40};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
      test_protect(mode, lens[i]);
      test_unprotect(mode, lens[i]);
    }
    test_channel(mode);
  }
  g_backend = CE_BACKEND_OPENSSL;
  for (int suite = 1; suite <= 8; suite++)
    test_sframe(suite);
  printf("test_faults: %lu injected failures\n", faults_total);
  return ce_test_finish("test_faults");
}
