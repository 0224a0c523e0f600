/*
 * channel.c - the CE1 channel pipeline and packet observer (spec 11).
 *
 *   send:    payload -> built-in protect (if enabled) -> observer -> wire
 *   receive: wire -> observer -> built-in unprotect (if enabled) -> payload
 *
 * Design (the contract is in chanenc_channel.h):
 *  - Two directions, each with its own mutex and counters, so one sender
 *    and one receiver thread never contend. Both use the one ce_ctx, which
 *    allows one protecting and one unprotecting thread at once (chanenc.h).
 *    The shared settings (joined, context, observer, error callback, wire
 *    limit) are written only with BOTH mutexes held and read with either,
 *    which makes every access race-free without atomics.
 *  - Built-in encryption runs on the context's own buffers (ce__protect_frame
 *    and ce__unprotect_frame leave the frame or the verified payload there),
 *    observers read the caller's bytes or those buffers, and the result is
 *    copied into the caller's buffer only after the last check. So on
 *    CE_DROPPED and on every failure the caller's buffer is untouched, and
 *    it never holds key stream or unauthenticated plaintext.
 *  - Nothing on the packet path allocates.
 *  - Callbacks run with the direction's mutex held. A thread-local list of
 *    the channels whose callbacks are running on this thread turns a
 *    reentrant call (which would self-deadlock) into CE_ERR_INVALID_ARGUMENT.
 */
#include "chanenc_channel.h"
#include "internal.h"

#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum ce__dir { CE__SEND = 0, CE__RECV = 1 };

struct ce_channel {
  pthread_mutex_t send_mu; /* held for a whole ce_channel_send */
  pthread_mutex_t recv_mu; /* held for a whole ce_channel_receive */

  /* Shared settings: written with both mutexes, read with either. */
  int joined;
  ce_ctx *ctx; /* NULL when built-in encryption is disabled */
  int datastream_enabled;
  int has_observer;
  ce_packet_observer observer;
  void *observer_user;
  ce_channel_error_fn error_fn;
  void *error_user;
  size_t max_wire;

  /* Send-side fields written under send_mu, receive-side under recv_mu;
     distinct fields, so the two writers never touch the same memory. */
  ce_channel_counters counters;
};

/* ------------------------------------------------------------------ */
/* Reentrancy guard                                                    */
/* ------------------------------------------------------------------ */

/* One frame per callback in progress on this thread, innermost first.
   A list rather than one pointer: a callback of channel A may legally use
   channel B, whose callback must then still be refused A. */
typedef struct ce__cb_frame {
  const ce_channel *ch;
  struct ce__cb_frame *prev;
} ce__cb_frame;

static _Thread_local ce__cb_frame *ce__cb_stack;

static int ce__in_callback(const ce_channel *ch) {
  for (const ce__cb_frame *f = ce__cb_stack; f != NULL; f = f->prev)
    if (f->ch == ch)
      return 1;
  return 0;
}

static void ce__cb_enter(ce__cb_frame *f, const ce_channel *ch) {
  f->ch = ch;
  f->prev = ce__cb_stack;
  ce__cb_stack = f;
}

static void ce__cb_leave(const ce__cb_frame *f) {
  ce__cb_stack = f->prev;
}

/* ------------------------------------------------------------------ */
/* Locks                                                               */
/* ------------------------------------------------------------------ */

/* Unlocking a default mutex that this thread holds cannot fail (POSIX
   lists EPERM only for error-checking and robust mutexes), so the result
   is deliberately ignored. */
static void ce__unlock(pthread_mutex_t *mu) {
  (void)pthread_mutex_unlock(mu);
}

/* Both locks, always send first then receive, so two control calls cannot
   deadlock each other. */
static ce_status ce__lock_both(ce_channel *ch) {
  if (pthread_mutex_lock(&ch->send_mu) != 0)
    return CE_ERR_INTERNAL;
  if (pthread_mutex_lock(&ch->recv_mu) != 0) {
    ce__unlock(&ch->send_mu);
    return CE_ERR_INTERNAL;
  }
  return CE_OK;
}

static void ce__unlock_both(ce_channel *ch) {
  ce__unlock(&ch->recv_mu);
  ce__unlock(&ch->send_mu);
}

