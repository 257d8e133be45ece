/*
 * apic.c — local APIC per core and the APIC bus (Intel SDM Vol. 3A ch. 11).
 *
 * Design. Each APICState has its own mutex; there is no bus-wide lock. The
 * invariant kept under that mutex is
 *
 *     CPU_INTERRUPT_HARD is set on the core  <=>  apic_wants_intr(s)
 *
 * i.e. an IRR vector above the processor priority (software-enabled APIC),
 * or an ExtINT request (LINT0 in ExtINT mode with the 8259 output high, or
 * an ExtINT message). Every state change ends in apic_update_irq(), which
 * raises or lowers the bit; since both happen under the same lock, a
 * sender that sets IRR can never have its request lowered by a stale view.
 * Because HARD is only set when a vector is deliverable, the INTA hook
 * (apic_get_interrupt) always has an answer; in the rare race where it has
 * not, it returns the spurious vector, as the hardware does (§11.9), rather
 * than -1 (which would let the CPU clear HARD outside our lock).
 *
 * The core's own paths (EOI, TPR/CR8, INTA, its timer) lock only its own
 * APIC. An IPI or MSI locks only the target, sets IRR/TMR, and raises HARD
 * with cpu_interrupt() (an atomic OR, the exit word, and a wake-up if the
 * core sleeps in HLT: a halted core costs nothing until then). INIT resets
 * the target APIC and raises CPU_INTERRUPT_INIT; SIPI sets the vector with
 * x86_cpu_set_sipi_vector() then raises CPU_INTERRUPT_SIPI.
 *
 * Lock order: IOAPIC -> APIC and 8259 -> APIC (their outputs call in here);
 * the APIC never calls them with its lock held (EOI broadcast and the
 * ExtINT INTA run after unlocking).
 *
 * Timer: the bus clock is 1 GHz (a count of 1 with divide-by-1 is 1 ns of
 * host CLOCK_MONOTONIC); the TSC is 1 GHz too (target/i386/cpu.c), so a
 * TSC deadline converts to host time by subtracting the core's TSC offset.
 * One host timer per APIC, armed only while a timer interrupt is due.
 *
 * xAPIC MMIO: the register file is the accessing core's. The core is found
 * from the calling thread's TCG context (cpu_exec sets tcg_ctx to the
 * core's own context), cached per thread; outside cpu_exec it is the BSP.
 */
#include "hw/i386/apic.h"
#include "hw/i386/pc.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "reemu/reemu.h"
#include "system/timer.h"
#include "target/i386/cpu-hooks.h"
#include "target/i386/cpu.h"
#include "tcg/tcg.h"
#include "util/log.h"

/* xAPIC register offsets (SDM Table 11-1); x2APIC MSR = 0x800 + offset / 16 */
enum {
    APIC_ID = 0x20,
    APIC_VERSION = 0x30,
    APIC_TPR = 0x80,
    APIC_APR = 0x90,
    APIC_PPR = 0xa0,
    APIC_EOI = 0xb0,
    APIC_RRD = 0xc0,
    APIC_LDR = 0xd0,
    APIC_DFR = 0xe0,
    APIC_SVR = 0xf0,
    APIC_ISR = 0x100,
    APIC_TMR = 0x180,
    APIC_IRR = 0x200,
    APIC_ESR = 0x280,
    APIC_LVT_CMCI = 0x2f0,
    APIC_ICR_LO = 0x300,
    APIC_ICR_HI = 0x310,
    APIC_LVT_TIMER = 0x320,
    APIC_LVT_ERROR = 0x370,
    APIC_TIMER_ICR = 0x380,
    APIC_TIMER_CCR = 0x390,
    APIC_TIMER_DCR = 0x3e0,
    APIC_SELF_IPI = 0x3f0, /* x2APIC only */
};

/* LVT slots, in register order from 0x320 */
enum { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR, LVT_NUM };

#define APIC_VERSION_VALUE 0x00050014u /* version 0x14, max LVT entry 5 (§11.4.8) */
#define LVT_MASKED (1u << 16)
#define LVT_LEVEL (1u << 15)
#define LVT_DM(v) (((v) >> 8) & 7)
#define LVT_TIMER_MODE(v) (((v) >> 17) & 3)
enum { TIMER_ONESHOT = 0, TIMER_PERIODIC = 1, TIMER_TSC_DEADLINE = 2 };
#define SVR_ENABLE (1u << 8)
#define APICBASE_BSP (1ull << 8)
#define APICBASE_EXTD (1ull << 10)
#define APICBASE_EN (1ull << 11)

/* ESR bits (§11.5.3) */
#define ESR_SEND_ILLEGAL_VECTOR (1u << 5)
#define ESR_RECV_ILLEGAL_VECTOR (1u << 6)
#define ESR_ILLEGAL_REGISTER (1u << 7)

/* ICR fields (§11.6.1) */
#define ICR_VECTOR(v) ((v) & 0xff)
#define ICR_DM(v) (((v) >> 8) & 7)
#define ICR_LOGICAL (1u << 11)
#define ICR_LEVEL_ASSERT (1u << 14)
#define ICR_TRIGGER_LEVEL (1u << 15)
#define ICR_SHORTHAND(v) (((v) >> 18) & 3)
enum { SH_NONE, SH_SELF, SH_ALL, SH_ALL_BUT_SELF };

/* minimum period of a periodic timer, so a guest cannot flood the timer thread */
#define APIC_MIN_PERIOD_NS 10000ull

struct APICState {
    pthread_mutex_t lock;
    APICBus *bus;
    CPUState *cpu;
    uint32_t id; /* APIC ID (immutable) */

    /* read lock-free by senders matching destinations: atomics */
    uint32_t ldr, dfr;
    bool x2apic, hw_enabled, sw_enabled;

