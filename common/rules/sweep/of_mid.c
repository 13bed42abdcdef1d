/* of_mid.c -- the sweep's plan for one customer (spec trade-rules §5): MID-DLY-01…-03, the MID-PRC-01 loop over the
 * pre-processing orders (merges of of_midmrg.c, MID-MRG-04/-05), MID-UMF-01, then the stock and sales of
 * of_midstk.c. Pure. */
#include "of_mid.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "of_midmrg.h"
#include "of_midpre.h"
#include "of_midbig.h"
#include "of_midspl.h"
#include "of_midstk.h"
#include "of_stock.h"
#include "of_sub.h"
#include "of_time.h"

int of_mid_target_status(int status) {
    /* OP-76 (D-MID-2): pre-order pre-processing → pre-order, pre-audit processing → awaiting audit */
    return status == OF_ST_PREORDER_PRE ? OF_ST_PREORDER : status == OF_ST_PRE_AUDIT ? OF_ST_AWAIT_AUDIT : 0;
}

int of_mid_kept_status(int kept, int decided) {
    if (kept != OF_ST_PREORDER && kept != OF_ST_AWAIT_AUDIT) return decided;
    int waiting = decided == OF_ST_WAIT_UNPAID || decided == OF_ST_DELAY || decided == OF_ST_PREORDER_PRE ||
                  decided == OF_ST_PRE_AUDIT;
    return waiting && of_stock_reservation_for_status(decided) == of_stock_reservation_for_status(kept) ? kept
                                                                                                        : decided;
}

static int due(const of_mid_order_t *o, int64_t now) {
    /* a waiting order without a due time (D-MID-3) is due at once: nothing else would ever move it */
    return o->delay_to_time == 0 || o->delay_to_time < now;
}

int of_mid_delay(of_mid_order_t *o, const of_mid_cfg_t *cfg, int64_t now) {
    char u[32], nw[32];
    of_time_format(now, nw, sizeof nw);
    if (o->new_status == OF_ST_WAIT_UNPAID && due(o, now)) {
        /* MID-DLY-01 / -02 (OP-75): the delayed-audit time of SUB-STAT-08 decides between 16 and 20 */
        int pbs = o->delivery_term == 1;
        int64_t until = (pbs ? o->pay_time : o->trade_time) + (pbs ? cfg->delay_audit_s : cfg->cod_delay_s);
        of_time_format(until, u, sizeof u);
        if (now < until) {
            o->new_status = OF_ST_DELAY;
            o->new_delay = until;
            of_logs_add(&o->logs, OF_LOG_STATUS, "MID-DLY-01",
                        "订单状态: 延迟审核(16), 等未付结束, 延迟审核至 %s (%s + %s, now %s)", u,
                        pbs ? "付款时间" : "交易时间", pbs ? "DELAY_AUDIT" : "COD_DELAY", nw);
        } else {
            o->new_status = OF_ST_PRE_AUDIT;
            o->new_delay = 0;
            of_logs_add(&o->logs, OF_LOG_STATUS, "MID-DLY-02",
                        "订单状态: 订单审核前处理(20), 等未付结束, 延迟审核时间 %s 已过 (now %s)", u, nw);
        }
        return 1;
    }
    if (o->new_status == OF_ST_DELAY && due(o, now)) {
        o->new_status = OF_ST_PRE_AUDIT; /* MID-DLY-03 */
        o->new_delay = 0;
        of_logs_add(&o->logs, OF_LOG_STATUS, "MID-DLY-03", "订单状态: 订单审核前处理(20), 延迟审核结束 (now %s)", nw);
        return 1;
    }
    return 0;
}

