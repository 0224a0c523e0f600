/*
 * chanenc_sframe.h - SFrame (RFC 9605), the C core: header codec, cipher
 * suites, key derivation, the two AEADs, and a context holding keys by KID.
 *
 * The wire format and every reading of the RFC this code rests on are in
 * docs/sframe.md ("sframe N" in comments refers to its sections).
 *
 * Conventions: those of chanenc.h (ce_ prefix, one ce_status, (buf, *len,
 * cap) buffers, nothing written to caller memory on any failure, opaque
 * contexts with _new/_free and _free(NULL) a no-op, OpenSSL's error queue
 * left as it was except for CE_ERR_INTERNAL on the packet path).
 *
 * Cipher suites (RFC 9605 section 8.1; 6-8 from draft-barnes-sframe-iana-256,
 * which the working group's test vectors cover):
 *
 *   id  name                         Nh  Nka  Nk  Nn  Nt
 *    1  AES_128_CTR_HMAC_SHA256_80   32   16  48  12  10
 *    2  AES_128_CTR_HMAC_SHA256_64   32   16  48  12   8
 *    3  AES_128_CTR_HMAC_SHA256_32   32   16  48  12   4
 *    4  AES_128_GCM_SHA256_128       32    -  16  12  16
 *    5  AES_256_GCM_SHA512_128       64    -  32  12  16
 *    6  AES_256_CTR_HMAC_SHA512_80   64   32  96  12  10
 *    7  AES_256_CTR_HMAC_SHA512_64   64   32  96  12   8
 *    8  AES_256_CTR_HMAC_SHA512_32   64   32  96  12   4
 *
 * Thread safety of a ce_sframe_ctx (as a CE1 ce_ctx): one thread may
 * protect while another unprotects on the same context; the two directions
 * share nothing that either writes (a KID is a send key or a receive key,
 * never both; each direction has its own buffer). Two threads protecting,
 * or two unprotecting, at once are not allowed. The control calls
 * (ce_sframe_add_key, ce_sframe_remove_key, ce_sframe_set_replay_window,
 * ce_sframe_ctx_free) must not run while any thread protects or
 * unprotects on the context. Functions without a context are thread-safe.
 *
 * fork(): a send key does not survive fork(). In a child process (after
 * fork(), or any clone() on Linux 4.14+) every send key the context held
 * before the fork counts as absent for ce_sframe_protect
 * (CE_ERR_UNKNOWN_KID), so the child can never repeat a (KID, CTR) its
 * parent uses. The child adds a send key of its own (a different base key;
 * re-adding the inherited base key for the same KID is refused) or removes
 * the KID. Receive keys keep working in the child. One atomic load per
 * protect, no system call (docs/sframe.md 7).
 */
#ifndef CHANENC_SFRAME_H
#define CHANENC_SFRAME_H

#include "chanenc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Cipher suites                                                       */
/* ------------------------------------------------------------------ */

typedef enum ce_sframe_suite {
  CE_SFRAME_AES_128_CTR_HMAC_SHA256_80 = 0x0001,
  CE_SFRAME_AES_128_CTR_HMAC_SHA256_64 = 0x0002,
  CE_SFRAME_AES_128_CTR_HMAC_SHA256_32 = 0x0003,
  CE_SFRAME_AES_128_GCM_SHA256_128 = 0x0004,
  CE_SFRAME_AES_256_GCM_SHA512_128 = 0x0005,
  CE_SFRAME_AES_256_CTR_HMAC_SHA512_80 = 0x0006,
  CE_SFRAME_AES_256_CTR_HMAC_SHA512_64 = 0x0007,
  CE_SFRAME_AES_256_CTR_HMAC_SHA512_32 = 0x0008
} ce_sframe_suite;

/* The constants of RFC 9605 4.4 / Table 1 for one suite. */
typedef struct ce_sframe_suite_info {
  int id;           /* 1..8                                        */
  const char *name; /* "AES_128_CTR_HMAC_SHA256_80"                */
  size_t nh;        /* hash output bytes (32 SHA-256, 64 SHA-512)  */
  size_t nka;       /* AES key bytes of CTR+HMAC suites; 0 for GCM */
  size_t nk;        /* AEAD key bytes (sframe_key)                 */
  size_t nn;        /* nonce bytes (12 for every suite)            */
  size_t nt;        /* tag bytes                                   */
  int gcm;          /* 1: AES-GCM; 0: AES-CTR + HMAC (RFC 4.5.1)   */
} ce_sframe_suite_info;

/* The row for suite, or NULL for an id outside 1..8. */
CE_API const ce_sframe_suite_info *ce_sframe_suite_get(int suite);

/* Largest header (config byte + 8-byte KID + 8-byte CTR), tag, and the
   largest expansion of any suite and header. */
