/* of_admin.c -- the admin port: /metrics, /healthz, /readyz (of_admin.h). */
#include <arpa/inet.h>
#include <dirent.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include "of_admin.h"
#include "of_kafka.h"
#include "of_log.h"
#include "of_metrics.h"
#include "of_time.h"

#define MAX_RUNGS 8

static struct {
    struct MHD_Daemon *d;
    char name[64];
    int64_t stall_ms;
    double start_unix;
    /* mu guards the Kafka handles, the group and the rungs, and is held while a scrape uses a handle (so that
     * unregistering waits for it): only the admin thread and (un)registration take it, never a worker's loop */
    pthread_mutex_t mu;
    rd_kafka_t *rk, *probe;
    char group[256];
    char rung_topic[MAX_RUNGS][256], rung_label[MAX_RUNGS][64];
    int nrungs;
    int64_t next_probe;     /* the admin thread's next Kafka reachability probe (monotonic ms) */
    pthread_mutex_t why_mu; /* guards why: the worker's loop writes it on a failed attempt */
    char why[256];          /* the last dependency failure */
} A = {.mu = PTHREAD_MUTEX_INITIALIZER, .why_mu = PTHREAD_MUTEX_INITIALIZER};
static _Atomic int64_t last_beat; /* of_mono_ms() of the last beat, 0 = none yet */
static _Atomic int dependency_ok = 1;
static _Atomic long long rung_held[MAX_RUNGS];

void of_admin_rung_held(int rung, long long n) {
    if (rung >= 0 && rung < MAX_RUNGS) atomic_store_explicit(&rung_held[rung], n, memory_order_relaxed);
}

void of_admin_beat(void) {
    atomic_store_explicit(&last_beat, of_mono_ms(), memory_order_relaxed);
}

void of_admin_dependency(int ok, const char *why) {
    if (!ok) {
        pthread_mutex_lock(&A.why_mu);
        snprintf(A.why, sizeof A.why, "%s", why ? why : "");
        pthread_mutex_unlock(&A.why_mu);
    }
    atomic_store(&dependency_ok, ok);
}

void of_admin_consumer(rd_kafka_t *rk, const char *group) {
    pthread_mutex_lock(&A.mu);
    A.rk = rk;
    snprintf(A.group, sizeof A.group, "%s", rk && group ? group : "");
    pthread_mutex_unlock(&A.mu);
}

void of_admin_kafka(rd_kafka_t *rk) {
    pthread_mutex_lock(&A.mu);
    A.probe = rk;
    pthread_mutex_unlock(&A.mu);
}

void of_admin_rungs(const char *const *topics, const char *const *labels, int n) {
    pthread_mutex_lock(&A.mu);
    A.nrungs = n < MAX_RUNGS ? n : MAX_RUNGS;
    for (int i = 0; i < A.nrungs; i++) {
        snprintf(A.rung_topic[i], sizeof A.rung_topic[i], "%s", topics[i]);
        snprintf(A.rung_label[i], sizeof A.rung_label[i], "%s", labels[i]);
    }
    pthread_mutex_unlock(&A.mu);
}

/* Readiness: the conditions that fail, "; "-separated, into buf ("" when ready). */
static void not_ready(char *buf, size_t size) {
    buf[0] = 0;
    size_t n = 0;
#define WHY(...)                                                                                                       \
    do {                                                                                                               \
        if (n < size) n += (size_t)snprintf(buf + n, size - n, __VA_ARGS__);                                           \
    } while (0)
    if (!atomic_load_explicit(&last_beat, memory_order_relaxed)) WHY("loop: not started; ");
    pthread_mutex_lock(&A.mu);
    /* librdkafka says when every broker is down, never when one is back: a process whose handles see no traffic
     * (an idle gateway, the console, the sweep) would stay "unreachable". Ask the cluster, every 5 s at most. */
    rd_kafka_t *h = A.rk ? A.rk : A.probe;
    if (h && of_kafka_unreachable_ms() && of_mono_ms() >= A.next_probe) {
        of_kafka_probe(h, 500);
        A.next_probe = of_mono_ms() + 5000;
    }
    int64_t down = of_kafka_unreachable_ms();
    if (down) WHY("kafka: no broker reachable for %lld ms; ", (long long)down);
    if (A.rk && !of_kafka_assigned_once()) WHY("group %s: not joined yet; ", A.group);
    pthread_mutex_unlock(&A.mu);
    if (!atomic_load(&dependency_ok)) {
        pthread_mutex_lock(&A.why_mu);
        WHY("dependency: %s; ", A.why);
        pthread_mutex_unlock(&A.why_mu);
    }
#undef WHY
    if (n >= size) n = size - 1;
    while (n >= 2 && buf[n - 2] == ';') /* drop the last "; " */
        buf[n -= 2] = 0;
}

