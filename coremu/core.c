/*
 * core.c — per-core message passing: posting, adaptive kicks, draining,
 * halting and spin-waiting, and the cross-core broadcasts built on them
 * (include/coremu/coremu.h).
 */
#include "coremu/coremu.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "exec/cputlb.h"
#include "exec/tb.h"
#include "reemu/reemu.h"
#include "system/cpus.h"
#include "system/machine.h"
#include "util/log.h"

static bool single_thread;

void coremu_set_single_thread(bool single)
{
    single_thread = single;
}

bool coremu_is_single_thread(void)
{
    return single_thread;
}

void coremu_run_on_sleeping(CPUState *target, void (*fn)(CPUState *, void *), void *opaque)
{
    if (single_thread) {
        fn(target, opaque); /* one thread: the target cannot be running */
        return;
    }
    CoreState *c = coremu_core(target);
    if (!c || !__atomic_load_n(&c->tid, __ATOMIC_ACQUIRE)) {
        fn(target, opaque); /* no thread runs it (yet): nothing to race with */
        return;
    }
    CoreSleep *ts = &c->sleep;
    while (!coremu_sleep_claim(ts)) {
        if (target->machine &&
            __atomic_load_n(&target->machine->shutdown_requested, __ATOMIC_ACQUIRE)) {
            return; /* it parks for the shutdown or reboot instead of sleeping */
        }
        sched_yield(); /* still on its way to its sleep (e.g. just after CPU_OFF) */
    }
    fn(target, opaque);
    coremu_sleep_release(ts);
}

void coremu_core_init(CPUState *cpu)
{
    CoreState *c = aligned_alloc(64, (sizeof(*c) + 63) & ~(size_t)63);
    if (!c) {
        fatal("out of memory");
    }
    memset(c, 0, sizeof(*c));
    inbox_init(&c->inbox);
    c->host_cpu = -1;
    cpu->coremu = c;
}

void coremu_core_reboot(CPUState *cpu)
{
    CoreState *c = coremu_core(cpu);
    CoreMsg *m;
    while ((m = inbox_pop(&c->inbox)) != NULL) {
        /* RUN and TB_INVALIDATE are ours to free; a TLB message lives in an
         * array its initiator gave up on when the shutdown began (see
         * coremu_tlb_flush_others_synced): not touched */
        if (m->kind == COREMU_MSG_RUN || m->kind == COREMU_MSG_TB_INVALIDATE) {
            free(m);
        }
    }
    c->spin_streak = 0;
}

uint64_t coremu_kicks(CPUState *cpu, CoreKick k)
{
    return __atomic_load_n(&coremu_core(cpu)->kicks[k], __ATOMIC_RELAXED);
}

CoreKick coremu_wake(CPUState *target)
{
    CoreKick k;
    if (target == coremu_current()) {
        k = COREMU_KICK_SELF; /* it is not asleep: we are running on it */
    } else {
        k = coremu_sleep_notify(&coremu_core(target)->sleep);
    }
    coremu_count_kick(target, k);
    return k;
}

void coremu_kick(CPUState *target)
{
    if (single_thread) {
        cpu_exit(target);
        cpu_kick(target); /* wakes the one thread if it sleeps (system/cpus.c) */
        return;
    }
    CoreKick k = coremu_wake(target);
    if (k == COREMU_KICK_RUNNING || k == COREMU_KICK_SELF) {
        /* leave generated code at the next TB and return from cpu_exec, so
         * the core loop drains the inbox. (A core that went to sleep since
         * the notify saw NOTIFIED and re-checks; the stale exit request
         * costs it one empty return from cpu_exec later.) */
        cpu_exit(target);
    }
}

uint64_t coremu_halt(CPUState *cpu, bool (*ready)(void *cpu))
{
    return coremu_sleep(&coremu_core(cpu)->sleep, ready, cpu, 0);
}

/* a backed-off spinner wakes for anything that could end its spin but a
 * plain store to memory: mail, an interrupt, shutdown */
static bool spin_ready(void *opaque)
{
    CPUState *cpu = opaque;
    return coremu_has_mail(cpu) || __atomic_load_n(&cpu->interrupt_request, __ATOMIC_ACQUIRE) ||
           __atomic_load_n(&cpu->machine->shutdown_requested, __ATOMIC_ACQUIRE);
}

#define SPIN_BACKOFF_AFTER 8          /* tight spin exits (sched_yield) before sleeping */
#define SPIN_BACKOFF_MIN_NS 20000ull  /* then wait 20 us ... */
#define SPIN_BACKOFF_MAX_SHIFT 1      /* ... or at most 40 us: a WFE wait ends on a store
                                         we do not see, so each wait adds its length */
#define SPIN_STREAK_GAP_NS 100000ull  /* spin exits 100 us apart are not one spin */

