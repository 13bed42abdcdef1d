/* test_status.c -- order values and status: SUB-AGG-01…-04, SUB-STAT-01…-09, SUB-FLAG-01…-03, SUB-WU-01/02 and
 * the reservation plan of SUB-STK-01…-06 (one test per rule ID at least, and one per open point decided). */
#include <criterion/criterion.h>
#include <string.h>
#include "fixture_rules_status.h"
#include "of_aggregate.h"
#include "of_flags.h"
#include "of_reserve.h"
#include "of_status.h"

static fx_t f;

static void setup(void) {
    fx_init(&f);
}
static void teardown(void) {
    fx_fini(&f);
}

TestSuite(sub_agg, .init = setup, .fini = teardown);
TestSuite(sub_stat, .init = setup, .fini = teardown);
TestSuite(sub_flag, .init = setup, .fini = teardown);
TestSuite(sub_wu, .init = setup, .fini = teardown);
TestSuite(sub_stk, .init = setup, .fini = teardown);

static int64_t T(const char *s) {
    return of_time_parse(s);
}

/* ---------------------------------------------------------------- SUB-AGG */

Test(sub_agg, SUB_AGG_01_sums_shippable_lines_OP_40) {
    of_line_t *a = fx_line(&f, 1, "SKU-TEA-001", 2, 0);
    a->weight = FX_KG(0.35);
    a->volume = FX_KG(1500);
    a->share_amount = FX_KG(100);
    a->share_post = FX_KG(5);
    a->paid = FX_KG(105);
    a->discount = FX_KG(2);
    a->commission = FX_KG(1);
    of_line_t *b = fx_line(&f, 2, "SKU-TEA-002", 1, 1); /* 1 = refund cancelled: still shipped */
    b->weight = FX_KG(0.75);
    b->volume = FX_KG(4500);
    b->share_amount = FX_KG(50);
    b->share_post = FX_KG(5);
    b->paid = FX_KG(40);
    b->discount = FX_KG(3);
    b->commission = FX_KG(0.5);
    b->gift_type = 2;
    b->is_not_use_air = 1;
    of_line_t *c = fx_line(&f, 3, "SKU-TEA-003", 0, 5); /* refunded: excluded */
    c->weight = FX_KG(9);
    c->share_amount = FX_KG(999);
    c->gift_type = 4;
    of_line_t *d = fx_line(&f, 4, "SKU-TEA-004", 3, 0); /* zero-weight line still counts */
    d->share_amount = FX_KG(10);
    of_line_t *e = fx_line(&f, 5, "SKU-TEA-005", 7, 5); /* refund completed (≥ 5) even with actual_num */
    e->share_amount = FX_KG(1000);

    cr_assert_eq(of_aggregate(&f.in, &f.s), 0);
    const of_agg_t *g = &f.s.agg;
    cr_expect_eq(g->goods_count, 6);
    cr_expect_eq(g->goods_type_count, 3);
    cr_expect_eq(g->weight, FX_KG(1.45));
    cr_expect_eq(g->volume, FX_KG(7500));
    cr_expect_eq(g->goods_amount, FX_KG(160));
    cr_expect_eq(g->post_amount, FX_KG(10));
    cr_expect_eq(g->paid, FX_KG(145));
    cr_expect_eq(g->discount, FX_KG(5));
    cr_expect_eq(g->commission, FX_KG(1.5));
    cr_expect_eq(g->gift_mask, 2u);
    cr_expect_eq(g->is_not_use_air, 1);
    cr_expect_eq(g->pbs_amount, FX_KG(145), "PBS amount = paid");
    cr_expect_eq(g->cod_amount, FX_KG(25), "COD amount = goods 160 + post 10 − paid 145");
    cr_expect_eq(g->delivery_term, 1);
    cr_expect_not_null(of_trace_find(&f.s.trace, "SUB-AGG-01", "aggregate"));
}

Test(sub_agg, SUB_AGG_01_delivery_term_every_line_pbs_else_raw) {
    f.raw.delivery_term = 2;
    fx_line(&f, 1, "A", 1, 0);
    of_line_t *x = fx_line(&f, 2, "B", 0, 5); /* excluded line does not count */
    x->delivery_term = 2;
    cr_assert_eq(of_aggregate(&f.in, &f.s), 0);
    cr_expect_eq(f.s.agg.delivery_term, 1, "every qualifying line is PBS (SUB-MAP-14)");

    of_line_t *y = fx_line(&f, 3, "C", 1, 0);
    y->delivery_term = 2;
    cr_assert_eq(of_aggregate(&f.in, &f.s), 0);
    cr_expect_eq(f.s.agg.delivery_term, 2, "one non-PBS line → RAW.delivery_term");
}

