/*
 * tlbshoot.c — TLB shootdown: worker threads read and write a shared mapping
 * while a controller thread changes it underneath them; every access must
 * either succeed with the right data or fault, as the protection in force
 * at that moment says.
 *
 * Usage: tlbshoot THREADS ITERS
 * Thread 0 is the controller, the others (at least one) are workers.  The
 * controller runs ITERS cycles of five changes to a PAGES-page anonymous
 * mapping:  mprotect(READ) -> mprotect(NONE) -> mprotect(READ|WRITE) ->
 * munmap -> mmap(READ|WRITE, MAP_FIXED, fresh zero pages, generation + 1).
 * The kernel must remove stale translations from every core (TLBI ...IS, or
 * IPIs) before mprotect/munmap return; an emulator that leaves one behind
 * lets a worker read or write through it.
 *
 * Deciding what is legal — a seqlock-like epoch.  Phase p is the state after
 * p changes ({protection, generation} in phase[p], written before the epoch
 * that announces it).  The controller publishes epoch = 2p+1 (store-release,
 * then a full barrier) BEFORE the system call that moves from phase p to p+1,
 * and epoch = 2p+2 (store-release) AFTER it returned.  A worker reads the epoch
 * (acquire) before an access and again after it (full barrier first): any
 * phase from e1/2 to (e2+1)/2 may have been in force, so
 *   read succeeded   legal iff one of them was readable, and the value read is
 *                    the worker's last write to that word (it alone writes it)
 *                    while the mapping that write may have gone to can still be
 *                    in force, or 0 if a newer (zeroed) mapping may be;
 *   write succeeded  legal iff one of them was writable;
 *   read faulted     legal iff one of them was PROT_NONE or unmapped;
 *   write faulted    legal iff one of them was not writable.
 * Workers also read a neighbour's word: 0 or a value tagged with that
 * neighbour's id.  Faults are caught with a SIGSEGV handler and siglongjmp.
 * Prints: STRESS tlbshoot threads=T iters=M phases=P rd_ok=A rd_fault=B
 *         wr_ok=C wr_fault=D illegal=I result=ok
 * where P must be 5*M and I 0 (and each count of accesses non-zero).
 */
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include "stress.h"

#define PAGES 4

enum { PROT_RW_STATE, PROT_RO_STATE, PROT_NONE_STATE, UNMAPPED_STATE };

typedef struct Phase {
    uint32_t state;
    uint32_t gen;
} Phase;

typedef struct Counts {
    uint64_t rd_ok, rd_fault, wr_ok, wr_fault, illegal, accesses;
} __attribute__((aligned(64))) Counts;

static Phase *phase;    /* phase[p]: written before epoch 2p-1 is published */
static uint64_t epoch;  /* 2p: phase p in force; 2p+1: changing p -> p+1 */
static uint64_t done;
static uint8_t *region;
static size_t page_size, region_size;
static int nworkers;
static long iters;
static Counts counts[STRESS_MAX_THREADS];

static __thread sigjmp_buf fault_jmp;
static __thread volatile int armed;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    uint8_t *a = si->si_addr;
    if (!armed || a < region || a >= region + region_size) {
        static const char msg[] = "tlbshoot: unexpected SIGSEGV\n";
        ssize_t r = write(2, msg, sizeof(msg) - 1);
        (void)r;
        signal(sig, SIG_DFL); /* returning re-faults and kills the process */
        return;
    }
    armed = 0;
    siglongjmp(fault_jmp, 1);
}

/* try_access: one 8-byte access to P; returns 1 if it faulted. */
static __attribute__((noinline)) int try_access(volatile uint64_t *p, int write, uint64_t val,
                                                uint64_t *got)
{
    if (sigsetjmp(fault_jmp, 0)) {
        return 1;
    }
    armed = 1;
    if (write) {
        *p = val;
    } else {
        *got = *p;
    }
    armed = 0;
    return 0;
}

/* ------------------------------------------------------------ controller */

static uint64_t total_accesses(void)
{
    uint64_t n = 0;
    for (int i = 1; i <= nworkers; i++) {
        n += __atomic_load_n(&counts[i].accesses, __ATOMIC_RELAXED);
    }
    return n;
}

