/*
 * i8259.c — the PC's cascaded pair of 8259A PICs plus the ELCR (Intel
 * 8259A datasheet; PIIX4 datasheet §4.1.9 for ELCR1/ELCR2).
 *
 * Each chip keeps IRR, IMR, ISR and the rotating priority base
 * (priority_add: the IR with the highest priority). A request is
 * serviceable when it is unmasked and of strictly higher priority than
 * every in-service level (special mask mode ignores masked in-service
 * levels; special fully nested mode on the master ignores its IR2 so that
 * higher-priority slave requests pass). Edge inputs latch a rising edge
 * into IRR; level inputs (ELCR bit set) mirror the line.
 *
 * The slave's INT drives the master's IR2; the master's INT is the pair's
 * output IRQLine (the BSP's LINT0). pic_update() recomputes both after
 * every change, with the pair's one lock held, and calls the output only
 * when its level changes (lock order: 8259 -> APIC).
 */
#include "hw/i386/i8259.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

typedef struct PICChip {
    uint8_t irr, imr, isr;
    uint8_t last_irr;     /* input levels, for edge detection */
    uint8_t priority_add; /* IR with the highest priority */
    uint8_t irq_base;     /* ICW2 & 0xf8 */
    uint8_t init_state;   /* 0 ready, 1 expect ICW2, 2 ICW3, 3 ICW4 */
    bool read_isr;        /* OCW3 RIS: port 0 reads ISR (else IRR) */
    bool poll;            /* OCW3 P: the next read is a poll */
    bool special_mask;
    bool auto_eoi, rotate_on_auto_eoi, special_fully_nested;
    bool single, icw4_needed;
    uint8_t elcr, elcr_mask;
} PICChip;

struct I8259State {
    pthread_mutex_t lock;
    PICChip chip[2]; /* 0 master, 1 slave */
    IRQLine out;
    int out_level;
};

/* Priority (0 = highest) of the best bit in mask, 8 if none. */
static int pic_priority(const PICChip *c, uint8_t mask)
{
    if (!mask) {
        return 8;
    }
    int p = 0;
    while (!(mask & (1u << ((p + c->priority_add) & 7)))) {
        p++;
    }
    return p;
}

/* The IR the chip would present, or -1. */
static int pic_get_irq(const PICChip *c, bool master)
{
    int p = pic_priority(c, c->irr & ~c->imr);
    if (p == 8) {
        return -1;
    }
    uint8_t in_service = c->isr;
    if (c->special_mask) {
        in_service &= ~c->imr;
    }
    if (master && c->special_fully_nested) {
        in_service &= ~(1u << 2);
    }
    if (p < pic_priority(c, in_service)) {
        return (p + c->priority_add) & 7;
    }
    return -1;
}

static void chip_set_input(PICChip *c, int irq, int level)
{
    uint8_t bit = (uint8_t)(1u << irq);
    if (c->elcr & bit) {
        if (level) {
            c->irr |= bit;
            c->last_irr |= bit;
        } else {
            c->irr &= (uint8_t)~bit;
            c->last_irr &= (uint8_t)~bit;
        }
    } else if (level) {
        if (!(c->last_irr & bit)) {
            c->irr |= bit;
        }
        c->last_irr |= bit;
    } else {
        c->last_irr &= (uint8_t)~bit;
    }
}

/* Recompute the cascade and the output (lock held). */
static void pic_update(I8259State *s)
{
    chip_set_input(&s->chip[0], 2, pic_get_irq(&s->chip[1], false) >= 0);
    int level = pic_get_irq(&s->chip[0], true) >= 0;
    if (level != s->out_level) {
        s->out_level = level;
        irq_set(&s->out, level);
    }
}

void i8259_set_irq(I8259State *s, int irq, int level)
{
    if (irq < 0 || irq > 15) {
        return;
    }
    pthread_mutex_lock(&s->lock);
    chip_set_input(&s->chip[irq >> 3], irq & 7, level);
    pic_update(s);
    pthread_mutex_unlock(&s->lock);
}

void i8259_irq_handler(void *opaque, int irq, int level)
{
    i8259_set_irq(opaque, irq, level);
}

