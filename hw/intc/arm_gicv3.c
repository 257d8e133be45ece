/*
 * arm_gicv3.c — GICv3 distributor and redistributors (Arm IHI 0069 §12.9,
 * §12.10, §12.11), and the one function that computes each core's IRQ output.
 *
 * Design: a single mutex guards the whole GIC. Every state change marks the
 * cores whose output may change (the owner of an SGI/PPI, the routed target
 * of an SPI, or all cores for GICD_CTLR) and gicv3_flush() recomputes those
 * cores' highest-priority pending interrupt before the lock is dropped, so
 * the IRQ level seen by a core is always consistent with the GIC state.
 * Output level changes go through gicv3_signal() only.
 *
 * Security: GICD_CTLR.DS = 1 (single security state), ARE = 1 (affinity
 * routing; the legacy GICv2 banked registers read as zero). SPIs route to
 * the core whose affinity matches GICD_IROUTER; the 1-of-N mode (IRM) routes
 * to core 0.
 */
#include "hw/intc/arm_gicv3_internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

#define GIC_IIDR 0x0000043bu /* implementer Arm (JEP106 0x43b), product 0: no quirks */
#define GIC_PIDR2 0x3bu      /* ArchRev 3 in [7:4] */

/* ---------------- output computation ---------------- */

uint8_t gicv3_running_prio(const GICv3CPU *c)
{
    uint32_t ap = c->apr[0] | c->apr[1];
    return ap ? (uint8_t)(__builtin_ctz(ap) << 3) : GIC_IDLE_PRIO;
}

uint8_t gicv3_gprio1(const GICv3CPU *c, uint8_t prio)
{
    /* §4.8.3: with CBPR the Group 1 binary point is BPR0's, else BPR1 - 1 */
    unsigned bp = (c->icc_ctlr & 1) ? c->bpr0 : (unsigned)c->bpr1 - 1;
    return prio & (uint8_t)(0xffu << (bp + 1));
}

uint8_t gicv3_gprio0(const GICv3CPU *c, uint8_t prio)
{
    return prio & (uint8_t)(0xffu << (c->bpr0 + 1));
}

static inline uint32_t pending_word(const GICv3Words *w)
{
    return *w->pend | (*w->level & ~*w->edge);
}

/* Highest-priority pending interrupt of one group (0 or 1) for cpu (§4.8). */
int gicv3_hppi(GICv3State *s, int cpu, int group, uint8_t *prio)
{
    int best = GICV3_INTID_SPURIOUS;
    unsigned best_prio = 0x100;
    if (!(s->ctlr & (group ? GICD_CTLR_EN_GRP1 : GICD_CTLR_EN_GRP0))) {
        *prio = GIC_IDLE_PRIO;
        return best;
    }
    GICv3CPU *c = &s->cpu[cpu];
    uint32_t gmask = group ? c->group : ~c->group;
    uint32_t bits = (c->pend | (c->level & ~c->edge)) & c->enable & ~c->active & gmask;
    while (bits) {
        int i = __builtin_ctz(bits);
        bits &= bits - 1;
        if (c->prio[i] < best_prio) {
            best_prio = c->prio[i];
            best = i;
        }
    }
    for (int w = 1; w < s->num_irq / 32; w++) {
        uint32_t b = (s->pend[w] | (s->level[w] & ~s->edge[w])) & s->enable[w] &
                     ~s->active[w] & (group ? s->group[w] : ~s->group[w]);
        while (b) {
            int i = w * 32 + __builtin_ctz(b);
            b &= b - 1;
            if (s->target[i] == cpu && s->prio[i] < best_prio) {
                best_prio = s->prio[i];
                best = i;
            }
        }
    }
    *prio = best_prio > 0xff ? GIC_IDLE_PRIO : (uint8_t)best_prio;
    return best;
}

/* The only place a core's IRQ/FIQ outputs change (swap for a per-core inbox post). */
static void gicv3_signal(GICv3State *s, int cpu, int level, int fiq)
{
    GICv3CPU *c = &s->cpu[cpu];
    if (c->out_level != level) {
        c->out_level = level;
        irq_set(&c->out, level);
    }
    if (c->fiq_level != fiq) {
        c->fiq_level = fiq;
        irq_set(&c->out_fiq, fiq);
    }
}

