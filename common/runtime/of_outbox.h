/* of_outbox.h -- transactional outbox: events written with the effect, published after commit. */
#ifndef OF_OUTBOX_H
#define OF_OUTBOX_H
#include <stddef.h>
#include <stdint.h>
#include "of_config.h"
#include "of_db.h"
#include "of_kafka.h"

typedef struct of_outbox_s of_outbox_t;

/* Bind to a connection (statements registered on it). Caller frees with of_outbox_destroy(). */
of_outbox_t *of_outbox_new(of_db_t *db, of_producer_t *producer);
void of_outbox_destroy(of_outbox_t *ob);

/* Inside the caller's transaction, for many events: stage a copy now, and write every staged event with one
 * multi-row INSERT (of_db_exec_multi) in of_outbox_write() before the commit. An event whose id is already in
 * the table is kept as it is there and published again after commit (consumers dedupe by event id). */
of_err_t of_outbox_stage(of_outbox_t *ob, int topic, const char *event_id, const void *key, size_t keylen,
                         const void *payload, size_t len, char *errstr, size_t errstr_size) OF_MUST_CHECK;
of_err_t of_outbox_write(of_outbox_t *ob, char *errstr, size_t errstr_size) OF_MUST_CHECK;
/* Forget what was added since the last flush or send (the transaction rolled back); events in flight, and those a
 * send left for the next flight, are kept. */
void of_outbox_discard(of_outbox_t *ob);
/* After commit: publish what was added, without waiting (D-T10-55): the delivery reports come in while the caller
 * goes on, and the events are marked sent (or tried) by the next flush, of_outbox_tick or of_outbox_destroy, which wait
 * for whatever is still out (bounded by message.timeout.ms or the stop grace). Events not delivered stay unsent for
 * the sweep. Returns the number sent. */
int of_outbox_flush(of_outbox_t *ob);
/* The same, never waiting for the previous flight's delivery reports: while they are not all in, what was added
 * stays for the next flight (the next flush, send, of_outbox_tick once the flight has landed, or
 * of_outbox_destroy). For a caller whose commits come faster than the broker's acknowledgements (of-delivery's
 * record thread). Returns the number sent now. */
int of_outbox_send(of_outbox_t *ob);
/* Publish unsent events older than min_age_ms (a crash between commit and publish, a broker outage). The rows are
 * leased first (one UPDATE), so instances sweeping at once never take the same rows; a lease lasts 60 s.
 * Returns the number published, -1 on a database error. */
int of_outbox_sweep(of_outbox_t *ob, int min_age_ms, int limit);
/* Delete up to limit rows sent more than retention_h hours ago (OF_OUTBOX_RETENTION_H). Returns the number
 * deleted, -1 on a database error. */
int of_outbox_prune(of_outbox_t *ob, int retention_h, int limit);
/* Between batches: a sweep every OF_OUTBOX_SWEEP_S (events at least 2 s old), a prune every minute
 * (OF_OUTBOX_RETENTION_H, 5,000 rows at most). */
void of_outbox_tick(of_outbox_t *ob, const of_config_t *cfg);

#endif
