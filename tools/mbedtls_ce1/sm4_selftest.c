/*
 * sm4_selftest.c - sm4.c against the examples of GB/T 32907-2016
 * Appendix A (CTest mbedtls_ce1_sm4_gbt32907):
 *   Example 1: key = plaintext = 0123456789abcdeffedcba9876543210,
 *              ciphertext 681edf34d206965e86b3e94f536e4246;
 *   Example 2: the same block encrypted 1,000,000 times with that key,
 *              595298c7c6fd271f0402f804c33d3f66;
 * and that decryption inverts both.
 */
#include "sm4.h"

#include <stdio.h>
#include <string.h>

static const uint8_t key[16] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
                                0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10};
static const uint8_t example1[16] = {0x68, 0x1e, 0xdf, 0x34, 0xd2, 0x06,
                                     0x96, 0x5e, 0x86, 0xb3, 0xe9, 0x4f,
                                     0x53, 0x6e, 0x42, 0x46};
static const uint8_t example2[16] = {0x59, 0x52, 0x98, 0xc7, 0xc6, 0xfd,
                                     0x27, 0x1f, 0x04, 0x02, 0xf8, 0x04,
                                     0xc3, 0x3d, 0x3f, 0x66};

static int check(const char *what, const uint8_t got[16],
                 const uint8_t want[16]) {
  if (memcmp(got, want, 16) == 0) {
    printf("ok   %s\n", what);
    return 0;
  }
  printf("FAIL %s: got ", what);
  for (int i = 0; i < 16; i++)
    printf("%02x", got[i]);
  printf("\n");
  return 1;
}

static void iterate(int decrypt, long n, uint8_t block[16]) {
  sm4_key ks;
  sm4_setkey(&ks, key, decrypt);
  for (long i = 0; i < n; i++)
    sm4_crypt_block(&ks, block, block);
  sm4_wipe(&ks);
}

int main(void) {
  int bad = 0;
  uint8_t b[16];

  memcpy(b, key, 16); /* the plaintext equals the key */
  iterate(0, 1, b);
  bad += check("GB/T 32907 A example 1, encrypt", b, example1);
  iterate(1, 1, b);
  bad += check("GB/T 32907 A example 1, decrypt", b, key);

  memcpy(b, key, 16);
  iterate(0, 1000000, b);
  bad += check("GB/T 32907 A example 2 (1,000,000 encryptions)", b, example2);
  iterate(1, 1000000, b);
  bad += check("GB/T 32907 A example 2, 1,000,000 decryptions back", b, key);

  return bad ? 1 : 0;
}
