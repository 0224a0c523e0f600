/*
 * sframe_conference.c - three participants, each with their own SFrame
 * key (KID), exchanging packets through chanenc channels with the SFrame
 * observer (chanenc_sframe_observer.h) stacked on built-in CE1 encryption.
 * A media server in the middle forwards every packet to the others; it has
 * the CE1 channel key (as an SDK's server would) but no SFrame key, and
 * since the observer wraps what CE1 made, the key gets it nothing.
 *
 *   1. Alice, Bob and Carol send audio and video; everyone reads everyone.
 *   2. The server tries to read Alice's packet with the CE1 key: nothing.
 *   3. Carol is removed: the others remove her receive key; her packets
 *      now fail (UNKNOWN_KID) while Alice and Bob still talk.
 *   4. Alice rotates to a new KID and key; Bob follows, then drops the old
 *      key; an old-KID packet replayed later fails.
 *
 * It checks every step and exits nonzero on any surprise (CTest
 * example_sframe_conference).
 */
#include "chanenc_sframe_observer.h"

#include <stdio.h>
#include <string.h>

typedef struct participant {
  const char *name;
  uint64_t kid;
  uint8_t key[16];
  ce_channel *ch;
  ce_sframe_ctx *sf;
  ce_sframe_observer *obs;
} participant;

static unsigned passed, failed;
#define CHECK(cond, ...)                                                       \
  do {                                                                         \
    if (cond) {                                                                \
      passed++;                                                                \
    } else {                                                                   \
      failed++;                                                                \
      fprintf(stderr, "sframe_conference: FAILED: " __VA_ARGS__);              \
      fputc('\n', stderr);                                                     \
    }                                                                          \
  } while (0)

static void ce1_config(ce_config *cfg) {
  ce_config_init(cfg);
  cfg->mode = CE_MODE_AES_128_GCM;
  ce_config_set_key_str(cfg, "the channel's CE1 key (the server has it)");
}

static void setup(participant *p, const char *name, uint64_t kid) {
  memset(p, 0, sizeof *p);
  p->name = name;
  p->kid = kid;
  for (int i = 0; i < 16; i++)
    p->key[i] = (uint8_t)(kid * 31 + (uint64_t)i);
  ce_config cfg;
  ce1_config(&cfg);
  int ok =
      ce_channel_new(&p->ch) == CE_OK &&
      ce_channel_enable_encryption(p->ch, 1, &cfg) == CE_SDK_OK &&
      ce_channel_join(p->ch) == CE_OK &&
      ce_sframe_ctx_new(CE_SFRAME_AES_128_GCM_SHA256_128, &p->sf) == CE_OK &&
      ce_sframe_set_replay_window(p->sf, 128) == CE_OK &&
      ce_sframe_add_key(p->sf, kid, CE_SFRAME_SEND, p->key, 16) == CE_OK &&
      ce_sframe_observer_new(p->sf, kid, &p->obs) == CE_OK &&
      ce_channel_register_packet_observer(p->ch, ce_sframe_observer_callbacks(),
                                          p->obs) == CE_OK;
  CHECK(ok, "set up %s", name);
}

static void teardown(participant *p) {
  ce_channel_free(p->ch); /* before the observer it uses */
  ce_sframe_observer_free(p->obs);
  ce_sframe_ctx_free(p->sf);
}

/* Everyone learns everyone else's receive key (out of band, as E2EE key
   distribution would do). */
static void share_key(participant *from, participant *to) {
  CHECK(ce_sframe_add_key(to->sf, from->kid, CE_SFRAME_RECEIVE, from->key,
                          16) == CE_OK,
        "%s learns %s's key", to->name, from->name);
}

/* from sends one packet; the server forwards the wire bytes to `to`, which
   receives them. Returns the receive status and checks the payload. */
static ce_status deliver(participant *from, participant *to,
                         ce_packet_kind kind, const char *text, uint8_t *wire,
                         size_t *wire_len) {
  uint8_t buf[512];
  size_t len = strlen(text);
  memcpy(buf, text, len);
  ce_status st = ce_channel_send(from->ch, kind, buf, &len, sizeof buf);
  CHECK(st == CE_OK, "%s sends", from->name);
  if (wire != NULL) {
    memcpy(wire, buf, len);
    *wire_len = len;
  }
  st = ce_channel_receive(to->ch, kind, buf, &len, sizeof buf);
  if (st == CE_OK)
    CHECK(len == strlen(text) && memcmp(buf, text, len) == 0,
          "%s reads %s's packet", to->name, from->name);
  return st;
}

