/*
 * backend.c - the choice of cipher backend (backend.h, chanenc.h "Cipher
 * backends"): the names, which backends are built in and usable here, and
 * which one serves a mode.
 */
#include "backend.h"
#include "internal.h"
#include "sm4_fast.h"

#include <stdatomic.h>
#include <string.h>

/* Indexed by ce_backend. */
static const char *const ce__backend_names[] = {"auto", "openssl", "ipsec-mb",
                                                "sm4-simd"};

const char *ce_backend_name(int backend) {
  if (backend < CE_BACKEND_AUTO || backend > CE_BACKEND_SM4SIMD)
    return NULL;
  return ce__backend_names[backend];
}

int ce_backend_from_name(const char *name) {
  if (name == NULL)
    return -1;
  for (int i = CE_BACKEND_AUTO; i <= CE_BACKEND_SM4SIMD; i++)
    if (strcmp(name, ce__backend_names[i]) == 0)
      return i;
  return -1;
}

const ce__gcm_backend *ce__gcm_backend_of(int id) {
  switch (id) {
  case CE_BACKEND_OPENSSL:
    return &ce__gcm_openssl;
#ifdef CE_HAVE_IPSECMB
  case CE_BACKEND_IPSECMB:
    return &ce__gcm_ipsecmb;
#endif
  default:
    return NULL;
  }
}

#ifdef CE_FAULT_INJECTION
static atomic_uint ce__hidden_mask;

void ce__backend_hide(unsigned mask) {
  atomic_store(&ce__hidden_mask, mask);
}

int ce__backend_hidden(int id) {
  return (atomic_load(&ce__hidden_mask) >> id) & 1u;
}

void ce__backend_reset(void) {
#ifdef CE_HAVE_IPSECMB
  ce__ipsecmb_reset();
#endif
}
#endif

int ce__gcm_backend_usable(int id) {
  const ce__gcm_backend *b = ce__gcm_backend_of(id);
  return b != NULL && !ce__backend_hidden(id) && b->usable() == CE_OK;
}

const ce__ecb_backend *ce__ecb_backend_of(int id) {
  return id == CE_BACKEND_SM4SIMD ? &ce__ecb_sm4simd : &ce__ecb_openssl;
}

int ce__sm4simd_usable(void) {
  /* Off x86-64 only the portable SM4 exists, which is no backend. */
  return !ce__backend_hidden(CE_BACKEND_SM4SIMD) && ce__sm4_impl_vectorized();
}

ce_status ce_backend_select(int backend, int mode, int *out) {
  const ce__mode_info *mi = ce__mode(mode);
  if (out == NULL || mi == NULL || ce_backend_name(backend) == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  if (mi->family == CE_FAMILY_GCM) {
    if (backend == CE_BACKEND_AUTO) {
      /* The fastest first: ipsec-mb where it runs, else OpenSSL. */
      backend = ce__gcm_backend_usable(CE_BACKEND_IPSECMB) ? CE_BACKEND_IPSECMB
                                                           : CE_BACKEND_OPENSSL;
    } else if (!ce__gcm_backend_usable(backend)) {
      return CE_ERR_NOT_SUPPORTED; /* not built in, not for this CPU, or
                                      not a GCM backend (sm4-simd) */
    }
  } else if (mode == CE_MODE_SM4_128_ECB) {
    if (backend == CE_BACKEND_AUTO)
      backend = ce__sm4simd_usable() ? CE_BACKEND_SM4SIMD : CE_BACKEND_OPENSSL;
    else if (backend == CE_BACKEND_IPSECMB ||
             (backend == CE_BACKEND_SM4SIMD && !ce__sm4simd_usable()))
      return CE_ERR_NOT_SUPPORTED;
  } else {
    /* AES_128_ECB and XTS run on OpenSSL only. */
    if (backend != CE_BACKEND_AUTO && backend != CE_BACKEND_OPENSSL)
      return CE_ERR_NOT_SUPPORTED;
    backend = CE_BACKEND_OPENSSL;
  }
  *out = backend;
  return CE_OK;
}
