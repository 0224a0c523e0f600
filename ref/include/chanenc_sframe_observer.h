/*
 * chanenc_sframe_observer.h - SFrame (RFC 9605) end-to-end encryption as a
 * packet observer for the channel (chanenc_channel.h, docs/sframe.md
 * section "As a packet observer").
 *
 * Every outgoing audio and video packet is protected under the sender's
 * KID (its next CTR) and every incoming one is unprotected with the
 * receive key its header names, so a media server that forwards packets
 * cannot read them, and each sender has its own key and nonce space. The
 * packet kind is bound as SFrame metadata (one byte, 'a' or 'v'): an
 * audio packet replayed as video fails authentication.
 *
 * It works with built-in CE1 encryption on or off. With CE1 on, the channel
 * protects with CE1 first and the observer wraps the CE1 frame on send; on
 * receive the observer unwraps before CE1 unprotects (docs/spec.md 11.2).
 *
 * A failure (no key for the KID, replayed CTR, altered packet, counter
 * exhausted) fails the packet with CE_ERR_OBSERVER, which the channel
 * counts and reports to its error callback; ce_sframe_observer_status
 * tells the precise SFrame status of the last packet in each direction.
 *
 * Threading: as the channel's: one sending and one receiving thread. Key
 * changes (ce_sframe_add_key, _remove_key on the context) and
 * ce_sframe_observer_set_send_kid are control calls: not while packets
 * flow through the observer.
 */
#ifndef CHANENC_SFRAME_OBSERVER_H
#define CHANENC_SFRAME_OBSERVER_H

#include "chanenc_channel.h"
#include "chanenc_sframe.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ce_sframe_observer ce_sframe_observer;

/* An observer over ctx (borrowed: it must outlive the observer) that sends
   under send_kid, which needs a send key in ctx by the first packet.
   Allocates its two packet buffers here (the packet path allocates
   nothing). Statuses: CE_OK; CE_ERR_INVALID_ARGUMENT (NULL ctx or out);
   CE_ERR_INTERNAL. *out is NULL on failure (when out is not NULL). */
CE_API ce_status ce_sframe_observer_new(ce_sframe_ctx *ctx, uint64_t send_kid,
                                        ce_sframe_observer **out);
/* Wipes the buffers and frees. NULL is a no-op. Unregister first. */
CE_API void ce_sframe_observer_free(ce_sframe_observer *obs);
/* Key rotation: later packets are sent under kid (control call). */
CE_API ce_status ce_sframe_observer_set_send_kid(ce_sframe_observer *obs,
                                                 uint64_t kid);
/* The four callbacks; register them with the observer as the user
   pointer: ce_channel_register_packet_observer(ch,
   ce_sframe_observer_callbacks(), obs). */
CE_API const ce_packet_observer *ce_sframe_observer_callbacks(void);
/* The SFrame status of the last packet in a direction (sending nonzero:
   the send side), CE_OK when it went through or none has yet;
   CE_ERR_INVALID_ARGUMENT for NULL. */
CE_API ce_status ce_sframe_observer_status(const ce_sframe_observer *obs,
                                           int sending);

#ifdef __cplusplus
}
#endif

#endif /* CHANENC_SFRAME_OBSERVER_H */
