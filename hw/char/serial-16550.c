/*
 * serial-16550.c — the PC16550D UART (National Semiconductor data sheet,
 * "PC16550D Universal Asynchronous Receiver/Transmitter with FIFOs"), the
 * PC's COM port, modelled for Linux's 8250 driver (autoconfig probing,
 * interrupt-driven TX and RX, the THRE re-assertion test).
 *
 * Design: all state behind one mutex. Characters written to THR leave at
 * once (chardev_write, or into the RX FIFO in loopback), so THR and the TX
 * shift register are always empty: LSR.THRE = LSR.TEMT = 1. Received bytes
 * arrive from the chardev's input thread through serial16550_receive(), which
 * takes only what the RX FIFO has room for (never an overrun); when the guest
 * frees room in a full FIFO we call chardev_accept_input() outside the lock.
 *
 * Interrupts (data sheet Table IV, highest priority first):
 *   receiver line status (OE/BI)      IER.RLSI     cleared by reading LSR
 *   received data at the trigger      IER.RDI      cleared below the trigger
 *   character timeout (data waiting   IER.RDI      cleared by reading RBR
 *     below the trigger: our stand-in for the 4-character-time timeout)
 *   THR empty                         IER.THRI     cleared by reading IIR (when it
 *                                                  is the source) or writing THR
 *   modem status (MSR delta bits)     IER.MSI      cleared by reading MSR
 * "THR empty" becomes pending when a character has been sent and when
 * IER.THRI goes from 0 to 1 (THR is always empty), which is what the 8250
 * driver's THRE test expects of a working UART. The output line is 1 while
 * IIR shows a pending interrupt.
 *
 * Modem lines: outside loopback CTS, DSR and DCD are asserted (a terminal
 * is connected); in loopback (MCR.LOOP) CTS = RTS, DSR = DTR, RI = OUT1 and
 * DCD = OUT2, as the data sheet's loopback diagram wires them. The divisor
 * latch, LCR and SCR are stored; line speed has no effect.
 */
#include "hw/char/serial-16550.h"

#include <pthread.h>
#include <stdlib.h>

#include "util/log.h"

#define FIFO_DEPTH 16

struct Serial16550State {
    pthread_mutex_t lock;
    Chardev *chr;
    IRQLine irq;
    int irq_level;
    uint8_t fifo[FIFO_DEPTH];
    int head, count;
    uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
    uint8_t lsr_err;    /* OE/BI: sticky until LSR is read */
    uint8_t msr_lines;  /* MSR bits 7:4 */
    uint8_t msr_delta;  /* MSR bits 3:0 */
    bool thr_pending;   /* THR-empty interrupt pending */
};

static int fifo_capacity(const Serial16550State *s)
{
    return (s->fcr & UART_FCR_FIFOE) ? FIFO_DEPTH : 1;
}

static int rx_trigger(const Serial16550State *s)
{
    static const int levels[4] = { 1, 4, 8, 14 }; /* FCR bits 7:6 */
    return (s->fcr & UART_FCR_FIFOE) ? levels[s->fcr >> 6] : 1;
}

/* IIR as it reads now (lock held), without side effects. */
static uint8_t compute_iir(const Serial16550State *s)
{
    uint8_t fifo_bits = (s->fcr & UART_FCR_FIFOE) ? UART_IIR_FIFO : 0;
    if ((s->ier & UART_IER_RLSI) && s->lsr_err) {
        return fifo_bits | UART_IIR_RLSI;
    }
    if ((s->ier & UART_IER_RDI) && s->count > 0) {
        return fifo_bits | (s->count >= rx_trigger(s) ? UART_IIR_RDI : UART_IIR_CTI);
    }
    if ((s->ier & UART_IER_THRI) && s->thr_pending) {
        return fifo_bits | UART_IIR_THRI;
    }
    if ((s->ier & UART_IER_MSI) && s->msr_delta) {
        return fifo_bits | UART_IIR_MSI;
    }
    return fifo_bits | UART_IIR_NO_INT;
}

