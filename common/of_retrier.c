/* of_retrier.c -- pause/seek/resume per partition until the head message is due, republish, store, commit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "of_dlq.h"
#include "of_log.h"
#include "of_metrics.h"
#include "of_retrier.h"
#include "of_topics.h"
#include "of_worker.h"

#define MAX_BATCH 500

typedef struct {
    char topic[256];
    int32_t partition;
    int64_t due_ms; /* wall clock (due times are unix ms) */
} parked_t;

typedef struct {
    rd_kafka_t *rk;
    parked_t *parked;
    int nparked, cap;
    const char *prefix;
} retrier_t;

static int64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int find_parked(retrier_t *r, const char *topic, int32_t partition) {
    for (int i = 0; i < r->nparked; i++)
        if (r->parked[i].partition == partition && !strcmp(r->parked[i].topic, topic)) return i;
    return -1;
}

static void partition_op(rd_kafka_t *rk, const char *topic, int32_t partition, int64_t offset, int op) {
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, partition)->offset = offset;
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    if (op == 'p') err = rd_kafka_pause_partitions(rk, l);
    if (op == 'r') err = rd_kafka_resume_partitions(rk, l);
    if (op == 's' || op == 'p') {
        rd_kafka_error_t *e = op == 's' || offset >= 0 ? rd_kafka_seek_partitions(rk, l, 5000) : NULL;
        if (e) {
            of_warn("seek failed", OF_S("topic", topic), OF_I("partition", partition),
                    OF_S("error", rd_kafka_error_string(e)), OF_END);
            rd_kafka_error_destroy(e);
        }
    }
    if (err)
        of_warn("pause/resume failed", OF_S("topic", topic), OF_I("partition", partition),
                OF_S("error", rd_kafka_err2str(err)), OF_END);
    rd_kafka_topic_partition_list_destroy(l);
}

/* Park a partition until due: pause it and rewind to its head so the head is fetched again on resume. */
static void park(retrier_t *r, const rd_kafka_message_t *m, int64_t due_ms) {
    const char *topic = rd_kafka_topic_name(m->rkt);
    if (r->nparked == r->cap) {
        int nc = r->cap ? r->cap * 2 : 64;
        parked_t *np = realloc(r->parked, sizeof *np * (size_t)nc);
        if (!np) return; /* not parked: it is polled again and re-checked */
        r->parked = np;
        r->cap = nc;
    }
    parked_t *pk = &r->parked[r->nparked++];
    snprintf(pk->topic, sizeof pk->topic, "%s", topic);
    pk->partition = m->partition;
    pk->due_ms = due_ms;
    partition_op(r->rk, topic, m->partition, m->offset, 'p');
    of_debug("partition parked", OF_S("topic", topic), OF_I("partition", m->partition), OF_I("offset", m->offset),
             OF_I("due_in_ms", due_ms - of_now_ms()), OF_END);
}

static void resume_due(retrier_t *r, int64_t now) {
    for (int i = 0; i < r->nparked;) {
        if (r->parked[i].due_ms > now) {
            i++;
            continue;
        }
        partition_op(r->rk, r->parked[i].topic, r->parked[i].partition, -1, 'r');
        r->parked[i] = r->parked[--r->nparked];
    }
}

static int64_t next_due(const retrier_t *r) {
    int64_t best = INT64_MAX;
    for (int i = 0; i < r->nparked; i++)
        if (r->parked[i].due_ms < best) best = r->parked[i].due_ms;
    return best;
}

static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *parts,
                         void *opaque) {
    retrier_t *r = opaque;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        of_info("partitions assigned", OF_I("count", parts->cnt), OF_END);
        rd_kafka_assign(rk, parts);
        rd_kafka_resume_partitions(rk, parts); /* a partition parked before a revoke starts unparked */
    } else {
        of_info("partitions revoked", OF_I("count", parts->cnt), OF_END);
        if (!rd_kafka_assignment_lost(rk)) {
            rd_kafka_resp_err_t cerr = rd_kafka_commit(rk, NULL, 0);
            if (cerr && cerr != RD_KAFKA_RESP_ERR__NO_OFFSET)
                of_warn("commit on revoke failed", OF_S("error", rd_kafka_err2str(cerr)), OF_END);
        }
        r->nparked = 0;
        rd_kafka_assign(rk, NULL);
    }
}

static void store(rd_kafka_t *rk, const rd_kafka_message_t *m) {
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, rd_kafka_topic_name(m->rkt), m->partition)->offset = m->offset + 1;
    rd_kafka_resp_err_t err = rd_kafka_offsets_store(rk, l);
    if (err && err != RD_KAFKA_RESP_ERR__STATE)
        of_warn("offset store failed", OF_S("error", rd_kafka_err2str(err)), OF_END);
    rd_kafka_topic_partition_list_destroy(l);
}

