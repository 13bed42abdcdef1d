/* of_log.c -- structured logging, key=value on one line per event. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "of_log.h"

static const char *log_comp = "orderfleet";
static of_log_level_t log_min = OF_LOG_INFO;
static const char *const level_names[] = {"debug", "info", "warn", "error"};

void of_log_init(const char *component, of_log_level_t min_level) {
    if (component) log_comp = component;
    log_min = min_level;
}

int of_log_level_parse(const char *s) {
    for (int i = 0; i < 4; i++)
        if (s && !strcmp(s, level_names[i])) return i;
    return -1;
}

int of_log_enabled(of_log_level_t lvl) {
    return lvl >= log_min;
}

typedef struct {
    char buf[4096];
    size_t len;
} line_t;

static void put(line_t *l, const char *s, size_t n) {
    if (l->len + n >= sizeof(l->buf) - 2) n = sizeof(l->buf) - 2 - l->len; /* truncate, keep room for \n */
    memcpy(l->buf + l->len, s, n);
    l->len += n;
}

static void put_value(line_t *l, const char *v) {
    if (!v) v = "";
    int quote = (*v == '\0');
    for (const char *p = v; *p && !quote; p++)
        if (*p == ' ' || *p == '"' || *p == '=' || *p == '\\' || (unsigned char)*p < 0x20) quote = 1;
    if (!quote) {
        put(l, v, strlen(v));
        return;
    }
    put(l, "\"", 1);
    for (const char *p = v; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            put(l, e, 2);
        } else if (c == '\n') {
            put(l, "\\n", 2);
        } else if (c < 0x20) {
            char e[8];
            int n = snprintf(e, sizeof e, "\\x%02x", c);
            put(l, e, (size_t)n);
        } else {
            put(l, (const char *)&c, 1);
        }
    }
    put(l, "\"", 1);
}

void of_log(of_log_level_t lvl, const char *msg, ...) {
    if (lvl < log_min) return;
    line_t l = {.len = 0};
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char head[96];
    int n =
        snprintf(head, sizeof head, "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ level=%s comp=", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, level_names[lvl]);
    put(&l, head, (size_t)n);
    put_value(&l, log_comp);
    put(&l, " msg=", 5);
    put_value(&l, msg);

    va_list ap;
    va_start(ap, msg);
    for (;;) {
        int kind = va_arg(ap, int);
        if (kind == OF_KV_END) break;
        const char *key = va_arg(ap, const char *);
        char num[32];
        const char *val;
        if (kind == OF_KV_STR) {
            val = va_arg(ap, const char *);
        } else if (kind == OF_KV_INT) {
            snprintf(num, sizeof num, "%lld", va_arg(ap, long long));
            val = num;
        } else {
            snprintf(num, sizeof num, "%llu", va_arg(ap, unsigned long long));
            val = num;
        }
        put(&l, " ", 1);
        put(&l, key, strlen(key));
        put(&l, "=", 1);
        put_value(&l, val);
    }
    va_end(ap);
    l.buf[l.len++] = '\n';
    ssize_t w = write(STDERR_FILENO, l.buf, l.len);
    (void)w;
}
