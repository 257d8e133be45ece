/*
 * test-hw-pit.c — the 8254 PIT and port 0x61 (hw/timer/i8254.c) through
 * their port callbacks, IRQ 0 captured by an IRQLine sink (called from
 * the host timer thread: counters are atomics).
 *
 * Cases: mode 2 periodic interrupts (fires repeatedly, never before the
 * first period); mode 0 one-shot (line rises once and stays); counter
 * reads count down (lobyte/hibyte, latch command, read-back count and
 * status); channel 2 as Linux's TSC calibration uses it (gate via 0x61,
 * OUT2 low then high, port 0x61 bits); mode 3 OUT toggles; channel 0
 * disabled (HPET legacy) raises nothing. Time bounds are generous.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hw/timer/i8254.h"
#include "system/timer.h"

static int failures;
static char why[256];

#define CHECK(cond, ...)                                                               \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            snprintf(why, sizeof(why), __VA_ARGS__);                                   \
            return false;                                                              \
        }                                                                              \
    } while (0)

static void run(const char *name, bool (*fn)(void))
{
    why[0] = 0;
    if (fn()) {
        printf("PASS %s\n", name);
    } else {
        printf("FAIL %s: %s\n", name, why);
        failures++;
    }
}

static int irq_level, irq_rises;
static void irq_handler(void *opaque, int n, int level)
{
    int old = __atomic_exchange_n(&irq_level, level, __ATOMIC_ACQ_REL);
    if (level && !old) {
        __atomic_fetch_add(&irq_rises, 1, __ATOMIC_ACQ_REL);
    }
}

static int rises(void)
{
    return __atomic_load_n(&irq_rises, __ATOMIC_ACQUIRE);
}

static int lvl(void)
{
    return __atomic_load_n(&irq_level, __ATOMIC_ACQUIRE);
}

static PITState *pit;

static void outb(uint16_t port, uint8_t v)
{
    if (port == 0x61) {
        pit_port61_ops.write(pit, 0, v, 1);
    } else {
        pit_ops.write(pit, port - 0x40, v, 1);
    }
}

static uint8_t inb(uint16_t port)
{
    if (port == 0x61) {
        return (uint8_t)pit_port61_ops.read(pit, 0, 1);
    }
    return (uint8_t)pit_ops.read(pit, port - 0x40, 1);
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static void reset(void)
{
    pit_reset(pit);
    __atomic_store_n(&irq_rises, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&irq_level, 0, __ATOMIC_RELEASE);
}

static bool t_mode2_periodic(void)
{
    reset();
    /* Linux's periodic setup: channel 0, lobyte/hibyte, mode 2 */
    outb(0x43, 0x34);
    CHECK(rises() == 0, "control word raised IRQ 0");
    uint16_t latch = 11932; /* 10 ms */
    uint64_t t0 = clock_ns();
    outb(0x40, latch & 0xff);
    outb(0x40, latch >> 8);
    CHECK(rises() == 0 || clock_ns() - t0 >= 9000000ull, "fired at load");
    int r = 0;
    for (int i = 0; i < 3000 && (r = rises()) < 5; i++) {
        sleep_ms(1);
    }
    CHECK(r >= 5, "periodic IRQ 0 fired %d times", r);
    /* stop it: a new control word without a count */
    outb(0x43, 0x34);
    sleep_ms(15);
    r = rises();
    sleep_ms(40);
    CHECK(rises() == r, "still firing after reprogramming without a count");
    return true;
}

static bool t_mode0_oneshot(void)
{
    reset();
    outb(0x43, 0x30); /* ch0, lo/hi, mode 0 */
    uint64_t t0 = clock_ns();
    outb(0x40, 0xff);
    outb(0x40, 0xff); /* 65535 ticks ~ 55 ms */
    sleep_ms(5);
    CHECK((rises() == 0 && !lvl()) || clock_ns() - t0 >= 54000000ull, "mode 0 fired early");
    int i;
    for (i = 0; i < 3000 && !lvl(); i++) {
        sleep_ms(1);
    }
    CHECK(lvl() && rises() == 1, "mode 0 OUT did not rise (rises %d)", rises());
    sleep_ms(80);
    CHECK(rises() == 1 && lvl(), "mode 0 OUT changed again");
    /* terminal count read back: 0 then wrapping */
    CHECK(pit_get_out(pit, 0) == 1, "OUT0");
    outb(0x43, 0x30); /* control word: OUT low */
    CHECK(!lvl(), "control word did not lower OUT");
    return true;
}

