/*
 * chanenc.h - CE1 media channel encryption, reference implementation.
 *
 * The wire format is specified in docs/spec.md (CE1). Section numbers in
 * comments ("spec 9") refer to that document.
 *
 * Conventions (as in libsrtp v3):
 *  - every exported name starts with ce_ / CE_;
 *  - every function that can fail returns a ce_status; CE_OK is 0 and every
 *    failure is a distinct negative value;
 *  - packet buffers are (buf, *len, cap): *len bytes of input on entry, the
 *    buffer may hold cap bytes; on success *len is the output length;
 *  - on ANY failure, CE_ERR_INTERNAL included, the caller's buffers and
 *    lengths are exactly as they were: results are built in the library's
 *    own memory and copied out only once nothing can fail any more. So no
 *    partial result, key stream or unauthenticated plaintext is ever
 *    written to memory the caller owns, not even for an instant;
 *  - a failure leaves OpenSSL's error queue as it was (what the library's
 *    own OpenSSL calls added is removed); CE_ERR_INTERNAL on the packet
 *    path (ce_protect*, ce_unprotect*) is the exception: there OpenSSL's
 *    entries stay, as they explain what failed, because clearing them would
 *    cost every packet. OpenSSL's queue holds 16 entries: when the caller
 *    left it (nearly) full, an entry the library adds pushes out the
 *    caller's oldest, which no OpenSSL 3.0 call can bring back;
 *  - nothing aborts the process; errno is not part of the interface (the
 *    status says everything; the system calls the library makes may still
 *    change errno);
 *  - contexts are opaque, made with _new and released with _free;
 *    _free(NULL) is a no-op.
 *
 * Thread safety of a ce_ctx: one thread may protect (ce_protect,
 * ce_protect_into) while another thread unprotects (ce_unprotect,
 * ce_unprotect_into) on the same context: the two directions share no
 * state that either writes (the obvious way to use one end of a session).
 * Two threads protecting, or two unprotecting, on one context at once are
 * not allowed: serialise them or use ce_ctx_dup. ce_ctx_dup and
 * ce_ctx_free must not run while another thread uses the context. The
 * read-only queries (ce_ctx_mode, ce_ctx_check, ce_ctx_backend) may run
 * at any time; ce_ctx_next_pn only when no thread protects. Different
 * contexts may be used concurrently. All functions without a context
 * argument are thread-safe.
 *
 * fork(): a child process never continues its parent's packet numbers.
 * The first ce_protect in a child (after fork(), or any clone() on Linux
 * 4.14+) notices without a system call and draws a fresh random packet
 * number (spec 7).
 */
#ifndef CHANENC_H
#define CHANENC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Windows: the library's own sources export (CE_BUILDING_LIBRARY), users
   of the DLL import, users of the static library (CE_STATIC, set by the
   chanenc::chanenc_static CMake target) need neither. */
#if defined(_WIN32)
#if defined(CE_BUILDING_LIBRARY)
#define CE_API __declspec(dllexport)
#elif defined(CE_STATIC)
#define CE_API
#else
#define CE_API __declspec(dllimport)
#endif
#elif defined(__GNUC__)
#define CE_API __attribute__((visibility("default")))
#else
#define CE_API
#endif

/* ------------------------------------------------------------------ */
/* Status codes                                                        */
/* ------------------------------------------------------------------ */

/*
 * One value per outcome. The first six failures are the unprotect outcomes
 * of spec 9 (status table: spec 10); the values are fixed and are also the
 * status codes of the C ABI adapter (docs/conformance.md 4.2).
 */
