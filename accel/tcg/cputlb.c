/*
 * cputlb.c — the softmmu slow paths and per-core TLB maintenance.
 *
 * Generated code checks the TLB inline and calls here on a miss, for a
 * flagged entry (MMIO, code page, watch) or a misaligned access. The slow
 * path fills the TLB through the target's page-table walker
 * (CPUClass.tlb_fill), dispatches MMIO, splits page-crossing accesses into
 * bytes, and turns writes to pages holding translated code into TB
 * invalidations. Everything here touches only the calling core's TLB; the
 * code-page bitmap is the one structure shared by all cores (atomic bits).
 */
#include "exec/cputlb.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "coremu/coremu.h"
#include "exec/memory.h"
#include "exec/tb-cache.h"
#include "exec/tb.h"
#include "reemu/reemu.h"
#include "system/machine.h"
#include "util/log.h"

/* ---- pages holding translated code (any core), by physical page number ---- */

#define CODE_L2_BITS 20
#define CODE_L1_SIZE (1u << (52 - TARGET_PAGE_BITS - CODE_L2_BITS))
static uint64_t *code_pages[CODE_L1_SIZE]; /* lazily allocated bitmaps */

static uint64_t *code_bitmap(uint64_t ppn, bool alloc)
{
    uint64_t l1 = ppn >> CODE_L2_BITS;
    if (l1 >= CODE_L1_SIZE) {
        return NULL;
    }
    uint64_t *bm = __atomic_load_n(&code_pages[l1], __ATOMIC_ACQUIRE);
    if (!bm && alloc) {
        uint64_t *fresh = calloc((1u << CODE_L2_BITS) / 64, sizeof(uint64_t));
        if (!fresh) {
            fatal("out of memory");
        }
        if (__atomic_compare_exchange_n(&code_pages[l1], &bm, fresh, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE)) {
            bm = fresh;
        } else {
            free(fresh);
        }
    }
    return bm;
}

bool page_has_code(uint64_t paddr)
{
    uint64_t ppn = paddr >> TARGET_PAGE_BITS;
    uint64_t *bm = code_bitmap(ppn, false);
    if (!bm) {
        return false;
    }
    uint64_t bit = ppn & ((1u << CODE_L2_BITS) - 1);
    return (__atomic_load_n(&bm[bit / 64], __ATOMIC_RELAXED) >> (bit % 64)) & 1;
}

/* Returns true if the page was not yet marked. */
bool page_mark_code(uint64_t paddr)
{
    uint64_t ppn = paddr >> TARGET_PAGE_BITS;
    uint64_t *bm = code_bitmap(ppn, true);
    if (!bm) {
        return false;
    }
    uint64_t bit = ppn & ((1u << CODE_L2_BITS) - 1);
    uint64_t mask = 1ull << (bit % 64);
    return !(__atomic_fetch_or(&bm[bit / 64], mask, __ATOMIC_ACQ_REL) & mask);
}

/* ---- TLB maintenance ---- */

/*
 * Stores must drop other cores' code too: with a coherent instruction stream
 * (CPUClass.icache_coherent), and under record/replay on every target, where
 * each such store must reach the other cores at a logged point (reemu/code.c;
 * an AArch64 implementation may make its instruction fetches coherent, as
 * CTR_EL0.DIC allows, so the guest cannot tell).
 */
static bool coherent_smp(const CPUState *cpu)
{
    return cpu->cc && (cpu->cc->icache_coherent || reemu_order_on) && cpu->machine &&
           cpu->machine->ncpus > 1;
}


static inline unsigned tlb_index(uint64_t vaddr)
{
    return (vaddr >> TARGET_PAGE_BITS) & (CPU_TLB_SIZE - 1);
}

static void tlb_entry_clear(CPUTLBEntry *e)
{
    e->addr_read = e->addr_write = e->addr_code = ~0ull;
    e->addend = 0;
}

void tlb_flush_by_mmuidx(CPUState *cpu, uint16_t idxmap)
{
    for (int m = 0; m < NB_MMU_MODES; m++) {
        if (idxmap & (1u << m)) {
            memset(cpu->tlb[m], 0xff, sizeof(cpu->tlb[m]));
        }
    }
    CPU_STAT_ADD(cpu, tlb_flushes, 1);
}

void tlb_flush(CPUState *cpu)
{
    tlb_flush_by_mmuidx(cpu, (1u << NB_MMU_MODES) - 1);
}

static bool tlb_hit_page(uint64_t tlb_addr, uint64_t page)
{
    return (tlb_addr & (TARGET_PAGE_MASK | TLB_INVALID)) == page;
}

void tlb_flush_page_by_mmuidx(CPUState *cpu, uint64_t vaddr, uint16_t idxmap)
{
    uint64_t page = vaddr & TARGET_PAGE_MASK;
    unsigned i = tlb_index(vaddr);
    for (int m = 0; m < NB_MMU_MODES; m++) {
        if (!(idxmap & (1u << m))) {
            continue;
        }
        CPUTLBEntry *e = &cpu->tlb[m][i];
        if (tlb_hit_page(e->addr_read, page) || tlb_hit_page(e->addr_write, page) ||
            tlb_hit_page(e->addr_code, page)) {
            tlb_entry_clear(e);
        }
    }
}

void tlb_flush_page(CPUState *cpu, uint64_t vaddr)
{
    tlb_flush_page_by_mmuidx(cpu, vaddr, (1u << NB_MMU_MODES) - 1);
}

