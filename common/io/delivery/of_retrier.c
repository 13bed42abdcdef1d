/* of_retrier.c -- pause/seek/resume per partition until the head message is due, republish, store, commit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "of_time.h"
#include "of_dlq.h"
#include "of_admin.h"
#include "of_log.h"
#include "of_metrics.h"
#include "of_retrier.h"
#include "of_topics.h"
#include "of_worker.h"

#define MAX_BATCH 500

/* A partition whose head is not due yet. A head due within PAUSE_AFTER_MS is held in memory with what follows it
 * (no pause/resume churn for short waits); a longer wait pauses the partition and rewinds it to its head
 * (rd_kafka_pause_partitions + seek), dropping what was held: nothing is fetched until the head is due, then the
 * partition resumes and the head comes again. Offsets are stored only for handled messages, so after a crash or
 * a revoke everything not handled is fetched again from the committed offset. */
typedef struct {
    char topic[256];
    int32_t partition;
    rd_kafka_message_t **q;
    int n, cap;
    int paused; /* fetching stopped until q is empty */
} held_t;

/* Next offset expected per partition: a message below it was seen already (librdkafka may fetch again from
 * an earlier position after a pause) and is dropped. */
typedef struct {
    char topic[256];
    int32_t partition;
    int64_t next;
} pos_t;

/* A head due sooner than this is held without pausing its partition (no pause/resume churn for short waits);
 * a partition is paused once its head waits longer, or when this many messages are held. */
#define PAUSE_AFTER_MS 1000
#define HOLD_MAX 2000

typedef struct {
    rd_kafka_t *rk;
    held_t *held;
    int nheld, cap;
    pos_t *pos;
    int npos, poscap;
    const char *prefix;
} retrier_t;

/* 1 when m was seen already (a re-fetch); else records it as seen. */
static int seen(retrier_t *r, const rd_kafka_message_t *m) {
    const char *topic = rd_kafka_topic_name(m->rkt);
    for (int i = 0; i < r->npos; i++)
        if (r->pos[i].partition == m->partition && !strcmp(r->pos[i].topic, topic)) {
            if (m->offset < r->pos[i].next) return 1;
            r->pos[i].next = m->offset + 1;
            return 0;
        }
    if (r->npos == r->poscap) {
        int nc = r->poscap ? r->poscap * 2 : 64;
        pos_t *np = realloc(r->pos, sizeof *np * (size_t)nc);
        if (!np) return 0;
        r->pos = np;
        r->poscap = nc;
    }
    pos_t *ps = &r->pos[r->npos++];
    snprintf(ps->topic, sizeof ps->topic, "%s", topic);
    ps->partition = m->partition;
    ps->next = m->offset + 1;
    return 0;
}

/* Resume a paused partition at the next offset not yet seen. Messages polled after the pause took effect were
 * held too, so that position is ours to say (librdkafka would resume from its own record of the position). */
static void resume_at(retrier_t *r, const char *topic, int32_t partition) {
    int64_t next = RD_KAFKA_OFFSET_INVALID;
    for (int i = 0; i < r->npos; i++)
        if (r->pos[i].partition == partition && !strcmp(r->pos[i].topic, topic)) next = r->pos[i].next;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, partition)->offset = next;
    rd_kafka_resp_err_t err = rd_kafka_resume_partitions(r->rk, l);
    rd_kafka_error_t *e = !err && next >= 0 ? rd_kafka_seek_partitions(r->rk, l, 5000) : NULL;
    if (err || e)
        of_warn("resuming a partition failed", OF_S("topic", topic), OF_I("partition", partition),
                OF_S("error", err ? rd_kafka_err2str(err) : rd_kafka_error_string(e)), OF_END);
    if (e) rd_kafka_error_destroy(e);
    rd_kafka_topic_partition_list_destroy(l);
}

static held_t *find_held(retrier_t *r, const char *topic, int32_t partition) {
    for (int i = 0; i < r->nheld; i++)
        if (r->held[i].partition == partition && !strcmp(r->held[i].topic, topic)) return &r->held[i];
    return NULL;
}

