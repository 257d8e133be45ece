/*
 * test-hw-gicv3.c — the GICv3 model driven through its MMIO callbacks and
 * CPU-interface registers: ID registers, level/edge SPIs, priorities and
 * preemption, the priority mask, EOImode 0/1, SGI routing (target lists,
 * range selector, all-but-self), IROUTER routing, WAKER, and concurrent
 * signalling from several threads.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "hw/intc/arm_gicv3.h"

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

#define NCPU 20
static int out_level[NCPU];
static int out_changes[NCPU];

static void out_handler(void *opaque, int n, int level)
{
    out_level[n] = level;
    out_changes[n]++;
}

static uint32_t aff_of(int i)
{
    return (uint32_t)((i / 16) << 8 | (i % 16)); /* Aff1 = cluster of 16, Aff0 = core */
}

static GICv3State *make_gic(int ncpus)
{
    uint32_t aff[NCPU] = { 0 };
    for (int i = 0; i < ncpus; i++) {
        aff[i] = aff_of(i);
        out_level[i] = out_changes[i] = 0;
    }
    GICv3State *s = gicv3_new(ncpus, 288, aff);
    for (int i = 0; i < ncpus; i++) {
        gicv3_connect_cpu(s, i, (IRQLine){ out_handler, NULL, i });
    }
    return s;
}

static uint64_t icc_read(GICv3State *s, int cpu, uint32_t reg)
{
    uint64_t v = 0xdead;
    gicv3_cpuif_access(s, cpu, reg, false, &v);
    return v;
}

static void icc_write(GICv3State *s, int cpu, uint32_t reg, uint64_t v)
{
    gicv3_cpuif_access(s, cpu, reg, true, &v);
}

/* What Linux's gic_cpu_sys_reg_init() and gic_dist_init() do, minus the probing. */
static void enable_cpu(GICv3State *s, int cpu)
{
    gicv3_redist_write(s, cpu, GICR_WAKER, 0, 4);
    gicv3_redist_write(s, cpu, GICR_IGROUPR0, 0xffffffff, 4);
    icc_write(s, cpu, ICC_PMR_EL1, 0xf0);
    icc_write(s, cpu, ICC_BPR1_EL1, 0);
    icc_write(s, cpu, ICC_IGRPEN1_EL1, 1);
}

static void setup_spi(GICv3State *s, int intid, uint8_t prio, bool edge, int target)
{
    gicv3_dist_write(s, GICD_IGROUPR + intid / 32 * 4,
                     gicv3_dist_read(s, GICD_IGROUPR + intid / 32 * 4, 4) | 1u << (intid % 32), 4);
    gicv3_dist_write(s, GICD_IPRIORITYR + intid, prio, 1);
    uint32_t cfg = (uint32_t)gicv3_dist_read(s, GICD_ICFGR + intid / 16 * 4, 4);
    uint32_t bit = 2u << (2 * (intid % 16));
    gicv3_dist_write(s, GICD_ICFGR + intid / 16 * 4, edge ? cfg | bit : cfg & ~bit, 4);
    gicv3_dist_write(s, GICD_IROUTER + intid * 8, aff_of(target), 8);
    gicv3_dist_write(s, GICD_ISENABLER + intid / 32 * 4, 1u << (intid % 32), 4);
}

static GICv3State *make_enabled(int ncpus)
{
    GICv3State *s = make_gic(ncpus);
    gicv3_dist_write(s, GICD_CTLR, GICD_CTLR_EN_GRP1 | GICD_CTLR_ARE, 4);
    for (int i = 0; i < ncpus; i++) {
        enable_cpu(s, i);
    }
    return s;
}

