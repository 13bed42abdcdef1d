/* test_whatif.c -- what-if's pure part (of_whatif): a side replays trades through of_sub_decide with its state moving
 * on (an earlier trade's reservation decides a later trade's warehouse; a customer's earlier order is a sibling of
 * the next one; INIT-04 platform goods land in the side's overlay), two sides differ by their catalogue only, and the
 * comparison counts what it should. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "of_catalog.h"
#include "of_money.h"
#include "of_whatif.h"

/* ------------------------------------------------------------------ a small catalogue as a snapshot */
static void *dup_rows(const void *rows, size_t size) {
    void *p = malloc(size);
    cr_assert_not_null(p);
    memcpy(p, rows, size);
    return p;
}
#define TAB(tabs, t, arr) tabs[t] = of_cat_tab_new(t, dup_rows(arr, sizeof arr), sizeof arr / sizeof arr[0])

/* jd-store (2) designates BJ-01 (20) and SH-01 (10); neither covers 广东省; platform goods G1/S1 → spec 1. */
static of_cat_snap_t *snapshot(int sh_priority, int check_stock) {
    of_cat_tab_t *tabs[OF_CT__COUNT] = {0};
    of_settings_t set;
    of_settings_defaults(&set);
    set.check_stock = check_stock;
    set.gen_api_goods_spec = 1;
    const of_shop_t shops[] = {{2, 2, "jd-store", "茗香京东专卖店", 0, 0, 1, 0, 0, 0}};
    const of_warehouse_t whs[] = {
        {1, "SH-01", "上海仓", OF_WMS_OWN, 0, 0, 30, "上海", "上海市", "浦东新区", 0},
        {3, "BJ-01", "北京仓", OF_WMS_OWN, 0, 0, 10, "北京", "北京市", "大兴区", 0},
    };
    const of_wh_area_t areas[] = {{1, "上海", "", ""}, {3, "北京", "", ""}};
    const of_shop_wh_t shop_whs[] = {{2, 3, 20}, {2, 1, sh_priority}};
    const of_spec_t specs[] = {{.id = 1,
                                .goods_id = 1,
                                .goods_no = "G-TEA-001",
                                .spec_no = "LJ-250",
                                .goods_name = "龙井",
                                .spec_name = "250g"},
                               {.id = 2,
                                .goods_id = 2,
                                .goods_no = "G-TEA-002",
                                .spec_no = "TGY-500",
                                .goods_name = "铁观音",
                                .spec_name = "500g"}};
    const of_api_goods_t ag[] = {{2, "G1", "S1", "G-TEA-001", "LJ-250", OF_MATCH_SPEC, 1, 0, 1}};
    of_settings_t *sp = malloc(sizeof *sp);
    cr_assert_not_null(sp);
    *sp = set;
    tabs[OF_CT_SETTINGS] = of_cat_tab_new(OF_CT_SETTINGS, sp, 1);
    TAB(tabs, OF_CT_SHOPS, shops);
    TAB(tabs, OF_CT_WHS, whs);
    TAB(tabs, OF_CT_WH_AREAS, areas);
    TAB(tabs, OF_CT_SHOP_WHS, shop_whs);
    TAB(tabs, OF_CT_SPECS, specs);
    TAB(tabs, OF_CT_API_GOODS, ag);
    of_cat_snap_t *s = of_cat_snap_new(NULL, tabs);
    cr_assert_not_null(s);
    return s;
}

typedef struct {
    Orderfleet__RawTrade t;
    Orderfleet__RawSubOrder o, *op[1];
} trade_t;

