/* of_delivery_worker.h -- the delivery worker's batch handler: paid orders POSTed to their merchant once
 * (DLV-2..DLV-6). */
#ifndef OF_DELIVERY_WORKER_H
#define OF_DELIVERY_WORKER_H
#include <stddef.h>
#include <stdint.h>
#include "of_config.h"
#include "of_delivery.h"
#include "of_db.h"
#include "of_kafka.h"
#include "of_ladder_send.h"
#include "of_redis.h"
#include "of_worker.h"
#include "payment.pb-c.h"

typedef struct of_delivery_s of_delivery_t;

/* redis may be NULL (MySQL alone decides duplicates). group names the consumer group in dead letters.
 * Borrowed: cfg, db, redis, producer, ladder must outlive the handler. Caller frees with of_delivery_worker_destroy().
 * NULL + errstr when a setting is wrong or libcurl cannot start. */
of_delivery_t *of_delivery_worker_new(const of_config_t *cfg, of_db_t *db, of_redis_t *redis, of_producer_t *producer,
                                      const of_ladder_t *ladder, const char *group, char *errstr, size_t errstr_size);
void of_delivery_worker_destroy(of_delivery_t *d);

/* of_batch_fn for delivery.request: decode and validate each DeliveryRequest (bad: dead letter), resolve the
 * merchant (unknown, disabled or without its secret: dead letter), claim the order (Redis DLV-2, then the
 * delivery row in MySQL: a duplicate notify or a replay does nothing), POST the claimed ones to their merchants
 * concurrently (at most OF_DELIVERY_MAX_INFLIGHT, one call per order at a time), send failed tries up the
 * ladder or to the dead-letter topic and wait until that is durable, then record every try and outcome in one
 * transaction with an OrderEvent in the outbox, and clean Redis (DLV-4). Returns OF_ERR_TRANSIENT (nothing
 * recorded, the batch is handed again) when the database or the broker is away. */
of_err_t of_delivery_worker_batch(void *ctx, rd_kafka_message_t **msgs, int n, of_msg_result_t *results);
/* of_tick_fn: outbox sweep, merchant cache refresh. */
void of_delivery_worker_tick(void *ctx);

#endif
