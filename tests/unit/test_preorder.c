/* test_preorder.c -- shop strategies, remark extraction switches, pre-order and grab decisions (SUB-CFG-01…-06,
 * OP-30, OP-31) and the insufficient-stock pre-order (SUB-PRE-01, OP-44). */
#include <criterion/criterion.h>
#include <stdio.h>
#include "fixture_wh.h"
#include "of_preorder.h"

TestSuite(preorder, .init = fx_setup, .fini = fx_teardown);

static of_line_t *named_line(uint64_t spec, int actual_num, const char *goods_name, const char *spec_name) {
    of_line_t *l = fx_line(spec, actual_num, 100);
    snprintf(l->api_goods_name, sizeof l->api_goods_name, "%s", goods_name);
    snprintf(l->api_spec_name, sizeof l->api_spec_name, "%s", spec_name);
    return l;
}

Test(preorder, SUB_CFG_01_reads_shop_strategies_and_remark_switch) {
    fx_in.shop_id = 3; /* pdd-outlet: grab on */
    fx_cat.set.remark_extract = 1;
    of_preorder_decide(&fx_in, &fx_s);
    cr_expect(fx_traced("SUB-CFG-01", "shop", "preorder=0 grab=1; CFG_REMARK_EXTRACT=1"));
}

Test(preorder, SUB_CFG_01_remark_switch_off_skips_cs_extraction) {
    fx_raw.cs_remark = "顺丰 北京仓";
    fx_cat.set.remark_extract = 0;
    of_preorder_decide(&fx_in, &fx_s);
    cr_expect_eq(fx_s.cs.logistics_id, 0);
    cr_expect_eq(fx_s.cs.warehouse_id, 0);
    cr_expect(fx_traced("SUB-CFG-02", "skipped", "CFG_REMARK_EXTRACT off"));
}

Test(preorder, SUB_CFG_02_cs_remark_extracted_into_s_cs) {
    fx_raw.cs_remark = "顺丰 北京仓 业务员:李娜;";
    fx_cat.set.remark_extract = 1;
    of_preorder_decide(&fx_in, &fx_s);
    cr_expect_eq(fx_s.cs.logistics_id, 1);
    cr_expect_eq(fx_s.cs.warehouse_id, 3);
    cr_expect_eq(fx_s.cs.salesman_id, 1);
}

Test(preorder, SUB_CFG_03_OP30_shop_preorder_converts_every_order) {
    fx_shops[0].is_preorder = 1;
    of_cat_index(&fx_cat);
    fx_raw.trade_status = 10; /* any order of the shop, paid or not (status rules decide later) */
    of_preorder_decide(&fx_in, &fx_s);
    cr_expect_eq(fx_s.is_preorder, 1);
    cr_expect_str_eq(fx_s.preorder_by, "SUB-CFG-03");
    cr_expect_eq(fx_logged("SUB-CFG-03", "店铺转预订单"), OF_LOG_STATUS);
}

Test(preorder, SUB_CFG_03_cs_remark_preorder_converts) {
    fx_cat.set.remark_extract = 1;
    fx_raw.cs_remark = "此单预售, 月底发";
    of_preorder_decide(&fx_in, &fx_s);
    cr_expect_eq(fx_s.cs.preorder, 1);
    cr_expect_eq(fx_s.is_preorder, 1);
    cr_expect_str_eq(fx_s.preorder_by, "SUB-CFG-03");
    cr_expect_eq(fx_logged("SUB-CFG-03", "客服备注"), OF_LOG_STATUS);
}

Test(preorder, SUB_CFG_03_no_conversion_without_shop_or_remark) {
    fx_cat.set.remark_extract = 1;
    fx_raw.cs_remark = "顺丰";
    of_preorder_decide(&fx_in, &fx_s);
    cr_expect_eq(fx_s.is_preorder, 0);
    cr_expect_str_eq(fx_s.preorder_by, "");
    cr_expect_eq(fx_s.logs.n, 0);
}

