/*
 * inbox.c — lock-free MPSC mailbox and futex helpers (include/coremu/inbox.h).
 */
#include "coremu/inbox.h"

#include <linux/futex.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

void inbox_init(CoreInbox *q)
{
    q->stub.next = NULL;
    q->head = &q->stub;
    __atomic_store_n(&q->tail, &q->stub, __ATOMIC_RELEASE);
}

void inbox_push(CoreInbox *q, CoreMsg *m)
{
    __atomic_store_n(&m->next, NULL, __ATOMIC_RELAXED);
    CoreMsg *prev = __atomic_exchange_n(&q->tail, m, __ATOMIC_ACQ_REL);
    /* between these two steps the list is cut after prev: pop sees "empty" */
    __atomic_store_n(&prev->next, m, __ATOMIC_RELEASE);
}

CoreMsg *inbox_pop(CoreInbox *q)
{
    CoreMsg *head = q->head;
    CoreMsg *next = __atomic_load_n(&head->next, __ATOMIC_ACQUIRE);
    if (head == &q->stub) {
        if (!next) {
            return NULL;
        }
        q->head = next;
        head = next;
        next = __atomic_load_n(&next->next, __ATOMIC_ACQUIRE);
    }
    if (next) {
        q->head = next;
        return head;
    }
    if (head != __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE)) {
        return NULL; /* a producer is mid-push; it will kick us */
    }
    /* head is the last real message: put the stub behind it to detach it */
    inbox_push(q, &q->stub);
    next = __atomic_load_n(&head->next, __ATOMIC_ACQUIRE);
    if (next) {
        q->head = next;
        return head;
    }
    return NULL;
}

bool inbox_empty(CoreInbox *q)
{
    return q->head == &q->stub && !__atomic_load_n(&q->stub.next, __ATOMIC_ACQUIRE);
}

void coremu_futex_wait(uint32_t *word, uint32_t expected, uint64_t timeout_ns)
{
    struct timespec ts, *tsp = NULL;
    if (timeout_ns) {
        ts.tv_sec = (time_t)(timeout_ns / 1000000000ull);
        ts.tv_nsec = (long)(timeout_ns % 1000000000ull);
        tsp = &ts;
    }
    syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, expected, tsp, NULL, 0);
}

void coremu_futex_wake(uint32_t *word, int nwake)
{
    syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, nwake, NULL, NULL, 0);
}