    uint64_t base;
    uint32_t tpr, svr, esr, esr_pending;
    uint32_t icr_lo, icr_hi;
    uint32_t lvt[LVT_NUM];
    uint32_t lvt_cmci;
    uint32_t irr[8], isr[8], tmr[8];
    int lint_level[2];
    bool extint_msg; /* an ExtINT message is pending */

    /* timer */
    uint32_t timer_icr, timer_dcr;
    uint64_t timer_start_ns;  /* host time at which the current count was timer_icr */
    uint64_t timer_expiry_ns; /* next interrupt (0: none armed) */
    uint64_t tsc_deadline;    /* IA32_TSC_DEADLINE as written (0: disarmed) */
    HostTimer *timer;
};

struct APICBus {
    Machine *m;
    int n;
    APICState **by_id; /* [n], APIC ID = index */
    void (*eoi_fn)(void *opaque, uint8_t vector);
    void *eoi_opaque;
    int (*inta)(void *opaque);
    void *inta_opaque;
};

/* ------------------------------------------------------------ registry */

#define MAX_BUSES 16
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static APICBus *registry[MAX_BUSES];

APICBus *apic_bus_of(Machine *m)
{
    for (int i = 0; i < MAX_BUSES; i++) {
        APICBus *b = __atomic_load_n(&registry[i], __ATOMIC_ACQUIRE);
        if (b && b->m == m) {
            return b;
        }
    }
    return NULL;
}

APICState *apic_get(APICBus *bus, uint32_t apic_id)
{
    return (bus && apic_id < (uint32_t)bus->n) ? bus->by_id[apic_id] : NULL;
}

CPUState *apic_cpu(APICState *s)
{
    return s->cpu;
}

/* ------------------------------------------------------------ vector sets */

static inline void vset(uint32_t *v, int n)
{
    v[n >> 5] |= 1u << (n & 31);
}
static inline void vclr(uint32_t *v, int n)
{
    v[n >> 5] &= ~(1u << (n & 31));
}
static inline bool vtest(const uint32_t *v, int n)
{
    return (v[n >> 5] >> (n & 31)) & 1;
}
/* highest set vector, or -1 */
static int vhighest(const uint32_t *v)
{
    for (int i = 7; i >= 0; i--) {
        if (v[i]) {
            return i * 32 + 31 - __builtin_clz(v[i]);
        }
    }
    return -1;
}

/* ------------------------------------------------------------ priority */

/* PPR (§11.8.3.1) */
static uint32_t apic_ppr(const APICState *s)
{
    int isrv = vhighest(s->isr);
    uint32_t isr_class = isrv < 0 ? 0 : ((uint32_t)isrv & 0xf0);
    return (s->tpr & 0xf0) >= isr_class ? s->tpr & 0xff : isr_class;
}

/* The vector INTA would take, or -1 (§11.8.3: class above PPR). */
static int apic_deliverable(const APICState *s)
{
    if (!s->sw_enabled) {
        return -1;
    }
    int v = vhighest(s->irr);
    if (v < 0 || ((uint32_t)v & 0xf0) <= (apic_ppr(s) & 0xf0)) {
        return -1;
    }
    return v;
}

/* LINT0 passes the 8259's INTR: APIC globally disabled (the pin goes to the
 * core directly) or LVT LINT0 unmasked in ExtINT mode. */
static bool apic_extint_wanted(const APICState *s)
{
    if (s->extint_msg) {
        return true;
    }
    if (!s->lint_level[0]) {
        return false;
    }
    if (!s->hw_enabled) {
        return true;
    }
    uint32_t l = s->lvt[LVT_LINT0];
    return !(l & LVT_MASKED) && LVT_DM(l) == APIC_DM_EXTINT;
}

/* Keep CPU_INTERRUPT_HARD equal to "something to take"; lock held. */
static void apic_update_irq(APICState *s)
{
    bool want = apic_extint_wanted(s) || apic_deliverable(s) >= 0;
    bool has = __atomic_load_n(&s->cpu->interrupt_request, __ATOMIC_ACQUIRE) &
               CPU_INTERRUPT_HARD;
    if (want && !has) {
        cpu_interrupt(s->cpu, CPU_INTERRUPT_HARD);
    } else if (!want && has) {
        cpu_reset_interrupt(s->cpu, CPU_INTERRUPT_HARD);
    }
}

static void apic_error_locked(APICState *s, uint32_t bits)
{
    s->esr_pending |= bits;
    uint32_t l = s->lvt[LVT_ERROR];
    if (!(l & LVT_MASKED) && (l & 0xff) >= 16) {
        vset(s->irr, (int)(l & 0xff));
        vclr(s->tmr, (int)(l & 0xff));
    }
}

/* Accept a fixed interrupt into IRR (lock held). */
static void apic_set_irr_locked(APICState *s, int vector, bool level)
{
    if (vector < 16) {
        apic_error_locked(s, ESR_RECV_ILLEGAL_VECTOR);
        return;
    }
    vset(s->irr, vector);
    if (level) {
        vset(s->tmr, vector);
    } else {
        vclr(s->tmr, vector);
    }
}

/* ------------------------------------------------------------ reset */

static void apic_timer_stop_locked(APICState *s)
{
    s->timer_expiry_ns = 0;
    host_timer_del(s->timer);
}

