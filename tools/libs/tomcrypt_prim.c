/*
 * tomcrypt_prim.c - the primitive C ABI of tools/ce1_prim.h over
 * libtomcrypt (issue 10), so the conformance runner can measure an
 * independent implementation of the primitives CE1 is built from.
 *
 * libtomcrypt works through registered descriptors: aes_desc and
 * sha256_desc are registered once (register_cipher / register_hash) and
 * used by index with ecb_*, xts_*, gcm_memory, hkdf_* and pkcs_5_alg2.
 * Only symmetric code is used, so no math provider is needed. Debian 12's
 * 1.18.2 build has all of those (crypt_build_settings: Rijndael, ECB, XTS,
 * GCM, HKDF, PKCS#5) but no SM4, so ce1_impl_sm4_ecb is not exported.
 *
 * Division of labour, the same in the three library adapters:
 *  - the adapter owns the ABI's own rules: a NULL pointer with a non-zero
 *    length (INVALID_ARGUMENT), the output capacity (BUFFER_TOO_SMALL,
 *    checked after the computation, which runs into a scratch buffer so
 *    that nothing reaches out on any failure), the GCM rule that a tag of
 *    another size than tag_len is AUTH_FAILED (applied once libtomcrypt
 *    has judged the other arguments: argument errors and refusals come
 *    first, ce1_prim.h), XTS's limit of 2^20 blocks per data unit (SP
 *    800-38E), which libtomcrypt does not check, values libtomcrypt's int
 *    parameters cannot carry (NOT_SUPPORTED), the duties libtomcrypt's
 *    documentation gives its caller (comparing the GCM tag, below), and
 *    the translations its API needs from the caller: XTS takes Key1 and
 *    Key2 separately, so only the IEEE 1619 sizes, 32 and 64 bytes, are
 *    split (xts_start would also run AES-192 halves);
 *  - every other argument goes to libtomcrypt unchanged, and its failures
 *    are mapped: INVALID_ARGUMENT when an argument is outside the
 *    operation's domain as ce1_prim.h defines it (an empty GCM IV, for
 *    one, comes back as CRYPT_ERROR from gcm_add_aad's "IV length must be
 *    > 0" check); otherwise NOT_SUPPORTED for a refusal
 *    (CRYPT_INVALID_KEYSIZE, CRYPT_INVALID_ROUNDS, CRYPT_INVALID_ARG) and
 *    INTERNAL for any other failure. What libtomcrypt accepts stays
 *    accepted, so the runner sees the library's behaviour.
 *
 * GCM decryption. libtomcrypt 1.18.2's gcm_memory(..., GCM_DECRYPT) does
 * not verify a tag. It runs gcm_init, gcm_add_iv, gcm_add_aad,
 * gcm_process (which decrypts ct into pt) and gcm_done, and gcm_done only
 * computes the tag and writes it to tag ("[out] The MAC tag"; *taglen is
 * in/out: the bytes wanted, min(16, *taglen) written). The manual
 * (crypt.pdf, 5.4.7 "One-Shot Packet") says the same: gcm_memory will
 * "encrypt or decrypt the message text and store the final message tag".
 * Checked against the installed library: with a tampered tag passed in the
 * tag buffer, gcm_memory returns CRYPT_OK, leaves the plaintext in pt and
 * overwrites the buffer with the computed tag. Comparing is the caller's
 * job, so open compares the computed tag with the received one using
 * libtomcrypt's constant-time mem_neq; a mismatch is AUTH_FAILED and the
 * plaintext, decrypted into scratch, is wiped. (1.18.2's gcm_done also
 * takes any *taglen: 0 gives an empty tag with CRYPT_OK, over 16 gives 16
 * bytes; the first is passed on as the library's answer, the second is
 * INVALID_ARGUMENT since the tag asked for cannot be produced.)
 *
 * Key material: this build has no LTC_CLEAN_STACK ("Clean stack:
 * disabled" in crypt_build_settings) and its cipher "done" functions do
 * not clear key schedules, so the adapter zeroes its symmetric_ECB /
 * symmetric_xts and its own buffers itself (zeromem). libtomcrypt's own
 * temporaries stay as the library leaves them: gcm_memory frees its
 * gcm_state (key schedule, GCM tables) and pkcs_5_alg2 its hmac_state and
 * block buffers without clearing them (they are cleared only under
 * LTC_CLEAN_STACK); those copies cannot be reached from here.
 *
 * Other behaviour of 1.18.2 observed while writing this (probe programs
 * and tests/python/test_other_libs2.py): pkcs_5_alg2 runs 0 iterations as
 * 1, accepts a 0-byte output and refuses an empty password
 * (CRYPT_INVALID_KEYSIZE: its HMAC takes no empty key); hkdf_expand and
 * hkdf accept a 0-byte output; xts_start accepts Key1 == Key2.
 */
