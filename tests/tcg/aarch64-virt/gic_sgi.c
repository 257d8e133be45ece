/*
 * gic_sgi.c — SGIs to self through ICC_SGI1R_EL1, taken in the IRQ vector
 * with ICC_IAR1_EL1 / ICC_EOIR1_EL1 (GICv3 spec IHI 0069 §4.1 interrupt
 * life cycle, §4.8 priority, §12.2 CPU interface registers):
 *  - enable gating: a pending, disabled SGI is taken once enabled;
 *  - two pending SGIs are taken highest priority (lowest value) first;
 *  - ICC_PMR_EL1: an interrupt whose priority is not higher than the mask
 *    stays pending (ISR_EL1.I=0) until PMR is raised;
 *  - running priority and preemption: inside a handler with PSTATE.I clear,
 *    a higher-priority SGI preempts, an equal or lower one waits for the EOI;
 *  - active state: GICR_ISACTIVER0 reads 1 between IAR and EOI, an SGI
 *    re-sent while active is active+pending and taken again after EOI, and
 *    a software-set active state blocks delivery until GICR_ICACTIVER0;
 *  - EOImode 0 (EOIR drops priority and deactivates) vs EOImode 1 (EOIR only
 *    drops priority, ICC_DIR_EL1 deactivates).
 * Everything printed is an ID, an order, a bit or a priority value.
 */
#include "gic.h"

static volatile int irqs;
static void (*volatile action)(uint32_t id);
static volatile int defer_eoi;

static void on_irq(void)
{
    uint32_t id = (uint32_t)SYSREG_READ(icc_iar1_el1);
    irqs++;
    puts_uart("  irq ");
    print_dec(id);
    puts_uart(" rpr=");
    print_hex(SYSREG_READ(icc_rpr_el1));
    puts_uart("\n");
    if (action) {
        action(id);
    }
    if (!defer_eoi) {
        SYSREG_WRITE(icc_eoir1_el1, id);
        ISB();
    }
}

static void enable_sgi(int id, uint8_t prio)
{
    gicr_set_prio(0, id, prio);
    GICR_SGI(0, S_ISENABLER0) = 1u << id;
}

static uint32_t bit(uint32_t reg, int id)
{
    return (reg >> id) & 1;
}

/* preemption: SGI 5 (0xa0) handler sends 6 (0x40, preempts), 7 (0xa0, same
 * priority: waits) and unmasks IRQs */
static void act_preempt(uint32_t id)
{
    if (id != 5) {
        return;
    }
    int before = irqs;
    send_sgi(6, 1);
    send_sgi(7, 1);
    IRQ_ON();
    wait_for(&irqs, before + 2, 200000);
    IRQ_OFF();
    say_dec("  in 5: irqs taken while unmasked", irqs - before);
    say_dec("  in 5: SGI 7 pending", bit(GICR_SGI(0, S_ISPENDR0), 7));
    say_hex("  in 5: rpr", SYSREG_READ(icc_rpr_el1));
}

/* active state: SGI 9's handler reads its active/pending bits and re-sends */
static volatile int resent;
static void act_active(uint32_t id)
{
    if (id != 9) {
        return;
    }
    say_dec("  in 9: ISACTIVER0.9", bit(GICR_SGI(0, S_ISACTIVER0), 9));
    say_dec("  in 9: ISPENDR0.9", bit(GICR_SGI(0, S_ISPENDR0), 9));
    if (!resent) {
        resent = 1;
        send_sgi(9, 1);
        say_dec("  in 9: after resend ISPENDR0.9", bit(GICR_SGI(0, S_ISPENDR0), 9));
        say_dec("  in 9: after resend ISACTIVER0.9", bit(GICR_SGI(0, S_ISACTIVER0), 9));
    }
}

/* binary point: SGI 14 is higher priority than 13 but in the same group
 * priority with BPR1=6: for group 1 the group priority field is bits
 * [7:BPR1] (one bit more than BPR0 gives group 0), 0x60 and 0x40 both 01b,
 * so it must not preempt (GICv3 spec §4.8.3, "Priority grouping") */
