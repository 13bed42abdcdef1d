/* test_rkey.c -- Redis Cluster hash slots (CRC16 XMODEM mod 16384, hash tags) and the fleet's keys: every key a Lua
 * script or a multi-key command gets together lies in one slot (docs/scaling.md "Redis Cluster"). */
#include <criterion/criterion.h>
#include <string.h>
#include "of_rkey.h"

static unsigned slot(const char *k) {
    return of_rkey_slot(k, strlen(k));
}

Test(rkey, crc16_xmodem_check_value) {
    cr_expect_eq(of_rkey_crc16("123456789", 9), 0x31C3); /* the cluster specification's test vector */
    cr_expect_eq(of_rkey_crc16("", 0), 0);
}

Test(rkey, slots_as_cluster_keyslot_answers) {
    cr_expect_eq(slot("somekey"), 11058); /* CLUSTER KEYSLOT examples */
    cr_expect_eq(slot("foo{hash_tag}"), 2515);
    cr_expect_eq(slot("bar{hash_tag}"), 2515);
    cr_expect_eq(slot("{user1}.following"), 8106);
}

Test(rkey, hash_tag_rules) {
    cr_expect_eq(slot("{user1000}.following"), slot("{user1000}.followers"));
    cr_expect_eq(slot("foo{}{bar}"), of_rkey_crc16("foo{}{bar}", 10) % 16384, "empty tag: the whole key");
    cr_expect_eq(slot("foo{{bar}}zap"), of_rkey_crc16("{bar", 4) % 16384, "from the first { to the first } after it");
    cr_expect_eq(slot("foo{bar}{zap}"), slot("bar"), "only the first tag");
    cr_expect_eq(slot("foo{bar"), of_rkey_crc16("foo{bar", 7) % 16384, "no closing brace: the whole key");
    for (const char *k = "abcdefghijklmnopqrstuvwxyz"; *k; k++)
        cr_expect_lt(of_rkey_slot(k, 1), 16384);
}

/* The keys a script gets, for many orders and prefixes: all in the slot of the first. */
static void same_slot(const char *what, const char *const *keys, int n) {
    unsigned s0 = slot(keys[0]);
    for (int i = 1; i < n; i++)
        cr_expect_eq(slot(keys[i]), s0, "%s: %s (%u) and %s (%u)", what, keys[0], s0, keys[i], slot(keys[i]));
}

static const char *const PREFIXES[] = {"of:", "it:ns6:", "", "orderfleet.prod:"};
static const char *const REFS[] = {"42", "1000001", "BAT-7:3", "JY123456789", "x"};

Test(rkey, delivery_scripts_get_one_order_in_one_slot) {
    char order[256], claim[256];
    for (size_t p = 0; p < sizeof PREFIXES / sizeof *PREFIXES; p++)
        for (size_t r = 0; r < sizeof REFS / sizeof *REFS; r++) {
            of_rkey_delivery(order, sizeof order, PREFIXES[p], REFS[r], "order");
            of_rkey_delivery(claim, sizeof claim, PREFIXES[p], REFS[r], "claim");
            const char *notify[] = {order, claim}; /* delivery_notify.lua: KEYS[1], KEYS[2] (the fleet: no queue) */
            same_slot("delivery_notify", notify, 2);
            const char *delivered[] = {order, claim}; /* delivery_delivered.lua: KEYS[1], KEYS[2] */
            same_slot("delivery_delivered", delivered, 2);
            cr_expect_eq(slot(order), slot(REFS[r]), "the tag is the order: %s", order);
        }
    /* different orders spread over the slots (no hot slot) */
    of_rkey_delivery(order, sizeof order, "of:", "1", "order");
    of_rkey_delivery(claim, sizeof claim, "of:", "2", "order");
    cr_expect_neq(slot(order), slot(claim));
}

Test(rkey, single_key_scripts_and_commands) {
    /* fsjob_start/finish/reap, sequence, dedupe_*: one key each; any slot is one slot. Their keys carry no tag, so
     * they spread: a job's record and the active set need not meet (they are never in one command). */
    char a[256], b[256], c[256];
    of_rkey_fsjob(a, sizeof a, "of:", "J-1");
    of_rkey_fsjob(b, sizeof b, "of:", "J-2");
    of_rkey_fsjob_active(c, sizeof c, "of:");
    cr_expect_str_eq(a, "of:fsjob:J-1");
    cr_expect_str_eq(c, "of:fsjob:active");
    cr_expect_neq(slot(a), slot(b));
    of_rkey_seq(a, sizeof a, "of:", "fs_order");
    cr_expect_str_eq(a, "of:seq:fs_order");
    of_rkey_fsidem(a, sizeof a, "of:", "shop-1", "K9");
    cr_expect_str_eq(a, "of:fsidem:shop-1:K9");
    /* trade-submit's dedupe markers: read with one GET each (pipelined), never MGET: they are in different slots */
    of_rkey_dedupe(a, sizeof a, "of:", "orderfleet.trade-submit", "rt-1");
    of_rkey_dedupe(b, sizeof b, "of:", "orderfleet.trade-submit", "rt-2");
    cr_expect_str_eq(a, "of:dedupe:orderfleet.trade-submit:rt-1");
    cr_expect_neq(slot(a), slot(b));
}

Test(rkey, a_prefix_with_a_tag_puts_everything_in_one_slot) {
    /* OF_REDIS_PREFIX "{of}:" would be legal but make the whole fleet one slot (its tag comes first): docs/scaling.md
     */
    char a[256], b[256];
    of_rkey_delivery(a, sizeof a, "{of}:", "1", "order");
    of_rkey_delivery(b, sizeof b, "{of}:", "2", "claim");
    cr_expect_eq(slot(a), slot(b));
}
