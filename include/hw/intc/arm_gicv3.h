/*
 * arm_gicv3.h — GICv3 interrupt controller: distributor, redistributors and
 * the system-register CPU interface (Arm IHI 0069, "GICv3 and GICv4").
 *
 * Model: one security state (GICD_CTLR.DS = 1, affinity routing always on),
 * no LPIs/ITS, 5 priority bits, up to 1020 interrupt IDs. Only Group 1
 * interrupts are delivered (as IRQ); Group 0 state is stored but never
 * signalled. All state sits behind one mutex per GIC.
 *
 * Wiring:
 *   - devices drive SPIs through gicv3_spi_line(gic, n) (INTID 32 + n);
 *   - per-core sources (timers) drive PPIs through gicv3_ppi_line(gic, cpu, intid);
 *   - each core's IRQ output is an IRQLine set with gicv3_connect_cpu();
 *     the board routes it to cpu_interrupt()/cpu_reset_interrupt() (every
 *     level change of a core's output goes through gicv3_signal(), the one
 *     place to swap when signals travel through per-core inboxes);
 *   - the CPU interface is gicv3_cpuif (an ARMGicCpuIf-compatible pair of
 *     callbacks) or gicv3_cpuif_access() by core index.
 */
#ifndef HW_INTC_ARM_GICV3_H
#define HW_INTC_ARM_GICV3_H

#include <stdbool.h>
#include <stdint.h>

#include "exec/cpu.h"
#include "exec/memory.h"
#include "system/machine.h"

#define GICV3_DIST_SIZE 0x10000ull
#define GICV3_REDIST_SIZE 0x20000ull /* RD_base frame + SGI_base frame */
#define GICV3_MAXIRQ 1020
#define GICV3_INTID_SPURIOUS 1023

typedef struct GICv3State GICv3State;

/*
 * Create a GIC with num_irq interrupt IDs (a multiple of 32, 64..1020 incl.
 * SGIs/PPIs) for ncpus cores, whose MPIDR affinity values (Aff3:Aff2:Aff1:Aff0
 * packed as in GICR_TYPER[63:32]) are given in affinity[].
 */
GICv3State *gicv3_new(int ncpus, int num_irq, const uint32_t *affinity);
void gicv3_free(GICv3State *s);
void gicv3_reset(GICv3State *s);

/* Map the distributor (64 KiB) and the redistributors of cores [first, first+n) at base. */
void gicv3_map_dist(GICv3State *s, AddressSpace *as, uint64_t base);
void gicv3_map_redist(GICv3State *s, AddressSpace *as, uint64_t base, int first, int n);

/* MMIO callbacks (exposed for unit tests; opaque = GICv3State*). */
uint64_t gicv3_dist_read(void *opaque, uint64_t offset, unsigned size);
void gicv3_dist_write(void *opaque, uint64_t offset, uint64_t value, unsigned size);
/* Redistributor of core `cpu` (offset within its 128 KiB pair of frames). */
uint64_t gicv3_redist_read(GICv3State *s, int cpu, uint64_t offset, unsigned size);
void gicv3_redist_write(GICv3State *s, int cpu, uint64_t offset, uint64_t value,
                        unsigned size);

/* Input lines. */
IRQLine gicv3_spi_line(GICv3State *s, int spi);             /* INTID 32 + spi */
IRQLine gicv3_ppi_line(GICv3State *s, int cpu, int intid);  /* 16 <= intid < 32 */
void gicv3_set_irq(GICv3State *s, int cpu, int intid, int level);

/* Output: the core's IRQ line (level). */
void gicv3_connect_cpu(GICv3State *s, int cpu, IRQLine irq);
/* Group 0 interrupts are signalled on this line (the core's FIQ). */
void gicv3_connect_cpu_fiq(GICv3State *s, int cpu, IRQLine fiq);
int gicv3_cpu_irq_level(GICv3State *s, int cpu);

/*
 * CPU interface: ICC_* system registers (sysreg packed as ARM_SYSREG()).
 * Returns false if the register is not implemented (the CPU raises UNDEFINED).
 */
bool gicv3_cpuif_access(GICv3State *s, int cpu, uint32_t sysreg, bool is_write,
                        uint64_t *val);
