/*
 * cpu.c — the AArch64 CPU class: models, reset, TB key, board hooks.
 *
 * Models: "cortex-a57" (ARMv8.0: no PAN, no LSE) and "max" (adds PAN, LSE
 * atomics, CRC32). Only EL0 and EL1 in AArch64 state exist; ID registers say
 * exactly that (ID_AA64PFR0: EL0=EL1=AArch64-only, no EL2/EL3), so Linux
 * enters at EL1 and uses HVC/SMC only as the PSCI conduit (cpu-hooks.h).
 *
 * MPIDR: Aff0 = index % 16, Aff1 = index / 16 (GICv3 target lists hold 16
 * cores per Aff1 cluster); the board must build its device tree and
 * redistributors with the same rule.
 */
#include "target/arm/cpu.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "exec/cputlb.h"
#include "exec/tb.h"
#include "util/log.h"

const char *const arm_cpu_models[] = {"cortex-a57", "max", NULL};

bool arm_cpu_model_valid(const char *name)
{
    for (int i = 0; arm_cpu_models[i]; i++) {
        if (strcmp(arm_cpu_models[i], name) == 0) {
            return true;
        }
    }
    return false;
}

/* ---- PSTATE ---- */

uint32_t nzcv_read(const CPUARMState *env)
{
    return (env->NF & 0x80000000u) | ((env->ZF == 0) << 30) | ((env->CF & 1) << 29) |
           ((env->VF >> 3) & 0x10000000u);
}

void nzcv_write(CPUARMState *env, uint32_t val)
{
    env->NF = val & 0x80000000u;
    env->ZF = !(val & PSTATE_Z);
    env->CF = (val >> 29) & 1;
    env->VF = (val << 3) & 0x80000000u;
}

uint32_t pstate_read(const CPUARMState *env)
{
    return env->pstate | nzcv_read(env);
}

static int sp_bank(const CPUARMState *env)
{
    return (env->pstate & PSTATE_SP) && arm_current_el(env) > 0 ? 1 : 0;
}

void arm_sp_save(CPUARMState *env)
{
    env->sp_el[sp_bank(env)] = env->sp;
}

void arm_sp_load(CPUARMState *env)
{
    env->sp = env->sp_el[sp_bank(env)];
}

void pstate_write(CPUARMState *env, uint32_t val)
{
    arm_sp_save(env);
    nzcv_write(env, val);
    uint32_t keep = PSTATE_SP | PSTATE_EL_MASK | PSTATE_DAIF | PSTATE_SS | PSTATE_IL;
    if (env->has_pan) {
        keep |= PSTATE_PAN;
    }
    env->pstate = val & keep;
    arm_sp_load(env);
    arm_rebuild_hflags(env);
}

bool arm_fp_enabled(const CPUARMState *env)
{
    int fpen = (env->cpacr_el1 >> 20) & 3;
    if (fpen == 3) {
        return true;
    }
    return fpen == 1 && arm_current_el(env) == 1;
}

/* ---- models ---- */

static void set_model(ARMCPU *cpu, const char *model)
{
    CPUARMState *env = &cpu->env;
    bool max = strcmp(model, "max") == 0;
    cpu->model = max ? "max" : "cortex-a57";
    /* MIDR: Arm Ltd, r1p0, Cortex-A57 part 0xd07 (max reports itself as an A57) */
    env->midr = 0x411fd070;
    env->revidr = 0;
    /* EL0, EL1 AArch64 only; FP and AdvSIMD implemented; GIC bit set when wired */
    env->id_aa64pfr0 = 0x0000000000000011ull;
    env->id_aa64pfr1 = 0;
    /* DebugVer v8, 2 breakpoints, 2 watchpoints, no PMU advertised */
    env->id_aa64dfr0 = 0x0000000000101006ull;
    env->has_crc32 = true;
    env->has_crypto = true; /* Cortex-A57 with the Cryptographic Extension */
    env->has_lse = max;
    env->has_pan = max;
    /* AES [7:4] = 2 (with PMULL), SHA1 [11:8] = 1, SHA2 [15:12] = 1, CRC32 [19:16] = 1;
     * Atomic [23:20] = 2 for max */
    env->id_aa64isar0 = (2ull << 4) | (1ull << 8) | (1ull << 12) | (1ull << 16) |
                        (max ? (2ull << 20) : 0);
    env->id_aa64isar1 = 0;
    /* PARange 48 bits, 16-bit ASIDs, 4K/16K/64K granules, little-endian only */
    env->id_aa64mmfr0 = 0x0000000000100025ull;
    /* PAN [23:20] = 2: FEAT_PAN2 (AT S1E1RP/S1E1WP) */
    env->id_aa64mmfr1 = max ? (2ull << 20) : 0;
    env->id_aa64mmfr2 = 0;
    /* 64-byte lines, VIPT I-cache ([15:14] = 2), IDC/DIC clear */
    env->ctr = 0x8444c004ull;
    env->dczid = 4; /* DC ZVA block: 2^4 words = 64 bytes */
    env->clidr = 0x0a200023ull;
    env->ccsidr = 0x701fe00aull;
}

