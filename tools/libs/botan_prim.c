/*
 * botan_prim.c - the primitive C ABI of tools/ce1_prim.h over Botan 2's C
 * API, botan/ffi.h (issue 10), so the conformance runner can measure an
 * independent implementation of the primitives CE1 is built from.
 *
 * Everything goes through the FFI, as a C application would use Botan:
 * block ciphers through botan_block_cipher_* ("AES-128", "SM4"), XTS and
 * GCM through botan_cipher_* ("AES-128/XTS", "AES-128/GCM(16)"), HKDF
 * through botan_kdf ("HKDF-Extract(SHA-256)", "HKDF-Expand(SHA-256)",
 * "HKDF(SHA-256)") and PBKDF2 through botan_pwdhash ("PBKDF2(SHA-256)").
 * Debian 12's Botan 2.19 is built with all of them (botan/build.h:
 * BOTAN_HAS_AES, _SM4, _MODE_XTS, _AEAD_GCM, _HKDF, _PBKDF2), so every
 * primitive is exported, each only when build.h says it is compiled in.
 *
 * Division of labour, the same in the three library adapters:
 *  - the adapter owns the ABI's own rules: a NULL pointer with a non-zero
 *    length (INVALID_ARGUMENT), the output capacity (BUFFER_TOO_SMALL,
 *    checked after the computation, which runs into a scratch buffer so
 *    that nothing reaches out on any failure), the GCM rule that a tag of
 *    another size than tag_len is AUTH_FAILED (applied once Botan has
 *    judged the other arguments: argument errors and refusals come first,
 *    ce1_prim.h), XTS's limit of 2^20 blocks per data unit (SP 800-38E),
 *    which Botan does not check, and the translations the FFI needs from
 *    the caller: an algorithm name chosen from the key
 *    length (AES-128/192/256; for XTS only the IEEE 1619 sizes, 32 and 64
 *    bytes) and a block count for ECB (a partial block cannot be
 *    expressed). What cannot be translated is INVALID_ARGUMENT. Also
 *    HKDF output lengths over 255 * 32: see below;
 *  - every other argument goes to Botan unchanged (the SM4 key length, the
 *    tag length in the GCM name, IV, data and output lengths, the PRK,
 *    the iteration count), and its failures are mapped: AUTH_FAILED for
 *    BOTAN_FFI_ERROR_BAD_MAC, INVALID_ARGUMENT when an argument is outside
 *    the operation's domain as ce1_prim.h defines it, otherwise
 *    NOT_SUPPORTED for a refusal and INTERNAL for any other failure. What
 *    Botan accepts stays accepted, so the runner sees its behaviour.
 *
 * HKDF output length. Botan 2.19's HKDF_Expand::kdf stops after 255
 * blocks without an error and returns the bytes it wrote, and botan_kdf
 * discards that count and returns success: asked for 8161 bytes it
 * returns 0 with the last byte never written (checked against the
 * installed library). Since the FFI cannot tell a short write, the
 * adapter refuses okm_len > 8160 itself (INVALID_ARGUMENT, RFC 5869's
 * L <= 255 * HashLen); otherwise it would return bytes Botan never
 * produced.
 *
 * Key material: Botan keeps keys and key schedules in secure_vector, which
 * it zeroes when an object is destroyed; the adapter's own copies (the
 * scratch buffers, the ct || tag input of open) are wiped here.
 */
#define _DEFAULT_SOURCE /* explicit_bzero (glibc) */

#include <botan/build.h>
#include <botan/ffi.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ce1_prim.h"
#include "prim_common.h"

/* The FFI's codes for an argument Botan does not take or an algorithm
   name it does not know; the rest (memory, system, internal, object-state
   errors) are failures. */
static int refused(int rc) {
  return rc == BOTAN_FFI_ERROR_INVALID_INPUT ||
         rc == BOTAN_FFI_ERROR_BAD_PARAMETER ||
         rc == BOTAN_FFI_ERROR_INVALID_KEY_LENGTH ||
         rc == BOTAN_FFI_ERROR_NOT_IMPLEMENTED;
}

/* Maps an FFI return value; in_domain says whether the arguments are
   inside the operation's domain as ce1_prim.h defines it. Outside it, any
   failure is the argument's (INVALID_ARGUMENT, however Botan words it: an
   XTS input under 16 bytes, for one, comes back from Botan 2.19 as
   BOTAN_FFI_ERROR_INTERNAL_ERROR); inside it, a refusal is
   NOT_SUPPORTED and the rest INTERNAL. */
