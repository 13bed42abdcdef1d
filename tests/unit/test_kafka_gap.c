/* test_kafka_gap.c -- never silently behind (issue 9, D-KAF-4): group consumers run with auto.offset.reset=error
 * (OF_KAFKA_EXTRA cannot change it), a partition without a committed offset starts at the log start, a partition
 * librdkafka refused is started again or held by its committed offset and the log's bounds, and a held partition's
 * error is rate-limited. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "of_config.h"
#include "of_kafka.h"
#include "fixture_kafka.h"

TestSuite(gap, .init = fx_kafka_env);

/* auto.offset.reset is a topic property: librdkafka keeps it in the conf's default topic conf. */
static const char *reset_of(rd_kafka_conf_t *conf, char *buf, size_t size) {
    rd_kafka_topic_conf_t *t = rd_kafka_conf_get_default_topic_conf(conf);
    size_t n = size;
    if (!t || rd_kafka_topic_conf_get(t, "auto.offset.reset", buf, &n) != RD_KAFKA_CONF_OK) return "";
    return buf;
}

Test(gap, group_consumers_refuse_instead_of_resetting) {
    of_config_t *c = fx_kafka_load();
    char err[256], v[64];
    rd_kafka_conf_t *conf = of_kafka_consumer_conf_new(c, "orderfleet.trade-submit", "x", err, sizeof err);
    cr_assert_not_null(conf, "%s", err);
    cr_expect_str_eq(reset_of(conf, v, sizeof v), "error");
    rd_kafka_conf_destroy(conf);
    of_config_destroy(c);
}

Test(gap, kafka_extra_cannot_bring_back_a_quiet_reset) {
    setenv("OF_KAFKA_EXTRA", "fetch.min.bytes=1;auto.offset.reset=earliest", 1);
    of_config_t *c = fx_kafka_load();
    char err[256] = "", v[64];
    rd_kafka_conf_t *conf = of_kafka_consumer_conf_new(c, "orderfleet.delivery", "x", err, sizeof err);
    cr_expect_null(conf);
    if (conf) rd_kafka_conf_destroy(conf);
    cr_expect(strstr(err, "OF_KAFKA_EXTRA: auto.offset.reset is fixed to error for consumer groups"), "%s", err);
    /* ordctl's readers have no group (they assign explicit offsets): OF_KAFKA_EXTRA applies to them as before */
    conf = of_kafka_conf_new(c, OF_KAFKA_CONSUMER, "ordctl-reader", err, sizeof err);
    cr_assert_not_null(conf, "%s", err);
    cr_expect_str_eq(reset_of(conf, v, sizeof v), "smallest", "earliest is librdkafka's smallest");
    rd_kafka_conf_destroy(conf);
    of_config_destroy(c);
}

Test(gap, no_committed_offset_starts_at_the_log_start) {
    cr_expect_eq(of_kafka_start_offset(RD_KAFKA_OFFSET_INVALID, RD_KAFKA_OFFSET_INVALID), RD_KAFKA_OFFSET_BEGINNING);
    /* a committed offset, inside the log or not: left to librdkafka, which refuses one outside the log */
    cr_expect_eq(of_kafka_start_offset(0, RD_KAFKA_OFFSET_INVALID), RD_KAFKA_OFFSET_INVALID);
    cr_expect_eq(of_kafka_start_offset(1234, RD_KAFKA_OFFSET_INVALID), RD_KAFKA_OFFSET_INVALID);
    /* an offset the caller chose stays */
    cr_expect_eq(of_kafka_start_offset(RD_KAFKA_OFFSET_INVALID, 17), 17);
    cr_expect_eq(of_kafka_start_offset(RD_KAFKA_OFFSET_INVALID, RD_KAFKA_OFFSET_END), RD_KAFKA_OFFSET_END);
}

Test(gap, a_refused_partition_by_committed_offset_and_bounds) {
    /* log [100, 250] */
    cr_expect_eq(of_kafka_gap_classify(0, 50, 100, 250), OF_KAFKA_GAP_UNKNOWN, "nothing read: ask again");
    cr_expect_eq(of_kafka_gap_classify(1, RD_KAFKA_OFFSET_INVALID, 100, 250), OF_KAFKA_GAP_BEGINNING);
    cr_expect_eq(of_kafka_gap_classify(1, 99, 100, 250), OF_KAFKA_GAP_BELOW_START, "one message deleted unread");
    cr_expect_eq(of_kafka_gap_classify(1, 0, 100, 250), OF_KAFKA_GAP_BELOW_START);
    cr_expect_eq(of_kafka_gap_classify(1, 251, 100, 250), OF_KAFKA_GAP_PAST_END, "topic recreated");
    cr_expect_eq(of_kafka_gap_classify(1, 100, 100, 250), OF_KAFKA_GAP_COMMITTED, "at the log start");
    cr_expect_eq(of_kafka_gap_classify(1, 250, 100, 250), OF_KAFKA_GAP_COMMITTED, "at the log end: caught up");
    cr_expect_eq(of_kafka_gap_classify(1, 180, 100, 250), OF_KAFKA_GAP_COMMITTED);
    /* an empty log whose start moved (everything deleted): committed below it is a gap, at it is not */
    cr_expect_eq(of_kafka_gap_classify(1, 40, 250, 250), OF_KAFKA_GAP_BELOW_START);
    cr_expect_eq(of_kafka_gap_classify(1, 250, 250, 250), OF_KAFKA_GAP_COMMITTED);
    /* no other logical offset is ever committed: not taken for "none" */
    cr_expect_eq(of_kafka_gap_classify(1, RD_KAFKA_OFFSET_BEGINNING, 100, 250), OF_KAFKA_GAP_UNKNOWN);
    cr_expect_eq(of_kafka_gap_classify(1, RD_KAFKA_OFFSET_END, 100, 250), OF_KAFKA_GAP_UNKNOWN);
}

Test(gap, a_held_partition_is_logged_once_a_minute) {
    int64_t next = 0, other = 0, t0 = 1000000;
    cr_expect(of_kafka_rate_ok(&next, t0, 60000), "the first report is logged");
    cr_expect_eq(next, t0 + 60000);
    int logged = 0;
    for (int64_t t = t0; t < t0 + 60000; t += 10) /* a report every 10 ms: none logged within the minute */
        logged += of_kafka_rate_ok(&next, t, 60000);
    cr_expect_eq(logged, 0);
    cr_expect(of_kafka_rate_ok(&other, t0 + 5, 60000), "another partition has its own limit");
    cr_expect(of_kafka_rate_ok(&next, t0 + 60000, 60000), "a minute later: logged again");
    cr_expect_not(of_kafka_rate_ok(&next, t0 + 60001, 60000));
}

Test(gap, coordinator_moves_are_asked_again) {
    cr_expect(of_kafka_retriable(RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS));
    cr_expect(of_kafka_retriable(RD_KAFKA_RESP_ERR_NOT_COORDINATOR));
    cr_expect(of_kafka_retriable(RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT));
    cr_expect_not(of_kafka_retriable(RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED));
    cr_expect_not(of_kafka_retriable(RD_KAFKA_RESP_ERR__TIMED_OUT), "librdkafka's own timeout: its bound is spent");
}