size_t of_mid_same_name(of_mid_order_t *orders, size_t n, size_t new_orders) {
    size_t changed = 0, open = new_orders;
    for (size_t i = 0; i < n; i++)
        if (!orders[i].merged_into && orders[i].new_status > 10 && orders[i].new_status <= 95) open++;
    for (size_t i = 0; i < n; i++) {
        of_mid_order_t *o = &orders[i];
        if (o->merged_into) continue;
        int self = o->new_status > 10 && o->new_status <= 95;
        uint32_t m = (open - (size_t)self > 0) ? (o->new_unmerge_mask | OF_UM_SAME_NAME)
                                               : (o->new_unmerge_mask & ~(uint32_t)OF_UM_SAME_NAME);
        if (m != o->new_unmerge_mask) {
            of_logs_add(&o->logs, OF_LOG_MERGE, "MID-UMF-01", "同名未合并: %s (other open orders of the customer: %zu)",
                        (m & OF_UM_SAME_NAME) ? "set" : "cleared", open - (size_t)self);
            o->new_unmerge_mask = m;
            changed++;
        }
    }
    return changed;
}

static void init_out(of_mid_order_t *orders, size_t n, of_mid_line_t *lines, size_t nlines) {
    for (size_t i = 0; i < n; i++) {
        of_mid_order_t *o = &orders[i];
        o->new_status = o->status;
        o->new_delay = o->delay_to_time;
        o->merged_into = 0;
        o->merge_rule = NULL;
        o->left_pre = o->merged = o->changed = o->split = 0;
        o->new_warehouse_id = o->warehouse_id;
        o->new_unmerge_mask = o->unmerge_mask;
        o->receivable0 = o->sums.receivable;
        o->goods_type_count = 0;
        o->single_spec_no[0] = '\0';
        snprintf(o->src_tids_out, sizeof o->src_tids_out, "%s", o->src_tids ? o->src_tids : "");
        snprintf(o->cs_remark_out, sizeof o->cs_remark_out, "%s", o->cs_remark ? o->cs_remark : "");
        snprintf(o->buyer_message_out, sizeof o->buyer_message_out, "%s", o->buyer_message ? o->buyer_message : "");
        o->new_refund_status = o->refund_status;
        o->logs.n = 0;
    }
    for (size_t i = 0; i < nlines; i++) {
        of_mid_line_t *l = &lines[i];
        l->new_trade_id = l->trade_id;
        l->new_kind = l->held_kind;
        l->new_wh = l->held_wh;
        l->new_num = l->held_num;
        l->changed = 0;
        l->new_split = -1;
        l->qty_changed = 0;
    }
}

/* MID-PRC-01: the pre-processing orders one after another, in trade_id order (the earliest is the main order). */
static int process(of_mid_order_t *orders, size_t n, of_mid_line_t *lines, size_t nlines, const of_mid_cfg_t *cfg,
                   of_mid_plan_t *plan) {
    for (size_t i = 0; i < n; i++) {
        of_mid_order_t *o = &orders[i];
        int target = of_mid_target_status(o->new_status);
        if (o->merged_into || !target) continue;
        o->left_pre = 1;
        int gate = of_midmrg_gate(o);
        /* MID-MRG-02 (OP-79): the customer's later pre-audit orders merge into this, the earliest one */
        for (size_t j = i + 1; gate && o->new_status == OF_ST_PRE_AUDIT && j < n; j++) {
            of_mid_order_t *p = &orders[j];
            if (p->merged_into || p->new_status != OF_ST_PRE_AUDIT || of_midmrg_why_not(o, p, cfg)) continue;
            if (!of_midmrg_into(o, p, lines, nlines, "MID-MRG-02")) p->left_pre = 1;
        }
        /* MID-MRG-03: into the earliest order already in the state this one enters (D-MID-5) */
        of_mid_order_t *t = NULL;
        for (size_t k = 0; gate && k < n && !t; k++)
            if (k != i && !orders[k].merged_into && orders[k].new_status == target &&
                !of_midmrg_why_not(&orders[k], o, cfg))
                t = &orders[k];
        if (t && !of_midmrg_into(t, o, lines, nlines, "MID-MRG-03")) continue;
        /* MID-MRG-04, MID-MRG-05 */
        of_logs_add(&o->logs, OF_LOG_MERGE, "MID-MRG-04", "无合并目标, 进入%s%s",
                    target == OF_ST_PREORDER ? "预订单" : "待审核",
                    gate ? "" : " (MID-MRG-01: the shop does not merge, COD, or sealed)");
        o->new_status = target;
        o->new_delay = 0;
        of_logs_add(&o->logs, OF_LOG_STATUS, "MID-MRG-05", "订单状态: %s(%d)",
                    target == OF_ST_PREORDER ? "预订单" : "待审核", target);
        /* MID-SPW-01…-07 */
        if (of_midspl_gate(o, cfg) && of_midspl_split(orders, i, lines, nlines, cfg, plan) < 0) return -1;
        /* MID-BIG-01…-04 */
        if (of_midbig_gate(o) && of_midbig_split(orders, i, lines, nlines, cfg, plan) < 0) return -1;
        /* MID-PRE-01 */
        if (of_midpre_gate(o, cfg) && of_midpre_split(orders, i, lines, nlines, cfg, plan) < 0) return -1;
    }
    return 0;
}

