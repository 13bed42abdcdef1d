/* of_midstk.h -- stock and sales after pre-processing (spec trade-rules §5, MID-STK-01, MID-SLS-01; OP-83): the
 * reservation each line of a moved or merged order holds afterwards, the counter moves that take it there, and the
 * lines that leave pre-processing counted once in today's sales. Pure. */
#ifndef OF_MIDSTK_H
#define OF_MIDSTK_H
#include "of_mid.h"

/* MID-STK-01 for every line of an order that changed: the reservation of its final order (of_stock_reservation_for_
 * status of the new status, on the order's warehouse, actual_num; none without warehouse or goods), and the moves
 * from what it holds. -1 when out of memory. */
int of_midstk_plan(of_mid_order_t *orders, size_t n, of_mid_line_t *lines, size_t nlines, of_mid_plan_t *plan);
/* MID-SLS-01 (proposed: once, when the order leaves pre-processing): the lines of orders with left_pre, added per
 * (shop, warehouse, spec) of the order holding them. -1 when out of memory. */
int of_midstk_sales(const of_mid_order_t *orders, size_t n, const of_mid_line_t *lines, size_t nlines,
                    of_mid_plan_t *plan);

#endif
