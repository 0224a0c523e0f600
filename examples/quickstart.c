/*
 * quickstart.c - the README's example: protect one packet with
 * AES_128_GCM2 in place, unprotect it, and show a tampered frame refused
 * with the buffer left as it was. Exits nonzero if anything is off, so it
 * runs as a test.
 */
#include <stdio.h>
#include <string.h>

#include "chanenc.h"

int main(void) {
  ce_config cfg;
  ce_config_init(&cfg); /* mode AES_128_GCM2 */
  ce_config_set_key_str(&cfg, "my channel key");
  ce_status st = ce_config_set_salt_base64(
      &cfg, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
  ce_ctx *ctx = NULL;
  if (st == CE_OK)
    st = ce_ctx_new(&cfg, &ctx); /* key derivation happens here, once */
  if (st != CE_OK) {
    fprintf(stderr, "setup: %s\n", ce_status_str(st));
    return 1;
  }

  uint8_t buf[160 + CE_MAX_OVERHEAD]; /* payload + room for any mode */
  size_t len = 160;
  memset(buf, 'a', len);
  st = ce_protect(ctx, buf, &len, sizeof buf); /* in place */
  printf("protect:   %s, frame %zu bytes\n", ce_status_name(st), len);

  buf[20] ^= 1; /* tamper */
  size_t tampered_len = len;
  st = ce_unprotect(ctx, buf, &tampered_len);
  printf("tampered:  %s (%s)\n", ce_status_name(st), ce_status_str(st));
  int ok = st == CE_ERR_AUTH_FAILED && tampered_len == len;

  buf[20] ^= 1; /* the buffer was left as it was: undo and retry */
  st = ce_unprotect(ctx, buf, &len);
  printf("unprotect: %s, payload %zu bytes\n", ce_status_name(st), len);
  ok = ok && st == CE_OK && len == 160 && buf[0] == 'a' && buf[159] == 'a';

  ce_ctx_free(ctx); /* wipes the keys */
  return ok ? 0 : 1;
}
