/*
 * arm_gicv3_cpuif.c — the GICv3 CPU interface: ICC_*_EL1 system registers
 * (Arm IHI 0069 §12.2), reached from the CPU through the ARMGicCpuIf hook.
 *
 * Priority model (§4.8): 5 priority bits, so 32 priority levels; the active
 * priorities of each group are a 32-bit map in apr[] (ICC_AP0R0/ICC_AP1R0,
 * bit = priority >> 3) and the running priority is the highest of them.
 * Acknowledge (IAR1) moves the highest-priority pending interrupt to active
 * and sets its group priority's bit; EOIR1 drops the running priority and,
 * with ICC_CTLR_EL1.EOImode = 0, deactivates the interrupt (else ICC_DIR does).
 * Group 0 (signalled as FIQ) uses IAR0/HPPIR0/EOIR0 and BPR0; Group 1 (IRQ)
 * the *1 registers. Security is disabled (GICD_CTLR.DS=1).
 */
#include "hw/intc/arm_gicv3_internal.h"

#include "util/log.h"

#define ICC_CTLR_CBPR (1u << 0)
#define ICC_CTLR_EOIMODE (1u << 1)
#define ICC_CTLR_PMHE (1u << 6)
#define ICC_CTLR_RO ((4u << 8) /* PRIbits: 5 bits */ | (1u << 15) /* A3V */ | (1u << 18) /* RSS */)

void gicv3_cpuif_reset(GICv3CPU *c)
{
    c->pmr = 0;
    c->bpr0 = 2; /* minimum binary points for 5 priority bits */
    c->bpr1 = 3;
    c->icc_ctlr = 0;
    c->grpen0 = c->grpen1 = false;
    c->apr[0] = c->apr[1] = 0;
}

static uint64_t acknowledge(GICv3State *s, int cpu, int group)
{
    GICv3CPU *c = &s->cpu[cpu];
    uint8_t prio;
    int irq = gicv3_hppi(s, cpu, group, &prio);
    uint8_t gprio = group ? gicv3_gprio1(c, prio) : gicv3_gprio0(c, prio);
    if (irq == GICV3_INTID_SPURIOUS || !(group ? c->grpen1 : c->grpen0) || prio >= c->pmr ||
        gprio >= gicv3_running_prio(c)) {
        return GICV3_INTID_SPURIOUS;
    }
    GICv3Words w = gicv3_words(s, cpu, irq);
    *w.pend &= ~(1u << (irq % 32)); /* a level interrupt stays pending while its line is high */
    gicv3_set_active(s, cpu, irq, true);
    c->apr[group] |= 1u << (gprio >> 3);
    gicv3_mark(s, cpu);
    return (uint64_t)irq;
}

/* Priority drop (§4.1.1): clear the highest active priority. */
static void drop_priority(GICv3CPU *c)
{
    uint32_t ap = c->apr[0] | c->apr[1];
    if (ap) {
        uint32_t bit = ap & -ap;
        c->apr[0] &= ~bit;
        c->apr[1] &= ~bit;
    }
}

static void deactivate(GICv3State *s, int cpu, uint64_t val)
{
    int intid = (int)(val & 0xffffff);
    if (intid < s->num_irq) {
        gicv3_set_active(s, cpu, intid, false);
    }
}

/* ICC_SGI1R_EL1 / ICC_ASGI1R_EL1 / ICC_SGI0R_EL1 (§12.2.21): make an SGI pending. */
static void generate_sgi(GICv3State *s, int cpu, uint64_t val)
{
    int intid = (int)((val >> 24) & 0xf);
    bool all_but_self = (val >> 40) & 1; /* IRM */
    uint32_t aff321 = (uint32_t)(((val >> 48) & 0xff) << 16 | ((val >> 32) & 0xff) << 8 |
                                 ((val >> 16) & 0xff));
    unsigned rs = (val >> 44) & 0xf;
    uint32_t targets = val & 0xffff;
    for (int i = 0; i < s->ncpus; i++) {
        uint32_t aff = s->cpu[i].affinity;
        if (all_but_self) {
            if (i == cpu) {
                continue;
            }
        } else if ((aff >> 8) != aff321 || ((aff & 0xff) >> 4) != rs ||
                   !(targets & (1u << (aff & 0xf)))) {
            continue;
        }
        s->cpu[i].pend |= 1u << intid;
        gicv3_mark(s, i);
    }
}

