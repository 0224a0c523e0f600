/*
 * demo_channel.c - two channels talking through the whole pipeline of
 * docs/spec.md section 11: built-in AES_128_GCM2 and, nearest the wire, the
 * ChaCha20-Poly1305 packet observer.
 *
 *   alice: payload -> GCM2 protect -> chacha on_send -> wire
 *   bob:   wire -> chacha on_receive -> GCM2 unprotect -> payload
 *
 * Then: a tampered packet (dropped by the observer, no error), and a
 * packet from a sender with the right observer key but the wrong channel
 * key (passes the observer, fails built-in decryption: error callback).
 *
 * Exits 0 when everything happened as described, 1 otherwise.
 */
#include "chacha_observer.h"
#include "chanenc_channel.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int failures;

#define EXPECT(cond, what)                                                     \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "demo: unexpected: %s\n", what);                         \
      failures++;                                                              \
    }                                                                          \
  } while (0)

typedef struct peer {
  const char *name;
  ce_channel *ch;
  ce_chacha_observer *obs;
} peer;

static const char *error_type_name(int t) {
  static const char *names[] = {
      "INTERNAL_FAILURE", "DECRYPTION_FAILURE", "ENCRYPTION_FAILURE",
      "DATASTREAM_DECRYPTION_FAILURE", "DATASTREAM_ENCRYPTION_FAILURE"};
  return t >= 0 && t <= 4 ? names[t] : "?";
}

static void on_error(void *user, int error_type, int status) {
  const peer *p = user;
  printf("  [%s error callback] %s (%d), status %s\n", p->name,
         error_type_name(error_type), error_type, ce_status_name(status));
}

/* Sets up a joined channel with GCM2 (key, salt) and a chacha observer. */
static int peer_open(peer *p, const char *name, const char *key,
                     uint8_t salt_byte, const uint8_t chacha_key[32]) {
  p->name = name;
  p->ch = NULL;
  p->obs = NULL;
  ce_config cfg;
  ce_config_init(&cfg); /* AES_128_GCM2 */
  if (ce_config_set_key_str(&cfg, key) != CE_OK)
    return -1;
  memset(cfg.salt, salt_byte, sizeof cfg.salt);
  if (ce_channel_new(&p->ch) != CE_OK)
    return -1;
  int rc = ce_channel_enable_encryption(p->ch, 1, &cfg);
  if (rc != CE_SDK_OK) {
    fprintf(stderr, "demo: enable_encryption returned %d\n", rc);
    return -1;
  }
  ce_status st = ce_chacha_observer_new(chacha_key, 32, 0, &p->obs);
  if (st != CE_OK) {
    fprintf(stderr, "demo: chacha observer: %s\n", ce_status_str(st));
    return -1;
  }
  if (ce_channel_register_packet_observer(p->ch, ce_chacha_observer_callbacks(),
                                          p->obs) != CE_OK ||
      ce_channel_set_error_callback(p->ch, on_error, p) != CE_OK ||
      ce_channel_join(p->ch) != CE_OK)
    return -1;
  return 0;
}

static void peer_close(peer *p) {
  /* Free the channel before the observer it uses. */
  ce_channel_free(p->ch);
  ce_chacha_observer_free(p->obs);
}

/* One packet from -> to, optionally with one bit flipped on the wire.
   Returns the receive status (or the send status if sending failed). */
static ce_status transfer(peer *from, peer *to, ce_packet_kind kind,
                          const char *payload, int tamper) {
  uint8_t buf[512];
  size_t len = strlen(payload);
  memcpy(buf, payload, len);
  const char *kname = kind == CE_PACKET_AUDIO ? "audio" : "video";
  ce_status st = ce_channel_send(from->ch, kind, buf, &len, sizeof buf);
  printf("%s -> %s %s \"%s\" (%zu bytes): send %s, wire %zu bytes\n",
         from->name, to->name, kname, payload, strlen(payload),
         ce_status_name(st), len);
  if (st != CE_OK)
    return st;
  if (tamper) {
    buf[len / 2] ^= 0x01;
    printf("  (flipped one bit of the wire packet)\n");
  }
  st = ce_channel_receive(to->ch, kind, buf, &len, sizeof buf);
  if (st == CE_OK)
    printf("  %s received %s: \"%.*s\"\n", to->name, ce_status_name(st),
           (int)len, (const char *)buf);
  else
    printf("  %s received: %s (%s)\n", to->name, ce_status_name(st),
           ce_status_str(st));
  if (st == CE_OK)
    EXPECT(len == strlen(payload) && memcmp(buf, payload, len) == 0,
           "payload changed in transit");
  return st;
}

static void print_counters(const peer *p) {
  ce_channel_counters c;
  if (ce_channel_get_counters(p->ch, &c) != CE_OK) {
    failures++;
    return;
  }
  for (int k = 0; k < 2; k++) {
    const ce_channel_kind_counters *kc = &c.kind[k];
    uint64_t failed = 0;
    for (int s = 1; s < CE_CHANNEL_STATUS_SLOTS; s++)
      failed += kc->send_failed[s] + kc->receive_failed[s];
    printf("  %s %s: sent %" PRIu64 ", received %" PRIu64 ", dropped %" PRIu64
           "/%" PRIu64 " (send/receive), failed %" PRIu64 "\n",
           p->name, k == 0 ? "audio" : "video", kc->sent, kc->received,
           kc->send_dropped, kc->receive_dropped, failed);
  }
  printf("  %s observer rejected %" PRIu64 " packets\n", p->name,
         ce_chacha_observer_rejected(p->obs));
}

int main(void) {
  /* Demo keys. Real ones come from a key server, fresh per session. */
  static const uint8_t chacha_key[32] = "demo chacha key, 32 bytes long!";
  peer alice, bob, mallory;
  if (peer_open(&alice, "alice", "demo channel key", 0xa5, chacha_key) != 0 ||
      peer_open(&bob, "bob", "demo channel key", 0xa5, chacha_key) != 0 ||
      peer_open(&mallory, "mallory", "another channel key", 0xa5, chacha_key) !=
          0) {
    fprintf(stderr, "demo: setup failed\n");
    return 1;
  }
  printf("pipeline: payload -> AES_128_GCM2 -> ChaCha20-Poly1305 observer "
         "-> wire (overhead %u + %u bytes)\n",
         (unsigned)ce_overhead(CE_MODE_AES_128_GCM2, 0),
         (unsigned)CE_CHACHA_OVERHEAD);

  EXPECT(transfer(&alice, &bob, CE_PACKET_AUDIO, "hello bob, audio", 0) ==
             CE_OK,
         "audio alice -> bob");
  EXPECT(transfer(&alice, &bob, CE_PACKET_VIDEO, "a video frame", 0) == CE_OK,
         "video alice -> bob");
  EXPECT(transfer(&bob, &alice, CE_PACKET_AUDIO, "hi alice", 0) == CE_OK,
         "audio bob -> alice");
  EXPECT(transfer(&alice, &bob, CE_PACKET_AUDIO, "tampered with", 1) ==
             CE_DROPPED,
         "tampered packet not dropped");
  EXPECT(transfer(&mallory, &bob, CE_PACKET_VIDEO, "wrong channel key", 0) ==
             CE_ERR_KEY_MISMATCH,
         "wrong channel key not detected");

  printf("counters:\n");
  print_counters(&alice);
  print_counters(&bob);
  peer_close(&alice);
  peer_close(&bob);
  peer_close(&mallory);
  printf("demo: %s\n", failures == 0 ? "all as expected" : "FAILED");
  return failures == 0 ? 0 : 1;
}
