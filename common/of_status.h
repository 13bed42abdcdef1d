/* of_status.h -- order values and status: SUB-AGG-01…-04, SUB-STAT-01…-09, SUB-FLAG-01…-03, SUB-WU-01/02 and
 * the reservation plan of SUB-STK-01…-06. Pure. */
#ifndef OF_STATUS_H
#define OF_STATUS_H
#include "of_sub.h"

/* SUB-AGG-03 first (OP-41): every line refunded (refund_status > 2) → refund FULL and s->cancelled; only
 * applications (some = 2, none > 2) → APPLIED; some refund activity → PARTIAL. Then SUB-AGG-01 over lines with
 * refund_status < 5 and actual_num > 0 (OP-40 formulas) and SUB-AGG-04; no such line and not cancelled →
 * bad_reason 8, stop (SUB-AGG-02). Returns 1 when stopped. */
int of_aggregate(const of_subin_t *in, of_sub_t *s);

/* SUB-STAT-01…-09 in order (s->cancelled, CFG_AUTO_EXTERNAL_WH + external warehouse on a paid trade (OP-45),
 * raw status < 20 unpaid, 20, 30 with the 13 / 19 / 27 / 20 / 16 branches and delay_to_time, anything else 5).
 * SUB-STAT-07 needs a no-tracking logistics: the chosen one, else the shop's grab logistics, else the first of
 * type no-tracking; none → no grab (OP-46). Logs and traces the status.
 * Added: SUB-STAT-07 that replaces the logistics resets post_cost and re-runs of_fee_decide / of_alias_decide
 * for the new logistics; a grab that does not happen clears s->grab. */
void of_status_decide(const of_subin_t *in, of_sub_t *s);

/* SUB-FLAG-01…-03 and SUB-WU-01/02 over in->siblings (literal bounds, §1.16): sibling updates into s->sib,
 * own unmerge_mask, own wait-unpaid (status 15, delay_to_time, log "等未付"; a grab order that waits clears
 * s->grab, OP-49). Returns 0, or -1 when out of memory (a sibling update could not be recorded). */
int of_flags_decide(const of_subin_t *in, of_sub_t *s);

/* SUB-STK-01…-06: s->reserve = of_stock_reservation_for_status(status) (none without a warehouse);
 * s->make_stockout for 55. */
void of_reserve_plan(const of_subin_t *in, of_sub_t *s);

/* The Chinese name of a sales_trade status (§1.1), "未知状态" for an unknown code. Static string. */
const char *of_status_name(int status);

#endif
