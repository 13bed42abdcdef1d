/* of_modstore.c -- trade-modify's I/O, plan-then-write as the submission's (D-T10-50): for the batch's changed raw
 * trades, one locking read per table (raw trades, sub-orders, orders with their stockout orders, lines, the
 * customers' open orders), the MOD rules decide in memory, the results are buffered in a write set (one multi-row
 * statement per table) and the stock moves go through the submission's counters (one sorted upsert per batch, the
 * lock order trade-submit uses). An unpaid order that is paid, and an unaudited order whose address or warehouse
 * changed, is submitted again into the same order (of_substore, into_trade_id: MOD-T1-02…-18, D-MOD-15). */
#include "of_modstore.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "of_aggregate.h"
#include "of_customer.h"
#include "of_log.h"
#include "of_modflag.h"
#include "of_modhdr.h"
#include "of_modline.h"
#include "of_modst.h"
#include "of_mid.h"
#include "of_money.h"
#include "of_rawrows.h"
#include "of_stock.h"
#include "of_sub.h"
#include "of_side.h"
#include "of_substore.h"
#include "of_time.h"
#include "of_wset.h"

/* ---- reads: one statement per table, keys IN (…) ---- */
enum { R_RAW, R_RAWO, R_KIDS, R_ORDER, R_LINE, R_SIBS, R__COUNT };
static const struct {
    const char *head, *tail;
} READS[R__COUNT] = {
    [R_RAW] = {"SELECT " OF_RAWROWS_TRADE_COLS " FROM api_trade WHERE rec_id IN (", ") ORDER BY rec_id FOR UPDATE"},
    [R_RAWO] = {"SELECT " OF_RAWROWS_ORDER_COLS " FROM api_trade_order WHERE api_trade_id IN (",
                ") ORDER BY api_trade_id, rec_id FOR UPDATE"},
    /* the orders the sweep split off the trades' orders (MID-SPW, MID-BIG: one level, D-MID-17) */
    [R_KIDS] = {OF_DB_DIVE "SELECT trade_id FROM sales_trade WHERE split_from_trade_id IN (", ")"}, /* D-T10-65 */
    /* D-MOD-51: the live stockout order of an order at 40 or more only (an audit creates it at 40; below 40 only a
     * cancelled order can still hold one, and the rules read it for audited orders alone): the subquery costs ~5 µs
     * a row, ~40 % of the read */
    [R_ORDER] =
        {"SELECT t.trade_id, t.trade_status, t.customer_id, t.warehouse_id, t.logistics_id, t.logistics_by, "
         "t.receiver_name, t.receiver_mobile, t.receiver_telno, t.receiver_province, t.receiver_city, "
         "t.receiver_district, t.receiver_address, t.receiver_zip, t.invoice_type, t.invoice_title, "
         "t.invoice_content, t.cs_remark, t.buyer_message, t.is_history, t.unmerge_mask, t.shop_id, "
         "t.post_amount, t.pay_status, t.refund_status, IF(t.trade_status >= 40, IFNULL((SELECT "
         "MIN(so.stockout_id) FROM stockout_order so WHERE so.src_order_type = 1 AND so.src_order_id = t.trade_id AND "
         "so.status <> 5), 0), 0), t.salesman_id, t.flag_id, t.is_split, t.split_from_trade_id, t.sales_counted FROM "
         "sales_trade t WHERE "
         "t.trade_id IN (",
         ") ORDER BY t.trade_id FOR UPDATE"},
    [R_LINE] = {"SELECT trade_id, rec_id, src_tid, src_oid, spec_id, num, actual_num, refund_status, gift_type, "
                "stock_reserved, reserved_warehouse_id, reserved_num, share_amount, share_post, paid, discount, "
                "commission, weight, volume, is_not_use_air, delivery_term, spec_no FROM sales_trade_order WHERE "
                "trade_id IN (",
                ") ORDER BY trade_id, rec_id FOR UPDATE"},
    /* the customers' open orders (MOD-T1-20, -24, -25) */
    [R_SIBS] = {"SELECT customer_id, trade_id, trade_status, DATE_FORMAT(trade_time, '%Y-%m-%d %H:%i:%s') FROM "
                "sales_trade WHERE trade_status BETWEEN 10 AND 95 AND customer_id IN (",
                ") ORDER BY customer_id, trade_id"},
};

/* D-MOD-56: the sub-orders of raw trades this transaction has locked, read on the side connection: no lock of its own
 * (every writer of api_trade_order holds its api_trade row: trade-submit's store and submission, this store), the same
 * columns and order as R_RAWO */
#define SIDE_RAWO_HEAD "SELECT " OF_RAWROWS_ORDER_COLS " FROM api_trade_order WHERE api_trade_id IN ("
#define SIDE_RAWO_TAIL ") ORDER BY api_trade_id, rec_id"

/* ---- gift interception (CFG_BLOCK_GIFT, off by default): the customer's orders with gifts, three statements per
 * refunded trade ---- */
enum { Q_GIFT_LOG, Q_GIFT_SO, Q_GIFT, Q__COUNT };
static const char *const SQL[Q__COUNT] = {
    /* MOD-T1-33, -O1-10, -O2-04 (OP-63, CFG_BLOCK_GIFT): the customer's orders with gifts, 25 ≤ status < 95, not
     * intercepted for it yet: a log on each, the stockout orders, then the orders (block 2, bad 64) */
    [Q_GIFT_LOG] = "INSERT INTO sales_trade_log (trade_id, type, rule_id, message) SELECT trade_id, 10, ?, "
                   "'赠品拦截: a refund of the customer intercepts the orders with gifts (block_reason |= 2)' FROM "
                   "sales_trade WHERE customer_id = ? AND trade_status BETWEEN 25 AND 94 AND gift_mask <> 0 AND "
                   "NOT (block_reason & 2)",
    [Q_GIFT_SO] =
        "UPDATE stockout_order so JOIN sales_trade t ON so.src_order_type = 1 AND so.src_order_id = t.trade_id "
        "SET so.block_reason = so.block_reason | 2 WHERE t.customer_id = ? AND t.trade_status BETWEEN 25 AND "
        "94 AND t.gift_mask <> 0 AND so.status <> 5",
    [Q_GIFT] =
        "UPDATE sales_trade SET block_reason = block_reason | 2, bad_reason = bad_reason | 64, version = version "
        "+ 1 WHERE customer_id = ? AND trade_status BETWEEN 25 AND 94 AND gift_mask <> 0",
};

/* ---- writes ---- */
enum {
    W_ORDER,
    W_LINE,
    W_LOG,
    W_STOCKOUT,
    W_STOCKOUT_LOG,
    W_REMARK,
    W_BACKGROUND,
    W_ADDRESS,
    W_TELNO,
    W_SALES,
    W_RAW,
    W_RAWO,
    W_CHANGE,
    W_SIB_WAIT,
    W_SIB_UNPAID,
    W_SIB_SAME,
    W_REMARK_COUNT,
    W__COUNT
};
/* W_LOG, W_REMARK, W_ADDRESS and W_TELNO are the submission's own (of_substore_tables): their rows go to the
 * submission's write set (add_row), so that a table's columns are written in one place. */
static const of_wtable_t TABLES[W__COUNT] = {
    /* the order's final values (its row is locked: read FOR UPDATE by this transaction) */
    [W_ORDER] = {"sales_trade (changed)", "UPDATE sales_trade t JOIN (",
                 "SELECT ? AS id, ? AS st, ? AS st0, ? AS ps, ? AS rs, ? AS bad, ? AS blk, ? AS cons, ? AS csr, ? AS "
                 "rcn, ? AS bm, "
                 "? AS sm, ? AS fl, ? AS lg, ? AS lb, ? AS rn, ? AS rmo, ? AS rte, ? AS rpr, ? AS rci, ? AS rdi, ? AS "
                 "rad, ? AS rzi, ? AS ity, ? AS iti, ? AS ico, ? AS gc, ? AS gtc, ? AS ga, ? AS pa, ? AS ssn, ? AS gm, "
                 "? AS agg",
                 " UNION ALL ",
                 ") v ON t.trade_id = v.id SET t.trade_status = IF(v.st <> v.st0, v.st, t.trade_status), t.pay_status "
                 "= v.ps, t.refund_status = v.rs, "
                 "t.bad_reason = t.bad_reason | v.bad, t.block_reason = t.block_reason | v.blk, t.is_consigned = "
                 "t.is_consigned | v.cons, t.cs_remark = v.csr, t.remark_changed = IF(v.rcn > 0, 1, t.remark_changed), "
                 "t.remark_count = t.remark_count + v.rcn, t.buyer_message = v.bm, t.salesman_id = v.sm, t.flag_id = "
                 "v.fl, t.logistics_id = v.lg, t.logistics_by = v.lb, t.receiver_name = v.rn, t.receiver_mobile = "
                 "v.rmo, t.receiver_telno = v.rte, t.receiver_province = v.rpr, t.receiver_city = v.rci, "
                 "t.receiver_district = v.rdi, t.receiver_address = v.rad, t.receiver_zip = v.rzi, t.invoice_type = "
                 "v.ity, t.invoice_title = v.iti, t.invoice_content = v.ico, t.goods_count = IF(v.agg, v.gc, "
                 "t.goods_count), t.goods_type_count = IF(v.agg, v.gtc, t.goods_type_count), t.goods_amount = "
                 "IF(v.agg, v.ga, t.goods_amount), t.paid = IF(v.agg, v.pa, t.paid), t.single_spec_no = IF(v.agg, "
                 "v.ssn, t.single_spec_no), t.gift_mask = IF(v.agg, v.gm, t.gift_mask), t.version = t.version + 1",
                 0, 1, 1},
    [W_LINE] = {"sales_trade_order (changed)", "UPDATE sales_trade_order o JOIN (",
                "SELECT ? AS id, ? AS an, ? AS rs, ? AS sr, ? AS rw, ? AS rn, ? AS sp, ? AS cons", " UNION ALL ",
                ") v ON o.rec_id = v.id SET o.actual_num = v.an, o.refund_status = v.rs, o.stock_reserved = v.sr, "
                "o.reserved_warehouse_id = v.rw, o.reserved_num = v.rn, o.share_post = v.sp, o.is_consigned = "
                "o.is_consigned | v.cons",
                0, 0, 1},
    [W_STOCKOUT] = {"stockout_order (intercepted)", "UPDATE stockout_order s JOIN (", "SELECT ? AS id, ? AS blk",
                    " UNION ALL ", ") v ON s.stockout_id = v.id SET s.block_reason = s.block_reason | v.blk", 0, 0, 1},
    [W_STOCKOUT_LOG] = {"stockout_order_log",
                        "INSERT INTO stockout_order_log (stockout_id, type, rule_id, message) VALUES ", "(?, ?, ?, ?)",
                        NULL, NULL, 0, 0, 0},
    /* MOD-T1-28, MOD-O1-05: platform stock changed */
    [W_BACKGROUND] = {"sys_process_background",
                      "INSERT INTO sys_process_background (type, shop_id, object_id, data) VALUES ", "(1, ?, ?, ?)",
                      NULL, NULL, 0, 0, 0},
    /* MOD-T1-30, MOD-O1-06/08: today's sales, where counted (MID-SLS-01), never below 0; MOD-O2-06 adds back (n < 0,
     * D-MOD-30); a day without a row is left without one (D-MOD-19) */
    [W_SALES] = {"stat_daily_sales", "UPDATE stat_daily_sales d JOIN (", "SELECT ? AS sh, ? AS wh, ? AS sp, ? AS n",
                 " UNION ALL ",
                 ") v ON d.sales_date = CURDATE() AND d.shop_id = v.sh AND d.warehouse_id = v.wh AND d.spec_id = v.sp "
                 "SET d.num = GREATEST(d.num - v.n, 0)",
                 0, 0, 1},
    /* the handled bits cleared (MOD-T1-37 … MOD-END-01), the raw trade's process status (MOD-T1-34/35/36, O1-12/13),
     * what a CS remark extraction found (MOD-T8-02) */
    [W_RAW] = {"api_trade (changed)", "UPDATE api_trade a JOIN (",
               "SELECT ? AS id, ? AS clr, ? AS ps, ? AS bad, ? AS sm, ? AS rl, ? AS fr, ? AS sr, ? AS sre",
               " UNION ALL ",
               ") v ON a.rec_id = v.id SET a.modify_flag = a.modify_flag & ~v.clr, a.process_status = IF(v.ps > 0, "
               "v.ps, a.process_status), a.bad_reason = a.bad_reason | v.bad, a.salesman_id = IF(v.sm > 0, v.sm, "
               "a.salesman_id), a.remark_logistics_id = IF(v.rl > 0, v.rl, a.remark_logistics_id), a.freeze_reason = "
               "IF(v.fr > 0, v.fr, a.freeze_reason), a.submit_rule = IF(v.sr <> '', v.sr, a.submit_rule), "
               "a.submit_reason = IF(v.sr <> '', v.sre, a.submit_reason)",
               0, 0, 1},
    /* MOD-T1-07/08, -20, -24 (D-MOD-21): the customers' waiting orders (15) move to delayed audit, the unpaid flag
     * goes from their orders in lo … hi; written with the batch (after the re-submissions' reads); one statement each
     */
    [W_SIB_WAIT] = {"sales_trade (waiting siblings)", "UPDATE sales_trade t JOIN (", "SELECT ? AS cu, ? AS ex, ? AS dl",
                    " UNION ALL ",
                    ") v ON t.customer_id = v.cu AND t.trade_id <> v.ex AND t.trade_status = 15 SET t.delay_to_time = "
                    "IF(t.delivery_term = 1, IFNULL(t.pay_time, t.trade_time), t.trade_time) + INTERVAL v.dl SECOND, "
                    "t.trade_status = 16, t.version = t.version + 1",
                    0, 0, 1},
    [W_SIB_UNPAID] = {"sales_trade (unpaid flag of siblings)", "UPDATE sales_trade t JOIN (",
                      "SELECT ? AS cu, ? AS ex, ? AS lo, ? AS hi", " UNION ALL ",
                      ") v ON t.customer_id = v.cu AND t.trade_id <> v.ex AND t.trade_status BETWEEN v.lo AND v.hi AND "
                      "t.unmerge_mask & 1 SET t.unmerge_mask = t.unmerge_mask & ~1, t.version = t.version + 1",
                      0, 0, 1},
    /* MOD-T1-25: the customer's only other order loses same-name-unmerged */
    [W_SIB_SAME] = {"sales_trade (same-name flag of siblings)", "UPDATE sales_trade t JOIN (",
                    "SELECT ? AS cu, ? AS ex", " UNION ALL ",
                    ") v ON t.customer_id = v.cu AND t.trade_id <> v.ex AND t.trade_status BETWEEN 10 AND 95 AND "
                    "t.unmerge_mask & 2 SET t.unmerge_mask = t.unmerge_mask & ~2, t.version = t.version + 1",
                    0, 0, 1},
    /* MOD-T8-04 through a re-submission: the CS remark counted and flagged as changed (the submission wrote it) */
    [W_REMARK_COUNT] = {"sales_trade (remark count)", "UPDATE sales_trade t JOIN (", "SELECT ? AS id", " UNION ALL ",
                        ") v ON t.trade_id = v.id SET t.remark_count = t.remark_count + 1, t.remark_changed = 1", 0, 0,
                        1},
    /* one row per change applied (ordctl explain) */
    [W_CHANGE] = {"sales_trade_change",
                  "INSERT INTO sales_trade_change (trade_id, raw_trade_id, event_id, modify_flag, order_flags, "
                  "status_before, status_after, block_or, bad_or, outcome, rules, stock) VALUES ",
                  "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", NULL, NULL, 0, 0, 0},
    [W_RAWO] = {"api_trade_order (changed)", "UPDATE api_trade_order o JOIN (", "SELECT ? AS id, ? AS clr, ? AS ps",
                " UNION ALL ",
                ") v ON o.rec_id = v.id SET o.modify_flag = o.modify_flag & ~v.clr, o.process_status = IF(v.ps > 0, "
                "v.ps, o.process_status)",
                0, 0, 1},
};

