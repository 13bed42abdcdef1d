/* of_midbig.c -- MID-BIG-01…-04 (spec trade-rules §5; OP-81; docs/decisions.md D-MID-16): one unit of an independent
 * big item per order. Pure. */
#include "of_midbig.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "of_array.h"
#include "of_midspl.h"
#include "of_money.h"

#define MAX_UNITS 64 /* units of one line split at once (CFG_BIG_MAX_SPLIT bounds the total) */

int of_midbig_gate(const of_mid_order_t *o) {
    return o->shop_split_merge && !o->is_sealed;
}

static int add_piece(of_mid_plan_t *p, const of_mid_piece_t *x) {
    if (of_array_grow((void **)&p->pieces, &p->cappieces, p->npieces + 1, sizeof *p->pieces)) return -1;
    p->pieces[p->npieces++] = *x;
    return 0;
}

/* the lines of group grp of order o (-1: the order itself, else the split plan->splits[grp]) */
static int member(const of_mid_order_t *o, const of_mid_line_t *l, int grp) {
    return l->new_trade_id == o->trade_id && l->new_split == grp && l->actual_num > 0;
}

static int split_group(of_mid_order_t *orders, size_t oi, int grp, of_mid_line_t *lines, size_t nlines,
                       const of_mid_cfg_t *cfg, of_mid_plan_t *plan, int *k) {
    of_mid_order_t *o = &orders[oi];
    uint64_t wh = grp < 0 ? o->new_warehouse_id : plan->splits[grp].warehouse_id;
    int status = grp < 0 ? o->new_status : plan->splits[grp].status;
    long long indep = 0, normal = 0, total = 0;
    for (size_t i = 0; i < nlines; i++) {
        const of_mid_line_t *l = &lines[i];
        if (!member(o, l, grp)) continue;
        total += l->actual_num;
        if (l->large_type == 2) indep += (long long)l->actual_num; /* MID-BIG-02: ceil(Num) of whole units */
        if (l->large_type == 1) normal += l->actual_num;
    }
    if (!indep) return 0;
    const char *where = grp < 0 ? "the order" : "its split order";
    /* MID-BIG-01; at most 64 new orders share an order's amounts (of_midspl_share) */
    if (indep > cfg->big_max_split || indep > 64) {
        of_logs_add(&o->logs, OF_LOG_SPLIT, "MID-BIG-01",
                    "大件: %lld independent big item(s) in %s > CFG_BIG_MAX_SPLIT %d (or 64): no big-item split", indep,
                    where, cfg->big_max_split);
        return 0;
    }
    if (total <= 1) return 0; /* MID-BIG-03: total quantity > 1 */
    of_logs_add(&o->logs, OF_LOG_SPLIT, "MID-BIG-01", "大件: %lld independent, %lld normal of %lld units in %s", indep,
                normal, total, where);
    int keep_one = total == indep; /* OP-81: an order of independent big items only keeps one of them */
    size_t first = plan->nsplits;
    for (size_t i = 0; i < nlines; i++) {
        of_mid_line_t *l = &lines[i];
        if (!member(o, l, grp) || l->large_type != 2) continue;
        int n = l->actual_num;
        if (l->num != n || n > MAX_UNITS) {
            of_logs_add(&o->logs, OF_LOG_SPLIT, "MID-BIG-03", "line %llu: %s, not split", (unsigned long long)l->rec_id,
                        l->num != n ? "partly refunded (num ≠ actual_num)" : "more than 64 units");
            continue;
        }
        int stay = keep_one ? 1 : 0;
        keep_one = 0;
        if (n - stay <= 0) continue;
        /* every amount of the line shared out per unit, the last unit takes the remainder (OP-27) */
        int64_t ones[MAX_UNITS], sa[MAX_UNITS], sp[MAX_UNITS], pd[MAX_UNITS], di[MAX_UNITS], cm[MAX_UNITS];
        for (int u = 0; u < n; u++)
            ones[u] = 1;
        of_money_apportion(l->share_amount, ones, (size_t)n, sa);
        of_money_apportion(l->share_post, ones, (size_t)n, sp);
        of_money_apportion(l->paid, ones, (size_t)n, pd);
        of_money_apportion(l->discount, ones, (size_t)n, di);
        of_money_apportion(l->commission, ones, (size_t)n, cm);
        for (int u = stay ? 1 : 0; u < n; u++) {
            int s = of_midspl_new(plan, oi, wh, status, ++*k, "MID-BIG-03");
            if (s < 0) return -1;
            of_mid_split_t *x = &plan->splits[s];
            x->sums = (of_mid_sums_t){.goods_amount = sa[u],
                                      .post_amount = sp[u],
                                      .paid = pd[u],
                                      .discount = di[u],
                                      .commission = cm[u],
                                      .weight = l->weight,
                                      .volume = l->volume,
                                      .goods_count = 1};
            x->goods_type_count = 1;
            snprintf(x->single_spec_no, sizeof x->single_spec_no, "%s", l->spec_no ? l->spec_no : "");
            x->gift_mask = (uint32_t)l->gift_type;
            of_logs_add(&o->logs, OF_LOG_SPLIT, "MID-BIG-03", "独立大件: spec %llu unit %d of %d → new order %d",
                        (unsigned long long)l->spec_id, u + 1, n, x->k);
            if (u == 0) { /* the row itself goes: its first unit */
                l->new_split = s;
                continue;
            }
            of_mid_piece_t pc = {.line = i,
                                 .split = s,
                                 .num = 1,
                                 .share_amount = sa[u],
                                 .share_post = sp[u],
                                 .paid = pd[u],
                                 .discount = di[u],
                                 .commission = cm[u]};
            if (add_piece(plan, &pc)) return -1;
        }
        /* the row keeps its first unit (in this order, or in the new order it went to) */
        if (n == 1) continue;
        l->num = l->actual_num = 1;
        l->share_amount = sa[0];
        l->share_post = sp[0];
        l->paid = pd[0];
        l->discount = di[0];
        l->commission = cm[0];
        l->qty_changed = 1;
    }
    size_t made = plan->nsplits - first;
    if (!made) return 0;
    of_mid_sums_t *keep = grp < 0 ? &o->sums : &plan->splits[grp].sums;
    of_midspl_share(keep, plan->splits + first, made);
    o->split = o->merged = 1;
    return (int)made;
}

int of_midbig_split(of_mid_order_t *orders, size_t i, of_mid_line_t *lines, size_t nlines, const of_mid_cfg_t *cfg,
                    of_mid_plan_t *plan) {
    int k = 0;
    size_t before = plan->nsplits;
    for (size_t s = 0; s < before; s++)
        if (plan->splits[s].from == i && plan->splits[s].k > k) k = plan->splits[s].k;
    int made = split_group(orders, i, -1, lines, nlines, cfg, plan, &k);
    for (size_t s = 0; made >= 0 && s < before; s++) {
        if (plan->splits[s].from != i) continue;
        int m = split_group(orders, i, (int)s, lines, nlines, cfg, plan, &k);
        made = m < 0 ? -1 : made + m;
    }
    return made;
}
