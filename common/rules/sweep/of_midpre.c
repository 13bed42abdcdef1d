/* of_midpre.c -- MID-PRE-01 (spec trade-rules §5; OP-82; docs/decisions.md D-MID-22): a pre-order's lines that can
 * ship now go to audit. Pure. */
#include "of_midpre.h"
#include <stdlib.h>
#include <string.h>
#include "of_midspl.h"
#include "of_preorder.h"

static int by(const of_mid_order_t *o, const char *rule) {
    return o->preorder_by && !strcmp(o->preorder_by, rule);
}

int of_midpre_gate(const of_mid_order_t *o, const of_mid_cfg_t *cfg) {
    return cfg->split_preorder && o->new_status == OF_ST_PREORDER && !o->merged_into &&
           (by(o, "SUB-PRE-01") || by(o, "SUB-CFG-05"));
}

int of_midpre_ready(const of_mid_order_t *o, const of_mid_line_t *l, uint64_t wh, const of_mid_cfg_t *cfg,
                    const of_stockview_t *taken) {
    if (by(o, "SUB-CFG-05")) {
        for (size_t k = 0; cfg->cat && k < cfg->cat->npreorder_kws; k++) {
            const of_preorder_kw_t *kw = &cfg->cat->preorder_kws[k];
            if ((kw->shop_id == 0 || kw->shop_id == o->shop_id) &&
                of_preorder_kw_matches(kw, l->api_goods_name, l->api_spec_name))
                return 0;
        }
        return 1;
    }
    return wh && of_midspl_available(l, wh, cfg, taken) >= l->actual_num;
}

/* the lines of o (split: -1 its own, else the new order plan->splits[split]) that ship goods */
static int member(const of_mid_order_t *o, const of_mid_line_t *l, int split) {
    return l->new_trade_id == o->trade_id && l->new_split == split && l->actual_num > 0;
}

/* readiness of the lines of o in `split` into ready[] (counted against taken); a bound group (bind_oid) is ready
 * when all its lines are (OP-80, as for MID-SPW). Returns -1 when out of memory. */
static int mark(const of_mid_order_t *o, const of_mid_line_t *lines, size_t nlines, int split, uint64_t wh,
                const of_mid_cfg_t *cfg, of_stockview_t *taken, char *ready) {
    for (size_t i = 0; i < nlines; i++) {
        const of_mid_line_t *l = &lines[i];
        ready[i] = 0;
        if (!member(o, l, split)) continue;
        ready[i] = (char)of_midpre_ready(o, l, wh, cfg, taken);
        if (ready[i] && of_stock_add(taken, wh, l->spec_id, OF_RES_ORDER, l->actual_num)) return -1;
    }
    for (size_t i = 0; i < nlines; i++) {
        const char *b = lines[i].bind_oid;
        if (!ready[i] || !b || !b[0]) continue;
        for (size_t j = 0; j < nlines && ready[i]; j++)
            if (j != i && member(o, &lines[j], split) && !ready[j] && lines[j].bind_oid &&
                !strcmp(lines[j].bind_oid, b))
                ready[i] = 0;
    }
    return 0;
}

/* a pre-order split off o in this plan (MID-SPW-03) goes to audit whole when every line is ready */
static int whole_splits(of_mid_order_t *o, size_t oi, const of_mid_line_t *lines, size_t nlines,
                        const of_mid_cfg_t *cfg, of_mid_plan_t *plan, of_stockview_t *taken, char *ready) {
    for (size_t s = 0; s < plan->nsplits; s++) {
        of_mid_split_t *sp = &plan->splits[s];
        if (sp->from != oi || sp->status != OF_ST_PREORDER) continue;
        int pieces = 0;
        for (size_t p = 0; p < plan->npieces && !pieces; p++)
            pieces = plan->pieces[p].split == (int)s;
        if (pieces) continue; /* MID-BIG-03's one-unit orders: their units are not lines here */
        if (mark(o, lines, nlines, (int)s, sp->warehouse_id, cfg, taken, ready)) return -1;
        size_t n = 0, nready = 0;
        for (size_t i = 0; i < nlines; i++)
            if (member(o, &lines[i], (int)s)) n++, nready += ready[i] ? 1 : 0;
        if (!n || nready < n) continue;
        sp->status = OF_ST_AWAIT_AUDIT;
        of_logs_add(&o->logs, OF_LOG_STATUS, "MID-PRE-01",
                    "预订单拆分转审核: new order %d on warehouse %llu: every line ready → 待审核(30)", sp->k,
                    (unsigned long long)sp->warehouse_id);
    }
    return 0;
}

