/* test_ladder.c -- DLV-6 ladder arithmetic: parsing OF_RETRY_LADDER, tries, next rung, due times, topics. */
#include <criterion/criterion.h>
#include <string.h>
#include "of_ladder.h"
#include "of_topics.h"

static of_ladder_t parse_ok(const char *spec) {
    of_ladder_t l;
    char err[256] = "";
    cr_assert_eq(of_ladder_parse(spec, &l, err, sizeof err), OF_OK, "%s: %s", spec, err);
    return l;
}

Test(ladder, DLV_6_default_ladder_is_30_300_3600_7200_and_five_tries) {
    of_ladder_t l = parse_ok("30,300,3600,7200");
    cr_expect_eq(l.nrungs, 4);
    cr_expect_eq(l.delay_ms[0], 30000);
    cr_expect_eq(l.delay_ms[1], 300000);
    cr_expect_eq(l.delay_ms[2], 3600000);
    cr_expect_eq(l.delay_ms[3], 7200000);
    cr_expect_eq(of_ladder_tries(&l), 5, "first try + one per rung");
}

Test(ladder, DLV_6_next_rung_after_each_failed_try_then_dead_letter) {
    of_ladder_t l = parse_ok("30,300,3600,7200");
    cr_expect_eq(of_ladder_next_rung(&l, 1), 0, "try 1 fails: wait 30 s");
    cr_expect_eq(of_ladder_next_rung(&l, 2), 1, "try 2 fails: wait 300 s");
    cr_expect_eq(of_ladder_next_rung(&l, 3), 2, "try 3 fails: wait 3600 s");
    cr_expect_eq(of_ladder_next_rung(&l, 4), 3, "try 4 fails: wait 7200 s");
    cr_expect_eq(of_ladder_next_rung(&l, 5), -1, "try 5 fails: dead letter");
    cr_expect_eq(of_ladder_next_rung(&l, 9), -1);
    cr_expect_eq(of_ladder_next_rung(&l, 0), 0, "a missing attempt counts as the first");
}

Test(ladder, DLV_6_due_time_is_now_plus_the_rungs_wait) {
    of_ladder_t l = parse_ok("1,2,3,4");
    cr_expect_eq(of_ladder_due_ms(&l, 0, 1000000), 1001000);
    cr_expect_eq(of_ladder_due_ms(&l, 3, 1000000), 1004000);
    cr_expect_eq(of_ladder_due_ms(&l, 7, 1000000), 1000000, "no such rung: due now");
}

Test(ladder, DLV_6_rungs_map_to_the_retry_topics_in_order) {
    cr_expect_eq(of_ladder_topic(0), OF_TOPIC_RETRY_1);
    cr_expect_str_eq(of_topics()[of_ladder_topic(0)].name, "retry.30s");
    cr_expect_str_eq(of_topics()[of_ladder_topic(3)].name, "retry.7200s");
}

Test(ladder, compressed_and_shorter_ladders) {
    of_ladder_t l = parse_ok("500ms, 2s ,3");
    cr_expect_eq(l.nrungs, 3);
    cr_expect_eq(l.delay_ms[0], 500);
    cr_expect_eq(l.delay_ms[1], 2000);
    cr_expect_eq(l.delay_ms[2], 3000);
    cr_expect_eq(of_ladder_tries(&l), 4);
    cr_expect_eq(of_ladder_next_rung(&l, 4), -1);
    l = parse_ok("");
    cr_expect_eq(l.nrungs, 0, "empty: no retries");
    cr_expect_eq(of_ladder_next_rung(&l, 1), -1, "no ladder: the first failure is a dead letter");
}

static void parse_bad(const char *spec, const char *needle) {
    of_ladder_t l;
    char err[256] = "";
    cr_expect_eq(of_ladder_parse(spec, &l, err, sizeof err), OF_ERR_CONFIG, "%s accepted", spec);
    cr_expect(strstr(err, "OF_RETRY_LADDER") != NULL, "error names the key: %s", err);
    cr_expect(strstr(err, needle) != NULL, "'%s' says '%s'", err, needle);
}

Test(ladder, bad_ladders_are_refused_naming_the_key) {
    parse_bad("30,300,3600,7200,14400", "more than 4 rungs");
    parse_bad("30,abc", "expected a number");
    parse_bad("0", "1 ms..1 day");
    parse_bad("86401", "1 ms..1 day");
    parse_bad("99999999999999999999", "1 ms..1 day");
    parse_bad("30;300", "unexpected");
    parse_bad("-5", "expected a number");
}

Test(ladder, hex_header_encoding) {
    const uint8_t in[] = {0x00, 0x0f, 0xa0, 0xff};
    char out[9];
    of_ladder_hex(in, 4, out);
    cr_expect_str_eq(out, "000fa0ff");
}
