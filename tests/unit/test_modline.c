/* test_modline.c -- trade-modify's sub-order rules (trade-rules §4): MOD-O1 (refunded, closed, shipped, completed),
 * MOD-O2 (refund applied, cancelled after or before processing), MOD-O16 (goods changed), every state branch:
 * unaudited, audited, shipped, cancelled. */
#include <criterion/criterion.h>
#include <string.h>
#include "of_modflag.h"
#include "of_modline.h"

static Orderfleet__RawSubOrder o;
static of_modline_order_t st;
static of_modline_plan_t plan;

static void setup(void) {
    orderfleet__raw_sub_order__init(&o);
    o.oid = "T1-1";
    memset(&st, 0, sizeof st);
    st.exists = 1;
    st.status = 30;
    of_modline_plan_init(&plan);
}
static void teardown(void) {
    of_modline_plan_free(&plan);
}
TestSuite(modline, .init = setup, .fini = teardown);

static void decide(int status, uint32_t bits) {
    st.status = status;
    of_modline_plan_free(&plan);
    of_modline_plan_init(&plan);
    of_modline_decide(&st, &o, bits, &plan);
}

static int logged(const of_logs_t *l, const char *rule) {
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->e[i].rule, rule)) return 1;
    return 0;
}

/* ---------------------------------------------------------------- MOD-O1 */
Test(modline, MOD_O1_01_no_order_line_only_the_bit_cleared) {
    o.status = OF_RAWO_REFUNDED;
    st.exists = 0;
    decide(30, OF_MFO_STATUS);
    cr_expect_eq(plan.handled, OF_MFO_STATUS, "O1-14");
    cr_expect_not(plan.release_line);
    cr_expect_not(plan.refund_order);
    cr_expect_eq(plan.block_or | plan.bad_or, 0);
}

Test(modline, MOD_O1_02_05_06_07_09_11_refunded_on_an_unaudited_order) {
    o.status = OF_RAWO_REFUNDED;
    decide(20, OF_MFO_STATUS);
    cr_expect(plan.refund_order, "O1-02");
    cr_expect(plan.release_line, "O1-05/06/08");
    cr_expect_eq(plan.line_refund_status, OF_LRS_REFUNDED, "O1-07: 5");
    cr_expect(plan.reallocate_post, "O1-11");
    cr_expect(logged(&plan.logs, "MOD-O1-09"));
    cr_expect_eq(plan.block_or | plan.bad_or, 0);
}

Test(modline, MOD_O1_07_closed_line_gets_6_and_no_refund_order) {
    o.status = OF_RAWO_CLOSED;
    decide(10, OF_MFO_STATUS);
    cr_expect_eq(plan.line_refund_status, OF_LRS_CLOSED);
    cr_expect_not(plan.refund_order, "O1-02 is for refunded only");
    cr_expect(plan.release_line);
}

Test(modline, MOD_O1_03_shipped_order_logged_only) {
    o.status = OF_RAWO_CLOSED;
    decide(95, OF_MFO_STATUS);
    cr_expect(logged(&plan.logs, "MOD-O1-03"));
    cr_expect_not(plan.release_line);
    cr_expect_eq(plan.block_or | plan.bad_or, 0);
}

Test(modline, MOD_O1_04_audited_with_stockout_blocked_2_and_bad_64) {
    o.status = OF_RAWO_REFUNDED;
    st.has_stockout = 1;
    decide(60, OF_MFO_STATUS);
    cr_expect_eq(plan.block_or, OF_BLOCK_REFUNDED);
    cr_expect_eq(plan.bad_or, OF_MBAD_REFUND_AUDITED);
    cr_expect(logged(&plan.logs, "MOD-O1-04"));
    cr_expect(logged(&plan.stockout_logs, "MOD-O1-04"));
    cr_expect_not(plan.release_line, "released when the user handles the refund");
}

