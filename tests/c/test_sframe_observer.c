/*
 * test_sframe_observer.c - the SFrame packet observer
 * (chanenc_sframe_observer.h) through a channel: round trips of audio and
 * video with CE1 on and off, every failure reported as CE_ERR_OBSERVER with
 * the precise status queryable (no key, unknown KID, replay, altered
 * packet, audio delivered as video, counter exhausted is left to
 * test_sframe), the caller's buffer unchanged on failure, and the
 * argument checks.
 */
#include "ce_test.h"

#include "chanenc_sframe_observer.h"

#include <stdlib.h>
#include <string.h>

typedef struct end {
  ce_channel *ch;
  ce_sframe_ctx *sf;
  ce_sframe_observer *obs;
} end;

static const uint8_t key_a[16] = {1, 2, 3}, key_b[16] = {4, 5, 6};

static void end_new(end *e, int ce1, uint64_t send_kid, const uint8_t *send_key,
                    uint64_t recv_kid, const uint8_t *recv_key) {
  ce_config cfg;
  ce_config_init(&cfg);
  cfg.mode = CE_MODE_AES_256_GCM;
  ce_config_set_key_str(&cfg, "ce1");
  int ok = ce_channel_new(&e->ch) == CE_OK && ce_channel_join(e->ch) == CE_OK &&
           (!ce1 || ce_channel_enable_encryption(e->ch, 1, &cfg) == 0) &&
           ce_sframe_ctx_new(CE_SFRAME_AES_128_CTR_HMAC_SHA256_80, &e->sf) ==
               CE_OK &&
           ce_sframe_set_replay_window(e->sf, 16) == CE_OK &&
           ce_sframe_add_key(e->sf, send_kid, CE_SFRAME_SEND, send_key, 16) ==
               CE_OK &&
           ce_sframe_add_key(e->sf, recv_kid, CE_SFRAME_RECEIVE, recv_key,
                             16) == CE_OK &&
           ce_sframe_observer_new(e->sf, send_kid, &e->obs) == CE_OK &&
           ce_channel_register_packet_observer(
               e->ch, ce_sframe_observer_callbacks(), e->obs) == CE_OK;
  if (!ok) {
    fprintf(stderr, "setup failed\n");
    exit(2);
  }
}

static void end_free(end *e) {
  ce_channel_free(e->ch);
  ce_sframe_observer_free(e->obs);
  ce_sframe_ctx_free(e->sf);
}

