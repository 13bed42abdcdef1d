/* of_ladder_send.h -- sending a failed message up the retry ladder, or to the dead letters (DLV-6, DLV-7). */
#ifndef OF_LADDER_SEND_H
#define OF_LADDER_SEND_H
#include "of_kafka.h"
#include "of_ladder.h"

/* Send m up the ladder after its try ctx->attempt failed with `error` (of_ladder_pack on the next rung's topic).
 * *rungp = the rung, or -1 when the tries are used up: nothing is sent, the caller dead-letters (of_dlq_pack with
 * the context's errors, of_ladder_send_dead). The send is tracked in b (wait with of_producer_wait before storing
 * m's offset). */
of_err_t of_ladder_send(of_producer_t *p, const of_ladder_t *l, const rd_kafka_message_t *m, const of_retry_ctx_t *ctx,
                        const char *error, const char *worker, int *rungp, of_dr_batch_t *b) OF_MUST_CHECK;
/* Send a packed dead letter to the deadletter topic (headers of-error-class, of-origin-topic), tracked in b. */
of_err_t of_ladder_send_dead(of_producer_t *p, const rd_kafka_message_t *m, const uint8_t *buf, size_t len,
                             const char *error_class, of_dr_batch_t *b) OF_MUST_CHECK;

#endif
