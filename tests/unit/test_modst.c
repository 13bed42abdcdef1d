/* test_modst.c -- trade-modify's status rules (trade-rules §4, MOD-T1-01…-37, MOD-T2-01): paid, deposit paid,
 * whole trade refunded / closed on every state class, shipped, completed. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "of_modflag.h"
#include "of_modhdr.h"
#include "of_modline.h"
#include "of_modst.h"
#include "of_sub.h"

static Orderfleet__RawTrade raw;
static of_modst_order_t ord[2];
static of_modst_plan_t plan;
static int gift; /* CFG_BLOCK_GIFT */

static void setup(void) {
    orderfleet__raw_trade__init(&raw);
    raw.tid = "T1";
    memset(ord, 0, sizeof ord);
    ord[0].trade_id = 7;
    ord[0].status = OF_ST_UNPAID;
    ord[1].trade_id = 8;
    gift = 0;
    of_modst_plan_init(&plan);
}
static void teardown(void) {
    of_modst_plan_free(&plan);
}
TestSuite(modst, .init = setup, .fini = teardown);

static void decide_n(int raw_status, int st_status, uint32_t bits, size_t n) {
    raw.trade_status = raw_status;
    ord[0].status = st_status;
    of_modst_plan_free(&plan);
    of_modst_plan_init(&plan);
    cr_assert_eq(of_modst_decide(&raw, bits, ord, n, 0, 0, 1000, 3600, 0, gift, &plan), 0);
}
static void decide(int raw_status, int st_status) {
    decide_n(raw_status, st_status, OF_MF_TRADE_STATUS, 1);
}

static int logged(const of_logs_t *l, const char *rule) {
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->e[i].rule, rule)) return 1;
    return 0;
}

Test(modst, MOD_T1_37_T2_01_bits_1_and_2_handled_together) {
    decide(OF_RAW_PAID, OF_ST_UNPAID);
    cr_expect_eq(plan.handled, OF_MF_TRADE_STATUS | OF_MF_PAY);
}

Test(modst, MOD_T2_01_pay_bit_alone_enters_MOD_T1_OP_53) {
    decide_n(OF_RAW_PAID, OF_ST_UNPAID, OF_MF_PAY, 1);
    cr_expect(plan.resubmit, "OP-53: a pay-status change alone is evaluated");
    cr_expect_eq(plan.handled, OF_MF_TRADE_STATUS | OF_MF_PAY);
}

Test(modst, MOD_T1_01_no_status_bits_nothing) {
    decide_n(OF_RAW_PAID, OF_ST_UNPAID, OF_MF_ADDRESS, 1);
    cr_expect_eq(plan.handled, 0);
    cr_expect_not(plan.resubmit);
}

Test(modst, MOD_T1_02_to_18_paid_unpaid_order_is_submitted_again) {
    decide(OF_RAW_PAID, OF_ST_UNPAID);
    cr_expect(plan.resubmit);
    decide(OF_RAW_PAID, OF_ST_BALANCE);
    cr_expect(plan.resubmit, "awaiting balance too");
}

Test(modst, MOD_T1_19_paid_on_any_other_status_logs_only) {
    int others[] = {16, 20, 30, 40, 55, 95, 5};
    for (size_t i = 0; i < sizeof others / sizeof *others; i++) {
        decide(OF_RAW_PAID, others[i]);
        cr_expect_not(plan.resubmit, "status %d", others[i]);
        cr_expect(logged(&plan.logs, "MOD-T1-19"), "status %d", others[i]);
        cr_expect_eq(plan.handled, 3, "OP-58: only bits 1 and 2");
    }
}

Test(modst, MOD_T1_20_deposit_on_unpaid_order) {
    decide(OF_RAW_BALANCE, OF_ST_UNPAID);
    cr_expect(plan.deposit);
    cr_expect(plan.clear_unpaid_flag, "no other unpaid order");
    cr_expect(logged(&plan.logs, "MOD-T1-20"));
    raw.trade_status = OF_RAW_BALANCE;
    of_modst_plan_free(&plan);
    of_modst_plan_init(&plan);
    of_modst_decide(&raw, 1, ord, 1, 1, 0, 1000, 3600, 0, 0, &plan);
    cr_expect(plan.deposit);
    cr_expect_not(plan.clear_unpaid_flag, "another unpaid order remains");
}

Test(modst, MOD_T1_21_deposit_on_other_status_logs) {
    decide(OF_RAW_BALANCE, 20);
    cr_expect_not(plan.deposit);
    cr_expect(logged(&plan.logs, "MOD-T1-21"));
}

