/*
 * config_fuzzer.c - configurations, key schedules and name parsing.
 *
 * Target: ce_config_check, ce_derive, ce_ctx_new and
 * ce_channel_enable_encryption with arbitrary modes (any int), keys (any
 * bytes, empty, NULL), salts (any 32 bytes, all zero), data-stream flags
 * and cipher backends (auto, openssl, ipsec-mb, sm4-simd, no backend);
 * ce_config_set_key_str, ce_config_set_salt_base64, ce_mode_from_name and
 * ce_status_from_name on arbitrary strings; the mode table queries on arbitrary
 * ids (config.c, keysched.c, modes.c, status.c, ctx.c, channel.c's enable
 * path).
 *
 * Input: a selector byte, then the fields of the operation (below).
 *
 * What must hold:
 *  - ce_config_check decides, and ce_derive, ce_ctx_new and
 *    ce_channel_enable_encryption (in its SDK codes 0/-2/-4) agree with it;
 *    a backend that does not serve the mode here is NOT_SUPPORTED, after
 *    every INVALID_ARGUMENT; the context runs on the backend chosen;
 *  - the key schedule equals spec 4 written out on the primitive layer
 *    (HKDF-Extract with 0^32, HKDF-Expand with the "ce1 key/iv/check "
 *    labels), and the context's check byte is the schedule's;
 *  - a refused salt string leaves the salt unchanged; an accepted one is
 *    the canonical base64 of the salt it set (so decoding is exact), and
 *    every canonical encoding, with any surrounding whitespace, is
 *    accepted;
 *  - name lookups are exact inverses of the name tables.
 *
 * GCM2 (modes 7, 8) derives with PBKDF2 at 100,000 iterations by design;
 * with a salt that is not all zero (and a key) it would be slow, so such
 * configs are only derived for the cached table of fuzz_common.c, checked
 * against the table entry's cached schedule (derived once at start-up, for
 * every input alike). Refused GCM2 configs are cheap and fully exercised.
 */
#include "fuzz_common.h"
#include "chanenc_channel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

/* Spec 4 on the primitive layer, for modes 1-6. */
static void model_derive(int mode, const uint8_t *key, size_t key_len,
                         ce_derived *d) {
  static const uint8_t zero[32] = {0};
  uint8_t prk[32];
  memset(d, 0, sizeof *d);
  FZ_CHECK_STATUS(ce_hkdf_sha256_extract(zero, 32, key, key_len, prk), CE_OK,
                  "model extract");
  const char *ms = ce_mode_string(mode);
  char label[64];
  d->enc_key_len = ce_mode_key_bytes(mode);
  snprintf(label, sizeof label, "ce1 key %s", ms);
  FZ_CHECK_STATUS(ce_hkdf_sha256_expand(prk, 32, (const uint8_t *)label,
                                        strlen(label), d->enc_key,
                                        d->enc_key_len),
                  CE_OK, "model expand key");
  if (ce_mode_family(mode) == CE_FAMILY_GCM) {
    d->has_iv_base = 1;
    snprintf(label, sizeof label, "ce1 iv %s", ms);
    FZ_CHECK_STATUS(ce_hkdf_sha256_expand(prk, 32, (const uint8_t *)label,
                                          strlen(label), d->iv_base, 12),
                    CE_OK, "model expand iv");
  }
  snprintf(label, sizeof label, "ce1 check %s", ms);
  FZ_CHECK_STATUS(ce_hkdf_sha256_expand(prk, 32, (const uint8_t *)label,
                                        strlen(label), &d->check, 1),
                  CE_OK, "model expand check");
}

static int same_derived(const ce_derived *a, const ce_derived *b) {
  return a->enc_key_len == b->enc_key_len &&
         memcmp(a->enc_key, b->enc_key, a->enc_key_len) == 0 &&
         a->has_iv_base == b->has_iv_base &&
         (!a->has_iv_base || memcmp(a->iv_base, b->iv_base, 12) == 0) &&
         a->check == b->check;
}

static int all_zero(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i])
      return 0;
  return 1;
}

