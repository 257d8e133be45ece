/*
 * test-hw-16550.c — the PC's 16550 UART and MC146818 CMOS RTC through their
 * register callbacks, the way Linux's 8250 and rtc-cmos drivers use them:
 * UART TX to a file chardev, scratch/IER/divisor latch, the 8250 autoconfig
 * probes (loopback MSR pattern, FIFO bits in IIR), the THRE re-assertion
 * test, RX FIFO levels with data-available and timeout interrupts, the IRQ
 * line, loopback; RTC time in BCD/binary and 12/24-hour formats from a
 * controlled clock, setting the time with SET, UIP, periodic/update/alarm
 * flags with their interrupt line, and register C clearing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hw/char/serial-16550.h"
#include "hw/rtc/mc146818.h"
#include "system/chardev.h"

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

static int irq_level, irq_edges;

static void irq_handler(void *opaque, int n, int level)
{
    if (level && !__atomic_load_n(&irq_level, __ATOMIC_ACQUIRE)) {
        __atomic_fetch_add(&irq_edges, 1, __ATOMIC_RELAXED);
    }
    __atomic_store_n(&irq_level, level, __ATOMIC_RELEASE); /* also the RTC's timer thread */
}

static Serial16550State *make_uart(Chardev *chr)
{
    irq_level = irq_edges = 0;
    return serial16550_new(chr, (IRQLine){ irq_handler, NULL, 4 });
}

static uint8_t rd(Serial16550State *s, unsigned off)
{
    return (uint8_t)serial16550_read(s, off, 1);
}

static void wr(Serial16550State *s, unsigned off, uint8_t v)
{
    serial16550_write(s, off, v, 1);
}

/* ---------------------------------------------------------------- UART */

static bool test_uart_tx_to_file(void)
{
    char path[] = "/tmp/coremu-16550-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0, "mkstemp");
    close(fd);
    char spec[64];
    snprintf(spec, sizeof(spec), "file:%s", path);
    Chardev *chr = chardev_open(spec);
    CHECK(chr, "chardev_open");
    Serial16550State *s = make_uart(chr);
    const char *msg = "Hello, pc\n";
    for (const char *p = msg; *p; p++) {
        uint8_t lsr = rd(s, UART_LSR);
        CHECK((lsr & UART_LSR_THRE) && (lsr & UART_LSR_TEMT), "LSR %02x before a write", lsr);
        wr(s, UART_THR, (uint8_t)*p);
    }
    serial16550_free(s);
    chardev_close(chr);
    FILE *f = fopen(path, "r");
    char buf[64] = { 0 };
    size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
    if (f) {
        fclose(f);
    }
    unlink(path);
    CHECK(n == strlen(msg) && !strcmp(buf, msg), "file holds '%s'", buf);
    return true;
}

static bool test_uart_registers(void)
{
    Serial16550State *s = make_uart(NULL);
    CHECK(rd(s, UART_IIR) == UART_IIR_NO_INT, "reset IIR %02x", rd(s, UART_IIR));
    CHECK(rd(s, UART_LSR) == (UART_LSR_THRE | UART_LSR_TEMT), "reset LSR %02x",
          rd(s, UART_LSR));
    wr(s, UART_SCR, 0xa5);
    CHECK(rd(s, UART_SCR) == 0xa5, "scratch");
    wr(s, UART_IER, 0xff);
    CHECK(rd(s, UART_IER) == 0x0f, "IER keeps 4 bits: %02x", rd(s, UART_IER));
    wr(s, UART_IER, 0);
    /* divisor latch behind DLAB */
    wr(s, UART_LCR, UART_LCR_DLAB | 0x03);
    wr(s, UART_DLL, 0x01);
    wr(s, UART_DLM, 0x02);
    CHECK(rd(s, UART_DLL) == 0x01 && rd(s, UART_DLM) == 0x02, "divisor latch");
    wr(s, UART_LCR, 0x03);
    CHECK(rd(s, UART_IER) == 0 && rd(s, UART_LCR) == 0x03, "DLAB off: IER and LCR back");
    /* reading RBR with nothing received gives 0, no DR */
    CHECK(rd(s, UART_RBR) == 0 && !(rd(s, UART_LSR) & UART_LSR_DR), "empty RBR");
    serial16550_free(s);
    return true;
}

