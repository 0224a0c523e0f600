/*
 * ce_sframe_abi.h - the reference's answers to the SFrame operations of
 * the C ABI (docs/conformance.md section 7.3, tools/ce1_impl.h): one
 * implementation shared by libce1impl_ref.so, the differential fuzz
 * harness (fuzz/sframe_differential_fuzzer.c) and the planted-bug library,
 * so that "what the reference says" is written once.
 *
 * Same arguments, statuses and rules as ce1_impl_sframe_protect and
 * ce1_impl_sframe_unprotect.
 */
#ifndef CE_SFRAME_ABI_H
#define CE_SFRAME_ABI_H

#include "ce1_impl.h"

#include <stddef.h>
#include <stdint.h>

int ce_tools_sframe_protect(int suite, uint64_t kid, uint64_t ctr,
                            const uint8_t *base_key, size_t base_key_len,
                            const uint8_t *metadata, size_t metadata_len,
                            const uint8_t *payload, size_t payload_len,
                            uint8_t *out, size_t *out_len);

int ce_tools_sframe_unprotect(int suite, const ce1_impl_sframe_key *keys,
                              size_t n_keys, size_t replay_window,
                              const ce1_impl_sframe_frame *accepted,
                              size_t n_accepted, const uint8_t *metadata,
                              size_t metadata_len, const uint8_t *frame,
                              size_t frame_len, uint8_t *out, size_t *out_len,
                              uint64_t *kid, uint64_t *ctr);

#endif /* CE_SFRAME_ABI_H */
