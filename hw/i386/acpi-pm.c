/*
 * acpi-pm.c — ACPI fixed hardware of the pc machine (ACPI 6.4 section 4.8):
 * PM1a event and control blocks, the PM timer and an empty GPE0 block, in
 * one port range (layout in acpi-pm.h; the FADT describes the same).
 *
 * ACPI is always enabled: the FADT has no SMI_CMD, so PM1_CNT.SCI_EN reads
 * 1 and cannot be cleared (4.8.2.1.2, 5.2.9). Registers are kept as 16-bit
 * values and accessed bytewise, so any 1/2/4-byte access at any offset
 * works; a write is applied whole before its side effects (SLP_EN) run, as
 * the guest writes SLP_TYP and SLP_EN in one access (7.4.2, 16.1.3).
 *
 * The PM timer (4.8.2.1) counts at 3.579545 MHz from the host monotonic
 * clock: ticks = (now - base) * 3579545 / 1e9, 32 bits wide (FADT
 * TMR_VAL_EXT). TMR_STS latches when bit 31 toggles (checked on every
 * access); a host timer armed for the next toggle raises the SCI while
 * TMR_EN is set. Everything is under
 * one mutex; the SCI line is driven only on level changes.
 */
#include "hw/i386/acpi-pm.h"

#include <pthread.h>
#include <stdlib.h>

#include "system/timer.h"
#include "util/log.h"

/* PM1_STS / PM1_EN bits (4.8.3.1.1, 4.8.3.1.2) */
#define PM1_TMR       (1u << 0)
#define PM1_BM_STS    (1u << 4)
#define PM1_GBL       (1u << 5)
#define PM1_PWRBTN    (1u << 8)
#define PM1_SLPBTN    (1u << 9)
#define PM1_RTC       (1u << 10)
#define PM1_PCIEXP    (1u << 14)
#define PM1_WAK_STS   (1u << 15)
#define PM1_STS_MASK  (PM1_TMR | PM1_BM_STS | PM1_GBL | PM1_PWRBTN | PM1_SLPBTN | \
                       PM1_RTC | PM1_PCIEXP | PM1_WAK_STS)
#define PM1_EN_MASK   (PM1_TMR | PM1_GBL | PM1_PWRBTN | PM1_SLPBTN | PM1_RTC | PM1_PCIEXP)
/* events that raise the SCI when enabled (PCIEXP_WAKE_DIS is a disable bit) */
#define PM1_SCI_EVENTS (PM1_TMR | PM1_GBL | PM1_PWRBTN | PM1_SLPBTN | PM1_RTC)

/* PM1_CNT bits (4.8.3.2.1) */
#define CNT_SCI_EN    (1u << 0)
#define CNT_BM_RLD    (1u << 1)
#define CNT_GBL_RLS   (1u << 2)  /* write-only */
#define CNT_SLP_TYP_SHIFT 10
#define CNT_SLP_TYP   (7u << CNT_SLP_TYP_SHIFT)
#define CNT_SLP_EN    (1u << 13) /* write-only */

#define TMR_MSB       (1ull << 31)

struct AcpiPM {
    pthread_mutex_t lock;
    Machine *m;
    IRQLine sci;
    bool has_sci;
    int sci_level;
    uint16_t pm1_sts, pm1_en, pm1_cnt;
    uint16_t gpe0_sts, gpe0_en;
    uint64_t base_ns;      /* clock value at which the timer read 0 */
    uint64_t tmr_epoch;    /* ticks >> 31 when TMR_STS was last brought up to date */
    uint64_t (*now)(void *);
    void *now_opaque;
    HostTimer *tmr_timer;  /* created on first TMR_EN */
};

static uint64_t default_now(void *opaque)
{
    return clock_ns();
}

static uint64_t ticks_locked(AcpiPM *pm)
{
    uint64_t ns = pm->now(pm->now_opaque) - pm->base_ns;
    /* 128-bit product: ns * 3579545 passes 2^64 after ~85 minutes */
    return (uint64_t)(((unsigned __int128)ns * ACPI_PM_TMR_HZ) / 1000000000u);
}

/* Latch TMR_STS if bit 31 of the counter toggled since the last look. */
static void tmr_update_locked(AcpiPM *pm)
{
    uint64_t epoch = ticks_locked(pm) >> 31;
    if (epoch != pm->tmr_epoch) {
        pm->tmr_epoch = epoch;
        pm->pm1_sts |= PM1_TMR;
    }
}

