/*
 * mmu.c — the x86 page walk behind CPUClass.tlb_fill (SDM Vol.3 chapter 4).
 *
 *   CR0.PG = 0                 identity (linear = physical; 32-bit wrap
 *                              outside long mode)
 *   32-bit paging (CR4.PAE=0)  2 levels, 4 MiB pages with CR4.PSE
 *   PAE                        3 levels (PDPTEs read at each walk; real
 *                              CPUs cache them at CR3 load — a documented
 *                              simplification), 2 MiB pages
 *   4-level (EFER.LMA)         PML4, 1 GiB / 2 MiB pages; non-canonical
 *                              addresses raise #GP(0), #SS(0) for stack
 *                              references (stack_reference())
 *
 * Rights are the AND of every level's R/W and U/S and the OR of NX (with
 * EFER.NXE); supervisor writes honour CR0.WP; CR4.SMEP is checked on
 * supervisor fetches. Accessed bits are set on every level walked, Dirty on
 * the leaf of a write, with host atomics on guest RAM (other cores walk the
 * same tables). A clean page is installed without write permission so the
 * first write comes back here and sets D.
 * #PF error code (SDM §4.7): P=1 protection, W/R, U/S, RSVD, I/D.
 *
 * Reserved bits (SDM §4.4.2, §4.5.4, Tables 4-14..4-20): in PAE and 4-level
 * entries, physical-address bits at or above MAXPHYADDR (40, CPUID
 * 0x80000008), the XD bit when EFER.NXE is clear, PS in a PML4E, and the
 * low bits of a large page's frame (2 MiB: 20:13, 1 GiB: 29:13); in 32-bit
 * paging, bit 21 of a 4 MiB PDE (PSE-36 gives bits 20:13 physical bits
 * 39:32). A present entry with one of them set faults with P=1 and RSVD=1
 * (reserved bits are never checked in a not-present entry). The PAE PDPTEs
 * are checked on the walk, like their other bits.
 */
#include "target/i386/cpu.h"

#include "exec/cputlb.h"
#include "exec/memory.h"
#include "system/machine.h"
#include "target/i386/decode.h"

#define PG_P (1ull << 0)
#define PG_RW (1ull << 1)
#define PG_US (1ull << 2)
#define PG_A (1ull << 5)
#define PG_D (1ull << 6)
#define PG_PS (1ull << 7)
#define PG_NX (1ull << 63)
#define PG_ADDR_MASK 0x000ffffffffff000ull
#define PHYS_BITS 40 /* MAXPHYADDR, as CPUID 0x80000008 reports it */
#define PG_HI_RSVD (((1ull << 52) - 1) & ~((1ull << PHYS_BITS) - 1))

enum { PFEC_P = 1, PFEC_W = 2, PFEC_U = 4, PFEC_RSVD = 8, PFEC_I = 16 };

typedef struct Walk {
    uint64_t paddr;
    int prot;
    int error; /* PFEC bits, or -1: #GP(0) (non-canonical) */
} Walk;

static uint64_t pte_load(CPUState *cs, uint64_t pa, bool is64, uint64_t **host)
{
    const AddressSpace *as = cs->machine->as;
    void *p = memory_ram_ptr(as, pa, is64 ? 8 : 4);
    *host = p;
    if (p) {
        return is64 ? __atomic_load_n((uint64_t *)p, __ATOMIC_ACQUIRE)
                    : __atomic_load_n((uint32_t *)p, __ATOMIC_ACQUIRE);
    }
    bool ok;
    return memory_read(as, pa, is64 ? 8 : 4, &ok);
}

static void pte_set_bits(uint64_t *host, bool is64, uint64_t bits)
{
    if (!host) {
        return; /* tables outside RAM: bits are not recorded */
    }
    if (is64) {
        __atomic_fetch_or(host, bits, __ATOMIC_ACQ_REL);
    } else {
        __atomic_fetch_or((uint32_t *)host, (uint32_t)bits, __ATOMIC_ACQ_REL);
    }
}

