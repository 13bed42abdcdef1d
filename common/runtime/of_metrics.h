/* of_metrics.h -- process metrics: counters (processed, failed, dead-lettered, retried ...), the same per topic,
 * gauges, latency histograms; the stats log line, and their Prometheus text exposition (served by of_admin). */
#ifndef OF_METRICS_H
#define OF_METRICS_H
#include <stdint.h>
#include <stdio.h>

typedef enum {
    OF_M_CONSUMED,  /* messages polled */
    OF_M_PROCESSED, /* messages whose effect is committed */
    OF_M_DUPLICATE, /* replays recognised (Redis fast path or processed_event) */
    OF_M_FAILED,    /* handler failures (each attempt) */
    OF_M_DEADLETTERED,
    OF_M_RETRIED, /* transaction / batch retries */
    OF_M_EMITTED, /* follow-up events delivered */
    OF_M_STALE,   /* older versions ignored */
    OF_M_BATCHES,
    OF_M_OFFSET_RESETS,     /* a partition refused for a committed offset outside the log: held (D-KAF-4) */
    OF_M_KAFKA_UNREACHABLE, /* "kafka unreachable" alerts (no broker for OF_KAFKA_UNREACHABLE_ALERT_S) */
    OF_M_WAITING,           /* order-sync: orders held back because a site or the replica was behind (SYN-4) */
    OF_M_UNCONFIRMED,       /* deliveries acknowledged without an offset, sent again or failed (D-KAF-10) */
    OF_M_DB_STMT_CLOSED,    /* prepared statements closed to keep a connection under OF_MYSQL_PREPARED_PARAMS */
    OF_M__COUNT
} of_metric_t;

void of_metric_add(of_metric_t m, uint64_t n);
uint64_t of_metric_get(of_metric_t m);
/* Log one "stats" line with every counter (and rates since the previous call when periodic). */
void of_metrics_log(const char *why);

/* Per-topic counters, kept by the consumer loops (of_worker_run, the retry ladder) for the topics they consume. */
typedef enum {
    OF_MT_PROCESSED,    /* messages of the topic whose effect is durable (dead letters not included) */
    OF_MT_FAILED,       /* messages of the topic in a batch attempt that failed (each attempt) */
    OF_MT_RETRIED,      /* batch attempts retried that held messages of the topic */
    OF_MT_DEADLETTERED, /* messages of the topic sent to the dead-letter topic */
    OF_MT__COUNT
} of_metric_topic_t;
/* Add n to the topic's counter (topic: its full name; the first OF_METRIC_TOPICS_MAX distinct topics are kept,
 * later ones are counted under topic="other"). Thread-safe. */
#define OF_METRIC_TOPICS_MAX 32
void of_metric_topic_add(const char *topic, of_metric_topic_t m, uint64_t n);
uint64_t of_metric_topic_get(const char *topic, of_metric_topic_t m);

typedef enum {
    OF_MG_HTTP_CALLS,      /* outgoing HTTP calls in flight (delivery to merchants) */
    OF_MG_HTTP_REQUESTS,   /* incoming HTTP requests being answered (gateway) */
    OF_MG_OUTBOX_BACKLOG,  /* outbox rows not yet confirmed published, at the last sweep */
    OF_MG_OUTBOX_OLDEST_S, /* age of the oldest of them, seconds */
    OF_MG_DB_STATEMENTS,   /* statements prepared on the process's MySQL connections (of_db) */
    OF_MG_DB_PARAMS,       /* their parameters: the client library keeps ~220 bytes of each (D-T10-64) */
    OF_MG__COUNT
} of_metric_gauge_t;
void of_metric_gauge_set(of_metric_gauge_t g, int64_t v);
void of_metric_gauge_add(of_metric_gauge_t g, int64_t d);
int64_t of_metric_gauge_get(of_metric_gauge_t g);

typedef enum {
    OF_MH_BATCH,        /* one attempt of a batch handler (decide and apply one polled batch), seconds */
    OF_MH_TX,           /* one database transaction (of_db_tx: begin to commit, retries counted apart), seconds */
    OF_MH_HTTP_CALL,    /* one outgoing HTTP call, seconds */
    OF_MH_HTTP_REQUEST, /* one incoming HTTP request, arrival to answer sent (gateway), seconds */
    OF_MH__COUNT
} of_metric_hist_t;
/* Record one observation (seconds; negative counts as 0). Thread-safe, lock-free. */
void of_metric_observe(of_metric_hist_t h, double seconds);
/* Observations of h so far (the histogram's _count). */
uint64_t of_metric_observed(of_metric_hist_t h);

/* Write every metric above in the Prometheus text exposition format 0.0.4 (# HELP, # TYPE, samples; histograms
 * with cumulative le buckets, _sum and _count). Names are orderfleet_*; counters end in _total. */
void of_metrics_write(FILE *f);
/* Write s as a label value of the exposition format: backslash, double quote and newline escaped. */
void of_metrics_label(FILE *f, const char *s);

#endif
