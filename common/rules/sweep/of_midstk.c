/* of_midstk.c -- MID-STK-01 and MID-SLS-01 (spec trade-rules §5; OP-83; docs/decisions.md D-MID-7, D-MID-8): the
 * reservation every line of a moved or merged order holds afterwards, the counter moves that take it there, and today's
 * sales of the lines that left pre-processing. Pure. */
#include "of_midstk.h"
#include <stdlib.h>
#include "of_array.h"
#include "of_stock.h"

static of_mid_order_t *order_of(of_mid_order_t *orders, size_t n, uint64_t trade_id) {
    for (size_t i = 0; i < n; i++)
        if (orders[i].trade_id == trade_id) return &orders[i];
    return NULL;
}

static int move(of_mid_plan_t *p, uint64_t wh, uint64_t spec, int kind, int delta, uint64_t trade_id) {
    if (of_array_grow((void **)&p->moves, &p->capmoves, p->nmoves + 1, sizeof *p->moves)) return -1;
    p->moves[p->nmoves++] =
        (of_mid_move_t){.warehouse_id = wh, .spec_id = spec, .kind = kind, .delta = delta, .trade_id = trade_id};
    return 0;
}

int of_midstk_plan(of_mid_order_t *orders, size_t n, of_mid_line_t *lines, size_t nlines, of_mid_plan_t *plan) {
    for (size_t i = 0; i < nlines; i++) {
        of_mid_line_t *l = &lines[i];
        uint64_t fwh = 0;
        int fst = 0;
        of_mid_order_t *was = order_of(orders, n, l->trade_id);
        of_mid_order_t *f = (of_mid_order_t *)of_mid_final(orders, n, l, plan, &fwh, &fst);
        if (!was || !f) continue;
        /* only lines that moved (another order, a split, another warehouse) or whose order changed state; a target
         * order's own lines keep what they hold (an audited order may hold none, D-MOD-16) */
        int moved = l->new_trade_id != l->trade_id || l->new_split >= 0;
        if (!moved && !l->qty_changed && fst == f->status && fwh == f->warehouse_id) continue;
        int kind = fwh && l->actual_num > 0 ? (int)of_stock_reservation_for_status(fst) : OF_RES_NONE;
        uint64_t wh = kind != OF_RES_NONE ? fwh : 0;
        int num = kind != OF_RES_NONE ? l->actual_num : 0;
        int held = l->held_kind != OF_RES_NONE && l->held_num != 0;
        l->changed = moved || l->qty_changed;
        if (kind == l->held_kind && wh == l->held_wh && num == l->held_num) continue;
        if (held && move(plan, l->held_wh, l->spec_id, l->held_kind, -l->held_num, f->trade_id)) return -1;
        if (kind != OF_RES_NONE && move(plan, wh, l->spec_id, kind, num, f->trade_id)) return -1;
        l->new_kind = kind;
        l->new_wh = wh;
        l->new_num = num;
        l->changed = 1;
        of_logs_add(&f->logs, OF_LOG_STOCK, "MID-STK-01", "库存: spec %llu %s %d @ warehouse %llu → %s %d @ %llu",
                    (unsigned long long)l->spec_id, held ? of_stock_counter_name(l->held_kind) : "none",
                    held ? l->held_num : 0, (unsigned long long)l->held_wh,
                    kind != OF_RES_NONE ? of_stock_counter_name(kind) : "none", num, (unsigned long long)wh);
    }
    /* MID-BIG-03: the units split off into rows of their own reserve on their new order */
    for (size_t i = 0; i < plan->npieces; i++) {
        const of_mid_piece_t *pc = &plan->pieces[i];
        const of_mid_split_t *sp = &plan->splits[pc->split];
        int kind = sp->warehouse_id ? (int)of_stock_reservation_for_status(sp->status) : OF_RES_NONE;
        if (kind != OF_RES_NONE &&
            move(plan, sp->warehouse_id, lines[pc->line].spec_id, kind, pc->num, orders[sp->from].trade_id))
            return -1;
    }
    return 0;
}

/* today's sales of (shop, warehouse, spec) += num, amount */
static int add_sale(of_mid_plan_t *plan, uint64_t shop, uint64_t wh, uint64_t spec, int num, int64_t amount) {
    of_mid_sale_t *s = NULL;
    for (size_t k = 0; k < plan->nsales && !s; k++)
        if (plan->sales[k].shop_id == shop && plan->sales[k].warehouse_id == wh && plan->sales[k].spec_id == spec)
            s = &plan->sales[k];
    if (!s) {
        if (of_array_grow((void **)&plan->sales, &plan->capsales, plan->nsales + 1, sizeof *plan->sales)) return -1;
        s = &plan->sales[plan->nsales++];
        *s = (of_mid_sale_t){.shop_id = shop, .warehouse_id = wh, .spec_id = spec};
    }
    s->num += num;
    s->amount += amount;
    return 0;
}

int of_midstk_sales(const of_mid_order_t *orders, size_t n, const of_mid_line_t *lines, size_t nlines,
                    of_mid_plan_t *plan) {
    for (size_t i = 0; i < nlines; i++) {
        const of_mid_line_t *l = &lines[i];
        uint64_t fwh = 0;
        int fst = 0;
        const of_mid_order_t *was = order_of((of_mid_order_t *)orders, n, l->trade_id);
        const of_mid_order_t *f = of_mid_final(orders, n, l, plan, &fwh, &fst);
        if (!was || !f || !was->left_pre || was->sales_counted || l->actual_num <= 0) continue;
        if (add_sale(plan, f->shop_id, fwh, l->spec_id, l->actual_num, l->share_amount)) return -1;
    }
    for (size_t i = 0; i < plan->npieces; i++) { /* MID-BIG-03's units in rows of their own */
        const of_mid_piece_t *pc = &plan->pieces[i];
        const of_mid_order_t *was = order_of((of_mid_order_t *)orders, n, lines[pc->line].trade_id);
        const of_mid_split_t *sp = &plan->splits[pc->split];
        if (!was || !was->left_pre || was->sales_counted) continue;
        if (add_sale(plan, orders[sp->from].shop_id, sp->warehouse_id, lines[pc->line].spec_id, pc->num,
                     pc->share_amount))
            return -1;
    }
    return 0;
}
