/*
 * prim_xts.c - raw XTS-AES (IEEE 1619, NIST SP 800-38E) with an explicit
 * 16-byte tweak, any byte length >= 16 (ciphertext stealing), for the NIST
 * CAVP and IEEE 1619 vectors. Not on the packet path.
 */
#include "internal.h"

#include <openssl/crypto.h>

ce_status ce_xts_crypt(int encrypt, const uint8_t *key, size_t key_len,
                       const uint8_t tweak[16], const uint8_t *in, size_t len,
                       uint8_t *out) {
  const char *name = key_len == 32   ? "AES-128-XTS"
                     : key_len == 64 ? "AES-256-XTS"
                                     : NULL;
  if (name == NULL || key == NULL || tweak == NULL || in == NULL ||
      out == NULL || len < 16)
    return CE_ERR_INVALID_ARGUMENT;
  /* SP 800-38E: Key1 and Key2 must differ. OpenSSL refuses equal halves
     when encrypting; refusing them in both directions here gives callers
     one clear answer instead of an OpenSSL error. */
  if (CRYPTO_memcmp(key, key + key_len / 2, key_len / 2) == 0)
    return CE_ERR_INVALID_ARGUMENT;
  /* OpenSSL processes at most 2^20 blocks per XTS data unit. */
  if (len > ((size_t)1 << 24))
    return CE_ERR_TOO_LARGE;
  return ce__cipher_oneshot(name, key, tweak, encrypt, in, len, out);
}
