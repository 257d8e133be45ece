/*
 * sysreg.c — AArch64 system registers reachable by MRS/MSR (Arm ARM D17).
 *
 * One table row per register: encoding, who may access it (EL0/EL1, read/
 * write), and either a CPUARMState field or read/write functions. Lookups
 * go through a 64K-entry index keyed by the 16-bit encoding, built once, so
 * both the translator (existence and access checks) and the run-time
 * helpers are O(1). Two families are not rows: the GICv3 CPU interface
 * (ICC_*, forwarded to the board's hook) and the unallocated ID register
 * space op0=3,op1=0,CRn=0,CRm=1..7, which reads as zero (D17.1.3).
 *
 * Writes that change translation (SCTLR, TCR, TTBR*) flush this core's TLB
 * when the value changes: the TLB is not tagged with ASIDs, so a TTBR0 ASID
 * switch must flush.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>

#include "target/arm/cpu.h"

#include "exec/cputlb.h"
#include "reemu/reemu.h"
#include "util/log.h"

#define HELPER_H "target/arm/helper.h"
#include "exec/helper-proto.h"

enum {
    R0 = 1,  /* EL0 read */
    W0 = 2,  /* EL0 write */
    R1 = 4,  /* EL1 read */
    W1 = 8,  /* EL1 write */
    RW1 = R1 | W1,
    RW0 = R0 | W0 | R1 | W1,
};
enum {
    F_NOEXIT = 1, /* a write does not need to end the TB */
    F_IO = 2,     /* reads time or devices */
};

struct ARMSysReg {
    const char *name;
    uint32_t key;
    uint8_t access;
    uint8_t flags;
    int16_t field; /* offset in CPUARMState / 8, or -1 */
    uint64_t (*read)(CPUARMState *env, const ARMSysReg *r, uintptr_t ra);
    void (*write)(CPUARMState *env, const ARMSysReg *r, uint64_t v, uintptr_t ra);
    uint64_t wmask; /* writable bits for field registers (0: all) */
};

#define K(op0, op1, crn, crm, op2) ARM_SYSREG(op0, op1, crn, crm, op2)
#define FLD(f) ((int16_t)(offsetof(CPUARMState, f) / 8))

static uint64_t *field_ptr(CPUARMState *env, const ARMSysReg *r)
{
    return (uint64_t *)env + r->field;
}

/* ---- special registers ---- */

static uint64_t rd_zero(CPUARMState *env, const ARMSysReg *r, uintptr_t ra)
{
    (void)env, (void)r, (void)ra;
    return 0;
}

static void wr_ignore(CPUARMState *env, const ARMSysReg *r, uint64_t v, uintptr_t ra)
{
    (void)env, (void)r, (void)v, (void)ra;
}

static uint64_t rd_daif(CPUARMState *env, const ARMSysReg *r, uintptr_t ra)
{
    (void)r, (void)ra;
    return env->pstate & PSTATE_DAIF;
}

static void wr_daif(CPUARMState *env, const ARMSysReg *r, uint64_t v, uintptr_t ra)
{
    (void)r, (void)ra;
    env->pstate = (env->pstate & ~PSTATE_DAIF) | ((uint32_t)v & PSTATE_DAIF);
}

static uint64_t rd_nzcv(CPUARMState *env, const ARMSysReg *r, uintptr_t ra)
{
    (void)r, (void)ra;
    return nzcv_read(env);
}

static void wr_nzcv(CPUARMState *env, const ARMSysReg *r, uint64_t v, uintptr_t ra)
{
    (void)r, (void)ra;
    nzcv_write(env, (uint32_t)v);
}

static uint64_t rd_currentel(CPUARMState *env, const ARMSysReg *r, uintptr_t ra)
{
    (void)r, (void)ra;
    return env->pstate & PSTATE_EL_MASK;
}

static uint64_t rd_spsel(CPUARMState *env, const ARMSysReg *r, uintptr_t ra)
{
    (void)r, (void)ra;
    return env->pstate & PSTATE_SP;
}

static void wr_spsel(CPUARMState *env, const ARMSysReg *r, uint64_t v, uintptr_t ra)
{
    (void)r, (void)ra;
    arm_sp_save(env);
    env->pstate = (env->pstate & ~PSTATE_SP) | (v & 1);
    arm_sp_load(env);
    arm_rebuild_hflags(env);
}

