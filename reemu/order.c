/*
 * order.c — ReEmu's per-object version protocol (include/reemu/order.h).
 *
 * The version table is one anonymous mapping (MAP_NORESERVE: pages appear
 * when first touched). Memory order of the seqlock (C11 terms):
 *   reader: v = load_acquire(W); data reads; fence(acquire); load(W) == v
 *   writer: CAS_acq_rel(W, v, v+1); fence(release); data writes;
 *           store_release(W, v+2)
 * so a reader that saw any byte of a write sees W != v on its re-check.
 * Replay publishes each core's progress with a release store after every
 * access; a writer waiting on a WAR reads it with acquire, so the reader's
 * access happens before the write.
 */
#include "reemu/order.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "util/log.h"

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

Order *order_new(int mode, uint64_t nobjs, int ncores)
{
    Order *o = calloc(1, sizeof(*o));
    if (!o) {
        fatal("out of memory");
    }
    o->mode = mode;
    o->nobjs = nobjs;
    o->ncores = ncores;
    o->cores = calloc((size_t)ncores, sizeof(*o->cores));
    o->w_bytes = (size_t)((nobjs * sizeof(uint32_t) + 4095) & ~4095ull);
    void *p = mmap(NULL, o->w_bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED || !o->cores) {
        fatal("reemu: cannot map the version table (%llu objects)", (unsigned long long)nobjs);
    }
    o->w = p;
    o->stuck_ns = 0;
    return o;
}

void order_free(Order *o)
{
    if (!o) {
        return;
    }
    for (int i = 0; i < o->ncores; i++) {
        if (o->cores[i]) {
            free(o->cores[i]->cache);
            free(o->cores[i]);
        }
    }
    munmap(o->w, o->w_bytes);
    free(o->cores);
    free(o->wars);
    if (o->war_next) {
        munmap(o->war_next, o->w_bytes);
    }
    free(o);
}

OrderCore *order_core_new(Order *o, int index, OrderSink sink, void *opaque)
{
    OrderCore *c = calloc(1, sizeof(*c));
    if (!c) {
        fatal("out of memory");
    }
    c->cache = calloc(1u << ORDER_CACHE_BITS, sizeof(*c->cache));
    if (!c->cache) {
        fatal("out of memory");
    }
    c->o = o;
    c->w = o->w;
    c->mode = o->mode;
    c->index = index;
    c->hook_pos = ~0ull;
    c->sink = sink;
    c->opaque = opaque;
    o->cores[index] = c;
    return c;
}

void order_core_set_replay(OrderCore *c, const OrderEvent *evs, size_t n)
{
    c->evs = evs;
    c->nevs = n;
    c->next = 0;
}

void order_core_set_refill(OrderCore *c, OrderRefill fn, void *opaque)
{
    c->refill = fn;
    c->refill_opaque = opaque;
    fn(opaque, c);
}

static int war_cmp(const void *a, const void *b)
{
    const OrderWar *x = a, *y = b;
    if (x->obj != y->obj) {
        return x->obj < y->obj ? -1 : 1;
    }
    if (x->v != y->v) {
        return x->v < y->v ? -1 : 1;
    }
    return (int)x->core - (int)y->core;
}

/* The sort key: (object, version); the order inside a group does not matter. */
static inline uint64_t war_key(const OrderWar *w)
{
    return (uint64_t)w->obj << 32 | w->v;
}

/*
 * Sorts WARs by (object, version) in place: a replay sorts millions of them
 * before it starts, and qsort (a merge sort with a temporary copy, a call per
 * comparison) took 4% of a replay's CPU and doubled the WARs' memory.
 * Quicksort with a median of three, the smaller side first, insertion sort
 * for short ranges, qsort for a range that degenerates.
 */
