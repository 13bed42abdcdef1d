/* itc_db_multi.c -- of_db's multi-row statements (of_db_register_multi / exec_multi / query_multi) against the
 * stack's real MariaDB: every row count splits into the prepared sizes, more than 64 parameters bind, affected
 * rows add up, queries return the rows of every part (their cells in blocks, D-T10-72), and a failing part fails the
 * call. Needs OF_CONFIG. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "of_config.h"
#include "of_db.h"
#include "of_metrics.h"
#include "of_worker.h"
#include "itc_stack.h"

static of_config_t *cfg;
static of_db_t *db;
static of_db_multi_t ins, sel, upsert;

static void setup(void) {
    itc_open(&cfg, &db);
    itc_sql(db, "CREATE TEMPORARY TABLE itc_multi (id INT NOT NULL PRIMARY KEY, name VARCHAR(32) NOT NULL, amount "
                "DECIMAL(19,4) NOT NULL DEFAULT 0)");
    cr_assert_eq(of_db_register_multi(db, "INSERT INTO itc_multi (id, name, amount) VALUES ", "(?, ?, ?)", "", &ins),
                 OF_OK);
    cr_assert_eq(
        of_db_register_multi(db, "SELECT id, name, amount FROM itc_multi WHERE id IN (", "?", ") ORDER BY id", &sel),
        OF_OK);
    cr_assert_eq(of_db_register_multi(db, "INSERT INTO itc_multi (id, name) VALUES ", "(?, ?)",
                                      " ON DUPLICATE KEY UPDATE name = VALUES(name)", &upsert),
                 OF_OK);
}
static void teardown(void) {
    of_db_close(db);
    of_config_destroy(cfg);
}
TestSuite(db_multi, .init = setup, .fini = teardown);

static char names[600][16];

static of_err_t insert_rows(int from, int n, uint64_t *affected) {
    of_param_t *p = calloc((size_t)n * 3 + 1, sizeof *p);
    for (int i = 0; i < n; i++) {
        snprintf(names[from + i], sizeof names[0], "n-%d", from + i);
        p[i * 3] = OFP_I(from + i);
        p[i * 3 + 1] = OFP_S(names[from + i]);
        p[i * 3 + 2] = OFP_M((from + i) * 10000LL + 5);
    }
    char err[256];
    of_err_t e = of_db_exec_multi(db, &ins, p, n, affected, err, sizeof err);
    free(p);
    return e;
}

static void split_into_sizes(void);
Test(db_multi, row_counts_split_into_the_prepared_sizes_and_affected_rows_add_up) {
    split_into_sizes();
}
static void split_into_sizes(void) {
    cr_expect_eq(ins.row_params, 3);
    cr_expect_eq(sel.row_params, 1);
    int counts[] = {1, 2, 3, 63, 64, 65, 127, 150};
    int from = 0;
    for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
        uint64_t aff = 0;
        cr_assert_eq(insert_rows(from, counts[k], &aff), OF_OK, "%d rows", counts[k]);
        cr_expect_eq(aff, (uint64_t)counts[k], "%d rows inserted", counts[k]);
        from += counts[k];
    }
    /* query them all back: 475 ids, 8 parts */
    of_param_t *q = calloc((size_t)from, sizeof *q);
    for (int i = 0; i < from; i++)
        q[i] = OFP_I(from - 1 - i);
    of_rows_t *rows;
    char err[256];
    cr_assert_eq(of_db_query_multi(db, &sel, q, from, &rows, err, sizeof err), OF_OK, "%s", err);
    cr_expect_eq(rows->nrows, from, "every part's rows");
    cr_expect_eq(rows->ncols, 3);
    int seen = 0;
    for (int r = 0; r < rows->nrows; r++) {
        int id = (int)of_rows_i64(rows, r, 0);
        char want[32], amount[32];
        snprintf(want, sizeof want, "n-%d", id);
        snprintf(amount, sizeof amount, "%d.0005", id);
        cr_expect_str_eq(of_rows_str(rows, r, 1), want);
        cr_expect_str_eq(of_rows_str(rows, r, 2), amount, "money bound past the 64th parameter");
        seen++;
    }
    cr_expect_eq(seen, from);
    of_rows_free(rows);
    free(q);
}

Test(db_multi, an_empty_call_does_nothing_and_a_query_returns_no_rows) {
    uint64_t aff = 7;
    char err[256];
    cr_expect_eq(of_db_exec_multi(db, &ins, NULL, 0, &aff, err, sizeof err), OF_OK);
    cr_expect_eq(aff, 0);
    of_rows_t *rows = NULL;
    cr_assert_eq(of_db_query_multi(db, &sel, NULL, 0, &rows, err, sizeof err), OF_OK);
    cr_expect_eq(rows->nrows, 0);
    of_rows_free(rows);
}

static void upserts_and_a_failing_part(void);
Test(db_multi, upsert_counts_updates_and_a_failing_part_fails_the_call) {
    upserts_and_a_failing_part();
}
static void upserts_and_a_failing_part(void) {
    uint64_t aff = 0;
    cr_assert_eq(insert_rows(0, 70, &aff), OF_OK);
    of_param_t p[140];
    for (int i = 0; i < 70; i++) {
        p[i * 2] = OFP_I(i);
        p[i * 2 + 1] = OFP_S("renamed");
    }
    char err[256];
    cr_assert_eq(of_db_exec_multi(db, &upsert, p, 70, &aff, err, sizeof err), OF_OK, "%s", err);
    cr_expect_eq(aff, 140, "70 updates count 2 each (MariaDB's rule for ON DUPLICATE KEY UPDATE)");
    /* rows 100..169 of which 150 already exists: the bulk, or the 64-row part, fails on the duplicate */
    cr_assert_eq(insert_rows(150, 1, &aff), OF_OK);
    cr_expect_eq(insert_rows(100, 70, &aff), OF_ERR_DUPLICATE, "a duplicate key in a part fails the call");
}

/* D-T10-64: an instance of more than one lane bounds the sizes its connections register from then on (powers of two
 * within OF_DB_MULTI_PARAMS for rows of two parameters or more); one lane keeps every size. The sizes decide only
 * how rows are cut into statements: 79 rows are stored either way. */
static void lanes_then_register(const char *lanes, int want_lanes, int size3_registered) {
    char err[256];
    setenv("OF_WORKER_LANES", lanes, 1);
    of_config_t *c = of_config_load(NULL, err, sizeof err);
    cr_assert_not_null(c, "%s", err);
    cr_expect_eq(of_worker_lanes(c), want_lanes);
    of_db_multi_t m;
    cr_assert_eq(of_db_register_multi(db, "INSERT INTO itc_multi (id, name, amount) VALUES ", "(?, ?, ?)", "", &m),
                 OF_OK);
    cr_expect_eq(m.id[2] >= 0, size3_registered, "3 rows a statement: %s", size3_registered ? "kept" : "skipped");
    cr_expect_geq(m.id[3], 0, "4 rows a statement: a power of two, always kept");
    of_param_t *p = calloc(79 * 3, sizeof *p);
    char nm[79][16];
    for (int i = 0; i < 79; i++) {
        snprintf(nm[i], sizeof nm[i], "l-%d", i);
        p[i * 3] = OFP_I(1000 + i);
        p[i * 3 + 1] = OFP_S(nm[i]);
        p[i * 3 + 2] = OFP_M(10000);
    }
    uint64_t aff = 0;
    cr_assert_eq(of_db_exec_multi(db, &m, p, 79, &aff, err, sizeof err), OF_OK, "%s", err);
    cr_expect_eq(aff, 79);
    free(p);
    of_config_destroy(c);
    of_db_set_param_bound(0);
}