/* The mode table queries for any id. */
static void check_mode_queries(int mode) {
  int valid = mode >= 1 && mode <= 8;
  const char *name = ce_mode_name(mode), *str = ce_mode_string(mode);
  FZ_CHECK(valid == (name != NULL) && valid == (str != NULL), "mode %d: names",
           mode);
  FZ_CHECK(valid == (ce_mode_family(mode) != CE_FAMILY_NONE), "mode %d: family",
           mode);
  FZ_CHECK(valid == (ce_mode_key_bytes(mode) != 0), "mode %d: key bytes", mode);
  FZ_CHECK(valid == (ce_mode_header_len(mode) != 0), "mode %d: header", mode);
  FZ_CHECK(valid == (ce_overhead(mode, 0) != 0), "mode %d: overhead", mode);
  ce_status sup = ce_mode_supported(mode);
  FZ_CHECK(valid ? (sup == CE_OK || sup == CE_ERR_NOT_SUPPORTED)
                 : sup == CE_ERR_INVALID_ARGUMENT,
           "mode %d: supported %s", mode, ce_status_name(sup));
  if (valid) {
    FZ_CHECK(ce_mode_from_name(name) == mode, "mode %d by name", mode);
    FZ_CHECK(ce_mode_from_name(str) == mode, "mode %d by string", mode);
    char id[4];
    snprintf(id, sizeof id, "%d", mode);
    FZ_CHECK(ce_mode_from_name(id) == mode, "mode %d by id", mode);
  }
}

/* The backend that must serve mode (valid, its cipher in OpenSSL) for the
   choice backend (a ce_backend value), or -1 when the choice cannot serve
   it: OpenSSL serves every mode; ipsec-mb the GCM family and sm4-simd
   SM4_128_ECB, each where it runs (asked of ce_backend_select for a mode
   it serves, so that this model still states which modes each serves);
   auto takes the fast one where it runs. */
static int expected_backend(int backend, int mode) {
  int b;
  int imb =
      ce_backend_select(CE_BACKEND_IPSECMB, CE_MODE_AES_128_GCM, &b) == CE_OK;
  int sm4 =
      ce_backend_select(CE_BACKEND_SM4SIMD, CE_MODE_SM4_128_ECB, &b) == CE_OK;
  int fast = ce_mode_family(mode) == CE_FAMILY_GCM && imb ? CE_BACKEND_IPSECMB
             : mode == CE_MODE_SM4_128_ECB && sm4         ? CE_BACKEND_SM4SIMD
                                                          : CE_BACKEND_OPENSSL;
  switch (backend) {
  case CE_BACKEND_AUTO:
    return fast;
  case CE_BACKEND_OPENSSL:
    return CE_BACKEND_OPENSSL;
  default:
    return fast == backend ? backend : -1;
  }
}

/* enable_encryption's SDK code for a ce_config_check status. */
static int sdk_code(ce_status st) {
  return st == CE_OK                     ? CE_SDK_OK
         : st == CE_ERR_NOT_SUPPORTED    ? CE_SDK_ERR_NOT_SUPPORTED
         : st == CE_ERR_INVALID_ARGUMENT ? CE_SDK_ERR_INVALID_ARGUMENT
                                         : CE_SDK_ERR_FAILED;
}

