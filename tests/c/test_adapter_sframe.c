/*
 * test_adapter_sframe.c - the SFrame operations of the conformance
 * adapters (docs/conformance.md section 7): sframe_protect and
 * sframe_unprotect of the JSON-lines adapter (tools/ce1_adapter.c,
 * included with its main left out, as in test_adapter_json.c), and the
 * optional ce1_impl_sframe_protect / ce1_impl_sframe_unprotect of
 * libce1impl_ref.so loaded with dlopen.
 *
 * Values: RFC 9605 appendix C, suite 1 (AES_128_CTR_HMAC_SHA256_80), KID
 * 0x123, CTR 0x4567 (the working group's test-vectors.json, sframe[0]).
 */
#define _GNU_SOURCE

#include "ce_test.h"
#include "ce_ctxcache.h"
#include "chanenc.h"
#include "chanenc_sframe.h"

#include "../../tools/ce1_impl.h"

#define CE1_ADAPTER_NO_MAIN
#include "../../tools/ce1_adapter.c"

#include <dlfcn.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BK "000102030405060708090a0b0c0d0e0f"
#define MD "4945544620534672616d65205747"
#define PT "64726166742d696574662d736672616d652d656e63"
#define CT                                                                     \
  "9901234567449408b6f490086165b9d6f62b24ae1a59a56486b4ae8ed036b88912e24f11"
#define CT_BAD                                                                 \
  "9901234567449408b6f490086165b9d6f62b24ae1a59a56486b4ae8ed036b88912e24f10"
#define KEYS                                                                   \
  "\"base_keys\":[{\"kid\":\"0000000000000123\",\"base_key\":\"" BK "\"}]"
#define PROTECT(suite, kid, ctr, bk, md, pt)                                   \
  "{\"op\":\"sframe_protect\",\"suite\":" suite ",\"kid\":" kid                \
  ",\"ctr\":" ctr ",\"base_key\":" bk ",\"metadata\":" md ",\"payload\":" pt   \
  "}"
#define UNPROTECT(suite, keys, extra, md, frame)                               \
  "{\"op\":\"sframe_unprotect\",\"suite\":" suite "," keys extra               \
  ",\"metadata\":" md ",\"frame\":" frame "}"
#define Q(x) "\"" x "\""
#define OK_UNPROTECT                                                           \
  "{\"payload\":\"" PT "\",\"kid\":\"0000000000000123\",\"ctr\":"              \
  "\"0000000000004567\"}"
#define ERR(s) "{\"error\":\"" s "\"}"

/* One request line through handle_line, from an exact-size heap copy. */
static void is(ce_ctxcache *cache, const char *line, const char *want,
               const char *what) {
  size_t len = strlen(line);
  char *copy = malloc(len ? len : 1), *ans = NULL;
  size_t ans_len = 0;
  FILE *f = open_memstream(&ans, &ans_len);
  if (copy == NULL || f == NULL)
    exit(2);
  memcpy(copy, line, len);
  ce1_session s = {0, 0};
  handle_line(&s, cache, copy, len, f);
  fclose(f);
  free(copy);
  size_t n = strlen(ans);
  CE_CHECK(
      n > 0 && ans[n - 1] == '\n' && strlen(want) == n - 1 &&
          memcmp(ans, want, n - 1) == 0,
      "sframe adapter, %s:\n  request %.300s\n  answer  %.300s  want    %s",
      what, line, ans, want);
  free(ans);
}

