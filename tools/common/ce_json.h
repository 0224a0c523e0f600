/*
 * ce_json.h - a small, strict, bounded JSON (RFC 8259) parser for the CE1
 * tools: vector files and the JSON-lines adapter protocol.
 *
 * Strict: exactly the RFC 8259 grammar. No comments, no trailing commas,
 * no single quotes, no NaN/Infinity, no leading '+' or zeros, no byte order
 * mark, no control characters inside strings, input must be valid UTF-8,
 * escapes \uXXXX must form valid scalar values (surrogates only as a
 * high-low pair), and duplicate member names in one object are rejected
 * (RFC 8259 leaves their meaning open; a vector file with two "status"
 * members is ambiguous, so it is an error here).
 *
 * Bounded: the parser reads only text[0..len) - the text need not be NUL
 * terminated - and nests at most max_depth arrays/objects, so hostile
 * input (it is fuzzed) cannot overflow the stack.
 *
 * The parsed tree is immutable and owned by its root; free the root with
 * ce_json_free. Accessors accept NULL and wrong types and then report
 * "absent", so lookups chain without checks in between.
 */
#ifndef CE_JSON_H
#define CE_JSON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ce_json_type {
  CE_JSON_NULL = 0,
  CE_JSON_FALSE,
  CE_JSON_TRUE,
  CE_JSON_NUMBER,
  CE_JSON_STRING,
  CE_JSON_ARRAY,
  CE_JSON_OBJECT
} ce_json_type;

typedef struct ce_json ce_json;

/* Nesting limit used when ce_json_parse is given max_depth 0. */
#define CE_JSON_DEFAULT_MAX_DEPTH 64u

typedef struct ce_json_error {
  size_t offset; /* byte offset into the input where the error was found */
  char msg[160]; /* "offset 12: expected ':' after member name" */
} ce_json_error;

/* Parses exactly one JSON value (surrounded by optional whitespace) from
   text[0..len). max_depth 0 means CE_JSON_DEFAULT_MAX_DEPTH. Returns 0 and
   sets *out on success; returns -1, sets *out to NULL and fills *err (when
   err is not NULL) on failure. text may be NULL only when len is 0. */
int ce_json_parse(const char *text, size_t len, size_t max_depth, ce_json **out,
                  ce_json_error *err);

/* Frees a tree returned by ce_json_parse. NULL is a no-op. Only roots may
   be freed. */
void ce_json_free(ce_json *root);

/* Type of v; CE_JSON_NULL when v is NULL. */
ce_json_type ce_json_type_of(const ce_json *v);
/* "null", "false", "true", "number", "string", "array", "object". */
const char *ce_json_type_name(ce_json_type t);

/* Member of an object by name (compared byte for byte, so names holding
   \u0000 are matched by name_len). NULL when v is not an object or the
   member is absent. */
const ce_json *ce_json_get(const ce_json *v, const char *name);
const ce_json *ce_json_get_n(const ce_json *v, const char *name,
                             size_t name_len);

/* Element count of an array or member count of an object; 0 otherwise. */
size_t ce_json_size(const ce_json *v);
/* i-th element of an array or i-th member value of an object (in source
   order); NULL when out of range or not a container. */
const ce_json *ce_json_at(const ce_json *v, size_t i);
/* Name of the i-th member of an object (NUL terminated; *len, when not
   NULL, gets its byte length); NULL when out of range or not an object. */
const char *ce_json_key_at(const ce_json *v, size_t i, size_t *len);

/* Decoded UTF-8 bytes of a string (NUL terminated; may contain NUL bytes
   from \u0000, so use *len). NULL when v is not a string. */
const char *ce_json_string(const ce_json *v, size_t *len);
/* Source text of a number, e.g. "-1.5e3" (NUL terminated); NULL when v is
   not a number. */
const char *ce_json_number_text(const ce_json *v);
/* 1 and *out set when v is a number written as an integer (no fraction,
   no exponent) that fits int64_t; 0 otherwise (*out untouched). */
int ce_json_int64(const ce_json *v, int64_t *out);
/* 1 and *out set when v is a number (any form, converted with strtod);
   0 otherwise. */
int ce_json_double(const ce_json *v, double *out);
/* 1 when v is true, 0 when false; -1 when v is not a boolean. */
int ce_json_bool(const ce_json *v);
/* 1 when v is the literal null (not when v is NULL/absent). */
int ce_json_is_null(const ce_json *v);

#ifdef __cplusplus
}
#endif

#endif /* CE_JSON_H */
