/*
 * hpet.c — High Precision Event Timer (IA-PC HPET Specification 1.0a §2.3).
 *
 * Main counter: while ENABLE_CNF is set it is counter_base + ticks since
 * enable_ns at 14.31818 MHz of host CLOCK_MONOTONIC; while clear it holds
 * counter_base (and may be written). Comparators are not polled: each has a
 * host timer armed at the host time its match is due, only while the
 * counter runs and the comparator's interrupt is enabled (or level mode,
 * whose status bit is set even when the interrupt is disabled: §2.3.9.2.5).
 *
 * Comparator semantics (§2.3.9.2.4 and what Linux's hpet.c relies on):
 *   - one-shot: fires when the counter reaches the comparator (32-bit mode
 *     compares the low 32 bits); a comparator behind the counter fires
 *     only after the counter wraps (Linux checks for that and retries);
 *   - periodic: a comparator write sets the period, and also the
 *     accumulator (the next match) when Tn_VAL_SET_CNF is set or the timer
 *     is one-shot; each match adds the period (missed periods coalesce).
 * Interrupt routing: legacy replacement (LEG_RT_CNF) sends timer 0 to ISA
 * IRQ 0 and timer 1 to ISA IRQ 8; otherwise Tn_INT_ROUTE_CNF names the
 * IOAPIC input. Edge interrupts are pulses; level ones set the status bit
 * (GINTR_STA) and hold the line until software writes 1 to it.
 * One lock per HPET; the lines are driven with it held.
 */
#include "hw/timer/hpet.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "system/timer.h"
#include "util/log.h"

/* registers (§2.3.1) */
#define HPET_CAP 0x000
#define HPET_CFG 0x010
#define HPET_STATUS 0x020
#define HPET_COUNTER 0x0f0
#define HPET_TN_BASE 0x100
#define HPET_TN_STRIDE 0x20
#define HPET_TN_CFG 0x0
#define HPET_TN_CMP 0x8
#define HPET_TN_FSB 0x10

#define CFG_ENABLE (1ull << 0)
#define CFG_LEGACY (1ull << 1)

#define TN_LEVEL (1ull << 1)
#define TN_INT_ENB (1ull << 2)
#define TN_PERIODIC (1ull << 3)
#define TN_PER_CAP (1ull << 4)
#define TN_SIZE_CAP (1ull << 5)
#define TN_VAL_SET (1ull << 6)
#define TN_32BIT (1ull << 8)
#define TN_ROUTE_SHIFT 9
#define TN_ROUTE_MASK (0x1full << TN_ROUTE_SHIFT)
#define TN_FSB_EN (1ull << 14)
#define TN_CFG_WRITABLE (TN_LEVEL | TN_INT_ENB | TN_PERIODIC | TN_VAL_SET | TN_32BIT | TN_ROUTE_MASK)

/* do not let a guest program a periodic timer the host thread must spin on */
#define HPET_MIN_PERIOD_NS 10000ull

typedef struct HPETTimer {
    struct HPETState *s;
    int n;
    uint64_t cfg;
    uint64_t cmp;    /* next match (64-bit; the low 32 bits in 32-bit mode) */
    uint64_t period; /* periodic mode */
    int line_level;  /* what we drive on the routed line */
    HostTimer *timer;
    uint64_t due_ns; /* host time of the next match (0: not armed) */
} HPETTimer;

struct HPETState {
    pthread_mutex_t lock;
    uint64_t cfg;
    uint64_t status;
    uint64_t counter_base;
    uint64_t enable_ns;
    HPETTimer t[HPET_NUM_TIMERS];
    IRQLine gsi[HPET_NUM_ROUTES];
    IRQLine legacy[2];
    void (*legacy_fn)(void *opaque, bool on);
    void *legacy_opaque;
};

static uint64_t ns_to_ticks(uint64_t ns)
{
    return (uint64_t)((unsigned __int128)ns * HPET_FREQ_HZ / 1000000000ull);
}

static uint64_t ticks_to_ns(uint64_t ticks)
{
    unsigned __int128 ns = ((unsigned __int128)ticks * 1000000000ull + HPET_FREQ_HZ - 1) /
                           HPET_FREQ_HZ;
    return ns > UINT64_MAX / 2 ? UINT64_MAX / 2 : (uint64_t)ns;
}

static uint64_t hpet_counter(const HPETState *s, uint64_t now)
{
    if (!(s->cfg & CFG_ENABLE)) {
        return s->counter_base;
    }
    return s->counter_base + ns_to_ticks(now - s->enable_ns);
}

