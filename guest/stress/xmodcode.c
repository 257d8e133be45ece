/*
 * xmodcode.c — cross-modifying code: one thread keeps rewriting small
 * functions in a read-write-execute buffer while the other threads call them.
 *
 * Usage: xmodcode THREADS ITERS        (ITERS <= 65535)
 * The buffer holds SLOTS functions, one per 64-byte line over two pages, each
 * "return k":   aarch64  MOVZ W0, #k ; RET      x86-64  MOV EAX, k ; RET
 * Thread 0, the writer, for k = 1 .. ITERS: rewrites slot k % SLOTS (one
 * aligned 8-byte store) to return k, makes it visible to instruction fetch
 * with __builtin___clear_cache (aarch64: DC CVAU, DSB ISH, IC IVAU, DSB ISH,
 * ISB — Arm ARM B2.4.4), calls it itself (the writer's own core must not run
 * its stale translation) and publishes k with a store-release.  The other
 * threads, executors, load-acquire k, synchronise their instruction stream
 * (ISB; CPUID on x86-64, SDM Vol. 3 8.1.3), call slot k % SLOTS and must get
 * exactly k.  They earlier ran the same slot when it returned k - SLOTS, so a
 * core that keeps a stale translation of it returns an old value.
 * The writer never rewrites a slot an executor may be running: it waits until
 * every executor has acknowledged k - SLOTS/2 or later (so no instruction is
 * modified while it executes, which would be CONSTRAINED UNPREDICTABLE,
 * B2.2.5).
 * A second, "hot" entry is patched while the executors run it: one branch
 * instruction (aarch64 B, one of the instructions B2.2.5 allows to be
 * modified concurrently; x86-64 JMP rel32 in one aligned 8-byte store) that
 * the writer points at slot k after writing it, before publishing k.  An
 * executor that has seen k (and ISB) and calls the hot entry must get a value
 * from k to ITERS: never older than k, never anything else.
 * Prints: STRESS xmodcode threads=T iters=M last=K calls=C bad=B result=ok
 * where K must be M and B 0 (bad counts the writer's and executors' wrong
 * returns from either entry; the first ones are described on stderr).
 */
#include <sys/mman.h>
#include <unistd.h>

#include "stress.h"

#define SLOTS 128
#define SLOT_BYTES 64

static uint8_t *code;
static uint64_t published __attribute__((aligned(64)));
static uint64_t acked[STRESS_MAX_THREADS] __attribute__((aligned(64)));
static uint64_t calls_by[STRESS_MAX_THREADS], bad_by[STRESS_MAX_THREADS];
static int nthreads;
static long iters;

typedef int (*SlotFn)(void);

static uint64_t encode(uint32_t k)
{
#if defined(__aarch64__)
    uint64_t movz = 0x52800000u | (k & 0xffffu) << 5; /* MOVZ W0, #k */
    uint64_t ret = 0xd65f03c0u;                        /* RET */
    return ret << 32 | movz;
#else
    /* B8 imm32 (MOV EAX, imm32), C3 (RET), two NOPs; little endian */
    return 0xb8ull | (uint64_t)k << 8 | 0xc3ull << 40 | 0x90ull << 48 | 0x90ull << 56;
#endif
}

static uint8_t *slot_addr(uint64_t k)
{
    return code + (k % SLOTS) * SLOT_BYTES;
}

/* The hot entry: the line after the slots. */
static uint8_t *hot_addr(void)
{
    return code + SLOTS * SLOT_BYTES;
}

/* A branch (jump) from the hot entry to slot k, as an aligned 8-byte word. */
static uint64_t encode_branch(uint64_t k)
{
    int64_t off = slot_addr(k) - hot_addr();
#if defined(__aarch64__)
    uint64_t b = 0x14000000u | ((uint64_t)(off / 4) & 0x3ffffffu); /* B slot */
    return 0xd503201full << 32 | b;                                  /* NOP after */
#else
    /* E9 rel32 (JMP, relative to the next instruction), three NOPs */
    uint32_t rel = (uint32_t)(off - 5);
    return 0xe9ull | (uint64_t)rel << 8 | 0x909090ull << 40;
#endif
}

static int call_hot(void)
{
    SlotFn fn = (SlotFn)(void *)hot_addr();
    return fn();
}

