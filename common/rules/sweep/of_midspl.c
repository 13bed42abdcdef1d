/* of_midspl.c -- MID-SPW-01…-07 (spec trade-rules §5; OP-80; docs/decisions.md D-MID-13, D-MID-14, D-MID-15): split
 * an order by the warehouses its goods are designated to. Pure. */
#include "of_midspl.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "of_array.h"
#include "of_midmrg.h"
#include "of_money.h"
#include "of_sub.h"

int of_midspl_new(of_mid_plan_t *plan, size_t from, uint64_t warehouse_id, int status, int k, const char *rule) {
    if (of_array_grow((void **)&plan->splits, &plan->capsplits, plan->nsplits + 1, sizeof *plan->splits)) return -1;
    plan->splits[plan->nsplits] =
        (of_mid_split_t){.from = from, .warehouse_id = warehouse_id, .status = status, .k = k, .rule = rule};
    return (int)plan->nsplits++;
}

void of_midspl_share(of_mid_sums_t *keep, of_mid_split_t *out, size_t n) {
    /* OP-27 as for suites: the order-level amounts shared by goods amount, the kept order last (the remainder) */
    int64_t w[65], part[65];
    if (n > 64) n = 64;
    int64_t moved = 0;
    for (size_t s = 0; s < n; s++) {
        w[s] = out[s].sums.goods_amount > 0 ? out[s].sums.goods_amount : 0;
        moved += w[s];
    }
    w[n] = keep->goods_amount > moved ? keep->goods_amount - moved : 0;
    int64_t *fields[] = {&keep->receivable, &keep->pbs_amount, &keep->cod_amount, &keep->goods_cost};
    for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
        size_t off = (size_t)((char *)fields[f] - (char *)keep);
        of_money_apportion(*fields[f], w, n + 1, part);
        for (size_t s = 0; s < n; s++)
            *(int64_t *)((char *)&out[s].sums + off) = part[s];
        *fields[f] = part[n];
    }
    /* the line-level values follow the lines */
    for (size_t s = 0; s < n; s++) {
        const of_mid_sums_t *m = &out[s].sums;
        keep->goods_amount -= m->goods_amount;
        keep->post_amount -= m->post_amount;
        keep->paid -= m->paid;
        keep->discount -= m->discount;
        keep->commission -= m->commission;
        keep->weight -= m->weight;
        keep->volume -= m->volume;
        keep->goods_count -= m->goods_count;
    }
}

void of_midspl_take(of_mid_order_t *o, of_mid_line_t *l, of_mid_plan_t *plan, int s, const char *rule) {
    of_mid_split_t *sp = &plan->splits[s];
    l->new_split = s;
    sp->sums.goods_amount += l->share_amount;
    sp->sums.post_amount += l->share_post;
    sp->sums.paid += l->paid;
    sp->sums.discount += l->discount;
    sp->sums.commission += l->commission;
    sp->sums.weight += l->weight * l->actual_num;
    sp->sums.volume += l->volume * l->actual_num;
    sp->sums.goods_count += l->actual_num;
    sp->gift_mask |= (uint32_t)l->gift_type; /* sales_trade.gift_mask: the OR of the lines' gift_type */
    of_logs_add(&o->logs, OF_LOG_SPLIT, rule, "line %llu (spec %llu ×%d) → new order %d on warehouse %llu",
                (unsigned long long)l->rec_id, (unsigned long long)l->spec_id, l->actual_num, sp->k,
                (unsigned long long)sp->warehouse_id);
}

void of_midspl_done(of_mid_order_t *o, const of_mid_line_t *lines, size_t nlines, of_mid_plan_t *plan, size_t first) {
    /* the kept order keeps the rest; receivable, PBS, COD and cost are shared by goods amount, the kept order last
     * (OP-27 rounding: it takes the remainder) */
    of_midspl_share(&o->sums, plan->splits + first, plan->nsplits - first);
    for (size_t x = first; x < plan->nsplits; x++) /* SUB-AGG-04 over each new order's lines */
        of_midmrg_kinds(lines, nlines, o->trade_id, (int)x, &plan->splits[x].goods_type_count,
                        plan->splits[x].single_spec_no, sizeof plan->splits[x].single_spec_no, NULL);
    o->split = 1;
    o->merged = 1;
}

int of_midspl_gate(const of_mid_order_t *o, const of_mid_cfg_t *cfg) {
    return cfg->split_by_wh && cfg->cat && o->shop_split_merge && !o->is_split && o->delivery_term == 1;
}

