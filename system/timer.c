/*
 * timer.c — deadline timers on one host thread (include/system/timer.h).
 *
 * Armed timers sit in a list sorted by deadline; the thread sleeps on a
 * condition variable until the earliest deadline or a change. A callback
 * runs without the list lock held, so it may re-arm its own timer.
 * The list is short (a few timers per core), so insertion is linear.
 */
#include "system/timer.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "util/log.h"

struct HostTimer {
    HostTimerFn fn;
    void *opaque;
    uint64_t deadline;
    bool armed;
    HostTimer *next;
};

static pthread_mutex_t timer_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t timer_cond;
static HostTimer *timer_head;
static pthread_t timer_thread;
static bool timer_thread_started;

uint64_t clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t clock_realtime_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void unlink_locked(HostTimer *t)
{
    for (HostTimer **p = &timer_head; *p; p = &(*p)->next) {
        if (*p == t) {
            *p = t->next;
            break;
        }
    }
    t->armed = false;
}

static void *timer_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&timer_lock);
    for (;;) {
        if (!timer_head) {
            pthread_cond_wait(&timer_cond, &timer_lock);
            continue;
        }
        uint64_t now = clock_ns();
        HostTimer *t = timer_head;
        if (t->deadline > now) {
            struct timespec ts = {(time_t)(t->deadline / 1000000000ull),
                                  (long)(t->deadline % 1000000000ull)};
            pthread_cond_timedwait(&timer_cond, &timer_lock, &ts);
            continue;
        }
        unlink_locked(t);
        pthread_mutex_unlock(&timer_lock);
        t->fn(t->opaque);
        pthread_mutex_lock(&timer_lock);
    }
    return NULL;
}

static void start_thread_locked(void)
{
    if (timer_thread_started) {
        return;
    }
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(&timer_cond, &a);
    pthread_condattr_destroy(&a);
    if (pthread_create(&timer_thread, NULL, timer_main, NULL) != 0) {
        fatal("cannot start the timer thread");
    }
    pthread_detach(timer_thread);
    timer_thread_started = true;
}

HostTimer *host_timer_new(HostTimerFn fn, void *opaque)
{
    HostTimer *t = calloc(1, sizeof(*t));
    if (!t) {
        fatal("out of memory");
    }
    t->fn = fn;
    t->opaque = opaque;
    pthread_mutex_lock(&timer_lock);
    start_thread_locked();
    pthread_mutex_unlock(&timer_lock);
    return t;
}

void host_timer_mod(HostTimer *t, uint64_t deadline_ns)
{
    pthread_mutex_lock(&timer_lock);
    if (t->armed) {
        unlink_locked(t);
    }
    t->deadline = deadline_ns;
    t->armed = true;
    HostTimer **p = &timer_head;
    while (*p && (*p)->deadline <= deadline_ns) {
        p = &(*p)->next;
    }
    t->next = *p;
    *p = t;
    if (timer_head == t) {
        pthread_cond_signal(&timer_cond);
    }
    pthread_mutex_unlock(&timer_lock);
}

void host_timer_del(HostTimer *t)
{
    pthread_mutex_lock(&timer_lock);
    if (t->armed) {
        unlink_locked(t);
    }
    pthread_mutex_unlock(&timer_lock);
}

void host_timer_free(HostTimer *t)
{
    if (t) {
        host_timer_del(t);
        free(t);
    }
}
