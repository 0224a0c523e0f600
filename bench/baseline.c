/*
 * baseline.c - the least work OpenSSL EVP needs for a CE1 packet (see
 * baseline.h). Every function here is what a careful user would write by
 * hand for one mode, with the frame layout of spec 5 and 6 inline.
 */
#include "baseline.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

struct bl_ctx {
  int mode;
  int family; /* 1 ECB, 2 XTS, 3 GCM (as ce_family) */
  uint8_t check;
  uint8_t iv_base[12];
  uint64_t pn;
  EVP_CIPHER_CTX *enc;
  EVP_CIPHER_CTX *dec;
};

static const char *bl_cipher_name(int mode, int *family) {
  switch (mode) {
  case 1:
    *family = 2;
    return "AES-128-XTS";
  case 2:
    *family = 1;
    return "AES-128-ECB";
  case 3:
    *family = 2;
    return "AES-256-XTS";
  case 4:
    *family = 1;
    return "SM4-ECB";
  case 5:
  case 7:
    *family = 3;
    return "AES-128-GCM";
  case 6:
  case 8:
    *family = 3;
    return "AES-256-GCM";
  default:
    return NULL;
  }
}

bl_ctx *bl_new(int mode, const uint8_t *enc_key, size_t enc_key_len,
               const uint8_t iv_base[12], uint8_t check, uint64_t first_pn) {
  int family = 0;
  const char *name = bl_cipher_name(mode, &family);
  if (name == NULL)
    return NULL;
  EVP_CIPHER *cipher = EVP_CIPHER_fetch(NULL, name, NULL);
  if (cipher == NULL)
    return NULL;
  bl_ctx *b = calloc(1, sizeof *b);
  if (b == NULL || (size_t)EVP_CIPHER_get_key_length(cipher) != enc_key_len) {
    EVP_CIPHER_free(cipher);
    free(b);
    return NULL;
  }
  b->mode = mode;
  b->family = family;
  b->check = check;
  memcpy(b->iv_base, iv_base, 12);
  b->pn = first_pn;
  b->enc = EVP_CIPHER_CTX_new();
  b->dec = EVP_CIPHER_CTX_new();
  int ok = b->enc != NULL && b->dec != NULL &&
           EVP_CipherInit_ex2(b->enc, cipher, enc_key, NULL, 1, NULL) == 1 &&
           EVP_CipherInit_ex2(b->dec, cipher, enc_key, NULL, 0, NULL) == 1;
  if (ok && family == 1)
    ok = EVP_CIPHER_CTX_set_padding(b->enc, 0) == 1 &&
         EVP_CIPHER_CTX_set_padding(b->dec, 0) == 1;
  EVP_CIPHER_free(cipher);
  if (!ok) {
    bl_free(b);
    return NULL;
  }
  return b;
}

void bl_free(bl_ctx *b) {
  if (b == NULL)
    return;
  EVP_CIPHER_CTX_free(b->enc);
  EVP_CIPHER_CTX_free(b->dec);
  free(b);
}

static void bl_header(const bl_ctx *b, uint8_t *buf, unsigned s, uint64_t pn) {
  buf[0] = (uint8_t)(s | 0x10u | (unsigned)b->mode);
  buf[1] = b->check;
  for (int i = 0; i < 8; i++)
    buf[2 + i] = (uint8_t)(pn >> (56 - 8 * i));
}

static uint64_t bl_read_pn(const uint8_t *buf) {
  uint64_t pn = 0;
  for (int i = 0; i < 8; i++)
    pn = (pn << 8) | buf[2 + i];
  return pn;
}

/* Spec 9 steps 2-5 on the first two bytes. */
static int bl_header_ok(const bl_ctx *b, const uint8_t *buf) {
  unsigned f = buf[0];
  if ((f & 0x70u) != 0x10u || (f & 0x0fu) != (unsigned)b->mode)
    return 0;
  if ((f & 0x80u) && b->family != 2)
    return 0;
  return buf[1] == b->check;
}

/* ---- GCM: nonce = iv_base ^ (0^4 || BE64(pn)), aad = header ---------- */

static void bl_nonce(const bl_ctx *b, uint64_t pn, uint8_t nonce[12]) {
  memcpy(nonce, b->iv_base, 12);
  for (int i = 0; i < 8; i++)
    nonce[4 + i] ^= (uint8_t)(pn >> (56 - 8 * i));
}

static int bl_gcm_protect(bl_ctx *b, uint8_t *buf, size_t *len) {
  size_t n = *len;
  uint64_t pn = b->pn++;
  uint8_t nonce[12];
  int outl;
  bl_nonce(b, pn, nonce);
  memmove(buf + 10, buf, n);
  bl_header(b, buf, 0, pn);
  if (EVP_CipherInit_ex(b->enc, NULL, NULL, NULL, nonce, -1) != 1 ||
      EVP_CipherUpdate(b->enc, NULL, &outl, buf, 10) != 1 ||
      EVP_CipherUpdate(b->enc, buf + 10, &outl, buf + 10, (int)n) != 1 ||
      EVP_CipherFinal_ex(b->enc, buf + 10 + n, &outl) != 1 ||
      EVP_CIPHER_CTX_ctrl(b->enc, EVP_CTRL_AEAD_GET_TAG, 16, buf + 10 + n) != 1)
    return -1;
  *len = n + 26;
  return 0;
}

