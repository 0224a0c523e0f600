/*
 * channel_fuzzer.c - the channel pipeline with a fuzz-driven observer.
 *
 * Target: ce_channel_* (channel.c): send and receive of audio, video and
 * data packets through built-in encryption and a packet observer whose
 * every decision comes from the input (keep, drop, repoint to its own
 * memory, grow, shrink, size 0, NULL buffer, grow in place, reentrant
 * calls, calls into another channel), interleaved with the control calls
 * (enable/disable encryption, register/unregister, error callback, wire
 * limit, join/leave, counters).
 *
 * Input: a sequence of operations, each an op byte and its fields; the
 * observer and the packets draw their bytes from the same stream, so one
 * input is one deterministic session.
 *
 * What must hold (chanenc_channel.h and spec 11):
 *  - the harness predicts every status from its own model of the pipeline
 *    (order of checks, observer outcome, wire limit, capacity) and the
 *    library must return exactly that;
 *  - on CE_DROPPED and every failure, buf[0..cap) and *len are unchanged;
 *    on CE_OK the buffer holds exactly the predicted bytes: what the
 *    observer handed back, or what an oracle context with the same config
 *    on the OpenSSL backend makes of it (receive), or a frame that the
 *    oracle opens back to the payload (send without observer): so the
 *    channel's own backend (from the input: auto, openssl, ipsec-mb,
 *    sm4-simd or no backend) is compared with OpenSSL;
 *  - observers see exactly the packet of the spec 11 pipeline (the payload,
 *    or the frame, or the wire bytes) and are never called for data
 *    streams; calls from inside callbacks are refused;
 *  - the error callback runs exactly once per counted failure with the
 *    right error type, and the counters match the harness's tally;
 *  - a packet sent and received back through identity (or inverse XOR)
 *    observers comes back as the payload.
 *
 * GCM2 is only ever enabled with an all-zero salt (refused at once): a
 * GCM2 enable runs a 100,000-iteration PBKDF2 by design, and nothing in
 * the channel depends on the mode beyond its ce_ctx.
 */
#include "fuzz_common.h"
#include "chanenc_channel.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZ_POISON 0xa5
#define FZ_OWN (CE_MAX_FRAME + 4096)

enum { FZ_IDENTITY = 0, FZ_XOR = 1, FZ_OTHER = 2 };

typedef struct fz_chan {
  fz_reader *in;
  ce_channel *ch, *other;
  /* The harness's model of the channel's settings. */
  int joined, enc, datastream, mode;
  ce_ctx *oracle; /* the channel's config on OpenSSL: predicts receive */
  int has_obs;
  unsigned obs_mask; /* which of the four callbacks are set */
  int has_err;
  size_t max_wire;
  ce_channel_counters want;
  /* What the last callback did. */
  int obs_calls;
  int obs_dropped, obs_bad, obs_transform;
  size_t obs_in_len;
  uint8_t *obs_in; /* copy of what the observer was given */
  size_t obs_out_len;
  uint8_t *obs_out; /* copy of what it handed back */
  uint8_t *own;     /* the observer's own memory */
  /* Error callback log. */
  int err_calls, err_type, err_status;
} fz_chan;

static fz_chan S;

/* ---- callbacks ------------------------------------------------------------
 */

