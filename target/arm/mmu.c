/*
 * mmu.c — VMSAv8-64 stage-1 translation for EL1&0 (Arm ARM D5), the softmmu
 * tlb_fill hook, and the address-translation / TLB-maintenance helpers.
 *
 * Walk: TTBR0 for VA[55] == 0, TTBR1 otherwise (D5.2.1); 4K, 16K and 64K
 * granules; T0SZ/T1SZ from 16 to 39 (48- to 25-bit VAs); descriptors are
 * read with memory_read() on the machine's address space. The walk checks
 * AF (no hardware update: FEAT_HAFDBS is not implemented, so AF == 0 is an
 * Access flag fault), and applies AP[2:1], UXN/PXN, the hierarchical
 * APTable/UXNTable/PXNTable bits, WXN, "EL0-writable implies PXN", and PAN
 * (mmu_idx 2: EL1 data accesses to EL0-accessible pages fault).
 * MMU off: VA == PA, all permissions, device memory (D5.2.9).
 *
 * The softmmu TLB holds 4K pages only; a translation from a block or a
 * larger granule is installed one 4K slice at a time, and the region it
 * came from is remembered (tlb_lp_addr/mask) so that a TLBI by VA inside it
 * flushes everything, as the architecture requires for blocks.
 */
#include <inttypes.h>
#include <string.h>

#include "target/arm/cpu.h"

#include "coremu/coremu.h"
#include "exec/cputlb.h"
#include "exec/memory.h"
#include "util/log.h"

#define HELPER_H "target/arm/helper.h"
#include "exec/helper-proto.h"

#define PA_BITS 48
#define PA_MASK ((1ull << PA_BITS) - 1)

uint32_t arm_fault_status(const ARMMMUFault *f)
{
    switch (f->type) {
    case ARM_FAULT_ADDRSIZE: return 0x00 | (uint32_t)(f->level & 3);
    case ARM_FAULT_TRANSLATION: return 0x04 | (uint32_t)(f->level & 3);
    case ARM_FAULT_ACCESS: return 0x08 | (uint32_t)(f->level & 3);
    case ARM_FAULT_PERMISSION: return 0x0c | (uint32_t)(f->level & 3);
    case ARM_FAULT_ALIGNMENT: return 0x21;
    case ARM_FAULT_EXTERNAL: return 0x10;
    default: return 0x3f;
    }
}

static bool fault(ARMMMUFault *f, int type, int level)
{
    f->type = type;
    f->level = level;
    f->s1ptw = false;
    return false;
}

