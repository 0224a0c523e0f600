/*
 * sm4_fast_gfni.c - SM4 ECB with GFNI: gfni-avx512 (zmm, AVX-512 F/BW/VL)
 * and gfni-avx2 (ymm, through the template sm4_fast_ymm.h).
 *
 * The S-box. SM4's S-box is S(x) = A * inv(A * x + 0xd3) + 0xd3 with inv
 * the inverse in GF(2^8) modulo x^8+x^7+x^6+x^5+x^4+x^2+1 (0 -> 0) and A
 * the circulant matrix whose row i is 0xa7 rotated left by i. The field
 * isomorphism phi (x -> beta = 0x23, a root of that polynomial in AES's
 * field x^8+x^4+x^3+x+1) turns it into
 *   S(x) = (A phi^-1) * inv_AES((phi A) * x + phi(0xd3)) + 0xd3,
 * i.e. GF2P8AFFINEQB with matrix phi*A and constant 0x3e, then
 * GF2P8AFFINEINVQB (AES-field inverse, then affine) with matrix A*phi^-1
 * and constant 0xd3. The matrices below are in the instructions' layout
 * (byte 7 - i of the qword is the row of output bit i); they were derived
 * and checked against all 256 S-box entries by scripts/sm4_constants.py
 * (CTest sm4_constants); tests/c/test_sm4_fast.c checks every
 * implementation against OpenSSL.
 *
 * No table is indexed by key or data: the cost does not depend on them.
 */
#include "sm4_fast_impl.h"

#ifdef CE__SM4_X86
#include <immintrin.h>

#define CE__GFNI_PRE 0x4c287db91a22505dULL  /* phi * A            */
#define CE__GFNI_PRE_C 0x3e                 /* phi(0xd3)          */
#define CE__GFNI_POST 0xf3ab34a974a6b589ULL /* A * phi^-1        */
#define CE__GFNI_POST_C 0xd3

/* ---- gfni-avx512 ------------------------------------------------------ */

#define CE__Z_TARGET "avx512f,avx512bw,avx512vl,gfni"
#define CE__Z_FN                                                               \
  static inline __attribute__((always_inline, target(CE__Z_TARGET)))
#define CE__Z_SETS                                                             \
  6 /* at most 6 sets of 16 blocks per pass: 24 state                          \
       registers of 32 */

/* A zmm register holds 4 blocks; a set is 4 registers (16 blocks),
   transposed so that register k holds word k of the 16 blocks. */

/* The dwords of register j of a set to load or store when rem blocks
   remain from the set's start. */
CE__Z_FN __mmask16 ce__z_mask(size_t rem, int j) {
  size_t have = rem > (size_t)(4 * j) ? rem - (size_t)(4 * j) : 0;
  return (__mmask16)(have >= 4 ? 0xffffu : (1u << (4 * have)) - 1u);
}

#define CE__Z_TRANSPOSE(a, b, c, d)                                            \
  do {                                                                         \
    __m512i t0_ = _mm512_unpacklo_epi32(a, b),                                 \
            t1_ = _mm512_unpackhi_epi32(a, b);                                 \
    __m512i t2_ = _mm512_unpacklo_epi32(c, d),                                 \
            t3_ = _mm512_unpackhi_epi32(c, d);                                 \
    a = _mm512_unpacklo_epi64(t0_, t2_);                                       \
    b = _mm512_unpackhi_epi64(t0_, t2_);                                       \
    c = _mm512_unpacklo_epi64(t1_, t3_);                                       \
    d = _mm512_unpackhi_epi64(t1_, t3_);                                       \
  } while (0)

/* x0 ^= L(S(x1 ^ x2 ^ x3 ^ rk)), L(b) = b ^ b<<<2 ^ b<<<10 ^ b<<<18 ^
   b<<<24; 0x96 is the ternary-logic table of a ^ b ^ c. x3 is the word
   the previous round made, so it joins last, and L's five terms (with x0)
   are summed as two independent triples: a round's dependency chain is
   XOR, the two affine steps, rotate, ternary logic, XOR. */
#define CE__Z_ROUND(x0, x1, x2, x3, key)                                       \
  do {                                                                         \
    __m512i s_ =                                                               \
        _mm512_xor_si512(_mm512_ternarylogic_epi32(x1, x2, key, 0x96), x3);    \
    s_ = _mm512_gf2p8affine_epi64_epi8(s_, pre, CE__GFNI_PRE_C);               \
    s_ = _mm512_gf2p8affineinv_epi64_epi8(s_, post, CE__GFNI_POST_C);          \
    __m512i a_ =                                                               \
        _mm512_ternarylogic_epi32(x0, s_, _mm512_rol_epi32(s_, 2), 0x96);      \
    __m512i b_ = _mm512_ternarylogic_epi32(_mm512_rol_epi32(s_, 10),           \
                                           _mm512_rol_epi32(s_, 18),           \
                                           _mm512_rol_epi32(s_, 24), 0x96);    \
    x0 = _mm512_xor_si512(a_, b_);                                             \
  } while (0)