static bool t_count_latch_readback(void)
{
    reset();
    outb(0x43, 0x34);
    outb(0x40, 0x00);
    outb(0x40, 0x00); /* 65536 */
    /*
     * The period is 65536 ticks = 55 ms, so a host that oversleeps (ASan on
     * a loaded 2-core CI machine) can make any count difference ambiguous.
     * Each attempt times its own window with the PIT's clock; only a window
     * longer than 40 ms is retried, a short window must show the behaviour.
     */
    bool decided = false;
    for (int attempt = 0; attempt < 20 && !decided; attempt++) {
        uint64_t t0 = clock_ns();
        /* live read: LSB then MSB */
        uint16_t a = (uint16_t)(inb(0x40) | (inb(0x40) << 8));
        sleep_ms(10);
        /* counter latch command freezes the value until both bytes are read */
        outb(0x43, 0x00);
        uint64_t t2 = clock_ns();
        sleep_ms(5);
        uint16_t b = (uint16_t)(inb(0x40) | (inb(0x40) << 8));
        uint16_t c = (uint16_t)(inb(0x40) | (inb(0x40) << 8));
        uint64_t t3 = clock_ns();
        if (t3 - t0 > 40000000ull) {
            continue; /* may have wrapped: ambiguous, try again */
        }
        /* >= 10 ms at 1.19 MHz is >= 11931 ticks */
        CHECK(a != 0 && (uint16_t)(a - b) > 1000, "count not counting down (%u, %u)", a, b);
        /* >= 5 ms between latch and live read: >= 5966 ticks older */
        CHECK((uint16_t)(b - c) > 1000, "latch did not freeze the count (%u, %u, %llu us)",
              b, c, (unsigned long long)((t3 - t2) / 1000));
        decided = true;
    }
    CHECK(decided, "host never gave a window under 40 ms in 20 attempts");
    /* read-back: status of channel 0 then its count */
    outb(0x43, 0xc2 | 0x20); /* status only, channel 0 */
    uint8_t st = inb(0x40);
    CHECK((st & 0x3f) == 0x34, "status byte 0x%x", st);
    CHECK(!(st & 0x40), "null count set after load");
    outb(0x43, 0xc2 | 0x10); /* count only */
    uint16_t d = (uint16_t)(inb(0x40) | (inb(0x40) << 8));
    CHECK(d != 0, "read-back count");
    /* lobyte-only access */
    outb(0x43, 0x14); /* ch0, LSB only, mode 2 */
    outb(0x40, 200);
    st = 0;
    uint8_t lo = inb(0x40);
    CHECK(lo <= 200 && lo > 0, "lobyte count %u", lo);
    outb(0x43, 0xe2); /* read-back status, ch0 */
    st = inb(0x40);
    CHECK(((st >> 4) & 3) == 1 && ((st >> 1) & 7) == 2, "status after lobyte mode 0x%x", st);
    outb(0x43, 0x34);
    return true;
}

