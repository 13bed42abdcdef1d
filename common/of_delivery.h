/* of_delivery.h -- the delivery worker's batch handler: paid orders POSTed to their merchant once (DLV-2..DLV-6). */
#ifndef OF_DELIVERY_H
#define OF_DELIVERY_H
#include <stddef.h>
#include <stdint.h>
#include "of_config.h"
#include "of_db.h"
#include "of_kafka.h"
#include "of_ladder.h"
#include "of_redis.h"
#include "of_worker.h"
#include "payment.pb-c.h"

typedef struct of_delivery_s of_delivery_t;

/* redis may be NULL (MySQL alone decides duplicates). group names the consumer group in dead letters.
 * Borrowed: cfg, db, redis, producer, ladder must outlive the handler. Caller frees with of_delivery_destroy().
 * NULL + errstr when a setting is wrong or libcurl cannot start. */
of_delivery_t *of_delivery_new(const of_config_t *cfg, of_db_t *db, of_redis_t *redis, of_producer_t *producer,
                               const of_ladder_t *ladder, const char *group, char *errstr, size_t errstr_size);
void of_delivery_destroy(of_delivery_t *d);

/* of_batch_fn for delivery.request: decode and validate each DeliveryRequest (bad: dead letter), resolve the
 * merchant (unknown, disabled or without its secret: dead letter), claim the order (Redis DLV-2, then the
 * delivery row in MySQL: a duplicate notify or a replay does nothing), POST the claimed ones to their merchants
 * concurrently (at most OF_DELIVERY_MAX_INFLIGHT, one call per order at a time), send failed tries up the
 * ladder or to the dead-letter topic and wait until that is durable, then record every try and outcome in one
 * transaction with an OrderEvent in the outbox, and clean Redis (DLV-4). Returns OF_ERR_TRANSIENT (nothing
 * recorded, the batch is handed again) when the database or the broker is away. */
of_err_t of_delivery_batch(void *ctx, rd_kafka_message_t **msgs, int n, of_msg_result_t *results);
/* of_tick_fn: outbox sweep, merchant cache refresh. */
void of_delivery_tick(void *ctx);

/* ---- pure parts (unit-tested) ---- */

/* The order's reference: order_code when set, else the decimal order_id. Key of the message, of the Redis
 * keys and of delivery.order_id. Returns buf ("" when the request has neither). */
const char *of_delivery_ref(const Orderfleet__DeliveryRequest *rq, char *buf, size_t size);
/* The idempotency key sent to the merchant: the request's, else "dlv-<merchant_id>-<ref>" (stable across
 * retries and re-drives). */
const char *of_delivery_idem_key(const Orderfleet__DeliveryRequest *rq, const char *ref, char *buf, size_t size);
/* Validate a decoded request (event id, merchant, order, amount, payload JSON, key lengths). Pure. */
of_err_t of_delivery_validate(const Orderfleet__DeliveryRequest *rq, char *errstr, size_t errstr_size) OF_MUST_CHECK;
/* The JSON body POSTed to the merchant (stable for a request: every try sends the same bytes). Caller frees
 * with free(); NULL when out of memory. */
char *of_delivery_body(const Orderfleet__DeliveryRequest *rq, const char *ref, const char *merchant_no,
                       const char *idem_key, size_t *lenp);

#endif
