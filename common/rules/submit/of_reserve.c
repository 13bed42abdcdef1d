/* of_reserve.c -- what a submitted order reserves: the SUB-STK-01…-06 plan. Pure. */
#include "of_reserve.h"
#include <stdio.h>
#include <string.h>
#include "of_money.h"
#include "of_time.h"

typedef unsigned long long ull;

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

int of_reserve_line(const of_sub_t *s, const of_line_t *l) {
    return s->reserve != OF_RES_NONE && s->warehouse_id && l->actual_num > 0 ? s->reserve : OF_RES_NONE;
}

int of_reserve_apply(const of_sub_t *s, of_stockview_t *v) {
    for (size_t i = 0; s->submitted && i < s->nlines; i++) {
        int kind = of_reserve_line(s, &s->lines[i]);
        if (kind != OF_RES_NONE &&
            of_stock_add(v, s->warehouse_id, s->lines[i].spec_id, (of_res_t)kind, s->lines[i].actual_num))
            return -1;
    }
    return 0;
}
