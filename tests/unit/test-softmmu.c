/*
 * test-softmmu.c — the guest physical map (system/memory.c) and the softmmu
 * slow paths (accel/tcg/cputlb.c) with a fake CPU whose MMU maps
 * vaddr = paddr + 0x1000_0000 and faults above 0x2000_0000 of virtual space.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/cputlb.h"
#include "exec/memory.h"
#include "system/machine.h"

static int failures;
#define CHECK(name, cond)                                                              \
    do {                                                                               \
        if (cond) {                                                                    \
            printf("PASS %s\n", name);                                                 \
        } else {                                                                       \
            printf("FAIL %s: %s (line %d)\n", name, #cond, __LINE__);                  \
            failures++;                                                                \
        }                                                                              \
    } while (0)

#define VOFF 0x10000000ull
#define RAM_BASE 0x40000000ull
#define RAM_SIZE (1u << 20)
#define DEV_BASE 0x09000000ull

/* ---- a device that records accesses ---- */
static uint64_t dev_regs[8];
static int dev_reads, dev_writes;
static unsigned dev_last_size;

static uint64_t dev_read(void *opaque, uint64_t off, unsigned size)
{
    dev_reads++;
    dev_last_size = size;
    return dev_regs[(off / 4) % 8];
}

static void dev_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    dev_writes++;
    dev_last_size = size;
    dev_regs[(off / 4) % 8] = val;
}

static const MemoryRegionOps dev_ops = {.read = dev_read, .write = dev_write,
                                        .min_access = 4, .max_access = 4};

/* a second small device sharing the first one's page */
static uint64_t dev2_read(void *opaque, uint64_t off, unsigned size)
{
    return 0x2222 + off;
}

static const MemoryRegionOps dev2_ops = {.read = dev2_read};

/* ---- a fake CPU class ---- */
static int faults, unaligned, failed_tx;
static uint64_t fault_addr;

static bool fake_tlb_fill(CPUState *cpu, uint64_t vaddr, int size, MMUAccessType access,
                          int mmu_idx, bool probe, uintptr_t ra)
{
    if (vaddr < VOFF || vaddr >= VOFF + 0x60000000ull) {
        if (probe) {
            return false;
        }
        faults++;
        fault_addr = vaddr;
        cpu_loop_exit_restore(cpu, ra);
    }
    int prot = PAGE_READ | PAGE_EXEC;
    /* the second MiB of RAM is read-only */
    uint64_t pa = vaddr - VOFF;
    if (!(pa >= RAM_BASE + 0x80000 && pa < RAM_BASE + 0x100000)) {
        prot |= PAGE_WRITE;
    } else if (access == MMU_DATA_STORE) {
        if (probe) {
            return false;
        }
        faults++;
        fault_addr = vaddr;
        cpu_loop_exit_restore(cpu, ra);
    }
    tlb_set_page(cpu, vaddr, pa, 0, prot, mmu_idx);
    return true;
}

static void fake_unaligned(CPUState *cpu, uint64_t vaddr, MMUAccessType access, int mmu_idx,
                           uintptr_t ra)
{
    unaligned++;
    cpu_loop_exit_restore(cpu, ra);
}

static void fake_tx_failed(CPUState *cpu, uint64_t paddr, uint64_t vaddr, MMUAccessType access,
                           int mmu_idx, uintptr_t ra)
{
    failed_tx++;
}

static int fake_mmu_index(CPUState *cpu, bool ifetch)
{
    return 1;
}

static const CPUClass fake_class = {
    .arch = "fake",
    .instance_size = sizeof(CPUState),
    .tlb_fill = fake_tlb_fill,
    .do_unaligned_access = fake_unaligned,
    .do_transaction_failed = fake_tx_failed,
    .mmu_index = fake_mmu_index,
};

static CPUState *cpu;
static Machine machine;
static uint8_t *ram;

/* run fn; returns true if it completed, false if it left through cpu_loop_exit */
#define TRY(stmt)                                                                      \
    ({                                                                                 \
        volatile bool ok_ = false;                                                            \
        if (sigsetjmp(cpu->jmp_env, 0) == 0) {                                         \
            stmt;                                                                      \
            ok_ = true;                                                                \
        }                                                                              \
        ok_;                                                                           \
    })

