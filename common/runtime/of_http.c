/* of_http.c -- libcurl multi: POSTs in flight together, connections kept alive and reused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <curl/curl.h>
#include "of_metrics.h"
#include "of_time.h"
#include "of_http.h"

struct of_http_s {
    CURLM *multi;
    int inflight;
    CURL **pool; /* idle easy handles, reused */
    int npool;
    CURL **all; /* every easy handle created (pool capacity = nall) */
    int nall;
};

of_http_class_t of_http_classify(int curl_code, long status) {
    if (curl_code != CURLE_OK) {
        switch (curl_code) {
        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_URL_MALFORMAT:
        case CURLE_NOT_BUILT_IN:
            return OF_HTTP_PERMANENT; /* the merchant's endpoint_url is wrong: retrying will not cure it */
        default:
            return OF_HTTP_RETRY; /* timeouts, refused/reset connections, DNS, TLS, empty replies ... */
        }
    }
    if (status >= 200 && status < 300) return OF_HTTP_OK;
    if (status >= 500 || status == 408 || status == 425 || status == 429) return OF_HTTP_RETRY;
    return OF_HTTP_PERMANENT;
}

const char *of_http_describe(int curl_code, long status, const char *curl_error, long timeout_ms, const char *resp,
                             char *buf, size_t size) {
    if (curl_code == CURLE_OPERATION_TIMEDOUT)
        snprintf(buf, size, "timeout after %ld ms: %s", timeout_ms, curl_error && *curl_error ? curl_error : "");
    else if (curl_code != CURLE_OK)
        snprintf(buf, size, "%s (curl %d): %s",
                 curl_code == CURLE_COULDNT_CONNECT ? "connect failed" : curl_easy_strerror((CURLcode)curl_code),
                 curl_code, curl_error && *curl_error ? curl_error : "");
    else if (resp && *resp)
        snprintf(buf, size, "HTTP %ld: %s", status, resp);
    else
        snprintf(buf, size, "HTTP %ld", status);
    return buf;
}

static size_t discard(char *p, size_t size, size_t n, void *u) {
    (void)p, (void)u;
    return size * n;
}

long of_http_post_sync(const char *url, const char *const *headers, const char *body, size_t len, long timeout_ms,
                       char *errstr, size_t size) {
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(errstr, size, "curl: cannot start");
        return 0;
    }
    struct curl_slist *h = NULL;
    for (size_t i = 0; headers && headers[i]; i++)
        h = curl_slist_append(h, headers[i]);
    char eb[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, eb);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    else
        snprintf(errstr, size, "%s", eb[0] ? eb : curl_easy_strerror(rc));
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return status;
}

of_http_t *of_http_new(void) {
    if (curl_global_init(CURL_GLOBAL_DEFAULT)) return NULL;
    of_http_t *h = calloc(1, sizeof *h);
    if (!h || !(h->multi = curl_multi_init())) {
        free(h);
        curl_global_cleanup();
        return NULL;
    }
    curl_multi_setopt(h->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 0L);
    return h;
}

static void release(of_http_t *h, of_http_req_t *r) {
    CURL *e = r->easy;
    curl_slist_free_all(r->hlist);
    r->hlist = NULL;
    r->easy = NULL;
    if (!e) return;
    curl_easy_setopt(e, CURLOPT_PRIVATE, NULL);
    h->pool[h->npool++] = e; /* room: the pool holds at most every handle created */
}

void of_http_destroy(of_http_t *h) {
    if (!h) return;
    for (int i = 0; i < h->nall; i++) {
        of_http_req_t *r = NULL;
        curl_easy_getinfo(h->all[i], CURLINFO_PRIVATE, (char **)&r);
        if (r && r->easy == h->all[i]) { /* still in flight: abort it */
            curl_multi_remove_handle(h->multi, h->all[i]);
            of_metric_gauge_add(OF_MG_HTTP_CALLS, -1);
            curl_slist_free_all(r->hlist);
            r->hlist = NULL;
            r->easy = NULL;
        }
        curl_easy_cleanup(h->all[i]);
    }
    free(h->all);
    free(h->pool);
    curl_multi_cleanup(h->multi);
    free(h);
    curl_global_cleanup();
}

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud) {
    of_http_req_t *r = ud;
    size_t n = size * nmemb;
    for (size_t i = 0; i < n && r->resp_len + 1 < sizeof r->resp; i++) {
        unsigned char c = (unsigned char)ptr[i];
        r->resp[r->resp_len++] = c >= 0x20 && c < 0x7f ? (char)c : ' ';
    }
    r->resp[r->resp_len] = '\0';
    return n;
}

