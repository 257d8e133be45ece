/*
 * code.h — reemu's undo entries for stores to code pages (reemu/code.c):
 * a translation sees another core's store only after handling its
 * invalidation. Internal to reemu/; the translator's hook is
 * reemu_code_view() in include/reemu/reemu.h.
 */
#ifndef REEMU_CODE_H
#define REEMU_CODE_H

#include <stdbool.h>
#include <stdint.h>

#define CODE_UNDO_MAX 16

void code_undo_init(int ncores);
/* core handled a TB invalidation from sender stamped with sender's position */
void code_seen_set(int core, int sender, uint64_t stamp);
/* Before writer's store at access position key to [paddr, paddr+len), whose
 * current bytes are at host. */
void code_undo_add(int writer, uint64_t key, uint64_t paddr, const void *host, unsigned len);
/* val: size (<= 8) bytes of guest RAM at paddr just read by core's
 * translator (little-endian); returns them as core may see them. */
uint64_t code_undo_view(int core, uint64_t paddr, uint64_t val, unsigned size);

#endif
