/*
 * sm4_fast_aesni.c - SM4 ECB through AES-NI, for x86-64 CPUs with AVX2 but
 * without GFNI: vaes-avx2 (VAES, AESENCLAST on ymm) and aesni-avx2
 * (AESENCLAST on the two xmm halves), both from the template
 * sm4_fast_ymm.h. The technique is the well-known one (Linux's
 * sm4-aesni-avx2, libgcrypt's sm4-aesni-avx2-amd64.S); the constants here
 * were derived independently by scripts/sm4_constants.py, which checks
 * them on all 256 inputs (CTest sm4_constants).
 *
 * SM4's S-box is affine-equivalent to AES's: with M1 = phi*A, c1 =
 * phi(0xd3) as in sm4_fast_gfni.c and AES's SubBytes(y) = Aaes * inv(y) +
 * 0x63,
 *   S(x) = P * SubBytes(M1 * x + c1) + (P * 0x63 + 0xd3),
 *   P = A * phi^-1 * Aaes^-1.
 * Each affine map runs as two 16-entry byte tables (VPSHUFB on the low and
 * the high nibble, XORed; the constant folded into the low table), and
 * SubBytes as AESENCLAST with an all-zero round key, whose ShiftRows the
 * linear layer's byte shuffles undo (CE__YMM_SHIFTED). No table in memory
 * is indexed by key or data.
 */
#include "sm4_fast_impl.h"

#ifdef CE__SM4_X86
#include <immintrin.h>

/* Nibble tables: pre = M1 x + c1, post = P y + (P 0x63 + 0xd3). */
#define CE__AES_PRE_LO                                                         \
  _mm256_setr_epi8(0x3e, (char)0xb2, 0x0e, (char)0x82, (char)0xbb, 0x37,       \
                   (char)0x8b, 0x07, (char)0xa1, 0x2d, (char)0x91, 0x1d, 0x24, \
                   (char)0xa8, 0x14, (char)0x98, 0x3e, (char)0xb2, 0x0e,       \
                   (char)0x82, (char)0xbb, 0x37, (char)0x8b, 0x07, (char)0xa1, \
                   0x2d, (char)0x91, 0x1d, 0x24, (char)0xa8, 0x14, (char)0x98)
#define CE__AES_PRE_HI                                                         \
  _mm256_setr_epi8(                                                            \
      0x00, (char)0xdc, 0x2e, (char)0xf2, (char)0xc5, 0x19, (char)0xeb, 0x37,  \
      0x08, (char)0xd4, 0x26, (char)0xfa, (char)0xcd, 0x11, (char)0xe3, 0x3f,  \
      0x00, (char)0xdc, 0x2e, (char)0xf2, (char)0xc5, 0x19, (char)0xeb, 0x37,  \
      0x08, (char)0xd4, 0x26, (char)0xfa, (char)0xcd, 0x11, (char)0xe3, 0x3f)
#define CE__AES_POST_LO                                                        \
  _mm256_setr_epi8(0x6c, (char)0xd4, (char)0xa6, 0x1e, 0x52, (char)0xea,       \
                   (char)0x98, 0x20, 0x0b, (char)0xb3, (char)0xc1, 0x79, 0x35, \
                   (char)0x8d, (char)0xff, 0x47, 0x6c, (char)0xd4, (char)0xa6, \
                   0x1e, 0x52, (char)0xea, (char)0x98, 0x20, 0x0b, (char)0xb3, \
                   (char)0xc1, 0x79, 0x35, (char)0x8d, (char)0xff, 0x47)
#define CE__AES_POST_HI                                                        \
  _mm256_setr_epi8(0x00, (char)0xe0, 0x50, (char)0xb0, (char)0x9d, 0x7d,       \
                   (char)0xcd, 0x2d, (char)0xc0, 0x20, (char)0x90, 0x70, 0x5d, \
                   (char)0xbd, 0x0d, (char)0xed, 0x00, (char)0xe0, 0x50,       \
                   (char)0xb0, (char)0x9d, 0x7d, (char)0xcd, 0x2d, (char)0xc0, \
                   0x20, (char)0x90, 0x70, 0x5d, (char)0xbd, 0x0d, (char)0xed)

/* lo(x) ^ hi(x): an affine map of every byte through two nibble tables. */
#define CE__AES_AFFINE(v, lo, hi)                                              \
  _mm256_xor_si256(                                                            \
      _mm256_shuffle_epi8(lo, _mm256_and_si256(v, _mm256_set1_epi8(0x0f))),    \
      _mm256_shuffle_epi8(hi, _mm256_and_si256(_mm256_srli_epi16(v, 4),        \
                                               _mm256_set1_epi8(0x0f))))

/* ---- vaes-avx2 -------------------------------------------------------- */

#define CE__YMM_TARGET "avx2,aes,vaes"
#define CE__YMM_ENTRY ce__sm4_ecb_vaes_avx2
#define CE__YMM_P(name) ce__ymm_vaes_##name
#define CE__YMM_SHIFTED 1
#define CE__YMM_SBOX(v)                                                        \
  CE__AES_AFFINE(_mm256_aesenclast_epi128(                                     \
                     CE__AES_AFFINE(v, CE__AES_PRE_LO, CE__AES_PRE_HI),        \
                     _mm256_setzero_si256()),                                  \
                 CE__AES_POST_LO, CE__AES_POST_HI)
#include "sm4_fast_ymm.h"
#undef CE__YMM_TARGET
#undef CE__YMM_ENTRY
#undef CE__YMM_P
#undef CE__YMM_SHIFTED
#undef CE__YMM_SBOX

/* ---- aesni-avx2 ------------------------------------------------------- */

__attribute__((always_inline, target("avx2,aes"))) static inline __m256i
ce__aesenclast2(__m256i v) {
  __m128i lo =
      _mm_aesenclast_si128(_mm256_castsi256_si128(v), _mm_setzero_si128());
  __m128i hi =
      _mm_aesenclast_si128(_mm256_extracti128_si256(v, 1), _mm_setzero_si128());
  return _mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1);
}

#define CE__YMM_TARGET "avx2,aes"
#define CE__YMM_ENTRY ce__sm4_ecb_aesni_avx2
#define CE__YMM_P(name) ce__ymm_aesni_##name
#define CE__YMM_SHIFTED 1
#define CE__YMM_SBOX(v)                                                        \
  CE__AES_AFFINE(                                                              \
      ce__aesenclast2(CE__AES_AFFINE(v, CE__AES_PRE_LO, CE__AES_PRE_HI)),      \
      CE__AES_POST_LO, CE__AES_POST_HI)
#include "sm4_fast_ymm.h"

#endif /* CE__SM4_X86 */
