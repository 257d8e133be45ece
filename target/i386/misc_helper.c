/*
 * misc_helper.c — system instructions: CPUID, RDTSC, RDMSR/WRMSR (with the
 * MSR file of cpu.h), MOV to/from CR and DR (mode transitions: CR0.PE/PG,
 * EFER.LME -> LMA; SDM Vol.3 §9.8.5), INVLPG, SWAPGS, LMSW/CLTS, IN/OUT
 * through the board's port hook (cpu-hooks.h), LDMXCSR.
 *
 * Record/replay (reemu-x86.h): the TSC, port reads, APIC MSRs and CR8 are
 * inputs; in replay they come from the log and the device is not asked.
 */
#include <string.h>
#include <time.h>

#include "target/i386/cpu.h"

#include "exec/cputlb.h"
#include "target/i386/reemu-x86.h"
#include "util/log.h"

#define HELPER_H "target/i386/helper.h"
#include "exec/helper-proto.h"

void helper_cpuid(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    uint32_t a, b, c, d;
    x86_cpuid(env, (uint32_t)env->regs[R_EAX], (uint32_t)env->regs[R_ECX], &a, &b, &c, &d);
    env->regs[R_EAX] = a;
    env->regs[R_EBX] = b;
    env->regs[R_ECX] = c;
    env->regs[R_EDX] = d;
}

/* ------------------------------------------------------ record/replay */

static __thread uint64_t rr_value; /* the answer x86_reemu_input logs */

static uint64_t rr_read(CPUState *cs, uint32_t key, uintptr_t ra)
{
    (void)cs;
    (void)key;
    (void)ra;
    return rr_value;
}

uint64_t x86_reemu_input(CPUState *cs, uint32_t key, uint64_t v, uintptr_t ra)
{
    rr_value = v;
    return reemu_io_reg_read(cs, key, ra, rr_read);
}

static uint64_t guest_tsc(CPUX86State *env)
{
    return x86_host_tsc() + env->tsc_offset;
}

/* The TSC an instruction at ra reads: the log's in replay. */
static uint64_t guest_tsc_input(CPUX86State *env, uintptr_t ra)
{
    if (__builtin_expect(reemu_mode, 0)) {
        uint64_t t = reemu_mode == REEMU_RECORD ? guest_tsc(env) : 0;
        return x86_reemu_input(env_cpu(env), X86_RR_TSC, t, ra);
    }
    return guest_tsc(env);
}

void helper_rdtsc(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    if ((env->cr[4] & CR4_TSD) && x86_cpl(env) != 0) {
        raise_exception_err_ra(env, EXCP0D_GP, 0, GETPC());
    }
    uint64_t t = guest_tsc_input(env, GETPC());
    env->regs[R_EAX] = (uint32_t)t;
    env->regs[R_EDX] = t >> 32;
}

void helper_rdtscp(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    if ((env->cr[4] & CR4_TSD) && x86_cpl(env) != 0) {
        raise_exception_err_ra(env, EXCP0D_GP, 0, GETPC());
    }
    uint64_t t = guest_tsc_input(env, GETPC());
    env->regs[R_EAX] = (uint32_t)t;
    env->regs[R_EDX] = t >> 32;
    env->regs[R_ECX] = (uint32_t)env->tsc_aux;
}

/*
 * RDPMC (SDM RDPMC): #GP(0) at CPL > 0 in protected mode unless CR4.PCE,
 * and for a counter that does not exist. The model has the four legacy
 * counters of its family (AMD PERFCTR0..3) but no event selection, so they
 * read 0.
 */
void helper_rdpmc(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    if ((env->hflags & HF_PE) && x86_cpl(env) != 0 && !(env->cr[4] & CR4_PCE)) {
        raise_exception_err_ra(env, EXCP0D_GP, 0, GETPC());
    }
    if ((uint32_t)env->regs[R_ECX] > 3) {
        raise_exception_err_ra(env, EXCP0D_GP, 0, GETPC());
    }
    env->regs[R_EAX] = 0;
    env->regs[R_EDX] = 0;
}

