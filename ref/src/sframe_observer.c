/*
 * sframe_observer.c - SFrame as the channel's packet observer
 * (chanenc_sframe_observer.h). The observer owns one output buffer per
 * direction; each callback runs ce_sframe_protect_into or
 * ce_sframe_unprotect_into from the packet it is handed into that buffer
 * and points the packet at it (chanenc_channel.h: the buffer stays valid
 * until the channel call returns). Nothing here allocates per packet.
 */
#include "chanenc_sframe_observer.h"
#include "internal.h"

#include <stdlib.h>

/* Largest packet the channel hands an observer (a CE1 frame of the
   largest payload), plus what SFrame adds. */
#define CE__SFOBS_BUF (CE_MAX_FRAME + CE_SFRAME_MAX_OVERHEAD)

struct ce_sframe_observer {
  ce_sframe_ctx *ctx;
  uint64_t send_kid;
  ce_status send_status, recv_status;
  uint8_t *send_buf, *recv_buf; /* CE__SFOBS_BUF bytes each */
};

ce_status ce_sframe_observer_new(ce_sframe_ctx *ctx, uint64_t send_kid,
                                 ce_sframe_observer **out) {
  if (out == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  *out = NULL;
  if (ctx == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  ce_sframe_observer *o = ce__calloc(1, sizeof *o);
  if (o == NULL)
    return CE_ERR_INTERNAL;
  o->ctx = ctx;
  o->send_kid = send_kid;
  o->send_buf = ce__malloc(CE__SFOBS_BUF);
  o->recv_buf = o->send_buf ? ce__malloc(CE__SFOBS_BUF) : NULL;
  if (o->recv_buf == NULL) {
    ce_sframe_observer_free(o);
    return CE_ERR_INTERNAL;
  }
  *out = o;
  return CE_OK;
}

void ce_sframe_observer_free(ce_sframe_observer *obs) {
  if (obs == NULL)
    return;
  if (obs->send_buf != NULL)
    ce_wipe(obs->send_buf, CE__SFOBS_BUF);
  if (obs->recv_buf != NULL)
    ce_wipe(obs->recv_buf, CE__SFOBS_BUF); /* held plaintext */
  free(obs->send_buf);
  free(obs->recv_buf);
  free(obs);
}

ce_status ce_sframe_observer_set_send_kid(ce_sframe_observer *obs,
                                          uint64_t kid) {
  if (obs == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  obs->send_kid = kid;
  return CE_OK;
}

ce_status ce_sframe_observer_status(const ce_sframe_observer *obs,
                                    int sending) {
  if (obs == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  return sending ? obs->send_status : obs->recv_status;
}

/* The packet kind, authenticated as metadata (not sent). */
static const uint8_t ce__kind_audio = 'a', ce__kind_video = 'v';

/* A failed packet is kept with a NULL buffer and a nonzero size: the
   channel's way for an observer to fail (CE_ERR_OBSERVER), never a silent
   drop. */
static int ce__sfobs_fail(ce_packet *pkt) {
  pkt->buffer = NULL;
  pkt->size = 1;
  return 1;
}

static int ce__sfobs_send(ce_sframe_observer *o, ce_packet *pkt,
                          const uint8_t *kind) {
  size_t len = CE__SFOBS_BUF;
  o->send_status = ce_sframe_protect_into(
      o->ctx, o->send_kid, kind, 1, pkt->buffer, pkt->size, o->send_buf, &len);
  if (o->send_status != CE_OK)
    return ce__sfobs_fail(pkt);
  pkt->buffer = o->send_buf;
  pkt->size = (unsigned)len; /* <= CE__SFOBS_BUF */
  return 1;
}

static int ce__sfobs_receive(ce_sframe_observer *o, ce_packet *pkt,
                             const uint8_t *kind) {
  size_t len = CE__SFOBS_BUF;
  o->recv_status = ce_sframe_unprotect_into(
      o->ctx, kind, 1, pkt->buffer, pkt->size, o->recv_buf, &len, NULL, NULL);
  if (o->recv_status != CE_OK)
    return ce__sfobs_fail(pkt);
  pkt->buffer = o->recv_buf;
  pkt->size = (unsigned)len;
  return 1;
}

static int ce__sfobs_send_audio(void *u, ce_packet *p) {
  return ce__sfobs_send(u, p, &ce__kind_audio);
}
static int ce__sfobs_send_video(void *u, ce_packet *p) {
  return ce__sfobs_send(u, p, &ce__kind_video);
}
static int ce__sfobs_recv_audio(void *u, ce_packet *p) {
  return ce__sfobs_receive(u, p, &ce__kind_audio);
}
static int ce__sfobs_recv_video(void *u, ce_packet *p) {
  return ce__sfobs_receive(u, p, &ce__kind_video);
}

const ce_packet_observer *ce_sframe_observer_callbacks(void) {
  static const ce_packet_observer cbs = {
      ce__sfobs_send_audio, ce__sfobs_send_video, ce__sfobs_recv_audio,
      ce__sfobs_recv_video};
  return &cbs;
}