#define CE_SFRAME_MAX_HEADER 17u
#define CE_SFRAME_MAX_TAG 16u
#define CE_SFRAME_MAX_OVERHEAD (CE_SFRAME_MAX_HEADER + CE_SFRAME_MAX_TAG)
/* Largest plaintext a context protects or unprotects: the context's two
   buffers (allocated once, by ce_sframe_ctx_new) are this large. */
#define CE_SFRAME_MAX_PAYLOAD (1u << 20)
/* Largest replay window (ce_sframe_set_replay_window). */
#define CE_SFRAME_MAX_REPLAY_WINDOW 1024u

/* ------------------------------------------------------------------ */
/* Header (RFC 9605 4.3)                                               */
/* ------------------------------------------------------------------ */

/* Bytes of the header for (kid, ctr): 1..17. */
CE_API size_t ce_sframe_header_len(uint64_t kid, uint64_t ctr);

/* Writes the header for (kid, ctr), in the only form RFC 9605 4.3 allows
   (values 0..7 in the config byte, larger ones in the fewest big-endian
   bytes), to out. *out_len is the capacity of out on entry and the header
   length on success. CE_ERR_INVALID_ARGUMENT (NULL out or out_len),
   CE_ERR_BUFFER_TOO_SMALL; on failure nothing is written. */
CE_API ce_status ce_sframe_header_encode(uint64_t kid, uint64_t ctr,
                                         uint8_t *out, size_t *out_len);

/* Parses the header at the start of in[0..in_len). On CE_OK *kid, *ctr and
   *header_len (each may be NULL) get the values and the header's length;
   the rest of in is not looked at. CE_ERR_MALFORMED: in_len is shorter
   than the header its config byte announces, or a value is not in the
   shortest form (an extended field holding 0..7, or an extended field
   with a leading zero byte): docs/sframe.md 3 explains why such headers
   are refused. CE_ERR_INVALID_ARGUMENT: in NULL. Nothing is written on
   failure. */
CE_API ce_status ce_sframe_header_decode(const uint8_t *in, size_t in_len,
                                         uint64_t *kid, uint64_t *ctr,
                                         size_t *header_len);

/* Bytes a frame with this KID and CTR adds to its payload in this suite:
   header length + Nt. 0 for an invalid suite. A payload of n bytes needs
   n + ce_sframe_overhead(...) bytes, or n + CE_SFRAME_MAX_OVERHEAD for any
   suite, KID and CTR. */
CE_API size_t ce_sframe_overhead(int suite, uint64_t kid, uint64_t ctr);

/* ------------------------------------------------------------------ */
/* Key derivation and the AEADs (RFC 9605 4.4.2, 4.4.3, 4.5.1)         */
/* ------------------------------------------------------------------ */

/* Everything derive_key_salt (RFC 9605 4.4.2) computes, for comparing an
   implementation step by step. */
typedef struct ce_sframe_derived {
  uint8_t secret[64]; /* sframe_secret = HKDF-Extract("", base_key)   */
  size_t secret_len;  /* Nh                                           */
  uint8_t
      key_label[32]; /* "SFrame 1.0 Secret key " || BE64(KID) || BE16(suite) */
  uint8_t salt_label[33]; /* "SFrame 1.0 Secret salt " || BE64(KID) ||
                             BE16(suite) */
  uint8_t key[96];        /* sframe_key = HKDF-Expand(secret, key_label, Nk) */
  size_t key_len;         /* Nk                                              */
  uint8_t salt[12]; /* sframe_salt = HKDF-Expand(secret, salt_label, Nn) */
  size_t salt_len;  /* Nn                                               */
} ce_sframe_derived;

/* Runs derive_key_salt for (suite, kid, base_key). base_key may be any
   length from 1 byte (RFC 9605 sets no length; an empty key is refused as
   certainly a mistake). Statuses: CE_OK; CE_ERR_INVALID_ARGUMENT (invalid
   suite, NULL out, NULL or empty base_key); CE_ERR_NOT_SUPPORTED;
   CE_ERR_INTERNAL. *out is untouched on failure; wipe it with ce_wipe. */
CE_API ce_status ce_sframe_derive(int suite, uint64_t kid,
                                  const uint8_t *base_key, size_t base_key_len,
                                  ce_sframe_derived *out);

/* nonce = salt XOR (0^(Nn-8) || BE64(ctr)) (RFC 9605 4.4.3; Nn is 12). */
CE_API void ce_sframe_nonce(const uint8_t salt[12], uint64_t ctr,
                            uint8_t nonce[12]);

