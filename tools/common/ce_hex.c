/*
 * ce_hex.c - strict hex encoding; see ce_hex.h.
 */
#include "ce_hex.h"

#include <stdlib.h>

static const char ce_hex__digits[] = "0123456789abcdef";

void ce_hex_encode(const uint8_t *in, size_t len, char *out) {
  for (size_t i = 0; i < len; i++) {
    out[2 * i] = ce_hex__digits[in[i] >> 4];
    out[2 * i + 1] = ce_hex__digits[in[i] & 0x0f];
  }
  out[2 * len] = '\0';
}

char *ce_hex_encode_alloc(const uint8_t *in, size_t len) {
  if (len > (((size_t)-1) - 1) / 2)
    return NULL;
  char *s = malloc(2 * len + 1);
  if (s != NULL)
    ce_hex_encode(in, len, s);
  return s;
}

static int ce_hex__val(unsigned char c, unsigned flags) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F' && !(flags & CE_HEX_LOWER_ONLY))
    return c - 'A' + 10;
  return -1;
}

ce_hex_result ce_hex_decode(const char *hex, size_t hex_len, unsigned flags,
                            uint8_t *out, size_t out_cap, size_t *out_len,
                            size_t *bad_pos) {
  if ((hex == NULL && hex_len != 0) || out_len == NULL)
    return CE_HEX_BAD_ARGUMENT;
  /* Report a bad digit before an odd length: it says more about what is
     wrong with the input. */
  for (size_t i = 0; i < hex_len; i++) {
    if (ce_hex__val((unsigned char)hex[i], flags) < 0) {
      if (bad_pos != NULL)
        *bad_pos = i;
      return CE_HEX_BAD_DIGIT;
    }
  }
  if (hex_len % 2 != 0) {
    if (bad_pos != NULL)
      *bad_pos = hex_len;
    return CE_HEX_ODD_LENGTH;
  }
  size_t n = hex_len / 2;
  if (n > out_cap)
    return CE_HEX_TOO_LONG;
  if (n != 0 && out == NULL)
    return CE_HEX_BAD_ARGUMENT;
  for (size_t i = 0; i < n; i++) {
    int hi = ce_hex__val((unsigned char)hex[2 * i], flags);
    int lo = ce_hex__val((unsigned char)hex[2 * i + 1], flags);
    out[i] = (uint8_t)((hi << 4) | lo);
  }
  *out_len = n;
  return CE_HEX_OK;
}

ce_hex_result ce_hex_decode_alloc(const char *hex, size_t hex_len,
                                  unsigned flags, uint8_t **out,
                                  size_t *out_len, size_t *bad_pos) {
  if (out == NULL || out_len == NULL || (hex == NULL && hex_len != 0))
    return CE_HEX_BAD_ARGUMENT;
  *out = NULL;
  /* One byte at least: malloc(0) may return NULL, which callers would
     mistake for an allocation failure. */
  uint8_t *buf = malloc(hex_len / 2 + 1);
  if (buf == NULL)
    return CE_HEX_NO_MEMORY;
  ce_hex_result r =
      ce_hex_decode(hex, hex_len, flags, buf, hex_len / 2, out_len, bad_pos);
  if (r != CE_HEX_OK) {
    free(buf);
    return r;
  }
  *out = buf;
  return CE_HEX_OK;
}

const char *ce_hex_strerror(ce_hex_result r) {
  switch (r) {
  case CE_HEX_OK:
    return "ok";
  case CE_HEX_ODD_LENGTH:
    return "odd number of hex digits";
  case CE_HEX_BAD_DIGIT:
    return "invalid hex digit";
  case CE_HEX_TOO_LONG:
    return "hex string too long for the field";
  case CE_HEX_NO_MEMORY:
    return "out of memory";
  case CE_HEX_BAD_ARGUMENT:
    return "invalid argument";
  }
  return "unknown hex error";
}