/* Every control and packet call must refuse to run from a callback. */
static void check_reentry(ce_channel *ch) {
  uint8_t b[4] = {1, 2, 3, 4};
  size_t len = 4;
  ce_channel_counters c;
  FZ_CHECK_STATUS(ce_channel_send(ch, CE_PACKET_AUDIO, b, &len, 4),
                  CE_ERR_INVALID_ARGUMENT, "reentrant send");
  FZ_CHECK_STATUS(ce_channel_receive(ch, CE_PACKET_DATA, b, &len, 4),
                  CE_ERR_INVALID_ARGUMENT, "reentrant receive");
  FZ_CHECK(ce_channel_enable_encryption(ch, 0, NULL) ==
               CE_SDK_ERR_INVALID_ARGUMENT,
           "reentrant enable_encryption");
  FZ_CHECK_STATUS(ce_channel_register_packet_observer(ch, NULL, NULL),
                  CE_ERR_INVALID_ARGUMENT, "reentrant register");
  FZ_CHECK_STATUS(ce_channel_set_error_callback(ch, NULL, NULL),
                  CE_ERR_INVALID_ARGUMENT, "reentrant error callback");
  FZ_CHECK_STATUS(ce_channel_set_max_wire_size(ch, 1), CE_ERR_INVALID_ARGUMENT,
                  "reentrant max wire");
  FZ_CHECK_STATUS(ce_channel_join(ch), CE_ERR_INVALID_ARGUMENT,
                  "reentrant join");
  FZ_CHECK_STATUS(ce_channel_leave(ch), CE_ERR_INVALID_ARGUMENT,
                  "reentrant leave");
  FZ_CHECK_STATUS(ce_channel_get_counters(ch, &c), CE_ERR_INVALID_ARGUMENT,
                  "reentrant counters");
  FZ_CHECK(len == 4 && b[0] == 1 && b[3] == 4, "refused call wrote");
}

static int observe(fz_chan *s, ce_packet *pkt) {
  s->obs_calls++;
  s->obs_dropped = 0;
  s->obs_bad = 0;
  s->obs_transform = FZ_IDENTITY;
  s->obs_in_len = pkt->size;
  if (pkt->size)
    memcpy(s->obs_in, pkt->buffer, pkt->size);
  uint8_t act = fz_u8(s->in);
  size_t n = pkt->size, k;
  switch (act % 12) {
  case 0: /* keep as is */
    break;
  case 1:
    s->obs_dropped = 1;
    return 0;
  case 2: /* repoint to own memory of any size, even past every limit */
    k = (act & 0x80) ? CE_MAX_PAYLOAD + 1 + fz_u8(s->in) : fz_u16(s->in) % 3000;
    fz_fill(s->in, s->own, k);
    pkt->buffer = s->own;
    pkt->size = (unsigned)k;
    s->obs_transform = FZ_OTHER;
    break;
  case 3: /* grow: payload plus a trailer, as an authenticating observer */
    k = 1 + fz_u8(s->in) % 32;
    if (n)
      memcpy(s->own, pkt->buffer, n);
    fz_fill(s->in, s->own + n, k);
    pkt->buffer = s->own;
    pkt->size = (unsigned)(n + k);
    s->obs_transform = FZ_OTHER;
    break;
  case 4: { /* shrink in place: skip a prefix, cut a suffix */
    size_t a = fz_u8(s->in) % (n + 1);
    size_t b = fz_u8(s->in) % (n - a + 1);
    pkt->buffer += a;
    pkt->size = (unsigned)(n - a - b);
    if (a || b)
      s->obs_transform = FZ_OTHER;
    break;
  }
  case 5: /* empty packet, buffer kept */
    pkt->size = 0;
    s->obs_transform = n ? FZ_OTHER : FZ_IDENTITY;
    break;
  case 6: /* empty packet, NULL buffer: allowed */
    pkt->buffer = NULL;
    pkt->size = 0;
    s->obs_transform = n ? FZ_OTHER : FZ_IDENTITY;
    break;
  case 7: /* NULL buffer with a size: the observer's way to fail */
    pkt->buffer = NULL;
    pkt->size = 1 + fz_u8(s->in);
    s->obs_bad = 1;
    return 1;
  case 8: /* grown in place: refused, the channel never reads past */
    k = 1 + fz_u8(s->in) % 64;
    if ((act & 0x80) && n > 0) {
      /* Moved to the last given byte, then grown past the packet. */
      pkt->buffer += n - 1;
      pkt->size = (unsigned)(k + 1);
    } else if (act & 0x40) {
      /* Moved before the given bytes and grown into them (as an integer:
         the channel only compares addresses and must not read there). */
      pkt->buffer = (const unsigned char *)((uintptr_t)pkt->buffer - k);
      pkt->size = (unsigned)(k + 1);
    } else {
      pkt->size = (unsigned)(n + k);
    }
    s->obs_bad = 1;
    return 1;
  case 9: /* reentrant calls, then keep */
    check_reentry(s->ch);
    break;
  case 10: /* XOR with a constant: an invertible "custom encryption" */
    for (size_t i = 0; i < n; i++)
      s->own[i] = pkt->buffer[i] ^ 0x5a;
    pkt->buffer = s->own;
    s->obs_transform = FZ_XOR;
    break;
  default: { /* a callback of this channel may use another channel */
    uint8_t b[3] = {7, 8, 9};
    size_t len = 3;
    ce_channel_counters c;
    FZ_CHECK_STATUS(ce_channel_send(s->other, CE_PACKET_DATA, b, &len, 3),
                    CE_OK, "send on another channel from a callback");
    FZ_CHECK(len == 3 && b[0] == 7 && b[2] == 9, "plain data send changed");
    FZ_CHECK_STATUS(ce_channel_get_counters(s->other, &c), CE_OK,
                    "counters of another channel from a callback");
    break;
  }
  }
  s->obs_out_len = pkt->size;
  if (pkt->size)
    memcpy(s->obs_out, pkt->buffer, pkt->size);
  return 1;
}

