/*
 * ce1_prim.h - the primitive operations of the adapter interfaces
 * (docs/conformance.md section 8): the C ABI's optional symbols, and the
 * JSON-lines requests they correspond to.
 *
 * A C ABI library announces a primitive by exporting its symbol; the
 * runner looks each one up with dlsym and reports the primitives whose
 * symbol is absent as "not implemented". A process adapter announces them
 * in its answer to {"op":"capabilities"} (section 8.1).
 *
 * Conventions (as ce1_impl.h): 0 on success, otherwise a negative status
 * with chanenc.h's values: -6 AUTH_FAILED, -7 INVALID_ARGUMENT (an argument
 * outside the operation's domain: a key length the algorithm does not
 * define, ECB data not a multiple of 16, XTS data under 16 bytes, an empty
 * GCM IV, a tag_len outside 1..16, an HKDF length over 8160, zero PBKDF2
 * iterations or length), -8 NOT_SUPPORTED (valid for the algorithm but not
 * offered by this implementation: AES-192, a GCM IV over its limit, XTS
 * with Key1 == Key2 where the implementation refuses it), -9
 * BUFFER_TOO_SMALL (*out_len under the output length; judged after every
 * other check, so a short buffer never hides a forged tag or a bad key),
 * -11 INTERNAL. On failure nothing is written to out (or tag) and *out_len
 * is unchanged. Every pointer may be NULL when its length is 0 (tweak
 * never: it is always 16 bytes). out may not overlap an input.
 *
 * A library may export any subset: the primitives alone (an adapter over
 * a crypto library), or with the frame functions of ce1_impl.h (a CE1
 * implementation). The runner reports what is absent as not implemented.
 * ce1_impl_describe's string is static: valid for as long as the library
 * is loaded, and safe to read from any thread.
 *
 * Request (JSON lines, section 8.2)          C ABI symbol
 *   aes_ecb_encrypt / aes_ecb_decrypt          ce1_impl_aes_ecb
 *     {key, data} -> {data}
 *   sm4_ecb_encrypt / sm4_ecb_decrypt          ce1_impl_sm4_ecb
 *     {key, data} -> {data}
 *   aes_xts_encrypt / aes_xts_decrypt          ce1_impl_aes_xts
 *     {key, tweak, data} -> {data}
 *   aes_gcm_seal                               ce1_impl_aes_gcm_seal
 *     {key, iv, aad, plaintext, tag_len} -> {ciphertext, tag}
 *   aes_gcm_open                               ce1_impl_aes_gcm_open
 *     {key, iv, aad, ciphertext, tag, tag_len} -> {plaintext}
 *   hkdf_sha256_extract                        ce1_impl_hkdf_sha256_extract
 *     {salt, ikm} -> {prk}
 *   hkdf_sha256_expand                         ce1_impl_hkdf_sha256_expand
 *     {prk, info, length} -> {okm}
 *   hkdf_sha256                                ce1_impl_hkdf_sha256
 *     {salt, ikm, info, length} -> {okm}
 *   pbkdf2_sha256                              ce1_impl_pbkdf2_sha256
 *     {password, salt, iterations, length} -> {dk}
 * Byte fields are hex strings (section 3.2); tag_len, length and
 * iterations are JSON integers.
 */
#ifndef CE1_PRIM_H
#define CE1_PRIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* For the definitions in a library built with -fvisibility=hidden (as
   tools/libs/ builds them): the ABI functions are its only exports. */
#if defined(__GNUC__) || defined(__clang__)
#define CE1_IMPL_EXPORT __attribute__((visibility("default")))
#else
#define CE1_IMPL_EXPORT
#endif

/* Optional: a one-line description of the implementation for reports and
   the compatibility matrix, e.g. "libgcrypt 1.10.1". */
#define CE1_IMPL_DESCRIBE_SYMBOL "ce1_impl_describe"
const char *ce1_impl_describe(void);

/* AES-ECB without padding, encrypt (1) or decrypt (0). key_len 16, 24 or
   32; len a multiple of 16 (0 allowed). *out_len: capacity in, len out. */
#define CE1_IMPL_AES_ECB_SYMBOL "ce1_impl_aes_ecb"
int ce1_impl_aes_ecb(int encrypt, const uint8_t *key, size_t key_len,
                     const uint8_t *in, size_t len, uint8_t *out,
                     size_t *out_len);

