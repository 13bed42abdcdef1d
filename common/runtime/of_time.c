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

/* Days from 1970-01-01 to year y, month m (1..12), day d of the proleptic Gregorian calendar; linear in d (a day
 * past the month's end is the next month's, as timegm counts it). */
static int64_t days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* The digits s[0..n-1] as a number, -1 when one is not a digit. */
static int digits(const char *s, int n) {
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* D-MOD-53: the canonical forms MariaDB's DATE_FORMAT writes ("YYYY-MM-DD HH:MM:SS", "YYYY-MM-DD") without sscanf
 * and timegm (2.5 % of trade-modify's instructions); the result is timegm's: every field is linear in the seconds
 * except the month, which must be 1..12 here. Anything else takes the general path. -2 when not canonical. */
static int64_t parse_canonical(const char *s) {
    if (s[4] != '-' || s[7] != '-') return -2;
    int Y = digits(s, 4), M = digits(s + 5, 2), D = digits(s + 8, 2), h = 0, m = 0, sec = 0;
    if (Y < 0 || M < 0 || D < 0) return -2;
    if (s[10]) {
        if (s[10] != ' ' || s[13] != ':' || s[16] != ':' || s[19]) return -2;
        if ((h = digits(s + 11, 2)) < 0 || (m = digits(s + 14, 2)) < 0 || (sec = digits(s + 17, 2)) < 0) return -2;
    }
    if (Y <= 0 || M <= 0 || D <= 0) return 0;
    if (M > 12) return -2;
    return days_from_civil(Y, M, D) * 86400 + (int64_t)h * 3600 + m * 60 + sec;
}

int64_t of_time_parse(const char *s) {
    if (!s || !*s) return 0;
    size_t n = 0;
    while (n < 20 && s[n])
        n++;
    if (n == 10 || n == 19) {
        int64_t t = parse_canonical(s);
        if (t != -2) return t;
    }
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
