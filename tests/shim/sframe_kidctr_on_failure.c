/*
 * sframe_kidctr_on_failure.c - libsframe_kidctr_on_failure.so, an SFrame C
 * ABI library (docs/conformance.md 7.3) that is the reference in every
 * respect but one: a failed ce1_impl_sframe_unprotect writes *kid and
 * *ctr, which section 7.3 forbids ("On failure nothing is written to out,
 * *out_len, *kid or *ctr").
 *
 * The test fuzz_replay_sframe_differential_kidctr_on_failure replays the
 * SFrame differential corpus against it and passes only when the harness
 * (fuzz/sframe_differential_fuzzer.c) reports the difference "KID or CTR
 * written on failure". The reference is tools/common/ce_sframe_abi.c,
 * linked in statically and kept local (hidden visibility and
 * --exclude-libs), as in fuzz/broken/ce1impl_broken.c.
 */
#include "ce1_impl.h"
#include "ce_sframe_abi.h"

#include <stddef.h>
#include <stdint.h>

#define SHIM_EXPORT __attribute__((visibility("default")))

SHIM_EXPORT int ce1_impl_sframe_protect(
    int suite, uint64_t kid, uint64_t ctr, const uint8_t *base_key,
    size_t base_key_len, const uint8_t *metadata, size_t metadata_len,
    const uint8_t *payload, size_t payload_len, uint8_t *out, size_t *out_len) {
  return ce_tools_sframe_protect(suite, kid, ctr, base_key, base_key_len,
                                 metadata, metadata_len, payload, payload_len,
                                 out, out_len);
}

SHIM_EXPORT int ce1_impl_sframe_unprotect(
    int suite, const ce1_impl_sframe_key *keys, size_t n_keys,
    size_t replay_window, const ce1_impl_sframe_frame *accepted,
    size_t n_accepted, const uint8_t *metadata, size_t metadata_len,
    const uint8_t *frame, size_t frame_len, uint8_t *out, size_t *out_len,
    uint64_t *kid, uint64_t *ctr) {
  int st = ce_tools_sframe_unprotect(
      suite, keys, n_keys, replay_window, accepted, n_accepted, metadata,
      metadata_len, frame, frame_len, out, out_len, kid, ctr);
  if (st != 0) { /* the planted bug */
    if (kid != NULL)
      *kid = 0xdeadbeef;
    if (ctr != NULL)
      *ctr = 0xdeadbeef;
  }
  return st;
}
