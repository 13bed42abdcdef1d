/* fixture_wh.h -- a hand-built catalogue mirroring data/sample/catalogue.sql (warehouses, coverage, shops, shop
 * warehouses, goods designations, remark / salesman / pre-order strategies), a raw trade, TMP lines and stock rows,
 * for test_remark.c, test_preorder.c and test_warehouse.c. Every test runs in its own process (Criterion), so a test
 * may change the arrays freely. */
#ifndef FIXTURE_WH_H
#define FIXTURE_WH_H
#include <string.h>
#include "of_catalog.h"
#include "of_money.h"
#include "of_stock.h"
#include "of_sub.h"

#define FX_UNUSED __attribute__((unused))
#define FX_MONEY(units) ((int64_t)(units)*OF_MONEY_SCALE)

/* id, no, name, wms_type, is_external, is_express, priority, province, city, district, cod_logistics_id */
static of_warehouse_t fx_whs[] FX_UNUSED = {
    {1, "SH-01", "上海仓", OF_WMS_OWN, 0, 0, 30, "上海", "上海市", "浦东新区", 3},
    {2, "GZ-01", "广州仓", OF_WMS_OWN, 0, 0, 20, "广东省", "广州市", "白云区", 3},
    {3, "BJ-01", "北京仓", OF_WMS_OWN, 0, 1, 10, "北京", "北京市", "大兴区", 0},
    {4, "WMS-CN-01", "菜鸟物流宝仓(嘉兴)", OF_WMS_LOGISTICS_BAO, 1, 0, 5, "浙江省", "嘉兴市", "南湖区", 0},
};

static of_wh_area_t fx_areas[] FX_UNUSED = {
    {1, "上海", "", ""},   {1, "江苏省", "", ""},       {1, "浙江省", "", ""},
    {2, "广东省", "", ""}, {2, "福建省", "", ""},       {3, "北京", "", ""},
    {3, "河北省", "", ""}, {3, "陕西省", "西安市", ""}, {4, "浙江省", "", ""},
};

/* id, platform_id, shop_no, name, is_preorder, is_grab, is_split_merge, is_goods_wh, cod, grab logistics */
static of_shop_t fx_shops[] FX_UNUSED = {
    {1, 1, "tb-flagship", "茗香天猫旗舰店", 0, 0, 1, 1, 0, 5},
    {2, 2, "jd-store", "茗香京东专卖店", 0, 0, 1, 1, 3, 0},
    {3, 3, "pdd-outlet", "茗香拼多多折扣店", 0, 1, 0, 0, 0, 5},
    {4, 1, "tb-nowh", "无指定仓库店", 0, 0, 0, 0, 0, 0},
};

/* shop, warehouse, priority */
static of_shop_wh_t fx_shop_whs[] FX_UNUSED = {
    {1, 1, 30}, {1, 2, 20}, {1, 3, 10}, {2, 3, 20}, {2, 1, 10}, {3, 2, 10},
};

/* shop, spec, warehouse, mode, logistics, priority */
static of_spec_wh_t fx_spec_whs[] FX_UNUSED = {
    {1, 15, 2, OF_SWH_WAREHOUSE, 0, 10},
    {2, 13, 3, OF_SWH_ADDRESS, 6, 10},
    {2, 13, 1, OF_SWH_ADDRESS, 6, 5},
};

static of_employee_t fx_employees[] FX_UNUSED = {{1, "李娜"}, {2, "王强"}, {3, "张敏"}};

static of_salesman_rule_t fx_salesman[] FX_UNUSED = {{"业务员:", ";"}};

/* newest first (OP-29): klass, keyword, target_type, target_id, shop_id */
static of_remark_rule_t fx_remark_rules[] FX_UNUSED = {
    {2, "先别发", OF_RX_FREEZE, 2, 0},      {2, "发北京", OF_RX_WAREHOUSE, 3, 0}, {2, "送人", OF_RX_FLAG, 2, 0},
    {2, "送礼物", OF_RX_FLAG, 2, 0},        {2, "顺丰", OF_RX_LOGISTICS, 1, 0},   {2, "找王强", OF_RX_SALESMAN, 2, 0},
    {2, "预售", OF_RX_PREORDER, 0, 0},      {1, "京东专享", OF_RX_FLAG, 3, 2},    {1, "找王强", OF_RX_SALESMAN, 2, 0},
    {1, "加急", OF_RX_FLAG, 1, 0},          {1, "预售", OF_RX_PREORDER, 0, 0},    {1, "暂不发货", OF_RX_FREEZE, 1, 0},
    {1, "北京仓", OF_RX_WAREHOUSE, 3, 0},   {1, "送礼物", OF_RX_FLAG, 2, 0},      {1, "顺丰", OF_RX_LOGISTICS, 1, 0},
    {1, "广州仓发", OF_RX_WAREHOUSE, 2, 0}, {1, "中通", OF_RX_LOGISTICS, 2, 0},
};

