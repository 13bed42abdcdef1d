/* test_mid.c -- the sweep's rules (trade-rules §5): MID-DLY-01…-03, MID-PRC-01, MID-MRG-01…-05, MID-UMF-01,
 * MID-STK-01, MID-SLS-01, each test named by the rule it covers; merged money adds up to the unit (1/10000). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "of_mid.h"
#include "of_midmrg.h"
#include "of_midpre.h"
#include "of_midstk.h"
#include "of_stock.h"
#include "of_sub.h"

#define H 3600
#define NOW 1000000
static of_mid_order_t o[4];
static of_mid_line_t l[8];
static of_mid_plan_t plan;
static of_mid_cfg_t cfg;
static size_t nord, nline;

/* order i: status st, one line of 2 units of spec 100+i on warehouse 1, money i-scaled */
static void order(size_t i, int st) {
    of_mid_order_t *x = &o[i];
    memset(x, 0, sizeof *x);
    x->trade_id = 10 + i;
    x->shop_id = 1;
    x->warehouse_id = 1;
    x->status = st;
    x->delivery_term = 1;
    x->shop_split_merge = 1;
    x->trade_time = NOW - 3 * H;
    x->pay_time = NOW - 2 * H;
    x->receiver_name = "Li Lei";
    x->receiver_mobile = "13800000000";
    x->receiver_province = "浙江省";
    x->receiver_city = "杭州市";
    x->receiver_district = "西湖区";
    x->receiver_address = "文三路 1 号";
    static char tids[4][16];
    snprintf(tids[i], sizeof tids[i], "T%zu", i);
    x->src_tids = tids[i];
    int64_t k = (int64_t)i + 1;
    x->sums = (of_mid_sums_t){.goods_amount = 100001 * k,
                              .post_amount = 50003 * k,
                              .discount = 7 * k,
                              .receivable = 150004 * k,
                              .paid = 150003 * k,
                              .pbs_amount = 150004 * k,
                              .goods_cost = 60001 * k,
                              .commission = 11 * k,
                              .weight = 25000 + 2 * 10000,
                              .volume = 300 * 2,
                              .goods_count = 2};
    x->line0 = nline;
    x->nline = 1;
    of_mid_line_t *y = &l[nline++];
    memset(y, 0, sizeof *y);
    y->rec_id = 100 + i;
    y->trade_id = x->trade_id;
    y->spec_id = 100 + i;
    y->actual_num = 2;
    y->held_kind = (int)of_stock_reservation_for_status(st);
    y->held_wh = y->held_kind ? 1 : 0;
    y->held_num = y->held_kind ? 2 : 0;
    y->share_amount = 100001 * k;
    y->weight = 10000; /* 1 kg a unit; the order's 2.5 kg include a 0.5 kg package */
    y->volume = 300;
    y->spec_no = i == 0 ? "SPEC-A" : "SPEC-B";
    nord = i + 1 > nord ? i + 1 : nord;
}

static void setup(void) {
    memset(&plan, 0, sizeof plan);
    memset(&cfg, 0, sizeof cfg);
    cfg.delay_audit_s = 4 * H;
    cfg.cod_delay_s = H;
    nord = nline = 0;
}
static void teardown(void) {
    of_mid_plan_free(&plan, o, nord);
}
TestSuite(mid, .init = setup, .fini = teardown);

static void decide(void) {
    cr_assert_eq(of_mid_decide(o, nord, l, nline, &cfg, NOW, &plan), 0);
}

static int net(uint64_t wh, uint64_t spec, int kind) {
    int d = 0;
    for (size_t i = 0; i < plan.nmoves; i++)
        if (plan.moves[i].warehouse_id == wh && plan.moves[i].spec_id == spec && plan.moves[i].kind == kind)
            d += plan.moves[i].delta;
    return d;
}

Test(mid, MID_DLY_01_wait_unpaid_due_before_the_delayed_audit_time_goes_to_16) {
    order(0, OF_ST_WAIT_UNPAID);
    o[0].delay_to_time = NOW - 1;
    decide();
    cr_assert_eq(o[0].new_status, OF_ST_DELAY);
    cr_assert_eq(o[0].new_delay, o[0].pay_time + 4 * H, "pay_time + DELAY_AUDIT");
    cr_assert(o[0].changed);
    cr_assert_eq(plan.nmoves, 0, "15 and 16 both hold order_num");
    cr_assert_str_eq(o[0].logs.e[0].rule, "MID-DLY-01");
}

Test(mid, MID_DLY_01_cod_uses_trade_time_and_COD_DELAY) {
    order(0, OF_ST_WAIT_UNPAID);
    o[0].delivery_term = 2;
    o[0].trade_time = NOW - 10;
    o[0].delay_to_time = NOW - 1;
    decide();
    cr_assert_eq(o[0].new_status, OF_ST_DELAY);
    cr_assert_eq(o[0].new_delay, NOW - 10 + H);
}

Test(mid, MID_DLY_02_wait_unpaid_past_the_delayed_audit_time_goes_on_to_pre_processing) {
    order(0, OF_ST_WAIT_UNPAID);
    o[0].delay_to_time = NOW - 1;
    o[0].pay_time = NOW - 5 * H;
    decide();
    /* 15 → 20 (MID-DLY-02), then the same round takes it through pre-processing (MID-PRC-01) to 30 */
    cr_assert_str_eq(o[0].logs.e[0].rule, "MID-DLY-02");
    cr_assert_eq(o[0].new_status, OF_ST_AWAIT_AUDIT);
    cr_assert_eq(o[0].new_delay, 0);
}

Test(mid, MID_DLY_not_due_stays) {
    order(0, OF_ST_WAIT_UNPAID);
    o[0].delay_to_time = NOW + 1;
    order(1, OF_ST_DELAY);
    o[1].delay_to_time = NOW;
    decide();
    cr_assert_eq(o[0].new_status, OF_ST_WAIT_UNPAID);
    cr_assert_eq(o[1].new_status, OF_ST_DELAY, "due means delay_to_time < now");
    cr_assert_not(o[0].changed);
    cr_assert_not(o[1].changed);
}

