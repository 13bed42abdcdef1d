/* test_goodsmap.c -- SUB-TYPE-01…-04, INIT-03…-06, I_DL_MAP_TRADE_GOODS (SUB-MAP-01…-26), OP-27 apportioning and
 * SUB-CNT-01/02 over a catalogue mirroring data/sample/catalogue.sql (shop 1 = Taobao flagship). */
#include <criterion/criterion.h>
#include <string.h>
#include "of_api_goods.h"
#include "of_automatch.h"
#include "of_goods.h"
#include "of_money.h"

#define M(x) ((int64_t)(x)*10000) /* whole yuan → money ×1e4 */

/* ---------------------------------------------------------------- catalogue (templates copied per test) */

static const of_spec_t SPECS[] = {
    {.id = 1,
     .goods_id = 1,
     .goods_no = "G-TEA-001",
     .goods_name = "西湖龙井",
     .spec_no = "SKU-TEA-001",
     .spec_code = "LJ250",
     .spec_name = "250g罐装",
     .weight = 3500,
     .volume = M(1500),
     .tax_rate = 900},
    {.id = 2,
     .goods_id = 1,
     .goods_no = "G-TEA-001",
     .goods_name = "西湖龙井",
     .spec_no = "SKU-TEA-002",
     .spec_code = "LJ500",
     .spec_name = "500g礼盒",
     .weight = 7500,
     .volume = M(4500),
     .tax_rate = 900},
    {.id = 3,
     .goods_id = 2,
     .goods_no = "G-TEA-002",
     .goods_name = "安溪铁观音",
     .spec_no = "SKU-TEA-003",
     .spec_code = "TGY250",
     .spec_name = "250g袋装",
     .weight = 3000,
     .volume = M(1440),
     .tax_rate = 900},
    {.id = 4,
     .goods_id = 3,
     .goods_no = "G-TEA-003",
     .goods_name = "云南普洱熟茶",
     .spec_no = "SKU-TEA-004",
     .spec_code = "PE357",
     .spec_name = "357g茶饼",
     .weight = 4500,
     .volume = M(1936),
     .tax_rate = 900},
    {.id = 6,
     .goods_id = 5,
     .goods_no = "G-CUP-001",
     .goods_name = "青花瓷品茗杯",
     .spec_no = "SKU-CUP-001",
     .spec_code = "QHC1",
     .spec_name = "单只装",
     .weight = 1500,
     .volume = M(384),
     .tax_rate = 1300},
    {.id = 7,
     .goods_id = 6,
     .goods_no = "G-CUP-002",
     .goods_name = "宜兴紫砂壶",
     .spec_no = "SKU-CUP-002",
     .spec_code = "ZSH200",
     .spec_name = "200ml西施壶",
     .weight = 4000,
     .volume = M(1800),
     .tax_rate = 1300},
    {.id = 8,
     .goods_id = 7,
     .goods_no = "G-SNK-001",
     .goods_name = "临安手剥山核桃",
     .spec_no = "SKU-SNK-001",
     .spec_code = "SHT500",
     .spec_name = "500g罐装",
     .weight = 6000,
     .volume = M(3136),
     .tax_rate = 900},
    {.id = 9,
     .goods_id = 8,
     .goods_no = "G-SNK-002",
     .goods_name = "内蒙古风干牛肉干",
     .spec_no = "SKU-SNK-002",
     .spec_code = "NRG200",
     .spec_name = "200g原味",
     .weight = 2500,
     .volume = M(1120),
     .tax_rate = 900},
    {.id = 10,
     .goods_id = 8,
     .goods_no = "G-SNK-002",
     .goods_name = "内蒙古风干牛肉干",
     .spec_no = "SKU-SNK-003",
     .spec_code = "NRG400",
     .spec_name = "400g香辣",
     .weight = 4800,
     .volume = M(1920),
     .tax_rate = 900},
    {.id = 13,
     .goods_id = 11,
     .goods_no = "G-OIL-001",
     .goods_name = "江西山茶油",
     .spec_no = "SKU-OIL-001",
     .spec_code = "CY1L",
     .spec_name = "1L瓶装",
     .weight = 10500,
     .volume = M(2268),
     .tax_rate = 900,
     .is_not_use_air = 1},
    {.id = 14,
     .goods_id = 12,
     .goods_no = "G-APP-001",
     .goods_name = "迷你电饭煲",
     .spec_no = "SKU-APP-001",
     .spec_code = "DFB16",
     .spec_name = "1.6L白色",
     .weight = 24000,
     .volume = M(17472),
     .tax_rate = 1300,
     .large_type = 1},
    {.id = 16,
     .goods_id = 14,
     .goods_no = "G-GFT-001",
     .goods_name = "茶叶礼品袋",
     .spec_no = "SKU-GFT-001",
     .spec_code = "LPD-M",
     .spec_name = "中号手提袋",
     .weight = 800,
     .volume = M(7500),
     .tax_rate = 1300,
     .is_zero_cost = 1},
    {.id = 17,
     .goods_id = 15,
     .goods_no = "G-OLD-001",
     .goods_name = "旧款竹茶盘",
     .spec_no = "SKU-OLD-001",
     .spec_code = "CP40",
     .spec_name = "40cm竹茶盘",
     .weight = 12000,
     .volume = M(5000),
     .tax_rate = 1300,
     .deleted = 1},
};

static const of_suite_t SUITES[] = {
    {.id = 1, .suite_no = "SUITE-TEA-GIFT", .name = "龙井品茗礼盒", .is_unsplit = 1, .print_mode = 1},
    {.id = 2, .suite_no = "SUITE-SNK-MIX", .name = "坚果肉干零食组合", .print_mode = 2},
    {.id = 3, .suite_no = "SUITE-TEA-SET", .name = "紫砂品茗套装", .print_mode = 1},
    {.id = 4, .suite_no = "SUITE-OLD-SET", .name = "竹茶盘套装(含停产)", .print_mode = 1},
    {.id = 5, .suite_no = "SUITE-EMPTY", .name = "空套装", .print_mode = 1},
};

static const of_suite_detail_t DETAILS[] = {
    {.suite_id = 1, .spec_id = 1, .num = 2, .amount = M(256), .sort_order = 1},
    {.suite_id = 1, .spec_id = 6, .num = 2, .amount = M(78), .sort_order = 2},
    {.suite_id = 1, .spec_id = 16, .num = 1, .amount = 0, .is_gift = 1, .sort_order = 3},
    {.suite_id = 2, .spec_id = 8, .num = 1, .amount = M(69), .sort_order = 1},
    {.suite_id = 2, .spec_id = 9, .num = 2, .amount = M(98), .sort_order = 2},
    {.suite_id = 3, .spec_id = 7, .num = 1, .amount = M(368), .sort_order = 1},
    {.suite_id = 3, .spec_id = 3, .num = 1, .amount = M(88), .sort_order = 2},
    {.suite_id = 3, .spec_id = 4, .num = 1, .amount = M(158), .sort_order = 3},
    {.suite_id = 4, .spec_id = 17, .num = 1, .amount = M(59), .sort_order = 1},
    {.suite_id = 4, .spec_id = 3, .num = 1, .amount = M(88), .sort_order = 2},
};

#define AG(g, s, gn, sn, t, id)                                                                                        \
    {                                                                                                                  \
        .shop_id = 1, .goods_id = g, .spec_id = s, .goods_no = gn, .spec_no = sn, .match_type = t, .match_id = id,     \
        .status = 1                                                                                                    \
    }
static const of_api_goods_t API_GOODS[] = {
    AG("TB-G1001", "TB-S1001-1", "G-TEA-001", "SKU-TEA-001", OF_MATCH_SPEC, 1),
    AG("TB-G1001", "TB-S1001-2", "G-TEA-001", "SKU-TEA-002", OF_MATCH_SPEC, 2),
    AG("TB-G1002", "TB-S1002-1", "G-TEA-002", "SKU-TEA-003", OF_MATCH_SPEC, 3),
    AG("TB-G1005", "TB-S1005-1", "G-CUP-001", "SKU-CUP-001", OF_MATCH_SPEC, 6),
    AG("TB-G1011", "TB-S1011-1", "G-OIL-001", "SKU-OIL-001", OF_MATCH_SPEC, 13),
    AG("TB-G1012", "TB-S1012-1", "G-APP-001", "SKU-APP-001", OF_MATCH_SPEC, 14),
    AG("TB-G1101", "TB-S1101-1", "SUITE-TEA-GIFT", "SUITE-TEA-GIFT", OF_MATCH_SUITE, 1),
    AG("TB-G1102", "TB-S1102-1", "SUITE-SNK-MIX", "SUITE-SNK-MIX", OF_MATCH_SUITE, 2),
    AG("TB-G1103", "TB-S1103-1", "SUITE-TEA-SET", "SUITE-TEA-SET", OF_MATCH_SUITE, 3),
    AG("TB-G1104", "TB-S1104-1", "SUITE-OLD-SET", "SUITE-OLD-SET", OF_MATCH_SUITE, 4),
    AG("TB-G1105", "TB-S1105-1", "SUITE-EMPTY", "SUITE-EMPTY", OF_MATCH_SUITE, 5),
    AG("TB-G1099", "TB-S1099-1", "G-PRE-099", "SKU-PRE-099", OF_MATCH_NONE, 0),
    AG("TB-G1098", "TB-S1098-1", "G-GONE", "SKU-GONE", OF_MATCH_SPEC, 99),
    AG("TB-G1017", "TB-S1017-1", "G-OLD-001", "SKU-OLD-001", OF_MATCH_SPEC, 17),
};

