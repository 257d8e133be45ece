/*
 * mc146818.c — the MC146818A real-time clock with 128 bytes of CMOS RAM
 * (Motorola MC146818A data sheet; the PC's RTC at ports 0x70/0x71, IRQ 8).
 *
 * Design: one mutex. The clock is the host wall clock plus an offset:
 * guest time = now_ns() + offset_ns. While register B's SET bit is clear,
 * reads of the time registers (0, 2, 4, 6..9 and the century byte 0x32) are
 * computed from guest time in the format register B selects (BCD or binary,
 * 12- or 24-hour); a write of one of them while SET is clear sets that field
 * of the running clock. Setting SET freezes a copy of the time in the
 * registers (the "update cycle" stops, data sheet §"SET"); clearing it
 * starts the clock from what the guest wrote, at the start of that second.
 *
 * Flags in register C (PF periodic, AF alarm, UF update-ended) are brought
 * up to date lazily: on every access and from a host timer that is armed
 * only while an interrupt enable (PIE/AIE/UIE) is set. Each crossing of a
 * periodic boundary (rate from register A's RS bits: 2^(RS-1) ticks of the
 * 32.768 kHz base, RS 1 and 2 behaving as 8 and 9), of a guest second (UF),
 * or of a second whose hh:mm:ss matches the alarm registers (0xc0..0xff is
 * "don't care") sets the flag. IRQF = (PF & PIE) | (AF & AIE) | (UF & UIE)
 * drives the IRQ line; reading register C returns and clears all flags.
 * UIP (register A bit 7) reads 1 during the last 244 us of each second, when
 * a real chip's update cycle is imminent.
 */
#include "hw/rtc/mc146818.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "system/timer.h"
#include "util/log.h"

#define NS_PER_SEC 1000000000ll
#define UIP_WINDOW_NS 244000ll
#define DV_NORMAL 0x20 /* register A DV2..0 = 010: 32.768 kHz time base, running */

struct MC146818State {
    pthread_mutex_t lock;
    IRQLine irq;
    int irq_level;
    uint8_t index;
    uint8_t cmos[128];
    int64_t offset_ns;     /* guest wall time = now + offset */
    int64_t last_check_ns; /* guest time the flags are up to date with */
    HostTimer *timer;
    uint64_t (*now_ns)(void *);
    void *clock_opaque;
};

static uint64_t host_realtime(void *opaque)
{
    (void)opaque;
    return clock_realtime_ns();
}

static int64_t guest_now(const MC146818State *s)
{
    return (int64_t)s->now_ns(s->clock_opaque) + s->offset_ns;
}

static bool binary_mode(const MC146818State *s)
{
    return s->cmos[RTC_REG_B] & RTC_B_DM;
}

static uint8_t to_reg(const MC146818State *s, int v)
{
    return binary_mode(s) ? (uint8_t)v : (uint8_t)(((v / 10) << 4) | (v % 10));
}

static int from_reg(const MC146818State *s, uint8_t v)
{
    return binary_mode(s) ? v : (v >> 4) * 10 + (v & 15);
}

static uint8_t hour_to_reg(const MC146818State *s, int hour)
{
    if (s->cmos[RTC_REG_B] & RTC_B_24H) {
        return to_reg(s, hour);
    }
    int h12 = hour % 12 == 0 ? 12 : hour % 12;
    return (uint8_t)(to_reg(s, h12) | (hour >= 12 ? 0x80 : 0));
}

static int hour_from_reg(const MC146818State *s, uint8_t v)
{
    if (s->cmos[RTC_REG_B] & RTC_B_24H) {
        return from_reg(s, v);
    }
    int h = from_reg(s, v & 0x7f) % 12;
    return (v & 0x80) ? h + 12 : h;
}

