/*
 * ce_hex.h - strict hex encoding for the CE1 tools.
 *
 * Output is always lower case (the ce1-vectors/1 format requires it).
 * Decoding is strict: even length, hex digits only - no whitespace, no
 * "0x", no separators - and, with CE_HEX_LOWER_ONLY, lower case only.
 */
#ifndef CE_HEX_H
#define CE_HEX_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ce_hex_result {
  CE_HEX_OK = 0,
  CE_HEX_ODD_LENGTH = -1, /* odd number of digits                      */
  CE_HEX_BAD_DIGIT = -2,  /* a byte that is not an allowed hex digit   */
  CE_HEX_TOO_LONG = -3,   /* decoded bytes exceed the output capacity  */
  CE_HEX_NO_MEMORY = -4,
  CE_HEX_BAD_ARGUMENT = -5 /* NULL pointer with a nonzero length       */
} ce_hex_result;

/* Decoding flags. */
#define CE_HEX_LOWER_ONLY 1u /* reject 'A'..'F' */

/* Writes 2*len lower-case digits and a NUL to out (2*len+1 bytes). */
void ce_hex_encode(const uint8_t *in, size_t len, char *out);
/* As ce_hex_encode into a fresh malloc'd string; NULL when out of memory
   or 2*len+1 overflows. */
char *ce_hex_encode_alloc(const uint8_t *in, size_t len);

/* Decodes hex[0..hex_len) into out (capacity out_cap); *out_len gets the
   byte count. On error, *bad_pos (when not NULL) gets the offset of the
   offending digit (or hex_len for an odd length) and out may have been
   partly written. */
ce_hex_result ce_hex_decode(const char *hex, size_t hex_len, unsigned flags,
                            uint8_t *out, size_t out_cap, size_t *out_len,
                            size_t *bad_pos);
/* As ce_hex_decode into a fresh malloc'd buffer of at least one byte (so
   an empty string gives a non-NULL pointer and length 0). */
ce_hex_result ce_hex_decode_alloc(const char *hex, size_t hex_len,
                                  unsigned flags, uint8_t **out,
                                  size_t *out_len, size_t *bad_pos);

/* "odd number of hex digits", ... */
const char *ce_hex_strerror(ce_hex_result r);

#ifdef __cplusplus
}
#endif

#endif /* CE_HEX_H */
