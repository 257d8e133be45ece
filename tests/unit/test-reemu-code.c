/*
 * test-reemu-code.c — reemu/code.c, the rule for cross-modifying code under
 * record/replay (docs/reemu.md, "Cross-modifying code"): a core's translator
 * sees another core's store to a code page only once the core has handled
 * that store's invalidation (its stamp: the writer's position after the
 * store). Built under ASan+UBSan and ThreadSanitizer too.
 *
 * Scenarios on a toy RAM: one store, unhandled then handled; two writers
 * over the same bytes handled in either order; partial overlaps; a core's
 * own stores; garbage collection once every core handled an entry. Then a
 * concurrent run: a writer thread keeps rewriting a word (an undo entry
 * before each store, a stamp after it, as coremu does) while a reader
 * thread, which handles stamps only at chosen points, must always see
 * exactly the value of the last store it handled.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "reemu/code.h"
#include "reemu/reemu.h"

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

#define BASE 0x40001000ull
static uint8_t ram[4096];

/* writer's store of size bytes of val at BASE+off, at its access position key */
static void store(int writer, uint64_t key, unsigned off, uint64_t val, unsigned size)
{
    code_undo_add(writer, key, BASE + off, ram + off, size);
    memcpy(ram + off, &val, size);
}

static uint64_t view(int core, unsigned off, unsigned size)
{
    uint64_t v = 0;
    memcpy(&v, ram + off, size);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    return reemu_code_live ? code_undo_view(core, BASE + off, v, size) : v;
}

static void scenarios(void)
{
    char why[160];
    /* 3 cores; core 1 writes, cores 0 and 2 translate */
    memset(ram, 0x90, sizeof(ram));
    store(1, 10, 0x100, 0xcc, 1); /* INT3 over a NOP */
    report(view(0, 0x100, 1) == 0x90 && view(2, 0x100, 1) == 0x90, "unhandled-old",
           "a core saw a store before handling its invalidation");
    report(view(1, 0x100, 1) == 0xcc, "own-store", "the writer does not see its own store");
    code_seen_set(0, 1, 11); /* core 0 handled the stamp after the store */
    report(view(0, 0x100, 1) == 0xcc && view(2, 0x100, 1) == 0x90, "handled-new",
           "handling the invalidation must show the store to that core only");
    /* a 4-byte read across the stored byte: only that byte is undone */
    uint64_t w = view(2, 0xfe, 4);
    snprintf(why, sizeof(why), "got %08llx, want 90909090", (unsigned long long)w);
    report(w == 0x90909090, "partial-overlap", why);
    code_seen_set(2, 1, 11);
    report(reemu_code_live == 1, "live-count", "one entry should be alive");
    /* every other core handled it: the next add drops it */
    store(1, 20, 0x800, 0x11, 1);
    code_seen_set(0, 1, 21);
    code_seen_set(2, 1, 21);
    (void)view(0, 0x800, 1); /* a lookup collects what everyone handled */
    report(reemu_code_live == 0, "gc", "entries every core handled were kept");

    /* two writers over the same 2 bytes: core 1 (key 30) then core 2 (key 40) */
    memset(ram + 0x200, 0, 2);
    store(1, 30, 0x200, 0x1111, 2);
    store(2, 40, 0x200, 0x2222, 2);
    report(view(0, 0x200, 2) == 0, "two-unhandled", "neither store handled: the original");
    code_seen_set(0, 1, 31);
    report(view(0, 0x200, 2) == 0x1111, "first-handled", "the first store only");
    code_seen_set(0, 2, 41);
    report(view(0, 0x200, 2) == 0x2222, "both-handled", "both stores: the last one");
    /* the other order: core 1's invalidation arrives after core 2's */
    store(1, 50, 0x300, 0xaaaa, 2);
    store(2, 60, 0x300, 0xbbbb, 2);
    code_seen_set(0, 2, 61);
    w = view(0, 0x300, 2);
    snprintf(why, sizeof(why), "got %04llx, want bbbb (the later store, handled)",
             (unsigned long long)w);
    report(w == 0xbbbb, "later-handled-first", why);
    /* a 16-byte store (one entry), seen through an 8-byte read of its middle */
    uint8_t sixteen[16];
    memset(sixteen, 0x77, sizeof(sixteen));
    code_undo_add(1, 70, BASE + 0x400, ram + 0x400, 16);
    memcpy(ram + 0x400, sixteen, 16);
    w = view(0, 0x404, 8);
    report(w == 0x9090909090909090ull, "wide-store", "a 16-byte store not undone");
    code_seen_set(0, 1, 71);
    report(view(0, 0x404, 8) == 0x7777777777777777ull, "wide-store-handled",
           "a handled 16-byte store not shown");
}

/* ---- concurrent: a writer rewrites one word, a reader handles stamps late ---- */

#define ITERS 20000
static uint64_t stamp_of[ITERS + 1]; /* the writer's stamp after store i (atomic) */
static int published;                 /* stores done (atomic) */
static int bad;

static void *writer_thread(void *arg)
{
    (void)arg;
    for (int i = 1; i <= ITERS; i++) {
        uint64_t key = (uint64_t)i * 2;
        uint64_t val = (uint64_t)i * 0x0101010101ull;
        code_undo_add(1, key, BASE + 0x600, ram + 0x600, 8);
        __atomic_store_n((uint64_t *)(ram + 0x600), val, __ATOMIC_RELAXED);
        __atomic_store_n(&stamp_of[i], key + 1, __ATOMIC_RELAXED);
        __atomic_store_n(&published, i, __ATOMIC_RELEASE);
    }
    return NULL;
}

static void *reader_thread(void *arg)
{
    (void)arg;
    int handled = 0; /* the last store whose invalidation this core handled */
    uint64_t rng = 88172645463325252ull;
    while (handled < ITERS) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        int p = __atomic_load_n(&published, __ATOMIC_ACQUIRE);
        if (p > handled && rng % 4 == 0) {
            handled += 1 + (int)((rng >> 8) % (uint64_t)(p - handled)); /* up to what is out */
            code_seen_set(0, 1, __atomic_load_n(&stamp_of[handled], __ATOMIC_RELAXED));
        }
        uint64_t v = __atomic_load_n((uint64_t *)(ram + 0x600), __ATOMIC_RELAXED);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (__atomic_load_n(&reemu_code_live, __ATOMIC_RELAXED)) {
            v = code_undo_view(0, BASE + 0x600, v, 8);
        }
        if (v != (uint64_t)handled * 0x0101010101ull) {
            bad++;
        }
    }
    return NULL;
}

static void concurrent(void)
{
    memset(ram + 0x600, 0, 8);
    pthread_t w, r;
    pthread_create(&w, NULL, writer_thread, NULL);
    pthread_create(&r, NULL, reader_thread, NULL);
    pthread_join(w, NULL);
    pthread_join(r, NULL);
    char why[96];
    snprintf(why, sizeof(why), "%d views showed another store than the last handled", bad);
    report(bad == 0, "concurrent-view", why);
}

int main(void)
{
    code_undo_init(3);
    scenarios();
    code_undo_init(2); /* a fresh table: 2 cores */
    concurrent();
    return failures ? 1 : 0;
}
