/* of_dlqstore.h -- the dead letters of_dlq-recorder keeps in MySQL (dead_letter): select them by filters and re-drive
 * one (its original bytes and key back to the origin topic as a fresh first try, recorded). `ordctl dlq` and the ops
 * console. */
#ifndef OF_DLQSTORE_H
#define OF_DLQSTORE_H
#include <stddef.h>
#include "of_db.h"
#include "of_err.h"
#include "of_kafka.h"

/* Filters (NULL or "" = any). since/until: 'YYYY-MM-DD HH:MM:SS' or an age such as 30s, 10m, 2h, 1d. */
typedef struct {
    const char *topic, *order, *klass, *since, *until;
    const char *about; /* the subject as the worker read it, whole: "tid:T1001", "order:1003" (D-DLQ-3; the column's
                        * collation: letter case ignored, as for tids) */
    int pending;       /* 1: only those not re-driven yet */
    long long id;      /* -1 = any */
    long limit;        /* rows at most (0 = 1000000) */
    int newest_first;
} of_dlqstore_filter_t;

/* The columns of a selected row (of_rows_str(rows, r, OF_DLQ_…)). */
enum {
    OF_DLQ_ID,
    OF_DLQ_TOPIC, /* origin topic, full name */
    OF_DLQ_PARTITION,
    OF_DLQ_OFFSET,
    OF_DLQ_ORDER, /* "" when none */
    OF_DLQ_CLASS, /* decode, validation, unknown_ref, config, permanent, exhausted */
    OF_DLQ_ATTEMPTS,
    OF_DLQ_DEAD_AT,     /* YYYY-MM-DDTHH:MM:SS */
    OF_DLQ_REDRIVEN_AT, /* "-" when never */
    OF_DLQ_REDRIVES,
    OF_DLQ_BYTES,
    OF_DLQ_ERROR,  /* the last try's error */
    OF_DLQ_ERRORS, /* every try's, JSON [{attempt, at, error}] or "" */
    OF_DLQ_GROUP,
    OF_DLQ_PAYLOAD,
    OF_DLQ_KEY,
    OF_DLQ_EVENT_ID, /* the original's event id, "" when unread */
    OF_DLQ_SUBJECT   /* "tid:…", "order:…", "user:…", "" when unread (D-DLQ-3) */
};

/* Rows of dead_letter matching f, by id (f->newest_first: newest first). prefix: OF_TOPIC_PREFIX (a topic filter
 * matches with or without it). */
of_err_t of_dlqstore_select(of_db_t *db, const char *prefix, const of_dlqstore_filter_t *f, of_rows_t **rowsp,
                            char *err, size_t errsize) OF_MUST_CHECK;

/* Re-drive row r of rows (from of_dlqstore_select): the original bytes and key to the origin topic (no retry
 * headers: a fresh first try; header of-redrive names the dead letter), waits until Kafka holds it, then records
 * redriven_at and redrive_count. OF_ERR_CONFIG when the origin is not a topic of the table (or the deadletter topic
 * itself); an error of its own when not delivered, or delivered but not recorded (err says which). */
of_err_t of_dlqstore_redrive(of_db_t *db, of_producer_t *p, const char *prefix, const of_rows_t *rows, int r, char *err,
                             size_t errsize) OF_MUST_CHECK;

#endif
