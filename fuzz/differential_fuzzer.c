/*
 * differential_fuzzer.c - the reference against another implementation.
 *
 * Target: any shared library exporting the C ABI of conformance.md
 * section 4 (ce1_impl_protect, ce1_impl_unprotect), loaded at run time
 * with dlopen from the path in the environment variable CE1_DIFF_LIB,
 * compared call for call with the reference linked into this harness
 * (ce_testing_protect_pn_into / ce_unprotect_into on a ce_ctx, which is what
 * the ABI means for the reference).
 *
 * Any difference - status, output length, output bytes, or a failed call
 * that touched its output - is a crash whose message starts with
 * "DIFFERENCE" and prints the request and both outputs in hex.
 *
 * Input: an op byte, a mode byte, a key (length byte, as the config
 * prefix of fuzz_common.h, 0 allowed), then per the op byte a 32-byte
 * salt, for protect an 8-byte PN, then the payload or frame.
 *   op bit 0     0 protect, 1 unprotect
 *   op bit 1     salt from the input (else all zero)
 *   op bit 2     unprotect: write version/mode and the check byte into
 *                bytes 0-1, so mutations explore the body (structure-aware
 *                fuzzing, as fixing a checksum)
 *   op bit 3     unprotect: trim the frame to a length the family can
 *                have (ECB 2 + 16k), for the same reason
 *   op bits 4-5  output capacity: ample, exact, one short, zero
 *   op bits 6-7  the reference's cipher backend: 0 auto, 1 "openssl",
 *                2 the mode's fast backend ("ipsec-mb" for GCM,
 *                "sm4-simd" for SM4_128_ECB; where it cannot run, or for
 *                the other modes, "openssl"), 3 every backend that serves
 *                the mode here, which must all give the same answer
 *                (status, length, bytes) before one is compared with the
 *                other library
 *   mode byte    0xf8..0xff select invalid ids (0, 9, -1, ...), any other
 *                value ((b - 1) & 7) + 1
 *
 * GCM2 configs that would be derived (key, non-zero salt) use the primary
 * table entry of their mode (fuzz_common.c): PBKDF2 is slow by design, and
 * the other library caches only a handful of contexts, so one GCM2 config
 * per mode keeps both sides fast. Refusals (empty key, zero salt, bad
 * mode) are cheap and compared as they are.
 */
#include "fuzz_common.h"
#include "ce1_impl.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZ_POISON 0xa5

static ce1_impl_protect_fn other_protect;
static ce1_impl_unprotect_fn other_unprotect;
static const char *other_path;

