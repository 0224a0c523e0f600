/*
 * chanenc_testing.h - the testing interface of chanenc. NOT FOR LIVE
 * TRAFFIC.
 *
 * Everything here lets a caller choose what the production API never lets
 * a caller choose: the packet number of a frame (reusing one with the same
 * key breaks GCM and weakens XTS), or make the library's own calls fail.
 * It exists for known-answer vectors, conformance adapters, fuzzers and the
 * fault-injection test. These functions are compiled into the static
 * library chanenc_testing only; the installed libchanenc (shared and
 * static) and its headers do not contain them.
 */
#ifndef CHANENC_TESTING_H
#define CHANENC_TESTING_H

#include "chanenc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* As ce_protect, but the frame carries packet number pn (ignored by the
   ECB modes). Does not read, advance or otherwise touch the context's own
   packet number, and does not check for fork. Statuses and buffer rules:
   as ce_protect. */
ce_status ce_testing_protect_pn(ce_ctx *ctx, uint64_t pn, uint8_t *buf,
                                size_t *len, size_t cap);
/* As ce_protect_into, with packet number pn (see ce_testing_protect_pn). */
ce_status ce_testing_protect_pn_into(ce_ctx *ctx, uint64_t pn,
                                     const uint8_t *in, size_t in_len,
                                     uint8_t *out, size_t *out_len);

/*
 * Fault injection (only in a build configured with -DCE_FAULT_INJECTION=ON;
 * elsewhere ce_testing_fault_available() returns 0 and the rest do
 * nothing).
 *
 * Every OpenSSL call, allocation and lock initialisation in ref/src is a
 * fault site. ce_testing_fault_arm(n) makes the n-th site that this thread
 * reaches from now on fail as that call can fail (n >= 1; 0 disarms). A
 * test arms 1, 2, 3, ... around one operation until an operation completes
 * without the armed fault firing: then every site on that operation's path
 * has failed once.
 */
int ce_testing_fault_available(void);
void ce_testing_fault_arm(unsigned long nth);
/* Sites this thread reached since the last arm. */
unsigned long ce_testing_fault_hits(void);
/* Name of the site that failed since the last arm ("gcm.open.update"), or
   NULL when none did. */
const char *ce_testing_fault_fired(void);

#ifdef __cplusplus
}
#endif

#endif /* CHANENC_TESTING_H */