Test(mid, MID_DLY_03_delayed_audit_due_goes_to_pre_processing_then_awaiting_audit) {
    order(0, OF_ST_DELAY);
    o[0].delay_to_time = NOW - 1;
    decide();
    cr_assert_str_eq(o[0].logs.e[0].rule, "MID-DLY-03");
    cr_assert_eq(o[0].new_status, OF_ST_AWAIT_AUDIT);
}

Test(mid, MID_DLY_without_a_due_time_is_due_at_once) {
    order(0, OF_ST_DELAY);
    decide();
    cr_assert_eq(o[0].new_status, OF_ST_AWAIT_AUDIT);
}

Test(mid, MID_PRC_01_targets_19_to_25_and_20_to_30) {
    cr_assert_eq(of_mid_target_status(19), 25);
    cr_assert_eq(of_mid_target_status(20), 30);
    cr_assert_eq(of_mid_target_status(16), 0);
    cr_assert_eq(of_mid_target_status(30), 0);
}

Test(mid, MID_MRG_05_pre_order_enters_25_and_keeps_subscribe_num) {
    order(0, OF_ST_PREORDER_PRE);
    decide();
    cr_assert_eq(o[0].new_status, OF_ST_PREORDER);
    cr_assert_eq(plan.nmoves, 0);
    cr_assert_eq(of_stock_reservation_for_status(25), OF_RES_SUBSCRIBE);
    cr_assert_eq(of_stock_reservation_for_status(30), OF_RES_ORDER);
}

Test(mid, MID_MRG_04_no_target_logs_and_MID_MRG_05_moves_to_30) {
    order(0, OF_ST_PRE_AUDIT);
    decide();
    cr_assert_eq(o[0].new_status, OF_ST_AWAIT_AUDIT);
    cr_assert_str_eq(o[0].logs.e[0].rule, "MID-MRG-04");
    cr_assert_str_eq(o[0].logs.e[1].rule, "MID-MRG-05");
    cr_assert_eq(plan.nmoved, 1);
    cr_assert_eq(plan.nmerged, 0);
}

Test(mid, MID_MRG_02_three_orders_of_a_customer_merge_into_the_earliest_money_adds_up) {
    order(0, OF_ST_PRE_AUDIT);
    order(1, OF_ST_PRE_AUDIT);
    order(2, OF_ST_PRE_AUDIT);
    of_mid_sums_t want = {0};
    int64_t goods_w = 0;
    for (int i = 0; i < 3; i++) {
        want.goods_amount += o[i].sums.goods_amount;
        want.post_amount += o[i].sums.post_amount;
        want.discount += o[i].sums.discount;
        want.receivable += o[i].sums.receivable;
        want.paid += o[i].sums.paid;
        want.pbs_amount += o[i].sums.pbs_amount;
        want.goods_cost += o[i].sums.goods_cost;
        want.commission += o[i].sums.commission;
        want.goods_count += o[i].sums.goods_count;
        if (i) goods_w += 2 * 10000;
    }
    decide();
    cr_assert_eq(o[1].merged_into, 10);
    cr_assert_eq(o[2].merged_into, 10);
    cr_assert_str_eq(o[1].merge_rule, "MID-MRG-02");
    cr_assert_eq(o[0].new_status, OF_ST_AWAIT_AUDIT);
    const of_mid_sums_t *s = &o[0].sums;
    cr_assert_eq(s->goods_amount, want.goods_amount);
    cr_assert_eq(s->post_amount, want.post_amount);
    cr_assert_eq(s->discount, want.discount);
    cr_assert_eq(s->receivable, want.receivable);
    cr_assert_eq(s->paid, want.paid);
    cr_assert_eq(s->pbs_amount, want.pbs_amount);
    cr_assert_eq(s->goods_cost, want.goods_cost);
    cr_assert_eq(s->commission, want.commission);
    cr_assert_eq(s->goods_count, 6);
    cr_assert_eq(s->weight, 45000 + goods_w, "the main order's package counted once (D-MID-6)");
    cr_assert_str_eq(o[0].src_tids_out, "T0,T1,T2");
    cr_assert_eq(o[0].goods_type_count, 3);
    cr_assert_str_eq(o[0].single_spec_no, "");
    for (size_t i = 0; i < nline; i++)
        cr_assert_eq(l[i].new_trade_id, 10);
    cr_assert_eq(plan.nmoves, 0, "same warehouse, 20 and 30 both hold order_num");
    cr_assert_eq(plan.nmerged, 2);
    /* MID-SLS-01: every line counted once, under the merged order */
    cr_assert_eq(plan.nsales, 3);
    int64_t amt = 0;
    for (size_t i = 0; i < plan.nsales; i++)
        amt += plan.sales[i].amount;
    cr_assert_eq(amt, want.goods_amount);
}

Test(mid, MID_MRG_02_different_warehouse_releases_and_reserves_on_the_main_warehouse) {
    order(0, OF_ST_PRE_AUDIT);
    order(1, OF_ST_PRE_AUDIT);
    o[1].warehouse_id = 2;
    l[1].held_wh = 2;
    decide();
    cr_assert_eq(o[1].merged_into, 10);
    cr_assert_eq(net(2, 101, OF_RES_ORDER), -2);
    cr_assert_eq(net(1, 101, OF_RES_ORDER), 2);
    cr_assert_eq(l[1].new_wh, 1);
    cr_assert(l[1].changed);
    cr_assert_eq(plan.sales[1].warehouse_id, 1, "sales on the warehouse that ships");
}

