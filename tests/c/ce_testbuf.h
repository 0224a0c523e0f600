/*
 * ce_testbuf.h - buffers with a guard zone, shared by the vector tests
 * (test_ce1_vectors.c, test_sframe_vectors.c): every buffer a call gets is
 * followed by SLACK bytes of SENTINEL, so a write past what the
 * call may use, or any write on a failure, is seen.
 */
#ifndef CE_TESTBUF_H
#define CE_TESTBUF_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bytes after the region a call may use: any write there is a bug. */
#define SLACK 32u
#define SENTINEL 0xa5

static inline uint8_t *xalloc(size_t n) {
  uint8_t *p = malloc(n ? n : 1);
  if (p == NULL) {
    fprintf(stderr, "out of memory (%zu bytes)\n", n);
    exit(2);
  }
  return p;
}

/* A buffer of n + SLACK bytes: data at the start, sentinel after. */
static inline uint8_t *sentinel_buf(const uint8_t *data, size_t data_len,
                                    size_t n) {
  uint8_t *b = xalloc(n + SLACK);
  memset(b, SENTINEL, n + SLACK);
  if (data_len)
    memcpy(b, data, data_len);
  return b;
}

static inline int all_sentinel(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i] != SENTINEL)
      return 0;
  return 1;
}

#endif
