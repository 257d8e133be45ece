/*
 * gic_level.c — a real level-sensitive SPI: virt's PL031 RTC (0x09010000,
 * SPI 2 = INTID 34, level-high in the device tree) raises its match
 * interrupt when RTCDR reaches RTCMR (set one second ahead) and holds the
 * line until RTCICR is written (Arm DDI 0224). Checks the GICv3 level
 * semantics (IHI 0069 §4.1.1): while the line is high the INTID is pending
 * even while active, GICD_ICPENDR cannot clear it, an EOI without clearing
 * the device makes it taken again, and once the device drops the line the
 * pending state goes away (device mask RTCIMSC=0 or RTCICR). Waits for at most about one RTC second.
 */
#include "gic.h"

#define RTC(off) (*(volatile uint32_t *)(0x09010000ul + (off)))
#define RTCDR 0x00
#define RTCMR 0x04
#define RTCCR 0x0c
#define RTCIMSC 0x10
#define RTCRIS 0x14
#define RTCICR 0x1c
#define RTC_IRQ 34

static volatile int irqs;

static uint32_t pending34(void)
{
    return (GICD(D_ISPENDR + 4) >> (RTC_IRQ - 32)) & 1;
}

static uint32_t active34(void)
{
    return (GICD(D_ISACTIVER + 4) >> (RTC_IRQ - 32)) & 1;
}

static void on_irq(void)
{
    uint32_t id = (uint32_t)SYSREG_READ(icc_iar1_el1);
    irqs++;
    puts_uart("  irq ");
    print_dec(id);
    puts_uart("\n");
    if (id == RTC_IRQ && irqs == 1) {
        say_dec("  first: RTCRIS", RTC(RTCRIS) & 1);
        say_dec("  first: active", active34());
        say_dec("  first: pending (line still high)", pending34());
        GICD(D_ICPENDR + 4) = 1u << (RTC_IRQ - 32);
        say_dec("  first: pending after ICPENDR", pending34());
        say("  first: EOI without clearing the RTC");
    } else if (id == RTC_IRQ && irqs == 2) {
        say("  second: mask at the device (RTCIMSC=0), then EOI");
        RTC(RTCIMSC) = 0;
        say_dec("  second: RTCRIS (latched)", RTC(RTCRIS) & 1);
        say_dec("  second: pending (line low)", pending34());
        say_dec("  second: active", active34());
    } else if (id == RTC_IRQ) {
        say("  third: clear the RTC (RTCICR), then EOI");
        RTC(RTCICR) = 1;
        say_dec("  third: RTCRIS", RTC(RTCRIS) & 1);
        say_dec("  third: pending", pending34());
    }
    SYSREG_WRITE(icc_eoir1_el1, id);
    ISB();
}

int main(void)
{
    gic_dist_init();
    gic_cpu_init(0);
    irq_handler = on_irq;
    GICD(D_IGROUPR + 4) |= 1u << (RTC_IRQ - 32);
    GICD64(D_IROUTER + 8 * RTC_IRQ) = 0;
    gicd_set_prio(RTC_IRQ, 0x80);
    say_dec("ICFGR field of INTID 34 (0 = level)",
            (GICD(D_ICFGR + 8) >> ((RTC_IRQ % 16) * 2)) & 3);
    RTC(RTCIMSC) = 0;
    RTC(RTCICR) = 1;
    GICD(D_ICPENDR + 4) = 1u << (RTC_IRQ - 32);
    GICD(D_ISENABLER + 4) = 1u << (RTC_IRQ - 32);
    say_dec("RTCCR (started)", RTC(RTCCR) & 1);
    RTC(RTCMR) = RTC(RTCDR) + 1;
    RTC(RTCIMSC) = 1;
    IRQ_ON();
    wfi_until(&irqs, 1);
    say_dec("taken twice", wait_for(&irqs, 2, 20000000));
    spin(100000);
    say_dec("count while the device masks the line", irqs);
    say_dec("pending", pending34());
    say_dec("active", active34());
    RTC(RTCIMSC) = 1;
    say_dec("RTCIMSC=1: taken again", wait_for(&irqs, 3, 20000000));
    spin(100000);
    say_dec("count after the device cleared", irqs);
    say_dec("pending", pending34());
    say_dec("active", active34());
    say("done");
    return 0;
}