Test(mid, MID_MRG_02_locked_warehouse_with_the_prompt_on_does_not_merge) {
    order(0, OF_ST_PRE_AUDIT);
    order(1, OF_ST_PRE_AUDIT);
    o[1].warehouse_id = 2;
    l[1].held_wh = 2;
    o[1].is_locked_wh = 1;
    cfg.wh_change_prompt = 1;
    decide();
    cr_assert_eq(o[1].merged_into, 0);
    cr_assert_eq(o[1].new_status, OF_ST_AWAIT_AUDIT);
    cfg.wh_change_prompt = 0; /* OP-78: the prompt off merges */
    decide();
    cr_assert_eq(o[1].merged_into, 10);
}

Test(mid, MID_MRG_01_gate_shop_cod_sealed) {
    order(0, OF_ST_PRE_AUDIT);
    order(1, OF_ST_PRE_AUDIT);
    o[0].shop_split_merge = 0;
    decide();
    cr_assert_eq(o[1].merged_into, 0);
    o[0].shop_split_merge = 1;
    o[1].delivery_term = 2;
    decide();
    cr_assert_eq(o[1].merged_into, 0);
    o[1].delivery_term = 1;
    o[1].is_sealed = 1;
    decide();
    cr_assert_eq(o[1].merged_into, 0);
    cr_assert_eq(o[0].new_status, OF_ST_AWAIT_AUDIT, "MID-MRG-05 runs for every pre-processing order (OP-77)");
    cr_assert_eq(o[1].new_status, OF_ST_AWAIT_AUDIT);
}

Test(mid, MID_MRG_02_conditions_receiver_frozen_split_shop) {
    cfg.wh_change_prompt = 0;
    order(0, OF_ST_PRE_AUDIT);
    order(1, OF_ST_PRE_AUDIT);
    o[1].receiver_address = "文三路 2 号";
    cr_assert_str_eq(of_midmrg_why_not(&o[0], &o[1], &cfg), "different receivers");
    o[1].receiver_address = o[0].receiver_address;
    o[1].freeze_reason = 3;
    cr_assert_str_eq(of_midmrg_why_not(&o[0], &o[1], &cfg), "frozen");
    o[1].freeze_reason = 0;
    o[1].is_split = 1;
    cr_assert_str_eq(of_midmrg_why_not(&o[0], &o[1], &cfg), "split before");
    o[1].is_split = 0;
    o[1].shop_id = 2;
    cr_assert_str_eq(of_midmrg_why_not(&o[0], &o[1], &cfg), "different shops");
    o[1].shop_id = 1;
    cr_assert_null(of_midmrg_why_not(&o[0], &o[1], &cfg));
}

Test(mid, MID_MRG_03_merges_into_an_existing_awaiting_audit_order) {
    order(0, OF_ST_AWAIT_AUDIT);
    order(1, OF_ST_PRE_AUDIT);
    int64_t want = o[0].sums.receivable + o[1].sums.receivable;
    decide();
    cr_assert_eq(o[1].merged_into, 10);
    cr_assert_str_eq(o[1].merge_rule, "MID-MRG-03");
    cr_assert_eq(o[0].sums.receivable, want);
    cr_assert_eq(o[0].new_status, OF_ST_AWAIT_AUDIT);
    cr_assert(o[0].changed);
    cr_assert_eq(plan.nmoves, 0);
    cr_assert_eq(plan.nsales, 1, "only the merged order's lines leave pre-processing");
    cr_assert_eq(plan.sales[0].spec_id, 101);
    cr_assert(strstr(o[0].logs.e[0].message, "自动合并"));
}

Test(mid, MID_MRG_03_not_into_an_independent_big_item_or_a_blocked_order) {
    order(0, OF_ST_AWAIT_AUDIT);
    order(1, OF_ST_PRE_AUDIT);
    o[0].is_big_indep = 1;
    decide();
    cr_assert_eq(o[1].merged_into, 0);
    o[0].is_big_indep = 0;
    o[0].block_reason = 4;
    decide();
    cr_assert_eq(o[1].merged_into, 0);
}

Test(mid, MID_MRG_03_pre_order_merges_into_a_pre_order_not_into_audit) {
    order(0, OF_ST_AWAIT_AUDIT);
    order(1, OF_ST_PREORDER_PRE);
    order(2, OF_ST_PREORDER);
    decide();
    cr_assert_eq(o[1].merged_into, 12);
}

Test(mid, MID_MRG_02_pre_orders_do_not_merge_with_each_other) {
    order(0, OF_ST_PREORDER_PRE);
    order(1, OF_ST_PREORDER_PRE);
    decide();
    /* OP-79: MID-MRG-02 takes status 20 only; the second pre-order then finds the first in 25 (MID-MRG-03) */
    cr_assert_eq(o[0].merged_into, 0);
    cr_assert_eq(o[0].new_status, OF_ST_PREORDER);
    cr_assert_eq(o[1].merged_into, 10);
    cr_assert_str_eq(o[1].merge_rule, "MID-MRG-03");
}

Test(mid, MID_MRG_03_a_pre_order_and_a_pre_audit_order_stay_apart) {
    order(0, OF_ST_PREORDER_PRE);
    order(1, OF_ST_PRE_AUDIT);
    decide();
    cr_assert_eq(o[0].new_status, OF_ST_PREORDER);
    cr_assert_eq(o[1].new_status, OF_ST_AWAIT_AUDIT);
    cr_assert_eq(o[1].merged_into, 0);
    cr_assert_eq(plan.nmoves, 0);
}

Test(mid, MID_STK_01_line_without_a_reservation_gets_one) {
    order(0, OF_ST_PRE_AUDIT);
    l[0].held_kind = OF_RES_NONE;
    l[0].held_wh = 0;
    l[0].held_num = 0;
    decide();
    cr_assert_eq(net(1, 100, OF_RES_ORDER), 2);
    cr_assert_eq(l[0].new_kind, OF_RES_ORDER);
    cr_assert(l[0].changed);
}

