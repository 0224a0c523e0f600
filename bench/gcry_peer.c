/*
 * gcry_peer.c - the libgcrypt SM4 peer (see gcry_peer.h).
 */
#include "gcry_peer.h"

#include <stdlib.h>
#include <string.h>

#include <gcrypt.h>

struct gp_ctx {
  uint8_t check;
  gcry_cipher_hd_t enc, dec, ctr;
};

static const char *gp_ver;

int gp_init(void) {
  gp_ver = gcry_check_version(NULL);
  if (gp_ver == NULL)
    return -1;
  gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
  gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
  return 0;
}

const char *gp_version(void) {
  return gp_ver ? gp_ver : "?";
}

static int gp_open(gcry_cipher_hd_t *h, int mode, const uint8_t key[16]) {
  static const uint8_t ctr0[16] = {0};
  return gcry_cipher_open(h, GCRY_CIPHER_SM4, mode, 0) == 0 &&
         gcry_cipher_setkey(*h, key, 16) == 0 &&
         (mode != GCRY_CIPHER_MODE_CTR ||
          gcry_cipher_setctr(*h, ctr0, sizeof ctr0) == 0);
}

gp_ctx *gp_new(const uint8_t enc_key[16], uint8_t check) {
  gp_ctx *g = calloc(1, sizeof *g);
  if (g == NULL)
    return NULL;
  g->check = check;
  if (!gp_open(&g->enc, GCRY_CIPHER_MODE_ECB, enc_key) ||
      !gp_open(&g->dec, GCRY_CIPHER_MODE_ECB, enc_key) ||
      !gp_open(&g->ctr, GCRY_CIPHER_MODE_CTR, enc_key)) {
    gp_free(g);
    return NULL;
  }
  return g;
}

void gp_free(gp_ctx *g) {
  if (g == NULL)
    return;
  gcry_cipher_close(g->enc); /* accepts NULL */
  gcry_cipher_close(g->dec);
  gcry_cipher_close(g->ctr);
  free(g);
}

/* header(2) || ECB(PKCS7-Pad16(payload)), as bl_ecb_protect. */
int gp_protect(gp_ctx *g, uint8_t *buf, size_t *len) {
  size_t n = *len;
  size_t pad = 16 - n % 16;
  memmove(buf + 2, buf, n);
  memset(buf + 2 + n, (int)pad, pad);
  buf[0] = 0x10u | 4u;
  buf[1] = g->check;
  if (gcry_cipher_encrypt(g->enc, buf + 2, n + pad, NULL, 0) != 0)
    return -1;
  *len = 2 + n + pad;
  return 0;
}

int gp_unprotect(gp_ctx *g, uint8_t *buf, size_t *len) {
  size_t n = *len;
  if (n < 18 || n > 65538 || buf[0] != (0x10u | 4u) || buf[1] != g->check ||
      (n - 2) % 16 != 0)
    return -1;
  size_t body = n - 2;
  if (gcry_cipher_decrypt(g->dec, buf + 2, body, NULL, 0) != 0)
    return -1;
  unsigned pad = buf[n - 1];
  if (pad < 1 || pad > 16)
    return -1;
  for (size_t i = n - pad; i < n; i++)
    if (buf[i] != pad)
      return -1;
  memmove(buf, buf + 2, body - pad);
  *len = body - pad;
  return 0;
}

int gp_raw(gp_ctx *g, int ctr, uint8_t *buf, size_t len) {
  return gcry_cipher_encrypt(ctr ? g->ctr : g->enc, buf, len, NULL, 0) == 0
             ? 0
             : -1;
}
