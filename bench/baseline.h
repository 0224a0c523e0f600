/*
 * baseline.h - the least work OpenSSL EVP needs for a CE1 packet.
 *
 * One EVP_CIPHER_CTX per key and direction, made and keyed once; per packet
 * only the IV (GCM) or data unit number (XTS) is set, and the header and
 * tag handling of spec 5 and 6 is written inline. It produces and accepts
 * the same frames as chanenc (same keys, same layout), but does none of
 * chanenc's extra work: no argument checks beyond the frame checks of
 * spec 9, no dispatch through a family table, no restoring of the buffer
 * on failure, no wiping.
 *
 * Plain C, compiled with the same compiler and flags as the library, so a
 * ratio chanenc / baseline measures chanenc's own overhead.
 */
#ifndef CE_BENCH_BASELINE_H
#define CE_BENCH_BASELINE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bl_ctx bl_ctx;

/* Makes a baseline context for mode (1..8) with the key schedule output
   of chanenc (ce_derive), so frames are byte-identical. first_pn is the
   first packet number. NULL on failure (mode unsupported, OpenSSL). */
bl_ctx *bl_new(int mode, const uint8_t *enc_key, size_t enc_key_len,
               const uint8_t iv_base[12], uint8_t check, uint64_t first_pn);
void bl_free(bl_ctx *b);

/* In place, as ce_protect: payload buf[0..*len) -> frame, *len updated.
   The caller guarantees cap >= frame length (no check). Returns 0 on
   success, -1 on an OpenSSL failure. */
int bl_protect(bl_ctx *b, uint8_t *buf, size_t *len);
/* In place, as ce_unprotect: frame buf[0..*len) -> payload at buf[0..).
   Returns 0 on success, -1 on a bad frame or tag (buffer then undefined). */
int bl_unprotect(bl_ctx *b, uint8_t *buf, size_t *len);

#ifdef __cplusplus
}
#endif

#endif