/* A raw trade as stored (the latest version), its sub-orders. */
typedef struct {
    Orderfleet__RawTrade t;
    Orderfleet__RawSubOrder *o;   /* n_orders */
    Orderfleet__RawSubOrder **op; /* t.orders */
    uint64_t *oids;               /* api_trade_order.rec_id */
    uint32_t *oflags;             /* api_trade_order.modify_flag */
    /* what the change writes to the raw trade and its sub-orders, over every order holding its lines (the order and
     * those split off it, D-MID-17): one W_RAW / W_RAWO row each, written by write_raw (a multi-row UPDATE … JOIN
     * changes a row once, whichever of two rows of one key the server takes) */
    uint32_t w_clr, *w_oclr;
    int w_ps, *w_ops, w_any;
    uint64_t w_sm, w_rl, w_fr;
    uint64_t rec_id, shop_id, deliver;
    const char *submit_rule; /* the rule that stopped its submission, "" = none (or not tried yet) */
    int process_status;
    uint32_t bad_reason, modify_flag;
} raw_t;

typedef struct {
    uint64_t trade_id, customer_id, stockout_id, shop_id, warehouse_id, salesman_id, flag_id;
    uint64_t split_from; /* the order the sweep split it off, 0 = none (D-MID-17) */
    int status, pay_status, refund_status, is_history, is_split;
    int sales_counted; /* its lines are in today's sales (MID-SLS-01, D-MID-8) */
    uint32_t unmerge_mask;
    int64_t post_amount;
    of_mod_order_t mo; /* the header rules' view */
    uint64_t logistics_id;
    int logistics_by;
    size_t line0, nline; /* its lines in ms->lines */
    int loaded;
    int changed; /* a job of this call changed it (D-MOD-43: a second one waits for the next transaction) */
} ord_t;

typedef struct {
    uint64_t rec_id, trade_id, spec_id, res_wh;
    const char *src_tid, *src_oid, *spec_no;
    int num, actual_num, refund_status, gift_type, reserved, reserved_num, is_consigned, dirty;
    int64_t share_amount, share_post, paid, discount, commission, weight, volume;
    int is_not_use_air, delivery_term;
} line_t;

typedef struct {
    uint64_t customer_id, trade_id;
    int status;
    int64_t trade_time;
} sib_t;

/* MOD-T1-30, MOD-O1-06: today's sales to deduct, one per (shop, warehouse, spec) (a multi-row UPDATE … JOIN changes
 * a row once) */
typedef struct {
    uint64_t shop, wh, spec;
    int n;
} sale_t;

/* D-MOD-55, D-MOD-56: what a batch reads on the side connection (OF_SIDE_READS) while its transaction goes on */
typedef struct {
    of_db_t *db;      /* the side connection rd is registered on */
    of_db_multi_t rd; /* SIDE_RAWO */
    uint64_t *keys;   /* the raw trades' ids, sorted */
    size_t nkeys;
    int cust;        /* the customers' read too (ahead's keys are set) */
    int out;         /* handed to the side, not collected yet */
    int rawo_taken;  /* the sub-orders' rows (and keys) taken while the side went on with the customers (D-MOD-59) */
    int reported;    /* its failure already logged and paused for (side_failed) when the sub-orders were taken */
    of_rows_t *rawo; /* the sub-orders' rows */
    of_err_t e_rawo, e_cust;
    char err_rawo[256], err_cust[256];
} side_job_t;

struct of_modstore_s {
    of_wtable_t tables[W__COUNT]; /* TABLES with the submission's shared ones */
    of_db_t *db;
    const of_config_t *cfg;
    of_db_multi_t rd[R__COUNT];
    int st[Q__COUNT];
    of_wset_t *w;
    of_substore_t *ss;
    /* per apply */
    of_catalog_t cat;
    of_cat_overlay_t *ov;
    of_rows_t *rows[R__COUNT];
    raw_t *raws;
    size_t nraws;
    ord_t *ords;
    size_t nords;
    line_t *lines;
    size_t nlines;
    sib_t *sibs;
    size_t nsibs;
    sale_t *sales;
    size_t nsales, sales_cap;
    /* D-MOD-55, D-MOD-56 */
    of_side_t *side; /* NULL until the first batch with OF_SIDE_READS */
    of_subahead_t *ahead;
    side_job_t sj;
    int side_failing;      /* the last side read failed (logged once until one succeeds) */
    int lane;              /* the worker's lane it serves (OF_WORKER_LANES): named in the side's log lines */
    int64_t side_retry_ms; /* after a failure: the lane's own reads until then (monotonic ms) */
    int64_t side_pause_ms; /* the last pause */
};

static of_err_t nomem(char *err, size_t size) {
    return of_seterr(err, size, OF_ERR_NOMEM, "out of memory");
}

const char *of_modstore_outcome(of_ms_outcome_t o) {
    switch (o) {
    case OF_MS_APPLIED:
        return "applied";
    case OF_MS_NOTHING:
        return "nothing";
    case OF_MS_WAITING:
        return "waiting";
    case OF_MS_SKIPPED:
        return "skipped";
    case OF_MS_UNKNOWN:
        return "unknown";
    case OF_MS_RESUBMIT_STOPPED:
        return "resubmit-stopped";
    case OF_MS_DEFERRED:
        return "deferred";
    }
    return "?";
}

of_modstore_t *of_modstore_new(of_db_t *db, const of_config_t *cfg) {
    of_modstore_t *ms = calloc(1, sizeof *ms);
    if (!ms) return NULL;
    ms->db = db;
    ms->cfg = cfg;
    memcpy(ms->tables, TABLES, sizeof TABLES);
    const of_wtable_t *sub = of_substore_tables();
    ms->tables[W_LOG] = sub[OF_SW_LOG];
    ms->tables[W_REMARK] = sub[OF_SW_REMARK];
    ms->tables[W_ADDRESS] = sub[OF_SW_ADDRESS];
    ms->tables[W_TELNO] = sub[OF_SW_TELNO];
    int bad = !(ms->w = of_wset_new(db, ms->tables, W__COUNT)) || !(ms->ss = of_substore_new(db, cfg)) ||
              !(ms->ov = of_cat_overlay_new());
    if (!bad) of_substore_set_single_call(ms->ss, 1); /* one of_substore_submit a transaction (D-RT-11) */
    for (int i = 0; !bad && i < R__COUNT; i++)
        bad = of_db_register_multi_sep(db, READS[i].head, "?", ", ", READS[i].tail, &ms->rd[i]) != 0;
    for (int i = 0; !bad && i < Q__COUNT; i++)
        bad = (ms->st[i] = of_db_register(db, SQL[i])) < 0;
    if (bad) {
        of_modstore_destroy(ms);
        return NULL;
    }
    return ms;
}

static void side_drop(of_modstore_t *ms);

static void clear(of_modstore_t *ms) {
    side_drop(ms); /* a read still out (a transaction that failed before collecting it) is waited for */
    for (int i = 0; i < R__COUNT; i++) {
        of_rows_free(ms->rows[i]);
        ms->rows[i] = NULL;
    }
    for (size_t i = 0; i < ms->nraws; i++) {
        free(ms->raws[i].o);
        free(ms->raws[i].op);
        free(ms->raws[i].oids);
        free(ms->raws[i].oflags);
        free(ms->raws[i].w_oclr);
        free(ms->raws[i].w_ops);
    }
    free(ms->raws);
    free(ms->ords);
    free(ms->lines);
    free(ms->sibs);
    free(ms->sales);
    ms->sales = NULL;
    ms->nsales = ms->sales_cap = 0;
    ms->raws = NULL;
    ms->ords = NULL;
    ms->lines = NULL;
    ms->sibs = NULL;
    ms->nraws = ms->nords = ms->nlines = ms->nsibs = 0;
}

