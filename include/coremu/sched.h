/*
 * sched.h — feedback-directed scheduling of core threads on host CPUs
 * (-coremu sched=feedback|pin|none).
 *
 * A monitor thread samples every core each period (20 ms by default):
 * the time it slept (halted, powered off, backed off), its spin exits
 * (WFE/YIELD/PAUSE hints) and whether it is powered off. From the samples a
 * pure decision function computes a placement:
 *   feedback  busy cores are pinned, spread over the host CPUs (at most
 *             ceil(busy/hosts) per CPU, keeping a core where it was when that
 *             still fits, so placements are stable); idle and spinning cores
 *             are grouped on the CPUs no busy core holds (free to move among
 *             them: a broadcast IPI that wakes them all does not queue them
 *             on one CPU), or anywhere when every CPU holds a busy core; when
 *             the active (busy + spinning) cores outnumber the host CPUs,
 *             spinning cores may back off (-coremu backoff=on): after a few
 *             sched_yields their spin exits sleep 20..40 us on their futex.
 *             With more guest cores than host CPUs nothing is pinned: on a
 *             2-CPU host pinning did not make a 64-core boot faster
 *             (docs/coremu.md), and spinners only sched_yield unless backoff
 *             is on (it made that boot slower);
 *   pin       core i on host CPU i % hosts, once;
 *   none      no affinity, no backoff: the host OS places the threads.
 * The monitor applies placements with sched_setaffinity on the core
 * threads and counts every change per core (stats: migrations).
 */
#ifndef COREMU_SCHED_H
#define COREMU_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "exec/cpu.h"

typedef enum CoreSchedPolicy {
    COREMU_SCHED_FEEDBACK,
    COREMU_SCHED_PIN,
    COREMU_SCHED_NONE,
} CoreSchedPolicy;

/* "feedback" | "pin" | "none" */
bool coremu_sched_parse(const char *name, CoreSchedPolicy *out);
const char *coremu_sched_name(CoreSchedPolicy p);

typedef enum CoreClass {
    COREMU_CORE_IDLE, /* mostly asleep, or powered off */
    COREMU_CORE_BUSY, /* mostly running guest code */
    COREMU_CORE_SPIN, /* spin-waiting (many WFE/YIELD/PAUSE exits) */
} CoreClass;

/* One core over one sampling interval. */
typedef struct CoreSample {
    uint64_t wall_ns; /* length of the interval */
    uint64_t idle_ns; /* time asleep in it */
    uint64_t spins;   /* spin exits in it */
    uint64_t cpu_ns;  /* host CPU time the core's thread used in it (0: unknown) */
    bool stopped;     /* powered off (or never started) at the sample */
} CoreSample;

#define COREMU_PLACE_ANY (-1)  /* no affinity: any allowed host CPU */
#define COREMU_PLACE_IDLE (-2) /* any CPU of the decision's idle set */

typedef struct CorePlace {
    int cpu;      /* index into the host CPU list, or COREMU_PLACE_* */
    bool backoff; /* spin exits sleep instead of yielding */
    uint8_t cls;  /* CoreClass the decision saw */
} CorePlace;

/* A core is spinning when it made a spin exit per COREMU_SPIN_CPU_NS of host
 * CPU time or more, and either COREMU_SPIN_MIN of them in the interval or it
 * was mostly awake: a spinner that shares its host CPU with a busy core runs
 * rarely, so the rate per second of wall time says little, the rate per CPU
 * time a lot. */
#define COREMU_SPIN_MIN 4u
#define COREMU_SPIN_CPU_NS 50000u
#define COREMU_BUSY_IDLE_PCT 50 /* a core asleep less than this % of the interval is busy */
/* ... with hysteresis in coremu_sched_decide: given the previous classes, a
 * busy core stays busy until asleep this % of the time, an other becomes busy
 * only when asleep less than that */
#define COREMU_BUSY_LEAVE_PCT 75
#define COREMU_BUSY_ENTER_PCT 25

CoreClass coremu_sched_classify(const CoreSample *s);

/*
 * The decision, pure: samples of ncores cores, nhost host CPUs, the previous
 * placement (NULL, or prev[i].cpu < 0, the first time) -> out[ncores], and
 * idle_set[nhost] (may be NULL): 1 for the host CPUs of COREMU_PLACE_IDLE.
 */
void coremu_sched_decide(CoreSchedPolicy p, int ncores, const CoreSample *s, int nhost,
                         const CorePlace *prev, CorePlace *out, uint8_t *idle_set);

typedef struct CoreMonitor CoreMonitor;

/*
 * Start the monitor thread for cpus[0..ncores) (their CoreStates exist; the
 * core threads may start later: each is placed once it has called
 * coremu_thread_start). host_cpus: the host CPU ids to use (NULL: the
 * process's affinity mask at start). period_ms 0: 20 ms (50 ms past 64 cores).
 * backoff: apply the decisions' backoff flags (-coremu backoff=on); off, the
 * spinners sched_yield whatever the decision says.
 */
CoreMonitor *coremu_monitor_start(CPUState *const *cpus, int ncores, CoreSchedPolicy p,
                                  uint32_t period_ms, const int *host_cpus, int nhost,
                                  bool backoff);
/* Stop and join the thread; the placements stay as they are. */
void coremu_monitor_stop(CoreMonitor *mon);
/* Sampling rounds done so far (any thread). */
uint64_t coremu_monitor_rounds(CoreMonitor *mon);

#endif
