/* of_dlqrec.c -- DeadLetter events into the dead_letter table and the text log. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static const char SQL_INSERT[] =
    "INSERT IGNORE INTO dead_letter (consumer_group, topic, kafka_partition, kafka_offset, msg_key, order_id, "
    "event_id, subject, payload, reason, error, attempts, errors, first_failed_at, dead_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, IF(? > 0, FROM_UNIXTIME(? / 1000), NULL), FROM_UNIXTIME(? / 1000))";

struct of_dlqrec_s {
    const of_config_t *cfg;
    of_db_t *db;
    int fd;
    int st_insert;
};

typedef struct {
    rd_kafka_message_t *m;
    Orderfleet__DeadLetter *dl;
    char order[72];
    char *errors_json;
    uint64_t id; /* row inserted; 0 = already recorded */
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
    r->st_insert = of_db_register(db, SQL_INSERT);
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
} txctx_t;

static of_err_t tx_body(of_db_t *db, void *vctx, char *errstr, size_t size) {
    txctx_t *c = vctx;
    for (int i = 0; i < c->n; i++) {
        item_t *it = &c->items[i];
        const rd_kafka_message_t *m = it->m;
        const Orderfleet__DeadLetter *dl = it->dl;
        char group[70], topic[250], error[1100], klass[40], eid[130], subject[104];
        int64_t now = of_now_ms();
        of_param_t p[] = {
            OFP_S(of_str_cut(group, dl ? dl->consumer_group : "", 64)),
            OFP_S(of_str_cut(topic, dl ? dl->topic : rd_kafka_topic_name(m->rkt), 249)),
            OFP_I(dl ? dl->partition : m->partition),
            OFP_I(dl ? dl->offset : m->offset),
            dl ? OFP_SN((const char *)dl->original_key.data, dl->original_key.len)
               : OFP_SN((const char *)m->key, m->key_len),
            OFP_S(it->order),
            OFP_S(of_str_cut(eid, dl ? dl->event_id : "", 128)),
            OFP_S(of_str_cut(subject, dl ? dl->subject : "", 100)),
            dl ? OFP_SN((const char *)dl->original.data, dl->original.len) : OFP_SN((const char *)m->payload, m->len),
            OFP_S(of_str_cut(klass, dl ? dl->error_class : "undecodable", 32)),
            OFP_S(of_str_cut(error, dl ? dl->error : "value on the deadletter topic is not a DeadLetter", 1024)),
            OFP_I(dl ? dl->attempts : 0),
            it->errors_json ? OFP_S(it->errors_json) : OFP_NUL,
            OFP_I(dl ? dl->first_failed_at_ms : 0),
            OFP_I(dl ? dl->first_failed_at_ms : 0),
            OFP_I(dl && dl->dead_at_ms ? dl->dead_at_ms : now),
        };
        /* OFP_SN with a zero length means strlen: give empty keys and payloads as "" */
        if (p[4].len == 0) p[4] = OFP_S("");
        if (p[8].len == 0) p[8] = OFP_S("");
        uint64_t affected = 0, id = 0;
        of_err_t err = of_db_exec(db, c->r->st_insert, p, 16, &affected, &id, errstr, size);
        if (err) return err;
        it->id = affected ? id : 0;
    }
    return OF_OK;
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
            it->dl->original_key.len < sizeof it->order) {
            memcpy(it->order, it->dl->original_key.data, it->dl->original_key.len);
            it->order[it->dl->original_key.len] = '\0';
        }
        /* D-DLQ-3: a topic keyed otherwise (by buyer, by trade) still names its order when the worker read it */
        if (!*it->order && it->dl->subject && !strncmp(it->dl->subject, "order:", 6) &&
            strlen(it->dl->subject + 6) <= 64) /* dead_letter.order_id */
            snprintf(it->order, sizeof it->order, "%s", it->dl->subject + 6);
    }
    char err[512];
    txctx_t c = {r, items, n};
    of_err_t rc = of_db_tx(r->db, tx_body, &c, err, sizeof err);
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
