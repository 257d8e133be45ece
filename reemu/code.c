/*
 * code.c — what a core's translator sees of code that other cores rewrite
 * (docs/reemu.md, "Cross-modifying code").
 *
 * On a target whose instruction stream is coherent with stores (x86-64, SDM
 * vol. 3 §8.1.3), a store to a page holding code drops that code on every
 * other core, as a TB-invalidation message each core handles at a TB
 * boundary of its choosing; record logs where (the TBINV event) and replay
 * applies it at the same instruction count. What a core executes between
 * the store and that point depends on whether it still has the old code
 * translated (record and replay translate at other moments: budget stops,
 * code-buffer flushes) — unless a translation cannot see the store either.
 *
 * That is the rule kept here, in record and in replay alike: a core's
 * translator sees another core's store to a code page only once it has
 * handled that store's invalidation. The writer keeps the bytes it
 * overwrites (an undo entry) before storing; a translation reads guest RAM,
 * then puts back the old bytes of every entry its core has not handled yet.
 * The record logs each such store (a CODEW event at the writer's access
 * position) so that the replay keeps exactly the same entries. An entry is
 * dropped once every other core handled it.
 *
 * Entries live in buckets by guest physical page, each under a spin lock;
 * reemu_code_live counts them so that a translation with none to look at
 * costs one load.
 */
#include "reemu/code.h"

#include <stdlib.h>
#include <string.h>

#include "reemu/reemu.h"
#include "util/log.h"

#define CODE_BUCKETS 1024
#define PAGE_SHIFT_HASH 12

typedef struct CodeUndo {
    uint64_t paddr;
    uint64_t key; /* the writer's access position of the store */
    uint16_t writer;
    uint8_t len;
    uint8_t old[CODE_UNDO_MAX];
} CodeUndo;

typedef struct CodeBucket {
    int lock;
    uint32_t live;         /* n - head, read without the lock (atomic) */
    uint32_t head, n, cap; /* live entries: e[head..n), oldest first */
    CodeUndo *e;
} CodeBucket;

static struct {
    int ncores;
    uint64_t *seen; /* [core * ncores + sender]: stamp of the last TBINV handled */
    CodeBucket *b;
} C;

int reemu_code_live;

void code_undo_init(int ncores)
{
    if (C.b) { /* again (tests): start empty */
        for (int i = 0; i < CODE_BUCKETS; i++) {
            free(C.b[i].e);
        }
        free(C.b);
        free(C.seen);
    }
    __atomic_store_n(&reemu_code_live, 0, __ATOMIC_RELAXED);
    C.ncores = ncores;
    C.seen = calloc((size_t)ncores * (size_t)ncores, sizeof(*C.seen));
    C.b = calloc(CODE_BUCKETS, sizeof(*C.b));
    if (!C.seen || !C.b) {
        fatal("out of memory");
    }
}

static CodeBucket *bucket(uint64_t paddr)
{
    uint64_t h = (paddr >> PAGE_SHIFT_HASH) * 0x9e3779b97f4a7c15ull;
    return &C.b[h >> (64 - 10)];
}

static void lock(CodeBucket *b)
{
    while (__atomic_exchange_n(&b->lock, 1, __ATOMIC_ACQUIRE)) {
        while (__atomic_load_n(&b->lock, __ATOMIC_RELAXED)) {
            __builtin_ia32_pause();
        }
    }
}

static void unlock(CodeBucket *b)
{
    __atomic_store_n(&b->lock, 0, __ATOMIC_RELEASE);
}

static uint64_t seen(int core, int sender)
{
    return __atomic_load_n(&C.seen[(size_t)core * (size_t)C.ncores + (size_t)sender],
                           __ATOMIC_ACQUIRE);
}

void code_seen_set(int core, int sender, uint64_t stamp)
{
    if (!C.seen || core < 0 || core >= C.ncores || sender < 0 || sender >= C.ncores) {
        return;
    }
    /* the sender's stamps grow: a core handles one sender's messages in order */
    __atomic_store_n(&C.seen[(size_t)core * (size_t)C.ncores + (size_t)sender], stamp,
                     __ATOMIC_RELEASE);
}

