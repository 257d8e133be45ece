/*
 * test-arm-cpu.c — AArch64 CPU state outside generated code: NZCV packing,
 * PSTATE writes and the SP_EL0/SP_EL1 banks, exception entry (vector
 * offsets of Arm ARM D1.10.2, SPSR/ELR/ESR/FAR, DAIF, PAN on entry),
 * interrupt masking, ERET (including an illegal return), system registers
 * (table consistency, RES1 bits, access rules, ID fields per model), the
 * integer helpers (Arm division by zero, CRC32/CRC32C check values) and the
 * TB flags.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/cputlb.h"
#include "exec/memory.h"
#include "system/machine.h"
#include "target/arm/cpu.h"

#define HELPER_H "target/arm/helper.h"
#include "exec/helper-proto.h"

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

static Machine machine;

static ARMCPU *new_cpu(const char *model)
{
    ARMCPU *cpu = calloc(1, sizeof(ARMCPU));
    CPUState *cs = &cpu->parent;
    cs->cc = &arm_cpu_class;
    cs->machine = &machine;
    cs->cpu_index = machine.ncpus;
    machine.cpus[machine.ncpus++] = cs;
    arm_cpu_class.init(cs, model);
    arm_cpu_class.reset(cs);
    return cpu;
}

static void test_nzcv(ARMCPU *cpu)
{
    CPUARMState *env = &cpu->env;
    bool ok = true;
    for (uint32_t f = 0; f < 16; f++) {
        nzcv_write(env, f << 28);
        ok &= nzcv_read(env) == f << 28;
        ok &= ((env->NF >> 31) & 1) == (f >> 3) && (env->ZF == 0) == ((f >> 2) & 1) &&
              env->CF == ((f >> 1) & 1) && ((env->VF >> 31) & 1) == (f & 1);
    }
    CHECK("nzcv-roundtrip-split", ok);
}

static void test_pstate_sp(ARMCPU *cpu)
{
    CPUARMState *env = &cpu->env;
    env->pstate = PSTATE_DAIF | (1u << PSTATE_EL_SHIFT) | PSTATE_SP; /* EL1h */
    env->sp = 0x1111;
    env->sp_el[0] = 0x2222;
    pstate_write(env, (1u << PSTATE_EL_SHIFT) | PSTATE_N); /* EL1t */
    CHECK("spsel-switch-to-sp0", env->sp == 0x2222 && env->sp_el[1] == 0x1111);
    CHECK("pstate-read", pstate_read(env) == ((1u << PSTATE_EL_SHIFT) | PSTATE_N));
    pstate_write(env, PSTATE_SP | (1u << PSTATE_EL_SHIFT));
    CHECK("spsel-switch-back", env->sp == 0x1111 && env->sp_el[0] == 0x2222);
    /* bits not implemented are dropped: PAN only on max */
    pstate_write(env, PSTATE_SP | (1u << PSTATE_EL_SHIFT) | PSTATE_PAN | (1u << 24));
    CHECK("pstate-pan-per-model",
          (env->pstate & PSTATE_PAN) == (env->has_pan ? PSTATE_PAN : 0u) &&
              !(env->pstate & (1u << 24)));
}

static void take(ARMCPU *cpu, int excp, uint32_t syn, uint64_t far)
{
    cpu->env.exception.syndrome = syn;
    cpu->env.exception.vaddress = far;
    cpu->parent.exception_index = excp;
    arm_cpu_do_interrupt(&cpu->parent);
}

