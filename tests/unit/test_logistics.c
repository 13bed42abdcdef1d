/* test_logistics.c -- I_DL_DECIDE_LOGISTICS (SUB-LOGI-01…-05, OP-43), the fee (SUB-FEE-01), the area alias
 * (SUB-ALIAS-01) and the estimated goods cost (SUB-COST-01). */
#include <criterion/criterion.h>
#include "fixture_rules_status.h"
#include "of_alias.h"
#include "of_cost.h"
#include "of_fee.h"
#include "of_logistics.h"

static fx_t f;

static void setup(void) {
    fx_init(&f);
    f.s.warehouse_id = 1;
    f.s.agg.delivery_term = 1;
    f.s.agg.weight = FX_KG(2);
}
static void teardown(void) {
    fx_fini(&f);
}

TestSuite(sub_logi, .init = setup, .fini = teardown);
TestSuite(sub_fee, .init = setup, .fini = teardown);
TestSuite(sub_alias, .init = setup, .fini = teardown);
TestSuite(sub_cost, .init = setup, .fini = teardown);

static uint64_t decide(void) {
    f.s.logistics_id = 0;
    f.s.logistics_by = OF_LB_NONE;
    of_logistics_decide(&f.in, &f.s);
    return f.s.logistics_id;
}

static void area(size_t i, uint64_t logi, const char *p, const char *c, const char *d, int reachable) {
    of_logi_area_t *a = &f.logi_areas[i];
    a->logistics_id = logi;
    snprintf(a->province, sizeof a->province, "%s", p);
    snprintf(a->city, sizeof a->city, "%s", c);
    snprintf(a->district, sizeof a->district, "%s", d);
    a->is_reachable = reachable;
    if (f.cat.nlogi_areas <= i) f.cat.nlogi_areas = i + 1;
}

static void strategy(size_t i, int scope, uint64_t shop, uint64_t wh, uint64_t logi, int priority, double wmin,
                     double wmax) {
    f.logi_strategies[i] = (of_logi_strategy_t){.scope = scope,
                                                .shop_id = shop,
                                                .warehouse_id = wh,
                                                .logistics_id = logi,
                                                .priority = priority,
                                                .weight_min = FX_KG(wmin),
                                                .weight_max = FX_KG(wmax)};
    if (f.cat.nlogi_strategies <= i) f.cat.nlogi_strategies = i + 1;
}

/* ---------------------------------------------------------------- SUB-LOGI */

Test(sub_logi, SUB_LOGI_01_earlier_choice_skips_selection) {
    f.shop_logis[0] = (of_shop_logi_t){.shop_id = 1, .logistics_id = 1, .priority = 1};
    f.cat.nshop_logis = 1;
    f.s.logistics_id = 6; /* E速宝 of SUB-WH-10 */
    f.s.logistics_by = OF_LB_WH_ADDRESS;
    of_logistics_decide(&f.in, &f.s);
    cr_expect_eq(f.s.logistics_id, 6u);
    cr_expect_eq(f.s.logistics_by, OF_LB_WH_ADDRESS);
    cr_expect_not_null(of_trace_find(&f.s.trace, "SUB-LOGI-01", "logistics"));

    f.s.logistics_id = 0;
    f.s.logistics_by = OF_LB_NONE;
    f.s.cs.logistics_id = 4; /* CS remark extraction found YTO */
    of_logistics_decide(&f.in, &f.s);
    cr_expect_eq(f.s.logistics_id, 4u);
    cr_expect_eq(f.s.logistics_by, OF_LB_REMARK);

    f.s.cs.logistics_id = 0;
    cr_expect_eq(decide(), 1u, "nothing earlier: the shop's logistics");
    cr_expect_eq(f.s.logistics_by, OF_LB_STRATEGY);
}

Test(sub_logi, SUB_LOGI_02_cod_by_warehouse_or_by_shop) {
    f.s.agg.delivery_term = 2;
    f.whs[0].cod_logistics_id = 4; /* warehouse 1: YTO */
    f.in.shop_id = 2;              /* jd-store: EMS */
    f.cat.set.cod_logi_mode = 1;
    cr_expect_eq(decide(), 4u, "by warehouse");
    cr_expect_not_null(of_trace_find(&f.s.trace, "SUB-LOGI-02", "logistics"));
    f.cat.set.cod_logi_mode = 2;
    cr_expect_eq(decide(), 3u, "by shop");

    f.s.warehouse_id = 3; /* no COD logistics */
    f.cat.set.cod_logi_mode = 1;
    cr_expect_eq(decide(), 3u, "by warehouse, none → the shop's");
    f.s.warehouse_id = 1;
    f.in.shop_id = 1; /* no COD logistics */
    f.cat.set.cod_logi_mode = 2;
    cr_expect_eq(decide(), 4u, "by shop, none → the warehouse's");
    cr_expect_eq(f.s.logistics_by, OF_LB_STRATEGY);
}