static int on_send_audio(void *u, ce_packet *p) {
  return observe(u, p);
}
static int on_send_video(void *u, ce_packet *p) {
  return observe(u, p);
}
static int on_receive_audio(void *u, ce_packet *p) {
  return observe(u, p);
}
static int on_receive_video(void *u, ce_packet *p) {
  return observe(u, p);
}

static void on_error(void *u, int type, int status) {
  fz_chan *s = u;
  s->err_calls++;
  s->err_type = type;
  s->err_status = status;
  /* The error callback is a callback too. */
  ce_channel_counters c;
  FZ_CHECK_STATUS(ce_channel_get_counters(s->ch, &c), CE_ERR_INVALID_ARGUMENT,
                  "counters from the error callback");
}

/* ---- the model -------------------------------------------------------------
 */

static int builtin_applies(const fz_chan *s, ce_packet_kind kind) {
  return s->enc && (kind != CE_PACKET_DATA || s->datastream);
}

static int observer_applies(const fz_chan *s, int send, ce_packet_kind kind) {
  if (!s->has_obs || kind == CE_PACKET_DATA)
    return 0;
  unsigned bit = (send ? 0u : 2u) + (kind == CE_PACKET_VIDEO ? 1u : 0u);
  return (s->obs_mask >> bit) & 1u;
}

/* Counts an outcome as the channel must, and checks the error callback. */
static void account(fz_chan *s, int send, ce_packet_kind kind, ce_status st,
                    int err_calls_before) {
  ce_channel_kind_counters *kc = &s->want.kind[kind];
  int calls = s->err_calls - err_calls_before;
  if (st == CE_OK || st == CE_DROPPED) {
    if (st == CE_OK)
      (*(send ? &kc->sent : &kc->received))++;
    else
      (*(send ? &kc->send_dropped : &kc->receive_dropped))++;
    FZ_CHECK(calls == 0, "error callback on %s", ce_status_name(st));
    return;
  }
  (send ? kc->send_failed : kc->receive_failed)[-st]++;
  if (!s->has_err) {
    FZ_CHECK(calls == 0, "error callback while unregistered");
    return;
  }
  int type;
  if (st == CE_ERR_INTERNAL || st == CE_ERR_OBSERVER)
    type = CE_ENCRYPTION_ERROR_INTERNAL_FAILURE;
  else if (kind == CE_PACKET_DATA)
    type = send ? CE_ENCRYPTION_ERROR_DATASTREAM_ENCRYPTION_FAILURE
                : CE_ENCRYPTION_ERROR_DATASTREAM_DECRYPTION_FAILURE;
  else
    type = send ? CE_ENCRYPTION_ERROR_ENCRYPTION_FAILURE
                : CE_ENCRYPTION_ERROR_DECRYPTION_FAILURE;
  FZ_CHECK(calls == 1, "error callback ran %d times for %s", calls,
           ce_status_name(st));
  FZ_CHECK(s->err_type == type && s->err_status == (int)st,
           "error callback (%d, %d), want (%d, %d)", s->err_type, s->err_status,
           type, (int)st);
}