/* Republish env's original to its origin topic. The headers carry the attempt and the errors so far. */
static of_err_t republish(of_producer_t *p, const Orderfleet__RetryEnvelope *env, of_dr_batch_t *b) {
    Orderfleet__RetryEnvelope hdr = *env;
    hdr.original.data = NULL;
    hdr.original.len = 0;
    hdr.original_key.data = NULL;
    hdr.original_key.len = 0;
    size_t n = orderfleet__retry_envelope__get_packed_size(&hdr);
    uint8_t *buf = malloc(n + 1);
    if (!buf) return OF_ERR_NOMEM;
    orderfleet__retry_envelope__pack(&hdr, buf);
    char attempt[16], *hex = malloc(2 * n + 1);
    if (!hex) {
        free(buf);
        return OF_ERR_NOMEM;
    }
    of_ladder_hex(buf, n, hex);
    free(buf);
    snprintf(attempt, sizeof attempt, "%d", env->attempt);
    const char *hdrs[] = {OF_HDR_ATTEMPT, attempt, OF_HDR_RETRY, hex, NULL};
    of_err_t err = of_producer_send(p, env->origin_topic, env->original_key.data, env->original_key.len,
                                    env->original.data, env->original.len, hdrs, b);
    free(hex);
    return err;
}

static of_err_t send_dead(of_producer_t *p, const rd_kafka_message_t *m, const char *klass, const char *reason,
                          const char *group, const char *worker, of_dr_batch_t *b) {
    size_t len;
    uint8_t *buf = of_dlq_pack(m, reason, klass, group, worker, 1, &len);
    if (!buf) return OF_ERR_NOMEM;
    const char *hdrs[] = {"of-error-class", klass, "of-origin-topic", rd_kafka_topic_name(m->rkt), NULL};
    of_err_t err =
        of_producer_send(p, of_producer_topic(p, OF_TOPIC_DEADLETTER), m->key, m->key_len, buf, len, hdrs, b);
    free(buf);
    of_warn("dead-lettered", OF_S("topic", rd_kafka_topic_name(m->rkt)), OF_I("partition", m->partition),
            OF_I("offset", m->offset), OF_S("class", klass), OF_S("reason", reason), OF_END);
    return err;
}

/* The origin must be a topic of the table under our prefix, and not a rung or the dead-letter topic. */
static int origin_ok(const char *origin, const char *prefix) {
    int t = origin ? of_topic_find(origin, prefix) : -1;
    return t >= 0 && t != OF_TOPIC_DEADLETTER && !(t >= OF_TOPIC_RETRY_1 && t <= OF_TOPIC_RETRY_4);
}

