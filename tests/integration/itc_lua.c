/* itc_lua.c -- the Redis scripts of lua/ against the stack's real Redis: DLV-1 sequence, dedupe claim /
 * done / release, EVALSHA with NOSCRIPT reload. Needs OF_CONFIG (scripts/test.sh sets it). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "of_config.h"
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