/* The lag of each assigned partition: high watermark (asked of the partition's leader, within one second for the
 * whole page; past it, or when the broker does not answer, librdkafka's cached value from its last fetch) minus the
 * consumer's position (the next offset it takes); partitions with neither known yet are left out. Ladder rungs
 * sum theirs. Called under A.mu. */
static void write_lag(FILE *f) {
    long long rung[MAX_RUNGS];
    for (int r = 0; r < MAX_RUNGS; r++)
        rung[r] = atomic_load_explicit(&rung_held[r], memory_order_relaxed);
    fputs("# HELP orderfleet_consumer_lag Messages of an assigned partition not taken yet (high watermark minus "
          "position).\n# TYPE orderfleet_consumer_lag gauge\n",
          f);
    int nparts = 0;
    int64_t deadline = of_mono_ms() + 1000;
    rd_kafka_topic_partition_list_t *parts = NULL;
    if (A.rk && !rd_kafka_assignment(A.rk, &parts) && parts && !rd_kafka_position(A.rk, parts)) {
        nparts = parts->cnt;
        for (int i = 0; i < parts->cnt; i++) {
            rd_kafka_topic_partition_t *p = &parts->elems[i];
            int64_t lo = -1, hi = -1, left = deadline - of_mono_ms();
            /* asked of the leader while the scrape's second lasts: the cached value stops moving while a partition
             * is paused (the retry ladder's rungs) or its fetch queue is full, and would hide messages */
            if ((left <= 0 || rd_kafka_query_watermark_offsets(A.rk, p->topic, p->partition, &lo, &hi,
                                                               (int)(left < 500 ? left : 500))) &&
                rd_kafka_get_watermark_offsets(A.rk, p->topic, p->partition, &lo, &hi))
                continue;
            if (hi < 0) continue;
            int64_t pos = p->offset >= 0 ? p->offset : lo;
            if (pos < 0) continue;
            long long lag = hi > pos ? (long long)(hi - pos) : 0;
            fputs("orderfleet_consumer_lag{group=\"", f);
            of_metrics_label(f, A.group);
            fputs("\",topic=\"", f);
            of_metrics_label(f, p->topic);
            fprintf(f, "\",partition=\"%d\"} %lld\n", (int)p->partition, lag);
            for (int r = 0; r < A.nrungs; r++)
                if (!strcmp(A.rung_topic[r], p->topic)) rung[r] += lag;
        }
    }
    if (parts) rd_kafka_topic_partition_list_destroy(parts);
    fputs("# HELP orderfleet_assigned_partitions Partitions this instance holds in its consumer group.\n"
          "# TYPE orderfleet_assigned_partitions gauge\n",
          f);
    fprintf(f, "orderfleet_assigned_partitions %d\n", nparts);
    if (!A.nrungs) return;
    fputs("# HELP orderfleet_ladder_occupancy Messages on a retry rung not yet republished: held, not due yet, or not "
          "fetched yet (this instance's partitions).\n# TYPE orderfleet_ladder_occupancy gauge\n",
          f);
    for (int r = 0; r < A.nrungs; r++) {
        fputs("orderfleet_ladder_occupancy{rung=\"", f);
        of_metrics_label(f, A.rung_label[r]);
        fprintf(f, "\"} %lld\n", rung[r]);
    }
}

/* process_* metrics from /proc (the names client libraries use). */
static void write_process(FILE *f) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
                 ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
    long long rss = -1;
    FILE *sf = fopen("/proc/self/statm", "r");
    long pages_total, pages_rss;
    if (sf && fscanf(sf, "%ld %ld", &pages_total, &pages_rss) == 2) rss = (long long)pages_rss * sysconf(_SC_PAGESIZE);
    if (sf) fclose(sf);
    int fds = 0;
    DIR *d = opendir("/proc/self/fd");
    for (struct dirent *e; d && (e = readdir(d));)
        fds += e->d_name[0] != '.';
    if (d) closedir(d);
    fprintf(f,
            "# HELP process_cpu_seconds_total User and system CPU time spent, seconds.\n"
            "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total %.3f\n"
            "# HELP process_start_time_seconds Start time of the process since the Unix epoch, seconds.\n"
            "# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds %.3f\n",
            cpu, A.start_unix);
    if (rss >= 0)
        fprintf(f,
                "# HELP process_resident_memory_bytes Resident memory size, bytes.\n"
                "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes %lld\n",
                rss);
    if (d || fds)
        fprintf(f,
                "# HELP process_open_fds Open file descriptors.\n# TYPE process_open_fds gauge\n"
                "process_open_fds %d\n",
                fds - 1 /* the directory's own */);
}