void tlb_set_page(CPUState *cpu, uint64_t vaddr, uint64_t paddr, uint32_t attrs, int prot,
                  int mmu_idx)
{
    uint64_t vpage = vaddr & TARGET_PAGE_MASK;
    uint64_t ppage = paddr & TARGET_PAGE_MASK;
    unsigned i = tlb_index(vaddr);
    CPUTLBEntry *e = &cpu->tlb[mmu_idx][i];
    CPUTLBFull *full = &cpu->tlb_full[mmu_idx][i];
    const MemoryRegion *mr = memory_lookup(cpu->machine->as, ppage);
    uint64_t flags = 0;

    if (mr && mr->is_ram && ppage - mr->base <= mr->size - TARGET_PAGE_SIZE) {
        e->addend = (uintptr_t)(mr->host + (ppage - mr->base)) - vpage;
    } else {
        /* device, unassigned, or a RAM region smaller than a page: slow path */
        flags = TLB_MMIO;
        e->addend = 0;
    }
    /* reemu: in record/replay every data access to RAM takes the slow path,
     * where it is ordered (reemu_access_*); code fetches are not watched */
    uint64_t watch = __builtin_expect(reemu_order_on, 0) && !flags ? TLB_WATCH : 0;
    e->addr_read = (prot & PAGE_READ) ? (vpage | flags | watch) : ~0ull;
    e->addr_code = (prot & PAGE_EXEC) ? (vpage | flags) : ~0ull;
    if (prot & PAGE_WRITE) {
        uint64_t wflags = flags;
        if (mr && mr->readonly) {
            wflags |= TLB_MMIO;
        }
        if (!wflags && page_has_code(ppage)) {
            wflags |= TLB_NOTDIRTY;
        }
        if (!(wflags & TLB_MMIO)) {
            wflags |= watch;
        }
        e->addr_write = vpage | wflags;
    } else {
        e->addr_write = ~0ull;
    }
    full->paddr = ppage;
    full->mr = mr;
    full->prot = prot;
    full->attrs = attrs;
}

/*
 * Another core's fast-path write entries to the RAM page at host address
 * hpage now trap. Its TLB is private, so this is done the way a racing
 * refill tolerates: entries are matched by host address (addr_write's page
 * + addend, both read atomically) and flagged with a CAS on addr_write. A
 * refill racing with us reads page_has_code(), already true, and sets the
 * flag itself. A store that already passed the TLB check still lands
 * unflagged: the window of one instruction QEMU's MTTCG has too.
 */
static void tlb_protect_remote(CPUState *t, uintptr_t hpage)
{
    for (int m = 0; m < NB_MMU_MODES; m++) {
        for (int i = 0; i < CPU_TLB_SIZE; i++) {
            CPUTLBEntry *e = &t->tlb[m][i];
            uint64_t w = __atomic_load_n(&e->addr_write, __ATOMIC_RELAXED);
            if (w & (TLB_INVALID | TLB_MMIO | TLB_NOTDIRTY)) {
                continue;
            }
            uintptr_t add = __atomic_load_n(&e->addend, __ATOMIC_RELAXED);
            if ((uintptr_t)(w & TARGET_PAGE_MASK) + add == hpage) {
                __atomic_compare_exchange_n(&e->addr_write, &w, w | TLB_NOTDIRTY, false,
                                            __ATOMIC_RELAXED, __ATOMIC_RELAXED);
            }
        }
    }
}

void tlb_protect_code_page(CPUState *cpu, uint64_t paddr)
{
    /* Any fast-path write entry of this core to the page must now trap. */
    uint64_t ppage = paddr & TARGET_PAGE_MASK;
    for (int m = 0; m < NB_MMU_MODES; m++) {
        for (int i = 0; i < CPU_TLB_SIZE; i++) {
            CPUTLBEntry *e = &cpu->tlb[m][i];
            if (!(e->addr_write & (TLB_INVALID | TLB_MMIO)) && cpu->tlb_full[m][i].paddr == ppage) {
                e->addr_write |= TLB_NOTDIRTY;
            }
        }
    }
    if (coherent_smp(cpu)) {
        uint8_t *h = memory_ram_ptr(cpu->machine->as, ppage, TARGET_PAGE_SIZE);
        for (int c = 0; h && c < cpu->machine->ncpus; c++) {
            CPUState *t = cpu->machine->cpus[c];
            if (t && t != cpu) {
                tlb_protect_remote(t, (uintptr_t)h);
            }
        }
    }
}

/* ---- the slow path ---- */

/*
 * Make sure vaddr's page is in the TLB for access; returns the entry.
 * Raises the guest fault (does not return) when the walk fails.
 */
static CPUTLBEntry *tlb_lookup_fill(CPUState *cpu, uint64_t addr, int size,
                                    MMUAccessType access, int mmu_idx, uintptr_t ra)
{
    unsigned i = tlb_index(addr);
    CPUTLBEntry *e = &cpu->tlb[mmu_idx][i];
    uint64_t page = addr & TARGET_PAGE_MASK;
    uint64_t cmp = access == MMU_DATA_LOAD    ? e->addr_read
                   : access == MMU_DATA_STORE ? e->addr_write
                                              : e->addr_code;
    if (!tlb_hit_page(cmp, page)) {
        CPU_STAT_ADD(cpu, tlb_misses, 1);
        cpu->cc->tlb_fill(cpu, addr, size, access, mmu_idx, false, ra);
        e = &cpu->tlb[mmu_idx][i];
    }
    return e;
}

/*
 * The region for an MMIO access. The TLB caches the region found at the
 * start of the page, but devices smaller than a page may share one: look
 * again when paddr falls outside the cached region. NULL: unassigned.
 */
static const MemoryRegion *mmio_region(CPUState *cpu, CPUTLBFull *full, uint64_t paddr,
                                       unsigned size)
{
    const MemoryRegion *mr = full->mr;
    if (!mr || paddr < mr->base || paddr - mr->base > mr->size - size) {
        mr = memory_lookup(cpu->machine->as, paddr);
        if (!mr || paddr - mr->base > mr->size - size) {
            return NULL;
        }
    }
    return mr;
}

