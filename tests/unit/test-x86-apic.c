/*
 * test-x86-apic.c — the local APICs and their bus (hw/i386/apic.c), driven
 * through the xAPIC registers, the x2APIC MSRs and the X86ApicHooks the
 * CPU calls, on a machine of fake cores (X86CPU structs with no thread:
 * cpu_interrupt() only sets interrupt_request, which the tests read).
 *
 * Cases: ID/version; fixed IPIs between cores and the INTA/EOI cycle;
 * priorities, TPR/PPR and CR8; software disable; shorthands; logical
 * flat/cluster destinations; lowest priority; NMI, INIT (and INIT
 * de-assert), SIPI; ESR; MSI; EOI broadcast of level interrupts; LINT0
 * ExtINT and LINT1 NMI; timer one-shot, periodic, TSC-deadline (fires
 * eventually, not before); x2APIC mode; the MMIO window picks the calling
 * core; concurrent IPIs from two threads to one core (none lost).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hw/i386/apic.h"
#include "system/timer.h"
#include "target/i386/cpu.h"
#include "tcg/tcg.h"

static int failures;
static char why[256];

#define CHECK(cond, ...)                                                               \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            snprintf(why, sizeof(why), __VA_ARGS__);                                   \
            return false;                                                              \
        }                                                                              \
    } while (0)

static void run(const char *name, bool (*fn)(void))
{
    why[0] = 0;
    if (fn()) {
        printf("PASS %s\n", name);
    } else {
        printf("FAIL %s: %s\n", name, why);
        failures++;
    }
}

/* ---------------------------------------------------------------- fake machine */

#define NCPU 4
static Machine mach;
static APICBus *bus;

static void make_machine(int n)
{
    memset(&mach, 0, sizeof(mach));
    mach.ncpus = n;
    for (int i = 0; i < n; i++) {
        X86CPU *c = calloc(1, sizeof(X86CPU));
        c->parent.cc = &x86_cpu_class;
        c->parent.cpu_index = i;
        c->parent.machine = &mach;
        /* a distinct fake TCG context per core: apic_mmio_ops finds the
         * caller by it */
        c->parent.tcg = (struct TCGContext *)calloc(1, 16);
        mach.cpus[i] = &c->parent;
    }
    bus = apic_init(&mach);
}

static void free_machine(void)
{
    apic_bus_free(bus);
    bus = NULL;
    for (int i = 0; i < mach.ncpus; i++) {
        free(mach.cpus[i]->tcg);
        free(mach.cpus[i]);
    }
}

static APICState *A(int i)
{
    return apic_get(bus, (uint32_t)i);
}

static uint32_t rd(int cpu, uint32_t off)
{
    return (uint32_t)apic_mmio_read_cpu(A(cpu), off, 4);
}

static void wr(int cpu, uint32_t off, uint32_t v)
{
    apic_mmio_write_cpu(A(cpu), off, v, 4);
}

static uint32_t ireq(int cpu)
{
    return __atomic_load_n(&mach.cpus[cpu]->interrupt_request, __ATOMIC_ACQUIRE);
}

static void clear_ireq(int cpu, uint32_t mask)
{
    __atomic_fetch_and(&mach.cpus[cpu]->interrupt_request, ~mask, __ATOMIC_ACQ_REL);
}

static bool hard(int cpu)
{
    return (ireq(cpu) & CPU_INTERRUPT_HARD) != 0;
}

/* INTA through the hook the CPU calls */
static int inta(int cpu)
{
    X86CPU *c = x86_cpu(mach.cpus[cpu]);
    return c->apic.get_interrupt(c->apic.opaque, mach.cpus[cpu]);
}

static bool irr_has(int cpu, int v)
{
    return (rd(cpu, 0x200 + (uint32_t)(v / 32) * 0x10) >> (v % 32)) & 1;
}

static bool isr_has(int cpu, int v)
{
    return (rd(cpu, 0x100 + (uint32_t)(v / 32) * 0x10) >> (v % 32)) & 1;
}

static bool tmr_has(int cpu, int v)
{
    return (rd(cpu, 0x180 + (uint32_t)(v / 32) * 0x10) >> (v % 32)) & 1;
}

static void enable_all(void)
{
    for (int i = 0; i < mach.ncpus; i++) {
        wr(i, 0xf0, 0x1ff); /* SVR: enabled, spurious vector 0xff */
    }
}