void of_modstore_set_lane(of_modstore_t *ms, int lane) {
    ms->lane = lane;
}

const of_cat_overlay_t *of_modstore_overlay(const of_modstore_t *ms) {
    return of_substore_overlay(ms->ss);
}

void of_modstore_discard(of_modstore_t *ms) {
    clear(ms);
    of_wset_reset(ms->w);
    of_substore_discard(ms->ss);
}

void of_modstore_destroy(of_modstore_t *ms) {
    if (!ms) return;
    clear(ms);
    of_side_free(ms->side); /* its thread and connection */
    of_substore_ahead_free(ms->ahead);
    of_wset_free(ms->w);
    of_substore_destroy(ms->ss);
    of_cat_overlay_free(ms->ov);
    free(ms);
}

/* ------------------------------------------------------------------ reads */
static of_err_t read_in(of_modstore_t *ms, int r, const uint64_t *keys, size_t n, char *err, size_t size) {
    of_rows_free(ms->rows[r]);
    ms->rows[r] = NULL;
    if (!n) return OF_OK;
    of_param_t *p = malloc(n * sizeof *p);
    if (!p) return nomem(err, size);
    for (size_t i = 0; i < n; i++)
        p[i] = OFP_U(keys[i]);
    of_err_t e = of_db_query_multi_in(ms->db, &ms->rd[r], p, (int)n, NULL, &ms->rows[r], err, size);
    free(p);
    return e;
}

#define S of_rawrows_str
#define M of_rawrows_money

#define I(rows, r, c) of_rows_i64(rows, r, c)
#define U(rows, r, c) ((uint64_t)of_rows_i64(rows, r, c))

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* keys[0..n) sorted, each once (two raw trades of one order, a split order also a raw trade's: an order read twice
 * would hold its lines twice, or, split over two statements of a read, in one copy and not the other). New count. */
static size_t sort_unique(uint64_t *keys, size_t n) {
    qsort(keys, n, sizeof *keys, cmp_u64);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!m || keys[i] != keys[m - 1]) keys[m++] = keys[i];
    return m;
}

static raw_t *raw_of(of_modstore_t *ms, uint64_t id) {
    for (size_t i = 0; i < ms->nraws; i++)
        if (ms->raws[i].rec_id == id) return &ms->raws[i];
    return NULL;
}

static ord_t *ord_of(of_modstore_t *ms, uint64_t id) {
    for (size_t i = 0; id && i < ms->nords; i++)
        if (ms->ords[i].trade_id == id) return &ms->ords[i];
    return NULL;
}

/* D-MOD-55, D-MOD-56: the side connection's part of a batch: the sub-orders of its raw trades (locked by this
 * transaction's read of them before it starts), marks them read (D-MOD-59: from then on the lane uses them, their
 * keys and their error), then reads the customers of those it may submit again. Runs on the side's thread; touches
 * ms->sj and ms->ahead only (and reads ms->side, set before the job starts). */
static of_err_t side_reads(of_db_t *db, void *arg, char *err, size_t size) {
    of_modstore_t *ms = arg;
    side_job_t *j = &ms->sj;
    (void)err;
    (void)size;
    if (j->db != db) { /* a connection of its own: the read registered on it once */
        if (of_db_register_multi_sep(db, SIDE_RAWO_HEAD, "?", ", ", SIDE_RAWO_TAIL, &j->rd)) {
            j->e_rawo = j->e_cust =
                of_seterr(j->err_rawo, sizeof j->err_rawo, OF_ERR_NOMEM, "side connection: statement registry full");
            snprintf(j->err_cust, sizeof j->err_cust, "%s", j->err_rawo);
            return OF_OK;
        }
        j->db = db;
    }
    of_param_t *p = malloc(j->nkeys * sizeof *p);
    if (!p) {
        j->e_rawo = j->e_cust = nomem(j->err_rawo, sizeof j->err_rawo);
        return OF_OK;
    }
    for (size_t i = 0; i < j->nkeys; i++)
        p[i] = OFP_U(j->keys[i]);
    j->e_rawo = of_db_query_multi_in(db, &j->rd, p, (int)j->nkeys, NULL, &j->rawo, j->err_rawo, sizeof j->err_rawo);
    free(p);
    of_side_mark(ms->side); /* D-MOD-59: the sub-orders are the lane's now (rawo, e_rawo; keys no longer used here) */
    /* not after a failure: the lane reads both itself then, and waits for no reconnection here */
    if (j->cust && !j->e_rawo) j->e_cust = of_substore_ahead_read(ms->ahead, db, j->err_cust, sizeof j->err_cust);
    return OF_OK;
}

/* A raw trade whose change may submit its order again (MOD-T1 paid, MOD-T16-04, MOD-T64-02: a status, payment,
 * address or warehouse bit): a superset of those apply_job sends to the submission. */
static int may_resubmit(const raw_t *x) {
    return x->deliver && !x->t.is_external && !x->bad_reason &&
           (x->modify_flag & (OF_MF_TRADE_STATUS | OF_MF_PAY | OF_MF_ADDRESS | OF_MF_WAREHOUSE));
}

/* The side's reads failed (or cannot run): logged once until they succeed again; the lane does them itself, and tries
 * the side again after a pause, 5 s doubled at each failure up to 60 s (a side that cannot connect, or waits for its
 * connect timeout, costs a batch now and then, not each one). */
#define OF_SIDE_RETRY_MS 5000
#define OF_SIDE_RETRY_MAX_MS 60000
static void side_failed(of_modstore_t *ms, const char *why) {
    ms->side_pause_ms = ms->side_failing ? ms->side_pause_ms * 2 : OF_SIDE_RETRY_MS;
    if (ms->side_pause_ms > OF_SIDE_RETRY_MAX_MS) ms->side_pause_ms = OF_SIDE_RETRY_MAX_MS;
    if (!ms->side_failing)
        of_warn("side connection: its reads failed; the lane does them itself until they succeed again (D-MOD-55)",
                OF_I("lane", ms->lane), OF_S("error", why), OF_I("retry_ms", ms->side_pause_ms), OF_END);
    ms->side_failing = 1;
    ms->side_retry_ms = of_mono_ms() + ms->side_pause_ms;
}

/* Hands the batch's side reads to the side connection (keys: the raw trades' ids, sorted; taken when sent). 0 when
 * sent; -1 when they are this connection's to do (OF_SIDE_READS=0, out of memory, no thread). */
static int side_send(of_modstore_t *ms, uint64_t *keys, size_t n) {
    side_job_t *j = &ms->sj;
    if (!n || !of_cfg_int(ms->cfg, OF_CFG_SIDE_READS) || of_mono_ms() < ms->side_retry_ms ||
        (!ms->side && !(ms->side = of_side_new(ms->cfg))) || (!ms->ahead && !(ms->ahead = of_substore_ahead_new())))
        return -1;
    j->keys = keys;
    j->nkeys = n;
    j->rawo_taken = j->reported = 0;
    /* until the job says otherwise: not read (a job that did not run leaves them so) */
    j->e_rawo = j->e_cust = OF_ERR_TRANSIENT;
    snprintf(j->err_rawo, sizeof j->err_rawo, "side read not run");
    snprintf(j->err_cust, sizeof j->err_cust, "side read not run");
    size_t nc = 0;
    for (size_t i = 0; i < ms->nraws; i++)
        nc += may_resubmit(&ms->raws[i]) != 0;
    j->cust = 0;
    of_subjob_t *sj = nc ? calloc(nc, sizeof *sj) : NULL;
    of_subjob_t **pj = nc ? calloc(nc, sizeof *pj) : NULL;
    if (sj && pj) {
        size_t k = 0;
        for (size_t i = 0; i < ms->nraws; i++) {
            raw_t *x = &ms->raws[i];
            if (!may_resubmit(x)) continue;
            sj[k] = (of_subjob_t){.raw = &x->t, .into_trade_id = x->deliver}; /* resubmit's: the order it holds */
            pj[k] = &sj[k];
            k++;
        }
        j->cust = !of_substore_ahead_keys(ms->ahead, pj, k); /* the keys copied: the side reads no raw trade */
    }
    free(sj);
    free(pj);
    if (of_side_start(ms->side, side_reads, ms)) { /* no thread: this connection's, for a while */
        j->keys = NULL;
        side_failed(ms, "no thread for the side connection");
        return -1;
    }
    j->out = 1;
    return 0;
}

/* The customers read ahead took their open orders' rows before this transaction locked its own orders (R_ORDER): an
 * order of the batch that another transaction changed in between (its customer, status or flags; or one that became
 * open, or was split off, D-MID-17) makes the submission read them again in the transaction, where it sees them as
 * R_ORDER did (D-MOD-55). Open orders outside the batch are read without a lock either way. */
static int ahead_current(of_modstore_t *ms) {
    size_t n = ms->nords;
    of_ahead_order_t *o = malloc((n ? n : 1) * sizeof *o);
    if (!o) {
        of_warn("out of memory: the submission reads the customers in the transaction", OF_I("lane", ms->lane), OF_END);
        return 0;
    }
    for (size_t i = 0; i < n; i++) /* R_ORDER's order: by trade_id, each once (load_orders) */
        o[i] = (of_ahead_order_t){.trade_id = ms->ords[i].trade_id,
                                  .customer_id = ms->ords[i].customer_id,
                                  .status = ms->ords[i].status,
                                  .unmerge_mask = ms->ords[i].unmerge_mask};
    int ok = of_substore_ahead_agrees(ms->ahead, o, n);
    free(o);
    if (!ok)
        of_debug("an order of the batch changed since the customers were read ahead: the submission reads them",
                 OF_U("orders", n), OF_END);
    return ok;
}

/* The side's sub-orders become R_RAWO's rows; read here, locking them, when the side's read failed. */
static of_err_t take_rawo(of_modstore_t *ms, char *err, size_t size) {
    side_job_t *j = &ms->sj;
    of_rows_free(ms->rows[R_RAWO]);
    ms->rows[R_RAWO] = j->rawo;
    j->rawo = NULL;
    return j->e_rawo ? read_in(ms, R_RAWO, j->keys, j->nkeys, err, size) : OF_OK;
}

/* The side reads collected: the sub-orders' rows become R_RAWO's (read here, locking them, when the side's read
 * failed); the customers go to the submission's first round when read. */
static of_err_t side_collect(of_modstore_t *ms, char *err, size_t size) {
    side_job_t *j = &ms->sj;
    if (!j->out) return OF_OK;
    char werr[256];
    of_err_t e = of_side_wait(ms->side, werr, sizeof werr); /* the connection's own failure; the reads' are in j */
    j->out = 0;
    if (e) { /* the job did not run: no connection (so it did not mark: the sub-orders were not taken) */
        j->e_rawo = j->e_cust = e;
        snprintf(j->err_rawo, sizeof j->err_rawo, "%s", werr);
        snprintf(j->err_cust, sizeof j->err_cust, "%s", werr);
    }
    int failed = j->e_rawo || (j->cust && j->e_cust); /* the customers are not read after the sub-orders failed */
    if (failed && !j->reported) {
        side_failed(ms, j->e_rawo ? j->err_rawo : j->err_cust);
    } else if (!failed && ms->side_failing) {
        of_info("side connection: its reads succeed again", OF_I("lane", ms->lane), OF_END);
        ms->side_failing = 0;
    }
    e = j->rawo_taken ? OF_OK : take_rawo(ms, err, size);
    free(j->keys);
    j->keys = NULL;
    if (!e && j->cust && !j->e_cust && ahead_current(ms)) of_substore_use_ahead(ms->ss, ms->ahead);
    return e;
}

