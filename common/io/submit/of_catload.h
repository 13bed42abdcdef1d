/* of_catload.h -- INIT-01: load the submission configuration (settings, catalogue, strategies) from MySQL into an
 * of_catalog_t, and tell when it changed so the worker reloads it (docs/architecture.md "configuration cache"). */
#ifndef OF_CATLOAD_H
#define OF_CATLOAD_H
#include <stddef.h>
#include "of_catalog.h"
#include "of_db.h"
#include "of_err.h"

typedef struct of_catload_s of_catload_t;

/* Registers the statements on db. NULL when out of memory. */
of_catload_t *of_catload_new(of_db_t *db);
void of_catload_destroy(of_catload_t *cl);

/* Load everything into *cat (cleared first; indexed). Errors: OF_ERR_TRANSIENT (retry), OF_ERR_DB. */
of_err_t of_catload_load(of_catload_t *cl, of_catalog_t *cat, char *errstr, size_t errstr_size) OF_MUST_CHECK;

/* The fingerprint of the configuration tables (row counts and last modification of each); a change means
 * "reload". buf >= 512 bytes. */
of_err_t of_catload_fingerprint(of_catload_t *cl, char *buf, size_t size, char *errstr,
                                size_t errstr_size) OF_MUST_CHECK;

#endif
