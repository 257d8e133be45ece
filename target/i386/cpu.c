/*
 * cpu.c — the x86-64 CPU class: models and CPUID, reset (the power-on state
 * of SDM Vol.3 §9.1.1, Table 9-1), EFLAGS/hflags bookkeeping, the TB key,
 * and the board hooks of cpu-hooks.h.
 *
 * Models (CPUID reports exactly what is implemented):
 *   "qemu64" (default)  x86-64-v1 baseline: FPU TSC MSR PAE CX8 APIC SEP MTRR
 *                       PGE CMOV PAT CLFLUSH MMX FXSR SSE SSE2, SYSCALL NX LM.
 *   "max"               qemu64 + CX16, POPCNT, LAHF/SAHF in 64-bit mode, LZCNT,
 *                       RDTSCP, 1 GiB pages, SSE3, SSSE3, SSE4.1, SSE4.2, PCLMULQDQ, AES,
 *                       MOVBE, BMI1, BMI2, ADX, MMXEXT (AMD's name for the SSE
 *                       integer ops on MMX registers).
 * x87 (fpu_helper.c), MMX and SSE..SSE4.2 (sse_helper.c) are implemented;
 * AVX is not (no VEX beyond BMI), so neither AVX nor OSXSAVE/XSAVE is
 * reported. An instruction of a feature a model lacks is #UD
 * (vec_feature_ok in translate-sse.c).
 */
#include "target/i386/cpu.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "exec/cputlb.h"
#include "exec/tb.h"
#include "util/log.h"

const char *const x86_cpu_models[] = {"qemu64", "max", NULL};

/* ---------------------------------------------------------------- EFLAGS */

uint32_t cpu_compute_eflags(CPUX86State *env)
{
    return (env->eflags & ~CC_OSZAPC) | 2u |
           x86_compute_eflags(env->cc_op, env->cc_dst, env->cc_src, env->cc_src2);
}

void cpu_load_eflags(CPUX86State *env, uint32_t eflags, uint32_t update_mask)
{
    env->cc_src = eflags & CC_OSZAPC;
    env->cc_op = CC_OP_EFLAGS;
    update_mask &= ~CC_OSZAPC;
    env->eflags = (env->eflags & ~update_mask) | (eflags & update_mask) | 2u;
    env->eflags &= ~CC_OSZAPC;
    x86_update_hflags(env);
}

/* recompute every derived hflags bit except CPL and the interrupt shadow */
void x86_update_hflags(CPUX86State *env)
{
    uint32_t h = env->hflags & (HF_CPL_MASK | HF_INHIBIT_IRQ);
    if (env->cr[0] & CR0_PE) {
        h |= HF_PE;
    }
    if (env->efer & EFER_LMA) {
        h |= HF_LMA;
    }
    if ((h & HF_LMA) && (env->segs[R_CS].flags & DESC_L_MASK)) {
        h |= HF_CS64 | HF_CS32 | HF_SS32;
    } else {
        if (env->segs[R_CS].flags & DESC_B_MASK) {
            h |= HF_CS32;
        }
        if (env->segs[R_SS].flags & DESC_B_MASK) {
            h |= HF_SS32;
        }
        if (env->segs[R_DS].base | env->segs[R_ES].base | env->segs[R_SS].base) {
            h |= HF_ADDSEG;
        }
        /* SDM Vol.3 §5.3: limit checks matter only for a segment that is not flat
         * (a null, not-present selector is left to the access: it is not checked) */
        if ((h & HF_PE) && !(env->eflags & VM_MASK)) {
            for (int seg = R_ES; seg <= R_GS; seg++) {
                const SegmentCache *sc = &env->segs[seg];
                bool expand_down = (sc->flags & (DESC_S_MASK | DESC_CS_MASK | (1u << 10))) ==
                                   (DESC_S_MASK | (1u << 10));
                if ((sc->flags & DESC_P_MASK) && (sc->limit != 0xffffffffu || expand_down)) {
                    h |= HF_SEGLIM;
                    break;
                }
            }
        }
    }
    if (!(h & HF_PE)) {
        h &= ~HF_CPL_MASK;
    }
    if (env->cr[4] & CR4_OSFXSR) {
        h |= HF_OSFXSR;
    }
    if (env->cr[0] & CR0_EM) {
        h |= HF_EM;
    }
    if (env->cr[0] & CR0_TS) {
        h |= HF_TS;
    }
    if (env->eflags & VM_MASK) {
        h |= HF_VM;
    }
    if (env->eflags & TF_MASK) {
        h |= HF_TF;
    }
    if (env->eflags & IF_MASK) {
        h |= HF_IF;
    }
    h |= ((env->eflags & IOPL_MASK) >> IOPL_SHIFT) << HF_IOPL_SHIFT;
    env->hflags = h;
}

