/*
 * wolfssl_prim.c - the primitive C ABI of tools/ce1_prim.h over wolfSSL's
 * wolfCrypt (issue 10), so the conformance runner can measure an
 * independent implementation of the primitives CE1 is built from.
 *
 * What is exported follows the installed build's configuration
 * (wolfssl/options.h): a primitive is compiled in only when wolfCrypt
 * offers it, and a missing one has no symbol, so the runner reports it as
 * "not implemented". wolfSSL 5.5.4 (Debian 12) has AES-ECB (HAVE_AES_ECB),
 * XTS (WOLFSSL_AES_XTS), GCM (HAVE_AESGCM), HKDF (HAVE_HKDF) and PBKDF2
 * (pwdbased, not NO_PWDBASED); it has no SM4 API at all (wolfCrypt's SM4
 * came with later releases), so ce1_impl_sm4_ecb is not exported.
 *
 * Division of labour, the same in the three library adapters:
 *  - the adapter owns the ABI's own rules: a NULL pointer with a non-zero
 *    length (INVALID_ARGUMENT), the output capacity (BUFFER_TOO_SMALL,
 *    checked after the computation, which runs into a scratch buffer so
 *    that nothing reaches out on any failure), the GCM rule that a tag of
 *    another size than tag_len is AUTH_FAILED (applied once wolfCrypt has
 *    judged the other arguments: argument errors and refusals come first,
 *    ce1_prim.h), lengths that wolfCrypt's 32-bit (word32 / int)
 *    parameters cannot carry (NOT_SUPPORTED), the preconditions wolfCrypt's
 *    documentation puts on its caller, and XTS's limit of 2^20 blocks per
 *    data unit (SP 800-38E), which wolfCrypt does not check;
 *  - every other argument goes to wolfCrypt unchanged, and its failures
 *    are mapped: INVALID_ARGUMENT when an argument is outside the
 *    operation's domain as ce1_prim.h defines it; otherwise NOT_SUPPORTED
 *    for a refusal (valid for the algorithm, refused by this library) and
 *    INTERNAL for any other failure. What wolfCrypt accepts stays
 *    accepted, so the runner sees the library's behaviour, not a
 *    corrected one.
 *
 * Behaviour of wolfSSL 5.5.4 observed while writing this (probe programs
 * and tests/python/test_other_libs2.py):
 *  - wc_AesEcbEncrypt/Decrypt return 0 for a length that is not a multiple
 *    of 16 and leave the partial tail unprocessed (sz = 5: nothing written,
 *    0 returned). wolfSSL's API reference gives sz as a multiple of
 *    AES_BLOCK_SIZE, a condition on the caller, so the adapter checks it
 * (otherwise it would report bytes the library never produced);
 *  - wc_AesGcmEncrypt refuses tags under WOLFSSL_MIN_AUTH_TAG_SZ (12) with
 *    BAD_FUNC_ARG, but wc_AesGcmDecrypt accepts tags of 1..16 bytes and
 *    compares only that many;
 *  - wc_AesGcmDecrypt leaves the decrypted, unverified plaintext in out
 *    when it returns AES_GCM_AUTH_E (hence the scratch buffer);
 *  - wc_AesXtsSetKey accepts a 33- or 65-byte key and ignores its last
 *    byte (the result is that of the first 32 or 64 bytes); the whole key
 *    is passed on, so this shows;
 *  - XTS accepts Key1 == Key2; wc_PBKDF2 treats 0 iterations as 1 and
 *    accepts a 0-byte output; wc_HKDF_Expand accepts a PRK shorter than 32
 *    bytes and a 0-byte output.
 */
#define _DEFAULT_SOURCE /* explicit_bzero (glibc) */

/* options.h first: it carries the configuration the library was built
   with, which the other headers' declarations and structures depend on. */
#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/wolfcrypt/aes.h>
#include <wolfssl/wolfcrypt/error-crypt.h>
#include <wolfssl/wolfcrypt/hmac.h>
#include <wolfssl/wolfcrypt/pwdbased.h>
#include <wolfssl/wolfcrypt/sha256.h>
#include <wolfssl/wolfcrypt/wc_port.h>
#include <wolfssl/ssl.h> /* wolfSSL_lib_version */

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ce1_prim.h"
#include "prim_common.h"

/* The refusals wolfCrypt reports for arguments it does not take; anything
   else (MEMORY_E, hardware errors, ...) is a failure, not a refusal. */
static int refused(int ret) {
  return ret == BAD_FUNC_ARG || ret == WC_KEY_SIZE_E || ret == BAD_LENGTH_E ||
         ret == NOT_COMPILED_IN || ret == BUFFER_E;
}

