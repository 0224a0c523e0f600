/*
 * test_std_vectors.c - runs every vector of every standard KAT file through
 * the primitive layer of chanenc.h. The files are read where they live
 * (stdvec.h, sv_set_dir): the Debian packages python3-cryptography-vectors
 * ("pyca/...", $CE_PYCA_VECTORS_DIR) and libcrypto++-utils ("cryptopp/...",
 * $CE_CRYPTOPP_VECTORS_DIR), and the project's own vectors/std/
 * ($CE_VECTORS_DIR). A missing package is a failure that names it.
 *
 * Sets, files and formats are described in vectors/README.md. Each file
 * prints "<set>/<path>: N run, N passed, N failed, N skipped (<reason>)". A
 * vector is skipped only when it cannot apply to a byte-oriented
 * AES/SM4-ECB, XTS, GCM, HKDF-SHA256 or PBKDF2-HMAC-SHA256 API. The number
 * of vectors and skips of every file is asserted against the README, so a
 * parser that silently drops vectors, or a package whose files changed,
 * fails the test.
 *
 * The GCM vectors that fit the CE1 cipher operations (12-byte IV, 128- or
 * 256-bit key; any AAD and tag length) also run through each GCM backend
 * built in and usable here (chanenc_testing.h,
 * ce_testing_gcm_backend_encrypt / _decrypt), with the same expectations;
 * the counts per backend are printed at the end. So do the AES-128 and SM4
 * ECB vectors through each ECB backend's block cipher (OpenSSL, sm4-simd;
 * ce_testing_ecb_backend_crypt), except GB/T Example 2's million
 * iterations (tests/c/test_sm4_fast.c runs it on every SM4
 * implementation).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ce_test.h"
#include "chanenc.h"
#include "chanenc_testing.h"
#include "stdvec.h"

/* ------------------------------------------------------------------ */
/* Bookkeeping                                                         */
/* ------------------------------------------------------------------ */

typedef struct stats {
  unsigned long run, passed, failed, skipped;
  char reason[200];
  /* Parse-level tallies compared with the README: vectors stated as
     encrypt / decrypt, GCM FAIL cases, iterated SM4 examples. */
  unsigned long n_enc, n_dec, n_fail, n_iter;
  char error[SV_ERR_LEN]; /* why the file could not be read, if it was not */
} stats;

/* "file:line" of the vector being run, for failure messages. */
static char g_where[512];

static void set_where(const char *rel, unsigned long line) {
  snprintf(g_where, sizeof g_where, "%s:%lu", rel, line);
}

/* A vector passes when none of its checks failed. */
static unsigned long vec_begin(void) {
  return ce_test_failed;
}

static void vec_end(stats *st, unsigned long mark) {
  st->run++;
  if (ce_test_failed == mark)
    st->passed++;
  else
    st->failed++;
}

/* Records a skip; distinct reasons are joined with "; ". */
static void vec_skip(stats *st, const char *reason) {
  st->skipped++;
  CE_SKIP(1);
  if (strstr(st->reason, reason))
    return;
  size_t n = strlen(st->reason);
  snprintf(st->reason + n, sizeof st->reason - n, "%s%s", n ? "; " : "",
           reason);
}

/* Counts an entry of an ENCRYPT (dir 1) or DECRYPT (dir 0) section. */
static void tally_dir(stats *st, int dir) {
  if (dir > 0)
    st->n_enc++;
  else if (dir == 0)
    st->n_dec++;
}

/* Skips a vector whose own checks passed; a vector that already failed a
   check (a malformed entry, say) stays a failure. */
static void vec_skip_or_fail(stats *st, unsigned long mark,
                             const char *reason) {
  if (ce_test_failed == mark)
    vec_skip(st, reason);
  else
    vec_end(st, mark);
}

/* ------------------------------------------------------------------ */
/* Buffers and field access                                            */
/* ------------------------------------------------------------------ */

typedef struct buf {
  uint8_t *p;
  size_t n;
} buf;

static void buf_free(buf *b) {
  free(b->p);
  b->p = NULL;
  b->n = 0;
}

/* Output buffers carry a guard so that a write past the output, or any
   write at all on a failure, is visible. */
#define GUARD 16
#define SENTINEL 0xA5

static uint8_t *out_alloc(size_t n) {
  uint8_t *p = malloc(n + GUARD);
  CE_CHECK(p != NULL, "%s: out of memory", g_where);
  if (p)
    memset(p, SENTINEL, n + GUARD);
  return p;
}

static int all_sentinel(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i] != SENTINEL)
      return 0;
  return 1;
}

/* Hex of the first bytes of p, for failure messages. */
static const char *hex_str(const uint8_t *p, size_t n, char *dst) {
  static const char digits[] = "0123456789abcdef";
  size_t shown = n < 40 ? n : 40, j = 0;
  for (size_t i = 0; i < shown; i++) {
    dst[j++] = digits[p[i] >> 4];
    dst[j++] = digits[p[i] & 15];
  }
  strcpy(dst + j, shown < n ? "..." : "");
  return dst;
}

/* The field name of r; a missing field is a failure of the vector. */
static const char *need(const sv_record *r, const char *name) {
  const char *v = sv_get(r, name);
  CE_CHECK(v != NULL, "%s: no %s field", g_where, name);
  return v;
}

static int hex_or_fail(const char *v, const char *name, buf *b) {
  int ok = sv_hex(v, &b->p, &b->n) == 0;
  CE_CHECK(ok, "%s: %s is not hex: \"%.40s\"", g_where, name, v);
  return ok ? 0 : -1;
}

static int need_hex(const sv_record *r, const char *name, buf *b) {
  const char *v = need(r, name);
  return v ? hex_or_fail(v, name, b) : -1;
}

static int need_u64(const sv_record *r, const char *name, uint64_t *out) {
  const char *v = need(r, name);
  if (!v)
    return -1;
  int ok = sv_u64(v, out) == 0;
  CE_CHECK(ok, "%s: %s is not a number: \"%.40s\"", g_where, name, v);
  return ok ? 0 : -1;
}

/* 1 for ENCRYPT, 0 for DECRYPT, -1 (a failure) for anything else. */
static int section_dir(const sv_record *r) {
  if (strcmp(r->section, "ENCRYPT") == 0)
    return 1;
  if (strcmp(r->section, "DECRYPT") == 0)
    return 0;
  CE_CHECK(0, "%s: unexpected section [%s]", g_where, r->section);
  return -1;
}

/* Checks a primitive's result: status OK, output as expected, guard
   intact. */
static void check_result(ce_status s, const uint8_t *got, const buf *want,
                         const char *what) {
  char g[100], w[100];
  CE_CHECK_STATUS(s, CE_OK, "%s %s", g_where, what);
  if (s != CE_OK)
    return;
  CE_CHECK(memcmp(got, want->p, want->n) == 0, "%s %s: got %s, want %s",
           g_where, what, hex_str(got, want->n, g),
           hex_str(want->p, want->n, w));
  CE_CHECK(all_sentinel(got + want->n, GUARD), "%s %s: wrote past the output",
           g_where, what);
}

