/*
 * racy-counter.c — a deliberately racy program for record/replay (issue 9):
 * THREADS threads each add 1 to one plain shared int ITERS times, without any
 * synchronisation.  Each increment is a separate load and store (the counter
 * is volatile), so concurrent increments overwrite each other and the total
 * depends on the interleaving: it differs from run to run on several cores,
 * and a faithful replay reproduces it exactly.
 *
 * Usage: racy-counter THREADS ITERS
 * Prints: STRESS racy-counter threads=T iters=M total=C lost=L result=ok
 * with L = T*M - C.  The output depends only on the interleaving (no times,
 * no addresses).  Exit 1 only if C is impossible (0 or more than T*M).
 */
#include "stress.h"

static volatile int counter;
static long iters;

static void worker(int index)
{
    (void)index;
    for (long i = 0; i < iters; i++) {
        counter = counter + 1; /* the race: load, add, store */
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: racy-counter THREADS ITERS\n");
        return 2;
    }
    int threads = (int)parse_count("racy-counter", "THREADS", argv[1], STRESS_MAX_THREADS);
    iters = parse_count("racy-counter", "ITERS", argv[2], 1L << 22);

    run_threads(threads, worker);

    long max = (long)threads * iters, total = counter;
    int ok = total >= 1 && total <= max;
    printf("STRESS racy-counter threads=%d iters=%ld total=%ld lost=%ld result=%s\n", threads,
           iters, total, max - total, ok ? "ok" : "FAIL");
    return ok ? 0 : 1;
}