static void test_exception_entry(ARMCPU *cpu)
{
    CPUARMState *env = &cpu->env;
    env->vbar_el1 = 0xffff000000010000ull;
    env->sctlr_el1 &= ~SCTLR_SPAN;
    /* from EL1h: current EL with SP_ELx, sync at +0x200 */
    pstate_write(env, PSTATE_SP | (1u << PSTATE_EL_SHIFT) | PSTATE_Z);
    env->pc = 0x4000;
    env->excl_addr = 0x1234;
    take(cpu, ARM_EXCP_DATA, syn_make(EC_DATAABORT, 0x47), 0xdead0);
    CHECK("entry-el1h-sync-offset", env->pc == 0xffff000000010200ull);
    CHECK("entry-elr-spsr", env->elr_el1 == 0x4000 &&
                                env->spsr_el1 == (PSTATE_SP | (1u << PSTATE_EL_SHIFT) | PSTATE_Z));
    CHECK("entry-esr-far", env->esr_el1 == 0x96000047 && env->far_el1 == 0xdead0);
    CHECK("entry-daif-el1h", (env->pstate & PSTATE_DAIF) == PSTATE_DAIF &&
                                 arm_current_el(env) == 1 && (env->pstate & PSTATE_SP));
    CHECK("entry-pan-when-span-clear", (env->pstate & PSTATE_PAN) != 0 || !env->has_pan);
    CHECK("entry-clears-monitor", env->excl_addr == ~0ull);
    CHECK("entry-keeps-nzcv-in-spsr", (nzcv_read(env) & PSTATE_Z) != 0);
    /* from EL1t: +0x000; IRQ +0x80 */
    pstate_write(env, 1u << PSTATE_EL_SHIFT);
    take(cpu, ARM_EXCP_IRQ, 0, 0);
    CHECK("entry-el1t-irq-offset", env->pc == 0xffff000000010080ull);
    /* from EL0: lower EL AArch64 +0x400; FIQ +0x100, SError +0x180 */
    pstate_write(env, 0);
    env->sp_el[1] = 0x8000;
    env->sp = 0x7000;
    take(cpu, ARM_EXCP_FIQ, 0, 0);
    CHECK("entry-el0-fiq-offset", env->pc == 0xffff000000010500ull);
    CHECK("entry-el0-stack-switch", env->sp == 0x8000 && env->sp_el[0] == 0x7000);
    pstate_write(env, 0);
    take(cpu, ARM_EXCP_SERROR, 0, 0);
    CHECK("entry-el0-serror-offset", env->pc == 0xffff000000010580ull &&
                                         (env->esr_el1 >> 26) == EC_SERROR);
    pstate_write(env, 0);
    take(cpu, ARM_EXCP_SWI, syn_make(EC_SVC, 0x42), 0);
    CHECK("entry-el0-svc", env->pc == 0xffff000000010400ull && env->esr_el1 == 0x56000042);
}

static void test_interrupt_masking(ARMCPU *cpu)
{
    CPUARMState *env = &cpu->env;
    CPUState *cs = &cpu->parent;
    pstate_write(env, PSTATE_SP | (1u << PSTATE_EL_SHIFT) | PSTATE_I);
    env->pc = 0x5000;
    CHECK("irq-masked", !arm_cpu_exec_interrupt(cs, CPU_INTERRUPT_HARD));
    CHECK("has-work-even-masked", (__atomic_store_n(&cs->interrupt_request, CPU_INTERRUPT_HARD,
                                                    __ATOMIC_RELAXED),
                                   arm_cpu_class.has_work(cs)));
    __atomic_store_n(&cs->interrupt_request, 0, __ATOMIC_RELAXED);
    CHECK("no-work", !arm_cpu_class.has_work(cs));
    pstate_write(env, PSTATE_SP | (1u << PSTATE_EL_SHIFT));
    CHECK("irq-taken", arm_cpu_exec_interrupt(cs, CPU_INTERRUPT_HARD) &&
                           env->pc == env->vbar_el1 + 0x280 && env->elr_el1 == 0x5000);
    pstate_write(env, PSTATE_SP | (1u << PSTATE_EL_SHIFT) | PSTATE_I);
    CHECK("fiq-not-masked-by-i", arm_cpu_exec_interrupt(cs, CPU_INTERRUPT_FIQ) &&
                                     env->pc == env->vbar_el1 + 0x300);
}

static void test_eret(ARMCPU *cpu)
{
    CPUARMState *env = &cpu->env;
    CPUState *cs = &cpu->parent;
    pstate_write(env, PSTATE_SP | (1u << PSTATE_EL_SHIFT) | PSTATE_DAIF);
    env->sp = 0x9000;
    env->sp_el[0] = 0x3000;
    env->spsr_el1 = PSTATE_C | PSTATE_F; /* EL0t, FIQ masked */
    env->elr_el1 = 0x400000;
    env->excl_addr = 8;
    helper_eret(cs);
    CHECK("eret-to-el0", arm_current_el(env) == 0 && env->pc == 0x400000 &&
                             env->sp == 0x3000 && env->sp_el[1] == 0x9000);
    CHECK("eret-flags-daif", nzcv_read(env) == PSTATE_C && (env->pstate & PSTATE_DAIF) == PSTATE_F);
    CHECK("eret-clears-monitor", env->excl_addr == ~0ull);
    pstate_write(env, PSTATE_SP | (1u << PSTATE_EL_SHIFT));
    env->spsr_el1 = (2u << PSTATE_EL_SHIFT) | PSTATE_SP; /* EL2: not implemented */
    env->elr_el1 = 0x8888;
    helper_eret(cs);
    CHECK("eret-illegal", arm_current_el(env) == 1 && (env->pstate & PSTATE_IL) &&
                              env->pc == 0x8888);
}