Test(mid, MID_UMF_01_merge_clears_the_same_name_flag_of_the_last_order) {
    order(0, OF_ST_PRE_AUDIT);
    order(1, OF_ST_PRE_AUDIT);
    o[0].unmerge_mask = OF_UM_SAME_NAME;
    o[1].unmerge_mask = OF_UM_SAME_NAME;
    decide();
    cr_assert_eq(o[0].new_unmerge_mask, 0);
}

Test(mid, MID_UMF_01_keeps_the_flag_while_another_open_order_remains) {
    order(0, OF_ST_PRE_AUDIT);
    order(1, OF_ST_PRE_AUDIT);
    order(2, 95);
    o[0].unmerge_mask = OF_UM_SAME_NAME;
    decide();
    cr_assert_eq(o[0].new_unmerge_mask, OF_UM_SAME_NAME);
    cr_assert_eq(o[2].new_unmerge_mask, OF_UM_SAME_NAME, "the shipped order sees the merged one");
}

Test(mid, MID_MRG_tids_that_do_not_fit_keep_the_orders_apart) {
    order(0, OF_ST_PRE_AUDIT);
    order(1, OF_ST_PRE_AUDIT);
    static char big[1000];
    memset(big, 'x', sizeof big - 1);
    o[0].src_tids = big;
    static char big2[100];
    memset(big2, 'y', sizeof big2 - 1);
    o[1].src_tids = big2;
    decide();
    cr_assert_eq(o[1].merged_into, 0);
    cr_assert_eq(o[1].new_status, OF_ST_AWAIT_AUDIT);
}

Test(mid, MID_SLS_01_counts_only_orders_leaving_pre_processing) {
    order(0, OF_ST_DELAY);
    o[0].delay_to_time = NOW + 10;
    order(1, OF_ST_AWAIT_AUDIT);
    decide();
    cr_assert_eq(plan.nsales, 0);
    cr_assert_not(o[0].changed);
    cr_assert_not(o[1].changed);
}

Test(mid, MID_MRG_02_then_MID_MRG_03_a_chain_names_the_order_that_holds_the_lines) {
    order(0, OF_ST_AWAIT_AUDIT);
    order(1, OF_ST_PRE_AUDIT);
    order(2, OF_ST_PRE_AUDIT);
    int64_t want = o[0].sums.goods_amount + o[1].sums.goods_amount + o[2].sums.goods_amount;
    decide();
    cr_assert_eq(o[1].merged_into, 10);
    cr_assert_eq(o[2].merged_into, 10, "merged into 11 by MID-MRG-02, which went into 10 by MID-MRG-03");
    cr_assert_str_eq(o[2].merge_rule, "MID-MRG-02");
    cr_assert_eq(o[0].sums.goods_amount, want);
    cr_assert_eq(l[2].new_trade_id, 10);
    cr_assert_eq(o[0].goods_type_count, 3, "distinct specs 100, 101, 102");
    cr_assert_eq(plan.nmerged, 2);
    cr_assert_eq(plan.nsales, 2, "the lines of 11 and 12 leave pre-processing; 10's were counted before");
}

Test(mid, MID_MRG_05_an_order_submitted_again_keeps_the_state_it_entered) {
    /* D-MID-12: trade-modify's re-submission of an order in 25/30 decides a waiting status again */
    cr_assert_eq(of_mid_kept_status(30, 20), 30);
    cr_assert_eq(of_mid_kept_status(30, 16), 30);
    cr_assert_eq(of_mid_kept_status(30, 15), 30);
    cr_assert_eq(of_mid_kept_status(25, 19), 25);
    cr_assert_eq(of_mid_kept_status(30, 19), 19, "a pre-order holds another counter: not kept");
    cr_assert_eq(of_mid_kept_status(25, 20), 20);
    cr_assert_eq(of_mid_kept_status(30, 13), 13, "no warehouse any more: as decided");
    cr_assert_eq(of_mid_kept_status(0, 20), 20, "an order in pre-processing: as decided");
}

/* ---- MID-SPW: a catalogue with two warehouses and goods designations in shop 1 ---- */
static of_warehouse_t spw_whs[] = {
    {1, "SH-01", "上海仓", OF_WMS_OWN, 0, 0, 30, "上海", "上海市", "浦东新区", 0},
    {2, "GZ-01", "广州仓", OF_WMS_OWN, 0, 0, 20, "广东省", "广州市", "白云区", 0},
};
/* shop, spec, warehouse, mode, logistics, priority: spec 100 → SH-01 (10) or GZ-01 (5); 101 → GZ-01 only */
static of_spec_wh_t spw_des[] = {
    {1, 100, 1, OF_SWH_WAREHOUSE, 0, 10},
    {1, 100, 2, OF_SWH_WAREHOUSE, 0, 5},
    {1, 101, 2, OF_SWH_WAREHOUSE, 0, 10},
};
static of_catalog_t spw_cat;
static of_stockview_t spw_stock;

/* order 0 (20, warehouse 1) with lines of specs 100 and 101, and optionally a gift of spec 102 */
static void spw_order(int gift) {
    order(0, OF_ST_PRE_AUDIT);
    of_mid_line_t *y = &l[nline++];
    *y = l[0];
    y->rec_id = 200;
    y->spec_id = 101;
    y->share_amount = 50000;
    y->spec_no = "SPEC-C";
    o[0].nline = 2;
    if (gift) {
        of_mid_line_t *z = &l[nline++];
        *z = l[0];
        z->rec_id = 300;
        z->spec_id = 102;
        z->gift_type = 1;
        z->share_amount = 0;
        o[0].nline = 3;
    }
    memset(&spw_cat, 0, sizeof spw_cat);
    of_settings_defaults(&spw_cat.set);
    spw_cat.whs = spw_whs;
    spw_cat.nwhs = 2;
    spw_cat.spec_whs = spw_des;
    spw_cat.nspec_whs = sizeof spw_des / sizeof spw_des[0];
    of_cat_index(&spw_cat);
    memset(&spw_stock, 0, sizeof spw_stock);
    for (uint64_t wh = 1; wh <= 2; wh++)
        for (uint64_t sp = 100; sp <= 102; sp++)
            of_stock_put(&spw_stock, &(of_stock_row_t){.warehouse_id = wh, .spec_id = sp, .stock_num = 100});
    cfg.split_by_wh = 1;
    cfg.no_all_gift_split = 1;
    cfg.cat = &spw_cat;
    cfg.stock = &spw_stock;
}

