/*
 * sframe_header.c - the SFrame header (RFC 9605 4.3, docs/sframe.md 3).
 *
 *   config byte: X (bit 7) | K (bits 6-4) | Y (bit 3) | C (bits 2-0)
 *   X = 0: K is the KID (0..7).   X = 1: K + 1 big-endian KID bytes follow.
 *   Y = 0: C is the CTR (0..7).   Y = 1: C + 1 big-endian CTR bytes follow
 *   (after the KID bytes).
 *
 * A value MUST be inline when it is 0..7 and otherwise in the minimum
 * number of bytes. The decoder refuses every other form (CE_ERR_MALFORMED):
 * such a header is not one RFC 9605 lets a sender produce, and accepting
 * it would give one (KID, CTR) several encodings, hence several AADs.
 */
#include "sframe_internal.h"

/* Bytes of the shortest big-endian form of v >= 8: 1..8. */
static size_t ce__sf_value_len(uint64_t v) {
  size_t n = 1;
  while (n < 8 && (v >> (8 * n)) != 0)
    n++;
  return n;
}

size_t ce_sframe_header_len(uint64_t kid, uint64_t ctr) {
  return 1 + (kid < 8 ? 0 : ce__sf_value_len(kid)) +
         (ctr < 8 ? 0 : ce__sf_value_len(ctr));
}

static size_t ce__sf_put(uint64_t v, size_t n, uint8_t *out) {
  for (size_t i = 0; i < n; i++)
    out[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
  return n;
}

size_t ce__sf_header_write(uint64_t kid, uint64_t ctr, uint8_t *out) {
  size_t pos = 1;
  unsigned config = 0;
  if (kid < 8) {
    config |= (unsigned)kid << 4;
  } else {
    size_t n = ce__sf_value_len(kid);
    config |= 0x80u | (unsigned)(n - 1) << 4;
    pos += ce__sf_put(kid, n, out + pos);
  }
  if (ctr < 8) {
    config |= (unsigned)ctr;
  } else {
    size_t n = ce__sf_value_len(ctr);
    config |= 0x08u | (unsigned)(n - 1);
    pos += ce__sf_put(ctr, n, out + pos);
  }
  out[0] = (uint8_t)config;
  return pos;
}

ce_status ce_sframe_header_encode(uint64_t kid, uint64_t ctr, uint8_t *out,
                                  size_t *out_len) {
  if (out == NULL || out_len == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  if (*out_len < ce_sframe_header_len(kid, ctr))
    return CE_ERR_BUFFER_TOO_SMALL;
  *out_len = ce__sf_header_write(kid, ctr, out);
  return CE_OK;
}

/* One field: inline (flag clear) or n = bits + 1 bytes at in[*pos].
   CE_ERR_MALFORMED when truncated or not in the shortest form. */
static ce_status ce__sf_field(const uint8_t *in, size_t in_len, size_t *pos,
                              int extended, unsigned bits, uint64_t *v) {
  if (!extended) {
    *v = bits;
    return CE_OK;
  }
  size_t n = (size_t)bits + 1;
  if (in_len - *pos < n)
    return CE_ERR_MALFORMED; /* truncated */
  if (in[*pos] == 0)
    return CE_ERR_MALFORMED; /* leading zero byte: not the minimum length */
  uint64_t x = 0;
  for (size_t i = 0; i < n; i++)
    x = (x << 8) | in[*pos + i];
  if (x < 8)
    return CE_ERR_MALFORMED; /* 0..7 must be carried in the config byte */
  *pos += n;
  *v = x;
  return CE_OK;
}

ce_status ce_sframe_header_decode(const uint8_t *in, size_t in_len,
                                  uint64_t *kid, uint64_t *ctr,
                                  size_t *header_len) {
  if (in == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  if (in_len < 1)
    return CE_ERR_MALFORMED;
  unsigned config = in[0];
  size_t pos = 1;
  uint64_t k = 0, c = 0;
  ce_status st = ce__sf_field(in, in_len, &pos, (config & 0x80u) != 0,
                              (config >> 4) & 7u, &k);
  if (st == CE_OK)
    st = ce__sf_field(in, in_len, &pos, (config & 0x08u) != 0, config & 7u, &c);
  if (st != CE_OK)
    return st;
  if (kid != NULL)
    *kid = k;
  if (ctr != NULL)
    *ctr = c;
  if (header_len != NULL)
    *header_len = pos;
  return CE_OK;
}
