/*
 * test_sm4_ct.c - the SM4 key schedule (ref/src/sm4_fast.c,
 * ce__sm4_expand_key) uses no key-dependent memory address and no
 * key-dependent branch.
 *
 * Method (ctgrind, Langley 2010): under valgrind's memcheck, the key is
 * marked undefined; memcheck then reports every use of a value derived
 * from it as an address ("Use of uninitialised value of size 8") or in a
 * conditional jump, and the test runs with --error-exitcode. Outside
 * valgrind the marks are no-ops and the test only checks the answer. The
 * round keys are marked defined again before they are compared with the
 * GB/T 32907 example's.
 *
 * Registered by test_sm4_ct.cmake to run under valgrind when valgrind is
 * installed and the build is not sanitized.
 */
#include "sm4_fast.h"

#include <stdio.h>
#include <string.h>
#include <valgrind/memcheck.h>

int main(void) {
  /* GB/T 32907-2016 appendix A, example 1: key
     0123456789abcdeffedcba9876543210; rk[0] = f12186f9, rk[31] = 9124a012 (the
     standard's round-key listing). */
  uint8_t key[16] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
                     0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10};
  ce__sm4_key enc, dec;
  VALGRIND_MAKE_MEM_UNDEFINED(key, sizeof key);
  ce__sm4_expand_key(key, &enc, &dec);
  VALGRIND_MAKE_MEM_DEFINED(&enc, sizeof enc);
  VALGRIND_MAKE_MEM_DEFINED(&dec, sizeof dec);
  int bad = 0;
  if (enc.rk[0] != 0xf12186f9u || enc.rk[31] != 0x9124a012u) {
    fprintf(stderr, "rk[0] %08x rk[31] %08x, want f12186f9 9124a012\n",
            (unsigned)enc.rk[0], (unsigned)enc.rk[31]);
    bad = 1;
  }
  for (int i = 0; i < 32; i++)
    if (dec.rk[i] != enc.rk[31 - i])
      bad = 1;
  printf("test_sm4_ct: %s (%s)\n", bad ? "FAIL" : "ok",
         RUNNING_ON_VALGRIND ? "under valgrind: key-dependent addresses and "
                               "branches would be errors"
                             : "not under valgrind: answer only");
  return bad;
}