static uint64_t mmio_read(CPUState *cpu, CPUTLBEntry *e, CPUTLBFull *full, uint64_t addr,
                          unsigned size, int mmu_idx, uintptr_t ra)
{
    uint64_t paddr = full->paddr | (addr & ~TARGET_PAGE_MASK);
    const MemoryRegion *mr = mmio_region(cpu, full, paddr, size);
    if (!mr) {
        log_mask_printf(LOG_GUEST_ERROR,
                        "core %d: unassigned read of %u bytes at paddr 0x%" PRIx64
                        " (vaddr 0x%" PRIx64 ")\n",
                        cpu->cpu_index, size, paddr, addr);
        if (cpu->cc->do_transaction_failed) {
            cpu->cc->do_transaction_failed(cpu, paddr, addr, MMU_DATA_LOAD, mmu_idx, ra);
        }
        return 0;
    }
    (void)e;
    if (__builtin_expect(reemu_mode, 0)) {
        return reemu_mmio_read(cpu, mr, paddr, size, ra); /* logged / replayed */
    }
    return memory_region_dispatch_read(mr, paddr - mr->base, size);
}

static void mmio_write(CPUState *cpu, CPUTLBFull *full, uint64_t addr, uint64_t val,
                       unsigned size, int mmu_idx, uintptr_t ra)
{
    uint64_t paddr = full->paddr | (addr & ~TARGET_PAGE_MASK);
    const MemoryRegion *mr = mmio_region(cpu, full, paddr, size);
    if (!mr) {
        log_mask_printf(LOG_GUEST_ERROR,
                        "core %d: unassigned write of %u bytes at paddr 0x%" PRIx64
                        " (vaddr 0x%" PRIx64 ", value 0x%" PRIx64 ")\n",
                        cpu->cpu_index, size, paddr, addr, val);
        if (cpu->cc->do_transaction_failed) {
            cpu->cc->do_transaction_failed(cpu, paddr, addr, MMU_DATA_STORE, mmu_idx, ra);
        }
        return;
    }
    if (mr->readonly) {
        log_mask_printf(LOG_GUEST_ERROR, "core %d: write to ROM at paddr 0x%" PRIx64 "\n",
                        cpu->cpu_index, paddr);
        return;
    }
    memory_region_dispatch_write(mr, paddr - mr->base, val, size);
}

static uint64_t load_host(const void *p, unsigned size)
{
    switch (size) {
    case 1: return *(const uint8_t *)p;
    case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
    default: { uint64_t v; memcpy(&v, p, 8); return v; }
    }
}

static void store_host(void *p, uint64_t val, unsigned size)
{
    switch (size) {
    case 1: *(uint8_t *)p = (uint8_t)val; break;
    case 2: { uint16_t v = (uint16_t)val; memcpy(p, &v, 2); break; }
    case 4: { uint32_t v = (uint32_t)val; memcpy(p, &v, 4); break; }
    default: memcpy(p, &val, 8); break;
    }
}

/* reemu: a watched RAM access, ordered against the other cores (reemu/order.c) */
static uint64_t load_watched(CPUState *cpu, const CPUTLBFull *full, uint64_t addr,
                             const void *host, unsigned size)
{
    ReemuAccess a;
    uint64_t v;
    reemu_access_begin(cpu, &a, full->paddr | (addr & ~TARGET_PAGE_MASK), size, false);
    do {
        v = load_host(host, size);
    } while (!reemu_access_end(cpu, &a));
    return v;
}

/* code: the page holds translated code (TLB_NOTDIRTY; reemu/code.c) */
static void store_watched(CPUState *cpu, const CPUTLBFull *full, uint64_t addr, void *host,
                          uint64_t val, unsigned size, bool code)
{
    ReemuAccess a;
    uint64_t paddr = full->paddr | (addr & ~TARGET_PAGE_MASK);
    if (code) {
        reemu_access_begin_code(cpu, &a, paddr, size);
    } else {
        reemu_access_begin(cpu, &a, paddr, size, true);
    }
    store_host(host, val, size);
    reemu_access_end(cpu, &a);
}

static uint64_t bswap_size(uint64_t v, unsigned size)
{
    switch (size) {
    case 2: return __builtin_bswap16((uint16_t)v);
    case 4: return __builtin_bswap32((uint32_t)v);
    case 8: return __builtin_bswap64(v);
    default: return v;
    }
}

static uint64_t extend(uint64_t v, MemOp mop)
{
    unsigned size = memop_size(mop);
    if (size == 8) {
        return v;
    }
    unsigned bits = size * 8;
    v &= (1ull << bits) - 1;
    if ((mop & MO_SIGN) && (v >> (bits - 1))) {
        v |= ~0ull << bits;
    }
    return v;
}

static void check_align(CPUState *cpu, uint64_t addr, MemOp mop, MMUAccessType access,
                        int mmu_idx, uintptr_t ra)
{
    if ((mop & MO_ALIGN) && (addr & (memop_size(mop) - 1))) {
        cpu->cc->do_unaligned_access(cpu, addr, access, mmu_idx, ra);
        /* a target that tolerates it returns: fall through */
    }
}

static bool crosses_page(uint64_t addr, unsigned size)
{
    return (addr & ~TARGET_PAGE_MASK) + size > TARGET_PAGE_SIZE;
}

/* One naturally sized access within a page; raw little-endian value. */
static uint64_t load_one(CPUState *cpu, uint64_t addr, unsigned size, int mmu_idx,
                         MMUAccessType access, uintptr_t ra)
{
    CPUTLBEntry *e = tlb_lookup_fill(cpu, addr, size, access, mmu_idx, ra);
    unsigned i = tlb_index(addr);
    uint64_t cmp = access == MMU_INST_FETCH ? e->addr_code : e->addr_read;
    if (cmp & TLB_MMIO) {
        return mmio_read(cpu, e, &cpu->tlb_full[mmu_idx][i], addr, size, mmu_idx, ra);
    }
    if (__builtin_expect(cmp & TLB_WATCH, 0) && access != MMU_INST_FETCH) {
        return load_watched(cpu, &cpu->tlb_full[mmu_idx][i], addr,
                            (void *)(uintptr_t)(addr + e->addend), size);
    }
    return load_host((void *)(uintptr_t)(addr + e->addend), size);
}