static void gicv3_update_cpu(GICv3State *s, int cpu)
{
    GICv3CPU *c = &s->cpu[cpu];
    uint8_t prio0, prio1;
    int irq0 = gicv3_hppi(s, cpu, 0, &prio0);
    int irq1 = gicv3_hppi(s, cpu, 1, &prio1);
    /* §4.8: signalled if enabled, above the priority mask and able to preempt;
     * with security disabled (DS=1) Group 0 is signalled as FIQ, Group 1 as IRQ */
    int fiq = irq0 != GICV3_INTID_SPURIOUS && c->grpen0 && prio0 < c->pmr &&
              gicv3_gprio0(c, prio0) < gicv3_running_prio(c);
    int level = irq1 != GICV3_INTID_SPURIOUS && c->grpen1 && prio1 < c->pmr &&
                gicv3_gprio1(c, prio1) < gicv3_running_prio(c);
    gicv3_signal(s, cpu, level, fiq);
}

void gicv3_flush(GICv3State *s)
{
    for (int w = 0; w < (s->ncpus + 63) / 64; w++) {
        uint64_t d = s->dirty[w];
        s->dirty[w] = 0;
        while (d) {
            int cpu = w * 64 + __builtin_ctzll(d);
            d &= d - 1;
            gicv3_update_cpu(s, cpu);
        }
    }
}

void gicv3_set_active(GICv3State *s, int cpu, int intid, bool active)
{
    GICv3Words w = gicv3_words(s, cpu, intid);
    uint32_t bit = 1u << (intid % 32);
    if (active) {
        *w.active |= bit;
    } else {
        *w.active &= ~bit;
    }
    gicv3_mark_irq(s, cpu, intid);
}

/* ---------------- construction ---------------- */

static int find_cpu_by_affinity(GICv3State *s, uint32_t aff)
{
    for (int i = 0; i < s->ncpus; i++) {
        if (s->cpu[i].affinity == aff) {
            return i;
        }
    }
    return -1;
}

static void route_spi(GICv3State *s, int intid)
{
    uint64_t r = s->irouter[intid];
    int old = s->target[intid];
    if (r & (1ull << 31)) {
        s->target[intid] = 0; /* IRM: 1 of N, we pick core 0 */
    } else {
        uint32_t aff = (uint32_t)(((r >> 32) & 0xff) << 24) | (uint32_t)(r & 0xffffff);
        s->target[intid] = (int16_t)find_cpu_by_affinity(s, aff);
    }
    gicv3_mark(s, old);
    gicv3_mark(s, s->target[intid]);
}

GICv3State *gicv3_new(int ncpus, int num_irq, const uint32_t *affinity)
{
    if (ncpus < 1 || num_irq < 64 || num_irq > GICV3_MAXIRQ + 4 || num_irq % 32) {
        fatal("gicv3: bad configuration (%d cores, %d interrupts)", ncpus, num_irq);
    }
    GICv3State *s = calloc(1, sizeof(*s));
    if (!s) {
        fatal("out of memory");
    }
    s->cpu = calloc(ncpus, sizeof(*s->cpu));
    s->dirty = calloc((ncpus + 63) / 64, sizeof(uint64_t));
    if (!s->cpu || !s->dirty) {
        fatal("out of memory");
    }
    pthread_mutex_init(&s->lock, NULL);
    s->ncpus = ncpus;
    s->num_irq = num_irq;
    for (int i = 0; i < ncpus; i++) {
        s->cpu[i].affinity = affinity[i];
    }
    gicv3_reset(s);
    return s;
}

void gicv3_free(GICv3State *s)
{
    if (s) {
        pthread_mutex_destroy(&s->lock);
        free(s->cpu);
        free(s->dirty);
        free(s);
    }
}

