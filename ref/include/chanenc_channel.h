/*
 * chanenc_channel.h - the packet observer (custom encryption) and the
 * channel pipeline of CE1 (spec section 11). Section numbers ("spec 11")
 * refer to docs/spec.md, as in chanenc.h.
 *
 * A ce_channel models one user's end of a real-time channel: it protects
 * what the application sends and unprotects what arrives, in the order
 * spec 11.2 fixes:
 *
 *   send:    payload -> built-in protect (if enabled) -> observer on_send_*
 *            -> wire
 *   receive: wire -> observer on_receive_* -> built-in unprotect (if
 *            enabled) -> payload
 *
 * Data-stream packets skip the observer and are protected only when the
 * config's datastream_encryption_enabled is set (spec 11.2).
 *
 * Buffer rule (as chanenc.h): ce_channel_send and ce_channel_receive work
 * on (buf, *len, cap). On CE_OK, buf[0..*len) holds the result. On
 * CE_DROPPED and on EVERY negative status, CE_ERR_INTERNAL included,
 * buf[0..cap) and *len are exactly as they were on entry: the channel
 * writes nothing to buf before the last check. The result (in the
 * context's buffers, in memory the observer points at, or a part of buf
 * itself) is copied into buf only once nothing can fail any more, so buf
 * never holds key stream or unauthenticated plaintext. Nothing is ever
 * truncated.
 *
 * Threading (read this before using a channel from several threads):
 *  - Every function below except ce_channel_free may be called from any
 *    thread at any time, concurrently with any other.
 *  - The packet path takes no lock, and it makes no system call unless
 *    another thread is using the same direction. Each direction has its
 *    own counters and a ticket: a ce_channel_send call takes the send
 *    ticket for the whole packet with one atomic fetch-and-add, a
 *    ce_channel_receive call the receive ticket. Both directions use the
 *    one ce_ctx of the current configuration, which allows one thread to
 *    protect while another unprotects (chanenc.h, "Thread safety"), so
 *    one sender thread and one receiver thread (the SDK's model) run in
 *    parallel and never wait for each other. Several threads sending on
 *    one channel are safe but are serialised, in the order they arrive (a
 *    waiting sender spins briefly, then yields the CPU until its turn);
 *    likewise for receiving.
 *  - Packets never wait for control calls. The control functions
 *    (ce_channel_enable_encryption, ce_channel_register_packet_observer,
 *    ce_channel_set_error_callback, ce_channel_set_max_wire_size,
 *    ce_channel_join, ce_channel_leave) are serialised among themselves by
 *    a mutex, publish the new settings with one atomic pointer store, and
 *    then wait until any packet that started with the old settings has
 *    ended. Their effect applies to every packet that starts after they
 *    return. Once they return, the previous observer, error callback,
 *    their user pointers and the previous context are no longer in use and
 *    will not be called again: the user data may be freed (the context is
 *    freed, keys wiped, by the call itself).
 *  - ce_channel_get_counters takes each direction's ticket in turn while
 *    it copies its counters (waiting behind the packets already queued
 *    there, as another sender would), so the counters of each direction
 *    are a consistent snapshot; the two directions are read one after the
 *    other.
 *  - Control calls are not cancellation points: a thread cancelled during
 *    one finishes it, and the cancellation takes effect at its next
 *    cancellation point.
 *  - ce_channel_enable_encryption derives keys once (PBKDF2 for GCM2, tens
 *    of milliseconds) before it takes the control mutex, so packets keep
 *    flowing with the old configuration meanwhile. When two calls race,
 *    the one that finishes deriving last wins.
 *  - Callbacks (observer and error callback) run on the thread that called
 *    send or receive, while that call holds its direction. Send-side
 *    callbacks and receive-side callbacks therefore run concurrently with
 *    each other: state that a callback shares between the two directions
 *    must be thread-safe. A callback must not call ce_channel_* on the
 *    channel that invoked it (such a call is detected and fails with
 *    CE_ERR_INVALID_ARGUMENT, or CE_SDK_ERR_INVALID_ARGUMENT from
 *    ce_channel_enable_encryption, instead of waiting for itself forever;
 *    ce_channel_free called from a callback does nothing), and must not
 *    wait for another thread that is calling into the same channel.
 *  - Callbacks must return normally: they must not throw a C++ exception
 *    through the library nor longjmp out of it. Either would leave the
 *    direction claimed, and the channel unusable.
 *  - ce_channel_free must not run concurrently with any other call on the
 *    same channel. Called from one of the channel's own callbacks it is
 *    refused and does nothing (the channel is still in use by the call
 *    that ran the callback); free it after that call has returned.
 *
 * The packet path never allocates: the only buffers it uses besides the
 * caller's (and the observer's) are those of the context, which
 * ce_channel_enable_encryption allocates together with the context.
 */