bool arm_get_phys_addr(CPUARMState *env, uint64_t va, MMUAccessType access, int mmu_idx,
                       ARMTranslation *res, ARMMMUFault *f)
{
    memset(f, 0, sizeof(*f));
    memset(res, 0, sizeof(*res));
    if (!(env->sctlr_el1 & SCTLR_M)) {
        if (va & ~PA_MASK) {
            return fault(f, ARM_FAULT_ADDRSIZE, 0);
        }
        res->pa = va;
        res->prot = PAGE_READ | PAGE_WRITE | PAGE_EXEC;
        res->page_size = TARGET_PAGE_SIZE;
        res->device = true;
        res->sh = 2; /* device memory reports as outer shareable */
        return true;
    }

    uint64_t tcr = env->tcr_el1;
    bool hi = (va >> 55) & 1;
    int tsz, tg, grain;
    bool epd, tbi;
    uint64_t ttbr;
    if (!hi) {
        tsz = tcr & 0x3f;
        epd = (tcr >> 7) & 1;
        tg = (tcr >> 14) & 3; /* 00 4K, 01 64K, 10 16K */
        grain = tg == 1 ? 16 : tg == 2 ? 14 : 12;
        tbi = (tcr >> 37) & 1;
        ttbr = env->ttbr0_el1;
    } else {
        tsz = (tcr >> 16) & 0x3f;
        epd = (tcr >> 23) & 1;
        tg = (tcr >> 30) & 3; /* 01 16K, 10 4K, 11 64K */
        grain = tg == 1 ? 14 : tg == 3 ? 16 : 12;
        tbi = (tcr >> 38) & 1;
        ttbr = env->ttbr1_el1;
    }
    if (tsz < 16) {
        tsz = 16;
    } else if (tsz > 39) {
        tsz = 39;
    }
    int inputsize = 64 - tsz;
    /* the bits above the input size must all equal VA[55] (TBI: ignoring 63:56) */
    int top = tbi ? 55 : 63;
    uint64_t upper = (va >> inputsize) & ((2ull << (top - inputsize)) - 1);
    uint64_t want = hi ? ((2ull << (top - inputsize)) - 1) : 0;
    if (upper != want || epd) {
        return fault(f, ARM_FAULT_TRANSLATION, 0);
    }

    int stride = grain - 3;
    int levels = (inputsize - grain + stride - 1) / stride;
    int level = 4 - levels;
    uint64_t table = ttbr & PA_MASK & ~1ull;
    bool ap_table_ro = false, ap_table_noel0 = false, uxn_table = false, pxn_table = false;
    AddressSpace *as = env_cpu(env)->machine->as;
    uint64_t desc;
    int block_shift;

    for (;;) {
        int shift = grain + stride * (3 - level);
        int bits = (level == 4 - levels) ? inputsize - shift : stride;
        uint64_t idx = (va >> shift) & ((1ull << bits) - 1);
        bool ok;
        desc = memory_read(as, table + idx * 8, 8, &ok);
        if (!ok) {
            f->type = ARM_FAULT_EXTERNAL;
            f->level = level;
            f->s1ptw = true;
            return false;
        }
        if (!(desc & 1)) {
            return fault(f, ARM_FAULT_TRANSLATION, level);
        }
        if (level == 3) {
            if (!(desc & 2)) {
                return fault(f, ARM_FAULT_TRANSLATION, level);
            }
            block_shift = grain;
            break;
        }
        if (!(desc & 2)) {
            /* block: 4K at L1/L2, 16K/64K at L2 (D5.3.1) */
            bool valid = level == 2 || (level == 1 && grain == 12);
            if (!valid) {
                return fault(f, ARM_FAULT_TRANSLATION, level);
            }
            block_shift = shift;
            break;
        }
        /* table descriptor */
        pxn_table |= (desc >> 59) & 1;
        uxn_table |= (desc >> 60) & 1;
        ap_table_noel0 |= (desc >> 61) & 1;
        ap_table_ro |= (desc >> 62) & 1;
        table = desc & PA_MASK & ~((1ull << grain) - 1);
        level++;
    }

    uint64_t out = (desc & PA_MASK & ~((1ull << block_shift) - 1)) |
                   (va & ((1ull << block_shift) - 1));
    if (!(desc & (1ull << 10))) {
        return fault(f, ARM_FAULT_ACCESS, level);
    }
    bool ap1 = (desc >> 6) & 1 && !ap_table_noel0; /* EL0 access */
    bool ap2 = (desc >> 7) & 1 || ap_table_ro;     /* read-only */
    bool uxn = (desc >> 54) & 1 || uxn_table;
    bool pxn = (desc >> 53) & 1 || pxn_table;
    bool wxn = (env->sctlr_el1 & SCTLR_WXN) != 0;
    int p = 0;
    if (mmu_idx == ARM_MMU_EL0) {
        if (ap1) {
            p |= PAGE_READ;
            if (!ap2) {
                p |= PAGE_WRITE;
            }
        }
        if (!uxn && !(wxn && (p & PAGE_WRITE))) {
            p |= PAGE_EXEC;
        }
    } else {
        p = PAGE_READ | (ap2 ? 0 : PAGE_WRITE);
        bool el0_writable = ap1 && !ap2;
        if (!pxn && !el0_writable && !(wxn && (p & PAGE_WRITE))) {
            p |= PAGE_EXEC;
        }
        if (mmu_idx == ARM_MMU_EL1_PAN && ap1) {
            p &= ~(PAGE_READ | PAGE_WRITE);
        }
    }
    int need = access == MMU_DATA_STORE ? PAGE_WRITE
               : access == MMU_INST_FETCH ? PAGE_EXEC : PAGE_READ;
    if (!(p & need)) {
        return fault(f, ARM_FAULT_PERMISSION, level);
    }
    res->pa = out;
    res->prot = p;
    res->page_size = 1ull << block_shift;
    res->attrindx = (desc >> 2) & 7;
    res->sh = (desc >> 8) & 3;
    return true;
}

