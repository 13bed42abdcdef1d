/* of_wiload.h -- what-if's reads (ordctl what-if, docs/decisions.md "What-if"): the raw trades of a window in
 * batches (one statement per table per batch) with what the submission reads before its rules (of_substore_lookup),
 * the stock as it was before the window's orders reserved it, and the changed configuration: a session of its own
 * whose temporary tables shadow the configuration tables, changed by the operator's SQL in a read-only session
 * (the server refuses any write to a real table) and read by the same loader as the worker's (of_catload). Nothing
 * here writes a real table. */
#ifndef OF_WILOAD_H
#define OF_WILOAD_H
#include <stddef.h>
#include <stdint.h>
#include "of_catalog.h"
#include "of_config.h"
#include "of_db.h"
#include "of_err.h"
#include "of_rawrows.h"
#include "of_stock.h"
#include "of_substore.h"
#include "of_whatif.h"

typedef struct of_wiload_s of_wiload_t;

/* The window: raw trades whose trade_time (received = 0) or arrival time created_at (received = 1) is in
 * [since, until) ("YYYY-MM-DD HH:MM:SS"; until "" = no end). */
of_wiload_t *of_wiload_new(of_db_t *db, const of_config_t *cfg, const char *since, const char *until, int received,
                           size_t batch);
void of_wiload_destroy(of_wiload_t *wl);

/* How many raw trades the window holds (progress), and the orders they made (their siblings do not count: the
 * replay makes its own). Call once before the first batch. */
of_err_t of_wiload_begin(of_wiload_t *wl, size_t *ntrades, char *errstr, size_t errstr_size) OF_MUST_CHECK;
/* Every stock_spec row, less what the window's stored orders hold (each line's stock_reserved counter on its
 * reserved warehouse): the stock the window's first trade found, as near as today's rows tell. */
of_err_t of_wiload_stock(of_wiload_t *wl, of_stockview_t *out, char *errstr, size_t errstr_size) OF_MUST_CHECK;

/* One batch: trades[0..n) in arrival order (rec_id), ready for of_whatif_decide; meta[i] their api_trade columns. */
typedef struct {
    size_t n;
    of_wi_trade_t *trades;
    of_rawmeta_t *meta;
} of_wibatch_t;
/* The next batch (n = 0 at the end). The batch is valid until the next call or of_wiload_destroy. */
of_err_t of_wiload_next(of_wiload_t *wl, of_wibatch_t *out, char *errstr, size_t errstr_size) OF_MUST_CHECK;

/* What the stored orders of trades hold, for the drift count: decisions from sales_trade (trade_id = meta.deliver),
 * stops from api_trade. One statement. d[i] for trades[i]; stored[i] = 0 when nothing was decided yet. */
of_err_t of_wiload_stored(of_wiload_t *wl, const of_wibatch_t *b, of_wi_dec_t *d, int *stored, char *errstr,
                          size_t errstr_size) OF_MUST_CHECK;

/* --sql: on db2 (a connection of its own, to the same database, closed by the caller afterwards: its temporary tables
 * go with it), shadow every configuration table the catalogue loader reads by a temporary copy (CREATE TEMPORARY
 * TABLE ... LIKE, INSERT ... SELECT), make the session read-only, then run sql's statements (INSERT, UPDATE, DELETE,
 * REPLACE only; anything else is refused before it runs). *failed_stmt = the 1-based statement that failed (0 none).
 * OF_ERR_CONFIG: a refused statement, or a write outside the configuration tables (the server's error 1792). */
of_err_t of_wiload_changes(of_db_t *db2, const char *sql, int *failed_stmt, char *errstr,
                           size_t errstr_size) OF_MUST_CHECK;

#endif
