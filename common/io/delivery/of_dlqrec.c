/* of_dlqrec.c -- DeadLetter events into the dead_letter table and the text log. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "deadletter.pb-c.h"
#include "of_dlq.h"
#include "of_dlqrec.h"
#include "of_str.h"
#include "of_log.h"
#include "of_metrics.h"
#include "of_topics.h"

/* D-DLQ-4: a batch's dead letters in one read of the origins already recorded and multi-row inserts of the others
 * (parts of at most INSERT_BYTES of originals), not a statement per dead letter */
static const char SQL_SEEN[3][160] = {
    "SELECT consumer_group, topic, kafka_partition, kafka_offset FROM dead_letter WHERE (consumer_group, topic, "
    "kafka_partition, kafka_offset) IN (",
    "(?, ?, ?, ?)", ")"};
static const char SQL_INSERT[3][240] = {
    "INSERT INTO dead_letter (consumer_group, topic, kafka_partition, kafka_offset, msg_key, order_id, event_id, "
    "subject, payload, reason, error, attempts, errors, first_failed_at, dead_at) VALUES ",
    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, IF(? > 0, FROM_UNIXTIME(? / 1000), NULL), FROM_UNIXTIME(? / 1000))", ""};
#define INSERT_PARAMS 16
#define INSERT_BYTES                                                                                                   \
    (4 << 20) /* originals are up to 900 KiB each (OF_DLQ_MAX_ORIGINAL); and within the server's                       \
               * max_allowed_packet (of_db_part_bytes) */

struct of_dlqrec_s {
    const of_config_t *cfg;
    of_db_t *db;
    int fd;
    of_db_multi_t m_seen, m_insert;
};

typedef struct {
    rd_kafka_message_t *m;
    Orderfleet__DeadLetter *dl;
    char order[72];
    char *errors_json;
    uint64_t id; /* row inserted; 0 = already recorded */
    /* its row's cells (cut to their columns) and parameters */
    char group[70], topic[250], error[1100], klass[40], eid[130], subject[104];
    of_param_t p[INSERT_PARAMS];
    int recorded; /* its origin has a row already, or an earlier dead letter of the batch has it */
} item_t;

of_dlqrec_t *of_dlqrec_new(const of_config_t *cfg, of_db_t *db, char *errstr, size_t errstr_size) {
    of_dlqrec_t *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->cfg = cfg;
    r->db = db;
    const char *path = of_cfg_str(cfg, OF_CFG_DEADLETTER_LOG);
    r->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (r->fd < 0) {
        of_seterr(errstr, errstr_size, OF_ERR_CONFIG, "OF_DEADLETTER_LOG=%s: %s", path, strerror(errno));
        free(r);
        return NULL;
    }
    if (of_db_register_multi(db, SQL_SEEN[0], SQL_SEEN[1], SQL_SEEN[2], &r->m_seen) ||
        of_db_register_multi(db, SQL_INSERT[0], SQL_INSERT[1], SQL_INSERT[2], &r->m_insert)) {
        of_seterr(errstr, errstr_size, OF_ERR_NOMEM, "cannot register the recorder's statements");
        close(r->fd);
        free(r);
        return NULL;
    }
    return r;
}

void of_dlqrec_destroy(of_dlqrec_t *r) {
    if (!r) return;
    if (r->fd >= 0) close(r->fd);
    free(r);
}

static void iso(long long ms, char *buf, size_t size) {
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    char t[32];
    strftime(t, sizeof t, "%Y-%m-%dT%H:%M:%S", gmtime_r(&secs, &tm));
    snprintf(buf, size, "%s.%03lldZ", t, ms % 1000);
}

const char *of_dlqrec_line(long long id, const char *origin, int partition, long long offset, const char *order,
                           const char *subject, const char *klass, int attempts, const char *group,
                           long long dead_at_ms, const char *error, char *buf, size_t size) {
    char when[40], esc[1200];
    iso(dead_at_ms, when, sizeof when);
    size_t k = 0;
    for (const char *p = error ? error : ""; *p && k + 3 < sizeof esc; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"' || c == '\\') {
            esc[k++] = '\\';
            esc[k++] = (char)c;
        } else if (c < 0x20 || c == 0x7f) {
            esc[k++] = ' ';
        } else {
            esc[k++] = (char)c;
        }
    }
    esc[k] = '\0';
    snprintf(buf, size,
             "%s dead_letter id=%lld origin=%s:%d:%lld order=%s about=%s class=%s attempts=%d group=%s error=\"%s\"",
             when, id, origin, partition, offset, order && *order ? order : "-", subject && *subject ? subject : "-",
             klass && *klass ? klass : "-", attempts, group && *group ? group : "-", esc);
    return buf;
}

