/* of_metrics.h -- process counters (processed, failed, dead-lettered, retried ...) and the stats log line. */
#ifndef OF_METRICS_H
#define OF_METRICS_H
#include <stdint.h>

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
    OF_M__COUNT
} of_metric_t;

void of_metric_add(of_metric_t m, uint64_t n);
uint64_t of_metric_get(of_metric_t m);
/* Log one "stats" line with every counter (and rates since the previous call when periodic). */
void of_metrics_log(const char *why);

#endif
