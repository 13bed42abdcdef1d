/* of_kafka.c -- Kafka producer and consumer on librdkafka, following its at-least-once guidance. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "of_time.h"
#include "of_kafka.h"
#include "of_log.h"
#include "of_metrics.h"
#include "of_topics.h"
#include "of_worker.h"

static int conf_set(rd_kafka_conf_t *conf, const char *k, const char *v, char *errstr, size_t errstr_size) {
    if (rd_kafka_conf_set(conf, k, v, errstr, errstr_size) != RD_KAFKA_CONF_OK) return -1;
    return 0;
}

/* ---- health: offset resets and broker reachability, watched on every handle of_kafka_conf_new makes ---- */

static _Atomic int64_t down_since; /* monotonic ms since when no broker was reachable; 0 = reachable */
static int64_t next_alert;

static void reachable(void) {
    atomic_store_explicit(&down_since, 0, memory_order_relaxed);
}

static void log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf) {
    (void)rk;
    /* librdkafka resets a committed offset that is out of range (retention deleted unread messages, or the topic
     * was recreated) to auto.offset.reset and only logs it: a skip that must not pass quietly. A partition with no
     * committed offset yet is reset at debug level and never reaches here. */
    if (level <= 4 && !strcmp(fac, "OFFSET") && strstr(buf, "offset reset")) {
        of_metric_add(OF_M_OFFSET_RESETS, 1);
        of_error("kafka offset reset: the group's committed offset was out of range, messages were skipped or will be "
                 "read again",
                 OF_S("detail", buf), OF_END);
        return;
    }
    of_log(level <= 3   ? OF_LOG_ERROR
           : level <= 4 ? OF_LOG_WARN
                        : OF_LOG_DEBUG,
           "librdkafka", OF_S("fac", fac), OF_S("detail", buf), OF_END);
}

static void error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque) {
    (void)rk;
    (void)opaque;
    if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
        int64_t zero = 0;
        atomic_compare_exchange_strong(&down_since, &zero, of_mono_ms());
    }
    of_warn("kafka error", OF_S("error", rd_kafka_err2name((rd_kafka_resp_err_t)err)), OF_S("detail", reason), OF_END);
}

int64_t of_kafka_unreachable_ms(void) {
    int64_t d = atomic_load_explicit(&down_since, memory_order_relaxed);
    return d ? of_mono_ms() - d : 0;
}

void of_kafka_watch(rd_kafka_t *rk, int64_t alert_ms) {
    int64_t d = atomic_load_explicit(&down_since, memory_order_relaxed), now = of_mono_ms();
    if (!d || now - d < alert_ms || now < next_alert) return;
    /* Idle consumers see no message that would mark the cluster reachable again: ask for metadata first. */
    const struct rd_kafka_metadata *md;
    if (!rd_kafka_metadata(rk, 0, NULL, &md, 1000)) {
        rd_kafka_metadata_destroy(md);
        reachable();
        of_info("kafka reachable again", OF_I("after_ms", now - d), OF_END);
        return;
    }
    next_alert = now + 30000;
    of_metric_add(OF_M_KAFKA_UNREACHABLE, 1);
    of_error("kafka unreachable", OF_I("for_s", (now - d) / 1000), OF_S("hint", "is the broker up? still retrying"),
             OF_END);
}

