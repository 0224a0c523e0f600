/*
 * openssl_prim.c - the primitive C ABI of tools/ce1_prim.h over OpenSSL's
 * EVP API (issue 10), so the conformance runner can measure OpenSSL
 * itself as an application meets it: EVP_aes_*_ecb/xts/gcm, EVP_sm4_ecb,
 * EVP_KDF "HKDF", PKCS5_PBKDF2_HMAC, with the default library context.
 *
 * The adapter checks the arguments against the contract's domain
 * (INVALID_ARGUMENT) and then reports what OpenSSL answers. What OpenSSL
 * refuses although the contract calls it valid comes back as
 * NOT_SUPPORTED, for example XTS with Key1 == Key2 (refused when
 * encrypting, accepted when decrypting outside the FIPS provider), a GCM
 * IV over the provider's limit, or lengths EVP's int parameters cannot
 * express.
 *
 * Results are computed into scratch buffers and copied out only on
 * success, so a failing call never writes to out or tag; scratch buffers
 * are cleansed before they are freed. The capacity of out is judged last
 * (ce1_prim.h), once the result is in scratch: a short buffer never hides
 * an argument error, a refusal or a forged tag. EVP_CIPHER_CTX_free and
 * EVP_KDF_CTX_free cleanse the key material the contexts hold. Errors the
 * adapter causes are dropped from the thread's OpenSSL error queue
 * (ERR_set_mark / ERR_pop_to_mark), so the caller's queue is untouched.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/proverr.h>

#include "ce1_prim.h"
/* Scratch buffers are cleansed with OPENSSL_cleanse. A zero-length input
   given as NULL is passed on through nz (prim_common.h), because some
   OpenSSL parameter setters treat a NULL buffer as "absent" rather than
   "empty". */
#define PRIM_WIPE(p, n) OPENSSL_cleanse((p), (n))
#include "prim_common.h"

/* The largest multiple of 16 an int can hold: EVP's update functions take
   int lengths, so longer inputs are fed in pieces of this size. */
#define EVP_CHUNK_MAX ((size_t)INT_MAX & ~(size_t)15)

