/*
 * test_sframe_edges.c - the SFrame API at its edges, each check asserting
 * what chanenc_sframe.h (or chanenc_sframe_testing.h) documents:
 *  - every NULL argument is CE_ERR_INVALID_ARGUMENT and writes nothing;
 *    NULL outputs of ce_sframe_header_decode are allowed;
 *  - CE_ERR_TOO_LARGE for a payload over CE_SFRAME_MAX_PAYLOAD and for
 *    metadata over INT_MAX, in protect and unprotect, in the order of
 *    checks of docs/sframe.md 7.6 (the buffers unchanged); the one-shot
 *    AEADs refuse lengths over INT_MAX;
 *  - the testing interface: explicit CTR and set_next_ctr refuse what they
 *    document (UNKNOWN_KID for a receive key or no key);
 *  - the replay window's state (docs/sframe.md 7.3) across shifts of a
 *    whole number of 64-bit words, and frames older than 1024 accepted
 *    while the window is off and remembered when it is turned on;
 *  - in a CE_FAULT_INJECTION build, first thing in the process: a failure
 *    of the one-time fork-detection setup fails ce_sframe_ctx_new with
 *    CE_ERR_INTERNAL (*out NULL), and the next call succeeds.
 */
#include "ce_test.h"

#include "chanenc.h"
#include "chanenc_sframe.h"
#include "chanenc_sframe_testing.h"
#include "chanenc_testing.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t base[16] = {0x5f, 1, 2, 3, 4, 5, 6, 7, 8, 9};
static const uint8_t meta[3] = {'m', 'd', '!'};

static void pair(int suite, uint64_t kid, ce_sframe_ctx **tx,
                 ce_sframe_ctx **rx) {
  if (ce_sframe_ctx_new(suite, tx) != CE_OK ||
      ce_sframe_ctx_new(suite, rx) != CE_OK ||
      ce_sframe_add_key(*tx, kid, CE_SFRAME_SEND, base, sizeof base) != CE_OK ||
      ce_sframe_add_key(*rx, kid, CE_SFRAME_RECEIVE, base, sizeof base) !=
          CE_OK)
    exit(2);
}

/* The fork-detection setup runs once per process, at the first context:
   this must be the first SFrame (or CE1) call of the process. */
static void test_first_ctx_fault(void) {
  if (!ce_testing_fault_available()) {
    printf("skipped: the first-context fault needs a build with "
           "-DCE_FAULT_INJECTION=ON (the fault and coverage stages)\n");
    CE_SKIP(1);
    return;
  }
  ce_sframe_ctx *ctx = (ce_sframe_ctx *)&ctx;
  ce_testing_fault_arm(1);
  ce_status st = ce_sframe_ctx_new(4, &ctx);
  const char *site = ce_testing_fault_fired();
  ce_testing_fault_arm(0);
  CE_CHECK(site != NULL && strncmp(site, "fork.", 5) == 0,
           "first site of the first ctx_new: %s", site ? site : "(none)");
  CE_CHECK_STATUS(st, CE_ERR_INTERNAL, "ctx_new with fork setup failing");
  CE_CHECK(ctx == NULL, "*out NULL on failure");
  CE_CHECK_STATUS(ce_sframe_ctx_new(4, &ctx), CE_OK, "ctx_new retried");
  ce_sframe_ctx_free(ctx);
}