Test(sub_logi, SUB_LOGI_03_cod_fallback_designated_then_first_cod_capable) {
    f.s.agg.delivery_term = 2;
    f.s.warehouse_id = 3;
    f.in.shop_id = 1;
    f.cat.set.cod_logistics_id = 2;
    cr_expect_eq(decide(), 2u, "CFG_COD_LOGISTICS_ID");
    cr_expect_not_null(of_trace_find(&f.s.trace, "SUB-LOGI-03", "logistics"));
    f.cat.set.cod_logistics_id = 99; /* unknown / disabled: skipped */
    cr_expect_eq(decide(), 3u, "first COD-capable by sort order");
    f.logis[2].supports_cod = 0; /* EMS (sort 30) */
    for (size_t i = 0; i < f.cat.nlogis; i++)
        f.logis[i].supports_cod = 0;
    cr_expect_eq(decide(), 0u, "no COD-capable logistics: none");
}

Test(sub_logi, SUB_LOGI_04_reachability_most_specific_row) {
    area(0, 2, "上海", "", "", 0);
    area(1, 2, "上海", "上海市", "浦东新区", 1);
    cr_expect_eq(of_logistics_reaches(&f.cat, 2, "上海", "上海市", "浦东新区"), 1);
    cr_expect_eq(of_logistics_reaches(&f.cat, 2, "上海", "上海市", "黄浦区"), 0);
    cr_expect_eq(of_logistics_reaches(&f.cat, 2, "江苏省", "南京市", "玄武区"), 1, "no row → reachable");
    cr_expect_eq(of_logistics_reaches(&f.cat, 1, "上海", "上海市", "黄浦区"), 1, "rows of another logistics");
}

Test(sub_logi, SUB_LOGI_04_shop_designated_logistics_first) {
    f.in.shop_id = 2;
    f.shop_logis[0] = (of_shop_logi_t){.shop_id = 2, .logistics_id = 1, .priority = 10};
    f.shop_logis[1] = (of_shop_logi_t){.shop_id = 2, .logistics_id = 2, .priority = 20};
    f.shop_logis[2] = (of_shop_logi_t){.shop_id = 1, .logistics_id = 4, .priority = 99};
    f.cat.nshop_logis = 3;
    strategy(0, OF_LS_SHOP, 2, 0, 4, 100, 0, 0);
    cr_expect_eq(decide(), 2u, "highest priority of the shop's own");
    area(0, 2, "上海", "", "", 0);
    cr_expect_eq(decide(), 1u, "an unreachable shop logistics is skipped");
    cr_expect_not_null(of_trace_find(&f.s.trace, "SUB-LOGI-04", "shop"));
}

Test(sub_logi, SUB_LOGI_04_strategy_shop_then_warehouse_then_global_OP_43) {
    strategy(0, OF_LS_GLOBAL, 0, 0, 4, 50, 0, 0);
    strategy(1, OF_LS_WAREHOUSE, 0, 1, 2, 0, 0, 0);
    strategy(2, OF_LS_SHOP, 1, 0, 1, 0, 0, 0);
    strategy(3, OF_LS_SHOP, 2, 0, 3, 99, 0, 0); /* another shop */
    cr_expect_eq(decide(), 1u, "shop scope wins whatever the priority");
    cr_expect_not_null(of_trace_find(&f.s.trace, "SUB-LOGI-04", "strategy"));
    f.logi_strategies[2].shop_id = 3;
    cr_expect_eq(decide(), 2u, "warehouse scope next");
    f.s.warehouse_id = 2;
    cr_expect_eq(decide(), 4u, "global last");
}

Test(sub_logi, SUB_LOGI_04_scope_row_with_key_0_applies_to_every_shop_or_warehouse) {
    strategy(0, OF_LS_GLOBAL, 0, 0, 4, 50, 0, 0);
    strategy(1, OF_LS_WAREHOUSE, 0, 0, 2, 0, 0, 0);
    cr_expect_eq(decide(), 2u, "warehouse scope, warehouse 0 = every warehouse");
    strategy(2, OF_LS_SHOP, 0, 0, 1, 0, 0, 0);
    cr_expect_eq(decide(), 1u, "shop scope, shop 0 = every shop");
}

