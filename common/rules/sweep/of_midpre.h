/* of_midpre.h -- pre-order split to audit (spec trade-rules §5, MID-PRE-01; OP-82; docs/decisions.md D-MID-22): with
 * CFG_SPLIT_PREORDER on, a pre-order made for short stock (SUB-PRE-01) or by a goods keyword (SUB-CFG-05) sends what
 * can ship now to audit: every line ready → the whole order; some → those lines in a new order in awaiting audit,
 * the rest stays a pre-order. A pre-order the shop or the CS remark asked for (SUB-CFG-03) stays whole. Pure. */
#ifndef OF_MIDPRE_H
#define OF_MIDPRE_H
#include "of_mid.h"

/* MID-PRE-01's prerequisite: the switch is on, the order enters pre-order (25) and was made one by SUB-PRE-01 or
 * SUB-CFG-05. */
int of_midpre_gate(const of_mid_order_t *o, const of_mid_cfg_t *cfg);
/* Is line l of order o ready for audit? SUB-PRE-01: its units are free on warehouse wh (of_midspl_available, what
 * taken holds counted); SUB-CFG-05: no keyword strategy of o's shop (or of every shop) matches it. */
int of_midpre_ready(const of_mid_order_t *o, const of_mid_line_t *l, uint64_t wh, const of_mid_cfg_t *cfg,
                    const of_stockview_t *taken);
/* MID-PRE-01 for orders[i] (after MID-SPW and MID-BIG): its own lines by readiness (a bound group is ready when
 * all its lines are; CFG_NO_ALL_GIFT_SPLIT keeps gifts from making an order alone), and the pre-orders split off it
 * in this plan whole (no MID-BIG pieces). Returns the number of new orders, -1 when out of memory. */
int of_midpre_split(of_mid_order_t *orders, size_t i, of_mid_line_t *lines, size_t nlines, const of_mid_cfg_t *cfg,
                    of_mid_plan_t *plan);

#endif