int64_t of_midspl_available(const of_mid_line_t *l, uint64_t wh, const of_mid_cfg_t *cfg, const of_stockview_t *taken) {
    const of_warehouse_t *w = of_cat_warehouse(cfg->cat, wh);
    const of_stock_row_t *r = cfg->stock ? of_stock_find(cfg->stock, wh, l->spec_id) : NULL;
    int64_t x = r ? of_stock_x(r, w && w->is_external) : 0;
    if (l->held_wh == wh && l->held_kind == OF_RES_ORDER) x += l->held_num;
    const of_stock_row_t *t = of_stock_find(taken, wh, l->spec_id);
    return x - (t ? t->order_num : 0);
}

uint64_t of_midspl_warehouse(const of_mid_order_t *o, const of_mid_line_t *l, const of_mid_cfg_t *cfg,
                             const of_stockview_t *taken, const char **why) {
    const of_catalog_t *cat = cfg->cat;
    const of_spec_wh_t *best = NULL, *best_ok = NULL;
    int bp = 0, bp_ok = 0;
    for (size_t i = 0; cat && i < cat->nspec_whs; i++) {
        const of_spec_wh_t *d = &cat->spec_whs[i];
        if (d->shop_id != o->shop_id || d->spec_id != l->spec_id || d->mode != OF_SWH_WAREHOUSE) continue;
        const of_warehouse_t *w = of_cat_warehouse(cat, d->warehouse_id);
        if (!w) continue;
        /* priority: the designation's, then the warehouse's, then the lower id */
        int better = !best || d->priority > best->priority ||
                     (d->priority == best->priority &&
                      (w->priority > bp || (w->priority == bp && d->warehouse_id < best->warehouse_id)));
        if (better) best = d, bp = w->priority;
        if (of_midspl_available(l, d->warehouse_id, cfg, taken) >= l->actual_num) {
            int better_ok =
                !best_ok || d->priority > best_ok->priority ||
                (d->priority == best_ok->priority &&
                 (w->priority > bp_ok || (w->priority == bp_ok && d->warehouse_id < best_ok->warehouse_id)));
            if (better_ok) best_ok = d, bp_ok = w->priority;
        }
    }
    if (best_ok) {
        *why = "designated, enough stock";
        return best_ok->warehouse_id;
    }
    if (best) {
        *why = "designated, none with enough stock: the highest priority";
        return best->warehouse_id;
    }
    *why = "no designation: stays";
    return o->warehouse_id;
}

typedef struct {
    uint64_t wh;
    int gifts_only;
    int64_t goods; /* Σ share_amount */
} group_t;

static int group_of(group_t *g, size_t n, uint64_t wh) {
    for (size_t i = 0; i < n; i++)
        if (g[i].wh == wh) return (int)i;
    return -1;
}

