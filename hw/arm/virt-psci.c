/*
 * virt-psci.c — PSCI 1.0 (Arm DEN 0022D) answered in C: the board is its own
 * firmware. The CPU calls virt_psci_call() for HVC #0 / SMC #0 with x0..x3.
 *
 * Power state: b->power[i] (VIRT_CPU_ON/OFF) is what AFFINITY_INFO reports
 * and what CPU_ON changes with a compare-and-swap, so two cores racing to
 * start the same core get SUCCESS once and ALREADY_ON once. cpu->stopped is
 * what the run loop obeys.
 *
 * CPU_OFF marks the calling core stopped, then leaves generated code at once
 * with cpu_loop_exit() (exception_index = EXCP_INTERRUPT, so the loop just
 * re-checks the core, sees it stopped and parks it): no further guest
 * instruction or register write-back of the dying core can race with a
 * later CPU_ON from another core. CPU_ON resets the target through
 * arm_cpu_power_on() (entry, x0 = context_id, EL1h, MMU off) and kicks it.
 *
 * SMC32 calls (bit 30 of the function ID clear) use only the low 32 bits of
 * their arguments and return a 32-bit result (SMCCC §2.5).
 */
#include "hw/arm/virt.h"

#include <inttypes.h>

#include "coremu/coremu.h"
#include "reemu/reemu.h"
#include "system/cpus.h"
#include "target/arm/cpu.h"
#include "util/log.h"

#define PSCI_VERSION_1_0 0x00010000u
#define MIGRATE_INFO_TYPE_NOT_PRESENT 2 /* no Trusted OS needs migrating */

static bool psci_implemented(uint32_t fn)
{
    switch (fn) {
    case PSCI_VERSION:
    case PSCI_CPU_SUSPEND_32: case PSCI_CPU_SUSPEND_64:
    case PSCI_CPU_OFF:
    case PSCI_CPU_ON_32: case PSCI_CPU_ON_64:
    case PSCI_AFFINITY_INFO_32: case PSCI_AFFINITY_INFO_64:
    case PSCI_MIGRATE_INFO_TYPE:
    case PSCI_SYSTEM_OFF:
    case PSCI_SYSTEM_RESET:
    case PSCI_FEATURES:
        return true;
    default:
        return false;
    }
}

static void psci_power_on_fn(CPUState *cpu, void *opaque)
{
    const uint64_t *args = opaque;
    arm_cpu_power_on(cpu, args[0], args[1]);
}

