/* ordctl dlq: dead letters: list (MySQL dead_letter, or the deadletter topic with --kafka) and re-drive. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cjson/cJSON.h>
#include "deadletter.pb-c.h"
#include "of_db.h"
#include "of_kafka.h"
#include "of_ladder.h"
#include "of_topics.h"
#include "ordctl.h"

typedef struct {
    const char *origin;
    long limit, shown, total;
} dlq_arg_t;

static int print_dl(const rd_kafka_message_t *m, void *varg) {
    dlq_arg_t *a = varg;
    a->total++;
    Orderfleet__DeadLetter *dl = orderfleet__dead_letter__unpack(NULL, m->len, m->payload);
    if (!dl) {
        printf("dlq partition=%d offset=%lld undecodable (%zu bytes)\n", m->partition, (long long)m->offset, m->len);
        return 0;
    }
    if ((!a->origin || strstr(dl->topic, a->origin)) && a->shown < a->limit) {
        a->shown++;
        char when[32];
        time_t secs = (time_t)(dl->dead_at_ms / 1000);
        struct tm tm;
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&secs, &tm));
        printf("dlq partition=%d offset=%lld origin=%s:%d:%lld class=%s attempts=%d dead_at=%s bytes=%zu "
               "reason=\"%s\"\n",
               m->partition, (long long)m->offset, dl->topic, dl->partition, (long long)dl->offset, dl->error_class,
               dl->attempts, when, dl->original.len, dl->error);
    }
    orderfleet__dead_letter__free_unpacked(dl, NULL);
    return 0;
}

static int list_kafka(dlq_arg_t *a) {
    if (need_kafka()) return 2;
    char t[256];
    of_topic_name(OF_TOPIC_DEADLETTER, of_cfg_str(cfg, OF_CFG_TOPIC_PREFIX), t, sizeof t);
    if (read_topic(t, print_dl, a)) return 1;
    printf("dead letters: %ld shown of %ld\n", a->shown, a->total);
    return 0;
}

/* Filters shared by list and redrive. */
typedef struct {
    const char *topic, *order, *klass, *since, *until;
    long limit;
    int pending, errors, kafka, all;
    long long id;
} dlq_opts_t;

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

static const char SQL_SELECT[] =
    "SELECT id, topic, kafka_partition, kafka_offset, order_id, reason, attempts, "
    "DATE_FORMAT(dead_at, '%Y-%m-%dT%H:%i:%s'), IFNULL(DATE_FORMAT(redriven_at, '%Y-%m-%dT%H:%i:%s'), '-'), "
    "redrive_count, LENGTH(payload), error, IFNULL(errors, ''), consumer_group, payload, msg_key "
    "FROM dead_letter WHERE (? < 0 OR id = ?) AND (? = '' OR topic = ? OR topic = CONCAT(?, ?)) "
    "AND (? = '' OR order_id = ?) AND (? = '' OR reason = ?) AND (? = 0 OR redriven_at IS NULL) "
    "AND (? = '' OR dead_at >= ?) AND (? < 0 OR dead_at >= NOW(3) - INTERVAL ? SECOND) "
    "AND (? = '' OR dead_at <= ?) AND (? < 0 OR dead_at <= NOW(3) - INTERVAL ? SECOND) ORDER BY id LIMIT 1000000";

static of_err_t select_rows(of_db_t *db, const dlq_opts_t *o, of_rows_t **rowsp, char *err, size_t size) {
    const char *prefix = of_cfg_str(cfg, OF_CFG_TOPIC_PREFIX);
    const char *topic = o->topic ? o->topic : "", *order = o->order ? o->order : "", *klass = o->klass ? o->klass : "";
    long long srel = o->since ? rel_secs(o->since) : -1, urel = o->until ? rel_secs(o->until) : -1;
    const char *sabs = o->since && srel < 0 ? o->since : "", *uabs = o->until && urel < 0 ? o->until : "";
    of_param_t p[] = {OFP_I(o->id),      OFP_I(o->id), OFP_S(topic), OFP_S(topic), OFP_S(prefix),
                      OFP_S(topic),      OFP_S(order), OFP_S(order), OFP_S(klass), OFP_S(klass),
                      OFP_I(o->pending), OFP_S(sabs),  OFP_S(sabs),  OFP_I(srel),  OFP_I(srel),
                      OFP_S(uabs),       OFP_S(uabs),  OFP_I(urel),  OFP_I(urel)};
    int st = of_db_register(db, SQL_SELECT);
    return of_db_query(db, st, p, 19, rowsp, err, size);
}