/* ------------------------------------------------------------------ MSRs */

#define MSR_AMD64_SYSCFG 0xc0010010

bool x86_rdmsr(CPUX86State *env, uint32_t msr, uint64_t *val)
{
    X86CPU *cpu = x86_cpu(env_cpu(env));
    switch (msr) {
    case MSR_IA32_TSC: *val = guest_tsc(env); return true;
    case MSR_IA32_APICBASE: *val = env->apic_base; return true;
    case MSR_IA32_MTRRCAP: *val = 0x500 | X86_NB_VAR_MTRRS; return true; /* fixed + WC */
    case MSR_IA32_SYSENTER_CS: *val = env->sysenter_cs; return true;
    case MSR_IA32_SYSENTER_ESP: *val = env->sysenter_esp; return true;
    case MSR_IA32_SYSENTER_EIP: *val = env->sysenter_eip; return true;
    case MSR_IA32_MISC_ENABLE: *val = env->misc_enable; return true;
    case MSR_IA32_PAT: *val = env->pat; return true;
    case MSR_MTRR_DEFTYPE: *val = env->mtrr_deftype; return true;
    case MSR_MTRR_FIX64K: *val = env->mtrr_fixed[0]; return true;
    case MSR_MTRR_FIX16K_80000: *val = env->mtrr_fixed[1]; return true;
    case MSR_MTRR_FIX16K_A0000: *val = env->mtrr_fixed[2]; return true;
    case MSR_EFER: *val = env->efer; return true;
    case MSR_STAR: *val = env->star; return true;
    case MSR_LSTAR: *val = env->lstar; return true;
    case MSR_CSTAR: *val = env->cstar; return true;
    case MSR_FMASK: *val = env->fmask; return true;
    case MSR_FSBASE: *val = env->segs[R_FS].base; return true;
    case MSR_GSBASE: *val = env->segs[R_GS].base; return true;
    case MSR_KERNELGSBASE: *val = env->kernelgsbase; return true;
    case MSR_TSC_AUX: *val = env->tsc_aux; return true;
    case MSR_AMD64_SYSCFG:
        /* AMD64 APM Vol.2 §7.9.1: no DRAM/MTRR extensions (MtrrFixDram*, Tom2) are
         * enabled. The vendor is AuthenticAMD: Linux's MTRR code reads it at boot. */
        *val = 0;
        return true;
    default:
        break;
    }
    if (msr >= MSR_MTRR_FIX4K_C0000 && msr < MSR_MTRR_FIX4K_C0000 + 8) {
        *val = env->mtrr_fixed[3 + msr - MSR_MTRR_FIX4K_C0000];
        return true;
    }
    if (msr >= MSR_MTRR_PHYSBASE0 && msr < MSR_MTRR_PHYSBASE0 + 2 * X86_NB_VAR_MTRRS) {
        *val = env->mtrr_var[(msr - MSR_MTRR_PHYSBASE0) / 2][msr & 1];
        return true;
    }
    if (msr >= 0x800 && msr <= 0x8ff && cpu->has_apic_hooks && cpu->apic.rdmsr) {
        return cpu->apic.rdmsr(cpu->apic.opaque, env_cpu(env), msr, val);
    }
    return false;
}

