/* of_http.h -- many HTTP POSTs in flight on one thread (libcurl multi), and how a response is classified. */
#ifndef OF_HTTP_H
#define OF_HTTP_H
#include <stddef.h>
#include <stdint.h>
#include "of_err.h"

/* What a try's result means for the message (delivery, DLV-5/DLV-6). */
typedef enum {
    OF_HTTP_OK,       /* 2xx: delivered */
    OF_HTTP_RETRY,    /* timeout, connection error, 5xx, 408, 425, 429: try again later (next rung) */
    OF_HTTP_PERMANENT /* any other 4xx (the request itself is wrong), 1xx/3xx, a bad URL: dead letter now */
} of_http_class_t;

/* Classify a finished call: curl_code is the CURLcode (0 = a response arrived), status the HTTP status. Pure. */
of_http_class_t of_http_classify(int curl_code, long status);
/* A short text for logs and the error ledger: "HTTP 500", "timeout after 3000 ms", "connect: ...". Pure. */
const char *of_http_describe(int curl_code, long status, const char *curl_error, long timeout_ms, const char *resp,
                             char *buf, size_t size);

/* One blocking POST on its own connection (a gateway thread calling a payment provider): headers NULL-terminated
 * ("Name: value"). Returns the HTTP status, 0 when no response came (errstr says why). Thread-safe once
 * curl_global_init ran (of_http_new or the caller's start-up). */
long of_http_post_sync(const char *url, const char *const *headers, const char *body, size_t len, long timeout_ms,
                       char *errstr, size_t errstr_size);
/* One POST. Inputs are borrowed until the request is returned by of_http_wait(). */
typedef struct {
    const char *url;
    const char *body;
    size_t body_len;
    const char *const *headers; /* "Name: value" strings, NULL-terminated */
    long connect_timeout_ms, timeout_ms;
    void *user;
    /* results */
    int curl_code;   /* CURLcode; 0 = a response arrived */
    long status;     /* HTTP status, 0 when none */
    char error[256]; /* curl's error text when curl_code != 0 */
    char resp[160];  /* start of the response body, printable ASCII only */
    size_t resp_len;
    int64_t started_ms, duration_ms;
    /* private */
    void *easy;
    void *hlist;
} of_http_req_t;

typedef struct of_http_s of_http_t;

/* Caller frees with of_http_destroy(). NULL when libcurl cannot start. */
of_http_t *of_http_new(void);
/* Aborts what is in flight and frees. */
void of_http_destroy(of_http_t *h);
/* Start r (returned later by of_http_wait). OF_ERR_NOMEM / OF_ERR_IO when curl refuses it. */
of_err_t of_http_start(of_http_t *h, of_http_req_t *r) OF_MUST_CHECK;
int of_http_inflight(const of_http_t *h);
/* Drive the transfers; when none finished, wait up to wait_ms (also with nothing in flight) for one, for fd (-1:
 * none) to become readable or for of_http_wakeup(), then drive them again. Finished requests go to done[] (at most
 * max); returns how many finished. */
int of_http_wait(of_http_t *h, int wait_ms, int fd, of_http_req_t **done, int max);
/* Wake a thread waiting in of_http_wait (thread-safe). */
void of_http_wakeup(of_http_t *h);
/* Abort r while in flight (nothing when it is not); it is not returned by a poll. */
void of_http_cancel(of_http_t *h, of_http_req_t *r);

#endif