/* Power-up / INIT state (§11.4.7.1); keeps ID and IA32_APIC_BASE. */
static void apic_reset_locked(APICState *s, bool power_on)
{
    memset(s->irr, 0, sizeof(s->irr));
    memset(s->isr, 0, sizeof(s->isr));
    memset(s->tmr, 0, sizeof(s->tmr));
    s->tpr = 0;
    s->esr = s->esr_pending = 0;
    s->icr_lo = s->icr_hi = 0;
    __atomic_store_n(&s->ldr, s->x2apic ? ((s->id & 0xffff0u) << 12) | (1u << (s->id & 0xf)) : 0,
                     __ATOMIC_RELAXED);
    __atomic_store_n(&s->dfr, 0xffffffffu, __ATOMIC_RELAXED);
    s->svr = 0xff;
    __atomic_store_n(&s->sw_enabled, false, __ATOMIC_RELAXED);
    for (int i = 0; i < LVT_NUM; i++) {
        s->lvt[i] = LVT_MASKED;
    }
    s->lvt_cmci = LVT_MASKED;
    if (power_on && s->id == 0) {
        /* virtual wire mode, as the BIOS leaves the BSP (MP spec §3.6.2.2):
         * the 8259 through LINT0 as ExtINT, NMI on LINT1 */
        s->lvt[LVT_LINT0] = APIC_DM_EXTINT << 8;
        s->lvt[LVT_LINT1] = APIC_DM_NMI << 8;
    }
    s->extint_msg = false;
    s->timer_icr = s->timer_dcr = 0;
    s->tsc_deadline = 0;
    apic_timer_stop_locked(s);
}

static void apic_power_on(APICState *s)
{
    pthread_mutex_lock(&s->lock);
    s->base = PC_LAPIC_BASE | APICBASE_EN | (s->id == 0 ? APICBASE_BSP : 0);
    __atomic_store_n(&s->hw_enabled, true, __ATOMIC_RELAXED);
    __atomic_store_n(&s->x2apic, false, __ATOMIC_RELAXED);
    apic_reset_locked(s, true);
    apic_update_irq(s);
    pthread_mutex_unlock(&s->lock);
}

void apic_bus_reset(APICBus *bus)
{
    for (int i = 0; i < bus->n; i++) {
        apic_power_on(bus->by_id[i]);
    }
}

/* ------------------------------------------------------------ timer */

static uint32_t timer_divisor(const APICState *s)
{
    /* DCR bits 3,1:0 (§11.5.4): 0b111 = 1, else 2 << value */
    uint32_t v = (s->timer_dcr & 3) | ((s->timer_dcr >> 1) & 4);
    return v == 7 ? 1 : 2u << v;
}

static uint64_t timer_period_ns(const APICState *s)
{
    return (uint64_t)s->timer_icr * timer_divisor(s);
}

static uint32_t timer_current_count(const APICState *s, uint64_t now)
{
    if (s->timer_icr == 0 || LVT_TIMER_MODE(s->lvt[LVT_TIMER]) == TIMER_TSC_DEADLINE) {
        return 0;
    }
    uint64_t ticks = (now - s->timer_start_ns) / timer_divisor(s);
    if (LVT_TIMER_MODE(s->lvt[LVT_TIMER]) == TIMER_PERIODIC) {
        return s->timer_icr - (uint32_t)(ticks % s->timer_icr);
    }
    return ticks >= s->timer_icr ? 0 : s->timer_icr - (uint32_t)ticks;
}

static uint64_t tsc_deadline_ns(const APICState *s)
{
    /* guest TSC = host CLOCK_MONOTONIC ns + tsc_offset (1 GHz) */
    uint64_t off = cpu_env(s->cpu)->tsc_offset;
    uint64_t t = s->tsc_deadline - off;
    return t ? t : 1;
}

static void apic_timer_arm_locked(APICState *s, uint64_t expiry)
{
    s->timer_expiry_ns = expiry;
    host_timer_mod(s->timer, expiry);
}

/* The timer's count or mode changed: (re)arm or stop the host timer. */
static void apic_timer_program_locked(APICState *s, uint64_t now)
{
    switch (LVT_TIMER_MODE(s->lvt[LVT_TIMER])) {
    case TIMER_ONESHOT:
    case TIMER_PERIODIC:
        if (s->timer_icr == 0) {
            apic_timer_stop_locked(s);
            return;
        }
        apic_timer_arm_locked(s, now + timer_period_ns(s));
        return;
    case TIMER_TSC_DEADLINE:
        if (s->tsc_deadline == 0) {
            apic_timer_stop_locked(s);
            return;
        }
        apic_timer_arm_locked(s, tsc_deadline_ns(s));
        return;
    default:
        apic_timer_stop_locked(s);
        return;
    }
}

static void apic_timer_fire_locked(APICState *s)
{
    uint32_t l = s->lvt[LVT_TIMER];
    if (!(l & LVT_MASKED)) {
        apic_set_irr_locked(s, (int)(l & 0xff), false);
    }
}

/* Host timer callback (the timer thread). */
static void apic_timer_cb(void *opaque)
{
    APICState *s = opaque;
    pthread_mutex_lock(&s->lock);
    uint64_t now = clock_ns();
    if (s->timer_expiry_ns == 0) {
        goto out; /* stopped since it was armed */
    }
    if (now < s->timer_expiry_ns) {
        host_timer_mod(s->timer, s->timer_expiry_ns); /* re-armed later meanwhile */
        goto out;
    }
    switch (LVT_TIMER_MODE(s->lvt[LVT_TIMER])) {
    case TIMER_PERIODIC: {
        apic_timer_fire_locked(s);
        uint64_t period = timer_period_ns(s);
        if (period < APIC_MIN_PERIOD_NS) {
            period = APIC_MIN_PERIOD_NS;
        }
        /* restart from the last period boundary not after now; missed
         * ticks coalesce, as a single IRR bit would */
        s->timer_start_ns += (now - s->timer_start_ns) / period * period;
        apic_timer_arm_locked(s, s->timer_start_ns + period);
        break;
    }
    case TIMER_ONESHOT:
        apic_timer_fire_locked(s);
        s->timer_expiry_ns = 0;
        break;
    case TIMER_TSC_DEADLINE:
        apic_timer_fire_locked(s);
        s->tsc_deadline = 0; /* cleared when it fires (§11.5.4.1) */
        s->timer_expiry_ns = 0;
        break;
    default:
        s->timer_expiry_ns = 0;
        break;
    }
    apic_update_irq(s);
out:
    pthread_mutex_unlock(&s->lock);
}

/* ------------------------------------------------------------ delivery */

/* Does s accept a message for dest? x2apic_fmt: 32-bit destination (sent
 * by an x2APIC-mode APIC), else 8-bit xAPIC format. Lock-free. */
