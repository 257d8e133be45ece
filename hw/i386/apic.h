/*
 * apic.h — the local APIC of every x86 core (Intel SDM Vol. 3A ch. 11
 * "Advanced Programmable Interrupt Controller"): xAPIC MMIO at
 * PC_LAPIC_BASE and x2APIC MSRs 0x800.., timer (one-shot, periodic,
 * TSC-deadline), IPIs, LINT0/LINT1, and the APIC bus that carries MSIs and
 * IOAPIC messages to the APICs and EOIs back to the IOAPIC.
 *
 * Wiring (hw/i386/pc.c, at machine init, after the CPUs exist):
 *
 *     APICBus *bus = apic_init(m);              // one APIC per m->cpus[i], hooks installed
 *     memory_map_mmio(m->as, "lapic", PC_LAPIC_BASE, APIC_MMIO_SIZE, &apic_mmio_ops, bus);
 *     IOAPICState *io = ioapic_new(m);          // hw/i386/ioapic.h
 *     I8259State *pic = i8259_new(apic_lint_line(apic_get(bus, 0), 0));
 *     apic_set_extint_source(bus, i8259_inta, pic);
 *     ... pc_msi_send(pcms, addr, data) -> apic_msi_deliver(m, addr, data)
 *
 * APIC ID = cpu_index (what CPUID.1:EBX[31:24] reports). Each APIC has its
 * own lock; nothing here takes a global lock. A core's hot paths (EOI, TPR,
 * its own timer, INTA) touch only its own APIC; an IPI or an MSI locks only
 * the target's APIC, sets IRR and raises CPU_INTERRUPT_HARD on the target.
 */
#ifndef HW_I386_APIC_H
#define HW_I386_APIC_H

#include <stdbool.h>
#include <stdint.h>

#include "exec/cpu.h"
#include "exec/memory.h"
#include "system/machine.h"

#define APIC_MMIO_SIZE 0x1000ull

/* Delivery modes (ICR[10:8], IOAPIC redirection entry [10:8], MSI data [10:8]) */
enum {
    APIC_DM_FIXED = 0,
    APIC_DM_LOWEST = 1,
    APIC_DM_SMI = 2,
    APIC_DM_NMI = 4,
    APIC_DM_INIT = 5,
    APIC_DM_SIPI = 6,
    APIC_DM_EXTINT = 7,
};

typedef struct APICState APICState; /* one core's local APIC */
typedef struct APICBus APICBus;     /* every local APIC of one machine */

/*
 * Create the local APIC of each core m->cpus[0..m->ncpus), install the
 * X86ApicHooks (x2APIC MSRs, IA32_APIC_BASE, CR8, INTA) on each, and return
 * the machine's bus. Once per machine, at init.
 */
APICBus *apic_init(Machine *m);
void apic_bus_free(APICBus *bus);
/* The bus apic_init made for m (NULL if none). */
APICBus *apic_bus_of(Machine *m);
/* The APIC with this APIC ID, or NULL. */
APICState *apic_get(APICBus *bus, uint32_t apic_id);
/* Power-on state of every APIC (machine reset). */
void apic_bus_reset(APICBus *bus);

/*
 * xAPIC MMIO, opaque = APICBus*. The register file seen is the accessing
 * core's own (the core is found from the calling thread, see apic.c).
 */
extern const MemoryRegionOps apic_mmio_ops;
/* The same registers for an explicit core (unit tests, debuggers). */
uint64_t apic_mmio_read_cpu(APICState *s, uint64_t offset, unsigned size);
void apic_mmio_write_cpu(APICState *s, uint64_t offset, uint64_t val, unsigned size);

/* An MSI/MSI-X write (addr 0xfeeX_XXXX, data) from any thread (SDM §11.11). */
void apic_msi_deliver(Machine *m, uint64_t addr, uint32_t data);

/*
 * A message on the APIC bus (IOAPIC, MSI): delivery mode APIC_DM_*, dest an
 * APIC ID (physical, 0xff/0xffffffff broadcast) or a logical destination
 * matched against each LDR/DFR. trigger_level: a level-triggered fixed
 * interrupt sets TMR, so its EOI is broadcast to the EOI listener.
 */
void apic_bus_deliver(APICBus *bus, uint32_t dest, bool logical, int delivery_mode,
                      uint8_t vector, bool trigger_level);
/* Called (outside any APIC lock) with the vector of every EOI of a
 * level-triggered interrupt: the IOAPIC clears remote IRR there. */
void apic_bus_set_eoi_listener(APICBus *bus, void (*fn)(void *opaque, uint8_t vector),
                               void *opaque);

/* LINT0/LINT1 inputs (level, 1 = asserted), handled per LVT LINTn. */
void apic_set_lint(APICState *s, int lint, int level);
IRQLine apic_lint_line(APICState *s, int lint);
/* The 8259's INTA: returns the vector of an ExtINT interrupt (LVT LINT0 in
 * ExtINT mode, or an IOAPIC pin in ExtINT mode). */
void apic_set_extint_source(APICBus *bus, int (*inta)(void *opaque), void *opaque);

/* The X86ApicHooks entry points, for an explicit APIC (unit tests). */
bool apic_rdmsr(APICState *s, uint32_t msr, uint64_t *val);
bool apic_wrmsr(APICState *s, uint32_t msr, uint64_t val);
void apic_set_base(APICState *s, uint64_t val);
int apic_get_interrupt(APICState *s); /* INTA: the vector now in service, or the spurious vector */
CPUState *apic_cpu(APICState *s);

#define MSR_IA32_TSC_DEADLINE 0x6e0

#endif