static void arm_cpu_init(CPUState *cs, const char *model)
{
    ARMCPU *cpu = arm_cpu(cs);
    if (!model || !arm_cpu_model_valid(model)) {
        model = "cortex-a57";
    }
    set_model(cpu, model);
    int idx = cs->cpu_index;
    cpu->env.mpidr = (1ull << 31) | ((uint64_t)(idx / 16) << 8) | (uint64_t)(idx % 16);
    for (int t = 0; t < ARM_NB_TIMERS; t++) {
        cpu->env.timer[t].line.handler = NULL;
    }
    arm_timer_register(cpu);
}

static void arm_cpu_reset(CPUState *cs)
{
    ARMCPU *cpu = arm_cpu(cs);
    CPUARMState *env = &cpu->env;
    /* keep identification and hook wiring; clear architectural state */
    size_t first = offsetof(CPUARMState, x);
    size_t last = offsetof(CPUARMState, timer);
    memset((char *)env + first, 0, last - first);
    for (int t = 0; t < ARM_NB_TIMERS; t++) {
        /* through the timer lock: also lowers a line left high */
        arm_timer_write_ctl(env, t, 0);
        arm_timer_write_cval(env, t, 0);
    }
    env->pstate = PSTATE_DAIF | (1u << PSTATE_EL_SHIFT) | PSTATE_SP; /* EL1h, masked */
    env->ZF = 1;
    env->excl_addr = ~0ull;
    env->sctlr_el1 = 0x30d00800ull; /* RES1 bits; MMU and caches off */
    env->oslsr_el1 = 0xa;           /* OS lock implemented, locked at reset */
    env->pmcr_el0 = 0x41002000ull;  /* IMP = Arm, N = 0 counters */
    env->exception.syndrome = 0;
    env->tlb_lp_addr = 0;
    env->tlb_lp_mask = 0;
    if (cpu->has_gic) {
        env->id_aa64pfr0 |= 1ull << 24;
    }
    cs->exception_index = EXCP_NONE;
    __atomic_store_n(&cs->halted, 0, __ATOMIC_RELAXED);
    arm_rebuild_hflags(env);
    tlb_flush(cs);
}

static void arm_get_tb_cpu_state(CPUState *cs, uint64_t *pc, uint64_t *cs_base,
                                 uint32_t *flags)
{
    CPUARMState *env = cpu_env(cs);
    *pc = env->pc;
    *cs_base = 0;
    *flags = env->hflags;
}

static bool arm_cpu_has_work(CPUState *cs)
{
    /* WFI wakes on any pending physical interrupt, masked or not (D1.16.2) */
    uint32_t req = __atomic_load_n(&cs->interrupt_request, __ATOMIC_ACQUIRE);
    return (req & (CPU_INTERRUPT_HARD | CPU_INTERRUPT_FIQ | CPU_INTERRUPT_SERROR)) != 0;
}

static int arm_cpu_mmu_index(CPUState *cs, bool ifetch)
{
    (void)ifetch;
    return arm_mmu_idx(cpu_env(cs));
}

static uint64_t arm_cpu_get_pc(CPUState *cs)
{
    return cpu_env(cs)->pc;
}

static void arm_cpu_dump_state(CPUState *cs, FILE *f)
{
    CPUARMState *env = cpu_env(cs);
    uint32_t ps = pstate_read(env);
    fprintf(f, "PC=%016" PRIx64 " SP=%016" PRIx64 "\n", env->pc, env->sp);
    for (int i = 0; i < 31; i++) {
        fprintf(f, "X%02d=%016" PRIx64 "%s", i, env->x[i], (i % 4 == 3) ? "\n" : " ");
    }
    fprintf(f, "\nPSTATE=%08x %c%c%c%c EL%d%c DAIF=%x%s\n", ps, ps & PSTATE_N ? 'N' : '-',
            ps & PSTATE_Z ? 'Z' : '-', ps & PSTATE_C ? 'C' : '-', ps & PSTATE_V ? 'V' : '-',
            arm_current_el(env), (ps & PSTATE_SP) ? 'h' : 't', (ps >> 6) & 0xf,
            (ps & PSTATE_PAN) ? " PAN" : "");
    fprintf(f, "SP_EL0=%016" PRIx64 " SP_EL1=%016" PRIx64 " ELR=%016" PRIx64
               " SPSR=%08" PRIx64 " ESR=%08" PRIx64 " FAR=%016" PRIx64 "\n",
            env->sp_el[0], env->sp_el[1], env->elr_el1, env->spsr_el1, env->esr_el1,
            env->far_el1);
    fprintf(f, "SCTLR=%08" PRIx64 " TCR=%016" PRIx64 " TTBR0=%016" PRIx64
               " TTBR1=%016" PRIx64 " VBAR=%016" PRIx64 "\n",
            env->sctlr_el1, env->tcr_el1, env->ttbr0_el1, env->ttbr1_el1, env->vbar_el1);
    if (log_enabled(LOG_CPU)) {
        for (int i = 0; i < 32; i++) {
            fprintf(f, "Q%02d=%016" PRIx64 ":%016" PRIx64 "%s", i, env->v[i][1], env->v[i][0],
                    (i % 2 == 1) ? "\n" : " ");
        }
        fprintf(f, "FPCR=%08x FPSR=%08x\n", env->fpcr, env->fpsr);
    }
}

