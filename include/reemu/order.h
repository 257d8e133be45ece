/*
 * order.h — ReEmu's shared-memory ordering (PPoPP 2013), as a standalone module.
 *
 * Memory is split into objects (an id per object; the emulator uses guest
 * physical address >> obj_shift). Each object has a version word W(o): even
 * when stable, odd while a writer is inside (a sequence lock). Every core
 * numbers its ordered accesses 0, 1, 2, ... (its position, `pos`).
 *
 * Record:
 *   read  at pos p: v = W(o) (wait while odd), access, re-check W(o) == v or
 *                   retry; no atomic instruction. If this core's last look at
 *                   o saw another version (or it has none), log RAW(o, v, p)
 *                   and, for the previous look (v0, p0), WAR(o, v0, p0).
 *   write at pos p: CAS W(o) v -> v+1 (v even), access, W(o) = v+2. If the
 *                   last look saw another version: WRITE(o, v, p) (+ WAR).
 *   The last look per object sits in a per-core direct-mapped cache; an
 *   evicted entry is logged as WAR (always true, so always safe), and at the
 *   end entries whose object moved are logged as WAR.
 * Replay:
 *   read  with RAW(o, v) at its pos: wait until W(o) >= v;
 *   write with WRITE(o, v) at its pos: wait until W(o) == v;
 *   every write, logged or not, waits for each WAR(o, W(o), c, p0) until core
 *   c's published progress > p0; then the same seqlock steps as recording.
 *   Why unlogged accesses need no wait: see docs/reemu.md ("ordering").
 *
 * Nothing here knows about CPUs: the emulator (reemu/reemu.c) and the unit
 * test (tests/unit/test-reemu-order.c, under ThreadSanitizer) drive it.
 */
#ifndef REEMU_ORDER_H
#define REEMU_ORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    ORDER_OFF = 0,
    ORDER_RECORD = 1,
    ORDER_REPLAY = 2,
};

/* order event kinds (also their tags in the reemu log) */
enum {
    ORDER_EV_RAW = 1,   /* before the read at pos, W(o) >= v */
    ORDER_EV_WRITE = 2, /* the write at pos moves o from v */
    ORDER_EV_WAR = 3,   /* the write moving o from v must wait until core passed p0 */
};

typedef struct OrderEvent {
    uint8_t kind;
    uint64_t pos; /* RAW/WRITE: the access; WAR: p0 (the last look at version v) */
    uint64_t obj;
    uint64_t v;
} OrderEvent;

/* 16 bytes: a replay holds every WAR of its log (objects below 2^32,
 * positions below 2^48, cores below 2^16) */
typedef struct OrderWar {
    uint32_t obj, v;
    uint64_t p0 : 48;
    uint64_t core : 16;
} OrderWar;

typedef struct OrderCore OrderCore;
typedef struct Order Order;


/* Record: where a core's events go (called on the core's thread). */
typedef void (*OrderSink)(void *opaque, const OrderEvent *ev);
/* Replay: a divergence or a wait that cannot end; the callee may not return. */
typedef void (*OrderDiverge)(void *opaque, int core, const char *what);

/* Record: the last look per object, direct-mapped by the object's low bits
 * (neighbouring objects share cache lines: 16-byte entries, four a line). */
#define ORDER_CACHE_BITS 16

typedef struct OrderCacheEntry {
    uint32_t tag; /* (obj >> ORDER_CACHE_BITS) + 1; 0: empty */
    uint32_t v;   /* the version seen (even) */
    uint64_t pos; /* the last position that saw it */
} OrderCacheEntry;

struct OrderCore {
    Order *o;
    uint32_t *w; /* o->w and o->mode, here for the fast path */
    int mode;
    int index;
    uint64_t pos;      /* next access's position (private) */
    uint64_t progress; /* published: accesses completed (atomic) */
    OrderCacheEntry *cache;
    OrderSink sink;
    void *opaque;
    /* replay statistics (private): waits that did not succeed at once, and the
     * rounds of them that slept */
    uint64_t blocked[4]; /* by ORDER_EV_* kind (0: unused) */
    uint64_t sleeps;
    /* replay: what the core waits for now (relaxed atomics, for reports):
     * waiting = ORDER_EV_* kind or 0; WAR waits name the reader core in wait_core */
    uint32_t waiting;
    int32_t wait_core;
    uint64_t wait_obj, wait_v;
    /* replay: this core's RAW/WRITE events sorted by pos */
    const OrderEvent *evs;
    size_t nevs, next;
    /* replay: a write at this position must take the generic path (the
     * emulator has work for it there: reemu/code.c); ~0: none */
    uint64_t hook_pos;
    /* replay: evs is a window of the events, refilled when used up */
    void (*refill)(void *opaque, OrderCore *c);
    void *refill_opaque;
};

