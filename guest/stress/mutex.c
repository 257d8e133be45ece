/*
 * mutex.c — glibc pthread mutexes and condition variables (futex based):
 *
 * Usage: mutex THREADS ITERS ROUNDS
 *   phase 1: THREADS threads x ITERS pthread_mutex_lock / counter++ / unlock on
 *            a plain counter (contended: waiters sleep in FUTEX_WAIT and are
 *            woken by FUTEX_WAKE, i.e. through the kernel and IPIs);
 *   phase 2: a token handed round-robin ROUNDS times around all threads with
 *            one mutex and one condition variable: thread i waits until
 *            turn == i, increments the token, sets turn = (i + 1) % THREADS and
 *            broadcasts.  Each thread checks the token it receives is exactly
 *            the one the ring order implies (round * THREADS + i).
 * Prints: STRESS mutex threads=T iters=M rounds=R total=C handoffs=H bad=B result=ok
 * where C must be T*M, H = T*R and B = 0.
 */
#include "stress.h"

static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t ring_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ring_cond = PTHREAD_COND_INITIALIZER;
static uint64_t counter;
static uint64_t token; /* handoffs done so far; under ring_lock */
static int turn;       /* whose turn it is; under ring_lock */
static int nthreads;
static long iters, rounds;
static uint64_t bad_by[STRESS_MAX_THREADS];

static void worker(int index)
{
    uint64_t bad = 0;
    for (long i = 0; i < iters; i++) {
        pthread_mutex_lock(&count_lock);
        counter = counter + 1;
        pthread_mutex_unlock(&count_lock);
    }
    for (long r = 0; r < rounds; r++) {
        pthread_mutex_lock(&ring_lock);
        while (turn != index) {
            pthread_cond_wait(&ring_cond, &ring_lock);
        }
        bad += token != (uint64_t)r * (uint64_t)nthreads + (uint64_t)index;
        token++;
        turn = (index + 1) % nthreads;
        pthread_cond_broadcast(&ring_cond);
        pthread_mutex_unlock(&ring_lock);
    }
    bad_by[index] = bad;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: mutex THREADS ITERS ROUNDS\n");
        return 2;
    }
    nthreads = (int)parse_count("mutex", "THREADS", argv[1], STRESS_MAX_THREADS);
    iters = parse_count("mutex", "ITERS", argv[2], 1L << 40);
    rounds = parse_count("mutex", "ROUNDS", argv[3], 1L << 40);

    run_threads(nthreads, worker);

    uint64_t bad = 0;
    for (int i = 0; i < nthreads; i++) {
        bad += bad_by[i];
    }
    int ok = counter == (uint64_t)nthreads * (uint64_t)iters &&
             token == (uint64_t)nthreads * (uint64_t)rounds && bad == 0;
    printf("STRESS mutex threads=%d iters=%ld rounds=%ld total=%llu handoffs=%llu bad=%llu "
           "result=%s\n",
           nthreads, iters, rounds, (unsigned long long)counter, (unsigned long long)token,
           (unsigned long long)bad, ok ? "ok" : "FAIL");
    return ok ? 0 : 1;
}
