/*
 * fork.c - fork detection for the packet number (docs/spec.md 7).
 *
 * After fork() parent and child hold the same context with the same next
 * packet number; both would then encrypt different payloads under one
 * nonce. Each context remembers the process generation at which it drew
 * its packet number; ce_protect compares that with the current generation
 * (one relaxed atomic load and one byte load, no system call) and draws a
 * fresh random packet number from the CSPRNG when they differ.
 *
 * Two detectors, because each misses something alone:
 *  - pthread_atfork's child handler bumps the generation on fork();
 *  - a page marked MADV_WIPEONFORK (Linux 4.14+) reads as zeros in a child
 *    made by any means, raw clone() included, which skips atfork handlers.
 * The fresh number comes from the kernel (getrandom), which shares no
 * state with the parent. OpenSSL 3.0 would do too (its DRBG reseeds when
 * the process id changes), but nothing here should rest on a user-space
 * generator noticing the fork. One system call per fork, not per packet.
 */
#include "internal.h"

#include <pthread.h>
#include <stdatomic.h>

#include <openssl/rand.h>

#if defined(__linux__)
#include <sys/mman.h>
#include <sys/random.h>
#endif

static atomic_uint_fast64_t ce__gen = 1;
static unsigned char *ce__wipe_page; /* [0] == 1 until a fork */
static pthread_once_t ce__fork_once = PTHREAD_ONCE_INIT;
static int ce__fork_ok;

static void ce__fork_child(void) {
  atomic_fetch_add_explicit(&ce__gen, 1, memory_order_relaxed);
}

static void ce__fork_setup(void) {
  if (pthread_atfork(NULL, NULL, ce__fork_child) != 0)
    return;
#if defined(__linux__) && defined(MADV_WIPEONFORK)
  void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p != MAP_FAILED) {
    if (madvise(p, 4096, MADV_WIPEONFORK) == 0) {
      ce__wipe_page = p;
      ce__wipe_page[0] = 1;
    } else {
      (void)munmap(p, 4096); /* older kernel: atfork alone */
    }
  }
#endif
  ce__fork_ok = 1;
}

ce_status ce__fork_init(void) {
  if (CE__FAULT("fork.init") ||
      pthread_once(&ce__fork_once, ce__fork_setup) != 0 || !ce__fork_ok)
    return CE_ERR_INTERNAL;
  return CE_OK;
}

uint64_t ce__fork_generation(void) {
  unsigned char *page = (unsigned char *)ce__wipe_page;
  /* A zero page is a child that no atfork handler saw: the thread that
     swaps the 1 back in bumps the generation, once per such child. */
  if (page != NULL && __atomic_load_n(page, __ATOMIC_RELAXED) == 0 &&
      __atomic_exchange_n(page, 1, __ATOMIC_RELAXED) == 0)
    atomic_fetch_add_explicit(&ce__gen, 1, memory_order_relaxed);
  return (uint64_t)atomic_load_explicit(&ce__gen, memory_order_relaxed);
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