/* A conf for role; with group, the consumer-group settings too. OF_KAFKA_EXTRA is applied last, so it wins. */
static rd_kafka_conf_t *conf_build(const of_config_t *cfg, of_kafka_role_t role, const char *client_id,
                                   const char *group, char *errstr, size_t errstr_size) {
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (conf_set(conf, "bootstrap.servers", of_cfg_str(cfg, OF_CFG_KAFKA_BOOTSTRAP), errstr, errstr_size) ||
        conf_set(conf, "client.id", client_id, errstr, errstr_size) ||
        conf_set(conf, "log_level", "4", errstr, errstr_size))
        goto fail;
    rd_kafka_conf_set_log_cb(conf, log_cb);
    rd_kafka_conf_set_error_cb(conf, error_cb);
    /* Memory: librdkafka prefetches up to 64 MB per instance by default, which a backlog fills; a worker handles
     * batches of OF_BATCH_SIZE, so 4 MB of prefetch keeps it busy (bench: peak RSS 61 MB → ~30 MB). OF_KAFKA_EXTRA
     * may raise it. */
    if (role == OF_KAFKA_CONSUMER && conf_set(conf, "queued.max.messages.kbytes", "4096", errstr, errstr_size))
        goto fail;
    if (!strcmp(of_cfg_str(cfg, OF_CFG_KAFKA_PROFILE), "local")) {
        /* The dev broker answers an empty fetch only after fetch.wait.max.ms (design.md). */
        if (role == OF_KAFKA_CONSUMER ? conf_set(conf, "fetch.wait.max.ms", "10", errstr, errstr_size)
                                      : conf_set(conf, "linger.ms", "5", errstr, errstr_size))
            goto fail;
    }
    /* Producers: every message on all in-sync replicas, no duplicate from a retry, a report within 30 s. */
    if (role == OF_KAFKA_PRODUCER && (conf_set(conf, "enable.idempotence", "true", errstr, errstr_size) ||
                                      conf_set(conf, "acks", "all", errstr, errstr_size) ||
                                      conf_set(conf, "message.timeout.ms", "30000", errstr, errstr_size)))
        goto fail;
    /* Offsets: stored by the worker once a message's effect is durable, committed every second and on revoke.
     * Assignment: cooperative-sticky, so a member joining or leaving moves only the partitions that change owner
     * while the others keep consuming (incremental rebalance). */
    if (group && (conf_set(conf, "group.id", group, errstr, errstr_size) ||
                  conf_set(conf, "enable.auto.offset.store", "false", errstr, errstr_size) ||
                  conf_set(conf, "enable.auto.commit", "true", errstr, errstr_size) ||
                  conf_set(conf, "auto.commit.interval.ms", "1000", errstr, errstr_size) ||
                  conf_set(conf, "auto.offset.reset", "earliest", errstr, errstr_size) ||
                  conf_set(conf, "partition.assignment.strategy", "cooperative-sticky", errstr, errstr_size)))
        goto fail;
    /* Session timeout: the local profile takes a killed instance's partitions away after 10 s (its brokers fence a
     * lost node after 4 s, see scripts/stack.sh); production keeps librdkafka's 45 s, above the brokers' default
     * fencing of 9 s, so a lost broker does not also time out the groups' sessions. */
    if (group && !strcmp(of_cfg_str(cfg, OF_CFG_KAFKA_PROFILE), "local") &&
        conf_set(conf, "session.timeout.ms", "10000", errstr, errstr_size))
        goto fail;
    /* OF_KAFKA_EXTRA: k=v;k=v */
    char *extra = strdup(of_cfg_str(cfg, OF_CFG_KAFKA_EXTRA)), *save = NULL;
    if (!extra) goto fail;
    for (char *kv = strtok_r(extra, ";", &save); kv; kv = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(kv, '=');
        if (!eq) {
            snprintf(errstr, errstr_size, "OF_KAFKA_EXTRA: an item is not k=v (items are separated by ';')");
            free(extra);
            goto fail;
        }
        *eq = '\0';
        if (conf_set(conf, kv, eq + 1, errstr, errstr_size)) {
            char key[128];
            snprintf(key, sizeof key, "%s", kv);
            snprintf(errstr, errstr_size, "OF_KAFKA_EXTRA: property %s refused by librdkafka", key);
            free(extra);
            goto fail;
        }
    }
    free(extra);
    const char *user = of_cfg_str(cfg, OF_CFG_KAFKA_SASL_USERNAME), *pw = of_cfg_str(cfg, OF_CFG_KAFKA_SASL_PASSWORD);
    if (*user && (conf_set(conf, "sasl.username", user, errstr, errstr_size) ||
                  conf_set(conf, "sasl.password", pw, errstr, errstr_size)))
        goto fail;
    return conf;
fail:
    rd_kafka_conf_destroy(conf);
    return NULL;
}

