/* test_warehouse.c -- warehouse choice I_DL_DECIDE_WAREHOUSE (SUB-WH-01…-13, OP-32…OP-39) and the stock formulas and
 * reservation counters it relies on (of_stock.h: SUB-WH-07, SUB-STK-02…-06). */
#include <criterion/criterion.h>
#include "fixture_wh.h"
#include "of_warehouse.h"

/* ---------------------------------------------------------------- of_stock.h */

Test(stock, SUB_WH_07_x_is_stock_minus_sending_minus_order) {
    of_stock_row_t r = {
        .stock_num = 10, .wms_stock_num = 50, .sending_num = 3, .order_num = 4, .unpay_num = 7, .subscribe_num = 9};
    cr_expect_eq(of_stock_x(&r, 0), 3, "unpay_num and subscribe_num are not subtracted (OP-34, literal)");
    cr_expect_eq(of_stock_x(&r, 1), 43, "external warehouse: wms_stock_num");
    cr_expect_eq(of_stock_x(NULL, 0), 0, "missing row reads as zeros");
}

Test(stock, SUB_WH_07_OP34_sys_stock_reconstruction) {
    cr_expect_eq(of_stock_sys(5, 3), 5);
    cr_expect_eq(of_stock_sys(3, 3), 3);
    cr_expect_eq(of_stock_sys(2, 3), 0, "a line that cannot be fully served counts its whole quantity as short");
    cr_expect_eq(of_stock_sys(-4, 3), 0);
    cr_expect_eq(of_stock_sys(0, 0), 0);
}

Test(stock, SUB_WH_07_real_is_min_0_sys_minus_actual) {
    cr_expect_eq(of_stock_real(5, 3), 0);
    cr_expect_eq(of_stock_real(3, 3), 0);
    cr_expect_eq(of_stock_real(0, 3), -3);
}

Test(stock, SUB_STK_02_unpaid_reserves_unpay_num) {
    cr_expect_eq(of_stock_reservation_for_status(10), OF_RES_UNPAY);
    cr_expect_str_eq(of_stock_counter_name(OF_RES_UNPAY), "unpay_num");
}

Test(stock, SUB_STK_03_paid_reserves_order_num) {
    int st[] = {15, 16, 20, 27};
    for (size_t i = 0; i < sizeof st / sizeof st[0]; i++)
        cr_expect_eq(of_stock_reservation_for_status(st[i]), OF_RES_ORDER, "status %d", st[i]);
    cr_expect_str_eq(of_stock_counter_name(OF_RES_ORDER), "order_num");
}

Test(stock, SUB_STK_04_preorder_reserves_subscribe_num) {
    cr_expect_eq(of_stock_reservation_for_status(19), OF_RES_SUBSCRIBE);
    cr_expect_str_eq(of_stock_counter_name(OF_RES_SUBSCRIBE), "subscribe_num");
}

Test(stock, SUB_STK_05_stockout_order_reserves_no_counter) {
    cr_expect_eq(of_stock_reservation_for_status(55), OF_RES_NONE);
    cr_expect_str_eq(of_stock_counter_name(OF_RES_NONE), "");
}

Test(stock, SUB_STK_06_OP51_statuses_without_a_rule) {
    cr_expect_eq(of_stock_reservation_for_status(5), OF_RES_NONE);
    cr_expect_eq(of_stock_reservation_for_status(13), OF_RES_NONE);
    cr_expect_eq(of_stock_reservation_for_status(12), OF_RES_UNPAY);
}

