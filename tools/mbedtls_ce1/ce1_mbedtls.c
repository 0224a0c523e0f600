/*
 * ce1_mbedtls.c - CE1 frames (docs/spec.md sections 5-10) behind the
 * frame ABI of tools/ce1_impl.h (docs/conformance.md section 4), and
 * ce1_impl_describe.
 *
 * Order of checks (spec 10.1): request shape, configuration (spec 3.1),
 * then protect: TOO_LARGE, BUFFER_TOO_SMALL; unprotect: steps 1-9 of
 * spec 9, then BUFFER_TOO_SMALL. Frames are built and opened in memory of
 * this library's own and copied to the caller only on success, so a
 * failure writes nothing to out or *out_len.
 */
#include "ce1_impl.h"
#include "ce1_prim.h"
#include "ce1_mbedtls.h"

#include <mbedtls/platform_util.h>
#include <mbedtls/version.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CE1_MAX_PAYLOAD 65535
#define CE1_SALT_LEN 32
#define CE1_TAG_LEN 16
#define CE1_VERSION_BITS 0x10 /* version 001 in bits 6..4 */
#define CE1_S_BIT 0x80

/* Conformance note C6: a NULL salt reads as 32 zero bytes. */
static const uint8_t zero_salt[CE1_SALT_LEN];

static size_t header_len(int family) {
  return family == CE1M_ECB ? 2 : 10;
}

/* Spec 8: frame length for a payload of len bytes. */
static size_t frame_len_for(int family, size_t len) {
  switch (family) {
  case CE1M_ECB:
    return 2 + 16 * (len / 16 + 1);
  case CE1M_XTS:
    return 10 + (len < 16 ? 16 : len);
  default:
    return 10 + len + CE1_TAG_LEN;
  }
}

/* Spec 9 step 1 limits. */
static size_t min_frame(int family) {
  return family == CE1M_ECB ? 18 : 26;
}

static size_t max_frame(int family) {
  return frame_len_for(family, CE1_MAX_PAYLOAD);
}

/* Spec 3.1 for the C ABI (the salt's length cannot be wrong here; SM4 is
   built in, so nothing is NOT_SUPPORTED). */
static int check_config(int mode, const uint8_t *key, size_t key_len,
                        const uint8_t *salt) {
  if (mode < 1 || mode > 8 || key == NULL || key_len == 0)
    return CE1M_INVALID_ARGUMENT;
  if (mode == 7 || mode == 8) {
    uint8_t any = 0;
    for (size_t i = 0; i < CE1_SALT_LEN; i++)
      any |= salt[i];
    if (any == 0)
      return CE1M_INVALID_ARGUMENT;
  }
  return CE1M_OK;
}

/* i = LE64(pn) || 0^8, IEEE 1619's data unit sequence number (spec 6.2). */
static void xts_tweak(uint64_t pn, uint8_t i[16]) {
  memset(i, 0, 16);
  for (int b = 0; b < 8; b++)
    i[b] = (uint8_t)(pn >> (8 * b));
}

static void put_be64(uint8_t *p, uint64_t x) {
  for (int b = 0; b < 8; b++)
    p[b] = (uint8_t)(x >> (56 - 8 * b));
}

static uint64_t get_be64(const uint8_t *p) {
  uint64_t x = 0;
  for (int b = 0; b < 8; b++)
    x = x << 8 | p[b];
  return x;
}

/* nonce = iv_base XOR (0^4 || BE64(pn)) (spec 6.3). */
static void gcm_nonce(const ce1m_keys *k, uint64_t pn, uint8_t nonce[12]) {
  uint8_t be[8];
  put_be64(be, pn);
  memcpy(nonce, k->iv_base, 12);
  for (int b = 0; b < 8; b++)
    nonce[4 + b] ^= be[b];
}

static int ecb_crypt(int mode, int encrypt, const ce1m_keys *k,
                     const uint8_t *in, size_t len, uint8_t *out) {
  return mode == 4
             ? ce1m_sm4_ecb(encrypt, k->enc_key, in, len, out)
             : ce1m_aes_ecb(encrypt, k->enc_key, k->enc_key_len, in, len, out);
}

/* ------------------------------------------------------------------ */
/* Protect                                                              */
/* ------------------------------------------------------------------ */

