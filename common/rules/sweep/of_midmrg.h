/* of_midmrg.h -- auto-merge (spec trade-rules §5, MID-MRG-01…-05, MID-UMF-01; OP-77, OP-78, OP-79): which of a
 * customer's orders may merge, into which one, and what the merged order adds up to. Pure. */
#ifndef OF_MIDMRG_H
#define OF_MIDMRG_H
#include "of_mid.h"

/* MID-MRG-01 (OP-77): the shop allows split and merge, pay before shipment, not sealed. */
int of_midmrg_gate(const of_mid_order_t *o);
/* The merge conditions between two orders (MID-MRG-02 / -03, OP-79, D-MID-4): same shop and receiver, both pass
 * MID-MRG-01, neither frozen, blocked, split or an independent big item; different warehouses only when
 * CFG_WH_CHANGE_PROMPT is off or neither warehouse is locked (OP-78). NULL when they may merge, else why not. */
const char *of_midmrg_why_not(const of_mid_order_t *a, const of_mid_order_t *b, const of_mid_cfg_t *cfg);
/* Merge `from` into `into` (rule MID-MRG-02 or MID-MRG-03): sums added, lines moved, tids joined, logs on both.
 * -1 when the joined tids would not fit sales_trade.src_tids (nothing changed; the caller leaves the orders apart). */
int of_midmrg_into(of_mid_order_t *into, of_mid_order_t *from, of_mid_line_t *lines, size_t nlines, const char *rule);
/* SUB-AGG-04 over the lines an order holds after the plan (trade_id, and split: -1 its own, else the new order
 * plan->splits[split]): distinct specs with goods left (*kinds), the spec_no when there is one, the OR of their gift
 * types (gift_mask may be NULL). */
void of_midmrg_kinds(const of_mid_line_t *lines, size_t nlines, uint64_t trade_id, int split, int *kinds, char *single,
                     size_t size, uint32_t *gift_mask);
/* After merges and splits: goods_type_count and single_spec_no of an order that took others in or gave lines away,
 * over its lines (and its gift_mask when lines left it). */
void of_midmrg_counts(of_mid_order_t *o, const of_mid_line_t *lines, size_t nlines);

#endif
