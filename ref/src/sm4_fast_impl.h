/*
 * sm4_fast_impl.h - the inside of the SM4 block layer (sm4_fast.h): the
 * implementations' entry points, the CPU features they need, and the
 * controls the tests use to run each implementation in turn
 * (tests/c/test_sm4_fast.c). Not for the rest of the library.
 */
#ifndef CE_SM4_FAST_IMPL_H
#define CE_SM4_FAST_IMPL_H

#include "sm4_fast.h"

/* The vectorized implementations are x86-64 code in GCC/Clang syntax
   (intrinsics under __attribute__((target))); elsewhere only the portable
   one exists. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define CE__SM4_X86 1
#endif

/* One implementation: rk are the 32 round keys of a ce__sm4_key. */
typedef void ce__sm4_ecb_fn(const uint32_t rk[32], const uint8_t *in,
                            uint8_t *out, size_t nblocks);

void ce__sm4_ecb_portable(const uint32_t rk[32], const uint8_t *in,
                          uint8_t *out, size_t nblocks);
#ifdef CE__SM4_X86
void ce__sm4_ecb_gfni_avx512(const uint32_t rk[32], const uint8_t *in,
                             uint8_t *out, size_t nblocks);
void ce__sm4_ecb_gfni_avx2(const uint32_t rk[32], const uint8_t *in,
                           uint8_t *out, size_t nblocks);
void ce__sm4_ecb_vaes_avx2(const uint32_t rk[32], const uint8_t *in,
                           uint8_t *out, size_t nblocks);
void ce__sm4_ecb_aesni_avx2(const uint32_t rk[32], const uint8_t *in,
                            uint8_t *out, size_t nblocks);
#endif

/* CPU features (ce__sm4_cpu_features), each including the operating
   system's support for the registers it uses (XGETBV). */
#define CE__SM4_F_AVX2 0x01u   /* AVX2 (ymm state saved)                  */
#define CE__SM4_F_AVX512 0x02u /* AVX-512 F, BW and VL (zmm state saved)  */
#define CE__SM4_F_GFNI 0x04u   /* GFNI                                    */
#define CE__SM4_F_AES 0x08u    /* AES-NI                                  */
#define CE__SM4_F_VAES 0x10u   /* VAES                                    */
uint32_t ce__sm4_cpu_features(void);

/* Testing controls. */
/* The name of the i-th compiled-in implementation (best first; the last
   is "portable"), NULL past the end. */
const char *ce__sm4_impl_at(size_t i);
/* The implementation the automatic choice makes for a CPU with features. */
const char *ce__sm4_impl_for_features(uint32_t features);
/* Makes name the selected implementation: 0, or -1 when there is no such
   implementation or this CPU lacks what it needs (nothing changes then).
   NULL returns to the automatic choice. Affects every later
   ce__sm4_ecb call and which path new contexts take (mode_ecb.c). */
int ce__sm4_force_impl(const char *name);

#endif
