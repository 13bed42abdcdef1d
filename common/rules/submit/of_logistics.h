/* of_logistics.h -- I_DL_DECIDE_LOGISTICS (SUB-LOGI-01…-05), I_DL_DECIDE_LOGISTICS_FEE (SUB-FEE-01),
 * I_DL_DECIDE_AREA_ALIAS (SUB-ALIAS-01) and the estimated cost (SUB-COST-01). Pure. */
#ifndef OF_LOGISTICS_H
#define OF_LOGISTICS_H
#include "of_sub.h"

/* Whether logistics reaches (province, city, district): the most specific cfg_logistics_area row decides,
 * no row → reachable. */
int of_logistics_reaches(const of_catalog_t *cat, uint64_t logistics_id, const char *p, const char *c, const char *d);

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

#endif