#ifndef CHANENC_CHANNEL_H
#define CHANENC_CHANNEL_H

#include "chanenc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Packet observer (spec 11.1, the SDK's IPacketObserver)              */
/* ------------------------------------------------------------------ */

/* A packet as the SDK's IPacketObserver::Packet. */
typedef struct ce_packet {
  const unsigned char *buffer;
  unsigned size;
} ce_packet;

/*
 * The four callbacks of the SDK's IPacketObserver. Each gets the user
 * pointer given at registration and the packet, and returns nonzero to
 * keep the packet, 0 to drop it (the call then returns CE_DROPPED: not an
 * error, counted as dropped, no error callback).
 *
 * On entry pkt->buffer points at pkt->size bytes that the observer may
 * read but must not write. They sit at the start of a region: the caller's
 * buffer buf[0..cap) (receive; send without built-in encryption) or the
 * context's frame buffer (send with built-in encryption). To change the
 * packet, the callback points pkt->buffer at memory of its own holding the
 * new pkt->size bytes; that memory must stay valid and unchanged until the
 * ce_channel_send/ce_channel_receive call that invoked the callback returns
 * (the channel copies it before returning). The callback may also shrink
 * the packet in place by moving pkt->buffer forward or lowering pkt->size
 * within the bytes it was given.
 *
 * What the channel accepts back from a kept packet:
 *  - size 0 (with any buffer, NULL included): an empty packet;
 *  - buffer NULL with size > 0: CE_ERR_OBSERVER (this is also how an
 *    observer reports that it cannot produce its output; see
 *    examples/xor_observer.h);
 *  - bytes wholly inside the bytes it was given: the packet shrunk in
 *    place;
 *  - bytes wholly outside the region: the observer's own memory;
 *  - anything else, CE_ERR_OBSERVER: bytes that start inside the packet
 *    and extend past it (grown in place), that start in the region after
 *    the packet, or that start before the region and run into it. The
 *    channel never reads bytes that were not the observer's to hand back.
 *    Bytes starting one past the end of a non-empty region count as
 *    outside it; bytes starting at the pointer the observer was handed
 *    always count as inside, even when the region is empty.
 * What is accepted is copied to the caller's buffer if it fits (see
 * ce_channel_send for the limits).
 *
 * A NULL callback passes that kind of packet through unchanged.
 */
typedef struct ce_packet_observer {
  int (*on_send_audio)(void *user, ce_packet *pkt);
  int (*on_send_video)(void *user, ce_packet *pkt);
  int (*on_receive_audio)(void *user, ce_packet *pkt);
  int (*on_receive_video)(void *user, ce_packet *pkt);
} ce_packet_observer;

/* ------------------------------------------------------------------ */
/* SDK codes                                                           */
/* ------------------------------------------------------------------ */

/* Return codes of ce_channel_enable_encryption, as the SDK's
   enableEncryption (spec 11.3). */
