/*
 * nettle_prim.c - the primitive C ABI of tools/ce1_prim.h over GNU Nettle
 * (issue 10), so the conformance runner can measure Nettle itself.
 *
 * Each operation is what a careful application would write with Nettle's
 * typed interfaces (aes128_*, xts_aes128_*, gcm_aes128_*, hkdf_*,
 * pbkdf2_hmac_sha256). Nettle's functions return nothing and check little:
 * some guard their domain with assert(), which aborts the process (XTS
 * under one block, pbkdf2 with zero iterations), others quietly do
 * something else (hkdf_expand beyond 255 blocks lets its one-byte counter
 * wrap and goes on with counter 0). So the adapter checks the arguments
 * against the contract's domain first (INVALID_ARGUMENT), as an
 * application must, and then Nettle cannot fail.
 *
 * Not exported, because Nettle 3.8 has no SM4 (sm4.h arrived in 3.9):
 * ce1_impl_sm4_ecb. The runner reports it as not implemented.
 *
 * Nettle keeps key schedules and HMAC states in caller-owned structs; the
 * adapter's live on the stack and are wiped with explicit_bzero before
 * every return. GCM open decrypts into a scratch buffer and releases the
 * plaintext only after the tag compared equal (memeql_sec).
 *
 * The capacity of out (BUFFER_TOO_SMALL) is judged after every other
 * check (ce1_prim.h). ECB, XTS and GCM seal cannot fail once their
 * arguments are in the domain, so they check it right after that and then
 * write to out directly; GCM open checks it only after the tag verified,
 * so a short buffer never hides a forgery.
 */
#define _DEFAULT_SOURCE /* explicit_bzero */
#include <nettle/aes.h>
#include <nettle/gcm.h>
#include <nettle/hkdf.h>
#include <nettle/hmac.h>
#include <nettle/memops.h>
#include <nettle/pbkdf2.h>
#include <nettle/sha2.h>
#include <nettle/version.h>
#include <nettle/xts.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ce1_prim.h"
/* Nettle does not check XTS_MAX_LEN: it would encrypt any length. A
   zero-length input given as NULL is passed on through nz, so that Nettle
   never sees a NULL pointer (its memcpy calls would then be undefined). */
#include "prim_common.h"

/* ------------------------------------------------------------------ */
/* Description                                                         */
/* ------------------------------------------------------------------ */

static pthread_once_t describe_once = PTHREAD_ONCE_INIT;
static char description[32];

/* The version of the Nettle actually loaded, not of the headers. */
static void describe_init(void) {
  int n = snprintf(description, sizeof description, "Nettle %d.%d",
                   nettle_version_major(), nettle_version_minor());
  if (n < 0 || (size_t)n >= sizeof description)
    description[0] = '\0';
}

CE1_IMPL_EXPORT const char *ce1_impl_describe(void) {
  if (pthread_once(&describe_once, describe_init) != 0 ||
      description[0] == '\0')
    return "Nettle";
  return description;
}

/* ------------------------------------------------------------------ */
/* AES-ECB                                                             */
/* ------------------------------------------------------------------ */

CE1_IMPL_EXPORT int ce1_impl_aes_ecb(int encrypt, const uint8_t *key,
                                     size_t key_len, const uint8_t *in,
                                     size_t len, uint8_t *out,
                                     size_t *out_len) {
  if ((key_len != 16 && key_len != 24 && key_len != 32) || key == NULL ||
      !buf_ok(in, len) || len % 16 != 0 || out_len == NULL ||
      !buf_ok(out, *out_len))
    return ST_INVALID_ARGUMENT;
  if (*out_len < len)
    return ST_BUFFER_TOO_SMALL;

  union {
    struct aes128_ctx a128;
    struct aes192_ctx a192;
    struct aes256_ctx a256;
  } ctx;
  /* Nettle's block functions take any multiple of the block size and
     cannot fail once the key length is right. */
  switch (key_len) {
  case 16:
    if (encrypt) {
      aes128_set_encrypt_key(&ctx.a128, key);
      if (len > 0)
        aes128_encrypt(&ctx.a128, len, out, in);
    } else {
      aes128_set_decrypt_key(&ctx.a128, key);
      if (len > 0)
        aes128_decrypt(&ctx.a128, len, out, in);
    }
    break;
  case 24:
    if (encrypt) {
      aes192_set_encrypt_key(&ctx.a192, key);
      if (len > 0)
        aes192_encrypt(&ctx.a192, len, out, in);
    } else {
      aes192_set_decrypt_key(&ctx.a192, key);
      if (len > 0)
        aes192_decrypt(&ctx.a192, len, out, in);
    }
    break;
  default:
    if (encrypt) {
      aes256_set_encrypt_key(&ctx.a256, key);
      if (len > 0)
        aes256_encrypt(&ctx.a256, len, out, in);
    } else {
      aes256_set_decrypt_key(&ctx.a256, key);
      if (len > 0)
        aes256_decrypt(&ctx.a256, len, out, in);
    }
    break;
  }
  explicit_bzero(&ctx, sizeof ctx);
  *out_len = len;
  return ST_OK;
}

