/*
 * pl031.h — Arm PrimeCell real-time clock PL031 (Arm DDI 0224): a 32-bit
 * seconds counter that runs from host wall-clock time.
 */
#ifndef HW_RTC_PL031_H
#define HW_RTC_PL031_H

#include <stdint.h>

#include "exec/memory.h"
#include "system/machine.h"

#define PL031_MMIO_SIZE 0x1000

typedef struct PL031State PL031State;

PL031State *pl031_new(IRQLine irq);
void pl031_free(PL031State *s);
/* System reset: match, mask and interrupt cleared; the counter keeps running. */
void pl031_reset(PL031State *s);
void pl031_map(PL031State *s, AddressSpace *as, uint64_t base);
uint64_t pl031_read(void *opaque, uint64_t offset, unsigned size);
void pl031_write(void *opaque, uint64_t offset, uint64_t value, unsigned size);
/* Seconds source (host CLOCK_REALTIME by default); tests may replace it. */
void pl031_set_clock(PL031State *s, uint64_t (*now)(void *), void *opaque);

#define RTCDR 0x00
#define RTCMR 0x04
#define RTCLR 0x08
#define RTCCR 0x0c
#define RTCIMSC 0x10
#define RTCRIS 0x14
#define RTCMIS 0x18
#define RTCICR 0x1c
#define RTCPERIPHID0 0xfe0

#endif
