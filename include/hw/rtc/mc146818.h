/*
 * mc146818.h — the Motorola MC146818 real-time clock and CMOS RAM (the
 * PC's "CMOS RTC" at ports 0x70/0x71).
 *
 * Two ports: an index register (bit 7 of a write to it is the NMI mask on a
 * PC, kept but unused) and a data register. Time runs from the host's
 * CLOCK_REALTIME plus an offset the guest sets through the SET bit; BCD or
 * binary and 12/24-hour formats per register B; periodic, alarm and
 * update-ended interrupts on the IRQ line (level: register C's IRQF).
 */
#ifndef HW_RTC_MC146818_H
#define HW_RTC_MC146818_H

#include <stdint.h>

#include "exec/memory.h"
#include "system/machine.h"

typedef struct MC146818State MC146818State;

MC146818State *mc146818_new(IRQLine irq);
void mc146818_free(MC146818State *s);
void mc146818_reset(MC146818State *s);

/* Port callbacks: offset 0 = index, 1 = data (opaque = the state). */
uint64_t mc146818_read(void *opaque, uint64_t offset, unsigned size);
void mc146818_write(void *opaque, uint64_t offset, uint64_t value, unsigned size);
extern const MemoryRegionOps mc146818_ops;

/* Board set-up: a CMOS byte (index 0x0e..0x7f) as firmware would leave it. */
void mc146818_set_cmos(MC146818State *s, unsigned index, uint8_t value);
/* Wall-clock source in ns since the epoch (CLOCK_REALTIME by default); for tests. */
void mc146818_set_clock(MC146818State *s, uint64_t (*now_ns)(void *), void *opaque);

/* Register indices (MC146818A data sheet, Figure 3) */
#define RTC_SECONDS 0x00
#define RTC_SECONDS_ALARM 0x01
#define RTC_MINUTES 0x02
#define RTC_MINUTES_ALARM 0x03
#define RTC_HOURS 0x04
#define RTC_HOURS_ALARM 0x05
#define RTC_DAY_OF_WEEK 0x06
#define RTC_DAY_OF_MONTH 0x07
#define RTC_MONTH 0x08
#define RTC_YEAR 0x09
#define RTC_REG_A 0x0a
#define RTC_REG_B 0x0b
#define RTC_REG_C 0x0c
#define RTC_REG_D 0x0d
#define RTC_CENTURY 0x32 /* the ACPI FADT's CENTURY field names this byte */

#define RTC_A_UIP 0x80
#define RTC_B_SET 0x80
#define RTC_B_PIE 0x40
#define RTC_B_AIE 0x20
#define RTC_B_UIE 0x10
#define RTC_B_DM 0x04    /* binary (1) or BCD (0) */
#define RTC_B_24H 0x02
#define RTC_C_IRQF 0x80
#define RTC_C_PF 0x40
#define RTC_C_AF 0x20
#define RTC_C_UF 0x10
#define RTC_D_VRT 0x80

#endif
