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
#include "chanenc_channel.h"

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
 * The GCM cipher operations of one backend (CE_BACKEND_OPENSSL,
 * CE_BACKEND_IPSECMB) on their own, exactly as the GCM modes call them
 * (ref/src/backend.h), so that the standard GCM vectors run through every
 * backend: key of 16 or 32 bytes, IV of exactly 12 bytes, any AAD (NULL
 * when aad_len is 0), tag of tag_len 1..16 bytes (encrypt: the first
 * tag_len bytes of the full tag; decrypt: the first tag_len bytes are
 * verified). A fresh keyed state per call; out (and tag, encrypting) are
 * written only on CE_OK. Statuses: CE_ERR_INVALID_ARGUMENT (backend not
 * OPENSSL or IPSECMB, another key or IV length, NULL with a nonzero
 * length, tag_len outside 1..16); CE_ERR_TOO_LARGE (a length over
 * INT_MAX); CE_ERR_NOT_SUPPORTED (backend not built in, or not usable on
 * this CPU); CE_ERR_AUTH_FAILED (decrypt); CE_ERR_INTERNAL.
 */
ce_status ce_testing_gcm_backend_encrypt(int backend, const uint8_t *key,
                                         size_t key_len, const uint8_t *iv,
                                         size_t iv_len, const uint8_t *aad,
                                         size_t aad_len, const uint8_t *in,
                                         size_t len, uint8_t *out, uint8_t *tag,
                                         size_t tag_len);
ce_status ce_testing_gcm_backend_decrypt(int backend, const uint8_t *key,
                                         size_t key_len, const uint8_t *iv,
                                         size_t iv_len, const uint8_t *aad,
                                         size_t aad_len, const uint8_t *in,
                                         size_t len, const uint8_t *tag,
                                         size_t tag_len, uint8_t *out);

/*
 * The ECB block cipher of one backend (CE_BACKEND_OPENSSL for AES or SM4,
 * CE_BACKEND_SM4SIMD for SM4) on its own, exactly as the ECB modes call it
 * (ref/src/backend.h), so that the standard AES-128 and SM4 vectors run
 * through every backend: bc CE_BLOCK_AES or CE_BLOCK_SM4, a 16-byte key,
 * len a multiple of 16 up to 65,536 (0 does nothing), no padding. out is
 * written only on CE_OK and may equal in. Statuses: CE_ERR_INVALID_ARGUMENT
 * (backend not OPENSSL or SM4SIMD, another block cipher or key length,
 * NULL key, NULL in or out with a nonzero length, len not a multiple of
 * 16); CE_ERR_TOO_LARGE (len over 65,536); CE_ERR_NOT_SUPPORTED (the
 * backend does not serve that cipher, is not built in or not usable here
 * (ce_backend_select for mode 3 or 4), or OpenSSL lacks the cipher);
 * CE_ERR_INTERNAL.
 */
ce_status ce_testing_ecb_backend_crypt(int backend, ce_block_cipher bc,
                                       int encrypt, const uint8_t *key,
                                       size_t key_len, const uint8_t *in,
                                       size_t len, uint8_t *out);

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
/* Makes the backends in mask (bit 1u << CE_BACKEND_*) look unusable on
   this CPU, as on a machine without AES-NI, until called again with 0:
   CE_BACKEND_AUTO then chooses another, and naming one is
   CE_ERR_NOT_SUPPORTED. Only with fault injection (elsewhere a no-op);
   not while another thread creates contexts or checks configs. */
void ce_testing_backend_hide(unsigned mask);
/* Forgets what the backends set up once per process (the function
   pointers of intel-ipsec-mb's IMB_MGR, which the first context that
   needs them sets up), so that the next context sets a manager up again
   and reaches those fault sites, as the first context of a process does.
   Existing contexts keep working. Only with fault injection (elsewhere a
   no-op); not while another thread creates contexts. */
void ce_testing_backend_reset(void);

/* How many calls are holding or waiting for one direction of a channel
   (receive 0: send, else receive): ce_channel_send/receive calls and
   ce_channel_get_counters, which queue in arrival order (chanenc_channel.h,
   "Threading"). Lets a test know that a thread has joined the queue
   without timing. 0 when ch is NULL. */
unsigned long ce_testing_channel_queue(const ce_channel *ch, int receive);

#ifdef __cplusplus
}
#endif

#endif /* CHANENC_TESTING_H */
