/* of_catload.h -- INIT-01: load the submission configuration (settings, catalogue, strategies) from MySQL into an
 * immutable catalogue snapshot (of_catalog.h), and refresh it table by table when a table changes (docs/architecture.md
 * "Submission", docs/decisions.md D-T10-30..). */
#ifndef OF_CATLOAD_H
#define OF_CATLOAD_H
#include <stddef.h>
#include <stdint.h>
#include "of_catalog.h"
#include "of_db.h"
#include "of_err.h"

typedef struct of_catload_s of_catload_t;

/* What a load or refresh read. */
typedef struct {
    char tables[640]; /* the tables whose fingerprint changed, comma-separated ("" none) */
    int ntables;      /* their number */
    int incremental;  /* 1: api_goods_spec was read back incrementally (its changed rows only), not in full */
    size_t rows;      /* rows read */
    int64_t ms;       /* time taken */
} of_catload_stats_t;

/* The tables a load reads (cfg_setting first), at most max names; returns their number (what-if shadows them). */
size_t of_catload_tables(char names[][64], size_t max);

/* A cfg_setting row key = value applied to *s as a load would, when the submission's rules read that key (0); -1
 * (s unchanged) for a key they do not read (MOD / MID switches, unknown keys). */
int of_catload_sub_setting(of_settings_t *s, const char *key, const char *value);

/* Registers the statements on db. NULL when out of memory. */
of_catload_t *of_catload_new(of_db_t *db);
void of_catload_destroy(of_catload_t *cl);

/* Every table into a new snapshot (one reference, the caller's), with the tables' fingerprints (row count and
 * last modification of each) read in the same consistent read (a read-only transaction of its own: never call it
 * inside an open transaction). Errors: OF_ERR_TRANSIENT (retry), OF_ERR_DB, OF_ERR_NOMEM. */
of_err_t of_catload_load(of_catload_t *cl, of_cat_snap_t **out, of_catload_stats_t *st, char *errstr,
                         size_t errstr_size) OF_MUST_CHECK;

/* Read the fingerprints again (one query); *out = NULL when no table changed since the last load or refresh, else
 * a new snapshot (one reference) in which only the changed tables are read again and every other table is shared
 * with cur (cur NULL: a full load). A change of api_goods_spec (the worker's own INIT-04 inserts change it) reads
 * back only the rows modified since the previous read, merged over cur's (which already holds the rows this worker
 * committed); when the keys then differ in number from the table's rows (a row deleted, an insert missed) the table
 * is read in full. Same consistent read and errors as of_catload_load. */
of_err_t of_catload_refresh(of_catload_t *cl, const of_cat_snap_t *cur, of_cat_snap_t **out, of_catload_stats_t *st,
                            char *errstr, size_t errstr_size) OF_MUST_CHECK;

#endif