Test(mid, MID_SPW_01_off_without_CFG_SPLIT_BY_WH) {
    spw_order(0);
    cfg.split_by_wh = 0;
    decide();
    cr_assert_eq(plan.nsplits, 0);
    o[0].is_split = 1;
    cfg.split_by_wh = 1;
    decide();
    cr_assert_eq(plan.nsplits, 0, "split before");
    of_stock_free(&spw_stock);
}

Test(mid, MID_SPW_03_an_order_split_across_two_warehouses_money_adds_up) {
    spw_order(0);
    of_mid_sums_t before = o[0].sums;
    decide();
    cr_assert_eq(plan.nsplits, 1);
    const of_mid_split_t *sp = &plan.splits[0];
    cr_assert_eq(sp->warehouse_id, 2);
    cr_assert_eq(sp->status, OF_ST_AWAIT_AUDIT);
    cr_assert_eq(l[1].new_split, 0, "spec 101 ships from GZ-01");
    cr_assert_eq(l[0].new_split, -1, "spec 100 stays on SH-01 (priority 10, enough stock)");
    cr_assert(o[0].split);
    cr_assert_eq(sp->sums.goods_amount, 50000);
    const of_mid_sums_t *a = &o[0].sums, *b = &sp->sums;
    cr_assert_eq(a->goods_amount + b->goods_amount, before.goods_amount);
    cr_assert_eq(a->receivable + b->receivable, before.receivable, "receivable shared out to the unit");
    cr_assert_eq(a->pbs_amount + b->pbs_amount, before.pbs_amount);
    cr_assert_eq(a->goods_cost + b->goods_cost, before.goods_cost);
    cr_assert_eq(a->post_amount + b->post_amount, before.post_amount);
    cr_assert_eq(a->paid + b->paid, before.paid);
    cr_assert_eq(a->goods_count + b->goods_count, before.goods_count);
    cr_assert_eq(a->weight + b->weight, before.weight);
    cr_assert_eq(net(1, 101, OF_RES_ORDER), -2, "MID-SPW-05: released on SH-01");
    cr_assert_eq(net(2, 101, OF_RES_ORDER), 2, "reserved on GZ-01");
    cr_assert_eq(net(1, 100, OF_RES_ORDER), 0);
    int on2 = 0;
    for (size_t i = 0; i < plan.nsales; i++)
        if (plan.sales[i].warehouse_id == 2 && plan.sales[i].spec_id == 101) on2 = 1;
    cr_assert(on2, "MID-SPW-06: sales on the warehouse that ships");
    of_stock_free(&spw_stock);
}

Test(mid, MID_SPW_03_stock_first_then_priority) {
    spw_order(0);
    /* SH-01 has nothing left for spec 100: GZ-01 (priority 5) has enough */
    of_stock_put(&spw_stock, &(of_stock_row_t){.warehouse_id = 1, .spec_id = 100, .stock_num = 2, .order_num = 2});
    l[0].held_num = 0; /* the line's own reservation is elsewhere */
    l[0].held_kind = OF_RES_NONE;
    decide();
    cr_assert_eq(plan.nsplits, 0, "both lines ship from GZ-01: the order moves, nothing is split");
    cr_assert_eq(o[0].new_warehouse_id, 2);
    cr_assert_eq(net(2, 100, OF_RES_ORDER), 2);
    /* neither has enough: the higher priority (SH-01) */
    of_stock_put(&spw_stock, &(of_stock_row_t){.warehouse_id = 2, .spec_id = 100, .stock_num = 0});
    decide();
    cr_assert_eq(l[0].new_split, -1);
    cr_assert_eq(plan.nsplits, 1, "spec 100 on SH-01 by priority, spec 101 on GZ-01");
    of_stock_free(&spw_stock);
}

Test(mid, MID_SPW_03_the_line_own_reservation_counts_as_available) {
    spw_order(0);
    /* SH-01: 2 in stock, 2 reserved — by this very line: enough */
    of_stock_put(&spw_stock, &(of_stock_row_t){.warehouse_id = 1, .spec_id = 100, .stock_num = 2, .order_num = 2});
    decide();
    cr_assert_eq(l[0].new_split, -1);
    cr_assert_eq(o[0].new_warehouse_id, 1);
    of_stock_free(&spw_stock);
}

Test(mid, MID_SPW_04_a_gift_only_group_stays_with_the_order) {
    spw_order(1);
    static of_spec_wh_t des[] = {
        {1, 100, 1, OF_SWH_WAREHOUSE, 0, 10},
        {1, 101, 1, OF_SWH_WAREHOUSE, 0, 10},
        {1, 102, 2, OF_SWH_WAREHOUSE, 0, 10},
    };
    spw_cat.spec_whs = des;
    spw_cat.nspec_whs = 3;
    of_cat_index(&spw_cat);
    decide();
    cr_assert_eq(plan.nsplits, 0, "CFG_NO_ALL_GIFT_SPLIT on: the gift stays");
    cfg.no_all_gift_split = 0;
    decide();
    cr_assert_eq(plan.nsplits, 1, "off: the gift is its own order");
    cr_assert_eq(l[2].new_split, 0);
    of_stock_free(&spw_stock);
}

Test(mid, MID_SPW_03_bound_lines_stay_together) {
    spw_order(0);
    l[0].bind_oid = "B1";
    l[1].bind_oid = "B1";
    decide();
    cr_assert_eq(plan.nsplits, 0, "OP-80: a bound group follows its first line");
    cr_assert_eq(l[1].new_split, -1);
    of_stock_free(&spw_stock);
}