Test(db_multi, two_lanes_bound_the_sizes_registered_after) {
    lanes_then_register("2", 2, 0);
}

Test(db_multi, one_lane_keeps_every_size) {
    lanes_then_register("1", 1, 1);
}

/* D-T10-65: a read of 256 keys over an index whose column is one value everywhere (as split_from_trade_id is 0 on
 * almost every order) is planned from the statistics, at the server's eq_range_index_dive_limit of 200, and scans the
 * whole index or table (Handler_read_next or _rnd_next count every row) unless it starts with OF_DB_DIVE (each key
 * looked up: nothing read past the keys, none of which is there). */
static long long rows_read(int st) {
    char err[256];
    of_rows_t *rows = NULL;
    cr_assert_eq(of_db_query(db, st, NULL, 0, &rows, err, sizeof err), OF_OK, "%s", err);
    long long v = 0;
    for (int r = 0; r < rows->nrows; r++)
        v += of_rows_i64(rows, r, 0);
    of_rows_free(rows);
    return v;
}

static long long rows_scanned(const of_db_multi_t *m, int st) {
    of_param_t keys[256];
    for (int i = 0; i < 256; i++)
        keys[i] = OFP_I(1000 + i);
    char err[256];
    of_rows_t *rows = NULL;
    long long before = rows_read(st);
    cr_assert_eq(of_db_query_multi_in(db, m, keys, 256, NULL, &rows, err, sizeof err), OF_OK, "%s", err);
    cr_expect_eq(rows ? rows->nrows : 0, 0);
    of_rows_free(rows);
    return rows_read(st) - before;
}

Test(db_multi, d_t10_65_a_read_of_256_keys_looks_them_up_instead_of_scanning_the_index) {
    itc_sql(db, "SET SESSION eq_range_index_dive_limit = 200"); /* the server's default, whatever the stack sets */
    itc_sql(db, "DROP TABLE IF EXISTS itc_dive");
    itc_sql(db, "CREATE TABLE itc_dive (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, k BIGINT NOT NULL DEFAULT 0, "
                "KEY ix_k (k)) ENGINE=InnoDB");
    itc_sql(db, "INSERT INTO itc_dive (k) SELECT 0 FROM seq_1_to_3000");
    itc_sql(db, "ANALYZE TABLE itc_dive");
    int st = of_db_register(db, "SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME IN "
                                "('HANDLER_READ_NEXT', 'HANDLER_READ_RND_NEXT')");
    cr_assert_geq(st, 0);
    of_db_multi_t plain, dive;
    cr_assert_eq(of_db_register_multi(db, "SELECT id FROM itc_dive WHERE k IN (", "?", ")", &plain), OF_OK);
    cr_assert_eq(of_db_register_multi(db, OF_DB_DIVE "SELECT id FROM itc_dive WHERE k IN (", "?", ")", &dive), OF_OK);
    long long scanned = rows_scanned(&plain, st), looked_up = rows_scanned(&dive, st);
    cr_expect_geq(scanned, 2500, "without OF_DB_DIVE the statistics plan a scan of the 3,000 rows: %lld read", scanned);
    cr_expect_lt(looked_up * 10 + 100, scanned, "with OF_DB_DIVE the keys are looked up: %lld rows read", looked_up);
    itc_sql(db, "DROP TABLE itc_dive"); /* a failed assertion above leaves it to the next run's DROP */
}

/* D-T10-70: a connection keeps at most OF_MYSQL_PREPARED_PARAMS parameters prepared. Preparing past it closes the
 * least recently used statements (a multi-row size's text too), which are prepared again when next used; a
 * statement larger than the limit alone stays while it is the one in use. The gauges and the counter follow. */
static of_err_t put(of_db_t *c, const of_db_multi_t *m, int from, int n) {
    of_param_t p[16 * 3];
    char nm[16][16];
    cr_assert(n >= 1 && n <= 16);
    for (int i = 0; i < n; i++) {
        snprintf(nm[i], sizeof nm[i], "b-%d", from + i);
        p[i * 3] = OFP_I(from + i);
        p[i * 3 + 1] = OFP_S(nm[i]);
        p[i * 3 + 2] = OFP_M(10000);
    }
    char err[256];
    uint64_t aff = 0;
    of_err_t e = of_db_exec_multi(c, m, p, n, &aff, err, sizeof err);
    cr_expect_eq(e, OF_OK, "%d rows: %s", n, err);
    cr_expect_eq(aff, (uint64_t)n);
    return e;
}

Test(db_multi, d_t10_70_past_the_prepared_parameters_the_least_recently_used_statements_close) {
    char err[256];
    setenv("OF_MYSQL_PREPARED_PARAMS", "40", 1);
    setenv("OF_MYSQL_BULK", "0", 1); /* the sizes of the multi-row statements (D-RT-16 prepares one) */
    of_config_t *c = of_config_load(NULL, err, sizeof err);
    unsetenv("OF_MYSQL_PREPARED_PARAMS");
    unsetenv("OF_MYSQL_BULK");
    cr_assert_not_null(c, "%s", err);
    of_db_t *b = of_db_connect(c, NULL, err, sizeof err);
    cr_assert_not_null(b, "%s", err);
    itc_sql(b, "CREATE TEMPORARY TABLE itc_multi (id INT NOT NULL PRIMARY KEY, name VARCHAR(32) NOT NULL, amount "
               "DECIMAL(19,4) NOT NULL DEFAULT 0)");
    of_db_multi_t m; /* 3 parameters a row: a statement of n rows has 3n */
    cr_assert_eq(of_db_register_multi(b, "INSERT INTO itc_multi (id, name, amount) VALUES ", "(?, ?, ?)", "", &m),
                 OF_OK);
    int64_t p0 = of_metric_gauge_get(OF_MG_DB_PARAMS), s0 = of_metric_gauge_get(OF_MG_DB_STATEMENTS);
    uint64_t c0 = of_metric_get(OF_M_DB_STMT_CLOSED);
#define PREPARED() (of_metric_gauge_get(OF_MG_DB_PARAMS) - p0)
#define CLOSED() (of_metric_get(OF_M_DB_STMT_CLOSED) - c0)
    put(b, &m, 0, 8);  /* 24 */
    put(b, &m, 8, 4);  /* 36 */
    put(b, &m, 12, 1); /* 39 */
    cr_expect_eq(PREPARED(), 39);
    cr_expect_eq(of_metric_gauge_get(OF_MG_DB_STATEMENTS) - s0, 3);
    cr_expect_eq(CLOSED(), 0, "within the limit nothing closes");
    put(b, &m, 13, 2); /* 45: the 8-row statement, least recently used, closes */
    cr_expect_eq(PREPARED(), 21);
    cr_expect_eq(CLOSED(), 1);
    put(b, &m, 15, 4); /* in use again: stays prepared, nothing closes */
    cr_expect_eq(CLOSED(), 1);
    put(b, &m, 19, 8); /* prepared again, its text built again: 45, then 42, both still over the limit */
    cr_expect_eq(PREPARED(), 36, "the 1- and 2-row statements closed, the 4-row one (used since) kept");
    cr_expect_eq(of_metric_gauge_get(OF_MG_DB_STATEMENTS) - s0, 2);
    cr_expect_eq(CLOSED(), 3);
    put(b, &m, 27, 16); /* 48 alone, over the limit: every other one closes, it stays */
    cr_expect_eq(PREPARED(), 48);
    cr_expect_eq(of_metric_gauge_get(OF_MG_DB_STATEMENTS) - s0, 1);
    cr_expect_eq(CLOSED(), 5);
    int st = of_db_register(b, "SELECT COUNT(*), COUNT(DISTINCT name) FROM itc_multi");
    of_rows_t *rows = NULL;
    cr_assert_eq(of_db_query(b, st, NULL, 0, &rows, err, sizeof err), OF_OK, "%s", err);
    cr_expect_eq(CLOSED(), 6, "the 16-row statement, no longer in use, closed when the next one was prepared");
    cr_expect_eq(PREPARED(), 0);
    cr_expect_eq(of_rows_i64(rows, 0, 0), 43, "every row stored through the statements closed and prepared again");
    cr_expect_eq(of_rows_i64(rows, 0, 1), 43);
    of_rows_free(rows);
    put(b, &m, 43, 8); /* 24: within the limit again */
    cr_expect_eq(PREPARED(), 24);
    cr_expect_eq(CLOSED(), 6);
    of_db_close(b);
    cr_expect_eq(PREPARED(), 0, "closing the connection takes its statements off the gauges");
    cr_expect_eq(of_metric_gauge_get(OF_MG_DB_STATEMENTS) - s0, 0);
    cr_expect_eq(CLOSED(), 6, "closing the connection is not counted as closing to fit the limit");
#undef PREPARED
#undef CLOSED
    of_config_destroy(c);
}

