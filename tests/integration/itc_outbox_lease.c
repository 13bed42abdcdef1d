/* itc_outbox_lease.c -- the outbox sweep (issue 10 item 8: "every instance sweeping the same unsent outbox rows")
 * against the stack's real MariaDB and Kafka: rows leased by another instance are left alone until the lease ends,
 * the rest are published and marked sent, and sent rows past their retention are pruned. Works on its own event ids
 * ("itc-lease-*") in the outbox of the main database; needs OF_CONFIG. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "of_config.h"
#include "of_db.h"
#include "itc_stack.h"
#include "of_kafka.h"
#include "of_outbox.h"

static of_config_t *cfg;
static of_db_t *db;
static of_producer_t *producer;
static of_outbox_t *ob;

static void sql(const char *q) {
    itc_sql(db, q);
}
static long long count(const char *q) {
    char err[256];
    of_rows_t *rows;
    cr_assert_eq(of_db_query(db, of_db_register(db, q), NULL, 0, &rows, err, sizeof err), OF_OK, "%s", err);
    long long n = of_rows_i64(rows, 0, 0);
    of_rows_free(rows);
    return n;
}

static void setup(void) {
    char err[256];
    itc_open(&cfg, &db);
    producer = of_producer_new(cfg, "itc-outbox", err, sizeof err);
    cr_assert_not_null(producer, "kafka: %s", err);
    ob = of_outbox_new(db, producer);
    cr_assert_not_null(ob);
    sql("DELETE FROM outbox WHERE event_id LIKE 'itc-lease-%'");
    /* ten unsent events, a minute old: rows 1-5 leased by another instance for a minute, rows 6-10 free */
    for (int i = 1; i <= 10; i++) {
        char q[512];
        snprintf(q, sizeof q,
                 "INSERT INTO outbox (event_id, topic, msg_key, payload, created_at, lease_token, lease_until) "
                 "VALUES ('itc-lease-%02d', 'order.events', 'k', 'p', NOW(3) - INTERVAL 1 MINUTE, %s, %s)",
                 i, i <= 5 ? "'other-instance:1:1'" : "NULL", i <= 5 ? "NOW(3) + INTERVAL 1 MINUTE" : "NULL");
        sql(q);
    }
}
static void teardown(void) {
    sql("DELETE FROM outbox WHERE event_id LIKE 'itc-lease-%'");
    of_outbox_destroy(ob);
    of_producer_destroy(producer);
    of_db_close(db);
    of_config_destroy(cfg);
}
TestSuite(outbox_lease, .init = setup, .fini = teardown);

Test(outbox_lease, issue10_8_a_sweep_leaves_rows_another_instance_holds) {
    /* other unsent rows of the stack's outbox may be swept too: count ours */
    of_outbox_sweep(ob, 2000, 500);
    cr_expect_eq(count("SELECT COUNT(*) FROM outbox WHERE event_id LIKE 'itc-lease-%' AND sent_at IS NOT NULL"), 5,
                 "the five free rows are published and marked sent");
    cr_expect_eq(count("SELECT COUNT(*) FROM outbox WHERE event_id LIKE 'itc-lease-%' AND sent_at IS NULL AND "
                       "lease_token = 'other-instance:1:1'"),
                 5, "the five rows of the other instance's lease are left to it");
    /* the other instance died: its lease runs out, and the next sweep takes its rows */
    sql("UPDATE outbox SET lease_until = NOW(3) - INTERVAL 1 SECOND WHERE event_id LIKE 'itc-lease-%' AND "
        "sent_at IS NULL");
    of_outbox_sweep(ob, 2000, 500);
    cr_expect_eq(count("SELECT COUNT(*) FROM outbox WHERE event_id LIKE 'itc-lease-%' AND sent_at IS NULL"), 0,
                 "after the lease ends every row is published");
}

Test(outbox_lease, issue10_8_sent_rows_past_retention_are_pruned) {
    sql("UPDATE outbox SET sent_at = NOW(3) - INTERVAL 3 HOUR WHERE event_id IN ('itc-lease-01', 'itc-lease-02')");
    sql("UPDATE outbox SET sent_at = NOW(3) - INTERVAL 1 HOUR WHERE event_id = 'itc-lease-03'");
    int n = of_outbox_prune(ob, 2, 5000);
    cr_expect_geq(n, 2);
    cr_expect_eq(count("SELECT COUNT(*) FROM outbox WHERE event_id LIKE 'itc-lease-%'"), 8,
                 "the two rows sent 3 h ago are gone with a 2 h retention; the one sent 1 h ago and the unsent stay");
}
