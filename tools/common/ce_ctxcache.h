/*
 * ce_ctxcache.h - a small LRU cache of reference contexts keyed by
 * (mode, key, salt), for the conformance adapters.
 *
 * Why: an adapter is asked about one configuration many times in a row
 * (every vector of a group), and a GCM2 context costs a 100,000-iteration
 * PBKDF2 (tens of milliseconds). Caching a few recent configurations makes
 * a vector run cost one derivation per group instead of one per request.
 *
 * A zero-initialised ce_ctxcache is empty and ready. It is not thread
 * safe: callers serialise access (the shared-library adapter holds a
 * mutex). Contexts returned are owned by the cache and stay valid until
 * the next call on the same cache.
 */
#ifndef CE_CTXCACHE_H
#define CE_CTXCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "chanenc.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CE_CTXCACHE_SLOTS 8

typedef struct ce_ctxcache_entry {
  int used;
  int mode;
  uint8_t *key; /* copy, wiped on eviction */
  size_t key_len;
  uint8_t salt[CE_SALT_LEN];
  uint64_t last_use;
  ce_ctx *ctx;     /* NULL until a protect/unprotect needs it */
  int has_derived; /* derived filled by ce_ctxcache_derive */
  ce_derived derived;
} ce_ctxcache_entry;

typedef struct ce_ctxcache {
  ce_ctxcache_entry slots[CE_CTXCACHE_SLOTS];
  uint64_t tick;
  unsigned long hits, misses; /* for diagnostics and tests */
} ce_ctxcache;

/* The context for (mode, key, salt), made with ce_ctx_new on a miss.
   Failed configurations are not cached (refusals are cheap). On failure
   *out is NULL and the status is ce_ctx_new's. key may be NULL only with
   key_len 0; salt NULL means all zero. */
ce_status ce_ctxcache_get(ce_ctxcache *c, int mode, const uint8_t *key,
                          size_t key_len, const uint8_t *salt, ce_ctx **out);
/* The key schedule (ce_derive) for (mode, key, salt), cached alike. */
ce_status ce_ctxcache_derive(ce_ctxcache *c, int mode, const uint8_t *key,
                             size_t key_len, const uint8_t *salt,
                             ce_derived *out);
/* Frees every context and wipes every key. The cache is empty after. */
void ce_ctxcache_clear(ce_ctxcache *c);

#ifdef __cplusplus
}
#endif

#endif /* CE_CTXCACHE_H */
