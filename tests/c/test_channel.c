/*
 * test_channel.c - the docs/spec.md section 11 channel pipeline: the
 * combination matrix (built-in on/off x observer x kind x size), mismatched
 * peers, observer behaviours, join/leave, enable_encryption's SDK codes, the
 * wire size limit and reentrancy.
 *
 * Packet buffers are heap blocks of exactly the capacity passed to the
 * channel, so ASan catches any read or write past cap.
 */
#include "ce_test.h"

#include "chacha_observer.h"
#include "chanenc_channel.h"
#include "xor_observer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

typedef struct errlog {
  int calls;
  int type;
  int status;
} errlog;

static void on_error(void *user, int type, int status) {
  errlog *e = user;
  e->calls++;
  e->type = type;
  e->status = status;
}

static void fill(uint8_t *p, size_t n, uint32_t seed) {
  uint32_t x = seed * 2654435761u + 0x9e3779b9u;
  for (size_t i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    p[i] = (uint8_t)x;
  }
}

static uint8_t *xmalloc(size_t n) {
  uint8_t *p = malloc(n ? n : 1);
  if (p == NULL) {
    fprintf(stderr, "out of memory\n");
    exit(2);
  }
  return p;
}

static ce_channel *chan_new(errlog *log) {
  ce_channel *ch = NULL;
  CE_CHECK_STATUS(ce_channel_new(&ch), CE_OK, "ce_channel_new");
  if (ch == NULL)
    exit(2);
  CE_CHECK_STATUS(ce_channel_join(ch), CE_OK, "join");
  if (log != NULL)
    CE_CHECK_STATUS(ce_channel_set_error_callback(ch, on_error, log), CE_OK,
                    "set_error_callback");
  return ch;
}

static void cfg_make(ce_config *c, int mode, const char *key, uint8_t salt,
                     int ds) {
  ce_config_init(c);
  c->mode = mode;
  if (ce_config_set_key_str(c, key) != CE_OK) {
    fprintf(stderr, "cfg_make: bad key\n");
    exit(2);
  }
  memset(c->salt, salt, sizeof c->salt);
  c->datastream_encryption_enabled = ds;
}

/* Enables mode (0 = disable) on ch with key and salt byte. */
static int enable(ce_channel *ch, int mode, const char *key, uint8_t salt,
                  int ds) {
  if (mode == 0)
    return ce_channel_enable_encryption(ch, 0, NULL);
  ce_config c;
  cfg_make(&c, mode, key, salt, ds);
  return ce_channel_enable_encryption(ch, 1, &c);
}

static int mode_ok(int mode) {
  return mode == 0 || ce_mode_supported(mode) == CE_OK;
}

static const char *kind_name(ce_packet_kind k) {
  return k == CE_PACKET_AUDIO   ? "audio"
         : k == CE_PACKET_VIDEO ? "video"
                                : "data";
}

static uint64_t failed_total(const ce_channel_kind_counters *k, int send) {
  uint64_t t = 0;
  for (int s = 0; s < CE_CHANNEL_STATUS_SLOTS; s++)
    t += send ? k->send_failed[s] : k->receive_failed[s];
  return t;
}

static ce_channel_counters counters(ce_channel *ch) {
  ce_channel_counters c;
  memset(&c, 0, sizeof c);
  CE_CHECK_STATUS(ce_channel_get_counters(ch, &c), CE_OK, "get_counters");
  return c;
}

/* ------------------------------------------------------------------ */
/* A test observer with scripted behaviours                            */
/* ------------------------------------------------------------------ */

enum tbehave {
  T_PASS,         /* keep unchanged */
  T_DROP,         /* return 0 */
  T_PREFIX,       /* send: own buffer = 8 x 0xA5 || packet */
  T_STRIP,        /* receive: check the 8-byte prefix, advance in place */
  T_EXPAND,       /* own buffer = packet || `extra` bytes of 0xEE */
  T_SMALLER,      /* own buffer = first half of the packet */
  T_SIZE0,        /* buffer unchanged, size 0 */
  T_NULL_NONZERO, /* buffer NULL, size unchanged (nonzero) */
  T_NULL_ZERO,    /* buffer NULL, size 0 */
  T_GROW_INPLACE, /* buffer unchanged, size + 1 */
  T_SHIFT_PAST,   /* buffer + 1, size unchanged: runs one byte past */
  T_REENTER       /* calls into its own channel, then keeps */
};

#define T_PREFIX_LEN 8u

typedef struct tobs {
  enum tbehave send_b, recv_b;
  unsigned extra;
  unsigned char *own; /* CE_MAX_FRAME + 64 bytes */
  unsigned calls_send, calls_recv;
  unsigned last_size; /* size seen on entry by the last call */
  ce_channel *self;   /* for T_REENTER */
  ce_channel *other;  /* T_REENTER also sends on this one (allowed) */
  int reenter_results[6];
} tobs;

#define T_OWN_CAP (CE_MAX_FRAME + 64u)

static int tobs_apply(tobs *t, enum tbehave b, ce_packet *pkt) {
  t->last_size = pkt->size;
  switch (b) {
  case T_PASS:
    return 1;
  case T_DROP:
    return 0;
  case T_PREFIX:
    memset(t->own, 0xA5, T_PREFIX_LEN);
    if (pkt->size)
      memcpy(t->own + T_PREFIX_LEN, pkt->buffer, pkt->size);
    pkt->buffer = t->own;
    pkt->size += T_PREFIX_LEN;
    return 1;
  case T_STRIP:
    if (pkt->size < T_PREFIX_LEN)
      return 0;
    for (unsigned i = 0; i < T_PREFIX_LEN; i++)
      if (pkt->buffer[i] != 0xA5)
        return 0;
    pkt->buffer += T_PREFIX_LEN; /* shrink in place: allowed */
    pkt->size -= T_PREFIX_LEN;
    return 1;
  case T_EXPAND:
    if (pkt->size)
      memcpy(t->own, pkt->buffer, pkt->size);
    memset(t->own + pkt->size, 0xEE, t->extra);
    pkt->buffer = t->own;
    pkt->size += t->extra;
    return 1;
  case T_SMALLER:
    if (pkt->size)
      memcpy(t->own, pkt->buffer, pkt->size / 2);
    pkt->buffer = t->own;
    pkt->size /= 2;
    return 1;
  case T_SIZE0:
    pkt->size = 0;
    return 1;
  case T_NULL_NONZERO:
    pkt->buffer = NULL;
    return 1;
  case T_NULL_ZERO:
    pkt->buffer = NULL;
    pkt->size = 0;
    return 1;
  case T_GROW_INPLACE:
    pkt->size += 1;
    return 1;
  case T_SHIFT_PAST:
    pkt->buffer += 1;
    return 1;
  case T_REENTER: {
    static const ce_packet_observer none = {NULL, NULL, NULL, NULL};
    ce_config c;
    cfg_make(&c, CE_MODE_AES_128_GCM, "k", 1, 0);
    ce_channel_counters cc;
    uint8_t b2[64] = {1, 2, 3};
    size_t l2 = 3;
    t->reenter_results[0] =
        ce_channel_register_packet_observer(t->self, &none, NULL);
    t->reenter_results[1] = ce_channel_enable_encryption(t->self, 1, &c);
    t->reenter_results[2] = ce_channel_get_counters(t->self, &cc);
    t->reenter_results[3] =
        ce_channel_send(t->self, CE_PACKET_DATA, b2, &l2, sizeof b2);
    t->reenter_results[4] = ce_channel_leave(t->self);
    l2 = 3;
    t->reenter_results[5] =
        t->other ? ce_channel_send(t->other, CE_PACKET_DATA, b2, &l2, sizeof b2)
                 : CE_OK;
    return 1;
  }
  }
  return 1;
}

static int t_send(void *u, ce_packet *p) {
  tobs *t = u;
  t->calls_send++;
  return tobs_apply(t, t->send_b, p);
}
static int t_recv(void *u, ce_packet *p) {
  tobs *t = u;
  t->calls_recv++;
  return tobs_apply(t, t->recv_b, p);
}
static const ce_packet_observer tobs_cb = {t_send, t_send, t_recv, t_recv};

static void tobs_init(tobs *t, enum tbehave s, enum tbehave r) {
  memset(t, 0, sizeof *t);
  t->send_b = s;
  t->recv_b = r;
  t->own = xmalloc(T_OWN_CAP);
}