/* D-T10-70: a lost connection's statements leave the gauges when it reconnects (they are prepared again on the new
 * one): the gauges count what is prepared now, not every prepare. A statement that fails to prepare is not counted. */
Test(db_multi, d_t10_70_a_reconnect_and_a_failed_prepare_keep_the_gauges_exact) {
    char err[256];
    of_db_t *b = of_db_connect(cfg, NULL, err, sizeof err);
    cr_assert_not_null(b, "%s", err);
    int64_t p0 = of_metric_gauge_get(OF_MG_DB_PARAMS), s0 = of_metric_gauge_get(OF_MG_DB_STATEMENTS);
    int id = of_db_register(b, "SELECT CONNECTION_ID() + ? - ?");
    cr_assert_geq(id, 0);
    of_param_t two[2] = {OFP_I(5), OFP_I(5)};
    of_rows_t *rows = NULL;
    cr_assert_eq(of_db_query(b, id, two, 2, &rows, err, sizeof err), OF_OK, "%s", err);
    long long conn = of_rows_i64(rows, 0, 0);
    of_rows_free(rows);
    cr_expect_eq(of_metric_gauge_get(OF_MG_DB_STATEMENTS) - s0, 1);
    cr_expect_eq(of_metric_gauge_get(OF_MG_DB_PARAMS) - p0, 2);
    char kill[64];
    snprintf(kill, sizeof kill, "KILL CONNECTION %lld", conn);
    itc_sql(db, kill);
    rows = NULL;
    of_err_t e = of_db_query(b, id, two, 2, &rows, err, sizeof err); /* the loss is seen here */
    of_rows_free(rows);
    rows = NULL;
    cr_assert_neq(e, OF_OK, "a killed connection answered");
    cr_assert_eq(of_db_query(b, id, two, 2, &rows, err, sizeof err), OF_OK, "after reconnecting: %s", err);
    cr_expect_neq(of_rows_i64(rows, 0, 0), conn, "a new connection");
    of_rows_free(rows);
    cr_expect_eq(of_metric_gauge_get(OF_MG_DB_STATEMENTS) - s0, 1, "the old connection's statement left the gauge");
    cr_expect_eq(of_metric_gauge_get(OF_MG_DB_PARAMS) - p0, 2);
    int bad = of_db_register(b, "SELECT ? FROM no_such_table_d_t10_70");
    cr_assert_geq(bad, 0);
    cr_expect_neq(of_db_query(b, bad, two, 1, &rows, err, sizeof err), OF_OK, "a statement on a missing table");
    cr_expect_eq(of_metric_gauge_get(OF_MG_DB_STATEMENTS) - s0, 1, "a failed prepare is not counted");
    cr_expect_eq(of_metric_gauge_get(OF_MG_DB_PARAMS) - p0, 2);
    of_db_close(b);
    cr_expect_eq(of_metric_gauge_get(OF_MG_DB_STATEMENTS) - s0, 0);
    cr_expect_eq(of_metric_gauge_get(OF_MG_DB_PARAMS) - p0, 0);
}

/* D-T10-72: a read's cells live in blocks (64 kB, or a cell's size when larger): values across many blocks, one
 * larger than a block, empty ones and NULLs come back as written, across the parts of a multi-row read */
Test(db_multi, d_t10_72_cells_in_blocks_come_back_as_written) {
    itc_sql(db, "CREATE TEMPORARY TABLE itc_big (id INT NOT NULL PRIMARY KEY, v MEDIUMTEXT NULL)");
    of_db_multi_t ib, sb;
    cr_assert_eq(of_db_register_multi(db, "INSERT INTO itc_big (id, v) VALUES ", "(?, ?)", "", &ib), OF_OK);
    cr_assert_eq(of_db_register_multi(db, "SELECT id, v FROM itc_big WHERE id IN (", "?", ") ORDER BY id", &sb), OF_OK);
    enum { N = 130, BIG = 100 * 1024 };
    static char vals[N][3001];
    char *big = malloc(BIG + 1);
    for (int i = 0; i < BIG; i++)
        big[i] = (char)('a' + i % 26);
    big[BIG] = '\0';
    of_param_t p[N * 2], q[N];
    for (int i = 0; i < N; i++) {
        int len = i % 10 == 3 ? 0 : 1000 + (i * 37) % 2000; /* some empty */
        for (int k = 0; k < len; k++)
            vals[i][k] = (char)('A' + (i + k) % 26);
        vals[i][len] = '\0';
        p[i * 2] = OFP_I(i);
        p[i * 2 + 1] = i == 7 ? OFP_NUL : i == 50 ? OFP_S(big) : OFP_S(vals[i]);
        q[i] = OFP_I(i);
    }
    char err[256];
    cr_assert_eq(of_db_exec_multi(db, &ib, p, N, NULL, err, sizeof err), OF_OK, "%s", err);
    of_rows_t *rows;
    cr_assert_eq(of_db_query_multi(db, &sb, q, N, &rows, err, sizeof err), OF_OK, "%s", err);
    cr_assert_eq(rows->nrows, N);
    for (int r = 0; r < N; r++) {
        int id = (int)of_rows_i64(rows, r, 0);
        cr_assert_eq(id, r);
        if (id == 7) {
            cr_expect_null(of_rows_str(rows, r, 1), "NULL stays NULL");
            continue;
        }
        const char *want = id == 50 ? big : vals[id];
        cr_expect_eq(rows->lens[r * 2 + 1], strlen(want), "row %d: length", id);
        cr_expect_str_eq(of_rows_str(rows, r, 1), want, "row %d", id);
    }
    of_rows_free(rows);
    free(big);
}

