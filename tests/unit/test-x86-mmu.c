/*
 * test-x86-mmu.c — the x86 page walk (target/i386/mmu.c) through
 * CPUClass.tlb_fill: 4-level paging with 4 KiB / 2 MiB / 1 GiB pages, PAE
 * (3-level) and 32-bit 2-level paging with 4 MiB pages; U/S and R/W rights
 * with CR0.WP, NX with EFER.NXE, not-present entries, the #PF error code and
 * CR2, non-canonical addresses (#GP), Accessed/Dirty bits. Page tables are
 * written into guest RAM by the test; a fault is caught with sigsetjmp on
 * the core's jmp_env (tlb_fill leaves through cpu_loop_exit_restore).
 */
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include "exec/cputlb.h"
#include "exec/memory.h"
#include "system/cpus.h"
#include "system/machine.h"
#include "target/i386/cpu.h"

static int failures;
static AddressSpace *as;
static CPUState *cs;
static Machine machine;

static void check(const char *name, bool ok)
{
    printf("%s %s\n", ok ? "PASS" : "FAIL", name);
    if (!ok) {
        failures++;
    }
}

static void put64(uint64_t addr, uint64_t v)
{
    memory_rw(as, addr, &v, 8, true);
}

static void put32(uint64_t addr, uint32_t v)
{
    memory_rw(as, addr, &v, 4, true);
}

static uint64_t get64(uint64_t addr)
{
    uint64_t v = 0;
    memory_rw(as, addr, &v, 8, false);
    return v;
}

typedef struct Outcome {
    bool ok;
    int vector, error;
    uint64_t cr2, paddr;
} Outcome;

/* one access through tlb_fill (no probe: faults raise) */
static Outcome access(uint64_t va, MMUAccessType type, int mmu_idx)
{
    CPUX86State *env = cpu_env(cs);
    Outcome o = {0};
    tlb_flush(cs);
    env->cr[2] = 0;
    cs->exception_index = -1;
    if (sigsetjmp(cs->jmp_env, 0) == 0) {
        o.ok = cs->cc->tlb_fill(cs, va, 1, type, mmu_idx, false, 0);
        o.paddr = x86_cpu_get_phys_page_debug(cs, va);
    } else {
        o.ok = false;
        o.vector = cs->exception_index;
        o.error = env->error_code;
        o.cr2 = env->cr[2];
    }
    cs->exception_index = -1;
    return o;
}

enum { P = 1, RW = 2, US = 4, A = 0x20, D = 0x40, PS = 0x80 };
#define NX (1ull << 63)

static void set_mode(uint64_t cr0, uint64_t cr4, uint64_t efer, uint64_t cr3)
{
    CPUX86State *env = cpu_env(cs);
    env->cr[0] = cr0;
    env->cr[4] = cr4;
    env->efer = efer;
    env->cr[3] = cr3;
    x86_update_hflags(env);
}

static void test_long_mode(void)
{
    /* PML4 0x1000 -> PDPT 0x2000 -> PD 0x3000 -> PT 0x4000 */
    put64(0x1000, 0x2000 | P | RW | US);
    put64(0x2000, 0x3000 | P | RW | US);
    put64(0x3000, 0x4000 | P | RW | US);
    put64(0x4000 + 8 * 1, 0x10000 | P | RW | US);        /* 0x1000: user RW */
    put64(0x4000 + 8 * 2, 0x11000 | P | RW);             /* 0x2000: supervisor RW */
    put64(0x4000 + 8 * 3, 0x12000 | P | US);             /* 0x3000: user read-only */
    put64(0x4000 + 8 * 4, 0x13000 | P | RW | US | NX);   /* 0x4000: no-execute */
    put64(0x4000 + 8 * 5, 0x14000 | RW | US);            /* 0x5000: not present */
    put64(0x3000 + 8 * 1, 0x400000 | P | RW | PS);       /* 2 MiB page at 0x200000 */
    put64(0x2000 + 8 * 1, 0x40000000 | P | RW | PS);     /* 1 GiB page at 0x40000000 */
    set_mode(CR0_PE | CR0_PG | CR0_ET, CR4_PAE, EFER_LME | EFER_LMA | EFER_NXE, 0x1000);

    Outcome o = access(0x1234, MMU_DATA_LOAD, 1);
    check("long mode: user read of a user page", o.ok && o.paddr == 0x10234);
    check("long mode: Accessed set on every level, not Dirty on a read",
          (get64(0x1000) & A) && (get64(0x2000) & A) && (get64(0x3000) & A) &&
              (get64(0x4008) & A) && !(get64(0x4008) & D));
    o = access(0x1234, MMU_DATA_STORE, 1);
    check("long mode: a write sets Dirty on the leaf", o.ok && (get64(0x4008) & D));
    o = access(0x2010, MMU_DATA_LOAD, 1);
    check("long mode: user read of a supervisor page: #PF P|U", !o.ok &&
              o.vector == EXCP0E_PF && o.error == (1 | 4) && o.cr2 == 0x2010);
    o = access(0x2010, MMU_DATA_LOAD, 0);
    check("long mode: supervisor read of a supervisor page", o.ok && o.paddr == 0x11010);
    o = access(0x3008, MMU_DATA_STORE, 1);
    check("long mode: user write to a read-only page: #PF P|W|U",
          !o.ok && o.vector == EXCP0E_PF && o.error == (1 | 2 | 4));
    o = access(0x3008, MMU_DATA_STORE, 0);
    check("long mode: supervisor write to a read-only page with CR0.WP=0", o.ok);
    cpu_env(cs)->cr[0] |= CR0_WP;
    o = access(0x3008, MMU_DATA_STORE, 0);
    check("long mode: ... and with CR0.WP=1: #PF P|W", !o.ok && o.error == (1 | 2));
    cpu_env(cs)->cr[0] &= ~(uint64_t)CR0_WP;
    o = access(0x4000, MMU_INST_FETCH, 1);
    check("long mode: fetch from an NX page: #PF P|U|I", !o.ok && o.error == (1 | 4 | 16));
    o = access(0x4000, MMU_DATA_LOAD, 1);
    check("long mode: read from an NX page", o.ok);
    o = access(0x5000, MMU_DATA_STORE, 0);
    check("long mode: not present: #PF W, CR2", !o.ok && o.error == 2 && o.cr2 == 0x5000);
    o = access(0x5000, MMU_INST_FETCH, 1);
    check("long mode: not-present fetch: #PF U|I", !o.ok && o.error == (4 | 16));
    o = access(0x2abcde, MMU_DATA_LOAD, 0);
    check("long mode: 2 MiB page", o.ok && o.paddr == 0x4abcde);
    o = access(0x2abcde, MMU_DATA_LOAD, 1);
    check("long mode: 2 MiB supervisor page from user: #PF", !o.ok && o.error == (1 | 4));
    o = access(0x41234567, MMU_DATA_LOAD, 0);
    check("long mode: 1 GiB page", o.ok && o.paddr == 0x41234567);
    o = access(0x0000800000000000ull, MMU_DATA_LOAD, 0);
    check("long mode: non-canonical address: #GP(0)", !o.ok && o.vector == EXCP0D_GP &&
              o.error == 0);
    o = access(0xffff800000001000ull, MMU_DATA_LOAD, 0);
    check("long mode: canonical high half, PML4[256] not present: #PF", !o.ok &&
              o.vector == EXCP0E_PF && o.error == 0);
}