/* The line a timer drives now, or NULL. */
static const IRQLine *timer_line(HPETState *s, HPETTimer *t)
{
    if ((s->cfg & CFG_LEGACY) && t->n < 2) {
        return &s->legacy[t->n];
    }
    unsigned route = (unsigned)((t->cfg & TN_ROUTE_MASK) >> TN_ROUTE_SHIFT);
    if (route >= HPET_NUM_ROUTES || !(HPET_ROUTE_CAP & (1u << route))) {
        return NULL;
    }
    return &s->gsi[route];
}

static void timer_set_line(HPETState *s, HPETTimer *t, int level)
{
    if (t->line_level != level) {
        t->line_level = level;
        irq_set(timer_line(s, t), level);
    }
}

/* A match: raise the interrupt (lock held). */
static void timer_fire(HPETState *s, HPETTimer *t)
{
    if (t->cfg & TN_LEVEL) {
        s->status |= 1ull << t->n;
        if ((t->cfg & TN_INT_ENB) && (s->cfg & CFG_ENABLE)) {
            timer_set_line(s, t, 1);
        }
    } else if (t->cfg & TN_INT_ENB) {
        const IRQLine *l = timer_line(s, t);
        irq_set(l, 1);
        irq_set(l, 0);
    }
}

/* Ticks from counter c to this timer's next match. */
static uint64_t ticks_to_match(const HPETTimer *t, uint64_t c)
{
    if (t->cfg & TN_32BIT) {
        uint32_t d = (uint32_t)t->cmp - (uint32_t)c;
        return d ? d : (1ull << 32);
    }
    uint64_t d = t->cmp - c;
    return d ? d : UINT64_MAX;
}

/* (Re)arm timer t's host timer (lock held). after_match: t just matched,
 * so a comparator equal to the counter means the next wrap, not now. */
static void timer_schedule_at(HPETState *s, HPETTimer *t, uint64_t now, bool after_match)
{
    bool active = (s->cfg & CFG_ENABLE) && (t->cfg & (TN_INT_ENB | TN_LEVEL));
    if (!active) {
        t->due_ns = 0;
        host_timer_del(t->timer);
        return;
    }
    uint64_t c = hpet_counter(s, now);
    bool equal = (t->cfg & TN_32BIT) ? (uint32_t)t->cmp == (uint32_t)c : t->cmp == c;
    uint64_t d = (equal && !after_match) ? 0 : ticks_to_match(t, c);
    t->due_ns = now + ticks_to_ns(d);
    if (t->due_ns == 0) {
        t->due_ns = 1;
    }
    host_timer_mod(t->timer, t->due_ns);
}

static void timer_schedule(HPETState *s, HPETTimer *t, uint64_t now)
{
    timer_schedule_at(s, t, now, false);
}

static void hpet_timer_cb(void *opaque)
{
    HPETTimer *t = opaque;
    HPETState *s = t->s;
    pthread_mutex_lock(&s->lock);
    uint64_t now = clock_ns();
    if (!t->due_ns) {
        goto out;
    }
    if (now < t->due_ns) {
        host_timer_mod(t->timer, t->due_ns);
        goto out;
    }
    timer_fire(s, t);
    uint64_t c = hpet_counter(s, now);
    if ((t->cfg & TN_PERIODIC) && t->period) {
        uint64_t period = t->period;
        uint64_t min = ns_to_ticks(HPET_MIN_PERIOD_NS);
        if (period < min) {
            period = min ? min : 1;
        }
        /* advance the accumulator past the counter */
        uint64_t behind = (t->cfg & TN_32BIT) ? (uint32_t)((uint32_t)c - (uint32_t)t->cmp)
                                               : c - t->cmp;
        t->cmp += (behind / period + 1) * period;
        if (t->cfg & TN_32BIT) {
            t->cmp = (uint32_t)t->cmp;
        }
        timer_schedule(s, t, now);
    } else if (t->cfg & TN_32BIT) {
        /* a one-shot 32-bit comparator matches again after the wrap */
        timer_schedule_at(s, t, now, true);
    } else {
        t->due_ns = 0;
    }
out:
    pthread_mutex_unlock(&s->lock);
}

static void hpet_reschedule_all(HPETState *s, uint64_t now)
{
    for (int i = 0; i < HPET_NUM_TIMERS; i++) {
        timer_schedule(s, &s->t[i], now);
    }
}

/* ---------------------------------------------------------- registers */

static uint64_t timer_cap_cfg(const HPETTimer *t)
{
    return ((uint64_t)HPET_ROUTE_CAP << 32) | TN_SIZE_CAP |
           (t->n == 0 ? TN_PER_CAP : 0) | t->cfg;
}

