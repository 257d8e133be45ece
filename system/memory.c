/*
 * memory.c — the guest physical address space (see include/exec/memory.h).
 *
 * Regions are kept in an array sorted by base address; the map is built
 * during machine init and never changes afterwards, so lookups are a plain
 * binary search with no lock, safe from every core thread at once.
 */
#include "exec/memory.h"

#include <stdlib.h>
#include <inttypes.h>
#include <string.h>
#include <sys/mman.h>

#include "util/log.h"

struct AddressSpace {
    const char *name;
    MemoryRegion **regions; /* sorted by base, non-overlapping */
    int nb, cap;
};

AddressSpace *address_space_new(const char *name)
{
    AddressSpace *as = calloc(1, sizeof(*as));
    if (!as) {
        fatal("out of memory");
    }
    as->name = name;
    return as;
}

void address_space_free(AddressSpace *as)
{
    if (!as) {
        return;
    }
    for (int i = 0; i < as->nb; i++) {
        MemoryRegion *mr = as->regions[i];
        if (mr->is_ram && mr->host) {
            munmap(mr->host, mr->size);
        }
        free(mr);
    }
    free(as->regions);
    free(as);
}

static MemoryRegion *as_insert(AddressSpace *as, MemoryRegion *mr)
{
    if (mr->size == 0 || mr->base + mr->size - 1 < mr->base) {
        fatal("memory region '%s' has an invalid range", mr->name);
    }
    int pos = 0;
    while (pos < as->nb && as->regions[pos]->base < mr->base) {
        pos++;
    }
    /* overlap with the neighbours is a machine-definition bug */
    if ((pos > 0 && as->regions[pos - 1]->base + as->regions[pos - 1]->size > mr->base) ||
        (pos < as->nb && mr->base + mr->size > as->regions[pos]->base)) {
        fatal("memory region '%s' at 0x%" PRIx64 " overlaps another region", mr->name,
              mr->base);
    }
    if (as->nb == as->cap) {
        as->cap = as->cap ? as->cap * 2 : 16;
        as->regions = realloc(as->regions, as->cap * sizeof(*as->regions));
        if (!as->regions) {
            fatal("out of memory");
        }
    }
    memmove(&as->regions[pos + 1], &as->regions[pos], (as->nb - pos) * sizeof(*as->regions));
    as->regions[pos] = mr;
    as->nb++;
    return mr;
}

static MemoryRegion *new_region(const char *name, uint64_t base, uint64_t size)
{
    MemoryRegion *mr = calloc(1, sizeof(*mr));
    if (!mr) {
        fatal("out of memory");
    }
    mr->name = name;
    mr->base = base;
    mr->size = size;
    return mr;
}

MemoryRegion *memory_map_ram(AddressSpace *as, const char *name, uint64_t base, uint64_t size)
{
    MemoryRegion *mr = new_region(name, base, size);
    /* MAP_NORESERVE: untouched guest RAM costs no host memory */
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        fatal("cannot allocate %" PRIu64 " MiB of guest RAM for '%s'", size >> 20, name);
    }
    mr->is_ram = true;
    mr->host = p;
    return as_insert(as, mr);
}

MemoryRegion *memory_map_rom(AddressSpace *as, const char *name, uint64_t base, uint64_t size)
{
    MemoryRegion *mr = memory_map_ram(as, name, base, size);
    mr->readonly = true;
    return mr;
}

MemoryRegion *memory_map_mmio(AddressSpace *as, const char *name, uint64_t base,
                              uint64_t size, const MemoryRegionOps *ops, void *opaque)
{
    MemoryRegion *mr = new_region(name, base, size);
    mr->ops = ops;
    mr->opaque = opaque;
    return as_insert(as, mr);
}

const MemoryRegion *memory_lookup(const AddressSpace *as, uint64_t addr)
{
    int lo = 0, hi = as->nb - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        const MemoryRegion *mr = as->regions[mid];
        if (addr < mr->base) {
            hi = mid - 1;
        } else if (addr - mr->base >= mr->size) {
            lo = mid + 1;
        } else {
            return mr;
        }
    }
    return NULL;
}

void *memory_ram_ptr(const AddressSpace *as, uint64_t addr, uint64_t len)
{
    const MemoryRegion *mr = memory_lookup(as, addr);
    if (!mr || !mr->is_ram) {
        return NULL;
    }
    uint64_t off = addr - mr->base;
    if (len > mr->size - off) {
        return NULL;
    }
    return mr->host + off;
}

static uint64_t ram_load(const uint8_t *p, unsigned size)
{
    switch (size) {
    case 1: return *p;
    case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
    default: { uint64_t v; memcpy(&v, p, 8); return v; }
    }
}

static void ram_store(uint8_t *p, uint64_t val, unsigned size)
{
    switch (size) {
    case 1: *p = (uint8_t)val; break;
    case 2: { uint16_t v = (uint16_t)val; memcpy(p, &v, 2); break; }
    case 4: { uint32_t v = (uint32_t)val; memcpy(p, &v, 4); break; }
    default: memcpy(p, &val, 8); break;
    }
}

