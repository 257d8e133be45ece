/*
 * gic.h — GICv3 and generic-timer helpers for the virt-board tests:
 * distributor at 0x08000000, one 128 KiB redistributor per core from
 * 0x080A0000 (RD_base frame, then SGI_base frame at +64 KiB), CPU interface
 * through the ICC_* system registers (GICv3 spec, IHI 0069, chapters 12).
 * Everything is group 1 non-secure (QEMU's virt without EL3: GICD_CTLR.DS=1).
 * Output helpers print only deterministic facts: "name=value" lines.
 */
#ifndef TESTS_TCG_AARCH64_VIRT_GIC_H
#define TESTS_TCG_AARCH64_VIRT_GIC_H
#include "lib.h"

#define GICD_BASE 0x08000000ul
#define GICR_BASE 0x080a0000ul
#define GICD(off) (*(volatile uint32_t *)(GICD_BASE + (off)))
#define GICD64(off) (*(volatile uint64_t *)(GICD_BASE + (off)))
#define GICR_RD(cpu, off) (*(volatile uint32_t *)(GICR_BASE + (cpu) * 0x20000ul + (off)))
#define GICR_RD64(cpu, off) (*(volatile uint64_t *)(GICR_BASE + (cpu) * 0x20000ul + (off)))
#define GICR_SGI(cpu, off) (*(volatile uint32_t *)(GICR_BASE + (cpu) * 0x20000ul + 0x10000 + (off)))

/* distributor (GICD_*) offsets */
#define D_CTLR 0x0000
#define D_TYPER 0x0004
#define D_IIDR 0x0008
#define D_IGROUPR 0x0080
#define D_ISENABLER 0x0100
#define D_ICENABLER 0x0180
#define D_ISPENDR 0x0200
#define D_ICPENDR 0x0280
#define D_ISACTIVER 0x0300
#define D_ICACTIVER 0x0380
#define D_IPRIORITYR 0x0400
#define D_ICFGR 0x0c00
#define D_IROUTER 0x6000
#define D_PIDR2 0xffe8
/* redistributor RD_base offsets */
#define R_CTLR 0x0000
#define R_IIDR 0x0004
#define R_TYPER 0x0008
#define R_WAKER 0x0014
#define R_PIDR2 0xffe8
/* SGI_base offsets (same layout as the distributor's first words) */
#define S_IGROUPR0 0x0080
#define S_ISENABLER0 0x0100
#define S_ICENABLER0 0x0180
#define S_ISPENDR0 0x0200
#define S_ICPENDR0 0x0280
#define S_ISACTIVER0 0x0300
#define S_ICACTIVER0 0x0380
#define S_IPRIORITYR 0x0400
#define S_ICFGR0 0x0c00
#define S_ICFGR1 0x0c04

#define SYSREG_READ(name) ({ uint64_t v_; __asm__ volatile("mrs %0, " #name : "=r"(v_)); v_; })
#define SYSREG_WRITE(name, v) __asm__ volatile("msr " #name ", %0" ::"r"((uint64_t)(v)) : "memory")
#define ISB() __asm__ volatile("isb" ::: "memory")
#define DSB() __asm__ volatile("dsb sy" ::: "memory")
#define IRQ_ON() __asm__ volatile("msr daifclr, #2\nisb" ::: "memory")
#define IRQ_OFF() __asm__ volatile("msr daifset, #2\nisb" ::: "memory")

static inline void say_hex(const char *name, uint64_t v)
{
    puts_uart(name);
    puts_uart("=");
    print_hex(v);
    puts_uart("\n");
}

static inline void say_dec(const char *name, int64_t v)
{
    puts_uart(name);
    puts_uart("=");
    print_dec(v);
    puts_uart("\n");
}

static inline void say(const char *s)
{
    puts_uart(s);
    puts_uart("\n");
}

/* Distributor on: affinity routing, both groups (DS=1 layout); waits RWP. */
static inline void gic_dist_init(void)
{
    GICD(D_CTLR) = (1u << 4) | (1u << 1) | 1u;
    while (GICD(D_CTLR) & (1u << 31)) {
    }
}

/* Wake this core's redistributor, make every SGI/PPI group 1 and disabled
 * with priority 0xa0, and enable group 1 at the CPU interface, PMR=0xff. */
static inline void gic_cpu_init(int cpu)
{
    GICR_RD(cpu, R_WAKER) &= ~2u;
    while (GICR_RD(cpu, R_WAKER) & 4u) {
    }
    GICR_SGI(cpu, S_ICENABLER0) = ~0u;
    GICR_SGI(cpu, S_IGROUPR0) = ~0u;
    for (int i = 0; i < 8; i++) {
        GICR_SGI(cpu, S_IPRIORITYR + 4 * i) = 0xa0a0a0a0u;
    }
    SYSREG_WRITE(icc_sre_el1, SYSREG_READ(icc_sre_el1) | 1);
    ISB();
    SYSREG_WRITE(icc_pmr_el1, 0xff);
    SYSREG_WRITE(icc_bpr1_el1, 0);
    SYSREG_WRITE(icc_ctlr_el1, 0); /* EOImode 0, CBPR 0 */
    SYSREG_WRITE(icc_igrpen1_el1, 1);
    ISB();
}

static inline void gicr_set_prio(int cpu, int id, uint8_t prio)
{
    volatile uint8_t *p = (volatile uint8_t *)(GICR_BASE + cpu * 0x20000ul + 0x10000 + S_IPRIORITYR);
    p[id] = prio;
}

static inline void gicd_set_prio(int id, uint8_t prio)
{
    volatile uint8_t *p = (volatile uint8_t *)(GICD_BASE + D_IPRIORITYR);
    p[id] = prio;
}

/* ICC_SGI1R_EL1: INTID [27:24], Aff1 [23:16], TargetList [15:0] (Aff0 bits). */
static inline void send_sgi(int id, uint16_t targets)
{
    SYSREG_WRITE(icc_sgi1r_el1, ((uint64_t)id << 24) | targets);
    ISB();
}

/* Spin until *flag >= n or the bound runs out; returns 1 when reached.
 * Plain NOP loops, not YIELD: coremu turns YIELD into a host-side yield,
 * which under host load makes a long loop take seconds. */
static inline int wait_for(volatile int *flag, int n, long bound)
{
    for (long i = 0; i < bound; i++) {
        if (*flag >= n) {
            return 1;
        }
        __asm__ volatile("nop" ::: "memory");
    }
    return *flag >= n;
}

/* Sleep in WFI until *count >= n. IRQs are masked around the check and the
 * WFI so an interrupt arriving between them is not lost: WFI still wakes on
 * a pending interrupt when PSTATE.I masks it (Arm ARM D1.6 "Wait for
 * Interrupt"), and it is taken when IRQs are unmasked after. Leaves IRQs
 * unmasked. Returns 1 when reached (a lost wake-up hangs until run.sh's
 * timeout, which fails the test). */
static inline int wfi_until(volatile int *count, int n)
{
    IRQ_OFF();
    while (*count < n) {
        __asm__ volatile("wfi" ::: "memory");
        IRQ_ON();
        IRQ_OFF();
    }
    IRQ_ON();
    return 1;
}

static inline void spin(long n)
{
    for (long i = 0; i < n; i++) {
        __asm__ volatile("nop" ::: "memory");
    }
}
#endif