static void war_sort(OrderWar *w, size_t n, int depth)
{
    while (n > 16) {
        if (depth-- == 0) {
            qsort(w, n, sizeof(*w), war_cmp);
            return;
        }
        size_t mid = n / 2;
        /* median of three into w[mid] */
        if (war_key(&w[mid]) < war_key(&w[0])) {
            OrderWar t = w[mid]; w[mid] = w[0]; w[0] = t;
        }
        if (war_key(&w[n - 1]) < war_key(&w[mid])) {
            OrderWar t = w[mid]; w[mid] = w[n - 1]; w[n - 1] = t;
            if (war_key(&w[mid]) < war_key(&w[0])) {
                t = w[mid]; w[mid] = w[0]; w[0] = t;
            }
        }
        uint64_t pivot = war_key(&w[mid]);
        ptrdiff_t i = -1, j = (ptrdiff_t)n;
        for (;;) { /* Hoare, middle pivot: w[0..j] <= pivot <= w[j+1..n), 0 <= j < n-1 */
            do {
                i++;
            } while (war_key(&w[i]) < pivot);
            do {
                j--;
            } while (war_key(&w[j]) > pivot);
            if (i >= j) {
                break;
            }
            OrderWar t = w[i]; w[i] = w[j]; w[j] = t;
        }
        size_t left = (size_t)j + 1;
        if (left < n - left) {
            war_sort(w, left, depth);
            w += left;
            n -= left;
        } else {
            war_sort(w + left, n - left, depth);
            n = left;
        }
    }
    for (size_t i = 1; i < n; i++) {
        OrderWar x = w[i];
        uint64_t k = war_key(&x);
        size_t j = i;
        while (j > 0 && war_key(&w[j - 1]) > k) {
            w[j] = w[j - 1];
            j--;
        }
        w[j] = x;
    }
}

void order_set_wars(Order *o, const OrderWar *wars, size_t n)
{
    OrderWar *copy = malloc((n ? n : 1) * sizeof(*wars));
    if (!copy) {
        fatal("out of memory");
    }
    memcpy(copy, wars, n * sizeof(*wars));
    order_take_wars(o, copy, n);
}

void order_take_wars(Order *o, OrderWar *wars, size_t n)
{
    free(o->wars);
    o->wars = wars;
    war_sort(o->wars, n, 2 * 64);
    o->nwars = n;
    /* each object's first WAR group */
    if (!o->war_next) {
        void *p = mmap(NULL, o->w_bytes, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED) {
            fatal("reemu: cannot map the WAR index");
        }
        o->war_next = p;
    }
    for (size_t i = 0; i < n; i++) {
        if (o->wars[i].obj >= o->nobjs) {
            continue; /* the caller checked objects; ignore anything else */
        }
        if (i == 0 || o->wars[i - 1].obj != o->wars[i].obj) {
            o->war_next[o->wars[i].obj] = (uint32_t)(i + 1);
        }
    }
}

/* ---- record side ---- */

static void emit(OrderCore *c, uint8_t kind, uint64_t pos, uint64_t obj, uint64_t v)
{
    OrderEvent ev = {.kind = kind, .pos = pos, .obj = obj, .v = v};
    c->sink(c->opaque, &ev);
}

/* After an access to obj that found version v (write: v is the version it moved from). */
static void record_look(OrderCore *c, uint64_t obj, uint64_t v, uint64_t pos, bool write)
{
    OrderCacheEntry *e = order_cache_slot(c, obj);
    uint32_t tag = order_cache_tag(obj);
    if (e->tag == tag) {
        if (e->v != v) {
            emit(c, ORDER_EV_WAR, e->pos, obj, e->v);
            emit(c, write ? ORDER_EV_WRITE : ORDER_EV_RAW, pos, obj, v);
        }
    } else {
        if (e->tag) {
            uint64_t old = ((uint64_t)(e->tag - 1) << ORDER_CACHE_BITS) |
                           (obj & ((1u << ORDER_CACHE_BITS) - 1));
            emit(c, ORDER_EV_WAR, e->pos, old, e->v); /* eviction */
        }
        emit(c, write ? ORDER_EV_WRITE : ORDER_EV_RAW, pos, obj, v);
    }
    e->tag = tag;
    e->v = (uint32_t)(write ? v + 2 : v);
    e->pos = pos;
}