static bool cpuif_write(GICv3State *s, int cpu, uint32_t reg, uint64_t val)
{
    GICv3CPU *c = &s->cpu[cpu];
    switch (reg) {
    case ICC_PMR_EL1:
        c->pmr = (uint8_t)val & GIC_PRIO_MASK;
        break;
    case ICC_BPR0_EL1:
        c->bpr0 = (val & 7) < 2 ? 2 : (val & 7);
        break;
    case ICC_BPR1_EL1:
        if (c->icc_ctlr & ICC_CTLR_CBPR) {
            break; /* BPR1 aliases BPR0 and is read-only here */
        }
        c->bpr1 = (val & 7) < 3 ? 3 : (val & 7);
        break;
    case ICC_EOIR1_EL1:
    case ICC_EOIR0_EL1:
        if ((val & 0xffffff) >= 1020) {
            return true; /* special INTIDs: no effect */
        }
        drop_priority(c);
        if (!(c->icc_ctlr & ICC_CTLR_EOIMODE)) {
            deactivate(s, cpu, val);
        }
        break;
    case ICC_DIR_EL1:
        deactivate(s, cpu, val);
        break;
    case ICC_SGI1R_EL1:
    case ICC_ASGI1R_EL1:
    case ICC_SGI0R_EL1:
        generate_sgi(s, cpu, val);
        break;
    case ICC_CTLR_EL1:
        c->icc_ctlr = (uint32_t)val & (ICC_CTLR_CBPR | ICC_CTLR_EOIMODE | ICC_CTLR_PMHE);
        break;
    case ICC_SRE_EL1:
        break; /* SRE, DFB, DIB are RAO/WI: system-register access only */
    case ICC_IGRPEN0_EL1:
        c->grpen0 = val & 1;
        break;
    case ICC_IGRPEN1_EL1:
        c->grpen1 = val & 1;
        break;
    case ICC_AP0R0_EL1:
        c->apr[0] = (uint32_t)val;
        break;
    case ICC_AP1R0_EL1:
        c->apr[1] = (uint32_t)val;
        break;
    case ICC_AP0R0_EL1 + 1: case ICC_AP0R0_EL1 + 2: case ICC_AP0R0_EL1 + 3:
    case ICC_AP1R0_EL1 + 1: case ICC_AP1R0_EL1 + 2: case ICC_AP1R0_EL1 + 3:
        break; /* not needed with 5 priority bits: RAZ/WI */
    case ICC_IAR0_EL1: case ICC_IAR1_EL1: case ICC_HPPIR0_EL1: case ICC_HPPIR1_EL1:
    case ICC_RPR_EL1:
        log_mask_printf(LOG_GUEST_ERROR, "gicv3: write to a read-only ICC register\n");
        break;
    default:
        return false;
    }
    gicv3_mark(s, cpu);
    return true;
}

static bool cpuif_read(GICv3State *s, int cpu, uint32_t reg, uint64_t *val)
{
    GICv3CPU *c = &s->cpu[cpu];
    uint8_t prio;
    switch (reg) {
    case ICC_PMR_EL1: *val = c->pmr; break;
    case ICC_BPR0_EL1: *val = c->bpr0; break;
    case ICC_BPR1_EL1:
        *val = (c->icc_ctlr & ICC_CTLR_CBPR) ? (c->bpr0 + 1u > 7 ? 7 : c->bpr0 + 1u) : c->bpr1;
        break;
    case ICC_IAR1_EL1: *val = acknowledge(s, cpu, 1); break;
    case ICC_IAR0_EL1: *val = acknowledge(s, cpu, 0); break;
    case ICC_HPPIR1_EL1: *val = (uint64_t)gicv3_hppi(s, cpu, 1, &prio); break;
    case ICC_HPPIR0_EL1: *val = (uint64_t)gicv3_hppi(s, cpu, 0, &prio); break;
    case ICC_RPR_EL1: *val = gicv3_running_prio(c); break;
    case ICC_CTLR_EL1: *val = c->icc_ctlr | ICC_CTLR_RO; break;
    case ICC_SRE_EL1: *val = 0x7; break;
    case ICC_IGRPEN0_EL1: *val = c->grpen0; break;
    case ICC_IGRPEN1_EL1: *val = c->grpen1; break;
    case ICC_AP0R0_EL1: *val = c->apr[0]; break;
    case ICC_AP1R0_EL1: *val = c->apr[1]; break;
    case ICC_AP0R0_EL1 + 1: case ICC_AP0R0_EL1 + 2: case ICC_AP0R0_EL1 + 3:
    case ICC_AP1R0_EL1 + 1: case ICC_AP1R0_EL1 + 2: case ICC_AP1R0_EL1 + 3:
        *val = 0;
        break;
    case ICC_EOIR0_EL1: case ICC_EOIR1_EL1: case ICC_DIR_EL1:
    case ICC_SGI0R_EL1: case ICC_SGI1R_EL1: case ICC_ASGI1R_EL1:
        *val = 0; /* write-only */
        break;
    default:
        return false;
    }
    return true;
}

bool gicv3_cpuif_access(GICv3State *s, int cpu, uint32_t sysreg, bool is_write, uint64_t *val)
{
    if (cpu < 0 || cpu >= s->ncpus) {
        return false;
    }
    pthread_mutex_lock(&s->lock);
    bool ok = is_write ? cpuif_write(s, cpu, sysreg, *val) : cpuif_read(s, cpu, sysreg, val);
    gicv3_flush(s);
    pthread_mutex_unlock(&s->lock);
    return ok;
}

bool gicv3_cpuif_read(void *opaque, CPUState *cpu, uint32_t sysreg, uint64_t *val)
{
    return gicv3_cpuif_access(opaque, cpu->cpu_index, sysreg, false, val);
}

bool gicv3_cpuif_write(void *opaque, CPUState *cpu, uint32_t sysreg, uint64_t val)
{
    return gicv3_cpuif_access(opaque, cpu->cpu_index, sysreg, true, &val);
}