static bool apic_match_dest(APICState *s, uint32_t dest, bool logical, bool x2apic_fmt)
{
    uint32_t bcast = x2apic_fmt ? 0xffffffffu : 0xffu;
    if (!logical) {
        return dest == bcast || dest == s->id;
    }
    if (dest == bcast) {
        return true;
    }
    uint32_t ldr = __atomic_load_n(&s->ldr, __ATOMIC_RELAXED);
    if (__atomic_load_n(&s->x2apic, __ATOMIC_RELAXED)) {
        if (!x2apic_fmt) {
            /* an 8-bit logical message to an x2APIC: flat match on the low byte */
            return (dest & ldr & 0xff) != 0;
        }
        /* §11.12.10.2: cluster ID [31:16], member bitmap [15:0] */
        return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff) != 0;
    }
    uint32_t dfr = __atomic_load_n(&s->dfr, __ATOMIC_RELAXED);
    uint8_t l = (uint8_t)(ldr >> 24), d = (uint8_t)dest;
    if ((dfr >> 28) == 0xf) { /* flat (§11.6.2.2) */
        return (l & d) != 0;
    }
    /* cluster: [7:4] cluster, [3:0] members */
    return (l >> 4) == (d >> 4) && (l & d & 0xf) != 0;
}

/* Deliver one message to one APIC. */
static void apic_accept(APICState *s, int dm, uint8_t vector, bool trigger_level)
{
    switch (dm) {
    case APIC_DM_FIXED:
    case APIC_DM_LOWEST:
        pthread_mutex_lock(&s->lock);
        apic_set_irr_locked(s, vector, trigger_level);
        apic_update_irq(s);
        pthread_mutex_unlock(&s->lock);
        break;
    case APIC_DM_NMI:
        cpu_interrupt(s->cpu, CPU_INTERRUPT_NMI);
        break;
    case APIC_DM_INIT:
        /* INIT resets the APIC but its ID and base (§11.4.7.3), then the core */
        pthread_mutex_lock(&s->lock);
        apic_reset_locked(s, false);
        apic_update_irq(s);
        pthread_mutex_unlock(&s->lock);
        reemu_solo_end(); /* record/replay: another core may run from here */
        cpu_interrupt(s->cpu, CPU_INTERRUPT_INIT);
        break;
    case APIC_DM_SIPI:
        reemu_solo_end();
        x86_cpu_set_sipi_vector(s->cpu, vector);
        cpu_interrupt(s->cpu, CPU_INTERRUPT_SIPI);
        break;
    case APIC_DM_EXTINT:
        pthread_mutex_lock(&s->lock);
        s->extint_msg = true;
        apic_update_irq(s);
        pthread_mutex_unlock(&s->lock);
        break;
    default: /* SMI and reserved: no SMM here */
        log_mask_printf(LOG_UNIMP, "apic: delivery mode %d to APIC %u ignored\n", dm, s->id);
        break;
    }
}

/* Route a message; self (may be NULL) and shorthand as in the ICR. */
static void apic_route(APICBus *bus, APICState *self, int shorthand, uint32_t dest,
                       bool logical, bool x2apic_fmt, int dm, uint8_t vector,
                       bool trigger_level)
{
    switch (shorthand) {
    case SH_SELF:
        if (self) {
            apic_accept(self, dm, vector, trigger_level);
        }
        return;
    case SH_ALL:
    case SH_ALL_BUT_SELF:
        for (int i = 0; i < bus->n; i++) {
            APICState *t = bus->by_id[i];
            if (shorthand == SH_ALL_BUT_SELF && t == self) {
                continue;
            }
            apic_accept(t, dm, vector, trigger_level);
        }
        return;
    default:
        break;
    }
    uint32_t bcast = x2apic_fmt ? 0xffffffffu : 0xffu;
    if (!logical && dest != bcast) {
        APICState *t = apic_get(bus, dest);
        if (t) {
            apic_accept(t, dm, vector, trigger_level);
        }
        return;
    }
    for (int i = 0; i < bus->n; i++) {
        APICState *t = bus->by_id[i];
        if (!apic_match_dest(t, dest, logical, x2apic_fmt)) {
            continue;
        }
        apic_accept(t, dm, vector, trigger_level);
        if (dm == APIC_DM_LOWEST) {
            return; /* lowest priority: the lowest-numbered target */
        }
    }
}

void apic_bus_deliver(APICBus *bus, uint32_t dest, bool logical, int delivery_mode,
                      uint8_t vector, bool trigger_level)
{
    if (!bus) {
        return;
    }
    apic_route(bus, NULL, SH_NONE, dest, logical, false, delivery_mode, vector,
               trigger_level);
}

void apic_msi_deliver(Machine *m, uint64_t addr, uint32_t data)
{
    APICBus *bus = apic_bus_of(m);
    if (!bus || (addr & 0xfff00000ull) != 0xfee00000ull) {
        log_mask_printf(LOG_GUEST_ERROR, "apic: MSI to 0x%" PRIx64 " dropped\n", addr);
        return;
    }
    /* SDM §11.11.1: address [19:12] destination, [2] DM; data [7:0] vector,
     * [10:8] delivery mode, [15] trigger mode */
    uint32_t dest = (uint32_t)(addr >> 12) & 0xff;
    bool logical = (addr >> 2) & 1;
    int dm = (int)((data >> 8) & 7);
    bool level = (data >> 15) & 1;
    apic_route(bus, NULL, SH_NONE, dest, logical, false, dm, (uint8_t)data, level);
}

void apic_bus_set_eoi_listener(APICBus *bus, void (*fn)(void *opaque, uint8_t vector),
                               void *opaque)
{
    bus->eoi_opaque = opaque;
    bus->eoi_fn = fn;
}

void apic_set_extint_source(APICBus *bus, int (*inta)(void *opaque), void *opaque)
{
    bus->inta_opaque = opaque;
    bus->inta = inta;
}