void order_flush(OrderCore *c)
{
    if (c->o->mode != ORDER_RECORD) {
        return;
    }
    for (size_t i = 0; i < (1u << ORDER_CACHE_BITS); i++) {
        OrderCacheEntry *e = &c->cache[i];
        if (e->tag) {
            uint64_t obj = ((uint64_t)(e->tag - 1) << ORDER_CACHE_BITS) | i;
            if (__atomic_load_n(&c->o->w[obj], __ATOMIC_ACQUIRE) != e->v) {
                emit(c, ORDER_EV_WAR, e->pos, obj, e->v);
            }
            e->tag = 0;
        }
    }
}

/* ---- waiting (replay) ---- */

typedef struct Waiter {
    unsigned spins;
    uint64_t t0;
} Waiter;

static void note_wait(OrderCore *c, uint32_t kind, int core, uint64_t obj, uint64_t v)
{
    __atomic_store_n(&c->wait_obj, obj, __ATOMIC_RELAXED);
    __atomic_store_n(&c->wait_v, v, __ATOMIC_RELAXED);
    __atomic_store_n(&c->wait_core, core, __ATOMIC_RELAXED);
    __atomic_store_n(&c->waiting, kind, __ATOMIC_RELAXED);
}

/* One round of a wait; false: give up (abort flag). */
static bool wait_round(OrderCore *c, Waiter *w, const char *what, uint64_t obj, uint64_t v)
{
    Order *o = c->o;
    if (o->abort_flag && __atomic_load_n(o->abort_flag, __ATOMIC_ACQUIRE)) {
        return false;
    }
    if (++w->spins < 64) {
        __builtin_ia32_pause();
        return true;
    }
    if (w->spins < 64 + 16) {
        sched_yield();
    } else {
        c->sleeps++;
        /* the core we wait for may have no host CPU (more cores than host
         * CPUs): sleep a little so it gets one */
        unsigned k = (w->spins - 80) / 32;
        struct timespec ts = {0, 20000l << (k < 5 ? k : 5)}; /* 20 us .. 640 us */
        nanosleep(&ts, NULL);
    }
    if (o->stuck_ns && (w->spins & 63) == 0) {
        uint64_t t = now_ns();
        if (!w->t0) {
            w->t0 = t;
        } else if (t - w->t0 > o->stuck_ns) {
            char msg[200];
            snprintf(msg, sizeof(msg),
                     "access %llu waits for %s of object 0x%llx version %llu (now %u)",
                     (unsigned long long)c->pos, what, (unsigned long long)obj,
                     (unsigned long long)v, __atomic_load_n(&o->w[obj], __ATOMIC_ACQUIRE));
            if (o->diverge) {
                o->diverge(o->diverge_opaque, c->index, msg);
            }
            return false;
        }
    }
    return true;
}

/* The logged RAW/WRITE of this access for obj, if any (other: the access's
 * second object, whose event may come first or alone), copied into *out. */
static const OrderEvent *replay_event(OrderCore *c, uint64_t obj, uint64_t other, bool write,
                                      OrderEvent *out)
{
    if (c->next >= c->nevs || c->evs[c->next].pos != c->pos) {
        return NULL;
    }
    const OrderEvent *ev = &c->evs[c->next];
    if (ev->obj == other && other != obj) {
        return NULL;
    }
    if (ev->obj != obj || ev->kind != (write ? ORDER_EV_WRITE : ORDER_EV_RAW)) {
        char msg[200];
        snprintf(msg, sizeof(msg),
                 "access %llu: the log expects a %s of object 0x%llx, the core made a %s of "
                 "object 0x%llx",
                 (unsigned long long)c->pos, ev->kind == ORDER_EV_WRITE ? "write" : "read",
                 (unsigned long long)ev->obj, write ? "write" : "read",
                 (unsigned long long)obj);
        if (c->o->diverge) {
            c->o->diverge(c->o->diverge_opaque, c->index, msg);
        }
        return NULL;
    }
    *out = *ev;
    c->next++;
    if (c->next == c->nevs && c->refill) {
        c->refill(c->refill_opaque, c); /* the window used up: the next one */
    }
    return out;
}