static void send_ipi(int from, uint32_t dest, uint32_t lo)
{
    wr(from, 0x310, dest << 24);
    wr(from, 0x300, lo);
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* wait up to ms for HARD on cpu */
static bool wait_hard(int cpu, int ms)
{
    for (int i = 0; i < ms; i++) {
        if (hard(cpu)) {
            return true;
        }
        sleep_ms(1);
    }
    return hard(cpu);
}

/* ---------------------------------------------------------------- cases */

static bool t_id_version(void)
{
    for (int i = 0; i < NCPU; i++) {
        CHECK(rd(i, 0x20) == (uint32_t)i << 24, "APIC %d ID 0x%x", i, rd(i, 0x20));
        CHECK(rd(i, 0x30) == 0x00050014u, "version 0x%x", rd(i, 0x30));
    }
    CHECK(rd(0, 0xf0) == 0xff, "SVR after reset 0x%x", rd(0, 0xf0));
    CHECK(rd(0, 0xe0) == 0xffffffffu, "DFR after reset 0x%x", rd(0, 0xe0));
    CHECK(rd(1, 0x320) == 0x10000, "LVT timer masked after reset 0x%x", rd(1, 0x320));
    CHECK(rd(0, 0x350) == 0x700, "BSP LINT0 virtual wire (ExtINT) 0x%x", rd(0, 0x350));
    CHECK(rd(0, 0x360) == 0x400, "BSP LINT1 NMI 0x%x", rd(0, 0x360));
    CHECK(rd(1, 0x350) == 0x10000, "AP LINT0 masked 0x%x", rd(1, 0x350));
    return true;
}

static bool t_fixed_ipi(void)
{
    enable_all();
    CHECK(!hard(1), "HARD before the IPI");
    send_ipi(0, 1, 0x40); /* fixed, physical, vector 0x40 */
    CHECK(hard(1), "no HARD on the target");
    CHECK(!hard(0), "HARD on the sender");
    CHECK(irr_has(1, 0x40), "IRR bit not set");
    CHECK((rd(0, 0x300) & (1u << 12)) == 0, "delivery status busy");
    int v = inta(1);
    CHECK(v == 0x40, "INTA gave 0x%x", v);
    CHECK(!irr_has(1, 0x40) && isr_has(1, 0x40), "IRR->ISR move");
    CHECK(!hard(1), "HARD still set with nothing else pending");
    CHECK(rd(1, 0xa0) == 0x40, "PPR 0x%x while 0x40 in service", rd(1, 0xa0));
    wr(1, 0xb0, 0);
    CHECK(!isr_has(1, 0x40), "EOI did not clear ISR");
    CHECK(rd(1, 0xa0) == 0, "PPR 0x%x after EOI", rd(1, 0xa0));
    return true;
}

static bool t_priority_tpr(void)
{
    enable_all();
    /* self IPIs through the shorthand */
    wr(2, 0x300, (1u << 18) | 0x51);
    wr(2, 0x300, (1u << 18) | 0x83);
    CHECK(inta(2) == 0x83, "highest first");
    /* 0x51 is of a lower class than 0x83 in service: not deliverable */
    CHECK(!hard(2), "0x51 deliverable under 0x83 in service");
    wr(2, 0x300, (1u << 18) | 0x95);
    CHECK(hard(2), "0x95 preempts 0x83");
    CHECK(inta(2) == 0x95, "nested 0x95");
    wr(2, 0xb0, 0); /* EOI 0x95 */
    wr(2, 0xb0, 0); /* EOI 0x83 */
    CHECK(hard(2), "0x51 pending after EOIs");
    /* TPR above 0x51's class masks it */
    wr(2, 0x80, 0x60);
    CHECK(!hard(2), "TPR 0x60 did not mask 0x51");
    CHECK(rd(2, 0xa0) == 0x60, "PPR = TPR 0x%x", rd(2, 0xa0));
    /* CR8 is TPR[7:4] */
    X86CPU *c = x86_cpu(mach.cpus[2]);
    CHECK(c->apic.get_tpr(c->apic.opaque, mach.cpus[2]) == 6, "CR8 read");
    c->apic.set_tpr(c->apic.opaque, mach.cpus[2], 4);
    CHECK(rd(2, 0x80) == 0x40, "CR8 write -> TPR 0x%x", rd(2, 0x80));
    CHECK(hard(2), "lower TPR did not expose 0x51");
    CHECK(inta(2) == 0x51, "0x51 after TPR drop");
    wr(2, 0xb0, 0);
    wr(2, 0x80, 0);
    return true;
}

static bool t_spurious(void)
{
    enable_all();
    wr(1, 0xf0, 0x1ef); /* spurious vector 0xef */
    /* INTA with nothing deliverable (the race the CPU may lose): the
     * spurious vector, nothing put in service, HARD untouched */
    CHECK(inta(1) == 0xef, "INTA with nothing pending gave 0x%x", inta(1));
    for (int i = 0; i < 8; i++) {
        CHECK(rd(1, 0x100 + (uint32_t)i * 0x10) == 0, "ISR word %d set by a spurious INTA", i);
    }
    /* a vector masked by TPR is not taken: spurious too */
    wr(1, 0x80, 0xf0);
    send_ipi(0, 1, 0x50);
    CHECK(!hard(1), "HARD raised under TPR 0xf0");
    CHECK(inta(1) == 0xef, "masked vector taken at INTA");
    CHECK(irr_has(1, 0x50), "masked vector lost from IRR");
    wr(1, 0x80, 0);
    CHECK(inta(1) == 0x50, "vector after TPR drop");
    wr(1, 0xb0, 0);
    wr(1, 0xf0, 0x1ff);
    return true;
}

static bool t_sw_disable(void)
{
    wr(3, 0xf0, 0xff); /* software disabled */
    send_ipi(0, 3, 0x61);
    CHECK(!hard(3), "delivered while software-disabled");
    CHECK(irr_has(3, 0x61), "IRR not held");
    wr(3, 0x320, 0x30); /* try to unmask the timer LVT */
    CHECK(rd(3, 0x320) & 0x10000, "LVT unmasked while disabled");
    wr(3, 0xf0, 0x1ff);
    CHECK(hard(3), "not raised after enable");
    CHECK(inta(3) == 0x61, "vector after enable");
    wr(3, 0xb0, 0);
    /* disabling masks every LVT */
    wr(3, 0x370, 0xee);
    CHECK(rd(3, 0x370) == 0xee, "LVT error write 0x%x", rd(3, 0x370));
    wr(3, 0xf0, 0xff);
    CHECK(rd(3, 0x370) & 0x10000, "software disable did not mask LVTs");
    wr(3, 0xf0, 0x1ff);
    return true;
}

static bool t_shorthands(void)
{
    enable_all();
    /* all including self */
    wr(1, 0x300, (2u << 18) | 0x42);
    for (int i = 0; i < NCPU; i++) {
        CHECK(irr_has(i, 0x42), "all: APIC %d missed it", i);
        CHECK(inta(i) == 0x42, "all: INTA on %d", i);
        wr(i, 0xb0, 0);
    }
    /* all but self */
    wr(1, 0x300, (3u << 18) | 0x43);
    for (int i = 0; i < NCPU; i++) {
        CHECK(irr_has(i, 0x43) == (i != 1), "all-but-self: APIC %d", i);
        if (i != 1) {
            inta(i);
            wr(i, 0xb0, 0);
        }
    }
    /* physical broadcast 0xff */
    send_ipi(0, 0xff, 0x44);
    for (int i = 0; i < NCPU; i++) {
        CHECK(irr_has(i, 0x44), "broadcast: APIC %d", i);
        inta(i);
        wr(i, 0xb0, 0);
    }
    return true;
}

static bool t_logical(void)
{
    enable_all();
    /* flat model: LDR bit i for core i */
    for (int i = 0; i < NCPU; i++) {
        wr(i, 0xe0, 0xffffffffu);
        wr(i, 0xd0, (1u << i) << 24);
    }
    send_ipi(0, 0x0a, (1u << 11) | 0x45); /* cores 1 and 3 */
    for (int i = 0; i < NCPU; i++) {
        CHECK(irr_has(i, 0x45) == (i == 1 || i == 3), "flat: APIC %d", i);
        if (irr_has(i, 0x45)) {
            inta(i);
            wr(i, 0xb0, 0);
        }
    }
    /* lowest priority to the same set: the lowest-numbered target */
    send_ipi(0, 0x0c, (1u << 11) | (1u << 8) | 0x46); /* cores 2 and 3 */
    CHECK(irr_has(2, 0x46) && !irr_has(3, 0x46), "lowest priority picked the wrong core");
    inta(2);
    wr(2, 0xb0, 0);
    /* cluster model: cluster 1 = cores 2,3 (members 1,2), cluster 0 = cores 0,1 */
    for (int i = 0; i < NCPU; i++) {
        wr(i, 0xe0, 0x0fffffffu);
        wr(i, 0xd0, (uint32_t)(((i / 2) << 4) | (1 << (i % 2))) << 24);
    }
    send_ipi(0, 0x12, (1u << 11) | 0x47); /* cluster 1, member 2 = core 3 */
    for (int i = 0; i < NCPU; i++) {
        CHECK(irr_has(i, 0x47) == (i == 3), "cluster: APIC %d", i);
    }
    inta(3);
    wr(3, 0xb0, 0);
    for (int i = 0; i < NCPU; i++) {
        wr(i, 0xe0, 0xffffffffu);
        wr(i, 0xd0, 0);
    }
    return true;
}

static bool t_nmi_init_sipi(void)
{
    clear_ireq(1, ~0u);
    send_ipi(0, 1, 4u << 8); /* NMI */
    CHECK(ireq(1) & CPU_INTERRUPT_NMI, "NMI not raised");
    clear_ireq(1, CPU_INTERRUPT_NMI);
    /* give core 1 some state that INIT must wipe */
    wr(1, 0xf0, 0x1ff);
    wr(1, 0x80, 0x20);
    send_ipi(0, 1, 0x4c);
    send_ipi(0, 1, (5u << 8) | (1u << 14) | (1u << 15)); /* INIT assert */
    CHECK(ireq(1) & CPU_INTERRUPT_INIT, "INIT not raised");
    CHECK(rd(1, 0xf0) == 0xff && rd(1, 0x80) == 0 && !irr_has(1, 0x4c),
          "INIT did not reset the APIC (SVR 0x%x TPR 0x%x)", rd(1, 0xf0), rd(1, 0x80));
    CHECK(rd(1, 0x20) == 1u << 24, "INIT changed the ID");
    CHECK(!hard(1), "HARD left set across INIT");
    clear_ireq(1, CPU_INTERRUPT_INIT);
    send_ipi(0, 1, (5u << 8) | (1u << 15)); /* INIT level de-assert: no-op */
    CHECK(!(ireq(1) & CPU_INTERRUPT_INIT), "INIT de-assert delivered an INIT");
    send_ipi(0, 1, (6u << 8) | 0x9a); /* SIPI, vector 0x9a */
    CHECK(ireq(1) & CPU_INTERRUPT_SIPI, "SIPI not raised");
    CHECK(cpu_env(mach.cpus[1])->sipi_vector == 0x9a, "SIPI vector %u",
          cpu_env(mach.cpus[1])->sipi_vector);
    clear_ireq(1, CPU_INTERRUPT_SIPI);
    return true;
}

static bool t_esr(void)
{
    enable_all();
    wr(0, 0x280, 0); /* latch (and clear) */
    send_ipi(0, 1, 0x05); /* illegal vector < 16 */
    CHECK(!irr_has(1, 0x05), "illegal vector accepted");
    wr(0, 0x280, 0);
    CHECK(rd(0, 0x280) & (1u << 5), "send-illegal-vector not in ESR: 0x%x", rd(0, 0x280));
    wr(0, 0x280, 0);
    CHECK(rd(0, 0x280) == 0, "ESR not cleared by the next write");
    /* an unmasked LVT error raises its vector */
    wr(0, 0x370, 0xfe);
    rd(0, 0x3a0); /* nonexistent register: illegal register address */
    CHECK(irr_has(0, 0xfe), "LVT error vector not raised");
    CHECK(inta(0) == 0xfe, "error interrupt vector");
    wr(0, 0xb0, 0);
    wr(0, 0x280, 0);
    CHECK(rd(0, 0x280) & (1u << 7), "illegal register not in ESR");
    wr(0, 0x370, 0x10000);
    wr(0, 0x280, 0);
    return true;
}

static uint8_t eoi_seen[16];
static int eoi_count;
static void eoi_listener(void *opaque, uint8_t vector)
{
    if (eoi_count < 16) {
        eoi_seen[eoi_count] = vector;
    }
    eoi_count++;
}

static bool t_msi_eoi_broadcast(void)
{
    enable_all();
    apic_bus_set_eoi_listener(bus, eoi_listener, NULL);
    eoi_count = 0;
    /* edge MSI to APIC 2, vector 0x61 */
    apic_msi_deliver(&mach, 0xfee02000ull, 0x0061);
    CHECK(irr_has(2, 0x61) && !tmr_has(2, 0x61), "MSI edge not in IRR (or TMR set)");
    CHECK(inta(2) == 0x61, "MSI vector");
    wr(2, 0xb0, 0);
    CHECK(eoi_count == 0, "EOI of an edge interrupt was broadcast");
    /* a level-triggered message sets TMR; its EOI is broadcast */
    apic_bus_deliver(bus, 3, false, APIC_DM_FIXED, 0x71, true);
    CHECK(tmr_has(3, 0x71), "TMR not set for a level interrupt");
    CHECK(inta(3) == 0x71, "level vector");
    wr(3, 0xb0, 0);
    CHECK(eoi_count == 1 && eoi_seen[0] == 0x71, "EOI broadcast count %d vector 0x%x",
          eoi_count, eoi_seen[0]);
    /* logical MSI (flat) */
    wr(1, 0xd0, 0x02u << 24);
    apic_msi_deliver(&mach, 0xfee02004ull, 0x0062);
    CHECK(irr_has(1, 0x62), "logical MSI missed core 1");
    inta(1);
    wr(1, 0xb0, 0);
    wr(1, 0xd0, 0);
    /* a write outside 0xfeeXXXXX is dropped */
    apic_msi_deliver(&mach, 0xfed00000ull, 0x0063);
    for (int i = 0; i < NCPU; i++) {
        CHECK(!irr_has(i, 0x63), "bad MSI address delivered");
    }
    apic_bus_set_eoi_listener(bus, NULL, NULL);
    return true;
}

static int pic_vector = 0x38;
static int pic_inta_count;
static int fake_pic_inta(void *opaque)
{
    pic_inta_count++;
    return pic_vector;
}

static bool t_lint(void)
{
    apic_set_extint_source(bus, fake_pic_inta, NULL);
    clear_ireq(0, ~0u);
    /* BSP LINT0 is ExtINT at reset (virtual wire): even software-disabled */
    wr(0, 0xf0, 0xff);
    wr(0, 0x350, 0x700); /* (masked by the disable) */
    CHECK(rd(0, 0x350) & 0x10000, "LINT0 stays masked while software-disabled");
    wr(0, 0xf0, 0x1ff);
    wr(0, 0x350, 0x700);
    apic_set_lint(A(0), 0, 1);
    CHECK(hard(0), "ExtINT not raised");
    pic_inta_count = 0;
    CHECK(inta(0) == 0x38 && pic_inta_count == 1, "ExtINT vector from the PIC");
    CHECK(hard(0), "level still high: HARD must stay");
    apic_set_lint(A(0), 0, 0);
    CHECK(!hard(0), "HARD after LINT0 drops");
    /* masked LINT0 blocks the PIC */
    wr(0, 0x350, 0x10700);
    apic_set_lint(A(0), 0, 1);
    CHECK(!hard(0), "masked LINT0 delivered");
    apic_set_lint(A(0), 0, 0);
    /* LINT1 NMI on the rising edge */
    wr(0, 0x360, 0x400);
    apic_set_lint(A(0), 1, 1);
    CHECK(ireq(0) & CPU_INTERRUPT_NMI, "LINT1 NMI");
    clear_ireq(0, CPU_INTERRUPT_NMI);
    apic_set_lint(A(0), 1, 1);
    CHECK(!(ireq(0) & CPU_INTERRUPT_NMI), "NMI without an edge");
    apic_set_lint(A(0), 1, 0);
    /* LINT0 fixed, edge */
    wr(0, 0x350, 0x00053);
    apic_set_lint(A(0), 0, 1);
    CHECK(irr_has(0, 0x53), "LINT0 fixed vector");
    inta(0);
    wr(0, 0xb0, 0);
    apic_set_lint(A(0), 0, 0);
    wr(0, 0x350, 0x700);
    /* a globally disabled APIC passes INTR straight through */
    apic_set_base(A(0), 0xfee00000ull | (1ull << 8));
    apic_set_lint(A(0), 0, 1);
    CHECK(hard(0), "disabled APIC: INTR not passed");
    CHECK(inta(0) == 0x38, "disabled APIC: vector");
    apic_set_lint(A(0), 0, 0);
    CHECK(rd(0, 0x20) == 0, "MMIO answers while globally disabled");
    apic_set_base(A(0), 0xfee00000ull | (1ull << 8) | (1ull << 11));
    apic_set_extint_source(bus, NULL, NULL);
    return true;
}

static bool t_timer_oneshot(void)
{
    enable_all();
    clear_ireq(1, ~0u);
    wr(1, 0x3e0, 0xb);       /* divide by 1: 1 ns per count */
    wr(1, 0x320, 0x000ef);   /* one-shot, vector 0xef */
    wr(1, 0x380, 1000000000); /* 1 s: must not fire soon */
    uint32_t c1 = rd(1, 0x390);
    sleep_ms(20);
    uint32_t c2 = rd(1, 0x390);
    CHECK(c1 > 0 && c2 < c1, "current count not counting down (%u, %u)", c1, c2);
    CHECK(!hard(1) && !irr_has(1, 0xef), "fired before its time");
    wr(1, 0x380, 3000000); /* 3 ms */
    CHECK(wait_hard(1, 3000), "one-shot never fired");
    CHECK(inta(1) == 0xef, "timer vector");
    wr(1, 0xb0, 0);
    CHECK(rd(1, 0x390) == 0, "count after expiry %u", rd(1, 0x390));
    sleep_ms(20);
    CHECK(!irr_has(1, 0xef), "one-shot fired twice");
    /* divide by 16 */
    wr(1, 0x3e0, 0x3);
    wr(1, 0x380, 100000);
    CHECK(rd(1, 0x380) == 100000, "initial count readback");
    CHECK(wait_hard(1, 3000), "divided one-shot never fired");
    inta(1);
    wr(1, 0xb0, 0);
    /* a masked timer counts but raises nothing */
    wr(1, 0x320, 0x100ef);
    wr(1, 0x3e0, 0xb);
    wr(1, 0x380, 1000000);
    sleep_ms(30);
    CHECK(!irr_has(1, 0xef), "masked timer raised its vector");
    wr(1, 0x380, 0);
    return true;
}

static bool t_timer_periodic(void)
{
    enable_all();
    wr(2, 0x3e0, 0xb);
    wr(2, 0x320, (1u << 17) | 0xec); /* periodic */
    wr(2, 0x380, 2000000);           /* 2 ms */
    int fired = 0;
    for (int i = 0; i < 3000 && fired < 5; i++) {
        if (hard(2)) {
            CHECK(inta(2) == 0xec, "periodic vector");
            wr(2, 0xb0, 0);
            fired++;
        }
        sleep_ms(1);
    }
    CHECK(fired >= 5, "periodic timer fired %d times", fired);
    uint32_t c = rd(2, 0x390);
    CHECK(c > 0 && c <= 2000000, "periodic current count %u", c);
    wr(2, 0x380, 0); /* stop */
    sleep_ms(10);
    if (hard(2)) {
        inta(2);
        wr(2, 0xb0, 0);
    }
    sleep_ms(20);
    CHECK(!hard(2), "stopped periodic timer still fires");
    return true;
}

static bool t_timer_tsc_deadline(void)
{
    enable_all();
    X86CPU *c = x86_cpu(mach.cpus[3]);
    uint64_t v;
    wr(3, 0x320, (2u << 17) | 0xeb); /* TSC-deadline mode */
    cpu_env(mach.cpus[3])->tsc_offset = 5000000000ull; /* guest TSC ahead by 5 s */
    uint64_t tsc = clock_ns() + 5000000000ull;
    /* far deadline: not before */
    CHECK(c->apic.wrmsr(c->apic.opaque, mach.cpus[3], 0x6e0, tsc + 10000000000ull),
          "TSC_DEADLINE write refused");
    sleep_ms(20);
    CHECK(!hard(3), "TSC deadline fired early");
    CHECK(apic_rdmsr(A(3), 0x6e0, &v) && v == tsc + 10000000000ull, "TSC_DEADLINE readback");
    /* the initial-count register is ignored in this mode */
    wr(3, 0x380, 1000);
    sleep_ms(5);
    CHECK(!hard(3), "initial count armed the TSC-deadline timer");
    apic_wrmsr(A(3), 0x6e0, clock_ns() + 5000000000ull + 3000000);
    CHECK(wait_hard(3, 3000), "TSC deadline never fired");
    CHECK(inta(3) == 0xeb, "deadline vector");
    wr(3, 0xb0, 0);
    CHECK(apic_rdmsr(A(3), 0x6e0, &v) && v == 0, "TSC_DEADLINE not cleared on expiry");
    /* writing 0 disarms */
    apic_wrmsr(A(3), 0x6e0, clock_ns() + 5000000000ull + 5000000);
    apic_wrmsr(A(3), 0x6e0, 0);
    sleep_ms(20);
    CHECK(!hard(3), "disarmed deadline fired");
    cpu_env(mach.cpus[3])->tsc_offset = 0;
    wr(3, 0x320, 0x10000);
    return true;
}

static bool t_x2apic(void)
{
    uint64_t v;
    CHECK(!apic_rdmsr(A(1), 0x802, &v), "x2APIC MSR readable in xAPIC mode");
    X86CPU *c1 = x86_cpu(mach.cpus[1]);
    for (int i = 0; i < NCPU; i++) {
        X86CPU *c = x86_cpu(mach.cpus[i]);
        c->apic.set_base(c->apic.opaque, mach.cpus[i],
                         0xfee00000ull | (1ull << 11) | (1ull << 10) | (i == 0 ? 1ull << 8 : 0));
    }
    CHECK(c1->apic.rdmsr(c1->apic.opaque, mach.cpus[1], 0x802, &v) && v == 1, "x2APIC ID %lu",
          (unsigned long)v);
    CHECK(apic_rdmsr(A(1), 0x80d, &v) && v == 0x2, "x2APIC LDR 0x%lx", (unsigned long)v);
    CHECK(apic_rdmsr(A(3), 0x80d, &v) && v == 0x8, "x2APIC LDR of 3: 0x%lx", (unsigned long)v);
    CHECK(!apic_rdmsr(A(1), 0x80e, &v), "DFR exists in x2APIC mode");
    CHECK(!apic_wrmsr(A(1), 0x80d, 5), "LDR writable in x2APIC mode");
    CHECK(rd(1, 0x20) == 0, "xAPIC MMIO still answers in x2APIC mode");
    for (int i = 0; i < NCPU; i++) {
        CHECK(apic_wrmsr(A(i), 0x80f, 0x1ff), "SVR write");
    }
    /* ICR: one 64-bit write, 32-bit destination */
    CHECK(apic_wrmsr(A(0), 0x830, (2ull << 32) | 0x55), "ICR write");
    CHECK(hard(2), "x2APIC IPI not delivered");
    CHECK(apic_rdmsr(A(0), 0x830, &v) && v == ((2ull << 32) | 0x55), "ICR readback 0x%lx",
          (unsigned long)v);
    CHECK(inta(2) == 0x55, "x2APIC vector");
    CHECK(!apic_wrmsr(A(2), 0x80b, 1), "non-zero EOI accepted");
    CHECK(apic_wrmsr(A(2), 0x80b, 0), "EOI");
    CHECK(apic_rdmsr(A(2), 0x810 + 0x55 / 32, &v) && !((v >> (0x55 % 32)) & 1), "ISR after EOI");
    /* logical: cluster 0, members 1 and 3 -> bitmap 0xa */
    CHECK(apic_wrmsr(A(0), 0x830, (0xaull << 32) | (1u << 11) | 0x56), "logical ICR");
    CHECK(hard(1) && hard(3) && !hard(2), "x2APIC logical delivery");
    inta(1);
    inta(3);
    apic_wrmsr(A(1), 0x80b, 0);
    apic_wrmsr(A(3), 0x80b, 0);
    /* 0xffffffff broadcast */
    apic_wrmsr(A(0), 0x830, (0xffffffffull << 32) | 0x57);
    for (int i = 0; i < NCPU; i++) {
        CHECK(hard(i), "x2APIC broadcast missed %d", i);
        inta(i);
        apic_wrmsr(A(i), 0x80b, 0);
    }
    /* SELF_IPI */
    CHECK(apic_wrmsr(A(2), 0x83f, 0x58), "SELF_IPI");
    CHECK(hard(2) && inta(2) == 0x58, "SELF_IPI vector");
    apic_wrmsr(A(2), 0x80b, 0);
    /* an 8-bit (MSI) destination reaches an x2APIC by its ID */
    apic_msi_deliver(&mach, 0xfee03000ull, 0x59);
    CHECK(hard(3) && inta(3) == 0x59, "MSI to an x2APIC");
    apic_wrmsr(A(3), 0x80b, 0);
    /* back: disable then re-enable in xAPIC mode */
    for (int i = 0; i < NCPU; i++) {
        apic_set_base(A(i), 0xfee00000ull | (i == 0 ? 1ull << 8 : 0));
        apic_set_base(A(i), 0xfee00000ull | (1ull << 11) | (i == 0 ? 1ull << 8 : 0));
    }
    CHECK(rd(1, 0x20) == 1u << 24, "xAPIC again");
    return true;
}

static bool t_mmio_current_cpu(void)
{
    enable_all();
    TCGContext *saved = tcg_ctx;
    tcg_ctx = mach.cpus[2]->tcg;
    uint32_t id = (uint32_t)apic_mmio_ops.read(bus, 0x20, 4);
    wr(2, 0x80, 0x30);
    uint32_t tpr = (uint32_t)apic_mmio_ops.read(bus, 0x80, 4);
    apic_mmio_ops.write(bus, 0x80, 0, 4);
    tcg_ctx = NULL;
    uint32_t bsp = (uint32_t)apic_mmio_ops.read(bus, 0x20, 4);
    uint32_t byte = (uint32_t)apic_mmio_ops.read(bus, 0x33, 1); /* version byte 3 */
    uint32_t half = (uint32_t)apic_mmio_ops.read(bus, 0x32, 2);
    tcg_ctx = saved;
    CHECK(id == 2u << 24, "core 2's MMIO read the ID 0x%x", id);
    CHECK(tpr == 0x30, "core 2's TPR via MMIO 0x%x", tpr);
    CHECK(rd(2, 0x80) == 0, "MMIO write reached another core");
    CHECK(bsp == 0, "outside cpu_exec: BSP, got 0x%x", bsp);
    CHECK(byte == 0x00 && half == 0x0005, "narrow reads 0x%x 0x%x", byte, half);
    return true;
}

/* Two threads send IPIs to core 3 while its "CPU" takes them: every IPI
 * either lands in IRR (coalescing with a pending one of the same vector)
 * or is taken; HARD is never lost while something is pending. */
#define IPI_ROUNDS 20000
static volatile int stop_consumer;
static int taken[2];

static void *sender(void *arg)
{
    int from = (int)(intptr_t)arg;
    for (int i = 0; i < IPI_ROUNDS; i++) {
        /* x2APIC-free path: write ICR hi/lo under this core's APIC */
        send_ipi(from, 3, (uint32_t)(0x60 + from));
    }
    return NULL;
}

static void *consumer(void *arg)
{
    while (!__atomic_load_n(&stop_consumer, __ATOMIC_ACQUIRE)) {
        if (hard(3)) {
            int v = inta(3);
            if (v == 0x60 || v == 0x61) {
                __atomic_fetch_add(&taken[v - 0x60], 1, __ATOMIC_RELAXED);
                wr(3, 0xb0, 0);
            }
        }
    }
    return NULL;
}

static bool t_concurrent_ipis(void)
{
    enable_all();
    taken[0] = taken[1] = 0;
    stop_consumer = 0;
    pthread_t s0, s1, c;
    pthread_create(&c, NULL, consumer, NULL);
    pthread_create(&s0, NULL, sender, (void *)(intptr_t)0);
    pthread_create(&s1, NULL, sender, (void *)(intptr_t)1);
    pthread_join(s0, NULL);
    pthread_join(s1, NULL);
    /* drain: whatever is still pending must be signalled */
    for (int i = 0; i < 2000 && (irr_has(3, 0x60) || irr_has(3, 0x61)); i++) {
        sleep_ms(1);
    }
    __atomic_store_n(&stop_consumer, 1, __ATOMIC_RELEASE);
    pthread_join(c, NULL);
    CHECK(!irr_has(3, 0x60) && !irr_has(3, 0x61), "an IPI was left pending without HARD");
    CHECK(!isr_has(3, 0x60) && !isr_has(3, 0x61), "ISR not empty");
    CHECK(taken[0] > 0 && taken[1] > 0, "taken %d/%d", taken[0], taken[1]);
    CHECK(taken[0] <= IPI_ROUNDS && taken[1] <= IPI_ROUNDS, "more taken than sent");
    return true;
}

int main(void)
{
    make_machine(NCPU);
    if (apic_bus_of(&mach) != bus) {
        printf("FAIL bus_registry: apic_bus_of\n");
        failures++;
    }
    run("id_version_reset", t_id_version);
    run("fixed_ipi_inta_eoi", t_fixed_ipi);
    run("priority_tpr_ppr_cr8", t_priority_tpr);
    run("spurious_inta", t_spurious);
    run("software_disable", t_sw_disable);
    run("shorthands_broadcast", t_shorthands);
    run("logical_flat_cluster_lowest", t_logical);
    run("nmi_init_sipi", t_nmi_init_sipi);
    run("esr_lvt_error", t_esr);
    run("msi_and_eoi_broadcast", t_msi_eoi_broadcast);
    run("lint0_extint_lint1_nmi", t_lint);
    run("timer_oneshot", t_timer_oneshot);
    run("timer_periodic", t_timer_periodic);
    run("timer_tsc_deadline", t_timer_tsc_deadline);
    run("x2apic", t_x2apic);
    run("mmio_current_cpu", t_mmio_current_cpu);
    run("concurrent_ipis", t_concurrent_ipis);
    free_machine();
    return failures ? 1 : 0;
}