typedef enum ce_status {
  CE_OK = 0,
  CE_ERR_MALFORMED = -1,        /* frame length or S flag impossible      */
  CE_ERR_BAD_VERSION = -2,      /* version bits are not 001               */
  CE_ERR_MODE_MISMATCH = -3,    /* frame made with another mode           */
  CE_ERR_KEY_MISMATCH = -4,     /* check byte differs: other key or salt  */
  CE_ERR_BAD_PADDING = -5,      /* ECB PKCS#7 or XTS short-block padding  */
  CE_ERR_AUTH_FAILED = -6,      /* GCM tag did not verify                 */
  CE_ERR_INVALID_ARGUMENT = -7, /* NULL, empty key, bad mode, zero salt.. */
  CE_ERR_NOT_SUPPORTED = -8,    /* OpenSSL lacks the cipher (e.g. SM4), or
                                   the named backend cannot serve it here */
  CE_ERR_BUFFER_TOO_SMALL = -9, /* cap smaller than the output            */
  CE_ERR_TOO_LARGE = -10,       /* payload over CE_MAX_PAYLOAD            */
  CE_ERR_INTERNAL = -11,        /* OpenSSL failed unexpectedly            */
  CE_ERR_OBSERVER = -12,        /* packet observer returned a bad packet  */
  /* SFrame (chanenc_sframe.h, docs/sframe.md); CE1 never returns these. */
  CE_ERR_UNKNOWN_KID = -13,       /* no key for this KID and direction    */
  CE_ERR_REPLAYED = -14,          /* CTR already seen or older than window */
  CE_ERR_COUNTER_EXHAUSTED = -15, /* KID already sent with CTR 2^64-1     */
  /* Not a failure: a packet observer dropped the packet (channel only). */
  CE_DROPPED = 1
} ce_status;

/* Short description, e.g. "GCM tag did not verify". Never NULL. */
CE_API const char *ce_status_str(int status);
/* Spec name, e.g. "AUTH_FAILED", "OK", "DROPPED"; "UNKNOWN" otherwise. */
CE_API const char *ce_status_name(int status);
/* Inverse of ce_status_name. Returns 1 and sets *status when known,
   0 otherwise (then *status is untouched). */
CE_API int ce_status_from_name(const char *name, int *status);

/* ------------------------------------------------------------------ */
/* Modes (spec 2)                                                      */
/* ------------------------------------------------------------------ */

typedef enum ce_mode {
  CE_MODE_AES_128_XTS = 1,
  CE_MODE_AES_128_ECB = 2,
  CE_MODE_AES_256_XTS = 3,
  CE_MODE_SM4_128_ECB = 4,
  CE_MODE_AES_128_GCM = 5,
  CE_MODE_AES_256_GCM = 6,
  CE_MODE_AES_128_GCM2 = 7, /* default of a fresh config */
  CE_MODE_AES_256_GCM2 = 8
} ce_mode;

typedef enum ce_family {
  CE_FAMILY_NONE = 0,
  CE_FAMILY_ECB = 1,
  CE_FAMILY_XTS = 2,
  CE_FAMILY_GCM = 3
} ce_family;

#define CE_SALT_LEN 32
#define CE_MAX_PAYLOAD 65535u
/* Largest frame of any mode (GCM: 10 + 65535 + 16). */
#define CE_MAX_FRAME 65561u
/* Largest expansion of any mode and length (GCM 26; XTS 26 at length 0). */
#define CE_MAX_OVERHEAD 26u
#define CE_MAX_KEY_BYTES 64u
#define CE_IV_BASE_LEN 12u
#define CE_PBKDF2_ITERATIONS 100000u

/* "AES_128_GCM2" for 7; NULL for an invalid id. */
CE_API const char *ce_mode_name(int mode);
/* "aes-128-gcm-2" for 7 (the string bound into the key schedule);
   NULL for an invalid id. */
CE_API const char *ce_mode_string(int mode);
/* Accepts a mode name ("AES_128_GCM2"), a mode string ("aes-128-gcm-2")
   or a decimal id ("7"). Returns the id, or 0 when unknown. */
CE_API int ce_mode_from_name(const char *name);
/* Family of a mode; CE_FAMILY_NONE for an invalid id. */
CE_API ce_family ce_mode_family(int mode);
/* enc_key length of a mode (16, 32 or 64); 0 for an invalid id. */
CE_API size_t ce_mode_key_bytes(int mode);
/* Header length: 2 (ECB) or 10 (XTS, GCM); 0 for an invalid id. */
CE_API size_t ce_mode_header_len(int mode);
/* CE_OK when the linked OpenSSL provides the mode's cipher;
   CE_ERR_NOT_SUPPORTED when it does not; CE_ERR_INVALID_ARGUMENT for an
   invalid id. */
CE_API ce_status ce_mode_supported(int mode);

/* Bytes a frame adds to a payload of payload_len bytes in this mode
   (spec 8): ECB 2 + (1..16), XTS 10 (or 26 - len below 16), GCM 26.
   Returns 0 for an invalid mode. Size buffers as payload_len + overhead,
   or payload_len + CE_MAX_OVERHEAD for any mode. */