/* Due time of a held message (its envelope decodes: only decodable ones are held). */
static int64_t due_of(const rd_kafka_message_t *m) {
    Orderfleet__RetryEnvelope *env = orderfleet__retry_envelope__unpack(NULL, m->len, m->payload);
    int64_t due = env ? env->due_at_ms : 0;
    if (env) orderfleet__retry_envelope__free_unpacked(env, NULL);
    return due;
}

/* Hold m, taking ownership (it may be freed at once when its partition is parked). Returns 0, -1 when out of
 * memory (m not taken). */
static int hold(retrier_t *r, rd_kafka_message_t *m) {
    const char *topic = rd_kafka_topic_name(m->rkt);
    held_t *h = find_held(r, topic, m->partition);
    if (!h) {
        if (r->nheld == r->cap) {
            int nc = r->cap ? r->cap * 2 : 64;
            held_t *nh = realloc(r->held, sizeof *nh * (size_t)nc);
            if (!nh) return -1;
            r->held = nh;
            r->cap = nc;
        }
        h = &r->held[r->nheld++];
        memset(h, 0, sizeof *h);
        snprintf(h->topic, sizeof h->topic, "%s", topic);
        h->partition = m->partition;
    }
    if (h->n == h->cap) {
        int nc = h->cap ? h->cap * 2 : 16;
        rd_kafka_message_t **nq = realloc(h->q, sizeof *nq * (size_t)nc);
        if (!nq) return -1;
        h->q = nq;
        h->cap = nc;
    }
    h->q[h->n++] = m;
    if (h->paused || (due_of(h->q[0]) - of_now_ms() <= PAUSE_AFTER_MS && h->n < HOLD_MAX)) return 0;
    /* park: stop fetching. What was polled stays held (the consumer's position is past it, and held messages
     * are few: a long wait parks at once); on resume the fetcher goes on after the last message seen. */
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, h->partition);
    rd_kafka_resp_err_t err = rd_kafka_pause_partitions(r->rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    if (err)
        of_warn("pausing a partition failed", OF_S("topic", topic), OF_I("partition", h->partition),
                OF_S("error", rd_kafka_err2str(err)), OF_END);
    h->paused = 1;
    of_debug("partition parked", OF_S("topic", topic), OF_I("partition", h->partition), OF_I("offset", h->q[0]->offset),
             OF_I("due_in_ms", due_of(h->q[0]) - of_now_ms()), OF_END);
    return 0;
}

/* Forget what is held and seen of the partitions in parts (all of them when parts is NULL). */
static void drop_held(retrier_t *r, const rd_kafka_topic_partition_list_t *parts) {
    for (int i = 0; i < r->nheld; i++) {
        if (parts && !rd_kafka_topic_partition_list_find(parts, r->held[i].topic, r->held[i].partition)) continue;
        for (int j = 0; j < r->held[i].n; j++)
            rd_kafka_message_destroy(r->held[i].q[j]);
        free(r->held[i].q);
        r->held[i--] = r->held[--r->nheld];
    }
    for (int i = 0; i < r->npos; i++)
        if (!parts || rd_kafka_topic_partition_list_find(parts, r->pos[i].topic, r->pos[i].partition))
            r->pos[i--] = r->pos[--r->npos];
}

static int64_t next_due(const retrier_t *r) {
    int64_t best = INT64_MAX;
    for (int i = 0; i < r->nheld; i++) {
        int64_t d = r->held[i].n ? due_of(r->held[i].q[0]) : 0;
        if (d < best) best = d;
    }
    return best;
}

