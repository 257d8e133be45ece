/*
 * i8254.h — the 8254 programmable interval timer (Intel 8254 datasheet) at
 * ports 0x40-0x43, and port 0x61 ("port B": channel 2 gate in bit 0,
 * speaker enable bit 1, refresh toggle bit 4, OUT2 in bit 5), which Linux
 * reads to calibrate the TSC.
 *
 * Target-independent: takes an IRQLine for channel 0's OUT (ISA IRQ 0);
 * the board wires it. Counting runs on the host monotonic clock at
 * 1.193182 MHz; channel 0 raises its line from a host timer only while its
 * interrupt can fire (nothing runs when the guest has stopped it).
 *
 *     PITState *pit = pit_new(pc_isa_irq0_line);
 *     pc_ioport_register(pcms, "pit", 0x40, 4, &pit_ops, pit);
 *     pc_ioport_register(pcms, "port61", 0x61, 1, &pit_port61_ops, pit);
 */
#ifndef HW_TIMER_I8254_H
#define HW_TIMER_I8254_H

#include <stdbool.h>
#include <stdint.h>

#include "exec/memory.h"
#include "system/machine.h"

#define PIT_FREQ_HZ 1193182ull

typedef struct PITState PITState;

PITState *pit_new(IRQLine irq0);
void pit_free(PITState *s);
void pit_reset(PITState *s);

/* opaque = PITState*: ports 0x40..0x43 (offset 0..3), and port 0x61 (offset 0) */
extern const MemoryRegionOps pit_ops;
extern const MemoryRegionOps pit_port61_ops;

/* Channel 0 enable: the HPET's legacy replacement route takes IRQ 0 away
 * from the PIT (IA-PC HPET §2.3.9.3); the board may wire this. */
void pit_set_irq0_enabled(PITState *s, bool enabled);

/* Channel ch's OUT pin now (tests, the board). */
int pit_get_out(PITState *s, int ch);

#endif
