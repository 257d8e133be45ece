/*
 * ioapic.c — the I/O APIC (Intel 82093AA datasheet §3; the ICH's version
 * 0x20 adds the EOI register at +0x40).
 *
 * State per pin: the input level (irr), and per redirection entry the
 * guest-written fields plus remote IRR. One mutex per IOAPIC guards it.
 * ioapic_service() is the only place that sends messages: for each pin
 * with a pending request and an unmasked entry,
 *   - edge: the latched request is consumed and a message sent (a request
 *     that arrives while masked stays latched until the unmask, as on
 *     QEMU's and most chipsets' IOAPICs);
 *   - level: a message is sent if remote IRR is clear, and remote IRR set;
 *     the local APIC's EOI broadcast (apic_bus_set_eoi_listener) clears it
 *     and a still-asserted line is delivered again.
 * Messages go to the APIC bus with the IOAPIC lock held (lock order IOAPIC
 * -> APIC); the APIC calls back (EOI) with no APIC lock held.
 */
#include "hw/i386/ioapic.h"

#include <pthread.h>
#include <stdlib.h>

#include "hw/i386/apic.h"
#include "util/log.h"

#define IOAPIC_VERSION 0x20
#define IOREGSEL 0x00
#define IOWIN 0x10
#define IOEOI 0x40

/* redirection entry bits (82093AA §3.2.4) */
#define RTE_VECTOR(e) ((uint8_t)((e) & 0xff))
#define RTE_DM(e) ((int)(((e) >> 8) & 7))
#define RTE_LOGICAL (1ull << 11)
#define RTE_DELIVS (1ull << 12)
#define RTE_POLARITY (1ull << 13)
#define RTE_REMOTE_IRR (1ull << 14)
#define RTE_LEVEL (1ull << 15)
#define RTE_MASKED (1ull << 16)
#define RTE_DEST(e) ((uint32_t)((e) >> 56))
#define RTE_RO_BITS (RTE_DELIVS | RTE_REMOTE_IRR)

struct IOAPICState {
    pthread_mutex_t lock;
    Machine *m;
    APICBus *bus;
    uint8_t id;
    uint8_t sel;
    uint32_t irr;   /* level: the input; edge: a latched rising edge */
    uint32_t level; /* input levels, for edge detection */
    uint64_t rte[IOAPIC_NUM_PINS];
};

/* Send what is pending (lock held). */
static void ioapic_service(IOAPICState *s)
{
    for (int pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        uint32_t bit = 1u << pin;
        uint64_t e = s->rte[pin];
        if (!(s->irr & bit) || (e & RTE_MASKED)) {
            continue;
        }
        bool level = (e & RTE_LEVEL) != 0;
        if (level) {
            if (e & RTE_REMOTE_IRR) {
                continue;
            }
            s->rte[pin] |= RTE_REMOTE_IRR;
        } else {
            s->irr &= ~bit;
        }
        int dm = RTE_DM(e);
        apic_bus_deliver(s->bus, RTE_DEST(e), (e & RTE_LOGICAL) != 0, dm, RTE_VECTOR(e),
                         level && (dm == APIC_DM_FIXED || dm == APIC_DM_LOWEST));
    }
}

void ioapic_set_irq(IOAPICState *s, int pin, int level)
{
    if (pin < 0 || pin >= IOAPIC_NUM_PINS) {
        return;
    }
    uint32_t bit = 1u << pin;
    pthread_mutex_lock(&s->lock);
    bool old = (s->level & bit) != 0;
    if (level) {
        s->level |= bit;
        if (s->rte[pin] & RTE_LEVEL) {
            s->irr |= bit;
        } else if (!old) {
            s->irr |= bit; /* rising edge */
        }
    } else {
        s->level &= ~bit;
        if (s->rte[pin] & RTE_LEVEL) {
            s->irr &= ~bit;
        }
    }
    ioapic_service(s);
    pthread_mutex_unlock(&s->lock);
}

void ioapic_irq_handler(void *opaque, int pin, int level)
{
    ioapic_set_irq(opaque, pin, level);
}

IRQLine ioapic_irq_line(IOAPICState *s, int pin)
{
    return (IRQLine){ ioapic_irq_handler, s, pin };
}

void ioapic_eoi(IOAPICState *s, uint8_t vector)
{
    pthread_mutex_lock(&s->lock);
    bool any = false;
    for (int pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        uint64_t e = s->rte[pin];
        if ((e & RTE_REMOTE_IRR) && RTE_VECTOR(e) == vector) {
            s->rte[pin] &= ~RTE_REMOTE_IRR;
            any = true;
        }
    }
    if (any) {
        ioapic_service(s);
    }
    pthread_mutex_unlock(&s->lock);
}

