/* of_tstatus.h -- names of the system orders' statuses (sales_trade.trade_status, trade-rules §1.1): ordctl explain
 * and summary, the ops console. Pure. */
#ifndef OF_TSTATUS_H
#define OF_TSTATUS_H

/* "awaiting audit" for 30 …; "?" for a code with no name. */
const char *of_tstatus_name(int status);

#endif
