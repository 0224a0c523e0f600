/*
 * test_observers.c - the two example packet observers of examples/
 * (docs/spec.md section 11): the SDK's XOR-0x55 sample done right, and
 * ChaCha20-Poly1305 custom encryption. Both are tested by calling their
 * callbacks directly and through a pair of channels.
 */
#include "ce_test.h"

#include "chacha_observer.h"
#include "chanenc_channel.h"
#include "xor_observer.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

static void fill(uint8_t *p, size_t n, uint32_t seed) {
  uint32_t x = seed * 2654435761u + 1u;
  for (size_t i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    p[i] = (uint8_t)x;
  }
}

typedef struct errlog {
  int calls, type, status;
} errlog;

static void on_error(void *user, int type, int status) {
  errlog *e = user;
  e->calls++;
  e->type = type;
  e->status = status;
}

static ce_channel *chan(errlog *log) {
  ce_channel *ch = NULL;
  CE_CHECK_STATUS(ce_channel_new(&ch), CE_OK, "new");
  if (ch == NULL)
    exit(2);
  CE_CHECK_STATUS(ce_channel_join(ch), CE_OK, "join");
  CE_CHECK_STATUS(ce_channel_set_error_callback(ch, on_error, log), CE_OK,
                  "cb");
  return ch;
}

static int enable_gcm2(ce_channel *ch) {
  ce_config c;
  ce_config_init(&c);
  if (ce_config_set_key_str(&c, "observer test key") != CE_OK)
    return -100;
  memset(c.salt, 0x5a, sizeof c.salt);
  return ce_channel_enable_encryption(ch, 1, &c);
}

/* ------------------------------------------------------------------ */
/* XOR                                                                 */
/* ------------------------------------------------------------------ */

static void test_xor_init(void) {
  ce_xor_observer x;
  unsigned char b[64];
  CE_CHECK_STATUS(ce_xor_observer_init(NULL, 0x55, b, 32, b + 32, 32),
                  CE_ERR_INVALID_ARGUMENT, "NULL state");
  CE_CHECK_STATUS(ce_xor_observer_init(&x, 0x55, NULL, 32, b, 32),
                  CE_ERR_INVALID_ARGUMENT, "NULL tx with a capacity");
  CE_CHECK_STATUS(ce_xor_observer_init(&x, 0x55, b, 32, NULL, 32),
                  CE_ERR_INVALID_ARGUMENT, "NULL rx with a capacity");
  CE_CHECK_STATUS(ce_xor_observer_init(&x, 0x55, b, 33, b + 32, 32),
                  CE_ERR_INVALID_ARGUMENT, "overlapping by one byte");
  CE_CHECK_STATUS(ce_xor_observer_init(&x, 0x55, b + 32, 32, b, 33),
                  CE_ERR_INVALID_ARGUMENT, "overlapping the other way");
  CE_CHECK_STATUS(ce_xor_observer_init(&x, 0x55, b, 32, b + 32, 32), CE_OK,
                  "adjacent buffers");
  CE_CHECK_STATUS(ce_xor_observer_init(&x, 0x55, NULL, 0, NULL, 0), CE_OK,
                  "no buffers (only empty packets fit)");
}

