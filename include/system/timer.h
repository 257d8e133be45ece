/*
 * timer.h — host clock and deadline timers for device and CPU timers.
 *
 * One timer thread serves every timer: callbacks run on that thread, so a
 * callback must only do thread-safe things (raise an IRQ line, cpu_interrupt,
 * take its device's lock). host_timer_mod() may be called from any thread.
 */
#ifndef SYSTEM_TIMER_H
#define SYSTEM_TIMER_H

#include <stdint.h>

typedef struct HostTimer HostTimer;
typedef void (*HostTimerFn)(void *opaque);

/* CLOCK_MONOTONIC in nanoseconds */
uint64_t clock_ns(void);
/* CLOCK_REALTIME in nanoseconds (RTCs) */
uint64_t clock_realtime_ns(void);

HostTimer *host_timer_new(HostTimerFn fn, void *opaque);
/* Fire once at deadline (clock_ns() time base); replaces any earlier setting. */
void host_timer_mod(HostTimer *t, uint64_t deadline_ns);
void host_timer_del(HostTimer *t); /* cancel; the timer can be re-armed */
void host_timer_free(HostTimer *t);

#endif