/* SM4 and AES-128 ECB vectors run through each ECB backend's own block
   cipher (ce_testing_ecb_backend_crypt), by CE_BACKEND_* and cipher. */
static unsigned long g_ecb_backend_runs[4][2];

static void ecb_check(ce_block_cipher bc, int enc, const buf *key,
                      const buf *in, const buf *want, const char *what) {
  uint8_t *out = out_alloc(in->n);
  if (!out)
    return;
  ce_status s = ce_ecb_crypt(bc, enc, key->p, key->n, in->p, in->n, out);
  check_result(s, out, want, what);
  free(out);
  /* The same through every ECB backend that serves the cipher here (the
     ECB modes use 16-byte keys only). */
  int mode = bc == CE_BLOCK_SM4 ? CE_MODE_SM4_128_ECB : CE_MODE_AES_128_ECB;
  for (int b = CE_BACKEND_OPENSSL; b <= CE_BACKEND_SM4SIMD; b++) {
    int chosen;
    if (key->n != 16 || b == CE_BACKEND_IPSECMB ||
        ce_backend_select(b, mode, &chosen) != CE_OK ||
        ce_mode_supported(mode) != CE_OK)
      continue;
    out = out_alloc(in->n);
    if (!out)
      return;
    char bwhat[64];
    snprintf(bwhat, sizeof bwhat, "%s %s", ce_backend_name(b), what);
    s = ce_testing_ecb_backend_crypt(b, bc, enc, key->p, key->n, in->p, in->n,
                                     out);
    check_result(s, out, want, bwhat);
    g_ecb_backend_runs[b][bc == CE_BLOCK_SM4]++;
    free(out);
  }
}

static void xts_check(int enc, const buf *key, const uint8_t tweak[16],
                      const buf *in, const buf *want, const char *what) {
  uint8_t *out = out_alloc(in->n);
  if (!out)
    return;
  ce_status s = ce_xts_crypt(enc, key->p, key->n, tweak, in->p, in->n, out);
  check_result(s, out, want, what);
  free(out);
}

/* ------------------------------------------------------------------ */
/* NIST CAVP AES-ECB (.rsp)                                            */
/* ------------------------------------------------------------------ */

/* One KEY/PLAINTEXT/CIPHERTEXT entry, run in the direction of its
   section; both ways when both_ways (the SM4 file, per the brief). */
static void ecb_vector(const sv_record *r, stats *st, ce_block_cipher bc,
                       size_t key_bytes, int both_ways) {
  unsigned long mark = vec_begin();
  buf key = {0}, pt = {0}, ct = {0};
  int dir = section_dir(r);
  if (dir < 0 || need_hex(r, "KEY", &key) || need_hex(r, "PLAINTEXT", &pt) ||
      need_hex(r, "CIPHERTEXT", &ct))
    goto done;
  CE_CHECK(key.n == key_bytes, "%s: key of %zu bytes", g_where, key.n);
  CE_CHECK(pt.n == ct.n && pt.n > 0 && pt.n % 16 == 0,
           "%s: PT %zu / CT %zu bytes", g_where, pt.n, ct.n);
  if (ce_test_failed != mark)
    goto done;
  if (dir || both_ways)
    ecb_check(bc, 1, &key, &pt, &ct, "encrypt");
  if (!dir || both_ways)
    ecb_check(bc, 0, &key, &ct, &pt, "decrypt");
done:
  tally_dir(st, dir);
  vec_end(st, mark);
  buf_free(&key);
  buf_free(&pt);
  buf_free(&ct);
}

/* An unreadable or malformed file is a failure, never a skip. */
static int load_check(stats *st, const char *rel, int rc, const char *err) {
  CE_CHECK(rc == 0, "%s: %s", rel, err);
  if (rc)
    snprintf(st->error, sizeof st->error, "%s", err);
  return rc;
}

static int load_kv(stats *st, const char *rel, const char *full,
                   const char *start_key, sv_file *f) {
  int rc = load_check(st, rel, sv_load_kv(full, start_key, f), f->err);
  if (rc == 0)
    CE_CHECK(f->n_stray_lines == 0, "%s: %lu lines outside any record", rel,
             f->n_stray_lines);
  return rc;
}

static void run_ecb(const char *rel, const char *full, stats *st,
                    ce_block_cipher bc, size_t key_bytes, int both_ways) {
  sv_file f;
  if (load_kv(st, rel, full, "COUNT", &f))
    return;
  for (size_t i = 0; i < f.n_recs; i++) {
    set_where(rel, f.recs[i].line);
    ecb_vector(&f.recs[i], st, bc, key_bytes, both_ways);
  }
  sv_free_file(&f);
}

static void run_ecb128(const char *rel, const char *full, stats *st) {
  run_ecb(rel, full, st, CE_BLOCK_AES, 16, 0);
}

static void run_ecb256(const char *rel, const char *full, stats *st) {
  run_ecb(rel, full, st, CE_BLOCK_AES, 32, 0);
}

/* ------------------------------------------------------------------ */
/* NIST CAVP XTS-AES (.rsp)                                            */
/* ------------------------------------------------------------------ */

/* The tweak from "i = <hex>" or, in the dataunitseqno folder, from
   "DataUnitSeqNumber = <decimal>" as a 128-bit little-endian number. */
static int xts_tweak(const sv_record *r, int seqno, uint8_t tweak[16]) {
  memset(tweak, 0, 16);
  if (seqno) {
    uint64_t n;
    if (need_u64(r, "DataUnitSeqNumber", &n))
      return -1;
    for (int i = 0; i < 8; i++)
      tweak[i] = (uint8_t)(n >> (8 * i));
    return 0;
  }
  buf t = {0};
  if (need_hex(r, "i", &t))
    return -1;
  int ok = t.n == 16;
  CE_CHECK(ok, "%s: tweak of %zu bytes", g_where, t.n);
  if (ok)
    memcpy(tweak, t.p, 16);
  buf_free(&t);
  return ok ? 0 : -1;
}

