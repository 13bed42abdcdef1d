/* of_migrate.h -- numbered SQL migrations per database, recorded in schema_migrations. */
#ifndef OF_MIGRATE_H
#define OF_MIGRATE_H
#include <stddef.h>
#include "of_db.h"
#include "of_err.h"

/* Apply, in file-name order, every dir/NNN_*.sql not yet recorded in db's schema_migrations
 * (created if missing). Each file runs as one multi-statement batch and is then recorded with its
 * SHA-256; an applied file whose content changed is an error (write a new migration instead).
 * Prints one line per file to stdout. *appliedp = files applied now. Running it twice changes nothing. */
of_err_t of_migrate_dir(of_db_t *db, const char *dir, int dry_run, int *appliedp, char *errstr,
                        size_t errstr_size) OF_MUST_CHECK;
/* The schema folder: OF_SCHEMA_DIR, else the source tree's schema/, else the install location. */
const char *of_migrate_schema_dir(const of_config_t *cfg);

#endif