int of_retrier_run(const of_config_t *cfg, of_producer_t *p, const of_ladder_t *l, const char *group) {
    char err[512], worker[200];
    snprintf(worker, sizeof worker, "retry-ladder@%s", of_cfg_str(cfg, OF_CFG_INSTANCE_ID));
    retrier_t r = {0};
    r.prefix = of_cfg_str(cfg, OF_CFG_TOPIC_PREFIX);
    if (l->nrungs == 0) {
        of_error("OF_RETRY_LADDER has no rungs: nothing to serve", OF_END);
        return 78;
    }
    rd_kafka_conf_t *conf =
        of_kafka_conf_new(cfg, OF_KAFKA_CONSUMER, of_cfg_str(cfg, OF_CFG_INSTANCE_ID), err, sizeof err);
    if (!conf) {
        of_error("consumer configuration", OF_S("error", err), OF_END);
        return 1;
    }
    if (rd_kafka_conf_set(conf, "group.id", group, err, sizeof err) ||
        rd_kafka_conf_set(conf, "enable.auto.offset.store", "false", err, sizeof err) ||
        rd_kafka_conf_set(conf, "enable.auto.commit", "true", err, sizeof err) ||
        rd_kafka_conf_set(conf, "auto.commit.interval.ms", "1000", err, sizeof err) ||
        rd_kafka_conf_set(conf, "auto.offset.reset", "earliest", err, sizeof err) ||
        rd_kafka_conf_set(conf, "partition.assignment.strategy", "range,roundrobin", err, sizeof err) ||
        rd_kafka_conf_set(conf, "session.timeout.ms", "10000", err, sizeof err)) {
        of_error("consumer configuration", OF_S("error", err), OF_END);
        rd_kafka_conf_destroy(conf);
        return 1;
    }
    rd_kafka_conf_set_opaque(conf, &r);
    rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
    if (!(r.rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err))) {
        of_error("consumer start failed", OF_S("error", err), OF_END);
        rd_kafka_conf_destroy(conf);
        return 1;
    }
    rd_kafka_poll_set_consumer(r.rk);
    rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(l->nrungs);
    for (int i = 0; i < l->nrungs; i++)
        rd_kafka_topic_partition_list_add(sub, of_producer_topic(p, of_ladder_topic(i)), RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t serr = rd_kafka_subscribe(r.rk, sub);
    rd_kafka_topic_partition_list_destroy(sub);
    if (serr) {
        of_error("subscribe failed", OF_S("error", rd_kafka_err2str(serr)), OF_END);
        rd_kafka_destroy(r.rk);
        return 1;
    }
    of_info("started", OF_S("group", group), OF_S("ladder", of_cfg_str(cfg, OF_CFG_RETRY_LADDER)),
            OF_S("instance", of_cfg_str(cfg, OF_CFG_INSTANCE_ID)), OF_END);

    rd_kafka_message_t *msgs[MAX_BATCH];
    int64_t stats_every = of_cfg_int(cfg, OF_CFG_STATS_INTERVAL_S) * 1000, next_stats = mono_ms() + stats_every;
    while (!of_stop_requested) {
        int64_t now = of_now_ms();
        resume_due(&r, now);
        if (stats_every && mono_ms() >= next_stats) {
            of_metrics_log("interval");
            next_stats = mono_ms() + stats_every;
        }
        of_producer_poll(p);
        /* sleep until the next head is due (or 200 ms, to notice a stop): no busy loop */
        int64_t wait = next_due(&r) - now;
        if (wait > 200) wait = 200;
        if (wait < 0) wait = 0;
        int n = 0;
        rd_kafka_message_t *m = rd_kafka_consumer_poll(r.rk, (int)wait);
        while (m && n < MAX_BATCH) {
            msgs[n++] = m;
            m = n < MAX_BATCH ? rd_kafka_consumer_poll(r.rk, 0) : NULL;
        }
        if (!n) continue;
        of_dr_batch_t b = {0};
        of_err_t se = OF_OK;
        int *act = calloc((size_t)n, sizeof *act); /* 1 = sent (store after delivery) */
        now = of_now_ms();
        for (int i = 0; i < n && act; i++) {
            m = msgs[i];
            if (m->err) {
                if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                    of_warn("consumer error", OF_S("error", rd_kafka_message_errstr(m)), OF_END);
                continue;
            }
            of_metric_add(OF_M_CONSUMED, 1);
            const char *topic = rd_kafka_topic_name(m->rkt);
            if (find_parked(&r, topic, m->partition) >= 0) continue; /* fetched before the pause: comes again */
            Orderfleet__RetryEnvelope *env = orderfleet__retry_envelope__unpack(NULL, m->len, m->payload);
            if (!env) {
                se = send_dead(p, m, "decode", "value is not a RetryEnvelope protobuf message", group, worker, &b);
                act[i] = 1;
            } else if (!origin_ok(env->origin_topic, r.prefix)) {
                snprintf(err, sizeof err, "origin_topic '%.200s' is not a topic of the table under prefix '%s'",
                         env->origin_topic ? env->origin_topic : "", r.prefix);
                se = send_dead(p, m, "validation", err, group, worker, &b);
                act[i] = 1;
            } else if (env->due_at_ms > now) {
                park(&r, m, env->due_at_ms);
            } else {
                se = republish(p, env, &b);
                act[i] = 1;
                of_debug("republished", OF_S("origin", env->origin_topic), OF_I("attempt", env->attempt),
                         OF_I("late_ms", now - env->due_at_ms), OF_END);
            }
            if (env) orderfleet__retry_envelope__free_unpacked(env, NULL);
            if (se) break;
        }
        if (of_producer_wait(p, &b) || se || !act) {
            /* Not durable: store nothing from this round and rewind each partition to its first message here,
             * so everything is handled again (the origin drops copies it already has). */
            of_warn("republish failed; rewinding", OF_S("error", b.error[0] ? b.error : of_err_str(se)), OF_END);
            for (int i = 0; i < n; i++) {
                m = msgs[i];
                if (m->err || find_parked(&r, rd_kafka_topic_name(m->rkt), m->partition) >= 0) continue;
                int first = 1;
                for (int j = 0; j < i && first; j++)
                    first = msgs[j]->err || msgs[j]->partition != m->partition || msgs[j]->rkt != m->rkt;
                if (first) partition_op(r.rk, rd_kafka_topic_name(m->rkt), m->partition, m->offset, 's');
            }
            struct timespec ts = {0, 500 * 1000000L};
            nanosleep(&ts, NULL);
        } else {
            for (int i = 0; i < n; i++)
                if (act[i]) {
                    store(r.rk, msgs[i]);
                    of_metric_add(OF_M_PROCESSED, 1);
                }
        }
        free(act);
        for (int i = 0; i < n; i++)
            rd_kafka_message_destroy(msgs[i]);
    }
    of_info("stopping: committing offsets and leaving the group", OF_END);
    rd_kafka_resp_err_t cerr = rd_kafka_commit(r.rk, NULL, 0);
    if (cerr && cerr != RD_KAFKA_RESP_ERR__NO_OFFSET)
        of_warn("commit failed", OF_S("error", rd_kafka_err2str(cerr)), OF_END);
    rd_kafka_consumer_close(r.rk);
    rd_kafka_destroy(r.rk);
    free(r.parked);
    of_metrics_log("exit");
    return 0;
}