static void check_counters(fz_chan *s) {
  ce_channel_counters got;
  FZ_CHECK_STATUS(ce_channel_get_counters(s->ch, &got), CE_OK, "counters");
  FZ_CHECK(memcmp(&got, &s->want, sizeof got) == 0,
           "counters differ from the harness's tally");
}

/* One send through the model; returns the status, the wire in buf. */
static ce_status do_send(fz_chan *s, ce_packet_kind kind, uint8_t *buf,
                         size_t *len, size_t cap, int *transform) {
  size_t n = *len;
  uint8_t *before = malloc(cap ? cap : 1);
  memcpy(before, buf, cap ? cap : 1);
  int obs_before = s->obs_calls, err_before = s->err_calls;
  ce_status st = ce_channel_send(s->ch, kind, buf, len, cap);
  int obs = observer_applies(s, 1, kind);
  int enc = builtin_applies(s, kind);

  /* The prediction. */
  ce_status want;
  size_t stage = n;
  *transform = FZ_IDENTITY;
  if (!s->joined) {
    want = CE_ERR_INVALID_ARGUMENT;
  } else if (n > CE_MAX_PAYLOAD) {
    want = CE_ERR_TOO_LARGE;
  } else {
    want = CE_OK;
    if (enc)
      stage = n + ce_overhead(s->mode, n);
    if (obs) {
      FZ_CHECK(s->obs_calls == obs_before + 1, "send observer calls %d",
               s->obs_calls - obs_before);
      /* The observer sees the payload, or the frame made of it. */
      FZ_CHECK(s->obs_in_len == stage, "observer saw %zu bytes, want %zu",
               s->obs_in_len, stage);
      if (!enc)
        FZ_CHECK(n == 0 || memcmp(s->obs_in, before, n) == 0,
                 "observer did not see the payload");
      else
        FZ_CHECK(s->obs_in[0] ==
                         (uint8_t)(0x10 | s->mode |
                                   (ce_mode_family(s->mode) == CE_FAMILY_XTS &&
                                            n < 16
                                        ? 0x80
                                        : 0)) &&
                     s->obs_in[1] == ce_ctx_check(s->oracle),
                 "observer did not see a frame header");
      *transform = s->obs_transform;
      if (s->obs_dropped)
        want = CE_DROPPED;
      else if (s->obs_bad)
        want = CE_ERR_OBSERVER;
      else
        stage = s->obs_out_len;
    }
    if (want == CE_OK && s->max_wire && stage > s->max_wire)
      want = CE_ERR_TOO_LARGE;
    if (want == CE_OK && stage > cap)
      want = CE_ERR_BUFFER_TOO_SMALL;
  }
  if (!obs || !s->joined || n > CE_MAX_PAYLOAD)
    FZ_CHECK(s->obs_calls == obs_before, "observer called for kind %d", kind);
  FZ_CHECK_STATUS(st, want, "ce_channel_send");

  if (st != CE_OK) {
    FZ_CHECK(*len == n && memcmp(buf, before, cap ? cap : 1) == 0,
             "send %s changed the buffer", ce_status_name(st));
  } else {
    FZ_CHECK(*len == stage, "wire %zu bytes, want %zu", *len, stage);
    if (obs) {
      FZ_CHECK(stage == 0 || memcmp(buf, s->obs_out, stage) == 0,
               "wire is not what the observer returned");
    } else if (enc) {
      /* The frame opens back to the payload under the same config. */
      uint8_t *p = malloc(stage);
      size_t plen = stage;
      FZ_CHECK_STATUS(ce_unprotect_into(s->oracle, buf, stage, p, &plen), CE_OK,
                      "oracle opens the sent frame");
      FZ_CHECK(plen == n && (n == 0 || memcmp(p, before, n) == 0),
               "sent frame does not hold the payload");
      free(p);
    } else {
      FZ_CHECK(n == 0 || memcmp(buf, before, n) == 0, "plain send changed");
    }
  }
  if (s->joined)
    account(s, 1, kind, st, err_before);
  else
    FZ_CHECK(s->err_calls == err_before, "error callback when not joined");
  free(before);
  return st;
}

