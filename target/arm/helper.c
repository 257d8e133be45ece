/*
 * helper.c — AArch64 exceptions and run-time helpers.
 *
 * Exception entry (Arm ARM D1.10, "Exception entry"): every exception is
 * taken to EL1 (there is no EL2/EL3). SPSR_EL1 <- PSTATE, ELR_EL1 <- the
 * preferred return address (env->pc, set by the raiser: the faulting
 * instruction, or the next one for SVC/HVC/SMC), ESR_EL1/FAR_EL1 from
 * env->exception, PSTATE <- EL1h with DAIF masked (and PAN set unless
 * SCTLR_EL1.SPAN, FEAT_PAN), PC <- VBAR_EL1 + offset, where the offset is
 * 0x000/0x200/0x400 for current EL with SP_EL0 / current EL with SP_ELx /
 * lower EL (AArch64), plus 0x80 IRQ, 0x100 FIQ, 0x180 SError (D1.10.2).
 */
#include <inttypes.h>

#include "target/arm/cpu.h"

#include "exec/cputlb.h"
#include "util/log.h"

#define HELPER_H "target/arm/helper.h"
#include "exec/helper-proto.h"
#include "exec/helper-info.c.inc"

static const char *excp_name(int excp)
{
    switch (excp) {
    case ARM_EXCP_UDEF: return "UNDEF/trap";
    case ARM_EXCP_SWI: return "SVC";
    case ARM_EXCP_PREFETCH: return "prefetch abort";
    case ARM_EXCP_DATA: return "data abort";
    case ARM_EXCP_IRQ: return "IRQ";
    case ARM_EXCP_FIQ: return "FIQ";
    case ARM_EXCP_BKPT: return "BRK";
    case ARM_EXCP_HVC: return "HVC";
    case ARM_EXCP_SMC: return "SMC";
    case ARM_EXCP_SERROR: return "SError";
    default: return "?";
    }
}

void arm_cpu_do_interrupt(CPUState *cs)
{
    ARMCPU *cpu = arm_cpu(cs);
    CPUARMState *env = &cpu->env;
    int excp = cs->exception_index;
    uint64_t offset;

    if (arm_current_el(env) == 0) {
        offset = 0x400;
    } else if (env->pstate & PSTATE_SP) {
        offset = 0x200;
    } else {
        offset = 0;
    }
    switch (excp) {
    case ARM_EXCP_IRQ:
        offset += 0x80;
        break;
    case ARM_EXCP_FIQ:
        offset += 0x100;
        break;
    case ARM_EXCP_SERROR:
        offset += 0x180;
        env->esr_el1 = syn_make(EC_SERROR, 0);
        break;
    default:
        env->esr_el1 = env->exception.syndrome;
        if (excp == ARM_EXCP_PREFETCH || excp == ARM_EXCP_DATA) {
            env->far_el1 = env->exception.vaddress;
        }
        break;
    }
    if (log_enabled(LOG_INT)) {
        log_printf("cpu%d: taking %s from EL%d at pc=%016" PRIx64 " ESR=%08" PRIx64
                   " FAR=%016" PRIx64 " -> %016" PRIx64 "\n",
                   cs->cpu_index, excp_name(excp), arm_current_el(env), env->pc,
                   env->esr_el1, env->far_el1, env->vbar_el1 + offset);
    }
    env->spsr_el1 = pstate_read(env);
    arm_sp_save(env);
    uint32_t ps = env->pstate & ~(PSTATE_EL_MASK | PSTATE_SS | PSTATE_IL);
    ps |= (1u << PSTATE_EL_SHIFT) | PSTATE_SP | PSTATE_DAIF;
    if (env->has_pan && !(env->sctlr_el1 & SCTLR_SPAN)) {
        ps |= PSTATE_PAN;
    }
    env->pstate = ps;
    arm_sp_load(env);
    arm_rebuild_hflags(env);
    env->elr_el1 = env->pc;
    env->pc = env->vbar_el1 + offset;
    env->excl_addr = ~0ull;
    cs->stats.exceptions++;
    cs->exception_index = EXCP_NONE;
}

bool arm_cpu_exec_interrupt(CPUState *cs, uint32_t req)
{
    CPUARMState *env = cpu_env(cs);
    int excp = -1;
    if ((req & CPU_INTERRUPT_FIQ) && !(env->pstate & PSTATE_F)) {
        excp = ARM_EXCP_FIQ;
    } else if ((req & CPU_INTERRUPT_HARD) && !(env->pstate & PSTATE_I)) {
        excp = ARM_EXCP_IRQ;
    } else if ((req & CPU_INTERRUPT_SERROR) && !(env->pstate & PSTATE_A)) {
        excp = ARM_EXCP_SERROR;
        cpu_reset_interrupt(cs, CPU_INTERRUPT_SERROR);
    }
    if (excp < 0) {
        return false;
    }
    cs->exception_index = excp;
    arm_cpu_do_interrupt(cs);
    cs->stats.interrupts++;
    return true;
}

_Noreturn void arm_raise_exception(CPUARMState *env, int excp, uint32_t syndrome,
                                   uintptr_t ra)
{
    CPUState *cs = env_cpu(env);
    env->exception.syndrome = syndrome;
    cs->exception_index = excp;
    if (ra) {
        cpu_loop_exit_restore(cs, ra);
    }
    cpu_loop_exit(cs);
}

/* ---------------------------------------------------------------- TCG helpers */