Test(stock, view_put_find_add_keep_rows_sorted) {
    of_stockview_t v = {0};
    of_stock_row_t a = {.warehouse_id = 2, .spec_id = 1, .stock_num = 5};
    of_stock_row_t b = {.warehouse_id = 1, .spec_id = 9, .stock_num = 7};
    cr_assert_eq(of_stock_put(&v, &a), 0);
    cr_assert_eq(of_stock_put(&v, &b), 0);
    cr_expect_eq(v.rows[0].warehouse_id, 1);
    cr_expect_eq(of_stock_find(&v, 2, 1)->stock_num, 5);
    cr_expect_null(of_stock_find(&v, 2, 2));
    cr_assert_eq(of_stock_add(&v, 2, 2, OF_RES_ORDER, 3), 0);
    cr_expect_eq(of_stock_find(&v, 2, 2)->order_num, 3);
    cr_assert_eq(of_stock_add(&v, 2, 2, OF_RES_ORDER, -1), 0);
    cr_expect_eq(of_stock_find(&v, 2, 2)->order_num, 2);
    of_stock_free(&v);
}

/* ---------------------------------------------------------------- SUB-WH */

TestSuite(wh, .init = fx_setup, .fini = fx_teardown);

static void receiver(const char *p, const char *c, const char *d) {
    fx_raw.receiver_province = (char *)p;
    fx_raw.receiver_city = (char *)c;
    fx_raw.receiver_district = (char *)d;
}

static int decide(void) {
    return of_warehouse_decide(&fx_in, &fx_s);
}

/* The worked example of SUB-WH-07: one line, actual_num 3, unit price 10; w1 X = 5, w2 X = 2, w3 X = −4. */
static void worked_example_stock(void) {
    fx_line(10, 3, 10);
    fx_stock_row(1, 10, 5, 0, 0, 0);  /* X = 5 */
    fx_stock_row(2, 10, 6, 0, 1, 3);  /* X = 2 */
    fx_stock_row(3, 10, 0, 0, 0, 4);  /* X = −4 */
    fx_stock_row(4, 10, 99, 0, 0, 0); /* external: stock_num is not its stock */
}

Test(wh, SUB_WH_07_worked_example_shortage_amounts) {
    worked_example_stock();
    int ok = -1;
    cr_expect_eq(of_warehouse_shortage(&fx_in, &fx_s, 1, &ok, &fx_s.trace), 0);
    cr_expect_eq(ok, 1, "w1 X=5: sufficient");
    cr_expect_eq(of_warehouse_shortage(&fx_in, &fx_s, 2, &ok, &fx_s.trace), FX_MONEY(-30),
                 "w2 X=2 → −30 (reconstruction)");
    cr_expect_eq(ok, 0);
    cr_expect_eq(of_warehouse_shortage(&fx_in, &fx_s, 3, &ok, &fx_s.trace), FX_MONEY(-30), "w3 X=−4 → −30");
    cr_expect_eq(ok, 0);
    cr_expect_eq(of_warehouse_shortage(&fx_in, &fx_s, 4, &ok, NULL), FX_MONEY(-30), "external: wms_stock_num 0");
    cr_expect(fx_traced("SUB-WH-07", "line", "X=5 sys_stock=5 real=0 price=10.0000 shortage=0.0000"));
    cr_expect(fx_traced("SUB-WH-07", "line", "X=2 sys_stock=0 real=-3 price=10.0000 shortage=-30.0000"));
    cr_expect(fx_traced("SUB-WH-07", "line", "X=-4 sys_stock=0 real=-3"));
    cr_expect(fx_traced("SUB-WH-07", "candidate", "shortage amount -30.0000, insufficient"));
}

Test(wh, SUB_WH_07_lines_with_actual_num_0_do_not_count) {
    fx_line(10, 3, 10);
    fx_line(11, 0, 50); /* refunded, no stock anywhere */
    fx_stock_row(1, 10, 5, 0, 0, 0);
    int ok = 0;
    cr_expect_eq(of_warehouse_shortage(&fx_in, &fx_s, 1, &ok, NULL), 0);
    cr_expect_eq(ok, 1);
}

