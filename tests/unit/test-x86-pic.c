/*
 * test-x86-pic.c — the 8259 pair (hw/i386/i8259.c) through its ports, as
 * Linux's init_8259A() programs it (ICW1 0x11, ICW2 0x30/0x38, ICW3 4/2,
 * ICW4 1), with the INT output captured by an IRQLine sink; then wired to
 * the BSP's local APIC LINT0 (ExtINT) the way the pc board does it.
 *
 * Cases: init sequence and IMR; edge requests, INTA vectors, ISR/IRR reads
 * (OCW3), non-specific and specific EOI; fixed priority and rotation;
 * masking; the cascade (IRQ 8..15 via IR2); ELCR level inputs; auto-EOI;
 * poll mode; spurious IRQ 7; the pair driving an APIC.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/i386/apic.h"
#include "hw/i386/i8259.h"
#include "target/i386/cpu.h"

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

static int out_level, out_changes;
static void out_handler(void *opaque, int n, int level)
{
    out_level = level;
    out_changes++;
}

static I8259State *pic;

static void outb(uint16_t port, uint8_t v)
{
    if (port >= 0x4d0) {
        i8259_elcr_ops.write(pic, port - 0x4d0, v, 1);
    } else if (port >= 0xa0) {
        i8259_slave_ops.write(pic, port - 0xa0, v, 1);
    } else {
        i8259_master_ops.write(pic, port - 0x20, v, 1);
    }
}

static uint8_t inb(uint16_t port)
{
    if (port >= 0x4d0) {
        return (uint8_t)i8259_elcr_ops.read(pic, port - 0x4d0, 1);
    }
    if (port >= 0xa0) {
        return (uint8_t)i8259_slave_ops.read(pic, port - 0xa0, 1);
    }
    return (uint8_t)i8259_master_ops.read(pic, port - 0x20, 1);
}

/* Linux arch/x86/kernel/i8259.c init_8259A(), minus the delays */
static void linux_init(bool auto_eoi)
{
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    outb(0x20, 0x11);
    outb(0x21, 0x30);
    outb(0x21, 0x04);
    outb(0x21, auto_eoi ? 0x03 : 0x01);
    outb(0xa0, 0x11);
    outb(0xa1, 0x38);
    outb(0xa1, 0x02);
    outb(0xa1, 0x01);
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
}

static void fresh(void)
{
    if (pic) {
        i8259_free(pic);
    }
    out_level = out_changes = 0;
    pic = i8259_new((IRQLine){ out_handler, NULL, 0 });
}

static bool t_init_imr(void)
{
    fresh();
    linux_init(false);
    CHECK(inb(0x21) == 0xff && inb(0xa1) == 0xff, "IMR after init 0x%x/0x%x", inb(0x21),
          inb(0xa1));
    i8259_set_irq(pic, 1, 1);
    CHECK(!out_level, "masked IRQ raised INT");
    outb(0x21, 0xfd); /* unmask IRQ 1 */
    CHECK(out_level, "unmasked pending IRQ did not raise INT");
    CHECK(inb(0x21) == 0xfd, "IMR readback");
    return true;
}

static bool t_inta_eoi(void)
{
    fresh();
    linux_init(false);
    outb(0x21, 0x00);
    i8259_set_irq(pic, 1, 1);
    i8259_set_irq(pic, 1, 0); /* edge latched */
    CHECK(out_level, "INT not raised");
    outb(0x20, 0x0a); /* OCW3: read IRR */
    CHECK(inb(0x20) == 0x02, "IRR 0x%x", inb(0x20));
    CHECK(i8259_inta(pic) == 0x31, "vector");
    CHECK(!out_level, "INT still high after INTA");
    outb(0x20, 0x0b); /* OCW3: read ISR */
    CHECK(inb(0x20) == 0x02, "ISR 0x%x", inb(0x20));
    /* a lower-priority request waits for the EOI */
    i8259_set_irq(pic, 4, 1);
    CHECK(!out_level, "IRQ 4 passed IRQ 1 in service");
    /* a higher-priority one does not */
    i8259_set_irq(pic, 0, 1);
    CHECK(out_level, "IRQ 0 did not preempt");
    CHECK(i8259_inta(pic) == 0x30, "IRQ 0 vector");
    outb(0x20, 0x20); /* non-specific EOI: IRQ 0 */
    CHECK(inb(0x20) == 0x02, "non-specific EOI cleared 0x%x", inb(0x20));
    outb(0x20, 0x61); /* specific EOI IRQ 1 */
    CHECK(inb(0x20) == 0x00, "specific EOI left ISR 0x%x", inb(0x20));
    CHECK(out_level, "IRQ 4 not raised after EOI");
    CHECK(i8259_inta(pic) == 0x34, "IRQ 4 vector");
    outb(0x20, 0x20);
    CHECK(!out_level, "INT left high");
    return true;
}

