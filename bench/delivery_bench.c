/* of-bench-delivery -- benchmark driver for delivery (bench/delivery.sh runs it): our Kafka design vs the seed's
 * Redis-list design against the same test merchant, retry due-time error, fresh latency with parked retries. */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <curl/curl.h>
#include "deadletter.pb-c.h"
#include "of_delivery.h"
#include "of_dlq.h"
#include "of_kafka.h"
#include "of_ladder.h"
#include "of_log.h"
#include "of_redis.h"
#include "of_sign.h"
#include "of_topics.h"
#include "payment.pb-c.h"

static of_config_t *cfg;
static const char *run_id = "r", *merchant_log = NULL, *merchant_url = NULL;
static long count = 1000, loops = 64, rate = 0, delay_ms = 5000;
static int64_t *notify_ms; /* per order: when it was notified */

static void usage(FILE *f) {
    fprintf(f,
            "usage: of-bench-delivery ours|seed|due|park [--count N] [--run ID] [--merchant-log PATH]\n"
            "                         [--merchant-url URL] [--loops K] [--rate PER_S] [--delay-ms D]\n"
            "  ours  publish N DeliveryRequests (orders B<run>-<i>, merchant 1) and time notify -> merchant receipt\n"
            "        (the running of-delivery serves them); --rate spaces them (fresh-request latency)\n"
            "  seed  the seed's design: Redis list + RPOPLPUSH (lua/delivery_*.lua), K consumer loops POSTing to\n"
            "        --merchant-url, same orders and timing\n"
            "  due   N RetryEnvelopes on rung 1 at --rate, due --delay-ms later (origin order.sync): how late\n"
            "        of-retry-ladder republishes them\n"
            "  park  N RetryEnvelopes parked on retry.3600s (origin delivery.request, due in an hour)\n"
            "Prints figures as key=value; configuration as for every worker (OF_CONFIG ...).\n");
}

static int64_t now_ms(void) {
    return of_now_ms();
}
static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}
static int cmp64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}
static int64_t pct(int64_t *v, long n, double p) {
    if (n <= 0) return -1;
    long i = (long)(p * (double)(n - 1) + 0.5);
    return v[i];
}

static Orderfleet__DeliveryRequest make_req(long i, char *code, size_t cs, char *eid, size_t es,
                                            Orderfleet__EventMeta *meta) {
    snprintf(code, cs, "B%s-%ld", run_id, i);
    snprintf(eid, es, "bench-%s-%ld", run_id, i);
    Orderfleet__DeliveryRequest rq = ORDERFLEET__DELIVERY_REQUEST__INIT;
    *meta = (Orderfleet__EventMeta)ORDERFLEET__EVENT_META__INIT;
    meta->event_id = eid;
    meta->producer = "bench";
    meta->schema_version = 1;
    rq.meta = meta;
    rq.order_id = (uint64_t)(1000000 + i);
    rq.order_code = code;
    rq.merchant_id = 1;
    rq.cash = 99000;
    rq.payload = "{\"sku\":\"SKU-TEA-001\",\"qty\":1}";
    return rq;
}

/* Wait until the merchant log has a 200 for every order B<run>-<i>; fill recv[i]. Returns how many. */
static long wait_receipts(int64_t *recv, long n, int timeout_s) {
    char prefix[64];
    snprintf(prefix, sizeof prefix, " order=B%s-", run_id);
    long got = 0;
    long pos = 0;
    int64_t end = now_ms() + timeout_s * 1000LL;
    for (long i = 0; i < n; i++)
        recv[i] = 0;
    while (got < n && now_ms() < end) {
        FILE *f = fopen(merchant_log, "r");
        if (f) {
            fseek(f, pos, SEEK_SET);
            char line[1024];
            while (fgets(line, sizeof line, f)) {
                if (!strchr(line, '\n')) break; /* partial line: read it next time */
                pos = ftell(f);
                char *o = strstr(line, prefix);
                long long t;
                if (!o || !strstr(line, "answer=200") || sscanf(line, "t_ms=%lld", &t) != 1) continue;
                long i = atol(o + strlen(prefix));
                if (i >= 0 && i < n && !recv[i]) {
                    recv[i] = t;
                    got++;
                }
            }
            fclose(f);
        }
        if (got < n) sleep_ms(20);
    }
    return got;
}

