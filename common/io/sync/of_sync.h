/* of_sync.h -- of-order-sync's rounds (spec order-sync.md SYN-2 … SYN-6; docs/architecture.md "Order sync").
 *
 * A batch of order.sync messages names orders; each order gets one round per batch, all the batch's orders in one
 * pair of transactions (one multi-row statement per table):
 *   1. buyer site (local): lock the orders, read the merged state (order_sync_state: the base), the buyer ops after
 *      its cursor, the buyer logs not merged yet and the lines;
 *   2. seller primary (remote): lock the orders, read its newest op id per order; the replica must have reached it
 *      (SYN-4, issue part 4: MASTER_GTID_WAIT up to OF_SYNC_LAG_WAIT_MS), else the order waits on the retry ladder;
 *      read the seller ops after the cursor from the replica;
 *   3. merge each order's ops of both sides in time order (common/rules/sync/of_syncmerge.h);
 *   4. write the seller side (orders, merged state, ops taken, its ops' flags, merged buyer logs, sync lines, the
 *      lines copied one way, SYN-5) and commit it, then the buyer side likewise and commit it.
 * Every write is an upsert keyed by the order, the op or the log id, and a round is computed from the buyer side's
 * state, which commits last: a crash between the two commits leaves the buyer side one round behind, and the next
 * round recomputes the same result from it and writes it again, changing nothing twice (no distributed transaction).
 * One instance works on an order at a time because order.sync is keyed by the order (SYN-3). */
#ifndef OF_SYNC_H
#define OF_SYNC_H
#include "of_db.h"
#include "of_kafka.h"
#include "of_ladder.h"
#include "of_worker.h"

typedef struct of_sync_s of_sync_t;

/* buyer, seller: the sites' servers; replica: the seller's replica at the buyer site (may be the seller primary
 * itself when no replica is configured: then there is nothing to wait for). */
of_sync_t *of_sync_new(const of_config_t *cfg, of_db_t *buyer, of_db_t *seller, of_db_t *replica, of_producer_t *p,
                       const of_ladder_t *ladder, const char *worker, char *errstr, size_t errstr_size);
void of_sync_destroy(of_sync_t *s);
/* of_batch_fn */
of_err_t of_sync_batch(void *ctx, rd_kafka_message_t **msgs, int n, of_msg_result_t *results);
/* of_tick_fn: the catch-up sweep, every OF_SYNC_SWEEP_S: orders whose ops no round has taken that long */
void of_sync_tick(void *ctx);

#endif
