/*
 * backend_ipsecmb_gcm.c - the GCM family on intel-ipsec-mb (backend.h).
 * Compiled only when CMake found the library (CE_HAVE_IPSECMB).
 *
 * One manager's functions for the process. An IMB_MGR (alloc_mb_mgr,
 * init_mb_mgr_auto, which detects the CPU at run time: the AVX-512 + VAES
 * code on this project's machines, SSE, AVX or AVX2 code elsewhere) is
 * only a table of function pointers into the library's code plus the
 * job API's state, which chanenc does not use; the GCM key setup
 * (what IMB_AES128_GCM_PRE / IMB_AES256_GCM_PRE call) and the one-shot
 * encrypt and decrypt functions (what IMB_AES128_GCM_ENC / _DEC and their
 * 256-bit pair call) take no manager. So the first key_new sets up a
 * manager, copies those pointers and the feature flags into static
 * storage, and frees it. A manager per context used to cost about 200 KiB
 * and 80 us per ce_ctx_new (bench/README.md); keeping the manager itself
 * for the process would strand its 200 KiB whenever the library is
 * unloaded (dlclose; tests/c/test_dlclose.c). Publication is lock-free
 * (a state word: 0 none, 1 being written, 2 kept), so there is no lock to
 * hold across fork(), and a failed setup is simply tried again by the next
 * key_new.
 *
 * Per context, in key_new (never per packet): the key expanded once into
 * a struct gcm_key_data that the state owns, and the two function
 * pointers. Per packet: one call, nothing allocated, nothing locked.
 *
 * Directions. The direct API keeps its per-operation state in a struct
 * gcm_context_data that the caller passes in. Seal and open each have
 * their own, on separate cache lines; the key data and the function
 * pointers are only read after key_new. So one thread may seal while
 * another opens.
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

/* What key_new needs from a manager: the GCM functions for both key
   lengths and the library's feature flags (see the top of this file). */
typedef struct ce__imb_fns {
  aes_gcm_pre_t pre128, pre256;
  aes_gcm_enc_dec_t enc128, dec128, enc256, dec256;
  uint64_t features;
} ce__imb_fns;

/* The process's copy: written once by the thread that moves the state
   from 0 to 1, read by anyone who sees 2 (acquire), never freed. */
static ce__imb_fns ce__imb_kept;
static atomic_int ce__imb_kept_state; /* 0 none, 1 being written, 2 kept */

static ce_status ce__imb_fns_get(ce__imb_fns *out) {
  if (atomic_load_explicit(&ce__imb_kept_state, memory_order_acquire) == 2) {
    *out = ce__imb_kept;
    return CE_OK;
  }
  IMB_ARCH arch = IMB_ARCH_NONE;
  IMB_MGR *m = CE__FAULT("ipsecmb.mgr_alloc") ? NULL : alloc_mb_mgr(0);
  if (m != NULL)
    init_mb_mgr_auto(m, &arch);
  /* The SSE code at least: ce__imb_usable said the CPU has it. */
  if (m == NULL || CE__FAULT("ipsecmb.mgr_init") || imb_get_errno(m) != 0 ||
      arch < IMB_ARCH_SSE) {
    free_mb_mgr(m); /* NULL-safe */
    return CE_ERR_INTERNAL;
  }
  *out =
      (ce__imb_fns){m->gcm128_pre, m->gcm256_pre, m->gcm128_enc, m->gcm128_dec,
                    m->gcm256_enc, m->gcm256_dec, m->features};
  free_mb_mgr(m); /* its functions are the library's code, not its own */
  /* The first thread here keeps them for everyone. Another that finds the
     state at 1 (being written, or, in a child after fork(), written by a
     thread that no longer exists) simply uses its own copy. */
  int none = 0;
  if (atomic_compare_exchange_strong_explicit(&ce__imb_kept_state, &none, 1,
                                              memory_order_acquire,
                                              memory_order_relaxed)) {
    ce__imb_kept = *out;
    atomic_store_explicit(&ce__imb_kept_state, 2, memory_order_release);
  }
  return CE_OK;
}

#ifdef CE_FAULT_INJECTION
/* Testing interface (ce_testing_backend_reset): forget what was kept, so
   the next key_new sets up a manager again and reaches its fault sites.
   Contexts keep working: they hold their own function pointers. */
void ce__ipsecmb_reset(void) {
  atomic_store(&ce__imb_kept_state, 0);
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
  ce__imb_fns f;
  ce__imb_gcm *s = NULL;
  ce_status st = ce__imb_fns_get(&f);
  if (st == CE_OK)
    st = ce__imb_alloc(&s);
  if (st != CE_OK)
    return st;
  if (key_len == 16) {
    f.pre128(key, &s->key);
    s->enc = f.enc128;
    s->dec = f.dec128;
  } else {
    f.pre256(key, &s->key);
    s->enc = f.enc256;
    s->dec = f.dec256;
  }
  /* imb_errno is process-wide and only reset by SAFE_PARAM builds. */
  if (CE__FAULT("ipsecmb.pre") ||
      ((f.features & IMB_FEATURE_SAFE_PARAM) && imb_get_errno(NULL))) {
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
