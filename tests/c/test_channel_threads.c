/*
 * test_channel_threads.c - the threading rules of chanenc_channel.h
 * (docs/spec.md section 11 pipeline): on ONE channel, a sender thread and a
 * receiver thread move packets through a queue (the "wire", looped back)
 * while a third thread keeps changing the channel: enable/disable built-in
 * encryption (GCM and GCM2), register/unregister the XOR observer, reset
 * the error callback and wire limit, leave and rejoin, read counters.
 * Meant to run under ThreadSanitizer (label tsan), and useful without it.
 *
 * What can be checked while the configuration changes under the packets:
 *  - send returns CE_OK, or CE_ERR_INVALID_ARGUMENT while not joined;
 *  - receive returns CE_OK, CE_ERR_INVALID_ARGUMENT (not joined) or a
 *    spec 9 unprotect failure, never CE_ERR_INTERNAL or CE_ERR_OBSERVER,
 *    and a failure leaves the buffer as it was;
 *  - a CE_OK payload is the one sent, or is explained exactly by the two
 *    ends disagreeing while the receiver had built-in encryption off: the
 *    payload XOR 0x55, or a genuine GCM frame of the payload (checked by
 *    opening it with an independent context), possibly XORed. Anything
 *    else is garbage passed up as a payload, and fails the test;
 *  - error callbacks (on both threads at once) equal the failures counted;
 *    the counters equal what the threads saw;
 *  - once the control thread stops, a settled configuration carries every
 *    packet intact.
 */
#include "ce_test.h"

#include "chanenc_channel.h"
#include "xor_observer.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The sender sends at least N_MIN packets and goes on until the control
   thread has made its N_CONTROL changes, but never more than N_MAX. */
#define N_MIN 4000
#define N_MAX 400000
#define N_CONTROL 400
#define N_SETTLED 60
#define MAX_PAYLOAD 515 /* 16 + (i * 37) % 500 */
#define CAP 640         /* payload + GCM 26, with room */
#define QUEUE_LEN 32
#define KEY "threads test key"
#define SALT 0x3c

/* ------------------------------------------------------------------ */
/* The wire: a blocking FIFO                                           */
/* ------------------------------------------------------------------ */

typedef struct packet {
  int seq; /* -1: end of stream */
  ce_packet_kind kind;
  size_t len;
  uint8_t data[CAP];
} packet;

/* The queue's pthread calls cannot fail when used correctly; if one does,
   the test cannot go on. */
static void must(int rc, const char *what) {
  if (rc != 0) {
    fprintf(stderr, "%s failed: %d\n", what, rc);
    exit(2);
  }
}

typedef struct queue {
  pthread_mutex_t mu;
  pthread_cond_t not_empty, not_full;
  packet slots[QUEUE_LEN];
  int head, count;
} queue;

static void queue_push(queue *q, const packet *p) {
  must(pthread_mutex_lock(&q->mu), "lock");
  while (q->count == QUEUE_LEN)
    must(pthread_cond_wait(&q->not_full, &q->mu), "wait");
  q->slots[(q->head + q->count) % QUEUE_LEN] = *p;
  q->count++;
  must(pthread_cond_signal(&q->not_empty), "signal");
  must(pthread_mutex_unlock(&q->mu), "unlock");
}

static void queue_pop(queue *q, packet *p) {
  must(pthread_mutex_lock(&q->mu), "lock");
  while (q->count == 0)
    must(pthread_cond_wait(&q->not_empty, &q->mu), "wait");
  *p = q->slots[q->head];
  q->head = (q->head + 1) % QUEUE_LEN;
  q->count--;
  must(pthread_cond_signal(&q->not_full), "signal");
  must(pthread_mutex_unlock(&q->mu), "unlock");
}

/* ------------------------------------------------------------------ */
/* Shared state                                                        */
/* ------------------------------------------------------------------ */

typedef struct shared {
  ce_channel *ch;
  queue wire;
  ce_xor_observer xor_state;
  unsigned char xor_tx[CAP + 64], xor_rx[CAP + 64];
  ce_ctx *verify_gcm, *verify_gcm2; /* receiver thread only */
  atomic_int control_done;
  atomic_ulong error_callbacks;
  /* Written by one thread each, read after join. */
  unsigned long sent_ok, send_refused, send_bad;
  unsigned long recv_ok_intact, recv_ok_explained, recv_garbage, recv_failed,
      recv_refused, recv_bad, recv_buffer_changed;
  unsigned long control_ops, control_bad;
} shared;

