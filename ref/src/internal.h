/*
 * internal.h - declarations shared by the library's source files. Nothing
 * here is exported; internal names use the ce__ prefix.
 */
#ifndef CE_INTERNAL_H
#define CE_INTERNAL_H

#include "chanenc.h"
#include "sm4_fast.h"

#include <openssl/evp.h>

/* One row of the mode table of spec section 2. */
typedef struct ce__mode_info {
  int id;
  const char *name;   /* SDK enum name, "AES_128_GCM2"              */
  const char *string; /* key-schedule label part, "aes-128-gcm-2"   */
  ce_family family;
  size_t key_bytes;   /* enc_key length                             */
  const char *cipher; /* OpenSSL cipher name, "AES-128-GCM"         */
  int salted;         /* 1 for GCM2: PBKDF2 with the salt (spec 4)  */
} ce__mode_info;

/* The row for mode, or NULL when mode is not 1..8. */
const ce__mode_info *ce__mode(int mode);

/* Frame layout constants (spec 5, 6). */
#define CE__HDR_ECB 2u
#define CE__HDR_LONG 10u /* XTS and GCM: flags, check, BE64 PN */
#define CE__TAG_LEN 16u
#define CE__BLOCK 16u
#define CE__VERSION_BITS 0x10u /* version 001 in bits 6..4 */
#define CE__FLAG_S 0x80u

/* Largest plaintext an open can produce: an ECB body of CE_MAX_PAYLOAD + 1
   bytes rounded up to whole blocks (spec 9 step 1 bounds the frame). */
#define CE__MAX_BODY 65536u

/*
 * The context (spec 5-9). Protect and unprotect share nothing that either
 * writes: protect owns enc (or the protect side of gcm_key), seal_buf,
 * next_pn and fork_gen; unprotect owns dec (or the unprotect side of
 * gcm_key) and open_buf; the rest is set once by ce_ctx_new. So one thread
 * may protect while another unprotects (chanenc.h, "Thread safety").
 *
 * One path per direction, for every family (docs/spec.md section 9):
 *  - protect seals into seal_buf (the library's memory) and copies the
 *    finished frame to the caller's buffer only when nothing can fail any
 *    more;
 *  - unprotect decrypts into open_buf, verifies (tag, padding), checks the
 *    caller's capacity last, and only then copies the payload out. On
 *    failure open_buf is wiped.
 * The caller's memory therefore never holds key stream, unauthenticated
 * plaintext or a partial result, and input and output may overlap in any
 * way (all input is consumed before any output is written).
 */
struct ce_ctx {
  const ce__mode_info *mi;
  uint8_t check;
  uint8_t iv_base[CE_IV_BASE_LEN]; /* GCM family */
  /* GCM family: the backend that runs the cipher (backend.h) and its keyed
     state, which keeps the two directions apart; ECB and XTS use enc and
     dec below. */
  const struct ce__gcm_backend *gcm;
  void *gcm_key;
  /* Protect side. */
  EVP_CIPHER_CTX *enc; /* keyed once; per packet only the IV/tweak */
  uint64_t next_pn;
  uint64_t fork_gen; /* ce__fork_generation() when next_pn was drawn */
  uint8_t *seal_buf; /* CE_MAX_FRAME bytes */
  /* Unprotect side. A separate context because the decrypting AES key
     schedule differs (ECB, XTS) and because protect must never see the
     state of a frame being verified (GCM). */
  EVP_CIPHER_CTX *dec;
  uint8_t *open_buf; /* CE__MAX_BODY bytes */
  /* ECB family: the backend that runs the block cipher (backend.h), with
     its key in enc/dec (openssl) or, for sm4-simd (SM4_128_ECB), in the
     SM4 round keys below, expanded once by ce_ctx_new: protect reads
     sm4_enc, unprotect sm4_dec. Wiped by ce_ctx_free. */
  const struct ce__ecb_backend *ecb;
  ce__sm4_key sm4_enc, sm4_dec;
};

/* Writes the frame header of spec 5 at buf (2 or 10 bytes). */
void ce__write_header(const ce_ctx *ctx, uint8_t *buf, int s_flag, uint64_t pn);
/* Reads the BE64 packet number of a 10-byte header. */
uint64_t ce__read_pn(const uint8_t *hdr);

/*
 * Family operations, the only code that differs per family.
 * seal: payload src[0..n) (any memory, n <= CE_MAX_PAYLOAD) -> the whole
 *   frame in ctx->seal_buf; returns its length in *frame_len.
 * open: the header checks of spec 9 steps 1-5 passed on frame[0..n);
 *   decrypts and verifies (steps 6-9) into ctx->open_buf, returns the
 *   payload length in *plen. On failure the family leaves open_buf as it
 *   found it or wipes what it wrote.
 */
ce_status ce__ecb_seal(ce_ctx *ctx, const uint8_t *src, size_t n,
                       size_t *frame_len);
ce_status ce__ecb_open(ce_ctx *ctx, const uint8_t *frame, size_t n,
                       size_t *plen);
