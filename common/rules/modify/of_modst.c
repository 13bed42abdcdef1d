/* of_modst.c -- the raw trade's platform status changed (MOD-T1, MOD-T2-01). Pure. */
#include "of_modst.h"
#include <stdlib.h>
#include <string.h>
#include "of_modflag.h"
#include "of_modhdr.h"  /* OF_MLOG_BLOCK */
#include "of_modline.h" /* OF_BLOCK_REFUNDED, OF_MBAD_REFUND_AUDITED, OF_LRS_* */
#include "of_sub.h"

void of_modst_plan_init(of_modst_plan_t *p) {
    memset(p, 0, sizeof *p);
}

void of_modst_plan_free(of_modst_plan_t *p) {
    for (size_t i = 0; i < p->norders; i++) {
        of_logs_free(&p->orders[i].logs);
        of_logs_free(&p->orders[i].stockout_logs);
    }
    free(p->orders);
    of_logs_free(&p->logs);
    of_trace_free(&p->trace);
    memset(p, 0, sizeof *p);
}

int of_modst_uses_siblings(int s) {
    return s == OF_RAW_BALANCE || s == OF_RAW_REFUNDED || s == OF_RAW_CLOSED;
}

int of_modst_raw_shipped(int s) {
    return s >= 40 && s < 70;
}

int of_modst_raw_completed(int s) {
    return s >= 70 && s < 80;
}

/* MOD-T1-24 and -25 for an order that goes (cancelled or its goods released). */
static void waits(const of_modst_order_t *o, int unpaid_siblings, int64_t last_unpaid, int64_t now, int64_t wait_s,
                  int other_orders, of_modst_order_plan_t *op, of_trace_t *tr) {
    if (o->status == OF_ST_UNPAID || o->status == OF_ST_WAIT_UNPAID) {
        /* T1-24: no other unpaid order, or the newest one is past the wait-unpaid window */
        if (!unpaid_siblings || now > last_unpaid + wait_s) {
            op->release_waiting = 1;
            of_trace_add(tr, "MOD-T1-24", "siblings",
                         "order %llu (status %d) goes: the customer's waiting orders (15) move to delayed audit (16)%s",
                         (unsigned long long)o->trade_id, o->status,
                         unpaid_siblings ? ", the wait-unpaid window is over" : ", no unpaid order left");
        }
    }
    if (o->status >= OF_ST_WAIT_UNPAID && other_orders == 1) { /* T1-25 */
        op->clear_same_name = 1;
        of_trace_add(tr, "MOD-T1-25", "siblings", "the customer's only other order loses same-name-unmerged");
    }
}

/* MOD-T1-22…-34: the whole trade refunded (80) or closed (90). */
static void refund_close(const Orderfleet__RawTrade *raw, const of_modst_order_t *orders, size_t n, int unpaid_siblings,
                         int64_t last_unpaid, int64_t now, int64_t wait_s, int other_orders, of_modst_plan_t *p) {
    int refunded = raw->trade_status == OF_RAW_REFUNDED;
    const char *what = refunded ? "refunded" : "closed";
    if (refunded) p->refund_order = 1; /* T1-22 */
    for (size_t i = 0; i < n; i++) {   /* T1-23 */
        const of_modst_order_t *o = &orders[i];
        of_modst_order_plan_t *op = &p->orders[i];
        if (o->is_history) { /* OP-60 */
            of_trace_add(&p->trace, "MOD-T1-23", "order", "order %llu is a history order: skipped",
                         (unsigned long long)o->trade_id);
            continue;
        }
        if (o->status == OF_ST_CANCELLED) {
            of_trace_add(&p->trace, "MOD-T1-23", "order", "order %llu is cancelled: nothing to release",
                         (unsigned long long)o->trade_id);
            continue;
        }
        waits(o, unpaid_siblings, last_unpaid, now, wait_s, other_orders, op, &p->trace);
        of_mod_class_t c = of_mod_class(o->status);
        if (c == OF_MOD_AUDITED && !o->refund_handled) { /* T1-26 (OP-62: completed by the user) */
            op->block_or |= OF_BLOCK_REFUNDED;
            op->bad_or |= OF_MBAD_REFUND_AUDITED;
            of_logs_add(&op->logs, OF_MLOG_BLOCK, "MOD-T1-26",
                        "trade %s %s after audit: order intercepted (block_reason |= 2, bad_reason |= 64)", raw->tid,
                        what);
            of_logs_add(&op->stockout_logs, OF_MLOG_BLOCK, "MOD-T1-26", "trade %s %s: stockout order intercepted",
                        raw->tid, what);
            continue;
        }
        if (c == OF_MOD_SHIPPED) { /* T1-27 */
            of_logs_add(&op->logs, OF_LOG_EXCEPTION, "MOD-T1-27", "trade %s %s after shipment (status %d)", raw->tid,
                        what, o->status);
            continue;
        }
        /* T1-28…-31 (unaudited, or audited with the refund handled) */
        op->action = OF_MODST_RELEASE;
        op->line_refund_status = refunded ? OF_LRS_REFUNDED : OF_LRS_CLOSED;
        op->deduct_sales = o->status >= 25 && o->status <= 55; /* T1-30 */
        if (o->other_goods) {                                  /* T1-32 */
            op->recompute = 1;
            of_logs_add(&op->logs, OF_LOG_EXCEPTION, "MOD-T1-32", "部分退款/关闭: trade %s %s, other goods remain",
                        raw->tid, what);
        } else {
            op->cancel = 1;
            of_logs_add(&op->logs, OF_LOG_STATUS, "MOD-T1-32", "trade %s %s: no goods left, order cancelled", raw->tid,
                        what);
        }
        of_trace_add(&p->trace, "MOD-T1-29", "stock", "order %llu: the trade's lines released (refund status %d)",
                     (unsigned long long)o->trade_id, op->line_refund_status);
    }
    p->raw_process_status = OF_PS_CANCELLED; /* T1-34 */
    p->clear_order_bits = 1;
}