static void on_error(void *user, int type, int status) {
  shared *s = user;
  (void)type;
  (void)status;
  /* Runs on the sender and the receiver thread concurrently. */
  atomic_fetch_add_explicit(&s->error_callbacks, 1, memory_order_relaxed);
}

static size_t payload_len(int seq) {
  return 16 + (size_t)((seq * 37) % 500);
}

static void payload_fill(uint8_t *p, size_t n, int seq) {
  uint32_t x = (uint32_t)seq * 2654435761u + 12345u;
  for (size_t i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    p[i] = (uint8_t)x;
  }
}

static void cfg_make(ce_config *c, int mode) {
  ce_config_init(c);
  c->mode = mode;
  if (ce_config_set_key_str(c, KEY) != CE_OK)
    exit(2);
  memset(c->salt, SALT, sizeof c->salt);
  c->datastream_encryption_enabled = 1;
}

/* ------------------------------------------------------------------ */
/* Threads                                                             */
/* ------------------------------------------------------------------ */

static void *sender(void *arg) {
  shared *s = arg;
  packet p;
  for (int i = 0; i < N_MAX && (i < N_MIN || !atomic_load(&s->control_done));
       i++) {
    p.seq = i;
    p.kind = (ce_packet_kind)(i % 3);
    p.len = payload_len(i);
    payload_fill(p.data, p.len, i);
    ce_status st = ce_channel_send(s->ch, p.kind, p.data, &p.len, CAP);
    if (st == CE_OK) {
      s->sent_ok++;
      queue_push(&s->wire, &p);
    } else if (st == CE_ERR_INVALID_ARGUMENT) {
      s->send_refused++; /* between leave and join */
    } else {
      s->send_bad++;
      fprintf(stderr, "send %d: %s\n", i, ce_status_name(st));
    }
  }
  p.seq = -1;
  queue_push(&s->wire, &p);
  return NULL;
}

/* Is q (len n) p XOR 0x55? */
static int is_xor_of(const uint8_t *q, size_t n, const uint8_t *p, size_t pn) {
  if (n != pn)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (q[i] != (uint8_t)(p[i] ^ 0x55))
      return 0;
  return 1;
}

/* Is q (len n), optionally XOR 0x55 first, a genuine frame of p? */
static int is_frame_of(shared *s, const uint8_t *q, size_t n, const uint8_t *p,
                       size_t pn) {
  uint8_t tmp[CAP];
  if (n > CAP)
    return 0;
  for (int x = 0; x < 2; x++) {
    for (size_t i = 0; i < n; i++)
      tmp[i] = x ? (uint8_t)(q[i] ^ 0x55) : q[i];
    ce_ctx *ctxs[2] = {s->verify_gcm, s->verify_gcm2};
    for (int c = 0; c < 2; c++) {
      uint8_t out[CAP];
      size_t out_len = sizeof out;
      if (ce_unprotect_into(ctxs[c], tmp, n, out, &out_len) == CE_OK &&
          out_len == pn && memcmp(out, p, pn) == 0)
        return 1;
    }
  }
  return 0;
}

static void *receiver(void *arg) {
  shared *s = arg;
  packet p;
  uint8_t expect[MAX_PAYLOAD], wire_copy[CAP];
  for (;;) {
    queue_pop(&s->wire, &p);
    if (p.seq < 0)
      break;
    size_t n = payload_len(p.seq), wl = p.len;
    payload_fill(expect, n, p.seq);
    memcpy(wire_copy, p.data, wl);
    ce_status st = ce_channel_receive(s->ch, p.kind, p.data, &p.len, CAP);
    if (st == CE_OK) {
      if (p.len == n && memcmp(p.data, expect, n) == 0)
        s->recv_ok_intact++;
      else if (is_xor_of(p.data, p.len, expect, n) ||
               is_frame_of(s, p.data, p.len, expect, n))
        s->recv_ok_explained++;
      else {
        s->recv_garbage++;
        fprintf(stderr, "packet %d: unexplained payload of %zu bytes\n", p.seq,
                p.len);
      }
    } else {
      if (p.len != wl || memcmp(p.data, wire_copy, wl) != 0)
        s->recv_buffer_changed++;
      if (st == CE_ERR_INVALID_ARGUMENT)
        s->recv_refused++;
      else if (st >= CE_ERR_AUTH_FAILED && st <= CE_ERR_MALFORMED)
        s->recv_failed++;
      else {
        s->recv_bad++;
        fprintf(stderr, "receive %d: %s\n", p.seq, ce_status_name(st));
      }
    }
  }
  return NULL;
}