#include <tomcrypt.h>

#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ce1_prim.h"
#define PRIM_WIPE(p, n) zeromem((p), (n))
#include "prim_common.h"

/* The codes libtomcrypt uses to refuse an argument; anything else
   (CRYPT_MEM, CRYPT_INVALID_CIPHER, ...) is a failure. */
static int refused(int err) {
  return err == CRYPT_INVALID_KEYSIZE || err == CRYPT_INVALID_ROUNDS ||
         err == CRYPT_INVALID_ARG;
}

/* Maps a libtomcrypt return value; in_domain says whether the arguments
   are inside the operation's domain as ce1_prim.h defines it. Outside it,
   any failure is the argument's (INVALID_ARGUMENT, however the library
   words it); inside it, a refusal is NOT_SUPPORTED and the rest INTERNAL. */
static int map_err(int err, int in_domain) {
  if (err == CRYPT_OK) {
    return ST_OK;
  }
  return failed_status(refused(err), in_domain);
}

/* Registration once per process: libtomcrypt's descriptor tables are
   global and this build has no LTC_PTHREAD locking. The sizes of the
   structures the adapter allocates are compared with the library's own
   (crypt_get_size), as the headers carry no build configuration. */
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int aes_idx = -1;
static int sha256_idx = -1;
static int init_ok;
static char describe_buf[64];

static int size_matches(const char *name, size_t mine) {
  unsigned int theirs = 0;
  return crypt_get_size(name, &theirs) == 0 && theirs == mine;
}

static void init_library(void) {
  aes_idx = register_cipher(&aes_desc);
  sha256_idx = register_hash(&sha256_desc);
  init_ok = aes_idx >= 0 && sha256_idx >= 0 &&
            size_matches("symmetric_ECB", sizeof(symmetric_ECB)) &&
            size_matches("symmetric_xts", sizeof(symmetric_xts));
  /* The runtime library's name and version: the first line of
     crypt_build_settings, "LibTomCrypt 1.18.2 (www.libtom.net)". */
  const char *s = crypt_build_settings;
  size_t n = strcspn(s, "(\n");
  while (n > 0 && s[n - 1] == ' ') {
    n--;
  }
  if (n >= sizeof describe_buf) {
    n = sizeof describe_buf - 1;
  }
  memcpy(describe_buf, s, n);
  describe_buf[n] = '\0';
}

static int library_ready(void) {
  return pthread_once(&init_once, init_library) == 0 && init_ok;
}

CE1_IMPL_EXPORT const char *ce1_impl_describe(void) {
  if (pthread_once(&init_once, init_library) != 0 || describe_buf[0] == '\0') {
    return "libtomcrypt";
  }
  return describe_buf;
}