rd_kafka_conf_t *of_kafka_conf_new(const of_config_t *cfg, of_kafka_role_t role, const char *client_id, char *errstr,
                                   size_t errstr_size) {
    return conf_build(cfg, role, client_id, NULL, errstr, errstr_size);
}

/* ------------------------------------------------------------------ producer */

struct of_producer_s {
    rd_kafka_t *rk;
    char topics[OF_TOPIC__COUNT][256];
    rd_kafka_topic_t *rkt[OF_TOPIC__COUNT]; /* held so that their metadata is fetched at start */
};

static void dr_msg_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk;
    (void)opaque;
    of_dr_batch_t *b = m->_private;
    if (m->err) {
        of_warn("delivery failed", OF_S("topic", rd_kafka_topic_name(m->rkt)), OF_S("error", rd_kafka_err2str(m->err)),
                OF_END);
    } else {
        of_metric_add(OF_M_EMITTED, 1);
        reachable();
    }
    if (!b) return;
    b->pending--;
    if (m->err) {
        if (m->err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) b->too_large = 1;
        if (!b->failed++) snprintf(b->error, sizeof b->error, "%s", rd_kafka_err2str(m->err));
    } else {
        b->delivered++;
    }
}

of_producer_t *of_producer_new(const of_config_t *cfg, const char *client_id, char *errstr, size_t errstr_size) {
    rd_kafka_conf_t *conf = of_kafka_conf_new(cfg, OF_KAFKA_PRODUCER, client_id, errstr, errstr_size);
    if (!conf) return NULL;
    rd_kafka_conf_set_dr_msg_cb(conf, dr_msg_cb);
    of_producer_t *p = calloc(1, sizeof *p);
    if (!p) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, errstr_size);
    if (!p->rk) {
        rd_kafka_conf_destroy(conf);
        free(p);
        return NULL;
    }
    /* A topic's first message otherwise waits for its metadata (about 1 s with librdkafka 2.0): ask for every
     * topic of the table now, while the consumer joins its group. */
    for (int i = 0; i < OF_TOPIC__COUNT; i++) {
        of_topic_name((of_topic_t)i, of_cfg_str(cfg, OF_CFG_TOPIC_PREFIX), p->topics[i], sizeof p->topics[i]);
        p->rkt[i] = rd_kafka_topic_new(p->rk, p->topics[i], NULL);
    }
    return p;
}

const char *of_producer_topic(of_producer_t *p, int topic) {
    return p->topics[topic];
}

of_err_t of_producer_send(of_producer_t *p, const char *topic, const void *key, size_t keylen, const void *val,
                          size_t vallen, const char *const *headers, of_dr_batch_t *batch) {
    rd_kafka_headers_t *hdrs = NULL;
    if (headers) {
        int n = 0;
        while (headers[n])
            n += 2;
        hdrs = rd_kafka_headers_new((size_t)n / 2);
        for (int i = 0; i < n; i += 2)
            rd_kafka_header_add(hdrs, headers[i], -1, headers[i + 1], -1);
    }
    int64_t deadline = of_mono_ms() + 30000;
    for (;;) {
        rd_kafka_resp_err_t err =
            rd_kafka_producev(p->rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, keylen),
                              RD_KAFKA_V_VALUE((void *)val, vallen), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                              RD_KAFKA_V_OPAQUE(batch), RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_END);
        if (!err) {
            if (batch) batch->pending++;
            return OF_OK;
        }
        if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL && of_mono_ms() < deadline) {
            rd_kafka_poll(p->rk, 100);
            continue;
        }
        if (hdrs) rd_kafka_headers_destroy(hdrs);
        of_warn("produce failed", OF_S("topic", topic), OF_S("error", rd_kafka_err2str(err)), OF_END);
        if (batch && !batch->failed++) snprintf(batch->error, sizeof batch->error, "%s", rd_kafka_err2str(err));
        if (batch && err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) batch->too_large = 1;
        return OF_ERR_TRANSIENT;
    }
}

/* After a stop request, how long delivery reports are waited for before what is still queued or in flight is
 * purged (its reports then come at once, as failures): a stop stays bounded while the brokers are away, and the
 * unsent outbox rows or unstored offsets are taken up by the next start. */
#define STOP_GRACE_MS 2000

