/* itc_lua.c -- the Redis scripts of lua/ against the stack's real Redis: DLV-1 sequence, dedupe claim /
 * done / release, EVALSHA with NOSCRIPT reload; the flash-sale job scripts (FS-2, FS-3) step by step beside their
 * specification of_fsjob.h on the same clock. Needs OF_CONFIG (scripts/test.sh sets it). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "of_config.h"
#include "of_fsjob.h"
#include "of_redis.h"

static of_config_t *cfg;
static of_redis_t *r;
static char prefix[64];

static void setup(void) {
    char err[256];
    cfg = of_config_load(NULL, err, sizeof err);
    cr_assert_not_null(cfg, "config: %s (run through scripts/test.sh)", err);
    r = of_redis_connect(cfg, err, sizeof err);
    cr_assert_not_null(r, "redis: %s", err);
    snprintf(prefix, sizeof prefix, "itc:lua:%d:", (int)getpid());
}
static void teardown(void) {
    of_redis_close(r);
    of_config_destroy(cfg);
}
TestSuite(lua, .init = setup, .fini = teardown);

static long long run(of_lua_t s, const char *key, int nargs, const char *const *args) {
    char k[128], err[256];
    snprintf(k, sizeof k, "%s%s", prefix, key);
    const char *keys[] = {k};
    long long v = -99;
    cr_assert_eq(of_redis_eval_int(r, s, 1, keys, nargs, args, &v, err, sizeof err), OF_OK, "%s", err);
    return v;
}

Test(lua, DLV_1_sequence_counts_up_and_wraps_to_1_after_max) {
    const char *max[] = {"3"};
    cr_expect_eq(run(OF_LUA_SEQUENCE, "seq", 1, max), 1);
    cr_expect_eq(run(OF_LUA_SEQUENCE, "seq", 1, max), 2);
    cr_expect_eq(run(OF_LUA_SEQUENCE, "seq", 1, max), 3);
    cr_expect_eq(run(OF_LUA_SEQUENCE, "seq", 1, max), 1, "never returns max+1 (the seed's off-by-one)");
    cr_expect_eq(run(OF_LUA_SEQUENCE, "seq", 1, max), 2);
}

Test(lua, DLV_1_sequence_default_max_is_99900) {
    char k[128], err[256];
    snprintf(k, sizeof k, "%sseq2", prefix);
    const char *argv[] = {"SET", k, "99899"};
    redisReply *rep;
    cr_assert_eq(of_redis_cmd(r, 3, argv, &rep, err, sizeof err), OF_OK);
    freeReplyObject(rep);
    cr_expect_eq(run(OF_LUA_SEQUENCE, "seq2", 0, NULL), 99900);
    cr_expect_eq(run(OF_LUA_SEQUENCE, "seq2", 0, NULL), 1);
}

Test(lua, dedupe_claim_done_release) {
    const char *a[] = {"owner-a", "60000"}, *b[] = {"owner-b", "60000"};
    cr_expect_eq(run(OF_LUA_DEDUPE_CLAIM, "d1", 2, a), 1, "first claim");
    cr_expect_eq(run(OF_LUA_DEDUPE_CLAIM, "d1", 2, a), 1, "re-entrant for the same owner");
    cr_expect_eq(run(OF_LUA_DEDUPE_CLAIM, "d1", 2, b), 2, "another owner sees it in flight");
    const char *rb[] = {"owner-b"}, *ra[] = {"owner-a"};
    cr_expect_eq(run(OF_LUA_DEDUPE_RELEASE, "d1", 1, rb), 0, "only the owner releases");
    cr_expect_eq(run(OF_LUA_DEDUPE_RELEASE, "d1", 1, ra), 1);
    cr_expect_eq(run(OF_LUA_DEDUPE_CLAIM, "d1", 2, b), 1, "free again after release");
    const char *ttl[] = {"60000"};
    cr_expect_eq(run(OF_LUA_DEDUPE_DONE, "d1", 1, ttl), 1);
    cr_expect_eq(run(OF_LUA_DEDUPE_CLAIM, "d1", 2, a), 3, "done: a duplicate");
    cr_expect_eq(run(OF_LUA_DEDUPE_RELEASE, "d1", 1, rb), 0, "done is never released");
}

Test(lua, claim_expires) {
    const char *a[] = {"owner-a", "100"}, *b[] = {"owner-b", "100"};
    cr_expect_eq(run(OF_LUA_DEDUPE_CLAIM, "d2", 2, a), 1);
    usleep(250 * 1000);
    cr_expect_eq(run(OF_LUA_DEDUPE_CLAIM, "d2", 2, b), 1, "a crashed owner's claim lapses");
}

Test(lua, noscript_reloads) {
    char err[256];
    const char *argv[] = {"SCRIPT", "FLUSH"};
    redisReply *rep;
    cr_assert_eq(of_redis_cmd(r, 2, argv, &rep, err, sizeof err), OF_OK);
    freeReplyObject(rep);
    const char *max[] = {"10"};
    cr_expect_eq(run(OF_LUA_SEQUENCE, "seq3", 1, max), 1, "EVALSHA after SCRIPT FLUSH reloads and retries");
}

/* ---- FS-2: the job scripts, in step with their specification (of_fsjob.h), on the same clock ---- */
static char *hget(const char *key, const char *field, char *buf, size_t size) {
    char k[128], err[256];
    snprintf(k, sizeof k, "%s%s", prefix, key);
    const char *argv[] = {"HGET", k, field};
    redisReply *rep = NULL;
    cr_assert_eq(of_redis_cmd(r, 3, argv, &rep, err, sizeof err), OF_OK, "%s", err);
    snprintf(buf, size, "%s", rep->type == REDIS_REPLY_STRING ? rep->str : "");
    freeReplyObject(rep);
    return buf;
}
static long long hnum(const char *key, const char *field) {
    char b[64];
    return atoll(hget(key, field, b, sizeof b));
}
/* fsjob_start.lua at now with delivery d (the job's fields written when the hash is new) */
static long long js_start_max(const char *key, long long now, const char *d, const char *max) {
    char n[24];
    snprintf(n, sizeof n, "%lld", now);
    const char *a[] = {n, "5000", max, "600000", d, "user_id", "7", "batch_id", "9", "num", "1", "line", "0"};
    return run(OF_LUA_FSJOB_START, key, 13, a);
}
static long long js_start(const char *key, long long now, const char *d) {
    return js_start_max(key, now, d, "3");
}
static long long js_peek(const char *key, long long now) {
    char n[24];
    snprintf(n, sizeof n, "%lld", now);
    const char *a[] = {n};
    return run(OF_LUA_FSJOB_PEEK, key, 1, a);
}
static long long js_reap(const char *key, long long now) {
    char n[24];
    snprintf(n, sizeof n, "%lld", now);
    const char *a[] = {n, "1000"};
    return run(OF_LUA_FSJOB_REAP, key, 2, a);
}
#define T0 1000000LL