static void test_pae(void)
{
    /* PDPT at 0x5000 (32-byte aligned) -> PD 0x6000 -> PT 0x7000 */
    memset(memory_ram_ptr(as, 0x5000, 0x3000), 0, 0x3000);
    put64(0x5000, 0x6000 | P);
    put64(0x6000, 0x7000 | P | RW | US);
    put64(0x6000 + 8, 0x600000 | P | RW | US | PS); /* 2 MiB page at 0x200000 */
    put64(0x7000 + 8 * 3, 0x23000 | P | US);         /* 0x3000 user read-only */
    set_mode(CR0_PE | CR0_PG | CR0_ET, CR4_PAE, EFER_NXE, 0x5000);
    Outcome o = access(0x3456, MMU_DATA_LOAD, 1);
    check("PAE: 4 KiB page", o.ok && o.paddr == 0x23456);
    o = access(0x3456, MMU_DATA_STORE, 1);
    check("PAE: user write to read-only: #PF P|W|U", !o.ok && o.error == (1 | 2 | 4));
    o = access(0x2fffff, MMU_DATA_LOAD, 1);
    check("PAE: 2 MiB page", o.ok && o.paddr == 0x6fffff);
    o = access(0x40000000, MMU_DATA_LOAD, 0);
    check("PAE: PDPTE 1 not present: #PF", !o.ok && o.vector == EXCP0E_PF);
}

static void test_legacy(void)
{
    /* 32-bit paging: PD at 0x8000 -> PT 0x9000; PDE 1 is a 4 MiB page (PSE) */
    memset(memory_ram_ptr(as, 0x8000, 0x2000), 0, 0x2000);
    put32(0x8000, 0x9000 | P | RW | US);
    put32(0x8000 + 4, 0x800000 | P | RW | PS);
    put32(0x9000 + 4 * 7, 0x31000 | P | RW | US);
    set_mode(CR0_PE | CR0_PG | CR0_ET, CR4_PSE, 0, 0x8000);
    Outcome o = access(0x7abc, MMU_DATA_STORE, 1);
    check("32-bit paging: 4 KiB page, write sets Dirty", o.ok && o.paddr == 0x31abc);
    uint32_t pte = 0;
    memory_rw(as, 0x9000 + 4 * 7, &pte, 4, false);
    check("32-bit paging: A and D in the 4-byte entry", (pte & (A | D)) == (A | D));
    o = access(0x5abcde, MMU_DATA_LOAD, 0);
    check("32-bit paging: 4 MiB page", o.ok && o.paddr == 0x9abcde);
    o = access(0x5abcde, MMU_DATA_LOAD, 1);
    check("32-bit paging: supervisor 4 MiB page from user: #PF P|U", !o.ok &&
              o.error == (1 | 4));
    o = access(0x9000000, MMU_DATA_LOAD, 0);
    check("32-bit paging: PDE not present: #PF 0", !o.ok && o.error == 0 &&
              o.cr2 == 0x9000000);
    set_mode(CR0_PE | CR0_ET, 0, 0, 0);
    o = access(0x12345678, MMU_DATA_LOAD, 1);
    check("paging off: identity", o.ok && o.paddr == 0x12345678);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    as = address_space_new("x86-mmu");
    memory_map_ram(as, "ram", 0, 64u << 20);
    machine.as = as;
    machine.ncpus = 1;
    cs = cpu_create(&machine, &x86_cpu_class, 0, "qemu64");
    machine.cpus[0] = cs;
    test_long_mode();
    test_pae();
    test_legacy();
    return failures ? 1 : 0;
}