static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *parts,
                         void *opaque) {
    retrier_t *r = opaque;
    /* A revoked partition's held messages are not stored: fetched again from the committed offset by whoever
     * gets it. Under the cooperative protocol only the revoked partitions are dropped. The assignment itself is
     * every worker's (of_kafka_rebalance): a partition without a committed offset starts at the log start, and one
     * whose committed offset is outside the log is held and reported (of_kafka_consumer_error below, D-KAF-4). */
    if (err != RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) drop_held(r, parts);
    of_kafka_rebalance(rk, err, parts);
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS)
        rd_kafka_resume_partitions(rk, parts); /* a partition parked before a revoke starts unparked */
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
    uint8_t *buf = of_dlq_pack(m, reason, klass, group, worker, 1, NULL, 0, &len);
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
        of_kafka_consumer_conf_new(cfg, group, of_cfg_str(cfg, OF_CFG_INSTANCE_ID), err, sizeof err);
    if (!conf) {
        of_error("consumer configuration", OF_S("error", err), OF_END);
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
    const char *rung_topic[4], *rung_label[4];
    for (int i = 0; i < l->nrungs && i < 4; i++) {
        rung_topic[i] = of_producer_topic(p, of_ladder_topic(i));
        rung_label[i] = rung_topic[i] + strlen(r.prefix); /* retry.30s ... */
    }
    of_admin_consumer(r.rk, group);
    of_admin_rungs(rung_topic, rung_label, l->nrungs < 4 ? l->nrungs : 4);
    of_info("started", OF_S("group", group), OF_S("ladder", of_cfg_str(cfg, OF_CFG_RETRY_LADDER)),
            OF_S("instance", of_cfg_str(cfg, OF_CFG_INSTANCE_ID)), OF_END);

    rd_kafka_message_t **work = malloc(sizeof *work * (MAX_BATCH * 2));
    int *act = malloc(sizeof *act * (MAX_BATCH * 2));
    int64_t stats_every = of_cfg_int(cfg, OF_CFG_STATS_INTERVAL_S) * 1000, next_stats = of_mono_ms() + stats_every;
    int64_t alert_ms = of_cfg_int(cfg, OF_CFG_KAFKA_UNREACHABLE_ALERT_S) * 1000;
    while (!of_stop_requested && !of_kafka_fatal() && work && act) {
        of_admin_beat();
        for (int k = 0; k < l->nrungs && k < 4; k++) {
            long long held = 0;
            for (int i = 0; i < r.nheld; i++)
                if (!strcmp(r.held[i].topic, rung_topic[k])) held += r.held[i].n;
            of_admin_rung_held(k, held);
        }
        of_kafka_watch(r.rk, alert_ms);
        if (stats_every && of_mono_ms() >= next_stats) {
            of_metrics_log("interval");
            next_stats = of_mono_ms() + stats_every;
        }
        of_producer_poll(p);
        /* 1. held messages now due, oldest first; a partition with nothing left held resumes */
        int n = 0;
        int64_t now = of_now_ms();
        for (int i = 0; i < r.nheld; i++) {
            held_t *h = &r.held[i];
            int k = 0;
            while (k < h->n && n < MAX_BATCH && due_of(h->q[k]) <= now)
                work[n++] = h->q[k++];
            memmove(h->q, h->q + k, sizeof *h->q * (size_t)(h->n - k));
            h->n -= k;
            if (!h->n) {
                if (h->paused) {
                    resume_at(&r, h->topic, h->partition);
                    of_debug("partition resumed", OF_S("topic", h->topic), OF_I("partition", h->partition), OF_END);
                }
                free(h->q);
                r.held[i--] = r.held[--r.nheld];
            }
        }
        int npopped = n; /* work[0..npopped-1] came off the held queues, due: never held again */
        /* 2. new messages; sleep until the next held head is due (at most 200 ms): no busy loop */
        int64_t wait = n ? 0 : next_due(&r) - now;
        if (wait > 200) wait = 200;
        if (wait < 0) wait = 0;
        int polled = 0;
        rd_kafka_message_t *m = rd_kafka_consumer_poll(r.rk, (int)wait);
        while (m) {
            if (m->err) {
                int fatal = of_kafka_consumer_error(r.rk, m);
                rd_kafka_message_destroy(m);
                if (fatal) break; /* the loop ends on of_kafka_fatal() */
            } else if (seen(&r, m)) {
                rd_kafka_message_destroy(m);
            } else {
                of_metric_add(OF_M_CONSUMED, 1);
                if (of_log_enabled(OF_LOG_DEBUG)) {
                    rd_kafka_timestamp_type_t tt;
                    of_debug("received", OF_S("topic", rd_kafka_topic_name(m->rkt)), OF_I("partition", m->partition),
                             OF_I("offset", m->offset),
                             OF_I("age_ms", of_now_ms() - rd_kafka_message_timestamp(m, &tt)), OF_END);
                }
                if (find_held(&r, rd_kafka_topic_name(m->rkt), m->partition)) {
                    if (hold(&r, m)) rd_kafka_message_destroy(m); /* out of memory: fetched again after a rewind */
                } else {
                    work[n++] = m;
                }
            }
            if (++polled >= MAX_BATCH) break;
            m = rd_kafka_consumer_poll(r.rk, 0);
        }
        if (!n) continue;
        /* 3. in order: republish what is due, hold the rest (pausing its partition) */
        of_dr_batch_t b = {0};
        of_err_t se = OF_OK;
        now = of_now_ms();
        for (int i = 0; i < n; i++) {
            m = work[i];
            act[i] = 0;
            if (se) continue;
            if (i >= npopped && find_held(&r, rd_kafka_topic_name(m->rkt), m->partition)) { /* behind one not due */
                act[i] = hold(&r, m) ? 0 : 2;
                continue;
            }
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
                act[i] = hold(&r, m) ? 0 : 2;
            } else {
                se = republish(p, env, &b);
                act[i] = 1;
                of_debug("republished", OF_S("origin", env->origin_topic), OF_I("attempt", env->attempt),
                         OF_S("from", rd_kafka_topic_name(m->rkt)), OF_I("partition", m->partition),
                         OF_I("offset", m->offset), OF_I("late_ms", now - env->due_at_ms), OF_END);
            }
            if (env) orderfleet__retry_envelope__free_unpacked(env, NULL);
        }
        if (of_producer_wait(p, &b) || se) {
            /* Not durable: store nothing from this round; every partition touched goes back to its first message
             * of the round (held ones included), so all of it is handled again (the origin drops copies). */
            of_warn("republish failed; rewinding", OF_S("error", b.error[0] ? b.error : of_err_str(se)), OF_END);
            for (int i = 0; i < n; i++) {
                m = work[i];
                int first = 1;
                for (int j = 0; j < i && first; j++)
                    first = work[j]->partition != m->partition || work[j]->rkt != m->rkt;
                if (!first) continue;
                const char *topic = rd_kafka_topic_name(m->rkt);
                rd_kafka_topic_partition_list_t *pl = rd_kafka_topic_partition_list_new(1);
                rd_kafka_topic_partition_list_add(pl, topic, m->partition)->offset = m->offset;
                rd_kafka_resume_partitions(r.rk, pl);
                rd_kafka_error_t *e = rd_kafka_seek_partitions(r.rk, pl, 5000);
                if (e) rd_kafka_error_destroy(e);
                rd_kafka_topic_partition_list_destroy(pl);
                held_t *h = find_held(&r, topic, m->partition);
                if (h) {
                    for (int j = 0; j < h->n; j++)
                        rd_kafka_message_destroy(h->q[j]);
                    free(h->q);
                    *h = r.held[--r.nheld];
                }
            }
            for (int i = 0; i < n; i++)
                if (act[i] != 2) rd_kafka_message_destroy(work[i]);
            r.npos = 0; /* the rewound messages must not count as seen */
            struct timespec ts = {0, 500 * 1000000L};
            nanosleep(&ts, NULL);
            continue;
        }
        for (int i = 0; i < n; i++) {
            if (act[i] == 2) continue; /* held: not ours to free */
            if (act[i] == 1) {
                store(r.rk, work[i]);
                of_metric_add(OF_M_PROCESSED, 1);
                of_metric_topic_add(rd_kafka_topic_name(work[i]->rkt), OF_MT_PROCESSED, 1);
            }
            rd_kafka_message_destroy(work[i]);
        }
    }
    free(work);
    free(act);
    of_info("stopping: committing offsets and leaving the group", OF_END);
    /* Held messages first: a handle is not destroyed while messages of it live (rd_kafka_destroy would wait for
     * them). Not stored, they are fetched again by whoever gets their partitions. */
    drop_held(&r, NULL);
    of_admin_consumer(NULL, NULL);
    of_kafka_close(r.rk); /* bounded (OF_KAFKA_CLOSE_MS) */
    free(r.held);
    free(r.pos);
    of_metrics_log("exit");
    return of_kafka_fatal_exit_code();
}