static uint64_t rd_pan(CPUARMState *env, const ARMSysReg *r, uintptr_t ra)
{
    (void)r, (void)ra;
    return env->pstate & PSTATE_PAN;
}

static void wr_pan(CPUARMState *env, const ARMSysReg *r, uint64_t v, uintptr_t ra)
{
    (void)r, (void)ra;
    env->pstate = (env->pstate & ~PSTATE_PAN) | ((uint32_t)v & PSTATE_PAN);
    arm_rebuild_hflags(env);
}

/* SP_EL0 is accessible only while SP_EL0 is not the current stack (D17.2.126) */
static uint64_t rd_sp_el0(CPUARMState *env, const ARMSysReg *r, uintptr_t ra)
{
    (void)r;
    if (!(env->pstate & PSTATE_SP)) {
        arm_raise_exception(env, ARM_EXCP_UDEF, syn_make(EC_UNCATEGORIZED, 0), ra);
    }
    return env->sp_el[0];
}

static void wr_sp_el0(CPUARMState *env, const ARMSysReg *r, uint64_t v, uintptr_t ra)
{
    (void)r;
    if (!(env->pstate & PSTATE_SP)) {
        arm_raise_exception(env, ARM_EXCP_UDEF, syn_make(EC_UNCATEGORIZED, 0), ra);
    }
    env->sp_el[0] = v;
}

static uint64_t rd_fpcr(CPUARMState *env, const ARMSysReg *r, uintptr_t ra)
{
    (void)r, (void)ra;
    return env->fpcr;
}

static void wr_fpcr(CPUARMState *env, const ARMSysReg *r, uint64_t v, uintptr_t ra)
{
    (void)r, (void)ra;
    /* AHP DN FZ RMode Stride Len; no FP16 (FZ16) and no trapped exceptions */
    env->fpcr = (uint32_t)v & 0x07f70000u;
}

static uint64_t rd_fpsr(CPUARMState *env, const ARMSysReg *r, uintptr_t ra)
{
    (void)r, (void)ra;
    return env->fpsr;
}

static void wr_fpsr(CPUARMState *env, const ARMSysReg *r, uint64_t v, uintptr_t ra)
{
    (void)r, (void)ra;
    env->fpsr = (uint32_t)v & 0xf800009fu;
}

static uint64_t rd_isr(CPUARMState *env, const ARMSysReg *r, uintptr_t ra)
{
    (void)r, (void)ra;
    uint32_t req = __atomic_load_n(&env_cpu(env)->interrupt_request, __ATOMIC_ACQUIRE);
    uint64_t v = 0;
    if (req & CPU_INTERRUPT_HARD) {
        v |= 1 << 7;
    }
    if (req & CPU_INTERRUPT_FIQ) {
        v |= 1 << 6;
    }
    if (req & CPU_INTERRUPT_SERROR) {
        v |= 1 << 8;
    }
    return v;
}

static uint64_t rd_dczid(CPUARMState *env, const ARMSysReg *r, uintptr_t ra)
{
    (void)r, (void)ra;
    uint64_t v = env->dczid;
    if (arm_current_el(env) == 0 && !(env->sctlr_el1 & SCTLR_DZE)) {
        v |= 1 << 4; /* DZP: DC ZVA prohibited */
    }
    return v;
}

static uint64_t rd_ccsidr(CPUARMState *env, const ARMSysReg *r, uintptr_t ra)
{
    (void)r, (void)ra;
    return env->ccsidr;
}

static void wr_mmu(CPUARMState *env, const ARMSysReg *r, uint64_t v, uintptr_t ra)
{
    (void)ra;
    uint64_t *p = field_ptr(env, r);
    if (*p != v) {
        *p = v;
        tlb_flush(env_cpu(env));
    }
}

static void wr_sctlr(CPUARMState *env, const ARMSysReg *r, uint64_t v, uintptr_t ra)
{
    (void)r, (void)ra;
    v |= 0x30d00800ull; /* RES1 */
    if (v != env->sctlr_el1) {
        env->sctlr_el1 = v;
        arm_rebuild_hflags(env);
        tlb_flush(env_cpu(env));
    }
}

static void wr_cpacr(CPUARMState *env, const ARMSysReg *r, uint64_t v, uintptr_t ra)
{
    (void)r, (void)ra;
    env->cpacr_el1 = v & (3ull << 20); /* FPEN; ZEN/TTA not implemented */
    arm_rebuild_hflags(env);
}