int of_midspl_split(of_mid_order_t *orders, size_t oi, of_mid_line_t *lines, size_t nlines, const of_mid_cfg_t *cfg,
                    of_mid_plan_t *plan) {
    of_mid_order_t *o = &orders[oi];
    size_t nmine = 0;
    for (size_t i = 0; i < nlines; i++)
        if (lines[i].new_trade_id == o->trade_id && lines[i].new_split < 0 && lines[i].actual_num > 0) nmine++;
    if (!nmine) return 0;
    uint64_t *wh = calloc(nlines, sizeof *wh);
    group_t *g = calloc(nmine + 1, sizeof *g);
    of_stockview_t taken = {0};
    int rc = 0;
    size_t ng = 0;
    if (!wh || !g) {
        rc = -1;
        goto out;
    }
    /* MID-SPW-02/03: each line's warehouse; a bound group (bind_oid) follows its first line (OP-80) */
    for (size_t i = 0; i < nlines && !rc; i++) {
        of_mid_line_t *l = &lines[i];
        if (l->new_trade_id != o->trade_id || l->new_split >= 0 || l->actual_num <= 0) continue;
        const char *why = "";
        uint64_t w = 0;
        for (size_t j = 0; j < i && l->bind_oid && l->bind_oid[0] && !w; j++)
            if (wh[j] && lines[j].bind_oid && !strcmp(lines[j].bind_oid, l->bind_oid)) w = wh[j], why = "bound";
        if (!w) w = of_midspl_warehouse(o, l, cfg, &taken, &why);
        wh[i] = w;
        if (of_stock_add(&taken, w, l->spec_id, OF_RES_ORDER, l->actual_num)) rc = -1;
        of_logs_add(&o->logs, OF_LOG_SPLIT, "MID-SPW-03", "spec %llu ×%d → warehouse %llu (%s)",
                    (unsigned long long)l->spec_id, l->actual_num, (unsigned long long)w, why);
        int k = group_of(g, ng, w);
        if (k < 0) {
            k = (int)ng++;
            g[k] = (group_t){.wh = w, .gifts_only = 1};
        }
        if (!l->gift_type) g[k].gifts_only = 0;
        g[k].goods += l->share_amount;
    }
    if (!rc && ng == 1 && g[0].wh != o->warehouse_id) { /* every line ships from one other warehouse: the order moves */
        of_logs_add(&o->logs, OF_LOG_SPLIT, "MID-SPW-03", "订单仓库: %llu → %llu (all its goods ship from there)",
                    (unsigned long long)o->warehouse_id, (unsigned long long)g[0].wh);
        o->new_warehouse_id = g[0].wh;
    }
    if (rc || ng < 2) goto out;
    if (ng > 64) { /* the money is shared out over at most 64 orders */
        of_logs_add(&o->logs, OF_LOG_SPLIT, "MID-SPW-03", "not split: %zu warehouses (64 at most)", ng);
        goto out;
    }
    /* the group that keeps the order: its own warehouse's, else the first non-gift one (D-MID-13); with
     * CFG_NO_ALL_GIFT_SPLIT a group of gifts only never keeps it (MID-SPW-04) */
    int keep = group_of(g, ng, o->warehouse_id);
    if (keep >= 0 && g[keep].gifts_only && cfg->no_all_gift_split) keep = -1;
    for (size_t k = 0; keep < 0 && k < ng; k++)
        if (!g[k].gifts_only) keep = (int)k;
    if (keep < 0) keep = 0;
    /* MID-SPW-04: gift-only groups stay with the kept order when CFG_NO_ALL_GIFT_SPLIT is on */
    for (size_t i = 0; i < nlines; i++) {
        if (!wh[i]) continue;
        int k = group_of(g, ng, wh[i]);
        if (k != keep && g[k].gifts_only && cfg->no_all_gift_split) {
            of_logs_add(&o->logs, OF_LOG_SPLIT, "MID-SPW-04",
                        "spec %llu: gifts only on warehouse %llu, kept on the order (CFG_NO_ALL_GIFT_SPLIT)",
                        (unsigned long long)lines[i].spec_id, (unsigned long long)wh[i]);
            wh[i] = g[keep].wh;
        }
    }
    /* new orders: one per other warehouse that still has lines */
    int *split_of = calloc(ng, sizeof *split_of);
    if (!split_of) {
        rc = -1;
        goto out;
    }
    int made = 0;
    for (size_t k = 0; k < ng && !rc; k++) {
        split_of[k] = -1;
        if ((int)k == keep) continue;
        int used = 0;
        for (size_t i = 0; i < nlines && !used; i++)
            used = wh[i] == g[k].wh;
        if (!used) continue;
        int x = of_midspl_new(plan, oi, g[k].wh, o->new_status, ++made, "MID-SPW-03");
        if (x < 0) {
            rc = -1;
            break;
        }
        split_of[k] = x;
    }
    if (!rc && g[keep].wh != o->warehouse_id) {
        of_logs_add(&o->logs, OF_LOG_SPLIT, "MID-SPW-03", "订单仓库: %llu → %llu (its goods ship from there)",
                    (unsigned long long)o->warehouse_id, (unsigned long long)g[keep].wh);
        o->new_warehouse_id = g[keep].wh;
    }
    if (rc || !made) {
        free(split_of);
        goto out;
    }
    /* MID-SPW-07: the lines move (each new order's sums are its lines'), then the order-level amounts are shared */
    size_t first = plan->nsplits - (size_t)made;
    for (size_t i = 0; i < nlines; i++) {
        if (!wh[i]) continue;
        int s = split_of[group_of(g, ng, wh[i])];
        if (s >= 0) of_midspl_take(o, &lines[i], plan, s, "MID-SPW-07");
    }
    of_midspl_done(o, lines, nlines, plan, first);
    rc = made;
    free(split_of);
out:
    free(wh);
    free(g);
    of_stock_free(&taken);
    return rc;
}
