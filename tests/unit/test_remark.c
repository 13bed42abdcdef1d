/* test_remark.c -- CS-remark extraction (SUB-CFG-02, OP-29) and client-remark extraction (SUB-CFG-04). */
#include <criterion/criterion.h>
#include "fixture_wh.h"
#include "of_remark.h"

TestSuite(remark, .init = fx_setup, .fini = fx_teardown);

static of_remark_out_t cs(uint64_t shop, const char *remark) {
    of_remark_out_t o;
    memset(&o, 0xAB, sizeof o); /* must be zeroed by the extraction */
    of_remark_extract_cs(&fx_cat, shop, remark, &o, &fx_s.trace);
    return o;
}

static of_remark_out_t client(uint64_t shop, const char *remark) {
    of_remark_out_t o;
    memset(&o, 0xAB, sizeof o);
    of_remark_extract_client(&fx_cat, shop, remark, &o, &fx_s.trace);
    return o;
}

Test(remark, SUB_CFG_02_empty_or_blank_remark_extracts_nothing) {
    of_remark_out_t z = {0};
    of_remark_out_t o = cs(1, "");
    cr_expect_eq(memcmp(&o, &z, sizeof o), 0);
    o = cs(1, " \t\xE3\x80\x80 ");
    cr_expect_eq(memcmp(&o, &z, sizeof o), 0);
    o = cs(1, NULL);
    cr_expect_eq(memcmp(&o, &z, sizeof o), 0);
}

Test(remark, SUB_CFG_02_salesman_by_prefix_and_suffix) {
    of_remark_out_t o = cs(1, "请尽快发货 业务员:王强; 谢谢");
    cr_expect_eq(o.salesman_id, 2);
    cr_expect(fx_traced("SUB-CFG-02", "salesman", "王强"));
}

Test(remark, SUB_CFG_02_trim_full_width_spaces) {
    /* full-width spaces (U+3000) around the remark and around the name are trimmed */
    of_remark_out_t o = cs(1, "\xE3\x80\x80\xE3\x80\x80业务员:\xE3\x80\x80李娜 \xE3\x80\x80;\xE3\x80\x80");
    cr_expect_eq(o.salesman_id, 1);
    /* no suffix in the remark: the name runs to the end of the (trimmed) remark */
    o = cs(1, "业务员: 张敏\xE3\x80\x80 \t");
    cr_expect_eq(o.salesman_id, 3);
}

Test(remark, SUB_CFG_02_salesman_must_name_an_employee) {
    of_remark_out_t o = cs(1, "业务员:路人甲;");
    cr_expect_eq(o.salesman_id, 0);
    cr_expect(fx_traced("SUB-CFG-02", "salesman_unknown", "路人甲"));
    /* a later occurrence of the prefix that names an employee is used */
    o = cs(1, "业务员:路人甲; 业务员:李娜;");
    cr_expect_eq(o.salesman_id, 1);
}

Test(remark, SUB_CFG_02_OP29_keyword_substring_matches) {
    of_remark_out_t o = cs(1, "请用顺丰快递发出");
    cr_expect_eq(o.logistics_id, 1);
    cr_expect(fx_traced("SUB-CFG-02", "logistics", "顺丰"));
    o = cs(1, "顺 丰"); /* not a substring */
    cr_expect_eq(o.logistics_id, 0);
}

Test(remark, SUB_CFG_02_OP29_first_match_per_kind_newest_first) {
    /* 加急 (flag 1) is newer than 送礼物 (flag 2): it wins whatever the order in the remark */
    of_remark_out_t o = cs(1, "送礼物, 加急");
    cr_expect_eq(o.flag_id, 1);
    cr_expect(fx_traced("SUB-CFG-02", "ignored", "送礼物"));
    /* 顺丰 (logistics 1) is newer than 中通 (logistics 2) */
    o = cs(1, "中通或者顺丰");
    cr_expect_eq(o.logistics_id, 1);
    /* 北京仓 (warehouse 3) is newer than 广州仓发 (warehouse 2) */
    o = cs(1, "广州仓发, 不行就北京仓");
    cr_expect_eq(o.warehouse_id, 3);
}

Test(remark, SUB_CFG_02_every_output_kind) {
    of_remark_out_t o = cs(1, "北京仓 暂不发货 预售 顺丰 加急 找王强");
    cr_expect_eq(o.warehouse_id, 3);
    cr_expect_eq(o.freeze_reason, 1);
    cr_expect_eq(o.preorder, 1);
    cr_expect_eq(o.logistics_id, 1);
    cr_expect_eq(o.flag_id, 1);
    cr_expect_eq(o.salesman_id, 2, "strategy salesman when no prefix/suffix salesman");
}

Test(remark, SUB_CFG_02_OP29_prefix_salesman_beats_strategy_salesman) {
    of_remark_out_t o = cs(1, "找王强 业务员:李娜;");
    cr_expect_eq(o.salesman_id, 1);
    cr_expect(fx_traced("SUB-CFG-02", "ignored", "找王强"));
}

Test(remark, SUB_CFG_02_shop_strategy_and_shop_zero) {
    /* 京东专享 is a strategy of shop 2 only; shop 0 strategies apply to every shop */
    of_remark_out_t o = cs(2, "京东专享 顺丰");
    cr_expect_eq(o.flag_id, 3);
    cr_expect_eq(o.logistics_id, 1);
    o = cs(1, "京东专享 顺丰");
    cr_expect_eq(o.flag_id, 0);
    cr_expect_eq(o.logistics_id, 1);
}

Test(remark, SUB_CFG_02_class_2_strategies_are_not_used) {
    of_remark_out_t o = cs(1, "送人 先别发 发北京");
    cr_expect_eq(o.flag_id, 0);
    cr_expect_eq(o.freeze_reason, 0);
    cr_expect_eq(o.warehouse_id, 0);
}

Test(remark, SUB_CFG_04_client_remark_flag_warehouse_freeze) {
    of_remark_out_t o = client(1, "  送人的, 发北京, 先别发  ");
    cr_expect_eq(o.flag_id, 2);
    cr_expect_eq(o.warehouse_id, 3);
    cr_expect_eq(o.freeze_reason, 2);
    cr_expect(fx_traced("SUB-CFG-04", "warehouse", "发北京"));
}

Test(remark, SUB_CFG_04_client_remark_other_kinds_ignored) {
    /* class-2 rows of logistics, salesman and pre-order exist but are not outputs of SUB-CFG-04; the salesman
     * prefix/suffix applies to the CS remark only; class-1 rows (北京仓, 加急) are not used */
    of_remark_out_t o = client(1, "顺丰 找王强 预售 业务员:李娜; 北京仓 加急");
    cr_expect_eq(o.logistics_id, 0);
    cr_expect_eq(o.salesman_id, 0);
    cr_expect_eq(o.preorder, 0);
    cr_expect_eq(o.warehouse_id, 0);
    cr_expect_eq(o.flag_id, 0);
    cr_expect(fx_traced("SUB-CFG-04", "ignored", "顺丰"));
}