/* ------------------------------------------------------------ LINT0/1 */

void apic_set_lint(APICState *s, int lint, int level)
{
    if (lint < 0 || lint > 1) {
        return;
    }
    level = level != 0;
    pthread_mutex_lock(&s->lock);
    int old = s->lint_level[lint];
    s->lint_level[lint] = level;
    uint32_t l = s->lvt[LVT_LINT0 + lint];
    bool nmi = false;
    if (!(l & LVT_MASKED) && s->hw_enabled) {
        switch (LVT_DM(l)) {
        case APIC_DM_FIXED:
            /* edge: the rising edge; level: while asserted (§11.5.1) */
            if (level && (!old || (l & LVT_LEVEL))) {
                apic_set_irr_locked(s, (int)(l & 0xff), (l & LVT_LEVEL) != 0);
            }
            break;
        case APIC_DM_NMI:
            nmi = level && !old;
            break;
        default:
            break; /* ExtINT: apic_extint_wanted() reads the level */
        }
    }
    apic_update_irq(s);
    pthread_mutex_unlock(&s->lock);
    if (nmi) {
        cpu_interrupt(s->cpu, CPU_INTERRUPT_NMI);
    }
}

static void apic_lint_handler(void *opaque, int n, int level)
{
    apic_set_lint(opaque, n, level);
}

IRQLine apic_lint_line(APICState *s, int lint)
{
    return (IRQLine){ apic_lint_handler, s, lint };
}

/* ------------------------------------------------------------ INTA, EOI, TPR */

int apic_get_interrupt(APICState *s)
{
    pthread_mutex_lock(&s->lock);
    if (apic_extint_wanted(s)) {
        /* ExtINT: the 8259 supplies the vector (its INTA takes its own lock
         * and may call apic_set_lint: drop ours first) */
        s->extint_msg = false;
        APICBus *bus = s->bus;
        pthread_mutex_unlock(&s->lock);
        int v = bus->inta ? bus->inta(bus->inta_opaque) : -1;
        pthread_mutex_lock(&s->lock);
        apic_update_irq(s);
        uint32_t spurious = s->svr & 0xff;
        pthread_mutex_unlock(&s->lock);
        return v >= 0 ? v : (int)spurious;
    }
    int v = apic_deliverable(s);
    if (v < 0) {
        v = (int)(s->svr & 0xff); /* spurious (§11.9): not put in service */
    } else {
        vclr(s->irr, v);
        vset(s->isr, v);
    }
    apic_update_irq(s);
    pthread_mutex_unlock(&s->lock);
    return v;
}

static void apic_eoi(APICState *s)
{
    pthread_mutex_lock(&s->lock);
    int v = vhighest(s->isr);
    bool level = false;
    if (v >= 0) {
        vclr(s->isr, v);
        level = vtest(s->tmr, v);
    }
    apic_update_irq(s);
    pthread_mutex_unlock(&s->lock);
    /* EOI of a level-triggered interrupt is broadcast to the IOAPIC (§11.8.5) */
    APICBus *bus = s->bus;
    if (level && bus->eoi_fn) {
        bus->eoi_fn(bus->eoi_opaque, (uint8_t)v);
    }
}

static void apic_set_tpr(APICState *s, uint32_t tpr)
{
    pthread_mutex_lock(&s->lock);
    s->tpr = tpr & 0xff;
    apic_update_irq(s);
    pthread_mutex_unlock(&s->lock);
}

/* ------------------------------------------------------------ IPIs */

static void apic_send_ipi(APICState *s, uint32_t lo, uint32_t dest, bool x2apic_fmt)
{
    int dm = (int)ICR_DM(lo);
    uint8_t vector = (uint8_t)ICR_VECTOR(lo);
    if (dm == APIC_DM_INIT && !(lo & ICR_LEVEL_ASSERT) && (lo & ICR_TRIGGER_LEVEL)) {
        return; /* INIT level de-assert: arbitration IDs only (§11.6.1) */
    }
    if ((dm == APIC_DM_FIXED || dm == APIC_DM_LOWEST) && vector < 16) {
        pthread_mutex_lock(&s->lock);
        apic_error_locked(s, ESR_SEND_ILLEGAL_VECTOR);
        apic_update_irq(s);
        pthread_mutex_unlock(&s->lock);
        return;
    }
    apic_route(s->bus, s, (int)ICR_SHORTHAND(lo), dest, (lo & ICR_LOGICAL) != 0, x2apic_fmt,
               dm, vector, (lo & ICR_TRIGGER_LEVEL) != 0);
}

/* ------------------------------------------------------------ registers */

/* Read a 32-bit register at xAPIC offset reg (16-byte aligned); false if
 * it does not exist. x2: the x2APIC view. Lock held. */
static bool apic_reg_read_locked(APICState *s, uint32_t reg, bool x2, uint32_t *out)
{
    uint32_t v = 0;
    switch (reg) {
    case APIC_ID: v = x2 ? s->id : s->id << 24; break;
    case APIC_VERSION: v = APIC_VERSION_VALUE; break;
    case APIC_TPR: v = s->tpr; break;
    case APIC_APR: v = 0; break;
    case APIC_PPR: v = apic_ppr(s); break;
    case APIC_EOI: v = 0; break;
    case APIC_RRD: v = 0; break; /* remote read: never valid (xAPIC has none) */
    case APIC_LDR: v = s->ldr; break;
    case APIC_DFR:
        if (x2) {
            return false;
        }
        v = s->dfr;
        break;
    case APIC_SVR: v = s->svr; break;
    case APIC_ESR: v = s->esr; break;
    case APIC_LVT_CMCI: v = s->lvt_cmci; break;
    case APIC_ICR_LO: v = s->icr_lo & ~(1u << 12); break; /* delivery status: idle */
    case APIC_ICR_HI:
        if (x2) {
            return false;
        }
        v = s->icr_hi;
        break;
    case APIC_TIMER_ICR: v = s->timer_icr; break;
    case APIC_TIMER_CCR: v = timer_current_count(s, clock_ns()); break;
    case APIC_TIMER_DCR: v = s->timer_dcr; break;
    default:
        if (reg >= APIC_ISR && reg < APIC_ISR + 0x80) {
            v = s->isr[(reg - APIC_ISR) >> 4];
        } else if (reg >= APIC_TMR && reg < APIC_TMR + 0x80) {
            v = s->tmr[(reg - APIC_TMR) >> 4];
        } else if (reg >= APIC_IRR && reg < APIC_IRR + 0x80) {
            v = s->irr[(reg - APIC_IRR) >> 4];
        } else if (reg >= APIC_LVT_TIMER && reg <= APIC_LVT_ERROR) {
            v = s->lvt[(reg - APIC_LVT_TIMER) >> 4];
        } else {
            return false;
        }
        break;
    }
    *out = v;
    return true;
}