static void test_adapter(void) {
  ce_ctxcache c;
  memset(&c, 0, sizeof c);
  is(&c,
     PROTECT("1", Q("0000000000000123"), Q("0000000000004567"), Q(BK), Q(MD),
             Q(PT)),
     "{\"frame\":\"" CT "\"}", "RFC 9605 vector, protect");
  is(&c,
     PROTECT("1", Q("0000000000000123"), Q("0000000000004567"),
             Q("000102030405060708090A0B0C0D0E0F"), Q(MD), Q(PT)),
     "{\"frame\":\"" CT "\"}", "upper-case hex accepted");
  is(&c, UNPROTECT("1", KEYS, "", Q(MD), Q(CT)), OK_UNPROTECT,
     "RFC 9605 vector, unprotect");
  is(&c,
     UNPROTECT("1", KEYS, ",\"replay_window\":0,\"accepted\":[]", Q(MD), Q(CT)),
     OK_UNPROTECT, "empty history");
  is(&c,
     UNPROTECT("1", KEYS, ",\"replay_window\":null,\"accepted\":null", Q(MD),
               Q(CT)),
     OK_UNPROTECT, "null window and history");
  /* The receiver's history: the same frame accepted before. */
  is(&c,
     UNPROTECT("1", KEYS,
               ",\"replay_window\":1,\"accepted\":[{\"frame\":\"" CT
               "\",\"metadata\":\"" MD "\"}]",
               Q(MD), Q(CT)),
     ERR("REPLAYED"), "replayed with window 1");
  is(&c,
     UNPROTECT("1", KEYS,
               ",\"replay_window\":0,\"accepted\":[{\"frame\":\"" CT
               "\",\"metadata\":\"" MD "\"}]",
               Q(MD), Q(CT)),
     OK_UNPROTECT, "window off: a repeat is accepted");
  is(&c,
     UNPROTECT("1", KEYS,
               ",\"replay_window\":4,\"accepted\":[{\"frame\":\"" CT
               "\",\"metadata\":\"\"}]",
               Q(MD), Q(CT)),
     ERR("AUTH_FAILED"), "a refused history frame answers its status");
  is(&c, UNPROTECT("1", KEYS, "", Q(MD), Q(CT_BAD)), ERR("AUTH_FAILED"), "tag");
  is(&c, UNPROTECT("1", KEYS, "", Q(""), Q(CT)), ERR("AUTH_FAILED"),
     "metadata");
  is(&c, UNPROTECT("1", "\"base_keys\":[]", "", Q(MD), Q(CT)),
     ERR("UNKNOWN_KID"), "no key for the KID");
  is(&c, UNPROTECT("1", KEYS, "", Q(MD), Q("")), ERR("MALFORMED"),
     "empty frame");
  is(&c, UNPROTECT("1", KEYS, "", Q(MD), Q("9901")), ERR("MALFORMED"),
     "truncated header");
  is(&c, UNPROTECT("1", "\"base_keys\":[]", "", Q(MD), Q("9901")),
     ERR("MALFORMED"), "MALFORMED before UNKNOWN_KID");
  /* Malformed requests and refused configurations. */
  is(&c, PROTECT("1", "291", Q("0000000000004567"), Q(BK), Q(MD), Q(PT)),
     ERR("INVALID_ARGUMENT"), "KID as a JSON number");
  is(&c, PROTECT("1", Q("123"), Q("0000000000004567"), Q(BK), Q(MD), Q(PT)),
     ERR("INVALID_ARGUMENT"), "KID not 16 digits");
  is(&c,
     PROTECT("1", Q("0000000000000123"), Q("000000000000456g"), Q(BK), Q(MD),
             Q(PT)),
     ERR("INVALID_ARGUMENT"), "CTR not hex");
  is(&c,
     PROTECT("1.0", Q("0000000000000123"), Q("0000000000004567"), Q(BK), Q(MD),
             Q(PT)),
     ERR("INVALID_ARGUMENT"), "suite not an integer");
  is(&c,
     PROTECT("9", Q("0000000000000123"), Q("0000000000004567"), Q(BK), Q(MD),
             Q(PT)),
     ERR("INVALID_ARGUMENT"), "suite 9");
  is(&c,
     PROTECT("0", Q("0000000000000123"), Q("0000000000004567"), Q(BK), Q(MD),
             Q(PT)),
     ERR("INVALID_ARGUMENT"), "suite 0");
  is(&c,
     PROTECT("1", Q("0000000000000123"), Q("0000000000004567"), Q(""), Q(MD),
             Q(PT)),
     ERR("INVALID_ARGUMENT"), "empty base key");
  is(&c,
     PROTECT("1", Q("0000000000000123"), Q("0000000000004567"), Q(BK), "null",
             Q(PT)),
     ERR("INVALID_ARGUMENT"), "metadata null");
  is(&c, UNPROTECT("1", "\"base_keys\":{}", "", Q(MD), Q(CT)),
     ERR("INVALID_ARGUMENT"), "base_keys not an array");
  is(&c,
     UNPROTECT("1",
               "\"base_keys\":[{\"kid\":\"0000000000000123\",\"base_key\":\"" BK
               "\"},{\"kid\":\"0000000000000123\",\"base_key\":\"01\"}]",
               "", Q(MD), Q(CT)),
     ERR("INVALID_ARGUMENT"), "a KID twice");
  is(&c, UNPROTECT("1", KEYS, ",\"replay_window\":1025", Q(MD), Q(CT)),
     ERR("INVALID_ARGUMENT"), "window over 1024");
  is(&c, UNPROTECT("1", KEYS, ",\"replay_window\":-1", Q(MD), Q(CT)),
     ERR("INVALID_ARGUMENT"), "negative window");
  is(&c, UNPROTECT("1", KEYS, ",\"accepted\":[\"" CT "\"]", Q(MD), Q(CT)),
     ERR("INVALID_ARGUMENT"), "history entry not an object");
  is(&c, UNPROTECT("9", KEYS, "", Q(MD), Q(CT)), ERR("INVALID_ARGUMENT"),
     "unprotect, suite 9");
  /* Other ops are unchanged. */
  is(&c, "{\"op\":\"sframe_derive\",\"suite\":1}", ERR("UNSUPPORTED_OP"),
     "unknown sframe op");
  ce_ctxcache_clear(&c);
}