static void test_header_args(void) {
  uint8_t out[CE_SFRAME_MAX_HEADER];
  size_t len = sizeof out;
  CE_CHECK_STATUS(ce_sframe_header_encode(1, 2, NULL, &len),
                  CE_ERR_INVALID_ARGUMENT, "encode NULL out");
  CE_CHECK(len == sizeof out, "*out_len unchanged");
  CE_CHECK_STATUS(ce_sframe_header_encode(1, 2, out, NULL),
                  CE_ERR_INVALID_ARGUMENT, "encode NULL out_len");
  CE_CHECK_STATUS(ce_sframe_header_decode(NULL, 3, NULL, NULL, NULL),
                  CE_ERR_INVALID_ARGUMENT, "decode NULL in");
  /* (291, 17767) = 99 01 23 45 67 (docs/sframe.md 3); outputs may be NULL,
     and each one given is written. */
  static const uint8_t h[] = {0x99, 0x01, 0x23, 0x45, 0x67, 0xee};
  uint64_t kid = 0, ctr = 0;
  size_t hl = 0;
  CE_CHECK_STATUS(ce_sframe_header_decode(h, sizeof h, NULL, NULL, NULL), CE_OK,
                  "decode, no outputs");
  CE_CHECK_STATUS(ce_sframe_header_decode(h, sizeof h, &kid, NULL, NULL), CE_OK,
                  "decode, kid only");
  CE_CHECK(kid == 291, "kid %llu", (unsigned long long)kid);
  CE_CHECK_STATUS(ce_sframe_header_decode(h, sizeof h, NULL, &ctr, NULL), CE_OK,
                  "decode, ctr only");
  CE_CHECK(ctr == 17767, "ctr");
  CE_CHECK_STATUS(ce_sframe_header_decode(h, sizeof h, NULL, NULL, &hl), CE_OK,
                  "decode, length only");
  CE_CHECK(hl == 5, "header length");
  /* ce_sframe_derive: invalid suite, NULL out, NULL or empty base_key;
   *out untouched. */
  ce_sframe_derived d, dcopy;
  memset(&d, 0x3c, sizeof d);
  memcpy(&dcopy, &d, sizeof d);
  CE_CHECK_STATUS(ce_sframe_derive(9, 1, base, sizeof base, &d),
                  CE_ERR_INVALID_ARGUMENT, "derive suite 9");
  CE_CHECK_STATUS(ce_sframe_derive(1, 1, base, sizeof base, NULL),
                  CE_ERR_INVALID_ARGUMENT, "derive NULL out");
  CE_CHECK_STATUS(ce_sframe_derive(1, 1, NULL, 16, &d), CE_ERR_INVALID_ARGUMENT,
                  "derive NULL base_key");
  CE_CHECK_STATUS(ce_sframe_derive(1, 1, base, 0, &d), CE_ERR_INVALID_ARGUMENT,
                  "derive empty base_key");
  CE_CHECK(memcmp(&d, &dcopy, sizeof d) == 0, "derive wrote on failure");
  CE_CHECK(ce_sframe_overhead(9, 0, 0) == 0, "overhead of an invalid suite");
  CE_CHECK(ce_sframe_suite_get(0) == NULL && ce_sframe_suite_get(9) == NULL,
           "suite_get outside 1..8");
}