/* LVT writable bits per slot (§11.5.1 Figure 11-8) */
static uint32_t lvt_write_mask(int i)
{
    switch (i) {
    case LVT_TIMER: return 0x000710ffu | LVT_MASKED;  /* vector, mode [18:17], mask */
    case LVT_LINT0:
    case LVT_LINT1: return 0x0000a7ffu | LVT_MASKED;  /* vector, DM, polarity, trigger */
    case LVT_ERROR: return 0x000000ffu | LVT_MASKED;
    default: return 0x000007ffu | LVT_MASKED;         /* thermal, perf: vector, DM */
    }
}

/*
 * Write a register (not ICR/EOI/SELF_IPI, which the callers handle after
 * unlocking). Lock held. Returns false for a nonexistent or read-only one.
 */
static bool apic_reg_write_locked(APICState *s, uint32_t reg, uint32_t val, bool x2)
{
    uint64_t now;
    switch (reg) {
    case APIC_TPR:
        s->tpr = val & 0xff;
        break;
    case APIC_LDR:
        if (x2) {
            return false; /* read-only in x2APIC mode */
        }
        __atomic_store_n(&s->ldr, val & 0xff000000u, __ATOMIC_RELAXED);
        break;
    case APIC_DFR:
        if (x2) {
            return false;
        }
        __atomic_store_n(&s->dfr, val | 0x0fffffffu, __ATOMIC_RELAXED);
        break;
    case APIC_SVR:
        s->svr = val & 0x13ff; /* vector, enable [8], focus [9], EOI-suppress [12] */
        __atomic_store_n(&s->sw_enabled, (val & SVR_ENABLE) != 0, __ATOMIC_RELAXED);
        if (!(val & SVR_ENABLE)) {
            /* software disable masks every LVT (§11.4.7.2) */
            for (int i = 0; i < LVT_NUM; i++) {
                s->lvt[i] |= LVT_MASKED;
            }
            s->lvt_cmci |= LVT_MASKED;
        }
        break;
    case APIC_ESR:
        if (x2 && val != 0) {
            return false;
        }
        s->esr = s->esr_pending; /* a write latches the errors seen (§11.5.3) */
        s->esr_pending = 0;
        break;
    case APIC_LVT_CMCI:
        s->lvt_cmci = (val & (0x7ffu | LVT_MASKED)) | (s->sw_enabled ? 0 : LVT_MASKED);
        break;
    case APIC_ICR_HI:
        if (x2) {
            return false;
        }
        s->icr_hi = val & 0xff000000u;
        break;
    case APIC_TIMER_ICR:
        if (LVT_TIMER_MODE(s->lvt[LVT_TIMER]) == TIMER_TSC_DEADLINE) {
            break; /* ignored in TSC-deadline mode (§11.5.4.1) */
        }
        now = clock_ns();
        s->timer_icr = val;
        s->timer_start_ns = now;
        apic_timer_program_locked(s, now);
        break;
    case APIC_TIMER_DCR: {
        now = clock_ns();
        /* keep the current count: restart from it at the new rate */
        uint32_t cur = timer_current_count(s, now);
        s->timer_dcr = val & 0xb;
        if (s->timer_expiry_ns && cur) {
            s->timer_start_ns = now - (uint64_t)(s->timer_icr - cur) * timer_divisor(s);
            apic_timer_arm_locked(s, now + (uint64_t)cur * timer_divisor(s));
        }
        break;
    }
    default:
        if (reg >= APIC_LVT_TIMER && reg <= APIC_LVT_ERROR) {
            int i = (int)(reg - APIC_LVT_TIMER) >> 4;
            uint32_t old = s->lvt[i];
            uint32_t v = val & lvt_write_mask(i);
            if (!s->sw_enabled) {
                v |= LVT_MASKED; /* cannot unmask while software-disabled */
            }
            if (i == LVT_TIMER && LVT_TIMER_MODE(v) == 3) {
                v &= ~(3u << 17); /* reserved mode: one-shot */
            }
            s->lvt[i] = v;
            if (i == LVT_TIMER && LVT_TIMER_MODE(old) != LVT_TIMER_MODE(v)) {
                /* a mode change stops the timer (§11.5.4.1) */
                s->timer_icr = 0;
                if (LVT_TIMER_MODE(v) == TIMER_TSC_DEADLINE) {
                    apic_timer_program_locked(s, clock_ns());
                } else {
                    apic_timer_stop_locked(s);
                }
            }
            break;
        }
        return false; /* ID, version, PPR, ISR, TMR, IRR, CCR: read-only */
    }
    return true;
}

static uint64_t apic_mmio_read_locked_reg(APICState *s, uint32_t reg)
{
    uint32_t v = 0;
    pthread_mutex_lock(&s->lock);
    if (!apic_reg_read_locked(s, reg, false, &v)) {
        apic_error_locked(s, ESR_ILLEGAL_REGISTER);
        apic_update_irq(s);
        v = 0;
    }
    pthread_mutex_unlock(&s->lock);
    return v;
}

