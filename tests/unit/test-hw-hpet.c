/*
 * test-hw-hpet.c — the HPET (hw/timer/hpet.c) through its MMIO callbacks,
 * interrupt lines captured by IRQLine sinks (called from the host timer
 * thread: atomics).
 *
 * Cases: capabilities; the main counter halts and runs with ENABLE_CNF and
 * is writable while halted; a one-shot comparator routed to an IOAPIC
 * input fires once, not before its time; timer 0 periodic the way Linux
 * programs it (VAL_SET, then the period) fires repeatedly; 32-bit mode;
 * level mode with GINTR_STA held until cleared; legacy replacement routes
 * timers 0/1 to IRQ 0/8 and notifies the board.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hw/timer/hpet.h"
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

/* lines: 0..23 = IOAPIC inputs, 24 = legacy IRQ 0, 25 = legacy IRQ 8 */
#define NLINES 26
static int level[NLINES], rises_[NLINES];
static void line_handler(void *opaque, int n, int l)
{
    int old = __atomic_exchange_n(&level[n], l, __ATOMIC_ACQ_REL);
    if (l && !old) {
        __atomic_fetch_add(&rises_[n], 1, __ATOMIC_ACQ_REL);
    }
}

static int rises(int n)
{
    return __atomic_load_n(&rises_[n], __ATOMIC_ACQUIRE);
}
static int lvl(int n)
{
    return __atomic_load_n(&level[n], __ATOMIC_ACQUIRE);
}

static HPETState *hpet;
static int legacy_calls, legacy_on;
static void legacy_notify(void *opaque, bool on)
{
    legacy_calls++;
    legacy_on = on;
}