Test(modline, MOD_O1_04_refund_already_handled_not_blocked) {
    o.status = OF_RAWO_REFUNDED;
    st.has_stockout = 1;
    st.refund_handled = 1;
    decide(60, OF_MFO_STATUS);
    cr_expect_eq(plan.block_or | plan.bad_or, 0);
    cr_expect(logged(&plan.logs, "MOD-O1-04"));
}

Test(modline, MOD_O1_01_cancelled_order_holds_nothing_to_release) {
    o.status = OF_RAWO_REFUNDED;
    decide(5, OF_MFO_STATUS);
    cr_expect_not(plan.release_line);
    cr_expect_eq(plan.handled, OF_MFO_STATUS);
}

Test(modline, MOD_O1_12_shipped_sub_order_consigned) {
    o.status = OF_RAWO_SHIPPED;
    decide(60, OF_MFO_STATUS);
    cr_expect(plan.consign_line);
    cr_expect_not(plan.settle_line);
}

Test(modline, MOD_O1_13_completed_sub_order_settled) {
    o.status = OF_RAWO_COMPLETED;
    decide(95, OF_MFO_STATUS);
    cr_expect(plan.settle_line);
    cr_expect_not(plan.consign_line);
    cr_expect_eq(plan.handled, OF_MFO_STATUS, "O1-14");
}

/* ---------------------------------------------------------------- MOD-O2 */
Test(modline, MOD_O2_01_02_03_refund_applied_on_an_audited_order_blocked_1) {
    o.refund_status = OF_LRS_APPLIED;
    decide(50, OF_MFO_REFUND);
    cr_expect_eq(plan.block_or, OF_BLOCK_REFUND_APPLIED);
    cr_expect_eq(plan.line_refund_status, OF_LRS_APPLIED, "O2-02");
    cr_expect(plan.recompute_refund, "O2-03");
    cr_expect(logged(&plan.logs, "MOD-O2-01"));
    cr_expect(logged(&plan.logs, "MOD-O2-09"));
}

Test(modline, MOD_O2_02_waiting_return_on_an_unaudited_order_marked_only) {
    o.refund_status = OF_LRS_WAIT_RETURN;
    decide(20, OF_MFO_REFUND);
    cr_expect_eq(plan.block_or, 0);
    cr_expect_eq(plan.line_refund_status, OF_LRS_WAIT_RETURN);
    cr_expect_not(plan.release_line, "OP-73: the quantity changes with MOD-O1 only");
}

Test(modline, MOD_O2_01_shipped_order_not_blocked) {
    o.refund_status = OF_LRS_WAIT_RECEIPT;
    decide(95, OF_MFO_REFUND);
    cr_expect_eq(plan.block_or, 0);
    cr_expect_eq(plan.line_refund_status, OF_LRS_WAIT_RECEIPT);
}

Test(modline, MOD_O2_05_cancelled_after_processing_audited_blocked_256) {
    o.refund_status = OF_LRS_CANCELLED;
    st.refund_handled = 1;
    decide(60, OF_MFO_REFUND);
    cr_expect_eq(plan.block_or, OF_BLOCK_REFUND_CANCELLED);
    cr_expect_not(plan.restore_line);
}

Test(modline, MOD_O2_06_cancelled_after_processing_unaudited_restored) {
    o.refund_status = OF_LRS_CANCELLED;
    st.refund_handled = 1;
    decide(20, OF_MFO_REFUND);
    cr_expect(plan.restore_line);
    cr_expect_not(plan.reopen);
    cr_expect(logged(&plan.logs, "MOD-O2-06"));
}

Test(modline, MOD_O2_06_cancelled_order_back_to_awaiting_audit) {
    o.refund_status = OF_LRS_CANCELLED;
    st.refund_handled = 1;
    decide(5, OF_MFO_REFUND);
    cr_expect(plan.restore_line);
    cr_expect(plan.reopen);
}

/* the state branches of MOD-O2 not covered above: a refund applied on a cancelled order (OTHER: marked, nothing
 * blocked), a processed refund cancelled on a shipped order (neither O2-05 nor O2-06: O2-07) */