static void xts_vector(const sv_record *r, stats *st, size_t key_bytes,
                       int seqno) {
  unsigned long mark = vec_begin();
  buf key = {0}, pt = {0}, ct = {0};
  uint8_t tweak[16];
  uint64_t bits = 0;
  int dir = section_dir(r);
  if (dir < 0 || need_u64(r, "DataUnitLen", &bits) ||
      need_hex(r, "Key", &key) || xts_tweak(r, seqno, tweak) ||
      need_hex(r, "PT", &pt) || need_hex(r, "CT", &ct))
    goto done;
  /* Non-byte units are stored in whole bytes: ceil(bits / 8). */
  CE_CHECK(pt.n == (bits + 7) / 8 && ct.n == pt.n,
           "%s: DataUnitLen %llu but PT %zu / CT %zu bytes", g_where,
           (unsigned long long)bits, pt.n, ct.n);
  CE_CHECK(key.n == key_bytes, "%s: key of %zu bytes", g_where, key.n);
  if (ce_test_failed != mark)
    goto done;
  if (bits % 8 != 0) {
    tally_dir(st, dir);
    vec_skip_or_fail(st, mark, "DataUnitLen not a multiple of 8");
    goto out;
  }
  if (dir)
    xts_check(1, &key, tweak, &pt, &ct, "encrypt");
  else
    xts_check(0, &key, tweak, &ct, &pt, "decrypt");
done:
  tally_dir(st, dir);
  vec_end(st, mark);
out:
  buf_free(&key);
  buf_free(&pt);
  buf_free(&ct);
}

static void run_xts(const char *rel, const char *full, stats *st,
                    size_t key_bytes, int seqno) {
  sv_file f;
  if (load_kv(st, rel, full, "COUNT", &f))
    return;
  for (size_t i = 0; i < f.n_recs; i++) {
    set_where(rel, f.recs[i].line);
    xts_vector(&f.recs[i], st, key_bytes, seqno);
  }
  sv_free_file(&f);
}

static void run_xts128_hex(const char *rel, const char *full, stats *st) {
  run_xts(rel, full, st, 32, 0);
}

static void run_xts256_hex(const char *rel, const char *full, stats *st) {
  run_xts(rel, full, st, 64, 0);
}

static void run_xts128_seq(const char *rel, const char *full, stats *st) {
  run_xts(rel, full, st, 32, 1);
}

static void run_xts256_seq(const char *rel, const char *full, stats *st) {
  run_xts(rel, full, st, 64, 1);
}

/* ------------------------------------------------------------------ */
/* NIST CAVP AES-GCM (.rsp)                                            */
/* ------------------------------------------------------------------ */

typedef struct gcm_vec {
  buf key, iv, aad, pt, ct, tag;
  int fail; /* decrypt file: a bare FAIL line instead of PT */
} gcm_vec;

static void gcm_free(gcm_vec *v) {
  buf_free(&v->key);
  buf_free(&v->iv);
  buf_free(&v->aad);
  buf_free(&v->pt);
  buf_free(&v->ct);
  buf_free(&v->tag);
}

/* The [Xlen = bits] header in effect must match the field's length. */
static void check_param_bits(const sv_record *r, const char *param,
                             size_t bytes) {
  const char *v = sv_param(r, param);
  uint64_t bits = 0;
  CE_CHECK(v && sv_u64(v, &bits) == 0 && bits == 8 * (uint64_t)bytes,
           "%s: [%s = %s] but %zu bytes", g_where, param, v ? v : "?", bytes);
}

static int gcm_parse(const sv_record *r, gcm_vec *v) {
  v->fail = sv_get(r, "FAIL") != NULL;
  if (need_hex(r, "Key", &v->key) || need_hex(r, "IV", &v->iv) ||
      need_hex(r, "AAD", &v->aad) || need_hex(r, "CT", &v->ct) ||
      need_hex(r, "Tag", &v->tag))
    return -1;
  if (v->fail) {
    CE_CHECK(sv_get(r, "PT") == NULL, "%s: FAIL entry with a PT", g_where);
  } else if (need_hex(r, "PT", &v->pt)) {
    return -1;
  }
  check_param_bits(r, "Keylen", v->key.n);
  check_param_bits(r, "IVlen", v->iv.n);
  check_param_bits(r, "AADlen", v->aad.n);
  check_param_bits(r, "PTlen", v->ct.n);
  check_param_bits(r, "Taglen", v->tag.n);
  CE_CHECK(v->fail || v->pt.n == v->ct.n, "%s: PT %zu / CT %zu bytes", g_where,
           v->pt.n, v->ct.n);
  return 0;
}

/* GCM vectors run through each backend, by CE_BACKEND_*. */
static unsigned long g_backend_runs[3];

/* The vector through every usable GCM backend's own operations. */
static void gcm_backends_check(const gcm_vec *v, int enc) {
  if (v->iv.n != 12 || (v->key.n != 16 && v->key.n != 32))
    return; /* not a shape CE1's GCM modes use */
  for (int b = CE_BACKEND_OPENSSL; b <= CE_BACKEND_IPSECMB; b++) {
    int chosen;
    if (ce_backend_select(b, CE_MODE_AES_128_GCM, &chosen) != CE_OK)
      continue;
    char what[64];
    uint8_t *out = out_alloc(v->ct.n), *tag = out_alloc(v->tag.n);
    if (out && tag && enc) {
      ce_status s = ce_testing_gcm_backend_encrypt(
          b, v->key.p, v->key.n, v->iv.p, v->iv.n, v->aad.p, v->aad.n, v->pt.p,
          v->pt.n, out, tag, v->tag.n);
      snprintf(what, sizeof what, "%s encrypt CT", ce_backend_name(b));
      check_result(s, out, &v->ct, what);
      snprintf(what, sizeof what, "%s encrypt tag", ce_backend_name(b));
      if (s == CE_OK)
        check_result(s, tag, &v->tag, what);
    } else if (out && tag) {
      ce_status s = ce_testing_gcm_backend_decrypt(
          b, v->key.p, v->key.n, v->iv.p, v->iv.n, v->aad.p, v->aad.n, v->ct.p,
          v->ct.n, v->tag.p, v->tag.n, out);
      snprintf(what, sizeof what, "%s decrypt", ce_backend_name(b));
      if (v->fail) {
        CE_CHECK_STATUS(s, CE_ERR_AUTH_FAILED, "%s %s FAIL entry", g_where,
                        what);
        CE_CHECK(all_sentinel(out, v->ct.n + GUARD),
                 "%s %s FAIL entry: output written", g_where, what);
      } else {
        check_result(s, out, &v->pt, what);
      }
    }
    g_backend_runs[b]++;
    free(out);
    free(tag);
  }
}

static void gcm_enc_check(const gcm_vec *v) {
  uint8_t *out = out_alloc(v->pt.n), *tag = out_alloc(v->tag.n);
  if (out && tag) {
    ce_status s =
        ce_gcm_encrypt(v->key.p, v->key.n, v->iv.p, v->iv.n, v->aad.p, v->aad.n,
                       v->pt.p, v->pt.n, out, tag, v->tag.n);
    check_result(s, out, &v->ct, "encrypt CT");
    if (s == CE_OK)
      check_result(s, tag, &v->tag, "encrypt tag");
  }
  free(out);
  free(tag);
  gcm_backends_check(v, 1);
}

