/*
 * stress.h — shared helpers of the guest stress programs (the .c files beside it).
 *
 * Every program is a static binary in /stress of the reference initramfs
 * (scripts/fetch-images.sh builds them for aarch64 and x86-64 from the same
 * sources; architecture-specific inline assembly sits behind #ifdef).  Each
 * takes THREADS and ITERS on its command line, runs THREADS threads that
 * start together (a spin barrier, so they really overlap), and prints one
 * result line
 *     STRESS <name> threads=T iters=M key=value... result=ok|FAIL
 * whose numbers (totals, counts of illegal outcomes) the functional test
 * compares with what it computes itself.  Exit status: 0 when the result is
 * right, 1 when it is wrong, 2 on a usage error, 77 when the CPU lacks a
 * feature the program needs (it then prints "STRESS <name> SKIP: why").
 *
 * Nothing here allocates in the measured loops or calls into libc there,
 * so a program's behaviour depends only on the interleaving of its threads.
 */
#ifndef GUEST_STRESS_H
#define GUEST_STRESS_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if !defined(__aarch64__) && !defined(__x86_64__)
#error "guest stress programs are written for aarch64 and x86-64"
#endif

#define STRESS_MAX_THREADS 256

/* A relaxing pause inside spin loops (YIELD is a hint an emulator may use). */
static inline void cpu_relax(void)
{
#if defined(__aarch64__)
    __asm__ volatile("yield" ::: "memory");
#else
    __asm__ volatile("pause" ::: "memory");
#endif
}

static inline uint64_t load_acquire(const uint64_t *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void store_release(uint64_t *p, uint64_t v)
{
    __atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static inline void full_barrier(void)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* parse_count: a positive decimal number, or exit(2) with a usage line. */
static inline long parse_count(const char *prog, const char *what, const char *s,
                               long max)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < 1 || v > max) {
        fprintf(stderr, "%s: %s must be 1..%ld, not '%s'\n", prog, what, max, s);
        exit(2);
    }
    return v;
}

/*
 * run_threads: start n threads running fn(index), all released together by
 * a spin barrier once every one exists, and join them.
 */
typedef void (*StressFn)(int index);

typedef struct StressStart {
    StressFn fn;
    int index;
    int n;
} StressStart;

static uint64_t stress_arrived;

static inline void *stress_trampoline(void *arg)
{
    StressStart *s = arg;
    __atomic_add_fetch(&stress_arrived, 1, __ATOMIC_ACQ_REL);
    while (load_acquire(&stress_arrived) < (uint64_t)s->n) {
        cpu_relax();
    }
    s->fn(s->index);
    return NULL;
}

static inline void run_threads(int n, StressFn fn)
{
    static pthread_t th[STRESS_MAX_THREADS];
    static StressStart st[STRESS_MAX_THREADS];
    __atomic_store_n(&stress_arrived, 0, __ATOMIC_RELAXED);
    for (int i = 0; i < n; i++) {
        st[i] = (StressStart){fn, i, n};
        if (pthread_create(&th[i], NULL, stress_trampoline, &st[i]) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            exit(2);
        }
    }
    for (int i = 0; i < n; i++) {
        pthread_join(th[i], NULL);
    }
}

#endif /* GUEST_STRESS_H */