/* ---- MID-BIG: independent big items (large_type 2) ---- */
static void big_order(int st, int units) {
    order(0, st);
    l[0].large_type = 2;
    l[0].num = l[0].actual_num = units;
    l[0].held_num = l[0].held_kind ? units : 0;
    l[0].share_amount = 100001;
    l[0].paid = 100003;
    cfg.big_max_split = 5;
}

Test(mid, MID_BIG_03_two_units_of_an_independent_big_item_ship_in_two_orders) {
    big_order(OF_ST_PRE_AUDIT, 2);
    of_mid_sums_t before = o[0].sums;
    decide();
    cr_assert_eq(plan.nsplits, 1);
    cr_assert_str_eq(plan.splits[0].rule, "MID-BIG-03");
    cr_assert_eq(plan.npieces, 1, "the second unit is a row of its own");
    cr_assert_eq(l[0].new_split, -1, "OP-81: an order of big items only keeps one");
    cr_assert_eq(l[0].actual_num, 1);
    cr_assert(l[0].qty_changed);
    cr_assert_eq(l[0].share_amount + plan.pieces[0].share_amount, 100001, "goods amount to the unit");
    cr_assert_eq(l[0].paid + plan.pieces[0].paid, 100003);
    cr_assert_eq(o[0].sums.goods_amount + plan.splits[0].sums.goods_amount, before.goods_amount);
    cr_assert_eq(o[0].sums.receivable + plan.splits[0].sums.receivable, before.receivable);
    cr_assert_eq(o[0].sums.goods_count + plan.splits[0].sums.goods_count, before.goods_count);
    cr_assert_eq(plan.splits[0].status, OF_ST_AWAIT_AUDIT);
    cr_assert_eq(net(1, 100, OF_RES_ORDER), 0, "MID-STK-01: 2 held, 1 + 1 reserved on the same counter");
    int64_t units = 0;
    for (size_t i = 0; i < plan.nsales; i++)
        units += plan.sales[i].num;
    cr_assert_eq(units, 2, "MID-SLS-01: both units, once");
}

Test(mid, MID_BIG_03_other_goods_stay_and_every_big_unit_leaves) {
    spw_order(0); /* lines: spec 100 (2 units) and 101 */
    cfg.split_by_wh = 0;
    l[0].large_type = 2;
    l[0].num = 2;
    cfg.big_max_split = 5;
    decide();
    cr_assert_eq(plan.nsplits, 2);
    cr_assert_eq(l[0].new_split, 0, "the row goes with its first unit");
    cr_assert_eq(plan.npieces, 1);
    cr_assert_eq(plan.pieces[0].split, 1);
    cr_assert_eq(l[1].new_split, -1, "the other goods stay");
    of_stock_free(&spw_stock);
}

Test(mid, MID_BIG_01_more_than_CFG_BIG_MAX_SPLIT_is_not_split) {
    big_order(OF_ST_PRE_AUDIT, 3);
    cfg.big_max_split = 2;
    decide();
    cr_assert_eq(plan.nsplits, 0);
    int logged = 0;
    for (size_t i = 0; i < o[0].logs.n; i++)
        logged |= !strcmp(o[0].logs.e[i].rule, "MID-BIG-01");
    cr_assert(logged);
}

Test(mid, MID_BIG_03_one_unit_in_all_is_not_split) {
    big_order(OF_ST_PRE_AUDIT, 1);
    decide();
    cr_assert_eq(plan.nsplits, 0);
}

Test(mid, MID_BIG_04_a_pre_order_splits_into_pre_orders) {
    big_order(OF_ST_PREORDER_PRE, 3);
    decide();
    cr_assert_eq(plan.nsplits, 2);
    cr_assert_eq(plan.splits[0].status, OF_ST_PREORDER);
    cr_assert_eq(plan.splits[1].status, OF_ST_PREORDER);
    cr_assert_eq(net(1, 100, OF_RES_SUBSCRIBE), 0);
}

Test(mid, MID_BIG_not_when_the_shop_does_not_split_or_the_order_is_sealed) {
    big_order(OF_ST_PRE_AUDIT, 2);
    o[0].shop_split_merge = 0;
    decide();
    cr_assert_eq(plan.nsplits, 0);
    o[0].shop_split_merge = 1;
    o[0].is_sealed = 1;
    decide();
    cr_assert_eq(plan.nsplits, 0);
}

Test(mid, MID_BIG_02_a_partly_refunded_line_is_left_whole) {
    big_order(OF_ST_PRE_AUDIT, 2);
    l[0].num = 3; /* one unit refunded */
    decide();
    cr_assert_eq(plan.nsplits, 0);
}

/* ---- review fixes ---- */
Test(mid, MID_SPW_04_gifts_alone_on_the_order_warehouse_do_not_keep_the_order) {
    spw_order(1);
    static of_spec_wh_t des[] = {
        {1, 100, 2, OF_SWH_WAREHOUSE, 0, 10},
        {1, 101, 2, OF_SWH_WAREHOUSE, 0, 10},
        {1, 102, 1, OF_SWH_WAREHOUSE, 0, 10},
    };
    spw_cat.spec_whs = des;
    spw_cat.nspec_whs = 3;
    of_cat_index(&spw_cat);
    decide();
    cr_assert_eq(plan.nsplits, 0, "the gift goes with the goods (CFG_NO_ALL_GIFT_SPLIT)");
    cr_assert_eq(o[0].new_warehouse_id, 2, "the order moves to the goods' warehouse");
    cr_assert_eq(net(2, 102, OF_RES_ORDER), 2, "the gift is reserved there too");
    of_stock_free(&spw_stock);
}

