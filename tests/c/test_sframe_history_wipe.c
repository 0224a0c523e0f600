/*
 * test_sframe_history_wipe.c - the reference's SFrame answer of the C ABI
 * (docs/conformance.md 7.3) replays the receiver's history: it decrypts
 * every accepted frame into memory of its own before the frame under test.
 * That memory holds plaintext and must be wiped before it is freed, in
 * every place that answers for the reference:
 *   - ce_tools_sframe_unprotect (tools/common/ce_sframe_abi.c), the shared
 *     implementation;
 *   - ce1_impl_sframe_unprotect of libce1impl_ref.so, loaded with dlopen;
 *   - sframe_unprotect of the JSON-lines adapter (tools/ce1_adapter.c,
 *     included with its main left out, as in test_adapter_sframe.c).
 *
 * How: the program is linked with libfree_marker_hook.so
 * (tests/shim/free_marker_hook.c), whose free() counts the blocks freed
 * while they still hold a marker. The history frames' payload carries the
 * marker beyond the length of the frame under test's payload (a shorter
 * payload decrypted over it later would not hide it); the hook is armed
 * for the unprotect call only. A positive control first frees a block with
 * the marker, so the test cannot pass because the hook is not in place.
 *
 * Built by tests/c/test_sframe_history_wipe.cmake; under sanitizers, whose
 * runtimes own free(), the program is built without the hook and exits 77
 * (CTest: skipped).
 */
#define _GNU_SOURCE

#include "ce_test.h"

#ifdef CE_FREEHOOK_UNAVAILABLE
int main(void) {
  printf("test_sframe_history_wipe: skipped: no free() hook in a sanitizer "
         "build\n");
  return 77;
}
#else

#include "ce_ctxcache.h"
#include "ce_hex.h"
#include "ce_sframe_abi.h"
#include "chanenc.h"
#include "chanenc_sframe.h"
#include "free_marker_hook.h"

#include "../../tools/ce1_impl.h"

#define CE1_ADAPTER_NO_MAIN
#include "../../tools/ce1_adapter.c"

#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MARKER "SECRET-HISTORY-PLAINTEXT"
#define MARKER_LEN (sizeof MARKER - 1)
#define MAX_HISTORY 3
#define MAX_FRAME 128

/* The payload of every history frame: 32 bytes of padding, then the
   marker, then 8 bytes. The frame under test carries NOW (3 bytes). */
static const char history_payload[] =
    "................................" MARKER "........";
#define NOW "now"

static const uint8_t base_key[16] = "0123456789abcdef";
static const uint8_t md[4] = "meta";
static const uint64_t kid = 7;

typedef int (*unprotect_fn)(int, const ce1_impl_sframe_key *, size_t, size_t,
                            const ce1_impl_sframe_frame *, size_t,
                            const uint8_t *, size_t, const uint8_t *, size_t,
                            uint8_t *, size_t *, uint64_t *, uint64_t *);

/* The hook is in place: a block holding the marker, freed, is counted. The
   allocator is called through volatile pointers so that the compiler
   cannot elide the pair. */
static int hook_works(void) {
  void *(*volatile alloc)(size_t) = malloc;
  void (*volatile release)(void *) = free;
  char *p = alloc(100);
  if (p == NULL)
    return 0;
  memset(p, '.', 100);
  memcpy(p + 40, MARKER, MARKER_LEN);
  ce_freehook_arm(MARKER, MARKER_LEN);
  release(p);
  ce_freehook_disarm();
  return ce_freehook_hits() == 1;
}

/* One request through the reference: n_hist history frames (at CTR 1..n,
   or all at CTR 1 when replayed: the last one is then refused), then the
   frame at CTR 10. */
typedef struct scenario {
  int suite;
  size_t n_hist;
  size_t window;
  int replayed;
} scenario;

typedef struct frames {
  uint8_t hist[MAX_HISTORY][MAX_FRAME];
  size_t hist_len[MAX_HISTORY];
  uint8_t frame[MAX_FRAME];
  size_t frame_len;
} frames;