Test(sub_logi, SUB_LOGI_04_priority_within_scope_and_unreachable_skipped_OP_43) {
    strategy(0, OF_LS_GLOBAL, 0, 0, 2, 1, 0, 0);
    strategy(1, OF_LS_GLOBAL, 0, 0, 4, 5, 0, 0);
    strategy(2, OF_LS_GLOBAL, 0, 0, 1, 5, 0, 0);
    cr_expect_eq(decide(), 4u, "priority desc, then table order");
    area(0, 4, "上海", "上海市", "", 0);
    cr_expect_eq(decide(), 1u, "unreachable skipped");
    area(1, 1, "上海", "", "", 0);
    cr_expect_eq(decide(), 2u);
    cr_expect_not_null(of_trace_find(&f.s.trace, "SUB-LOGI-04", "skipped"));
}

Test(sub_logi, SUB_LOGI_04_by_weight) {
    strategy(0, OF_LS_GLOBAL, 0, 0, 1, 0, 0, 1);
    strategy(1, OF_LS_GLOBAL, 0, 0, 2, 0, 1, 0);
    f.cat.set.logi_by_weight = 1;
    f.s.agg.weight = FX_KG(0.5);
    cr_expect_eq(decide(), 1u);
    f.s.agg.weight = FX_KG(1);
    cr_expect_eq(decide(), 2u, "[min, max): 1 kg is the second row");
    f.s.agg.weight = FX_KG(30);
    cr_expect_eq(decide(), 2u, "max 0 = unbounded");
    f.cat.set.logi_by_weight = 0;
    cr_expect_eq(decide(), 1u, "switch off: weight ranges ignored");
}

Test(sub_logi, SUB_LOGI_04_type_must_be_the_designated_type) {
    strategy(0, OF_LS_SHOP, 1, 0, 6, 9, 0, 0); /* E速宝, type 4 */
    strategy(1, OF_LS_GLOBAL, 0, 0, 2, 0, 0, 0);
    cr_expect_eq(decide(), 2u, "E速宝 is not of type express: skipped");
    f.cat.set.default_logistics_type = OF_LT_ESB;
    cr_expect_eq(decide(), 6u);
}

Test(sub_logi, SUB_LOGI_05_first_logistics_of_designated_type) {
    cr_expect_eq(decide(), 1u, "no strategy: first express by sort order (SF)");
    cr_expect_not_null(of_trace_find(&f.s.trace, "SUB-LOGI-05", "logistics"));
    f.cat.set.default_logistics_type = OF_LT_NO_TRACKING;
    cr_expect_eq(decide(), 5u);
    f.cat.set.no_default_logi = 1;
    f.cat.set.default_logistics_type = OF_LT_EXPRESS;
    cr_expect_eq(decide(), 1u, "switch on but type not custom: still the default");
}

Test(sub_logi, SUB_LOGI_05_no_default_for_custom_type) {
    f.logis[3].type = OF_LT_CUSTOM; /* YTO (sort 40) is custom */
    f.cat.set.default_logistics_type = OF_LT_CUSTOM;
    f.cat.set.no_default_logi = 1;
    cr_expect_eq(decide(), 0u, "CFG_NO_DEFAULT_LOGI and custom type: none");
    f.cat.set.no_default_logi = 0;
    cr_expect_eq(decide(), 4u, "switch off: the first custom logistics");
}

/* ---------------------------------------------------------------- SUB-FEE-01 */

static of_logi_fee_t fee_row(int mode) {
    return (of_logi_fee_t){.logistics_id = 1,
                           .first_weight = FX_KG(1),
                           .first_fee = FX_KG(10),
                           .step_weight = FX_KG(0.5),
                           .step_fee = FX_KG(2),
                           .round_mode = mode};
}

Test(sub_fee, SUB_FEE_01_first_weight_only) {
    of_logi_fee_t r = fee_row(1);
    cr_expect_eq(of_fee_calc(&r, FX_KG(0.8)), FX_KG(10));
    cr_expect_eq(of_fee_calc(&r, FX_KG(1)), FX_KG(10));
    r.step_weight = 0;
    cr_expect_eq(of_fee_calc(&r, FX_KG(5)), FX_KG(10), "no step weight: first fee only");
}