static void test_xor_direct(void) {
  const ce_packet_observer *cb = ce_xor_observer_callbacks();
  CE_CHECK(cb != NULL && cb->on_send_audio && cb->on_send_video &&
               cb->on_receive_audio && cb->on_receive_video,
           "four callbacks");
  if (cb == NULL)
    return;
  unsigned char tx[3000], rx[3000], in[3000], in_copy[3000];
  ce_xor_observer x;
  CE_CHECK_STATUS(
      ce_xor_observer_init(&x, CE_XOR_SDK_KEY, tx, sizeof tx, rx, sizeof rx),
      CE_OK, "init");
  fill(in, sizeof in, 1);
  memcpy(in_copy, in, sizeof in);

  /* 2049 bytes: the SDK sample's 2048-byte buffer would cut this. */
  ce_packet p = {in, 2049};
  CE_CHECK(cb->on_send_audio(&x, &p) == 1, "keep");
  CE_CHECK(p.buffer == tx && p.size == 2049, "repointed to tx, full size");
  int all = 1;
  for (unsigned i = 0; i < 2049; i++)
    all &= tx[i] == (unsigned char)(in[i] ^ 0x55);
  CE_CHECK(all, "every byte XOR 0x55, as the SDK sample");
  CE_CHECK(memcmp(in, in_copy, sizeof in) == 0, "input not written");

  /* Receive writes rx, leaving the send output alone (the two directions
     may run at once on two threads). */
  unsigned char tx_copy[2049];
  memcpy(tx_copy, tx, sizeof tx_copy);
  ce_packet q = {tx, 2049};
  CE_CHECK(cb->on_receive_video(&x, &q) == 1, "keep");
  CE_CHECK(q.buffer == rx && q.size == 2049, "repointed to rx");
  CE_CHECK(memcmp(rx, in, 2049) == 0, "XOR is its own inverse");
  CE_CHECK(memcmp(tx, tx_copy, sizeof tx_copy) == 0, "receive touched tx");

  /* Exactly the buffer size fits; one more is refused, not truncated. */
  p.buffer = in;
  p.size = (unsigned)sizeof tx;
  CE_CHECK(cb->on_send_video(&x, &p) == 1 && p.buffer == tx &&
               p.size == sizeof tx,
           "packet of exactly the buffer size");
  ce_xor_observer small;
  unsigned char stx[10], srx[10];
  CE_CHECK_STATUS(ce_xor_observer_init(&small, 0x55, stx, 10, srx, 10), CE_OK,
                  "init");
  p.buffer = in;
  p.size = 11;
  CE_CHECK(cb->on_send_audio(&small, &p) == 1 && p.buffer == NULL &&
               p.size == 11,
           "too large: refused with NULL buffer and the size kept");
  p.buffer = in;
  p.size = 11;
  CE_CHECK(cb->on_receive_audio(&small, &p) == 1 && p.buffer == NULL &&
               p.size == 11,
           "too large on receive: refused");
  p.buffer = in;
  p.size = 0;
  CE_CHECK(cb->on_send_audio(&small, &p) == 1 && p.size == 0, "size 0 kept");
  p.buffer = in;
  p.size = 5;
  CE_CHECK(cb->on_send_audio(NULL, &p) == 1 && p.buffer == NULL && p.size == 5,
           "NULL user refused");

  /* Reentrant: two instances with their own keys and buffers, calls
     interleaved, do not disturb each other. */
  ce_xor_observer k1, k2;
  unsigned char b1[2][64], b2[2][64];
  CE_CHECK_STATUS(ce_xor_observer_init(&k1, 0x0f, b1[0], 64, b1[1], 64), CE_OK,
                  "init");
  CE_CHECK_STATUS(ce_xor_observer_init(&k2, 0xf0, b2[0], 64, b2[1], 64), CE_OK,
                  "init");
  ce_packet p1 = {in, 64}, p2 = {in, 64};
  CE_CHECK(cb->on_send_audio(&k1, &p1) == 1, "k1");
  CE_CHECK(cb->on_send_audio(&k2, &p2) == 1, "k2");
  CE_CHECK(p1.buffer == b1[0] && p2.buffer == b2[0], "own buffers");
  CE_CHECK(b1[0][0] == (unsigned char)(in[0] ^ 0x0f) &&
               b2[0][63] == (unsigned char)(in[63] ^ 0xf0),
           "own keys");
}