static void test_ctx_args(int suite) {
  ce_sframe_ctx *tx, *rx;
  pair(suite, 40, &tx, &rx);
  uint8_t buf[64], copy[64], out[64];
  memset(buf, 0x11, sizeof buf);
  memcpy(copy, buf, sizeof buf);
  memset(out, 0x22, sizeof out);
  size_t len = 10, olen = sizeof out;
  uint64_t ctr = 99;

  /* next_ctr, and the testing interface's counter. */
  CE_CHECK_STATUS(ce_sframe_next_ctr(NULL, 40, &ctr), CE_ERR_INVALID_ARGUMENT,
                  "next_ctr NULL ctx");
  CE_CHECK_STATUS(ce_sframe_next_ctr(tx, 40, NULL), CE_ERR_INVALID_ARGUMENT,
                  "next_ctr NULL ctr");
  CE_CHECK_STATUS(ce_sframe_next_ctr(rx, 40, &ctr), CE_ERR_UNKNOWN_KID,
                  "next_ctr of a receive key");
  CE_CHECK(ctr == 99, "*ctr unchanged");
  CE_CHECK_STATUS(ce_testing_sframe_set_next_ctr(NULL, 40, 5),
                  CE_ERR_INVALID_ARGUMENT, "set_next_ctr NULL");
  CE_CHECK_STATUS(ce_testing_sframe_set_next_ctr(tx, 41, 5), CE_ERR_UNKNOWN_KID,
                  "set_next_ctr, no key");
  CE_CHECK_STATUS(ce_testing_sframe_set_next_ctr(rx, 40, 5), CE_ERR_UNKNOWN_KID,
                  "set_next_ctr, receive key");
  CE_CHECK_STATUS(ce_testing_sframe_set_next_ctr(tx, 40, 5), CE_OK,
                  "set_next_ctr");
  CE_CHECK(ce_sframe_next_ctr(tx, 40, &ctr) == CE_OK && ctr == 5,
           "next_ctr after set_next_ctr");

  /* Protect: NULL pointers (nothing written, the CTR not consumed). */
  CE_CHECK_STATUS(ce_sframe_protect(NULL, 40, NULL, 0, buf, &len, sizeof buf),
                  CE_ERR_INVALID_ARGUMENT, "protect NULL ctx");
  CE_CHECK_STATUS(ce_sframe_protect(tx, 40, NULL, 0, NULL, &len, sizeof buf),
                  CE_ERR_INVALID_ARGUMENT, "protect NULL buf");
  CE_CHECK_STATUS(ce_sframe_protect(tx, 40, NULL, 0, buf, NULL, sizeof buf),
                  CE_ERR_INVALID_ARGUMENT, "protect NULL len");
  CE_CHECK_STATUS(ce_sframe_protect(tx, 40, NULL, 3, buf, &len, sizeof buf),
                  CE_ERR_INVALID_ARGUMENT, "protect NULL metadata, length 3");
  CE_CHECK_STATUS(
      ce_sframe_protect_into(tx, 40, meta, sizeof meta, buf, 10, out, NULL),
      CE_ERR_INVALID_ARGUMENT, "protect_into NULL out_len");
  CE_CHECK_STATUS(
      ce_sframe_protect_into(tx, 40, meta, sizeof meta, buf, 10, NULL, &olen),
      CE_ERR_INVALID_ARGUMENT, "protect_into NULL out");
  CE_CHECK_STATUS(
      ce_sframe_protect_into(tx, 40, meta, sizeof meta, NULL, 10, out, &olen),
      CE_ERR_INVALID_ARGUMENT, "protect_into NULL in, length 10");
  CE_CHECK_STATUS(
      ce_testing_sframe_protect_ctr(tx, 40, 7, NULL, 0, NULL, &len, sizeof buf),
      CE_ERR_INVALID_ARGUMENT, "protect_ctr NULL buf");
  CE_CHECK_STATUS(
      ce_testing_sframe_protect_ctr(tx, 40, 7, NULL, 0, buf, NULL, sizeof buf),
      CE_ERR_INVALID_ARGUMENT, "protect_ctr NULL len");
  CE_CHECK_STATUS(ce_testing_sframe_protect_ctr_into(tx, 40, 7, NULL, 0, buf,
                                                     10, out, NULL),
                  CE_ERR_INVALID_ARGUMENT, "protect_ctr_into NULL out_len");
  CE_CHECK_STATUS(
      ce_testing_sframe_protect_ctr(rx, 40, 7, NULL, 0, buf, &len, sizeof buf),
      CE_ERR_UNKNOWN_KID, "protect_ctr with a receive key");
  CE_CHECK(len == 10 && olen == sizeof out &&
               memcmp(buf, copy, sizeof buf) == 0,
           "buffers changed by a refused protect");
  CE_CHECK(ce_sframe_next_ctr(tx, 40, &ctr) == CE_OK && ctr == 5,
           "a refused protect consumed the CTR");
  /* protect_into: an empty payload may come from NULL; out of place. */
  olen = sizeof out;
  CE_CHECK_STATUS(ce_sframe_protect_into(tx, 40, NULL, 0, NULL, 0, out, &olen),
                  CE_OK, "protect_into of nothing from NULL");
  CE_CHECK(olen == ce_sframe_overhead(suite, 40, 5), "empty frame length");
  size_t plen = olen;
  uint64_t kid = 0;
  CE_CHECK_STATUS(ce_sframe_unprotect(rx, NULL, 0, out, &plen, &kid, &ctr),
                  CE_OK, "empty frame opens");
  CE_CHECK(plen == 0 && kid == 40 && ctr == 5, "empty frame values");
  olen = sizeof out;
  CE_CHECK_STATUS(ce_testing_sframe_protect_ctr_into(
                      tx, 40, 1000, meta, sizeof meta, copy, 10, out, &olen),
                  CE_OK, "protect_ctr_into");
  plen = sizeof buf;
  CE_CHECK_STATUS(ce_sframe_unprotect_into(rx, meta, sizeof meta, out, olen,
                                           buf, &plen, NULL, &ctr),
                  CE_OK, "open protect_ctr_into's frame");
  CE_CHECK(plen == 10 && ctr == 1000 && memcmp(buf, copy, 10) == 0,
           "explicit CTR frame");
  memcpy(buf, copy, sizeof buf);

  /* Unprotect: NULL pointers. */
  uint8_t frame[64];
  size_t flen = 10;
  memcpy(frame, copy, flen);
  if (ce_sframe_protect(tx, 40, NULL, 0, frame, &flen, sizeof frame) != CE_OK)
    exit(2);
  memcpy(buf, frame, flen);
  len = flen;
  olen = sizeof out;
  memset(out, 0x22, sizeof out);
  uint8_t out_copy[64];
  memcpy(out_copy, out, sizeof out);
  CE_CHECK_STATUS(ce_sframe_unprotect(NULL, NULL, 0, buf, &len, NULL, NULL),
                  CE_ERR_INVALID_ARGUMENT, "unprotect NULL ctx");
  CE_CHECK_STATUS(ce_sframe_unprotect(rx, NULL, 0, NULL, &len, NULL, NULL),
                  CE_ERR_INVALID_ARGUMENT, "unprotect NULL buf");
  CE_CHECK_STATUS(ce_sframe_unprotect(rx, NULL, 0, buf, NULL, NULL, NULL),
                  CE_ERR_INVALID_ARGUMENT, "unprotect NULL len");
  CE_CHECK_STATUS(ce_sframe_unprotect(rx, NULL, 2, buf, &len, NULL, NULL),
                  CE_ERR_INVALID_ARGUMENT, "unprotect NULL metadata, length");
  CE_CHECK_STATUS(
      ce_sframe_unprotect_into(rx, NULL, 0, buf, flen, out, NULL, NULL, NULL),
      CE_ERR_INVALID_ARGUMENT, "unprotect_into NULL out_len");
  CE_CHECK_STATUS(
      ce_sframe_unprotect_into(rx, NULL, 0, NULL, flen, out, &olen, NULL, NULL),
      CE_ERR_INVALID_ARGUMENT, "unprotect_into NULL in");
  CE_CHECK_STATUS(
      ce_sframe_unprotect_into(rx, NULL, 0, NULL, 0, out, &olen, NULL, NULL),
      CE_ERR_INVALID_ARGUMENT,
      "unprotect_into NULL in, length 0 (in must not be NULL)");
  CE_CHECK_STATUS(
      ce_sframe_unprotect_into(rx, NULL, 0, buf, flen, NULL, &olen, NULL, NULL),
      CE_ERR_INVALID_ARGUMENT, "unprotect_into NULL out");
  CE_CHECK(len == flen && memcmp(buf, frame, flen) == 0 && olen == sizeof out &&
               memcmp(out, out_copy, sizeof out) == 0,
           "buffers changed by a refused unprotect");
  /* The frame still opens. */
  CE_CHECK_STATUS(ce_sframe_unprotect(rx, NULL, 0, buf, &len, NULL, NULL),
                  CE_OK, "the frame after the refusals");
  ce_sframe_ctx_free(tx);
  ce_sframe_ctx_free(rx);
}