Test(wh, SUB_WH_07_worked_example_through_the_decision) {
    fx_cat.set.check_stock = 1;
    receiver("四川省", "成都市", "武侯区"); /* no coverage: the three shop warehouses (SUB-WH-05) */
    worked_example_stock();
    cr_assert_eq(decide(), 0);
    cr_expect_eq(fx_s.warehouse_id, 1, "w1 is the only one with sufficient stock");
    cr_expect_str_eq(fx_s.warehouse_rule, "SUB-WH-06");
    /* explain: every candidate with its priority and stock, and the tier that chose */
    cr_expect(
        fx_traced("SUB-WH-06", "candidate", "#1 warehouse 1 上海仓: designation priority 30, warehouse priority 30"));
    cr_expect(
        fx_traced("SUB-WH-06", "candidate", "#3 warehouse 3 北京仓: designation priority 10, warehouse priority 10"));
    cr_expect(fx_traced("SUB-WH-07", "line", "warehouse 2 spec 10"));
    cr_expect(fx_traced("SUB-WH-06", "decision", "some candidates have sufficient stock"));
    cr_expect(fx_traced("SUB-WH-06", "warehouse", "warehouse 1 上海仓"));
}

Test(wh, SUB_WH_06_all_sufficient_highest_priority) {
    fx_cat.set.check_stock = 1;
    receiver("四川省", "成都市", "武侯区");
    fx_line(10, 3, 10);
    for (uint64_t w = 1; w <= 3; w++)
        fx_stock_row(w, 10, 100, 0, 0, 0);
    cr_assert_eq(decide(), 0);
    cr_expect_eq(fx_s.warehouse_id, 1);
    cr_expect(fx_traced("SUB-WH-06", "decision", "all candidates have sufficient stock"));
}

Test(wh, SUB_WH_06_some_sufficient_highest_priority_among_them) {
    fx_cat.set.check_stock = 1;
    receiver("四川省", "成都市", "武侯区");
    fx_line(10, 3, 10);
    fx_stock_row(1, 10, 1, 0, 0, 0);
    fx_stock_row(2, 10, 3, 0, 0, 0);
    fx_stock_row(3, 10, 100, 0, 0, 0);
    cr_assert_eq(decide(), 0);
    cr_expect_eq(fx_s.warehouse_id, 2);
}

Test(wh, SUB_WH_06_none_sufficient_minimum_shortage_amount) {
    fx_cat.set.check_stock = 1;
    receiver("四川省", "成都市", "武侯区");
    fx_line(10, 3, 10);              /* −30 when short */
    fx_line(11, 1, 50);              /* −50 when short */
    fx_stock_row(1, 10, 9, 0, 0, 0); /* w1: spec 11 short → −50 */
    fx_stock_row(2, 11, 9, 0, 0, 0); /* w2: spec 10 short → −30 */
    /* w3: both short → −80 */
    cr_assert_eq(decide(), 0);
    cr_expect_eq(fx_s.warehouse_id, 2, "−30 is the minimum shortage, although w1 has a higher priority");
    cr_expect_str_eq(fx_s.warehouse_rule, "SUB-WH-06");
    cr_expect(fx_traced("SUB-WH-06", "decision", "minimum shortage amount -30.0000"));
}

Test(wh, SUB_WH_06_OP34_tie_goes_to_higher_priority) {
    fx_cat.set.check_stock = 1;
    receiver("四川省", "成都市", "武侯区");
    fx_line(10, 3, 10);
    fx_stock_row(2, 10, 2, 0, 0, 0); /* w2 −30, w1 and w3 have no row: −30 too */
    cr_assert_eq(decide(), 0);
    cr_expect_eq(fx_s.warehouse_id, 1);
    /* same with the priorities reversed in the shop designation: the designation priority decides first */
    of_sub_free(&fx_s);
    of_sub_init(&fx_s);
    fx_line(10, 3, 10);
    fx_shop_whs[0].priority = 5; /* shop 1 → wh 1 */
    of_cat_index(&fx_cat);
    cr_assert_eq(decide(), 0);
    cr_expect_eq(fx_s.warehouse_id, 2);
}