static bool replay_wait_raw(OrderCore *c, uint64_t obj, uint64_t other)
{
    OrderEvent evc;
    const OrderEvent *ev = replay_event(c, obj, other, false, &evc);
    if (!ev) {
        return true;
    }
    Waiter w = {0, 0};
    if (__atomic_load_n(&c->o->w[obj], __ATOMIC_ACQUIRE) < ev->v) {
        c->blocked[ORDER_EV_RAW]++;
        note_wait(c, ORDER_EV_RAW, -1, obj, ev->v);
    }
    while (__atomic_load_n(&c->o->w[obj], __ATOMIC_ACQUIRE) < ev->v) {
        if (!wait_round(c, &w, "a write (RAW)", obj, ev->v)) {
            return false;
        }
    }
    note_wait(c, 0, -1, 0, 0);
    return true;
}

static bool replay_wait_write(OrderCore *c, uint64_t obj, uint64_t other)
{
    Order *o = c->o;
    OrderEvent evc;
    const OrderEvent *ev = replay_event(c, obj, other, true, &evc);
    Waiter w = {0, 0};
    if (ev) {
        if (__atomic_load_n(&o->w[obj], __ATOMIC_ACQUIRE) != ev->v) {
            c->blocked[ORDER_EV_WRITE]++;
            note_wait(c, ORDER_EV_WRITE, -1, obj, ev->v);
        }
        while (__atomic_load_n(&o->w[obj], __ATOMIC_ACQUIRE) != ev->v) {
            if (!wait_round(c, &w, "version (WRITE)", obj, ev->v)) {
                return false;
            }
        }
    }
    /* every write waits for the readers of the version it replaces */
    uint64_t v = __atomic_load_n(&o->w[obj], __ATOMIC_ACQUIRE) & ~1u;
    uint32_t next = o->war_next ? __atomic_load_n(&o->war_next[obj], __ATOMIC_RELAXED) : 0;
    size_t i = next ? next - 1 : o->nwars;
    while (i < o->nwars && o->wars[i].obj == obj && o->wars[i].v < v) {
        i++; /* groups of versions this replay has passed (not expected) */
    }
    for (; i < o->nwars && o->wars[i].obj == obj && o->wars[i].v == v; i++) {
        const OrderWar *x = &o->wars[i];
        if ((int)x->core == c->index || (int)x->core >= o->ncores || !o->cores[x->core]) {
            continue;
        }
        if (order_progress(o->cores[x->core]) <= x->p0) {
            c->blocked[ORDER_EV_WAR]++;
            note_wait(c, ORDER_EV_WAR, x->core, obj, x->p0);
        }
        while (order_progress(o->cores[x->core]) <= x->p0) {
            if (!wait_round(c, &w, "a reader (WAR)", obj, v)) {
                return false;
            }
        }
    }
    if (next) {
        /* this object's WARs up to version v are done: point at the next group */
        uint32_t nn = i < o->nwars && o->wars[i].obj == obj ? (uint32_t)(i + 1) : 0;
        if (nn != next) {
            __atomic_store_n(&o->war_next[obj], nn, __ATOMIC_RELAXED);
        }
    }
    note_wait(c, 0, -1, 0, 0);
    return true;
}

/* ---- the access ---- */

static void publish(OrderCore *c)
{
    c->pos++;
    __atomic_store_n(&c->progress, c->pos, __ATOMIC_RELEASE);
}