/* Maps a wolfCrypt return value; in_domain says whether the arguments are
   inside the operation's domain as ce1_prim.h defines it. Outside it, any
   failure is the argument's (INVALID_ARGUMENT, however the library words
   it); inside it, a refusal is NOT_SUPPORTED and the rest INTERNAL. */
static int map_ret(int ret, int in_domain) {
  if (ret == 0) {
    return ST_OK;
  }
  return failed_status(refused(ret), in_domain);
}

/* wolfCrypt_Init once per process, however many threads call in (it keeps
   a global reference count). */
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_ret = -1;
static char describe_buf[64];

static void init_library(void) {
  init_ret = wolfCrypt_Init();
  /* wolfSSL_lib_version is the runtime library's version, which is what
     is measured (the header's LIBWOLFSSL_VERSION_STRING may differ). */
  const char *v = wolfSSL_lib_version();
  int n = snprintf(describe_buf, sizeof describe_buf, "wolfSSL %s",
                   v != NULL ? v : "(unknown version)");
  if (n < 0 || (size_t)n >= sizeof describe_buf) {
    describe_buf[0] = '\0';
  }
}

static int library_ready(void) {
  if (pthread_once(&init_once, init_library) != 0) {
    return 0;
  }
  return init_ret == 0;
}

CE1_IMPL_EXPORT const char *ce1_impl_describe(void) {
  if (pthread_once(&init_once, init_library) != 0 || describe_buf[0] == '\0') {
    return "wolfSSL";
  }
  return describe_buf;
}

#ifdef HAVE_AES_ECB
CE1_IMPL_EXPORT int ce1_impl_aes_ecb(int encrypt, const uint8_t *key,
                                     size_t key_len, const uint8_t *in,
                                     size_t len, uint8_t *out,
                                     size_t *out_len) {
  /* encrypt: nonzero encrypts, 0 decrypts (ce1_prim.h). */
  if (out_len == NULL || bad_buf(key, key_len) || bad_buf(in, len) ||
      bad_buf(out, *out_len)) {
    return ST_INVALID_ARGUMENT;
  }
  /* wolfSSL's API reference gives sz as a multiple of AES_BLOCK_SIZE; 5.5.4
     does not check it and silently skips a partial last block (see the
     header), so the condition on the caller is checked here. */
  if (len % AES_BLOCK_SIZE != 0) {
    return ST_INVALID_ARGUMENT;
  }
  int in_domain = aes_key_len_ok(key_len);
  if (!fits32(key_len) || !fits32(len)) {
    return unfit_status(in_domain);
  }
  if (!library_ready()) {
    return ST_INTERNAL;
  }
  uint8_t *res = scratch_new(len);
  if (res == NULL) {
    return ST_INTERNAL;
  }
  Aes aes;
  /* Zeroed first, so that wc_AesFree is well-defined on every path. */
  memset(&aes, 0, sizeof aes);
  int ret = wc_AesInit(&aes, NULL, INVALID_DEVID);
  if (ret == 0) {
    ret = wc_AesSetKey(&aes, nz(key), (word32)key_len, NULL,
                       encrypt ? AES_ENCRYPTION : AES_DECRYPTION);
  }
  if (ret == 0) {
    ret = encrypt ? wc_AesEcbEncrypt(&aes, res, nz(in), (word32)len)
                  : wc_AesEcbDecrypt(&aes, res, nz(in), (word32)len);
  }
  wc_AesFree(&aes);
  /* wc_AesFree releases resources but does not clear the key schedule. */
  explicit_bzero(&aes, sizeof aes);
  int st = map_ret(ret, in_domain);
  if (st == ST_OK) {
    st = deliver(res, len, out, out_len);
  }
  scratch_free(res, len);
  return st;
}
#endif /* HAVE_AES_ECB */