Test(wh, SUB_WH_06_equal_designation_priority_falls_back_to_warehouse_priority) {
    fx_cat.set.check_stock = 1;
    receiver("四川省", "成都市", "武侯区");
    fx_line(10, 3, 10);
    for (size_t i = 0; i < 3; i++)
        fx_shop_whs[i].priority = 0;
    of_cat_index(&fx_cat);
    fx_whs[2].priority = 99; /* 北京仓 */
    cr_assert_eq(decide(), 0);
    cr_expect_eq(fx_s.warehouse_id, 3);
}

Test(wh, SUB_WH_08_OP35_check_stock_off_highest_priority) {
    receiver("四川省", "成都市", "武侯区");
    fx_line(10, 3, 10);
    fx_stock_row(3, 10, 100, 0, 0, 0); /* only 北京仓 has stock: ignored */
    cr_assert_eq(decide(), 0);
    cr_expect_eq(fx_s.warehouse_id, 1);
    cr_expect_str_eq(fx_s.warehouse_rule, "SUB-WH-08");
    cr_expect_null(of_trace_find(&fx_s.trace, "SUB-WH-07", "candidate"), "stock not evaluated");
}

Test(wh, SUB_WH_01_OP32_raw_warehouse_number_of_the_required_type) {
    fx_raw.warehouse_no = "GZ-01";
    fx_line(10, 1, 10);
    cr_assert_eq(decide(), 0);
    cr_expect_eq(fx_s.warehouse_id, 2, "the shop strategy (上海 → 上海仓) is skipped");
    cr_expect_str_eq(fx_s.warehouse_rule, "SUB-WH-01");

    of_sub_free(&fx_s);
    of_sub_init(&fx_s);
    fx_s.wms_type = OF_WMS_LOGISTICS_BAO;
    fx_raw.warehouse_no = "WMS-CN-01";
    cr_assert_eq(decide(), 0);
    cr_expect_eq(fx_s.warehouse_id, 4);
}

Test(wh, SUB_WH_01_OP32_number_of_another_type_is_no_warehouse) {
    fx_raw.warehouse_no = "WMS-CN-01"; /* a 物流宝 warehouse, required type 0 */
    cr_expect_eq(decide(), 1);
    cr_expect_eq(fx_s.warehouse_id, 0);
    cr_expect_str_eq(fx_s.stop_rule, "SUB-WH-11");
}

Test(wh, SUB_WH_02_goods_designated_warehouse) {
    fx_cat.set.wh_by_goods = 1;
    receiver("广东省", "广州市", "天河区");
    fx_line(15, 1, 1880); /* tea table: designated to 广州仓 in shop 1 */
    cr_assert_eq(decide(), 0);
    cr_expect_eq(fx_s.warehouse_id, 2);
    cr_expect_str_eq(fx_s.warehouse_rule, "SUB-WH-02");
    cr_expect_eq(fx_s.wh_address_mode, 0);
    cr_expect(fx_traced("SUB-WH-02", "designation", "spec 15 → warehouse 2 广州仓 mode 1 priority 10: candidate"));
}

Test(wh, SUB_WH_02_needs_switch_and_shop_setting) {
    receiver("上海", "上海市", "浦东新区");
    fx_line(15, 1, 1880);
    cr_assert_eq(decide(), 0); /* CFG_WH_BY_GOODS off */
    cr_expect_eq(fx_s.warehouse_id, 1);
    cr_expect(fx_traced("SUB-WH-02", "skipped", "CFG_WH_BY_GOODS=0"));

    fx_cat.set.wh_by_goods = 1;
    fx_shops[0].is_goods_wh = 0;
    cr_assert_eq(decide(), 0);
    cr_expect_eq(fx_s.warehouse_id, 1);
}