/* Guest time (whole seconds) into the time registers. */
static void time_to_regs(MC146818State *s, int64_t secs)
{
    time_t t = (time_t)secs;
    struct tm tm;
    gmtime_r(&t, &tm);
    int year = tm.tm_year + 1900;
    s->cmos[RTC_SECONDS] = to_reg(s, tm.tm_sec);
    s->cmos[RTC_MINUTES] = to_reg(s, tm.tm_min);
    s->cmos[RTC_HOURS] = hour_to_reg(s, tm.tm_hour);
    s->cmos[RTC_DAY_OF_WEEK] = to_reg(s, tm.tm_wday + 1); /* 1 = Sunday */
    s->cmos[RTC_DAY_OF_MONTH] = to_reg(s, tm.tm_mday);
    s->cmos[RTC_MONTH] = to_reg(s, tm.tm_mon + 1);
    s->cmos[RTC_YEAR] = to_reg(s, year % 100);
    s->cmos[RTC_CENTURY] = to_reg(s, year / 100);
}

/* The time registers as seconds since the epoch. */
static int64_t regs_to_time(const MC146818State *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    tm.tm_sec = from_reg(s, s->cmos[RTC_SECONDS]);
    tm.tm_min = from_reg(s, s->cmos[RTC_MINUTES]);
    tm.tm_hour = hour_from_reg(s, s->cmos[RTC_HOURS]);
    tm.tm_mday = from_reg(s, s->cmos[RTC_DAY_OF_MONTH]);
    tm.tm_mon = from_reg(s, s->cmos[RTC_MONTH]) - 1;
    int yy = from_reg(s, s->cmos[RTC_YEAR]) % 100;
    int century = from_reg(s, s->cmos[RTC_CENTURY]);
    if (century < 19 || century > 99) {
        century = yy < 70 ? 20 : 19;
    }
    tm.tm_year = century * 100 + yy - 1900;
    return (int64_t)timegm(&tm);
}

static bool clock_running(const MC146818State *s)
{
    return !(s->cmos[RTC_REG_B] & RTC_B_SET) && (s->cmos[RTC_REG_A] & 0x70) == DV_NORMAL;
}

/* Periodic interrupt period in ns, or 0 when RS = 0. */
static int64_t period_ns(const MC146818State *s)
{
    int rs = s->cmos[RTC_REG_A] & 15;
    if (rs == 0) {
        return 0;
    }
    if (rs < 3) {
        rs += 7; /* RS 1, 2 with a 32.768 kHz base: 3.90625 ms, 7.8125 ms */
    }
    return (int64_t)(NS_PER_SEC * (1ll << (rs - 1))) / 32768;
}

static bool alarm_field_matches(const MC146818State *s, uint8_t alarm, uint8_t now)
{
    return (alarm & 0xc0) == 0xc0 || alarm == now;
}

