/*
 * test_ctx_threads.c - one thread protects while another unprotects on the
 * same ce_ctx (chanenc.h, "Thread safety"), every mode.
 *
 * The unprotecting thread feeds forged frames (genuine header, attacker's
 * body) so that every failure path runs concurrently with protect. Before
 * the fix, a failing GCM or ECB unprotect restored the caller's buffer with
 * the context's encrypting cipher context: under ThreadSanitizer that is a
 * data race on the protect state (this test's label is tsan), and on the
 * wire it was a two-time pad: the protecting thread's frame got the key
 * stream of the forged frame's packet number (3 in 200,000 frames). Here
 * every frame the protecting thread made is checked afterwards, with a
 * context that never saw a forged frame. Every mode runs once per cipher
 * backend built in and usable here for it (OpenSSL; intel-ipsec-mb for
 * GCM; sm4-simd for SM4_128_ECB): each keeps its state per direction.
 *
 * First, before anything else in the process uses intel-ipsec-mb, several
 * threads create their first ipsec-mb contexts at once: the backend sets
 * up an IMB_MGR on first use and publishes its function pointers for the
 * process without a lock (backend_ipsecmb_gcm.c), so every thread must see
 * them complete, and every context must make the same frames.
 */
#include "ce_test.h"

#include "chanenc.h"
#include "chanenc_testing.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FRAMES 3000
#define LEN 48

typedef struct shared {
  ce_ctx *ctx;
  int mode;
  uint8_t frames[FRAMES][LEN + CE_MAX_OVERHEAD];
  size_t frame_len[FRAMES];
  int protect_failures;
  int unprotect_accepted;
} shared;

static void payload_of(int i, uint8_t *p) {
  for (int k = 0; k < LEN; k++)
    p[k] = (uint8_t)(i * 31 + k);
}

static void *protector(void *arg) {
  shared *s = arg;
  for (int i = 0; i < FRAMES; i++) {
    size_t len = LEN;
    payload_of(i, s->frames[i]);
    if (ce_protect(s->ctx, s->frames[i], &len, sizeof s->frames[i]) != CE_OK)
      s->protect_failures++;
    s->frame_len[i] = len;
  }
  return NULL;
}

static void *unprotector(void *arg) {
  shared *s = arg;
  uint8_t forged[LEN + CE_MAX_OVERHEAD];
  size_t hdr = ce_mode_header_len(s->mode);
  size_t n = LEN + ce_overhead(s->mode, LEN);
  for (int i = 0; i < FRAMES; i++) {
    forged[0] = (uint8_t)(0x10 | s->mode);
    forged[1] = ce_ctx_check(s->ctx);
    for (size_t k = 2; k < n; k++)
      forged[k] = (uint8_t)(k < hdr ? i * 7 + k : i ^ k);
    size_t len = n;
    if (ce_unprotect(s->ctx, forged, &len) == CE_OK)
      s->unprotect_accepted++;
  }
  return NULL;
}

enum { FIRST_THREADS = 4 };
static pthread_barrier_t first_barrier;
static uint8_t first_frames[FIRST_THREADS][LEN + CE_MAX_OVERHEAD];
static ce_status first_status[FIRST_THREADS];

static void first_config(ce_config *cfg, int backend) {
  ce_config_init(cfg);
  cfg->mode = CE_MODE_AES_256_GCM;
  cfg->backend = backend;
  ce_config_set_key_str(cfg, "first");
}

static void *first_context(void *arg) {
  int t = (int)(intptr_t)arg;
  ce_config cfg;
  first_config(&cfg, CE_BACKEND_IPSECMB);
  ce_ctx *ctx = NULL;
  pthread_barrier_wait(&first_barrier);
  first_status[t] = ce_ctx_new(&cfg, &ctx);
  size_t len = LEN;
  payload_of(t, first_frames[t]);
  if (first_status[t] == CE_OK)
    first_status[t] = ce_testing_protect_pn(ctx, 77, first_frames[t], &len,
                                            sizeof first_frames[t]);
  ce_ctx_free(ctx);
  return NULL;
}