static void trade(trade_t *x, const char *tid, const char *nick, const char *goods_id, const char *spec_id,
                  const char *spec_no, int num) {
    orderfleet__raw_trade__init(&x->t);
    orderfleet__raw_sub_order__init(&x->o);
    x->t.tid = (char *)tid;
    x->t.platform_id = 2;
    x->t.shop_no = "jd-store";
    x->t.trade_status = 30;
    x->t.pay_status = 2;
    x->t.delivery_term = 1;
    x->t.trade_time = "2026-11-20 10:00:00";
    x->t.pay_time = "2026-11-20 10:01:00";
    x->t.buyer_nick = (char *)nick;
    x->t.receiver_name = (char *)nick;
    x->t.receiver_mobile = "13800000000";
    x->t.receiver_province = "广东省";
    x->t.receiver_city = "深圳市";
    x->t.receiver_district = "南山区";
    x->t.receiver_address = "科技园1号";
    x->o.oid = (char *)tid;
    x->o.status = 30;
    x->o.goods_id = (char *)goods_id;
    x->o.spec_id = (char *)spec_id;
    x->o.goods_no = "";
    x->o.spec_no = (char *)spec_no;
    x->o.num = num;
    x->o.price = 100 * OF_MONEY_SCALE;
    x->o.total_amount = num * 100 * OF_MONEY_SCALE;
    x->o.paid = x->o.total_amount;
    x->o.share_amount = x->o.total_amount;
    x->op[0] = &x->o;
    x->t.orders = x->op;
    x->t.n_orders = 1;
    x->t.goods_count = num; /* SUB-CNT-01 */
    x->t.goods_type_count = 1;
    x->t.paid = x->o.paid;
    x->t.receivable = x->o.paid;
}

static of_stockview_t stock_of(int bj, int sh) {
    of_stockview_t v = {0};
    of_stock_row_t r1 = {.warehouse_id = 3, .spec_id = 1, .stock_num = bj};
    of_stock_row_t r2 = {.warehouse_id = 1, .spec_id = 1, .stock_num = sh};
    cr_assert_eq(of_stock_put(&v, &r1), 0);
    cr_assert_eq(of_stock_put(&v, &r2), 0);
    return v;
}

static of_wi_dec_t decide(of_wi_side_t *side, trade_t *x, uint64_t raw_id) {
    of_wi_trade_t t = {.raw = &x->t, .raw_id = raw_id, .shop_id = 2};
    of_sub_t s;
    of_wi_dec_t d;
    of_sub_init(&s);
    cr_assert_eq(of_whatif_decide(side, &t, of_time_parse("2026-11-23 00:00:00"), &s, &d), 0);
    of_sub_free(&s);
    return d;
}

Test(whatif_side, an_earlier_reservation_decides_a_later_warehouse) {
    of_cat_snap_t *snap = snapshot(10, 1);
    of_stockview_t stock = stock_of(1, 10); /* BJ-01 has one, SH-01 ten */
    of_wi_side_t *side = of_whatif_side_new(snap, &stock);
    cr_assert_not_null(side);
    trade_t a, b;
    trade(&a, "T-A", "buyer-a", "G1", "S1", "LJ-250", 1);
    trade(&b, "T-B", "buyer-b", "G1", "S1", "LJ-250", 1);
    of_wi_dec_t da = decide(side, &a, 1), db = decide(side, &b, 2);
    cr_assert(da.submitted, "T-A stopped by %s", da.stop_rule);
    cr_assert_eq(da.warehouse_id, 3, "the first takes the higher priority BJ-01 (it has the one unit)");
    cr_assert(db.submitted);
    cr_assert_eq(db.warehouse_id, 1, "the second finds BJ-01's unit reserved by the first: SH-01");
    /* a side of its own starts again from the same stock: the first trade alone gets BJ-01 again */
    of_wi_side_t *other = of_whatif_side_new(snap, &stock);
    cr_assert_eq(decide(other, &b, 2).warehouse_id, 3);
    of_whatif_side_free(other);
    of_whatif_side_free(side);
    of_stock_free(&stock);
    of_cat_snap_release(snap);
}

