/*
 * primitive_fuzzer.c - the primitive layer.
 *
 * Target: ce_ecb_crypt (AES, SM4), ce_xts_crypt, ce_gcm_encrypt and
 * ce_gcm_decrypt (prim_*.c, ce__gcm_decrypt_verified), ce_hkdf_sha256 and
 * its extract/expand halves, ce_pbkdf2_sha256 (kdf.c), with lengths, keys,
 * tweaks, IVs, AADs and tag lengths from the input, valid or not.
 *
 * Input: one selector byte, then the operation's fields (below). Lengths
 * are single bytes or 16-bit values so that a mutation moves them freely.
 *
 * What must hold:
 *  - argument rules of chanenc.h: a refusal leaves out unchanged;
 *  - decrypt(encrypt(x)) == x, in place and out of place, and the two
 *    forms agree;
 *  - GCM: a flipped tag, AAD or ciphertext bit gives AUTH_FAILED and
 *    leaves out unchanged; a tag of t bytes is the prefix of the 16-byte
 *    tag (SP 800-38D truncation);
 *  - HKDF = Expand(Extract), and OKM of length L is a prefix of OKM of
 *    length L + k (RFC 5869); with one block it equals HMAC over info||1;
 *  - PBKDF2 output of length L is a prefix of length L + k; with one
 *    iteration and one block it is HMAC(P, S || INT(1)) (RFC 8018).
 */
#include "fuzz_common.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#define FZ_POISON 0xa5

/* out must still be all poison after a refusal. */
static void check_poison(const uint8_t *out, size_t n, const char *what) {
  for (size_t i = 0; i < n; i++)
    FZ_CHECK(out[i] == FZ_POISON, "%s: out changed at %zu", what, i);
}

static void fuzz_ecb(fz_reader *r) {
  ce_block_cipher bc = (fz_u8(r) & 1) ? CE_BLOCK_SM4 : CE_BLOCK_AES;
  size_t key_len = fz_u8(r) % 40; /* valid: 16, 24, 32 (AES), 16 (SM4) */
  uint8_t key[40];
  fz_fill(r, key, key_len);
  size_t len;
  const uint8_t *in = fz_rest(r, &len);
  int valid_key = bc == CE_BLOCK_SM4
                      ? key_len == 16
                      : (key_len == 16 || key_len == 24 || key_len == 32);
  uint8_t *ct = malloc(len + 1), *pt = malloc(len + 1);
  memset(ct, FZ_POISON, len + 1);
  ce_status st = ce_ecb_crypt(bc, 1, key, key_len, in, len, ct);
  if (!valid_key || len % 16 != 0) {
    FZ_CHECK_STATUS(st, CE_ERR_INVALID_ARGUMENT, "ECB bad key or length");
    check_poison(ct, len + 1, "ECB refusal");
  } else if (st != CE_ERR_NOT_SUPPORTED) {
    FZ_CHECK_STATUS(st, CE_OK, "ECB encrypt");
    FZ_CHECK(ct[len] == FZ_POISON, "ECB wrote past len");
    FZ_CHECK_STATUS(ce_ecb_crypt(bc, 0, key, key_len, ct, len, pt), CE_OK,
                    "ECB decrypt");
    FZ_CHECK(len == 0 || memcmp(pt, in, len) == 0, "ECB round trip");
    /* In place gives the same ciphertext. */
    if (len) {
      memcpy(pt, in, len);
      FZ_CHECK_STATUS(ce_ecb_crypt(bc, 1, key, key_len, pt, len, pt), CE_OK,
                      "ECB in place");
      FZ_CHECK(memcmp(pt, ct, len) == 0, "ECB in place differs");
      /* Blocks are independent: the first block alone encrypts alike. */
      uint8_t b[16];
      FZ_CHECK_STATUS(ce_ecb_crypt(bc, 1, key, key_len, in, 16, b), CE_OK,
                      "ECB one block");
      FZ_CHECK(memcmp(b, ct, 16) == 0, "ECB first block differs");
    }
  }
  free(ct);
  free(pt);
}

