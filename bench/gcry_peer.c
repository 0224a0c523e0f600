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

/* ---- GCM (modes 5-8) ------------------------------------------------- */

struct gp_gcm {
  int mode;
  uint8_t check, iv_base[12];
  uint64_t pn;
  gcry_cipher_hd_t enc, dec;
};

static int gp_gcm_open(gcry_cipher_hd_t *h, const uint8_t *key,
                       size_t key_len) {
  int algo = key_len == 16 ? GCRY_CIPHER_AES128 : GCRY_CIPHER_AES256;
  return gcry_cipher_open(h, algo, GCRY_CIPHER_MODE_GCM, 0) == 0 &&
         gcry_cipher_setkey(*h, key, key_len) == 0;
}

gp_gcm *gp_gcm_new(int mode, const uint8_t *key, size_t key_len,
                   const uint8_t iv_base[12], uint8_t check,
                   uint64_t first_pn) {
  if (key_len != 16 && key_len != 32)
    return NULL;
  gp_gcm *g = calloc(1, sizeof *g);
  if (g == NULL)
    return NULL;
  g->mode = mode;
  g->check = check;
  g->pn = first_pn;
  memcpy(g->iv_base, iv_base, 12);
  if (!gp_gcm_open(&g->enc, key, key_len) ||
      !gp_gcm_open(&g->dec, key, key_len)) {
    gp_gcm_free(g);
    return NULL;
  }
  return g;
}

void gp_gcm_free(gp_gcm *g) {
  if (g == NULL)
    return;
  gcry_cipher_close(g->enc);
  gcry_cipher_close(g->dec);
  free(g);
}

static void gp_gcm_nonce(const gp_gcm *g, const uint8_t *header,
                         uint8_t nonce[12]) {
  memcpy(nonce, g->iv_base, 12);
  for (int i = 0; i < 8; i++)
    nonce[4 + i] ^= header[2 + i]; /* BE64(PN) as in the header */
}

int gp_gcm_protect(gp_gcm *g, uint8_t *buf, size_t *len) {
  size_t n = *len;
  uint64_t pn = g->pn++;
  memmove(buf + 10, buf, n);
  buf[0] = (uint8_t)(0x10u | (unsigned)g->mode);
  buf[1] = g->check;
  for (int i = 0; i < 8; i++)
    buf[2 + i] = (uint8_t)(pn >> (56 - 8 * i));
  uint8_t nonce[12];
  gp_gcm_nonce(g, buf, nonce);
  if (gcry_cipher_setiv(g->enc, nonce, 12) != 0 ||
      gcry_cipher_authenticate(g->enc, buf, 10) != 0 ||
      gcry_cipher_final(g->enc) != 0 ||
      gcry_cipher_encrypt(g->enc, buf + 10, n, NULL, 0) != 0 ||
      gcry_cipher_gettag(g->enc, buf + 10 + n, 16) != 0)
    return -1;
  *len = n + 26;
  return 0;
}

int gp_gcm_unprotect(gp_gcm *g, uint8_t *buf, size_t *len) {
  size_t n = *len;
  if (n < 26 || n > 65561 || buf[0] != (0x10u | (unsigned)g->mode) ||
      buf[1] != g->check)
    return -1;
  size_t plen = n - 26;
  uint8_t nonce[12];
  gp_gcm_nonce(g, buf, nonce);
  if (gcry_cipher_setiv(g->dec, nonce, 12) != 0 ||
      gcry_cipher_authenticate(g->dec, buf, 10) != 0 ||
      gcry_cipher_final(g->dec) != 0 ||
      gcry_cipher_decrypt(g->dec, buf + 10, plen, NULL, 0) != 0 ||
      gcry_cipher_checktag(g->dec, buf + 10 + plen, 16) != 0)
    return -1;
  memmove(buf, buf + 10, plen);
  *len = plen;
  return 0;
}
