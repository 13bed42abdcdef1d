/* of_cost.c -- the estimated goods cost of an order (SUB-COST-01). Pure. */
#include "of_cost.h"
#include <stdio.h>
#include <string.h>
#include "of_money.h"

typedef unsigned long long ull;

void of_cost_decide(const of_subin_t *in, of_sub_t *s) {
    int64_t total = 0;
    size_t priced = 0;
    for (size_t i = 0; i < s->nlines; i++) {
        of_line_t *l = &s->lines[i];
        const of_stock_row_t *r =
            s->warehouse_id && in->stock ? of_stock_find(in->stock, s->warehouse_id, l->spec_id) : NULL;
        l->cost_price = r ? r->cost_price : 0;
        priced += r != NULL;
        total += (int64_t)l->actual_num * l->cost_price;
    }
    s->goods_cost = total;
    char t[24];
    of_trace_add(&s->trace, "SUB-COST-01", "goods_cost",
                 "%s: Σ actual_num × cost price in warehouse %llu (%zu of %zu lines have a stock row)",
                 of_money_fmt(total, t, sizeof t), (ull)s->warehouse_id, priced, s->nlines);
}