static void fuzz_xts(fz_reader *r) {
  uint8_t sel = fz_u8(r);
  size_t key_len = (sel & 1) ? 64 : 32;
  if (sel & 2)
    key_len = fz_u8(r) % 80; /* mostly invalid lengths */
  uint8_t key[80], tweak[16];
  fz_fill(r, key, key_len);
  if ((sel & 4) && key_len >= 2) /* equal halves: SP 800-38E refusal */
    memcpy(key + key_len / 2, key, key_len / 2);
  fz_fill(r, tweak, 16);
  size_t len;
  const uint8_t *in = fz_rest(r, &len);
  uint8_t *ct = malloc(len + 1), *pt = malloc(len + 1);
  memset(ct, FZ_POISON, len + 1);
  int enc_first = (sel & 8) == 0;
  ce_status st = ce_xts_crypt(enc_first, key, key_len, tweak, in, len, ct);
  int valid = (key_len == 32 || key_len == 64) && len >= 16 &&
              memcmp(key, key + key_len / 2, key_len / 2) != 0;
  if (!valid) {
    FZ_CHECK_STATUS(st, CE_ERR_INVALID_ARGUMENT, "XTS bad key or length");
    check_poison(ct, len + 1, "XTS refusal");
  } else {
    FZ_CHECK_STATUS(st, CE_OK, "XTS first pass");
    FZ_CHECK(ct[len] == FZ_POISON, "XTS wrote past len");
    FZ_CHECK_STATUS(ce_xts_crypt(!enc_first, key, key_len, tweak, ct, len, pt),
                    CE_OK, "XTS second pass");
    FZ_CHECK(memcmp(pt, in, len) == 0, "XTS round trip (enc first %d)",
             enc_first);
    memcpy(pt, in, len);
    FZ_CHECK_STATUS(ce_xts_crypt(enc_first, key, key_len, tweak, pt, len, pt),
                    CE_OK, "XTS in place");
    FZ_CHECK(memcmp(pt, ct, len) == 0, "XTS in place differs");
  }
  free(ct);
  free(pt);
}