/* ------------------------------------------------------------------ */
/* XTS-AES                                                             */
/* ------------------------------------------------------------------ */

CE1_IMPL_EXPORT int ce1_impl_aes_xts(int encrypt, const uint8_t *key,
                                     size_t key_len, const uint8_t tweak[16],
                                     const uint8_t *in, size_t len,
                                     uint8_t *out, size_t *out_len) {
  /* xts_*_message asserts len >= 16 (and aborts the process): checked
     here first, as the contract's domain, with its upper end. */
  if ((key_len != 32 && key_len != 64) || key == NULL || tweak == NULL ||
      in == NULL || len < 16 || len > XTS_MAX_LEN || out_len == NULL ||
      !buf_ok(out, *out_len))
    return ST_INVALID_ARGUMENT;
  if (*out_len < len)
    return ST_BUFFER_TOO_SMALL;

  /* The key is Key1 || Key2 as IEEE 1619 gives it, which is what
     xts_aes*_set_*_key take. Nettle does not compare the halves. */
  union {
    struct xts_aes128_key k128;
    struct xts_aes256_key k256;
  } ctx;
  if (key_len == 32) {
    if (encrypt) {
      xts_aes128_set_encrypt_key(&ctx.k128, key);
      xts_aes128_encrypt_message(&ctx.k128, tweak, len, out, in);
    } else {
      xts_aes128_set_decrypt_key(&ctx.k128, key);
      xts_aes128_decrypt_message(&ctx.k128, tweak, len, out, in);
    }
  } else {
    if (encrypt) {
      xts_aes256_set_encrypt_key(&ctx.k256, key);
      xts_aes256_encrypt_message(&ctx.k256, tweak, len, out, in);
    } else {
      xts_aes256_set_decrypt_key(&ctx.k256, key);
      xts_aes256_decrypt_message(&ctx.k256, tweak, len, out, in);
    }
  }
  explicit_bzero(&ctx, sizeof ctx);
  *out_len = len;
  return ST_OK;
}

/* ------------------------------------------------------------------ */
/* AES-GCM                                                             */
/* ------------------------------------------------------------------ */

/* The gcm_aes128/192/256 interfaces (rather than the general gcm_* one)
   because they are what an application uses and where Nettle puts its
   fused AES-GCM code. */
union gcm_aes_any {
  struct gcm_aes128_ctx a128;
  struct gcm_aes192_ctx a192;
  struct gcm_aes256_ctx a256;
};

/* Sets the key and the IV (any length: Nettle hashes IVs other than 12
   bytes with GHASH as SP 800-38D says) and feeds the aad. */
static void gcm_start(union gcm_aes_any *c, const uint8_t *key, size_t key_len,
                      const uint8_t *iv, size_t iv_len, const uint8_t *aad,
                      size_t aad_len) {
  switch (key_len) {
  case 16:
    gcm_aes128_set_key(&c->a128, key);
    gcm_aes128_set_iv(&c->a128, iv_len, iv);
    if (aad_len > 0)
      gcm_aes128_update(&c->a128, aad_len, aad);
    break;
  case 24:
    gcm_aes192_set_key(&c->a192, key);
    gcm_aes192_set_iv(&c->a192, iv_len, iv);
    if (aad_len > 0)
      gcm_aes192_update(&c->a192, aad_len, aad);
    break;
  default:
    gcm_aes256_set_key(&c->a256, key);
    gcm_aes256_set_iv(&c->a256, iv_len, iv);
    if (aad_len > 0)
      gcm_aes256_update(&c->a256, aad_len, aad);
    break;
  }
}