Test(mid, MID_MRG_03_not_into_an_order_split_in_the_same_round) {
    spw_order(0);
    o[0].status = OF_ST_PREORDER_PRE;
    l[0].held_kind = l[1].held_kind = OF_RES_SUBSCRIBE;
    order(1, OF_ST_PREORDER_PRE);
    decide();
    cr_assert(o[0].split);
    cr_assert_eq(o[1].merged_into, 0, "未拆分: the split pre-order takes no merge");
    cr_assert_eq(o[1].new_status, OF_ST_PREORDER);
    of_stock_free(&spw_stock);
}

Test(mid, MID_SPW_07_kinds_of_a_split_order_count_distinct_specs) {
    spw_order(0);
    of_mid_line_t *y = &l[nline++]; /* a second line of spec 101 */
    *y = l[1];
    y->rec_id = 201;
    o[0].nline = 3;
    of_mid_line_t *z = &l[nline++]; /* and one of spec 103, designated to GZ-01 as well */
    *z = l[1];
    z->rec_id = 202;
    z->spec_id = 103;
    o[0].nline = 4;
    static of_spec_wh_t des[] = {
        {1, 100, 1, OF_SWH_WAREHOUSE, 0, 10},
        {1, 101, 2, OF_SWH_WAREHOUSE, 0, 10},
        {1, 103, 2, OF_SWH_WAREHOUSE, 0, 10},
    };
    spw_cat.spec_whs = des;
    spw_cat.nspec_whs = 3;
    of_cat_index(&spw_cat);
    of_stock_put(&spw_stock, &(of_stock_row_t){.warehouse_id = 2, .spec_id = 103, .stock_num = 100});
    decide();
    cr_assert_eq(plan.nsplits, 1);
    cr_assert_eq(plan.splits[0].goods_type_count, 2, "specs 101, 101, 103: two kinds");
    cr_assert_eq(o[0].goods_type_count, 1);
    cr_assert_str_eq(o[0].single_spec_no, "SPEC-A");
    of_stock_free(&spw_stock);
}

Test(mid, MID_UMF_01_after_a_split_both_orders_carry_the_same_name_flag) {
    spw_order(0);
    decide();
    cr_assert_eq(plan.nsplits, 1);
    cr_assert_eq(o[0].new_unmerge_mask & OF_UM_SAME_NAME, OF_UM_SAME_NAME, "D-MID-18: two open orders now");
    of_stock_free(&spw_stock);
}

Test(mid, MID_MRG_records_keep_each_order_own_receivable) {
    order(0, OF_ST_AWAIT_AUDIT);
    order(1, OF_ST_PRE_AUDIT);
    order(2, OF_ST_PRE_AUDIT);
    int64_t own = o[1].sums.receivable;
    decide();
    cr_assert_eq(o[1].merged_into, 10);
    cr_assert_eq(o[1].receivable0, own, "not including order 12's, merged into it first");
}

Test(mid, MID_SLS_01_an_order_counted_before_is_not_counted_again) {
    order(0, OF_ST_PRE_AUDIT);
    o[0].sales_counted = 1; /* it was in 30 before trade-modify sent it back */
    decide();
    cr_assert_eq(o[0].new_status, OF_ST_AWAIT_AUDIT);
    cr_assert_eq(plan.nsales, 0);
}

Test(mid, MID_SLS_01_lines_leaving_pre_processing_count_once_each) {
    order(0, OF_ST_PRE_AUDIT);
    order(1, OF_ST_PREORDER_PRE);
    decide();
    cr_assert_eq(plan.nsales, 2);
    cr_assert_eq(plan.sales[0].num + plan.sales[1].num, 4);
}

Test(mid, MID_MRG_02_remarks_and_refund_status_of_both_orders_are_kept) {
    order(0, OF_ST_PRE_AUDIT);
    order(1, OF_ST_PRE_AUDIT);
    o[0].cs_remark = "";
    o[1].cs_remark = "顺丰发货";
    o[0].buyer_message = "请周五前送达";
    o[1].buyer_message = "请周五前送达";
    o[1].refund_status = 2;
    decide();
    cr_assert_eq(o[1].merged_into, 10);
    cr_assert_str_eq(o[0].cs_remark_out, "顺丰发货");
    cr_assert_str_eq(o[0].buyer_message_out, "请周五前送达", "the same text once");
    cr_assert_eq(o[0].new_refund_status, 2, "a partly refunded order merged in: partly refunded");
}

/* ---- MID-PRE-01 (D-MID-22): a pre-order (19 → 25) on warehouse 1 with specs 100 and 101 (and a gift, 102) ---- */
static of_preorder_kw_t pre_kws[] = {{1, "预售", ""}};

/* a second order in the same test: the first one's stock, plan and logs go */
static void again(void) {
    of_stock_free(&spw_stock);
    of_cat_index_free(&spw_cat);
    of_mid_plan_free(&plan, o, nord);
    nord = nline = 0;
}

static void pre_order(const char *by, int gift, int stock100, int stock101, int stock102) {
    spw_order(gift);
    o[0].status = OF_ST_PREORDER_PRE;
    o[0].preorder_by = by;
    for (size_t i = 0; i < nline; i++) {
        l[i].held_kind = (int)of_stock_reservation_for_status(OF_ST_PREORDER_PRE);
        l[i].api_goods_name = "常规 T 恤";
    }
    spw_cat.preorder_kws = pre_kws;
    spw_cat.npreorder_kws = 1;
    of_stock_put(&spw_stock, &(of_stock_row_t){.warehouse_id = 1, .spec_id = 100, .stock_num = stock100});
    of_stock_put(&spw_stock, &(of_stock_row_t){.warehouse_id = 1, .spec_id = 101, .stock_num = stock101});
    of_stock_put(&spw_stock, &(of_stock_row_t){.warehouse_id = 1, .spec_id = 102, .stock_num = stock102});
    cfg.split_by_wh = 0;
    cfg.split_preorder = 1;
}

