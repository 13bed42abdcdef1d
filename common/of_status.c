/* of_status.c -- order values and status of a submitted raw trade: SUB-AGG, SUB-STAT, SUB-FLAG, SUB-WU and the
 * reservation plan of SUB-STK. Pure: reads of_subin_t, writes of_sub_t. */
#include "of_status.h"
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "of_logistics.h"
#include "of_money.h"

typedef unsigned long long ull;

/* §1.16 literal sets (OP-03: each rule keeps its own bounds). */
static const int FLAG_PAID[] = {13, 16, 19, 20, 27}; /* SUB-FLAG-02, L266 */
static const int WU_HOLD[] = {16, 20};               /* SUB-WU-01, L275 */
static const int WU_OWN[] = {16, 20, 27};            /* SUB-WU-02, L276 */
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
/* SUB-FLAG-01/02: siblings 10 ≤ s ≤ 95 (L265, L267). */
#define SIB_LO 10
#define SIB_HI 95

static int in_set(int v, const int *set, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (set[i] == v) return 1;
    return 0;
}

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

/* "YYYY-MM-DD HH:MM:SS" of a time of the of_time_parse clock. */
static const char *fmt_time(int64_t t, char *buf, size_t n) {
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || !strftime(buf, n, "%Y-%m-%d %H:%M:%S", &tm)) snprintf(buf, n, "%lld", (long long)t);
    return buf;
}

/* ---------------------------------------------------------------- SUB-AGG */