static void ioapic_eoi_listener(void *opaque, uint8_t vector)
{
    ioapic_eoi(opaque, vector);
}

static uint32_t ioapic_reg_read(IOAPICState *s)
{
    uint8_t r = s->sel;
    switch (r) {
    case 0x00:
        return (uint32_t)s->id << 24;
    case 0x01:
        return ((IOAPIC_NUM_PINS - 1u) << 16) | IOAPIC_VERSION;
    case 0x02:
        return (uint32_t)s->id << 24; /* arbitration ID */
    default:
        if (r >= 0x10 && r < 0x10 + 2 * IOAPIC_NUM_PINS) {
            uint64_t e = s->rte[(r - 0x10) >> 1];
            return (r & 1) ? (uint32_t)(e >> 32) : (uint32_t)e;
        }
        return 0;
    }
}

static void ioapic_reg_write(IOAPICState *s, uint32_t val)
{
    uint8_t r = s->sel;
    if (r == 0x00) {
        s->id = (uint8_t)((val >> 24) & 0xf);
        return;
    }
    if (r < 0x10 || r >= 0x10 + 2 * IOAPIC_NUM_PINS) {
        return; /* version, arbitration: read-only */
    }
    int pin = (r - 0x10) >> 1;
    uint64_t e = s->rte[pin];
    if (r & 1) {
        e = (e & 0x00000000ffffffffull) | ((uint64_t)(val & 0xff000000u) << 32);
    } else {
        uint32_t lo = (val & ~(uint32_t)RTE_RO_BITS) | ((uint32_t)e & (uint32_t)RTE_RO_BITS);
        e = (e & 0xffffffff00000000ull) | lo;
    }
    if (!(e & RTE_LEVEL)) {
        e &= ~RTE_REMOTE_IRR; /* edge entries have no remote IRR */
    }
    s->rte[pin] = e;
    /* a level entry's pending state is the input line */
    uint32_t bit = 1u << pin;
    if (e & RTE_LEVEL) {
        s->irr = (s->irr & ~bit) | (s->level & bit);
    }
    ioapic_service(s);
}

static uint64_t ioapic_mmio_read(void *opaque, uint64_t offset, unsigned size)
{
    IOAPICState *s = opaque;
    uint64_t v = 0;
    pthread_mutex_lock(&s->lock);
    switch (offset & ~3ull) {
    case IOREGSEL:
        v = s->sel;
        break;
    case IOWIN:
        v = ioapic_reg_read(s);
        break;
    default:
        break;
    }
    pthread_mutex_unlock(&s->lock);
    return v >> ((offset & 3) * 8);
}

static void ioapic_mmio_write(void *opaque, uint64_t offset, uint64_t val, unsigned size)
{
    IOAPICState *s = opaque;
    switch (offset & ~3ull) {
    case IOREGSEL:
        pthread_mutex_lock(&s->lock);
        s->sel = (uint8_t)val;
        pthread_mutex_unlock(&s->lock);
        break;
    case IOWIN:
        pthread_mutex_lock(&s->lock);
        ioapic_reg_write(s, (uint32_t)val);
        pthread_mutex_unlock(&s->lock);
        break;
    case IOEOI:
        ioapic_eoi(s, (uint8_t)val);
        break;
    default:
        log_mask_printf(LOG_GUEST_ERROR, "ioapic: write to offset 0x%x\n", (unsigned)offset);
        break;
    }
}

const MemoryRegionOps ioapic_mmio_ops = {
    .read = ioapic_mmio_read,
    .write = ioapic_mmio_write,
    .min_access = 1,
    .max_access = 4,
};

void ioapic_reset(IOAPICState *s)
{
    pthread_mutex_lock(&s->lock);
    s->id = IOAPIC_DEFAULT_ID;
    s->sel = 0;
    s->irr = 0;
    for (int i = 0; i < IOAPIC_NUM_PINS; i++) {
        s->rte[i] = RTE_MASKED;
    }
    pthread_mutex_unlock(&s->lock);
}

IOAPICState *ioapic_new(Machine *m)
{
    IOAPICState *s = calloc(1, sizeof(*s));
    if (!s) {
        fatal("out of memory");
    }
    pthread_mutex_init(&s->lock, NULL);
    s->m = m;
    s->bus = apic_bus_of(m);
    if (!s->bus) {
        fatal("ioapic: apic_init() must come first");
    }
    ioapic_reset(s);
    apic_bus_set_eoi_listener(s->bus, ioapic_eoi_listener, s);
    return s;
}

void ioapic_free(IOAPICState *s)
{
    if (s) {
        apic_bus_set_eoi_listener(s->bus, NULL, NULL);
        pthread_mutex_destroy(&s->lock);
        free(s);
    }
}