static const of_category_t CATS[] = {
    {.shop_id = 1, .cid = "121426", .commission_factor = 50000}, /* 0.05 */
    {.shop_id = 1, .cid = "50016", .commission_factor = 50000},
    {.shop_id = 2, .cid = "121426", .commission_factor = 80000},
};

static const of_match_rule_t RULES[] = {
    {.shop_id = 0, .match_key = OF_MK_SPEC_NO, .target_scope = 0, .ignore_case = 1, .trim_space = 1, .priority = 10},
    {.shop_id = 0,
     .match_key = OF_MK_GOODS_SPEC_NO,
     .target_scope = 0,
     .ignore_case = 1,
     .trim_space = 1,
     .priority = 5},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))
static of_spec_t specs[N(SPECS)];
static of_suite_t suites[N(SUITES)];
static of_suite_detail_t details[N(DETAILS)];
static of_api_goods_t api_goods[N(API_GOODS)];
static of_category_t cats[N(CATS)];
static of_match_rule_t rules[8];
static of_catalog_t cat;

static Orderfleet__RawTrade raw;
static Orderfleet__RawSubOrder ro[8];
static Orderfleet__RawSubOrder *rop[8];
static of_subin_t in;
static of_sub_t s;

static void index_cat(void) {
    of_cat_index(&cat);
}

static void setup(void) {
    memcpy(specs, SPECS, sizeof specs);
    memcpy(suites, SUITES, sizeof suites);
    memcpy(details, DETAILS, sizeof details);
    memcpy(api_goods, API_GOODS, sizeof api_goods);
    memcpy(cats, CATS, sizeof cats);
    memcpy(rules, RULES, sizeof RULES);
    memset(&cat, 0, sizeof cat);
    of_settings_defaults(&cat.set);
    cat.specs = specs, cat.nspecs = N(specs);
    cat.suites = suites, cat.nsuites = N(suites);
    cat.suite_details = details, cat.nsuite_details = N(details);
    cat.api_goods = api_goods, cat.napi_goods = N(api_goods);
    cat.cats = cats, cat.ncats = N(cats);
    cat.match_rules = rules, cat.nmatch_rules = N(RULES);
    index_cat();

    orderfleet__raw_trade__init(&raw);
    raw.platform_id = 1;
    raw.shop_no = "tb-flagship";
    raw.tid = "TB1";
    raw.trade_status = 30;
    raw.delivery_term = 1;
    raw.trade_time = "2026-11-20 10:00:00";
    raw.pay_time = "2026-11-20 10:01:00";
    raw.orders = rop;
    raw.n_orders = 0;

    memset(&in, 0, sizeof in);
    in.cat = &cat;
    in.raw = &raw;
    in.raw_id = 7;
    in.shop_id = 1;
    of_sub_init(&s);
}

static void teardown(void) {
    of_sub_free(&s);
}

TestSuite(sub_type, .init = setup, .fini = teardown);
TestSuite(goodsmap_init, .init = setup, .fini = teardown);
TestSuite(sub_map, .init = setup, .fini = teardown);
TestSuite(sub_cnt, .init = setup, .fini = teardown);
TestSuite(apportion);

/* A raw sub-order: fully paid at its share_amount, no postage, platform status 30. */
static Orderfleet__RawSubOrder *add(const char *oid, const char *gid, const char *sid, const char *spec_no, int num,
                                    int64_t share_amount) {
    Orderfleet__RawSubOrder *o = &ro[raw.n_orders];
    orderfleet__raw_sub_order__init(o);
    o->oid = (char *)oid;
    o->goods_id = (char *)gid;
    o->spec_id = (char *)sid;
    o->spec_no = (char *)spec_no;
    o->goods_name = "平台货品名";
    o->spec_name = "平台规格名";
    o->status = 30;
    o->num = num;
    o->price = num ? share_amount / num : 0;
    o->order_price = o->price;
    o->total_amount = share_amount;
    o->share_amount = share_amount;
    o->paid = share_amount;
    o->guarantee_mode = 1;
    rop[raw.n_orders++] = o;
    return o;
}

static int has_log(const char *needle) {
    for (size_t i = 0; i < s.logs.n; i++)
        if (strstr(s.logs.e[i].message, needle)) return 1;
    return 0;
}

/* ================================================================ SUB-TYPE */

Test(sub_type, SUB_TYPE_01_shipped_or_external_is_cancelled) {
    add("O1", "TB-G1001", "TB-S1001-1", "SKU-TEA-001", 1, M(128));
    raw.trade_status = 40;
    cr_expect_eq(of_sub_type(&in, &s), 1);
    cr_expect_eq(s.raw_process_status, OF_PS_CANCELLED);
    cr_expect_str_eq(s.stop_rule, "SUB-TYPE-01");
    cr_expect_eq(s.raw_bad_reason, 0u);
    cr_expect_eq(s.submitted, 0);
}

Test(sub_type, SUB_TYPE_01_OP_13_refunded_80_and_closed_90_cancelled_too) {
    add("O1", "TB-G1001", "TB-S1001-1", "SKU-TEA-001", 1, M(128));
    raw.trade_status = 80;
    cr_expect_eq(of_sub_type(&in, &s), 1);
    cr_expect_eq(s.raw_process_status, OF_PS_CANCELLED);
    of_sub_free(&s);
    of_sub_init(&s);
    raw.trade_status = 90;
    cr_expect_eq(of_sub_type(&in, &s), 1);
    cr_expect_eq(s.raw_process_status, OF_PS_CANCELLED);
}

Test(sub_type, SUB_TYPE_01_external_flow) {
    add("O1", "TB-G1001", "TB-S1001-1", "SKU-TEA-001", 1, M(128));
    raw.is_external = 1;
    cr_expect_eq(of_sub_type(&in, &s), 1);
    cr_expect_str_eq(s.stop_rule, "SUB-TYPE-01");
    cr_expect_eq(s.raw_process_status, OF_PS_CANCELLED);
}

Test(sub_type, SUB_TYPE_01_status_39_goes_on) {
    add("O1", "TB-G1001", "TB-S1001-1", "SKU-TEA-001", 1, M(128));
    raw.trade_status = 30;
    cr_expect_eq(of_sub_type(&in, &s), 0);
    cr_expect_str_eq(s.stop_rule, "");
}

Test(sub_type, SUB_TYPE_02_no_goods_bad_reason_8) {
    cr_expect_eq(of_sub_type(&in, &s), 1);
    cr_expect_str_eq(s.stop_rule, "SUB-TYPE-02");
    cr_expect_eq(s.raw_bad_reason, (uint32_t)OF_BAD_NO_GOODS);
    cr_expect_eq(s.raw_process_status, OF_PS_PENDING, "stays pending with its bad_reason");
}

Test(sub_type, SUB_TYPE_03_non_pbs_is_sealed) {
    add("O1", "TB-G1001", "TB-S1001-1", "SKU-TEA-001", 1, M(128));
    raw.delivery_term = 2;
    cr_expect_eq(of_sub_type(&in, &s), 0);
    cr_expect_eq(s.is_sealed, 1);
    cr_expect_not_null(of_trace_find(&s.trace, "SUB-TYPE-03", "is_sealed"));
    of_sub_free(&s);
    of_sub_init(&s);
    raw.delivery_term = 1;
    cr_expect_eq(of_sub_type(&in, &s), 0);
    cr_expect_eq(s.is_sealed, 0, "pay-before-shipment trades stay splittable");
}

Test(sub_type, SUB_TYPE_04_OP_16_paid_without_pay_time_takes_trade_time) {
    add("O1", "TB-G1001", "TB-S1001-1", "SKU-TEA-001", 1, M(128));
    raw.pay_time = "0000-00-00 00:00:00";
    raw.trade_status = 30;
    cr_expect_eq(of_sub_type(&in, &s), 0);
    cr_expect_eq(s.pay_time, of_time_parse("2026-11-20 10:00:00"));
    of_sub_free(&s);
    of_sub_init(&s);
    raw.pay_time = "";
    raw.trade_status = 20; /* deposit paid counts as paid (OP-16) */
    cr_expect_eq(of_sub_type(&in, &s), 0);
    cr_expect_eq(s.pay_time, of_time_parse("2026-11-20 10:00:00"));
}

