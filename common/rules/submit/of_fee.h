/* of_fee.h -- SUB-FEE-01: the logistics fee. Pure. */
#ifndef OF_FEE_H
#define OF_FEE_H
#include "of_sub.h"

/* SUB-FEE-01 bracket fee of one fee row for weight (×1e4 kg): first_fee, plus step_fee per step of the weight
 * above first_weight, steps rounded by round_mode (1 up, 2 half-up, 3 pro rata, 4 down). Pro rata rounds the fee
 * half-up to 0.0001; an unknown mode rounds up (the column default 1); step_weight ≤ 0 → first_fee only. */
int64_t of_fee_calc(const of_logi_fee_t *f, int64_t weight);
/* SUB-FEE-01: the most specific fee row (city > province > any) of the logistics whose bracket holds the order
 * weight; none → post_cost unchanged. Bracket (weight_from, weight_to]; weight_from 0 includes 0; weight_to 0 =
 * unbounded. Equal specificity → the first row in catalogue order. */
void of_fee_decide(const of_subin_t *in, of_sub_t *s);

#endif