/* Protects the scenario's frames with the shared implementation: 1, or 0
   when the suite is not offered (NOT_SUPPORTED). */
static int make_frames(const scenario *sc, frames *f) {
  for (size_t i = 0; i < sc->n_hist; i++) {
    f->hist_len[i] = MAX_FRAME;
    int st = ce_tools_sframe_protect(
        sc->suite, kid, sc->replayed ? 1 : i + 1, base_key, sizeof base_key, md,
        sizeof md, (const uint8_t *)history_payload, sizeof history_payload - 1,
        f->hist[i], &f->hist_len[i]);
    if (st == CE_ERR_NOT_SUPPORTED)
      return 0;
    CE_CHECK_STATUS(st, CE_OK, "suite %d: protect a history frame", sc->suite);
  }
  f->frame_len = MAX_FRAME;
  int st = ce_tools_sframe_protect(
      sc->suite, kid, 10, base_key, sizeof base_key, md, sizeof md,
      (const uint8_t *)NOW, 3, f->frame, &f->frame_len);
  if (st == CE_ERR_NOT_SUPPORTED)
    return 0;
  CE_CHECK_STATUS(st, CE_OK, "suite %d: protect the frame", sc->suite);
  return st == CE_OK;
}

static void describe(char *buf, size_t n, const char *who, const scenario *sc) {
  snprintf(buf, n, "%s, suite %d, %zu history frame(s)%s, window %zu", who,
           sc->suite, sc->n_hist, sc->replayed ? " (the last replayed)" : "",
           sc->window);
}

/* Through a function of the C ABI's signature. */
static void check_abi(const char *who, unprotect_fn unprotect,
                      const scenario *sc, const frames *f) {
  char what[160];
  describe(what, sizeof what, who, sc);
  ce1_impl_sframe_key k = {kid, base_key, sizeof base_key};
  ce1_impl_sframe_frame acc[MAX_HISTORY];
  for (size_t i = 0; i < sc->n_hist; i++)
    acc[i] = (ce1_impl_sframe_frame){f->hist[i], f->hist_len[i], md, sizeof md};
  uint8_t out[MAX_FRAME];
  size_t out_len = sizeof out;
  uint64_t got_kid = 0, got_ctr = 0;
  ce_freehook_arm(MARKER, MARKER_LEN);
  int st =
      unprotect(sc->suite, &k, 1, sc->window, acc, sc->n_hist, md, sizeof md,
                f->frame, f->frame_len, out, &out_len, &got_kid, &got_ctr);
  ce_freehook_disarm();
  if (sc->replayed) {
    CE_CHECK_STATUS(st, CE_ERR_REPLAYED, "%s", what);
  } else {
    CE_CHECK_STATUS(st, CE_OK, "%s", what);
    CE_CHECK(out_len == 3 && memcmp(out, NOW, 3) == 0 && got_kid == kid &&
                 got_ctr == 10,
             "%s: the frame's payload, KID and CTR", what);
  }
  CE_CHECK(ce_freehook_hits() == 0,
           "%s: %lu block(s) freed still holding a history frame's "
           "plaintext",
           what, ce_freehook_hits());
}

static void hex_into(char *dst, size_t cap, const uint8_t *p, size_t n) {
  char *h = ce_hex_encode_alloc(p, n);
  if (h == NULL || strlen(h) >= cap)
    exit(2);
  strcpy(dst, h);
  free(h);
}