Test(sub_agg, SUB_AGG_02_no_shippable_line_stops_bad_reason_8) {
    fx_line(&f, 1, "A", 0, 0); /* not refunded, nothing to ship */
    fx_line(&f, 2, "B", 0, 2);
    cr_expect_eq(of_aggregate(&f.in, &f.s), 1);
    cr_expect_eq(f.s.raw_bad_reason & OF_BAD_NO_GOODS, (uint32_t)OF_BAD_NO_GOODS);
    cr_expect_str_eq(f.s.stop_rule, "SUB-AGG-02");
    cr_expect_eq(f.s.submitted, 0);
    cr_expect_eq(f.s.cancelled, 0);
}

Test(sub_agg, SUB_AGG_02_no_line_at_all_stops) {
    cr_expect_eq(of_aggregate(&f.in, &f.s), 1);
    cr_expect_str_eq(f.s.stop_rule, "SUB-AGG-02");
    cr_expect_eq(f.s.refund_status, OF_TRS_NONE, "no line is not a full refund");
}

Test(sub_agg, SUB_AGG_03_every_line_refunded_cancels_not_bad_reason_OP_41) {
    fx_line(&f, 1, "A", 0, 5);
    fx_line(&f, 2, "B", 0, 3);
    fx_line(&f, 3, "C", 0, 6);
    cr_expect_eq(of_aggregate(&f.in, &f.s), 0, "the full-refund path does not stop");
    cr_expect_eq(f.s.refund_status, OF_TRS_FULL);
    cr_expect_eq(f.s.cancelled, 1);
    cr_expect_eq(f.s.raw_bad_reason, 0u, "bad_reason 8 is not set for a full refund (OP-41)");
    cr_expect_str_eq(f.s.stop_rule, "");
}

Test(sub_agg, SUB_AGG_03_only_applications_is_applied) {
    fx_line(&f, 1, "A", 1, 2);
    fx_line(&f, 2, "B", 1, 0);
    fx_line(&f, 3, "C", 1, 1);
    cr_assert_eq(of_aggregate(&f.in, &f.s), 0);
    cr_expect_eq(f.s.refund_status, OF_TRS_APPLIED);
    cr_expect_eq(f.s.cancelled, 0);
}

Test(sub_agg, SUB_AGG_03_some_refunded_is_partial) {
    fx_line(&f, 1, "A", 0, 5);
    fx_line(&f, 2, "B", 1, 0);
    cr_assert_eq(of_aggregate(&f.in, &f.s), 0);
    cr_expect_eq(f.s.refund_status, OF_TRS_PARTIAL);
    cr_expect_eq(f.s.cancelled, 0);

    f.s.lines[1].refund_status = 2; /* applied + refunded, not all refunded */
    cr_assert_eq(of_aggregate(&f.in, &f.s), 0);
    cr_expect_eq(f.s.refund_status, OF_TRS_PARTIAL);
}

Test(sub_agg, SUB_AGG_03_no_refund_or_cancelled_refund_is_none) {
    fx_line(&f, 1, "A", 1, 0);
    fx_line(&f, 2, "B", 1, 1);
    cr_assert_eq(of_aggregate(&f.in, &f.s), 0);
    cr_expect_eq(f.s.refund_status, OF_TRS_NONE);
}

Test(sub_agg, SUB_AGG_04_single_kind_stores_spec_no) {
    fx_line(&f, 7, "SKU-CUP-002", 1, 0);
    fx_line(&f, 7, "SKU-CUP-002", 2, 0); /* same spec twice: one kind */
    fx_line(&f, 8, "SKU-SNK-001", 0, 5); /* excluded */
    cr_assert_eq(of_aggregate(&f.in, &f.s), 0);
    cr_expect_eq(f.s.agg.goods_type_count, 1);
    cr_expect_eq(f.s.agg.goods_count, 3);
    cr_expect_str_eq(f.s.agg.single_spec_no, "SKU-CUP-002");

    fx_line(&f, 9, "SKU-SNK-002", 1, 0);
    cr_assert_eq(of_aggregate(&f.in, &f.s), 0);
    cr_expect_eq(f.s.agg.goods_type_count, 2);
    cr_expect_str_eq(f.s.agg.single_spec_no, "", "two kinds: no single spec_no");
}

/* ---------------------------------------------------------------- SUB-STAT */

/* A paid, PBS order in the Shanghai warehouse: the default path ends in 20. */
static void paid_order(void) {
    f.s.warehouse_id = 1;
    f.s.agg.delivery_term = 1;
}