/* Lock held. */
static void update_irq(Serial16550State *s)
{
    int level = !(compute_iir(s) & UART_IIR_NO_INT);
    if (level != s->irq_level) {
        s->irq_level = level;
        irq_set(&s->irq, level);
    }
}

/* MSR bits 7:4 from MCR (loopback) or the connected-terminal default. */
static void update_modem_lines(Serial16550State *s)
{
    uint8_t lines;
    if (s->mcr & UART_MCR_LOOP) {
        lines = ((s->mcr & UART_MCR_RTS) ? UART_MSR_CTS : 0) |
                ((s->mcr & UART_MCR_DTR) ? UART_MSR_DSR : 0) |
                ((s->mcr & UART_MCR_OUT1) ? UART_MSR_RI : 0) |
                ((s->mcr & UART_MCR_OUT2) ? UART_MSR_DCD : 0);
    } else {
        lines = UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD;
    }
    uint8_t changed = lines ^ s->msr_lines;
    if (changed & UART_MSR_CTS) {
        s->msr_delta |= 0x01; /* DCTS */
    }
    if (changed & UART_MSR_DSR) {
        s->msr_delta |= 0x02; /* DDSR */
    }
    if ((s->msr_lines & UART_MSR_RI) && !(lines & UART_MSR_RI)) {
        s->msr_delta |= 0x04; /* TERI: trailing edge of RI */
    }
    if (changed & UART_MSR_DCD) {
        s->msr_delta |= 0x08; /* DDCD */
    }
    s->msr_lines = lines;
}

static bool fifo_push(Serial16550State *s, uint8_t c)
{
    if (s->count >= fifo_capacity(s)) {
        return false;
    }
    s->fifo[(s->head + s->count) % FIFO_DEPTH] = c;
    s->count++;
    return true;
}

void serial16550_reset(Serial16550State *s)
{
    pthread_mutex_lock(&s->lock);
    s->head = s->count = 0;
    s->ier = s->lcr = s->mcr = s->scr = s->fcr = 0;
    s->dll = 0x0c; /* 9600 baud from 1.8432 MHz, what a BIOS leaves */
    s->dlm = 0;
    s->lsr_err = 0;
    s->thr_pending = false;
    s->msr_lines = UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD;
    s->msr_delta = 0;
    update_irq(s);
    pthread_mutex_unlock(&s->lock);
}

size_t serial16550_receive(void *opaque, const uint8_t *buf, size_t len)
{
    Serial16550State *s = opaque;
    size_t n = 0;
    pthread_mutex_lock(&s->lock);
    if (!(s->mcr & UART_MCR_LOOP)) { /* loopback disconnects the serial input */
        while (n < len && fifo_push(s, buf[n])) {
            n++;
        }
    }
    if (n) {
        update_irq(s);
    }
    pthread_mutex_unlock(&s->lock);
    return n;
}

uint64_t serial16550_read(void *opaque, uint64_t offset, unsigned size)
{
    Serial16550State *s = opaque;
    uint8_t v = 0xff;
    bool wake_input = false;
    pthread_mutex_lock(&s->lock);
    switch (offset) {
    case UART_RBR:
        if (s->lcr & UART_LCR_DLAB) {
            v = s->dll;
        } else if (s->count > 0) {
            wake_input = s->count == fifo_capacity(s);
            v = s->fifo[s->head];
            s->head = (s->head + 1) % FIFO_DEPTH;
            s->count--;
        } else {
            v = 0;
        }
        break;
    case UART_IER:
        v = (s->lcr & UART_LCR_DLAB) ? s->dlm : s->ier;
        break;
    case UART_IIR:
        v = compute_iir(s);
        if ((v & 0x0f) == UART_IIR_THRI) {
            s->thr_pending = false; /* reading IIR with THRE as the source clears it */
        }
        break;
    case UART_LCR:
        v = s->lcr;
        break;
    case UART_MCR:
        v = s->mcr;
        break;
    case UART_LSR:
        v = UART_LSR_THRE | UART_LSR_TEMT | s->lsr_err | (s->count ? UART_LSR_DR : 0);
        s->lsr_err = 0;
        break;
    case UART_MSR:
        v = s->msr_lines | s->msr_delta;
        s->msr_delta = 0;
        break;
    case UART_SCR:
        v = s->scr;
        break;
    default:
        log_mask_printf(LOG_GUEST_ERROR, "16550: read of bad offset %u\n", (unsigned)offset);
        break;
    }
    update_irq(s);
    pthread_mutex_unlock(&s->lock);
    if (wake_input && s->chr) {
        chardev_accept_input(s->chr);
    }
    return v;
}

