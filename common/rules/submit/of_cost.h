/* of_cost.h -- SUB-COST-01: the estimated goods cost. Pure. */
#ifndef OF_COST_H
#define OF_COST_H
#include "of_sub.h"

/* SUB-COST-01: goods_cost = Σ actual_num × cost price of the spec in the chosen warehouse (line cost_price). */
void of_cost_decide(const of_subin_t *in, of_sub_t *s);

#endif
