/* of-testpay -- a third-party payment provider for tests and `make run` (issue 13, FS-11): takes the gateway's
 * signed payment requests (POST /pay), and notifies the result to the request's notify_url, signed, after a delay;
 * it can refuse requests, fail payments, repeat notifies and forge a bad signature, as a real provider's quirks
 * would (POST /mode switches). Built on libmicrohttpd (server) and libcurl (notifies). */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <microhttpd.h>
#include "of_http.h"
#include "of_sign.h"

static volatile sig_atomic_t stop_flag;
static void on_signal(int sig) {
    (void)sig;
    stop_flag = 1;
}

typedef struct note_s {
    struct note_s *next;
    char url[512], body[512];
    long long due_ms;
} note_t;

static struct {
    const char *secret;
    char mode[16]; /* ok | fail | refuse | repeat | badsig */
    long delay_ms;
    long requests, notifies;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    note_t *queue;
} S = {.mode = "ok", .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static long long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void enqueue(const char *url, const char *body, long delay) {
    note_t *n = calloc(1, sizeof *n);
    if (!n) return;
    snprintf(n->url, sizeof n->url, "%s", url);
    snprintf(n->body, sizeof n->body, "%s", body);
    n->due_ms = now_ms() + delay;
    pthread_mutex_lock(&S.mu);
    note_t **p = &S.queue;
    while (*p && (*p)->due_ms <= n->due_ms)
        p = &(*p)->next;
    n->next = *p;
    *p = n;
    pthread_cond_signal(&S.cv);
    pthread_mutex_unlock(&S.mu);
}

/* sends the notifies when due; a refused notify is sent again a second later (at most 5 times) */
static void *notifier(void *arg) {
    (void)arg;
    while (!stop_flag) {
        pthread_mutex_lock(&S.mu);
        note_t *n = S.queue;
        if (!n || n->due_ms > now_ms()) {
            struct timespec t;
            clock_gettime(CLOCK_REALTIME, &t);
            t.tv_nsec += 50 * 1000000L;
            if (t.tv_nsec >= 1000000000L) t.tv_sec++, t.tv_nsec -= 1000000000L;
            pthread_cond_timedwait(&S.cv, &S.mu, &t);
            pthread_mutex_unlock(&S.mu);
            continue;
        }
        S.queue = n->next;
        int badsig = !strcmp(S.mode, "badsig");
        pthread_mutex_unlock(&S.mu);
        char sig[80], h[112], err[256] = "";
        of_sign_body(badsig ? "not-the-shared-secret" : S.secret, n->body, strlen(n->body), sig, sizeof sig);
        snprintf(h, sizeof h, "%s: %s", OF_SIGN_HEADER, sig);
        const char *hs[] = {"Content-Type: application/json", h, NULL};
        long st = of_http_post_sync(n->url, hs, n->body, strlen(n->body), 5000, err, sizeof err);
        __atomic_add_fetch(&S.notifies, 1, __ATOMIC_RELAXED);
        fprintf(stderr, "of-testpay: notify %s -> %ld %s\n", n->body, st, err);
        free(n);
    }
    return NULL;
}

typedef struct {
    char *body;
    size_t len;
} req_t;

static enum MHD_Result answer(struct MHD_Connection *c, unsigned status, const char *text) {
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result pay(struct MHD_Connection *c, req_t *rq) {
    const char *sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, OF_SIGN_HEADER);
    if (!sig || !of_sign_verify(S.secret, rq->body ? rq->body : "", rq->len, sig))
        return answer(c, MHD_HTTP_UNAUTHORIZED, "{\"error\":\"bad signature\"}");
    cJSON *o = cJSON_ParseWithLength(rq->body, rq->len);
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "trade_no");
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "amount");
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(o, "notify_url");
    if (!cJSON_IsString(t) || !cJSON_IsString(a) || !cJSON_IsString(u)) {
        cJSON_Delete(o);
        return answer(c, MHD_HTTP_BAD_REQUEST, "{\"error\":\"trade_no, amount, notify_url required\"}");
    }
    __atomic_add_fetch(&S.requests, 1, __ATOMIC_RELAXED);
    pthread_mutex_lock(&S.mu);
    char mode[16];
    snprintf(mode, sizeof mode, "%s", S.mode);
    long delay = S.delay_ms;
    pthread_mutex_unlock(&S.mu);
    if (!strcmp(mode, "refuse")) {
        cJSON_Delete(o);
        return answer(c, MHD_HTTP_SERVICE_UNAVAILABLE, "{\"error\":\"provider refuses\"}");
    }
    char body[512];
    snprintf(body, sizeof body, "{\"trade_no\":\"%s\",\"amount\":\"%s\",\"status\":\"%s\",\"notify_id\":\"N-%s\"}",
             t->valuestring, a->valuestring, strcmp(mode, "fail") ? "SUCCESS" : "FAILED", t->valuestring);
    enqueue(u->valuestring, body, delay);
    if (!strcmp(mode, "repeat")) {
        enqueue(u->valuestring, body, delay + 50);
        enqueue(u->valuestring, body, delay + 100);
    }
    cJSON_Delete(o);
    return answer(c, MHD_HTTP_OK, "{\"accepted\":true}");
}