/* D-MOD-59: once the side has read the sub-orders (of_side_mark), the lane takes them and goes on with its rules while
 * the side reads the customers, which only the re-submissions use (side_collect, before them). A side job that ended
 * without reading them (no connection, out of memory) is collected whole now, as before. */
static of_err_t side_take(of_modstore_t *ms, char *err, size_t size) {
    side_job_t *j = &ms->sj;
    if (!j->out) return OF_OK;
    if (!of_side_wait_mark(ms->side)) return side_collect(ms, err, size);
    j->rawo_taken = 1;
    if (j->e_rawo) { /* logged and paused for now, before this connection reads them, as when collected whole */
        side_failed(ms, j->err_rawo);
        j->reported = 1;
    }
    return take_rawo(ms, err, size);
}

static void side_drop(of_modstore_t *ms) {
    side_job_t *j = &ms->sj;
    if (j->out) of_side_wait(ms->side, NULL, 0);
    j->out = 0;
    of_rows_free(j->rawo);
    j->rawo = NULL;
    free(j->keys);
    j->keys = NULL;
}

/* The batch's raw trades, locked (R_RAW); their sub-orders read on the side connection (D-MOD-56: after the lock) or
 * here, attached by attach_orders. */
static of_err_t load_raws(of_modstore_t *ms, of_modjob_t *const *jobs, size_t n, char *err, size_t size) {
    uint64_t *keys = malloc((n ? n : 1) * sizeof *keys);
    if (!keys) return nomem(err, size);
    for (size_t i = 0; i < n; i++)
        keys[i] = jobs[i]->raw_id;
    qsort(keys, n, sizeof *keys, cmp_u64); /* lock order */
    of_err_t e = read_in(ms, R_RAW, keys, n, err, size);
    if (e) {
        free(keys);
        return e;
    }
    const of_rows_t *rr = ms->rows[R_RAW];
    if (!(ms->raws = calloc((size_t)rr->nrows + 1, sizeof *ms->raws))) {
        free(keys);
        return nomem(err, size);
    }
    for (int r = 0; r < rr->nrows; r++) {
        raw_t *x = &ms->raws[ms->nraws++];
        of_rawmeta_t m;
        of_rawrows_trade(rr, r, &x->t, &m);
        x->rec_id = m.rec_id;
        x->shop_id = m.shop_id;
        x->process_status = m.process_status;
        x->bad_reason = m.bad_reason;
        x->modify_flag = m.modify_flag;
        x->deliver = m.deliver;
        x->submit_rule = m.submit_rule;
    }
    if (!side_send(ms, keys, n)) return OF_OK; /* keys are the side's */
    e = read_in(ms, R_RAWO, keys, n, err, size);
    free(keys);
    return e;
}

/* Each raw trade's sub-orders (R_RAWO, in the raw trades' order). */
static of_err_t attach_orders(of_modstore_t *ms, char *err, size_t size) {
    const of_rows_t *ro = ms->rows[R_RAWO];
    static const of_rows_t none = {0};
    if (!ro) ro = &none; /* no key */
    /* sub-orders: rows in api_trade_id order, as the raw trades (their ids parsed once) */
    uint64_t *rid = malloc(((size_t)ro->nrows + 1) * sizeof *rid);
    if (!rid) return nomem(err, size);
    for (int r = 0; r < ro->nrows; r++)
        rid[r] = U(ro, r, 0);
    int r0 = 0; /* both reads are ordered by the raw trade's id: its sub-orders are the next run of rows */
    for (size_t i = 0; i < ms->nraws; i++) {
        raw_t *x = &ms->raws[i];
        while (r0 < ro->nrows && rid[r0] < x->rec_id)
            r0++;
        int r1 = r0;
        while (r1 < ro->nrows && rid[r1] == x->rec_id)
            r1++;
        size_t k = (size_t)(r1 - r0);
        x->o = calloc(k + 1, sizeof *x->o);
        x->op = calloc(k + 1, sizeof *x->op);
        x->oids = calloc(k + 1, sizeof *x->oids);
        x->oflags = calloc(k + 1, sizeof *x->oflags);
        x->w_oclr = calloc(k + 1, sizeof *x->w_oclr);
        x->w_ops = calloc(k + 1, sizeof *x->w_ops);
        if (!x->o || !x->op || !x->oids || !x->oflags || !x->w_oclr || !x->w_ops) {
            free(rid);
            return nomem(err, size);
        }
        k = 0;
        for (int r = r0; r < r1; r++) {
            Orderfleet__RawSubOrder *o = &x->o[k];
            of_rawrows_order(ro, r, o, NULL, &x->oids[k], &x->oflags[k]);
            x->op[k] = o;
            k++;
        }
        x->t.orders = x->op;
        x->t.n_orders = k;
        r0 = r1;
    }
    free(rid);
    return OF_OK;
}

static of_err_t load_orders(of_modstore_t *ms, char *err, size_t size) {
    uint64_t *keys = malloc((ms->nraws + 1) * sizeof *keys);
    if (!keys) return nomem(err, size);
    size_t n = 0;
    for (size_t i = 0; i < ms->nraws; i++)
        if (ms->raws[i].deliver) keys[n++] = ms->raws[i].deliver;
    n = sort_unique(keys, n);
    of_err_t e = read_in(ms, R_ORDER, keys, n, err, size);
    /* D-MID-17: the orders split off them hold lines of the same trades. Only an order the sweep split has any
     * (is_split set, not split off another itself: the sweep sets both in the transaction that splits), so their
     * read waits for one (D-MOD-29); then the orders are read again with them, in one sorted statement. */
    int split = 0;
    for (int r = 0; !e && n && r < ms->rows[R_ORDER]->nrows && !split; r++)
        split = I(ms->rows[R_ORDER], r, 28) && !U(ms->rows[R_ORDER], r, 29);
    if (!e && split) e = read_in(ms, R_KIDS, keys, n, err, size);
    if (!e && split && ms->rows[R_KIDS]->nrows) {
        const of_rows_t *rk = ms->rows[R_KIDS];
        uint64_t *k2 = realloc(keys, (n + (size_t)rk->nrows + 1) * sizeof *k2);
        if (!k2) {
            free(keys);
            return nomem(err, size);
        }
        keys = k2;
        for (int r = 0; r < rk->nrows; r++)
            keys[n++] = U(rk, r, 0);
        n = sort_unique(keys, n);
        e = read_in(ms, R_ORDER, keys, n, err, size);
    }
    if (!e) e = read_in(ms, R_LINE, keys, n, err, size);
    free(keys);
    if (e || !n) return e;
    const of_rows_t *rt = ms->rows[R_ORDER], *rl = ms->rows[R_LINE];
    ms->ords = calloc((size_t)rt->nrows + 1, sizeof *ms->ords);
    ms->lines = calloc((size_t)rl->nrows + 1, sizeof *ms->lines);
    if (!ms->ords || !ms->lines) return nomem(err, size);
    for (int r = 0; r < rl->nrows; r++) {
        line_t *l = &ms->lines[ms->nlines++];
        l->trade_id = U(rl, r, 0);
        l->rec_id = U(rl, r, 1);
        l->src_tid = S(rl, r, 2);
        l->src_oid = S(rl, r, 3);
        l->spec_id = U(rl, r, 4);
        l->num = (int)I(rl, r, 5);
        l->actual_num = (int)I(rl, r, 6);
        l->refund_status = (int)I(rl, r, 7);
        l->gift_type = (int)I(rl, r, 8);
        l->reserved = (int)I(rl, r, 9);
        l->res_wh = U(rl, r, 10);
        l->reserved_num = (int)I(rl, r, 11);
        l->share_amount = M(rl, r, 12);
        l->share_post = M(rl, r, 13);
        l->paid = M(rl, r, 14);
        l->discount = M(rl, r, 15);
        l->commission = M(rl, r, 16);
        l->weight = M(rl, r, 17);
        l->volume = M(rl, r, 18);
        l->is_not_use_air = (int)I(rl, r, 19);
        l->delivery_term = (int)I(rl, r, 20);
        l->spec_no = S(rl, r, 21);
    }
    size_t li = 0; /* both reads are ordered by trade_id: an order's lines are the next run of them */
    for (int r = 0; r < rt->nrows; r++) {
        ord_t *o = &ms->ords[ms->nords++];
        o->trade_id = U(rt, r, 0);
        o->status = (int)I(rt, r, 1);
        o->customer_id = U(rt, r, 2);
        o->mo.trade_id = o->trade_id;
        o->mo.status = o->status;
        o->mo.completed = o->status == OF_ST_COMPLETED;
        o->logistics_id = U(rt, r, 4);
        o->logistics_by = (int)I(rt, r, 5);
        snprintf(o->mo.receiver_name, sizeof o->mo.receiver_name, "%s", S(rt, r, 6));
        snprintf(o->mo.receiver_mobile, sizeof o->mo.receiver_mobile, "%s", S(rt, r, 7));
        snprintf(o->mo.receiver_telno, sizeof o->mo.receiver_telno, "%s", S(rt, r, 8));
        snprintf(o->mo.receiver_province, sizeof o->mo.receiver_province, "%s", S(rt, r, 9));
        snprintf(o->mo.receiver_city, sizeof o->mo.receiver_city, "%s", S(rt, r, 10));
        snprintf(o->mo.receiver_district, sizeof o->mo.receiver_district, "%s", S(rt, r, 11));
        snprintf(o->mo.receiver_address, sizeof o->mo.receiver_address, "%s", S(rt, r, 12));
        snprintf(o->mo.receiver_zip, sizeof o->mo.receiver_zip, "%s", S(rt, r, 13));
        o->mo.invoice_type = (int)I(rt, r, 14);
        snprintf(o->mo.invoice_title, sizeof o->mo.invoice_title, "%s", S(rt, r, 15));
        snprintf(o->mo.invoice_content, sizeof o->mo.invoice_content, "%s", S(rt, r, 16));
        snprintf(o->mo.cs_remark, sizeof o->mo.cs_remark, "%s", S(rt, r, 17));
        snprintf(o->mo.buyer_message, sizeof o->mo.buyer_message, "%s", S(rt, r, 18));
        o->is_history = (int)I(rt, r, 19);
        o->unmerge_mask = (uint32_t)I(rt, r, 20);
        o->shop_id = U(rt, r, 21);
        o->post_amount = M(rt, r, 22);
        o->pay_status = (int)I(rt, r, 23);
        o->refund_status = (int)I(rt, r, 24);
        o->stockout_id = U(rt, r, 25);
        o->salesman_id = U(rt, r, 26);
        o->flag_id = U(rt, r, 27);
        o->is_split = (int)I(rt, r, 28);
        o->split_from = U(rt, r, 29);
        o->sales_counted = (int)I(rt, r, 30);
        o->warehouse_id = U(rt, r, 3);
        o->loaded = 1;
        while (li < ms->nlines && ms->lines[li].trade_id < o->trade_id)
            li++;
        o->line0 = li < ms->nlines && ms->lines[li].trade_id == o->trade_id ? li : ms->nlines;
        while (li < ms->nlines && ms->lines[li].trade_id == o->trade_id) {
            o->nline++;
            li++;
        }
    }
    return OF_OK;
}

/* The customers' open orders, for the jobs whose status bits are set and whose MOD-T1 decision counts them (D-MOD-49:
 * not a payment, which the submission decides with its own read of them). */