CE_API size_t ce_overhead(int mode, size_t payload_len);

/* ------------------------------------------------------------------ */
/* Cipher backends                                                     */
/* ------------------------------------------------------------------ */

/*
 * The library that runs a context's cipher. Every backend makes and
 * accepts exactly the same frames (docs/spec.md does not know backends);
 * only speed differs. Three exist:
 *  - "openssl": OpenSSL 3 EVP. Built in always, serves every mode, and is
 *    the reference the others are tested against.
 *  - "ipsec-mb": intel-ipsec-mb's GCM, for the GCM family (modes 5-8),
 *    when the library was built with it (CMake option CE_WITH_IPSECMB) and
 *    the CPU has AES-NI and PCLMULQDQ.
 *  - "sm4-simd": chanenc's own vectorized SM4 (GFNI or AES-NI with AVX2;
 *    ref/src/sm4_fast.h), for SM4_128_ECB (mode 4) only. Built in on
 *    x86-64 with GCC or Clang; usable when the CPU has GFNI with AVX2 (or
 *    AVX-512), or AES-NI with AVX2. Its portable C fallback is no backend:
 *    without a vectorized SM4, mode 4 runs on OpenSSL.
 * ce_version() lists the backends built in; ce_backend_select and
 * ce_ctx_backend tell which one serves a mode or a context here.
 */
typedef enum ce_backend {
  CE_BACKEND_AUTO = 0,    /* default: the fastest built in and usable here
                             for the mode (ipsec-mb for GCM, sm4-simd for
                             SM4_128_ECB, when they can; else OpenSSL)   */
  CE_BACKEND_OPENSSL = 1, /* "openssl": OpenSSL 3 EVP, every mode          */
  CE_BACKEND_IPSECMB = 2, /* "ipsec-mb": intel-ipsec-mb, modes 5-8 only    */
  CE_BACKEND_SM4SIMD = 3  /* "sm4-simd": vectorized SM4, mode 4 only       */
} ce_backend;

/* "auto", "openssl", "ipsec-mb" or "sm4-simd"; NULL for any other
   value. */
CE_API const char *ce_backend_name(int backend);
/* Inverse of ce_backend_name (exact, lower case): the CE_BACKEND_* value,
   or -1 for NULL or an unknown name. A name is known whether or not that
   backend is built in. */
CE_API int ce_backend_from_name(const char *name);
/* Which backend a context of mode would get from the choice backend
   (CE_BACKEND_AUTO resolved), without a key: *out = CE_BACKEND_OPENSSL,
   CE_BACKEND_IPSECMB or CE_BACKEND_SM4SIMD. Statuses: CE_OK;
   CE_ERR_INVALID_ARGUMENT (out NULL, mode outside 1..8, backend not a
   ce_backend value); CE_ERR_NOT_SUPPORTED when a named backend is not
   built in, cannot run on this CPU, or does not serve the mode (ipsec-mb
   outside modes 5-8, sm4-simd outside mode 4) (*out untouched). Whether
   the linked OpenSSL has the mode's cipher is ce_mode_supported's answer,
   not this one. */
CE_API ce_status ce_backend_select(int backend, int mode, int *out);

/* ------------------------------------------------------------------ */
/* Configuration (spec 3)                                              */
/* ------------------------------------------------------------------ */

/* The caller allocates ce_config, so its layout is part of the ABI:
   fields are only ever appended, each with a ce_config_init value that
   keeps the old behaviour, and while the version is 0.x a release that
   appends one changes the library's SONAME (README.md, "Versions and
   ABI": backend came during 0.1, so 0.2 is libchanenc.so.0.2); from 1.0
   on, appending one takes a new major version. Always start from
   ce_config_init, never from a struct filled by hand. */
typedef struct ce_config {
  int mode;                  /* 1..8, see ce_mode */
  const uint8_t *key;        /* raw key bytes; borrowed, copied by ce_ctx_new */
  size_t key_len;            /* 1 or more */
  uint8_t salt[CE_SALT_LEN]; /* modes 7, 8 only; must not be all zero */
  int datastream_encryption_enabled; /* channel: protect data streams */
  int backend; /* ce_backend; 0 (CE_BACKEND_AUTO) in a fresh config */
} ce_config;

