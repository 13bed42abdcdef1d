/* of_preorder.h -- SUB-CFG-01/02/03/04/05/06 (shop strategies, remark extraction, pre-order and grab decisions)
 * and SUB-PRE-01 (insufficient-stock pre-order). Pure. */
#ifndef OF_PREORDER_H
#define OF_PREORDER_H
#include "of_sub.h"

/* SUB-CFG-05: does keyword strategy k match a line of these platform names? Only a goods keyword → substring of the
 * goods name; only a spec keyword → substring of the spec name; both → both; neither set matches nothing. */
int of_preorder_kw_matches(const of_preorder_kw_t *k, const char *goods_name, const char *spec_name);

/* SUB-CFG-01…-06 in order: read SHOP.preorder / SHOP.grab and the switches; CS-remark extraction when
 * CFG_REMARK_EXTRACT (into s->cs); SHOP.preorder or a CS-remark pre-order → is_preorder (SUB-CFG-03, preorder_by,
 * log); client-remark extraction when CFG_CLIENT_REMARK_EXTRACT (into s->client); keyword pre-order over the lines
 * with actual_num > 0 (SUB-CFG-05, OP-31); grab (SUB-CFG-06). Traces each decision. Resets s->cs, s->client,
 * s->is_preorder, s->preorder_by and s->grab first; reads s->lines (after SUB-MAP). A conversion sets
 * s->preorder_by to the converting rule and writes an OF_LOG_STATUS order log line. */
void of_preorder_decide(const of_subin_t *in, of_sub_t *s);

/* SUB-PRE-01: raw status 30, CFG_PREORDER and CFG_PREORDER_STOCKOUT on, not yet a pre-order, no grab, not (auto
 * external warehouse and the warehouse is external), a warehouse chosen: a line whose stock by
 * CFG_PREORDER_STOCK_CALC (1 sys_stock of SUB-WH-07, 2 stock − sending, 3 stock; S = external stock for an
 * external warehouse) is lower than its actual_num converts the trade (OP-44); logs it. */
void of_preorder_stock(const of_subin_t *in, of_sub_t *s);

#endif
