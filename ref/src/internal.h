/*
 * internal.h - declarations shared by the library's source files. Nothing
 * here is exported; internal names use the ce__ prefix.
 */
#ifndef CE_INTERNAL_H
#define CE_INTERNAL_H

#include "chanenc.h"

#include <openssl/evp.h>

/* One row of the mode table of spec section 1. */
typedef struct ce__mode_info {
  int id;
  const char *name;   /* SDK enum name, "AES_128_GCM2"              */
  const char *string; /* key-schedule label part, "aes-128-gcm-2"   */
  ce_family family;
  size_t key_bytes;   /* enc_key length                             */
  const char *cipher; /* OpenSSL cipher name, "AES-128-GCM"         */
  int salted;         /* 1 for GCM2: PBKDF2 with the salt (spec 3)  */
} ce__mode_info;

/* The row for mode, or NULL when mode is not 1..8. */
const ce__mode_info *ce__mode(int mode);

/* Frame layout constants (spec 4). */
#define CE__HDR_ECB 2u
#define CE__HDR_LONG 10u /* XTS and GCM: flags, check, BE64 PN */
#define CE__TAG_LEN 16u
#define CE__BLOCK 16u
#define CE__VERSION_BITS 0x10u /* version 001 in bits 6..4 */
#define CE__FLAG_S 0x80u

struct ce_ctx {
  const ce__mode_info *mi;
  uint8_t check;
  uint8_t iv_base[CE_IV_BASE_LEN]; /* GCM family */
  uint64_t next_pn;
  /* Made once in ce_ctx_new and keyed once; per packet only the IV or
     tweak changes. Two contexts because OpenSSL's AES key schedule for
     decryption differs from the one for encryption (XTS, ECB), and GCM
     needs the encrypting one to restore a frame whose tag failed. */
  EVP_CIPHER_CTX *enc;
  EVP_CIPHER_CTX *dec;
};

/* Writes the frame header of spec 4 at buf (2 or 10 bytes). */
void ce__write_header(const ce_ctx *ctx, uint8_t *buf, int s_flag, uint64_t pn);
/* Reads the BE64 packet number of a 10-byte header. */
uint64_t ce__read_pn(const uint8_t *hdr);

/*
 * Family operations. seal: the payload is at src[0..n), either buf itself
 * (in place) or a buffer that does not overlap buf, which is then read
 * directly (no copy); cap was checked by the caller to hold the whole
 * frame; the frame is written to buf. open: the header checks of spec 5
 * steps 1-5 passed; the payload is written to out (out == frame for in
 * place, else a distinct buffer of *out_len capacity); on failure nothing
 * the caller can see has changed, unless priv is set: then out is the
 * library's own memory, written in one pass and wiped on failure.
 */
ce_status ce__ecb_seal(ce_ctx *ctx, const uint8_t *src, uint8_t *buf, size_t n);
ce_status ce__ecb_open(ce_ctx *ctx, const uint8_t *frame, size_t n,
                       uint8_t *out, size_t *out_len, int priv);
ce_status ce__xts_seal(ce_ctx *ctx, uint64_t pn, const uint8_t *src,
                       uint8_t *buf, size_t n);
ce_status ce__xts_open(ce_ctx *ctx, const uint8_t *frame, size_t n,
                       uint8_t *out, size_t *out_len, int priv);
ce_status ce__gcm_seal(ce_ctx *ctx, uint64_t pn, const uint8_t *src,
                       uint8_t *buf, size_t n);
ce_status ce__gcm_open(ce_ctx *ctx, const uint8_t *frame, size_t n,
                       uint8_t *out, size_t *out_len, int priv);

/* ce_unprotect_into for an output buffer that only the library sees (the
   channel's scratch): one pass, may write out before failing (and wipes
   it then). */
ce_status ce__unprotect_private(ce_ctx *ctx, const uint8_t *in, size_t in_len,
                                uint8_t *out, size_t *out_len);

/*
 * GCM decryption that verifies the tag before writing: a first pass
 * decrypts into a stack scratch buffer and checks the tag, a second pass
 * writes out. Used where the caller's output must stay untouched on
 * failure and there is no ciphertext in place to restore (out of place,
 * primitive layer). c is a decrypting GCM context with the key set and the
 * IV length already configured.
 */
ce_status ce__gcm_decrypt_verified(EVP_CIPHER_CTX *c, const uint8_t *iv,
                                   const uint8_t *aad, size_t aad_len,
                                   const uint8_t *in, size_t len,
                                   const uint8_t *tag, size_t tag_len,
                                   uint8_t *out);

/* size_t -> int for OpenSSL lengths; 0 when it does not fit. */
static inline int ce__fits_int(size_t n) {
  return n <= (size_t)0x7fffffff;
}

/* Fetches a cipher by OpenSSL name; NULL when the provider lacks it. */
EVP_CIPHER *ce__fetch_cipher(const char *name);

/* One EVP cipher pass without padding, with a fresh context: the
   primitive layer's ECB and XTS (not the packet path). len must fit int. */
ce_status ce__cipher_oneshot(const char *name, const uint8_t *key,
                             const uint8_t *iv, int encrypt, const uint8_t *in,
                             size_t len, uint8_t *out);

#endif
