/* of_metrics.c -- atomic counters, per-topic counters, gauges and histograms; their log line and Prometheus text. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include "of_log.h"
#include "of_metrics.h"

static _Atomic uint64_t counters[OF_M__COUNT];
static const char *const names[OF_M__COUNT] = {"consumed",          "processed",
                                               "duplicate",         "failed",
                                               "deadlettered",      "retried",
                                               "emitted",           "stale",
                                               "batches",           "offset_resets",
                                               "kafka_unreachable", "waiting",
                                               "kafka_unconfirmed", "db_statements_closed"};
static const char *const helps[OF_M__COUNT] = {
    "Messages polled from Kafka.",
    "Messages whose effect is committed (as counted by the handlers).",
    "Replays recognised (Redis fast path or processed_event).",
    "Handler failures, each attempt.",
    "Messages sent to the dead-letter topic.",
    "Transaction and batch retries.",
    "Follow-up events delivered.",
    "Older versions of a message ignored.",
    "Batches polled.",
    "Partitions refused for a committed offset outside the log (held).",
    "Kafka unreachable alerts.",
    "Orders held back because a site or the replica was behind (order-sync).",
    "Deliveries Kafka did not confirm (no offset, or one it had confirmed before): sent again, or failed (D-KAF-10).",
    "Prepared statements closed, least recently used first, to keep a connection's prepared parameters under "
    "OF_MYSQL_PREPARED_PARAMS (prepared again when next used)."};

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
            OF_U(names[11], v[11]), OF_U(names[12], v[12]), OF_U(names[13], v[13]), OF_END);
}
_Static_assert(OF_M__COUNT == 14, "of_metrics_log names every counter: add the new one to its line");

/* ---- per topic: a fixed table filled once per topic name (under a lock), counted lock-free ---- */
typedef struct {
    _Atomic int used; /* set once name is written */
    char name[250];
    _Atomic uint64_t v[OF_MT__COUNT];
} topic_slot_t;
static topic_slot_t topics[OF_METRIC_TOPICS_MAX + 1]; /* the last one is "other" */
static pthread_mutex_t topics_mu = PTHREAD_MUTEX_INITIALIZER;
static const char *const topic_names[OF_MT__COUNT] = {"processed", "failed", "retried", "deadlettered"};
static const char *const topic_helps[OF_MT__COUNT] = {
    "Messages of a consumed topic whose effect is durable (dead letters not included).",
    "Messages of a consumed topic in a batch attempt that failed (each attempt).",
    "Batch attempts retried that held messages of the topic.", "Messages of a consumed topic dead-lettered."};

static topic_slot_t *topic_slot(const char *topic) {
    for (int i = 0; i < OF_METRIC_TOPICS_MAX; i++) {
        if (!atomic_load_explicit(&topics[i].used, memory_order_acquire)) break;
        if (!strcmp(topics[i].name, topic)) return &topics[i];
    }
    pthread_mutex_lock(&topics_mu);
    topic_slot_t *s = &topics[OF_METRIC_TOPICS_MAX];
    for (int i = 0; i < OF_METRIC_TOPICS_MAX; i++) {
        if (!atomic_load_explicit(&topics[i].used, memory_order_relaxed)) {
            snprintf(topics[i].name, sizeof topics[i].name, "%s", topic);
            atomic_store_explicit(&topics[i].used, 1, memory_order_release);
            s = &topics[i];
            break;
        }
        if (!strcmp(topics[i].name, topic)) {
            s = &topics[i];
            break;
        }
    }
    pthread_mutex_unlock(&topics_mu);
    return s;
}

void of_metric_topic_add(const char *topic, of_metric_topic_t m, uint64_t n) {
    atomic_fetch_add_explicit(&topic_slot(topic ? topic : "")->v[m], n, memory_order_relaxed);
}
uint64_t of_metric_topic_get(const char *topic, of_metric_topic_t m) {
    return atomic_load_explicit(&topic_slot(topic ? topic : "")->v[m], memory_order_relaxed);
}

/* ---- gauges ---- */
static _Atomic int64_t gauges[OF_MG__COUNT];
static const char *const gauge_names[OF_MG__COUNT] = {"http_calls_in_flight",   "http_requests_in_flight",
                                                      "outbox_backlog",         "outbox_oldest_seconds",
                                                      "db_prepared_statements", "db_prepared_parameters"};
static const char *const gauge_helps[OF_MG__COUNT] = {
    "Outgoing HTTP calls in flight (delivery to merchants).",
    "Incoming HTTP requests being answered (gateway).",
    "Outbox rows not yet confirmed published, at the last sweep.",
    "Age of the oldest outbox row not yet confirmed published, at the last sweep, seconds.",
    "Statements prepared on the process's MySQL connections.",
    "Parameters of the statements prepared on the process's MySQL connections (the client library keeps a few "
    "hundred bytes of each for the statement's life)."};