Test(sub_type, SUB_TYPE_04_unpaid_or_with_pay_time_untouched) {
    add("O1", "TB-G1001", "TB-S1001-1", "SKU-TEA-001", 1, M(128));
    raw.trade_status = 30;
    cr_expect_eq(of_sub_type(&in, &s), 0);
    cr_expect_eq(s.pay_time, of_time_parse("2026-11-20 10:01:00"), "a real pay time is kept");
    of_sub_free(&s);
    of_sub_init(&s);
    raw.trade_status = 10;
    raw.pay_time = "0000-00-00 00:00:00";
    cr_expect_eq(of_sub_type(&in, &s), 0);
    cr_expect_eq(s.pay_time, 0, "unpaid trade keeps no pay time");
}

/* ================================================================ INIT-03 … INIT-06 */

Test(goodsmap_init, INIT_03_changed_goods_no_or_spec_no_flagged) {
    const of_api_goods_t *gs = of_cat_api_goods(&cat, 1, "TB-G1001", "TB-S1001-1");
    cr_assert_not_null(gs);
    cr_expect_eq(of_api_goods_changed(gs, "G-TEA-001", "SKU-TEA-001"), 0);
    cr_expect_eq(of_api_goods_changed(gs, "G-TEA-001", "SKU-TEA-009"), 1, "spec_no changed");
    cr_expect_eq(of_api_goods_changed(gs, "G-TEA-XXX", "SKU-TEA-001"), 1, "goods_no changed");
    cr_expect_eq(of_api_goods_changed(gs, "G-TEA-001", "sku-tea-001"), 1, "case change is a change");
}

Test(goodsmap_init, INIT_04_OP_07_missing_rows_per_key) {
    add("O1", "TB-G1001", "TB-S1001-1", "SKU-TEA-001", 1, M(128)); /* exists */
    add("O2", "TB-G5000", "TB-S5000-1", "SKU-NEW", 1, M(10));      /* missing */
    add("O3", "", "", "SKU-NOID", 1, M(10));                       /* goods_id '' never inserted */
    add("O4", "TB-G5000", "TB-S5000-1", "SKU-NEW", 2, M(20));      /* same missing key again */
    add("O5", "TB-G5000", "TB-S5000-2", "SKU-NEW2", 1, M(10));     /* other spec of the goods */
    uint8_t miss[5];
    cr_expect_eq(of_api_goods_missing(&cat, 1, &raw, miss), 2u, "two distinct keys to insert");
    cr_expect_eq(miss[0], 0);
    cr_expect_eq(miss[1], 1);
    cr_expect_eq(miss[2], 0);
    cr_expect_eq(miss[3], 1);
    cr_expect_eq(miss[4], 1);
    cr_expect_eq(of_api_goods_missing(&cat, 2, &raw, miss), 3u, "another shop has none of them");
}

Test(goodsmap_init, INIT_04_goods_map_reports_rows_without_platform_goods) {
    add("O1", "TB-G1001", "TB-S1001-1", "SKU-TEA-001", 1, M(128));
    add("O2", "TB-G5000", "TB-S5000-1", "SKU-NEW", 1, M(10));
    cr_expect_eq(of_goods_map(&in, &s), 1);
    cr_expect_eq(s.rawo_no_api_goods[0], 0);
    cr_expect_eq(s.rawo_no_api_goods[1], 1, "row to insert into api_goods_spec (SUB-MAP-10a)");
    cr_expect_eq(s.rawo_invalid[1], 1);
}

Test(goodsmap_init, INIT_05_candidates) {
    cr_expect_eq(of_automatch_candidate(1, 0, 1), 1, "changed, automatic, on sale");
    cr_expect_eq(of_automatch_candidate(0, 0, 1), 0, "unchanged");
    cr_expect_eq(of_automatch_candidate(1, 1, 1), 0, "manual match");
    cr_expect_eq(of_automatch_candidate(1, 0, 0), 0, "deleted");
    cr_expect_eq(of_automatch_candidate(4, 0, 2), 1, "any modify_flag bit, off shelf is not deleted");
}

Test(goodsmap_init, INIT_06_OP_09_spec_no_rule_spec_then_suite) {
    of_match_t m;
    cr_expect_eq(of_automatch(&cat, 1, "", "SKU-TEA-003", &m), OF_MATCH_SPEC);
    cr_expect_eq(m.id, 3u);
    cr_expect_str_eq(m.code, "SKU-TEA-003");
    cr_expect_eq(m.match_key, OF_MK_SPEC_NO);
    cr_expect_eq(of_automatch(&cat, 1, "x", "SUITE-TEA-SET", &m), OF_MATCH_SUITE);
    cr_expect_eq(m.id, 3u);
    cr_expect_str_eq(m.code, "SUITE-TEA-SET");
}

Test(goodsmap_init, INIT_06_ignore_case_and_trim_space) {
    of_match_t m;
    cr_expect_eq(of_automatch(&cat, 1, "", "  sku-tea-004 ", &m), OF_MATCH_SPEC);
    cr_expect_eq(m.id, 4u);
    rules[0].ignore_case = 0;
    rules[0].trim_space = 0;
    rules[1].ignore_case = 0;
    rules[1].trim_space = 0;
    cr_expect_eq(of_automatch(&cat, 1, "", "  sku-tea-004 ", &m), OF_MATCH_NONE);
    cr_expect_eq(of_automatch(&cat, 1, "", " SKU-TEA-004", &m), OF_MATCH_NONE, "no trimming");
    cr_expect_eq(of_automatch(&cat, 1, "", "SKU-TEA-004", &m), OF_MATCH_SPEC);
}

Test(goodsmap_init, INIT_06_goods_no_plus_spec_no_rule) {
    cat.nmatch_rules = 1;
    rules[0] = (of_match_rule_t){.match_key = OF_MK_GOODS_SPEC_NO, .ignore_case = 1, .trim_space = 1};
    of_match_t m;
    cr_expect_eq(of_automatch(&cat, 1, "G-TEA-001", "SKU-TEA-002", &m), OF_MATCH_SPEC);
    cr_expect_eq(m.id, 2u);
    cr_expect_eq(of_automatch(&cat, 1, "G-TEA-002", "SKU-TEA-002", &m), OF_MATCH_NONE, "goods_no must agree");
    cr_expect_eq(of_automatch(&cat, 1, "", "SKU-TEA-002", &m), OF_MATCH_NONE, "both codes needed");
    cr_expect_eq(of_automatch(&cat, 1, "whatever", "SUITE-SNK-MIX", &m), OF_MATCH_SUITE, "suites: suite_no = spec_no");
}

Test(goodsmap_init, INIT_06_goods_no_rule_needs_a_single_spec_goods) {
    cat.nmatch_rules = 1;
    rules[0] = (of_match_rule_t){.match_key = OF_MK_GOODS_NO, .target_scope = 0};
    of_match_t m;
    cr_expect_eq(of_automatch(&cat, 1, "G-TEA-002", "anything", &m), OF_MATCH_SPEC);
    cr_expect_eq(m.id, 3u);
    cr_expect_eq(of_automatch(&cat, 1, "G-SNK-002", "", &m), OF_MATCH_NONE, "two specs: ambiguous");
    cr_assert_eq(specs[8].id, 10u, "sorted by id: index 8 = spec 10");
    specs[8].deleted = 1;
    cr_expect_eq(of_automatch(&cat, 1, "G-SNK-002", "", &m), OF_MATCH_SPEC, "one non-deleted spec left");
    cr_expect_eq(m.id, 9u);
}

Test(goodsmap_init, INIT_06_scope_suites_only_and_specs_only) {
    cat.nmatch_rules = 1;
    rules[0] = (of_match_rule_t){.match_key = OF_MK_SPEC_NO, .target_scope = 2};
    of_match_t m;
    cr_expect_eq(of_automatch(&cat, 1, "", "SKU-TEA-001", &m), OF_MATCH_NONE, "suites only");
    cr_expect_eq(of_automatch(&cat, 1, "", "SUITE-TEA-GIFT", &m), OF_MATCH_SUITE);
    rules[0].target_scope = 1;
    cr_expect_eq(of_automatch(&cat, 1, "", "SUITE-TEA-GIFT", &m), OF_MATCH_NONE, "specs only");
}

