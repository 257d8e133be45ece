/*
 * arm_gicv3_internal.h — state shared by the GICv3 distributor/redistributor
 * (arm_gicv3.c) and the CPU interface (arm_gicv3_cpuif.c).
 *
 * Invariant: every field is read and written with s->lock held. Interrupt
 * state is kept as 32-bit words, bit (intid % 32) of word (intid / 32):
 * for INTIDs 0..31 (SGIs, PPIs) the words live in the core's GICv3CPU,
 * for SPIs in GICv3State (word 0 there is unused).
 *
 * The pending state of an interrupt is  latch | (line_level & ~edge):
 * a level-sensitive interrupt is pending while its line is high, an
 * edge-triggered one from a rising edge (or ISPENDR) until acknowledged.
 */
#ifndef HW_INTC_ARM_GICV3_INTERNAL_H
#define HW_INTC_ARM_GICV3_INTERNAL_H

#include <pthread.h>

#include "hw/intc/arm_gicv3.h"

#define GIC_PRIO_MASK 0xf8u /* 5 implemented priority bits */
#define GIC_IDLE_PRIO 0xffu

typedef struct GICv3CPU {
    uint32_t affinity; /* Aff3:Aff2:Aff1:Aff0 */
    /* redistributor */
    uint32_t waker;
    uint32_t group, enable, pend, level, active, edge; /* INTIDs 0..31 */
    uint8_t prio[32];
    /* CPU interface (Arm IHI 0069 §12.2) */
    uint8_t pmr;
    uint8_t bpr0, bpr1;
    uint32_t icc_ctlr; /* writable bits: CBPR, EOImode, PMHE */
    bool grpen0, grpen1;
    uint32_t apr[2];   /* active priorities, group 0 / group 1: bit = prio >> 3 */
    /* output */
    int out_level;
    IRQLine out;
    int fiq_level;  /* group 0 */
    IRQLine out_fiq;
} GICv3CPU;

typedef struct GICv3RedistRegion {
    GICv3State *s;
    int first, n;
} GICv3RedistRegion;

struct GICv3State {
    pthread_mutex_t lock;
    int ncpus;
    int num_irq;
    uint32_t ctlr;
    /* SPI state, words 1 .. num_irq/32 - 1 */
    uint32_t group[32], enable[32], pend[32], level[32], active[32], edge[32];
    uint8_t prio[GICV3_MAXIRQ + 4];
    uint64_t irouter[GICV3_MAXIRQ + 4];
    int16_t target[GICV3_MAXIRQ + 4]; /* core an SPI routes to, -1 for none */
    GICv3CPU *cpu;
    uint64_t *dirty; /* cores whose output must be recomputed (bitmap) */
    GICv3RedistRegion regions[4];
    int nregions;
};

/* Bit-word view of one group of 32 interrupts (distributor or redistributor). */
typedef struct GICv3Words {
    uint32_t *group, *enable, *pend, *level, *active, *edge;
    uint8_t *prio;
} GICv3Words;

static inline GICv3Words gicv3_words(GICv3State *s, int cpu, int intid)
{
    if (intid < 32) {
        GICv3CPU *c = &s->cpu[cpu];
        return (GICv3Words){ &c->group, &c->enable, &c->pend, &c->level,
                             &c->active, &c->edge, c->prio };
    }
    int w = intid / 32;
    return (GICv3Words){ &s->group[w], &s->enable[w], &s->pend[w], &s->level[w],
                         &s->active[w], &s->edge[w], &s->prio[w * 32] };
}

static inline void gicv3_mark(GICv3State *s, int cpu)
{
    if (cpu >= 0) {
        s->dirty[cpu / 64] |= 1ull << (cpu % 64);
    }
}

/* Mark the cores that see intid (its owner for SGI/PPI, its target for an SPI). */
static inline void gicv3_mark_irq(GICv3State *s, int cpu, int intid)
{
    gicv3_mark(s, intid < 32 ? cpu : s->target[intid]);
}

static inline void gicv3_mark_all(GICv3State *s)
{
    for (int i = 0; i < s->ncpus; i++) {
        gicv3_mark(s, i);
    }
}

/* Recompute the output of every marked core (lock held). */
void gicv3_flush(GICv3State *s);
/* Highest-priority pending Group 1 interrupt of a core, or 1023; *prio its priority. */
int gicv3_hppi(GICv3State *s, int cpu, int group, uint8_t *prio);
/* Set or clear the active state of an interrupt as seen from a core. */
void gicv3_set_active(GICv3State *s, int cpu, int intid, bool active);
/* Running priority of a core (0xff when idle). */
uint8_t gicv3_running_prio(const GICv3CPU *c);
/* Group priority of prio for Group 1 under the core's binary point. */
uint8_t gicv3_gprio1(const GICv3CPU *c, uint8_t prio);
uint8_t gicv3_gprio0(const GICv3CPU *c, uint8_t prio);
void gicv3_cpuif_reset(GICv3CPU *c);

#endif