#ifdef LTC_ECB_MODE
CE1_IMPL_EXPORT int ce1_impl_aes_ecb(int encrypt, const uint8_t *key,
                                     size_t key_len, const uint8_t *in,
                                     size_t len, uint8_t *out,
                                     size_t *out_len) {
  /* encrypt: nonzero encrypts, 0 decrypts (ce1_prim.h). */
  if (out_len == NULL || bad_buf(key, key_len) || bad_buf(in, len) ||
      bad_buf(out, *out_len)) {
    return ST_INVALID_ARGUMENT;
  }
  /* ecb_start takes an int key length; ecb_encrypt judges the data
     length (CRYPT_INVALID_ARG for a partial block). */
  int in_domain = aes_key_len_ok(key_len) && len % 16 == 0;
  if (key_len > INT_MAX || !fits_ulong(len)) {
    return unfit_status(in_domain);
  }
  if (!library_ready()) {
    return ST_INTERNAL;
  }
  unsigned char *res = scratch_new(len);
  if (res == NULL) {
    return ST_INTERNAL;
  }
  symmetric_ECB ecb;
  int started = 0;
  int err = ecb_start(aes_idx, nz(key), (int)key_len, 0, &ecb);
  if (err == CRYPT_OK) {
    started = 1;
    err = encrypt ? ecb_encrypt(nz(in), res, (unsigned long)len, &ecb)
                  : ecb_decrypt(nz(in), res, (unsigned long)len, &ecb);
  }
  int err_done = started ? ecb_done(&ecb) : CRYPT_OK;
  /* ecb_done does not clear the key schedule (rijndael_done is empty). */
  zeromem(&ecb, sizeof ecb);
  int st = map_err(err, in_domain);
  if (st == ST_OK && err_done != CRYPT_OK) {
    st = ST_INTERNAL;
  }
  if (st == ST_OK) {
    st = deliver(res, len, out, out_len);
  }
  scratch_free(res, len);
  return st;
}
#endif /* LTC_ECB_MODE */

#ifdef LTC_XTS_MODE
CE1_IMPL_EXPORT int ce1_impl_aes_xts(int encrypt, const uint8_t *key,
                                     size_t key_len, const uint8_t tweak[16],
                                     const uint8_t *in, size_t len,
                                     uint8_t *out, size_t *out_len) {
  if (out_len == NULL || tweak == NULL || bad_buf(key, key_len) ||
      bad_buf(in, len) || bad_buf(out, *out_len)) {
    return ST_INVALID_ARGUMENT;
  }
  /* xts_start takes Key1 and Key2 apart: the adapter splits only the
     IEEE 1619 sizes. The data length's lower end is xts_encrypt's to
     judge; it takes any length above, so the limit of 2^20 blocks is
     checked here. */
  if (key_len != 32 && key_len != 64) {
    return ST_INVALID_ARGUMENT;
  }
  if (len > XTS_MAX_LEN) {
    return ST_INVALID_ARGUMENT;
  }
  int in_domain = len >= 16;
  if (!fits_ulong(len)) {
    return unfit_status(in_domain);
  }
  if (!library_ready()) {
    return ST_INTERNAL;
  }
  unsigned char *res = scratch_new(len);
  if (res == NULL) {
    return ST_INTERNAL;
  }
  /* xts_encrypt/xts_decrypt take a non-const tweak: give them a copy. */
  unsigned char tw[16];
  memcpy(tw, tweak, sizeof tw);
  size_t half = key_len / 2;
  symmetric_xts xts;
  int started = 0;
  int err = xts_start(aes_idx, key, key + half, (unsigned long)half, 0, &xts);
  if (err == CRYPT_OK) {
    started = 1;
    err = encrypt ? xts_encrypt(nz(in), (unsigned long)len, res, tw, &xts)
                  : xts_decrypt(nz(in), (unsigned long)len, res, tw, &xts);
  }
  if (started) {
    xts_done(&xts);
  }
  /* xts_done calls the cipher's done, which does not clear the keys. */
  zeromem(&xts, sizeof xts);
  zeromem(tw, sizeof tw);
  int st = map_err(err, in_domain);
  if (st == ST_OK) {
    st = deliver(res, len, out, out_len);
  }
  scratch_free(res, len);
  return st;
}
#endif /* LTC_XTS_MODE */

#ifdef LTC_GCM_MODE

/* The tag length gcm_done gave back must be the one asked for: it writes
   min(16, *taglen) bytes. */
