/* ordctl dlq: dead letters: list (MySQL dead_letter, or the deadletter topic with --kafka) and re-drive. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <cjson/cJSON.h>
#include "deadletter.pb-c.h"
#include "of_db.h"
#include "of_dlqstore.h"
#include "of_kafka.h"
#include "of_topics.h"
#include "ordctl.h"

typedef struct {
    const char *origin;
    long limit, shown, total;
    const char *about;
} dlq_arg_t;

static int print_dl(const rd_kafka_message_t *m, void *varg) {
    dlq_arg_t *a = varg;
    a->total++;
    Orderfleet__DeadLetter *dl = orderfleet__dead_letter__unpack(NULL, m->len, m->payload);
    if (!dl) {
        printf("dlq partition=%d offset=%lld undecodable (%zu bytes)\n", m->partition, (long long)m->offset, m->len);
        return 0;
    }
    if ((!a->origin || strstr(dl->topic, a->origin)) && (!a->about || !strcasecmp(dl->subject, a->about)) &&
        a->shown < a->limit) {
        a->shown++;
        char when[32];
        time_t secs = (time_t)(dl->dead_at_ms / 1000);
        struct tm tm;
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&secs, &tm));
        printf("dlq partition=%d offset=%lld origin=%s:%d:%lld about=%s event_id=%s class=%s attempts=%d dead_at=%s "
               "bytes=%zu reason=\"%s\"\n",
               m->partition, (long long)m->offset, dl->topic, dl->partition, (long long)dl->offset,
               *dl->subject ? dl->subject : "-", *dl->event_id ? dl->event_id : "-", dl->error_class, dl->attempts,
               when, dl->original.len, dl->error);
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
    of_dlqstore_filter_t f;
    long limit;
    int errors, kafka, all;
} dlq_opts_t;

/* a cell, "-" when empty */
static const char *dash(const of_rows_t *rows, int r, int c) {
    const char *s = of_rows_str(rows, r, c);
    return s && *s ? s : "-";
}

static void print_row(const of_rows_t *rows, int r, int with_errors) {
    printf("dlq id=%s origin=%s:%s:%s order=%s about=%s event_id=%s class=%s attempts=%s dead_at=%s redriven=%s "
           "redrives=%s bytes=%s reason=\"%s\"\n",
           dash(rows, r, OF_DLQ_ID), dash(rows, r, OF_DLQ_TOPIC), dash(rows, r, OF_DLQ_PARTITION),
           dash(rows, r, OF_DLQ_OFFSET), dash(rows, r, OF_DLQ_ORDER), dash(rows, r, OF_DLQ_SUBJECT),
           dash(rows, r, OF_DLQ_EVENT_ID), dash(rows, r, OF_DLQ_CLASS), dash(rows, r, OF_DLQ_ATTEMPTS),
           dash(rows, r, OF_DLQ_DEAD_AT), dash(rows, r, OF_DLQ_REDRIVEN_AT), dash(rows, r, OF_DLQ_REDRIVES),
           of_rows_str(rows, r, OF_DLQ_BYTES) ? of_rows_str(rows, r, OF_DLQ_BYTES) : "0",
           of_rows_str(rows, r, OF_DLQ_ERROR) ? of_rows_str(rows, r, OF_DLQ_ERROR) : "");
    if (!with_errors) return;
    const char *js = of_rows_str(rows, r, OF_DLQ_ERRORS);
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
            o->f.pending = 1;
        else if (!strcmp(a, "--errors"))
            o->errors = 1;
        else if (!strcmp(a, "--all"))
            o->all = 1;
        else if (i + 1 < argc && !strcmp(a, "--topic"))
            o->f.topic = argv[++i];
        else if (i + 1 < argc && !strcmp(a, "--order"))
            o->f.order = argv[++i];
        else if (i + 1 < argc && !strcmp(a, "--about"))
            o->f.about = argv[++i];
        else if (i + 1 < argc && !strcmp(a, "--class"))
            o->f.klass = argv[++i];
        else if (i + 1 < argc && !strcmp(a, "--since"))
            o->f.since = argv[++i];
        else if (i + 1 < argc && !strcmp(a, "--until"))
            o->f.until = argv[++i];
        else if (i + 1 < argc && !strcmp(a, "--limit"))
            o->limit = atol(argv[++i]);
        else if (a[0] >= '0' && a[0] <= '9')
            o->f.id = atoll(a);
        else
            return -1;
    }
    return 0;
}