struct Order {
    int mode;
    uint64_t nobjs;
    uint32_t *w;       /* versions, lazily mapped */
    size_t w_bytes;
    int ncores;
    OrderCore **cores;
    /* replay: WARs sorted by (obj, v) */
    OrderWar *wars;
    size_t nwars;
    /* replay: per object, 1 + the index in wars[] of its next WAR group not yet
     * passed (0: none left). A parallel array to w[] (same locality): a write
     * whose object has no WAR at its version costs one load; a hash or a
     * binary search over all WARs cost a cache miss per write. Advanced by the
     * writer of each version (writers of one object are serialised by w[]). */
    uint32_t *war_next;
    OrderDiverge diverge;
    void *diverge_opaque;
    const int *abort_flag; /* nonzero: waits give up (shutdown, divergence elsewhere) */
    uint64_t stuck_ns;     /* a replay wait longer than this is a divergence (0: never;
                            * the emulator relies on its global stall monitor instead) */
};

/* nobjs objects (ids 0..nobjs-1), ncores cores. */
Order *order_new(int mode, uint64_t nobjs, int ncores);
void order_free(Order *o);
/* Core i's state; sink/opaque receive its events while recording. */
OrderCore *order_core_new(Order *o, int index, OrderSink sink, void *opaque);
/* Replay inputs: per-core RAW/WRITE events (sorted by pos; kept by reference)
 * and all cores' WARs (copied and sorted here). */
void order_core_set_replay(OrderCore *c, const OrderEvent *evs, size_t n);
/* Or the events a window at a time: fn sets the next window with
 * order_core_set_replay (n = 0: none left); called now and whenever the
 * window is used up (on the core's thread). */
typedef void (*OrderRefill)(void *opaque, OrderCore *c);
void order_core_set_refill(OrderCore *c, OrderRefill fn, void *opaque);
void order_set_wars(Order *o, const OrderWar *wars, size_t n);
/* The same without a copy: wars (malloc'd) is sorted in place and kept. */
void order_take_wars(Order *o, OrderWar *wars, size_t n);

/*
 * The same in two steps, for callers that do the access inline:
 *     order_begin(c, lo, hi, write, &t);
 *     do { access } while (!order_end(c, &t));   (a write's end is always true)
 * t.aborted after begin: a replay wait was abandoned (abort flag); the
 * access may be done, unordered (the run is ending).
 */
typedef struct OrderTok {
    uint64_t obj[2];
    uint32_t v[2];
    int n;
    bool write;
    bool aborted;
} OrderTok;
void order_begin(OrderCore *c, uint64_t obj_lo, uint64_t obj_hi, bool write, OrderTok *t);
bool order_end(OrderCore *c, OrderTok *t);

/*
 * An exclusive section on one object (a device's state, docs/reemu.md):
 * ordered like a write at the core's current position, which it consumes and
 * publishes at once, and held (W(obj) odd: other writers wait) until
 * order_excl_end. The core's ordered accesses inside it (the device's DMA)
 * take the positions after it, so record and replay agree on them; the
 * section's writer order is its version order. Only writes may touch obj
 * (a reader would wait for the whole section). Sections do not nest.
 */
void order_excl_begin(OrderCore *c, uint64_t obj, OrderTok *t);
void order_excl_end(OrderCore *c, OrderTok *t);

/*
 * One ordered access by core c to objects [obj_lo, obj_hi] (one or two,
 * taken in that order), performed by fn(arg). A read may call fn several
 * times (seqlock retry): fn must only read. Returns false when a replay wait
 * was abandoned (abort flag): the access was not done.
 */
bool order_access(OrderCore *c, uint64_t obj_lo, uint64_t obj_hi, bool write,
                  void (*fn)(void *arg), void *arg);
/* Record end: log the WARs still held in the cache whose object moved.
 * Call only when no core accesses memory any more (another core's later
 * write would move an object after the check). */
