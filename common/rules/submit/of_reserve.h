/* of_reserve.h -- SUB-STK-01…-06: the reservation plan. Pure. */
#ifndef OF_RESERVE_H
#define OF_RESERVE_H
#include "of_sub.h"

/* SUB-STK-01…-06: s->reserve = of_stock_reservation_for_status(status) (none without a warehouse);
 * s->make_stockout for 55. */
void of_reserve_plan(const of_subin_t *in, of_sub_t *s);

/* SUB-CRT-02 / SUB-STK-01…-04: the counter (of_res_t) line l of a submitted decision s holds: s->reserve when the
 * order has a warehouse and the line a quantity, else OF_RES_NONE. */
int of_reserve_line(const of_sub_t *s, const of_line_t *l);
/* Count what the submitted decision s reserves into the stock view v (each line's of_reserve_line on
 * (s->warehouse_id, spec)): what a later trade of the same batch sees. -1 when out of memory. */
int of_reserve_apply(const of_sub_t *s, of_stockview_t *v);

#endif
