/* test_time.c -- of_time_parse: the canonical forms' own arithmetic (D-MOD-53) against timegm, and the other forms. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "of_time.h"

/* What of_time_parse gave before D-MOD-53, for every input: sscanf, then timegm. */
static int64_t reference(const char *s) {
    int Y, M, D, h = 0, m = 0, sec = 0;
    if (!s || !*s || sscanf(s, "%d-%d-%d %d:%d:%d", &Y, &M, &D, &h, &m, &sec) < 3 || Y <= 0 || M <= 0 || D <= 0)
        return 0;
    struct tm tm = {.tm_year = Y - 1900, .tm_mon = M - 1, .tm_mday = D, .tm_hour = h, .tm_min = m, .tm_sec = sec};
    return (int64_t)timegm(&tm);
}

Test(time, d_mod_53_canonical_forms_equal_timegm) {
    /* every day of 1999-2101 (leap years, 2000 and 2100), at several times of day, and both forms */
    static const char *const times[] = {"00:00:00", "00:00:01", "09:30:15", "12:00:00", "23:59:59"};
    char s[32];
    long checked = 0;
    for (int y = 1999; y <= 2101; y++)
        for (int mo = 1; mo <= 12; mo++)
            for (int d = 1; d <= 31; d++) { /* days past the month's end included: timegm counts them on */
                snprintf(s, sizeof s, "%04d-%02d-%02d", y, mo, d);
                cr_assert_eq(of_time_parse(s), reference(s), "%s", s);
                for (size_t k = 0; k < sizeof times / sizeof times[0]; k++) {
                    snprintf(s, sizeof s, "%04d-%02d-%02d %s", y, mo, d, times[k]);
                    cr_assert_eq(of_time_parse(s), reference(s), "%s", s);
                    checked++;
                }
            }
    cr_assert_gt(checked, 190000);
}

Test(time, d_mod_53_fields_out_of_range_count_on_as_timegm_does) {
    static const char *const s[] = {"2026-02-29 00:00:00", "2024-02-30 10:00:00", "2026-04-31 23:59:59",
                                    "2026-11-20 24:00:00", "2026-11-20 23:60:00", "2026-11-20 23:59:60",
                                    "2026-12-31 99:99:99", "0001-01-01 00:00:00", "9999-12-31 23:59:59",
                                    "1969-12-31 23:59:58", "1900-03-01 00:00:00"};
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
        cr_assert_eq(of_time_parse(s[i]), reference(s[i]), "%s", s[i]);
}

Test(time, d_mod_53_other_forms_take_the_general_path) {
    /* a month past 12, a short or signed field, a fraction, no seconds, spaces: each as before */
    static const char *const s[] = {"2026-13-01 00:00:00",  "2026-1-5 3:04:05",
                                    "2026-11-20 10:00",     "2026-11-20 10:00:00.123",
                                    " 2026-11-20 10:00:00", "2026-11-20T10:00:00",
                                    "+2026-11-20",          "2026-11-2a",
                                    "2026-11-20 1a:00:00",  "20261120"};
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
        cr_assert_eq(of_time_parse(s[i]), reference(s[i]), "%s", s[i]);
}

Test(time, zero_dates_and_empty_are_zero) {
    cr_assert_eq(of_time_parse(NULL), 0);
    cr_assert_eq(of_time_parse(""), 0);
    cr_assert_eq(of_time_parse("0000-00-00 00:00:00"), 0);
    cr_assert_eq(of_time_parse("0000-00-00"), 0);
    cr_assert_eq(of_time_parse("2026-00-10 00:00:00"), 0);
    cr_assert_eq(of_time_parse("2026-11-00"), 0);
    cr_assert_eq(of_time_parse("2026-11-20 10:00:00"), 1795168800);
}
