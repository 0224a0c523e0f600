/*
 * status.c - names and descriptions of ce_status values. The names are the
 * status names of spec section 10 and conformance.md section 2.
 */
#include "internal.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "sm4_fast_impl.h" /* CE__SM4_X86: sm4-simd built in */

#include <openssl/crypto.h>
#include <openssl/opensslv.h>
#ifdef CE_HAVE_IPSECMB
#include <intel-ipsec-mb.h>
#define CE__BACKENDS_IPSECMB ", ipsec-mb " IMB_VERSION_STR
#else
#define CE__BACKENDS_IPSECMB ""
#endif
#ifdef CE__SM4_X86
#define CE__BACKENDS_SM4SIMD ", sm4-simd"
#else
#define CE__BACKENDS_SM4SIMD ""
#endif
#define CE__BACKENDS "openssl" CE__BACKENDS_IPSECMB CE__BACKENDS_SM4SIMD

typedef struct {
  int status;
  const char *name;
  const char *text;
} ce__status_row;

static const ce__status_row ce__statuses[] = {
    {CE_OK, "OK", "success"},
    {CE_ERR_MALFORMED, "MALFORMED",
     "malformed frame (length out of range for the mode, or S flag where "
     "it cannot be)"},
    {CE_ERR_BAD_VERSION, "BAD_VERSION", "frame version is not CE1"},
    {CE_ERR_MODE_MISMATCH, "MODE_MISMATCH",
     "frame was made with a different encryption mode"},
    {CE_ERR_KEY_MISMATCH, "KEY_MISMATCH",
     "check byte differs: the sender uses a different key or salt"},
    {CE_ERR_BAD_PADDING, "BAD_PADDING",
     "padding is invalid (wrong key, or the frame was altered)"},
    {CE_ERR_AUTH_FAILED, "AUTH_FAILED",
     "GCM tag did not verify (wrong key, or the frame was altered)"},
    {CE_ERR_INVALID_ARGUMENT, "INVALID_ARGUMENT",
     "invalid argument (NULL pointer, empty key, mode outside 1..8, "
     "all-zero GCM2 salt, or bad length)"},
    {CE_ERR_NOT_SUPPORTED, "NOT_SUPPORTED",
     "cipher not supported by the linked OpenSSL, or the named backend is "
     "not built in, cannot run on this CPU or does not serve the mode"},
    {CE_ERR_BUFFER_TOO_SMALL, "BUFFER_TOO_SMALL",
     "buffer capacity is smaller than the output"},
    {CE_ERR_TOO_LARGE, "TOO_LARGE", "payload is larger than 65535 bytes"},
    {CE_ERR_INTERNAL, "INTERNAL", "internal error (OpenSSL call failed)"},
    {CE_ERR_OBSERVER, "OBSERVER",
     "packet observer returned an invalid packet (NULL buffer with a "
     "nonzero size, or it failed)"},
    {CE_ERR_UNKNOWN_KID, "UNKNOWN_KID",
     "SFrame: no key for this KID in this direction (never added, removed, "
     "or a send key inherited across fork())"},
    {CE_ERR_REPLAYED, "REPLAYED",
     "SFrame: counter already accepted, or older than the replay window"},
    {CE_ERR_COUNTER_EXHAUSTED, "COUNTER_EXHAUSTED",
     "SFrame: this KID has used every counter value up to 2^64-1; add a "
     "new key"},
    {CE_DROPPED, "DROPPED", "packet dropped by the packet observer"},
};

#define CE__NSTATUS (sizeof ce__statuses / sizeof ce__statuses[0])

static const ce__status_row *ce__status_row_of(int status) {
  for (size_t i = 0; i < CE__NSTATUS; i++)
    if (ce__statuses[i].status == status)
      return &ce__statuses[i];
  return NULL;
}

const char *ce_status_str(int status) {
  const ce__status_row *r = ce__status_row_of(status);
  return r ? r->text : "unknown status";
}

const char *ce_status_name(int status) {
  const ce__status_row *r = ce__status_row_of(status);
  return r ? r->name : "UNKNOWN";
}

int ce_status_from_name(const char *name, int *status) {
  if (name == NULL || status == NULL)
    return 0;
  for (size_t i = 0; i < CE__NSTATUS; i++) {
    if (strcmp(ce__statuses[i].name, name) == 0) {
      *status = ce__statuses[i].status;
      return 1;
    }
  }
  return 0;
}

/* Names the libraries' run-time versions: the program may run against
   newer shared libraries than the headers it was built with. Made once;
   the compile-time string (same layout) when formatting fails or would not
   fit, never a truncated one. */
static const char ce__version_built[] =
    "chanenc " CE_VERSION_STRING " (" OPENSSL_VERSION_TEXT
    "; backends: " CE__BACKENDS ")";
static char ce__version_run[256];
static const char *ce__version_str = ce__version_built;
static pthread_once_t ce__version_once = PTHREAD_ONCE_INIT;

static void ce__version_init(void) {
#ifdef CE_HAVE_IPSECMB
  const char *imb = imb_get_version_str();
  const char *imb_sep = ", ipsec-mb ";
#else
  const char *imb = "", *imb_sep = "";
#endif
  int n = snprintf(ce__version_run, sizeof ce__version_run,
                   "chanenc %s (%s; backends: openssl%s%s%s)",
                   CE_VERSION_STRING, OpenSSL_version(OPENSSL_VERSION), imb_sep,
                   imb != NULL ? imb : "?", CE__BACKENDS_SM4SIMD);
  if (n > 0 && (size_t)n < sizeof ce__version_run)
    ce__version_str = ce__version_run;
}

const char *ce_version(void) {
  /* pthread_once cannot fail with a valid once control and function. */
  (void)pthread_once(&ce__version_once, ce__version_init);
  return ce__version_str;
}