static void fuzz_config(fz_reader *r) {
  uint8_t sel = fz_u8(r);
  /* Mostly 0..9 (the valid ids and both neighbours), sometimes any int.
     With the one-byte mode, b / 10 also chooses the backend
     (fz_backend_choice: bytes 0..9 are auto, 10..19 openssl, ...). */
  int mode, backend = CE_BACKEND_AUTO;
  if (sel & 0x80) {
    mode = (int)fz_u32(r);
  } else {
    uint8_t b = fz_u8(r);
    mode = b % 10;
    backend = fz_backend_choice(b / 10u);
  }
  size_t key_len = fz_read_key_len(r), got;
  const uint8_t *key = fz_bytes(r, key_len, &got);
  key_len = got;
  uint8_t salt[CE_SALT_LEN];
  if (sel & 0x40)
    memset(salt, 0, sizeof salt); /* the GCM2 refusal */
  else
    fz_fill(r, salt, sizeof salt);
  check_mode_queries(mode);

  ce_config cfg;
  ce_config_init(&cfg);
  FZ_CHECK(cfg.mode == CE_MODE_AES_128_GCM2 && cfg.key == NULL &&
               cfg.key_len == 0 && all_zero(cfg.salt, CE_SALT_LEN) &&
               cfg.datastream_encryption_enabled == 0,
           "fresh config");
  cfg.mode = mode;
  cfg.key = (sel & 0x20) ? NULL : key; /* NULL key with any length */
  cfg.key_len = key_len;
  memcpy(cfg.salt, salt, sizeof salt);
  cfg.datastream_encryption_enabled = (sel & 0x10) != 0;
  cfg.backend = backend;

  int valid_mode = mode >= 1 && mode <= 8;
  int gcm2 = mode == 7 || mode == 8;
  ce_status want = CE_OK;
  if (!valid_mode || cfg.key == NULL || key_len == 0 ||
      (gcm2 && all_zero(salt, CE_SALT_LEN)) || ce_backend_name(backend) == NULL)
    want = CE_ERR_INVALID_ARGUMENT;
  else
    want = ce_mode_supported(mode);
  /* Which backend serves: each serves its family only (chanenc.h). */
  int served = -1;
  if (want == CE_OK) {
    served = expected_backend(backend, mode);
    if (served < 0)
      want = CE_ERR_NOT_SUPPORTED;
  }
  FZ_CHECK_STATUS(ce_config_check(&cfg), want, "ce_config_check");

  if (gcm2 && want == CE_OK) {
    /* Slow by design: only the cached table. */
    size_t i = fz_gcm2_pick(mode, key, key_len, salt);
    int m;
    const uint8_t *tk, *ts;
    size_t tk_len;
    fz_gcm2_entry(i, &m, &tk, &tk_len, &ts);
    FZ_CHECK(m == mode, "table mode");
    FZ_CHECK(ce_ctx_mode(fz_gcm2_ctx(i)) == mode, "table ctx mode");
    FZ_CHECK(ce_ctx_check(fz_gcm2_ctx(i)) == fz_gcm2_derived(i)->check,
             "table ctx check byte");
    ce_ctx *on = fz_gcm2_ctx_on(i, served);
    FZ_CHECK(strcmp(ce_ctx_backend(on), ce_backend_name(served)) == 0 &&
                 ce_ctx_check(on) == fz_gcm2_derived(i)->check,
             "table ctx on %s", ce_backend_name(served));
    return;
  }

  ce_derived d;
  memset(&d, 0x5a, sizeof d);
  ce_derived untouched = d;
  ce_status st = ce_derive(&cfg, &d);
  FZ_CHECK_STATUS(st, want, "ce_derive");
  if (st != CE_OK) {
    FZ_CHECK(memcmp(&d, &untouched, sizeof d) == 0, "refused derive wrote");
  } else {
    ce_derived m;
    model_derive(mode, key, key_len, &m);
    FZ_CHECK(same_derived(&d, &m), "key schedule differs from spec 4");
  }

  static char not_null;
  ce_ctx *ctx = (ce_ctx *)&not_null; /* must become NULL on failure */
  st = ce_ctx_new(&cfg, &ctx);
  FZ_CHECK_STATUS(st, want, "ce_ctx_new");
  if (st != CE_OK) {
    FZ_CHECK(ctx == NULL, "ce_ctx_new failure left *out set");
  } else {
    FZ_CHECK(ce_ctx_mode(ctx) == mode, "ctx mode");
    FZ_CHECK(ce_ctx_check(ctx) == d.check, "ctx check byte");
    FZ_CHECK(strcmp(ce_ctx_backend(ctx), ce_backend_name(served)) == 0,
             "mode %d, backend %d: ctx on %s, want %s", mode, backend,
             ce_ctx_backend(ctx), ce_backend_name(served));
    ce_ctx_free(ctx);
  }

  if (sel & 8) {
    /* The SDK entry point reports the same decision in its codes. */
    ce_channel *ch;
    FZ_CHECK_STATUS(ce_channel_new(&ch), CE_OK, "ce_channel_new");
    int rc = ce_channel_enable_encryption(ch, 1, &cfg);
    FZ_CHECK(rc == sdk_code(want), "enable_encryption %d, want %d", rc,
             sdk_code(want));
    FZ_CHECK(ce_channel_enable_encryption(ch, 0, (sel & 4) ? &cfg : NULL) ==
                 CE_SDK_OK,
             "disable");
    FZ_CHECK(ce_channel_enable_encryption(ch, 1, NULL) ==
                 CE_SDK_ERR_INVALID_ARGUMENT,
             "enable with NULL config");
    ce_channel_free(ch);
  }
}

