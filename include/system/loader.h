/*
 * loader.h — putting guest software into guest RAM.
 *
 * Every loader checks its input and, on a missing, unreadable, malformed
 * or oversized file, prints one error line (naming the file and the
 * problem) and returns false; it never writes outside the RAM region.
 */
#ifndef SYSTEM_LOADER_H
#define SYSTEM_LOADER_H

#include <stdbool.h>
#include <stdint.h>

#include "exec/memory.h"

/*
 * AArch64 kernel: a Linux arm64 Image (Documentation/arm64/booting.rst:
 * magic "ARM\x64" at 0x38, text_offset and image_size honoured, placed at a
 * 2 MiB aligned base + text_offset), else an AArch64 ELF (loaded by
 * segment physical address; entry from the header), else rejected: a raw
 * binary must be requested explicitly with load_raw().
 * *image_end: first byte after the loaded image (incl. BSS for Image).
 */
bool load_arm64_image(AddressSpace *as, const char *path, uint64_t ram_base,
                      uint64_t ram_size, uint64_t *entry, uint64_t *image_end);
/*
 * ELF64 (EM_AARCH64 or EM_X86_64 as `machine`): PT_LOAD segments at p_paddr.
 * *lowest: first byte loaded; *highest: first byte after the highest segment.
 */
bool load_elf64(AddressSpace *as, const char *path, int machine, uint64_t *entry,
                uint64_t *lowest, uint64_t *highest);
/* A file's bytes at addr (must fit in RAM). */
bool load_raw(AddressSpace *as, const char *path, uint64_t addr, uint64_t max_size,
              uint64_t *size);
/* initrd at addr; fails if it does not fit in max_size or is empty. */
bool load_initrd(AddressSpace *as, const char *path, uint64_t addr, uint64_t max_size,
                 uint64_t *size);
/* A gzip'd or newc-cpio initrd must be complete; one error line if not (system/initrd-check.c). */
bool initrd_check(const char *path);
/* Read a whole file (up to max bytes) into a malloc'd buffer; one error line on failure. */
bool load_file(const char *path, uint64_t max, uint8_t **data, uint64_t *size);

#endif
