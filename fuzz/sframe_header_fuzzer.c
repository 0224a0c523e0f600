/*
 * sframe_header_fuzzer.c - the SFrame header codec (RFC 9605 4.3,
 * docs/sframe.md 3).
 *
 * Target: ce_sframe_header_decode, ce_sframe_header_encode and
 * ce_sframe_header_len (sframe_header.c).
 *
 * Input: any bytes. They are decoded as a header (in an exact-size
 * buffer), and the first 16 bytes, read as two big-endian 64-bit values
 * (zeros past the end), are encoded as (KID, CTR).
 *
 * What must hold:
 *  - decode agrees with an independent reading of section 3 here (config
 *    byte X|K|Y|C, extended fields of K+1 / C+1 big-endian bytes, refused
 *    when truncated, with a leading zero byte, or holding 0..7);
 *  - decode either fails (CE_ERR_MALFORMED, outputs untouched) or gives
 *    (kid, ctr, hlen) such that encode(kid, ctr) is exactly the input's
 *    first hlen bytes (the shortest form, the only one) and
 *    ce_sframe_header_len(kid, ctr) == hlen; every shorter prefix of an
 *    accepted header is MALFORMED, and bytes after it change nothing;
 *  - encode(kid, ctr) with room decodes back to (kid, ctr) and its length;
 *    with one byte less room it is BUFFER_TOO_SMALL and writes nothing.
 */
#include "fuzz_common.h"

#include "chanenc_sframe.h"

#include <stdlib.h>
#include <string.h>

/* Section 3, written again from the text: 1 and the values, or 0. */
static int fz_model(const uint8_t *in, size_t n, uint64_t *kid, uint64_t *ctr,
                    size_t *hlen) {
  if (n < 1)
    return 0;
  size_t pos = 1;
  uint64_t v[2];
  for (int f = 0; f < 2; f++) {
    unsigned x = f == 0 ? in[0] >> 7 : (in[0] >> 3) & 1u;
    unsigned bits = f == 0 ? (in[0] >> 4) & 7u : in[0] & 7u;
    if (!x) {
      v[f] = bits;
      continue;
    }
    size_t len = bits + 1u;
    if (n - pos < len || in[pos] == 0)
      return 0;
    uint64_t a = 0;
    for (size_t i = 0; i < len; i++)
      a = a << 8 | in[pos + i];
    if (a < 8)
      return 0;
    v[f] = a;
    pos += len;
  }
  *kid = v[0];
  *ctr = v[1];
  *hlen = pos;
  return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint8_t *in = calloc(size ? size : 1, 1);
  if (in == NULL)
    return 0;
  if (size)
    memcpy(in, data, size);
  uint64_t kid = 0x1111, ctr = 0x2222;
  size_t hlen = 0x3333;
  ce_status st = ce_sframe_header_decode(in, size, &kid, &ctr, &hlen);
  uint64_t mk = 0, mc = 0;
  size_t mh = 0;
  int ok = fz_model(in, size, &mk, &mc, &mh);
  FZ_CHECK(size == 0 || memcmp(in, data, size) == 0, "decode wrote its input");
  if (!ok) {
    FZ_CHECK_STATUS(st, CE_ERR_MALFORMED, "decode of a refused header");
    FZ_CHECK(kid == 0x1111 && ctr == 0x2222 && hlen == 0x3333,
             "decode wrote its outputs on failure");
  } else {
    FZ_CHECK_STATUS(st, CE_OK, "decode of a valid header");
    FZ_CHECK(kid == mk && ctr == mc && hlen == mh,
             "decode: (%llu, %llu, %zu), model (%llu, %llu, %zu)",
             (unsigned long long)kid, (unsigned long long)ctr, hlen,
             (unsigned long long)mk, (unsigned long long)mc, mh);
    FZ_CHECK(hlen >= 1 && hlen <= CE_SFRAME_MAX_HEADER && hlen <= size,
             "header length %zu", hlen);
    FZ_CHECK(ce_sframe_header_len(kid, ctr) == hlen, "header_len");
    uint8_t enc[CE_SFRAME_MAX_HEADER + 1];
    size_t elen = sizeof enc;
    FZ_CHECK_STATUS(ce_sframe_header_encode(kid, ctr, enc, &elen), CE_OK,
                    "encode of decoded values");
    FZ_CHECK(elen == hlen && memcmp(enc, in, hlen) == 0,
             "encode(decode(x)) is not x's prefix");
    /* Every shorter prefix is truncated; the outputs may be NULL. */
    for (size_t cut = 0; cut < hlen; cut++)
      FZ_CHECK_STATUS(ce_sframe_header_decode(in, cut, NULL, NULL, NULL),
                      CE_ERR_MALFORMED, "a truncated header");
    FZ_CHECK_STATUS(ce_sframe_header_decode(in, hlen, NULL, NULL, NULL), CE_OK,
                    "the header alone");
  }

  /* Encode two values from the input, and decode them back. */
  fz_reader r = {data, size};
  uint64_t k = fz_u64(&r), c = fz_u64(&r);
  /* Small values often: the low bits of a further byte pick a width. */
  uint8_t w = fz_u8(&r);
  if (w & 1)
    k >>= 8 * (w >> 1 & 7);
  if (w & 16)
    c >>= 8 * (w >> 5 & 7);
  size_t need = ce_sframe_header_len(k, c);
  FZ_CHECK(need >= 1 && need <= CE_SFRAME_MAX_HEADER, "header_len %zu", need);
  uint8_t enc[CE_SFRAME_MAX_HEADER], before[CE_SFRAME_MAX_HEADER];
  memset(enc, 0xa5, sizeof enc);
  memcpy(before, enc, sizeof enc);
  size_t elen = need - 1;
  FZ_CHECK_STATUS(ce_sframe_header_encode(k, c, enc, &elen),
                  CE_ERR_BUFFER_TOO_SMALL, "encode with one byte short");
  FZ_CHECK(elen == need - 1 && memcmp(enc, before, sizeof enc) == 0,
           "encode wrote on failure");
  uint8_t *exact = malloc(need);
  elen = need;
  FZ_CHECK_STATUS(ce_sframe_header_encode(k, c, exact, &elen), CE_OK, "encode");
  FZ_CHECK(elen == need, "encode length");
  uint64_t k2 = 0, c2 = 0;
  size_t h2 = 0;
  FZ_CHECK_STATUS(ce_sframe_header_decode(exact, need, &k2, &c2, &h2), CE_OK,
                  "decode(encode(k, c))");
  FZ_CHECK(k2 == k && c2 == c && h2 == need, "round trip");
  free(exact);
  free(in);
  return 0;
}
