/*
 * hpet.h — the High Precision Event Timer (IA-PC HPET Specification 1.0a)
 * at PC_HPET_BASE: 3 comparators, 64-bit main counter at 14.31818 MHz from
 * the host monotonic clock, one-shot and periodic comparators, edge or level
 * interrupts routed to IOAPIC inputs (Tn_INT_ROUTE_CNF) or, in legacy
 * replacement mode, timer 0 to ISA IRQ 0 and timer 1 to ISA IRQ 8.
 *
 * Target-independent: the board gives IRQLines, never pc_*() from here.
 *
 *     IRQLine gsi[HPET_NUM_ROUTES];   // gsi[n] drives IOAPIC input n
 *     HPETState *h = hpet_new(gsi, pc_isa_irq0_line, pc_isa_irq8_line);
 *     memory_map_mmio(m->as, "hpet", PC_HPET_BASE, HPET_MMIO_SIZE, &hpet_mmio_ops, h);
 *     hpet_set_legacy_notify(h, fn, opaque);   // e.g. pit_set_irq0_enabled(pit, !on)
 */
#ifndef HW_TIMER_HPET_H
#define HW_TIMER_HPET_H

#include <stdbool.h>
#include <stdint.h>

#include "exec/memory.h"
#include "system/machine.h"

#define HPET_MMIO_SIZE 0x400ull
#define HPET_NUM_TIMERS 3
#define HPET_NUM_ROUTES 24  /* IOAPIC inputs a comparator may name in Tn_INT_ROUTE_CNF */
#define HPET_FREQ_HZ 14318180ull
#define HPET_PERIOD_FS 69841279ull /* femtoseconds per tick: 1e15 / 14.31818 MHz */
/* Tn_INT_ROUTE_CAP: IOAPIC inputs 20..23 (free of ISA and the pc's PCI INTx use) */
#define HPET_ROUTE_CAP 0x00f00000u

typedef struct HPETState HPETState;

/* gsi: HPET_NUM_ROUTES lines (entries may have a NULL handler: not routable);
 * legacy_irq0 / legacy_irq8: the ISA IRQ 0 and 8 lines of legacy replacement. */
HPETState *hpet_new(const IRQLine *gsi, IRQLine legacy_irq0, IRQLine legacy_irq8);
void hpet_free(HPETState *s);
void hpet_reset(HPETState *s);

/* opaque = HPETState* */
extern const MemoryRegionOps hpet_mmio_ops;

/* fn(opaque, on) whenever LEG_RT_CNF (with ENABLE_CNF) changes. */
void hpet_set_legacy_notify(HPETState *s, void (*fn)(void *opaque, bool on), void *opaque);

#endif