static int map_rc(int rc, int in_domain) {
  if (rc == BOTAN_FFI_SUCCESS) {
    return ST_OK;
  }
  if (rc == BOTAN_FFI_ERROR_BAD_MAC) {
    return ST_AUTH_FAILED;
  }
  return failed_status(refused(rc), in_domain);
}

static pthread_once_t describe_once = PTHREAD_ONCE_INIT;
static char describe_buf[64];

static void describe_init(void) {
  /* The runtime library's version, which is what is measured. */
  int n =
      snprintf(describe_buf, sizeof describe_buf, "Botan %u.%u.%u",
               (unsigned)botan_version_major(), (unsigned)botan_version_minor(),
               (unsigned)botan_version_patch());
  if (n < 0 || (size_t)n >= sizeof describe_buf) {
    describe_buf[0] = '\0';
  }
}

CE1_IMPL_EXPORT const char *ce1_impl_describe(void) {
  if (pthread_once(&describe_once, describe_init) != 0 ||
      describe_buf[0] == '\0') {
    return "Botan";
  }
  return describe_buf;
}

/* Botan's AES names by key length; NULL for a length AES does not have. */
static const char *aes_name(size_t key_len) {
  switch (key_len) {
  case 16:
    return "AES-128";
  case 24:
    return "AES-192";
  case 32:
    return "AES-256";
  default:
    return NULL;
  }
}

#if defined(BOTAN_HAS_AES) || defined(BOTAN_HAS_SM4)
/* ECB through the raw block cipher interface: Botan has no ECB mode in its
   C API, and ECB is the block cipher applied to each block in turn, which
   botan_block_cipher_*_blocks does for a block count. */
static int block_ecb(const char *name, int in_domain, int encrypt,
                     const uint8_t *key, size_t key_len, const uint8_t *in,
                     size_t len, uint8_t *out, size_t *out_len) {
  uint8_t *res = scratch_new(len);
  if (res == NULL) {
    return ST_INTERNAL;
  }
  botan_block_cipher_t bc = NULL;
  int rc = botan_block_cipher_init(&bc, name);
  if (rc == BOTAN_FFI_SUCCESS) {
    rc = botan_block_cipher_set_key(bc, nz(key), key_len);
  }
  if (rc == BOTAN_FFI_SUCCESS) {
    rc = encrypt ? botan_block_cipher_encrypt_blocks(bc, nz(in), res, len / 16)
                 : botan_block_cipher_decrypt_blocks(bc, nz(in), res, len / 16);
  }
  /* Destroying the object zeroes its key schedule; a failure to destroy
     is a failure of the call. */
  int rc_destroy = bc != NULL ? botan_block_cipher_destroy(bc) : 0;
  int st = map_rc(rc, in_domain);
  if (st == ST_OK && rc_destroy != BOTAN_FFI_SUCCESS) {
    st = ST_INTERNAL;
  }
  if (st == ST_OK) {
    st = deliver(res, len, out, out_len);
  }
  scratch_free(res, len);
  return st;
}
#endif

#ifdef BOTAN_HAS_AES
CE1_IMPL_EXPORT int ce1_impl_aes_ecb(int encrypt, const uint8_t *key,
                                     size_t key_len, const uint8_t *in,
                                     size_t len, uint8_t *out,
                                     size_t *out_len) {
  /* encrypt: nonzero encrypts, 0 decrypts (ce1_prim.h). */
  if (out_len == NULL || bad_buf(key, key_len) || bad_buf(in, len) ||
      bad_buf(out, *out_len)) {
    return ST_INVALID_ARGUMENT;
  }
  const char *name = aes_name(key_len);
  /* The name carries the key size and the FFI takes whole blocks: a key
     length AES lacks, or a partial block, cannot be passed to Botan. */
  if (name == NULL || len % 16 != 0) {
    return ST_INVALID_ARGUMENT;
  }
  return block_ecb(name, 1, encrypt, key, key_len, in, len, out, out_len);
}
#endif

#ifdef BOTAN_HAS_SM4
CE1_IMPL_EXPORT int ce1_impl_sm4_ecb(int encrypt, const uint8_t *key,
                                     size_t key_len, const uint8_t *in,
                                     size_t len, uint8_t *out,
                                     size_t *out_len) {
  if (out_len == NULL || bad_buf(key, key_len) || bad_buf(in, len) ||
      bad_buf(out, *out_len)) {
    return ST_INVALID_ARGUMENT;
  }
  if (len % 16 != 0) {
    return ST_INVALID_ARGUMENT; /* no partial block through the FFI */
  }
  /* The key length is Botan's to judge (botan_block_cipher_set_key). */
  return block_ecb("SM4", key_len == 16, encrypt, key, key_len, in, len, out,
                   out_len);
}
#endif

