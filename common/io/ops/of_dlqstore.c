/* of_dlqstore.c -- dead letters in MySQL: select and re-drive (of_dlqstore.h). */
#include "of_dlqstore.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "of_ladder.h"
#include "of_topics.h"

/* "30s", "10m", "2h", "1d" -> seconds; -1 when s is not relative */
static long long rel_secs(const char *s) {
    char *end;
    long long v = strtoll(s, &end, 10);
    if (end == s || end[0] == '\0' || end[1] != '\0') return -1;
    switch (*end) {
    case 's':
        return v;
    case 'm':
        return v * 60;
    case 'h':
        return v * 3600;
    case 'd':
        return v * 86400;
    }
    return -1;
}

#define SQL_SELECT                                                                                                     \
    "SELECT id, topic, kafka_partition, kafka_offset, order_id, reason, attempts, "                                    \
    "DATE_FORMAT(dead_at, '%Y-%m-%dT%H:%i:%s'), IFNULL(DATE_FORMAT(redriven_at, '%Y-%m-%dT%H:%i:%s'), '-'), "          \
    "redrive_count, LENGTH(payload), error, IFNULL(errors, ''), consumer_group, payload, msg_key, event_id, subject "  \
    "FROM dead_letter WHERE (? < 0 OR id = ?) AND (? = '' OR topic = ? OR topic = CONCAT(?, ?)) "                      \
    "AND (? = '' OR order_id = ?) AND (? = '' OR subject = ?) AND (? = '' OR reason = ?) "                             \
    "AND (? = 0 OR redriven_at IS NULL) "                                                                              \
    "AND (? = '' OR dead_at >= ?) AND (? < 0 OR dead_at >= NOW(3) - INTERVAL ? SECOND) "                               \
    "AND (? = '' OR dead_at <= ?) AND (? < 0 OR dead_at <= NOW(3) - INTERVAL ? SECOND) "
static const char SQL_OLDEST[] = SQL_SELECT "ORDER BY id LIMIT ?";
static const char SQL_NEWEST[] = SQL_SELECT "ORDER BY id DESC LIMIT ?";
static const char SQL_RECORD[] =
    "UPDATE dead_letter SET redriven_at = NOW(3), redrive_count = redrive_count + 1 WHERE id = ?";

static const char *nz(const char *s) {
    return s ? s : "";
}

of_err_t of_dlqstore_select(of_db_t *db, const char *prefix, const of_dlqstore_filter_t *f, of_rows_t **rowsp,
                            char *err, size_t errsize) {
    const char *topic = nz(f->topic), *order = nz(f->order), *klass = nz(f->klass), *about = nz(f->about);
    long long srel = f->since && *f->since ? rel_secs(f->since) : -1;
    long long urel = f->until && *f->until ? rel_secs(f->until) : -1;
    const char *sabs = f->since && srel < 0 ? f->since : "", *uabs = f->until && urel < 0 ? f->until : "";
    long limit = f->limit > 0 ? f->limit : 1000000;
    of_param_t p[] = {OFP_I(f->id),      OFP_I(f->id), OFP_S(topic), OFP_S(topic), OFP_S(prefix), OFP_S(topic),
                      OFP_S(order),      OFP_S(order), OFP_S(about), OFP_S(about), OFP_S(klass),  OFP_S(klass),
                      OFP_I(f->pending), OFP_S(sabs),  OFP_S(sabs),  OFP_I(srel),  OFP_I(srel),   OFP_S(uabs),
                      OFP_S(uabs),       OFP_I(urel),  OFP_I(urel),  OFP_I(limit)};
    int st = of_db_register(db, f->newest_first ? SQL_NEWEST : SQL_OLDEST);
    return of_db_query(db, st, p, 22, rowsp, err, errsize);
}

of_err_t of_dlqstore_redrive(of_db_t *db, of_producer_t *p, const char *prefix, const of_rows_t *rows, int r, char *err,
                             size_t errsize) {
    const char *id = of_rows_str(rows, r, OF_DLQ_ID), *topic = of_rows_str(rows, r, OF_DLQ_TOPIC);
    int t = of_topic_find(topic, "");
    if (t < 0) t = of_topic_find(topic, prefix);
    if (t < 0 || t == OF_TOPIC_DEADLETTER)
        return of_seterr(err, errsize, OF_ERR_CONFIG, "dead letter %s: origin %s is not a topic to re-drive to", id,
                         topic);
    of_dr_batch_t b = {0};
    const char *hdrs[] = {OF_HDR_REDRIVE, id, NULL};
    const char *payload = of_rows_str(rows, r, OF_DLQ_PAYLOAD), *key = of_rows_str(rows, r, OF_DLQ_KEY);
    size_t plen = rows->lens[r * rows->ncols + OF_DLQ_PAYLOAD];
    size_t klen = key ? rows->lens[r * rows->ncols + OF_DLQ_KEY] : 0;
    of_err_t e = of_producer_send(p, topic, key, klen, payload ? payload : "", payload ? plen : 0, hdrs, &b);
    if (of_producer_wait(p, &b) || e)
        return of_seterr(err, errsize, OF_ERR_TRANSIENT, "dead letter %s: not delivered to %s: %s", id, topic, b.error);
    of_param_t q[] = {OFP_S(id)};
    char why[384];
    if (of_db_exec(db, of_db_register(db, SQL_RECORD), q, 1, NULL, NULL, why, sizeof why))
        return of_seterr(err, errsize, OF_ERR_DB, "dead letter %s re-driven to %s but not recorded: %s", id, topic,
                         why);
    return OF_OK;
}