static bool test_id_registers(void)
{
    GICv3State *s = make_gic(4);
    uint32_t typer = (uint32_t)gicv3_dist_read(s, GICD_TYPER, 4);
    CHECK((typer & 0x1f) == 288 / 32 - 1, "ITLinesNumber %u", typer & 0x1f);
    CHECK(((gicv3_dist_read(s, GICD_PIDR2, 4) >> 4) & 0xf) == 3, "GICD ArchRev");
    uint32_t ctlr = (uint32_t)gicv3_dist_read(s, GICD_CTLR, 4);
    CHECK((ctlr & GICD_CTLR_ARE) && (ctlr & GICD_CTLR_DS), "CTLR ARE/DS not set: %x", ctlr);
    for (int i = 0; i < 4; i++) {
        uint64_t t = gicv3_redist_read(s, i, GICR_TYPER, 8);
        CHECK((t >> 32) == aff_of(i), "GICR_TYPER affinity of %d: %llx", i,
              (unsigned long long)t);
        CHECK(!!(t & (1u << 4)) == (i == 3), "Last bit of core %d", i);
        CHECK(((t >> 8) & 0xffff) == (uint64_t)i, "processor number");
        uint32_t lo = (uint32_t)gicv3_redist_read(s, i, GICR_TYPER, 4);
        uint32_t hi = (uint32_t)gicv3_redist_read(s, i, GICR_TYPER + 4, 4);
        CHECK(((uint64_t)hi << 32 | lo) == t, "32-bit halves of GICR_TYPER");
        CHECK(((gicv3_redist_read(s, i, GICR_PIDR2, 4) >> 4) & 0xf) == 3, "GICR ArchRev");
    }
    CHECK(icc_read(s, 0, ICC_SRE_EL1) == 7, "ICC_SRE_EL1 must read 7");
    uint64_t v;
    CHECK(!gicv3_cpuif_access(s, 0, GIC_SYSREG(12, 13, 0), false, &v),
          "an unknown ICC register must be refused");
    /* 5 priority bits: the low 3 bits are RAZ/WI */
    gicv3_dist_write(s, GICD_IPRIORITYR + 40, 0xff, 1);
    CHECK(gicv3_dist_read(s, GICD_IPRIORITYR + 40, 1) == 0xf8, "priority bits");
    CHECK(gicv3_dist_read(s, GICD_IPRIORITYR + 40, 4) == 0xf8, "word read of IPRIORITYR");
    /* SGI/PPI banks are RAZ/WI in the distributor under ARE */
    gicv3_dist_write(s, GICD_ISENABLER, 0xffffffff, 4);
    CHECK(gicv3_dist_read(s, GICD_ISENABLER, 4) == 0, "GICD_ISENABLER0 must be RAZ/WI");
    gicv3_free(s);
    return true;
}

static bool test_waker(void)
{
    GICv3State *s = make_gic(2);
    uint32_t w = (uint32_t)gicv3_redist_read(s, 1, GICR_WAKER, 4);
    CHECK((w & GICR_WAKER_PS) && (w & GICR_WAKER_CA), "reset WAKER %x", w);
    gicv3_redist_write(s, 1, GICR_WAKER, 0, 4);
    CHECK(gicv3_redist_read(s, 1, GICR_WAKER, 4) == 0, "ChildrenAsleep must clear");
    CHECK(gicv3_redist_read(s, 0, GICR_WAKER, 4) != 0, "other core unaffected");
    gicv3_free(s);
    return true;
}

static bool test_level_spi(void)
{
    GICv3State *s = make_enabled(2);
    setup_spi(s, 33, 0x80, false, 0);
    CHECK(!out_level[0], "no interrupt yet");
    gicv3_set_irq(s, 0, 33, 1);
    CHECK(out_level[0] && !out_level[1], "core 0 must see SPI 33 (levels %d %d)",
          out_level[0], out_level[1]);
    CHECK(icc_read(s, 0, ICC_HPPIR1_EL1) == 33, "HPPIR1");
    CHECK(icc_read(s, 0, ICC_IAR1_EL1) == 33, "IAR1 must return 33");
    CHECK(!out_level[0], "line must drop while active");
    CHECK(icc_read(s, 0, ICC_RPR_EL1) == 0x80, "running priority");
    CHECK(gicv3_dist_read(s, GICD_ISACTIVER + 4, 4) & 2, "active bit");
    icc_write(s, 0, ICC_EOIR1_EL1, 33);
    CHECK(icc_read(s, 0, ICC_RPR_EL1) == 0xff, "idle after EOI");
    CHECK(out_level[0], "level still high: pending again after EOI");
    gicv3_set_irq(s, 0, 33, 0);
    CHECK(!out_level[0], "line low: no longer pending");
    CHECK(icc_read(s, 0, ICC_IAR1_EL1) == 1023, "spurious when nothing pending");
    /* a disabled interrupt is not signalled */
    gicv3_dist_write(s, GICD_ICENABLER + 4, 2, 4);
    gicv3_set_irq(s, 0, 33, 1);
    CHECK(!out_level[0], "disabled interrupt signalled");
    gicv3_dist_write(s, GICD_ISENABLER + 4, 2, 4);
    CHECK(out_level[0], "re-enabled interrupt not signalled");
    /* the distributor group enable gates everything */
    gicv3_dist_write(s, GICD_CTLR, GICD_CTLR_ARE, 4);
    CHECK(!out_level[0], "GICD_CTLR.EnableGrp1 = 0 must mask");
    gicv3_free(s);
    return true;
}