/* Linux 8250 autoconfig(): IER probe, loopback MSR test, FIFO type in IIR. */
static bool test_uart_autoconfig(void)
{
    Serial16550State *s = make_uart(NULL);
    wr(s, UART_IER, 0);
    CHECK(rd(s, UART_IER) == 0, "IER 0");
    wr(s, UART_IER, 0x0f);
    CHECK(rd(s, UART_IER) == 0x0f, "IER 0x0f");
    wr(s, UART_IER, 0);
    wr(s, UART_MCR, UART_MCR_LOOP | 0x0a); /* LOOP | OUT2 | RTS */
    uint8_t msr = rd(s, UART_MSR) & 0xf0;
    CHECK(msr == 0x90, "loopback MSR %02x, 8250 wants 0x90 (DCD|CTS)", msr);
    wr(s, UART_MCR, 0);
    CHECK((rd(s, UART_MSR) & 0xf0) == 0xb0, "connected terminal: DCD DSR CTS");
    wr(s, UART_FCR, UART_FCR_FIFOE);
    uint8_t iir = rd(s, UART_IIR);
    CHECK((iir >> 6) == 3, "FIFO bits %02x (16550A)", iir);
    CHECK(!(iir & 0x20), "no 64-byte FIFO bit (not a 16750)");
    /* 16650 probe: EFR under LCR 0xbf must not read 0 */
    wr(s, UART_LCR, 0xbf);
    CHECK(rd(s, UART_FCR) != 0, "EFR probe reads IIR, not 0");
    wr(s, UART_LCR, 0x03);
    wr(s, UART_FCR, 0);
    CHECK((rd(s, UART_IIR) >> 6) == 0, "FIFO off");
    serial16550_free(s);
    return true;
}

/* serial8250_do_startup()'s THRE test: enabling THRI must interrupt at once, twice. */
static bool test_uart_thre(void)
{
    Serial16550State *s = make_uart(NULL);
    wr(s, UART_FCR, UART_FCR_FIFOE);
    wr(s, UART_IER, UART_IER_THRI);
    CHECK(irq_level == 1, "THRI enable raises the line");
    uint8_t iir1 = rd(s, UART_IIR);
    CHECK((iir1 & 0x0f) == UART_IIR_THRI, "first IIR %02x", iir1);
    CHECK((rd(s, UART_IIR) & 0x0f) == UART_IIR_NO_INT && irq_level == 0,
          "reading IIR cleared THRE");
    wr(s, UART_IER, 0);
    wr(s, UART_IER, UART_IER_THRI);
    CHECK((rd(s, UART_IIR) & 0x0f) == UART_IIR_THRI, "re-asserted after IER 0 -> THRI");
    /* a character sent: THR empty again, interrupt again */
    wr(s, UART_THR, 'x');
    CHECK(irq_level == 1 && (rd(s, UART_IIR) & 0x0f) == UART_IIR_THRI, "THRE after TX");
    wr(s, UART_IER, 0);
    CHECK(irq_level == 0, "line low with IER 0");
    serial16550_free(s);
    return true;
}