static void notdirty_write(CPUState *cpu, uint64_t paddr, unsigned size)
{
    /* The page holds translated code: drop the TBs that cover the bytes, this
     * core's at once; with a coherent instruction stream every other core's
     * too, before it next runs code (coremu/). */
    if (coherent_smp(cpu)) {
        coremu_tb_invalidate_all(cpu, paddr, size);
    } else {
        tb_invalidate_phys_range(cpu, paddr, size);
    }
}

static void store_one(CPUState *cpu, uint64_t addr, uint64_t val, unsigned size, int mmu_idx,
                      uintptr_t ra)
{
    CPUTLBEntry *e = tlb_lookup_fill(cpu, addr, size, MMU_DATA_STORE, mmu_idx, ra);
    unsigned i = tlb_index(addr);
    CPUTLBFull *full = &cpu->tlb_full[mmu_idx][i];
    if (e->addr_write & TLB_MMIO) {
        mmio_write(cpu, full, addr, val, size, mmu_idx, ra);
        return;
    }
    if (__builtin_expect(e->addr_write & TLB_WATCH, 0)) {
        store_watched(cpu, full, addr, (void *)(uintptr_t)(addr + e->addend), val, size,
                      (e->addr_write & TLB_NOTDIRTY) != 0);
    } else {
        store_host((void *)(uintptr_t)(addr + e->addend), val, size);
    }
    if (e->addr_write & TLB_NOTDIRTY) {
        notdirty_write(cpu, full->paddr | (addr & ~TARGET_PAGE_MASK), size);
    }
}

static uint64_t do_load(CPUState *cpu, uint64_t addr, MemOpIdx oi, MMUAccessType access,
                        uintptr_t ra)
{
    MemOp mop = get_memop(oi);
    int mmu_idx = get_mmuidx(oi);
    unsigned size = memop_size(mop);
    uint64_t v;

    check_align(cpu, addr, mop, access, mmu_idx, ra);
    if (crosses_page(addr, size)) {
        /* Fault on either page before any effect: probe both, then bytes. */
        tlb_lookup_fill(cpu, addr, 1, access, mmu_idx, ra);
        tlb_lookup_fill(cpu, (addr + size - 1) & TARGET_PAGE_MASK, 1, access, mmu_idx, ra);
        v = 0;
        for (unsigned b = 0; b < size; b++) {
            v |= load_one(cpu, addr + b, 1, mmu_idx, access, ra) << (8 * b);
        }
    } else if (addr & (size - 1)) {
        /* misaligned within a page: RAM can be read directly, MMIO by bytes */
        CPUTLBEntry *e = tlb_lookup_fill(cpu, addr, size, access, mmu_idx, ra);
        uint64_t cmp = access == MMU_INST_FETCH ? e->addr_code : e->addr_read;
        if (cmp & TLB_MMIO) {
            v = 0;
            for (unsigned b = 0; b < size; b++) {
                v |= load_one(cpu, addr + b, 1, mmu_idx, access, ra) << (8 * b);
            }
        } else if (__builtin_expect(cmp & TLB_WATCH, 0) && access != MMU_INST_FETCH) {
            v = load_watched(cpu, &cpu->tlb_full[mmu_idx][tlb_index(addr)], addr,
                             (void *)(uintptr_t)(addr + e->addend), size);
        } else {
            v = load_host((void *)(uintptr_t)(addr + e->addend), size);
        }
    } else {
        v = load_one(cpu, addr, size, mmu_idx, access, ra);
    }
    if (mop & MO_BSWAP) {
        v = bswap_size(v, size);
    }
    return extend(v, mop);
}

static void do_store(CPUState *cpu, uint64_t addr, uint64_t val, MemOpIdx oi, uintptr_t ra)
{
    MemOp mop = get_memop(oi);
    int mmu_idx = get_mmuidx(oi);
    unsigned size = memop_size(mop);

    check_align(cpu, addr, mop, MMU_DATA_STORE, mmu_idx, ra);
    if (mop & MO_BSWAP) {
        val = bswap_size(val, size);
    }
    if (crosses_page(addr, size) || (addr & (size - 1))) {
        /* both pages must be writable before any byte is written */
        tlb_lookup_fill(cpu, addr, 1, MMU_DATA_STORE, mmu_idx, ra);
        tlb_lookup_fill(cpu, (addr + size - 1) & TARGET_PAGE_MASK, 1, MMU_DATA_STORE, mmu_idx, ra);
        if (!crosses_page(addr, size)) {
            CPUTLBEntry *e = &cpu->tlb[mmu_idx][tlb_index(addr)];
            if (!(e->addr_write & (TLB_MMIO | TLB_NOTDIRTY))) {
                if (__builtin_expect(e->addr_write & TLB_WATCH, 0)) {
                    store_watched(cpu, &cpu->tlb_full[mmu_idx][tlb_index(addr)], addr,
                                  (void *)(uintptr_t)(addr + e->addend), val, size, false);
                    return;
                }
                store_host((void *)(uintptr_t)(addr + e->addend), val, size);
                return;
            }
        }
        for (unsigned b = 0; b < size; b++) {
            store_one(cpu, addr + b, (val >> (8 * b)) & 0xff, 1, mmu_idx, ra);
        }
        return;
    }
    store_one(cpu, addr, val, size, mmu_idx, ra);
}

/*
 * reemu's fast path (docs/reemu.md): a naturally aligned access (so inside
 * one object) through an entry that is plain watched RAM, exactly
 * page | TLB_WATCH (no MMIO, no code on the page), that needs no event:
 * ordered inline with order_fast_*. Anything else returns false with
 * nothing done, and the generic path below does it. Generated code misses
 * its inline check on every watched entry, so this runs first in the helpers.
 */