static int report(const char *what, int64_t *recv, long n) {
    int64_t *lat = malloc(sizeof *lat * (size_t)n);
    int64_t first = INT64_MAX, last = 0;
    long k = 0;
    for (long i = 0; i < n; i++) {
        if (!recv[i]) continue;
        lat[k++] = recv[i] - notify_ms[i];
        if (notify_ms[i] < first) first = notify_ms[i];
        if (recv[i] > last) last = recv[i];
    }
    qsort(lat, (size_t)k, sizeof *lat, cmp64);
    double secs = k ? (double)(last - first) / 1000.0 : 0;
    printf("%s delivered=%ld of=%ld seconds=%.3f per_s=%.0f p50_ms=%lld p99_ms=%lld max_ms=%lld\n", what, k, n, secs,
           secs > 0 ? (double)k / secs : 0, (long long)pct(lat, k, 0.5), (long long)pct(lat, k, 0.99),
           (long long)(k ? lat[k - 1] : -1));
    free(lat);
    return k == n ? 0 : 1;
}

static int run_ours(void) {
    char err[512];
    of_producer_t *p = of_producer_new(cfg, "bench", err, sizeof err);
    if (!p) return fprintf(stderr, "producer: %s\n", err), 1;
    sleep_ms(1500); /* topic metadata */
    const char *topic = of_producer_topic(p, OF_TOPIC_DELIVERY_REQUEST);
    of_dr_batch_t b = {0};
    int64_t t0 = now_ms();
    for (long i = 0; i < count; i++) {
        if (rate > 0) {
            int64_t due = t0 + i * 1000 / rate;
            while (now_ms() < due) {
                of_producer_poll(p);
                sleep_ms(1);
            }
        }
        char code[64], eid[96];
        Orderfleet__EventMeta meta;
        Orderfleet__DeliveryRequest rq = make_req(i, code, sizeof code, eid, sizeof eid, &meta);
        meta.occurred_at_ms = notify_ms[i] = now_ms();
        size_t n = orderfleet__delivery_request__get_packed_size(&rq);
        uint8_t *buf = malloc(n);
        orderfleet__delivery_request__pack(&rq, buf);
        if (of_producer_send(p, topic, code, strlen(code), buf, n, NULL, &b)) fprintf(stderr, "send failed\n");
        free(buf);
        of_producer_poll(p);
    }
    if (of_producer_wait(p, &b)) fprintf(stderr, "not all published: %s\n", b.error);
    of_producer_destroy(p);
    int64_t *recv = calloc((size_t)count, sizeof *recv);
    wait_receipts(recv, count, 600);
    int rc = report("ours", recv, count);
    free(recv);
    return rc;
}

/* ---- the seed's design: Redis queue + backup list, consumer loops, same scripts */
typedef struct {
    int idx;
    long done;
} loop_arg_t;
static volatile int seed_stop;
static char q_key[128], bak_key[128], rung_key[128];
static const char *secret;

/* The seed's design: its scripts take an order's keys together with the global queue lists (notify: data, claim,
 * queue; delivered: data, claim, backup), so under Redis Cluster every key of the design needs one hash tag, the
 * run's: one slot, one shard (docs/scaling.md "Redis Cluster"). */
static void okey(const char *ref, const char *what, char *buf, size_t size) {
    snprintf(buf, size, "bench:{%s}:dlv:%s:%s", run_id, ref, what);
}

static size_t sink(char *p, size_t s, size_t n, void *u) {
    (void)p;
    (void)u;
    return s * n;
}

