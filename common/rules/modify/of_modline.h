/* of_modline.h -- trade-modify's rules for a changed sub-order of a submitted trade (spec trade-rules §4, MOD-O1
 * status: refunded, closed, shipped, completed; MOD-O2 refund applied / cancelled; MOD-O16 goods changed), for one
 * system order holding the sub-order, by that order's state. Pure: the caller loads the order line and applies the
 * plan (stock released or reserved again through the SUB-STK counters, issue 11). */
#ifndef OF_MODLINE_H
#define OF_MODLINE_H
#include <stdint.h>
#include "of_mod.h"
#include "of_trace.h"
#include "trade.pb-c.h"

/* §1.3 sub-order statuses; shipped and completed are adapter codes in [40, 80) (OP-01, decision D-MOD-9) */
enum { OF_RAWO_SHIPPED = 40, OF_RAWO_COMPLETED = 70, OF_RAWO_REFUNDED = 80, OF_RAWO_CLOSED = 90 };
/* §1.5 line refund status (proposed complete enum, OP-02) */
enum {
    OF_LRS_NONE = 0,
    OF_LRS_CANCELLED = 1,
    OF_LRS_APPLIED = 2,
    OF_LRS_WAIT_RETURN = 3,
    OF_LRS_WAIT_RECEIPT = 4,
    OF_LRS_REFUNDED = 5,
    OF_LRS_CLOSED = 6
};
/* §1.8 / §1.9 bits of these rules */
enum { OF_MBAD_GOODS = 32, OF_MBAD_REFUND_AUDITED = 64 };
enum { OF_BLOCK_REFUND_APPLIED = 1, OF_BLOCK_REFUNDED = 2, OF_BLOCK_GOODS = 128, OF_BLOCK_REFUND_CANCELLED = 256 };

/* The system order holding the sub-order, and its line. */
typedef struct {
    int exists;             /* MOD-O1-01 (OP-70): a line with this src_tid/src_oid in an order that is not history */
    int status;             /* sales_trade.trade_status */
    int has_stockout;       /* a stockout order exists (audited) */
    int refund_handled;     /* OP-61: the line has actual_num 0 with refund_status ≥ 5 (D-MOD-11) */
    int line_refund_status; /* sales_trade_order.refund_status now */
    int block_gift;         /* CFG_BLOCK_GIFT (MOD-O1-10, MOD-O2-04) */
} of_modline_order_t;

typedef struct {
    uint32_t bad_or, block_or; /* |= on the order (block: and its stockout order) */
    uint32_t handled;          /* api_trade_order.modify_flag bits handled */
    int refund_order;          /* O1-02: the refund order (as SUB-RFD-01) */
    int release_line;          /* O1-05…-08: platform stock change, the line's reservation released, actual_num 0,
                                * stock_reserved 0, the order's remaining goods recomputed (no goods left: cancelled) */
    int line_refund_status;    /* new sales_trade_order.refund_status, -1 = unchanged (O1-07, O2-02, O2-07) */
    int recompute_refund;      /* O2-03: the order's refund status (SUB-AGG-03) */
    int restore_line;          /* O2-06: actual_num = num, money as before, stock reserved again */
    int reopen;                /* O2-06: a cancelled order back to awaiting audit (30) */
    int consign_line;          /* O1-12: is_consigned = 1, raw trade partially shipped */
    int settle_line;           /* O1-13: settlement */
    int reallocate_post;       /* O1-11, O2-08 (OP-71) */
    int gift_intercept;        /* O1-10, O2-04 (OP-63): the customer's orders with gifts intercepted */
    of_logs_t logs, stockout_logs;
    of_trace_t trace;
} of_modline_plan_t;

void of_modline_plan_init(of_modline_plan_t *p);
void of_modline_plan_free(of_modline_plan_t *p);
/* The plan for the sub-order bits of modify_flag (1, 2, 16) of rawo's new version, for one order holding it. */
void of_modline_decide(const of_modline_order_t *st, const Orderfleet__RawSubOrder *rawo, uint32_t modify_flag,
                       of_modline_plan_t *p);

#endif