static char *errors_json(const Orderfleet__DeadLetter *dl) {
    cJSON *a = cJSON_CreateArray();
    if (!a) return NULL;
    for (size_t i = 0; i < dl->n_errors; i++) {
        const Orderfleet__AttemptError *e = dl->errors[i];
        cJSON *o = cJSON_CreateObject();
        char when[40], err[1100];
        iso(e->at_ms, when, sizeof when);
        cJSON_AddNumberToObject(o, "attempt", e->attempt);
        cJSON_AddStringToObject(o, "at", when);
        cJSON_AddStringToObject(o, "error", of_str_cut(err, e->error, 1024));
        cJSON_AddStringToObject(o, "worker", e->worker ? e->worker : "");
        cJSON_AddItemToArray(a, o);
    }
    char *s = cJSON_PrintUnformatted(a);
    cJSON_Delete(a);
    return s;
}

typedef struct {
    of_dlqrec_t *r;
    item_t *items;
    int n;
    of_param_t *keys; /* 4 per item: its origin */
    of_param_t *vals; /* INSERT_PARAMS per row of one insert */
} txctx_t;

/* Item it's row: its cells cut to their columns, its parameters. */
static void row_params(item_t *it, int64_t now) {
    const rd_kafka_message_t *m = it->m;
    const Orderfleet__DeadLetter *dl = it->dl;
    of_param_t p[INSERT_PARAMS] = {
        OFP_S(of_str_cut(it->group, dl ? dl->consumer_group : "", 64)),
        OFP_S(of_str_cut(it->topic, dl ? dl->topic : rd_kafka_topic_name(m->rkt), 249)),
        OFP_I(dl ? dl->partition : m->partition),
        OFP_I(dl ? dl->offset : m->offset),
        dl ? OFP_SN((const char *)dl->original_key.data, dl->original_key.len)
           : OFP_SN((const char *)m->key, m->key_len),
        OFP_S(it->order),
        OFP_S(of_str_cut(it->eid, dl ? dl->event_id : "", 128)),
        OFP_S(of_str_cut(it->subject, dl ? dl->subject : "", 100)),
        dl ? OFP_SN((const char *)dl->original.data, dl->original.len) : OFP_SN((const char *)m->payload, m->len),
        OFP_S(of_str_cut(it->klass, dl ? dl->error_class : "undecodable", 32)),
        OFP_S(of_str_cut(it->error, dl ? dl->error : "value on the deadletter topic is not a DeadLetter", 1024)),
        OFP_I(dl ? dl->attempts : 0),
        it->errors_json ? OFP_S(it->errors_json) : OFP_NUL,
        OFP_I(dl ? dl->first_failed_at_ms : 0),
        OFP_I(dl ? dl->first_failed_at_ms : 0),
        OFP_I(dl && dl->dead_at_ms ? dl->dead_at_ms : now),
    };
    /* OFP_SN with a zero length means strlen: give empty keys and payloads as "" */
    if (p[4].len == 0) p[4] = OFP_S("");
    if (p[8].len == 0) p[8] = OFP_S("");
    memcpy(it->p, p, sizeof p);
}

/* Whether item a has that origin (group, topic, partition, offset: dead_letter's unique key, compared as the
 * column's collation does for these ASCII names: letter case ignored, so one the key holds is never inserted again). */
static int same_origin(const item_t *a, const char *group, const char *topic, long long part, long long off) {
    return a->p[2].i == part && a->p[3].i == off && !strcasecmp(a->group, group ? group : "") &&
           !strcasecmp(a->topic, topic ? topic : "");
}

static of_err_t tx_body(of_db_t *db, void *vctx, char *errstr, size_t size) {
    txctx_t *c = vctx;
    of_dlqrec_t *r = c->r;
    of_param_t *k = c->keys, *v = c->vals;
    for (int i = 0; i < c->n; i++) { /* a retried transaction starts over */
        c->items[i].id = 0;
        c->items[i].recorded = 0;
        memcpy(&k[(size_t)i * 4], c->items[i].p, 4 * sizeof *k);
    }
    /* 1. the origins recorded already (a redelivery, a replay): one read */
    of_rows_t *seen = NULL;
    of_err_t err = of_db_query_multi_in(db, &r->m_seen, k, c->n, NULL, &seen, errstr, size);
    if (err) return err;
    for (int i = 0; i < c->n; i++) {
        item_t *it = &c->items[i];
        for (int s = 0; s < seen->nrows && !it->recorded; s++)
            it->recorded = same_origin(it, of_rows_str(seen, s, 0), of_rows_str(seen, s, 1), of_rows_i64(seen, s, 2),
                                       of_rows_i64(seen, s, 3));
        for (int e = 0; e < i && !it->recorded; e++) /* twice in the batch (published at least once) */
            it->recorded = same_origin(&c->items[e], it->group, it->topic, it->p[2].i, it->p[3].i);
    }
    of_rows_free(seen);
    /* 2. the others: multi-row inserts, each within `cap` bytes of originals, their ids for the text log */
    size_t cap = of_db_part_bytes(db) < INSERT_BYTES ? of_db_part_bytes(db) : INSERT_BYTES;
    for (int i = 0; i < c->n && !err;) {
        int nv = 0, at[OF_DB_MULTI_MAX];
        size_t bytes = 0;
        for (; i < c->n && nv < OF_DB_MULTI_MAX; i++) {
            item_t *it = &c->items[i];
            if (it->recorded) continue;
            size_t b =
                it->p[8].len + it->p[4].len + strlen(it->error) + (it->errors_json ? strlen(it->errors_json) : 0);
            if (nv && bytes + b > cap) break;
            bytes += b;
            memcpy(&v[(size_t)nv * INSERT_PARAMS], it->p, sizeof it->p);
            at[nv++] = i;
        }
        if (!nv) break;
        uint64_t ids[OF_DB_MULTI_MAX];
        if (!(err = of_db_exec_multi_ids(db, &r->m_insert, v, nv, ids, NULL, errstr, size)))
            for (int x = 0; x < nv; x++)
                c->items[at[x]].id = ids[x];
    }
    return err;
}