static void gcm_dec_check(const gcm_vec *v) {
  uint8_t *out = out_alloc(v->ct.n);
  if (!out)
    return;
  ce_status s =
      ce_gcm_decrypt(v->key.p, v->key.n, v->iv.p, v->iv.n, v->aad.p, v->aad.n,
                     v->ct.p, v->ct.n, v->tag.p, v->tag.n, out);
  if (v->fail) {
    CE_CHECK_STATUS(s, CE_ERR_AUTH_FAILED, "%s FAIL entry", g_where);
    CE_CHECK(all_sentinel(out, v->ct.n + GUARD),
             "%s FAIL entry: output written", g_where);
  } else {
    check_result(s, out, &v->pt, "decrypt");
  }
  free(out);
  gcm_backends_check(v, 0);
}

static void gcm_vector(const sv_record *r, stats *st, size_t key_bytes,
                       int enc) {
  unsigned long mark = vec_begin();
  gcm_vec v = {0};
  if (gcm_parse(r, &v) == 0) {
    CE_CHECK(v.key.n == key_bytes, "%s: key of %zu bytes", g_where, v.key.n);
    CE_CHECK(!(enc && v.fail), "%s: FAIL in an encrypt file", g_where);
  }
  if (ce_test_failed == mark) {
    if (enc)
      gcm_enc_check(&v);
    else
      gcm_dec_check(&v);
  }
  tally_dir(st, enc);
  st->n_fail += (unsigned long)v.fail;
  vec_end(st, mark);
  gcm_free(&v);
}

static void run_gcm(const char *rel, const char *full, stats *st,
                    size_t key_bytes, int enc) {
  sv_file f;
  if (load_kv(st, rel, full, "Count", &f))
    return;
  for (size_t i = 0; i < f.n_recs; i++) {
    set_where(rel, f.recs[i].line);
    gcm_vector(&f.recs[i], st, key_bytes, enc);
  }
  sv_free_file(&f);
}

static void run_gcm_enc128(const char *rel, const char *full, stats *st) {
  run_gcm(rel, full, st, 16, 1);
}

static void run_gcm_enc256(const char *rel, const char *full, stats *st) {
  run_gcm(rel, full, st, 32, 1);
}

static void run_gcm_dec128(const char *rel, const char *full, stats *st) {
  run_gcm(rel, full, st, 16, 0);
}

static void run_gcm_dec256(const char *rel, const char *full, stats *st) {
  run_gcm(rel, full, st, 32, 0);
}

/* ------------------------------------------------------------------ */
/* Crypto++ files: IEEE 1619 XTS and SM4                               */
/* ------------------------------------------------------------------ */

static int load_cryptopp(stats *st, const char *rel, const char *full,
                         sv_file *f) {
  return load_check(st, rel, sv_load_cryptopp(full, f), f->err);
}

/* A Crypto++ encoded-string field (hex, "text", r<N> repeats). */
static int cpp_bytes_or_fail(const char *v, const char *name, buf *b) {
  int ok = sv_cpp_bytes(v, &b->p, &b->n) == 0;
  CE_CHECK(ok, "%s: %s is not a Crypto++ encoded string: \"%.40s\"", g_where,
           name, v);
  return ok ? 0 : -1;
}

static int need_cpp(const sv_record *r, const char *name, buf *b) {
  const char *v = need(r, name);
  return v ? cpp_bytes_or_fail(v, name, b) : -1;
}

/* An optional field: absent gives an empty buffer that is still not NULL,
   as Crypto++ reads a missing Header or Plaintext as empty. */
static int opt_cpp(const sv_record *r, const char *name, buf *b) {
  const char *v = sv_get(r, name);
  return cpp_bytes_or_fail(v ? v : "", name, b);
}

/* Every entry of both Crypto++ files is "Test: Encrypt". */
static int cpp_is_encrypt(const sv_record *r, stats *st) {
  const char *t = need(r, "Test");
  int ok = t && strcmp(t, "Encrypt") == 0;
  CE_CHECK(ok, "%s: Test: %s", g_where, t ? t : "?");
  st->n_enc += (unsigned long)ok;
  return ok;
}

/*
 * IEEE vector 1 has Key1 == Key2. OpenSSL refuses that key for encryption
 * (SP 800-38E), and chanenc documents CE_ERR_INVALID_ARGUMENT for it. The
 * vector is then skipped, but the refusal must leave out untouched, and
 * decryption, which OpenSSL allows, must give the plaintext if it works.
 */
static void xts_dup_key(stats *st, unsigned long mark, const buf *key,
                        const uint8_t *tweak, const buf *pt, const buf *ct) {
  uint8_t *out = out_alloc(pt->n);
  if (!out) {
    vec_end(st, mark);
    return;
  }
  ce_status s = ce_xts_crypt(1, key->p, key->n, tweak, pt->p, pt->n, out);
  CE_CHECK_STATUS(s, CE_ERR_INVALID_ARGUMENT, "%s Key1 == Key2 encrypt",
                  g_where);
  CE_CHECK(all_sentinel(out, pt->n + GUARD), "%s refused encrypt wrote",
           g_where);
  memset(out, SENTINEL, pt->n + GUARD);
  s = ce_xts_crypt(0, key->p, key->n, tweak, ct->p, ct->n, out);
  if (s == CE_OK) {
    check_result(s, out, pt, "Key1 == Key2 decrypt");
  } else {
    CE_CHECK_STATUS(s, CE_ERR_INVALID_ARGUMENT, "%s Key1 == Key2 decrypt",
                    g_where);
    CE_CHECK(all_sentinel(out, ct->n + GUARD), "%s refused decrypt wrote",
             g_where);
  }
  free(out);
  vec_skip_or_fail(st, mark,
                   s == CE_OK
                       ? "IEEE vector 1, Key1 == Key2: encryption refused "
                         "with INVALID_ARGUMENT as OpenSSL requires; "
                         "decryption checked"
                       : "IEEE vector 1, Key1 == Key2: refused with "
                         "INVALID_ARGUMENT as OpenSSL requires for "
                         "encryption; the library refuses decryption too");
}

static void cpp_xts_vector(const sv_record *r, stats *st) {
  unsigned long mark = vec_begin();
  buf key = {0}, iv = {0}, pt = {0}, ct = {0};
  CE_CHECK(strcmp(r->section, "AES/XTS") == 0, "%s: Name %s", g_where,
           r->section);
  if (!cpp_is_encrypt(r, st) || need_cpp(r, "Key", &key) ||
      need_cpp(r, "IV", &iv) || need_cpp(r, "Plaintext", &pt) ||
      need_cpp(r, "Ciphertext", &ct))
    goto fail;
  CE_CHECK(key.n == 32 || key.n == 64, "%s: key of %zu bytes", g_where, key.n);
  CE_CHECK(iv.n == 16, "%s: IV of %zu bytes", g_where, iv.n);
  CE_CHECK(pt.n == ct.n && pt.n >= 16, "%s: PT %zu / CT %zu bytes", g_where,
           pt.n, ct.n);
  if (ce_test_failed != mark)
    goto fail;
  if (memcmp(key.p, key.p + key.n / 2, key.n / 2) == 0) {
    xts_dup_key(st, mark, &key, iv.p, &pt, &ct);
    goto out;
  }
  xts_check(1, &key, iv.p, &pt, &ct, "encrypt");
  xts_check(0, &key, iv.p, &ct, &pt, "decrypt");
fail:
  vec_end(st, mark);
out:
  buf_free(&key);
  buf_free(&iv);
  buf_free(&pt);
  buf_free(&ct);
}