static bool t_priority_rotate(void)
{
    fresh();
    linux_init(false);
    outb(0x21, 0x00);
    i8259_set_irq(pic, 5, 1);
    i8259_set_irq(pic, 3, 1);
    CHECK(i8259_inta(pic) == 0x33, "IRQ 3 before 5");
    outb(0x20, 0xa0); /* rotate on non-specific EOI: 3 becomes lowest */
    i8259_set_irq(pic, 3, 0);
    i8259_set_irq(pic, 3, 1);
    /* now priority order is 4,5,6,7,0,1,2,3: 5 before 3 */
    CHECK(i8259_inta(pic) == 0x35, "rotation: expected IRQ 5");
    outb(0x20, 0x20);
    CHECK(i8259_inta(pic) == 0x33, "then IRQ 3");
    outb(0x20, 0x20);
    /* set priority: IRQ 7 lowest (the default order again) */
    outb(0x20, 0xc7);
    i8259_set_irq(pic, 3, 0);
    i8259_set_irq(pic, 5, 0);
    i8259_set_irq(pic, 6, 1);
    i8259_set_irq(pic, 2, 0);
    i8259_set_irq(pic, 0, 0);
    i8259_set_irq(pic, 0, 1);
    CHECK(i8259_inta(pic) == 0x30, "after set-priority IRQ 0 first");
    outb(0x20, 0x20);
    CHECK(i8259_inta(pic) == 0x36, "then IRQ 6");
    outb(0x20, 0x20);
    return true;
}

static bool t_cascade(void)
{
    fresh();
    linux_init(false);
    outb(0x21, 0xfb); /* only the cascade */
    outb(0xa1, 0xfb); /* IRQ 10 */
    i8259_set_irq(pic, 10, 1);
    CHECK(out_level, "slave request not cascaded");
    CHECK(i8259_inta(pic) == 0x3a, "IRQ 10 vector");
    outb(0x20, 0x0b);
    outb(0xa0, 0x0b);
    CHECK(inb(0x20) == 0x04 && inb(0xa0) == 0x04, "ISR master 0x%x slave 0x%x", inb(0x20),
          inb(0xa0));
    outb(0xa0, 0x20);
    outb(0x20, 0x20);
    CHECK(inb(0x20) == 0 && inb(0xa0) == 0, "EOIs");
    CHECK(!out_level, "INT high with nothing pending");
    /* masked on the slave: nothing */
    i8259_set_irq(pic, 10, 0);
    outb(0xa1, 0xff);
    i8259_set_irq(pic, 10, 1);
    CHECK(!out_level, "masked slave IRQ cascaded");
    i8259_set_irq(pic, 10, 0);
    return true;
}