Test(sub_fee, SUB_FEE_01_round_mode_1_up) {
    of_logi_fee_t r = fee_row(1);
    cr_expect_eq(of_fee_calc(&r, FX_KG(2.2)), FX_KG(16), "2.4 steps → 3");
    cr_expect_eq(of_fee_calc(&r, FX_KG(2)), FX_KG(14), "exactly 2 steps");
    cr_expect_eq(of_fee_calc(&r, FX_KG(1.0001)), FX_KG(12), "any started step counts");
}

Test(sub_fee, SUB_FEE_01_round_mode_2_half_up) {
    of_logi_fee_t r = fee_row(2);
    cr_expect_eq(of_fee_calc(&r, FX_KG(2.2)), FX_KG(14), "2.4 steps → 2");
    cr_expect_eq(of_fee_calc(&r, FX_KG(2.25)), FX_KG(16), "2.5 steps → 3");
    cr_expect_eq(of_fee_calc(&r, FX_KG(2.3)), FX_KG(16), "2.6 steps → 3");
}

Test(sub_fee, SUB_FEE_01_round_mode_3_pro_rata) {
    of_logi_fee_t r = fee_row(3);
    cr_expect_eq(of_fee_calc(&r, FX_KG(2.2)), FX_KG(14.8), "2.4 steps × 2");
    r.step_weight = FX_KG(3);
    r.step_fee = FX_KG(1);
    cr_expect_eq(of_fee_calc(&r, FX_KG(2)), FX_KG(10.3333), "1/3 step → 0.3333");
    cr_expect_eq(of_fee_calc(&r, FX_KG(3)), FX_KG(10.6667), "2/3 step → 0.6667 (half-up)");
}

Test(sub_fee, SUB_FEE_01_round_mode_4_down) {
    of_logi_fee_t r = fee_row(4);
    cr_expect_eq(of_fee_calc(&r, FX_KG(2.2)), FX_KG(14), "2.4 steps → 2");
    cr_expect_eq(of_fee_calc(&r, FX_KG(2.4999)), FX_KG(14), "2.9998 steps → 2");
}

/* Rows of logistics 1: any destination (0, 3] and (3, ∞); 上海 (0, ∞); 上海/上海市 (0, 1]. */
static void fee_table(void) {
    f.logi_fees[0] = fee_row(1);
    f.logi_fees[0].weight_to = FX_KG(3);
    f.logi_fees[1] = fee_row(1);
    f.logi_fees[1].weight_from = FX_KG(3);
    f.logi_fees[1].first_fee = FX_KG(20);
    f.logi_fees[2] = fee_row(4);
    snprintf(f.logi_fees[2].province, sizeof f.logi_fees[2].province, "上海");
    f.logi_fees[2].first_fee = FX_KG(8);
    f.logi_fees[3] = fee_row(1);
    snprintf(f.logi_fees[3].province, sizeof f.logi_fees[3].province, "上海");
    snprintf(f.logi_fees[3].city, sizeof f.logi_fees[3].city, "上海市");
    f.logi_fees[3].weight_to = FX_KG(1);
    f.logi_fees[3].first_fee = FX_KG(6);
    f.logi_fees[4] = fee_row(1);
    f.logi_fees[4].logistics_id = 2;
    f.logi_fees[4].first_fee = FX_KG(1000);
    f.cat.nlogi_fees = 5;
    f.s.logistics_id = 1;
}

static int64_t fee_at(double kg) {
    f.s.agg.weight = FX_KG(kg);
    f.s.post_cost = -1;
    of_fee_decide(&f.in, &f.s);
    return f.s.post_cost;
}

Test(sub_fee, SUB_FEE_01_most_specific_row_province_city) {
    fee_table();
    cr_expect_eq(fee_at(0.5), FX_KG(6), "city row");
    cr_expect_eq(fee_at(2.2), FX_KG(8 + 4), "the city bracket ends at 1 kg: province row (round down)");
    cr_expect_not_null(of_trace_find(&f.s.trace, "SUB-FEE-01", "post_cost"));
}

Test(sub_fee, SUB_FEE_01_brackets_from_exclusive_to_inclusive) {
    fee_table();
    f.raw.receiver_province = "江苏省";
    f.raw.receiver_city = "南京市";
    cr_expect_eq(fee_at(2.2), FX_KG(16), "any-destination (0, 3]");
    cr_expect_eq(fee_at(3), FX_KG(18), "3 kg is in (0, 3]");
    cr_expect_eq(fee_at(3.0001), FX_KG(20 + 10), "(3, ∞): 20 + 5 steps × 2");
    cr_expect_eq(fee_at(0), FX_KG(10), "from 0 includes zero weight");
}

