/*
 * test_no_alloc.c - the packet path never allocates.
 *
 * Two counters see every heap allocation that can happen on the packet
 * path:
 *  - OpenSSL's own: CRYPTO_set_mem_functions, called before any other
 *    OpenSSL use, routes every OPENSSL_malloc/zalloc/realloc (EVP contexts,
 *    the error queue, provider data) through counting functions;
 *  - the library's and this program's: the executable is linked with
 *    -Wl,--wrap=malloc,calloc,realloc,posix_memalign,aligned_alloc
 *    (test_no_alloc.cmake), so every call to those from chanenc_static
 *    lands in a __wrap_ function here that counts and forwards.
 * A self-check first proves that both counters see a deliberate allocation,
 * so the test can fail. Then, with contexts and buffers made beforehand,
 * about a million ce_protect/ce_unprotect calls (all modes, every size
 * class, in place and out of place, success and every failure outcome)
 * and the channel pipeline (send and receive, observer pass-through and
 * repointing, drops and failures) must leave both counters unchanged.
 * The GCM modes and SM4_128_ECB run once per cipher backend built in and
 * usable here (OpenSSL; intel-ipsec-mb for GCM, sm4-simd for SM4), core
 * and channel alike. (libIPSec_MB is a
 * shared library, so --wrap does not see its own calls to malloc. Its
 * direct GCM API works in the caller's structures only; interposing malloc
 * process-wide, which sanitizer builds do not allow, counted 0 allocations
 * in 200,000 of its encrypt and decrypt calls.)
 *
 * SFrame (chanenc_sframe.h): for every suite, protect and unprotect in
 * place and out of place, explicit CTRs, and the refusals (altered tag,
 * unknown KID, malformed header, replay, short capacity). The malloc
 * family: never. OpenSSL: never for the GCM suites (4, 5). For the
 * CTR+HMAC suites OpenSSL 3.0 makes exactly 2 allocations per HMAC
 * computation (EVP_MAC_init with the kept key duplicates the inner digest
 * context, EVP_MAC_final the outer one; docs/sframe.md 6.3 says why no
 * non-deprecated API avoids them); the test counts the frames that reach
 * the tag computation and asserts 2 each on OpenSSL 3.0.x (at most 2 on
 * later versions), and 0 for frames refused before it.
 */
#include "ce_test.h"

#include "chanenc.h"
#include "chanenc_testing.h"
#if __has_include("chanenc_channel.h")
#include "chanenc_channel.h"
#define NA_HAVE_CHANNEL 1
#endif

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#if __has_include("chanenc_sframe.h")
#include "chanenc_sframe.h"
#include "chanenc_sframe_testing.h"
#define NA_HAVE_SFRAME 1
#endif

/* ---- counting ---------------------------------------------------------- */

static unsigned long na_libc_allocs;   /* malloc family, via --wrap */
static unsigned long na_crypto_allocs; /* OpenSSL, via mem functions */

