/* itc_side.c -- of_side against the stack's real MariaDB (D-MOD-55): a job runs on a connection of its own while the
 * caller goes on with its own, sees what is committed and not the caller's open transaction, reports its error; one
 * job at a time; its session (OF_SIDE_SESSION) also after a reconnection; a side that cannot connect reports
 * OF_ERR_TRANSIENT; freeing waits for a job still out; a job that marks part of its work done (D-MOD-59) hands that
 * part over while it goes on. Needs OF_CONFIG. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "of_config.h"
#include "of_db.h"
#include "of_side.h"
#include "itc_stack.h"

static of_config_t *cfg;
static of_db_t *db;

static void setup(void) {
    itc_open(&cfg, &db);
}
static void teardown(void) {
    of_db_close(db);
    of_config_destroy(cfg);
}
TestSuite(side, .init = setup, .fini = teardown);

typedef struct {
    const char *sql; /* one value, one row */
    of_db_t *on;     /* the connection the job ran on */
    int st;
    long long value;
    int ran;
    int swallow; /* report OF_OK whatever the query gave (got): as trade-modify's side job, which keeps its errors */
    of_err_t got;
} job_t;

static of_err_t one_value(of_db_t *d, void *arg, char *err, size_t size) {
    job_t *j = arg;
    if (j->on != d) {
        j->on = d;
        if ((j->st = of_db_register(d, j->sql)) < 0) return of_seterr(err, size, OF_ERR_NOMEM, "registry full");
    }
    of_rows_t *r;
    of_err_t e = of_db_query(d, j->st, NULL, 0, &r, err, size);
    j->got = e;
    if (e) return j->swallow ? OF_OK : e;
    j->value = r->nrows ? of_rows_i64(r, 0, 0) : -1;
    j->ran++;
    of_rows_free(r);
    return OF_OK;
}

static long long main_value(const char *sql) {
    int st = of_db_register(db, sql);
    cr_assert(st >= 0);
    of_rows_t *r;
    char err[256];
    cr_assert_eq(of_db_query(db, st, NULL, 0, &r, err, sizeof err), OF_OK, "%s", err);
    long long v = of_rows_i64(r, 0, 0);
    of_rows_free(r);
    return v;
}

Test(side, d_mod_55_a_job_runs_on_a_connection_of_its_own_and_returns_its_result) {
    of_side_t *s = of_side_new(cfg);
    cr_assert_not_null(s);
    job_t j = {.sql = "SELECT CONNECTION_ID()"};
    char err[256] = "";
    cr_assert_eq(of_side_start(s, one_value, &j), 0);
    cr_assert(of_side_busy(s));
    cr_assert_eq(of_side_start(s, one_value, &j), -1, "a second job while the first is out");
    cr_assert_eq(of_side_wait(s, err, sizeof err), OF_OK, "%s", err);
    cr_assert_not(of_side_busy(s));
    cr_assert_eq(j.ran, 1);
    cr_assert(j.value > 0);
    cr_assert_neq(j.value, main_value("SELECT CONNECTION_ID()"), "the side's connection is not the caller's");
    long long first = j.value;
    /* the next job: the same connection (opened once) */
    cr_assert_eq(of_side_start(s, one_value, &j), 0);
    cr_assert_eq(of_side_wait(s, err, sizeof err), OF_OK, "%s", err);
    cr_assert_eq(j.ran, 2);
    cr_assert_eq(j.value, first);
    cr_assert_eq(of_side_wait(s, err, sizeof err), OF_OK, "nothing out: nothing to wait for");
    job_t ses = {.sql = "SELECT @@autocommit * 10 + @@lock_wait_timeout"};
    cr_assert_eq(of_side_start(s, one_value, &ses), 0);
    cr_assert_eq(of_side_wait(s, err, sizeof err), OF_OK, "%s", err);
    cr_assert_eq(ses.value, 12,
                 "the side's session: autocommit on, table locks waited for at most 2 s (OF_SIDE_SESSION)");
    of_side_free(s);
}