Test(modline, MOD_O2_02_refund_applied_on_a_cancelled_order_marked_only) {
    o.refund_status = OF_LRS_APPLIED;
    decide(5, OF_MFO_REFUND);
    cr_expect_eq(plan.block_or | plan.bad_or, 0, "a cancelled order holds no stockout to block");
    cr_expect_eq(plan.line_refund_status, OF_LRS_APPLIED, "O2-02: marked");
    cr_expect(plan.recompute_refund, "O2-03");
    cr_expect_not(plan.release_line);
    cr_expect_not(plan.restore_line);
}

Test(modline, MOD_O2_07_processed_refund_cancelled_on_a_shipped_order) {
    o.refund_status = OF_LRS_CANCELLED;
    st.refund_handled = 1;
    st.line_refund_status = OF_LRS_APPLIED;
    decide(95, OF_MFO_REFUND);
    cr_expect_not(plan.restore_line, "O2-06 is for unaudited orders");
    cr_expect_eq(plan.block_or, 0, "O2-05 is for audited orders");
    cr_expect(logged(&plan.logs, "MOD-O2-07"));
    cr_expect_eq(plan.line_refund_status, OF_LRS_CANCELLED);
}

Test(modline, MOD_O2_07_cancelled_before_processing_applied_becomes_cancelled) {
    o.refund_status = OF_LRS_CANCELLED;
    st.line_refund_status = OF_LRS_APPLIED;
    decide(60, OF_MFO_REFUND);
    cr_expect_eq(plan.line_refund_status, OF_LRS_CANCELLED);
    cr_expect_eq(plan.block_or, 0);
    cr_expect(logged(&plan.logs, "MOD-O2-07"));
}

Test(modline, MOD_O2_08_10_postage_and_bit_2_cleared) {
    o.refund_status = OF_LRS_APPLIED;
    decide(20, OF_MFO_REFUND);
    cr_expect(plan.reallocate_post, "O2-08");
    cr_expect_eq(plan.handled, OF_MFO_REFUND, "O2-10 clears 2 (OP-74)");
}

/* ---------------------------------------------------------------- MOD-O16 */
Test(modline, MOD_O16_01_02_03_goods_changed_audited_blocked_128_and_bad_32) {
    decide(60, OF_MFO_GOODS);
    cr_expect_eq(plan.block_or, OF_BLOCK_GOODS);
    cr_expect_eq(plan.bad_or, OF_MBAD_GOODS);
    cr_expect_eq(plan.handled, OF_MFO_GOODS);
    cr_expect(logged(&plan.logs, "MOD-O16-01"));
    cr_expect(logged(&plan.logs, "MOD-O16-02"));
}

Test(modline, MOD_O16_02_goods_changed_other_states_bad_32_only) {
    int states[] = {10, 95, 5};
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) {
        decide(states[i], OF_MFO_GOODS);
        cr_expect_eq(plan.block_or, 0, "status %d", states[i]);
        cr_expect_eq(plan.bad_or, OF_MBAD_GOODS, "status %d", states[i]);
    }
}

Test(modline, MOD_O_00_all_three_bits_in_order) {
    o.status = OF_RAWO_REFUNDED;
    o.refund_status = OF_LRS_REFUNDED;
    st.has_stockout = 1;
    decide(60, OF_MFO_STATUS | OF_MFO_REFUND | OF_MFO_GOODS);
    cr_expect_eq(plan.handled, OF_MFO_STATUS | OF_MFO_REFUND | OF_MFO_GOODS);
    cr_expect_eq(plan.block_or, OF_BLOCK_REFUNDED | OF_BLOCK_GOODS);
    cr_expect_eq(plan.bad_or, OF_MBAD_REFUND_AUDITED | OF_MBAD_GOODS);
}

