/* of_delivery_loop.c -- of-delivery's consumer loop: a pipeline that keeps the calls' window full across batches
 * (docs/architecture.md "Delivery and the retry ladder"). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "of_admin.h"
#include "of_delivery_loop.h"
#include "of_log.h"
#include "of_metrics.h"
#include "of_time.h"
#include "of_topics.h"

typedef of_dlv_item_t item_t;

/* Where an item is. READY: received, waiting for a claim (its order may be busy: an earlier message of the order is
 * not durable yet). CLAIM, RECORD: in a database job. QUEUED: claimed, waiting for a slot of the window. CALLED: the
 * call is over (or no call is to be made: a duplicate, a dead letter), waiting for a record job. DONE: its outcome is
 * durable, its offset may be stored. DROPPED: given up (a stop, a revoke): never stored, redelivered. */
enum { ST_READY, ST_CLAIM, ST_QUEUED, ST_CALLING, ST_CALLED, ST_RECORD, ST_DONE, ST_DROPPED };

#define NBUCKETS 4096      /* orders in the pipeline, by ref */
#define MAX_HELD 4096      /* most messages held at once (3 x OF_BATCH_SIZE, at most this) */
#define STOP_CALLS_MS 2000 /* on SIGTERM, calls still in flight after this are abandoned (redelivered) */
#define REVOKE_MS 10000    /* a revoke waits this long at most for the revoked partitions' calls and records */

typedef struct {
    item_t **v;
    int n, cap;
} vec_t;

static int vec_push(vec_t *v, item_t *it) {
    if (v->n == v->cap) {
        int cap = v->cap ? v->cap * 2 : 64;
        item_t **nv = realloc(v->v, sizeof *nv * (size_t)cap);
        if (!nv) return -1;
        v->v = nv;
        v->cap = cap;
    }
    v->v[v->n++] = it;
    return 0;
}

/* A database job: submitted by the loop (busy), run by its database thread (done), taken back by the loop. */
typedef struct {
    vec_t items;
    int busy, done;
    of_err_t result;
} job_t;

/* A database thread: runs its one kind of job (the record thread also the outbox sweep and the producer's reports). */
typedef struct {
    struct loop_s *L;
    job_t *job;
    int claims; /* 1: the claim thread */
} thread_arg_t;

typedef struct loop_s {
    const of_config_t *cfg;
    of_delivery_t *d;
    of_producer_t *p;
    of_consumer_t *c;
    of_http_t *http;
    const char *group;
    pthread_t th[2];
    thread_arg_t targ[2];
    int nthreads;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int quit;
    job_t claim, record;
    vec_t all;    /* every item held, in arrival order (offsets are stored from it) */
    vec_t ready;  /* ST_READY, arrival order */
    vec_t queued; /* ST_QUEUED, from qhead */
    int qhead;
    vec_t settled; /* ST_CALLED */
    item_t *orders[NBUCKETS];
    int max_inflight, batch, cap;
    rd_kafka_message_t **msgs;
    of_http_req_t **done;
    const rd_kafka_topic_partition_list_t *revoking; /* during a revoke: its partitions */
} loop_t;

static int stopping(void) {
    return of_stop_requested || of_kafka_fatal();
}

/* ------------------------------------------------------------------ orders in flight (one at a time per order) */

static unsigned bucket(const char *ref) {
    unsigned h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)ref; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h & (NBUCKETS - 1);
}

static int order_busy(const loop_t *L, const char *ref) {
    for (const item_t *it = L->orders[bucket(ref)]; it; it = it->hnext)
        if (!strcmp(it->ref, ref)) return 1;
    return 0;
}

static void order_take(loop_t *L, item_t *it) {
    unsigned b = bucket(it->ref);
    it->hnext = L->orders[b];
    L->orders[b] = it;
}

static void order_release(loop_t *L, item_t *it) {
    for (item_t **pp = &L->orders[bucket(it->ref)]; *pp; pp = &(*pp)->hnext)
        if (*pp == it) {
            *pp = it->hnext;
            it->hnext = NULL;
            return;
        }
}

/* ------------------------------------------------------------------ the database threads */

