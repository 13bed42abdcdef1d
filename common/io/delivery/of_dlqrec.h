/* of_dlqrec.h -- the dead-letter recorder: every DeadLetter of the deadletter topic into MySQL (dead_letter, with
 * every try's error) and one line per dead letter in a text log (the seed's 记录文本LOG, DLV-6). */
#ifndef OF_DLQREC_H
#define OF_DLQREC_H
#include <stddef.h>
#include "of_config.h"
#include "of_db.h"
#include "of_worker.h"

typedef struct of_dlqrec_s of_dlqrec_t;

/* Opens OF_DEADLETTER_LOG for appending (NULL + errstr when it cannot). Borrowed: cfg, db.
 * Caller frees with of_dlqrec_destroy(). */
of_dlqrec_t *of_dlqrec_new(const of_config_t *cfg, of_db_t *db, char *errstr, size_t errstr_size);
void of_dlqrec_destroy(of_dlqrec_t *r);

/* of_batch_fn for the deadletter topic: one row per dead letter (keyed by its origin: group, topic, partition,
 * offset, so a redelivery adds nothing), in one transaction; then one text-log line per row inserted. A value
 * that is not a DeadLetter is recorded as such (never sent back to the dead-letter topic). */
of_err_t of_dlqrec_batch(void *ctx, rd_kafka_message_t **msgs, int n, of_msg_result_t *results);

/* One text-log line for a dead letter (no newline inside; quotes and control bytes escaped); subject: what it is
 * about ("tid:…", "order:…"; NULL or "" = "-"). Pure. */
const char *of_dlqrec_line(long long id, const char *origin, int partition, long long offset, const char *order,
                           const char *subject, const char *klass, int attempts, const char *group,
                           long long dead_at_ms, const char *error, char *buf, size_t size);

#endif