/* The connection's own count of a server command (SHOW SESSION STATUS), read through statement `st`, prepared
 * already. */
static long long session_count(of_db_t *c, int st, const char *name) {
    char err[256];
    of_param_t p[1] = {OFP_S(name)};
    of_rows_t *rows = NULL;
    cr_assert_eq(of_db_query(c, st, p, 1, &rows, err, sizeof err), OF_OK, "%s", err);
    cr_assert_eq(rows->nrows, 1, "%s", name);
    long long v = of_rows_i64(rows, 0, 0);
    of_rows_free(rows);
    return v;
}

/* D-T10-74: a statement is prepared once, on its own round trip (not with its first execution: see of_db.c), and kept
 * across a failed execution (a duplicate key, after the prepare worked): the next executions only execute. A statement
 * that fails to prepare (a missing table) leaves the connection in step: the next statement on it works. */
Test(db_multi, d_t10_74_a_statement_is_prepared_once_and_kept_across_a_failed_execution) {
    char err[256];
    int64_t none = of_metric_gauge_get(OF_MG_DB_STATEMENTS);
    of_db_t *b = of_db_connect(cfg, NULL, err, sizeof err);
    cr_assert_not_null(b, "%s", err);
    itc_sql(b, "CREATE TEMPORARY TABLE itc_direct (id INT NOT NULL PRIMARY KEY, name VARCHAR(32) NOT NULL)");
    itc_sql(b, "INSERT INTO itc_direct VALUES (1, 'one')");
    int status = of_db_register(b, "SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME "
                                   "= ?");
    int put1 = of_db_register(b, "INSERT INTO itc_direct (id, name) VALUES (?, ?)");
    cr_assert(status >= 0 && put1 >= 0);
    session_count(b, status, "COM_STMT_PREPARE"); /* prepares the status read itself */
    long long prep0 = session_count(b, status, "COM_STMT_PREPARE");
    long long exec0 = session_count(b, status, "COM_STMT_EXECUTE");
    int64_t s0 = of_metric_gauge_get(OF_MG_DB_STATEMENTS), p0 = of_metric_gauge_get(OF_MG_DB_PARAMS);
    of_param_t dup[2] = {OFP_I(1), OFP_S("again")};
    cr_expect_eq(of_db_exec(b, put1, dup, 2, NULL, NULL, err, sizeof err), OF_ERR_DUPLICATE, "%s", err);
    cr_expect(strstr(err, "Duplicate") != NULL, "the execution's own error: %s", err);
    cr_expect_eq(of_metric_gauge_get(OF_MG_DB_STATEMENTS) - s0, 1, "prepared, then the execution failed: kept");
    for (int i = 2; i <= 4; i++) {
        char name[16];
        snprintf(name, sizeof name, "n%d", i);
        of_param_t p[2] = {OFP_I(i), OFP_S(name)};
        uint64_t aff = 0, id = 0;
        cr_assert_eq(of_db_exec(b, put1, p, 2, &aff, &id, err, sizeof err), OF_OK, "%s", err);
        cr_expect_eq(aff, 1);
    }
    cr_expect_eq(of_metric_gauge_get(OF_MG_DB_STATEMENTS) - s0, 1);
    cr_expect_eq(of_metric_gauge_get(OF_MG_DB_PARAMS) - p0, 2);
    /* the status read counts itself once more each time (an execution, no prepare) */
    cr_expect_eq(session_count(b, status, "COM_STMT_PREPARE") - prep0, 1, "prepared once, with its first use");
    cr_expect_eq(session_count(b, status, "COM_STMT_EXECUTE") - exec0, 1 + 3 + 1 + 1,
                 "every call executed once (the status reads included)");
    int bad = of_db_register(b, "INSERT INTO no_such_table_d_t10_74 (id) VALUES (?)");
    of_param_t one_id[1] = {OFP_I(9)};
    cr_expect_neq(of_db_exec(b, bad, one_id, 1, NULL, NULL, err, sizeof err), OF_OK, "a statement on a missing table");
    cr_expect(strstr(err, "prepare") != NULL, "reported as its prepare's failure: %s", err);
    int cnt = of_db_register(b, "SELECT COUNT(*), MAX(name) FROM itc_direct WHERE id > ?");
    of_param_t one[1] = {OFP_I(1)};
    of_rows_t *rows = NULL;
    cr_assert_eq(of_db_query(b, cnt, one, 1, &rows, err, sizeof err), OF_OK, "the connection in step: %s", err);
    cr_expect_eq(of_rows_i64(rows, 0, 0), 3);
    cr_expect_str_eq(of_rows_str(rows, 0, 1), "n4");
    of_rows_free(rows);
    of_db_close(b);
    cr_expect_eq(of_metric_gauge_get(OF_MG_DB_STATEMENTS), none, "closing the connection takes its statements off");
}

/* D-T10-76: integer columns come as numbers: of_rows_i64 gives each type's value (signed and unsigned, the extremes,
 * an unsigned value above the signed range as its bits) and the cell the same decimal text the server writes
 * (compared with CAST(… AS CHAR) of the same column); NULL stays NULL and 0; other types (DECIMAL, text, a date, a
 * ZEROFILL column) keep the server's text; a read split into parts (query_multi) keeps the numbers of every part. */