static void load_other(void) {
  if (other_protect != NULL)
    return;
  other_path = getenv("CE1_DIFF_LIB");
  if (other_path == NULL || other_path[0] == '\0') {
    fprintf(stderr, "differential_fuzzer: set CE1_DIFF_LIB to the path of "
                    "a library with the conformance.md section 4 ABI\n");
    exit(2);
  }
  void *h = dlopen(other_path, RTLD_NOW | RTLD_LOCAL);
  if (h == NULL) {
    fprintf(stderr, "differential_fuzzer: dlopen %s: %s\n", other_path,
            dlerror());
    exit(2);
  }
  /* POSIX guarantees dlsym's object pointer converts to a function
     pointer; memcpy says so without a cast ISO C frowns on. */
  void *p = dlsym(h, CE1_IMPL_PROTECT_SYMBOL);
  void *u = dlsym(h, CE1_IMPL_UNPROTECT_SYMBOL);
  memcpy(&other_protect, &p, sizeof p);
  memcpy(&other_unprotect, &u, sizeof u);
  if (other_protect == NULL || other_unprotect == NULL) {
    fprintf(stderr, "differential_fuzzer: %s lacks the ABI symbols\n",
            other_path);
    exit(2);
  }
  fprintf(stderr, "differential_fuzzer: comparing with %s\n", other_path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  load_other();
  (void)fz_gcm2_count(); /* the GCM2 contexts, before the first input */
  return 0;
}

static const int invalid_modes[8] = {0, 9, -1, 15, 16, 255, INT_MAX, INT_MIN};

/* The reference on backend (never AUTO; the caller resolved it): a
   context for the config, then the into form. */
static int ref_call(int backend, int unprotect, int mode, const uint8_t *key,
                    size_t key_len, const uint8_t *salt, int table_idx,
                    uint64_t pn, const uint8_t *in, size_t n, uint8_t *out,
                    size_t *out_len) {
  ce_ctx *ctx = NULL;
  int owned = 0;
  if (table_idx >= 0) {
    ctx = fz_gcm2_ctx_on((size_t)table_idx, backend);
  } else {
    ce_config cfg;
    ce_config_init(&cfg);
    cfg.mode = mode;
    cfg.key = key;
    cfg.key_len = key_len;
    cfg.backend = backend;
    memcpy(cfg.salt, salt, CE_SALT_LEN);
    ce_status st = ce_ctx_new(&cfg, &ctx);
    if (st != CE_OK)
      return st;
    owned = 1;
  }
  FZ_CHECK(strcmp(ce_ctx_backend(ctx), ce_backend_name(backend)) == 0,
           "reference context on %s, %s asked", ce_ctx_backend(ctx),
           ce_backend_name(backend));
  ce_status st = unprotect
                     ? ce_unprotect_into(ctx, in, n, out, out_len)
                     : ce_testing_protect_pn_into(ctx, pn, in, n, out, out_len);
  if (owned)
    ce_ctx_free(ctx);
  return st;
}

/* The backends the reference runs for op bits 6-7 (see the top); at most
   two, OpenSSL first. Invalid modes run on OpenSSL (refused anyway). */
static int ref_backends(unsigned choice, int mode, int out[2]) {
  int fast = CE_BACKEND_OPENSSL, b;
  if (mode >= 1 && mode <= 8) {
    if (ce_mode_family(mode) == CE_FAMILY_GCM)
      fast = CE_BACKEND_IPSECMB;
    else if (mode == CE_MODE_SM4_128_ECB)
      fast = CE_BACKEND_SM4SIMD;
    if (ce_backend_select(fast, mode, &b) != CE_OK)
      fast = CE_BACKEND_OPENSSL;
  }
  switch (choice) {
  case 0: /* auto: what ce_backend_select makes of it */
    out[0] = mode >= 1 && mode <= 8 &&
                     ce_backend_select(CE_BACKEND_AUTO, mode, &b) == CE_OK
                 ? b
                 : CE_BACKEND_OPENSSL;
    return 1;
  case 1:
    out[0] = CE_BACKEND_OPENSSL;
    return 1;
  case 2:
    out[0] = fast;
    return 1;
  default:
    out[0] = CE_BACKEND_OPENSSL;
    out[1] = fast;
    return fast == CE_BACKEND_OPENSSL ? 1 : 2;
  }
}

static void difference(const char *what, int unprotect, int mode,
                       const uint8_t *key, size_t key_len, const uint8_t *salt,
                       uint64_t pn, const uint8_t *in, size_t n, size_t cap,
                       int ref_st, const uint8_t *ref, size_t ref_len,
                       int oth_st, const uint8_t *oth, size_t oth_len) {
  fprintf(stderr, "DIFFERENCE (%s) in %s, mode %d, against %s\n", what,
          unprotect ? "unprotect" : "protect", mode, other_path);
  fz_hexdump("key", key, key_len);
  fz_hexdump("salt", salt, CE_SALT_LEN);
  if (!unprotect)
    fprintf(stderr, "pn: %016llx\n", (unsigned long long)pn);
  fz_hexdump(unprotect ? "frame" : "payload", in, n);
  fprintf(stderr, "capacity: %zu\n", cap);
  fprintf(stderr, "reference: status %s (%d), out_len %zu\n",
          ce_status_name(ref_st), ref_st, ref_len);
  fz_hexdump("reference out", ref, ref_len);
  fprintf(stderr, "other:     status %s (%d), out_len %zu\n",
          ce_status_name(oth_st), oth_st, oth_len);
  fz_hexdump("other out", oth, oth_len);
  FZ_CHECK(0, "DIFFERENCE: %s", what);
}

/* Keeps the other library's GCM2 contexts warm. Implementations cache
   contexts (libce1impl_ref.so keeps a small LRU); inputs with many
   distinct cheap configs would push the two GCM2 ones out, and every
   re-derivation costs a 100,000-iteration PBKDF2. Touching both on every
   input keeps them most recently used, at the price of two calls that
   fail fast - and are compared like any other. */
static void keep_gcm2_warm(void) {
  for (int mode = 7; mode <= 8; mode++) {
    size_t i = fz_gcm2_primary(mode);
    int m;
    const uint8_t *key, *salt;
    size_t key_len;
    fz_gcm2_entry(i, &m, &key, &key_len, &salt);
    uint8_t frame[1] = {0x10}, out[1];
    size_t out_len = sizeof out;
    int st = other_unprotect(mode, key, key_len, salt, frame, 0, out, &out_len);
    FZ_CHECK(st == CE_ERR_MALFORMED && out_len == sizeof out,
             "DIFFERENCE: empty GCM2 frame: other says %s (%d), want MALFORMED",
             ce_status_name(st), st);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  load_other();
  keep_gcm2_warm();
  fz_reader r = {data, size};
  uint8_t op = fz_u8(&r), mb = fz_u8(&r);
  int unprotect = op & 1;
  int mode = mb >= 0xf8 ? invalid_modes[mb - 0xf8] : ((mb - 1) & 7) + 1;
  uint8_t key[FZ_MAX_KEY], salt[CE_SALT_LEN];
  size_t key_len = fz_read_key_len(&r), got;
  const uint8_t *k = fz_bytes(&r, key_len, &got);
  key_len = got;
  if (got)
    memcpy(key, k, got);
  memset(salt, 0, sizeof salt);
  if (op & 2)
    fz_fill(&r, salt, sizeof salt);
  uint64_t pn = unprotect ? 0 : fz_u64(&r);

  /* GCM2 that would derive: the primary table entry. */
  int table_idx = -1;
  int salt_zero = 1;
  for (size_t i = 0; i < CE_SALT_LEN; i++)
    salt_zero &= salt[i] == 0;
  if ((mode == 7 || mode == 8) && key_len > 0 && !salt_zero) {
    size_t i = fz_gcm2_primary(mode);
    int m;
    const uint8_t *tk, *ts;
    fz_gcm2_entry(i, &m, &tk, &key_len, &ts);
    memcpy(key, tk, key_len);
    memcpy(salt, ts, CE_SALT_LEN);
    table_idx = (int)i;
  }

  size_t n;
  const uint8_t *raw = fz_rest(&r, &n);
  uint8_t *in = malloc(n ? n : 1);
  if (n)
    memcpy(in, raw, n);

  if (unprotect && mode >= 1 && mode <= 8) {
    ce_family fam = ce_mode_family(mode);
    size_t hdr = ce_mode_header_len(mode);
    if ((op & 8) && n > hdr) {
      /* ECB bodies are whole blocks; XTS with S is one block. */
      if (fam == CE_FAMILY_ECB)
        n = hdr + (n - hdr) / 16 * 16;
      else if (fam == CE_FAMILY_XTS && (in[0] & 0x80) && n > hdr + 16)
        n = hdr + 16;
    }
    if ((op & 4) && n >= 2) {
      /* The check byte comes from the reference's key schedule. */
      uint8_t check = 0;
      if (table_idx >= 0) {
        check = fz_gcm2_derived((size_t)table_idx)->check;
      } else {
        ce_config cfg;
        ce_derived d;
        ce_config_init(&cfg);
        cfg.mode = mode;
        cfg.key = key;
        cfg.key_len = key_len;
        memcpy(cfg.salt, salt, CE_SALT_LEN);
        if (ce_derive(&cfg, &d) == CE_OK)
          check = d.check;
        ce_wipe(&d, sizeof d);
      }
      in[0] =
          (uint8_t)((fam == CE_FAMILY_XTS ? in[0] & 0x80 : 0) | 0x10 | mode);
      in[1] = check;
    }
  }

  /* Output capacity. */
  size_t need;
  if (unprotect)
    need = n >= 26 ? n - 26 : 0;
  else
    need = n + (mode >= 1 && mode <= 8 ? ce_overhead(mode, n) : 26);
  size_t caps[4] = {need + 32, need, need ? need - 1 : 0, 0};
  if (unprotect)
    caps[0] = n + 32;
  size_t cap = caps[(op >> 4) & 3];

  uint8_t *ref = malloc(cap + 1), *oth = malloc(cap + 1);
  memset(ref, FZ_POISON, cap + 1);
  memset(oth, FZ_POISON, cap + 1);
  size_t ref_len = cap, oth_len = cap;
  /* Both get their own copy of the input: a write into it would be a
     difference too. */
  uint8_t *in2 = malloc(n ? n : 1);
  if (n)
    memcpy(in2, in, n);
  static const uint8_t nokey = 0;
  const uint8_t *kp = key_len ? key : &nokey;
  int backends[2];
  int nb = ref_backends((unsigned)op >> 6, mode, backends);
  int ref_st = ref_call(backends[0], unprotect, mode, kp, key_len, salt,
                        table_idx, pn, in, n, ref, &ref_len);
  if (nb == 2) {
    /* The second backend on its own copies; it must match the first. */
    uint8_t *ref2 = malloc(cap + 1), *in3 = malloc(n ? n : 1);
    memset(ref2, FZ_POISON, cap + 1);
    if (n)
      memcpy(in3, in, n);
    size_t ref2_len = cap;
    int ref2_st = ref_call(backends[1], unprotect, mode, kp, key_len, salt,
                           table_idx, pn, in3, n, ref2, &ref2_len);
    if (ref2_st != ref_st || ref2_len != ref_len ||
        memcmp(ref, ref2, cap + 1) != 0 || (n && memcmp(in, in3, n) != 0)) {
      fprintf(stderr,
              "DIFFERENCE between the reference's backends %s and "
              "%s\n",
              ce_backend_name(backends[0]), ce_backend_name(backends[1]));
      fprintf(stderr, "%s: status %s, out_len %zu\n",
              ce_backend_name(backends[0]), ce_status_name(ref_st), ref_len);
      fz_hexdump("out", ref, ref_st == CE_OK ? ref_len : 0);
      fprintf(stderr, "%s: status %s, out_len %zu\n",
              ce_backend_name(backends[1]), ce_status_name(ref2_st), ref2_len);
      fz_hexdump("out", ref2, ref2_st == CE_OK ? ref2_len : 0);
      FZ_CHECK(0, "DIFFERENCE: backends %s and %s, mode %d",
               ce_backend_name(backends[0]), ce_backend_name(backends[1]),
               mode);
    }
    free(ref2);
    free(in3);
  }
  int oth_st =
      unprotect
          ? other_unprotect(mode, kp, key_len, salt, in2, n, oth, &oth_len)
          : other_protect(mode, kp, key_len, salt, pn, in2, n, oth, &oth_len);

  const char *what = NULL;
  if (ref_st != oth_st)
    what = "status";
  else if (ref_len != oth_len)
    what = "output length";
  else if (memcmp(ref, oth, cap + 1) != 0)
    what = ref_st == CE_OK ? "output bytes" : "output written on failure";
  else if (n && memcmp(in, in2, n) != 0)
    what = "input modified";
  if (what != NULL)
    difference(what, unprotect, mode, kp, key_len, salt, pn, in, n, cap, ref_st,
               ref, ref_st == CE_OK ? ref_len : 0, oth_st, oth,
               oth_st == CE_OK ? oth_len : 0);
  /* The reference itself keeps the ABI's failure promise. */
  if (ref_st != CE_OK)
    FZ_CHECK(ref_len == cap, "reference changed *out_len on failure");

  free(in);
  free(in2);
  free(ref);
  free(oth);
  return 0;
}
