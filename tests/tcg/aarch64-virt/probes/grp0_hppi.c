/*
 * probes/grp0_hppi.c — not run by run.sh (QEMU and coremu disagree and the
 * architecture leaves room; see FINDINGS.md F1). A group 0 SPI 42 and a
 * group 1 SPI 43 of equal priority are pending, the distributor enables
 * both groups, but the CPU interface enables group 1 only (ICC_IGRPEN0_EL1
 * = 0). Is SPI 43 delivered as an IRQ?
 * Build/run: see FINDINGS.md.
 */
#include "../gic.h"

static volatile int irqs;

static void on_irq(void)
{
    uint32_t id = (uint32_t)SYSREG_READ(icc_iar1_el1);
    irqs++;
    say_dec("  irq", id);
    SYSREG_WRITE(icc_eoir1_el1, id);
    ISB();
}

int main(void)
{
    gic_dist_init();
    gic_cpu_init(0);
    irq_handler = on_irq;
    GICD(D_IGROUPR + 4) = (GICD(D_IGROUPR + 4) & ~(1u << 10)) | (1u << 11);
    for (int id = 42; id <= 43; id++) {
        GICD64(D_IROUTER + 8 * id) = 0;
        gicd_set_prio(id, 0x80);
        GICD(D_ISENABLER + 4) = 1u << (id - 32);
    }
    say_hex("GICD_CTLR", GICD(D_CTLR));
    say_dec("ICC_IGRPEN0_EL1", SYSREG_READ(icc_igrpen0_el1));
    GICD(D_ISPENDR + 4) = (1u << 10) | (1u << 11);
    say_hex("ISPENDR1 bits 42,43", (GICD(D_ISPENDR + 4) >> 10) & 3);
    say_dec("HPPIR0", SYSREG_READ(icc_hppir0_el1));
    say_dec("HPPIR1", SYSREG_READ(icc_hppir1_el1));
    IRQ_ON();
    spin(100000);
    say_dec("SPI 43 taken", irqs);
    say("-- SPI 42 priority lowered to 0xa0");
    gicd_set_prio(42, 0xa0);
    spin(100000);
    say_dec("SPI 43 taken", irqs);
    say("done");
    return 0;
}
