/* test_money.c -- exact decimal money. */
#include <criterion/criterion.h>
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