static void expect_status(int status, const char *rule) {
    cr_expect_eq(f.s.status, status, "status %d, want %d", f.s.status, status);
    const of_trace_entry_t *e = of_trace_find(&f.s.trace, rule, "status");
    cr_expect_not_null(e, "trace of %s", rule);
    cr_expect(fx_has_log(&f.s, rule, of_status_name(status)), "status log of %s", rule);
    int logged = 0;
    for (size_t i = 0; i < f.s.logs.n; i++)
        logged += f.s.logs.e[i].type == OF_LOG_STATUS;
    cr_expect_eq(logged, 1, "one status log per outcome");
}

Test(sub_stat, SUB_STAT_01_cancelled_is_5) {
    paid_order();
    f.s.cancelled = 1;
    f.cat.set.auto_external_wh = 1;
    f.s.warehouse_id = 4; /* would be 55 otherwise */
    of_status_decide(&f.in, &f.s);
    expect_status(OF_ST_CANCELLED, "SUB-STAT-01");
}

Test(sub_stat, SUB_STAT_02_auto_external_warehouse_is_55_logs_outsourced) {
    paid_order();
    f.cat.set.auto_external_wh = 1;
    f.s.warehouse_id = 4;
    f.s.is_preorder = 1; /* SUB-STAT-02 comes first */
    of_status_decide(&f.in, &f.s);
    expect_status(OF_ST_AUDITED_EXT, "SUB-STAT-02");
    cr_expect(fx_has_log(&f.s, "SUB-STAT-02", "委外订单"));
}

Test(sub_stat, SUB_STAT_02_only_paid_trade_OP_45) {
    f.cat.set.auto_external_wh = 1;
    f.s.warehouse_id = 4;
    f.raw.trade_status = 10;
    of_status_decide(&f.in, &f.s);
    expect_status(OF_ST_UNPAID, "SUB-STAT-03");
    cr_expect_not_null(of_trace_find(&f.s.trace, "SUB-STAT-02", "skipped"), "explained (OP-45)");

    of_sub_free(&f.s);
    of_sub_init(&f.s);
    f.s.warehouse_id = 4;
    f.cat.set.auto_external_wh = 0; /* switch off: normal path */
    f.raw.trade_status = 30;
    f.s.agg.delivery_term = 1;
    of_status_decide(&f.in, &f.s);
    expect_status(OF_ST_PRE_AUDIT, "SUB-STAT-08");
}

Test(sub_stat, SUB_STAT_03_unpaid_below_20_OP_01) {
    paid_order();
    f.raw.trade_status = 10;
    of_status_decide(&f.in, &f.s);
    expect_status(OF_ST_UNPAID, "SUB-STAT-03");

    of_sub_free(&f.s);
    of_sub_init(&f.s);
    f.raw.trade_status = 0;
    of_status_decide(&f.in, &f.s);
    cr_expect_eq(f.s.status, OF_ST_UNPAID);
}

Test(sub_stat, SUB_STAT_04_balance_due_is_12) {
    paid_order();
    f.raw.trade_status = 20;
    of_status_decide(&f.in, &f.s);
    expect_status(OF_ST_BALANCE, "SUB-STAT-04");
}

Test(sub_stat, SUB_STAT_05_no_warehouse_address_mode_is_13) {
    f.s.warehouse_id = 0;
    f.s.wh_address_mode = 1;
    f.s.is_preorder = 1; /* SUB-STAT-05 comes first */
    of_status_decide(&f.in, &f.s);
    expect_status(OF_ST_SELECT_WH, "SUB-STAT-05");
}

Test(sub_stat, SUB_STAT_05_needs_address_mode) {
    f.s.warehouse_id = 0;
    f.s.agg.delivery_term = 1;
    of_status_decide(&f.in, &f.s);
    cr_expect_eq(f.s.status, OF_ST_PRE_AUDIT, "no warehouse outside the address mode is not 13");
}

Test(sub_stat, SUB_STAT_06_preorder_is_19) {
    paid_order();
    f.s.is_preorder = 1;
    f.s.grab = 1; /* SUB-STAT-06 comes before the grab */
    snprintf(f.s.preorder_by, sizeof f.s.preorder_by, "SUB-CFG-05");
    of_status_decide(&f.in, &f.s);
    expect_status(OF_ST_PREORDER_PRE, "SUB-STAT-06");
    cr_expect(fx_has_log(&f.s, "SUB-STAT-06", "SUB-CFG-05"));
}

