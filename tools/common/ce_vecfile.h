/*
 * ce_vecfile.h - loader for CE1 frame vector files (format ce1-vectors/1,
 * docs/conformance.md section 2).
 *
 * The loader checks the file's shape and types strictly - required fields,
 * lower-case hex, 16-digit PNs, known status names, unique test ids, no
 * unknown members (they are most likely typos, e.g. "stauts") - and names
 * the group, test id and field of the first problem. It does not judge
 * the cryptography (whether a frame is right); that is the tests' job.
 */
#ifndef CE_VECFILE_H
#define CE_VECFILE_H

#include <stddef.h>
#include <stdint.h>

#include "chanenc.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CE_VEC_FORMAT "ce1-vectors/1"

typedef struct ce_vec_test {
  int64_t id;
  char *comment;
  int valid;  /* 1 for "result": "valid", 0 for "invalid"        */
  int status; /* invalid tests: the expected ce_status; else CE_OK */
  int has_pn; /* 0 when "pn" is null or absent                   */
  uint64_t pn;
  int has_payload;  /* always 1 for valid tests                   */
  uint8_t *payload; /* never NULL (at least one byte allocated)  */
  size_t payload_len;
  uint8_t *frame; /* never NULL (at least one byte allocated)    */
  size_t frame_len;
} ce_vec_test;

typedef struct ce_vec_group {
  size_t index;    /* position in the file's "groups", from 0 */
  int mode;        /* as written; refusal groups may hold an invalid id */
  char *mode_name; /* NULL when the file has null */
  char *comment;   /* optional; NULL when absent */
  uint8_t *key;    /* never NULL; key_len may be 0 in refusal groups */
  size_t key_len;
  uint8_t *salt; /* any length: refusal groups may carry 31 or 33 bytes */
  size_t salt_len;
  int has_config_status; /* the group's config must be refused */
  int config_status;     /* CE_ERR_INVALID_ARGUMENT or CE_ERR_NOT_SUPPORTED */
  int has_derived;       /* 1 for every group without config_status */
  uint8_t *enc_key;
  size_t enc_key_len;
  int has_iv_base; /* 0 when "iv_base" is null */
  uint8_t iv_base[CE_IV_BASE_LEN];
  uint8_t check;
  ce_vec_test *tests;
  size_t n_tests;
} ce_vec_group;

typedef struct ce_vec_file {
  char *name; /* the path or name the file was loaded as */
  char *description;
  ce_vec_group *groups;
  size_t n_groups;
  size_t n_valid, n_invalid, n_refusals; /* totals over all groups */
} ce_vec_file;

/* Parses a ce1-vectors/1 document from text[0..len) (need not be NUL
   terminated). name is used in messages. Returns 0 and sets *out, or -1
   with a message in err (err_len bytes, may be 0) and *out NULL. */
int ce_vec_parse(const char *text, size_t len, const char *name,
                 ce_vec_file **out, char *err, size_t err_len);
/* Reads and parses the file at path (at most 256 MiB). */
int ce_vec_load(const char *path, ce_vec_file **out, char *err, size_t err_len);
/* NULL is a no-op. */
void ce_vec_free(ce_vec_file *f);

/* Fills *cfg (after ce_config_init) from a group's bytes: mode, key
   (borrowed from g), salt. CE_ERR_INVALID_ARGUMENT when the salt is not
   exactly CE_SALT_LEN bytes - ce_config cannot express it, so such a
   config is refused here, as the adapter refuses it. Does not otherwise
   validate: that is ce_config_check / ce_ctx_new's job. */
ce_status ce_vec_group_config(const ce_vec_group *g, ce_config *cfg);

#ifdef __cplusplus
}
#endif

#endif /* CE_VECFILE_H */
