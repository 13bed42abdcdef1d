/* of_finish.h -- payment-finish (spec flash-sale-payment.md FS-9): consumes PaymentCompleted from payment.completed
 * and runs each paid order's chain — paid, method, units, repurchase, push, message, activity, deliver — each step
 * once: a batch runs step after step, each step one transaction for every order that has not done it (the order rows
 * locked, the step's rows and its fs_finish_step rows written together, its events through the outbox). An order
 * whose step fails goes up the retry ladder with the error; when it comes back the steps it did are skipped. */
#ifndef OF_FINISH_H
#define OF_FINISH_H
#include "of_db.h"
#include "of_kafka.h"
#include "of_ladder.h"
#include "of_worker.h"

typedef struct of_finish_s of_finish_t;

of_finish_t *of_finish_new(const of_config_t *cfg, of_db_t *db, of_producer_t *producer, const of_ladder_t *ladder,
                           const char *worker, char *errstr, size_t errstr_size);
void of_finish_destroy(of_finish_t *f);
/* of_batch_fn */
of_err_t of_finish_batch(void *ctx, rd_kafka_message_t **msgs, int n, of_msg_result_t *results);
/* of_tick_fn: the outbox's sweep and prune */
void of_finish_tick(void *ctx);

#endif