uint64_t apic_mmio_read_cpu(APICState *s, uint64_t offset, unsigned size)
{
    if (__atomic_load_n(&s->x2apic, __ATOMIC_RELAXED) ||
        !__atomic_load_n(&s->hw_enabled, __ATOMIC_RELAXED)) {
        return 0; /* the xAPIC window is off in x2APIC mode and when disabled */
    }
    uint32_t reg = (uint32_t)offset & 0xff0;
    uint64_t v = apic_mmio_read_locked_reg(s, reg);
    unsigned sh = ((unsigned)offset & 3) * 8;
    v >>= sh;
    if (size < 4) {
        v &= (1ull << (size * 8)) - 1;
    }
    return v;
}

void apic_mmio_write_cpu(APICState *s, uint64_t offset, uint64_t val, unsigned size)
{
    if (__atomic_load_n(&s->x2apic, __ATOMIC_RELAXED) ||
        !__atomic_load_n(&s->hw_enabled, __ATOMIC_RELAXED)) {
        return;
    }
    uint32_t reg = (uint32_t)offset & 0xff0;
    uint32_t v = (uint32_t)val;
    if (size < 4 || (offset & 3)) {
        /* narrow writes: merge into the register (guests write 32 bits) */
        uint32_t old = (uint32_t)apic_mmio_read_locked_reg(s, reg);
        unsigned sh = ((unsigned)offset & 3) * 8;
        uint32_t mask = (size >= 4 ? 0xffffffffu : ((1u << (size * 8)) - 1)) << sh;
        v = (old & ~mask) | (((uint32_t)val << sh) & mask);
    }
    switch (reg) {
    case APIC_EOI:
        apic_eoi(s);
        return;
    case APIC_ICR_LO: {
        pthread_mutex_lock(&s->lock);
        s->icr_lo = v & 0x000ccfffu;
        uint32_t dest = s->icr_hi >> 24;
        pthread_mutex_unlock(&s->lock);
        apic_send_ipi(s, v, dest, false);
        return;
    }
    default:
        break;
    }
    pthread_mutex_lock(&s->lock);
    if (!apic_reg_write_locked(s, reg, v, false)) {
        apic_error_locked(s, ESR_ILLEGAL_REGISTER);
    }
    apic_update_irq(s);
    pthread_mutex_unlock(&s->lock);
}

/* The core calling from this thread (see the file comment). */
static __thread const TCGContext *cur_ctx;
static __thread APICState *cur_apic;

static APICState *apic_current(APICBus *bus)
{
    const TCGContext *ctx = tcg_ctx;
    if (ctx && ctx == cur_ctx && cur_apic && cur_apic->bus == bus) {
        return cur_apic;
    }
    if (ctx) {
        for (int i = 0; i < bus->n; i++) {
            if (bus->by_id[i]->cpu->tcg == ctx) {
                cur_ctx = ctx;
                cur_apic = bus->by_id[i];
                return cur_apic;
            }
        }
    }
    return bus->n ? bus->by_id[0] : NULL;
}

static uint64_t apic_mmio_read(void *opaque, uint64_t offset, unsigned size)
{
    APICState *s = apic_current(opaque);
    return s ? apic_mmio_read_cpu(s, offset, size) : 0;
}

static void apic_mmio_write(void *opaque, uint64_t offset, uint64_t val, unsigned size)
{
    APICState *s = apic_current(opaque);
    if (s) {
        apic_mmio_write_cpu(s, offset, val, size);
    }
}

const MemoryRegionOps apic_mmio_ops = {
    .read = apic_mmio_read,
    .write = apic_mmio_write,
    .min_access = 1,
    .max_access = 4,
};

/* ------------------------------------------------------------ MSRs */

bool apic_rdmsr(APICState *s, uint32_t msr, uint64_t *val)
{
    if (msr == MSR_IA32_TSC_DEADLINE) {
        pthread_mutex_lock(&s->lock);
        *val = LVT_TIMER_MODE(s->lvt[LVT_TIMER]) == TIMER_TSC_DEADLINE ? s->tsc_deadline : 0;
        pthread_mutex_unlock(&s->lock);
        return true;
    }
    if (msr < 0x800 || msr > 0x8ff || !__atomic_load_n(&s->x2apic, __ATOMIC_RELAXED)) {
        return false;
    }
    uint32_t reg = (msr - 0x800) << 4;
    if (reg == APIC_EOI || reg == APIC_SELF_IPI) {
        return false; /* write-only */
    }
    uint32_t v = 0;
    pthread_mutex_lock(&s->lock);
    bool ok = apic_reg_read_locked(s, reg, true, &v);
    uint64_t hi = (reg == APIC_ICR_LO) ? (uint64_t)s->icr_hi << 32 : 0;
    pthread_mutex_unlock(&s->lock);
    *val = hi | v;
    return ok;
}

bool apic_wrmsr(APICState *s, uint32_t msr, uint64_t val)
{
    if (msr == MSR_IA32_TSC_DEADLINE) {
        pthread_mutex_lock(&s->lock);
        if (LVT_TIMER_MODE(s->lvt[LVT_TIMER]) == TIMER_TSC_DEADLINE) {
            s->tsc_deadline = val;
            apic_timer_program_locked(s, clock_ns());
        }
        pthread_mutex_unlock(&s->lock);
        return true;
    }
    if (msr < 0x800 || msr > 0x8ff || !__atomic_load_n(&s->x2apic, __ATOMIC_RELAXED)) {
        return false;
    }
    uint32_t reg = (msr - 0x800) << 4;
    switch (reg) {
    case APIC_EOI:
        if (val != 0) {
            return false; /* §11.12.1.2: a non-zero EOI write #GPs */
        }
        apic_eoi(s);
        return true;
    case APIC_SELF_IPI:
        apic_accept(s, APIC_DM_FIXED, (uint8_t)val, false);
        return true;
    case APIC_ICR_LO: {
        uint32_t lo = (uint32_t)val & 0x000ccfffu;
        uint32_t dest = (uint32_t)(val >> 32);
        pthread_mutex_lock(&s->lock);
        s->icr_lo = lo;
        s->icr_hi = dest;
        pthread_mutex_unlock(&s->lock);
        apic_send_ipi(s, lo, dest, true);
        return true;
    }
    default:
        break;
    }
    if (val >> 32) {
        return false;
    }
    pthread_mutex_lock(&s->lock);
    bool ok = apic_reg_write_locked(s, reg, (uint32_t)val, true);
    apic_update_irq(s);
    pthread_mutex_unlock(&s->lock);
    return ok;
}

