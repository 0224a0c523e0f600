/*
 * backend_ipsecmb_gcm.c - the GCM family on intel-ipsec-mb (backend.h).
 * Compiled only when CMake found the library (CE_HAVE_IPSECMB).
 *
 * Per context, in key_new (never per packet): an IMB_MGR from
 * alloc_mb_mgr, set up by init_mb_mgr_auto, which detects the CPU at run
 * time (the AVX-512 + VAES code on this project's machines, SSE, AVX or
 * AVX2 code elsewhere); the key expanded once by the manager's GCM key
 * setup (IMB_AES128_GCM_PRE / IMB_AES256_GCM_PRE) into a struct
 * gcm_key_data that the state owns; and the manager's one-shot encrypt and
 * decrypt functions for the key length (what IMB_AES128_GCM_ENC / _DEC
 * and their 256-bit pair call), taken from the manager once. Per packet:
 * one call, nothing allocated, nothing locked.
 *
 * Directions. The direct API keeps its per-operation state in a struct
 * gcm_context_data that the caller passes in. Seal and open each have
 * their own, on separate cache lines; the manager and the key data are
 * only read after key_new. So one thread may seal while another opens.
 *
 * Errors. init_mb_mgr_auto reports through the manager (imb_get_errno
 * (mgr)). The direct API reports only bad arguments (NULL pointers, lengths
 * out of range; in a SAFE_PARAM build of the library) and only through
 * imb_errno, one variable for the whole process that every ipsec-mb call
 * of every thread resets or sets (in 1.3 imb_get_errno(mgr) also returns
 * it when the manager's own status is 0). Both are read once, right after
 * the manager's setup and the key expansion, where a failure would be
 * ours: another thread's failing ipsec-mb call at that very moment could
 * only make ce_ctx_new fail (CE_ERR_INTERNAL), never pass a bad state.
 * Neither is read per packet: there every argument is valid by
 * construction (non-NULL pointers, at most 65,535 bytes, 12-byte IV,
 * 16-byte tag), so the calls cannot fail, and the shared variable could
 * only report another thread's call. The tag is
 * compared in constant time (CRYPTO_memcmp); the key data is wiped
 * (OPENSSL_cleanse) before it is freed.
 */
#include "backend.h"
#include "internal.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include <intel-ipsec-mb.h>
#include <openssl/crypto.h>

/* Alignment of the state: the key data's (64, as the library declares it
   on Linux) and a cache line between the two directions. */
#define CE__IMB_ALIGN 64

typedef struct ce__imb_gcm {
  alignas(CE__IMB_ALIGN) struct gcm_key_data key; /* read-only after new */
  IMB_MGR *mgr;                                   /* owned; read-only    */
  aes_gcm_enc_dec_t enc, dec; /* the manager's functions for the key */
  alignas(CE__IMB_ALIGN) struct gcm_context_data seal_ctx; /* protect   */
  alignas(CE__IMB_ALIGN) struct gcm_context_data open_ctx; /* unprotect */
} ce__imb_gcm;

/* What the SSE code, the least that ipsec-mb's GCM runs with hardware
   AES, needs; without it the library would emulate AES in software. */
#define CE__IMB_NEEDS                                                          \
  (IMB_FEATURE_AESNI | IMB_FEATURE_PCLMULQDQ | IMB_FEATURE_SSE4_2 |            \
   IMB_FEATURE_CMOV)

static ce_status ce__imb_usable(void) {
  return (imb_get_feature_flags() & CE__IMB_NEEDS) == CE__IMB_NEEDS
             ? CE_OK
             : CE_ERR_NOT_SUPPORTED;
}

static void ce__imb_free(void *k) {
  ce__imb_gcm *s = k;
  if (s == NULL)
    return;
  free_mb_mgr(s->mgr); /* NULL-safe */
  OPENSSL_cleanse(s, sizeof *s);
  free(s);
}