static bool walk(CPUState *cs, uint64_t va, MMUAccessType access, int mmu_idx, Walk *w)
{
    CPUX86State *env = cpu_env(cs);
    bool user = mmu_idx == 1;
    bool is_write = access == MMU_DATA_STORE, is_fetch = access == MMU_INST_FETCH;
    int pfec = (is_write ? PFEC_W : 0) | (user ? PFEC_U : 0);
    bool nxe = (env->efer & EFER_NXE) != 0;
    bool lma = (env->hflags & HF_LMA) != 0;

    if (lma && (uint64_t)((int64_t)(va << 16) >> 16) != va) {
        w->error = -1; /* non-canonical: #GP(0) (the flat test mode included) */
        return false;
    }
    if (!(env->cr[0] & CR0_PG)) {
        w->paddr = lma ? va : (va & 0xffffffffull);
        w->prot = PAGE_READ | PAGE_WRITE | PAGE_EXEC;
        return true;
    }
    if (is_fetch && nxe) {
        pfec |= PFEC_I;
    }

    uint64_t rights_rw = PG_RW, rights_us = PG_US;
    bool nx = false;
    uint64_t *hosts[4] = {NULL};
    bool is64[4] = {false};
    int depth = 0;
    uint64_t pte = 0, paddr;
    uint64_t page_mask; /* offset bits within the final page */

    if (env->cr[4] & CR4_PAE) {
        int levels = lma ? 4 : 3;
        uint64_t rsvd = PG_HI_RSVD | (nxe ? 0 : PG_NX);
        uint64_t table = lma ? (env->cr[3] & PG_ADDR_MASK) : (env->cr[3] & 0xffffffe0ull);
        for (int level = levels; level >= 1; level--) {
            int shift = 12 + 9 * (level - 1);
            uint64_t idx = level == 3 && !lma ? (va >> 30) & 3 : (va >> shift) & 511;
            uint64_t pa = table + idx * 8;
            pte = pte_load(cs, pa, true, &hosts[depth]);
            is64[depth++] = true;
            if (!(pte & PG_P)) {
                goto fault;
            }
            if ((pte & rsvd) || (level == 4 && (pte & PG_PS)) ||
                (level <= 3 && level > 1 && (pte & PG_PS) && (lma || level != 3) &&
                 (pte & ((1ull << (12 + 9 * (level - 1))) - 1) & ~0x1fffull))) {
                pfec |= PFEC_RSVD | PFEC_P;
                goto fault;
            }
            if (!lma && level == 3) {
                /* PAE PDPTE: no RW/US/NX rights */
                table = pte & PG_ADDR_MASK;
                continue;
            }
            rights_rw &= pte;
            rights_us &= pte;
            if (nxe && (pte & PG_NX)) {
                nx = true;
            }
            if (level <= 3 && (pte & PG_PS) && level > 1) {
                if (level == 3 && !lma) {
                    pfec |= PFEC_RSVD | PFEC_P;
                    goto fault;
                }
                page_mask = (1ull << shift) - 1;
                paddr = (pte & PG_ADDR_MASK & ~page_mask) | (va & page_mask);
                goto leaf;
            }
            table = pte & PG_ADDR_MASK;
        }
        page_mask = 0xfff;
        paddr = (pte & PG_ADDR_MASK) | (va & 0xfff);
    } else {
        uint32_t va32 = (uint32_t)va;
        uint64_t pde = pte_load(cs, (env->cr[3] & 0xfffff000ull) + ((va32 >> 22) * 4), false,
                                &hosts[depth]);
        is64[depth++] = false;
        if (!(pde & PG_P)) {
            goto fault;
        }
        rights_rw &= pde;
        rights_us &= pde;
        if ((pde & PG_PS) && (env->cr[4] & CR4_PSE)) {
            if (pde & (1u << 21)) {
                pfec |= PFEC_RSVD | PFEC_P;
                goto fault;
            }
            pte = pde;
            /* PSE-36: bits 20..13 of the PDE are physical bits 39..32 */
            paddr = (pde & 0xffc00000ull) | ((pde & 0x1fe000ull) << 19) | (va32 & 0x3fffff);
            page_mask = 0x3fffff;
            goto leaf;
        }
        pte = pte_load(cs, (pde & 0xfffff000ull) + (((va32 >> 12) & 1023) * 4), false,
                       &hosts[depth]);
        is64[depth++] = false;
        if (!(pte & PG_P)) {
            goto fault;
        }
        rights_rw &= pte;
        rights_us &= pte;
        page_mask = 0xfff;
        paddr = (pte & 0xfffff000ull) | (va32 & 0xfff);
    }

leaf:
    pfec |= PFEC_P; /* from here on, a fault is a protection violation */
    {
        bool wp = (env->cr[0] & CR0_WP) != 0;
        bool can_write = rights_rw || (!user && !wp);
        if (user && !rights_us) {
            goto fault;
        }
        if (is_write && !can_write) {
            goto fault;
        }
        if (is_fetch && nx) {
            goto fault;
        }
        if (is_fetch && !user && rights_us && (env->cr[4] & CR4_SMEP)) {
            goto fault;
        }
        /* accessed on every level; dirty on the leaf of a write */
        for (int i = 0; i < depth; i++) {
            pte_set_bits(hosts[i], is64[i], PG_A);
        }
        if (is_write) {
            pte_set_bits(hosts[depth - 1], is64[depth - 1], PG_D);
        }
        int prot = PAGE_READ;
        if (!nx) {
            prot |= PAGE_EXEC;
        }
        if (can_write && (is_write || (pte & PG_D))) {
            prot |= PAGE_WRITE;
        }
        (void)page_mask;
        w->paddr = paddr;
        w->prot = prot;
        return true;
    }

fault:
    w->error = pfec;
    return false;
}

