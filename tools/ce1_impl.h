/*
 * ce1_impl.h - the shared-library adapter ABI of docs/conformance.md
 * section 4.
 *
 * An implementation under test builds a shared library exporting these two
 * functions; the conformance runner, the differential fuzzers and the
 * language bindings load it with dlopen and look the symbols up by name.
 * libce1impl_ref.so is the reference implementation's one.
 *
 * Return values: 0 on success, otherwise a negative status code with the
 * values of chanenc.h's ce_status (CE_ERR_MALFORMED -1 ... CE_ERR_INTERNAL
 * -11). *out_len is the capacity of out on entry and the bytes written on
 * success; on failure out and *out_len are unchanged.
 */
#ifndef CE1_IMPL_H
#define CE1_IMPL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CE1_IMPL_PROTECT_SYMBOL "ce1_impl_protect"
#define CE1_IMPL_UNPROTECT_SYMBOL "ce1_impl_unprotect"

/* Protects payload with the config (mode, key, salt) and the explicit
   packet number pn (ignored by ECB modes). */
int ce1_impl_protect(int mode, const uint8_t *key, size_t key_len,
                     const uint8_t salt[32], uint64_t pn,
                     const uint8_t *payload, size_t payload_len, uint8_t *out,
                     size_t *out_len);
/* Unprotects frame with the config (mode, key, salt). */
int ce1_impl_unprotect(int mode, const uint8_t *key, size_t key_len,
                       const uint8_t salt[32], const uint8_t *frame,
                       size_t frame_len, uint8_t *out, size_t *out_len);

/* Function pointer types for dlsym users. */
typedef int (*ce1_impl_protect_fn)(int mode, const uint8_t *key, size_t key_len,
                                   const uint8_t salt[32], uint64_t pn,
                                   const uint8_t *payload, size_t payload_len,
                                   uint8_t *out, size_t *out_len);
typedef int (*ce1_impl_unprotect_fn)(int mode, const uint8_t *key,
                                     size_t key_len, const uint8_t salt[32],
                                     const uint8_t *frame, size_t frame_len,
                                     uint8_t *out, size_t *out_len);

#ifdef __cplusplus
}
#endif

#endif /* CE1_IMPL_H */