/* Does guest second `secs` match the alarm registers? */
static bool alarm_matches(MC146818State *s, int64_t secs)
{
    time_t t = (time_t)secs;
    struct tm tm;
    gmtime_r(&t, &tm);
    return alarm_field_matches(s, s->cmos[RTC_SECONDS_ALARM], to_reg(s, tm.tm_sec)) &&
           alarm_field_matches(s, s->cmos[RTC_MINUTES_ALARM], to_reg(s, tm.tm_min)) &&
           alarm_field_matches(s, s->cmos[RTC_HOURS_ALARM], hour_to_reg(s, tm.tm_hour));
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Lock held: set register C's flags for the events in (last_check, now]. */
static void update_flags(MC146818State *s, int64_t now)
{
    int64_t last = s->last_check_ns;
    s->last_check_ns = now;
    if (now <= last) {
        return;
    }
    int64_t p = period_ns(s);
    if (p && (s->cmos[RTC_REG_A] & 0x70) == DV_NORMAL && floor_div(now, p) != floor_div(last, p)) {
        s->cmos[RTC_REG_C] |= RTC_C_PF;
    }
    if (!clock_running(s)) {
        return;
    }
    int64_t s0 = floor_div(last, NS_PER_SEC), s1 = floor_div(now, NS_PER_SEC);
    if (s1 != s0) {
        s->cmos[RTC_REG_C] |= RTC_C_UF;
        /* an alarm in the seconds crossed; at most a day of them can differ */
        int64_t first = s1 - s0 > 86400 ? s1 - 86400 : s0 + 1;
        for (int64_t t = first; t <= s1; t++) {
            if (alarm_matches(s, t)) {
                s->cmos[RTC_REG_C] |= RTC_C_AF;
                break;
            }
        }
    }
}

/* Lock held: IRQF from flags and enables, drive the line. */
static void update_irq(MC146818State *s)
{
    uint8_t b = s->cmos[RTC_REG_B], c = s->cmos[RTC_REG_C];
    bool irqf = (c & b & (RTC_C_PF | RTC_C_AF | RTC_C_UF)) != 0;
    if (irqf) {
        s->cmos[RTC_REG_C] |= RTC_C_IRQF;
    } else {
        s->cmos[RTC_REG_C] &= (uint8_t)~RTC_C_IRQF;
    }
    int level = irqf;
    if (level != s->irq_level) {
        s->irq_level = level;
        irq_set(&s->irq, level);
    }
}

/* Lock held: arm the host timer for the next enabled event, if any. */
static void rearm(MC146818State *s, int64_t now)
{
    uint8_t b = s->cmos[RTC_REG_B];
    int64_t next = INT64_MAX;
    int64_t p = period_ns(s);
    if ((b & RTC_B_PIE) && p && (s->cmos[RTC_REG_A] & 0x70) == DV_NORMAL) {
        next = (floor_div(now, p) + 1) * p;
    }
    if ((b & (RTC_B_UIE | RTC_B_AIE)) && clock_running(s)) {
        int64_t sec = (floor_div(now, NS_PER_SEC) + 1) * NS_PER_SEC;
        next = sec < next ? sec : next;
    }
    if (next == INT64_MAX) {
        host_timer_del(s->timer);
    } else {
        host_timer_mod(s->timer, clock_ns() + (uint64_t)(next - now));
    }
}

static void rtc_timer_cb(void *opaque)
{
    MC146818State *s = opaque;
    pthread_mutex_lock(&s->lock);
    int64_t now = guest_now(s);
    update_flags(s, now);
    update_irq(s);
    rearm(s, now);
    pthread_mutex_unlock(&s->lock);
}

static bool is_time_reg(unsigned i)
{
    return i <= RTC_YEAR || i == RTC_CENTURY;
}

static uint8_t read_reg(MC146818State *s, unsigned i, int64_t now)
{
    switch (i) {
    case RTC_REG_A: {
        uint8_t a = s->cmos[RTC_REG_A] & 0x7f;
        if (clock_running(s) && NS_PER_SEC - (now - floor_div(now, NS_PER_SEC) * NS_PER_SEC) <=
                                    UIP_WINDOW_NS) {
            a |= RTC_A_UIP;
        }
        return a;
    }
    case RTC_REG_C: {
        uint8_t c = s->cmos[RTC_REG_C];
        s->cmos[RTC_REG_C] = 0;
        update_irq(s);
        return c;
    }
    case RTC_REG_D:
        return RTC_D_VRT; /* the battery is fine */
    default:
        if (is_time_reg(i) && i != RTC_SECONDS_ALARM && i != RTC_MINUTES_ALARM &&
            i != RTC_HOURS_ALARM && clock_running(s)) {
            time_to_regs(s, floor_div(now, NS_PER_SEC));
        }
        return s->cmos[i];
    }
}

static void write_reg(MC146818State *s, unsigned i, uint8_t v, int64_t now)
{
    switch (i) {
    case RTC_REG_A:
        s->cmos[RTC_REG_A] = v & 0x7f; /* UIP is read-only */
        break;
    case RTC_REG_B: {
        uint8_t old = s->cmos[RTC_REG_B];
        if ((v & RTC_B_SET) && !(old & RTC_B_SET) && clock_running(s)) {
            time_to_regs(s, floor_div(now, NS_PER_SEC)); /* freeze the time */
        }
        if (v & RTC_B_SET) {
            v &= (uint8_t)~RTC_B_UIE; /* SET clears UIE (data sheet, register B) */
        }
        s->cmos[RTC_REG_B] = v;
        if (!(v & RTC_B_SET) && (old & RTC_B_SET)) {
            s->offset_ns = regs_to_time(s) * NS_PER_SEC - (int64_t)s->now_ns(s->clock_opaque);
            s->last_check_ns = guest_now(s);
        }
        break;
    }
    case RTC_REG_C:
    case RTC_REG_D:
        break; /* read-only */
    default:
        if (is_time_reg(i) && i != RTC_SECONDS_ALARM && i != RTC_MINUTES_ALARM &&
            i != RTC_HOURS_ALARM && clock_running(s)) {
            /* a running clock: change that field of the current time */
            int64_t frac = now - floor_div(now, NS_PER_SEC) * NS_PER_SEC;
            time_to_regs(s, floor_div(now, NS_PER_SEC));
            s->cmos[i] = v;
            s->offset_ns = regs_to_time(s) * NS_PER_SEC + frac -
                           (int64_t)s->now_ns(s->clock_opaque);
            s->last_check_ns = guest_now(s);
        } else {
            s->cmos[i] = v;
        }
        break;
    }
}

uint64_t mc146818_read(void *opaque, uint64_t offset, unsigned size)
{
    MC146818State *s = opaque;
    if (offset == 0) {
        return 0xff; /* the index register is write-only */
    }
    pthread_mutex_lock(&s->lock);
    int64_t now = guest_now(s);
    update_flags(s, now);
    update_irq(s); /* IRQF is part of what register C reads */
    uint8_t v = read_reg(s, s->index, now);
    update_irq(s);
    pthread_mutex_unlock(&s->lock);
    return v;
}

void mc146818_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    MC146818State *s = opaque;
    pthread_mutex_lock(&s->lock);
    if (offset == 0) {
        s->index = (uint8_t)value & 0x7f; /* bit 7: the PC's NMI mask */
    } else {
        int64_t now = guest_now(s);
        update_flags(s, now);
        write_reg(s, s->index, (uint8_t)value, now);
        now = guest_now(s);
        update_irq(s);
        rearm(s, now);
    }
    pthread_mutex_unlock(&s->lock);
}