Test(db_multi, d_t10_76_integer_columns_come_as_numbers_with_the_servers_text) {
    itc_sql(db, "CREATE TEMPORARY TABLE itc_ints (id INT NOT NULL PRIMARY KEY, t TINYINT NULL, tu TINYINT UNSIGNED "
                "NULL, s SMALLINT NULL, m MEDIUMINT NULL, i INT NULL, iu INT UNSIGNED NULL, b BIGINT NULL, bu BIGINT "
                "UNSIGNED NULL, z INT(5) UNSIGNED ZEROFILL NULL, d DECIMAL(19,4) NULL, v VARCHAR(8) NULL, dt DATETIME "
                "NULL)");
    itc_sql(db, "INSERT INTO itc_ints VALUES (1, -128, 255, -32768, -8388608, -2147483648, 4294967295, "
                "-9223372036854775808, 18446744073709551615, 42, -1.5000, '12', '2026-11-20 10:00:00'), "
                "(2, 127, 0, 32767, 8388607, 2147483647, 0, 9223372036854775807, 9223372036854775808, 7, 0, '', NULL), "
                "(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL), "
                "(4, 0, 1, -1, 10, -10, 100, -100000000000, 1000000000000, 0, 3.0001, 'x', NULL)");
    for (int k = 5; k < 150; k++) { /* rows enough for several parts of the multi read below */
        char sql[160];
        snprintf(sql, sizeof sql, "INSERT INTO itc_ints (id, i, bu) VALUES (%d, %d, %d)", k, -k * 1000, k);
        itc_sql(db, sql);
    }
    static const char *const cols[] = {"t", "tu", "s", "m", "i", "iu", "b", "bu", "z", "d", "v", "dt"};
    enum { NC = sizeof cols / sizeof cols[0] };
    char sql[1024];
    int n = snprintf(sql, sizeof sql, "SELECT id");
    for (int c = 0; c < NC; c++)
        n += snprintf(sql + n, sizeof sql - (size_t)n, ", %s", cols[c]);
    for (int c = 0; c < NC; c++)
        n += snprintf(sql + n, sizeof sql - (size_t)n, ", CAST(%s AS CHAR)", cols[c]);
    snprintf(sql + n, sizeof sql - (size_t)n, " FROM itc_ints WHERE id IN (");
    of_db_multi_t q;
    cr_assert_eq(of_db_register_multi(db, sql, "?", ") ORDER BY id", &q), OF_OK);
    of_param_t keys[149];
    for (int k = 0; k < 149; k++)
        keys[k] = OFP_I(k + 1);
    char err[256];
    of_rows_t *rows;
    cr_assert_eq(of_db_query_multi(db, &q, keys, 149, &rows, err, sizeof err), OF_OK, "%s", err);
    cr_assert_eq(rows->nrows, 149);
    cr_assert_not_null(rows->icol, "the integer columns are read as numbers");
    for (int r = 0; r < rows->nrows; r++) {
        cr_assert_eq(of_rows_i64(rows, r, 0), r + 1);
        for (int c = 0; c < NC; c++) {
            const char *got = of_rows_str(rows, r, 1 + c), *want = of_rows_str(rows, r, 1 + NC + c);
            if (!want) {
                cr_expect_null(got, "row %d %s: NULL", r + 1, cols[c]);
                cr_expect_eq(of_rows_i64(rows, r, 1 + c), 0);
                continue;
            }
            cr_assert_not_null(got, "row %d %s", r + 1, cols[c]);
            if (strcmp(cols[c], "dt")) /* CAST of a DATETIME has no format of its own to compare with */
                cr_expect_str_eq(got, want, "row %d %s", r + 1, cols[c]);
            cr_expect_eq(rows->lens[r * rows->ncols + 1 + c], strlen(got), "row %d %s: length", r + 1, cols[c]);
        }
    }
    /* the values themselves, at the extremes */
    cr_expect_eq(of_rows_i64(rows, 0, 1), -128);
    cr_expect_eq(of_rows_i64(rows, 0, 2), 255);
    cr_expect_eq(of_rows_i64(rows, 0, 7), (long long)(-9223372036854775807LL - 1));
    cr_expect_eq((unsigned long long)of_rows_i64(rows, 0, 8), 18446744073709551615ULL, "an unsigned value as its bits");
    cr_expect_eq((unsigned long long)of_rows_i64(rows, 1, 8), 9223372036854775808ULL);
    cr_expect_eq(of_rows_i64(rows, 1, 7), 9223372036854775807LL);
    cr_expect_str_eq(of_rows_str(rows, 0, 9), "00042", "ZEROFILL keeps the server's text");
    cr_expect_eq(rows->icol[9], 0);
    cr_expect_str_eq(of_rows_str(rows, 0, 10), "-1.5000", "DECIMAL keeps the server's text");
    cr_expect_eq(of_rows_i64(rows, 0, 11), 12, "a number in a text column is read from the text");
    cr_expect_str_eq(of_rows_str(rows, 0, 12), "2026-11-20 10:00:00");
    cr_expect_eq(of_rows_i64(rows, 148, 5), -149000, "the last part's numbers");
    cr_expect_eq(of_rows_i64(rows, 148, 8), 149);
    of_rows_free(rows);
}

/* D-T10-76: a read in several statements whose column takes its type from the parameters (SELECT ? … UNION ALL): an
 * integer in the first part, text in the next, beside a column that is an integer in both. The parts' integer columns
 * differ, so the joined rows give every value from its text (not a 0 where a part had no number). */
Test(db_multi, d_t10_76_parts_whose_integer_columns_differ_read_the_numbers_from_the_text) {
    of_db_multi_t q;
    cr_assert_eq(
        of_db_register_multi_sep(db, "SELECT v.k, v.n FROM (", "SELECT ? AS k, ? AS n", " UNION ALL ", ") v", &q),
        OF_OK);
    enum { N = 70 }; /* 64 rows, then 6: two statements */
    of_param_t p[N * 2];
    static char text[N][16];
    for (int i = 0; i < N; i++) {
        snprintf(text[i], sizeof text[i], "%d", 1000 + i);
        p[i * 2] = i < 64 ? OFP_I(1000 + i) : OFP_S(text[i]);
        p[i * 2 + 1] = OFP_I(i);
    }
    char err[256];
    of_rows_t *rows;
    cr_assert_eq(of_db_query_multi(db, &q, p, 64, &rows, err, sizeof err), OF_OK, "%s", err);
    cr_assert(rows->icol && rows->icol[0] && rows->icol[1], "the first part alone: two integer columns");
    of_rows_free(rows);
    cr_assert_eq(of_db_query_multi(db, &q, p + 128, N - 64, &rows, err, sizeof err), OF_OK, "%s", err);
    cr_assert(rows->icol && !rows->icol[0] && rows->icol[1], "the second part alone: text, then an integer");
    of_rows_free(rows);
    cr_assert_eq(of_db_query_multi(db, &q, p, N, &rows, err, sizeof err), OF_OK, "%s", err);
    cr_assert_eq(rows->nrows, N);
    long long sum = 0, sum_n = 0;
    for (int r = 0; r < N; r++) {
        sum += of_rows_i64(rows, r, 0);
        sum_n += of_rows_i64(rows, r, 1);
    }
    cr_expect_eq(sum, (long long)N * 1000 + (long long)N * (N - 1) / 2, "every row's value, from either part");
    cr_expect_eq(sum_n, (long long)N * (N - 1) / 2);
    of_rows_free(rows);
}

/* ---- D-RT-16: an INSERT's rows in one bulk execution of its one-row statement ---- */

/* A connection of its own with OF_MYSQL_BULK set to `bulk`, the status read of d_t10_74 on it and, when all is not
 * NULL, the insert of every column of itc_bulk registered in it. */
static of_db_t *bulk_conn(const char *bulk, of_config_t **cp, int *status, of_db_multi_t *all) {
    char err[256];
    setenv("OF_MYSQL_BULK", bulk, 1);
    *cp = of_config_load(NULL, err, sizeof err);
    unsetenv("OF_MYSQL_BULK");
    cr_assert_not_null(*cp, "%s", err);
    of_db_t *b = of_db_connect(*cp, NULL, err, sizeof err);
    cr_assert_not_null(b, "%s", err);
    itc_sql(b, "CREATE TEMPORARY TABLE itc_bulk (id INT NOT NULL PRIMARY KEY, n BIGINT NULL, u BIGINT UNSIGNED NULL, "
               "amount DECIMAL(19,4) NULL, name VARCHAR(32) NULL, raw VARBINARY(16) NULL, big MEDIUMBLOB NULL)");
    *status = of_db_register(b, "SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME = ?");
    session_count(b, *status, "COM_STMT_PREPARE"); /* prepares the status read itself */
    if (all)
        cr_assert_eq(of_db_register_multi(b, "INSERT INTO itc_bulk (id, n, u, amount, name, raw, big) VALUES ",
                                          "(?, ?, ?, ?, ?, ?, ?)", "", all),
                     OF_OK);
    return b;
}

