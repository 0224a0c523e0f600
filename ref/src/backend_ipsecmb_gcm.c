/*
 * backend_ipsecmb_gcm.c - the GCM family on intel-ipsec-mb (backend.h).
 * Compiled only when CMake found the library (CE_HAVE_IPSECMB).
 *
 * One manager for the process: an IMB_MGR from alloc_mb_mgr, set up by
 * init_mb_mgr_auto, which detects the CPU at run time (the AVX-512 + VAES
 * code on this project's machines, SSE, AVX or AVX2 code elsewhere). It
 * is made by the first key_new that needs it and never written again: the
 * GCM key setup (IMB_AES128_GCM_PRE / IMB_AES256_GCM_PRE) and the one-shot
 * encrypt and decrypt functions for the key length (what
 * IMB_AES128_GCM_ENC / _DEC and their 256-bit pair call) are function
 * pointers read from it, and the direct GCM API never touches the manager
 * (only the job API, which chanenc does not use, keeps state there). A
 * manager per context used to cost about 200 KiB and 80 us per ce_ctx_new
 * (bench/README.md). Two threads that both find none each make one; the
 * first to publish it (compare-and-swap) wins and the other frees its own,
 * so there is no lock to hold across fork() and a failed setup is simply
 * tried again by the next key_new. The manager lives until the process
 * ends (still reachable, not a leak).
 *
 * Per context, in key_new (never per packet): the key expanded once into
 * a struct gcm_key_data that the state owns, and the two function
 * pointers. Per packet: one call, nothing allocated, nothing locked.
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
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <intel-ipsec-mb.h>
#include <openssl/crypto.h>

/* Alignment of the state: the key data's (64, as the library declares it
   on Linux) and a cache line between the two directions. */
#define CE__IMB_ALIGN 64

typedef struct ce__imb_gcm {
  alignas(CE__IMB_ALIGN) struct gcm_key_data key; /* read-only after new */
  aes_gcm_enc_dec_t enc, dec; /* the manager's functions for the key */
  alignas(CE__IMB_ALIGN) struct gcm_context_data seal_ctx; /* protect   */
  alignas(CE__IMB_ALIGN) struct gcm_context_data open_ctx; /* unprotect */
} ce__imb_gcm;

/* What the SSE code, the least that ipsec-mb's GCM runs with hardware
   AES, needs; without it the library would emulate AES in software. */
#define CE__IMB_NEEDS                                                          \
  (IMB_FEATURE_AESNI | IMB_FEATURE_PCLMULQDQ | IMB_FEATURE_SSE4_2 |            \
   IMB_FEATURE_CMOV)

/* imb_get_feature_flags runs CPUID every time, and under a hypervisor
   each CPUID traps: 16 us a call on this project's VM, paid twice by every
   ce_ctx_new (ce_config_check and the choice of backend). The CPU does not
   change while the process runs, so the answer is kept: 0 not yet known,
   1 usable, 2 not. Threads that race here compute the same answer. */
static atomic_int ce__imb_usable_known;

static ce_status ce__imb_usable(void) {
  int known = atomic_load_explicit(&ce__imb_usable_known, memory_order_relaxed);
  if (known == 0) {
    known = (imb_get_feature_flags() & CE__IMB_NEEDS) == CE__IMB_NEEDS ? 1 : 2;
    atomic_store_explicit(&ce__imb_usable_known, known, memory_order_relaxed);
  }
  return known == 1 ? CE_OK : CE_ERR_NOT_SUPPORTED;
}

/* The process's manager (see the top of this file); NULL until the first
   key_new sets one up. Published with release, read with acquire, so a
   reader sees the manager's setup complete. */
static _Atomic(IMB_MGR *) ce__imb_shared;

static ce_status ce__imb_mgr(IMB_MGR **out) {
  IMB_MGR *m = atomic_load_explicit(&ce__imb_shared, memory_order_acquire);
  if (m != NULL) {
    *out = m;
    return CE_OK;
  }
  IMB_ARCH arch = IMB_ARCH_NONE;
  m = CE__FAULT("ipsecmb.mgr_alloc") ? NULL : alloc_mb_mgr(0);
  if (m != NULL)
    init_mb_mgr_auto(m, &arch);
  /* The SSE code at least: ce__imb_usable said the CPU has it. */
  if (m == NULL || CE__FAULT("ipsecmb.mgr_init") || imb_get_errno(m) != 0 ||
      arch < IMB_ARCH_SSE) {
    free_mb_mgr(m); /* NULL-safe */
    return CE_ERR_INTERNAL;
  }
  IMB_MGR *first = NULL;
  if (!atomic_compare_exchange_strong_explicit(&ce__imb_shared, &first, m,
                                               memory_order_acq_rel,
                                               memory_order_acquire)) {
    free_mb_mgr(m); /* another thread published one first: use that */
    m = first;
  }
  *out = m;
  return CE_OK;
}

#ifdef CE_FAULT_INJECTION
/* Testing interface (ce_testing_backend_reset): forget the manager, so the
   next key_new sets one up and reaches its fault sites again. Contexts
   keep working: they hold no pointer into the manager. */
void ce__ipsecmb_reset(void) {
  free_mb_mgr(atomic_exchange(&ce__imb_shared, NULL));
}
#endif

static void ce__imb_free(void *k) {
  ce__imb_gcm *s = k;
  if (s == NULL)
    return;
  OPENSSL_cleanse(s, sizeof *s);
  free(s);
}

/* A zeroed state. */
static ce_status ce__imb_alloc(ce__imb_gcm **out) {
  ce__imb_gcm *s = CE__FAULT("ipsecmb.alloc")
                       ? NULL
                       : aligned_alloc(CE__IMB_ALIGN, sizeof *s);
  if (s == NULL)
    return CE_ERR_INTERNAL;
  memset(s, 0, sizeof *s);
  *out = s;
  return CE_OK;
}

static ce_status ce__imb_new(const uint8_t *key, size_t key_len, void **out) {
  IMB_MGR *m = NULL;
  ce__imb_gcm *s = NULL;
  ce_status st = ce__imb_mgr(&m);
  if (st == CE_OK)
    st = ce__imb_alloc(&s);
  if (st != CE_OK)
    return st;
  if (key_len == 16) {
    IMB_AES128_GCM_PRE(m, key, &s->key);
    s->enc = m->gcm128_enc;
    s->dec = m->gcm128_dec;
  } else {
    IMB_AES256_GCM_PRE(m, key, &s->key);
    s->enc = m->gcm256_enc;
    s->dec = m->gcm256_dec;
  }
  /* imb_errno is process-wide and only reset by SAFE_PARAM builds. */
  if (CE__FAULT("ipsecmb.pre") ||
      ((m->features & IMB_FEATURE_SAFE_PARAM) && imb_get_errno(NULL))) {
    ce__imb_free(s);
    return CE_ERR_INTERNAL;
  }
  *out = s;
  return CE_OK;
}

/* The key data is self-contained: a copy serves as it is. */
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
