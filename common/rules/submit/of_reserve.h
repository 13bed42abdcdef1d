/* of_reserve.h -- SUB-STK-01…-06: the reservation plan. Pure. */
#ifndef OF_RESERVE_H
#define OF_RESERVE_H
#include "of_sub.h"

/* SUB-STK-01…-06: s->reserve = of_stock_reservation_for_status(status) (none without a warehouse);
 * s->make_stockout for 55. */
void of_reserve_plan(const of_subin_t *in, of_sub_t *s);

#endif
