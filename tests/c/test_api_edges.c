/*
 * test_api_edges.c - the corners of the public API that the other tests
 * leave out, grouped by the function they exercise, each checked against
 * the status that chanenc.h, chanenc_channel.h or chanenc_testing.h
 * documents for it:
 *  - queries on invalid mode ids and every spelling ce_mode_from_name
 *    refuses;
 *  - the base64 salt helper: every symbol of the alphabet, whitespace,
 *    padding, non-canonical and wrong-length input (salt untouched);
 *  - every NULL and bad-length argument of the context, protect and
 *    unprotect functions and of the testing interface, with the caller's
 *    buffer and length unchanged;
 *  - every argument check of the primitives, including the lengths over
 *    INT_MAX (CE_ERR_TOO_LARGE): those are passed real address ranges
 *    reserved PROT_NONE, so a read or write of any byte would crash the
 *    test instead of passing it;
 *  - the channel: CE_SDK_ERR_NOT_SUPPORTED from enable_encryption, the
 *    UINT_MAX limit of what an observer can be handed, and a payload that
 *    outgrows cap only because the observer enlarged the frame;
 *  - the fault-injection controls (their documented answers in both kinds
 *    of build).
 */
#include "ce_test.h"

#include "chanenc.h"
#include "chanenc_channel.h"
#include "chanenc_testing.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <openssl/evp.h>

static void fill(uint8_t *p, size_t n, unsigned seed) {
  for (size_t i = 0; i < n; i++)
    p[i] = (uint8_t)(seed + i * 29u);
}

static void cfg_for(ce_config *cfg, int mode) {
  ce_config_init(cfg);
  cfg->mode = mode;
  ce_config_set_key_str(cfg, "edges key");
  memset(cfg->salt, 0x3c, sizeof cfg->salt);
}

static ce_ctx *ctx_for(int mode) {
  ce_config cfg;
  cfg_for(&cfg, mode);
  ce_ctx *ctx = NULL;
  if (ce_ctx_new(&cfg, &ctx) != CE_OK) {
    fprintf(stderr, "ce_ctx_new(mode %d) failed\n", mode);
    exit(2);
  }
  return ctx;
}

/* n bytes of address space that may be neither read nor written, or NULL
   when the system will not reserve it (the check is then skipped). */
static uint8_t *reserve(size_t n) {
  void *p = mmap(NULL, n, PROT_NONE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  return p == MAP_FAILED ? NULL : p;
}

#define BIG ((size_t)INT_MAX + 1u) /* the first length over INT_MAX */

/* ------------------------------------------------------------------ */
/* Mode queries                                                        */
/* ------------------------------------------------------------------ */

static void test_mode_queries_invalid(void) {
  static const int bad[] = {0, 9, -1, 15, 255, INT_MAX, INT_MIN};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    int m = bad[i];
    CE_CHECK(ce_mode_name(m) == NULL, "ce_mode_name(%d) is NULL", m);
    CE_CHECK(ce_mode_string(m) == NULL, "ce_mode_string(%d) is NULL", m);
    CE_CHECK(ce_mode_family(m) == CE_FAMILY_NONE, "family(%d) NONE", m);
    CE_CHECK(ce_mode_key_bytes(m) == 0, "key_bytes(%d) 0", m);
    CE_CHECK(ce_mode_header_len(m) == 0, "header_len(%d) 0", m);
    CE_CHECK(ce_overhead(m, 0) == 0 && ce_overhead(m, 100) == 0,
             "overhead(%d) 0", m);
    CE_CHECK_STATUS(ce_mode_supported(m), CE_ERR_INVALID_ARGUMENT,
                    "mode_supported(%d)", m);
  }
}

static void test_mode_from_name(void) {
  for (int m = 1; m <= 8; m++) {
    char digit[2] = {(char)('0' + m), 0};
    CE_CHECK(ce_mode_from_name(ce_mode_name(m)) == m, "name of %d", m);
    CE_CHECK(ce_mode_from_name(ce_mode_string(m)) == m, "string of %d", m);
    CE_CHECK(ce_mode_from_name(digit) == m, "digit %s", digit);
  }
  /* Exactly one digit 1..8, exact spellings only. */
  static const char *refused[] = {"",
                                  "0",
                                  "9",
                                  "07",
                                  "+7",
                                  "-1",
                                  "71",
                                  "7 ",
                                  " 7",
                                  "aes_128_gcm2",
                                  "AES_128_GCM2 ",
                                  "aes-128-gcm-2x",
                                  "x"};
  for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
    CE_CHECK(ce_mode_from_name(refused[i]) == 0, "'%s' is refused", refused[i]);
  CE_CHECK(ce_mode_from_name(NULL) == 0, "NULL is refused");
}

/* ------------------------------------------------------------------ */
/* Statuses and version                                                */
/* ------------------------------------------------------------------ */

static void test_status_names(void) {
  /* Every documented value from CE_ERR_MALFORMED to CE_ERR_OBSERVER, CE_OK
     and CE_DROPPED has a name and a description. Over a wide range, every
     value either has both, with the name mapping back to it, or is
     "UNKNOWN" / "unknown status". */
  for (int s = CE_ERR_OBSERVER; s <= CE_DROPPED; s++)
    CE_CHECK(strcmp(ce_status_name(s), "UNKNOWN") != 0, "%d named", s);
  for (int s = -1000; s <= 1000; s++) {
    const char *name = ce_status_name(s), *text = ce_status_str(s);
    int back = 1000000;
    CE_CHECK(name != NULL && text != NULL, "%d: never NULL", s);
    if (strcmp(name, "UNKNOWN") == 0) {
      CE_CHECK(strcmp(text, "unknown status") == 0, "%d: unknown status", s);
    } else {
      CE_CHECK(strcmp(text, "unknown status") != 0, "%s described", name);
      CE_CHECK(ce_status_from_name(name, &back) == 1 && back == s,
               "%s maps back", name);
    }
  }
  static const int unknown[] = {2, 100, -100, INT_MIN, INT_MAX};
  for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
    CE_CHECK(strcmp(ce_status_name(unknown[i]), "UNKNOWN") == 0,
             "%d is UNKNOWN", unknown[i]);
    CE_CHECK(strcmp(ce_status_str(unknown[i]), "unknown status") == 0,
             "%d is an unknown status", unknown[i]);
  }
  int st = 55;
  CE_CHECK(ce_status_from_name(NULL, &st) == 0 && st == 55, "NULL name");
  CE_CHECK(ce_status_from_name("OK", NULL) == 0, "NULL status pointer");
  CE_CHECK(ce_status_from_name("UNKNOWN", &st) == 0 && st == 55,
           "UNKNOWN is not a status");
  CE_CHECK(ce_status_from_name("ok", &st) == 0 && st == 55,
           "names are case-sensitive");
  CE_CHECK(strncmp(ce_version(), "chanenc ", 8) == 0, "version: %s",
           ce_version());
}

/* ------------------------------------------------------------------ */
/* Configuration                                                       */
/* ------------------------------------------------------------------ */