static void test_xor_channel(void) {
  errlog la = {0, 0, 0}, lb = {0, 0, 0};
  ce_channel *a = chan(&la), *b = chan(&lb);
  enum { BIG = 5000 };
  unsigned char *mem = malloc(4 * BIG);
  uint8_t *buf = malloc(BIG + 64), *payload = malloc(BIG);
  if (mem == NULL || buf == NULL || payload == NULL)
    exit(2);
  ce_xor_observer xa, xb;
  CE_CHECK_STATUS(ce_xor_observer_init(&xa, 0x55, mem, BIG, mem + BIG, BIG),
                  CE_OK, "init");
  CE_CHECK_STATUS(
      ce_xor_observer_init(&xb, 0x55, mem + 2 * BIG, BIG, mem + 3 * BIG, BIG),
      CE_OK, "init");
  CE_CHECK_STATUS(
      ce_channel_register_packet_observer(a, ce_xor_observer_callbacks(), &xa),
      CE_OK, "register");
  CE_CHECK_STATUS(
      ce_channel_register_packet_observer(b, ce_xor_observer_callbacks(), &xb),
      CE_OK, "register");
  for (int builtin = 0; builtin <= 1; builtin++) {
    if (builtin) {
      CE_CHECK(enable_gcm2(a) == 0, "enable");
      CE_CHECK(enable_gcm2(b) == 0, "enable");
    }
    size_t ovh = builtin ? 26 : 0;
    static const size_t sizes[] = {0, 1, 2048, 2049, 4000};
    for (size_t i = 0; i < 5; i++) {
      size_t n = sizes[i];
      fill(payload, n, (uint32_t)n);
      memcpy(buf, payload, n);
      size_t len = n;
      CE_CHECK_STATUS(ce_channel_send(a, CE_PACKET_VIDEO, buf, &len, BIG + 64),
                      CE_OK, "send %zu", n);
      CE_CHECK(len == n + ovh, "no truncation: %zu", len);
      CE_CHECK_STATUS(
          ce_channel_receive(b, CE_PACKET_VIDEO, buf, &len, BIG + 64), CE_OK,
          "receive %zu", n);
      CE_CHECK(len == n && memcmp(buf, payload, n) == 0, "payload %zu", n);
    }
    /* A packet larger than the observer's buffer: the channel reports
       CE_ERR_OBSERVER, leaves the buffer alone and calls back with
       INTERNAL_FAILURE. */
    size_t n = BIG - ovh + 1;
    fill(buf, BIG + 64, 8);
    memcpy(payload, buf, BIG);
    size_t len = n;
    int calls = la.calls;
    CE_CHECK_STATUS(ce_channel_send(a, CE_PACKET_AUDIO, buf, &len, BIG + 64),
                    CE_ERR_OBSERVER, "packet over the XOR buffer");
    CE_CHECK(len == n && memcmp(buf, payload, BIG) == 0, "buffer untouched");
    CE_CHECK(la.calls == calls + 1 &&
                 la.type == CE_ENCRYPTION_ERROR_INTERNAL_FAILURE &&
                 la.status == CE_ERR_OBSERVER,
             "error callback: %d %d", la.type, la.status);
  }
  ce_channel_free(a);
  ce_channel_free(b);
  free(mem);
  free(buf);
  free(payload);
  (void)lb;
}

/* ------------------------------------------------------------------ */
/* ChaCha20-Poly1305                                                   */
/* ------------------------------------------------------------------ */

static const uint8_t key1[32] = "0123456789abcdef0123456789abcde";
static const uint8_t key2[32] = "0123456789abcdef0123456789abcdX";

/* Decrypts an observer packet with plain EVP calls: proves the format is
   nonce || RFC 8439 ChaCha20-Poly1305(ct) || tag with a 1-byte aad. */
static int independent_open(const uint8_t *key, const unsigned char *pkt,
                            size_t n, unsigned char aad, unsigned char *out) {
  if (n < 28)
    return 0;
  EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, "ChaCha20-Poly1305", NULL);
  EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
  int ok = 0, outl = 0, m = (int)(n - 28);
  unsigned char tag[16];
  memcpy(tag, pkt + n - 16, 16);
  if (c != NULL && x != NULL &&
      EVP_DecryptInit_ex2(x, c, key, pkt, NULL) == 1 &&
      EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_TAG, 16, tag) == 1 &&
      EVP_DecryptUpdate(x, NULL, &outl, &aad, 1) == 1 &&
      (m == 0 || EVP_DecryptUpdate(x, out, &outl, pkt + 12, m) == 1) &&
      EVP_DecryptFinal_ex(x, out + m, &outl) == 1)
    ok = 1;
  EVP_CIPHER_CTX_free(x);
  EVP_CIPHER_free(c);
  return ok;
}