CE1_IMPL_EXPORT const char *ce1_impl_describe(void) {
  /* The version of the libcrypto actually loaded, e.g. "OpenSSL 3.0.19
     27 Jan 2026". */
  return OpenSSL_version(OPENSSL_VERSION);
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/* Whether the thread's error queue was empty when the current call
   began: then every error in it is the call's own, the first one too. */
static _Thread_local int queue_was_empty;

/* Starts the call's own section of the thread's error queue.
   ERR_set_mark returns 0 when the queue is empty (no mark is set then, and
   ERR_pop_to_mark in errors_end clears the whole queue, which then holds
   only our errors) or when the thread's error state cannot be had (no
   queue to protect, nothing in it to read). */
static void errors_begin(void) {
  queue_was_empty = ERR_set_mark() == 0;
}

/* Drops the errors raised since errors_begin. The result is not needed:
   ERR_pop_to_mark returns 0 only when there was no mark (the queue was
   empty, or it wrapped and discarded the mark), and it has then cleared
   the queue, so there is nothing else to undo either way. */
static void errors_end(void) {
  (void)ERR_pop_to_mark();
}

/* Whether an OpenSSL error names a limit or a refusal: duplicated XTS
   keys, an oversized XTS data unit, an IV length, an algorithm this
   libcrypto does not have. */
static int is_refusal(unsigned long e) {
  int reason = ERR_GET_REASON(e);
  if (e == 0)
    return 0;
  if (ERR_GET_LIB(e) == ERR_LIB_PROV &&
      (reason == PROV_R_XTS_DUPLICATED_KEYS ||
       reason == PROV_R_XTS_DATA_UNIT_IS_TOO_LARGE ||
       reason == PROV_R_INVALID_IV_LENGTH))
    return 1;
  return reason == ERR_R_UNSUPPORTED || reason == ERR_R_FETCH_FAILED;
}

/* The status of a failed OpenSSL call made after the adapter's own
   argument checks. A refusal named by the last error, or by the first when
   the queue holds only this call's errors (a provider's reason often comes
   first, under a generic "cipher operation failed"), is NOT_SUPPORTED; so
   is any other failure of a call that only accepts parameters
   (param_step != 0), since the arguments are in the contract's domain.
   Allocation failures and other failures while processing data are
   INTERNAL. */
static int failure_status(int param_step) {
  unsigned long last = ERR_peek_last_error();
  if (last != 0 && ERR_GET_REASON(last) == ERR_R_MALLOC_FAILURE)
    return ST_INTERNAL;
  if (is_refusal(last) || (queue_was_empty && is_refusal(ERR_peek_error())))
    return ST_NOT_SUPPORTED;
  return param_step ? ST_NOT_SUPPORTED : ST_INTERNAL;
}

/* Feeds len bytes through EVP_CipherUpdate in int-sized pieces; out NULL
   feeds AAD. Checks that data comes out as it goes in (ECB without
   padding on whole blocks, GCM: both stream). 1 on success. */
static int evp_update_all(EVP_CIPHER_CTX *ctx, uint8_t *out, const uint8_t *in,
                          size_t len) {
  size_t done = 0;
  while (done < len) {
    size_t n = len - done < EVP_CHUNK_MAX ? len - done : EVP_CHUNK_MAX;
    int outl = 0;
    if (EVP_CipherUpdate(ctx, out != NULL ? out + done : NULL, &outl, in + done,
                         (int)n) != 1)
      return 0;
    if (out != NULL && (outl < 0 || (size_t)outl != n))
      return 0;
    done += n;
  }
  return 1;
}

/* EVP_CipherFinal_ex for the modes here, which have nothing left to
   output: 1 on success. */
static int evp_final_empty(EVP_CIPHER_CTX *ctx) {
  uint8_t last[32];
  int outl = -1;
  int ok = EVP_CipherFinal_ex(ctx, last, &outl) == 1 && outl == 0;
  OPENSSL_cleanse(last, sizeof last);
  return ok;
}

static const EVP_CIPHER *aes_ecb(size_t key_len) {
  switch (key_len) {
  case 16:
    return EVP_aes_128_ecb();
  case 24:
    return EVP_aes_192_ecb();
  case 32:
    return EVP_aes_256_ecb();
  default:
    return NULL;
  }
}

static const EVP_CIPHER *aes_gcm(size_t key_len) {
  switch (key_len) {
  case 16:
    return EVP_aes_128_gcm();
  case 24:
    return EVP_aes_192_gcm();
  case 32:
    return EVP_aes_256_gcm();
  default:
    return NULL;
  }
}

/* ------------------------------------------------------------------ */
/* ECB: AES and SM4                                                    */
/* ------------------------------------------------------------------ */

static int ecb(const EVP_CIPHER *cipher, int encrypt, const uint8_t *key,
               const uint8_t *in, size_t len, uint8_t *out, size_t *out_len) {
  if (cipher == NULL)
    return ST_NOT_SUPPORTED;
  errors_begin();
  int st = ST_OK;
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
  uint8_t *tmp = scratch_new(len);
  if (ctx == NULL || tmp == NULL)
    st = ST_INTERNAL;
  else if (EVP_CipherInit_ex(ctx, cipher, NULL, key, NULL, encrypt ? 1 : 0) !=
           1)
    st = failure_status(1);
  /* No padding: the data is whole blocks and comes out as long. */
  else if (EVP_CIPHER_CTX_set_padding(ctx, 0) != 1)
    st = ST_INTERNAL;
  else if (!evp_update_all(ctx, tmp, in, len) || !evp_final_empty(ctx))
    st = failure_status(0);
  st = deliver_status(st, tmp, len, out, out_len);
  EVP_CIPHER_CTX_free(ctx); /* NULL-safe; cleanses the key schedule */
  scratch_free(tmp, len);
  errors_end();
  return st;
}

CE1_IMPL_EXPORT int ce1_impl_aes_ecb(int encrypt, const uint8_t *key,
                                     size_t key_len, const uint8_t *in,
                                     size_t len, uint8_t *out,
                                     size_t *out_len) {
  if ((key_len != 16 && key_len != 24 && key_len != 32) || key == NULL ||
      !buf_ok(in, len) || len % 16 != 0 || out_len == NULL ||
      !buf_ok(out, *out_len))
    return ST_INVALID_ARGUMENT;
  return ecb(aes_ecb(key_len), encrypt, key, in, len, out, out_len);
}

/* Only when this OpenSSL was built with SM4 (Debian's is). */
#ifndef OPENSSL_NO_SM4
CE1_IMPL_EXPORT int ce1_impl_sm4_ecb(int encrypt, const uint8_t *key,
                                     size_t key_len, const uint8_t *in,
                                     size_t len, uint8_t *out,
                                     size_t *out_len) {
  if (key_len != 16 || key == NULL || !buf_ok(in, len) || len % 16 != 0 ||
      out_len == NULL || !buf_ok(out, *out_len))
    return ST_INVALID_ARGUMENT;
  return ecb(EVP_sm4_ecb(), encrypt, key, in, len, out, out_len);
}
#endif

/* ------------------------------------------------------------------ */
/* XTS-AES                                                             */
/* ------------------------------------------------------------------ */

CE1_IMPL_EXPORT int ce1_impl_aes_xts(int encrypt, const uint8_t *key,
                                     size_t key_len, const uint8_t tweak[16],
                                     const uint8_t *in, size_t len,
                                     uint8_t *out, size_t *out_len) {
  const EVP_CIPHER *cipher;
  if (key_len == 32)
    cipher = EVP_aes_128_xts();
  else if (key_len == 64)
    cipher = EVP_aes_256_xts();
  else
    return ST_INVALID_ARGUMENT;
  if (key == NULL || tweak == NULL || in == NULL || len < 16 ||
      len > XTS_MAX_LEN || out_len == NULL || !buf_ok(out, *out_len))
    return ST_INVALID_ARGUMENT;
  /* A data unit is one EVP_CipherUpdate call, whose length is an int:
     XTS_MAX_LEN fits. */
  if (cipher == NULL)
    return ST_NOT_SUPPORTED;
  errors_begin();

  int st = ST_OK;
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
  uint8_t *tmp = scratch_new(len);
  int outl = 0;
  if (ctx == NULL || tmp == NULL)
    st = ST_INTERNAL;
  /* The key is Key1 || Key2 and the IV is the tweak, as IEEE 1619 gives
     them. This is where OpenSSL compares the two halves. */
  else if (EVP_CipherInit_ex(ctx, cipher, NULL, key, tweak, encrypt ? 1 : 0) !=
           1)
    st = failure_status(1);
  else if (EVP_CipherUpdate(ctx, tmp, &outl, in, (int)len) != 1 ||
           outl != (int)len || !evp_final_empty(ctx))
    st = failure_status(0);
  st = deliver_status(st, tmp, len, out, out_len);
  EVP_CIPHER_CTX_free(ctx);
  scratch_free(tmp, len);
  errors_end();
  return st;
}

/* ------------------------------------------------------------------ */
/* AES-GCM                                                             */
/* ------------------------------------------------------------------ */

static int gcm_args_ok(const uint8_t *key, size_t key_len, const uint8_t *iv,
                       size_t iv_len, const uint8_t *aad, size_t aad_len,
                       const uint8_t *in, size_t len, size_t tag_len,
                       const uint8_t *out, const size_t *out_len) {
  return aes_gcm(key_len) != NULL && key != NULL && iv_len >= 1 && iv != NULL &&
         buf_ok(aad, aad_len) && buf_ok(in, len) && tag_len >= 1 &&
         tag_len <= 16 && out_len != NULL && buf_ok(out, *out_len);
}

/* Sets up ctx for GCM with key and iv and feeds it the aad: ST_OK or the
   status of the step that failed. */
static int gcm_start(EVP_CIPHER_CTX *ctx, int encrypt, const uint8_t *key,
                     size_t key_len, const uint8_t *iv, size_t iv_len,
                     const uint8_t *aad, size_t aad_len) {
  /* EVP_CTRL_GCM_SET_IVLEN takes an int. */
  if (iv_len > INT_MAX)
    return ST_NOT_SUPPORTED;
  if (EVP_CipherInit_ex(ctx, aes_gcm(key_len), NULL, NULL, NULL, encrypt) != 1)
    return failure_status(1);
  /* The IV length is set before the IV; an IV over the provider's limit
     is refused here. */
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, (int)iv_len, NULL) <= 0)
    return failure_status(1);
  if (EVP_CipherInit_ex(ctx, NULL, NULL, key, iv, encrypt) != 1)
    return failure_status(1);
  if (!evp_update_all(ctx, NULL, aad, aad_len))
    return failure_status(0);
  return ST_OK;
}

