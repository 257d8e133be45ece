/*
 * test-coremu-inbox.c — the MPSC mailbox under contention (also built and run
 * under ThreadSanitizer by make check): every message arrives exactly once,
 * each producer's messages in order; and futex wait/wake hand-off.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coremu/inbox.h"

#define PRODUCERS 4
#define PER_PRODUCER 20000

static CoreInbox q;
static int failures;

#define CHECK(name, cond)                                                              \
    do {                                                                               \
        if (cond) {                                                                    \
            printf("PASS %s\n", name);                                                 \
        } else {                                                                       \
            printf("FAIL %s: %s\n", name, #cond);                                      \
            failures++;                                                                \
        }                                                                              \
    } while (0)

static void *producer(void *arg)
{
    uintptr_t id = (uintptr_t)arg;
    for (uint64_t i = 0; i < PER_PRODUCER; i++) {
        CoreMsg *m = malloc(sizeof(*m));
        m->kind = COREMU_MSG_RUN;
        m->a0 = id;
        m->a1 = i;
        inbox_push(&q, m);
    }
    return NULL;
}

static void test_mpsc(void)
{
    pthread_t th[PRODUCERS];
    uint64_t next[PRODUCERS] = {0};
    uint64_t got = 0;
    bool in_order = true, known = true;
    inbox_init(&q);
    CHECK("inbox-empty-initially", inbox_empty(&q) && inbox_pop(&q) == NULL);
    for (uintptr_t i = 0; i < PRODUCERS; i++) {
        pthread_create(&th[i], NULL, producer, (void *)i);
    }
    while (got < (uint64_t)PRODUCERS * PER_PRODUCER) {
        CoreMsg *m = inbox_pop(&q);
        if (!m) {
            continue;
        }
        if (m->a0 >= PRODUCERS) {
            known = false;
        } else {
            if (m->a1 != next[m->a0]) {
                in_order = false;
            }
            next[m->a0] = m->a1 + 1;
        }
        free(m);
        got++;
    }
    for (int i = 0; i < PRODUCERS; i++) {
        pthread_join(th[i], NULL);
    }
    CHECK("inbox-all-delivered", got == (uint64_t)PRODUCERS * PER_PRODUCER);
    CHECK("inbox-per-producer-fifo", in_order);
    CHECK("inbox-no-foreign-messages", known);
    CHECK("inbox-empty-after", inbox_pop(&q) == NULL && inbox_empty(&q));
    /* single-threaded reuse after draining */
    CoreMsg a = {.a1 = 1}, b = {.a1 = 2};
    inbox_push(&q, &a);
    inbox_push(&q, &b);
    CoreMsg *x = inbox_pop(&q), *y = inbox_pop(&q);
    CHECK("inbox-reuse-fifo", x == &a && y == &b && inbox_pop(&q) == NULL);
}

static uint32_t flag;
static uint32_t seen;

static void *waiter(void *arg)
{
    (void)arg;
    while (__atomic_load_n(&flag, __ATOMIC_ACQUIRE) == 0) {
        coremu_futex_wait(&flag, 0, 0);
    }
    __atomic_store_n(&seen, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void test_futex(void)
{
    pthread_t t;
    pthread_create(&t, NULL, waiter, NULL);
    __atomic_store_n(&flag, 1, __ATOMIC_RELEASE);
    coremu_futex_wake(&flag, 1);
    pthread_join(t, NULL);
    CHECK("futex-wake", __atomic_load_n(&seen, __ATOMIC_ACQUIRE) == 1);
    uint32_t w = 7;
    coremu_futex_wait(&w, 8, 0); /* value differs: returns at once */
    coremu_futex_wait(&w, 7, 1000000); /* times out after 1 ms */
    CHECK("futex-mismatch-and-timeout-return", w == 7);
}

int main(void)
{
    test_mpsc();
    test_futex();
    return failures ? 1 : 0;
}
