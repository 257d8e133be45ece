/*
 * cpus.c — running the cores (include/system/cpus.h).
 *
 * thread=multi: each core runs cpu_exec() on its own host thread with its
 * own code cache. thread=single: one thread runs every core in turn, a
 * host timer forcing a switch every few milliseconds.
 *
 * Halting: a core that executed WFI/HLT (or is powered off) sleeps on the
 * futex of its sleep word (coremu/halt.c) until CPUClass.has_work says it
 * can run or mail arrives; cpu_interrupt() publishes the request and kicks
 * it (cpu_kick: one atomic, a FUTEX_WAKE only if it sleeps). The sleeper
 * announces itself before checking, so no wake-up is lost (halt.h).
 * thread=single: the one thread sleeps on one sleep word the same way.
 *
 * Scheduling: with thread=multi a monitor thread (coremu/sched.c) places
 * the core threads on host CPUs (-coremu sched=feedback|pin|none).
 *
 * Shutdown and reboot: a request (machine.h: 1 poweroff, 2 reset) makes every
 * core thread leave its loop at the top, between TBs, and park in
 * cpus_park(); once all are parked no guest code runs and no core holds a
 * device lock or is inside a cross-core message. The main thread then either
 * lets them return (poweroff; reset with -no-reboot or under record/replay)
 * or reboots in place (cpus_reboot): the board's reset (devices, CPU state,
 * images reloaded, boot core at the entry, the others off or waiting for
 * SIPI), every core's inbox emptied, TLB and code cache flushed, the request
 * cleared, and the same threads run again (their thread-local translator
 * state stays valid). A poweroff arriving meanwhile wins over the reset.
 */
#include "system/cpus.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "coremu/coremu.h"
#include "coremu/sched.h"
#include "exec/cputlb.h"
#include "exec/tb-cache.h"
#include "reemu/reemu.h"
#include "system/gdbstub.h"
#include "system/timer.h"
#include "util/log.h"

typedef struct CpusState {
    Machine *m;
    CpusConfig cfg;
    pthread_mutex_t lock; /* shutdown state */
    pthread_cond_t cond;  /* main thread: a request came, or a thread parked */
    pthread_cond_t resume; /* parked threads: the verdict (generation, finished) */
    int parked;            /* threads in cpus_park() (lock) */
    unsigned generation;   /* bumped by each reboot (lock) */
    bool finished;         /* the run is over: parked threads return (lock) */
    CoreSleep single_sleep; /* thread=single: the one thread's sleep word */
    CPUState *current;    /* thread=single: the core being run */
    HostTimer *slice;
    CoreMonitor *monitor;
} CpusState;

static CpusState cpus;
static __thread bool on_single_thread; /* thread=single: this is the one thread */

CPUState *cpu_create(Machine *m, const CPUClass *cc, int index, const char *model)
{
    CPUState *cpu = aligned_alloc(64, (cc->instance_size + 63) & ~(size_t)63);
    if (!cpu) {
        fatal("out of memory creating core %d", index);
    }
    memset(cpu, 0, cc->instance_size);
    cpu->cc = cc;
    cpu->cpu_index = index;
    cpu->machine = m;
    cpu->exception_index = EXCP_NONE;
    cpu->can_do_io = true;
    memset(cpu->tlb, 0xff, sizeof(cpu->tlb));
    coremu_core_init(cpu);
    cc->init(cpu, model);
    cc->reset(cpu);
    return cpu;
}

static bool shutting_down(void)
{
    return __atomic_load_n(&cpus.m->shutdown_requested, __ATOMIC_ACQUIRE) != 0;
}

void cpu_kick(CPUState *cpu)
{
    if (!cpu->coremu) {
        return;
    }
    if (cpus.cfg.single_thread) {
        /* the exit word is the caller's business; wake the one thread */
        CoreKick k = on_single_thread ? COREMU_KICK_SELF : coremu_sleep_notify(&cpus.single_sleep);
        coremu_count_kick(cpu, k);
    } else {
        coremu_wake(cpu); /* the caller set the exit word if it had to */
    }
}

static bool core_runnable(CPUState *cpu)
{
    if (__atomic_load_n(&cpu->stopped, __ATOMIC_ACQUIRE)) {
        return false;
    }
    if (__atomic_load_n(&cpu->halted, __ATOMIC_ACQUIRE)) {
        if (!cpu->cc->has_work(cpu)) {
            return false;
        }
        __atomic_store_n(&cpu->halted, 0, __ATOMIC_RELEASE);
    }
    return true;
}

