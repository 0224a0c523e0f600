/*
 * sm4_fast_ymm.h - template of an AVX2 SM4 ECB implementation (no
 * AVX-512), included once per S-box technique by sm4_fast_gfni.c and
 * sm4_fast_aesni.c after defining:
 *
 *   CE__YMM_TARGET   the target attribute string, e.g. "avx2,gfni"
 *   CE__YMM_ENTRY    the name of the entry point (an ce__sm4_ecb_fn)
 *   CE__YMM_P(name)  prefixes the helpers' names (each inclusion has its own)
 *   CE__YMM_SBOX     a function-like macro: the S-box on every byte of a
 *                    __m256i, given the prefix's constants (see below)
 *   CE__YMM_SHIFTED  1 when CE__YMM_SBOX leaves byte i of each 128-bit lane
 *                    at AES ShiftRows position sr[i] (AESENCLAST does), so
 *                    the linear layer undoes it with its byte shuffles;
 *                    0 when bytes stay in place.
 *
 * Layout: a ymm register holds 2 blocks; 4 registers (8 blocks) are
 * transposed so that register k holds word k of each of the 8 blocks
 * (bytes swapped to native order); a pass runs up to CE__YMM_SETS such
 * sets of 8 blocks interleaved, with masked loads and stores for a short
 * last set.
 */
#include <immintrin.h>

#define CE__YMM_FN                                                             \
  static inline __attribute__((always_inline, target(CE__YMM_TARGET)))
#define CE__YMM_SETS 2 /* 16 ymm registers: 8 hold state, the rest temps */

/* Masks of _mm256_shuffle_epi8: out byte i = in byte m[i], per lane. */
typedef struct {
  __m256i bswap;        /* byte order of each dword                       */
  __m256i b;            /* the S-box output in place (identity or inverse  */
                        /* ShiftRows)                                     */
  __m256i r8, r16, r24; /* rotations left by 8, 16, 24 of each word */
                        /* (after b)                               */
} CE__YMM_P(masks);

CE__YMM_FN __m256i CE__YMM_P(lanes)(const int8_t m[16]) {
  __m128i v = _mm_loadu_si128((const __m128i *)(const void *)m);
  return _mm256_broadcastsi128_si256(v);
}

