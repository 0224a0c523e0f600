/*
 * sm4_fast.h - a self-contained SM4 block layer (GB/T 32907-2016): the key
 * schedule and ECB over whole blocks, with vectorized implementations
 * chosen once at run time from what the CPU offers (sm4_fast.c):
 *
 *   gfni-avx512  GF2P8AFFINEQB / GF2P8AFFINEINVQB on 64 bytes, 16 blocks
 *                per 4 zmm registers, up to 96 blocks per pass
 *                (sm4_fast_gfni.c)
 *   gfni-avx2    the same on ymm without AVX-512 (sm4_fast_gfni.c)
 *   vaes-avx2    SM4's S-box through AESENCLAST with isomorphism matrices,
 *   aesni-avx2   on ymm (VAES) or on two xmm halves (sm4_fast_aesni.c)
 *   portable     plain C with the S-box table (sm4_fast.c)
 *
 * The vectorized implementations touch no memory that depends on the key
 * or the data (no tables indexed by secrets). The portable one indexes a
 * 256-byte table, as OpenSSL's own SM4 does; chanenc's packet path uses
 * this layer only when a vectorized implementation was selected
 * (mode_ecb.c) and OpenSSL's EVP SM4 otherwise.
 *
 * Nothing here allocates or fails. Internal (ce__ prefix), never exported.
 */
#ifndef CE_SM4_FAST_H
#define CE_SM4_FAST_H

#include <stddef.h>
#include <stdint.h>

/* 32 round keys, in the order the rounds use them. A decryption key holds
   the encryption key's round keys reversed (SM4 decrypts with the same
   rounds run with the keys backwards). */
typedef struct ce__sm4_key {
  uint32_t rk[32];
} ce__sm4_key;

/* The SM4 key schedule: enc and dec (either may be NULL) for key. */
void ce__sm4_expand_key(const uint8_t key[16], ce__sm4_key *enc,
                        ce__sm4_key *dec);

/* SM4 over nblocks 16-byte blocks, each independently (ECB, no padding),
   with k (an enc or a dec key from ce__sm4_expand_key). in == out is
   allowed; otherwise the two must not overlap. */
void ce__sm4_ecb(const ce__sm4_key *k, const uint8_t *in, uint8_t *out,
                 size_t nblocks);

/* The selected implementation: "gfni-avx512", "gfni-avx2", "vaes-avx2",
   "aesni-avx2" or "portable". The first call selects it (thread-safe). */
const char *ce__sm4_impl_name(void);
/* 1 when the selected implementation is a vectorized one. */
int ce__sm4_impl_vectorized(void);

/* Wipes a key (OPENSSL_cleanse). */
void ce__sm4_key_wipe(ce__sm4_key *k);

#endif
