/*
 * coremu.h — what crosses cores. Every emulated core has a CoreState: its
 * inbox (lock-free MPSC, coremu/inbox.c), its sleep word (futex halting,
 * coremu/halt.c) and what the scheduler (coremu/sched.c) tells it.
 *
 * Posting a message is one atomic exchange plus an adaptive kick: one
 * atomic on the target's sleep word tells whether it sleeps; a sleeping
 * core gets one FUTEX_WAKE (none if another waker already sent one), a
 * running core gets its exit word set (it leaves generated code at its next
 * TB boundary, no signal), a core kicked from its own thread only the exit
 * word. Kicks are counted per target by kind. The target drains its inbox
 * on its own thread between TBs (system/cpus.c), so a message's handler
 * runs with the core stopped at an instruction boundary and may touch that
 * core's private state (TLB, code cache).
 *
 * Synchronous broadcasts (the TLB shootdown that AArch64 TLBI ... IS needs
 * before its DSB completes) wait until every other core has handled the
 * message; while waiting, the initiator drains its own inbox, so two cores
 * broadcasting at once cannot deadlock. A sleeping core is not woken for a
 * shootdown: the initiator claims its sleep word (it cannot wake up until
 * released) and flushes its TLB in place.
 *
 * With thread=single all cores share one thread: nothing runs concurrently,
 * and broadcasts apply directly to the other cores' state.
 */
#ifndef COREMU_COREMU_H
#define COREMU_COREMU_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "coremu/halt.h"
#include "coremu/inbox.h"
#include "exec/cpu.h"

typedef struct CoreState {
    CoreInbox inbox;
    /* one line that every kicker writes: the sleep word and kick counters
     * (atomic adds; the line is already exclusive after the sleep-word RMW) */
    CoreSleep sleep __attribute__((aligned(64)));
    uint64_t kicks[COREMU_KICK_KINDS];
    /* owner only */
    uint64_t msgs_handled __attribute__((aligned(64)));
    uint32_t spin_streak;   /* consecutive spin exits (WFE/YIELD/PAUSE) backed off */
    uint64_t last_spin_ns;
    /* written by the core thread at start, read by the scheduler (atomics) */
    int32_t tid;            /* host thread id, 0 before the thread started */
    clockid_t cpu_clock;    /* the thread's CPU-time clock (valid once tid is set) */
    /* written by the scheduler thread, read by the core and the stats writer */
    uint32_t backoff;       /* 1: spin exits sleep briefly instead of sched_yield */
    int32_t host_cpu;       /* host CPU the core is pinned to, -1 none */
    uint64_t migrations;    /* placement changes made by the scheduler */
} CoreState;

#define COREMU_FLUSH_ALL (~0ull) /* vaddr argument: the whole TLB */

void coremu_core_init(CPUState *cpu);
static inline CoreState *coremu_core(CPUState *cpu)
{
    return (CoreState *)cpu->coremu;
}
/* Machine reboot, every core thread parked (system/cpus.c): drop the inbox's
 * messages (the TLBs and code caches are flushed whole anyway). */
void coremu_core_reboot(CPUState *cpu);
/* thread=single: set once before the cores start */
void coremu_set_single_thread(bool single);
bool coremu_is_single_thread(void);

/* Run fn(target, opaque) on the caller's thread while target is asleep and
 * claimed (it cannot wake, and no in-place flusher can touch it meanwhile);
 * waits until target sleeps. For a core known to be parked (powered off). */
void coremu_run_on_sleeping(CPUState *target, void (*fn)(CPUState *, void *), void *opaque);

/* Any thread: queue m for target and kick it. m must stay valid until handled. */
void coremu_post(CPUState *target, CoreMsg *m);
/* Kick: make target re-check its inbox and state: exit word (it leaves
 * cpu_exec) if it runs, futex wake if it sleeps; counted by kind. */
void coremu_kick(CPUState *target);
/* The same for a target whose exit word the caller already set without
 * asking cpu_exec to return (cpu_interrupt): wake it if it sleeps. */
CoreKick coremu_wake(CPUState *target);
/* Count a kick of kind k against target (any thread). */
static inline void coremu_count_kick(CPUState *target, CoreKick k)
{
    __atomic_fetch_add(&coremu_core(target)->kicks[k], 1, __ATOMIC_RELAXED);
}
uint64_t coremu_kicks(CPUState *cpu, CoreKick k);

/* (coremu/sched.c) The core's own thread, once at start: records its thread id (for the
 * scheduler) and that kicks from this thread to cpu are self-kicks. */
void coremu_thread_start(CPUState *cpu);
/* The CPUState whose thread this is (NULL: not a core thread). */
CPUState *coremu_current(void);

/* Owner: halt until ready(cpu); returns the ns slept (the caller accounts it). */
uint64_t coremu_halt(CPUState *cpu, bool (*ready)(void *cpu));
/* Owner, on a spin-wait hint (WFE, YIELD, PAUSE): give the host CPU away —
 * sched_yield, or, when the scheduler asked this core to back off, a short
 * futex sleep (growing while the core keeps spinning; any kick ends it). */
void coremu_spin_wait(CPUState *cpu);
/* The owning thread: handle every queued message. */
void coremu_drain(CPUState *cpu);
bool coremu_has_mail(CPUState *cpu);

/* Run fn(target, opaque) on target's thread at its next TB boundary (async). */
void coremu_run_on_cpu(CPUState *target, void (*fn)(CPUState *, void *), void *opaque);

/* TLB shootdown: flush vaddr's page (or COREMU_FLUSH_ALL) in the modes of
 * idxmap on every core of src's machine, src included; returns when all have. */
void coremu_tlb_flush_all_synced(CPUState *src, uint64_t vaddr, uint16_t idxmap);
/* The same for every core but src (which flushes itself more precisely). */
void coremu_tlb_flush_others_synced(CPUState *src, uint64_t vaddr, uint16_t idxmap);
/* Instruction-cache maintenance to the point of unification, broadcast: every
 * core drops its TBs covering [paddr, paddr+len) before it next runs code. */
void coremu_tb_invalidate_all(CPUState *src, uint64_t paddr, uint64_t len);

#endif
