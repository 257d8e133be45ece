/*
 * test-x86-ioapic.c — the IOAPIC (hw/i386/ioapic.c) through its MMIO
 * window (IOREGSEL/IOWIN, EOI register), delivering to real local APICs of
 * fake cores (hw/i386/apic.c); the tests read what each APIC received.
 *
 * Cases: reset state and ID/version; edge delivery to a physical
 * destination; a masked edge is held and delivered at unmask; level with
 * remote IRR, re-delivery after EOI while asserted, none after the line
 * drops; EOI through the local APIC broadcast and through +0x40; logical
 * destination; NMI and ExtINT delivery modes; read-only bits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/i386/apic.h"
#include "hw/i386/ioapic.h"
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

#define NCPU 2
static Machine mach;
static APICBus *bus;
static IOAPICState *io;

static uint32_t ioread(uint8_t reg)
{
    ioapic_mmio_ops.write(io, 0x00, reg, 4);
    return (uint32_t)ioapic_mmio_ops.read(io, 0x10, 4);
}

static void iowrite(uint8_t reg, uint32_t v)
{
    ioapic_mmio_ops.write(io, 0x00, reg, 4);
    ioapic_mmio_ops.write(io, 0x10, v, 4);
}

static void set_rte(int pin, uint64_t e)
{
    iowrite((uint8_t)(0x11 + 2 * pin), (uint32_t)(e >> 32));
    iowrite((uint8_t)(0x10 + 2 * pin), (uint32_t)e);
}

static uint64_t get_rte(int pin)
{
    return ((uint64_t)ioread((uint8_t)(0x11 + 2 * pin)) << 32) | ioread((uint8_t)(0x10 + 2 * pin));
}

static APICState *A(int i)
{
    return apic_get(bus, (uint32_t)i);
}

static bool irr_has(int cpu, int v)
{
    return (apic_mmio_read_cpu(A(cpu), 0x200 + (uint32_t)(v / 32) * 0x10, 4) >> (v % 32)) & 1;
}

static bool hard(int cpu)
{
    return __atomic_load_n(&mach.cpus[cpu]->interrupt_request, __ATOMIC_ACQUIRE) &
           CPU_INTERRUPT_HARD;
}

static int inta(int cpu)
{
    return apic_get_interrupt(A(cpu));
}

static void eoi(int cpu)
{
    apic_mmio_write_cpu(A(cpu), 0xb0, 0, 4);
}

#define RTE_LEVEL (1ull << 15)
#define RTE_MASK (1ull << 16)
#define RTE_RIRR (1ull << 14)
#define RTE_LOGICAL (1ull << 11)
#define DEST(d) ((uint64_t)(d) << 56)

static bool t_reset(void)
{
    CHECK(ioread(0x01) == 0x00170020u, "version 0x%x", ioread(0x01));
    CHECK(ioread(0x00) == 0, "ID 0x%x", ioread(0x00));
    iowrite(0x00, 0x05000000);
    CHECK(ioread(0x00) == 0x05000000, "ID write 0x%x", ioread(0x00));
    iowrite(0x00, 0);
    for (int pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        CHECK(get_rte(pin) == RTE_MASK, "pin %d RTE 0x%llx", pin,
              (unsigned long long)get_rte(pin));
    }
    ioapic_mmio_ops.write(io, 0x00, 0x01, 4);
    CHECK(ioapic_mmio_ops.read(io, 0x00, 4) == 0x01, "IOREGSEL readback");
    /* masked pins deliver nothing */
    ioapic_set_irq(io, 4, 1);
    ioapic_set_irq(io, 4, 0);
    CHECK(!hard(0) && !hard(1), "masked pin delivered");
    return true;
}