static void b64_encode32(const uint8_t in[32], char out[45]) {
  static const char a[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t o = 0;
  for (size_t i = 0; i < 30; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
    out[o++] = a[v >> 18];
    out[o++] = a[(v >> 12) & 63];
    out[o++] = a[(v >> 6) & 63];
    out[o++] = a[v & 63];
  }
  uint32_t v = (uint32_t)in[30] << 16 | (uint32_t)in[31] << 8;
  out[o++] = a[v >> 18];
  out[o++] = a[(v >> 12) & 63];
  out[o++] = a[(v >> 6) & 63];
  out[o++] = '=';
  out[o] = 0;
}

static void test_config_init_and_key(void) {
  ce_config_init(NULL); /* documented: does nothing */
  ce_config cfg;
  memset(&cfg, 0xee, sizeof cfg);
  ce_config_init(&cfg);
  static const uint8_t zero[CE_SALT_LEN];
  CE_CHECK(cfg.mode == CE_MODE_AES_128_GCM2 && cfg.key == NULL &&
               cfg.key_len == 0 && cfg.datastream_encryption_enabled == 0 &&
               memcmp(cfg.salt, zero, sizeof zero) == 0,
           "fresh config");
  CE_CHECK_STATUS(ce_config_set_key_str(NULL, "k"), CE_ERR_INVALID_ARGUMENT,
                  "NULL cfg");
  CE_CHECK_STATUS(ce_config_set_key_str(&cfg, NULL), CE_ERR_INVALID_ARGUMENT,
                  "NULL key");
  CE_CHECK_STATUS(ce_config_set_key_str(&cfg, ""), CE_ERR_INVALID_ARGUMENT,
                  "empty key");
  CE_CHECK(cfg.key == NULL && cfg.key_len == 0, "refusals change nothing");
  const char *k = "00ff";
  CE_CHECK_STATUS(ce_config_set_key_str(&cfg, k), CE_OK, "key");
  CE_CHECK(cfg.key == (const uint8_t *)k && cfg.key_len == 4,
           "raw bytes of the string, not hex-decoded");
}

static void test_config_salt_base64(void) {
  ce_config cfg;
  ce_config_init(&cfg);
  uint8_t salt[32];
  char b64[45], text[128];

  /* Round trips over salts whose encodings use every symbol of the
     alphabet: A-Z, a-z, 0-9, '+' and '/'. */
  for (unsigned seed = 0; seed < 64; seed++) {
    for (size_t i = 0; i < 32; i++)
      salt[i] = (uint8_t)(seed * 4u + i * 8u + (i % 3 == 0 ? 0xfcu : 0u));
    salt[31] = (uint8_t)(salt[31] & 0xf0); /* any; only 4 bits reach sym 43 */
    b64_encode32(salt, b64);
    memset(cfg.salt, 0, sizeof cfg.salt);
    CE_CHECK_STATUS(ce_config_set_salt_base64(&cfg, b64), CE_OK, "%s", b64);
    CE_CHECK_MEM(cfg.salt, salt, 32, "decodes %s", b64);
  }
  uint8_t ones[32];
  memset(ones, 0xff, sizeof ones);
  b64_encode32(ones, b64);
  CE_CHECK(strchr(b64, '/') != NULL, "all-ones salt uses '/'");
  CE_CHECK_STATUS(ce_config_set_salt_base64(&cfg, b64), CE_OK, "all ones");
  CE_CHECK_MEM(cfg.salt, ones, 32, "all ones decoded");

  /* '=' optional, surrounding whitespace (space, tab, CR, LF) ignored. */
  fill(salt, 32, 7);
  b64_encode32(salt, b64);
  snprintf(text, sizeof text, " \t\r\n%.43s\n\r\t ", b64);
  memset(cfg.salt, 0, sizeof cfg.salt);
  CE_CHECK_STATUS(ce_config_set_salt_base64(&cfg, text), CE_OK,
                  "whitespace, no padding");
  CE_CHECK_MEM(cfg.salt, salt, 32, "whitespace, no padding decoded");
  snprintf(text, sizeof text, "\n%s\n", b64);
  CE_CHECK_STATUS(ce_config_set_salt_base64(&cfg, text), CE_OK,
                  "whitespace and padding");

  /* Every refusal leaves the salt as it was. */
  uint8_t before[32];
  memcpy(before, cfg.salt, 32);
  const char *bad_texts[] = {"", "   ", "=", "\n=\n"};
  for (size_t i = 0; i < sizeof bad_texts / sizeof bad_texts[0]; i++)
    CE_CHECK_STATUS(ce_config_set_salt_base64(&cfg, bad_texts[i]),
                    CE_ERR_INVALID_ARGUMENT, "empty text %zu", i);
  snprintf(text, sizeof text, "%.42s", b64); /* 42 symbols */
  CE_CHECK_STATUS(ce_config_set_salt_base64(&cfg, text),
                  CE_ERR_INVALID_ARGUMENT, "42 symbols");
  snprintf(text, sizeof text, "%.43sA", b64); /* 44 symbols */
  CE_CHECK_STATUS(ce_config_set_salt_base64(&cfg, text),
                  CE_ERR_INVALID_ARGUMENT, "44 symbols");
  snprintf(text, sizeof text, "%.43s==", b64);
  CE_CHECK_STATUS(ce_config_set_salt_base64(&cfg, text),
                  CE_ERR_INVALID_ARGUMENT, "two '='");
  /* A symbol outside the alphabet at the start, middle and end, and
     whitespace or '=' inside. */
  static const char intruders[] = {'-', '_', '*', '.',  '@', '[',       '`',
                                   '{', ':', ' ', '\t', '=', (char)0xc3};
  static const size_t where[] = {0, 21, 42};
  for (size_t i = 0; i < sizeof intruders; i++) {
    for (size_t w = 0; w < 3; w++) {
      snprintf(text, sizeof text, "%.43s", b64);
      text[where[w]] = intruders[i];
      CE_CHECK_STATUS(ce_config_set_salt_base64(&cfg, text),
                      CE_ERR_INVALID_ARGUMENT, "0x%02x at %zu",
                      (unsigned char)intruders[i], where[w]);
    }
  }
  /* Non-canonical: the 43rd symbol carries 6 bits of which only the top 4
     belong to byte 31; the low 2 must be zero. */
  snprintf(text, sizeof text, "%.43s", b64);
  static const char a[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  int last = (int)(strchr(a, text[42]) - a);
  for (int low = 1; low < 4; low++) {
    text[42] = a[last | low];
    CE_CHECK_STATUS(ce_config_set_salt_base64(&cfg, text),
                    CE_ERR_INVALID_ARGUMENT, "non-canonical low bits %d", low);
  }
  CE_CHECK_MEM(cfg.salt, before, 32, "refusals left the salt unchanged");
  CE_CHECK_STATUS(ce_config_set_salt_base64(NULL, b64), CE_ERR_INVALID_ARGUMENT,
                  "NULL cfg");
  CE_CHECK_STATUS(ce_config_set_salt_base64(&cfg, NULL),
                  CE_ERR_INVALID_ARGUMENT, "NULL text");
  CE_CHECK_MEM(cfg.salt, before, 32, "NULL text left the salt unchanged");
}

static void test_config_check(void) {
  ce_config cfg;
  CE_CHECK_STATUS(ce_config_check(NULL), CE_ERR_INVALID_ARGUMENT, "NULL");
  for (int m = 1; m <= 8; m++) {
    cfg_for(&cfg, m);
    CE_CHECK_STATUS(ce_config_check(&cfg), ce_mode_supported(m), "mode %d", m);
    cfg.key_len = 0;
    CE_CHECK_STATUS(ce_config_check(&cfg), CE_ERR_INVALID_ARGUMENT,
                    "mode %d empty key", m);
    cfg_for(&cfg, m);
    cfg.key = NULL; /* key_len still 9 */
    CE_CHECK_STATUS(ce_config_check(&cfg), CE_ERR_INVALID_ARGUMENT,
                    "mode %d NULL key with a length", m);
    cfg_for(&cfg, m);
    memset(cfg.salt, 0, sizeof cfg.salt);
    CE_CHECK_STATUS(ce_config_check(&cfg),
                    m >= 7 ? CE_ERR_INVALID_ARGUMENT : ce_mode_supported(m),
                    "mode %d zero salt (only GCM2 needs one)", m);
    cfg.salt[31] = 1; /* one nonzero byte is enough */
    CE_CHECK_STATUS(ce_config_check(&cfg), ce_mode_supported(m),
                    "mode %d salt with one nonzero byte", m);
  }
  cfg_for(&cfg, 0);
  CE_CHECK_STATUS(ce_config_check(&cfg), CE_ERR_INVALID_ARGUMENT, "mode 0");
  cfg_for(&cfg, 9);
  CE_CHECK_STATUS(ce_config_check(&cfg), CE_ERR_INVALID_ARGUMENT, "mode 9");
}

/* ------------------------------------------------------------------ */
/* ce_derive                                                           */
/* ------------------------------------------------------------------ */

static void test_derive_args(void) {
  ce_config cfg;
  cfg_for(&cfg, CE_MODE_AES_128_GCM);
  CE_CHECK_STATUS(ce_derive(&cfg, NULL), CE_ERR_INVALID_ARGUMENT, "NULL out");
  ce_derived d, before;
  memset(&d, 0xa5, sizeof d);
  before = d;
  CE_CHECK_STATUS(ce_derive(NULL, &d), CE_ERR_INVALID_ARGUMENT, "NULL cfg");
  cfg.mode = 9;
  CE_CHECK_STATUS(ce_derive(&cfg, &d), CE_ERR_INVALID_ARGUMENT, "mode 9");
  CE_CHECK(memcmp(&d, &before, sizeof d) == 0, "out untouched on failure");
}

/* ------------------------------------------------------------------ */
/* Contexts                                                            */
/* ------------------------------------------------------------------ */

static void test_ctx_args(void) {
  ce_config cfg;
  cfg_for(&cfg, CE_MODE_AES_128_GCM);
  CE_CHECK_STATUS(ce_ctx_new(&cfg, NULL), CE_ERR_INVALID_ARGUMENT, "NULL out");
  ce_ctx *out = (ce_ctx *)&cfg;
  CE_CHECK_STATUS(ce_ctx_new(NULL, &out), CE_ERR_INVALID_ARGUMENT, "NULL cfg");
  CE_CHECK(out == NULL, "*out NULL after ce_ctx_new failed");

  ce_ctx *ctx = ctx_for(CE_MODE_AES_128_GCM);
  CE_CHECK_STATUS(ce_ctx_dup(ctx, NULL), CE_ERR_INVALID_ARGUMENT,
                  "dup NULL out");
  out = ctx;
  CE_CHECK_STATUS(ce_ctx_dup(NULL, &out), CE_ERR_INVALID_ARGUMENT, "dup NULL");
  CE_CHECK(out == NULL, "*out NULL after ce_ctx_dup failed");

  CE_CHECK(ce_ctx_mode(NULL) == 0 && ce_ctx_check(NULL) == 0 &&
               ce_ctx_next_pn(NULL) == 0,
           "queries on NULL answer 0");
  CE_CHECK(ce_ctx_mode(ctx) == CE_MODE_AES_128_GCM, "mode");
  ce_ctx_free(NULL); /* no-op */
  ce_ctx_free(ctx);
}

/* Runs one call that must fail with want and leave buf and *len as they
   were. */
#define CHECK_REFUSED(call, want, buf, n, len, len0, what)                     \
  do {                                                                         \
    uint8_t snap_[256];                                                        \
    memcpy(snap_, (buf), (n));                                                 \
    CE_CHECK_STATUS((call), (want), "%s", (what));                             \
    CE_CHECK(memcmp(snap_, (buf), (n)) == 0, "%s: buffer changed", (what));    \
    CE_CHECK((len) == (len0), "%s: length changed", (what));                   \
  } while (0)

static void test_protect_args(void) {
  for (int mode = 1; mode <= 8; mode++) {
    if (ce_mode_supported(mode) != CE_OK) {
      CE_SKIP(1);
      continue;
    }
    ce_ctx *ctx = ctx_for(mode);
    uint8_t buf[256], out[256];
    fill(buf, sizeof buf, (unsigned)mode);
    fill(out, sizeof out, 99);
    size_t len = 20, olen = sizeof out;
    uint64_t pn = ce_ctx_next_pn(ctx);

    /* ce_protect */
    CE_CHECK_STATUS(ce_protect(NULL, buf, &len, sizeof buf),
                    CE_ERR_INVALID_ARGUMENT, "protect NULL ctx");
    CE_CHECK_STATUS(ce_protect(ctx, NULL, &len, sizeof buf),
                    CE_ERR_INVALID_ARGUMENT, "protect NULL buf");
    CE_CHECK_STATUS(ce_protect(ctx, buf, NULL, sizeof buf),
                    CE_ERR_INVALID_ARGUMENT, "protect NULL len");
    /* ce_protect_into: each pointer, and in NULL only with in_len 0. */
    CHECK_REFUSED(ce_protect_into(ctx, buf, 20, out, NULL),
                  CE_ERR_INVALID_ARGUMENT, out, sizeof out, olen, sizeof out,
                  "protect_into NULL out_len");
    CHECK_REFUSED(ce_protect_into(NULL, buf, 20, out, &olen),
                  CE_ERR_INVALID_ARGUMENT, out, sizeof out, olen, sizeof out,
                  "protect_into NULL ctx");
    CE_CHECK_STATUS(ce_protect_into(ctx, buf, 20, NULL, &olen),
                    CE_ERR_INVALID_ARGUMENT, "protect_into NULL out");
    CE_CHECK(olen == sizeof out, "protect_into NULL out: *out_len kept");
    CHECK_REFUSED(ce_protect_into(ctx, NULL, 1, out, &olen),
                  CE_ERR_INVALID_ARGUMENT, out, sizeof out, olen, sizeof out,
                  "protect_into NULL in with in_len 1");
    CE_CHECK(ce_ctx_next_pn(ctx) == pn,
             "mode %d: refused arguments consume no packet number", mode);
    /* in NULL with in_len 0: the empty payload. */
    CE_CHECK_STATUS(ce_protect_into(ctx, NULL, 0, out, &olen), CE_OK,
                    "mode %d: protect_into(NULL, 0)", mode);
    CE_CHECK(olen == ce_overhead(mode, 0), "mode %d: empty frame of %zu", mode,
             olen);
    uint8_t back[256];
    size_t blen = sizeof back;
    CE_CHECK_STATUS(ce_unprotect_into(ctx, out, olen, back, &blen), CE_OK,
                    "mode %d: the empty frame opens", mode);
    CE_CHECK(blen == 0, "mode %d: to an empty payload", mode);

    /* ce_unprotect / ce_unprotect_into: each pointer. */
    size_t flen = olen;
    blen = sizeof back;
    CE_CHECK_STATUS(ce_unprotect(NULL, out, &flen), CE_ERR_INVALID_ARGUMENT,
                    "unprotect NULL ctx");
    CE_CHECK_STATUS(ce_unprotect(ctx, NULL, &flen), CE_ERR_INVALID_ARGUMENT,
                    "unprotect NULL buf");
    CE_CHECK_STATUS(ce_unprotect(ctx, out, NULL), CE_ERR_INVALID_ARGUMENT,
                    "unprotect NULL len");
    CHECK_REFUSED(ce_unprotect_into(NULL, out, flen, back, &blen),
                  CE_ERR_INVALID_ARGUMENT, back, sizeof back, blen, sizeof back,
                  "unprotect_into NULL ctx");
    CHECK_REFUSED(ce_unprotect_into(ctx, NULL, flen, back, &blen),
                  CE_ERR_INVALID_ARGUMENT, back, sizeof back, blen, sizeof back,
                  "unprotect_into NULL in");
    CE_CHECK_STATUS(ce_unprotect_into(ctx, out, flen, NULL, &blen),
                    CE_ERR_INVALID_ARGUMENT, "unprotect_into NULL out");
    CHECK_REFUSED(ce_unprotect_into(ctx, out, flen, back, NULL),
                  CE_ERR_INVALID_ARGUMENT, back, sizeof back, blen, sizeof back,
                  "unprotect_into NULL out_len");
    CE_CHECK(flen == olen && blen == sizeof back, "lengths kept");
    ce_ctx_free(ctx);
  }
}

/* ------------------------------------------------------------------ */
/* Testing interface (chanenc_testing.h)                               */
/* ------------------------------------------------------------------ */

static uint64_t frame_pn(const uint8_t *f) {
  uint64_t pn = 0;
  for (int i = 0; i < 8; i++)
    pn = pn << 8 | f[2 + i];
  return pn;
}

static void test_testing_protect_pn(void) {
  ce_ctx *ctx = ctx_for(CE_MODE_AES_256_GCM);
  uint8_t buf[64], out[64];
  fill(buf, sizeof buf, 4);
  size_t len = 10, olen = sizeof out;
  uint64_t next = ce_ctx_next_pn(ctx);
  CE_CHECK_STATUS(ce_testing_protect_pn(ctx, 5, NULL, &len, sizeof buf),
                  CE_ERR_INVALID_ARGUMENT, "protect_pn NULL buf");
  CHECK_REFUSED(ce_testing_protect_pn(ctx, 5, buf, NULL, sizeof buf),
                CE_ERR_INVALID_ARGUMENT, buf, sizeof buf, len, 10,
                "protect_pn NULL len");
  CHECK_REFUSED(ce_testing_protect_pn(NULL, 5, buf, &len, sizeof buf),
                CE_ERR_INVALID_ARGUMENT, buf, sizeof buf, len, 10,
                "protect_pn NULL ctx");
  CHECK_REFUSED(ce_testing_protect_pn_into(ctx, 5, buf, 10, out, NULL),
                CE_ERR_INVALID_ARGUMENT, out, sizeof out, olen, sizeof out,
                "protect_pn_into NULL out_len");
  CHECK_REFUSED(ce_testing_protect_pn_into(ctx, 5, NULL, 3, out, &olen),
                CE_ERR_INVALID_ARGUMENT, out, sizeof out, olen, sizeof out,
                "protect_pn_into NULL in with in_len 3");
  CE_CHECK_STATUS(
      ce_testing_protect_pn(ctx, 0x0102030405060708u, buf, &len, sizeof buf),
      CE_OK, "protect_pn");
  CE_CHECK(len == 36 && frame_pn(buf) == 0x0102030405060708u,
           "the frame carries the chosen packet number");
  CE_CHECK_STATUS(
      ce_testing_protect_pn_into(ctx, UINT64_MAX, NULL, 0, out, &olen), CE_OK,
      "protect_pn_into, empty payload");
  CE_CHECK(olen == 26 && frame_pn(out) == UINT64_MAX, "pn 2^64-1 carried");
  CE_CHECK(ce_ctx_next_pn(ctx) == next,
           "the context's own packet number is untouched");
  ce_ctx_free(ctx);
}

static void test_testing_faults(void) {
  if (!ce_testing_fault_available()) {
    /* Documented: the controls do nothing. */
    ce_testing_fault_arm(1);
    CE_CHECK(ce_testing_fault_hits() == 0, "no sites without injection");
    CE_CHECK(ce_testing_fault_fired() == NULL, "nothing fires");
    ce_testing_fault_arm(0);
    ce_ctx *ctx = ctx_for(CE_MODE_AES_128_GCM);
    ce_ctx_free(ctx);
    return;
  }
  /* Armed far beyond the path: every site is counted, none fires. The
     OpenSSL backend: its packet path has sites (ipsec-mb's has none). */
  ce_testing_fault_arm(1000000);
  CE_CHECK(ce_testing_fault_hits() == 0, "arm resets the count");
  ce_config cfg;
  cfg_for(&cfg, CE_MODE_AES_128_GCM);
  cfg.backend = CE_BACKEND_OPENSSL;
  ce_ctx *ctx = NULL;
  if (ce_ctx_new(&cfg, &ctx) != CE_OK)
    exit(2);
  unsigned long setup = ce_testing_fault_hits();
  CE_CHECK(setup > 0, "ce_ctx_new reaches fault sites (%lu)", setup);
  CE_CHECK(ce_testing_fault_fired() == NULL, "none fired");
  uint8_t buf[64];
  size_t len = 8;
  fill(buf, len, 1);
  CE_CHECK_STATUS(ce_protect(ctx, buf, &len, sizeof buf), CE_OK, "protect");
  CE_CHECK(ce_testing_fault_hits() > setup, "protect adds sites");
  /* The first site of a protect is its cipher's: armed, it fires there. */
  ce_testing_fault_arm(1);
  len = 8;
  CE_CHECK_STATUS(ce_protect(ctx, buf, &len, sizeof buf), CE_ERR_INTERNAL,
                  "first site armed");
  CE_CHECK(ce_testing_fault_hits() == 1, "one site reached");
  const char *fired = ce_testing_fault_fired();
  CE_CHECK(fired != NULL && strncmp(fired, "gcm.", 4) == 0,
           "fired at a GCM site: %s", fired ? fired : "(none)");
  ce_testing_fault_arm(0);
  CE_CHECK(ce_testing_fault_hits() == 0 && ce_testing_fault_fired() == NULL,
           "disarm resets");
  len = 8;
  CE_CHECK_STATUS(ce_protect(ctx, buf, &len, sizeof buf), CE_OK,
                  "disarmed: protect works");
  CE_CHECK(ce_testing_fault_hits() == 0, "disarmed: nothing counted");
  ce_ctx_free(ctx);
}

/* ------------------------------------------------------------------ */
/* Primitives                                                          */
/* ------------------------------------------------------------------ */

static void test_ecb_args(void) {
  uint8_t key[32], in[32], out[32], before[32];
  fill(key, sizeof key, 1);
  fill(in, sizeof in, 2);
  fill(out, sizeof out, 3);
  memcpy(before, out, sizeof out);
  CE_CHECK_STATUS(ce_ecb_crypt((ce_block_cipher)0, 1, key, 16, in, 16, out),
                  CE_ERR_INVALID_ARGUMENT, "block cipher 0");
  CE_CHECK_STATUS(ce_ecb_crypt((ce_block_cipher)3, 1, key, 16, in, 16, out),
                  CE_ERR_INVALID_ARGUMENT, "block cipher 3");
  static const size_t aes_bad[] = {0, 8, 15, 17, 20, 31, 33, 64};
  for (size_t i = 0; i < sizeof aes_bad / sizeof aes_bad[0]; i++)
    CE_CHECK_STATUS(ce_ecb_crypt(CE_BLOCK_AES, 1, key, aes_bad[i], in, 16, out),
                    CE_ERR_INVALID_ARGUMENT, "AES key of %zu", aes_bad[i]);
  CE_CHECK_STATUS(ce_ecb_crypt(CE_BLOCK_SM4, 1, key, 24, in, 16, out),
                  CE_ERR_INVALID_ARGUMENT, "SM4 key of 24");
  CE_CHECK_STATUS(ce_ecb_crypt(CE_BLOCK_SM4, 1, key, 32, in, 16, out),
                  CE_ERR_INVALID_ARGUMENT, "SM4 key of 32");
  CE_CHECK_STATUS(ce_ecb_crypt(CE_BLOCK_AES, 1, NULL, 16, in, 16, out),
                  CE_ERR_INVALID_ARGUMENT, "NULL key");
  CE_CHECK_STATUS(ce_ecb_crypt(CE_BLOCK_AES, 1, key, 16, in, 15, out),
                  CE_ERR_INVALID_ARGUMENT, "15 bytes");
  CE_CHECK_STATUS(ce_ecb_crypt(CE_BLOCK_AES, 0, key, 16, NULL, 16, out),
                  CE_ERR_INVALID_ARGUMENT, "NULL in");
  CE_CHECK_STATUS(ce_ecb_crypt(CE_BLOCK_AES, 0, key, 16, in, 16, NULL),
                  CE_ERR_INVALID_ARGUMENT, "NULL out");
  CE_CHECK_MEM(out, before, sizeof out, "refusals wrote nothing");
  CE_CHECK_STATUS(ce_ecb_crypt(CE_BLOCK_AES, 1, key, 16, NULL, 0, NULL), CE_OK,
                  "nothing to do");
  for (size_t kl = 16; kl <= 32; kl += 8) {
    CE_CHECK_STATUS(ce_ecb_crypt(CE_BLOCK_AES, 1, key, kl, in, 32, out), CE_OK,
                    "AES-%zu encrypt", kl * 8);
    CE_CHECK_STATUS(ce_ecb_crypt(CE_BLOCK_AES, 0, key, kl, out, 32, out), CE_OK,
                    "AES-%zu decrypt in place", kl * 8);
    CE_CHECK_MEM(out, in, 32, "AES-%zu round trip", kl * 8);
  }
  uint8_t *huge = reserve(BIG);
  if (huge == NULL) {
    CE_SKIP(1);
    return;
  }
  CE_CHECK_STATUS(ce_ecb_crypt(CE_BLOCK_AES, 1, key, 16, huge, BIG, huge),
                  CE_ERR_TOO_LARGE, "2^31 bytes");
  munmap(huge, BIG);
}

static void test_xts_args(void) {
  uint8_t key[64], tweak[16] = {1}, in[40], out[40], before[40];
  fill(key, sizeof key, 5);
  fill(in, sizeof in, 6);
  fill(out, sizeof out, 7);
  memcpy(before, out, sizeof out);
  static const size_t bad_keys[] = {0, 16, 31, 33, 48, 63, 65};
  for (size_t i = 0; i < sizeof bad_keys / sizeof bad_keys[0]; i++)
    CE_CHECK_STATUS(ce_xts_crypt(1, key, bad_keys[i], tweak, in, 16, out),
                    CE_ERR_INVALID_ARGUMENT, "key of %zu", bad_keys[i]);
  CE_CHECK_STATUS(ce_xts_crypt(1, NULL, 32, tweak, in, 16, out),
                  CE_ERR_INVALID_ARGUMENT, "NULL key");
  CE_CHECK_STATUS(ce_xts_crypt(1, key, 32, NULL, in, 16, out),
                  CE_ERR_INVALID_ARGUMENT, "NULL tweak");
  CE_CHECK_STATUS(ce_xts_crypt(1, key, 32, tweak, NULL, 16, out),
                  CE_ERR_INVALID_ARGUMENT, "NULL in");
  CE_CHECK_STATUS(ce_xts_crypt(1, key, 32, tweak, in, 16, NULL),
                  CE_ERR_INVALID_ARGUMENT, "NULL out");
  CE_CHECK_STATUS(ce_xts_crypt(1, key, 32, tweak, in, 15, out),
                  CE_ERR_INVALID_ARGUMENT, "15 bytes");
  CE_CHECK_STATUS(ce_xts_crypt(0, key, 64, tweak, in, 0, out),
                  CE_ERR_INVALID_ARGUMENT, "0 bytes");
  uint8_t same[64];
  memcpy(same, key, 16);
  memcpy(same + 16, key, 16);
  CE_CHECK_STATUS(ce_xts_crypt(1, same, 32, tweak, in, 16, out),
                  CE_ERR_INVALID_ARGUMENT, "Key1 == Key2, encrypt");
  CE_CHECK_STATUS(ce_xts_crypt(0, same, 32, tweak, in, 16, out),
                  CE_ERR_INVALID_ARGUMENT, "Key1 == Key2, decrypt");
  CE_CHECK_MEM(out, before, sizeof out, "refusals wrote nothing");
  CE_CHECK_STATUS(ce_xts_crypt(1, key, 64, tweak, in, 37, out), CE_OK,
                  "37 bytes (ciphertext stealing)");
  CE_CHECK_STATUS(ce_xts_crypt(0, key, 64, tweak, out, 37, out), CE_OK,
                  "decrypt in place");
  CE_CHECK_MEM(out, in, 37, "round trip");
  size_t over = ((size_t)1 << 24) + 16;
  uint8_t *huge = reserve(over);
  if (huge == NULL) {
    CE_SKIP(1);
    return;
  }
  CE_CHECK_STATUS(ce_xts_crypt(1, key, 32, tweak, huge, over, huge),
                  CE_ERR_TOO_LARGE, "over 2^20 blocks");
  munmap(huge, over);
}

static void test_gcm_args(void) {
  uint8_t key[32], iv[12] = {9}, aad[8] = {1}, in[32], out[32], before[32];
  uint8_t tag[16], tag_before[16];
  fill(key, sizeof key, 8);
  fill(in, sizeof in, 9);
  fill(out, sizeof out, 10);
  fill(tag, sizeof tag, 11);
  memcpy(before, out, sizeof out);
  memcpy(tag_before, tag, sizeof tag);
  struct {
    const uint8_t *key;
    size_t key_len;
    const uint8_t *iv;
    size_t iv_len;
    const uint8_t *aad;
    size_t aad_len;
    const uint8_t *in;
    size_t len;
    uint8_t *out;
    uint8_t *tag;
    size_t tag_len;
    const char *what;
  } bad[] = {
      {key, 20, iv, 12, aad, 8, in, 32, out, tag, 16, "key of 20"},
      {key, 0, iv, 12, aad, 8, in, 32, out, tag, 16, "key of 0"},
      {NULL, 16, iv, 12, aad, 8, in, 32, out, tag, 16, "NULL key"},
      {key, 16, NULL, 12, aad, 8, in, 32, out, tag, 16, "NULL iv"},
      {key, 16, iv, 0, aad, 8, in, 32, out, tag, 16, "empty iv"},
      {key, 16, iv, 12, NULL, 8, in, 32, out, tag, 16, "NULL aad, length 8"},
      {key, 16, iv, 12, aad, 8, NULL, 32, out, tag, 16, "NULL in"},
      {key, 16, iv, 12, aad, 8, in, 32, NULL, tag, 16, "NULL out"},
      {key, 16, iv, 12, aad, 8, in, 32, out, NULL, 16, "NULL tag"},
      {key, 16, iv, 12, aad, 8, in, 32, out, tag, 0, "tag of 0"},
      {key, 16, iv, 12, aad, 8, in, 32, out, tag, 17, "tag of 17"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    CE_CHECK_STATUS(ce_gcm_encrypt(bad[i].key, bad[i].key_len, bad[i].iv,
                                   bad[i].iv_len, bad[i].aad, bad[i].aad_len,
                                   bad[i].in, bad[i].len, bad[i].out,
                                   bad[i].tag, bad[i].tag_len),
                    CE_ERR_INVALID_ARGUMENT, "encrypt: %s", bad[i].what);
    CE_CHECK_STATUS(ce_gcm_decrypt(bad[i].key, bad[i].key_len, bad[i].iv,
                                   bad[i].iv_len, bad[i].aad, bad[i].aad_len,
                                   bad[i].in, bad[i].len, bad[i].tag,
                                   bad[i].tag_len, bad[i].out),
                    CE_ERR_INVALID_ARGUMENT, "decrypt: %s", bad[i].what);
  }
  CE_CHECK_MEM(out, before, sizeof out, "refusals wrote no output");
  CE_CHECK_MEM(tag, tag_before, sizeof tag, "refusals wrote no tag");
  /* NULL in/out and aad are fine with length 0 (GMAC). */
  CE_CHECK_STATUS(
      ce_gcm_encrypt(key, 16, iv, 12, NULL, 0, NULL, 0, NULL, tag, 16), CE_OK,
      "empty GMAC");
  CE_CHECK_STATUS(
      ce_gcm_decrypt(key, 16, iv, 12, NULL, 0, NULL, 0, tag, 16, NULL), CE_OK,
      "empty GMAC verifies");

  uint8_t *huge = reserve(BIG);
  if (huge == NULL) {
    CE_SKIP(1);
    return;
  }
  memcpy(tag, tag_before, sizeof tag);
  CE_CHECK_STATUS(
      ce_gcm_encrypt(key, 16, iv, 12, huge, BIG, in, 16, out, tag, 16),
      CE_ERR_TOO_LARGE, "encrypt: aad over INT_MAX");
  CE_CHECK_STATUS(
      ce_gcm_encrypt(key, 16, iv, 12, aad, 8, huge, BIG, huge, tag, 16),
      CE_ERR_TOO_LARGE, "encrypt: payload over INT_MAX");
  CE_CHECK_STATUS(
      ce_gcm_decrypt(key, 16, iv, 12, huge, BIG, in, 16, tag, 16, out),
      CE_ERR_TOO_LARGE, "decrypt: aad over INT_MAX");
  CE_CHECK_STATUS(
      ce_gcm_decrypt(key, 16, iv, 12, aad, 8, huge, BIG, tag, 16, huge),
      CE_ERR_TOO_LARGE, "decrypt: payload over INT_MAX");
  CE_CHECK_MEM(out, before, sizeof out, "TOO_LARGE wrote no output");
  CE_CHECK_MEM(tag, tag_before, sizeof tag, "TOO_LARGE wrote no tag");
  munmap(huge, BIG);
}

static void test_kdf_args(void) {
  uint8_t ikm[22], salt[13], info[10], prk[32], okm[8161], before[64];
  fill(ikm, sizeof ikm, 1);
  fill(salt, sizeof salt, 2);
  fill(info, sizeof info, 3);
  fill(prk, sizeof prk, 4);
  fill(okm, sizeof okm, 5);
  memcpy(before, okm, sizeof before);

  /* HKDF-Extract */
  CE_CHECK_STATUS(ce_hkdf_sha256_extract(salt, 13, ikm, 22, NULL),
                  CE_ERR_INVALID_ARGUMENT, "extract NULL prk");
  CE_CHECK_STATUS(ce_hkdf_sha256_extract(NULL, 13, ikm, 22, prk),
                  CE_ERR_INVALID_ARGUMENT, "extract NULL salt, length 13");
  CE_CHECK_STATUS(ce_hkdf_sha256_extract(salt, 13, NULL, 22, prk),
                  CE_ERR_INVALID_ARGUMENT, "extract NULL ikm, length 22");
  uint8_t p1[32], p2[32];
  static const uint8_t zeros[32];
  CE_CHECK_STATUS(ce_hkdf_sha256_extract(NULL, 0, NULL, 0, p1), CE_OK,
                  "extract: no salt, empty ikm");
  CE_CHECK_STATUS(ce_hkdf_sha256_extract(zeros, 32, NULL, 0, p2), CE_OK,
                  "extract: 32 zero bytes of salt");
  CE_CHECK_MEM(p1, p2, 32, "a missing salt is HashLen zeros (RFC 5869 2.2)");

  /* HKDF-Expand */
  CE_CHECK_STATUS(ce_hkdf_sha256_expand(NULL, 32, info, 10, okm, 42),
                  CE_ERR_INVALID_ARGUMENT, "expand NULL prk");
  CE_CHECK_STATUS(ce_hkdf_sha256_expand(prk, 31, info, 10, okm, 42),
                  CE_ERR_INVALID_ARGUMENT, "expand prk of 31");
  CE_CHECK_STATUS(ce_hkdf_sha256_expand(prk, 32, info, 10, NULL, 42),
                  CE_ERR_INVALID_ARGUMENT, "expand NULL okm");
  CE_CHECK_STATUS(ce_hkdf_sha256_expand(prk, 32, info, 10, okm, 0),
                  CE_ERR_INVALID_ARGUMENT, "expand okm of 0");
  CE_CHECK_STATUS(ce_hkdf_sha256_expand(prk, 32, info, 10, okm, 8161),
                  CE_ERR_INVALID_ARGUMENT, "expand okm of 8161");
  CE_CHECK_STATUS(ce_hkdf_sha256_expand(prk, 32, NULL, 10, okm, 42),
                  CE_ERR_INVALID_ARGUMENT, "expand NULL info, length 10");
  CE_CHECK_STATUS(ce_hkdf_sha256(salt, 13, ikm, 22, NULL, 10, okm, 42),
                  CE_ERR_INVALID_ARGUMENT, "hkdf NULL info, length 10");
  CE_CHECK_MEM(okm, before, sizeof before, "refusals wrote nothing");
  CE_CHECK_STATUS(ce_hkdf_sha256_expand(prk, 32, NULL, 0, okm, 8160), CE_OK,
                  "expand 8160 bytes (255 blocks)");
  uint8_t shorter[100];
  CE_CHECK_STATUS(ce_hkdf_sha256_expand(prk, 32, NULL, 0, shorter, 100), CE_OK,
                  "expand 100 bytes");
  CE_CHECK_MEM(okm, shorter, 100, "a shorter output is a prefix");

  /* PBKDF2 */
  uint8_t out[32], out_before[32];
  fill(out, sizeof out, 6);
  memcpy(out_before, out, sizeof out);
  CE_CHECK_STATUS(ce_pbkdf2_sha256(ikm, 22, salt, 13, 1, NULL, 32),
                  CE_ERR_INVALID_ARGUMENT, "pbkdf2 NULL out");
  CE_CHECK_STATUS(ce_pbkdf2_sha256(ikm, 22, salt, 13, 1, out, 0),
                  CE_ERR_INVALID_ARGUMENT, "pbkdf2 out of 0");
  CE_CHECK_STATUS(ce_pbkdf2_sha256(ikm, 22, salt, 13, 0, out, 32),
                  CE_ERR_INVALID_ARGUMENT, "pbkdf2 0 iterations");
  CE_CHECK_STATUS(ce_pbkdf2_sha256(NULL, 22, salt, 13, 1, out, 32),
                  CE_ERR_INVALID_ARGUMENT, "pbkdf2 NULL pass, length 22");
  CE_CHECK_STATUS(ce_pbkdf2_sha256(ikm, 22, NULL, 13, 1, out, 32),
                  CE_ERR_INVALID_ARGUMENT, "pbkdf2 NULL salt, length 13");
  CE_CHECK_STATUS(ce_pbkdf2_sha256(ikm, 22, salt, 13, 0x80000000u, out, 32),
                  CE_ERR_TOO_LARGE, "pbkdf2 2^31 iterations");
  CE_CHECK_MEM(out, out_before, sizeof out, "refusals wrote nothing");
  CE_CHECK_STATUS(ce_pbkdf2_sha256(NULL, 0, NULL, 0, 1, out, 32), CE_OK,
                  "pbkdf2 empty password and salt");
  uint8_t *huge = reserve(BIG);
  if (huge == NULL) {
    CE_SKIP(1);
    return;
  }
  memcpy(out, out_before, sizeof out);
  CE_CHECK_STATUS(ce_pbkdf2_sha256(huge, BIG, salt, 13, 1, out, 32),
                  CE_ERR_TOO_LARGE, "pbkdf2 password over INT_MAX");
  CE_CHECK_STATUS(ce_pbkdf2_sha256(ikm, 22, huge, BIG, 1, out, 32),
                  CE_ERR_TOO_LARGE, "pbkdf2 salt over INT_MAX");
  CE_CHECK_STATUS(ce_pbkdf2_sha256(ikm, 22, salt, 13, 1, huge, BIG),
                  CE_ERR_TOO_LARGE, "pbkdf2 output over INT_MAX");
  CE_CHECK_MEM(out, out_before, sizeof out, "TOO_LARGE wrote nothing");
  munmap(huge, BIG);
}

/* ------------------------------------------------------------------ */
/* Channel                                                             */
/* ------------------------------------------------------------------ */

typedef struct {
  int errors, last_type, last_status, observed;
  const uint8_t *replace; /* observer hands back these bytes, if set */
  unsigned replace_len;
} chan_log;

static void on_error(void *user, int type, int status) {
  chan_log *l = user;
  l->errors++;
  l->last_type = type;
  l->last_status = status;
}

static int on_receive(void *user, ce_packet *pkt) {
  chan_log *l = user;
  l->observed++;
  if (l->replace != NULL) {
    pkt->buffer = l->replace;
    pkt->size = l->replace_len;
  }
  return 1;
}

static ce_channel *chan_for(int mode, chan_log *log) {
  ce_channel *ch = NULL;
  ce_config cfg;
  cfg_for(&cfg, mode);
  static const ce_packet_observer obs = {NULL, NULL, on_receive, on_receive};
  if (ce_channel_new(&ch) != CE_OK || ce_channel_join(ch) != CE_OK ||
      (mode != 0 && ce_channel_enable_encryption(ch, 1, &cfg) != CE_SDK_OK) ||
      ce_channel_register_packet_observer(ch, &obs, log) != CE_OK ||
      ce_channel_set_error_callback(ch, on_error, log) != CE_OK) {
    fprintf(stderr, "channel setup failed\n");
    exit(2);
  }
  return ch;
}

static void test_channel_args(void) {
  ce_channel_counters c;
  CE_CHECK_STATUS(ce_channel_new(NULL), CE_ERR_INVALID_ARGUMENT, "new NULL");
  CE_CHECK(ce_channel_enable_encryption(NULL, 1, NULL) ==
               CE_SDK_ERR_INVALID_ARGUMENT,
           "enable NULL channel");
  CE_CHECK_STATUS(ce_channel_register_packet_observer(NULL, NULL, NULL),
                  CE_ERR_INVALID_ARGUMENT, "register NULL");
  CE_CHECK_STATUS(ce_channel_set_error_callback(NULL, on_error, NULL),
                  CE_ERR_INVALID_ARGUMENT, "error callback NULL");
  CE_CHECK_STATUS(ce_channel_set_max_wire_size(NULL, 100),
                  CE_ERR_INVALID_ARGUMENT, "max wire NULL");
  CE_CHECK_STATUS(ce_channel_join(NULL), CE_ERR_INVALID_ARGUMENT, "join NULL");
  CE_CHECK_STATUS(ce_channel_leave(NULL), CE_ERR_INVALID_ARGUMENT,
                  "leave NULL");
  CE_CHECK_STATUS(ce_channel_get_counters(NULL, &c), CE_ERR_INVALID_ARGUMENT,
                  "counters NULL channel");
  chan_log log = {0};
  ce_channel *ch = chan_for(0, &log);
  CE_CHECK_STATUS(ce_channel_get_counters(ch, NULL), CE_ERR_INVALID_ARGUMENT,
                  "counters NULL out");
  uint8_t buf[16] = {1, 2, 3};
  size_t len = 3;
  static const int kinds[] = {-1, 3, 100};
  for (size_t i = 0; i < 3; i++) {
    CE_CHECK_STATUS(
        ce_channel_send(ch, (ce_packet_kind)kinds[i], buf, &len, sizeof buf),
        CE_ERR_INVALID_ARGUMENT, "send kind %d", kinds[i]);
    CE_CHECK_STATUS(
        ce_channel_receive(ch, (ce_packet_kind)kinds[i], buf, &len, sizeof buf),
        CE_ERR_INVALID_ARGUMENT, "receive kind %d", kinds[i]);
  }
  CE_CHECK_STATUS(ce_channel_send(ch, CE_PACKET_AUDIO, buf, &len, 2),
                  CE_ERR_INVALID_ARGUMENT, "send *len > cap");
  CE_CHECK_STATUS(ce_channel_receive(ch, CE_PACKET_AUDIO, NULL, &len, 16),
                  CE_ERR_INVALID_ARGUMENT, "receive NULL buf");
  CE_CHECK_STATUS(ce_channel_receive(ch, CE_PACKET_AUDIO, buf, NULL, 16),
                  CE_ERR_INVALID_ARGUMENT, "receive NULL len");
  CE_CHECK_STATUS(ce_channel_get_counters(ch, &c), CE_OK, "counters");
  static const ce_channel_counters zero;
  CE_CHECK(memcmp(&c, &zero, sizeof c) == 0 && log.errors == 0,
           "argument refusals are neither counted nor reported");
  ce_channel_free(ch);
}

/* CE_SDK_ERR_NOT_SUPPORTED: the linked OpenSSL offers no cipher (every
   fetch made unsatisfiable through the default properties, as
   test_hardening does). The channel's state is unchanged. */
static void test_channel_enable_not_supported(void) {
  chan_log log = {0};
  ce_channel *ch = chan_for(CE_MODE_AES_128_GCM, &log);
  ce_config cfg;
  cfg_for(&cfg, CE_MODE_AES_256_GCM);
  if (EVP_set_default_properties(NULL, "provider=ce-none") != 1) {
    CE_SKIP(1);
    ce_channel_free(ch);
    return;
  }
  int rc = ce_channel_enable_encryption(ch, 1, &cfg);
  CE_CHECK(rc == CE_SDK_ERR_NOT_SUPPORTED, "enable without a provider: %d", rc);
  CE_CHECK(ce_channel_enable_encryption(ch, 0, NULL) == CE_SDK_OK,
           "disabling needs no cipher");
  EVP_set_default_properties(NULL, "");
  CE_CHECK(ce_channel_enable_encryption(ch, 1, &cfg) == CE_SDK_OK,
           "with the provider back, enable works");
  uint8_t buf[64] = {1, 2, 3};
  size_t len = 3;
  CE_CHECK_STATUS(ce_channel_send(ch, CE_PACKET_AUDIO, buf, &len, sizeof buf),
                  CE_OK, "send");
  CE_CHECK(len == 3 + 26 && (buf[0] & 0x0f) == CE_MODE_AES_256_GCM,
           "encrypted with the new mode");
  ce_channel_free(ch);
}

/* Receive with an observer refuses a packet longer than UINT_MAX (what a
   ce_packet can describe) before the observer or anything else sees it.
   The buffer is address space that cannot be read. */
static void test_channel_receive_over_uint_max(void) {
  size_t n = (size_t)UINT_MAX + 1u;
  uint8_t *huge = reserve(n + 16);
  if (huge == NULL) {
    CE_SKIP(1);
    return;
  }
  chan_log log = {0};
  ce_channel *ch = chan_for(0, &log);
  size_t len = n;
  CE_CHECK_STATUS(ce_channel_receive(ch, CE_PACKET_VIDEO, huge, &len, n + 16),
                  CE_ERR_TOO_LARGE, "2^32 bytes with an observer");
  CE_CHECK(len == n && log.observed == 0, "nothing read, observer not called");
  CE_CHECK(log.errors == 1 &&
               log.last_type == CE_ENCRYPTION_ERROR_DECRYPTION_FAILURE &&
               log.last_status == CE_ERR_TOO_LARGE,
           "reported once as a decryption failure");
  ce_channel_counters c;
  CE_CHECK_STATUS(ce_channel_get_counters(ch, &c), CE_OK, "counters");
  CE_CHECK(c.kind[CE_PACKET_VIDEO].receive_failed[-CE_ERR_TOO_LARGE] == 1,
           "counted as TOO_LARGE");
  ce_channel_free(ch);
  munmap(huge, n + 16);
}

/* The wire packet fits cap, but the observer hands back a larger frame of
   its own whose payload does not: CE_ERR_BUFFER_TOO_SMALL after every
   check of spec 9 passed, buf untouched. With more room the same packet
   goes through. */
static void test_channel_receive_enlarged_past_cap(void) {
  for (int mode = 1; mode <= 8; mode++) {
    if (ce_mode_supported(mode) != CE_OK) {
      CE_SKIP(1);
      continue;
    }
    chan_log txlog = {0}, rxlog = {0};
    ce_channel *tx = chan_for(mode, &txlog), *rx = chan_for(mode, &rxlog);
    uint8_t frame[300], payload[200];
    fill(payload, sizeof payload, (unsigned)mode);
    memcpy(frame, payload, sizeof payload);
    size_t flen = sizeof payload;
    CE_CHECK_STATUS(
        ce_channel_send(tx, CE_PACKET_AUDIO, frame, &flen, sizeof frame), CE_OK,
        "m%d send", mode);
    rxlog.replace = frame;
    rxlog.replace_len = (unsigned)flen;
    uint8_t buf[300], snap[300];
    fill(buf, sizeof buf, 77);
    memcpy(snap, buf, sizeof buf);
    size_t len = 10;
    CE_CHECK_STATUS(ce_channel_receive(rx, CE_PACKET_AUDIO, buf, &len, 100),
                    CE_ERR_BUFFER_TOO_SMALL, "m%d payload 200 > cap 100", mode);
    CE_CHECK(len == 10 && memcmp(buf, snap, sizeof buf) == 0,
             "m%d buf and len untouched", mode);
    CE_CHECK(rxlog.errors == 1 &&
                 rxlog.last_type == CE_ENCRYPTION_ERROR_DECRYPTION_FAILURE &&
                 rxlog.last_status == CE_ERR_BUFFER_TOO_SMALL,
             "m%d reported as a decryption failure", mode);
    ce_channel_counters c;
    CE_CHECK_STATUS(ce_channel_get_counters(rx, &c), CE_OK, "counters");
    CE_CHECK(c.kind[CE_PACKET_AUDIO].receive_failed[-CE_ERR_BUFFER_TOO_SMALL] ==
                     1 &&
                 c.kind[CE_PACKET_AUDIO].received == 0,
             "m%d counted as BUFFER_TOO_SMALL", mode);
    len = 10;
    CE_CHECK_STATUS(ce_channel_receive(rx, CE_PACKET_AUDIO, buf, &len, 200),
                    CE_OK, "m%d payload 200, cap 200", mode);
    CE_CHECK(len == 200 && memcmp(buf, payload, 200) == 0,
             "m%d the payload delivered", mode);
    ce_channel_free(tx);
    ce_channel_free(rx);
  }
}

int main(void) {
  test_mode_queries_invalid();
  test_mode_from_name();
  test_status_names();
  test_config_init_and_key();
  test_config_salt_base64();
  test_config_check();
  test_derive_args();
  test_ctx_args();
  test_protect_args();
  test_testing_protect_pn();
  test_testing_faults();
  test_ecb_args();
  test_xts_args();
  test_gcm_args();
  test_kdf_args();
  test_channel_args();
  test_channel_enable_not_supported();
  test_channel_receive_over_uint_max();
  test_channel_receive_enlarged_past_cap();
  return ce_test_finish("test_api_edges");
}