#define CE_SDK_OK 0
#define CE_SDK_ERR_FAILED -1 /* internal failure (memory, OpenSSL) */
#define CE_SDK_ERR_INVALID_ARGUMENT -2
#define CE_SDK_ERR_NOT_SUPPORTED -4

/* The SDK's ENCRYPTION_ERROR_TYPE, passed to the error callback
   (spec 11.4). */
typedef enum ce_encryption_error_type {
  CE_ENCRYPTION_ERROR_INTERNAL_FAILURE = 0,
  CE_ENCRYPTION_ERROR_DECRYPTION_FAILURE = 1,
  CE_ENCRYPTION_ERROR_ENCRYPTION_FAILURE = 2,
  CE_ENCRYPTION_ERROR_DATASTREAM_DECRYPTION_FAILURE = 3,
  CE_ENCRYPTION_ERROR_DATASTREAM_ENCRYPTION_FAILURE = 4
} ce_encryption_error_type;

/*
 * Error callback: user as registered, error_type a ce_encryption_error_type,
 * status the precise (negative) ce_status that the failing call returns.
 * It is called exactly once for every counted failure (see
 * ce_channel_counters), before ce_channel_send/ce_channel_receive returns:
 *   CE_ERR_INTERNAL or CE_ERR_OBSERVER       -> INTERNAL_FAILURE (0)
 *   any other failure of ce_channel_receive  -> DECRYPTION_FAILURE (1),
 *                              or DATASTREAM_DECRYPTION_FAILURE (3) for data
 *   any other failure of ce_channel_send     -> ENCRYPTION_FAILURE (2),
 *                              or DATASTREAM_ENCRYPTION_FAILURE (4) for data
 * It is not called for CE_DROPPED, nor for the CE_ERR_INVALID_ARGUMENT
 * that argument and state checks return (those are the caller's mistakes,
 * not packet failures, and are not counted).
 */
typedef void (*ce_channel_error_fn)(void *user, int error_type, int status);

/* ------------------------------------------------------------------ */
/* Channel                                                             */
/* ------------------------------------------------------------------ */

typedef enum ce_packet_kind {
  CE_PACKET_AUDIO = 0,
  CE_PACKET_VIDEO = 1,
  CE_PACKET_DATA = 2 /* data stream: never seen by the observer */
} ce_packet_kind;
#define CE_PACKET_KINDS 3

/* failed[] slots: failed[-s] counts failures with status s, for s from
   CE_ERR_MALFORMED (-1) to CE_ERR_OBSERVER (-12). Slot 0 is unused. */
#define CE_CHANNEL_STATUS_SLOTS 13

/* Counters of one packet kind. Send-side fields change only in
   ce_channel_send, receive-side ones only in ce_channel_receive. */
typedef struct ce_channel_kind_counters {
  uint64_t sent;            /* ce_channel_send returned CE_OK */
  uint64_t received;        /* ce_channel_receive returned CE_OK */
  uint64_t send_dropped;    /* dropped by on_send_* (CE_DROPPED) */
  uint64_t receive_dropped; /* dropped by on_receive_* (CE_DROPPED) */
  uint64_t send_failed[CE_CHANNEL_STATUS_SLOTS];
  uint64_t receive_failed[CE_CHANNEL_STATUS_SLOTS];
} ce_channel_kind_counters;

typedef struct ce_channel_counters {
  ce_channel_kind_counters kind[CE_PACKET_KINDS]; /* by ce_packet_kind */
} ce_channel_counters;

typedef struct ce_channel ce_channel;

/* Creates a channel: not joined, built-in encryption disabled, no
   observer, no error callback, no wire size limit, counters zero.
   Allocates only the channel itself: the packet buffers belong to the
   context that ce_channel_enable_encryption creates.
   Statuses: CE_OK; CE_ERR_INVALID_ARGUMENT (out NULL); CE_ERR_INTERNAL
   (memory or lock initialisation failed). On failure *out is NULL (when
   out is not NULL). */