void serial16550_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    Serial16550State *s = opaque;
    uint8_t v = (uint8_t)value;
    bool wake_input = false;
    pthread_mutex_lock(&s->lock);
    switch (offset) {
    case UART_THR:
        if (s->lcr & UART_LCR_DLAB) {
            s->dll = v;
            break;
        }
        if (s->mcr & UART_MCR_LOOP) {
            if (!fifo_push(s, v)) {
                s->lsr_err |= UART_LSR_OE; /* the guest did not drain its own echo */
            }
        } else if (s->chr) {
            chardev_write(s->chr, &v, 1);
        }
        s->thr_pending = true; /* the character left: THR empty again */
        break;
    case UART_IER:
        if (s->lcr & UART_LCR_DLAB) {
            s->dlm = v;
            break;
        }
        if ((v & UART_IER_THRI) && !(s->ier & UART_IER_THRI)) {
            s->thr_pending = true; /* enabling THRI with THR empty interrupts at once */
        }
        s->ier = v & 0x0f;
        break;
    case UART_FCR:
        if ((v ^ s->fcr) & UART_FCR_FIFOE) {
            wake_input = s->count == fifo_capacity(s);
            s->head = s->count = 0; /* changing FIFOE clears both FIFOs */
        }
        if (v & UART_FCR_CLEAR_RCVR) {
            wake_input |= s->count == fifo_capacity(s);
            s->head = s->count = 0;
        }
        s->fcr = v & 0xc1;
        break;
    case UART_LCR:
        s->lcr = v;
        break;
    case UART_MCR: {
        bool was_loop = s->mcr & UART_MCR_LOOP;
        s->mcr = v & 0x1f;
        update_modem_lines(s);
        wake_input |= was_loop && !(s->mcr & UART_MCR_LOOP);
        break;
    }
    case UART_LSR:
    case UART_MSR:
        break; /* read-only (factory test registers) */
    case UART_SCR:
        s->scr = v;
        break;
    default:
        log_mask_printf(LOG_GUEST_ERROR, "16550: write of bad offset %u\n", (unsigned)offset);
        break;
    }
    update_irq(s);
    pthread_mutex_unlock(&s->lock);
    if (wake_input && s->chr) {
        chardev_accept_input(s->chr);
    }
}

const MemoryRegionOps serial16550_ops = {
    .read = serial16550_read, .write = serial16550_write, .min_access = 1, .max_access = 1,
};

Serial16550State *serial16550_new(Chardev *chr, IRQLine irq)
{
    Serial16550State *s = calloc(1, sizeof(*s));
    if (!s) {
        fatal("out of memory");
    }
    pthread_mutex_init(&s->lock, NULL);
    s->chr = chr;
    s->irq = irq;
    serial16550_reset(s);
    if (chr) {
        chardev_set_receiver(chr, serial16550_receive, s);
    }
    return s;
}

void serial16550_free(Serial16550State *s)
{
    if (s) {
        if (s->chr) {
            chardev_set_receiver(s->chr, NULL, NULL);
        }
        pthread_mutex_destroy(&s->lock);
        free(s);
    }
}