/* Fills a fresh config: mode AES_128_GCM2, no key, zero salt,
   data-stream encryption off, backend CE_BACKEND_AUTO. Does nothing when
   cfg is NULL. */
CE_API void ce_config_init(ce_config *cfg);
/* Points cfg->key at the bytes of the C string key (not hex-decoded; the
   string is borrowed and must outlive ce_ctx_new).
   CE_ERR_INVALID_ARGUMENT: cfg or key NULL, or key empty. */
CE_API ce_status ce_config_set_key_str(ce_config *cfg, const char *key);
/* Sets the salt from standard base64 (RFC 4648, '=' padding optional,
   surrounding whitespace ignored) that must decode to exactly 32 bytes.
   CE_ERR_INVALID_ARGUMENT: NULL, invalid base64, or not 32 bytes; the
   salt is then unchanged. */
CE_API ce_status ce_config_set_salt_base64(ce_config *cfg, const char *b64);
/* Sets cfg->backend from its name: "auto", "openssl", "ipsec-mb" or
   "sm4-simd" (ce_backend_from_name). Whether the backend can serve the config's
   mode on this machine is checked by ce_config_check and ce_ctx_new, as the
   mode may still change. CE_ERR_INVALID_ARGUMENT: cfg or name NULL, or an
   unknown name; the config is then unchanged. */
CE_API ce_status ce_config_set_backend(ce_config *cfg, const char *name);
/* Validates a config without deriving keys.
   CE_OK; CE_ERR_INVALID_ARGUMENT (NULL cfg, NULL/empty key, mode outside
   1..8, GCM2 with an all-zero salt, backend not a ce_backend value);
   CE_ERR_NOT_SUPPORTED (cipher missing from the linked OpenSSL, or a named
   backend that is not built in, cannot run on this CPU or does not serve
   the mode: ce_backend_select). */
CE_API ce_status ce_config_check(const ce_config *cfg);

/* ------------------------------------------------------------------ */
/* Key schedule (spec 4)                                               */
/* ------------------------------------------------------------------ */

typedef struct ce_derived {
  uint8_t enc_key[CE_MAX_KEY_BYTES]; /* K1 || K2 for XTS */
  size_t enc_key_len;
  uint8_t iv_base[CE_IV_BASE_LEN]; /* GCM family only */
  int has_iv_base;                 /* 1 for GCM family, else 0 */
  uint8_t check;
} ce_derived;

/* Runs the key schedule of spec 4 for cfg. For modes 7 and 8 this costs
   CE_PBKDF2_ITERATIONS HMAC iterations (tens of milliseconds).
   Statuses: as ce_config_check, plus CE_ERR_INTERNAL. *out is untouched
   on failure. Wipe *out with ce_wipe when done. */
CE_API ce_status ce_derive(const ce_config *cfg, ce_derived *out);

/* Wipes len bytes at p in a way the compiler cannot elide. */
CE_API void ce_wipe(void *p, size_t len);

/* ------------------------------------------------------------------ */
/* Context and packet protection (spec 5-9)                            */
/* ------------------------------------------------------------------ */

typedef struct ce_ctx ce_ctx;

/* Creates a context: validates cfg, runs the key schedule, sets up the
   cipher contexts and the two packet buffers (about 128 KiB, so that the
   packet path never allocates) and draws the first packet number from the
   CSPRNG. All key derivation happens here, never per packet. The key bytes
   are copied; cfg may be discarded afterwards.
   Statuses: CE_OK; CE_ERR_INVALID_ARGUMENT (NULL out or cfg, or as
   ce_config_check); CE_ERR_NOT_SUPPORTED; CE_ERR_INTERNAL (OpenSSL or
   memory failure). On failure *out is set to NULL (when out is not
   NULL). The cipher backend is chosen here, once (cfg->backend,
   ce_backend_select); ce_ctx_backend tells which one it is. */
CE_API ce_status ce_ctx_new(const ce_config *cfg, ce_ctx **out);
/* A second context with the same keys, the same backend and a fresh
   random packet number, without running the key schedule again (GCM2's
   PBKDF2 is deliberately slow). Reads ctx's cipher contexts: not while
   another thread uses ctx.
   Statuses: CE_OK; CE_ERR_INVALID_ARGUMENT (NULL ctx or out);
   CE_ERR_INTERNAL. On failure *out is set to NULL (when out is not
   NULL). */