/* Run one core until it halts, is asked to exit, or its slice ends. */
static void core_run_once(CPUState *cpu)
{
    int r = cpu_exec(cpu);
    switch (r) {
    case EXCP_HLT:
    case EXCP_HALTED:
        if (__builtin_expect(reemu_mode == REEMU_REPLAY, 0)) {
            break; /* replay: WFI just continues; the log says what woke it */
        }
        __atomic_store_n(&cpu->halted, 1, __ATOMIC_RELEASE);
        break;
    case EXCP_YIELD:
        CPU_STAT_ADD(cpu, spin_exits, 1);
        if (!cpus.cfg.single_thread) {
            coremu_spin_wait(cpu); /* sched_yield, or a short sleep when backed off */
        }
        break;
    case EXCP_ICOUNT:
        /* the exact budget ran out: this core stops here */
        __atomic_store_n(&cpu->stopped, 1, __ATOMIC_RELEASE);
        break;
    case EXCP_DEBUG:
        gdbstub_debug_exception(cpu); /* breakpoint or step: all cores stop */
        break;
    default:
        break;
    }
}

/* a core may leave its sleep: runs with its sleep announced (touches no TLB) */
static bool core_ready(void *opaque)
{
    CPUState *cpu = opaque;
    return shutting_down() || coremu_has_mail(cpu) || core_runnable(cpu);
}

/* A thread whose loop saw the shutdown request: wait for the main thread's
 * verdict. True: the machine was reset in place, run again. */
static bool cpus_park(void)
{
    pthread_mutex_lock(&cpus.lock);
    unsigned gen = cpus.generation;
    cpus.parked++;
    pthread_cond_broadcast(&cpus.cond);
    while (cpus.generation == gen && !cpus.finished) {
        pthread_cond_wait(&cpus.resume, &cpus.lock);
    }
    bool again = !cpus.finished;
    pthread_mutex_unlock(&cpus.lock);
    return again;
}

static void *core_thread(void *arg)
{
    CPUState *cpu = arg;
    coremu_thread_start(cpu);
    tb_cache_new(cpu, cpus.cfg.backend, cpus.cfg.tb_size);
    if (cpus.cfg.icount) {
        cpu->icount_enabled = true;
        cpu_icount_set_budget(cpu, cpu->icount_stop ? cpu->icount_stop : ~0ull >> 1);
    }
    do {
        while (!shutting_down()) {
            coremu_drain(cpu); /* messages are handled between TBs, halted or not */
            if (!core_ready(cpu)) {
                CPU_STAT_ADD(cpu, idle_ns, coremu_halt(cpu, core_ready));
                continue; /* drain what woke us first */
            }
            if (shutting_down()) {
                break;
            }
            if (coremu_has_mail(cpu)) {
                continue;
            }
            if (__builtin_expect(gdbstub_attention, 0) && !gdbstub_core_sync(cpu)) {
                continue; /* it was stopped by the debugger: look again */
            }
            core_run_once(cpu);
        }
    } while (cpus_park());
    return NULL;
}

static void slice_expired(void *opaque)
{
    (void)opaque;
    CPUState *cur = __atomic_load_n(&cpus.current, __ATOMIC_ACQUIRE);
    if (cur) {
        cpu_exit(cur);
    }
    host_timer_mod(cpus.slice, clock_ns() + 5000000);
}

static bool any_runnable(void *opaque)
{
    Machine *m = opaque;
    if (shutting_down()) {
        return true;
    }
    for (int i = 0; i < m->ncpus; i++) {
        if (coremu_has_mail(m->cpus[i]) || core_runnable(m->cpus[i])) {
            return true;
        }
    }
    return false;
}