Test(wh, SUB_WH_02_OP33_union_of_the_lines_designations) {
    fx_cat.set.wh_by_goods = 1;
    fx_cat.set.check_stock = 1;
    fx_spec_whs[1] = (of_spec_wh_t){1, 1, 3, OF_SWH_WAREHOUSE, 0, 5}; /* longjing → 北京仓 */
    fx_line(15, 1, 1880);
    fx_line(1, 2, 128);
    fx_stock_row(2, 15, 3, 0, 0, 0); /* 广州仓: table yes, longjing no */
    fx_stock_row(3, 15, 1, 0, 0, 0); /* 北京仓: both */
    fx_stock_row(3, 1, 36, 0, 0, 0);
    cr_assert_eq(decide(), 0);
    cr_expect(fx_traced("SUB-WH-02", "candidates", "2 candidate(s)"));
    cr_expect_eq(fx_s.warehouse_id, 3);
    cr_expect_str_eq(fx_s.warehouse_rule, "SUB-WH-06");
}

Test(wh, SUB_WH_02_OP33_no_qualifying_designation_falls_back_to_shop_warehouses) {
    fx_cat.set.wh_by_goods = 1;
    fx_spec_whs[0].warehouse_id = 99; /* not in the catalogue */
    fx_line(15, 1, 1880);
    cr_assert_eq(decide(), 0);
    cr_expect_eq(fx_s.warehouse_id, 1, "上海 receiver: shop coverage");
    cr_expect_str_eq(fx_s.warehouse_rule, "SUB-WH-04");
    cr_expect(fx_traced("SUB-WH-02", "designation", "not in the catalogue"));
}

Test(wh, SUB_WH_02_address_mode_receiver_address_and_SUB_WH_10_logistics) {
    fx_cat.set.wh_by_goods = 1;
    fx_in.shop_id = 2;
    receiver("北京", "北京市", "大兴区");
    fx_line(13, 1, 138); /* tea oil: 指定仓库地址 to 北京仓 and 上海仓, logistics E速宝 (6) */
    cr_assert_eq(decide(), 0);
    cr_expect_eq(fx_s.warehouse_id, 3);
    cr_expect_eq(fx_s.wh_address_mode, 1);
    cr_expect_str_eq(fx_s.warehouse_rule, "SUB-WH-02");
    cr_expect_eq(fx_s.logistics_id, 6);
    cr_expect_eq(fx_s.logistics_by, OF_LB_WH_ADDRESS);
    cr_expect(fx_traced("SUB-WH-02", "designation", "warehouse address differs from the receiver's"));
}

Test(wh, SUB_WH_02_OP33_address_mode_without_match_leaves_warehouse_empty) {
    fx_cat.set.wh_by_goods = 1;
    fx_in.shop_id = 2;
    receiver("北京", "北京市", "朝阳区");
    fx_line(13, 1, 138);
    cr_expect_eq(decide(), 0, "极速达: not stopped (status 13 later)");
    cr_expect_eq(fx_s.warehouse_id, 0);
    cr_expect_eq(fx_s.wh_address_mode, 1);
    cr_expect_eq(fx_s.raw_bad_reason, 0);
    cr_expect_eq(fx_s.logistics_id, 0);
    cr_expect(fx_traced("SUB-WH-02", "decision", "left empty"));
}

Test(wh, SUB_WH_03_no_shop_warehouse_takes_one_of_the_required_type) {
    fx_in.shop_id = 4;
    cr_assert_eq(decide(), 0);
    cr_expect_eq(fx_s.warehouse_id, 1, "highest priority of type 0");
    cr_expect_str_eq(fx_s.warehouse_rule, "SUB-WH-03");

    fx_s.wms_type = OF_WMS_LOGISTICS_BAO;
    cr_assert_eq(decide(), 0);
    cr_expect_eq(fx_s.warehouse_id, 4);
}

