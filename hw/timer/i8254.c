/*
 * i8254.c — 8254 programmable interval timer (Intel 8254 datasheet) and
 * PC port 0x61.
 *
 * Time: a channel's state is its reload value, mode and the host time at
 * which counting started (load_ns); its count and OUT at any moment are
 * computed from the elapsed 1.193182 MHz ticks, so reading costs no timer
 * and nothing runs while the guest only polls (Linux's TSC calibration
 * reads channel 2's OUT through port 0x61 and its count through 0x42).
 *
 * Modes (datasheet "Mode Definitions"), with d = ticks since the load:
 *   0 interrupt on terminal count: OUT low, high from d >= N on;
 *   1 hardware one-shot: as mode 0 from the gate's rising edge;
 *   2 rate generator: OUT low for the one tick where the count is 1;
 *   3 square wave: OUT high for the first ceil(N/2) ticks of each period;
 *   4 software strobe / 5 hardware strobe: OUT low for the tick d == N.
 * Channel 0's OUT is IRQ 0. A host timer is armed only while an edge of
 * interest is ahead: periodic modes 2/3 pulse the line (1 then 0) once per
 * period (the PIC latches the edge, the IOAPIC sees it as an edge too);
 * mode 0 raises it and holds it until reprogrammed; 1/4/5 pulse once.
 * Periods below PIT_MIN_IRQ_NS are stretched for the host timer (not for
 * the count read back). Gate low in modes 2/3 holds OUT high and a rising
 * gate restarts the count; in modes 0/4 counting does not pause (no guest
 * relies on it). BCD counting is not modelled (binary, logged).
 */
#include "hw/timer/i8254.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "system/timer.h"
#include "util/log.h"

#define PIT_MIN_IRQ_NS 50000ull

enum { RW_LATCH = 0, RW_LSB = 1, RW_MSB = 2, RW_WORD = 3 };

typedef struct PITChannel {
    uint32_t count; /* reload value, 1..65536 */
    uint8_t mode, rw_mode, bcd;
    bool gate;
    bool started;   /* mode 1/5: triggered */
    bool null_count;
    uint64_t load_ns;
    /* latches and byte toggles */
    bool count_latched, status_latched;
    uint16_t latched_count;
    uint8_t status;
    uint8_t read_state;  /* RW_WORD: 0 LSB next, 1 MSB next (also for latched) */
    uint8_t write_state; /* RW_WORD: 0 LSB next, 1 MSB next */
    uint8_t write_lsb;
} PITChannel;

struct PITState {
    pthread_mutex_t lock;
    PITChannel ch[3];
    IRQLine irq0;
    bool irq0_enabled;
    int irq0_level;
    uint8_t port61; /* bits 0 (gate 2) and 1 (speaker data) as written */
    HostTimer *timer;
    uint64_t next_irq_ns; /* 0: none */
};

static uint64_t ticks_since(uint64_t from_ns, uint64_t now)
{
    if (now <= from_ns) {
        return 0;
    }
    return (uint64_t)((unsigned __int128)(now - from_ns) * PIT_FREQ_HZ / 1000000000ull);
}

/* host time of tick t after from_ns (rounded up) */
static uint64_t tick_time(uint64_t from_ns, uint64_t t)
{
    return from_ns +
           (uint64_t)(((unsigned __int128)t * 1000000000ull + PIT_FREQ_HZ - 1) / PIT_FREQ_HZ);
}

static bool ch_counting(const PITChannel *c)
{
    if (c->null_count) {
        return false; /* no count written since the control word */
    }
    if (c->mode == 1 || c->mode == 5) {
        return c->started;
    }
    if ((c->mode == 2 || c->mode == 3) && !c->gate) {
        return false;
    }
    return true;
}