static bool test_edge_spi(void)
{
    GICv3State *s = make_enabled(1);
    setup_spi(s, 40, 0x40, true, 0);
    gicv3_set_irq(s, 0, 40, 1);
    gicv3_set_irq(s, 0, 40, 0);
    CHECK(out_level[0], "edge must latch after the pulse");
    CHECK(gicv3_dist_read(s, GICD_ISPENDR + 4, 4) & (1u << 8), "ISPENDR shows it");
    CHECK(icc_read(s, 0, ICC_IAR1_EL1) == 40, "ack");
    icc_write(s, 0, ICC_EOIR1_EL1, 40);
    CHECK(!out_level[0], "an edge is consumed by the ack");
    /* software pend/unpend */
    gicv3_dist_write(s, GICD_ISPENDR + 4, 1u << 8, 4);
    CHECK(out_level[0], "ISPENDR must pend");
    gicv3_dist_write(s, GICD_ICPENDR + 4, 1u << 8, 4);
    CHECK(!out_level[0], "ICPENDR must clear");
    gicv3_free(s);
    return true;
}

static bool test_priorities(void)
{
    GICv3State *s = make_enabled(1);
    setup_spi(s, 50, 0x80, false, 0);
    setup_spi(s, 51, 0x40, false, 0);
    gicv3_set_irq(s, 0, 50, 1);
    gicv3_set_irq(s, 0, 51, 1);
    CHECK(icc_read(s, 0, ICC_IAR1_EL1) == 51, "higher priority (lower value) first");
    CHECK(!out_level[0], "0x80 cannot preempt 0x40");
    CHECK(icc_read(s, 0, ICC_IAR1_EL1) == 1023, "no ack below the running priority");
    CHECK(icc_read(s, 0, ICC_HPPIR1_EL1) == 50, "HPPIR1 ignores the running priority");
    gicv3_set_irq(s, 0, 51, 0);
    icc_write(s, 0, ICC_EOIR1_EL1, 51);
    CHECK(out_level[0], "0x80 deliverable after EOI");
    CHECK(icc_read(s, 0, ICC_IAR1_EL1) == 50, "then the 0x80 one");
    /* preemption: a higher priority interrupt nests */
    gicv3_set_irq(s, 0, 51, 1);
    CHECK(out_level[0], "0x40 must preempt 0x80");
    CHECK(icc_read(s, 0, ICC_IAR1_EL1) == 51, "nested ack");
    CHECK(icc_read(s, 0, ICC_RPR_EL1) == 0x40, "RPR nested");
    CHECK(icc_read(s, 0, ICC_AP1R0_EL1) == ((1u << (0x40 >> 3)) | (1u << (0x80 >> 3))),
          "AP1R0 holds both active priorities");
    gicv3_set_irq(s, 0, 51, 0);
    icc_write(s, 0, ICC_EOIR1_EL1, 51);
    CHECK(icc_read(s, 0, ICC_RPR_EL1) == 0x80, "back to the outer priority");
    gicv3_set_irq(s, 0, 50, 0);
    icc_write(s, 0, ICC_EOIR1_EL1, 50);
    CHECK(icc_read(s, 0, ICC_RPR_EL1) == 0xff, "idle");
    /* equal priority: the lower INTID wins */
    setup_spi(s, 60, 0x40, false, 0);
    gicv3_set_irq(s, 0, 60, 1);
    gicv3_set_irq(s, 0, 51, 1);
    CHECK(icc_read(s, 0, ICC_IAR1_EL1) == 51, "tie goes to the lower INTID");
    gicv3_free(s);
    return true;
}