CE_API ce_status ce_channel_new(ce_channel **out);

/* Disables encryption (freeing the context wipes its keys and packet
   buffers) and frees. NULL is a no-op; called from one of the channel's
   own callbacks it is refused and does nothing. See the threading rules
   above. */
CE_API void ce_channel_free(ce_channel *ch);

/*
 * The SDK's enableEncryption(enabled, config) (spec 11.3).
 *
 * enabled != 0: validates cfg, derives keys once into one ce_ctx that both
 * directions use (GCM2 runs PBKDF2 once per call), allocates that
 * context's packet buffers, draws its first packet number, and switches
 * both directions to it at once. The key bytes are copied; cfg may be
 * discarded afterwards. cfg->datastream_encryption_enabled decides
 * whether data-stream packets are protected.
 * enabled == 0: disables built-in encryption; cfg is ignored (may be NULL).
 *
 * May be called before or after ce_channel_join; the new state applies
 * from the next packet in each direction.
 *
 * Returns (SDK codes, not ce_status):
 *   CE_SDK_OK (0);
 *   CE_SDK_ERR_INVALID_ARGUMENT (-2): ch NULL; enabled with cfg NULL, a
 *     NULL or empty key, a mode outside 1..8, GCM2 with an all-zero salt or
 *     a backend that is no ce_backend value; or called from one of the
 *     channel's own callbacks;
 *   CE_SDK_ERR_NOT_SUPPORTED (-4): the linked OpenSSL lacks the mode's
 *     cipher (e.g. SM4), or cfg->backend names a backend that cannot serve
 *     the mode here (ce_backend_select);
 *   CE_SDK_ERR_FAILED (-1): memory, lock or OpenSSL failure.
 * On any failure the channel's encryption state is unchanged.
 */
CE_API int ce_channel_enable_encryption(ce_channel *ch, int enabled,
                                        const ce_config *cfg);

/* Registers the packet observer (spec 11.1). The four function pointers are
   copied, so *obs may be discarded; user is passed to every callback and
   must stay valid until the observer is replaced or unregistered (or the
   channel freed). obs NULL unregisters (user is then ignored).
   Statuses: CE_OK; CE_ERR_INVALID_ARGUMENT (ch NULL, or called from one
   of the channel's callbacks); CE_ERR_INTERNAL (the control calls' mutex
   could not be locked, which POSIX does not allow for it; nothing is
   changed). */
CE_API ce_status ce_channel_register_packet_observer(
    ce_channel *ch, const ce_packet_observer *obs, void *user);

/* Sets (fn non-NULL) or clears (fn NULL) the error callback.
   Statuses: as ce_channel_register_packet_observer. */
CE_API ce_status ce_channel_set_error_callback(ce_channel *ch,
                                               ce_channel_error_fn fn,
                                               void *user);

/* Limits the size of every packet the channel puts on or accepts from the
   wire, of every kind (the SDK caps observer output at 1200 bytes); 0
   removes the limit (the default). A larger packet fails with
   CE_ERR_TOO_LARGE.
   Statuses: as ce_channel_register_packet_observer. */
CE_API ce_status ce_channel_set_max_wire_size(ce_channel *ch, size_t max);

/* Joins: from now on send and receive carry packets. Joining while joined
   does nothing.
   Statuses: as ce_channel_register_packet_observer. */
CE_API ce_status ce_channel_join(ce_channel *ch);

/* Leaves: send and receive refuse packets until the next join, and
   built-in encryption is disabled (keys wiped), as the SDK does on
   leaving; call ce_channel_enable_encryption again before rejoining. The
   observer, error callback, wire size limit and counters are kept.
   Leaving while not joined still disables encryption.
   Statuses: as ce_channel_register_packet_observer. */
CE_API ce_status ce_channel_leave(ce_channel *ch);