static bool t_edge(void)
{
    set_rte(1, DEST(1) | 0x31);
    CHECK(get_rte(1) == (DEST(1) | 0x31), "RTE readback 0x%llx", (unsigned long long)get_rte(1));
    ioapic_set_irq(io, 1, 1);
    CHECK(irr_has(1, 0x31) && !irr_has(0, 0x31), "edge to APIC 1");
    CHECK(inta(1) == 0x31, "vector");
    eoi(1);
    /* no new edge while the line stays high */
    ioapic_set_irq(io, 1, 1);
    CHECK(!hard(1), "delivered without an edge");
    ioapic_set_irq(io, 1, 0);
    ioapic_set_irq(io, 1, 1);
    CHECK(hard(1) && inta(1) == 0x31, "second edge");
    eoi(1);
    ioapic_set_irq(io, 1, 0);
    /* an edge while masked is held until the unmask */
    set_rte(1, RTE_MASK | DEST(1) | 0x31);
    ioapic_set_irq(io, 1, 1);
    ioapic_set_irq(io, 1, 0);
    CHECK(!hard(1), "delivered while masked");
    set_rte(1, DEST(1) | 0x31);
    CHECK(hard(1) && inta(1) == 0x31, "held edge not delivered at unmask");
    eoi(1);
    set_rte(1, RTE_MASK);
    return true;
}

static bool t_level(void)
{
    set_rte(16, RTE_LEVEL | DEST(0) | 0x41);
    ioapic_set_irq(io, 16, 1);
    CHECK(hard(0) && irr_has(0, 0x41), "level not delivered");
    CHECK(get_rte(16) & RTE_RIRR, "remote IRR not set");
    CHECK(inta(0) == 0x41, "vector");
    /* still asserted, remote IRR set: nothing more until EOI */
    ioapic_set_irq(io, 16, 1);
    CHECK(!irr_has(0, 0x41), "re-delivered before EOI");
    /* the local APIC's EOI (TMR set) is broadcast; line still high: again */
    CHECK((apic_mmio_read_cpu(A(0), 0x180 + 0x20, 4) >> 1) & 1, "TMR not set for level");
    eoi(0);
    CHECK(irr_has(0, 0x41), "not re-delivered after EOI with the line high");
    CHECK(get_rte(16) & RTE_RIRR, "remote IRR after re-delivery");
    CHECK(inta(0) == 0x41, "vector 2");
    /* the device deasserts before the EOI: no more */
    ioapic_set_irq(io, 16, 0);
    eoi(0);
    CHECK(!(get_rte(16) & RTE_RIRR), "remote IRR not cleared by EOI");
    CHECK(!hard(0) && !irr_has(0, 0x41), "delivered after the line dropped");
    /* the EOI register at +0x40 also clears remote IRR */
    ioapic_set_irq(io, 16, 1);
    CHECK(inta(0) == 0x41, "vector 3");
    ioapic_set_irq(io, 16, 0);
    ioapic_mmio_ops.write(io, 0x40, 0x41, 4);
    CHECK(!(get_rte(16) & RTE_RIRR), "+0x40 EOI did not clear remote IRR");
    /* the local APIC's own ISR is still set: clear it without broadcast effects */
    eoi(0);
    /* remote IRR is read-only for the guest */
    set_rte(16, RTE_LEVEL | RTE_RIRR | DEST(0) | 0x41);
    CHECK(!(get_rte(16) & RTE_RIRR), "remote IRR writable");
    /* masked level: held while masked, delivered at unmask if still high */
    set_rte(16, RTE_MASK | RTE_LEVEL | DEST(0) | 0x41);
    ioapic_set_irq(io, 16, 1);
    CHECK(!hard(0), "masked level delivered");
    set_rte(16, RTE_LEVEL | DEST(0) | 0x41);
    CHECK(hard(0) && inta(0) == 0x41, "level at unmask");
    ioapic_set_irq(io, 16, 0);
    eoi(0);
    set_rte(16, RTE_MASK);
    return true;
}