static void fuzz_gcm(fz_reader *r) {
  uint8_t sel = fz_u8(r);
  size_t key_len = 16 + 8 * (size_t)(sel % 3);
  if (sel & 0x80)
    key_len = fz_u8(r) % 40;
  size_t iv_len = fz_u8(r); /* 0 and > 128 are refused */
  size_t aad_len = fz_u16(r) % 1024;
  size_t tag_len = fz_u8(r) % 20; /* 1..16 valid */
  uint8_t key[40], *iv = malloc(iv_len + 1), *aad = malloc(aad_len + 1);
  fz_fill(r, key, key_len);
  fz_fill(r, iv, iv_len);
  fz_fill(r, aad, aad_len);
  size_t len;
  const uint8_t *in = fz_rest(r, &len);
  uint8_t *ct = malloc(len + 1), *pt = malloc(len + 1), tag[20], full[16];
  memset(ct, FZ_POISON, len + 1);
  memset(tag, FZ_POISON, sizeof tag);
  /* NULL AAD is allowed exactly when aad_len is 0. */
  const uint8_t *aadp = aad_len || (sel & 0x40) ? aad : NULL;
  ce_status st = ce_gcm_encrypt(key, key_len, iv, iv_len, aadp, aad_len, in,
                                len, ct, tag, tag_len);
  int args_ok = (key_len == 16 || key_len == 24 || key_len == 32) &&
                iv_len >= 1 && tag_len >= 1 && tag_len <= 16;
  /* An IV over 128 bytes is valid GCM that OpenSSL cannot take
     (chanenc.h): NOT_SUPPORTED, after the argument checks. */
  ce_status refusal = !args_ok       ? CE_ERR_INVALID_ARGUMENT
                      : iv_len > 128 ? CE_ERR_NOT_SUPPORTED
                                     : CE_OK;
  if (refusal != CE_OK) {
    FZ_CHECK_STATUS(st, refusal, "GCM bad arguments");
    check_poison(ct, len + 1, "GCM refusal");
    check_poison(tag, sizeof tag, "GCM refusal tag");
    memset(pt, FZ_POISON, len + 1);
    st = ce_gcm_decrypt(key, key_len, iv, iv_len, aadp, aad_len, in, len, tag,
                        tag_len, pt);
    FZ_CHECK_STATUS(st, refusal, "GCM decrypt bad arguments");
    check_poison(pt, len + 1, "GCM decrypt refusal");
    goto done;
  }
  FZ_CHECK_STATUS(st, CE_OK, "GCM encrypt");
  FZ_CHECK(ct[len] == FZ_POISON, "GCM wrote past len");
  check_poison(tag + tag_len, sizeof tag - tag_len, "GCM tag past tag_len");
  /* Truncation: the t-byte tag is the prefix of the 16-byte one. */
  FZ_CHECK_STATUS(ce_gcm_encrypt(key, key_len, iv, iv_len, aadp, aad_len, in,
                                 len, pt, full, 16),
                  CE_OK, "GCM encrypt, full tag");
  FZ_CHECK(memcmp(full, tag, tag_len) == 0, "truncated tag is no prefix");
  FZ_CHECK(len == 0 || memcmp(pt, ct, len) == 0, "GCM not deterministic");
  /* Decrypt. */
  memset(pt, FZ_POISON, len + 1);
  FZ_CHECK_STATUS(ce_gcm_decrypt(key, key_len, iv, iv_len, aadp, aad_len, ct,
                                 len, tag, tag_len, pt),
                  CE_OK, "GCM decrypt");
  FZ_CHECK(len == 0 || memcmp(pt, in, len) == 0, "GCM round trip");
  FZ_CHECK(pt[len] == FZ_POISON, "GCM decrypt wrote past len");
  /* In place. */
  if (len) {
    memcpy(pt, ct, len);
    FZ_CHECK_STATUS(ce_gcm_decrypt(key, key_len, iv, iv_len, aadp, aad_len, pt,
                                   len, tag, tag_len, pt),
                    CE_OK, "GCM decrypt in place");
    FZ_CHECK(memcmp(pt, in, len) == 0, "GCM in-place round trip");
  }
  /* Tampering: flip one bit, chosen by the input, of the tag, the AAD or
     the ciphertext. Every such change must fail and leave out alone. */
  uint8_t where = fz_u8(r);
  uint8_t bit = (uint8_t)(1u << (where & 7));
  size_t idx = fz_u16(r);
  int target = (where >> 3) % 3;
  if (target == 1 && aad_len == 0)
    target = 0;
  if (target == 2 && len == 0)
    target = 0;
  if (target == 0)
    tag[idx % tag_len] ^= bit;
  else if (target == 1)
    aad[idx % aad_len] ^= bit;
  else
    ct[idx % len] ^= bit;
  memset(pt, FZ_POISON, len + 1);
  st = ce_gcm_decrypt(key, key_len, iv, iv_len, aadp, aad_len, ct, len, tag,
                      tag_len, pt);
  /* A tag of t bytes is forged with probability 2^-8t; one byte tags are
     excluded from the "must fail" check for that reason (a mutation that
     forges one would be a false report, not a bug). */
  if (tag_len >= 4) {
    FZ_CHECK_STATUS(st, CE_ERR_AUTH_FAILED, "GCM tampered");
    check_poison(pt, len + 1, "GCM AUTH_FAILED");
  } else if (st != CE_OK) {
    FZ_CHECK_STATUS(st, CE_ERR_AUTH_FAILED, "GCM tampered, short tag");
    check_poison(pt, len + 1, "GCM AUTH_FAILED");
  }
done:
  free(iv);
  free(aad);
  free(ct);
  free(pt);
}

static void hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *a,
                        size_t a_len, const uint8_t *b, size_t b_len,
                        uint8_t out[32]) {
  /* OpenSSL's one-shot HMAC as the independent oracle. */
  unsigned out_len = 0;
  uint8_t *msg = malloc(a_len + b_len + 1);
  if (a_len)
    memcpy(msg, a, a_len);
  if (b_len)
    memcpy(msg + a_len, b, b_len);
  static const uint8_t empty = 0;
  FZ_CHECK(HMAC(EVP_sha256(), key_len ? key : &empty, (int)key_len, msg,
                a_len + b_len, out, &out_len) != NULL &&
               out_len == 32,
           "HMAC oracle");
  free(msg);
}

