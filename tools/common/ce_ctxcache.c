/*
 * ce_ctxcache.c - LRU of reference contexts; see ce_ctxcache.h.
 */
#include "ce_ctxcache.h"

#include <stdlib.h>
#include <string.h>

static void ce_ctxcache__drop(ce_ctxcache_entry *e) {
  ce_ctx_free(e->ctx);
  if (e->key != NULL) {
    ce_wipe(e->key, e->key_len ? e->key_len : 1);
    free(e->key);
  }
  ce_wipe(e, sizeof *e); /* derived keys and salt too */
}

void ce_ctxcache_clear(ce_ctxcache *c) {
  if (c == NULL)
    return;
  for (size_t i = 0; i < CE_CTXCACHE_SLOTS; i++)
    if (c->slots[i].used)
      ce_ctxcache__drop(&c->slots[i]);
}

static void ce_ctxcache__config(ce_config *cfg, int mode, const uint8_t *key,
                                size_t key_len, const uint8_t *salt) {
  ce_config_init(cfg);
  cfg->mode = mode;
  cfg->key = key;
  cfg->key_len = key_len;
  if (salt != NULL)
    memcpy(cfg->salt, salt, CE_SALT_LEN);
}

/* The entry for the configuration, or NULL. */
static ce_ctxcache_entry *ce_ctxcache__find(ce_ctxcache *c, int mode,
                                            const uint8_t *key, size_t key_len,
                                            const uint8_t *salt) {
  static const uint8_t zero[CE_SALT_LEN];
  if (salt == NULL)
    salt = zero;
  for (size_t i = 0; i < CE_CTXCACHE_SLOTS; i++) {
    ce_ctxcache_entry *e = &c->slots[i];
    if (e->used && e->mode == mode && e->key_len == key_len &&
        (key_len == 0 || memcmp(e->key, key, key_len) == 0) &&
        memcmp(e->salt, salt, CE_SALT_LEN) == 0) {
      e->last_use = ++c->tick;
      c->hits++;
      return e;
    }
  }
  return NULL;
}

/* A fresh entry for the configuration, evicting the least recently used
   one when full; NULL when out of memory. */
static ce_ctxcache_entry *ce_ctxcache__insert(ce_ctxcache *c, int mode,
                                              const uint8_t *key,
                                              size_t key_len,
                                              const uint8_t *salt) {
  ce_ctxcache_entry *victim = NULL;
  for (size_t i = 0; i < CE_CTXCACHE_SLOTS; i++) {
    ce_ctxcache_entry *e = &c->slots[i];
    if (!e->used) {
      victim = e;
      break;
    }
    if (victim == NULL || e->last_use < victim->last_use)
      victim = e;
  }
  uint8_t *k = malloc(key_len ? key_len : 1);
  if (k == NULL)
    return NULL;
  if (victim->used)
    ce_ctxcache__drop(victim);
  if (key_len)
    memcpy(k, key, key_len);
  victim->used = 1;
  victim->mode = mode;
  victim->key = k;
  victim->key_len = key_len;
  if (salt != NULL)
    memcpy(victim->salt, salt, CE_SALT_LEN);
  else
    memset(victim->salt, 0, CE_SALT_LEN);
  victim->last_use = ++c->tick;
  victim->ctx = NULL;
  victim->has_derived = 0;
  c->misses++;
  return victim;
}

ce_status ce_ctxcache_get(ce_ctxcache *c, int mode, const uint8_t *key,
                          size_t key_len, const uint8_t *salt, ce_ctx **out) {
  if (out != NULL)
    *out = NULL;
  if (c == NULL || out == NULL || (key == NULL && key_len != 0))
    return CE_ERR_INVALID_ARGUMENT;
  ce_ctxcache_entry *e = ce_ctxcache__find(c, mode, key, key_len, salt);
  if (e != NULL && e->ctx != NULL) {
    *out = e->ctx;
    return CE_OK;
  }
  ce_config cfg;
  ce_ctxcache__config(&cfg, mode, key, key_len, salt);
  ce_ctx *ctx;
  ce_status st = ce_ctx_new(&cfg, &ctx);
  if (st != CE_OK)
    return st;
  if (e == NULL)
    e = ce_ctxcache__insert(c, mode, key, key_len, salt);
  if (e == NULL) {
    ce_ctx_free(ctx);
    return CE_ERR_INTERNAL;
  }
  e->ctx = ctx;
  *out = ctx;
  return CE_OK;
}

ce_status ce_ctxcache_derive(ce_ctxcache *c, int mode, const uint8_t *key,
                             size_t key_len, const uint8_t *salt,
                             ce_derived *out) {
  if (c == NULL || out == NULL || (key == NULL && key_len != 0))
    return CE_ERR_INVALID_ARGUMENT;
  ce_ctxcache_entry *e = ce_ctxcache__find(c, mode, key, key_len, salt);
  if (e != NULL && e->has_derived) {
    *out = e->derived;
    return CE_OK;
  }
  ce_config cfg;
  ce_ctxcache__config(&cfg, mode, key, key_len, salt);
  ce_derived d;
  ce_status st = ce_derive(&cfg, &d);
  if (st != CE_OK)
    return st;
  if (e == NULL)
    e = ce_ctxcache__insert(c, mode, key, key_len, salt);
  if (e != NULL) { /* out of memory only costs the caching */
    e->derived = d;
    e->has_derived = 1;
  }
  *out = d;
  ce_wipe(&d, sizeof d);
  return CE_OK;
}
