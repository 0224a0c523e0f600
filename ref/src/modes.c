/*
 * modes.c - the mode table (spec section 2) and the queries on it.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

/* Ids, SDK names and mode strings are fixed by spec 2; the mode string is
   bound into every key-schedule label (spec 4). */
static const ce__mode_info ce__modes[] = {
    {1, "AES_128_XTS", "aes-128-xts", CE_FAMILY_XTS, 32, "AES-128-XTS", 0},
    {2, "AES_128_ECB", "aes-128-ecb", CE_FAMILY_ECB, 16, "AES-128-ECB", 0},
    {3, "AES_256_XTS", "aes-256-xts", CE_FAMILY_XTS, 64, "AES-256-XTS", 0},
    {4, "SM4_128_ECB", "sm4-128-ecb", CE_FAMILY_ECB, 16, "SM4-ECB", 0},
    {5, "AES_128_GCM", "aes-128-gcm", CE_FAMILY_GCM, 16, "AES-128-GCM", 0},
    {6, "AES_256_GCM", "aes-256-gcm", CE_FAMILY_GCM, 32, "AES-256-GCM", 0},
    {7, "AES_128_GCM2", "aes-128-gcm-2", CE_FAMILY_GCM, 16, "AES-128-GCM", 1},
    {8, "AES_256_GCM2", "aes-256-gcm-2", CE_FAMILY_GCM, 32, "AES-256-GCM", 1},
};

const ce__mode_info *ce__mode(int mode) {
  if (mode < 1 || mode > 8)
    return NULL;
  return &ce__modes[mode - 1];
}

const char *ce_mode_name(int mode) {
  const ce__mode_info *mi = ce__mode(mode);
  return mi ? mi->name : NULL;
}

const char *ce_mode_string(int mode) {
  const ce__mode_info *mi = ce__mode(mode);
  return mi ? mi->string : NULL;
}

int ce_mode_from_name(const char *name) {
  if (name == NULL || *name == '\0')
    return 0;
  for (int i = 1; i <= 8; i++) {
    const ce__mode_info *mi = ce__mode(i);
    if (strcmp(name, mi->name) == 0 || strcmp(name, mi->string) == 0)
      return i;
  }
  /* A decimal id: exactly one digit 1..8 (no sign, no leading zeros). */
  if (name[0] >= '1' && name[0] <= '8' && name[1] == '\0')
    return name[0] - '0';
  return 0;
}

ce_family ce_mode_family(int mode) {
  const ce__mode_info *mi = ce__mode(mode);
  return mi ? mi->family : CE_FAMILY_NONE;
}

size_t ce_mode_key_bytes(int mode) {
  const ce__mode_info *mi = ce__mode(mode);
  return mi ? mi->key_bytes : 0;
}

size_t ce_mode_header_len(int mode) {
  const ce__mode_info *mi = ce__mode(mode);
  if (mi == NULL)
    return 0;
  return mi->family == CE_FAMILY_ECB ? CE__HDR_ECB : CE__HDR_LONG;
}

ce_status ce__fetch_cipher(const char *name, EVP_CIPHER **out) {
  if (CE__FAULT("fetch")) {
    /* As a real failed fetch: NULL and an entry of OpenSSL's own. */
    ERR_raise(ERR_LIB_EVP, ERR_R_MALLOC_FAILURE);
    *out = NULL;
  } else {
    *out = EVP_CIPHER_fetch(NULL, name, NULL);
  }
  return *out != NULL ? CE_OK : ce__fetch_failure();
}

ce_status ce__fetch_failure(void) {
  /* OpenSSL 3 reports an algorithm no provider offers as an EVP entry with
     ERR_R_UNSUPPORTED; anything else (memory) is an internal failure, not
     an answer about the algorithm. A failed fetch always adds an entry, so
     the last one is the fetch's, not one the caller had. */
  unsigned long e = ERR_peek_last_error();
  return ERR_GET_LIB(e) == ERR_LIB_EVP && ERR_GET_REASON(e) == ERR_R_UNSUPPORTED
             ? CE_ERR_NOT_SUPPORTED
             : CE_ERR_INTERNAL;
}

ce_status ce__cipher_oneshot(const char *name, const uint8_t *key,
                             const uint8_t *iv, int encrypt, const uint8_t *in,
                             size_t len, uint8_t *out) {
  ce__err_mark();
  EVP_CIPHER *cipher = NULL;
  EVP_CIPHER_CTX *c = NULL;
  /* The result is built in library memory and copied to out only on
     success, so out is never left partly written (chanenc.h). */
  uint8_t *tmp = NULL;
  int outl = 0;
  ce_status st = ce__fetch_cipher(name, &cipher);
  if (st == CE_OK) {
    st = CE_ERR_INTERNAL;
    tmp = ce__malloc(len);
    c = CE__FAULT("oneshot.cipher_new") ? NULL : EVP_CIPHER_CTX_new();
    /* Padding off: ECB callers pass whole blocks; XTS ignores the flag. */
    if (tmp != NULL && c != NULL && !CE__FAULT("oneshot.init") &&
        EVP_CipherInit_ex2(c, cipher, key, iv, encrypt ? 1 : 0, NULL) == 1 &&
        !CE__FAULT("oneshot.set_padding") &&
        EVP_CIPHER_CTX_set_padding(c, 0) == 1 && !CE__FAULT("oneshot.update") &&
        EVP_CipherUpdate(c, tmp, &outl, in, (int)len) == 1 &&
        (size_t)outl == len) {
      memcpy(out, tmp, len);
      st = CE_OK;
    }
  }
  if (tmp != NULL) {
    ce_wipe(tmp, len);
    free(tmp);
  }
  EVP_CIPHER_CTX_free(c);
  EVP_CIPHER_free(cipher);
  ce__err_pop();
  return st;
}

ce_status ce_mode_supported(int mode) {
  const ce__mode_info *mi = ce__mode(mode);
  if (mi == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  ce__err_mark();
  EVP_CIPHER *c = NULL;
  ce_status st = ce__fetch_cipher(mi->cipher, &c);
  EVP_CIPHER_free(c);
  ce__err_pop();
  return st;
}

/* Spec 8: ECB pads 1..16 bytes (always), XTS pads short payloads up to
   one block, GCM adds the 16-byte tag. */
size_t ce_overhead(int mode, size_t payload_len) {
  const ce__mode_info *mi = ce__mode(mode);
  if (mi == NULL)
    return 0;
  switch (mi->family) {
  case CE_FAMILY_ECB:
    return CE__HDR_ECB + (CE__BLOCK - payload_len % CE__BLOCK);
  case CE_FAMILY_XTS:
    return CE__HDR_LONG +
           (payload_len < CE__BLOCK ? CE__BLOCK - payload_len : 0);
  case CE_FAMILY_GCM:
    return CE__HDR_LONG + CE__TAG_LEN;
  default:
    return 0;
  }
}