static ce_status do_receive(fz_chan *s, ce_packet_kind kind, uint8_t *buf,
                            size_t *len, size_t cap, int *transform) {
  size_t n = *len;
  uint8_t *before = malloc(cap ? cap : 1);
  memcpy(before, buf, cap ? cap : 1);
  int obs_before = s->obs_calls, err_before = s->err_calls;
  ce_status st = ce_channel_receive(s->ch, kind, buf, len, cap);
  int obs = observer_applies(s, 0, kind);
  int enc = builtin_applies(s, kind);

  ce_status want = CE_OK;
  const uint8_t *stage = before;
  size_t stage_len = n;
  uint8_t *payload = NULL;
  *transform = FZ_IDENTITY;
  int observed = 0;
  if (!s->joined) {
    want = CE_ERR_INVALID_ARGUMENT;
  } else if (s->max_wire && n > s->max_wire) {
    want = CE_ERR_TOO_LARGE;
  } else {
    if (obs) {
      observed = 1;
      FZ_CHECK(s->obs_calls == obs_before + 1, "receive observer calls");
      FZ_CHECK(s->obs_in_len == n && (n == 0 || !memcmp(s->obs_in, before, n)),
               "receive observer did not see the wire packet");
      *transform = s->obs_transform;
      if (s->obs_dropped) {
        want = CE_DROPPED;
      } else if (s->obs_bad) {
        want = CE_ERR_OBSERVER;
      } else {
        stage = s->obs_out;
        stage_len = s->obs_out_len;
      }
    }
    if (want == CE_OK && enc) {
      payload = malloc(CE_MAX_FRAME);
      size_t plen = CE_MAX_FRAME;
      want = ce_unprotect_into(s->oracle, stage_len ? stage : payload,
                               stage_len, payload, &plen);
      stage = payload;
      stage_len = plen;
    }
    if (want == CE_OK && stage_len > CE_MAX_PAYLOAD)
      want = CE_ERR_TOO_LARGE;
    if (want == CE_OK && stage_len > cap)
      want = CE_ERR_BUFFER_TOO_SMALL;
  }
  if (!observed)
    FZ_CHECK(s->obs_calls == obs_before, "observer called (receive, kind %d)",
             kind);
  FZ_CHECK_STATUS(st, want, "ce_channel_receive");
  if (st != CE_OK) {
    FZ_CHECK(*len == n && memcmp(buf, before, cap ? cap : 1) == 0,
             "receive %s changed the buffer", ce_status_name(st));
  } else {
    FZ_CHECK(*len == stage_len &&
                 (stage_len == 0 || memcmp(buf, stage, stage_len) == 0),
             "received bytes differ from the prediction");
  }
  if (s->joined)
    account(s, 0, kind, st, err_before);
  free(payload);
  free(before);
  return st;
}

/* ---- operations
 * -------------------------------------------------------------- */