Test(goodsmap_init, INIT_06_priority_and_shop_rules) {
    /* shop 2's rule (goods_no) at priority 20 beats the global spec_no rule for shop 2 only */
    rules[2] = (of_match_rule_t){.shop_id = 2, .match_key = OF_MK_GOODS_NO, .priority = 20};
    cat.nmatch_rules = 3;
    index_cat();
    of_match_t m;
    cr_expect_eq(of_automatch(&cat, 2, "G-TEA-002", "SKU-TEA-004", &m), OF_MATCH_SPEC);
    cr_expect_eq(m.id, 3u, "shop rule (goods_no) first");
    cr_expect_eq(m.match_key, OF_MK_GOODS_NO);
    cr_expect_eq(of_automatch(&cat, 1, "G-TEA-002", "SKU-TEA-004", &m), OF_MATCH_SPEC);
    cr_expect_eq(m.id, 4u, "shop 1 uses the global spec_no rule");
    /* equal priority: the shop's own rule goes before the all-shops rule */
    rules[2].priority = 10;
    index_cat();
    cr_expect_eq(of_automatch(&cat, 2, "G-TEA-002", "SKU-TEA-004", &m), OF_MATCH_SPEC);
    cr_expect_eq(m.id, 3u);
}

Test(goodsmap_init, INIT_06_OP_09_no_match_and_deleted_targets) {
    of_match_t m;
    cr_expect_eq(of_automatch(&cat, 1, "G-PRE-099", "SKU-PRE-099", &m), OF_MATCH_NONE);
    cr_expect_eq(m.id, 0u);
    cr_expect_str_eq(m.code, "", "match fields cleared");
    cr_expect_eq(of_automatch(&cat, 1, "G-OLD-001", "SKU-OLD-001", &m), OF_MATCH_NONE, "deleted spec");
    cr_expect_eq(of_automatch(&cat, 1, "", "   ", &m), OF_MATCH_NONE, "blank code matches nothing");
}

Test(goodsmap_init, INIT_06_no_rule_configured_uses_schema_default) {
    cat.nmatch_rules = 0;
    of_match_t m;
    cr_expect_eq(of_automatch(&cat, 1, "", " sku-cup-001 ", &m), OF_MATCH_SPEC);
    cr_expect_eq(m.id, 6u);
    /* a rule for another shop only: shop 1 still has none → default */
    rules[0] = (of_match_rule_t){.shop_id = 2, .match_key = OF_MK_GOODS_NO};
    cat.nmatch_rules = 1;
    cr_expect_eq(of_automatch(&cat, 1, "", "SKU-CUP-001", &m), OF_MATCH_SPEC);
    cr_expect_eq(of_automatch(&cat, 2, "", "SKU-CUP-001", &m), OF_MATCH_NONE, "shop 2 has its own rule");
}

/* ================================================================ OP-27 of_money_apportion */

Test(apportion, OP_27_rounds_to_cents_last_takes_remainder) {
    int64_t w[3] = {M(368), M(88), M(158)}, out[3];
    of_money_apportion(M(568), w, 3, out);
    cr_expect_eq(out[0], 3404300); /* 340.4299… → 340.43 */
    cr_expect_eq(out[1], 814100);  /* 81.4071… → 81.41 */
    cr_expect_eq(out[2], 1461600); /* remainder (exact 146.1628…) */
    cr_expect_eq(out[0] + out[1] + out[2], M(568));
}

Test(apportion, OP_27_zero_weights_equal_parts_and_negative_totals) {
    int64_t w[3] = {0, 0, 0}, out[3];
    of_money_apportion(M(10), w, 3, out);
    cr_expect_eq(out[0], 33300);
    cr_expect_eq(out[1], 33300);
    cr_expect_eq(out[2], 33400);
    int64_t w2[2] = {1, 2}, o2[2];
    of_money_apportion(-M(1), w2, 2, o2); /* −0.3333… → −0.33 (half away from zero), rest −0.67 */
    cr_expect_eq(o2[0], -3300);
    cr_expect_eq(o2[1], -6700);
    int64_t w3[2] = {1, 1}, o3[2];
    of_money_apportion(50, w3, 2, o3); /* 0.0025 each → 0.00, last 0.005 */
    cr_expect_eq(o3[0], 0);
    cr_expect_eq(o3[1], 50);
}

Test(apportion, OP_27_sum_is_exact_for_many_values) {
    int64_t w[4] = {7, 13, 0, 29}, out[4];
    for (int64_t t = -123457; t < 3000000; t += 99991) {
        of_money_apportion(t, w, 4, out);
        cr_expect_eq(out[0] + out[1] + out[2] + out[3], t);
        cr_expect_eq(out[2], 0, "a zero weight gets nothing but the remainder rule");
        cr_expect_eq(out[0] % 100, 0, "rounded to 2 decimals");
    }
    int64_t one = 9, o1;
    of_money_apportion(12345, &one, 1, &o1);
    cr_expect_eq(o1, 12345, "a single part is the total");
}

/* ================================================================ SUB-MAP */

Test(sub_map, SUB_MAP_01_call_maps_every_line_and_returns_counts) {
    add("O1", "TB-G1001", "TB-S1001-1", "SKU-TEA-001", 2, M(256));
    add("O2", "TB-G1005", "TB-S1005-1", "SKU-CUP-001", 1, M(39));
    cr_expect_eq(of_goods_map(&in, &s), 0);
    cr_expect_eq(s.nlines, 2u);
    cr_expect_eq(s.map_goods_count, 3);
    cr_expect_eq(s.map_goods_type_count, 2);
    cr_expect_str_eq(s.stop_rule, "");
    cr_expect_eq(s.raw_bad_reason, 0u);
    cr_assert_not_null(s.rawo_invalid);
    cr_expect_eq(s.rawo_invalid[0] + s.rawo_invalid[1], 0);
}

Test(sub_map, SUB_MAP_02_line_carries_every_tmp_column) {
    Orderfleet__RawSubOrder *o = add("O1", "TB-G1011", "TB-S1011-1", "SKU-OIL-001", 2, M(276));
    o->bind_oid = "B9";
    o->cid = "121426";
    o->goods_name = "江西赣南山茶油 冷榨茶籽油";
    o->spec_name = "1L瓶装";
    o->guarantee_mode = 2;
    o->price = M(138);
    o->order_price = M(138);
    o->adjust = M(1);
    o->discount = M(2);
    cr_assert_eq(of_goods_map(&in, &s), 0);
    const of_line_t *l = &s.lines[0];
    cr_expect_eq(l->raw_index, 0u);
    cr_expect_eq(l->spec_id, 13u);
    cr_expect_str_eq(l->src_oid, "O1");
    cr_expect_str_eq(l->src_tid, "TB1");
    cr_expect_str_eq(l->bind_oid, "B9");
    cr_expect_str_eq(l->api_goods_id, "TB-G1011");
    cr_expect_str_eq(l->api_spec_id, "TB-S1011-1");
    cr_expect_eq(l->guarantee_mode, 2);
    cr_expect_str_eq(l->goods_name, "江西山茶油");
    cr_expect_str_eq(l->goods_no, "G-OIL-001");
    cr_expect_str_eq(l->spec_name, "1L瓶装");
    cr_expect_str_eq(l->spec_no, "SKU-OIL-001");
    cr_expect_str_eq(l->spec_code, "CY1L");
    cr_expect_str_eq(l->api_goods_name, "江西赣南山茶油 冷榨茶籽油");
    cr_expect_str_eq(l->api_spec_name, "1L瓶装");
    cr_expect_str_eq(l->cid, "121426");
    cr_expect_eq(l->weight, 10500);
    cr_expect_eq(l->volume, M(2268));
    cr_expect_eq(l->tax_rate, 900);
    cr_expect_eq(l->is_not_use_air, 1);
    cr_expect_eq(l->price, M(138));
    cr_expect_eq(l->order_price, M(138));
    cr_expect_eq(l->paid, M(276));
    cr_expect_eq(l->adjust, M(1));
    cr_expect_eq(l->suite_id, 0u);
}

Test(sub_map, SUB_MAP_03_header_values_from_raw) {
    add("O1", "TB-G1001", "TB-S1001-1", "SKU-TEA-001", 1, M(128));
    raw.tid = "TB-HEADER";
    raw.delivery_term = 2;
    cr_assert_eq(of_goods_map(&in, &s), 0);
    cr_expect_str_eq(s.lines[0].src_tid, "TB-HEADER");
    const of_trace_entry_t *t = of_trace_find(&s.trace, "SUB-MAP-03", "header");
    cr_assert_not_null(t);
    cr_expect(strstr(t->value, "platform 1") && strstr(t->value, "tid TB-HEADER"), "%s", t->value);
}