/* Canonical standard base64 of 32 bytes: 43 symbols and one '='. */
static void b64_32(const uint8_t in[32], char out[45]) {
  FZ_CHECK(EVP_EncodeBlock((unsigned char *)out, in, 32) == 44, "encode");
  out[44] = '\0';
}

static int is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void fuzz_salt_string(fz_reader *r) {
  size_t n;
  const uint8_t *p = fz_rest(r, &n);
  char *s = malloc(n + 1);
  if (n)
    memcpy(s, p, n);
  s[n] = '\0'; /* the C-string form stops at the first NUL, as it would */
  ce_config cfg;
  ce_config_init(&cfg);
  memset(cfg.salt, 0x77, sizeof cfg.salt);
  ce_status st = ce_config_set_salt_base64(&cfg, s);
  if (st != CE_OK) {
    FZ_CHECK_STATUS(st, CE_ERR_INVALID_ARGUMENT, "salt refusal status");
    for (size_t i = 0; i < CE_SALT_LEN; i++)
      FZ_CHECK(cfg.salt[i] == 0x77, "refused salt string changed the salt");
  } else {
    /* Accepted: the trimmed string is the canonical encoding of the salt,
       with the final '=' optional. */
    char canon[45];
    b64_32(cfg.salt, canon);
    const char *b = s;
    while (is_space(*b))
      b++;
    size_t len = strlen(b);
    while (len > 0 && is_space(b[len - 1]))
      len--;
    FZ_CHECK((len == 44 && memcmp(b, canon, 44) == 0) ||
                 (len == 43 && memcmp(b, canon, 43) == 0),
             "accepted \"%s\" is not the canonical \"%s\"", s, canon);
  }
  FZ_CHECK_STATUS(ce_config_set_salt_base64(NULL, s), CE_ERR_INVALID_ARGUMENT,
                  "NULL cfg");
  FZ_CHECK_STATUS(ce_config_set_salt_base64(&cfg, NULL),
                  CE_ERR_INVALID_ARGUMENT, "NULL string");
  free(s);
}

static void fuzz_salt_roundtrip(fz_reader *r) {
  /* Every canonical encoding is accepted, whatever whitespace surrounds
     it and whether or not the '=' is there. */
  uint8_t salt[32], ws = fz_u8(r);
  fz_fill(r, salt, sizeof salt);
  char canon[45], s[64];
  static const char spaces[] = " \t\n\r";
  b64_32(salt, canon);
  size_t k = 0;
  for (unsigned i = 0; i < (ws & 3u); i++)
    s[k++] = spaces[(ws >> (2 * i)) & 3];
  memcpy(s + k, canon, (ws & 4) ? 43 : 44);
  k += (ws & 4) ? 43 : 44;
  for (unsigned i = 0; i < ((ws >> 3) & 3u); i++)
    s[k++] = spaces[(ws >> (2 * i + 1)) & 3];
  s[k] = '\0';
  ce_config cfg;
  ce_config_init(&cfg);
  FZ_CHECK_STATUS(ce_config_set_salt_base64(&cfg, s), CE_OK,
                  "canonical base64");
  FZ_CHECK(memcmp(cfg.salt, salt, 32) == 0, "base64 decoded wrongly");
}