static void *controller(void *arg) {
  shared *s = arg;
  ce_config gcm, gcm2;
  cfg_make(&gcm, CE_MODE_AES_128_GCM);
  cfg_make(&gcm2, CE_MODE_AES_128_GCM2);
  uint32_t r = 0x1234567u;
  int gcm2_left = 4; /* PBKDF2 takes tens of ms: a few times suffice */
  const struct timespec pause = {0, 100000}; /* let packets flow */
  for (int op = 0; op < N_CONTROL; op++) {
    r ^= r << 13;
    r ^= r >> 17;
    r ^= r << 5;
    int ok = 1;
    switch (r % 9) {
    case 0:
      ok = ce_channel_enable_encryption(s->ch, 1, &gcm) == CE_SDK_OK;
      break;
    case 1:
      if (gcm2_left > 0) {
        gcm2_left--;
        ok = ce_channel_enable_encryption(s->ch, 1, &gcm2) == CE_SDK_OK;
      }
      break;
    case 2:
      ok = ce_channel_enable_encryption(s->ch, 0, NULL) == CE_SDK_OK;
      break;
    case 3:
      ok = ce_channel_register_packet_observer(
               s->ch, ce_xor_observer_callbacks(), &s->xor_state) == CE_OK;
      break;
    case 4:
      ok = ce_channel_register_packet_observer(s->ch, NULL, NULL) == CE_OK;
      break;
    case 5:
      ok = ce_channel_set_error_callback(s->ch, on_error, s) == CE_OK &&
           ce_channel_set_max_wire_size(s->ch, (r & 1) ? 0 : 100000) == CE_OK;
      break;
    case 6: {
      ce_channel_counters c;
      ok = ce_channel_get_counters(s->ch, &c) == CE_OK;
      break;
    }
    case 7:
      if ((r >> 8) % 8 == 0) { /* rarely: both threads are refused */
        ok = ce_channel_leave(s->ch) == CE_OK;
        (void)nanosleep(&pause, NULL);
        ok = ce_channel_join(s->ch) == CE_OK && ok;
      }
      break;
    default:
      break;
    }
    s->control_ops++;
    if (!ok)
      s->control_bad++;
    /* EINTR only shortens the pause, which does not matter. */
    (void)nanosleep(&pause, NULL);
  }
  atomic_store(&s->control_done, 1);
  return NULL;
}

/* ------------------------------------------------------------------ */

static int start(pthread_t *t, void *(*fn)(void *), shared *s) {
  int rc = pthread_create(t, NULL, fn, s);
  CE_CHECK(rc == 0, "pthread_create: %d", rc);
  return rc == 0;
}

