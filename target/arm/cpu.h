/*
 * cpu.h — AArch64 CPU state for coremu (EL0 and EL1, AArch64 only).
 *
 * Design:
 *  - ARMCPU embeds CPUState first; generated code addresses every guest
 *    register as env + offsetof(ARMCPU, env.field) (see cpu_tcg_init()).
 *  - General registers: x[0..30]; `sp` is the stack pointer of the CURRENT
 *    regime (SP_EL0 or SP_EL1 as selected by PSTATE.SP/EL). The banked
 *    copies live in sp_el[]; the inactive one is authoritative, the active
 *    one is stale until arm_swap_sp() runs (on EL/SPSel change).
 *  - NZCV is split, QEMU-style, for cheap flag computation in generated code:
 *        N = NF bit 31,   Z = (ZF == 0),   C = CF (0 or 1),   V = VF bit 31.
 *    All four are 32-bit words. pstate holds the other PSTATE bits in their
 *    SPSR positions (D A I F at 9..6, EL at 3..2, SP at 0, PAN at 22); its
 *    NZCV bits are always zero. pstate_read()/pstate_write() combine them.
 *  - Exceptions raised by helpers set env->exception and cpu->exception_index
 *    (one of ARM_EXCP_*), then leave through cpu_loop_exit_restore();
 *    arm_cpu_do_interrupt() performs the entry (Arm ARM D1.10).
 *  - mmu_idx: 0 = EL0 regime, 1 = EL1, 2 = EL1 with PSTATE.PAN set.
 */
#ifndef TARGET_ARM_CPU_H
#define TARGET_ARM_CPU_H

#include <stdbool.h>
#include <stdint.h>

#include "exec/cpu.h"
#include "system/machine.h"
#include "target/arm/cpu-hooks.h"

/* --- exception_index values (target-defined guest exceptions) --- */
enum {
    ARM_EXCP_UDEF = 1,      /* UNDEFINED instruction, and traps with a syndrome */
    ARM_EXCP_SWI = 2,       /* SVC */
    ARM_EXCP_PREFETCH = 3,  /* instruction abort (incl. PC alignment) */
    ARM_EXCP_DATA = 4,      /* data abort (incl. alignment, SP alignment) */
    ARM_EXCP_IRQ = 5,
    ARM_EXCP_FIQ = 6,
    ARM_EXCP_BKPT = 7,      /* BRK */
    ARM_EXCP_HVC = 8,
    ARM_EXCP_SMC = 9,
    ARM_EXCP_SERROR = 10,
};

/* mmu indexes */
enum { ARM_MMU_EL0 = 0, ARM_MMU_EL1 = 1, ARM_MMU_EL1_PAN = 2 };

/* PSTATE bits (SPSR layout, Arm ARM C5.2.18) */
#define PSTATE_SP (1u << 0)
#define PSTATE_EL_SHIFT 2
#define PSTATE_EL_MASK (3u << 2)
#define PSTATE_F (1u << 6)
#define PSTATE_I (1u << 7)
#define PSTATE_A (1u << 8)
#define PSTATE_D (1u << 9)
#define PSTATE_DAIF (PSTATE_D | PSTATE_A | PSTATE_I | PSTATE_F)
#define PSTATE_IL (1u << 20)
#define PSTATE_SS (1u << 21)
#define PSTATE_PAN (1u << 22)
#define PSTATE_UAO (1u << 23)
#define PSTATE_V (1u << 28)
#define PSTATE_C (1u << 29)
#define PSTATE_Z (1u << 30)
#define PSTATE_N (1u << 31)
#define PSTATE_NZCV (0xfu << 28)

/* SCTLR_EL1 bits we act on */
#define SCTLR_M (1ull << 0)
#define SCTLR_A (1ull << 1)
#define SCTLR_SA (1ull << 3)
#define SCTLR_SA0 (1ull << 4)
#define SCTLR_UMA (1ull << 9)
#define SCTLR_DZE (1ull << 14)
#define SCTLR_UCT (1ull << 15)
#define SCTLR_UCI (1ull << 26)
#define SCTLR_WXN (1ull << 19)
#define SCTLR_SPAN (1ull << 23)