static MemOpIdx oi(MemOp op)
{
    return make_memop_idx(op, 1);
}

static void test_memory_map(void)
{
    AddressSpace *as = machine.as;
    CHECK("map-lookup-ram", memory_lookup(as, RAM_BASE + 5)->is_ram);
    CHECK("map-lookup-dev", memory_lookup(as, DEV_BASE + 4)->ops == &dev_ops);
    CHECK("map-lookup-hole", memory_lookup(as, 0x1000) == NULL);
    CHECK("map-lookup-end", memory_lookup(as, RAM_BASE + RAM_SIZE) == NULL);
    CHECK("ram-ptr-inside", memory_ram_ptr(as, RAM_BASE + 16, 16) == ram + 16);
    CHECK("ram-ptr-past-end", memory_ram_ptr(as, RAM_BASE + RAM_SIZE - 8, 16) == NULL);
    CHECK("ram-ptr-huge-len", memory_ram_ptr(as, RAM_BASE, ~0ull) == NULL);
    CHECK("ram-ptr-device", memory_ram_ptr(as, DEV_BASE, 4) == NULL);
    bool ok = true;
    memory_write(as, RAM_BASE + 8, 0x1122334455667788ull, 8, &ok);
    CHECK("phys-write-ok", ok && ram[8] == 0x88 && ram[15] == 0x11);
    CHECK("phys-read-4", memory_read(as, RAM_BASE + 12, 4, &ok) == 0x11223344 && ok);
    memory_read(as, 0x1000, 4, &ok);
    CHECK("phys-read-unassigned", !ok);
    memory_read(as, RAM_BASE + RAM_SIZE - 2, 4, &ok);
    CHECK("phys-read-straddling-end", !ok);
    /* device accesses are split/widened to its 4-byte unit */
    dev_regs[0] = 0xaabbccdd;
    dev_regs[1] = 0x11223344;
    CHECK("dev-read-8-split", memory_read(as, DEV_BASE, 8, &ok) == 0x11223344aabbccddull);
    CHECK("dev-read-1-widened", memory_read(as, DEV_BASE + 1, 1, &ok) == 0xcc && dev_last_size == 4);
    memory_write(as, DEV_BASE + 2, 0xee, 1, &ok);
    CHECK("dev-write-1-merged", dev_regs[0] == 0xaaeeccdd);
    uint8_t buf[32];
    memset(buf, 0x5a, sizeof(buf));
    CHECK("rw-bulk-ok", memory_rw(as, RAM_BASE + 100, buf, 32, true) && ram[131] == 0x5a);
    CHECK("rw-bulk-past-end", !memory_rw(as, RAM_BASE + RAM_SIZE - 4, buf, 32, true));
}

