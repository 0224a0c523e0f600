/*
 * sm4.h - the SM4 block cipher of GB/T 32907-2016, written from the
 * standard for the mbedTLS CE1 implementation (mbedTLS 2.28 has no SM4).
 *
 * One 128-bit block at a time; a key schedule holds the 32 round keys.
 * Wipe an sm4_key with sm4_wipe when done.
 */
#ifndef CE1_MBEDTLS_SM4_H
#define CE1_MBEDTLS_SM4_H

#include <stdint.h>

typedef struct sm4_key {
  uint32_t rk[32]; /* round keys rk_0 .. rk_31 (GB/T 32907 7.3) */
} sm4_key;

/* Expands the 16-byte key MK into the round keys for encryption
   (decrypt = 0) or decryption (decrypt = 1: the same keys, reversed). */
void sm4_setkey(sm4_key *ks, const uint8_t key[16], int decrypt);

/* Encrypts or decrypts (by the key schedule's direction) one block. in and
   out may be the same buffer. */
void sm4_crypt_block(const sm4_key *ks, const uint8_t in[16], uint8_t out[16]);

/* Zeroes the round keys. */
void sm4_wipe(sm4_key *ks);

#endif /* CE1_MBEDTLS_SM4_H */