void gicv3_reset(GICv3State *s)
{
    pthread_mutex_lock(&s->lock);
    s->ctlr = GICD_CTLR_ARE | GICD_CTLR_DS;
    memset(s->group, 0, sizeof(s->group));
    memset(s->enable, 0, sizeof(s->enable));
    memset(s->pend, 0, sizeof(s->pend));
    memset(s->active, 0, sizeof(s->active));
    memset(s->edge, 0, sizeof(s->edge));
    /* line levels are inputs: they survive a reset */
    memset(s->prio, 0, sizeof(s->prio));
    memset(s->irouter, 0, sizeof(s->irouter));
    for (int i = 0; i < GICV3_MAXIRQ + 4; i++) {
        s->target[i] = -1;
    }
    for (int i = 32; i < s->num_irq; i++) {
        route_spi(s, i);
    }
    for (int i = 0; i < s->ncpus; i++) {
        GICv3CPU *c = &s->cpu[i];
        c->waker = GICR_WAKER_PS | GICR_WAKER_CA;
        c->group = c->enable = c->pend = c->active = 0;
        c->edge = 0xffff; /* SGIs are always edge-triggered; PPIs reset to level */
        memset(c->prio, 0, sizeof(c->prio));
        gicv3_cpuif_reset(c);
    }
    gicv3_mark_all(s);
    gicv3_flush(s);
    pthread_mutex_unlock(&s->lock);
}

void gicv3_connect_cpu(GICv3State *s, int cpu, IRQLine irq)
{
    pthread_mutex_lock(&s->lock);
    s->cpu[cpu].out = irq;
    irq_set(&irq, s->cpu[cpu].out_level);
    pthread_mutex_unlock(&s->lock);
}

void gicv3_connect_cpu_fiq(GICv3State *s, int cpu, IRQLine fiq)
{
    pthread_mutex_lock(&s->lock);
    s->cpu[cpu].out_fiq = fiq;
    irq_set(&fiq, s->cpu[cpu].fiq_level);
    pthread_mutex_unlock(&s->lock);
}

int gicv3_cpu_irq_level(GICv3State *s, int cpu)
{
    pthread_mutex_lock(&s->lock);
    int l = s->cpu[cpu].out_level;
    pthread_mutex_unlock(&s->lock);
    return l;
}

/* ---------------- input lines ---------------- */

void gicv3_set_irq(GICv3State *s, int cpu, int intid, int level)
{
    if (intid < 0 || intid >= s->num_irq || cpu < 0 || cpu >= s->ncpus) {
        return;
    }
    pthread_mutex_lock(&s->lock);
    GICv3Words w = gicv3_words(s, cpu, intid);
    uint32_t bit = 1u << (intid % 32);
    bool old = *w.level & bit;
    if (level && !old && (*w.edge & bit)) {
        *w.pend |= bit; /* rising edge latches */
    }
    if (level) {
        *w.level |= bit;
    } else {
        *w.level &= ~bit;
    }
    gicv3_mark_irq(s, cpu, intid);
    gicv3_flush(s);
    pthread_mutex_unlock(&s->lock);
}

static void spi_handler(void *opaque, int n, int level)
{
    gicv3_set_irq(opaque, 0, 32 + n, level);
}

static void ppi_handler(void *opaque, int n, int level)
{
    gicv3_set_irq(opaque, n / 32, n % 32, level);
}

IRQLine gicv3_spi_line(GICv3State *s, int spi)
{
    return (IRQLine){ spi_handler, s, spi };
}

IRQLine gicv3_ppi_line(GICv3State *s, int cpu, int intid)
{
    return (IRQLine){ ppi_handler, s, cpu * 32 + intid };
}

/* ---------------- registers common to GICD and GICR_SGI ---------------- */

/* 32-bit accesses to the per-interrupt bit/field registers for the 32 INTIDs base.. */
enum { R_IGROUP, R_ISENABLE, R_ICENABLE, R_ISPEND, R_ICPEND, R_ISACTIVE, R_ICACTIVE };

static uint32_t bits_read(GICv3State *s, int cpu, int base, int kind)
{
    GICv3Words w = gicv3_words(s, cpu, base);
    switch (kind) {
    case R_IGROUP: return *w.group;
    case R_ISENABLE:
    case R_ICENABLE: return *w.enable;
    case R_ISPEND:
    case R_ICPEND: return pending_word(&w);
    default: return *w.active;
    }
}