CE__YMM_FN void CE__YMM_P(make_masks)(CE__YMM_P(masks) * k) {
  /* Rows: bswap, b, r8, r16, r24. (x <<< 8n) in native little-endian
     words takes byte j from byte (j - n) mod 4 of the same word. With
     CE__YMM_SHIFTED, AESENCLAST's ShiftRows has moved byte k to position
     isr[k] = {0, 13, 10, 7, 4, 1, 14, 11, 8, 5, 2, 15, 12, 9, 6, 3}, so b
     reads it back from there and the rotations compose with b. */
  static const int8_t t[2][5][16] = {
      {{3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12},
       {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
       {3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14},
       {2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13},
       {1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12}},
      {{3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12},
       {0, 13, 10, 7, 4, 1, 14, 11, 8, 5, 2, 15, 12, 9, 6, 3},
       {7, 0, 13, 10, 11, 4, 1, 14, 15, 8, 5, 2, 3, 12, 9, 6},
       {10, 7, 0, 13, 14, 11, 4, 1, 2, 15, 8, 5, 6, 3, 12, 9},
       {13, 10, 7, 0, 1, 14, 11, 4, 5, 2, 15, 8, 9, 6, 3, 12}}};
  const int8_t(*r)[16] = t[CE__YMM_SHIFTED];
  k->bswap = CE__YMM_P(lanes)(r[0]);
  k->b = CE__YMM_P(lanes)(r[1]);
  k->r8 = CE__YMM_P(lanes)(r[2]);
  k->r16 = CE__YMM_P(lanes)(r[3]);
  k->r24 = CE__YMM_P(lanes)(r[4]);
}

/* x0 ^= L(S(x1 ^ x2 ^ x3 ^ rk)), L(b) = b ^ b<<<24 ^ (c <<< 2) with
   c = b ^ b<<<8 ^ b<<<16 (the byte rotations are shuffles). x3 is the
   word the previous round made, so it joins last; x0 ^ b ^ b<<<24 is
   summed beside c. */
#define CE__YMM_ROUND(x0, x1, x2, x3, key)                                     \
  do {                                                                         \
    __m256i s_ =                                                               \
        _mm256_xor_si256(_mm256_xor_si256(_mm256_xor_si256(x1, x2), key), x3); \
    s_ = CE__YMM_SBOX(s_);                                                     \
    __m256i b_ = CE__YMM_SHIFTED ? _mm256_shuffle_epi8(s_, m.b) : s_;          \
    __m256i u_ = _mm256_xor_si256(                                             \
        x0, _mm256_xor_si256(b_, _mm256_shuffle_epi8(s_, m.r24)));             \
    __m256i c_ =                                                               \
        _mm256_xor_si256(_mm256_xor_si256(b_, _mm256_shuffle_epi8(s_, m.r8)),  \
                         _mm256_shuffle_epi8(s_, m.r16));                      \
    c_ = _mm256_or_si256(_mm256_slli_epi32(c_, 2), _mm256_srli_epi32(c_, 30)); \
    x0 = _mm256_xor_si256(u_, c_);                                             \
  } while (0)

/* Lanes of register j of a set: blocks 2j, 2j+1 of the set; mask of the
   dwords to load or store when rem blocks remain from the set's start. */
CE__YMM_FN __m256i CE__YMM_P(mask)(size_t rem, int j) {
  size_t have = rem > (size_t)(2 * j) ? rem - (size_t)(2 * j) : 0;
  int dw = have >= 2 ? 8 : (int)have * 4;
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(dw),
                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* In-lane 4x4 transpose of dwords (its own inverse). */
#define CE__YMM_TRANSPOSE(a, b, c, d)                                          \
  do {                                                                         \
    __m256i t0_ = _mm256_unpacklo_epi32(a, b),                                 \
            t1_ = _mm256_unpackhi_epi32(a, b);                                 \
    __m256i t2_ = _mm256_unpacklo_epi32(c, d),                                 \
            t3_ = _mm256_unpackhi_epi32(c, d);                                 \
    a = _mm256_unpacklo_epi64(t0_, t2_);                                       \
    b = _mm256_unpackhi_epi64(t0_, t2_);                                       \
    c = _mm256_unpacklo_epi64(t1_, t3_);                                       \
    d = _mm256_unpackhi_epi64(t1_, t3_);                                       \
  } while (0)

/* One pass over n blocks, 1 <= n <= 8 * ns, ns sets (a constant). */
CE__YMM_FN void CE__YMM_P(pass)(const uint32_t *rk, const uint8_t *in,
                                uint8_t *out, size_t n, const int ns,
                                const CE__YMM_P(masks) * mk) {
  const CE__YMM_P(masks) m = *mk;
  __m256i x[CE__YMM_SETS][4];
#pragma GCC unroll 4
  for (int s = 0; s < ns; s++) {
    size_t rem = n - (size_t)(8 * s); /* > 0: ns = ceil(n / 8) */
#pragma GCC unroll 4
    for (int j = 0; j < 4; j++) {
      size_t at = (size_t)(8 * s + 2 * j);
      __m256i v;
      /* Whole registers with plain loads (VPMASKMOVD is slow on some
         CPUs); a fully masked register reads nothing. */
      if (at + 2 <= n)
        v = _mm256_loadu_si256((const __m256i *)(const void *)(in + 16 * at));
      else
        v = _mm256_maskload_epi32(
            (const int *)(const void *)(in + 16 * (at < n ? at : n)),
            CE__YMM_P(mask)(rem, j));
      x[s][j] = _mm256_shuffle_epi8(v, m.bswap);
    }
    CE__YMM_TRANSPOSE(x[s][0], x[s][1], x[s][2], x[s][3]);
  }
  for (int i = 0; i < 32; i += 4) {
#pragma GCC unroll 4
    for (int r = 0; r < 4; r++) {
      __m256i key = _mm256_set1_epi32((int)rk[i + r]);
#pragma GCC unroll 4
      for (int s = 0; s < ns; s++)
        CE__YMM_ROUND(x[s][r], x[s][(r + 1) & 3], x[s][(r + 2) & 3],
                      x[s][(r + 3) & 3], key);
    }
  }
#pragma GCC unroll 4
  for (int s = 0; s < ns; s++) {
    size_t rem = n - (size_t)(8 * s);
    /* Output X35, X34, X33, X32: transpose back in that order. */
    CE__YMM_TRANSPOSE(x[s][3], x[s][2], x[s][1], x[s][0]);
#pragma GCC unroll 4
    for (int j = 0; j < 4; j++) {
      size_t at = (size_t)(8 * s + 2 * j);
      __m256i v = _mm256_shuffle_epi8(x[s][3 - j], m.bswap);
      if (at + 2 <= n)
        _mm256_storeu_si256((__m256i *)(void *)(out + 16 * at), v);
      else
        _mm256_maskstore_epi32((int *)(void *)(out + 16 * (at < n ? at : n)),
                               CE__YMM_P(mask)(rem, j), v);
    }
  }
}

__attribute__((target(CE__YMM_TARGET))) void
CE__YMM_ENTRY(const uint32_t rk[32], const uint8_t *in, uint8_t *out,
              size_t nblocks) {
  CE__YMM_P(masks) m;
  CE__YMM_P(make_masks)(&m);
  while (nblocks > 8) {
    size_t n = nblocks < 16 ? nblocks : 16;
    CE__YMM_P(pass)(rk, in, out, n, 2, &m);
    in += 16 * n;
    out += 16 * n;
    nblocks -= n;
  }
  if (nblocks > 0)
    CE__YMM_P(pass)(rk, in, out, nblocks, 1, &m);
}

#undef CE__YMM_FN
#undef CE__YMM_SETS
#undef CE__YMM_ROUND
#undef CE__YMM_TRANSPOSE