static enum MHD_Result set_mode(struct MHD_Connection *c, req_t *rq) {
    cJSON *o = cJSON_ParseWithLength(rq->body ? rq->body : "", rq->len);
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "mode");
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(o, "delay_ms");
    static const char *const MODES[] = {"ok", "fail", "refuse", "repeat", "badsig"};
    int ok = cJSON_IsString(m);
    for (size_t i = 0; ok && i < sizeof MODES / sizeof *MODES; i++)
        if (!strcmp(m->valuestring, MODES[i])) ok = 2;
    if (ok != 2) {
        cJSON_Delete(o);
        return answer(c, MHD_HTTP_BAD_REQUEST, "{\"error\":\"mode: ok|fail|refuse|repeat|badsig\"}");
    }
    pthread_mutex_lock(&S.mu);
    snprintf(S.mode, sizeof S.mode, "%s", m->valuestring);
    if (cJSON_IsNumber(d)) S.delay_ms = (long)d->valuedouble;
    pthread_mutex_unlock(&S.mu);
    cJSON_Delete(o);
    return answer(c, MHD_HTTP_OK, "{\"ok\":true}");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **con_cls) {
    (void)cls, (void)version;
    req_t *rq = *con_cls;
    if (!rq) {
        *con_cls = calloc(1, sizeof(req_t));
        return *con_cls ? MHD_YES : MHD_NO;
    }
    if (*upload_size) {
        if (rq->len + *upload_size > 65536) return MHD_NO;
        char *b = realloc(rq->body, rq->len + *upload_size + 1);
        if (!b) return MHD_NO;
        memcpy(b + rq->len, upload, *upload_size);
        rq->body = b;
        rq->len += *upload_size;
        b[rq->len] = '\0';
        *upload_size = 0;
        return MHD_YES;
    }
    if (!strcmp(method, "POST") && !strcmp(url, "/pay")) return pay(c, rq);
    if (!strcmp(method, "POST") && !strcmp(url, "/mode")) return set_mode(c, rq);
    if (!strcmp(method, "GET") && !strcmp(url, "/stats")) {
        char b[128];
        snprintf(b, sizeof b, "{\"requests\":%ld,\"notifies\":%ld,\"mode\":\"%s\"}", S.requests, S.notifies, S.mode);
        return answer(c, MHD_HTTP_OK, b);
    }
    return answer(c, MHD_HTTP_NOT_FOUND, "{\"error\":\"POST /pay, POST /mode, GET /stats\"}");
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe) {
    (void)cls, (void)c, (void)toe;
    req_t *rq = *con_cls;
    if (rq) free(rq->body);
    free(rq);
    *con_cls = NULL;
}

static const char USAGE[] =
    "usage: of-testpay --port PORT [--delay-ms N] [--mode ok|fail|refuse|repeat|badsig]\n"
    "A third-party payment provider for tests (FS-11). The shared secret is OF_PAY_PROVIDER_SECRET (environment).\n"
    "  POST /pay    {trade_no, amount, notify_url, channel}, signed (X-OF-Signature): 200 accepted, then a signed\n"
    "               notify {trade_no, amount, status SUCCESS|FAILED, notify_id} to notify_url after the delay\n"
    "  POST /mode   {\"mode\": ok|fail|refuse|repeat|badsig, \"delay_ms\": N}: refuse answers 503; fail notifies\n"
    "               FAILED; repeat notifies three times; badsig signs with a wrong key\n"
    "  GET  /stats  requests and notifies so far\n";

int main(int argc, char **argv) {
    int port = 0;
    static const struct option opts[] = {{"port", required_argument, 0, 'p'},
                                         {"delay-ms", required_argument, 0, 'd'},
                                         {"mode", required_argument, 0, 'm'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    for (int c; (c = getopt_long(argc, argv, "p:d:m:h", opts, NULL)) != -1;) {
        if (c == 'p') port = atoi(optarg);
        if (c == 'd') S.delay_ms = atol(optarg);
        if (c == 'm') snprintf(S.mode, sizeof S.mode, "%s", optarg);
        if (c == 'h') {
            fputs(USAGE, stdout);
            return 0;
        }
        if (c == '?') {
            fputs(USAGE, stderr);
            return 2;
        }
    }
    S.secret = getenv("OF_PAY_PROVIDER_SECRET");
    if (port <= 0 || port > 65535 || !S.secret || strlen(S.secret) < 16) {
        fprintf(stderr, "of-testpay: --port and OF_PAY_PROVIDER_SECRET (16+ characters) are required\n%s", USAGE);
        return 2;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD, (uint16_t)port, NULL, NULL, on_request, NULL,
                                            MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "of-testpay: cannot listen on port %d\n", port);
        return 1;
    }
    pthread_t nt;
    pthread_create(&nt, NULL, notifier, NULL);
    fprintf(stderr, "of-testpay: listening on %d (mode %s, delay %ld ms)\n", port, S.mode, S.delay_ms);
    while (!stop_flag)
        usleep(100 * 1000);
    MHD_stop_daemon(d);
    pthread_join(nt, NULL);
    while (S.queue) {
        note_t *n = S.queue;
        S.queue = n->next;
        free(n);
    }
    curl_global_cleanup();
    return 0;
}