/* TOO_LARGE, in the documented order, with the buffers unchanged. */
static uint8_t big[CE_SFRAME_MAX_PAYLOAD + 2 * CE_SFRAME_MAX_OVERHEAD];
static uint8_t big_copy[sizeof big];

static void test_too_large(int suite) {
  const ce_sframe_suite_info *si = ce_sframe_suite_get(suite);
  ce_sframe_ctx *tx, *rx;
  pair(suite, 0x77, &tx, &rx);
  for (size_t i = 0; i < sizeof big; i++)
    big[i] = (uint8_t)(i * 31u);
  memcpy(big_copy, big, sizeof big);
  uint64_t ctr = 0;
  /* Protect: one byte over the largest payload. */
  size_t len = CE_SFRAME_MAX_PAYLOAD + 1;
  CE_CHECK_STATUS(ce_sframe_protect(tx, 0x77, NULL, 0, big, &len, sizeof big),
                  CE_ERR_TOO_LARGE, "s%d protect payload over the maximum",
                  suite);
  CE_CHECK(len == CE_SFRAME_MAX_PAYLOAD + 1 &&
               memcmp(big, big_copy, sizeof big) == 0,
           "buffer changed");
  /* ... and TOO_LARGE comes before BUFFER_TOO_SMALL. */
  CE_CHECK_STATUS(ce_sframe_protect(tx, 0x77, NULL, 0, big, &len, 10),
                  CE_ERR_TOO_LARGE, "s%d TOO_LARGE before capacity", suite);
  /* Metadata over INT_MAX (refused before it is read). */
  len = 10;
  CE_CHECK_STATUS(ce_sframe_protect(tx, 0x77, meta, (size_t)INT_MAX + 1, big,
                                    &len, sizeof big),
                  CE_ERR_TOO_LARGE, "s%d protect metadata over INT_MAX", suite);
  size_t olen = 64;
  CE_CHECK_STATUS(ce_sframe_protect_into(tx, 0x77, meta, (size_t)INT_MAX + 1,
                                         big, 10, big + 100, &olen),
                  CE_ERR_TOO_LARGE, "s%d protect_into metadata", suite);
  CE_CHECK(len == 10 && olen == 64 && memcmp(big, big_copy, sizeof big) == 0,
           "buffer changed");
  CE_CHECK(ce_sframe_next_ctr(tx, 0x77, &ctr) == CE_OK && ctr == 0,
           "s%d: a refused protect consumed the CTR", suite);
  /* The largest payload itself is fine. */
  len = CE_SFRAME_MAX_PAYLOAD;
  CE_CHECK_STATUS(
      ce_sframe_protect(tx, 0x77, meta, sizeof meta, big, &len, sizeof big),
      CE_OK, "s%d the largest payload", suite);
  CE_CHECK(len == CE_SFRAME_MAX_PAYLOAD + ce_sframe_overhead(suite, 0x77, 0),
           "frame length");
  size_t flen = len;

  /* Unprotect: metadata over INT_MAX with a frame whose KID is known. */
  memcpy(big_copy, big, sizeof big);
  len = flen;
  uint64_t kid = 1;
  CE_CHECK_STATUS(
      ce_sframe_unprotect(rx, meta, (size_t)INT_MAX + 1, big, &len, &kid, NULL),
      CE_ERR_TOO_LARGE, "s%d unprotect metadata over INT_MAX", suite);
  CE_CHECK(len == flen && kid == 1 && memcmp(big, big_copy, sizeof big) == 0,
           "unprotect changed the buffer");
  /* A frame one byte longer than the largest payload allows: TOO_LARGE
     (not MALFORMED: a limit of chanenc, docs/sframe.md 7.6), after the
     header and KID checks. */
  len = flen + 1;
  CE_CHECK_STATUS(
      ce_sframe_unprotect(rx, meta, sizeof meta, big, &len, NULL, NULL),
      CE_ERR_TOO_LARGE, "s%d unprotect payload over the maximum", suite);
  CE_CHECK(len == flen + 1 && memcmp(big, big_copy, sizeof big) == 0,
           "unprotect changed the buffer");
  big[0] ^= 0x70; /* another KID (K bits): UNKNOWN_KID comes first */
  CE_CHECK_STATUS(
      ce_sframe_unprotect(rx, meta, sizeof meta, big, &len, NULL, NULL),
      CE_ERR_UNKNOWN_KID, "s%d UNKNOWN_KID before TOO_LARGE", suite);
  big[0] ^= 0x70;
  /* The largest frame opens, in place. */
  len = flen;
  CE_CHECK_STATUS(
      ce_sframe_unprotect(rx, meta, sizeof meta, big, &len, &kid, &ctr), CE_OK,
      "s%d the largest frame", suite);
  CE_CHECK(len == CE_SFRAME_MAX_PAYLOAD && kid == 0x77 && ctr == 0,
           "largest frame values");

  /* One-shot AEADs: lengths over INT_MAX (not read). */
  uint8_t key[96] = {0}, nonce[12] = {0};
  CE_CHECK_STATUS(ce_sframe_aead_encrypt(suite, key, si->nk, nonce, NULL, 0,
                                         big, (size_t)INT_MAX + 1, big),
                  CE_ERR_TOO_LARGE, "s%d aead_encrypt len", suite);
  CE_CHECK_STATUS(ce_sframe_aead_decrypt(suite, key, si->nk, nonce, meta,
                                         (size_t)INT_MAX + 1, big, 40, big),
                  CE_ERR_TOO_LARGE, "s%d aead_decrypt aad_len", suite);
  CE_CHECK_STATUS(
      ce_sframe_aead_encrypt(suite, key, si->nk, nonce, NULL, 5, big, 4, big),
      CE_ERR_INVALID_ARGUMENT, "s%d NULL aad with a length", suite);
  CE_CHECK_STATUS(
      ce_sframe_aead_encrypt(suite, key, si->nk, nonce, NULL, 0, NULL, 4, big),
      CE_ERR_INVALID_ARGUMENT, "s%d NULL in with a length", suite);
  CE_CHECK_STATUS(
      ce_sframe_aead_encrypt(suite, NULL, si->nk, nonce, NULL, 0, big, 4, big),
      CE_ERR_INVALID_ARGUMENT, "s%d NULL key", suite);
  CE_CHECK_STATUS(
      ce_sframe_aead_decrypt(suite, key, si->nk, NULL, NULL, 0, big, 40, big),
      CE_ERR_INVALID_ARGUMENT, "s%d NULL nonce", suite);
  CE_CHECK_STATUS(
      ce_sframe_aead_decrypt(suite, key, si->nk, nonce, NULL, 0, big, 40, NULL),
      CE_ERR_INVALID_ARGUMENT, "s%d NULL out", suite);
  ce_sframe_ctx_free(tx);
  ce_sframe_ctx_free(rx);
}