static uint64_t hpet_reg_read(HPETState *s, uint64_t reg, uint64_t now)
{
    switch (reg) {
    case HPET_CAP:
        /* period fs [63:32], vendor [31:16], LEG_RT_CAP [15], 64-bit [13],
         * timers - 1 [12:8], revision 1 */
        return (HPET_PERIOD_FS << 32) | (0x8086ull << 16) | (1ull << 15) | (1ull << 13) |
               ((uint64_t)(HPET_NUM_TIMERS - 1) << 8) | 1;
    case HPET_CFG:
        return s->cfg;
    case HPET_STATUS:
        return s->status;
    case HPET_COUNTER:
        return hpet_counter(s, now);
    default:
        break;
    }
    if (reg >= HPET_TN_BASE && reg < HPET_TN_BASE + HPET_NUM_TIMERS * HPET_TN_STRIDE) {
        HPETTimer *t = &s->t[(reg - HPET_TN_BASE) / HPET_TN_STRIDE];
        switch ((reg - HPET_TN_BASE) % HPET_TN_STRIDE) {
        case HPET_TN_CFG:
            return timer_cap_cfg(t);
        case HPET_TN_CMP:
            return (t->cfg & TN_32BIT) ? (uint32_t)t->cmp : t->cmp;
        default:
            return 0; /* FSB route: no FSB delivery */
        }
    }
    return 0;
}

static void hpet_set_cfg(HPETState *s, uint64_t val, uint64_t now)
{
    uint64_t old = s->cfg;
    val &= CFG_ENABLE | CFG_LEGACY;
    bool was_legacy = (old & CFG_ENABLE) && (old & CFG_LEGACY);
    /* drop level lines before the routing or the enable changes */
    for (int i = 0; i < HPET_NUM_TIMERS; i++) {
        timer_set_line(s, &s->t[i], 0);
    }
    if ((val & CFG_ENABLE) && !(old & CFG_ENABLE)) {
        s->enable_ns = now;
    } else if (!(val & CFG_ENABLE) && (old & CFG_ENABLE)) {
        s->counter_base = hpet_counter(s, now); /* freeze */
    }
    s->cfg = val;
    for (int i = 0; i < HPET_NUM_TIMERS; i++) {
        HPETTimer *t = &s->t[i];
        if ((s->status >> i) & 1 && (t->cfg & TN_LEVEL) && (t->cfg & TN_INT_ENB) &&
            (s->cfg & CFG_ENABLE)) {
            timer_set_line(s, t, 1);
        }
    }
    hpet_reschedule_all(s, now);
    bool legacy = (val & CFG_ENABLE) && (val & CFG_LEGACY);
    if (legacy != was_legacy && s->legacy_fn) {
        s->legacy_fn(s->legacy_opaque, legacy);
    }
}

static void hpet_reg_write(HPETState *s, uint64_t reg, uint64_t val, uint64_t mask,
                           uint64_t now)
{
    uint64_t old = hpet_reg_read(s, reg, now);
    uint64_t v = (old & ~mask) | (val & mask);
    switch (reg) {
    case HPET_CAP:
        return;
    case HPET_CFG:
        hpet_set_cfg(s, v, now);
        return;
    case HPET_STATUS: {
        /* write 1 to clear a level interrupt's status (§2.3.6) */
        uint64_t clr = val & mask & s->status;
        s->status &= ~clr;
        for (int i = 0; i < HPET_NUM_TIMERS; i++) {
            if ((clr >> i) & 1) {
                timer_set_line(s, &s->t[i], 0);
            }
        }
        return;
    }
    case HPET_COUNTER:
        if (s->cfg & CFG_ENABLE) {
            log_mask_printf(LOG_GUEST_ERROR, "hpet: counter written while enabled\n");
            s->enable_ns = now;
        }
        s->counter_base = v;
        hpet_reschedule_all(s, now);
        return;
    default:
        break;
    }
    if (reg < HPET_TN_BASE || reg >= HPET_TN_BASE + HPET_NUM_TIMERS * HPET_TN_STRIDE) {
        return;
    }
    HPETTimer *t = &s->t[(reg - HPET_TN_BASE) / HPET_TN_STRIDE];
    switch ((reg - HPET_TN_BASE) % HPET_TN_STRIDE) {
    case HPET_TN_CFG: {
        uint64_t ncfg = v & TN_CFG_WRITABLE;
        if (t->n != 0) {
            ncfg &= ~TN_PERIODIC; /* only timer 0 is periodic-capable */
        }
        if (v & TN_FSB_EN) {
            log_mask_printf(LOG_UNIMP, "hpet: FSB (MSI) delivery not supported\n");
        }
        timer_set_line(s, t, 0);
        t->cfg = ncfg;
        if (ncfg & TN_32BIT) {
            t->cmp = (uint32_t)t->cmp;
            t->period = (uint32_t)t->period;
        }
        if ((s->status >> t->n) & 1 && (ncfg & TN_LEVEL) && (ncfg & TN_INT_ENB) &&
            (s->cfg & CFG_ENABLE)) {
            timer_set_line(s, t, 1);
        }
        if (!(ncfg & TN_LEVEL)) {
            s->status &= ~(1ull << t->n);
        }
        timer_schedule(s, t, now);
        return;
    }
    case HPET_TN_CMP: {
        uint64_t newv = (t->cfg & TN_32BIT) ? (uint32_t)v : v;
        if (!(t->cfg & TN_PERIODIC) || (t->cfg & TN_VAL_SET)) {
            t->cmp = newv;
        }
        /* the period register takes every write in periodic mode */
        t->period = newv;
        t->cfg &= ~TN_VAL_SET; /* self-clearing */
        timer_schedule(s, t, now);
        return;
    }
    default:
        return;
    }
}

