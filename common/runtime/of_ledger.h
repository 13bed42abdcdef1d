/* of_ledger.h -- the processed-event ledger (processed_event, D-T10-11): which events a consumer has applied, written
 * in the same transaction as their effect; its retention. */
#ifndef OF_LEDGER_H
#define OF_LEDGER_H
#include <stdint.h>
#include "of_db.h"

/* The ledger's statements on one connection. */
typedef struct {
    of_db_multi_t seen, processed;
} of_ledger_t;
/* Register the statements on db. -1 when they cannot be. */
int of_ledger_init(of_db_t *db, of_ledger_t *lg);

/* seen[k] = 1 when consumer applied event_ids[k] before (one statement for the n). */
of_err_t of_ledger_seen(of_db_t *db, const of_ledger_t *lg, const char *consumer, const char *const *event_ids, int n,
                        uint8_t *seen, char *errstr, size_t errstr_size) OF_MUST_CHECK;

/* One applied event. */
typedef struct {
    const char *event_id, *topic, *outcome;
    int partition;
    int64_t offset;
} of_ledger_row_t;
/* Record n applied events of consumer (one multi-row insert). OF_ERR_DUPLICATE: another instance recorded one of
 * them meanwhile (roll back and read again). */
of_err_t of_ledger_record(of_db_t *db, const of_ledger_t *lg, const char *consumer, const of_ledger_row_t *rows, int n,
                          char *errstr, size_t errstr_size) OF_MUST_CHECK;

/* Delete up to limit ledger rows older than retention_h hours (OF_LEDGER_RETENTION_H). A replay of messages older
 * than the retention is applied again, so it must exceed the topics' retention (a week on the local stack).
 * Returns the number deleted, -1 on a database error. The statement is registered on db at the first call. */
int of_ledger_prune(of_db_t *db, int retention_h, int limit);
/* Milliseconds until the next prune (ledger or outbox) after one that deleted `deleted` of at most `limit` rows: a
 * full slice means more rows are due, the next one follows in a second (up to limit rows a second per instance);
 * else a minute (docs/scaling.md "Retention"). */
int64_t of_ledger_prune_wait_ms(int deleted, int limit);

#endif