void x86_cpu_load_seg_cache(CPUX86State *env, int seg, uint32_t selector, uint64_t base,
                            uint32_t limit, uint32_t flags)
{
    SegmentCache *sc = &env->segs[seg];
    sc->selector = selector;
    sc->base = base;
    sc->limit = limit;
    sc->flags = flags;
    if (seg == R_CS && (env->cr[0] & CR0_PE)) {
        env->hflags = (env->hflags & ~HF_CPL_MASK) | ((flags >> DESC_DPL_SHIFT) & 3);
    }
    x86_update_hflags(env);
}

/* ----------------------------------------------------------------- CPUID */

uint64_t x86_host_tsc(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    /* a 1 GHz invariant TSC */
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void set_model(X86CPU *cpu, const char *model)
{
    CPUX86State *env = &cpu->env;
    bool max = strcmp(model, "max") == 0;
    cpu->model = max ? "max" : "qemu64";
    memcpy(env->cpuid_vendor, "AuthenticAMD", 13);
    snprintf(env->cpuid_model_id, sizeof(env->cpuid_model_id), "coremu %s CPU",
             cpu->model);
    env->cpuid_level = 7;
    env->cpuid_xlevel = 0x80000008;
    env->cpuid_version = 0x00000f61; /* family 15, model 6, stepping 1 (like qemu64) */
    env->cpuid_features_edx = CPUID_FPU | CPUID_DE | CPUID_PSE | CPUID_TSC | CPUID_MSR |
                              CPUID_PAE | CPUID_MCE | CPUID_CX8 | CPUID_APIC | CPUID_SEP |
                              CPUID_MTRR | CPUID_PGE | CPUID_CMOV | CPUID_PAT |
                              CPUID_CLFLUSH | CPUID_MMX | CPUID_FXSR | CPUID_SSE | CPUID_SSE2;
    env->cpuid_features_ecx =
        max ? (CPUID_EXT_CX16 | CPUID_EXT_POPCNT | CPUID_EXT_SSE3 | CPUID_EXT_PCLMULQDQ |
               CPUID_EXT_SSSE3 | CPUID_EXT_SSE41 | CPUID_EXT_SSE42 | CPUID_EXT_MOVBE |
               CPUID_EXT_AES)
            : 0;
    env->cpuid_ext_features_edx = CPUID_EXT2_SYSCALL | CPUID_EXT2_NX | CPUID_EXT2_LM |
                                  (max ? CPUID_EXT2_RDTSCP | CPUID_EXT2_PDPE1GB |
                                             CPUID_EXT2_MMXEXT : 0) |
                                  (env->cpuid_features_edx & 0x0183f3ffu);
    env->cpuid_ext_features_ecx = max ? (CPUID_EXT3_LAHF_LM | CPUID_EXT3_ABM) : 0;
    env->cpuid_7_ebx = max ? (CPUID_7_BMI1 | CPUID_7_BMI2 | CPUID_7_ADX) : 0;
    env->cpuid_7_ecx = 0;
    env->cpuid_7_edx = 0;
}

void x86_cpuid(CPUX86State *env, uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b,
               uint32_t *c, uint32_t *d)
{
    const char *v = env->cpuid_vendor;
    *a = *b = *c = *d = 0;
    if (leaf >= 0x80000000u ? leaf > env->cpuid_xlevel : leaf > env->cpuid_level) {
        /* out of range: Intel returns the highest basic leaf; we return zeros */
        return;
    }
    switch (leaf) {
    case 0:
        *a = env->cpuid_level;
        memcpy(b, v, 4);
        memcpy(d, v + 4, 4);
        memcpy(c, v + 8, 4);
        break;
    case 1:
        *a = env->cpuid_version;
        /* CLFLUSH line 8 qwords; logical count 1; initial APIC ID */
        *b = (8u << 8) | (1u << 16) | (env->apic_id << 24);
        *c = env->cpuid_features_ecx;
        *d = env->cpuid_features_edx;
        break;
    case 7:
        if (sub == 0) {
            *b = env->cpuid_7_ebx;
            *c = env->cpuid_7_ecx;
            *d = env->cpuid_7_edx;
        }
        break;
    case 0x80000000u:
        *a = env->cpuid_xlevel;
        memcpy(b, v, 4);
        memcpy(d, v + 4, 4);
        memcpy(c, v + 8, 4);
        break;
    case 0x80000001u:
        *a = env->cpuid_version;
        *c = env->cpuid_ext_features_ecx;
        *d = env->cpuid_ext_features_edx;
        break;
    case 0x80000002u:
    case 0x80000003u:
    case 0x80000004u: {
        const char *m = env->cpuid_model_id + 16 * (leaf - 0x80000002u);
        memcpy(a, m, 4);
        memcpy(b, m + 4, 4);
        memcpy(c, m + 8, 4);
        memcpy(d, m + 12, 4);
        break;
    }
    case 0x80000008u:
        *a = 0x00003028; /* 40-bit physical, 48-bit linear addresses */
        break;
    default:
        break;
    }
}

/* ----------------------------------------------------------- the class */

static void x86_cpu_init(CPUState *cs, const char *model)
{
    X86CPU *cpu = x86_cpu(cs);
    bool ok = false;
    for (int i = 0; model && x86_cpu_models[i]; i++) {
        ok |= strcmp(model, x86_cpu_models[i]) == 0;
    }
    set_model(cpu, ok ? model : "qemu64");
    cpu->env.apic_id = (uint32_t)cs->cpu_index;
}

/* Power-on / RESET state (SDM Vol.3 Table 9-1): real mode at F000:FFF0. */
static void x86_cpu_reset(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    size_t first = offsetof(CPUX86State, regs);
    size_t last = offsetof(CPUX86State, user_exceptions);
    memset((char *)env + first, 0, last - first);

    env->cr[0] = CR0_ET | CR0_CD | CR0_NW;
    env->regs[R_EDX] = env->cpuid_version;
    env->eflags = 2;
    env->cc_op = CC_OP_EFLAGS;
    env->cc_src = 0;
    env->hflags = 0;
    for (int seg = 0; seg < 6; seg++) {
        uint32_t fl = DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | DESC_A_MASK |
                      (seg == R_CS ? DESC_CS_MASK : 0);
        x86_cpu_load_seg_cache(env, seg, seg == R_CS ? 0xf000 : 0,
                               seg == R_CS ? 0xffff0000ull : 0, 0xffff, fl);
    }
    env->rip = 0xfff0;
    env->gdt.limit = env->idt.limit = 0xffff;
    env->ldt.limit = env->tr.limit = 0xffff;
    env->ldt.flags = DESC_P_MASK | (2u << 8);
    env->tr.flags = DESC_P_MASK | (11u << 8);
    env->dr[6] = 0xffff0ff0;
    env->dr[7] = 0x400;
    env->mxcsr = 0x1f80;
    x86_fpu_reset(env);
    env->pat = 0x0007040600070406ull;
    env->misc_enable = 1; /* fast strings */
    env->apic_base = 0xfee00000ull | (1ull << 11) | (cs->cpu_index == 0 ? (1ull << 8) : 0);
    env->old_exception = -1;
    env->last_exception = -1;
    x86_update_hflags(env);
    cs->exception_index = EXCP_NONE;
    /* application processors wait for a start-up IPI (SDM Vol.3 §8.4.1) */
    env->wait_for_sipi = cs->cpu_index != 0;
    __atomic_store_n(&cs->halted, env->wait_for_sipi ? 1 : 0, __ATOMIC_RELAXED);
    tlb_flush(cs);
}

static void x86_get_tb_cpu_state(CPUState *cs, uint64_t *pc, uint64_t *cs_base,
                                 uint32_t *flags)
{
    CPUX86State *env = cpu_env(cs);
    /* 64-bit mode ignores the CS base (SDM Vol.1 §3.4.2.1) */
    *cs_base = (env->hflags & HF_CS64) ? 0 : env->segs[R_CS].base;
    *pc = (env->hflags & HF_CS64) ? env->rip : (uint32_t)(*cs_base + env->rip);
    *flags = env->hflags & ~HF_IF; /* IF does not change translation */
}

static bool x86_cpu_has_work(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    uint32_t req = __atomic_load_n(&cs->interrupt_request, __ATOMIC_ACQUIRE);
    if (env->wait_for_sipi) {
        return (req & (CPU_INTERRUPT_SIPI | CPU_INTERRUPT_INIT)) != 0;
    }
    return ((req & CPU_INTERRUPT_HARD) && (env->eflags & IF_MASK)) ||
           ((req & CPU_INTERRUPT_NMI) && !env->nmi_blocked) ||
           (req & (CPU_INTERRUPT_INIT | CPU_INTERRUPT_SIPI));
}

static int x86_cpu_mmu_index(CPUState *cs, bool ifetch)
{
    (void)ifetch;
    return x86_mmu_idx(cpu_env(cs));
}

static uint64_t x86_cpu_get_pc(CPUState *cs)
{
    CPUX86State *env = cpu_env(cs);
    if (env->hflags & HF_CS64) {
        return env->rip;
    }
    return (uint32_t)(env->segs[R_CS].base + env->rip);
}

static void x86_cpu_do_unaligned_access(CPUState *cs, uint64_t vaddr, MMUAccessType access,
                                        int mmu_idx, uintptr_t ra)
{
    /* only MO_ALIGN accesses get here: SSE aligned moves, CMPXCHG16B -> #GP(0) */
    raise_exception_err_ra(cpu_env(cs), EXCP0D_GP, 0, ra);
}

static void x86_cpu_do_transaction_failed(CPUState *cs, uint64_t paddr, uint64_t vaddr,
                                          MMUAccessType access, int mmu_idx, uintptr_t ra)
{
    /* a PC ignores accesses nothing decodes (reads float high: memory.c returns 0) */
}

void x86_cpu_dump_state(CPUState *cs, FILE *f)
{
    CPUX86State *env = cpu_env(cs);
    static const char *const names[16] = {"RAX", "RCX", "RDX", "RBX", "RSP", "RBP",
                                          "RSI", "RDI", "R8 ", "R9 ", "R10", "R11",
                                          "R12", "R13", "R14", "R15"};
    static const char *const segn[6] = {"ES", "CS", "SS", "DS", "FS", "GS"};
    uint32_t fl = cpu_compute_eflags(env);
    for (int i = 0; i < 16; i++) {
        fprintf(f, "%s=%016" PRIx64 "%s", names[i], env->regs[i], (i % 4 == 3) ? "\n" : " ");
    }
    fprintf(f, "RIP=%016" PRIx64 " RFL=%08x [%c%c%c%c%c%c%c] CPL=%d hflags=%08x\n", env->rip,
            fl, fl & DF_MASK ? 'D' : '-', fl & CC_O ? 'O' : '-', fl & CC_S ? 'S' : '-',
            fl & CC_Z ? 'Z' : '-', fl & CC_A ? 'A' : '-', fl & CC_P ? 'P' : '-',
            fl & CC_C ? 'C' : '-', x86_cpl(env), env->hflags);
    for (int i = 0; i < 6; i++) {
        fprintf(f, "%s =%04x %016" PRIx64 " %08x %08x\n", segn[i], env->segs[i].selector,
                env->segs[i].base, env->segs[i].limit, env->segs[i].flags);
    }
    fprintf(f, "LDT=%04x %016" PRIx64 " TR=%04x %016" PRIx64 "\n", env->ldt.selector,
            env->ldt.base, env->tr.selector, env->tr.base);
    fprintf(f, "GDT=     %016" PRIx64 " %08x IDT=%016" PRIx64 " %08x\n", env->gdt.base,
            env->gdt.limit, env->idt.base, env->idt.limit);
    fprintf(f, "CR0=%08" PRIx64 " CR2=%016" PRIx64 " CR3=%016" PRIx64 " CR4=%08" PRIx64
               " EFER=%08" PRIx64 "\n",
            env->cr[0], env->cr[2], env->cr[3], env->cr[4], env->efer);
    if (log_enabled(LOG_CPU)) {
        for (int i = 0; i < 16; i++) {
            fprintf(f, "XMM%02d=%016" PRIx64 ":%016" PRIx64 "%s", i, env->xmm[i].q[1],
                    env->xmm[i].q[0], (i % 2 == 1) ? "\n" : " ");
        }
        fprintf(f, "MXCSR=%08x\n", env->mxcsr);
    }
}

const CPUClass x86_cpu_class = {
    .arch = "x86_64",
    .icache_coherent = true, /* SDM vol. 3 §8.1.3: cross-modifying code */
    .instance_size = sizeof(X86CPU),
    .cs_arch = 3, /* CS_ARCH_X86 (capstone 4 and 5) */
    .cs_mode = 8, /* CS_MODE_64 */
    .init = x86_cpu_init,
    .reset = x86_cpu_reset,
    .tcg_init = x86_translate_init,
    .get_tb_cpu_state = x86_get_tb_cpu_state,
    .translate = x86_translate,
    .restore_state = x86_restore_state,
    .exec_interrupt = x86_cpu_exec_interrupt,
    .do_interrupt = x86_cpu_do_interrupt,
    .has_work = x86_cpu_has_work,
    .tlb_fill = x86_cpu_tlb_fill,
    .do_unaligned_access = x86_cpu_do_unaligned_access,
    .do_transaction_failed = x86_cpu_do_transaction_failed,
    .mmu_index = x86_cpu_mmu_index,
    .dump_state = x86_cpu_dump_state,
    .get_pc = x86_cpu_get_pc,
};

/* ----------------------------------------------------------- cpu-hooks.h */

void x86_cpu_set_port_io(CPUState *cs, const X86PortIO *io)
{
    X86CPU *cpu = x86_cpu(cs);
    if (io) {
        cpu->port_io = *io;
    } else {
        memset(&cpu->port_io, 0, sizeof(cpu->port_io));
    }
}

void x86_cpu_set_apic_hooks(CPUState *cs, const X86ApicHooks *hooks)
{
    X86CPU *cpu = x86_cpu(cs);
    if (hooks) {
        cpu->apic = *hooks;
        cpu->has_apic_hooks = true;
    } else {
        memset(&cpu->apic, 0, sizeof(cpu->apic));
        cpu->has_apic_hooks = false;
    }
}

static void load_flat(CPUX86State *env, int seg, uint32_t sel, uint32_t extra)
{
    x86_cpu_load_seg_cache(env, seg, sel, 0, 0xffffffff,
                           DESC_G_MASK | DESC_P_MASK | DESC_S_MASK | DESC_W_MASK |
                               DESC_A_MASK | extra);
}

void x86_cpu_set_long_mode_entry(CPUState *cs, uint64_t rip, uint64_t cr3, uint64_t rsi)
{
    CPUX86State *env = cpu_env(cs);
    env->cr[4] |= CR4_PAE | CR4_OSFXSR;
    env->cr[3] = cr3;
    env->efer |= EFER_LME | EFER_LMA;
    env->cr[0] = CR0_PE | CR0_PG | CR0_ET | CR0_NE | CR0_MP;
    load_flat(env, R_CS, 0x10, DESC_CS_MASK | DESC_L_MASK);
    load_flat(env, R_DS, 0x18, DESC_B_MASK);
    load_flat(env, R_ES, 0x18, DESC_B_MASK);
    load_flat(env, R_SS, 0x18, DESC_B_MASK);
    env->hflags &= ~HF_CPL_MASK;
    env->rip = rip;
    env->regs[R_ESI] = rsi;
    env->eflags = 2;
    x86_update_hflags(env);
    tlb_flush(cs);
}

void x86_cpu_set_protected_mode_entry(CPUState *cs, uint32_t eip, uint32_t esi)
{
    CPUX86State *env = cpu_env(cs);
    env->cr[0] = CR0_PE | CR0_ET | CR0_NE;
    load_flat(env, R_CS, 0x10, DESC_CS_MASK | DESC_B_MASK);
    load_flat(env, R_DS, 0x18, DESC_B_MASK);
    load_flat(env, R_ES, 0x18, DESC_B_MASK);
    load_flat(env, R_SS, 0x18, DESC_B_MASK);
    env->hflags &= ~HF_CPL_MASK;
    env->rip = eip;
    env->regs[R_ESI] = esi;
    env->eflags = 2;
    x86_update_hflags(env);
    tlb_flush(cs);
}

void x86_cpu_set_sipi_vector(CPUState *cs, uint8_t vector)
{
    cpu_env(cs)->sipi_vector = vector;
}
