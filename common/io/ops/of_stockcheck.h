/* of_stockcheck.h -- the stock check (trade-rules §1.17, SUB-STK-01…-06): every unpay_num / order_num /
 * subscribe_num of stock_spec equals the sum over the open orders' lines in the statuses that reserve it, and every
 * line's recorded reservation agrees with its order. `ordctl stock-check` and the ops console. */
#ifndef OF_STOCKCHECK_H
#define OF_STOCKCHECK_H
#include <stddef.h>
#include <stdio.h>
#include "of_db.h"

/* Runs the check in one consistent snapshot and writes to out what was checked, each drift (DRIFT / LINE-DRIFT
 * lines) and the verdict ("stock check OK: …" or "stock check FAILED: …"). Returns 0 when nothing drifts, 1 when
 * something does, -1 on a database error (err). */
int of_stockcheck_run(of_db_t *db, FILE *out, char *err, size_t errsize);

#endif
