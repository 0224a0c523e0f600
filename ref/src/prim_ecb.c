/*
 * prim_ecb.c - raw AES-ECB and SM4-ECB without padding, for the NIST CAVP
 * ECB files and the SM4 (GB/T 32907-2016) vectors. Not on the packet path.
 */
#include "internal.h"

static const char *ce__ecb_cipher_name(ce_block_cipher bc, size_t key_len) {
  if (bc == CE_BLOCK_SM4)
    return key_len == 16 ? "SM4-ECB" : NULL;
  if (bc != CE_BLOCK_AES)
    return NULL;
  switch (key_len) {
  case 16:
    return "AES-128-ECB";
  case 24:
    return "AES-192-ECB";
  case 32:
    return "AES-256-ECB";
  default:
    return NULL;
  }
}

ce_status ce_ecb_crypt(ce_block_cipher bc, int encrypt, const uint8_t *key,
                       size_t key_len, const uint8_t *in, size_t len,
                       uint8_t *out) {
  const char *name = ce__ecb_cipher_name(bc, key_len);
  if (name == NULL || key == NULL || len % 16 != 0 ||
      ((in == NULL || out == NULL) && len))
    return CE_ERR_INVALID_ARGUMENT;
  if (!ce__fits_int(len))
    return CE_ERR_TOO_LARGE;
  if (len == 0)
    return CE_OK;
  return ce__cipher_oneshot(name, key, NULL, encrypt, in, len, out);
}
