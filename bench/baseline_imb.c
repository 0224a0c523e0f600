/*
 * baseline_imb.c - intel-ipsec-mb's least work for a CE1 GCM packet, and
 * its raw GCM call (baseline_imb.h).
 */
#include "baseline_imb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <intel-ipsec-mb.h>
#include <openssl/crypto.h>

struct bi_ctx {
  struct gcm_key_data key; /* aligned(64) by the library's own build */
  struct gcm_context_data enc_ctx, dec_ctx;
  IMB_MGR *mgr;
  aes_gcm_enc_dec_t enc, dec;
  int mode;
  uint8_t check;
  uint8_t iv_base[12];
  uint64_t pn;
};

bi_ctx *bi_new(int mode, const uint8_t *enc_key, size_t enc_key_len,
               const uint8_t iv_base[12], uint8_t check, uint64_t first_pn) {
  if (mode < 5 || mode > 8 || enc_key_len != (mode % 2 ? 16u : 32u))
    return NULL;
  bi_ctx *b = aligned_alloc(64, (sizeof *b + 63) / 64 * 64);
  if (b == NULL)
    return NULL;
  memset(b, 0, sizeof *b);
  b->mgr = alloc_mb_mgr(0);
  if (b->mgr == NULL) {
    free(b);
    return NULL;
  }
  init_mb_mgr_auto(b->mgr, NULL);
  if (enc_key_len == 16) {
    IMB_AES128_GCM_PRE(b->mgr, enc_key, &b->key);
    b->enc = b->mgr->gcm128_enc;
    b->dec = b->mgr->gcm128_dec;
  } else {
    IMB_AES256_GCM_PRE(b->mgr, enc_key, &b->key);
    b->enc = b->mgr->gcm256_enc;
    b->dec = b->mgr->gcm256_dec;
  }
  b->mode = mode;
  b->check = check;
  memcpy(b->iv_base, iv_base, 12);
  b->pn = first_pn;
  return b;
}

void bi_free(bi_ctx *b) {
  if (b == NULL)
    return;
  free_mb_mgr(b->mgr);
  free(b);
}

static void bi_nonce(const bi_ctx *b, uint64_t pn, uint8_t nonce[12]) {
  memcpy(nonce, b->iv_base, 12);
  for (int i = 0; i < 8; i++)
    nonce[4 + i] ^= (uint8_t)(pn >> (56 - 8 * i));
}

static uint64_t bi_read_pn(const uint8_t *buf) {
  uint64_t pn = 0;
  for (int i = 0; i < 8; i++)
    pn = (pn << 8) | buf[2 + i];
  return pn;
}

void bi_seal_raw(bi_ctx *b, uint64_t pn, uint8_t *frame, size_t n) {
  uint8_t nonce[12];
  bi_nonce(b, pn, nonce);
  b->enc(&b->key, &b->enc_ctx, frame + 10, frame + 10, n, nonce, frame, 10,
         frame + 10 + n, 16);
}

int bi_open_raw(bi_ctx *b, uint8_t *frame, size_t n) {
  uint8_t nonce[12], tag[16];
  bi_nonce(b, bi_read_pn(frame), nonce);
  b->dec(&b->key, &b->dec_ctx, frame + 10, frame + 10, n, nonce, frame, 10, tag,
         16);
  return CRYPTO_memcmp(tag, frame + 10 + n, 16) == 0 ? 0 : -1;
}

int bi_protect(bi_ctx *b, uint8_t *buf, size_t *len) {
  size_t n = *len;
  uint64_t pn = b->pn++;
  memmove(buf + 10, buf, n);
  buf[0] = (uint8_t)(0x10u | (unsigned)b->mode);
  buf[1] = b->check;
  for (int i = 0; i < 8; i++)
    buf[2 + i] = (uint8_t)(pn >> (56 - 8 * i));
  bi_seal_raw(b, pn, buf, n);
  *len = n + 26;
  return 0;
}

int bi_unprotect(bi_ctx *b, uint8_t *buf, size_t *len) {
  size_t n = *len;
  /* Spec 9 steps 1-5. */
  if (n < 26 || n > 65561 || (buf[0] & 0x7fu) != (0x10u | (unsigned)b->mode) ||
      (buf[0] & 0x80u) || buf[1] != b->check)
    return -1;
  size_t plen = n - 26;
  if (bi_open_raw(b, buf, plen) != 0)
    return -1;
  memmove(buf, buf + 10, plen);
  *len = plen;
  return 0;
}

const char *bi_describe(void) {
  static char text[96];
  static const char *const arch[] = {"none", "no-AESNI", "SSE",
                                     "AVX",  "AVX2",     "AVX512"};
  IMB_MGR *m = alloc_mb_mgr(0);
  IMB_ARCH a = IMB_ARCH_NONE;
  if (m != NULL)
    init_mb_mgr_auto(m, &a);
  free_mb_mgr(m);
  snprintf(text, sizeof text, "intel-ipsec-mb %s, %s code",
           imb_get_version_str(),
           (unsigned)a < sizeof arch / sizeof arch[0] ? arch[a] : "?");
  return text;
}
