/*
 * channel.c - the CE1 channel pipeline and packet observer (spec 11).
 *
 *   send:    payload -> built-in protect (if enabled) -> observer -> wire
 *   receive: wire -> observer -> built-in unprotect (if enabled) -> payload
 *
 * Design (the contract is in chanenc_channel.h, "Threading"):
 *  - No lock on the packet path. The settings that control calls change
 *    (joined, context, observer, error callback, wire limit) form one
 *    immutable snapshot, ce__chan_cfg. A control call fills the spare one
 *    of two snapshot slots, publishes it with one atomic pointer store and
 *    then waits for a grace period: until each direction has no packet in
 *    progress that could still read the old snapshot. Only then does it
 *    return (so the old observer and callback are no longer in use) and
 *    free the old context. A packet reads the pointer once and uses that
 *    snapshot throughout. This is read-copy-update with two slots: the
 *    spare slot is unused once the previous control call has returned, so
 *    no control call allocates either, and no packet ever waits for one.
 *  - A packet claims its direction with a ticket: one atomic fetch-and-add
 *    on the direction's `next` word, then it waits until `serving` reaches
 *    its ticket (at once when nobody else is sending), and releases by
 *    storing ticket + 1 to `serving`. The claim serialises several threads
 *    sending on one channel (they share the context's seal buffer) in
 *    arrival order, so nobody waits for more than the packets queued
 *    before it (ce_channel_get_counters claims the same way). One sender
 *    and one receiver never touch the same words.
 *  - The tickets are also what a grace period watches: after the pointer
 *    store, a control call reads `next` and waits until `serving` has
 *    reached it, i.e. until every packet that had taken a ticket by then
 *    has ended. A packet whose ticket came later reads the new snapshot.
 *    Why, and why the pointer is read with seq_cst: the control call
 *    stores the pointer (seq_cst) and then reads `next` (seq_cst); a packet
 *    takes its ticket (seq_cst read-modify-write) and then reads the
 *    pointer (seq_cst). In the single total order of these operations,
 *    either the control call's read of `next` sees the ticket (and waits
 *    for that packet) or the ticket comes after the pointer store (and the
 *    packet's later read sees the new snapshot).
 *  - Counters are per direction, written only by the packet that holds
 *    the direction, each direction on its own cache lines (a sender and a
 *    receiver thread do not share one). ce_channel_get_counters claims each
 *    direction in turn to copy them.
 *  - Built-in encryption runs on the context's own buffers (ce__protect_frame
 *    and ce__unprotect_frame leave the frame or the verified payload there),
 *    observers read the caller's bytes or those buffers, and the result is
 *    copied into the caller's buffer only after the last check. So on
 *    CE_DROPPED and on every failure the caller's buffer is untouched, and
 *    it never holds key stream or unauthenticated plaintext.
 *  - Nothing on the packet path allocates or locks, and it makes no system
 *    call unless the direction is contended (a sender waiting for another
 *    yields the CPU; see ce__wait).
 *  - Control calls disable thread cancellation while they run: their
 *    grace period may yield or wait, and a cancellation there would leave
 *    the control mutex locked and the old context's keys unwiped.
 *  - Reentrancy: each direction records the thread holding it. A call on a
 *    channel from a thread that holds one of its directions can only come
 *    from one of the channel's callbacks; it would wait for itself, so it is
 *    refused with CE_ERR_INVALID_ARGUMENT.
 */
#include "chanenc_channel.h"
#include "internal.h"

#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

enum ce__dir { CE__SEND = 0, CE__RECV = 1 };

/* The settings a packet runs with; never changed while published. */
typedef struct ce__chan_cfg {
  int joined;
  ce_ctx *ctx; /* NULL when built-in encryption is disabled */
  int datastream_enabled;
  int has_observer;
  ce_packet_observer observer;
  void *observer_user;
  ce_channel_error_fn error_fn;
  void *error_user;
  size_t max_wire;
} ce__chan_cfg;

/* One direction: its tickets, its holder and its counters. The padding
   keeps what one direction writes at least a cache line away from what
   the other writes (a sender and a receiver thread share no line); padding
   rather than alignas, which calloc would not honour. */
#define CE__LINE 64
typedef struct ce__chan_dir {
  _Atomic uint64_t next;        /* the next ticket to hand out */
  _Atomic uint64_t serving;     /* the ticket that holds the direction */
  _Atomic uintptr_t holder;     /* ce__self() of the holder, or 0 */
  uint64_t ok[CE_PACKET_KINDS]; /* sent or received */
  uint64_t dropped[CE_PACKET_KINDS];
  uint64_t failed[CE_PACKET_KINDS][CE_CHANNEL_STATUS_SLOTS];
  char pad[CE__LINE];
} ce__chan_dir;

