/*
 * gic_regs.c — the GICv3 identification and type registers Linux's
 * irq-gic-v3 driver reads at probe, printing only the architecturally fixed
 * or board-configuration parts both implementations must agree on:
 *  GICD_PIDR2.ArchRev (3 = GICv3), GICD_TYPER.SecurityExtn (0: virt without
 *  EL3 has one security state), GICD_CTLR with DS=1 layout after enabling,
 *  GICR_PIDR2.ArchRev, GICR_TYPER.{Affinity, Processor_Number, Last},
 *  GICR_WAKER handshake, ICC_SRE_EL1.SRE, ICC_CTLR_EL1.EOImode/CBPR,
 *  ICC_IAR1_EL1 spurious 1023, ICC_RPR_EL1 idle 0xff, IGROUPR0 and
 *  IPRIORITYR round trips. Left out on purpose: ITLinesNumber (number of
 *  SPIs), IDbits, LPIS/PLPIS (ITS present or not), IIDR, PRIbits.
 */
#include "gic.h"

int main(void)
{
    uint32_t v;
    v = GICD(D_PIDR2);
    say_hex("GICD_PIDR2.ArchRev", (v >> 4) & 0xf);
    v = GICD(D_TYPER);
    say_hex("GICD_TYPER.SecurityExtn", (v >> 10) & 1);
    say_hex("GICD_TYPER.ITLinesNumber>=1", (v & 0x1f) >= 1);
    say_hex("GICD_TYPER.ESPI", (v >> 8) & 1);
    say_hex("GICD_TYPER.DVIS", (v >> 18) & 1);
    say_hex("GICD_TYPER.IDbits>=9", ((v >> 19) & 0x1f) >= 9);
    gic_dist_init();
    say_hex("GICD_CTLR", GICD(D_CTLR) & ~(1u << 31));

    v = GICR_RD(0, R_PIDR2);
    say_hex("GICR_PIDR2.ArchRev", (v >> 4) & 0xf);
    uint64_t t = GICR_RD64(0, R_TYPER);
    say_hex("GICR_TYPER.Affinity", t >> 32);
    say_hex("GICR_TYPER.Processor_Number", (t >> 8) & 0xffff);
    say_hex("GICR_TYPER.Last", (t >> 4) & 1);
    say_hex("GICR_TYPER.VLPIS", (t >> 1) & 1);
    say_hex("GICR_WAKER(before)", GICR_RD(0, R_WAKER) & 6);
    gic_cpu_init(0);
    say_hex("GICR_WAKER(after)", GICR_RD(0, R_WAKER) & 6);
    say_hex("GICR_SGI.IGROUPR0", GICR_SGI(0, S_IGROUPR0));
    say_hex("GICR_SGI.ISENABLER0", GICR_SGI(0, S_ISENABLER0));
    GICR_SGI(0, S_ISENABLER0) = (1u << 3) | (1u << 27);
    say_hex("GICR_SGI.ISENABLER0(3,27)", GICR_SGI(0, S_ISENABLER0));
    GICR_SGI(0, S_ICENABLER0) = (1u << 3);
    say_hex("GICR_SGI.ICENABLER0(clear 3)", GICR_SGI(0, S_ICENABLER0));
    say_hex("GICR_SGI.IPRIORITYR0", GICR_SGI(0, S_IPRIORITYR));
    gicr_set_prio(0, 1, 0x40);
    say_hex("GICR_SGI.IPRIORITYR0(byte1=0x40)", GICR_SGI(0, S_IPRIORITYR));
    say_hex("GICR_SGI.ICFGR0(SGIs edge)", GICR_SGI(0, S_ICFGR0));
    say_hex("GICD_IGROUPR1(default)", GICD(D_IGROUPR + 4));
    GICD(D_IGROUPR + 4) = ~0u;
    say_hex("GICD_IGROUPR1(all)", GICD(D_IGROUPR + 4));
    GICD64(D_IROUTER + 8 * 42) = 0;
    say_hex("GICD_IROUTER42", GICD64(D_IROUTER + 8 * 42));
    GICD64(D_IROUTER + 8 * 42) = 1ull << 31; /* Interrupt_Routing_Mode = any */
    say_hex("GICD_IROUTER42(IRM)", GICD64(D_IROUTER + 8 * 42));

    say_hex("ICC_SRE_EL1.SRE", SYSREG_READ(icc_sre_el1) & 1);
    v = SYSREG_READ(icc_ctlr_el1);
    say_hex("ICC_CTLR_EL1.EOImode", (v >> 1) & 1);
    say_hex("ICC_CTLR_EL1.CBPR", v & 1);
    say_hex("ICC_PMR_EL1", SYSREG_READ(icc_pmr_el1) & 0xf0);
    say_hex("ICC_IGRPEN1_EL1", SYSREG_READ(icc_igrpen1_el1));
    say_hex("ICC_RPR_EL1(idle)", SYSREG_READ(icc_rpr_el1));
    say_dec("ICC_IAR1_EL1(nothing pending)", SYSREG_READ(icc_iar1_el1));
    say_dec("ICC_HPPIR1_EL1(nothing pending)", SYSREG_READ(icc_hppir1_el1));
    say_hex("MPIDR_EL1.Aff0", SYSREG_READ(mpidr_el1) & 0xff);
    say("done");
    return 0;
}
