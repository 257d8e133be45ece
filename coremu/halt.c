/*
 * halt.c — the sleep word: futex halting with check-after-announce, wakers
 * that pay one atomic (and a FUTEX_WAKE only for a sleeper), and claims that
 * let another thread act on a sleeper in place (include/coremu/halt.h has
 * the protocol and the argument that no wake-up is lost).
 */
#include "coremu/halt.h"

#include <sched.h>
#include <time.h>

#include "coremu/inbox.h"

uint64_t coremu_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Owner: set SLEEPING and clear NOTIFIED, keeping a claimer's CLAIMED. */
static void announce(CoreSleep *s)
{
    uint32_t old = __atomic_load_n(&s->word, __ATOMIC_RELAXED);
    while (!__atomic_compare_exchange_n(&s->word, &old, (old & COREMU_CLAIMED) | COREMU_SLEEPING,
                                        true, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
    }
}

/* Owner: back to awake (0); waits while a claimer acts on our state. */
static void leave(CoreSleep *s)
{
    uint32_t old = __atomic_load_n(&s->word, __ATOMIC_RELAXED);
    for (;;) {
        if (old & COREMU_CLAIMED) {
            sched_yield(); /* a shootdown of our TLB is in progress: microseconds */
            old = __atomic_load_n(&s->word, __ATOMIC_RELAXED);
            continue;
        }
        if (__atomic_compare_exchange_n(&s->word, &old, 0, true, __ATOMIC_ACQ_REL,
                                        __ATOMIC_RELAXED)) {
            return;
        }
    }
}

uint64_t coremu_sleep(CoreSleep *s, bool (*ready)(void *opaque), void *opaque, uint64_t timeout_ns)
{
    uint64_t t0 = coremu_now_ns();
    uint64_t deadline = timeout_ns ? t0 + timeout_ns : 0;
    __atomic_store_n(&s->since_ns, t0 ? t0 : 1, __ATOMIC_RELAXED);
    announce(s);
    for (;;) {
        if (ready(opaque)) {
            break;
        }
        uint32_t v = __atomic_load_n(&s->word, __ATOMIC_RELAXED);
        if (v & COREMU_NOTIFIED) {
            /* re-check after consuming the notice (acquire: see its condition) */
            __atomic_fetch_and(&s->word, ~COREMU_NOTIFIED, __ATOMIC_ACQ_REL);
            continue;
        }
        uint64_t wait = 0;
        if (deadline) {
            uint64_t now = coremu_now_ns();
            if (now >= deadline) {
                break;
            }
            wait = deadline - now;
        }
        /* returns at once if the word is no longer v (a notice or a claim came) */
        coremu_futex_wait(&s->word, v, wait);
    }
    leave(s);
    __atomic_store_n(&s->since_ns, 0, __ATOMIC_RELAXED);
    return coremu_now_ns() - t0;
}

CoreKick coremu_sleep_notify(CoreSleep *s)
{
    uint32_t old = __atomic_fetch_or(&s->word, COREMU_NOTIFIED, __ATOMIC_SEQ_CST);
    if (!(old & COREMU_SLEEPING)) {
        return COREMU_KICK_RUNNING;
    }
    if (old & COREMU_NOTIFIED) {
        return COREMU_KICK_NONE; /* the waker that set it issued the wake */
    }
    coremu_futex_wake(&s->word, 1);
    return COREMU_KICK_WAKE;
}

bool coremu_sleep_claim(CoreSleep *s)
{
    uint32_t old = __atomic_load_n(&s->word, __ATOMIC_ACQUIRE);
    for (;;) {
        if (!(old & COREMU_SLEEPING)) {
            return false;
        }
        if (old & COREMU_CLAIMED) {
            sched_yield(); /* another shootdown of this sleeper: short */
            old = __atomic_load_n(&s->word, __ATOMIC_ACQUIRE);
            continue;
        }
        if (__atomic_compare_exchange_n(&s->word, &old, old | COREMU_CLAIMED, true,
                                        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            return true;
        }
    }
}

void coremu_sleep_release(CoreSleep *s)
{
    __atomic_fetch_and(&s->word, ~COREMU_CLAIMED, __ATOMIC_RELEASE);
}

bool coremu_sleep_asleep(const CoreSleep *s)
{
    return (__atomic_load_n(&s->word, __ATOMIC_RELAXED) & COREMU_SLEEPING) != 0;
}

uint64_t coremu_sleep_since(const CoreSleep *s)
{
    return __atomic_load_n(&s->since_ns, __ATOMIC_RELAXED);
}
