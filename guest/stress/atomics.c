/*
 * atomics.c — THREADS threads x ITERS atomic increments of one shared counter
 * through one kind of atomic instruction; the total must be exact.
 *
 * Usage: atomics MODE THREADS ITERS
 *   aarch64 modes:
 *     llsc   64-bit LDXR / ADD / STXR loop (the exclusive monitor)
 *     lse    64-bit LDADD (FEAT_LSE; needs HWCAP_ATOMICS, e.g. -cpu max)
 *     casp   128-bit pair through a CASP compare-and-swap loop (FEAT_LSE)
 *     ldxp   128-bit pair through an LDXP / STXP loop
 *     mixed  even threads llsc, odd threads lse, on the same counter
 *     pairmix  even threads casp, odd threads ldxp, on the same pair
 *   x86-64 modes:
 *     xadd        LOCK XADD
 *     cmpxchg     LOCK CMPXCHG loop
 *     cmpxchg16b  128-bit pair through a LOCK CMPXCHG16B loop
 *     mixed       even threads xadd, odd threads cmpxchg
 * The 128-bit modes update a 16-byte pair {lo, hi} in one atomic step: lo
 * counts up and hi counts down from 0, so every atomically read pair must have
 * lo + hi == 0 (mod 2^64); a pair read otherwise is "torn" (a 128-bit atomic
 * done as two 64-bit halves, or halves swapped).  The loops check the value
 * each successful compare-and-swap or store-exclusive consumed.
 * Prints: STRESS atomics-MODE threads=T iters=M total=LO neg=-HI torn=K result=ok
 * (neg and torn only in the pair modes), where total must be T*M.
 * LSE is used only through ".arch_extension lse" inside the asm, so the
 * program itself runs on ARMv8.0 and reports SKIP (exit 77) without LSE.
 */
#include "stress.h"

#if defined(__aarch64__)
#include <sys/auxv.h>
#ifndef HWCAP_ATOMICS
#define HWCAP_ATOMICS (1 << 8)
#endif
#else
#include <cpuid.h>
#endif

typedef struct Pair {
    uint64_t lo, hi;
} __attribute__((aligned(16))) Pair;

static uint64_t counter __attribute__((aligned(64)));
static Pair pair __attribute__((aligned(64)));
static long iters;
static uint64_t torn_by[STRESS_MAX_THREADS];

#if defined(__aarch64__)
static void add_llsc(uint64_t *p)
{
    uint64_t tmp;
    uint32_t fail;
    __asm__ volatile("1: ldxr %0, %2\n"
                     "   add %0, %0, #1\n"
                     "   stxr %w1, %0, %2\n"
                     "   cbnz %w1, 1b\n"
                     : "=&r"(tmp), "=&r"(fail), "+Q"(*p)
                     :
                     : "memory");
}

static void add_lse(uint64_t *p)
{
    uint64_t one = 1, old;
    __asm__ volatile(".arch_extension lse\n"
                     "ldadd %x1, %x0, %2\n"
                     : "=&r"(old), "+r"(one), "+Q"(*p)
                     :
                     : "memory");
}

/* One CASP attempt: expects {lo, hi}, stores {lo + 1, hi - 1}; returns the old pair. */
static Pair casp_once(Pair *p, Pair expect)
{
    register uint64_t x0 __asm__("x0") = expect.lo;
    register uint64_t x1 __asm__("x1") = expect.hi;
    register uint64_t x2 __asm__("x2") = expect.lo + 1;
    register uint64_t x3 __asm__("x3") = expect.hi - 1;
    __asm__ volatile(".arch_extension lse\n"
                     "casp x0, x1, x2, x3, %2\n"
                     : "+r"(x0), "+r"(x1), "+Q"(*(unsigned __int128 *)p)
                     : "r"(x2), "r"(x3)
                     : "memory");
    return (Pair){x0, x1};
}

static void pair_casp(Pair *p, uint64_t *torn)
{
    Pair old = {((volatile Pair *)p)->lo, ((volatile Pair *)p)->hi}; /* a guess */
    for (;;) {
        Pair seen = casp_once(p, old);
        if (seen.lo == old.lo && seen.hi == old.hi) {
            *torn += (seen.lo + seen.hi) != 0;
            return;
        }
        old = seen; /* CASP read the pair atomically: a valid guess */
    }
}

static void pair_ldxp(Pair *p, uint64_t *torn)
{
    uint64_t ol, oh, nl, nh;
    uint32_t fail;
    __asm__ volatile("1: ldxp %0, %1, %5\n"
                     "   add %2, %0, #1\n"
                     "   sub %3, %1, #1\n"
                     "   stxp %w4, %2, %3, %5\n"
                     "   cbnz %w4, 1b\n"
                     : "=&r"(ol), "=&r"(oh), "=&r"(nl), "=&r"(nh), "=&r"(fail),
                       "+Q"(*(unsigned __int128 *)p)
                     :
                     : "memory");
    /* STXP succeeded: LDXP's two halves were a single-copy atomic read */
    *torn += (ol + oh) != 0;
}

#else /* __x86_64__ */

static void add_xadd(uint64_t *p)
{
    uint64_t one = 1;
    __asm__ volatile("lock xaddq %0, %1" : "+r"(one), "+m"(*p) : : "memory", "cc");
}