bool gicv3_cpuif_read(void *opaque, CPUState *cpu, uint32_t sysreg, uint64_t *val);
bool gicv3_cpuif_write(void *opaque, CPUState *cpu, uint32_t sysreg, uint64_t val);

/* ICC register encodings (op0=3, op1=0), Arm IHI 0069 §12.2 */
#define GIC_SYSREG(crn, crm, op2) ((3u << 14) | ((crn) << 7) | ((crm) << 3) | (op2))
#define ICC_PMR_EL1 GIC_SYSREG(4, 6, 0)
#define ICC_IAR0_EL1 GIC_SYSREG(12, 8, 0)
#define ICC_EOIR0_EL1 GIC_SYSREG(12, 8, 1)
#define ICC_HPPIR0_EL1 GIC_SYSREG(12, 8, 2)
#define ICC_BPR0_EL1 GIC_SYSREG(12, 8, 3)
#define ICC_AP0R0_EL1 GIC_SYSREG(12, 8, 4) /* ..AP0R3: op2 4..7 */
#define ICC_AP1R0_EL1 GIC_SYSREG(12, 9, 0) /* ..AP1R3: op2 0..3 */
#define ICC_DIR_EL1 GIC_SYSREG(12, 11, 1)
#define ICC_RPR_EL1 GIC_SYSREG(12, 11, 3)
#define ICC_SGI1R_EL1 GIC_SYSREG(12, 11, 5)
#define ICC_ASGI1R_EL1 GIC_SYSREG(12, 11, 6)
#define ICC_SGI0R_EL1 GIC_SYSREG(12, 11, 7)
#define ICC_IAR1_EL1 GIC_SYSREG(12, 12, 0)
#define ICC_EOIR1_EL1 GIC_SYSREG(12, 12, 1)
#define ICC_HPPIR1_EL1 GIC_SYSREG(12, 12, 2)
#define ICC_BPR1_EL1 GIC_SYSREG(12, 12, 3)
#define ICC_CTLR_EL1 GIC_SYSREG(12, 12, 4)
#define ICC_SRE_EL1 GIC_SYSREG(12, 12, 5)
#define ICC_IGRPEN0_EL1 GIC_SYSREG(12, 12, 6)
#define ICC_IGRPEN1_EL1 GIC_SYSREG(12, 12, 7)

/* Distributor / redistributor register offsets used by tests and the board */
#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_IIDR 0x0008
#define GICD_IGROUPR 0x0080
#define GICD_ISENABLER 0x0100
#define GICD_ICENABLER 0x0180
#define GICD_ISPENDR 0x0200
#define GICD_ICPENDR 0x0280
#define GICD_ISACTIVER 0x0300
#define GICD_ICACTIVER 0x0380
#define GICD_IPRIORITYR 0x0400
#define GICD_ICFGR 0x0c00
#define GICD_IROUTER 0x6000
#define GICD_PIDR2 0xffe8
#define GICD_CTLR_EN_GRP0 (1u << 0)
#define GICD_CTLR_EN_GRP1 (1u << 1)
#define GICD_CTLR_ARE (1u << 4)
#define GICD_CTLR_DS (1u << 6)

#define GICR_CTLR 0x0000
#define GICR_IIDR 0x0004
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_PIDR2 0xffe8
#define GICR_SGI_BASE 0x10000
#define GICR_IGROUPR0 (GICR_SGI_BASE + 0x0080)
#define GICR_ISENABLER0 (GICR_SGI_BASE + 0x0100)
#define GICR_ICENABLER0 (GICR_SGI_BASE + 0x0180)
#define GICR_ISPENDR0 (GICR_SGI_BASE + 0x0200)
#define GICR_ICPENDR0 (GICR_SGI_BASE + 0x0280)
#define GICR_ISACTIVER0 (GICR_SGI_BASE + 0x0300)
#define GICR_ICACTIVER0 (GICR_SGI_BASE + 0x0380)
#define GICR_IPRIORITYR (GICR_SGI_BASE + 0x0400)
#define GICR_ICFGR0 (GICR_SGI_BASE + 0x0c00)
#define GICR_ICFGR1 (GICR_SGI_BASE + 0x0c04)
#define GICR_WAKER_PS (1u << 1)
#define GICR_WAKER_CA (1u << 2)

#endif