static void *seed_loop(void *varg) {
    loop_arg_t *a = varg;
    char err[512];
    of_redis_t *r = of_redis_connect(cfg, err, sizeof err);
    CURL *e = curl_easy_init();
    if (!r || !e) {
        fprintf(stderr, "seed loop: %s\n", err);
        return NULL;
    }
    while (!seed_stop) {
        redisReply *rep;
        const char *pk[] = {q_key, bak_key};
        if (of_redis_eval(r, OF_LUA_DELIVERY_POP, 2, pk, 0, NULL, &rep, err, sizeof err)) break;
        if (rep->type != REDIS_REPLY_STRING) { /* 0: empty, poll again (the seed's 轮训) */
            freeReplyObject(rep);
            sleep_ms(1);
            continue;
        }
        char ref[96], ok[160], ck[160];
        snprintf(ref, sizeof ref, "%s", rep->str);
        freeReplyObject(rep);
        okey(ref, "order", ok, sizeof ok);
        okey(ref, "claim", ck, sizeof ck);
        const char *hg[] = {"HGETALL", ok};
        if (of_redis_cmd(r, 2, hg, &rep, err, sizeof err)) break;
        char cash[32] = "0", order_id[32] = "0";
        for (size_t k = 0; k + 1 < rep->elements; k += 2) {
            if (!strcmp(rep->element[k]->str, "cash")) snprintf(cash, sizeof cash, "%s", rep->element[k + 1]->str);
            if (!strcmp(rep->element[k]->str, "order_id"))
                snprintf(order_id, sizeof order_id, "%s", rep->element[k + 1]->str);
        }
        freeReplyObject(rep);
        /* the same body, signature and headers as of-delivery */
        char eid[128], idem[130];
        Orderfleet__EventMeta meta = ORDERFLEET__EVENT_META__INIT;
        snprintf(eid, sizeof eid, "seed-%s", ref);
        meta.event_id = eid;
        Orderfleet__DeliveryRequest rq = ORDERFLEET__DELIVERY_REQUEST__INIT;
        rq.meta = &meta;
        rq.order_id = strtoull(order_id, NULL, 10);
        rq.order_code = ref;
        rq.merchant_id = 1;
        rq.cash = 99000;
        rq.payload = "{\"sku\":\"SKU-TEA-001\",\"qty\":1}";
        of_delivery_idem_key(&rq, ref, idem, sizeof idem);
        size_t blen;
        char *body = of_delivery_body(&rq, ref, "ranch-01", idem, &blen);
        char sig[80], h1[200], h2[120], h3[120];
        of_sign_body(secret, body, blen, sig, sizeof sig);
        snprintf(h1, sizeof h1, "Idempotency-Key: %s", idem);
        snprintf(h2, sizeof h2, "X-OF-Signature: %s", sig);
        snprintf(h3, sizeof h3, "X-OF-Order: %s", ref);
        struct curl_slist *hl = curl_slist_append(NULL, "Content-Type: application/json");
        hl = curl_slist_append(hl, h1);
        hl = curl_slist_append(hl, h2);
        hl = curl_slist_append(hl, h3);
        hl = curl_slist_append(hl, "X-OF-Merchant: ranch-01");
        hl = curl_slist_append(hl, "X-OF-Attempt: 1");
        hl = curl_slist_append(hl, "Expect:");
        curl_easy_setopt(e, CURLOPT_URL, merchant_url);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)blen);
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, hl);
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 3000L);
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, sink);
        CURLcode cc = curl_easy_perform(e);
        long status = 0;
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
        curl_slist_free_all(hl);
        free(body);
        long long v;
        if (cc == CURLE_OK && status >= 200 && status < 300) {
            const char *dk[] = {ok, ck, bak_key};
            const char *da[] = {ref};
            if (of_redis_eval_int(r, OF_LUA_DELIVERY_DELIVERED, 3, dk, 1, da, &v, err, sizeof err)) break;
            a->done++;
        } else {
            const char *fk[] = {bak_key, rung_key};
            const char *fa[] = {ref};
            if (of_redis_eval_int(r, OF_LUA_DELIVERY_FAILED, 2, fk, 1, fa, &v, err, sizeof err)) break;
        }
    }
    curl_easy_cleanup(e);
    of_redis_close(r);
    return NULL;
}