struct ce_channel {
  char pad0[CE__LINE];
  ce__chan_dir dir[2];         /* CE__SEND, CE__RECV */
  _Atomic(ce__chan_cfg *) cur; /* the published snapshot */
  pthread_mutex_t ctrl_mu;     /* serialises control calls (never packets) */
  ce__chan_cfg slot[2];        /* cur is one of them, the other is spare */
};

/* ------------------------------------------------------------------ */
/* Threads, waiting, claims                                            */
/* ------------------------------------------------------------------ */

/* A non-zero id of the calling thread. pthread_self() is the thread's
   control block address on the platforms we build for; it is copied
   rather than cast because pthread_t is opaque. */
_Static_assert(sizeof(pthread_t) <= sizeof(uintptr_t),
               "pthread_t must fit a uintptr_t");
static uintptr_t ce__self(void) {
  pthread_t t = pthread_self();
  uintptr_t id = 0;
  memcpy(&id, &t, sizeof t);
  return id | 1u; /* never 0, which means "nobody" */
}

/* Called from a thread that holds a direction of ch (one of its callbacks,
   the only way such a thread can call in). */
static int ce__in_callback(const ce_channel *ch) {
  uintptr_t self = ce__self();
  return atomic_load_explicit(&ch->dir[CE__SEND].holder,
                              memory_order_relaxed) == self ||
         atomic_load_explicit(&ch->dir[CE__RECV].holder,
                              memory_order_relaxed) == self;
}

/* One step of waiting for another thread: spin briefly, then yield the
   CPU. Never a timed sleep: the thread whose ticket comes up must take
   over at once, or every packet queued behind it waits too. */
static void ce__wait(unsigned *round) {
  if (*round < 64) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
    (*round)++;
  } else {
    (void)sched_yield();
  }
}

/* Claims a direction; returns the ticket to release with. */
static uint64_t ce__claim(ce__chan_dir *d) {
  uint64_t t = atomic_fetch_add_explicit(&d->next, 1, memory_order_seq_cst);
  unsigned round = 0;
  while (atomic_load_explicit(&d->serving, memory_order_acquire) != t)
    ce__wait(&round);
  return t;
}

static void ce__release(ce__chan_dir *d, uint64_t t) {
  atomic_store_explicit(&d->serving, t + 1, memory_order_release);
}

/* Publishes next (a filled spare slot) and waits until no packet can
   still be reading the snapshot it replaces. Caller holds ctrl_mu. */
static void ce__publish(ce_channel *ch, ce__chan_cfg *next) {
  atomic_store_explicit(&ch->cur, next, memory_order_seq_cst);
  for (int i = 0; i < 2; i++) {
    ce__chan_dir *d = &ch->dir[i];
    /* Every ticket handed out so far must be served; later ones see next.
       (64-bit tickets never wrap in practice; the signed difference keeps
       the test right even if they did.) */
    uint64_t n = atomic_load_explicit(&d->next, memory_order_seq_cst);
    unsigned round = 0;
    while ((int64_t)(n - atomic_load_explicit(&d->serving,
                                              memory_order_acquire)) > 0)
      ce__wait(&round);
  }
}

/* Starts a control call: refuses one from a callback, disables thread
   cancellation (saved in *cancel_state), takes ctrl_mu and copies the
   published snapshot into the spare slot, which it returns in *next for
   the caller to change and hand to ce__commit. */
static ce_status ce__begin(ce_channel *ch, ce__chan_cfg **next,
                           int *cancel_state) {
  if (ch == NULL || ce__in_callback(ch))
    return CE_ERR_INVALID_ARGUMENT;
  /* Cannot fail with these arguments; restored in ce__commit. */
  (void)pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, cancel_state);
  if (CE__FAULT("channel.ctrl_lock") || pthread_mutex_lock(&ch->ctrl_mu) != 0) {
    (void)pthread_setcancelstate(*cancel_state, NULL);
    return CE_ERR_INTERNAL;
  }
  ce__chan_cfg *cur = atomic_load_explicit(&ch->cur, memory_order_relaxed);
  *next = cur == &ch->slot[0] ? &ch->slot[1] : &ch->slot[0];
  **next = *cur;
  return CE_OK;
}

/* Publishes next and ends the control call. The old context, when next
   replaced it, is freed only after the grace period (keys wiped). */