static of_err_t load_sibs(of_modstore_t *ms, char *err, size_t size) {
    uint64_t *keys = calloc(ms->nraws + 1, sizeof *keys);
    if (!keys) return nomem(err, size);
    size_t n = 0;
    for (size_t i = 0; i < ms->nraws; i++) {
        const raw_t *x = &ms->raws[i];
        const ord_t *o = ord_of(ms, x->deliver);
        if (o && o->customer_id && (x->modify_flag & (OF_MF_TRADE_STATUS | OF_MF_PAY)) &&
            of_modst_uses_siblings(x->t.trade_status))
            keys[n++] = o->customer_id;
    }
    n = sort_unique(keys, n); /* a customer's orders once, also when the read takes several statements */
    of_err_t e = read_in(ms, R_SIBS, keys, n, err, size);
    free(keys);
    if (e || !n) return e;
    const of_rows_t *rs = ms->rows[R_SIBS];
    if (!(ms->sibs = calloc((size_t)rs->nrows + 1, sizeof *ms->sibs))) return nomem(err, size);
    for (int r = 0; r < rs->nrows; r++) {
        sib_t *s = &ms->sibs[ms->nsibs++];
        s->customer_id = U(rs, r, 0);
        s->trade_id = U(rs, r, 1);
        s->status = (int)I(rs, r, 2);
        s->trade_time = of_time_parse(S(rs, r, 3));
    }
    return OF_OK;
}

/* ------------------------------------------------------------------ writes */
/* The order logs, the remark history and the customers' books (MOD-T16-01) go with the submission's rows of the same
 * tables (one write set, one statement per table for the batch; the books are written with the submission's first
 * round, which no lookup of trade-modify's re-submissions depends on: their customers exist); the other tables are
 * trade-modify's own. */
static int add_row(of_modstore_t *ms, int table, const of_param_t *row) {
    static const int sub[W__COUNT] = {[W_LOG] = OF_SW_LOG + 1,
                                      [W_REMARK] = OF_SW_REMARK + 1,
                                      [W_ADDRESS] = OF_SW_ADDRESS + 1,
                                      [W_TELNO] = OF_SW_TELNO + 1};
    if (sub[table]) return of_wset_add(of_substore_wset(ms->ss), sub[table] - 1, row);
    return of_wset_add(ms->w, table, row);
}
#define ADD(table, ...) (add_row(ms, (table), (const of_param_t[]){__VA_ARGS__}) < 0 ? nomem(err, size) : OF_OK)

/* A stock change of one line: the counter, its log. */
static of_err_t stock_move(of_modstore_t *ms, of_modjob_t *job, uint64_t trade_id, uint64_t wh, uint64_t spec, int kind,
                           int n, const char *why, char *err, size_t size) {
    if (kind == OF_RES_NONE || !n || !wh) return OF_OK;
    size_t len = strlen(job->moves);
    snprintf(job->moves + len, sizeof job->moves - len, "%s%s %+d@wh%llu/spec %llu", len ? ", " : "",
             of_stock_counter_name((of_res_t)kind), n, (unsigned long long)wh, (unsigned long long)spec);
    return of_substore_stock(ms->ss, wh, spec, kind, n, trade_id, job->event_id, why, err, size);
}

static int add_sale(of_modstore_t *ms, uint64_t shop, uint64_t wh, uint64_t spec, int n) {
    for (size_t i = 0; i < ms->nsales; i++)
        if (ms->sales[i].shop == shop && ms->sales[i].wh == wh && ms->sales[i].spec == spec) {
            ms->sales[i].n += n;
            return 0;
        }
    if (ms->nsales == ms->sales_cap) {
        size_t nc = ms->sales_cap ? ms->sales_cap * 2 : 16;
        sale_t *p = realloc(ms->sales, nc * sizeof *p);
        if (!p) return -1;
        ms->sales = p;
        ms->sales_cap = nc;
    }
    ms->sales[ms->nsales++] = (sale_t){shop, wh, spec, n};
    return 0;
}

/* MOD-T1-28…-31, MOD-O1-05…-07: a line's goods released. */
static of_err_t release_line(of_modstore_t *ms, of_modjob_t *job, const ord_t *o, line_t *l, int refund_status,
                             int deduct_sales, const char *rule, char *err, size_t size) {
    of_err_t e;
    char why[64];
    snprintf(why, sizeof why, "%s reservation released", rule);
    if ((e = stock_move(ms, job, o->trade_id, l->res_wh, l->spec_id, l->reserved, -l->reserved_num, why, err, size)))
        return e;
    char data[160];
    snprintf(data, sizeof data, "{\"rule\":\"%s\",\"trade_id\":%llu}", rule, (unsigned long long)o->trade_id);
    if ((e = ADD(W_BACKGROUND, OFP_U(o->shop_id), OFP_U(l->spec_id), OFP_S(data)))) return e;
    if (deduct_sales && l->res_wh && l->actual_num > 0 &&
        add_sale(ms, o->shop_id, l->res_wh, l->spec_id, l->actual_num))
        return nomem(err, size);
    l->actual_num = 0;
    l->reserved = OF_RES_NONE;
    l->res_wh = 0;
    l->reserved_num = 0;
    l->refund_status = refund_status;
    l->dirty = 1;
    return OF_OK;
}

/* MOD-O2-06: a line's goods back (actual_num = num), reserved again on the order's counter; with add_sales its
 * quantity back in today's sales (D-MOD-30: what MOD-O1-06 deducted). */
static of_err_t restore_line(of_modstore_t *ms, of_modjob_t *job, const ord_t *o, uint64_t warehouse_id, line_t *l,
                             int add_sales, char *err, size_t size) {
    int kind = o->status == OF_ST_UNPAID || o->status == OF_ST_BALANCE ? OF_RES_UNPAY : OF_RES_ORDER;
    for (size_t i = 0; i < o->nline; i++) /* the counter the order's other lines hold */
        if (ms->lines[o->line0 + i].reserved) kind = ms->lines[o->line0 + i].reserved;
    l->actual_num = l->num;
    l->dirty = 1;
    if (!warehouse_id) return OF_OK;
    if (add_sales && l->num > 0 && add_sale(ms, o->shop_id, warehouse_id, l->spec_id, -l->num)) return nomem(err, size);
    of_err_t e =
        stock_move(ms, job, o->trade_id, warehouse_id, l->spec_id, kind, l->num, "MOD-O2-06 reserved again", err, size);
    if (e) return e;
    l->reserved = kind;
    l->res_wh = warehouse_id;
    l->reserved_num = l->num;
    return OF_OK;
}

static of_err_t add_logs(of_modstore_t *ms, uint64_t trade_id, uint64_t stockout_id, const of_logs_t *logs,
                         const of_logs_t *so_logs, char *err, size_t size) {
    of_err_t e;
    for (size_t i = 0; logs && i < logs->n; i++)
        if ((e = ADD(W_LOG, OFP_U(trade_id), OFP_I(logs->e[i].type), OFP_S(logs->e[i].rule),
                     OFP_S(logs->e[i].message))))
            return e;
    for (size_t i = 0; stockout_id && so_logs && i < so_logs->n; i++)
        if ((e = ADD(W_STOCKOUT_LOG, OFP_U(stockout_id), OFP_I(so_logs->e[i].type), OFP_S(so_logs->e[i].rule),
                     OFP_S(so_logs->e[i].message))))
            return e;
    return OF_OK;
}

/* The order's aggregates and refund status from its lines (SUB-AGG-01…-04, reused: MOD-T1-32, MOD-O1-08, O2-03). */
static int recompute(const of_catalog_t *cat, const raw_t *x, const of_modstore_t *ms, const ord_t *o, of_sub_t *s) {
    for (size_t i = 0; i < o->nline; i++) {
        const line_t *l = &ms->lines[o->line0 + i];
        of_line_t *d = of_sub_add_line(s);
        if (!d) return -1;
        d->spec_id = l->spec_id;
        d->refund_status = l->refund_status;
        d->actual_num = l->actual_num;
        d->num = l->num;
        d->share_amount = l->share_amount;
        d->share_post = l->share_post;
        d->paid = l->paid;
        d->discount = l->discount;
        d->commission = l->commission;
        d->weight = l->weight;
        d->volume = l->volume;
        d->gift_type = l->gift_type;
        d->is_not_use_air = l->is_not_use_air;
        d->delivery_term = l->delivery_term;
        snprintf(d->spec_no, sizeof d->spec_no, "%s", l->spec_no);
    }
    of_subin_t in = {.cat = cat, .raw = &x->t, .raw_id = x->rec_id, .shop_id = x->shop_id};
    of_aggregate(&in, s);
    return 0;
}

/* OP-71 (MOD-O1-11, O2-08): the order's post amount over its lines with goods, by share_amount, the last takes the
 * rest. */
static void reallocate_post(of_modstore_t *ms, const ord_t *o) {
    int64_t base = 0, given = 0;
    size_t last = o->nline;
    for (size_t i = 0; i < o->nline; i++) {
        const line_t *l = &ms->lines[o->line0 + i];
        if (l->actual_num > 0) {
            base += l->share_amount;
            last = i;
        }
    }
    for (size_t i = 0; i < o->nline; i++) {
        line_t *l = &ms->lines[o->line0 + i];
        int64_t p = 0;
        if (l->actual_num > 0)
            p = i == last ? o->post_amount - given
                : base    ? (int64_t)((__int128)o->post_amount * l->share_amount / base)
                          : 0;
        given += p;
        if (p != l->share_post) {
            l->share_post = p;
            l->dirty = 1;
        }
    }
}

/* ------------------------------------------------------------------ one job */
typedef struct {
    int status, pay_status, refund_status, agg, rcn;
    uint32_t bad, blk, cons;
    const char *cs_remark, *buyer_message;
    uint64_t salesman, flag, logistics;
    int logistics_by;
    const char *rcv[8];
    int invoice_type;
    const char *invoice_title, *invoice_content;
    of_sub_t aggs;
    int dirty;
} final_t;

static void final_init(final_t *f, const ord_t *o) {
    memset(f, 0, sizeof *f);
    f->status = o->status;
    f->pay_status = o->pay_status;
    f->refund_status = o->refund_status;
    f->cs_remark = o->mo.cs_remark;
    f->buyer_message = o->mo.buyer_message;
    f->salesman = o->salesman_id;
    f->flag = o->flag_id;
    f->logistics = o->logistics_id;
    f->logistics_by = o->logistics_by;
    const char *r[8] = {o->mo.receiver_name, o->mo.receiver_mobile,   o->mo.receiver_telno,   o->mo.receiver_province,
                        o->mo.receiver_city, o->mo.receiver_district, o->mo.receiver_address, o->mo.receiver_zip};
    memcpy(f->rcv, r, sizeof r);
    f->invoice_type = o->mo.invoice_type;
    f->invoice_title = o->mo.invoice_title;
    f->invoice_content = o->mo.invoice_content;
    of_sub_init(&f->aggs);
}

/* The customer's open orders besides o: counts for MOD-T1-20/24/25. */
static void sib_counts(const of_modstore_t *ms, const ord_t *o, int *unpaid, int64_t *last_unpaid, int *others) {
    *unpaid = 0;
    *last_unpaid = 0;
    *others = 0;
    for (size_t i = 0; i < ms->nsibs; i++) {
        const sib_t *s = &ms->sibs[i];
        if (s->customer_id != o->customer_id || s->trade_id == o->trade_id) continue;
        (*others)++;
        if (s->status == OF_ST_UNPAID) {
            (*unpaid)++;
            if (s->trade_time > *last_unpaid) *last_unpaid = s->trade_time;
        }
    }
}

static of_err_t sib_exec(of_modstore_t *ms, int q, const of_param_t *p, int np, char *err, size_t size) {
    return of_db_exec(ms->db, ms->st[q], p, np, NULL, NULL, err, size);
}

