/* itc_delivery_lua.c -- the delivery scripts of lua/ (DLV-2..DLV-5) against the stack's real Redis: every
 * answer of notify (1 queued, 2 unknown order, 3 duplicate), reliable pop, delivered, failed. Needs OF_CONFIG. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "of_config.h"
#include "of_redis.h"

static of_config_t *cfg;
static of_redis_t *r;
static char order_key[128], claim_key[128], queue[128], backup[128], rung[128];

static void setup(void) {
    char err[256];
    cfg = of_config_load(NULL, err, sizeof err);
    cr_assert_not_null(cfg, "config: %s (run through scripts/test.sh)", err);
    r = of_redis_connect(cfg, err, sizeof err);
    cr_assert_not_null(r, "redis: %s", err);
    int pid = (int)getpid();
    snprintf(order_key, sizeof order_key, "itc:dlv:%d:{O1}:order", pid);
    snprintf(claim_key, sizeof claim_key, "itc:dlv:%d:{O1}:claim", pid);
    snprintf(queue, sizeof queue, "itc:dlv:%d:queue", pid);
    snprintf(backup, sizeof backup, "itc:dlv:%d:queue_bak", pid);
    snprintf(rung, sizeof rung, "itc:dlv:%d:queue_30", pid);
}
static void teardown(void) {
    const char *keys[] = {"DEL", order_key, claim_key, queue, backup, rung};
    redisReply *rep;
    char err[256];
    if (of_redis_cmd(r, 6, keys, &rep, err, sizeof err) == OF_OK) freeReplyObject(rep);
    of_redis_close(r);
    of_config_destroy(cfg);
}
TestSuite(delivery_lua, .init = setup, .fini = teardown);

static redisReply *cmd(int argc, const char **argv) {
    redisReply *rep;
    char err[256];
    cr_assert_eq(of_redis_cmd(r, argc, argv, &rep, err, sizeof err), OF_OK, "%s", err);
    return rep;
}
static long long eval_int(of_lua_t s, int nkeys, const char *const *keys, int nargs, const char *const *args) {
    long long v = -99;
    char err[256];
    cr_assert_eq(of_redis_eval_int(r, s, nkeys, keys, nargs, args, &v, err, sizeof err), OF_OK, "%s", err);
    return v;
}
static long long llen(const char *key) {
    const char *argv[] = {"LLEN", key};
    redisReply *rep = cmd(2, argv);
    long long n = rep->integer;
    freeReplyObject(rep);
    return n;
}
static void hset_order(void) {
    const char *argv[] = {"HSET", order_key, "merchant", "1"};
    freeReplyObject(cmd(4, argv));
}

Test(delivery_lua, DLV_2_notify_unknown_order_answers_2) {
    const char *keys[] = {order_key, claim_key, queue};
    const char *args[] = {"12.5000", "ev-1", "60000", "O1"};
    cr_expect_eq(eval_int(OF_LUA_DELIVERY_NOTIFY, 3, keys, 4, args), 2);
    cr_expect_eq(llen(queue), 0, "nothing queued for an unknown order");
}

Test(delivery_lua, DLV_2_notify_queues_once_then_duplicate_answers_3) {
    hset_order();
    const char *keys[] = {order_key, claim_key, queue};
    const char *a[] = {"12.5000", "ev-1", "60000", "O1"}, *b[] = {"12.5000", "ev-2", "60000", "O1"};
    cr_expect_eq(eval_int(OF_LUA_DELIVERY_NOTIFY, 3, keys, 4, a), 1, "first notify queues");
    cr_expect_eq(llen(queue), 1);
    cr_expect_eq(eval_int(OF_LUA_DELIVERY_NOTIFY, 3, keys, 4, b), 3, "a second notify is a duplicate");
    cr_expect_eq(llen(queue), 1, "a duplicate queues nothing");
    const char *hg[] = {"HGET", order_key, "cash"};
    redisReply *rep = cmd(3, hg);
    cr_expect_str_eq(rep->str, "12.5000", "cash recorded on the order");
    freeReplyObject(rep);
}

Test(delivery_lua, DLV_2_notify_is_reentrant_for_the_same_event) {
    hset_order();
    const char *keys[] = {order_key, claim_key};
    const char *a[] = {"1.0000", "ev-1", "60000", "O1"};
    cr_expect_eq(eval_int(OF_LUA_DELIVERY_NOTIFY, 2, keys, 4, a), 1);
    cr_expect_eq(eval_int(OF_LUA_DELIVERY_NOTIFY, 2, keys, 4, a), 1,
                 "the same event redelivered after a crash goes on (Kafka mode: no queue key)");
}

Test(delivery_lua, DLV_2_notify_registers_the_order_data_when_given) {
    const char *keys[] = {order_key, claim_key};
    const char *a[] = {"3.0000", "ev-9", "60000", "O1", "merchant", "2", "idem", "k-1"};
    cr_expect_eq(eval_int(OF_LUA_DELIVERY_NOTIFY, 2, keys, 8, a), 1, "data given: never unknown");
    const char *hg[] = {"HGET", order_key, "idem"};
    redisReply *rep = cmd(3, hg);
    cr_expect_str_eq(rep->str, "k-1");
    freeReplyObject(rep);
    const char *ttl[] = {"PTTL", order_key};
    rep = cmd(2, ttl);
    cr_expect(rep->integer > 0 && rep->integer <= 60000, "registered data expires (%lld)", rep->integer);
    freeReplyObject(rep);
}

Test(delivery_lua, DLV_3_pop_moves_to_backup_and_answers_0_when_empty) {
    const char *keys[] = {queue, backup};
    cr_expect_eq(eval_int(OF_LUA_DELIVERY_POP, 2, keys, 0, NULL), 0, "empty queue");
    const char *push[] = {"LPUSH", queue, "O1"};
    freeReplyObject(cmd(3, push));
    redisReply *rep;
    char err[256];
    cr_assert_eq(of_redis_eval(r, OF_LUA_DELIVERY_POP, 2, keys, 0, NULL, &rep, err, sizeof err), OF_OK, "%s", err);
    cr_expect_eq(rep->type, REDIS_REPLY_STRING);
    cr_expect_str_eq(rep->str, "O1");
    freeReplyObject(rep);
    cr_expect_eq(llen(queue), 0);
    cr_expect_eq(llen(backup), 1, "the popped order waits in the backup list");
}

Test(delivery_lua, DLV_4_delivered_deletes_data_claim_and_backup_entry) {
    hset_order();
    const char *nk[] = {order_key, claim_key, queue};
    const char *na[] = {"1.0000", "ev-1", "60000", "O1"};
    cr_assert_eq(eval_int(OF_LUA_DELIVERY_NOTIFY, 3, nk, 4, na), 1);
    const char *pk[] = {queue, backup};
    redisReply *rep;
    char err[256];
    cr_assert_eq(of_redis_eval(r, OF_LUA_DELIVERY_POP, 2, pk, 0, NULL, &rep, err, sizeof err), OF_OK);
    freeReplyObject(rep);
    const char *dk[] = {order_key, claim_key, backup};
    const char *da[] = {"O1"};
    cr_expect_eq(eval_int(OF_LUA_DELIVERY_DELIVERED, 3, dk, 1, da), 1);
    const char *ex[] = {"EXISTS", order_key, claim_key};
    rep = cmd(3, ex);
    cr_expect_eq(rep->integer, 0, "order data and claim deleted");
    freeReplyObject(rep);
    cr_expect_eq(llen(backup), 0, "removed from the backup list");
    cr_expect_eq(eval_int(OF_LUA_DELIVERY_NOTIFY, 3, nk, 4, na), 2, "a notify after delivery: unknown order");
}

Test(delivery_lua, DLV_5_failed_moves_to_next_rung_or_answers_0_after_the_last) {
    const char *push[] = {"LPUSH", backup, "O1"};
    freeReplyObject(cmd(3, push));
    const char *k2[] = {backup, rung};
    const char *a[] = {"O1"};
    cr_expect_eq(eval_int(OF_LUA_DELIVERY_FAILED, 2, k2, 1, a), 1);
    cr_expect_eq(llen(backup), 0);
    cr_expect_eq(llen(rung), 1, "on the next rung");
    freeReplyObject(cmd(3, push));
    const char *k1[] = {backup};
    cr_expect_eq(eval_int(OF_LUA_DELIVERY_FAILED, 1, k1, 1, a), 0, "after the last rung: nothing pushed");
    cr_expect_eq(llen(backup), 0);
}

Test(delivery_lua, scripts_use_no_select_and_only_declared_keys) {
    /* The seed's SELECT and KEY[1] bugs: none of our scripts may contain them. */
    const char *names[] = {"delivery_notify", "delivery_pop", "delivery_delivered", "delivery_failed"};
    for (int i = 0; i < 4; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s.lua", of_redis_lua_dir(cfg), names[i]);
        FILE *f = fopen(path, "r");
        cr_assert_not_null(f, "%s", path);
        char line[512];
        while (fgets(line, sizeof line, f)) {
            if (!strncmp(line, "--", 2)) continue;
            cr_expect_null(strstr(line, "SELECT"), "%s uses SELECT: %s", names[i], line);
            cr_expect_null(strstr(line, "KEY["), "%s uses KEY[: %s", names[i], line);
        }
        fclose(f);
    }
}

