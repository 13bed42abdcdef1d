/* test_topics.c -- the topic table: complete, unique names, prefixes. */
#include <criterion/criterion.h>
#include <string.h>
#include "of_topics.h"

Test(topics, table_complete_and_unique) {
    const of_topic_def_t *t = of_topics();
    for (int i = 0; i < OF_TOPIC__COUNT; i++) {
        cr_expect_not_null(t[i].name);
        cr_expect_gt(t[i].partitions, 0, "%s", t[i].name);
        cr_expect(t[i].key && *t[i].key && t[i].message && *t[i].message, "%s", t[i].name);
        for (int j = 0; j < i; j++)
            cr_expect_str_neq(t[i].name, t[j].name);
    }
}

Test(topics, find_with_prefix) {
    char buf[128];
    cr_expect_str_eq(of_topic_name(OF_TOPIC_TRADE_RAW, "ns1.", buf, sizeof buf), "ns1.trade.raw");
    cr_expect_eq(of_topic_find("ns1.trade.raw", "ns1."), OF_TOPIC_TRADE_RAW);
    cr_expect_eq(of_topic_find("deadletter", ""), OF_TOPIC_DEADLETTER);
    cr_expect_eq(of_topic_find("trade.raw", "ns1."), -1);
    cr_expect_eq(of_topic_find("nope", ""), -1);
}
