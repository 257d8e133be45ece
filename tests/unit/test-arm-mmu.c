/*
 * test-arm-mmu.c — the VMSAv8-64 stage-1 walker of target/arm/mmu.c on page
 * tables written into a real guest address space: MMU off, 4K/16K/64K
 * granules, every start level, blocks, fault types and levels, AP/UXN/PXN,
 * hierarchical table attributes, WXN, PAN, TTBR1, TBI, EPD, PAR_EL1, and the
 * TLB maintenance paths (block-aware TLBI by VA, TTBR writes flush).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/cputlb.h"
#include "exec/memory.h"
#include "system/machine.h"
#include "target/arm/cpu.h"

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

#define RAM 0x40000000ull
#define RAM_SIZE (64ull << 20)

static Machine machine;
static ARMCPU *cpu;
static CPUARMState *env;
static uint64_t next_table;

#define AF (1ull << 10)
#define AP_EL0 (1ull << 6)
#define AP_RO (1ull << 7)
#define PXN (1ull << 53)
#define UXN (1ull << 54)
#define TBL_PXN (1ull << 59)
#define TBL_UXN (1ull << 60)
#define TBL_NOEL0 (1ull << 61)
#define TBL_RO (1ull << 62)

static uint64_t new_table(unsigned bytes)
{
    uint64_t t = (next_table + bytes - 1) & ~(uint64_t)(bytes - 1);
    next_table = t + bytes;
    uint8_t *z = calloc(1, bytes);
    memory_rw(machine.as, t, z, bytes, true);
    free(z);
    return t;
}

static void put(uint64_t table, unsigned idx, uint64_t desc)
{
    bool ok;
    memory_write(machine.as, table + idx * 8ull, desc, 8, &ok);
}

static void setup(uint64_t tcr)
{
    next_table = RAM + (32ull << 20);
    env->tcr_el1 = tcr;
    env->sctlr_el1 |= SCTLR_M;
    env->sctlr_el1 &= ~SCTLR_WXN;
}

static bool xlate(uint64_t va, MMUAccessType acc, int idx, ARMTranslation *t, ARMMMUFault *f)
{
    return arm_get_phys_addr(env, va, acc, idx, t, f);
}

static bool faults(uint64_t va, MMUAccessType acc, int idx, int type, int level)
{
    ARMTranslation t;
    ARMMMUFault f;
    if (xlate(va, acc, idx, &t, &f)) {
        return false;
    }
    return f.type == type && f.level == level;
}

static bool maps(uint64_t va, int idx, uint64_t pa, int prot)
{
    ARMTranslation t;
    ARMMMUFault f;
    if (!xlate(va, MMU_DATA_LOAD, idx, &t, &f)) {
        /* a page that is not readable at this regime: try an ifetch */
        if (!xlate(va, MMU_INST_FETCH, idx, &t, &f)) {
            return false;
        }
    }
    return t.pa == pa && t.prot == prot;
}

static void test_mmu_off(void)
{
    env->sctlr_el1 &= ~SCTLR_M;
    ARMTranslation t;
    ARMMMUFault f;
    CHECK("mmu-off-identity", xlate(0x09000010, MMU_DATA_STORE, 1, &t, &f) &&
                                  t.pa == 0x09000010 && t.prot == 7 && t.device);
    CHECK("mmu-off-addrsize", !xlate(1ull << 48, MMU_DATA_LOAD, 1, &t, &f) &&
                                  f.type == ARM_FAULT_ADDRSIZE && f.level == 0);
}

