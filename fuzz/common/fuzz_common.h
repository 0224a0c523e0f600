/*
 * fuzz_common.h - helpers shared by the chanenc fuzz harnesses.
 *
 * Every harness decodes its input with the fz_reader below, so one byte
 * layout ("config prefix": mode, key, salt) means the same thing to the
 * unprotect, roundtrip and differential harnesses, and make_seeds.py writes
 * seeds for all of them with the same few lines.
 *
 * The reader never fails: past the end of the input it yields zeros. That
 * keeps every input meaningful (libFuzzer wastes no time on inputs that are
 * rejected outright) and every harness deterministic per input.
 *
 * Checks use FZ_CHECK, which prints what went wrong and calls abort(): the
 * abort is what libFuzzer (and the replay driver) report as a crash.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "chanenc.h"
#include "chanenc_testing.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Both entry points of a harness; replay_main.c calls them the way
   libFuzzer does. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- failing loudly ------------------------------------------------- */

/* Prints "FUZZ CHECK FAILED at file:line: cond: message" and aborts. */
#if defined(__GNUC__)
__attribute__((noreturn, format(printf, 4, 5)))
#endif
void fz_fail(const char *file, int line, const char *cond, const char *fmt,
             ...);

#define FZ_CHECK(cond, ...)                                                    \
  do {                                                                         \
    if (!(cond))                                                               \
      fz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                         \
  } while (0)

/* Status equality with both names in the message. */
#define FZ_CHECK_STATUS(got, want, what)                                       \
  do {                                                                         \
    int fz_got_ = (int)(got), fz_want_ = (int)(want);                          \
    if (fz_got_ != fz_want_)                                                   \
      fz_fail(__FILE__, __LINE__, #got " == " #want,                           \
              "%s: got %s (%d), want %s (%d)", (what),                         \
              ce_status_name(fz_got_), fz_got_, ce_status_name(fz_want_),      \
              fz_want_);                                                       \
  } while (0)

/* Writes "label (n bytes): hex" to stderr, at most max bytes of hex. */
void fz_hexdump(const char *label, const uint8_t *p, size_t n);

/* ---- input reader --------------------------------------------------- */

typedef struct fz_reader {
  const uint8_t *p;
  size_t n;
} fz_reader;

static inline size_t fz_left(const fz_reader *r) {
  return r->n;
}

/* Next byte, 0 past the end. */
static inline uint8_t fz_u8(fz_reader *r) {
  if (r->n == 0)
    return 0;
  r->n--;
  return *r->p++;
}

/* Big-endian, so seeds written by make_seeds.py read naturally in hex. */
static inline uint16_t fz_u16(fz_reader *r) {
  uint16_t hi = fz_u8(r);
  return (uint16_t)((hi << 8) | fz_u8(r));
}

static inline uint32_t fz_u32(fz_reader *r) {
  uint32_t v = 0;
  for (int i = 0; i < 4; i++)
    v = (v << 8) | fz_u8(r);
  return v;
}

static inline uint64_t fz_u64(fz_reader *r) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++)
    v = (v << 8) | fz_u8(r);
  return v;
}

/* Up to want bytes (fewer at the end of input); *got gets the count. The
   pointer is into the input and valid while the input is. */
static inline const uint8_t *fz_bytes(fz_reader *r, size_t want, size_t *got) {
  size_t k = want < r->n ? want : r->n;
  const uint8_t *p = r->p;
  r->p += k;
  r->n -= k;
  *got = k;
  return p;
}

/* Copies exactly n bytes into out, zero-filling past the end of input. */
void fz_fill(fz_reader *r, uint8_t *out, size_t n);

/* Everything that is left. */
static inline const uint8_t *fz_rest(fz_reader *r, size_t *got) {
  return fz_bytes(r, r->n, got);
}

/* ---- configurations and contexts ------------------------------------- */

/* The largest key the config prefix carries (the vectors go to 1,000). */
#define FZ_MAX_KEY 1024u

/*
 * A configuration read from the input, with a context ready to use.
 *
 * Config prefix layout (make_seeds.py writes the same):
 *   byte    mode      taken as ((b - 1) & 7) + 1, so every byte is a mode
 *                     and the ids 1..8 map to themselves; the upper bits,
 *                     ((b - 1) & 0xff) >> 3, choose the cipher backend
 *                     (fz_backend_choice): bytes 1..8 are CE_BACKEND_AUTO,
 *                     9..16 "openssl", 17..24 "ipsec-mb", 25..32
 *                     "sm4-simd", 33..40 a value that is no backend, and
 *                     so on modulo 5. A backend that cannot serve the mode
 *                     here, or no backend, must be refused alike by
 *                     ce_backend_select and ce_config_check; the input then
 *                     runs on CE_BACKEND_AUTO.
 *   byte    key_len   0 is read as 1 (a context needs a key); 255 means
 *                     that a 2-byte big-endian length follows (at most
 *                     FZ_MAX_KEY), for the vectors' long keys
 *   key_len key bytes
 *   32      salt      present only for modes 7 and 8 (GCM2)
 *
 * Why GCM2 is special: its key schedule runs PBKDF2 with 100,000
 * iterations by design (spec 4), tens of milliseconds, which would make a
 * fuzzer crawl. GCM2 configurations are therefore limited to a fixed table
 * (fuzz_gcm2_keys.inc: the GCM2 keys and salts of the CE1 vectors plus a
 * few of our own) whose contexts and key schedules are made once per
 * process, on first use, and then shared by every input - the same
 * context whichever input came first, so a harness stays deterministic. A
 * GCM2 (key, salt) that is not in the table is replaced by the table entry
 * that its hash selects. Modes 1-6 derive with HKDF, which is cheap: they
 * get a fresh context for the exact key of every input.
 */