Test(sub_fee, SUB_FEE_01_no_row_or_no_logistics_unchanged) {
    fee_table();
    f.s.logistics_id = 4;
    cr_expect_eq(fee_at(1), -1, "no fee table for the logistics");
    f.s.logistics_id = 0;
    cr_expect_eq(fee_at(1), -1, "no logistics");
}

/* ---------------------------------------------------------------- SUB-ALIAS-01 */

static void alias(size_t i, uint64_t logi, const char *p, const char *c, const char *d, const char *a) {
    of_area_alias_t *r = &f.aliases[i];
    r->logistics_id = logi;
    snprintf(r->province, sizeof r->province, "%s", p);
    snprintf(r->city, sizeof r->city, "%s", c);
    snprintf(r->district, sizeof r->district, "%s", d);
    snprintf(r->alias, sizeof r->alias, "%s", a);
    if (f.cat.naliases <= i) f.cat.naliases = i + 1;
}

Test(sub_alias, SUB_ALIAS_01_logistics_rows_then_every_logistics_then_city_district) {
    alias(0, 1, "上海", "上海市", "", "沪A");
    alias(1, 0, "上海", "", "", "沪");
    alias(2, 0, "上海", "上海市", "浦东新区", "沪浦东");
    alias(3, 1, "上海", "", "", "沪1");
    f.s.logistics_id = 1;
    of_alias_decide(&f.in, &f.s);
    cr_expect_str_eq(f.s.area_alias, "沪A", "most specific row of the logistics itself");
    f.s.logistics_id = 2;
    of_alias_decide(&f.in, &f.s);
    cr_expect_str_eq(f.s.area_alias, "沪浦东", "rows of every logistics, most specific");
    f.s.logistics_id = 0;
    f.raw.receiver_district = "黄浦区";
    of_alias_decide(&f.in, &f.s);
    cr_expect_str_eq(f.s.area_alias, "沪");
    f.raw.receiver_province = "江苏省";
    f.raw.receiver_city = "南京市";
    f.raw.receiver_district = "玄武区";
    of_alias_decide(&f.in, &f.s);
    cr_expect_str_eq(f.s.area_alias, "南京市玄武区", "no row: city + district");
    cr_expect_not_null(of_trace_find(&f.s.trace, "SUB-ALIAS-01", "area_alias"));
}

/* ---------------------------------------------------------------- SUB-COST-01 */

Test(sub_cost, SUB_COST_01_cost_price_of_the_chosen_warehouse) {
    of_stock_row_t rows[] = {{.warehouse_id = 1, .spec_id = 1, .cost_price = FX_KG(50)},
                             {.warehouse_id = 1, .spec_id = 2, .cost_price = FX_KG(120.5)},
                             {.warehouse_id = 2, .spec_id = 1, .cost_price = FX_KG(999)}};
    for (size_t i = 0; i < 3; i++)
        cr_assert_eq(of_stock_put(&f.stock, &rows[i]), 0);
    fx_line(&f, 1, "A", 2, 0);
    fx_line(&f, 2, "B", 1, 0);
    fx_line(&f, 3, "C", 4, 0); /* no stock row: cost 0 */
    fx_line(&f, 1, "A", 0, 5); /* refunded: actual_num 0 */
    of_cost_decide(&f.in, &f.s);
    cr_expect_eq(f.s.goods_cost, FX_KG(220.5));
    cr_expect_eq(f.s.lines[0].cost_price, FX_KG(50));
    cr_expect_eq(f.s.lines[1].cost_price, FX_KG(120.5));
    cr_expect_eq(f.s.lines[2].cost_price, 0);
    cr_expect_not_null(of_trace_find(&f.s.trace, "SUB-COST-01", "goods_cost"));

    f.s.warehouse_id = 2;
    of_cost_decide(&f.in, &f.s);
    cr_expect_eq(f.s.goods_cost, FX_KG(1998));
    f.s.warehouse_id = 0;
    of_cost_decide(&f.in, &f.s);
    cr_expect_eq(f.s.goods_cost, 0, "no warehouse: no cost");
    cr_expect_eq(f.s.lines[0].cost_price, 0);
}
