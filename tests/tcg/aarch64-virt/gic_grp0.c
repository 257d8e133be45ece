/*
 * gic_grp0.c — group 0 interrupts as FIQs. On virt without EL3 the GIC has
 * one security state (GICD_CTLR.DS=1); group 0 interrupts are then signalled
 * to the PE as FIQ and handled through ICC_IAR0_EL1 / ICC_EOIR0_EL1, enabled
 * by ICC_IGRPEN0_EL1 (GICv3 spec IHI 0069 §4.6 "Interrupt grouping",
 * §4.6.1 table of interrupt signalling; ICC_SGI0R_EL1 generates group 0
 * SGIs). Checks: a group 0 SGI sent with ICC_SGI0R_EL1 is pending, HPPIR0
 * names it, ISR_EL1.F=1 (not .I), IAR1 does not acknowledge it (1023), the
 * FIQ is taken once PSTATE.F is clear, RPR inside, EOIR0 deactivates; with
 * ICC_IGRPEN0_EL1=0 it stays pending; a group 0 interrupt of higher priority
 * preempts a group 1 handler as FIQ.
 * Linux itself uses only group 1, so this is a spec-conformance test.
 */
#include "gic.h"

static volatile int fiqs, irqs;

static void on_fiq(void)
{
    uint32_t id = (uint32_t)SYSREG_READ(icc_iar0_el1);
    fiqs++;
    puts_uart("  fiq ");
    print_dec(id);
    puts_uart(" rpr=");
    print_hex(SYSREG_READ(icc_rpr_el1));
    puts_uart("\n");
    say_dec("  in fiq: ISACTIVER0 bit", (GICR_SGI(0, S_ISACTIVER0) >> (id & 31)) & 1);
    SYSREG_WRITE(icc_eoir0_el1, id);
    ISB();
}

static void on_irq(void)
{
    uint32_t id = (uint32_t)SYSREG_READ(icc_iar1_el1);
    irqs++;
    say_dec("  irq", id);
    if (id == 5) {
        SYSREG_WRITE(icc_sgi0r_el1, (2ull << 24) | 1);
        ISB();
        __asm__ volatile("msr daifclr, #1\nisb" ::: "memory");
        wait_for(&fiqs, 2, 2000000);
        __asm__ volatile("msr daifset, #1\nisb" ::: "memory");
        say_dec("  in irq 5: fiqs taken", fiqs);
    }
    SYSREG_WRITE(icc_eoir1_el1, id);
    ISB();
}

#define FIQ_ON() __asm__ volatile("msr daifclr, #1\nisb" ::: "memory")
#define FIQ_OFF() __asm__ volatile("msr daifset, #1\nisb" ::: "memory")

int main(void)
{
    gic_dist_init();
    gic_cpu_init(0);
    irq_handler = on_irq;
    fiq_handler = on_fiq;
    GICR_SGI(0, S_IGROUPR0) = ~(1u << 2); /* SGI 2: group 0, the rest group 1 */
    say_hex("IGROUPR0", GICR_SGI(0, S_IGROUPR0));
    gicr_set_prio(0, 2, 0x40);
    gicr_set_prio(0, 5, 0x80);
    GICR_SGI(0, S_ISENABLER0) = (1u << 2) | (1u << 5);
    IRQ_ON();

    say("== ICC_IGRPEN0_EL1=0: group 0 SGI 2 stays pending");
    SYSREG_WRITE(icc_sgi0r_el1, (2ull << 24) | 1);
    ISB();
    FIQ_ON();
    spin(100000);
    say_dec("taken", fiqs);
    say_dec("ISPENDR0.2", (GICR_SGI(0, S_ISPENDR0) >> 2) & 1);
    FIQ_OFF();

    say("== ICC_IGRPEN0_EL1=1, PSTATE.F set");
    SYSREG_WRITE(icc_igrpen0_el1, 1);
    ISB();
    say_dec("ICC_IGRPEN0_EL1", SYSREG_READ(icc_igrpen0_el1));
    spin(1000);
    say_dec("HPPIR0", SYSREG_READ(icc_hppir0_el1));
    say_dec("HPPIR1", SYSREG_READ(icc_hppir1_el1));
    say_dec("ISR_EL1.F", (SYSREG_READ(isr_el1) >> 6) & 1);
    say_dec("ISR_EL1.I", (SYSREG_READ(isr_el1) >> 7) & 1);
    say_dec("IAR1 (group 0 is not acknowledged by IAR1)", SYSREG_READ(icc_iar1_el1));
    say_dec("irqs", irqs);
    FIQ_ON();
    say_dec("FIQ taken", wait_for(&fiqs, 1, 2000000));
    say_dec("ISACTIVER0.2 after EOIR0", (GICR_SGI(0, S_ISACTIVER0) >> 2) & 1);
    say_dec("ISPENDR0.2 after EOIR0", (GICR_SGI(0, S_ISPENDR0) >> 2) & 1);
    FIQ_OFF();

    say("== group 0 SGI 2 (0x40) preempts group 1 SGI 5 (0x80) as FIQ");
    send_sgi(5, 1);
    say_dec("IRQ 5 and FIQ 2 taken", wait_for(&irqs, 1, 2000000) && fiqs == 2);
    say("done");
    return 0;
}
