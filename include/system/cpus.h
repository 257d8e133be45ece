/*
 * cpus.h — running the cores: one host thread per core (thread=multi) or
 * all cores round-robin on one thread (thread=single), halting and waking.
 * coremu/ takes these over for SMP (inboxes, adaptive kicks, scheduling).
 */
#ifndef SYSTEM_CPUS_H
#define SYSTEM_CPUS_H

#include "exec/cpu.h"
#include "system/machine.h"
#include "tcg/tcg.h"

typedef struct CpusConfig {
    bool single_thread;
    const TCGBackend *backend;
    size_t tb_size; /* code buffer bytes per core */
    bool icount;
    const char *stats_file; /* -coremu stats=FILE: per-core statistics at exit */
    int sched;              /* -coremu sched=: a CoreSchedPolicy (0 = feedback) */
    bool spin_backoff;      /* -coremu backoff=on: spinners may sleep (sched=feedback) */
} CpusConfig;

/* Write every core's CPUStats as one JSON object per line (docs/user-guide.md). */
bool cpus_write_stats(Machine *m, const char *path);

/* Create one core of class cc at index i (zeroed, TLB invalid, cc->init). */
CPUState *cpu_create(Machine *m, const CPUClass *cc, int index, const char *model);
/* Start every core; returns when the machine shut down, with its exit status. */
int cpus_run(Machine *m, const CpusConfig *cfg);
void cpus_request_shutdown(Machine *m, int kind, int status);
/* Wake a halted or stopped core so it re-checks its state (any thread). */
void cpu_kick(CPUState *cpu);

#endif