Test(lua, FS_2_fsjob_start_and_reap_follow_of_fsjob) {
    char b[64];
    of_fsjob_t j = {.state = OF_FSJ_INACTIVE, .attempts_max = 3, .ttl_ms = 5000, .backoff_ms = 1000};
    cr_expect_eq(js_start("j1", T0, "w1:0:10"), 1, "a new record: attempt 1");
    cr_expect_eq(of_fsjob_start(&j, T0), 0);
    cr_expect_str_eq(hget("j1", "state", b, sizeof b), of_fsjob_state_name(j.state));
    cr_expect_eq(hnum("j1", "attempts_made"), j.attempts_made);
    cr_expect_eq(hnum("j1", "deadline"), j.deadline_ms, "deadline = now + TTL");
    cr_expect_eq(hnum("j1", "user_id"), 7, "the job's fields from the message");
    cr_expect_eq(js_start("j1", T0 + 10, "w1:0:10"), 1, "the same delivery handed again: the same attempt");
    cr_expect_eq(hnum("j1", "attempts_made"), 1);
    cr_expect_eq(hnum("j1", "deadline"), T0 + 5010, "its deadline counts from the retry (the worker is alive)");
    j.deadline_ms = T0 + 5010; /* of_fsjob has no deliveries: the same attempt again is the worker's concern */

    cr_expect_eq(js_reap("j1", T0 + 5009), 0, "not past its deadline");
    cr_expect_not(of_fsjob_expired(&j, T0 + 5009));
    cr_expect_eq(js_reap("j1", T0 + 5010), 1, "TTL exceeded: delayed");
    cr_expect(of_fsjob_expired(&j, T0 + 5010));
    of_fsjob_fail(&j, T0 + 5010, 0);
    cr_expect_str_eq(hget("j1", "state", b, sizeof b), of_fsjob_state_name(j.state));
    cr_expect_eq(hnum("j1", "promote_at"), j.promote_ms, "promote time = now + backoff after attempt 1");

    cr_expect_eq(js_peek("j1", T0 + 5400), 610, "redelivered before the backoff is over: wait");
    cr_expect_eq(of_fsjob_wait(&j, T0 + 5400), 610);
    cr_expect_str_eq(hget("j1", "state", b, sizeof b), "delayed", "a peek changes nothing");
    cr_expect_eq(js_peek("j1", T0 + 6009), 1, "1 ms left");
    cr_expect_eq(of_fsjob_wait(&j, T0 + 6009), 1);
    cr_expect_eq(js_peek("j1", T0 + 6010), 0, "over");
    cr_expect_eq(of_fsjob_wait(&j, T0 + 6010), 0);
    cr_expect_eq(js_start("j1", T0 + 6010, "w2:0:10"), 2, "backoff over: attempt 2");
    cr_expect_eq(of_fsjob_start(&j, T0 + 6010), 0);
    cr_expect_eq(hnum("j1", "attempts_made"), j.attempts_made);

    cr_expect_eq(js_start("j1", T0 + 6100, "w3:0:10"), 3, "another delivery while active (its worker died): attempt 3");
    cr_expect_eq(of_fsjob_start(&j, T0 + 6100), 0);
    cr_expect_eq(js_reap("j1", T0 + 11100), 2, "the last attempt past its TTL: the caller fails it");
    cr_expect_eq(js_start("j1", T0 + 11200, "w4:0:10"), -3, "every attempt made: failed");
    cr_expect_eq(of_fsjob_start(&j, T0 + 11200), -1);
    cr_expect_str_eq(hget("j1", "state", b, sizeof b), of_fsjob_state_name(j.state));
    cr_expect_eq(js_start("j1", T0 + 11300, "w5:0:10"), 0, "failed is final: a replay");
}

