/*
 * gcrypt_prim.c - the primitive C ABI of tools/ce1_prim.h over libgcrypt
 * (issue 10), so the conformance runner can measure libgcrypt itself.
 *
 * Each operation is what a careful application would write with
 * gcry_cipher_* and gcry_kdf_derive: the adapter checks the arguments
 * against the contract's domain (INVALID_ARGUMENT), then lets libgcrypt do
 * the work and reports what libgcrypt answers. Requests libgcrypt refuses
 * although the contract calls them valid come back as NOT_SUPPORTED.
 *
 * Not exported, because libgcrypt 1.10 does not offer them: the three HKDF
 * symbols (its gcrypt.h has no GCRY_KDF_HKDF; later releases add HKDF
 * through gcry_kdf_open). The runner reports them as not implemented.
 *
 * Results are computed into scratch buffers and copied out only on
 * success, so a failing call never writes to out or tag; the scratch
 * buffers are wiped before they are freed. The capacity of out is judged
 * last (ce1_prim.h), once the result is in scratch: a short buffer never
 * hides an argument error, a refusal or a forged tag. gcry_cipher_close wipes
 * the handle, which holds the key schedule.
 */
#define _DEFAULT_SOURCE /* explicit_bzero */
#include <gcrypt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ce1_prim.h"
#include "prim_common.h"

/* ------------------------------------------------------------------ */
/* Library initialisation                                              */
/* ------------------------------------------------------------------ */

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_ok;
static char description[64];

/* libgcrypt must be initialised before use (manual, "Initializing the
   library"). When the process that loaded us already did, its choices
   (secure memory, FIPS mode) stand. Otherwise the adapter is the only
   user and completes the initialisation the manual prescribes for an
   application without secure memory: without GCRYCTL_DISABLE_SECMEM,
   libgcrypt's secure allocations (gcry_kdf_derive uses them) would fail
   or warn on stderr. */
static void init_library(void) {
  const char *version = gcry_check_version(GCRYPT_VERSION);
  if (version == NULL)
    return; /* the runtime library is older than our headers */
  if (!gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P)) {
    if (gcry_control(GCRYCTL_DISABLE_SECMEM, 0) != 0)
      return;
    if (gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0) != 0)
      return;
  }
  int n = snprintf(description, sizeof description, "libgcrypt %s", version);
  if (n < 0 || (size_t)n >= sizeof description)
    return;
  init_ok = 1;
}

static int library_ready(void) {
  if (pthread_once(&init_once, init_library) != 0)
    return 0;
  return init_ok;
}

