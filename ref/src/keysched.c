/*
 * keysched.c - the CE1 key schedule (spec section 4). Runs once per
 * configuration, in ce_derive / ce_ctx_new, never per packet.
 */
#include "internal.h"

#include <string.h>

/* HKDF-Expand(PRK, prefix || mode_string, len). The prefixes are the
   three below and the mode strings those of modes.c: the longest label is
   "ce1 check " (10) + "aes-128-gcm-2" (13) = 23 bytes, inside label[]. */
static ce_status ce__expand_label(const uint8_t prk[32], const char *prefix,
                                  const char *mode_string, uint8_t *out,
                                  size_t len) {
  uint8_t label[32];
  size_t p = strlen(prefix), m = strlen(mode_string);
  memcpy(label, prefix, p);
  memcpy(label + p, mode_string, m);
  return ce_hkdf_sha256_expand(prk, 32, label, p + m, out, len);
}

ce_status ce_derive(const ce_config *cfg, ce_derived *out) {
  if (out == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  ce_status st = ce_config_check(cfg);
  if (st != CE_OK)
    return st;
  const ce__mode_info *mi = ce__mode(cfg->mode);

  uint8_t prk[32];
  if (mi->salted) {
    /* GCM2: PRK = PBKDF2-HMAC-SHA256(key, salt, 100000, 32). */
    st = ce_pbkdf2_sha256(cfg->key, cfg->key_len, cfg->salt, CE_SALT_LEN,
                          CE_PBKDF2_ITERATIONS, prk, sizeof prk);
  } else {
    /* Modes 1-6: PRK = HKDF-Extract(salt = 0^32, IKM = key). */
    static const uint8_t zero_salt[32] = {0};
    st = ce_hkdf_sha256_extract(zero_salt, sizeof zero_salt, cfg->key,
                                cfg->key_len, prk);
  }

  ce_derived d;
  memset(&d, 0, sizeof d);
  d.enc_key_len = mi->key_bytes;
  if (st == CE_OK)
    st =
        ce__expand_label(prk, "ce1 key ", mi->string, d.enc_key, d.enc_key_len);
  if (st == CE_OK && mi->family == CE_FAMILY_GCM) {
    d.has_iv_base = 1;
    st =
        ce__expand_label(prk, "ce1 iv ", mi->string, d.iv_base, CE_IV_BASE_LEN);
  }
  if (st == CE_OK)
    st = ce__expand_label(prk, "ce1 check ", mi->string, &d.check, 1);
  if (st == CE_OK)
    *out = d;
  ce_wipe(prk, sizeof prk);
  ce_wipe(&d, sizeof d);
  return st;
}
