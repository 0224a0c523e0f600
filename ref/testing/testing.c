/*
 * testing.c - the testing interface (chanenc_testing.h): protect with a
 * caller-chosen packet number, and the fault-injection controls. Built into
 * the static library chanenc_testing only, never into the production
 * libchanenc. The protect functions take the same one path as ce_protect
 * (ce__protect_to), only with the packet number given.
 */
#include "chanenc_testing.h"
#include "backend.h"
#include "internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

ce_status ce_testing_protect_pn(ce_ctx *ctx, uint64_t pn, uint8_t *buf,
                                size_t *len, size_t cap) {
  if (buf == NULL || len == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  return ce__protect_to(ctx, 1, pn, buf, *len, buf, cap, len);
}

ce_status ce_testing_protect_pn_into(ce_ctx *ctx, uint64_t pn,
                                     const uint8_t *in, size_t in_len,
                                     uint8_t *out, size_t *out_len) {
  if (out_len == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  return ce__protect_to(ctx, 1, pn, in, in_len, out, *out_len, out_len);
}

/* One GCM operation of one backend in library memory, copied out on
   success (chanenc_testing.h). */
static ce_status ce__gcm_backend_op(int enc, int backend, const uint8_t *key,
                                    size_t key_len, const uint8_t *iv,
                                    size_t iv_len, const uint8_t *aad,
                                    size_t aad_len, const uint8_t *in,
                                    size_t len, uint8_t *out, uint8_t *tag,
                                    size_t tag_len) {
  static const uint8_t none[1];
  if ((backend != CE_BACKEND_OPENSSL && backend != CE_BACKEND_IPSECMB) ||
      key == NULL || (key_len != 16 && key_len != 32) || iv == NULL ||
      iv_len != 12 || (aad == NULL && aad_len) ||
      ((in == NULL || out == NULL) && len) || tag == NULL || tag_len == 0 ||
      tag_len > 16)
    return CE_ERR_INVALID_ARGUMENT;
  if (!ce__fits_int(aad_len) || !ce__fits_int(len))
    return CE_ERR_TOO_LARGE;
  if (!ce__gcm_backend_usable(backend))
    return CE_ERR_NOT_SUPPORTED;
  const ce__gcm_backend *b = ce__gcm_backend_of(backend);
  ce__err_mark();
  void *k = NULL;
  uint8_t full[16];
  uint8_t *tmp = ce__malloc(len ? len : 1);
  ce_status st = tmp == NULL ? CE_ERR_INTERNAL : b->key_new(key, key_len, &k);
  if (st == CE_OK && enc) {
    st = b->seal(k, iv, aad ? aad : none, aad_len, in ? in : none, len, tmp,
                 full);
  } else if (st == CE_OK) {
    memcpy(full, tag, tag_len);
    st = b->open(k, iv, aad ? aad : none, aad_len, in ? in : none, len, full,
                 tag_len, tmp);
  }
  if (st == CE_OK) {
    if (len)
      memcpy(out, tmp, len);
    if (enc)
      memcpy(tag, full, tag_len);
  }
  if (tmp != NULL) {
    ce_wipe(tmp, len ? len : 1);
    free(tmp);
  }
  ce_wipe(full, sizeof full);
  b->key_free(k);
  ce__err_pop();
  return st;
}

ce_status ce_testing_gcm_backend_encrypt(int backend, const uint8_t *key,
                                         size_t key_len, const uint8_t *iv,
                                         size_t iv_len, const uint8_t *aad,
                                         size_t aad_len, const uint8_t *in,
                                         size_t len, uint8_t *out, uint8_t *tag,
                                         size_t tag_len) {
  return ce__gcm_backend_op(1, backend, key, key_len, iv, iv_len, aad, aad_len,
                            in, len, out, tag, tag_len);
}

ce_status ce_testing_gcm_backend_decrypt(int backend, const uint8_t *key,
                                         size_t key_len, const uint8_t *iv,
                                         size_t iv_len, const uint8_t *aad,
                                         size_t aad_len, const uint8_t *in,
                                         size_t len, const uint8_t *tag,
                                         size_t tag_len, uint8_t *out) {
  /* The tag is only read when decrypting. */
  return ce__gcm_backend_op(0, backend, key, key_len, iv, iv_len, aad, aad_len,
                            in, len, out, (uint8_t *)(uintptr_t)tag, tag_len);
}

/* One ECB block cipher call of one backend on a bare context that holds
   only the backend's keys (chanenc_testing.h). */
ce_status ce_testing_ecb_backend_crypt(int backend, ce_block_cipher bc,
                                       int encrypt, const uint8_t *key,
                                       size_t key_len, const uint8_t *in,
                                       size_t len, uint8_t *out) {
  if ((backend != CE_BACKEND_OPENSSL && backend != CE_BACKEND_SM4SIMD) ||
      (bc != CE_BLOCK_AES && bc != CE_BLOCK_SM4) || key == NULL ||
      key_len != 16 || ((in == NULL || out == NULL) && len) ||
      len % CE__BLOCK != 0)
    return CE_ERR_INVALID_ARGUMENT;
  if (len > CE__MAX_BODY)
    return CE_ERR_TOO_LARGE;
  int mode = bc == CE_BLOCK_SM4 ? CE_MODE_SM4_128_ECB : CE_MODE_AES_128_ECB;
  int chosen;
  if (ce_backend_select(backend, mode, &chosen) != CE_OK)
    return CE_ERR_NOT_SUPPORTED;
  if (len == 0)
    return CE_OK;
  const ce__ecb_backend *b = ce__ecb_backend_of(backend);
  ce__err_mark();
  ce_derived d;
  memset(&d, 0, sizeof d);
  memcpy(d.enc_key, key, key_len);
  d.enc_key_len = key_len;
  ce_ctx *ctx = ce__calloc(1, sizeof *ctx);
  uint8_t *tmp = ctx ? ce__malloc(len) : NULL;
  ce_status st = CE_ERR_INTERNAL;
  if (tmp != NULL) {
    ctx->mi = ce__mode(mode);
    ctx->ecb = b;
    st = b->key_init(ctx, &d);
  }
  if (st == CE_OK)
    st =
        encrypt ? b->encrypt(ctx, in, tmp, len) : b->decrypt(ctx, in, tmp, len);
  if (st == CE_OK)
    memcpy(out, tmp, len);
  if (tmp != NULL) {
    ce_wipe(tmp, len);
    free(tmp);
  }
  ce_wipe(&d, sizeof d);
  ce_ctx_free(ctx); /* no buffers: frees the keys and wipes */
  ce__err_pop();
  return st;
}

#ifdef CE_FAULT_INJECTION
void ce__fault_control(unsigned long nth);
unsigned long ce__fault_hits(void);
const char *ce__fault_fired(void);

int ce_testing_fault_available(void) {
  return 1;
}
void ce_testing_fault_arm(unsigned long nth) {
  ce__fault_control(nth);
}
unsigned long ce_testing_fault_hits(void) {
  return ce__fault_hits();
}
const char *ce_testing_fault_fired(void) {
  return ce__fault_fired();
}
void ce_testing_backend_hide(unsigned mask) {
  ce__backend_hide(mask);
}
void ce_testing_backend_reset(void) {
  ce__backend_reset();
}
#else
int ce_testing_fault_available(void) {
  return 0;
}
void ce_testing_fault_arm(unsigned long nth) {
  (void)nth;
}
unsigned long ce_testing_fault_hits(void) {
  return 0;
}
const char *ce_testing_fault_fired(void) {
  return NULL;
}
void ce_testing_backend_hide(unsigned mask) {
  (void)mask;
}
void ce_testing_backend_reset(void) {}
#endif

unsigned long ce_testing_channel_queue(const ce_channel *ch, int receive) {
  if (ch == NULL)
    return 0;
  uint64_t n = ce__channel_queue(ch, receive);
  return n > ULONG_MAX ? ULONG_MAX : (unsigned long)n;
}
