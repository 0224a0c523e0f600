/*
 * ce_prim_ref.h - the two places where the primitive operations of
 * tools/ce1_prim.h (docs/conformance.md section 8) say more than chanenc's
 * primitive API does, written once for both reference adapters: the
 * JSON-lines adapter (tools/ce1_adapter.c) and libce1impl_ref.so
 * (tools/ce1_impl_ref.c). Everything else maps onto ce_ecb_crypt,
 * ce_gcm_encrypt, ce_hkdf_sha256* and ce_pbkdf2_sha256 unchanged.
 *
 * Header-only (static inline functions) so that it needs no build change
 * and no exported symbol of libce1impl_ref.so.
 */
#ifndef CE_PRIM_REF_H
#define CE_PRIM_REF_H

#include "chanenc.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* XTS-AES. ce_xts_crypt refuses Key1 == Key2 with INVALID_ARGUMENT; the
   contract counts that key as inside XTS's domain (IEEE 1619-2007 allows
   it, its vector 1 uses it) and not offered by this implementation:
   NOT_SUPPORTED, once every INVALID_ARGUMENT condition is ruled out (those
   come first, ce1_prim.h). The comparison need not be constant-time: the
   adapters answer it to the caller who sent the key. A data unit over
   2^20 blocks, TOO_LARGE in ce_xts_crypt, is outside XTS's domain (SP
   800-38E: it "shall not exceed 2^20 AES blocks"): INVALID_ARGUMENT. */
#define CE_PRIM_REF_XTS_MAX ((size_t)16 << 20) /* 2^20 blocks of 16 bytes */

static inline ce_status ce_prim_ref_xts(int encrypt, const uint8_t *key,
                                        size_t key_len, const uint8_t *tweak,
                                        const uint8_t *in, size_t len,
                                        uint8_t *out) {
  if (key != NULL && (key_len == 32 || key_len == 64) && tweak != NULL &&
      in != NULL && out != NULL && len >= 16 && len <= CE_PRIM_REF_XTS_MAX &&
      memcmp(key, key + key_len / 2, key_len / 2) == 0)
    return CE_ERR_NOT_SUPPORTED;
  ce_status st = ce_xts_crypt(encrypt, key, key_len, tweak, in, len, out);
  return st == CE_ERR_TOO_LARGE ? CE_ERR_INVALID_ARGUMENT : st;
}

/* The longest GCM IV chanenc takes (chanenc.h, ce_gcm_encrypt: a longer
   one is valid GCM that OpenSSL cannot take, NOT_SUPPORTED). */
#define CE_PRIM_REF_GCM_MAX_IV 128u

/* AES-GCM open with the contract's tag rule: tag/tag_size is the tag that
   arrived, tag_len the length the receiver expects. A tag of another size
   is a forgery, AUTH_FAILED, decided here without decrypting: passing it
   to ce_gcm_decrypt would compare only the bytes that are there (a
   truncated tag accepted) or read past them. The argument checks come
   first, in ce_gcm_decrypt's order (INVALID_ARGUMENT, then NOT_SUPPORTED),
   so the answer for a bad argument does not depend on the tag's size; a
   length over INT_MAX (ce_gcm_decrypt's TOO_LARGE) is not looked at, as a
   tag of the wrong size is refused whatever the data. On any failure out
   is unchanged (ce_gcm_decrypt verifies before writing). */
static inline ce_status
ce_prim_ref_gcm_open(const uint8_t *key, size_t key_len, const uint8_t *iv,
                     size_t iv_len, const uint8_t *aad, size_t aad_len,
                     const uint8_t *in, size_t len, const uint8_t *tag,
                     size_t tag_size, size_t tag_len, uint8_t *out) {
  if (tag_size != tag_len) {
    if (key == NULL || (key_len != 16 && key_len != 24 && key_len != 32) ||
        iv == NULL || iv_len == 0 || (aad == NULL && aad_len != 0) ||
        ((in == NULL || out == NULL) && len != 0) ||
        (tag == NULL && tag_size != 0) || tag_len == 0 || tag_len > 16)
      return CE_ERR_INVALID_ARGUMENT;
    if (iv_len > CE_PRIM_REF_GCM_MAX_IV)
      return CE_ERR_NOT_SUPPORTED;
    return CE_ERR_AUTH_FAILED;
  }
  return ce_gcm_decrypt(key, key_len, iv, iv_len, aad, aad_len, in, len, tag,
                        tag_len, out);
}

/* The status the contract gives for a library status. chanenc's
   primitives answer TOO_LARGE for a length or iteration count over
   OpenSSL's int: inputs valid for the algorithm that this implementation
   does not take, which ce1_prim.h calls NOT_SUPPORTED. Every other status
   is already the contract's. */
static inline ce_status ce_prim_ref_status(ce_status st) {
  return st == CE_ERR_TOO_LARGE ? CE_ERR_NOT_SUPPORTED : st;
}

#endif /* CE_PRIM_REF_H */