#if defined(BOTAN_HAS_MODE_XTS) || defined(BOTAN_HAS_AEAD_GCM)
/* Runs a botan_cipher_t over a whole message (one final update) into res,
   which has room for res_cap bytes; *res_len gets the bytes produced. */
static int cipher_run(botan_cipher_t c, const uint8_t *in, size_t len,
                      uint8_t *res, size_t res_cap, size_t *res_len) {
  size_t written = 0, consumed = 0;
  int rc = botan_cipher_update(c, BOTAN_CIPHER_UPDATE_FLAG_FINAL, res, res_cap,
                               &written, nz(in), len, &consumed);
  if (rc == BOTAN_FFI_SUCCESS && (consumed != len || written > res_cap)) {
    rc = BOTAN_FFI_ERROR_INTERNAL_ERROR;
  }
  *res_len = written;
  return rc;
}
#endif

#ifdef BOTAN_HAS_MODE_XTS
CE1_IMPL_EXPORT int ce1_impl_aes_xts(int encrypt, const uint8_t *key,
                                     size_t key_len, const uint8_t tweak[16],
                                     const uint8_t *in, size_t len,
                                     uint8_t *out, size_t *out_len) {
  if (out_len == NULL || tweak == NULL || bad_buf(key, key_len) ||
      bad_buf(in, len) || bad_buf(out, *out_len)) {
    return ST_INVALID_ARGUMENT;
  }
  /* The name carries the AES size: only XTS-AES-128 and XTS-AES-256 of
     IEEE 1619 are translated (Botan also has AES-192/XTS, which the ABI
     does not define). The data length is Botan's to judge. */
  const char *name = key_len == 32   ? "AES-128/XTS"
                     : key_len == 64 ? "AES-256/XTS"
                                     : NULL;
  if (name == NULL) {
    return ST_INVALID_ARGUMENT;
  }
  /* Botan encrypts a data unit of any length; the limit of 2^20 blocks is
     checked here. */
  if (len > XTS_MAX_LEN) {
    return ST_INVALID_ARGUMENT;
  }
  int in_domain = len >= 16;
  uint8_t *res = scratch_new(len);
  if (res == NULL) {
    return ST_INTERNAL;
  }
  size_t res_len = 0;
  botan_cipher_t c = NULL;
  int rc = botan_cipher_init(&c, name,
                             encrypt ? BOTAN_CIPHER_INIT_FLAG_ENCRYPT
                                     : BOTAN_CIPHER_INIT_FLAG_DECRYPT);
  if (rc == BOTAN_FFI_SUCCESS) {
    rc = botan_cipher_set_key(c, key, key_len);
  }
  if (rc == BOTAN_FFI_SUCCESS) {
    /* The tweak is XTS's nonce in Botan (16 bytes, encrypted with Key2). */
    rc = botan_cipher_start(c, tweak, 16);
  }
  if (rc == BOTAN_FFI_SUCCESS) {
    rc = cipher_run(c, in, len, res, len, &res_len);
  }
  int rc_destroy = c != NULL ? botan_cipher_destroy(c) : 0;
  int st = map_rc(rc, in_domain);
  if (st == ST_OK && (rc_destroy != BOTAN_FFI_SUCCESS || res_len != len)) {
    st = ST_INTERNAL;
  }
  if (st == ST_OK) {
    st = deliver(res, len, out, out_len);
  }
  scratch_free(res, len);
  return st;
}
#endif /* BOTAN_HAS_MODE_XTS */

#ifdef BOTAN_HAS_AEAD_GCM

/* A GCM cipher object for a key length and tag length: the name is, e.g.,
   "AES-128/GCM(16)". Returns an FFI code; *c is NULL on failure. */
static int gcm_init(botan_cipher_t *c, size_t key_len, size_t tag_len,
                    uint32_t flags) {
  char name[64];
  *c = NULL;
  int n =
      snprintf(name, sizeof name, "%s/GCM(%zu)", aes_name(key_len), tag_len);
  if (n < 0 || (size_t)n >= sizeof name) {
    return BOTAN_FFI_ERROR_INTERNAL_ERROR;
  }
  return botan_cipher_init(c, name, flags);
}

