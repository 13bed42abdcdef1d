/* itc_wset.c -- the plan-then-write writer (of_wset, decision D-T10-50) against the stack's real MariaDB: a child row
 * refers to a parent row not written yet and gets its auto-increment id, ids follow the rows across parts of a
 * multi-row statement (more than 64 rows), strings are the writer's own copies, an update of rows the transaction
 * holds must change each of them, the failing table is named, and a connection limited to one row per statement
 * (the benchmark's first ceiling) writes the same rows; the submission's sibling update (a multi-row UPDATE … JOIN)
 * gives a sibling moved to wait-unpaid its new delay (D-T10-52); a parameter set after its row was buffered is the one
 * written (D-T10-71). Needs OF_CONFIG. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "itc_stack.h"
#include "of_config.h"
#include "of_db.h"
#include "of_sub.h"
#include "of_substore.h"
#include "of_wset.h"

enum { T_PARENT, T_CHILD, T_TOUCH, T_TOUCH_PAD, T_DROP_PAD, T__N };
static const of_wtable_t TABLES[T__N] = {
    [T_PARENT] = {"itc_parent", "INSERT INTO itc_parent (name) VALUES ", "(?)", NULL, NULL, 1, 0, 0},
    [T_CHILD] = {"itc_child", "INSERT INTO itc_child (parent_id, name) VALUES ", "(?, ?)", NULL, NULL, 0, 0, 0},
    [T_TOUCH] = {"itc_parent (touch)", "UPDATE itc_parent p JOIN (", "SELECT ? AS id, ? AS n", " UNION ALL ",
                 ") v ON p.id = v.id SET p.touched = v.n", 0, 1, 0},
    /* D-RT-9: the same with its last statement filled with rows of NULLs, and a DELETE … IN (…) */
    [T_TOUCH_PAD] = {"itc_parent (touch, padded)", "UPDATE itc_parent p JOIN (", "SELECT ? AS id, ? AS n",
                     " UNION ALL ", ") v ON p.id = v.id SET p.touched = v.n", 0, 1, 1},
    [T_DROP_PAD] = {"itc_child (drop, padded)", "DELETE FROM itc_child WHERE parent_id IN (", "?", ", ", ")", 0, 0, 1},
};

static of_config_t *cfg;
static of_db_t *db;
static of_wset_t *w;

static void setup(void) {
    itc_open(&cfg, &db);
    itc_sql(db, "CREATE TEMPORARY TABLE itc_parent (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, name "
                "VARCHAR(32) NOT NULL, touched INT NOT NULL DEFAULT 0)");
    itc_sql(db, "CREATE TEMPORARY TABLE itc_child (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, parent_id "
                "BIGINT UNSIGNED NOT NULL, name VARCHAR(32) NOT NULL)");
    w = of_wset_new(db, TABLES, T__N);
    cr_assert_not_null(w);
}
static void teardown(void) {
    of_wset_free(w);
    of_db_close(db);
    of_config_destroy(cfg);
}
TestSuite(wset, .init = setup, .fini = teardown);

/* A count (statements are registered by their text's address: each text here is a literal). */
static long long count(const char *q, const of_param_t *p, int np) {
    char err[256];
    int st = of_db_register(db, q);
    of_rows_t *r;
    cr_assert_eq(of_db_query(db, st, p, np, &r, err, sizeof err), OF_OK, "%s: %s", q, err);
    long long v = r->nrows ? of_rows_i64(r, 0, 0) : -1;
    of_rows_free(r);
    return v;
}
#define one(q) count(q, NULL, 0)

/* n parents, each with two children naming it by reference; the names come from a reused buffer. */
static void plan(int n, int *rows) {
    char buf[32];
    for (int i = 0; i < n; i++) {
        snprintf(buf, sizeof buf, "p%d", i);
        rows[i] = of_wset_add(w, T_PARENT, (const of_param_t[]){OFP_S(buf)});
        cr_assert_eq(rows[i], i);
        for (int c = 0; c < 2; c++) {
            snprintf(buf, sizeof buf, "p%d-c%d", i, c);
            cr_assert_geq(of_wset_add(w, T_CHILD, (const of_param_t[]){OFP_REF(T_PARENT, rows[i]), OFP_S(buf)}), 0);
        }
        memset(buf, 'x', sizeof buf - 1); /* the writer kept its own copy */
    }
}