Test(sub_map, SUB_MAP_04_OP_20_zero_quantity_fails_with_bit_1) {
    add("O1", "TB-G1001", "TB-S1001-1", "SKU-TEA-001", 1, M(128));
    add("O2", "TB-G1005", "TB-S1005-1", "SKU-CUP-001", 0, 0);
    cr_expect_eq(of_goods_map(&in, &s), 1);
    cr_expect_str_eq(s.stop_rule, "SUB-MAP-04");
    cr_expect_eq(s.raw_bad_reason, (uint32_t)OF_BAD_GOODS);
    cr_expect_eq(s.raw_process_status, OF_PS_PENDING);
    cr_expect(has_log("货品数量为0"), "the log tells zero quantity from invalid goods");
    cr_expect(!has_log("无效货品"));
    cr_expect_eq(s.rawo_invalid[0] + s.rawo_invalid[1], 0, "not invalid goods");
}

Test(sub_map, SUB_MAP_05_OP_21_counts_raw_rows_before_suite_expansion) {
    add("O1", "TB-G1103", "TB-S1103-1", "SUITE-TEA-SET", 2, M(1136)); /* 3 components */
    Orderfleet__RawSubOrder *o = add("O2", "TB-G1001", "TB-S1001-1", "SKU-TEA-001", 1, M(128));
    o->status = 80; /* refunded rows count too */
    cr_assert_eq(of_goods_map(&in, &s), 0);
    cr_expect_eq(s.map_goods_count, 3);
    cr_expect_eq(s.map_goods_type_count, 2);
    cr_expect_eq(s.nlines, 4u);
}

Test(sub_map, SUB_MAP_06_offline_by_spec_no) {
    raw.platform_id = 0;
    Orderfleet__RawSubOrder *o = add("O1", "", "", "SKU-TEA-003", 1, M(88));
    o->cid = "121426";
    add("O2", "", "", "SUITE-SNK-MIX", 1, M(149));
    cr_assert_eq(of_goods_map(&in, &s), 0);
    cr_expect_eq(s.lines[0].spec_id, 3u);
    cr_expect_eq(s.lines[0].commission, 0, "commission is online only (SUB-MAP-07)");
    cr_expect_eq(s.lines[1].suite_id, 2u, "a suite's merchant code is its suite_no");
    cr_expect_eq(s.nlines, 3u);
}

Test(sub_map, SUB_MAP_06_offline_unknown_spec_no_is_invalid) {
    raw.platform_id = 0;
    add("O1", "", "", "SKU-TEA-003", 1, M(88));
    add("O2", "", "", "SKU-NOPE", 1, M(10));
    add("O3", "", "", "SKU-OLD-001", 1, M(10)); /* deleted spec */
    cr_expect_eq(of_goods_map(&in, &s), 1);
    cr_expect_str_eq(s.stop_rule, "SUB-MAP-06");
    cr_expect_eq(s.rawo_invalid[0], 0);
    cr_expect_eq(s.rawo_invalid[1], 1);
    cr_expect_eq(s.rawo_invalid[2], 1);
    cr_expect_eq(s.rawo_no_api_goods[1], 0, "offline: no platform goods to insert");
    cr_expect(has_log("订单包含无效货品"));
}

Test(sub_map, SUB_MAP_07_commission_is_share_amount_times_factor) {
    Orderfleet__RawSubOrder *o = add("O1", "TB-G1001", "TB-S1001-1", "SKU-TEA-001", 2, M(256));
    o->cid = "121426"; /* 0.05 in shop 1 */
    Orderfleet__RawSubOrder *p = add("O2", "TB-G1005", "TB-S1005-1", "SKU-CUP-001", 1, 333333);
    p->cid = "50016";
    Orderfleet__RawSubOrder *q = add("O3", "TB-G1002", "TB-S1002-1", "SKU-TEA-003", 1, M(88));
    q->cid = "99999"; /* unknown category */
    cr_assert_eq(of_goods_map(&in, &s), 0);
    cr_expect_eq(s.lines[0].commission, 128000, "256.00 × 0.05 = 12.80");
    cr_expect_eq(s.lines[1].commission, 16667, "33.3333 × 0.05 = 1.666665 → 1.6667");
    cr_expect_eq(s.lines[2].commission, 0);
    cr_expect_not_null(of_trace_find(&s.trace, "SUB-MAP-07", "commission_factor"));
}

Test(sub_map, SUB_MAP_08_stored_match_then_dynamic_match) {
    /* the platform row TB-S1001-2 is matched to spec 2; the raw sub-order says SKU-TEA-001 */
    add("O1", "TB-G1001", "TB-S1001-2", "SKU-TEA-001", 1, M(128));
    cr_assert_eq(of_goods_map(&in, &s), 0);
    cr_expect_eq(s.lines[0].spec_id, 2u, "stored match");
    of_sub_free(&s);
    of_sub_init(&s);
    cat.set.dynamic_match = 1;
    cr_assert_eq(of_goods_map(&in, &s), 0);
    cr_expect_eq(s.lines[0].spec_id, 1u, "dynamic: auto-match rule on the raw spec_no");
    const of_trace_entry_t *t = of_trace_find(&s.trace, "SUB-MAP-08", "match");
    cr_assert_not_null(t);
    cr_expect(strstr(t->value, "dynamic"), "%s", t->value);
    of_sub_free(&s);
    of_sub_init(&s);
    ((of_api_goods_t *)of_cat_api_goods(&cat, 1, "TB-G1001", "TB-S1001-2"))->is_manual_match = 1;
    cr_assert_eq(of_goods_map(&in, &s), 0);
    cr_expect_eq(s.lines[0].spec_id, 2u, "manual matches are never re-derived");
}

Test(sub_map, SUB_MAP_09_unmatched_platform_goods_invalid_and_logged) {
    add("O1", "TB-G1099", "TB-S1099-1", "SKU-PRE-099", 1, M(199));
    cr_expect_eq(of_goods_map(&in, &s), 1);
    cr_expect_str_eq(s.stop_rule, "SUB-MAP-09");
    cr_expect_eq(s.raw_bad_reason, (uint32_t)OF_BAD_GOODS);
    cr_expect_eq(s.rawo_invalid[0], 1);
    cr_expect_eq(s.rawo_no_api_goods[0], 0, "the row exists, it is only unmatched");
    cr_expect(has_log("订单包含无效货品"));
    cr_expect_eq(s.submitted, 0);
}

Test(sub_map, SUB_MAP_10a_marks_every_invalid_row_of_the_trade) {
    add("O1", "TB-G1001", "TB-S1001-1", "SKU-TEA-001", 1, M(128));   /* valid */
    add("O2", "TB-G1099", "TB-S1099-1", "SKU-PRE-099", 1, M(199));   /* unmatched: the cursor stops here */
    add("O3", "TB-G7777", "TB-S7777-1", "SKU-X", 1, M(1));           /* no platform goods */
    add("O4", "TB-G1104", "TB-S1104-1", "SUITE-OLD-SET", 1, M(139)); /* suite with a deleted spec */
    cr_expect_eq(of_goods_map(&in, &s), 1);
    cr_expect_str_eq(s.stop_rule, "SUB-MAP-09");
    cr_expect_eq(s.rawo_invalid[0], 0);
    cr_expect_eq(s.rawo_invalid[1], 1);
    cr_expect_eq(s.rawo_invalid[2], 1);
    cr_expect_eq(s.rawo_invalid[3], 1);
    cr_expect_eq(s.rawo_no_api_goods[2], 1);
    cr_expect_eq(s.rawo_no_api_goods[1] + s.rawo_no_api_goods[3], 0);
}

Test(sub_map, SUB_MAP_10b_OP_22_dynamic_match_without_result_is_invalid) {
    cat.set.dynamic_match = 1;
    /* stored match to spec 1 exists, but the raw spec_no finds nothing by the rule */
    add("O1", "TB-G1001", "TB-S1001-1", "SKU-RENAMED", 1, M(128));
    cr_expect_eq(of_goods_map(&in, &s), 1);
    cr_expect_str_eq(s.stop_rule, "SUB-MAP-10");
    cr_expect_eq(s.rawo_invalid[0], 1);
    cr_expect_eq(s.raw_bad_reason, (uint32_t)OF_BAD_GOODS);
    cr_expect(has_log("订单包含无效货品"));
}

Test(sub_map, SUB_MAP_10c_suite_with_deleted_component_is_invalid) {
    add("O1", "TB-G1104", "TB-S1104-1", "SUITE-OLD-SET", 1, M(139));
    cr_expect_eq(of_goods_map(&in, &s), 1);
    cr_expect_str_eq(s.stop_rule, "SUB-MAP-10");
    cr_expect_eq(s.rawo_invalid[0], 1);
    cr_expect(has_log("包含无效组合装"));
    cr_expect_eq(s.nlines, 0u);
}

