/*
 * vecfile_fuzzer.c - the CE1 vector-file loader.
 *
 * Target: ce_vec_parse, ce_vec_load, ce_vec_free and ce_vec_group_config
 * (tools/common/ce_vecfile.c) on arbitrary documents; seeds are trimmed
 * copies of the vectors/ce1 files, so mutations start from the real shape.
 *
 * Input: one flags byte, then the document.
 *   flags bit 0    load through ce_vec_load from a memory file
 *                  (/proc/self/fd of a memfd) instead of ce_vec_parse
 *   flags bit 1-2  size of the error buffer: 0, 1, 24 or 512 bytes
 *   flags bit 3-7  a cipher backend (fz_backend_choice) set on each group's
 *                  config: ce_config_check must then answer as
 *                  ce_backend_select does for a config it accepts on auto
 *
 * What must hold:
 *  - failure: rc -1, *out NULL, the message NUL terminated inside the
 *    buffer (even a 1-byte one), nothing written past err_len;
 *  - success: the structure keeps the header's promises - totals add up,
 *    valid tests have status OK and a payload, invalid tests carry an
 *    unprotect status (spec 9), refusal groups have INVALID_ARGUMENT or
 *    NOT_SUPPORTED and no tests, every other group has a derived schedule,
 *    ids are unique, every byte array is readable for its full length and
 *    never NULL;
 *  - ce_vec_group_config takes exactly the 32-byte salts and copies mode,
 *    key and salt.
 */
#define _GNU_SOURCE /* memfd_create */

#include "fuzz_common.h"
#include "ce_vecfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Reads every byte so ASan checks each array's claimed length. */
static unsigned touch(const uint8_t *p, size_t n) {
  unsigned acc = 0;
  FZ_CHECK(p != NULL, "byte array is NULL");
  for (size_t i = 0; i < n; i++)
    acc += p[i];
  return acc;
}

