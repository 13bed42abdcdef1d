/* of_bounded.c -- of_bounded_run (of_bounded.h). */
#include "of_bounded.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int done;
    _Atomic int refs; /* the caller's and the thread's: the last to let go frees it */
    void (*fn)(void *);
    void *arg;
} job_t;

static void release(job_t *j) {
    if (atomic_fetch_sub(&j->refs, 1) != 1) return;
    pthread_cond_destroy(&j->cv);
    pthread_mutex_destroy(&j->mu);
    free(j);
}

static void *run(void *p) {
    job_t *j = p;
    j->fn(j->arg);
    pthread_mutex_lock(&j->mu);
    j->done = 1;
    pthread_cond_signal(&j->cv);
    pthread_mutex_unlock(&j->mu);
    release(j);
    return NULL;
}

int of_bounded_run(void (*fn)(void *), void *arg, long ms) {
    job_t *j = calloc(1, sizeof *j);
    if (!j) return -1;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* a wall-clock step neither cuts nor stretches the bound */
    int bad = pthread_mutex_init(&j->mu, NULL) || pthread_cond_init(&j->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (bad) {
        free(j);
        return -1;
    }
    j->fn = fn;
    j->arg = arg;
    atomic_store(&j->refs, 2);
    pthread_attr_t ta;
    pthread_attr_init(&ta);
    pthread_attr_setdetachstate(&ta, PTHREAD_CREATE_DETACHED);
    pthread_t th;
    int rc = pthread_create(&th, &ta, run, j);
    pthread_attr_destroy(&ta);
    if (rc) {
        atomic_store(&j->refs, 1);
        release(j);
        return -1;
    }
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&j->mu);
    while (!j->done && pthread_cond_timedwait(&j->cv, &j->mu, &until) == 0) {
    }
    int done = j->done;
    pthread_mutex_unlock(&j->mu);
    release(j);
    return done;
}