/* The line of a sub-order in o, NULL when none. */
static line_t *line_of(of_modstore_t *ms, const ord_t *o, const char *tid, const char *oid) {
    for (size_t i = 0; i < o->nline; i++) {
        line_t *l = &ms->lines[o->line0 + i];
        if (!strcmp(l->src_oid, oid) && !strcmp(l->src_tid, tid)) return l;
    }
    return NULL;
}

static void note(of_modjob_t *job, const char *rule) {
    size_t len = strlen(job->note);
    if (strstr(job->note, rule)) return;
    snprintf(job->note + len, sizeof job->note - len, "%s%s", len ? " " : "", rule);
}

/* MOD-T1-33, -O1-10, -O2-04: three statements per customer, when CFG_BLOCK_GIFT is on (off by default). */
static of_err_t gift_intercept(of_modstore_t *ms, of_modjob_t *job, const ord_t *o, const char *rule, char *err,
                               size_t size) {
    of_err_t e;
    if (!o->customer_id) return OF_OK;
    if ((e = sib_exec(ms, Q_GIFT_LOG, (of_param_t[]){OFP_S(rule), OFP_U(o->customer_id)}, 2, err, size)) ||
        (e = sib_exec(ms, Q_GIFT_SO, (of_param_t[]){OFP_U(o->customer_id)}, 1, err, size)) ||
        (e = sib_exec(ms, Q_GIFT, (of_param_t[]){OFP_U(o->customer_id)}, 1, err, size)))
        return e;
    note(job, rule);
    return OF_OK;
}

/* Why an order is submitted again (*resubmit of apply_job). */
enum { RS_NONE, RS_PAID, RS_ADDRESS, RS_WAREHOUSE };

/* Everything but a re-submission: MOD-T1 (other branches), the header bits, the sub-orders. */
/* D-MID-17: a line of the trade sits in an order the sweep split off `parent` */
static int line_in_kids(of_modstore_t *ms, uint64_t parent, const char *tid, const char *oid) {
    for (size_t k = 0; k < ms->nords; k++)
        if (ms->ords[k].split_from == parent && line_of(ms, &ms->ords[k], tid, oid)) return 1;
    return 0;
}

/* secondary: o is an order the sweep split off the trade's order (D-MID-17): the trade's status and header changes
 * apply to it as well, its sub-order changes only to the lines it holds. */