/* ------------------------------------------------------------------ */
/* Lifecycle                                                           */
/* ------------------------------------------------------------------ */

ce_status ce_channel_new(ce_channel **out) {
  if (out == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  *out = NULL;
  ce_channel *ch = ce__calloc(1, sizeof *ch);
  if (ch == NULL)
    return CE_ERR_INTERNAL;
  if (CE__FAULT("channel.mutex_init") ||
      pthread_mutex_init(&ch->send_mu, NULL) != 0) {
    free(ch);
    return CE_ERR_INTERNAL;
  }
  if (CE__FAULT("channel.mutex_init") ||
      pthread_mutex_init(&ch->recv_mu, NULL) != 0) {
    (void)pthread_mutex_destroy(&ch->send_mu);
    free(ch);
    return CE_ERR_INTERNAL;
  }
  *out = ch;
  return CE_OK;
}

void ce_channel_free(ce_channel *ch) {
  /* From one of the channel's own callbacks the channel is in use by the
     very call that invoked the callback: freeing it would be a
     use-after-free, so the call is refused (it does nothing). */
  if (ch == NULL || ce__in_callback(ch))
    return;
  ce_ctx_free(ch->ctx); /* wipes keys and the packet buffers */
  /* Destroying an unlocked, initialised mutex cannot fail. */
  (void)pthread_mutex_destroy(&ch->send_mu);
  (void)pthread_mutex_destroy(&ch->recv_mu);
  free(ch);
}

/* ------------------------------------------------------------------ */
/* Control                                                             */
/* ------------------------------------------------------------------ */

static int ce__sdk_code(ce_status st) {
  switch (st) {
  case CE_OK:
    return CE_SDK_OK;
  case CE_ERR_INVALID_ARGUMENT:
    return CE_SDK_ERR_INVALID_ARGUMENT;
  case CE_ERR_NOT_SUPPORTED:
    return CE_SDK_ERR_NOT_SUPPORTED;
  default:
    return CE_SDK_ERR_FAILED;
  }
}

int ce_channel_enable_encryption(ce_channel *ch, int enabled,
                                 const ce_config *cfg) {
  if (ch == NULL || ce__in_callback(ch))
    return CE_SDK_ERR_INVALID_ARGUMENT;
  ce_ctx *ctx = NULL;
  int datastream = 0;
  if (enabled) {
    if (cfg == NULL)
      return CE_SDK_ERR_INVALID_ARGUMENT;
    /* Derive before locking: GCM2's PBKDF2 takes tens of milliseconds and
       packets should keep flowing meanwhile. One context serves both
       directions (one protecting and one unprotecting thread, chanenc.h). */
    ce_status st = ce_ctx_new(cfg, &ctx);
    if (st != CE_OK)
      return ce__sdk_code(st);
    datastream = cfg->datastream_encryption_enabled != 0;
  }
  if (ce__lock_both(ch) != CE_OK) {
    ce_ctx_free(ctx);
    return CE_SDK_ERR_FAILED;
  }
  ce_ctx *old = ch->ctx;
  ch->ctx = ctx;
  ch->datastream_enabled = datastream;
  ce__unlock_both(ch);
  /* No packet can be using the old context: it was swapped out with both
     locks held. Freeing wipes its keys. */
  ce_ctx_free(old);
  return CE_SDK_OK;
}

ce_status ce_channel_register_packet_observer(ce_channel *ch,
                                              const ce_packet_observer *obs,
                                              void *user) {
  if (ch == NULL || ce__in_callback(ch))
    return CE_ERR_INVALID_ARGUMENT;
  if (ce__lock_both(ch) != CE_OK)
    return CE_ERR_INTERNAL;
  if (obs != NULL) {
    ch->observer = *obs;
    ch->observer_user = user;
    ch->has_observer = 1;
  } else {
    memset(&ch->observer, 0, sizeof ch->observer);
    ch->observer_user = NULL;
    ch->has_observer = 0;
  }
  ce__unlock_both(ch);
  return CE_OK;
}

ce_status ce_channel_set_error_callback(ce_channel *ch, ce_channel_error_fn fn,
                                        void *user) {
  if (ch == NULL || ce__in_callback(ch))
    return CE_ERR_INVALID_ARGUMENT;
  if (ce__lock_both(ch) != CE_OK)
    return CE_ERR_INTERNAL;
  ch->error_fn = fn;
  ch->error_user = fn != NULL ? user : NULL;
  ce__unlock_both(ch);
  return CE_OK;
}

ce_status ce_channel_set_max_wire_size(ce_channel *ch, size_t max) {
  if (ch == NULL || ce__in_callback(ch))
    return CE_ERR_INVALID_ARGUMENT;
  if (ce__lock_both(ch) != CE_OK)
    return CE_ERR_INTERNAL;
  ch->max_wire = max;
  ce__unlock_both(ch);
  return CE_OK;
}

ce_status ce_channel_join(ce_channel *ch) {
  if (ch == NULL || ce__in_callback(ch))
    return CE_ERR_INVALID_ARGUMENT;
  if (ce__lock_both(ch) != CE_OK)
    return CE_ERR_INTERNAL;
  ch->joined = 1;
  ce__unlock_both(ch);
  return CE_OK;
}

ce_status ce_channel_leave(ce_channel *ch) {
  if (ch == NULL || ce__in_callback(ch))
    return CE_ERR_INVALID_ARGUMENT;
  if (ce__lock_both(ch) != CE_OK)
    return CE_ERR_INTERNAL;
  ce_ctx *old = ch->ctx;
  ch->joined = 0;
  /* The SDK disables built-in encryption when the user leaves. */
  ch->ctx = NULL;
  ch->datastream_enabled = 0;
  ce__unlock_both(ch);
  ce_ctx_free(old);
  return CE_OK;
}

ce_status ce_channel_get_counters(ce_channel *ch, ce_channel_counters *out) {
  if (ch == NULL || out == NULL || ce__in_callback(ch))
    return CE_ERR_INVALID_ARGUMENT;
  if (ce__lock_both(ch) != CE_OK)
    return CE_ERR_INTERNAL;
  *out = ch->counters;
  ce__unlock_both(ch);
  return CE_OK;
}

/* ------------------------------------------------------------------ */
/* Packet path                                                         */
/* ------------------------------------------------------------------ */

static int ce__kind_valid(ce_packet_kind kind) {
  return kind == CE_PACKET_AUDIO || kind == CE_PACKET_VIDEO ||
         kind == CE_PACKET_DATA;
}

/* The observer callback for a packet, or NULL. Data streams skip the
   observer (spec 11). Caller holds the direction's mutex. */
typedef int (*ce__obs_fn)(void *user, ce_packet *pkt);

static ce__obs_fn ce__observer_fn(const ce_channel *ch, enum ce__dir dir,
                                  ce_packet_kind kind) {
  if (!ch->has_observer || kind == CE_PACKET_DATA)
    return NULL;
  if (dir == CE__SEND)
    return kind == CE_PACKET_AUDIO ? ch->observer.on_send_audio
                                   : ch->observer.on_send_video;
  return kind == CE_PACKET_AUDIO ? ch->observer.on_receive_audio
                                 : ch->observer.on_receive_video;
}

/* Built-in encryption applies to audio and video whenever it is enabled,
   to data streams only with datastream_encryption_enabled (spec 11). */
static ce_ctx *ce__builtin_ctx(const ce_channel *ch, ce_packet_kind kind) {
  if (kind == CE_PACKET_DATA && !ch->datastream_enabled)
    return NULL;
  return ch->ctx;
}

/*
 * Runs one observer callback on the packet at (*cur, *cur_len), where
 * *cur is also the start of a region of region_cap bytes that the channel
 * owns or was given (the caller's buffer, or the context's frame buffer). On
 * CE_OK,
 * (*cur, *cur_len) is what the observer returned, never NULL.
 */
static ce_status ce__run_observer(const ce_channel *ch, ce__obs_fn fn,
                                  const uint8_t **cur, size_t *cur_len,
                                  size_t region_cap) {
  /* ce_packet.size is unsigned (as the SDK's): refuse what it cannot
     describe rather than cast it down. */
  if (*cur_len > UINT_MAX)
    return CE_ERR_TOO_LARGE;
  ce_packet pkt = {*cur, (unsigned)*cur_len};
  ce__cb_frame frame;
  ce__cb_enter(&frame, ch);
  int keep = fn(ch->observer_user, &pkt);
  ce__cb_leave(&frame);
  if (!keep)
    return CE_DROPPED;
  if (pkt.size == 0) {
    /* An empty packet; keep a valid pointer for the next stage. */
    *cur_len = 0;
    return CE_OK;
  }
  if (pkt.buffer == NULL)
    return CE_ERR_OBSERVER;
  /* What the observer hands back either lies wholly inside the bytes it
     was given, or wholly outside the region they sit in (its own memory).
     Anything else would let the channel read bytes that were not the
     observer's to hand back: stale bytes past the packet, or past the
     region, when a pointer grows into it from below. Overflow-free
     integer arithmetic: the observer's memory is a different object. One
     past the end of a region is outside it (another object may start
     there), but the pointer the observer was handed is always inside, even
     for an empty region. */
  uintptr_t p = (uintptr_t)pkt.buffer, lo = (uintptr_t)*cur;
  size_t size = pkt.size;
  int inside_packet =
      p >= lo && p - lo <= *cur_len && size <= *cur_len - (p - lo);
  int misses_region =
      p >= lo ? p != lo && p - lo >= region_cap : lo - p >= size;
  if (!inside_packet && !misses_region)
    return CE_ERR_OBSERVER;
  *cur = pkt.buffer;
  *cur_len = pkt.size;
  return CE_OK;
}

/* Copies the result into the caller's buffer; the checks are done. The
   observer may have pointed anywhere, even into buf: memmove. */
static void ce__channel_deliver(uint8_t *buf, size_t *len, const uint8_t *cur,
                                size_t cur_len) {
  if (cur != buf)
    ce__deliver(buf, cur, cur_len);
  *len = cur_len;
}

static ce_status ce__send_locked(ce_channel *ch, ce_packet_kind kind,
                                 uint8_t *buf, size_t *len, size_t cap) {
  size_t n = *len;
  /* Spec 8 bounds payloads whether or not built-in encryption is on, so
     the limit does not depend on the configuration. */
  if (n > CE_MAX_PAYLOAD)
    return CE_ERR_TOO_LARGE;
  const uint8_t *cur = buf;
  size_t cur_len = n, region_cap = cap;
  ce_ctx *ctx = ce__builtin_ctx(ch, kind);
  if (ctx != NULL) {
    /* The frame stays in the context's seal buffer (internal.h). */
    ce_status st = ce__protect_frame(ctx, 0, 0, buf, n, CE_MAX_FRAME, &cur_len);
    if (st != CE_OK)
      return st;
    cur = ctx->seal_buf;
    region_cap = CE_MAX_FRAME;
  }
  ce__obs_fn fn = ce__observer_fn(ch, CE__SEND, kind);
  if (fn != NULL) {
    ce_status st = ce__run_observer(ch, fn, &cur, &cur_len, region_cap);
    if (st != CE_OK)
      return st;
  }
  if (ch->max_wire != 0 && cur_len > ch->max_wire)
    return CE_ERR_TOO_LARGE;
  if (cur_len > cap)
    return CE_ERR_BUFFER_TOO_SMALL;
  ce__channel_deliver(buf, len, cur, cur_len);
  return CE_OK;
}

static ce_status ce__receive_locked(ce_channel *ch, ce_packet_kind kind,
                                    uint8_t *buf, size_t *len, size_t cap) {
  size_t n = *len;
  /* Check the limit before anything (observer included) reads it. */
  if (ch->max_wire != 0 && n > ch->max_wire)
    return CE_ERR_TOO_LARGE;
  const uint8_t *cur = buf;
  size_t cur_len = n;
  ce__obs_fn fn = ce__observer_fn(ch, CE__RECV, kind);
  if (fn != NULL) {
    ce_status st = ce__run_observer(ch, fn, &cur, &cur_len, cap);
    if (st != CE_OK)
      return st;
  }
  ce_ctx *ctx = ce__builtin_ctx(ch, kind);
  if (ctx != NULL) {
    /* Decrypted and verified in the context's open buffer; the caller's
       buffer is not written before the last check below. */
    ce_status st = ce__unprotect_frame(ctx, cur, cur_len, &cur_len);
    if (st != CE_OK)
      return st;
    cur = ctx->open_buf;
  }
  ce_status st = CE_OK;
  if (cur_len > CE_MAX_PAYLOAD)
    st = CE_ERR_TOO_LARGE;
  else if (cur_len > cap)
    st = CE_ERR_BUFFER_TOO_SMALL;
  if (st != CE_OK) {
    if (ctx != NULL)
      ce_wipe(ctx->open_buf, cur_len); /* undelivered payload */
    return st;
  }
  ce__channel_deliver(buf, len, cur, cur_len);
  return CE_OK;
}

static int ce__error_type(enum ce__dir dir, ce_packet_kind kind, ce_status st) {
  if (st == CE_ERR_INTERNAL || st == CE_ERR_OBSERVER)
    return CE_ENCRYPTION_ERROR_INTERNAL_FAILURE;
  if (kind == CE_PACKET_DATA)
    return dir == CE__SEND ? CE_ENCRYPTION_ERROR_DATASTREAM_ENCRYPTION_FAILURE
                           : CE_ENCRYPTION_ERROR_DATASTREAM_DECRYPTION_FAILURE;
  return dir == CE__SEND ? CE_ENCRYPTION_ERROR_ENCRYPTION_FAILURE
                         : CE_ENCRYPTION_ERROR_DECRYPTION_FAILURE;
}

/* Counts the outcome and reports a failure. Caller holds the direction's
   mutex, which guards that direction's counters. */
static void ce__account(ce_channel *ch, enum ce__dir dir, ce_packet_kind kind,
                        ce_status st) {
  ce_channel_kind_counters *kc = &ch->counters.kind[kind];
  if (st == CE_OK) {
    if (dir == CE__SEND)
      kc->sent++;
    else
      kc->received++;
    return;
  }
  if (st == CE_DROPPED) {
    if (dir == CE__SEND)
      kc->send_dropped++;
    else
      kc->receive_dropped++;
    return;
  }
  int slot = -(int)st;
  if (slot <= 0 || slot >= CE_CHANNEL_STATUS_SLOTS)
    slot = -(int)CE_ERR_INTERNAL; /* cannot happen; never index out */
  if (dir == CE__SEND)
    kc->send_failed[slot]++;
  else
    kc->receive_failed[slot]++;
  if (ch->error_fn != NULL) {
    ce__cb_frame frame;
    ce__cb_enter(&frame, ch);
    ch->error_fn(ch->error_user, ce__error_type(dir, kind, st), (int)st);
    ce__cb_leave(&frame);
  }
}

static ce_status ce__packet(ce_channel *ch, enum ce__dir dir,
                            ce_packet_kind kind, uint8_t *buf, size_t *len,
                            size_t cap) {
  if (ch == NULL || buf == NULL || len == NULL || !ce__kind_valid(kind) ||
      *len > cap || ce__in_callback(ch))
    return CE_ERR_INVALID_ARGUMENT;
  pthread_mutex_t *mu = dir == CE__SEND ? &ch->send_mu : &ch->recv_mu;
  if (pthread_mutex_lock(mu) != 0)
    return CE_ERR_INTERNAL;
  ce_status st;
  if (!ch->joined) {
    /* Not a packet failure: nothing is counted or reported. */
    st = CE_ERR_INVALID_ARGUMENT;
  } else {
    st = dir == CE__SEND ? ce__send_locked(ch, kind, buf, len, cap)
                         : ce__receive_locked(ch, kind, buf, len, cap);
    ce__account(ch, dir, kind, st);
  }
  ce__unlock(mu);
  return st;
}

ce_status ce_channel_send(ce_channel *ch, ce_packet_kind kind, uint8_t *buf,
                          size_t *len, size_t cap) {
  return ce__packet(ch, CE__SEND, kind, buf, len, cap);
}

ce_status ce_channel_receive(ce_channel *ch, ce_packet_kind kind, uint8_t *buf,
                             size_t *len, size_t cap) {
  return ce__packet(ch, CE__RECV, kind, buf, len, cap);
}
