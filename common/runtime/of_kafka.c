/* of_kafka.c -- Kafka producer and consumer on librdkafka, following its at-least-once guidance. */
#include <ctype.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "of_time.h"
#include "of_bounded.h"
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
    /* A handle with auto.offset.reset earliest or latest (librdkafka's default: every handle but the group
     * consumers, which run with error and hold a gap, D-KAF-4) moves a position that is out of range and only logs
     * it: a skip that must not pass quietly. A partition with no committed offset yet is reset at debug level and
     * never reaches here. */
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

/* The first fatal error librdkafka raised on any handle (its underlying code), 0 = none. */
static _Atomic int fatal_err;

/* A fatal error on rk: the handle is unusable from now on (a consumer fenced by another process with its
 * group.instance.id, an idempotent producer that lost its sequence). Recorded once (the worker loop stops on
 * of_kafka_fatal and exits non-zero) and logged once as an error. librdkafka reports it to a producer through the
 * error callback and to a consumer as an error message of its poll (of_kafka_consumer_error). */
static void fatal_seen(rd_kafka_t *rk, int err, const char *reason) {
    char why[512] = "", id[256] = "";
    size_t idn = sizeof id;
    rd_kafka_resp_err_t orig = rd_kafka_fatal_error(rk, why, sizeof why);
    int zero = 0;
    if (!atomic_compare_exchange_strong(&fatal_err, &zero, orig ? (int)orig : err)) return; /* logged already */
    if (orig == RD_KAFKA_RESP_ERR_FENCED_INSTANCE_ID) {
        if (rd_kafka_conf_get(rd_kafka_conf(rk), "group.instance.id", id, &idn) != RD_KAFKA_CONF_OK) id[0] = '\0';
        of_error("kafka fenced this instance: another process joined the consumer group with the same "
                 "group.instance.id; stopping",
                 OF_S("instance", id), OF_S("detail", why),
                 OF_S("hint", "give every running instance its own OF_INSTANCE_ID (or OF_KAFKA_STATIC_MEMBER=off)"),
                 OF_I("exit_code", OF_KAFKA_EXIT_FENCED), OF_END);
    } else {
        of_error("kafka fatal error; stopping", OF_S("error", rd_kafka_err2name(orig ? orig : err)),
                 OF_S("detail", why[0] ? why : reason), OF_I("exit_code", OF_KAFKA_EXIT_FATAL), OF_END);
    }
}

/* ---- offset gaps: never silently behind (D-KAF-4) ---- */

#define GAP_CHECK_MS 60000 /* a held gap's error is repeated, and a partition started again, at most once a minute */
#define GAP_RETRY_MS 10000 /* a partition whose committed offset could not be read is asked about again after 10 s */
#define QUERY_MS 3000      /* the bound of each committed-offset or watermark query (a stop waits for it) */
#define GAP_MAX 256        /* partitions tracked (held, or refused lately) per process */

of_kafka_gap_t of_kafka_gap_classify(int known, int64_t committed, int64_t lo, int64_t hi) {
    if (!known) return OF_KAFKA_GAP_UNKNOWN;
    if (committed == RD_KAFKA_OFFSET_INVALID) return OF_KAFKA_GAP_BEGINNING;
    if (committed < 0) return OF_KAFKA_GAP_UNKNOWN; /* no other logical offset is ever committed: ask again */
    if (committed < lo) return OF_KAFKA_GAP_BELOW_START;
    if (committed > hi) return OF_KAFKA_GAP_PAST_END;
    return OF_KAFKA_GAP_COMMITTED;
}

int64_t of_kafka_start_offset(int64_t committed, int64_t assigned) {
    return committed == RD_KAFKA_OFFSET_INVALID && assigned == RD_KAFKA_OFFSET_INVALID ? RD_KAFKA_OFFSET_BEGINNING
                                                                                       : assigned;
}

int of_kafka_rate_ok(int64_t *next, int64_t now, int64_t every_ms) {
    if (now < *next) return 0;
    *next = now + every_ms;
    return 1;
}

int of_kafka_retriable(rd_kafka_resp_err_t e) {
    return e == RD_KAFKA_RESP_ERR_NOT_COORDINATOR || e == RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE ||
           e == RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS || e == RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION ||
           e == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE || e == RD_KAFKA_RESP_ERR_OFFSET_NOT_AVAILABLE ||
           e == RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT;
}

