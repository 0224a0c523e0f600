/*
 * chacha_observer.h - authenticated custom encryption through the packet
 * observer (docs/spec.md section 11): ChaCha20-Poly1305 (RFC 8439) from
 * OpenSSL EVP. It shows that "custom encryption" need not mean XOR.
 *
 * Wire format of one packet (what on_send_* produces, on_receive_*
 * expects):
 *
 *     nonce(12) || ChaCha20-Poly1305(key, nonce, aad, packet) || tag(16)
 *     nonce = prefix(4) || BE64(counter)
 *     aad   = one byte: 0x01 for audio, 0x02 for video
 *
 * The 4-byte prefix and the counter's starting value are drawn from the
 * CSPRNG when the observer is made, and the counter adds 1 per packet, so
 * a nonce never repeats within one observer, and two observers sharing a
 * key (every member of a channel) collide only if their 96 random bits
 * land within the number of packets they send of each other: about
 * n^2 * m / 2^96 for n senders of m packets (the same argument as spec
 * 4.4, with 32 more bits). Rekey per session all the same. The aad binds
 * each packet to its kind: an audio packet replayed as video is rejected.
 *
 * On receive a packet whose tag does not verify (wrong key, any flipped
 * bit, a kind swap) or that is shorter than CE_CHACHA_OVERHEAD is dropped:
 * the callback returns 0, so the channel returns CE_DROPPED and counts it
 * as receive_dropped, and the observer counts it in
 * ce_chacha_observer_rejected. Unverified plaintext is never handed on.
 *
 * A packet too large for the observer's buffers (see max_plain), or an
 * OpenSSL failure, is refused the way xor_observer.h describes: kept with
 * a NULL buffer and a nonzero size, which the channel reports as
 * CE_ERR_OBSERVER. Nothing is truncated.
 *
 * Threading: send callbacks use only the sending cipher context, buffer
 * and counter; receive callbacks only the receiving ones; the rejected
 * counter is atomic. So one instance serves one channel with one sender
 * and one receiver thread. Give every channel its own instance.
 */
#ifndef CE_CHACHA_OBSERVER_H
#define CE_CHACHA_OBSERVER_H

#include "chanenc_channel.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CE_CHACHA_KEY_LEN 32u
#define CE_CHACHA_NONCE_LEN 12u
#define CE_CHACHA_TAG_LEN 16u
#define CE_CHACHA_OVERHEAD 28u /* nonce + tag */
#define CE_CHACHA_AAD_AUDIO 0x01u
#define CE_CHACHA_AAD_VIDEO 0x02u

typedef struct ce_chacha_observer ce_chacha_observer;

/* Makes an observer with a 32-byte key (copied). max_plain is the largest
   packet it will encrypt (on send the observer sees the built-in frame, so
   use payload + CE_MAX_OVERHEAD); 0 means CE_MAX_FRAME. Both buffers are
   allocated here, so the callbacks never allocate.
   Statuses: CE_OK; CE_ERR_INVALID_ARGUMENT (out or key NULL, key_len not
   32, max_plain over INT_MAX - CE_CHACHA_OVERHEAD); CE_ERR_NOT_SUPPORTED
   (OpenSSL lacks ChaCha20-Poly1305); CE_ERR_INTERNAL (memory, CSPRNG or
   OpenSSL failure). On failure *out is NULL (when out is not NULL). */
ce_status ce_chacha_observer_new(const uint8_t *key, size_t key_len,
                                 size_t max_plain, ce_chacha_observer **out);

/* Wipes the key and buffers and frees. NULL is a no-op. Unregister it from
   every channel first. */
void ce_chacha_observer_free(ce_chacha_observer *obs);

/* The four callbacks; register with user = the ce_chacha_observer. */
const ce_packet_observer *ce_chacha_observer_callbacks(void);

/* Received packets rejected so far (too short or tag not verified).
   Safe to call from any thread; 0 for NULL. */
uint64_t ce_chacha_observer_rejected(const ce_chacha_observer *obs);

#ifdef __cplusplus
}
#endif

#endif