/* of_redis_eval_many: the delivery worker's pipelined DLV-2 / DLV-4 (one round trip per batch). */
Test(delivery_lua, DLV_2_pipelined_notify_answers_each_call_like_a_single_one) {
    enum { N = 40 };
    static char ok[N][128], ck[N][128], ev[N][32];
    const char *keys[N * 2], *args[N * 4];
    long long v[N];
    int pid = (int)getpid();
    for (int i = 0; i < N; i++) {
        snprintf(ok[i], sizeof ok[i], "itc:dlvm:%d:{P%d}:order", pid, i);
        snprintf(ck[i], sizeof ck[i], "itc:dlvm:%d:{P%d}:claim", pid, i);
        snprintf(ev[i], sizeof ev[i], "ev-%d", i % 2 ? 1 : i); /* odd calls after the first: another event */
        keys[i * 2] = ok[i];
        keys[i * 2 + 1] = ck[i];
        const char *a[4] = {"1.0000", ev[i], "60000", "x"};
        memcpy(&args[i * 4], a, sizeof a);
    }
    for (int i = 0; i < N; i += 2) { /* orders with data for even i only: odd ones are unknown (2) */
        const char *hs[] = {"HSET", ok[i], "merchant", "1"};
        freeReplyObject(cmd(4, hs));
    }
    char err[256];
    cr_assert_eq(of_redis_eval_many(r, OF_LUA_DELIVERY_NOTIFY, N, 2, keys, 4, args, v, err, sizeof err), OF_OK, "%s",
                 err);
    for (int i = 0; i < N; i++)
        cr_expect_eq(v[i], i % 2 ? 2 : 1, "call %d", i);
    /* again, after SCRIPT FLUSH: NOSCRIPT reloads and re-runs; the claims are re-entrant for their event */
    const char *fl[] = {"SCRIPT", "FLUSH"};
    freeReplyObject(cmd(2, fl));
    cr_assert_eq(of_redis_eval_many(r, OF_LUA_DELIVERY_NOTIFY, N, 2, keys, 4, args, v, err, sizeof err), OF_OK, "%s",
                 err);
    for (int i = 0; i < N; i++)
        cr_expect_eq(v[i], i % 2 ? 2 : 1, "call %d after a script flush", i);
    /* another event claims the even orders: every one answers 3 */
    for (int i = 0; i < N; i++)
        args[i * 4 + 1] = "ev-other";
    cr_assert_eq(of_redis_eval_many(r, OF_LUA_DELIVERY_NOTIFY, N, 2, keys, 4, args, v, err, sizeof err), OF_OK);
    for (int i = 0; i < N; i += 2)
        cr_expect_eq(v[i], 3, "duplicate notify, call %d", i);
    /* DLV-4 for all of them in one round trip */
    const char *dargs[N];
    for (int i = 0; i < N; i++)
        dargs[i] = "x";
    cr_assert_eq(of_redis_eval_many(r, OF_LUA_DELIVERY_DELIVERED, N, 2, keys, 1, dargs, v, err, sizeof err), OF_OK);
    for (int i = 0; i < N; i++) {
        cr_expect_eq(v[i], 1);
        const char *ex[] = {"EXISTS", ok[i], ck[i]};
        redisReply *rep = cmd(3, ex);
        cr_expect_eq(rep->integer, 0, "order %d: data and claim deleted", i);
        freeReplyObject(rep);
    }
    cr_expect_eq(of_redis_eval_many(r, OF_LUA_DELIVERY_DELIVERED, 0, 2, keys, 1, dargs, v, err, sizeof err), OF_OK,
                 "no calls: nothing to do");
}

Test(delivery_lua, eval_many_reports_a_script_error_after_running_every_call) {
    const char *keys[] = {order_key, claim_key, order_key, claim_key};
    /* the claim TTL "soon" is not a number: PEXPIRE fails inside the script for the first call only */
    const char *args[] = {"1.0000", "ev-1", "soon",  "O1", "merchant", "1",
                          "1.0000", "ev-1", "60000", "O1", "merchant", "1"};
    long long v[2];
    char err[256] = "";
    cr_expect_eq(of_redis_eval_many(r, OF_LUA_DELIVERY_NOTIFY, 2, 2, keys, 6, args, v, err, sizeof err), OF_ERR_DB);
    cr_expect(strstr(err, "delivery_notify") != NULL, "error names the script: %s", err);
    cr_expect_eq(v[0], LLONG_MIN, "the failed call has no answer");
    cr_expect_eq(v[1], 1, "the next call still ran");
}