Test(modline, MOD_O1_08_14_release_leaves_the_remaining_goods_to_the_caller_and_clears_bit_1) {
    o.status = OF_RAWO_CLOSED;
    decide(16, OF_MFO_STATUS);
    cr_expect(plan.release_line, "O1-08: the caller recomputes the order (no goods left: cancelled)");
    cr_expect_eq(plan.handled, OF_MFO_STATUS, "O1-14");
}

Test(modline, MOD_O1_10_gift_interception_only_when_configured) {
    o.status = OF_RAWO_REFUNDED;
    decide(20, OF_MFO_STATUS);
    cr_expect_not(plan.gift_intercept, "CFG_BLOCK_GIFT off");
    st.block_gift = 1;
    decide(20, OF_MFO_STATUS);
    cr_expect(plan.gift_intercept, "OP-63");
}

Test(modline, MOD_O2_04_gift_interception_on_a_refund_application) {
    st.block_gift = 1;
    o.refund_status = OF_LRS_APPLIED;
    decide(20, OF_MFO_REFUND);
    cr_expect(plan.gift_intercept);
    o.refund_status = OF_LRS_CANCELLED;
    decide(20, OF_MFO_REFUND);
    cr_expect_not(plan.gift_intercept, "not for a cancellation");
}

Test(modline, MOD_O2_09_every_refund_change_is_logged) {
    int rs[] = {OF_LRS_APPLIED, OF_LRS_WAIT_RETURN, OF_LRS_WAIT_RECEIPT};
    for (size_t i = 0; i < sizeof rs / sizeof *rs; i++) {
        o.refund_status = rs[i];
        decide(20, OF_MFO_REFUND);
        cr_expect(logged(&plan.logs, "MOD-O2-09"), "refund status %d", rs[i]);
    }
}

Test(modline, MOD_O_END_01_every_sub_order_bit_is_handled) {
    o.status = OF_RAWO_REFUNDED;
    o.refund_status = OF_LRS_REFUNDED;
    decide(20, OF_MFO_STATUS | OF_MFO_REFUND | OF_MFO_GOODS);
    cr_expect_eq(plan.handled, OF_MFO_STATUS | OF_MFO_REFUND | OF_MFO_GOODS, "the row's flag becomes 0");
}

Test(modline, MOD_O2_02_refunded_in_the_same_change_keeps_MOD_O1_07_status) {
    o.status = OF_RAWO_REFUNDED;
    o.refund_status = OF_LRS_WAIT_RETURN;
    decide(20, OF_MFO_STATUS | OF_MFO_REFUND);
    cr_expect(plan.release_line);
    cr_expect_eq(plan.line_refund_status, OF_LRS_REFUNDED, "O2 does not mark the released line back to 3");
}

Test(modline, MOD_O1_04_audited_without_a_stockout_order_not_blocked) {
    o.status = OF_RAWO_REFUNDED;
    st.has_stockout = 0;
    decide(40, OF_MFO_STATUS);
    cr_expect_eq(plan.block_or, 0, "no stockout order: nothing to intercept");
    cr_expect_not(plan.release_line, "nor released: the audited order is the user's");
    cr_assert_eq(plan.logs.n, 1);
    cr_expect(strstr(plan.logs.e[0].message, "without a stockout order") != NULL, "log says why: %s",
              plan.logs.e[0].message);
    cr_expect(strstr(plan.logs.e[0].message, "already handled") == NULL, "not handled: %s", plan.logs.e[0].message);
}

Test(modline, MOD_O2_07_only_an_application_becomes_cancelled) {
    o.refund_status = OF_LRS_CANCELLED;
    st.refund_handled = 0;
    st.line_refund_status = OF_LRS_WAIT_RETURN;
    decide(20, OF_MFO_REFUND);
    cr_expect_eq(plan.line_refund_status, -1, "3 (waiting return) is left as it is");
    st.line_refund_status = OF_LRS_APPLIED;
    decide(20, OF_MFO_REFUND);
    cr_expect_eq(plan.line_refund_status, OF_LRS_CANCELLED);
}
