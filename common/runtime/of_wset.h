/* of_wset.h -- plan-then-write (issue 10, decision D-T10-50): a batch's rows are buffered per table while the rules
 * decide, then each table is written with one multi-row statement (of_db_exec_multi: parts of 64, 32 ... rows),
 * parents before children. A child names a parent row that is not written yet with OFP_REF(table, row); the
 * reference becomes the parent's auto-increment id when the child's table is written. Tables are described once
 * (head, row, separator, tail: the texts of of_db_register_multi_sep), so a table's columns are written in one place.
 *
 *   of_wset_t *w = of_wset_new(db, TABLES, N);       // at start-up
 *   of_wset_reset(w);                               // per round
 *   int r = of_wset_add(w, T_ORDER, row);            // strings are copied
 *   of_wset_add(w, T_LINE, (of_param_t[]){OFP_REF(T_ORDER, r), ...});
 *   of_wset_flush(w, err, size);                     // tables in index order
 *   uint64_t id = of_wset_id(w, T_ORDER, r);
 */
#ifndef OF_WSET_H
#define OF_WSET_H
#include <stddef.h>
#include <stdint.h>
#include "of_db.h"
#include "of_err.h"

typedef struct {
    const char *name; /* for errors */
    const char *head, *row, *sep, *tail;
    int ids;         /* 1: a plain INSERT whose auto-increment ids rows of later tables refer to */
    int must_affect; /* 1: every row must change one row (an UPDATE of rows this transaction holds) */
    int pad; /* 1: a row of NULLs changes nothing (an UPDATE … JOIN on a key, a DELETE … IN): the last statement
              * of a write is filled with such rows to a power-of-two size (D-RT-9, of_db_exec_multi_pad). Only for a
              * statement whose ON / WHERE starts with `key = v.col` (or `key IN (…)`) joined to the rest by AND: a
              * NULL equals nothing, so the row matches no row; never with <=>, IFNULL, IS NULL or an OR around the
              * key's test */
} of_wtable_t;

typedef struct of_wset_s of_wset_t;

/* tables is borrowed (keep it static); table i may refer only to tables before it. NULL when out of memory or the
 * statements do not fit the connection's registry. */
of_wset_t *of_wset_new(of_db_t *db, const of_wtable_t *tables, int ntables);
void of_wset_free(of_wset_t *w);
/* Forget every buffered row (a new round, or a rolled-back transaction). */
void of_wset_reset(of_wset_t *w);
/* Buffer one row of table (its row's parameter count); OFP_STR and OFP_BLOB values are copied. Returns the row's index,
 * -1 when out of memory. */
int of_wset_add(of_wset_t *w, int table, const of_param_t *row);
/* Replace parameter col (negative: counted from the row's end, -1 = its last) of row `row` of table, a row not written
 * yet; a string or blob is copied. 0; 1 when the row is written or unknown, or col is past the row; -1 out of memory.
 */
int of_wset_set(of_wset_t *w, int table, int row, int col, of_param_t v);
/* Rows buffered for table. */
size_t of_wset_rows(const of_wset_t *w, int table);
/* Write every table's rows not written yet, in index order, inside the caller's transaction. Errors: those of
 * of_db_exec (OF_ERR_DUPLICATE, OF_ERR_TRANSIENT, OF_ERR_DB), with the table's name in errstr. */
of_err_t of_wset_flush(of_wset_t *w, char *errstr, size_t errstr_size) OF_MUST_CHECK;
/* The same for the tables whose bit (1 << table) is set in `tables` only; rows of the others stay buffered for a later
 * flush, which may refer to the rows written now. Each call writes the rows added since the table's last write. */
of_err_t of_wset_flush_some(of_wset_t *w, unsigned tables, char *errstr, size_t errstr_size) OF_MUST_CHECK;
/* Write, of every table, the largest multiple of OF_DB_MULTI_MAX of its unwritten rows whose references are all
 * written: full statements only, so memory stays bounded on a large batch without a statement more. */
of_err_t of_wset_flush_full(of_wset_t *w, char *errstr, size_t errstr_size) OF_MUST_CHECK;
/* The table whose statement failed in the last flush, -1 when none did. */
int of_wset_failed(const of_wset_t *w);
/* Once its table is written: the id row `row` of an ids table got (0 when unknown). At most 32 tables. */
uint64_t of_wset_id(const of_wset_t *w, int table, int row);

#endif
