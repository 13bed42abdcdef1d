/* test_db_sizes.c -- decision D-T10-64: the row counts a multi-row statement is prepared for. The client library keeps
 * memory per prepared parameter for the connection's life, so under a bound (a worker of several lanes) every size
 * holds at most OF_DB_MULTI_PARAMS parameters and rows of two parameters or more take powers of two only; a one-key
 * read keeps its many sizes (its last part is padded, so fewer sizes would cost the server rows, not memory).
 * Without a bound (one lane, the ceilings) the sizes of before: every count up to 16, 24, 32, 48, 64, powers of two
 * for wide rows. Pure function only. */
#include <criterion/criterion.h>
#include "of_db.h"

static const int ALL[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 24, 32, 48, 64, 128, 256};
#define NALL ((int)(sizeof ALL / sizeof ALL[0]))

/* The sizes of a row of p parameters, as a list; returns their sum of parameters. */
static long sizes_of(int p, int bound, int *out, int *n) {
    long params = 0;
    *n = 0;
    for (int k = 0; k < NALL; k++)
        if (of_db_multi_size_ok(p, ALL[k], bound)) {
            out[(*n)++] = ALL[k];
            params += (long)ALL[k] * p;
        }
    return params;
}

Test(d_t10_64, every_width_can_write_one_row) {
    for (int p = 1; p <= 2000; p++)
        cr_expect(of_db_multi_size_ok(p, 1, OF_DB_MULTI_PARAMS) && of_db_multi_size_ok(p, 1, 0),
                  "%d parameters: one row", p);
}

Test(d_t10_64, no_size_holds_more_than_the_parameter_bound) {
    for (int p = 1; p <= 300; p++)
        for (int k = 1; k < NALL; k++)
            if (of_db_multi_size_ok(p, ALL[k], OF_DB_MULTI_PARAMS))
                cr_expect_leq((long)ALL[k] * p, OF_DB_MULTI_PARAMS, "%d rows of %d parameters", ALL[k], p);
}

Test(d_t10_64, a_wide_row_gets_powers_of_two_within_the_bound) {
    int s[NALL], n;
    long params = sizes_of(59, OF_DB_MULTI_PARAMS, s, &n); /* sales_trade as trade-submit writes it */
    int want[] = {1, 2, 4, 8, 16};
    cr_assert_eq(n, 5);
    for (int i = 0; i < n; i++)
        cr_expect_eq(s[i], want[i]);
    cr_expect_eq(params, 31 * 59);
}

Test(d_t10_64, a_narrower_row_gets_powers_of_two_up_to_the_bound) {
    int s[NALL], n;
    sizes_of(9, OF_DB_MULTI_PARAMS, s, &n); /* W_RAW's row: 128 rows would be 1,152 parameters */
    int want[] = {1, 2, 4, 8, 16, 32, 64};
    cr_assert_eq(n, 7);
    for (int i = 0; i < n; i++)
        cr_expect_eq(s[i], want[i]);
    sizes_of(8, OF_DB_MULTI_PARAMS, s, &n); /* stock_change_log's row: 128 rows are 1,024 parameters (D-RT-10) */
    cr_expect_eq(n, 8);
    cr_expect_eq(s[n - 1], 128);
    sizes_of(4, OF_DB_MULTI_PARAMS, s, &n); /* rows of at most 4 parameters also 256 */
    cr_expect_eq(n, 9);
    cr_expect_eq(s[n - 1], 256);
    sizes_of(17, OF_DB_MULTI_PARAMS, s, &n); /* 64 rows would be 1,088 parameters */
    cr_expect_eq(n, 6);
    cr_expect_eq(s[n - 1], 32);
}

Test(d_t10_64, a_one_key_read_keeps_every_size) {
    cr_assert_eq(NALL, OF_DB_MULTI_SIZES, "ALL lists of_db.c's sizes");
    int s[NALL], n;
    sizes_of(1, OF_DB_MULTI_PARAMS, s, &n);
    cr_expect_eq(n, NALL, "IN (…) of one key: 1 … 16, 24, 32, 48, 64, 128, 256");
}

Test(d_t10_64, a_two_key_read_takes_powers_of_two) {
    int s[NALL], n;
    sizes_of(2, OF_DB_MULTI_PARAMS, s, &n); /* (a, b) IN (…): padded to the next power of two */
    int want[] = {1, 2, 4, 8, 16, 32, 64, 128, 256};
    cr_assert_eq(n, 9);
    for (int i = 0; i < n; i++)
        cr_expect_eq(s[i], want[i]);
}

Test(d_t10_64, what_a_table_keeps_prepared_is_bounded) {
    /* powers of two within the bound: (2^(k+1) - 1) rows of p parameters, 2^k * p <= the bound */
    for (int p = 2; p <= 300; p++) {
        int s[NALL], n;
        long params = sizes_of(p, OF_DB_MULTI_PARAMS, s, &n);
        cr_expect_leq(params, 2L * OF_DB_MULTI_PARAMS - p, "%d parameters a row: %ld prepared", p, params);
    }
}

Test(d_t10_64, nonsense_is_refused) {
    for (int bound = 0; bound <= OF_DB_MULTI_PARAMS; bound += OF_DB_MULTI_PARAMS) {
        cr_expect_not(of_db_multi_size_ok(3, 0, bound));
        cr_expect_not(of_db_multi_size_ok(0, 4, bound));
        cr_expect_not(of_db_multi_size_ok(1, 512, bound));
        cr_expect_not(of_db_multi_size_ok(9, 128, bound), "past 64 rows, at most 1,024 parameters (D-RT-10)");
        cr_expect_not(of_db_multi_size_ok(5, 256, bound), "past 64 rows, at most 1,024 parameters (D-RT-10)");
    }
}

Test(d_t10_64, without_a_bound_the_sizes_of_before) {
    int s[NALL], n;
    sizes_of(59, 0, s, &n); /* a wide row: powers of two up to 64 rows */
    int wide[] = {1, 2, 4, 8, 16, 32, 64};
    cr_assert_eq(n, 7);
    for (int i = 0; i < n; i++)
        cr_expect_eq(s[i], wide[i]);
    sizes_of(9, 0, s, &n); /* a narrower one: 1 … 16, 24, 32, 48, 64 */
    cr_expect_eq(n, 20);
    cr_expect_eq(s[n - 1], 64);
    sizes_of(8, 0, s, &n); /* 8 parameters: 128 rows too (D-RT-10) */
    cr_expect_eq(n, 21);
    cr_expect_eq(s[n - 1], 128);
    sizes_of(2, 0, s, &n); /* the narrowest: 128 and 256 too */
    cr_expect_eq(n, NALL);
}

Test(d_t10_64, without_a_bound_exactly_the_rule_of_before) {
    /* the rule of_db_register_multi_sep applied before D-T10-64, written out: skip a size when the row is wide and
     * the count not a power of two, or the count is above OF_DB_MULTI_MAX and the statement would hold more than
     * 1,024 parameters (D-RT-10; before it: the row had more than 4) */
    for (int p = 1; p <= 300; p++)
        for (int k = 0; k < NALL; k++) {
            int r = ALL[k], before = !((p >= 16 && (r & (r - 1))) || (r > 64 && r * p > 1024));
            cr_expect_eq(of_db_multi_size_ok(p, r, 0), before, "%d rows of %d parameters", r, p);
        }
}
