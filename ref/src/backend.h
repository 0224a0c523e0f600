/*
 * backend.h - the cipher backends under the mode files.
 *
 * As libsrtp keeps its crypto libraries behind its cipher kernel, chanenc
 * keeps them behind this interface: everything CE1 defines - the framing,
 * the key schedule, the order of the checks of spec 9, the buffer rules of
 * internal.h (seal into the context's seal_buf, open into its open_buf,
 * capacity last, wipe on failure) - is written once, in ctx.c and the mode
 * files, above it. A backend supplies only the cipher operations.
 *
 * The GCM family (modes 5-8, mode_gcm.c) has a backend per library:
 *   - "openssl"  (backend_openssl_gcm.c): OpenSSL 3 EVP, always built in;
 *                every mode has it, and it is the reference;
 *   - "ipsec-mb" (backend_ipsecmb_gcm.c): intel-ipsec-mb's direct GCM API,
 *                built in when CMake finds the library (CE_HAVE_IPSECMB)
 *                and usable when the CPU has AES-NI and PCLMULQDQ.
 * The ECB family (modes 3 and 4, mode_ecb.c) has a block cipher backend:
 *   - "openssl"  (backend_openssl_ecb.c): EVP AES-128-ECB or SM4-ECB;
 *   - "sm4-simd" (backend_sm4simd.c): chanenc's vectorized SM4
 *                (sm4_fast.h), SM4_128_ECB only, built in on x86-64
 *                (CE__SM4_X86) and usable when the block layer selected a
 *                vectorized implementation (ce__sm4_impl_vectorized).
 * XTS runs on OpenSSL only, directly from mode_xts.c.
 *
 * Which backend serves a context is chosen once, in ce_ctx_new, from
 * ce_config.backend (backend.c): CE_BACKEND_AUTO takes the fastest one
 * built in and usable here for the mode's family. None of this shows on
 * the wire: every backend makes and accepts exactly the same frames.
 */
#ifndef CE_BACKEND_H
#define CE_BACKEND_H

#include "chanenc.h"

/*
 * The GCM cipher operations. A keyed state (void *, owned by the context)
 * serves both directions, with separate per-packet state for each: seal
 * touches only the protect side, open only the unprotect side, so one
 * thread may seal while another opens on the same state (chanenc.h,
 * "Thread safety"). The IV is always 12 bytes and the full tag 16.
 * Every pointer is non-NULL, even with a length of 0; lengths fit an int
 * (CE1: at most 65,535 bytes of body and 10 of AAD); input and output
 * never overlap (the context's own buffers are always one side).
 */
typedef struct ce__gcm_backend {
  int id;           /* CE_BACKEND_OPENSSL, CE_BACKEND_IPSECMB */
  const char *name; /* "openssl", "ipsec-mb" (ce_backend_name)   */
  /* CE_OK when this backend can run on this machine (the CPU has what it
     needs); CE_ERR_NOT_SUPPORTED otherwise. Cheap; never allocates. */
  ce_status (*usable)(void);
  /* Key setup from the derived key (16 or 32 bytes): *out gets a new state
     for both directions. CE_OK; CE_ERR_INTERNAL (allocation or library
     failure); CE_ERR_NOT_SUPPORTED (the library lacks the cipher). On
     failure *out is untouched and nothing is leaked. */
  ce_status (*key_new)(const uint8_t *key, size_t key_len, void **out);
  /* A second state with the same key and fresh per-packet state, without
     expanding the key again when the library allows (ce_ctx_dup). */
  ce_status (*key_dup)(const void *k, void **out);
  /* Wipes every key byte and frees; NULL is a no-op. */
  void (*key_free)(void *k);
  /* Protect side: out[0..len) = GCM-Encrypt(in[0..len)), tag[0..16) its
     tag, with the 12-byte iv and aad[0..aad_len) as additional data.
     CE_OK or CE_ERR_INTERNAL; after a failure out and tag hold garbage,
     which the caller wipes. */
  ce_status (*seal)(void *k, const uint8_t iv[12], const uint8_t *aad,
                    size_t aad_len, const uint8_t *in, size_t len, uint8_t *out,
                    uint8_t tag[16]);
  /* Unprotect side: decrypts in[0..len) into out[0..len) and verifies the
     first tag_len (1..16) bytes of the tag in constant time. CE_OK;
     CE_ERR_AUTH_FAILED (the tag did not verify); CE_ERR_INTERNAL. After a
     failure out holds unauthenticated plaintext or garbage, which the
     caller wipes. CE1 always passes tag_len 16; shorter tags exist for the
     standard vectors (ce_testing_gcm_backend_decrypt). */
  ce_status (*open)(void *k, const uint8_t iv[12], const uint8_t *aad,
                    size_t aad_len, const uint8_t *in, size_t len,
                    const uint8_t *tag, size_t tag_len, uint8_t *out);
} ce__gcm_backend;

