/*
 * gic_smp2.c — two cores (-smp 2): core 0 starts core 1 with PSCI CPU_ON
 * (PSCI 1.x, DEN0022: function 0xC4000003 through HVC #0 on virt), checks
 * AFFINITY_INFO and ALREADY_ON, reads both redistributors' GICR_TYPER
 * (Processor_Number, Affinity, Last), then the cores exchange SGIs through
 * ICC_SGI1R_EL1 (GICv3 spec §12.2.19): core 1 -> core 0 by target list,
 * core 0 -> core 1 by target list, and core 0 broadcasts with IRM=1 (all
 * but self); core 1's virtual timer PPI 27 reaches core 1 only (PPIs are
 * per core); an SPI routed by GICD_IROUTER to core 1 reaches core 1 only.
 * Core 1 finally leaves with CPU_OFF and core 0 sees it off.
 * Only one core prints at a time: each waits on a flag before printing.
 */
#include "gic.h"

#define PSCI_CPU_OFF 0x84000002ull
#define PSCI_CPU_ON 0xC4000003ull
#define PSCI_AFFINITY_INFO 0xC4000004ull

extern void secondary_entry(void);

static uint64_t stack1[2048] __attribute__((aligned(16)));
static volatile int irqs[2];
static volatile int core1_ready, core1_stop, core1_timer;

static int64_t psci(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
    register uint64_t x0 __asm__("x0") = fn;
    register uint64_t x1 __asm__("x1") = a1;
    register uint64_t x2 __asm__("x2") = a2;
    register uint64_t x3 __asm__("x3") = a3;
    __asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
    return (int64_t)x0;
}

static int core_id(void)
{
    return (int)(SYSREG_READ(mpidr_el1) & 0xff);
}

static void on_irq(void)
{
    int me = core_id();
    uint32_t id = (uint32_t)SYSREG_READ(icc_iar1_el1);
    puts_uart("  core");
    print_dec(me);
    puts_uart(": irq ");
    print_dec(id);
    puts_uart("\n");
    if (id == 27) {
        SYSREG_WRITE(cntv_ctl_el0, 3); /* mask the timer output (level PPI) */
        ISB();
    }
    SYSREG_WRITE(icc_eoir1_el1, id);
    ISB();
    irqs[me]++;
}

void secondary_main(void);
void secondary_main(void)
{
    say_dec("core1: MPIDR_EL1.Aff0", core_id());
    gic_cpu_init(1);
    gicr_set_prio(1, 6, 0x80);
    gicr_set_prio(1, 7, 0x80);
    GICR_SGI(1, S_ISENABLER0) = (1u << 6) | (1u << 7);
    say_hex("core1: GICR1 ISENABLER0", GICR_SGI(1, S_ISENABLER0));
    say("core1: sending SGI 5 to core 0");
    core1_ready = 1;
    send_sgi(5, 1u << 0);
    /* IRQs masked around each check and WFI: no lost wake-up */
    IRQ_OFF();
    while (!core1_stop) {
        if (core1_timer == 1) {
            core1_timer = 2;
            gicr_set_prio(1, 27, 0x80);
            GICR_SGI(1, S_ISENABLER0) = 1u << 27;
            SYSREG_WRITE(cntv_tval_el0, 0);
            SYSREG_WRITE(cntv_ctl_el0, 1);
            ISB();
        }
        __asm__ volatile("wfi" ::: "memory");
        IRQ_ON();
        IRQ_OFF();
    }
    psci(PSCI_CPU_OFF, 0, 0, 0);
    say("core1: CPU_OFF returned");
}

