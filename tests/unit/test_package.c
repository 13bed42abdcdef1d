/* test_package.c -- I_DL_DECIDE_PACKAGE: SUB-PKG-01 (by weight), SUB-PKG-02 (by volume, OP-42), SUB-PKG-03. */
#include <criterion/criterion.h>
#include "fixture_rules_status.h"
#include "of_package.h"

static fx_t f;

static void setup(void) {
    fx_init(&f);
    static const of_package_t pk[4] = {{.id = 1, .no = "BOX-S", .volume = FX_KG(3000), .weight = FX_KG(0.1)},
                                       {.id = 2, .no = "BOX-M", .volume = FX_KG(8000), .weight = FX_KG(0.2)},
                                       {.id = 3, .no = "BOX-L", .volume = FX_KG(20000), .weight = FX_KG(0.5)},
                                       {.id = 4, .no = "BOX-XL", .volume = FX_KG(20000), .weight = FX_KG(0.8)}};
    memcpy(f.packages, pk, sizeof pk);
    f.cat.npackages = 4;
}
static void teardown(void) {
    fx_fini(&f);
}

TestSuite(sub_pkg, .init = setup, .fini = teardown);

static void weight_strategies(void) {
    static const of_package_strategy_t ps[6] = {
        {.mode = 1, .shop_id = 0, .weight_min = 0, .weight_max = FX_KG(1), .package_id = 1},
        {.mode = 1, .shop_id = 0, .weight_min = FX_KG(1), .weight_max = FX_KG(5), .package_id = 2},
        {.mode = 1, .shop_id = 1, .weight_min = FX_KG(1), .weight_max = FX_KG(5), .package_id = 3},
        {.mode = 1, .shop_id = 2, .weight_min = 0, .weight_max = 0, .package_id = 4, .priority = 9},
        {.mode = 2, .shop_id = 0, .weight_min = 0, .weight_max = 0, .package_id = 4, .priority = 9},
        {.mode = 1, .shop_id = 0, .weight_min = FX_KG(5), .weight_max = 0, .package_id = 4}};
    memcpy(f.pkg_strategies, ps, sizeof ps);
    f.cat.npkg_strategies = 6;
    f.cat.set.package_mode = 1;
}

static uint64_t pick_by_weight(double kg) {
    of_sub_free(&f.s);
    of_sub_init(&f.s);
    f.s.agg.weight = FX_KG(kg);
    of_package_decide(&f.in, &f.s);
    return f.s.package_id;
}

Test(sub_pkg, SUB_PKG_01_weight_range_min_inclusive_max_exclusive) {
    weight_strategies();
    cr_expect_eq(pick_by_weight(0.5), 1u);
    cr_expect_eq(pick_by_weight(0.9999), 1u);
    cr_expect_eq(pick_by_weight(1), 3u, "1 kg is in [1, 5); the shop's own row wins the tie with every-shop");
    cr_expect_eq(pick_by_weight(4.9999), 3u);
    cr_expect_eq(pick_by_weight(5), 4u, "[5, unbounded)");
    cr_expect_eq(pick_by_weight(500), 4u);
    cr_expect_not_null(of_trace_find(&f.s.trace, "SUB-PKG-01", "package"));
}

Test(sub_pkg, SUB_PKG_01_priority_beats_shop_and_other_shop_is_ignored) {
    weight_strategies();
    f.pkg_strategies[1].priority = 5; /* every-shop [1, 5) now outranks the shop's own row */
    cr_expect_eq(pick_by_weight(2), 2u);
    f.in.shop_id = 2; /* shop 2: its unbounded priority-9 row */
    cr_expect_eq(pick_by_weight(2), 4u);
    f.in.shop_id = 3;
    cr_expect_eq(pick_by_weight(2), 2u, "mode-2 rows and other shops' rows do not apply");
}

Test(sub_pkg, SUB_PKG_01_strategy_of_an_unknown_package_is_skipped) {
    weight_strategies();
    f.pkg_strategies[2].package_id = 99; /* disabled package */
    cr_expect_eq(pick_by_weight(2), 2u);
}

Test(sub_pkg, SUB_PKG_01_no_range_no_package_weight_unchanged) {
    weight_strategies();
    f.cat.npkg_strategies = 3; /* no unbounded row */
    cr_expect_eq(pick_by_weight(7), 0u);
    cr_expect_eq(f.s.agg.weight, FX_KG(7));
}

Test(sub_pkg, SUB_PKG_01_switch_off_chooses_nothing) {
    weight_strategies();
    f.cat.set.package_mode = 0;
    cr_expect_eq(pick_by_weight(2), 0u);
    cr_expect_eq(f.s.agg.weight, FX_KG(2));
}

static uint64_t pick_by_volume(double cm3) {
    of_sub_free(&f.s);
    of_sub_init(&f.s);
    f.s.agg.volume = FX_KG(cm3);
    of_package_decide(&f.in, &f.s);
    return f.s.package_id;
}

Test(sub_pkg, SUB_PKG_02_smallest_package_holding_the_volume_OP_42) {
    f.cat.set.package_mode = 2;
    cr_expect_eq(pick_by_volume(7500), 2u);
    cr_expect_eq(pick_by_volume(8000), 2u, "volume ≥ order volume");
    cr_expect_eq(pick_by_volume(8000.0001), 3u, "ties in volume → lower id");
    cr_expect_eq(pick_by_volume(1), 1u);
    cr_expect_eq(pick_by_volume(0), 1u);
    cr_expect_not_null(of_trace_find(&f.s.trace, "SUB-PKG-02", "package"));
}

Test(sub_pkg, SUB_PKG_02_none_large_enough_takes_the_largest_OP_42) {
    f.cat.set.package_mode = 2;
    cr_expect_eq(pick_by_volume(25000), 3u);
    f.cat.npackages = 0;
    cr_expect_eq(pick_by_volume(100), 0u, "no package configured");
}

Test(sub_pkg, SUB_PKG_03_package_weight_added_to_order_weight) {
    f.cat.set.package_mode = 2;
    f.s.agg.volume = FX_KG(7500);
    f.s.agg.weight = FX_KG(1.45);
    of_package_decide(&f.in, &f.s);
    cr_expect_eq(f.s.package_id, 2u);
    cr_expect_eq(f.s.agg.weight, FX_KG(1.65));
    cr_expect_not_null(of_trace_find(&f.s.trace, "SUB-PKG-03", "weight"));

    weight_strategies();
    cr_expect_eq(pick_by_weight(0.5), 1u);
    cr_expect_eq(f.s.agg.weight, FX_KG(0.6));
}