Test(preorder, SUB_CFG_04_client_remark_extraction_by_switch) {
    fx_raw.buyer_message = "送人的, 发北京";
    of_preorder_decide(&fx_in, &fx_s);
    cr_expect_eq(fx_s.client.flag_id, 0, "switch off");
    cr_expect(fx_traced("SUB-CFG-04", "skipped", "off"));

    of_sub_free(&fx_s);
    of_sub_init(&fx_s);
    fx_cat.set.client_remark_extract = 1;
    of_preorder_decide(&fx_in, &fx_s);
    cr_expect_eq(fx_s.client.flag_id, 2);
    cr_expect_eq(fx_s.client.warehouse_id, 3);
}

Test(preorder, SUB_CFG_05_goods_keyword_substring) {
    fx_cat.set.preorder = 1;
    named_line(5, 1, "【预售】福鼎白毫银针 2026头采白茶", "100g铁盒");
    of_preorder_decide(&fx_in, &fx_s);
    cr_expect_eq(fx_s.is_preorder, 1);
    cr_expect_str_eq(fx_s.preorder_by, "SUB-CFG-05");
    cr_expect_eq(fx_logged("SUB-CFG-05", "平台名称(货品或者规格)包含关键词"), OF_LOG_STATUS);
    cr_expect_eq(fx_s.grab, 0);
}

Test(preorder, SUB_CFG_05_spec_keyword_only) {
    fx_cat.set.preorder = 1;
    named_line(1, 1, "明前特级西湖龙井茶叶", "250g罐装 预约款");
    of_preorder_decide(&fx_in, &fx_s);
    cr_expect_eq(fx_s.is_preorder, 1);
    cr_expect(fx_logged("SUB-CFG-05", "规格关键词 '预约款'"));
}

Test(preorder, SUB_CFG_05_both_keywords_must_match) {
    fx_cat.set.preorder = 1;
    named_line(4, 1, "云南普洱熟茶饼 勐海古树", "200g茶砖");
    of_preorder_decide(&fx_in, &fx_s);
    cr_expect_eq(fx_s.is_preorder, 0, "goods keyword alone is not enough");

    of_sub_free(&fx_s);
    of_sub_init(&fx_s);
    named_line(4, 1, "云南普洱熟茶饼 勐海古树", "357g茶饼");
    of_preorder_decide(&fx_in, &fx_s);
    cr_expect_eq(fx_s.is_preorder, 1);
}

Test(preorder, SUB_CFG_05_strategy_of_another_shop_does_not_apply) {
    fx_cat.set.preorder = 1;
    fx_in.shop_id = 2; /* 普洱 + 357g is a strategy of shop 1 */
    named_line(4, 1, "云南普洱熟茶饼 勐海古树", "357g茶饼");
    of_preorder_decide(&fx_in, &fx_s);
    cr_expect_eq(fx_s.is_preorder, 0);
}

Test(preorder, SUB_CFG_05_OP31_one_line_converts_lines_with_actual_num_0_ignored) {
    fx_cat.set.preorder = 1;
    named_line(1, 2, "明前特级西湖龙井茶叶", "250g罐装");
    named_line(5, 0, "【预售】福鼎白毫银针", "100g铁盒"); /* refunded: not shipped */
    of_preorder_decide(&fx_in, &fx_s);
    cr_expect_eq(fx_s.is_preorder, 0);

    of_sub_free(&fx_s);
    of_sub_init(&fx_s);
    named_line(1, 2, "明前特级西湖龙井茶叶", "250g罐装");
    named_line(5, 1, "【预售】福鼎白毫银针", "100g铁盒");
    of_preorder_decide(&fx_in, &fx_s);
    cr_expect_eq(fx_s.is_preorder, 1, "one matching line converts the whole trade");
}