int of_aggregate(const of_subin_t *in, of_sub_t *s) {
    /* SUB-AGG-03 first (OP-41); line refunded = refund_status > 2, application = 2 (OP-02). */
    size_t refunded = 0, applied = 0;
    for (size_t i = 0; i < s->nlines; i++) {
        if (s->lines[i].refund_status > 2)
            refunded++;
        else if (s->lines[i].refund_status == 2)
            applied++;
    }
    s->cancelled = 0;
    if (s->nlines && refunded == s->nlines) {
        s->refund_status = OF_TRS_FULL;
        s->cancelled = 1;
    } else if (refunded) {
        s->refund_status = OF_TRS_PARTIAL;
    } else if (applied) {
        s->refund_status = OF_TRS_APPLIED;
    } else {
        s->refund_status = OF_TRS_NONE;
    }
    static const char *const trs_name[] = {"无退款", "申请退款", "部分退款", "全部退款"};
    of_trace_add(&s->trace, "SUB-AGG-03", "refund_status",
                 "%d %s: %zu of %zu lines refunded (refund_status > 2), %zu applied (= 2)%s", s->refund_status,
                 trs_name[s->refund_status], refunded, s->nlines, applied,
                 s->cancelled ? "; every line refunded → order cancelled (SUB-STAT-01)" : "");

    /* SUB-AGG-01 (OP-40): lines whose refund is not completed (refund_status < 5) and actual_num > 0. */
    of_agg_t *a = &s->agg;
    memset(a, 0, sizeof *a);
    size_t n = 0, first = 0;
    int all_pbs = 1;
    for (size_t i = 0; i < s->nlines; i++) {
        const of_line_t *l = &s->lines[i];
        if (l->refund_status >= 5 || l->actual_num <= 0) continue;
        if (!n) first = i;
        n++;
        int distinct = 1;
        for (size_t j = 0; j < i && distinct; j++)
            if (s->lines[j].refund_status < 5 && s->lines[j].actual_num > 0 && s->lines[j].spec_id == l->spec_id)
                distinct = 0;
        a->goods_type_count += distinct;
        a->goods_count += l->actual_num;
        a->weight += l->weight * l->actual_num;
        a->volume += l->volume * l->actual_num;
        a->goods_amount += l->share_amount;
        a->post_amount += l->share_post;
        a->paid += l->paid;
        a->discount += l->discount;
        a->commission += l->commission;
        a->gift_mask |= (uint32_t)l->gift_type;
        if (l->is_not_use_air > a->is_not_use_air) a->is_not_use_air = l->is_not_use_air;
        if (l->delivery_term != 1) all_pbs = 0;
    }
    a->delivery_term = n && all_pbs ? 1 : in->raw->delivery_term;
    a->pbs_amount = a->paid;
    a->cod_amount = a->goods_amount + a->post_amount - a->paid;
    char w[24], v[24], g[24], p[24], pd[24], cod[24];
    of_trace_add(&s->trace, "SUB-AGG-01", "aggregate",
                 "%zu of %zu lines (refund_status < 5, actual_num > 0): goods_count %d, weight %s kg, volume %s cm3, "
                 "goods_amount %s, post %s, paid %s, cod_amount %s, delivery_term %d%s, gift_mask %u, no_air %d",
                 n, s->nlines, a->goods_count, of_money_fmt(a->weight, w, sizeof w),
                 of_money_fmt(a->volume, v, sizeof v), of_money_fmt(a->goods_amount, g, sizeof g),
                 of_money_fmt(a->post_amount, p, sizeof p), of_money_fmt(a->paid, pd, sizeof pd),
                 of_money_fmt(a->cod_amount, cod, sizeof cod), a->delivery_term,
                 n && all_pbs ? " (every line PBS)" : " (raw delivery_term)", a->gift_mask, a->is_not_use_air);

    /* SUB-AGG-02: no shippable goods (the full-refund path of SUB-AGG-03 is not an error, OP-41). */
    if (!n && !s->cancelled)
        return of_sub_stop(s, "SUB-AGG-02", OF_BAD_NO_GOODS, s->raw_process_status,
                           "订单无货品: no line with refund_status < 5 and actual_num > 0");

    /* SUB-AGG-04: kind count and the single spec_no. */
    a->single_spec_no[0] = '\0';
    if (a->goods_type_count == 1) snprintf(a->single_spec_no, sizeof a->single_spec_no, "%s", s->lines[first].spec_no);
    of_trace_add(&s->trace, "SUB-AGG-04", "kinds", "goods_type_count %d, goods_count %d%s%s", a->goods_type_count,
                 a->goods_count, a->goods_type_count == 1 ? ", single spec_no " : "", a->single_spec_no);
    return 0;
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
    fmt_time(base, b, sizeof b);
    fmt_time(until, u, sizeof u);
    fmt_time(in->now, nw, sizeof nw);
    if (in->now < until) {
        s->delay_to_time = until;
        snprintf(why, sizeof why, "延迟审核至 %s (%s %s + %s %llds, now %s)", u,
                 pbs ? "款到发货 付款时间" : "货到付款 交易时间", b, pbs ? "DELAY_AUDIT" : "COD_DELAY",
                 (long long)(pbs ? set->delay_audit_s : set->cod_delay_s), nw);
        set_status(s, "SUB-STAT-08", OF_ST_DELAY, why);
    } else {
        snprintf(why, sizeof why, "进入审核前处理 (%s delay ends %s, now %s)", pbs ? "PBS" : "COD", u, nw);
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

/* ---------------------------------------------------------------- SUB-FLAG, SUB-WU */

int of_flags_decide(const of_subin_t *in, of_sub_t *s) {
    const int own = s->status;
    const int64_t wait = in->cat->set.wait_unpaid_s;

    /* SUB-FLAG-01 (own 10 → bit 1) / SUB-FLAG-02 (own paid → bit 2) on siblings 10 ≤ s ≤ 95. */
    uint32_t bit = own == OF_ST_UNPAID                        ? OF_UM_HAS_UNPAID
                   : in_set(own, FLAG_PAID, NELEM(FLAG_PAID)) ? OF_UM_SAME_NAME
                                                              : 0;
    const char *frule = own == OF_ST_UNPAID ? "SUB-FLAG-01" : "SUB-FLAG-02";
    for (size_t i = 0; bit && i < in->nsiblings; i++) {
        const of_sibling_t *sb = &in->siblings[i];
        if (sb->status < SIB_LO || sb->status > SIB_HI) continue;
        if (of_sub_sib_update(s, sb->trade_id, bit, 0, 0)) return -1;
        of_trace_add(&s->trace, frule, "sibling", "order %llu (status %d): unmerge_mask |= %u (%s)", (ull)sb->trade_id,
                     sb->status, bit, bit == OF_UM_HAS_UNPAID ? "有未付款订单" : "同名未合并");
    }

    /* SUB-FLAG-03: own mask from the siblings: = 10 → bit 1, 10 < s ≤ 95 → bit 2. */
    s->unmerge_mask = 0;
    for (size_t i = 0; i < in->nsiblings; i++) {
        int st = in->siblings[i].status;
        if (st == OF_ST_UNPAID) s->unmerge_mask |= OF_UM_HAS_UNPAID;
        if (st > 10 && st <= 95) s->unmerge_mask |= OF_UM_SAME_NAME;
    }
    of_trace_add(&s->trace, "SUB-FLAG-03", "unmerge_mask", "%u over %zu siblings (status 10 → 1, 10 < status ≤ 95 → 2)",
                 s->unmerge_mask, in->nsiblings);

    /* SUB-WU-01: an unpaid order holds its paid siblings {16, 20} until own trade_time + WAIT_UNPAID. */
    if (own == OF_ST_UNPAID && (s->unmerge_mask & OF_UM_SAME_NAME)) {
        int64_t until = of_time_parse(in->raw->trade_time) + wait;
        char u[32];
        fmt_time(until, u, sizeof u);
        if (in->now <= until) {
            for (size_t i = 0; i < in->nsiblings; i++) {
                const of_sibling_t *sb = &in->siblings[i];
                if (!in_set(sb->status, WU_HOLD, NELEM(WU_HOLD))) continue;
                if (of_sub_sib_update(s, sb->trade_id, 0, OF_ST_WAIT_UNPAID, until)) return -1;
                of_trace_add(&s->trace, "SUB-WU-01", "sibling", "order %llu (status %d) → 15 等未付 until %s",
                             (ull)sb->trade_id, sb->status, u);
            }
        } else {
            of_trace_add(&s->trace, "SUB-WU-01", "hold", "wait ended %s: siblings not held", u);
        }
    }

    /* SUB-WU-02: a paid order waits for the customer's most recent unpaid order. */
    const of_sibling_t *latest = NULL;
    if (in_set(own, WU_OWN, NELEM(WU_OWN)) && (s->unmerge_mask & OF_UM_HAS_UNPAID))
        for (size_t i = 0; i < in->nsiblings; i++)
            if (in->siblings[i].status == OF_ST_UNPAID && (!latest || in->siblings[i].trade_time > latest->trade_time))
                latest = &in->siblings[i];
    if (latest) {
        int64_t until = latest->trade_time + wait;
        char u[32];
        fmt_time(until, u, sizeof u);
        if (in->now <= until) {
            s->status = OF_ST_WAIT_UNPAID;
            s->delay_to_time = until;
            if (own == OF_ST_GRAB) s->grab = 0; /* OP-49: the grab attempt is abandoned */
            of_trace_add(&s->trace, "SUB-WU-02", "status", "15 等未付 (was %d) until %s: unpaid order %llu%s", own, u,
                         (ull)latest->trade_id, own == OF_ST_GRAB ? "; grab abandoned (OP-49)" : "");
            of_logs_add(&s->logs, OF_LOG_WAIT_UNPAID, "SUB-WU-02", "等未付: 等待同名未付款订单 %llu 至 %s",
                        (ull)latest->trade_id, u);
        } else {
            of_trace_add(&s->trace, "SUB-WU-02", "wait", "unpaid order %llu: wait ended %s, status stays %d",
                         (ull)latest->trade_id, u, own);
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- SUB-STK plan */

void of_reserve_plan(const of_subin_t *in, of_sub_t *s) {
    (void)in;
    const char *rule;
    switch (s->status) {
    case OF_ST_UNPAID:
        rule = "SUB-STK-02";
        break;
    case OF_ST_WAIT_UNPAID:
    case OF_ST_DELAY:
    case OF_ST_PRE_AUDIT:
    case OF_ST_GRAB:
        rule = "SUB-STK-03";
        break;
    case OF_ST_PREORDER_PRE:
        rule = "SUB-STK-04";
        break;
    case OF_ST_AUDITED_EXT:
        rule = "SUB-STK-05";
        break;
    default:
        rule = "SUB-STK-06"; /* 5, 12, 13 (OP-51) and anything else */
        break;
    }
    of_res_t r = of_stock_reservation_for_status(s->status);
    if (!s->warehouse_id && r != OF_RES_NONE) {
        of_trace_add(&s->trace, rule, "reserve", "status %d would reserve %s, but no warehouse: nothing reserved",
                     s->status, of_stock_counter_name(r));
        r = OF_RES_NONE;
    } else {
        of_trace_add(&s->trace, rule, "reserve",
                     "status %d: %s on warehouse %llu (SUB-STK-01: earlier reservations released first)", s->status,
                     r == OF_RES_NONE ? "no reservation" : of_stock_counter_name(r), (ull)s->warehouse_id);
    }
    s->reserve = r;
    s->make_stockout = s->status == OF_ST_AUDITED_EXT;
    if (s->make_stockout)
        of_trace_add(&s->trace, "SUB-STK-05", "stockout", "转到物流宝: stockout order on warehouse %llu",
                     (ull)s->warehouse_id);
}
