/* of_side.c -- a second connection on a thread of its own (of_side.h, D-MOD-55). */
#include "of_side.h"
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { IDLE, QUEUED, DONE };

struct of_side_s {
    const of_config_t *cfg;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t th;
    int started; /* the thread runs */
    int quit;
    int state;  /* IDLE: nothing handed over; QUEUED: handed over, running or about to; DONE: its result below */
    int marked; /* the job handed over called of_side_mark */
    of_side_fn fn;
    void *arg;
    of_err_t result;
    char err[512];
    of_db_t *db; /* the thread's; opened by the first job, again by the next job after a failed open */
};

static void *side_main(void *p) {
    of_side_t *s = p;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (!s->quit && s->state != QUEUED)
            pthread_cond_wait(&s->cv, &s->mu);
        if (s->quit) break;
        pthread_mutex_unlock(&s->mu);
        char err[sizeof s->err] = "";
        of_err_t r;
        if (!s->db && !(s->db = of_db_connect_session(s->cfg, OF_SIDE_SESSION, err, sizeof err)))
            r = OF_ERR_TRANSIENT; /* err says why (never the password) */
        else
            r = s->fn(s->db, s->arg, err, sizeof err);
        pthread_mutex_lock(&s->mu);
        s->result = r;
        memcpy(s->err, err, sizeof err);
        s->state = DONE;
        pthread_cond_broadcast(&s->cv);
    }
    pthread_mutex_unlock(&s->mu);
    of_db_close(s->db); /* this thread's connection, closed by it */
    s->db = NULL;
    return NULL;
}

of_side_t *of_side_new(const of_config_t *cfg) {
    of_side_t *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    if (pthread_mutex_init(&s->mu, NULL)) {
        free(s);
        return NULL;
    }
    if (pthread_cond_init(&s->cv, NULL)) {
        pthread_mutex_destroy(&s->mu);
        free(s);
        return NULL;
    }
    s->cfg = cfg;
    return s;
}

int of_side_start(of_side_t *s, of_side_fn fn, void *arg) {
    if (!s || of_side_busy(s)) return -1;
    if (!s->started) { /* signals go to the process's other threads (the stop's handler), not this one */
        sigset_t all, old;
        sigfillset(&all);
        int masked = pthread_sigmask(SIG_SETMASK, &all, &old) == 0;
        pthread_attr_t a;
        int rc = pthread_attr_init(&a);
        if (!rc) {
            pthread_attr_setstacksize(&a, 512 * 1024); /* client-library calls only: its memory stays small */
            rc = pthread_create(&s->th, &a, side_main, s);
            pthread_attr_destroy(&a);
        }
        if (masked) pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (rc) return -1;
        s->started = 1;
    }
    pthread_mutex_lock(&s->mu);
    s->fn = fn;
    s->arg = arg;
    s->err[0] = '\0';
    s->marked = 0;
    s->state = QUEUED;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    return 0;
}

int of_side_busy(of_side_t *s) {
    if (!s) return 0;
    pthread_mutex_lock(&s->mu);
    int busy = s->state != IDLE;
    pthread_mutex_unlock(&s->mu);
    return busy;
}

of_err_t of_side_wait(of_side_t *s, char *errstr, size_t errstr_size) {
    if (!s) return OF_OK;
    pthread_mutex_lock(&s->mu);
    if (s->state == IDLE) {
        pthread_mutex_unlock(&s->mu);
        return OF_OK;
    }
    while (s->state != DONE)
        pthread_cond_wait(&s->cv, &s->mu);
    of_err_t r = s->result;
    if (r && errstr && errstr_size) snprintf(errstr, errstr_size, "%s", s->err);
    s->state = IDLE;
    s->fn = NULL;
    s->arg = NULL;
    pthread_mutex_unlock(&s->mu);
    return r;
}

void of_side_mark(of_side_t *s) {
    pthread_mutex_lock(&s->mu);
    s->marked = 1;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

int of_side_wait_mark(of_side_t *s) {
    if (!s) return 0;
    pthread_mutex_lock(&s->mu);
    while (s->state == QUEUED && !s->marked)
        pthread_cond_wait(&s->cv, &s->mu);
    int marked = s->state != IDLE && s->marked;
    pthread_mutex_unlock(&s->mu);
    return marked;
}

void of_side_free(of_side_t *s) {
    if (!s) return;
    of_side_wait(s, NULL, 0); /* a job still out: its connection's timeouts bound it */
    if (s->started) {
        pthread_mutex_lock(&s->mu);
        s->quit = 1;
        pthread_cond_broadcast(&s->cv);
        pthread_mutex_unlock(&s->mu);
        pthread_join(s->th, NULL);
    }
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    free(s);
}