static inline bool ld_watched_fast(CPUState *cpu, uint64_t addr, MemOpIdx oi, uint64_t *out)
{
    MemOp mop = get_memop(oi);
    unsigned size = memop_size(mop);
    int mmu_idx = get_mmuidx(oi);
    unsigned i = tlb_index(addr);
    const CPUTLBEntry *e = &cpu->tlb[mmu_idx][i];
    if (e->addr_read != ((addr & TARGET_PAGE_MASK) | TLB_WATCH) || (addr & (size - 1))) {
        return false;
    }
    uint64_t obj = (cpu->tlb_full[mmu_idx][i].paddr | (addr & ~TARGET_PAGE_MASK)) >>
                   reemu_fast.obj_shift;
    OrderCore *c = reemu_fast.cores[cpu->cpu_index];
    if (obj >= reemu_fast.nobjs) {
        return false;
    }
    const void *host = (const void *)(uintptr_t)(addr + e->addend);
    uint32_t v = order_fast_read_begin(c, obj);
    if (v & 1) {
        return false;
    }
    uint64_t val = load_host(host, size);
    if (!order_fast_read_end(c, obj, v)) {
        return false;
    }
    if (mop & MO_BSWAP) {
        val = bswap_size(val, size);
    }
    *out = extend(val, mop);
    return true;
}

static inline bool st_watched_fast(CPUState *cpu, uint64_t addr, uint64_t val, MemOpIdx oi)
{
    MemOp mop = get_memop(oi);
    unsigned size = memop_size(mop);
    int mmu_idx = get_mmuidx(oi);
    unsigned i = tlb_index(addr);
    const CPUTLBEntry *e = &cpu->tlb[mmu_idx][i];
    if (e->addr_write != ((addr & TARGET_PAGE_MASK) | TLB_WATCH) || (addr & (size - 1))) {
        return false;
    }
    uint64_t obj = (cpu->tlb_full[mmu_idx][i].paddr | (addr & ~TARGET_PAGE_MASK)) >>
                   reemu_fast.obj_shift;
    OrderCore *c = reemu_fast.cores[cpu->cpu_index];
    uint32_t v;
    if (obj >= reemu_fast.nobjs || !order_fast_write_begin(c, obj, &v)) {
        return false;
    }
    if (mop & MO_BSWAP) {
        val = bswap_size(val, size);
    }
    store_host((void *)(uintptr_t)(addr + e->addend), val, size);
    order_fast_write_end(c, obj, v);
    if (__atomic_load_n(&e->addr_write, __ATOMIC_RELAXED) & TLB_NOTDIRTY) {
        /* another core translated code from this page meanwhile (tlb_protect_remote
         * flagged the entry): as store_one, look again after the store */
        notdirty_write(cpu, cpu->tlb_full[mmu_idx][i].paddr | (addr & ~TARGET_PAGE_MASK), size);
    }
    return true;
}

uint64_t helper_guest_ld(CPUState *cpu, uint64_t addr, MemOpIdx oi, uintptr_t ra)
{
    uint64_t v;
    if (__builtin_expect(reemu_fast.cores != NULL, 0) && ld_watched_fast(cpu, addr, oi, &v)) {
        return v;
    }
    return do_load(cpu, addr, oi, MMU_DATA_LOAD, ra);
}

void helper_guest_st(CPUState *cpu, uint64_t addr, uint64_t val, MemOpIdx oi, uintptr_t ra)
{
    if (__builtin_expect(reemu_fast.cores != NULL, 0) && st_watched_fast(cpu, addr, val, oi)) {
        return;
    }
    do_store(cpu, addr, val, oi, ra);
}

/* helpers' accesses (x86 string instructions, AArch64 pair and vector
 * helpers): reemu's fast path too, as from generated code */
uint64_t cpu_ld_mmu(CPUState *cpu, uint64_t addr, MemOpIdx oi, uintptr_t ra)
{
    uint64_t v;
    if (__builtin_expect(reemu_fast.cores != NULL, 0) && ld_watched_fast(cpu, addr, oi, &v)) {
        return v;
    }
    return do_load(cpu, addr, oi, MMU_DATA_LOAD, ra);
}

void cpu_st_mmu(CPUState *cpu, uint64_t addr, uint64_t val, MemOpIdx oi, uintptr_t ra)
{
    if (__builtin_expect(reemu_fast.cores != NULL, 0) && st_watched_fast(cpu, addr, val, oi)) {
        return;
    }
    do_store(cpu, addr, val, oi, ra);
}

/*
 * Host pointer to RAM for an access that must be done as one host operation
 * (atomics, 128-bit). Faults like a normal access; returns NULL for MMIO.
 * For writes, also handles the code-page notification.
 */
static void *atomic_host_ptr(CPUState *cpu, uint64_t addr, MemOpIdx oi, bool write,
                             uintptr_t ra)
{
    MemOp mop = get_memop(oi);
    int mmu_idx = get_mmuidx(oi);
    unsigned size = memop_size(mop);

    check_align(cpu, addr, mop, write ? MMU_DATA_STORE : MMU_DATA_LOAD, mmu_idx, ra);
    /* an atomic access needs both permissions: check read first, like a load */
    tlb_lookup_fill(cpu, addr, size, MMU_DATA_LOAD, mmu_idx, ra);
    CPUTLBEntry *e = write ? tlb_lookup_fill(cpu, addr, size, MMU_DATA_STORE, mmu_idx, ra)
                           : &cpu->tlb[mmu_idx][tlb_index(addr)];
    uint64_t cmp = write ? e->addr_write : e->addr_read;
    if ((cmp & TLB_MMIO) || crosses_page(addr, size)) {
        return NULL;
    }
    if (write && (cmp & TLB_NOTDIRTY)) {
        notdirty_write(cpu, cpu->tlb_full[mmu_idx][tlb_index(addr)].paddr |
                                (addr & ~TARGET_PAGE_MASK),
                       size);
    }
    return (void *)(uintptr_t)(addr + e->addend);
}