static void print_row(const of_rows_t *rows, int r, int with_errors) {
    const char *redriven = of_rows_str(rows, r, 8);
    printf("dlq id=%s origin=%s:%s:%s order=%s class=%s attempts=%s dead_at=%s redriven=%s redrives=%s bytes=%s "
           "reason=\"%s\"\n",
           of_rows_str(rows, r, 0), of_rows_str(rows, r, 1), of_rows_str(rows, r, 2), of_rows_str(rows, r, 3),
           *of_rows_str(rows, r, 4) ? of_rows_str(rows, r, 4) : "-", of_rows_str(rows, r, 5), of_rows_str(rows, r, 6),
           of_rows_str(rows, r, 7), redriven, of_rows_str(rows, r, 9),
           of_rows_str(rows, r, 10) ? of_rows_str(rows, r, 10) : "0", of_rows_str(rows, r, 11));
    if (!with_errors) return;
    const char *js = of_rows_str(rows, r, 12);
    cJSON *a = js && *js ? cJSON_Parse(js) : NULL;
    const cJSON *e;
    cJSON_ArrayForEach(e, a) {
        const cJSON *at = cJSON_GetObjectItem(e, "at"), *er = cJSON_GetObjectItem(e, "error"),
                    *n = cJSON_GetObjectItem(e, "attempt");
        printf("    try %d at %s: %s\n", n ? n->valueint : 0, cJSON_IsString(at) ? at->valuestring : "?",
               cJSON_IsString(er) ? er->valuestring : "?");
    }
    cJSON_Delete(a);
}

static int parse_opts(int argc, char **argv, int first, dlq_opts_t *o) {
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--kafka"))
            o->kafka = 1;
        else if (!strcmp(a, "--pending"))
            o->pending = 1;
        else if (!strcmp(a, "--errors"))
            o->errors = 1;
        else if (!strcmp(a, "--all"))
            o->all = 1;
        else if (i + 1 < argc && !strcmp(a, "--topic"))
            o->topic = argv[++i];
        else if (i + 1 < argc && !strcmp(a, "--order"))
            o->order = argv[++i];
        else if (i + 1 < argc && !strcmp(a, "--class"))
            o->klass = argv[++i];
        else if (i + 1 < argc && !strcmp(a, "--since"))
            o->since = argv[++i];
        else if (i + 1 < argc && !strcmp(a, "--until"))
            o->until = argv[++i];
        else if (i + 1 < argc && !strcmp(a, "--limit"))
            o->limit = atol(argv[++i]);
        else if (a[0] >= '0' && a[0] <= '9')
            o->id = atoll(a);
        else
            return -1;
    }
    return 0;
}

static const char DLQ_USAGE[] =
    "usage: ordctl dlq list [--topic ORIGIN] [--order ORDER] [--class C] [--since T] [--until T] [--pending]\n"
    "                       [--errors] [--limit N] [--kafka]\n"
    "       ordctl dlq redrive (ID | --all [--topic ORIGIN] [--order ORDER] [--class C] [--since T] [--until T])\n"
    "T: 'YYYY-MM-DD HH:MM:SS' or an age such as 30m, 2h, 1d. --pending: not re-driven yet. --kafka: read the\n"
    "deadletter topic instead of MySQL's dead_letter table (what is there now, even without of-dlq-recorder).\n";

static int cmd_list(dlq_opts_t *o) {
    if (o->kafka) {
        dlq_arg_t a = {o->topic, o->limit, 0, 0};
        return list_kafka(&a);
    }
    char err[512];
    of_db_t *db = of_db_connect(cfg, NULL, err, sizeof err);
    if (!db) {
        fprintf(stderr, "ordctl dlq list: %s\n", err);
        return 1;
    }
    of_rows_t *rows;
    if (select_rows(db, o, &rows, err, sizeof err)) {
        fprintf(stderr, "ordctl dlq list: %s\n", err);
        of_db_close(db);
        return 1;
    }
    long shown = 0;
    for (int r = 0; r < rows->nrows && shown < o->limit; r++, shown++)
        print_row(rows, r, o->errors);
    printf("dead letters: %ld shown of %d\n", shown, rows->nrows);
    of_rows_free(rows);
    of_db_close(db);
    return 0;
}