bool x86_wrmsr(CPUX86State *env, uint32_t msr, uint64_t val)
{
    X86CPU *cpu = x86_cpu(env_cpu(env));
    switch (msr) {
    case MSR_IA32_TSC: env->tsc_offset = val - x86_host_tsc(); return true;
    case MSR_IA32_APICBASE:
        env->apic_base = val;
        if (cpu->has_apic_hooks && cpu->apic.set_base) {
            cpu->apic.set_base(cpu->apic.opaque, env_cpu(env), val);
        }
        return true;
    case MSR_IA32_SYSENTER_CS: env->sysenter_cs = val & 0xffff; return true;
    case MSR_IA32_SYSENTER_ESP: env->sysenter_esp = val; return true;
    case MSR_IA32_SYSENTER_EIP: env->sysenter_eip = val; return true;
    case MSR_IA32_MISC_ENABLE: env->misc_enable = val; return true;
    case MSR_IA32_PAT: env->pat = val; return true;
    case MSR_MTRR_DEFTYPE: env->mtrr_deftype = val; return true;
    case MSR_MTRR_FIX64K: env->mtrr_fixed[0] = val; return true;
    case MSR_MTRR_FIX16K_80000: env->mtrr_fixed[1] = val; return true;
    case MSR_MTRR_FIX16K_A0000: env->mtrr_fixed[2] = val; return true;
    case MSR_EFER: {
        uint64_t valid = EFER_SCE | EFER_LME | EFER_NXE;
        if (val & ~(valid | EFER_LMA)) {
            return false;
        }
        /* LME may not change while paging is on (SDM §9.8.5) */
        if (((val ^ env->efer) & EFER_LME) && (env->cr[0] & CR0_PG)) {
            return false;
        }
        env->efer = (env->efer & EFER_LMA) | (val & valid);
        tlb_flush(env_cpu(env));
        x86_update_hflags(env);
        return true;
    }
    case MSR_STAR: env->star = val; return true;
    case MSR_LSTAR: env->lstar = val; return true;
    case MSR_CSTAR: env->cstar = val; return true;
    case MSR_FMASK: env->fmask = (uint32_t)val; return true;
    case MSR_FSBASE: env->segs[R_FS].base = val; return true;
    case MSR_GSBASE: env->segs[R_GS].base = val; return true;
    case MSR_KERNELGSBASE: env->kernelgsbase = val; return true;
    case MSR_TSC_AUX: env->tsc_aux = (uint32_t)val; return true;
    case MSR_AMD64_SYSCFG:
        if (val) {
            log_mask_printf(LOG_UNIMP, "x86: SYSCFG bits 0x%llx ignored\n",
                            (unsigned long long)val);
        }
        return true;
    default:
        break;
    }
    if (msr >= MSR_MTRR_FIX4K_C0000 && msr < MSR_MTRR_FIX4K_C0000 + 8) {
        env->mtrr_fixed[3 + msr - MSR_MTRR_FIX4K_C0000] = val;
        return true;
    }
    if (msr >= MSR_MTRR_PHYSBASE0 && msr < MSR_MTRR_PHYSBASE0 + 2 * X86_NB_VAR_MTRRS) {
        env->mtrr_var[(msr - MSR_MTRR_PHYSBASE0) / 2][msr & 1] = val;
        return true;
    }
    if (msr >= 0x800 && msr <= 0x8ff && cpu->has_apic_hooks && cpu->apic.wrmsr) {
        return cpu->apic.wrmsr(cpu->apic.opaque, env_cpu(env), msr, val);
    }
    return false;
}

/* Record/replay: the MSRs that read time or a device (the TSC, the APIC's
 * x2APIC registers, IA32_TSC_DEADLINE 0x6e0, which the APIC model keeps)
 * are inputs; whether the MSR exists (or #GP) is one too, as the APIC
 * decides it. Every other MSR is core state, deterministic in replay. */
static bool rdmsr_input(CPUX86State *env, uint32_t msr, uint64_t *val, uintptr_t ra)
{
    CPUState *cs = env_cpu(env);
    if (msr == MSR_IA32_TSC) {
        *val = guest_tsc_input(env, ra);
        return true;
    }
    if ((msr < 0x800 || msr > 0x8ff) && msr != 0x6e0) {
        return x86_rdmsr(env, msr, val);
    }
    uint64_t v = 0;
    bool ok = reemu_mode == REEMU_RECORD && x86_rdmsr(env, msr, &v);
    if (!x86_reemu_input(cs, X86_RR_MSR_OK(msr), ok, ra)) {
        return false;
    }
    *val = x86_reemu_input(cs, X86_RR_MSR(msr), v, ra);
    return true;
}