/* 4K granule, 48-bit VA: four levels starting at L0 */
static void test_4k_48(void)
{
    setup(16); /* T0SZ = 16, TG0 = 4K */
    uint64_t l0 = new_table(4096), l1 = new_table(4096), l2 = new_table(4096);
    uint64_t l3 = new_table(4096);
    env->ttbr0_el1 = l0 | (5ull << 48); /* ASID bits are ignored by the walk */
    uint64_t va = 0x0000123456789000ull;
    put(l0, (va >> 39) & 511, l1 | 3);
    put(l1, (va >> 30) & 511, l2 | 3);
    put(l2, (va >> 21) & 511, l3 | 3);
    put(l3, (va >> 12) & 511, (RAM + 0x100000) | AF | 3);
    put(l3, ((va >> 12) + 1) & 511, (RAM + 0x200000) | AF | AP_RO | AP_EL0 | 3);
    put(l3, ((va >> 12) + 2) & 511, (RAM + 0x300000) | 3); /* AF = 0 */
    put(l3, ((va >> 12) + 3) & 511, (RAM + 0x400000) | AF | 1); /* "block" at L3 */
    put(l3, ((va >> 12) + 4) & 511, (RAM + 0x500000) | AF | AP_EL0 | PXN | 3);
    put(l3, ((va >> 12) + 5) & 511, (RAM + 0x600000) | AF | AP_EL0 | AP_RO | UXN | 3);
    CHECK("4k-l3-page", maps(va + 0x123, 1, RAM + 0x100123, PAGE_READ | PAGE_WRITE | PAGE_EXEC));
    CHECK("4k-el1-only-at-el0", faults(va, MMU_DATA_LOAD, 0, ARM_FAULT_PERMISSION, 3));
    /* read-only for EL0 and EL1: EL1 may execute it (only EL0-writable implies PXN) */
    CHECK("4k-ro-el0-el1", maps(va + 0x1000, 1, RAM + 0x200000, PAGE_READ | PAGE_EXEC) &&
                               maps(va + 0x1000, 0, RAM + 0x200000, PAGE_READ | PAGE_EXEC));
    CHECK("4k-ro-store", faults(va + 0x1000, MMU_DATA_STORE, 1, ARM_FAULT_PERMISSION, 3));
    CHECK("4k-af-fault", faults(va + 0x2000, MMU_DATA_LOAD, 1, ARM_FAULT_ACCESS, 3));
    CHECK("4k-l3-block-invalid",
          faults(va + 0x3000, MMU_DATA_LOAD, 1, ARM_FAULT_TRANSLATION, 3));
    /* EL0-writable implies PXN at EL1; PXN/UXN */
    CHECK("4k-el0-rw-not-el1-exec",
          maps(va + 0x4000, 1, RAM + 0x500000, PAGE_READ | PAGE_WRITE) &&
              maps(va + 0x4000, 0, RAM + 0x500000, PAGE_READ | PAGE_WRITE | PAGE_EXEC));
    CHECK("4k-uxn", maps(va + 0x5000, 0, RAM + 0x600000, PAGE_READ) &&
                        maps(va + 0x5000, 1, RAM + 0x600000, PAGE_READ | PAGE_EXEC));
    CHECK("4k-exec-fault", faults(va + 0x5000, MMU_INST_FETCH, 0, ARM_FAULT_PERMISSION, 3));
    /* PAN: EL1 data access to EL0-accessible pages fails; ifetch unaffected */
    CHECK("pan-blocks-el0-data", faults(va + 0x1000, MMU_DATA_LOAD, 2, ARM_FAULT_PERMISSION, 3));
    CHECK("pan-allows-el1-page", maps(va, 2, RAM + 0x100000, PAGE_READ | PAGE_WRITE | PAGE_EXEC));
    CHECK("pan-ifetch", !faults(va + 0x5000, MMU_INST_FETCH, 2, ARM_FAULT_PERMISSION, 3));
    /* missing entries at every level */
    CHECK("4k-fault-l0", faults(0x0000700000000000ull, MMU_DATA_LOAD, 1, ARM_FAULT_TRANSLATION, 0));
    CHECK("4k-fault-l1", faults(va ^ (1ull << 30), MMU_DATA_LOAD, 1, ARM_FAULT_TRANSLATION, 1));
    CHECK("4k-fault-l2", faults(va ^ (1ull << 21), MMU_DATA_LOAD, 1, ARM_FAULT_TRANSLATION, 2));
    CHECK("4k-fault-l3", faults(va + 0x10000, MMU_DATA_LOAD, 1, ARM_FAULT_TRANSLATION, 3));
    /* VA outside the 48-bit TTBR0 range */
    CHECK("4k-out-of-range", faults(0x0001000000000000ull, MMU_DATA_LOAD, 1,
                                    ARM_FAULT_TRANSLATION, 0));
    /* blocks: 1 GB at L1, 2 MB at L2 */
    put(l1, 5, 0x80000000ull | AF | 1);
    put(l2, 7, (RAM + 0x1e00000) | AF | 1);
    uint64_t vb1 = (va & ~((1ull << 39) - 1)) | (5ull << 30) | 0x12345678;
    CHECK("4k-l1-block", maps(vb1, 1, 0x80000000ull + 0x12345678, PAGE_READ | PAGE_WRITE | PAGE_EXEC));
    uint64_t vb2 = (va & ~((1ull << 30) - 1)) | (7ull << 21) | 0x1abcd;
    CHECK("4k-l2-block", maps(vb2, 1, RAM + 0x1e00000 + 0x1abcd, PAGE_READ | PAGE_WRITE | PAGE_EXEC));
    ARMTranslation t;
    ARMMMUFault f;
    CHECK("4k-block-size", xlate(vb2, MMU_DATA_LOAD, 1, &t, &f) && t.page_size == (2u << 20));
    /* hierarchical attributes: APTable RO + no-EL0, UXNTable/PXNTable */
    put(l0, 1, l1 | 3 | TBL_RO | TBL_NOEL0 | TBL_PXN);
    put(l1, 0, (0x00000000ull) | AF | AP_EL0 | 1);
    uint64_t vt = 1ull << 39;
    CHECK("aptable-ro-noel0-pxn", maps(vt + 0x40, 1, 0x40, PAGE_READ) &&
                                      faults(vt, MMU_DATA_LOAD, 0, ARM_FAULT_PERMISSION, 1));
    /* WXN: writable means not executable */
    env->sctlr_el1 |= SCTLR_WXN;
    CHECK("wxn", maps(va, 1, RAM + 0x100000, PAGE_READ | PAGE_WRITE));
    env->sctlr_el1 &= ~SCTLR_WXN;
    /* TBI0: the top byte is ignored; without it a tagged VA faults */
    env->tcr_el1 |= 1ull << 37;
    CHECK("tbi0-tagged", maps(va | (0x5aull << 56), 1, RAM + 0x100000, 7));
    env->tcr_el1 &= ~(1ull << 37);
    CHECK("no-tbi-tagged-faults", faults(va | (0x5aull << 56), MMU_DATA_LOAD, 1,
                                         ARM_FAULT_TRANSLATION, 0));
    /* EPD0 disables TTBR0 walks */
    env->tcr_el1 |= 1ull << 7;
    CHECK("epd0", faults(va, MMU_DATA_LOAD, 1, ARM_FAULT_TRANSLATION, 0));
    env->tcr_el1 &= ~(1ull << 7);
    /* PAR_EL1 */
    env->mair_el1 = 0xff44;
    put(l3, (va >> 12) & 511, (RAM + 0x100000) | AF | (0u << 2) | (3u << 8) | 3);
    uint64_t par = arm_address_translate(env, va + 0x10, false, 1);
    CHECK("par-success", par == (0x44ull << 56 | (RAM + 0x100000) | 0xb80));
    par = arm_address_translate(env, va + 0x2000, false, 1);
    CHECK("par-fault", par == (1 | (0x0bu << 1) | (1u << 11)));
}