static uint64_t be64(const unsigned char *p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++)
    v = v << 8 | p[i];
  return v;
}

static void test_chacha_new(void) {
  ce_chacha_observer *o = (ce_chacha_observer *)&o; /* not NULL */
  CE_CHECK_STATUS(ce_chacha_observer_new(key1, 32, 0, NULL),
                  CE_ERR_INVALID_ARGUMENT, "NULL out");
  CE_CHECK_STATUS(ce_chacha_observer_new(NULL, 32, 0, &o),
                  CE_ERR_INVALID_ARGUMENT, "NULL key");
  CE_CHECK(o == NULL, "out set to NULL on failure");
  CE_CHECK_STATUS(ce_chacha_observer_new(key1, 31, 0, &o),
                  CE_ERR_INVALID_ARGUMENT, "31-byte key");
  CE_CHECK_STATUS(ce_chacha_observer_new(key1, 33, 0, &o),
                  CE_ERR_INVALID_ARGUMENT, "33-byte key");
  CE_CHECK_STATUS(ce_chacha_observer_new(key1, 32, (size_t)1 << 31, &o),
                  CE_ERR_INVALID_ARGUMENT, "max_plain over INT_MAX");
  CE_CHECK_STATUS(ce_chacha_observer_new(key1, 32, 0, &o), CE_OK, "new");
  CE_CHECK(ce_chacha_observer_rejected(o) == 0, "no rejections yet");
  CE_CHECK(ce_chacha_observer_rejected(NULL) == 0, "NULL");
  ce_chacha_observer_free(o);
  ce_chacha_observer_free(NULL);
}

