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
#include "of_stock.h"
#include "of_sub.h"
#include "of_wset.h"
#include "trade.pb-c.h"

/* The tables the submission writes, in the order they are written (parents first); of_substore_tables() gives their
 * descriptors (a write set of the same tables writes the same statements). */
typedef enum {
    OF_SW_CUSTOMER,
    OF_SW_PLATFORM_CUSTOMER,
    OF_SW_ADDRESS,
    OF_SW_TELNO,
    OF_SW_TRADE,
    OF_SW_TRADE_INTO,
    OF_SW_STOCKOUT,
    OF_SW_LINE_DEL,
    OF_SW_LINE,
    OF_SW_STOCKOUT_LINE,
    OF_SW_STOCK_LOG,
    OF_SW_LOG,
    OF_SW_SIBLING,
    OF_SW_REMARK,
    OF_SW_GRAB,
    OF_SW_FULLLINK,
    OF_SW_RAW,
    OF_SW_RAW_LINES,
    OF_SW_RAW_INVALID,
    OF_SW_REFUND,
    OF_SW_REFUND_UPD,
    OF_SW_REFUND_LINE,
    OF_SW__COUNT,
} of_sw_table_t;
/* OF_SW__COUNT descriptors (static). */
const of_wtable_t *of_substore_tables(void);

typedef struct of_substore_s of_substore_t;

/* A reservation an order line holds (sales_trade_order.stock_reserved, reserved_warehouse_id, reserved_num). */
typedef struct {
    uint64_t line_id, warehouse_id, spec_id;
    int kind; /* of_res_t, OF_RES_NONE: the line holds nothing (deleted all the same) */
    int num;
} of_held_t;

/* One raw trade to submit (stored in this transaction, process_status pending), or one submitted again into its
 * existing order (MOD-T1-02…-18: into_trade_id, whose lines and reservations `held` are released and replaced only
 * when the submission succeeds; else nothing is written and trade_id stays 0). */
typedef struct {
    const Orderfleet__RawTrade *raw;
    uint64_t raw_id, shop_id;
    const uint64_t *order_ids; /* api_trade_order.rec_id of raw->orders[i] (stored by this transaction) */
    const char *event_id;
    uint64_t into_trade_id; /* 0: a new order */
    uint64_t into_customer; /* with into_trade_id: that order's customer as read (D-MOD-48: a lookup that settles on
                             * another one moves the order to it, and the call's rounds take one trade a customer) */
    int keep_state;         /* with into_trade_id: the order's status when it has left pre-processing (25, 30), which a
                             * waiting or pre-processing status decided again maps back to (D-MID-12); 0 = none */
    const of_held_t *held;  /* with into_trade_id: every line of that order */
    size_t nheld;
    uint64_t books_customer; /* with into_trade_id: the customer whose address and phone books hold this version's
                              * receiver already (the order was submitted with it, D-MOD-23): when the submission
                              * settles on that customer, SUB-CUST-05/06 add nothing; 0 = written as for a new order */
    int remark_changed; /* with into_trade_id: this version changed the CS remark (modify_flag bit 8), so SUB-RMK-01
                         * records it (MOD-T1-02, OP-55); 0: the order's remark history holds it already */
    /* out */
    uint64_t trade_id;     /* sales_trade created, 0 = not submitted */
    int status;            /* its status */
    uint32_t unmerge_mask; /* its unmerge_mask (MOD-T1-07/08 read it) */
    uint64_t warehouse_id;
    char stop_rule[24];
    char stop_reason[256];
    uint32_t raw_bad_reason; /* into_trade_id, not submitted: the stop's api_trade.bad_reason bits */
    uint64_t customer_id;    /* the order's customer (0 = no order) */
    int trade_row, cust_row; /* the writer's: rows in OF_SW_TRADE / OF_SW_CUSTOMER until the flush, -1 = none */
} of_subjob_t;

of_substore_t *of_substore_new(of_db_t *db, const of_config_t *cfg);
void of_substore_destroy(of_substore_t *ss);

