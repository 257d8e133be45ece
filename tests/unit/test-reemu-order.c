/*
 * test-reemu-order.c — reemu/order.c on host threads: record a racy run of
 * several threads over a toy memory, then replay it with other random host
 * delays and check that every read returns the recorded value and the final
 * memory is the same. Built under ThreadSanitizer too (make tsan-unit).
 *
 * The toy program of thread t is fixed by t alone (its own PRNG), but the
 * values it writes depend on what it read, so any read that differs in
 * replay changes everything after it.
 *
 * A toy device (docs/reemu.md, "devices"): about one step in ten is a
 * request to it, an exclusive section on its pseudo-object (object NWORDS,
 * order_excl_begin/end) in which the thread updates the device's private
 * state (a plain variable, like a virtqueue's last_avail_idx) and does the
 * device's "DMA": an ordered read of a ring word picked by that state and
 * ordered writes of buffer words that depend on both. Replay must give the
 * same device state and the same DMA reads and writes.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reemu/order.h"

#define NTHREADS 4
#define NWORDS 24
#define NSTEPS 6000

static int failures;

static void report(bool ok, const char *name, const char *why)
{
    if (ok) {
        printf("PASS %s\n", name);
    } else {
        printf("FAIL %s: %s\n", name, why);
        failures++;
    }
}

typedef struct EvVec {
    OrderEvent *v;
    size_t n, cap;
} EvVec;

static void vec_push(EvVec *vec, const OrderEvent *ev)
{
    if (vec->n == vec->cap) {
        vec->cap = vec->cap ? vec->cap * 2 : 1024;
        vec->v = realloc(vec->v, vec->cap * sizeof(*vec->v));
    }
    vec->v[vec->n++] = *ev;
}

static uint64_t memory[NWORDS]; /* the toy memory: relaxed atomics (no data race for TSan) */
#define DEV_OBJ NWORDS          /* the device's pseudo-object */
static uint64_t dev_state;      /* touched only inside the device's sections */
static uint64_t dev_requests;

typedef struct Thread {
    int id;
    OrderCore *core;
    EvVec log;             /* record: everything the core logged */
    uint64_t reads[NSTEPS]; /* the value each step read (record: seen; replay: compared) */
    uint64_t delay_seed;   /* host perturbation */
    int mismatches;
    uint64_t first_bad;
    int reads_done;
} Thread;