of_err_t of_producer_wait(of_producer_t *p, of_dr_batch_t *batch) {
    int64_t start = of_mono_ms(), warned = 0, stop_seen = 0;
    int purged = 0;
    while (batch->pending > 0) {
        rd_kafka_poll(p->rk, 50);
        if (of_stop_requested && !purged) {
            if (!stop_seen) stop_seen = of_mono_ms();
            if (of_mono_ms() - stop_seen >= STOP_GRACE_MS) {
                of_warn("stopping: purging undelivered messages", OF_I("pending", batch->pending), OF_END);
                rd_kafka_purge(p->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
                purged = 1;
            }
        }
        if (!warned && of_mono_ms() - start > 5000) {
            warned = 1;
            of_warn("waiting for delivery reports", OF_I("pending", batch->pending), OF_END);
        }
    }
    return batch->failed ? OF_ERR_TRANSIENT : OF_OK;
}

void of_producer_poll(of_producer_t *p) {
    rd_kafka_poll(p->rk, 0);
}

void of_producer_destroy(of_producer_t *p) {
    if (!p) return;
    rd_kafka_resp_err_t err = rd_kafka_flush(p->rk, of_stop_requested ? STOP_GRACE_MS : 10000);
    if (err) {
        of_warn("producer flush incomplete, purging", OF_I("in_queue", rd_kafka_outq_len(p->rk)), OF_END);
        rd_kafka_purge(p->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        rd_kafka_flush(p->rk, 1000);
    }
    for (int i = 0; i < OF_TOPIC__COUNT; i++)
        if (p->rkt[i]) rd_kafka_topic_destroy(p->rkt[i]);
    rd_kafka_destroy(p->rk);
    free(p);
}

/* ------------------------------------------------------------------ consumer */

struct of_consumer_s {
    rd_kafka_t *rk;
    int revokes;
    rd_kafka_topic_partition_list_t *revoked; /* the partitions of the latest revoke */
};

rd_kafka_conf_t *of_kafka_consumer_conf_new(const of_config_t *cfg, const char *group, const char *client_id,
                                            char *errstr, size_t errstr_size) {
    return conf_build(cfg, OF_KAFKA_CONSUMER, client_id, group, errstr, errstr_size);
}

void of_kafka_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *parts) {
    int coop = !strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE");
    rd_kafka_error_t *e = NULL;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        of_info("partitions assigned", OF_I("count", parts->cnt), OF_S("protocol", coop ? "cooperative" : "eager"),
                OF_END);
        if (coop)
            e = rd_kafka_incremental_assign(rk, parts);
        else
            rd_kafka_assign(rk, parts);
    } else {
        /* Everything processed so far has its offset stored: commit it before giving the partitions up. */
        of_info("partitions revoked", OF_I("count", parts->cnt),
                OF_S("lost", rd_kafka_assignment_lost(rk) ? "yes" : "no"), OF_END);
        if (!rd_kafka_assignment_lost(rk)) {
            rd_kafka_resp_err_t cerr = rd_kafka_commit(rk, NULL, 0);
            if (cerr && cerr != RD_KAFKA_RESP_ERR__NO_OFFSET)
                of_warn("commit on revoke failed", OF_S("error", rd_kafka_err2str(cerr)), OF_END);
        }
        if (coop)
            e = rd_kafka_incremental_unassign(rk, parts);
        else
            rd_kafka_assign(rk, NULL);
    }
    if (e) {
        of_error("incremental (un)assign failed", OF_S("error", rd_kafka_error_string(e)), OF_END);
        rd_kafka_error_destroy(e);
    }
}

static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *parts,
                         void *opaque) {
    of_consumer_t *c = opaque;
    if (err != RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        c->revokes++;
        if (c->revoked) rd_kafka_topic_partition_list_destroy(c->revoked);
        c->revoked = rd_kafka_topic_partition_list_copy(parts);
    }
    of_kafka_rebalance(rk, err, parts);
}

