/* of_time.c -- the clocks (of_time.h). */
#include <stdio.h>
#include <time.h>
#include "of_time.h"

static int64_t ms_of(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t of_now_ms(void) {
    return ms_of(CLOCK_REALTIME);
}

int64_t of_mono_ms(void) {
    return ms_of(CLOCK_MONOTONIC);
}

int64_t of_mono_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t of_time_parse(const char *s) {
    int Y, M, D, h = 0, m = 0, sec = 0;
    if (!s || !*s || sscanf(s, "%d-%d-%d %d:%d:%d", &Y, &M, &D, &h, &m, &sec) < 3 || Y <= 0 || M <= 0 || D <= 0)
        return 0;
    struct tm tm = {.tm_year = Y - 1900, .tm_mon = M - 1, .tm_mday = D, .tm_hour = h, .tm_min = m, .tm_sec = sec};
    return (int64_t)timegm(&tm);
}

const char *of_time_format(int64_t t, char *buf, size_t n) {
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || !strftime(buf, n, "%Y-%m-%d %H:%M:%S", &tm)) snprintf(buf, n, "%lld", (long long)t);
    return buf;
}
