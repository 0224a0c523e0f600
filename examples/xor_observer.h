/*
 * xor_observer.h - the SDK documentation's custom-encryption sample (XOR
 * every byte with 0x55) as a ce_packet_observer, done right.
 *
 * XOR is NOT encryption: anyone can undo it. This example exists to show
 * the observer rules (docs/spec.md section 11), not to protect anything; see
 * chacha_observer.h for custom encryption that does.
 *
 * What the SDK sample gets wrong, and what this one does instead:
 *  - It writes into fixed 2048-byte member buffers and silently truncates
 *    longer packets (the loop stops at the buffer size and reports the
 *    shorter size). Here the caller supplies the output buffers and their
 *    capacity, and a packet that does not fit is REFUSED, never cut.
 *  - Its state lives in one global object. Here all state is in a
 *    ce_xor_observer passed as the observer's user pointer, so any number
 *    of instances can coexist (the code is reentrant).
 *
 * Refusal contract: a packet longer than the direction's buffer is kept
 * (the callback returns 1) with pkt->buffer set to NULL and pkt->size left
 * nonzero: a packet no observer can legally produce. The channel turns it
 * into CE_ERR_OBSERVER and an INTERNAL_FAILURE error callback, so the
 * failure is counted and visible. Dropping instead (returning 0) would
 * look like a deliberate, silent drop, which is what a misconfigured
 * buffer must not look like.
 *
 * Threading: sending callbacks use only tx, receiving callbacks only rx.
 * A ce_channel runs its send callbacks one at a time and its receive
 * callbacks one at a time, so one instance serves one channel with a
 * sender and a receiver thread. Do not share an instance between channels
 * that may send (or receive) at the same time.
 */
#ifndef CE_XOR_OBSERVER_H
#define CE_XOR_OBSERVER_H

#include "chanenc_channel.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The SDK sample's constant. */
#define CE_XOR_SDK_KEY 0x55u

typedef struct ce_xor_observer {
  unsigned char key; /* XOR byte */
  unsigned char *tx; /* output of on_send_*, caller's memory */
  size_t tx_cap;     /* bytes at tx */
  unsigned char *rx; /* output of on_receive_*, caller's memory */
  size_t rx_cap;     /* bytes at rx */
} ce_xor_observer;

/* Fills *x. tx and rx must be distinct, non-overlapping buffers of tx_cap
   and rx_cap bytes that outlive the registration; packets larger than the
   buffer of their direction are refused (see above). Size them as the
   largest wire packet: payload + CE_MAX_OVERHEAD, or CE_MAX_FRAME for any.
   Statuses: CE_OK; CE_ERR_INVALID_ARGUMENT (x NULL, a buffer NULL with a
   nonzero capacity, or overlapping buffers). */
ce_status ce_xor_observer_init(ce_xor_observer *x, unsigned char key,
                               unsigned char *tx, size_t tx_cap,
                               unsigned char *rx, size_t rx_cap);

/* The four callbacks; register with user = the ce_xor_observer:
   ce_channel_register_packet_observer(ch, ce_xor_observer_callbacks(), &x).
   Each returns 1 (keep) with the XORed packet in tx or rx, or the refusal
   above; a NULL user is refused the same way. */
const ce_packet_observer *ce_xor_observer_callbacks(void);

#ifdef __cplusplus
}
#endif

#endif