Test(modst, MOD_T1_22_refund_order_only_for_80) {
    decide(OF_RAW_REFUNDED, 20);
    cr_expect(plan.refund_order);
    decide(OF_RAW_CLOSED, 20);
    cr_expect_not(plan.refund_order);
}

Test(modst, MOD_T1_28_29_31_32_34_unaudited_order_released_and_cancelled) {
    decide(OF_RAW_REFUNDED, 20);
    cr_expect_eq(plan.orders[0].action, OF_MODST_RELEASE);
    cr_expect_eq(plan.orders[0].line_refund_status, OF_LRS_REFUNDED, "T1-31: 5 for raw 80");
    cr_expect(plan.orders[0].cancel, "T1-32: no goods left");
    cr_expect_eq(plan.raw_process_status, OF_PS_CANCELLED, "T1-34");
    cr_expect(plan.clear_order_bits, "T1-34");
    decide(OF_RAW_CLOSED, 20);
    cr_expect_eq(plan.orders[0].line_refund_status, OF_LRS_CLOSED, "6 for raw 90");
}

Test(modst, MOD_T1_32_other_goods_left_recompute) {
    ord[0].other_goods = 1;
    decide(OF_RAW_REFUNDED, 20);
    cr_expect(plan.orders[0].recompute);
    cr_expect_not(plan.orders[0].cancel);
    cr_expect(logged(&plan.orders[0].logs, "MOD-T1-32"));
}

Test(modst, MOD_T1_30_todays_sales_only_25_to_55) {
    decide(OF_RAW_REFUNDED, 20);
    cr_expect_not(plan.orders[0].deduct_sales);
    decide(OF_RAW_REFUNDED, 30);
    cr_expect(plan.orders[0].deduct_sales);
}

Test(modst, MOD_T1_26_audited_order_blocked_not_released) {
    ord[0].has_stockout = 1;
    decide(OF_RAW_REFUNDED, 55);
    cr_expect_eq(plan.orders[0].block_or, OF_BLOCK_REFUNDED);
    cr_expect_eq(plan.orders[0].bad_or, OF_MBAD_REFUND_AUDITED);
    cr_expect_eq(plan.orders[0].action, OF_MODST_NONE, "OP-62: completed by the user");
    cr_expect(logged(&plan.orders[0].logs, "MOD-T1-26"));
    cr_expect(logged(&plan.orders[0].stockout_logs, "MOD-T1-26"));
}

Test(modst, MOD_T1_26_refund_handled_audited_order_released) {
    ord[0].refund_handled = 1;
    decide(OF_RAW_REFUNDED, 40);
    cr_expect_eq(plan.orders[0].block_or, 0);
    cr_expect_eq(plan.orders[0].action, OF_MODST_RELEASE);
}

Test(modst, MOD_T1_27_shipped_order_log_only) {
    decide(OF_RAW_REFUNDED, 95);
    cr_expect_eq(plan.orders[0].action, OF_MODST_NONE);
    cr_expect_eq(plan.orders[0].block_or | plan.orders[0].bad_or, 0);
    cr_expect(logged(&plan.orders[0].logs, "MOD-T1-27"));
}

Test(modst, MOD_T1_23_history_and_cancelled_orders_skipped) {
    ord[1].status = 20;
    ord[1].is_history = 1;
    decide_n(OF_RAW_CLOSED, OF_ST_CANCELLED, OF_MF_TRADE_STATUS, 2);
    cr_expect_eq(plan.norders, 2);
    cr_expect_eq(plan.orders[0].action, OF_MODST_NONE);
    cr_expect_eq(plan.orders[1].action, OF_MODST_NONE, "OP-60");
}

Test(modst, MOD_T1_23_every_order_of_the_trade) {
    ord[1].status = 30;
    decide_n(OF_RAW_CLOSED, 20, OF_MF_TRADE_STATUS, 2);
    cr_expect_eq(plan.orders[0].action, OF_MODST_RELEASE);
    cr_expect_eq(plan.orders[1].action, OF_MODST_RELEASE);
}

Test(modst, MOD_T1_24_unpaid_order_goes_waiting_siblings_released) {
    decide(OF_RAW_CLOSED, OF_ST_UNPAID);
    cr_expect(plan.orders[0].release_waiting, "no other unpaid order");
    raw.trade_status = OF_RAW_CLOSED;
    of_modst_plan_free(&plan);
    of_modst_plan_init(&plan);
    of_modst_decide(&raw, 1, ord, 1, 1, 900, 1000, 3600, 0, 0, &plan);
    cr_expect_not(plan.orders[0].release_waiting, "another unpaid order inside the window");
    of_modst_plan_free(&plan);
    of_modst_plan_init(&plan);
    of_modst_decide(&raw, 1, ord, 1, 1, 900, 900 + 3601, 3600, 0, 0, &plan);
    cr_expect(plan.orders[0].release_waiting, "the window is over");
    decide(OF_RAW_CLOSED, 20);
    cr_expect_not(plan.orders[0].release_waiting, "only for 10 and 15");
}