static void test_chacha_direct(void) {
  const ce_packet_observer *cb = ce_chacha_observer_callbacks();
  ce_chacha_observer *s = NULL, *r = NULL, *wrong = NULL, *s2 = NULL;
  CE_CHECK_STATUS(ce_chacha_observer_new(key1, 32, 0, &s), CE_OK, "s");
  CE_CHECK_STATUS(ce_chacha_observer_new(key1, 32, 0, &r), CE_OK, "r");
  CE_CHECK_STATUS(ce_chacha_observer_new(key2, 32, 0, &wrong), CE_OK, "w");
  CE_CHECK_STATUS(ce_chacha_observer_new(key1, 32, 0, &s2), CE_OK, "s2");
  if (s == NULL || r == NULL || wrong == NULL || s2 == NULL)
    exit(2);
  unsigned char in[300], wire[400], plain[400];
  fill(in, sizeof in, 4);

  static const unsigned sizes[] = {0, 1, 16, 300};
  for (size_t i = 0; i < 4; i++) {
    unsigned n = sizes[i];
    ce_packet p = {in, n};
    CE_CHECK(cb->on_send_audio(s, &p) == 1, "seal %u", n);
    CE_CHECK(p.buffer != in && p.buffer != NULL && p.size == n + 28,
             "sealed size %u", p.size);
    if (p.buffer == NULL)
      continue;
    memcpy(wire, p.buffer, p.size);
    unsigned wl = p.size;
    CE_CHECK(independent_open(key1, wire, wl, CE_CHACHA_AAD_AUDIO, plain) &&
                 memcmp(plain, in, n) == 0,
             "plain EVP opens it (RFC 8439 construction), n %u", n);
    CE_CHECK(!independent_open(key1, wire, wl, CE_CHACHA_AAD_VIDEO, plain),
             "the aad binds the kind");
    ce_packet q = {wire, wl};
    CE_CHECK(cb->on_receive_audio(r, &q) == 1, "open %u", n);
    CE_CHECK(q.size == n && (n == 0 || memcmp(q.buffer, in, n) == 0),
             "round trip %u", n);
  }

  /* Nonces: prefix fixed per instance, counter +1 per packet, and two
     instances differ. */
  ce_packet p1 = {in, 10}, p2 = {in, 10}, p3 = {in, 10};
  unsigned char n1[12], n2[12], n3[12];
  CE_CHECK(cb->on_send_video(s, &p1) == 1, "seal");
  memcpy(n1, p1.buffer, 12);
  CE_CHECK(cb->on_send_video(s, &p2) == 1, "seal");
  memcpy(n2, p2.buffer, 12);
  CE_CHECK(cb->on_send_video(s2, &p3) == 1, "seal");
  memcpy(n3, p3.buffer, 12);
  CE_CHECK(memcmp(n1, n2, 4) == 0 && be64(n2 + 4) == be64(n1 + 4) + 1,
           "counter nonce");
  CE_CHECK(memcmp(n1, n3, 12) != 0 && memcmp(n2, n3, 12) != 0,
           "two observers with one key use different nonces");

  /* Tampering anywhere (nonce, ciphertext, tag), the wrong key, the wrong
     kind or a short packet: dropped and counted, never passed on. */
  ce_packet p = {in, 100};
  CE_CHECK(cb->on_send_audio(s, &p) == 1, "seal");
  memcpy(wire, p.buffer, p.size);
  unsigned wl = p.size;
  uint64_t rej = ce_chacha_observer_rejected(r);
  static const unsigned flip[] = {0, 11, 12, 60, 111, 112, 127};
  for (size_t i = 0; i < sizeof flip / sizeof flip[0]; i++) {
    wire[flip[i]] ^= 0x20;
    ce_packet q = {wire, wl};
    CE_CHECK(cb->on_receive_audio(r, &q) == 0, "flip at %u accepted", flip[i]);
    CE_CHECK(q.buffer == wire && q.size == wl, "packet left alone on drop");
    wire[flip[i]] ^= 0x20;
  }
  CE_CHECK(ce_chacha_observer_rejected(r) == rej + 7, "rejections counted");
  ce_packet q = {wire, wl};
  CE_CHECK(cb->on_receive_audio(wrong, &q) == 0, "wrong key accepted");
  q.buffer = wire;
  q.size = wl;
  CE_CHECK(cb->on_receive_video(r, &q) == 0, "audio opened as video");
  q.buffer = wire;
  q.size = 27;
  CE_CHECK(cb->on_receive_audio(r, &q) == 0, "27 bytes accepted");
  q.buffer = wire;
  q.size = wl;
  CE_CHECK(cb->on_receive_audio(r, &q) == 1 && q.size == 100 &&
               memcmp(q.buffer, in, 100) == 0,
           "the untampered packet still opens");

  /* Too large for the buffers: refused (NULL, nonzero), not truncated. */
  ce_chacha_observer *tiny = NULL;
  CE_CHECK_STATUS(ce_chacha_observer_new(key1, 32, 50, &tiny), CE_OK, "tiny");
  if (tiny != NULL) {
    p.buffer = in;
    p.size = 50;
    CE_CHECK(cb->on_send_audio(tiny, &p) == 1 && p.buffer != NULL &&
                 p.size == 78,
             "max_plain fits");
    memcpy(wire, p.buffer, p.size);
    p.buffer = in;
    p.size = 51;
    CE_CHECK(cb->on_send_audio(tiny, &p) == 1 && p.buffer == NULL &&
                 p.size == 51,
             "over max_plain refused");
    q.buffer = wire;
    q.size = 78;
    CE_CHECK(cb->on_receive_audio(tiny, &q) == 1 && q.size == 50,
             "receive max_plain");
    q.buffer = wire;
    q.size = 79;
    CE_CHECK(cb->on_receive_audio(tiny, &q) == 1 && q.buffer == NULL &&
                 q.size != 0,
             "receive over max_plain refused");
    ce_chacha_observer_free(tiny);
  }
  p.buffer = in;
  p.size = 0;
  CE_CHECK(cb->on_send_audio(NULL, &p) == 1 && p.buffer == NULL && p.size != 0,
           "NULL user refused with a nonzero size");

  ce_chacha_observer_free(s);
  ce_chacha_observer_free(r);
  ce_chacha_observer_free(wrong);
  ce_chacha_observer_free(s2);
}

