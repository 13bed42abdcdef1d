/* itc_ledger.c -- retention of the processed-event ledger (issue 10 item 8: "processed_event never pruned") against
 * the stack's real MariaDB: rows older than the retention go, younger ones stay. Own consumer name; needs OF_CONFIG. */
#include <criterion/criterion.h>
#include <stdio.h>
#include "of_config.h"
#include "of_db.h"
#include "itc_stack.h"
#include "of_ledger.h"

static of_config_t *cfg;
static of_db_t *db;

static void sql(const char *q) {
    itc_sql(db, q);
}

static void setup(void) {
    itc_open(&cfg, &db);
    sql("DELETE FROM processed_event WHERE consumer = 'itc-ledger'");
}
static void teardown(void) {
    sql("DELETE FROM processed_event WHERE consumer = 'itc-ledger'");
    of_db_close(db);
    of_config_destroy(cfg);
}
TestSuite(ledger, .init = setup, .fini = teardown);

Test(ledger, issue10_8_rows_past_retention_are_pruned) {
    sql("INSERT INTO processed_event (consumer, event_id, processed_at) VALUES ('itc-ledger', 'old-1', NOW(3) - "
        "INTERVAL 30 DAY), ('itc-ledger', 'old-2', NOW(3) - INTERVAL 15 DAY), ('itc-ledger', 'new-1', NOW(3) - "
        "INTERVAL 13 DAY), ('itc-ledger', 'new-2', NOW(3))");
    int n = of_ledger_prune(db, 14 * 24, 5000);
    cr_expect_geq(n, 2);
    char err[256];
    of_rows_t *rows;
    cr_assert_eq(of_db_query(db,
                             of_db_register(db, "SELECT GROUP_CONCAT(event_id ORDER BY event_id) FROM processed_event "
                                                "WHERE consumer = 'itc-ledger'"),
                             NULL, 0, &rows, err, sizeof err),
                 OF_OK, "%s", err);
    cr_expect_str_eq(of_rows_str(rows, 0, 0), "new-1,new-2", "14-day retention: the 15- and 30-day-old rows are gone");
    of_rows_free(rows);
}
