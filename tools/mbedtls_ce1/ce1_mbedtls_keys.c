/*
 * ce1_mbedtls_keys.c - the modes (spec 2) and the key schedule (spec 4).
 *
 *   PRK     = PBKDF2-HMAC-SHA256(key, salt, 100000, 32)   modes 7, 8
 *           = HKDF-Extract(0^32, key)                     modes 1..6
 *   enc_key = HKDF-Expand(PRK, "ce1 key " || ms, key_bytes)
 *   iv_base = HKDF-Expand(PRK, "ce1 iv " || ms, 12)       GCM family
 *   check   = HKDF-Expand(PRK, "ce1 check " || ms, 1)
 *
 * The ABI is stateless, so every call derives. The PBKDF2 PRK of modes 7
 * and 8 (100,000 HMAC iterations) is kept in a small cache keyed by the
 * exact key bytes and salt; the PRK does not depend on the mode, so both
 * GCM2 modes share an entry. Everything else is cheap and not cached.
 */
#include "ce1_mbedtls.h"

#include <mbedtls/constant_time.h>
#include <mbedtls/platform_util.h>

#include <pthread.h>
#include <string.h>

#define CE1_PBKDF2_ITERATIONS 100000
#define CE1_SALT_LEN 32

static const struct {
  const char *ms; /* the mode string of spec 2 */
  size_t key_bytes;
  int family;
} modes[9] = {
    {NULL, 0, 0},
    {"aes-128-xts", 32, CE1M_XTS},
    {"aes-128-ecb", 16, CE1M_ECB},
    {"aes-256-xts", 64, CE1M_XTS},
    {"sm4-128-ecb", 16, CE1M_ECB},
    {"aes-128-gcm", 16, CE1M_GCM},
    {"aes-256-gcm", 32, CE1M_GCM},
    {"aes-128-gcm-2", 16, CE1M_GCM},
    {"aes-256-gcm-2", 32, CE1M_GCM},
};

int ce1m_family(int mode) {
  return mode >= 1 && mode <= 8 ? modes[mode].family : 0;
}

/* ------------------------------------------------------------------ */
/* The GCM2 PRK cache.                                                  */
/* ------------------------------------------------------------------ */

#define PRK_SLOTS 8
#define PRK_MAX_KEY 256 /* longer keys are derived every time */

typedef struct prk_slot {
  uint64_t used; /* last use (LRU clock), 0: empty */
  size_t key_len;
  uint8_t key[PRK_MAX_KEY];
  uint8_t salt[CE1_SALT_LEN];
  uint8_t prk[32];
} prk_slot;

static pthread_mutex_t prk_lock = PTHREAD_MUTEX_INITIALIZER;
static prk_slot prk_cache[PRK_SLOTS];
static uint64_t prk_clock;

__attribute__((destructor)) static void prk_cache_wipe(void) {
  if (pthread_mutex_lock(&prk_lock) != 0)
    return;
  mbedtls_platform_zeroize(prk_cache, sizeof prk_cache);
  (void)pthread_mutex_unlock(&prk_lock);
}

/* Looks (key, salt) up; on a hit copies the PRK and returns 1. The lock
   is held by the caller. */
static int prk_lookup(const uint8_t *key, size_t key_len,
                      const uint8_t salt[32], uint8_t prk[32]) {
  for (size_t i = 0; i < PRK_SLOTS; i++) {
    prk_slot *s = &prk_cache[i];
    if (s->used == 0 || s->key_len != key_len ||
        mbedtls_ct_memcmp(s->key, key, key_len) != 0 ||
        mbedtls_ct_memcmp(s->salt, salt, CE1_SALT_LEN) != 0)
      continue;
    s->used = ++prk_clock;
    memcpy(prk, s->prk, 32);
    return 1;
  }
  return 0;
}

/* Stores (key, salt) -> prk in the least recently used slot. The lock is
   held by the caller. */
static void prk_store(const uint8_t *key, size_t key_len,
                      const uint8_t salt[32], const uint8_t prk[32]) {
  prk_slot *victim = &prk_cache[0];
  for (size_t i = 1; i < PRK_SLOTS; i++)
    if (prk_cache[i].used < victim->used)
      victim = &prk_cache[i];
  mbedtls_platform_zeroize(victim, sizeof *victim);
  victim->key_len = key_len;
  memcpy(victim->key, key, key_len);
  memcpy(victim->salt, salt, CE1_SALT_LEN);
  memcpy(victim->prk, prk, 32);
  victim->used = ++prk_clock;
}

/* The PBKDF2 PRK of modes 7 and 8, from the cache when possible. */
static int gcm2_prk(const uint8_t *key, size_t key_len, const uint8_t salt[32],
                    uint8_t prk[32]) {
  int cacheable = key_len <= PRK_MAX_KEY;
  /* Without the lock (it cannot fail with a default mutex, but if it
     did) derive without the cache: slower, never wrong. */
  if (cacheable && pthread_mutex_lock(&prk_lock) != 0)
    cacheable = 0;
  if (cacheable) {
    int hit = prk_lookup(key, key_len, salt, prk);
    (void)pthread_mutex_unlock(&prk_lock);
    if (hit)
      return CE1M_OK;
  }
  /* Derived outside the lock: two threads may both derive the same PRK,
     which only costs time. */
  int st = ce1m_pbkdf2(key, key_len, salt, CE1_SALT_LEN, CE1_PBKDF2_ITERATIONS,
                       prk, 32);
  if (st != CE1M_OK) {
    mbedtls_platform_zeroize(prk, 32);
    return st;
  }
  if (cacheable && pthread_mutex_lock(&prk_lock) == 0) {
    uint8_t dummy[32];
    if (!prk_lookup(key, key_len, salt, dummy))
      prk_store(key, key_len, salt, prk);
    mbedtls_platform_zeroize(dummy, sizeof dummy);
    (void)pthread_mutex_unlock(&prk_lock);
  }
  return CE1M_OK;
}

/* ------------------------------------------------------------------ */
/* Key schedule.                                                        */
/* ------------------------------------------------------------------ */

/* HKDF-Expand(prk, prefix || ms, len) into out. */
static int expand_label(const uint8_t prk[32], const char *prefix,
                        const char *ms, uint8_t *out, size_t len) {
  uint8_t info[32];
  size_t p = strlen(prefix), m = strlen(ms);
  memcpy(info, prefix, p);
  memcpy(info + p, ms, m);
  return ce1m_hkdf_expand(prk, 32, info, p + m, out, len);
}

int ce1m_derive(int mode, const uint8_t *key, size_t key_len,
                const uint8_t salt[32], ce1m_keys *k) {
  uint8_t prk[32];
  const char *ms = modes[mode].ms;
  memset(k, 0, sizeof *k);
  int st = mode == 7 || mode == 8
               ? gcm2_prk(key, key_len, salt, prk)
               : ce1m_hkdf_extract(NULL, 0, key, key_len, prk);
  k->enc_key_len = modes[mode].key_bytes;
  if (st == CE1M_OK)
    st = expand_label(prk, "ce1 key ", ms, k->enc_key, k->enc_key_len);
  if (st == CE1M_OK && modes[mode].family == CE1M_GCM)
    st = expand_label(prk, "ce1 iv ", ms, k->iv_base, sizeof k->iv_base);
  if (st == CE1M_OK)
    st = expand_label(prk, "ce1 check ", ms, &k->check, 1);
  mbedtls_platform_zeroize(prk, sizeof prk);
  if (st != CE1M_OK)
    mbedtls_platform_zeroize(k, sizeof *k);
  return st;
}
