/* of_status.c -- the status of a submitted raw trade: SUB-STAT-01…-09, and the status names. Pure: reads of_subin_t,
 * writes of_sub_t. (SUB-AGG is of_aggregate.c's, SUB-FLAG/SUB-WU of_flags.c's, the SUB-STK plan of_reserve.c's.) */
#include "of_status.h"
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "of_alias.h"
#include "of_cost.h"
#include "of_fee.h"
#include "of_logistics.h"
#include "of_money.h"
#include "of_time.h"

typedef unsigned long long ull;

const char *of_status_name(int status) {
    switch (status) {
    case OF_ST_CANCELLED:
        return "已取消";
    case OF_ST_UNPAID:
        return "未付款";
    case OF_ST_BALANCE:
        return "待尾款";
    case OF_ST_SELECT_WH:
        return "待选仓";
    case OF_ST_WAIT_UNPAID:
        return "等未付";
    case OF_ST_DELAY:
        return "延迟审核";
    case OF_ST_PREORDER_PRE:
        return "预订单前处理";
    case OF_ST_PRE_AUDIT:
        return "订单审核前处理";
    case OF_ST_GRAB:
        return "抢单";
    case OF_ST_AUDITED_EXT:
        return "已审核";
    case OF_ST_SHIPPED:
        return "已发货";
    default:
        return "未知状态";
    }
}

/* ---------------------------------------------------------------- SUB-STAT */

static void set_status(of_sub_t *s, const char *rule, int status, const char *why) {
    s->status = status;
    of_trace_add(&s->trace, rule, "status", "%d %s: %s", status, of_status_name(status), why);
    of_logs_add(&s->logs, OF_LOG_STATUS, rule, "订单状态: %s(%d), %s", of_status_name(status), status, why);
}

/* SUB-STAT-07 (OP-46): the no-tracking logistics a grab order uses; NULL when none exists. */
static const of_logistics_t *grab_logistics(const of_subin_t *in, const of_sub_t *s, const char **whyp) {
    const of_catalog_t *c = in->cat;
    const of_logistics_t *l = s->logistics_id ? of_cat_logistics(c, s->logistics_id) : NULL;
    if (l && l->type == OF_LT_NO_TRACKING) {
        *whyp = "chosen logistics is no-tracking";
        return l;
    }
    const of_shop_t *shop = of_cat_shop(c, in->shop_id);
    l = shop && shop->grab_logistics_id ? of_cat_logistics(c, shop->grab_logistics_id) : NULL;
    if (l && l->type == OF_LT_NO_TRACKING) {
        *whyp = "shop grab logistics";
        return l;
    }
    for (size_t i = 0; i < c->nlogis; i++) /* catalogue order: sort_order, id */
        if (c->logis[i].type == OF_LT_NO_TRACKING) {
            *whyp = "first no-tracking logistics";
            return &c->logis[i];
        }
    return NULL;
}

/* SUB-STAT-07; returns 1 when the order becomes a grab order. */
static int decide_grab(const of_subin_t *in, of_sub_t *s) {
    if (!s->grab) return 0;
    if (!s->warehouse_id) {
        s->grab = 0;
        of_trace_add(&s->trace, "SUB-STAT-07", "grab", "no warehouse selected: no grab");
        return 0;
    }
    const char *why = "";
    const of_logistics_t *l = grab_logistics(in, s, &why);
    if (!l) {
        s->grab = 0;
        of_trace_add(&s->trace, "SUB-STAT-07", "grab",
                     "no no-tracking logistics (chosen %llu, shop grab logistics, catalogue): no grab (OP-46)",
                     (ull)s->logistics_id);
        return 0;
    }
    if (l->id != s->logistics_id) {
        of_trace_add(&s->trace, "SUB-STAT-07", "logistics", "%s (%llu) replaces %llu: %s (OP-46)", l->name, (ull)l->id,
                     (ull)s->logistics_id, why);
        s->logistics_id = l->id;
        s->logistics_by = OF_LB_STRATEGY;
        s->post_cost = 0; /* the fee and the alias follow the logistics */
        of_fee_decide(in, s);
        of_alias_decide(in, s);
    } else {
        of_trace_add(&s->trace, "SUB-STAT-07", "logistics", "%s (%llu): %s", l->name, (ull)l->id, why);
    }
    char why2[128];
    snprintf(why2, sizeof why2, "抢单, 无单号物流 %.90s", l->name);
    set_status(s, "SUB-STAT-07", OF_ST_GRAB, why2);
    return 1;
}