static void sci_update_locked(AcpiPM *pm)
{
    int level = (pm->pm1_sts & pm->pm1_en & PM1_SCI_EVENTS) != 0 ||
                (pm->gpe0_sts & pm->gpe0_en) != 0;
    if (level != pm->sci_level) {
        pm->sci_level = level;
        if (pm->has_sci) {
            irq_set(&pm->sci, level);
        }
    }
}

static void tmr_arm_locked(AcpiPM *pm)
{
    if (!(pm->pm1_en & PM1_TMR)) {
        if (pm->tmr_timer) {
            host_timer_del(pm->tmr_timer);
        }
        return;
    }
    if (!pm->tmr_timer) {
        return; /* created by the caller outside the lock */
    }
    /* how long until the counter reaches the next multiple of 2^31, measured
       on the PM clock and applied to the host clock (they differ in tests) */
    uint64_t next = (pm->tmr_epoch + 1) << 31;
    uint64_t at_ns = (uint64_t)(((unsigned __int128)next * 1000000000u + ACPI_PM_TMR_HZ - 1) /
                                ACPI_PM_TMR_HZ);
    uint64_t elapsed = pm->now(pm->now_opaque) - pm->base_ns;
    uint64_t delta = at_ns > elapsed ? at_ns - elapsed : 0;
    host_timer_mod(pm->tmr_timer, clock_ns() + delta);
}

static void tmr_fire(void *opaque)
{
    AcpiPM *pm = opaque;
    pthread_mutex_lock(&pm->lock);
    tmr_update_locked(pm);
    sci_update_locked(pm);
    tmr_arm_locked(pm);
    pthread_mutex_unlock(&pm->lock);
}

AcpiPM *acpi_pm_create(Machine *m, const IRQLine *sci)
{
    AcpiPM *pm = calloc(1, sizeof(*pm));
    if (!pm) {
        fatal("out of memory");
    }
    pthread_mutex_init(&pm->lock, NULL);
    pm->m = m;
    if (sci) {
        pm->sci = *sci;
        pm->has_sci = true;
    }
    pm->now = default_now;
    pm->base_ns = clock_ns();
    pm->pm1_cnt = CNT_SCI_EN;
    return pm;
}

void acpi_pm_free(AcpiPM *pm)
{
    if (!pm) {
        return;
    }
    if (pm->tmr_timer) {
        host_timer_free(pm->tmr_timer);
    }
    pthread_mutex_destroy(&pm->lock);
    free(pm);
}

void acpi_pm_set_clock(AcpiPM *pm, uint64_t (*now_ns)(void *), void *opaque)
{
    pthread_mutex_lock(&pm->lock);
    pm->now = now_ns ? now_ns : default_now;
    pm->now_opaque = opaque;
    pm->base_ns = pm->now(pm->now_opaque);
    pm->tmr_epoch = 0;
    pthread_mutex_unlock(&pm->lock);
}

void acpi_pm_reset(AcpiPM *pm)
{
    pthread_mutex_lock(&pm->lock);
    tmr_update_locked(pm);
    pm->pm1_sts = 0;
    pm->pm1_en = 0;
    pm->pm1_cnt = CNT_SCI_EN;
    pm->gpe0_sts = 0;
    pm->gpe0_en = 0;
    tmr_arm_locked(pm);
    sci_update_locked(pm);
    pthread_mutex_unlock(&pm->lock);
}

void acpi_pm_power_button(AcpiPM *pm)
{
    pthread_mutex_lock(&pm->lock);
    pm->pm1_sts |= PM1_PWRBTN;
    sci_update_locked(pm);
    pthread_mutex_unlock(&pm->lock);
}

/* One byte of the register file as the guest sees it; tmr is the counter
 * value sampled once for the whole access. */
static uint8_t read_byte_locked(AcpiPM *pm, unsigned off, uint32_t tmr)
{
    uint16_t v16;
    switch (off & ~1u) {
    case ACPI_PM1_EVT_OFF:
        v16 = pm->pm1_sts;
        break;
    case ACPI_PM1_EVT_OFF + 2:
        v16 = pm->pm1_en;
        break;
    case ACPI_PM1_CNT_OFF:
        v16 = pm->pm1_cnt; /* SLP_EN and GBL_RLS are write-only: never stored */
        break;
    case ACPI_PM_TMR_OFF:
        return (uint8_t)(tmr >> (8 * (off - ACPI_PM_TMR_OFF)));
    case ACPI_PM_TMR_OFF + 2:
        return (uint8_t)(tmr >> (8 * (off - ACPI_PM_TMR_OFF)));
    case ACPI_GPE0_OFF:
        v16 = pm->gpe0_sts;
        break;
    case ACPI_GPE0_OFF + 2:
        v16 = pm->gpe0_en;
        break;
    default:
        return 0; /* unimplemented parts of the range read 0 */
    }
    return (uint8_t)(v16 >> (8 * (off & 1)));
}

