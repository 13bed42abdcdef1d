/* of_logistics.h -- I_DL_DECIDE_LOGISTICS (SUB-LOGI-01…-05), I_DL_DECIDE_LOGISTICS_FEE (SUB-FEE-01),
 * I_DL_DECIDE_AREA_ALIAS (SUB-ALIAS-01) and the estimated cost (SUB-COST-01). Pure. */
#ifndef OF_LOGISTICS_H
#define OF_LOGISTICS_H
#include "of_sub.h"

/* Whether logistics reaches (province, city, district): the most specific cfg_logistics_area row decides,
 * no row → reachable. */
int of_logi_reaches(const of_catalog_t *cat, uint64_t logistics_id, const char *p, const char *c, const char *d);

/* SUB-LOGI-01…-05: skipped when a logistics is already chosen (remark SUB-CFG-02, SUB-WH-10); COD orders
 * (delivery_term ≠ 1): by warehouse / by shop per CFG_COD_LOGI_MODE, then CFG_COD_LOGISTICS_ID, then the first
 * COD-capable logistics; others: the shop's designated logistics, the strategy shop > warehouse > global
 * (unreachable skipped, CFG_LOGI_BY_WEIGHT by weight) checked against CFG_DEFAULT_LOGISTICS_TYPE, then
 * (CFG_NO_DEFAULT_LOGI and custom type → none) the first logistics of the designated type. Sets logistics_id,
 * logistics_by and traces. Decided readings: s->cs.logistics_id with no logistics yet is taken as the remark choice
 * (OF_LB_REMARK); a COD logistics id unknown to the catalogue (disabled) is skipped; the shop's designated
 * logistics is the highest-priority one that reaches the receiver; a strategy row of another type than
 * CFG_DEFAULT_LOGISTICS_TYPE is skipped like an unreachable one; strategy rows with shop / warehouse 0 apply to
 * every shop / warehouse of their scope. */
void of_logistics_decide(const of_subin_t *in, of_sub_t *s);

/* SUB-FEE-01 bracket fee of one fee row for weight (×1e4 kg): first_fee, plus step_fee per step of the weight
 * above first_weight, steps rounded by round_mode (1 up, 2 half-up, 3 pro rata, 4 down). Pro rata rounds the fee
 * half-up to 0.0001; an unknown mode rounds up (the column default 1); step_weight ≤ 0 → first_fee only. */
int64_t of_fee_calc(const of_logi_fee_t *f, int64_t weight);
/* SUB-FEE-01: the most specific fee row (city > province > any) of the logistics whose bracket holds the order
 * weight; none → post_cost unchanged. Bracket (weight_from, weight_to]; weight_from 0 includes 0; weight_to 0 =
 * unbounded. Equal specificity → the first row in catalogue order. */
void of_fee_decide(const of_subin_t *in, of_sub_t *s);
/* SUB-ALIAS-01: the most specific alias row for the logistics (then logistics 0); none → city + district. */
void of_alias_decide(const of_subin_t *in, of_sub_t *s);
/* SUB-COST-01: goods_cost = Σ actual_num × cost price of the spec in the chosen warehouse (line cost_price). */
void of_cost_decide(const of_subin_t *in, of_sub_t *s);

#endif