CE1_IMPL_EXPORT int ce1_impl_aes_gcm_seal(const uint8_t *key, size_t key_len,
                                          const uint8_t *iv, size_t iv_len,
                                          const uint8_t *aad, size_t aad_len,
                                          const uint8_t *in, size_t len,
                                          size_t tag_len, uint8_t *out,
                                          size_t *out_len, uint8_t *tag) {
  if (!gcm_args_ok(key, key_len, iv, iv_len, aad, aad_len, in, len, tag_len,
                   out, out_len) ||
      tag == NULL)
    return ST_INVALID_ARGUMENT;
  errors_begin();

  int st;
  uint8_t tag_tmp[16];
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
  uint8_t *tmp = scratch_new(len);
  if (ctx == NULL || tmp == NULL)
    st = ST_INTERNAL;
  else
    st = gcm_start(ctx, 1, key, key_len, iv, iv_len, aad, aad_len);
  if (st == ST_OK &&
      (!evp_update_all(ctx, tmp, in, len) || !evp_final_empty(ctx)))
    st = failure_status(0);
  /* The leftmost tag_len bytes of the tag. */
  if (st == ST_OK && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG,
                                         (int)tag_len, tag_tmp) <= 0)
    st = failure_status(1);
  /* A seal with a short capacity writes no tag either. */
  st = deliver_status(st, tmp, len, out, out_len);
  if (st == ST_OK)
    memcpy(tag, tag_tmp, tag_len);
  EVP_CIPHER_CTX_free(ctx);
  OPENSSL_cleanse(tag_tmp, sizeof tag_tmp);
  scratch_free(tmp, len);
  errors_end();
  return st;
}

