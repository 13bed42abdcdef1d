/* of_midspl.h -- split by warehouse (spec trade-rules §5, MID-SPW-01…-07; OP-80; docs/decisions.md D-MID-13…): each
 * line of an order that entered awaiting audit or pre-order goes to the warehouse its goods are designated to — one
 * with enough stock first, then the highest priority — and every other warehouse gets a new order with those lines,
 * the money shared out exactly. Pure. */
#ifndef OF_MIDSPL_H
#define OF_MIDSPL_H
#include "of_mid.h"

/* MID-SPW-01: CFG_SPLIT_BY_WH on, the shop splits and merges, not split before, pay before shipment. */
int of_midspl_gate(const of_mid_order_t *o, const of_mid_cfg_t *cfg);
/* MID-SPW-02/03 for one line of order o: the warehouse it ships from (o's warehouse when its goods have no
 * designation in o's shop). taken: units this plan already placed per (warehouse, spec), counted against the stock.
 * why: the reason, for the log. */
uint64_t of_midspl_warehouse(const of_mid_order_t *o, const of_mid_line_t *l, const of_mid_cfg_t *cfg,
                             const of_stockview_t *taken, const char **why);
/* MID-SPW-01…-07 for order o (orders[i]): lines moved to new orders in plan->splits (line new_split), the sums shared
 * out (each field's total unchanged), o->split set. Returns the number of new orders, -1 when out of memory. */
int of_midspl_split(of_mid_order_t *orders, size_t i, of_mid_line_t *lines, size_t nlines, const of_mid_cfg_t *cfg,
                    of_mid_plan_t *plan);

/* Units of line l's spec free on warehouse wh: SUB-WH-07's X, plus what l itself holds there, minus what taken (this
 * plan's placements) holds there. */
int64_t of_midspl_available(const of_mid_line_t *l, uint64_t wh, const of_mid_cfg_t *cfg, const of_stockview_t *taken);
/* Line l of order o moves to the new order plan->splits[s]: its sums follow, o's log says so under rule. */
void of_midspl_take(of_mid_order_t *o, of_mid_line_t *l, of_mid_plan_t *plan, int s, const char *rule);
/* After lines were taken into plan->splits[first..nsplits): o keeps the rest, the order-level amounts are shared
 * (of_midspl_share), each new order's goods kinds counted, o marked split. */
void of_midspl_done(of_mid_order_t *o, const of_mid_line_t *lines, size_t nlines, of_mid_plan_t *plan, size_t first);
/* A new order split off orders[from] (its index in plan->splits; -1 when out of memory). */
int of_midspl_new(of_mid_plan_t *plan, size_t from, uint64_t warehouse_id, int status, int k, const char *rule);
/* The new orders out[0..n) hold their lines' goods amount, postage, paid, discount, commission, weight, volume and
 * count; keep holds the totals before the split. Afterwards keep holds the rest, and the order-level amounts
 * (receivable, PBS, COD, cost) are shared out by goods amount (OP-27 rounding, keep last): every total unchanged.
 * At most 64 new orders. */
void of_midspl_share(of_mid_sums_t *keep, of_mid_split_t *out, size_t n);

#endif