of_err_t of_http_start(of_http_t *h, of_http_req_t *r) {
    CURL *e = h->npool ? h->pool[--h->npool] : NULL;
    if (!e) {
        CURL **na = realloc(h->all, sizeof *na * (size_t)(h->nall + 1));
        if (na) h->all = na;
        CURL **np = realloc(h->pool, sizeof *np * (size_t)(h->nall + 1));
        if (np) h->pool = np;
        if (!na || !np || !(e = curl_easy_init())) return OF_ERR_NOMEM;
        h->all[h->nall++] = e;
    }
    curl_easy_reset(e);
    struct curl_slist *hl = NULL;
    for (const char *const *p = r->headers; p && *p; p++) {
        struct curl_slist *nl = curl_slist_append(hl, *p);
        if (!nl) {
            curl_slist_free_all(hl);
            h->pool[h->npool++] = e;
            return OF_ERR_NOMEM;
        }
        hl = nl;
    }
    r->curl_code = 0;
    r->status = 0;
    r->error[0] = r->resp[0] = '\0';
    r->resp_len = 0;
    r->easy = e;
    r->hlist = hl;
    curl_easy_setopt(e, CURLOPT_URL, r->url);
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, r->connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, r->timeout_ms);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->error);
    curl_easy_setopt(e, CURLOPT_PRIVATE, r);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "orderfleet-delivery/" OF_VERSION);
    curl_easy_setopt(e, CURLOPT_BUFFERSIZE,
                     4096L); /* answers are short (resp keeps 160 bytes): 4 KB, not 16 KB, a handle */
    r->started_ms = of_mono_ms();
    if (curl_multi_add_handle(h->multi, e) != CURLM_OK) {
        release(h, r);
        return OF_ERR_IO;
    }
    h->inflight++;
    of_metric_gauge_add(OF_MG_HTTP_CALLS, 1);
    return OF_OK;
}

int of_http_inflight(const of_http_t *h) {
    return h->inflight;
}

static int collect(of_http_t *h, of_http_req_t **done, int max) {
    CURLMsg *msg;
    int left, ndone = 0;
    while (ndone < max && (msg = curl_multi_info_read(h->multi, &left))) {
        if (msg->msg != CURLMSG_DONE) continue;
        CURL *e = msg->easy_handle;
        of_http_req_t *r = NULL;
        curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&r);
        r->curl_code = (int)msg->data.result;
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r->status);
        r->duration_ms = of_mono_ms() - r->started_ms;
        curl_multi_remove_handle(h->multi, e);
        h->inflight--;
        of_metric_gauge_add(OF_MG_HTTP_CALLS, -1);
        of_metric_observe(OF_MH_HTTP_CALL, (double)r->duration_ms / 1e3);
        release(h, r);
        done[ndone++] = r;
    }
    return ndone;
}

int of_http_wait(of_http_t *h, int wait_ms, int fd, of_http_req_t **done, int max) {
    int running = 0;
    curl_multi_perform(h->multi, &running);
    int n = collect(h, done, max);
    if (n || wait_ms <= 0) return n;
    struct curl_waitfd w = {.fd = fd, .events = CURL_WAIT_POLLIN};
    curl_multi_poll(h->multi, fd >= 0 ? &w : NULL, fd >= 0 ? 1 : 0, wait_ms, NULL);
    curl_multi_perform(h->multi, &running);
    return collect(h, done, max);
}

void of_http_wakeup(of_http_t *h) {
    curl_multi_wakeup(h->multi);
}

void of_http_cancel(of_http_t *h, of_http_req_t *r) {
    if (!r->easy) return;
    curl_multi_remove_handle(h->multi, r->easy);
    h->inflight--;
    of_metric_gauge_add(OF_MG_HTTP_CALLS, -1);
    release(h, r);
}