of_err_t of_dlqrec_batch(void *ctx, rd_kafka_message_t **msgs, int n, of_msg_result_t *res) {
    (void)res; /* never dead-lettered again: that would loop */
    of_dlqrec_t *r = ctx;
    item_t *items = calloc((size_t)n, sizeof *items);
    if (!items) return OF_ERR_TRANSIENT;
    const char *prefix = of_cfg_str(r->cfg, OF_CFG_TOPIC_PREFIX);
    for (int i = 0; i < n; i++) {
        item_t *it = &items[i];
        it->m = msgs[i];
        it->dl = orderfleet__dead_letter__unpack(NULL, msgs[i]->len, msgs[i]->payload);
        if (!it->dl) continue;
        it->errors_json = errors_json(it->dl);
        int t = it->dl->topic ? of_topic_find(it->dl->topic, prefix) : -1;
        if (t >= 0 && !strcmp(of_topics()[t].key, "order id") && it->dl->original_key.len &&
            it->dl->original_key.len <= 64) { /* dead_letter.order_id */
            memcpy(it->order, it->dl->original_key.data, it->dl->original_key.len);
            it->order[it->dl->original_key.len] = '\0';
        }
        /* D-DLQ-3: a topic keyed otherwise (by buyer, by trade) still names its order when the worker read it */
        if (!*it->order && it->dl->subject && !strncmp(it->dl->subject, "order:", 6) &&
            strlen(it->dl->subject + 6) <= 64) /* dead_letter.order_id */
            snprintf(it->order, sizeof it->order, "%s", it->dl->subject + 6);
    }
    int64_t now = of_now_ms();
    for (int i = 0; i < n; i++)
        row_params(&items[i], now);
    char err[512];
    txctx_t c = {r, items, n, calloc((size_t)n * 4, sizeof(of_param_t)),
                 calloc((size_t)(n < OF_DB_MULTI_MAX ? n : OF_DB_MULTI_MAX) * INSERT_PARAMS, sizeof(of_param_t))};
    of_err_t rc = c.keys && c.vals ? of_db_tx(r->db, tx_body, &c, err, sizeof err)
                                   : of_seterr(err, sizeof err, OF_ERR_NOMEM, "out of memory");
    free(c.keys);
    free(c.vals);
    if (rc) {
        of_warn("recording dead letters failed", OF_S("error", err), OF_END);
        rc = OF_ERR_TRANSIENT;
    } else {
        for (int i = 0; i < n; i++) {
            item_t *it = &items[i];
            const Orderfleet__DeadLetter *dl = it->dl;
            if (!it->id) {
                of_metric_add(OF_M_DUPLICATE, 1);
                continue;
            }
            char line[2048];
            of_dlqrec_line((long long)it->id, dl ? dl->topic : rd_kafka_topic_name(it->m->rkt),
                           dl ? dl->partition : it->m->partition, dl ? dl->offset : it->m->offset, it->order,
                           dl ? dl->subject : "", dl ? dl->error_class : "undecodable", dl ? dl->attempts : 0,
                           dl ? dl->consumer_group : "", dl && dl->dead_at_ms ? dl->dead_at_ms : of_now_ms(),
                           dl ? dl->error : "value on the deadletter topic is not a DeadLetter", line, sizeof line - 1);
            size_t len = strlen(line);
            line[len++] = '\n';
            if (write(r->fd, line, len) != (ssize_t)len)
                of_error("dead-letter text log write failed", OF_S("path", of_cfg_str(r->cfg, OF_CFG_DEADLETTER_LOG)),
                         OF_S("error", strerror(errno)), OF_END);
            of_metric_add(OF_M_PROCESSED, 1);
            of_warn("dead letter recorded", OF_I("id", (long long)it->id),
                    OF_S("origin", dl ? dl->topic : rd_kafka_topic_name(it->m->rkt)), OF_S("order", it->order),
                    OF_S("about", dl && *dl->subject ? dl->subject : "-"),
                    OF_S("class", dl ? dl->error_class : "undecodable"), OF_I("attempts", dl ? dl->attempts : 0),
                    OF_S("event_id", dl && dl->meta ? dl->meta->event_id : ""), OF_END);
        }
    }
    for (int i = 0; i < n; i++) {
        if (items[i].dl) orderfleet__dead_letter__free_unpacked(items[i].dl, NULL);
        cJSON_free(items[i].errors_json);
    }
    free(items);
    return rc;
}