int of_mid_decide(of_mid_order_t *orders, size_t n, of_mid_line_t *lines, size_t nlines, const of_mid_cfg_t *cfg,
                  int64_t now, of_mid_plan_t *plan) {
    plan->nsales = plan->nmoves = plan->nmerged = plan->nmoved = plan->nsplits = plan->npieces = 0;
    plan->nomem = 0;
    init_out(orders, n, lines, nlines);
    for (size_t i = 0; i < n; i++)
        of_mid_delay(&orders[i], cfg, now); /* MID-DLY-01…-03 */
    if (process(orders, n, lines, nlines, cfg, plan)) {
        plan->nomem = 1;
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        /* an order merged into one that was merged on (MID-MRG-02 then -03) names the order that holds its lines */
        for (size_t hop = 0; orders[i].merged_into && hop < n; hop++) {
            const of_mid_order_t *t = NULL;
            for (size_t k = 0; k < n && !t; k++)
                if (orders[k].trade_id == orders[i].merged_into) t = &orders[k];
            if (!t || !t->merged_into) break;
            orders[i].merged_into = t->merged_into;
        }
        if (orders[i].merged) of_midmrg_counts(&orders[i], lines, nlines);
        if (orders[i].merged_into) plan->nmerged++;
    }
    if (plan->nmerged || plan->nsplits) of_mid_same_name(orders, n, plan->nsplits); /* MID-UMF-01 (D-MID-18) */
    for (size_t i = 0; i < n; i++) {
        of_mid_order_t *o = &orders[i];
        if (o->new_status != o->status && !o->merged_into) plan->nmoved++;
        o->changed = o->merged_into || o->merged || o->split || o->new_status != o->status ||
                     o->new_delay != o->delay_to_time || o->new_unmerge_mask != o->unmerge_mask ||
                     o->new_warehouse_id != o->warehouse_id;
    }
    if (of_midstk_plan(orders, n, lines, nlines, plan) || of_midstk_sales(orders, n, lines, nlines, plan)) {
        plan->nomem = 1;
        return -1;
    }
    return 0;
}

const of_mid_order_t *of_mid_final(const of_mid_order_t *orders, size_t n, const of_mid_line_t *l,
                                   const of_mid_plan_t *plan, uint64_t *warehouse_id, int *status) {
    const of_mid_order_t *f = NULL;
    for (size_t i = 0; i < n && !f; i++)
        if (orders[i].trade_id == l->new_trade_id) f = &orders[i];
    if (!f) return NULL;
    if (l->new_split >= 0 && (size_t)l->new_split < plan->nsplits) {
        *warehouse_id = plan->splits[l->new_split].warehouse_id;
        *status = plan->splits[l->new_split].status;
    } else {
        *warehouse_id = f->new_warehouse_id;
        *status = f->new_status;
    }
    return f;
}

void of_mid_plan_free(of_mid_plan_t *plan, of_mid_order_t *orders, size_t n) {
    if (plan) {
        free(plan->splits);
        free(plan->pieces);
        free(plan->sales);
        free(plan->moves);
        memset(plan, 0, sizeof *plan);
    }
    for (size_t i = 0; orders && i < n; i++)
        of_logs_free(&orders[i].logs);
}