static void run_cpp_xts(const char *rel, const char *full, stats *st) {
  sv_file f;
  if (load_cryptopp(st, rel, full, &f))
    return;
  for (size_t i = 0; i < f.n_recs; i++) {
    set_where(rel, f.recs[i].line);
    cpp_xts_vector(&f.recs[i], st);
  }
  sv_free_file(&f);
}

/* SM4 in ECB both ways; used by the Crypto++ and project files. */
static void sm4_both_ways(stats *st, unsigned long mark, const buf *key,
                          const buf *pt, const buf *ct) {
  CE_CHECK(key->n == 16, "%s: key of %zu bytes", g_where, key->n);
  CE_CHECK(pt->n == ct->n && pt->n > 0 && pt->n % 16 == 0,
           "%s: PT %zu / CT %zu bytes", g_where, pt->n, ct->n);
  if (ce_test_failed == mark) {
    ecb_check(CE_BLOCK_SM4, 1, key, pt, ct, "encrypt");
    ecb_check(CE_BLOCK_SM4, 0, key, ct, pt, "decrypt");
  }
  vec_end(st, mark);
}

static void cpp_sm4_vector(const sv_record *r, stats *st) {
  unsigned long mark = vec_begin();
  buf key = {0}, pt = {0}, ct = {0};
  int ecb = strcmp(r->section, "SM4/ECB") == 0;
  int cbc = strcmp(r->section, "SM4/CBC") == 0;
  CE_CHECK(ecb || cbc, "%s: Name %s", g_where, r->section);
  if (!cpp_is_encrypt(r, st) || need_cpp(r, "Key", &key) ||
      need_cpp(r, "Plaintext", &pt) || need_cpp(r, "Ciphertext", &ct) || !ecb) {
    if (cbc)
      vec_skip_or_fail(st, mark, "SM4/CBC entries, not ECB");
    else
      vec_end(st, mark);
  } else {
    sm4_both_ways(st, mark, &key, &pt, &ct);
  }
  buf_free(&key);
  buf_free(&pt);
  buf_free(&ct);
}

static void run_cpp_sm4(const char *rel, const char *full, stats *st) {
  sv_file f;
  if (load_cryptopp(st, rel, full, &f))
    return;
  for (size_t i = 0; i < f.n_recs; i++) {
    set_where(rel, f.recs[i].line);
    cpp_sm4_vector(&f.recs[i], st);
  }
  sv_free_file(&f);
}

/*
 * Crypto++ gcm.txt: "Test: Encrypt" entries (Key, IV, Header = AAD,
 * Plaintext, Ciphertext, MAC = tag; absent fields are empty) are run both
 * ways; "Test: NotVerify" entries must fail authentication.
 */
static void cpp_gcm_vector(const sv_record *r, stats *st) {
  unsigned long mark = vec_begin();
  gcm_vec v = {0};
  const char *t = need(r, "Test");
  int enc = t && strcmp(t, "Encrypt") == 0;
  v.fail = t && strcmp(t, "NotVerify") == 0;
  CE_CHECK(strcmp(r->section, "AES/GCM") == 0, "%s: Name %s", g_where,
           r->section);
  CE_CHECK(enc || v.fail, "%s: Test: %s", g_where, t ? t : "?");
  CE_CHECK(sv_get(r, "Footer") == NULL, "%s: a Footer field", g_where);
  if (ce_test_failed == mark && need_cpp(r, "Key", &v.key) == 0 &&
      need_cpp(r, "IV", &v.iv) == 0 && need_cpp(r, "MAC", &v.tag) == 0 &&
      opt_cpp(r, "Header", &v.aad) == 0 &&
      opt_cpp(r, "Plaintext", &v.pt) == 0 &&
      opt_cpp(r, "Ciphertext", &v.ct) == 0) {
    CE_CHECK(v.pt.n == v.ct.n, "%s: PT %zu / CT %zu bytes", g_where, v.pt.n,
             v.ct.n);
    CE_CHECK(v.tag.n >= 1 && v.tag.n <= 16, "%s: MAC of %zu bytes", g_where,
             v.tag.n);
    if (ce_test_failed == mark) {
      if (enc)
        gcm_enc_check(&v);
      gcm_dec_check(&v);
    }
  }
  st->n_enc += (unsigned long)enc;
  st->n_fail += (unsigned long)v.fail;
  vec_end(st, mark);
  gcm_free(&v);
}

static void run_cpp_gcm(const char *rel, const char *full, stats *st) {
  sv_file f;
  if (load_cryptopp(st, rel, full, &f))
    return;
  for (size_t i = 0; i < f.n_recs; i++) {
    set_where(rel, f.recs[i].line);
    cpp_gcm_vector(&f.recs[i], st);
  }
  sv_free_file(&f);
}

/* ------------------------------------------------------------------ */
/* SM4: pyca draft ECB, the project's GB/T 32907 examples              */
/* ------------------------------------------------------------------ */

static void run_draft_sm4(const char *rel, const char *full, stats *st) {
  run_ecb(rel, full, st, CE_BLOCK_SM4, 16, 1);
}

/* GB/T 32907-2016 Example 2: encrypt one block n times in place with the
   same key, then decrypt it back as many times. */
static void sm4_iterated(const buf *key, const buf *pt, const buf *ct,
                         unsigned long n) {
  uint8_t block[16];
  CE_CHECK(pt->n == 16 && ct->n == 16, "%s: iterated example not 1 block",
           g_where);
  if (pt->n != 16 || ct->n != 16)
    return;
  memcpy(block, pt->p, 16);
  ce_status s = CE_OK;
  unsigned long i;
  for (i = 0; i < n && s == CE_OK; i++)
    s = ce_ecb_crypt(CE_BLOCK_SM4, 1, key->p, 16, block, 16, block);
  CE_CHECK_STATUS(s, CE_OK, "%s: iterated encrypt, step %lu", g_where, i);
  CE_CHECK_MEM(block, ct->p, 16, "%s: %lu encryptions", g_where, n);
  for (i = 0; i < n && s == CE_OK; i++)
    s = ce_ecb_crypt(CE_BLOCK_SM4, 0, key->p, 16, block, 16, block);
  CE_CHECK_STATUS(s, CE_OK, "%s: iterated decrypt, step %lu", g_where, i);
  CE_CHECK_MEM(block, pt->p, 16, "%s: %lu decryptions", g_where, n);
}