static void act_bpr(uint32_t id)
{
    if (id != 13) {
        return;
    }
    send_sgi(14, 1);
    IRQ_ON();
    spin(100000);
    IRQ_OFF();
    say_dec("  in 13: SGI 14 preempted", irqs - 1);
    say_dec("  in 13: HPPIR1", SYSREG_READ(icc_hppir1_el1));
}

int main(void)
{
    gic_dist_init();
    gic_cpu_init(0);
    irq_handler = on_irq;
    IRQ_ON();

    say("== self SGI 1");
    gicr_set_prio(0, 1, 0xa0);
    send_sgi(1, 1);
    say_dec("disabled: ISPENDR0.1", bit(GICR_SGI(0, S_ISPENDR0), 1));
    spin(100000);
    say_dec("disabled: taken", irqs);
    GICR_SGI(0, S_ISENABLER0) = 1u << 1;
    say_dec("enabled: taken", wait_for(&irqs, 1, 20000000));
    say_dec("after EOI: ISACTIVER0.1", bit(GICR_SGI(0, S_ISACTIVER0), 1));
    say_dec("after EOI: ISPENDR0.1", bit(GICR_SGI(0, S_ISPENDR0), 1));
    say_hex("after EOI: rpr", SYSREG_READ(icc_rpr_el1));

    say("== priority order: SGI 2 (0xa0) sent before SGI 3 (0x40)");
    IRQ_OFF();
    enable_sgi(2, 0xa0);
    enable_sgi(3, 0x40);
    irqs = 0;
    send_sgi(2, 1);
    send_sgi(3, 1);
    say_hex("ISPENDR0 & 0xc", GICR_SGI(0, S_ISPENDR0) & 0xc);
    say_dec("HPPIR1", SYSREG_READ(icc_hppir1_el1));
    say_dec("ISR_EL1.I", (SYSREG_READ(isr_el1) >> 7) & 1);
    IRQ_ON();
    say_dec("both taken", wait_for(&irqs, 2, 20000000));

    say("== PMR masking: SGI 4 priority 0x80");
    enable_sgi(4, 0x80);
    irqs = 0;
    SYSREG_WRITE(icc_pmr_el1, 0x80);
    ISB();
    send_sgi(4, 1);
    spin(100000);
    say_dec("PMR=0x80: taken", irqs);
    say_dec("PMR=0x80: ISPENDR0.4", bit(GICR_SGI(0, S_ISPENDR0), 4));
    say_dec("PMR=0x80: HPPIR1", SYSREG_READ(icc_hppir1_el1));
    say_dec("PMR=0x80: ISR_EL1.I", (SYSREG_READ(isr_el1) >> 7) & 1);
    say_dec("PMR=0x80: IAR1 (masked: spurious)", SYSREG_READ(icc_iar1_el1));
    say_dec("PMR=0x80: ISPENDR0.4 after IAR1", bit(GICR_SGI(0, S_ISPENDR0), 4));
    SYSREG_WRITE(icc_pmr_el1, 0x40);
    ISB();
    spin(100000);
    say_dec("PMR=0x40: taken", irqs);
    SYSREG_WRITE(icc_pmr_el1, 0xa0);
    ISB();
    say_dec("PMR=0xa0: taken", wait_for(&irqs, 1, 20000000));
    SYSREG_WRITE(icc_pmr_el1, 0xff);
    ISB();

    say("== preemption: in SGI 5 (0xa0) send SGI 6 (0x40) and SGI 7 (0xa0)");
    enable_sgi(5, 0xa0);
    enable_sgi(6, 0x40);
    enable_sgi(7, 0xa0);
    irqs = 0;
    action = act_preempt;
    send_sgi(5, 1);
    say_dec("all three taken", wait_for(&irqs, 3, 20000000));
    action = 0;

    say("== lower priority waits: in SGI 8 (0x40) send SGI 5 (0xa0)");
    enable_sgi(8, 0x40);
    irqs = 0;
    defer_eoi = 1;
    IRQ_OFF();
    send_sgi(8, 1);
    IRQ_ON(); /* taken here; handler leaves 8 active at priority 0x40 */
    wait_for(&irqs, 1, 20000000);
    defer_eoi = 0;
    say_hex("8 active, rpr", SYSREG_READ(icc_rpr_el1));
    send_sgi(5, 1);
    spin(100000);
    say_dec("while 8 active: SGI 5 taken", irqs - 1);
    say_dec("HPPIR1", SYSREG_READ(icc_hppir1_el1));
    SYSREG_WRITE(icc_eoir1_el1, 8);
    ISB();
    say_dec("after EOI 8: taken", wait_for(&irqs, 2, 20000000));

    say("== active state: SGI 9 re-sent while active");
    enable_sgi(9, 0xa0);
    irqs = 0;
    action = act_active;
    send_sgi(9, 1);
    say_dec("taken twice", wait_for(&irqs, 2, 20000000));
    spin(100000);
    say_dec("count", irqs);
    action = 0;
    say_dec("ISACTIVER0.9", bit(GICR_SGI(0, S_ISACTIVER0), 9));

    say("== software active: SGI 10 set active via ISACTIVER0, then sent");
    enable_sgi(10, 0xa0);
    irqs = 0;
    GICR_SGI(0, S_ISACTIVER0) = 1u << 10;
    say_dec("ISACTIVER0.10", bit(GICR_SGI(0, S_ISACTIVER0), 10));
    send_sgi(10, 1);
    spin(100000);
    say_dec("active+pending: taken", irqs);
    say_dec("ISPENDR0.10", bit(GICR_SGI(0, S_ISPENDR0), 10));
    GICR_SGI(0, S_ICACTIVER0) = 1u << 10;
    say_dec("after ICACTIVER0: taken", wait_for(&irqs, 1, 20000000));
    say_dec("ISACTIVER0.10", bit(GICR_SGI(0, S_ISACTIVER0), 10));

    say("== EOImode 1: EOIR drops priority only, DIR deactivates");
    enable_sgi(11, 0x40);
    irqs = 0;
    SYSREG_WRITE(icc_ctlr_el1, 2);
    ISB();
    say_dec("ICC_CTLR_EL1.EOImode", (SYSREG_READ(icc_ctlr_el1) >> 1) & 1);
    send_sgi(11, 1);
    wait_for(&irqs, 1, 20000000);
    say_hex("after EOIR: rpr", SYSREG_READ(icc_rpr_el1));
    say_dec("after EOIR: ISACTIVER0.11", bit(GICR_SGI(0, S_ISACTIVER0), 11));
    send_sgi(11, 1);
    spin(100000);
    say_dec("re-sent while active: taken", irqs - 1);
    SYSREG_WRITE(icc_dir_el1, 11);
    ISB();
    say_dec("after DIR: taken", wait_for(&irqs, 2, 20000000));
    SYSREG_WRITE(icc_dir_el1, 11);
    ISB();
    say_dec("after DIR: ISACTIVER0.11", bit(GICR_SGI(0, S_ISACTIVER0), 11));
    SYSREG_WRITE(icc_ctlr_el1, 0);
    ISB();

    say("== binary point: BPR1=6 (group 1: group priority bits [7:BPR1] = [7:6]), in SGI 13 (0x60) send SGI 14 (0x40)");
    enable_sgi(13, 0x60);
    enable_sgi(14, 0x40);
    SYSREG_WRITE(icc_bpr1_el1, 6);
    ISB();
    say_dec("ICC_BPR1_EL1", SYSREG_READ(icc_bpr1_el1));
    irqs = 0;
    action = act_bpr;
    send_sgi(13, 1);
    say_dec("both taken", wait_for(&irqs, 2, 20000000));
    action = 0;
    SYSREG_WRITE(icc_bpr1_el1, 0);
    ISB();

    say("== SGI to a target list without this core is not taken");
    enable_sgi(12, 0x40);
    irqs = 0;
    send_sgi(12, 2); /* Aff0 = 1: no such core with -smp 1 */
    spin(100000);
    say_dec("taken", irqs);
    say_dec("ISPENDR0.12", bit(GICR_SGI(0, S_ISPENDR0), 12));
    say("done");
    return 0;
}