Test(sub_map, SUB_MAP_10d_bad_reason_bit_1_is_ored) {
    s.raw_bad_reason = OF_BAD_COUNT; /* a bit from earlier in the run is kept (OP-14) */
    add("O1", "TB-G1099", "TB-S1099-1", "SKU-PRE-099", 1, M(199));
    cr_expect_eq(of_goods_map(&in, &s), 1);
    cr_expect_eq(s.raw_bad_reason, (uint32_t)(OF_BAD_GOODS | OF_BAD_COUNT));
}

Test(sub_map, SUB_MAP_11_refunded_or_closed_sub_order_is_5) {
    Orderfleet__RawSubOrder *a = add("O1", "TB-G1001", "TB-S1001-1", "SKU-TEA-001", 1, M(128));
    a->status = 80;
    a->refund_status = 2;
    Orderfleet__RawSubOrder *b = add("O2", "TB-G1005", "TB-S1005-1", "SKU-CUP-001", 1, M(39));
    b->status = 90;
    Orderfleet__RawSubOrder *c = add("O3", "TB-G1002", "TB-S1002-1", "SKU-TEA-003", 1, M(88));
    c->refund_status = 2;
    cr_assert_eq(of_goods_map(&in, &s), 0);
    cr_expect_eq(s.lines[0].refund_status, 5);
    cr_expect_eq(s.lines[1].refund_status, 5);
    cr_expect_eq(s.lines[2].refund_status, 2, "otherwise the sub-order's refund_status");
}

Test(sub_map, SUB_MAP_12_OP_23_refund_occur_is_the_maximum) {
    Orderfleet__RawSubOrder *a = add("O1", "TB-G1001", "TB-S1001-1", "SKU-TEA-001", 1, M(128));
    a->refund_status = 3;
    Orderfleet__RawSubOrder *b = add("O2", "TB-G1005", "TB-S1005-1", "SKU-CUP-001", 1, M(39));
    b->refund_status = 2; /* the last line does not overwrite */
    cr_assert_eq(of_goods_map(&in, &s), 0);
    cr_expect_eq(s.refund_occur, 3);
    of_sub_free(&s);
    of_sub_init(&s);
    a->refund_status = 1;
    b->refund_status = 0;
    cr_assert_eq(of_goods_map(&in, &s), 0);
    cr_expect_eq(s.refund_occur, 0, "1 (refund cancelled) is not > 1");
}

Test(sub_map, SUB_MAP_13_single_spec_missing_or_deleted_is_invalid) {
    add("O1", "TB-G1098", "TB-S1098-1", "SKU-GONE", 1, M(1)); /* matched to spec 99: absent */
    cr_expect_eq(of_goods_map(&in, &s), 1);
    cr_expect_str_eq(s.stop_rule, "SUB-MAP-13");
    cr_expect(has_log("包含无效货品"));
    cr_expect_eq(s.rawo_invalid[0], 1);
    of_sub_free(&s);
    of_sub_init(&s);
    raw.n_orders = 0;
    add("O1", "TB-G1017", "TB-S1017-1", "SKU-OLD-001", 1, M(1)); /* matched to deleted spec 17 */
    cr_expect_eq(of_goods_map(&in, &s), 1);
    cr_expect_str_eq(s.stop_rule, "SUB-MAP-13");
    cr_expect_eq(s.raw_bad_reason, (uint32_t)OF_BAD_GOODS, "bit 1 set, so the trade is not retried blindly");
}

Test(sub_map, SUB_MAP_13_single_spec_data) {
    add("O1", "TB-G1012", "TB-S1012-1", "SKU-APP-001", 1, M(199));
    cr_assert_eq(of_goods_map(&in, &s), 0);
    const of_line_t *l = &s.lines[0];
    cr_expect_str_eq(l->goods_name, "迷你电饭煲");
    cr_expect_str_eq(l->spec_code, "DFB16");
    cr_expect_eq(l->weight, 24000);
    cr_expect_eq(l->volume, M(17472));
    cr_expect_eq(l->tax_rate, 1300);
    cr_expect_eq(l->large_type, 1);
    cr_expect_eq(l->is_zero_cost, 0);
}

Test(sub_map, SUB_MAP_14_fully_paid_line_becomes_pbs) {
    raw.delivery_term = 2;
    Orderfleet__RawSubOrder *a = add("O1", "TB-G1001", "TB-S1001-1", "SKU-TEA-001", 1, M(128));
    a->share_post = M(10);
    a->paid = M(138); /* = 128 + 10 */
    Orderfleet__RawSubOrder *b = add("O2", "TB-G1005", "TB-S1005-1", "SKU-CUP-001", 1, M(39));
    b->share_post = M(1);
    b->paid = M(39); /* < 39 + 1 */
    cr_assert_eq(of_goods_map(&in, &s), 0);
    cr_expect_eq(s.lines[0].delivery_term, 1);
    cr_expect_eq(s.lines[1].delivery_term, 2, "not fully paid: the trade's delivery_term");
    cr_expect_not_null(of_trace_find(&s.trace, "SUB-MAP-14", "delivery_term"));
}

Test(sub_map, SUB_MAP_14_OP_24_suite_line_tested_before_expansion) {
    raw.delivery_term = 2;
    add("O1", "TB-G1103", "TB-S1103-1", "SUITE-TEA-SET", 1, M(568)); /* paid = share_amount, no post */
    cr_assert_eq(of_goods_map(&in, &s), 0);
    cr_assert_eq(s.nlines, 3u);
    for (size_t i = 0; i < 3; i++)
        cr_expect_eq(s.lines[i].delivery_term, 1, "components inherit");
}

Test(sub_map, SUB_MAP_15_share_price_is_share_amount_over_num) {
    add("O1", "TB-G1001", "TB-S1001-1", "SKU-TEA-001", 3, M(100));
    add("O2", "TB-G1005", "TB-S1005-1", "SKU-CUP-001", 3, M(20));
    cr_assert_eq(of_goods_map(&in, &s), 0);
    cr_expect_eq(s.lines[0].share_price, 333333, "100 / 3 = 33.3333");
    cr_expect_eq(s.lines[1].share_price, 66667, "20 / 3 = 6.66666… → 6.6667 (half away from zero)");
}

Test(sub_map, SUB_MAP_16_OP_25_actual_num_and_discount) {
    Orderfleet__RawSubOrder *a = add("O1", "TB-G1001", "TB-S1001-1", "SKU-TEA-001", 2, M(256));
    a->discount = M(5);
    a->adjust = M(2);
    a->share_discount = M(3);
    a->refund_status = 2; /* applied: still ships */
    Orderfleet__RawSubOrder *b = add("O2", "TB-G1005", "TB-S1005-1", "SKU-CUP-001", 4, M(156));
    b->refund_status = 3; /* waiting for return: not shipped */
    cr_assert_eq(of_goods_map(&in, &s), 0);
    cr_expect_eq(s.lines[0].actual_num, 2);
    cr_expect_eq(s.lines[0].discount, M(6), "5 − 2 + 3 (share_discount, OP-25)");
    cr_expect_eq(s.lines[1].num, 4);
    cr_expect_eq(s.lines[1].actual_num, 0, "refund_status > 2");
}

Test(sub_map, SUB_MAP_17_OP_26_main_line_not_refunded_largest_amount) {
    Orderfleet__RawSubOrder *a = add("O1", "TB-G1001", "TB-S1001-1", "SKU-TEA-001", 1, M(500));
    a->status = 80; /* largest but refunded */
    add("O2", "TB-G1005", "TB-S1005-1", "SKU-CUP-001", 1, M(80));
    add("O3", "TB-G1002", "TB-S1002-1", "SKU-TEA-003", 1, M(88));
    add("O4", "TB-G1011", "TB-S1011-1", "SKU-OIL-001", 1, M(88)); /* tie: the first stays */
    cr_assert_eq(of_goods_map(&in, &s), 0);
    cr_expect_eq(s.main_line, 2u);
    cr_expect_str_eq(s.lines[s.main_line].src_oid, "O3");
}

Test(sub_map, SUB_MAP_17_OP_26_every_line_refunded_takes_largest) {
    Orderfleet__RawSubOrder *a = add("O1", "TB-G1001", "TB-S1001-1", "SKU-TEA-001", 1, M(50));
    a->refund_status = 5;
    Orderfleet__RawSubOrder *b = add("O2", "TB-G1005", "TB-S1005-1", "SKU-CUP-001", 1, M(80));
    b->refund_status = 3;
    cr_assert_eq(of_goods_map(&in, &s), 0);
    cr_expect_str_eq(s.lines[s.main_line].src_oid, "O2");
}