/* Row i of the rows the D-RT-16 tests write: every parameter type, NULLs among them in every column. */
static char bulk_names[300][16];
static void bulk_row_of(of_param_t *p, int i) {
    snprintf(bulk_names[i], sizeof bulk_names[i], i % 7 ? "b-%d" : "", i); /* an empty string every 7th */
    p[0] = OFP_I(i);
    p[1] = i % 5 == 1 ? OFP_NUL : OFP_I(-1000LL * i);
    p[2] = i % 5 == 2 ? OFP_NUL : OFP_U(UINT64_MAX - (uint64_t)i); /* above the signed range */
    p[3] = i % 5 == 3 ? OFP_NUL : OFP_M(i * 10000LL + 5);
    p[4] = i % 5 == 4 ? OFP_NUL : OFP_S(bulk_names[i]);
    p[5] = i % 5 == 0 ? OFP_NUL : OFP_BN("\0\1\2\3", (size_t)(i % 4)); /* zero to three bytes, a NUL among them */
    p[6] = OFP_NUL;
}

/* The rows [0, n) as bulk_row_of wrote them, read back column by column. */
static void expect_bulk_rows(of_db_t *b, int n) {
    char err[256];
    int st = of_db_register(b, "SELECT id, n, CAST(u AS CHAR), amount, name, HEX(raw), raw IS NULL FROM itc_bulk ORDER "
                               "BY id");
    of_rows_t *rows = NULL;
    cr_assert_eq(of_db_query(b, st, NULL, 0, &rows, err, sizeof err), OF_OK, "%s", err);
    cr_assert_eq(rows->nrows, n);
    for (int i = 0; i < n; i++) {
        char want[40];
        cr_expect_eq(of_rows_i64(rows, i, 0), i);
        if (i % 5 == 1)
            cr_expect_null(of_rows_str(rows, i, 1), "row %d: NULL among numbers", i);
        else
            cr_expect_eq(of_rows_i64(rows, i, 1), -1000LL * i);
        if (i % 5 == 2)
            cr_expect_null(of_rows_str(rows, i, 2));
        else {
            snprintf(want, sizeof want, "%llu", (unsigned long long)(UINT64_MAX - (uint64_t)i));
            cr_expect_str_eq(of_rows_str(rows, i, 2), want, "row %d: unsigned", i);
        }
        if (i % 5 == 3)
            cr_expect_null(of_rows_str(rows, i, 3));
        else {
            snprintf(want, sizeof want, "%d.0005", i);
            cr_expect_str_eq(of_rows_str(rows, i, 3), want, "row %d: money", i);
        }
        if (i % 5 == 4)
            cr_expect_null(of_rows_str(rows, i, 4));
        else
            cr_expect_str_eq(of_rows_str(rows, i, 4), bulk_names[i], "row %d: text", i);
        static const char *hex[4] = {"", "00", "0001", "000102"};
        if (i % 5 == 0)
            cr_expect_eq(of_rows_i64(rows, i, 6), 1, "row %d: NULL bytes", i);
        else
            cr_expect_str_eq(of_rows_str(rows, i, 5), hex[i % 4], "row %d: bytes", i);
    }
    of_rows_free(rows);
}

static of_err_t bulk_put(of_db_t *b, const of_db_multi_t *m, int from, int n, uint64_t *aff) {
    of_param_t *p = calloc((size_t)n * 7, sizeof *p);
    for (int i = 0; i < n; i++)
        bulk_row_of(p + (size_t)i * 7, from + i);
    char err[256];
    of_err_t e = of_db_exec_multi(b, m, p, n, aff, err, sizeof err);
    free(p);
    return e;
}

Test(db_multi, d_rt_16_an_inserts_rows_go_in_one_bulk_execution_of_one_statement) {
    of_config_t *c;
    int status;
    of_db_multi_t m;
    of_db_t *b = bulk_conn("1", &c, &status, &m);
    cr_expect(m.bulk, "an INSERT of value rows");
    long long prep0 = session_count(b, status, "COM_STMT_PREPARE");
    int64_t s0 = of_metric_gauge_get(OF_MG_DB_STATEMENTS);
    uint64_t aff = 0;
    cr_assert_eq(bulk_put(b, &m, 0, 150, &aff), OF_OK);
    cr_expect_eq(aff, 150, "the affected rows of the whole bulk");
    cr_assert_eq(bulk_put(b, &m, 150, 37, &aff), OF_OK);
    cr_expect_eq(aff, 37);
    cr_expect_eq(of_metric_gauge_get(OF_MG_DB_STATEMENTS) - s0, 1, "one statement, the one-row one, for 187 rows");
    cr_expect_eq(session_count(b, status, "COM_STMT_PREPARE") - prep0, 1, "prepared once");
    expect_bulk_rows(b, 187);
    of_db_close(b);
    of_config_destroy(c);
}

Test(db_multi, d_rt_16_without_bulk_the_same_rows_take_the_multi_row_statements) {
    of_config_t *c;
    int status;
    of_db_multi_t m;
    of_db_t *b = bulk_conn("0", &c, &status, &m);
    int64_t s0 = of_metric_gauge_get(OF_MG_DB_STATEMENTS);
    uint64_t aff = 0;
    cr_assert_eq(bulk_put(b, &m, 0, 187, &aff), OF_OK);
    cr_expect_eq(aff, 187);
    cr_expect_gt(of_metric_gauge_get(OF_MG_DB_STATEMENTS) - s0, 1, "sizes of 64 and the rest (OF_MYSQL_BULK=0)");
    expect_bulk_rows(b, 187);
    of_db_close(b);
    of_config_destroy(c);
}

/* A column bound as two types (a number in one row, text in another) cannot be one bulk column: the multi-row
 * statements write it, as the server converts each value. */
Test(db_multi, d_rt_16_a_column_of_two_types_takes_the_multi_row_statements) {
    of_config_t *c;
    int status;
    of_db_t *b = bulk_conn("1", &c, &status, NULL);
    of_db_multi_t m;
    cr_assert_eq(of_db_register_multi(b, "INSERT INTO itc_bulk (id, name) VALUES ", "(?, ?)", "", &m), OF_OK);
    of_param_t p[6] = {OFP_I(1), OFP_S("one"), OFP_I(2), OFP_I(22), OFP_I(3), OFP_S("three")}; /* name: text, number */
    char err[256];
    uint64_t aff = 0;
    long long prep0 = session_count(b, status, "COM_STMT_PREPARE");
    cr_assert_eq(of_db_exec_multi(b, &m, p, 3, &aff, err, sizeof err), OF_OK, "%s", err);
    cr_expect_eq(aff, 3);
    cr_expect_eq(session_count(b, status, "COM_STMT_PREPARE") - prep0, 1, "the 3-row statement");
    int st = of_db_register(b, "SELECT GROUP_CONCAT(id, '=', name ORDER BY id) FROM itc_bulk");
    of_rows_t *rows = NULL;
    cr_assert_eq(of_db_query(b, st, NULL, 0, &rows, err, sizeof err), OF_OK, "%s", err);
    cr_expect_str_eq(of_rows_str(rows, 0, 0), "1=one,2=22,3=three");
    of_rows_free(rows);
    of_db_close(b);
    of_config_destroy(c);
}

/* INSERT IGNORE and ON DUPLICATE KEY UPDATE count as the multi-row statements do (an ignored row 0, an update 2); a
 * duplicate key fails the call and, in its transaction, leaves no row of it. */