static bool test_pmr(void)
{
    GICv3State *s = make_enabled(1);
    setup_spi(s, 34, 0x80, false, 0);
    icc_write(s, 0, ICC_PMR_EL1, 0x80);
    gicv3_set_irq(s, 0, 34, 1);
    CHECK(!out_level[0], "priority equal to PMR must be masked");
    CHECK(icc_read(s, 0, ICC_IAR1_EL1) == 1023, "masked ack");
    icc_write(s, 0, ICC_PMR_EL1, 0x88);
    CHECK(out_level[0], "PMR above the priority must unmask");
    icc_write(s, 0, ICC_IGRPEN1_EL1, 0);
    CHECK(!out_level[0], "IGRPEN1 = 0 must mask");
    gicv3_free(s);
    return true;
}

static bool test_eoimode1(void)
{
    GICv3State *s = make_enabled(1);
    setup_spi(s, 35, 0x80, true, 0);
    icc_write(s, 0, ICC_CTLR_EL1, 2); /* EOImode */
    CHECK(icc_read(s, 0, ICC_CTLR_EL1) & 2, "EOImode reads back");
    gicv3_set_irq(s, 0, 35, 1);
    CHECK(icc_read(s, 0, ICC_IAR1_EL1) == 35, "ack");
    icc_write(s, 0, ICC_EOIR1_EL1, 35);
    CHECK(icc_read(s, 0, ICC_RPR_EL1) == 0xff, "priority dropped");
    CHECK(gicv3_dist_read(s, GICD_ISACTIVER + 4, 4) & (1u << 3), "still active until DIR");
    icc_write(s, 0, ICC_DIR_EL1, 35);
    CHECK(!(gicv3_dist_read(s, GICD_ISACTIVER + 4, 4) & (1u << 3)), "DIR deactivates");
    gicv3_free(s);
    return true;
}

static bool test_ppi(void)
{
    GICv3State *s = make_enabled(2);
    gicv3_redist_write(s, 1, GICR_IPRIORITYR + 28, 0xa0a0a0a0, 4); /* PPIs 28..31 */
    gicv3_redist_write(s, 1, GICR_ISENABLER0, 1u << 30, 4);
    IRQLine timer = gicv3_ppi_line(s, 1, 30);
    irq_set(&timer, 1);
    CHECK(out_level[1] && !out_level[0], "PPI 30 of core 1 goes to core 1 only");
    CHECK(icc_read(s, 0, ICC_IAR1_EL1) == 1023, "core 0 has nothing");
    CHECK(icc_read(s, 1, ICC_IAR1_EL1) == 30, "core 1 acks 30");
    irq_set(&timer, 0);
    icc_write(s, 1, ICC_EOIR1_EL1, 30);
    CHECK(!out_level[1], "quiet after EOI with the line low");
    CHECK(gicv3_redist_read(s, 1, GICR_IPRIORITYR + 30, 1) == 0xa0, "byte priority read");
    CHECK(gicv3_redist_read(s, 1, GICR_ICFGR0, 4) == 0xaaaaaaaa, "SGIs are edge");
    gicv3_free(s);
    return true;
}