static uint16_t ch_count(const PITChannel *c, uint64_t now)
{
    if (!ch_counting(c)) {
        return (uint16_t)c->count;
    }
    uint64_t d = ticks_since(c->load_ns, now);
    uint32_t n = c->count;
    switch (c->mode) {
    case 2:
        return (uint16_t)(n - (d % n));
    case 3:
        return (uint16_t)(n - ((2 * d) % n));
    default: /* 0, 1, 4, 5: count down and wrap */
        return (uint16_t)(n - d);
    }
}

static int ch_out(const PITChannel *c, uint64_t now)
{
    if (c->null_count) {
        return c->mode == 0 ? 0 : 1;
    }
    if (!ch_counting(c)) {
        return 1; /* untriggered one-shot, or gate low in modes 2/3 */
    }
    uint64_t d = ticks_since(c->load_ns, now);
    uint32_t n = c->count;
    switch (c->mode) {
    case 0:
    case 1:
        return d >= n;
    case 2:
        return (d % n) != n - 1;
    case 3:
        return (d % n) < (n + 1) / 2;
    default: /* 4, 5 */
        return d != n;
    }
}

int pit_get_out(PITState *s, int ch)
{
    pthread_mutex_lock(&s->lock);
    int v = (ch >= 0 && ch < 3) ? ch_out(&s->ch[ch], clock_ns()) : 0;
    pthread_mutex_unlock(&s->lock);
    return v;
}

static void set_irq0(PITState *s, int level)
{
    if (s->irq0_level != level) {
        s->irq0_level = level;
        irq_set(&s->irq0, level);
    }
}

/* The next time channel 0 produces an interrupt edge after now, or 0. */
static uint64_t ch0_next_event(const PITChannel *c, uint64_t now)
{
    if (!ch_counting(c)) {
        return 0;
    }
    uint64_t d = ticks_since(c->load_ns, now);
    uint32_t n = c->count;
    switch (c->mode) {
    case 2:
    case 3:
        return tick_time(c->load_ns, (d / n + 1) * n);
    case 0:
    case 1:
        return d < n ? tick_time(c->load_ns, n) : 0;
    default: /* 4, 5: OUT rises again one tick after the strobe */
        return d <= n ? tick_time(c->load_ns, (uint64_t)n + 1) : 0;
    }
}

/* Re-arm the host timer for channel 0 (lock held). */
static void pit_schedule(PITState *s, uint64_t now)
{
    uint64_t next = s->irq0_enabled ? ch0_next_event(&s->ch[0], now) : 0;
    if (next && (s->ch[0].mode == 2 || s->ch[0].mode == 3)) {
        /* stretch tiny periods so a guest cannot flood the timer thread */
        uint64_t min = (s->next_irq_ns ? s->next_irq_ns : now) + PIT_MIN_IRQ_NS;
        uint64_t period = tick_time(0, s->ch[0].count);
        if (period < PIT_MIN_IRQ_NS && next < min) {
            next = min;
        }
    }
    s->next_irq_ns = next;
    if (next) {
        host_timer_mod(s->timer, next);
    } else {
        host_timer_del(s->timer);
    }
}

static void pit_timer_cb(void *opaque)
{
    PITState *s = opaque;
    pthread_mutex_lock(&s->lock);
    uint64_t now = clock_ns();
    if (s->next_irq_ns && now >= s->next_irq_ns && s->irq0_enabled) {
        PITChannel *c = &s->ch[0];
        if (c->mode == 0 || c->mode == 1) {
            set_irq0(s, 1); /* OUT stays high until the next control word */
        } else {
            set_irq0(s, 1);
            set_irq0(s, 0);
        }
        pit_schedule(s, now);
    } else if (s->next_irq_ns && now < s->next_irq_ns) {
        host_timer_mod(s->timer, s->next_irq_ns);
    }
    pthread_mutex_unlock(&s->lock);
}