/*
 * vectors/std/gbt32907-sm4-examples.txt: KEY, PLAINTEXT, CIPHERTEXT and
 * ITERATIONS, the number of encryptions in a row (1,000,000 for GB/T
 * Example 2 and draft A.1.6).
 */
static void run_sm4_examples(const char *rel, const char *full, stats *st) {
  sv_file f;
  if (load_kv(st, rel, full, "COUNT", &f))
    return;
  for (size_t i = 0; i < f.n_recs; i++) {
    const sv_record *r = &f.recs[i];
    set_where(rel, r->line);
    unsigned long mark = vec_begin();
    buf key = {0}, pt = {0}, ct = {0};
    uint64_t n = 0;
    if (need_u64(r, "ITERATIONS", &n) || need_hex(r, "KEY", &key) ||
        need_hex(r, "PLAINTEXT", &pt) || need_hex(r, "CIPHERTEXT", &ct)) {
      vec_end(st, mark);
    } else if (n == 1) {
      sm4_both_ways(st, mark, &key, &pt, &ct);
    } else {
      CE_CHECK(n > 1 && n <= 10000000, "%s: %llu iterations", g_where,
               (unsigned long long)n);
      CE_CHECK(key.n == 16, "%s: key of %zu bytes", g_where, key.n);
      if (ce_test_failed == mark)
        sm4_iterated(&key, &pt, &ct, (unsigned long)n);
      st->n_iter++;
      vec_end(st, mark);
    }
    buf_free(&key);
    buf_free(&pt);
    buf_free(&ct);
  }
  sv_free_file(&f);
}

/* ------------------------------------------------------------------ */
/* HKDF-SHA256 (RFC 5869 layout)                                       */
/* ------------------------------------------------------------------ */

static void hkdf_check(const buf *salt, const buf *ikm, const buf *info,
                       const buf *prk, const buf *okm) {
  uint8_t *out = out_alloc(okm->n), got_prk[32 + GUARD];
  if (!out)
    return;
  ce_status s = ce_hkdf_sha256(salt->p, salt->n, ikm->p, ikm->n, info->p,
                               info->n, out, okm->n);
  check_result(s, out, okm, "HKDF");
  if (salt->n == 0) { /* the documented NULL form of an absent salt */
    memset(out, SENTINEL, okm->n + GUARD);
    s = ce_hkdf_sha256(NULL, 0, ikm->p, ikm->n, info->p, info->n, out, okm->n);
    check_result(s, out, okm, "HKDF, NULL salt");
  }
  memset(got_prk, SENTINEL, sizeof got_prk);
  s = ce_hkdf_sha256_extract(salt->p, salt->n, ikm->p, ikm->n, got_prk);
  if (prk->n) {
    check_result(s, got_prk, prk, "HKDF-Extract");
  } else {
    CE_CHECK_STATUS(s, CE_OK, "%s HKDF-Extract", g_where);
    CE_CHECK(all_sentinel(got_prk + 32, GUARD), "%s: PRK overrun", g_where);
  }
  /* Expand from the file's PRK when given, so each half is tested alone. */
  const uint8_t *use_prk = prk->n ? prk->p : got_prk;
  memset(out, SENTINEL, okm->n + GUARD);
  s = ce_hkdf_sha256_expand(use_prk, 32, info->p, info->n, out, okm->n);
  check_result(s, out, okm, "HKDF-Expand");
  free(out);
}

static void hkdf_vector(const sv_record *r, stats *st) {
  unsigned long mark = vec_begin();
  buf ikm = {0}, salt = {0}, info = {0}, prk = {0}, okm = {0};
  uint64_t l = 0;
  const char *hash = need(r, "Hash");
  CE_CHECK(hash && strcmp(hash, "SHA-256") == 0, "%s: Hash %s", g_where,
           hash ? hash : "?");
  if (need_hex(r, "IKM", &ikm) || need_hex(r, "salt", &salt) ||
      need_hex(r, "info", &info) || need_u64(r, "L", &l) ||
      need_hex(r, "OKM", &okm))
    goto done;
  if (sv_get(r, "PRK") && need_hex(r, "PRK", &prk))
    goto done;
  CE_CHECK(okm.n == l, "%s: L = %llu but OKM of %zu bytes", g_where,
           (unsigned long long)l, okm.n);
  CE_CHECK(prk.n == 0 || prk.n == 32, "%s: PRK of %zu bytes", g_where, prk.n);
  if (ce_test_failed == mark)
    hkdf_check(&salt, &ikm, &info, &prk, &okm);
done:
  vec_end(st, mark);
  buf_free(&ikm);
  buf_free(&salt);
  buf_free(&info);
  buf_free(&prk);
  buf_free(&okm);
}

static void run_hkdf(const char *rel, const char *full, stats *st) {
  sv_file f;
  if (load_kv(st, rel, full, "COUNT", &f))
    return;
  for (size_t i = 0; i < f.n_recs; i++) {
    set_where(rel, f.recs[i].line);
    hkdf_vector(&f.recs[i], st);
  }
  sv_free_file(&f);
}

/*
 * Crypto++ hkdf.txt: "Name: HKDF(<hash>)", "Test: Verify" entries with
 * Secret (IKM), Salt (absent: no salt), Info, DerivedKeyLength and
 * DerivedKey. Only the SHA-256 ones apply.
 */
static void cpp_hkdf_vector(const sv_record *r, stats *st) {
  unsigned long mark = vec_begin();
  buf ikm = {0}, salt = {0}, info = {0}, okm = {0}, none = {0};
  uint64_t l = 0;
  const char *t = need(r, "Test");
  CE_CHECK(t && strcmp(t, "Verify") == 0, "%s: Test: %s", g_where, t ? t : "?");
  CE_CHECK(strncmp(r->section, "HKDF(", 5) == 0, "%s: Name %s", g_where,
           r->section);
  if (strcmp(r->section, "HKDF(SHA-256)") != 0) {
    CE_CHECK(need(r, "DerivedKey") != NULL, "%s: no DerivedKey", g_where);
    vec_skip_or_fail(st, mark, "hash is not SHA-256");
    return;
  }
  if (need_cpp(r, "Secret", &ikm) || need_cpp(r, "Info", &info) ||
      need_u64(r, "DerivedKeyLength", &l) || need_cpp(r, "DerivedKey", &okm))
    goto done;
  if (sv_get(r, "Salt") && need_cpp(r, "Salt", &salt))
    goto done;
  CE_CHECK(okm.n == l, "%s: DerivedKeyLength %llu but %zu bytes", g_where,
           (unsigned long long)l, okm.n);
  if (ce_test_failed == mark)
    hkdf_check(&salt, &ikm, &info, &none, &okm);
done:
  vec_end(st, mark);
  buf_free(&ikm);
  buf_free(&salt);
  buf_free(&info);
  buf_free(&okm);
}

