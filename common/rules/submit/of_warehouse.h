/* of_warehouse.h -- I_DL_DECIDE_WAREHOUSE (SUB-WH-01…-13). Pure over the catalogue and the stock view. */
#ifndef OF_WAREHOUSE_H
#define OF_WAREHOUSE_H
#include "of_sub.h"

/* SUB-WH-07 for one candidate: Σ over lines with actual_num > 0 of real × unit price (share_price), ≤ 0.
 * *sufficientp = every line has real = 0. When tr is not NULL, traces the candidate with its per-line X,
 * sys_stock and real. */
int64_t of_warehouse_shortage(const of_subin_t *in, const of_sub_t *s, uint64_t warehouse_id, int *sufficientp,
                              of_trace_t *tr);

/* SUB-WH-01…-13 in order: raw warehouse number (SUB-WH-01, OP-32); goods-designated candidates (SUB-WH-02,
 * OP-33); shop-designated warehouses (SUB-WH-03…-05); choice among several by stock tiers and the
 * minimum-shortage amount (SUB-WH-06/07, ties → higher priority) when CFG_CHECK_STOCK, else by priority
 * (SUB-WH-08, OP-35); the prompt warehouse (SUB-WH-09); E速宝 logistics of the address mode (SUB-WH-10,
 * logistics_by = OF_LB_WH_ADDRESS); no warehouse for a non-极速达 order → bad_reason 4, stop (SUB-WH-11);
 * the CS-remark warehouse, then the client-remark one, win (SUB-WH-12, OP-38); grab feasibility (SUB-WH-13,
 * OP-39). Sets s->warehouse_id, s->warehouse_rule, s->wh_address_mode and traces the candidates.
 * Order: SUB-WH-01…-09, then SUB-WH-12 (the remark warehouse is a valid selection), SUB-WH-10 (only when the final
 * warehouse is the one chosen by warehouse address), SUB-WH-11 on the final warehouse, SUB-WH-13.
 * 极速达 order = its goods designations in this shop are in mode 指定仓库地址 (s->wh_address_mode); such an order
 * without a warehouse is not stopped (status 13, SUB-STAT-05). warehouse_rule = the rule that decided: SUB-WH-01,
 * -02/-03/-04/-05 (single candidate), -06 (stock tiers), -08 (CFG_CHECK_STOCK off: priority), -12 (remark).
 * Reads s->lines, s->wms_type, s->cs, s->client, s->grab. Returns 1 when the submission stops, 0 when not, -1 when out
 * of memory. */
int of_warehouse_decide(const of_subin_t *in, of_sub_t *s);

#endif