static void fuzz_hkdf(fz_reader *r) {
  uint8_t sel = fz_u8(r);
  size_t salt_len = fz_u8(r), ikm_len = fz_u8(r), info_len = fz_u8(r);
  size_t okm_len = fz_u8(r) % 100; /* small; 0 is refused */
  if (sel & 1)
    okm_len = fz_u16(r) % 8200; /* around the 8160 limit */
  uint8_t salt[256], ikm[256], info[256];
  fz_fill(r, salt, salt_len);
  fz_fill(r, ikm, ikm_len);
  fz_fill(r, info, info_len);
  uint8_t *okm = malloc(okm_len + 33), *okm2 = malloc(okm_len + 33);
  memset(okm, FZ_POISON, okm_len + 33);
  ce_status st = ce_hkdf_sha256(salt_len ? salt : NULL, salt_len, ikm, ikm_len,
                                info, info_len, okm, okm_len);
  if (okm_len == 0 || okm_len > 8160) {
    FZ_CHECK_STATUS(st, CE_ERR_INVALID_ARGUMENT, "HKDF bad length");
    check_poison(okm, okm_len + 33, "HKDF refusal");
    goto done;
  }
  FZ_CHECK_STATUS(st, CE_OK, "HKDF");
  check_poison(okm + okm_len, 33, "HKDF past okm_len");
  /* Extract then Expand gives the same. */
  uint8_t prk[32];
  FZ_CHECK_STATUS(ce_hkdf_sha256_extract(salt, salt_len, ikm, ikm_len, prk),
                  CE_OK, "HKDF-Extract");
  FZ_CHECK_STATUS(ce_hkdf_sha256_expand(prk, 32, info, info_len, okm2, okm_len),
                  CE_OK, "HKDF-Expand");
  FZ_CHECK(memcmp(okm, okm2, okm_len) == 0, "HKDF != Expand(Extract)");
  /* PRK = HMAC(salt or 0^32, IKM); T(1) = HMAC(PRK, info || 0x01). */
  uint8_t want[32], zeros[32] = {0}, one = 1;
  hmac_sha256(salt_len ? salt : zeros, salt_len ? salt_len : 32, ikm, ikm_len,
              NULL, 0, want);
  FZ_CHECK(memcmp(want, prk, 32) == 0, "HKDF-Extract != HMAC");
  hmac_sha256(prk, 32, info, info_len, &one, 1, want);
  FZ_CHECK(memcmp(want, okm, okm_len < 32 ? okm_len : 32) == 0,
           "T(1) != HMAC(PRK, info || 1)");
  /* Prefix property. */
  if (okm_len > 1) {
    size_t shorter = okm_len - 1 - (sel >> 1) % okm_len % (okm_len - 1);
    FZ_CHECK_STATUS(
        ce_hkdf_sha256_expand(prk, 32, info, info_len, okm2, shorter), CE_OK,
        "HKDF-Expand shorter");
    FZ_CHECK(memcmp(okm, okm2, shorter) == 0, "HKDF prefix property");
  }
  /* A PRK shorter than HashLen is refused. */
  FZ_CHECK_STATUS(ce_hkdf_sha256_expand(prk, 31, info, info_len, okm2, 1),
                  CE_ERR_INVALID_ARGUMENT, "HKDF-Expand short PRK");
done:
  free(okm);
  free(okm2);
}

