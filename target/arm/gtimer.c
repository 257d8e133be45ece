/*
 * gtimer.c — the generic timer's physical and virtual EL1 timers (Arm ARM D11).
 *
 * The counter is the host's CLOCK_MONOTONIC at 62.5 MHz (arm_cpu_counter_now).
 * Each core's timer output is a level: ENABLE && !IMASK && ISTATUS, with
 * ISTATUS = (counter >= CVAL) (CNTVOFF is 0: no EL2). A level can only fall
 * because the guest wrote CTL/CVAL/TVAL, which the core recomputes at once;
 * it rises because time passes, which one shared host thread watches: it
 * sleeps until the earliest armed deadline of all cores, then raises the
 * lines that are due. All level changes happen under `timer_lock`, so the
 * board's IRQ handler sees them in order; it must not call back into here.
 * The lock is taken only on timer register writes and by the watcher, never
 * per instruction.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "target/arm/cpu.h"
#include "util/log.h"

static pthread_mutex_t timer_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t timer_cond;
static bool timer_thread_started;
static ARMCPU *timer_cpus; /* list through ARMCPU.timer_next, under timer_lock */

#define NS_PER_TICK 16ull

static bool timer_istatus(const ARMGenericTimer *t, uint64_t now)
{
    return now >= t->cval;
}

static int timer_level(const ARMGenericTimer *t, uint64_t now)
{
    return (t->ctl & 1) && !(t->ctl & 2) && timer_istatus(t, now);
}

/* under timer_lock */
static void timer_update(ARMGenericTimer *t, uint64_t now)
{
    int level = timer_level(t, now);
    if (level != t->level) {
        __atomic_store_n(&t->level, level, __ATOMIC_RELAXED);
        irq_set(&t->line, level);
    }
}

static void *timer_thread(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&timer_lock);
    for (;;) {
        uint64_t now = arm_cpu_counter_now();
        uint64_t next = UINT64_MAX;
        for (ARMCPU *c = timer_cpus; c; c = c->timer_next) {
            for (int i = 0; i < ARM_NB_TIMERS; i++) {
                ARMGenericTimer *t = &c->env.timer[i];
                timer_update(t, now);
                if ((t->ctl & 3) == 1 && !t->level && t->cval < next) {
                    next = t->cval;
                }
            }
        }
        if (next == UINT64_MAX) {
            pthread_cond_wait(&timer_cond, &timer_lock);
        } else {
            struct timespec ts;
            uint64_t ns = next > UINT64_MAX / NS_PER_TICK ? UINT64_MAX : next * NS_PER_TICK;
            if (ns > (uint64_t)INT64_MAX) {
                ns = (uint64_t)INT64_MAX;
            }
            ts.tv_sec = (time_t)(ns / 1000000000ull);
            ts.tv_nsec = (long)(ns % 1000000000ull);
            pthread_cond_timedwait(&timer_cond, &timer_lock, &ts);
        }
    }
    return NULL;
}

void arm_timer_register(ARMCPU *cpu)
{
    pthread_mutex_lock(&timer_lock);
    if (!timer_thread_started) {
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&timer_cond, &ca);
        pthread_condattr_destroy(&ca);
        pthread_t th;
        if (pthread_create(&th, NULL, timer_thread, NULL) != 0) {
            fatal("cannot start the generic timer thread");
        }
        pthread_detach(th);
        timer_thread_started = true;
    }
    cpu->timer_next = timer_cpus;
    timer_cpus = cpu;
    pthread_mutex_unlock(&timer_lock);
}

uint64_t arm_timer_read_ctl(CPUARMState *env, int t)
{
    ARMGenericTimer *tm = &env->timer[t];
    uint64_t now = arm_cpu_counter_now();
    uint64_t v = tm->ctl & 3;
    if ((tm->ctl & 1) && timer_istatus(tm, now)) {
        v |= 4;
        /* a core that sees ISTATUS must also see the interrupt (ISR_EL1):
         * raise the line now rather than when the watcher thread wakes */
        if (!(tm->ctl & 2) && !__atomic_load_n(&tm->level, __ATOMIC_RELAXED)) {
            pthread_mutex_lock(&timer_lock);
            timer_update(tm, now);
            pthread_mutex_unlock(&timer_lock);
        }
    }
    return v;
}

/* CTL/CVAL are written only by the owning core, under the lock */
static void timer_write(ARMGenericTimer *tm, bool is_ctl, uint64_t val)
{
    pthread_mutex_lock(&timer_lock);
    if (is_ctl) {
        tm->ctl = (uint32_t)val & 3;
    } else {
        tm->cval = val;
    }
    timer_update(tm, arm_cpu_counter_now());
    if (timer_thread_started) {
        pthread_cond_signal(&timer_cond);
    }
    pthread_mutex_unlock(&timer_lock);
}

void arm_timer_write_ctl(CPUARMState *env, int t, uint32_t val)
{
    timer_write(&env->timer[t], true, val);
}

void arm_timer_write_cval(CPUARMState *env, int t, uint64_t val)
{
    timer_write(&env->timer[t], false, val);
}
