/* of_modst.h -- trade-modify's rules for a change of the raw trade's platform status (spec trade-rules §4,
 * MOD-T1-01…-37, MOD-T2-01): paid (re-submission of an unpaid order), deposit paid, whole trade refunded or closed,
 * shipped, completed; each by the state of every system order holding the trade. Pure: the caller loads the orders
 * and applies the plan (issue 11). */
#ifndef OF_MODST_H
#define OF_MODST_H
#include <stddef.h>
#include <stdint.h>
#include "of_mod.h"
#include "of_trace.h"
#include "trade.pb-c.h"

/* §1.2 raw trade statuses used here; shipped and completed are adapter codes in [40, 80) split as the sub-orders'
 * (D-MOD-9): 40 ≤ s < 70 shipped, 70 ≤ s < 80 completed. */
enum { OF_RAW_BALANCE = 20, OF_RAW_PAID = 30, OF_RAW_REFUNDED = 80, OF_RAW_CLOSED = 90 };
/* §1.4 process_status beyond OF_PS_* of of_sub.h (schema/main/001) */
enum { OF_PS_PART_SHIPPED = 40, OF_PS_SHIPPED = 50, OF_PS_COMPLETED = 60 };
/* §1.1: 交易完成, settled after shipment (OP-64, decision D-MOD-13) */
enum { OF_ST_COMPLETED = 110 };

/* A system order holding lines of the raw trade (MOD-T1-23, OP-54: the trade's order and any other one holding
 * its lines). */
typedef struct {
    uint64_t trade_id;
    int status;
    int is_history;     /* OP-60: skipped */
    int has_stockout;   /* a stockout order exists */
    int refund_handled; /* OP-61 (D-MOD-11) */
    int other_goods;    /* non-gift lines of other raw trades with goods left (actual_num > 0) */
    uint32_t unmerge_mask;
} of_modst_order_t;

/* What one order gets. */
enum {
    OF_MODST_NONE = 0,
    OF_MODST_RELEASE = 1, /* MOD-T1-28…-31: platform stock change, reservation released, lines actual_num 0 */
};
typedef struct {
    int action;             /* OF_MODST_* */
    int line_refund_status; /* with RELEASE: 5 refunded (raw 80), 6 closed (raw 90) */
    int deduct_sales;       /* MOD-T1-30: 25 ≤ status ≤ 55 */
    int cancel;             /* MOD-T1-32: no goods left: status 5, refund status 全部退款 */
    int recompute;          /* MOD-T1-32: goods of other trades left: aggregates recomputed */
    int consign;            /* MOD-T1-35: is_consigned = 1 */
    int complete;           /* MOD-T1-36 (OP-64): status OF_ST_COMPLETED */
    uint32_t bad_or, block_or;
    int release_waiting; /* MOD-T1-24: the customer's status-15 orders → 16, unpaid flag cleared */
    int clear_same_name; /* MOD-T1-25: the customer's only other order loses unmerge_mask bit 2 */
    of_logs_t logs, stockout_logs;
} of_modst_order_plan_t;

typedef struct {
    uint32_t handled;      /* api_trade.modify_flag bits handled: 1 and 2 (MOD-T1-37, MOD-T2-01) */
    int resubmit;          /* MOD-T1-02…-18: the order (orders[0]) submitted again from the paid version */
    int deposit;           /* MOD-T1-20 (OP-59): orders[0] → 12, pay status from the raw trade */
    int clear_unpaid_flag; /* MOD-T1-20: no unpaid order of the customer left: siblings (15 < s ≤ 95) unmerge_mask &= ~1
                            */
    int refund_order;      /* MOD-T1-22 */
    int raw_process_status; /* 0 = unchanged, else OF_PS_* (MOD-T1-34, -35, -36) */
    int clear_order_bits;   /* MOD-T1-34, -36: the sub-orders' modify_flag cleared */
    int gift_intercept; /* MOD-T1-33 (OP-63): the customer's orders 25 ≤ status < 95 with gifts: block 2, bad 64 */
    of_modst_order_plan_t *orders; /* one per input order (malloc'd) */
    size_t norders;
    of_logs_t logs; /* on orders[0] (MOD-T1-19, -21) */
    of_trace_t trace;
} of_modst_plan_t;

void of_modst_plan_init(of_modst_plan_t *p);
void of_modst_plan_free(of_modst_plan_t *p);

/* MOD-T1 for the raw trade's new version (modify_flag & 3, OP-53), over the orders holding it (orders[0] the order
 * of deliver_trade_id). unpaid_siblings: the customer's other unpaid (status 10) orders; now/wait_unpaid_s/
 * last_unpaid_time for MOD-T1-24's window (the most recent other unpaid order's trade time, 0 = none).
 * other_orders: the customer's open orders besides orders[0], 10 ≤ status ≤ 95 (MOD-T1-25 acts when exactly one).
 * block_gift: CFG_BLOCK_GIFT (MOD-T1-33).
 * Returns 0, -1 when out of memory. */
int of_modst_decide(const Orderfleet__RawTrade *raw, uint32_t modify_flag, const of_modst_order_t *orders,
                    size_t norders, int unpaid_siblings, int64_t last_unpaid_time, int64_t now, int64_t wait_unpaid_s,
                    int other_orders, int block_gift, of_modst_plan_t *p);

/* D-MOD-49: whether of_modst_decide reads the customer's other orders (unpaid_siblings, last_unpaid_time,
 * other_orders) for a raw trade of this status: a deposit (MOD-T1-20) and a refund or close (MOD-T1-22…-32) do; a
 * payment (MOD-T1-02…-19: the submission reads them itself) and every other status do not. */
int of_modst_uses_siblings(int raw_trade_status);

/* §1.2 (D-MOD-9): the raw status classes. */
int of_modst_raw_shipped(int trade_status);
int of_modst_raw_completed(int trade_status);

#endif
