/* of_lag.h -- where a consumer group stands on a topic: its committed offset against the log's watermarks, per
 * partition (ordctl summary and wait-idle, the ops console). */
#ifndef OF_LAG_H
#define OF_LAG_H
#include <stddef.h>
#include <stdint.h>
#include <librdkafka/rdkafka.h>
#include "of_topics.h"

/* One partition: committed offset (-1 = the group has none), log start (lo) and end (hi), lag = messages not
 * committed yet. */
typedef struct {
    int partition;
    int64_t committed, lo, hi, lag;
} of_lag_part_t;

/* The groups the fleet runs and the topic each consumes (retry-ladder: one per rung). */
typedef struct {
    const char *worker; /* the worker's name: its group is of_worker_group(cfg, worker) */
    of_topic_t topic;
} of_lag_watch_t;
const of_lag_watch_t *of_lag_watched(size_t *n);

/* Messages currently in topic (sum over partitions of high - low watermarks), partitions in *npartsp (NULL: not
 * wanted). Right after a cluster starts, metadata and watermark requests can fail for a few seconds: asks again
 * for up to 10 s. -1 on error. */
long long of_lag_topic_count(rd_kafka_t *rk, const char *topic, int *npartsp);

/* The group's committed position on every partition of topic against the log: *lag = messages not committed yet;
 * parts (NULL, or np elements) gets each partition. Returns 0 when the position is inside the log, 1 when a
 * committed offset is below the log start (messages deleted unread: retention, delete-records) or above the log
 * end (the topic was recreated), with what and where in msg; -1 when the cluster does not answer. rk's group.id
 * is the group. */
int of_lag_group_position(rd_kafka_t *rk, const char *topic, int np, long long *lag, of_lag_part_t *parts, char *msg,
                          size_t msgsize);

#endif
