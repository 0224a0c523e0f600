/*
 * chacha_observer.c - ChaCha20-Poly1305 custom encryption as a packet
 * observer. Format and contract in chacha_observer.h.
 */
#include "chacha_observer.h"

#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

struct ce_chacha_observer {
  EVP_CIPHER *cipher;
  /* Keyed once in _new; per packet only the nonce is set. One context per
     direction so a sender and a receiver thread never share one. */
  EVP_CIPHER_CTX *enc; /* send side */
  EVP_CIPHER_CTX *dec; /* receive side */
  uint8_t prefix[4];
  uint64_t counter;  /* send side: next nonce counter */
  size_t max_plain;  /* largest plaintext either way */
  unsigned char *tx; /* max_plain + CE_CHACHA_OVERHEAD bytes */
  unsigned char *rx; /* max_plain bytes (at least 1) */
  _Atomic uint64_t rejected;
};

void ce_chacha_observer_free(ce_chacha_observer *obs) {
  if (obs == NULL)
    return;
  /* EVP_CIPHER_CTX_free cleanses the key schedule. */
  EVP_CIPHER_CTX_free(obs->enc);
  EVP_CIPHER_CTX_free(obs->dec);
  EVP_CIPHER_free(obs->cipher);
  if (obs->tx != NULL)
    ce_wipe(obs->tx, obs->max_plain + CE_CHACHA_OVERHEAD);
  if (obs->rx != NULL)
    ce_wipe(obs->rx, obs->max_plain + 1);
  free(obs->tx);
  free(obs->rx);
  ce_wipe(obs, sizeof *obs);
  free(obs);
}

