/*
 * test-coremu-sched.c — feedback-directed scheduling (coremu/sched.c): the
 * decision function as pure code (samples in, placement out), and the
 * monitor thread sampling real threads that are busy, halted or spinning
 * (also under ThreadSanitizer in make check): busy threads end up on
 * distinct host CPUs, idle ones grouped, spinners backed off when the host
 * is oversubscribed, and the affinity really set.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "coremu/coremu.h"
#include "coremu/sched.h"

static int failures;

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
        fflush(stdout);                                                                \
    } while (0)

#define MS 1000000ull

static CoreSample busy(void)
{
    return (CoreSample){.wall_ns = 20 * MS, .idle_ns = 1 * MS, .spins = 3};
}
static CoreSample idle(void)
{
    return (CoreSample){.wall_ns = 20 * MS, .idle_ns = 19 * MS, .spins = 0};
}
static CoreSample spin(void)
{
    return (CoreSample){.wall_ns = 20 * MS, .idle_ns = 10 * MS, .spins = 500, .cpu_ns = 2 * MS};
}
static CoreSample off(void)
{
    return (CoreSample){.wall_ns = 20 * MS, .idle_ns = 0, .stopped = true};
}

static void test_classify(void)
{
    CoreSample a = busy(), b = idle(), c = spin(), d = off();
    CoreSample e = {.wall_ns = 20 * MS, .idle_ns = 5 * MS, .spins = 39}; /* 1 per 385 us */
    /* a starved spinner; an idle core with a few WFEs */
    CoreSample g = {.wall_ns = 20 * MS, .idle_ns = 0, .spins = 5, .cpu_ns = 100000};
    CoreSample h = {.wall_ns = 20 * MS, .idle_ns = 19 * MS, .spins = 3, .cpu_ns = 1000};
    CoreSample f = {.wall_ns = 20 * MS, .idle_ns = 30 * MS};              /* idle > wall: clamped */
    CHECK("classify", coremu_sched_classify(&a) == COREMU_CORE_BUSY &&
                          coremu_sched_classify(&b) == COREMU_CORE_IDLE &&
                          coremu_sched_classify(&c) == COREMU_CORE_SPIN &&
                          coremu_sched_classify(&d) == COREMU_CORE_IDLE &&
                          coremu_sched_classify(&e) == COREMU_CORE_BUSY &&
                          coremu_sched_classify(&f) == COREMU_CORE_IDLE &&
                          coremu_sched_classify(&g) == COREMU_CORE_SPIN &&
                          coremu_sched_classify(&h) == COREMU_CORE_IDLE,
          "busy %d idle %d spin %d off %d slow-spin %d over-idle %d", coremu_sched_classify(&a),
          coremu_sched_classify(&b), coremu_sched_classify(&c), coremu_sched_classify(&d),
          coremu_sched_classify(&e), coremu_sched_classify(&f));
}

static void test_parse(void)
{
    CoreSchedPolicy p = COREMU_SCHED_NONE, q = COREMU_SCHED_NONE, r = COREMU_SCHED_FEEDBACK;
    bool ok = coremu_sched_parse("feedback", &p) && coremu_sched_parse("pin", &q) &&
              coremu_sched_parse("none", &r) && !coremu_sched_parse("fast", &r);
    CHECK("parse-policy", ok && p == COREMU_SCHED_FEEDBACK && q == COREMU_SCHED_PIN &&
                              r == COREMU_SCHED_NONE &&
                              strcmp(coremu_sched_name(COREMU_SCHED_PIN), "pin") == 0,
          "parse results wrong");
}