void of_metric_gauge_set(of_metric_gauge_t g, int64_t v) {
    atomic_store_explicit(&gauges[g], v, memory_order_relaxed);
}
void of_metric_gauge_add(of_metric_gauge_t g, int64_t d) {
    atomic_fetch_add_explicit(&gauges[g], d, memory_order_relaxed);
}
int64_t of_metric_gauge_get(of_metric_gauge_t g) {
    return atomic_load_explicit(&gauges[g], memory_order_relaxed);
}

/* ---- histograms: fixed buckets (seconds), counts per bucket (made cumulative when written), sum in µs ---- */
static const double bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
#define NB ((int)(sizeof bounds / sizeof bounds[0]))
typedef struct {
    _Atomic uint64_t bucket[NB + 1]; /* [NB]: above the last bound */
    _Atomic uint64_t count, sum_us;
} hist_t;
static hist_t hists[OF_MH__COUNT];
static const char *const hist_names[OF_MH__COUNT] = {"batch_seconds", "transaction_seconds", "http_call_seconds",
                                                     "http_request_seconds"};
static const char *const hist_helps[OF_MH__COUNT] = {
    "One attempt of a batch handler (decide and apply one polled batch).",
    "One database transaction, begin to commit (each attempt).", "One outgoing HTTP call, start to answer.",
    "One incoming HTTP request, arrival to answer sent."};

void of_metric_observe(of_metric_hist_t h, double seconds) {
    if (!(seconds > 0)) seconds = 0;
    int b = 0;
    while (b < NB && seconds > bounds[b])
        b++;
    atomic_fetch_add_explicit(&hists[h].bucket[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&hists[h].sum_us, (uint64_t)(seconds * 1e6 + 0.5), memory_order_relaxed);
    atomic_fetch_add_explicit(&hists[h].count, 1, memory_order_relaxed);
}
uint64_t of_metric_observed(of_metric_hist_t h) {
    return atomic_load_explicit(&hists[h].count, memory_order_relaxed);
}

void of_metrics_label(FILE *f, const char *s) {
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            fprintf(f, "\\%c", *s);
        else if (*s == '\n')
            fputs("\\n", f);
        else
            fputc(*s, f);
    }
}

static void family(FILE *f, const char *name, const char *type, const char *help) {
    fprintf(f, "# HELP orderfleet_%s %s\n# TYPE orderfleet_%s %s\n", name, help, name, type);
}

void of_metrics_write(FILE *f) {
    for (int i = 0; i < OF_M__COUNT; i++) {
        char n[64];
        snprintf(n, sizeof n, "%s_total", names[i]);
        family(f, n, "counter", helps[i]);
        fprintf(f, "orderfleet_%s %llu\n", n, (unsigned long long)of_metric_get((of_metric_t)i));
    }
    for (int m = 0; m < OF_MT__COUNT; m++) {
        char n[64];
        snprintf(n, sizeof n, "topic_%s_total", topic_names[m]);
        family(f, n, "counter", topic_helps[m]);
        for (int i = 0; i <= OF_METRIC_TOPICS_MAX; i++) {
            int other = i == OF_METRIC_TOPICS_MAX;
            if (!other && !atomic_load_explicit(&topics[i].used, memory_order_acquire)) continue;
            uint64_t v = atomic_load_explicit(&topics[i].v[m], memory_order_relaxed);
            if (other && !v) continue;
            fprintf(f, "orderfleet_%s{topic=\"", n);
            of_metrics_label(f, other ? "other" : topics[i].name);
            fprintf(f, "\"} %llu\n", (unsigned long long)v);
        }
    }
    for (int g = 0; g < OF_MG__COUNT; g++) {
        family(f, gauge_names[g], "gauge", gauge_helps[g]);
        fprintf(f, "orderfleet_%s %lld\n", gauge_names[g], (long long)of_metric_gauge_get((of_metric_gauge_t)g));
    }
    for (int h = 0; h < OF_MH__COUNT; h++) {
        family(f, hist_names[h], "histogram", hist_helps[h]);
        /* read count first: buckets read after it sum to at least it; the +Inf bucket is the count itself */
        uint64_t count = atomic_load_explicit(&hists[h].count, memory_order_relaxed), cum = 0;
        for (int b = 0; b < NB; b++) {
            cum += atomic_load_explicit(&hists[h].bucket[b], memory_order_relaxed);
            fprintf(f, "orderfleet_%s_bucket{le=\"%g\"} %llu\n", hist_names[h], bounds[b],
                    (unsigned long long)(cum < count ? cum : count));
        }
        fprintf(f, "orderfleet_%s_bucket{le=\"+Inf\"} %llu\n", hist_names[h], (unsigned long long)count);
        fprintf(f, "orderfleet_%s_sum %.6f\n", hist_names[h],
                (double)atomic_load_explicit(&hists[h].sum_us, memory_order_relaxed) / 1e6);
        fprintf(f, "orderfleet_%s_count %llu\n", hist_names[h], (unsigned long long)count);
    }
}