Test(wh, SUB_WH_03_exactly_one_shop_warehouse) {
    fx_in.shop_id = 3; /* pdd-outlet → 广州仓 only */
    cr_assert_eq(decide(), 0);
    cr_expect_eq(fx_s.warehouse_id, 2, "no coverage test for a single warehouse");
    cr_expect_str_eq(fx_s.warehouse_rule, "SUB-WH-03");

    fx_s.wms_type = OF_WMS_LOGISTICS_BAO; /* wrong type → as none (proposed) */
    cr_assert_eq(decide(), 0);
    cr_expect_eq(fx_s.warehouse_id, 4);
    cr_expect(fx_traced("SUB-WH-03", "ignored", "as none"));
}

Test(wh, SUB_WH_04_several_shop_warehouses_coverage) {
    receiver("广东省", "深圳市", "南山区");
    cr_assert_eq(decide(), 0);
    cr_expect_eq(fx_s.warehouse_id, 2);
    cr_expect_str_eq(fx_s.warehouse_rule, "SUB-WH-04");

    receiver("陕西省", "西安市", "雁塔区"); /* city-level coverage */
    cr_assert_eq(decide(), 0);
    cr_expect_eq(fx_s.warehouse_id, 3);
}

Test(wh, SUB_WH_04_several_covering_choose_by_stock) {
    fx_cat.set.check_stock = 1;
    fx_areas[4] = (of_wh_area_t){2, "上海", "", ""}; /* 广州仓 covers 上海 too */
    fx_line(10, 3, 10);
    fx_stock_row(2, 10, 3, 0, 0, 0);
    cr_assert_eq(decide(), 0);
    cr_expect_eq(fx_s.warehouse_id, 2, "上海仓 has no stock");
    cr_expect(fx_traced("SUB-WH-04", "candidates", "2 covering warehouse(s)"));
    cr_expect(fx_traced("SUB-WH-04", "coverage",
                        "warehouse 3 北京仓 (designation priority 10, warehouse priority 10, type 0): does not cover"));
}

Test(wh, SUB_WH_05_no_coverage_shop_warehouses_of_the_required_type) {
    receiver("陕西省", "宝鸡市", "渭滨区"); /* 陕西 is covered for 西安市 only */
    cr_assert_eq(decide(), 0);
    cr_expect_eq(fx_s.warehouse_id, 1, "highest priority (check stock off)");
    cr_expect(fx_traced("SUB-WH-05", "candidates", "3 shop warehouse(s) of type 0"));

    fx_in.shop_id = 2;      /* 北京仓 (20), 上海仓 (10) */
    fx_whs[2].wms_type = 2; /* 北京仓 is now of another type */
    receiver("四川省", "成都市", "武侯区");
    cr_assert_eq(decide(), 0);
    cr_expect_eq(fx_s.warehouse_id, 1);
    cr_expect_str_eq(fx_s.warehouse_rule, "SUB-WH-05");
}

Test(wh, SUB_WH_09_OP36_goods_designation_changed_the_warehouse) {
    fx_cat.set.wh_by_goods = 1;
    fx_line(15, 1, 1880); /* 上海 receiver: shop strategy → 上海仓, designation → 广州仓 */
    cr_assert_eq(decide(), 0);
    cr_expect_eq(fx_s.warehouse_id, 2);
    cr_expect_eq(fx_s.prompt_warehouse_id, 2);
    cr_expect(fx_traced("SUB-WH-09", "prompt", "differs from the shop strategy's 1"));

    receiver("广东省", "广州市", "天河区"); /* the shop strategy agrees */
    cr_assert_eq(decide(), 0);
    cr_expect_eq(fx_s.warehouse_id, 2);
    cr_expect_eq(fx_s.prompt_warehouse_id, 0);
}

