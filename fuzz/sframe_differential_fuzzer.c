/*
 * sframe_differential_fuzzer.c - the reference's SFrame against another
 * SFrame implementation.
 *
 * Target: any shared library exporting the SFrame functions of the C ABI
 * (docs/conformance.md section 7.3: ce1_impl_sframe_protect,
 * ce1_impl_sframe_unprotect), loaded with dlopen from the path in the
 * environment variable CE1_DIFF_LIB, compared call for call with the
 * reference's answers to the same ABI (tools/common/ce_sframe_abi.c, linked
 * into this harness).
 *
 * Any difference - status, output length, output bytes, the KID and CTR
 * reported, a failed call that touched its output or *out_len, an input
 * modified - is a crash whose message starts with "DIFFERENCE" and prints
 * the request and both outputs in hex.
 *
 * Input: an op byte, a suite byte, then
 *   KID       one byte: bit 7 set, a full 8-byte KID follows; else a KID
 *             from a table spanning every header length (index & 7)
 *   CTR       the same, from its own table
 *   base key  one length byte (% 65, 0 allowed: refused by both), bytes
 *   metadata  one length byte (% 80), bytes
 *   protect:  the rest is the payload.
 *   unprotect: one history byte (number of frames the receiver accepted
 *             before, & 3, each at CTR - 1 - the next byte), then the
 *             rest is the frame; with op bit 1 the rest is a payload that
 *             the reference protects under KID and CTR, and the first two
 *             bytes of the rest first pick a byte of that frame to XOR
 *             with a value (0: the frame is left valid) - so mutations
 *             explore behind a valid header and tag.
 *   op bit 0     0 protect, 1 unprotect
 *   op bit 1     unprotect: structure-aware frame (above)
 *   op bits 2-3  output capacity: ample, exact, one short, zero
 *   op bits 4-5  replay window: 0 (off), 1, 64, 1024
 *   op bit 6     unprotect: the receiver also holds a second KID (KID ^ 1)
 *   op bit 7     unprotect: the receiver lacks the frame's KID (only the
 *                second one, if any): UNKNOWN_KID
 *   suite byte   0xfc..0xff select invalid suites (0, 9, -1, INT_MAX),
 *                any other value b % 8 + 1
 */
#include "fuzz_common.h"
#include "ce1_impl.h"
#include "ce_sframe_abi.h"

#include "chanenc_sframe.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZ_POISON 0xa5
#define FZ_MAX_HISTORY 3

static ce1_impl_sframe_protect_fn other_protect;
static ce1_impl_sframe_unprotect_fn other_unprotect;
static const char *other_path;