int main(void) {
  participant alice, bob, carol;
  setup(&alice, "Alice", 0x0a);
  setup(&bob, "Bob", 0x0b);
  setup(&carol, "Carol", 0x1000c); /* a KID that needs three header bytes */
  participant *all[3] = {&alice, &bob, &carol};
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      if (i != j)
        share_key(all[i], all[j]);

  /* 1. Everyone reads everyone. */
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      if (i != j) {
        CHECK(deliver(all[i], all[j], CE_PACKET_AUDIO, "hello (audio)", NULL,
                      NULL) == CE_OK,
              "%s -> %s audio", all[i]->name, all[j]->name);
        CHECK(deliver(all[i], all[j], CE_PACKET_VIDEO, "a video frame", NULL,
                      NULL) == CE_OK,
              "%s -> %s video", all[i]->name, all[j]->name);
      }

  /* 2. The server has the CE1 key but no SFrame key. */
  uint8_t wire[512];
  size_t wire_len = 0;
  deliver(&alice, &bob, CE_PACKET_VIDEO, "for participants only", wire,
          &wire_len);
  ce_ctx *server = NULL;
  ce_config cfg;
  ce1_config(&cfg);
  CHECK(ce_ctx_new(&cfg, &server) == CE_OK, "server context");
  /* The observer runs after built-in protect on send (docs/spec.md 11.2):
     SFrame is the outer layer, so the CE1 key opens nothing on the wire. */
  size_t slen = wire_len;
  CHECK(ce_unprotect(server, wire, &slen) != CE_OK && slen == wire_len,
        "the CE1 key does not open an SFrame packet");
  CHECK(memmem(wire, wire_len, "participants", 12) == NULL,
        "the server cannot read the payload");
  ce_ctx_free(server);

  /* A packet replayed by the server is refused by the replay window. */
  size_t rlen = 0;
  uint8_t again[512];
  deliver(&alice, &bob, CE_PACKET_AUDIO, "once", again, &rlen);
  CHECK(ce_channel_receive(bob.ch, CE_PACKET_AUDIO, again, &rlen,
                           sizeof again) == CE_ERR_OBSERVER &&
            ce_sframe_observer_status(bob.obs, 0) == CE_ERR_REPLAYED,
        "a replayed packet is refused (REPLAYED)");

  /* 3. Carol is removed by key removal. */
  CHECK(ce_sframe_remove_key(alice.sf, carol.kid) == CE_OK &&
            ce_sframe_remove_key(bob.sf, carol.kid) == CE_OK,
        "Carol's key removed");
  CHECK(deliver(&carol, &alice, CE_PACKET_AUDIO, "still here?", NULL, NULL) ==
                CE_ERR_OBSERVER &&
            ce_sframe_observer_status(alice.obs, 0) == CE_ERR_UNKNOWN_KID,
        "Alice no longer reads Carol (UNKNOWN_KID)");
  CHECK(deliver(&alice, &bob, CE_PACKET_AUDIO, "just us", NULL, NULL) == CE_OK,
        "Alice and Bob still talk");

  /* 4. Alice rotates her key: new KID, new base key. */
  uint8_t old_wire[512];
  size_t old_len = 0;
  uint8_t scratch[512];
  size_t slen2 = 5;
  memcpy(scratch, "stale", 5);
  CHECK(ce_channel_send(alice.ch, CE_PACKET_AUDIO, scratch, &slen2,
                        sizeof scratch) == CE_OK,
        "a packet under the old KID, held back by the server");
  memcpy(old_wire, scratch, slen2);
  old_len = slen2;
  participant rotated = alice;
  rotated.kid = 0x1a;
  for (int i = 0; i < 16; i++)
    rotated.key[i] ^= 0xff;
  CHECK(ce_sframe_add_key(alice.sf, rotated.kid, CE_SFRAME_SEND, rotated.key,
                          16) == CE_OK &&
            ce_sframe_observer_set_send_kid(alice.obs, rotated.kid) == CE_OK,
        "Alice sends under her new KID");
  share_key(&rotated, &bob);
  CHECK(deliver(&alice, &bob, CE_PACKET_VIDEO, "after rotation", NULL, NULL) ==
            CE_OK,
        "Bob reads Alice's new KID");
  CHECK(ce_sframe_remove_key(bob.sf, alice.kid) == CE_OK &&
            ce_sframe_remove_key(alice.sf, alice.kid) == CE_OK,
        "the old key is dropped on both sides");
  CHECK(ce_channel_receive(bob.ch, CE_PACKET_AUDIO, old_wire, &old_len,
                           sizeof old_wire) == CE_ERR_OBSERVER &&
            ce_sframe_observer_status(bob.obs, 0) == CE_ERR_UNKNOWN_KID,
        "a packet under the old KID no longer opens");

  teardown(&alice);
  teardown(&bob);
  teardown(&carol);
  printf("sframe_conference: %u passed, %u failed\n", passed, failed);
  return failed == 0 && passed > 0 ? 0 : 1;
}