const MemoryRegionOps mc146818_ops = {
    .read = mc146818_read, .write = mc146818_write, .min_access = 1, .max_access = 1,
};

void mc146818_reset(MC146818State *s)
{
    pthread_mutex_lock(&s->lock);
    /* RESET clears PIE, AIE, UIE and the flags; the clock keeps running */
    s->cmos[RTC_REG_B] &= (uint8_t)~(RTC_B_PIE | RTC_B_AIE | RTC_B_UIE);
    s->cmos[RTC_REG_C] = 0;
    update_irq(s);
    rearm(s, guest_now(s));
    pthread_mutex_unlock(&s->lock);
}

void mc146818_set_cmos(MC146818State *s, unsigned index, uint8_t value)
{
    if (index >= 0x0e && index < 128 && index != RTC_CENTURY) {
        pthread_mutex_lock(&s->lock);
        s->cmos[index] = value;
        pthread_mutex_unlock(&s->lock);
    }
}

void mc146818_set_clock(MC146818State *s, uint64_t (*now_ns)(void *), void *opaque)
{
    pthread_mutex_lock(&s->lock);
    s->now_ns = now_ns ? now_ns : host_realtime;
    s->clock_opaque = opaque;
    s->last_check_ns = guest_now(s);
    pthread_mutex_unlock(&s->lock);
}

MC146818State *mc146818_new(IRQLine irq)
{
    MC146818State *s = calloc(1, sizeof(*s));
    if (!s) {
        fatal("out of memory");
    }
    pthread_mutex_init(&s->lock, NULL);
    s->irq = irq;
    s->now_ns = host_realtime;
    s->cmos[RTC_REG_A] = DV_NORMAL | 0x06; /* 1024 Hz periodic rate, as a BIOS leaves it */
    s->cmos[RTC_REG_B] = RTC_B_24H;        /* BCD, 24-hour */
    s->cmos[RTC_REG_D] = RTC_D_VRT;
    s->last_check_ns = guest_now(s);
    s->timer = host_timer_new(rtc_timer_cb, s);
    return s;
}

void mc146818_free(MC146818State *s)
{
    if (s) {
        host_timer_free(s->timer);
        pthread_mutex_destroy(&s->lock);
        free(s);
    }
}