static void na_count(unsigned long *c) {
  __atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

static unsigned long na_get(const unsigned long *c) {
  return __atomic_load_n(c, __ATOMIC_RELAXED);
}

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
int __real_posix_memalign(void **p, size_t align, size_t size);
void *__real_aligned_alloc(size_t align, size_t size);

void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
int __wrap_posix_memalign(void **p, size_t align, size_t size);
void *__wrap_aligned_alloc(size_t align, size_t size);

void *__wrap_malloc(size_t size) {
  na_count(&na_libc_allocs);
  return __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size) {
  na_count(&na_libc_allocs);
  return __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size) {
  na_count(&na_libc_allocs);
  return __real_realloc(p, size);
}

int __wrap_posix_memalign(void **p, size_t align, size_t size) {
  na_count(&na_libc_allocs);
  return __real_posix_memalign(p, align, size);
}

void *__wrap_aligned_alloc(size_t align, size_t size) {
  na_count(&na_libc_allocs);
  return __real_aligned_alloc(align, size);
}

/* OpenSSL's allocator: counted, then the real libc functions (not the
   wrapped ones, so each allocation is counted once, here). */
static void *na_crypto_malloc(size_t num, const char *file, int line) {
  (void)file;
  (void)line;
  na_count(&na_crypto_allocs);
  return __real_malloc(num);
}

static void *na_crypto_realloc(void *p, size_t num, const char *file,
                               int line) {
  (void)file;
  (void)line;
  na_count(&na_crypto_allocs);
  return __real_realloc(p, num);
}

static void na_crypto_free(void *p, const char *file, int line) {
  (void)file;
  (void)line;
  free(p);
}

typedef struct na_snap {
  unsigned long libc, crypto;
} na_snap;

static na_snap na_take(void) {
  na_snap s = {na_get(&na_libc_allocs), na_get(&na_crypto_allocs)};
  return s;
}

/* ---- packet work --------------------------------------------------------- */

#define NA_BUF (CE_MAX_PAYLOAD + CE_MAX_OVERHEAD + 64)

static uint8_t na_buf[NA_BUF], na_out[NA_BUF], na_frame[NA_BUF],
    na_payload[NA_BUF];
static unsigned long na_calls; /* protect and unprotect calls made */

/* Payload lengths cycle through the size classes of the formats: empty,
   XTS short block, block boundaries, audio and video packets; every 4096th
   packet is the largest payload. */
static size_t na_len(unsigned long i) {
  static const size_t lens[] = {0, 1, 15, 16, 17, 31, 64, 160, 1200, 1500};
  if (i % 4096 == 4095)
    return CE_MAX_PAYLOAD;
  return lens[i % (sizeof lens / sizeof lens[0])];
}

static void na_fill(uint8_t *p, size_t n, unsigned long seed) {
  for (size_t k = 0; k < n; k++)
    p[k] = (uint8_t)(seed * 31u + k);
}

/* One round for one mode: protect/unprotect in all forms, then one failure
   outcome chosen by i. Returns 0 when something went wrong. */
static int na_round(ce_ctx *tx, ce_ctx *rx, int mode, unsigned long i) {
  size_t n = na_len(i), len = n, olen;
  ce_family fam = ce_mode_family(mode);
  na_fill(na_payload, n, i);

  /* In place. */
  memcpy(na_buf, na_payload, n);
  if (ce_protect(tx, na_buf, &len, NA_BUF) != CE_OK)
    return 0;
  memcpy(na_frame, na_buf, len);
  size_t flen = len;
  if (ce_unprotect(rx, na_buf, &len) != CE_OK || len != n ||
      memcmp(na_buf, na_payload, n) != 0)
    return 0;
  na_calls += 2;

  /* Out of place, and with an explicit packet number. */
  olen = NA_BUF;
  if (ce_testing_protect_pn_into(tx, i, na_payload, n, na_out, &olen) != CE_OK)
    return 0;
  len = NA_BUF;
  if (ce_unprotect_into(rx, na_out, olen, na_buf, &len) != CE_OK || len != n)
    return 0;
  olen = NA_BUF;
  if (ce_protect_into(tx, na_payload, n, na_out, &olen) != CE_OK)
    return 0;
  len = n;
  memcpy(na_buf, na_payload, n);
  if (ce_testing_protect_pn(tx, i, na_buf, &len, NA_BUF) != CE_OK)
    return 0;
  na_calls += 4;

  /* One failure outcome per round, each leaving the buffer as it was. */
  memcpy(na_buf, na_frame, flen);
  len = flen;
  ce_status want;
  switch (i % 5) {
  case 0: /* last byte flipped: tag, padding or (XTS) nothing notices */
    na_buf[flen - 1] ^= 0x01;
    want = fam == CE_FAMILY_GCM   ? CE_ERR_AUTH_FAILED
           : fam == CE_FAMILY_ECB ? CE_ERR_BAD_PADDING
                                  : CE_OK;
    if (fam == CE_FAMILY_XTS && n < 16)
      want = CE_ERR_BAD_PADDING; /* garbage S block, almost surely */
    break;
  case 1:
    na_buf[1] ^= 0xff;
    want = CE_ERR_KEY_MISMATCH;
    break;
  case 2:
    na_buf[0] = (uint8_t)((na_buf[0] & 0xf0u) | (unsigned)(mode % 8 + 1));
    want = CE_ERR_MODE_MISMATCH;
    break;
  case 3:
    na_buf[0] ^= 0x20;
    want = CE_ERR_BAD_VERSION;
    break;
  default:
    len = 3;
    want = CE_ERR_MALFORMED;
    break;
  }
  ce_status st = ce_unprotect(rx, na_buf, &len);
  na_calls++;
  if (fam == CE_FAMILY_XTS && i % 5 == 0) {
    /* XTS: a flipped bit is either unnoticed or a bad S block. */
    return st == CE_OK || st == CE_ERR_BAD_PADDING;
  }
  if (fam == CE_FAMILY_ECB && i % 5 == 0)
    return st == CE_ERR_BAD_PADDING || st == CE_OK;
  if (st != want)
    return 0;
  /* Out of place failures too. */
  olen = NA_BUF;
  st = ce_unprotect_into(rx, na_buf, len, na_out, &olen);
  na_calls++;
  return st == want;
}

/* ---- channel ----------------------------------------------------------- */

#ifdef NA_HAVE_CHANNEL
static uint8_t na_obs_mem[CE_MAX_FRAME + 64];

static int na_obs_keep(void *user, ce_packet *pkt) {
  (void)user;
  (void)pkt;
  return 1;
}

/* Repoints the packet at observer memory: a one-byte prefix on send,
   removed on receive (the channel copies it back). */
static int na_obs_send(void *user, ce_packet *pkt) {
  (void)user;
  na_obs_mem[0] = 0x5a;
  memcpy(na_obs_mem + 1, pkt->buffer, pkt->size);
  pkt->buffer = na_obs_mem;
  pkt->size += 1;
  return 1;
}

static int na_obs_recv(void *user, ce_packet *pkt) {
  (void)user;
  if (pkt->size == 0 || pkt->buffer[0] != 0x5a)
    return 0; /* drop */
  pkt->buffer += 1;
  pkt->size -= 1;
  return 1;
}

static unsigned long na_errors;
static void na_on_error(void *user, int type, int status) {
  (void)user;
  (void)type;
  (void)status;
  na_errors++;
}

static int na_channel_round(ce_channel *ch, unsigned long i) {
  size_t n = na_len(i) % 2000, len = n;
  ce_packet_kind kind = (ce_packet_kind)(i % CE_PACKET_KINDS);
  na_fill(na_payload, n, i);
  memcpy(na_buf, na_payload, n);
  if (ce_channel_send(ch, kind, na_buf, &len, NA_BUF) != CE_OK)
    return 0;
  if (ce_channel_receive(ch, kind, na_buf, &len, NA_BUF) != CE_OK || len != n ||
      memcmp(na_buf, na_payload, n) != 0)
    return 0;
  /* A failure: a frame cut short. Counted and reported, no allocation. */
  memcpy(na_buf, na_payload, n);
  len = n;
  if (ce_channel_send(ch, kind, na_buf, &len, NA_BUF) != CE_OK)
    return 0;
  len = 1;
  ce_status st = ce_channel_receive(ch, kind, na_buf, &len, NA_BUF);
  return st < 0 || st == CE_DROPPED;
}
#endif

/* ---- SFrame -------------------------------------------------------------- */

#ifdef NA_HAVE_SFRAME
static unsigned long na_hmacs; /* frames that computed an HMAC tag */

/* One round for one suite; returns 0 when something went wrong. gcm: the
   suite has no HMAC (nothing to count). */
static int na_sframe_round(ce_sframe_ctx *tx, ce_sframe_ctx *rx, int gcm,
                           unsigned long i) {
  static const uint8_t md[] = {'n', 'o', '-', 'a', 'l', 'l', 'o', 'c'};
  size_t n = na_len(i) % 1501, len = n, olen, flen;
  if (i % 1024 == 1023)
    n = len = CE_MAX_PAYLOAD - CE_SFRAME_MAX_OVERHEAD; /* fits NA_BUF */
  unsigned long tags = 0;
  na_fill(na_payload, n, i);
  /* In place, with metadata. */
  memcpy(na_buf, na_payload, n);
  if (ce_sframe_protect(tx, 1, md, sizeof md, na_buf, &len, NA_BUF) != CE_OK)
    return 0;
  flen = len;
  memcpy(na_frame, na_buf, flen);
  if (ce_sframe_unprotect(rx, md, sizeof md, na_buf, &len, NULL, NULL) !=
          CE_OK ||
      len != n || memcmp(na_buf, na_payload, n) != 0)
    return 0;
  tags += 2;
  /* Out of place, no metadata; explicit CTR (KID 2: a second key). */
  olen = NA_BUF;
  if (ce_sframe_protect_into(tx, 2, NULL, 0, na_payload, n, na_out, &olen) !=
      CE_OK)
    return 0;
  len = NA_BUF;
  if (ce_sframe_unprotect_into(rx, NULL, 0, na_out, olen, na_buf, &len, NULL,
                               NULL) != CE_OK ||
      len != n)
    return 0;
  olen = NA_BUF;
  if (ce_testing_sframe_protect_ctr_into(tx, 1, i, md, sizeof md, na_payload, n,
                                         na_out, &olen) != CE_OK)
    return 0;
  tags += 3;
  /* Refusals, each leaving the frame as it was. */
  ce_status want, st;
  memcpy(na_buf, na_frame, flen);
  len = flen;
  switch (i % 5) {
  case 0: /* a fresh frame with its tag altered: computed, then refused */
    memcpy(na_buf, na_payload, n);
    len = n;
    if (ce_sframe_protect(tx, 1, md, sizeof md, na_buf, &len, NA_BUF) != CE_OK)
      return 0;
    na_buf[len - 1] ^= 0x01;
    want = CE_ERR_AUTH_FAILED;
    tags += 2;
    break;
  case 1: /* the same frame again, window on: refused before the AEAD */
    want = CE_ERR_REPLAYED;
    break;
  case 2: /* a KID without a receive key */
    na_buf[0] = (uint8_t)((na_buf[0] & 0x8fu) | 0x30u);
    want = na_buf[0] & 0x80u ? CE_ERR_MALFORMED : CE_ERR_UNKNOWN_KID;
    break;
  case 3: /* shorter than header + tag */
    len = 2;
    want = CE_ERR_MALFORMED;
    break;
  default: /* a genuine frame into a capacity one byte short */
    olen = NA_BUF;
    if (ce_testing_sframe_protect_ctr_into(tx, 2, 1000000 + i, NULL, 0,
                                           na_payload, n + 1, na_out,
                                           &olen) != CE_OK)
      return 0;
    tags++;
    len = n;
    st = ce_sframe_unprotect_into(rx, NULL, 0, na_out, olen, na_buf, &len, NULL,
                                  NULL);
    tags++;
    if (!gcm)
      na_hmacs += tags;
    return st == CE_ERR_BUFFER_TOO_SMALL && len == n;
  }
  st = ce_sframe_unprotect(rx, md, sizeof md, na_buf, &len, NULL, NULL);
  if (!gcm)
    na_hmacs += tags;
  return st == want;
}

static void na_sframe(void) {
  static const uint8_t key1[16] = {1, 2, 3}, key2[20] = {4, 5, 6};
  for (int suite = 1; suite <= 8; suite++) {
    const ce_sframe_suite_info *si = ce_sframe_suite_get(suite);
    ce_sframe_ctx *tx = NULL, *rx = NULL;
    if (ce_sframe_ctx_new(suite, &tx) != CE_OK ||
        ce_sframe_ctx_new(suite, &rx) != CE_OK ||
        ce_sframe_add_key(tx, 1, CE_SFRAME_SEND, key1, sizeof key1) != CE_OK ||
        ce_sframe_add_key(tx, 2, CE_SFRAME_SEND, key2, sizeof key2) != CE_OK ||
        ce_sframe_add_key(rx, 1, CE_SFRAME_RECEIVE, key1, sizeof key1) !=
            CE_OK ||
        ce_sframe_add_key(rx, 2, CE_SFRAME_RECEIVE, key2, sizeof key2) !=
            CE_OK ||
        ce_sframe_set_replay_window(rx, 64) != CE_OK) {
      CE_CHECK(0, "sframe suite %d: setup", suite);
      ce_sframe_ctx_free(tx);
      ce_sframe_ctx_free(rx);
      continue;
    }
    /* Warm-up: the first packet of a context may initialise provider
       state once (not per packet). */
    unsigned long bad = !na_sframe_round(tx, rx, si->gcm, 0);
    const unsigned long rounds = 4000;
    na_hmacs = 0;
    na_snap before = na_take();
    for (unsigned long i = 1; i <= rounds; i++)
      if (!na_sframe_round(tx, rx, si->gcm, i))
        bad++;
    na_snap after = na_take();
    unsigned long crypto = after.crypto - before.crypto;
    CE_CHECK(bad == 0, "sframe %s: %lu rounds gave unexpected results",
             si->name, bad);
    CE_CHECK(after.libc == before.libc,
             "sframe %s: %lu malloc-family allocations", si->name,
             after.libc - before.libc);
    if (si->gcm) {
      CE_CHECK(crypto == 0, "sframe %s: %lu OpenSSL allocations", si->name,
               crypto);
    } else if (OPENSSL_VERSION_NUMBER >> 20 == 0x300) {
      /* OpenSSL 3.0.x: exactly 2 per HMAC (docs/sframe.md 6.3). */
      CE_CHECK(crypto == 2 * na_hmacs,
               "sframe %s: %lu OpenSSL allocations for %lu HMACs (OpenSSL "
               "3.0 makes exactly 2 per HMAC)",
               si->name, crypto, na_hmacs);
    } else {
      CE_CHECK(crypto <= 2 * na_hmacs,
               "sframe %s: %lu OpenSSL allocations for %lu HMACs", si->name,
               crypto, na_hmacs);
    }
    printf("sframe %s: %lu rounds: %lu malloc-family and %lu OpenSSL "
           "allocations (%lu HMAC tags)\n",
           si->name, rounds, after.libc - before.libc, crypto,
           si->gcm ? 0ul : na_hmacs);
    ce_sframe_ctx_free(tx);
    ce_sframe_ctx_free(rx);
  }
}
#endif

/* ---- main -------------------------------------------------------------- */

int main(void) {
  /* Must come first: OpenSSL refuses once it has allocated anything. */
  int set = CRYPTO_set_mem_functions(na_crypto_malloc, na_crypto_realloc,
                                     na_crypto_free);
  CE_CHECK(set == 1, "CRYPTO_set_mem_functions refused (OpenSSL allocated "
                     "before main?)");

  /* Self-check: each counter sees a deliberate allocation. Through volatile
     pointers so the compiler cannot elide the pair. */
  void *(*volatile do_malloc)(size_t) = malloc;
  void *(*volatile do_calloc)(size_t, size_t) = calloc;
  na_snap s0 = na_take();
  void *p = do_malloc(24);
  void *q = do_calloc(3, 8);
  free(p);
  free(q);
  na_snap s1 = na_take();
  CE_CHECK(s1.libc - s0.libc == 2,
           "the libc counter missed deliberate allocations (%lu of 2); is "
           "the test linked with --wrap?",
           s1.libc - s0.libc);
  EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
  EVP_CIPHER_CTX_free(c);
  void *o = OPENSSL_malloc(16);
  OPENSSL_free(o);
  na_snap s2 = na_take();
  CE_CHECK(s2.crypto - s1.crypto >= 2,
           "the OpenSSL counter missed deliberate allocations (%lu)",
           s2.crypto - s1.crypto);
  CE_CHECK(s2.libc == s1.libc,
           "OpenSSL allocations leaked into the libc counter (%lu)",
           s2.libc - s1.libc);

  /* Setup, allowed to allocate: contexts for every supported mode and
     every backend that serves it here (slot k: mode_of[k], backend_of[k]). */
  enum { NA_SLOTS = 16 };
  ce_ctx *tx[NA_SLOTS] = {0}, *rx[NA_SLOTS] = {0};
  int mode_of[NA_SLOTS] = {0}, backend_of[NA_SLOTS] = {0};
  int modes = 0;
  for (int m = 1; m <= 8; m++) {
    if (ce_mode_supported(m) != CE_OK) {
      printf("mode %s not supported by this OpenSSL: skipped\n",
             ce_mode_name(m));
      CE_SKIP(1);
      continue;
    }
    for (int b = CE_BACKEND_OPENSSL; b <= CE_BACKEND_SM4SIMD; b++) {
      int chosen;
      if (ce_backend_select(b, m, &chosen) != CE_OK)
        continue;
      ce_config cfg;
      ce_config_init(&cfg);
      cfg.mode = m;
      cfg.backend = b;
      ce_config_set_key_str(&cfg, "no-alloc test key");
      memset(cfg.salt, 0x5c, sizeof cfg.salt);
      CE_CHECK_STATUS(ce_ctx_new(&cfg, &tx[modes]), CE_OK, "ctx %d", m);
      CE_CHECK_STATUS(ce_ctx_new(&cfg, &rx[modes]), CE_OK, "ctx %d", m);
      CE_CHECK(tx[modes] &&
                   strcmp(ce_ctx_backend(tx[modes]), ce_backend_name(b)) == 0,
               "ctx %d: not on %s", m, ce_backend_name(b));
      mode_of[modes] = m;
      backend_of[modes] = b;
      modes++;
    }
  }
  na_snap s3 = na_take();
  CE_CHECK(s3.libc > s2.libc && s3.crypto > s2.crypto,
           "ce_ctx_new allocates, and the counters must see it");

  /* The packet path: about a million calls. */
  const unsigned long target = 1000000;
  unsigned long rounds = modes ? target / (8ul * (unsigned long)modes) : 0;
  unsigned long bad = 0;
  na_snap before = na_take();
  for (unsigned long i = 0; i < rounds; i++)
    for (int k = 0; k < modes; k++)
      if (tx[k] != NULL && !na_round(tx[k], rx[k], mode_of[k], i))
        bad++;
  na_snap after = na_take();
  CE_CHECK(bad == 0, "%lu rounds gave unexpected results", bad);
  CE_CHECK(na_calls >= target * 9 / 10, "only %lu calls", na_calls);
  CE_CHECK(after.libc == before.libc,
           "%lu malloc-family allocations in %lu packet calls",
           after.libc - before.libc, na_calls);
  CE_CHECK(after.crypto == before.crypto,
           "%lu OpenSSL allocations in %lu packet calls",
           after.crypto - before.crypto, na_calls);
  printf("core: %lu protect/unprotect calls over %d mode and backend pairs: "
         "%lu malloc-family and %lu OpenSSL allocations\n",
         na_calls, modes, after.libc - before.libc,
         after.crypto - before.crypto);

#ifdef NA_HAVE_CHANNEL
  /* The channel: pass-through observer, then a repointing one. */
  for (int k = 0; k < modes; k++) {
    int m = mode_of[k];
    if (tx[k] == NULL)
      continue;
    ce_channel *ch = NULL;
    ce_config cfg;
    ce_config_init(&cfg);
    cfg.mode = m;
    cfg.backend = backend_of[k];
    cfg.datastream_encryption_enabled = 1;
    ce_config_set_key_str(&cfg, "no-alloc channel key");
    memset(cfg.salt, 0x3c, sizeof cfg.salt);
    CE_CHECK_STATUS(ce_channel_new(&ch), CE_OK, "channel");
    if (ch == NULL)
      continue;
    ce_packet_observer keep = {na_obs_keep, na_obs_keep, na_obs_keep,
                               na_obs_keep};
    ce_packet_observer move = {na_obs_send, na_obs_send, na_obs_recv,
                               na_obs_recv};
    CE_CHECK(ce_channel_join(ch) == CE_OK &&
                 ce_channel_enable_encryption(ch, 1, &cfg) == CE_SDK_OK &&
                 ce_channel_set_error_callback(ch, na_on_error, NULL) == CE_OK,
             "channel setup %d", m);
    unsigned long cbad = 0, ccalls = 0;
    na_snap cb = na_take();
    for (int pass = 0; pass < 2; pass++) {
      ce_channel_register_packet_observer(ch, pass ? &move : &keep, NULL);
      for (unsigned long i = 0; i < 5000; i++, ccalls += 4)
        if (!na_channel_round(ch, i))
          cbad++;
    }
    na_snap ca = na_take();
    const char *bn = ce_backend_name(backend_of[k]);
    CE_CHECK(cbad == 0, "channel %s %s: %lu bad rounds", ce_mode_name(m), bn,
             cbad);
    CE_CHECK(ca.libc == cb.libc && ca.crypto == cb.crypto,
             "channel %s %s: %lu malloc-family and %lu OpenSSL allocations in "
             "%lu calls",
             ce_mode_name(m), bn, ca.libc - cb.libc, ca.crypto - cb.crypto,
             ccalls);
    printf("channel %s (%s): %lu send/receive calls: %lu malloc-family and "
           "%lu OpenSSL allocations\n",
           ce_mode_name(m), bn, ccalls, ca.libc - cb.libc,
           ca.crypto - cb.crypto);
    ce_channel_free(ch);
  }
  CE_CHECK(na_errors > 0, "the error callback never ran");
#else
  printf("chanenc_channel.h not present: channel path not tested\n");
  CE_SKIP(1);
#endif

#ifdef NA_HAVE_SFRAME
  na_sframe();
#else
  printf("chanenc_sframe.h not present: SFrame not tested\n");
  CE_SKIP(1);
#endif

  /* The self-check again, at the end: the counters still count. */
  na_snap e0 = na_take();
  free(do_malloc(8));
  CE_CHECK(na_take().libc == e0.libc + 1, "libc counter stopped counting");

  for (int k = 0; k < modes; k++) {
    ce_ctx_free(tx[k]);
    ce_ctx_free(rx[k]);
  }
  return ce_test_finish("test_no_alloc");
}
