/*
 * ce1_impl_ref.c - libce1impl_ref.so: the shared-library adapter ABI of
 * docs/conformance.md section 4 (tools/ce1_impl.h) over the chanenc
 * reference.
 *
 * Failures come in the order of docs/spec.md section 10.1: the arguments
 * (every pointer check, out included, before the configuration is looked
 * at), then the configuration, then the library's protect or unprotect
 * (TOO_LARGE, BUFFER_TOO_SMALL; the spec 9 steps, capacity last).
 *
 * Built with hidden visibility and a version script so that exactly the
 * two ABI functions are exported: the reference library is linked in
 * statically, and its own ce_* symbols must not leak into a process that
 * may load a second implementation (or the shared libchanenc) beside it.
 *
 * Contexts are cached per (mode, key, salt) like the process adapter's,
 * because differential fuzzers call with the same GCM2 config millions of
 * times and a PBKDF2 per call would make that useless. The cache is
 * guarded by a mutex: callers may be multi-threaded, and a ce_ctx is not.
 */
#include "ce1_impl.h"

#include "chanenc.h"
#include "chanenc_testing.h"
#include "ce_ctxcache.h"

#include <pthread.h>

#define CE1_EXPORT __attribute__((visibility("default")))

static pthread_mutex_t ce1_impl__lock = PTHREAD_MUTEX_INITIALIZER;
static ce_ctxcache ce1_impl__cache;

/* Releases the cached contexts (and wipes their keys) at dlclose. */
__attribute__((destructor)) static void ce1_impl__fini(void) {
  pthread_mutex_lock(&ce1_impl__lock);
  ce_ctxcache_clear(&ce1_impl__cache);
  pthread_mutex_unlock(&ce1_impl__lock);
}

/* An empty input may come as NULL; the library wants a pointer. */
static const uint8_t ce1_impl__empty[1];

CE1_EXPORT int ce1_impl_protect(int mode, const uint8_t *key, size_t key_len,
                                const uint8_t salt[32], uint64_t pn,
                                const uint8_t *payload, size_t payload_len,
                                uint8_t *out, size_t *out_len) {
  if (out == NULL || out_len == NULL || (key == NULL && key_len != 0) ||
      (payload == NULL && payload_len != 0))
    return CE_ERR_INVALID_ARGUMENT;
  if (payload == NULL)
    payload = ce1_impl__empty;
  if (pthread_mutex_lock(&ce1_impl__lock) != 0)
    return CE_ERR_INTERNAL;
  ce_ctx *ctx;
  ce_status st =
      ce_ctxcache_get(&ce1_impl__cache, mode, key, key_len, salt, &ctx);
  if (st == CE_OK)
    st =
        ce_testing_protect_pn_into(ctx, pn, payload, payload_len, out, out_len);
  pthread_mutex_unlock(&ce1_impl__lock);
  return st;
}

CE1_EXPORT int ce1_impl_unprotect(int mode, const uint8_t *key, size_t key_len,
                                  const uint8_t salt[32], const uint8_t *frame,
                                  size_t frame_len, uint8_t *out,
                                  size_t *out_len) {
  if (out == NULL || out_len == NULL || (key == NULL && key_len != 0) ||
      (frame == NULL && frame_len != 0))
    return CE_ERR_INVALID_ARGUMENT;
  if (frame == NULL)
    frame = ce1_impl__empty;
  if (pthread_mutex_lock(&ce1_impl__lock) != 0)
    return CE_ERR_INTERNAL;
  ce_ctx *ctx;
  ce_status st =
      ce_ctxcache_get(&ce1_impl__cache, mode, key, key_len, salt, &ctx);
  if (st == CE_OK)
    st = ce_unprotect_into(ctx, frame, frame_len, out, out_len);
  pthread_mutex_unlock(&ce1_impl__lock);
  return st;
}
