/*
 * i8259.h — the PC's pair of 8259A programmable interrupt controllers
 * (Intel 8259A datasheet): master at 0x20/0x21, slave at 0xa0/0xa1
 * cascaded on master IR2, and the edge/level control registers (ELCR,
 * ports 0x4d0/0x4d1, as on the PIIX/ICH).
 *
 * Wiring (hw/i386/pc.c):
 *
 *     I8259State *pic = i8259_new(apic_lint_line(apic_get(bus, 0), 0));  // INT -> BSP LINT0
 *     apic_set_extint_source(bus, i8259_inta, pic);   // the vector at INTA
 *     pc_ioport_register(pcms, "pic1", 0x20, 2, &i8259_master_ops, pic);
 *     pc_ioport_register(pcms, "pic2", 0xa0, 2, &i8259_slave_ops, pic);
 *     pc_ioport_register(pcms, "elcr", 0x4d0, 2, &i8259_elcr_ops, pic);
 *     i8259_set_irq(pic, isa_irq, level);  // ISA IRQ 0..15
 *
 * The INT output is a level: high while the master has an unmasked request
 * of higher priority than what it has in service. One lock for the pair.
 */
#ifndef HW_I386_I8259_H
#define HW_I386_I8259_H

#include <stdbool.h>
#include <stdint.h>

#include "exec/memory.h"
#include "system/machine.h"

typedef struct I8259State I8259State;

I8259State *i8259_new(IRQLine out);
void i8259_free(I8259State *s);
void i8259_reset(I8259State *s);

/* ISA IRQ 0..15 input (1 = asserted; edge mode latches the rising edge). */
void i8259_set_irq(I8259State *s, int irq, int level);
/* IRQLine handler form: (IRQLine){ i8259_irq_handler, s, irq } */
void i8259_irq_handler(void *opaque, int irq, int level);

/* INTA cycle: the vector of the highest-priority request (it goes in
 * service), or the spurious IR7 (IR15) vector when none is left. opaque = I8259State*. */
int i8259_inta(void *opaque);

/* Port callbacks, opaque = I8259State*: offsets 0..1 of each pair of ports. */
extern const MemoryRegionOps i8259_master_ops;
extern const MemoryRegionOps i8259_slave_ops;
extern const MemoryRegionOps i8259_elcr_ops;

#endif
