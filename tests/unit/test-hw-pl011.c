/*
 * test-hw-pl011.c — the PL011 UART and the PL031 RTC through their MMIO
 * callbacks: ID registers, TX to a file chardev, RX FIFO levels and flags,
 * RX/RT/TX interrupts with mask and clear, loopback, narrow accesses; the
 * RTC counter, load register and match interrupt with a controlled clock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hw/char/pl011.h"
#include "hw/rtc/pl031.h"
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
    if (level && !irq_level) {
        irq_edges++;
    }
    __atomic_store_n(&irq_level, level, __ATOMIC_RELEASE); /* also the RTC's timer thread */
}

static PL011State *make_uart(Chardev *chr)
{
    irq_level = irq_edges = 0;
    return pl011_new(chr, (IRQLine){ irq_handler, NULL, 0 });
}

static uint32_t rd(PL011State *s, uint64_t off)
{
    return (uint32_t)pl011_read(s, off, 4);
}

static void wr(PL011State *s, uint64_t off, uint32_t v)
{
    pl011_write(s, off, v, 4);
}

static bool test_ids(void)
{
    PL011State *s = make_uart(NULL);
    static const uint8_t want[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };
    for (int i = 0; i < 8; i++) {
        CHECK(rd(s, UARTPERIPHID0 + 4 * i) == want[i], "ID register %d = %x", i,
              rd(s, UARTPERIPHID0 + 4 * i));
    }
    uint32_t fr = rd(s, UARTFR);
    CHECK((fr & PL011_FR_TXFE) && (fr & PL011_FR_RXFE) && !(fr & PL011_FR_BUSY) &&
              !(fr & PL011_FR_TXFF),
          "reset FR %x", fr);
    CHECK(rd(s, UARTCR) == (PL011_CR_TXE | PL011_CR_RXE), "reset CR");
    pl011_free(s);
    return true;
}

