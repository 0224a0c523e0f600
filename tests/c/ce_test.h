/*
 * ce_test.h - the minimal check harness shared by the C unit tests.
 *
 * A test program calls CE_CHECK* any number of times and ends with
 * `return ce_test_finish("name");`, which prints "name: N passed, M failed"
 * (plus skipped when any) and returns nonzero when anything failed. A failed
 * check prints its file, line and message; the program keeps going so one
 * run shows every failure.
 */
#ifndef CE_TEST_H
#define CE_TEST_H

#include <stdio.h>
#include <string.h>

static unsigned long ce_test_passed, ce_test_failed, ce_test_skipped;

#define CE_CHECK(cond, ...)                                                    \
  do {                                                                         \
    if (cond) {                                                                \
      ce_test_passed++;                                                        \
    } else {                                                                   \
      ce_test_failed++;                                                        \
      fprintf(stderr, "%s:%d: FAILED: %s: ", __FILE__, __LINE__, #cond);       \
      fprintf(stderr, __VA_ARGS__);                                            \
      fputc('\n', stderr);                                                     \
    }                                                                          \
  } while (0)

/* Compares two statuses and prints both names on mismatch. */
#define CE_CHECK_STATUS(got, want, ...)                                        \
  do {                                                                         \
    int ce_got_ = (int)(got), ce_want_ = (int)(want);                          \
    if (ce_got_ == ce_want_) {                                                 \
      ce_test_passed++;                                                        \
    } else {                                                                   \
      ce_test_failed++;                                                        \
      fprintf(stderr, "%s:%d: FAILED: status %s, expected %s: ", __FILE__,     \
              __LINE__, ce_status_name(ce_got_), ce_status_name(ce_want_));    \
      fprintf(stderr, __VA_ARGS__);                                            \
      fputc('\n', stderr);                                                     \
    }                                                                          \
  } while (0)

#define CE_CHECK_MEM(a, b, n, ...)                                             \
  CE_CHECK(memcmp((a), (b), (n)) == 0, __VA_ARGS__)

#define CE_SKIP(n) (ce_test_skipped += (unsigned long)(n))

static inline int ce_test_finish(const char *name) {
  if (ce_test_skipped)
    printf("%s: %lu passed, %lu failed, %lu skipped\n", name, ce_test_passed,
           ce_test_failed, ce_test_skipped);
  else
    printf("%s: %lu passed, %lu failed\n", name, ce_test_passed,
           ce_test_failed);
  return ce_test_failed == 0 && ce_test_passed > 0 ? 0 : 1;
}

#endif