Test(lua, FS_2_backoff_doubles_as_of_fsjob_backoff_says) {
    of_fsjob_t j = {.attempts_max = 10, .ttl_ms = 5000, .backoff_ms = 1000};
    long long now = T0;
    for (int n = 1; n <= 8; n++) {
        char d[32];
        snprintf(d, sizeof d, "w:%d", n);
        now += js_peek("j2", now); /* the previous backoff */
        long long got = js_start_max("j2", now, d, "10");
        cr_assert_eq(got, n, "attempt %d", n);
        now += 5000;
        cr_assert_eq(js_reap("j2", now), 1);
        cr_expect_eq(hnum("j2", "promote_at") - now, of_fsjob_backoff(&j, n), "backoff after attempt %d", n);
    }
}

Test(lua, FS_2_fsjob_peek_waits_at_most_60_s) {
    char k[128], err[256];
    snprintf(k, sizeof k, "%sj4", prefix);
    const char *argv[] = {"HSET", k, "state", "delayed", "promote_at", "4600000"};
    redisReply *rep = NULL;
    cr_assert_eq(of_redis_cmd(r, 6, argv, &rep, err, sizeof err), OF_OK, "%s", err);
    freeReplyObject(rep);
    of_fsjob_t j = {.state = OF_FSJ_DELAYED, .promote_ms = 4600000};
    cr_expect_eq(js_peek("j4", T0), 60000, "another host's clock: not waited for past 60 s");
    cr_expect_eq(of_fsjob_wait(&j, T0), 60000);
    cr_expect_eq(js_peek("nothing", T0), 0, "no record: no wait");
}

Test(lua, FS_3_fsjob_finish_never_undoes_complete) {
    char b[64];
    cr_expect_eq(js_start("j3", T0, "w:1"), 1);
    const char *done[] = {"complete", "1000100", "42", "", "600000", "0"};
    cr_expect_eq(run(OF_LUA_FSJOB_FINISH, "j3", 6, done), 1);
    const char *fail[] = {"failed", "1000200", "", "TTL_EXCEEDED", "600000", "0"};
    cr_expect_eq(run(OF_LUA_FSJOB_FINISH, "j3", 6, fail), 1);
    cr_expect_str_eq(hget("j3", "state", b, sizeof b), "complete", "a late failure never undoes a completion");
    cr_expect_eq(hnum("j3", "result"), 42);
    cr_expect_eq(hnum("j3", "recorded"), 1, "D-FS-16: fs_job's final record, answered without reading fs_job");
    cr_expect_eq(js_start("j3", T0 + 10, "w:2"), 0, "complete is final");
}