static void bits_write(GICv3State *s, int cpu, int base, int kind, uint32_t v)
{
    GICv3Words w = gicv3_words(s, cpu, base);
    switch (kind) {
    case R_IGROUP: *w.group = v; break;
    case R_ISENABLE: *w.enable |= v; break;
    case R_ICENABLE: *w.enable &= ~v; break;
    case R_ISPEND: *w.pend |= v; break;
    case R_ICPEND: *w.pend &= ~v; break; /* a high level line stays pending */
    case R_ISACTIVE: *w.active |= v; break;
    case R_ICACTIVE: *w.active &= ~v; break;
    }
    if (base < 32) {
        gicv3_mark(s, cpu);
        return;
    }
    for (int i = 0; i < 32; i++) {
        if (v & (1u << i) || kind == R_IGROUP) {
            gicv3_mark(s, s->target[base + i]);
        }
    }
}

/* GICD/GICR ICFGR<n>: 2 bits per interrupt, bit 1 set = edge-triggered. */
static uint32_t cfg_read(GICv3State *s, int cpu, int base)
{
    GICv3Words w = gicv3_words(s, cpu, base);
    uint32_t e = *w.edge >> (base % 32), v = 0;
    for (int i = 0; i < 16; i++) {
        if (e & (1u << i)) {
            v |= 2u << (2 * i);
        }
    }
    return v;
}

static void cfg_write(GICv3State *s, int cpu, int base, uint32_t v)
{
    if (base < 16) {
        return; /* SGIs: edge, read-only */
    }
    GICv3Words w = gicv3_words(s, cpu, base);
    for (int i = 0; i < 16; i++) {
        uint32_t bit = 1u << ((base + i) % 32);
        if (v & (2u << (2 * i))) {
            *w.edge |= bit;
        } else {
            *w.edge &= ~bit;
        }
        gicv3_mark_irq(s, cpu, base + i);
    }
}

static uint32_t prio_read(GICv3State *s, int cpu, int intid, unsigned size)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size && intid + (int)i < s->num_irq; i++) {
        v |= (uint32_t)gicv3_words(s, cpu, intid + i).prio[(intid + i) % 32] << (8 * i);
    }
    return v;
}

static void prio_write(GICv3State *s, int cpu, int intid, uint32_t v, unsigned size)
{
    for (unsigned i = 0; i < size && intid + (int)i < s->num_irq; i++) {
        gicv3_words(s, cpu, intid + i).prio[(intid + i) % 32] = (v >> (8 * i)) & GIC_PRIO_MASK;
        gicv3_mark_irq(s, cpu, intid + i);
    }
}

/*
 * The register blocks shared by GICD (ints >= 32) and GICR_SGI (ints 0..31):
 * offset within the block; returns false if offset is not one of them.
 * first_word: 1 for the distributor (word 0 is RAZ/WI under ARE), 0 for GICR.
 */
static bool common_access(GICv3State *s, int cpu, uint64_t off, unsigned size, bool is_write,
                          uint64_t *val, int nwords)
{
    static const struct { uint64_t base; int kind; } banks[] = {
        { 0x080, R_IGROUP }, { 0x100, R_ISENABLE }, { 0x180, R_ICENABLE },
        { 0x200, R_ISPEND }, { 0x280, R_ICPEND }, { 0x300, R_ISACTIVE },
        { 0x380, R_ICACTIVE },
    };
    bool dist = nwords > 1;
    for (unsigned b = 0; b < sizeof(banks) / sizeof(banks[0]); b++) {
        if (off >= banks[b].base && off < banks[b].base + 0x80) {
            int word = (int)(off - banks[b].base) / 4;
            if (size != 4 || (off & 3) || word >= nwords || (dist && word == 0)) {
                if (!is_write) {
                    *val = 0;
                }
                return true;
            }
            if (is_write) {
                bits_write(s, cpu, word * 32, banks[b].kind, (uint32_t)*val);
            } else {
                *val = bits_read(s, cpu, word * 32, banks[b].kind);
            }
            return true;
        }
    }
    if (off >= 0x400 && off < 0x400 + (uint64_t)nwords * 32) { /* IPRIORITYR: byte access */
        int intid = (int)(off - 0x400);
        if ((dist && intid < 32) || (size != 1 && size != 4) || (off & (size - 1))) {
            if (!is_write) {
                *val = 0;
            }
        } else if (is_write) {
            prio_write(s, cpu, intid, (uint32_t)*val, size);
        } else {
            *val = prio_read(s, cpu, intid, size);
        }
        return true;
    }
    if (off >= 0xc00 && off < 0xc00 + (uint64_t)nwords * 8) { /* ICFGR */
        int base = (int)(off - 0xc00) / 4 * 16;
        if ((dist && base < 32) || size != 4 || (off & 3)) {
            if (!is_write) {
                *val = 0;
            }
        } else if (is_write) {
            cfg_write(s, cpu, base, (uint32_t)*val);
        } else {
            *val = cfg_read(s, cpu, base);
        }
        return true;
    }
    return false;
}

