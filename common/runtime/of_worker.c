/* of_worker.c -- the at-least-once consumer loop, signals and the common command line. */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "of_admin.h"
#include "of_time.h"
#include "of_dlq.h"
#include "of_log.h"
#include "of_metrics.h"
#include "of_topics.h"
#include "of_worker.h"

volatile sig_atomic_t of_stop_requested;

static void on_signal(int sig) {
    if (of_stop_requested) _exit(128 + sig); /* second signal: exit at once */
    of_stop_requested = 1;
}

void of_worker_signals_install(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* A stop request, or a fatal Kafka error (the handles are unusable: the loop ends and the process exits with
 * of_kafka_fatal_exit_code()). */
static int stopping(void) {
    return of_stop_requested || of_kafka_fatal();
}

/* Sleep up to ms, waking early on a stop request. */
static void nap(long ms) {
    int64_t end = of_mono_ms() + ms;
    while (!stopping() && of_mono_ms() < end) {
        of_admin_beat();
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

const char *of_worker_group(const of_config_t *cfg, const char *name, char *buf, size_t size) {
    const char *g = of_cfg_str(cfg, OF_CFG_KAFKA_GROUP);
    if (*g)
        snprintf(buf, size, "%s", g);
    else
        snprintf(buf, size, "orderfleet.%s", name);
    return buf;
}

void of_worker_one_arena(void) {
    mallopt(M_ARENA_MAX, 1);
}

of_config_t *of_worker_init(int argc, char **argv, const char *name, const char *about) {
    const char *config_path = NULL, *level = NULL;
    static const struct option opts[] = {{"config", required_argument, 0, 'c'},
                                         {"log-level", required_argument, 0, 'l'},
                                         {"help", no_argument, 0, 'h'},
                                         {"version", no_argument, 0, 'V'},
                                         {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "c:l:hV", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            config_path = optarg;
            break;
        case 'l':
            level = optarg;
            break;
        case 'V':
            printf("of-%s %s\n", name, OF_VERSION);
            exit(0);
        case 'h':
            printf("usage: of-%s [--config FILE] [--log-level debug|info|warn|error]\n\n%s\n\n", name, about);
            of_config_print_help();
            exit(0);
        default:
            fprintf(stderr, "usage: of-%s [--config FILE] [--help]\n", name);
            exit(2);
        }
    }
    char err[512];
    of_config_t *cfg = of_config_load(config_path, err, sizeof err);
    if (!cfg) {
        fprintf(stderr, "of-%s: configuration error: %s\n", name, err);
        exit(78);
    }
    if (!*of_cfg_str(cfg, OF_CFG_KAFKA_BOOTSTRAP)) {
        fprintf(stderr, "of-%s: configuration error: OF_KAFKA_BOOTSTRAP: required, not set\n", name);
        of_config_destroy(cfg);
        exit(78);
    }
    if (level && of_cfg_set(cfg, OF_CFG_LOG_LEVEL, level, err, sizeof err)) {
        fprintf(stderr, "of-%s: --log-level: %s\n", name, err);
        of_config_destroy(cfg);
        exit(2);
    }
    of_db_set_table_lock_wait(1); /* D-RT-15: a table's lock bounds a stop as a row's does */
    const char *sid;
    if (of_kafka_static_id(cfg, &sid, err, sizeof err)) {
        fprintf(stderr, "of-%s: configuration error: %s\n", name, err);
        of_config_destroy(cfg);
        exit(78);
    }
    of_log_init(name, (of_log_level_t)of_log_level_parse(of_cfg_str(cfg, OF_CFG_LOG_LEVEL)));
    of_config_warn_unknown(cfg);
    if (of_admin_start(cfg, name, err, sizeof err)) {
        fprintf(stderr, "of-%s: configuration error: %s\n", name, err);
        of_config_destroy(cfg);
        exit(78);
    }
    atexit(of_admin_stop); /* every way out of main() stops it (bounded: its one thread is joined) */
    return cfg;
}

static const char *hdr_or(const rd_kafka_message_t *m, const char *name) {
    rd_kafka_headers_t *h = NULL;
    const void *v;
    size_t n;
    static char buf[128];
    if (rd_kafka_message_headers(m, &h) || rd_kafka_header_get_last(h, name, &v, &n)) return "";
    snprintf(buf, sizeof buf, "%.*s", (int)n, (const char *)v);
    return buf;
}

/* Never returns with a send still in flight (the delivery tracker lives on this stack frame). */
of_err_t of_worker_publish_dead(of_producer_t *p, const char *group, const char *producer_id, rd_kafka_message_t **msgs,
                                int n, of_msg_result_t *res) {
    of_dr_batch_t b = {0};
    of_err_t err = OF_OK;
    const char *dlq = of_producer_topic(p, OF_TOPIC_DEADLETTER);
    for (int i = 0; i < n && !err; i++) {
        if (!res[i].dead) continue;
        size_t len;
        const char *attempt = hdr_or(msgs[i], "of-attempt");
        uint8_t *buf =
            of_dlq_pack_about(msgs[i], res[i].reason, res[i].klass, group, producer_id, *attempt ? atoi(attempt) : 1,
                              NULL, 0, res[i].event_id, res[i].ref_key, res[i].ref, &len);
        if (!buf) {
            err = OF_ERR_NOMEM;
            break;
        }
        const char *hdrs[] = {"of-error-class", res[i].klass, "of-origin-topic", rd_kafka_topic_name(msgs[i]->rkt),
                              NULL};
        err = of_producer_send(p, dlq, msgs[i]->key, msgs[i]->key_len, buf, len, hdrs, &b);
        free(buf);
    }
    if (of_producer_wait(p, &b) && !err) err = OF_ERR_TRANSIENT;
    if (err) of_warn("dead-letter delivery failed", OF_S("error", b.error[0] ? b.error : of_err_str(err)), OF_END);
    return err;
}

void of_worker_result_about(of_msg_result_t *r, const char *event_id, const char *ref_key, const char *ref) {
    if (event_id && *event_id) snprintf(r->event_id, sizeof r->event_id, "%s", event_id);
    if (ref_key && ref && *ref) {
        r->ref_key = ref_key;
        snprintf(r->ref, sizeof r->ref, "%s", ref);
    }
}

void of_worker_result_about_id(of_msg_result_t *r, const char *event_id, const char *ref_key, uint64_t id) {
    char s[24] = "";
    if (id) snprintf(s, sizeof s, "%llu", (unsigned long long)id);
    of_worker_result_about(r, event_id, ref_key, s);
}

void of_worker_settled(const rd_kafka_message_t *m, const of_msg_result_t *r) {
    of_metric_topic_add(rd_kafka_topic_name(m->rkt), r->dead ? OF_MT_DEADLETTERED : OF_MT_PROCESSED, 1);
    if (!r->dead) return;
    of_metric_add(OF_M_DEADLETTERED, 1);
    of_warn("dead-lettered", OF_S("topic", rd_kafka_topic_name(m->rkt)), OF_I("partition", m->partition),
            OF_I("offset", m->offset), OF_S("event_id", *r->event_id ? r->event_id : "-"),
            OF_S(r->ref_key ? r->ref_key : "ref", *r->ref ? r->ref : "-"), OF_S("class", r->klass),
            OF_S("reason", r->reason), OF_END);
}

/* Count each message of the batch under its topic. */
static void count_topics(rd_kafka_message_t **msgs, int n, of_metric_topic_t m) {
    for (int i = 0; i < n; i++)
        of_metric_topic_add(rd_kafka_topic_name(msgs[i]->rkt), m, 1);
}

/* ---- lanes (D-T10-63) ---- */
typedef struct {
    const of_worker_spec_t *spec;
    void *ctx;
    rd_kafka_message_t **msgs; /* the lane's share of the batch, in the batch's order */
    of_msg_result_t *res;
    int *at; /* the batch index of each */
    int n;
    of_err_t e;
    int done; /* succeeded in this batch: not run again when the batch is handed again */
} lane_t;

typedef struct {
    int32_t partition;
    int count, lane;
} part_t;

/* An instance's lanes and the scratch of a batch's split (allocated once: sharing a batch out cannot fail). */
typedef struct {
    lane_t l[OF_WORKER_LANES_MAX];
    int n;
    int32_t *part; /* a batch's messages' partitions */
    int *lane;     /* their lanes */
    part_t *parts; /* its distinct partitions */
} lanes_t;

static void *lane_main(void *arg) {
    lane_t *l = arg;
    l->e = l->n ? l->spec->on_batch(l->ctx, l->msgs, l->n, l->res) : OF_OK;
    return NULL;
}

static int by_count_desc(const void *a, const void *b) {
    const part_t *x = a, *y = b;
    if (x->count != y->count) return y->count > x->count ? 1 : -1;
    return (x->partition > y->partition) - (x->partition < y->partition);
}

/* of_worker_lane_split with its scratch: parts holds n */
static void split(const int32_t *partition, int n, int nlanes, int *lane, part_t *parts) {
    int np = 0, load[OF_WORKER_LANES_MAX] = {0};
    for (int i = 0; i < n; i++) {
        int j = 0;
        while (j < np && parts[j].partition != partition[i])
            j++;
        if (j == np) parts[np++] = (part_t){partition[i], 0, 0};
        parts[j].count++;
    }
    if (np) qsort(parts, (size_t)np, sizeof *parts, by_count_desc);
    for (int j = 0; j < np; j++) {
        int best = 0;
        for (int k = 1; k < nlanes; k++)
            if (load[k] < load[best]) best = k;
        parts[j].lane = best;
        load[best] += parts[j].count;
    }
    for (int i = 0; i < n; i++) {
        int j = 0;
        while (parts[j].partition != partition[i])
            j++;
        lane[i] = parts[j].lane;
    }
}

int of_worker_lane_split(const int32_t *partition, int n, int nlanes, int *lane) {
    if (nlanes < 1 || nlanes > OF_WORKER_LANES_MAX) return -1;
    part_t *parts = n ? malloc(sizeof *parts * (size_t)n) : NULL;
    if (n && !parts) return -1;
    split(partition, n, nlanes, lane, parts);
    free(parts);
    return 0;
}

/* One attempt of a batch on its lanes; lane 0 runs on this thread, the others on their own (a lane whose thread
 * cannot start runs here after lane 0). A first attempt (again = 0) shares the batch out (split) and runs every lane;
 * when a lane fails, the batch is handed again and only the lanes that failed run again (again = 1): a lane that
 * succeeded keeps its results, so nothing it did is done twice (e.g. trade-modify's waiting changes sent to the
 * ladder). */
static of_err_t lanes_batch(lanes_t *L, rd_kafka_message_t **msgs, int n, of_msg_result_t *res, int again) {
    if (!again) {
        for (int i = 0; i < n; i++)
            L->part[i] = msgs[i]->partition;
        split(L->part, n, L->n, L->lane, L->parts);
        for (int k = 0; k < L->n; k++)
            L->l[k].n = L->l[k].done = 0;
        for (int i = 0; i < n; i++) {
            lane_t *l = &L->l[L->lane[i]];
            l->at[l->n] = i;
            l->msgs[l->n++] = msgs[i];
        }
    }
    pthread_t th[OF_WORKER_LANES_MAX];
    int started[OF_WORKER_LANES_MAX] = {0};
    for (int k = 0; k < L->n; k++) {
        if (L->l[k].done) continue;
        memset(L->l[k].res, 0, sizeof *L->l[k].res * (size_t)L->l[k].n);
        L->l[k].e = OF_OK;
    }
    for (int k = 1; k < L->n; k++)
        started[k] = !L->l[k].done && L->l[k].n && pthread_create(&th[k], NULL, lane_main, &L->l[k]) == 0;
    if (!L->l[0].done) lane_main(&L->l[0]);
    for (int k = 1; k < L->n; k++) {
        if (started[k])
            pthread_join(th[k], NULL);
        else if (!L->l[k].done)
            lane_main(&L->l[k]);
    }
    of_err_t e = OF_OK;
    for (int k = 0; k < L->n; k++) {
        L->l[k].done = L->l[k].e == OF_OK;
        if (!e) e = L->l[k].e;
        for (int j = 0; j < L->l[k].n; j++)
            res[L->l[k].at[j]] = L->l[k].res[j];
    }
    return e;
}

static void lanes_free(lanes_t *L) {
    for (int k = 0; L && k < L->n; k++) {
        free(L->l[k].msgs);
        free(L->l[k].res);
        free(L->l[k].at);
    }
    if (L) {
        free(L->part);
        free(L->lane);
        free(L->parts);
    }
    free(L);
}

/* spec's lanes (nl of them, at most OF_WORKER_LANES_MAX) for batches of up to max messages; NULL out of memory */
static lanes_t *lanes_new(const of_worker_spec_t *spec, int nl, int max) {
    lanes_t *L = calloc(1, sizeof *L);
    if (!L) return NULL;
    L->n = nl;
    int bad = !(L->part = calloc((size_t)max, sizeof *L->part)) || !(L->lane = calloc((size_t)max, sizeof *L->lane)) ||
              !(L->parts = calloc((size_t)max, sizeof *L->parts));
    for (int k = 0; !bad && k < nl; k++) {
        L->l[k] = (lane_t){.spec = spec,
                           .ctx = spec->lanes[k],
                           .msgs = calloc((size_t)max, sizeof *L->l[k].msgs),
                           .res = calloc((size_t)max, sizeof *L->l[k].res),
                           .at = calloc((size_t)max, sizeof *L->l[k].at)};
        bad = !L->l[k].msgs || !L->l[k].res || !L->l[k].at;
    }
    if (bad) {
        lanes_free(L);
        return NULL;
    }
    return L;
}

int of_worker_lanes(const of_config_t *cfg) {
    long nl = of_cfg_int(cfg, OF_CFG_WORKER_LANES);
    nl = nl < 1 ? 1 : nl > OF_WORKER_LANES_MAX ? OF_WORKER_LANES_MAX : nl;
    of_db_set_param_bound(nl > 1 ? OF_DB_MULTI_PARAMS : 0);
    return (int)nl;
}

of_db_t *of_worker_db_open(const of_config_t *cfg, const char *what, int *rc) {
    return of_worker_db_open_to(cfg, NULL, 0, NULL, what, rc);
}

of_db_t *of_worker_db_open_to(const of_config_t *cfg, const char *host, unsigned int port, const char *dbname,
                              const char *what, int *rc) {
    char err[512];
    of_db_t *db = of_db_connect_wait_to(cfg, host, port, dbname, what, err, sizeof err);
    if (db) return db;
    if (of_stop_requested) {
        of_info("stopped before the database answered", OF_S("for", what), OF_END);
        *rc = 0;
    } else {
        of_error("database unavailable at start", OF_S("for", what), OF_S("error", err), OF_END);
        *rc = 1;
    }
    return NULL;
}

int of_worker_lane_open(const of_config_t *cfg, of_producer_t *shared, int k, int with_redis, of_worker_lane_t *l) {
    char err[512], client[160];
    int rc;
    memset(l, 0, sizeof *l);
    l->shared = shared;
    snprintf(client, sizeof client, "lane %d", k);
    if (!(l->db = of_worker_db_open(cfg, client, &rc))) return -1;
    /* Redis being away is not fatal (the handle reconnects on use); a configuration error is. */
    if (with_redis && !(l->redis = of_redis_connect(cfg, err, sizeof err))) {
        of_error("redis configuration error", OF_S("error", err), OF_I("lane", k), OF_END);
        return -1;
    }
    snprintf(client, sizeof client, "%s-lane%d", of_cfg_str(cfg, OF_CFG_INSTANCE_ID), k);
    if (!(l->p = k ? of_producer_new(cfg, client, err, sizeof err) : shared)) {
        of_error("producer start failed", OF_S("error", err), OF_I("lane", k), OF_END);
        return -1;
    }
    return 0;
}

void of_worker_lane_close(of_worker_lane_t *l) {
    if (l->p != l->shared) of_producer_destroy(l->p);
    of_redis_close(l->redis);
    of_db_close(l->db);
    memset(l, 0, sizeof *l);
}

/* One attempt of the batch handler: its time in the batch histogram; a failed attempt counts its messages as failed
 * and marks the worker not ready (its database or Redis is away) until an attempt succeeds. */
static of_err_t timed_batch(const of_worker_spec_t *spec, lanes_t *lanes, rd_kafka_message_t **msgs, int n,
                            of_msg_result_t *res, int again) {
    int64_t t0 = of_mono_us();
    of_err_t e = lanes ? lanes_batch(lanes, msgs, n, res, again) : spec->on_batch(spec->ctx, msgs, n, res);
    int64_t us = of_mono_us() - t0;
    of_metric_observe(OF_MH_BATCH, (double)us / 1e6);
    of_debug("batch handled", OF_I("messages", n), OF_I("attempt", again + 1), OF_I("us", us),
             OF_S("result", of_err_str(e)), OF_END);
    if (e != OF_OK) count_topics(msgs, n, OF_MT_FAILED);
    of_admin_dependency(e == OF_OK, of_err_str(e));
    return e;
}

of_consumer_t *of_worker_consumer_open(const of_config_t *cfg, of_producer_t *producer, const of_worker_spec_t *spec,
                                       char *group, size_t group_size) {
    char err[512];
    of_worker_group(cfg, spec->name, group, group_size);
    const char *topics[16];
    int nt = spec->ntopics < 16 ? spec->ntopics : 16;
    for (int i = 0; i < nt; i++)
        topics[i] = of_producer_topic(producer, spec->topics[i]);
    of_consumer_t *c = of_consumer_new(cfg, group, of_cfg_str(cfg, OF_CFG_INSTANCE_ID), topics, nt, err, sizeof err);
    if (!c) {
        of_error("consumer start failed", OF_S("error", err), OF_END);
        return NULL;
    }
    const char *sid;
    char why[256];
    if (of_kafka_static_id(cfg, &sid, why, sizeof why)) sid = NULL; /* refused at of_worker_init already */
    of_info("started", OF_S("group", group), OF_S("topic", topics[0]),
            OF_S("instance", of_cfg_str(cfg, OF_CFG_INSTANCE_ID)), OF_S("membership", sid ? "static" : "dynamic"),
            OF_S("why", why), OF_END);
    of_admin_consumer(of_consumer_handle(c), group);
    for (int i = 0; i < nt; i++) /* each consumed topic shows in /metrics from the start, at 0 */
        for (int m = 0; m < OF_MT__COUNT; m++)
            of_metric_topic_add(topics[i], (of_metric_topic_t)m, 0);
    return c;
}

void of_worker_consumer_close(of_consumer_t *c) {
    of_info("stopping: committing offsets and leaving the group", OF_END);
    of_admin_consumer(NULL, NULL);
    of_consumer_close(c);
    of_metrics_log("exit");
}

/* D-T10-58: a caught-up worker's stored offsets go to the group now, at most every 100 ms */
static void commit_caught_up(of_consumer_t *c, int *uncommitted, int64_t *last_commit) {
    if (!*uncommitted || of_mono_ms() - *last_commit < 100) return;
    of_consumer_commit(c);
    *uncommitted = 0;
    *last_commit = of_mono_ms();
}

int of_worker_run(const of_config_t *cfg, of_producer_t *producer, const of_worker_spec_t *spec) {
    char group[256];
    of_consumer_t *c = of_worker_consumer_open(cfg, producer, spec, group, sizeof group);
    if (!c) return 1;

    int max = (int)of_cfg_int(cfg, OF_CFG_BATCH_SIZE);
    int wait = (int)of_cfg_int(cfg, OF_CFG_BATCH_WAIT_MS);
    long cap = (long)of_cfg_int(cfg, OF_CFG_RETRY_BACKOFF_MAX_MS);
    int64_t stats_every = of_cfg_int(cfg, OF_CFG_STATS_INTERVAL_S) * 1000;
    rd_kafka_message_t **msgs = calloc((size_t)max, sizeof *msgs);
    of_msg_result_t *res = calloc((size_t)max, sizeof *res);
    int nl = spec->nlanes > 1 && spec->lanes ? spec->nlanes : 1;
    if (nl > OF_WORKER_LANES_MAX) nl = OF_WORKER_LANES_MAX;
    lanes_t *lanes = nl > 1 ? lanes_new(spec, nl, max) : NULL;
    if (lanes) of_info("batches run on lanes, shared out by partition", OF_I("lanes", nl), OF_END);
    int64_t next_tick = 0, next_stats = of_mono_ms() + stats_every;
    int64_t alert_ms = of_cfg_int(cfg, OF_CFG_KAFKA_UNREACHABLE_ALERT_S) * 1000;
    int rc = 0;
    /* Offsets stored since the last commit. A worker that has caught up (a batch not full, or nothing to poll)
     * commits them at once, at most every 100 ms, instead of up to auto.commit.interval.ms (1 s) later: its group
     * shows no lag as soon as the work is done, and a restart redelivers less (issue 10, D-T10-58). */
    int uncommitted = 0;
    int64_t last_commit = 0;

    while (!stopping() && msgs && res && (nl == 1 || lanes)) {
        of_admin_beat();
        int64_t now = of_mono_ms();
        if (spec->on_tick && now >= next_tick) {
            for (int k = 0; k < nl; k++)
                spec->on_tick(nl > 1 ? spec->lanes[k] : spec->ctx);
            next_tick = now + spec->tick_ms;
        }
        if (stats_every && now >= next_stats) {
            of_metrics_log("interval");
            next_stats = now + stats_every;
        }
        of_producer_poll(producer);
        of_consumer_watch(c, alert_ms);
        int n = of_consumer_poll_batch(c, msgs, max, 200, wait);
        if (!n) commit_caught_up(c, &uncommitted, &last_commit);
        if (n && of_kafka_fatal()) { /* fenced: the partitions are another process's now; theirs to handle */
            for (int i = 0; i < n; i++)
                rd_kafka_message_destroy(msgs[i]);
            break;
        }
        if (!n) continue;
        of_metric_add(OF_M_BATCHES, 1);
        memset(res, 0, sizeof *res * (size_t)n);

        /* 1-3: decide and apply; transient failures retry the same batch (nothing stored meanwhile). */
        long backoff = 100;
        of_err_t e;
        int again = 0;
        while ((e = timed_batch(spec, lanes, msgs, n, res, again++)) != OF_OK && !stopping()) {
            of_metric_add(OF_M_RETRIED, 1);
            count_topics(msgs, n, OF_MT_RETRIED);
            of_warn("batch failed, will retry", OF_S("error", of_err_str(e)), OF_I("messages", n),
                    OF_I("backoff_ms", backoff), OF_END);
            nap(backoff);
            backoff = backoff * 2 > cap ? cap : backoff * 2;
            memset(res, 0, sizeof *res * (size_t)n);
        }
        /* 4: dead letters must be durable before their offsets are stored. */
        while (e == OF_OK &&
               of_worker_publish_dead(producer, group, of_cfg_str(cfg, OF_CFG_INSTANCE_ID), msgs, n, res) != OF_OK) {
            if (stopping()) {
                e = OF_ERR_TRANSIENT;
                break;
            }
            nap(backoff);
            backoff = backoff * 2 > cap ? cap : backoff * 2;
        }
        for (int i = 0; i < n; i++) {
            if (e == OF_OK) {
                of_worker_settled(msgs[i], &res[i]);
                of_consumer_store(c, msgs[i]);
            }
            rd_kafka_message_destroy(msgs[i]);
        }
        if (e != OF_OK)
            of_info("stopping with an unfinished batch; it will be redelivered", OF_I("messages", n), OF_END);
        uncommitted |= e == OF_OK;
        if (n < max) commit_caught_up(c, &uncommitted, &last_commit);
    }
    if (!msgs || !res || (nl > 1 && !lanes)) {
        of_error("out of memory", OF_END);
        rc = 1;
    }
    if (of_kafka_fatal()) rc = of_kafka_fatal_exit_code();
    free(msgs);
    free(res);
    lanes_free(lanes);
    of_worker_consumer_close(c);
    return rc;
}
