/*
 * stdvec.h - readers for the standard known-answer vector files under
 * vectors/ (see vectors/README.md for each file's format quirks).
 *
 * Four readers, all loading a whole file into memory:
 *  - sv_load_kv: "name = value" records with [section] headers: NIST CAVP
 *    .rsp, the pyca KDF .txt files, OpenSSL evp_test stanzas;
 *  - sv_load_botan: Botan .vec (the same syntax, blank-line records);
 *  - sv_load_cryptopp: Crypto++ "Name: value" test data with `\`
 *    continuations, '#' comments and fields that carry over between tests;
 *  - sv_load_adoc: the AsciiDoc examples of draft-ribose-cfrg-sm4.
 * All of them accept LF, CRLF and bare CR line ends, in any mix.
 *
 * A reader returns 0 on success and -1 when the file cannot be read or is
 * malformed; the reason is then in the err member. Free with sv_free_*.
 */
#ifndef STDVEC_H
#define STDVEC_H

#include <stddef.h>
#include <stdint.h>

#define SV_ERR_LEN 256

typedef struct sv_field {
  char *name;
  char *value; /* "" for a bare word such as a GCM "FAIL" line */
} sv_field;

typedef struct sv_record {
  /* Last "[NAME]" header before the record ("" before any): "ENCRYPT",
     "DECRYPT", "SM4"; for Crypto++ the Name field ("SM4/ECB"). */
  char *section;
  /* "[Name = value]" headers in effect (NIST GCM "Keylen", "IVlen", ..). */
  sv_field *params;
  size_t n_params;
  sv_field *fields;
  size_t n_fields;
  unsigned long line; /* 1-based line of the record's first field */
} sv_record;

typedef struct sv_file {
  sv_record *recs;
  size_t n_recs;
  /* Lines that belonged to no record (fields before the first start_key):
     0 in a well-formed file, so tests can assert it. */
  unsigned long n_stray_lines;
  char err[SV_ERR_LEN];
} sv_file;

/*
 * Reads "name = value" records. A line "[X]" sets the section, a line
 * "[Name = value]" sets a parameter, '#' starts a comment line, and a line
 * without '=' is kept as a field with an empty value (NIST "FAIL").
 * When start_key is not NULL, each line whose name equals start_key
 * (case-insensitively) begins a record and blank lines are ignored; this
 * is needed for RFC 5869 files that have blank lines inside a record.
 * When start_key is NULL, blank lines end records (evp_test, Botan).
 */
int sv_load_kv(const char *path, const char *start_key, sv_file *out);
/* Botan .vec: sv_load_kv with blank-line records. */
int sv_load_botan(const char *path, sv_file *out);
/*
 * Crypto++ test data: one record per "Test:" field, holding every field in
 * effect at that point (the last value of each name). As in Crypto++'s
 * datatest.cpp, fields are cleared only at "AlgorithmType"; blank lines
 * carry no meaning. section is the Name field.
 */
int sv_load_cryptopp(const char *path, sv_file *out);
void sv_free_file(sv_file *f);

/* Last field called name (ASCII case-insensitive), or NULL. */
const char *sv_get(const sv_record *r, const char *name);
/* Value of the "[name = value]" parameter in effect, or NULL. */
const char *sv_param(const sv_record *r, const char *name);

/*
 * Decodes hex, skipping whitespace; an optional "0x" prefix is allowed (as
 * in Crypto++). *out is malloc'd (never NULL, even for length 0) and must
 * be freed. Returns 0, or -1 on an odd digit count, a non-hex character or
 * an allocation failure (then *out is NULL).
 */
int sv_hex(const char *s, uint8_t **out, size_t *len);
/* Parses a whole decimal number without sign or spaces. 0 or -1. */
int sv_u64(const char *s, uint64_t *out);

/* ---- AsciiDoc examples (draft-ribose-cfrg-sm4 Appendix A) ---- */

typedef struct sv_block {
  char *label; /* text line before the block without the ':', or "" */
  char *text;  /* the lines between the "----" fences, '\n'-joined */
} sv_block;

typedef struct sv_example {
  char *group; /* title of the enclosing heading, e.g. "SM4-ECB Examples" */
  char *title; /* e.g. "Example 3 (GB/T 32907-2016 Example 2 Encryption)" */
  char *prose; /* text outside blocks, '\n'-joined */
  sv_block *blocks;
  size_t n_blocks;
  unsigned long line;
} sv_example;

typedef struct sv_adoc {
  sv_example *ex;
  size_t n_ex;
  char err[SV_ERR_LEN];
} sv_adoc;

/* Every heading whose title starts with "Example " begins an example,
   which runs to the next heading. */
int sv_load_adoc(const char *path, sv_adoc *out);
void sv_free_adoc(sv_adoc *a);
/* The first block of ex whose label equals label case-insensitively, or
   NULL. */
const sv_block *sv_block_get(const sv_example *ex, const char *label);

#endif