ce_status ce_chacha_observer_new(const uint8_t *key, size_t key_len,
                                 size_t max_plain, ce_chacha_observer **out) {
  if (out == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  *out = NULL;
  if (key == NULL || key_len != CE_CHACHA_KEY_LEN ||
      max_plain > (size_t)INT_MAX - CE_CHACHA_OVERHEAD)
    return CE_ERR_INVALID_ARGUMENT;
  if (max_plain == 0)
    max_plain = CE_MAX_FRAME;
  ce_chacha_observer *obs = calloc(1, sizeof *obs);
  if (obs == NULL)
    return CE_ERR_INTERNAL;
  atomic_init(&obs->rejected, 0);
  obs->max_plain = max_plain;
  obs->cipher = EVP_CIPHER_fetch(NULL, "ChaCha20-Poly1305", NULL);
  if (obs->cipher == NULL) {
    ERR_clear_error();
    ce_chacha_observer_free(obs);
    return CE_ERR_NOT_SUPPORTED;
  }
  obs->enc = EVP_CIPHER_CTX_new();
  obs->dec = EVP_CIPHER_CTX_new();
  obs->tx = malloc(max_plain + CE_CHACHA_OVERHEAD);
  obs->rx = malloc(max_plain + 1); /* + 1: never malloc(0) */
  uint8_t ctr[8];
  if (obs->enc == NULL || obs->dec == NULL || obs->tx == NULL ||
      obs->rx == NULL ||
      EVP_EncryptInit_ex2(obs->enc, obs->cipher, key, NULL, NULL) != 1 ||
      EVP_DecryptInit_ex2(obs->dec, obs->cipher, key, NULL, NULL) != 1 ||
      RAND_bytes(obs->prefix, (int)sizeof obs->prefix) != 1 ||
      RAND_bytes(ctr, (int)sizeof ctr) != 1) {
    ERR_clear_error();
    ce_chacha_observer_free(obs);
    return CE_ERR_INTERNAL;
  }
  for (int i = 0; i < 8; i++)
    obs->counter = obs->counter << 8 | ctr[i];
  *out = obs;
  return CE_OK;
}

uint64_t ce_chacha_observer_rejected(const ce_chacha_observer *obs) {
  if (obs == NULL)
    return 0;
  return atomic_load_explicit(&obs->rejected, memory_order_relaxed);
}

/* Keeps the packet with a NULL buffer and a nonzero size: the channel
   reports CE_ERR_OBSERVER (see xor_observer.h for why not drop). */
static int refuse(ce_packet *pkt) {
  pkt->buffer = NULL;
  if (pkt->size == 0)
    pkt->size = 1;
  ERR_clear_error();
  return 1;
}

static int reject(ce_chacha_observer *obs) {
  atomic_fetch_add_explicit(&obs->rejected, 1, memory_order_relaxed);
  ERR_clear_error();
  return 0;
}

static int seal(void *user, ce_packet *pkt, unsigned char aad) {
  ce_chacha_observer *obs = user;
  if (obs == NULL || pkt->size > obs->max_plain)
    return refuse(pkt);
  /* max_plain <= INT_MAX - overhead (checked in _new): the casts to int
     below cannot overflow. */
  int n = (int)pkt->size, outl = 0;
  unsigned char *nonce = obs->tx, *ct = obs->tx + CE_CHACHA_NONCE_LEN;
  memcpy(nonce, obs->prefix, sizeof obs->prefix);
  for (int i = 0; i < 8; i++)
    nonce[4 + i] = (unsigned char)(obs->counter >> (56 - 8 * i));
  if (EVP_EncryptInit_ex2(obs->enc, NULL, NULL, nonce, NULL) != 1 ||
      EVP_EncryptUpdate(obs->enc, NULL, &outl, &aad, 1) != 1)
    return refuse(pkt);
  if (n > 0 && (EVP_EncryptUpdate(obs->enc, ct, &outl, pkt->buffer, n) != 1 ||
                outl != n))
    return refuse(pkt);
  if (EVP_EncryptFinal_ex(obs->enc, ct + n, &outl) != 1 || outl != 0 ||
      EVP_CIPHER_CTX_ctrl(obs->enc, EVP_CTRL_AEAD_GET_TAG,
                          (int)CE_CHACHA_TAG_LEN, ct + n) != 1)
    return refuse(pkt);
  /* Advance only once the nonce has been used for a packet that leaves. */
  obs->counter++;
  pkt->buffer = obs->tx;
  pkt->size += CE_CHACHA_OVERHEAD;
  return 1;
}

static int open_packet(void *user, ce_packet *pkt, unsigned char aad) {
  ce_chacha_observer *obs = user;
  if (obs == NULL)
    return refuse(pkt);
  if (pkt->size < CE_CHACHA_OVERHEAD)
    return reject(obs);
  size_t m = pkt->size - CE_CHACHA_OVERHEAD;
  if (m > obs->max_plain)
    return refuse(pkt);
  int n = (int)m, outl = 0;
  const unsigned char *nonce = pkt->buffer;
  const unsigned char *ct = pkt->buffer + CE_CHACHA_NONCE_LEN;
  unsigned char tag[CE_CHACHA_TAG_LEN]; /* the ctrl wants a mutable one */
  memcpy(tag, ct + m, sizeof tag);
  if (EVP_DecryptInit_ex2(obs->dec, NULL, NULL, nonce, NULL) != 1 ||
      EVP_CIPHER_CTX_ctrl(obs->dec, EVP_CTRL_AEAD_SET_TAG,
                          (int)CE_CHACHA_TAG_LEN, tag) != 1 ||
      EVP_DecryptUpdate(obs->dec, NULL, &outl, &aad, 1) != 1)
    return refuse(pkt);
  if (n > 0 &&
      (EVP_DecryptUpdate(obs->dec, obs->rx, &outl, ct, n) != 1 || outl != n))
    return refuse(pkt);
  if (EVP_DecryptFinal_ex(obs->dec, obs->rx + n, &outl) != 1) {
    /* Tag mismatch: wipe the unverified plaintext and drop. */
    ce_wipe(obs->rx, m);
    return reject(obs);
  }
  pkt->buffer = obs->rx;
  pkt->size = (unsigned)m;
  return 1;
}

static int send_audio(void *user, ce_packet *pkt) {
  return seal(user, pkt, CE_CHACHA_AAD_AUDIO);
}
static int send_video(void *user, ce_packet *pkt) {
  return seal(user, pkt, CE_CHACHA_AAD_VIDEO);
}
static int receive_audio(void *user, ce_packet *pkt) {
  return open_packet(user, pkt, CE_CHACHA_AAD_AUDIO);
}
static int receive_video(void *user, ce_packet *pkt) {
  return open_packet(user, pkt, CE_CHACHA_AAD_VIDEO);
}

static const ce_packet_observer chacha_callbacks = {
    send_audio, send_video, receive_audio, receive_video};

const ce_packet_observer *ce_chacha_observer_callbacks(void) {
  return &chacha_callbacks;
}