static void fuzz_pbkdf2(fz_reader *r) {
  size_t pass_len = fz_u8(r), salt_len = fz_u8(r);
  uint32_t iterations = fz_u8(r) % 17; /* tiny: 0 is refused */
  size_t out_len = fz_u8(r) % 80;
  uint8_t pass[256], salt[256];
  fz_fill(r, pass, pass_len);
  fz_fill(r, salt, salt_len);
  uint8_t *out = malloc(out_len + 8), *out2 = malloc(out_len + 8);
  memset(out, FZ_POISON, out_len + 8);
  ce_status st =
      ce_pbkdf2_sha256(pass_len ? pass : NULL, pass_len, salt_len ? salt : NULL,
                       salt_len, iterations, out, out_len);
  if (iterations == 0 || out_len == 0) {
    FZ_CHECK_STATUS(st, CE_ERR_INVALID_ARGUMENT, "PBKDF2 bad arguments");
    check_poison(out, out_len + 8, "PBKDF2 refusal");
    goto done;
  }
  FZ_CHECK_STATUS(st, CE_OK, "PBKDF2");
  check_poison(out + out_len, 8, "PBKDF2 past out_len");
  if (iterations == 1) {
    /* U1 = HMAC(P, S || INT(1)) is T1 for one iteration. */
    static const uint8_t int1[4] = {0, 0, 0, 1};
    uint8_t want[32];
    hmac_sha256(pass, pass_len, salt, salt_len, int1, 4, want);
    FZ_CHECK(memcmp(want, out, out_len < 32 ? out_len : 32) == 0,
             "PBKDF2 c=1 != HMAC(P, S || INT(1))");
  }
  if (out_len > 1) {
    size_t shorter = out_len / 2;
    FZ_CHECK_STATUS(ce_pbkdf2_sha256(pass, pass_len, salt, salt_len, iterations,
                                     out2, shorter),
                    CE_OK, "PBKDF2 shorter");
    FZ_CHECK(memcmp(out, out2, shorter) == 0, "PBKDF2 prefix property");
  }
done:
  free(out);
  free(out2);
}