rd_kafka_resp_err_t of_kafka_committed(rd_kafka_t *rk, rd_kafka_topic_partition_list_t *parts, int timeout_ms) {
    int64_t until = of_mono_ms() + timeout_ms;
    for (;;) {
        int64_t left = until - of_mono_ms();
        rd_kafka_resp_err_t e = rd_kafka_committed(rk, parts, left > 0 ? (int)left : 1);
        for (int i = 0; !e && i < parts->cnt; i++)
            e = parts->elems[i].err;
        if (!e || !of_kafka_retriable(e) || of_mono_ms() + 200 >= until) return e;
        struct timespec ts = {0, 200 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

/* A partition librdkafka refused to start (RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET), per consumer handle. Kept after
 * a revoke for its rate limits (a partition moving between members is reported at every assignment), forgotten
 * when the handle closes. The consumers' poll thread is the only user. */
typedef struct {
    const rd_kafka_t *rk;
    char topic[256];
    int32_t partition;
    int assigned;                       /* 0 once revoked: nothing to do until the next report */
    of_kafka_gap_t state;               /* the last decision; a gap (BELOW_START, PAST_END) stays held */
    int counted;                        /* the latest report is counted in OF_M_OFFSET_RESETS */
    int64_t refused;                    /* the offset librdkafka refused (logical when it had none) */
    int64_t since_ms;                   /* held since */
    int64_t next_check_ms;              /* when to look again; 0 = not before the next report */
    int64_t next_log_ms, next_start_ms; /* rate limits: the error (or warning) line, a start again */
    int unverified; /* assigned while the group's committed offsets could not be read: librdkafka fetches them
                     * itself, which can leave the partition unstarted (D-KAF-5); looked at after GAP_RETRY_MS */
} gap_t;

static gap_t gaps[GAP_MAX];
static int ngaps;
static char topic_prefix[128]; /* OF_TOPIC_PREFIX of the group consumers: the operator's command names the topic
                                  without it */

static gap_t *gap_find(const rd_kafka_t *rk, const char *topic, int32_t partition) {
    for (int i = 0; i < ngaps; i++)
        if (gaps[i].rk == rk && gaps[i].partition == partition && !strcmp(gaps[i].topic, topic)) return &gaps[i];
    gap_t *g = ngaps < GAP_MAX ? &gaps[ngaps++] : NULL;
    int64_t now = of_mono_ms();
    for (int i = 0; !g && i < ngaps; i++) /* full: take a revoked partition's entry whose limits have run out */
        if (!gaps[i].assigned && now >= gaps[i].next_log_ms && now >= gaps[i].next_start_ms) g = &gaps[i];
    if (!g) return NULL;
    memset(g, 0, sizeof *g);
    g->rk = rk;
    snprintf(g->topic, sizeof g->topic, "%s", topic);
    g->partition = partition;
    return g;
}

static void gaps_revoked(const rd_kafka_t *rk, const rd_kafka_topic_partition_list_t *parts) {
    for (int i = 0; i < ngaps; i++)
        if (gaps[i].rk == rk && rd_kafka_topic_partition_list_find(parts, gaps[i].topic, gaps[i].partition)) {
            gaps[i].assigned = 0;
            gaps[i].next_check_ms = 0;
        }
}

static void gaps_forget(const rd_kafka_t *rk) {
    for (int i = 0; i < ngaps; i++)
        if (gaps[i].rk == rk) gaps[i--] = gaps[--ngaps];
}

static int is_gap(of_kafka_gap_t d) {
    return d == OF_KAFKA_GAP_BELOW_START || d == OF_KAFKA_GAP_PAST_END;
}

static void start_new_at_beginning(rd_kafka_t *rk, rd_kafka_topic_partition_list_t *parts, char *fresh, size_t size);

/* Start a refused partition again at offset. librdkafka leaves it without a fetcher, and a seek needs one (2.0.2
 * answers __STATE), so the partition is taken out of the assignment and put back with its start offset, as
 * librdkafka allows outside a rebalance callback: incrementally under the cooperative protocol; under the eager
 * one the whole assignment is given again, the others from their committed offsets (their stored offsets are
 * committed first), or from the log start when the group has none (else each would be refused in turn). -1 with
 * why when it was not done. */
static int start_again(rd_kafka_t *rk, const char *topic, int32_t partition, int64_t offset, char *why, size_t n) {
    rd_kafka_topic_partition_list_t *all = NULL;
    rd_kafka_resp_err_t err = rd_kafka_assignment(rk, &all);
    if (err) {
        snprintf(why, n, "%s", rd_kafka_err2str(err));
        return -1;
    }
    int rc = 0;
    if (!rd_kafka_topic_partition_list_find(all, topic, partition)) {
        snprintf(why, n, "no longer assigned");
        rc = -1;
    } else if (!strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE")) {
        rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(l, topic, partition)->offset = offset;
        rd_kafka_error_t *e = rd_kafka_incremental_unassign(rk, l);
        if (!e) e = rd_kafka_incremental_assign(rk, l);
        if (e) {
            snprintf(why, n, "%s", rd_kafka_error_string(e));
            rd_kafka_error_destroy(e);
            rc = -1;
        }
        rd_kafka_topic_partition_list_destroy(l);
    } else {
        char fresh[1024];
        for (int i = 0; i < all->cnt; i++)
            all->elems[i].offset = all->elems[i].partition == partition && !strcmp(all->elems[i].topic, topic)
                                       ? offset
                                       : RD_KAFKA_OFFSET_INVALID;
        err = rd_kafka_commit(rk, NULL, 0);
        if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET)
            of_warn("commit before giving the assignment again failed", OF_S("error", rd_kafka_err2str(err)), OF_END);
        start_new_at_beginning(rk, all, fresh, sizeof fresh);
        if ((err = rd_kafka_assign(rk, all))) {
            snprintf(why, n, "%s", rd_kafka_err2str(err));
            rc = -1;
        }
    }
    rd_kafka_topic_partition_list_destroy(all);
    return rc;
}

/* Look at a refused partition: read the group's committed offset and the log's bounds, decide
 * (of_kafka_gap_classify) and act. A gap once found stays held, even when the log's bounds take the committed
 * offset in again later (a recreated topic grown past it): only an operator's replay moves the group on. */
static void gap_check(rd_kafka_t *rk, gap_t *g) {
    int64_t now = of_mono_ms(), committed = RD_KAFKA_OFFSET_INVALID, lo = -1, hi = -1;
    char group[256] = "", why[256] = "", hint[1024];
    size_t gn = sizeof group;
    if (rd_kafka_conf_get(rd_kafka_conf(rk), "group.id", group, &gn) != RD_KAFKA_CONF_OK) group[0] = '\0';
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, g->topic, g->partition);
    rd_kafka_resp_err_t err = of_kafka_committed(rk, l, QUERY_MS);
    committed = l->elems[0].offset;
    rd_kafka_topic_partition_list_destroy(l);
    if (!err) err = rd_kafka_query_watermark_offsets(rk, g->topic, g->partition, &lo, &hi, QUERY_MS);
    of_kafka_gap_t d = of_kafka_gap_classify(!err, committed, lo, hi);
    if (d == OF_KAFKA_GAP_UNKNOWN) {
        g->next_check_ms = now + GAP_RETRY_MS;
        if (of_kafka_rate_ok(&g->next_log_ms, now, GAP_CHECK_MS))
            of_warn("kafka refused a partition's start offset and its committed offset could not be read: the "
                    "partition waits, asking again",
                    OF_S("topic", g->topic), OF_I("partition", g->partition), OF_S("group", group),
                    OF_I("refused_offset", g->refused), OF_S("error", rd_kafka_err2str(err)),
                    OF_I("retry_s", GAP_RETRY_MS / 1000), OF_END);
        return;
    }
    if (!is_gap(d) && !is_gap(g->state)) {
        /* No committed offset (a new group, the query at assignment having failed), or one inside the log while
         * another position was refused: starting there skips nothing. */
        if (!of_kafka_rate_ok(&g->next_start_ms, now, GAP_CHECK_MS)) {
            g->next_check_ms = g->next_start_ms;
            return;
        }
        int64_t at = d == OF_KAFKA_GAP_BEGINNING ? RD_KAFKA_OFFSET_BEGINNING : committed;
        g->next_check_ms = 0;
        if (start_again(rk, g->topic, g->partition, at, why, sizeof why)) {
            of_error("kafka refused a partition's start offset and starting it again failed: it waits for the next "
                     "assignment",
                     OF_S("topic", g->topic), OF_I("partition", g->partition), OF_S("group", group), OF_S("error", why),
                     OF_END);
            return;
        }
        g->state = d;
        if (d == OF_KAFKA_GAP_BEGINNING)
            of_info("no committed offset: partition started at the log start", OF_S("topic", g->topic),
                    OF_I("partition", g->partition), OF_S("group", group), OF_I("log_start", lo), OF_END);
        else
            of_warn("kafka refused a partition's position inside the log: started again at the group's committed "
                    "offset (nothing skipped)",
                    OF_S("topic", g->topic), OF_I("partition", g->partition), OF_S("group", group),
                    OF_I("refused_offset", g->refused), OF_I("committed", committed), OF_I("log_start", lo),
                    OF_I("log_end", hi), OF_END);
        return;
    }
    /* A gap: held. Nothing is fetched or committed for the partition, so the group's committed offset stays
     * outside the log and `ordctl wait-idle` / `ordctl summary` keep exiting 3, until an operator moves it. */
    if (!is_gap(g->state)) { /* found now: said at once, whatever a warning before it (UNKNOWN) did to the limit */
        g->state = is_gap(d) ? d : OF_KAFKA_GAP_BELOW_START;
        g->since_ms = now;
        g->next_log_ms = now;
    }
    if (!g->counted) {
        of_metric_add(OF_M_OFFSET_RESETS, 1);
        g->counted = 1;
    }
    g->next_check_ms = now + GAP_CHECK_MS;
    size_t np = strlen(topic_prefix);
    snprintf(hint, sizeof hint,
             "stop every worker of the group, run 'ordctl replay --topic %s --group %s --from-beginning --yes' (the "
             "group goes on from the log start; what was deleted is lost, republish it from its source), start "
             "the workers (docs/operations.md)",
             np && !strncmp(g->topic, topic_prefix, np) ? g->topic + np : g->topic, group);
    if (of_kafka_rate_ok(&g->next_log_ms, now, GAP_CHECK_MS))
        of_error("kafka offset gap: the group's committed offset is outside the log; the partition is held",
                 OF_S("topic", g->topic), OF_I("partition", g->partition), OF_S("group", group),
                 OF_I("committed", committed), OF_I("log_start", lo), OF_I("log_end", hi),
                 OF_S("why", d == OF_KAFKA_GAP_PAST_END
                                 ? "committed past the log end: the topic was deleted and created again?"
                             : d == OF_KAFKA_GAP_BELOW_START
                                 ? "messages the group had not processed were deleted (retention or delete-records)"
                                 : "a gap was found earlier; the log has changed since"),
                 OF_I("held_s", (now - g->since_ms) / 1000), OF_S("hint", hint), OF_END);
    else
        of_debug("kafka offset gap: partition still held", OF_S("topic", g->topic), OF_I("partition", g->partition),
                 OF_I("committed", committed), OF_I("log_start", lo), OF_END);
}

/* librdkafka refused to start m's partition (auto.offset.reset=error): track it and decide at once. */
static void gap_report(rd_kafka_t *rk, const rd_kafka_message_t *m) {
    const char *topic = m->rkt ? rd_kafka_topic_name(m->rkt) : "";
    gap_t *g = gap_find(rk, topic, m->partition);
    if (!g) { /* more refused partitions than tracked: said every time, never started again by us */
        of_metric_add(OF_M_OFFSET_RESETS, 1);
        of_error("kafka refused a partition's start offset (not tracked: too many partitions refused); the "
                 "partition is held",
                 OF_S("topic", topic), OF_I("partition", m->partition), OF_I("refused_offset", m->offset),
                 OF_S("detail", rd_kafka_message_errstr(m)), OF_END);
        return;
    }
    g->assigned = 1;
    g->refused = m->offset;
    g->counted = 0;
    if (!is_gap(g->state)) g->state = OF_KAFKA_GAP_UNKNOWN;
    of_debug("kafka refused a partition's start offset", OF_S("topic", topic), OF_I("partition", m->partition),
             OF_I("refused_offset", m->offset), OF_S("detail", rd_kafka_message_errstr(m)), OF_END);
    if (of_stop_requested) return;   /* a stop is not held up by Kafka's answers: the next start sees it again */
    g->next_check_ms = of_mono_ms(); /* no broker reachable: of_kafka_watch looks once one is */
    if (!atomic_load_explicit(&down_since, memory_order_relaxed)) gap_check(rk, g);
}

/* One tracked partition of rk due for another look (one per call: each look may wait for Kafka up to twice
 * QUERY_MS, and the worker's loop goes on between them); none while no broker is reachable or stopping. */
/* Has the partition a position (something consumed since it was assigned)? */
static int has_position(rd_kafka_t *rk, const gap_t *g) {
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, g->topic, g->partition);
    int started = !rd_kafka_position(rk, l) && l->elems[0].offset >= 0;
    rd_kafka_topic_partition_list_destroy(l);
    return started;
}