/* MOD-T1-36 (OP-64): settlement. */
static void completed(const Orderfleet__RawTrade *raw, const of_modst_order_t *orders, size_t n, of_modst_plan_t *p) {
    for (size_t i = 0; i < n; i++) {
        const of_modst_order_t *o = &orders[i];
        of_modst_order_plan_t *op = &p->orders[i];
        if (o->is_history) continue;
        if (o->status < OF_ST_SHIPPED || o->status == OF_ST_CANCELLED) {
            of_logs_add(&op->logs, OF_LOG_EXCEPTION, "MOD-T1-36",
                        "客户打款,未发货: trade %s completed, order status %d", raw->tid, o->status);
        } else if (o->other_goods) {
            of_logs_add(&op->logs, OF_LOG_STATUS, "MOD-T1-36", "客户打款,%s: this trade settled, other goods remain",
                        raw->tid);
        } else if (o->status != OF_ST_COMPLETED) {
            op->complete = 1;
            of_logs_add(&op->logs, OF_LOG_STATUS, "MOD-T1-36", "客户打款,交易完成: trade %s completed", raw->tid);
        }
    }
    p->raw_process_status = OF_PS_COMPLETED;
    p->clear_order_bits = 1;
}

int of_modst_decide(const Orderfleet__RawTrade *raw, uint32_t modify_flag, const of_modst_order_t *orders,
                    size_t norders, int unpaid_siblings, int64_t last_unpaid_time, int64_t now, int64_t wait_unpaid_s,
                    int other_orders, int block_gift, of_modst_plan_t *p) {
    if (!(modify_flag & (OF_MF_TRADE_STATUS | OF_MF_PAY))) return 0; /* OP-53: bit 2 alone enters too */
    p->handled |= OF_MF_TRADE_STATUS | OF_MF_PAY;                    /* T1-37, T2-01 */
    if (norders) {
        p->orders = calloc(norders, sizeof *p->orders);
        if (!p->orders) return -1;
        p->norders = norders;
    }
    int rs = raw->trade_status;
    int st = norders ? orders[0].status : 0;
    if (rs == OF_RAW_PAID) { /* T1-02…-19 */
        if (norders && (st == OF_ST_UNPAID || st == OF_ST_BALANCE)) {
            p->resubmit = 1;
            of_trace_add(&p->trace, "MOD-T1-03", "paid",
                         "order %llu (status %d) paid: reservation released, submitted again",
                         (unsigned long long)orders[0].trade_id, st);
        } else { /* T1-19 (OP-58: only bits 1 and 2 are dropped) */
            of_logs_add(&p->logs, OF_LOG_EXCEPTION, "MOD-T1-19", "异常状态: trade paid, order status %d", st);
        }
    } else if (rs == OF_RAW_BALANCE) { /* T1-20/21 */
        if (norders && st == OF_ST_UNPAID) {
            p->deposit = 1;
            p->clear_unpaid_flag = !unpaid_siblings;
            of_logs_add(&p->logs, OF_LOG_PAID, "MOD-T1-20", "首付款: deposit paid, awaiting the balance");
            of_trace_add(&p->trace, "MOD-T1-20", "paid", "deposit paid: status 10 → 12, reservation kept (OP-59)");
        } else {
            of_logs_add(&p->logs, OF_LOG_EXCEPTION, "MOD-T1-21", "异常状态2: deposit paid, order status %d", st);
        }
    } else if (rs == OF_RAW_REFUNDED || rs == OF_RAW_CLOSED) {
        refund_close(raw, orders, norders, unpaid_siblings, last_unpaid_time, now, wait_unpaid_s, other_orders, p);
        if (block_gift) { /* T1-33 (OP-63) */
            p->gift_intercept = 1;
            of_trace_add(&p->trace, "MOD-T1-33", "gifts",
                         "CFG_BLOCK_GIFT: the customer's orders with gifts (25 ≤ status < 95) are intercepted");
        }
    } else if (of_modst_raw_shipped(rs)) { /* T1-35 */
        for (size_t i = 0; i < norders; i++)
            if (!orders[i].is_history && orders[i].status != OF_ST_CANCELLED) p->orders[i].consign = 1;
        p->raw_process_status = OF_PS_SHIPPED;
        of_trace_add(&p->trace, "MOD-T1-35", "shipped", "shipped on the platform: is_consigned = 1");
    } else if (of_modst_raw_completed(rs)) {
        completed(raw, orders, norders, p);
    } else { /* OP-54: other statuses (unpaid again …) only clear the bits */
        of_trace_add(&p->trace, "MOD-T1-37", "status", "platform status %d: nothing to do", rs);
    }
    return 0;
}