static void test_msr_imm(ARMCPU *cpu)
{
    CPUARMState *env = &cpu->env;
    CPUState *cs = &cpu->parent;
    pstate_write(env, PSTATE_SP | (1u << PSTATE_EL_SHIFT));
    helper_msr_i_pstate(cs, 0x1e, 0xf); /* DAIFSet */
    CHECK("daifset", (env->pstate & PSTATE_DAIF) == PSTATE_DAIF);
    helper_msr_i_pstate(cs, 0x1f, 0x2); /* DAIFClr #2: I */
    CHECK("daifclr", (env->pstate & PSTATE_DAIF) == (PSTATE_D | PSTATE_A | PSTATE_F));
    env->sp = 0xaaa0;
    env->sp_el[0] = 0xbbb0;
    helper_msr_i_pstate(cs, 0x05, 0); /* SPSel #0 */
    CHECK("spsel-imm", env->sp == 0xbbb0 && !(env->pstate & PSTATE_SP));
    helper_msr_i_pstate(cs, 0x05, 1);
    CHECK("spsel-imm-back", env->sp == 0xaaa0);
}

static void test_sysregs(ARMCPU *a57, ARMCPU *max)
{
    CPUARMState *env = &a57->env;
    /* SCTLR keeps its RES1 bits; TPIDR is plain storage; NZCV/DAIF views */
    arm_sysreg_write(env, ARM_SYSREG(3, 0, 1, 0, 0), 0, 0);
    CHECK("sctlr-res1", arm_sysreg_read(env, ARM_SYSREG(3, 0, 1, 0, 0), 0) == 0x30d00800ull);
    arm_sysreg_write(env, ARM_SYSREG(3, 3, 13, 0, 2), 0x1234567890ull, 0);
    CHECK("tpidr-el0", env->tpidr_el0 == 0x1234567890ull);
    pstate_write(env, PSTATE_SP | (1u << PSTATE_EL_SHIFT) | PSTATE_I);
    CHECK("daif-read", arm_sysreg_read(env, ARM_SYSREG(3, 3, 4, 2, 1), 0) == PSTATE_I);
    CHECK("currentel", arm_sysreg_read(env, ARM_SYSREG(3, 0, 4, 2, 2), 0) == 4);
    arm_sysreg_write(env, ARM_SYSREG(3, 3, 4, 2, 0), PSTATE_N | PSTATE_V, 0);
    CHECK("nzcv-msr", nzcv_read(env) == (PSTATE_N | PSTATE_V));
    arm_sysreg_write(env, ARM_SYSREG(3, 3, 4, 4, 0), ~0ull, 0);
    CHECK("fpcr-mask", env->fpcr == 0x07f70000u);
    /* access rules */
    const ARMSysReg *r = arm_sysreg_find(ARM_SYSREG(3, 0, 1, 0, 0));
    CHECK("sctlr-not-el0", r && !arm_sysreg_access_ok(r, 0, true) && arm_sysreg_access_ok(r, 1, false));
    r = arm_sysreg_find(ARM_SYSREG(3, 3, 13, 0, 3)); /* TPIDRRO_EL0 */
    CHECK("tpidrro-el0-readonly", r && arm_sysreg_access_ok(r, 0, true) &&
                                      !arm_sysreg_access_ok(r, 0, false) &&
                                      arm_sysreg_access_ok(r, 1, false));
    r = arm_sysreg_find(ARM_SYSREG(3, 0, 0, 0, 0)); /* MIDR */
    CHECK("midr-readonly", r && !arm_sysreg_access_ok(r, 1, false));
    CHECK("unknown-sysreg", arm_sysreg_find(ARM_SYSREG(3, 0, 11, 0, 0)) == NULL);
    CHECK("id-space-raz", arm_sysreg_read(env, ARM_SYSREG(3, 0, 0, 3, 7), 0) == 0);
    CHECK("gic-regs-found", arm_sysreg_find(ARM_SYSREG(3, 0, 12, 12, 0)) != NULL &&
                                arm_sysreg_find(ARM_SYSREG(3, 0, 4, 6, 0)) != NULL);
    r = arm_sysreg_find(ARM_SYSREG(3, 3, 13, 0, 2));
    CHECK("plain-field-inline", r && arm_sysreg_plain_field(r, true) ==
                                         (intptr_t)offsetof(CPUARMState, tpidr_el0));
    r = arm_sysreg_find(ARM_SYSREG(3, 0, 2, 0, 0));
    CHECK("ttbr-write-not-plain", r && arm_sysreg_plain_field(r, false) < 0 &&
                                      arm_sysreg_plain_field(r, true) >= 0);
    /* models */
    CHECK("a57-ids", (env->id_aa64isar0 >> 20 & 0xf) == 0 && (env->id_aa64mmfr1 >> 20 & 0xf) == 0 &&
                         (env->id_aa64isar0 >> 16 & 0xf) == 1 && env->midr == 0x411fd070);
    CHECK("max-ids", (max->env.id_aa64isar0 >> 20 & 0xf) == 2 &&
                         (max->env.id_aa64mmfr1 >> 20 & 0xf) == 2);
    CHECK("pfr0-el0-el1-only", (env->id_aa64pfr0 & 0xffff) == 0x0011);
    CHECK("mpidr", a57->env.mpidr == 0x80000000ull && max->env.mpidr == 0x80000001ull);
    CHECK("model-names", arm_cpu_model_valid("cortex-a57") && arm_cpu_model_valid("max") &&
                             !arm_cpu_model_valid("cortex-a72") && arm_cpu_models[2] == NULL);
}

