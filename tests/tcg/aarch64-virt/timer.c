/*
 * timer.c — the EL1 generic timers (Arm ARM D11: CNTV_* virtual timer on
 * PPI 27, CNTP_* physical timer on PPI 30 on virt) through the GICv3
 * redistributor: CNTFRQ_EL0 non-zero; a compare value far ahead keeps
 * ISTATUS=0; one just ahead expires (ISTATUS=1, TVAL negative, the PPI
 * pending at the redistributor as a level interrupt) and is taken as an IRQ;
 * IMASK=1 masks the output (no IRQ, the PPI no longer pending) while ISTATUS
 * stays 1; ENABLE=0 drops the output; TVAL writes set CVAL = CNT + TVAL
 * (sign-extended), so TVAL=0 or negative fires at once; WFI wakes on the
 * timer interrupt. Counter values are never printed, only comparisons.
 */
#include "gic.h"

typedef struct Timer {
    const char *name;
    int ppi;
    uint64_t (*cnt)(void);
    uint64_t (*ctl)(void);
    void (*set_ctl)(uint64_t);
    uint64_t (*cval)(void);
    void (*set_cval)(uint64_t);
    int64_t (*tval)(void);
    void (*set_tval)(uint64_t);
} Timer;

#define TIMER_OPS(p, cntreg)                                                        \
    static uint64_t p##_cnt(void) { ISB(); return SYSREG_READ(cntreg); }            \
    static uint64_t p##_ctl(void) { ISB(); return SYSREG_READ(p##_ctl_el0); }       \
    static void p##_set_ctl(uint64_t v) { SYSREG_WRITE(p##_ctl_el0, v); ISB(); }    \
    static uint64_t p##_cval(void) { return SYSREG_READ(p##_cval_el0); }            \
    static void p##_set_cval(uint64_t v) { SYSREG_WRITE(p##_cval_el0, v); ISB(); }  \
    static int64_t p##_tval(void) { ISB(); return (int32_t)SYSREG_READ(p##_tval_el0); } \
    static void p##_set_tval(uint64_t v) { SYSREG_WRITE(p##_tval_el0, v); ISB(); }

TIMER_OPS(cntv, cntvct_el0)
TIMER_OPS(cntp, cntpct_el0)

static const Timer timers[2] = {
    { "virtual", 27, cntv_cnt, cntv_ctl, cntv_set_ctl, cntv_cval, cntv_set_cval, cntv_tval,
      cntv_set_tval },
    { "physical", 30, cntp_cnt, cntp_ctl, cntp_set_ctl, cntp_cval, cntp_set_cval, cntp_tval,
      cntp_set_tval },
};

static volatile int irqs;
static uint64_t frq;

/* Takes the timer PPI and masks the timer output (IMASK) before the EOI, as
 * Linux's arch_timer handler does, so the level interrupt goes away. */
static void on_irq(void)
{
    uint32_t id = (uint32_t)SYSREG_READ(icc_iar1_el1);
    irqs++;
    puts_uart("  irq ");
    print_dec(id);
    puts_uart("\n");
    for (int i = 0; i < 2; i++) {
        if (id == (uint32_t)timers[i].ppi) {
            say_dec("  in handler: ISTATUS", (timers[i].ctl() >> 2) & 1);
            timers[i].set_ctl(3);
        }
    }
    SYSREG_WRITE(icc_eoir1_el1, id);
    ISB();
}

static uint32_t ppi_pending(const Timer *t)
{
    return (GICR_SGI(0, S_ISPENDR0) >> t->ppi) & 1;
}

/* Polls until the timer's ISTATUS is 1 (bounded); returns ISTATUS. */
static int wait_istatus(const Timer *t)
{
    for (long i = 0; i < 20000000; i++) {
        if (t->ctl() & 4) {
            return 1;
        }
    }
    return (t->ctl() >> 2) & 1;
}

