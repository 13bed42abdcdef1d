/* of_sub.c -- the submission decision of one raw trade: its state (of_sub_t) and the flow of SUB-00. */
#include "of_sub.h"
#include "of_customer.h"
#include "of_goods.h"
#include "of_alias.h"
#include "of_cost.h"
#include "of_fee.h"
#include "of_logistics.h"
#include "of_package.h"
#include "of_preorder.h"
#include "of_aggregate.h"
#include "of_flags.h"
#include "of_reserve.h"
#include "of_status.h"
#include "of_warehouse.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void of_sub_init(of_sub_t *s) {
    memset(s, 0, sizeof *s);
    s->raw_process_status = OF_PS_PENDING;
}

void of_sub_free(of_sub_t *s) {
    free(s->lines);
    free(s->rawo_invalid);
    free(s->rawo_no_api_goods);
    free(s->sib);
    of_trace_free(&s->trace);
    of_logs_free(&s->logs);
    memset(s, 0, sizeof *s);
}

of_line_t *of_sub_add_line(of_sub_t *s) {
    if (s->nlines == s->lines_cap) {
        size_t nc = s->lines_cap ? s->lines_cap * 2 : 8;
        of_line_t *l = realloc(s->lines, nc * sizeof *l);
        if (!l) return NULL;
        s->lines = l;
        s->lines_cap = nc;
    }
    of_line_t *l = &s->lines[s->nlines++];
    memset(l, 0, sizeof *l);
    return l;
}

int of_sub_sib_update(of_sub_t *s, uint64_t trade_id, uint32_t or_mask, int new_status, int64_t delay_to_time) {
    for (size_t i = 0; i < s->nsib; i++)
        if (s->sib[i].trade_id == trade_id) {
            s->sib[i].or_mask |= or_mask;
            if (new_status) {
                s->sib[i].new_status = new_status;
                s->sib[i].delay_to_time = delay_to_time;
            }
            return 0;
        }
    if (s->nsib == s->sib_cap) {
        size_t nc = s->sib_cap ? s->sib_cap * 2 : 8;
        of_sib_update_t *u = realloc(s->sib, nc * sizeof *u);
        if (!u) return -1;
        s->sib = u;
        s->sib_cap = nc;
    }
    s->sib[s->nsib++] = (of_sib_update_t){trade_id, or_mask, new_status, delay_to_time};
    return 0;
}

size_t of_sub_sib_prune(of_sub_t *s, const of_sibling_t *sibs, size_t nsibs) {
    size_t kept = 0;
    for (size_t i = 0; i < s->nsib; i++) {
        const of_sib_update_t *u = &s->sib[i];
        int noop = 0;
        for (size_t k = 0; k < nsibs && !noop; k++)
            noop =
                sibs[k].trade_id == u->trade_id && !u->new_status && (sibs[k].unmerge_mask & u->or_mask) == u->or_mask;
        if (!noop) s->sib[kept++] = *u;
    }
    size_t dropped = s->nsib - kept;
    s->nsib = kept;
    return dropped;
}

/* OF_SW_SIBLING's guard: a new status is written over 16 (delayed audit) and 20 (pre-audit) only. */
static int sib_status_movable(int status) {
    return status == OF_ST_DELAY || status == OF_ST_PRE_AUDIT;
}

void of_sub_sib_seen(of_sibling_t *sib, const of_sib_update_t *u) {
    sib->unmerge_mask |= u->or_mask;
    if (u->new_status > 0 && sib_status_movable(sib->status)) sib->status = u->new_status;
}

void of_sub_sib_merge(of_sib_update_t *first, const of_sib_update_t *later) {
    first->or_mask |= later->or_mask;
    /* the later status is written when the row's status then is movable: the first's new one if it had one (it was
     * written only from a movable status), else the row's own, which the merged row's guard tests again */
    if (later->new_status > 0 && (!first->new_status || sib_status_movable(first->new_status))) {
        first->new_status = later->new_status;
        first->delay_to_time = later->delay_to_time;
    }
}

int of_sub_stop(of_sub_t *s, const char *rule, uint32_t bad_bits, int process_status, const char *reason) {
    s->submitted = 0;
    s->raw_bad_reason |= bad_bits;
    s->raw_process_status = process_status;
    snprintf(s->stop_rule, sizeof s->stop_rule, "%s", rule);
    of_utf8_trim(s->stop_reason, sizeof s->stop_reason, snprintf(s->stop_reason, sizeof s->stop_reason, "%s", reason));
    of_trace_add(&s->trace, rule, "stop", "%s (bad_reason |= %u)", reason, bad_bits);
    return 1;
}

/* SUB-00: the flow, in source order. Each step may stop the submission (the raw trade stays pending with its
 * bad_reason bits, or is cancelled by SUB-TYPE-01); what ran is in s->trace. */
