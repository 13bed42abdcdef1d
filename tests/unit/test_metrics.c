/* test_metrics.c -- the Prometheus text of of_metrics_write: counter and gauge families, per-topic counters (label
 * escaping, the "other" slot past OF_METRIC_TOPICS_MAX), histograms (cumulative buckets, +Inf = _count, _sum). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "of_metrics.h"

static char *page(void) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert(f);
    of_metrics_write(f);
    cr_assert_eq(fclose(f), 0);
    return buf;
}

static int has_line(const char *text, const char *line) {
    size_t n = strlen(line);
    for (const char *p = text; (p = strstr(p, line)); p += n)
        if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0')) return 1;
    return 0;
}

Test(metrics, counters_are_families_with_help_type_and_total_suffix) {
    of_metric_add(OF_M_PROCESSED, 7);
    of_metric_add(OF_M_DEADLETTERED, 2);
    char *t = page();
    cr_expect(has_line(t, "# TYPE orderfleet_processed_total counter"), "%s", t);
    cr_expect(has_line(t, "orderfleet_processed_total 7"));
    cr_expect(has_line(t, "orderfleet_deadlettered_total 2"));
    cr_expect(has_line(t, "orderfleet_waiting_total 0"));
    cr_expect(strstr(t, "# HELP orderfleet_processed_total ") != NULL);
    free(t);
}

Test(metrics, per_topic_counters_are_labelled_and_escaped) {
    of_metric_topic_add("ns1.trade.raw", OF_MT_PROCESSED, 3);
    of_metric_topic_add("ns1.trade.raw", OF_MT_PROCESSED, 2);
    of_metric_topic_add("ns1.trade.raw", OF_MT_DEADLETTERED, 1);
    of_metric_topic_add("we\"ird\\topic", OF_MT_FAILED, 4);
    cr_expect_eq(of_metric_topic_get("ns1.trade.raw", OF_MT_PROCESSED), 5);
    char *t = page();
    cr_expect(has_line(t, "orderfleet_topic_processed_total{topic=\"ns1.trade.raw\"} 5"), "%s", t);
    cr_expect(has_line(t, "orderfleet_topic_deadlettered_total{topic=\"ns1.trade.raw\"} 1"));
    cr_expect(has_line(t, "orderfleet_topic_failed_total{topic=\"we\\\"ird\\\\topic\"} 4"), "%s", t);
    cr_expect(has_line(t, "orderfleet_topic_retried_total{topic=\"ns1.trade.raw\"} 0"), "every topic in every family");
    cr_expect(strstr(t, "topic=\"other\"") == NULL, "no other slot while the table has room");
    free(t);
}

Test(metrics, topics_past_the_table_count_under_other) {
    char name[32];
    for (int i = 0; i < OF_METRIC_TOPICS_MAX + 3; i++) {
        snprintf(name, sizeof name, "t%d", i);
        of_metric_topic_add(name, OF_MT_PROCESSED, 1);
    }
    char *t = page();
    cr_expect(has_line(t, "orderfleet_topic_processed_total{topic=\"t0\"} 1"));
    cr_expect(has_line(t, "orderfleet_topic_processed_total{topic=\"other\"} 3"), "%s", t);
    free(t);
}

Test(metrics, histogram_buckets_are_cumulative_and_inf_equals_count) {
    of_metric_observe(OF_MH_BATCH, 0.0005); /* le 0.001 */
    of_metric_observe(OF_MH_BATCH, 0.003);  /* le 0.005 */
    of_metric_observe(OF_MH_BATCH, 0.003);
    of_metric_observe(OF_MH_BATCH, 100); /* above every bound */
    of_metric_observe(OF_MH_BATCH, -1);  /* counted as 0 */
    cr_expect_eq(of_metric_observed(OF_MH_BATCH), 5);
    char *t = page();
    cr_expect(has_line(t, "# TYPE orderfleet_batch_seconds histogram"));
    cr_expect(has_line(t, "orderfleet_batch_seconds_bucket{le=\"0.001\"} 2"), "%s", t);
    cr_expect(has_line(t, "orderfleet_batch_seconds_bucket{le=\"0.0025\"} 2"));
    cr_expect(has_line(t, "orderfleet_batch_seconds_bucket{le=\"0.005\"} 4"));
    cr_expect(has_line(t, "orderfleet_batch_seconds_bucket{le=\"30\"} 4"));
    cr_expect(has_line(t, "orderfleet_batch_seconds_bucket{le=\"+Inf\"} 5"));
    cr_expect(has_line(t, "orderfleet_batch_seconds_count 5"));
    cr_expect(has_line(t, "orderfleet_batch_seconds_sum 100.006500"), "%s", t);
    cr_expect(has_line(t, "orderfleet_transaction_seconds_count 0"));
    free(t);
}

Test(metrics, gauges_go_up_and_down) {
    of_metric_gauge_add(OF_MG_HTTP_CALLS, 3);
    of_metric_gauge_add(OF_MG_HTTP_CALLS, -1);
    of_metric_gauge_set(OF_MG_OUTBOX_BACKLOG, 42);
    char *t = page();
    cr_expect(has_line(t, "# TYPE orderfleet_http_calls_in_flight gauge"));
    cr_expect(has_line(t, "orderfleet_http_calls_in_flight 2"));
    cr_expect(has_line(t, "orderfleet_outbox_backlog 42"));
    free(t);
}
