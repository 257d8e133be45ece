/*
 * cpus.c — running the cores (include/system/cpus.h).
 *
 * thread=multi: each core runs cpu_exec() on its own host thread with its
 * own code cache. thread=single: one thread runs every core in turn, a
 * host timer forcing a switch every few milliseconds.
 *
 * Halting: a core that executed WFI/HLT waits on its condition variable
 * until CPUClass.has_work says it can run; cpu_interrupt() kicks it. The
 * waiter checks has_work under the lock and the kicker signals under the
 * lock after publishing its request, so no wake-up is lost.
 */
#include "system/cpus.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "coremu/coremu.h"
#include "exec/tb-cache.h"
#include "system/timer.h"
#include "util/log.h"

/* thread=single: all cores sleep on one condition variable */
typedef struct CoreWait {
    pthread_mutex_t lock;
    pthread_cond_t cond;
} CoreWait;

typedef struct CpusState {
    Machine *m;
    CpusConfig cfg;
    pthread_mutex_t lock; /* shutdown state */
    pthread_cond_t cond;
    CoreWait single_wait; /* thread=single: one wait for all cores */
    CPUState *current;    /* thread=single: the core being run */
    HostTimer *slice;
} CpusState;

static CpusState cpus;

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
        pthread_mutex_lock(&cpus.single_wait.lock);
        pthread_cond_broadcast(&cpus.single_wait.cond);
        pthread_mutex_unlock(&cpus.single_wait.lock);
    } else {
        CoreState *c = coremu_core(cpu);
        pthread_mutex_lock(&c->lock);
        pthread_cond_broadcast(&c->cond);
        pthread_mutex_unlock(&c->lock);
    }
    __atomic_fetch_add(&cpu->stats.kicks_received, 1, __ATOMIC_RELAXED);
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
        __atomic_store_n(&cpu->halted, 1, __ATOMIC_RELEASE);
        break;
    case EXCP_YIELD:
        if (!cpus.cfg.single_thread) {
            sched_yield();
        }
        break;
    case EXCP_ICOUNT:
        /* the exact budget ran out: this core stops here */
        __atomic_store_n(&cpu->stopped, 1, __ATOMIC_RELEASE);
        break;
    default:
        break;
    }
}

static void *core_thread(void *arg)
{
    CPUState *cpu = arg;
    CoreState *w = coremu_core(cpu);
    tb_cache_new(cpu, cpus.cfg.backend, cpus.cfg.tb_size);
    if (cpus.cfg.icount) {
        cpu->icount_enabled = true;
        cpu_icount_set_budget(cpu, cpu->icount_stop ? cpu->icount_stop : ~0ull >> 1);
    }
    while (!shutting_down()) {
        coremu_drain(cpu); /* messages are handled between TBs, halted or not */
        pthread_mutex_lock(&w->lock);
        while (!shutting_down() && !coremu_has_mail(cpu) && !core_runnable(cpu)) {
            uint64_t t0 = clock_ns();
            w->sleeping = true;
            pthread_cond_wait(&w->cond, &w->lock);
            w->sleeping = false;
            CPU_STAT_ADD(cpu, idle_ns, clock_ns() - t0);
        }
        pthread_mutex_unlock(&w->lock);
        if (shutting_down()) {
            break;
        }
        if (coremu_has_mail(cpu)) {
            continue;
        }
        core_run_once(cpu);
    }
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

static void *single_thread(void *arg)
{
    Machine *m = arg;
    for (int i = 0; i < m->ncpus; i++) {
        tb_cache_new(m->cpus[i], cpus.cfg.backend, cpus.cfg.tb_size);
        if (cpus.cfg.icount) {
            m->cpus[i]->icount_enabled = true;
            cpu_icount_set_budget(m->cpus[i], ~0ull >> 1);
        }
    }
    cpus.slice = host_timer_new(slice_expired, NULL);
    host_timer_mod(cpus.slice, clock_ns() + 5000000);
    while (!shutting_down()) {
        bool ran = false;
        for (int i = 0; i < m->ncpus && !shutting_down(); i++) {
            CPUState *cpu = m->cpus[i];
            if (!core_runnable(cpu)) {
                continue;
            }
            __atomic_store_n(&cpus.current, cpu, __ATOMIC_RELEASE);
            core_run_once(cpu);
            __atomic_store_n(&cpus.current, NULL, __ATOMIC_RELEASE);
            ran = true;
        }
        if (!ran) {
            CoreWait *w = &cpus.single_wait;
            pthread_mutex_lock(&w->lock);
            bool any = false;
            for (int i = 0; i < m->ncpus; i++) {
                any |= core_runnable(m->cpus[i]);
            }
            if (!any && !shutting_down()) {
                pthread_cond_wait(&w->cond, &w->lock);
            }
            pthread_mutex_unlock(&w->lock);
        }
    }
    host_timer_del(cpus.slice);
    return NULL;
}

void cpus_request_shutdown(Machine *m, int kind, int status)
{
    pthread_mutex_lock(&cpus.lock);
    if (!m->shutdown_requested) {
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

int cpus_run(Machine *m, const CpusConfig *cfg)
{
    cpus.m = m;
    cpus.cfg = *cfg;
    coremu_set_single_thread(cfg->single_thread);
    pthread_mutex_init(&cpus.lock, NULL);
    pthread_cond_init(&cpus.cond, NULL);
    pthread_mutex_init(&cpus.single_wait.lock, NULL);
    pthread_cond_init(&cpus.single_wait.cond, NULL);

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

    pthread_mutex_lock(&cpus.lock);
    while (!m->shutdown_requested) {
        pthread_cond_wait(&cpus.cond, &cpus.lock);
    }
    pthread_mutex_unlock(&cpus.lock);
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
    for (int i = 0; i < m->ncpus; i++) {
        const CPUStats *st = &m->cpus[i]->stats;
        fprintf(f,
                "{\"core\": %d, \"insns\": %llu, \"tbs_executed\": %llu, "
                "\"tbs_translated\": %llu, \"code_flushes\": %llu, \"tlb_flushes\": %llu, "
                "\"tlb_misses\": %llu, \"exceptions\": %llu, \"interrupts\": %llu, "
                "\"kicks_received\": %llu, \"idle_ns\": %llu}\n",
                i, (unsigned long long)st->insns, (unsigned long long)st->tbs_executed,
                (unsigned long long)st->tbs_translated, (unsigned long long)st->code_flushes,
                (unsigned long long)st->tlb_flushes, (unsigned long long)st->tlb_misses,
                (unsigned long long)st->exceptions, (unsigned long long)st->interrupts,
                (unsigned long long)__atomic_load_n(&st->kicks_received, __ATOMIC_RELAXED),
                (unsigned long long)st->idle_ns);
    }
    return fclose(f) == 0;
}