/*
 * Split an access into the sizes the device accepts (little-endian order:
 * the lowest address holds the least significant byte).
 */
uint64_t memory_region_dispatch_read(const MemoryRegion *mr, uint64_t offset, unsigned size)
{
    const MemoryRegionOps *ops = mr->ops;
    if (mr->is_ram) {
        return ram_load(mr->host + offset, size);
    }
    if (!ops || !ops->read) {
        return 0;
    }
    unsigned min = ops->min_access ? ops->min_access : 1;
    unsigned max = ops->max_access ? ops->max_access : 8;
    if (size >= min && size <= max) {
        return ops->read(mr->opaque, offset, size);
    }
    unsigned step = size < min ? min : max;
    if (size < min) {
        /* read the larger unit and extract the bytes asked for */
        uint64_t aligned = offset & ~(uint64_t)(min - 1);
        uint64_t v = ops->read(mr->opaque, aligned, min);
        unsigned shift = (unsigned)(offset - aligned) * 8;
        return (v >> shift) & (size == 8 ? ~0ull : ((1ull << (size * 8)) - 1));
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i += step) {
        v |= ops->read(mr->opaque, offset + i, step) << (i * 8);
    }
    return v;
}

void memory_region_dispatch_write(const MemoryRegion *mr, uint64_t offset, uint64_t val,
                                  unsigned size)
{
    const MemoryRegionOps *ops = mr->ops;
    if (mr->is_ram) {
        if (!mr->readonly) {
            ram_store(mr->host + offset, val, size);
        }
        return;
    }
    if (!ops || !ops->write) {
        return;
    }
    unsigned min = ops->min_access ? ops->min_access : 1;
    unsigned max = ops->max_access ? ops->max_access : 8;
    if (size >= min && size <= max) {
        ops->write(mr->opaque, offset, val, size);
        return;
    }
    if (size < min) {
        /* too narrow for the device: widen, keeping the other bytes as read */
        uint64_t aligned = offset & ~(uint64_t)(min - 1);
        uint64_t old = ops->read ? ops->read(mr->opaque, aligned, min) : 0;
        unsigned shift = (unsigned)(offset - aligned) * 8;
        uint64_t mask = ((1ull << (size * 8)) - 1) << shift;
        ops->write(mr->opaque, aligned, (old & ~mask) | ((val << shift) & mask), min);
        return;
    }
    for (unsigned i = 0; i < size; i += max) {
        ops->write(mr->opaque, offset + i, val >> (i * 8), max);
    }
}

uint64_t memory_read(const AddressSpace *as, uint64_t addr, unsigned size, bool *ok)
{
    const MemoryRegion *mr = memory_lookup(as, addr);
    if (!mr || addr - mr->base > mr->size - size) {
        log_mask_printf(LOG_GUEST_ERROR, "unassigned read of %u bytes at 0x%" PRIx64 "\n",
                        size, addr);
        if (ok) {
            *ok = false;
        }
        return 0;
    }
    if (ok) {
        *ok = true;
    }
    return memory_region_dispatch_read(mr, addr - mr->base, size);
}

void memory_write(const AddressSpace *as, uint64_t addr, uint64_t val, unsigned size, bool *ok)
{
    const MemoryRegion *mr = memory_lookup(as, addr);
    if (!mr || addr - mr->base > mr->size - size) {
        log_mask_printf(LOG_GUEST_ERROR,
                        "unassigned write of %u bytes at 0x%" PRIx64 " (value 0x%" PRIx64 ")\n",
                        size, addr, val);
        if (ok) {
            *ok = false;
        }
        return;
    }
    if (ok) {
        *ok = true;
    }
    memory_region_dispatch_write(mr, addr - mr->base, val, size);
}

bool memory_rw(const AddressSpace *as, uint64_t addr, void *buf, uint64_t len, bool is_write)
{
    uint8_t *b = buf;
    while (len > 0) {
        const MemoryRegion *mr = memory_lookup(as, addr);
        if (!mr || !mr->is_ram) {
            return false;
        }
        uint64_t off = addr - mr->base;
        uint64_t n = mr->size - off < len ? mr->size - off : len;
        if (is_write) {
            memcpy(mr->host + off, b, n);
        } else {
            memcpy(b, mr->host + off, n);
        }
        addr += n;
        b += n;
        len -= n;
    }
    return true;
}

void memory_dump(const AddressSpace *as, FILE *f)
{
    fprintf(f, "address-space: %s\n", as->name);
    for (int i = 0; i < as->nb; i++) {
        const MemoryRegion *mr = as->regions[i];
        fprintf(f, "  %016" PRIx64 "-%016" PRIx64 " %-5s %s\n", mr->base,
                mr->base + mr->size - 1, mr->is_ram ? (mr->readonly ? "rom" : "ram") : "i/o",
                mr->name);
    }
}