Test(mid, MID_PRE_01_off_keeps_the_pre_order_whole) {
    pre_order("SUB-PRE-01", 0, 100, 0, 0);
    cfg.split_preorder = 0;
    decide();
    cr_assert_eq(plan.nsplits, 0);
    cr_assert_eq(o[0].new_status, OF_ST_PREORDER);
    of_stock_free(&spw_stock);
}

Test(mid, MID_PRE_01_stock_pre_order_sends_the_lines_in_stock_to_audit_money_adds_up) {
    pre_order("SUB-PRE-01", 0, 100, 1, 0); /* spec 101: 1 free, 2 wanted */
    of_mid_sums_t before = o[0].sums;
    decide();
    cr_assert_eq(plan.nsplits, 1);
    const of_mid_split_t *sp = &plan.splits[0];
    cr_assert_eq(sp->status, OF_ST_AWAIT_AUDIT);
    cr_assert_eq(sp->warehouse_id, 1);
    cr_assert_str_eq(sp->rule, "MID-PRE-01");
    cr_assert_eq(l[0].new_split, 0, "spec 100 is in stock: to audit");
    cr_assert_eq(l[1].new_split, -1, "spec 101 is short: stays on the pre-order");
    cr_assert_eq(o[0].new_status, OF_ST_PREORDER);
    cr_assert(o[0].split);
    const of_mid_sums_t *a = &o[0].sums, *b = &sp->sums;
    cr_assert_eq(b->goods_amount, 100001);
    cr_assert_eq(a->goods_amount + b->goods_amount, before.goods_amount);
    cr_assert_eq(a->receivable + b->receivable, before.receivable, "receivable shared out to the unit");
    cr_assert_eq(a->paid + b->paid, before.paid);
    cr_assert_eq(a->goods_cost + b->goods_cost, before.goods_cost);
    cr_assert_eq(a->goods_count + b->goods_count, before.goods_count);
    /* MID-STK-01 (OP-83): the line sent to audit reserves order_num, the one left keeps subscribe_num */
    cr_assert_eq(net(1, 100, OF_RES_ORDER), 2);
    cr_assert_eq(net(1, 100, OF_RES_SUBSCRIBE), -2);
    cr_assert_eq(net(1, 101, OF_RES_ORDER), 0);
    cr_assert_eq(net(1, 101, OF_RES_SUBSCRIBE), 0);
    of_stock_free(&spw_stock);
}

Test(mid, MID_PRE_01_every_line_ready_moves_the_whole_order_to_audit) {
    pre_order("SUB-PRE-01", 0, 100, 100, 0);
    decide();
    cr_assert_eq(plan.nsplits, 0);
    cr_assert_eq(o[0].new_status, OF_ST_AWAIT_AUDIT);
    cr_assert_eq(net(1, 101, OF_RES_ORDER), 2);
    of_stock_free(&spw_stock);
}

Test(mid, MID_PRE_01_nothing_ready_stays_a_pre_order) {
    pre_order("SUB-PRE-01", 0, 1, 0, 0);
    decide();
    cr_assert_eq(plan.nsplits, 0);
    cr_assert_eq(o[0].new_status, OF_ST_PREORDER);
    of_stock_free(&spw_stock);
}

Test(mid, MID_PRE_01_a_pre_order_the_shop_or_the_cs_remark_asked_for_stays_whole) {
    pre_order("SUB-CFG-03", 0, 100, 100, 0);
    decide();
    cr_assert_eq(plan.nsplits, 0);
    cr_assert_eq(o[0].new_status, OF_ST_PREORDER);
    again();
    pre_order("", 0, 100, 100, 0); /* made before the rule was recorded */
    decide();
    cr_assert_eq(o[0].new_status, OF_ST_PREORDER);
    of_stock_free(&spw_stock);
}

Test(mid, MID_PRE_01_keyword_pre_order_sends_the_lines_without_the_keyword_to_audit) {
    pre_order("SUB-CFG-05", 0, 0, 0, 0); /* no stock at all: the keyword decides */
    l[1].api_goods_name = "预售 羽绒服";
    decide();
    cr_assert_eq(plan.nsplits, 1);
    cr_assert_eq(l[0].new_split, 0);
    cr_assert_eq(l[1].new_split, -1, "the keyword line stays a pre-order");
    cr_assert_eq(plan.splits[0].status, OF_ST_AWAIT_AUDIT);
    of_stock_free(&spw_stock);
}

Test(mid, MID_PRE_01_gifts_alone_do_not_go_to_audit_and_waiting_gifts_go_along) {
    pre_order("SUB-PRE-01", 1, 0, 0, 100); /* only the gift is in stock */
    decide();
    cr_assert_eq(plan.nsplits, 0, "CFG_NO_ALL_GIFT_SPLIT: no order of gifts only");
    cr_assert_eq(o[0].new_status, OF_ST_PREORDER);
    again();
    pre_order("SUB-PRE-01", 1, 100, 100, 0); /* every good in stock, the gift short */
    decide();
    cr_assert_eq(plan.nsplits, 0, "the gift does not stay behind alone");
    cr_assert_eq(o[0].new_status, OF_ST_AWAIT_AUDIT);
    of_stock_free(&spw_stock);
}

Test(mid, MID_PRE_01_bound_lines_wait_together) {
    pre_order("SUB-PRE-01", 0, 100, 0, 0);
    l[0].bind_oid = l[1].bind_oid = "B-1";
    decide();
    cr_assert_eq(plan.nsplits, 0);
    cr_assert_eq(o[0].new_status, OF_ST_PREORDER);
    of_stock_free(&spw_stock);
}

Test(mid, MID_PRE_01_the_shop_that_does_not_split_keeps_a_partly_ready_pre_order) {
    pre_order("SUB-PRE-01", 0, 100, 0, 0);
    o[0].shop_split_merge = 0;
    decide();
    cr_assert_eq(plan.nsplits, 0);
    cr_assert_eq(o[0].new_status, OF_ST_PREORDER);
    of_stock_free(&spw_stock);
}