/*
 * Sends one packet of the given kind: turns the payload in buf[0..*len)
 * into the wire packet, in place, through the spec 11.2 send pipeline.
 *
 * Checks, in order (the first failure is returned):
 *   CE_ERR_INVALID_ARGUMENT: ch, buf or len NULL; kind not a
 *     ce_packet_kind; *len > cap; the channel is not joined; or called from
 *     one of the channel's own callbacks. Not counted, no error callback.
 *   CE_ERR_TOO_LARGE: *len > CE_MAX_PAYLOAD (spec 8), with or without
 *     built-in encryption.
 *   any ce_protect status (CE_ERR_INTERNAL in practice) when built-in
 *     encryption applies to this kind.
 *   CE_DROPPED: the observer's on_send_* returned 0 (audio, video).
 *   CE_ERR_OBSERVER: the observer kept a packet it could not describe
 *     (NULL buffer with size > 0, or bytes neither inside the packet nor
 *     outside its region; see ce_packet_observer).
 *   CE_ERR_TOO_LARGE: the wire packet exceeds the max wire size.
 *   CE_ERR_BUFFER_TOO_SMALL: the wire packet exceeds cap (size cap as
 *     payload + CE_MAX_OVERHEAD + whatever the observer adds).
 * With built-in encryption the frame is made before the observer sees it,
 * so its packet number is consumed even when a later check (observer, wire
 * size, cap) fails: the observer has seen that frame, and its number is
 * never used again (spec 7).
 * On CE_OK buf[0..*len) is the wire packet. Otherwise buf and *len are
 * unchanged.
 */
CE_API ce_status ce_channel_send(ce_channel *ch, ce_packet_kind kind,
                                 uint8_t *buf, size_t *len, size_t cap);

/*
 * Receives one packet of the given kind: turns the wire packet in
 * buf[0..*len) into the payload, in place, through the spec 11.2 receive
 * pipeline.
 *
 * Checks, in order (the first failure is returned):
 *   CE_ERR_INVALID_ARGUMENT: as ce_channel_send.
 *   CE_ERR_TOO_LARGE: *len exceeds the max wire size, or (audio and video
 *     with an observer) UINT_MAX, the most a ce_packet can describe.
 *   CE_DROPPED: the observer's on_receive_* returned 0 (audio, video).
 *   CE_ERR_OBSERVER: as ce_channel_send.
 *   any ce_unprotect status (spec 9: CE_ERR_MALFORMED, CE_ERR_BAD_VERSION,
 *     CE_ERR_MODE_MISMATCH, CE_ERR_KEY_MISMATCH, CE_ERR_BAD_PADDING,
 *     CE_ERR_AUTH_FAILED; or CE_ERR_INTERNAL) when built-in encryption
 *     applies to this kind.
 *   CE_ERR_TOO_LARGE: the payload exceeds CE_MAX_PAYLOAD (possible only
 *     without built-in encryption).
 *   CE_ERR_BUFFER_TOO_SMALL: the payload exceeds cap (possible only when
 *     the observer enlarged the packet).
 * On CE_OK buf[0..*len) is the payload. Otherwise buf and *len are
 * unchanged. Without built-in
 * encryption nothing authenticates the payload: only GCM modes (or an
 * authenticating observer) guarantee that CE_OK means the bytes are the
 * sender's.
 */
CE_API ce_status ce_channel_receive(ce_channel *ch, ce_packet_kind kind,
                                    uint8_t *buf, size_t *len, size_t cap);

/* Copies the counters into *out: for each direction a consistent snapshot
   (see "Threading" above). Takes no lock and cannot fail otherwise.
   Statuses: CE_OK; CE_ERR_INVALID_ARGUMENT (ch or out NULL, or called from
   one of the channel's callbacks; *out is then untouched). */
CE_API ce_status ce_channel_get_counters(ce_channel *ch,
                                         ce_channel_counters *out);

#ifdef __cplusplus
}
#endif

#endif /* CHANENC_CHANNEL_H */
