/*
 * baseline_imb.h - the least work intel-ipsec-mb needs for a CE1 GCM
 * packet, and the bare ipsec-mb GCM call. Compiled only when the library
 * has the ipsec-mb backend (CE_BENCH_HAVE_IPSECMB).
 *
 * Same keys and frames as chanenc (keyed from ce_derive), one IMB_MGR and
 * one expanded key per context, made once; per packet the direct API
 * (IMB_AES128_GCM_ENC / _DEC and the 256-bit pair) with a new nonce.
 *  - bi_protect / bi_unprotect: the frame in place, as baseline.c does it
 *    with OpenSSL (move the payload, write the header, seal; check the
 *    header, open, move the payload back), so that ce / base-imb measures
 *    chanenc's own overhead on this backend;
 *  - bi_seal_raw / bi_open_raw: the raw call alone on a frame whose header
 *    and payload are already in place (payload at offset 10, room for the
 *    tag): the nonce from the packet number, one encrypt or decrypt call,
 *    the tag written or compared (CRYPTO_memcmp). Nothing else.
 */
#ifndef CE_BENCH_BASELINE_IMB_H
#define CE_BENCH_BASELINE_IMB_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bi_ctx bi_ctx;

/* A context for GCM mode 5..8 with chanenc's key schedule output;
   first_pn is the first packet number of bi_protect. NULL on failure. */
bi_ctx *bi_new(int mode, const uint8_t *enc_key, size_t enc_key_len,
               const uint8_t iv_base[12], uint8_t check, uint64_t first_pn);
void bi_free(bi_ctx *b);

/* As bl_protect / bl_unprotect (baseline.h). 0, or -1 on a bad frame. */
int bi_protect(bi_ctx *b, uint8_t *buf, size_t *len);
int bi_unprotect(bi_ctx *b, uint8_t *buf, size_t *len);

/* The raw call on frame[0..10 + n + 16): encrypts frame[10..10+n) in place
   with the nonce of pn and frame[0..10) as AAD, tag to frame[10+n..). */
void bi_seal_raw(bi_ctx *b, uint64_t pn, uint8_t *frame, size_t n);
/* Decrypts frame[10..10+n) in place (nonce from the frame's packet
   number) and compares the tag: 0, or -1 when it does not verify. */
int bi_open_raw(bi_ctx *b, uint8_t *frame, size_t n);

/* "intel-ipsec-mb 1.3.0, AVX512 code" (library version and the code
   init_mb_mgr_auto chose). */
const char *bi_describe(void);

#ifdef __cplusplus
}
#endif

#endif