Test(preorder, SUB_CFG_05_needs_status_30_and_switch_and_no_earlier_conversion) {
    named_line(5, 1, "【预售】福鼎白毫银针", "100g铁盒");
    of_preorder_decide(&fx_in, &fx_s); /* CFG_PREORDER off */
    cr_expect_eq(fx_s.is_preorder, 0);

    of_sub_free(&fx_s);
    of_sub_init(&fx_s);
    named_line(5, 1, "【预售】福鼎白毫银针", "100g铁盒");
    fx_cat.set.preorder = 1;
    fx_raw.trade_status = 10;
    of_preorder_decide(&fx_in, &fx_s);
    cr_expect_eq(fx_s.is_preorder, 0, "unpaid");

    of_sub_free(&fx_s);
    of_sub_init(&fx_s);
    named_line(5, 1, "【预售】福鼎白毫银针", "100g铁盒");
    fx_raw.trade_status = 30;
    fx_shops[0].is_preorder = 1;
    of_cat_index(&fx_cat);
    of_preorder_decide(&fx_in, &fx_s);
    cr_expect_str_eq(fx_s.preorder_by, "SUB-CFG-03", "the shop converted first");
    cr_expect_eq(fx_s.logs.n, 1, "logged once");
}

Test(preorder, SUB_CFG_06_grab_when_paid_shop_and_switch) {
    fx_in.shop_id = 3;
    fx_cat.set.grab = 1;
    of_preorder_decide(&fx_in, &fx_s);
    cr_expect_eq(fx_s.grab, 1);
    cr_expect(fx_traced("SUB-CFG-06", "grab", "grab=1"));
}

Test(preorder, SUB_CFG_06_no_grab_for_preorder_unpaid_switch_off_or_shop_off) {
    fx_in.shop_id = 3;
    fx_cat.set.grab = 0;
    of_preorder_decide(&fx_in, &fx_s);
    cr_expect_eq(fx_s.grab, 0, "CFG_GRAB off");

    fx_cat.set.grab = 1;
    fx_raw.trade_status = 10;
    of_preorder_decide(&fx_in, &fx_s);
    cr_expect_eq(fx_s.grab, 0, "unpaid");

    fx_raw.trade_status = 30;
    fx_in.shop_id = 1;
    of_preorder_decide(&fx_in, &fx_s);
    cr_expect_eq(fx_s.grab, 0, "shop without grab");

    fx_in.shop_id = 3;
    fx_shops[2].is_preorder = 1;
    of_cat_index(&fx_cat);
    of_preorder_decide(&fx_in, &fx_s);
    cr_expect_eq(fx_s.grab, 0, "pre-order");
}

/* ---------------------------------------------------------------- SUB-PRE-01 */

static void pre_setup(void) {
    fx_setup();
    fx_cat.set.preorder = 1;
    fx_cat.set.preorder_stockout = 1;
    fx_s.warehouse_id = 1;
}

TestSuite(preorder_stock, .init = pre_setup, .fini = fx_teardown);

Test(preorder_stock, SUB_PRE_01_OP44_method_1_sys_stock_short_line_converts) {
    fx_line(1, 3, 10);
    fx_line(2, 3, 10);
    fx_stock_row(1, 1, 10, 0, 0, 0); /* X = 10: enough */
    fx_stock_row(1, 2, 5, 0, 1, 2);  /* X = 2 < 3 → sys_stock 0 */
    of_preorder_stock(&fx_in, &fx_s);
    cr_expect_eq(fx_s.is_preorder, 1);
    cr_expect_str_eq(fx_s.preorder_by, "SUB-PRE-01");
    cr_expect_eq(fx_logged("SUB-PRE-01", "库存不足转预订单: spec 2"), OF_LOG_STATUS);
}

Test(preorder_stock, SUB_PRE_01_OP44_method_1_sufficient_no_conversion) {
    fx_line(1, 3, 10);
    fx_stock_row(1, 1, 6, 0, 1, 2); /* X = 3 = actual_num */
    of_preorder_stock(&fx_in, &fx_s);
    cr_expect_eq(fx_s.is_preorder, 0);
    cr_expect_eq(fx_s.logs.n, 0);
    cr_expect(fx_traced("SUB-PRE-01", "preorder", "sufficient"));
}

Test(preorder_stock, SUB_PRE_01_OP44_method_2_stock_minus_sending) {
    fx_cat.set.preorder_stock_calc = 2;
    fx_line(1, 3, 10);
    fx_stock_row(1, 1, 10, 0, 3, 10); /* method 1 would be short (X = −3); 10 − 3 = 7 ≥ 3 */
    of_preorder_stock(&fx_in, &fx_s);
    cr_expect_eq(fx_s.is_preorder, 0);

    fx_stock_row(1, 1, 5, 0, 3, 0); /* 5 − 3 = 2 < 3 */
    of_preorder_stock(&fx_in, &fx_s);
    cr_expect_eq(fx_s.is_preorder, 1);
}