Test(db_multi, d_rt_16_ignored_and_updated_rows_count_as_in_a_multi_row_statement) {
    of_config_t *c;
    int status;
    of_db_t *b = bulk_conn("1", &c, &status, NULL);
    of_db_multi_t ig, up, plain;
    cr_assert_eq(of_db_register_multi(b, "INSERT IGNORE INTO itc_bulk (id, name) VALUES ", "(?, ?)", "", &ig), OF_OK);
    cr_assert_eq(of_db_register_multi(b, "INSERT INTO itc_bulk (id, name) VALUES ", "(?, ?)",
                                      " ON DUPLICATE KEY UPDATE name = VALUES(name)", &up),
                 OF_OK);
    cr_assert_eq(of_db_register_multi(b, "INSERT INTO itc_bulk (id, name) VALUES ", "(?, ?)", "", &plain), OF_OK);
    of_param_t p[20];
    for (int i = 0; i < 10; i++) {
        p[i * 2] = OFP_I(i);
        p[i * 2 + 1] = OFP_S("first");
    }
    char err[256];
    uint64_t aff = 0;
    cr_assert_eq(of_db_exec_multi(b, &ig, p, 4, &aff, err, sizeof err), OF_OK, "%s", err);
    cr_expect_eq(aff, 4);
    cr_assert_eq(of_db_exec_multi(b, &ig, p, 10, &aff, err, sizeof err), OF_OK, "%s", err);
    cr_expect_eq(aff, 6, "4 of 10 there already: ignored");
    for (int i = 0; i < 10; i++)
        p[i * 2 + 1] = OFP_S(i < 3 ? "first" : "second");
    cr_assert_eq(of_db_exec_multi(b, &up, p, 10, &aff, err, sizeof err), OF_OK, "%s", err);
    cr_expect_eq(aff, 14, "7 updated (2 each), 3 unchanged (0)");
    itc_sql(b, "BEGIN");
    for (int i = 0; i < 10; i++)
        p[i * 2] = OFP_I(i < 9 ? 100 + i : 5); /* the last row is a duplicate */
    cr_expect_eq(of_db_exec_multi(b, &plain, p, 10, &aff, err, sizeof err), OF_ERR_DUPLICATE, "%s", err);
    int st = of_db_register(b, "SELECT COUNT(*), SUM(name = 'second') FROM itc_bulk");
    of_rows_t *rows = NULL;
    cr_assert_eq(of_db_query(b, st, NULL, 0, &rows, err, sizeof err), OF_OK, "%s", err);
    cr_expect_eq(of_rows_i64(rows, 0, 0), 10, "in its transaction, nothing of the failed bulk (its 9 rows before)");
    cr_expect_eq(of_rows_i64(rows, 0, 1), 7);
    of_rows_free(rows);
    itc_sql(b, "ROLLBACK");
    of_db_close(b);
    of_config_destroy(c);
}

/* Rows of more than OF_DB_BULK_BYTES go in several bulk executions, each within the server's max_allowed_packet. */
Test(db_multi, d_rt_16_rows_past_the_bulk_bytes_go_in_several_executions) {
    of_config_t *c;
    int status;
    of_db_t *b = bulk_conn("1", &c, &status, NULL);
    of_db_multi_t m;
    cr_assert_eq(of_db_register_multi(b, "INSERT INTO itc_bulk (id, big) VALUES ", "(?, ?)", "", &m), OF_OK);
    enum { N = 9, SIZE = 1536 * 1024 }; /* 13.5 MB: three executions of at most 4 MB */
    char *big = malloc(SIZE);
    for (int i = 0; i < SIZE; i++)
        big[i] = (char)('a' + i % 26);
    of_param_t p[N * 2];
    for (int i = 0; i < N; i++) {
        p[i * 2] = OFP_I(i);
        p[i * 2 + 1] = OFP_BN(big, (size_t)SIZE - (size_t)i);
    }
    long long exec0 = session_count(b, status, "COM_STMT_EXECUTE");
    char err[256];
    uint64_t aff = 0;
    cr_assert_eq(of_db_exec_multi(b, &m, p, N, &aff, err, sizeof err), OF_OK, "%s", err);
    cr_expect_eq(aff, N);
    long long execs = session_count(b, status, "COM_STMT_EXECUTE") - exec0 - 1; /* the status read's own */
    cr_expect(execs >= 4 && execs <= 5, "9 rows of 1.5 MB in 4 or 5 executions, not 1 or 9: %lld", execs);
    int st = of_db_register(b, "SELECT COUNT(*), SUM(LENGTH(big)), SUM(LEFT(big, 3) = 'abc') FROM itc_bulk");
    of_rows_t *rows = NULL;
    cr_assert_eq(of_db_query(b, st, NULL, 0, &rows, err, sizeof err), OF_OK, "%s", err);
    cr_expect_eq(of_rows_i64(rows, 0, 0), N);
    cr_expect_eq(of_rows_i64(rows, 0, 1), (long long)N * SIZE - (N * (N - 1)) / 2);
    cr_expect_eq(of_rows_i64(rows, 0, 2), N);
    of_rows_free(rows);
    free(big);
    of_db_close(b);
    of_config_destroy(c);
}

/* A statement run as the administrator of the stack's server in folder `server` (mysql, mysql-seller ...) over its
 * socket: what the app user may not (SET GLOBAL). */
static void admin_sql(const char *server, const char *sql) {
    const char *state = getenv("OF_STATE_DIR");
    cr_assert_not_null(state, "OF_STATE_DIR (run through scripts/test.sh)");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "mariadb --no-defaults --socket='%s/%s/mysqld.sock' --user=\"$(id -un)\" -e \"%s\"",
             state, server, sql);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
}
static void seller_binlog_format(const char *format) {
    char sql[80];
    snprintf(sql, sizeof sql, "SET GLOBAL binlog_format = '%s'", format);
    admin_sql("mysql-seller", sql);
}
static void seller_row_format(void) {
    seller_binlog_format("ROW");
}

/* A server that refuses a bulk before writing (a binary log in STATEMENT format: 4033) gets the multi-row statements:
 * every row stored, the connection stops trying (the next call prepares its sizes, not the one-row bulk again). */
Test(db_multi, d_rt_16_a_server_that_refuses_bulks_gets_the_multi_row_statements, .fini = seller_row_format) {
    seller_binlog_format("STATEMENT");
    char err[256];
    of_db_t *b = of_db_connect_to(cfg, of_cfg_str(cfg, OF_CFG_SITE_SELLER_HOST),
                                  (unsigned int)of_cfg_int(cfg, OF_CFG_SITE_SELLER_PORT),
                                  of_cfg_str(cfg, OF_CFG_MYSQL_SELLER_DB), err, sizeof err);
    cr_assert_not_null(b, "the seller site: %s", err);
    /* MyISAM: InnoDB at the stack's READ COMMITTED cannot be logged as statements at all (1665, bulk or not) */
    itc_sql(b, "CREATE TEMPORARY TABLE itc_refused (id INT NOT NULL PRIMARY KEY, name VARCHAR(32) NOT NULL) "
               "ENGINE=MyISAM");
    of_db_multi_t m;
    cr_assert_eq(of_db_register_multi(b, "INSERT INTO itc_refused (id, name) VALUES ", "(?, ?)", "", &m), OF_OK);
    cr_assert(m.bulk);
    of_param_t p[2 * 70];
    for (int i = 0; i < 70; i++) {
        p[i * 2] = OFP_I(i);
        p[i * 2 + 1] = OFP_S("refused");
    }
    uint64_t aff = 0;
    cr_assert_eq(of_db_exec_multi(b, &m, p, 40, &aff, err, sizeof err), OF_OK, "refused, then multi-row: %s", err);
    cr_expect_eq(aff, 40);
    cr_assert_eq(of_db_exec_multi(b, &m, p + 80, 30, &aff, err, sizeof err), OF_OK, "%s", err);
    cr_expect_eq(aff, 30);
    int st = of_db_register(b, "SELECT COUNT(*), MIN(id), MAX(id) FROM itc_refused");
    of_rows_t *rows = NULL;
    cr_assert_eq(of_db_query(b, st, NULL, 0, &rows, err, sizeof err), OF_OK, "%s", err);
    cr_expect_eq(of_rows_i64(rows, 0, 0), 70, "every row, none twice");
    cr_expect_eq(of_rows_i64(rows, 0, 1), 0);
    cr_expect_eq(of_rows_i64(rows, 0, 2), 69);
    of_rows_free(rows);
    of_db_close(b);
}