/* Let the workers make some accesses in the current phase (bounded wait). */
static void let_workers_run(void)
{
    uint64_t want = total_accesses() + 4 * (uint64_t)nworkers;
    for (int spins = 0; spins < 2000 && total_accesses() < want; spins++) {
        sched_yield();
    }
}

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static void controller(void)
{
    static const uint32_t cycle[5] = {PROT_RO_STATE, PROT_NONE_STATE, PROT_RW_STATE,
                                      UNMAPPED_STATE, PROT_RW_STATE};
    uint64_t p = 0;
    uint32_t gen = 0;
    for (long it = 0; it < iters; it++) {
        for (int step = 0; step < 5; step++) {
            let_workers_run();
            uint32_t next = cycle[step];
            if (step == 4) {
                gen++;
            }
            phase[p + 1] = (Phase){next, gen};
            store_release(&epoch, 2 * p + 1);
            full_barrier();
            switch (step) {
            case 0:
                if (mprotect(region, region_size, PROT_READ)) {
                    die("mprotect");
                }
                break;
            case 1:
                if (mprotect(region, region_size, PROT_NONE)) {
                    die("mprotect");
                }
                break;
            case 2:
                if (mprotect(region, region_size, PROT_READ | PROT_WRITE)) {
                    die("mprotect");
                }
                break;
            case 3:
                if (munmap(region, region_size)) {
                    die("munmap");
                }
                break;
            case 4:
                if (mmap(region, region_size, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != region) {
                    die("mmap");
                }
                break;
            }
            p++;
            store_release(&epoch, 2 * p);
        }
    }
    let_workers_run();
    store_release(&done, 1);
}

/* ---------------------------------------------------------------- worker */

typedef struct Window {
    int readable, writable, unreadable, unwritable;
    uint32_t gen_lo, gen_hi;
} Window;

static Window window(uint64_t e1, uint64_t e2)
{
    Window w = {0, 0, 0, 0, phase[e1 >> 1].gen, phase[(e2 + 1) >> 1].gen};
    for (uint64_t p = e1 >> 1; p <= (e2 + 1) >> 1; p++) {
        uint32_t s = phase[p].state;
        w.readable |= s == PROT_RW_STATE || s == PROT_RO_STATE;
        w.writable |= s == PROT_RW_STATE;
        w.unreadable |= s == PROT_NONE_STATE || s == UNMAPPED_STATE;
        w.unwritable |= s != PROT_RW_STATE;
    }
    return w;
}

static void worker(int index)
{
    Counts *c = &counts[index];
    uint64_t me = (uint64_t)index, other = (uint64_t)(index % nworkers + 1);
    /* per page: the worker's last write to its word, and the generations of
     * the mappings it may have gone to (0 .. UINT32_MAX: any, for the zero
     * of a fresh mapping) */
    uint64_t last_val[PAGES] = {0}, seq = 0;
    uint32_t last_lo[PAGES] = {0}, last_hi[PAGES];
    for (int pg = 0; pg < PAGES; pg++) {
        last_hi[pg] = UINT32_MAX;
    }
    for (uint64_t i = 0; !load_acquire(&done); i++) {
        int op = (int)(i % 4), pg = (int)((i / 4) % PAGES);
        int write = op == 0, own = op != 2;
        volatile uint64_t *addr =
            (volatile uint64_t *)(region + (size_t)pg * page_size) + (own ? me : other);
        uint64_t val = me << 48 | (++seq & 0xffffffffffffull), got = 0;

        uint64_t e1 = load_acquire(&epoch);
        int faulted = try_access(addr, write, val, &got);
        full_barrier();
        uint64_t e2 = load_acquire(&epoch);
        Window w = window(e1, e2);

        int legal;
        if (write && !faulted) {
            c->wr_ok++;
            legal = w.writable;
            last_val[pg] = val;
            last_lo[pg] = w.gen_lo;
            last_hi[pg] = w.gen_hi;
        } else if (write) {
            c->wr_fault++;
            legal = w.unwritable;
        } else if (faulted) {
            c->rd_fault++;
            legal = w.unreadable;
        } else {
            c->rd_ok++;
            legal = w.readable;
            if (own) {
                if (got == last_val[pg] && w.gen_lo <= last_hi[pg]) {
                    /* the mapping that took the write may still be in force */
                } else if (got == 0 && w.gen_hi > last_lo[pg]) {
                    last_val[pg] = 0; /* a newer, zeroed mapping: the write is gone */
                    last_lo[pg] = 0;
                    last_hi[pg] = UINT32_MAX;
                } else {
                    legal = 0; /* a lost write, or a read through a stale translation */
                }
            } else if (got != 0 && got >> 48 != other) {
                legal = 0;
            }
        }
        c->illegal += !legal;
        __atomic_store_n(&c->accesses, c->accesses + 1, __ATOMIC_RELAXED);
    }
}

static void thread_main(int index)
{
    if (index == 0) {
        controller();
    } else {
        worker(index);
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: tlbshoot THREADS ITERS\n");
        return 2;
    }
    int threads = (int)parse_count("tlbshoot", "THREADS", argv[1], STRESS_MAX_THREADS - 1);
    iters = parse_count("tlbshoot", "ITERS", argv[2], 1L << 24);
    nworkers = threads > 1 ? threads - 1 : 1;
    page_size = (size_t)sysconf(_SC_PAGESIZE);
    region_size = PAGES * page_size;
    phase = calloc((size_t)iters * 5 + 2, sizeof(*phase));
    region = mmap(NULL, region_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!phase || region == MAP_FAILED) {
        die("setup");
    }
    phase[0] = (Phase){PROT_RW_STATE, 0};

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER; /* siglongjmp leaves SIGSEGV unblocked */
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSEGV, &sa, NULL)) {
        die("sigaction");
    }

    run_threads(nworkers + 1, thread_main);

    Counts t = {0};
    for (int i = 1; i <= nworkers; i++) {
        t.rd_ok += counts[i].rd_ok;
        t.rd_fault += counts[i].rd_fault;
        t.wr_ok += counts[i].wr_ok;
        t.wr_fault += counts[i].wr_fault;
        t.illegal += counts[i].illegal;
    }
    uint64_t phases = epoch / 2;
    int ok = phases == 5 * (uint64_t)iters && t.illegal == 0;
    printf("STRESS tlbshoot threads=%d iters=%ld phases=%llu rd_ok=%llu rd_fault=%llu "
           "wr_ok=%llu wr_fault=%llu illegal=%llu result=%s\n",
           nworkers + 1, iters, (unsigned long long)phases, (unsigned long long)t.rd_ok,
           (unsigned long long)t.rd_fault, (unsigned long long)t.wr_ok,
           (unsigned long long)t.wr_fault, (unsigned long long)t.illegal, ok ? "ok" : "FAIL");
    return ok ? 0 : 1;
}