static void fuzz_names(fz_reader *r) {
  size_t n;
  const uint8_t *p = fz_rest(r, &n);
  char *s = malloc(n + 1);
  if (n)
    memcpy(s, p, n);
  s[n] = '\0';
  int mode = ce_mode_from_name(s);
  int match = 0;
  for (int m = 1; m <= 8; m++) {
    char id[4];
    snprintf(id, sizeof id, "%d", m);
    if (strcmp(s, ce_mode_name(m)) == 0 || strcmp(s, ce_mode_string(m)) == 0 ||
        strcmp(s, id) == 0) {
      FZ_CHECK(mode == m, "\"%s\" is mode %d, lookup gave %d", s, m, mode);
      match = 1;
    }
  }
  FZ_CHECK(match || mode == 0, "\"%s\" gave mode %d", s, mode);

  int status = 12345;
  if (ce_status_from_name(s, &status))
    FZ_CHECK(strcmp(ce_status_name(status), s) == 0,
             "status \"%s\" maps to %d named %s", s, status,
             ce_status_name(status));
  else
    FZ_CHECK(status == 12345, "unknown status name changed *status");
  FZ_CHECK(ce_status_from_name(s, NULL) == 0, "NULL status pointer");
  FZ_CHECK(ce_status_from_name(NULL, &status) == 0, "NULL name");

  /* The C-string key helper: raw bytes up to the NUL, never decoded. */
  ce_config cfg;
  ce_config_init(&cfg);
  ce_status st = ce_config_set_key_str(&cfg, s);
  if (s[0] == '\0') {
    FZ_CHECK_STATUS(st, CE_ERR_INVALID_ARGUMENT, "empty key string");
  } else {
    FZ_CHECK_STATUS(st, CE_OK, "key string");
    FZ_CHECK(cfg.key == (const uint8_t *)s && cfg.key_len == strlen(s),
             "key string is not taken as is");
  }
  FZ_CHECK_STATUS(ce_config_set_key_str(NULL, s), CE_ERR_INVALID_ARGUMENT,
                  "NULL cfg");
  FZ_CHECK_STATUS(ce_config_set_key_str(&cfg, NULL), CE_ERR_INVALID_ARGUMENT,
                  "NULL key");
  free(s);
}

