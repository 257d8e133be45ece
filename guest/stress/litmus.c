/*
 * litmus.c — the store-buffering litmus test (SB), run many times:
 *
 *     thread A: x = 1; FENCE; rA = y        thread B: y = 1; FENCE; rB = x
 *
 * rA == rB == 0 ("both loads passed both stores") is forbidden when FENCE is a
 * full barrier and allowed without one (x86 store buffers, Arm).  An emulator
 * on an x86 host must emit a real store->load barrier for a guest full
 * barrier (DMB ISH / MFENCE), or the forbidden outcome appears.
 *
 * Usage: litmus MODE THREADS ITERS
 *   MODE  fence   aarch64 DMB ISH, x86-64 MFENCE: forbidden must stay 0
 *         rcsc    aarch64 STLR then LDAR (release-acquire is RCsc on Arm, so
 *                 forbidden too; x86-64: XCHG store then plain load)
 *         none    plain store then plain load: the outcome is allowed, and
 *                 seeing it shows the test can catch a reordering at all
 * THREADS / 2 pairs (at least one) each run ITERS rounds; a round starts
 * with both threads released by a spin barrier, each then waits a varying
 * short delay, so that in some rounds their stores and loads overlap.
 * Prints: STRESS litmus-MODE threads=T iters=M rounds=R forbidden=F both=B
 *         result=ok
 * R = pairs * ITERS; F = rounds with rA == rB == 0, B = rounds with both 1.
 * result=FAIL (exit 1) when F > 0 in the fence and rcsc modes.
 */
#include "stress.h"

typedef struct Litmus {
    uint64_t x __attribute__((aligned(64)));
    uint64_t y __attribute__((aligned(64)));
    uint64_t arrive __attribute__((aligned(64))); /* the pair's barrier */
    uint64_t rb;                                  /* B's result, for A */
    uint64_t forbidden, both;
} Litmus;

static Litmus lit[STRESS_MAX_THREADS / 2];
static int pairs, mode_fence, mode_rcsc;
static long iters;

static void barrier(Litmus *l, uint64_t target)
{
    __atomic_add_fetch(&l->arrive, 1, __ATOMIC_ACQ_REL);
    while (load_acquire(&l->arrive) < target) {
        cpu_relax();
    }
}

/* store 1 to *mine, then load *other, ordered as the mode says */
static uint64_t store_load(uint64_t *mine, uint64_t *other)
{
    uint64_t r, one = 1;
#if defined(__aarch64__)
    if (mode_fence) {
        __asm__ volatile("str %2, %0\n dmb ish\n ldr %1, %3"
                         : "=Q"(*mine), "=r"(r) : "r"(one), "Q"(*other) : "memory");
    } else if (mode_rcsc) {
        __asm__ volatile("stlr %2, %0\n ldar %1, %3"
                         : "=Q"(*mine), "=r"(r) : "r"(one), "Q"(*other) : "memory");
    } else {
        __asm__ volatile("str %2, %0\n ldr %1, %3"
                         : "=Q"(*mine), "=r"(r) : "r"(one), "Q"(*other) : "memory");
    }
#else
    if (mode_fence) {
        __asm__ volatile("movq %2, %0\n mfence\n movq %3, %1"
                         : "=m"(*mine), "=r"(r) : "r"(one), "m"(*other) : "memory");
    } else if (mode_rcsc) {
        __asm__ volatile("xchgq %2, %0\n movq %3, %1"
                         : "+m"(*mine), "=r"(r), "+r"(one) : "m"(*other) : "memory");
    } else {
        __asm__ volatile("movq %2, %0\n movq %3, %1"
                         : "=m"(*mine), "=r"(r) : "r"(one), "m"(*other) : "memory");
    }
#endif
    return r;
}

/* a short busy delay of N steps (no memory accesses, no hint instructions) */
static void delay(uint64_t n)
{
    for (uint64_t i = 0; i < n; i++) {
        __asm__ volatile("" ::: "memory");
    }
}

static void worker(int index)
{
    int pair = index / 2;
    if (pair >= pairs) {
        return;
    }
    Litmus *l = &lit[pair];
    int a = index % 2 == 0;
    uint64_t forbidden = 0, both = 0;
    for (uint64_t i = 0; i < (uint64_t)iters; i++) {
        barrier(l, 4 * i + 2); /* go */
        /* The thread that arrived last leaves the barrier first; varying
         * delays on both sides make the two stores meet in some rounds. */
        uint64_t h = (i + 1) * 0x9e3779b97f4a7c15ull >> (a ? 40 : 50);
        delay(h % 64);
        uint64_t r = a ? store_load(&l->x, &l->y) : store_load(&l->y, &l->x);
        if (!a) {
            l->rb = r;
        }
        barrier(l, 4 * i + 4); /* both done; rb published (acq_rel) */
        if (a) {
            forbidden += r == 0 && l->rb == 0;
            both += r == 1 && l->rb == 1;
            l->x = 0;
            l->y = 0; /* visible to B through the next barrier */
        }
    }
    if (a) {
        l->forbidden = forbidden;
        l->both = both;
    }
}

int main(int argc, char **argv)
{
    if (argc != 4 || (strcmp(argv[1], "fence") && strcmp(argv[1], "rcsc") &&
                      strcmp(argv[1], "none"))) {
        fprintf(stderr, "usage: litmus fence|rcsc|none THREADS ITERS\n");
        return 2;
    }
    mode_fence = strcmp(argv[1], "fence") == 0;
    mode_rcsc = strcmp(argv[1], "rcsc") == 0;
    int threads = (int)parse_count("litmus", "THREADS", argv[2], STRESS_MAX_THREADS);
    iters = parse_count("litmus", "ITERS", argv[3], 1L << 30);
    pairs = threads / 2 > 0 ? threads / 2 : 1;

    run_threads(pairs * 2 > threads ? pairs * 2 : threads, worker);

    uint64_t forbidden = 0, both = 0;
    for (int p = 0; p < pairs; p++) {
        forbidden += lit[p].forbidden;
        both += lit[p].both;
    }
    int ok = !(mode_fence || mode_rcsc) || forbidden == 0;
    printf("STRESS litmus-%s threads=%d iters=%ld rounds=%llu forbidden=%llu both=%llu "
           "result=%s\n",
           argv[1], threads, iters, (unsigned long long)pairs * (unsigned long long)iters,
           (unsigned long long)forbidden, (unsigned long long)both, ok ? "ok" : "FAIL");
    return ok ? 0 : 1;
}