Test(modst, MOD_T1_25_only_other_order_loses_same_name_flag) {
    raw.trade_status = OF_RAW_CLOSED;
    ord[0].status = 20;
    of_modst_decide(&raw, 1, ord, 1, 0, 0, 1000, 3600, 1, 0, &plan);
    cr_expect(plan.orders[0].clear_same_name);
    of_modst_plan_free(&plan);
    of_modst_plan_init(&plan);
    of_modst_decide(&raw, 1, ord, 1, 0, 0, 1000, 3600, 2, 0, &plan);
    cr_expect_not(plan.orders[0].clear_same_name, "two other orders");
    of_modst_plan_free(&plan);
    of_modst_plan_init(&plan);
    ord[0].status = OF_ST_UNPAID;
    of_modst_decide(&raw, 1, ord, 1, 0, 0, 1000, 3600, 1, 0, &plan);
    cr_expect_not(plan.orders[0].clear_same_name, "status below 15");
}

Test(modst, MOD_T1_35_shipped_consigns_every_order) {
    decide_n(45, 30, OF_MF_TRADE_STATUS, 2);
    cr_expect(plan.orders[0].consign);
    cr_expect(plan.orders[1].consign);
    cr_expect_eq(plan.raw_process_status, OF_PS_SHIPPED);
}

Test(modst, MOD_T1_36_completed_settlement_by_order_state) {
    decide(75, 95);
    cr_expect(plan.orders[0].complete, "shipped, nothing else: 交易完成");
    cr_expect_eq(plan.raw_process_status, OF_PS_COMPLETED);
    cr_expect(plan.clear_order_bits);
    decide(75, 30);
    cr_expect_not(plan.orders[0].complete);
    cr_expect(logged(&plan.orders[0].logs, "MOD-T1-36"), "客户打款,未发货");
    ord[0].other_goods = 1;
    decide(75, 95);
    cr_expect_not(plan.orders[0].complete, "other goods remain: partly settled");
    cr_expect(logged(&plan.orders[0].logs, "MOD-T1-36"));
}

Test(modst, MOD_T1_01_other_raw_status_only_clears) {
    decide(10, 20);
    cr_expect_eq(plan.handled, 3);
    cr_expect_not(plan.resubmit);
    cr_expect_eq(plan.raw_process_status, 0);
}

Test(modst, raw_status_classes_D_MOD_9) {
    cr_expect(of_modst_raw_shipped(40));
    cr_expect(of_modst_raw_shipped(69));
    cr_expect_not(of_modst_raw_shipped(70));
    cr_expect(of_modst_raw_completed(70));
    cr_expect_not(of_modst_raw_completed(80));
}

Test(modst, MOD_T1_33_gift_interception_only_when_configured) {
    decide(OF_RAW_REFUNDED, 20);
    cr_expect_not(plan.gift_intercept, "CFG_BLOCK_GIFT off");
    gift = 1;
    decide(OF_RAW_CLOSED, 20);
    cr_expect(plan.gift_intercept, "OP-63: the customer's orders with gifts");
    decide(OF_RAW_PAID, OF_ST_UNPAID);
    cr_expect_not(plan.gift_intercept, "only for a refund or a close");
}

Test(modst, MOD_T1_30_boundaries_25_and_55) {
    decide(OF_RAW_REFUNDED, 55);
    cr_expect_not(plan.orders[0].deduct_sales, "55 is audited: blocked, not released");
    ord[0].refund_handled = 1;
    decide(OF_RAW_REFUNDED, 55);
    cr_expect(plan.orders[0].deduct_sales, "55 counts in today's sales");
    decide(OF_RAW_REFUNDED, 56);
    cr_expect_not(plan.orders[0].deduct_sales);
    decide(OF_RAW_REFUNDED, 25);
    cr_expect(plan.orders[0].deduct_sales);
}

Test(modst, MOD_T1_25_from_status_15) {
    raw.trade_status = OF_RAW_CLOSED;
    ord[0].status = OF_ST_WAIT_UNPAID;
    of_modst_decide(&raw, 1, ord, 1, 0, 0, 1000, 3600, 1, 0, &plan);
    cr_expect(plan.orders[0].clear_same_name, "15 is included");
    cr_expect(plan.orders[0].release_waiting, "and T1-24 applies to 15 as well");
}

