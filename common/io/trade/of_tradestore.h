/* of_tradestore.h -- api_trade / api_trade_order persistence: insert new raw trades, apply changed ones. */
#ifndef OF_TRADESTORE_H
#define OF_TRADESTORE_H
#include <stdint.h>
#include "of_db.h"
#include "of_err.h"
#include "trade.pb-c.h"

typedef struct of_tradestore_s of_tradestore_t;

typedef enum {
    OF_TS_INSERTED,  /* first version stored */
    OF_TS_CHANGED,   /* stored version updated, modify_flag bits raised */
    OF_TS_UNCHANGED, /* same content again (no bit): row refreshed, nothing to tell */
    OF_TS_STALE,     /* older than the stored version: ignored */
} of_ts_outcome_t;

/* Register the statements on db. Caller frees with of_tradestore_destroy(). */
of_tradestore_t *of_tradestore_new(of_db_t *db);
void of_tradestore_destroy(of_tradestore_t *ts);

/* Inside the caller's transaction: store t (shop already resolved to shop_id) and fill chg with the
 * detected changes (chg->orders: malloc'd, freed by of_tradestore_change_clear()). event_id is
 * recorded on the row. The trade row is locked (SELECT ... FOR UPDATE) so that two instances
 * serialise on one trade. Errors: OF_ERR_TRANSIENT (retry the transaction), OF_ERR_DB. */
of_err_t of_tradestore_apply(of_tradestore_t *ts, const Orderfleet__RawTrade *t, uint32_t shop_id, const char *event_id,
                             of_ts_outcome_t *outcomep, Orderfleet__TradeChange *chg, char *errstr,
                             size_t errstr_size) OF_MUST_CHECK;
void of_tradestore_change_clear(Orderfleet__TradeChange *chg);

#endif
