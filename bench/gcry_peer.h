/*
 * gcry_peer.h - libgcrypt's SM4 (gcry_cipher_open(GCRY_CIPHER_SM4, ...))
 * and AES-GCM, a second peer for chanenc's SM4_128_ECB and GCM modes next
 * to the OpenSSL EVP baseline.
 * Compiled in only when pkg-config finds libgcrypt (CE_BENCH_HAVE_GCRYPT).
 *
 * gp_protect / gp_unprotect make and open the same CE1 mode-4 frames as
 * chanenc and baseline.c (header(2) || SM4-ECB(PKCS7-Pad16(payload))) with
 * one libgcrypt ECB handle per direction, keyed once; gp_raw runs
 * libgcrypt's SM4 alone over a buffer, in ECB or in CTR (libgcrypt 1.10
 * accelerates SM4 with AES-NI/AVX2 in its bulk CTR, CBC/CFB-decrypt and
 * OCB paths, not in ECB; CTR shows what that code does per byte).
 */
#ifndef CE_BENCH_GCRY_PEER_H
#define CE_BENCH_GCRY_PEER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gp_ctx gp_ctx;

/* Initialises libgcrypt once (no secure memory); 0 on success. */
int gp_init(void);
/* libgcrypt's version, e.g. "1.10.1". */
const char *gp_version(void);

/* A mode-4 context for the 16-byte SM4 key enc_key and the key check byte
   (chanenc's ce_derive output). NULL on failure. */
gp_ctx *gp_new(const uint8_t enc_key[16], uint8_t check);
void gp_free(gp_ctx *g);
/* As bl_protect / bl_unprotect (baseline.h), in place. 0 on success. */
int gp_protect(gp_ctx *g, uint8_t *buf, size_t *len);
int gp_unprotect(gp_ctx *g, uint8_t *buf, size_t *len);
/* SM4 over buf[0..len) in place, len a multiple of 16: ctr = 0 ECB
   encrypt, ctr = 1 CTR (the counter continues from call to call). */
int gp_raw(gp_ctx *g, int ctr, uint8_t *buf, size_t len);

/* The GCM family (modes 5-8) on libgcrypt's AES-GCM, a second peer beside
   the OpenSSL EVP baseline and the raw ipsec-mb call: the same CE1 frames
   (header(10) || GCM(payload) || tag(16), nonce = iv_base XOR BE64(PN) in
   bytes 4..11, the header as AAD) with one handle per direction, keyed
   once. key_len 16 or 32; first_pn is the next packet number to use. */
typedef struct gp_gcm gp_gcm;
gp_gcm *gp_gcm_new(int mode, const uint8_t *key, size_t key_len,
                   const uint8_t iv_base[12], uint8_t check, uint64_t first_pn);
void gp_gcm_free(gp_gcm *g);
/* As bl_protect / bl_unprotect (baseline.h), in place. 0 on success. */
int gp_gcm_protect(gp_gcm *g, uint8_t *buf, size_t *len);
int gp_gcm_unprotect(gp_gcm *g, uint8_t *buf, size_t *len);

#ifdef __cplusplus
}
#endif

#endif