void helper_rdmsr(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    uint64_t v;
    uint32_t msr = (uint32_t)env->regs[R_ECX];
    bool ok = __builtin_expect(reemu_mode, 0) ? rdmsr_input(env, msr, &v, GETPC())
                                              : x86_rdmsr(env, msr, &v);
    if (!ok) {
        log_mask_printf(LOG_UNIMP, "x86: rdmsr 0x%x: #GP\n", msr);
        raise_exception_err_ra(env, EXCP0D_GP, 0, GETPC());
    }
    env->regs[R_EAX] = (uint32_t)v;
    env->regs[R_EDX] = v >> 32;
}

void helper_wrmsr(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    uint32_t msr = (uint32_t)env->regs[R_ECX];
    uint64_t v = ((env->regs[R_EDX] & 0xffffffffull) << 32) | (uint32_t)env->regs[R_EAX];
    if (!x86_wrmsr(env, msr, v)) {
        log_mask_printf(LOG_UNIMP, "x86: wrmsr 0x%x <- %llx: #GP\n", msr,
                        (unsigned long long)v);
        raise_exception_err_ra(env, EXCP0D_GP, 0, GETPC());
    }
}

/* ------------------------------------------------------------- control */

uint64_t helper_read_cr(CPUState *cs, uint32_t cr)
{
    CPUX86State *env = cpu_env(cs);
    X86CPU *cpu = x86_cpu(cs);
    if (cr == 8) {
        if (cpu->has_apic_hooks && cpu->apic.get_tpr) {
            if (__builtin_expect(reemu_mode, 0)) { /* the APIC's TPR: an input */
                uint64_t v = reemu_mode == REEMU_RECORD ? cpu->apic.get_tpr(cpu->apic.opaque, cs) : 0;
                return x86_reemu_input(cs, X86_RR_CR8, v, GETPC());
            }
            return cpu->apic.get_tpr(cpu->apic.opaque, cs);
        }
        return env->cr[8];
    }
    return env->cr[cr];
}

static void write_cr0(CPUX86State *env, uint64_t val, uintptr_t ra)
{
    val |= CR0_ET;
    if ((val >> 32) || ((val & CR0_PG) && !(val & CR0_PE)) ||
        ((val & CR0_NW) && !(val & CR0_CD))) {
        raise_exception_err_ra(env, EXCP0D_GP, 0, ra);
    }
    bool pg_on = !(env->cr[0] & CR0_PG) && (val & CR0_PG);
    bool pg_off = (env->cr[0] & CR0_PG) && !(val & CR0_PG);
    if (pg_on && (env->efer & EFER_LME)) {
        /* entering long mode requires PAE and a non-64-bit CS (SDM §9.8.5) */
        if (!(env->cr[4] & CR4_PAE) || (env->segs[R_CS].flags & DESC_L_MASK)) {
            raise_exception_err_ra(env, EXCP0D_GP, 0, ra);
        }
        env->efer |= EFER_LMA;
    }
    if (pg_off && (env->efer & EFER_LMA)) {
        if (env->hflags & HF_CS64) {
            raise_exception_err_ra(env, EXCP0D_GP, 0, ra);
        }
        env->efer &= ~EFER_LMA;
    }
    if ((val ^ env->cr[0]) & (CR0_PG | CR0_WP | CR0_PE)) {
        tlb_flush(env_cpu(env));
    }
    env->cr[0] = val;
    x86_update_hflags(env);
}