/* SUB-STAT-08 (OP-47): 20, or 16 until pay_time + DELAY_AUDIT (PBS) / trade_time + COD_DELAY (delivery_term ≠ 1). */
static void decide_pre_audit(const of_subin_t *in, of_sub_t *s) {
    const of_settings_t *set = &in->cat->set;
    int pbs = s->agg.delivery_term == 1;
    int64_t base = pbs ? s->pay_time : of_time_parse(in->raw->trade_time);
    int64_t until = base + (pbs ? set->delay_audit_s : set->cod_delay_s);
    char b[32], u[32], nw[32], why[200];
    of_time_format(base, b, sizeof b);
    of_time_format(until, u, sizeof u);
    of_time_format(in->now, nw, sizeof nw);
    if (in->now < until) {
        s->delay_to_time = until;
        snprintf(why, sizeof why, "延迟审核至 %s (%s %s + %s %llds, platform time now %s)", u,
                 pbs ? "款到发货 付款时间" : "货到付款 交易时间", b, pbs ? "DELAY_AUDIT" : "COD_DELAY",
                 (long long)(pbs ? set->delay_audit_s : set->cod_delay_s), nw);
        set_status(s, "SUB-STAT-08", OF_ST_DELAY, why);
    } else {
        snprintf(why, sizeof why, "进入审核前处理 (%s delay ends %s, platform time now %s)", pbs ? "PBS" : "COD", u,
                 nw);
        set_status(s, "SUB-STAT-08", OF_ST_PRE_AUDIT, why);
    }
}

void of_status_decide(const of_subin_t *in, of_sub_t *s) {
    const of_settings_t *set = &in->cat->set;
    const of_warehouse_t *wh = s->warehouse_id ? of_cat_warehouse(in->cat, s->warehouse_id) : NULL;
    int ts = in->raw->trade_status;
    char why[200];
    s->delay_to_time = 0;

    /* SUB-STAT-01 */
    if (s->cancelled) {
        set_status(s, "SUB-STAT-01", OF_ST_CANCELLED, "全部退款 (SUB-AGG-03)");
        return;
    }
    /* SUB-STAT-02, OP-45: only a paid trade (raw 30) is transferred. */
    if (set->auto_external_wh && wh && wh->is_external && ts == 30) {
        snprintf(why, sizeof why, "委外订单: 自动转外部仓库 %.120s (%llu)", wh->name, (ull)wh->id);
        set_status(s, "SUB-STAT-02", OF_ST_AUDITED_EXT, why);
        return;
    }
    if (set->auto_external_wh && wh && wh->is_external)
        of_trace_add(&s->trace, "SUB-STAT-02", "skipped",
                     "external warehouse %llu but platform status %d is not 30: no auto-transfer (OP-45)", (ull)wh->id,
                     ts);
    /* SUB-STAT-03, OP-01: raw 未付款 = trade_status < 20. */
    if (ts < 20) {
        snprintf(why, sizeof why, "平台状态 %d 未付款", ts);
        set_status(s, "SUB-STAT-03", OF_ST_UNPAID, why);
        return;
    }
    /* SUB-STAT-04 */
    if (ts == 20) {
        set_status(s, "SUB-STAT-04", OF_ST_BALANCE, "平台状态 20 待尾款");
        return;
    }
    if (ts == 30) {
        /* SUB-STAT-05 */
        if (!s->warehouse_id && s->wh_address_mode) {
            set_status(s, "SUB-STAT-05", OF_ST_SELECT_WH, "货品指定仓库地址, 无仓库");
            return;
        }
        /* SUB-STAT-06 */
        if (s->is_preorder) {
            snprintf(why, sizeof why, "转预订单 (%s)", s->preorder_by[0] ? s->preorder_by : "V_IsPreOrder");
            set_status(s, "SUB-STAT-06", OF_ST_PREORDER_PRE, why);
            return;
        }
        /* SUB-STAT-07 */
        if (decide_grab(in, s)) return;
        /* SUB-STAT-08 */
        decide_pre_audit(in, s);
        return;
    }
    /* SUB-STAT-09 */
    snprintf(why, sizeof why, "平台状态 %d 不是 未付款/20/30", ts);
    set_status(s, "SUB-STAT-09", OF_ST_CANCELLED, why);
}