/* ESR exception classes (Arm ARM D17.2.37) */
enum {
    EC_UNCATEGORIZED = 0x00,
    EC_WFX = 0x01,
    EC_FPACCESS = 0x07,
    EC_ILLEGALSTATE = 0x0e,
    EC_SVC = 0x15,
    EC_HVC = 0x16,
    EC_SMC = 0x17,
    EC_SYSREG = 0x18,
    EC_INSNABORT_LOWER = 0x20,
    EC_INSNABORT = 0x21,
    EC_PCALIGN = 0x22,
    EC_DATAABORT_LOWER = 0x24,
    EC_DATAABORT = 0x25,
    EC_SPALIGN = 0x26,
    EC_FPEXC = 0x2c,
    EC_SERROR = 0x2f,
    EC_BRK = 0x3c,
};
#define ESR_IL (1u << 25)
static inline uint32_t syn_make(uint32_t ec, uint32_t iss)
{
    return (ec << 26) | ESR_IL | (iss & 0x1ffffff);
}

/* Generic timer state of one timer (Arm ARM D11) */
typedef struct ARMGenericTimer {
    uint64_t cval;
    uint32_t ctl; /* bit0 ENABLE, bit1 IMASK, bit2 ISTATUS (computed on read) */
    int level;    /* last level driven on the output line */
    IRQLine line;
} ARMGenericTimer;

typedef struct CPUARMState {
    /* ---- TCG globals (hot) ---- */
    uint64_t x[31];
    uint64_t sp;  /* current SP */
    uint64_t pc;
    uint32_t NF, ZF, CF, VF;
    uint32_t pstate; /* PSTATE without NZCV */
    uint32_t hflags; /* cached TB flags: arm_rebuild_hflags() after any input changes */

    /* exclusive monitor: addr == -1 when open (no reservation) */
    uint64_t excl_addr;
    uint64_t excl_val;
    uint64_t excl_val2; /* high half of a 64-bit pair */
    uint32_t excl_size; /* log2 bytes of the access (pair: of one element) */
    uint32_t pad1;

    /* FP/AdvSIMD: little-endian 128-bit registers, [0] is the low half */
    uint64_t v[32][2] __attribute__((aligned(16)));
    uint32_t fpcr, fpsr;

    uint64_t sp_el[2]; /* banked SP_EL0, SP_EL1 */

    /* ---- EL1/EL0 system registers ---- */
    uint64_t sctlr_el1, actlr_el1, cpacr_el1;
    uint64_t tcr_el1, ttbr0_el1, ttbr1_el1, mair_el1, amair_el1;
    uint64_t vbar_el1, esr_el1, far_el1, elr_el1, spsr_el1, par_el1;
    uint64_t afsr0_el1, afsr1_el1;
    uint64_t contextidr_el1, tpidr_el0, tpidrro_el0, tpidr_el1;
    uint64_t mdscr_el1, oslsr_el1, osdlr_el1, mdccint_el1;
    uint64_t cntkctl_el1;
    uint64_t pmcr_el0, pmcntenset, pmintenset, pmovsset, pmuserenr, pmselr, pmccfiltr;
    uint64_t pmccntr;
    uint64_t disr_el1;
    ARMGenericTimer timer[ARM_NB_TIMERS];

    /* ---- read-only identification (per model) ---- */
    uint64_t midr, mpidr, revidr;
    uint64_t id_aa64pfr0, id_aa64pfr1, id_aa64dfr0, id_aa64isar0, id_aa64isar1;
    uint64_t id_aa64mmfr0, id_aa64mmfr1, id_aa64mmfr2;
    uint64_t ctr, dczid, clidr, ccsidr;
    uint64_t csselr;
    bool has_pan, has_lse, has_crc32, has_crypto;

    /* ---- pending exception (set by helpers, consumed by do_interrupt) ---- */
    struct {
        uint32_t syndrome;
        uint64_t vaddress; /* FAR value for aborts */
        bool far_valid;
    } exception;

    /* large-page tracking for TLBI by VA (see mmu.c) */
    uint64_t tlb_lp_addr, tlb_lp_mask;
} CPUARMState;

