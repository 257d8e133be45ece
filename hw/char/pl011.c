/*
 * pl011.c — Arm PrimeCell UART PL011 (Arm DDI 0183), the virt board's serial.
 *
 * Design: all state behind one mutex. Writes to UARTDR go straight to the
 * chardev (or, with UARTCR.LBE, loop back into the RX FIFO), so the TX FIFO
 * is always empty: FR.TXFE = 1, TXFF = BUSY = 0. Received bytes arrive from
 * the chardev's input thread through pl011_receive(), which accepts only as
 * many as the RX FIFO has room for; when the guest frees room in a full
 * FIFO we call chardev_accept_input() (outside the lock, since it may call
 * back into pl011_receive()).
 *
 * Interrupt model: RIS bits RX and RT are recomputed from the FIFO level on
 * every FIFO change (RX at or above the IFLS trigger, RT when data waits
 * below it — our stand-in for the 32-bit-period receive timeout); TX is set
 * whenever a character is sent (the FIFO drained at once). UARTICR clears
 * bits until the next event. The IRQ line is (RIS & IMSC) != 0.
 */
#include "hw/char/pl011.h"

#include <pthread.h>
#include <stdlib.h>

#include "util/log.h"

#define PL011_FIFO_DEPTH 32
#define PL011_CR_LBE (1u << 7)

struct PL011State {
    pthread_mutex_t lock;
    Chardev *chr;
    IRQLine irq;
    int irq_level;
    uint8_t fifo[PL011_FIFO_DEPTH];
    int head, count;
    uint32_t ris, imsc, cr, lcr_h, ifls, ibrd, fbrd, ilpr, dmacr, rsr;
};