#ifdef WOLFSSL_AES_XTS
CE1_IMPL_EXPORT int ce1_impl_aes_xts(int encrypt, const uint8_t *key,
                                     size_t key_len, const uint8_t tweak[16],
                                     const uint8_t *in, size_t len,
                                     uint8_t *out, size_t *out_len) {
  if (out_len == NULL || tweak == NULL || bad_buf(key, key_len) ||
      bad_buf(in, len) || bad_buf(out, *out_len)) {
    return ST_INVALID_ARGUMENT;
  }
  /* wolfCrypt encrypts a data unit of any length; the limit of 2^20
     blocks is checked here. */
  if (len > XTS_MAX_LEN) {
    return ST_INVALID_ARGUMENT;
  }
  /* wc_AesXtsSetKey takes the whole Key1 || Key2 and judges its length
     itself; wc_AesXtsEncrypt judges the data length's lower end. */
  int in_domain = (key_len == 32 || key_len == 64) && len >= AES_BLOCK_SIZE;
  if (!fits32(key_len) || !fits32(len)) {
    return unfit_status(in_domain);
  }
  if (!library_ready()) {
    return ST_INTERNAL;
  }
  uint8_t *res = scratch_new(len);
  if (res == NULL) {
    return ST_INTERNAL;
  }
  XtsAes xts;
  memset(&xts, 0, sizeof xts);
  int ret = wc_AesXtsSetKey(&xts, nz(key), (word32)key_len,
                            encrypt ? AES_ENCRYPTION : AES_DECRYPTION, NULL,
                            INVALID_DEVID);
  if (ret == 0) {
    ret = encrypt ? wc_AesXtsEncrypt(&xts, res, nz(in), (word32)len, tweak,
                                     AES_BLOCK_SIZE)
                  : wc_AesXtsDecrypt(&xts, res, nz(in), (word32)len, tweak,
                                     AES_BLOCK_SIZE);
  }
  /* On a zeroed or keyed XtsAes; its failure after a successful operation
     is still a failure (the state may not have been released). */
  int free_ret = wc_AesXtsFree(&xts);
  explicit_bzero(&xts, sizeof xts);
  int st = map_ret(ret, in_domain);
  if (st == ST_OK && free_ret != 0) {
    st = ST_INTERNAL;
  }
  if (st == ST_OK) {
    st = deliver(res, len, out, out_len);
  }
  scratch_free(res, len);
  return st;
}
#endif /* WOLFSSL_AES_XTS */

#ifdef HAVE_AESGCM

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
  if (!fits32(key_len) || !fits32(iv_len) || !fits32(aad_len) || !fits32(len) ||
      !fits32(tag_len)) {
    return unfit_status(in_domain);
  }
  if (!library_ready()) {
    return ST_INTERNAL;
  }
  /* The tag gets a scratch buffer of its own size too: tag_len goes to
     wolfCrypt unchecked, which judges it. */
  uint8_t *res = scratch_new(len);
  uint8_t *res_tag = scratch_new(tag_len);
  if (res == NULL || res_tag == NULL) {
    scratch_free(res, len);
    scratch_free(res_tag, tag_len);
    return ST_INTERNAL;
  }
  Aes aes;
  memset(&aes, 0, sizeof aes);
  int ret = wc_AesInit(&aes, NULL, INVALID_DEVID);
  if (ret == 0) {
    ret = wc_AesGcmSetKey(&aes, nz(key), (word32)key_len);
  }
  if (ret == 0) {
    ret =
        wc_AesGcmEncrypt(&aes, res, nz(in), (word32)len, nz(iv), (word32)iv_len,
                         res_tag, (word32)tag_len, nz(aad), (word32)aad_len);
  }
  wc_AesFree(&aes);
  explicit_bzero(&aes, sizeof aes);
  int st = map_ret(ret, in_domain);
  if (st == ST_OK && *out_len < len) {
    st = ST_BUFFER_TOO_SMALL;
  }
  if (st == ST_OK) {
    st = deliver(res, len, out, out_len);
    if (tag_len != 0) {
      memcpy(tag, res_tag, tag_len);
    }
  }
  scratch_free(res, len);
  scratch_free(res_tag, tag_len);
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
     (wolfCrypt would compare just the tag_size bytes it is given, so a
     truncated tag would pass). This is the ABI's rule, applied by the
     adapter after wolfCrypt has judged the rest of the request (a bad key
     or an empty IV is INVALID_ARGUMENT whatever the tag's size,
     ce1_prim.h): wolfCrypt gets a tag of tag_len bytes, the bytes that
     came cut or padded with zeros, and its verdict on them does not
     matter. An expected length outside 1..16 is a bad configuration,
     whatever came. */
  int wrong_size = tag_size != tag_len;
  if (wrong_size && (tag_len < 1 || tag_len > 16)) {
    return ST_INVALID_ARGUMENT;
  }
  byte tag_copy[16] = {0};
  if (wrong_size && tag_size != 0) {
    memcpy(tag_copy, tag, tag_size < tag_len ? tag_size : tag_len);
  }
  int in_domain = gcm_domain(key_len, iv_len, tag_len);
  if (!fits32(key_len) || !fits32(iv_len) || !fits32(aad_len) || !fits32(len) ||
      !fits32(tag_len)) {
    return unfit_status(in_domain);
  }
  if (!library_ready()) {
    return ST_INTERNAL;
  }
  /* wc_AesGcmDecrypt leaves the unverified plaintext in its output when
     the tag does not match: it goes to scratch, never to out. */
  uint8_t *res = scratch_new(len);
  if (res == NULL) {
    return ST_INTERNAL;
  }
  Aes aes;
  memset(&aes, 0, sizeof aes);
  int ret = wc_AesInit(&aes, NULL, INVALID_DEVID);
  if (ret == 0) {
    ret = wc_AesGcmSetKey(&aes, nz(key), (word32)key_len);
  }
  if (ret == 0) {
    ret = wc_AesGcmDecrypt(&aes, res, nz(in), (word32)len, nz(iv),
                           (word32)iv_len, wrong_size ? tag_copy : nz(tag),
                           (word32)tag_len, nz(aad), (word32)aad_len);
  }
  wc_AesFree(&aes);
  explicit_bzero(&aes, sizeof aes);
  explicit_bzero(tag_copy, sizeof tag_copy);
  int st = ret == AES_GCM_AUTH_E ? ST_AUTH_FAILED : map_ret(ret, in_domain);
  if (st == ST_OK && wrong_size) {
    st = ST_AUTH_FAILED;
  }
  if (st == ST_OK) {
    st = deliver(res, len, out, out_len);
  }
  scratch_free(res, len);
  return st;
}
#endif /* HAVE_AESGCM */