Test(modst, MOD_T1_36_history_order_skipped) {
    ord[0].is_history = 1;
    decide(75, 95);
    cr_expect_not(plan.orders[0].complete);
    cr_expect_eq(plan.orders[0].logs.n, 0);
}

Test(modst, MOD_T1_35_cancelled_order_not_consigned) {
    decide(45, OF_ST_CANCELLED);
    cr_expect_not(plan.orders[0].consign);
}

/* D-MOD-49: the customer's other orders count only where of_modst_uses_siblings says so (trade-modify reads them for
 * those statuses alone): on every other raw status and order status the plan is the same with or without them */
static void plan_sig(const of_modst_plan_t *p, char *buf, size_t size) {
    int n = snprintf(buf, size, "%u %d %d %d %d %d %d %d %zu %zu %zu|", p->handled, p->resubmit, p->deposit,
                     p->clear_unpaid_flag, p->refund_order, p->raw_process_status, p->clear_order_bits,
                     p->gift_intercept, p->norders, p->logs.n, p->trace.n);
    for (size_t i = 0; i < p->norders && n > 0 && (size_t)n < size; i++) {
        const of_modst_order_plan_t *o = &p->orders[i];
        n += snprintf(buf + n, size - (size_t)n, "%d %d %d %d %d %d %d %u %u %d %d %zu %zu;", o->action,
                      o->line_refund_status, o->deduct_sales, o->cancel, o->recompute, o->consign, o->complete,
                      o->bad_or, o->block_or, o->release_waiting, o->clear_same_name, o->logs.n, o->stockout_logs.n);
    }
}

Test(modst, MOD_T1_siblings_count_only_for_deposit_refund_close_D_MOD_49) {
    cr_expect(of_modst_uses_siblings(OF_RAW_BALANCE), "MOD-T1-20");
    cr_expect(of_modst_uses_siblings(OF_RAW_REFUNDED), "MOD-T1-24/25");
    cr_expect(of_modst_uses_siblings(OF_RAW_CLOSED), "MOD-T1-24/25");
    cr_expect_not(of_modst_uses_siblings(OF_RAW_PAID), "a payment: the submission reads them itself");
    const int order_status[] = {OF_ST_UNPAID, OF_ST_BALANCE, 15, 16, 20, 30, 40, 55, 95, 110, OF_ST_CANCELLED};
    for (int rs = 0; rs <= 120; rs++) {
        if (of_modst_uses_siblings(rs)) continue;
        for (size_t k = 0; k < sizeof order_status / sizeof order_status[0]; k++) {
            char none[512], some[512];
            raw.trade_status = rs;
            ord[0].status = order_status[k];
            of_modst_plan_t a, b;
            of_modst_plan_init(&a);
            of_modst_plan_init(&b);
            cr_assert_eq(of_modst_decide(&raw, OF_MF_TRADE_STATUS | OF_MF_PAY, ord, 2, 0, 0, 1000, 3600, 0, 0, &a), 0);
            cr_assert_eq(of_modst_decide(&raw, OF_MF_TRADE_STATUS | OF_MF_PAY, ord, 2, 3, 999, 1000, 3600, 1, 0, &b),
                         0);
            plan_sig(&a, none, sizeof none);
            plan_sig(&b, some, sizeof some);
            cr_expect_str_eq(some, none, "raw status %d, order status %d", rs, order_status[k]);
            of_modst_plan_free(&a);
            of_modst_plan_free(&b);
        }
    }
    /* and where they are used, they do count (the test above could not tell otherwise) */
    char none[512], some[512];
    raw.trade_status = OF_RAW_REFUNDED;
    ord[0].status = 15;
    of_modst_plan_t a, b;
    of_modst_plan_init(&a);
    of_modst_plan_init(&b);
    cr_assert_eq(of_modst_decide(&raw, OF_MF_TRADE_STATUS, ord, 1, 0, 0, 1000, 3600, 0, 0, &a), 0);
    cr_assert_eq(of_modst_decide(&raw, OF_MF_TRADE_STATUS, ord, 1, 3, 999, 1000, 3600, 1, 0, &b), 0);
    plan_sig(&a, none, sizeof none);
    plan_sig(&b, some, sizeof some);
    cr_expect_str_neq(some, none, "a refund's plan depends on the customer's other orders");
    of_modst_plan_free(&a);
    of_modst_plan_free(&b);
}