static void gcm_crypt(union gcm_aes_any *c, size_t key_len, int encrypt,
                      size_t len, uint8_t *dst, const uint8_t *src) {
  if (len == 0)
    return;
  switch (key_len) {
  case 16:
    if (encrypt)
      gcm_aes128_encrypt(&c->a128, len, dst, src);
    else
      gcm_aes128_decrypt(&c->a128, len, dst, src);
    break;
  case 24:
    if (encrypt)
      gcm_aes192_encrypt(&c->a192, len, dst, src);
    else
      gcm_aes192_decrypt(&c->a192, len, dst, src);
    break;
  default:
    if (encrypt)
      gcm_aes256_encrypt(&c->a256, len, dst, src);
    else
      gcm_aes256_decrypt(&c->a256, len, dst, src);
    break;
  }
}

/* The leftmost tag_len (1..16) bytes of the tag. */
static void gcm_tag(union gcm_aes_any *c, size_t key_len, size_t tag_len,
                    uint8_t *tag) {
  switch (key_len) {
  case 16:
    gcm_aes128_digest(&c->a128, tag_len, tag);
    break;
  case 24:
    gcm_aes192_digest(&c->a192, tag_len, tag);
    break;
  default:
    gcm_aes256_digest(&c->a256, tag_len, tag);
    break;
  }
}

static int gcm_args_ok(const uint8_t *key, size_t key_len, const uint8_t *iv,
                       size_t iv_len, const uint8_t *aad, size_t aad_len,
                       const uint8_t *in, size_t len, size_t tag_len,
                       const uint8_t *out, const size_t *out_len) {
  return (key_len == 16 || key_len == 24 || key_len == 32) && key != NULL &&
         iv_len >= 1 && iv != NULL && buf_ok(aad, aad_len) && buf_ok(in, len) &&
         tag_len >= 1 && tag_len <= 16 && out_len != NULL &&
         buf_ok(out, *out_len);
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
  if (*out_len < len)
    return ST_BUFFER_TOO_SMALL;

  union gcm_aes_any ctx;
  gcm_start(&ctx, key, key_len, iv, iv_len, aad, aad_len);
  gcm_crypt(&ctx, key_len, 1, len, out, in);
  gcm_tag(&ctx, key_len, tag_len, tag);
  explicit_bzero(&ctx, sizeof ctx);
  *out_len = len;
  return ST_OK;
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
  /* The receiver expects tag_len bytes: a tag of any other size is a
     forgery (comparing only the bytes that came would accept a truncated
     tag). Nettle refuses nothing in the domain, so nothing else comes
     first. */
  if (tag_size != tag_len)
    return ST_AUTH_FAILED;

  /* Nettle decrypts before the tag can be checked: the plaintext goes to
     a scratch buffer until the tag compared equal. */
  uint8_t *tmp = malloc(len ? len : 1);
  if (tmp == NULL)
    return ST_INTERNAL;
  union gcm_aes_any ctx;
  uint8_t expected[GCM_DIGEST_SIZE];
  gcm_start(&ctx, key, key_len, iv, iv_len, aad, aad_len);
  gcm_crypt(&ctx, key_len, 0, len, tmp, in);
  gcm_tag(&ctx, key_len, tag_len, expected);
  int st = memeql_sec(expected, tag, tag_len) ? ST_OK : ST_AUTH_FAILED;
  /* The capacity last: a forged tag is AUTH_FAILED whatever it is. */
  if (st == ST_OK && *out_len < len)
    st = ST_BUFFER_TOO_SMALL;
  if (st == ST_OK) {
    if (len > 0)
      memcpy(out, tmp, len);
    *out_len = len;
  }
  explicit_bzero(&ctx, sizeof ctx);
  explicit_bzero(expected, sizeof expected);
  explicit_bzero(tmp, len ? len : 1);
  free(tmp);
  return st;
}

/* ------------------------------------------------------------------ */
/* HKDF-SHA256 and PBKDF2-HMAC-SHA256                                  */
/* ------------------------------------------------------------------ */

/* hkdf_extract and hkdf_expand take the MAC as a context and two
   functions of Nettle's generic types; these adapt HMAC-SHA256 to them
   with the right prototypes (instead of casting the function pointers). */
static void hmac_sha256_update_fn(void *ctx, size_t length,
                                  const uint8_t *data) {
  hmac_sha256_update(ctx, length, data);
}

static void hmac_sha256_digest_fn(void *ctx, size_t length, uint8_t *digest) {
  hmac_sha256_digest(ctx, length, digest);
}