static void test_pin_none(void)
{
    CoreSample s[5] = {busy(), idle(), spin(), busy(), off()};
    CorePlace out[5];
    coremu_sched_decide(COREMU_SCHED_PIN, 5, s, 2, NULL, out, NULL);
    bool pin_ok = true;
    for (int i = 0; i < 5; i++) {
        pin_ok &= out[i].cpu == i % 2 && !out[i].backoff;
    }
    CHECK("decide-pin-i-mod-hosts", pin_ok, "pin placement wrong");
    coremu_sched_decide(COREMU_SCHED_NONE, 5, s, 1, NULL, out, NULL);
    bool none_ok = true;
    for (int i = 0; i < 5; i++) {
        none_ok &= out[i].cpu == COREMU_PLACE_ANY && !out[i].backoff;
    }
    CHECK("decide-none-leaves-placement", none_ok, "none placed or backed off a core");
}

/* Busy cores pinned, at most ceil(busy/hosts) per CPU; the others all on the
 * idle set, which is the CPUs without a busy core (or, with none free, all
 * of them: COREMU_PLACE_ANY). */
static bool spread_ok(const CorePlace *out, int n, int nhost, int nbusy, const uint8_t *idle)
{
    int load[64] = {0};
    for (int i = 0; i < n; i++) {
        if (out[i].cls == COREMU_CORE_BUSY) {
            if (out[i].cpu < 0 || out[i].cpu >= nhost) {
                return false;
            }
            load[out[i].cpu]++;
        } else if (out[i].cpu != (nbusy < nhost ? COREMU_PLACE_IDLE : COREMU_PLACE_ANY)) {
            return false;
        }
    }
    int cap = (nbusy + nhost - 1) / nhost;
    for (int h = 0; h < nhost; h++) {
        if (load[h] > cap || (nbusy < nhost && idle[h] != (load[h] == 0))) {
            return false;
        }
    }
    return true;
}