static void *single_thread(void *arg)
{
    Machine *m = arg;
    on_single_thread = true;
    for (int i = 0; i < m->ncpus; i++) {
        tb_cache_new(m->cpus[i], cpus.cfg.backend, cpus.cfg.tb_size);
        if (cpus.cfg.icount) {
            m->cpus[i]->icount_enabled = true;
            cpu_icount_set_budget(m->cpus[i], ~0ull >> 1);
        }
    }
    cpus.slice = host_timer_new(slice_expired, NULL);
    host_timer_mod(cpus.slice, clock_ns() + 5000000);
    do {
        while (!shutting_down()) {
            bool ran = false;
            for (int i = 0; i < m->ncpus && !shutting_down(); i++) {
                CPUState *cpu = m->cpus[i];
                coremu_drain(cpu); /* one thread is every core: handlers run here */
                if (!core_runnable(cpu)) {
                    continue;
                }
                if (__builtin_expect(gdbstub_attention, 0) && !gdbstub_core_sync(cpu)) {
                    continue; /* stopped or held by the debugger */
                }
                __atomic_store_n(&cpus.current, cpu, __ATOMIC_RELEASE);
                core_run_once(cpu);
                __atomic_store_n(&cpus.current, NULL, __ATOMIC_RELEASE);
                ran = true;
            }
            if (!ran && !any_runnable(m)) {
                uint64_t ns = coremu_sleep(&cpus.single_sleep, any_runnable, m, 0);
                for (int i = 0; i < m->ncpus; i++) {
                    CPU_STAT_ADD(m->cpus[i], idle_ns, ns); /* every core was idle */
                }
            }
        }
    } while (cpus_park());
    host_timer_del(cpus.slice);
    return NULL;
}

void cpus_request_shutdown(Machine *m, int kind, int status)
{
    if (__builtin_expect(reemu_mode == REEMU_REPLAY, 0) && reemu_defer_shutdown()) {
        return; /* replay: reemu shuts down once every core reached its recorded end */
    }
    pthread_mutex_lock(&cpus.lock);
    /* the first request wins, except that a poweroff overrides a pending reset */
    if (!m->shutdown_requested || (m->shutdown_requested == 2 && kind == 1)) {
        m->exit_status = status;
        __atomic_store_n(&m->shutdown_requested, kind, __ATOMIC_RELEASE);
    }
    pthread_cond_broadcast(&cpus.cond);
    pthread_mutex_unlock(&cpus.lock);
    for (int i = 0; i < m->ncpus; i++) {
        cpu_exit(m->cpus[i]);
        cpu_kick(m->cpus[i]);
    }
}

/* Wait until a request came and every thread parked; true if it asks for a
 * reboot in place: a reset without -no-reboot, outside record/replay. */
static bool cpus_wait_parked(Machine *m, int nthreads)
{
    pthread_mutex_lock(&cpus.lock);
    while (!m->shutdown_requested || cpus.parked < nthreads) {
        pthread_cond_wait(&cpus.cond, &cpus.lock);
    }
    int kind = m->shutdown_requested;
    pthread_mutex_unlock(&cpus.lock);
    return kind == 2 && !m->opts->no_reboot && m->mc->reset && reemu_mode == REEMU_OFF;
}

/* Every thread is parked: reset the machine in place and let them run again.
 * False (they stay parked) when a poweroff came in meanwhile. */
static bool cpus_reboot(Machine *m)
{
    log_mask_printf(LOG_INT, "machine: reset requested: rebooting in place\n");
    m->mc->reset(m); /* devices, cores, boot images, boot state */
    for (int i = 0; i < m->ncpus; i++) {
        CPUState *cpu = m->cpus[i];
        coremu_core_reboot(cpu); /* after the reset, which may have posted notices */
        tlb_flush(cpu);
        if (cpu->tbc) {
            tb_flush_core(cpu);
        }
    }
    pthread_mutex_lock(&cpus.lock);
    bool again = m->shutdown_requested == 2;
    if (again) {
        m->exit_status = 0;
        __atomic_store_n(&m->shutdown_requested, 0, __ATOMIC_RELEASE);
        cpus.parked = 0;
        cpus.generation++;
        pthread_cond_broadcast(&cpus.resume);
    }
    pthread_mutex_unlock(&cpus.lock);
    return again;
}