/* Re-drive: the original bytes and key back to the origin topic (a fresh first try: no retry headers; header
 * of-redrive names the dead letter), then redriven_at / redrive_count recorded. */
static int cmd_redrive(dlq_opts_t *o) {
    if (!o->all && o->id < 0) {
        fprintf(stderr, "ordctl dlq redrive: give a dead letter ID or --all\n%s", DLQ_USAGE);
        return 2;
    }
    if (!o->all)
        o->pending = 0;
    else
        o->pending = 1; /* --all: those not re-driven yet */
    if (need_kafka()) return 2;
    char err[512];
    of_db_t *db = of_db_connect(cfg, NULL, err, sizeof err);
    if (!db) {
        fprintf(stderr, "ordctl dlq redrive: %s\n", err);
        return 1;
    }
    of_rows_t *rows;
    if (select_rows(db, o, &rows, err, sizeof err)) {
        fprintf(stderr, "ordctl dlq redrive: %s\n", err);
        of_db_close(db);
        return 1;
    }
    if (!o->all && !rows->nrows) {
        fprintf(stderr, "ordctl dlq redrive: no dead letter with id %lld\n", o->id);
        of_rows_free(rows);
        of_db_close(db);
        return 1;
    }
    of_producer_t *p = of_producer_new(cfg, "ordctl-redrive", err, sizeof err);
    if (!p) {
        fprintf(stderr, "ordctl: producer: %s\n", err);
        of_rows_free(rows);
        of_db_close(db);
        return 1;
    }
    int st_upd = of_db_register(db, "UPDATE dead_letter SET redriven_at = NOW(3), redrive_count = redrive_count + 1 "
                                    "WHERE id = ?");
    int rc = 0, done = 0;
    for (int r = 0; r < rows->nrows; r++) {
        const char *id = of_rows_str(rows, r, 0), *topic = of_rows_str(rows, r, 1);
        int t = of_topic_find(topic, "");
        if (t < 0) t = of_topic_find(topic, of_cfg_str(cfg, OF_CFG_TOPIC_PREFIX));
        if (t < 0 || t == OF_TOPIC_DEADLETTER) {
            fprintf(stderr, "ordctl dlq redrive: id %s: origin %s is not a topic to re-drive to; skipped\n", id, topic);
            rc = 1;
            continue;
        }
        of_dr_batch_t b = {0};
        const char *hdrs[] = {OF_HDR_REDRIVE, id, NULL};
        const char *payload = of_rows_str(rows, r, 14), *key = of_rows_str(rows, r, 15);
        size_t plen = rows->lens[r * rows->ncols + 14], klen = key ? rows->lens[r * rows->ncols + 15] : 0;
        of_err_t e = of_producer_send(p, topic, key, klen, payload ? payload : "", payload ? plen : 0, hdrs, &b);
        if (of_producer_wait(p, &b) || e) {
            fprintf(stderr, "ordctl dlq redrive: id %s: not delivered: %s\n", id, b.error);
            rc = 1;
            continue;
        }
        of_param_t q[] = {OFP_S(id)};
        if (of_db_exec(db, st_upd, q, 1, NULL, NULL, err, sizeof err)) {
            fprintf(stderr, "ordctl dlq redrive: id %s re-driven but not recorded: %s\n", id, err);
            rc = 1;
        }
        printf("redriven id=%s to=%s order=%s\n", id, topic, *of_rows_str(rows, r, 4) ? of_rows_str(rows, r, 4) : "-");
        done++;
    }
    printf("redriven: %d\n", done);
    of_producer_destroy(p);
    of_rows_free(rows);
    of_db_close(db);
    return rc;
}

int cmd_dlq(int argc, char **argv) {
    dlq_opts_t o = {.limit = 1000000, .id = -1};
    if (argc < 2 || (strcmp(argv[1], "list") && strcmp(argv[1], "redrive")) || parse_opts(argc, argv, 2, &o)) {
        fputs(DLQ_USAGE, stderr);
        return 2;
    }
    return !strcmp(argv[1], "list") ? cmd_list(&o) : cmd_redrive(&o);
}
