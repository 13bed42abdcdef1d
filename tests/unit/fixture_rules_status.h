/* fixture_rules_status.h -- a small catalogue (mirroring data/sample/catalogue.sql), a raw trade and the
 * submission state shared by test_status.c, test_package.c and test_logistics.c. Test code only. */
#ifndef FIXTURE_RULES_STATUS_H
#define FIXTURE_RULES_STATUS_H
#include <stdio.h>
#include <string.h>
#include "of_sub.h"

#define FX_KG(x) ((int64_t)((x)*10000 + ((x) >= 0 ? 0.5 : -0.5))) /* kg / money → ×1e4 */

typedef struct {
    of_catalog_t cat;
    of_shop_t shops[3];
    of_warehouse_t whs[4];
    of_logistics_t logis[6];
    of_shop_logi_t shop_logis[4];
    of_logi_strategy_t logi_strategies[8];
    of_logi_area_t logi_areas[6];
    of_logi_fee_t logi_fees[8];
    of_area_alias_t aliases[6];
    of_package_t packages[4];
    of_package_strategy_t pkg_strategies[6];
    Orderfleet__RawTrade raw;
    of_stockview_t stock;
    of_sibling_t sibs[8];
    of_subin_t in;
    of_sub_t s;
} fx_t;

static inline void fx_init(fx_t *f) {
    memset(f, 0, sizeof *f);
    of_settings_defaults(&f->cat.set);
    /* cfg_logistics 1..6 of the sample: SF, ZTO, EMS (COD), YTO, NOTRACK (type 1), ESB (type 4) */
    static const of_logistics_t logis[6] = {
        {.id = 1, .no = "SF", .name = "顺丰速运", .type = OF_LT_EXPRESS, .sort_order = 10},
        {.id = 2, .no = "ZTO", .name = "中通快递", .type = OF_LT_EXPRESS, .sort_order = 20},
        {.id = 3, .no = "EMS", .name = "中国邮政EMS", .type = OF_LT_EXPRESS, .supports_cod = 1, .sort_order = 30},
        {.id = 4, .no = "YTO", .name = "圆通速递", .type = OF_LT_EXPRESS, .sort_order = 40},
        {.id = 5, .no = "NOTRACK", .name = "无单号物流(抢单)", .type = OF_LT_NO_TRACKING, .sort_order = 90},
        {.id = 6, .no = "ESB", .name = "E速宝", .type = OF_LT_ESB, .sort_order = 80}};
    memcpy(f->logis, logis, sizeof logis);
    static const of_warehouse_t whs[4] = {
        {.id = 1, .no = "SH-01", .name = "上海仓", .priority = 30, .cod_logistics_id = 3},
        {.id = 2, .no = "GZ-01", .name = "广州仓", .priority = 20, .cod_logistics_id = 3},
        {.id = 3, .no = "BJ-01", .name = "北京仓", .priority = 10},
        {.id = 4, .no = "WMS-CN-01", .name = "菜鸟物流宝仓(嘉兴)", .wms_type = 1, .is_external = 1, .priority = 5}};
    memcpy(f->whs, whs, sizeof whs);
    static const of_shop_t shops[3] = {{.id = 1, .platform_id = 1, .shop_no = "tb-flagship", .grab_logistics_id = 5},
                                       {.id = 2, .platform_id = 2, .shop_no = "jd-store", .cod_logistics_id = 3},
                                       {.id = 3, .platform_id = 3, .shop_no = "pdd-outlet", .is_grab = 1}};
    memcpy(f->shops, shops, sizeof shops);
    f->cat.logis = f->logis;
    f->cat.nlogis = 6;
    f->cat.whs = f->whs;
    f->cat.nwhs = 4;
    f->cat.shops = f->shops;
    f->cat.nshops = 3;
    f->cat.shop_logis = f->shop_logis;
    f->cat.logi_strategies = f->logi_strategies;
    f->cat.logi_areas = f->logi_areas;
    f->cat.logi_fees = f->logi_fees;
    f->cat.aliases = f->aliases;
    f->cat.packages = f->packages;
    f->cat.pkg_strategies = f->pkg_strategies;
    of_cat_index(&f->cat);

    orderfleet__raw_trade__init(&f->raw);
    f->raw.platform_id = 1;
    f->raw.shop_no = "tb-flagship";
    f->raw.tid = "TB1";
    f->raw.trade_status = 30;
    f->raw.delivery_term = 1;
    f->raw.trade_time = "2026-11-20 10:00:00";
    f->raw.pay_time = "2026-11-20 10:01:00";
    f->raw.receiver_province = "上海";
    f->raw.receiver_city = "上海市";
    f->raw.receiver_district = "浦东新区";

    f->in.cat = &f->cat;
    f->in.raw = &f->raw;
    f->in.raw_id = 1;
    f->in.shop_id = 1;
    f->in.now = of_time_parse("2026-11-20 12:00:00");
    f->in.siblings = f->sibs;
    f->in.stock = &f->stock;
    of_sub_init(&f->s);
    f->s.pay_time = of_time_parse(f->raw.pay_time);
}

/* Re-sort after a test changed catalogue arrays or counts. */
static inline void fx_index(fx_t *f) {
    of_cat_index(&f->cat);
}

static inline of_line_t *fx_line(fx_t *f, uint64_t spec_id, const char *spec_no, int actual_num, int refund_status) {
    of_line_t *l = of_sub_add_line(&f->s);
    if (!l) return NULL;
    l->spec_id = spec_id;
    snprintf(l->spec_no, sizeof l->spec_no, "%s", spec_no);
    l->num = actual_num;
    l->actual_num = actual_num;
    l->refund_status = refund_status;
    l->delivery_term = 1;
    return l;
}

static inline void fx_fini(fx_t *f) {
    of_sub_free(&f->s);
    of_stock_free(&f->stock);
}

/* Whether a log line of this rule contains needle. */
static inline int fx_has_log(const of_sub_t *s, const char *rule, const char *needle) {
    for (size_t i = 0; i < s->logs.n; i++)
        if (!strcmp(s->logs.e[i].rule, rule) && strstr(s->logs.e[i].message, needle)) return 1;
    return 0;
}

#endif