/* The one-row statement of a bulk runs a single row after it (its array size put back), and a bulk again, also on a
 * new connection after the old one was lost; the older split and upsert cases hold without bulk (OF_MYSQL_BULK=0,
 * what a MySQL server or a refused bulk gets). */
Test(db_multi, d_rt_16_one_row_after_a_bulk_and_a_bulk_after_a_reconnect) {
    of_config_t *c;
    int status;
    of_db_multi_t m;
    of_db_t *b = bulk_conn("1", &c, &status, &m);
    uint64_t aff = 0;
    cr_assert_eq(bulk_put(b, &m, 0, 50, &aff), OF_OK);
    cr_assert_eq(bulk_put(b, &m, 50, 1, &aff), OF_OK, "one row on the statement the bulk used");
    cr_expect_eq(aff, 1);
    cr_assert_eq(bulk_put(b, &m, 51, 49, &aff), OF_OK);
    cr_expect_eq(aff, 49);
    expect_bulk_rows(b, 100);
    of_db_close(b);
    of_config_destroy(c);

    char err[256];
    of_db_t *k = of_db_connect(cfg, NULL, err, sizeof err);
    cr_assert_not_null(k, "%s", err);
    itc_sql(k, "CREATE TABLE IF NOT EXISTS itc_bulk_kept (id INT NOT NULL PRIMARY KEY, name VARCHAR(32) NOT NULL)");
    itc_sql(k, "TRUNCATE TABLE itc_bulk_kept");
    of_db_multi_t km;
    cr_assert_eq(of_db_register_multi(k, "INSERT INTO itc_bulk_kept (id, name) VALUES ", "(?, ?)", "", &km), OF_OK);
    int conn = of_db_register(k, "SELECT CONNECTION_ID()");
    of_param_t p[2 * 20];
    for (int i = 0; i < 20; i++) {
        p[i * 2] = OFP_I(i);
        p[i * 2 + 1] = OFP_S("kept");
    }
    cr_assert_eq(of_db_exec_multi(k, &km, p, 10, &aff, err, sizeof err), OF_OK, "%s", err);
    of_rows_t *rows = NULL;
    cr_assert_eq(of_db_query(k, conn, NULL, 0, &rows, err, sizeof err), OF_OK, "%s", err);
    char kill[64];
    snprintf(kill, sizeof kill, "KILL CONNECTION %lld", of_rows_i64(rows, 0, 0));
    of_rows_free(rows);
    itc_sql(db, kill);
    cr_expect_neq(of_db_exec_multi(k, &km, p + 20, 10, &aff, err, sizeof err), OF_OK, "the loss seen here");
    cr_assert_eq(of_db_exec_multi(k, &km, p + 20, 10, &aff, err, sizeof err), OF_OK, "after reconnecting: %s", err);
    cr_expect_eq(aff, 10);
    int cnt = of_db_register(k, "SELECT COUNT(*) FROM itc_bulk_kept");
    cr_assert_eq(of_db_query(k, cnt, NULL, 0, &rows, err, sizeof err), OF_OK, "%s", err);
    cr_expect_eq(of_rows_i64(rows, 0, 0), 20);
    of_rows_free(rows);
    itc_sql(k, "DROP TABLE itc_bulk_kept");
    of_db_close(k);
}

static void without_bulk(void) { /* the suite's connection again, with OF_MYSQL_BULK=0 (teardown closes it) */
    of_db_close(db);
    of_config_destroy(cfg);
    setenv("OF_MYSQL_BULK", "0", 1);
    setup();
    unsetenv("OF_MYSQL_BULK");
}
Test(db_multi, d_rt_16_without_bulk_row_counts_split_into_the_prepared_sizes) {
    without_bulk();
    split_into_sizes();
}
Test(db_multi, d_rt_16_without_bulk_upserts_count_updates_and_a_failing_part_fails_the_call) {
    without_bulk();
    upserts_and_a_failing_part();
}

static void main_packet(long bytes) {
    char sql[80];
    snprintf(sql, sizeof sql, "SET GLOBAL max_allowed_packet = %ld", bytes);
    admin_sql("mysql", sql);
}
static long packet_before;
static void main_packet_back(void) {
    if (packet_before) main_packet(packet_before);
}

/* A connection reads the server's max_allowed_packet and keeps a statement's data within half of it
 * (of_db_part_bytes, which the dlq-recorder uses for its originals too): 1.5 MB of rows under a 1 MB packet go in
 * parts, where one 4 MB part would be refused (1153) again and again. */
Test(db_multi, d_rt_16_parts_stay_within_half_the_servers_packet, .fini = main_packet_back) {
    char err[256];
    int st = of_db_register(db, "SELECT @@GLOBAL.max_allowed_packet");
    of_rows_t *rows = NULL;
    cr_assert_eq(of_db_query(db, st, NULL, 0, &rows, err, sizeof err), OF_OK, "%s", err);
    packet_before = of_rows_i64(rows, 0, 0);
    of_rows_free(rows);
    cr_assert_gt(packet_before, 2 * 1024 * 1024);
    cr_expect_eq(of_db_part_bytes(db), OF_DB_BULK_BYTES < packet_before / 2 ? OF_DB_BULK_BYTES : packet_before / 2);
    main_packet(1024 * 1024);
    of_config_t *c;
    int status;
    of_db_t *b = bulk_conn("1", &c, &status, NULL);
    cr_expect_eq(of_db_part_bytes(b), 512 * 1024);
    of_db_multi_t m;
    cr_assert_eq(of_db_register_multi(b, "INSERT INTO itc_bulk (id, big) VALUES ", "(?, ?)", "", &m), OF_OK);
    enum { N = 12, SIZE = 128 * 1024 };
    char *big = malloc(SIZE);
    memset(big, 'x', SIZE);
    of_param_t p[N * 2];
    for (int i = 0; i < N; i++) {
        p[i * 2] = OFP_I(i);
        p[i * 2 + 1] = OFP_BN(big, SIZE);
    }
    uint64_t aff = 0;
    cr_assert_eq(of_db_exec_multi(b, &m, p, N, &aff, err, sizeof err), OF_OK, "%s", err);
    cr_expect_eq(aff, N);
    free(big);
    of_db_close(b);
    of_config_destroy(c);
}
