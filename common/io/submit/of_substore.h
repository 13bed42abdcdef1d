/* of_substore.h -- the I/O side of the submission (trade-rules §2 INIT, §3 SUB): inside the batch transaction,
 * prepare the platform goods (INIT-02…-08), load what the rules need (customer, siblings, stock), run
 * of_sub_decide() and write what it decided (order, lines, logs, customer books, stock, refunds, raw trade). */
#ifndef OF_SUBSTORE_H
#define OF_SUBSTORE_H
#include <stddef.h>
#include <stdint.h>
#include "of_catalog.h"
#include "of_config.h"
#include "of_db.h"
#include "of_err.h"
#include "trade.pb-c.h"

/* The submission's statements (one text each, in of_substore.c); bench/sql_ceiling.c writes with the same texts. */
typedef enum {
    OF_SS_PC_GET,
    OF_SS_OFF_PHONE,
    OF_SS_OFF_ADDR,
    OF_SS_CUST_INS,
    OF_SS_PC_INS,
    OF_SS_ADDR_INS,
    OF_SS_TEL_INS,
    OF_SS_SIBS,
    OF_SS_STOCK,
    OF_SS_ST_INS,
    OF_SS_STO_INS,
    OF_SS_LOG_INS,
    OF_SS_SIB_UPD,
    OF_SS_RAW_UPD,
    OF_SS_RAWO_UPD,
    OF_SS_RAWO_INVALID,
    OF_SS_AG_INS,
    OF_SS_AG_UPD,
    OF_SS_RAWO_VALID,
    OF_SS_STOCK_UPS,
    OF_SS_STOCK_LOG,
    OF_SS_REFUND_GET,
    OF_SS_REFUND_UPD,
    OF_SS_REFUND_INS,
    OF_SS_REFUND_LINE,
    OF_SS_RMK,
    OF_SS_STOCKOUT,
    OF_SS_STOCKOUT_LINE,
    OF_SS_GRAB,
    OF_SS_FULLLINK,
    OF_SS__COUNT,
} of_ss_stmt_t;
/* The SQL text of a statement (static), NULL for an unknown id. */
const char *of_substore_sql(of_ss_stmt_t id);

typedef struct of_substore_s of_substore_t;

/* One raw trade to submit (stored in this transaction, process_status pending). */
typedef struct {
    const Orderfleet__RawTrade *raw;
    uint64_t raw_id, shop_id;
    const char *event_id;
    /* out */
    uint64_t trade_id; /* sales_trade created, 0 = not submitted */
    int status;        /* its status */
    uint64_t warehouse_id;
    char stop_rule[24];
    char stop_reason[256];
} of_subjob_t;

of_substore_t *of_substore_new(of_db_t *db, const of_config_t *cfg);
void of_substore_destroy(of_substore_t *ss);

/* Inside the caller's open transaction: of_substore_begin() with the batch's catalogue snapshot (borrowed until
 * the transaction ends), then of_substore_submit_one() for each raw trade right after it is stored (each sees the
 * orders and reservations of the previous ones), then of_substore_end(), which changes the stock counters, in
 * (warehouse_id, spec_id) order. The platform goods rows the submission inserts or changes (INIT-03/04) go to the
 * batch's overlay, which the lookups see over the snapshot; the snapshot itself is never written. begin empties
 * the overlay (a retried or rolled-back transaction starts clean); after the commit the caller merges
 * of_substore_overlay() into a new snapshot (of_cat_snap_merge). now = seconds on the platform clock
 * (of_time_parse). Errors: OF_ERR_TRANSIENT (retry the transaction), OF_ERR_DB, OF_ERR_NOMEM. */
void of_substore_begin(of_substore_t *ss, const of_cat_snap_t *snap);
of_err_t of_substore_submit_one(of_substore_t *ss, of_subjob_t *job, int64_t now, char *errstr,
                                size_t errstr_size) OF_MUST_CHECK;
of_err_t of_substore_end(of_substore_t *ss, char *errstr, size_t errstr_size) OF_MUST_CHECK;
/* The platform goods rows of the transaction since of_substore_begin() (to merge after its commit). */
const of_cat_overlay_t *of_substore_overlay(const of_substore_t *ss);
/* Drop them (the transaction rolled back). */
void of_substore_discard(of_substore_t *ss);

#endif