void helper_exception(CPUState *cs, uint32_t excp, uint32_t syndrome)
{
    CPUARMState *env = cpu_env(cs);
    env->exception.syndrome = syndrome;
    if ((syndrome >> 26) == EC_PCALIGN) {
        env->exception.vaddress = env->pc;
    }
    cs->exception_index = (int)excp;
    cpu_loop_exit(cs);
}

void helper_wfi(CPUState *cs)
{
    /* pc already points past the WFI; the loop sleeps until has_work() */
    __atomic_store_n(&cs->halted, 1, __ATOMIC_RELAXED);
    cs->exception_index = EXCP_HLT;
    cpu_loop_exit(cs);
}

void helper_yield(CPUState *cs)
{
    cs->exception_index = EXCP_YIELD;
    cpu_loop_exit(cs);
}

void helper_eret(CPUState *cs)
{
    CPUARMState *env = cpu_env(cs);
    uint32_t spsr = (uint32_t)env->spsr_el1;
    int new_el = (spsr >> PSTATE_EL_SHIFT) & 3;
    if ((spsr & 0x10) || new_el > 1) {
        /* illegal exception return (D1.11.4): stay at this EL, set PSTATE.IL */
        log_mask_printf(LOG_GUEST_ERROR, "cpu%d: illegal ERET spsr=%08x\n", cs->cpu_index,
                        spsr);
        spsr = (spsr & ~(PSTATE_EL_MASK | PSTATE_SP | 0x1fu)) | (env->pstate & PSTATE_EL_MASK) |
               (env->pstate & PSTATE_SP) | PSTATE_IL;
    }
    if (new_el == 0) {
        spsr &= ~PSTATE_SP;
    }
    pstate_write(env, spsr);
    env->pc = env->elr_el1;
    env->excl_addr = ~0ull;
    log_mask_printf(LOG_INT, "cpu%d: ERET to EL%d pc=%016" PRIx64 "\n", cs->cpu_index,
                    arm_current_el(env), env->pc);
}

void helper_msr_i_pstate(CPUState *cs, uint32_t op, uint32_t crm)
{
    CPUARMState *env = cpu_env(cs);
    switch (op) {
    case 0x05: /* SPSel */
        arm_sp_save(env);
        env->pstate = (env->pstate & ~PSTATE_SP) | (crm & 1);
        arm_sp_load(env);
        break;
    case 0x04: /* PAN */
        env->pstate = (env->pstate & ~PSTATE_PAN) | ((crm & 1) ? PSTATE_PAN : 0);
        break;
    case 0x1e: /* DAIFSet */
        env->pstate |= (crm << 6) & PSTATE_DAIF;
        break;
    case 0x1f: /* DAIFClr */
        env->pstate &= ~((crm << 6) & PSTATE_DAIF);
        break;
    default:
        break;
    }
    arm_rebuild_hflags(env);
}

static void do_conduit(CPUState *cs, uint32_t imm, uintptr_t ra)
{
    ARMCPU *cpu = arm_cpu(cs);
    CPUARMState *env = &cpu->env;
    (void)imm; /* like QEMU, any immediate reaches the PSCI conduit */
    if (!cpu->conduit) {
        /* no EL2/EL3: HVC/SMC are UNDEFINED unless the board answers them */
        arm_raise_exception(env, ARM_EXCP_UDEF, syn_make(EC_UNCATEGORIZED, 0), ra);
    }
    uint64_t args[4] = {env->x[0], env->x[1], env->x[2], env->x[3]};
    env->x[0] = cpu->conduit(cpu->conduit_opaque, cs, args);
}

void helper_hvc(CPUState *cs, uint32_t imm)
{
    do_conduit(cs, imm, GETPC());
}

/* ---------------------------------------------------------------- integer */

int64_t helper_sdiv64(int64_t a, int64_t b)
{
    if (b == 0) {
        return 0; /* Arm: division by zero gives 0 */
    }
    if (a == INT64_MIN && b == -1) {
        return INT64_MIN;
    }
    return a / b;
}

uint64_t helper_udiv64(uint64_t a, uint64_t b)
{
    return b ? a / b : 0;
}

int32_t helper_sdiv32(int32_t a, int32_t b)
{
    if (b == 0) {
        return 0;
    }
    if (a == INT32_MIN && b == -1) {
        return INT32_MIN;
    }
    return a / b;
}

uint32_t helper_udiv32(uint32_t a, uint32_t b)
{
    return b ? a / b : 0;
}

uint64_t helper_rbit64(uint64_t x)
{
    x = ((x >> 1) & 0x5555555555555555ull) | ((x & 0x5555555555555555ull) << 1);
    x = ((x >> 2) & 0x3333333333333333ull) | ((x & 0x3333333333333333ull) << 2);
    x = ((x >> 4) & 0x0f0f0f0f0f0f0f0full) | ((x & 0x0f0f0f0f0f0f0f0full) << 4);
    return __builtin_bswap64(x);
}

/* CRC32/CRC32C (Arm ARM C6.2.77): reflected, no pre/post inversion */
static uint32_t crc_bits(uint32_t acc, uint64_t val, uint32_t bytes, uint32_t poly)
{
    for (uint32_t i = 0; i < bytes; i++) {
        acc ^= (uint8_t)(val >> (8 * i));
        for (int b = 0; b < 8; b++) {
            acc = (acc >> 1) ^ (poly & (0u - (acc & 1)));
        }
    }
    return acc;
}

uint32_t helper_crc32(uint32_t acc, uint64_t val, uint32_t bytes)
{
    return crc_bits(acc, val, bytes, 0xedb88320u);
}

uint32_t helper_crc32c(uint32_t acc, uint64_t val, uint32_t bytes)
{
    return crc_bits(acc, val, bytes, 0x82f63b78u);
}
