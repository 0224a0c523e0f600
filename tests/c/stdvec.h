/*
 * stdvec.h - where the standard known-answer vector files are, and readers
 * for them (see vectors/README.md for each set's origin and each file's
 * format quirks).
 *
 * Two readers, both loading a whole file into memory:
 *  - sv_load_kv: "name = value" records with [section] headers: NIST CAVP
 *    .rsp, the pyca KDF and SM4 .txt files, the project's vectors/std/;
 *  - sv_load_cryptopp: Crypto++ "Name: value" test data with `\`
 *    continuations, '#' comments and fields that carry over between tests.
 * Both accept LF, CRLF and bare CR line ends, in any mix.
 *
 * A reader returns 0 on success and -1 when the file cannot be read or is
 * malformed; the reason is then in the err member. Free with sv_free_*.
 */
#ifndef STDVEC_H
#define STDVEC_H

#include <stddef.h>
#include <stdint.h>

#define SV_ERR_LEN 512

/* ---- Where the vector sets are ---- */

/*
 * The sets the standard vectors come from. Nothing but the project's own
 * files is copied into the repository: the others are read where their
 * Debian packages install them.
 */
typedef enum sv_set {
  SV_SET_PROJECT,  /* $CE_VECTORS_DIR: the project's vectors/ (std/, ce1/) */
  SV_SET_PYCA,     /* python3-cryptography-vectors */
  SV_SET_CRYPTOPP, /* libcrypto++-utils: /usr/share/crypto++/TestVectors */
  SV_SET_COUNT
} sv_set;

typedef struct sv_set_info {
  const char *label;   /* prefix of its files in reports: "pyca/", or "" */
  const char *env;     /* the variable that overrides the directory */
  const char *dflt;    /* directory when env is unset or empty, or NULL */
  const char *package; /* Debian package that installs it, or NULL */
} sv_set_info;

const sv_set_info *sv_set_get(sv_set s);
/*
 * The directory of set s: $env when set and not empty, else the default.
 * Returns 0 when it is a directory; else -1 with a message in err that
 * names the package to install and the variable to set. Never a silent
 * fallback: a missing set is an error for the caller to report.
 */
int sv_set_dir(sv_set s, const char **dir, char err[SV_ERR_LEN]);

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
 * When start_key is NULL, blank lines end records.
 */
int sv_load_kv(const char *path, const char *start_key, sv_file *out);
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
/*
 * Decodes a Crypto++ "encoded string" (TestVectors/Readme.txt, as
 * datatest.cpp reads it): a sequence of "quoted text", 0x<hex> up to the
 * next space, or plain hex (spaces allowed) to the end, each optionally
 * prefixed by r<N> to repeat it N times. *out as for sv_hex.
 */
int sv_cpp_bytes(const char *s, uint8_t **out, size_t *len);

#endif