static int gcm_tag_len_check(unsigned long got, size_t tag_len, int in_domain) {
  if (got == tag_len) {
    return ST_OK;
  }
  return in_domain ? ST_INTERNAL : ST_INVALID_ARGUMENT;
}

CE1_IMPL_EXPORT int ce1_impl_aes_gcm_seal(const uint8_t *key, size_t key_len,
                                          const uint8_t *iv, size_t iv_len,
                                          const uint8_t *aad, size_t aad_len,
                                          const uint8_t *in, size_t len,
                                          size_t tag_len, uint8_t *out,
                                          size_t *out_len, uint8_t *tag) {
  if (out_len == NULL || bad_buf(key, key_len) || bad_buf(iv, iv_len) ||
      bad_buf(aad, aad_len) || bad_buf(in, len) || bad_buf(out, *out_len) ||
      bad_buf(tag, tag_len)) {
    return ST_INVALID_ARGUMENT;
  }
  int in_domain = gcm_domain(key_len, iv_len, tag_len);
  if (!fits_ulong(key_len) || !fits_ulong(iv_len) || !fits_ulong(aad_len) ||
      !fits_ulong(len) || !fits_ulong(tag_len)) {
    return unfit_status(in_domain);
  }
  if (!library_ready()) {
    return ST_INTERNAL;
  }
  unsigned char *res = scratch_new(len);
  if (res == NULL) {
    return ST_INTERNAL;
  }
  /* gcm_done writes at most 16 bytes whatever *taglen asks for. */
  unsigned char res_tag[16];
  unsigned long got = (unsigned long)tag_len;
  /* In GCM_ENCRYPT direction pt is only read; the prototype has it
     non-const because the same parameter is the output when decrypting. */
  int err = gcm_memory(aes_idx, nz(key), (unsigned long)key_len, nz(iv),
                       (unsigned long)iv_len, nz(aad), (unsigned long)aad_len,
                       (unsigned char *)nz(in), (unsigned long)len, res,
                       res_tag, &got, GCM_ENCRYPT);
  int st = map_err(err, in_domain);
  if (st == ST_OK) {
    st = gcm_tag_len_check(got, tag_len, in_domain);
  }
  if (st == ST_OK && *out_len < len) {
    st = ST_BUFFER_TOO_SMALL;
  }
  if (st == ST_OK) {
    st = deliver(res, len, out, out_len);
    if (tag_len != 0) {
      memcpy(tag, res_tag, tag_len);
    }
  }
  zeromem(res_tag, sizeof res_tag);
  scratch_free(res, len);
  return st;
}