of_consumer_t *of_consumer_new(const of_config_t *cfg, const char *group, const char *client_id,
                               const char *const *topics, int ntopics, char *errstr, size_t errstr_size) {
    rd_kafka_conf_t *conf = of_kafka_consumer_conf_new(cfg, group, client_id, errstr, errstr_size);
    if (!conf) return NULL;
    of_consumer_t *c = calloc(1, sizeof *c);
    if (!c) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_conf_set_opaque(conf, c);
    rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
    c->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, errstr_size);
    if (!c->rk) {
        rd_kafka_conf_destroy(conf);
        free(c);
        return NULL;
    }
    rd_kafka_poll_set_consumer(c->rk);
    rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(ntopics);
    for (int i = 0; i < ntopics; i++)
        rd_kafka_topic_partition_list_add(sub, topics[i], RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t err = rd_kafka_subscribe(c->rk, sub);
    rd_kafka_topic_partition_list_destroy(sub);
    if (err) {
        snprintf(errstr, errstr_size, "subscribe: %s", rd_kafka_err2str(err));
        rd_kafka_destroy(c->rk);
        free(c);
        return NULL;
    }
    return c;
}

int of_consumer_poll_batch(of_consumer_t *c, rd_kafka_message_t **msgs, int max, int first_wait_ms, int batch_wait_ms) {
    int n = 0;
    int64_t deadline = of_mono_ms() + first_wait_ms;
    while (n < max) {
        int64_t left = deadline - of_mono_ms();
        if (left < 0) left = 0;
        int revokes = c->revokes;
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c->rk, (int)left);
        if (c->revokes != revokes && n && c->revoked) {
            /* Partitions were taken away while collecting: what was collected from them is dropped and will be
             * redelivered from the committed offset (to us or to the new owner). Messages of partitions we keep
             * (a cooperative revoke takes only some) stay: dropping them would skip them, the fetch position
             * being past them already. A message returned by this same poll was fetched under the new
             * assignment (librdkafka discards outdated fetches), so it is kept too. */
            int k = 0;
            for (int i = 0; i < n; i++) {
                if (rd_kafka_topic_partition_list_find(c->revoked, rd_kafka_topic_name(msgs[i]->rkt),
                                                       msgs[i]->partition))
                    rd_kafka_message_destroy(msgs[i]);
                else
                    msgs[k++] = msgs[i];
            }
            n = k;
        }
        if (!m) {
            if (!left) break;
            continue;
        }
        if (m->err) {
            if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                of_warn("consumer error", OF_S("error", rd_kafka_message_errstr(m)),
                        OF_S("topic", m->rkt ? rd_kafka_topic_name(m->rkt) : ""), OF_END);
            rd_kafka_message_destroy(m);
            continue;
        }
        if (n == 0) deadline = of_mono_ms() + batch_wait_ms;
        reachable();
        msgs[n++] = m;
        of_metric_add(OF_M_CONSUMED, 1);
    }
    return n;
}

void of_consumer_store(of_consumer_t *c, const rd_kafka_message_t *m) {
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, rd_kafka_topic_name(m->rkt), m->partition)->offset = m->offset + 1;
    rd_kafka_resp_err_t err = rd_kafka_offsets_store(c->rk, l);
    if (err && err != RD_KAFKA_RESP_ERR__STATE)
        of_warn("offset store failed", OF_S("error", rd_kafka_err2str(err)), OF_END);
    rd_kafka_topic_partition_list_destroy(l);
}

void of_consumer_commit(of_consumer_t *c) {
    rd_kafka_resp_err_t err = rd_kafka_commit(c->rk, NULL, 0);
    if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET)
        of_warn("commit failed", OF_S("error", rd_kafka_err2str(err)), OF_END);
}

void of_consumer_close(of_consumer_t *c) {
    if (!c) return;
    of_consumer_commit(c);
    rd_kafka_resp_err_t err = rd_kafka_consumer_close(c->rk);
    if (err) of_warn("consumer close", OF_S("error", rd_kafka_err2str(err)), OF_END);
    rd_kafka_destroy(c->rk);
    if (c->revoked) rd_kafka_topic_partition_list_destroy(c->revoked);
    free(c);
}

void of_consumer_watch(of_consumer_t *c, int64_t alert_ms) {
    of_kafka_watch(c->rk, alert_ms);
}
