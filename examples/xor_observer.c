/*
 * xor_observer.c - the SDK's XOR-0x55 sample observer without fixed
 * buffers, truncation or global state. See xor_observer.h.
 */
#include "xor_observer.h"

#include <stdint.h>

ce_status ce_xor_observer_init(ce_xor_observer *x, unsigned char key,
                               unsigned char *tx, size_t tx_cap,
                               unsigned char *rx, size_t rx_cap) {
  if (x == NULL || (tx == NULL && tx_cap != 0) || (rx == NULL && rx_cap != 0))
    return CE_ERR_INVALID_ARGUMENT;
  /* Overlap would let a receive overwrite a send in flight on the other
     thread. Integer comparison: the buffers may be distinct objects. */
  uintptr_t t = (uintptr_t)tx, r = (uintptr_t)rx;
  if (tx_cap != 0 && rx_cap != 0 && t < r + rx_cap && r < t + tx_cap)
    return CE_ERR_INVALID_ARGUMENT;
  x->key = key;
  x->tx = tx;
  x->tx_cap = tx_cap;
  x->rx = rx;
  x->rx_cap = rx_cap;
  return CE_OK;
}

/* XORs pkt into out[0..cap) and repoints pkt there, or refuses a packet
   that does not fit by keeping it with a NULL buffer (the header explains
   why refusing beats both truncating and dropping). */
static int xor_into(unsigned char key, unsigned char *out, size_t cap,
                    ce_packet *pkt) {
  if (out == NULL || pkt->size > cap) {
    if (pkt->size == 0)
      return 1; /* nothing to transform, nothing to refuse */
    pkt->buffer = NULL;
    return 1;
  }
  for (unsigned i = 0; i < pkt->size; i++)
    out[i] = (unsigned char)(pkt->buffer[i] ^ key);
  pkt->buffer = out;
  return 1;
}

static int xor_send(void *user, ce_packet *pkt) {
  ce_xor_observer *x = user;
  if (x == NULL) {
    if (pkt->size != 0)
      pkt->buffer = NULL;
    return 1;
  }
  return xor_into(x->key, x->tx, x->tx_cap, pkt);
}

static int xor_receive(void *user, ce_packet *pkt) {
  ce_xor_observer *x = user;
  if (x == NULL) {
    if (pkt->size != 0)
      pkt->buffer = NULL;
    return 1;
  }
  return xor_into(x->key, x->rx, x->rx_cap, pkt);
}

/* XOR is its own inverse, so audio and video, send and receive differ only
   in which buffer they write. */
static const ce_packet_observer xor_callbacks = {xor_send, xor_send,
                                                 xor_receive, xor_receive};

const ce_packet_observer *ce_xor_observer_callbacks(void) {
  return &xor_callbacks;
}