CE1_IMPL_EXPORT int ce1_impl_aes_gcm_open(const uint8_t *key, size_t key_len,
                                          const uint8_t *iv, size_t iv_len,
                                          const uint8_t *aad, size_t aad_len,
                                          const uint8_t *in, size_t len,
                                          const uint8_t *tag, size_t tag_size,
                                          size_t tag_len, uint8_t *out,
                                          size_t *out_len) {
  if (out_len == NULL || bad_buf(key, key_len) || bad_buf(iv, iv_len) ||
      bad_buf(aad, aad_len) || bad_buf(in, len) || bad_buf(tag, tag_size) ||
      bad_buf(out, *out_len)) {
    return ST_INVALID_ARGUMENT;
  }
  /* The receiver expects tag_len bytes; a tag of another size is a forgery
     (comparing only the tag_size bytes that came would accept truncated
     tags). This is the ABI's rule, applied by the adapter once
     libtomcrypt has judged the rest of the request (a bad key or an empty
     IV is INVALID_ARGUMENT whatever the tag's size, ce1_prim.h): below,
     after gcm_memory, which does not read the received tag. An expected
     length outside 1..16 is a bad configuration, whatever came. */
  int wrong_size = tag_size != tag_len;
  if (wrong_size && (tag_len < 1 || tag_len > 16)) {
    return ST_INVALID_ARGUMENT;
  }
  int in_domain = gcm_domain(key_len, iv_len, tag_len);
  if (!fits_ulong(key_len) || !fits_ulong(iv_len) || !fits_ulong(aad_len) ||
      !fits_ulong(len) || !fits_ulong(tag_len)) {
    return unfit_status(in_domain);
  }
  if (!library_ready()) {
    return ST_INTERNAL;
  }
  unsigned char *res = scratch_new(len);
  if (res == NULL) {
    return ST_INTERNAL;
  }
  /* gcm_memory decrypts ct into pt and writes the tag it computes into
     this buffer; it does not look at the received tag (see the header). */
  unsigned char computed[16];
  unsigned long got = (unsigned long)tag_len;
  /* In GCM_DECRYPT direction ct is only read; the prototype has it
     non-const because the same parameter is the output when encrypting. */
  int err = gcm_memory(aes_idx, nz(key), (unsigned long)key_len, nz(iv),
                       (unsigned long)iv_len, nz(aad), (unsigned long)aad_len,
                       res, (unsigned long)len, (unsigned char *)nz(in),
                       computed, &got, GCM_DECRYPT);
  int st = map_err(err, in_domain);
  if (st == ST_OK) {
    st = gcm_tag_len_check(got, tag_len, in_domain);
  }
  if (st == ST_OK && wrong_size) {
    st = ST_AUTH_FAILED;
  }
#ifndef CE_TOMCRYPT_TRUST_GCM_MEMORY
  /* The verification libtomcrypt leaves to its caller: constant-time. */
  if (st == ST_OK && mem_neq(computed, nz(tag), tag_len) != 0) {
    st = ST_AUTH_FAILED;
  }
#else
  /* libce1prim_tomcrypt_gcm_memory.so: the caller who takes gcm_memory's
     CRYPT_OK as "authentic" (its status is the only verdict the one-shot
     API returns). Built so the compatibility matrix shows what the library
     itself does with a tampered tag; never a way to use it. */
  (void)mem_neq;
#endif
  if (st == ST_OK) {
    st = deliver(res, len, out, out_len);
  }
  zeromem(computed, sizeof computed);
  scratch_free(res, len);
  return st;
}
#endif /* LTC_GCM_MODE */

#if defined(LTC_HKDF) && defined(LTC_SHA256)

CE1_IMPL_EXPORT int ce1_impl_hkdf_sha256_extract(const uint8_t *salt,
                                                 size_t salt_len,
                                                 const uint8_t *ikm,
                                                 size_t ikm_len,
                                                 uint8_t prk[32]) {
  if (prk == NULL || bad_buf(salt, salt_len) || bad_buf(ikm, ikm_len)) {
    return ST_INVALID_ARGUMENT;
  }
  if (!fits_ulong(salt_len) || !fits_ulong(ikm_len)) {
    return ST_NOT_SUPPORTED;
  }
  if (!library_ready()) {
    return ST_INTERNAL;
  }
  unsigned char res[32];
  unsigned long got = sizeof res;
  /* An empty salt is RFC 5869's HashLen zero bytes in hkdf_extract (an
     HMAC key is zero-padded; RFC 5869 case 3 has an empty salt). */
  int err = hkdf_extract(sha256_idx, nz(salt), (unsigned long)salt_len, nz(ikm),
                         (unsigned long)ikm_len, res, &got);
  int st = map_err(err, 1);
  if (st == ST_OK && got != sizeof res) {
    st = ST_INTERNAL;
  }
  if (st == ST_OK) {
    memcpy(prk, res, sizeof res);
  }
  zeromem(res, sizeof res);
  return st;
}

