/* of_midbig.h -- big items (spec trade-rules §5, MID-BIG-01…-04; OP-81; docs/decisions.md D-MID-16): an order that
 * entered awaiting audit or pre-order with independent big items (large_type 2) and more than one unit ships each
 * unit of them in an order of its own; normal big items (large_type 1) are counted but stay. Pure. */
#ifndef OF_MIDBIG_H
#define OF_MIDBIG_H
#include "of_mid.h"

/* D-MID-16: the shop allows split and merge (SHOP.split_merge) and the order is not sealed. */
int of_midbig_gate(const of_mid_order_t *o);
/* MID-BIG-01…-04 for orders[i] and each order MID-SPW split off it in this plan: new orders in plan->splits (rule
 * MID-BIG-03), one unit each — the line row itself for the first unit when no unit stays, new rows (plan->pieces) for
 * the others — the rows that keep fewer units marked qty_changed, every amount shared out per unit to the unit
 * (1/10000) and the order-level amounts by goods amount. Returns the number of new orders, -1 when out of memory. */
int of_midbig_split(of_mid_order_t *orders, size_t i, of_mid_line_t *lines, size_t nlines, const of_mid_cfg_t *cfg,
                    of_mid_plan_t *plan);

#endif