/* Keys a GCM object and starts the message: set_key, then the associated
   data, then the nonce (Botan's order for AEADs). */
static int gcm_begin(botan_cipher_t c, const uint8_t *key, size_t key_len,
                     const uint8_t *iv, size_t iv_len, const uint8_t *aad,
                     size_t aad_len) {
  int rc = botan_cipher_set_key(c, key, key_len);
  if (rc == BOTAN_FFI_SUCCESS) {
    rc = botan_cipher_set_associated_data(c, nz(aad), aad_len);
  }
  if (rc == BOTAN_FFI_SUCCESS) {
    rc = botan_cipher_start(c, nz(iv), iv_len);
  }
  return rc;
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
  if (aes_name(key_len) == NULL) {
    return ST_INVALID_ARGUMENT; /* the name carries the AES size */
  }
  /* The tag length goes into the name unchecked: Botan judges it. The
     output is ciphertext || tag. */
  if (len > SIZE_MAX - tag_len) {
    return ST_INVALID_ARGUMENT;
  }
  int in_domain = gcm_iv_tag_ok(iv_len, tag_len);
  size_t res_cap = len + tag_len;
  uint8_t *res = scratch_new(res_cap);
  if (res == NULL) {
    return ST_INTERNAL;
  }
  size_t res_len = 0;
  botan_cipher_t c = NULL;
  int rc = gcm_init(&c, key_len, tag_len, BOTAN_CIPHER_INIT_FLAG_ENCRYPT);
  if (rc == BOTAN_FFI_SUCCESS) {
    rc = gcm_begin(c, key, key_len, iv, iv_len, aad, aad_len);
  }
  if (rc == BOTAN_FFI_SUCCESS) {
    rc = cipher_run(c, in, len, res, res_cap, &res_len);
  }
  int rc_destroy = c != NULL ? botan_cipher_destroy(c) : 0;
  int st = map_rc(rc, in_domain);
  if (st == ST_OK && (rc_destroy != BOTAN_FFI_SUCCESS || res_len != res_cap)) {
    st = ST_INTERNAL;
  }
  if (st == ST_OK && *out_len < len) {
    st = ST_BUFFER_TOO_SMALL;
  }
  if (st == ST_OK) {
    st = deliver(res, len, out, out_len);
    if (tag_len != 0) {
      memcpy(tag, res + len, tag_len);
    }
  }
  scratch_free(res, res_cap);
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
  /* The receiver expects tag_len bytes; a tag of another size is a forgery.
     This is the ABI's rule, applied by the adapter (Botan takes
     ciphertext || tag and would split off whatever its configured tag
     size is) after Botan has judged the rest of the request: a bad key,
     an empty IV, a tag length Botan does not offer come first
     (ce1_prim.h). So the call runs with a tag of tag_len bytes, the bytes
     that came cut or padded with zeros, and Botan's verdict on them does
     not matter. An expected length outside 1..16 is a bad configuration,
     whatever came. */
  int wrong_size = tag_size != tag_len;
  if (wrong_size && (tag_len < 1 || tag_len > 16)) {
    return ST_INVALID_ARGUMENT;
  }
  if (aes_name(key_len) == NULL) {
    return ST_INVALID_ARGUMENT; /* the name carries the AES size */
  }
  if (len > SIZE_MAX - tag_len) {
    return ST_INVALID_ARGUMENT;
  }
  int in_domain = gcm_iv_tag_ok(iv_len, tag_len);
  /* Botan's GCM decryption takes the tag appended to the ciphertext. */
  size_t msg_len = len + tag_len;
  uint8_t *msg = scratch_new(msg_len);
  uint8_t *res = scratch_new(len);
  if (msg == NULL || res == NULL) {
    scratch_free(msg, msg_len);
    scratch_free(res, len);
    return ST_INTERNAL;
  }
  if (len != 0) {
    memcpy(msg, in, len);
  }
  /* The tag: tag_len bytes, of which the first min(tag_size, tag_len) are
     the ones that came (all of them when the size is right). */
  size_t tag_copy = tag_size < tag_len ? tag_size : tag_len;
  if (tag_len != 0) {
    memset(msg + len, 0, tag_len);
  }
  if (tag_copy != 0) {
    memcpy(msg + len, tag, tag_copy);
  }
  size_t res_len = 0;
  botan_cipher_t c = NULL;
  int rc = gcm_init(&c, key_len, tag_len, BOTAN_CIPHER_INIT_FLAG_DECRYPT);
  if (rc == BOTAN_FFI_SUCCESS) {
    rc = gcm_begin(c, key, key_len, iv, iv_len, aad, aad_len);
  }
  if (rc == BOTAN_FFI_SUCCESS) {
    rc = cipher_run(c, msg, msg_len, res, len, &res_len);
  }
  int rc_destroy = c != NULL ? botan_cipher_destroy(c) : 0;
  int st = map_rc(rc, in_domain);
  if (st == ST_OK && (rc_destroy != BOTAN_FFI_SUCCESS || res_len != len)) {
    st = ST_INTERNAL;
  }
  if (st == ST_OK && wrong_size) {
    st = ST_AUTH_FAILED;
  }
  if (st == ST_OK) {
    st = deliver(res, len, out, out_len);
  }
  scratch_free(msg, msg_len);
  scratch_free(res, len);
  return st;
}
#endif /* BOTAN_HAS_AEAD_GCM */