/* Sleep up to ms, waking early on a stop request. */
static void nap(long ms) {
    int64_t end = of_mono_ms() + ms;
    while (!stopping() && of_mono_ms() < end) {
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

static void count_topics(const vec_t *v, of_metric_topic_t m) {
    for (int i = 0; i < v->n; i++)
        of_metric_topic_add(rd_kafka_topic_name(v->v[i]->m->rkt), m, 1);
}

/* Run a claim or record step until it succeeds (transient failures again after a backoff, as of_worker_run does
 * with a batch), or a stop. Its time goes to the batch histogram; failures count its messages as failed and mark
 * the worker not ready until an attempt succeeds. */
static of_err_t run_step(loop_t *L, job_t *j, int claim) {
    long backoff = 100, cap = (long)of_cfg_int(L->cfg, OF_CFG_RETRY_BACKOFF_MAX_MS);
    item_t **items = j->items.v;
    int n = j->items.n;
    for (;;) {
        int64_t t0 = of_mono_us();
        of_err_t e = claim ? of_delivery_worker_claim(L->d, items, n) : of_delivery_worker_record(L->d, items, n);
        of_metric_observe(OF_MH_BATCH, (double)(of_mono_us() - t0) / 1e6);
        of_admin_dependency(e == OF_OK, of_err_str(e));
        if (e == OF_OK) return OF_OK;
        count_topics(&j->items, OF_MT_FAILED);
        if (stopping()) return e;
        of_metric_add(OF_M_RETRIED, 1);
        count_topics(&j->items, OF_MT_RETRIED);
        of_warn(claim ? "claim failed, will retry" : "recording failed, will retry", OF_S("error", of_err_str(e)),
                OF_I("messages", n), OF_I("backoff_ms", backoff), OF_END);
        nap(backoff);
        backoff = backoff * 2 > cap ? cap : backoff * 2;
    }
}

/* A record job: the outcomes, then the dead letters (durable before their offsets are stored), then the counters. */
static of_err_t run_record(loop_t *L, job_t *j) {
    of_err_t e = run_step(L, j, 0);
    if (e) return e;
    int n = j->items.n, k = 0;
    rd_kafka_message_t **msgs = calloc((size_t)n + 1, sizeof *msgs);
    of_msg_result_t *res = calloc((size_t)n + 1, sizeof *res);
    if (!msgs || !res) e = OF_ERR_NOMEM;
    for (int i = 0; !e && i < n; i++)
        if (j->items.v[i]->res.dead) {
            msgs[k] = j->items.v[i]->m;
            res[k++] = j->items.v[i]->res;
        }
    long backoff = 100, cap = (long)of_cfg_int(L->cfg, OF_CFG_RETRY_BACKOFF_MAX_MS);
    while (!e && k && of_worker_publish_dead(L->p, L->group, of_cfg_str(L->cfg, OF_CFG_INSTANCE_ID), msgs, k, res)) {
        if (stopping()) e = OF_ERR_TRANSIENT;
        nap(backoff);
        backoff = backoff * 2 > cap ? cap : backoff * 2;
    }
    free(msgs);
    free(res);
    for (int i = 0; !e && i < n; i++)
        of_worker_settled(j->items.v[i]->m, &j->items.v[i]->res);
    return e;
}

static void *db_main(void *arg) {
    thread_arg_t *t = arg;
    loop_t *L = t->L;
    job_t *j = t->job;
    pthread_mutex_lock(&L->mu);
    while (!L->quit) {
        if (!t->claims) { /* the outbox's leftovers and sweep, the producer's reports: between jobs, also while busy */
            pthread_mutex_unlock(&L->mu);
            of_delivery_worker_tick(L->d);
            of_producer_poll(L->p);
            pthread_mutex_lock(&L->mu);
        }
        if (!j->busy || j->done) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += 100 * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            if (!L->quit) pthread_cond_timedwait(&L->cv, &L->mu, &ts);
            continue;
        }
        pthread_mutex_unlock(&L->mu);
        of_err_t e = t->claims ? run_step(L, j, 1) : run_record(L, j);
        pthread_mutex_lock(&L->mu);
        j->result = e;
        j->done = 1;
        of_http_wakeup(L->http);
    }
    pthread_mutex_unlock(&L->mu);
    return NULL;
}

/* Hand items (moved out of *from) to job j. */
static void submit(loop_t *L, job_t *j, vec_t *from, int stage) {
    for (int i = 0; i < from->n; i++)
        from->v[i]->stage = stage;
    vec_t t = j->items;
    t.n = 0;
    pthread_mutex_lock(&L->mu);
    j->items = *from;
    *from = t;
    j->busy = 1;
    j->done = 0;
    pthread_cond_broadcast(&L->cv);
    pthread_mutex_unlock(&L->mu);
}

/* ------------------------------------------------------------------ the loop */

static int revoked(const loop_t *L, const item_t *it) {
    return L->revoking &&
           rd_kafka_topic_partition_list_find(L->revoking, rd_kafka_topic_name(it->m->rkt), it->m->partition);
}

static void drop(loop_t *L, item_t *it) {
    if (it->stage != ST_READY) order_release(L, it);
    it->stage = ST_DROPPED;
}

static void item_free(item_t *it) {
    of_delivery_worker_item_clear(it);
    rd_kafka_message_destroy(it->m);
    free(it);
}

/* Store the offsets that may be: per partition, up to the first message whose outcome is not durable; free what is
 * stored. Items of a revoked partition (orphan) are freed once finished, never stored. */
typedef struct {
    const rd_kafka_topic_t *rkt;
    int32_t partition;
    int blocked;
    item_t *last; /* the latest durable message before the first that is not */
} part_t;

static void advance(loop_t *L) {
    part_t parts[64];
    int np = 0, k = 0;
    for (int i = 0; i < L->all.n; i++) {
        item_t *it = L->all.v[i];
        if (it->orphan) {
            if (it->stage == ST_DONE || it->stage == ST_DROPPED)
                item_free(it);
            else
                L->all.v[k++] = it;
            continue;
        }
        part_t *pt = NULL;
        for (int p = 0; p < np && !pt; p++)
            if (parts[p].rkt == it->m->rkt && parts[p].partition == it->m->partition) pt = &parts[p];
        if (!pt && np < 64) {
            pt = &parts[np++];
            *pt = (part_t){it->m->rkt, it->m->partition, 0, NULL};
        }
        if (pt && !pt->blocked && it->stage == ST_DONE) {
            if (pt->last) item_free(pt->last);
            pt->last = it;
            continue;
        }
        if (pt) pt->blocked = 1;
        L->all.v[k++] = it;
    }
    L->all.n = k;
    for (int p = 0; p < np; p++)
        if (parts[p].last) {
            of_consumer_store(L->c, parts[p].last->m);
            item_free(parts[p].last);
        }
}

/* Take back the finished database jobs. */
static void take_jobs(loop_t *L) {
    pthread_mutex_lock(&L->mu);
    int claim_done = L->claim.busy && L->claim.done, record_done = L->record.busy && L->record.done;
    pthread_mutex_unlock(&L->mu);
    if (claim_done) {
        for (int i = 0; i < L->claim.items.n; i++) {
            item_t *it = L->claim.items.v[i];
            if (L->claim.result || revoked(L, it))
                drop(L, it); /* only when stopping (a claim is run until it succeeds), or a revoke */
            else if (it->state == IT_CALL) {
                it->stage = ST_QUEUED;
                if (vec_push(&L->queued, it)) drop(L, it);
            } else {
                it->stage = ST_CALLED;
                if (vec_push(&L->settled, it)) drop(L, it);
            }
        }
        L->claim.items.n = 0;
        L->claim.busy = 0;
    }
    if (record_done) {
        for (int i = 0; i < L->record.items.n; i++) {
            item_t *it = L->record.items.v[i];
            order_release(L, it);
            it->stage = L->record.result ? ST_DROPPED : ST_DONE;
        }
        L->record.items.n = 0;
        L->record.busy = 0;
        advance(L);
    }
}

static void settle(loop_t *L, item_t *it) {
    it->stage = ST_CALLED;
    if (vec_push(&L->settled, it)) drop(L, it);
}

/* Start queued calls while the window has room. */
static void start_calls(loop_t *L) {
    while (L->qhead < L->queued.n && of_http_inflight(L->http) < L->max_inflight) {
        item_t *it = L->queued.v[L->qhead++];
        if (it->stage != ST_QUEUED) continue; /* dropped meanwhile */
        if (stopping() || revoked(L, it))
            drop(L, it); /* not called: the claim is taken over by whoever gets the message next */
        else if (of_delivery_worker_call(L->d, it))
            settle(L, it);
        else
            it->stage = ST_CALLING;
    }
    if (L->qhead == L->queued.n) L->qhead = L->queued.n = 0;
}

/* A claim job of at most a batch of the ready messages, none of an order already in the pipeline. */
static void submit_claim(loop_t *L) {
    vec_t pick = {0};
    int k = 0;
    for (int i = 0; i < L->ready.n; i++) {
        item_t *it = L->ready.v[i];
        if (it->stage != ST_READY) continue; /* dropped */
        if (pick.n < L->batch && !revoked(L, it) && !order_busy(L, it->ref) && !vec_push(&pick, it)) {
            order_take(L, it);
            continue;
        }
        L->ready.v[k++] = it;
    }
    L->ready.n = k;
    if (pick.n) {
        of_metric_add(OF_M_BATCHES, 1);
        submit(L, &L->claim, &pick, ST_CLAIM);
    }
    free(pick.v);
}

/* Receive what Kafka has, as far as there is room. */
static void receive(loop_t *L) {
    int room = L->cap - L->all.n;
    if (room <= 0) return;
    of_consumer_wake_drain(L->c); /* before the poll: what arrives after it wakes the next wait */
    int n = of_consumer_poll_batch(L->c, L->msgs, room, 0, 0);
    if (n && of_kafka_fatal()) { /* fenced: the partitions are another process's now; theirs to handle */
        for (int i = 0; i < n; i++)
            rd_kafka_message_destroy(L->msgs[i]);
        return;
    }
    for (int i = 0; i < n; i++) {
        item_t *it = calloc(1, sizeof *it);
        if (!it || vec_push(&L->all, it)) { /* out of memory: redelivered after a restart */
            of_error("out of memory: message dropped, not stored", OF_END);
            free(it);
            rd_kafka_message_destroy(L->msgs[i]);
            continue;
        }
        of_delivery_worker_decode(L->d, it, L->msgs[i]);
        if (it->state == IT_DEAD) {
            settle(L, it);
        } else {
            it->stage = ST_READY;
            if (vec_push(&L->ready, it)) it->stage = ST_DROPPED;
        }
    }
}

static int claim_room(const loop_t *L) {
    return L->queued.n - L->qhead < L->batch;
}

/* One round: jobs back, calls started, jobs submitted, then wait for a call, a job, Kafka or 100 ms. */
static void step(loop_t *L, int receiving) {
    of_admin_beat();
    take_jobs(L);
    if (receiving) receive(L);
    start_calls(L);
    if (!L->record.busy && L->settled.n) submit(L, &L->record, &L->settled, ST_RECORD);
    if (!L->claim.busy && L->ready.n && claim_room(L) && !stopping()) submit_claim(L);
    /* Kafka's descriptor only while there is room: unread, it would stay readable and the wait would spin */
    int fd = receiving && L->all.n < L->cap ? of_consumer_wake_fd(L->c) : -1;
    int k = of_http_wait(L->http, 100, fd, L->done, L->max_inflight);
    for (int i = 0; i < k; i++)
        settle(L, L->done[i]->user);
    if (k) start_calls(L);
}

static int in_progress(const item_t *it) {
    return it->stage >= ST_CLAIM && it->stage <= ST_RECORD;
}

/* Partitions revoked: what is under way of them is finished (their outcomes recorded and offsets stored, so the
 * next owner does not call again), what is not started is dropped; then the revoke commits the stored offsets. */
static void on_revoke(void *ctx, const rd_kafka_topic_partition_list_t *parts) {
    loop_t *L = ctx;
    L->revoking = parts;
    int64_t end = of_mono_ms() + REVOKE_MS;
    for (;;) {
        int busy = 0;
        for (int i = 0; i < L->all.n; i++) {
            item_t *it = L->all.v[i];
            if (!revoked(L, it)) continue;
            if (it->stage == ST_READY || it->stage == ST_QUEUED) drop(L, it);
            busy |= in_progress(it);
        }
        if (!busy || stopping() || of_mono_ms() >= end) break;
        step(L, 0);
    }
    take_jobs(L);
    advance(L);
    /* the dropped ones leave the ready and queued lists before they are freed */
    int k = 0;
    for (int i = 0; i < L->ready.n; i++)
        if (L->ready.v[i]->stage == ST_READY) L->ready.v[k++] = L->ready.v[i];
    L->ready.n = k;
    k = 0;
    for (int i = L->qhead; i < L->queued.n; i++)
        if (L->queued.v[i]->stage == ST_QUEUED) L->queued.v[k++] = L->queued.v[i];
    L->queued.n = k;
    L->qhead = 0;
    for (int i = 0; i < L->all.n; i++)
        if (revoked(L, L->all.v[i])) L->all.v[i]->orphan = 1; /* never stored: the partition is not ours */
    advance(L);
    L->revoking = NULL;
}

/* After the stop: calls in flight get STOP_CALLS_MS, database jobs run out (of_db_tx stops retrying on a stop). */
static void finish(loop_t *L) {
    int64_t end = of_mono_ms() + STOP_CALLS_MS;
    for (int i = 0; i < L->ready.n; i++)
        if (L->ready.v[i]->stage == ST_READY) drop(L, L->ready.v[i]);
    L->ready.n = 0;
    for (;;) {
        start_calls(L); /* drops the queued ones */
        if (of_http_inflight(L->http) && of_mono_ms() >= end) {
            for (int i = 0; i < L->all.n; i++)
                if (L->all.v[i]->stage == ST_CALLING) {
                    of_http_cancel(L->http, &L->all.v[i]->req);
                    drop(L, L->all.v[i]);
                }
            of_warn("stopping: calls still in flight abandoned (redelivered)", OF_I("waited_ms", STOP_CALLS_MS),
                    OF_END);
        }
        if (!L->claim.busy && !L->record.busy && !L->settled.n && !of_http_inflight(L->http)) break;
        step(L, 0);
    }
    advance(L);
}

int of_delivery_loop_run(const of_config_t *cfg, of_producer_t *producer, of_delivery_t *d, const char *name) {
    static const int topics[] = {OF_TOPIC_DELIVERY_REQUEST};
    of_worker_spec_t spec = {.name = name, .topics = topics, .ntopics = 1};
    char group[256];
    loop_t *L = calloc(1, sizeof *L);
    if (!L) return 1;
    L->cfg = cfg;
    L->d = d;
    L->p = producer;
    L->http = of_delivery_worker_http(d);
    L->group = group;
    L->max_inflight = (int)of_cfg_int(cfg, OF_CFG_DELIVERY_MAX_INFLIGHT);
    L->batch = (int)of_cfg_int(cfg, OF_CFG_BATCH_SIZE);
    L->cap = L->batch * 3 > MAX_HELD ? MAX_HELD : L->batch * 3;
    if (L->cap < L->max_inflight * 2) L->cap = L->max_inflight * 2;
    L->msgs = calloc((size_t)L->cap, sizeof *L->msgs);
    L->done = calloc((size_t)L->max_inflight, sizeof *L->done);
    if (!L->msgs || !L->done || !(L->c = of_worker_consumer_open(cfg, producer, &spec, group, sizeof group))) {
        free(L->msgs);
        free(L->done);
        free(L);
        return 1;
    }
    of_consumer_on_revoke(L->c, on_revoke, L);
    int rc = 0;
    pthread_mutex_init(&L->mu, NULL);
    pthread_cond_init(&L->cv, NULL);
    L->targ[0] = (thread_arg_t){L, &L->claim, 1};
    L->targ[1] = (thread_arg_t){L, &L->record, 0};
    while (L->nthreads < 2 && !pthread_create(&L->th[L->nthreads], NULL, db_main, &L->targ[L->nthreads]))
        L->nthreads++;
    if (L->nthreads < 2) {
        of_error("cannot start the database threads", OF_END);
        rc = 1;
    } else {
        int64_t alert_ms = of_cfg_int(cfg, OF_CFG_KAFKA_UNREACHABLE_ALERT_S) * 1000;
        int64_t stats_every = of_cfg_int(cfg, OF_CFG_STATS_INTERVAL_S) * 1000, next_stats = of_mono_ms() + stats_every;
        while (!stopping()) {
            if (stats_every && of_mono_ms() >= next_stats) {
                of_metrics_log("interval");
                next_stats = of_mono_ms() + stats_every;
            }
            of_consumer_watch(L->c, alert_ms);
            step(L, 1);
        }
        if (L->all.n) of_info("stopping: finishing what is under way", OF_I("messages", L->all.n), OF_END);
        finish(L);
    }
    pthread_mutex_lock(&L->mu);
    L->quit = 1;
    pthread_cond_broadcast(&L->cv);
    pthread_mutex_unlock(&L->mu);
    for (int i = 0; i < L->nthreads; i++)
        pthread_join(L->th[i], NULL);
    if (of_kafka_fatal()) rc = of_kafka_fatal_exit_code();
    int left = 0;
    for (int i = 0; i < L->all.n; i++) {
        left += L->all.v[i]->stage != ST_DONE;
        item_free(L->all.v[i]);
    }
    if (left) of_info("stopping with messages not done; they will be redelivered", OF_I("messages", left), OF_END);
    of_consumer_on_revoke(L->c, NULL, NULL);
    of_worker_consumer_close(L->c);
    pthread_mutex_destroy(&L->mu);
    pthread_cond_destroy(&L->cv);
    free(L->all.v);
    free(L->ready.v);
    free(L->queued.v);
    free(L->settled.v);
    free(L->claim.items.v);
    free(L->record.items.v);
    free(L->msgs);
    free(L->done);
    free(L);
    return rc;
}
