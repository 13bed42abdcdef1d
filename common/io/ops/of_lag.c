/* of_lag.c -- a consumer group's position on a topic (of_lag.h). */
#include "of_lag.h"
#include <stdio.h>
#include <unistd.h>
#include "of_time.h"

static const of_lag_watch_t WATCHED[] = {
    {"trade-submit", OF_TOPIC_TRADE_RAW},    {"trade-modify", OF_TOPIC_TRADE_CHANGED},
    {"flash", OF_TOPIC_FLASH_JOBS},          {"payment-finish", OF_TOPIC_PAYMENT_COMPLETED},
    {"delivery", OF_TOPIC_DELIVERY_REQUEST}, {"order-sync", OF_TOPIC_ORDER_SYNC},
    {"retry-ladder", OF_TOPIC_RETRY_1},      {"retry-ladder", OF_TOPIC_RETRY_2},
    {"retry-ladder", OF_TOPIC_RETRY_3},      {"retry-ladder", OF_TOPIC_RETRY_4},
    {"dlq-recorder", OF_TOPIC_DEADLETTER}};

const of_lag_watch_t *of_lag_watched(size_t *n) {
    *n = sizeof WATCHED / sizeof WATCHED[0];
    return WATCHED;
}

static long long topic_count_once(rd_kafka_t *rk, const char *topic, int *npartsp) {
    const struct rd_kafka_metadata *md;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, 10000);
    rd_kafka_topic_destroy(rkt);
    if (err || md->topic_cnt != 1 || md->topics[0].err) {
        if (!err) rd_kafka_metadata_destroy(md);
        return -1;
    }
    long long total = 0;
    int np = md->topics[0].partition_cnt;
    for (int i = 0; i < np; i++) {
        int64_t lo, hi;
        if (rd_kafka_query_watermark_offsets(rk, topic, md->topics[0].partitions[i].id, &lo, &hi, 10000)) {
            total = -1;
            break;
        }
        total += hi - lo;
    }
    rd_kafka_metadata_destroy(md);
    if (npartsp) *npartsp = np;
    return total;
}

long long of_lag_topic_count(rd_kafka_t *rk, const char *topic, int *npartsp) {
    int64_t until = of_mono_ms() + 10000;
    long long n;
    while ((n = topic_count_once(rk, topic, npartsp)) < 0 && of_mono_ms() < until)
        usleep(250 * 1000);
    return n;
}

int of_lag_group_position(rd_kafka_t *rk, const char *topic, int np, long long *lag, of_lag_part_t *parts, char *msg,
                          size_t msgsize) {
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(np);
    for (int i = 0; i < np; i++)
        rd_kafka_topic_partition_list_add(l, topic, i);
    int rc = 0;
    *lag = 0;
    if (rd_kafka_committed(rk, l, 10000)) {
        rd_kafka_topic_partition_list_destroy(l);
        return -1;
    }
    for (int i = 0; i < np && rc >= 0; i++) {
        int64_t lo, hi, c = l->elems[i].offset;
        if (rd_kafka_query_watermark_offsets(rk, topic, i, &lo, &hi, 10000)) {
            rc = -1;
            break;
        }
        if (c >= 0 && c < lo && rc == 0) {
            snprintf(msg, msgsize,
                     "%s[%d]: committed offset %lld is below the log start %lld: %lld messages were deleted unread "
                     "(retention or delete-records) and cannot be processed; the group's workers hold the partition "
                     "until it "
                     "is moved on with ordctl replay (docs/operations.md)",
                     topic, i, (long long)c, (long long)lo, (long long)(lo - c));
            rc = 1;
        } else if (c > hi && rc == 0) {
            snprintf(msg, msgsize,
                     "%s[%d]: committed offset %lld is past the log end %lld (was the topic deleted and created "
                     "again?): new messages below %lld would be skipped; reset the group (ordctl replay)",
                     topic, i, (long long)c, (long long)hi, (long long)c);
            rc = 1;
        }
        int64_t behind = hi - (c < 0 || c < lo ? lo : c > hi ? hi : c);
        *lag += behind;
        if (parts) parts[i] = (of_lag_part_t){i, c < 0 ? -1 : c, lo, hi, behind};
    }
    rd_kafka_topic_partition_list_destroy(l);
    return rc;
}