/* One pass over n blocks, 1 <= n <= 16 * ns, ns sets (a constant). */
CE__Z_FN void ce__z_pass(const uint32_t *rk, const uint8_t *in, uint8_t *out,
                         size_t n, const int ns) {
  const __m512i bswap = _mm512_broadcast_i32x4(
      _mm_setr_epi8(3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12));
  const __m512i pre = _mm512_set1_epi64((long long)CE__GFNI_PRE);
  const __m512i post = _mm512_set1_epi64((long long)CE__GFNI_POST);
  __m512i x[CE__Z_SETS][4];
#pragma GCC unroll 8
  for (int s = 0; s < ns; s++) {
    size_t rem = n - (size_t)(16 * s); /* > 0: ns = ceil(n / 16) */
#pragma GCC unroll 4
    for (int j = 0; j < 4; j++) {
      size_t at = (size_t)(16 * s + 4 * j);
      at = at < n ? at : n; /* a fully masked register reads nothing */
      x[s][j] = _mm512_shuffle_epi8(
          _mm512_maskz_loadu_epi32(ce__z_mask(rem, j), in + 16 * at), bswap);
    }
    CE__Z_TRANSPOSE(x[s][0], x[s][1], x[s][2], x[s][3]);
  }
  for (int i = 0; i < 32; i += 4) {
#pragma GCC unroll 4
    for (int r = 0; r < 4; r++) {
      __m512i key = _mm512_set1_epi32((int)rk[i + r]);
#pragma GCC unroll 8
      for (int s = 0; s < ns; s++)
        CE__Z_ROUND(x[s][r], x[s][(r + 1) & 3], x[s][(r + 2) & 3],
                    x[s][(r + 3) & 3], key);
    }
  }
#pragma GCC unroll 8
  for (int s = 0; s < ns; s++) {
    size_t rem = n - (size_t)(16 * s);
    /* Output X35, X34, X33, X32: transpose back in that order; register j
       of the set then sits in x[s][3 - j]. */
    CE__Z_TRANSPOSE(x[s][3], x[s][2], x[s][1], x[s][0]);
#pragma GCC unroll 4
    for (int j = 0; j < 4; j++) {
      size_t at = (size_t)(16 * s + 4 * j);
      at = at < n ? at : n;
      _mm512_mask_storeu_epi32(out + 16 * at, ce__z_mask(rem, j),
                               _mm512_shuffle_epi8(x[s][3 - j], bswap));
    }
  }
}

__attribute__((target(CE__Z_TARGET))) void
ce__sm4_ecb_gfni_avx512(const uint32_t rk[32], const uint8_t *in, uint8_t *out,
                        size_t nblocks) {
  /* Passes of 96 blocks (6 sets; 6% faster per block than 4 sets here)
     while more than 96 remain, then one pass of ceil(rest / 16) sets: a
     packet of up to 1,535 bytes is one pass. */
  while (nblocks > 16 * CE__Z_SETS) {
    ce__z_pass(rk, in, out, 96, 6);
    in += 16 * 96;
    out += 16 * 96;
    nblocks -= 96;
  }
  switch ((nblocks + 15) / 16) {
  case 6:
    ce__z_pass(rk, in, out, nblocks, 6);
    break;
  case 5:
    ce__z_pass(rk, in, out, nblocks, 5);
    break;
  case 4:
    ce__z_pass(rk, in, out, nblocks, 4);
    break;
  case 3:
    ce__z_pass(rk, in, out, nblocks, 3);
    break;
  case 2:
    ce__z_pass(rk, in, out, nblocks, 2);
    break;
  case 1:
    ce__z_pass(rk, in, out, nblocks, 1);
    break;
  default: /* 0 */
    break;
  }
}

/* ---- gfni-avx2 -------------------------------------------------------- */

#define CE__YMM_TARGET "avx2,gfni"
#define CE__YMM_ENTRY ce__sm4_ecb_gfni_avx2
#define CE__YMM_P(name) ce__ymm_gfni_##name
#define CE__YMM_SHIFTED 0
#define CE__YMM_SBOX(v)                                                        \
  _mm256_gf2p8affineinv_epi64_epi8(                                            \
      _mm256_gf2p8affine_epi64_epi8(                                           \
          v, _mm256_set1_epi64x((long long)CE__GFNI_PRE), CE__GFNI_PRE_C),     \
      _mm256_set1_epi64x((long long)CE__GFNI_POST), CE__GFNI_POST_C)
#include "sm4_fast_ymm.h"

#endif /* CE__SM4_X86 */