typedef struct ARMCPU {
    CPUState parent;
    CPUARMState env;
    /* board hooks (cpu-hooks.h) */
    ARMGicCpuIf gic;
    bool has_gic;
    ARMConduitFn conduit;
    void *conduit_opaque;
    const char *model;
    struct ARMCPU *timer_next; /* list of CPUs the timer thread serves */
} ARMCPU;

static inline ARMCPU *arm_cpu(CPUState *cs)
{
    return (ARMCPU *)cs;
}
static inline CPUARMState *cpu_env(CPUState *cs)
{
    return &((ARMCPU *)cs)->env;
}
static inline CPUState *env_cpu(CPUARMState *env)
{
    return (CPUState *)((char *)env - __builtin_offsetof(ARMCPU, env));
}

extern const CPUClass arm_cpu_class;
extern const char *const arm_cpu_models[];
bool arm_cpu_model_valid(const char *name);

/* TB flags layout */
#define TBF_EL_SHIFT 0      /* 2 bits: current EL */
#define TBF_MMUIDX_SHIFT 2  /* 2 bits */
#define TBF_FPEN (1u << 4)  /* FP/SIMD accessible at this EL */
#define TBF_SS (1u << 5)    /* software step active (unused yet) */
#define TBF_UMA (1u << 6)   /* EL0 may touch DAIF */
#define TBF_SPSEL (1u << 7) /* PSTATE.SP: SP_EL0 is not the current stack */

static inline int arm_current_el(const CPUARMState *env)
{
    return (env->pstate >> PSTATE_EL_SHIFT) & 3;
}

static inline int arm_mmu_idx(const CPUARMState *env)
{
    if (arm_current_el(env) == 0) {
        return ARM_MMU_EL0;
    }
    return (env->pstate & PSTATE_PAN) ? ARM_MMU_EL1_PAN : ARM_MMU_EL1;
}

bool arm_fp_enabled(const CPUARMState *env);

/*
 * The TB flags depend on PSTATE (EL, SP, PAN), CPACR_EL1.FPEN and SCTLR_EL1.UMA.
 * They are cached in env->hflags: every writer of those inputs calls
 * arm_rebuild_hflags() (pstate_write, exception entry, MSR of PSTATE fields,
 * SCTLR/CPACR writes, reset); test-arm-cpu checks the cache stays exact.
 */
static inline uint32_t arm_compute_hflags(const CPUARMState *env)
{
    uint32_t f = (uint32_t)arm_current_el(env) << TBF_EL_SHIFT;
    f |= (uint32_t)arm_mmu_idx(env) << TBF_MMUIDX_SHIFT;
    if (arm_fp_enabled(env)) {
        f |= TBF_FPEN;
    }
    if (env->sctlr_el1 & SCTLR_UMA) {
        f |= TBF_UMA;
    }
    if (env->pstate & PSTATE_SP) {
        f |= TBF_SPSEL;
    }
    return f;
}

static inline void arm_rebuild_hflags(CPUARMState *env)
{
    env->hflags = arm_compute_hflags(env);
}

uint32_t pstate_read(const CPUARMState *env);
void pstate_write(CPUARMState *env, uint32_t val); /* also switches the SP bank */
uint32_t nzcv_read(const CPUARMState *env);
void nzcv_write(CPUARMState *env, uint32_t val);
/* Save the current SP into its bank and load the one PSTATE now selects. */
void arm_sp_save(CPUARMState *env);
void arm_sp_load(CPUARMState *env);

