/*
 * halt.h — a core's sleep word: halting (WFI/HLT, PSCI CPU_OFF) on a futex,
 * with no mutex and no condition variable on either side.
 *
 * One 32-bit word per sleeper carries three bits:
 *   SLEEPING  set and cleared only by the owner: it has announced that it is
 *             going to sleep and will re-check its wake condition first;
 *   NOTIFIED  set by wakers (fetch_or), cleared by the owner when it
 *             re-checks: "some condition changed since you last looked";
 *   CLAIMED   set by another thread (CAS) only while SLEEPING is set: that
 *             thread acts on the sleeper's private state (a TLB shootdown)
 *             and the owner may not leave its sleep until it is cleared.
 *
 * The protocol (check after announce):
 *   owner:   word <- SLEEPING (RMW, acq_rel); loop { if ready() leave;
 *            if NOTIFIED { clear it (RMW, acquire); continue }
 *            futex_wait(word, value seen) }
 *   waker:   publish the condition (inbox push, interrupt_request |= ...);
 *            old = fetch_or(word, NOTIFIED) (release);
 *            FUTEX_WAKE only if old had SLEEPING and not NOTIFIED.
 * Every write to the word is a read-modify-write, so the word's modification
 * order is total and each RMW continues the release sequence of the earlier
 * ones. Either the waker's fetch_or comes after the owner's announce in that
 * order — then the waker sees SLEEPING and wakes the futex (or a waker before
 * it already did: NOTIFIED was set after the announce cleared it), and the
 * kernel's compare in futex_wait fails or the wake finds the owner queued —
 * or it comes before — then the owner's acquire RMW reads it (or a later
 * value in its release sequence), so the published condition happens-before
 * the owner's ready() check. Either way no wake-up is lost.
 *
 * Claims: while a claimer holds CLAIMED the owner is asleep (or only
 * evaluating ready(), which must not touch the state claimers act on) and
 * cannot leave; the claimer's release (fetch_and, release) and the owner's
 * leaving CAS (acquire) order the claimer's writes before the owner's next
 * use of that state, and the owner's announce (release) orders its own
 * earlier writes before the claimer's CAS (acquire).
 */
#ifndef COREMU_HALT_H
#define COREMU_HALT_H

#include <stdbool.h>
#include <stdint.h>

#define COREMU_SLEEPING 1u
#define COREMU_NOTIFIED 2u
#define COREMU_CLAIMED 4u

/* What a kick had to do (counted per target core, coremu.h). */
typedef enum CoreKick {
    COREMU_KICK_RUNNING, /* target awake and on another thread: exit word set */
    COREMU_KICK_WAKE,    /* target asleep: one FUTEX_WAKE */
    COREMU_KICK_SELF,    /* kicked from its own thread: exit word only */
    COREMU_KICK_NONE,    /* target asleep and already notified: nothing to do */
    COREMU_KICK_KINDS,
} CoreKick;

typedef struct CoreSleep {
    uint32_t word;     /* COREMU_SLEEPING | COREMU_NOTIFIED | COREMU_CLAIMED */
    uint32_t pad;
    uint64_t since_ns; /* owner: clock at announce while asleep, 0 awake (relaxed) */
} CoreSleep;

/* Monotonic host clock in ns (CLOCK_MONOTONIC). */
uint64_t coremu_now_ns(void);

/*
 * Owner: sleep until ready(opaque) returns true (checked after the announce
 * and after every wake-up), or, if timeout_ns != 0, until that much time has
 * passed. ready() runs with SLEEPING set: it must not touch state a claimer
 * may write. Returns the ns spent (for idle accounting).
 */
uint64_t coremu_sleep(CoreSleep *s, bool (*ready)(void *opaque), void *opaque, uint64_t timeout_ns);

/*
 * Waker, after publishing the condition: COREMU_KICK_WAKE if it issued a
 * FUTEX_WAKE, COREMU_KICK_NONE if the sleeper was already notified,
 * COREMU_KICK_RUNNING if the owner is not asleep (the caller sets its exit
 * word). One atomic RMW; a syscall only for a sleeper not yet notified.
 */
CoreKick coremu_sleep_notify(CoreSleep *s);

/*
 * Claim a sleeping owner: true if it was asleep — it then cannot leave its
 * sleep until coremu_sleep_release(). false if it is awake. Waits (yielding)
 * while another claimer holds it.
 */
bool coremu_sleep_claim(CoreSleep *s);
void coremu_sleep_release(CoreSleep *s);

/* Any thread: is the owner asleep now; since when (0: awake). */
bool coremu_sleep_asleep(const CoreSleep *s);
uint64_t coremu_sleep_since(const CoreSleep *s);

#endif
