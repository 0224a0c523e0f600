/*
 * free_marker_hook.h - a free() that counts the blocks freed while they
 * still hold a marker (tests/shim/free_marker_hook.c): memory that held a
 * secret must be wiped before it is freed.
 *
 * Linked into a test program it interposes free for the whole process,
 * libraries loaded with dlopen included; LD_PRELOADed into another program
 * with FREEHOOK_MARKER set in the environment it is armed from the start
 * and reports each hit on stderr ("freehook: hit ...").
 */
#ifndef FREE_MARKER_HOOK_H
#define FREE_MARKER_HOOK_H

#include <stddef.h>

/* From now on, count the blocks freed that contain marker (len bytes,
   1..64; copied). */
void ce_freehook_arm(const void *marker, size_t len);
/* Stop counting. */
void ce_freehook_disarm(void);
/* The blocks counted since the last ce_freehook_arm. */
unsigned long ce_freehook_hits(void);

#endif /* FREE_MARKER_HOOK_H */