static int call_slot(uint64_t k)
{
    SlotFn fn = (SlotFn)(void *)slot_addr(k);
    return fn();
}

/* The executing side's context synchronisation before running new code. */
static void sync_instruction_stream(void)
{
#if defined(__aarch64__)
    __asm__ volatile("isb" ::: "memory");
#else
    unsigned a = 0, b, c = 0, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d) : : "memory");
#endif
}

static void report_bad(int index, uint64_t k, int got)
{
    if (bad_by[index] < 3) {
        fprintf(stderr, "xmodcode: thread %d: slot %llu for k=%llu returned %d\n", index,
                (unsigned long long)(k % SLOTS), (unsigned long long)k, got);
    }
    bad_by[index]++;
}

static void writer(void)
{
    for (uint64_t k = 1; k <= (uint64_t)iters; k++) {
        if (k > SLOTS / 2) {
            for (int t = 1; t < nthreads; t++) {
                while (load_acquire(&acked[t]) < k - SLOTS / 2) {
                    cpu_relax();
                }
            }
        }
        uint8_t *p = slot_addr(k);
        __atomic_store_n((uint64_t *)p, encode((uint32_t)k), __ATOMIC_RELAXED);
        __builtin___clear_cache((char *)p, (char *)p + 8);
        int got = call_slot(k);
        calls_by[0]++;
        if ((uint64_t)got != k) {
            report_bad(0, k, got);
        }
        uint8_t *h = hot_addr();
        __atomic_store_n((uint64_t *)h, encode_branch(k), __ATOMIC_RELAXED);
        __builtin___clear_cache((char *)h, (char *)h + 8);
        store_release(&published, k);
    }
}

static void executor(int index)
{
    uint64_t calls = 0;
    for (;;) {
        uint64_t k = load_acquire(&published);
        if (k == 0) {
            cpu_relax();
            continue;
        }
        sync_instruction_stream();
        int got = call_slot(k);
        calls++;
        if ((uint64_t)got != k) {
            report_bad(index, k, got);
        }
        int hot = call_hot();
        calls++;
        if (hot < 0 || (uint64_t)hot < k || hot > iters) {
            report_bad(index, k, hot);
        }
        store_release(&acked[index], k);
        if (k == (uint64_t)iters) {
            break;
        }
    }
    calls_by[index] = calls;
}

static void thread_main(int index)
{
    if (index == 0) {
        writer();
    } else {
        executor(index);
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: xmodcode THREADS ITERS\n");
        return 2;
    }
    nthreads = (int)parse_count("xmodcode", "THREADS", argv[1], STRESS_MAX_THREADS);
    iters = parse_count("xmodcode", "ITERS", argv[2], 65535);
    if (nthreads < 2) {
        nthreads = 2; /* a writer and at least one executor */
    }
    size_t size = SLOTS * SLOT_BYTES + SLOT_BYTES; /* the slots, the hot entry */
    code = mmap(NULL, size, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
                -1, 0);
    if (code == MAP_FAILED) {
        perror("xmodcode: mmap RWX");
        return 2;
    }
    /* every slot starts as "return 0", already run once by this thread */
    for (uint64_t s = 0; s < SLOTS; s++) {
        *(uint64_t *)slot_addr(s) = encode(0);
    }
    *(uint64_t *)hot_addr() = encode_branch(0);
    __builtin___clear_cache((char *)code, (char *)code + size);
    for (uint64_t s = 0; s < SLOTS; s++) {
        if (call_slot(s) != 0) {
            fprintf(stderr, "xmodcode: initial slot %llu is wrong\n", (unsigned long long)s);
            return 1;
        }
    }
    if (call_hot() != 0) {
        fprintf(stderr, "xmodcode: the initial hot entry is wrong\n");
        return 1;
    }

    run_threads(nthreads, thread_main);

    uint64_t calls = 0, bad = 0;
    for (int i = 0; i < nthreads; i++) {
        calls += calls_by[i];
        bad += bad_by[i];
    }
    int ok = published == (uint64_t)iters && bad == 0;
    printf("STRESS xmodcode threads=%d iters=%ld last=%llu calls=%llu bad=%llu result=%s\n",
           nthreads, iters, (unsigned long long)published, (unsigned long long)calls,
           (unsigned long long)bad, ok ? "ok" : "FAIL");
    return ok ? 0 : 1;
}