CE_API ce_status ce_ctx_dup(const ce_ctx *ctx, ce_ctx **out);
/* Wipes all key material and buffers and frees. NULL is a no-op. */
CE_API void ce_ctx_free(ce_ctx *ctx);
/* Mode of the context, 0 for NULL. */
CE_API int ce_ctx_mode(const ce_ctx *ctx);
/* Name of the backend that runs the context's cipher: "openssl",
   "ipsec-mb" or "sm4-simd" (never "auto"); NULL for NULL. May be called
   at any time. */
CE_API const char *ce_ctx_backend(const ce_ctx *ctx);
/* The check byte of the context's key schedule (spec 4); 0 for NULL. */
CE_API uint8_t ce_ctx_check(const ce_ctx *ctx);
/* Packet number the next ce_protect will use (XTS and GCM families), or,
   in a child process after fork() that has not protected yet, the number
   the parent would have used (the child redraws on its first protect). */
CE_API uint64_t ce_ctx_next_pn(const ce_ctx *ctx);

/* Protects the payload in buf[0..*len) in place into a frame; on success
   *len is the frame length (payload + ce_overhead).
   Checks, in order: CE_ERR_INVALID_ARGUMENT (NULL ctx, buf or len);
   CE_ERR_TOO_LARGE (*len > CE_MAX_PAYLOAD, spec 8); CE_ERR_BUFFER_TOO_SMALL
   (cap < frame length). Then CE_OK, or CE_ERR_INTERNAL if OpenSSL fails.
   XTS and GCM frames carry the context's next packet number (spec 7),
   which is consumed once the checks pass, whether or not the seal then
   succeeds: a number the cipher may have used is never used again. The
   caller chooses no packet number here; explicit numbers exist only in the
   testing interface (ref/testing/chanenc_testing.h). */
CE_API ce_status ce_protect(ce_ctx *ctx, uint8_t *buf, size_t *len, size_t cap);
/* Unprotects the frame in buf[0..*len) in place; on success the payload
   is at buf[0..*len). The checks of spec 9 run in order and the first
   failure is returned: CE_ERR_MALFORMED, CE_ERR_BAD_VERSION,
   CE_ERR_MODE_MISMATCH, CE_ERR_KEY_MISMATCH, CE_ERR_BAD_PADDING,
   CE_ERR_AUTH_FAILED. Also CE_ERR_INVALID_ARGUMENT (NULL ctx, buf or len)
   and CE_ERR_INTERNAL. The frame is decrypted and verified in the
   context's own memory; buf is written only with a verified payload. */
CE_API ce_status ce_unprotect(ce_ctx *ctx, uint8_t *buf, size_t *len);

/* Out-of-place forms. *out_len is the capacity of out on entry and the
   bytes written on success. in and out may be the same buffer or overlap
   in any way: all of in is read before out is written. On failure out and
   *out_len are unchanged.
   ce_protect_into: as ce_protect; in may be NULL when in_len is 0.
   ce_unprotect_into: as ce_unprotect (in must not be NULL), and, after
   every check of spec 9 has passed, CE_ERR_BUFFER_TOO_SMALL when the
   payload exceeds *out_len: capacity is checked last, so a forged frame is
   always reported as forged (spec 9). */
CE_API ce_status ce_protect_into(ce_ctx *ctx, const uint8_t *in, size_t in_len,
                                 uint8_t *out, size_t *out_len);
CE_API ce_status ce_unprotect_into(ce_ctx *ctx, const uint8_t *in,
                                   size_t in_len, uint8_t *out,
                                   size_t *out_len);

/* ------------------------------------------------------------------ */
/* Primitive layer (for standard known-answer vectors)                 */
/* ------------------------------------------------------------------ */
/* All primitives are one-shot, allocate an OpenSSL context and a result
   buffer per call, and accept in == out. They are not on the packet path.
   Statuses common to all: CE_ERR_INVALID_ARGUMENT (NULL pointer with
   nonzero length, bad key or length), CE_ERR_TOO_LARGE (a length over
   INT_MAX), CE_ERR_NOT_SUPPORTED, CE_ERR_INTERNAL. On every failure out
   (and tag) are unchanged. */

