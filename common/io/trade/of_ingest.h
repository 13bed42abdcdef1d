/* of_ingest.h -- raw-trade ingestion (trade-submit): store api_trade rows, detect changes. */
#ifndef OF_INGEST_H
#define OF_INGEST_H
#include "of_config.h"
#include "of_db.h"
#include "of_kafka.h"
#include "of_redis.h"
#include "of_worker.h"

typedef struct of_ingest_s of_ingest_t;

/* redis may be NULL (no fast path). consumer names this consumer in processed_event and Redis keys.
 * Borrowed: cfg, db, redis, producer must outlive the ingest. Caller frees with of_ingest_destroy(). */
of_ingest_t *of_ingest_new(const of_config_t *cfg, of_db_t *db, of_redis_t *redis, of_producer_t *producer,
                           const char *consumer, char *errstr, size_t errstr_size);
void of_ingest_destroy(of_ingest_t *in);

/* of_batch_fn: decode + validate each RawTrade (bad ones: dead letter with the reason), resolve the shop
 * (unknown: dead letter), skip replays (Redis fast path, then processed_event), apply the rest in one
 * transaction (falling back to one transaction per message to isolate a poison message), then publish
 * the TradeChange events of the outbox. */
of_err_t of_ingest_batch(void *ctx, rd_kafka_message_t **msgs, int n, of_msg_result_t *results);
/* of_tick_fn: sweep the outbox, forget cached shops. */
void of_ingest_tick(void *ctx);
/* The ingest is lane `lane` of its instance (OF_WORKER_LANES): lanes other than 0 leave the instance's upkeep
 * (the ledger's retention, the automatic re-submission) to lane 0; each sweeps its own outbox. */
void of_ingest_set_lane(of_ingest_t *in, int lane);

#endif