static uint8_t fetch_debug(void *opaque, uint64_t addr)
{
    CPUState *cs = opaque;
    uint64_t pa = x86_cpu_get_phys_page_debug(cs, addr);
    bool ok = false;
    uint64_t v = pa == ~0ull ? 0 : memory_read(cs->machine->as, pa, 1, &ok);
    return ok ? (uint8_t)v : 0xff;
}

/*
 * A non-canonical address in 64-bit mode faults #SS(0) when the access is a
 * stack reference, #GP(0) otherwise (SDM Vol.3 §6.15, #SS: "a non-canonical
 * address ... in a memory reference that uses the SS segment"). The walk
 * does not know the segment, so the rare fault re-decodes the instruction
 * (state already restored to it): a memory operand based on RSP/RBP or with
 * an SS override, or an implicit stack access near RSP.
 */
static bool stack_reference(CPUState *cs, uint64_t vaddr)
{
    CPUX86State *env = cpu_env(cs);
    X86Insn in;
    if (x86_decode(&in, X86_MODE64, env->rip, fetch_debug, cs) != X86_DEC_OK) {
        return false;
    }
    if (in.has_mem && (in.seg == R_SS || (in.seg < 0 && (in.base == R_ESP || in.base == R_EBP)))) {
        return true;
    }
    switch (in.mnem) {
    case MN_PUSH: case MN_POP: case MN_CALL: case MN_RET: case MN_CALLF: case MN_RETF:
    case MN_ENTER: case MN_LEAVE: case MN_PUSHF: case MN_POPF: case MN_IRET:
        return vaddr - env->regs[R_ESP] + 64 < 128; /* the access was at RSP, not an operand */
    default:
        return false;
    }
}

bool x86_cpu_tlb_fill(CPUState *cs, uint64_t vaddr, int size, MMUAccessType access,
                      int mmu_idx, bool probe, uintptr_t ra)
{
    CPUX86State *env = cpu_env(cs);
    Walk w = {0};
    if (walk(cs, vaddr, access, mmu_idx, &w)) {
        tlb_set_page(cs, vaddr & TARGET_PAGE_MASK, w.paddr & TARGET_PAGE_MASK, 0, w.prot,
                     mmu_idx);
        return true;
    }
    if (probe) {
        return false;
    }
    if (w.error < 0) {
        if (ra && access != MMU_INST_FETCH && (env->hflags & HF_CS64) &&
            cpu_restore_state(cs, ra)) {
            /* restored once (icount too): raise without restoring again */
            raise_exception_err_ra(env, stack_reference(cs, vaddr) ? EXCP0C_SS : EXCP0D_GP, 0,
                                   0);
        }
        raise_exception_err_ra(env, EXCP0D_GP, 0, ra);
    }
    env->cr[2] = vaddr;
    raise_exception_err_ra(env, EXCP0E_PF, w.error, ra);
}

uint64_t x86_cpu_get_phys_page_debug(CPUState *cs, uint64_t vaddr)
{
    Walk w = {0};
    CPUX86State *env = cpu_env(cs);
    /* a debugger walk must not set A/D: only used with tables in RAM we then touch;
     * acceptable for now (documented) */
    if (!walk(cs, vaddr, MMU_DATA_LOAD, x86_mmu_idx(env) == 1 ? 0 : 0, &w)) {
        return ~0ull;
    }
    return w.paddr;
}