Test(whatif_side, two_sides_differ_by_their_catalogue_only) {
    of_cat_snap_t *before = snapshot(10, 0), *after = snapshot(30, 0); /* stock check off: priority alone */
    of_stockview_t stock = stock_of(5, 5);
    of_wi_side_t *a = of_whatif_side_new(before, &stock), *b = of_whatif_side_new(after, &stock);
    trade_t x;
    trade(&x, "T-X", "buyer-x", "G1", "S1", "LJ-250", 1);
    of_wi_dec_t da = decide(a, &x, 1), db = decide(b, &x, 1);
    cr_assert_eq(da.warehouse_id, 3);
    cr_assert_eq(db.warehouse_id, 1);
    cr_assert_eq(of_whatif_diff(&da, &db), 1u << OF_WI_WAREHOUSE);
    char v[72];
    of_whatif_value(of_whatif_side_cat(a), &da, OF_WI_WAREHOUSE, v, sizeof v);
    cr_assert_str_eq(v, "BJ-01");
    /* --set on one side */
    of_whatif_side_settings(a)->check_stock = 1;
    cr_assert_eq(of_whatif_side_settings(b)->check_stock, 0, "settings are the side's own");
    of_whatif_side_free(a);
    of_whatif_side_free(b);
    of_stock_free(&stock);
    of_cat_snap_release(before);
    of_cat_snap_release(after);
}

Test(whatif_side, a_customers_earlier_order_is_a_sibling_of_the_next) {
    of_cat_snap_t *snap = snapshot(10, 0);
    of_stockview_t stock = stock_of(5, 5);
    of_wi_side_t *side = of_whatif_side_new(snap, &stock);
    trade_t a, b;
    trade(&a, "T-1", "same-buyer", "G1", "S1", "LJ-250", 1);
    trade(&b, "T-2", "same-buyer", "G1", "S1", "LJ-250", 1);
    of_wi_trade_t ta = {.raw = &a.t, .raw_id = 1, .shop_id = 2}, tb = {.raw = &b.t, .raw_id = 2, .shop_id = 2};
    of_sub_t s;
    of_wi_dec_t d;
    of_sub_init(&s);
    cr_assert_eq(of_whatif_decide(side, &ta, of_time_parse("2026-11-23 00:00:00"), &s, &d), 0);
    cr_assert(d.submitted);
    of_sub_free(&s);
    of_sub_init(&s);
    cr_assert_eq(of_whatif_decide(side, &tb, of_time_parse("2026-11-23 00:00:00"), &s, &d), 0);
    const of_trace_entry_t *e = of_trace_find(&s.trace, "SUB-FLAG-03", "unmerge_mask");
    cr_assert_not_null(e);
    cr_assert(strstr(e->value, "over 1 siblings"), "the first order is the second's sibling: %s", e->value);
    of_sub_free(&s);
    of_whatif_side_free(side);
    of_stock_free(&stock);
    of_cat_snap_release(snap);
}

Test(whatif_side, unknown_platform_goods_go_to_the_sides_overlay_only) {
    of_cat_snap_t *snap = snapshot(10, 0);
    of_stockview_t stock = stock_of(5, 5);
    of_wi_side_t *side = of_whatif_side_new(snap, &stock);
    trade_t x;
    trade(&x, "T-N", "buyer-n", "G2", "S2", "TGY-500", 1); /* no api_goods_spec row: INIT-04 matches it by spec_no */
    of_wi_dec_t d = decide(side, &x, 1);
    cr_assert(d.submitted, "stopped by %s", d.stop_rule);
    const of_api_goods_t *row = of_cat_api_goods(of_whatif_side_cat(side), 2, "G2", "S2");
    cr_assert_not_null(row);
    cr_assert_eq(row->match_type, OF_MATCH_SPEC);
    cr_assert_eq(row->match_id, 2);
    of_catalog_t plain;
    of_cat_view(snap, NULL, &plain);
    cr_assert_null(of_cat_api_goods(&plain, 2, "G2", "S2"), "the snapshot itself is never written");
    of_whatif_side_free(side);
    of_stock_free(&stock);
    of_cat_snap_release(snap);
}

/* ------------------------------------------------------------------ comparing and counting */
Test(whatif_diff, stopped_on_one_side_counts_as_stop_only) {
    of_wi_dec_t a = {.submitted = 1, .warehouse_id = 3, .status = 20}, b = {.submitted = 0, .stop_rule = "SUB-MAP-09"};
    cr_assert_eq(of_whatif_diff(&a, &b), 1u << OF_WI_STOP);
    of_wi_dec_t c = {.submitted = 0, .stop_rule = "SUB-CNT-01"};
    cr_assert_eq(of_whatif_diff(&b, &c), 1u << OF_WI_STOP, "two stops by different rules");
    cr_assert_eq(of_whatif_diff(&b, &b), 0);
    of_wi_dec_t e = a;
    e.post_cost = 5;
    e.status = 19;
    snprintf(e.preorder_by, sizeof e.preorder_by, "SUB-CFG-05");
    cr_assert_eq(of_whatif_diff(&a, &e), (1u << OF_WI_FEE) | (1u << OF_WI_STATUS) | (1u << OF_WI_PREORDER));
}

