/*
 * timer.c — the generic timer and the GICv3 CPU interface end to end: the
 * virtual and physical timers' ISTATUS/IMASK behaviour, then timer PPIs 27
 * and 30 and a self-SGI delivered through the GIC as IRQs (WFI wake-up,
 * ICC_IAR1/EOIR1, priority mask, DAIF masking). Prints only deterministic
 * facts (interrupt IDs, order, status bits).
 */
#include "lib.h"

#define GICD ((volatile uint32_t *)0x08000000)
#define GICR_RD ((volatile uint32_t *)0x080a0000)
#define GICR_SGI ((volatile uint32_t *)0x080b0000)

static volatile int irqs;
static volatile uint64_t last_id;

static void on_irq(void)
{
    uint64_t id;
    __asm__ volatile("mrs %0, icc_iar1_el1" : "=r"(id));
    last_id = id;
    irqs++;
    puts_uart("irq ");
    print_dec((int64_t)id);
    puts_uart("\n");
    if (id == 27) {
        __asm__ volatile("msr cntv_ctl_el0, %0" ::"r"(2ull)); /* mask */
    } else if (id == 30) {
        __asm__ volatile("msr cntp_ctl_el0, %0" ::"r"(0ull)); /* disable */
    }
    __asm__ volatile("msr icc_eoir1_el1, %0\nisb" ::"r"(id));
}

static void wait_irq(int n)
{
    while (irqs < n) {
        __asm__ volatile("wfi");
    }
}

int main(void)
{
    uint64_t v, frq;
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(frq));
    check("cntfrq nonzero", frq != 0, 1);

    /* ISTATUS without interrupts: masked timer fires its status only */
    __asm__ volatile("msr cntv_cval_el0, xzr\nmsr cntv_ctl_el0, %1\nisb\nmrs %0, cntv_ctl_el0"
                     : "=r"(v) : "r"(3ull) : "memory");
    check("cntv istatus (past cval, masked)", v, 7);
    __asm__ volatile("msr cntv_tval_el0, %1\nisb\nmrs %0, cntv_ctl_el0" : "=r"(v) : "r"(frq * 100));
    check("cntv istatus (future)", v, 3);
    __asm__ volatile("msr cntv_ctl_el0, xzr\nisb\nmrs %0, cntv_ctl_el0" : "=r"(v));
    check("cntv disabled", v, 0);
    __asm__ volatile("mrs %0, cntp_tval_el0" : "=r"(v));
    uint64_t a, b;
    __asm__ volatile("mrs %0, cntvct_el0\nisb\nmrs %1, cntvct_el0" : "=r"(a), "=r"(b));
    check("counter monotonic", b >= a, 1);

    /* GIC: distributor, redistributor of core 0, CPU interface */
    GICD[0] = (1u << 4) | (1u << 1) | 1u; /* ARE, EnableGrp1, EnableGrp0 */
    GICR_RD[0x14 / 4] &= ~2u;              /* WAKER.ProcessorSleep = 0 */
    while (GICR_RD[0x14 / 4] & 4u) {
    }
    GICR_SGI[0x80 / 4] = ~0u;               /* IGROUPR0: group 1 */
    GICR_SGI[0x100 / 4] = (1u << 27) | (1u << 30) | (1u << 3); /* ISENABLER0 */
    for (int i = 0; i < 8; i++) {
        GICR_SGI[0x400 / 4 + i] = 0x80808080u; /* priorities */
    }
    __asm__ volatile("mrs %0, icc_sre_el1" : "=r"(v));
    check("icc_sre.sre", v & 1, 1);
    __asm__ volatile("msr icc_pmr_el1, %0\nmsr icc_bpr1_el1, xzr\nmsr icc_igrpen1_el1, %1\nisb"
                     ::"r"(0xffull), "r"(1ull));
    irq_handler = on_irq;

    /* virtual timer PPI 27, WFI wake-up */
    __asm__ volatile("msr cntv_tval_el0, %0\nmsr cntv_ctl_el0, %1\nisb"
                     ::"r"(frq / 1000), "r"(1ull));
    __asm__ volatile("msr daifclr, #2");
    wait_irq(1);
    check("vtimer id", last_id, 27);

    /* physical timer PPI 30 while IRQs are masked: taken at unmask */
    __asm__ volatile("msr daifset, #2\nmsr cntp_tval_el0, %0\nmsr cntp_ctl_el0, %1\nisb"
                     ::"r"(frq / 2000), "r"(1ull));
    do {
        __asm__ volatile("mrs %0, cntp_ctl_el0" : "=r"(v));
    } while (!(v & 4));
    __asm__ volatile("mrs %0, isr_el1" : "=r"(v));
    check("isr_el1.I while masked", (v >> 7) & 1, 1);
    check("no irq while masked", irqs, 1);
    __asm__ volatile("msr daifclr, #2\nisb");
    wait_irq(2);
    check("ptimer id", last_id, 30);

    /* SGI 3 to self through ICC_SGI1R_EL1 (target list bit 0, aff 0) */
    __asm__ volatile("msr icc_sgi1r_el1, %0\nisb" ::"r"((3ull << 24) | 1ull));
    wait_irq(3);
    check("sgi id", last_id, 3);

    /* priority mask blocks, lowering it delivers */
    __asm__ volatile("msr icc_pmr_el1, %0\nisb" ::"r"(0x40ull));
    __asm__ volatile("msr icc_sgi1r_el1, %0\nisb" ::"r"((3ull << 24) | 1ull));
    for (volatile int i = 0; i < 100000; i++) {
    }
    check("masked by pmr", irqs, 3);
    __asm__ volatile("msr icc_pmr_el1, %0\nisb" ::"r"(0xffull));
    wait_irq(4);
    check("sgi after pmr", last_id, 3);
    __asm__ volatile("msr daifset, #2");
    puts_uart("timer done\n");
    return 0;
}
