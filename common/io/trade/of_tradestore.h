/* of_tradestore.h -- api_trade / api_trade_order persistence: insert new raw trades, apply changed ones. */
#ifndef OF_TRADESTORE_H
#define OF_TRADESTORE_H
#include <stdint.h>
#include "of_db.h"
#include "of_err.h"
#include "trade.pb-c.h"

typedef struct of_tradestore_s of_tradestore_t;

typedef enum {
    OF_TS_INSERTED,    /* first version stored */
    OF_TS_CHANGED,     /* stored version updated, modify_flag bits raised */
    OF_TS_UNCHANGED,   /* same content again (no bit): row refreshed, nothing to tell */
    OF_TS_STALE,       /* older than the stored version: ignored */
    OF_TS_RESUBMIT,    /* a resubmit request of a raw trade a rule stopped: its stored version is in `stored` */
    OF_TS_NOT_STOPPED, /* a resubmit request of a raw trade not stopped (submitted, cancelled, not tried, unknown) */
} of_ts_outcome_t;

/* Register the statements on db. Caller frees with of_tradestore_destroy(). */
of_tradestore_t *of_tradestore_new(of_db_t *db);
void of_tradestore_destroy(of_tradestore_t *ts);

/* One raw trade of a batch. */
typedef struct {
    const Orderfleet__RawTrade *t;
    uint32_t shop_id; /* resolved */
    const char *event_id;
    int resubmit; /* t is a resubmit request (t->resubmit): nothing is stored; a stopped trade's version is read */
    /* out */
    of_ts_outcome_t outcome;
    uint64_t raw_id;              /* api_trade.rec_id */
    uint64_t *order_ids;          /* OF_TS_INSERTED: api_trade_order.rec_id of t->orders[i]; OF_TS_RESUBMIT: of
                                   * stored->orders[i] (malloc'd) */
    Orderfleet__RawTrade *stored; /* OF_TS_RESUBMIT: the stored version with its sub-orders (malloc'd), whose
                                   * bad_reason and invalid-goods marks were cleared for the new submission (OP-10) */
    Orderfleet__TradeChange chg;  /* the detected changes (chg.orders malloc'd) */
} of_ts_item_t;

/* Inside the caller's transaction: store the items' raw trades (no (platform_id, tid) twice among them: the caller
 * puts a later version in a later call). The stored versions are read and locked with one statement (two instances
 * serialise on one trade), their sub-orders with one more; first versions are written with one multi-row INSERT per
 * table (D-T10-50); changed versions are compared and updated. Free each item's outputs with
 * of_tradestore_item_clear() (also done at the start of a call). Errors: OF_ERR_TRANSIENT (retry the transaction),
 * OF_ERR_DB, OF_ERR_NOMEM. */
/* A resubmit request (it->resubmit) stores nothing: a stored raw trade still pending, not submitted and stopped by a
 * rule (api_trade.submit_rule) is OF_TS_RESUBMIT, read back into it->stored, with its exception bits (bad_reason)
 * and its sub-orders' is_invalid_goods cleared, for the submission to decide them again; anything else is
 * OF_TS_NOT_STOPPED (raw_id 0 when the trade is not stored). */
of_err_t of_tradestore_apply_batch(of_tradestore_t *ts, of_ts_item_t *const *items, size_t n, char *errstr,
                                   size_t errstr_size) OF_MUST_CHECK;
void of_tradestore_item_clear(of_ts_item_t *it);

#endif