CE1_IMPL_EXPORT int ce1_impl_hkdf_sha256_expand(const uint8_t *prk,
                                                size_t prk_len,
                                                const uint8_t *info,
                                                size_t info_len, uint8_t *okm,
                                                size_t okm_len) {
  if (bad_buf(prk, prk_len) || bad_buf(info, info_len) ||
      bad_buf(okm, okm_len)) {
    return ST_INVALID_ARGUMENT;
  }
  int in_domain =
      prk_len >= 32 && okm_len >= 1 && okm_len <= HKDF_SHA256_MAX_OKM;
  if (!fits_ulong(prk_len) || !fits_ulong(info_len) || !fits_ulong(okm_len)) {
    return unfit_status(in_domain);
  }
  if (!library_ready()) {
    return ST_INTERNAL;
  }
  unsigned char *res = scratch_new(okm_len);
  if (res == NULL) {
    return ST_INTERNAL;
  }
  /* hkdf_expand(hash, info, infolen, in = PRK, inlen, out, outlen). */
  int err = hkdf_expand(sha256_idx, nz(info), (unsigned long)info_len, nz(prk),
                        (unsigned long)prk_len, res, (unsigned long)okm_len);
  int st = map_err(err, in_domain);
  if (st == ST_OK && okm_len != 0) {
    memcpy(okm, res, okm_len);
  }
  scratch_free(res, okm_len);
  return st;
}

CE1_IMPL_EXPORT int ce1_impl_hkdf_sha256(const uint8_t *salt, size_t salt_len,
                                         const uint8_t *ikm, size_t ikm_len,
                                         const uint8_t *info, size_t info_len,
                                         uint8_t *okm, size_t okm_len) {
  if (bad_buf(salt, salt_len) || bad_buf(ikm, ikm_len) ||
      bad_buf(info, info_len) || bad_buf(okm, okm_len)) {
    return ST_INVALID_ARGUMENT;
  }
  int in_domain = okm_len >= 1 && okm_len <= HKDF_SHA256_MAX_OKM;
  if (!fits_ulong(salt_len) || !fits_ulong(ikm_len) || !fits_ulong(info_len) ||
      !fits_ulong(okm_len)) {
    return unfit_status(in_domain);
  }
  if (!library_ready()) {
    return ST_INTERNAL;
  }
  unsigned char *res = scratch_new(okm_len);
  if (res == NULL) {
    return ST_INTERNAL;
  }
  /* hkdf(hash, salt, saltlen, info, infolen, in = IKM, inlen, out, len). */
  int err = hkdf(sha256_idx, nz(salt), (unsigned long)salt_len, nz(info),
                 (unsigned long)info_len, nz(ikm), (unsigned long)ikm_len, res,
                 (unsigned long)okm_len);
  int st = map_err(err, in_domain);
  if (st == ST_OK && okm_len != 0) {
    memcpy(okm, res, okm_len);
  }
  scratch_free(res, okm_len);
  return st;
}
#endif /* LTC_HKDF */

#if defined(LTC_PKCS_5) && defined(LTC_SHA256)
CE1_IMPL_EXPORT int ce1_impl_pbkdf2_sha256(const uint8_t *password,
                                           size_t password_len,
                                           const uint8_t *salt, size_t salt_len,
                                           uint32_t iterations, uint8_t *dk,
                                           size_t dk_len) {
  if (bad_buf(password, password_len) || bad_buf(salt, salt_len) ||
      bad_buf(dk, dk_len)) {
    return ST_INVALID_ARGUMENT;
  }
  int in_domain = iterations >= 1 && dk_len >= 1;
  /* pkcs_5_alg2 takes an int iteration count. */
  if (iterations > INT_MAX || !fits_ulong(password_len) ||
      !fits_ulong(salt_len) || !fits_ulong(dk_len)) {
    return unfit_status(in_domain);
  }
  if (!library_ready()) {
    return ST_INTERNAL;
  }
  unsigned char *res = scratch_new(dk_len);
  if (res == NULL) {
    return ST_INTERNAL;
  }
  unsigned long got = (unsigned long)dk_len;
  int err = pkcs_5_alg2(nz(password), (unsigned long)password_len, nz(salt),
                        (unsigned long)salt_len, (int)iterations, sha256_idx,
                        res, &got);
  int st = map_err(err, in_domain);
  if (st == ST_OK && got != dk_len) {
    st = ST_INTERNAL;
  }
  if (st == ST_OK && dk_len != 0) {
    memcpy(dk, res, dk_len);
  }
  scratch_free(res, dk_len);
  return st;
}
#endif /* LTC_PKCS_5 */