static bool test_tx_to_file(void)
{
    char path[] = "/tmp/coremu-pl011-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0, "mkstemp");
    close(fd);
    char spec[64];
    snprintf(spec, sizeof(spec), "file:%s", path);
    Chardev *chr = chardev_open(spec);
    CHECK(chr, "chardev_open");
    PL011State *s = make_uart(chr);
    const char *msg = "Hello, virt\n";
    for (const char *p = msg; *p; p++) {
        CHECK(rd(s, UARTFR) & PL011_FR_TXFE, "TX FIFO must stay empty");
        pl011_write(s, UARTDR, (uint8_t)*p, p == msg ? 1 : 4); /* byte and word stores */
    }
    pl011_free(s);
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

static bool test_rx_fifo(void)
{
    PL011State *s = make_uart(NULL);
    /* FIFO disabled: one character holding register */
    CHECK(pl011_receive(s, (const uint8_t *)"ab", 2) == 1, "non-FIFO mode takes one byte");
    CHECK(rd(s, UARTFR) & PL011_FR_RXFF, "RXFF with one byte held");
    CHECK(rd(s, UARTDR) == 'a', "read a");
    CHECK(rd(s, UARTFR) & PL011_FR_RXFE, "empty again");
    /* FIFO enabled: 32 entries */
    wr(s, UARTLCR_H, PL011_LCRH_FEN | 0x60);
    uint8_t data[40];
    for (int i = 0; i < 40; i++) {
        data[i] = (uint8_t)('A' + i);
    }
    CHECK(pl011_receive(s, data, 40) == 32, "a full FIFO takes 32");
    uint32_t fr = rd(s, UARTFR);
    CHECK((fr & PL011_FR_RXFF) && !(fr & PL011_FR_RXFE), "FR full %x", fr);
    CHECK(pl011_receive(s, data + 32, 8) == 0, "full FIFO refuses more");
    for (int i = 0; i < 32; i++) {
        uint32_t c = rd(s, UARTDR);
        CHECK(c == data[i], "byte %d: %x", i, c);
    }
    CHECK(rd(s, UARTFR) & PL011_FR_RXFE, "drained");
    CHECK(rd(s, UARTDR) == 0, "reading an empty FIFO gives 0");
    /* byte-wide reads of DR pop one character each */
    pl011_receive(s, (const uint8_t *)"xy", 2);
    CHECK(pl011_read(s, UARTDR, 1) == 'x' && pl011_read(s, UARTDR, 1) == 'y', "byte reads");
    pl011_free(s);
    return true;
}

static bool test_rx_interrupts(void)
{
    PL011State *s = make_uart(NULL);
    wr(s, UARTLCR_H, PL011_LCRH_FEN | 0x60);
    wr(s, UARTIFLS, 2 << 3); /* RX trigger at 1/2 = 16 */
    wr(s, UARTIMSC, PL011_INT_RX | PL011_INT_RT);
    pl011_receive(s, (const uint8_t *)"q", 1);
    CHECK(irq_level, "data below the trigger raises RT");
    CHECK(rd(s, UARTMIS) == PL011_INT_RT, "MIS %x", rd(s, UARTMIS));
    uint8_t buf[20] = { 0 };
    pl011_receive(s, buf, 15);
    CHECK(rd(s, UARTRIS) & PL011_INT_RX, "16 bytes reach the trigger: RX");
    wr(s, UARTICR, PL011_INT_RX | PL011_INT_RT);
    CHECK(!irq_level, "ICR clears");
    pl011_receive(s, buf, 1);
    CHECK(irq_level, "new data raises it again");
    for (int i = 0; i < 17; i++) {
        rd(s, UARTDR);
    }
    CHECK(!irq_level && rd(s, UARTRIS) == 0, "drained FIFO: quiet (RIS %x)", rd(s, UARTRIS));
    /* masked: RIS set, line low */
    wr(s, UARTIMSC, 0);
    pl011_receive(s, buf, 1);
    CHECK(!irq_level && (rd(s, UARTRIS) & PL011_INT_RT), "mask keeps the line low");
    pl011_free(s);
    return true;
}

static bool test_tx_interrupt_and_loopback(void)
{
    PL011State *s = make_uart(NULL);
    wr(s, UARTIMSC, PL011_INT_TX);
    CHECK(!irq_level, "no TX interrupt before sending");
    wr(s, UARTDR, 'z');
    CHECK(irq_level && (rd(s, UARTMIS) & PL011_INT_TX), "TX interrupt after a send");
    wr(s, UARTICR, PL011_INT_TX);
    CHECK(!irq_level, "TX cleared");
    /* loopback (CR.LBE): the byte lands in our own RX FIFO */
    wr(s, UARTCR, PL011_CR_UARTEN | PL011_CR_TXE | PL011_CR_RXE | (1u << 7));
    wr(s, UARTDR, 0x5a);
    CHECK(!(rd(s, UARTFR) & PL011_FR_RXFE), "loopback byte received");
    CHECK(rd(s, UARTDR) == 0x5a, "loopback data");
    /* unknown offsets are harmless */
    wr(s, 0x800, 1);
    CHECK(rd(s, 0x800) == 0 && pl011_read(s, UARTFR + 1, 1) == 0, "holes read 0");
    pl011_free(s);
    return true;
}

/* ---- PL031 ---- */

static uint64_t fake_now;
static uint64_t fake_clock(void *opaque)
{
    return fake_now;
}

static bool test_pl031(void)
{
    irq_level = 0;
    PL031State *s = pl031_new((IRQLine){ irq_handler, NULL, 0 });
    uint32_t host = (uint32_t)pl031_read(s, RTCDR, 4);
    CHECK(host > 1600000000u, "counter starts from host time (%u)", host);
    static const uint8_t want[8] = { 0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };
    for (int i = 0; i < 8; i++) {
        CHECK(pl031_read(s, RTCPERIPHID0 + 4 * i, 4) == want[i], "ID %d", i);
    }
    fake_now = 1000;
    pl031_set_clock(s, fake_clock, NULL);
    uint32_t t0 = (uint32_t)pl031_read(s, RTCDR, 4);
    fake_now += 5;
    CHECK(pl031_read(s, RTCDR, 4) == t0 + 5, "counts seconds");
    pl031_write(s, RTCLR, 100, 4);
    CHECK(pl031_read(s, RTCDR, 4) == 100, "load sets the counter");
    CHECK(pl031_read(s, RTCLR, 4) == 100 && pl031_read(s, RTCCR, 4) == 1, "LR/CR read back");
    pl031_write(s, RTCMR, 103, 4);
    pl031_write(s, RTCIMSC, 1, 4);
    fake_now += 2;
    CHECK(pl031_read(s, RTCRIS, 4) == 0 && !irq_level, "no match yet");
    fake_now += 1;
    CHECK(pl031_read(s, RTCRIS, 4) == 1 && irq_level, "match raises the interrupt");
    pl031_write(s, RTCICR, 1, 4);
    CHECK(pl031_read(s, RTCMIS, 4) == 0 && !irq_level, "ICR clears it");
    fake_now += 10;
    CHECK(pl031_read(s, RTCRIS, 4) == 0, "a match fires once");
    pl031_free(s);
    return true;
}

/* System reset: the line drops, mask/match/RIS clear, the counter keeps its time,
 * and an alarm armed before the reset does not fire after it. */
static bool test_pl031_reset(void)
{
    irq_level = 0;
    PL031State *s = pl031_new((IRQLine){ irq_handler, NULL, 0 });
    fake_now = 5000;
    pl031_set_clock(s, fake_clock, NULL);
    pl031_write(s, RTCLR, 200, 4);
    pl031_write(s, RTCIMSC, 1, 4);
    pl031_write(s, RTCMR, 201, 4);
    fake_now += 1;
    CHECK(pl031_read(s, RTCRIS, 4) == 1 && irq_level, "match before the reset");
    pl031_write(s, RTCMR, 210, 4); /* a second alarm, armed */
    pl031_reset(s);
    CHECK(!irq_level, "reset lowers the line");
    CHECK(pl031_read(s, RTCIMSC, 4) == 0 && pl031_read(s, RTCRIS, 4) == 0 &&
              pl031_read(s, RTCMR, 4) == 0,
          "IMSC/RIS/MR reset to 0");
    CHECK(pl031_read(s, RTCDR, 4) == 201, "counter kept across the reset");
    pl031_write(s, RTCIMSC, 1, 4);
    fake_now += 20;
    CHECK(pl031_read(s, RTCRIS, 4) == 0 && !irq_level, "pre-reset alarm fired after reset");
    pl031_free(s);
    return true;
}

/* With the host clock the alarm fires by itself (a host timer), no access needed. */
static bool test_pl031_alarm(void)
{
    irq_level = 0;
    PL031State *s = pl031_new((IRQLine){ irq_handler, NULL, 0 });
    uint32_t t = (uint32_t)pl031_read(s, RTCDR, 4);
    pl031_write(s, RTCIMSC, 1, 4);
    pl031_write(s, RTCMR, t + 1, 4);
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    do {
        usleep(5000);
        clock_gettime(CLOCK_MONOTONIC, &now);
    } while (!__atomic_load_n(&irq_level, __ATOMIC_ACQUIRE) && now.tv_sec - start.tv_sec < 4);
    bool fired = __atomic_load_n(&irq_level, __ATOMIC_ACQUIRE);
    CHECK(fired, "alarm did not fire within 4 s");
    CHECK((uint32_t)pl031_read(s, RTCDR, 4) - t >= 1, "fired before the match second");
    pl031_write(s, RTCICR, 1, 4);
    CHECK(!irq_level, "cleared");
    /* an alarm in the past does not fire */
    pl031_write(s, RTCMR, t - 5, 4);
    usleep(20000);
    CHECK(!irq_level && pl031_read(s, RTCRIS, 4) == 0, "alarm in the past fired");
    pl031_free(s);
    return true;
}

int main(void)
{
    run("pl011_id_registers", test_ids);
    run("pl011_tx_to_file_chardev", test_tx_to_file);
    run("pl011_rx_fifo", test_rx_fifo);
    run("pl011_rx_interrupts", test_rx_interrupts);
    run("pl011_tx_interrupt_loopback", test_tx_interrupt_and_loopback);
    run("pl031_rtc", test_pl031);
    run("pl031_alarm_host_timer", test_pl031_alarm);
    run("pl031_reset", test_pl031_reset);
    return failures ? 1 : 0;
}