static void note_large_page(CPUARMState *env, uint64_t va, uint64_t size)
{
    uint64_t mask = ~(size - 1);
    if (env->tlb_lp_mask == 0) {
        env->tlb_lp_addr = va & mask;
        env->tlb_lp_mask = mask;
        return;
    }
    uint64_t lp_mask = env->tlb_lp_mask & mask;
    while ((env->tlb_lp_addr ^ va) & lp_mask) {
        lp_mask <<= 1;
    }
    env->tlb_lp_mask = lp_mask;
    env->tlb_lp_addr &= lp_mask;
}

static _Noreturn void raise_mmu_fault(CPUARMState *env, uint64_t vaddr, MMUAccessType access,
                                      const ARMMMUFault *f, uintptr_t ra)
{
    bool same = arm_current_el(env) == 1;
    uint32_t fsc = arm_fault_status(f);
    env->exception.vaddress = vaddr;
    if (access == MMU_INST_FETCH) {
        arm_raise_exception(env, ARM_EXCP_PREFETCH,
                            syn_make(same ? EC_INSNABORT : EC_INSNABORT_LOWER, fsc), ra);
    }
    uint32_t iss = fsc | (access == MMU_DATA_STORE ? 1u << 6 : 0) | (f->s1ptw ? 1u << 7 : 0);
    arm_raise_exception(env, ARM_EXCP_DATA,
                        syn_make(same ? EC_DATAABORT : EC_DATAABORT_LOWER, iss), ra);
}

bool arm_cpu_tlb_fill(CPUState *cs, uint64_t vaddr, int size, MMUAccessType access,
                      int mmu_idx, bool probe, uintptr_t ra)
{
    (void)size;
    CPUARMState *env = cpu_env(cs);
    ARMTranslation t;
    ARMMMUFault f;
    if (arm_get_phys_addr(env, vaddr, access, mmu_idx, &t, &f)) {
        if (t.page_size > TARGET_PAGE_SIZE) {
            note_large_page(env, vaddr, t.page_size);
        }
        tlb_set_page(cs, vaddr & TARGET_PAGE_MASK, t.pa & TARGET_PAGE_MASK, t.attrindx, t.prot,
                     mmu_idx);
        return true;
    }
    if (probe) {
        return false;
    }
    log_mask_printf(LOG_MMU, "cpu%d: MMU fault va=%016" PRIx64 " access=%d idx=%d fsc=%02x\n",
                    cs->cpu_index, vaddr, (int)access, mmu_idx, arm_fault_status(&f));
    raise_mmu_fault(env, vaddr, access, &f, ra);
}

void arm_cpu_do_unaligned_access(CPUState *cs, uint64_t vaddr, MMUAccessType access,
                                 int mmu_idx, uintptr_t ra)
{
    (void)mmu_idx;
    ARMMMUFault f = {.type = ARM_FAULT_ALIGNMENT};
    raise_mmu_fault(cpu_env(cs), vaddr, access, &f, ra);
}

void arm_cpu_do_transaction_failed(CPUState *cs, uint64_t paddr, uint64_t vaddr,
                                   MMUAccessType access, int mmu_idx, uintptr_t ra)
{
    /* No RAM or device answers: a synchronous external abort (DFSC 0x10),
     * as QEMU's virt and real interconnects (decode error) report it. */
    (void)paddr, (void)mmu_idx;
    ARMMMUFault f = {.type = ARM_FAULT_EXTERNAL};
    log_mask_printf(LOG_GUEST_ERROR, "cpu%d: external abort at pa=%016" PRIx64 "\n",
                    cs->cpu_index, paddr);
    raise_mmu_fault(cpu_env(cs), vaddr, access, &f, ra);
}

uint64_t arm_address_translate(CPUARMState *env, uint64_t va, bool is_write, int mmu_idx)
{
    ARMTranslation t;
    ARMMMUFault f;
    if (arm_get_phys_addr(env, va, is_write ? MMU_DATA_STORE : MMU_DATA_LOAD, mmu_idx, &t,
                          &f)) {
        /* PAR_EL1 success format (D17.2.113): ATTR[63:56] from MAIR, PA[47:12],
         * bit 11 RES1, NS (bit 9: this is a Non-secure EL1&0 regime), SH[8:7] */
        uint64_t attr = t.device ? 0 : (env->mair_el1 >> (8 * t.attrindx)) & 0xff;
        return attr << 56 | (t.pa & PA_MASK & ~0xfffull) | 1u << 11 | 1u << 9 |
               (uint64_t)t.sh << 7;
    }
    return 1 | (arm_fault_status(&f) << 1) | (f.s1ptw ? 1u << 8 : 0) | (1u << 11);
}