/* Inside the caller's open transaction (plan-then-write, D-T10-50): of_substore_begin() with the batch's catalogue
 * snapshot (borrowed until the transaction ends), then of_substore_submit() with raw trades stored in this
 * transaction, in arrival order (called once or several times), then of_substore_end(), which changes the stock
 * counters, in (warehouse_id, spec_id) order. The stock of every spec the trades can use is read with one statement;
 * then the trades are taken in rounds: a round holds no customer twice, reads its customers and their open orders
 * with one statement, decides trade after trade (each sees the stock reservations of the ones before it, and a later
 * round sees the orders of an earlier one) and writes its customers and orders with one multi-row statement per
 * table; the other rows of the batch follow in of_substore_end(), one statement per table. The platform goods rows the
 * submission inserts or changes (INIT-03/04) go to the batch's overlay, which the lookups see over the snapshot; the
 * snapshot itself is never written. begin empties the overlay (a retried or rolled-back transaction starts clean);
 * after the commit the caller merges of_substore_overlay() into a new snapshot (of_cat_snap_merge). now = seconds on
 * the platform clock (of_time_parse). Errors: OF_ERR_TRANSIENT (retry the transaction), OF_ERR_DB, OF_ERR_NOMEM. */
void of_substore_begin(of_substore_t *ss, const of_cat_snap_t *snap);
/* D-MOD-55: the customers' read (SUB-CUST-02/03, SIBLINGS) of the trades a later of_substore_submit() may submit
 * again, read ahead: on another connection, while the caller's transaction goes on (trade-modify's side reads). A
 * lookup that takes no lock, a consistent read of its own, as in the transaction. */
typedef struct of_subahead_s of_subahead_t;
of_subahead_t *of_substore_ahead_new(void); /* NULL when out of memory */
void of_substore_ahead_free(of_subahead_t *a);
/* Its keys, copied from jobs (raw and into_trade_id of each; a superset of the trades submitted is fine). -1 when out
 * of memory. */
int of_substore_ahead_keys(of_subahead_t *a, of_subjob_t *const *jobs, size_t n);
/* The read on db (any thread; one call at a time, the keys untouched meanwhile). Errors as of_substore_submit. */
of_err_t of_substore_ahead_read(of_subahead_t *a, of_db_t *db, char *errstr, size_t errstr_size) OF_MUST_CHECK;
/* An order the caller read since, with its lock: as it is now. */
typedef struct {
    uint64_t trade_id, customer_id;
    int status;
    uint32_t unmerge_mask;
} of_ahead_order_t;
/* Whether the read still holds for the orders o[0..n) (sorted by trade_id): 1 when each open order it found among them
 * has the same customer, status and flags, and each of them open (10 ≤ status ≤ 95) for a customer it found is among
 * that customer's; 0 when one changed in between. */
int of_substore_ahead_agrees(const of_subahead_t *a, const of_ahead_order_t *o, size_t n);
/* After of_substore_begin(): the next of_substore_submit()'s first round takes each of its trades' rows from a read
 * that succeeded (borrowed until that call, or of_substore_begin/discard) instead of reading them in the transaction;
 * when a trade of the round is not in it (matched by value: platform, nick, order) the round reads them all as without
 * it, and so does every later round. */
void of_substore_use_ahead(of_substore_t *ss, const of_subahead_t *a);
of_err_t of_substore_submit(of_substore_t *ss, of_subjob_t *const *jobs, size_t n, int64_t now, char *errstr,
                            size_t errstr_size) OF_MUST_CHECK;
of_err_t of_substore_end(of_substore_t *ss, char *errstr, size_t errstr_size) OF_MUST_CHECK;
/* D-RT-11: a caller that submits once per transaction (trade-modify) leaves the rows of of_substore_submit() that no
 * later round reads (lines, logs, stock log, raw trades …) to of_substore_end(), so that a table its own rows go to as
 * well (the order logs, the stock log) is written once a batch, not twice. Off by default: trade-submit's next
 * segment may store a later version of a raw trade submitted by the one before (D-T10-50). */
void of_substore_set_single_call(of_substore_t *ss, int on);
/* INIT-02…-08 for job's platform goods (when the shop's setting asks for them): new rows inserted and matched,
 * changed ones re-matched, written at once and put in the batch's overlay. of_substore_submit() runs it before each
 * trade's rules. */
