/*
 * free_marker_hook.c - libfree_marker_hook.so (free_marker_hook.h).
 *
 * free() looks for the marker in the whole usable size of the block
 * (malloc_usable_size: glibc's allocator), then hands it to glibc's
 * __libc_free. Not for sanitizer builds, whose runtimes own free.
 */
#define _GNU_SOURCE
#include "free_marker_hook.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HOOK_EXPORT __attribute__((visibility("default")))

/* glibc's free, which this one forwards to. */
extern void __libc_free(void *p);

static unsigned char hook_marker[64];
static volatile size_t hook_marker_len; /* 0: disarmed */
static volatile unsigned long hook_hits;
static int hook_report; /* write a line per hit to stderr */

HOOK_EXPORT void ce_freehook_arm(const void *marker, size_t len) {
  hook_marker_len = 0;
  if (len == 0 || len > sizeof hook_marker)
    return;
  memcpy(hook_marker, marker, len);
  hook_hits = 0;
  hook_marker_len = len;
}

HOOK_EXPORT void ce_freehook_disarm(void) {
  hook_marker_len = 0;
}

HOOK_EXPORT unsigned long ce_freehook_hits(void) {
  return hook_hits;
}

/* FREEHOOK_MARKER in the environment: armed at load, hits reported. */
__attribute__((constructor)) static void hook_init(void) {
  const char *m = getenv("FREEHOOK_MARKER");
  if (m == NULL || m[0] == '\0')
    return;
  hook_report = 1;
  ce_freehook_arm(m, strlen(m));
  static const char armed[] = "freehook: armed\n";
  (void)!write(2, armed, sizeof armed - 1);
}

HOOK_EXPORT void free(void *p) {
  size_t m = hook_marker_len;
  if (p != NULL && m != 0) {
    size_t n = malloc_usable_size(p);
    if (n >= m && memmem(p, n, hook_marker, m) != NULL) {
      hook_hits++;
      if (hook_report) {
        char line[96];
        int k = snprintf(line, sizeof line,
                         "freehook: hit: a %zu-byte block freed still "
                         "holding the marker\n",
                         n);
        if (k > 0)
          (void)!write(2, line,
                       (size_t)k < sizeof line ? (size_t)k : sizeof line - 1);
      }
    }
  }
  __libc_free(p);
}
