/*
 * memory.h — the guest physical address space.
 *
 * A machine maps RAM regions (one host mapping each, shared by every core)
 * and MMIO regions (a device's read/write callbacks) at fixed addresses at
 * start-up; after machine init the map is immutable, so lookups take no
 * lock. An address no region covers is "unassigned": reads return 0,
 * writes are dropped, and both are logged under -d guest_errors (targets may
 * turn them into bus faults through CPUClass.do_transaction_failed).
 *
 * Device callbacks are called from any core thread: a device serialises
 * itself with its own lock (no global lock exists).
 */
#ifndef EXEC_MEMORY_H
#define EXEC_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct MemoryRegionOps {
    /* offset is relative to the region base; size is 1, 2, 4 or 8 */
    uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
    void (*write)(void *opaque, uint64_t offset, uint64_t value, unsigned size);
    /* accesses outside [min, max] are split (min 0 means 1, max 0 means 8) */
    unsigned min_access, max_access;
} MemoryRegionOps;

typedef struct MemoryRegion {
    const char *name;
    uint64_t base, size;
    bool is_ram;
    bool readonly;       /* ROM: writes are dropped */
    uint8_t *host;       /* RAM: host mapping of base */
    const MemoryRegionOps *ops;
    void *opaque;
} MemoryRegion;

typedef struct AddressSpace AddressSpace;

AddressSpace *address_space_new(const char *name);
void address_space_free(AddressSpace *as);
/* Map anonymous host memory as guest RAM; exits with an error if impossible. */
MemoryRegion *memory_map_ram(AddressSpace *as, const char *name, uint64_t base,
                             uint64_t size);
MemoryRegion *memory_map_rom(AddressSpace *as, const char *name, uint64_t base,
                             uint64_t size);
MemoryRegion *memory_map_mmio(AddressSpace *as, const char *name, uint64_t base,
                              uint64_t size, const MemoryRegionOps *ops, void *opaque);

/* Region containing addr, or NULL (unassigned). Lock-free. */
const MemoryRegion *memory_lookup(const AddressSpace *as, uint64_t addr);
/* Host pointer to [addr, addr+len) if it lies inside one RAM region, else NULL. */
void *memory_ram_ptr(const AddressSpace *as, uint64_t addr, uint64_t len);

/* Sized access by physical address (devices, page-table walkers); *ok=false if unassigned. */
uint64_t memory_read(const AddressSpace *as, uint64_t addr, unsigned size, bool *ok);
void memory_write(const AddressSpace *as, uint64_t addr, uint64_t val, unsigned size,
                  bool *ok);
/* Dispatch to an MMIO region with access splitting; offset relative to mr->base. */
uint64_t memory_region_dispatch_read(const MemoryRegion *mr, uint64_t offset,
                                     unsigned size);
void memory_region_dispatch_write(const MemoryRegion *mr, uint64_t offset, uint64_t val,
                                  unsigned size);
/* Bulk copy to/from guest RAM (loaders, DMA); false if any byte is not RAM. */
bool memory_rw(const AddressSpace *as, uint64_t addr, void *buf, uint64_t len,
               bool is_write);
/* -d mtree */
void memory_dump(const AddressSpace *as, FILE *f);

#endif