/* helper.c */
void arm_cpu_do_interrupt(CPUState *cs);
bool arm_cpu_exec_interrupt(CPUState *cs, uint32_t interrupt_request);
_Noreturn void arm_raise_exception(CPUARMState *env, int excp, uint32_t syndrome,
                                   uintptr_t ra);

/* sysreg.c */
typedef struct ARMSysReg ARMSysReg;
const ARMSysReg *arm_sysreg_find(uint32_t key);
/* translate-time check: may EL `el` access this register this way? */
bool arm_sysreg_access_ok(const ARMSysReg *r, int el, bool is_read);
bool arm_sysreg_ends_tb(const ARMSysReg *r, bool is_read);
bool arm_sysreg_is_io(const ARMSysReg *r);
/* Offset in CPUARMState of a register that is a plain field with no side
 * effects on read (is_read) or write; -1 otherwise (use the helpers). */
intptr_t arm_sysreg_plain_field(const ARMSysReg *r, bool is_read);
uint64_t arm_sysreg_read(CPUARMState *env, uint32_t key, uintptr_t ra);
void arm_sysreg_write(CPUARMState *env, uint32_t key, uint64_t val, uintptr_t ra);

/* mmu.c */
typedef struct ARMMMUFault {
    int type;  /* ARM_FAULT_* */
    int level;
    bool s1ptw;
} ARMMMUFault;
enum {
    ARM_FAULT_NONE,
    ARM_FAULT_TRANSLATION,
    ARM_FAULT_ACCESS,
    ARM_FAULT_PERMISSION,
    ARM_FAULT_ADDRSIZE,
    ARM_FAULT_ALIGNMENT,
    ARM_FAULT_EXTERNAL,
};
typedef struct ARMTranslation {
    uint64_t pa;
    uint64_t page_size; /* size of the block/page the translation came from */
    int prot;           /* PAGE_* */
    uint8_t attrindx;   /* MAIR index (MMU off: device) */
    uint8_t sh;         /* shareability SH[1:0] */
    bool device;        /* MMU off */
} ARMTranslation;
/* Stage-1 translation of va for access at regime mmu_idx; false on fault. */
bool arm_get_phys_addr(CPUARMState *env, uint64_t va, MMUAccessType access, int mmu_idx,
                       ARMTranslation *res, ARMMMUFault *fault);
bool arm_cpu_tlb_fill(CPUState *cs, uint64_t vaddr, int size, MMUAccessType access,
                      int mmu_idx, bool probe, uintptr_t ra);
void arm_cpu_do_unaligned_access(CPUState *cs, uint64_t vaddr, MMUAccessType access,
                                 int mmu_idx, uintptr_t ra);
void arm_cpu_do_transaction_failed(CPUState *cs, uint64_t paddr, uint64_t vaddr,
                                   MMUAccessType access, int mmu_idx, uintptr_t ra);
uint32_t arm_fault_status(const ARMMMUFault *f); /* DFSC/IFSC */
/* AT S1E1R/W, S1E0R/W: returns the PAR_EL1 value */
uint64_t arm_address_translate(CPUARMState *env, uint64_t va, bool is_write, int mmu_idx);
/* flush for a TLBI by VA (handles block mappings) */
void arm_tlbi_va(CPUARMState *env, uint64_t va);
void arm_tlbi_all(CPUARMState *env);

/* gtimer.c */
uint64_t arm_timer_read_ctl(CPUARMState *env, int t);
void arm_timer_write_ctl(CPUARMState *env, int t, uint32_t val);
void arm_timer_write_cval(CPUARMState *env, int t, uint64_t val);
void arm_timer_register(ARMCPU *cpu);

/* translate-a64.c */
void arm_translate_init(CPUState *cs);
void arm_translate(CPUState *cs, TranslationBlock *tb, int max_insns);
void arm_restore_state(CPUState *cs, const TranslationBlock *tb, const uint64_t *data);

#endif