static void test_slow_paths(void)
{
    volatile uint64_t v = 0;
    uint64_t base = VOFF + RAM_BASE;
    memset(ram, 0, 4096 * 3);
    CHECK("st-64", TRY(helper_guest_st(cpu, base, 0x0102030405060708ull, oi(MO_64), 0)) &&
                       ram[0] == 8 && ram[7] == 1);
    CHECK("ld-32-zext", TRY(v = helper_guest_ld(cpu, base + 4, oi(MO_32), 0)) && v == 0x01020304);
    ram[16] = 0x80;
    CHECK("ld-8-sext", TRY(v = helper_guest_ld(cpu, base + 16, oi(MO_SB), 0)) &&
                           v == 0xffffffffffffff80ull);
    CHECK("ld-16-bswap", TRY(v = helper_guest_ld(cpu, base, oi(MO_16 | MO_BSWAP), 0)) &&
                             v == 0x0807);
    /* a fast-path entry exists after the fill */
    CPUTLBEntry *volatile e = &cpu->tlb[1][(base >> TARGET_PAGE_BITS) & (CPU_TLB_SIZE - 1)];
    CHECK("tlb-filled", e->addr_read == base && (uintptr_t)(base + e->addend) == (uintptr_t)ram);
    /* page-crossing 8-byte store and load */
    uint64_t cross = base + 4096 - 3;
    CHECK("st-cross-page", TRY(helper_guest_st(cpu, cross, 0xa1a2a3a4a5a6a7a8ull, oi(MO_64), 0)) &&
                               ram[4093] == 0xa8 && ram[4096 + 4] == 0xa1);
    CHECK("ld-cross-page", TRY(v = helper_guest_ld(cpu, cross, oi(MO_64), 0)) &&
                               v == 0xa1a2a3a4a5a6a7a8ull);
    /* misaligned without MO_ALIGN works; with MO_ALIGN faults */
    CHECK("ld-misaligned", TRY(v = helper_guest_ld(cpu, base + 1, oi(MO_32), 0)) &&
                               v == 0x04050607);
    int u0 = unaligned;
    CHECK("ld-align-fault", !TRY(helper_guest_ld(cpu, base + 1, oi(MO_32 | MO_ALIGN), 0)) &&
                                unaligned == u0 + 1);
    /* translation fault */
    int f0 = faults;
    CHECK("ld-translation-fault", !TRY(helper_guest_ld(cpu, 0x1000, oi(MO_32), 0)) &&
                                      faults == f0 + 1 && fault_addr == 0x1000);
    /* a store that crosses into a read-only page writes nothing */
    uint64_t ro_edge = base + 0x80000 - 2;
    ram[0x80000 - 2] = 0x11;
    CHECK("st-cross-ro-faults", !TRY(helper_guest_st(cpu, ro_edge, 0xffffffff, oi(MO_32), 0)) &&
                                    ram[0x80000 - 2] == 0x11);
    /* MMIO through the TLB */
    dev_regs[2] = 0xdeadbeef;
    int r0 = dev_reads;
    CHECK("mmio-ld", TRY(v = helper_guest_ld(cpu, VOFF + DEV_BASE + 8, oi(MO_32), 0)) &&
                         v == 0xdeadbeef && dev_reads == r0 + 1);
    CHECK("mmio-st", TRY(helper_guest_st(cpu, VOFF + DEV_BASE + 12, 77, oi(MO_32), 0)) &&
                         dev_regs[3] == 77);
    CHECK("mmio-second-device-same-page",
          TRY(v = helper_guest_ld(cpu, VOFF + DEV_BASE + 0x804, oi(MO_32), 0)) && v == 0x2226);
    volatile int t0 = failed_tx;
    CHECK("mmio-gap-in-page-unassigned",
          TRY(v = helper_guest_ld(cpu, VOFF + DEV_BASE + 0x600, oi(MO_32), 0)) && v == 0 &&
              failed_tx == t0 + 1);
    t0 = failed_tx;
    CHECK("unassigned-ld-zero", TRY(v = helper_guest_ld(cpu, VOFF + 0x100000, oi(MO_32), 0)) &&
                                    v == 0 && failed_tx == t0 + 1);
    /* atomics */
    memset(ram + 64, 0, 16);
    ram[64] = 5;
    CHECK("cmpxchg-hit", TRY(v = helper_atomic_cmpxchg(cpu, base + 64, 5, 9, oi(MO_32), 0)) &&
                             v == 5 && ram[64] == 9);
    CHECK("cmpxchg-miss", TRY(v = helper_atomic_cmpxchg(cpu, base + 64, 5, 7, oi(MO_32), 0)) &&
                              v == 9 && ram[64] == 9);
    CHECK("rmw-add", TRY(v = helper_atomic_rmw(cpu, base + 64, 3, oi(MO_64), TCG_ATOMIC_ADD, 0)) &&
                         v == 9 && ram[64] == 12);
    CHECK("rmw-smax-sext",
          TRY(v = helper_atomic_rmw(cpu, base + 64, 0xff, oi(MO_SB), TCG_ATOMIC_SMAX, 0)) &&
              v == 12 && ram[64] == 12);
    CHECK("rmw-umax", TRY(v = helper_atomic_rmw(cpu, base + 64, 0xff, oi(MO_8), TCG_ATOMIC_UMAX, 0)) &&
                          v == 12 && ram[64] == 0xff);
    CHECK("rmw-andc", TRY(v = helper_atomic_rmw(cpu, base + 64, 0x0f, oi(MO_8), TCG_ATOMIC_ANDC, 0)) &&
                          v == 0xff && ram[64] == 0xf0);
    int f1 = faults;
    CHECK("atomic-ro-faults",
          !TRY(helper_atomic_rmw(cpu, base + 0x80000, 1, oi(MO_32), TCG_ATOMIC_ADD, 0)) &&
              faults == f1 + 1);
    /* 128-bit */
    cpu->scratch128[0] = 0x1111;
    cpu->scratch128[1] = 0x2222;
    CHECK("st128", TRY(helper_guest_st128(cpu, base + 128, oi(MO_128), 0)) &&
                       *(uint64_t *)(ram + 136) == 0x2222);
    cpu->scratch128[0] = 0x1111;
    cpu->scratch128[1] = 0x2222;
    cpu->scratch128[2] = 0x3333;
    cpu->scratch128[3] = 0x4444;
    CHECK("cmpxchg128-hit", TRY(helper_atomic_cmpxchg128(cpu, base + 128, oi(MO_128), 0)) &&
                                *(uint64_t *)(ram + 128) == 0x3333 &&
                                *(uint64_t *)(ram + 136) == 0x4444 && cpu->scratch128[0] == 0x1111);
    CHECK("ld128", TRY(helper_guest_ld128(cpu, base + 128, oi(MO_128), 0)) &&
                       cpu->scratch128[0] == 0x3333 && cpu->scratch128[1] == 0x4444);
    /* code fetch */
    ram[200] = 0x78;
    ram[201] = 0x56;
    ram[202] = 0x34;
    ram[203] = 0x12;
    CHECK("code-fetch", TRY(v = cpu_ldl_code(cpu, base + 200)) && v == 0x12345678);
    CHECK("code-phys", TRY(v = get_page_addr_code(cpu, base + 200)) && v == RAM_BASE + 200);
    /* code pages: a marked page makes write entries trap (TLB_NOTDIRTY) */
    CHECK("code-mark-new", page_mark_code(RAM_BASE + 0x2000) && page_has_code(RAM_BASE + 0x2000));
    CHECK("code-mark-again", !page_mark_code(RAM_BASE + 0x2000));
    CHECK("code-other-page", !page_has_code(RAM_BASE + 0x3000));
    TRY(helper_guest_st(cpu, base + 0x2000, 1, oi(MO_8), 0));
    e = &cpu->tlb[1][((base + 0x2000) >> TARGET_PAGE_BITS) & (CPU_TLB_SIZE - 1)];
    CHECK("code-page-notdirty", (e->addr_write & TLB_NOTDIRTY) && ram[0x2000] == 1);
    /* flushes */
    tlb_flush_page(cpu, base);
    e = &cpu->tlb[1][(base >> TARGET_PAGE_BITS) & (CPU_TLB_SIZE - 1)];
    CHECK("flush-page", e->addr_read == ~0ull && e->addr_write == ~0ull);
    TRY(helper_guest_ld(cpu, base, oi(MO_8), 0));
    tlb_flush(cpu);
    CHECK("flush-all", e->addr_read == ~0ull);
    void *p = probe_access(cpu, base + 8, 8, MMU_DATA_LOAD, 1, true, 0);
    CHECK("probe-ram", p == ram + 8);
    CHECK("probe-fault-returns-null", probe_access(cpu, 0x1000, 4, MMU_DATA_LOAD, 1, true, 0) == NULL);
    CHECK("probe-mmio-null", probe_access(cpu, VOFF + DEV_BASE, 4, MMU_DATA_LOAD, 1, true, 0) == NULL);
}

int main(void)
{
    machine.as = address_space_new("test");
    MemoryRegion *mr = memory_map_ram(machine.as, "ram", RAM_BASE, RAM_SIZE);
    ram = mr->host;
    memory_map_mmio(machine.as, "dev", DEV_BASE, 0x400, &dev_ops, NULL);
    memory_map_mmio(machine.as, "dev2", DEV_BASE + 0x800, 0x100, &dev2_ops, NULL);
    cpu = calloc(1, sizeof(*cpu));
    cpu->cc = &fake_class;
    cpu->machine = &machine;
    memset(cpu->tlb, 0xff, sizeof(cpu->tlb));

    test_memory_map();
    test_slow_paths();
    return failures ? 1 : 0;
}