static uint64_t hpet_mmio_read(void *opaque, uint64_t offset, unsigned size)
{
    HPETState *s = opaque;
    pthread_mutex_lock(&s->lock);
    uint64_t v = hpet_reg_read(s, offset & ~7ull, clock_ns());
    pthread_mutex_unlock(&s->lock);
    v >>= (offset & 7) * 8;
    if (size < 8) {
        v &= (1ull << (size * 8)) - 1;
    }
    return v;
}

static void hpet_mmio_write(void *opaque, uint64_t offset, uint64_t val, unsigned size)
{
    HPETState *s = opaque;
    unsigned sh = (unsigned)(offset & 7) * 8;
    uint64_t mask = (size >= 8 ? ~0ull : ((1ull << (size * 8)) - 1)) << sh;
    pthread_mutex_lock(&s->lock);
    hpet_reg_write(s, offset & ~7ull, val << sh, mask, clock_ns());
    pthread_mutex_unlock(&s->lock);
}

const MemoryRegionOps hpet_mmio_ops = {
    .read = hpet_mmio_read,
    .write = hpet_mmio_write,
    .min_access = 4,
    .max_access = 8,
};

void hpet_set_legacy_notify(HPETState *s, void (*fn)(void *opaque, bool on), void *opaque)
{
    pthread_mutex_lock(&s->lock);
    s->legacy_fn = fn;
    s->legacy_opaque = opaque;
    pthread_mutex_unlock(&s->lock);
}

void hpet_reset(HPETState *s)
{
    pthread_mutex_lock(&s->lock);
    for (int i = 0; i < HPET_NUM_TIMERS; i++) {
        HPETTimer *t = &s->t[i];
        timer_set_line(s, t, 0);
        t->cfg = 0;
        t->cmp = ~0ull;
        t->period = 0;
        t->due_ns = 0;
        host_timer_del(t->timer);
    }
    bool was_legacy = (s->cfg & CFG_ENABLE) && (s->cfg & CFG_LEGACY);
    s->cfg = 0;
    s->status = 0;
    s->counter_base = 0;
    if (was_legacy && s->legacy_fn) {
        s->legacy_fn(s->legacy_opaque, false);
    }
    pthread_mutex_unlock(&s->lock);
}

HPETState *hpet_new(const IRQLine *gsi, IRQLine legacy_irq0, IRQLine legacy_irq8)
{
    HPETState *s = calloc(1, sizeof(*s));
    if (!s) {
        fatal("out of memory");
    }
    pthread_mutex_init(&s->lock, NULL);
    if (gsi) {
        memcpy(s->gsi, gsi, sizeof(s->gsi));
    }
    s->legacy[0] = legacy_irq0;
    s->legacy[1] = legacy_irq8;
    for (int i = 0; i < HPET_NUM_TIMERS; i++) {
        s->t[i].s = s;
        s->t[i].n = i;
        s->t[i].timer = host_timer_new(hpet_timer_cb, &s->t[i]);
    }
    hpet_reset(s);
    return s;
}

void hpet_free(HPETState *s)
{
    if (s) {
        for (int i = 0; i < HPET_NUM_TIMERS; i++) {
            host_timer_free(s->t[i].timer);
        }
        pthread_mutex_destroy(&s->lock);
        free(s);
    }
}
