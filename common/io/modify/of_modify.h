/* of_modify.h -- trade-modify's batch handler: TradeChange events in, the MOD rules applied to the system orders
 * (of_modstore), each change recorded once in the processed-event ledger. */
#ifndef OF_MODIFY_H
#define OF_MODIFY_H
#include "of_config.h"
#include "of_db.h"
#include "of_kafka.h"
#include "of_ladder.h"
#include "of_worker.h"

typedef struct of_modify_s of_modify_t;

/* The largest TradeChange taken (bytes, D-MOD-42): trade-submit's are ~50 bytes a sub-order; a larger one is a dead
 * letter at once, as it could not wait on the retry ladder (its envelope over the producer's message size). */
#define OF_MODIFY_MAX_CHANGE (256 * 1024)

/* consumer names this consumer in processed_event; ladder: where a change of a trade not submitted yet waits
 * (OF_RETRY_LADDER, served by of-retry-ladder). Borrowed: cfg, db, producer, ladder. Caller frees with
 * of_modify_destroy(). */
of_modify_t *of_modify_new(const of_config_t *cfg, of_db_t *db, of_producer_t *producer, const of_ladder_t *ladder,
                           const char *consumer, char *errstr, size_t errstr_size);
void of_modify_destroy(of_modify_t *md);

/* of_batch_fn: decode + validate each TradeChange (bad ones: dead letter with the reason), skip replays
 * (processed_event), apply the raw trades' pending bits in one transaction (one job per raw trade; falling back to
 * one transaction per message to isolate a poison one); a change of a trade not submitted yet goes up the retry
 * ladder (a dead letter once its tries are used up). */
of_err_t of_modify_batch(void *ctx, rd_kafka_message_t **msgs, int n, of_msg_result_t *results);
/* of_tick_fn: ledger retention, catalogue refresh. */
void of_modify_tick(void *ctx);
/* The context is lane `lane` of its instance (OF_WORKER_LANES): lanes other than 0 leave the instance's upkeep (the
 * ledger's retention) to lane 0. */
void of_modify_set_lane(of_modify_t *md, int lane);

#endif