CE1_IMPL_EXPORT int ce1_impl_aes_gcm_open(const uint8_t *key, size_t key_len,
                                          const uint8_t *iv, size_t iv_len,
                                          const uint8_t *aad, size_t aad_len,
                                          const uint8_t *in, size_t len,
                                          const uint8_t *tag, size_t tag_size,
                                          size_t tag_len, uint8_t *out,
                                          size_t *out_len) {
  if (!gcm_args_ok(key, key_len, iv, iv_len, aad, aad_len, in, len, tag_len,
                   out, out_len) ||
      !buf_ok(tag, tag_size))
    return ST_INVALID_ARGUMENT;
  errors_begin();

  /* EVP compares as many tag bytes as it is given (EVP_CTRL_GCM_SET_TAG
     sets the length): a truncated tag would be checked on its prefix only.
     The receiver expects tag_len bytes, so any other size is a forgery,
     AUTH_FAILED. That verdict comes after OpenSSL has judged the rest of
     the request (an IV over its limit is NOT_SUPPORTED first,
     ce1_prim.h's order), so the call runs as for a tag of tag_len bytes:
     the bytes that came, cut or padded with zeros, whose verification
     does not matter. EVP_CTRL_GCM_SET_TAG takes a non-const pointer. */
  int st;
  uint8_t tag_copy[16] = {0};
  if (tag_size > 0)
    memcpy(tag_copy, tag, tag_size < tag_len ? tag_size : tag_len);
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
  /* EVP decrypts before the tag is checked (in EVP_DecryptFinal_ex): the
     plaintext stays in a scratch buffer until then. */
  uint8_t *tmp = scratch_new(len);
  if (ctx == NULL || tmp == NULL)
    st = ST_INTERNAL;
  else
    st = gcm_start(ctx, 0, key, key_len, iv, iv_len, aad, aad_len);
  if (st == ST_OK && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG,
                                         (int)tag_len, tag_copy) <= 0)
    st = failure_status(1);
  if (st == ST_OK && !evp_update_all(ctx, tmp, in, len))
    st = failure_status(0);
  /* The final call verifies the tag; its failure is the verdict. */
  if (st == ST_OK && !evp_final_empty(ctx))
    st = ST_AUTH_FAILED;
  if (st == ST_OK && tag_size != tag_len)
    st = ST_AUTH_FAILED;
  st = deliver_status(st, tmp, len, out, out_len);
  EVP_CIPHER_CTX_free(ctx);
  OPENSSL_cleanse(tag_copy, sizeof tag_copy);
  scratch_free(tmp, len);
  errors_end();
  return st;
}

/* ------------------------------------------------------------------ */
/* HKDF-SHA256 (EVP_KDF "HKDF")                                        */
/* ------------------------------------------------------------------ */

/* One EVP_KDF "HKDF" derivation with SHA-256 in the given mode. key is
   the IKM (extract, one-shot) or the PRK (expand); an empty salt is left
   out, which OpenSSL takes as RFC 5869's HashLen zero bytes; empty info
   likewise. */