/* NULL pointers with nonzero lengths are refused, never dereferenced. */
static void fuzz_nulls(fz_reader *r) {
  uint8_t sel = fz_u8(r), key[64] = {1}, buf[32], tag[16];
  size_t len = 16 + (fz_u8(r) & 16);
  memset(buf, 0, sizeof buf);
  switch (sel % 8) {
  case 0:
    FZ_CHECK_STATUS(ce_ecb_crypt(CE_BLOCK_AES, 1, key, 16, NULL, len, buf),
                    CE_ERR_INVALID_ARGUMENT, "ECB NULL in");
    FZ_CHECK_STATUS(ce_ecb_crypt(CE_BLOCK_AES, 1, NULL, 16, buf, len, buf),
                    CE_ERR_INVALID_ARGUMENT, "ECB NULL key");
    FZ_CHECK_STATUS(
        ce_ecb_crypt((ce_block_cipher)(sel | 3), 1, key, 16, buf, len, buf),
        CE_ERR_INVALID_ARGUMENT, "ECB bad cipher");
    FZ_CHECK_STATUS(ce_ecb_crypt(CE_BLOCK_AES, 1, key, 16, NULL, 0, NULL),
                    CE_OK, "ECB empty");
    break;
  case 1:
    FZ_CHECK_STATUS(ce_xts_crypt(1, key, 32, NULL, buf, len, buf),
                    CE_ERR_INVALID_ARGUMENT, "XTS NULL tweak");
    FZ_CHECK_STATUS(ce_xts_crypt(1, key, 32, buf, NULL, len, buf),
                    CE_ERR_INVALID_ARGUMENT, "XTS NULL in");
    break;
  case 2:
    FZ_CHECK_STATUS(
        ce_gcm_encrypt(key, 16, NULL, 12, NULL, 0, buf, len, buf, tag, 16),
        CE_ERR_INVALID_ARGUMENT, "GCM NULL iv");
    FZ_CHECK_STATUS(
        ce_gcm_encrypt(key, 16, buf, 12, NULL, 5, buf, len, buf, tag, 16),
        CE_ERR_INVALID_ARGUMENT, "GCM NULL aad");
    FZ_CHECK_STATUS(
        ce_gcm_encrypt(key, 16, buf, 12, NULL, 0, buf, len, buf, NULL, 16),
        CE_ERR_INVALID_ARGUMENT, "GCM NULL tag");
    FZ_CHECK_STATUS(
        ce_gcm_decrypt(NULL, 16, buf, 12, NULL, 0, buf, len, tag, 16, buf),
        CE_ERR_INVALID_ARGUMENT, "GCM NULL key");
    FZ_CHECK_STATUS(
        ce_gcm_decrypt(key, 16, buf, 12, NULL, 0, buf, len, tag, 16, NULL),
        CE_ERR_INVALID_ARGUMENT, "GCM NULL out");
    break;
  case 3:
    FZ_CHECK_STATUS(ce_hkdf_sha256(NULL, 3, key, 1, NULL, 0, buf, 8),
                    CE_ERR_INVALID_ARGUMENT, "HKDF NULL salt");
    FZ_CHECK_STATUS(ce_hkdf_sha256(NULL, 0, NULL, 3, NULL, 0, buf, 8),
                    CE_ERR_INVALID_ARGUMENT, "HKDF NULL ikm");
    FZ_CHECK_STATUS(ce_hkdf_sha256(NULL, 0, NULL, 0, NULL, 3, buf, 8),
                    CE_ERR_INVALID_ARGUMENT, "HKDF NULL info");
    FZ_CHECK_STATUS(ce_hkdf_sha256_extract(NULL, 0, NULL, 0, NULL),
                    CE_ERR_INVALID_ARGUMENT, "HKDF-Extract NULL prk");
    FZ_CHECK_STATUS(ce_hkdf_sha256_expand(NULL, 32, NULL, 0, buf, 8),
                    CE_ERR_INVALID_ARGUMENT, "HKDF-Expand NULL prk");
    FZ_CHECK_STATUS(ce_hkdf_sha256_expand(key, 32, NULL, 0, NULL, 8),
                    CE_ERR_INVALID_ARGUMENT, "HKDF-Expand NULL okm");
    break;
  case 4:
    FZ_CHECK_STATUS(ce_pbkdf2_sha256(NULL, 3, NULL, 0, 1, buf, 8),
                    CE_ERR_INVALID_ARGUMENT, "PBKDF2 NULL pass");
    FZ_CHECK_STATUS(ce_pbkdf2_sha256(NULL, 0, NULL, 3, 1, buf, 8),
                    CE_ERR_INVALID_ARGUMENT, "PBKDF2 NULL salt");
    FZ_CHECK_STATUS(ce_pbkdf2_sha256(NULL, 0, NULL, 0, 1, NULL, 8),
                    CE_ERR_INVALID_ARGUMENT, "PBKDF2 NULL out");
    /* Lengths over INT_MAX are refused before OpenSSL sees them. */
    FZ_CHECK_STATUS(ce_pbkdf2_sha256(key, (size_t)1 << 31, NULL, 0, 1, buf, 8),
                    CE_ERR_TOO_LARGE, "PBKDF2 huge pass_len");
    FZ_CHECK_STATUS(ce_pbkdf2_sha256(key, 1, NULL, 0, 0x80000000u, buf, 8),
                    CE_ERR_TOO_LARGE, "PBKDF2 huge iterations");
    break;
  case 5:
    /* Huge lengths are refused before anything is read. */
    FZ_CHECK_STATUS(
        ce_ecb_crypt(CE_BLOCK_AES, 1, key, 16, buf, (size_t)1 << 32, buf),
        CE_ERR_TOO_LARGE, "ECB huge");
    FZ_CHECK_STATUS(ce_xts_crypt(1, key, 32, buf, buf, (size_t)1 << 25, buf),
                    CE_ERR_TOO_LARGE, "XTS huge");
    FZ_CHECK_STATUS(ce_gcm_encrypt(key, 16, buf, 12, buf, (size_t)1 << 32, buf,
                                   0, buf, tag, 16),
                    CE_ERR_TOO_LARGE, "GCM huge aad");
    break;
  default:
    /* Status names and texts for every small value, known or not. */
    for (int s = -20; s <= 5; s++) {
      const char *name = ce_status_name(s);
      FZ_CHECK(name != NULL && ce_status_str(s) != NULL, "status %d", s);
      int back = 99;
      if (strcmp(name, "UNKNOWN") != 0)
        FZ_CHECK(ce_status_from_name(name, &back) && back == s,
                 "status name %s does not map back", name);
    }
    break;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fz_reader r = {data, size};
  switch (fz_u8(&r) % 7) {
  case 0:
    fuzz_ecb(&r);
    break;
  case 1:
    fuzz_xts(&r);
    break;
  case 2:
    fuzz_gcm(&r);
    break;
  case 3:
    fuzz_hkdf(&r);
    break;
  case 4:
    fuzz_pbkdf2(&r);
    break;
  case 5:
    fuzz_nulls(&r);
    break;
  default:
    fuzz_gcm(&r); /* the richest primitive gets two selector values */
    break;
  }
  return 0;
}