static bool test_sgi(void)
{
    GICv3State *s = make_enabled(NCPU);
    for (int i = 0; i < NCPU; i++) {
        gicv3_redist_write(s, i, GICR_ISENABLER0, 0xffff, 4);
    }
    /* SGI 5 to core 2 (Aff1 0, target list bit 2) */
    icc_write(s, 0, ICC_SGI1R_EL1, 5ull << 24 | (1u << 2));
    for (int i = 0; i < NCPU; i++) {
        CHECK(out_level[i] == (i == 2), "targeted SGI: core %d level %d", i, out_level[i]);
    }
    CHECK(icc_read(s, 2, ICC_IAR1_EL1) == 5, "core 2 acks SGI 5");
    icc_write(s, 2, ICC_EOIR1_EL1, 5);
    CHECK(!out_level[2], "SGI consumed");
    /* core 17 = Aff1 1, Aff0 1: range selector 0, target bit 1, Aff1 field 1 */
    icc_write(s, 0, ICC_SGI1R_EL1, 3ull << 24 | 1ull << 16 | (1u << 1));
    CHECK(out_level[17] && !out_level[1], "Aff1 selects the cluster");
    CHECK(icc_read(s, 17, ICC_IAR1_EL1) == 3, "core 17 acks SGI 3");
    icc_write(s, 17, ICC_EOIR1_EL1, 3);
    /* all but self */
    icc_write(s, 4, ICC_SGI1R_EL1, 1ull << 40 | 7ull << 24);
    for (int i = 0; i < NCPU; i++) {
        CHECK(out_level[i] == (i != 4), "broadcast: core %d level %d", i, out_level[i]);
        if (i != 4) {
            CHECK(icc_read(s, i, ICC_IAR1_EL1) == 7, "core %d acks 7", i);
            icc_write(s, i, ICC_EOIR1_EL1, 7);
        }
    }
    gicv3_free(s);

    /* range selector: Aff0 >= 16 needs RS (ICC_CTLR_EL1.RSS advertised) */
    uint32_t aff[NCPU] = { 0 };
    for (int i = 0; i < NCPU; i++) {
        aff[i] = (uint32_t)i; /* flat Aff0 = index */
        out_level[i] = 0;
    }
    s = gicv3_new(NCPU, 64, aff);
    for (int i = 0; i < NCPU; i++) {
        gicv3_connect_cpu(s, i, (IRQLine){ out_handler, NULL, i });
    }
    gicv3_dist_write(s, GICD_CTLR, GICD_CTLR_EN_GRP1, 4);
    for (int i = 0; i < NCPU; i++) {
        enable_cpu(s, i);
        gicv3_redist_write(s, i, GICR_ISENABLER0, 0xffff, 4);
    }
    CHECK(icc_read(s, 0, ICC_CTLR_EL1) & (1u << 18), "RSS");
    icc_write(s, 0, ICC_SGI1R_EL1, 1ull << 44 | 2ull << 24 | (1u << 3)); /* RS 1, bit 3: 19 */
    for (int i = 0; i < NCPU; i++) {
        CHECK(out_level[i] == (i == 19), "RS targeting: core %d level %d", i, out_level[i]);
    }
    gicv3_free(s);
    return true;
}

static bool test_irouter(void)
{
    GICv3State *s = make_enabled(4);
    setup_spi(s, 70, 0x80, false, 3);
    gicv3_set_irq(s, 0, 70, 1);
    CHECK(out_level[3] && !out_level[0], "SPI 70 must go to core 3");
    CHECK(gicv3_dist_read(s, GICD_IROUTER + 70 * 8, 8) == aff_of(3), "IROUTER reads back");
    /* re-route while pending: the old target drops, the new one rises */
    gicv3_dist_write(s, GICD_IROUTER + 70 * 8, aff_of(1), 4);
    CHECK(out_level[1] && !out_level[3], "re-routed to core 1");
    /* affinity matching no core: not delivered */
    gicv3_dist_write(s, GICD_IROUTER + 70 * 8, 0x77, 8);
    CHECK(!out_level[0] && !out_level[1] && !out_level[2] && !out_level[3], "no target");
    gicv3_free(s);
    return true;
}

static bool test_bad_accesses(void)
{
    GICv3State *s = make_enabled(2);
    /* offsets past every register, odd sizes: no crash, reads are 0 */
    for (uint64_t off = 0; off < GICV3_DIST_SIZE; off += 0x1f4) {
        gicv3_dist_read(s, off, 4);
        gicv3_dist_write(s, off + 1, 0xffffffff, 2);
    }
    for (uint64_t off = 0; off < GICV3_REDIST_SIZE; off += 0x3e8) {
        gicv3_redist_read(s, 1, off, 8);
        gicv3_redist_write(s, 1, off + 3, 0xff, 1);
    }
    CHECK(gicv3_dist_read(s, GICD_IROUTER + 4 * 8, 8) == 0, "IROUTER of an SGI is RAZ");
    gicv3_set_irq(s, 0, 5000, 1); /* out of range input: ignored */
    icc_write(s, 0, ICC_EOIR1_EL1, 1023); /* special INTID: no effect */
    icc_write(s, 0, ICC_DIR_EL1, 0xffffff);
    gicv3_free(s);
    return true;
}