static uint64_t rd64(uint64_t off)
{
    return hpet_mmio_ops.read(hpet, off, 8);
}
static uint32_t rd32(uint64_t off)
{
    return (uint32_t)hpet_mmio_ops.read(hpet, off, 4);
}
static void wr64(uint64_t off, uint64_t v)
{
    hpet_mmio_ops.write(hpet, off, v, 8);
}
static void wr32(uint64_t off, uint32_t v)
{
    hpet_mmio_ops.write(hpet, off, v, 4);
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static void fresh(void)
{
    hpet_reset(hpet);
    for (int i = 0; i < NLINES; i++) {
        __atomic_store_n(&level[i], 0, __ATOMIC_RELEASE);
        __atomic_store_n(&rises_[i], 0, __ATOMIC_RELEASE);
    }
}

#define TN_CFG(n) (0x100 + 0x20 * (n))
#define TN_CMP(n) (0x108 + 0x20 * (n))
#define TICKS_PER_MS 14318ull

static bool t_caps(void)
{
    fresh();
    uint64_t cap = rd64(0x000);
    CHECK((cap >> 32) == 69841279ull, "period %llu fs", (unsigned long long)(cap >> 32));
    CHECK(((cap >> 8) & 0x1f) == 2, "NUM_TIM_CAP %llu", (unsigned long long)((cap >> 8) & 0x1f));
    CHECK(cap & (1u << 15), "no LEG_RT_CAP");
    CHECK(cap & (1u << 13), "not 64-bit");
    CHECK((cap & 0xff) != 0, "revision 0");
    CHECK(rd32(0x004) == 69841279u, "high half read");
    uint64_t t0 = rd64(TN_CFG(0)), t1 = rd64(TN_CFG(1));
    CHECK((t0 & (1u << 4)) && !(t1 & (1u << 4)), "periodic capability: t0 %llx t1 %llx",
          (unsigned long long)t0, (unsigned long long)t1);
    CHECK((t0 >> 32) == HPET_ROUTE_CAP, "route cap 0x%llx", (unsigned long long)(t0 >> 32));
    CHECK(t0 & (1u << 5), "timer not 64-bit capable");
    return true;
}

static bool t_counter(void)
{
    fresh();
    uint64_t a = rd64(0x0f0);
    sleep_ms(10);
    CHECK(rd64(0x0f0) == a, "counter runs while halted");
    wr64(0x0f0, 0x123456789ull);
    CHECK(rd64(0x0f0) == 0x123456789ull, "counter write while halted");
    wr64(0x010, 1); /* ENABLE_CNF */
    sleep_ms(10);
    uint64_t b = rd64(0x0f0);
    CHECK(b > 0x123456789ull + 5 * TICKS_PER_MS && b < 0x123456789ull + 2000 * TICKS_PER_MS,
          "counter advanced %llu ticks in ~10 ms", (unsigned long long)(b - 0x123456789ull));
    CHECK(rd32(0x0f4) == (uint32_t)(rd64(0x0f0) >> 32), "high half of the counter");
    wr64(0x010, 0);
    uint64_t c = rd64(0x0f0);
    sleep_ms(5);
    CHECK(rd64(0x0f0) == c, "counter did not freeze on disable");
    return true;
}

static bool t_oneshot_routed(void)
{
    fresh();
    wr64(0x0f0, 0);
    /* timer 2: edge, enabled, route to IOAPIC input 21 */
    wr64(TN_CFG(2), (21ull << 9) | (1u << 2));
    CHECK(((rd64(TN_CFG(2)) >> 9) & 0x1f) == 21, "route readback");
    wr64(TN_CMP(2), 1000 * TICKS_PER_MS); /* 1 s: not soon */
    wr64(0x010, 1);
    sleep_ms(30);
    CHECK(rises(21) == 0, "fired early");
    /* reprogram: counter + 5 ms */
    wr64(TN_CMP(2), rd64(0x0f0) + 5 * TICKS_PER_MS);
    for (int i = 0; i < 3000 && rises(21) == 0; i++) {
        sleep_ms(1);
    }
    CHECK(rises(21) == 1, "one-shot fired %d times", rises(21));
    CHECK(!lvl(21), "edge interrupt left the line high");
    sleep_ms(30);
    CHECK(rises(21) == 1, "64-bit one-shot fired again");
    /* a comparator behind the counter does not fire (until a wrap) */
    wr64(TN_CMP(2), rd64(0x0f0) - 10);
    sleep_ms(20);
    CHECK(rises(21) == 1, "comparator in the past fired");
    /* an unroutable input (not in the capability) drives nothing */
    wr64(TN_CFG(2), (3ull << 9) | (1u << 2));
    wr64(TN_CMP(2), rd64(0x0f0) + 2 * TICKS_PER_MS);
    sleep_ms(30);
    for (int i = 0; i < NLINES; i++) {
        CHECK(i == 21 ? rises(i) == 1 : rises(i) == 0, "line %d raised", i);
    }
    wr64(0x010, 0);
    return true;
}

static bool t_periodic_linux(void)
{
    fresh();
    wr64(0x010, 1);
    /* hpet_clkevt_set_state_periodic(): stop, cfg, cmp = now + delta, period */
    uint64_t delta = 4 * TICKS_PER_MS;
    uint32_t cfg = (1u << 2) | (1u << 3) | (1u << 6) | (1u << 8) | (20u << 9);
    wr32(TN_CFG(0), cfg); /* periodic, VAL_SET, 32-bit, route 20 */
    uint32_t now = rd32(0x0f0);
    wr32(TN_CMP(0), now + (uint32_t)delta);
    wr32(TN_CMP(0), (uint32_t)delta);
    CHECK(!(rd32(TN_CFG(0)) & (1u << 6)), "VAL_SET not self-clearing");
    int r = 0;
    for (int i = 0; i < 3000 && (r = rises(20)) < 5; i++) {
        sleep_ms(1);
    }
    CHECK(r >= 5, "periodic fired %d times", r);
    /* each match added the period to the accumulator */
    uint32_t moved = rd32(TN_CMP(0)) - (now + (uint32_t)delta);
    CHECK(moved % delta == 0 && moved >= 4 * delta, "accumulator moved by %u (period %u)",
          moved, (uint32_t)delta);
    /* timer 1 cannot be periodic */
    wr32(TN_CFG(1), (1u << 3));
    CHECK(!(rd32(TN_CFG(1)) & (1u << 3)), "timer 1 accepted periodic");
    wr32(TN_CFG(0), 0);
    r = rises(20);
    sleep_ms(20);
    CHECK(rises(20) == r, "disabled timer still fires");
    wr64(0x010, 0);
    return true;
}

static bool t_level_status(void)
{
    fresh();
    wr64(0x010, 1);
    wr64(TN_CFG(1), (22ull << 9) | (1u << 2) | (1u << 1)); /* level, route 22 */
    wr64(TN_CMP(1), rd64(0x0f0) + 3 * TICKS_PER_MS);
    for (int i = 0; i < 3000 && !lvl(22); i++) {
        sleep_ms(1);
    }
    CHECK(lvl(22), "level interrupt not asserted");
    CHECK(rd64(0x020) & 2, "GINTR_STA bit 1 not set");
    sleep_ms(5);
    CHECK(lvl(22), "level dropped without a status clear");
    wr64(0x020, 1); /* wrong bit: no effect */
    CHECK(lvl(22) && (rd64(0x020) & 2), "clearing another bit dropped it");
    wr64(0x020, 2);
    CHECK(!lvl(22) && !(rd64(0x020) & 2), "status write-1-to-clear");
    wr64(TN_CFG(1), 0);
    wr64(0x010, 0);
    return true;
}

static bool t_legacy(void)
{
    fresh();
    legacy_calls = 0;
    wr64(0x010, 3); /* enable + legacy replacement */
    CHECK(legacy_calls == 1 && legacy_on, "legacy notify (%d, %d)", legacy_calls, legacy_on);
    wr64(TN_CFG(0), (20ull << 9) | (1u << 2));
    wr64(TN_CFG(1), (20ull << 9) | (1u << 2));
    wr64(TN_CMP(0), rd64(0x0f0) + 2 * TICKS_PER_MS);
    wr64(TN_CMP(1), rd64(0x0f0) + 3 * TICKS_PER_MS);
    for (int i = 0; i < 3000 && (rises(24) == 0 || rises(25) == 0); i++) {
        sleep_ms(1);
    }
    CHECK(rises(24) == 1, "timer 0 -> IRQ 0: %d", rises(24));
    CHECK(rises(25) == 1, "timer 1 -> IRQ 8: %d", rises(25));
    CHECK(rises(20) == 0, "the route was used in legacy mode");
    wr64(0x010, 1);
    CHECK(legacy_calls == 2 && !legacy_on, "legacy off notify");
    wr64(0x010, 0);
    return true;
}

int main(void)
{
    IRQLine gsi[HPET_NUM_ROUTES];
    for (int i = 0; i < HPET_NUM_ROUTES; i++) {
        gsi[i] = (IRQLine){ line_handler, NULL, i };
    }
    hpet = hpet_new(gsi, (IRQLine){ line_handler, NULL, 24 },
                    (IRQLine){ line_handler, NULL, 25 });
    hpet_set_legacy_notify(hpet, legacy_notify, NULL);
    run("capabilities", t_caps);
    run("main_counter", t_counter);
    run("oneshot_routed_not_before", t_oneshot_routed);
    run("periodic_as_linux", t_periodic_linux);
    run("level_status", t_level_status);
    run("legacy_replacement", t_legacy);
    hpet_free(hpet);
    return failures ? 1 : 0;
}