static bool t_elcr_level(void)
{
    fresh();
    linux_init(false);
    outb(0x21, 0x00);
    outb(0xa1, 0x00);
    outb(0x4d0, 0xff); /* IRQ 0-2 cannot be level */
    outb(0x4d1, 0xff); /* IRQ 8, 13 cannot be level */
    CHECK(inb(0x4d0) == 0xf8 && inb(0x4d1) == 0xde, "ELCR masks 0x%x 0x%x", inb(0x4d0),
          inb(0x4d1));
    outb(0x4d0, 0x20); /* IRQ 5 level */
    outb(0x4d1, 0x00);
    i8259_set_irq(pic, 5, 1);
    CHECK(i8259_inta(pic) == 0x35, "level vector");
    outb(0x20, 0x20);
    /* still asserted: pending again */
    CHECK(out_level, "level request dropped after INTA+EOI");
    i8259_set_irq(pic, 5, 0);
    CHECK(!out_level, "level request stayed after the line dropped");
    /* an edge input keeps its latch when the line drops */
    i8259_set_irq(pic, 6, 1);
    i8259_set_irq(pic, 6, 0);
    CHECK(out_level, "edge latch lost");
    CHECK(i8259_inta(pic) == 0x36, "edge vector");
    outb(0x20, 0x20);
    outb(0x4d0, 0);
    return true;
}

static bool t_auto_eoi_poll_spurious(void)
{
    fresh();
    linux_init(true);
    outb(0x21, 0x00);
    i8259_set_irq(pic, 3, 1);
    CHECK(i8259_inta(pic) == 0x33, "vector");
    outb(0x20, 0x0b);
    CHECK(inb(0x20) == 0, "auto-EOI left ISR 0x%x", inb(0x20));
    i8259_set_irq(pic, 3, 0);
    /* spurious: nothing pending at INTA -> IRQ 7's vector, nothing in service */
    CHECK(i8259_inta(pic) == 0x37, "spurious vector");
    CHECK(inb(0x20) == 0, "spurious put something in service");
    /* poll mode */
    fresh();
    linux_init(false);
    outb(0x21, 0x00);
    i8259_set_irq(pic, 4, 1);
    outb(0x20, 0x0c); /* OCW3 poll */
    CHECK(inb(0x20) == 0x84, "poll byte");
    outb(0x20, 0x0b);
    CHECK(inb(0x20) == 0x10, "poll did not put IRQ 4 in service");
    outb(0x20, 0x20);
    outb(0x20, 0x0c);
    CHECK(inb(0x20) == 0x00, "poll with nothing pending");
    return true;
}

static bool t_with_apic(void)
{
    static Machine m;
    memset(&m, 0, sizeof(m));
    m.ncpus = 1;
    X86CPU *c = calloc(1, sizeof(X86CPU));
    c->parent.cc = &x86_cpu_class;
    m.cpus[0] = &c->parent;
    APICBus *bus = apic_init(&m);
    I8259State *p = i8259_new(apic_lint_line(apic_get(bus, 0), 0));
    apic_set_extint_source(bus, i8259_inta, p);
    I8259State *saved = pic;
    pic = p;
    linux_init(false);
    outb(0x21, 0xfe); /* the PIT's IRQ 0 */
    i8259_set_irq(p, 0, 1);
    i8259_set_irq(p, 0, 0);
    bool hard = c->parent.interrupt_request & CPU_INTERRUPT_HARD;
    /* INTA through the hook the CPU calls: the 8259 supplies the vector */
    int v = c->apic.get_interrupt(c->apic.opaque, &c->parent);
    bool hard_after = c->parent.interrupt_request & CPU_INTERRUPT_HARD;
    outb(0x20, 0x20);
    pic = saved;
    i8259_free(p);
    apic_bus_free(bus);
    free(c);
    CHECK(hard, "the BSP was not interrupted through LINT0");
    CHECK(v == 0x30, "vector through the APIC 0x%x", v);
    CHECK(!hard_after, "HARD left set after INTA");
    return true;
}

int main(void)
{
    run("init_sequence_imr", t_init_imr);
    run("inta_isr_irr_eoi", t_inta_eoi);
    run("priority_rotation", t_priority_rotate);
    run("cascade_slave", t_cascade);
    run("elcr_level", t_elcr_level);
    run("auto_eoi_spurious_poll", t_auto_eoi_poll_spurious);
    run("extint_through_bsp_apic", t_with_apic);
    i8259_free(pic);
    return failures ? 1 : 0;
}