of_err_t of_substore_platform_goods(of_substore_t *ss, const of_subjob_t *job, char *errstr,
                                    size_t errstr_size) OF_MUST_CHECK;
/* The writer alone (bench/sql_ceiling.c writes the worker's rows with it, without its reads and rules): buffer what
 * s decided for job (order, lines, logs, customer books, siblings, raw trade; stock counted for of_substore_end;
 * refund orders queued for of_substore_end); of_substore_flush() then writes what the next round reads (customers,
 * their platform keys, orders, siblings' flags: one multi-row statement per table) and sets each job's trade_id and
 * customer_id; of_substore_end() writes the rest of the batch's rows, one statement per table. of_substore_submit()
 * does it all but the end. */
of_err_t of_substore_write(of_substore_t *ss, of_subjob_t *job, const of_sub_t *s, char *errstr,
                           size_t errstr_size) OF_MUST_CHECK;
of_err_t of_substore_flush(of_substore_t *ss, of_subjob_t *const *jobs, size_t n, char *errstr,
                           size_t errstr_size) OF_MUST_CHECK;
/* Count a stock change of n (negative: released) on counter kind (of_res_t) of (warehouse, spec) in the batch: written
 * by of_substore_end() with the submission's own, one row per (warehouse, spec), in lock order; with its
 * stock_change_log row (order trade_id, event_id, remark). */
of_err_t of_substore_stock(of_substore_t *ss, uint64_t warehouse_id, uint64_t spec_id, int kind, int n,
                           uint64_t trade_id, const char *event_id, const char *remark, char *errstr,
                           size_t errstr_size) OF_MUST_CHECK;
/* SUB-RFD-01 (also MOD-T1-22, MOD-O1-02): a refund order for raw, written by of_substore_end() with the batch's:
 * the raw trades' refund orders are read with one statement, an existing one gets status, a missing one is created
 * (refund_no TMP-<tid>) with the refunded sub-orders as its lines (every one when whole). One per raw trade in a batch
 * (a later request merges: whole wins, the higher status). raw must stay valid until of_substore_end(). */
of_err_t of_substore_refund(of_substore_t *ss, const Orderfleet__RawTrade *raw, uint64_t raw_id, uint64_t shop_id,
                            int status, int whole, const char *nick, const char *reason, char *errstr,
                            size_t errstr_size) OF_MUST_CHECK;
/* stock_spec's columns as the submission reads them, and a result row of them as an of_stock_row_t. */
#define OF_SUBSTORE_STOCK_COLS                                                                                         \
    "warehouse_id, spec_id, stock_num, wms_stock_num, sending_num, order_num, unpay_num, subscribe_num, cost_price"
void of_substore_stock_row(const of_rows_t *rows, int r, of_stock_row_t *row);

/* What the submission reads of a raw trade before its rules run: the customer lookup (SUB-CUST-02/03, OP-18) and
 * that customer's open orders (SIBLINGS). */
typedef struct {
    of_cust_lookup_t cust;
    uint64_t known;     /* the customer the lookup settled on (platform, else offline), 0 = none */
    of_sibling_t *sibs; /* malloc'd (the caller frees), nsibs of them */
    size_t nsibs;
} of_sublookup_t;
/* The same reads as of_substore_submit's rounds (one statement for the customers and their open orders, one per
 * offline book) for jobs[0..n) (raw, shop_id, into_trade_id used), into out[0..n): for a caller that decides on its
 * own (ordctl what-if). Errors as of_substore_submit. */
of_err_t of_substore_lookup(of_substore_t *ss, of_subjob_t *const *jobs, size_t n, of_sublookup_t *out, char *errstr,
                            size_t errstr_size) OF_MUST_CHECK;
/* The batch's write set of the submission's tables (OF_SW_*): a caller's rows of these tables added to it are written
 * with the submission's (of_substore_submit's flushes, else of_substore_end), one statement per table. */
of_wset_t *of_substore_wset(of_substore_t *ss);
/* The platform goods rows of the transaction since of_substore_begin() (to merge after its commit). */
const of_cat_overlay_t *of_substore_overlay(const of_substore_t *ss);
/* The batch is over (committed or rolled back): drop the overlay and the buffered rows. */
void of_substore_discard(of_substore_t *ss);

#endif
