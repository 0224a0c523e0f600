/*
 * sm4_fast.c - the SM4 block layer (sm4_fast.h): the key schedule, the
 * portable implementation, and the run-time choice among the
 * implementations (sm4_fast_impl.h).
 *
 * SM4 (GB/T 32907-2016): a block is four big-endian words X0..X3; round i
 * (0..31) computes X(i+4) = X(i) ^ T(X(i+1) ^ X(i+2) ^ X(i+3) ^ rk[i]),
 * T(x) = L(tau(x)), tau the S-box on each byte,
 * L(b) = b ^ (b <<< 2) ^ (b <<< 10) ^ (b <<< 18) ^ (b <<< 24);
 * the output is X35, X34, X33, X32. The key schedule is the same
 * recurrence with the constants FK and CK and L'(b) = b ^ (b <<< 13) ^
 * (b <<< 23).
 */
#include "sm4_fast_impl.h"

#include <stdatomic.h>
#include <string.h>

#include <openssl/crypto.h>

#ifdef CE__SM4_X86
#include <cpuid.h>
#endif

static const uint8_t ce__sm4_sbox[256] = {
    0xd6, 0x90, 0xe9, 0xfe, 0xcc, 0xe1, 0x3d, 0xb7, 0x16, 0xb6, 0x14, 0xc2,
    0x28, 0xfb, 0x2c, 0x05, 0x2b, 0x67, 0x9a, 0x76, 0x2a, 0xbe, 0x04, 0xc3,
    0xaa, 0x44, 0x13, 0x26, 0x49, 0x86, 0x06, 0x99, 0x9c, 0x42, 0x50, 0xf4,
    0x91, 0xef, 0x98, 0x7a, 0x33, 0x54, 0x0b, 0x43, 0xed, 0xcf, 0xac, 0x62,
    0xe4, 0xb3, 0x1c, 0xa9, 0xc9, 0x08, 0xe8, 0x95, 0x80, 0xdf, 0x94, 0xfa,
    0x75, 0x8f, 0x3f, 0xa6, 0x47, 0x07, 0xa7, 0xfc, 0xf3, 0x73, 0x17, 0xba,
    0x83, 0x59, 0x3c, 0x19, 0xe6, 0x85, 0x4f, 0xa8, 0x68, 0x6b, 0x81, 0xb2,
    0x71, 0x64, 0xda, 0x8b, 0xf8, 0xeb, 0x0f, 0x4b, 0x70, 0x56, 0x9d, 0x35,
    0x1e, 0x24, 0x0e, 0x5e, 0x63, 0x58, 0xd1, 0xa2, 0x25, 0x22, 0x7c, 0x3b,
    0x01, 0x21, 0x78, 0x87, 0xd4, 0x00, 0x46, 0x57, 0x9f, 0xd3, 0x27, 0x52,
    0x4c, 0x36, 0x02, 0xe7, 0xa0, 0xc4, 0xc8, 0x9e, 0xea, 0xbf, 0x8a, 0xd2,
    0x40, 0xc7, 0x38, 0xb5, 0xa3, 0xf7, 0xf2, 0xce, 0xf9, 0x61, 0x15, 0xa1,
    0xe0, 0xae, 0x5d, 0xa4, 0x9b, 0x34, 0x1a, 0x55, 0xad, 0x93, 0x32, 0x30,
    0xf5, 0x8c, 0xb1, 0xe3, 0x1d, 0xf6, 0xe2, 0x2e, 0x82, 0x66, 0xca, 0x60,
    0xc0, 0x29, 0x23, 0xab, 0x0d, 0x53, 0x4e, 0x6f, 0xd5, 0xdb, 0x37, 0x45,
    0xde, 0xfd, 0x8e, 0x2f, 0x03, 0xff, 0x6a, 0x72, 0x6d, 0x6c, 0x5b, 0x51,
    0x8d, 0x1b, 0xaf, 0x92, 0xbb, 0xdd, 0xbc, 0x7f, 0x11, 0xd9, 0x5c, 0x41,
    0x1f, 0x10, 0x5a, 0xd8, 0x0a, 0xc1, 0x31, 0x88, 0xa5, 0xcd, 0x7b, 0xbd,
    0x2d, 0x74, 0xd0, 0x12, 0xb8, 0xe5, 0xb4, 0xb0, 0x89, 0x69, 0x97, 0x4a,
    0x0c, 0x96, 0x77, 0x7e, 0x65, 0xb9, 0xf1, 0x09, 0xc5, 0x6e, 0xc6, 0x84,
    0x18, 0xf0, 0x7d, 0xec, 0x3a, 0xdc, 0x4d, 0x20, 0x79, 0xee, 0x5f, 0x3e,
    0xd7, 0xcb, 0x39, 0x48};

