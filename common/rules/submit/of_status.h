/* of_status.h -- order values and status: SUB-AGG-01…-04, SUB-STAT-01…-09, SUB-FLAG-01…-03, SUB-WU-01/02 and
 * the reservation plan of SUB-STK-01…-06. Pure. */
#ifndef OF_STATUS_H
#define OF_STATUS_H
#include "of_sub.h"

/* SUB-STAT-01…-09 in order (s->cancelled, CFG_AUTO_EXTERNAL_WH + external warehouse on a paid trade (OP-45),
 * raw status < 20 unpaid, 20, 30 with the 13 / 19 / 27 / 20 / 16 branches and delay_to_time, anything else 5).
 * SUB-STAT-07 needs a no-tracking logistics: the chosen one, else the shop's grab logistics, else the first of
 * type no-tracking; none → no grab (OP-46). Logs and traces the status.
 * Added: SUB-STAT-07 that replaces the logistics resets post_cost and re-runs of_fee_decide / of_alias_decide
 * for the new logistics; a grab that does not happen clears s->grab. */
void of_status_decide(const of_subin_t *in, of_sub_t *s);

/* The Chinese name of a sales_trade status (§1.1), "未知状态" for an unknown code. Static string. */
const char *of_status_name(int status);

#endif