int cpus_run(Machine *m, const CpusConfig *cfg)
{
    cpus.m = m;
    cpus.cfg = *cfg;
    coremu_set_single_thread(cfg->single_thread);
    pthread_mutex_init(&cpus.lock, NULL);
    pthread_cond_init(&cpus.cond, NULL);
    pthread_cond_init(&cpus.resume, NULL);

    int nthreads = cfg->single_thread ? 1 : m->ncpus;
    pthread_t *th = calloc((size_t)nthreads, sizeof(*th));
    if (!th) {
        fatal("out of memory");
    }
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 8 << 20);
    for (int i = 0; i < nthreads; i++) {
        int e = cfg->single_thread ? pthread_create(&th[i], &attr, single_thread, m)
                                   : pthread_create(&th[i], &attr, core_thread, m->cpus[i]);
        if (e != 0) {
            fatal("cannot start thread for core %d", i);
        }
    }
    pthread_attr_destroy(&attr);
    if (!cfg->single_thread && cfg->sched != COREMU_SCHED_NONE) {
        cpus.monitor = coremu_monitor_start(m->cpus, m->ncpus, (CoreSchedPolicy)cfg->sched, 0,
                                            NULL, 0, cfg->spin_backoff);
    }

    while (cpus_wait_parked(m, nthreads) && cpus_reboot(m)) {
        /* rebooted in place: the same threads run the new boot */
    }
    pthread_mutex_lock(&cpus.lock);
    cpus.finished = true;
    pthread_cond_broadcast(&cpus.resume);
    pthread_mutex_unlock(&cpus.lock);
    coremu_monitor_stop(cpus.monitor);
    cpus.monitor = NULL;
    for (int i = 0; i < nthreads; i++) {
        pthread_join(th[i], NULL);
    }
    free(th);
    if (cfg->stats_file && !cpus_write_stats(m, cfg->stats_file)) {
        error_report("cannot write statistics to '%s'", cfg->stats_file);
    }
    return m->exit_status;
}

bool cpus_write_stats(Machine *m, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        return false;
    }
    /* one JSON object per core and line (docs/user-guide.md, "Statistics") */
    for (int i = 0; i < m->ncpus; i++) {
        CPUState *cpu = m->cpus[i];
        CPUStats *st = &cpu->stats;
        CoreState *c = coremu_core(cpu);
        uint64_t k[COREMU_KICK_KINDS], ksum = 0;
        for (int j = 0; j < COREMU_KICK_KINDS; j++) {
            k[j] = coremu_kicks(cpu, (CoreKick)j);
            ksum += k[j];
        }
        __atomic_store_n(&st->kicks_received, ksum, __ATOMIC_RELAXED);
        char insns[32];
        if (cpu->icount_enabled) {
            snprintf(insns, sizeof(insns), "%llu", (unsigned long long)st->insns);
        } else {
            snprintf(insns, sizeof(insns), "null"); /* counted only with -icount */
        }
#define ST(field) (unsigned long long)__atomic_load_n(&st->field, __ATOMIC_RELAXED)
        fprintf(f,
                "{\"core\": %d, \"insns\": %s, \"insns_exact\": %s, \"tbs_executed\": %llu, "
                "\"tbs_translated\": %llu, \"code_flushes\": %llu, \"tlb_flushes\": %llu, "
                "\"tlb_misses\": %llu, \"exceptions\": %llu, \"interrupts\": %llu, "
                "\"kicks_received\": %llu, \"kicks_running\": %llu, \"kicks_wake\": %llu, "
                "\"kicks_self\": %llu, \"kicks_none\": %llu, \"idle_ns\": %llu, "
                "\"spin_exits\": %llu, \"sched\": \"%s\", \"host_cpu\": %d, "
                "\"migrations\": %llu}\n",
                i, insns, cpu->icount_enabled ? "true" : "false", ST(tbs_executed),
                ST(tbs_translated), ST(code_flushes), ST(tlb_flushes), ST(tlb_misses),
                ST(exceptions), ST(interrupts), (unsigned long long)ksum,
                (unsigned long long)k[COREMU_KICK_RUNNING], (unsigned long long)k[COREMU_KICK_WAKE],
                (unsigned long long)k[COREMU_KICK_SELF], (unsigned long long)k[COREMU_KICK_NONE],
                ST(idle_ns), ST(spin_exits),
                cpus.cfg.single_thread ? "single"
                                       : coremu_sched_name((CoreSchedPolicy)cpus.cfg.sched),
                (int)__atomic_load_n(&c->host_cpu, __ATOMIC_RELAXED),
                (unsigned long long)__atomic_load_n(&c->migrations, __ATOMIC_RELAXED));
#undef ST
    }
    return fclose(f) == 0;
}