static void round_trips(int ce1) {
  end a, b;
  end_new(&a, ce1, 7, key_a, 300, key_b);
  end_new(&b, ce1, 300, key_b, 7, key_a);
  uint8_t buf[70000], copy[70000];
  static const size_t sizes[] = {0, 1, 100, 1500, 65535};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    for (int kind = CE_PACKET_AUDIO; kind <= CE_PACKET_VIDEO; kind++) {
      size_t n = sizes[i], len = n;
      for (size_t k = 0; k < n; k++)
        buf[k] = (uint8_t)(k * 3 + n);
      memcpy(copy, buf, n);
      CE_CHECK_STATUS(ce_channel_send(a.ch, kind, buf, &len, sizeof buf), CE_OK,
                      "send %zu (ce1 %d)", n, ce1);
      CE_CHECK(len > n, "SFrame adds its header and tag");
      CE_CHECK_STATUS(ce_channel_receive(b.ch, kind, buf, &len, sizeof buf),
                      CE_OK, "receive %zu", n);
      CE_CHECK(len == n && memcmp(buf, copy, n) == 0, "payload %zu", n);
      CE_CHECK_STATUS(ce_sframe_observer_status(b.obs, 0), CE_OK, "status");
    }
  }

  /* Failures: each is CE_ERR_OBSERVER, the buffer unchanged, the SFrame
     status queryable. */
  size_t len = 40;
  memset(buf, 9, len);
  CE_CHECK_STATUS(ce_channel_send(a.ch, CE_PACKET_AUDIO, buf, &len, sizeof buf),
                  CE_OK, "send");
  memcpy(copy, buf, len);
  size_t wire = len;
  /* Audio delivered as video: the kind is authenticated. */
  CE_CHECK_STATUS(
      ce_channel_receive(b.ch, CE_PACKET_VIDEO, buf, &len, sizeof buf),
      CE_ERR_OBSERVER, "audio as video");
  CE_CHECK_STATUS(ce_sframe_observer_status(b.obs, 0), CE_ERR_AUTH_FAILED,
                  "audio as video status");
  CE_CHECK(len == wire && memcmp(buf, copy, wire) == 0, "unchanged");
  /* The genuine delivery, then a replay. */
  CE_CHECK_STATUS(
      ce_channel_receive(b.ch, CE_PACKET_AUDIO, buf, &len, sizeof buf), CE_OK,
      "genuine");
  memcpy(buf, copy, wire);
  len = wire;
  CE_CHECK_STATUS(
      ce_channel_receive(b.ch, CE_PACKET_AUDIO, buf, &len, sizeof buf),
      CE_ERR_OBSERVER, "replay");
  CE_CHECK_STATUS(ce_sframe_observer_status(b.obs, 0), CE_ERR_REPLAYED,
                  "replay status");
  /* A packet sent under a KID b has no key for. */
  CE_CHECK_STATUS(ce_sframe_observer_set_send_kid(a.obs, 99), CE_OK, "kid");
  len = 10;
  CE_CHECK_STATUS(ce_channel_send(a.ch, CE_PACKET_VIDEO, buf, &len, sizeof buf),
                  CE_ERR_OBSERVER, "send without a key");
  CE_CHECK_STATUS(ce_sframe_observer_status(a.obs, 1), CE_ERR_UNKNOWN_KID,
                  "send status");
  CE_CHECK(len == 10, "send failure leaves the length");
  CE_CHECK_STATUS(ce_sframe_add_key(a.sf, 99, CE_SFRAME_SEND, key_b, 16), CE_OK,
                  "key for 99");
  CE_CHECK_STATUS(ce_channel_send(a.ch, CE_PACKET_VIDEO, buf, &len, sizeof buf),
                  CE_OK, "send under 99");
  CE_CHECK_STATUS(
      ce_channel_receive(b.ch, CE_PACKET_VIDEO, buf, &len, sizeof buf),
      CE_ERR_OBSERVER, "receive under an unknown KID");
  CE_CHECK_STATUS(ce_sframe_observer_status(b.obs, 0), CE_ERR_UNKNOWN_KID,
                  "unknown KID status");
  /* Garbage on the wire. */
  len = 3;
  memset(buf, 0xff, len);
  CE_CHECK_STATUS(
      ce_channel_receive(b.ch, CE_PACKET_AUDIO, buf, &len, sizeof buf),
      CE_ERR_OBSERVER, "garbage");
  CE_CHECK_STATUS(ce_sframe_observer_status(b.obs, 0), CE_ERR_MALFORMED,
                  "garbage status");
  end_free(&a);
  end_free(&b);
}

static void arguments(void) {
  ce_sframe_observer *obs = (ce_sframe_observer *)&obs;
  CE_CHECK_STATUS(ce_sframe_observer_new(NULL, 1, &obs),
                  CE_ERR_INVALID_ARGUMENT, "NULL ctx");
  CE_CHECK(obs == NULL, "*out NULL on failure");
  ce_sframe_ctx *sf = NULL;
  CE_CHECK_STATUS(ce_sframe_ctx_new(CE_SFRAME_AES_128_GCM_SHA256_128, &sf),
                  CE_OK, "ctx");
  CE_CHECK_STATUS(ce_sframe_observer_new(sf, 1, NULL), CE_ERR_INVALID_ARGUMENT,
                  "NULL out");
  CE_CHECK_STATUS(ce_sframe_observer_set_send_kid(NULL, 1),
                  CE_ERR_INVALID_ARGUMENT, "NULL observer");
  CE_CHECK_STATUS(ce_sframe_observer_status(NULL, 1), CE_ERR_INVALID_ARGUMENT,
                  "NULL observer status");
  CE_CHECK(ce_sframe_observer_callbacks() != NULL &&
               ce_sframe_observer_callbacks()->on_send_audio != NULL,
           "callbacks");
  CE_CHECK_STATUS(ce_sframe_observer_new(sf, 1, &obs), CE_OK, "new");
  CE_CHECK_STATUS(ce_sframe_observer_status(obs, 1), CE_OK, "fresh status");
  ce_sframe_observer_free(obs);
  ce_sframe_observer_free(NULL);
  ce_sframe_ctx_free(sf);
}

int main(void) {
  round_trips(0);
  round_trips(1);
  arguments();
  return ce_test_finish("test_sframe_observer");
}