/* Through the JSON-lines adapter's request handler. */
static void check_adapter(const scenario *sc, const frames *f) {
  char what[160];
  describe(what, sizeof what, "ce1-adapter sframe_unprotect", sc);
  char bk[40], mdh[16], fr[2 * MAX_FRAME + 1], h[2 * MAX_FRAME + 1];
  char line[2048], acc[1536] = "";
  hex_into(bk, sizeof bk, base_key, sizeof base_key);
  hex_into(mdh, sizeof mdh, md, sizeof md);
  hex_into(fr, sizeof fr, f->frame, f->frame_len);
  for (size_t i = 0; i < sc->n_hist; i++) {
    hex_into(h, sizeof h, f->hist[i], f->hist_len[i]);
    size_t used = strlen(acc);
    snprintf(acc + used, sizeof acc - used,
             "%s{\"frame\":\"%s\",\"metadata\":\"%s\"}", i ? "," : "", h, mdh);
  }
  int n = snprintf(line, sizeof line,
                   "{\"op\":\"sframe_unprotect\",\"suite\":%d,\"base_keys\":"
                   "[{\"kid\":\"%016llx\",\"base_key\":\"%s\"}],"
                   "\"replay_window\":%zu,\"accepted\":[%s],"
                   "\"metadata\":\"%s\",\"frame\":\"%s\"}",
                   sc->suite, (unsigned long long)kid, bk, sc->window, acc, mdh,
                   fr);
  if (n < 0 || (size_t)n >= sizeof line)
    exit(2);
  ce_ctxcache cache;
  memset(&cache, 0, sizeof cache);
  char *ans = NULL;
  size_t ans_len = 0;
  FILE *out = open_memstream(&ans, &ans_len);
  if (out == NULL)
    exit(2);
  ce1_session s = {0, 0};
  ce_freehook_arm(MARKER, MARKER_LEN);
  handle_line(&s, &cache, line, (size_t)n, out);
  ce_freehook_disarm();
  fclose(out);
  char want[160];
  if (sc->replayed)
    snprintf(want, sizeof want, "{\"error\":\"REPLAYED\"}\n");
  else
    snprintf(want, sizeof want,
             "{\"payload\":\"6e6f77\",\"kid\":\"%016llx\",\"ctr\":"
             "\"000000000000000a\"}\n",
             (unsigned long long)kid);
  CE_CHECK(ans != NULL && strcmp(ans, want) == 0, "%s: answer %s, want %s",
           what, ans ? ans : "(none)", want);
  CE_CHECK(ce_freehook_hits() == 0,
           "%s: %lu block(s) freed still holding a history frame's "
           "plaintext",
           what, ce_freehook_hits());
  free(ans);
  ce_ctxcache_clear(&cache);
}

int main(void) {
  int hooked = hook_works();
  CE_CHECK(hooked, "the free() hook counts a block freed with the marker "
                   "(libfree_marker_hook.so must interpose free)");
  if (!hooked)
    return ce_test_finish("test_sframe_history_wipe");

  void *lib = dlopen(CE_TEST_REF_LIB, RTLD_NOW | RTLD_LOCAL);
  CE_CHECK(lib != NULL, "dlopen %s: %s", CE_TEST_REF_LIB, dlerror());
  unprotect_fn lib_unprotect = NULL;
  if (lib != NULL) {
    void *sym = dlsym(lib, CE1_IMPL_SFRAME_UNPROTECT_SYMBOL);
    memcpy(&lib_unprotect, &sym, sizeof sym);
    CE_CHECK(lib_unprotect != NULL, "%s lacks %s", CE_TEST_REF_LIB,
             CE1_IMPL_SFRAME_UNPROTECT_SYMBOL);
  }

  int offered = 0;
  for (int suite = 1; suite <= 8; suite++) {
    static const scenario shapes[] = {
        {0, 1, 0, 0}, {0, 3, 64, 0}, {0, 2, 64, 1}};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
      scenario sc = shapes[i];
      sc.suite = suite;
      frames f;
      if (!make_frames(&sc, &f)) {
        CE_SKIP(1);
        continue;
      }
      offered++;
      check_abi("ce_tools_sframe_unprotect", ce_tools_sframe_unprotect, &sc,
                &f);
      if (lib_unprotect != NULL)
        check_abi("libce1impl_ref.so ce1_impl_sframe_unprotect", lib_unprotect,
                  &sc, &f);
      check_adapter(&sc, &f);
    }
  }
  CE_CHECK(offered > 0, "no suite was offered");
  if (lib != NULL)
    dlclose(lib);
  return ce_test_finish("test_sframe_history_wipe");
}

#endif /* CE_FREEHOOK_UNAVAILABLE */