Test(sub_stat, SUB_STAT_07_grab_replaces_logistics_with_shop_grab_logistics_OP_46) {
    paid_order();
    f.s.grab = 1;
    f.s.logistics_id = 1; /* SF: not no-tracking */
    f.s.logistics_by = OF_LB_STRATEGY;
    f.s.post_cost = FX_KG(12); /* fee of SF */
    snprintf(f.s.area_alias, sizeof f.s.area_alias, "SF-ALIAS");
    f.logi_fees[0] = (of_logi_fee_t){.logistics_id = 5,
                                     .first_weight = FX_KG(1),
                                     .first_fee = FX_KG(3),
                                     .step_weight = FX_KG(1),
                                     .step_fee = FX_KG(1),
                                     .round_mode = 1};
    f.cat.nlogi_fees = 1;
    f.s.agg.weight = FX_KG(2.5);
    of_status_decide(&f.in, &f.s);
    expect_status(OF_ST_GRAB, "SUB-STAT-07");
    cr_expect_eq(f.s.logistics_id, 5u, "shop 1 grab logistics NOTRACK");
    cr_expect_eq(f.s.grab, 1);
    cr_expect_eq(f.s.post_cost, FX_KG(5), "fee re-run for the new logistics: 3 + 2 steps × 1");
    cr_expect_str_eq(f.s.area_alias, "上海市浦东新区", "alias re-run for the new logistics");
    cr_expect_eq(f.s.delay_to_time, 0);
}

Test(sub_stat, SUB_STAT_07_grab_keeps_a_no_tracking_choice) {
    paid_order();
    f.s.grab = 1;
    f.s.logistics_id = 5;
    f.s.post_cost = FX_KG(7);
    of_status_decide(&f.in, &f.s);
    expect_status(OF_ST_GRAB, "SUB-STAT-07");
    cr_expect_eq(f.s.logistics_id, 5u);
    cr_expect_eq(f.s.post_cost, FX_KG(7), "unchanged logistics keeps its fee");
}

Test(sub_stat, SUB_STAT_07_grab_first_no_tracking_without_shop_grab_logistics_OP_46) {
    paid_order();
    f.in.shop_id = 3;                    /* pdd-outlet: no grab logistics */
    f.logis[0].type = OF_LT_NO_TRACKING; /* SF (sort 10) becomes the first no-tracking */
    fx_index(&f);
    f.s.grab = 1;
    f.s.logistics_id = 2;
    of_status_decide(&f.in, &f.s);
    expect_status(OF_ST_GRAB, "SUB-STAT-07");
    cr_expect_eq(f.s.logistics_id, 1u, "first no-tracking logistics by sort order");
}

Test(sub_stat, SUB_STAT_07_no_no_tracking_logistics_no_grab_OP_46) {
    paid_order();
    for (size_t i = 0; i < f.cat.nlogis; i++)
        if (f.logis[i].type == OF_LT_NO_TRACKING) f.logis[i].type = OF_LT_EXPRESS;
    f.s.grab = 1;
    f.s.logistics_id = 1;
    of_status_decide(&f.in, &f.s);
    expect_status(OF_ST_PRE_AUDIT, "SUB-STAT-08");
    cr_expect_eq(f.s.grab, 0, "no grab");
    cr_expect_eq(f.s.logistics_id, 1u, "logistics unchanged");
}

Test(sub_stat, SUB_STAT_07_grab_needs_a_warehouse) {
    f.s.agg.delivery_term = 1;
    f.s.grab = 1;
    f.s.warehouse_id = 0;
    of_status_decide(&f.in, &f.s);
    cr_expect_eq(f.s.status, OF_ST_PRE_AUDIT);
    cr_expect_eq(f.s.grab, 0);
}

Test(sub_stat, SUB_STAT_08_pbs_delay_until_pay_time_plus_delay_audit) {
    paid_order();
    f.cat.set.delay_audit_s = 3 * 3600; /* pay 10:01 + 3 h > now 12:00 */
    f.cat.set.cod_delay_s = 0;
    of_status_decide(&f.in, &f.s);
    expect_status(OF_ST_DELAY, "SUB-STAT-08");
    cr_expect_eq(f.s.delay_to_time, T("2026-11-20 13:01:00"));
}

Test(sub_stat, SUB_STAT_08_pbs_delay_over_is_20) {
    paid_order();
    f.cat.set.delay_audit_s = 3600;    /* 11:01 < now */
    f.cat.set.cod_delay_s = 24 * 3600; /* the COD setting does not apply to PBS (OP-47) */
    of_status_decide(&f.in, &f.s);
    expect_status(OF_ST_PRE_AUDIT, "SUB-STAT-08");
    cr_expect_eq(f.s.delay_to_time, 0);
}