Test(side, d_mod_55_a_job_sees_what_is_committed_not_the_callers_open_transaction) {
    itc_sql(db, "DELETE FROM cfg_setting WHERE setting_key = 'itc_side_marker'");
    itc_sql(db, "BEGIN");
    itc_sql(db, "INSERT INTO cfg_setting (setting_key, setting_value) VALUES ('itc_side_marker', '1')");
    of_side_t *s = of_side_new(cfg);
    job_t j = {.sql = "SELECT COUNT(*) FROM cfg_setting WHERE setting_key = 'itc_side_marker'"};
    char err[256] = "";
    cr_assert_eq(of_side_start(s, one_value, &j), 0);
    cr_assert_eq(of_side_wait(s, err, sizeof err), OF_OK, "%s", err);
    cr_assert_eq(j.value, 0, "the caller's row is not committed: the side does not see it");
    cr_assert_eq(main_value("SELECT COUNT(*) FROM cfg_setting WHERE setting_key = 'itc_side_marker'"), 1);
    itc_sql(db, "ROLLBACK");
    itc_sql(db, "INSERT INTO cfg_setting (setting_key, setting_value) VALUES ('itc_side_marker', '1')");
    cr_assert_eq(of_side_start(s, one_value, &j), 0);
    cr_assert_eq(of_side_wait(s, err, sizeof err), OF_OK, "%s", err);
    cr_assert_eq(j.value, 1, "committed: the side sees it");
    itc_sql(db, "DELETE FROM cfg_setting WHERE setting_key = 'itc_side_marker'");
    of_side_free(s);
}

Test(side, d_mod_55_a_reconnected_side_has_its_session_again) {
    of_side_t *s = of_side_new(cfg);
    job_t id = {.sql = "SELECT CONNECTION_ID()"};
    char err[256] = "", kill[64];
    cr_assert_eq(of_side_start(s, one_value, &id), 0);
    cr_assert_eq(of_side_wait(s, err, sizeof err), OF_OK, "%s", err);
    snprintf(kill, sizeof kill, "KILL CONNECTION %lld", id.value);
    itc_sql(db, kill);
    job_t lost = {.sql = "SELECT 1", .swallow = 1};
    cr_assert_eq(of_side_start(s, one_value, &lost), 0);
    cr_assert_eq(of_side_wait(s, err, sizeof err), OF_OK, "the job keeps its error");
    cr_assert_neq(lost.got, OF_OK, "the killed connection's next statement fails");
    job_t ses = {.sql = "SELECT @@autocommit * 10 + @@lock_wait_timeout"};
    cr_assert_eq(of_side_start(s, one_value, &ses), 0);
    cr_assert_eq(of_side_wait(s, err, sizeof err), OF_OK, "%s", err);
    cr_assert_eq(ses.value, 12, "reconnected: the side's session again (OF_SIDE_SESSION)");
    job_t id2 = {.sql = "SELECT CONNECTION_ID()"};
    cr_assert_eq(of_side_start(s, one_value, &id2), 0);
    cr_assert_eq(of_side_wait(s, err, sizeof err), OF_OK, "%s", err);
    cr_assert_neq(id2.value, id.value, "a new connection");
    of_side_free(s);
}

Test(side, d_mod_55_a_failing_job_reports_its_error_and_the_side_goes_on) {
    of_side_t *s = of_side_new(cfg);
    job_t bad = {.sql = "SELECT no_such_column FROM cfg_setting"};
    char err[256] = "";
    cr_assert_eq(of_side_start(s, one_value, &bad), 0);
    of_err_t e = of_side_wait(s, err, sizeof err);
    cr_assert_neq(e, OF_OK);
    cr_assert(strstr(err, "no_such_column"), "the job's message: %s", err);
    job_t ok = {.sql = "SELECT 42"};
    cr_assert_eq(of_side_start(s, one_value, &ok), 0);
    cr_assert_eq(of_side_wait(s, err, sizeof err), OF_OK, "%s", err);
    cr_assert_eq(ok.value, 42);
    of_side_free(s);
}

/* The stack's configuration with a MySQL port nothing listens on (the caller destroys it). */
static of_config_t *unreachable_cfg(void) {
    char err[256] = "";
    of_config_t *c = of_config_load(NULL, err, sizeof err);
    cr_assert_not_null(c, "%s", err);
    cr_assert_eq(of_cfg_set(c, OF_CFG_MYSQL_PORT, "1", err, sizeof err), OF_OK, "%s", err);
    return c;
}

Test(side, d_mod_55_a_side_that_cannot_connect_reports_a_transient_error) {
    char err[256] = "";
    of_config_t *c2 = unreachable_cfg();
    of_side_t *s = of_side_new(c2);
    job_t j = {.sql = "SELECT 1"};
    cr_assert_eq(of_side_start(s, one_value, &j), 0);
    cr_assert_eq(of_side_wait(s, err, sizeof err), OF_ERR_TRANSIENT);
    cr_assert(err[0], "a reason");
    cr_assert_eq(j.ran, 0, "the job did not run without a connection");
    of_side_free(s);
    of_config_destroy(c2);
}