void order_flush(OrderCore *c);
/* Replay: this core will make no more accesses (writers stop waiting on it). */
void order_core_finish(OrderCore *c);
/* Replay: the RAW/WRITE events not consumed (0 at a clean end). */
size_t order_core_unconsumed(const OrderCore *c);

static inline uint64_t order_progress(const OrderCore *c)
{
    return __atomic_load_n(&c->progress, __ATOMIC_ACQUIRE);
}

/*
 * The fast path (docs/reemu.md, "The fast path"): an access to ONE object
 * that needs no event and no wait, done inline by the caller:
 *     v = order_fast_read_begin(c, obj);  if (v & 1) -> generic path
 *     load;  if (!order_fast_read_end(c, obj, v)) -> generic path (redo it)
 *     if (!order_fast_write_begin(c, obj, &v)) -> generic path
 *     store;  order_fast_write_end(c, obj, v);
 * Record: the object's entry in this core's cache holds the version W(o)
 * still has (a read logs nothing, a write moves it from that version).
 * Replay: no RAW/WRITE event of this core at this position, and for a write
 * no WAR group of the object left (war_next 0: it never becomes nonzero
 * again). A "no" changes nothing (no position consumed, W untouched), so the
 * generic order_begin/order_end then does the access as before; the two
 * paths keep the same cache and the same positions.
 */
static inline OrderCacheEntry *order_cache_slot(OrderCore *c, uint64_t obj)
{
    return &c->cache[obj & ((1u << ORDER_CACHE_BITS) - 1)];
}

static inline uint32_t order_cache_tag(uint64_t obj)
{
    return (uint32_t)(obj >> ORDER_CACHE_BITS) + 1;
}

static inline bool order_fast_replay_event_here(const OrderCore *c)
{
    return c->next < c->nevs && c->evs[c->next].pos == c->pos;
}

/* The version to re-check after the load; odd: take the generic path. */
static inline uint32_t order_fast_read_begin(OrderCore *c, uint64_t obj)
{
    uint32_t v = __atomic_load_n(&c->w[obj], __ATOMIC_ACQUIRE);
    if (c->mode == ORDER_RECORD) {
        const OrderCacheEntry *e = order_cache_slot(c, obj);
        /* a cached version is even: equal means stable and unchanged */
        return e->tag == order_cache_tag(obj) && e->v == v ? v : 1;
    }
    return order_fast_replay_event_here(c) ? 1 : v;
}

/* false: a writer was inside; nothing was counted, redo the access generically */
static inline bool order_fast_read_end(OrderCore *c, uint64_t obj, uint32_t v)
{
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (__atomic_load_n(&c->w[obj], __ATOMIC_RELAXED) != v) {
        return false;
    }
    if (c->mode == ORDER_RECORD) {
        order_cache_slot(c, obj)->pos = c->pos; /* the last look at v */
    }
    c->pos++;
    __atomic_store_n(&c->progress, c->pos, __ATOMIC_RELEASE);
    return true;
}

/* true: W(obj) is now *v + 1 (odd, ours); do the store, then _end */
static inline bool order_fast_write_begin(OrderCore *c, uint64_t obj, uint32_t *v)
{
    uint32_t cur;
    if (c->mode == ORDER_RECORD) {
        const OrderCacheEntry *e = order_cache_slot(c, obj);
        if (e->tag != order_cache_tag(obj)) {
            return false;
        }
        cur = e->v;
    } else {
        if (order_fast_replay_event_here(c) || c->pos == c->hook_pos ||
            (c->o->war_next && __atomic_load_n(&c->o->war_next[obj], __ATOMIC_RELAXED))) {
            return false;
        }
        cur = __atomic_load_n(&c->w[obj], __ATOMIC_RELAXED);
        if (cur & 1) {
            return false;
        }
    }
    if (!__atomic_compare_exchange_n(&c->w[obj], &cur, cur + 1, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_RELAXED)) {
        return false;
    }
    __atomic_thread_fence(__ATOMIC_RELEASE);
    *v = cur;
    return true;
}

static inline void order_fast_write_end(OrderCore *c, uint64_t obj, uint32_t v)
{
    __atomic_store_n(&c->w[obj], v + 2, __ATOMIC_RELEASE);
    if (c->mode == ORDER_RECORD) {
        OrderCacheEntry *e = order_cache_slot(c, obj);
        e->v = v + 2;
        e->pos = c->pos;
    }
    c->pos++;
    __atomic_store_n(&c->progress, c->pos, __ATOMIC_RELEASE);
}

#endif
