/*
 * coremu.h — what crosses cores. Every emulated core has a CoreState: its
 * inbox (lock-free MPSC, coremu/inbox.c) and the condition variable it
 * sleeps on when halted or powered off.
 *
 * Posting a message is one atomic exchange plus a kick: the target's exit
 * word is set (a running core leaves generated code at its next TB
 * boundary, no signal) and, if it sleeps, it is woken. The target drains
 * its inbox on its own thread between TBs (system/cpus.c), so a message's
 * handler runs with the core stopped at an instruction boundary and may
 * touch that core's private state (TLB, code cache).
 *
 * Synchronous broadcasts (the TLB shootdown that AArch64 TLBI ... IS needs
 * before its DSB completes) wait until every other core has handled the
 * message; while waiting, the initiator drains its own inbox, so two cores
 * broadcasting at once cannot deadlock.
 *
 * With thread=single all cores share one thread: nothing runs concurrently,
 * and broadcasts apply directly to the other cores' state.
 */
#ifndef COREMU_COREMU_H
#define COREMU_COREMU_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "coremu/inbox.h"
#include "exec/cpu.h"

typedef enum CoreKick {
    COREMU_KICK_RUNNING, /* exit word set on a core in generated code or about to be */
    COREMU_KICK_WAKE,    /* a sleeping core woken */
    COREMU_KICK_KINDS,
} CoreKick;

typedef struct CoreState {
    CoreInbox inbox;
    pthread_mutex_t lock; /* guards sleeping */
    pthread_cond_t cond;
    /* set under lock by the core's thread around its condition wait: while it
     * is true (and the lock is held) the core cannot run, so another thread
     * holding the lock may act on the core's private state directly */
    bool sleeping;
    uint64_t kicks[COREMU_KICK_KINDS];
    uint64_t msgs_handled;
} CoreState;

#define COREMU_FLUSH_ALL (~0ull) /* vaddr argument: the whole TLB */

void coremu_core_init(CPUState *cpu);
static inline CoreState *coremu_core(CPUState *cpu)
{
    return (CoreState *)cpu->coremu;
}
/* thread=single: set once before the cores start */
void coremu_set_single_thread(bool single);

/* Any thread: queue m for target and kick it. m must stay valid until handled. */
void coremu_post(CPUState *target, CoreMsg *m);
/* Kick: make target re-check its inbox and state (exit word + wake). */
void coremu_kick(CPUState *target);
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
