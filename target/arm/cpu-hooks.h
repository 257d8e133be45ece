/*
 * cpu-hooks.h — the seam between the AArch64 CPU (target/arm) and the board
 * (hw/arm/virt.c and its devices). The CPU knows nothing of devices; the
 * board plugs these in after creating each core.
 *
 *  - GIC CPU interface: system registers with op0=3, op1=0|1, CRn=12
 *    (ICC_*; GICv3 spec §12.2 / Arm ARM D13) are forwarded to the hook,
 *    and so is ICC_PMR_EL1, which sits at op0=3, op1=0, CRn=4, CRm=6, op2=0.
 *  - Generic timer outputs: the CPU's physical/virtual timers drive these
 *    lines (level: 1 while ISTATUS && ENABLE && !IMASK); the board wires
 *    them to the core's PPIs 30 (phys) and 27 (virt).
 *  - PSCI / HVC #0 and SMC #0: the CPU calls the conduit hook with x0..x3;
 *    the hook returns the value for x0 (and may stop/start cores).
 *  - The GIC signals IRQ/FIQ with cpu_interrupt()/cpu_reset_interrupt()
 *    (CPU_INTERRUPT_HARD / CPU_INTERRUPT_FIQ) from any thread.
 */
#ifndef TARGET_ARM_CPU_HOOKS_H
#define TARGET_ARM_CPU_HOOKS_H

#include <stdbool.h>
#include <stdint.h>

#include "exec/cpu.h"
#include "system/machine.h"

/* sysreg encoding used by the hooks: op0:op1:CRn:CRm:op2 packed as in MRS */
#define ARM_SYSREG(op0, op1, crn, crm, op2)                                            \
    (((op0) << 14) | ((op1) << 11) | ((crn) << 7) | ((crm) << 3) | (op2))

typedef struct ARMGicCpuIf {
    /* return false if the register does not exist (the CPU raises UNDEFINED) */
    bool (*read)(void *opaque, CPUState *cpu, uint32_t sysreg, uint64_t *val);
    bool (*write)(void *opaque, CPUState *cpu, uint32_t sysreg, uint64_t val);
    void *opaque;
} ARMGicCpuIf;

enum { ARM_TIMER_PHYS = 0, ARM_TIMER_VIRT = 1, ARM_NB_TIMERS = 2 };

/* returns the x0 result; args[0..3] = x0..x3 at the call */
typedef uint64_t (*ARMConduitFn)(void *opaque, CPUState *cpu, const uint64_t args[4]);

void arm_cpu_set_gic_cpuif(CPUState *cpu, const ARMGicCpuIf *ifc);
void arm_cpu_set_timer_irq(CPUState *cpu, int timer, IRQLine line);
void arm_cpu_set_conduit(CPUState *cpu, ARMConduitFn fn, void *opaque);
/* Start a powered-off core at entry with x0 = context_id, EL1h, MMU off (PSCI CPU_ON). */
void arm_cpu_power_on(CPUState *cpu, uint64_t entry, uint64_t context_id);
/* Boot-CPU entry per Documentation/arm64/booting.rst: x0 = dtb, x1..x3 = 0. */
void arm_cpu_set_boot_state(CPUState *cpu, uint64_t entry, uint64_t dtb_addr);
/* CNTFRQ in Hz and the counter (both cores read the same host clock). */
uint64_t arm_cpu_counter_freq(void);
uint64_t arm_cpu_counter_now(void);

#endif
