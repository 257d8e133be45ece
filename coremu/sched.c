/*
 * sched.c — the scheduling monitor (include/coremu/sched.h): a pure decision
 * function from per-core samples to a placement, and the thread that samples
 * the cores, decides and applies placements with sched_setaffinity.
 *
 * The monitor only reads per-core counters (relaxed atomics, written by
 * their cores) and writes CoreState.backoff / host_cpu / migrations, which
 * the cores and the stats writer read with atomics. It never blocks a core.
 */
#include "coremu/sched.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "coremu/coremu.h"
#include "util/log.h"

static __thread CPUState *current_core;

void coremu_thread_start(CPUState *cpu)
{
    current_core = cpu;
    CoreState *c = coremu_core(cpu);
    if (pthread_getcpuclockid(pthread_self(), &c->cpu_clock) != 0) {
        c->cpu_clock = CLOCK_THREAD_CPUTIME_ID; /* reads the monitor's own: harmless */
    }
    /* tid published last (release): the monitor reads cpu_clock after it */
    __atomic_store_n(&coremu_core(cpu)->tid, (int32_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
}

CPUState *coremu_current(void)
{
    return current_core;
}

bool coremu_sched_parse(const char *name, CoreSchedPolicy *out)
{
    static const char *const names[] = {"feedback", "pin", "none"};
    for (int i = 0; i < 3; i++) {
        if (strcmp(name, names[i]) == 0) {
            *out = (CoreSchedPolicy)i;
            return true;
        }
    }
    return false;
}

const char *coremu_sched_name(CoreSchedPolicy p)
{
    return p == COREMU_SCHED_PIN ? "pin" : p == COREMU_SCHED_NONE ? "none" : "feedback";
}

CoreClass coremu_sched_classify(const CoreSample *s)
{
    if (s->stopped || s->wall_ns == 0) {
        return COREMU_CORE_IDLE;
    }
    uint64_t idle = s->idle_ns < s->wall_ns ? s->idle_ns : s->wall_ns;
    uint64_t cpu = s->cpu_ns ? s->cpu_ns : s->wall_ns - idle;
    bool awake = idle * 100 < (uint64_t)COREMU_BUSY_IDLE_PCT * s->wall_ns;
    if (s->spins && s->spins * COREMU_SPIN_CPU_NS >= cpu &&
        (s->spins >= COREMU_SPIN_MIN || awake)) {
        return COREMU_CORE_SPIN; /* (awake with few spins: starved by a busy neighbour) */
    }
    return awake ? COREMU_CORE_BUSY : COREMU_CORE_IDLE;
}

static int least_loaded(const int *load, int nhost)
{
    int best = 0;
    for (int h = 1; h < nhost; h++) {
        if (load[h] < load[best]) {
            best = h;
        }
    }
    return best;
}

void coremu_sched_decide(CoreSchedPolicy p, int ncores, const CoreSample *s, int nhost,
                         const CorePlace *prev, CorePlace *out, uint8_t *idle_set)
{
    int nbusy = 0, nspin = 0;
    for (int i = 0; i < ncores; i++) {
        CoreClass cls = coremu_sched_classify(&s[i]);
        /* hysteresis: a busy core stays busy until asleep COREMU_BUSY_LEAVE_PCT
         * of the time, another becomes busy only below COREMU_BUSY_ENTER_PCT,
         * so a core near the line does not move (and move the idle set) */
        uint64_t idle_pct = s[i].wall_ns ? s[i].idle_ns * 100 / s[i].wall_ns : 100;
        bool was_busy = prev && prev[i].cls == COREMU_CORE_BUSY;
        if (was_busy && cls == COREMU_CORE_IDLE && !s[i].stopped &&
            idle_pct < COREMU_BUSY_LEAVE_PCT) {
            cls = COREMU_CORE_BUSY;
        } else if (prev && !was_busy && cls == COREMU_CORE_BUSY &&
                   idle_pct >= COREMU_BUSY_ENTER_PCT) {
            cls = COREMU_CORE_IDLE;
        }
        out[i].cls = (uint8_t)cls;
        out[i].cpu = COREMU_PLACE_ANY;
        out[i].backoff = false;
        nbusy += out[i].cls == COREMU_CORE_BUSY;
        nspin += out[i].cls == COREMU_CORE_SPIN;
    }
    if (idle_set) {
        memset(idle_set, 1, (size_t)(nhost > 0 ? nhost : 0));
    }
    if (p == COREMU_SCHED_NONE || nhost <= 0) {
        return;
    }
    if (p == COREMU_SCHED_PIN) {
        for (int i = 0; i < ncores; i++) {
            out[i].cpu = i % nhost;
        }
        return;
    }
    /* feedback: spinners back off when the active cores outnumber the hosts */
    bool oversubscribed = nbusy + nspin > nhost;
    for (int i = 0; i < ncores; i++) {
        out[i].backoff = oversubscribed && out[i].cls == COREMU_CORE_SPIN;
    }
    if (nhost == 1 || nbusy == 0) {
        return; /* nothing to spread: the host places everyone */
    }
    if (ncores > nhost) {
        /* More guest cores than host CPUs: pinning takes from the host the
         * freedom to run whichever thread is runnable where a CPU is free, and
         * the guest's waits (a broadcast IPI, a lock) make the cores depend on
         * each other. Measured on 2 host CPUs, a 64-core boot was no faster
         * pinned (59 s, 26.5 s user) than unpinned (24..83 s, 22.6..27.7 s
         * user), and 95 s pinned with backoff (docs/coremu.md). So only the
         * spinners' backoff (if enabled) applies. */
        return;
    }
    int *load = calloc((size_t)nhost, sizeof(*load));
    if (!load) {
        return;
    }
    /* busy cores: at most cap per CPU (one while there are CPUs enough); a
     * core stays where it was while that CPU has room ... */
    int cap = (nbusy + nhost - 1) / nhost;
    for (int i = 0; i < ncores; i++) {
        int c = prev ? prev[i].cpu : -1;
        if (out[i].cls == COREMU_CORE_BUSY && c >= 0 && c < nhost && load[c] < cap) {
            out[i].cpu = c;
            load[c]++;
        }
    }
    /* ... the others go to the least loaded CPU */
    for (int i = 0; i < ncores; i++) {
        if (out[i].cls == COREMU_CORE_BUSY && out[i].cpu < 0) {
            int c = least_loaded(load, nhost);
            out[i].cpu = c;
            load[c]++;
        }
    }
    /* idle and spinning cores together on the CPUs no busy core holds (all of
     * them when every CPU has a busy core): they neither disturb the busy
     * cores nor queue on one CPU when a broadcast IPI wakes them all */
    if (nbusy < nhost) {
        for (int h = 0; h < nhost; h++) {
            if (idle_set) {
                idle_set[h] = load[h] == 0;
            }
        }
        for (int i = 0; i < ncores; i++) {
            if (out[i].cls != COREMU_CORE_BUSY) {
                out[i].cpu = COREMU_PLACE_IDLE;
            }
        }
    }
    free(load);
}

/* ---- the monitor thread ---- */

struct CoreMonitor {
    CPUState **cpus;
    int ncores;
    CoreSchedPolicy policy;
    bool backoff;
    uint64_t period_ns;
    int *host;       /* host CPU ids */
    int nhost;
    cpu_set_t all;   /* the process's mask: "anywhere" */
    uint32_t stop;   /* futex word: 1 = stop */
    uint64_t rounds;
    pthread_t thread;
    /* monitor thread only */
    CorePlace *placed; /* what is applied */
    bool *applied;     /* placed[i] is in force on the core's thread */
    uint32_t *placed_gen; /* for COREMU_PLACE_IDLE: the idle set generation applied */
    uint8_t *idle_set, *new_idle_set; /* [nhost] */
    uint32_t idle_gen;    /* bumped when the idle set changes */
    uint64_t *last_idle, *last_spins, *last_cpu;
    CoreSample *smooth; /* per core: the average of this interval and the smoothed past */
    uint64_t last_ns;
    bool warned;
};

/* total asleep time of a core so far, the current sleep included */
static uint64_t idle_total(CPUState *cpu, uint64_t now)
{
    uint64_t idle = __atomic_load_n(&cpu->stats.idle_ns, __ATOMIC_RELAXED);
    uint64_t since = coremu_sleep_since(&coremu_core(cpu)->sleep);
    if (since && since < now) {
        idle += now - since;
    }
    return idle;
}

/* host CPU time of a core's thread so far (0: not started or unknown) */
static uint64_t thread_cpu_ns(CoreState *c)
{
    if (!__atomic_load_n(&c->tid, __ATOMIC_ACQUIRE)) {
        return 0;
    }
    struct timespec ts;
    if (clock_gettime(c->cpu_clock, &ts) != 0) {
        return 0;
    }
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void apply(CoreMonitor *mon, int i, const CorePlace *pl)
{
    CoreState *c = coremu_core(mon->cpus[i]);
    __atomic_store_n(&c->backoff, pl->backoff && mon->backoff ? 1u : 0u, __ATOMIC_RELAXED);
    int tid = __atomic_load_n(&c->tid, __ATOMIC_ACQUIRE);
    if (tid == 0) {
        return; /* not started yet: placed when it is */
    }
    if (mon->applied[i] && mon->placed[i].cpu == pl->cpu &&
        (pl->cpu != COREMU_PLACE_IDLE || mon->placed_gen[i] == mon->idle_gen)) {
        return;
    }
    if (!mon->applied[i] && pl->cpu == COREMU_PLACE_ANY) {
        mon->applied[i] = true; /* nothing to undo */
        mon->placed[i].cpu = COREMU_PLACE_ANY;
        return;
    }
    cpu_set_t set;
    CPU_ZERO(&set);
    if (pl->cpu >= 0) {
        CPU_SET(mon->host[pl->cpu], &set);
    } else if (pl->cpu == COREMU_PLACE_IDLE) {
        for (int h = 0; h < mon->nhost; h++) {
            if (mon->idle_set[h]) {
                CPU_SET(mon->host[h], &set);
            }
        }
    } else {
        set = mon->all;
    }
    if (sched_setaffinity(tid, sizeof(set), &set) != 0) {
        if (errno == ESRCH) {
            return; /* the thread has ended (shutdown) */
        }
        /* EINVAL/EPERM (a container's cpuset changed under us): placement is
         * advice, the run goes on unpinned; said once in the -d int log */
        if (!mon->warned) {
            log_mask_printf(LOG_INT, "coremu: cannot place core %d's thread: %s\n", i,
                            strerror(errno));
            mon->warned = true;
        }
        return;
    }
    mon->applied[i] = true;
    mon->placed[i].cpu = pl->cpu;
    mon->placed_gen[i] = mon->idle_gen;
    __atomic_store_n(&c->host_cpu, pl->cpu >= 0 ? mon->host[pl->cpu] : -1, __ATOMIC_RELAXED);
    __atomic_store_n(&c->migrations, __atomic_load_n(&c->migrations, __ATOMIC_RELAXED) + 1,
                     __ATOMIC_RELAXED);
}

static void monitor_round(CoreMonitor *mon, CoreSample *s, CorePlace *out)
{
    uint64_t now = coremu_now_ns();
    uint64_t wall = now - mon->last_ns;
    for (int i = 0; i < mon->ncores; i++) {
        CPUState *cpu = mon->cpus[i];
        uint64_t idle = idle_total(cpu, now);
        uint64_t spins = __atomic_load_n(&cpu->stats.spin_exits, __ATOMIC_RELAXED);
        uint64_t cpu_ns = thread_cpu_ns(coremu_core(cpu));
        s[i].cpu_ns = cpu_ns > mon->last_cpu[i] ? cpu_ns - mon->last_cpu[i] : 0;
        mon->last_cpu[i] = cpu_ns;
        s[i].wall_ns = wall;
        s[i].idle_ns = idle > mon->last_idle[i] ? idle - mon->last_idle[i] : 0;
        s[i].spins = spins - mon->last_spins[i];
        s[i].stopped = __atomic_load_n(&cpu->stopped, __ATOMIC_RELAXED) != 0;
        mon->last_idle[i] = idle;
        mon->last_spins[i] = spins;
    }
    mon->last_ns = now;
    /* decide on a moving average (each interval weighs half of what came
     * before), so a core's class does not flip on one odd interval */
    for (int i = 0; i < mon->ncores; i++) {
        CoreSample *m = &mon->smooth[i];
        if (m->wall_ns == 0) {
            *m = s[i];
        } else {
            m->wall_ns = (m->wall_ns + s[i].wall_ns) / 2;
            m->idle_ns = (m->idle_ns + s[i].idle_ns) / 2;
            m->spins = (m->spins + s[i].spins + 1) / 2;
            m->cpu_ns = (m->cpu_ns + s[i].cpu_ns) / 2;
            m->stopped = s[i].stopped;
        }
        s[i] = *m;
    }
    coremu_sched_decide(mon->policy, mon->ncores, s, mon->nhost, mon->placed, out,
                        mon->new_idle_set);
    for (int i = 0; i < mon->ncores; i++) {
        mon->placed[i].cls = out[i].cls; /* the classes are the next decision's past */
    }
    if (memcmp(mon->new_idle_set, mon->idle_set, (size_t)mon->nhost) != 0) {
        memcpy(mon->idle_set, mon->new_idle_set, (size_t)mon->nhost);
        mon->idle_gen++;
    }
    for (int i = 0; i < mon->ncores; i++) {
        apply(mon, i, &out[i]);
    }
    __atomic_fetch_add(&mon->rounds, 1, __ATOMIC_RELEASE);
}

static void *monitor_main(void *arg)
{
    CoreMonitor *mon = arg;
    CoreSample *s = calloc((size_t)mon->ncores, sizeof(*s));
    CorePlace *out = calloc((size_t)mon->ncores, sizeof(*out));
    if (!s || !out) {
        fatal("out of memory");
    }
    mon->last_ns = coremu_now_ns();
    while (!__atomic_load_n(&mon->stop, __ATOMIC_ACQUIRE)) {
        coremu_futex_wait(&mon->stop, 0, mon->period_ns);
        if (__atomic_load_n(&mon->stop, __ATOMIC_ACQUIRE)) {
            break;
        }
        monitor_round(mon, s, out);
    }
    free(s);
    free(out);
    return NULL;
}

CoreMonitor *coremu_monitor_start(CPUState *const *cpus, int ncores, CoreSchedPolicy p,
                                  uint32_t period_ms, const int *host_cpus, int nhost,
                                  bool backoff)
{
    CoreMonitor *mon = calloc(1, sizeof(*mon));
    if (!mon) {
        fatal("out of memory");
    }
    mon->cpus = calloc((size_t)ncores, sizeof(*mon->cpus));
    mon->placed = calloc((size_t)ncores, sizeof(*mon->placed));
    mon->applied = calloc((size_t)ncores, sizeof(*mon->applied));
    mon->last_idle = calloc((size_t)ncores, sizeof(*mon->last_idle));
    mon->last_spins = calloc((size_t)ncores, sizeof(*mon->last_spins));
    mon->last_cpu = calloc((size_t)ncores, sizeof(*mon->last_cpu));
    mon->smooth = calloc((size_t)ncores, sizeof(*mon->smooth));
    if (!mon->cpus || !mon->placed || !mon->applied || !mon->last_idle || !mon->last_spins ||
        !mon->last_cpu || !mon->smooth) {
        fatal("out of memory");
    }
    memcpy(mon->cpus, cpus, (size_t)ncores * sizeof(*cpus));
    mon->ncores = ncores;
    mon->policy = p;
    mon->backoff = backoff;
    /* 20 ms; 50 ms past 64 cores (a round reads every thread's CPU clock: ~1 us each) */
    mon->period_ns = (uint64_t)(period_ms ? period_ms : ncores > 64 ? 50 : 20) * 1000000ull;
    for (int i = 0; i < ncores; i++) {
        mon->placed[i].cpu = -1;
    }
    CPU_ZERO(&mon->all);
    if (sched_getaffinity(0, sizeof(mon->all), &mon->all) != 0) {
        for (int c = 0; c < 64; c++) {
            CPU_SET(c, &mon->all);
        }
    }
    if (host_cpus) {
        mon->nhost = nhost;
        mon->host = calloc((size_t)(nhost > 0 ? nhost : 1), sizeof(int));
        if (!mon->host) {
            fatal("out of memory");
        }
        memcpy(mon->host, host_cpus, (size_t)nhost * sizeof(int));
    } else {
        mon->host = calloc(CPU_SETSIZE, sizeof(int));
        if (!mon->host) {
            fatal("out of memory");
        }
        for (int c = 0; c < CPU_SETSIZE; c++) {
            if (CPU_ISSET(c, &mon->all)) {
                mon->host[mon->nhost++] = c;
            }
        }
    }
    mon->placed_gen = calloc((size_t)ncores, sizeof(*mon->placed_gen));
    mon->idle_set = calloc((size_t)mon->nhost + 1, 1);
    mon->new_idle_set = calloc((size_t)mon->nhost + 1, 1);
    if (!mon->placed_gen || !mon->idle_set || !mon->new_idle_set) {
        fatal("out of memory");
    }
    memset(mon->idle_set, 1, (size_t)mon->nhost);
    if (pthread_create(&mon->thread, NULL, monitor_main, mon) != 0) {
        fatal("cannot start the coremu scheduling monitor");
    }
    return mon;
}

void coremu_monitor_stop(CoreMonitor *mon)
{
    if (!mon) {
        return;
    }
    __atomic_store_n(&mon->stop, 1, __ATOMIC_RELEASE);
    coremu_futex_wake(&mon->stop, 1);
    pthread_join(mon->thread, NULL);
    free(mon->cpus);
    free(mon->placed);
    free(mon->applied);
    free(mon->last_idle);
    free(mon->last_spins);
    free(mon->last_cpu);
    free(mon->smooth);
    free(mon->placed_gen);
    free(mon->idle_set);
    free(mon->new_idle_set);
    free(mon->host);
    free(mon);
}

uint64_t coremu_monitor_rounds(CoreMonitor *mon)
{
    return __atomic_load_n(&mon->rounds, __ATOMIC_ACQUIRE);
}