/* ------------------------------------------------------------------ */
/* Observers of the matrix                                             */
/* ------------------------------------------------------------------ */

enum obs_kind { OBS_NONE, OBS_XOR, OBS_CHACHA, OBS_PREFIX, OBS_COUNT };
static const char *obs_name[] = {"none", "xor", "chacha", "prefix"};
static const unsigned obs_overhead[] = {0, 0, CE_CHACHA_OVERHEAD, T_PREFIX_LEN};

/* Observer state for one channel: every kind ready, one registered. */
typedef struct endpoint {
  ce_channel *ch;
  errlog log;
  ce_xor_observer xor_state;
  unsigned char *xor_tx, *xor_rx;
  ce_chacha_observer *chacha;
  tobs prefix;
} endpoint;

static const uint8_t chacha_key[32] = {
    1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

static void endpoint_init(endpoint *e) {
  memset(e, 0, sizeof *e);
  e->ch = chan_new(&e->log);
  e->xor_tx = xmalloc(CE_MAX_FRAME);
  e->xor_rx = xmalloc(CE_MAX_FRAME);
  CE_CHECK_STATUS(ce_xor_observer_init(&e->xor_state, CE_XOR_SDK_KEY, e->xor_tx,
                                       CE_MAX_FRAME, e->xor_rx, CE_MAX_FRAME),
                  CE_OK, "xor init");
  CE_CHECK_STATUS(ce_chacha_observer_new(chacha_key, 32, 0, &e->chacha), CE_OK,
                  "chacha new");
  tobs_init(&e->prefix, T_PREFIX, T_STRIP);
}

static void endpoint_observe(endpoint *e, enum obs_kind k) {
  ce_status st = CE_OK;
  switch (k) {
  case OBS_NONE:
    st = ce_channel_register_packet_observer(e->ch, NULL, NULL);
    break;
  case OBS_XOR:
    st = ce_channel_register_packet_observer(e->ch, ce_xor_observer_callbacks(),
                                             &e->xor_state);
    break;
  case OBS_CHACHA:
    st = ce_channel_register_packet_observer(
        e->ch, ce_chacha_observer_callbacks(), e->chacha);
    break;
  default:
    st = ce_channel_register_packet_observer(e->ch, &tobs_cb, &e->prefix);
    break;
  }
  CE_CHECK_STATUS(st, CE_OK, "register %s", obs_name[k]);
}

static void endpoint_free(endpoint *e) {
  ce_channel_free(e->ch);
  ce_chacha_observer_free(e->chacha);
  free(e->xor_tx);
  free(e->xor_rx);
  free(e->prefix.own);
}

/* ------------------------------------------------------------------ */
/* The combination matrix                                              */
/* ------------------------------------------------------------------ */

static const size_t sizes[] = {
    0, 1, 15, 16, 17, 100, 1200, 4096, CE_MAX_PAYLOAD};

/* One packet a -> b with exactly tight capacities; checks everything. */
static void matrix_packet(endpoint *a, endpoint *b, int mode, int ds,
                          enum obs_kind ok, ce_packet_kind kind, size_t n) {
  int builtin = mode != 0 && (kind != CE_PACKET_DATA || ds);
  int observed = ok != OBS_NONE && kind != CE_PACKET_DATA;
  size_t exp = n + (builtin ? ce_overhead(mode, n) : 0) +
               (observed ? obs_overhead[ok] : 0);
  uint8_t *payload = xmalloc(n);
  fill(payload, n, (uint32_t)(n * 31u + (size_t)mode * 7u + (size_t)kind));
  uint8_t *buf = xmalloc(exp); /* cap == exp: tight */
  if (n)
    memcpy(buf, payload, n);
  size_t len = n;
  ce_status st = ce_channel_send(a->ch, kind, buf, &len, exp);
  CE_CHECK_STATUS(st, CE_OK, "send mode %d ds %d obs %s %s n %zu", mode, ds,
                  obs_name[ok], kind_name(kind), n);
  CE_CHECK(len == exp, "wire length %zu, expected %zu (mode %d obs %s %s)", len,
           exp, mode, obs_name[ok], kind_name(kind));
  int transformed = exp != n || (observed && n > 0);
  int same = len == n && (n == 0 || memcmp(buf, payload, n) == 0);
  CE_CHECK(
      same == !transformed, "wire %s the payload (mode %d obs %s %s n %zu)",
      same ? "equals" : "differs from", mode, obs_name[ok], kind_name(kind), n);
  if (st == CE_OK) {
    st = ce_channel_receive(b->ch, kind, buf, &len, exp);
    CE_CHECK_STATUS(st, CE_OK, "receive mode %d ds %d obs %s %s n %zu", mode,
                    ds, obs_name[ok], kind_name(kind), n);
    CE_CHECK(len == n && (n == 0 || memcmp(buf, payload, n) == 0),
             "payload changed (mode %d obs %s %s n %zu)", mode, obs_name[ok],
             kind_name(kind), n);
  }
  free(buf);

  /* One byte less capacity than the wire packet needs. */
  if (n == 100 && exp > n) {
    buf = xmalloc(exp - 1);
    memcpy(buf, payload, n);
    len = n;
    int calls = a->log.calls;
    st = ce_channel_send(a->ch, kind, buf, &len, exp - 1);
    CE_CHECK_STATUS(st, CE_ERR_BUFFER_TOO_SMALL, "cap - 1, mode %d obs %s %s",
                    mode, obs_name[ok], kind_name(kind));
    CE_CHECK(len == n && memcmp(buf, payload, n) == 0,
             "buffer changed on BUFFER_TOO_SMALL");
    CE_CHECK(a->log.calls == calls + 1 && a->log.status == st &&
                 a->log.type ==
                     (kind == CE_PACKET_DATA
                          ? CE_ENCRYPTION_ERROR_DATASTREAM_ENCRYPTION_FAILURE
                          : CE_ENCRYPTION_ERROR_ENCRYPTION_FAILURE),
             "error callback for BUFFER_TOO_SMALL: calls %d type %d",
             a->log.calls - calls, a->log.type);
    free(buf);
  }
  free(payload);
}

/* One byte over the spec's maximum payload (spec 8). */
static void matrix_too_large(endpoint *a, ce_packet_kind kind) {
  size_t n = CE_MAX_PAYLOAD + 1u, cap = n + 64;
  uint8_t *buf = xmalloc(cap);
  fill(buf, cap, 99);
  uint8_t *copy = xmalloc(cap);
  memcpy(copy, buf, cap);
  size_t len = n;
  int calls = a->log.calls;
  ce_status st = ce_channel_send(a->ch, kind, buf, &len, cap);
  CE_CHECK_STATUS(st, CE_ERR_TOO_LARGE, "65536 bytes %s", kind_name(kind));
  CE_CHECK(len == n && memcmp(buf, copy, cap) == 0,
           "buffer changed on TOO_LARGE");
  int type = kind == CE_PACKET_DATA
                 ? CE_ENCRYPTION_ERROR_DATASTREAM_ENCRYPTION_FAILURE
                 : CE_ENCRYPTION_ERROR_ENCRYPTION_FAILURE;
  CE_CHECK(a->log.calls == calls + 1 && a->log.status == CE_ERR_TOO_LARGE &&
               a->log.type == type,
           "error callback for TOO_LARGE");
  free(buf);
  free(copy);
}

static void test_matrix(void) {
  endpoint a, b;
  endpoint_init(&a);
  endpoint_init(&b);
  for (int mode = 0; mode <= 8; mode++) {
    if (!mode_ok(mode)) {
      CE_SKIP(1);
      printf("matrix: mode %d not supported by this OpenSSL, skipped\n", mode);
      continue;
    }
    for (int ds = 0; ds <= (mode ? 1 : 0); ds++) {
      CE_CHECK(enable(a.ch, mode, "matrix key", 0x11, ds) == CE_SDK_OK,
               "enable a mode %d", mode);
      CE_CHECK(enable(b.ch, mode, "matrix key", 0x11, ds) == CE_SDK_OK,
               "enable b mode %d", mode);
      for (int ok = 0; ok < OBS_COUNT; ok++) {
        endpoint_observe(&a, (enum obs_kind)ok);
        endpoint_observe(&b, (enum obs_kind)ok);
        ce_channel_counters ca0 = counters(a.ch), cb0 = counters(b.ch);
        int errs_a = a.log.calls, errs_b = b.log.calls;
        for (int k = 0; k < CE_PACKET_KINDS; k++)
          for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
            matrix_packet(&a, &b, mode, ds, (enum obs_kind)ok,
                          (ce_packet_kind)k, sizes[i]);
        ce_channel_counters ca = counters(a.ch), cbc = counters(b.ch);
        for (int k = 0; k < CE_PACKET_KINDS; k++) {
          size_t nsizes = sizeof sizes / sizeof sizes[0];
          CE_CHECK(ca.kind[k].sent - ca0.kind[k].sent == nsizes,
                   "sent counter %s", kind_name((ce_packet_kind)k));
          CE_CHECK(cbc.kind[k].received - cb0.kind[k].received == nsizes,
                   "received counter %s", kind_name((ce_packet_kind)k));
          CE_CHECK(failed_total(&cbc.kind[k], 0) ==
                       failed_total(&cb0.kind[k], 0),
                   "receive failures counted");
        }
        CE_CHECK(b.log.calls == errs_b, "receiver error callbacks: %d",
                 b.log.calls - errs_b);
        (void)errs_a;
      }
      for (int k = 0; k < CE_PACKET_KINDS; k++)
        matrix_too_large(&a, (ce_packet_kind)k);
    }
  }
  endpoint_free(&a);
  endpoint_free(&b);
}

/* ------------------------------------------------------------------ */
/* Mismatched peers                                                    */
/* ------------------------------------------------------------------ */

/* GCM-family configurations: every pair of them, as sender and receiver,
   must give CE_OK with the exact payload when they agree and the precise
   failure (never CE_OK) when they do not. */
typedef struct gcfg {
  int mode;
  const char *key;
  uint8_t salt;
  int xor_obs;
  uint8_t check; /* check byte of (mode, key, salt) */
  endpoint ep;
} gcfg;

static void test_gcm_mismatch(void) {
  static const int modes[] = {5, 6, 7, 8};
  static const char *keys[] = {"alpha key", "bravo key"};
  enum { NCFG = 4 * 2 * 2 * 2 };
  gcfg *g = calloc(NCFG, sizeof *g);
  if (g == NULL)
    exit(2);
  int n = 0;
  for (int m = 0; m < 4; m++)
    for (int k = 0; k < 2; k++)
      for (int s = 0; s < 2; s++)
        for (int x = 0; x < 2; x++) {
          gcfg *c = &g[n++];
          c->mode = modes[m];
          c->key = keys[k];
          c->salt = s ? 0x22 : 0x33;
          c->xor_obs = x;
          if (x && n > 1 && g[n - 2].mode == c->mode &&
              g[n - 2].key == c->key && g[n - 2].salt == c->salt)
            c->check = g[n - 2].check;
          else {
            ce_config cf;
            cfg_make(&cf, c->mode, c->key, c->salt, 1);
            ce_ctx *ctx = NULL;
            CE_CHECK_STATUS(ce_ctx_new(&cf, &ctx), CE_OK, "ctx");
            c->check = ce_ctx_check(ctx);
            ce_ctx_free(ctx);
          }
          endpoint_init(&c->ep);
          CE_CHECK(enable(c->ep.ch, c->mode, c->key, c->salt, 1) == 0,
                   "enable");
          endpoint_observe(&c->ep, x ? OBS_XOR : OBS_NONE);
        }
  unsigned ok_count = 0, fail_count = 0;
  for (int i = 0; i < NCFG; i++)
    for (int j = 0; j < NCFG; j++)
      for (int k = 0; k < CE_PACKET_KINDS; k++) {
        const gcfg *s = &g[i];
        gcfg *r = &g[j];
        ce_packet_kind kind = (ce_packet_kind)k;
        int salted = s->mode >= 7;
        int obs_differ = kind != CE_PACKET_DATA && s->xor_obs != r->xor_obs;
        int key_differ = s->key != r->key || (salted && s->salt != r->salt);
        ce_status want;
        if (obs_differ)
          /* XOR 0x55 turns version 001 into 100, and back. */
          want = CE_ERR_BAD_VERSION;
        else if (s->mode != r->mode)
          want = CE_ERR_MODE_MISMATCH;
        else if (key_differ)
          want =
              s->check != r->check ? CE_ERR_KEY_MISMATCH : CE_ERR_AUTH_FAILED;
        else
          want = CE_OK;
        uint8_t payload[100], buf[100 + 26], wire[sizeof buf];
        fill(payload, sizeof payload, (uint32_t)(i * 1000 + j * 3 + k));
        memcpy(buf, payload, sizeof payload);
        size_t len = sizeof payload;
        CE_CHECK_STATUS(ce_channel_send(s->ep.ch, kind, buf, &len, sizeof buf),
                        CE_OK, "send");
        memcpy(wire, buf, sizeof wire);
        size_t wire_len = len;
        int calls = r->ep.log.calls;
        ce_status st =
            ce_channel_receive(r->ep.ch, kind, buf, &len, sizeof buf);
        CE_CHECK_STATUS(st, want,
                        "sender mode %d key %s salt %x xor %d -> receiver "
                        "mode %d key %s salt %x xor %d, %s",
                        s->mode, s->key, s->salt, s->xor_obs, r->mode, r->key,
                        r->salt, r->xor_obs, kind_name(kind));
        if (st == CE_OK) {
          ok_count++;
          CE_CHECK(len == sizeof payload &&
                       memcmp(buf, payload, sizeof payload) == 0,
                   "garbage passed up as a valid payload");
          CE_CHECK(r->ep.log.calls == calls, "error callback on success");
        } else {
          fail_count++;
          CE_CHECK(len == wire_len && memcmp(buf, wire, wire_len) == 0,
                   "buffer changed on failure");
          int type = kind == CE_PACKET_DATA
                         ? CE_ENCRYPTION_ERROR_DATASTREAM_DECRYPTION_FAILURE
                         : CE_ENCRYPTION_ERROR_DECRYPTION_FAILURE;
          CE_CHECK(r->ep.log.calls == calls + 1 && r->ep.log.type == type &&
                       r->ep.log.status == st,
                   "error callback: calls %d type %d status %d",
                   r->ep.log.calls - calls, r->ep.log.type, r->ep.log.status);
        }
      }
  CE_CHECK(ok_count > 0 && fail_count > ok_count, "ok %u fail %u", ok_count,
           fail_count);
  for (int i = 0; i < NCFG; i++)
    endpoint_free(&g[i].ep);
  free(g);
}

/* Mismatches outside GCM: every other mode pair, and built-in or observer
   on one side only. */
static void test_other_mismatch(void) {
  endpoint a, b;
  endpoint_init(&a);
  endpoint_init(&b);
  uint8_t payload[100], buf[100 + 64], wire[sizeof buf];
  fill(payload, sizeof payload, 5);
  size_t len;

  /* Every pair of distinct modes, one channel per mode: a 100-byte payload
     makes a frame long enough for every family, so spec 9 stops at
     step 3. */
  ce_channel *per_mode[9] = {NULL};
  errlog mlog[9];
  memset(mlog, 0, sizeof mlog);
  for (int m = 1; m <= 8; m++)
    if (mode_ok(m)) {
      per_mode[m] = chan_new(&mlog[m]);
      CE_CHECK(enable(per_mode[m], m, "same key", 0x44, 1) == 0, "enable");
    }
  for (int ms = 1; ms <= 8; ms++)
    for (int mr = 1; mr <= 8; mr++) {
      if (ms == mr || per_mode[ms] == NULL || per_mode[mr] == NULL)
        continue;
      for (int k = 0; k < CE_PACKET_KINDS; k++) {
        memcpy(buf, payload, sizeof payload);
        len = sizeof payload;
        CE_CHECK_STATUS(ce_channel_send(per_mode[ms], (ce_packet_kind)k, buf,
                                        &len, sizeof buf),
                        CE_OK, "send");
        memcpy(wire, buf, len);
        size_t wl = len;
        int calls = mlog[mr].calls;
        ce_status st = ce_channel_receive(per_mode[mr], (ce_packet_kind)k, buf,
                                          &len, sizeof buf);
        CE_CHECK_STATUS(st, CE_ERR_MODE_MISMATCH, "mode %d -> %d %s", ms, mr,
                        kind_name((ce_packet_kind)k));
        CE_CHECK(len == wl && memcmp(buf, wire, wl) == 0, "buffer changed");
        CE_CHECK(mlog[mr].calls == calls + 1 && mlog[mr].status == st,
                 "error callback");
      }
    }
  for (int m = 1; m <= 8; m++)
    ce_channel_free(per_mode[m]);

  /* Same mode, other key, for the unauthenticated families: the check
     byte catches it (when the check bytes differ, which the test
     verifies first). */
  for (int mode = 1; mode <= 4; mode++) {
    if (!mode_ok(mode))
      continue;
    CE_CHECK(enable(a.ch, mode, "key one", 0, 0) == 0, "enable");
    CE_CHECK(enable(b.ch, mode, "key two", 0, 0) == 0, "enable");
    ce_config c1, c2;
    cfg_make(&c1, mode, "key one", 0, 0);
    cfg_make(&c2, mode, "key two", 0, 0);
    ce_ctx *x1 = NULL, *x2 = NULL;
    CE_CHECK_STATUS(ce_ctx_new(&c1, &x1), CE_OK, "ctx");
    CE_CHECK_STATUS(ce_ctx_new(&c2, &x2), CE_OK, "ctx");
    int differ = ce_ctx_check(x1) != ce_ctx_check(x2);
    ce_ctx_free(x1);
    ce_ctx_free(x2);
    memcpy(buf, payload, sizeof payload);
    len = sizeof payload;
    CE_CHECK_STATUS(
        ce_channel_send(a.ch, CE_PACKET_AUDIO, buf, &len, sizeof buf), CE_OK,
        "send");
    ce_status st =
        ce_channel_receive(b.ch, CE_PACKET_AUDIO, buf, &len, sizeof buf);
    if (differ)
      CE_CHECK_STATUS(st, CE_ERR_KEY_MISMATCH, "mode %d other key", mode);
    else
      CE_SKIP(1); /* 1 in 256: the check bytes collide for these keys */
  }

  /* Built-in on the receiver only: the plaintext is not a CE1 frame. A
     payload starting with 0x00 has version bits 000. */
  CE_CHECK(enable(a.ch, 0, NULL, 0, 0) == 0, "disable");
  CE_CHECK(enable(b.ch, CE_MODE_AES_128_GCM, "k", 0, 0) == 0, "enable");
  memcpy(buf, payload, sizeof payload);
  buf[0] = 0;
  len = sizeof payload;
  CE_CHECK_STATUS(ce_channel_send(a.ch, CE_PACKET_VIDEO, buf, &len, sizeof buf),
                  CE_OK, "send");
  CE_CHECK_STATUS(
      ce_channel_receive(b.ch, CE_PACKET_VIDEO, buf, &len, sizeof buf),
      CE_ERR_BAD_VERSION, "plaintext to a GCM receiver");
  /* Built-in on the sender only: without built-in encryption the receiver
     cannot tell a frame from a payload and passes the frame up. */
  CE_CHECK(enable(a.ch, CE_MODE_AES_128_GCM, "k", 0, 0) == 0, "enable");
  CE_CHECK(enable(b.ch, 0, NULL, 0, 0) == 0, "disable");
  memcpy(buf, payload, sizeof payload);
  len = sizeof payload;
  CE_CHECK_STATUS(ce_channel_send(a.ch, CE_PACKET_VIDEO, buf, &len, sizeof buf),
                  CE_OK, "send");
  CE_CHECK_STATUS(
      ce_channel_receive(b.ch, CE_PACKET_VIDEO, buf, &len, sizeof buf), CE_OK,
      "frame to a receiver without encryption");
  CE_CHECK(len == sizeof payload + 26 && buf[0] == (0x10 | CE_MODE_AES_128_GCM),
           "the receiver got the frame, as spec 11 implies");

  /* Observer on one side only, GCM on both. */
  CE_CHECK(enable(b.ch, CE_MODE_AES_128_GCM, "k", 0, 0) == 0, "enable");
  endpoint_observe(&a, OBS_CHACHA);
  endpoint_observe(&b, OBS_NONE);
  memcpy(buf, payload, sizeof payload);
  len = sizeof payload;
  CE_CHECK_STATUS(ce_channel_send(a.ch, CE_PACKET_AUDIO, buf, &len, sizeof buf),
                  CE_OK, "send");
  ce_status st =
      ce_channel_receive(b.ch, CE_PACKET_AUDIO, buf, &len, sizeof buf);
  CE_CHECK(st < 0, "chacha output to a plain GCM receiver: %s",
           ce_status_name(st));
  endpoint_observe(&a, OBS_NONE);
  endpoint_observe(&b, OBS_CHACHA);
  uint64_t rej = ce_chacha_observer_rejected(b.chacha);
  memcpy(buf, payload, sizeof payload);
  len = sizeof payload;
  CE_CHECK_STATUS(ce_channel_send(a.ch, CE_PACKET_AUDIO, buf, &len, sizeof buf),
                  CE_OK, "send");
  int calls = b.log.calls;
  CE_CHECK_STATUS(
      ce_channel_receive(b.ch, CE_PACKET_AUDIO, buf, &len, sizeof buf),
      CE_DROPPED, "plain frame to a chacha receiver");
  CE_CHECK(ce_chacha_observer_rejected(b.chacha) == rej + 1,
           "chacha counted the rejection");
  CE_CHECK(b.log.calls == calls, "a drop is not an error");

  /* A flipped bit on the wire: GCM says AUTH_FAILED, buffer untouched. */
  endpoint_observe(&b, OBS_NONE);
  memcpy(buf, payload, sizeof payload);
  len = sizeof payload;
  CE_CHECK_STATUS(ce_channel_send(a.ch, CE_PACKET_VIDEO, buf, &len, sizeof buf),
                  CE_OK, "send");
  buf[40] ^= 0x04;
  memcpy(wire, buf, len);
  size_t wl = len;
  CE_CHECK_STATUS(
      ce_channel_receive(b.ch, CE_PACKET_VIDEO, buf, &len, sizeof buf),
      CE_ERR_AUTH_FAILED, "flipped bit");
  CE_CHECK(len == wl && memcmp(buf, wire, wl) == 0, "buffer changed");
  ce_channel_counters c = counters(b.ch);
  CE_CHECK(c.kind[CE_PACKET_VIDEO].receive_failed[-CE_ERR_AUTH_FAILED] == 1,
           "AUTH_FAILED counted once");

  endpoint_free(&a);
  endpoint_free(&b);
}

/* ------------------------------------------------------------------ */
/* Observer behaviours                                                 */
/* ------------------------------------------------------------------ */

/* Sends n pattern bytes a -> (optionally) b with cap; returns the send
   status and checks the untouched-buffer rule on anything but CE_OK. */
static ce_status send_checked(ce_channel *ch, ce_packet_kind kind, uint8_t *buf,
                              size_t n, size_t cap, size_t *out_len) {
  uint8_t *copy = xmalloc(cap);
  fill(buf, cap, 77);
  memcpy(copy, buf, cap);
  size_t len = n;
  ce_status st = ce_channel_send(ch, kind, buf, &len, cap);
  if (st != CE_OK)
    CE_CHECK(len == n && memcmp(buf, copy, cap) == 0,
             "send %s changed the buffer", ce_status_name(st));
  *out_len = len;
  free(copy);
  return st;
}

static ce_status recv_checked(ce_channel *ch, ce_packet_kind kind, uint8_t *buf,
                              size_t *len, size_t cap) {
  uint8_t *copy = xmalloc(cap);
  memcpy(copy, buf, cap);
  size_t n = *len;
  ce_status st = ce_channel_receive(ch, kind, buf, len, cap);
  if (st != CE_OK)
    CE_CHECK(*len == n && memcmp(buf, copy, cap) == 0,
             "receive %s changed the buffer", ce_status_name(st));
  free(copy);
  return st;
}

static void test_observer_behaviours(void) {
  errlog la = {0, 0, 0}, lb = {0, 0, 0};
  ce_channel *a = chan_new(&la), *b = chan_new(&lb);
  tobs ta, tb;
  tobs_init(&ta, T_PASS, T_PASS);
  tobs_init(&tb, T_PASS, T_PASS);
  CE_CHECK_STATUS(ce_channel_register_packet_observer(a, &tobs_cb, &ta), CE_OK,
                  "register");
  CE_CHECK_STATUS(ce_channel_register_packet_observer(b, &tobs_cb, &tb), CE_OK,
                  "register");
  enum { CAP = 400 };
  uint8_t *buf = xmalloc(CAP);
  size_t len;
  ce_channel_counters c;

  for (int builtin = 0; builtin <= 1; builtin++) {
    int mode = builtin ? CE_MODE_AES_128_GCM : 0;
    size_t ovh = builtin ? 26 : 0;
    CE_CHECK(enable(a, mode, "beh", 0, 0) == 0, "enable");
    CE_CHECK(enable(b, mode, "beh", 0, 0) == 0, "enable");

    /* Drop on send: CE_DROPPED, counted, no error callback. */
    ta.send_b = T_DROP;
    int calls = la.calls;
    ce_channel_counters c0 = counters(a);
    CE_CHECK_STATUS(send_checked(a, CE_PACKET_AUDIO, buf, 50, CAP, &len),
                    CE_DROPPED, "drop on send");
    c = counters(a);
    CE_CHECK(c.kind[0].send_dropped == c0.kind[0].send_dropped + 1 &&
                 c.kind[0].sent == c0.kind[0].sent &&
                 failed_total(&c.kind[0], 1) == failed_total(&c0.kind[0], 1),
             "drop counted as dropped only");
    CE_CHECK(la.calls == calls, "no error callback on drop");

    /* Drop on receive. */
    ta.send_b = T_PASS;
    tb.recv_b = T_DROP;
    CE_CHECK_STATUS(send_checked(a, CE_PACKET_VIDEO, buf, 50, CAP, &len), CE_OK,
                    "send");
    c0 = counters(b);
    calls = lb.calls;
    CE_CHECK_STATUS(recv_checked(b, CE_PACKET_VIDEO, buf, &len, CAP),
                    CE_DROPPED, "drop on receive");
    c = counters(b);
    CE_CHECK(c.kind[1].receive_dropped == c0.kind[1].receive_dropped + 1 &&
                 c.kind[1].received == c0.kind[1].received,
             "receive drop counted");
    CE_CHECK(lb.calls == calls, "no error callback on drop");

    /* Repoint to a larger buffer (within cap) and strip in place on
       receive: round trip. */
    ta.send_b = T_PREFIX;
    tb.recv_b = T_STRIP;
    uint8_t payload[60];
    fill(payload, sizeof payload, 3);
    memcpy(buf, payload, sizeof payload);
    len = sizeof payload;
    CE_CHECK_STATUS(ce_channel_send(a, CE_PACKET_AUDIO, buf, &len, CAP), CE_OK,
                    "prefix send");
    CE_CHECK(len == sizeof payload + ovh + T_PREFIX_LEN, "prefixed length");
    CE_CHECK(buf[0] == 0xA5 && buf[7] == 0xA5, "prefix on the wire");
    CE_CHECK_STATUS(ce_channel_receive(b, CE_PACKET_AUDIO, buf, &len, CAP),
                    CE_OK, "strip receive");
    CE_CHECK(len == sizeof payload && memcmp(buf, payload, len) == 0,
             "payload through prefix/strip");

    /* The observer sees exactly the wire packet. */
    tb.recv_b = T_PASS;
    memcpy(buf, payload, sizeof payload);
    len = sizeof payload;
    ta.send_b = T_PASS;
    CE_CHECK_STATUS(ce_channel_send(a, CE_PACKET_AUDIO, buf, &len, CAP), CE_OK,
                    "send");
    CE_CHECK(ta.last_size == sizeof payload + ovh,
             "on_send saw %u bytes, expected payload + built-in overhead",
             ta.last_size);
    CE_CHECK_STATUS(ce_channel_receive(b, CE_PACKET_AUDIO, buf, &len, CAP),
                    CE_OK, "receive");
    CE_CHECK(tb.last_size == sizeof payload + ovh, "on_receive saw %u bytes",
             tb.last_size);

    /* Grow past capacity on send: BUFFER_TOO_SMALL, ENCRYPTION_FAILURE. */
    ta.send_b = T_EXPAND;
    ta.extra = 10;
    calls = la.calls;
    CE_CHECK_STATUS(
        send_checked(a, CE_PACKET_AUDIO, buf, 100, 100 + ovh + 9, &len),
        CE_ERR_BUFFER_TOO_SMALL, "grow past cap");
    CE_CHECK(la.calls == calls + 1 &&
                 la.type == CE_ENCRYPTION_ERROR_ENCRYPTION_FAILURE &&
                 la.status == CE_ERR_BUFFER_TOO_SMALL,
             "error callback for grow past cap");
    CE_CHECK_STATUS(
        send_checked(a, CE_PACKET_AUDIO, buf, 100, 100 + ovh + 10, &len), CE_OK,
        "grow exactly to cap");
    CE_CHECK(len == 100 + ovh + 10, "grown length");

    /* Grow past capacity on receive (built-in off only: with built-in the
       frame is the observer's output and must verify). */
    if (!builtin) {
      ta.send_b = T_PASS;
      tb.recv_b = T_EXPAND;
      tb.extra = 1;
      CE_CHECK_STATUS(send_checked(a, CE_PACKET_VIDEO, buf, 100, 100, &len),
                      CE_OK, "send");
      calls = lb.calls;
      CE_CHECK_STATUS(recv_checked(b, CE_PACKET_VIDEO, buf, &len, 100),
                      CE_ERR_BUFFER_TOO_SMALL, "receive grows past cap");
      CE_CHECK(lb.calls == calls + 1 &&
                   lb.type == CE_ENCRYPTION_ERROR_DECRYPTION_FAILURE,
               "error callback type %d", lb.type);
      tb.recv_b = T_PASS;
    }

    /* Repoint to a smaller buffer. */
    ta.send_b = T_SMALLER;
    memcpy(buf, payload, sizeof payload);
    len = sizeof payload;
    CE_CHECK_STATUS(ce_channel_send(a, CE_PACKET_AUDIO, buf, &len, CAP), CE_OK,
                    "smaller");
    CE_CHECK(len == (sizeof payload + ovh) / 2, "smaller length %zu", len);
    if (!builtin)
      CE_CHECK(memcmp(buf, payload, len) == 0, "smaller content");

    /* Size 0. */
    ta.send_b = T_SIZE0;
    CE_CHECK_STATUS(send_checked(a, CE_PACKET_AUDIO, buf, 50, CAP, &len), CE_OK,
                    "size 0");
    CE_CHECK(len == 0, "size 0 gives an empty wire packet");
    tb.recv_b = T_PASS;
    calls = lb.calls;
    ce_status st = recv_checked(b, CE_PACKET_AUDIO, buf, &len, CAP);
    if (builtin) {
      CE_CHECK_STATUS(st, CE_ERR_MALFORMED, "empty frame");
      CE_CHECK(lb.calls == calls + 1, "error callback");
    } else {
      CE_CHECK_STATUS(st, CE_OK, "empty packet without built-in");
      CE_CHECK(len == 0, "empty payload");
    }
    ta.send_b = T_PASS;
    tb.recv_b = T_SIZE0;
    CE_CHECK_STATUS(send_checked(a, CE_PACKET_AUDIO, buf, 50, CAP, &len), CE_OK,
                    "send");
    st = recv_checked(b, CE_PACKET_AUDIO, buf, &len, CAP);
    CE_CHECK_STATUS(st, builtin ? CE_ERR_MALFORMED : CE_OK,
                    "receive observer returns size 0");
    if (st == CE_OK)
      CE_CHECK(len == 0, "empty payload");
    tb.recv_b = T_PASS;

    /* NULL buffer, nonzero size: CE_ERR_OBSERVER, INTERNAL_FAILURE. */
    ta.send_b = T_NULL_NONZERO;
    calls = la.calls;
    c0 = counters(a);
    CE_CHECK_STATUS(send_checked(a, CE_PACKET_VIDEO, buf, 50, CAP, &len),
                    CE_ERR_OBSERVER, "NULL buffer on send");
    CE_CHECK(la.calls == calls + 1 &&
                 la.type == CE_ENCRYPTION_ERROR_INTERNAL_FAILURE &&
                 la.status == CE_ERR_OBSERVER,
             "error callback for observer misbehaviour");
    c = counters(a);
    CE_CHECK(c.kind[1].send_failed[-CE_ERR_OBSERVER] ==
                 c0.kind[1].send_failed[-CE_ERR_OBSERVER] + 1,
             "OBSERVER counted");
    ta.send_b = T_PASS;
    tb.recv_b = T_NULL_NONZERO;
    CE_CHECK_STATUS(send_checked(a, CE_PACKET_VIDEO, buf, 50, CAP, &len), CE_OK,
                    "send");
    calls = lb.calls;
    CE_CHECK_STATUS(recv_checked(b, CE_PACKET_VIDEO, buf, &len, CAP),
                    CE_ERR_OBSERVER, "NULL buffer on receive");
    CE_CHECK(lb.calls == calls + 1 &&
                 lb.type == CE_ENCRYPTION_ERROR_INTERNAL_FAILURE,
             "error callback");
    tb.recv_b = T_PASS;

    /* NULL buffer, size 0: an empty packet. */
    ta.send_b = T_NULL_ZERO;
    CE_CHECK_STATUS(send_checked(a, CE_PACKET_VIDEO, buf, 50, CAP, &len), CE_OK,
                    "NULL buffer, size 0");
    CE_CHECK(len == 0, "empty");

    /* Grown in place, or shifted past the end: CE_ERR_OBSERVER; the
       channel never reads bytes it did not hand over. */
    ta.send_b = T_GROW_INPLACE;
    CE_CHECK_STATUS(send_checked(a, CE_PACKET_AUDIO, buf, 50, CAP, &len),
                    CE_ERR_OBSERVER, "grown in place");
    ta.send_b = T_SHIFT_PAST;
    CE_CHECK_STATUS(send_checked(a, CE_PACKET_AUDIO, buf, 50, CAP, &len),
                    CE_ERR_OBSERVER, "shifted past the end");
    ta.send_b = T_PASS;
    tb.recv_b = T_GROW_INPLACE;
    CE_CHECK_STATUS(send_checked(a, CE_PACKET_AUDIO, buf, 50, CAP, &len), CE_OK,
                    "send");
    CE_CHECK_STATUS(recv_checked(b, CE_PACKET_AUDIO, buf, &len, CAP),
                    CE_ERR_OBSERVER, "grown in place on receive");
    tb.recv_b = T_PASS;

    /* Data streams never reach the observer. */
    unsigned cs = ta.calls_send, cr = tb.calls_recv;
    ta.send_b = T_DROP;
    tb.recv_b = T_DROP;
    memcpy(buf, payload, sizeof payload);
    len = sizeof payload;
    CE_CHECK_STATUS(ce_channel_send(a, CE_PACKET_DATA, buf, &len, CAP), CE_OK,
                    "data send");
    CE_CHECK(len == sizeof payload && memcmp(buf, payload, len) == 0,
             "data not protected without datastream_encryption_enabled");
    CE_CHECK_STATUS(ce_channel_receive(b, CE_PACKET_DATA, buf, &len, CAP),
                    CE_OK, "data receive");
    CE_CHECK(ta.calls_send == cs && tb.calls_recv == cr,
             "observer called for data");
    ta.send_b = T_PASS;
    tb.recv_b = T_PASS;
  }

  /* A partial observer: NULL callbacks pass packets through. */
  CE_CHECK(enable(a, 0, NULL, 0, 0) == 0, "disable");
  static const ce_packet_observer audio_only = {t_send, NULL, NULL, NULL};
  ta.send_b = T_PREFIX;
  CE_CHECK_STATUS(ce_channel_register_packet_observer(a, &audio_only, &ta),
                  CE_OK, "register partial");
  CE_CHECK_STATUS(send_checked(a, CE_PACKET_VIDEO, buf, 30, CAP, &len), CE_OK,
                  "video through a partial observer");
  CE_CHECK(len == 30, "video untouched");
  CE_CHECK_STATUS(send_checked(a, CE_PACKET_AUDIO, buf, 30, CAP, &len), CE_OK,
                  "audio through a partial observer");
  CE_CHECK(len == 30 + T_PREFIX_LEN, "audio prefixed");

  /* Unregister mid-stream, GCM on both sides: a stream keeps flowing
     while both agree, fails while they differ, recovers when they agree. */
  CE_CHECK(enable(a, CE_MODE_AES_256_GCM, "mid", 0, 0) == 0, "enable");
  CE_CHECK(enable(b, CE_MODE_AES_256_GCM, "mid", 0, 0) == 0, "enable");
  ta.send_b = T_PREFIX;
  tb.recv_b = T_STRIP;
  CE_CHECK_STATUS(ce_channel_register_packet_observer(a, &tobs_cb, &ta), CE_OK,
                  "register");
  /* b's strip observer drops what lacks the sender's prefix. */
  static const ce_status expect_mid[] = {CE_OK,      CE_OK, CE_OK, CE_DROPPED,
                                         CE_DROPPED, CE_OK, CE_OK, CE_DROPPED};
  for (int i = 0; i < 8; i++) {
    if (i == 3) /* sender unregisters */
      CE_CHECK_STATUS(ce_channel_register_packet_observer(a, NULL, NULL), CE_OK,
                      "unregister a");
    if (i == 5) /* receiver too */
      CE_CHECK_STATUS(ce_channel_register_packet_observer(b, NULL, &tb), CE_OK,
                      "unregister b");
    if (i == 7) /* receiver registers again, sender does not */
      CE_CHECK_STATUS(ce_channel_register_packet_observer(b, &tobs_cb, &tb),
                      CE_OK, "register b");
    unsigned calls_before = ta.calls_send;
    uint8_t p[33];
    fill(p, sizeof p, (uint32_t)i);
    memcpy(buf, p, sizeof p);
    len = sizeof p;
    CE_CHECK_STATUS(ce_channel_send(a, CE_PACKET_AUDIO, buf, &len, CAP), CE_OK,
                    "send %d", i);
    CE_CHECK((ta.calls_send == calls_before + 1) == (i < 3),
             "sender observer called after unregistering (packet %d)", i);
    ce_status st = ce_channel_receive(b, CE_PACKET_AUDIO, buf, &len, CAP);
    CE_CHECK_STATUS(st, expect_mid[i], "mid-stream packet %d", i);
    if (st == CE_OK)
      CE_CHECK(len == sizeof p && memcmp(buf, p, len) == 0, "payload %d", i);
  }

  /* Max wire size: 1200 as the SDK. */
  CE_CHECK_STATUS(ce_channel_set_max_wire_size(a, 1200), CE_OK, "max wire");
  CE_CHECK_STATUS(ce_channel_set_max_wire_size(b, 1200), CE_OK, "max wire");
  CE_CHECK_STATUS(ce_channel_register_packet_observer(a, &tobs_cb, &ta), CE_OK,
                  "register");
  uint8_t *big = xmalloc(2000);
  size_t fit = 1200 - 26 - T_PREFIX_LEN; /* 1166: wire exactly 1200 */
  CE_CHECK_STATUS(send_checked(a, CE_PACKET_AUDIO, big, fit, 2000, &len), CE_OK,
                  "wire exactly at the limit");
  CE_CHECK(len == 1200, "wire %zu", len);
  CE_CHECK_STATUS(ce_channel_receive(b, CE_PACKET_AUDIO, big, &len, 2000),
                  CE_OK, "receive at the limit");
  int calls = la.calls;
  CE_CHECK_STATUS(send_checked(a, CE_PACKET_AUDIO, big, fit + 1, 2000, &len),
                  CE_ERR_TOO_LARGE, "wire one over the limit");
  CE_CHECK(la.calls == calls + 1 && la.status == CE_ERR_TOO_LARGE &&
               la.type == CE_ENCRYPTION_ERROR_ENCRYPTION_FAILURE,
           "error callback");
  unsigned cr = tb.calls_recv;
  len = 1201;
  CE_CHECK_STATUS(recv_checked(b, CE_PACKET_AUDIO, big, &len, 2000),
                  CE_ERR_TOO_LARGE, "receive one over the limit");
  CE_CHECK(tb.calls_recv == cr, "observer saw an oversized packet");
  len = 1201;
  CE_CHECK_STATUS(recv_checked(b, CE_PACKET_DATA, big, &len, 2000),
                  CE_ERR_TOO_LARGE, "the limit applies to data too");
  CE_CHECK_STATUS(ce_channel_set_max_wire_size(a, 0), CE_OK, "no limit");
  CE_CHECK_STATUS(send_checked(a, CE_PACKET_AUDIO, big, fit + 1, 2000, &len),
                  CE_OK, "no limit any more");
  free(big);

  /* Reentrant calls from a callback fail instead of deadlocking; calls on
     another channel are fine. */
  ta.send_b = T_REENTER;
  ta.self = a;
  ta.other = b;
  CE_CHECK_STATUS(send_checked(a, CE_PACKET_AUDIO, buf, 10, CAP, &len), CE_OK,
                  "packet with a reentrant observer");
  CE_CHECK(ta.reenter_results[0] == CE_ERR_INVALID_ARGUMENT &&
               ta.reenter_results[1] == CE_SDK_ERR_INVALID_ARGUMENT &&
               ta.reenter_results[2] == CE_ERR_INVALID_ARGUMENT &&
               ta.reenter_results[3] == CE_ERR_INVALID_ARGUMENT &&
               ta.reenter_results[4] == CE_ERR_INVALID_ARGUMENT,
           "reentrant calls: %d %d %d %d %d", ta.reenter_results[0],
           ta.reenter_results[1], ta.reenter_results[2], ta.reenter_results[3],
           ta.reenter_results[4]);
  CE_CHECK_STATUS(ta.reenter_results[5], CE_OK, "send on another channel");
  /* Its refused register call changed nothing: it still ran, and kept
     the frame as it was. */
  CE_CHECK(len == 10 + 26, "reentrant observer passes the frame");

  ce_channel_free(a);
  ce_channel_free(b);
  free(ta.own);
  free(tb.own);
  free(buf);
}

/* An error callback that tries to reach into its own channel. */
typedef struct reerr {
  ce_channel *ch;
  int calls;
  int result;
} reerr;
static void on_error_reenter(void *user, int type, int status) {
  reerr *r = user;
  (void)type;
  (void)status;
  ce_channel_counters c;
  r->calls++;
  r->result = ce_channel_get_counters(r->ch, &c);
}

static void test_error_callback(void) {
  ce_channel *ch = chan_new(NULL);
  reerr r = {ch, 0, 0};
  CE_CHECK_STATUS(ce_channel_set_error_callback(ch, on_error_reenter, &r),
                  CE_OK, "set");
  CE_CHECK(enable(ch, CE_MODE_AES_128_GCM, "e", 0, 1) == 0, "enable");
  uint8_t buf[64] = {0};
  size_t len = 30; /* not a frame */
  CE_CHECK_STATUS(ce_channel_receive(ch, CE_PACKET_DATA, buf, &len, sizeof buf),
                  CE_ERR_BAD_VERSION, "bad frame");
  CE_CHECK(r.calls == 1 && r.result == CE_ERR_INVALID_ARGUMENT,
           "error callback reentrancy refused: %d", r.result);
  /* Clearing the callback stops it. */
  CE_CHECK_STATUS(ce_channel_set_error_callback(ch, NULL, &r), CE_OK, "clear");
  len = 30;
  CE_CHECK_STATUS(ce_channel_receive(ch, CE_PACKET_DATA, buf, &len, sizeof buf),
                  CE_ERR_BAD_VERSION, "bad frame");
  CE_CHECK(r.calls == 1, "cleared callback called");
  ce_channel_counters c = counters(ch);
  CE_CHECK(c.kind[CE_PACKET_DATA].receive_failed[-CE_ERR_BAD_VERSION] == 2,
           "both failures counted");
  ce_channel_free(ch);
}

/* ------------------------------------------------------------------ */
/* enable_encryption, join/leave, arguments                            */
/* ------------------------------------------------------------------ */

static void test_enable_codes(void) {
  ce_channel *a = chan_new(NULL), *b = chan_new(NULL);
  ce_config c;
  CE_CHECK(ce_channel_enable_encryption(NULL, 0, NULL) ==
               CE_SDK_ERR_INVALID_ARGUMENT,
           "NULL channel");
  CE_CHECK(ce_channel_enable_encryption(a, 1, NULL) ==
               CE_SDK_ERR_INVALID_ARGUMENT,
           "NULL config");
  CE_CHECK(ce_channel_enable_encryption(a, 0, NULL) == CE_SDK_OK,
           "disable with NULL config");
  /* Establish a working state; failures below must leave it in place. */
  CE_CHECK(enable(a, CE_MODE_AES_128_GCM, "good", 0, 0) == 0, "enable");
  CE_CHECK(enable(b, CE_MODE_AES_128_GCM, "good", 0, 0) == 0, "enable");
  cfg_make(&c, CE_MODE_AES_128_GCM, "good", 0, 0);
  c.key_len = 0;
  CE_CHECK(ce_channel_enable_encryption(a, 1, &c) ==
               CE_SDK_ERR_INVALID_ARGUMENT,
           "empty key");
  c.key = NULL;
  CE_CHECK(ce_channel_enable_encryption(a, 1, &c) ==
               CE_SDK_ERR_INVALID_ARGUMENT,
           "NULL key");
  static const int bad_modes[] = {0, 9, -1, 255};
  for (size_t i = 0; i < 4; i++) {
    cfg_make(&c, bad_modes[i], "good", 1, 0);
    CE_CHECK(ce_channel_enable_encryption(a, 1, &c) ==
                 CE_SDK_ERR_INVALID_ARGUMENT,
             "mode %d", bad_modes[i]);
  }
  for (int m = 7; m <= 8; m++) {
    cfg_make(&c, m, "good", 0, 0); /* all-zero salt */
    CE_CHECK(ce_channel_enable_encryption(a, 1, &c) ==
                 CE_SDK_ERR_INVALID_ARGUMENT,
             "GCM2 mode %d with a zero salt", m);
  }
  cfg_make(&c, CE_MODE_SM4_128_ECB, "good", 0, 0);
  int want = ce_mode_supported(CE_MODE_SM4_128_ECB) == CE_OK
                 ? CE_SDK_OK
                 : CE_SDK_ERR_NOT_SUPPORTED;
  int rc = ce_channel_enable_encryption(b, 1, &c);
  CE_CHECK(rc == want, "SM4: %d, expected %d", rc, want);
  if (rc == CE_SDK_OK)
    CE_CHECK(enable(b, CE_MODE_AES_128_GCM, "good", 0, 0) == 0, "re-enable");

  /* The failed calls left a's GCM state intact: b still understands it. */
  uint8_t buf[64];
  fill(buf, 20, 1);
  size_t len = 20;
  CE_CHECK_STATUS(ce_channel_send(a, CE_PACKET_AUDIO, buf, &len, sizeof buf),
                  CE_OK, "send");
  CE_CHECK(len == 46, "still GCM after failed enables");
  CE_CHECK_STATUS(ce_channel_receive(b, CE_PACKET_AUDIO, buf, &len, sizeof buf),
                  CE_OK, "receive");

  /* The config is copied: changing it afterwards changes nothing. */
  ce_config keep;
  char keybuf[8] = "good";
  cfg_make(&keep, CE_MODE_AES_128_GCM, "x", 0, 0);
  keep.key = (const uint8_t *)keybuf;
  keep.key_len = 4;
  CE_CHECK(ce_channel_enable_encryption(a, 1, &keep) == 0, "enable");
  memcpy(keybuf, "evil", 4);
  keep.mode = 6;
  fill(buf, 20, 2);
  len = 20;
  CE_CHECK_STATUS(ce_channel_send(a, CE_PACKET_AUDIO, buf, &len, sizeof buf),
                  CE_OK, "send");
  CE_CHECK_STATUS(ce_channel_receive(b, CE_PACKET_AUDIO, buf, &len, sizeof buf),
                  CE_OK, "config copied at enable time");
  ce_channel_free(a);
  ce_channel_free(b);
}

static void test_join_leave_args(void) {
  ce_channel *ch = NULL;
  CE_CHECK_STATUS(ce_channel_new(NULL), CE_ERR_INVALID_ARGUMENT, "new NULL");
  ce_channel_free(NULL);
  CE_CHECK_STATUS(ce_channel_new(&ch), CE_OK, "new");
  errlog log = {0, 0, 0};
  CE_CHECK_STATUS(ce_channel_set_error_callback(ch, on_error, &log), CE_OK,
                  "set cb");
  CE_CHECK_STATUS(ce_channel_join(NULL), CE_ERR_INVALID_ARGUMENT, "join NULL");
  CE_CHECK_STATUS(ce_channel_leave(NULL), CE_ERR_INVALID_ARGUMENT,
                  "leave NULL");
  CE_CHECK_STATUS(ce_channel_register_packet_observer(NULL, NULL, NULL),
                  CE_ERR_INVALID_ARGUMENT, "register NULL");
  CE_CHECK_STATUS(ce_channel_set_error_callback(NULL, NULL, NULL),
                  CE_ERR_INVALID_ARGUMENT, "cb NULL");
  CE_CHECK_STATUS(ce_channel_set_max_wire_size(NULL, 1),
                  CE_ERR_INVALID_ARGUMENT, "max NULL");
  ce_channel_counters c;
  CE_CHECK_STATUS(ce_channel_get_counters(NULL, &c), CE_ERR_INVALID_ARGUMENT,
                  "counters NULL ch");
  CE_CHECK_STATUS(ce_channel_get_counters(ch, NULL), CE_ERR_INVALID_ARGUMENT,
                  "counters NULL out");

  uint8_t buf[128], copy[128];
  fill(buf, sizeof buf, 9);
  memcpy(copy, buf, sizeof buf);
  size_t len = 40;
  /* Not joined: refused, untouched, not counted, no error callback. */
  CE_CHECK_STATUS(ce_channel_send(ch, CE_PACKET_AUDIO, buf, &len, sizeof buf),
                  CE_ERR_INVALID_ARGUMENT, "send before join");
  CE_CHECK_STATUS(
      ce_channel_receive(ch, CE_PACKET_AUDIO, buf, &len, sizeof buf),
      CE_ERR_INVALID_ARGUMENT, "receive before join");
  CE_CHECK(len == 40 && memcmp(buf, copy, sizeof buf) == 0, "untouched");
  c = counters(ch);
  static const ce_channel_counters zero;
  CE_CHECK(memcmp(&c, &zero, sizeof c) == 0, "nothing counted");
  CE_CHECK(log.calls == 0, "no error callback");

  CE_CHECK_STATUS(ce_channel_join(ch), CE_OK, "join");
  CE_CHECK_STATUS(ce_channel_join(ch), CE_OK, "join twice");
  CE_CHECK_STATUS(ce_channel_send(NULL, CE_PACKET_AUDIO, buf, &len, sizeof buf),
                  CE_ERR_INVALID_ARGUMENT, "NULL channel");
  CE_CHECK_STATUS(ce_channel_send(ch, CE_PACKET_AUDIO, NULL, &len, sizeof buf),
                  CE_ERR_INVALID_ARGUMENT, "NULL buf");
  CE_CHECK_STATUS(ce_channel_send(ch, CE_PACKET_AUDIO, buf, NULL, sizeof buf),
                  CE_ERR_INVALID_ARGUMENT, "NULL len");
  CE_CHECK_STATUS(ce_channel_send(ch, (ce_packet_kind)3, buf, &len, sizeof buf),
                  CE_ERR_INVALID_ARGUMENT, "kind 3");
  CE_CHECK_STATUS(
      ce_channel_receive(ch, (ce_packet_kind)-1, buf, &len, sizeof buf),
      CE_ERR_INVALID_ARGUMENT, "kind -1");
  len = 41;
  CE_CHECK_STATUS(ce_channel_send(ch, CE_PACKET_AUDIO, buf, &len, 40),
                  CE_ERR_INVALID_ARGUMENT, "len > cap");
  CE_CHECK(len == 41 && memcmp(buf, copy, sizeof buf) == 0, "untouched");
  CE_CHECK(log.calls == 0, "no error callback for argument errors");

  /* Join, encrypt, leave: leaving disables encryption (as the SDK). */
  unsigned char tx[256], rx[256];
  ce_xor_observer x;
  CE_CHECK_STATUS(ce_xor_observer_init(&x, 0x55, tx, sizeof tx, rx, sizeof rx),
                  CE_OK, "xor");
  CE_CHECK(enable(ch, CE_MODE_AES_128_GCM2, "lk", 7, 0) == 0, "enable");
  len = 40;
  CE_CHECK_STATUS(ce_channel_send(ch, CE_PACKET_AUDIO, buf, &len, sizeof buf),
                  CE_OK, "send joined");
  CE_CHECK(len == 66, "encrypted");
  CE_CHECK_STATUS(ce_channel_leave(ch), CE_OK, "leave");
  memcpy(buf, copy, sizeof buf);
  len = 40;
  CE_CHECK_STATUS(ce_channel_send(ch, CE_PACKET_AUDIO, buf, &len, sizeof buf),
                  CE_ERR_INVALID_ARGUMENT, "send after leave");
  CE_CHECK_STATUS(
      ce_channel_register_packet_observer(ch, ce_xor_observer_callbacks(), &x),
      CE_OK, "register while not joined");
  CE_CHECK_STATUS(ce_channel_join(ch), CE_OK, "rejoin");
  CE_CHECK_STATUS(ce_channel_send(ch, CE_PACKET_AUDIO, buf, &len, sizeof buf),
                  CE_OK, "send after rejoin");
  CE_CHECK(len == 40, "no built-in encryption after leave + join");
  CE_CHECK(buf[0] == (uint8_t)(copy[0] ^ 0x55) &&
               buf[39] == (uint8_t)(copy[39] ^ 0x55),
           "observer kept across leave/join");
  CE_CHECK_STATUS(ce_channel_leave(ch), CE_OK, "leave");
  CE_CHECK_STATUS(ce_channel_leave(ch), CE_OK, "leave twice");
  ce_channel_free(ch);
}

/* Largest payload with every mode, and the receive-side size limits. */
static void test_sizes(void) {
  ce_channel *a = chan_new(NULL), *b = chan_new(NULL);
  size_t cap = CE_MAX_FRAME + 1;
  uint8_t *buf = xmalloc(cap), *payload = xmalloc(CE_MAX_PAYLOAD);
  fill(payload, CE_MAX_PAYLOAD, 42);
  size_t len;
  for (int mode = 1; mode <= 8; mode++) {
    if (!mode_ok(mode))
      continue;
    CE_CHECK(enable(a, mode, "sz", 3, 1) == 0, "enable");
    CE_CHECK(enable(b, mode, "sz", 3, 1) == 0, "enable");
    memcpy(buf, payload, CE_MAX_PAYLOAD);
    len = CE_MAX_PAYLOAD;
    CE_CHECK_STATUS(ce_channel_send(a, CE_PACKET_DATA, buf, &len, cap), CE_OK,
                    "max payload mode %d", mode);
    CE_CHECK(len == CE_MAX_PAYLOAD + ce_overhead(mode, CE_MAX_PAYLOAD),
             "frame length");
    CE_CHECK_STATUS(ce_channel_receive(b, CE_PACKET_DATA, buf, &len, cap),
                    CE_OK, "max payload back");
    CE_CHECK(len == CE_MAX_PAYLOAD && memcmp(buf, payload, CE_MAX_PAYLOAD) == 0,
             "payload");
    /* A wire packet one byte longer than the largest frame. */
    len = CE_MAX_PAYLOAD + ce_overhead(mode, CE_MAX_PAYLOAD) + 1;
    CE_CHECK_STATUS(ce_channel_receive(b, CE_PACKET_DATA, buf, &len, cap),
                    CE_ERR_MALFORMED, "frame one over, mode %d", mode);
  }
  /* Without built-in encryption a received payload is bounded too. */
  CE_CHECK(enable(b, 0, NULL, 0, 0) == 0, "disable");
  len = CE_MAX_PAYLOAD + 1;
  CE_CHECK_STATUS(ce_channel_receive(b, CE_PACKET_AUDIO, buf, &len, cap),
                  CE_ERR_TOO_LARGE, "65536-byte plain payload received");
  len = CE_MAX_PAYLOAD;
  CE_CHECK_STATUS(ce_channel_receive(b, CE_PACKET_AUDIO, buf, &len, cap), CE_OK,
                  "65535-byte plain payload received");
  free(buf);
  free(payload);
  ce_channel_free(a);
  ce_channel_free(b);
}

int main(void) {
  test_join_leave_args();
  test_enable_codes();
  test_error_callback();
  test_observer_behaviours();
  test_sizes();
  test_other_mismatch();
  test_gcm_mismatch();
  test_matrix();
  return ce_test_finish("test_channel");
}