/* The store (writer, key) is handled by core: its invalidation was stamped
 * with the writer's position after the store, > key. */
static bool handled(const CodeUndo *e, int core)
{
    return e->writer == core || e->key < seen(core, e->writer);
}

static bool handled_by_all(const CodeUndo *e)
{
    for (int c = 0; c < C.ncores; c++) {
        if (!handled(e, c)) {
            return false;
        }
    }
    return true;
}

/* Under the lock: drop the entries every core handled, oldest first. */
static void gc(CodeBucket *b)
{
    uint32_t dropped = 0;
    while (b->head < b->n && handled_by_all(&b->e[b->head])) {
        b->head++;
        dropped++;
    }
    if (dropped) {
        __atomic_store_n(&b->live, b->n - b->head, __ATOMIC_RELEASE);
        __atomic_sub_fetch(&reemu_code_live, (int)dropped, __ATOMIC_RELEASE);
    }
}

void code_undo_add(int writer, uint64_t key, uint64_t paddr, const void *host, unsigned len)
{
    if (len > CODE_UNDO_MAX) {
        len = CODE_UNDO_MAX; /* stores are at most 16 bytes */
    }
    CodeBucket *b = bucket(paddr);
    lock(b);
    gc(b);
    if (b->head == b->n) {
        b->head = b->n = 0;
    } else if (b->n == b->cap && b->head > 0) {
        memmove(b->e, b->e + b->head, (size_t)(b->n - b->head) * sizeof(*b->e));
        b->n -= b->head;
        b->head = 0;
    }
    if (b->n == b->cap) {
        uint32_t cap = b->cap ? b->cap * 2 : 16;
        CodeUndo *e = realloc(b->e, (size_t)cap * sizeof(*e));
        if (!e) {
            fatal("out of memory");
        }
        b->e = e;
        b->cap = cap;
    }
    CodeUndo *e = &b->e[b->n++];
    e->paddr = paddr;
    e->key = key;
    e->writer = (uint16_t)writer;
    e->len = (uint8_t)len;
    memcpy(e->old, host, len);
    __atomic_store_n(&b->live, b->n - b->head, __ATOMIC_RELEASE);
    __atomic_add_fetch(&reemu_code_live, 1, __ATOMIC_RELEASE);
    unlock(b); /* release: the entry is visible before the writer's store */
}

uint64_t code_undo_view(int core, uint64_t paddr, uint64_t val, unsigned size)
{
    CodeBucket *b = bucket(paddr);
    if (!__atomic_load_n(&b->live, __ATOMIC_ACQUIRE)) {
        return val; /* the caller's fence orders this after its read of RAM */
    }
    uint8_t bytes[8];
    unsigned decided = 0;
    bool changed = false;
    for (unsigned j = 0; j < size; j++) {
        bytes[j] = (uint8_t)(val >> (8 * j));
    }
    lock(b);
    gc(b); /* a translation reads a page byte by byte: keep its bucket short */
    /* newest first: an unhandled store's old bytes stand until an older
     * store the core did handle (whose bytes are what it sees) */
    for (uint32_t i = b->n; i-- > b->head;) {
        const CodeUndo *e = &b->e[i];
        if (e->paddr >= paddr + size || e->paddr + e->len <= paddr) {
            continue;
        }
        bool h = handled(e, core);
        for (unsigned j = 0; j < size; j++) {
            uint64_t a = paddr + j;
            if ((decided >> j) & 1 || a < e->paddr || a >= e->paddr + e->len) {
                continue;
            }
            if (h) {
                decided |= 1u << j;
            } else {
                bytes[j] = e->old[a - e->paddr];
                changed = true;
            }
        }
    }
    unlock(b);
    if (!changed) {
        return val;
    }
    uint64_t v = 0;
    for (unsigned j = 0; j < size; j++) {
        v |= (uint64_t)bytes[j] << (8 * j);
    }
    return v;
}