static int hkdf(int mode, const uint8_t *salt, size_t salt_len,
                const uint8_t *key, size_t key_len, const uint8_t *info,
                size_t info_len, uint8_t *out, size_t out_len) {
  errors_begin();
  int st = ST_OK;
  char digest[] = "SHA256";
  OSSL_PARAM params[6];
  size_t n = 0;
  params[n++] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
  params[n++] =
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
  /* OSSL_PARAM holds non-const pointers; the KDF only reads them. */
  params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
                                                  (void *)nz(key), key_len);
  if (salt_len > 0)
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
                                                    (void *)salt, salt_len);
  if (info_len > 0)
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
                                                    (void *)info, info_len);
  params[n] = OSSL_PARAM_construct_end();

  EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
  EVP_KDF_CTX *kctx = kdf != NULL ? EVP_KDF_CTX_new(kdf) : NULL;
  uint8_t *tmp = scratch_new(out_len);
  if (kdf == NULL)
    st = failure_status(1); /* HKDF not available in this OpenSSL */
  else if (kctx == NULL || tmp == NULL)
    st = ST_INTERNAL;
  /* Setting the parameters is where OpenSSL refuses values (such as info
     longer than its buffer), so it is a separate step from deriving. */
  else if (EVP_KDF_CTX_set_params(kctx, params) != 1)
    st = failure_status(1);
  else if (EVP_KDF_derive(kctx, tmp, out_len, NULL) != 1)
    st = failure_status(0);
  if (st == ST_OK)
    memcpy(out, tmp, out_len);
  EVP_KDF_CTX_free(kctx); /* NULL-safe; cleanses the key it copied */
  EVP_KDF_free(kdf);
  scratch_free(tmp, out_len);
  errors_end();
  return st;
}

CE1_IMPL_EXPORT int ce1_impl_hkdf_sha256_extract(const uint8_t *salt,
                                                 size_t salt_len,
                                                 const uint8_t *ikm,
                                                 size_t ikm_len,
                                                 uint8_t prk[32]) {
  if (!buf_ok(salt, salt_len) || !buf_ok(ikm, ikm_len) || prk == NULL)
    return ST_INVALID_ARGUMENT;
  return hkdf(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, salt, salt_len, ikm, ikm_len,
              NULL, 0, prk, 32);
}

CE1_IMPL_EXPORT int ce1_impl_hkdf_sha256_expand(const uint8_t *prk,
                                                size_t prk_len,
                                                const uint8_t *info,
                                                size_t info_len, uint8_t *okm,
                                                size_t okm_len) {
  if (prk == NULL || prk_len < 32 || !buf_ok(info, info_len) || okm == NULL ||
      okm_len == 0 || okm_len > HKDF_SHA256_MAX_OKM)
    return ST_INVALID_ARGUMENT;
  return hkdf(EVP_KDF_HKDF_MODE_EXPAND_ONLY, NULL, 0, prk, prk_len, info,
              info_len, okm, okm_len);
}

CE1_IMPL_EXPORT int ce1_impl_hkdf_sha256(const uint8_t *salt, size_t salt_len,
                                         const uint8_t *ikm, size_t ikm_len,
                                         const uint8_t *info, size_t info_len,
                                         uint8_t *okm, size_t okm_len) {
  if (!buf_ok(salt, salt_len) || !buf_ok(ikm, ikm_len) ||
      !buf_ok(info, info_len) || okm == NULL || okm_len == 0 ||
      okm_len > HKDF_SHA256_MAX_OKM)
    return ST_INVALID_ARGUMENT;
  return hkdf(EVP_KDF_HKDF_MODE_EXTRACT_AND_EXPAND, salt, salt_len, ikm,
              ikm_len, info, info_len, okm, okm_len);
}

/* ------------------------------------------------------------------ */
/* PBKDF2-HMAC-SHA256                                                  */
/* ------------------------------------------------------------------ */

CE1_IMPL_EXPORT int ce1_impl_pbkdf2_sha256(const uint8_t *password,
                                           size_t password_len,
                                           const uint8_t *salt, size_t salt_len,
                                           uint32_t iterations, uint8_t *dk,
                                           size_t dk_len) {
  if (!buf_ok(password, password_len) || !buf_ok(salt, salt_len) ||
      iterations == 0 || dk == NULL || dk_len == 0)
    return ST_INVALID_ARGUMENT;
  /* PKCS5_PBKDF2_HMAC takes int lengths and an int iteration count. */
  if (password_len > INT_MAX || salt_len > INT_MAX || dk_len > INT_MAX ||
      iterations > INT_MAX)
    return ST_NOT_SUPPORTED;
  errors_begin();
  int st = ST_OK;
  uint8_t *tmp = scratch_new(dk_len);
  if (tmp == NULL)
    st = ST_INTERNAL;
  else if (PKCS5_PBKDF2_HMAC((const char *)nz(password), (int)password_len,
                             nz(salt), (int)salt_len, (int)iterations,
                             EVP_sha256(), (int)dk_len, tmp) != 1)
    st = failure_status(1);
  if (st == ST_OK)
    memcpy(dk, tmp, dk_len);
  scratch_free(tmp, dk_len);
  errors_end();
  return st;
}