static int is_unprotect_status(int st) {
  return st <= CE_ERR_MALFORMED && st >= CE_ERR_AUTH_FAILED;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

static void check_file(const ce_vec_file *f, int backend) {
  size_t n_valid = 0, n_invalid = 0, n_refusals = 0, n_tests = 0;
  unsigned acc = 0;
  FZ_CHECK(f->name != NULL && f->description != NULL, "file strings");
  for (size_t i = 0; i < f->n_groups; i++)
    n_tests += f->groups[i].n_tests;
  int64_t *ids = malloc((n_tests ? n_tests : 1) * sizeof *ids);
  size_t k = 0;
  for (size_t i = 0; i < f->n_groups; i++) {
    const ce_vec_group *g = &f->groups[i];
    FZ_CHECK(g->index == i, "group index");
    acc += touch(g->key, g->key_len) + touch(g->salt, g->salt_len);
    if (g->mode_name != NULL)
      acc += (unsigned)strlen(g->mode_name);
    if (g->has_config_status) {
      n_refusals++;
      FZ_CHECK(g->config_status == CE_ERR_INVALID_ARGUMENT ||
                   g->config_status == CE_ERR_NOT_SUPPORTED,
               "config_status %d", g->config_status);
      FZ_CHECK(g->n_tests == 0, "refusal group with tests");
    } else {
      FZ_CHECK(g->has_derived, "group without derived");
      FZ_CHECK(g->enc_key_len > 0, "empty enc_key");
      acc += touch(g->enc_key, g->enc_key_len);
    }
    for (size_t t = 0; t < g->n_tests; t++) {
      const ce_vec_test *v = &g->tests[t];
      ids[k++] = v->id;
      FZ_CHECK(v->comment != NULL, "test comment");
      acc += touch(v->payload, v->payload_len) + touch(v->frame, v->frame_len);
      if (v->valid) {
        n_valid++;
        FZ_CHECK(v->status == CE_OK && v->has_payload, "valid test shape");
      } else {
        n_invalid++;
        FZ_CHECK(is_unprotect_status(v->status), "invalid test status %d",
                 v->status);
      }
    }
    ce_config cfg;
    memset(&cfg, 0x3c, sizeof cfg);
    ce_status st = ce_vec_group_config(g, &cfg);
    if (g->salt_len != CE_SALT_LEN) {
      FZ_CHECK_STATUS(st, CE_ERR_INVALID_ARGUMENT, "group config, bad salt");
    } else {
      FZ_CHECK_STATUS(st, CE_OK, "group config");
      FZ_CHECK(cfg.mode == g->mode && cfg.key == g->key &&
                   cfg.key_len == g->key_len &&
                   memcmp(cfg.salt, g->salt, CE_SALT_LEN) == 0 &&
                   cfg.datastream_encryption_enabled == 0,
               "group config fields");
      FZ_CHECK(cfg.backend == CE_BACKEND_AUTO, "group config backend %d",
               cfg.backend);
      /* Validation only (no derivation: GCM2 would be slow); the loader
         does not judge configs, so any status is fine here. A config
         accepted on auto is accepted on the chosen backend exactly when
         that backend serves its mode here. */
      if (ce_config_check(&cfg) == CE_OK) {
        int served;
        ce_status sel = ce_backend_select(backend, cfg.mode, &served);
        cfg.backend = backend;
        FZ_CHECK_STATUS(ce_config_check(&cfg), sel, "config on a backend");
      }
    }
  }
  FZ_CHECK(n_valid == f->n_valid && n_invalid == f->n_invalid &&
               n_refusals == f->n_refusals,
           "totals %zu/%zu/%zu, file says %zu/%zu/%zu", n_valid, n_invalid,
           n_refusals, f->n_valid, f->n_invalid, f->n_refusals);
  qsort(ids, k, sizeof *ids, cmp_i64);
  for (size_t i = 1; i < k; i++)
    FZ_CHECK(ids[i] != ids[i - 1], "duplicate id %lld accepted",
             (long long)ids[i]);
  free(ids);
  (void)acc;
}

/* Writes the document to a memory file and returns its /proc path, or
   NULL when memfd is unavailable (then the caller parses directly). */
static int memfile(const uint8_t *p, size_t n, char *path, size_t path_len) {
  int fd = memfd_create("vecfile_fuzzer", 0);
  if (fd < 0)
    return -1;
  size_t off = 0;
  while (off < n) {
    ssize_t w = write(fd, p + off, n - off);
    if (w <= 0) {
      close(fd);
      return -1;
    }
    off += (size_t)w;
  }
  snprintf(path, path_len, "/proc/self/fd/%d", fd);
  return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fz_reader r = {data, size};
  uint8_t flags = fz_u8(&r);
  static const size_t err_sizes[4] = {0, 1, 24, 512};
  size_t err_len = err_sizes[(flags >> 1) & 3];
  size_t len;
  const uint8_t *raw = fz_rest(&r, &len);
  char *text = malloc(len ? len : 1); /* exactly len bytes, no terminator */
  if (len)
    memcpy(text, raw, len);
  /* One canary byte past err_len to catch a write past the buffer. */
  char err[513];
  memset(err, 0x7e, sizeof err);

  ce_vec_file *f = (ce_vec_file *)err; /* must become NULL on failure */
  int rc;
  int fd = -1;
  char path[64];
  if ((flags & 1) && (fd = memfile(raw, len, path, sizeof path)) >= 0) {
    rc = ce_vec_load(path, &f, err_len ? err : NULL, err_len);
    close(fd);
  } else {
    rc =
        ce_vec_parse(text, len, "fuzz.json", &f, err_len ? err : NULL, err_len);
  }
  FZ_CHECK(err[err_len] == 0x7e, "wrote past the error buffer");
  if (rc != 0) {
    FZ_CHECK(rc == -1 && f == NULL, "failure: rc %d, out set", rc);
    if (err_len > 0)
      FZ_CHECK(memchr(err, '\0', err_len) != NULL, "message not terminated");
    if (err_len > 1)
      FZ_CHECK(err[0] != '\0', "failure without a message");
  } else {
    FZ_CHECK(f != NULL, "success without a file");
    check_file(f, fz_backend_choice((unsigned)flags >> 3));
    ce_vec_free(f);
  }
  ce_vec_free(NULL);
  free(text);
  return 0;
}
