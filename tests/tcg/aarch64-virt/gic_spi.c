/*
 * gic_spi.c — shared peripheral interrupts through the distributor with
 * affinity routing (GICv3 spec IHI 0069 §4.1, §12.9): SPI 42 configured
 * level-sensitive and SPI 43 edge-triggered (GICD_ICFGR), both group 1,
 * routed to core 0 by GICD_IROUTER, made pending by software through
 * GICD_ISPENDR (virt wires nothing to them). Checks for each: ICFGR read
 * back, pending -> active -> inactive through IAR/EOI, active+pending when
 * set pending again inside the handler (taken again after EOI), ICPENDR
 * clearing a masked pending interrupt, enable gating (ICENABLER), the
 * distributor's EnableGrp1, routing to a non-existent core, and priority
 * order between an SPI and an SGI.
 */
#include "gic.h"

static volatile int irqs;
static volatile int repend;

static uint32_t spi_bit(uint32_t base, int id)
{
    return (GICD(base + 4 * (id / 32)) >> (id % 32)) & 1;
}

static void spi_set(uint32_t base, int id)
{
    GICD(base + 4 * (id / 32)) = 1u << (id % 32);
}

static void on_irq(void)
{
    uint32_t id = (uint32_t)SYSREG_READ(icc_iar1_el1);
    irqs++;
    puts_uart("  irq ");
    print_dec(id);
    puts_uart("\n");
    if (id >= 32 && id < 1020) {
        say_dec("  in handler: pending", spi_bit(D_ISPENDR, id));
        say_dec("  in handler: active", spi_bit(D_ISACTIVER, id));
        if (repend) {
            repend = 0;
            spi_set(D_ISPENDR, id);
            say_dec("  in handler: set pending again: pending", spi_bit(D_ISPENDR, id));
            say_dec("  in handler: set pending again: active", spi_bit(D_ISACTIVER, id));
        }
    }
    SYSREG_WRITE(icc_eoir1_el1, id);
    ISB();
}

static void set_cfg(int id, int edge)
{
    uint32_t off = D_ICFGR + 4 * (id / 16);
    int sh = (id % 16) * 2;
    GICD(off) = (GICD(off) & ~(3u << sh)) | ((edge ? 2u : 0u) << sh);
}

static void spi_cycle(int id, const char *kind)
{
    puts_uart("== SPI ");
    print_dec(id);
    puts_uart(" ");
    say(kind);
    say_dec("ICFGR field", (GICD(D_ICFGR + 4 * (id / 16)) >> ((id % 16) * 2)) & 3);
    irqs = 0;
    IRQ_OFF();
    spi_set(D_ISPENDR, id);
    say_dec("ISPENDR after set", spi_bit(D_ISPENDR, id));
    say_dec("HPPIR1", SYSREG_READ(icc_hppir1_el1));
    IRQ_ON();
    say_dec("taken", wait_for(&irqs, 1, 20000000));
    say_dec("after EOI: pending", spi_bit(D_ISPENDR, id));
    say_dec("after EOI: active", spi_bit(D_ISACTIVER, id));

    say("set pending again inside the handler");
    irqs = 0;
    repend = 1;
    spi_set(D_ISPENDR, id);
    say_dec("taken twice", wait_for(&irqs, 2, 20000000));
    spin(100000);
    say_dec("count", irqs);

    say("ICPENDR clears a masked pending SPI");
    irqs = 0;
    SYSREG_WRITE(icc_pmr_el1, 0x10);
    ISB();
    spi_set(D_ISPENDR, id);
    spin(50000);
    say_dec("masked: taken", irqs);
    say_dec("masked: pending", spi_bit(D_ISPENDR, id));
    spi_set(D_ICPENDR, id);
    say_dec("after ICPENDR: pending", spi_bit(D_ISPENDR, id));
    SYSREG_WRITE(icc_pmr_el1, 0xff);
    ISB();
    spin(100000);
    say_dec("PMR raised: taken", irqs);

    say("ICENABLER gates a pending SPI");
    spi_set(D_ICENABLER, id);
    say_dec("enabled", spi_bit(D_ISENABLER, id));
    spi_set(D_ISPENDR, id);
    spin(100000);
    say_dec("disabled: taken", irqs);
    spi_set(D_ISENABLER, id);
    say_dec("enabled: taken", wait_for(&irqs, 1, 20000000));
}

int main(void)
{
    gic_dist_init();
    gic_cpu_init(0);
    irq_handler = on_irq;
    for (int id = 42; id <= 43; id++) {
        GICD(D_IGROUPR + 4 * (id / 32)) |= 1u << (id % 32); /* not a set register */
        GICD64(D_IROUTER + 8 * id) = 0; /* Aff 0.0.0.0: core 0 */
        gicd_set_prio(id, 0x80);
        spi_set(D_ICPENDR, id);
        spi_set(D_ISENABLER, id);
    }
    set_cfg(42, 0);
    set_cfg(43, 1);
    IRQ_ON();
    spi_cycle(42, "level-sensitive");
    spi_cycle(43, "edge-triggered");

    say("== GICD_CTLR.EnableGrp1=0 holds SPI 43");
    irqs = 0;
    GICD(D_CTLR) = (1u << 4) | 1u;
    while (GICD(D_CTLR) & (1u << 31)) {
    }
    spi_set(D_ISPENDR, 43);
    spin(100000);
    say_dec("group disabled: taken", irqs);
    say_dec("group disabled: pending", spi_bit(D_ISPENDR, 43));
    gic_dist_init();
    say_dec("group enabled: taken", wait_for(&irqs, 1, 20000000));

    say("== SPI 43 routed to a non-existent core (Aff0=5)");
    irqs = 0;
    GICD64(D_IROUTER + 8 * 43) = 5;
    say_hex("IROUTER43", GICD64(D_IROUTER + 8 * 43));
    spi_set(D_ISPENDR, 43);
    spin(100000);
    say_dec("taken", irqs);
    GICD64(D_IROUTER + 8 * 43) = 0;
    say_dec("routed back to core 0: taken", wait_for(&irqs, 1, 20000000));

    say("== SPI 43 (0x20) and SGI 1 (0x60) pending together");
    irqs = 0;
    gicd_set_prio(43, 0x20);
    gicr_set_prio(0, 1, 0x60);
    GICR_SGI(0, S_ISENABLER0) = 1u << 1;
    IRQ_OFF();
    send_sgi(1, 1);
    spi_set(D_ISPENDR, 43);
    say_dec("HPPIR1", SYSREG_READ(icc_hppir1_el1));
    IRQ_ON();
    say_dec("both taken", wait_for(&irqs, 2, 20000000));
    say("done");
    return 0;
}