/* ---- FS-1, D-FS-3: the gateway gives up on a job (CreateOrderFail) atomically against the worker's start ---- */
static long long js_abandon(const char *key, long long now) {
    char n[24];
    snprintf(n, sizeof n, "%lld", now);
    const char *a[] = {n, "600000"};
    return run(OF_LUA_FSJOB_ABANDON, key, 2, a);
}
static void hset_state(const char *key, const char *state) {
    char k[128], err[256];
    snprintf(k, sizeof k, "%s%s", prefix, key);
    const char *argv[] = {"HSET", k, "state", state, "attempts_made", "0", "attempts_max", "3", "user_id", "7"};
    redisReply *rep = NULL;
    cr_assert_eq(of_redis_cmd(r, 10, argv, &rep, err, sizeof err), OF_OK, "%s", err);
    freeReplyObject(rep);
}

Test(lua, FS_1_abandon_fails_an_inactive_job_and_a_late_message_makes_no_attempt) {
    char b[64];
    hset_state("a1", "inactive");
    cr_expect_eq(js_abandon("a1", T0), 1, "still inactive: failed, CreateOrderFail");
    cr_expect_str_eq(hget("a1", "state", b, sizeof b), "failed");
    cr_expect_str_eq(hget("a1", "error", b, sizeof b), "QUEUE_FAILED");
    cr_expect_eq(js_start("a1", T0 + 10, "w:1"), 0, "the message lands late: refused, no attempt, no order");
    cr_expect_str_eq(hget("a1", "state", b, sizeof b), "failed");
    cr_expect_str_eq(hget("a1", "error", b, sizeof b), "QUEUE_FAILED");
    cr_expect_eq(hnum("a1", "attempts_made"), 0);
}

Test(lua, FS_1_abandon_yields_to_a_worker_that_took_the_job) {
    char b[64];
    hset_state("a2", "inactive");
    cr_expect_eq(js_start("a2", T0, "w:1"), 1, "the worker first");
    cr_expect_eq(js_abandon("a2", T0 + 10), 0, "the job exists after all: the gateway answers its jobId");
    cr_expect_str_eq(hget("a2", "state", b, sizeof b), "active", "the worker's record is not overwritten");
    cr_expect_eq(hnum("a2", "attempts_made"), 1);
    const char *done[] = {"complete", "1000100", "42", "", "600000", "0"};
    cr_expect_eq(run(OF_LUA_FSJOB_FINISH, "a2", 6, done), 1);
    cr_expect_eq(js_abandon("a2", T0 + 20), 0, "complete: never failed");
    cr_expect_str_eq(hget("a2", "state", b, sizeof b), "complete");
    hset_state("a3", "delayed");
    cr_expect_eq(js_abandon("a3", T0), 0, "delayed (a worker took an attempt): kept");
}

Test(lua, FS_1_abandon_of_a_lost_record_leaves_a_failed_one_the_message_cannot_restart) {
    char b[64];
    cr_expect_eq(js_abandon("a4", T0), 1, "Redis lost the record: a failed one is written");
    cr_expect_eq(js_start("a4", T0 + 10, "w:1"), 0, "the message lands: not recreated inactive, refused");
    cr_expect_str_eq(hget("a4", "state", b, sizeof b), "failed");
    cr_expect_str_eq(hget("a4", "error", b, sizeof b), "QUEUE_FAILED");
}

Test(lua, FS_1_fsjob_submit_writes_the_live_record_and_its_lifetime) {
    char b[64], k[128], err[256];
    const char *a[] = {"600000", "state", "inactive", "user_id", "7", "attempts_made", "0", "attempts_max", "3"};
    cr_expect_eq(run(OF_LUA_FSJOB_SUBMIT, "s1", 9, a), 1);
    cr_expect_str_eq(hget("s1", "state", b, sizeof b), "inactive");
    cr_expect_eq(hnum("s1", "user_id"), 7);
    snprintf(k, sizeof k, "%ss1", prefix);
    const char *argv[] = {"PTTL", k};
    redisReply *rep = NULL;
    cr_assert_eq(of_redis_cmd(r, 2, argv, &rep, err, sizeof err), OF_OK, "%s", err);
    cr_expect(rep->type == REDIS_REPLY_INTEGER && rep->integer > 590000 && rep->integer <= 600000, "kept 600 s");
    freeReplyObject(rep);
    cr_expect_eq(js_start("s1", T0, "w:1"), 1, "the worker starts it");
}