/*
 * reemu: the guest physical address of an atomic's RAM operand if record/
 * replay watches it (the atomic is then one ordered write), else ~0.
 */
static uint64_t atomic_watched(CPUState *cpu, uint64_t addr, MemOpIdx oi, bool write)
{
    if (!__builtin_expect(reemu_order_on, 0)) {
        return ~0ull;
    }
    int m = get_mmuidx(oi);
    unsigned i = tlb_index(addr);
    uint64_t cmp = write ? cpu->tlb[m][i].addr_write : cpu->tlb[m][i].addr_read;
    if (!(cmp & TLB_WATCH)) {
        return ~0ull;
    }
    return cpu->tlb_full[m][i].paddr | (addr & ~TARGET_PAGE_MASK);
}

/*
 * 16-byte host primitives, written out so no libatomic call is needed:
 * lock cmpxchg16b for the compare-and-swap, and aligned SSE moves, which are
 * single-copy atomic on x86-64 CPUs with AVX (Intel SDM vol. 3 §9.1.1).
 */
static inline bool host_cas16(void *p, unsigned __int128 *expected, unsigned __int128 desired)
{
    uint64_t lo = (uint64_t)*expected, hi = (uint64_t)(*expected >> 64);
    bool ok;
    __asm__ volatile("lock cmpxchg16b %1"
                     : "=@ccz"(ok), "+m"(*(unsigned __int128 *)p), "+a"(lo), "+d"(hi)
                     : "b"((uint64_t)desired), "c"((uint64_t)(desired >> 64))
                     : "memory");
    *expected = ((unsigned __int128)hi << 64) | lo;
    return ok;
}

static inline unsigned __int128 host_load16(const void *p)
{
    unsigned __int128 v;
    __asm__ volatile("movdqa %1, %%xmm15\n\tmovdqu %%xmm15, %0"
                     : "=m"(v)
                     : "m"(*(const unsigned __int128 *)p)
                     : "xmm15", "memory");
    return v;
}

static inline void host_store16(void *p, unsigned __int128 v)
{
    __asm__ volatile("movdqu %1, %%xmm15\n\tmovdqa %%xmm15, %0"
                     : "=m"(*(unsigned __int128 *)p)
                     : "m"(v)
                     : "xmm15", "memory");
}

/* Atomics that cannot be one host instruction (MMIO, page-crossing, misaligned
 * 16-byte) are serialised by this lock: rare, never on a normal path. */
static pthread_mutex_t atomic_fallback_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t rmw_apply(TCGAtomicOp aop, uint64_t old, uint64_t val, unsigned size)
{
    unsigned bits = size * 8;
    uint64_t mask = bits == 64 ? ~0ull : (1ull << bits) - 1;
    int64_t so = bits == 64 ? (int64_t)old : ((int64_t)(old << (64 - bits)) >> (64 - bits));
    int64_t sv = bits == 64 ? (int64_t)val : ((int64_t)(val << (64 - bits)) >> (64 - bits));
    old &= mask;
    val &= mask;
    switch (aop) {
    case TCG_ATOMIC_XCHG: return val;
    case TCG_ATOMIC_ADD: return (old + val) & mask;
    case TCG_ATOMIC_AND: return old & val;
    case TCG_ATOMIC_ANDC: return old & ~val;
    case TCG_ATOMIC_OR: return old | val;
    case TCG_ATOMIC_XOR: return old ^ val;
    case TCG_ATOMIC_SMIN: return (so < sv ? old : val);
    case TCG_ATOMIC_SMAX: return (so > sv ? old : val);
    case TCG_ATOMIC_UMIN: return old < val ? old : val;
    case TCG_ATOMIC_UMAX: return old > val ? old : val;
    }
    return old;
}

/*
 * One host compare-and-swap of size bytes: true if *p held *expected (then
 * desired is stored); *expected receives the value found.
 */
