/*
 * testing.c - the testing interface (chanenc_testing.h): protect with a
 * caller-chosen packet number, and the fault-injection controls. Built into
 * the static library chanenc_testing only, never into the production
 * libchanenc. The protect functions take the same one path as ce_protect
 * (ce__protect_to), only with the packet number given.
 */
#include "chanenc_testing.h"
#include "internal.h"

ce_status ce_testing_protect_pn(ce_ctx *ctx, uint64_t pn, uint8_t *buf,
                                size_t *len, size_t cap) {
  if (buf == NULL || len == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  return ce__protect_to(ctx, 1, pn, buf, *len, buf, cap, len);
}

ce_status ce_testing_protect_pn_into(ce_ctx *ctx, uint64_t pn,
                                     const uint8_t *in, size_t in_len,
                                     uint8_t *out, size_t *out_len) {
  if (out_len == NULL)
    return CE_ERR_INVALID_ARGUMENT;
  return ce__protect_to(ctx, 1, pn, in, in_len, out, *out_len, out_len);
}

#ifdef CE_FAULT_INJECTION
void ce__fault_control(unsigned long nth);
unsigned long ce__fault_hits(void);
const char *ce__fault_fired(void);

int ce_testing_fault_available(void) {
  return 1;
}
void ce_testing_fault_arm(unsigned long nth) {
  ce__fault_control(nth);
}
unsigned long ce_testing_fault_hits(void) {
  return ce__fault_hits();
}
const char *ce_testing_fault_fired(void) {
  return ce__fault_fired();
}
#else
int ce_testing_fault_available(void) {
  return 0;
}
void ce_testing_fault_arm(unsigned long nth) {
  (void)nth;
}
unsigned long ce_testing_fault_hits(void) {
  return 0;
}
const char *ce_testing_fault_fired(void) {
  return NULL;
}
#endif