/* Sends frame CTR ctr from tx and unprotects it at rx. */
static ce_status open_ctr(ce_sframe_ctx *tx, ce_sframe_ctx *rx, uint64_t ctr) {
  uint8_t f[64];
  size_t n = 3;
  memset(f, 0x42, n);
  if (ce_testing_sframe_protect_ctr(tx, 1, ctr, NULL, 0, f, &n, sizeof f) !=
      CE_OK)
    exit(2);
  return ce_sframe_unprotect(rx, NULL, 0, f, &n, NULL, NULL);
}

static void test_window_words(int suite) {
  ce_sframe_ctx *tx, *rx;
  pair(suite, 1, &tx, &rx);
  /* Off: an old CTR is accepted (and remembered), however old. */
  CE_CHECK_STATUS(open_ctr(tx, rx, 5000), CE_OK, "5000");
  CE_CHECK_STATUS(open_ctr(tx, rx, 1), CE_OK, "1, window off");
  CE_CHECK_STATUS(open_ctr(tx, rx, 4999 - 64), CE_OK, "4935, window off");
  CE_CHECK_STATUS(open_ctr(tx, rx, 1), CE_OK, "1 again, window off");
  /* On, as large as it goes: what was seen while off is remembered. */
  CE_CHECK_STATUS(ce_sframe_set_replay_window(rx, CE_SFRAME_MAX_REPLAY_WINDOW),
                  CE_OK, "window 1024");
  CE_CHECK_STATUS(open_ctr(tx, rx, 5000), CE_ERR_REPLAYED, "5000 again");
  CE_CHECK_STATUS(open_ctr(tx, rx, 4935), CE_ERR_REPLAYED, "4935 again");
  CE_CHECK_STATUS(open_ctr(tx, rx, 5000 - 1024), CE_ERR_REPLAYED,
                  "top - 1024: older than the window");
  CE_CHECK_STATUS(open_ctr(tx, rx, 5000 - 1023), CE_OK, "top - 1023");
  /* Shifts of exactly one and two 64-bit words keep what was seen. */
  CE_CHECK_STATUS(open_ctr(tx, rx, 5064), CE_OK, "top + 64");
  CE_CHECK_STATUS(open_ctr(tx, rx, 5192), CE_OK, "top + 128");
  CE_CHECK_STATUS(open_ctr(tx, rx, 5000), CE_ERR_REPLAYED, "5000 after shifts");
  CE_CHECK_STATUS(open_ctr(tx, rx, 5064), CE_ERR_REPLAYED, "5064 after shift");
  CE_CHECK_STATUS(open_ctr(tx, rx, 4935), CE_ERR_REPLAYED, "4935 after shift");
  CE_CHECK_STATUS(open_ctr(tx, rx, 5000 - 1023), CE_ERR_REPLAYED,
                  "3977: older than the window now");
  CE_CHECK_STATUS(open_ctr(tx, rx, 5001), CE_OK, "5001, never seen");
  CE_CHECK_STATUS(open_ctr(tx, rx, 5192 - 1023), CE_OK, "the window's floor");
  CE_CHECK_STATUS(open_ctr(tx, rx, 5192 - 1024), CE_ERR_REPLAYED,
                  "below the floor");
  /* A jump of the whole bitmap or more forgets everything below. */
  CE_CHECK_STATUS(open_ctr(tx, rx, 5192 + 1024), CE_OK, "top + 1024");
  CE_CHECK_STATUS(open_ctr(tx, rx, 5192 + 1), CE_OK, "inside the new window");
  CE_CHECK_STATUS(open_ctr(tx, rx, 5192), CE_ERR_REPLAYED, "too old now");
  ce_sframe_ctx_free(tx);
  ce_sframe_ctx_free(rx);
}

