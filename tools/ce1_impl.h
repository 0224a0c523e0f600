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
 * -11; the optional SFrame functions also -13 UNKNOWN_KID and -14
 * REPLAYED). *out_len is the capacity of out on entry and the bytes written on
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

/* ------------------------------------------------------------------ */
/* SFrame (RFC 9605), optional: docs/conformance.md section 7.3.       */
/* A library without SFrame does not export these two symbols; callers */
/* look them up with dlsym and skip SFrame when they are absent.       */
/* Extra statuses: -13 UNKNOWN_KID, -14 REPLAYED (chanenc.h).          */
/* ------------------------------------------------------------------ */

#define CE1_IMPL_SFRAME_PROTECT_SYMBOL "ce1_impl_sframe_protect"
#define CE1_IMPL_SFRAME_UNPROTECT_SYMBOL "ce1_impl_sframe_unprotect"

/* One receive key: a KID and its base key. */
typedef struct ce1_impl_sframe_key {
  uint64_t kid;
  const uint8_t *base_key;
  size_t base_key_len;
} ce1_impl_sframe_key;

/* A frame the receiver accepted earlier, with its metadata. */
typedef struct ce1_impl_sframe_frame {
  const uint8_t *frame;
  size_t frame_len;
  const uint8_t *metadata;
  size_t metadata_len;
} ce1_impl_sframe_frame;

/* Protects payload in the suite (1..8) with base_key as the send key of
   kid, at the explicit counter ctr, with metadata authenticated. out gets
   the SFrame ciphertext; payload_len + 33 bytes always suffice. */
int ce1_impl_sframe_protect(int suite, uint64_t kid, uint64_t ctr,
                            const uint8_t *base_key, size_t base_key_len,
                            const uint8_t *metadata, size_t metadata_len,
                            const uint8_t *payload, size_t payload_len,
                            uint8_t *out, size_t *out_len);
/* Unprotects frame for a receiver of the suite holding keys[0..n_keys) as
   receive keys, with replay window replay_window (0 off .. 1024), that has
   accepted accepted[0..n_accepted) in that order. On success out gets the
   payload (frame_len bytes always suffice), *kid and *ctr the header's
   values (each may be NULL). */
int ce1_impl_sframe_unprotect(int suite, const ce1_impl_sframe_key *keys,
                              size_t n_keys, size_t replay_window,
                              const ce1_impl_sframe_frame *accepted,
                              size_t n_accepted, const uint8_t *metadata,
                              size_t metadata_len, const uint8_t *frame,
                              size_t frame_len, uint8_t *out, size_t *out_len,
                              uint64_t *kid, uint64_t *ctr);

typedef int (*ce1_impl_sframe_protect_fn)(
    int suite, uint64_t kid, uint64_t ctr, const uint8_t *base_key,
    size_t base_key_len, const uint8_t *metadata, size_t metadata_len,
    const uint8_t *payload, size_t payload_len, uint8_t *out, size_t *out_len);
typedef int (*ce1_impl_sframe_unprotect_fn)(
    int suite, const ce1_impl_sframe_key *keys, size_t n_keys,
    size_t replay_window, const ce1_impl_sframe_frame *accepted,
    size_t n_accepted, const uint8_t *metadata, size_t metadata_len,
    const uint8_t *frame, size_t frame_len, uint8_t *out, size_t *out_len,
    uint64_t *kid, uint64_t *ctr);

#ifdef __cplusplus
}
#endif

#endif /* CE1_IMPL_H */