static const uint32_t ce__sm4_fk[4] = {0xa3b1bac6u, 0x56aa3350u, 0x677d9197u,
                                       0xb27022dcu};

static inline uint32_t ce__rol32(uint32_t x, unsigned n) {
  return (x << n) | (x >> (32u - n)); /* n is 2..24 */
}

static inline uint32_t ce__load_be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         (uint32_t)p[3];
}

static inline void ce__store_be32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

/* tau: the S-box on each byte of x. */
static inline uint32_t ce__sm4_tau(uint32_t x) {
  return (uint32_t)ce__sm4_sbox[x >> 24] << 24 |
         (uint32_t)ce__sm4_sbox[(x >> 16) & 0xffu] << 16 |
         (uint32_t)ce__sm4_sbox[(x >> 8) & 0xffu] << 8 |
         (uint32_t)ce__sm4_sbox[x & 0xffu];
}

void ce__sm4_expand_key(const uint8_t key[16], ce__sm4_key *enc,
                        ce__sm4_key *dec) {
  uint32_t k[4], rk[32];
  for (unsigned i = 0; i < 4; i++)
    k[i] = ce__load_be32(key + 4 * i) ^ ce__sm4_fk[i];
  for (unsigned i = 0; i < 32; i++) {
    /* CK[i], byte j = (4i + j) * 7 mod 256. */
    uint32_t ck = 0;
    for (unsigned j = 0; j < 4; j++)
      ck = ck << 8 | (((4u * i + j) * 7u) & 0xffu);
    uint32_t b =
        ce__sm4_tau(k[(i + 1) % 4] ^ k[(i + 2) % 4] ^ k[(i + 3) % 4] ^ ck);
    k[i % 4] ^= b ^ ce__rol32(b, 13) ^ ce__rol32(b, 23);
    rk[i] = k[i % 4];
  }
  for (unsigned i = 0; i < 32; i++) {
    if (enc != NULL)
      enc->rk[i] = rk[i];
    if (dec != NULL)
      dec->rk[i] = rk[31 - i];
  }
  OPENSSL_cleanse(k, sizeof k);
  OPENSSL_cleanse(rk, sizeof rk);
}

void ce__sm4_key_wipe(ce__sm4_key *k) {
  OPENSSL_cleanse(k, sizeof *k);
}

void ce__sm4_ecb_portable(const uint32_t rk[32], const uint8_t *in,
                          uint8_t *out, size_t nblocks) {
  for (size_t n = 0; n < nblocks; n++, in += 16, out += 16) {
    uint32_t x[4];
    for (unsigned i = 0; i < 4; i++)
      x[i] = ce__load_be32(in + 4 * i);
    for (unsigned i = 0; i < 32; i++) {
      uint32_t b =
          ce__sm4_tau(x[(i + 1) % 4] ^ x[(i + 2) % 4] ^ x[(i + 3) % 4] ^ rk[i]);
      x[i % 4] ^= b ^ ce__rol32(b, 2) ^ ce__rol32(b, 10) ^ ce__rol32(b, 18) ^
                  ce__rol32(b, 24);
    }
    /* X32..X35 sit in x[0..3]; the output is X35, X34, X33, X32. */
    for (unsigned i = 0; i < 4; i++)
      ce__store_be32(out + 4 * i, x[3 - i]);
  }
}

/* ---- choosing an implementation ------------------------------------- */

typedef struct ce__sm4_impl {
  const char *name;
  uint32_t needs; /* CE__SM4_F_* */
  ce__sm4_ecb_fn *fn;
} ce__sm4_impl;

/* Best first (measured on the machines at hand, bench/README.md); the
   automatic choice is the first whose needs the CPU meets. */
static const ce__sm4_impl ce__sm4_impls[] = {
#ifdef CE__SM4_X86
    {"gfni-avx512", CE__SM4_F_AVX512 | CE__SM4_F_GFNI, ce__sm4_ecb_gfni_avx512},
    {"gfni-avx2", CE__SM4_F_AVX2 | CE__SM4_F_GFNI, ce__sm4_ecb_gfni_avx2},
    {"vaes-avx2", CE__SM4_F_AVX2 | CE__SM4_F_VAES, ce__sm4_ecb_vaes_avx2},
    {"aesni-avx2", CE__SM4_F_AVX2 | CE__SM4_F_AES, ce__sm4_ecb_aesni_avx2},
#endif
    {"portable", 0, ce__sm4_ecb_portable},
};
#define CE__SM4_NIMPL (sizeof ce__sm4_impls / sizeof ce__sm4_impls[0])
#define CE__SM4_PORTABLE (&ce__sm4_impls[CE__SM4_NIMPL - 1])

