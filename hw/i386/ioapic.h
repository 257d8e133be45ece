/*
 * ioapic.h — the I/O APIC (Intel 82093AA datasheet): 24 redirection
 * entries at PC_IOAPIC_BASE (IOREGSEL at +0x00, IOWIN at +0x10, EOI at
 * +0x40 as on the ICH's version 0x20), delivering messages to the local
 * APICs through the machine's APIC bus (hw/i386/apic.h), and taking their
 * EOI broadcasts for level-triggered entries (remote IRR).
 *
 * Wiring (hw/i386/pc.c, after apic_init(m)):
 *
 *     IOAPICState *io = ioapic_new(m);
 *     memory_map_mmio(m->as, "ioapic", PC_IOAPIC_BASE, IOAPIC_MMIO_SIZE, &ioapic_mmio_ops, io);
 *     ioapic_set_irq(io, pin, level);     // or irq_set(&line) with line = ioapic_irq_line(io, pin)
 *
 * level is the logical state of the input (1 = asserted): the polarity bit
 * of an entry (RTE[13]) is stored for the guest to read back but not applied,
 * so the board passes "asserted" for active-low PCI INTx lines too.
 * One lock per IOAPIC; any thread.
 */
#ifndef HW_I386_IOAPIC_H
#define HW_I386_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "exec/memory.h"
#include "system/machine.h"

#define IOAPIC_NUM_PINS 24
#define IOAPIC_MMIO_SIZE 0x1000ull
#define IOAPIC_DEFAULT_ID 0 /* the MADT's IOAPIC ID when no other is given */

typedef struct IOAPICState IOAPICState;

/* Create the IOAPIC of machine m (apic_init(m) first), with IOAPIC ID
 * IOAPIC_DEFAULT_ID; registers itself as the APIC bus's EOI listener. */
IOAPICState *ioapic_new(Machine *m);
void ioapic_free(IOAPICState *s);
void ioapic_reset(IOAPICState *s); /* every entry masked, edge, fixed */

/* opaque = IOAPICState* */
extern const MemoryRegionOps ioapic_mmio_ops;

/* Drive input pin (0..IOAPIC_NUM_PINS-1). Any thread. */
void ioapic_set_irq(IOAPICState *s, int pin, int level);
/* IRQLine handler form: (IRQLine){ ioapic_irq_handler, s, pin } */
void ioapic_irq_handler(void *opaque, int pin, int level);
IRQLine ioapic_irq_line(IOAPICState *s, int pin);

/* An EOI for vector (what the local APICs broadcast; also the +0x40 register). */
void ioapic_eoi(IOAPICState *s, uint8_t vector);

#endif