static void test_chacha_channel(void) {
  errlog la = {0, 0, 0}, lb = {0, 0, 0};
  ce_channel *a = chan(&la), *b = chan(&lb);
  ce_chacha_observer *oa = NULL, *ob = NULL;
  CE_CHECK_STATUS(ce_chacha_observer_new(key1, 32, 0, &oa), CE_OK, "oa");
  CE_CHECK_STATUS(ce_chacha_observer_new(key1, 32, 0, &ob), CE_OK, "ob");
  CE_CHECK_STATUS(ce_channel_register_packet_observer(
                      a, ce_chacha_observer_callbacks(), oa),
                  CE_OK, "register");
  CE_CHECK_STATUS(ce_channel_register_packet_observer(
                      b, ce_chacha_observer_callbacks(), ob),
                  CE_OK, "register");
  CE_CHECK(enable_gcm2(a) == 0 && enable_gcm2(b) == 0, "enable");
  size_t cap = CE_MAX_FRAME + CE_CHACHA_OVERHEAD;
  uint8_t *buf = malloc(cap), *payload = malloc(CE_MAX_PAYLOAD);
  if (buf == NULL || payload == NULL)
    exit(2);
  static const size_t sizes[] = {0, 1, 1000, CE_MAX_PAYLOAD};
  for (size_t i = 0; i < 4; i++) {
    for (int k = 0; k < 2; k++) {
      size_t n = sizes[i];
      ce_packet_kind kind = k ? CE_PACKET_VIDEO : CE_PACKET_AUDIO;
      fill(payload, n, (uint32_t)(n + (size_t)k));
      memcpy(buf, payload, n);
      size_t len = n;
      CE_CHECK_STATUS(ce_channel_send(a, kind, buf, &len, cap), CE_OK,
                      "send %zu", n);
      CE_CHECK(len == n + 26 + 28, "GCM2 + chacha overhead");
      CE_CHECK_STATUS(ce_channel_receive(b, kind, buf, &len, cap), CE_OK,
                      "receive %zu", n);
      CE_CHECK(len == n && memcmp(buf, payload, n) == 0, "payload");
    }
  }
  /* Tampered on the wire: the observer drops it, the channel counts a
     receive drop and reports no error. */
  fill(buf, 64, 1);
  size_t len = 64;
  CE_CHECK_STATUS(ce_channel_send(a, CE_PACKET_AUDIO, buf, &len, cap), CE_OK,
                  "send");
  buf[len - 1] ^= 1;
  ce_channel_counters c0, c1;
  CE_CHECK_STATUS(ce_channel_get_counters(b, &c0), CE_OK, "counters");
  int calls = lb.calls;
  CE_CHECK_STATUS(ce_channel_receive(b, CE_PACKET_AUDIO, buf, &len, cap),
                  CE_DROPPED, "tampered");
  CE_CHECK_STATUS(ce_channel_get_counters(b, &c1), CE_OK, "counters");
  CE_CHECK(c1.kind[0].receive_dropped == c0.kind[0].receive_dropped + 1,
           "counted as a receive drop");
  CE_CHECK(lb.calls == calls, "a drop is not an error");
  CE_CHECK(ce_chacha_observer_rejected(ob) == 1, "observer counted it");
  /* Unregister before freeing the observers (chacha_observer.h). */
  CE_CHECK_STATUS(ce_channel_register_packet_observer(a, NULL, NULL), CE_OK,
                  "unregister");
  CE_CHECK_STATUS(ce_channel_register_packet_observer(b, NULL, NULL), CE_OK,
                  "unregister");
  ce_chacha_observer_free(oa);
  ce_chacha_observer_free(ob);
  ce_channel_free(a);
  ce_channel_free(b);
  free(buf);
  free(payload);
  (void)la;
}

int main(void) {
  test_xor_init();
  test_xor_direct();
  test_xor_channel();
  test_chacha_new();
  test_chacha_direct();
  test_chacha_channel();
  return ce_test_finish("test_observers");
}