static void add_cmpxchg(uint64_t *p)
{
    uint64_t old = *(volatile uint64_t *)p;
    for (;;) {
        uint64_t prev = old;
        __asm__ volatile("lock cmpxchgq %2, %1"
                         : "+a"(prev), "+m"(*p)
                         : "r"(old + 1)
                         : "memory", "cc");
        if (prev == old) {
            return;
        }
        old = prev;
    }
}

static void pair_cmpxchg16b(Pair *p, uint64_t *torn)
{
    uint64_t lo = ((volatile Pair *)p)->lo, hi = ((volatile Pair *)p)->hi;
    for (;;) {
        uint64_t el = lo, eh = hi;
        __asm__ volatile("lock cmpxchg16b %2"
                         : "+a"(lo), "+d"(hi), "+m"(*(unsigned __int128 *)p)
                         : "b"(el + 1), "c"(eh - 1)
                         : "memory", "cc");
        if (lo == el && hi == eh) { /* success leaves rdx:rax as expected */
            *torn += (lo + hi) != 0;
            return;
        }
    }
}
#endif

/* A mode: what even threads do (add or pair) and what odd threads do (add2 or
 * pair2, when set; otherwise the same). */
typedef struct Mode {
    const char *name;
    void (*add)(uint64_t *p);
    void (*pair)(Pair *p, uint64_t *torn);
    void (*add2)(uint64_t *p);
    void (*pair2)(Pair *p, uint64_t *torn);
} Mode;

static const Mode modes[] = {
#if defined(__aarch64__)
    {"llsc", add_llsc, NULL, NULL, NULL},
    {"lse", add_lse, NULL, NULL, NULL},
    {"casp", NULL, pair_casp, NULL, NULL},
    {"ldxp", NULL, pair_ldxp, NULL, NULL},
    {"mixed", add_llsc, NULL, add_lse, NULL},
    {"pairmix", NULL, pair_casp, NULL, pair_ldxp},
#else
    {"xadd", add_xadd, NULL, NULL, NULL},
    {"cmpxchg", add_cmpxchg, NULL, NULL, NULL},
    {"cmpxchg16b", NULL, pair_cmpxchg16b, NULL, NULL},
    {"mixed", add_xadd, NULL, add_cmpxchg, NULL},
#endif
};
static const Mode *mode;

static void worker(int index)
{
    uint64_t torn = 0;
    int odd = index % 2;
    if (mode->add) {
        void (*add)(uint64_t *) = odd && mode->add2 ? mode->add2 : mode->add;
        for (long i = 0; i < iters; i++) {
            add(&counter);
        }
    } else {
        void (*op)(Pair *, uint64_t *) = odd && mode->pair2 ? mode->pair2 : mode->pair;
        for (long i = 0; i < iters; i++) {
            op(&pair, &torn);
        }
    }
    torn_by[index] = torn;
}

/* Does the CPU have what MODE needs?  Sets *why when not. */
static int mode_supported(const char *name, const char **why)
{
#if defined(__aarch64__)
    if ((strcmp(name, "lse") == 0 || strcmp(name, "casp") == 0 ||
         strcmp(name, "mixed") == 0 || strcmp(name, "pairmix") == 0) &&
        !(getauxval(AT_HWCAP) & HWCAP_ATOMICS)) {
        *why = "no LSE atomics (HWCAP_ATOMICS clear; boot with -cpu max)";
        return 0;
    }
#else
    unsigned a, b, c, d;
    if (strcmp(name, "cmpxchg16b") == 0 &&
        (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_CMPXCHG16B))) {
        *why = "no CMPXCHG16B (CPUID.1:ECX.CX16 clear)";
        return 0;
    }
#endif
    (void)name;
    (void)why;
    return 1;
}

int main(int argc, char **argv)
{
    size_t nmodes = sizeof(modes) / sizeof(modes[0]);
    if (argc == 4) {
        for (size_t i = 0; i < nmodes; i++) {
            if (strcmp(argv[1], modes[i].name) == 0) {
                mode = &modes[i];
            }
        }
    }
    if (!mode) {
        fprintf(stderr, "usage: atomics MODE THREADS ITERS; MODE is one of");
        for (size_t i = 0; i < nmodes; i++) {
            fprintf(stderr, " %s", modes[i].name);
        }
        fprintf(stderr, "\n");
        return 2;
    }
    int threads = (int)parse_count("atomics", "THREADS", argv[2], STRESS_MAX_THREADS);
    iters = parse_count("atomics", "ITERS", argv[3], 1L << 40);
    const char *why = NULL;
    if (!mode_supported(mode->name, &why)) {
        printf("STRESS atomics-%s SKIP: %s\n", mode->name, why);
        return 77;
    }

    run_threads(threads, worker);

    uint64_t expect = (uint64_t)threads * (uint64_t)iters;
    int ok;
    if (mode->add) {
        ok = counter == expect;
        printf("STRESS atomics-%s threads=%d iters=%ld total=%llu result=%s\n", mode->name,
               threads, iters, (unsigned long long)counter, ok ? "ok" : "FAIL");
    } else {
        uint64_t torn = 0;
        for (int i = 0; i < threads; i++) {
            torn += torn_by[i];
        }
        ok = pair.lo == expect && -pair.hi == expect && torn == 0;
        printf("STRESS atomics-%s threads=%d iters=%ld total=%llu neg=%llu torn=%llu result=%s\n",
               mode->name, threads, iters, (unsigned long long)pair.lo,
               (unsigned long long)-pair.hi, (unsigned long long)torn, ok ? "ok" : "FAIL");
    }
    return ok ? 0 : 1;
}