static int run_seed(void) {
    char err[512];
    secret = getenv("OF_MERCHANT_1_SECRET");
    if (!secret || !merchant_url) return fprintf(stderr, "seed: OF_MERCHANT_1_SECRET and --merchant-url needed\n"), 2;
    snprintf(q_key, sizeof q_key, "bench:{%s}:SIMPLE_PLATFORM_DELIVERY", run_id);
    snprintf(bak_key, sizeof bak_key, "bench:{%s}:SIMPLE_PLATFORM_DELIVERY_BAK", run_id);
    snprintf(rung_key, sizeof rung_key, "bench:{%s}:SIMPLE_PLATFORM_DELIVERY_30", run_id);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    pthread_t *th = calloc((size_t)loops, sizeof *th);
    loop_arg_t *args = calloc((size_t)loops, sizeof *args);
    of_redis_t *r = of_redis_connect(cfg, err, sizeof err);
    if (!r) return fprintf(stderr, "redis: %s\n", err), 1;
    /* Without --rate the queue is filled first and then drained by the loops (their empty-queue polling would
     * otherwise compete with the notifies for the two cores): per_s is the drain rate. With --rate the loops run
     * while the notifies come. */
    if (rate > 0)
        for (long k = 0; k < loops; k++)
            pthread_create(&th[k], NULL, seed_loop, &args[k]);
    int64_t t0 = now_ms();
    for (long i = 0; i < count; i++) {
        if (rate > 0) {
            int64_t due = t0 + i * 1000 / rate;
            while (now_ms() < due)
                sleep_ms(1);
        }
        char ref[64], ok[160], ck[160], oid[32], eid[96];
        snprintf(ref, sizeof ref, "B%s-%ld", run_id, i);
        okey(ref, "order", ok, sizeof ok);
        okey(ref, "claim", ck, sizeof ck);
        snprintf(oid, sizeof oid, "%ld", 1000000 + i);
        snprintf(eid, sizeof eid, "seed-%s", ref);
        /* the seed: the order's data stored at order time, then the payment notify (DLV-2) */
        const char *hs[] = {"HSET", ok, "order_id", oid, "merchant", "1"};
        redisReply *rep;
        if (of_redis_cmd(r, 6, hs, &rep, err, sizeof err)) return fprintf(stderr, "%s\n", err), 1;
        freeReplyObject(rep);
        notify_ms[i] = now_ms();
        const char *nk[] = {ok, ck, q_key};
        const char *na[] = {"9.9000", eid, "3600000", ref};
        long long v;
        if (of_redis_eval_int(r, OF_LUA_DELIVERY_NOTIFY, 3, nk, 4, na, &v, err, sizeof err) || v != 1)
            return fprintf(stderr, "notify: %s %lld\n", err, v), 1;
    }
    int64_t drain_start = now_ms();
    if (rate <= 0)
        for (long k = 0; k < loops; k++)
            pthread_create(&th[k], NULL, seed_loop, &args[k]);
    int64_t *recv = calloc((size_t)count, sizeof *recv);
    wait_receipts(recv, count, 600);
    seed_stop = 1;
    if (rate <= 0) {
        int64_t last = 0;
        for (long i = 0; i < count; i++)
            if (recv[i] > last) last = recv[i];
        printf("seed-drain seconds=%.3f per_s=%.0f (queue of %ld filled first, then drained by %ld loops)\n",
               (double)(last - drain_start) / 1000.0,
               last > drain_start ? count * 1000.0 / (double)(last - drain_start) : 0, count, loops);
    }
    for (long k = 0; k < loops; k++)
        pthread_join(th[k], NULL);
    int rc = report("seed", recv, count);
    const char *del[] = {"DEL", q_key, bak_key, rung_key};
    redisReply *rep;
    if (!of_redis_cmd(r, 4, del, &rep, err, sizeof err)) freeReplyObject(rep);
    of_redis_close(r);
    free(recv);
    free(th);
    free(args);
    curl_global_cleanup();
    return rc;
}