static bool test_uart_rx(void)
{
    Serial16550State *s = make_uart(NULL);
    /* FIFO off: one holding register */
    CHECK(serial16550_receive(s, (const uint8_t *)"ab", 2) == 1, "non-FIFO takes one byte");
    CHECK(rd(s, UART_LSR) & UART_LSR_DR, "DR");
    CHECK(irq_level == 0, "no interrupt without IER.RDI");
    wr(s, UART_IER, UART_IER_RDI);
    CHECK(irq_level == 1 && (rd(s, UART_IIR) & 0x0f) == UART_IIR_RDI, "RDI at trigger 1");
    CHECK(rd(s, UART_RBR) == 'a', "read a");
    CHECK(irq_level == 0 && !(rd(s, UART_LSR) & UART_LSR_DR), "drained, line low");
    /* FIFO on, trigger 14: 3 bytes give the timeout interrupt */
    wr(s, UART_FCR, UART_FCR_FIFOE | 0xc0);
    CHECK(serial16550_receive(s, (const uint8_t *)"xyz", 3) == 3, "FIFO takes 3");
    CHECK((rd(s, UART_IIR) & 0x0f) == UART_IIR_CTI, "below trigger: timeout interrupt");
    uint8_t data[20];
    for (int i = 0; i < 20; i++) {
        data[i] = (uint8_t)('A' + i);
    }
    CHECK(serial16550_receive(s, data, 20) == 13, "16-byte FIFO takes 13 more");
    CHECK((rd(s, UART_IIR) & 0x0f) == UART_IIR_RDI, "at trigger: data available");
    CHECK(rd(s, UART_RBR) == 'x' && rd(s, UART_RBR) == 'y' && rd(s, UART_RBR) == 'z', "order");
    for (int i = 0; i < 13; i++) {
        uint8_t c = rd(s, UART_RBR);
        CHECK(c == data[i], "byte %d: %02x", i, c);
    }
    CHECK(irq_level == 0 && (rd(s, UART_IIR) & 0x0f) == UART_IIR_NO_INT, "drained");
    /* FCR clear-receiver */
    serial16550_receive(s, data, 4);
    wr(s, UART_FCR, UART_FCR_FIFOE | UART_FCR_CLEAR_RCVR);
    CHECK(!(rd(s, UART_LSR) & UART_LSR_DR), "RX FIFO cleared");
    serial16550_free(s);
    return true;
}

static bool test_uart_loopback(void)
{
    Serial16550State *s = make_uart(NULL);
    wr(s, UART_FCR, UART_FCR_FIFOE);
    wr(s, UART_MCR, UART_MCR_LOOP);
    CHECK(serial16550_receive(s, (const uint8_t *)"q", 1) == 0, "loopback ignores input");
    wr(s, UART_THR, 0x5a);
    wr(s, UART_THR, 0xa5);
    CHECK(rd(s, UART_RBR) == 0x5a && rd(s, UART_RBR) == 0xa5, "echo");
    /* modem-status deltas while toggling loopback lines */
    wr(s, UART_MCR, UART_MCR_LOOP | UART_MCR_DTR);
    uint8_t msr = rd(s, UART_MSR);
    CHECK((msr & UART_MSR_DSR) && (msr & 0x02), "DSR follows DTR with DDSR: %02x", msr);
    CHECK(!(rd(s, UART_MSR) & 0x0f), "MSR read clears the deltas");
    wr(s, UART_IER, UART_IER_MSI);
    wr(s, UART_MCR, UART_MCR_LOOP);
    CHECK(irq_level == 1 && (rd(s, UART_IIR) & 0x0f) == UART_IIR_MSI, "modem status irq");
    rd(s, UART_MSR);
    CHECK(irq_level == 0, "cleared by reading MSR");
    serial16550_free(s);
    return true;
}

/* ----------------------------------------------------------------- RTC */

static uint64_t fake_ns;

static uint64_t fake_clock(void *opaque)
{
    return __atomic_load_n(&fake_ns, __ATOMIC_ACQUIRE);
}

static uint8_t crd(MC146818State *s, uint8_t idx)
{
    mc146818_write(s, 0, idx, 1);
    return (uint8_t)mc146818_read(s, 1, 1);
}

static void cwr(MC146818State *s, uint8_t idx, uint8_t v)
{
    mc146818_write(s, 0, idx, 1);
    mc146818_write(s, 1, v, 1);
}

static MC146818State *make_rtc(uint64_t secs)
{
    irq_level = irq_edges = 0;
    fake_ns = secs * 1000000000ull;
    MC146818State *s = mc146818_new((IRQLine){ irq_handler, NULL, 8 });
    mc146818_set_clock(s, fake_clock, NULL);
    return s;
}