int main(void)
{
    gic_dist_init();
    gic_cpu_init(0);
    irq_handler = on_irq;
    gicr_set_prio(0, 5, 0x80);
    gicr_set_prio(0, 7, 0x80);
    GICR_SGI(0, S_ISENABLER0) = (1u << 5) | (1u << 7);

    uint64_t t0 = GICR_RD64(0, R_TYPER), t1 = GICR_RD64(1, R_TYPER);
    say_hex("GICR0_TYPER.Affinity", t0 >> 32);
    say_hex("GICR0_TYPER.Processor_Number", (t0 >> 8) & 0xffff);
    say_hex("GICR0_TYPER.Last", (t0 >> 4) & 1);
    say_hex("GICR1_TYPER.Affinity", t1 >> 32);
    say_hex("GICR1_TYPER.Processor_Number", (t1 >> 8) & 0xffff);
    say_hex("GICR1_TYPER.Last", (t1 >> 4) & 1);
    say_hex("GICR1_WAKER before core 1 runs", GICR_RD(1, R_WAKER) & 6);

    say_dec("AFFINITY_INFO(1) before CPU_ON", psci(PSCI_AFFINITY_INFO, 1, 0, 0));
    IRQ_ON();
    int64_t r = psci(PSCI_CPU_ON, 1, (uint64_t)secondary_entry, (uint64_t)&stack1[2048]);
    /* core 1 prints next: core 0 stays silent until SGI 5 has arrived */
    wfi_until(&irqs[0], 1);
    say_dec("CPU_ON(1)", r);
    say_dec("core0: took SGI 5 from core 1", irqs[0]);
    say_dec("core1 ready", core1_ready);
    say_dec("CPU_ON(1) again", psci(PSCI_CPU_ON, 1, (uint64_t)secondary_entry,
                                     (uint64_t)&stack1[2048]));
    say_dec("AFFINITY_INFO(1) while on", psci(PSCI_AFFINITY_INFO, 1, 0, 0));

    say("core0: sending SGI 6 to core 1");
    send_sgi(6, 1u << 1);
    say_dec("core1 took SGI 6", wait_for(&irqs[1], 1, 100000000));

    say("core0: broadcasting SGI 7 (IRM=1, all but self)");
    SYSREG_WRITE(icc_sgi1r_el1, (7ull << 24) | (1ull << 40));
    ISB();
    say_dec("core1 took SGI 7", wait_for(&irqs[1], 2, 100000000));
    spin(100000);
    say_dec("core0 irqs (SGI 7 not to self)", irqs[0]);
    say_dec("core0 ISPENDR0.7", (GICR_SGI(0, S_ISPENDR0) >> 7) & 1);

    say("core0: asking core 1 to fire its virtual timer (SGI 6 wakes its WFI)");
    core1_timer = 1;
    send_sgi(6, 1u << 1);
    say_dec("core1 took its timer PPI", wait_for(&irqs[1], 4, 100000000));
    say_dec("core0 irqs (PPI 27 is per core)", irqs[0]);
    say_dec("GICR0 ISPENDR0.27", (GICR_SGI(0, S_ISPENDR0) >> 27) & 1);
    say_dec("GICR1 ISPENDR0.27 (core 1 masked its timer)", (GICR_SGI(1, S_ISPENDR0) >> 27) & 1);
    say_dec("GICR1 ISENABLER0.27", (GICR_SGI(1, S_ISENABLER0) >> 27) & 1);
    say_dec("GICR0 ISENABLER0.27", (GICR_SGI(0, S_ISENABLER0) >> 27) & 1);

    say("core0: SPI 42 routed to core 1 (GICD_IROUTER Aff0=1), set pending");
    GICD(D_IGROUPR + 4) |= 1u << 10;
    GICD64(D_IROUTER + 8 * 42) = 1;
    gicd_set_prio(42, 0x80);
    GICD(D_ISENABLER + 4) = 1u << 10;
    GICD(D_ISPENDR + 4) = 1u << 10;
    say_dec("core1 took SPI 42", wait_for(&irqs[1], 5, 100000000));
    say_dec("core0 irqs", irqs[0]);

    say("core0: asking core 1 to CPU_OFF (SGI 6 wakes its WFI)");
    core1_stop = 1;
    send_sgi(6, 1u << 1);
    long polls = 0;
    while (psci(PSCI_AFFINITY_INFO, 1, 0, 0) != 1 && polls < 1000000) {
        polls++;
    }
    say_dec("AFFINITY_INFO(1) after CPU_OFF", psci(PSCI_AFFINITY_INFO, 1, 0, 0));
    say("done");
    return 0;
}