/* Several threads raise SGIs at core 0 while core 0 acknowledges them. */
#define STRESS_N 20000
static GICv3State *stress_gic;

static void *stress_sender(void *arg)
{
    int cpu = (int)(intptr_t)arg;
    for (int i = 0; i < STRESS_N; i++) {
        icc_write(stress_gic, cpu, ICC_SGI1R_EL1, (uint64_t)(cpu % 16) << 24 | 1u);
    }
    return NULL;
}

static bool test_concurrent_sgis(void)
{
    GICv3State *s = stress_gic = make_enabled(4);
    gicv3_redist_write(s, 0, GICR_ISENABLER0, 0xffff, 4);
    pthread_t t[3];
    for (int i = 0; i < 3; i++) {
        pthread_create(&t[i], NULL, stress_sender, (void *)(intptr_t)(i + 1));
    }
    int acked = 0;
    for (int i = 0; i < 3 * STRESS_N; i++) {
        uint64_t irq = icc_read(s, 0, ICC_IAR1_EL1);
        if (irq != 1023) {
            CHECK(irq >= 1 && irq <= 3, "unexpected INTID %llu", (unsigned long long)irq);
            icc_write(s, 0, ICC_EOIR1_EL1, irq);
            acked++;
        }
    }
    for (int i = 0; i < 3; i++) {
        pthread_join(t[i], NULL);
    }
    while (icc_read(s, 0, ICC_HPPIR1_EL1) != 1023) {
        uint64_t irq = icc_read(s, 0, ICC_IAR1_EL1);
        icc_write(s, 0, ICC_EOIR1_EL1, irq);
        acked++;
    }
    CHECK(acked > 0, "nothing was acknowledged");
    CHECK(!out_level[0] && gicv3_cpu_irq_level(s, 0) == 0, "line must end low");
    CHECK(icc_read(s, 0, ICC_RPR_EL1) == 0xff, "no priority left active");
    gicv3_free(s);
    return true;
}

/*
 * Random register traffic on the distributor, redistributors and CPU
 * interfaces, and random input lines. After every step each core's output
 * must equal what its public registers say: HPPIR1 names an interrupt whose
 * priority is below PMR and whose group priority is above RPR, with IGRPEN1
 * and GICD_CTLR.EnableGrp1 set. (Also an ASan/UBSan target.)
 */
static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static bool expected_level(GICv3State *s, int cpu)
{
    uint64_t irq = icc_read(s, cpu, ICC_HPPIR1_EL1);
    if (irq == 1023 || !icc_read(s, cpu, ICC_IGRPEN1_EL1) ||
        !(gicv3_dist_read(s, GICD_CTLR, 4) & GICD_CTLR_EN_GRP1)) {
        return false;
    }
    uint64_t prio = irq < 32 ? gicv3_redist_read(s, cpu, GICR_IPRIORITYR + irq, 1)
                             : gicv3_dist_read(s, GICD_IPRIORITYR + irq, 1);
    uint64_t ctlr = icc_read(s, cpu, ICC_CTLR_EL1);
    unsigned shift = (ctlr & 1) ? (unsigned)icc_read(s, cpu, ICC_BPR0_EL1) + 1
                                : (unsigned)icc_read(s, cpu, ICC_BPR1_EL1);
    uint64_t gprio = prio & (0xffu << shift) & 0xff;
    return prio < icc_read(s, cpu, ICC_PMR_EL1) && gprio < icc_read(s, cpu, ICC_RPR_EL1);
}

