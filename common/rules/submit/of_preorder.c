/* of_preorder.c -- shop strategies, remark extraction, pre-order and grab decisions (SUB-CFG-01…-06) and the
 * insufficient-stock pre-order (SUB-PRE-01). Pure. */
#include "of_preorder.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "of_remark.h"

static const char *str(const char *s) {
    return s ? s : "";
}

/* Convert the trade to a pre-order: V_IsPreOrder = 1, preorder_by, trace and order log (why: printf format). */
static void convert(of_sub_t *s, const char *rule, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void convert(of_sub_t *s, const char *rule, const char *fmt, ...) {
    char why[sizeof s->logs.e->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    s->is_preorder = 1;
    snprintf(s->preorder_by, sizeof s->preorder_by, "%s", rule);
    of_trace_add(&s->trace, rule, "preorder", "V_IsPreOrder = 1: %s", why);
    of_logs_add(&s->logs, OF_LOG_STATUS, rule, "%s", why);
}

/* SUB-CFG-05: does a keyword strategy match a line? Only a goods keyword → substring of api_goods_name; only a spec
 * keyword → substring of api_spec_name; both → both. Neither set matches nothing. */
int of_preorder_kw_matches(const of_preorder_kw_t *k, const char *goods_name, const char *spec_name) {
    int g = k->goods_keyword[0] != '\0', sp = k->spec_keyword[0] != '\0';
    if (!g && !sp) return 0;
    if (g && !strstr(str(goods_name), k->goods_keyword)) return 0;
    if (sp && !strstr(str(spec_name), k->spec_keyword)) return 0;
    return 1;
}

static int kw_matches(const of_preorder_kw_t *k, const of_line_t *l) {
    return of_preorder_kw_matches(k, l->api_goods_name, l->api_spec_name);
}

void of_preorder_decide(const of_subin_t *in, of_sub_t *s) {
    const of_catalog_t *cat = in->cat;
    const of_settings_t *set = &cat->set;
    int trade_status = in->raw->trade_status;
    s->is_preorder = 0;
    s->preorder_by[0] = '\0';
    s->grab = 0;

    /* SUB-CFG-01: shop strategies and the remark switch */
    const of_shop_t *shop = of_cat_shop(cat, in->shop_id);
    int shop_preorder = shop ? shop->is_preorder : 0, shop_grab = shop ? shop->is_grab : 0;
    of_trace_add(&s->trace, "SUB-CFG-01", "shop", "shop %llu%s: preorder=%d grab=%d; CFG_REMARK_EXTRACT=%d",
                 (unsigned long long)in->shop_id, shop ? "" : " (not in the catalogue)", shop_preorder, shop_grab,
                 set->remark_extract);

    /* SUB-CFG-02: CS-remark extraction */
    memset(&s->cs, 0, sizeof s->cs);
    if (set->remark_extract)
        of_remark_extract_cs(cat, in->shop_id, str(in->raw->cs_remark), &s->cs, &s->trace);
    else
        of_trace_add(&s->trace, "SUB-CFG-02", "skipped", "CFG_REMARK_EXTRACT off");

    /* SUB-CFG-03 (OP-30): SHOP.preorder converts every order of the shop; or the CS remark asks for it */
    if (shop_preorder)
        convert(s, "SUB-CFG-03", "店铺转预订单");
    else if (s->cs.preorder)
        convert(s, "SUB-CFG-03", "客服备注提取转预订单");

    /* SUB-CFG-04: client-remark extraction (flag, warehouse, freeze) */
    memset(&s->client, 0, sizeof s->client);
    if (set->client_remark_extract)
        of_remark_extract_client(cat, in->shop_id, str(in->raw->buyer_message), &s->client, &s->trace);
    else
        of_trace_add(&s->trace, "SUB-CFG-04", "skipped", "CFG_CLIENT_REMARK_EXTRACT off");

    /* SUB-CFG-05 (OP-31): keyword strategies of the shop or of every shop (0); one line with actual_num > 0 whose
     * platform goods / spec name contains the keywords converts the whole trade */
    if (trade_status == 30 && set->preorder && !s->is_preorder) {
        for (size_t k = 0; k < cat->npreorder_kws && !s->is_preorder; k++) {
            const of_preorder_kw_t *kw = &cat->preorder_kws[k];
            if (kw->shop_id != 0 && kw->shop_id != in->shop_id) continue;
            for (size_t i = 0; i < s->nlines; i++) {
                const of_line_t *l = &s->lines[i];
                if (l->actual_num <= 0 || !kw_matches(kw, l)) continue;
                convert(s, "SUB-CFG-05", "平台名称(货品或者规格)包含关键词: 货品关键词 '%s' 规格关键词 '%s' (%s %s)",
                        kw->goods_keyword, kw->spec_keyword, l->api_goods_name, l->api_spec_name);
                break;
            }
        }
        if (!s->is_preorder) of_trace_add(&s->trace, "SUB-CFG-05", "preorder", "no keyword strategy matches");
    } else {
        of_trace_add(&s->trace, "SUB-CFG-05", "skipped", "trade_status=%d CFG_PREORDER=%d pre-order=%d", trade_status,
                     set->preorder, s->is_preorder);
    }

    /* SUB-CFG-06: grab (confirmed or revoked by SUB-WH-13) */
    s->grab = trade_status == 30 && !s->is_preorder && set->grab && shop_grab;
    of_trace_add(&s->trace, "SUB-CFG-06", "grab", "grab=%d (trade_status=%d pre-order=%d CFG_GRAB=%d SHOP.grab=%d)",
                 s->grab, trade_status, s->is_preorder, set->grab, shop_grab);
}

/* SUB-PRE-01 (OP-44): the stock of one line by CFG_PREORDER_STOCK_CALC; S = external stock for an external warehouse.
 * 1 sys_stock of SUB-WH-07, 2 S − sending_num, 3 S. */
static int64_t calc_stock(int method, const of_stock_row_t *r, int is_external, int actual_num) {
    int64_t S = r ? (is_external ? r->wms_stock_num : r->stock_num) : 0;
    switch (method) {
    case 2:
        return S - (r ? r->sending_num : 0);
    case 3:
        return S;
    default:
        return of_stock_sys(of_stock_x(r, is_external), actual_num);
    }
}

void of_preorder_stock(const of_subin_t *in, of_sub_t *s) {
    const of_settings_t *set = &in->cat->set;
    const of_warehouse_t *wh = s->warehouse_id ? of_cat_warehouse(in->cat, s->warehouse_id) : NULL;
    int ext = wh ? wh->is_external : 0;
    if (in->raw->trade_status != 30 || !set->preorder || !set->preorder_stockout || s->is_preorder || s->grab ||
        (set->auto_external_wh && ext) || !s->warehouse_id) {
        of_trace_add(&s->trace, "SUB-PRE-01", "skipped",
                     "trade_status=%d CFG_PREORDER=%d CFG_PREORDER_STOCKOUT=%d pre-order=%d grab=%d "
                     "auto-external=%d external=%d warehouse=%llu",
                     in->raw->trade_status, set->preorder, set->preorder_stockout, s->is_preorder, s->grab,
                     set->auto_external_wh, ext, (unsigned long long)s->warehouse_id);
        return;
    }
    int method = set->preorder_stock_calc >= 1 && set->preorder_stock_calc <= 3 ? set->preorder_stock_calc : 1;
    for (size_t i = 0; i < s->nlines; i++) {
        const of_line_t *l = &s->lines[i];
        if (l->actual_num <= 0) continue;
        const of_stock_row_t *r = in->stock ? of_stock_find(in->stock, s->warehouse_id, l->spec_id) : NULL;
        int64_t st = calc_stock(method, r, ext, l->actual_num);
        of_trace_add(&s->trace, "SUB-PRE-01", "line", "warehouse %llu spec %llu: stock(method %d)=%lld actual_num=%d",
                     (unsigned long long)s->warehouse_id, (unsigned long long)l->spec_id, method, (long long)st,
                     l->actual_num);
        if (st < l->actual_num) {
            convert(s, "SUB-PRE-01", "库存不足转预订单: spec %llu 库存 %lld < 实发数量 %d (计算方式 %d)",
                    (unsigned long long)l->spec_id, (long long)st, l->actual_num, method);
            return; /* one short line converts the trade (OP-44) */
        }
    }
    of_trace_add(&s->trace, "SUB-PRE-01", "preorder", "stock sufficient for every line (method %d)", method);
}