Test(sub_stat, SUB_STAT_08_cod_delay_until_trade_time_plus_cod_delay_OP_47) {
    paid_order();
    f.s.agg.delivery_term = 2;
    f.s.pay_time = 0;
    f.cat.set.cod_delay_s = 4 * 3600; /* trade 10:00 + 4 h */
    f.cat.set.delay_audit_s = 0;
    of_status_decide(&f.in, &f.s);
    expect_status(OF_ST_DELAY, "SUB-STAT-08");
    cr_expect_eq(f.s.delay_to_time, T("2026-11-20 14:00:00"));
}

Test(sub_stat, SUB_STAT_08_cod_delay_over_is_20_any_non_pbs_term) {
    paid_order();
    f.s.agg.delivery_term = 3;        /* every ≠ 1 takes the COD branch (OP-47) */
    f.cat.set.cod_delay_s = 2 * 3600; /* 12:00 = now: not before */
    f.cat.set.delay_audit_s = 24 * 3600;
    of_status_decide(&f.in, &f.s);
    expect_status(OF_ST_PRE_AUDIT, "SUB-STAT-08");
    cr_expect_eq(f.s.delay_to_time, 0);
}

Test(sub_stat, SUB_STAT_09_other_platform_status_is_5) {
    paid_order();
    f.raw.trade_status = 25;
    of_status_decide(&f.in, &f.s);
    expect_status(OF_ST_CANCELLED, "SUB-STAT-09");

    of_sub_free(&f.s);
    of_sub_init(&f.s);
    f.raw.trade_status = 35;
    of_status_decide(&f.in, &f.s);
    cr_expect_eq(f.s.status, OF_ST_CANCELLED);
}

/* ---------------------------------------------------------------- SUB-FLAG */

static void sibling(uint64_t id, int status, const char *trade_time) {
    f.sibs[f.in.nsiblings++] = (of_sibling_t){.trade_id = id, .status = status, .trade_time = T(trade_time)};
}

static const of_sib_update_t *upd(uint64_t id) {
    for (size_t i = 0; i < f.s.nsib; i++)
        if (f.s.sib[i].trade_id == id) return &f.s.sib[i];
    return NULL;
}

static void five_siblings(void) {
    sibling(101, 10, "2026-11-19 09:00:00");
    sibling(102, 20, "2026-11-19 09:00:00");
    sibling(103, 95, "2026-11-19 09:00:00");
    sibling(104, 5, "2026-11-19 09:00:00");
    sibling(105, 96, "2026-11-19 09:00:00");
}

Test(sub_flag, SUB_FLAG_01_unpaid_flags_siblings_10_to_95_bit_1) {
    five_siblings();
    f.s.status = 10;
    f.cat.set.wait_unpaid_s = 0;
    cr_assert_eq(of_flags_decide(&f.in, &f.s), 0);
    for (uint64_t id = 101; id <= 103; id++) {
        cr_assert_not_null(upd(id), "sibling %llu", (unsigned long long)id);
        cr_expect_eq(upd(id)->or_mask & OF_UM_HAS_UNPAID, (uint32_t)OF_UM_HAS_UNPAID);
        cr_expect_eq(upd(id)->or_mask & OF_UM_SAME_NAME, 0u);
    }
    cr_expect_null(upd(104), "status 5 is outside 10..95");
    cr_expect_null(upd(105), "status 96 is outside 10..95");
}

Test(sub_flag, SUB_FLAG_02_paid_flags_siblings_bit_2) {
    static const int paid[] = {13, 16, 19, 20, 27};
    for (size_t k = 0; k < sizeof paid / sizeof paid[0]; k++) {
        of_sub_free(&f.s);
        of_sub_init(&f.s);
        f.in.nsiblings = 0;
        five_siblings();
        f.s.status = paid[k];
        f.s.warehouse_id = 1;
        cr_assert_eq(of_flags_decide(&f.in, &f.s), 0);
        for (uint64_t id = 101; id <= 103; id++) {
            cr_assert_not_null(upd(id), "own %d sibling %llu", paid[k], (unsigned long long)id);
            cr_expect_eq(upd(id)->or_mask, (uint32_t)OF_UM_SAME_NAME);
        }
        cr_expect_null(upd(104));
        cr_expect_null(upd(105));
    }
}

Test(sub_flag, SUB_FLAG_02_literal_set_excludes_12_and_15_OP_03) {
    five_siblings();
    f.s.status = 12;
    cr_assert_eq(of_flags_decide(&f.in, &f.s), 0);
    cr_expect_eq(f.s.nsib, 0u, "12 is in no sibling set (OP-03, literal)");
    f.s.status = 5;
    cr_assert_eq(of_flags_decide(&f.in, &f.s), 0);
    cr_expect_eq(f.s.nsib, 0u);
}