static void check_written(int n, int *rows) {
    char name[32], like[32];
    for (int i = 0; i < n; i++) {
        uint64_t id = of_wset_id(w, T_PARENT, rows[i]);
        cr_assert_neq(id, 0);
        snprintf(name, sizeof name, "p%d", i);
        snprintf(like, sizeof like, "p%d-c_", i);
        cr_expect_eq(count("SELECT COUNT(*) FROM itc_parent WHERE id = ? AND name = ?",
                           (const of_param_t[]){OFP_U(id), OFP_S(name)}, 2),
                     1, "parent %d has id %llu", i, (unsigned long long)id);
        cr_expect_eq(count("SELECT COUNT(*) FROM itc_child WHERE parent_id = ? AND name LIKE ?",
                           (const of_param_t[]){OFP_U(id), OFP_S(like)}, 2),
                     2, "children of parent %d", i);
    }
    cr_expect_eq(one("SELECT COUNT(*) FROM itc_parent"), n);
    cr_expect_eq(one("SELECT COUNT(*) FROM itc_child"), 2 * n);
}

Test(wset, children_get_the_ids_of_parents_written_in_the_same_flush_across_parts) {
    int rows[150];
    plan(150, rows); /* 150 = 64 + 64 + 16 + 4 + 2: five parts, ids must follow the rows */
    char err[256];
    cr_assert_eq(of_wset_flush(w, err, sizeof err), OF_OK, "%s", err);
    cr_expect_eq(of_wset_failed(w), -1);
    check_written(150, rows);
}

Test(wset, one_row_per_statement_writes_the_same_rows) {
    of_db_set_multi_max(db, 1);
    int rows[20];
    plan(20, rows);
    char err[256];
    cr_assert_eq(of_wset_flush(w, err, sizeof err), OF_OK, "%s", err);
    check_written(20, rows);
}

Test(wset, an_update_that_misses_a_row_fails_and_names_its_table) {
    int rows[3];
    plan(3, rows);
    char err[256];
    cr_assert_eq(of_wset_flush(w, err, sizeof err), OF_OK, "%s", err);
    uint64_t id0 = of_wset_id(w, T_PARENT, 0);
    of_wset_reset(w);
    cr_expect_eq(of_wset_rows(w, T_PARENT), 0);
    cr_assert_geq(of_wset_add(w, T_TOUCH, (const of_param_t[]){OFP_U(id0), OFP_I(7)}), 0);
    cr_assert_geq(of_wset_add(w, T_TOUCH, (const of_param_t[]){OFP_U(999999999), OFP_I(7)}), 0);
    cr_expect_eq(of_wset_flush(w, err, sizeof err), OF_ERR_DB);
    cr_expect_eq(of_wset_failed(w), T_TOUCH);
    cr_expect(strstr(err, "itc_parent (touch)") != NULL, "the table is named: %s", err);
}

/* Statements this connection has executed (the read itself included). */
static long long executed(void) {
    return one("SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME = 'COM_STMT_EXECUTE'");
}

/* n parents and their children written; their ids in id[]; the set emptied. */
static void written(int n, uint64_t *id) {
    int rows[64];
    char err[256];
    cr_assert_leq(n, 64);
    plan(n, rows);
    cr_assert_eq(of_wset_flush(w, err, sizeof err), OF_OK, "%s", err);
    for (int i = 0; i < n; i++)
        id[i] = of_wset_id(w, T_PARENT, rows[i]);
    of_wset_reset(w);
}