/* SFrame's HMAC and HKDF alone (chanenc_sframe_testing.h): RFC 4231 test
   case 1 and RFC 5869 test case 1 (SHA-256, suite 1), and the argument
   checks. Wycheproof's files run through them in test_wycheproof. */
static void test_hmac_hkdf(void) {
  uint8_t key[20], out[64], okm[42];
  memset(key, 0x0b, sizeof key);
  size_t ol = 0;
  static const uint8_t want_mac[32] = {
      0xb0, 0x34, 0x4c, 0x61, 0xd8, 0xdb, 0x38, 0x53, 0x5c, 0xa8, 0xaf,
      0xce, 0xaf, 0x0b, 0xf1, 0x2b, 0x88, 0x1d, 0xc2, 0x00, 0xc9, 0x83,
      0x3d, 0xa7, 0x26, 0xe9, 0x37, 0x6c, 0x2e, 0x32, 0xcf, 0xf7};
  CE_CHECK_STATUS(ce_testing_sframe_hmac(
                      1, key, 20, (const uint8_t *)"Hi There", 8, out, &ol),
                  CE_OK, "RFC 4231 1");
  CE_CHECK(ol == 32 && memcmp(out, want_mac, 32) == 0, "RFC 4231 1 tag");
  uint8_t ikm[22], salt[13], info[10];
  memset(ikm, 0x0b, sizeof ikm);
  for (int i = 0; i < 13; i++)
    salt[i] = (uint8_t)i;
  for (int i = 0; i < 10; i++)
    info[i] = (uint8_t)(0xf0 + i);
  static const uint8_t want_okm[42] = {
      0x3c, 0xb2, 0x5f, 0x25, 0xfa, 0xac, 0xd5, 0x7a, 0x90, 0x43, 0x4f,
      0x64, 0xd0, 0x36, 0x2f, 0x2a, 0x2d, 0x2d, 0x0a, 0x90, 0xcf, 0x1a,
      0x5a, 0x4c, 0x5d, 0xb0, 0x2d, 0x56, 0xec, 0xc4, 0xc5, 0xbf, 0x34,
      0x00, 0x72, 0x08, 0xd5, 0xb8, 0x87, 0x18, 0x58, 0x65};
  CE_CHECK_STATUS(
      ce_testing_sframe_hkdf(1, salt, 13, ikm, 22, info, 10, okm, 42), CE_OK,
      "RFC 5869 1");
  CE_CHECK(memcmp(okm, want_okm, 42) == 0, "RFC 5869 1 okm");
  /* Refusals write nothing. */
  memset(out, 0x77, sizeof out);
  ol = 5;
  CE_CHECK_STATUS(ce_testing_sframe_hmac(0, key, 20, key, 1, out, &ol),
                  CE_ERR_INVALID_ARGUMENT, "suite 0");
  CE_CHECK_STATUS(ce_testing_sframe_hmac(1, NULL, 1, key, 1, out, &ol),
                  CE_ERR_INVALID_ARGUMENT, "NULL key");
  CE_CHECK_STATUS(ce_testing_sframe_hmac(1, key, 1, NULL, 1, out, &ol),
                  CE_ERR_INVALID_ARGUMENT, "NULL data");
  CE_CHECK_STATUS(ce_testing_sframe_hmac(1, key, 1, key, 1, NULL, &ol),
                  CE_ERR_INVALID_ARGUMENT, "NULL out");
  CE_CHECK_STATUS(ce_testing_sframe_hmac(1, key, 1, key, 1, out, NULL),
                  CE_ERR_INVALID_ARGUMENT, "NULL out_len");
  CE_CHECK(ol == 5 && out[0] == 0x77, "hmac refusals wrote nothing");
  CE_CHECK_STATUS(ce_testing_sframe_hmac(6, NULL, 0, NULL, 0, out, &ol), CE_OK,
                  "empty key and data");
  CE_CHECK(ol == 64, "SHA-512 length");
  CE_CHECK_STATUS(ce_testing_sframe_hkdf(9, NULL, 0, ikm, 1, NULL, 0, okm, 1),
                  CE_ERR_INVALID_ARGUMENT, "suite 9");
  CE_CHECK_STATUS(ce_testing_sframe_hkdf(1, NULL, 1, ikm, 1, NULL, 0, okm, 1),
                  CE_ERR_INVALID_ARGUMENT, "NULL salt");
  CE_CHECK_STATUS(ce_testing_sframe_hkdf(1, NULL, 0, NULL, 1, NULL, 0, okm, 1),
                  CE_ERR_INVALID_ARGUMENT, "NULL ikm");
  CE_CHECK_STATUS(ce_testing_sframe_hkdf(1, NULL, 0, ikm, 1, NULL, 1, okm, 1),
                  CE_ERR_INVALID_ARGUMENT, "NULL info");
  CE_CHECK_STATUS(ce_testing_sframe_hkdf(1, NULL, 0, ikm, 1, NULL, 0, NULL, 1),
                  CE_ERR_INVALID_ARGUMENT, "NULL okm");
  CE_CHECK_STATUS(ce_testing_sframe_hkdf(1, NULL, 0, ikm, 1, NULL, 0, okm, 0),
                  CE_ERR_INVALID_ARGUMENT, "okm_len 0");
  CE_CHECK_STATUS(
      ce_testing_sframe_hkdf(1, NULL, 0, ikm, 1, NULL, 0, okm, 255 * 32 + 1),
      CE_ERR_INVALID_ARGUMENT, "okm_len over 255 * Nh");
  CE_CHECK_STATUS(ce_testing_sframe_hkdf(5, NULL, 0, ikm, 1, NULL, 0, okm, 42),
                  CE_OK, "empty salt, SHA-512");
}

int main(void) {
  test_first_ctx_fault(); /* must come first: see there */
  test_hmac_hkdf();
  test_header_args();
  for (int s = 1; s <= 8; s++) {
    test_ctx_args(s);
    test_too_large(s);
    test_window_words(s);
  }
  return ce_test_finish("test_sframe_edges");
}