Test(whatif_sum, counts_fields_and_transitions) {
    of_catalog_t cat;
    memset(&cat, 0, sizeof cat);
    of_warehouse_t whs[] = {{1, "SH-01", "上海仓", 0, 0, 0, 30, "", "", "", 0},
                            {3, "BJ-01", "北京仓", 0, 0, 0, 10, "", "", "", 0}};
    cat.whs = whs;
    cat.nwhs = 2;
    of_wi_sum_t *sum = of_whatif_sum_new();
    of_wi_dec_t bj = {.submitted = 1, .warehouse_id = 3}, sh = {.submitted = 1, .warehouse_id = 1},
                none = {.submitted = 1, .warehouse_id = 9}, stop = {.stop_rule = "SUB-WH-03"};
    for (int i = 0; i < 3; i++)
        cr_assert_eq(of_whatif_sum_add(sum, of_whatif_diff(&bj, &sh), &cat, &bj, &cat, &sh), 0);
    cr_assert_eq(of_whatif_sum_add(sum, of_whatif_diff(&sh, &none), &cat, &sh, &cat, &none), 0);
    cr_assert_eq(of_whatif_sum_add(sum, of_whatif_diff(&sh, &stop), &cat, &sh, &cat, &stop), 0);
    cr_assert_eq(of_whatif_sum_add(sum, of_whatif_diff(&sh, &sh), &cat, &sh, &cat, &sh), 0, "no change: not counted");
    cr_assert_eq(of_whatif_sum_orders(sum), 5);
    cr_assert_eq(of_whatif_sum_field(sum, OF_WI_WAREHOUSE), 4);
    cr_assert_eq(of_whatif_sum_field(sum, OF_WI_STOP), 1);
    size_t n;
    const of_wi_move_t *m = of_whatif_sum_moves(sum, &n);
    cr_assert_eq(n, 3);
    cr_assert_eq(m[0].field, OF_WI_STOP);
    cr_assert_str_eq(m[0].from, "submitted");
    cr_assert_str_eq(m[0].to, "stopped SUB-WH-03");
    cr_assert_str_eq(m[1].from, "BJ-01");
    cr_assert_str_eq(m[1].to, "SH-01");
    cr_assert_eq(m[1].count, 3, "the largest first");
    cr_assert_str_eq(m[2].to, "#9", "an id the catalogue does not know");
    /* counting goes on after the moves were listed (sorted in place) */
    cr_assert_eq(of_whatif_sum_add(sum, of_whatif_diff(&bj, &sh), &cat, &bj, &cat, &sh), 0);
    m = of_whatif_sum_moves(sum, &n);
    cr_assert_eq(n, 3);
    cr_assert_eq(m[1].count, 4);
    of_whatif_sum_free(sum);
}

Test(whatif_sum, many_distinct_transitions) {
    of_catalog_t cat;
    memset(&cat, 0, sizeof cat);
    of_wi_sum_t *sum = of_whatif_sum_new();
    for (int i = 0; i < 5000; i++) {
        of_wi_dec_t a = {.submitted = 1, .post_cost = i}, b = {.submitted = 1, .post_cost = i + 1};
        cr_assert_eq(of_whatif_sum_add(sum, of_whatif_diff(&a, &b), &cat, &a, &cat, &b), 0);
        cr_assert_eq(of_whatif_sum_add(sum, of_whatif_diff(&a, &b), &cat, &a, &cat, &b), 0);
    }
    size_t n;
    const of_wi_move_t *m = of_whatif_sum_moves(sum, &n);
    cr_assert_eq(n, 5000);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(m[i].count, 2);
    cr_assert_eq(of_whatif_sum_field(sum, OF_WI_FEE), 10000);
    of_whatif_sum_free(sum);
}