static const char DLQ_USAGE[] =
    "usage: ordctl dlq list [--topic ORIGIN] [--order ORDER] [--about S] [--class C] [--since T] [--until T]\n"
    "                       [--pending] [--errors] [--limit N] [--kafka]\n"
    "       ordctl dlq redrive (ID | --all [--topic ORIGIN] [--order ORDER] [--about S] [--class C] [--since T]\n"
    "                          [--until T])\n"
    "T: 'YYYY-MM-DD HH:MM:SS' or an age such as 30m, 2h, 1d. --pending: not re-driven yet. --about: what the\n"
    "message is about as the worker read it: tid:<platform trade id>, order:<id>, user:<id> (the whole subject,\n"
    "letter case ignored, as the schema compares tids). --kafka: read the deadletter topic instead of MySQL's\n"
    "dead_letter table (what is there now, even without of-dlq-recorder).\n";

static int cmd_list(dlq_opts_t *o) {
    if (o->kafka) {
        dlq_arg_t a = {o->f.topic, o->limit, 0, 0, o->f.about};
        return list_kafka(&a);
    }
    char err[512];
    of_db_t *db = of_db_connect(cfg, NULL, err, sizeof err);
    if (!db) {
        fprintf(stderr, "ordctl dlq list: %s\n", err);
        return 1;
    }
    of_rows_t *rows;
    if (of_dlqstore_select(db, of_cfg_str(cfg, OF_CFG_TOPIC_PREFIX), &o->f, &rows, err, sizeof err)) {
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
    if (!o->all && o->f.id < 0) {
        fprintf(stderr, "ordctl dlq redrive: give a dead letter ID or --all\n%s", DLQ_USAGE);
        return 2;
    }
    o->f.pending = o->all; /* --all: those not re-driven yet; an ID: that one, even if re-driven before */
    if (need_kafka()) return 2;
    char err[512];
    of_db_t *db = of_db_connect(cfg, NULL, err, sizeof err);
    if (!db) {
        fprintf(stderr, "ordctl dlq redrive: %s\n", err);
        return 1;
    }
    of_rows_t *rows;
    if (of_dlqstore_select(db, of_cfg_str(cfg, OF_CFG_TOPIC_PREFIX), &o->f, &rows, err, sizeof err)) {
        fprintf(stderr, "ordctl dlq redrive: %s\n", err);
        of_db_close(db);
        return 1;
    }
    if (!o->all && !rows->nrows) {
        fprintf(stderr, "ordctl dlq redrive: no dead letter with id %lld\n", o->f.id);
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
    int rc = 0, done = 0;
    for (int r = 0; r < rows->nrows; r++) {
        if (of_dlqstore_redrive(db, p, of_cfg_str(cfg, OF_CFG_TOPIC_PREFIX), rows, r, err, sizeof err)) {
            fprintf(stderr, "ordctl dlq redrive: %s\n", err);
            rc = 1;
            continue;
        }
        const char *order = of_rows_str(rows, r, OF_DLQ_ORDER);
        printf("redriven id=%s to=%s order=%s\n", of_rows_str(rows, r, OF_DLQ_ID), of_rows_str(rows, r, OF_DLQ_TOPIC),
               order && *order ? order : "-");
        done++;
    }
    printf("redriven: %d\n", done);
    of_producer_destroy(p);
    of_rows_free(rows);
    of_db_close(db);
    return rc;
}

int cmd_dlq(int argc, char **argv) {
    dlq_opts_t o = {.f = {.id = -1}, .limit = 1000000};
    if (argc < 2 || (strcmp(argv[1], "list") && strcmp(argv[1], "redrive")) || parse_opts(argc, argv, 2, &o)) {
        fputs(DLQ_USAGE, stderr);
        return 2;
    }
    return !strcmp(argv[1], "list") ? cmd_list(&o) : cmd_redrive(&o);
}