static void run_cpp_hkdf(const char *rel, const char *full, stats *st) {
  sv_file f;
  if (load_cryptopp(st, rel, full, &f))
    return;
  for (size_t i = 0; i < f.n_recs; i++) {
    set_where(rel, f.recs[i].line);
    cpp_hkdf_vector(&f.recs[i], st);
  }
  sv_free_file(&f);
}

/* ------------------------------------------------------------------ */
/* PBKDF2-HMAC-SHA256                                                  */
/* ------------------------------------------------------------------ */

static void pbkdf2_check(const uint8_t *pass, size_t pass_len,
                         const uint8_t *salt, size_t salt_len, uint64_t iter,
                         const buf *want) {
  CE_CHECK(iter >= 1 && iter <= UINT32_MAX, "%s: %llu iterations", g_where,
           (unsigned long long)iter);
  uint8_t *out = out_alloc(want->n);
  if (!out || iter < 1 || iter > UINT32_MAX) {
    free(out);
    return;
  }
  ce_status s = ce_pbkdf2_sha256(pass, pass_len, salt, salt_len, (uint32_t)iter,
                                 out, want->n);
  check_result(s, out, want, "PBKDF2");
  free(out);
}

/* vectors/std/rfc7914-pbkdf2-sha256.txt: RFC 7914 section 11, with ASCII
   PASSWORD and SALT. */
static void run_rfc7914(const char *rel, const char *full, stats *st) {
  sv_file f;
  if (load_kv(st, rel, full, "COUNT", &f))
    return;
  for (size_t i = 0; i < f.n_recs; i++) {
    const sv_record *r = &f.recs[i];
    set_where(rel, r->line);
    unsigned long mark = vec_begin();
    buf dk = {0};
    uint64_t iter = 0, len = 0;
    const char *pass = need(r, "PASSWORD"), *salt = need(r, "SALT");
    if (pass && salt && need_u64(r, "ITERATIONS", &iter) == 0 &&
        need_u64(r, "LENGTH", &len) == 0 &&
        need_hex(r, "DERIVED_KEY", &dk) == 0) {
      CE_CHECK(dk.n == len, "%s: LENGTH %llu, key of %zu bytes", g_where,
               (unsigned long long)len, dk.n);
      pbkdf2_check((const uint8_t *)pass, strlen(pass), (const uint8_t *)salt,
                   strlen(salt), iter, &dk);
    }
    vec_end(st, mark);
    buf_free(&dk);
  }
  sv_free_file(&f);
}

/* ------------------------------------------------------------------ */
/* The file list, with the counts of vectors/README.md                 */
/* ------------------------------------------------------------------ */

typedef void (*runner_fn)(const char *rel, const char *full, stats *st);

typedef struct file_spec {
  sv_set set;       /* where the file is (stdvec.h) */
  const char *path; /* inside the set's directory */
  runner_fn run;
  unsigned long total, skipped;       /* vectors in the file; how many skip */
  unsigned long enc, dec, fail, iter; /* expected stats tallies */
} file_spec;

#define PYCA SV_SET_PYCA
#define CPP SV_SET_CRYPTOPP
#define OWN SV_SET_PROJECT
#define XTS_DIR "ciphers/AES/XTS/"
#define ECB_DIR "ciphers/AES/ECB/"
#define GCM_DIR "ciphers/AES/GCM/"

/* python3-cryptography-vectors 38.0.4-1 and libcrypto++-utils
   8.7.0+git220824-1 (Debian 12). */
static const file_spec k_files[] = {
    /* NIST CAVP XTS: 128-bit keys: 200 of 1000 units are 130 bits;
       256-bit keys: 400 are 140 or 250 bits. */
    {PYCA, XTS_DIR "tweak-128hexstr/XTSGenAES128.rsp", run_xts128_hex, 1000,
     200, 500, 500, 0, 0},
    {PYCA, XTS_DIR "tweak-128hexstr/XTSGenAES256.rsp", run_xts256_hex, 1000,
     400, 500, 500, 0, 0},
    {PYCA, XTS_DIR "tweak-dataunitseqno/XTSGenAES128.rsp", run_xts128_seq, 1000,
     200, 500, 500, 0, 0},
    {PYCA, XTS_DIR "tweak-dataunitseqno/XTSGenAES256.rsp", run_xts256_seq, 1000,
     400, 500, 500, 0, 0},
    {PYCA, ECB_DIR "ECBGFSbox128.rsp", run_ecb128, 14, 0, 7, 7, 0, 0},
    {PYCA, ECB_DIR "ECBGFSbox256.rsp", run_ecb256, 10, 0, 5, 5, 0, 0},
    {PYCA, ECB_DIR "ECBKeySbox128.rsp", run_ecb128, 42, 0, 21, 21, 0, 0},
    {PYCA, ECB_DIR "ECBKeySbox256.rsp", run_ecb256, 32, 0, 16, 16, 0, 0},
    {PYCA, ECB_DIR "ECBVarKey128.rsp", run_ecb128, 256, 0, 128, 128, 0, 0},
    {PYCA, ECB_DIR "ECBVarKey256.rsp", run_ecb256, 512, 0, 256, 256, 0, 0},
    {PYCA, ECB_DIR "ECBVarTxt128.rsp", run_ecb128, 256, 0, 128, 128, 0, 0},
    {PYCA, ECB_DIR "ECBVarTxt256.rsp", run_ecb256, 256, 0, 128, 128, 0, 0},
    {PYCA, ECB_DIR "ECBMMT128.rsp", run_ecb128, 20, 0, 10, 10, 0, 0},
    {PYCA, ECB_DIR "ECBMMT256.rsp", run_ecb256, 20, 0, 10, 10, 0, 0},
    {PYCA, GCM_DIR "gcmEncryptExtIV128.rsp", run_gcm_enc128, 7875, 0, 7875, 0,
     0, 0},
    {PYCA, GCM_DIR "gcmEncryptExtIV256.rsp", run_gcm_enc256, 7875, 0, 7875, 0,
     0, 0},
    {PYCA, GCM_DIR "gcmDecrypt128.rsp", run_gcm_dec128, 7875, 0, 0, 7875, 4011,
     0},
    {PYCA, GCM_DIR "gcmDecrypt256.rsp", run_gcm_dec256, 7875, 0, 0, 7875, 3919,
     0},
    /* GB/T 32907 Example 1, draft A.1.4 and the 2-block A.2.1.1/A.2.1.2. */
    {PYCA, "ciphers/SM4/draft-ribose-cfrg-sm4-10-ecb.txt", run_draft_sm4, 4, 0,
     4, 0, 0, 0},
    {PYCA, "KDF/rfc-5869-HKDF-SHA256.txt", run_hkdf, 3, 0, 0, 0, 0, 0},
    /* L = 1200 bytes, generated by pyca. */
    {PYCA, "KDF/hkdf-generated.txt", run_hkdf, 1, 0, 0, 0, 0, 0},
    /* 19 IEEE P1619 Annex B vectors (vector 1 has Key1 == Key2) and 481
       generated by Botan, all "Test: Encrypt". */
    {CPP, "xts.txt", run_cpp_xts, 500, 1, 500, 0, 0, 0},
    /* 21 SM4/ECB, 30 SM4/CBC. */
    {CPP, "sm4.txt", run_cpp_sm4, 51, 30, 51, 0, 0, 0},
    /* 21 "Encrypt" (AES-128/192/256; IVs of 8, 12, 16 and 60 bytes; one of
       715 bytes) and 1 "NotVerify". */
    {CPP, "gcm.txt", run_cpp_gcm, 22, 0, 21, 0, 1, 0},
    /* RFC 5869 test cases 1-3 (SHA-256); 4 SHA-1, 5 SHA-512 and 4 Whirlpool
       entries are skipped. */
    {CPP, "hkdf.txt", run_cpp_hkdf, 16, 13, 0, 0, 0, 0},
    /* Written for this project from the standards' text. */
    {OWN, "std/gbt32907-sm4-examples.txt", run_sm4_examples, 3, 0, 0, 0, 0, 2},
    {OWN, "std/rfc7914-pbkdf2-sha256.txt", run_rfc7914, 2, 0, 0, 0, 0, 0},
};