/* ---- envelopes straight onto a rung (any worker may put messages on the ladder) */
static uint8_t *envelope(const char *origin, int64_t due, long i, size_t *lenp, char *key, size_t ks) {
    char code[64], eid[96], id[96];
    Orderfleet__EventMeta meta, emeta = ORDERFLEET__EVENT_META__INIT;
    Orderfleet__DeliveryRequest rq = make_req(i, code, sizeof code, eid, sizeof eid, &meta);
    snprintf(code, 64, "P%s-%ld", run_id, i);
    snprintf(key, ks, "%s", code);
    size_t n = orderfleet__delivery_request__get_packed_size(&rq);
    uint8_t *orig = malloc(n);
    orderfleet__delivery_request__pack(&rq, orig);
    snprintf(id, sizeof id, "benchenv-%s-%ld", run_id, i);
    emeta.event_id = id;
    Orderfleet__AttemptError ae = ORDERFLEET__ATTEMPT_ERROR__INIT, *aes[] = {&ae};
    ae.attempt = 1;
    ae.at_ms = now_ms();
    ae.error = "HTTP 500 (bench)";
    Orderfleet__RetryEnvelope env = ORDERFLEET__RETRY_ENVELOPE__INIT;
    env.meta = &emeta;
    env.original.data = orig;
    env.original.len = n;
    env.original_key.data = (uint8_t *)key;
    env.original_key.len = strlen(key);
    env.origin_topic = (char *)origin;
    env.attempt = 2;
    env.due_at_ms = due;
    env.n_errors = 1;
    env.errors = aes;
    *lenp = orderfleet__retry_envelope__get_packed_size(&env);
    uint8_t *buf = malloc(*lenp);
    orderfleet__retry_envelope__pack(&env, buf);
    free(orig);
    return buf;
}

static int run_park(void) {
    char err[512];
    of_producer_t *p = of_producer_new(cfg, "bench", err, sizeof err);
    if (!p) return fprintf(stderr, "producer: %s\n", err), 1;
    of_dr_batch_t b = {0};
    int64_t due = now_ms() + 3600 * 1000LL;
    for (long i = 0; i < count; i++) {
        size_t n;
        char key[64];
        uint8_t *buf = envelope(of_producer_topic(p, OF_TOPIC_DELIVERY_REQUEST), due, i, &n, key, sizeof key);
        if (of_producer_send(p, of_producer_topic(p, OF_TOPIC_RETRY_3), key, strlen(key), buf, n, NULL, &b))
            fprintf(stderr, "send failed\n");
        free(buf);
        of_producer_poll(p);
    }
    int rc = of_producer_wait(p, &b) ? 1 : 0;
    printf("park parked=%d topic=%s due_in_s=3600\n", b.delivered, of_producer_topic(p, OF_TOPIC_RETRY_3));
    of_producer_destroy(p);
    return rc;
}