/* TTBR1: 39-bit upper range, 4K granule (TG1 = 2), start level 1 */
static void test_ttbr1(void)
{
    setup((25ull << 16) | (2ull << 30) | 16);
    uint64_t l1 = new_table(4096);
    env->ttbr1_el1 = l1;
    put(l1, 511, RAM | AF | 1); /* top GB */
    CHECK("ttbr1-top", maps(0xffffffffc0001234ull, 1, RAM + 0x1234, 7));
    CHECK("ttbr1-below-range", faults(0xffffff0000000000ull, MMU_DATA_LOAD, 1,
                                      ARM_FAULT_TRANSLATION, 0));
    CHECK("ttbr1-missing", faults(0xffffff8000000000ull, MMU_DATA_LOAD, 1,
                                  ARM_FAULT_TRANSLATION, 1));
}

/* 16K granule, 47-bit VA (T0SZ 17): levels 1..3 (L0 has one bit: start L0) */
static void test_16k(void)
{
    setup(17 | (2ull << 14));
    /* inputsize 47 = 14 + 3*11: three levels, start L1, first level 11 bits */
    uint64_t l1 = new_table(16384), l2 = new_table(16384), l3 = new_table(16384);
    env->ttbr0_el1 = l1;
    uint64_t va = 0x00004567890ab000ull & ((1ull << 47) - 1);
    put(l1, (va >> 36) & 2047, l2 | 3);
    put(l2, (va >> 25) & 2047, l3 | 3);
    put(l3, (va >> 14) & 2047, (RAM + 0x1000000) | AF | 3);
    CHECK("16k-page", maps(va, 1, RAM + 0x1000000 + (va & 0x3fff), 7));
    put(l2, ((va >> 25) + 1) & 2047, (RAM + 0x2000000) | AF | 1); /* 32 MB block */
    uint64_t vb = va + (1ull << 25);
    CHECK("16k-l2-block", maps(vb, 1, RAM + 0x2000000 + (vb & ((1ull << 25) - 1)), 7));
    put(l1, ((va >> 36) + 1) & 2047, RAM | AF | 1); /* L1 block not allowed with 16K */
    CHECK("16k-l1-block-invalid", faults(va + (1ull << 36), MMU_DATA_LOAD, 1,
                                         ARM_FAULT_TRANSLATION, 1));
}