void helper_write_cr(CPUState *cs, uint32_t cr, uint64_t val)
{
    CPUX86State *env = cpu_env(cs);
    X86CPU *cpu = x86_cpu(cs);
    uintptr_t ra = GETPC();
    switch (cr) {
    case 0:
        write_cr0(env, val, ra);
        break;
    case 2:
        env->cr[2] = val;
        break;
    case 3:
        if ((env->hflags & HF_LMA) && (val >> 52)) {
            raise_exception_err_ra(env, EXCP0D_GP, 0, ra);
        }
        env->cr[3] = val;
        tlb_flush(cs);
        break;
    case 4: {
        uint64_t valid = CR4_VME | CR4_PVI | CR4_TSD | CR4_DE | CR4_PSE | CR4_PAE |
                         CR4_MCE | CR4_PGE | CR4_PCE | CR4_OSFXSR | CR4_OSXMMEXCPT;
        if (!(env->cpuid_features_edx & CPUID_VME)) {
            valid &= ~(uint64_t)(CR4_VME | CR4_PVI); /* no virtual-8086 extensions */
        }
        if (val & ~valid) {
            raise_exception_err_ra(env, EXCP0D_GP, 0, ra);
        }
        if ((env->hflags & HF_LMA) && !(val & CR4_PAE)) {
            raise_exception_err_ra(env, EXCP0D_GP, 0, ra);
        }
        env->cr[4] = val;
        tlb_flush(cs);
        x86_update_hflags(env);
        break;
    }
    case 8:
        env->cr[8] = val & 0xf;
        if (cpu->has_apic_hooks && cpu->apic.set_tpr) {
            cpu->apic.set_tpr(cpu->apic.opaque, cs, (uint8_t)(val & 0xf));
        }
        break;
    default:
        raise_exception_ra(env, EXCP06_UD, ra);
    }
}

void helper_write_dr(CPUState *cs, uint32_t dr, uint64_t val)
{
    CPUX86State *env = cpu_env(cs);
    /* breakpoints are recorded but not armed (no debug exceptions yet) */
    if (dr == 4 || dr == 5) {
        dr += 2;
    }
    env->dr[dr] = val;
}

void helper_invlpg(CPUState *cs, uint64_t addr)
{
    tlb_flush_page(cs, addr);
}

void helper_swapgs(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    uint64_t t = env->segs[R_GS].base;
    env->segs[R_GS].base = env->kernelgsbase;
    env->kernelgsbase = t;
}

void helper_lmsw(CPUState *cs, uint64_t val)
{
    CPUX86State *env = cpu_env(cs);
    /* LMSW changes PE MP EM TS only and cannot clear PE */
    uint64_t cr0 = (env->cr[0] & ~0xeull) | (val & 0xf);
    write_cr0(env, cr0, GETPC());
}

void helper_clts(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    env->cr[0] &= ~(uint64_t)CR0_TS;
    x86_update_hflags(env);
}

/* ------------------------------------------------------------------- I/O */

/* IN without record/replay: the board's port hook, or an unconnected bus */
uint64_t x86_port_in(X86CPU *cpu, uint32_t port, uint32_t size)
{
    if (cpu->port_io.in) {
        return cpu->port_io.in(cpu->port_io.opaque, (uint16_t)port, size);
    }
    return size == 4 ? 0xffffffffull : size == 2 ? 0xffff : 0xff;
}

uint64_t helper_in(CPUState *cs, uint32_t port, uint32_t size)
{
    X86CPU *cpu = x86_cpu(cs);
    if (__builtin_expect(reemu_mode, 0)) { /* replay: the log's answer, no device */
        return x86_reemu_input(cs, X86_RR_IN(port & 0xffff, size),
                               reemu_mode == REEMU_RECORD ? x86_port_in(cpu, port, size) : 0,
                               GETPC());
    }
    return x86_port_in(cpu, port, size);
}

void helper_out(CPUState *cs, uint32_t port, uint64_t val, uint32_t size)
{
    X86CPU *cpu = x86_cpu(cs);
    if (cpu->port_io.out) {
        cpu->port_io.out(cpu->port_io.opaque, (uint16_t)port, val, size);
    }
}

/* --------------------------------------------------------- SSE control */

void helper_ldmxcsr(CPUState *cs, uint32_t val)
{
    CPUX86State *env = cpu_env(cs);
    if (val & 0xffff0000u) {
        raise_exception_err_ra(env, EXCP0D_GP, 0, GETPC());
    }
    env->mxcsr = val;
}