Test(sub_flag, SUB_FLAG_02_update_a_sibling_already_flagged_is_not_written_D_MOD_22) {
    five_siblings();
    f.sibs[0].unmerge_mask = OF_UM_SAME_NAME;  /* 101 has bit 2 already */
    f.sibs[1].unmerge_mask = OF_UM_HAS_UNPAID; /* 102 has another bit only */
    f.s.status = 16;
    f.s.warehouse_id = 1;
    cr_assert_eq(of_flags_decide(&f.in, &f.s), 0);
    cr_assert_eq(f.s.nsib, 3u, "the rule still decides an update for each of 101…103");
    cr_expect_eq(of_sub_sib_prune(&f.s, f.sibs, f.in.nsiblings), 1u);
    cr_expect_null(upd(101), "bit 2 already set: nothing to write");
    cr_expect_not_null(upd(102));
    cr_expect_not_null(upd(103));
    /* a new status is always written (SUB-WU-01), whatever the mask */
    of_sub_free(&f.s);
    of_sub_init(&f.s);
    cr_assert_eq(of_sub_sib_update(&f.s, 101, OF_UM_SAME_NAME, OF_ST_WAIT_UNPAID, 1), 0);
    cr_expect_eq(of_sub_sib_prune(&f.s, f.sibs, f.in.nsiblings), 0u);
    cr_expect_not_null(upd(101));
}

/* D-MOD-48: what OF_SW_SIBLING's row leaves of a sibling, as the round's next trade of the customer sees it */
Test(sub_flag, SUB_FLAG_01_02_SUB_WU_01_update_as_a_later_reader_sees_it_D_MOD_48) {
    of_sibling_t sib = {.trade_id = 7, .status = 16, .trade_time = 100, .unmerge_mask = OF_UM_HAS_UNPAID};
    of_sub_sib_seen(&sib, &(of_sib_update_t){7, OF_UM_SAME_NAME, 0, 0});
    cr_expect_eq(sib.unmerge_mask, (uint32_t)(OF_UM_HAS_UNPAID | OF_UM_SAME_NAME), "flags OR-ed");
    cr_expect_eq(sib.status, 16, "no new status: unchanged");
    of_sub_sib_seen(&sib, &(of_sib_update_t){7, 0, OF_ST_WAIT_UNPAID, 500});
    cr_expect_eq(sib.status, OF_ST_WAIT_UNPAID, "SUB-WU-01: 16 waits for the unpaid one");
    cr_expect_eq(sib.trade_time, 100, "the trade time is not the statement's");
    sib.status = 30;
    of_sub_sib_seen(&sib, &(of_sib_update_t){7, 0, OF_ST_WAIT_UNPAID, 500});
    cr_expect_eq(sib.status, 30, "the statement moves 16 and 20 only");
}

/* D-MOD-48: two updates of one sibling in one statement (a multi-row UPDATE … JOIN changes a row once) give what two
 * statements give, from any status the row may have then */
Test(sub_flag, SUB_FLAG_SUB_WU_two_updates_merged_as_written_in_turn_D_MOD_48) {
    const of_sib_update_t ups[] = {{7, 0, 0, 0},
                                   {7, OF_UM_HAS_UNPAID, 0, 0},
                                   {7, OF_UM_SAME_NAME, OF_ST_WAIT_UNPAID, 500},
                                   {7, 0, OF_ST_DELAY, 600},
                                   {7, OF_UM_SAME_NAME, OF_ST_PRE_AUDIT, 700}};
    const int statuses[] = {10, 15, 16, 19, 20, 30, 95};
    size_t nu = sizeof ups / sizeof ups[0];
    for (size_t a = 0; a < nu; a++)
        for (size_t b = 0; b < nu; b++)
            for (size_t k = 0; k < sizeof statuses / sizeof statuses[0]; k++) {
                of_sibling_t two = {.trade_id = 7, .status = statuses[k], .unmerge_mask = 0};
                of_sibling_t one = two;
                of_sub_sib_seen(&two, &ups[a]);
                of_sub_sib_seen(&two, &ups[b]);
                of_sib_update_t m = ups[a];
                of_sub_sib_merge(&m, &ups[b]);
                of_sub_sib_seen(&one, &m);
                cr_expect_eq(one.status, two.status, "status %d, updates %zu then %zu", statuses[k], a, b);
                cr_expect_eq(one.unmerge_mask, two.unmerge_mask, "mask, updates %zu then %zu", a, b);
                if (one.status != statuses[k]) { /* the delay written is the one of the update that moved it last */
                    int64_t want = two.status == ups[b].new_status && ups[b].new_status ? ups[b].delay_to_time
                                                                                        : ups[a].delay_to_time;
                    cr_expect_eq(m.delay_to_time, want, "delay, status %d, updates %zu then %zu", statuses[k], a, b);
                }
            }
}