const CPUClass arm_cpu_class = {
    .arch = "aarch64",
    .instance_size = sizeof(ARMCPU),
    .cs_arch = 1, /* CS_ARCH_ARM64 (capstone 4 and 5) */
    .cs_mode = 0, /* CS_MODE_LITTLE_ENDIAN */
    .init = arm_cpu_init,
    .reset = arm_cpu_reset,
    .tcg_init = arm_translate_init,
    .get_tb_cpu_state = arm_get_tb_cpu_state,
    .translate = arm_translate,
    .restore_state = arm_restore_state,
    .exec_interrupt = arm_cpu_exec_interrupt,
    .do_interrupt = arm_cpu_do_interrupt,
    .has_work = arm_cpu_has_work,
    .tlb_fill = arm_cpu_tlb_fill,
    .do_unaligned_access = arm_cpu_do_unaligned_access,
    .do_transaction_failed = arm_cpu_do_transaction_failed,
    .mmu_index = arm_cpu_mmu_index,
    .dump_state = arm_cpu_dump_state,
    .get_pc = arm_cpu_get_pc,
};

/* ---- cpu-hooks.h ---- */

void arm_cpu_set_gic_cpuif(CPUState *cs, const ARMGicCpuIf *ifc)
{
    ARMCPU *cpu = arm_cpu(cs);
    if (ifc) {
        cpu->gic = *ifc;
        cpu->has_gic = true;
        cpu->env.id_aa64pfr0 |= 1ull << 24; /* GIC system register interface */
    } else {
        memset(&cpu->gic, 0, sizeof(cpu->gic));
        cpu->has_gic = false;
        cpu->env.id_aa64pfr0 &= ~(0xfull << 24);
    }
}

void arm_cpu_set_timer_irq(CPUState *cs, int timer, IRQLine line)
{
    if (timer >= 0 && timer < ARM_NB_TIMERS) {
        cpu_env(cs)->timer[timer].line = line;
    }
}

void arm_cpu_set_conduit(CPUState *cs, ARMConduitFn fn, void *opaque)
{
    arm_cpu(cs)->conduit = fn;
    arm_cpu(cs)->conduit_opaque = opaque;
}

/*
 * Called by PSCI CPU_ON on another core's thread while this core is stopped:
 * nothing else touches its state until `stopped` is cleared (release store).
 * Waking the core's thread is the caller's (coremu's) job.
 */
void arm_cpu_power_on(CPUState *cs, uint64_t entry, uint64_t context_id)
{
    arm_cpu_reset(cs);
    CPUARMState *env = cpu_env(cs);
    env->pc = entry;
    env->x[0] = context_id;
    __atomic_store_n(&cs->halted, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&cs->stopped, 0, __ATOMIC_RELEASE);
}

void arm_cpu_set_boot_state(CPUState *cs, uint64_t entry, uint64_t dtb_addr)
{
    CPUARMState *env = cpu_env(cs);
    env->pc = entry;
    env->x[0] = dtb_addr;
    env->x[1] = env->x[2] = env->x[3] = 0;
    /* booting.rst: EL1, MMU off, D-cache off, all interrupts masked */
    env->pstate = PSTATE_DAIF | (1u << PSTATE_EL_SHIFT) | PSTATE_SP;
    arm_rebuild_hflags(env);
}

#define ARM_COUNTER_HZ 62500000ull /* 16 ns per tick, as QEMU's virt */

uint64_t arm_cpu_counter_freq(void)
{
    return ARM_COUNTER_HZ;
}

uint64_t arm_cpu_counter_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
    return ns / (1000000000ull / ARM_COUNTER_HZ);
}