/* ---- generic timer: EL0 access gated by CNTKCTL_EL1 (D11.2) ---- */

static void timer_el0_check(CPUARMState *env, int bit, uint32_t key, bool is_read,
                            uintptr_t ra)
{
    if (arm_current_el(env) == 0 && !(env->cntkctl_el1 & (1u << bit))) {
        /* EC 0x18: MSR/MRS trap, ISS = op0 op2 op1 CRn Rt(0) CRm dir */
        uint32_t op0 = key >> 14, op1 = (key >> 11) & 7, crn = (key >> 7) & 15;
        uint32_t crm = (key >> 3) & 15, op2 = key & 7;
        uint32_t iss = op0 << 20 | op2 << 17 | op1 << 14 | crn << 10 | crm << 1 | is_read;
        arm_raise_exception(env, ARM_EXCP_UDEF, syn_make(EC_SYSREG, iss), ra);
    }
}

static uint64_t rd_cntfrq(CPUARMState *env, const ARMSysReg *r, uintptr_t ra)
{
    timer_el0_check(env, 0, r->key, true, ra); /* EL0PCTEN or EL0VCTEN; Linux sets VCT */
    return arm_cpu_counter_freq();
}

static uint64_t rd_cntpct(CPUARMState *env, const ARMSysReg *r, uintptr_t ra)
{
    timer_el0_check(env, 0, r->key, true, ra);
    return arm_cpu_counter_now();
}

static uint64_t rd_cntvct(CPUARMState *env, const ARMSysReg *r, uintptr_t ra)
{
    timer_el0_check(env, 1, r->key, true, ra);
    return arm_cpu_counter_now(); /* CNTVOFF = 0 */
}

static int timer_of(const ARMSysReg *r)
{
    return ((r->key >> 3) & 15) == 2 ? ARM_TIMER_PHYS : ARM_TIMER_VIRT;
}

static int timer_el0_bit(const ARMSysReg *r)
{
    return timer_of(r) == ARM_TIMER_PHYS ? 9 : 8; /* EL0PTEN / EL0VTEN */
}

static uint64_t rd_tval(CPUARMState *env, const ARMSysReg *r, uintptr_t ra)
{
    timer_el0_check(env, timer_el0_bit(r), r->key, true, ra);
    int64_t d = (int64_t)(env->timer[timer_of(r)].cval - arm_cpu_counter_now());
    return (uint64_t)(uint32_t)d;
}

static void wr_tval(CPUARMState *env, const ARMSysReg *r, uint64_t v, uintptr_t ra)
{
    timer_el0_check(env, timer_el0_bit(r), r->key, false, ra);
    arm_timer_write_cval(env, timer_of(r), arm_cpu_counter_now() + (int64_t)(int32_t)v);
}

static uint64_t rd_tctl(CPUARMState *env, const ARMSysReg *r, uintptr_t ra)
{
    timer_el0_check(env, timer_el0_bit(r), r->key, true, ra);
    return arm_timer_read_ctl(env, timer_of(r));
}

static void wr_tctl(CPUARMState *env, const ARMSysReg *r, uint64_t v, uintptr_t ra)
{
    timer_el0_check(env, timer_el0_bit(r), r->key, false, ra);
    arm_timer_write_ctl(env, timer_of(r), (uint32_t)v);
}

static uint64_t rd_cval(CPUARMState *env, const ARMSysReg *r, uintptr_t ra)
{
    timer_el0_check(env, timer_el0_bit(r), r->key, true, ra);
    return env->timer[timer_of(r)].cval;
}

static void wr_cval(CPUARMState *env, const ARMSysReg *r, uint64_t v, uintptr_t ra)
{
    timer_el0_check(env, timer_el0_bit(r), r->key, false, ra);
    arm_timer_write_cval(env, timer_of(r), v);
}

static void wr_pmcr(CPUARMState *env, const ARMSysReg *r, uint64_t v, uintptr_t ra)
{
    (void)r, (void)ra;
    env->pmcr_el0 = (env->pmcr_el0 & ~0x7full) | (v & 0x79); /* E P C D X DP LC; P/C self-clear */
}