/* AEAD.Encrypt of the suite (RFC 9605 4.4, 4.5.1): key of Nk bytes (for
   CTR+HMAC suites enc_key || auth_key), 12-byte nonce, any aad (NULL when
   aad_len is 0), plaintext in[0..len) -> out[0..len + Nt) (ciphertext ||
   tag). One-shot primitive for known-answer tests, not the packet path
   (allocates per call). in and out may be the same buffer. Statuses:
   CE_ERR_INVALID_ARGUMENT (invalid suite, NULL pointer with a nonzero
   length, key_len != Nk), CE_ERR_TOO_LARGE (len or aad_len over INT_MAX),
   CE_ERR_NOT_SUPPORTED, CE_ERR_INTERNAL. out is unchanged on failure. */
CE_API ce_status ce_sframe_aead_encrypt(int suite, const uint8_t *key,
                                        size_t key_len, const uint8_t nonce[12],
                                        const uint8_t *aad, size_t aad_len,
                                        const uint8_t *in, size_t len,
                                        uint8_t *out);
/* AEAD.Decrypt: in[0..len) is ciphertext || tag (len >= Nt, else
   CE_ERR_MALFORMED); out gets len - Nt bytes only when the tag verified,
   CE_ERR_AUTH_FAILED otherwise (out unchanged). Other statuses as
   ce_sframe_aead_encrypt. */
CE_API ce_status ce_sframe_aead_decrypt(int suite, const uint8_t *key,
                                        size_t key_len, const uint8_t nonce[12],
                                        const uint8_t *aad, size_t aad_len,
                                        const uint8_t *in, size_t len,
                                        uint8_t *out);

/* ------------------------------------------------------------------ */
/* Context                                                             */
/* ------------------------------------------------------------------ */

typedef struct ce_sframe_ctx ce_sframe_ctx;

/* RFC 9605 4.4.1: "Implementations MUST mark each base_key as usable for
   encryption or decryption, never both." */
typedef enum ce_sframe_usage {
  CE_SFRAME_SEND = 1,   /* protect only; carries a send counter       */
  CE_SFRAME_RECEIVE = 2 /* unprotect only; carries a replay window    */
} ce_sframe_usage;

/* A context for one cipher suite, with no keys. Allocates the two packet
   buffers (CE_SFRAME_MAX_PAYLOAD each, so the packet path never
   allocates; pages are touched only as frames use them). Statuses: CE_OK;
   CE_ERR_INVALID_ARGUMENT (NULL out, suite outside 1..8);
   CE_ERR_NOT_SUPPORTED; CE_ERR_INTERNAL. *out is NULL on failure (when
   out is not NULL). */
CE_API ce_status ce_sframe_ctx_new(int suite, ce_sframe_ctx **out);
/* Wipes every key and both buffers, and frees. NULL is a no-op. */
CE_API void ce_sframe_ctx_free(ce_sframe_ctx *ctx);
/* Suite of the context; 0 for NULL. */
CE_API int ce_sframe_ctx_suite(const ce_sframe_ctx *ctx);

/* Adds the key for kid, or replaces the key kid has (control call). The
   key and salt are derived here (RFC 9605 4.4.2) and keyed into OpenSSL
   contexts; base_key is only read during the call and every intermediate
   is wiped. A new send key starts at CTR 0; a receive key with an empty
   replay window.
   The context remembers every base key it has held for a KID (by its
   derived salt, no key material): adding one again, whether it is the
   KID's current key or one replaced or removed earlier, continues its
   send counter where it stopped (a restart at 0 would repeat nonces, RFC
   9605 9.1); a receive key added again keeps its replay window only when
   it is the current key. A base key is for one usage only (RFC 9605
   4.4.1): adding it with the other usage is refused. In a child process
   after fork() a send key inherited from the parent never comes back, by
   any sequence of calls (the parent may still be counting with it). A
   base key never seen for this KID starts at CTR 0.
   Statuses: CE_OK; CE_ERR_INVALID_ARGUMENT (NULL ctx, usage not SEND or
   RECEIVE, NULL or empty base_key, the usage and fork cases above);
   CE_ERR_INTERNAL. On failure the context is as it was (the old key, if
   any, stays). */
CE_API ce_status ce_sframe_add_key(ce_sframe_ctx *ctx, uint64_t kid, int usage,
                                   const uint8_t *base_key,
                                   size_t base_key_len);
/* Removes the key of kid and wipes it (control call). CE_OK;
   CE_ERR_UNKNOWN_KID when kid has no key; CE_ERR_INVALID_ARGUMENT (NULL
   ctx). Never fails otherwise (no allocation). The context keeps the
   key's salt and counter (see ce_sframe_add_key) until it is freed, so a
   removed send key added again continues its counter. */