static void load_other(void) {
  if (other_protect != NULL)
    return;
  other_path = getenv("CE1_DIFF_LIB");
  if (other_path == NULL || other_path[0] == '\0') {
    fprintf(stderr, "sframe_differential_fuzzer: set CE1_DIFF_LIB to the path "
                    "of a library with the SFrame functions of "
                    "conformance.md section 7.3\n");
    exit(2);
  }
  void *h = dlopen(other_path, RTLD_NOW | RTLD_LOCAL);
  if (h == NULL) {
    fprintf(stderr, "sframe_differential_fuzzer: dlopen %s: %s\n", other_path,
            dlerror());
    exit(2);
  }
  /* dlsym's object pointer to a function pointer, through memcpy (as in
     differential_fuzzer.c). */
  void *p = dlsym(h, CE1_IMPL_SFRAME_PROTECT_SYMBOL);
  void *u = dlsym(h, CE1_IMPL_SFRAME_UNPROTECT_SYMBOL);
  memcpy(&other_protect, &p, sizeof p);
  memcpy(&other_unprotect, &u, sizeof u);
  if (other_protect == NULL || other_unprotect == NULL) {
    fprintf(stderr,
            "sframe_differential_fuzzer: %s lacks the SFrame ABI symbols\n",
            other_path);
    exit(2);
  }
  fprintf(stderr, "sframe_differential_fuzzer: comparing with %s\n",
          other_path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  load_other();
  return 0;
}

static const int invalid_suites[4] = {0, 9, -1, INT_MAX};
/* One value per header length of RFC 9605 4.3 (inline 0..7, then 1 to 8
   bytes), the ends included. */
static const uint64_t kid_table[8] = {
    0, 7, 8, 291, 0xff, 0x100, 0x0123456789abcdefull, UINT64_MAX};
static const uint64_t ctr_table[8] = {
    0, 1, 7, 8, 0xffff, 0x10000, UINT64_MAX - 1, UINT64_MAX};
static const size_t windows[4] = {0, 1, 64, 1024};

static uint64_t read_value(fz_reader *r, const uint64_t table[8]) {
  uint8_t b = fz_u8(r);
  return (b & 0x80) ? fz_u64(r) : table[b & 7];
}

/* What one side answered. */
typedef struct answer {
  int st;
  size_t len;
  uint64_t kid, ctr;
} answer;

static void hexline(const char *label, const uint8_t *p, size_t n) {
  fz_hexdump(label, p, n);
}

static void difference(const char *what, int unprotect, int suite, uint64_t kid,
                       uint64_t ctr, const uint8_t *key, size_t key_len,
                       const uint8_t *md, size_t md_len,
                       const ce1_impl_sframe_key *keys, size_t n_keys,
                       size_t window, size_t n_acc, const uint8_t *in, size_t n,
                       size_t cap, const answer *ref, const uint8_t *ref_out,
                       const answer *oth, const uint8_t *oth_out) {
  fprintf(stderr, "DIFFERENCE (%s) in sframe_%s, suite %d, against %s\n", what,
          unprotect ? "unprotect" : "protect", suite, other_path);
  if (!unprotect) {
    fprintf(stderr, "kid: %llu, ctr: %llu\n", (unsigned long long)kid,
            (unsigned long long)ctr);
    hexline("base_key", key, key_len);
  } else {
    for (size_t i = 0; i < n_keys; i++)
      fprintf(stderr, "receive key: kid %llu (base_key as below)\n",
              (unsigned long long)keys[i].kid);
    hexline("base_key", key, key_len);
    fprintf(stderr, "replay window: %zu, accepted frames before: %zu\n", window,
            n_acc);
  }
  hexline("metadata", md, md_len);
  hexline(unprotect ? "frame" : "payload", in, n);
  fprintf(stderr, "capacity: %zu\n", cap);
  fprintf(stderr,
          "reference: status %s (%d), out_len %zu, kid %llu, ctr %llu\n",
          ce_status_name(ref->st), ref->st, ref->len,
          (unsigned long long)ref->kid, (unsigned long long)ref->ctr);
  hexline("reference out", ref_out, ref->st == CE_OK ? ref->len : 0);
  fprintf(stderr,
          "other:     status %s (%d), out_len %zu, kid %llu, ctr %llu\n",
          ce_status_name(oth->st), oth->st, oth->len,
          (unsigned long long)oth->kid, (unsigned long long)oth->ctr);
  hexline("other out", oth_out, oth->st == CE_OK ? oth->len : 0);
  FZ_CHECK(0, "DIFFERENCE: %s", what);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  load_other();
  fz_reader r = {data, size};
  uint8_t op = fz_u8(&r), sb = fz_u8(&r);
  int unprotect = op & 1;
  int suite = sb >= 0xfc ? invalid_suites[sb - 0xfc] : sb % 8 + 1;
  uint64_t kid = read_value(&r, kid_table);
  uint64_t ctr = read_value(&r, ctr_table);
  size_t key_len = fz_u8(&r) % 65, md_len, got;
  uint8_t key[64], md[80];
  const uint8_t *p = fz_bytes(&r, key_len, &got);
  key_len = got;
  if (got)
    memcpy(key, p, got);
  md_len = fz_u8(&r) % 80;
  p = fz_bytes(&r, md_len, &got);
  md_len = got;
  if (got)
    memcpy(md, p, got);
  static const uint8_t none = 0;
  const uint8_t *kp = key_len ? key : &none;
  const uint8_t *mdp = md_len ? md : &none;

  /* The receiver (unprotect only). */
  ce1_impl_sframe_key keys[2];
  size_t n_keys = 0, window = windows[(op >> 4) & 3];
  if (!(op & 0x80))
    keys[n_keys++] = (ce1_impl_sframe_key){kid, kp, key_len};
  if (op & 0x40)
    keys[n_keys++] = (ce1_impl_sframe_key){kid ^ 1, kp, key_len};
  ce1_impl_sframe_frame acc[FZ_MAX_HISTORY];
  uint8_t *acc_buf[FZ_MAX_HISTORY] = {NULL};
  size_t n_acc = 0;
  if (unprotect) {
    size_t want = fz_u8(&r) & 3;
    for (size_t i = 0; i < want && i < FZ_MAX_HISTORY; i++) {
      /* Accepted frames are the reference's own, at CTRs behind the
         frame's (wrapping is fine: it is just another CTR). */
      uint64_t c = ctr - 1 - fz_u8(&r);
      size_t cap = 64 + md_len;
      acc_buf[n_acc] = malloc(cap);
      size_t len = cap;
      if (ce_tools_sframe_protect(suite, kid, c, kp, key_len, mdp, md_len,
                                  &none, 0, acc_buf[n_acc], &len) != CE_OK) {
        free(acc_buf[n_acc]);
        acc_buf[n_acc] = NULL;
        break; /* nothing to accept (a bad suite or key) */
      }
      acc[n_acc] = (ce1_impl_sframe_frame){acc_buf[n_acc], len, mdp, md_len};
      n_acc++;
    }
  }

  /* The input: payload, frame, or a frame made from a payload. */
  uint16_t flip = 0;
  uint8_t flip_val = 0;
  if (unprotect && (op & 2)) {
    flip = fz_u8(&r);
    flip_val = fz_u8(&r);
  }
  size_t n;
  const uint8_t *raw = fz_rest(&r, &n);
  uint8_t *in;
  if (unprotect && (op & 2)) {
    size_t cap = n + 64;
    in = malloc(cap);
    size_t len = cap;
    if (ce_tools_sframe_protect(suite, kid, ctr, kp, key_len, mdp, md_len,
                                n ? raw : &none, n, in, &len) == CE_OK) {
      n = len;
      in[flip % n] ^= flip_val;
    } else if (n) {
      memcpy(in, raw, n); /* no frame to make: the bytes as they are */
    }
  } else {
    in = malloc(n ? n : 1);
    if (n)
      memcpy(in, raw, n);
  }

  /* Output capacity. */
  size_t need =
      unprotect ? n
                : n + ce_sframe_overhead(suite >= 1 && suite <= 8 ? suite : 1,
                                         kid, ctr);
  size_t caps[4] = {need + 32, need, need ? need - 1 : 0, 0};
  size_t cap = caps[(op >> 2) & 3];

  uint8_t *ref = malloc(cap + 1), *oth = malloc(cap + 1);
  memset(ref, FZ_POISON, cap + 1);
  memset(oth, FZ_POISON, cap + 1);
  uint8_t *in2 = malloc(n ? n : 1);
  if (n)
    memcpy(in2, in, n);
  const uint8_t *ip = n ? in : &none, *ip2 = n ? in2 : &none;
  answer a = {0, cap, 0, 0}, b = {0, cap, 0, 0};
  if (unprotect) {
    a.st =
        ce_tools_sframe_unprotect(suite, keys, n_keys, window, acc, n_acc, mdp,
                                  md_len, ip, n, ref, &a.len, &a.kid, &a.ctr);
    b.st = other_unprotect(suite, keys, n_keys, window, acc, n_acc, mdp, md_len,
                           ip2, n, oth, &b.len, &b.kid, &b.ctr);
  } else {
    a.st = ce_tools_sframe_protect(suite, kid, ctr, kp, key_len, mdp, md_len,
                                   ip, n, ref, &a.len);
    b.st = other_protect(suite, kid, ctr, kp, key_len, mdp, md_len, ip2, n, oth,
                         &b.len);
  }

  const char *what = NULL;
  if (a.st != b.st)
    what = "status";
  else if (a.len != b.len)
    what = a.st == CE_OK ? "output length" : "*out_len changed on failure";
  else if (memcmp(ref, oth, cap + 1) != 0)
    what = a.st == CE_OK ? "output bytes" : "output written on failure";
  else if (unprotect && a.st == CE_OK && (a.kid != b.kid || a.ctr != b.ctr))
    what = "KID or CTR reported";
  else if (n && memcmp(in, in2, n) != 0)
    what = "input modified";
  if (what != NULL)
    difference(what, unprotect, suite, kid, ctr, kp, key_len, mdp, md_len, keys,
               n_keys, window, n_acc, in, n, cap, &a, ref, &b, oth);
  /* The reference keeps the ABI's failure promise itself. */
  if (a.st != CE_OK)
    FZ_CHECK(a.len == cap, "reference changed *out_len on failure");

  for (size_t i = 0; i < n_acc; i++)
    free(acc_buf[i]);
  free(in);
  free(in2);
  free(ref);
  free(oth);
  return 0;
}