#define REG(n, k, acc, fld) {n, k, acc, F_NOEXIT, FLD(fld), NULL, NULL, 0}
#define CONST(n, k, acc, fld) {n, k, acc, F_NOEXIT, FLD(fld), NULL, NULL, 0}
#define FN(n, k, acc, fl, rd, wr) {n, k, acc, fl, -1, rd, wr, 0}
#define FNF(n, k, acc, fl, fld, wr) {n, k, acc, fl, FLD(fld), NULL, wr, 0}
#define RAZ(n, k, acc) {n, k, acc, F_NOEXIT, -1, rd_zero, wr_ignore, 0}

static const ARMSysReg sysregs[] = {
    /* identification (read-only) */
    CONST("MIDR_EL1", K(3, 0, 0, 0, 0), R1, midr),
    CONST("MPIDR_EL1", K(3, 0, 0, 0, 5), R1, mpidr),
    CONST("REVIDR_EL1", K(3, 0, 0, 0, 6), R1, revidr),
    CONST("ID_AA64PFR0_EL1", K(3, 0, 0, 4, 0), R1, id_aa64pfr0),
    CONST("ID_AA64PFR1_EL1", K(3, 0, 0, 4, 1), R1, id_aa64pfr1),
    CONST("ID_AA64DFR0_EL1", K(3, 0, 0, 5, 0), R1, id_aa64dfr0),
    CONST("ID_AA64ISAR0_EL1", K(3, 0, 0, 6, 0), R1, id_aa64isar0),
    CONST("ID_AA64ISAR1_EL1", K(3, 0, 0, 6, 1), R1, id_aa64isar1),
    CONST("ID_AA64MMFR0_EL1", K(3, 0, 0, 7, 0), R1, id_aa64mmfr0),
    CONST("ID_AA64MMFR1_EL1", K(3, 0, 0, 7, 1), R1, id_aa64mmfr1),
    CONST("ID_AA64MMFR2_EL1", K(3, 0, 0, 7, 2), R1, id_aa64mmfr2),
    FN("CCSIDR_EL1", K(3, 1, 0, 0, 0), R1, F_NOEXIT, rd_ccsidr, NULL),
    CONST("CLIDR_EL1", K(3, 1, 0, 0, 1), R1, clidr),
    RAZ("AIDR_EL1", K(3, 1, 0, 0, 7), R1),
    REG("CSSELR_EL1", K(3, 2, 0, 0, 0), RW1, csselr),
    CONST("CTR_EL0", K(3, 3, 0, 0, 1), R0 | R1, ctr),
    FN("DCZID_EL0", K(3, 3, 0, 0, 7), R0 | R1, F_NOEXIT, rd_dczid, NULL),

    /* system control */
    FNF("SCTLR_EL1", K(3, 0, 1, 0, 0), RW1, 0, sctlr_el1, wr_sctlr),
    REG("ACTLR_EL1", K(3, 0, 1, 0, 1), RW1, actlr_el1),
    FNF("CPACR_EL1", K(3, 0, 1, 0, 2), RW1, 0, cpacr_el1, wr_cpacr),
    FNF("TTBR0_EL1", K(3, 0, 2, 0, 0), RW1, 0, ttbr0_el1, wr_mmu),
    FNF("TTBR1_EL1", K(3, 0, 2, 0, 1), RW1, 0, ttbr1_el1, wr_mmu),
    FNF("TCR_EL1", K(3, 0, 2, 0, 2), RW1, 0, tcr_el1, wr_mmu),
    REG("SPSR_EL1", K(3, 0, 4, 0, 0), RW1, spsr_el1),
    REG("ELR_EL1", K(3, 0, 4, 0, 1), RW1, elr_el1),
    FN("SP_EL0", K(3, 0, 4, 1, 0), RW1, F_NOEXIT, rd_sp_el0, wr_sp_el0),
    FN("SPSel", K(3, 0, 4, 2, 0), RW1, 0, rd_spsel, wr_spsel),
    FN("CurrentEL", K(3, 0, 4, 2, 2), R1, F_NOEXIT, rd_currentel, NULL),
    FN("PAN", K(3, 0, 4, 2, 3), RW1, 0, rd_pan, wr_pan), /* max only: see find */
    FN("NZCV", K(3, 3, 4, 2, 0), RW0, F_NOEXIT, rd_nzcv, wr_nzcv),
    FN("DAIF", K(3, 3, 4, 2, 1), RW1, 0, rd_daif, wr_daif),
    FN("FPCR", K(3, 3, 4, 4, 0), RW0, F_NOEXIT, rd_fpcr, wr_fpcr),
    FN("FPSR", K(3, 3, 4, 4, 1), RW0, F_NOEXIT, rd_fpsr, wr_fpsr),
    REG("AFSR0_EL1", K(3, 0, 5, 1, 0), RW1, afsr0_el1),
    REG("AFSR1_EL1", K(3, 0, 5, 1, 1), RW1, afsr1_el1),
    REG("ESR_EL1", K(3, 0, 5, 2, 0), RW1, esr_el1),
    REG("FAR_EL1", K(3, 0, 6, 0, 0), RW1, far_el1),
    REG("PAR_EL1", K(3, 0, 7, 4, 0), RW1, par_el1),
    REG("MAIR_EL1", K(3, 0, 10, 2, 0), RW1, mair_el1),
    RAZ("AMAIR_EL1", K(3, 0, 10, 3, 0), RW1), /* IMPLEMENTATION DEFINED: RAZ/WI, as QEMU */
    REG("VBAR_EL1", K(3, 0, 12, 0, 0), RW1, vbar_el1),
    RAZ("RVBAR_EL1", K(3, 0, 12, 0, 1), R1),
    FN("ISR_EL1", K(3, 0, 12, 1, 0), R1, F_NOEXIT | F_IO, rd_isr, NULL),
    REG("CONTEXTIDR_EL1", K(3, 0, 13, 0, 1), RW1, contextidr_el1),
    REG("TPIDR_EL1", K(3, 0, 13, 0, 4), RW1, tpidr_el1),
    REG("TPIDR_EL0", K(3, 3, 13, 0, 2), RW0, tpidr_el0),
    REG("TPIDRRO_EL0", K(3, 3, 13, 0, 3), R0 | RW1, tpidrro_el0),

    /* generic timer */
    FN("CNTFRQ_EL0", K(3, 3, 14, 0, 0), R0 | R1, F_NOEXIT, rd_cntfrq, NULL),
    FN("CNTPCT_EL0", K(3, 3, 14, 0, 1), R0 | R1, F_NOEXIT | F_IO, rd_cntpct, NULL),
    FN("CNTVCT_EL0", K(3, 3, 14, 0, 2), R0 | R1, F_NOEXIT | F_IO, rd_cntvct, NULL),
    REG("CNTKCTL_EL1", K(3, 0, 14, 1, 0), RW1, cntkctl_el1),
    FN("CNTP_TVAL_EL0", K(3, 3, 14, 2, 0), RW0, F_IO, rd_tval, wr_tval),
    FN("CNTP_CTL_EL0", K(3, 3, 14, 2, 1), RW0, F_IO, rd_tctl, wr_tctl),
    FN("CNTP_CVAL_EL0", K(3, 3, 14, 2, 2), RW0, F_IO, rd_cval, wr_cval),
    FN("CNTV_TVAL_EL0", K(3, 3, 14, 3, 0), RW0, F_IO, rd_tval, wr_tval),
    FN("CNTV_CTL_EL0", K(3, 3, 14, 3, 1), RW0, F_IO, rd_tctl, wr_tctl),
    FN("CNTV_CVAL_EL0", K(3, 3, 14, 3, 2), RW0, F_IO, rd_cval, wr_cval),

    /* debug: enough for Linux to probe and reset it (no debug events) */
    REG("MDSCR_EL1", K(2, 0, 0, 2, 2), RW1, mdscr_el1),
    REG("MDCCINT_EL1", K(2, 0, 0, 2, 0), RW1, mdccint_el1),
    RAZ("MDCCSR_EL0", K(2, 3, 0, 1, 0), R0 | R1),
    RAZ("MDRAR_EL1", K(2, 0, 1, 0, 0), R1),
    RAZ("OSLAR_EL1", K(2, 0, 1, 0, 4), W1),
    CONST("OSLSR_EL1", K(2, 0, 1, 1, 4), R1, oslsr_el1),
    REG("OSDLR_EL1", K(2, 0, 1, 3, 4), RW1, osdlr_el1),
    RAZ("DBGPRCR_EL1", K(2, 0, 1, 4, 4), RW1),
    RAZ("DBGCLAIMSET_EL1", K(2, 0, 7, 8, 6), RW1),
    RAZ("DBGCLAIMCLR_EL1", K(2, 0, 7, 9, 6), RW1),
    RAZ("DBGAUTHSTATUS_EL1", K(2, 0, 7, 14, 6), R1),
    RAZ("DBGBVR0_EL1", K(2, 0, 0, 0, 4), RW1),
    RAZ("DBGBCR0_EL1", K(2, 0, 0, 0, 5), RW1),
    RAZ("DBGWVR0_EL1", K(2, 0, 0, 0, 6), RW1),
    RAZ("DBGWCR0_EL1", K(2, 0, 0, 0, 7), RW1),
    RAZ("DBGBVR1_EL1", K(2, 0, 0, 1, 4), RW1),
    RAZ("DBGBCR1_EL1", K(2, 0, 0, 1, 5), RW1),
    RAZ("DBGWVR1_EL1", K(2, 0, 0, 1, 6), RW1),
    RAZ("DBGWCR1_EL1", K(2, 0, 0, 1, 7), RW1),

    /* PMU: PMUVer = 0 in ID_AA64DFR0, but the registers answer quietly */
    FNF("PMCR_EL0", K(3, 3, 9, 12, 0), RW1, F_NOEXIT, pmcr_el0, wr_pmcr),
    RAZ("PMCNTENSET_EL0", K(3, 3, 9, 12, 1), RW1),
    RAZ("PMCNTENCLR_EL0", K(3, 3, 9, 12, 2), RW1),
    RAZ("PMOVSCLR_EL0", K(3, 3, 9, 12, 3), RW1),
    RAZ("PMSWINC_EL0", K(3, 3, 9, 12, 4), W1),
    RAZ("PMSELR_EL0", K(3, 3, 9, 12, 5), RW1),
    RAZ("PMCEID0_EL0", K(3, 3, 9, 12, 6), R1),
    RAZ("PMCEID1_EL0", K(3, 3, 9, 12, 7), R1),
    RAZ("PMCCNTR_EL0", K(3, 3, 9, 13, 0), RW1),
    RAZ("PMXEVTYPER_EL0", K(3, 3, 9, 13, 1), RW1),
    RAZ("PMXEVCNTR_EL0", K(3, 3, 9, 13, 2), RW1),
    RAZ("PMUSERENR_EL0", K(3, 3, 9, 14, 0), R0 | RW1),
    RAZ("PMINTENSET_EL1", K(3, 0, 9, 14, 1), RW1),
    RAZ("PMINTENCLR_EL1", K(3, 0, 9, 14, 2), RW1),
    RAZ("PMOVSSET_EL0", K(3, 3, 9, 14, 3), RW1),
    RAZ("PMCCFILTR_EL0", K(3, 3, 14, 15, 7), RW1),
};