uint32_t ce__sm4_cpu_features(void) {
#ifdef CE__SM4_X86
  unsigned a, b, d, c1, b7, c7;
  /* Leaf 7 (AVX2, AVX-512, GFNI, VAES) counts only where it exists. */
  uint32_t has7 = 0u - (uint32_t)(__get_cpuid_max(0, NULL) >= 7);
  __cpuid(1, a, b, c1, d);
  __cpuid_count(7, 0, a, b7, c7, d);
  b7 &= has7;
  c7 &= has7;
  /* XCR0 says which register states the OS saves: xmm+ymm (bits 1, 2),
     and for AVX-512 also opmask and zmm (bits 5, 6, 7). XGETBV exists
     only when OSXSAVE (CPUID.1:ECX bit 27) is set. */
  uint32_t xcr0 = 0;
  if (c1 & (1u << 27)) {
    uint32_t hi;
    __asm__("xgetbv" : "=a"(xcr0), "=d"(hi) : "c"(0));
    (void)hi;
  }
  uint32_t ymm = ((xcr0 & 0x06u) == 0x06u) & (c1 >> 28); /* and AVX */
  uint32_t zmm = ymm & ((xcr0 & 0xe0u) == 0xe0u);
  uint32_t f = 0;
  f |= (ymm & (b7 >> 5)) * CE__SM4_F_AVX2;
  f |= (zmm & (b7 >> 16) & (b7 >> 30) & (b7 >> 31)) * CE__SM4_F_AVX512;
  f |= ((c7 >> 8) & 1u) * CE__SM4_F_GFNI;
  f |= ((c1 >> 25) & 1u) * CE__SM4_F_AES;
  f |= (ymm & (c7 >> 9)) * CE__SM4_F_VAES;
  return f;
#else
  return 0;
#endif
}

static const ce__sm4_impl *ce__sm4_select(uint32_t features) {
  const ce__sm4_impl *p = ce__sm4_impls;
  while ((p->needs & features) != p->needs)
    p++; /* ends at "portable", which needs nothing */
  return p;
}

/* NULL until the first use, which selects for this CPU. */
static _Atomic(const ce__sm4_impl *) ce__sm4_current;

static const ce__sm4_impl *ce__sm4_get(void) {
  const ce__sm4_impl *p =
      atomic_load_explicit(&ce__sm4_current, memory_order_acquire);
  if (p == NULL) {
    /* Unless another thread (or ce__sm4_force_impl) got there first. */
    const ce__sm4_impl *none = NULL;
    atomic_compare_exchange_strong(&ce__sm4_current, &none,
                                   ce__sm4_select(ce__sm4_cpu_features()));
    p = atomic_load_explicit(&ce__sm4_current, memory_order_acquire);
  }
  return p;
}

void ce__sm4_ecb(const ce__sm4_key *k, const uint8_t *in, uint8_t *out,
                 size_t nblocks) {
  ce__sm4_get()->fn(k->rk, in, out, nblocks);
}

const char *ce__sm4_impl_name(void) {
  return ce__sm4_get()->name;
}

int ce__sm4_impl_vectorized(void) {
  return ce__sm4_get() != CE__SM4_PORTABLE;
}

const char *ce__sm4_impl_at(size_t i) {
  return i < CE__SM4_NIMPL ? ce__sm4_impls[i].name : NULL;
}

const char *ce__sm4_impl_for_features(uint32_t features) {
  return ce__sm4_select(features)->name;
}

int ce__sm4_force_impl(const char *name) {
  const ce__sm4_impl *p = ce__sm4_select(ce__sm4_cpu_features());
  if (name != NULL) {
    uint32_t have = ce__sm4_cpu_features();
    p = NULL;
    for (size_t i = 0; i < CE__SM4_NIMPL; i++)
      if (strcmp(name, ce__sm4_impls[i].name) == 0 &&
          (ce__sm4_impls[i].needs & have) == ce__sm4_impls[i].needs)
        p = &ce__sm4_impls[i];
    if (p == NULL)
      return -1;
  }
  atomic_store_explicit(&ce__sm4_current, p, memory_order_release);
  return 0;
}
