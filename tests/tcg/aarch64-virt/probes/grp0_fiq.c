/*
 * probes/grp0_fiq.c — not run by run.sh (FINDINGS.md F3, F4): a group 0
 * SGI 2 with ICC_IGRPEN0_EL1 = 1 and PSTATE.F clear, generated with
 * ICC_SGI0R_EL1 (-DUSE_SGI0R=1) or ICC_SGI1R_EL1 (-DUSE_SGI0R=0). With
 * GICD_CTLR.DS=1 group 0 is signalled as FIQ; the FIQ reaches exc_handler
 * as "unexpected exception type 6" (current EL with SP_ELx, FIQ) and ends
 * the run. Prints ISPENDR0, HPPIR0 and ISR_EL1.F before unmasking.
 */
#include "../gic.h"

#ifndef USE_SGI0R
#define USE_SGI0R 1
#endif

int main(void)
{
    gic_dist_init();
    gic_cpu_init(0);
    GICR_SGI(0, S_IGROUPR0) = ~0u & ~(1u << 2); /* SGI 2: group 0 */
    gicr_set_prio(0, 2, 0x80);
    GICR_SGI(0, S_ISENABLER0) = 1u << 2;
    SYSREG_WRITE(icc_igrpen0_el1, 1);
    ISB();
    if (USE_SGI0R) {
        SYSREG_WRITE(icc_sgi0r_el1, (2ull << 24) | 1);
    } else {
        SYSREG_WRITE(icc_sgi1r_el1, (2ull << 24) | 1);
    }
    ISB();
    say(USE_SGI0R ? "sent with ICC_SGI0R_EL1" : "sent with ICC_SGI1R_EL1");
    say_dec("ISPENDR0.2", (GICR_SGI(0, S_ISPENDR0) >> 2) & 1);
    say_dec("HPPIR0", SYSREG_READ(icc_hppir0_el1));
    say_dec("ISR_EL1.F", (SYSREG_READ(isr_el1) >> 6) & 1);
    say("unmasking FIQ");
    __asm__ volatile("msr daifclr, #1\nisb" ::: "memory");
    spin(100000);
    say("no FIQ taken");
    return 0;
}