static void ce__commit(ce_channel *ch, ce__chan_cfg *next, int cancel_state) {
  ce__chan_cfg *old = atomic_load_explicit(&ch->cur, memory_order_relaxed);
  ce_ctx *old_ctx = old->ctx != next->ctx ? old->ctx : NULL;
  ce__publish(ch, next);
  /* Unlocking a default mutex this thread holds cannot fail (POSIX lists
     EPERM only for error-checking and robust mutexes). */
  (void)pthread_mutex_unlock(&ch->ctrl_mu);
  ce_ctx_free(old_ctx);
  (void)pthread_setcancelstate(cancel_state, NULL);
}

/* The calls holding or waiting for a direction (the testing interface,
   ce_testing_channel_queue). */
uint64_t ce__channel_queue(const ce_channel *ch, int receive) {
  const ce__chan_dir *d = &ch->dir[receive ? CE__RECV : CE__SEND];
  return atomic_load_explicit(&d->next, memory_order_acquire) -
         atomic_load_explicit(&d->serving, memory_order_acquire);
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
      pthread_mutex_init(&ch->ctrl_mu, NULL) != 0) {
    free(ch);
    return CE_ERR_INTERNAL;
  }
  for (int i = 0; i < 2; i++) {
    atomic_init(&ch->dir[i].next, 0);
    atomic_init(&ch->dir[i].serving, 0);
  }
  atomic_init(&ch->dir[CE__SEND].holder, 0);
  atomic_init(&ch->dir[CE__RECV].holder, 0);
  atomic_init(&ch->cur, &ch->slot[0]);
  *out = ch;
  return CE_OK;
}

void ce_channel_free(ce_channel *ch) {
  /* From one of the channel's own callbacks the channel is in use by the
     very call that invoked the callback: freeing it would be a
     use-after-free, so the call is refused (it does nothing). */
  if (ch == NULL || ce__in_callback(ch))
    return;
  ce__chan_cfg *cur = atomic_load_explicit(&ch->cur, memory_order_relaxed);
  ce_ctx_free(cur->ctx); /* wipes keys and the packet buffers */
  /* Destroying an unlocked, initialised mutex cannot fail. */
  (void)pthread_mutex_destroy(&ch->ctrl_mu);
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

/* The body of ce_channel_enable_encryption, run with cancellation
   disabled (the key derivation may read the system's random source, a
   cancellation point; a cancel there would leak the context). */
static int ce__enable(ce_channel *ch, int enabled, const ce_config *cfg) {
  ce_ctx *ctx = NULL;
  int datastream = 0;
  if (enabled) {
    if (cfg == NULL)
      return CE_SDK_ERR_INVALID_ARGUMENT;
    /* Derive before the control lock: GCM2's PBKDF2 takes tens of
       milliseconds and packets keep flowing meanwhile (they never wait for
       control calls anyway). One context serves both directions (one
       protecting and one unprotecting thread, chanenc.h). */
    ce_status st = ce_ctx_new(cfg, &ctx);
    if (st != CE_OK)
      return ce__sdk_code(st);
    datastream = cfg->datastream_encryption_enabled != 0;
  }
  ce__chan_cfg *next;
  int cs;
  ce_status st = ce__begin(ch, &next, &cs);
  if (st != CE_OK) {
    ce_ctx_free(ctx);
    return ce__sdk_code(st);
  }
  next->ctx = ctx;
  next->datastream_enabled = datastream;
  ce__commit(ch, next, cs);
  return CE_SDK_OK;
}

int ce_channel_enable_encryption(ce_channel *ch, int enabled,
                                 const ce_config *cfg) {
  if (ch == NULL || ce__in_callback(ch))
    return CE_SDK_ERR_INVALID_ARGUMENT;
  int cs;
  (void)pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cs);
  int rc = ce__enable(ch, enabled, cfg);
  (void)pthread_setcancelstate(cs, NULL);
  return rc;
}

ce_status ce_channel_register_packet_observer(ce_channel *ch,
                                              const ce_packet_observer *obs,
                                              void *user) {
  ce__chan_cfg *next;
  int cs;
  ce_status st = ce__begin(ch, &next, &cs);
  if (st != CE_OK)
    return st;
  if (obs != NULL) {
    next->observer = *obs;
    next->observer_user = user;
    next->has_observer = 1;
  } else {
    memset(&next->observer, 0, sizeof next->observer);
    next->observer_user = NULL;
    next->has_observer = 0;
  }
  ce__commit(ch, next, cs);
  return CE_OK;
}

ce_status ce_channel_set_error_callback(ce_channel *ch, ce_channel_error_fn fn,
                                        void *user) {
  ce__chan_cfg *next;
  int cs;
  ce_status st = ce__begin(ch, &next, &cs);
  if (st != CE_OK)
    return st;
  next->error_fn = fn;
  next->error_user = fn != NULL ? user : NULL;
  ce__commit(ch, next, cs);
  return CE_OK;
}