static void test_timer(const Timer *t)
{
    puts_uart("== ");
    puts_uart(t->name);
    puts_uart(" timer, PPI ");
    print_dec(t->ppi);
    puts_uart("\n");
    irqs = 0;
    IRQ_OFF();
    GICR_SGI(0, S_ISENABLER0) = 1u << t->ppi;

    say("CVAL one hundred seconds ahead");
    t->set_ctl(0);
    t->set_cval(t->cnt() + frq * 100);
    t->set_ctl(1);
    say_hex("CTL", t->ctl());
    say_dec("TVAL > 0", t->tval() > 0);
    int64_t tv1 = t->tval();
    uint64_t c1 = t->cnt();
    spin(100000);
    say_dec("TVAL counts down", t->tval() < tv1);
    say_dec("counter advances", t->cnt() > c1);
    say_dec("PPI pending", ppi_pending(t));

    say("CVAL one millisecond ahead");
    t->set_cval(t->cnt() + frq / 1000);
    say_dec("expired (ISTATUS=1)", wait_istatus(t));
    say_hex("CTL", t->ctl());
    say_dec("TVAL < 0", t->tval() < 0);
    say_dec("CNT >= CVAL", t->cnt() >= t->cval());
    spin(1000);
    say_dec("PPI pending", ppi_pending(t));
    say_dec("HPPIR1", SYSREG_READ(icc_hppir1_el1));
    say_dec("ISR_EL1.I", (SYSREG_READ(isr_el1) >> 7) & 1);
    IRQ_ON();
    say_dec("taken", wait_for(&irqs, 1, 20000000));
    say_hex("CTL after handler (IMASK set)", t->ctl());
    say_dec("PPI pending", ppi_pending(t));

    say("CVAL moved ahead while the output is asserted (IMASK=0, IRQs masked)");
    IRQ_OFF();
    t->set_ctl(1);
    spin(1000);
    say_dec("asserted: PPI pending", ppi_pending(t));
    t->set_cval(t->cnt() + frq * 100);
    spin(1000);
    say_dec("moved: ISTATUS", (t->ctl() >> 2) & 1);
    say_dec("moved: PPI pending", ppi_pending(t));
    t->set_cval(t->cnt() - 1);
    t->set_ctl(3);
    IRQ_ON();

    say("IMASK=1: no interrupt, then IMASK=0: taken");
    spin(100000);
    say_dec("IMASK=1: taken", irqs - 1);
    t->set_ctl(1);
    say_dec("IMASK=0: taken", wait_for(&irqs, 2, 20000000));

    say("ENABLE=0 drops the expired timer's interrupt");
    IRQ_OFF();
    t->set_ctl(1);
    spin(1000);
    say_dec("ENABLE=1: PPI pending", ppi_pending(t));
    t->set_ctl(0);
    spin(1000);
    say_dec("ENABLE=0: PPI pending", ppi_pending(t));
    IRQ_ON();
    spin(100000);
    say_dec("ENABLE=0: taken", irqs - 2);

    say("TVAL writes: CVAL = CNT + sign-extended TVAL");
    t->set_ctl(3);
    t->set_tval(frq * 100);
    say_dec("TVAL=100s: ISTATUS", (t->ctl() >> 2) & 1);
    say_dec("TVAL=100s: CVAL > CNT", t->cval() > t->cnt());
    t->set_tval(0);
    say_dec("TVAL=0: ISTATUS", (t->ctl() >> 2) & 1);
    t->set_tval((uint32_t)-1000);
    say_dec("TVAL=-1000: ISTATUS", (t->ctl() >> 2) & 1);
    say_dec("TVAL=-1000: CVAL < CNT", t->cval() < t->cnt());
    t->set_cval(~0ull);
    say_dec("CVAL=max: ISTATUS", (t->ctl() >> 2) & 1);

    say("WFI wakes on the timer 5 ms ahead");
    irqs = 0;
    t->set_cval(t->cnt() + frq / 200);
    t->set_ctl(1);
    say_dec("woken and taken", wfi_until(&irqs, 1) && irqs == 1);
    say_dec("CNT >= CVAL", t->cnt() >= t->cval());
    t->set_ctl(0);
    GICR_SGI(0, S_ICENABLER0) = 1u << t->ppi;
}

int main(void)
{
    frq = SYSREG_READ(cntfrq_el0);
    say_dec("CNTFRQ_EL0 != 0", frq != 0);
    uint64_t p = SYSREG_READ(cntpct_el0);
    ISB();
    uint64_t v = SYSREG_READ(cntvct_el0);
    ISB();
    uint64_t p2 = SYSREG_READ(cntpct_el0);
    say_dec("CNTPCT <= CNTVCT <= CNTPCT' (no virtual offset at EL1 without EL2)",
            p <= v && v <= p2);
    gic_dist_init();
    gic_cpu_init(0);
    gicr_set_prio(0, 27, 0x80);
    gicr_set_prio(0, 30, 0x80);
    irq_handler = on_irq;
    test_timer(&timers[0]);
    test_timer(&timers[1]);

    say("== both timers expire together, virtual (0x40) before physical (0x80)");
    gicr_set_prio(0, 27, 0x40);
    GICR_SGI(0, S_ISENABLER0) = (1u << 27) | (1u << 30);
    IRQ_OFF();
    irqs = 0;
    cntv_set_tval(0);
    cntp_set_tval(0);
    cntv_set_ctl(1);
    cntp_set_ctl(1);
    spin(1000);
    say_hex("ISPENDR0 & PPIs 27,30", GICR_SGI(0, S_ISPENDR0) & ((1u << 27) | (1u << 30)));
    IRQ_ON();
    say_dec("both taken", wait_for(&irqs, 2, 20000000));
    say("done");
    return 0;
}