static void test_class_hooks(void)
{
    const CPUClass *cc = &arm_cpu_class;
    CHECK("cpuclass-complete", cc->init && cc->reset && cc->tcg_init && cc->get_tb_cpu_state &&
                                   cc->translate && cc->restore_state && cc->exec_interrupt &&
                                   cc->do_interrupt && cc->has_work && cc->tlb_fill &&
                                   cc->do_unaligned_access && cc->do_transaction_failed &&
                                   cc->mmu_index && cc->dump_state && cc->get_pc &&
                                   cc->instance_size == sizeof(ARMCPU) &&
                                   strcmp(cc->arch, "aarch64") == 0);
}

static void test_tb_flags(ARMCPU *cpu)
{
    CPUARMState *env = &cpu->env;
    uint64_t pc, cs_base;
    uint32_t flags;
    pstate_write(env, PSTATE_SP | (1u << PSTATE_EL_SHIFT) | (env->has_pan ? PSTATE_PAN : 0));
    arm_sysreg_write(env, ARM_SYSREG(3, 0, 1, 0, 2), 1u << 20, 0); /* FP at EL1 only */
    env->pc = 0x1000;
    arm_cpu_class.get_tb_cpu_state(&cpu->parent, &pc, &cs_base, &flags);
    CHECK("tbflags-el1", pc == 0x1000 && ((flags >> TBF_EL_SHIFT) & 3) == 1 &&
                             (flags & TBF_FPEN) && (flags & TBF_SPSEL) &&
                             ((flags >> TBF_MMUIDX_SHIFT) & 3) ==
                                 (unsigned)(env->has_pan ? ARM_MMU_EL1_PAN : ARM_MMU_EL1));
    pstate_write(env, 0);
    arm_cpu_class.get_tb_cpu_state(&cpu->parent, &pc, &cs_base, &flags);
    CHECK("tbflags-el0-fp-trapped", ((flags >> TBF_EL_SHIFT) & 3) == 0 && !(flags & TBF_FPEN) &&
                                        ((flags >> TBF_MMUIDX_SHIFT) & 3) == ARM_MMU_EL0);
    CHECK("mmu-index-hook", arm_cpu_class.mmu_index(&cpu->parent, true) == ARM_MMU_EL0);
}