void order_begin(OrderCore *c, uint64_t obj_lo, uint64_t obj_hi, bool write, OrderTok *t)
{
    Order *o = c->o;
    t->obj[0] = obj_lo;
    t->obj[1] = obj_hi;
    t->n = obj_hi != obj_lo ? 2 : 1;
    t->write = write;
    t->aborted = false;
    if (o->mode == ORDER_REPLAY) {
        for (int i = 0; i < t->n; i++) {
            uint64_t other = t->obj[t->n - 1 - i];
            if (!(write ? replay_wait_write(c, t->obj[i], other)
                        : replay_wait_raw(c, t->obj[i], other))) {
                t->aborted = true; /* shutting down: do the access unordered */
                return;
            }
        }
    }
    if (write) {
        for (int i = 0; i < t->n; i++) {
            uint32_t *w = &o->w[t->obj[i]];
            for (;;) {
                uint32_t cur = __atomic_load_n(w, __ATOMIC_RELAXED);
                if (!(cur & 1) &&
                    __atomic_compare_exchange_n(w, &cur, cur + 1, false, __ATOMIC_ACQ_REL,
                                                __ATOMIC_RELAXED)) {
                    t->v[i] = cur;
                    break;
                }
                __builtin_ia32_pause();
            }
        }
        __atomic_thread_fence(__ATOMIC_RELEASE);
    } else {
        for (int i = 0; i < t->n; i++) {
            while ((t->v[i] = __atomic_load_n(&o->w[t->obj[i]], __ATOMIC_ACQUIRE)) & 1) {
                __builtin_ia32_pause();
            }
        }
    }
}

bool order_end(OrderCore *c, OrderTok *t)
{
    Order *o = c->o;
    if (t->aborted) {
        return true;
    }
    if (t->write) {
        for (int i = t->n - 1; i >= 0; i--) {
            __atomic_store_n(&o->w[t->obj[i]], t->v[i] + 2, __ATOMIC_RELEASE);
        }
    } else {
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        bool stable = true;
        for (int i = 0; i < t->n; i++) {
            stable &= __atomic_load_n(&o->w[t->obj[i]], __ATOMIC_RELAXED) == t->v[i];
        }
        if (!stable) {
            /* a writer was inside: sample again, the caller repeats the read */
            for (int i = 0; i < t->n; i++) {
                while ((t->v[i] = __atomic_load_n(&o->w[t->obj[i]], __ATOMIC_ACQUIRE)) & 1) {
                    __builtin_ia32_pause();
                }
            }
            return false;
        }
    }
    if (o->mode == ORDER_RECORD) {
        for (int i = 0; i < t->n; i++) {
            record_look(c, t->obj[i], t->v[i], c->pos, t->write);
        }
    }
    publish(c);
    return true;
}

void order_excl_begin(OrderCore *c, uint64_t obj, OrderTok *t)
{
    order_begin(c, obj, obj, true, t);
    if (t->aborted) {
        return;
    }
    /* the section's position is its start: log and publish it now; W(obj) stays odd */
    if (c->o->mode == ORDER_RECORD) {
        record_look(c, obj, t->v[0], c->pos, true);
    }
    publish(c);
}

void order_excl_end(OrderCore *c, OrderTok *t)
{
    if (!t->aborted) {
        __atomic_store_n(&c->o->w[t->obj[0]], t->v[0] + 2, __ATOMIC_RELEASE);
    }
}

bool order_access(OrderCore *c, uint64_t obj_lo, uint64_t obj_hi, bool write,
                  void (*fn)(void *arg), void *arg)
{
    OrderTok t;
    order_begin(c, obj_lo, obj_hi, write, &t);
    if (t.aborted) {
        return false;
    }
    do {
        fn(arg);
    } while (!order_end(c, &t));
    return true;
}

void order_core_finish(OrderCore *c)
{
    __atomic_store_n(&c->progress, UINT64_MAX, __ATOMIC_RELEASE);
}

size_t order_core_unconsumed(const OrderCore *c)
{
    return c->nevs - c->next;
}
