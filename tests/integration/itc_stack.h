/* itc_stack.h -- what every Criterion test against the local stack starts with: the configuration of OF_CONFIG
 * (scripts/test.sh sets it) and a connection to its MariaDB. Fails the test with the reason otherwise. */
#ifndef ITC_STACK_H
#define ITC_STACK_H
#include <criterion/criterion.h>
#include "of_config.h"
#include "of_db.h"

static inline void itc_open(of_config_t **cfg, of_db_t **db) {
    char err[256];
    *cfg = of_config_load(NULL, err, sizeof err);
    cr_assert_not_null(*cfg, "config: %s (run through scripts/test.sh)", err);
    *db = of_db_connect(*cfg, NULL, err, sizeof err);
    cr_assert_not_null(*db, "mysql: %s", err);
}

static inline void itc_sql(of_db_t *db, const char *q) {
    char err[256];
    cr_assert_eq(of_db_plain(db, q, err, sizeof err), OF_OK, "%s: %s", q, err);
}

#endif