static void test_feedback(void)
{
    /* 2 busy + 6 idle on 8 hosts: busy on distinct CPUs, the rest on the other six */
    CoreSample s[8] = {idle(), busy(), idle(), idle(), busy(), idle(), off(), idle()};
    CorePlace out[8], prev[8];
    uint8_t idle_set[8];
    coremu_sched_decide(COREMU_SCHED_FEEDBACK, 8, s, 8, NULL, out, idle_set);
    int nidle = 0;
    for (int h = 0; h < 8; h++) {
        nidle += idle_set[h];
    }
    CHECK("feedback-busy-spread-idle-grouped",
          spread_ok(out, 8, 8, 2, idle_set) && out[1].cpu != out[4].cpu && nidle == 6,
          "busy on %d,%d, %d CPUs in the idle set", out[1].cpu, out[4].cpu, nidle);
    bool nob = true;
    for (int i = 0; i < 8; i++) {
        nob &= !out[i].backoff;
    }
    CHECK("feedback-no-backoff-without-spinners", nob, "a core backed off");

    /* stability: a placement that still fits is kept */
    memcpy(prev, out, sizeof(out));
    prev[1].cpu = 3;
    prev[4].cpu = 2;
    coremu_sched_decide(COREMU_SCHED_FEEDBACK, 8, s, 8, prev, out, idle_set);
    CHECK("feedback-keeps-fitting-placement",
          out[1].cpu == 3 && out[4].cpu == 2 && spread_ok(out, 8, 8, 2, idle_set) &&
              idle_set[0] && idle_set[1] && !idle_set[2] && !idle_set[3],
          "busy moved to %d,%d", out[1].cpu, out[4].cpu);

    /* one idle core turns busy: it alone is pinned, the busy ones stay */
    memcpy(prev, out, sizeof(out));
    s[2] = busy();
    coremu_sched_decide(COREMU_SCHED_FEEDBACK, 8, s, 8, prev, out, idle_set);
    int moved = 0;
    for (int i = 0; i < 8; i++) {
        moved += out[i].cpu != prev[i].cpu;
    }
    CHECK("feedback-one-change-moves-one-core",
          moved == 1 && out[2].cpu >= 0 && out[2].cpu != 2 && out[2].cpu != 3 &&
              spread_ok(out, 8, 8, 3, idle_set),
          "%d cores moved, core 2 on %d", moved, out[2].cpu);
    s[2] = idle();

    /* 3 busy on 4 hosts, all on CPU 0 before: one per CPU, the idle one on the fourth */
    CoreSample s4[4] = {busy(), busy(), busy(), idle()};
    CorePlace p4[4] = {{0}, {0}, {0}, {0}}, o4[4];
    coremu_sched_decide(COREMU_SCHED_FEEDBACK, 4, s4, 4, p4, o4, idle_set);
    CHECK("feedback-balances-busy",
          spread_ok(o4, 4, 4, 3, idle_set) && o4[0].cpu == 0 && idle_set[0] == 0,
          "placement %d %d %d %d", o4[0].cpu, o4[1].cpu, o4[2].cpu, o4[3].cpu);

    /* 16 cores on 2 hosts: 1 busy, 13 spinning, 2 idle -> spinners back off, and
     * nobody is pinned (more guest cores than host CPUs: the host balances) */
    CoreSample s16[16];
    CorePlace o16[16];
    for (int i = 0; i < 16; i++) {
        s16[i] = i < 1 ? busy() : i < 14 ? spin() : idle();
    }
    coremu_sched_decide(COREMU_SCHED_FEEDBACK, 16, s16, 2, NULL, o16, idle_set);
    bool spin_back = true, others_not = true;
    for (int i = 0; i < 16; i++) {
        if (o16[i].cls == COREMU_CORE_SPIN) {
            spin_back &= o16[i].backoff;
        } else {
            others_not &= !o16[i].backoff;
        }
    }
    bool unpinned = true;
    for (int i = 0; i < 16; i++) {
        unpinned &= o16[i].cpu == COREMU_PLACE_ANY;
    }
    CHECK("feedback-oversubscribed-spinners-back-off", spin_back && others_not && unpinned,
          "backoff spin %d others %d, unpinned %d", spin_back, others_not, unpinned);

    /* 1 busy + 1 spinning on 4 hosts: room for both, nobody backs off */
    CoreSample s2[2] = {busy(), spin()};
    CorePlace o2[2];
    coremu_sched_decide(COREMU_SCHED_FEEDBACK, 2, s2, 4, NULL, o2, idle_set);
    CHECK("feedback-no-backoff-with-room",
          !o2[0].backoff && !o2[1].backoff && o2[0].cpu >= 0 && o2[1].cpu == COREMU_PLACE_IDLE &&
              !idle_set[o2[0].cpu],
          "backoff %d %d, cpus %d %d", o2[0].backoff, o2[1].backoff, o2[0].cpu, o2[1].cpu);

    /* one host CPU: nothing to place, but spinners still back off */
    coremu_sched_decide(COREMU_SCHED_FEEDBACK, 2, s2, 1, NULL, o2, idle_set);
    CHECK("feedback-one-host",
          o2[0].cpu == COREMU_PLACE_ANY && o2[1].cpu == COREMU_PLACE_ANY && o2[1].backoff &&
              !o2[0].backoff,
          "cpus %d %d backoff %d %d", o2[0].cpu, o2[1].cpu, o2[0].backoff, o2[1].backoff);

    /* more guest cores than host CPUs, none spinning: nobody pinned */
    CoreSample s3[3] = {busy(), idle(), idle()};
    CorePlace o3[3];
    coremu_sched_decide(COREMU_SCHED_FEEDBACK, 3, s3, 2, NULL, o3, idle_set);
    CHECK("feedback-oversubscribed-guest-unpinned",
          o3[0].cpu == COREMU_PLACE_ANY && o3[1].cpu == COREMU_PLACE_ANY && !o3[0].backoff,
          "cpus %d %d", o3[0].cpu, o3[1].cpu);

    /* hysteresis: 60% asleep keeps a busy core busy and an idle one idle */
    CoreSample sh[2] = {{.wall_ns = 20 * MS, .idle_ns = 12 * MS},
                        {.wall_ns = 20 * MS, .idle_ns = 12 * MS}};
    CorePlace ph[2] = {{.cpu = 0, .cls = COREMU_CORE_BUSY}, {.cpu = -1, .cls = COREMU_CORE_IDLE}};
    CorePlace oh[2];
    coremu_sched_decide(COREMU_SCHED_FEEDBACK, 2, sh, 2, ph, oh, idle_set);
    bool h1 = oh[0].cls == COREMU_CORE_BUSY && oh[0].cpu == 0 && oh[1].cls == COREMU_CORE_IDLE;
    sh[0].idle_ns = 16 * MS; /* 80% asleep: no longer busy */
    sh[1].idle_ns = 4 * MS;  /* 20% asleep: now busy */
    coremu_sched_decide(COREMU_SCHED_FEEDBACK, 2, sh, 2, ph, oh, idle_set);
    bool h2 = oh[0].cls == COREMU_CORE_IDLE && oh[1].cls == COREMU_CORE_BUSY;
    CHECK("feedback-busy-hysteresis", h1 && h2, "classes kept %d, changed %d", h1, h2);

    /* all idle: nobody pinned */
    CoreSample si[3] = {idle(), off(), idle()};
    CorePlace oi[3];
    coremu_sched_decide(COREMU_SCHED_FEEDBACK, 3, si, 4, NULL, oi, idle_set);
    CHECK("feedback-all-idle-unpinned",
          oi[0].cpu == COREMU_PLACE_ANY && oi[1].cpu == COREMU_PLACE_ANY &&
              oi[2].cpu == COREMU_PLACE_ANY,
          "cpus %d %d %d", oi[0].cpu, oi[1].cpu, oi[2].cpu);
}