int of_sub_decide(const of_subin_t *in, of_sub_t *s) {
    const Orderfleet__RawTrade *raw = in->raw;
    of_trace_add(&s->trace, "SUB-00", "raw", "tid=%s platform=%d shop=%llu status=%d delivery_term=%d", raw->tid,
                 raw->platform_id, (unsigned long long)in->shop_id, raw->trade_status, raw->delivery_term);
    if (of_sub_type(in, s)) return 0; /* SUB-TYPE-01..04 */
    of_cust_decide(in, s);            /* SUB-CUST-01..06 */
    int r = of_goods_map(in, s);      /* SUB-MAP-01..26 */
    if (r < 0) return -1;
    if (r) return 0;
    if (of_goods_count_check(in, s)) return 0; /* SUB-CNT-01/02 */
    of_preorder_decide(in, s);                 /* SUB-CFG-01..06 */
    r = of_warehouse_decide(in, s);            /* SUB-WH-01..13 */
    if (r < 0) return -1;
    if (r) return 0;
    if (of_aggregate(in, s)) return 0;         /* SUB-AGG-01..04 */
    of_package_decide(in, s);                  /* SUB-PKG-01..03 */
    of_logistics_decide(in, s);                /* SUB-LOGI-01..05 */
    of_fee_decide(in, s);                      /* SUB-FEE-01 */
    of_alias_decide(in, s);                    /* SUB-ALIAS-01 */
    of_cost_decide(in, s);                     /* SUB-COST-01 */
    of_preorder_stock(in, s);                  /* SUB-PRE-01 */
    of_status_decide(in, s);                   /* SUB-STAT-01..09 */
    if (of_flags_decide(in, s) < 0) return -1; /* SUB-FLAG-01..03, SUB-WU-01/02 (-1: out of memory) */
    of_reserve_plan(in, s);                    /* SUB-STK-01..06 */
    s->submitted = 1;
    s->raw_process_status = OF_PS_SUBMITTED; /* SUB-UPD-02 */
    /* SUB-LOG-01: placed, paid (only if paid), submitted */
    of_logs_add(&s->logs, OF_LOG_PLACED, "SUB-LOG-01", "下单 (order placed %s)", raw->trade_time);
    if (s->pay_time) of_logs_add(&s->logs, OF_LOG_PAID, "SUB-LOG-01", "付款 (paid %s)", raw->pay_time);
    of_logs_add(&s->logs, OF_LOG_SUBMITTED, "SUB-LOG-01", "递交 (submitted, status %d)", s->status);
    /* SUB-FRZ-01: a freeze requested by either remark */
    uint64_t freeze = s->cs.freeze_reason ? s->cs.freeze_reason : s->client.freeze_reason;
    if (freeze) {
        of_logs_add(&s->logs, OF_LOG_FREEZE, "SUB-FRZ-01", "冻结 (frozen by remark, reason %llu)",
                    (unsigned long long)freeze);
        of_trace_add(&s->trace, "SUB-FRZ-01", "freeze", "reason %llu", (unsigned long long)freeze);
    }
    return 0;
}

/* ------------------------------------------------------------------ SUB-TYPE */

int of_sub_type(const of_subin_t *in, of_sub_t *s) {
    const Orderfleet__RawTrade *raw = in->raw;
    /* SUB-TYPE-01 (OP-13: the literal test ≥ 40 also cancels refunded 80 / closed 90) */
    if (raw->trade_status >= 40 || raw->is_external > 0) {
        char why[128];
        snprintf(why, sizeof why, "raw trade not submitted: trade_status %d, is_external %d → cancelled",
                 raw->trade_status, raw->is_external);
        return of_sub_stop(s, "SUB-TYPE-01", 0, OF_PS_CANCELLED, why);
    }
    /* SUB-TYPE-02 (OP-14: bad_reason |= 8) */
    if (raw->n_orders == 0) return of_sub_stop(s, "SUB-TYPE-02", OF_BAD_NO_GOODS, OF_PS_PENDING, "订单无货品");
    /* SUB-TYPE-03: non-PBS → sealed (a seal already on the raw trade is kept) */
    s->is_sealed = (raw->delivery_term != 1 || raw->is_sealed) ? 1 : 0;
    of_trace_add(&s->trace, "SUB-TYPE-03", "is_sealed", "%d (delivery_term %d%s)", s->is_sealed, raw->delivery_term,
                 raw->delivery_term != 1 ? ", not pay-before-shipment" : "");
    /* SUB-TYPE-04: paid = trade_status 20 or 30 (OP-16) */
    s->pay_time = of_time_parse(raw->pay_time);
    if ((raw->trade_status == 20 || raw->trade_status == 30) && s->pay_time == 0) {
        s->pay_time = of_time_parse(raw->trade_time);
        of_trace_add(&s->trace, "SUB-TYPE-04", "pay_time", "paid trade (status %d) without pay time: trade time %s",
                     raw->trade_status, raw->trade_time ? raw->trade_time : "");
    }
    return 0;
}