/* A zeroed state with its own manager, set up for this CPU. */
static ce_status ce__imb_alloc(ce__imb_gcm **out) {
  ce__imb_gcm *s = CE__FAULT("ipsecmb.alloc")
                       ? NULL
                       : aligned_alloc(CE__IMB_ALIGN, sizeof *s);
  if (s == NULL)
    return CE_ERR_INTERNAL;
  memset(s, 0, sizeof *s);
  IMB_ARCH arch = IMB_ARCH_NONE;
  s->mgr = CE__FAULT("ipsecmb.mgr_alloc") ? NULL : alloc_mb_mgr(0);
  if (s->mgr != NULL)
    init_mb_mgr_auto(s->mgr, &arch);
  /* The SSE code at least: ce__imb_usable said the CPU has it. */
  if (s->mgr == NULL || CE__FAULT("ipsecmb.mgr_init") ||
      imb_get_errno(s->mgr) != 0 || arch < IMB_ARCH_SSE) {
    ce__imb_free(s);
    return CE_ERR_INTERNAL;
  }
  *out = s;
  return CE_OK;
}

static ce_status ce__imb_new(const uint8_t *key, size_t key_len, void **out) {
  ce__imb_gcm *s = NULL;
  ce_status st = ce__imb_alloc(&s);
  if (st != CE_OK)
    return st;
  if (key_len == 16) {
    IMB_AES128_GCM_PRE(s->mgr, key, &s->key);
    s->enc = s->mgr->gcm128_enc;
    s->dec = s->mgr->gcm128_dec;
  } else {
    IMB_AES256_GCM_PRE(s->mgr, key, &s->key);
    s->enc = s->mgr->gcm256_enc;
    s->dec = s->mgr->gcm256_dec;
  }
  /* imb_errno is process-wide and only reset by SAFE_PARAM builds. */
  if (CE__FAULT("ipsecmb.pre") ||
      ((s->mgr->features & IMB_FEATURE_SAFE_PARAM) && imb_get_errno(NULL))) {
    ce__imb_free(s);
    return CE_ERR_INTERNAL;
  }
  *out = s;
  return CE_OK;
}

/* The key data is self-contained: a copy serves as it is, with a manager
   of its own (managers are not shared between contexts). */
static ce_status ce__imb_dup(const void *k, void **out) {
  const ce__imb_gcm *src = k;
  ce__imb_gcm *s = NULL;
  ce_status st = ce__imb_alloc(&s);
  if (st != CE_OK)
    return st;
  s->key = src->key;
  s->enc = src->enc;
  s->dec = src->dec;
  *out = s;
  return CE_OK;
}

static ce_status ce__imb_seal(void *k, const uint8_t iv[12], const uint8_t *aad,
                              size_t aad_len, const uint8_t *in, size_t len,
                              uint8_t *out, uint8_t tag[16]) {
  ce__imb_gcm *s = k;
  s->enc(&s->key, &s->seal_ctx, out, in, len, iv, aad, aad_len, tag,
         CE__TAG_LEN);
  return CE_OK;
}

static ce_status ce__imb_open(void *k, const uint8_t iv[12], const uint8_t *aad,
                              size_t aad_len, const uint8_t *in, size_t len,
                              const uint8_t *tag, size_t tag_len,
                              uint8_t *out) {
  ce__imb_gcm *s = k;
  uint8_t want[CE__TAG_LEN];
  s->dec(&s->key, &s->open_ctx, out, in, len, iv, aad, aad_len, want,
         CE__TAG_LEN);
  int bad = CRYPTO_memcmp(want, tag, tag_len);
  OPENSSL_cleanse(want, sizeof want);
  return bad ? CE_ERR_AUTH_FAILED : CE_OK;
}

const ce__gcm_backend ce__gcm_ipsecmb = {
    .id = CE_BACKEND_IPSECMB,
    .name = "ipsec-mb",
    .usable = ce__imb_usable,
    .key_new = ce__imb_new,
    .key_dup = ce__imb_dup,
    .key_free = ce__imb_free,
    .seal = ce__imb_seal,
    .open = ce__imb_open,
};