static bool t_channel2_calibration(void)
{
    reset();
    /* arch/x86/kernel/tsc.c pit_calibrate_tsc(): gate high, speaker off */
    outb(0x61, (inb(0x61) & ~0x02) | 0x01);
    CHECK((inb(0x61) & 0x03) == 0x01, "port 0x61 gate bits 0x%x", inb(0x61));
    outb(0x43, 0xb0); /* ch2, lo/hi, mode 0 */
    uint16_t latch = 1193182 / 50; /* 20 ms */
    uint64_t t0 = clock_ns(); /* before the load: the rise is >= 20 ms after */
    outb(0x42, latch & 0xff);
    outb(0x42, latch >> 8);
    CHECK((inb(0x61) & 0x20) == 0 || clock_ns() - t0 >= 19000000ull, "OUT2 high right after load");
    int loops = 0;
    while (!(inb(0x61) & 0x20) && clock_ns() - t0 < 3000000000ull) {
        loops++;
    }
    uint64_t dt = clock_ns() - t0;
    CHECK(inb(0x61) & 0x20, "OUT2 never rose");
    CHECK(dt >= 19000000ull, "OUT2 rose after %llu ns, before the count", (unsigned long long)dt);
    CHECK(loops > 100, "only %d polls", loops);
    CHECK(rises() == 0, "channel 2 raised IRQ 0");
    /* quick_pit_calibrate(): mode 0 with 0xffff, MSB read repeatedly */
    /* (the count wraps after 55 ms: a window the host stretched past 40 ms is retried) */
    bool decided = false;
    for (int attempt = 0; attempt < 20 && !decided; attempt++) {
        uint64_t w0 = clock_ns();
        outb(0x43, 0xb0);
        outb(0x42, 0xff);
        outb(0x42, 0xff);
        inb(0x42);
        uint8_t msb1 = inb(0x42);
        sleep_ms(3);
        inb(0x42);
        uint8_t msb2 = inb(0x42);
        if (clock_ns() - w0 > 40000000ull) {
            continue;
        }
        CHECK(msb2 < msb1, "MSB not decreasing (%u, %u)", msb1, msb2);
        decided = true;
    }
    CHECK(decided, "host never gave a window under 40 ms in 20 attempts");
    /* refresh bit 4 toggles */
    int seen[2] = { 0, 0 };
    for (int i = 0; i < 100000 && !(seen[0] && seen[1]); i++) {
        seen[(inb(0x61) >> 4) & 1] = 1;
    }
    CHECK(seen[0] && seen[1], "port 0x61 bit 4 does not toggle");
    outb(0x61, 0);
    return true;
}

static bool t_mode3_gate(void)
{
    reset();
    outb(0x61, 0x00); /* gate 2 low */
    outb(0x43, 0xb6); /* ch2, lo/hi, mode 3 (what the PC speaker uses) */
    uint16_t n = 11932; /* 10 ms period */
    outb(0x42, n & 0xff);
    outb(0x42, n >> 8);
    sleep_ms(20);
    CHECK(inb(0x61) & 0x20, "gate low: OUT2 must stay high");
    outb(0x61, 0x01); /* gate rising: the count starts */
    int seen[2] = { 0, 0 };
    uint64_t t0 = clock_ns();
    while (!(seen[0] && seen[1]) && clock_ns() - t0 < 3000000000ull) {
        seen[(inb(0x61) >> 5) & 1] = 1;
    }
    CHECK(seen[0] && seen[1], "mode 3 OUT2 did not toggle");
    outb(0x61, 0);
    return true;
}

static bool t_irq0_disabled(void)
{
    reset();
    pit_set_irq0_enabled(pit, false);
    outb(0x43, 0x34);
    outb(0x40, 0x9c);
    outb(0x40, 0x2e); /* 10 ms */
    sleep_ms(60);
    CHECK(rises() == 0, "disabled channel 0 raised IRQ 0 (%d)", rises());
    pit_set_irq0_enabled(pit, true);
    for (int i = 0; i < 3000 && rises() < 2; i++) {
        sleep_ms(1);
    }
    CHECK(rises() >= 2, "re-enabled channel 0 silent");
    outb(0x43, 0x34);
    return true;
}

int main(void)
{
    pit = pit_new((IRQLine){ irq_handler, NULL, 0 });
    run("mode2_periodic_irq0", t_mode2_periodic);
    run("mode0_oneshot", t_mode0_oneshot);
    run("count_latch_readback", t_count_latch_readback);
    run("channel2_port61_calibration", t_channel2_calibration);
    run("mode3_gate", t_mode3_gate);
    run("irq0_disabled_by_hpet_legacy", t_irq0_disabled);
    pit_free(pit);
    return failures ? 1 : 0;
}