Test(wset, d_rt_9_a_padded_update_writes_37_rows_in_one_statement_and_counts_only_them) {
    uint64_t id[40];
    char err[256];
    written(40, id);
    for (int i = 0; i < 37; i++) /* 37 = 32 + 5 unpadded: two statements */
        cr_assert_geq(of_wset_add(w, T_TOUCH_PAD, (const of_param_t[]){OFP_U(id[i]), OFP_I(i + 1)}), 0);
    long long before = executed();
    cr_assert_eq(of_wset_flush(w, err, sizeof err), OF_OK, "every row changed one row (pad rows none): %s", err);
    cr_expect_eq(executed() - before - 1, 1, "one statement of 64 rows");
    cr_expect_eq(one("SELECT COUNT(*) FROM itc_parent WHERE touched > 0"), 37);
    cr_expect_eq(one("SELECT SUM(touched) FROM itc_parent"), 37 * 38 / 2);
    /* a padded update that misses a row still fails: the pad rows are not counted as changes */
    of_wset_reset(w);
    cr_assert_geq(of_wset_add(w, T_TOUCH_PAD, (const of_param_t[]){OFP_U(999999999), OFP_I(7)}), 0);
    cr_assert_geq(of_wset_add(w, T_TOUCH_PAD, (const of_param_t[]){OFP_U(id[0]), OFP_I(99)}), 0);
    cr_assert_geq(of_wset_add(w, T_TOUCH_PAD, (const of_param_t[]){OFP_U(id[1]), OFP_I(99)}), 0);
    cr_expect_eq(of_wset_flush(w, err, sizeof err), OF_ERR_DB, "3 rows padded to 4, 2 changed");
    cr_expect(strstr(err, "2 of 3 rows") != NULL, "%s", err);
}

Test(wset, d_rt_9_a_padded_delete_removes_only_its_keys) {
    uint64_t id[12];
    char err[256];
    written(12, id);
    for (int i = 0; i < 5; i++) /* 5 keys: one statement of 8, three of them NULL */
        cr_assert_geq(of_wset_add(w, T_DROP_PAD, (const of_param_t[]){OFP_U(id[i])}), 0);
    long long before = executed();
    cr_assert_eq(of_wset_flush(w, err, sizeof err), OF_OK, "%s", err);
    cr_expect_eq(executed() - before - 1, 1);
    cr_expect_eq(one("SELECT COUNT(*) FROM itc_child"), 2 * 7);
}

Test(wset, a_reference_to_a_row_never_buffered_fails_before_any_statement) {
    char err[256];
    cr_assert_geq(of_wset_add(w, T_CHILD, (const of_param_t[]){OFP_REF(T_PARENT, 5), OFP_S("orphan")}), 0);
    cr_expect_eq(of_wset_flush(w, err, sizeof err), OF_ERR_DB);
    cr_expect_eq(of_wset_failed(w), T_CHILD);
    cr_expect_eq(one("SELECT COUNT(*) FROM itc_child"), 0);
}

Test(wset, a_duplicate_key_is_reported_as_such) {
    itc_sql(db, "ALTER TABLE itc_child ADD UNIQUE KEY uk_name (name)");
    char err[256];
    int r = of_wset_add(w, T_PARENT, (const of_param_t[]){OFP_S("p")});
    cr_assert_geq(of_wset_add(w, T_CHILD, (const of_param_t[]){OFP_REF(T_PARENT, r), OFP_S("same")}), 0);
    cr_assert_geq(of_wset_add(w, T_CHILD, (const of_param_t[]){OFP_REF(T_PARENT, r), OFP_S("same")}), 0);
    cr_expect_eq(of_wset_flush(w, err, sizeof err), OF_ERR_DUPLICATE);
    cr_expect_eq(of_wset_failed(w), T_CHILD);
}

/* D-T10-52, SUB-WU-01 through the submission's own statement: delay_to_time is decided on the status as read, before
 * trade_status changes; a sibling not in 16/20 only gets its mask. */