Test(wh, SUB_WH_10_remark_warehouse_drops_the_address_logistics) {
    fx_cat.set.wh_by_goods = 1;
    fx_in.shop_id = 2;
    receiver("北京", "北京市", "大兴区");
    fx_line(13, 1, 138);
    fx_s.cs.warehouse_id = 1;
    cr_assert_eq(decide(), 0);
    cr_expect_eq(fx_s.warehouse_id, 1);
    cr_expect_eq(fx_s.logistics_id, 0);
    cr_expect_eq(fx_s.logistics_by, OF_LB_NONE);
}

Test(wh, SUB_WH_11_OP37_no_warehouse_stops_a_non_express_order) {
    fx_in.shop_id = 4;
    fx_s.wms_type = OF_WMS_OTHER; /* no warehouse of type 2 */
    cr_expect_eq(decide(), 1);
    cr_expect_eq(fx_s.warehouse_id, 0);
    cr_expect_eq(fx_s.raw_bad_reason & OF_BAD_NO_WAREHOUSE, OF_BAD_NO_WAREHOUSE);
    cr_expect_str_eq(fx_s.stop_rule, "SUB-WH-11");
    cr_expect_eq(fx_s.raw_process_status, OF_PS_PENDING);
    cr_expect_eq(fx_s.submitted, 0);
}

Test(wh, SUB_WH_12_cs_remark_warehouse_wins) {
    fx_s.cs.warehouse_id = 3;
    cr_assert_eq(decide(), 0); /* 上海 receiver: strategy → 上海仓 */
    cr_expect_eq(fx_s.warehouse_id, 3);
    cr_expect_str_eq(fx_s.warehouse_rule, "SUB-WH-12");
    cr_expect(fx_traced("SUB-WH-12", "decision", "CS remark names warehouse 3 北京仓: overrides 1 (SUB-WH-04)"));
}

Test(wh, SUB_WH_12_OP38_cs_remark_then_client_remark_then_strategy) {
    fx_s.cs.warehouse_id = 3;
    fx_s.client.warehouse_id = 2;
    cr_assert_eq(decide(), 0);
    cr_expect_eq(fx_s.warehouse_id, 3);

    fx_s.cs.warehouse_id = 0;
    cr_assert_eq(decide(), 0);
    cr_expect_eq(fx_s.warehouse_id, 2);
    cr_expect(fx_traced("SUB-WH-12", "decision", "client remark"));

    fx_s.client.warehouse_id = 99; /* unknown: ignored */
    cr_assert_eq(decide(), 0);
    cr_expect_eq(fx_s.warehouse_id, 1);
    cr_expect_str_eq(fx_s.warehouse_rule, "SUB-WH-04");
}

Test(wh, SUB_WH_12_remark_warehouse_avoids_the_SUB_WH_11_stop) {
    fx_in.shop_id = 4;
    fx_s.wms_type = OF_WMS_OTHER;
    fx_s.cs.warehouse_id = 3;
    cr_expect_eq(decide(), 0);
    cr_expect_eq(fx_s.warehouse_id, 3);
    cr_expect_eq(fx_s.raw_bad_reason, 0);
}

Test(wh, SUB_WH_13_grab_kept_with_sufficient_stock) {
    fx_in.shop_id = 3;
    fx_s.grab = 1;
    fx_line(10, 3, 10);
    fx_stock_row(2, 10, 3, 0, 0, 0);
    cr_assert_eq(decide(), 0);
    cr_expect_eq(fx_s.grab, 1);
    cr_expect(fx_traced("SUB-WH-13", "grab", "stock sufficient → grab=1"));
}

Test(wh, SUB_WH_13_OP39_grab_revoked_with_insufficient_stock) {
    fx_in.shop_id = 3;
    fx_s.grab = 1;
    fx_line(10, 3, 10);
    fx_stock_row(2, 10, 3, 0, 1, 0); /* X = 2 */
    cr_assert_eq(decide(), 0);
    cr_expect_eq(fx_s.warehouse_id, 2, "the order continues as a normal order");
    cr_expect_eq(fx_s.grab, 0);
}