/* the cached TB flags must track every state change that feeds them */
static void test_hflags_cache(ARMCPU *cpu)
{
    CPUARMState *env = &cpu->env;
    CPUState *cs = &cpu->parent;
    bool ok = true;
#define HF_OK() (ok &= env->hflags == arm_compute_hflags(env))
    arm_cpu_class.reset(cs);
    HF_OK();
    arm_sysreg_write(env, ARM_SYSREG(3, 0, 1, 0, 2), 3u << 20, 0); /* CPACR */
    HF_OK();
    arm_sysreg_write(env, ARM_SYSREG(3, 0, 1, 0, 0), SCTLR_UMA, 0); /* SCTLR */
    HF_OK();
    helper_msr_i_pstate(cs, 0x05, 0); /* SPSel #0 */
    HF_OK();
    arm_sysreg_write(env, ARM_SYSREG(3, 0, 4, 2, 0), 1, 0); /* SPSel */
    HF_OK();
    if (env->has_pan) {
        helper_msr_i_pstate(cs, 0x04, 1);
        HF_OK();
        arm_sysreg_write(env, ARM_SYSREG(3, 0, 4, 2, 3), 0, 0);
        HF_OK();
    }
    env->spsr_el1 = 0;
    env->elr_el1 = 0x1000;
    helper_eret(cs); /* to EL0 */
    HF_OK();
    take(cpu, ARM_EXCP_SWI, syn_make(EC_SVC, 0), 0); /* back to EL1 */
    HF_OK();
    arm_cpu_set_boot_state(cs, 0x40000000, 0x48000000);
    HF_OK();
    arm_cpu_power_on(cs, 0x40001000, 7);
    HF_OK();
    CHECK("hflags-cache-exact", ok);
    uint64_t pc, csb;
    uint32_t fl;
    arm_cpu_class.get_tb_cpu_state(cs, &pc, &csb, &fl);
    CHECK("hflags-in-tb-key", fl == arm_compute_hflags(env) && pc == 0x40001000);
#undef HF_OK
}

static void test_helpers(void)
{
    CHECK("udiv-by-zero", helper_udiv64(5, 0) == 0 && helper_udiv32(5, 0) == 0);
    CHECK("sdiv-by-zero", helper_sdiv64(-5, 0) == 0 && helper_sdiv32(-5, 0) == 0);
    CHECK("sdiv-overflow", helper_sdiv64(INT64_MIN, -1) == INT64_MIN &&
                               helper_sdiv32(INT32_MIN, -1) == INT32_MIN);
    CHECK("sdiv-rounds-to-zero", helper_sdiv64(-7, 2) == -3);
    CHECK("rbit", helper_rbit64(1) == 0x8000000000000000ull &&
                      helper_rbit64(0x0123456789abcdefull) == 0xf7b3d591e6a2c480ull);
    /* CRC-32 / CRC-32C of "123456789" with the usual pre/post inversion */
    const char *msg = "123456789";
    uint32_t c = ~0u, cc = ~0u;
    for (int i = 0; i < 9; i++) {
        c = helper_crc32(c, (uint8_t)msg[i], 1);
        cc = helper_crc32c(cc, (uint8_t)msg[i], 1);
    }
    CHECK("crc32-check-value", ~c == 0xcbf43926u);
    CHECK("crc32c-check-value", ~cc == 0xe3069283u);
    uint64_t w = 0x3837363534333231ull; /* "12345678" little-endian */
    uint32_t c8 = helper_crc32(~0u, w, 8);
    c8 = helper_crc32(c8, '9', 1);
    CHECK("crc32x-equals-bytes", ~c8 == 0xcbf43926u);
}

int main(void)
{
    machine.as = address_space_new("test");
    memory_map_ram(machine.as, "ram", 0x40000000, 1 << 20);
    ARMCPU *a57 = new_cpu("cortex-a57");
    ARMCPU *max = new_cpu("max");
    test_class_hooks();
    test_nzcv(a57);
    test_pstate_sp(max);
    test_exception_entry(max);
    test_interrupt_masking(a57);
    test_eret(a57);
    test_msr_imm(a57);
    test_sysregs(a57, max);
    test_tb_flags(max);
    test_hflags_cache(max);
    test_hflags_cache(a57);
    test_helpers();
    return failures ? 1 : 0;
}
