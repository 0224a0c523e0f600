/*
 * fork.c - fork detection for the packet number (docs/spec.md 7).
 *
 * After fork() parent and child hold the same context with the same next
 * packet number; both would then encrypt different payloads under one
 * nonce. Each context remembers the process generation at which it drew
 * its packet number; ce_protect compares that with the current generation
 * (one atomic load, no system call) and draws a fresh random packet number
 * when they differ.
 *
 * Two detectors, because each misses something alone:
 *  - a page marked MADV_WIPEONFORK (Linux 4.14+) reads as zeros in a child
 *    made by any means, raw clone() included, which skips atfork handlers;
 *  - pthread_atfork's child handler, where there is no such page.
 * The fresh number comes from the kernel (getrandom), which shares no
 * state with the parent. OpenSSL 3.0 would do too (its DRBG reseeds when
 * the process id changes), but nothing here should rest on a user-space
 * generator noticing the fork. One system call per fork, not per packet.
 */
#include "internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>

#include <openssl/rand.h>

#if defined(__linux__)
#include <sys/mman.h>
#include <sys/random.h>
#endif

/*
 * The generation. With a wipe-on-fork page (Linux 4.14+) the generation IS
 * the 64-bit value in that page: a child, however made, reads 0 there from
 * its first instruction on, so no thread of a child can ever read the
 * parent's value; the first thread to see 0 installs a new value with a
 * compare-and-swap and every other thread gets that value. New values come
 * from ce__epochs, a counter in ordinary memory that a child inherits, so
 * a new value differs from every value this process or its ancestors
 * handed out. Without the page (older kernels, other systems) the
 * generation is ce__epochs itself, bumped by the atfork child handler.
 */
static atomic_uint_fast64_t ce__epochs = 1;
static uint64_t *ce__wipe_page; /* set once, before ce__fork_ready */
static atomic_int ce__fork_ready;
static int ce__atfork_done;
static pthread_mutex_t ce__fork_mu = PTHREAD_MUTEX_INITIALIZER;

static void ce__fork_child(void) {
  atomic_fetch_add_explicit(&ce__epochs, 1, memory_order_relaxed);
}

/* The page, or why there is none. CE_OK with *page NULL: this kernel has
   no MADV_WIPEONFORK (EINVAL), so atfork alone detects forks; any other
   failure (no memory, a limit on mappings) is CE_ERR_INTERNAL, and the
   next ce_ctx_new tries again rather than run without the detector. */
static ce_status ce__wipe_page_new(uint64_t **page) {
  *page = NULL;
#if defined(__linux__) && defined(MADV_WIPEONFORK)
  void *p = CE__FAULT("fork.mmap") ? MAP_FAILED
                                   : mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                                          MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    return CE_ERR_INTERNAL;
  int rc = CE__FAULT("fork.madvise") ? (errno = ENOMEM, -1)
                                     : madvise(p, 4096, MADV_WIPEONFORK);
  if (rc != 0) {
    int err = errno;
    (void)munmap(p, 4096);
    return err == EINVAL ? CE_OK : CE_ERR_INTERNAL;
  }
  *page = p;
  __atomic_store_n(*page, 1, __ATOMIC_RELEASE);
#endif
  return CE_OK;
}

ce_status ce__fork_init(void) {
  if (atomic_load_explicit(&ce__fork_ready, memory_order_acquire))
    return CE_OK;
  ce_status st = CE_OK;
  if (pthread_mutex_lock(&ce__fork_mu) != 0)
    return CE_ERR_INTERNAL;
  if (!atomic_load_explicit(&ce__fork_ready, memory_order_relaxed)) {
    /* Each step is done once and kept; a failed step is retried by the
       next call (a one-time failure must not disable detection for good,
       nor fail every later context). */
    if (!ce__atfork_done) {
      if (CE__FAULT("fork.atfork") ||
          pthread_atfork(NULL, NULL, ce__fork_child) != 0)
        st = CE_ERR_INTERNAL;
      else
        ce__atfork_done = 1;
    }
    if (st == CE_OK)
      st = ce__wipe_page_new(&ce__wipe_page);
    if (st == CE_OK)
      atomic_store_explicit(&ce__fork_ready, 1, memory_order_release);
  }
  (void)pthread_mutex_unlock(&ce__fork_mu);
  return st;
}

uint64_t ce__fork_generation(void) {
  uint64_t *page = ce__wipe_page;
  if (page == NULL)
    return (uint64_t)atomic_load_explicit(&ce__epochs, memory_order_acquire);
  uint64_t g = __atomic_load_n(page, __ATOMIC_ACQUIRE);
  if (g == 0) {
    uint64_t fresh = (uint64_t)atomic_fetch_add_explicit(&ce__epochs, 1,
                                                         memory_order_relaxed) +
                     1;
    /* The CAS either installs ours or tells us the value another thread
       of this child installed first: both differ from every older one. */
    if (__atomic_compare_exchange_n(page, &g, fresh, 0, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE))
      g = fresh;
  }
  return g;
}

ce_status ce__fork_random(uint64_t *out) {
  if (CE__FAULT("fork.random"))
    return CE_ERR_INTERNAL;
#if defined(__linux__)
  /* 8 bytes from getrandom never come back short once the pool is
     initialised, which it is in any process that already made a context;
     anything else is a failure, not a retry loop. */
  return getrandom(out, sizeof *out, 0) == (ssize_t)sizeof *out
             ? CE_OK
             : CE_ERR_INTERNAL;
#else
  return RAND_bytes((unsigned char *)out, sizeof *out) == 1 ? CE_OK
                                                            : CE_ERR_INTERNAL;
#endif
}