static void gaps_due(rd_kafka_t *rk) {
    int64_t now = of_mono_ms();
    if (of_stop_requested || atomic_load_explicit(&down_since, memory_order_relaxed)) return;
    for (int i = 0; i < ngaps; i++)
        if (gaps[i].rk == rk && gaps[i].assigned && gaps[i].next_check_ms && now >= gaps[i].next_check_ms) {
            gap_t *g = &gaps[i];
            if (g->unverified) { /* D-KAF-5: running (or simply idle with nothing to read) → nothing to do */
                g->unverified = 0;
                if (has_position(rk, g)) {
                    g->next_check_ms = 0;
                    return;
                }
                of_warn("a partition assigned while the group's committed offsets could not be read has consumed "
                        "nothing since: reading them again and starting it there",
                        OF_S("topic", g->topic), OF_I("partition", g->partition), OF_END);
            }
            gap_check(rk, g);
            return;
        }
}

int of_kafka_consumer_error(rd_kafka_t *rk, const rd_kafka_message_t *m) {
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) return 0;
    if (m->err == RD_KAFKA_RESP_ERR__FATAL) {
        fatal_seen(rk, m->err, rd_kafka_message_errstr(m));
        return 1;
    }
    if (m->err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET) {
        gap_report(rk, m);
        return 0;
    }
    of_warn("consumer error", OF_S("error", rd_kafka_message_errstr(m)),
            OF_S("topic", m->rkt ? rd_kafka_topic_name(m->rkt) : ""), OF_END);
    return 0;
}

static void error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque) {
    (void)opaque;
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
        fatal_seen(rk, err, reason);
        return;
    }
    if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
        int64_t zero = 0;
        atomic_compare_exchange_strong(&down_since, &zero, of_mono_ms());
    }
    of_warn("kafka error", OF_S("error", rd_kafka_err2name((rd_kafka_resp_err_t)err)), OF_S("detail", reason), OF_END);
}

int of_kafka_fatal(void) {
    return atomic_load(&fatal_err);
}

int of_kafka_fatal_exit_code(void) {
    int e = of_kafka_fatal();
    return !e ? 0 : e == RD_KAFKA_RESP_ERR_FENCED_INSTANCE_ID ? OF_KAFKA_EXIT_FENCED : OF_KAFKA_EXIT_FATAL;
}

/* ---- static membership ---- */