static void check_counts(const char *rel, const file_spec *fs,
                         const stats *st) {
  CE_CHECK(st->run + st->skipped == fs->total,
           "%s: %lu vectors found, README says %lu", rel, st->run + st->skipped,
           fs->total);
  CE_CHECK(st->skipped == fs->skipped, "%s: %lu skipped, expected %lu", rel,
           st->skipped, fs->skipped);
  CE_CHECK(st->n_enc == fs->enc && st->n_dec == fs->dec,
           "%s: %lu encrypt / %lu decrypt entries, expected %lu / %lu", rel,
           st->n_enc, st->n_dec, fs->enc, fs->dec);
  CE_CHECK(st->n_fail == fs->fail, "%s: %lu FAIL entries, expected %lu", rel,
           st->n_fail, fs->fail);
  CE_CHECK(st->n_iter == fs->iter, "%s: %lu iterated examples, expected %lu",
           rel, st->n_iter, fs->iter);
}

/* dir is the set's directory, or NULL when it is missing (then the file
   fails with set_err, which names the package). */
static void run_file(const char *dir, const char *set_err,
                     const file_spec *fs) {
  const sv_set_info *in = sv_set_get(fs->set);
  char rel[512], full[4096];
  stats st;
  memset(&st, 0, sizeof st);
  snprintf(rel, sizeof rel, "%s%s", in->label, fs->path);
  if (dir) {
    snprintf(full, sizeof full, "%s/%s", dir, fs->path);
    fs->run(rel, full, &st);
  } else {
    CE_CHECK(0, "%s: %s", rel, set_err);
    snprintf(st.error, sizeof st.error, "%s", set_err);
  }
  if (st.error[0]) {
    printf("%s: ERROR: %s", rel, st.error);
    if (dir && in->package)
      printf(" (a file of the Debian package %s)", in->package);
    printf("\n");
  } else {
    printf("%s: %lu run, %lu passed, %lu failed, %lu skipped", rel, st.run,
           st.passed, st.failed, st.skipped);
    if (st.skipped)
      printf(" (%s)", st.reason);
    printf("\n");
  }
  fflush(stdout);
  CE_CHECK(st.error[0] || st.run + st.skipped > 0, "%s: no vectors parsed",
           rel);
  check_counts(rel, fs, &st);
}

int main(void) {
  const char *dirs[SV_SET_COUNT];
  char errs[SV_SET_COUNT][SV_ERR_LEN];
  for (int s = 0; s < SV_SET_COUNT; s++) {
    errs[s][0] = '\0';
    if (sv_set_dir((sv_set)s, &dirs[s], errs[s]))
      fprintf(stderr, "test_std_vectors: %s\n", errs[s]);
  }
  for (size_t i = 0; i < sizeof k_files / sizeof k_files[0]; i++)
    run_file(dirs[k_files[i].set], errs[k_files[i].set], &k_files[i]);
  printf("GCM vectors with a 12-byte IV and a 128/256-bit key through the "
         "backends' own operations: openssl %lu, ipsec-mb %lu\n",
         g_backend_runs[CE_BACKEND_OPENSSL],
         g_backend_runs[CE_BACKEND_IPSECMB]);
  CE_CHECK(g_backend_runs[CE_BACKEND_OPENSSL] > 0,
           "no GCM vector ran through the OpenSSL backend");
  int chosen;
  if (ce_backend_select(CE_BACKEND_IPSECMB, CE_MODE_AES_128_GCM, &chosen) ==
      CE_OK)
    CE_CHECK(g_backend_runs[CE_BACKEND_IPSECMB] ==
                 g_backend_runs[CE_BACKEND_OPENSSL],
             "ipsec-mb ran %lu GCM vectors, OpenSSL %lu",
             g_backend_runs[CE_BACKEND_IPSECMB],
             g_backend_runs[CE_BACKEND_OPENSSL]);
  else
    printf("ipsec-mb backend not built in or not usable here\n");
  printf("ECB vectors (16-byte key) through the backends' own block cipher: "
         "AES openssl %lu; SM4 openssl %lu, sm4-simd %lu\n",
         g_ecb_backend_runs[CE_BACKEND_OPENSSL][0],
         g_ecb_backend_runs[CE_BACKEND_OPENSSL][1],
         g_ecb_backend_runs[CE_BACKEND_SM4SIMD][1]);
  CE_CHECK(g_ecb_backend_runs[CE_BACKEND_OPENSSL][0] > 0,
           "no AES-128 ECB vector ran through the OpenSSL backend");
  if (ce_mode_supported(CE_MODE_SM4_128_ECB) == CE_OK)
    CE_CHECK(g_ecb_backend_runs[CE_BACKEND_OPENSSL][1] > 0,
             "no SM4 vector ran through the OpenSSL backend");
  if (ce_backend_select(CE_BACKEND_SM4SIMD, CE_MODE_SM4_128_ECB, &chosen) ==
      CE_OK)
    CE_CHECK(g_ecb_backend_runs[CE_BACKEND_SM4SIMD][1] ==
                 g_ecb_backend_runs[CE_BACKEND_OPENSSL][1],
             "sm4-simd ran %lu SM4 vectors, OpenSSL %lu",
             g_ecb_backend_runs[CE_BACKEND_SM4SIMD][1],
             g_ecb_backend_runs[CE_BACKEND_OPENSSL][1]);
  else
    printf("sm4-simd backend not usable here\n");
  return ce_test_finish("test_std_vectors");
}
