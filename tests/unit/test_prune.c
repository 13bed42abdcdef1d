/* test_prune.c -- the retention's pace (of_ledger_prune_wait_ms, docs/scaling.md "Retention"): a full slice is
 * followed a second later, so a prune of 5,000 rows a slice keeps up with 5,000 rows/s per instance. */
#include <criterion/criterion.h>
#include "of_ledger.h"

Test(prune, a_full_slice_comes_back_in_a_second) {
    cr_expect_eq(of_ledger_prune_wait_ms(5000, 5000), 1000);
    cr_expect_eq(of_ledger_prune_wait_ms(4999, 5000), 60000, "caught up: once a minute");
    cr_expect_eq(of_ledger_prune_wait_ms(0, 5000), 60000);
    cr_expect_eq(of_ledger_prune_wait_ms(-1, 5000), 60000, "a failed prune waits a minute");
}