/* Acknowledge irq on chip c (INTA or poll). */
static void pic_intack(PICChip *c, int irq)
{
    uint8_t bit = (uint8_t)(1u << irq);
    if (c->auto_eoi) {
        if (c->rotate_on_auto_eoi) {
            c->priority_add = (uint8_t)((irq + 1) & 7);
        }
    } else {
        c->isr |= bit;
    }
    if (!(c->elcr & bit)) {
        c->irr &= (uint8_t)~bit; /* an edge request is consumed; a level one stays */
    }
}

int i8259_inta(void *opaque)
{
    I8259State *s = opaque;
    pthread_mutex_lock(&s->lock);
    PICChip *m = &s->chip[0], *sl = &s->chip[1];
    int vector;
    int irq = pic_get_irq(m, true);
    if (irq >= 0) {
        pic_intack(m, irq);
        if (irq == 2) {
            int irq2 = pic_get_irq(sl, false);
            if (irq2 >= 0) {
                pic_intack(sl, irq2);
            } else {
                irq2 = 7; /* spurious IR15 */
            }
            vector = sl->irq_base + irq2;
        } else {
            vector = m->irq_base + irq;
        }
    } else {
        vector = m->irq_base + 7; /* spurious IR7: nothing goes in service */
    }
    pic_update(s);
    pthread_mutex_unlock(&s->lock);
    return vector;
}

static void chip_reset(PICChip *c, uint8_t elcr_mask)
{
    uint8_t elcr = c->elcr;
    memset(c, 0, sizeof(*c));
    c->elcr = elcr & elcr_mask;
    c->elcr_mask = elcr_mask;
}

/* ICW1 (datasheet "Initialization Command Words"): IMR cleared, IR7 lowest,
 * special mask off, status read = IRR, edge latches reset. */
static void chip_icw1(PICChip *c, uint8_t val)
{
    c->imr = 0;
    c->isr = 0;
    c->irr = 0;
    c->last_irr = 0;
    c->priority_add = 0;
    c->read_isr = false;
    c->poll = false;
    c->special_mask = false;
    c->auto_eoi = false;
    c->rotate_on_auto_eoi = false;
    c->special_fully_nested = false;
    c->single = (val & 2) != 0;
    c->icw4_needed = (val & 1) != 0;
    c->init_state = 1;
    if (val & 0x08) {
        log_mask_printf(LOG_UNIMP, "i8259: ICW1 LTIM (level mode) ignored; the ELCR decides\n");
    }
}

static void chip_write(I8259State *s, int n, uint64_t offset, uint8_t val)
{
    PICChip *c = &s->chip[n];
    if (offset == 0) {
        if (val & 0x10) {
            chip_icw1(c, val);
        } else if (val & 0x08) { /* OCW3 */
            if (val & 0x04) {
                c->poll = true;
            }
            if (val & 0x02) {
                c->read_isr = val & 1;
            }
            if (val & 0x40) {
                c->special_mask = (val >> 5) & 1;
            }
        } else { /* OCW2 */
            int cmd = val >> 5;
            int irq;
            switch (cmd) {
            case 0: /* rotate in auto-EOI: clear */
            case 4: /* set */
                c->rotate_on_auto_eoi = cmd == 4;
                break;
            case 1: /* non-specific EOI */
            case 5: /* rotate on non-specific EOI */
                irq = pic_priority(c, c->isr);
                if (irq != 8) {
                    irq = (irq + c->priority_add) & 7;
                    c->isr &= (uint8_t)~(1u << irq);
                    if (cmd == 5) {
                        c->priority_add = (uint8_t)((irq + 1) & 7);
                    }
                }
                break;
            case 3: /* specific EOI */
            case 7: /* rotate on specific EOI */
                irq = val & 7;
                c->isr &= (uint8_t)~(1u << irq);
                if (cmd == 7) {
                    c->priority_add = (uint8_t)((irq + 1) & 7);
                }
                break;
            case 6: /* set priority: IR val&7 becomes the lowest */
                c->priority_add = (uint8_t)((val + 1) & 7);
                break;
            default: /* 2: no operation */
                break;
            }
        }
    } else {
        switch (c->init_state) {
        case 0: /* OCW1 */
            c->imr = val;
            break;
        case 1: /* ICW2 */
            c->irq_base = val & 0xf8;
            c->init_state = c->single ? (c->icw4_needed ? 3 : 0) : 2;
            break;
        case 2: /* ICW3: the cascade wiring is fixed (slave on IR2) */
            c->init_state = c->icw4_needed ? 3 : 0;
            break;
        case 3: /* ICW4 */
            c->special_fully_nested = (val >> 4) & 1;
            c->auto_eoi = (val >> 1) & 1;
            if (!(val & 1)) {
                log_mask_printf(LOG_UNIMP, "i8259: ICW4 8080 mode ignored\n");
            }
            c->init_state = 0;
            break;
        }
    }
    pic_update(s);
}