static int bl_gcm_unprotect(bl_ctx *b, uint8_t *buf, size_t *len) {
  size_t n = *len;
  if (n < 26 || n > 65561 || !bl_header_ok(b, buf))
    return -1;
  size_t plen = n - 26;
  uint8_t nonce[12];
  int outl;
  bl_nonce(b, bl_read_pn(buf), nonce);
  if (EVP_CipherInit_ex(b->dec, NULL, NULL, NULL, nonce, -1) != 1 ||
      EVP_CipherUpdate(b->dec, NULL, &outl, buf, 10) != 1 ||
      EVP_CipherUpdate(b->dec, buf + 10, &outl, buf + 10, (int)plen) != 1 ||
      EVP_CIPHER_CTX_ctrl(b->dec, EVP_CTRL_AEAD_SET_TAG, 16, buf + 10 + plen) !=
          1 ||
      EVP_CipherFinal_ex(b->dec, buf + 10 + plen, &outl) != 1)
    return -1;
  memmove(buf, buf + 10, plen);
  *len = plen;
  return 0;
}

/* ---- XTS: tweak = LE64(pn) || 0^8; S block below 16 bytes ------------ */

static int bl_xts_run(EVP_CIPHER_CTX *c, uint64_t pn, const uint8_t *in,
                      size_t len, uint8_t *out) {
  uint8_t tweak[16] = {0};
  int outl;
  for (int i = 0; i < 8; i++)
    tweak[i] = (uint8_t)(pn >> (8 * i));
  return EVP_CipherInit_ex(c, NULL, NULL, NULL, tweak, -1) == 1 &&
         EVP_CipherUpdate(c, out, &outl, in, (int)len) == 1;
}

static int bl_xts_protect(bl_ctx *b, uint8_t *buf, size_t *len) {
  size_t n = *len;
  uint64_t pn = b->pn++;
  if (n >= 16) {
    memmove(buf + 10, buf, n);
    bl_header(b, buf, 0, pn);
    if (!bl_xts_run(b->enc, pn, buf + 10, n, buf + 10))
      return -1;
    *len = n + 10;
    return 0;
  }
  uint8_t x[16] = {0};
  memcpy(x, buf, n);
  x[15] = (uint8_t)n;
  bl_header(b, buf, 0x80u, pn);
  if (!bl_xts_run(b->enc, pn, x, 16, buf + 10))
    return -1;
  *len = 26;
  return 0;
}

static int bl_xts_unprotect(bl_ctx *b, uint8_t *buf, size_t *len) {
  size_t n = *len;
  if (n < 26 || n > 65545 || !bl_header_ok(b, buf))
    return -1;
  size_t body = n - 10;
  uint64_t pn = bl_read_pn(buf);
  if (buf[0] & 0x80u) {
    uint8_t x[16];
    if (body != 16 || !bl_xts_run(b->dec, pn, buf + 10, 16, x))
      return -1;
    unsigned plen = x[15];
    if (plen > 15)
      return -1;
    for (unsigned i = plen; i < 15; i++)
      if (x[i] != 0)
        return -1;
    memcpy(buf, x, plen);
    *len = plen;
    return 0;
  }
  if (!bl_xts_run(b->dec, pn, buf + 10, body, buf + 10))
    return -1;
  memmove(buf, buf + 10, body);
  *len = body;
  return 0;
}

/* ---- ECB: header(2) || ECB(PKCS7-Pad16(payload)) ---------------------- */

static int bl_ecb_protect(bl_ctx *b, uint8_t *buf, size_t *len) {
  size_t n = *len;
  size_t pad = 16 - n % 16;
  int outl;
  memmove(buf + 2, buf, n);
  memset(buf + 2 + n, (int)pad, pad);
  buf[0] = (uint8_t)(0x10u | (unsigned)b->mode);
  buf[1] = b->check;
  if (EVP_CipherUpdate(b->enc, buf + 2, &outl, buf + 2, (int)(n + pad)) != 1)
    return -1;
  *len = 2 + n + pad;
  return 0;
}

static int bl_ecb_unprotect(bl_ctx *b, uint8_t *buf, size_t *len) {
  size_t n = *len;
  if (n < 18 || n > 65538 || !bl_header_ok(b, buf) || (n - 2) % 16 != 0)
    return -1;
  size_t body = n - 2;
  int outl;
  if (EVP_CipherUpdate(b->dec, buf + 2, &outl, buf + 2, (int)body) != 1)
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

int bl_protect(bl_ctx *b, uint8_t *buf, size_t *len) {
  switch (b->family) {
  case 1:
    return bl_ecb_protect(b, buf, len);
  case 2:
    return bl_xts_protect(b, buf, len);
  default:
    return bl_gcm_protect(b, buf, len);
  }
}

int bl_unprotect(bl_ctx *b, uint8_t *buf, size_t *len) {
  switch (b->family) {
  case 1:
    return bl_ecb_unprotect(b, buf, len);
  case 2:
    return bl_xts_unprotect(b, buf, len);
  default:
    return bl_gcm_unprotect(b, buf, len);
  }
}