/* PeriphID0..3, PCellID0..3 (DDI 0183 §3.3.14-15): part 0x011, rev r1p5 */
static const uint8_t pl011_id[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

static int fifo_capacity(const PL011State *s)
{
    return (s->lcr_h & PL011_LCRH_FEN) ? PL011_FIFO_DEPTH : 1;
}

static int rx_trigger(const PL011State *s)
{
    static const int levels[8] = { 4, 8, 16, 24, 28, 28, 28, 28 }; /* IFLS.RXIFLSEL */
    return (s->lcr_h & PL011_LCRH_FEN) ? levels[(s->ifls >> 3) & 7] : 1;
}

/* Lock held. */
static void update_irq(PL011State *s)
{
    int level = (s->ris & s->imsc) != 0;
    if (level != s->irq_level) {
        s->irq_level = level;
        irq_set(&s->irq, level);
    }
}

static void update_rx_status(PL011State *s)
{
    s->ris &= ~(PL011_INT_RX | PL011_INT_RT);
    if (s->count >= rx_trigger(s)) {
        s->ris |= PL011_INT_RX;
    } else if (s->count > 0) {
        s->ris |= PL011_INT_RT;
    }
}

static int fifo_push(PL011State *s, uint8_t c)
{
    if (s->count >= fifo_capacity(s)) {
        return 0;
    }
    s->fifo[(s->head + s->count) % PL011_FIFO_DEPTH] = c;
    s->count++;
    return 1;
}

static void fifo_flush(PL011State *s)
{
    s->head = s->count = 0;
    update_rx_status(s);
}

void pl011_reset(PL011State *s)
{
    pthread_mutex_lock(&s->lock);
    s->head = s->count = 0;
    s->ris = s->imsc = 0;
    s->cr = PL011_CR_TXE | PL011_CR_RXE;
    s->lcr_h = 0;
    s->ifls = 0x12; /* both triggers at half full */
    s->ibrd = s->fbrd = s->ilpr = s->dmacr = s->rsr = 0;
    update_irq(s);
    pthread_mutex_unlock(&s->lock);
}

size_t pl011_receive(void *opaque, const uint8_t *buf, size_t len)
{
    PL011State *s = opaque;
    size_t n = 0;
    pthread_mutex_lock(&s->lock);
    while (n < len && fifo_push(s, buf[n])) {
        n++;
    }
    if (n) {
        update_rx_status(s);
        update_irq(s);
    }
    pthread_mutex_unlock(&s->lock);
    return n;
}

uint64_t pl011_read(void *opaque, uint64_t offset, unsigned size)
{
    PL011State *s = opaque;
    uint64_t v = 0;
    bool wake_input = false;
    if (offset & 3) {
        return 0; /* byte lanes of a register: only the aligned low byte is decoded */
    }
    pthread_mutex_lock(&s->lock);
    switch (offset) {
    case UARTDR:
        if (s->count > 0) {
            wake_input = s->count == fifo_capacity(s);
            v = s->fifo[s->head];
            s->head = (s->head + 1) % PL011_FIFO_DEPTH;
            s->count--;
            update_rx_status(s);
            update_irq(s);
        }
        break;
    case UARTRSR:
        v = s->rsr;
        break;
    case UARTFR:
        v = PL011_FR_TXFE | (s->count == 0 ? PL011_FR_RXFE : 0) |
            (s->count >= fifo_capacity(s) ? PL011_FR_RXFF : 0);
        break;
    case UARTILPR: v = s->ilpr; break;
    case UARTIBRD: v = s->ibrd; break;
    case UARTFBRD: v = s->fbrd; break;
    case UARTLCR_H: v = s->lcr_h; break;
    case UARTCR: v = s->cr; break;
    case UARTIFLS: v = s->ifls; break;
    case UARTIMSC: v = s->imsc; break;
    case UARTRIS: v = s->ris; break;
    case UARTMIS: v = s->ris & s->imsc; break;
    case UARTDMACR: v = s->dmacr; break;
    default:
        if (offset >= UARTPERIPHID0 && offset < 0x1000 && !(offset & 3)) {
            v = pl011_id[(offset - UARTPERIPHID0) / 4];
        } else {
            log_mask_printf(LOG_GUEST_ERROR, "pl011: read of bad offset 0x%x\n",
                            (unsigned)offset);
        }
        break;
    }
    pthread_mutex_unlock(&s->lock);
    if (wake_input && s->chr) {
        chardev_accept_input(s->chr);
    }
    return v;
}

void pl011_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    PL011State *s = opaque;
    uint32_t v = (uint32_t)value;
    if (offset & 3) {
        return; /* see pl011_read: 8/16-bit accesses reach the register at its base */
    }
    pthread_mutex_lock(&s->lock);
    switch (offset) {
    case UARTDR: {
        uint8_t c = (uint8_t)v;
        if (s->cr & PL011_CR_LBE) {
            fifo_push(s, c);
            update_rx_status(s);
        } else if (s->chr) {
            chardev_write(s->chr, &c, 1);
        }
        s->ris |= PL011_INT_TX;
        break;
    }
    case UARTRSR: s->rsr = 0; break; /* UARTECR: clear errors */
    case UARTILPR: s->ilpr = v & 0xff; break;
    case UARTIBRD: s->ibrd = v & 0xffff; break;
    case UARTFBRD: s->fbrd = v & 0x3f; break;
    case UARTLCR_H:
        if ((v ^ s->lcr_h) & PL011_LCRH_FEN) {
            s->lcr_h = v & 0xff;
            fifo_flush(s); /* the FIFO is reset when it is enabled or disabled */
        }
        s->lcr_h = v & 0xff;
        break;
    case UARTCR: s->cr = v & 0xff87; break;
    case UARTIFLS: s->ifls = v & 0x3f; update_rx_status(s); break;
    case UARTIMSC: s->imsc = v & 0x7ff; break;
    case UARTICR: s->ris &= ~v; break;
    case UARTDMACR: s->dmacr = v & 7; break;
    default:
        log_mask_printf(LOG_GUEST_ERROR, "pl011: write of bad offset 0x%x\n",
                        (unsigned)offset);
        break;
    }
    update_irq(s);
    pthread_mutex_unlock(&s->lock);
}

static const MemoryRegionOps pl011_ops = {
    .read = pl011_read, .write = pl011_write, .min_access = 1, .max_access = 4,
};

PL011State *pl011_new(Chardev *chr, IRQLine irq)
{
    PL011State *s = calloc(1, sizeof(*s));
    if (!s) {
        fatal("out of memory");
    }
    pthread_mutex_init(&s->lock, NULL);
    s->chr = chr;
    s->irq = irq;
    pl011_reset(s);
    if (chr) {
        chardev_set_receiver(chr, pl011_receive, s);
    }
    return s;
}

void pl011_free(PL011State *s)
{
    if (s) {
        if (s->chr) {
            chardev_set_receiver(s->chr, NULL, NULL);
        }
        pthread_mutex_destroy(&s->lock);
        free(s);
    }
}

void pl011_map(PL011State *s, AddressSpace *as, uint64_t base)
{
    memory_map_mmio(as, "pl011", base, PL011_MMIO_SIZE, &pl011_ops, s);
}