static void test_first_contexts_at_once(void) {
  int chosen;
  if (ce_backend_select(CE_BACKEND_IPSECMB, CE_MODE_AES_256_GCM, &chosen) !=
      CE_OK) {
    printf("ipsec-mb not usable here: first-contexts test not run\n");
    return;
  }
  pthread_t th[FIRST_THREADS];
  pthread_barrier_init(&first_barrier, NULL, FIRST_THREADS);
  for (int t = 0; t < FIRST_THREADS; t++)
    pthread_create(&th[t], NULL, first_context, (void *)(intptr_t)t);
  for (int t = 0; t < FIRST_THREADS; t++)
    pthread_join(th[t], NULL);
  pthread_barrier_destroy(&first_barrier);
  /* Each thread protected payload t with packet number 77 under one key:
     thread t's frame must be what the reference backend makes. */
  ce_config cfg;
  first_config(&cfg, CE_BACKEND_OPENSSL);
  ce_ctx *ref = NULL;
  CE_CHECK_STATUS(ce_ctx_new(&cfg, &ref), CE_OK, "first: reference");
  for (int t = 0; t < FIRST_THREADS; t++) {
    uint8_t want[LEN + CE_MAX_OVERHEAD];
    size_t len = LEN;
    payload_of(t, want);
    CE_CHECK_STATUS(first_status[t], CE_OK, "first: thread %d", t);
    CE_CHECK_STATUS(ce_testing_protect_pn(ref, 77, want, &len, sizeof want),
                    CE_OK, "first: reference frame");
    CE_CHECK(memcmp(first_frames[t], want, len) == 0,
             "first: thread %d's frame differs from OpenSSL's", t);
  }
  ce_ctx_free(ref);
}

int main(void) {
  static shared s;
  test_first_contexts_at_once();
  /* Every mode with every named backend; the pairs a backend cannot serve
     here are skipped below. */
  enum { NBACKENDS = CE_BACKEND_SM4SIMD - CE_BACKEND_OPENSSL + 1 };
  for (int run = 0; run < 8 * NBACKENDS; run++) {
    int mode = run / NBACKENDS + 1;
    int backend = run % NBACKENDS + CE_BACKEND_OPENSSL, chosen;
    if (ce_backend_select(backend, mode, &chosen) != CE_OK)
      continue; /* ipsec-mb: GCM only, where it runs */
    ce_config cfg;
    ce_config_init(&cfg);
    cfg.mode = mode;
    cfg.backend = backend;
    ce_config_set_key_str(&cfg, "threads");
    cfg.salt[0] = 1;
    memset(&s, 0, sizeof s);
    s.mode = mode;
    CE_CHECK_STATUS(ce_ctx_new(&cfg, &s.ctx), CE_OK, "ctx m%d %s", mode,
                    ce_backend_name(backend));
    printf("mode %s, backend %s\n", ce_mode_name(mode), ce_ctx_backend(s.ctx));
    ce_ctx *verifier = NULL;
    CE_CHECK_STATUS(ce_ctx_dup(s.ctx, &verifier), CE_OK, "dup");
    pthread_t a, b;
    pthread_create(&a, NULL, protector, &s);
    pthread_create(&b, NULL, unprotector, &s);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    CE_CHECK(s.protect_failures == 0, "mode %d: %d protect failures", mode,
             s.protect_failures);
    /* (XTS accepts any body, and a random ECB body has valid padding with
       probability about 1/256; GCM must refuse every forged frame.) */
    if (ce_mode_family(mode) == CE_FAMILY_GCM)
      CE_CHECK(s.unprotect_accepted == 0, "mode %d: forged frames accepted",
               mode);
    int bad = 0;
    for (int i = 0; i < FRAMES; i++) {
      uint8_t want[LEN];
      size_t len = s.frame_len[i];
      payload_of(i, want);
      if (ce_unprotect(verifier, s.frames[i], &len) != CE_OK || len != LEN ||
          memcmp(s.frames[i], want, LEN) != 0)
        bad++;
    }
    CE_CHECK(bad == 0,
             "mode %d: %d of %d frames made during forged unprotects do not "
             "decrypt to their payload",
             mode, bad, FRAMES);
    ce_ctx_free(verifier);
    ce_ctx_free(s.ctx);
  }
  return ce_test_finish("test_ctx_threads");
}