static of_err_t apply_job(of_modstore_t *ms, of_modjob_t *job, raw_t *x, ord_t *o, int64_t now, int *resubmit,
                          int secondary, char *err, size_t size) {
    const of_catalog_t *cat = &ms->cat;
    of_err_t e = OF_OK;
    uint32_t clear = 0;
    int raw_ps = 0, t1_acted = 0;
    final_t f;
    final_init(&f, o);
    of_modst_plan_t sp;
    of_modhdr_plan_t hp;
    of_modst_plan_init(&sp);
    of_modhdr_plan_init(&hp);
    uint32_t *oclear = calloc(x->t.n_orders + 1, sizeof *oclear);
    int *ops = calloc(x->t.n_orders + 1, sizeof *ops);
    if (!oclear || !ops) {
        e = nomem(err, size);
        goto out;
    }
    /* MOD-T1 (OP-53: bit 1 or 2) */
    if (x->modify_flag & (OF_MF_TRADE_STATUS | OF_MF_PAY)) {
        of_modst_order_t so = {.trade_id = o->trade_id,
                               .status = o->status,
                               .is_history = o->is_history,
                               .has_stockout = o->stockout_id != 0,
                               .unmerge_mask = o->unmerge_mask};
        int handled = o->nline > 0; /* OP-61 */
        for (size_t i = 0; i < o->nline; i++) {
            const line_t *l = &ms->lines[o->line0 + i];
            if (!strcmp(l->src_tid, x->t.tid) && !(l->actual_num == 0 && l->refund_status >= OF_LRS_REFUNDED))
                handled = 0;
            if (strcmp(l->src_tid, x->t.tid) && !l->gift_type && l->actual_num > 0) so.other_goods = 1;
        }
        so.refund_handled = handled;
        int unpaid, others;
        int64_t last_unpaid;
        sib_counts(ms, o, &unpaid, &last_unpaid, &others);
        if (of_modst_decide(&x->t, x->modify_flag, &so, 1, unpaid, last_unpaid, now, cat->set.wait_unpaid_s, others,
                            cat->set.block_gift, &sp)) {
            e = nomem(err, size);
            goto out;
        }
        clear |= sp.handled;
        if (sp.resubmit) { /* MOD-T1-02…-18: the whole change goes through the submission */
            /* D-RT-11: nothing of this order, its lines or its raw trade goes to this store's own tables from here:
             * the submission's rows of them are written after those tables (of_substore_set_single_call) */
            *resubmit = RS_PAID;
            note(job, "MOD-T1-03"); /* the unpaid reservation released, the lines made again, the strategies run */
            note(job, "MOD-T1-04");
            note(job, "MOD-T1-05");
            note(job, "MOD-T1-18"); /* and its log */
            goto out;
        }
        of_modst_order_plan_t *op = &sp.orders[0];
        t1_acted = sp.deposit || sp.refund_order || sp.raw_process_status || op->action || op->consign ||
                   op->complete || op->block_or || op->bad_or || op->release_waiting || op->clear_same_name ||
                   sp.gift_intercept;
        if ((e = add_logs(ms, o->trade_id, 0, &sp.logs, NULL, err, size))) goto out;
        if ((e = add_logs(ms, o->trade_id, o->stockout_id, &op->logs, &op->stockout_logs, err, size))) goto out;
        f.bad |= op->bad_or;
        f.blk |= op->block_or;
        if (sp.deposit) { /* MOD-T1-20 */
            f.status = OF_ST_BALANCE;
            f.pay_status = x->t.pay_status;
            note(job, "MOD-T1-20");
            if (sp.clear_unpaid_flag &&
                (e = ADD(W_SIB_UNPAID, OFP_U(o->customer_id), OFP_U(o->trade_id), OFP_I(16), OFP_I(95))))
                goto out;
        }
        if (sp.refund_order && /* MOD-T1-22 */
            (e = of_substore_refund(ms->ss, &x->t, x->rec_id, x->shop_id, OF_LRS_REFUNDED, 1, x->t.buyer_nick,
                                    "MOD-T1-22 whole trade refunded", err, size)))
            goto out;
        if (op->action == OF_MODST_RELEASE) { /* MOD-T1-28…-32 */
            for (size_t i = 0; i < o->nline && !e; i++) {
                line_t *l = &ms->lines[o->line0 + i];
                if (!strcmp(l->src_tid, x->t.tid) || (op->cancel && l->gift_type))
                    e = release_line(ms, job, o, l, op->line_refund_status, op->deduct_sales, "MOD-T1-29", err, size);
            }
            if (e) goto out;
            f.agg = 1;
            if (op->cancel) {
                f.status = OF_ST_CANCELLED;
                note(job, "MOD-T1-32");
            }
            note(job, "MOD-T1-29");
        }
        if (op->release_waiting) { /* MOD-T1-24; the unpaid flag goes only when no unpaid sibling remains (proposed) */
            if ((e = ADD(W_SIB_WAIT, OFP_U(o->customer_id), OFP_U(o->trade_id), OFP_I(cat->set.delay_audit_s))) ||
                (!unpaid && (e = ADD(W_SIB_UNPAID, OFP_U(o->customer_id), OFP_U(o->trade_id), OFP_I(16), OFP_I(95)))))
                goto out;
            note(job, "MOD-T1-24");
        }
        if (op->clear_same_name) { /* MOD-T1-25 */
            if ((e = ADD(W_SIB_SAME, OFP_U(o->customer_id), OFP_U(o->trade_id)))) goto out;
            note(job, "MOD-T1-25");
        }
        if (op->consign) f.cons = 1, note(job, "MOD-T1-35");
        if (op->complete) f.status = OF_ST_COMPLETED, note(job, "MOD-T1-36");
        if (op->block_or) note(job, "MOD-T1-26");
        if (sp.gift_intercept && (e = gift_intercept(ms, job, o, "MOD-T1-33", err, size))) goto out;
        raw_ps = sp.raw_process_status;
        if (sp.clear_order_bits)
            for (size_t i = 0; i < x->t.n_orders; i++)
                oclear[i] = x->oflags[i];
        if (!job->note[0]) note(job, sp.logs.n ? sp.logs.e[0].rule : "MOD-T1-37");
    }
    /* the header bits (MOD-T4 … MOD-T64) */
    uint32_t hbits = x->modify_flag & ~(uint32_t)(OF_MF_TRADE_STATUS | OF_MF_PAY);
    if (hbits) {
        o->mo.status = f.status;
        of_modhdr_decide(cat, x->shop_id, &o->mo, &x->t, hbits, &hp);
        /* D-MOD-15: the submission's strategies, into the order; not when MOD-T1 acted in the same change or the
         * trade is beyond payment (shipped, refunded …: a submission would stop at SUB-TYPE-01) */
        /* D-MID-10: an order the sweep merged holds lines of other raw trades, which a submission of this one would
         * replace: the change is applied to the header without the strategies */
        int merged = o->is_split; /* D-MID-17: lines of the trade in other orders as well */
        for (size_t i = 0; i < o->nline && !merged; i++) {
            const line_t *l = &ms->lines[o->line0 + i];
            merged = l->src_tid[0] && strcmp(l->src_tid, x->t.tid) != 0;
        }
        int again = (hp.recompute || hp.reselect_warehouse) && !t1_acted && !merged && x->t.trade_status < 40;
        if (again) { /* D-RT-11: as for RS_PAID, no row of this store's own for the order from here */
            *resubmit = hp.recompute ? RS_ADDRESS : RS_WAREHOUSE;
            note(job, hp.recompute ? "MOD-T16-04" : "MOD-T64-02");
            goto out;
        }
        if (hp.set_address) { /* MOD-T16-04 without the recompute */
            const char *r[8] = {x->t.receiver_name,     x->t.receiver_mobile, x->t.receiver_telno,
                                x->t.receiver_province, x->t.receiver_city,   x->t.receiver_district,
                                x->t.receiver_address,  x->t.receiver_zip};
            memcpy(f.rcv, r, sizeof r);
        }
        if ((hp.recompute || hp.reselect_warehouse) &&
            (e = ADD(
                 W_LOG, OFP_U(o->trade_id), OFP_I(OF_LOG_EXCEPTION), OFP_S(hp.recompute ? "MOD-T16-04" : "MOD-T64-02"),
                 OFP_S(merged ? (hp.recompute ? "address set; logistics, package and fee not recomputed: the order "
                                                "holds lines of other raw trades or was split (D-MID-10, D-MID-17)"
                                              : "warehouse not selected again: the order holds lines of other raw "
                                                "trades or was split (D-MID-10, D-MID-17)")
                       : hp.recompute ? "address set; logistics, package and fee not recomputed: the trade's status "
                                        "changed in the same change"
                                      : "warehouse not selected again: the trade's status changed in the same "
                                        "change"))))
            goto out;
        clear |= hp.handled;
        f.bad |= hp.bad_or;
        f.blk |= hp.block_or;
        if ((e = add_logs(ms, o->trade_id, o->stockout_id, &hp.logs, &hp.stockout_logs, err, size))) goto out;
        if (hp.remark_history &&
            (e = ADD(W_REMARK, OFP_U(o->trade_id), OFP_U(x->rec_id), OFP_S(x->t.tid), OFP_I(1), OFP_S(x->t.cs_remark))))
            goto out;
        if (hp.set_cs_remark) f.cs_remark = x->t.cs_remark, f.rcn = 1;
        if (hp.salesman_id) f.salesman = hp.salesman_id;
        if (hp.flag_id) f.flag = hp.flag_id;
        if (hp.logistics_id) f.logistics = hp.logistics_id, f.logistics_by = OF_LB_REMARK;
        if (hp.set_client_remark) f.buyer_message = x->t.buyer_message;
        if (hp.set_invoice) {
            f.invoice_type = x->t.invoice_type;
            f.invoice_title = x->t.invoice_title;
            f.invoice_content = x->t.invoice_content;
        }
        if (hp.customer_books && o->customer_id) { /* MOD-T16-01 */
            of_cust_address_t ad;
            if (of_cust_address(&x->t, &ad) &&
                (e = ADD(W_ADDRESS, OFP_U(o->customer_id), OFP_S(ad.name), OFP_S(ad.province), OFP_S(ad.city),
                         OFP_S(ad.district), OFP_S(ad.address), OFP_S(ad.zip), OFP_S(ad.mobile), OFP_S(ad.telno))))
                goto out;
            const char *nums[2];
            int types[2];
            int np = of_cust_phones(&x->t, nums, types);
            for (int i = 0; i < np && !e; i++)
                e = ADD(W_TELNO, OFP_U(o->customer_id), OFP_I(types[i]), OFP_S(nums[i]));
            if (e) goto out;
        }
        for (size_t i = 0; i < hp.logs.n; i++)
            note(job, hp.logs.e[i].rule);
        for (size_t i = 0; i < hp.trace.n; i++)
            note(job, hp.trace.e[i].rule);
    }
    /* the sub-orders (MOD-O1, -O2, -O16); whether today's sales hold the order's lines is read from its status before
     * them (st0), not as an earlier sub-order of the same change moved it (a reopen to 30, D-MOD-30) */
    int post = 0, last_rs = OF_LRS_REFUNDED; /* the refund status of the last line released (gifts follow it) */
    const int st0 = f.status, st0_counted = (st0 >= 25 && st0 <= 55) || (st0 == OF_ST_CANCELLED && o->sales_counted);
    for (size_t i = 0; i < x->t.n_orders; i++) {
        uint32_t ob = x->oflags[i] & ~oclear[i];
        if (!ob) continue;
        const Orderfleet__RawSubOrder *ro = x->op[i];
        line_t *l = line_of(ms, o, x->t.tid, ro->oid);
        /* D-MID-17: the order holding the line handles it */
        if (!l && (secondary || line_in_kids(ms, o->trade_id, x->t.tid, ro->oid))) continue;
        of_modline_order_t lo = {.block_gift = cat->set.block_gift,
                                 .exists = l != NULL && !o->is_history,
                                 .status = f.status,
                                 .has_stockout = o->stockout_id != 0,
                                 .refund_handled = l && l->actual_num == 0 && l->refund_status >= OF_LRS_REFUNDED,
                                 .line_refund_status = l ? l->refund_status : 0};
        of_modline_plan_t lp;
        of_modline_plan_init(&lp);
        of_modline_decide(&lo, ro, ob, &lp);
        oclear[i] |= lp.handled;
        f.bad |= lp.bad_or;
        f.blk |= lp.block_or;
        e = add_logs(ms, o->trade_id, o->stockout_id, &lp.logs, &lp.stockout_logs, err, size);
        if (!e && lp.refund_order)
            e = of_substore_refund(ms->ss, &x->t, x->rec_id, x->shop_id, OF_LRS_REFUNDED, 0, x->t.buyer_nick,
                                   "MOD-O1-02 sub-order refunded", err, size);
        if (!e && l && lp.release_line) {
            e = release_line(ms, job, o, l, lp.line_refund_status, st0 >= 25 && st0 <= 55, "MOD-O1-06", err, size);
            last_rs = lp.line_refund_status;
            f.agg = 1;
        } else if (l && lp.line_refund_status >= 0 && lp.line_refund_status != l->refund_status) {
            l->refund_status = lp.line_refund_status;
            l->dirty = 1;
        }
        if (!e && l && lp.restore_line) {
            /* D-MOD-30: "refresh sales": back what MOD-O1-06 took, where it took it (25 ≤ status ≤ 55), or where
             * MOD-O1-08 / MOD-T1-32 then cancelled an order whose sales were counted */
            e = restore_line(ms, job, o, o->warehouse_id, l, st0_counted, err, size);
            l->refund_status = OF_LRS_CANCELLED;
            f.agg = 1;
            if (lp.reopen) f.status = 30; /* MOD-O2-06: 待审核 (OP-01) */
        }
        if (l && lp.recompute_refund) f.agg = 1;
        if (l && lp.consign_line) {
            l->is_consigned = 1;
            l->dirty = 1;
            ops[i] = OF_PS_PART_SHIPPED;
            raw_ps = raw_ps ? raw_ps : OF_PS_PART_SHIPPED;
        }
        if (lp.settle_line) { /* OP-72: the raw trade completes when every sub-order is completed or closed */
            int all = 1;
            for (size_t k = 0; k < x->t.n_orders; k++)
                if (k != i && !(x->op[k]->status >= OF_RAWO_COMPLETED)) all = 0;
            ops[i] = OF_PS_COMPLETED;
            if (all) raw_ps = OF_PS_COMPLETED;
        }
        post |= lp.reallocate_post && l;
        if (!e && lp.gift_intercept)
            e = gift_intercept(ms, job, o, ob & OF_MFO_STATUS ? "MOD-O1-10" : "MOD-O2-04", err, size);
        for (size_t k = 0; k < lp.logs.n; k++)
            note(job, lp.logs.e[k].rule);
        for (size_t k = 0; k < lp.trace.n; k++)
            note(job, lp.trace.e[k].rule);
        of_modline_plan_free(&lp);
        if (e) goto out;
    }
    if (post) reallocate_post(ms, o);
    if (f.agg) { /* MOD-O1-08: no goods left → the gifts go too and the order is cancelled; then SUB-AGG */
        int goods = 0;
        for (size_t i = 0; i < o->nline; i++)
            goods |= ms->lines[o->line0 + i].actual_num > 0 && !ms->lines[o->line0 + i].gift_type;
        if (!goods && f.status != OF_ST_CANCELLED && f.status < 40) {
            /* the gifts' sales as the goods' (MOD-O1-06): deducted where the order's status counts them */
            int counted = st0 >= 25 && st0 <= 55;
            f.status = OF_ST_CANCELLED;
            for (size_t i = 0; i < o->nline && !e; i++) {
                line_t *l = &ms->lines[o->line0 + i];
                if (l->actual_num > 0) e = release_line(ms, job, o, l, last_rs, counted, "MOD-O1-08", err, size);
            }
            if (!e)
                e = ADD(W_LOG, OFP_U(o->trade_id), OFP_I(OF_LOG_STATUS), OFP_S("MOD-O1-08"),
                        OFP_S("no goods left: gifts cancelled, order cancelled"));
            if (e) goto out;
            note(job, "MOD-O1-08");
        }
        if (recompute(cat, x, ms, o, &f.aggs)) {
            e = nomem(err, size);
            goto out;
        }
        f.refund_status = f.aggs.refund_status;
    }
    /* the order, its lines, its stockout order */
    const of_agg_t *g = &f.aggs.agg;
    /* the status only when this change moved it: a sibling update of this batch (MOD-T1-07/24, SUB-WU) stays */
    if ((e = ADD(W_ORDER, OFP_U(o->trade_id), OFP_I(f.status), OFP_I(o->status), OFP_I(f.pay_status),
                 OFP_I(f.refund_status), OFP_U(f.bad), OFP_U(f.blk), OFP_I(f.cons), OFP_S(f.cs_remark), OFP_I(f.rcn),
                 OFP_S(f.buyer_message), OFP_U(f.salesman), OFP_U(f.flag), OFP_U(f.logistics), OFP_I(f.logistics_by),
                 OFP_S(f.rcv[0]), OFP_S(f.rcv[1]), OFP_S(f.rcv[2]), OFP_S(f.rcv[3]), OFP_S(f.rcv[4]), OFP_S(f.rcv[5]),
                 OFP_S(f.rcv[6]), OFP_S(f.rcv[7]), OFP_I(f.invoice_type), OFP_S(f.invoice_title),
                 OFP_S(f.invoice_content), OFP_I(g->goods_count), OFP_I(g->goods_type_count), OFP_M(g->goods_amount),
                 OFP_M(g->paid), OFP_S(g->single_spec_no), OFP_U(g->gift_mask), OFP_I(f.agg))))
        goto out;
    for (size_t i = 0; i < o->nline && !e; i++) {
        const line_t *l = &ms->lines[o->line0 + i];
        if (l->dirty)
            e = ADD(W_LINE, OFP_U(l->rec_id), OFP_I(l->actual_num), OFP_I(l->refund_status), OFP_I(l->reserved),
                    OFP_U(l->res_wh), OFP_I(l->reserved_num), OFP_M(l->share_post), OFP_I(l->is_consigned));
    }
    if (!e && f.blk && o->stockout_id) e = ADD(W_STOCKOUT, OFP_U(o->stockout_id), OFP_U(f.blk));
    if (e) goto out;
    /* the raw trade and its sub-orders: the handled bits cleared (MOD-END-01, MOD-O-END-01), with what the other
     * orders holding its lines do (write_raw); process statuses by precedence: completed over shipped over part
     * shipped over cancelled */
    for (size_t i = 0; i < x->t.n_orders; i++) {
        x->w_oclr[i] |= oclear[i];
        if (ops[i] > x->w_ops[i]) x->w_ops[i] = ops[i];
    }
    x->w_clr |= clear;
    if (raw_ps > x->w_ps) x->w_ps = raw_ps;
    if (hp.cs.salesman_id) x->w_sm = hp.cs.salesman_id;
    if (hp.cs.logistics_id) x->w_rl = hp.cs.logistics_id;
    if (hp.cs.freeze_reason) x->w_fr = hp.cs.freeze_reason;
    x->w_any = 1;
    job->status_after = f.status;
    job->bits = clear;
    for (size_t i = 0; i < x->t.n_orders; i++)
        job->order_bits |= oclear[i];
    job->block_or = f.blk;
    job->bad_or = f.bad;
out:
    free(oclear);
    free(ops);
    of_sub_free(&f.aggs);
    of_modst_plan_free(&sp);
    of_modhdr_plan_free(&hp);
    return e;
}

/* ------------------------------------------------------------------ the batch */
typedef struct {
    of_subjob_t sj;
    of_held_t *held;
    of_modjob_t *job;
    raw_t *x;
    ord_t *o;
    int why; /* RS_* */
} resub_t;

/* MOD-T1-07/08 after a paid order was submitted again (its new status and flags). */
static of_err_t after_resubmit(of_modstore_t *ms, const resub_t *r, char *err, size_t size) {
    const of_subjob_t *sj = &r->sj;
    const ord_t *o = r->o;
    if (!(sj->unmerge_mask & OF_UM_SAME_NAME) || (sj->unmerge_mask & OF_UM_HAS_UNPAID)) return OF_OK;
    of_err_t e;
    int s = sj->status;
    if ((s == 13 || s == 16 || s == 19 || s == 20 || s == 27) && /* T1-07 */
        (e = ADD(W_SIB_WAIT, OFP_U(o->customer_id), OFP_U(o->trade_id), OFP_I(ms->cat.set.delay_audit_s))))
        return e;
    return ADD(W_SIB_UNPAID, OFP_U(o->customer_id), OFP_U(o->trade_id), OFP_I(15), OFP_I(94)); /* T1-08 */
}