/* The EVP side of a context (ECB on OpenSSL, XTS; ctx.c): the mode's
   cipher fetched and keyed with d once per direction (ECB without
   padding), and a copy of src's two keyed EVP contexts into dst
   (ce_ctx_dup). CE_OK, CE_ERR_NOT_SUPPORTED (cipher missing) or
   CE_ERR_INTERNAL; ce_ctx_free releases what was set on failure. */
ce_status ce__evp_keys(ce_ctx *ctx, const ce_derived *d);
ce_status ce__evp_dup(ce_ctx *dst, const ce_ctx *src);
ce_status ce__xts_seal(ce_ctx *ctx, uint64_t pn, const uint8_t *src, size_t n,
                       size_t *frame_len);
ce_status ce__xts_open(ce_ctx *ctx, const uint8_t *frame, size_t n,
                       size_t *plen);
ce_status ce__gcm_seal(ce_ctx *ctx, uint64_t pn, const uint8_t *src, size_t n,
                       size_t *frame_len);
ce_status ce__gcm_open(ce_ctx *ctx, const uint8_t *frame, size_t n,
                       size_t *plen);

/*
 * The two directions above the families, shared by the public entry points
 * (ctx.c), the testing interface (ref/testing) and the channel:
 * ce__protect_frame runs the protect checks (size, capacity against cap),
 * then seals with packet number pn (explicit_pn) or with the context's own
 * (consumed once the seal starts, spec 7), and leaves the frame in
 * ctx->seal_buf. ce__unprotect_frame runs spec 9 in full and leaves the
 * payload in ctx->open_buf; *out_len is its length. Neither writes caller
 * memory.
 */
ce_status ce__protect_frame(ce_ctx *ctx, int explicit_pn, uint64_t pn,
                            const uint8_t *in, size_t in_len, size_t cap,
                            size_t *frame_len);
ce_status ce__unprotect_frame(ce_ctx *ctx, const uint8_t *in, size_t in_len,
                              size_t *out_len);
/* Copies n bytes of library memory to the caller's buffer (memmove: the
   caller's input may be anywhere, even overlapping). */
void ce__deliver(uint8_t *dst, const uint8_t *src, size_t n);
/* Every protect entry point: argument checks, ce__protect_frame with cap,
   then the frame to out and its length to *out_len. */
ce_status ce__protect_to(ce_ctx *ctx, int explicit_pn, uint64_t pn,
                         const uint8_t *in, size_t in_len, uint8_t *out,
                         size_t cap, size_t *out_len);

/* Process generation: changes in a child after fork() (fork.c). */
uint64_t ce__fork_generation(void);
/* Registers the fork handlers once; CE_ERR_INTERNAL when that fails. */
ce_status ce__fork_init(void);
/* A fresh random packet number for a child process, independent of the
   parent's and of any sibling's (fork.c). */
ce_status ce__fork_random(uint64_t *out);

/*
 * Fault injection (fault.c). In a build with CE_FAULT_INJECTION every
 * CE__FAULT(site) may report a failure (tests/c/test_faults.c arms them in
 * turn); in every other build it is the constant 0 and compiles away. Each
 * OpenSSL call, allocation and lock initialisation in ref/src is written
 * as `CE__FAULT("site") || call fails`.
 */
#ifdef CE_FAULT_INJECTION
int ce__fault(const char *site);
#define CE__FAULT(site) ce__fault(site)
#else
#define CE__FAULT(site) 0
#endif
/* malloc/calloc through a fault site; free with free(). */
void *ce__malloc(size_t n);
void *ce__calloc(size_t n, size_t size);

/* size_t -> int for OpenSSL lengths; 0 when it does not fit. */
static inline int ce__fits_int(size_t n) {
  return n <= (size_t)0x7fffffff;
}

/* Fetches a cipher by OpenSSL name into *out: CE_OK;
   CE_ERR_NOT_SUPPORTED when no provider has it; CE_ERR_INTERNAL. */
ce_status ce__fetch_cipher(const char *name, EVP_CIPHER **out);
/* The status of a fetch that returned NULL, from the entry it added. */
ce_status ce__fetch_failure(void);

/* One EVP cipher pass without padding, with a fresh context: the
   primitive layer's ECB and XTS (not the packet path). len must fit int
   and be nonzero; out is written only on CE_OK. */
ce_status ce__cipher_oneshot(const char *name, const uint8_t *key,
                             const uint8_t *iv, int encrypt, const uint8_t *in,
                             size_t len, uint8_t *out);

/* OpenSSL's error queue: a failing call leaves entries there. Every entry
   point that calls OpenSSL off the packet path brackets its work with
   ce__err_mark / ce__err_pop, so the caller's queue is as it was
   (chanenc.h, "Conventions"). */
void ce__err_mark(void);
void ce__err_pop(void);

/* The number of ce_channel_send (receive != 0: ce_channel_receive) or
   ce_channel_get_counters calls holding or waiting for that direction of
   ch (channel.c; for ce_testing_channel_queue). */
struct ce_channel;
uint64_t ce__channel_queue(const struct ce_channel *ch, int receive);

#endif