static bool host_cas(void *p, unsigned size, uint64_t *expected, uint64_t desired)
{
    bool ok;
    switch (size) {
    case 1: {
        uint8_t c = (uint8_t)*expected;
        ok = __atomic_compare_exchange_n((uint8_t *)p, &c, (uint8_t)desired, false,
                                         __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
        *expected = c;
        break;
    }
    case 2: {
        uint16_t c = (uint16_t)*expected;
        ok = __atomic_compare_exchange_n((uint16_t *)p, &c, (uint16_t)desired, false,
                                         __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
        *expected = c;
        break;
    }
    case 4: {
        uint32_t c = (uint32_t)*expected;
        ok = __atomic_compare_exchange_n((uint32_t *)p, &c, (uint32_t)desired, false,
                                         __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
        *expected = c;
        break;
    }
    default:
        ok = __atomic_compare_exchange_n((uint64_t *)p, expected, desired, false,
                                         __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
        break;
    }
    return ok;
}

uint64_t helper_atomic_cmpxchg(CPUState *cpu, uint64_t addr, uint64_t cmp, uint64_t newv,
                               MemOpIdx oi, uintptr_t ra)
{
    MemOp mop = get_memop(oi);
    unsigned size = memop_size(mop);
    void *p = atomic_host_ptr(cpu, addr, oi, true, ra);
    uint64_t old;

    if (mop & MO_BSWAP) {
        cmp = bswap_size(cmp, size);
        newv = bswap_size(newv, size);
    }
    if (p) {
        ReemuAccess a;
        uint64_t pa = atomic_watched(cpu, addr, oi, true);
        if (pa != ~0ull) {
            reemu_access_begin(cpu, &a, pa, size, true); /* a failing CAS is a write too */
        }
        old = cmp;
        host_cas(p, size, &old, newv);
        if (pa != ~0ull) {
            reemu_access_end(cpu, &a);
        }
    } else {
        MemOpIdx raw = make_memop_idx(mop & ~(MO_BSWAP | MO_SIGN), get_mmuidx(oi));
        pthread_mutex_lock(&atomic_fallback_lock);
        old = do_load(cpu, addr, raw, MMU_DATA_LOAD, ra);
        uint64_t m = size == 8 ? ~0ull : (1ull << (size * 8)) - 1;
        if (old == (cmp & m)) {
            do_store(cpu, addr, newv, raw, ra);
        }
        pthread_mutex_unlock(&atomic_fallback_lock);
    }
    if (mop & MO_BSWAP) {
        old = bswap_size(old, size);
    }
    return extend(old, mop);
}

uint64_t helper_atomic_rmw(CPUState *cpu, uint64_t addr, uint64_t val, MemOpIdx oi,
                           uint32_t aop, uintptr_t ra)
{
    MemOp mop = get_memop(oi);
    unsigned size = memop_size(mop);
    void *p = atomic_host_ptr(cpu, addr, oi, true, ra);
    uint64_t old;

    if (p && !(mop & MO_BSWAP)) {
        ReemuAccess a;
        uint64_t pa = atomic_watched(cpu, addr, oi, true);
        if (pa != ~0ull) {
            reemu_access_begin(cpu, &a, pa, size, true);
        }
        /* a CAS loop covers every operation with one host primitive */
        old = load_host(p, size);
        while (!host_cas(p, size, &old, rmw_apply((TCGAtomicOp)aop, old, val, size))) {
        }
        if (pa != ~0ull) {
            reemu_access_end(cpu, &a);
        }
    } else {
        MemOpIdx raw = make_memop_idx(mop & ~MO_SIGN, get_mmuidx(oi));
        pthread_mutex_lock(&atomic_fallback_lock);
        old = do_load(cpu, addr, raw, MMU_DATA_LOAD, ra);
        do_store(cpu, addr, rmw_apply((TCGAtomicOp)aop, old, val, size), raw, ra);
        pthread_mutex_unlock(&atomic_fallback_lock);
    }
    return extend(old, mop);
}

void helper_atomic_cmpxchg128(CPUState *cpu, uint64_t addr, MemOpIdx oi, uintptr_t ra)
{
    MemOp mop = (get_memop(oi) & ~MO_SIZE) | MO_128;
    MemOpIdx oi16 = make_memop_idx(mop, get_mmuidx(oi));
    void *p = atomic_host_ptr(cpu, addr, oi16, true, ra);
    unsigned __int128 cmp = ((unsigned __int128)cpu->scratch128[1] << 64) | cpu->scratch128[0];
    unsigned __int128 nv = ((unsigned __int128)cpu->scratch128[3] << 64) | cpu->scratch128[2];

    if (p && ((uintptr_t)p & 15) == 0) {
        ReemuAccess a;
        uint64_t pa = atomic_watched(cpu, addr, oi16, true);
        if (pa != ~0ull) {
            reemu_access_begin(cpu, &a, pa, 16, true);
        }
        /* lock cmpxchg16b */
        unsigned __int128 c = cmp;
        host_cas16(p, &c, nv);
        if (pa != ~0ull) {
            reemu_access_end(cpu, &a);
        }
        cpu->scratch128[0] = (uint64_t)c;
        cpu->scratch128[1] = (uint64_t)(c >> 64);
        return;
    }
    MemOpIdx o8 = make_memop_idx(MO_64, get_mmuidx(oi));
    pthread_mutex_lock(&atomic_fallback_lock);
    uint64_t lo = do_load(cpu, addr, o8, MMU_DATA_LOAD, ra);
    uint64_t hi = do_load(cpu, addr + 8, o8, MMU_DATA_LOAD, ra);
    if (lo == (uint64_t)cmp && hi == (uint64_t)(cmp >> 64)) {
        do_store(cpu, addr, (uint64_t)nv, o8, ra);
        do_store(cpu, addr + 8, (uint64_t)(nv >> 64), o8, ra);
    }
    pthread_mutex_unlock(&atomic_fallback_lock);
    cpu->scratch128[0] = lo;
    cpu->scratch128[1] = hi;
}

void helper_guest_ld128(CPUState *cpu, uint64_t addr, MemOpIdx oi, uintptr_t ra)
{
    MemOp mop = (get_memop(oi) & ~MO_SIZE) | MO_128;
    MemOpIdx oi16 = make_memop_idx(mop, get_mmuidx(oi));
    void *p = atomic_host_ptr(cpu, addr, oi16, false, ra);
    if (p && ((uintptr_t)p & 15) == 0) {
        /* single-copy atomic 16-byte read: an aligned SSE load is atomic on
         * x86-64 hosts with AVX; cmpxchg16b would need a writable page */
        unsigned __int128 v = host_load16(p);
        uint64_t pa = atomic_watched(cpu, addr, oi16, false);
        if (pa != ~0ull) {
            ReemuAccess a;
            reemu_access_begin(cpu, &a, pa, 16, false);
            do {
                v = host_load16(p);
            } while (!reemu_access_end(cpu, &a));
        }
        cpu->scratch128[0] = (uint64_t)v;
        cpu->scratch128[1] = (uint64_t)(v >> 64);
        return;
    }
    MemOpIdx o8 = make_memop_idx(MO_64, get_mmuidx(oi));
    cpu->scratch128[0] = do_load(cpu, addr, o8, MMU_DATA_LOAD, ra);
    cpu->scratch128[1] = do_load(cpu, addr + 8, o8, MMU_DATA_LOAD, ra);
}

void helper_guest_st128(CPUState *cpu, uint64_t addr, MemOpIdx oi, uintptr_t ra)
{
    MemOp mop = (get_memop(oi) & ~MO_SIZE) | MO_128;
    MemOpIdx oi16 = make_memop_idx(mop, get_mmuidx(oi));
    void *p = atomic_host_ptr(cpu, addr, oi16, true, ra);
    unsigned __int128 v = ((unsigned __int128)cpu->scratch128[1] << 64) | cpu->scratch128[0];
    if (p && ((uintptr_t)p & 15) == 0) {
        ReemuAccess a;
        uint64_t pa = atomic_watched(cpu, addr, oi16, true);
        if (pa != ~0ull) {
            reemu_access_begin(cpu, &a, pa, 16, true);
        }
        host_store16(p, v);
        if (pa != ~0ull) {
            reemu_access_end(cpu, &a);
        }
        return;
    }
    MemOpIdx o8 = make_memop_idx(MO_64, get_mmuidx(oi));
    /* both halves must be writable before either is written */
    tlb_lookup_fill(cpu, (addr + 15) & TARGET_PAGE_MASK, 1, MMU_DATA_STORE, get_mmuidx(oi), ra);
    do_store(cpu, addr, cpu->scratch128[0], o8, ra);
    do_store(cpu, addr + 8, cpu->scratch128[1], o8, ra);
}

/* ---- code fetch ---- */

uint64_t get_page_addr_code(CPUState *cpu, uint64_t addr)
{
    int mmu_idx = cpu->cc->mmu_index(cpu, true);
    CPUTLBEntry *e = tlb_lookup_fill(cpu, addr, 1, MMU_INST_FETCH, mmu_idx, 0);
    CPUTLBFull *full = &cpu->tlb_full[mmu_idx][tlb_index(addr)];
    if (e->addr_code & TLB_MMIO) {
        return ~0ull;
    }
    return full->paddr | (addr & ~TARGET_PAGE_MASK);
}

/* One access of code within a page (the translator's view under reemu). */
static uint64_t code_load_one(CPUState *cpu, uint64_t addr, unsigned size, int mmu_idx)
{
    uint64_t v = load_one(cpu, addr, size, mmu_idx, MMU_INST_FETCH, 0);
    if (__builtin_expect(reemu_order_on, 0)) {
        /* after the read: an undo entry is published before its store */
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (__atomic_load_n(&reemu_code_live, __ATOMIC_RELAXED)) {
            uint64_t pa = cpu->tlb_full[mmu_idx][tlb_index(addr)].paddr | (addr & ~TARGET_PAGE_MASK);
            v = reemu_code_view(cpu, pa, v, size);
        }
    }
    return v;
}

static uint64_t code_load(CPUState *cpu, uint64_t addr, unsigned size)
{
    int mmu_idx = cpu->cc->mmu_index(cpu, true);
    if (crosses_page(addr, size)) {
        uint64_t v = 0;
        for (unsigned b = 0; b < size; b++) {
            v |= code_load_one(cpu, addr + b, 1, mmu_idx) << (8 * b);
        }
        return v;
    }
    return code_load_one(cpu, addr, size, mmu_idx);
}

uint32_t cpu_ldl_code(CPUState *cpu, uint64_t addr)
{
    return (uint32_t)code_load(cpu, addr, 4);
}

uint16_t cpu_lduw_code(CPUState *cpu, uint64_t addr)
{
    return (uint16_t)code_load(cpu, addr, 2);
}

uint8_t cpu_ldub_code(CPUState *cpu, uint64_t addr)
{
    return (uint8_t)code_load(cpu, addr, 1);
}

void *probe_access(CPUState *cpu, uint64_t addr, int size, MMUAccessType access, int mmu_idx,
                   bool probe, uintptr_t ra)
{
    unsigned i = tlb_index(addr);
    CPUTLBEntry *e = &cpu->tlb[mmu_idx][i];
    uint64_t page = addr & TARGET_PAGE_MASK;
    uint64_t cmp = access == MMU_DATA_LOAD    ? e->addr_read
                   : access == MMU_DATA_STORE ? e->addr_write
                                              : e->addr_code;
    if (size > 0 && crosses_page(addr, (unsigned)size)) {
        return NULL;
    }
    if (!tlb_hit_page(cmp, page)) {
        if (!cpu->cc->tlb_fill(cpu, addr, size > 0 ? size : 1, access, mmu_idx, probe, ra)) {
            return NULL;
        }
        cmp = access == MMU_DATA_LOAD    ? e->addr_read
              : access == MMU_DATA_STORE ? e->addr_write
                                         : e->addr_code;
    }
    if (cmp & TLB_MMIO) {
        return NULL;
    }
    if (__builtin_expect(cmp & TLB_WATCH, 0) && access != MMU_INST_FETCH) {
        return NULL; /* reemu: the caller's per-access fallback is ordered */
    }
    if (access == MMU_DATA_STORE && (cmp & TLB_NOTDIRTY)) {
        notdirty_write(cpu, cpu->tlb_full[mmu_idx][i].paddr | (addr & ~TARGET_PAGE_MASK),
                       size > 0 ? (unsigned)size : 1);
    }
    return (void *)(uintptr_t)(addr + e->addend);
}

uint64_t probe_paddr(CPUState *cpu, uint64_t vaddr, MMUAccessType access, int mmu_idx)
{
    unsigned i = tlb_index(vaddr);
    CPUTLBEntry *e = &cpu->tlb[mmu_idx][i];
    uint64_t page = vaddr & TARGET_PAGE_MASK;
    uint64_t cmp = access == MMU_DATA_LOAD    ? e->addr_read
                   : access == MMU_DATA_STORE ? e->addr_write
                                              : e->addr_code;
    if (!tlb_hit_page(cmp, page) && !cpu->cc->tlb_fill(cpu, vaddr, 1, access, mmu_idx, true, 0)) {
        return ~0ull;
    }
    return cpu->tlb_full[mmu_idx][i].paddr | (vaddr & ~TARGET_PAGE_MASK);
}