static of_err_t resubmit(of_modstore_t *ms, resub_t *rs, size_t nrs, int64_t now, char *err, size_t size) {
    of_subjob_t **pj = malloc((nrs ? nrs : 1) * sizeof *pj);
    if (!pj) return nomem(err, size);
    for (size_t i = 0; i < nrs; i++)
        pj[i] = &rs[i].sj;
    of_err_t e = of_substore_submit(ms->ss, pj, nrs, now, err, size);
    free(pj);
    for (size_t i = 0; i < nrs && !e; i++) {
        resub_t *r = &rs[i];
        of_modjob_t *job = r->job;
        if (r->sj.trade_id) {
            job->outcome = OF_MS_APPLIED;
            job->status_after = r->sj.status;
            snprintf(job->moves, sizeof job->moves, "submitted again: %zu lines and their reservations replaced",
                     r->sj.nheld);
            job->bits = r->x->modify_flag;
            for (size_t k = 0; k < r->x->t.n_orders; k++)
                job->order_bits |= r->x->oflags[k];
            if (r->why == RS_PAID) e = after_resubmit(ms, r, err, size); /* MOD-T1-07/08 follow a payment only */
            if (!e && (r->x->modify_flag & OF_MF_CS_REMARK)) e = ADD(W_REMARK_COUNT, OFP_U(r->o->trade_id));
            static const char *const rule[] = {"", "MOD-T1-18", "MOD-T16-04", "MOD-T64-02"};
            static const char *const what[] = {"", "paid", "address changed", "warehouse changed"};
            char msg[240];
            snprintf(msg, sizeof msg,
                     "%s: submitted again from the platform's new version (lines, strategies, stock), status %d",
                     what[r->why], r->sj.status);
            if (!e)
                e = ADD(W_LOG, OFP_U(r->o->trade_id), OFP_I(r->why == RS_PAID ? OF_LOG_PAID : OF_LOG_STATUS),
                        OFP_S(rule[r->why]), OFP_S(msg));
            continue;
        }
        /* MOD-T1-04 (OP-56): the order stays as it was; the raw trade carries the stop and leaves the MOD scope */
        job->outcome = OF_MS_RESUBMIT_STOPPED;
        job->status_after = job->status_before;
        snprintf(job->note, sizeof job->note, "%.23s: %.170s", r->sj.stop_rule, r->sj.stop_reason);
        char msg[400];
        snprintf(msg, sizeof msg, "submitted again: stopped by %s (%s); the order is kept as it was", r->sj.stop_rule,
                 r->sj.stop_reason);
        e = ADD(W_LOG, OFP_U(r->o->trade_id), OFP_I(OF_LOG_EXCEPTION), OFP_S("MOD-T1-04"), OFP_S(msg));
        if (!e)
            e = ADD(W_RAW, OFP_U(r->x->rec_id), OFP_U(0), OFP_I(0), OFP_U(r->sj.raw_bad_reason), OFP_U(0), OFP_U(0),
                    OFP_U(0), OFP_S(r->sj.stop_rule), OFP_S(r->sj.stop_reason));
    }
    return e;
}

/* The change's rows of the raw trade and its sub-orders (apply_job gathered them over the orders holding its lines). */
static of_err_t write_raw(of_modstore_t *ms, const raw_t *x, char *err, size_t size) {
    if (!x->w_any) return OF_OK;
    of_err_t e = OF_OK;
    for (size_t i = 0; i < x->t.n_orders && !e; i++)
        if (x->w_oclr[i] || x->w_ops[i]) e = ADD(W_RAWO, OFP_U(x->oids[i]), OFP_U(x->w_oclr[i]), OFP_I(x->w_ops[i]));
    if (!e)
        e = ADD(W_RAW, OFP_U(x->rec_id), OFP_U(x->w_clr), OFP_I(x->w_ps), OFP_U(0), OFP_U(x->w_sm), OFP_U(x->w_rl),
                OFP_U(x->w_fr), OFP_S(""), OFP_S(""));
    return e;
}

/* D-MOD-23: the raw trade's receiver is the order's (written to the customer's books when the order was submitted or
 * its address changed: MOD-T16-01), byte for byte. */
static int same_receiver(const ord_t *o, const Orderfleet__RawTrade *t) {
    const of_mod_order_t *m = &o->mo;
    return !strcmp(m->receiver_name, t->receiver_name) && !strcmp(m->receiver_mobile, t->receiver_mobile) &&
           !strcmp(m->receiver_telno, t->receiver_telno) && !strcmp(m->receiver_province, t->receiver_province) &&
           !strcmp(m->receiver_city, t->receiver_city) && !strcmp(m->receiver_district, t->receiver_district) &&
           !strcmp(m->receiver_address, t->receiver_address) && !strcmp(m->receiver_zip, t->receiver_zip);
}

of_err_t of_modstore_apply(of_modstore_t *ms, const of_cat_snap_t *snap, of_modjob_t *const *jobs, size_t n,
                           int64_t now, char *err, size_t size) {
    of_cat_overlay_reset(ms->ov);
    of_cat_view(snap, ms->ov, &ms->cat);
    of_wset_reset(ms->w);
    clear(ms);
    of_substore_begin(ms->ss, snap);
    of_err_t e = load_raws(ms, jobs, n, err, size);
    if (!e) e = load_orders(ms, err, size);
    if (!e) e = load_sibs(ms, err, size);
    if (!e) e = side_take(ms, err, size);
    if (!e) e = attach_orders(ms, err, size);
    resub_t *rs = calloc(n + 1, sizeof *rs);
    size_t nrs = 0;
    if (!e && !rs) e = nomem(err, size);
    for (size_t j = 0; j < n && !e; j++) {
        of_modjob_t *job = jobs[j];
        job->outcome = OF_MS_NOTHING;
        job->trade_id = 0;
        job->status_before = job->status_after = 0;
        job->bits = job->order_bits = job->block_or = job->bad_or = 0;
        job->note[0] = job->tid[0] = job->moves[0] = '\0';
        raw_t *x = raw_of(ms, job->raw_id);
        if (!x) {
            job->outcome = OF_MS_UNKNOWN;
            snprintf(job->note, sizeof job->note, "no raw trade with rec_id %llu", (unsigned long long)job->raw_id);
            continue;
        }
        snprintf(job->tid, sizeof job->tid, "%s", x->t.tid);
        uint32_t any = x->modify_flag;
        for (size_t i = 0; i < x->t.n_orders; i++)
            any |= x->oflags[i];
        if (x->t.is_external || x->bad_reason) { /* MOD-00: out of scope, the bits stay */
            job->outcome = OF_MS_SKIPPED;
            snprintf(job->note, sizeof job->note, "MOD-00: %s",
                     x->bad_reason ? "the raw trade has an exception" : "external flow");
            continue;
        }
        if (!x->deliver) { /* D-MOD-17: a submission still to come waits; one that was stopped or refused does not */
            int waits = x->process_status == OF_PS_PENDING && !*x->submit_rule;
            job->outcome = waits ? OF_MS_WAITING : OF_MS_SKIPPED;
            snprintf(job->note, sizeof job->note, "MOD-00: not submitted (process_status %d%s%.24s)", x->process_status,
                     *x->submit_rule ? ", stopped by " : "", x->submit_rule);
            continue;
        }
        if (!any) continue; /* OF_MS_NOTHING */
        ord_t *o = ord_of(ms, x->deliver);
        if (!o) {
            job->outcome = OF_MS_SKIPPED;
            snprintf(job->note, sizeof job->note, "MOD-T1-01: order %llu not found", (unsigned long long)x->deliver);
            continue;
        }
        /* D-MOD-43: one job an order a call. The order's row is written by UPDATE … JOIN from one row (its final values
         * and the bits it ORs in); a second job of the same order (two raw trades of an order the sweep merged) would
         * add a second row for it, which the server does not apply. It waits for the caller's next transaction. */
        int busy = o->changed;
        for (size_t k = 0; k < ms->nords && !busy; k++)
            busy = ms->ords[k].split_from == o->trade_id && ms->ords[k].changed;
        if (busy) {
            job->outcome = OF_MS_DEFERRED;
            snprintf(job->note, sizeof job->note, "order %llu changed by another change of this transaction",
                     (unsigned long long)o->trade_id);
            continue;
        }
        o->changed = 1;
        for (size_t k = 0; k < ms->nords; k++)
            if (ms->ords[k].split_from == o->trade_id) ms->ords[k].changed = 1;
        job->trade_id = o->trade_id;
        job->status_before = o->status;
        int again = 0;
        if ((e = apply_job(ms, job, x, o, now, &again, 0, err, size))) break;
        job->outcome = OF_MS_APPLIED;
        /* D-MID-17: the orders split off it hold lines of the same trade */
        int st_after = job->status_after;
        uint32_t bits = job->bits, blk = job->block_or, bad = job->bad_or;
        for (size_t k = 0; k < ms->nords && !e && !again; k++) {
            ord_t *kid = &ms->ords[k];
            if (kid->split_from != o->trade_id) continue;
            int again2 = 0;
            e = apply_job(ms, job, x, kid, now, &again2, 1, err, size);
            bits |= job->bits;
            blk |= job->block_or;
            bad |= job->bad_or;
        }
        if (!e) e = write_raw(ms, x, err, size);
        if (e) break;
        job->status_after = st_after;
        job->bits = bits;
        job->block_or = blk;
        job->bad_or = bad;
        if (!again) continue;
        resub_t *r = &rs[nrs++];
        r->why = again;
        r->job = job;
        r->x = x;
        r->o = o;
        if (!(r->held = calloc(o->nline + 1, sizeof *r->held))) {
            e = nomem(err, size);
            break;
        }
        for (size_t i = 0; i < o->nline; i++) {
            const line_t *l = &ms->lines[o->line0 + i];
            r->held[i] = (of_held_t){.line_id = l->rec_id,
                                     .warehouse_id = l->res_wh,
                                     .spec_id = l->spec_id,
                                     .kind = l->reserved,
                                     .num = l->reserved_num};
        }
        r->sj =
            (of_subjob_t){.raw = &x->t,
                          .raw_id = x->rec_id,
                          .shop_id = x->shop_id,
                          .order_ids = x->oids,
                          .event_id = job->event_id,
                          .into_trade_id = o->trade_id,
                          .into_customer = o->customer_id,
                          .keep_state = o->status == OF_ST_PREORDER || o->status == OF_ST_AWAIT_AUDIT ? o->status : 0,
                          .held = r->held,
                          .nheld = o->nline,
                          .books_customer = same_receiver(o, &x->t) ? o->customer_id : 0,
                          .remark_changed = (x->modify_flag & OF_MF_CS_REMARK) != 0};
    }
    if (!e) e = side_collect(ms, err, size); /* the customers read ahead, for the re-submissions (D-MOD-59) */
    if (!e && nrs) e = resubmit(ms, rs, nrs, now, err, size);
    for (size_t i = 0; i < ms->nsales && !e; i++)
        e = ADD(W_SALES, OFP_U(ms->sales[i].shop), OFP_U(ms->sales[i].wh), OFP_U(ms->sales[i].spec),
                OFP_I(ms->sales[i].n));
    for (size_t j = 0; j < n && !e; j++) { /* one row per change applied (ordctl explain) */
        of_modjob_t *job = jobs[j];
        if (job->outcome != OF_MS_APPLIED && job->outcome != OF_MS_RESUBMIT_STOPPED) continue;
        e = ADD(W_CHANGE, OFP_U(job->trade_id), OFP_U(job->raw_id), OFP_S(job->event_id), OFP_U(job->bits),
                OFP_U(job->order_bits), OFP_I(job->status_before), OFP_I(job->status_after), OFP_U(job->block_or),
                OFP_U(job->bad_or), OFP_S(of_modstore_outcome(job->outcome)), OFP_S(job->note), OFP_S(job->moves));
    }
    for (size_t i = 0; i < nrs; i++)
        free(rs[i].held);
    free(rs);
    if (!e) e = of_wset_flush(ms->w, err, size);
    if (!e) e = of_substore_end(ms->ss, err, size);
    if (e == OF_ERR_DUPLICATE) e = OF_ERR_TRANSIENT;
    return e;
}