Test(sub_flag, SUB_FLAG_03_own_mask_from_siblings) {
    f.s.status = 5;
    sibling(1, 10, "2026-11-19 09:00:00");
    cr_assert_eq(of_flags_decide(&f.in, &f.s), 0);
    cr_expect_eq(f.s.unmerge_mask, (uint32_t)OF_UM_HAS_UNPAID, "status 10 → bit 1 only (10 is not > 10)");

    f.in.nsiblings = 0;
    sibling(2, 95, "2026-11-19 09:00:00");
    cr_assert_eq(of_flags_decide(&f.in, &f.s), 0);
    cr_expect_eq(f.s.unmerge_mask, (uint32_t)OF_UM_SAME_NAME, "10 < 95 ≤ 95 → bit 2");

    sibling(3, 10, "2026-11-19 09:00:00");
    cr_assert_eq(of_flags_decide(&f.in, &f.s), 0);
    cr_expect_eq(f.s.unmerge_mask, (uint32_t)(OF_UM_HAS_UNPAID | OF_UM_SAME_NAME));

    f.in.nsiblings = 0;
    sibling(4, 5, "2026-11-19 09:00:00");
    sibling(5, 96, "2026-11-19 09:00:00");
    cr_assert_eq(of_flags_decide(&f.in, &f.s), 0);
    cr_expect_eq(f.s.unmerge_mask, 0u);
}

/* ---------------------------------------------------------------- SUB-WU */

Test(sub_wu, SUB_WU_01_unpaid_holds_paid_siblings_16_20) {
    f.s.status = 10;
    f.cat.set.wait_unpaid_s = 3 * 3600; /* own trade 10:00 + 3 h ≥ now 12:00 */
    sibling(201, 20, "2026-11-20 08:00:00");
    sibling(202, 16, "2026-11-20 08:00:00");
    sibling(203, 27, "2026-11-20 08:00:00");
    cr_assert_eq(of_flags_decide(&f.in, &f.s), 0);
    cr_expect_eq(f.s.unmerge_mask & OF_UM_SAME_NAME, (uint32_t)OF_UM_SAME_NAME);
    for (uint64_t id = 201; id <= 202; id++) {
        cr_assert_not_null(upd(id));
        cr_expect_eq(upd(id)->new_status, OF_ST_WAIT_UNPAID);
        cr_expect_eq(upd(id)->delay_to_time, T("2026-11-20 13:00:00"), "delay_to_time (OP-48)");
        cr_expect_eq(upd(id)->or_mask, (uint32_t)OF_UM_HAS_UNPAID, "SUB-FLAG-01 as well");
    }
    cr_assert_not_null(upd(203));
    cr_expect_eq(upd(203)->new_status, 0, "27 is not held");
    cr_expect_eq(f.s.status, OF_ST_UNPAID, "own status unchanged");
}

Test(sub_wu, SUB_WU_01_wait_over_holds_nobody) {
    f.s.status = 10;
    f.cat.set.wait_unpaid_s = 3600; /* 11:00 < now */
    sibling(201, 20, "2026-11-20 08:00:00");
    cr_assert_eq(of_flags_decide(&f.in, &f.s), 0);
    cr_assert_not_null(upd(201));
    cr_expect_eq(upd(201)->new_status, 0);
}

Test(sub_wu, SUB_WU_01_boundary_now_equal_is_held) {
    f.s.status = 10;
    f.cat.set.wait_unpaid_s = 2 * 3600; /* 12:00 = now: "now ≤" holds */
    sibling(201, 16, "2026-11-20 08:00:00");
    cr_assert_eq(of_flags_decide(&f.in, &f.s), 0);
    cr_expect_eq(upd(201)->new_status, OF_ST_WAIT_UNPAID);
}

Test(sub_wu, SUB_WU_02_paid_waits_for_latest_unpaid_logs) {
    f.s.status = 20;
    f.cat.set.wait_unpaid_s = 2 * 3600;
    sibling(301, 10, "2026-11-20 11:00:00"); /* latest: 13:00 ≥ now */
    sibling(302, 10, "2026-11-20 09:00:00"); /* 11:00 alone would be over */
    cr_assert_eq(of_flags_decide(&f.in, &f.s), 0);
    cr_expect_eq(f.s.status, OF_ST_WAIT_UNPAID);
    cr_expect_eq(f.s.delay_to_time, T("2026-11-20 13:00:00"));
    cr_expect(fx_has_log(&f.s, "SUB-WU-02", "等未付"));
    cr_expect_eq(f.s.logs.e[f.s.logs.n - 1].type, OF_LOG_WAIT_UNPAID);
}