static uint64_t rng(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

typedef struct Acc {
    int a, b;      /* words (b == a: one word) */
    uint64_t val;  /* store value / loaded value */
    bool write;
} Acc;

static void do_acc(void *arg)
{
    Acc *x = arg;
    if (x->write) {
        __atomic_store_n(&memory[x->a], x->val, __ATOMIC_RELAXED);
        if (x->b != x->a) {
            __atomic_store_n(&memory[x->b], x->val ^ 0x5555, __ATOMIC_RELAXED);
        }
    } else {
        x->val = __atomic_load_n(&memory[x->a], __ATOMIC_RELAXED);
        if (x->b != x->a) {
            x->val = x->val * 31 + __atomic_load_n(&memory[x->b], __ATOMIC_RELAXED);
        }
    }
}

static void sink(void *opaque, const OrderEvent *ev)
{
    vec_push(&((Thread *)opaque)->log, ev);
}

static bool replaying;
static uint64_t fast_taken; /* accesses done on the fast path (atomic) */

/* A request to the toy device by core c; returns what its DMA read. */
static uint64_t device_request(OrderCore *c, int thread)
{
    OrderTok t;
    order_excl_begin(c, DEV_OBJ, &t);
    dev_state = dev_state * 6364136223846793005ull + (uint64_t)thread + 1;
    dev_requests++;
    Acc ring = {.a = (int)(dev_state >> 33) % NWORDS, .write = false};
    ring.b = ring.a;
    order_access(c, (uint64_t)ring.a, (uint64_t)ring.b, false, do_acc, &ring);
    int base = (int)(ring.val % (NWORDS - 3));
    for (int k = 0; k < 3; k++) {
        Acc buf = {.a = base + k, .b = base + k, .write = true,
                   .val = dev_state ^ ring.val ^ (uint64_t)k};
        order_access(c, (uint64_t)buf.a, (uint64_t)buf.b, true, do_acc, &buf);
    }
    order_excl_end(c, &t);
    return ring.val;
}

/* The inline fast path (order_fast_*, what the emulator's softmmu helpers do
 * first), taken at the host's whim: record and replay must agree whichever
 * path each access took. false: not taken, nothing done. */
static bool fast_access(OrderCore *c, Acc *x)
{
    uint32_t v;
    if (x->write) {
        if (!order_fast_write_begin(c, (uint64_t)x->a, &v)) {
            return false;
        }
        do_acc(x);
        order_fast_write_end(c, (uint64_t)x->a, v);
        return true;
    }
    v = order_fast_read_begin(c, (uint64_t)x->a);
    if (v & 1) {
        return false;
    }
    do_acc(x);
    return order_fast_read_end(c, (uint64_t)x->a, v);
}

static void *thread_main(void *arg)
{
    Thread *t = arg;
    uint64_t prog = 0x1234567ull + (uint64_t)t->id * 0x9876543ull; /* the program */
    uint64_t host = t->delay_seed | 1;                                /* the host */
    uint64_t acc = (uint64_t)t->id;
    for (int step = 0; step < NSTEPS; step++) {
        uint64_t r = rng(&prog);
        Acc x;
        x.a = (int)(r % NWORDS);
        x.b = (r >> 20) % 5 == 0 && x.a + 1 < NWORDS ? x.a + 1 : x.a;
        x.write = (r >> 8) % 3 == 0;
        x.val = acc * 0x100000001b3ull + (uint64_t)step;
        /* host noise: sometimes a short spin, sometimes a yield */
        uint64_t h = rng(&host);
        if (h % 7 == 0) {
            for (volatile unsigned i = 0; i < (h >> 40) % 2000; i++) {
            }
        } else if (h % 53 == 0) {
            sched_yield();
        }
        if ((r >> 40) % 10 == 0) {
            x.val = device_request(t->core, t->id); /* a read, by the device */
            x.write = false;
        } else if (x.a == x.b && (h >> 20) % 4 != 0 && fast_access(t->core, &x)) {
            __atomic_fetch_add(&fast_taken, 1, __ATOMIC_RELAXED);
        } else if (!order_access(t->core, (uint64_t)x.a, (uint64_t)x.b, x.write, do_acc, &x)) {
            break;
        }
        if (!x.write) {
            if (!replaying) {
                t->reads[step] = x.val;
            } else if (t->reads[step] != x.val) {
                if (!t->mismatches++) {
                    t->first_bad = (uint64_t)step;
                    if (getenv("ORDER_DEBUG")) {
                        fprintf(stderr, "thread %d step %d pos %llu words %d,%d\n", t->id, step,
                                (unsigned long long)t->core->pos - 1, x.a, x.b);
                    }
                }
            }
            t->reads_done++;
            acc = acc * 1099511628211ull ^ x.val;
        }
    }
    order_core_finish(t->core);
    return NULL;
}

static char diverged[256];
static pthread_mutex_t diverged_lock = PTHREAD_MUTEX_INITIALIZER;
static void on_diverge(void *opaque, int core, const char *what)
{
    (void)opaque;
    pthread_mutex_lock(&diverged_lock);
    if (!diverged[0]) {
        snprintf(diverged, sizeof(diverged), "core %d: %s", core, what);
    }
    pthread_mutex_unlock(&diverged_lock);
}

static Thread threads[NTHREADS];
static uint64_t recorded_mem[NWORDS];
static uint64_t recorded_dev_state;

static void run(Order *o)
{
    pthread_t th[NTHREADS];
    memset(memory, 0, sizeof(memory));
    dev_state = 0;
    dev_requests = 0;
    for (int i = 0; i < NTHREADS; i++) {
        pthread_create(&th[i], NULL, thread_main, &threads[i]);
    }
    for (int i = 0; i < NTHREADS; i++) {
        pthread_join(th[i], NULL);
    }
    /* the end-of-record WARs: only once every core has stopped */
    for (int i = 0; i < NTHREADS; i++) {
        order_flush(o->cores[i]);
    }
}

/* A replay sorts its WARs by (object, version) in place (order_take_wars): on
 * random input with long runs of equal keys, sorted runs and a reversed run,
 * the result is ordered and the same multiset, and war_next points at each
 * object's first WAR. */
static void war_sort_check(uint64_t seed)
{
    enum { N = 200000, NOBJ = 5000 };
    Order *o = order_new(ORDER_REPLAY, NOBJ, 4);
    OrderWar *w = malloc(N * sizeof(*w));
    uint64_t s = seed | 1, sum_in = 0, sum_out = 0;
    for (size_t i = 0; i < N; i++) {
        uint64_t r = rng(&s);
        uint32_t obj = (uint32_t)(i < N / 4 ? r % NOBJ          /* random */
                                  : i < N / 2 ? (r % 8)           /* few keys, many equal */
                                  : i < 3 * N / 4 ? i / 64 % NOBJ /* sorted runs */
                                                  : (N - i) % NOBJ); /* reversed */
        w[i] = (OrderWar){.obj = obj, .v = (uint32_t)(r >> 40) % 6 * 2, .p0 = i, .core = r % 4};
        sum_in += (uint64_t)w[i].obj * 1000003u + w[i].v * 101u + w[i].p0 * 7u + w[i].core;
    }
    order_take_wars(o, w, N);
    bool sorted = o->nwars == N, index_ok = true;
    for (size_t i = 0; i < o->nwars; i++) {
        const OrderWar *x = &o->wars[i];
        sum_out += (uint64_t)x->obj * 1000003u + x->v * 101u + x->p0 * 7u + x->core;
        if (i && (o->wars[i - 1].obj > x->obj ||
                  (o->wars[i - 1].obj == x->obj && o->wars[i - 1].v > x->v))) {
            sorted = false;
        }
        if ((i == 0 || o->wars[i - 1].obj != x->obj) && o->war_next[x->obj] != i + 1) {
            index_ok = false;
        }
    }
    report(sorted && sum_in == sum_out, "war-sort", "WARs not sorted by (object, version)");
    report(index_ok, "war-index", "war_next does not point at an object's first WAR");
    order_free(o);
}

int main(void)
{
    uint64_t seed = (uint64_t)time(NULL);
    char why[512];

    /* ---- record ---- */
    Order *o = order_new(ORDER_RECORD, NWORDS + 1, NTHREADS);
    for (int i = 0; i < NTHREADS; i++) {
        threads[i].id = i;
        threads[i].delay_seed = seed * 7919 + (uint64_t)i;
        threads[i].core = order_core_new(o, i, sink, &threads[i]);
    }
    run(o);
    memcpy(recorded_mem, memory, sizeof(memory));
    recorded_dev_state = dev_state;
    snprintf(why, sizeof(why), "%llu device requests", (unsigned long long)dev_requests);
    report(dev_requests > (uint64_t)NTHREADS * NSTEPS / 20, "record-device-requests", why);
    /* each device request writes its object and 3 words */
    size_t total_reads = 0, raws = 0, writes = 0, wars = 0, nwrites_done = 4 * dev_requests;
    for (int i = 0; i < NTHREADS; i++) {
        total_reads += (size_t)threads[i].reads_done;
        for (size_t k = 0; k < threads[i].log.n; k++) {
            switch (threads[i].log.v[k].kind) {
            case ORDER_EV_RAW: raws++; break;
            case ORDER_EV_WRITE: writes++; break;
            default: wars++; break;
            }
        }
        nwrites_done += NSTEPS - (size_t)threads[i].reads_done;
    }
    snprintf(why, sizeof(why), "%zu reads, %zu RAW, %zu WRITE, %zu WAR", total_reads, raws,
             writes, wars);
    report(total_reads > 0 && raws > 0 && wars > 0, "record-logs-events", why);
    /* only changes are logged: with 4 threads over 24 words, many reads see what the
     * core saw last (RAW count is below the read count) */
    report(raws < total_reads, "record-logs-only-changes", why);
    snprintf(why, sizeof(why), "%llu of %d accesses on the fast path",
             (unsigned long long)fast_taken, NTHREADS * NSTEPS);
    report(fast_taken > 0, "record-fast-path-taken", why);
    fast_taken = 0;

    /* replay inputs: RAW/WRITE per core, WARs for all */
    OrderEvent *per[NTHREADS];
    size_t nper[NTHREADS];
    OrderWar *war = calloc(wars + 1, sizeof(*war));
    size_t nw = 0;
    for (int i = 0; i < NTHREADS; i++) {
        per[i] = calloc(threads[i].log.n + 1, sizeof(OrderEvent));
        nper[i] = 0;
        uint64_t lastpos = 0;
        bool sorted = true;
        for (size_t k = 0; k < threads[i].log.n; k++) {
            const OrderEvent *ev = &threads[i].log.v[k];
            if (ev->kind == ORDER_EV_WAR) {
                war[nw++] = (OrderWar){.obj = ev->obj, .v = ev->v, .p0 = ev->pos, .core = i};
            } else {
                sorted &= ev->pos >= lastpos;
                lastpos = ev->pos;
                per[i][nper[i]++] = *ev;
            }
        }
        if (!sorted) {
            report(false, "record-positions-sorted", "RAW/WRITE not in position order");
        }
    }
    order_free(o);

    /* ---- replays with other host delays ---- */
    replaying = true;
    int bad_runs = 0;
    for (int run_i = 0; run_i < 5; run_i++) {
        Order *r = order_new(ORDER_REPLAY, NWORDS + 1, NTHREADS);
        r->diverge = on_diverge;
        r->stuck_ns = 20ull * 1000000000ull;
        diverged[0] = 0;
        order_set_wars(r, war, nw);
        for (int i = 0; i < NTHREADS; i++) {
            threads[i].delay_seed = seed * 31 + (uint64_t)run_i * 1000003 + (uint64_t)i * 17;
            threads[i].mismatches = 0;
            threads[i].reads_done = 0;
            threads[i].core = order_core_new(r, i, sink, &threads[i]);
            order_core_set_replay(threads[i].core, per[i], nper[i]);
        }
        run(r);
        int mism = 0;
        size_t left = 0;
        for (int i = 0; i < NTHREADS; i++) {
            mism += threads[i].mismatches;
            left += order_core_unconsumed(threads[i].core);
        }
        bool memok = memcmp(memory, recorded_mem, sizeof(memory)) == 0;
        char name[64];
        snprintf(name, sizeof(name), "replay-%d-same-reads", run_i);
        snprintf(why, sizeof(why), "%d reads differ (seed %llu)%s%s", mism,
                 (unsigned long long)seed, diverged[0] ? "; " : "", diverged);
        report(mism == 0 && !diverged[0], name, why);
        snprintf(name, sizeof(name), "replay-%d-same-memory", run_i);
        report(memok && left == 0, name, memok ? "events left unconsumed" : "final memory differs");
        snprintf(name, sizeof(name), "replay-%d-same-device-state", run_i);
        report(dev_state == recorded_dev_state, name, "the device's state differs");
        bad_runs += mism != 0 || !memok;
        order_free(r);
    }

    /* every WAR names a version that was reached: at most 2 * (number of writes) */
    size_t moved = 0;
    for (size_t k = 0; k < nw; k++) {
        moved += war[k].v < 2ull * nwrites_done + 2;
    }
    report(moved == nw, "war-versions-plausible", "a WAR names a version never reached");
    snprintf(why, sizeof(why), "%llu accesses on the fast path in 5 replays",
             (unsigned long long)fast_taken);
    report(fast_taken > 0, "replay-fast-path-taken", why);

    for (int i = 0; i < NTHREADS; i++) {
        free(per[i]);
        free(threads[i].log.v);
    }
    free(war);
    war_sort_check(seed);
    return failures ? 1 : 0;
}