static void op_enable(fz_chan *s) {
  uint8_t sel = fz_u8(s->in), mb = fz_u8(s->in);
  int mode = mb % 10; /* 0 and 9 are invalid */
  uint8_t key[40];
  size_t key_len = fz_u8(s->in) % 40;
  fz_fill(s->in, key, key_len);
  ce_config cfg;
  ce_config_init(&cfg);
  cfg.mode = mode;
  cfg.key = key_len || (sel & 1) ? key : NULL;
  cfg.key_len = key_len;
  /* Modes 1-6 ignore the salt; GCM2 keeps the zero salt, see the top. */
  if (mode != 7 && mode != 8)
    fz_fill(s->in, cfg.salt, (sel & 2) ? CE_SALT_LEN : 0);
  cfg.datastream_encryption_enabled = (sel & 4) != 0;
  /* mb / 10 chooses the channel's backend (fz_backend_choice); one that
     cannot serve the mode is refused as NOT_SUPPORTED, no backend as
     INVALID_ARGUMENT (ce_config_check says which). */
  cfg.backend = fz_backend_choice(mb / 10u);
  ce_status chk = ce_config_check(&cfg);
  int want = chk == CE_OK                     ? CE_SDK_OK
             : chk == CE_ERR_NOT_SUPPORTED    ? CE_SDK_ERR_NOT_SUPPORTED
             : chk == CE_ERR_INVALID_ARGUMENT ? CE_SDK_ERR_INVALID_ARGUMENT
                                              : CE_SDK_ERR_FAILED;
  int rc = ce_channel_enable_encryption(s->ch, 1, &cfg);
  FZ_CHECK(rc == want, "enable_encryption %d, want %d", rc, want);
  if (rc != CE_SDK_OK)
    return; /* state unchanged */
  ce_ctx_free(s->oracle);
  /* The oracle runs on OpenSSL, the reference backend, whichever backend
     the channel's context got: its predictions compare the two. */
  cfg.backend = CE_BACKEND_OPENSSL;
  FZ_CHECK_STATUS(ce_ctx_new(&cfg, &s->oracle), CE_OK, "oracle context");
  s->enc = 1;
  s->mode = mode;
  s->datastream = cfg.datastream_encryption_enabled;
  memset(key, 0, sizeof key); /* the channel copied the key */
}

static void op_disable(fz_chan *s) {
  FZ_CHECK(ce_channel_enable_encryption(s->ch, 0, NULL) == CE_SDK_OK,
           "disable");
  s->enc = 0;
  s->datastream = 0;
}

static void op_register(fz_chan *s) {
  uint8_t mask = fz_u8(s->in);
  ce_packet_observer obs = {(mask & 1) ? on_send_audio : NULL,
                            (mask & 2) ? on_send_video : NULL,
                            (mask & 4) ? on_receive_audio : NULL,
                            (mask & 8) ? on_receive_video : NULL};
  FZ_CHECK_STATUS(ce_channel_register_packet_observer(s->ch, &obs, s), CE_OK,
                  "register");
  s->has_obs = 1;
  s->obs_mask = mask & 15u;
}

static void op_unregister(fz_chan *s) {
  FZ_CHECK_STATUS(ce_channel_register_packet_observer(s->ch, NULL, s), CE_OK,
                  "unregister");
  s->has_obs = 0;
}

static void op_error_cb(fz_chan *s) {
  int on = fz_u8(s->in) & 1;
  FZ_CHECK_STATUS(ce_channel_set_error_callback(s->ch, on ? on_error : NULL, s),
                  CE_OK, "error callback");
  s->has_err = on;
}

static void op_max_wire(fz_chan *s) {
  uint16_t v = fz_u16(s->in);
  size_t max = (v & 0x8000) ? 0 : v % 2048;
  FZ_CHECK_STATUS(ce_channel_set_max_wire_size(s->ch, max), CE_OK, "max wire");
  s->max_wire = max;
}

/* A packet of n bytes (from the input) in a buffer of exactly cap bytes. */
static uint8_t *packet(fz_chan *s, size_t *n, size_t *cap) {
  *n = fz_u16(s->in) % 2048;
  *cap = *n + fz_u8(s->in);
  uint8_t *buf = malloc(*cap ? *cap : 1);
  buf[0] = FZ_POISON; /* a 0-byte packet's 1-byte allocation, defined */
  fz_fill(s->in, buf, *n);
  memset(buf + *n, FZ_POISON, *cap - *n);
  return buf;
}