#define NSYSREGS (sizeof(sysregs) / sizeof(sysregs[0]))

/* the two dynamic families */
static const ARMSysReg gic_reg = {"ICC_*", 0, RW1, 0, -1, NULL, NULL, 0};
static const ARMSysReg id_raz_reg = {"ID (RAZ)", 0, R1, F_NOEXIT, -1, rd_zero, NULL, 0};

static uint16_t *sysreg_index; /* key -> row + 1 */
static pthread_once_t sysreg_once = PTHREAD_ONCE_INIT;

static void sysreg_build_index(void)
{
    sysreg_index = calloc(1u << 16, sizeof(uint16_t));
    if (!sysreg_index) {
        fatal("out of memory");
    }
    for (size_t i = 0; i < NSYSREGS; i++) {
        sysreg_index[sysregs[i].key] = (uint16_t)(i + 1);
    }
}

static bool is_gic_key(uint32_t key)
{
    uint32_t op0 = key >> 14, op1 = (key >> 11) & 7, crn = (key >> 7) & 15;
    uint32_t crm = (key >> 3) & 15;
    if (key == ARM_SYSREG(3, 0, 4, 6, 0)) {
        return true; /* ICC_PMR_EL1 */
    }
    /* ICC_* at EL1: op0=3, CRn=12, op1=0 (CRm 8..12), op1=1/2 for ASGI1R/SGI0R */
    return op0 == 3 && crn == 12 && op1 <= 2 && crm >= 8;
}