/*
 * The ECB block cipher (mode_ecb.c): whole 16-byte blocks without padding;
 * PKCS#7, the frame and the checks of spec 9 stay in mode_ecb.c. Its key
 * lives in the context (the EVP contexts enc/dec, or the SM4 round keys
 * sm4_enc/sm4_dec of internal.h), which ce_ctx_free frees and wipes.
 */
struct ce_ctx;
typedef struct ce__ecb_backend {
  int id;           /* CE_BACKEND_OPENSSL, CE_BACKEND_SM4SIMD */
  const char *name; /* "openssl", "sm4-simd" (ce_backend_name) */
  /* Keys both directions of ctx (mode ctx->mi) with the derived key d.
     CE_OK; CE_ERR_INTERNAL; CE_ERR_NOT_SUPPORTED (OpenSSL lacks the
     cipher). On failure ce_ctx_free releases whatever was set. */
  ce_status (*key_init)(struct ce_ctx *ctx, const ce_derived *d);
  /* dst (fresh, same mode) gets src's keys without a new key schedule
     where the library allows (ce_ctx_dup). CE_OK or CE_ERR_INTERNAL. */
  ce_status (*key_dup)(struct ce_ctx *dst, const struct ce_ctx *src);
  /* Protect side: out[0..len) = ECB-Encrypt(in[0..len)), len a multiple
     of 16 in 16..65536; in == out allowed. CE_OK or CE_ERR_INTERNAL, after
     which out holds garbage that the caller wipes. */
  ce_status (*encrypt)(struct ce_ctx *ctx, const uint8_t *in, uint8_t *out,
                       size_t len);
  /* Unprotect side: the same with decryption. */
  ce_status (*decrypt)(struct ce_ctx *ctx, const uint8_t *in, uint8_t *out,
                       size_t len);
} ce__ecb_backend;

extern const ce__ecb_backend ce__ecb_openssl;
extern const ce__ecb_backend ce__ecb_sm4simd;

/* The ECB backend with this id, which ce_backend_select chose for an ECB
   mode: CE_BACKEND_SM4SIMD, or CE_BACKEND_OPENSSL (any other id). */
const ce__ecb_backend *ce__ecb_backend_of(int id);
/* 1 when sm4-simd is built in, not hidden and has a vectorized SM4 on
   this CPU (ce__sm4_impl_vectorized), else 0. */
int ce__sm4simd_usable(void);

extern const ce__gcm_backend ce__gcm_openssl;
#ifdef CE_HAVE_IPSECMB
extern const ce__gcm_backend ce__gcm_ipsecmb;
#endif

/* The GCM backend with this id (CE_BACKEND_OPENSSL, CE_BACKEND_IPSECMB)
   when it is built in; NULL otherwise (CE_BACKEND_AUTO included). */
const ce__gcm_backend *ce__gcm_backend_of(int id);
/* 1 when the GCM backend id is built in and can run here, else 0. */
int ce__gcm_backend_usable(int id);

/* Fault-injection builds: backends that the testing interface makes look
   unusable on this CPU (ce_testing_backend_hide), as on a machine without
   AES-NI; a bit mask of 1u << id. Elsewhere nothing is ever hidden. */
#ifdef CE_FAULT_INJECTION
void ce__backend_hide(unsigned mask);
int ce__backend_hidden(int id);
/* Forgets the process-wide state of the backends (ipsec-mb's manager) so
   that the next context sets it up again (ce_testing_backend_reset). */
void ce__backend_reset(void);
#ifdef CE_HAVE_IPSECMB
void ce__ipsecmb_reset(void);
#endif
#else
#define ce__backend_hidden(id) 0
#endif

#endif