CE_API ce_status ce_sframe_remove_key(ce_sframe_ctx *ctx, uint64_t kid);
/* Replay window of every receive key (control call): 0 (the default)
   turns the check off; 1..CE_SFRAME_MAX_REPLAY_WINDOW accepts a CTR once,
   and only when it is within size - 1 of the highest authenticated CTR of
   its KID. The state behind it (highest CTR, last 1024 CTRs seen) is kept
   for every receive key whatever the size, so changing the size never
   forgets what was seen. CE_ERR_INVALID_ARGUMENT: NULL ctx or size over
   the maximum. */
CE_API ce_status ce_sframe_set_replay_window(ce_sframe_ctx *ctx, size_t size);
/* The CTR the next ce_sframe_protect with kid will use. CE_OK;
   CE_ERR_UNKNOWN_KID (no send key with that KID in this process);
   CE_ERR_COUNTER_EXHAUSTED; CE_ERR_INVALID_ARGUMENT (NULL). Not while
   another thread protects. */
CE_API ce_status ce_sframe_next_ctr(const ce_sframe_ctx *ctx, uint64_t kid,
                                    uint64_t *ctr);

/* Protects the payload in buf[0..*len) in place into an SFrame ciphertext
   header || AEAD.Encrypt(sframe_key, nonce, header || metadata, payload)
   with the send key of kid and its next CTR; on success *len is the frame
   length (payload + ce_sframe_overhead). metadata (NULL when metadata_len
   is 0) is authenticated, not sent (RFC 9605 9.4).
   Checks, in order: CE_ERR_INVALID_ARGUMENT (NULL ctx, buf or len, NULL
   metadata with a nonzero length); CE_ERR_UNKNOWN_KID (no send key for
   kid, or one inherited across fork); CE_ERR_COUNTER_EXHAUSTED (the KID
   already used CTR 2^64-1); CE_ERR_TOO_LARGE (*len over
   CE_SFRAME_MAX_PAYLOAD, metadata_len over INT_MAX);
   CE_ERR_BUFFER_TOO_SMALL (cap under the frame length). Then the CTR is
   consumed (whatever the seal's outcome) and CE_OK, or CE_ERR_INTERNAL.
   The frame is built in the context's memory and copied to buf at the
   end. */
CE_API ce_status ce_sframe_protect(ce_sframe_ctx *ctx, uint64_t kid,
                                   const uint8_t *metadata, size_t metadata_len,
                                   uint8_t *buf, size_t *len, size_t cap);
/* Out of place: *out_len is the capacity of out on entry, the frame length
   on success. in may be NULL when in_len is 0. in, out and metadata may
   overlap in any way. Statuses as ce_sframe_protect. */
CE_API ce_status ce_sframe_protect_into(ce_sframe_ctx *ctx, uint64_t kid,
                                        const uint8_t *metadata,
                                        size_t metadata_len, const uint8_t *in,
                                        size_t in_len, uint8_t *out,
                                        size_t *out_len);

/* Unprotects the SFrame ciphertext in buf[0..*len) in place; on success
   the payload is at buf[0..*len) and *kid / *ctr (each may be NULL) get
   the header's values. Checks, in order: CE_ERR_INVALID_ARGUMENT (NULL
   ctx, buf or len, NULL metadata with a nonzero length);
   CE_ERR_MALFORMED (header truncated or not in shortest form, or fewer
   than Nt bytes after it); CE_ERR_UNKNOWN_KID (no receive key for the
   KID: the caller may keep the frame and retry once the key arrives, RFC
   9605 4.4.4); CE_ERR_TOO_LARGE (payload over CE_SFRAME_MAX_PAYLOAD,
   metadata_len over INT_MAX); CE_ERR_REPLAYED (replay window on, and the
   CTR was already accepted or is older than the window);
   CE_ERR_AUTH_FAILED (tag did not verify: altered frame, wrong key or
   wrong metadata); CE_ERR_INTERNAL. The frame is verified and decrypted
   in the context's memory; buf, *len, *kid and *ctr are written only for
   a verified payload. The replay window records the CTR only then. */
CE_API ce_status ce_sframe_unprotect(ce_sframe_ctx *ctx,
                                     const uint8_t *metadata,
                                     size_t metadata_len, uint8_t *buf,
                                     size_t *len, uint64_t *kid, uint64_t *ctr);
/* Out of place. As ce_sframe_unprotect (in must not be NULL), and, after
   every other check has passed, CE_ERR_BUFFER_TOO_SMALL when the payload
   exceeds *out_len (capacity last: a forged frame is reported as forged;
   the CTR is then not recorded, so the frame can be retried). */
CE_API ce_status ce_sframe_unprotect_into(ce_sframe_ctx *ctx,
                                          const uint8_t *metadata,
                                          size_t metadata_len,
                                          const uint8_t *in, size_t in_len,
                                          uint8_t *out, size_t *out_len,
                                          uint64_t *kid, uint64_t *ctr);

#ifdef __cplusplus
}
#endif

#endif /* CHANENC_SFRAME_H */
