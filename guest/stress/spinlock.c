/*
 * spinlock.c — a ticket spin lock written in assembly protecting a plain
 * (non-atomic) counter: THREADS threads x ITERS lock / counter++ / unlock.
 *
 * Usage: spinlock THREADS ITERS
 * The lock is one 32-bit word: owner ticket in bits [15:0], next ticket in
 * [31:16] (the classic ARMv8.0 Linux layout).
 *   aarch64: take a ticket with an LDAXR / ADD / STXR loop; if it is not the
 *            owner's, SEVL then WFE / LDAXRH(owner) until it is.  The waiter's
 *            LDAXRH arms the exclusive monitor, so the owner's STLRH release of
 *            the next ticket clears it and generates the wake-up event (Arm ARM
 *            D1.6.1 "The Wait For Event mechanism").  An emulator may treat WFE
 *            as a YIELD; it must not sleep without waking on that store.
 *   x86-64:  LOCK XADD takes the ticket, PAUSE-spin on the owner half, a plain
 *            16-bit store releases (TSO).
 * Inside the critical section a holder word checks mutual exclusion directly
 * (two holders at once count as a violation) besides the final total.
 * Prints: STRESS spinlock threads=T iters=M total=C violations=V result=ok
 * where C must be T*M and V 0.
 */
#include "stress.h"

static uint32_t lock_word __attribute__((aligned(64)));
static volatile uint64_t counter __attribute__((aligned(64)));
static volatile uint64_t holder;
static uint64_t violations_by[STRESS_MAX_THREADS];
static long iters;

#if defined(__aarch64__)
static void ticket_lock(uint32_t *lock)
{
    uint32_t ticket, tmp, fail, owner;
    __asm__ volatile("   prfm pstl1strm, %4\n"
                     "1: ldaxr %w0, %4\n"
                     "   add %w1, %w0, #0x10000\n"
                     "   stxr %w2, %w1, %4\n"
                     "   cbnz %w2, 1b\n"
                     /* our ticket is the old next field; owner == next: ours */
                     "   eor %w1, %w0, %w0, ror #16\n"
                     "   cbz %w1, 3f\n"
                     "   sevl\n"
                     "2: wfe\n"
                     "   ldaxrh %w3, %4\n"
                     "   eor %w1, %w3, %w0, lsr #16\n"
                     "   cbnz %w1, 2b\n"
                     "3:\n"
                     : "=&r"(ticket), "=&r"(tmp), "=&r"(fail), "=&r"(owner), "+Q"(*lock)
                     :
                     : "memory");
}

static void ticket_unlock(uint32_t *lock)
{
    uint32_t tmp;
    __asm__ volatile("ldrh %w0, %1\n"
                     "add %w0, %w0, #1\n"
                     "stlrh %w0, %1\n"
                     : "=&r"(tmp), "+Q"(*lock)
                     :
                     : "memory");
}
#else
static void ticket_lock(uint32_t *lock)
{
    uint32_t t = 0x10000;
    __asm__ volatile("lock xaddl %0, %1" : "+r"(t), "+m"(*lock) : : "memory", "cc");
    uint16_t mine = (uint16_t)(t >> 16);
    while (*(volatile uint16_t *)lock != mine) {
        cpu_relax();
    }
    __asm__ volatile("" ::: "memory");
}

static void ticket_unlock(uint32_t *lock)
{
    __asm__ volatile("" ::: "memory");
    uint16_t owner = *(volatile uint16_t *)lock;
    *(volatile uint16_t *)lock = (uint16_t)(owner + 1);
}
#endif

static void worker(int index)
{
    uint64_t me = (uint64_t)index + 1, bad = 0;
    for (long i = 0; i < iters; i++) {
        ticket_lock(&lock_word);
        bad += holder != 0;
        holder = me;
        counter = counter + 1;
        bad += holder != me;
        holder = 0;
        ticket_unlock(&lock_word);
    }
    violations_by[index] = bad;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: spinlock THREADS ITERS\n");
        return 2;
    }
    int threads = (int)parse_count("spinlock", "THREADS", argv[1], STRESS_MAX_THREADS);
    iters = parse_count("spinlock", "ITERS", argv[2], 1L << 40);

    run_threads(threads, worker);

    uint64_t bad = 0;
    for (int i = 0; i < threads; i++) {
        bad += violations_by[i];
    }
    int ok = counter == (uint64_t)threads * (uint64_t)iters && bad == 0 &&
             (lock_word & 0xffff) == (lock_word >> 16);
    printf("STRESS spinlock threads=%d iters=%ld total=%llu violations=%llu result=%s\n",
           threads, iters, (unsigned long long)counter, (unsigned long long)bad,
           ok ? "ok" : "FAIL");
    return ok ? 0 : 1;
}