/* Writes the frame of payload into frame (frame_len_for bytes). */
static int build_frame(int mode, const ce1m_keys *k, uint64_t pn,
                       const uint8_t *payload, size_t len, uint8_t *frame) {
  int family = ce1m_family(mode);
  size_t hdr = header_len(family);
  uint8_t *body = frame + hdr;
  int st;
  frame[0] = (uint8_t)(CE1_VERSION_BITS | mode);
  frame[1] = k->check;
  if (family != CE1M_ECB)
    put_be64(frame + 2, pn);

  if (family == CE1M_ECB) { /* spec 6.1: PKCS#7, always */
    size_t body_len = 16 * (len / 16 + 1);
    uint8_t pad = (uint8_t)(body_len - len);
    uint8_t *padded = malloc(body_len);
    if (padded == NULL)
      return CE1M_INTERNAL;
    if (len)
      memcpy(padded, payload, len);
    memset(padded + len, pad, pad);
    st = ecb_crypt(mode, 1, k, padded, body_len, body);
    mbedtls_platform_zeroize(padded, body_len);
    free(padded);
    return st;
  }

  if (family == CE1M_XTS) { /* spec 6.2 */
    uint8_t i[16];
    xts_tweak(pn, i);
    if (len >= 16)
      return ce1m_aes_xts(1, k->enc_key, k->enc_key_len, i, payload, len, body);
    uint8_t x[16] = {0}; /* the S block */
    frame[0] |= CE1_S_BIT;
    if (len)
      memcpy(x, payload, len);
    x[15] = (uint8_t)len;
    st = ce1m_aes_xts(1, k->enc_key, k->enc_key_len, i, x, 16, body);
    mbedtls_platform_zeroize(x, sizeof x);
    return st;
  }

  /* spec 6.3: AAD is the 10-byte header, the tag follows the ciphertext */
  uint8_t nonce[12];
  gcm_nonce(k, pn, nonce);
  return ce1m_gcm_seal(k->enc_key, k->enc_key_len, nonce, sizeof nonce, frame,
                       hdr, payload, len, body, body + len);
}

CE1_IMPL_EXPORT int ce1_impl_protect(int mode, const uint8_t *key,
                                     size_t key_len, const uint8_t salt[32],
                                     uint64_t pn, const uint8_t *payload,
                                     size_t payload_len, uint8_t *out,
                                     size_t *out_len) {
  if (out_len == NULL || out == NULL || (key == NULL && key_len != 0) ||
      (payload == NULL && payload_len != 0))
    return CE1M_INVALID_ARGUMENT;
  if (salt == NULL)
    salt = zero_salt;
  int st = check_config(mode, key, key_len, salt);
  if (st != CE1M_OK)
    return st;
  if (payload_len > CE1_MAX_PAYLOAD)
    return CE1M_TOO_LARGE;
  size_t n = frame_len_for(ce1m_family(mode), payload_len);
  if (*out_len < n)
    return CE1M_BUFFER_TOO_SMALL;

  uint8_t *frame = malloc(n);
  if (frame == NULL)
    return CE1M_INTERNAL;
  ce1m_keys k;
  st = ce1m_derive(mode, key, key_len, salt, &k);
  if (st == CE1M_OK)
    st = build_frame(mode, &k, pn, payload, payload_len, frame);
  if (st == CE1M_OK) {
    memcpy(out, frame, n);
    *out_len = n;
  }
  mbedtls_platform_zeroize(&k, sizeof k);
  mbedtls_platform_zeroize(frame, n);
  free(frame);
  return st;
}

/* ------------------------------------------------------------------ */
/* Unprotect                                                            */
/* ------------------------------------------------------------------ */

/* Spec 9 steps 6-9 on a frame that passed steps 1-5: the payload into
   plain (at least frame_len bytes), its length into *len. */