/* ---------------- distributor ---------------- */

static uint64_t dist_access(GICv3State *s, uint64_t off, unsigned size, bool is_write,
                            uint64_t val)
{
    uint64_t r = 0;
    int nwords = s->num_irq / 32;
    if (common_access(s, 0, off, size, is_write, is_write ? &val : &r, nwords)) {
        return r;
    }
    if (off >= GICD_IROUTER + 32 * 8 && off < GICD_IROUTER + (uint64_t)s->num_irq * 8) {
        int intid = (int)((off - GICD_IROUTER) / 8);
        unsigned sh = (off & 4) * 8;
        const uint64_t mask = 0xff80ffffffull; /* Aff3 [39:32], IRM [31], Aff2..0 [23:0] */
        if ((size != 8 && size != 4) || (off & (size - 1))) {
            return 0;
        }
        if (!is_write) {
            return size == 8 ? s->irouter[intid] : (uint32_t)(s->irouter[intid] >> sh);
        }
        uint64_t m = size == 8 ? ~0ull : 0xffffffffull << sh;
        s->irouter[intid] = (s->irouter[intid] & ~m) | ((val << sh) & m & mask);
        route_spi(s, intid);
        return 0;
    }
    switch (off) {
    case GICD_CTLR:
        if (is_write) {
            s->ctlr = ((uint32_t)val & (GICD_CTLR_EN_GRP0 | GICD_CTLR_EN_GRP1)) |
                      GICD_CTLR_ARE | GICD_CTLR_DS;
            gicv3_mark_all(s);
        }
        return s->ctlr; /* RWP (bit 31) always 0: writes take effect at once */
    case GICD_TYPER:
        /* ITLinesNumber, IDbits = 9 (10 bits), A3V, No1N, RSS */
        return (uint32_t)(nwords - 1) | (9u << 19) | (1u << 24) | (1u << 25) | (1u << 26);
    case GICD_IIDR:
        return GIC_IIDR;
    case GICD_PIDR2:
        return GIC_PIDR2;
    default:
        /* TYPER2, STATUSR, SGIR (WI under ARE), ITARGETSR, IGRPMODR, NSACR: RAZ/WI */
        if (!is_write) {
            log_mask_printf(LOG_UNIMP, "gicv3: read of GICD offset 0x%" PRIx64 "\n", off);
        }
        return 0;
    }
}

uint64_t gicv3_dist_read(void *opaque, uint64_t offset, unsigned size)
{
    GICv3State *s = opaque;
    pthread_mutex_lock(&s->lock);
    uint64_t v;
    if (size == 8 && !(offset >= GICD_IROUTER && offset < GICD_IROUTER + 0x2000)) {
        v = dist_access(s, offset, 4, false, 0) | dist_access(s, offset + 4, 4, false, 0) << 32;
    } else {
        v = dist_access(s, offset, size, false, 0);
    }
    pthread_mutex_unlock(&s->lock);
    return v;
}

void gicv3_dist_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    GICv3State *s = opaque;
    pthread_mutex_lock(&s->lock);
    if (size == 8 && !(offset >= GICD_IROUTER && offset < GICD_IROUTER + 0x2000)) {
        dist_access(s, offset, 4, true, (uint32_t)value);
        dist_access(s, offset + 4, 4, true, value >> 32);
    } else {
        dist_access(s, offset, size, true, value);
    }
    gicv3_flush(s);
    pthread_mutex_unlock(&s->lock);
}

/* ---------------- redistributors ---------------- */

static bool redist_is_last(GICv3State *s, int cpu)
{
    for (int i = 0; i < s->nregions; i++) {
        if (cpu == s->regions[i].first + s->regions[i].n - 1) {
            return true;
        }
    }
    return cpu == s->ncpus - 1;
}