/* 2024-02-29 23:59:58 UTC, a Thursday */
#define T0 1709251198ull

static bool test_rtc_time(void)
{
    MC146818State *s = make_rtc(T0);
    CHECK(crd(s, RTC_REG_D) & RTC_D_VRT, "VRT");
    CHECK(crd(s, RTC_SECONDS) == 0x58 && crd(s, RTC_MINUTES) == 0x59 &&
              crd(s, RTC_HOURS) == 0x23,
          "BCD time %02x:%02x:%02x", crd(s, RTC_HOURS), crd(s, RTC_MINUTES),
          crd(s, RTC_SECONDS));
    CHECK(crd(s, RTC_DAY_OF_MONTH) == 0x29 && crd(s, RTC_MONTH) == 0x02 &&
              crd(s, RTC_YEAR) == 0x24 && crd(s, RTC_CENTURY) == 0x20,
          "BCD date");
    CHECK(crd(s, RTC_DAY_OF_WEEK) == 5, "Thursday is day 5 (1 = Sunday)");
    fake_ns += 3000000000ull; /* -> 2024-03-01 00:00:01 */
    CHECK(crd(s, RTC_SECONDS) == 0x01 && crd(s, RTC_HOURS) == 0 &&
              crd(s, RTC_DAY_OF_MONTH) == 0x01 && crd(s, RTC_MONTH) == 0x03,
          "leap-day rollover");
    /* binary, 12-hour mode */
    cwr(s, RTC_REG_B, RTC_B_DM);
    fake_ns += 13 * 3600 * 1000000000ull; /* 13:00:01 */
    CHECK(crd(s, RTC_HOURS) == (0x80 | 1), "12-hour binary 1 PM: %02x", crd(s, RTC_HOURS));
    CHECK(crd(s, RTC_SECONDS) == 1 && crd(s, RTC_YEAR) == 24, "binary fields");
    mc146818_free(s);
    return true;
}

static bool test_rtc_set(void)
{
    MC146818State *s = make_rtc(T0);
    cwr(s, RTC_REG_B, RTC_B_SET | RTC_B_24H);
    cwr(s, RTC_SECONDS, 0x00);
    cwr(s, RTC_MINUTES, 0x30);
    cwr(s, RTC_HOURS, 0x12);
    cwr(s, RTC_DAY_OF_MONTH, 0x15);
    cwr(s, RTC_MONTH, 0x06);
    cwr(s, RTC_YEAR, 0x30);
    fake_ns += 5000000000ull;
    CHECK(crd(s, RTC_SECONDS) == 0x00, "frozen while SET");
    cwr(s, RTC_REG_B, RTC_B_24H);
    fake_ns += 2000000000ull;
    CHECK(crd(s, RTC_SECONDS) == 0x02 && crd(s, RTC_MINUTES) == 0x30 &&
              crd(s, RTC_HOURS) == 0x12 && crd(s, RTC_YEAR) == 0x30 &&
              crd(s, RTC_MONTH) == 0x06,
          "runs from the set time: %02x:%02x:%02x", crd(s, RTC_HOURS), crd(s, RTC_MINUTES),
          crd(s, RTC_SECONDS));
    /* a field written while running changes just that field */
    cwr(s, RTC_MINUTES, 0x45);
    CHECK(crd(s, RTC_MINUTES) == 0x45 && crd(s, RTC_HOURS) == 0x12, "minutes set live");
    mc146818_free(s);
    return true;
}

static bool test_rtc_uip(void)
{
    MC146818State *s = make_rtc(T0);
    fake_ns = T0 * 1000000000ull + 999900000ull; /* 100 us before the update */
    CHECK(crd(s, RTC_REG_A) & RTC_A_UIP, "UIP in the last 244 us");
    fake_ns = T0 * 1000000000ull + 500000000ull;
    CHECK(!(crd(s, RTC_REG_A) & RTC_A_UIP), "no UIP mid-second");
    CHECK((crd(s, RTC_REG_A) & 0x7f) == 0x26, "reg A as a BIOS leaves it");
    mc146818_free(s);
    return true;
}

