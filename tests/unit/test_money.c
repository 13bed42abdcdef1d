/* test_money.c -- exact decimal money. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "of_money.h"

Test(money, parse_forms) {
    int64_t v;
    cr_expect_eq(of_money_parse("12.34", &v), OF_OK);
    cr_expect_eq(v, 123400);
    cr_expect_eq(of_money_parse("-0.0001", &v), OF_OK);
    cr_expect_eq(v, -1);
    cr_expect_eq(of_money_parse("5", &v), OF_OK);
    cr_expect_eq(v, 50000);
    cr_expect_eq(of_money_parse("99999999999999.9999", &v), OF_OK);
}

Test(money, refuses_bad_forms) {
    int64_t v;
    const char *bad[] = {"", "-", "1.", ".5", "1.23456", "1e3", "12a", "1,00", "999999999999999", " 1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_expect_eq(of_money_parse(bad[i], &v), OF_ERR_INVALID, "'%s' accepted", bad[i]);
}

Test(money, format_round_trip) {
    char buf[32];
    cr_expect_str_eq(of_money_fmt(123400, buf, sizeof buf), "12.3400");
    cr_expect_str_eq(of_money_fmt(-1, buf, sizeof buf), "-0.0001");
    cr_expect_str_eq(of_money_fmt(0, buf, sizeof buf), "0.0000");
    int64_t v;
    cr_expect_eq(of_money_parse(of_money_fmt(-987654321, buf, sizeof buf), &v), OF_OK);
    cr_expect_eq(v, -987654321);
}

/* D-T10-60: of_money_fmt writes by hand what snprintf("%s%llu.%04llu") wrote, for every value and buffer size */
Test(money, format_is_the_printf_form_at_the_ends_and_in_between) {
    const int64_t vals[] = {
        INT64_MIN, INT64_MIN + 1, -1000000000000000, -10000,           -9999,         -10,      -1, 0, 1, 9, 10, 9999,
        10000,     10001,         123456789,         1000000000000000, INT64_MAX - 1, INT64_MAX};
    char got[32], want[32];
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        int64_t v = vals[i];
        uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
        snprintf(want, sizeof want, "%s%llu.%04llu", v < 0 ? "-" : "", (unsigned long long)(a / 10000),
                 (unsigned long long)(a % 10000));
        cr_expect_str_eq(of_money_fmt(v, got, sizeof got), want, "value %lld", (long long)v);
    }
    cr_expect_str_eq(of_money_fmt(INT64_MIN, got, sizeof got), "-922337203685477.5808");
    for (uint64_t x = 1; x < 100000000; x = x * 7 + 3) { /* a spread of magnitudes, both signs */
        int64_t v = (int64_t)x * (x % 2 ? -1 : 1);
        uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
        snprintf(want, sizeof want, "%s%llu.%04llu", v < 0 ? "-" : "", (unsigned long long)(a / 10000),
                 (unsigned long long)(a % 10000));
        cr_expect_str_eq(of_money_fmt(v, got, sizeof got), want);
    }
}

Test(money, format_is_cut_like_snprintf_in_a_short_buffer) {
    char buf[8];
    for (size_t size = 1; size <= sizeof buf; size++) {
        char want[8];
        memcpy(want, "-12.3456", size - 1); /* what snprintf leaves: the first size - 1 characters */
        want[size - 1] = '\0';
        memset(buf, 'x', sizeof buf);
        cr_expect_str_eq(of_money_fmt(-123456, buf, size), want, "size %zu", size);
    }
    buf[0] = 'x';
    of_money_fmt(5, buf, 0); /* nothing written */
    cr_expect_eq(buf[0], 'x');
}