void apic_set_base(APICState *s, uint64_t val)
{
    pthread_mutex_lock(&s->lock);
    bool en = (val & APICBASE_EN) != 0;
    bool extd = en && (val & APICBASE_EXTD);
    bool was_en = s->hw_enabled;
    s->base = val;
    if (!en) {
        /* global disable: the APIC returns to its power-up state (§11.4.3) */
        __atomic_store_n(&s->x2apic, false, __ATOMIC_RELAXED);
        __atomic_store_n(&s->hw_enabled, false, __ATOMIC_RELAXED);
        if (was_en) {
            apic_reset_locked(s, false);
        }
    } else {
        __atomic_store_n(&s->hw_enabled, true, __ATOMIC_RELAXED);
        if (extd && !s->x2apic) {
            /* entering x2APIC mode: the logical ID is derived from the ID
             * (§11.12.10.2) */
            __atomic_store_n(&s->x2apic, true, __ATOMIC_RELAXED);
            __atomic_store_n(&s->ldr, ((s->id & 0xffff0u) << 12) | (1u << (s->id & 0xf)),
                             __ATOMIC_RELAXED);
        } else if (!extd && s->x2apic) {
            /* x2APIC -> xAPIC is an invalid transition (#GP on hardware);
             * the CPU has accepted it: treat as xAPIC after a reset */
            __atomic_store_n(&s->x2apic, false, __ATOMIC_RELAXED);
            apic_reset_locked(s, false);
        }
    }
    apic_update_irq(s);
    pthread_mutex_unlock(&s->lock);
}

/* ------------------------------------------------------------ CPU hooks */

static bool hook_rdmsr(void *opaque, CPUState *cpu, uint32_t msr, uint64_t *val)
{
    return apic_rdmsr(opaque, msr, val);
}

static bool hook_wrmsr(void *opaque, CPUState *cpu, uint32_t msr, uint64_t val)
{
    return apic_wrmsr(opaque, msr, val);
}

static void hook_set_base(void *opaque, CPUState *cpu, uint64_t val)
{
    apic_set_base(opaque, val);
}

static void hook_set_tpr(void *opaque, CPUState *cpu, uint8_t cr8)
{
    apic_set_tpr(opaque, (uint32_t)(cr8 & 0xf) << 4);
}

static uint8_t hook_get_tpr(void *opaque, CPUState *cpu)
{
    APICState *s = opaque;
    pthread_mutex_lock(&s->lock);
    uint8_t v = (uint8_t)(s->tpr >> 4);
    pthread_mutex_unlock(&s->lock);
    return v;
}

static int hook_get_interrupt(void *opaque, CPUState *cpu)
{
    return apic_get_interrupt(opaque);
}

/* ------------------------------------------------------------ creation */

APICBus *apic_init(Machine *m)
{
    APICBus *bus = calloc(1, sizeof(*bus));
    if (!bus) {
        fatal("out of memory");
    }
    bus->m = m;
    bus->n = m->ncpus;
    bus->by_id = calloc((size_t)m->ncpus, sizeof(*bus->by_id));
    if (!bus->by_id) {
        fatal("out of memory");
    }
    for (int i = 0; i < m->ncpus; i++) {
        APICState *s = calloc(1, sizeof(*s));
        if (!s) {
            fatal("out of memory");
        }
        pthread_mutex_init(&s->lock, NULL);
        s->bus = bus;
        s->cpu = m->cpus[i];
        s->id = (uint32_t)m->cpus[i]->cpu_index;
        s->timer = host_timer_new(apic_timer_cb, s);
        if (s->id >= (uint32_t)bus->n || bus->by_id[s->id]) {
            fatal("apic: core %d has an unexpected index", i);
        }
        bus->by_id[s->id] = s;
        apic_power_on(s);
        X86ApicHooks h = {
            .rdmsr = hook_rdmsr,
            .wrmsr = hook_wrmsr,
            .set_base = hook_set_base,
            .set_tpr = hook_set_tpr,
            .get_tpr = hook_get_tpr,
            .get_interrupt = hook_get_interrupt,
            .opaque = s,
        };
        x86_cpu_set_apic_hooks(s->cpu, &h);
    }
    pthread_mutex_lock(&registry_lock);
    int slot = -1;
    for (int i = 0; i < MAX_BUSES; i++) {
        if (!registry[i]) {
            slot = i;
            break;
        }
    }
    if (slot < 0) {
        fatal("apic: too many machines");
    }
    __atomic_store_n(&registry[slot], bus, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&registry_lock);
    return bus;
}

void apic_bus_free(APICBus *bus)
{
    if (!bus) {
        return;
    }
    pthread_mutex_lock(&registry_lock);
    for (int i = 0; i < MAX_BUSES; i++) {
        if (registry[i] == bus) {
            __atomic_store_n(&registry[i], NULL, __ATOMIC_RELEASE);
        }
    }
    pthread_mutex_unlock(&registry_lock);
    for (int i = 0; i < bus->n; i++) {
        APICState *s = bus->by_id[i];
        x86_cpu_set_apic_hooks(s->cpu, NULL);
        host_timer_free(s->timer);
        pthread_mutex_destroy(&s->lock);
        free(s);
    }
    free(bus->by_id);
    free(bus);
}