void coremu_spin_wait(CPUState *cpu)
{
    CoreState *c = coremu_core(cpu);
    if (!__atomic_load_n(&c->backoff, __ATOMIC_RELAXED)) {
        c->spin_streak = 0;
        sched_yield();
        return;
    }
    /* The lock holder (or whoever must store to end this spin) may be waiting
     * for our host CPU: after a few yields, sleep briefly, woken early by any
     * kick. A store that would have sent a WFE event is seen when the wait ends.
     * Off by default (-coremu backoff=on): on a 2-CPU host every variant tried
     * made a 64-core boot slower than plain sched_yield (docs/coremu.md). */
    uint64_t now = coremu_now_ns();
    if (now - c->last_spin_ns > SPIN_STREAK_GAP_NS) {
        c->spin_streak = 0;
    }
    c->last_spin_ns = now;
    if (c->spin_streak++ < SPIN_BACKOFF_AFTER) {
        sched_yield(); /* a short spin: the awaited store is probably near */
        return;
    }
    uint32_t shift = c->spin_streak - SPIN_BACKOFF_AFTER - 1;
    if (shift > SPIN_BACKOFF_MAX_SHIFT) {
        shift = SPIN_BACKOFF_MAX_SHIFT;
    }
    uint64_t ns = coremu_sleep(&c->sleep, spin_ready, cpu, SPIN_BACKOFF_MIN_NS << shift);
    CPU_STAT_ADD(cpu, idle_ns, ns);
    c->last_spin_ns = coremu_now_ns();
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
    if (__builtin_expect(reemu_mode == REEMU_RECORD, 0)) {
        reemu_note_msg(cpu, m); /* record/replay: logged at this core's icount */
    }
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
    if (__builtin_expect(reemu_mode == REEMU_REPLAY, 0)) {
        return; /* replay: the others apply their flushes from the log (reemu/) */
    }
    if (single_thread || m->ncpus == 1) {
        for (int i = 0; i < m->ncpus; i++) {
            if (m->cpus[i] != src) {
                if (__builtin_expect(reemu_mode == REEMU_RECORD, 0)) {
                    reemu_note_remote(m->cpus[i], src, vaddr == COREMU_FLUSH_ALL
                                      ? COREMU_MSG_TLB_FLUSH : COREMU_MSG_TLB_FLUSH_PAGE,
                                      vaddr, idxmap);
                }
                flush_local(m->cpus[i], vaddr, idxmap);
            }
        }
        return;
    }
    /* the count is on the heap with the messages: if a shutdown or reboot ends
     * the wait early, a handler that is still running decrements leaked memory,
     * not this dead frame */
    int *remaining = malloc(sizeof(*remaining));
    SyncMsg *msgs = calloc((size_t)m->ncpus, sizeof(*msgs));
    if (!msgs || !remaining) {
        fatal("out of memory");
    }
    *remaining = m->ncpus - 1;
    for (int i = 0; i < m->ncpus; i++) {
        CPUState *t = m->cpus[i];
        if (!t || t == src) { /* absent (a test machine) or the sender */
            continue;
        }
        /* a sleeping core (WFI, powered off) is flushed here instead of being
         * woken for it: the claim keeps it asleep until we release it, and
         * orders our writes to its TLB before its next use (halt.h) */
        CoreSleep *ts = &coremu_core(t)->sleep;
        if (coremu_sleep_claim(ts)) {
            if (__builtin_expect(reemu_mode == REEMU_RECORD, 0)) {
                reemu_note_remote(t, src, vaddr == COREMU_FLUSH_ALL ? COREMU_MSG_TLB_FLUSH
                                  : COREMU_MSG_TLB_FLUSH_PAGE, vaddr, idxmap);
            }
            flush_local(t, vaddr, idxmap);
            coremu_sleep_release(ts);
            __atomic_fetch_sub(remaining, 1, __ATOMIC_RELEASE);
            continue;
        }
        msgs[i].msg.kind = vaddr == COREMU_FLUSH_ALL ? COREMU_MSG_TLB_FLUSH
                                                      : COREMU_MSG_TLB_FLUSH_PAGE;
        msgs[i].msg.a0 = vaddr;
        msgs[i].msg.a1 = idxmap;
        if (__builtin_expect(reemu_mode == REEMU_RECORD, 0)) {
            msgs[i].msg.opaque = reemu_stamp(src); /* record/replay: who sent it, when */
        }
        msgs[i].remaining = remaining;
        coremu_post(t, &msgs[i].msg);
    }
    /* wait, serving our own inbox so that concurrent broadcasts make progress */
    while (__atomic_load_n(remaining, __ATOMIC_ACQUIRE) > 0) {
        coremu_drain(src);
        if (__atomic_load_n(&m->shutdown_requested, __ATOMIC_ACQUIRE)) {
            break; /* the others park at their loop tops; msgs leak, harmlessly */
        }
        sched_yield();
    }
    if (__atomic_load_n(remaining, __ATOMIC_ACQUIRE) == 0) {
        free(msgs);
        free(remaining);
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
    if (__builtin_expect(reemu_mode == REEMU_REPLAY, 0)) {
        return; /* replay: the others apply it from the log (reemu/) */
    }
    for (int i = 0; i < m->ncpus; i++) {
        CPUState *t = m->cpus[i];
        if (!t || t == src) { /* absent (a test machine) or the sender */
            continue;
        }
        if (__builtin_expect(reemu_mode == REEMU_RECORD, 0) && single_thread) {
            reemu_note_remote(t, src, COREMU_MSG_TB_INVALIDATE, paddr, len);
        }
        if (single_thread) {
            tb_invalidate_phys_range(t, paddr, len);
            continue;
        }
        /* a sleeping core is not woken for it (Linux issues one IC IVAU per
         * cache line of every page it makes executable): claimed, it cannot
         * run, and its code cache is ours until the release */
        CoreSleep *ts = &coremu_core(t)->sleep;
        if (coremu_sleep_claim(ts)) {
            if (__builtin_expect(reemu_mode == REEMU_RECORD, 0)) {
                reemu_note_remote(t, src, COREMU_MSG_TB_INVALIDATE, paddr, len);
            }
            tb_invalidate_phys_range(t, paddr, len);
            coremu_sleep_release(ts);
            continue;
        }
        CoreMsg *msg = calloc(1, sizeof(*msg));
        if (!msg) {
            fatal("out of memory");
        }
        msg->kind = COREMU_MSG_TB_INVALIDATE;
        msg->a0 = paddr;
        msg->a1 = len;
        if (__builtin_expect(reemu_mode == REEMU_RECORD, 0)) {
            msg->opaque = reemu_stamp(src); /* record/replay: who sent it, when */
        }
        coremu_post(t, msg);
    }
}