static void ch_load(PITState *s, int n, uint32_t val, uint64_t now)
{
    PITChannel *c = &s->ch[n];
    c->count = val ? val : 0x10000;
    if (c->mode == 2 || c->mode == 3) {
        if (c->count == 1) {
            c->count = 2; /* 1 is illegal in modes 2 and 3 */
        }
    }
    c->null_count = false;
    c->load_ns = now;
    if (c->mode == 1 || c->mode == 5) {
        /* channels 0/1 have their gate tied high: a load triggers them */
        c->started = n != 2 || c->gate;
    }
    if (n == 0) {
        if (c->mode == 0 || c->mode == 1) {
            set_irq0(s, 0);
        }
        s->next_irq_ns = 0;
        pit_schedule(s, now);
    }
}

static void ch_set_gate(PITState *s, int n, bool gate, uint64_t now)
{
    PITChannel *c = &s->ch[n];
    bool rising = gate && !c->gate;
    c->gate = gate;
    if (!rising) {
        return;
    }
    switch (c->mode) {
    case 1:
    case 5:
        c->started = true;
        c->load_ns = now;
        break;
    case 2:
    case 3:
        c->load_ns = now;
        break;
    default:
        break;
    }
}

static void pit_control(PITState *s, uint8_t val, uint64_t now)
{
    int n = val >> 6;
    if (n == 3) {
        /* read-back (datasheet "Read-Back Command"): bit 5 clear latches the
         * count, bit 4 clear latches the status, bits 3:1 select channels */
        for (int i = 0; i < 3; i++) {
            if (!(val & (2u << i))) {
                continue;
            }
            PITChannel *c = &s->ch[i];
            if (!(val & 0x20) && !c->count_latched) {
                c->latched_count = ch_count(c, now);
                c->count_latched = true;
                c->read_state = 0;
            }
            if (!(val & 0x10) && !c->status_latched) {
                c->status = (uint8_t)((ch_out(c, now) << 7) | (c->null_count << 6) |
                                      (c->rw_mode << 4) | (c->mode << 1) | c->bcd);
                c->status_latched = true;
            }
        }
        return;
    }
    PITChannel *c = &s->ch[n];
    int rw = (val >> 4) & 3;
    if (rw == RW_LATCH) {
        if (!c->count_latched) {
            c->latched_count = ch_count(c, now);
            c->count_latched = true;
            c->read_state = 0;
        }
        return;
    }
    c->rw_mode = (uint8_t)rw;
    c->mode = (val >> 1) & 7;
    if (c->mode > 5) {
        c->mode -= 4; /* 6, 7 are aliases of 2, 3 */
    }
    c->bcd = val & 1;
    if (c->bcd) {
        log_mask_printf(LOG_UNIMP, "i8254: BCD counting not modelled (binary used)\n");
    }
    c->null_count = true;
    c->started = false;
    c->read_state = c->write_state = 0;
    c->count_latched = false;
    if (n == 0) {
        /* a control word sets OUT (low in mode 0, high otherwise); the
         * line model pulses edges, so it rests low: no interrupt here */
        set_irq0(s, 0);
        s->next_irq_ns = 0;
        pit_schedule(s, now);
    }
}

static uint8_t ch_read(PITChannel *c, uint64_t now)
{
    if (c->status_latched) {
        c->status_latched = false;
        return c->status;
    }
    uint16_t v = c->count_latched ? c->latched_count : ch_count(c, now);
    uint8_t r;
    switch (c->rw_mode) {
    case RW_LSB:
        r = (uint8_t)v;
        c->count_latched = false;
        break;
    case RW_MSB:
        r = (uint8_t)(v >> 8);
        c->count_latched = false;
        break;
    default:
        if (c->read_state == 0) {
            r = (uint8_t)v;
            c->read_state = 1;
        } else {
            r = (uint8_t)(v >> 8);
            c->read_state = 0;
            c->count_latched = false;
        }
        break;
    }
    return r;
}

