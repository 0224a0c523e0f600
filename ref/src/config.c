/*
 * config.c - configuration inputs (spec section 3): defaults, the C-string
 * key helper, the base64 salt helper, the backend choice, and validation.
 */
#include "internal.h"

#include <string.h>

void ce_config_init(ce_config *cfg) {
  if (cfg == NULL)
    return;
  memset(cfg, 0, sizeof *cfg);
  cfg->mode = CE_MODE_AES_128_GCM2; /* spec 2: default of a fresh config */
}

ce_status ce_config_set_key_str(ce_config *cfg, const char *key) {
  if (cfg == NULL || key == NULL || key[0] == '\0')
    return CE_ERR_INVALID_ARGUMENT;
  /* Spec 3: the key string is taken as its raw bytes, never hex-decoded. */
  cfg->key = (const uint8_t *)key;
  cfg->key_len = strlen(key);
  return CE_OK;
}

static int ce__b64_value(char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

static int ce__is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Strict RFC 4648 base64 decode of exactly 32 bytes: 43 symbols and
   optionally one '='. Decodes into a local first so that a bad string
   leaves the salt as it was. */
ce_status ce_config_set_salt_base64(ce_config *cfg, const char *b64) {
  if (cfg == NULL || b64 == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  const char *s = b64;
  while (ce__is_space(*s))
    s++;
  size_t n = strlen(s);
  while (n > 0 && ce__is_space(s[n - 1]))
    n--;
  if (n > 0 && s[n - 1] == '=')
    n--;
  /* 32 bytes = 256 bits = 42 full symbols + 4 bits in a 43rd symbol. */
  if (n != 43)
    return CE_ERR_INVALID_ARGUMENT;
  uint8_t out[CE_SALT_LEN];
  uint32_t acc = 0;
  unsigned bits = 0;
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    int v = ce__b64_value(s[i]);
    if (v < 0) {
      ce_wipe(out, sizeof out);
      return CE_ERR_INVALID_ARGUMENT;
    }
    acc = (acc << 6) | (uint32_t)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (uint8_t)(acc >> bits);
    }
  }
  /* The 2 leftover bits must be zero (canonical encoding). */
  if (o != CE_SALT_LEN || (acc & ((1u << bits) - 1u)) != 0) {
    ce_wipe(out, sizeof out);
    return CE_ERR_INVALID_ARGUMENT;
  }
  memcpy(cfg->salt, out, sizeof out);
  ce_wipe(out, sizeof out);
  return CE_OK;
}

ce_status ce_config_set_backend(ce_config *cfg, const char *name) {
  int b = ce_backend_from_name(name);
  if (cfg == NULL || b < 0)
    return CE_ERR_INVALID_ARGUMENT;
  cfg->backend = b;
  return CE_OK;
}

static int ce__all_zero(const uint8_t *p, size_t n) {
  uint8_t acc = 0;
  for (size_t i = 0; i < n; i++)
    acc |= p[i];
  return acc == 0;
}

ce_status ce_config_check(const ce_config *cfg) {
  if (cfg == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  const ce__mode_info *mi = ce__mode(cfg->mode);
  if (mi == NULL)
    return CE_ERR_INVALID_ARGUMENT; /* spec 3.1: mode outside 1..8 */
  if (cfg->key == NULL || cfg->key_len == 0)
    return CE_ERR_INVALID_ARGUMENT; /* spec 3.1: missing or empty key */
  if (mi->salted && ce__all_zero(cfg->salt, CE_SALT_LEN))
    return CE_ERR_INVALID_ARGUMENT; /* spec 3.1: GCM2 needs a salt */
  if (ce_backend_name(cfg->backend) == NULL)
    return CE_ERR_INVALID_ARGUMENT; /* not a ce_backend value */
  /* INVALID_ARGUMENT first, then NOT_SUPPORTED (spec 10.1). */
  ce_status st = ce_mode_supported(cfg->mode);
  int backend;
  if (st == CE_OK)
    st = ce_backend_select(cfg->backend, cfg->mode, &backend);
  return st;
}