#ifdef BOTAN_HAS_HKDF

CE1_IMPL_EXPORT int ce1_impl_hkdf_sha256_extract(const uint8_t *salt,
                                                 size_t salt_len,
                                                 const uint8_t *ikm,
                                                 size_t ikm_len,
                                                 uint8_t prk[32]) {
  if (prk == NULL || bad_buf(salt, salt_len) || bad_buf(ikm, ikm_len)) {
    return ST_INVALID_ARGUMENT;
  }
  uint8_t res[32];
  /* botan_kdf(algo, out, out_len, secret, salt, label): the IKM is the
     secret; HKDF-Extract takes no label. An empty salt is HashLen zero
     bytes in Botan, as RFC 5869 says. */
  int rc = botan_kdf("HKDF-Extract(SHA-256)", res, sizeof res, nz(ikm), ikm_len,
                     nz(salt), salt_len, nz(NULL), 0);
  int st = map_rc(rc, 1);
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
  if (okm_len > HKDF_SHA256_MAX_OKM) {
    return ST_INVALID_ARGUMENT; /* Botan would write 8160 bytes: see top */
  }
  int in_domain = prk_len >= 32 && okm_len >= 1;
  uint8_t *res = scratch_new(okm_len);
  if (res == NULL) {
    return ST_INTERNAL;
  }
  /* HKDF-Expand: the PRK is the secret; Botan's info is label || salt, so
     the whole info goes in as the label and the salt is empty. */
  int rc = botan_kdf("HKDF-Expand(SHA-256)", res, okm_len, nz(prk), prk_len,
                     nz(NULL), 0, nz(info), info_len);
  int st = map_rc(rc, in_domain);
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
  if (okm_len > HKDF_SHA256_MAX_OKM) {
    return ST_INVALID_ARGUMENT; /* Botan would write 8160 bytes: see top */
  }
  int in_domain = okm_len >= 1;
  uint8_t *res = scratch_new(okm_len);
  if (res == NULL) {
    return ST_INTERNAL;
  }
  /* HKDF(SHA-256): secret = IKM, salt = salt, label = info. */
  int rc = botan_kdf("HKDF(SHA-256)", res, okm_len, nz(ikm), ikm_len, nz(salt),
                     salt_len, nz(info), info_len);
  int st = map_rc(rc, in_domain);
  if (st == ST_OK && okm_len != 0) {
    memcpy(okm, res, okm_len);
  }
  scratch_free(res, okm_len);
  return st;
}
#endif /* BOTAN_HAS_HKDF */

#ifdef BOTAN_HAS_PBKDF2
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
  uint8_t *res = scratch_new(dk_len);
  if (res == NULL) {
    return ST_INTERNAL;
  }
  /* botan_pwdhash (the FFI's replacement for the deprecated botan_pbkdf,
     which takes a C string): PBKDF2's one parameter is the iteration
     count. The password is taken as password_len bytes, binary-safe; a
     length of 0 makes Botan call strlen on it, so an empty password is
     passed as the empty C string, whose strlen is 0. */
  int rc = botan_pwdhash("PBKDF2(SHA-256)", iterations, 0, 0, res, dk_len,
                         password_len != 0 ? (const char *)password : "",
                         password_len, nz(salt), salt_len);
  int st = map_rc(rc, in_domain);
  if (st == ST_OK && dk_len != 0) {
    memcpy(dk, res, dk_len);
  }
  scratch_free(res, dk_len);
  return st;
}
#endif /* BOTAN_HAS_PBKDF2 */