/* shop, goods keyword, spec keyword */
static of_preorder_kw_t fx_preorder_kws[] FX_UNUSED = {
    {0, "预售", ""},
    {1, "普洱", "357g"},
    {0, "", "预约款"},
};

static of_catalog_t fx_cat FX_UNUSED;
static Orderfleet__RawTrade fx_raw FX_UNUSED;
static of_stockview_t fx_stock FX_UNUSED;
static of_sub_t fx_s FX_UNUSED;
static of_subin_t fx_in FX_UNUSED;

#define FX_ARR(field, arr)                                                                                             \
    do {                                                                                                               \
        fx_cat.field = arr;                                                                                            \
        fx_cat.n##field = sizeof arr / sizeof arr[0];                                                                  \
    } while (0)

static FX_UNUSED void fx_setup(void) {
    memset(&fx_cat, 0, sizeof fx_cat);
    of_settings_defaults(&fx_cat.set);
    fx_cat.whs = fx_whs;
    fx_cat.nwhs = sizeof fx_whs / sizeof fx_whs[0];
    fx_cat.wh_areas = fx_areas;
    fx_cat.nwh_areas = sizeof fx_areas / sizeof fx_areas[0];
    FX_ARR(shops, fx_shops);
    FX_ARR(shop_whs, fx_shop_whs);
    FX_ARR(spec_whs, fx_spec_whs);
    FX_ARR(employees, fx_employees);
    fx_cat.salesman_rules = fx_salesman;
    fx_cat.nsalesman_rules = sizeof fx_salesman / sizeof fx_salesman[0];
    FX_ARR(remark_rules, fx_remark_rules);
    fx_cat.preorder_kws = fx_preorder_kws;
    fx_cat.npreorder_kws = sizeof fx_preorder_kws / sizeof fx_preorder_kws[0];
    of_cat_index(&fx_cat);

    orderfleet__raw_trade__init(&fx_raw);
    fx_raw.tid = "T1";
    fx_raw.trade_status = 30;
    fx_raw.receiver_province = "上海";
    fx_raw.receiver_city = "上海市";
    fx_raw.receiver_district = "浦东新区";

    memset(&fx_stock, 0, sizeof fx_stock);
    of_sub_init(&fx_s);
    memset(&fx_in, 0, sizeof fx_in);
    fx_in.cat = &fx_cat;
    fx_in.raw = &fx_raw;
    fx_in.shop_id = 1;
    fx_in.stock = &fx_stock;
}

static FX_UNUSED void fx_teardown(void) {
    of_sub_free(&fx_s);
    of_stock_free(&fx_stock);
}

/* Append a TMP line: spec, actual_num, share_price in whole currency units. */
static FX_UNUSED of_line_t *fx_line(uint64_t spec_id, int actual_num, int64_t price_units) {
    of_line_t *l = of_sub_add_line(&fx_s);
    if (!l) return NULL;
    l->spec_id = spec_id;
    l->num = actual_num;
    l->actual_num = actual_num;
    l->share_price = FX_MONEY(price_units);
    return l;
}

/* Put a stock row. */
static FX_UNUSED void fx_stock_row(uint64_t wh, uint64_t spec, int stock_num, int wms_stock_num, int sending_num,
                                   int order_num) {
    of_stock_row_t r = {.warehouse_id = wh,
                        .spec_id = spec,
                        .stock_num = stock_num,
                        .wms_stock_num = wms_stock_num,
                        .sending_num = sending_num,
                        .order_num = order_num};
    of_stock_put(&fx_stock, &r);
}

/* Does any trace entry of rule (NULL = any) and key (NULL = any) contain text? */
static FX_UNUSED int fx_traced(const char *rule, const char *key, const char *text) {
    for (size_t i = 0; i < fx_s.trace.n; i++) {
        const of_trace_entry_t *e = &fx_s.trace.e[i];
        if ((!rule || !strcmp(e->rule, rule)) && (!key || !strcmp(e->key, key)) && strstr(e->value, text)) return 1;
    }
    return 0;
}

/* Does any order log line of rule contain text? Returns its type, 0 when none. */
static FX_UNUSED int fx_logged(const char *rule, const char *text) {
    for (size_t i = 0; i < fx_s.logs.n; i++)
        if (!strcmp(fx_s.logs.e[i].rule, rule) && strstr(fx_s.logs.e[i].message, text)) return fx_s.logs.e[i].type;
    return 0;
}

#endif