Test(side, d_mod_55_freeing_waits_for_a_job_still_out) {
    of_side_t *s = of_side_new(cfg);
    job_t j = {.sql = "SELECT SLEEP(0.3) + 7"};
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    cr_assert_eq(of_side_start(s, one_value, &j), 0);
    of_side_free(s); /* no wait first */
    clock_gettime(CLOCK_MONOTONIC, &b);
    cr_assert_eq(j.ran, 1, "the job ran to its end");
    cr_assert_eq(j.value, 7);
    cr_assert((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 >= 250, "it was waited for");
    of_side_free(NULL);
}

/* D-MOD-59: a job that marks part of its work done (the sub-orders), then goes on (the customers) */
typedef struct {
    of_side_t *s;
    job_t first, second; /* read before the mark, after it */
    int done;            /* set by the job at its very end */
} two_part_t;

static of_err_t two_parts(of_db_t *d, void *arg, char *err, size_t size) {
    two_part_t *t = arg;
    of_err_t e = one_value(d, &t->first, err, size);
    of_side_mark(t->s);
    if (!e) e = one_value(d, &t->second, err, size);
    t->done = 1;
    return e;
}

Test(side, d_mod_59_the_marked_part_is_the_callers_while_the_job_goes_on) {
    of_side_t *s = of_side_new(cfg);
    two_part_t t = {.s = s, .first = {.sql = "SELECT 5"}, .second = {.sql = "SELECT SLEEP(0.8) + 9"}};
    char err[256] = "";
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    cr_assert_eq(of_side_start(s, two_parts, &t), 0);
    cr_assert_eq(of_side_wait_mark(s), 1, "the job marked");
    clock_gettime(CLOCK_MONOTONIC, &b);
    cr_assert_eq(t.first.value, 5, "what the job read before the mark is there");
    cr_assert((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < 500,
              "returned at the mark, not after the job's 0.8 s second part");
    cr_assert(of_side_busy(s), "the job is still to be collected");
    cr_assert_eq(of_side_wait_mark(s), 1, "waiting for the mark again returns at once");
    cr_assert_eq(of_side_wait(s, err, sizeof err), OF_OK, "%s", err);
    cr_assert_eq(t.done, 1);
    cr_assert_eq(t.second.value, 9);
    cr_assert_eq(of_side_wait_mark(s), 0, "collected: nothing to wait for");
    /* the next job starts unmarked */
    two_part_t u = {.s = s, .first = {.sql = "SELECT 6"}, .second = {.sql = "SELECT 10"}};
    cr_assert_eq(of_side_start(s, two_parts, &u), 0);
    cr_assert_eq(of_side_wait_mark(s), 1);
    cr_assert_eq(u.first.value, 6);
    cr_assert_eq(of_side_wait(s, err, sizeof err), OF_OK, "%s", err);
    cr_assert_eq(u.second.value, 10);
    of_side_free(s);
}

Test(side, d_mod_59_a_job_that_ends_without_marking_is_not_taken_for_marked) {
    of_side_t *s = of_side_new(cfg);
    job_t j = {.sql = "SELECT SLEEP(0.1) + 3"};
    char err[256] = "";
    cr_assert_eq(of_side_wait_mark(s), 0, "no job");
    cr_assert_eq(of_side_start(s, one_value, &j), 0);
    cr_assert_eq(of_side_wait_mark(s), 0, "it ended without marking");
    cr_assert_eq(j.ran, 1, "returned once the job had ended");
    cr_assert_eq(of_side_wait(s, err, sizeof err), OF_OK, "%s", err);
    cr_assert_eq(j.value, 3);
    of_side_free(s);
    /* a side that cannot connect: the job never runs, so never marks */
    of_config_t *c2 = unreachable_cfg();
    of_side_t *s2 = of_side_new(c2);
    job_t k = {.sql = "SELECT 1"};
    cr_assert_eq(of_side_start(s2, one_value, &k), 0);
    cr_assert_eq(of_side_wait_mark(s2), 0);
    cr_assert_eq(of_side_wait(s2, err, sizeof err), OF_ERR_TRANSIENT);
    of_side_free(s2);
    of_config_destroy(c2);
}