static bool test_rtc_flags(void)
{
    MC146818State *s = make_rtc(T0);
    (void)crd(s, RTC_REG_C);
    /* periodic at 1024 Hz (RS = 6): a flag without an enable, no interrupt */
    fake_ns += 2000000; /* 2 ms */
    uint8_t c = crd(s, RTC_REG_C);
    CHECK((c & RTC_C_PF) && !(c & RTC_C_IRQF), "PF without PIE: %02x", c);
    CHECK(crd(s, RTC_REG_C) == 0, "reading C cleared it");
    CHECK(irq_level == 0, "no interrupt");
    /* update-ended with UIE: IRQF and the line */
    cwr(s, RTC_REG_B, RTC_B_24H | RTC_B_UIE);
    fake_ns += 1000000000ull;
    c = crd(s, RTC_REG_C);
    CHECK((c & RTC_C_UF) && (c & RTC_C_IRQF), "UF with UIE: %02x", c);
    CHECK(irq_level == 0 && irq_edges == 1, "line raised once, lowered by reading C (%d)",
          irq_edges);
    /* alarm at 00:00:05 of the next day (the clock is at 00:00:00 of 2024-03-01) */
    cwr(s, RTC_REG_B, RTC_B_24H | RTC_B_AIE);
    cwr(s, RTC_SECONDS_ALARM, 0x05);
    cwr(s, RTC_MINUTES_ALARM, 0x00);
    cwr(s, RTC_HOURS_ALARM, 0xc0); /* any hour */
    (void)crd(s, RTC_REG_C);
    fake_ns += 2000000000ull;
    CHECK(!(crd(s, RTC_REG_C) & RTC_C_AF), "no alarm yet at %02x", crd(s, RTC_SECONDS));
    fake_ns += 4000000000ull;
    c = crd(s, RTC_REG_C);
    CHECK((c & RTC_C_AF) && (c & RTC_C_IRQF), "alarm fired: %02x", c);
    mc146818_free(s);
    return true;
}

/* The periodic interrupt from the host timer with the real clock: a few ticks at 256 Hz. */
static bool test_rtc_periodic_timer(void)
{
    irq_level = irq_edges = 0;
    MC146818State *s = mc146818_new((IRQLine){ irq_handler, NULL, 8 });
    cwr(s, RTC_REG_A, 0x20 | 0x08); /* RS = 8: 256 Hz */
    cwr(s, RTC_REG_B, RTC_B_24H | RTC_B_PIE);
    int seen = 0;
    for (int i = 0; i < 200 && seen < 3; i++) {
        struct timespec ts = { 0, 2000000 };
        nanosleep(&ts, NULL);
        if (__atomic_load_n(&irq_level, __ATOMIC_ACQUIRE)) {
            uint8_t c = crd(s, RTC_REG_C);
            CHECK(c & RTC_C_PF, "line high but no PF: %02x", c);
            seen++;
        }
    }
    CHECK(seen >= 3, "only %d periodic interrupts in 400 ms", seen);
    cwr(s, RTC_REG_B, RTC_B_24H);
    mc146818_free(s);
    return true;
}

int main(void)
{
    run("uart_tx_to_file", test_uart_tx_to_file);
    run("uart_registers", test_uart_registers);
    run("uart_autoconfig", test_uart_autoconfig);
    run("uart_thre", test_uart_thre);
    run("uart_rx", test_uart_rx);
    run("uart_loopback", test_uart_loopback);
    run("rtc_time", test_rtc_time);
    run("rtc_set", test_rtc_set);
    run("rtc_uip", test_rtc_uip);
    run("rtc_flags", test_rtc_flags);
    run("rtc_periodic_timer", test_rtc_periodic_timer);
    return failures ? 1 : 0;
}