static void op_send(fz_chan *s, int receive) {
  ce_packet_kind kind = (ce_packet_kind)(fz_u8(s->in) % CE_PACKET_KINDS);
  size_t n, cap;
  uint8_t *buf = packet(s, &n, &cap);
  int t;
  if (receive)
    do_receive(s, kind, buf, &n, cap, &t);
  else
    do_send(s, kind, buf, &n, cap, &t);
  free(buf);
}

static void op_loopback(fz_chan *s) {
  ce_packet_kind kind = (ce_packet_kind)(fz_u8(s->in) % CE_PACKET_KINDS);
  size_t n, cap;
  uint8_t *buf = packet(s, &n, &cap);
  uint8_t *payload = malloc(n ? n : 1);
  memcpy(payload, buf, n);
  /* Room for the frame and whatever an observer adds. */
  size_t big = n + CE_MAX_OVERHEAD + 64 + fz_u8(s->in);
  uint8_t *wire = malloc(big);
  memcpy(wire, buf, n);
  size_t len = n;
  int t_send, t_recv;
  if (do_send(s, kind, wire, &len, big, &t_send) == CE_OK) {
    ce_status st = do_receive(s, kind, wire, &len, big, &t_recv);
    if (st == CE_OK && t_send == t_recv && t_send != FZ_OTHER)
      FZ_CHECK(len == n && (n == 0 || memcmp(wire, payload, n) == 0),
               "loopback did not give the payload back");
    /* Identity observers (or none) and a sent packet: it must arrive. */
    if (t_send == FZ_IDENTITY && !s->obs_dropped && !s->obs_bad &&
        !observer_applies(s, 0, kind))
      FZ_CHECK_STATUS(st, CE_OK, "loopback receive");
  }
  free(wire);
  free(payload);
  free(buf);
}

static void op_invalid(fz_chan *s) {
  uint8_t sel = fz_u8(s->in);
  uint8_t b[8] = {0};
  size_t len = 4;
  int recv = sel & 1;
  ce_status (*fn)(ce_channel *, ce_packet_kind, uint8_t *, size_t *, size_t) =
      recv ? ce_channel_receive : ce_channel_send;
  int err_before = s->err_calls;
  switch ((sel >> 1) % 5) {
  case 0:
    FZ_CHECK_STATUS(fn(s->ch, (ce_packet_kind)(3 + (sel >> 4)), b, &len, 8),
                    CE_ERR_INVALID_ARGUMENT, "bad kind");
    break;
  case 1:
    FZ_CHECK_STATUS(fn(s->ch, CE_PACKET_AUDIO, NULL, &len, 8),
                    CE_ERR_INVALID_ARGUMENT, "NULL buf");
    break;
  case 2:
    FZ_CHECK_STATUS(fn(s->ch, CE_PACKET_VIDEO, b, NULL, 8),
                    CE_ERR_INVALID_ARGUMENT, "NULL len");
    break;
  case 3:
    len = 9;
    FZ_CHECK_STATUS(fn(s->ch, CE_PACKET_DATA, b, &len, 8),
                    CE_ERR_INVALID_ARGUMENT, "len > cap");
    break;
  default:
    FZ_CHECK_STATUS(fn(NULL, CE_PACKET_DATA, b, &len, 8),
                    CE_ERR_INVALID_ARGUMENT, "NULL channel");
    FZ_CHECK(ce_channel_enable_encryption(NULL, 0, NULL) ==
                 CE_SDK_ERR_INVALID_ARGUMENT,
             "NULL channel enable");
    FZ_CHECK_STATUS(ce_channel_register_packet_observer(NULL, NULL, NULL),
                    CE_ERR_INVALID_ARGUMENT, "NULL channel register");
    FZ_CHECK_STATUS(ce_channel_set_error_callback(NULL, NULL, NULL),
                    CE_ERR_INVALID_ARGUMENT, "NULL channel error cb");
    FZ_CHECK_STATUS(ce_channel_set_max_wire_size(NULL, 0),
                    CE_ERR_INVALID_ARGUMENT, "NULL channel max wire");
    FZ_CHECK_STATUS(ce_channel_join(NULL), CE_ERR_INVALID_ARGUMENT,
                    "NULL channel join");
    FZ_CHECK_STATUS(ce_channel_leave(NULL), CE_ERR_INVALID_ARGUMENT,
                    "NULL channel leave");
    FZ_CHECK_STATUS(ce_channel_get_counters(s->ch, NULL),
                    CE_ERR_INVALID_ARGUMENT, "NULL counters");
    FZ_CHECK_STATUS(ce_channel_new(NULL), CE_ERR_INVALID_ARGUMENT, "NULL new");
    ce_channel_free(NULL);
    break;
  }
  FZ_CHECK(s->err_calls == err_before, "error callback for a bad argument");
}