static bool test_fuzz(void)
{
    enum { N = 6 };
    GICv3State *s = make_enabled(N);
    static const uint32_t regs[] = {
        ICC_PMR_EL1, ICC_BPR0_EL1, ICC_BPR1_EL1, ICC_CTLR_EL1, ICC_IGRPEN1_EL1,
        ICC_EOIR1_EL1, ICC_DIR_EL1, ICC_SGI1R_EL1, ICC_AP1R0_EL1, ICC_IAR1_EL1,
    };
    int acks = 0;
    for (int step = 0; step < 20000; step++) {
        int cpu = (int)(rnd() % N);
        switch (rnd() % 10) {
        case 0: /* distributor register (word or byte) */
            gicv3_dist_write(s, (rnd() % 0x1000) & ~3ull, rnd(), 4);
            break;
        case 1:
            gicv3_dist_write(s, GICD_IPRIORITYR + 32 + rnd() % 256, rnd(), 1);
            break;
        case 2:
            gicv3_dist_write(s, GICD_IROUTER + (32 + rnd() % 256) * 8, aff_of((int)(rnd() % 8)),
                             8);
            break;
        case 3: /* redistributor SGI frame */
            gicv3_redist_write(s, cpu, GICR_SGI_BASE + ((rnd() % 0xd00) & ~3ull), rnd(), 4);
            break;
        case 4: { /* CPU interface */
            uint32_t reg = regs[rnd() % (sizeof(regs) / sizeof(regs[0]))];
            uint64_t v = reg == ICC_EOIR1_EL1 || reg == ICC_DIR_EL1 ? rnd() % 300 : rnd();
            if (reg == ICC_IAR1_EL1) {
                acks += icc_read(s, cpu, reg) != 1023;
            } else {
                icc_write(s, cpu, reg, v);
            }
            break;
        }
        case 5:
        case 6: /* input lines */
            gicv3_set_irq(s, cpu, (int)(16 + rnd() % 272), (int)(rnd() % 2));
            break;
        case 7:
        case 8: { /* what a handler does: acknowledge, usually complete */
            uint64_t irq = icc_read(s, cpu, ICC_IAR1_EL1);
            acks += irq != 1023;
            if (irq != 1023 && rnd() % 4) {
                icc_write(s, cpu, ICC_EOIR1_EL1, irq);
            }
            break;
        }
        default: /* keep things enabled often enough for interrupts to flow */
            gicv3_dist_write(s, GICD_CTLR, GICD_CTLR_EN_GRP1, 4);
            icc_write(s, cpu, ICC_IGRPEN1_EL1, 1);
            icc_write(s, cpu, ICC_PMR_EL1, 0xf8);
            gicv3_redist_write(s, cpu, GICR_IGROUPR0, 0xffffffff, 4);
            gicv3_dist_write(s, GICD_IGROUPR + 4 * (1 + rnd() % 8), 0xffffffff, 4);
            break;
        }
        for (int c = 0; c < N; c++) {
            bool want = expected_level(s, c);
            CHECK(out_level[c] == want && gicv3_cpu_irq_level(s, c) == want,
                  "step %d: core %d line %d, registers say %d", step, c, out_level[c], want);
        }
    }
    CHECK(acks > 100, "too few acknowledges (%d): the fuzz did not exercise delivery", acks);
    gicv3_dist_write(s, GICD_CTLR, 0, 4);
    for (int c = 0; c < N; c++) {
        CHECK(!out_level[c], "core %d line high with the distributor disabled", c);
    }
    gicv3_free(s);
    return true;
}

int main(void)
{
    run("gicv3_id_registers", test_id_registers);
    run("gicv3_waker", test_waker);
    run("gicv3_level_spi", test_level_spi);
    run("gicv3_edge_spi", test_edge_spi);
    run("gicv3_priorities_preemption", test_priorities);
    run("gicv3_pmr_mask", test_pmr);
    run("gicv3_eoimode1", test_eoimode1);
    run("gicv3_ppi", test_ppi);
    run("gicv3_sgi_routing", test_sgi);
    run("gicv3_irouter", test_irouter);
    run("gicv3_bad_accesses", test_bad_accesses);
    run("gicv3_concurrent_sgis", test_concurrent_sgis);
    run("gicv3_fuzz_output_matches_registers", test_fuzz);
    return failures ? 1 : 0;
}
