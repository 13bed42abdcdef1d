/* of_aggregate.h -- SUB-AGG-01…-04: order values of a submitted raw trade. Pure. */
#ifndef OF_AGGREGATE_H
#define OF_AGGREGATE_H
#include "of_sub.h"

/* SUB-AGG-03 first (OP-41): every line refunded (refund_status > 2) → refund FULL and s->cancelled; only
 * applications (some = 2, none > 2) → APPLIED; some refund activity → PARTIAL. Then SUB-AGG-01 over lines with
 * refund_status < 5 and actual_num > 0 (OP-40 formulas) and SUB-AGG-04; no such line and not cancelled →
 * bad_reason 8, stop (SUB-AGG-02). Returns 1 when stopped. */
int of_aggregate(const of_subin_t *in, of_sub_t *s);

#endif