static bool t_logical_nmi_extint(void)
{
    /* flat logical: core 1 has LDR bit 1 */
    apic_mmio_write_cpu(A(1), 0xd0, 0x02000000, 4);
    set_rte(5, RTE_LOGICAL | DEST(0x02) | 0x45);
    ioapic_set_irq(io, 5, 1);
    CHECK(irr_has(1, 0x45) && !irr_has(0, 0x45), "logical destination");
    inta(1);
    eoi(1);
    ioapic_set_irq(io, 5, 0);
    /* lowest priority to both: one of them (the lowest-numbered) */
    apic_mmio_write_cpu(A(0), 0xd0, 0x01000000, 4);
    set_rte(5, RTE_LOGICAL | DEST(0x03) | (1ull << 8) | 0x46);
    ioapic_set_irq(io, 5, 1);
    CHECK(irr_has(0, 0x46) != irr_has(1, 0x46), "lowest priority went to %s",
          irr_has(0, 0x46) ? "both" : "none");
    for (int i = 0; i < NCPU; i++) {
        if (irr_has(i, 0x46)) {
            inta(i);
            eoi(i);
        }
    }
    ioapic_set_irq(io, 5, 0);
    /* NMI */
    __atomic_fetch_and(&mach.cpus[1]->interrupt_request, ~(uint32_t)CPU_INTERRUPT_NMI,
                       __ATOMIC_ACQ_REL);
    set_rte(6, DEST(1) | (4ull << 8));
    ioapic_set_irq(io, 6, 1);
    CHECK(mach.cpus[1]->interrupt_request & CPU_INTERRUPT_NMI, "NMI mode");
    ioapic_set_irq(io, 6, 0);
    /* ExtINT: the vector comes from the (here fake) 8259 at INTA */
    set_rte(0, DEST(0) | (7ull << 8));
    ioapic_set_irq(io, 0, 1);
    CHECK(hard(0), "ExtINT not raised");
    ioapic_set_irq(io, 0, 0);
    set_rte(0, RTE_MASK);
    set_rte(5, RTE_MASK);
    set_rte(6, RTE_MASK);
    return true;
}

static int fake_pic(void *opaque)
{
    return 0x20;
}

static bool t_irqline(void)
{
    IRQLine l = ioapic_irq_line(io, 9);
    set_rte(9, RTE_LEVEL | DEST(1) | 0x49);
    irq_set(&l, 1);
    CHECK(irr_has(1, 0x49), "IRQLine did not drive the pin");
    CHECK(inta(1) == 0x49, "vector");
    irq_set(&l, 0);
    eoi(1);
    CHECK(!hard(1), "left pending");
    set_rte(9, RTE_MASK);
    return true;
}

int main(void)
{
    memset(&mach, 0, sizeof(mach));
    mach.ncpus = NCPU;
    for (int i = 0; i < NCPU; i++) {
        X86CPU *c = calloc(1, sizeof(X86CPU));
        c->parent.cc = &x86_cpu_class;
        c->parent.cpu_index = i;
        mach.cpus[i] = &c->parent;
    }
    bus = apic_init(&mach);
    apic_set_extint_source(bus, fake_pic, NULL);
    for (int i = 0; i < NCPU; i++) {
        apic_mmio_write_cpu(A(i), 0xf0, 0x1ff, 4);
    }
    /* the BSP's virtual-wire LINT0 is irrelevant here: mask it */
    apic_mmio_write_cpu(A(0), 0x350, 0x10700, 4);
    io = ioapic_new(&mach);
    run("reset_id_version", t_reset);
    run("edge_physical_masked_held", t_edge);
    run("level_remote_irr_eoi", t_level);
    run("logical_lowest_nmi_extint", t_logical_nmi_extint);
    run("irqline", t_irqline);
    ioapic_free(io);
    apic_bus_free(bus);
    for (int i = 0; i < NCPU; i++) {
        free(mach.cpus[i]);
    }
    return failures ? 1 : 0;
}
