/* of_mid.h -- the sweep's rules (spec trade-rules §5, MID): orders in waiting states move on by themselves. One
 * customer's open orders go in (with the lines of those that may move), a plan comes out: new statuses and due times
 * (MID-DLY), merges (MID-MRG, of_midmrg.h), the states orders enter (MID-MRG-05), the stock each line holds afterwards
 * and today's sales (MID-STK-01, MID-SLS-01, of_midstk.h), and the same-name flags (MID-UMF-01). Pure: the caller
 * (common/io/sweep/of_sweep.c) loads the customer under its lock and writes the plan in one transaction. */
#ifndef OF_MID_H
#define OF_MID_H
#include <stddef.h>
#include <stdint.h>
#include "of_catalog.h"
#include "of_stock.h"
#include "of_sub.h" /* statuses, sales_trade_log types */
#include "of_trace.h"

/* §1.1 the states pre-processing ends in (proposed codes, OP-76). */
enum { OF_ST_PREORDER = 25, OF_ST_AWAIT_AUDIT = 30 };

/* A line of an order the plan may move (sales_trade_order). */
typedef struct {
    uint64_t rec_id, trade_id, spec_id;
    int actual_num, gift_type;
    int num;        /* ordered units (MID-BIG splits only lines whose num = actual_num) */
    int large_type; /* 0 none, 1 normal big item, 2 independent big item (MID-BIG); MID-BIG-03 rewrites num,
                     * actual_num and the amounts of a row it splits (qty_changed) */
    int held_kind;  /* of_res_t: what the line holds now (stock_reserved), on held_wh, held_num of it */
    uint64_t held_wh;
    int held_num;
    int64_t share_amount, weight, volume; /* ×1e4; weight and volume per unit */
    int64_t share_post, paid, discount, commission;
    const char *spec_no, *bind_oid;
    const char *api_goods_name, *api_spec_name; /* matched against pre-order keywords (MID-PRE-01, SUB-CFG-05) */
    /* out */
    int qty_changed;       /* MID-BIG-03: num = actual_num and the amounts below are written (units split off) */
    int new_split;         /* ≥ 0: moved to the new order plan->splits[new_split] (MID-SPW); -1 = none */
    uint64_t new_trade_id; /* the order holding it after the plan */
    int new_kind;          /* the reservation after the plan (MID-STK-01) */
    uint64_t new_wh;
    int new_num;
    int changed; /* 1: its row is written (owner or reservation changed) */
} of_mid_line_t;

/* The values a merge adds up (×1e4 money, kg, cm³; goods_count in units). */
typedef struct {
    int64_t goods_amount, post_amount, discount, receivable, paid, pbs_amount, cod_amount, goods_cost, commission,
        weight, volume;
    int64_t goods_count;
} of_mid_sums_t;

/* One of the customer's open orders (10 ≤ status ≤ 95). */
typedef struct {
    uint64_t trade_id, shop_id, warehouse_id;
    int status, delivery_term;
    int is_sealed, is_split, is_locked_wh, is_big_indep;
    int shop_split_merge; /* SHOP.split_merge of its shop (MID-MRG-01) */
    int sales_counted;    /* its lines are in today's sales already (MID-SLS-01, D-MID-8) */
    uint64_t freeze_reason;
    uint32_t block_reason, unmerge_mask, gift_mask;
    int64_t trade_time, pay_time, delay_to_time; /* of_time_parse seconds; 0 = none */
    const char *receiver_name, *receiver_mobile, *receiver_province, *receiver_city, *receiver_district,
        *receiver_address;
    const char *src_tids;
    int refund_status;                     /* §1.6: 0 none, 1 applied, 2 partial, 3 whole */
    const char *cs_remark, *buyer_message; /* 客服备注, 客户备注 */
    const char *preorder_by;               /* the rule that made it a pre-order (MID-PRE-01, D-MID-22); "" unknown */
    of_mid_sums_t sums;
    int64_t receivable0; /* out: its receivable as loaded (merge records keep each order's own) */
    size_t line0, nline; /* its lines in the line array (only for statuses 15/16/19/20/25/30) */
    /* out */
    int new_status;
    int64_t new_delay;    /* with new_status 16: the delayed-audit time; else 0 (cleared) */
    uint64_t merged_into; /* ≠ 0: merged into that order and deleted (MID-MRG-02/03) */
    const char *merge_rule;
    int left_pre; /* 1: left pre-processing in this plan (MID-SLS-01 counts its lines) */
    uint32_t new_unmerge_mask;
    int goods_type_count; /* with merged: recomputed over its lines */
    char single_spec_no[65];
    char src_tids_out[1024];                           /* with merged: the raw tids of every order merged in */
    char cs_remark_out[1024], buyer_message_out[1024]; /* with merged: the remarks of every order merged in (D-MID-6) */
    int new_refund_status;                             /* with merged: §1.6 over the orders merged in */
    int merged; /* 1: other orders were merged into it, or lines split off it (header written from sums) */
    int split;  /* 1: lines were split off it into new orders (MID-SPW): is_split = 1 */
    uint64_t new_warehouse_id; /* MID-SPW-03 may move the whole order to another warehouse */
    int changed;               /* 1: its row is written */
    of_logs_t logs;
} of_mid_order_t;