const ARMSysReg *arm_sysreg_find(uint32_t key)
{
    pthread_once(&sysreg_once, sysreg_build_index);
    key &= 0xffff;
    uint16_t i = sysreg_index[key];
    if (i) {
        return &sysregs[i - 1];
    }
    if (is_gic_key(key)) {
        return &gic_reg;
    }
    if ((key >> 14) == 3 && ((key >> 11) & 7) == 0 && ((key >> 7) & 15) == 0) {
        uint32_t crm = (key >> 3) & 15;
        if (crm >= 1 && crm <= 7) {
            return &id_raz_reg;
        }
    }
    return NULL;
}

bool arm_sysreg_access_ok(const ARMSysReg *r, int el, bool is_read)
{
    int need = el == 0 ? (is_read ? R0 : W0) : (is_read ? R1 : W1);
    return (r->access & need) != 0;
}

bool arm_sysreg_ends_tb(const ARMSysReg *r, bool is_read)
{
    return !is_read && !(r->flags & F_NOEXIT);
}

bool arm_sysreg_is_io(const ARMSysReg *r)
{
    return (r->flags & F_IO) != 0;
}

intptr_t arm_sysreg_plain_field(const ARMSysReg *r, bool is_read)
{
    /* reads of a field have no side effects; writes must not need a TB exit */
    if (r->field < 0 || (!is_read && !(r->flags & F_NOEXIT))) {
        return -1;
    }
    if (is_read ? r->read != NULL : r->write != NULL) {
        return -1;
    }
    return (intptr_t)r->field * 8;
}