int of_midpre_split(of_mid_order_t *orders, size_t oi, of_mid_line_t *lines, size_t nlines, const of_mid_cfg_t *cfg,
                    of_mid_plan_t *plan) {
    of_mid_order_t *o = &orders[oi];
    char *ready = calloc(nlines + 1, 1);
    of_stockview_t taken = {0};
    int rc = 0;
    if (!ready) return -1;
    uint64_t wh = o->new_warehouse_id;
    if (mark(o, lines, nlines, -1, wh, cfg, &taken, ready)) {
        rc = -1;
        goto out;
    }
    size_t goods_ready = 0, goods_wait = 0, ready_n = 0, wait_n = 0;
    for (size_t i = 0; i < nlines; i++) {
        if (!member(o, &lines[i], -1)) continue;
        int gift = lines[i].gift_type != 0;
        if (ready[i])
            ready_n++, goods_ready += !gift;
        else
            wait_n++, goods_wait += !gift;
    }
    const char *why = by(o, "SUB-CFG-05") ? "no pre-order keyword" : "stock free";
    if (cfg->no_all_gift_split && ready_n && !goods_ready) { /* MID-SPW-04's setting: no order of gifts only */
        of_logs_add(&o->logs, OF_LOG_SPLIT, "MID-PRE-01", "only gifts ready: they stay (CFG_NO_ALL_GIFT_SPLIT)");
        ready_n = 0;
    }
    if (cfg->no_all_gift_split && wait_n && !goods_wait && goods_ready) wait_n = 0; /* the waiting gifts go along */
    if (!ready_n) {
        of_logs_add(&o->logs, OF_LOG_STATUS, "MID-PRE-01", "预订单: no line ready (%s), stays 预订单(25)",
                    by(o, "SUB-CFG-05") ? "every line has a pre-order keyword" : "stock short");
    } else if (!wait_n) {
        o->new_status = OF_ST_AWAIT_AUDIT;
        of_logs_add(&o->logs, OF_LOG_STATUS, "MID-PRE-01", "预订单转审核: every line ready (%s) → 待审核(30)", why);
    } else if (!o->shop_split_merge) {
        of_logs_add(&o->logs, OF_LOG_STATUS, "MID-PRE-01",
                    "预订单: %zu of %zu lines ready, not split (the shop does not split), stays 预订单(25)", ready_n,
                    ready_n + wait_n);
    } else {
        int k = 0;
        for (size_t s = 0; s < plan->nsplits; s++)
            if (plan->splits[s].from == oi && plan->splits[s].k > k) k = plan->splits[s].k;
        size_t first = plan->nsplits;
        int s = of_midspl_new(plan, oi, wh, OF_ST_AWAIT_AUDIT, k + 1, "MID-PRE-01");
        if (s < 0) {
            rc = -1;
            goto out;
        }
        of_logs_add(&o->logs, OF_LOG_SPLIT, "MID-PRE-01",
                    "预订单拆分转审核: %zu of %zu lines ready (%s) → new order %d, 待审核(30)", ready_n,
                    ready_n + wait_n, why, k + 1);
        for (size_t i = 0; i < nlines; i++)
            if (member(o, &lines[i], -1) && ready[i]) of_midspl_take(o, &lines[i], plan, s, "MID-PRE-01");
        of_midspl_done(o, lines, nlines, plan, first);
        rc = 1;
    }
    if (whole_splits(o, oi, lines, nlines, cfg, plan, &taken, ready)) rc = -1;
out:
    of_stock_free(&taken);
    free(ready);
    return rc;
}