/* ---- the monitor thread on real threads ---- */

#define NT 6 /* 0 busy; 1,2,3 halted; 4,5 spinning */

static CPUState tcpu[NT];
static CoreState tcore[NT] __attribute__((aligned(64)));
static uint32_t tstop;

static bool stop_ready(void *opaque)
{
    return __atomic_load_n(&tstop, __ATOMIC_ACQUIRE) != 0;
}

static void *tcore_main(void *arg)
{
    int i = (int)(uintptr_t)arg;
    CPUState *cpu = &tcpu[i];
    coremu_thread_start(cpu);
    while (!__atomic_load_n(&tstop, __ATOMIC_ACQUIRE)) {
        if (i < 1) {
            CPU_STAT_ADD(cpu, tbs_executed, 1); /* busy */
        } else if (i < 4) {
            CPU_STAT_ADD(cpu, idle_ns, coremu_sleep(&tcore[i].sleep, stop_ready, NULL, 0));
        } else {
            CPU_STAT_ADD(cpu, spin_exits, 1); /* what coremu_spin_wait does */
            if (__atomic_load_n(&tcore[i].backoff, __ATOMIC_RELAXED)) {
                CPU_STAT_ADD(cpu, idle_ns, coremu_sleep(&tcore[i].sleep, stop_ready, NULL, 50000));
            } else {
                sched_yield();
            }
        }
    }
    return NULL;
}

static int run_monitor(CPUState **cpus, int n, const int *host, uint64_t want_rounds,
                       bool want_backoff)
{
    CoreMonitor *mon = coremu_monitor_start(cpus, n, COREMU_SCHED_FEEDBACK, 5, host, 2, true);
    for (int k = 0; k < 400 && coremu_monitor_rounds(mon) < want_rounds; k++) {
        usleep(10000);
    }
    for (int k = 0; k < 100 && want_backoff; k++) {
        if (__atomic_load_n(&tcore[4].backoff, __ATOMIC_RELAXED) &&
            __atomic_load_n(&tcore[5].backoff, __ATOMIC_RELAXED)) {
            break;
        }
        usleep(10000);
    }
    int rounds = (int)coremu_monitor_rounds(mon);
    coremu_monitor_stop(mon);
    return rounds;
}

