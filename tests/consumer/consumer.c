/*
 * consumer.c - a program built against an INSTALLED chanenc, the way a
 * user builds one: through find_package(chanenc CONFIG) (chanenc::chanenc
 * and chanenc::chanenc_static) or through pkg-config. tests/consumer/run.sh
 * builds and runs it every way.
 *
 * Uses the public API only: a config (AES_128_GCM), a context, a duplicate
 * of it for the receiving side, a round trip, and a tampered frame that
 * must fail authentication. Exits 0 only when every check passed.
 */
#include <chanenc.h>
#include <chanenc_channel.h>

#include <stdio.h>
#include <string.h>

static int passed, failed;

static void check(int ok, const char *what) {
  if (ok) {
    passed++;
  } else {
    failed++;
    fprintf(stderr, "consumer: FAILED: %s\n", what);
  }
}

static void check_status(ce_status st, ce_status want, const char *what) {
  if (st != want)
    fprintf(stderr, "consumer: %s: got %s (%d), want %s (%d)\n", what,
            ce_status_name(st), (int)st, ce_status_name(want), (int)want);
  check(st == want, what);
}

int main(void) {
  static const char payload[] = "consumer payload: 0123456789abcdef";
  const size_t payload_len = sizeof payload - 1;
  uint8_t frame[sizeof payload + CE_MAX_OVERHEAD];
  uint8_t buf[sizeof frame];
  size_t frame_len, len;
  ce_config cfg;
  ce_ctx *tx = NULL, *rx = NULL;
  ce_status st;

  printf("consumer: %s\n", ce_version());
  check(strncmp(ce_version(), "chanenc ", 8) == 0, "ce_version");

  ce_config_init(&cfg);
  cfg.mode = CE_MODE_AES_128_GCM;
  check_status(ce_config_set_key_str(&cfg, "consumer-test-key"), CE_OK,
               "ce_config_set_key_str");
  check_status(ce_config_check(&cfg), CE_OK, "ce_config_check");
  check(ce_overhead(CE_MODE_AES_128_GCM, payload_len) == 26,
        "ce_overhead(AES_128_GCM) == 26");

  st = ce_ctx_new(&cfg, &tx);
  check_status(st, CE_OK, "ce_ctx_new");
  if (st == CE_OK) {
    check(ce_ctx_mode(tx) == CE_MODE_AES_128_GCM, "ce_ctx_mode");
    st = ce_ctx_dup(tx, &rx);
    check_status(st, CE_OK, "ce_ctx_dup");
  }

  if (tx && rx) {
    /* Protect with the context, unprotect with its duplicate. */
    memcpy(frame, payload, payload_len);
    frame_len = payload_len;
    check_status(ce_protect(tx, frame, &frame_len, sizeof frame), CE_OK,
                 "ce_protect");
    check(frame_len == payload_len + 26, "frame length is payload + 26");
    check(memcmp(frame, payload, payload_len) != 0,
          "frame differs from the payload");

    memcpy(buf, frame, frame_len);
    len = frame_len;
    check_status(ce_unprotect(rx, buf, &len), CE_OK,
                 "ce_unprotect (duplicated context)");
    check(len == payload_len && memcmp(buf, payload, payload_len) == 0,
          "round trip gives the payload back");

    /* One byte of the ciphertext flipped: the GCM tag must not verify,
       and the buffer must be left exactly as it was. */
    memcpy(buf, frame, frame_len);
    buf[frame_len / 2] ^= 0x01;
    len = frame_len;
    check_status(ce_unprotect(rx, buf, &len), CE_ERR_AUTH_FAILED,
                 "ce_unprotect of a tampered frame");
    check(len == frame_len, "tampered frame: length unchanged");
    buf[frame_len / 2] ^= 0x01;
    check(memcmp(buf, frame, frame_len) == 0,
          "tampered frame: buffer unchanged");
  }

  ce_ctx_free(rx);
  ce_ctx_free(tx);

  printf("consumer: %d passed, %d failed\n", passed, failed);
  return failed == 0 && passed > 0 ? 0 : 1;
}