static int open_body(int mode, const ce1m_keys *k, const uint8_t *frame,
                     size_t frame_len, uint8_t *plain, size_t *len) {
  int family = ce1m_family(mode);
  size_t hdr = header_len(family);
  const uint8_t *body = frame + hdr;
  size_t body_len = frame_len - hdr;
  int st;

  if (family == CE1M_ECB) {
    if (body_len % 16 != 0) /* step 6 */
      return CE1M_MALFORMED;
    st = ecb_crypt(mode, 0, k, body, body_len, plain);
    if (st != CE1M_OK)
      return st;
    /* step 7: PKCS#7 */
    uint8_t p = plain[body_len - 1];
    if (p < 1 || p > 16)
      return CE1M_BAD_PADDING;
    for (size_t i = body_len - p; i < body_len; i++)
      if (plain[i] != p)
        return CE1M_BAD_PADDING;
    *len = body_len - p;
    return CE1M_OK;
  }

  if (family == CE1M_XTS) {
    uint8_t i[16];
    xts_tweak(get_be64(frame + 2), i);
    int short_payload = (frame[0] & CE1_S_BIT) != 0;
    if (short_payload && body_len != 16) /* step 8 */
      return CE1M_BAD_PADDING;
    st = ce1m_aes_xts(0, k->enc_key, k->enc_key_len, i, body, body_len, plain);
    if (st != CE1M_OK)
      return st;
    if (!short_payload) {
      *len = body_len;
      return CE1M_OK;
    }
    /* step 8, after decryption: X[15] <= 15, X[n..14] all zero */
    uint8_t n = plain[15];
    if (n > 15)
      return CE1M_BAD_PADDING;
    for (size_t j = n; j < 15; j++)
      if (plain[j] != 0)
        return CE1M_BAD_PADDING;
    *len = n;
    return CE1M_OK;
  }

  /* step 9: GCM, AAD the header as received */
  uint8_t nonce[12];
  gcm_nonce(k, get_be64(frame + 2), nonce);
  size_t ct_len = body_len - CE1_TAG_LEN;
  st = ce1m_gcm_open(k->enc_key, k->enc_key_len, nonce, sizeof nonce, frame,
                     hdr, body, ct_len, body + ct_len, CE1_TAG_LEN, plain);
  if (st == CE1M_OK)
    *len = ct_len;
  return st;
}

CE1_IMPL_EXPORT int ce1_impl_unprotect(int mode, const uint8_t *key,
                                       size_t key_len, const uint8_t salt[32],
                                       const uint8_t *frame, size_t frame_len,
                                       uint8_t *out, size_t *out_len) {
  if (out_len == NULL || out == NULL || (key == NULL && key_len != 0) ||
      (frame == NULL && frame_len != 0))
    return CE1M_INVALID_ARGUMENT;
  if (salt == NULL)
    salt = zero_salt;
  int st = check_config(mode, key, key_len, salt);
  if (st != CE1M_OK)
    return st;

  /* Steps 1-4 need no keys. */
  int family = ce1m_family(mode);
  if (frame_len < min_frame(family) || frame_len > max_frame(family))
    return CE1M_MALFORMED; /* step 1, the receiver's family */
  if ((frame[0] & 0x70) != CE1_VERSION_BITS)
    return CE1M_BAD_VERSION; /* step 2 */
  if ((frame[0] & 0x0f) != mode)
    return CE1M_MODE_MISMATCH; /* step 3 */
  if ((frame[0] & CE1_S_BIT) && family != CE1M_XTS)
    return CE1M_MALFORMED; /* step 4 */

  ce1m_keys k;
  st = ce1m_derive(mode, key, key_len, salt, &k);
  if (st != CE1M_OK)
    return st;
  if (frame[1] != k.check) { /* step 5 */
    mbedtls_platform_zeroize(&k, sizeof k);
    return CE1M_KEY_MISMATCH;
  }

  uint8_t *plain = malloc(frame_len);
  size_t len = 0;
  st = plain == NULL ? CE1M_INTERNAL
                     : open_body(mode, &k, frame, frame_len, plain, &len);
  mbedtls_platform_zeroize(&k, sizeof k);
  if (st == CE1M_OK && *out_len < len)
    st = CE1M_BUFFER_TOO_SMALL; /* capacity last */
  if (st == CE1M_OK) {
    if (len)
      memcpy(out, plain, len);
    *out_len = len;
  }
  if (plain != NULL) {
    mbedtls_platform_zeroize(plain, frame_len);
    free(plain);
  }
  return st;
}

/* ------------------------------------------------------------------ */
/* Description                                                          */
/* ------------------------------------------------------------------ */

static char describe_buf[64];
static pthread_once_t describe_once = PTHREAD_ONCE_INIT;

static void describe_init(void) {
  char version[18] = "";
  /* The linked library's version, which may differ from the headers'. */
  mbedtls_version_get_string(version);
  version[sizeof version - 1] = '\0';
  if (snprintf(describe_buf, sizeof describe_buf, "CE1 on mbedTLS %s",
               version) < 0)
    describe_buf[0] = '\0';
}

CE1_IMPL_EXPORT const char *ce1_impl_describe(void) {
  if (pthread_once(&describe_once, describe_init) != 0 ||
      describe_buf[0] == '\0')
    return "CE1 on mbedTLS " MBEDTLS_VERSION_STRING;
  return describe_buf;
}
