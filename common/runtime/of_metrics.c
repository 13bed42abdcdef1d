/* of_metrics.c -- atomic counters and their periodic log line. */
#include <stdatomic.h>
#include <stdio.h>
#include "of_log.h"
#include "of_metrics.h"

static _Atomic uint64_t counters[OF_M__COUNT];
static const char *const names[OF_M__COUNT] = {"consumed",     "processed",     "duplicate",         "failed",
                                               "deadlettered", "retried",       "emitted",           "stale",
                                               "batches",      "offset_resets", "kafka_unreachable", "waiting"};

void of_metric_add(of_metric_t m, uint64_t n) {
    atomic_fetch_add_explicit(&counters[m], n, memory_order_relaxed);
}
uint64_t of_metric_get(of_metric_t m) {
    return atomic_load_explicit(&counters[m], memory_order_relaxed);
}

void of_metrics_log(const char *why) {
    uint64_t v[OF_M__COUNT];
    for (int i = 0; i < OF_M__COUNT; i++)
        v[i] = of_metric_get((of_metric_t)i);
    of_info("stats", OF_S("why", why), OF_U(names[0], v[0]), OF_U(names[1], v[1]), OF_U(names[2], v[2]),
            OF_U(names[3], v[3]), OF_U(names[4], v[4]), OF_U(names[5], v[5]), OF_U(names[6], v[6]),
            OF_U(names[7], v[7]), OF_U(names[8], v[8]), OF_U(names[9], v[9]), OF_U(names[10], v[10]),
            OF_U(names[11], v[11]), OF_END);
}