/* SM4-ECB (GB/T 32907) without padding. key_len 16; len a multiple of
   16. */
#define CE1_IMPL_SM4_ECB_SYMBOL "ce1_impl_sm4_ecb"
int ce1_impl_sm4_ecb(int encrypt, const uint8_t *key, size_t key_len,
                     const uint8_t *in, size_t len, uint8_t *out,
                     size_t *out_len);

/* XTS-AES (IEEE 1619-2007): key is Key1 || Key2 (32 or 64 bytes), tweak
   the 16-byte tweak as given (the data unit's tweak value, little-endian
   as IEEE 1619 encodes it), len >= 16 with ciphertext stealing for a
   partial last block. */
#define CE1_IMPL_AES_XTS_SYMBOL "ce1_impl_aes_xts"
int ce1_impl_aes_xts(int encrypt, const uint8_t *key, size_t key_len,
                     const uint8_t tweak[16], const uint8_t *in, size_t len,
                     uint8_t *out, size_t *out_len);

/* AES-GCM seal (SP 800-38D): key 16/24/32 bytes, iv of any length >= 1,
   any aad, tag_len 1..16 (the leftmost bytes of the full tag). out gets
   the ciphertext (len bytes; *out_len capacity in, len out), tag gets
   tag_len bytes. */
#define CE1_IMPL_AES_GCM_SEAL_SYMBOL "ce1_impl_aes_gcm_seal"
int ce1_impl_aes_gcm_seal(const uint8_t *key, size_t key_len,
                          const uint8_t *iv, size_t iv_len,
                          const uint8_t *aad, size_t aad_len,
                          const uint8_t *in, size_t len, size_t tag_len,
                          uint8_t *out, size_t *out_len, uint8_t *tag);

/* AES-GCM open. tag_len is the tag length the receiver is configured for
   (1..16); tag/tag_size is the tag that arrived. A tag of any other size
   than tag_len is a forgery: AUTH_FAILED (an implementation that compares
   only the tag_size bytes it got accepts truncated tags). On success out
   gets the plaintext (len bytes); on AUTH_FAILED nothing is written. */
#define CE1_IMPL_AES_GCM_OPEN_SYMBOL "ce1_impl_aes_gcm_open"
int ce1_impl_aes_gcm_open(const uint8_t *key, size_t key_len,
                          const uint8_t *iv, size_t iv_len,
                          const uint8_t *aad, size_t aad_len,
                          const uint8_t *in, size_t len, const uint8_t *tag,
                          size_t tag_size, size_t tag_len, uint8_t *out,
                          size_t *out_len);

/* HKDF-SHA256 (RFC 5869). Extract: prk gets 32 bytes (an empty salt means
   32 zero bytes). Expand: prk_len >= 32, okm_len 1..8160. One-shot: both. */
#define CE1_IMPL_HKDF_SHA256_EXTRACT_SYMBOL "ce1_impl_hkdf_sha256_extract"
int ce1_impl_hkdf_sha256_extract(const uint8_t *salt, size_t salt_len,
                                 const uint8_t *ikm, size_t ikm_len,
                                 uint8_t prk[32]);
#define CE1_IMPL_HKDF_SHA256_EXPAND_SYMBOL "ce1_impl_hkdf_sha256_expand"
int ce1_impl_hkdf_sha256_expand(const uint8_t *prk, size_t prk_len,
                                const uint8_t *info, size_t info_len,
                                uint8_t *okm, size_t okm_len);
#define CE1_IMPL_HKDF_SHA256_SYMBOL "ce1_impl_hkdf_sha256"
int ce1_impl_hkdf_sha256(const uint8_t *salt, size_t salt_len,
                         const uint8_t *ikm, size_t ikm_len,
                         const uint8_t *info, size_t info_len, uint8_t *okm,
                         size_t okm_len);

/* PBKDF2-HMAC-SHA256 (RFC 8018): iterations >= 1, dk_len >= 1; empty
   password and salt allowed. */
#define CE1_IMPL_PBKDF2_SHA256_SYMBOL "ce1_impl_pbkdf2_sha256"
int ce1_impl_pbkdf2_sha256(const uint8_t *password, size_t password_len,
                           const uint8_t *salt, size_t salt_len,
                           uint32_t iterations, uint8_t *dk, size_t dk_len);

#ifdef __cplusplus
}
#endif

#endif /* CE1_PRIM_H */