Test(preorder_stock, SUB_PRE_01_OP44_method_3_stock_only) {
    fx_cat.set.preorder_stock_calc = 3;
    fx_line(1, 3, 10);
    fx_stock_row(1, 1, 4, 0, 4, 4); /* stock 4 ≥ 3 whatever is reserved */
    of_preorder_stock(&fx_in, &fx_s);
    cr_expect_eq(fx_s.is_preorder, 0);

    fx_stock_row(1, 1, 2, 0, 0, 0);
    of_preorder_stock(&fx_in, &fx_s);
    cr_expect_eq(fx_s.is_preorder, 1);
}

Test(preorder_stock, SUB_PRE_01_external_warehouse_uses_external_stock) {
    fx_s.warehouse_id = 4;
    fx_line(1, 3, 10);
    fx_stock_row(4, 1, 0, 80, 0, 0);
    of_preorder_stock(&fx_in, &fx_s);
    cr_expect_eq(fx_s.is_preorder, 0, "wms_stock_num 80");

    fx_stock_row(4, 1, 80, 1, 0, 0);
    of_preorder_stock(&fx_in, &fx_s);
    cr_expect_eq(fx_s.is_preorder, 1, "stock_num is not the stock of an external warehouse");
}

Test(preorder_stock, SUB_PRE_01_missing_stock_row_reads_zero) {
    fx_line(7, 1, 10);
    of_preorder_stock(&fx_in, &fx_s);
    cr_expect_eq(fx_s.is_preorder, 1);
}

Test(preorder_stock, SUB_PRE_01_preconditions) {
    fx_line(1, 3, 10); /* no stock row: would convert */
    fx_raw.trade_status = 10;
    of_preorder_stock(&fx_in, &fx_s);
    cr_expect_eq(fx_s.is_preorder, 0, "not 30");
    fx_raw.trade_status = 30;

    fx_cat.set.preorder_stockout = 0;
    of_preorder_stock(&fx_in, &fx_s);
    cr_expect_eq(fx_s.is_preorder, 0, "CFG_PREORDER_STOCKOUT off");
    fx_cat.set.preorder_stockout = 1;

    fx_cat.set.preorder = 0;
    of_preorder_stock(&fx_in, &fx_s);
    cr_expect_eq(fx_s.is_preorder, 0, "CFG_PREORDER off");
    fx_cat.set.preorder = 1;

    fx_s.grab = 1;
    of_preorder_stock(&fx_in, &fx_s);
    cr_expect_eq(fx_s.is_preorder, 0, "grab");
    fx_s.grab = 0;

    fx_s.warehouse_id = 0;
    of_preorder_stock(&fx_in, &fx_s);
    cr_expect_eq(fx_s.is_preorder, 0, "no warehouse");

    fx_s.warehouse_id = 4;
    fx_cat.set.auto_external_wh = 1;
    of_preorder_stock(&fx_in, &fx_s);
    cr_expect_eq(fx_s.is_preorder, 0, "auto-transfer to the external warehouse");
    cr_expect(fx_traced("SUB-PRE-01", "skipped", "external=1"));

    fx_cat.set.auto_external_wh = 0;
    of_preorder_stock(&fx_in, &fx_s);
    cr_expect_eq(fx_s.is_preorder, 1, "every precondition holds");
}

Test(preorder_stock, SUB_PRE_01_already_preorder_is_not_converted_again) {
    fx_line(1, 3, 10);
    fx_s.is_preorder = 1;
    snprintf(fx_s.preorder_by, sizeof fx_s.preorder_by, "SUB-CFG-05");
    of_preorder_stock(&fx_in, &fx_s);
    cr_expect_str_eq(fx_s.preorder_by, "SUB-CFG-05");
    cr_expect_eq(fx_s.logs.n, 0);
}
