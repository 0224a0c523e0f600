/*
 * fault.c - fault-injection sites (internal.h, CE__FAULT) and the
 * allocation and error-queue helpers every file uses.
 *
 * In a CE_FAULT_INJECTION build each site counts the calls this thread
 * makes; the armed one fails. The count is thread-local so that a test's
 * faults never land in another thread. Elsewhere there are no sites and
 * ce_testing_fault_available() (ref/testing) says so.
 */
#include "internal.h"

#include <stdlib.h>

#include <openssl/err.h>

#ifdef CE_FAULT_INJECTION
static _Thread_local unsigned long ce__fault_armed; /* 0: disarmed */
static _Thread_local unsigned long ce__fault_count;
static _Thread_local const char *ce__fault_site;

int ce__fault(const char *site) {
  if (ce__fault_armed == 0)
    return 0;
  if (++ce__fault_count != ce__fault_armed)
    return 0;
  ce__fault_site = site;
  return 1;
}

void ce__fault_control(unsigned long nth) {
  ce__fault_armed = nth;
  ce__fault_count = 0;
  ce__fault_site = NULL;
}

unsigned long ce__fault_hits(void) {
  return ce__fault_count;
}

const char *ce__fault_fired(void) {
  return ce__fault_site;
}
#endif

void *ce__malloc(size_t n) {
  return CE__FAULT("malloc") ? NULL : malloc(n);
}

void *ce__calloc(size_t n, size_t size) {
  return CE__FAULT("calloc") ? NULL : calloc(n, size);
}

/* ERR_set_mark marks nothing when the queue is empty; ERR_pop_to_mark then
   empties it, which removes exactly what was added since. */
void ce__err_mark(void) {
  (void)ERR_set_mark();
}

void ce__err_pop(void) {
  (void)ERR_pop_to_mark();
}