static _Noreturn void sysreg_undef(CPUARMState *env, uintptr_t ra)
{
    arm_raise_exception(env, ARM_EXCP_UDEF, syn_make(EC_UNCATEGORIZED, 0), ra);
}

uint64_t arm_sysreg_read(CPUARMState *env, uint32_t key, uintptr_t ra)
{
    const ARMSysReg *r = arm_sysreg_find(key);
    if (!r) {
        sysreg_undef(env, ra);
    }
    if (r == &gic_reg) {
        ARMCPU *cpu = (ARMCPU *)env_cpu(env);
        uint64_t v = 0;
        if (!cpu->has_gic || !cpu->gic.read(cpu->gic.opaque, env_cpu(env), key, &v)) {
            sysreg_undef(env, ra);
        }
        return v;
    }
    if (key == K(3, 0, 4, 2, 3) && !env->has_pan) {
        sysreg_undef(env, ra);
    }
    if (r->read) {
        return r->read(env, r, ra);
    }
    if (r->field < 0) {
        return 0;
    }
    return *field_ptr(env, r);
}

void arm_sysreg_write(CPUARMState *env, uint32_t key, uint64_t val, uintptr_t ra)
{
    const ARMSysReg *r = arm_sysreg_find(key);
    if (!r) {
        sysreg_undef(env, ra);
    }
    if (r == &gic_reg) {
        ARMCPU *cpu = (ARMCPU *)env_cpu(env);
        if (!cpu->has_gic || !cpu->gic.write(cpu->gic.opaque, env_cpu(env), key, val)) {
            sysreg_undef(env, ra);
        }
        return;
    }
    if (key == K(3, 0, 4, 2, 3) && !env->has_pan) {
        sysreg_undef(env, ra);
    }
    if (r->write) {
        r->write(env, r, val, ra);
        return;
    }
    if (r->field < 0) {
        return;
    }
    *field_ptr(env, r) = val;
}

/* reemu: the real read of a register whose value record/replay logs */
static uint64_t sysreg_read_io(CPUState *cs, uint32_t key, uintptr_t ra)
{
    return arm_sysreg_read(cpu_env(cs), key, ra);
}

uint64_t helper_mrs(CPUState *cs, uint32_t key)
{
    uintptr_t ra = GETPC();
    if (__builtin_expect(reemu_mode, 0)) {
        /* record/replay (reemu/reemu.c): time, timers and the GIC CPU interface
         * are inputs: logged, and in replay answered from the log */
        const ARMSysReg *r = arm_sysreg_find(key);
        if (r && (r == &gic_reg || (r->flags & F_IO))) {
            return reemu_io_reg_read(cs, key, ra, sysreg_read_io);
        }
    }
    return arm_sysreg_read(cpu_env(cs), key, ra);
}

void helper_msr(CPUState *cs, uint32_t key, uint64_t val)
{
    arm_sysreg_write(cpu_env(cs), key, val, GETPC());
}