int of_kafka_instance_id_ok(const char *id) {
    size_t n = strlen(id);
    if (!n || n > 249 || !strcmp(id, ".") || !strcmp(id, "..")) return 0;
    for (const char *p = id; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' && *p != '-') return 0;
    return 1;
}

of_err_t of_kafka_static_id(const of_config_t *cfg, const char **idp, char *why, size_t why_size) {
    const char *mode = of_cfg_str(cfg, OF_CFG_KAFKA_STATIC_MEMBER), *id = of_cfg_str(cfg, OF_CFG_INSTANCE_ID);
    *idp = NULL;
    if (!strcmp(mode, "off")) {
        snprintf(why, why_size, "OF_KAFKA_STATIC_MEMBER=off");
        return OF_OK;
    }
    if (!of_cfg_explicit(cfg, OF_CFG_INSTANCE_ID)) {
        if (!strcmp(mode, "on"))
            return of_seterr(why, why_size, OF_ERR_CONFIG,
                             "OF_KAFKA_STATIC_MEMBER=on: OF_INSTANCE_ID must be set, one stable id per instance "
                             "(e.g. trade-submit-1)");
        snprintf(why, why_size, "OF_INSTANCE_ID not set (host:pid changes at every start)");
        return OF_OK;
    }
    if (!of_kafka_instance_id_ok(id)) {
        if (!strcmp(mode, "on"))
            return of_seterr(
                why, why_size, OF_ERR_CONFIG,
                "OF_INSTANCE_ID=%.64s: not usable as a Kafka group.instance.id (OF_KAFKA_STATIC_MEMBER=on): "
                "1..249 characters of A-Z a-z 0-9 . _ -",
                id);
        snprintf(why, why_size, "OF_INSTANCE_ID is not a valid group.instance.id (1..249 of A-Z a-z 0-9 . _ -)");
        return OF_OK;
    }
    *idp = id;
    snprintf(why, why_size, "OF_INSTANCE_ID set (OF_KAFKA_STATIC_MEMBER=%s)", mode);
    return OF_OK;
}

int64_t of_kafka_unreachable_ms(void) {
    int64_t d = atomic_load_explicit(&down_since, memory_order_relaxed);
    return d ? of_mono_ms() - d : 0;
}

int of_kafka_probe(rd_kafka_t *rk, int timeout_ms) {
    const struct rd_kafka_metadata *md;
    if (rd_kafka_metadata(rk, 0, NULL, &md, timeout_ms)) return 0;
    rd_kafka_metadata_destroy(md);
    int64_t d = atomic_load_explicit(&down_since, memory_order_relaxed);
    reachable();
    if (d) of_info("kafka reachable again", OF_I("after_ms", of_mono_ms() - d), OF_END);
    return 1;
}

void of_kafka_watch(rd_kafka_t *rk, int64_t alert_ms) {
    gaps_due(rk);
    int64_t d = atomic_load_explicit(&down_since, memory_order_relaxed), now = of_mono_ms();
    if (!d || now - d < alert_ms || now < next_alert) return;
    /* Idle consumers see no message that would mark the cluster reachable again: ask for metadata first. */
    if (of_kafka_probe(rk, 1000)) return;
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
     * batches of OF_BATCH_SIZE (200 raw trades are ~130 kB), so 1 MB of prefetch keeps it busy: a batch waited
     * under 1 ms for messages in a 20,000-trade drain (issue 10, D-T10-57: peak RSS 61 MB at 64 MB, ~34 MB at
     * 4 MB, ~29 MB at 1 MB). OF_KAFKA_EXTRA may raise it. */
    if (role == OF_KAFKA_CONSUMER && conf_set(conf, "queued.max.messages.kbytes", "1024", errstr, errstr_size))
        goto fail;
    /* and each fetch response is a buffer of its own, up to 1 MB per partition and 50 MB per request by default,
     * read before the queue's bound applies: 1 MB per request (librdkafka's floor, message.max.bytes), 16 kB per
     * partition. The small per-partition share also mixes a batch: messages come in runs of one partition per
     * fetch response, and a run of 256 kB (~390 raw trades) made a batch of one partition, where a buyer's trades
     * (the partition key) repeat and the submission needs more rounds; with 16 kB a batch spans many partitions
     * (20,000-trade drain: 6% fewer statements). A larger record batch still comes whole (KIP-74). */
    if (role == OF_KAFKA_CONSUMER && (conf_set(conf, "max.partition.fetch.bytes", "16384", errstr, errstr_size) ||
                                      conf_set(conf, "fetch.max.bytes", "1048576", errstr, errstr_size)))
        goto fail;
    if (!strcmp(of_cfg_str(cfg, OF_CFG_KAFKA_PROFILE), "local")) {
        /* The local stack runs Apache Kafka on one machine, where a few milliseconds matter more than fewer
         * requests: a produce batch waits at most 5 ms (docs/architecture.md). D-KAF-12: a fetch waits at most
         * 100 ms. Apache Kafka answers a waiting fetch as soon as a message arrives, so 10 ms (until 2026-12-02,
         * from the mock cluster, which answers only when the wait ends) only made every idle consumer ask 100 times
         * a second, CPU the broker took from MariaDB on two cores. Not librdkafka's 500 ms: a broker answers one
         * request of a connection at a time, so the consumer's other requests on it (the watermarks /metrics asks
         * for, a resumed or newly assigned partition's first fetch) wait behind a waiting fetch. */
        if (role == OF_KAFKA_CONSUMER ? conf_set(conf, "fetch.wait.max.ms", "100", errstr, errstr_size)
                                      : conf_set(conf, "linger.ms", "5", errstr, errstr_size))
            goto fail;
    }
    /* Producers: every message on all in-sync replicas, no duplicate from a retry, a report within 30 s. */
    if (role == OF_KAFKA_PRODUCER && (conf_set(conf, "enable.idempotence", "true", errstr, errstr_size) ||
                                      conf_set(conf, "acks", "all", errstr, errstr_size) ||
                                      conf_set(conf, "message.timeout.ms", "30000", errstr, errstr_size)))
        goto fail;
    /* Offsets: stored by the worker once a message's effect is durable, committed every second and on revoke.
     * A committed offset outside the log is never moved by librdkafka (auto.offset.reset=error): the partition is
     * held and the gap reported (D-KAF-4); a group's first start reads from the log start (of_kafka_rebalance).
     * Assignment: cooperative-sticky, so a member joining or leaving moves only the partitions that change owner
     * while the others keep consuming (incremental rebalance). */
    if (group && (conf_set(conf, "group.id", group, errstr, errstr_size) ||
                  conf_set(conf, "enable.auto.offset.store", "false", errstr, errstr_size) ||
                  conf_set(conf, "enable.auto.commit", "true", errstr, errstr_size) ||
                  conf_set(conf, "auto.commit.interval.ms", "1000", errstr, errstr_size) ||
                  conf_set(conf, "auto.offset.reset", "error", errstr, errstr_size) ||
                  conf_set(conf, "partition.assignment.strategy", "cooperative-sticky", errstr, errstr_size)))
        goto fail;
    /* Session timeout: the local profile takes a killed instance's partitions away after 10 s (its brokers fence a
     * lost node after 4 s, see scripts/stack.sh); production keeps librdkafka's 45 s, above the brokers' default
     * fencing of 9 s, so a lost broker does not also time out the groups' sessions. */
    if (group && !strcmp(of_cfg_str(cfg, OF_CFG_KAFKA_PROFILE), "local") &&
        conf_set(conf, "session.timeout.ms", "10000", errstr, errstr_size))
        goto fail;
    /* Static membership (KIP-345, D-T10-41): a stable OF_INSTANCE_ID becomes group.instance.id, so an instance that
     * restarts within the session timeout takes its partitions back without a rebalance of the group. */
    if (group) {
        snprintf(topic_prefix, sizeof topic_prefix, "%s", of_cfg_str(cfg, OF_CFG_TOPIC_PREFIX));
        const char *sid;
        if (of_kafka_static_id(cfg, &sid, errstr, errstr_size)) goto fail;
        if (sid && conf_set(conf, "group.instance.id", sid, errstr, errstr_size)) goto fail;
    }
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
        if (group && !strcmp(kv, "auto.offset.reset")) {
            /* D-KAF-4: earliest or latest would pass a gap quietly; ordctl replay moves a group on purpose */
            snprintf(errstr, errstr_size,
                     "OF_KAFKA_EXTRA: auto.offset.reset is fixed to error for consumer groups (a gap is held and "
                     "reported, never skipped: docs/operations.md); move a group with ordctl replay");
            free(extra);
            goto fail;
        }
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
    of_kafka_confirm_t *confirm; /* D-KAF-10 */
    int closing;                 /* purged while closing: nothing is sent again */
    char topics[OF_TOPIC__COUNT][256];
    rd_kafka_topic_t *rkt[OF_TOPIC__COUNT]; /* held so that their metadata is fetched at start */
};

int of_kafka_dr_unconfirmed(int err, int64_t offset, int64_t last, int copy, int confirm) {
    if (!confirm || err) return 0;
    if (offset < 0) return 1;
    if (copy) return 0; /* a copy stored at an offset: the partition's log may have started again (topic recreated) */
    return last >= 0 && offset <= last;
}

/* ---- D-KAF-10: which successful reports the broker really confirmed ---- */
typedef struct {
    char *name;
    int64_t *last; /* per partition: the highest offset confirmed to this producer, -1 none yet */
    int nparts;
} ctopic_t;

struct of_kafka_confirm_s {
    int confirm; /* acks is not 0: a success carries the offset the broker stored the message at */
    int ordered; /* idempotent: a partition's reports come in the order of their offsets */
    ctopic_t *t;
    int nt;
};

/* A producer property as configured (acks is a topic property, kept in the default topic conf). */
static int conf_get(rd_kafka_conf_t *conf, const char *name, char *v, size_t size) {
    size_t n = size;
    rd_kafka_topic_conf_t *t = rd_kafka_conf_get_default_topic_conf(conf);
    if (t && rd_kafka_topic_conf_get(t, name, v, &n) == RD_KAFKA_CONF_OK) return 0;
    n = size;
    return rd_kafka_conf_get(conf, name, v, &n) == RD_KAFKA_CONF_OK ? 0 : -1;
}

of_kafka_confirm_t *of_kafka_confirm_new(rd_kafka_conf_t *conf, int by_order) {
    of_kafka_confirm_t *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    char v[32];
    c->confirm = conf_get(conf, "acks", v, sizeof v) || atoi(v) != 0; /* default: all */
    c->ordered = by_order && !conf_get(conf, "enable.idempotence", v, sizeof v) && !strcmp(v, "true");
    return c;
}

void of_kafka_confirm_free(of_kafka_confirm_t *c) {
    if (!c) return;
    for (int i = 0; i < c->nt; i++) {
        free(c->t[i].name);
        free(c->t[i].last);
    }
    free(c->t);
    free(c);
}

/* The slot of (topic, partition), made when first seen; NULL when out of memory (the report is then judged by its
 * offset alone). */
static int64_t *confirm_slot(of_kafka_confirm_t *c, const char *topic, int32_t partition) {
    if (partition < 0) return NULL;
    ctopic_t *t = NULL;
    for (int i = 0; i < c->nt && !t; i++)
        if (!strcmp(c->t[i].name, topic)) t = &c->t[i];
    if (!t) {
        ctopic_t *nt = realloc(c->t, (size_t)(c->nt + 1) * sizeof *nt);
        if (!nt) return NULL;
        c->t = nt;
        t = &c->t[c->nt];
        *t = (ctopic_t){.name = strdup(topic)};
        if (!t->name) return NULL;
        c->nt++;
    }
    if (partition >= t->nparts) {
        int n = partition + 1;
        int64_t *l = realloc(t->last, (size_t)n * sizeof *l);
        if (!l) return NULL;
        for (int i = t->nparts; i < n; i++)
            l[i] = -1;
        t->last = l;
        t->nparts = n;
    }
    return &t->last[partition];
}

/* How often one message is sent again for want of a confirmed write (D-KAF-10), counted in its header. */
#define RESEND_HEADER "of-resend"
#define RESEND_MAX 3

/* m's headers (borrowed), NULL when it has none. */
static rd_kafka_headers_t *msg_headers(const rd_kafka_message_t *m) {
    rd_kafka_headers_t *h = NULL;
    return rd_kafka_message_headers(m, &h) == RD_KAFKA_RESP_ERR_NO_ERROR ? h : NULL;
}

/* The copies sent again before the message of headers h (its RESEND_HEADER), 0 for an original. */
static int resend_copies(const rd_kafka_headers_t *h) {
    const void *v = NULL;
    size_t vlen = 0;
    char t[16];
    if (!h || rd_kafka_header_get_last(h, RESEND_HEADER, &v, &vlen) != RD_KAFKA_RESP_ERR_NO_ERROR || !v ||
        vlen >= sizeof t)
        return 0;
    memcpy(t, v, vlen);
    t[vlen] = '\0';
    return atoi(t);
}

int of_kafka_confirm_check(of_kafka_confirm_t *c, const rd_kafka_message_t *m) {
    if (!c || !c->confirm || m->err) return 1;
    int64_t *last = confirm_slot(c, rd_kafka_topic_name(m->rkt), m->partition);
    int64_t prev = last && c->ordered ? *last : -1;
    /* the headers are read only when the offset rule would hold the report */
    int copy = m->offset >= 0 && m->offset <= prev && resend_copies(msg_headers(m)) > 0;
    if (of_kafka_dr_unconfirmed(m->err, m->offset, prev, copy, c->confirm)) return 0;
    if (last && (m->offset > *last || copy)) *last = m->offset; /* a copy's offset starts the partition afresh */
    return 1;
}

static int64_t stop_grace_left_ms(void);

/* Send m again as it was (topic, partition, key, value, headers), its header RESEND_HEADER counting the copies sent
 * again, the same batch waiting for its report. From the delivery-report callback: no poll, no wait (a full queue
 * refuses it). *tries: the copies sent again before this one. RD_KAFKA_RESP_ERR_NO_ERROR when queued; __FAIL when
 * the tries are spent, the stop's grace is over or the producer is closing; else librdkafka's refusal. */
static rd_kafka_resp_err_t resend(rd_kafka_t *rk, const rd_kafka_message_t *m, int closing, int *tries) {
    rd_kafka_headers_t *h = msg_headers(m), *hdrs;
    char t[16];
    *tries = resend_copies(h);
    /* after the stop's grace nothing new is queued: the purge is over, the caller is not waiting any longer */
    if (*tries >= RESEND_MAX || closing || !stop_grace_left_ms()) return RD_KAFKA_RESP_ERR__FAIL;
    if (h) {
        hdrs = rd_kafka_headers_copy(h);
        rd_kafka_header_remove(hdrs, RESEND_HEADER);
    } else {
        hdrs = rd_kafka_headers_new(1);
    }
    snprintf(t, sizeof t, "%d", *tries + 1);
    rd_kafka_header_add(hdrs, RESEND_HEADER, -1, t, -1);
    rd_kafka_resp_err_t err = rd_kafka_producev(
        rk, RD_KAFKA_V_RKT(m->rkt), RD_KAFKA_V_PARTITION(m->partition), RD_KAFKA_V_KEY(m->key, m->key_len),
        RD_KAFKA_V_VALUE(m->payload, m->len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(m->_private),
        RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_END);
    if (err) rd_kafka_headers_destroy(hdrs); /* librdkafka owns them only once queued */
    return err;
}

void of_kafka_confirm_warn(const rd_kafka_message_t *m, int copy, const char *outcome) {
    of_metric_add(OF_M_UNCONFIRMED, 1);
    of_warn("delivery not confirmed by the broker: acknowledged without an offset, or at one it had confirmed before",
            OF_S("topic", rd_kafka_topic_name(m->rkt)), OF_I("partition", m->partition), OF_I("offset", m->offset),
            OF_I("copy", copy), OF_S("outcome", outcome), OF_END);
}

static void dr_msg_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    of_producer_t *p = opaque;
    of_dr_batch_t *b = m->_private;
    /* D-KAF-10: a "success" the broker did not confirm (no offset: librdkafka's implicit acknowledgement of an
     * earlier request, or its reading of DUPLICATE_SEQUENCE_NUMBER; or an offset this partition had already
     * confirmed). With librdkafka 2.0.2 and Kafka 4.1.1 such messages had not been stored (about one publish of
     * 20,000 trades in 16 lost 2-5). Sent again: a duplicate is deduplicated downstream, a loss is not. */
    if (p && !of_kafka_confirm_check(p->confirm, m)) {
        int tries = 0;
        rd_kafka_resp_err_t rerr = resend(rk, m, p->closing, &tries);
        of_kafka_confirm_warn(m, tries, rerr ? rd_kafka_err2str(rerr) : "sent again");
        if (!rerr) return; /* the batch waits for the new report */
        if (b) {
            b->pending--;
            if (!b->failed++)
                snprintf(b->error, sizeof b->error,
                         "the broker did not confirm storing a message (%d copies sent again; %s)", tries,
                         tries >= RESEND_MAX ? "no more tries" : rd_kafka_err2str(rerr));
        }
        return;
    }
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
    if (!(p->confirm = of_kafka_confirm_new(conf, 1))) {
        rd_kafka_conf_destroy(conf);
        free(p);
        return NULL;
    }
    rd_kafka_conf_set_opaque(conf, p);
    p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, errstr_size);
    if (!p->rk) {
        rd_kafka_conf_destroy(conf);
        of_kafka_confirm_free(p->confirm);
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

/* After a stop request, how long delivery reports are waited for before what is still queued or in flight is
 * purged (its reports then come at once, as failures), and how long a send waits for room in a full queue: a stop
 * stays bounded while the brokers are away, and the unsent outbox rows or unstored offsets are taken up by the next
 * start. */
#define STOP_GRACE_MS 2000

/* One grace for the whole process, from the first time a producer call sees the stop request: every later wait,
 * send and flush ends with it (a per-call grace would add 2 s per message of a batch stuck on a full queue). */
static _Atomic int64_t stop_seen_ms; /* lanes (OF_WORKER_LANES) send from several threads */

static int64_t stop_grace_left_ms(void) {
    if (!of_stop_requested) return STOP_GRACE_MS;
    int64_t seen = atomic_load(&stop_seen_ms);
    if (!seen) {
        int64_t now = of_mono_ms();
        /* a thread that comes second gets the first one's time in seen */
        if (atomic_compare_exchange_strong(&stop_seen_ms, &seen, now)) seen = now;
    }
    int64_t left = seen + STOP_GRACE_MS - of_mono_ms();
    return left > 0 ? left : 0;
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
    /* A full queue (the broker away or slow): poll for delivery reports and try again for up to 30 s, but not after
     * the stop grace has run out, nor after a fatal error. */
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
        if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL && of_mono_ms() < deadline && stop_grace_left_ms() &&
            !of_kafka_fatal()) {
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

of_err_t of_producer_wait(of_producer_t *p, of_dr_batch_t *batch) {
    int64_t start = of_mono_ms(), warned = 0;
    int purged = 0;
    while (batch->pending > 0) {
        rd_kafka_poll(p->rk, 50);
        if (!stop_grace_left_ms()) { /* again at every pass: nothing queued after the first purge outlives it */
            if (!purged) of_warn("stopping: purging undelivered messages", OF_I("pending", batch->pending), OF_END);
            rd_kafka_purge(p->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
            purged = 1;
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

static int destroy_bounded(rd_kafka_t *rk, int flags);
static void keep_reachable(void *p);

void of_producer_destroy(of_producer_t *p) {
    if (!p) return;
    rd_kafka_resp_err_t err = rd_kafka_flush(p->rk, of_stop_requested ? (int)stop_grace_left_ms() : 10000);
    if (err) {
        of_warn("producer flush incomplete, purging", OF_I("in_queue", rd_kafka_outq_len(p->rk)), OF_END);
        p->closing = 1; /* no copy sent again after the purge (D-KAF-10) */
        rd_kafka_purge(p->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        rd_kafka_flush(p->rk, 1000);
    }
    for (int i = 0; i < OF_TOPIC__COUNT; i++)
        if (p->rkt[i]) rd_kafka_topic_destroy(p->rkt[i]);
    if (!destroy_bounded(p->rk, 0)) { /* D-KAF-13: its callbacks may still read p: it stays, to the exit */
        keep_reachable(p);
        return;
    }
    of_kafka_confirm_free(p->confirm);
    free(p);
}

/* ------------------------------------------------------------------ consumer */

struct of_consumer_s {
    rd_kafka_t *rk;
    of_consumer_revoke_fn on_revoke; /* NULL: none */
    void *revoke_ctx;
    int wake[2]; /* of_consumer_wake_fd's pipe, -1 while unused */
    int revokes;
    rd_kafka_topic_partition_list_t *revoked; /* every partition revoked during the current poll (NULL: none) */
    rd_kafka_topic_t *topics[8];              /* the subscribed topics' handles (D-KAF-11); NULL: none */
};

static void drop_topics(of_consumer_t *c) {
    for (size_t i = 0; i < sizeof c->topics / sizeof c->topics[0]; i++)
        if (c->topics[i]) {
            rd_kafka_topic_destroy(c->topics[i]);
            c->topics[i] = NULL;
        }
}

rd_kafka_conf_t *of_kafka_consumer_conf_new(const of_config_t *cfg, const char *group, const char *client_id,
                                            char *errstr, size_t errstr_size) {
    return conf_build(cfg, OF_KAFKA_CONSUMER, client_id, group, errstr, errstr_size);
}

/* "topic:p topic:p ..." of parts into buf (cut at size, with "..."). */
static const char *parts_str(const rd_kafka_topic_partition_list_t *parts, char *buf, size_t size) {
    size_t n = 0;
    buf[0] = '\0';
    for (int i = 0; i < parts->cnt && n < size; i++) {
        int w =
            snprintf(buf + n, size - n, "%s%s:%d", i ? " " : "", parts->elems[i].topic, (int)parts->elems[i].partition);
        if (w < 0 || (size_t)w >= size - n) {
            snprintf(buf + (size > 4 ? size - 4 : 0), size > 4 ? 4 : size, "...");
            break;
        }
        n += (size_t)w;
    }
    return buf;
}

static int closing; /* of_kafka_close is serving a close: the revoke's commit is asynchronous */

/* D-KAF-4: librdkafka (auto.offset.reset=error) refuses to start a partition the group has no committed offset
 * for, so those of parts are given RD_KAFKA_OFFSET_BEGINNING: a group's first start reads from the log start. The
 * others keep RD_KAFKA_OFFSET_INVALID: librdkafka reads their committed offset itself and refuses one outside the
 * log (a gap: held, of_kafka_consumer_error). When the query fails (the coordinator away) parts stays as it is: a
 * partition that then turns out to have no committed offset is refused, and gap_check starts it at the log start.
 * fresh gets "topic:p ..." of the partitions set to the log start. */
static void start_new_at_beginning(rd_kafka_t *rk, rd_kafka_topic_partition_list_t *parts, char *fresh, size_t size) {
    fresh[0] = '\0';
    if (!parts->cnt || of_stop_requested || closing) return;
    rd_kafka_topic_partition_list_t *q = rd_kafka_topic_partition_list_new(parts->cnt);
    for (int i = 0; i < parts->cnt; i++)
        rd_kafka_topic_partition_list_add(q, parts->elems[i].topic, parts->elems[i].partition);
    rd_kafka_resp_err_t err = of_kafka_committed(rk, q, QUERY_MS);
    if (err) {
        of_warn("the group's committed offsets could not be read at assignment: librdkafka reads them itself, and a "
                "partition without one is started at the log start when librdkafka refuses it; a partition that "
                "consumes nothing is looked at again",
                OF_S("error", rd_kafka_err2str(err)), OF_I("after_s", GAP_RETRY_MS / 1000), OF_END);
        int64_t now = of_mono_ms();
        for (int i = 0; i < parts->cnt; i++) {
            if (parts->elems[i].offset != RD_KAFKA_OFFSET_INVALID) continue;
            gap_t *g = gap_find(rk, parts->elems[i].topic, parts->elems[i].partition);
            if (!g || is_gap(g->state)) continue; /* a held gap keeps its own checks */
            g->assigned = 1;
            g->unverified = 1;
            g->next_check_ms = now + GAP_RETRY_MS;
        }
    } else {
        rd_kafka_topic_partition_list_t *set = rd_kafka_topic_partition_list_new(q->cnt);
        for (int i = 0; i < q->cnt; i++) {
            rd_kafka_topic_partition_t *p =
                rd_kafka_topic_partition_list_find(parts, q->elems[i].topic, q->elems[i].partition);
            int64_t at = p ? of_kafka_start_offset(q->elems[i].offset, p->offset) : RD_KAFKA_OFFSET_INVALID;
            if (!p) continue;
            if (at != p->offset) {
                p->offset = at;
                rd_kafka_topic_partition_list_add(set, p->topic, p->partition);
            } else if (p->offset == RD_KAFKA_OFFSET_INVALID && q->elems[i].offset >= 0) {
                /* The committed offset just read, given explicitly: librdkafka then starts the partition without a
                 * committed-offset fetch of its own, which a coordinator that answers NOT_COORDINATOR right after a
                 * stall can leave unanswered for good (librdkafka #5586: a partition assigned and never fetched,
                 * found by a fault-injection run of issue 10). A committed offset outside the log is still refused
                 * and held (D-KAF-4). */
                p->offset = q->elems[i].offset;
            }
        }
        if (set->cnt) parts_str(set, fresh, size);
        rd_kafka_topic_partition_list_destroy(set);
    }
    rd_kafka_topic_partition_list_destroy(q);
}

/* Consumer handles that have had an assignment (even of no partition): before librdkafka 2.3.0, destroying a
 * cooperative-sticky consumer that joined its group but never had one aborts in rd_kafka_cgrp_destroy_final
 * (assignor state NULL; librdkafka #4312, fixed by #4381 in 2.3.0). Seen on SIGTERM during a kill storm. */
static rd_kafka_t *assigned[8];

static _Atomic int assigned_once; /* a consumer of the process has had an assignment (of_kafka_assigned_once) */

int of_kafka_assigned_once(void) {
    return atomic_load(&assigned_once);
}

static int was_assigned(const rd_kafka_t *rk) {
    for (size_t i = 0; i < sizeof assigned / sizeof assigned[0]; i++)
        if (assigned[i] == rk) return 1;
    return 0;
}

void of_kafka_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *parts) {
    int coop = !strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE");
    rd_kafka_error_t *e = NULL;
    char list[2048];
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS && !was_assigned(rk))
        for (size_t i = 0; i < sizeof assigned / sizeof assigned[0]; i++)
            if (!assigned[i]) {
                assigned[i] = rk;
                break;
            }
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        char fresh[2048];
        atomic_store(&assigned_once, 1);
        start_new_at_beginning(rk, parts, fresh, sizeof fresh);
        of_info("partitions assigned", OF_I("count", parts->cnt), OF_S("protocol", coop ? "cooperative" : "eager"),
                OF_S("partitions", parts_str(parts, list, sizeof list)), OF_END);
        if (fresh[0]) of_info("no committed offset: starting at the log start", OF_S("partitions", fresh), OF_END);
        if (coop)
            e = rd_kafka_incremental_assign(rk, parts);
        else
            rd_kafka_assign(rk, parts);
    } else {
        /* Everything processed so far has its offset stored: commit it before giving the partitions up. */
        of_info("partitions revoked", OF_I("count", parts->cnt),
                OF_S("lost", rd_kafka_assignment_lost(rk) ? "yes" : "no"),
                OF_S("partitions", parts_str(parts, list, sizeof list)), OF_END);
        gaps_revoked(rk, parts);
        if (!rd_kafka_assignment_lost(rk)) {
            /* Synchronous while running (the next owner starts from it); asynchronous while stopping, where the
             * revoke is served by of_kafka_close's bounded wait, which a commit to an unanswering coordinator would
             * otherwise hold for socket.timeout.ms (60 s). */
            rd_kafka_resp_err_t cerr = rd_kafka_commit(rk, NULL, of_stop_requested || closing ? 1 : 0);
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
        /* Two revokes can be served by one poll (cooperative rounds): the messages collected from either are
         * dropped, so both lists are kept, merged (of_consumer_poll_batch empties it after each poll). */
        c->revokes++;
        if (!c->revoked) c->revoked = rd_kafka_topic_partition_list_new(parts->cnt);
        for (int i = 0; c->revoked && i < parts->cnt; i++)
            if (!rd_kafka_topic_partition_list_find(c->revoked, parts->elems[i].topic, parts->elems[i].partition))
                rd_kafka_topic_partition_list_add(c->revoked, parts->elems[i].topic, parts->elems[i].partition);
        if (c->on_revoke) c->on_revoke(c->revoke_ctx, parts); /* before the commit of of_kafka_rebalance */
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
    c->wake[0] = c->wake[1] = -1;
    rd_kafka_conf_set_opaque(conf, c);
    rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
    c->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, errstr_size);
    if (!c->rk) {
        rd_kafka_conf_destroy(conf);
        free(c);
        return NULL;
    }
    rd_kafka_poll_set_consumer(c->rk);
    /* D-KAF-11: the topics' partition leaders known before the group assigns them. A partition assigned while its
     * leader is unknown, and started at a logical offset (the log start of a new group, D-KAF-5), waits librdkafka's
     * fixed 500 ms before it asks for that offset (rd_kafka_toppar_offset_request): a new group's first batch came
     * 0.5 s late in about half of the trade-modify benchmark's drains. A bounded wait (a broker that is down is
     * handled as before, by the loop). The handles are kept so that the topics' metadata stays known; one request
     * asks for every topic with a handle (all_topics 0: the locally known ones). */
    for (int i = 0; i < ntopics && i < (int)(sizeof c->topics / sizeof c->topics[0]); i++)
        c->topics[i] = rd_kafka_topic_new(c->rk, topics[i], NULL);
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t me = rd_kafka_metadata(c->rk, 0, NULL, &md, 1000);
    if (!me)
        rd_kafka_metadata_destroy(md);
    else
        of_debug("topic metadata not read before subscribing: the first fetch may wait 500 ms",
                 OF_S("topic", topics[0]), OF_S("error", rd_kafka_err2str(me)), OF_END);
    rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(ntopics);
    for (int i = 0; i < ntopics; i++)
        rd_kafka_topic_partition_list_add(sub, topics[i], RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t err = rd_kafka_subscribe(c->rk, sub);
    rd_kafka_topic_partition_list_destroy(sub);
    if (err) {
        snprintf(errstr, errstr_size, "subscribe: %s", rd_kafka_err2str(err));
        drop_topics(c);
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
        if (c->revoked) { /* dealt with: a later poll's revokes start a new list */
            rd_kafka_topic_partition_list_destroy(c->revoked);
            c->revoked = NULL;
        }
        if (!m) {
            if (!left) break;
            continue;
        }
        if (m->err) {
            int fatal = of_kafka_consumer_error(c->rk, m);
            rd_kafka_message_destroy(m);
            if (fatal) break; /* the handle is unusable: the loop stops (of_kafka_fatal) */
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
    if (of_kafka_fatal()) return;
    rd_kafka_resp_err_t err = rd_kafka_commit(c->rk, NULL, 1);
    if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET)
        of_debug("commit of the stored offsets not sent", OF_S("error", rd_kafka_err2str(err)), OF_END);
}

/* Handles whose close did not finish in time: never destroyed (rd_kafka_destroy would wait for the requests the
 * broker does not answer), kept reachable here until the process exits. */
static rd_kafka_t *abandoned[8];
static _Atomic int nabandoned;

static void keep_to_exit(rd_kafka_t *rk) {
    int i = atomic_fetch_add(&nabandoned, 1);
    if (i < (int)(sizeof abandoned / sizeof abandoned[0])) abandoned[i] = rk;
}

static void forget_assigned(const rd_kafka_t *rk) {
    for (size_t i = 0; i < sizeof assigned / sizeof assigned[0]; i++)
        if (assigned[i] == rk) assigned[i] = NULL;
}

/* D-KAF-13: the destroy after the close, within OF_KAFKA_DESTROY_MS. rd_kafka_destroy joins librdkafka's threads,
 * and one that waits on a broker for good holds it (seen 2026-12-03: two workers that had run across the purge and
 * re-creation of their stack hung there after SIGTERM, the main thread joining rdk:main, which joined a broker
 * thread). Past the bound the handle is left to the process's exit, as one whose close did not finish. */
typedef struct {
    rd_kafka_t *rk;
    int flags;
} destroy_job_t;
/* What a thread still running inside librdkafka may read (a destroy job, a producer), kept to the process's exit. */
static void *kept[16];
static _Atomic int nkept;

static void keep_reachable(void *p) {
    int i = atomic_fetch_add(&nkept, 1);
    if (i < (int)(sizeof kept / sizeof kept[0])) kept[i] = p;
}

static void destroy_job(void *p) {
    const destroy_job_t *d = p;
    rd_kafka_destroy_flags(d->rk, d->flags);
}

static int destroy_bounded(rd_kafka_t *rk, int flags) {
    destroy_job_t *d = malloc(sizeof *d);
    int r = -1;
    if (d) {
        *d = (destroy_job_t){.rk = rk, .flags = flags};
        r = of_bounded_run(destroy_job, d, OF_KAFKA_DESTROY_MS);
    }
    if (r < 0) { /* no thread: at once, unbounded, as before */
        rd_kafka_destroy_flags(rk, flags);
        r = 1;
    }
    if (r) {
        free(d);
        return 1;
    }
    keep_reachable(d); /* the thread still reads it */
    keep_to_exit(rk);
    of_warn("kafka handle not destroyed in time: left to the process's exit", OF_I("waited_ms", OF_KAFKA_DESTROY_MS),
            OF_END);
    return 0;
}

int of_kafka_close(rd_kafka_t *rk) {
    int64_t start = of_mono_ms();
    gaps_forget(rk);
    /* The final commit of the stored offsets, asynchronous: the close below waits for it, within the bound. */
    rd_kafka_resp_err_t cerr = of_kafka_fatal() ? RD_KAFKA_RESP_ERR__FATAL : rd_kafka_commit(rk, NULL, 1);
    if (cerr && cerr != RD_KAFKA_RESP_ERR__NO_OFFSET)
        of_warn("final commit not sent", OF_S("error", rd_kafka_err2str(cerr)), OF_END);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_error_t *e = rd_kafka_consumer_close_queue(rk, q);
    int closed = 0;
    if (e) {
        /* The close refused (after a fatal error the group cannot be left): destroy without it (commit, leave). */
        of_warn("consumer close", OF_S("error", rd_kafka_error_string(e)), OF_END);
        rd_kafka_error_destroy(e);
        rd_kafka_queue_destroy(q);
        if (was_assigned(rk) || rd_kafka_version() >= 0x020300ff) {
            forget_assigned(rk);
            return destroy_bounded(rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
        }
        keep_to_exit(rk);
        return 0;
    }
    /* Serve the close up to OF_KAFKA_CLOSE_MS. The consumer's queue is forwarded to q, so besides the revoke it
     * carries messages fetched before the close and commit results: the event API hands every op back (the
     * callback API asserts on those it cannot dispatch). The revoke is the shared step (of_kafka_rebalance, its
     * commit asynchronous); the caller's own callback only tracks what a running loop needs. */
    closing = 1;
    while (!(closed = rd_kafka_consumer_closed(rk)) && of_mono_ms() - start < OF_KAFKA_CLOSE_MS) {
        rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 100);
        if (!ev) continue;
        if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_REBALANCE)
            of_kafka_rebalance(rk, rd_kafka_event_error(ev), rd_kafka_event_topic_partition_list(ev));
        else if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_ERROR)
            of_warn("kafka error while closing", OF_S("error", rd_kafka_err2name(rd_kafka_event_error(ev))),
                    OF_S("detail", rd_kafka_event_error_string(ev)), OF_END);
        rd_kafka_event_destroy(ev);
    }
    closing = 0;
    rd_kafka_queue_destroy(q);
    if (closed && (was_assigned(rk) || rd_kafka_version() >= 0x020300ff)) {
        forget_assigned(rk);
        return destroy_bounded(rk, 0);
    }
    if (closed) /* the group is left; only the handle's memory stays, to the process's exit */
        of_info("consumer closed before its first assignment: its handle is not destroyed (librdkafka before 2.3.0 "
                "aborts on that, #4312)",
                OF_S("librdkafka", rd_kafka_version_str()), OF_END);
    else
        /* Kafka did not answer the commit or the LeaveGroup in time (a broker frozen or partitioned away answers
         * only when librdkafka's socket.timeout.ms ends, 60 s). Stop without it, as after SIGKILL: what was not
         * committed is redelivered (the ledger drops the replay) and the group drops this member after
         * session.timeout.ms. */
        of_warn("kafka did not answer the group close in time: leaving without it (uncommitted offsets are "
                "redelivered, the group drops this member after its session timeout)",
                OF_I("waited_ms", of_mono_ms() - start), OF_END);
    keep_to_exit(rk);
    return 0;
}

void of_consumer_on_revoke(of_consumer_t *c, of_consumer_revoke_fn fn, void *ctx) {
    c->on_revoke = fn;
    c->revoke_ctx = ctx;
}

int of_consumer_wake_fd(of_consumer_t *c) {
    if (c->wake[0] >= 0) return c->wake[0];
    if (pipe(c->wake)) {
        c->wake[0] = c->wake[1] = -1;
        return -1;
    }
    for (int i = 0; i < 2; i++) {
        fcntl(c->wake[i], F_SETFL, fcntl(c->wake[i], F_GETFL) | O_NONBLOCK);
        fcntl(c->wake[i], F_SETFD, FD_CLOEXEC);
    }
    rd_kafka_queue_t *q = rd_kafka_queue_get_consumer(c->rk);
    if (q) {
        rd_kafka_queue_io_event_enable(q, c->wake[1], "1", 1);
        rd_kafka_queue_destroy(q);
    }
    return c->wake[0];
}

void of_consumer_wake_drain(of_consumer_t *c) {
    char buf[64];
    if (c->wake[0] >= 0)
        while (read(c->wake[0], buf, sizeof buf) > 0) {
        }
}

void of_consumer_close(of_consumer_t *c) {
    if (!c) return;
    if (c->wake[0] >= 0) {
        rd_kafka_queue_t *q = rd_kafka_queue_get_consumer(c->rk);
        if (q) {
            rd_kafka_queue_io_event_enable(q, -1, NULL, 0);
            rd_kafka_queue_destroy(q);
        }
    }
    c->on_revoke = NULL; /* the close's revoke is of_kafka_close's own */
    drop_topics(c);
    of_kafka_close(c->rk);
    if (c->wake[0] >= 0) {
        close(c->wake[0]);
        close(c->wake[1]);
    }
    if (c->revoked) rd_kafka_topic_partition_list_destroy(c->revoked);
    free(c);
}

rd_kafka_t *of_producer_handle(of_producer_t *p) {
    return p ? p->rk : NULL;
}

rd_kafka_t *of_consumer_handle(of_consumer_t *c) {
    return c->rk;
}

void of_consumer_watch(of_consumer_t *c, int64_t alert_ms) {
    of_kafka_watch(c->rk, alert_ms);
}
