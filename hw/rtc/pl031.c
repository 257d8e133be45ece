/*
 * pl031.c — Arm PrimeCell RTC PL031 (Arm DDI 0224).
 *
 * The counter is host time plus an offset: RTCDR = now() + offset, and a
 * write to RTCLR sets offset = value - now(). The match interrupt: once the
 * counter reaches RTCMR the RIS bit latches (until RTCICR) and the line
 * follows RIS & IMSC. The match is checked on every access and, with the
 * host clock, by a host timer armed for the second the counter reaches
 * RTCMR, so an idle guest is woken by its alarm.
 */
#include "hw/rtc/pl031.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "system/timer.h"
#include "util/log.h"

struct PL031State {
    pthread_mutex_t lock;
    IRQLine irq;
    int irq_level;
    int64_t offset;
    uint32_t mr, lr, imsc, ris;
    bool match_armed; /* counter was below MR when it was last written */
    uint64_t (*now)(void *);
    void *now_opaque;
    HostTimer *alarm; /* created on first use */
};

static const uint8_t pl031_id[8] = { 0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

static uint64_t host_seconds(void *opaque)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec;
}

static uint32_t counter(PL031State *s)
{
    return (uint32_t)((int64_t)s->now(s->now_opaque) + s->offset);
}

static void update(PL031State *s)
{
    if (s->match_armed && (int32_t)(counter(s) - s->mr) >= 0) {
        s->ris |= 1;
        s->match_armed = false;
    }
    int level = (s->ris & s->imsc & 1) != 0;
    if (level != s->irq_level) {
        s->irq_level = level;
        irq_set(&s->irq, level);
    }
}

static void arm_alarm(PL031State *s);

static void alarm_fire(void *opaque)
{
    PL031State *s = opaque;
    pthread_mutex_lock(&s->lock);
    update(s);
    arm_alarm(s); /* fired a little early (second boundary): try again */
    pthread_mutex_unlock(&s->lock);
}

/* Lock held: (re)arm the host timer for the second the counter reaches RTCMR. */
static void arm_alarm(PL031State *s)
{
    if (!s->match_armed || s->now != host_seconds) {
        if (s->alarm) {
            host_timer_del(s->alarm); /* injected clocks are checked on access only */
        }
        return;
    }
    if (!s->alarm) {
        s->alarm = host_timer_new(alarm_fire, s);
    }
    uint64_t left = (uint32_t)(s->mr - counter(s)); /* > 0 while armed */
    uint64_t into_second = clock_realtime_ns() % 1000000000ull;
    host_timer_mod(s->alarm, clock_ns() + left * 1000000000ull - into_second + 1000000);
}

uint64_t pl031_read(void *opaque, uint64_t offset, unsigned size)
{
    PL031State *s = opaque;
    uint64_t v = 0;
    pthread_mutex_lock(&s->lock);
    update(s);
    switch (offset) {
    case RTCDR: v = counter(s); break;
    case RTCMR: v = s->mr; break;
    case RTCLR: v = s->lr; break;
    case RTCCR: v = 1; break; /* always started */
    case RTCIMSC: v = s->imsc; break;
    case RTCRIS: v = s->ris; break;
    case RTCMIS: v = s->ris & s->imsc; break;
    default:
        if (offset >= RTCPERIPHID0 && offset < 0x1000 && !(offset & 3)) {
            v = pl031_id[(offset - RTCPERIPHID0) / 4];
        } else {
            log_mask_printf(LOG_GUEST_ERROR, "pl031: read of bad offset 0x%x\n",
                            (unsigned)offset);
        }
    }
    pthread_mutex_unlock(&s->lock);
    return v;
}

void pl031_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    PL031State *s = opaque;
    uint32_t v = (uint32_t)value;
    pthread_mutex_lock(&s->lock);
    switch (offset) {
    case RTCMR:
        s->mr = v;
        s->match_armed = (int32_t)(counter(s) - v) < 0;
        break;
    case RTCLR:
        s->lr = v;
        s->offset = (int64_t)v - (int64_t)s->now(s->now_opaque);
        s->match_armed = (int32_t)(counter(s) - s->mr) < 0;
        break;
    case RTCCR: break; /* writing 0 cannot stop the counter (DDI 0224 §3.3.4) */
    case RTCIMSC: s->imsc = v & 1; break;
    case RTCICR: s->ris &= ~(v & 1); break;
    default:
        log_mask_printf(LOG_GUEST_ERROR, "pl031: write of bad offset 0x%x\n",
                        (unsigned)offset);
    }
    update(s);
    arm_alarm(s);
    pthread_mutex_unlock(&s->lock);
}

static const MemoryRegionOps pl031_ops = {
    .read = pl031_read, .write = pl031_write, .min_access = 4, .max_access = 4,
};

PL031State *pl031_new(IRQLine irq)
{
    PL031State *s = calloc(1, sizeof(*s));
    if (!s) {
        fatal("out of memory");
    }
    pthread_mutex_init(&s->lock, NULL);
    s->irq = irq;
    s->now = host_seconds;
    return s;
}

void pl031_set_clock(PL031State *s, uint64_t (*now)(void *), void *opaque)
{
    pthread_mutex_lock(&s->lock);
    int64_t cur = (int64_t)counter(s);
    s->now = now;
    s->now_opaque = opaque;
    s->offset = cur - (int64_t)now(opaque); /* the guest-visible time does not jump */
    arm_alarm(s);
    pthread_mutex_unlock(&s->lock);
}

/* System reset (DDI 0224 §3.2: RTCMR, RTCIMSC, RTCRIS reset to 0): the alarm
 * is disarmed and the line lowered; the counter keeps the time, as a
 * battery-backed clock does (RTCLR reads back what was last loaded). */
void pl031_reset(PL031State *s)
{
    pthread_mutex_lock(&s->lock);
    s->mr = s->imsc = s->ris = 0;
    s->match_armed = false;
    update(s);
    arm_alarm(s);
    pthread_mutex_unlock(&s->lock);
}

void pl031_free(PL031State *s)
{
    if (s) {
        host_timer_free(s->alarm); /* machine teardown: no alarm callback in flight */
        pthread_mutex_destroy(&s->lock);
        free(s);
    }
}

void pl031_map(PL031State *s, AddressSpace *as, uint64_t base)
{
    memory_map_mmio(as, "pl031", base, PL031_MMIO_SIZE, &pl031_ops, s);
}
