/*
 * core.c — per-core message passing: posting, kicking, draining, and the
 * cross-core broadcasts built on them (include/coremu/coremu.h).
 */
#include "coremu/coremu.h"

#include <sched.h>
#include <stdlib.h>

#include "exec/cputlb.h"
#include "exec/tb.h"
#include "system/cpus.h"
#include "system/machine.h"
#include "util/log.h"

static bool single_thread;

void coremu_set_single_thread(bool single)
{
    single_thread = single;
}

void coremu_core_init(CPUState *cpu)
{
    CoreState *c = calloc(1, sizeof(*c));
    if (!c) {
        fatal("out of memory");
    }
    inbox_init(&c->inbox);
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->cond, NULL);
    cpu->coremu = c;
}

void coremu_kick(CPUState *target)
{
    CoreState *c = coremu_core(target);
    bool asleep = __atomic_load_n(&target->halted, __ATOMIC_ACQUIRE) ||
                  __atomic_load_n(&target->stopped, __ATOMIC_ACQUIRE);
    __atomic_fetch_add(&c->kicks[asleep ? COREMU_KICK_WAKE : COREMU_KICK_RUNNING], 1,
                       __ATOMIC_RELAXED);
    cpu_exit(target); /* a running core leaves generated code at its next TB */
    cpu_kick(target); /* a sleeping one wakes (signalled under its lock: never lost) */
}

void coremu_post(CPUState *target, CoreMsg *m)
{
    inbox_push(&coremu_core(target)->inbox, m);
    coremu_kick(target);
}

bool coremu_has_mail(CPUState *cpu)
{
    return !inbox_empty(&coremu_core(cpu)->inbox);
}

/* A synchronous message: the initiator waits for remaining to reach zero. */
typedef struct SyncMsg {
    CoreMsg msg;
    int *remaining;
} SyncMsg;

static void handle(CPUState *cpu, CoreMsg *m)
{
    switch (m->kind) {
    case COREMU_MSG_RUN:
        m->fn(cpu, m->opaque);
        free(m);
        return;
    case COREMU_MSG_TLB_FLUSH:
        tlb_flush_by_mmuidx(cpu, (uint16_t)m->a1);
        break;
    case COREMU_MSG_TLB_FLUSH_PAGE:
        tlb_flush_page_by_mmuidx(cpu, m->a0, (uint16_t)m->a1);
        break;
    case COREMU_MSG_TB_INVALIDATE:
        tb_invalidate_phys_range(cpu, m->a0, m->a1);
        free(m);
        return;
    default:
        break;
    }
    /* TLB messages are synchronous: signal the initiator */
    SyncMsg *s = (SyncMsg *)m;
    __atomic_fetch_sub(s->remaining, 1, __ATOMIC_RELEASE);
}

void coremu_drain(CPUState *cpu)
{
    CoreState *c = coremu_core(cpu);
    CoreMsg *m;
    while ((m = inbox_pop(&c->inbox)) != NULL) {
        c->msgs_handled++;
        handle(cpu, m);
    }
}

void coremu_run_on_cpu(CPUState *target, void (*fn)(CPUState *, void *), void *opaque)
{
    CoreMsg *m = calloc(1, sizeof(*m));
    if (!m) {
        fatal("out of memory");
    }
    m->kind = COREMU_MSG_RUN;
    m->fn = fn;
    m->opaque = opaque;
    coremu_post(target, m);
}

static void flush_local(CPUState *cpu, uint64_t vaddr, uint16_t idxmap)
{
    if (vaddr == COREMU_FLUSH_ALL) {
        tlb_flush_by_mmuidx(cpu, idxmap);
    } else {
        tlb_flush_page_by_mmuidx(cpu, vaddr, idxmap);
    }
}

void coremu_tlb_flush_others_synced(CPUState *src, uint64_t vaddr, uint16_t idxmap)
{
    Machine *m = src->machine;
    if (single_thread || m->ncpus == 1) {
        for (int i = 0; i < m->ncpus; i++) {
            if (m->cpus[i] != src) {
                flush_local(m->cpus[i], vaddr, idxmap);
            }
        }
        return;
    }
    int remaining = m->ncpus - 1;
    SyncMsg *msgs = calloc((size_t)m->ncpus, sizeof(*msgs));
    if (!msgs) {
        fatal("out of memory");
    }
    for (int i = 0; i < m->ncpus; i++) {
        CPUState *t = m->cpus[i];
        if (t == src) {
            continue;
        }
        /* a sleeping core (WFI, powered off) is flushed here, under its lock,
         * instead of being woken for it: idle cores cost the initiator nothing */
        CoreState *tc = coremu_core(t);
        pthread_mutex_lock(&tc->lock);
        if (tc->sleeping) {
            flush_local(t, vaddr, idxmap);
            pthread_mutex_unlock(&tc->lock);
            __atomic_fetch_sub(&remaining, 1, __ATOMIC_RELEASE);
            continue;
        }
        pthread_mutex_unlock(&tc->lock);
        msgs[i].msg.kind = vaddr == COREMU_FLUSH_ALL ? COREMU_MSG_TLB_FLUSH
                                                      : COREMU_MSG_TLB_FLUSH_PAGE;
        msgs[i].msg.a0 = vaddr;
        msgs[i].msg.a1 = idxmap;
        msgs[i].remaining = &remaining;
        coremu_post(t, &msgs[i].msg);
    }
    /* wait, serving our own inbox so that concurrent broadcasts make progress */
    while (__atomic_load_n(&remaining, __ATOMIC_ACQUIRE) > 0) {
        coremu_drain(src);
        if (__atomic_load_n(&m->shutdown_requested, __ATOMIC_ACQUIRE)) {
            break; /* the others may have left their loops; msgs leak, harmlessly */
        }
        sched_yield();
    }
    if (__atomic_load_n(&remaining, __ATOMIC_ACQUIRE) == 0) {
        free(msgs);
    }
}

void coremu_tlb_flush_all_synced(CPUState *src, uint64_t vaddr, uint16_t idxmap)
{
    flush_local(src, vaddr, idxmap);
    coremu_tlb_flush_others_synced(src, vaddr, idxmap);
}

void coremu_tb_invalidate_all(CPUState *src, uint64_t paddr, uint64_t len)
{
    Machine *m = src->machine;
    tb_invalidate_phys_range(src, paddr, len);
    for (int i = 0; i < m->ncpus; i++) {
        CPUState *t = m->cpus[i];
        if (t == src) {
            continue;
        }
        if (single_thread) {
            tb_invalidate_phys_range(t, paddr, len);
            continue;
        }
        CoreMsg *msg = calloc(1, sizeof(*msg));
        if (!msg) {
            fatal("out of memory");
        }
        msg->kind = COREMU_MSG_TB_INVALIDATE;
        msg->a0 = paddr;
        msg->a1 = len;
        coremu_post(t, msg);
    }
}
