/*
 * srtp_peer.h - libsrtp2 AEAD_AES_128_GCM / AEAD_AES_256_GCM, the peer that
 * chanenc's GCM modes are compared with. Compiled in only when pkg-config
 * finds libsrtp2 (CE_BENCH_HAVE_SRTP).
 *
 * Packets are RTP: a 12-byte header (V=2, PT 96, one SSRC) and the payload;
 * srtp_protect appends the 16-byte GCM tag. srtp_protect refuses a
 * sequence number it has already used and srtp_unprotect one it has already
 * accepted (replay protection), so the sender writes a fresh sequence number
 * into every packet and the receiver is given each protected packet once
 * (see ce_bench.cc for the ring method).
 */
#ifndef CE_BENCH_SRTP_PEER_H
#define CE_BENCH_SRTP_PEER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SP_RTP_HEADER 12
#define SP_TAG 16

typedef struct sp_session sp_session;

/* Initialises libsrtp once; 0 on success. */
int sp_init(void);
/* libsrtp's version string, e.g. "libsrtp2 2.5.0". */
const char *sp_version(void);

/* A session for key_bits 128 or 256 (AEAD GCM, 16-byte tag), sending
   (outbound = 1) or receiving, with a fixed master key and salt. NULL on
   failure. */
sp_session *sp_new(int key_bits, int outbound);
void sp_free(sp_session *s);
/* Replaces a receiving session by a fresh one (empty replay window). */
int sp_reset(sp_session *s);

/* Writes the 12-byte RTP header with sequence number seq at pkt. */
void sp_write_header(uint8_t *pkt, uint16_t seq);

/* srtp_protect in place: pkt[0..*len) is header + payload; needs
   SP_TAG more bytes of room. 0 on success, else libsrtp's status. */
int sp_protect(sp_session *s, uint8_t *pkt, size_t *len);
/* srtp_unprotect in place. 0 on success, else libsrtp's status. */
int sp_unprotect(sp_session *s, uint8_t *pkt, size_t *len);

#ifdef __cplusplus
}
#endif

#endif