/* A payload over 65,535 bytes (send) or a plain packet over it (receive,
   where only an encrypting or a limiting channel would refuse it first). */
static void op_oversize(fz_chan *s) {
  static uint8_t big[CE_MAX_PAYLOAD + 64];
  size_t n = CE_MAX_PAYLOAD + 1 + fz_u8(s->in) % 16;
  size_t cap = sizeof big;
  ce_packet_kind kind = (ce_packet_kind)(fz_u8(s->in) % CE_PACKET_KINDS);
  int t;
  memset(big, 0x11, sizeof big);
  if (fz_u8(s->in) & 1)
    do_receive(s, kind, big, &n, cap, &t);
  else
    do_send(s, kind, big, &n, cap, &t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fz_reader r = {data, size};
  fz_chan *s = &S;
  if (s->own == NULL) {
    /* Process-lifetime scratch, allocated once (reachable: not a leak). */
    s->own = malloc(FZ_OWN);
    s->obs_in = malloc(FZ_OWN);
    s->obs_out = malloc(FZ_OWN);
  }
  uint8_t *own = s->own, *obs_in = s->obs_in, *obs_out = s->obs_out;
  memset(s, 0, sizeof *s);
  s->own = own;
  s->obs_in = obs_in;
  s->obs_out = obs_out;
  s->in = &r;
  FZ_CHECK_STATUS(ce_channel_new(&s->ch), CE_OK, "ce_channel_new");
  FZ_CHECK_STATUS(ce_channel_new(&s->other), CE_OK, "ce_channel_new other");
  FZ_CHECK_STATUS(ce_channel_join(s->other), CE_OK, "join other");
  /* Most sessions want a joined channel; op 7 leaves. */
  FZ_CHECK_STATUS(ce_channel_join(s->ch), CE_OK, "join");
  s->joined = 1;

  for (int ops = 0; fz_left(&r) > 0 && ops < 64; ops++) {
    switch (fz_u8(&r) % 14) {
    case 0:
      op_enable(s);
      break;
    case 1:
      op_disable(s);
      break;
    case 2:
      op_register(s);
      break;
    case 3:
      op_unregister(s);
      break;
    case 4:
      op_error_cb(s);
      break;
    case 5:
      op_max_wire(s);
      break;
    case 6:
      FZ_CHECK_STATUS(ce_channel_join(s->ch), CE_OK, "join");
      s->joined = 1;
      break;
    case 7:
      FZ_CHECK_STATUS(ce_channel_leave(s->ch), CE_OK, "leave");
      s->joined = 0;
      s->enc = 0; /* leaving disables built-in encryption */
      s->datastream = 0;
      break;
    case 8:
      op_send(s, 0);
      break;
    case 9:
      op_send(s, 1);
      break;
    case 10:
      op_loopback(s);
      break;
    case 11:
      check_counters(s);
      break;
    case 12:
      op_invalid(s);
      break;
    default:
      op_oversize(s);
      break;
    }
  }
  check_counters(s);
  ce_channel_free(s->ch);
  ce_channel_free(s->other);
  ce_ctx_free(s->oracle);
  s->oracle = NULL;
  return 0;
}
