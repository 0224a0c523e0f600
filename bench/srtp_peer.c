/*
 * srtp_peer.c - the libsrtp2 peer (see srtp_peer.h).
 */
#include "srtp_peer.h"

#include <stdlib.h>
#include <string.h>

#include <srtp2/srtp.h>

#define SP_SSRC 0x5ca1ab1eu
/* Replay window: in-order packets never need more than 64, but a large
   window is what a receiver facing reordering would use. */
#define SP_WINDOW 1024u

struct sp_session {
  srtp_t srtp;
  int key_bits;
  int outbound;
  /* Master key || master salt: 16 + 12 or 32 + 12 bytes. */
  uint8_t key[SRTP_AES_GCM_256_KEY_LEN_WSALT];
};

int sp_init(void) {
  return srtp_init() == srtp_err_status_ok ? 0 : -1;
}

const char *sp_version(void) {
  return srtp_get_version_string();
}

static int sp_create(sp_session *s) {
  srtp_policy_t p;
  memset(&p, 0, sizeof p);
  if (s->key_bits == 128) {
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&p.rtp);
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&p.rtcp);
  } else {
    srtp_crypto_policy_set_aes_gcm_256_16_auth(&p.rtp);
    srtp_crypto_policy_set_aes_gcm_256_16_auth(&p.rtcp);
  }
  p.ssrc.type = ssrc_specific;
  p.ssrc.value = SP_SSRC;
  p.key = s->key;
  p.window_size = SP_WINDOW;
  p.allow_repeat_tx = 0;
  p.next = NULL;
  return srtp_create(&s->srtp, &p) == srtp_err_status_ok ? 0 : -1;
}

sp_session *sp_new(int key_bits, int outbound) {
  if (key_bits != 128 && key_bits != 256)
    return NULL;
  sp_session *s = calloc(1, sizeof *s);
  if (s == NULL)
    return NULL;
  s->key_bits = key_bits;
  s->outbound = outbound;
  for (size_t i = 0; i < sizeof s->key; i++)
    s->key[i] = (uint8_t)(0x40 + i * 7);
  if (sp_create(s) != 0) {
    free(s);
    return NULL;
  }
  return s;
}

void sp_free(sp_session *s) {
  if (s == NULL)
    return;
  srtp_dealloc(s->srtp);
  free(s);
}

int sp_reset(sp_session *s) {
  srtp_dealloc(s->srtp);
  s->srtp = NULL;
  return sp_create(s);
}

void sp_write_header(uint8_t *pkt, uint16_t seq) {
  uint32_t ts = (uint32_t)seq * 960u;
  pkt[0] = 0x80; /* V=2, no padding, no extension, no CSRC */
  pkt[1] = 96;   /* dynamic payload type, no marker */
  pkt[2] = (uint8_t)(seq >> 8);
  pkt[3] = (uint8_t)seq;
  pkt[4] = (uint8_t)(ts >> 24);
  pkt[5] = (uint8_t)(ts >> 16);
  pkt[6] = (uint8_t)(ts >> 8);
  pkt[7] = (uint8_t)ts;
  pkt[8] = (uint8_t)(SP_SSRC >> 24);
  pkt[9] = (uint8_t)(SP_SSRC >> 16);
  pkt[10] = (uint8_t)(SP_SSRC >> 8);
  pkt[11] = (uint8_t)SP_SSRC;
}

int sp_protect(sp_session *s, uint8_t *pkt, size_t *len) {
  int l = (int)*len;
  srtp_err_status_t st = srtp_protect(s->srtp, pkt, &l);
  if (st != srtp_err_status_ok)
    return (int)st;
  *len = (size_t)l;
  return 0;
}

int sp_unprotect(sp_session *s, uint8_t *pkt, size_t *len) {
  int l = (int)*len;
  srtp_err_status_t st = srtp_unprotect(s->srtp, pkt, &l);
  if (st != srtp_err_status_ok)
    return (int)st;
  *len = (size_t)l;
  return 0;
}