/*
 * Apply one byte of a write; side effects that need the whole access
 * (sleep entry) are returned in *cnt_written.
 */
static void write_byte_locked(AcpiPM *pm, unsigned off, uint8_t b, uint16_t *cnt_written,
                              bool *cnt_hit)
{
    unsigned shift = 8 * (off & 1);
    uint16_t bits = (uint16_t)(b << shift);
    uint16_t mask = (uint16_t)(0xff << shift);
    switch (off & ~1u) {
    case ACPI_PM1_EVT_OFF:
        pm->pm1_sts &= (uint16_t)~(bits & PM1_STS_MASK); /* write 1 to clear */
        break;
    case ACPI_PM1_EVT_OFF + 2:
        pm->pm1_en = (uint16_t)((pm->pm1_en & ~mask) | (bits & PM1_EN_MASK));
        break;
    case ACPI_PM1_CNT_OFF:
        *cnt_written = (uint16_t)((*cnt_written & ~mask) | bits);
        *cnt_hit = true;
        break;
    case ACPI_GPE0_OFF:
        pm->gpe0_sts &= (uint16_t)~bits; /* write 1 to clear */
        break;
    case ACPI_GPE0_OFF + 2:
        pm->gpe0_en = (uint16_t)((pm->gpe0_en & ~mask) | bits);
        break;
    default:
        break; /* the timer and unimplemented bytes are read-only */
    }
}

static uint64_t acpi_pm_read(void *opaque, uint64_t offset, unsigned size)
{
    AcpiPM *pm = opaque;
    pthread_mutex_lock(&pm->lock);
    tmr_update_locked(pm);
    uint32_t tmr = (uint32_t)ticks_locked(pm);
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)read_byte_locked(pm, (unsigned)offset + i, tmr) << (8 * i);
    }
    sci_update_locked(pm);
    pthread_mutex_unlock(&pm->lock);
    return v;
}

static void acpi_pm_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    AcpiPM *pm = opaque;
    bool poweroff = false;
    bool want_timer = false;
    pthread_mutex_lock(&pm->lock);
    tmr_update_locked(pm);
    uint16_t cnt = pm->pm1_cnt;
    bool cnt_hit = false;
    for (unsigned i = 0; i < size; i++) {
        write_byte_locked(pm, (unsigned)offset + i, (uint8_t)(value >> (8 * i)), &cnt,
                          &cnt_hit);
    }
    if (cnt_hit) {
        /* SCI_EN stays 1; BM_RLD and SLP_TYP are stored; SLP_EN acts (4.8.3.2.1) */
        pm->pm1_cnt = (uint16_t)(CNT_SCI_EN | (cnt & (CNT_BM_RLD | CNT_SLP_TYP)));
        if (cnt & CNT_SLP_EN) {
            unsigned typ = (cnt & CNT_SLP_TYP) >> CNT_SLP_TYP_SHIFT;
            if (typ == ACPI_SLP_TYP_S5) {
                poweroff = true;
            } else {
                /* no other sleep state is offered (the DSDT has only \_S5):
                   wake at once so a guest that tries does not wait forever */
                log_mask_printf(LOG_UNIMP, "acpi-pm: sleep type %u not implemented\n", typ);
                pm->pm1_sts |= PM1_WAK_STS;
            }
        }
    }
    want_timer = (pm->pm1_en & PM1_TMR) && !pm->tmr_timer;
    tmr_arm_locked(pm);
    sci_update_locked(pm);
    pthread_mutex_unlock(&pm->lock);
    if (want_timer) {
        /* created unlocked: host_timer_new may start the timer thread */
        HostTimer *t = host_timer_new(tmr_fire, pm);
        pthread_mutex_lock(&pm->lock);
        if (!pm->tmr_timer) {
            pm->tmr_timer = t;
            t = NULL;
        }
        tmr_arm_locked(pm);
        pthread_mutex_unlock(&pm->lock);
        if (t) {
            host_timer_free(t);
        }
    }
    if (poweroff && pm->m) {
        /* 7.4.2 \_S5: soft off; the emulator exits with status 0 */
        machine_request_shutdown(pm->m, 1, 0);
    }
}

const MemoryRegionOps acpi_pm_ops = {
    .read = acpi_pm_read,
    .write = acpi_pm_write,
    .min_access = 1,
    .max_access = 4,
};