#if defined(HAVE_HKDF) && !defined(NO_HMAC) && !defined(NO_SHA256)

CE1_IMPL_EXPORT int ce1_impl_hkdf_sha256_extract(const uint8_t *salt,
                                                 size_t salt_len,
                                                 const uint8_t *ikm,
                                                 size_t ikm_len,
                                                 uint8_t prk[32]) {
  if (prk == NULL || bad_buf(salt, salt_len) || bad_buf(ikm, ikm_len)) {
    return ST_INVALID_ARGUMENT;
  }
  if (!fits32(salt_len) || !fits32(ikm_len)) {
    return ST_NOT_SUPPORTED;
  }
  if (!library_ready()) {
    return ST_INTERNAL;
  }
  byte res[WC_SHA256_DIGEST_SIZE];
  /* wc_HKDF_Extract uses HashLen zero bytes for a NULL salt; an empty
     non-NULL salt is the same HMAC key (zero-padded), as RFC 5869 says. */
  int ret = wc_HKDF_Extract(WC_SHA256, salt_len != 0 ? salt : NULL,
                            (word32)salt_len, nz(ikm), (word32)ikm_len, res);
  int st = map_ret(ret, 1);
  if (st == ST_OK) {
    memcpy(prk, res, sizeof res);
  }
  explicit_bzero(res, sizeof res);
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
  if (!fits32(prk_len) || !fits32(info_len) || !fits32(okm_len)) {
    return unfit_status(in_domain);
  }
  if (!library_ready()) {
    return ST_INTERNAL;
  }
  uint8_t *res = scratch_new(okm_len);
  if (res == NULL) {
    return ST_INTERNAL;
  }
  int ret = wc_HKDF_Expand(WC_SHA256, nz(prk), (word32)prk_len, nz(info),
                           (word32)info_len, res, (word32)okm_len);
  int st = map_ret(ret, in_domain);
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
  if (!fits32(salt_len) || !fits32(ikm_len) || !fits32(info_len) ||
      !fits32(okm_len)) {
    return unfit_status(in_domain);
  }
  if (!library_ready()) {
    return ST_INTERNAL;
  }
  uint8_t *res = scratch_new(okm_len);
  if (res == NULL) {
    return ST_INTERNAL;
  }
  int ret = wc_HKDF(WC_SHA256, nz(ikm), (word32)ikm_len,
                    salt_len != 0 ? salt : NULL, (word32)salt_len, nz(info),
                    (word32)info_len, res, (word32)okm_len);
  int st = map_ret(ret, in_domain);
  if (st == ST_OK && okm_len != 0) {
    memcpy(okm, res, okm_len);
  }
  scratch_free(res, okm_len);
  return st;
}
#endif /* HAVE_HKDF */

#if !defined(NO_PWDBASED) && !defined(NO_HMAC) && !defined(NO_SHA256)
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
  /* wc_PBKDF2 takes int lengths and iteration count. */
  if (password_len > INT_MAX || salt_len > INT_MAX || dk_len > INT_MAX ||
      iterations > INT_MAX) {
    return unfit_status(in_domain);
  }
  if (!library_ready()) {
    return ST_INTERNAL;
  }
  uint8_t *res = scratch_new(dk_len);
  if (res == NULL) {
    return ST_INTERNAL;
  }
  int ret = wc_PBKDF2(res, nz(password), (int)password_len, nz(salt),
                      (int)salt_len, (int)iterations, (int)dk_len, WC_SHA256);
  int st = map_ret(ret, in_domain);
  if (st == ST_OK && dk_len != 0) {
    memcpy(dk, res, dk_len);
  }
  scratch_free(res, dk_len);
  return st;
}
#endif /* !NO_PWDBASED */