Test(wset, a_sibling_moved_to_wait_unpaid_gets_its_delay) {
    of_wset_t *sw = of_wset_new(db, of_substore_tables(), OF_SW__COUNT);
    cr_assert_not_null(sw);
    itc_sql(db, "BEGIN");
    itc_sql(db,
            "INSERT INTO sales_trade (trade_no, trade_status, delay_to_time, trade_time) VALUES ('ITC-WSET-16', 16, "
            "'2026-01-01 00:00:00', NOW()), ('ITC-WSET-30', 30, '2026-01-01 00:00:00', NOW())");
    long long a = count("SELECT trade_id FROM sales_trade WHERE trade_no = 'ITC-WSET-16'", NULL, 0);
    long long b = count("SELECT trade_id FROM sales_trade WHERE trade_no = 'ITC-WSET-30'", NULL, 0);
    for (int i = 0; i < 2; i++)
        cr_assert_geq(of_wset_add(sw, OF_SW_SIBLING,
                                  (const of_param_t[]){OFP_U(i ? b : a), OFP_U(1), OFP_I(15),
                                                       OFP_S("2026-02-02 00:00:00"), OFP_I(1)}),
                      0);
    char err[256];
    cr_assert_eq(of_wset_flush(sw, err, sizeof err), OF_OK, "%s", err);
    cr_expect_eq(count("SELECT COUNT(*) FROM sales_trade WHERE trade_no = 'ITC-WSET-16' AND trade_status = 15 AND "
                       "delay_to_time = '2026-02-02 00:00:00' AND unmerge_mask = 1",
                       NULL, 0),
                 1, "16 -> 15 with the new delay");
    cr_expect_eq(count("SELECT COUNT(*) FROM sales_trade WHERE trade_no = 'ITC-WSET-30' AND trade_status = 30 AND "
                       "delay_to_time = '2026-01-01 00:00:00' AND unmerge_mask = 1",
                       NULL, 0),
                 1, "30 keeps its status and delay, gets the mask");
    itc_sql(db, "ROLLBACK");
    of_wset_free(sw);
}

/* An update's delay as the statement's parameter ("YYYY-MM-DD HH:MM:SS", UTC), NULL without a new status. */
static of_param_t sib_day(const of_sib_update_t *u, char buf[32]) {
    if (!u->new_status) return OFP_NUL;
    time_t t = (time_t)u->delay_to_time;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 32, "%Y-%m-%d %H:%M:%S", &tm);
    return OFP_S(buf);
}

/* D-MOD-48 against the statement itself: two updates of one sibling as two rows of OF_SW_SIBLING, one statement after
 * the other, leave what their merged row leaves in one statement (of_sub_sib_merge, its version step 2), and what
 * of_sub_sib_seen says a later reader sees; from every status a sibling may have. */
