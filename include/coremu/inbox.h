/*
 * inbox.h — a core's mailbox: a lock-free multi-producer single-consumer
 * queue (Vyukov's intrusive MPSC list), plus futex wait/wake.
 *
 * Any thread may post (one atomic exchange, never blocks, never fails);
 * only the owning core pops, at TB boundaries. Messages from one producer
 * arrive in the order posted. A pop may transiently see "empty" while a
 * producer is between its two steps; the producer then kicks the core
 * (coremu_kick) after posting, so the message is seen on the next check.
 *
 * Memory ordering: push's exchange is acq_rel and the link store is
 * release; pop's loads of next are acquire — a popped message's payload
 * written before the push is visible to the consumer.
 */
#ifndef COREMU_INBOX_H
#define COREMU_INBOX_H

#include <stdbool.h>
#include <stdint.h>

struct CPUState;

typedef enum CoreMsgKind {
    COREMU_MSG_RUN,            /* call fn(cpu, opaque) on the target core */
    COREMU_MSG_TLB_FLUSH,      /* a0: mmu idx map */
    COREMU_MSG_TLB_FLUSH_PAGE, /* a0: vaddr, a1: mmu idx map */
    COREMU_MSG_TB_INVALIDATE,  /* a0: paddr, a1: length */
    COREMU_MSG_STOP,
    COREMU_MSG_KINDS,
} CoreMsgKind;

typedef struct CoreMsg {
    struct CoreMsg *next;
    uint32_t kind;
    uint64_t a0, a1;
    void (*fn)(struct CPUState *cpu, void *opaque);
    void *opaque;
} CoreMsg;

typedef struct CoreInbox {
    CoreMsg *tail; /* producers: atomic exchange */
    char pad[56];  /* keep producers' line apart from the consumer's */
    CoreMsg *head; /* consumer only */
    CoreMsg stub;
} CoreInbox;

void inbox_init(CoreInbox *q);
void inbox_push(CoreInbox *q, CoreMsg *m);
CoreMsg *inbox_pop(CoreInbox *q);
bool inbox_empty(CoreInbox *q); /* consumer's view */

/* futex on a 32-bit word: sleep while *word == expected (or until timeout_ns, 0 = none) */
void coremu_futex_wait(uint32_t *word, uint32_t expected, uint64_t timeout_ns);
void coremu_futex_wake(uint32_t *word, int nwake);

#endif