Test(sub_wu, SUB_WU_02_grab_order_waits_and_abandons_grab_OP_49) {
    f.s.status = 27;
    f.s.grab = 1;
    f.cat.set.wait_unpaid_s = 2 * 3600;
    sibling(301, 10, "2026-11-20 11:00:00");
    cr_assert_eq(of_flags_decide(&f.in, &f.s), 0);
    cr_expect_eq(f.s.status, OF_ST_WAIT_UNPAID);
    cr_expect_eq(f.s.grab, 0);
}

Test(sub_wu, SUB_WU_02_wait_over_or_status_outside_set_stays) {
    f.s.status = 16;
    f.s.delay_to_time = T("2026-11-20 13:01:00");
    f.cat.set.wait_unpaid_s = 1800;
    sibling(301, 10, "2026-11-20 11:00:00"); /* 11:30 < now */
    cr_assert_eq(of_flags_decide(&f.in, &f.s), 0);
    cr_expect_eq(f.s.status, OF_ST_DELAY);
    cr_expect_eq(f.s.delay_to_time, T("2026-11-20 13:01:00"));
    cr_expect_eq(f.s.logs.n, 0u);

    f.cat.set.wait_unpaid_s = 24 * 3600;
    f.s.status = 19; /* {16, 20, 27} only */
    cr_assert_eq(of_flags_decide(&f.in, &f.s), 0);
    cr_expect_eq(f.s.status, OF_ST_PREORDER_PRE);
    f.s.status = 13;
    cr_assert_eq(of_flags_decide(&f.in, &f.s), 0);
    cr_expect_eq(f.s.status, OF_ST_SELECT_WH);
}

/* ---------------------------------------------------------------- SUB-STK plan */

static void plan(int status, uint64_t wh) {
    f.s.status = status;
    f.s.warehouse_id = wh;
    of_reserve_plan(&f.in, &f.s);
}

Test(sub_stk, SUB_STK_01_plan_traced_and_none_without_warehouse) {
    plan(20, 1);
    cr_expect_eq(f.s.reserve, OF_RES_ORDER);
    cr_expect_not_null(of_trace_find(&f.s.trace, NULL, "reserve"));
    plan(10, 0);
    cr_expect_eq(f.s.reserve, OF_RES_NONE, "no warehouse: nothing to reserve");
    cr_expect_eq(f.s.make_stockout, 0);
}

Test(sub_stk, SUB_STK_02_unpaid_reserves_unpay_num) {
    plan(10, 1);
    cr_expect_eq(f.s.reserve, OF_RES_UNPAY);
    cr_expect_not_null(of_trace_find(&f.s.trace, "SUB-STK-02", "reserve"));
}

Test(sub_stk, SUB_STK_03_paid_statuses_reserve_order_num) {
    static const int st[] = {15, 16, 20, 27};
    for (size_t i = 0; i < 4; i++) {
        plan(st[i], 1);
        cr_expect_eq(f.s.reserve, OF_RES_ORDER, "status %d", st[i]);
        cr_expect_eq(f.s.make_stockout, 0);
    }
    cr_expect_not_null(of_trace_find(&f.s.trace, "SUB-STK-03", "reserve"));
}

Test(sub_stk, SUB_STK_04_preorder_reserves_subscribe_num) {
    plan(19, 2);
    cr_expect_eq(f.s.reserve, OF_RES_SUBSCRIBE);
}

Test(sub_stk, SUB_STK_05_transferred_makes_stockout_no_counter) {
    plan(55, 4);
    cr_expect_eq(f.s.reserve, OF_RES_NONE);
    cr_expect_eq(f.s.make_stockout, 1);
    cr_expect_not_null(of_trace_find(&f.s.trace, "SUB-STK-05", "stockout"));
}

Test(sub_stk, SUB_STK_06_statuses_without_rule_OP_51) {
    plan(5, 1);
    cr_expect_eq(f.s.reserve, OF_RES_NONE);
    plan(13, 0);
    cr_expect_eq(f.s.reserve, OF_RES_NONE);
    plan(12, 1);
    cr_expect_eq(f.s.reserve, OF_RES_UNPAY, "12 reserves as unpaid (OP-51)");
    cr_expect_eq(f.s.make_stockout, 0);
}
