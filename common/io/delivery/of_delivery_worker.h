/* of_delivery_worker.h -- the delivery worker's steps: paid orders POSTed to their merchant once (DLV-2..DLV-6).
 * One message is one item; of_delivery_loop.c moves items through the steps: claims on its claim thread, calls on
 * its loop thread, records on its record thread. */
#ifndef OF_DELIVERY_WORKER_H
#define OF_DELIVERY_WORKER_H
#include <stddef.h>
#include <stdint.h>
#include "of_config.h"
#include "of_delivery.h"
#include "of_db.h"
#include "of_http.h"
#include "of_kafka.h"
#include "of_ladder_send.h"
#include "of_redis.h"
#include "of_worker.h"
#include "order.pb-c.h"
#include "payment.pb-c.h"

typedef struct of_delivery_s of_delivery_t;

/* A merchant as the item's call needs it (a copy: the cache may be refreshed while the call runs). */
typedef struct {
    uint64_t id;
    char no[65];
    char *url; /* malloc'd: the cache's own, and each copy's */
    char secret_ref[129];
    long timeout_ms;
    int enabled;
} of_dlv_merchant_t;

enum { IT_PENDING, IT_DUP, IT_DEAD, IT_CALL };         /* what the claim decided */
enum { OUT_NONE, OUT_DELIVERED, OUT_RETRY, OUT_DEAD }; /* what the call's result decided */

/* One DeliveryRequest message on its way. */
typedef struct of_dlv_item_s {
    rd_kafka_message_t *m;
    of_msg_result_t res; /* dead: a dead letter with res.reason (published by the record step) */
    Orderfleet__DeliveryRequest *rq;
    of_retry_ctx_t rc;
    char ref[72], idem[130];
    of_dlv_merchant_t mcopy;
    const of_dlv_merchant_t *mc; /* &mcopy once resolved */
    const char *secret;          /* borrowed from the environment */
    uint64_t delivery_id;
    char row_order[72], row_idem[130]; /* the delivery row's own order_id and idempotency_key */
    uint64_t row_merchant;
    int attempt_no; /* delivery_attempt.attempt_no: tries so far across re-drives + 1 */
    int take;       /* the row must be updated to this claim (a retry, a re-drive, another event's stale row) */
    int state, outcome, rung;
    int by_claim; /* state was set by tx_claim (undone when the transaction is retried) */
    const char *dup_why;
    int64_t due_ms;
    char *body;
    size_t body_len;
    of_http_req_t req;
    int64_t started_wall_ms;
    char error[640];
    /* of_delivery_loop.c's */
    int stage;
    int orphan; /* its partition was revoked: freed once finished, never stored */
    struct of_dlv_item_s *hnext;
} of_dlv_item_t;

/* db and redis are the claims' (the claim thread's), rdb and rredis the records' (the record thread's, with the
 * producer): two connections each, so that one order's claim and another's record run at once (they may be the
 * same when one thread runs both). redis and rredis may be NULL (MySQL alone decides duplicates). group names the
 * consumer group in dead letters. Borrowed: cfg, the connections, producer, ladder must outlive the handler. Caller
 * frees with of_delivery_worker_destroy(). NULL + errstr when a setting is wrong or libcurl cannot start. */
of_delivery_t *of_delivery_worker_new(const of_config_t *cfg, of_db_t *db, of_redis_t *redis, of_db_t *rdb,
                                      of_redis_t *rredis, of_producer_t *producer, const of_ladder_t *ladder,
                                      const char *group, char *errstr, size_t errstr_size);
void of_delivery_worker_destroy(of_delivery_t *d);
/* The HTTP client the calls run on (the loop's thread only). */
of_http_t *of_delivery_worker_http(of_delivery_t *d);

/* Pure, any thread: decode and validate it's message m (bad: it->res.dead, state IT_DEAD), its order's ref and the
 * idempotency key. */
void of_delivery_worker_decode(of_delivery_t *d, of_dlv_item_t *it, rd_kafka_message_t *m);
/* Claim thread: resolve each item's merchant (unknown, disabled or without its secret: a dead letter) and build
 * its body, claim the orders (Redis DLV-2, then the delivery rows in MySQL: a duplicate notify or a replay is
 * IT_DUP, a call to make IT_CALL). items hold no two of one order. OF_ERR_TRANSIENT: nothing claimed (the database
 * or Redis away); run again. */
of_err_t of_delivery_worker_claim(of_delivery_t *d, of_dlv_item_t **items, int n) OF_MUST_CHECK;
/* Loop thread: start the call of an IT_CALL item (signed POST, at most one per order at a time: the caller's
 * rule). -1 when it cannot start: its result is then set (a retriable error) and it counts as called. */
int of_delivery_worker_call(of_delivery_t *d, of_dlv_item_t *it);
/* Record thread, items whose claim and calls are done (and dead letters from decode): classify each call's
 * result; failed tries up the ladder or to the dead letters, durable before anything is recorded; then every try
 * and outcome in one transaction with its OrderEvent in the outbox, the outbox sent (of_outbox_send), Redis cleaned
 * (DLV-4), outcomes logged and counted. OF_ERR_TRANSIENT: nothing recorded; run again. The items' res.dead ones are the
 * caller's to publish (of_worker_publish_dead). */
of_err_t of_delivery_worker_record(of_delivery_t *d, of_dlv_item_t **items, int n) OF_MUST_CHECK;
/* Free what the item holds (not the message, not the item). */
void of_delivery_worker_item_clear(of_dlv_item_t *it);
/* Record thread, between jobs (at least every 100 ms): the outbox's events left for the next flight, the sweep.
 * (The merchants are read again by a claim once OF_OUTBOX_SWEEP_S has passed since they were read.) */
void of_delivery_worker_tick(of_delivery_t *d);

#endif