Test(sub_map, SUB_MAP_18_suite_missing_or_deleted_is_invalid) {
    add("O1", "TB-G1103", "TB-S1103-1", "SUITE-TEA-SET", 1, M(568));
    suites[2].deleted = 1; /* suite 3 */
    cr_expect_eq(of_goods_map(&in, &s), 1);
    cr_expect_str_eq(s.stop_rule, "SUB-MAP-18");
    cr_expect(has_log("包含无效组合装"));
    cr_expect_eq(s.rawo_invalid[0], 1);
    of_sub_free(&s);
    of_sub_init(&s);
    suites[2].deleted = 0;
    ((of_api_goods_t *)of_cat_api_goods(&cat, 1, "TB-G1103", "TB-S1103-1"))->match_id = 77;
    cr_expect_eq(of_goods_map(&in, &s), 1);
    cr_expect_str_eq(s.stop_rule, "SUB-MAP-18");
}

Test(sub_map, SUB_MAP_19_print_mode_not_details_is_unsplittable) {
    add("O1", "TB-G1102", "TB-S1102-1", "SUITE-SNK-MIX", 1, M(149)); /* is_unsplit 0, print_mode 2 */
    add("O2", "TB-G1103", "TB-S1103-1", "SUITE-TEA-SET", 1, M(568)); /* is_unsplit 0, print_mode 1 */
    cr_assert_eq(of_goods_map(&in, &s), 0);
    cr_assert_eq(s.nlines, 5u);
    cr_expect_str_eq(s.lines[0].bind_oid, "O1");
    cr_expect_str_eq(s.lines[1].bind_oid, "O1");
    for (size_t i = 2; i < 5; i++)
        cr_expect_str_eq(s.lines[i].bind_oid, "", "splittable suite: components stay unbound");
}

Test(sub_map, SUB_MAP_20_unsplittable_suite_binds_its_components) {
    add("O1", "TB-G1101", "TB-S1101-1", "SUITE-TEA-GIFT", 1, M(298)); /* is_unsplit 1 */
    Orderfleet__RawSubOrder *b = add("O2", "TB-G1101", "TB-S1101-1", "SUITE-TEA-GIFT", 1, M(298));
    b->bind_oid = "PLATFORM-BIND"; /* a bind_oid from the platform is kept */
    cr_assert_eq(of_goods_map(&in, &s), 0);
    cr_assert_eq(s.nlines, 6u);
    for (size_t i = 0; i < 3; i++) {
        cr_expect_str_eq(s.lines[i].bind_oid, "O1");
        cr_expect_str_eq(s.lines[i + 3].bind_oid, "PLATFORM-BIND");
    }
}

Test(sub_map, SUB_MAP_21_suite_without_components_is_invalid) {
    add("O1", "TB-G1105", "TB-S1105-1", "SUITE-EMPTY", 1, M(10));
    cr_expect_eq(of_goods_map(&in, &s), 1);
    cr_expect_str_eq(s.stop_rule, "SUB-MAP-21");
    cr_expect(has_log("组合装不包含货品"));
    cr_expect_eq(s.rawo_invalid[0], 1);
    cr_expect_eq(s.raw_bad_reason, (uint32_t)OF_BAD_GOODS);
}

/* The worked example of OP-27: SUITE-TEA-SET (壶 368.00, 铁观音 88.00, 普洱 158.00; Σ 614.00) sold for 568.00
 * with 10.00 postage and 6.00 discount. Each value is split by amount, rounded to cents; the last component
 * takes the remainder, so every sum equals the suite value exactly. */
Test(sub_map, SUB_MAP_22_OP_27_worked_example_remainder_to_last) {
    Orderfleet__RawSubOrder *o = add("O1", "TB-G1103", "TB-S1103-1", "SUITE-TEA-SET", 1, M(568));
    o->share_post = M(10);
    o->paid = M(578);
    o->discount = M(6);
    o->price = M(600);
    o->order_price = M(568);
    cr_assert_eq(of_goods_map(&in, &s), 0);
    cr_assert_eq(s.nlines, 3u);
    const of_line_t *l = s.lines;
    /* share_amount: 340.4299… → 340.43, 81.4071… → 81.41, last 568 − 421.84 = 146.16 */
    cr_expect_eq(l[0].share_amount, 3404300);
    cr_expect_eq(l[1].share_amount, 814100);
    cr_expect_eq(l[2].share_amount, 1461600);
    /* share_post: 5.9934… → 5.99, 1.4332… → 1.43, last 2.58 (its own share would round to 2.57) */
    cr_expect_eq(l[0].share_post, 59900);
    cr_expect_eq(l[1].share_post, 14300);
    cr_expect_eq(l[2].share_post, 25800);
    /* paid 578: 346.4234… → 346.42, 82.8403… → 82.84, last 148.74 */
    cr_expect_eq(l[0].paid, 3464200);
    cr_expect_eq(l[1].paid, 828400);
    cr_expect_eq(l[2].paid, 1487400);
    /* discount 6: 3.5960… → 3.60, 0.8599… → 0.86, last 1.54 */
    cr_expect_eq(l[0].discount, 36000);
    cr_expect_eq(l[1].discount, 8600);
    cr_expect_eq(l[2].discount, 15400);
    int64_t sa = 0, sp = 0, pd = 0, dc = 0, op = 0;
    for (size_t i = 0; i < 3; i++) {
        sa += l[i].share_amount;
        sp += l[i].share_post;
        pd += l[i].paid;
        dc += l[i].discount;
        op += l[i].order_price * l[i].num;
        cr_expect_eq(l[i].share_price, l[i].share_amount, "num 1: share_price = share_amount");
    }
    cr_expect_eq(sa, M(568));
    cr_expect_eq(sp, M(10));
    cr_expect_eq(pd, M(578));
    cr_expect_eq(dc, M(6));
    cr_expect_eq(op, M(568), "order_price (deal price) apportioned the same way");
    cr_expect_not_null(of_trace_find(&s.trace, "SUB-MAP-22", "apportion"));
}

Test(sub_map, SUB_MAP_22_OP_27_quantity_weights_when_amounts_are_zero) {
    details[3].amount = 0; /* suite 2: 山核桃 ×1, 牛肉干 ×2 */
    details[4].amount = 0;
    add("O1", "TB-G1102", "TB-S1102-1", "SUITE-SNK-MIX", 1, M(149));
    cr_assert_eq(of_goods_map(&in, &s), 0);
    cr_expect_eq(s.lines[0].share_amount, 496700, "149 × 1/3 = 49.6666… → 49.67");
    cr_expect_eq(s.lines[1].share_amount, 993300, "remainder 99.33");
}

Test(sub_map, SUB_MAP_23_component_rows) {
    Orderfleet__RawSubOrder *o = add("O1", "TB-G1101", "TB-S1101-1", "SUITE-TEA-GIFT", 2, M(596));
    o->refund_status = 3;
    o->cid = "121426";
    cr_assert_eq(of_goods_map(&in, &s), 0);
    cr_assert_eq(s.nlines, 3u);
    const of_line_t *l = s.lines;
    cr_expect_eq(l[0].spec_id, 1u);
    cr_expect_eq(l[1].spec_id, 6u);
    cr_expect_eq(l[2].spec_id, 16u);
    cr_expect_eq(l[0].num, 4, "suite num 2 × component 2");
    cr_expect_eq(l[2].num, 2);
    for (size_t i = 0; i < 3; i++) {
        cr_expect_eq(l[i].suite_id, 1u);
        cr_expect_str_eq(l[i].suite_no, "SUITE-TEA-GIFT");
        cr_expect_str_eq(l[i].suite_name, "龙井品茗礼盒");
        cr_expect_eq(l[i].suite_num, 2);
        cr_expect_eq(l[i].actual_num, 0, "refund_status 3 applies to every component");
        cr_expect_eq(l[i].refund_status, 3);
        cr_expect_str_eq(l[i].src_oid, "O1");
        cr_expect_str_eq(l[i].api_goods_id, "TB-G1101");
        cr_expect_eq(l[i].raw_index, 0u);
        cr_expect_eq(l[i].commission, (l[i].share_amount * 50000 + 500000) / 1000000);
    }
    cr_expect_str_eq(l[0].spec_no, "SKU-TEA-001");
    cr_expect_str_eq(l[1].goods_name, "青花瓷品茗杯");
    cr_expect_eq(l[2].gift_type, 1, "the bag is a gift");
    cr_expect_eq(l[2].is_zero_cost, 1);
    cr_expect_eq(l[2].share_amount, 0, "amount 0: no share, remainder 0");
    cr_expect_eq(l[0].share_amount + l[1].share_amount + l[2].share_amount, M(596));
    cr_expect_eq(l[0].share_amount, 4568100, "596 × 256/334 = 456.8143… → 456.81");
    cr_expect_eq(l[1].share_amount, 1391900, "596 × 78/334 = 139.1856… → 139.19");
    cr_expect_eq(l[0].share_price, 1142025, "456.81 / 4");
}