int main(void) {
  shared *s = calloc(1, sizeof *s);
  if (s == NULL)
    return 2;
  CE_CHECK(pthread_mutex_init(&s->wire.mu, NULL) == 0 &&
               pthread_cond_init(&s->wire.not_empty, NULL) == 0 &&
               pthread_cond_init(&s->wire.not_full, NULL) == 0,
           "queue init");
  atomic_init(&s->control_done, 0);
  atomic_init(&s->error_callbacks, 0);
  CE_CHECK_STATUS(ce_xor_observer_init(&s->xor_state, CE_XOR_SDK_KEY, s->xor_tx,
                                       sizeof s->xor_tx, s->xor_rx,
                                       sizeof s->xor_rx),
                  CE_OK, "xor");
  ce_config c;
  cfg_make(&c, CE_MODE_AES_128_GCM);
  CE_CHECK_STATUS(ce_ctx_new(&c, &s->verify_gcm), CE_OK, "verify ctx");
  cfg_make(&c, CE_MODE_AES_128_GCM2);
  CE_CHECK_STATUS(ce_ctx_new(&c, &s->verify_gcm2), CE_OK, "verify ctx");
  CE_CHECK_STATUS(ce_channel_new(&s->ch), CE_OK, "channel");
  if (s->ch == NULL || s->verify_gcm == NULL || s->verify_gcm2 == NULL)
    return ce_test_finish("test_channel_threads");
  CE_CHECK_STATUS(ce_channel_set_error_callback(s->ch, on_error, s), CE_OK,
                  "cb");
  CE_CHECK(ce_channel_enable_encryption(s->ch, 1, &c) == CE_SDK_OK, "enable");
  CE_CHECK_STATUS(ce_channel_join(s->ch), CE_OK, "join");

  pthread_t ts, tr, tc;
  int ok_s = start(&ts, sender, s), ok_r = start(&tr, receiver, s);
  int ok_c = start(&tc, controller, s);
  if (ok_s)
    CE_CHECK(pthread_join(ts, NULL) == 0, "join sender");
  else {
    /* No sender: end the stream ourselves. */
    packet end = {.seq = -1};
    queue_push(&s->wire, &end);
  }
  if (ok_r)
    CE_CHECK(pthread_join(tr, NULL) == 0, "join receiver");
  if (ok_c)
    CE_CHECK(pthread_join(tc, NULL) == 0, "join controller");

  printf("sent %lu (refused %lu); received intact %lu, explained mismatch "
         "%lu, failed %lu, refused %lu; control ops %lu\n",
         s->sent_ok, s->send_refused, s->recv_ok_intact, s->recv_ok_explained,
         s->recv_failed, s->recv_refused, s->control_ops);
  CE_CHECK(s->send_bad == 0, "unexpected send statuses: %lu", s->send_bad);
  CE_CHECK(s->recv_bad == 0, "unexpected receive statuses: %lu", s->recv_bad);
  CE_CHECK(s->recv_garbage == 0, "garbage passed up: %lu", s->recv_garbage);
  CE_CHECK(s->recv_buffer_changed == 0,
           "failed receives changed the buffer: "
           "%lu",
           s->recv_buffer_changed);
  CE_CHECK(s->control_bad == 0, "control calls failed: %lu", s->control_bad);
  CE_CHECK(s->sent_ok + s->send_refused >= N_MIN, "every packet sent");
  CE_CHECK(s->recv_ok_intact + s->recv_ok_explained + s->recv_failed +
                   s->recv_refused ==
               s->sent_ok,
           "every packet received");
  CE_CHECK(s->recv_ok_intact > 0 && s->control_ops == N_CONTROL,
           "the test exercised something");

  /* Counters agree with what the threads saw; each counted failure had
     exactly one error callback. */
  ce_channel_counters cnt;
  CE_CHECK_STATUS(ce_channel_get_counters(s->ch, &cnt), CE_OK, "counters");
  uint64_t sent = 0, received = 0, failed = 0, dropped = 0;
  for (int k = 0; k < CE_PACKET_KINDS; k++) {
    sent += cnt.kind[k].sent;
    received += cnt.kind[k].received;
    dropped += cnt.kind[k].send_dropped + cnt.kind[k].receive_dropped;
    for (int i = 0; i < CE_CHANNEL_STATUS_SLOTS; i++)
      failed += cnt.kind[k].send_failed[i] + cnt.kind[k].receive_failed[i];
  }
  CE_CHECK(sent == s->sent_ok, "sent counter %llu vs %lu",
           (unsigned long long)sent, s->sent_ok);
  CE_CHECK(received == s->recv_ok_intact + s->recv_ok_explained,
           "received counter");
  CE_CHECK(failed == s->recv_failed, "failed counter %llu vs %lu",
           (unsigned long long)failed, s->recv_failed);
  CE_CHECK(dropped == 0, "nothing drops here");
  CE_CHECK(atomic_load(&s->error_callbacks) == failed,
           "error callbacks %lu vs failures %llu",
           atomic_load(&s->error_callbacks), (unsigned long long)failed);

  /* Settled: one configuration, every packet intact. */
  CE_CHECK_STATUS(ce_channel_join(s->ch), CE_OK, "join");
  cfg_make(&c, CE_MODE_AES_128_GCM);
  CE_CHECK(ce_channel_enable_encryption(s->ch, 1, &c) == CE_SDK_OK, "enable");
  CE_CHECK_STATUS(ce_channel_register_packet_observer(
                      s->ch, ce_xor_observer_callbacks(), &s->xor_state),
                  CE_OK, "register");
  int intact = 0;
  for (int i = 0; i < N_SETTLED; i++) {
    packet p;
    uint8_t expect[MAX_PAYLOAD];
    p.kind = (ce_packet_kind)(i % 3);
    p.len = payload_len(i);
    payload_fill(p.data, p.len, i);
    memcpy(expect, p.data, p.len);
    size_t n = p.len;
    if (ce_channel_send(s->ch, p.kind, p.data, &p.len, CAP) == CE_OK &&
        p.len == n + 26 &&
        ce_channel_receive(s->ch, p.kind, p.data, &p.len, CAP) == CE_OK &&
        p.len == n && memcmp(p.data, expect, n) == 0)
      intact++;
  }
  CE_CHECK(intact == N_SETTLED, "settled: %d of %d intact", intact, N_SETTLED);

  ce_channel_free(s->ch);
  ce_ctx_free(s->verify_gcm);
  ce_ctx_free(s->verify_gcm2);
  must(pthread_mutex_destroy(&s->wire.mu), "destroy");
  must(pthread_cond_destroy(&s->wire.not_empty), "destroy");
  must(pthread_cond_destroy(&s->wire.not_full), "destroy");
  free(s);
  return ce_test_finish("test_channel_threads");
}