static int64_t psci_cpu_on(VirtBoard *b, uint64_t target, uint64_t entry, uint64_t ctx)
{
    int idx = virt_cpu_by_mpidr(b, target);
    if (idx < 0 || (target & ~0xff00ffffffull)) {
        return PSCI_RET_INVALID_PARAMS;
    }
    if (!memory_ram_ptr(b->m->as, entry, 4) || (entry & 3)) {
        return PSCI_RET_INVALID_ADDRESS;
    }
    uint32_t expect = VIRT_CPU_OFF;
    if (!__atomic_compare_exchange_n(&b->power[idx], &expect, VIRT_CPU_ON, false,
                                     __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        return PSCI_RET_ALREADY_ON;
    }
    CPUState *cpu = b->m->cpus[idx];
    /* the target is powered off, i.e. parked asleep (or about to be): reset it
     * while it is claimed, so neither it nor a TLB shootdown flushing it in
     * place can touch its state meanwhile */
    uint64_t args[2] = {entry, ctx};
    reemu_solo_end(); /* record/replay: another core may run from here */
    coremu_run_on_sleeping(cpu, psci_power_on_fn, args);
    cpu_kick(cpu);
    log_mask_printf(LOG_INT, "psci: CPU_ON core %d at 0x%" PRIx64 "\n", idx, entry);
    return PSCI_RET_SUCCESS;
}

static int64_t psci_affinity_info(VirtBoard *b, uint64_t target, uint64_t level)
{
    if (level != 0) {
        return PSCI_RET_INVALID_PARAMS; /* only level 0 (one core) is tracked */
    }
    int idx = virt_cpu_by_mpidr(b, target);
    if (idx < 0) {
        return PSCI_RET_INVALID_PARAMS;
    }
    /* 0 = ON, 1 = OFF (ON_PENDING never shows: CPU_ON completes at once) */
    return __atomic_load_n(&b->power[idx], __ATOMIC_ACQUIRE) == VIRT_CPU_ON ? 0 : 1;
}

_Noreturn static void psci_cpu_off(VirtBoard *b, CPUState *cpu)
{
    log_mask_printf(LOG_INT, "psci: CPU_OFF core %d\n", cpu->cpu_index);
    __atomic_store_n(&cpu->stopped, 1, __ATOMIC_RELEASE);
    cpu_reset_interrupt(cpu, CPU_INTERRUPT_HARD | CPU_INTERRUPT_FIQ);
    cpu_exit(cpu);
    __atomic_store_n(&b->power[cpu->cpu_index], VIRT_CPU_OFF, __ATOMIC_RELEASE);
    cpu->exception_index = EXCP_INTERRUPT;
    cpu_loop_exit(cpu);
}

uint64_t virt_psci_call(void *opaque, CPUState *cpu, const uint64_t args[4])
{
    VirtBoard *b = opaque;
    uint32_t fn = (uint32_t)args[0];
    bool smc64 = (fn & 0x40000000u) != 0;
    uint64_t a1 = smc64 ? args[1] : (uint32_t)args[1];
    uint64_t a2 = smc64 ? args[2] : (uint32_t)args[2];
    uint64_t a3 = smc64 ? args[3] : (uint32_t)args[3];
    int64_t ret;

    if ((uint32_t)(args[0] >> 32) != 0) {
        fn = 0xffffffffu; /* function IDs are 32-bit: no such function */
    }
    switch (fn) {
    case PSCI_VERSION:
        ret = PSCI_VERSION_1_0;
        break;
    case PSCI_CPU_SUSPEND_32:
    case PSCI_CPU_SUSPEND_64:
        /* a standby that was woken at once: allowed, the caller re-checks */
        ret = PSCI_RET_SUCCESS;
        break;
    case PSCI_CPU_OFF:
        psci_cpu_off(b, cpu);
    case PSCI_CPU_ON_32:
    case PSCI_CPU_ON_64:
        ret = psci_cpu_on(b, a1, a2, a3);
        break;
    case PSCI_AFFINITY_INFO_32:
    case PSCI_AFFINITY_INFO_64:
        ret = psci_affinity_info(b, a1, a2);
        break;
    case PSCI_MIGRATE_INFO_TYPE:
        ret = MIGRATE_INFO_TYPE_NOT_PRESENT;
        break;
    case PSCI_SYSTEM_OFF:
        machine_request_shutdown(b->m, 1, 0);
        cpu_exit(cpu);
        ret = PSCI_RET_SUCCESS;
        break;
    case PSCI_SYSTEM_RESET:
        machine_request_shutdown(b->m, 2, 0);
        cpu_exit(cpu);
        ret = PSCI_RET_SUCCESS;
        break;
    case PSCI_FEATURES:
        /* CPU_SUSPEND: flags 0 = original power_state format, no OS-initiated mode */
        ret = psci_implemented((uint32_t)a1) ? PSCI_RET_SUCCESS : PSCI_RET_NOT_SUPPORTED;
        break;
    default:
        log_mask_printf(LOG_UNIMP, "psci: unknown function 0x%x\n", fn);
        ret = PSCI_RET_NOT_SUPPORTED;
        break;
    }
    /* SMCCC leaves the top half of x0 unknown for SMC32 calls; like QEMU's
     * virt (the test oracle), return the sign-extended value in both cases */
    return (uint64_t)ret;
}