static void test_monitor(void)
{
    cpu_set_t set;
    int host[2], nhost = 0;
    CPU_ZERO(&set);
    sched_getaffinity(0, sizeof(set), &set);
    for (int c = 0; c < CPU_SETSIZE && nhost < 2; c++) {
        if (CPU_ISSET(c, &set)) {
            host[nhost++] = c;
        }
    }
    if (nhost < 2) {
        printf("PASS monitor-skipped-one-host-cpu\n");
        return;
    }
    CPUState *cpus[NT];
    pthread_t th[NT];
    for (int i = 0; i < NT; i++) {
        tcpu[i].cpu_index = i;
        tcpu[i].coremu = &tcore[i];
        tcore[i].host_cpu = -1;
        cpus[i] = &tcpu[i];
    }
    for (int i = 0; i < NT; i++) {
        pthread_create(&th[i], NULL, tcore_main, (void *)(uintptr_t)i);
    }
    /* cores 4 and 5 (spinning) and 0 (busy) on 2 host CPUs: active cores
     * outnumber the CPUs, so the spinners back off; more cores than CPUs, so
     * nobody is pinned */
    int rounds_all = run_monitor(cpus, NT, host, 30, true);
    uint32_t backed = __atomic_load_n(&tcore[4].backoff, __ATOMIC_RELAXED) &&
                      __atomic_load_n(&tcore[5].backoff, __ATOMIC_RELAXED);
    bool unpinned = true;
    for (int i = 0; i < NT; i++) {
        unpinned &= __atomic_load_n(&tcore[i].host_cpu, __ATOMIC_RELAXED) == -1 &&
                    __atomic_load_n(&tcore[i].migrations, __ATOMIC_RELAXED) == 0;
    }
    /* cores 0 (busy) and 1 (halted) alone on the 2 CPUs: the busy one is pinned,
     * the idle one goes to the other CPU */
    int rounds_two = run_monitor(cpus, 2, host, 30, false);
    int hc0 = __atomic_load_n(&tcore[0].host_cpu, __ATOMIC_RELAXED);
    int hc1 = __atomic_load_n(&tcore[1].host_cpu, __ATOMIC_RELAXED);
    cpu_set_t got0, got1;
    CPU_ZERO(&got0);
    CPU_ZERO(&got1);
    bool aff_ok = sched_getaffinity(__atomic_load_n(&tcore[0].tid, __ATOMIC_ACQUIRE), sizeof(got0),
                                    &got0) == 0 &&
                  hc0 >= 0 && CPU_ISSET(hc0, &got0) && CPU_COUNT(&got0) == 1;
    bool idle_ok = sched_getaffinity(__atomic_load_n(&tcore[1].tid, __ATOMIC_ACQUIRE),
                                     sizeof(got1), &got1) == 0 &&
                   CPU_COUNT(&got1) == 1 && hc0 >= 0 && !CPU_ISSET(hc0, &got1);
    __atomic_store_n(&tstop, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < NT; i++) {
        coremu_sleep_notify(&tcore[i].sleep);
    }
    for (int i = 0; i < NT; i++) {
        pthread_join(th[i], NULL);
    }
    CHECK("monitor-samples", rounds_all >= 30 && rounds_two >= 30, "%d and %d rounds", rounds_all,
          rounds_two);
    CHECK("monitor-spinners-back-off", backed, "backoff flags %u %u", tcore[4].backoff,
          tcore[5].backoff);
    CHECK("monitor-oversubscribed-unpinned", unpinned, "a core was pinned with 6 cores on 2 CPUs");
    CHECK("monitor-busy-pinned", aff_ok && hc1 == -1, "busy core on %d, idle on %d", hc0, hc1);
    CHECK("monitor-idle-off-busy-cpus", idle_ok, "the idle core may run on the busy CPU");
    CHECK("monitor-migrations-counted", tcore[0].migrations >= 1 && tcore[1].migrations >= 1,
          "migrations %llu %llu", (unsigned long long)tcore[0].migrations,
          (unsigned long long)tcore[1].migrations);
}

int main(void)
{
    test_classify();
    test_parse();
    test_pin_none();
    test_feedback();
    test_monitor();
    return failures ? 1 : 0;
}