ce_status ce_channel_set_max_wire_size(ce_channel *ch, size_t max) {
  ce__chan_cfg *next;
  int cs;
  ce_status st = ce__begin(ch, &next, &cs);
  if (st != CE_OK)
    return st;
  next->max_wire = max;
  ce__commit(ch, next, cs);
  return CE_OK;
}

ce_status ce_channel_join(ce_channel *ch) {
  ce__chan_cfg *next;
  int cs;
  ce_status st = ce__begin(ch, &next, &cs);
  if (st != CE_OK)
    return st;
  next->joined = 1;
  ce__commit(ch, next, cs);
  return CE_OK;
}

ce_status ce_channel_leave(ce_channel *ch) {
  ce__chan_cfg *next;
  int cs;
  ce_status st = ce__begin(ch, &next, &cs);
  if (st != CE_OK)
    return st;
  next->joined = 0;
  /* The SDK disables built-in encryption when the user leaves. */
  next->ctx = NULL;
  next->datastream_enabled = 0;
  ce__commit(ch, next, cs);
  return CE_OK;
}

ce_status ce_channel_get_counters(ce_channel *ch, ce_channel_counters *out) {
  if (ch == NULL || out == NULL || ce__in_callback(ch))
    return CE_ERR_INVALID_ARGUMENT;
  ce_channel_counters c;
  memset(&c, 0, sizeof c);
  /* Each direction is claimed while it is copied (the way a packet claims
     it), so its counters are a consistent snapshot. */
  for (int i = 0; i < 2; i++) {
    ce__chan_dir *d = &ch->dir[i];
    uint64_t s = ce__claim(d);
    for (int k = 0; k < CE_PACKET_KINDS; k++) {
      ce_channel_kind_counters *kc = &c.kind[k];
      if (i == CE__SEND) {
        kc->sent = d->ok[k];
        kc->send_dropped = d->dropped[k];
        memcpy(kc->send_failed, d->failed[k], sizeof kc->send_failed);
      } else {
        kc->received = d->ok[k];
        kc->receive_dropped = d->dropped[k];
        memcpy(kc->receive_failed, d->failed[k], sizeof kc->receive_failed);
      }
    }
    ce__release(d, s);
  }
  *out = c;
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
   observer (spec 11). */
typedef int (*ce__obs_fn)(void *user, ce_packet *pkt);

static ce__obs_fn ce__observer_fn(const ce__chan_cfg *cfg, enum ce__dir dir,
                                  ce_packet_kind kind) {
  if (!cfg->has_observer || kind == CE_PACKET_DATA)
    return NULL;
  if (dir == CE__SEND)
    return kind == CE_PACKET_AUDIO ? cfg->observer.on_send_audio
                                   : cfg->observer.on_send_video;
  return kind == CE_PACKET_AUDIO ? cfg->observer.on_receive_audio
                                 : cfg->observer.on_receive_video;
}

/* Built-in encryption applies to audio and video whenever it is enabled,
   to data streams only with datastream_encryption_enabled (spec 11). */
static ce_ctx *ce__builtin_ctx(const ce__chan_cfg *cfg, ce_packet_kind kind) {
  if (kind == CE_PACKET_DATA && !cfg->datastream_enabled)
    return NULL;
  return cfg->ctx;
}

/*
 * Runs one observer callback on the packet at (*cur, *cur_len), where
 * *cur is also the start of a region of region_cap bytes that the channel
 * owns or was given (the caller's buffer, or the context's frame buffer). On
 * CE_OK,
 * (*cur, *cur_len) is what the observer returned, never NULL.
 */
static ce_status ce__run_observer(const ce__chan_cfg *cfg, ce__obs_fn fn,
                                  const uint8_t **cur, size_t *cur_len,
                                  size_t region_cap) {
  /* ce_packet.size is unsigned (as the SDK's): refuse what it cannot
     describe rather than cast it down. */
  if (*cur_len > UINT_MAX)
    return CE_ERR_TOO_LARGE;
  ce_packet pkt = {*cur, (unsigned)*cur_len};
  int keep = fn(cfg->observer_user, &pkt);
  if (!keep)
    return CE_DROPPED;
  /* The usual answer: the packet as it was handed over. */
  if (pkt.buffer == *cur && pkt.size == *cur_len)
    return CE_OK;
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

static ce_status ce__send(const ce__chan_cfg *cfg, ce_packet_kind kind,
                          uint8_t *buf, size_t *len, size_t cap) {
  size_t n = *len;
  /* Spec 8 bounds payloads whether or not built-in encryption is on, so
     the limit does not depend on the configuration. */
  if (n > CE_MAX_PAYLOAD)
    return CE_ERR_TOO_LARGE;
  const uint8_t *cur = buf;
  size_t cur_len = n, region_cap = cap;
  ce_ctx *ctx = ce__builtin_ctx(cfg, kind);
  if (ctx != NULL) {
    /* The frame stays in the context's seal buffer (internal.h). */
    ce_status st = ce__protect_frame(ctx, 0, 0, buf, n, CE_MAX_FRAME, &cur_len);
    if (st != CE_OK)
      return st;
    cur = ctx->seal_buf;
    region_cap = CE_MAX_FRAME;
  }
  ce__obs_fn fn = ce__observer_fn(cfg, CE__SEND, kind);
  if (fn != NULL) {
    ce_status st = ce__run_observer(cfg, fn, &cur, &cur_len, region_cap);
    if (st != CE_OK)
      return st;
  }
  if (cfg->max_wire != 0 && cur_len > cfg->max_wire)
    return CE_ERR_TOO_LARGE;
  if (cur_len > cap)
    return CE_ERR_BUFFER_TOO_SMALL;
  ce__channel_deliver(buf, len, cur, cur_len);
  return CE_OK;
}

static ce_status ce__receive(const ce__chan_cfg *cfg, ce_packet_kind kind,
                             uint8_t *buf, size_t *len, size_t cap) {
  size_t n = *len;
  /* Check the limit before anything (observer included) reads it. */
  if (cfg->max_wire != 0 && n > cfg->max_wire)
    return CE_ERR_TOO_LARGE;
  const uint8_t *cur = buf;
  size_t cur_len = n;
  ce__obs_fn fn = ce__observer_fn(cfg, CE__RECV, kind);
  if (fn != NULL) {
    ce_status st = ce__run_observer(cfg, fn, &cur, &cur_len, cap);
    if (st != CE_OK)
      return st;
  }
  ce_ctx *ctx = ce__builtin_ctx(cfg, kind);
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

/* Counts the outcome and reports a failure. The caller holds direction
   dir, whose counters only the holder writes. */
static void ce__account(const ce__chan_cfg *cfg, ce__chan_dir *d,
                        enum ce__dir dir, ce_packet_kind kind, ce_status st) {
  if (st == CE_OK) {
    d->ok[kind]++;
    return;
  }
  if (st == CE_DROPPED) {
    d->dropped[kind]++;
    return;
  }
  int slot = -(int)st;
  if (slot <= 0 || slot >= CE_CHANNEL_STATUS_SLOTS)
    slot = -(int)CE_ERR_INTERNAL; /* cannot happen; never index out */
  d->failed[kind][slot]++;
  if (cfg->error_fn != NULL)
    cfg->error_fn(cfg->error_user, ce__error_type(dir, kind, st), (int)st);
}

static ce_status ce__packet(ce_channel *ch, enum ce__dir dir,
                            ce_packet_kind kind, uint8_t *buf, size_t *len,
                            size_t cap) {
  if (ch == NULL || buf == NULL || len == NULL || !ce__kind_valid(kind) ||
      *len > cap)
    return CE_ERR_INVALID_ARGUMENT;
  uintptr_t self = ce__self();
  ce__chan_dir *d = &ch->dir[dir], *other = &ch->dir[dir ^ 1];
  /* From one of this channel's callbacks (see the top of the file). */
  if (atomic_load_explicit(&d->holder, memory_order_relaxed) == self ||
      atomic_load_explicit(&other->holder, memory_order_relaxed) == self)
    return CE_ERR_INVALID_ARGUMENT;
  uint64_t s = ce__claim(d);
  atomic_store_explicit(&d->holder, self, memory_order_relaxed);
  /* seq_cst, not acquire: see "Why the pointer is read with seq_cst". */
  const ce__chan_cfg *cfg =
      atomic_load_explicit(&ch->cur, memory_order_seq_cst);
  ce_status st;
  if (!cfg->joined) {
    /* Not a packet failure: nothing is counted or reported. */
    st = CE_ERR_INVALID_ARGUMENT;
  } else {
    st = dir == CE__SEND ? ce__send(cfg, kind, buf, len, cap)
                         : ce__receive(cfg, kind, buf, len, cap);
    ce__account(cfg, d, dir, kind, st);
  }
  atomic_store_explicit(&d->holder, 0, memory_order_relaxed);
  ce__release(d, s);
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
