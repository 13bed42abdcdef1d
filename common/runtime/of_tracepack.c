/* of_tracepack.c -- decision traces compressed on a thread of their own (of_tracepack.h, D-T10-71). */
#include "of_tracepack.h"
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include "of_array.h"
#include "of_trace.h"

typedef struct {
    char *json; /* until packed */
    unsigned char *out;
    size_t len;
} item_t;

struct of_tracepack_s {
    of_trace_packer_t *pk; /* the packing thread's, or the caller's when there is none */
    int threaded;          /* a thread to start at the next trace (cleared by the one attempt) */
    int started, stop;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    /* guarded by mu: the array moves when it grows, the items do not */
    item_t **items;
    size_t n, cap, next, ndone;
};

static void pack(of_tracepack_t *tp, item_t *it) {
    it->out = of_trace_pack_json(tp->pk, it->json, strlen(it->json), &it->len);
    free(it->json);
    it->json = NULL;
}

static void *run(void *arg) {
    of_tracepack_t *tp = arg;
    pthread_mutex_lock(&tp->mu);
    for (;;) {
        while (!tp->stop && tp->next == tp->n)
            pthread_cond_wait(&tp->work, &tp->mu);
        if (tp->next == tp->n) break; /* stopping, nothing left */
        item_t *it = tp->items[tp->next++];
        pthread_mutex_unlock(&tp->mu);
        pack(tp, it);
        pthread_mutex_lock(&tp->mu);
        tp->ndone++;
        pthread_cond_signal(&tp->done);
    }
    pthread_mutex_unlock(&tp->mu);
    return NULL;
}

of_tracepack_t *of_tracepack_new(int threaded) {
    of_tracepack_t *tp = calloc(1, sizeof *tp);
    if (!tp) return NULL;
    if (!(tp->pk = of_trace_packer_new())) {
        free(tp);
        return NULL;
    }
    tp->threaded = threaded;
    pthread_mutex_init(&tp->mu, NULL);
    pthread_cond_init(&tp->work, NULL);
    pthread_cond_init(&tp->done, NULL);
    return tp;
}

/* The packing thread, at the first trace (a writer that never packs one has none); a small stack: it only compresses.
 * Every signal blocked in it, so that SIGTERM and SIGINT reach the worker's own threads (their waits end on them). */
static void start(of_tracepack_t *tp) {
    tp->threaded = 0; /* one attempt */
    pthread_attr_t a;
    if (pthread_attr_init(&a)) return;
    pthread_attr_setstacksize(&a, 256 * 1024);
    sigset_t all, old;
    sigfillset(&all);
    int masked = pthread_sigmask(SIG_SETMASK, &all, &old) == 0;
    tp->started = pthread_create(&tp->th, &a, run, tp) == 0;
    if (masked) pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&a);
}

int of_tracepack_put(of_tracepack_t *tp, char *json) {
    item_t *it = json ? calloc(1, sizeof *it) : NULL;
    if (!it) {
        free(json);
        return -1;
    }
    it->json = json;
    if (tp->threaded) start(tp);
    if (!tp->started) pack(tp, it);
    pthread_mutex_lock(&tp->mu);
    if (of_array_grow((void **)&tp->items, &tp->cap, tp->n + 1, sizeof *tp->items)) {
        pthread_mutex_unlock(&tp->mu);
        free(it->json);
        free(it->out);
        free(it);
        return -1;
    }
    tp->items[tp->n++] = it;
    if (tp->started) {
        pthread_cond_signal(&tp->work);
    } else {
        tp->next++;
        tp->ndone++;
    }
    int ticket = (int)tp->n - 1;
    pthread_mutex_unlock(&tp->mu);
    return ticket;
}

void of_tracepack_wait(of_tracepack_t *tp) {
    pthread_mutex_lock(&tp->mu);
    while (tp->ndone < tp->n)
        pthread_cond_wait(&tp->done, &tp->mu);
    pthread_mutex_unlock(&tp->mu);
}

const unsigned char *of_tracepack_get(const of_tracepack_t *tp, int ticket, size_t *lenp) {
    *lenp = 0;
    if (ticket < 0 || (size_t)ticket >= tp->ndone) return NULL;
    const item_t *it = tp->items[ticket];
    *lenp = it->len;
    return it->out;
}

void of_tracepack_reset(of_tracepack_t *tp) {
    of_tracepack_wait(tp);
    pthread_mutex_lock(&tp->mu);
    for (size_t i = 0; i < tp->n; i++) {
        free(tp->items[i]->json);
        free(tp->items[i]->out);
        free(tp->items[i]);
    }
    tp->n = tp->next = tp->ndone = 0;
    pthread_mutex_unlock(&tp->mu);
}

void of_tracepack_free(of_tracepack_t *tp) {
    if (!tp) return;
    of_tracepack_reset(tp);
    pthread_mutex_lock(&tp->mu);
    tp->stop = 1;
    pthread_cond_signal(&tp->work);
    pthread_mutex_unlock(&tp->mu);
    if (tp->started) pthread_join(tp->th, NULL);
    free(tp->items);
    of_trace_packer_free(tp->pk);
    pthread_mutex_destroy(&tp->mu);
    pthread_cond_destroy(&tp->work);
    pthread_cond_destroy(&tp->done);
    free(tp);
}