static int run_due(void) {
    char err[512];
    of_producer_t *p = of_producer_new(cfg, "bench", err, sizeof err);
    if (!p) return fprintf(stderr, "producer: %s\n", err), 1;
    const char *origin = of_producer_topic(p, OF_TOPIC_ORDER_SYNC);
    /* read the origin topic from its end: what the ladder republishes */
    rd_kafka_conf_t *conf = of_kafka_conf_new(cfg, OF_KAFKA_CONSUMER, "bench-due", err, sizeof err);
    rd_kafka_conf_set(conf, "group.id", "bench-due", err, sizeof err);
    rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    const struct rd_kafka_metadata *md;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, origin, NULL);
    if (rd_kafka_metadata(rk, 0, rkt, &md, 10000)) return fprintf(stderr, "metadata failed\n"), 1;
    int np = md->topics[0].partition_cnt;
    rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(np);
    for (int i = 0; i < np; i++)
        rd_kafka_topic_partition_list_add(l, origin, i)->offset = RD_KAFKA_OFFSET_END;
    rd_kafka_assign(rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_poll_set_consumer(rk);
    for (int k = 0; k < 20; k++) { /* let the assignment settle at the end offsets */
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (m) rd_kafka_message_destroy(m);
    }
    of_dr_batch_t b = {0};
    int64_t t0 = now_ms();
    long r = rate > 0 ? rate : 500;
    for (long i = 0; i < count; i++) {
        int64_t at = t0 + i * 1000 / r;
        while (now_ms() < at) {
            of_producer_poll(p);
            sleep_ms(1);
        }
        size_t n;
        char key[64];
        uint8_t *buf = envelope(origin, now_ms() + delay_ms, i, &n, key, sizeof key);
        if (of_producer_send(p, of_producer_topic(p, OF_TOPIC_RETRY_1), key, strlen(key), buf, n, NULL, &b))
            fprintf(stderr, "send failed\n");
        free(buf);
        of_producer_poll(p);
    }
    if (of_producer_wait(p, &b)) fprintf(stderr, "not all published\n");
    int64_t *late = calloc((size_t)count, sizeof *late);
    long got = 0;
    int64_t end = now_ms() + delay_ms + 60000;
    char mine[64];
    snprintf(mine, sizeof mine, "P%s-", run_id);
    size_t ml = strlen(mine);
    while (got < count && now_ms() < end) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
        if (!m) continue;
        if (!m->err && m->key_len > ml && !memcmp(m->key, mine, ml)) { /* this run's only */
            of_retry_ctx_t ctx;
            of_ladder_ctx_read(m, &ctx);
            rd_kafka_timestamp_type_t tt;
            int64_t ts = rd_kafka_message_timestamp(m, &tt); /* CreateTime: when the ladder republished it */
            if (ctx.env) late[got++] = (ts > 0 ? ts : now_ms()) - ctx.env->due_at_ms;
            of_ladder_ctx_clear(&ctx);
        }
        rd_kafka_message_destroy(m);
    }
    qsort(late, (size_t)got, sizeof *late, cmp64);
    printf("due republished=%ld of=%ld delay_ms=%ld rate_per_s=%ld late_p50_ms=%lld late_p99_ms=%lld late_max_ms=%lld "
           "early=%s\n",
           got, count, delay_ms, r, (long long)pct(late, got, 0.5), (long long)pct(late, got, 0.99),
           (long long)(got ? late[got - 1] : -1), got && late[0] < 0 ? "yes" : "no");
    free(late);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    of_producer_destroy(p);
    return got == count ? 0 : 1;
}

int main(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *mode = argv[1];
    static const struct option opts[] = {{"count", required_argument, 0, 'n'},
                                         {"run", required_argument, 0, 'r'},
                                         {"merchant-log", required_argument, 0, 'l'},
                                         {"merchant-url", required_argument, 0, 'u'},
                                         {"loops", required_argument, 0, 'k'},
                                         {"rate", required_argument, 0, 'R'},
                                         {"delay-ms", required_argument, 0, 'd'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    optind = 2;
    while ((c = getopt_long(argc, argv, "n:r:l:u:k:R:d:h", opts, NULL)) != -1) {
        switch (c) {
        case 'n':
            count = atol(optarg);
            break;
        case 'r':
            run_id = optarg;
            break;
        case 'l':
            merchant_log = optarg;
            break;
        case 'u':
            merchant_url = optarg;
            break;
        case 'k':
            loops = atol(optarg);
            break;
        case 'R':
            rate = atol(optarg);
            break;
        case 'd':
            delay_ms = atol(optarg);
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    char err[512];
    if (!(cfg = of_config_load(NULL, err, sizeof err))) return fprintf(stderr, "config: %s\n", err), 78;
    of_log_init("bench", OF_LOG_WARN);
    notify_ms = calloc((size_t)count + 1, sizeof *notify_ms);
    int rc = 2;
    if (!strcmp(mode, "ours") && merchant_log)
        rc = run_ours();
    else if (!strcmp(mode, "seed") && merchant_log)
        rc = run_seed();
    else if (!strcmp(mode, "due"))
        rc = run_due();
    else if (!strcmp(mode, "park"))
        rc = run_park();
    else
        usage(stderr);
    free(notify_ms);
    of_config_destroy(cfg);
    return rc;
}