/* 64K granule, 42-bit VA (T0SZ 22): levels 2..3 */
static void test_64k(void)
{
    setup(22 | (1ull << 14));
    uint64_t l2 = new_table(65536), l3 = new_table(65536);
    env->ttbr0_el1 = l2;
    uint64_t va = 0x000002abcdef1234ull & ((1ull << 42) - 1);
    put(l2, (va >> 29) & 8191, l3 | 3);
    put(l3, (va >> 16) & 8191, (RAM + 0x30000) | AF | 3);
    CHECK("64k-page", maps(va, 1, RAM + 0x30000 + (va & 0xffff), 7));
    ARMTranslation t;
    ARMMMUFault f;
    CHECK("64k-page-size", xlate(va, MMU_DATA_LOAD, 1, &t, &f) && t.page_size == 65536);
    CHECK("64k-fault-l2", faults(va ^ (1ull << 29), MMU_DATA_LOAD, 1, ARM_FAULT_TRANSLATION, 2));
    put(l2, ((va >> 29) + 1) & 8191, 0x80000000ull | AF | 1); /* 512 MB block */
    CHECK("64k-l2-block", maps(va + (1ull << 29), 1, 0x80000000ull + (va & ((1ull << 29) - 1)), 7));
}

/* TLB maintenance: TLBI by VA inside a block flushes everything; TTBR writes flush */
static void test_tlb(void)
{
    CPUState *cs = &cpu->parent;
    setup(25);
    uint64_t l1 = new_table(4096), l2 = new_table(4096);
    env->ttbr0_el1 = l1;
    put(l1, 1, l2 | 3);
    put(l2, 0, RAM | AF | 1); /* 2 MB block at VA 0x40000000 */
    CHECK("tlb-fill-block", arm_cpu_tlb_fill(cs, 0x40001000, 4, MMU_DATA_LOAD, 1, true, 0));
    CHECK("tlb-fill-second", arm_cpu_tlb_fill(cs, 0x40005000, 4, MMU_DATA_LOAD, 1, true, 0));
    unsigned i1 = (0x40001000 >> TARGET_PAGE_BITS) & (CPU_TLB_SIZE - 1);
    unsigned i5 = (0x40005000 >> TARGET_PAGE_BITS) & (CPU_TLB_SIZE - 1);
    CHECK("tlb-entries-valid", cs->tlb[1][i1].addr_read == 0x40001000 &&
                                   cs->tlb[1][i5].addr_read == 0x40005000);
    arm_tlbi_va(env, 0x40001000);
    CHECK("tlbi-va-in-block-flushes-all", cs->tlb[1][i5].addr_read != 0x40005000);
    arm_cpu_tlb_fill(cs, 0x40005000, 4, MMU_DATA_LOAD, 1, true, 0);
    arm_sysreg_write(env, ARM_SYSREG(3, 0, 2, 0, 0), l1 | (7ull << 48), 0);
    CHECK("ttbr0-asid-change-flushes", cs->tlb[1][i5].addr_read != 0x40005000);
    CHECK("probe-fault-returns-false",
          !arm_cpu_tlb_fill(cs, 0x7f000000, 4, MMU_DATA_LOAD, 1, true, 0));
}

int main(void)
{
    machine.as = address_space_new("test");
    memory_map_ram(machine.as, "ram", RAM, RAM_SIZE);
    machine.ncpus = 1;
    cpu = calloc(1, sizeof(ARMCPU));
    CPUState *cs = &cpu->parent;
    cs->cc = &arm_cpu_class;
    cs->machine = &machine;
    machine.cpus[0] = cs;
    arm_cpu_class.init(cs, "max");
    arm_cpu_class.reset(cs);
    env = &cpu->env;

    test_mmu_off();
    test_4k_48();
    test_ttbr1();
    test_16k();
    test_64k();
    test_tlb();
    return failures ? 1 : 0;
}
