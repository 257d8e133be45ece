/*
 * test-coremu-halt.c — the futex sleep word (coremu/halt.c) with real
 * threads, also under ThreadSanitizer (make check): no wake-up is lost over
 * thousands of randomly timed sleep/notify races (a lost one hangs the
 * sleeper, which a watchdog turns into a FAIL), bursts of wakers, kick
 * kinds classified and counted, timed sleeps, and claims: a claimed
 * sleeper cannot leave, and what the claimer wrote with plain stores is
 * seen by the owner with plain loads (TSan checks the ordering).
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "coremu/coremu.h"

static int failures;

#define CHECK(name, cond, ...)                                                         \
    do {                                                                               \
        if (cond) {                                                                    \
            printf("PASS %s\n", name);                                                 \
        } else {                                                                       \
            printf("FAIL %s: ", name);                                                 \
            printf(__VA_ARGS__);                                                       \
            printf("\n");                                                              \
            failures++;                                                                \
        }                                                                              \
        fflush(stdout);                                                                \
    } while (0)

/* xorshift, per thread */
static uint32_t rnd(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* a random short delay: nothing, a spin, a yield or a microsleep */
static void jitter(uint32_t *s)
{
    uint32_t r = rnd(s) % 16;
    if (r < 6) {
        return;
    }
    if (r < 12) {
        for (volatile uint32_t i = 0; i < (rnd(s) % 2000); i++) {
        }
    } else if (r < 15) {
        sched_yield();
    } else {
        usleep(rnd(s) % 50);
    }
}

/* Wait for *done or fail the whole program after secs: a lost wake-up hangs. */
static void watchdog(const char *name, uint32_t *done, int secs)
{
    for (int i = 0; i < secs * 1000; i++) {
        if (__atomic_load_n(done, __ATOMIC_ACQUIRE)) {
            return;
        }
        usleep(1000);
    }
    printf("FAIL %s: no progress for %d s (a lost wake-up?)\n", name, secs);
    fflush(stdout);
    _exit(1);
}

/* ---- ping-pong: one waker, one sleeper, a fresh race every round ---- */

#define ROUNDS 3000

static CoreSleep pp_sleep;
static uint32_t pp_posted, pp_acked, pp_done;
static uint64_t pp_slept;

static bool pp_ready(void *opaque)
{
    uint32_t *seen = opaque;
    return __atomic_load_n(&pp_posted, __ATOMIC_ACQUIRE) != *seen;
}

static void *pp_sleeper(void *arg)
{
    uint32_t seed = 0x9e3779b9u, seen = 0;
    while (seen < ROUNDS) {
        jitter(&seed); /* sometimes the post comes first, sometimes the sleep */
        if (!pp_ready(&seen)) {
            pp_slept++;
            coremu_sleep(&pp_sleep, pp_ready, &seen, 0);
        }
        seen = __atomic_load_n(&pp_posted, __ATOMIC_ACQUIRE);
        __atomic_store_n(&pp_acked, seen, __ATOMIC_RELEASE);
    }
    __atomic_store_n(&pp_done, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void *pp_waker(void *arg)
{
    uint32_t seed = 0x12345u;
    for (uint32_t r = 1; r <= ROUNDS; r++) {
        jitter(&seed);
        __atomic_store_n(&pp_posted, r, __ATOMIC_RELEASE); /* publish the condition */
        coremu_sleep_notify(&pp_sleep);                     /* then kick */
        while (__atomic_load_n(&pp_acked, __ATOMIC_ACQUIRE) != r) {
            sched_yield();
        }
    }
    return NULL;
}

static void test_ping_pong(void)
{
    pthread_t s, w;
    pthread_create(&s, NULL, pp_sleeper, NULL);
    pthread_create(&w, NULL, pp_waker, NULL);
    watchdog("halt-no-lost-wakeup-ping-pong", &pp_done, 60);
    pthread_join(s, NULL);
    pthread_join(w, NULL);
    CHECK("halt-no-lost-wakeup-ping-pong", pp_acked == ROUNDS && pp_slept > 0,
          "acked %u of %u, slept %llu times", pp_acked, ROUNDS, (unsigned long long)pp_slept);
}

/* ---- bursts: several wakers post into one counter, the sleeper counts ---- */

#define WAKERS 4
#define PER_WAKER 4000

static CPUState burst_cpu;
static CoreState burst_core __attribute__((aligned(64)));
static uint32_t burst_posted, burst_done;

static bool burst_ready(void *opaque)
{
    uint32_t *seen = opaque;
    return __atomic_load_n(&burst_posted, __ATOMIC_ACQUIRE) != *seen;
}

static void *burst_sleeper(void *arg)
{
    uint32_t seen = 0;
    while (seen < WAKERS * PER_WAKER) {
        if (!burst_ready(&seen)) {
            coremu_sleep(&burst_core.sleep, burst_ready, &seen, 0);
        }
        seen = __atomic_load_n(&burst_posted, __ATOMIC_ACQUIRE);
    }
    __atomic_store_n(&burst_done, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void *burst_waker(void *arg)
{
    uint32_t seed = (uint32_t)(uintptr_t)arg * 7919u + 1u;
    for (int i = 0; i < PER_WAKER; i++) {
        if (rnd(&seed) % 8 == 0) {
            jitter(&seed);
        }
        __atomic_fetch_add(&burst_posted, 1, __ATOMIC_RELEASE);
        coremu_count_kick(&burst_cpu, coremu_sleep_notify(&burst_core.sleep));
    }
    return NULL;
}

static void test_bursts(void)
{
    burst_cpu.coremu = &burst_core;
    pthread_t s, w[WAKERS];
    pthread_create(&s, NULL, burst_sleeper, NULL);
    for (uintptr_t i = 0; i < WAKERS; i++) {
        pthread_create(&w[i], NULL, burst_waker, (void *)i);
    }
    watchdog("halt-no-lost-wakeup-bursts", &burst_done, 60);
    for (int i = 0; i < WAKERS; i++) {
        pthread_join(w[i], NULL);
    }
    pthread_join(s, NULL);
    uint64_t total = 0;
    for (int k = 0; k < COREMU_KICK_KINDS; k++) {
        total += burst_core.kicks[k];
    }
    CHECK("halt-no-lost-wakeup-bursts", burst_done == 1, "sleeper did not finish");
    CHECK("kicks-counted-under-contention", total == (uint64_t)WAKERS * PER_WAKER,
          "%llu kicks counted, %d posted", (unsigned long long)total, WAKERS * PER_WAKER);
    CHECK("kicks-no-self-from-other-threads", burst_core.kicks[COREMU_KICK_SELF] == 0,
          "%llu self kicks", (unsigned long long)burst_core.kicks[COREMU_KICK_SELF]);
}

/* ---- kinds, deterministically, on a word set by hand ---- */

static void test_kinds(void)
{
    CoreSleep s = {0};
    CoreKick a = coremu_sleep_notify(&s);
    __atomic_store_n(&s.word, COREMU_SLEEPING, __ATOMIC_RELEASE); /* as if announced */
    CoreKick b = coremu_sleep_notify(&s);
    CoreKick c = coremu_sleep_notify(&s);
    CHECK("kick-kinds", a == COREMU_KICK_RUNNING && b == COREMU_KICK_WAKE && c == COREMU_KICK_NONE,
          "awake->%d, asleep->%d, asleep+notified->%d", a, b, c);
    CHECK("claim-only-sleepers", coremu_sleep_claim(&s) && (coremu_sleep_release(&s), 1) &&
                                     (__atomic_store_n(&s.word, 0, __ATOMIC_RELEASE), 1) &&
                                     !coremu_sleep_claim(&s),
          "claim result wrong");
}

static bool never(void *opaque)
{
    return false;
}

static void test_timeout(void)
{
    CoreSleep s = {0};
    uint64_t t0 = coremu_now_ns();
    uint64_t ns = coremu_sleep(&s, never, NULL, 2000000);
    uint64_t el = coremu_now_ns() - t0;
    CHECK("halt-timed-sleep", ns >= 2000000 && el < 1000000000ull && !coremu_sleep_asleep(&s) &&
                                  coremu_sleep_since(&s) == 0,
          "slept %llu ns (elapsed %llu)", (unsigned long long)ns, (unsigned long long)el);
}

/* ---- claims: a claimer acts on the sleeper's private state ---- */

#define CLAIMERS 2
#define CLAIM_ROUNDS 3000

static CoreSleep cl_sleep;
static uint64_t cl_private[8];  /* the sleeper's "TLB": plain accesses only */
static uint64_t cl_flushed;     /* plain: incremented only under a claim */
static uint32_t cl_posted, cl_stop, cl_done;
static uint64_t cl_claims[CLAIMERS];
static uint64_t cl_owner_uses;

static bool cl_ready(void *opaque)
{
    uint32_t *seen = opaque;
    return __atomic_load_n(&cl_posted, __ATOMIC_ACQUIRE) != *seen ||
           __atomic_load_n(&cl_stop, __ATOMIC_ACQUIRE);
}

static void *cl_owner(void *arg)
{
    uint32_t seed = 99, seen = 0;
    while (!__atomic_load_n(&cl_stop, __ATOMIC_ACQUIRE)) {
        /* awake: use the private state with plain accesses */
        for (int i = 0; i < 8; i++) {
            cl_private[i] = cl_private[i] + 1;
        }
        cl_owner_uses++;
        jitter(&seed);
        coremu_sleep(&cl_sleep, cl_ready, &seen, 0);
        seen = __atomic_load_n(&cl_posted, __ATOMIC_ACQUIRE);
    }
    __atomic_store_n(&cl_done, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void *cl_claimer(void *arg)
{
    uintptr_t id = (uintptr_t)arg;
    uint32_t seed = (uint32_t)id * 31u + 5u;
    uint64_t n = 0;
    for (int r = 0; r < CLAIM_ROUNDS; r++) {
        if (coremu_sleep_claim(&cl_sleep)) {
            for (int i = 0; i < 8; i++) {
                cl_private[i] = 0; /* "flush" */
            }
            cl_flushed++;
            n++;
            coremu_sleep_release(&cl_sleep);
        }
        if (rnd(&seed) % 4 == 0) {
            __atomic_fetch_add(&cl_posted, 1, __ATOMIC_RELEASE); /* wake the owner */
            coremu_sleep_notify(&cl_sleep);
        }
        jitter(&seed);
    }
    cl_claims[id] = n;
    return NULL;
}

static void test_claims(void)
{
    pthread_t o, c[CLAIMERS];
    pthread_create(&o, NULL, cl_owner, NULL);
    for (uintptr_t i = 0; i < CLAIMERS; i++) {
        pthread_create(&c[i], NULL, cl_claimer, (void *)i);
    }
    for (int i = 0; i < CLAIMERS; i++) {
        pthread_join(c[i], NULL);
    }
    __atomic_store_n(&cl_stop, 1, __ATOMIC_RELEASE);
    coremu_sleep_notify(&cl_sleep);
    watchdog("halt-claims", &cl_done, 30);
    pthread_join(o, NULL);
    uint64_t claims = 0;
    for (int i = 0; i < CLAIMERS; i++) {
        claims += cl_claims[i];
    }
    CHECK("claims-exclusive-and-counted", claims > 0 && cl_flushed == claims && cl_owner_uses > 0,
          "%llu claims, %llu flushes seen, owner ran %llu times", (unsigned long long)claims,
          (unsigned long long)cl_flushed, (unsigned long long)cl_owner_uses);
}

/* ---- a claimed sleeper does not leave, even when notified and ready ---- */

static CoreSleep hold_sleep;
static uint32_t hold_go, hold_left;
static uint64_t hold_data; /* plain: written by the claimer, read by the owner */
static uint64_t hold_seen;

static bool hold_ready(void *opaque)
{
    return __atomic_load_n(&hold_go, __ATOMIC_ACQUIRE) != 0;
}

static void *hold_owner(void *arg)
{
    coremu_sleep(&hold_sleep, hold_ready, NULL, 0);
    hold_seen = hold_data;
    __atomic_store_n(&hold_left, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void test_claim_holds(void)
{
    pthread_t t;
    pthread_create(&t, NULL, hold_owner, NULL);
    while (!coremu_sleep_asleep(&hold_sleep)) {
        usleep(100);
    }
    bool claimed = coremu_sleep_claim(&hold_sleep);
    hold_data = 42;
    __atomic_store_n(&hold_go, 1, __ATOMIC_RELEASE);
    coremu_sleep_notify(&hold_sleep);
    usleep(30000);
    uint32_t left_while_claimed = __atomic_load_n(&hold_left, __ATOMIC_ACQUIRE);
    coremu_sleep_release(&hold_sleep);
    watchdog("claim-holds-sleeper", &hold_left, 10);
    pthread_join(t, NULL);
    CHECK("claim-holds-sleeper", claimed && !left_while_claimed && hold_seen == 42,
          "claimed %d, left while claimed %u, saw %llu", claimed, left_while_claimed,
          (unsigned long long)hold_seen);
}

int main(void)
{
    test_kinds();
    test_timeout();
    test_ping_pong();
    test_bursts();
    test_claims();
    test_claim_holds();
    return failures ? 1 : 0;
}