typedef enum ce_block_cipher {
  CE_BLOCK_AES = 1,
  CE_BLOCK_SM4 = 2
} ce_block_cipher;

/* ECB without padding. len must be a multiple of 16. Key length: AES 16,
   24 or 32; SM4 16. */
CE_API ce_status ce_ecb_crypt(ce_block_cipher bc, int encrypt,
                              const uint8_t *key, size_t key_len,
                              const uint8_t *in, size_t len, uint8_t *out);

/* XTS-AES (IEEE 1619 / SP 800-38E). key is Key1 || Key2, 32 or 64 bytes;
   tweak is the 16-byte tweak; len >= 16 bytes, any byte length
   (ciphertext stealing for a partial last block). Key1 == Key2 is
   refused in both directions with CE_ERR_INVALID_ARGUMENT (SP 800-38E;
   OpenSSL refuses it for encryption, and one answer for both directions
   is clearer). */
CE_API ce_status ce_xts_crypt(int encrypt, const uint8_t *key, size_t key_len,
                              const uint8_t tweak[16], const uint8_t *in,
                              size_t len, uint8_t *out);

/* AES-GCM with key of 16, 24 or 32 bytes, an IV of 1..128 bytes, any AAD
   (may be NULL when aad_len is 0) and a tag of 1..16 bytes. An empty IV is
   CE_ERR_INVALID_ARGUMENT; an IV over 128 bytes is valid GCM (SP 800-38D)
   that OpenSSL cannot take: CE_ERR_NOT_SUPPORTED. Tags under 12 bytes are
   accepted for known-answer tests but are forgeable (SP 800-38D annex C). */
CE_API ce_status ce_gcm_encrypt(const uint8_t *key, size_t key_len,
                                const uint8_t *iv, size_t iv_len,
                                const uint8_t *aad, size_t aad_len,
                                const uint8_t *in, size_t len, uint8_t *out,
                                uint8_t *tag, size_t tag_len);
/* Decrypts into library memory and verifies the tag of tag_len bytes
   before writing anything: CE_ERR_AUTH_FAILED leaves out unchanged. The
   caller states tag_len; a short tag_len is as weak as it is short. */
CE_API ce_status ce_gcm_decrypt(const uint8_t *key, size_t key_len,
                                const uint8_t *iv, size_t iv_len,
                                const uint8_t *aad, size_t aad_len,
                                const uint8_t *in, size_t len,
                                const uint8_t *tag, size_t tag_len,
                                uint8_t *out);

/* HKDF-SHA256 (RFC 5869). salt may be NULL/0 (then HashLen zeros);
   okm_len 1..8160. */
CE_API ce_status ce_hkdf_sha256(const uint8_t *salt, size_t salt_len,
                                const uint8_t *ikm, size_t ikm_len,
                                const uint8_t *info, size_t info_len,
                                uint8_t *okm, size_t okm_len);
/* HKDF-Extract alone: prk gets 32 bytes. */
CE_API ce_status ce_hkdf_sha256_extract(const uint8_t *salt, size_t salt_len,
                                        const uint8_t *ikm, size_t ikm_len,
                                        uint8_t prk[32]);
/* HKDF-Expand alone: prk_len >= 32, okm_len 1..8160. */
CE_API ce_status ce_hkdf_sha256_expand(const uint8_t *prk, size_t prk_len,
                                       const uint8_t *info, size_t info_len,
                                       uint8_t *okm, size_t okm_len);
/* PBKDF2-HMAC-SHA256 (RFC 8018). Empty password and salt are allowed;
   iterations >= 1; out_len >= 1. */
CE_API ce_status ce_pbkdf2_sha256(const uint8_t *pass, size_t pass_len,
                                  const uint8_t *salt, size_t salt_len,
                                  uint32_t iterations, uint8_t *out,
                                  size_t out_len);

/* Library version string with the backends built in, e.g.
   "chanenc 0.2.0 (OpenSSL 3.0.19 27 Jan 2026; backends: openssl,
   ipsec-mb 1.3.0, sm4-simd)". OpenSSL's and ipsec-mb's versions are those
   of the libraries loaded at run time. A backend built in may still be
   unusable on this CPU (ce_backend_select). */
CE_API const char *ce_version(void);

#ifdef __cplusplus
}
#endif

#endif /* CHANENC_H */