static uint8_t chip_read(I8259State *s, int n, uint64_t offset)
{
    PICChip *c = &s->chip[n];
    if (c->poll) {
        /* poll (OCW3 P): acknowledge like INTA, return 0x80 | IR or 0 */
        c->poll = false;
        int irq = pic_get_irq(c, n == 0);
        uint8_t v = 0;
        if (irq >= 0) {
            pic_intack(c, irq);
            v = (uint8_t)(0x80 | irq);
        }
        pic_update(s);
        return v;
    }
    if (offset == 0) {
        return c->read_isr ? c->isr : c->irr;
    }
    return c->imr;
}

static uint64_t pic_read(I8259State *s, int n, uint64_t offset, unsigned size)
{
    pthread_mutex_lock(&s->lock);
    uint64_t v = chip_read(s, n, offset & 1);
    pthread_mutex_unlock(&s->lock);
    return v;
}

static void pic_write(I8259State *s, int n, uint64_t offset, uint64_t val)
{
    pthread_mutex_lock(&s->lock);
    chip_write(s, n, offset & 1, (uint8_t)val);
    pthread_mutex_unlock(&s->lock);
}

static uint64_t master_read(void *o, uint64_t off, unsigned size)
{
    return pic_read(o, 0, off, size);
}
static void master_write(void *o, uint64_t off, uint64_t val, unsigned size)
{
    pic_write(o, 0, off, val);
}
static uint64_t slave_read(void *o, uint64_t off, unsigned size)
{
    return pic_read(o, 1, off, size);
}
static void slave_write(void *o, uint64_t off, uint64_t val, unsigned size)
{
    pic_write(o, 1, off, val);
}

static uint64_t elcr_read(void *opaque, uint64_t off, unsigned size)
{
    I8259State *s = opaque;
    pthread_mutex_lock(&s->lock);
    uint64_t v = s->chip[off & 1].elcr;
    pthread_mutex_unlock(&s->lock);
    return v;
}

static void elcr_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    I8259State *s = opaque;
    pthread_mutex_lock(&s->lock);
    PICChip *c = &s->chip[off & 1];
    uint8_t old = c->elcr;
    c->elcr = (uint8_t)val & c->elcr_mask;
    /* an input turned level now mirrors its line */
    uint8_t to_level = c->elcr & ~old;
    c->irr = (uint8_t)((c->irr & ~to_level) | (c->last_irr & to_level));
    pic_update(s);
    pthread_mutex_unlock(&s->lock);
}

const MemoryRegionOps i8259_master_ops = {
    .read = master_read, .write = master_write, .min_access = 1, .max_access = 1,
};
const MemoryRegionOps i8259_slave_ops = {
    .read = slave_read, .write = slave_write, .min_access = 1, .max_access = 1,
};
const MemoryRegionOps i8259_elcr_ops = {
    .read = elcr_read, .write = elcr_write, .min_access = 1, .max_access = 1,
};

void i8259_reset(I8259State *s)
{
    pthread_mutex_lock(&s->lock);
    /* ELCR: IRQ 0, 1, 2, 8 and 13 are always edge (PIIX4 §4.1.9) */
    chip_reset(&s->chip[0], 0xf8);
    chip_reset(&s->chip[1], 0xde);
    s->chip[0].elcr = s->chip[1].elcr = 0;
    pic_update(s);
    pthread_mutex_unlock(&s->lock);
}

I8259State *i8259_new(IRQLine out)
{
    I8259State *s = calloc(1, sizeof(*s));
    if (!s) {
        fatal("out of memory");
    }
    pthread_mutex_init(&s->lock, NULL);
    s->out = out;
    i8259_reset(s);
    return s;
}

void i8259_free(I8259State *s)
{
    if (s) {
        pthread_mutex_destroy(&s->lock);
        free(s);
    }
}
