/* itc_db_tx.c -- of_db_tx against the stack's real MariaDB: after a stop (of_db_set_interrupt's flag) a connection that
 * opted in (of_db_set_stop_abandon) begins no transaction and abandons one 2 s old before its next statement, while a
 * younger one, or one on a connection that did not opt in, runs to its commit (D-RT-12); a transient error that every
 * attempt failed with is reported as that error, attempts that failed differently are not (of_db_tx_gave_up_on,
 * D-MOD-45). Needs OF_CONFIG. */
#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include "of_config.h"
#include "of_db.h"
#include "itc_stack.h"

static of_config_t *cfg;
static of_db_t *db;
static volatile sig_atomic_t stop;
static int calls, count_rows;

static void setup(void) {
    itc_open(&cfg, &db);
    itc_sql(db, "CREATE TEMPORARY TABLE itc_tx (id INT NOT NULL PRIMARY KEY)");
    itc_sql(db, "INSERT INTO itc_tx VALUES (1)");
    count_rows = of_db_register(db, "SELECT COUNT(*) FROM itc_tx");
    cr_assert(count_rows >= 0);
    char err[256];
    cr_assert_eq(of_cfg_set(cfg, OF_CFG_TX_RETRIES, "2", err, sizeof err), OF_OK, "%s", err);
    of_db_set_interrupt(&stop);
}
static void teardown(void) {
    of_db_close(db);
    of_config_destroy(cfg);
}
TestSuite(db_tx, .init = setup, .fini = teardown);

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* a statement, the stop asked (after age_ms), another statement */
static of_err_t stop_between(of_db_t *d, void *ctx, char *err, size_t size) {
    calls++;
    of_err_t e = of_db_plain(d, "INSERT INTO itc_tx VALUES (2)", err, size);
    if (e) return e;
    sleep_ms(*(const long *)ctx);
    stop = 1;
    return of_db_plain(d, "INSERT INTO itc_tx VALUES (3)", err, size);
}

static int rows(void) {
    of_rows_t *r;
    char err[256];
    cr_assert_eq(of_db_query(db, count_rows, NULL, 0, &r, err, sizeof err), OF_OK, "%s", err);
    int n = (int)of_rows_i64(r, 0, 0);
    of_rows_free(r);
    return n;
}

Test(db_tx, d_rt_12_after_a_stop_a_connection_that_opted_in_begins_no_transaction) {
    char err[256];
    long young = 0;
    stop = 1;
    of_db_set_stop_abandon(db, 1);
    cr_expect_eq(of_db_tx(db, stop_between, &young, err, sizeof err), OF_ERR_TRANSIENT);
    cr_expect_eq(calls, 0, "the transaction's function ran");
    cr_expect(strstr(err, "stopping: no transaction begins after a stop"), "%s", err);
    cr_expect_eq(of_db_tx_gave_up_on(db), 0u);
    of_db_set_stop_abandon(db, 0); /* the default: the stop is not this connection's concern */
    cr_expect_eq(of_db_tx(db, stop_between, &young, err, sizeof err), OF_OK, "%s", err);
    cr_expect_eq(calls, 1);
    cr_expect_eq(rows(), 3);
}

Test(db_tx, d_rt_12_a_transaction_2_s_old_sends_no_statement_after_a_stop_a_younger_one_commits) {
    char err[256];
    of_db_set_stop_abandon(db, 1);
    long young = 100;
    cr_expect_eq(of_db_tx(db, stop_between, &young, err, sizeof err), OF_OK, "%s", err);
    cr_expect_eq(rows(), 3, "the younger transaction's two rows committed");
    itc_sql(db, "DELETE FROM itc_tx WHERE id > 1");
    stop = 0;
    long old = OF_DB_STOP_GRACE_MS + 100;
    cr_expect_eq(of_db_tx(db, stop_between, &old, err, sizeof err), OF_ERR_TRANSIENT);
    cr_expect(strstr(err, "was abandoned before its next statement"), "%s", err);
    cr_expect_eq(calls, 2, "not tried again after the stop");
    cr_expect_eq(rows(), 1, "rolled back: its first row is not there");
}

/* fails every attempt on a duplicate key (as trade-modify classes it: transient), or only the first ones */
static of_err_t duplicate(of_db_t *d, void *ctx, char *err, size_t size) {
    calls++;
    if (ctx && calls > 2) return of_seterr(err, size, OF_ERR_TRANSIENT, "something else, no statement failed");
    of_err_t e = of_db_plain(d, "INSERT INTO itc_tx VALUES (1)", err, size);
    return e == OF_ERR_DUPLICATE ? OF_ERR_TRANSIENT : e;
}

Test(db_tx, d_mod_45_the_error_every_attempt_failed_with_is_reported_a_mix_is_not) {
    char err[256];
    cr_expect_eq(of_db_tx(db, duplicate, NULL, err, sizeof err), OF_ERR_TRANSIENT);
    cr_expect_eq(calls, 3, "OF_TX_RETRIES 2: three attempts");
    cr_expect_eq(of_db_tx_gave_up_on(db), 1062u, "%s", err);
    calls = 0;
    cr_expect_eq(of_db_tx(db, duplicate, (void *)1, err, sizeof err), OF_ERR_TRANSIENT);
    cr_expect_eq(calls, 3);
    cr_expect_eq(of_db_tx_gave_up_on(db), 0u, "the last attempt failed otherwise");
    cr_expect_eq(of_db_tx(db, stop_between, &(long){0}, err, sizeof err), OF_OK, "%s", err);
    cr_expect_eq(of_db_tx_gave_up_on(db), 0u, "committed");
}

/* fails as transient and asks for the stop 10 ms later, while of_db_tx sleeps its first backoff (20-30 ms) */
static void on_alarm(int sig) {
    (void)sig;
    stop = 1;
}
static of_err_t fails_then_stop_in_backoff(of_db_t *d, void *ctx, char *err, size_t size) {
    (void)d;
    (void)ctx;
    if (calls++ == 0) {
        signal(SIGALRM, on_alarm);
        struct itimerval t = {.it_value = {0, 10000}};
        setitimer(ITIMER_REAL, &t, NULL);
    }
    return of_seterr(err, size, OF_ERR_TRANSIENT, "a lock wait, say");
}

Test(db_tx, d_rt_12_a_stop_during_the_backoff_begins_no_attempt_more) {
    char err[256];
    cr_expect_eq(of_db_tx(db, fails_then_stop_in_backoff, NULL, err, sizeof err), OF_ERR_TRANSIENT);
    cr_expect_eq(calls, 1, "an attempt began after the stop");
    cr_expect(strstr(err, "a lock wait, say"), "%s", err);
}

Test(db_tx, d_mod_45_one_attempt_alone_is_no_giving_up) {
    char err[256];
    cr_assert_eq(of_cfg_set(cfg, OF_CFG_TX_RETRIES, "0", err, sizeof err), OF_OK, "%s", err);
    cr_expect_eq(of_db_tx(db, duplicate, NULL, err, sizeof err), OF_ERR_TRANSIENT);
    cr_expect_eq(calls, 1, "OF_TX_RETRIES 0: one attempt");
    cr_expect_eq(of_db_tx_gave_up_on(db), 0u, "a race is not told from a lasting duplicate by one attempt");
}