typedef struct fz_cfg {
  int mode;
  uint8_t key[FZ_MAX_KEY];
  size_t key_len;
  uint8_t salt[CE_SALT_LEN];
  ce_config cfg; /* points at key/salt above */
  ce_ctx *ctx;   /* owned when owns_ctx, else the table's */
  int owns_ctx;
  int backend;        /* the backend serving ctx (CE_BACKEND_*, never AUTO) */
  ce_derived derived; /* the key schedule, for primitive-layer models */
} fz_cfg;

/* Reads the key length of a config prefix (see above). */
size_t fz_read_key_len(fz_reader *r);

/* Reads a config prefix and makes its context and key schedule. Returns 1,
   or 0 when the library refused (only NOT_SUPPORTED, e.g. an OpenSSL
   without SM4; the harness then has nothing to test). */
int fz_read_cfg(fz_reader *r, fz_cfg *c);
/* Frees the context when owned and wipes the key schedule. */
void fz_cfg_free(fz_cfg *c);

/* Number of entries of the fixed GCM2 table, and entry i (mode, key,
   salt). Used by the config and differential harnesses too. */
size_t fz_gcm2_count(void);
void fz_gcm2_entry(size_t i, int *mode, const uint8_t **key, size_t *key_len,
                   const uint8_t **salt);
/* The cached context and key schedule of entry i (CE_BACKEND_AUTO). */
ce_ctx *fz_gcm2_ctx(size_t i);
/* Entry i's cached context on the named backend (CE_BACKEND_OPENSSL or
   IPSECMB, which must serve the mode here); made on first use. */
ce_ctx *fz_gcm2_ctx_on(size_t i, int backend);

/* The backend choice for a selector sel from the input: auto, openssl,
   ipsec-mb, sm4-simd, or a value that is no backend (4 or -1), by sel
   modulo 5. */
int fz_backend_choice(unsigned sel);
/* The backend that serves cfg (ce_backend_select). When cfg->backend
   cannot serve (not a backend, not built in, not usable here, or not for
   this mode), checks that ce_backend_select and ce_config_check refuse it
   alike, sets cfg->backend to CE_BACKEND_AUTO and resolves that. */
int fz_backend_resolve(ce_config *cfg);
const ce_derived *fz_gcm2_derived(size_t i);
/* The first table entry of a GCM2 mode: the one to use where one config
   per mode must do (the differential harness, whose other library caches
   only a few contexts). */
size_t fz_gcm2_primary(int mode);
/* Index of the table entry for (mode, key, salt): the exact entry when
   present, otherwise the entry of that mode that a hash selects. */
size_t fz_gcm2_pick(int mode, const uint8_t *key, size_t key_len,
                    const uint8_t *salt);

/* ---- a model of CE1 on the primitive layer ---------------------------- */

/*
 * An independent statement of spec 4 to 9, written on the primitive
 * layer (ce_ecb_crypt, ce_xts_crypt, ce_gcm_encrypt/decrypt) and a key
 * schedule, without the packet code of ctx.c and mode_*.c. The harnesses
 * hold the packet code to it byte for byte: any difference in status,
 * frame or payload is a bug in one of the two, and the assertion message
 * says which bytes.
 */

/* Frame of payload[0..n) under (mode, d, pn) into out (cap bytes at least
   n + CE_MAX_OVERHEAD). Returns the frame length, 0 on a primitive
   failure. n must be <= CE_MAX_PAYLOAD. */
size_t fz_model_protect(int mode, const ce_derived *d, uint64_t pn,
                        const uint8_t *payload, size_t n, uint8_t *out);
/* Spec 9 on frame[0..n): the status, and on CE_OK the payload in out
   (n bytes of room) and its length in *out_len. */
ce_status fz_model_unprotect(int mode, const ce_derived *d,
                             const uint8_t *frame, size_t n, uint8_t *out,
                             size_t *out_len);

/* BE64 of 8 bytes. */
uint64_t fz_be64(const uint8_t *p);

#ifdef __cplusplus
}
#endif

#endif /* FUZZ_COMMON_H */