CE1_IMPL_EXPORT const char *ce1_impl_describe(void) {
  return library_ready() ? description : "libgcrypt (initialisation failed)";
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/* The status of a libgcrypt error that follows the adapter's own argument
   checks: an argument error from the library then means it refuses a
   request the contract calls valid (NOT_SUPPORTED); a verification
   failure is AUTH_FAILED; anything else (out of memory, a failed
   self-test) is INTERNAL. */
static int map_error(gcry_error_t err) {
  switch (gcry_err_code(err)) {
  case GPG_ERR_NO_ERROR:
    return ST_OK;
  case GPG_ERR_CHECKSUM:
    return ST_AUTH_FAILED;
  case GPG_ERR_WEAK_KEY:    /* XTS Key1 == Key2 (refused in FIPS mode) */
  case GPG_ERR_INV_LENGTH:  /* e.g. a GCM tag length it does not offer */
  case GPG_ERR_INV_VALUE:   /* e.g. PBKDF2 with an empty salt */
  case GPG_ERR_INV_KEYLEN:  /* a key length the contract allows */
  case GPG_ERR_CIPHER_ALGO: /* cipher compiled out or disabled */
  case GPG_ERR_DIGEST_ALGO:
  case GPG_ERR_NOT_SUPPORTED:
  case GPG_ERR_NOT_IMPLEMENTED:
  case GPG_ERR_UNSUPPORTED_ALGORITHM:
    return ST_NOT_SUPPORTED;
  default:
    return ST_INTERNAL;
  }
}

static int aes_algo(size_t key_len) {
  switch (key_len) {
  case 16:
    return GCRY_CIPHER_AES128;
  case 24:
    return GCRY_CIPHER_AES192;
  case 32:
    return GCRY_CIPHER_AES256;
  default:
    return 0;
  }
}

/* ------------------------------------------------------------------ */
/* ECB: AES and SM4                                                    */
/* ------------------------------------------------------------------ */

static int ecb(int algo, int encrypt, const uint8_t *key, size_t key_len,
               const uint8_t *in, size_t len, uint8_t *out, size_t *out_len) {
  if (!library_ready())
    return ST_INTERNAL;
  gcry_cipher_hd_t hd = NULL;
  uint8_t *tmp = scratch_new(len);
  if (tmp == NULL)
    return ST_INTERNAL;
  gcry_error_t err = gcry_cipher_open(&hd, algo, GCRY_CIPHER_MODE_ECB, 0);
  if (!err)
    err = gcry_cipher_setkey(hd, key, key_len);
  if (!err && len > 0)
    err = encrypt ? gcry_cipher_encrypt(hd, tmp, len, in, len)
                  : gcry_cipher_decrypt(hd, tmp, len, in, len);
  gcry_cipher_close(hd); /* NULL-safe; wipes the key schedule */
  int st = deliver_status(map_error(err), tmp, len, out, out_len);
  scratch_free(tmp, len);
  return st;
}

CE1_IMPL_EXPORT int ce1_impl_aes_ecb(int encrypt, const uint8_t *key,
                                     size_t key_len, const uint8_t *in,
                                     size_t len, uint8_t *out,
                                     size_t *out_len) {
  int algo = aes_algo(key_len);
  if (algo == 0 || key == NULL || !buf_ok(in, len) || len % 16 != 0 ||
      out_len == NULL || !buf_ok(out, *out_len))
    return ST_INVALID_ARGUMENT;
  return ecb(algo, encrypt, key, key_len, in, len, out, out_len);
}

/* GCRY_CIPHER_SM4 exists from libgcrypt 1.9.0. */
#if GCRYPT_VERSION_NUMBER >= 0x010900
CE1_IMPL_EXPORT int ce1_impl_sm4_ecb(int encrypt, const uint8_t *key,
                                     size_t key_len, const uint8_t *in,
                                     size_t len, uint8_t *out,
                                     size_t *out_len) {
  if (key_len != 16 || key == NULL || !buf_ok(in, len) || len % 16 != 0 ||
      out_len == NULL || !buf_ok(out, *out_len))
    return ST_INVALID_ARGUMENT;
  return ecb(GCRY_CIPHER_SM4, encrypt, key, key_len, in, len, out, out_len);
}
#endif

/* ------------------------------------------------------------------ */
/* XTS-AES                                                             */
/* ------------------------------------------------------------------ */

CE1_IMPL_EXPORT int ce1_impl_aes_xts(int encrypt, const uint8_t *key,
                                     size_t key_len, const uint8_t tweak[16],
                                     const uint8_t *in, size_t len,
                                     uint8_t *out, size_t *out_len) {
  int algo;
  if (key_len == 32)
    algo = GCRY_CIPHER_AES128;
  else if (key_len == 64)
    algo = GCRY_CIPHER_AES256;
  else
    return ST_INVALID_ARGUMENT;
  if (key == NULL || tweak == NULL || in == NULL || len < 16 ||
      len > XTS_MAX_LEN || out_len == NULL || !buf_ok(out, *out_len))
    return ST_INVALID_ARGUMENT;
  if (!library_ready())
    return ST_INTERNAL;

  gcry_cipher_hd_t hd = NULL;
  uint8_t *tmp = scratch_new(len);
  if (tmp == NULL)
    return ST_INTERNAL;
  /* The key is Key1 || Key2 as IEEE 1619 gives it; libgcrypt takes both
     halves in one setkey, and the tweak as the IV. One encrypt call is one
     data unit, with ciphertext stealing for a partial last block. */
  gcry_error_t err = gcry_cipher_open(&hd, algo, GCRY_CIPHER_MODE_XTS, 0);
  if (!err)
    err = gcry_cipher_setkey(hd, key, key_len);
  if (!err)
    err = gcry_cipher_setiv(hd, tweak, 16);
  if (!err)
    err = encrypt ? gcry_cipher_encrypt(hd, tmp, len, in, len)
                  : gcry_cipher_decrypt(hd, tmp, len, in, len);
  gcry_cipher_close(hd);
  int st = deliver_status(map_error(err), tmp, len, out, out_len);
  scratch_free(tmp, len);
  return st;
}

/* ------------------------------------------------------------------ */
/* AES-GCM                                                             */
/* ------------------------------------------------------------------ */

/* The tag lengths libgcrypt's GCM offers: SP 800-38D section 5.2.1.2's
   128, 120, 112, 104, 96, 64 and 32 bits. gcry_cipher_gettag refuses the
   others with GPG_ERR_INV_LENGTH (seal reports NOT_SUPPORTED from that),
   but gcry_cipher_checktag answers GPG_ERR_CHECKSUM for them even when
   the tag is right, which would look like a forgery; open therefore asks
   this list first so that both directions report the same NOT_SUPPORTED.
   tests/python/test_other_libs.py checks that the list and gettag agree. */
static int gcm_tag_len_offered(size_t tag_len) {
  switch (tag_len) {
  case 16:
  case 15:
  case 14:
  case 13:
  case 12:
  case 8:
  case 4:
    return 1;
  default:
    return 0;
  }
}

/* Opens a GCM handle with key and iv and feeds it the aad. */
static gcry_error_t gcm_start(gcry_cipher_hd_t *hd, const uint8_t *key,
                              size_t key_len, const uint8_t *iv, size_t iv_len,
                              const uint8_t *aad, size_t aad_len) {
  gcry_error_t err =
      gcry_cipher_open(hd, aes_algo(key_len), GCRY_CIPHER_MODE_GCM, 0);
  if (!err)
    err = gcry_cipher_setkey(*hd, key, key_len);
  if (!err)
    err = gcry_cipher_setiv(*hd, iv, iv_len);
  if (!err && aad_len > 0)
    err = gcry_cipher_authenticate(*hd, aad, aad_len);
  /* The next encrypt or decrypt call is the last one: the data is given
     in one piece. */
  if (!err)
    err = gcry_cipher_final(*hd);
  return err;
}

static int gcm_args_ok(const uint8_t *key, size_t key_len, const uint8_t *iv,
                       size_t iv_len, const uint8_t *aad, size_t aad_len,
                       const uint8_t *in, size_t len, size_t tag_len,
                       const uint8_t *out, const size_t *out_len) {
  return aes_algo(key_len) != 0 && key != NULL && iv_len >= 1 && iv != NULL &&
         buf_ok(aad, aad_len) && buf_ok(in, len) && tag_len >= 1 &&
         tag_len <= 16 && out_len != NULL && buf_ok(out, *out_len);
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
  if (!library_ready())
    return ST_INTERNAL;

  gcry_cipher_hd_t hd = NULL;
  uint8_t tag_tmp[16];
  uint8_t *tmp = scratch_new(len);
  if (tmp == NULL)
    return ST_INTERNAL;
  gcry_error_t err = gcm_start(&hd, key, key_len, iv, iv_len, aad, aad_len);
  if (!err && len > 0)
    err = gcry_cipher_encrypt(hd, tmp, len, in, len);
  if (!err)
    err = gcry_cipher_gettag(hd, tag_tmp, tag_len);
  gcry_cipher_close(hd);
  /* A seal with a short capacity writes no tag either. */
  int st = deliver_status(map_error(err), tmp, len, out, out_len);
  if (st == ST_OK)
    memcpy(tag, tag_tmp, tag_len);
  explicit_bzero(tag_tmp, sizeof tag_tmp);
  scratch_free(tmp, len);
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
  /* A tag length libgcrypt does not offer is refused before the tag is
     looked at (NOT_SUPPORTED comes before AUTH_FAILED, ce1_prim.h). */
  if (!gcm_tag_len_offered(tag_len))
    return ST_NOT_SUPPORTED;
  if (!library_ready())
    return ST_INTERNAL;

  /* checktag compares as many bytes as it is given: a truncated tag would
     be checked on its prefix only. The receiver expects tag_len bytes, so
     any other size is a forgery, AUTH_FAILED. That verdict comes after
     libgcrypt has judged the rest of the request, so the call runs as for
     a tag of tag_len bytes: the bytes that came, cut or padded with
     zeros, whose verification does not matter. */
  uint8_t tag_copy[16] = {0};
  if (tag_size > 0)
    memcpy(tag_copy, tag, tag_size < tag_len ? tag_size : tag_len);
  gcry_cipher_hd_t hd = NULL;
  /* The plaintext is released only after the tag verified. */
  uint8_t *tmp = scratch_new(len);
  if (tmp == NULL)
    return ST_INTERNAL;
  gcry_error_t err = gcm_start(&hd, key, key_len, iv, iv_len, aad, aad_len);
  if (!err && len > 0)
    err = gcry_cipher_decrypt(hd, tmp, len, in, len);
  if (!err)
    err = gcry_cipher_checktag(hd, tag_copy, tag_len);
  gcry_cipher_close(hd);
  int st = map_error(err);
  if (st == ST_OK && tag_size != tag_len)
    st = ST_AUTH_FAILED;
  st = deliver_status(st, tmp, len, out, out_len);
  explicit_bzero(tag_copy, sizeof tag_copy);
  scratch_free(tmp, len);
  return st;
}

/* ------------------------------------------------------------------ */
/* PBKDF2-HMAC-SHA256                                                  */
/* ------------------------------------------------------------------ */

CE1_IMPL_EXPORT int ce1_impl_pbkdf2_sha256(const uint8_t *password,
                                           size_t password_len,
                                           const uint8_t *salt, size_t salt_len,
                                           uint32_t iterations, uint8_t *dk,
                                           size_t dk_len) {
  static const uint8_t empty[1];
  if (!buf_ok(password, password_len) || !buf_ok(salt, salt_len) ||
      iterations == 0 || dk_len == 0 || dk == NULL)
    return ST_INVALID_ARGUMENT;
  if (!library_ready())
    return ST_INTERNAL;
  uint8_t *tmp = scratch_new(dk_len);
  if (tmp == NULL)
    return ST_INTERNAL;
  /* gcry_kdf_derive refuses a NULL passphrase even with length 0 (and a
     NULL salt), so an empty one is passed as a valid pointer; an empty salt
     is then libgcrypt's own decision (it refuses it: GPG_ERR_INV_VALUE). */
  gcry_error_t err = gcry_kdf_derive(
      password != NULL ? password : empty, password_len, GCRY_KDF_PBKDF2,
      GCRY_MD_SHA256, salt != NULL ? salt : empty, salt_len, iterations, dk_len,
      tmp);
  int st = map_error(err);
  if (st == ST_OK)
    memcpy(dk, tmp, dk_len);
  scratch_free(tmp, dk_len);
  return st;
}