void arm_tlbi_all(CPUARMState *env)
{
    env->tlb_lp_addr = 0;
    env->tlb_lp_mask = 0;
    tlb_flush(env_cpu(env));
}

void arm_tlbi_va(CPUARMState *env, uint64_t va)
{
    if (env->tlb_lp_mask && (va & env->tlb_lp_mask) == env->tlb_lp_addr) {
        arm_tlbi_all(env);
        return;
    }
    tlb_flush_page(env_cpu(env), va);
}

/*
 * The inner-shareable TLBI forms reach every core (D8.13): the others flush
 * all their EL1&0 translations (their block-mapping tracking is their own)
 * and this core waits until they have, so the DSB ISH that follows in the
 * guest really orders the maintenance (coremu/core.c).
 */
static void tlbi_broadcast(CPUState *cs)
{
    if (cs->machine && cs->coremu) {
        coremu_tlb_flush_others_synced(cs, COREMU_FLUSH_ALL, (1u << NB_MMU_MODES) - 1);
    }
}

/* TLBI <op>, Xt (C5.5): key = op1:CRn:CRm:op2; CRm 3 = inner shareable (all cores). */
void helper_tlbi(CPUState *cs, uint32_t key, uint64_t val)
{
    CPUARMState *env = cpu_env(cs);
    int op2 = key & 7, crm = (key >> 3) & 15;
    /* VA[55:12] in Xt[43:0], sign-extended from VA[55] */
    uint64_t va = (uint64_t)(((int64_t)(val << 20)) >> 8);
    switch (op2) {
    case 1: /* VAE1 */
    case 3: /* VAAE1 */
    case 5: /* VALE1 */
    case 7: /* VAALE1 */
        arm_tlbi_va(env, va);
        break;
    default: /* VMALLE1, ASIDE1 and anything else: everything */
        arm_tlbi_all(env);
        break;
    }
    if (crm == 3) {
        tlbi_broadcast(cs);
    }
}

void helper_at(CPUState *cs, uint32_t key, uint64_t va)
{
    CPUARMState *env = cpu_env(cs);
    int op2 = key & 7, crm = (key >> 3) & 15;
    bool is_write = op2 & 1;
    int midx;
    if (crm == 9) { /* S1E1RP/S1E1WP: honour PAN */
        midx = (env->pstate & PSTATE_PAN) ? ARM_MMU_EL1_PAN : ARM_MMU_EL1;
    } else if (op2 >= 2) {
        midx = ARM_MMU_EL0;
    } else {
        midx = ARM_MMU_EL1;
    }
    env->par_el1 = arm_address_translate(env, va, is_write, midx);
}

/*
 * IC IVAU (C5.3.14): invalidate the instruction cache line holding VA to the
 * point of unification, on every core of the inner-shareable domain. Here:
 * every core drops its translations of that line (coremu broadcast). Linux
 * relies on it after writing code (module loading, text patching) and after
 * a DMA'd page becomes executable. A VA that does not translate is ignored.
 */
void helper_ic_ivau(CPUState *cs, uint64_t va)
{
    CPUARMState *env = cpu_env(cs);
    uint64_t line = 4u << (env->ctr & 0xf); /* CTR_EL0.IminLine: log2 words */
    uint64_t pa = probe_paddr(cs, va & ~(line - 1), MMU_DATA_LOAD, arm_mmu_idx(env));
    if (pa != ~0ull && cs->coremu) {
        coremu_tb_invalidate_all(cs, pa, line);
    }
}

void helper_dc_zva(CPUState *cs, uint64_t addr)
{
    CPUARMState *env = cpu_env(cs);
    const uint64_t bs = 4u << (env->dczid & 0xf);
    uintptr_t ra = GETPC();
    int midx = arm_mmu_idx(env);
    addr &= ~(bs - 1);
    void *p = probe_access(cs, addr, (int)bs, MMU_DATA_STORE, midx, false, ra);
    if (p) {
        memset(p, 0, bs);
        return;
    }
    for (uint64_t off = 0; off < bs; off += 8) {
        cpu_st_mmu(cs, addr + off, 0, make_memop_idx(MO_64, (unsigned)midx), ra);
    }
}