typedef struct {
    int64_t delay_audit_s, cod_delay_s; /* DELAY_AUDIT, COD_DELAY (SUB-STAT-08) */
    int wh_change_prompt;               /* CFG_WH_CHANGE_PROMPT (MID-MRG-02) */
    int split_by_wh;                    /* CFG_SPLIT_BY_WH (MID-SPW-01) */
    int big_max_split;                  /* CFG_BIG_MAX_SPLIT (MID-BIG-01): most independent big items split */
    int no_all_gift_split;              /* CFG_NO_ALL_GIFT_SPLIT (MID-SPW-04) */
    int split_preorder;                 /* CFG_SPLIT_PREORDER (MID-PRE-01, D-MID-22) */
    const of_catalog_t *cat;            /* goods-designated warehouses (MID-SPW-02); NULL: no split by warehouse */
    const of_stockview_t *stock;        /* the stock of the lines' specs (MID-SPW-03, MID-PRE-01); NULL: none */
} of_mid_cfg_t;

/* A new order split off an order (MID-SPW): a copy of its header on another warehouse, with the lines moved to it. */
typedef struct {
    size_t from; /* index of the order it is split from */
    uint64_t warehouse_id;
    int status;
    int k; /* 1, 2 … per order split */
    of_mid_sums_t sums;
    int goods_type_count;
    char single_spec_no[65];
    uint32_t gift_mask;
    const char *rule;
} of_mid_split_t;

/* Today's sales of one (shop, warehouse, spec) (MID-SLS-01). */
typedef struct {
    uint64_t shop_id, warehouse_id, spec_id;
    int64_t num, amount;
} of_mid_sale_t;

/* MID-BIG-03: units of a line split off into a new order: a new line row, a copy of line `line` with num units and
 * these amounts, in plan->splits[split]. */
typedef struct {
    size_t line;
    int split, num;
    int64_t share_amount, share_post, paid, discount, commission;
} of_mid_piece_t;

/* A stock move (MID-STK-01): counter kind of (warehouse, spec) by delta, for order trade_id. */
typedef struct {
    uint64_t warehouse_id, spec_id, trade_id;
    int kind, delta;
} of_mid_move_t;

typedef struct {
    of_mid_split_t *splits;
    size_t nsplits, capsplits;
    of_mid_sale_t *sales;
    size_t nsales, capsales;
    of_mid_move_t *moves;
    size_t nmoves, capmoves;
    of_mid_piece_t *pieces;
    size_t npieces, cappieces;
    size_t nmerged, nmoved; /* orders merged away, orders whose status changed */
    int nomem;
} of_mid_plan_t;

/* The whole plan for one customer: orders sorted by trade_id, lines grouped by order (line0/nline); now on the
 * platform clock. Fills every order's and line's out fields and plan. Returns 0, -1 when out of memory (plan->nomem).
 */
int of_mid_decide(of_mid_order_t *orders, size_t n, of_mid_line_t *lines, size_t nlines, const of_mid_cfg_t *cfg,
                  int64_t now, of_mid_plan_t *plan);
/* MID-DLY-01…-03 for one order: sets new_status (and new_delay) when status 15/16 is due. 1 when it moved. */
int of_mid_delay(of_mid_order_t *o, const of_mid_cfg_t *cfg, int64_t now);
/* MID-PRC-01 / OP-76: the state a pre-processing order enters (19 → 25, 20 → 30), 0 for any other status. */
int of_mid_target_status(int status);
/* D-MID-12: the status an order that has left pre-processing (kept: 25 or 30) keeps when it is submitted again
 * (trade-modify: address, warehouse) and the submission decides a waiting or pre-processing status on the same stock
 * counter (15, 16, 20 → 30; 19 → 25); any other decided status (13, 27, 55 …) is returned as it is. */
int of_mid_kept_status(int kept, int decided);
/* MID-UMF-01: unmerge_mask bit 2 of every remaining order (not merged away) = another remaining order with
 * 10 < status ≤ 95 exists; new_orders: orders split off in the plan (all open). Returns the number of orders whose
 * mask changed. */
size_t of_mid_same_name(of_mid_order_t *orders, size_t n, size_t new_orders);
/* Where a line ships from after the plan, and the status of the order holding it (a new split order's, or its own
 * order's with MID-SPW-03's warehouse). NULL order when the line's order is not in orders. */
const of_mid_order_t *of_mid_final(const of_mid_order_t *orders, size_t n, const of_mid_line_t *l,
                                   const of_mid_plan_t *plan, uint64_t *warehouse_id, int *status);
void of_mid_plan_free(of_mid_plan_t *plan, of_mid_order_t *orders, size_t n);

#endif