/* <build>/tests/<exe> -> <build>/tools/libce1impl_ref.so */
static int impl_path(char *buf, size_t n) {
  char exe[PATH_MAX];
  ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (len <= 0)
    return -1;
  exe[len] = '\0';
  char *slash = strrchr(exe, '/');
  if (slash == NULL)
    return -1;
  *slash = '\0';
  int w = snprintf(buf, n, "%s/../tools/libce1impl_ref.so", exe);
  return (w < 0 || (size_t)w >= n) ? -1 : 0;
}

static void unhex(const char *h, uint8_t *out, size_t *n) {
  size_t len = strlen(h) / 2;
  for (size_t i = 0; i < len; i++) {
    unsigned v;
    sscanf(h + 2 * i, "%2x", &v);
    out[i] = (uint8_t)v;
  }
  *n = len;
}

static void test_impl_so(void) {
  char path[PATH_MAX + 64];
  CE_CHECK(impl_path(path, sizeof path) == 0, "locate the library");
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  CE_CHECK(h != NULL, "dlopen %s: %s", path, dlerror());
  if (h == NULL)
    return;
  ce1_impl_sframe_protect_fn prot;
  ce1_impl_sframe_unprotect_fn unprot;
  *(void **)&prot = dlsym(h, CE1_IMPL_SFRAME_PROTECT_SYMBOL);
  *(void **)&unprot = dlsym(h, CE1_IMPL_SFRAME_UNPROTECT_SYMBOL);
  CE_CHECK(prot != NULL && unprot != NULL, "SFrame ABI symbols exported");
  CE_CHECK(dlsym(h, CE1_IMPL_PROTECT_SYMBOL) != NULL,
           "CE1 symbols still there");
  CE_CHECK(dlsym(h, "ce_sframe_ctx_new") == NULL &&
               dlsym(h, "ce_testing_sframe_protect_ctr_into") == NULL,
           "no library symbols leak");
  if (prot == NULL || unprot == NULL) {
    dlclose(h);
    return;
  }
  uint8_t bk[16], md[14], pt[21], ct[36], out[64];
  size_t bkl, mdl, ptl, ctl, n;
  unhex(BK, bk, &bkl);
  unhex(MD, md, &mdl);
  unhex(PT, pt, &ptl);
  unhex(CT, ct, &ctl);

  n = sizeof out;
  CE_CHECK_STATUS(prot(1, 0x123, 0x4567, bk, bkl, md, mdl, pt, ptl, out, &n),
                  CE_OK, "so protect");
  CE_CHECK(n == ctl && memcmp(out, ct, ctl) == 0, "RFC 9605 frame");
  n = ctl - 1;
  memset(out, 0xa5, sizeof out);
  CE_CHECK_STATUS(prot(1, 0x123, 0x4567, bk, bkl, md, mdl, pt, ptl, out, &n),
                  CE_ERR_BUFFER_TOO_SMALL, "so protect, small");
  CE_CHECK(n == ctl - 1 && out[0] == 0xa5, "nothing written");
  n = sizeof out;
  CE_CHECK_STATUS(prot(9, 0x123, 0x4567, bk, bkl, md, mdl, pt, ptl, out, &n),
                  CE_ERR_INVALID_ARGUMENT, "suite 9");
  CE_CHECK_STATUS(prot(1, 0x123, 0x4567, bk, 0, md, mdl, pt, ptl, out, &n),
                  CE_ERR_INVALID_ARGUMENT, "empty base key");
  CE_CHECK_STATUS(prot(1, 0x123, 0x4567, bk, bkl, md, mdl, pt, ptl, NULL, &n),
                  CE_ERR_INVALID_ARGUMENT, "NULL out");
  n = sizeof out;
  CE_CHECK_STATUS(prot(4, 1, 2, bk, bkl, NULL, 0, NULL, 0, out, &n), CE_OK,
                  "NULL empty payload and metadata");

  ce1_impl_sframe_key key = {0x123, bk, bkl};
  ce1_impl_sframe_key two[2] = {{7, bk, 1}, {0x123, bk, bkl}};
  ce1_impl_sframe_frame hist = {ct, ctl, md, mdl};
  uint64_t kid = 0, ctr = 0;
  n = sizeof out;
  CE_CHECK_STATUS(
      unprot(1, two, 2, 0, NULL, 0, md, mdl, ct, ctl, out, &n, &kid, &ctr),
      CE_OK, "so unprotect");
  CE_CHECK(n == ptl && memcmp(out, pt, ptl) == 0 && kid == 0x123 &&
               ctr == 0x4567,
           "payload, KID, CTR");
  n = sizeof out;
  CE_CHECK_STATUS(
      unprot(1, &key, 1, 16, &hist, 1, md, mdl, ct, ctl, out, &n, NULL, NULL),
      CE_ERR_REPLAYED, "history: replayed");
  n = sizeof out;
  CE_CHECK_STATUS(
      unprot(1, &key, 1, 0, &hist, 1, md, mdl, ct, ctl, out, &n, NULL, NULL),
      CE_OK, "history, window off");
  n = sizeof out;
  CE_CHECK_STATUS(
      unprot(1, NULL, 0, 0, NULL, 0, md, mdl, ct, ctl, out, &n, NULL, NULL),
      CE_ERR_UNKNOWN_KID, "no keys");
  n = sizeof out;
  CE_CHECK_STATUS(
      unprot(1, &key, 1, 0, NULL, 0, NULL, 0, ct, ctl, out, &n, NULL, NULL),
      CE_ERR_AUTH_FAILED, "metadata missing");
  n = sizeof out;
  CE_CHECK_STATUS(
      unprot(1, &key, 1, 0, NULL, 0, md, mdl, ct, 3, out, &n, NULL, NULL),
      CE_ERR_MALFORMED, "truncated");
  n = sizeof out;
  CE_CHECK_STATUS(
      unprot(1, &key, 1, 1025, NULL, 0, md, mdl, ct, ctl, out, &n, NULL, NULL),
      CE_ERR_INVALID_ARGUMENT, "window over 1024");
  ce1_impl_sframe_key dup[2] = {{0x123, bk, bkl}, {0x123, bk, 1}};
  n = sizeof out;
  CE_CHECK_STATUS(
      unprot(1, dup, 2, 0, NULL, 0, md, mdl, ct, ctl, out, &n, NULL, NULL),
      CE_ERR_INVALID_ARGUMENT, "a KID twice");
  n = ptl - 1;
  memset(out, 0xa5, sizeof out);
  kid = ctr = 99;
  CE_CHECK_STATUS(
      unprot(1, &key, 1, 0, NULL, 0, md, mdl, ct, ctl, out, &n, &kid, &ctr),
      CE_ERR_BUFFER_TOO_SMALL, "unprotect, small");
  CE_CHECK(n == ptl - 1 && out[0] == 0xa5 && kid == 99 && ctr == 99,
           "nothing written on failure");
  dlclose(h);
}

int main(void) {
  test_adapter();
  test_impl_so();
  return ce_test_finish("test_adapter_sframe");
}