static void ch_write(PITState *s, int n, uint8_t val, uint64_t now)
{
    PITChannel *c = &s->ch[n];
    switch (c->rw_mode) {
    case RW_LSB:
        ch_load(s, n, val, now);
        break;
    case RW_MSB:
        ch_load(s, n, (uint32_t)val << 8, now);
        break;
    default:
        if (c->write_state == 0) {
            c->write_lsb = val;
            c->write_state = 1;
        } else {
            c->write_state = 0;
            ch_load(s, n, c->write_lsb | ((uint32_t)val << 8), now);
        }
        break;
    }
}

static uint64_t pit_read(void *opaque, uint64_t offset, unsigned size)
{
    PITState *s = opaque;
    if (offset >= 3) {
        return 0xff; /* the control port is write-only */
    }
    pthread_mutex_lock(&s->lock);
    uint8_t v = ch_read(&s->ch[offset], clock_ns());
    pthread_mutex_unlock(&s->lock);
    return v;
}

static void pit_write(void *opaque, uint64_t offset, uint64_t val, unsigned size)
{
    PITState *s = opaque;
    pthread_mutex_lock(&s->lock);
    uint64_t now = clock_ns();
    if (offset == 3) {
        pit_control(s, (uint8_t)val, now);
    } else if (offset < 3) {
        ch_write(s, (int)offset, (uint8_t)val, now);
    }
    pthread_mutex_unlock(&s->lock);
}

const MemoryRegionOps pit_ops = {
    .read = pit_read, .write = pit_write, .min_access = 1, .max_access = 1,
};

/* port 0x61: refresh request toggles every 15.085 us (bit 4) */
static uint64_t port61_read(void *opaque, uint64_t offset, unsigned size)
{
    PITState *s = opaque;
    pthread_mutex_lock(&s->lock);
    uint64_t now = clock_ns();
    uint8_t v = (uint8_t)((s->port61 & 3) | (((now / 15085) & 1) << 4) |
                          (ch_out(&s->ch[2], now) << 5));
    pthread_mutex_unlock(&s->lock);
    return v;
}

static void port61_write(void *opaque, uint64_t offset, uint64_t val, unsigned size)
{
    PITState *s = opaque;
    pthread_mutex_lock(&s->lock);
    s->port61 = (uint8_t)(val & 3);
    ch_set_gate(s, 2, val & 1, clock_ns());
    pthread_mutex_unlock(&s->lock);
}

const MemoryRegionOps pit_port61_ops = {
    .read = port61_read, .write = port61_write, .min_access = 1, .max_access = 1,
};

void pit_set_irq0_enabled(PITState *s, bool enabled)
{
    pthread_mutex_lock(&s->lock);
    s->irq0_enabled = enabled;
    if (!enabled) {
        set_irq0(s, 0);
    }
    s->next_irq_ns = 0;
    pit_schedule(s, clock_ns());
    pthread_mutex_unlock(&s->lock);
}

void pit_reset(PITState *s)
{
    pthread_mutex_lock(&s->lock);
    for (int i = 0; i < 3; i++) {
        PITChannel *c = &s->ch[i];
        memset(c, 0, sizeof(*c));
        c->count = 0x10000;
        c->null_count = true;
        c->gate = i != 2; /* channel 2's gate is port 0x61 bit 0 */
    }
    s->port61 = 0;
    s->irq0_enabled = true;
    set_irq0(s, 0);
    s->next_irq_ns = 0;
    host_timer_del(s->timer);
    pthread_mutex_unlock(&s->lock);
}

PITState *pit_new(IRQLine irq0)
{
    PITState *s = calloc(1, sizeof(*s));
    if (!s) {
        fatal("out of memory");
    }
    pthread_mutex_init(&s->lock, NULL);
    s->irq0 = irq0;
    s->timer = host_timer_new(pit_timer_cb, s);
    pit_reset(s);
    return s;
}

void pit_free(PITState *s)
{
    if (s) {
        host_timer_free(s->timer);
        pthread_mutex_destroy(&s->lock);
        free(s);
    }
}