static uint64_t redist_access(GICv3State *s, int cpu, uint64_t off, unsigned size,
                              bool is_write, uint64_t val)
{
    GICv3CPU *c = &s->cpu[cpu];
    uint64_t r = 0;
    if (off >= GICR_SGI_BASE) {
        if (common_access(s, cpu, off - GICR_SGI_BASE, size, is_write, is_write ? &val : &r,
                          1)) {
            return r;
        }
        return 0; /* IGRPMODR0, NSACR: RAZ/WI with DS = 1 */
    }
    switch (off) {
    case GICR_CTLR:
        return 0; /* no LPIs; RWP = 0 */
    case GICR_IIDR:
        return GIC_IIDR;
    case GICR_TYPER:
    case GICR_TYPER + 4: {
        /* [63:32] affinity, [23:8] processor number, [4] Last */
        uint64_t t = (uint64_t)c->affinity << 32 | (uint64_t)(cpu & 0xffff) << 8 |
                     (redist_is_last(s, cpu) ? 1u << 4 : 0);
        if (size == 8) {
            return t;
        }
        return (uint32_t)(t >> ((off & 4) * 8));
    }
    case GICR_WAKER:
        if (is_write) {
            /* ChildrenAsleep follows ProcessorSleep at once */
            c->waker = (val & GICR_WAKER_PS) ? (GICR_WAKER_PS | GICR_WAKER_CA) : 0;
        }
        return c->waker;
    case GICR_PIDR2:
        return GIC_PIDR2;
    default:
        /* STATUSR, PROPBASER, PENDBASER...: RAZ/WI */
        return 0;
    }
}

uint64_t gicv3_redist_read(GICv3State *s, int cpu, uint64_t offset, unsigned size)
{
    pthread_mutex_lock(&s->lock);
    uint64_t v;
    if (size == 8 && offset != GICR_TYPER) {
        v = redist_access(s, cpu, offset, 4, false, 0) |
            redist_access(s, cpu, offset + 4, 4, false, 0) << 32;
    } else {
        v = redist_access(s, cpu, offset, size, false, 0);
    }
    pthread_mutex_unlock(&s->lock);
    return v;
}

void gicv3_redist_write(GICv3State *s, int cpu, uint64_t offset, uint64_t value,
                        unsigned size)
{
    pthread_mutex_lock(&s->lock);
    if (size == 8) {
        redist_access(s, cpu, offset, 4, true, (uint32_t)value);
        redist_access(s, cpu, offset + 4, 4, true, value >> 32);
    } else {
        redist_access(s, cpu, offset, size, true, value);
    }
    gicv3_flush(s);
    pthread_mutex_unlock(&s->lock);
}

static uint64_t redist_region_read(void *opaque, uint64_t offset, unsigned size)
{
    GICv3RedistRegion *r = opaque;
    return gicv3_redist_read(r->s, r->first + (int)(offset / GICV3_REDIST_SIZE),
                             offset % GICV3_REDIST_SIZE, size);
}

static void redist_region_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    GICv3RedistRegion *r = opaque;
    gicv3_redist_write(r->s, r->first + (int)(offset / GICV3_REDIST_SIZE),
                       offset % GICV3_REDIST_SIZE, value, size);
}

static const MemoryRegionOps dist_ops = {
    .read = gicv3_dist_read, .write = gicv3_dist_write, .min_access = 1, .max_access = 8,
};
static const MemoryRegionOps redist_ops = {
    .read = redist_region_read, .write = redist_region_write, .min_access = 1, .max_access = 8,
};

void gicv3_map_dist(GICv3State *s, AddressSpace *as, uint64_t base)
{
    memory_map_mmio(as, "gicv3-dist", base, GICV3_DIST_SIZE, &dist_ops, s);
}

void gicv3_map_redist(GICv3State *s, AddressSpace *as, uint64_t base, int first, int n)
{
    if (s->nregions == (int)(sizeof(s->regions) / sizeof(s->regions[0])) || first < 0 ||
        n < 1 || first + n > s->ncpus) {
        fatal("gicv3: bad redistributor region (%d cores from %d)", n, first);
    }
    GICv3RedistRegion *r = &s->regions[s->nregions++];
    r->s = s;
    r->first = first;
    r->n = n;
    memory_map_mmio(as, "gicv3-redist", base, (uint64_t)n * GICV3_REDIST_SIZE, &redist_ops, r);
}