/* PRK = HMAC-SHA256(salt, IKM). An empty salt is an empty HMAC key, which
   HMAC pads with zeros: the same as RFC 5869's HashLen zero bytes. */
static void hkdf_extract_sha256(const uint8_t *salt, size_t salt_len,
                                const uint8_t *ikm, size_t ikm_len,
                                uint8_t prk[SHA256_DIGEST_SIZE]) {
  struct hmac_sha256_ctx h;
  hmac_sha256_set_key(&h, salt_len, nz(salt));
  hkdf_extract(&h, hmac_sha256_update_fn, hmac_sha256_digest_fn,
               SHA256_DIGEST_SIZE, ikm_len, nz(ikm), prk);
  explicit_bzero(&h, sizeof h);
}

static void hkdf_expand_sha256(const uint8_t *prk, size_t prk_len,
                               const uint8_t *info, size_t info_len,
                               uint8_t *okm, size_t okm_len) {
  struct hmac_sha256_ctx h;
  hmac_sha256_set_key(&h, prk_len, prk);
  hkdf_expand(&h, hmac_sha256_update_fn, hmac_sha256_digest_fn,
              SHA256_DIGEST_SIZE, info_len, nz(info), okm_len, okm);
  explicit_bzero(&h, sizeof h);
}

CE1_IMPL_EXPORT int ce1_impl_hkdf_sha256_extract(const uint8_t *salt,
                                                 size_t salt_len,
                                                 const uint8_t *ikm,
                                                 size_t ikm_len,
                                                 uint8_t prk[32]) {
  if (!buf_ok(salt, salt_len) || !buf_ok(ikm, ikm_len) || prk == NULL)
    return ST_INVALID_ARGUMENT;
  hkdf_extract_sha256(salt, salt_len, ikm, ikm_len, prk);
  return ST_OK;
}

CE1_IMPL_EXPORT int ce1_impl_hkdf_sha256_expand(const uint8_t *prk,
                                                size_t prk_len,
                                                const uint8_t *info,
                                                size_t info_len, uint8_t *okm,
                                                size_t okm_len) {
  /* hkdf_expand does not enforce RFC 5869's limit (its block counter is a
     uint8_t that would wrap), so the adapter does. */
  if (prk == NULL || prk_len < SHA256_DIGEST_SIZE || !buf_ok(info, info_len) ||
      okm == NULL || okm_len == 0 || okm_len > HKDF_SHA256_MAX_OKM)
    return ST_INVALID_ARGUMENT;
  hkdf_expand_sha256(prk, prk_len, info, info_len, okm, okm_len);
  return ST_OK;
}

CE1_IMPL_EXPORT int ce1_impl_hkdf_sha256(const uint8_t *salt, size_t salt_len,
                                         const uint8_t *ikm, size_t ikm_len,
                                         const uint8_t *info, size_t info_len,
                                         uint8_t *okm, size_t okm_len) {
  if (!buf_ok(salt, salt_len) || !buf_ok(ikm, ikm_len) ||
      !buf_ok(info, info_len) || okm == NULL || okm_len == 0 ||
      okm_len > HKDF_SHA256_MAX_OKM)
    return ST_INVALID_ARGUMENT;
  uint8_t prk[SHA256_DIGEST_SIZE];
  hkdf_extract_sha256(salt, salt_len, ikm, ikm_len, prk);
  hkdf_expand_sha256(prk, sizeof prk, info, info_len, okm, okm_len);
  explicit_bzero(prk, sizeof prk);
  return ST_OK;
}

CE1_IMPL_EXPORT int ce1_impl_pbkdf2_sha256(const uint8_t *password,
                                           size_t password_len,
                                           const uint8_t *salt, size_t salt_len,
                                           uint32_t iterations, uint8_t *dk,
                                           size_t dk_len) {
  /* Nettle 3.8's pbkdf2 asserts iterations > 0 (aborting the process);
     the contract calls zero iterations or length INVALID_ARGUMENT, checked
     here. */
  if (!buf_ok(password, password_len) || !buf_ok(salt, salt_len) ||
      iterations == 0 || dk == NULL || dk_len == 0)
    return ST_INVALID_ARGUMENT;
  pbkdf2_hmac_sha256(password_len, nz(password), iterations, salt_len, nz(salt),
                     dk_len, dk);
  return ST_OK;
}
