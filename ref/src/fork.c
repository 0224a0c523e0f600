/*
 * fork.c - fork detection for the packet number (docs/spec.md 4.4).
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
 * OpenSSL 3 reseeds its DRBG in the child itself, so the fresh draw differs
 * from the parent's.
 */
#include "internal.h"

#include <pthread.h>
#include <stdatomic.h>

#if defined(__linux__)
#include <sys/mman.h>
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