Test(wset, two_sibling_updates_merged_into_one_row_write_what_two_statements_write_D_MOD_48) {
    static const of_sib_update_t ups[] = {{0, 0, 0, 0},
                                          {0, 1, 0, 0},
                                          {0, 2, 15, 1767225600},  /* 2026-01-01 00:00:00 */
                                          {0, 0, 16, 1767312000},  /* 2026-01-02 */
                                          {0, 3, 20, 1767398400}}; /* 2026-01-03 */
    static const int statuses[] = {10, 15, 16, 19, 20, 30};
    enum { NU = sizeof ups / sizeof ups[0], NS = sizeof statuses / sizeof statuses[0] };
    of_wset_t *sw = of_wset_new(db, of_substore_tables(), OF_SW__COUNT);
    cr_assert_not_null(sw);
    itc_sql(db, "BEGIN");
    char q[512], err[256];
    long long id[NS][NU][NU][2];
    for (int k = 0; k < NS; k++)
        for (int a = 0; a < NU; a++)
            for (int b = 0; b < NU; b++)
                for (int t = 0; t < 2; t++) {
                    snprintf(q, sizeof q,
                             "INSERT INTO sales_trade (trade_no, trade_status, delay_to_time, trade_time, version) "
                             "VALUES ('ITC-SIB-%d-%d-%d-%d', %d, '2025-12-31 00:00:00', NOW(), 0)",
                             k, a, b, t, statuses[k]);
                    itc_sql(db, q);
                    id[k][a][b][t] = one("SELECT LAST_INSERT_ID()");
                }
    /* statement 1: the first update of each pair (row t = 0), the merged row (row t = 1); statement 2: the second */
    for (int pass = 0; pass < 2; pass++) {
        for (int k = 0; k < NS; k++)
            for (int a = 0; a < NU; a++)
                for (int b = 0; b < NU; b++) {
                    const of_sib_update_t *u = pass ? &ups[b] : &ups[a];
                    char d1[32], d2[32];
                    cr_assert_geq(of_wset_add(sw, OF_SW_SIBLING,
                                              (const of_param_t[]){OFP_U(id[k][a][b][0]), OFP_U(u->or_mask),
                                                                   OFP_I(u->new_status), sib_day(u, d1), OFP_I(1)}),
                                  0);
                    if (pass) continue;
                    of_sib_update_t m = ups[a];
                    of_sub_sib_merge(&m, &ups[b]);
                    cr_assert_geq(of_wset_add(sw, OF_SW_SIBLING,
                                              (const of_param_t[]){OFP_U(id[k][a][b][1]), OFP_U(m.or_mask),
                                                                   OFP_I(m.new_status), sib_day(&m, d2), OFP_I(2)}),
                                  0);
                }
        cr_assert_eq(of_wset_flush(sw, err, sizeof err), OF_OK, "%s", err);
        of_wset_reset(sw);
    }
    int st = of_db_register(db, "SELECT CONCAT_WS(' ', trade_status, unmerge_mask, IFNULL(delay_to_time, '-'), "
                                "version) FROM sales_trade WHERE trade_id = ?");
    for (int k = 0; k < NS; k++)
        for (int a = 0; a < NU; a++)
            for (int b = 0; b < NU; b++) {
                char got[2][96];
                for (int t = 0; t < 2; t++) {
                    of_rows_t *r;
                    cr_assert_eq(
                        of_db_query(db, st, (const of_param_t[]){OFP_U(id[k][a][b][t])}, 1, &r, err, sizeof err), OF_OK,
                        "%s", err);
                    snprintf(got[t], sizeof got[t], "%s", r->nrows ? of_rows_str(r, 0, 0) : "?");
                    of_rows_free(r);
                }
                cr_expect_str_eq(got[1], got[0], "status %d, updates %d then %d: merged row vs two statements",
                                 statuses[k], a, b);
                of_sibling_t seen = {.status = statuses[k]};
                of_sub_sib_seen(&seen, &ups[a]);
                of_sub_sib_seen(&seen, &ups[b]);
                char want[32];
                snprintf(want, sizeof want, "%d %u ", seen.status, seen.unmerge_mask);
                cr_expect(!strncmp(got[0], want, strlen(want)), "status %d, updates %d then %d: %s, the model %s",
                          statuses[k], a, b, got[0], want);
            }
    itc_sql(db, "ROLLBACK");
    of_wset_free(sw);
}

/* D-T10-71: a parameter set after its row was buffered (an order's trace, packed meanwhile) is what the flush
 * writes; the value is the writer's own copy; a written row cannot be set any more */
Test(wset, a_parameter_set_before_the_flush_is_written_and_a_written_row_refuses_it) {
    int r0 = of_wset_add(w, T_PARENT, (const of_param_t[]){OFP_NUL});
    int r1 = of_wset_add(w, T_PARENT, (const of_param_t[]){OFP_S("kept")});
    char late[16] = "late-name";
    cr_assert_eq(of_wset_set(w, T_PARENT, r0, -1, OFP_S(late)), 0, "the last parameter, counted from the end");
    memset(late, 'x', sizeof late - 1);
    cr_expect_eq(of_wset_set(w, T_PARENT, r1 + 1, 0, OFP_S("nope")), 1, "a row not buffered");
    cr_expect_eq(of_wset_set(w, T_PARENT, r1, 1, OFP_S("nope")), 1, "a column past the row");
    char err[256];
    cr_assert_eq(of_wset_flush(w, err, sizeof err), OF_OK, "%s", err);
    cr_expect_eq(count("SELECT COUNT(*) FROM itc_parent WHERE id = ? AND name = 'late-name'",
                       (const of_param_t[]){OFP_U(of_wset_id(w, T_PARENT, r0))}, 1),
                 1);
    cr_expect_eq(count("SELECT COUNT(*) FROM itc_parent WHERE id = ? AND name = 'kept'",
                       (const of_param_t[]){OFP_U(of_wset_id(w, T_PARENT, r1))}, 1),
                 1);
    cr_expect_eq(of_wset_set(w, T_PARENT, r0, 0, OFP_S("again")), 1, "written");
}
