/* of_explain.h -- why an order looks the way it does (warehouse, logistics, package, status: the rule trace stored
 * with it, its lines, merges, splits, log and the changes trade-modify applied), or why a raw trade was not submitted.
 * Text for people: `ordctl explain` prints it, the ops console shows it. */
#ifndef OF_EXPLAIN_H
#define OF_EXPLAIN_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "of_db.h"

/* A stored decision trace (JSON of of_trace_json) as `ordctl explain` prints it: one "rule key value" line each
 * ("(no trace)" when it is not a JSON array). */
void of_explain_trace(FILE *out, const char *json);
/* Writes to out the explanation of order (sales_trade.trade_id; 0 = none), of the order with trade number trade_no
 * ("" = none), and of the raw trades matching raw (api_trade.rec_id; 0 = none) or tid ("" = none; platform < 0 =
 * any): a raw trade's order is explained with it. Returns 0, 1 when something asked for is not found (out says so),
 * -1 on a database error (err). */
int of_explain_write(of_db_t *db, FILE *out, uint64_t order, const char *trade_no, uint64_t raw, const char *tid,
                     long platform, char *err, size_t errsize);

/* The console's search box: q is an order's trade number, an order id (digits) or a platform tid, tried in that
 * order; writes the first that matches (of_explain_write), or that nothing does. Same returns. */
int of_explain_search(of_db_t *db, FILE *out, const char *q, char *err, size_t errsize);

#endif