Test(sub_map, SUB_MAP_24_exactly_one_main_line) {
    add("O1", "TB-G1001", "TB-S1001-1", "SKU-TEA-001", 1, M(128));
    add("O2", "TB-G1103", "TB-S1103-1", "SUITE-TEA-SET", 1, M(568)); /* component 340.43 is the largest */
    add("O3", "TB-G1005", "TB-S1005-1", "SKU-CUP-001", 1, M(39));
    cr_assert_eq(of_goods_map(&in, &s), 0);
    int mains = 0;
    for (size_t i = 0; i < s.nlines; i++)
        mains += s.lines[i].is_main;
    cr_expect_eq(mains, 1);
    cr_expect_eq(s.main_line, 1u);
    cr_expect_eq(s.lines[1].is_main, 1);
    cr_expect_eq(s.lines[1].spec_id, 7u);
    cr_expect_not_null(of_trace_find(&s.trace, "SUB-MAP-24", "main_line"));
}

Test(sub_map, SUB_MAP_25_existing_system_order_is_the_mod_path) {
    cr_skip_test("SUB-MAP-25 (system trade id ≠ 0: STO rows generated directly from TMP) is owned by the MOD path "
                 "(MOD-T1-04); of_goods_map is the submission call I_DL_MAP_TRADE_GOODS(0, RAW, 1) and has no "
                 "trade-id argument. Its pure part, the TMP lines, is what SUB-MAP-01…-24 test.");
}

Test(sub_map, SUB_MAP_26_failure_exits_with_raw_pending) {
    add("O1", "TB-G1001", "TB-S1001-1", "SKU-TEA-001", 1, M(128));
    add("O2", "TB-G1099", "TB-S1099-1", "SKU-PRE-099", 1, M(199));
    add("O3", "TB-G1005", "TB-S1005-1", "SKU-CUP-001", 1, M(39));
    cr_expect_eq(of_goods_map(&in, &s), 1);
    cr_expect_eq(s.submitted, 0);
    cr_expect_eq(s.raw_process_status, OF_PS_PENDING, "RAW stays 待递交");
    cr_expect_eq(s.raw_bad_reason, (uint32_t)OF_BAD_GOODS);
    cr_expect_neq(s.stop_reason[0], '\0');
    cr_expect_not_null(of_trace_find(&s.trace, "SUB-MAP-26", "exit"));
    cr_expect_eq(s.map_goods_type_count, 2, "the cursor stopped at the second row");
}

/* ================================================================ SUB-CNT */

Test(sub_cnt, SUB_CNT_01_count_mismatch_bad_reason_2) {
    add("O1", "TB-G1001", "TB-S1001-1", "SKU-TEA-001", 2, M(256));
    add("O2", "TB-G1005", "TB-S1005-1", "SKU-CUP-001", 1, M(39));
    raw.goods_count = 3;
    raw.goods_type_count = 2;
    cr_assert_eq(of_goods_map(&in, &s), 0);
    cr_expect_eq(of_goods_count_check(&in, &s), 0);
    cr_expect_eq(s.raw_bad_reason, 0u);
    raw.goods_count = 4;
    cr_expect_eq(of_goods_count_check(&in, &s), 1);
    cr_expect_str_eq(s.stop_rule, "SUB-CNT-01");
    cr_expect_eq(s.raw_bad_reason, (uint32_t)OF_BAD_COUNT);
    cr_expect(has_log("订单货品数量不一致"));
    of_sub_free(&s);
    of_sub_init(&s);
    raw.goods_count = 3;
    raw.goods_type_count = 1; /* kind count differs */
    cr_assert_eq(of_goods_map(&in, &s), 0);
    cr_expect_eq(of_goods_count_check(&in, &s), 1);
}

Test(sub_cnt, SUB_CNT_02_OP_28_negative_wms_type_is_0) {
    add("O1", "TB-G1001", "TB-S1001-1", "SKU-TEA-001", 1, M(128));
    raw.goods_count = 1;
    raw.goods_type_count = 1;
    raw.wms_type = -1;
    cr_assert_eq(of_goods_map(&in, &s), 0);
    cr_expect_eq(of_goods_count_check(&in, &s), 0);
    cr_expect_eq(s.wms_type, 0);
    raw.wms_type = 2;
    cr_expect_eq(of_goods_count_check(&in, &s), 0);
    cr_expect_eq(s.wms_type, 2);
}

/* ================================================================ issue 10 item 2: no wrapping quantities or amounts
 */

static void expect_overflow_stop(const char *rule) {
    cr_expect_eq(of_goods_map(&in, &s), 1, "the mapping stops instead of wrapping");
    cr_expect_str_eq(s.stop_rule, rule);
    cr_expect_eq(s.submitted, 0);
    cr_expect_eq(s.raw_bad_reason, (uint32_t)OF_BAD_GOODS);
    cr_expect_eq(s.raw_process_status, OF_PS_PENDING, "the raw trade stays pending, visible with its reason");
    cr_expect(strstr(s.stop_reason, "数量或金额溢出") != NULL, "reason: %s", s.stop_reason);
    cr_expect(has_log("数量或金额溢出"));
}

Test(sub_map, issue10_2_SUB_MAP_23_suite_quantity_times_component_quantity_overflow_stops) {
    /* SUITE-TEA-GIFT has 2 teas: 1 200 000 000 × 2 > INT_MAX (the UBSan abort of the issue, of_goodsmap.c:458) */
    add("O1", "TB-G1101", "TB-S1101-1", "SUITE-TEA-GIFT", 1200000000, M(298));
    expect_overflow_stop("SUB-MAP-23");
    cr_expect(strstr(s.stop_reason, "oid O1") != NULL, "%s", s.stop_reason);
    cr_expect_eq(s.nlines, 0u, "no line with a wrapped quantity");
}

Test(sub_map, issue10_2_SUB_MAP_23_validated_limit_expands_without_overflow) {
    /* OF_RT_MAX_NUM = 10^6 × the catalogue's component quantities: far inside int */
    add("O1", "TB-G1101", "TB-S1101-1", "SUITE-TEA-GIFT", 1000000, M(298));
    cr_assert_eq(of_goods_map(&in, &s), 0, "%s", s.stop_reason);
    cr_assert_eq(s.nlines, 3u);
    cr_expect_eq(s.lines[0].num, 2000000);
    cr_expect_eq(s.lines[2].num, 1000000);
    cr_expect_eq(s.map_goods_count, 1000000);
}

Test(sub_map, issue10_2_SUB_MAP_23_sum_of_expanded_quantities_past_int_stops) {
    /* each line fits, their sum (SUB-AGG-01 adds them into an int) does not */
    details[0].num = 1100000000; /* a catalogue value validation does not bound */
    add("O1", "TB-G1101", "TB-S1101-1", "SUITE-TEA-GIFT", 1, M(298));
    add("O2", "TB-G1101", "TB-S1101-1", "SUITE-TEA-GIFT", 1, M(298));
    expect_overflow_stop("SUB-MAP-23");
    cr_expect(strstr(s.stop_reason, "oid O2") != NULL, "%s", s.stop_reason);
}

Test(sub_map, issue10_2_SUB_MAP_05_goods_count_overflow_stops) {
    add("O1", "TB-G1001", "TB-S1001-1", "SKU-TEA-001", 2000000000, M(128));
    add("O2", "TB-G1005", "TB-S1005-1", "SKU-CUP-001", 2000000000, M(39));
    expect_overflow_stop("SUB-MAP-05");
    cr_expect(strstr(s.stop_reason, "oid O2") != NULL, "%s", s.stop_reason);
}

Test(sub_map, issue10_2_SUB_MAP_22_price_times_quantity_overflow_stops) {
    /* the release build stored −922337203685184.1809-like amounts from this product */
    Orderfleet__RawSubOrder *o = add("O1", "TB-G1101", "TB-S1101-1", "SUITE-TEA-GIFT", 5000, M(298));
    o->price = M(200000000000LL); /* 2·10^15 × 5000 = 10^19 > INT64_MAX */
    expect_overflow_stop("SUB-MAP-22");
}

Test(sub_map, issue10_2_SUB_MAP_21_catalogue_suite_totals_overflow_stops) {
    details[0].amount = INT64_MAX; /* Σ component amounts of SUITE-TEA-GIFT past int64 */
    add("O1", "TB-G1101", "TB-S1101-1", "SUITE-TEA-GIFT", 1, M(298));
    expect_overflow_stop("SUB-MAP-21");
}

Test(sub_map, issue10_2_SUB_MAP_16_line_discount_overflow_stops) {
    Orderfleet__RawSubOrder *o = add("O1", "TB-G1001", "TB-S1001-1", "SKU-TEA-001", 1, M(128));
    o->discount = INT64_MAX;
    o->adjust = -1; /* discount − adjust + share_discount > INT64_MAX */
    expect_overflow_stop("SUB-MAP-16");
}