static void fuzz_misc(fz_reader *r) {
  int v = (int)fz_u32(r);
  check_mode_queries(v);
  FZ_CHECK(ce_status_str(v) != NULL && ce_status_name(v) != NULL, "status %d",
           v);
  FZ_CHECK(ce_version() != NULL && strncmp(ce_version(), "chanenc ", 8) == 0,
           "version");
  FZ_CHECK_STATUS(ce_config_check(NULL), CE_ERR_INVALID_ARGUMENT, "NULL cfg");
  ce_derived d;
  ce_config fresh;
  ce_config_init(&fresh);
  FZ_CHECK_STATUS(ce_derive(NULL, &d), CE_ERR_INVALID_ARGUMENT, "NULL cfg");
  FZ_CHECK_STATUS(ce_derive(&fresh, NULL), CE_ERR_INVALID_ARGUMENT, "NULL out");
  /* A fresh config has no key (and GCM2 with a zero salt): refused. */
  FZ_CHECK_STATUS(ce_derive(&fresh, &d), CE_ERR_INVALID_ARGUMENT,
                  "fresh config");
  ce_ctx *ctx;
  FZ_CHECK_STATUS(ce_ctx_new(NULL, &ctx), CE_ERR_INVALID_ARGUMENT, "NULL cfg");
  FZ_CHECK(ctx == NULL, "NULL cfg left *out set");
  FZ_CHECK_STATUS(ce_ctx_new(&fresh, NULL), CE_ERR_INVALID_ARGUMENT,
                  "NULL out");
  ce_ctx_free(NULL);
  ce_ctx *dup = (ce_ctx *)&fresh; /* must become NULL */
  FZ_CHECK_STATUS(ce_ctx_dup(NULL, &dup), CE_ERR_INVALID_ARGUMENT,
                  "dup NULL ctx");
  FZ_CHECK(dup == NULL, "dup of NULL left *out set");
  ce_config_init(NULL);
  FZ_CHECK(ce_ctx_mode(NULL) == 0 && ce_ctx_check(NULL) == 0 &&
               ce_ctx_next_pn(NULL) == 0,
           "NULL ctx queries");
  ce_wipe(NULL, 5);
  /* Packet functions refuse NULL contexts and pointers. */
  uint8_t buf[64] = {0};
  size_t len = 1, cap = sizeof buf;
  FZ_CHECK_STATUS(ce_protect(NULL, buf, &len, cap), CE_ERR_INVALID_ARGUMENT,
                  "protect NULL ctx");
  FZ_CHECK_STATUS(ce_testing_protect_pn(NULL, 1, buf, &len, cap),
                  CE_ERR_INVALID_ARGUMENT, "protect_pn NULL ctx");
  FZ_CHECK_STATUS(ce_unprotect(NULL, buf, &len), CE_ERR_INVALID_ARGUMENT,
                  "unprotect NULL ctx");
  FZ_CHECK_STATUS(ce_protect_into(NULL, buf, 1, buf, &len),
                  CE_ERR_INVALID_ARGUMENT, "protect_into NULL ctx");
  FZ_CHECK_STATUS(ce_testing_protect_pn_into(NULL, 1, buf, 1, buf, &len),
                  CE_ERR_INVALID_ARGUMENT, "protect_pn_into NULL ctx");
  FZ_CHECK_STATUS(ce_unprotect_into(NULL, buf, 1, buf, &len),
                  CE_ERR_INVALID_ARGUMENT, "unprotect_into NULL ctx");
  /* With a real context: NULL buffers and lengths. */
  ce_config cfg;
  ce_config_init(&cfg);
  cfg.mode = 1 + (v & 3) * 2; /* 1, 3, 5, 7 -> 7 maps to 5 below */
  if (cfg.mode == 7)
    cfg.mode = 5;
  cfg.key = (const uint8_t *)"k";
  cfg.key_len = 1;
  FZ_CHECK_STATUS(ce_ctx_new(&cfg, &ctx), CE_OK, "ctx");
  FZ_CHECK_STATUS(ce_protect(ctx, NULL, &len, cap), CE_ERR_INVALID_ARGUMENT,
                  "protect NULL buf");
  FZ_CHECK_STATUS(ce_protect(ctx, buf, NULL, cap), CE_ERR_INVALID_ARGUMENT,
                  "protect NULL len");
  FZ_CHECK_STATUS(ce_unprotect(ctx, NULL, &len), CE_ERR_INVALID_ARGUMENT,
                  "unprotect NULL buf");
  FZ_CHECK_STATUS(ce_unprotect(ctx, buf, NULL), CE_ERR_INVALID_ARGUMENT,
                  "unprotect NULL len");
  FZ_CHECK_STATUS(ce_testing_protect_pn_into(ctx, 1, NULL, 3, buf, &len),
                  CE_ERR_INVALID_ARGUMENT, "protect_into NULL in");
  FZ_CHECK_STATUS(ce_testing_protect_pn_into(ctx, 1, buf, 3, NULL, &len),
                  CE_ERR_INVALID_ARGUMENT, "protect_into NULL out");
  FZ_CHECK_STATUS(ce_testing_protect_pn_into(ctx, 1, buf, 3, buf, NULL),
                  CE_ERR_INVALID_ARGUMENT, "protect_into NULL out_len");
  FZ_CHECK_STATUS(ce_unprotect_into(ctx, NULL, 3, buf, &len),
                  CE_ERR_INVALID_ARGUMENT, "unprotect_into NULL in");
  /* An empty payload may come as NULL out of place. */
  len = sizeof buf;
  FZ_CHECK_STATUS(ce_testing_protect_pn_into(ctx, 1, NULL, 0, buf, &len), CE_OK,
                  "protect_into NULL empty payload");
  FZ_CHECK_STATUS(ce_ctx_dup(ctx, NULL), CE_ERR_INVALID_ARGUMENT,
                  "dup NULL out");
  ce_ctx_free(ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fz_reader r = {data, size};
  switch (fz_u8(&r) % 6) {
  case 0:
  case 1:
    fuzz_config(&r);
    break;
  case 2:
    fuzz_salt_string(&r);
    break;
  case 3:
    fuzz_salt_roundtrip(&r);
    break;
  case 4:
    fuzz_names(&r);
    break;
  default:
    fuzz_misc(&r);
    break;
  }
  return 0;
}