static char *render_metrics(size_t *len) {
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f) return NULL;
    char why[512];
    not_ready(why, sizeof why);
    fprintf(f,
            "# HELP orderfleet_build_info The worker and its version.\n# TYPE orderfleet_build_info gauge\n"
            "orderfleet_build_info{worker=\"%s\",version=\"%s\"} 1\n"
            "# HELP orderfleet_ready 1 when /readyz answers 200.\n# TYPE orderfleet_ready gauge\n"
            "orderfleet_ready %d\n",
            A.name, OF_VERSION, !why[0]);
    of_metrics_write(f);
    pthread_mutex_lock(&A.mu);
    write_lag(f);
    pthread_mutex_unlock(&A.mu);
    write_process(f);
    if (fclose(f)) {
        free(buf);
        return NULL;
    }
    return buf;
}

static enum MHD_Result answer(struct MHD_Connection *c, unsigned code, const char *type, char *body, size_t len,
                              int owned) {
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, body, owned ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_MUST_COPY);
    if (!r) {
        if (owned) free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    if (code == MHD_HTTP_METHOD_NOT_ALLOWED) MHD_add_response_header(r, "Allow", "GET, HEAD");
    enum MHD_Result ret = MHD_queue_response(c, code, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result text(struct MHD_Connection *c, unsigned code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static enum MHD_Result text(struct MHD_Connection *c, unsigned code, const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    if ((size_t)n >= sizeof buf) n = (int)sizeof buf - 1;
    return answer(c, code, "text/plain; charset=utf-8", buf, (size_t)n, 0);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **state) {
    (void)cls, (void)version, (void)upload, (void)state;
    if (*upload_size) { /* no route takes a body */
        *upload_size = 0;
        return MHD_YES;
    }
    if (strcmp(method, "GET") && strcmp(method, "HEAD")) return text(c, 405, "only GET and HEAD\n");
    if (!strcmp(url, "/metrics")) {
        size_t len = 0;
        char *body = render_metrics(&len);
        if (!body) return text(c, 500, "out of memory\n");
        return answer(c, 200, "text/plain; version=0.0.4; charset=utf-8", body, len, 1);
    }
    if (!strcmp(url, "/healthz")) {
        int64_t beat = atomic_load_explicit(&last_beat, memory_order_relaxed), now = of_mono_ms();
        if (!beat) return text(c, 200, "ok (starting)\n");
        if (now - beat > A.stall_ms)
            return text(c, 503, "stalled: the loop has not come round for %lld ms (OF_ADMIN_STALL_S)\n",
                        (long long)(now - beat));
        return text(c, 200, "ok\n");
    }
    if (!strcmp(url, "/readyz")) {
        char why[512];
        not_ready(why, sizeof why);
        return why[0] ? text(c, 503, "not ready: %s\n", why) : text(c, 200, "ready\n");
    }
    return text(c, 404, "not found: /metrics, /healthz and /readyz are served here\n");
}

of_err_t of_admin_start(const of_config_t *cfg, const char *name, char *errstr, size_t errstr_size) {
    long long port = of_cfg_int(cfg, OF_CFG_ADMIN_PORT);
    if (!port || A.d) return OF_OK;
    snprintf(A.name, sizeof A.name, "%s", name);
    A.stall_ms = of_cfg_int(cfg, OF_CFG_ADMIN_STALL_S) * 1000;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    A.start_unix = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, of_cfg_str(cfg, OF_CFG_ADMIN_BIND), &sa.sin_addr) != 1)
        return of_seterr(errstr, errstr_size, OF_ERR_CONFIG, "OF_ADMIN_BIND: an IPv4 address is required");
    A.d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, (uint16_t)port, NULL, NULL, on_request,
                           NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_CONNECTION_TIMEOUT,
                           (unsigned)10, MHD_OPTION_CONNECTION_LIMIT, (unsigned)64, MHD_OPTION_END);
    if (!A.d)
        return of_seterr(errstr, errstr_size, OF_ERR_CONFIG, "OF_ADMIN_PORT: cannot listen on %s:%lld (port taken?)",
                         of_cfg_str(cfg, OF_CFG_ADMIN_BIND), port);
    of_info("admin port listening", OF_S("bind", of_cfg_str(cfg, OF_CFG_ADMIN_BIND)), OF_I("port", port),
            OF_S("routes", "/metrics /healthz /readyz"), OF_END);
    return OF_OK;
}

void of_admin_stop(void) {
    if (!A.d) return;
    MHD_stop_daemon(A.d); /* joins its thread: no scrape runs after this */
    A.d = NULL;
    of_admin_consumer(NULL, NULL);
}
