/* test_modhdr.c -- trade-modify's header rules (trade-rules §4): MOD-T4, MOD-T8 (CS remark), MOD-T128 (client
 * remark), MOD-T16 (address), MOD-T32 (invoice), MOD-T64 (warehouse), every state branch: unaudited (< 40), audited
 * (40–94; 待递交仓库 below 55, 已审核待发货 from 55, OP-66), shipped (≥ 95), cancelled (5). */
#include <criterion/criterion.h>
#include <string.h>
#include "fixture_wh.h"
#include "of_modflag.h"
#include "of_modhdr.h"

static of_mod_order_t st;
static of_modhdr_plan_t plan;

static void setup(void) {
    fx_setup();
    memset(&st, 0, sizeof st);
    st.trade_id = 7;
    st.status = 30;
    strcpy(st.receiver_province, "上海");
    strcpy(st.receiver_city, "上海市");
    strcpy(st.receiver_district, "浦东新区");
    of_modhdr_plan_init(&plan);
}
static void teardown(void) {
    of_modhdr_plan_free(&plan);
    fx_teardown();
}
TestSuite(modhdr, .init = setup, .fini = teardown);

static void decide(int status, uint32_t bits) {
    st.status = status;
    of_modhdr_plan_free(&plan);
    of_modhdr_plan_init(&plan);
    cr_assert_eq(of_modhdr_decide(&fx_cat, 1, &st, &fx_raw, bits, &plan), 0);
}

static int logged(const of_logs_t *l, const char *rule) {
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->e[i].rule, rule)) return 1;
    return 0;
}

Test(modhdr, status_classes_of_section_4_0) {
    cr_expect_eq(of_mod_class(10), OF_MOD_UNAUDITED);
    cr_expect_eq(of_mod_class(39), OF_MOD_UNAUDITED);
    cr_expect_eq(of_mod_class(5), OF_MOD_OTHER, "cancelled is not unaudited (proposed)");
    cr_expect_eq(of_mod_class(40), OF_MOD_AUDITED);
    cr_expect_eq(of_mod_class(94), OF_MOD_AUDITED);
    cr_expect_eq(of_mod_class(95), OF_MOD_SHIPPED);
    cr_expect_eq(of_mod_class(110), OF_MOD_SHIPPED);
}

Test(modhdr, MOD_T4_01_trade_refund_bit_is_left_to_the_sub_orders) {
    decide(30, OF_MF_REFUND);
    cr_expect_eq(plan.handled, OF_MF_REFUND);
    cr_expect_eq(plan.bad_or | plan.block_or, 0);
    cr_expect_eq(plan.logs.n, 0);
}

Test(modhdr, MOD_T1_bits_1_and_2_are_not_handled_here) {
    decide(30, OF_MF_TRADE_STATUS | OF_MF_PAY);
    cr_expect_eq(plan.handled, 0);
}

/* ---------------------------------------------------------------- MOD-T8 */
Test(modhdr, MOD_T8_01_04_09_unaudited_remark_recorded_and_updated) {
    fx_raw.cs_remark = "请尽快发货";
    decide(30, OF_MF_CS_REMARK);
    cr_expect(plan.remark_history, "T8-01");
    cr_expect(plan.set_cs_remark, "T8-04");
    cr_expect(logged(&plan.logs, "MOD-T8-04"));
    cr_expect_eq(plan.handled, OF_MF_CS_REMARK, "T8-09");
    cr_expect_eq(plan.bad_or | plan.block_or, 0);
}

Test(modhdr, MOD_T8_02_04_extracted_salesman_only_below_55) {
    fx_cat.set.remark_extract = 1;
    fx_raw.cs_remark = "找王强 加急";
    decide(30, OF_MF_CS_REMARK);
    cr_expect_eq(plan.cs.salesman_id, 2, "T8-02 extraction");
    cr_expect_eq(plan.salesman_id, 2, "T8-04 below 55");
    cr_expect_eq(plan.flag_id, 1);
    decide(60, OF_MF_CS_REMARK);
    cr_expect_eq(plan.salesman_id, 0, "T8-04: not from 55 on");
    cr_expect_eq(plan.flag_id, 1, "the flag still follows the remark");
}

Test(modhdr, MOD_T8_05_extracted_logistics_in_pre_processing) {
    fx_cat.set.remark_extract = 1;
    fx_raw.cs_remark = "请发顺丰";
    decide(20, OF_MF_CS_REMARK);
    cr_expect_eq(plan.logistics_id, 1);
    cr_expect(logged(&plan.logs, "MOD-T8-05"));
}

Test(modhdr, MOD_T8_05_after_pre_processing_only_with_the_after_audit_switch) {
    fx_cat.set.remark_extract = 1;
    fx_raw.cs_remark = "请发顺丰";
    decide(30, OF_MF_CS_REMARK);
    cr_expect_eq(plan.logistics_id, 0, "30 > 20 and CFG_REMARK_LOGI_AFTER_AUDIT off (OP-65)");
    fx_cat.set.remark_logi_after_audit = 1;
    decide(30, OF_MF_CS_REMARK);
    cr_expect_eq(plan.logistics_id, 1);
    decide(45, OF_MF_CS_REMARK);
    cr_expect_eq(plan.logistics_id, 0, "never once audited");
}

Test(modhdr, MOD_T8_05_no_extraction_when_the_switch_is_off) {
    fx_raw.cs_remark = "请发顺丰 找王强";
    decide(20, OF_MF_CS_REMARK);
    cr_expect_eq(plan.logistics_id, 0);
    cr_expect_eq(plan.salesman_id, 0);
}

Test(modhdr, MOD_T8_06_awaiting_push_to_warehouse_bad_16) {
    decide(45, OF_MF_CS_REMARK);
    cr_expect_eq(plan.bad_or, OF_MBAD_REMARK);
    cr_expect_eq(plan.block_or, 0);
    cr_expect(logged(&plan.logs, "MOD-T8-06"));
}

Test(modhdr, MOD_T8_07_audited_awaiting_shipment_blocked_when_configured) {
    decide(60, OF_MF_CS_REMARK);
    cr_expect_eq(plan.block_or, 0, "CFG_REMARK_CHANGE_BLOCK off");
    fx_cat.set.remark_change_block = 1;
    decide(60, OF_MF_CS_REMARK);
    cr_expect_eq(plan.block_or, OF_BLOCK_REMARK);
    cr_expect(logged(&plan.logs, "MOD-T8-07"));
    cr_expect(logged(&plan.stockout_logs, "MOD-T8-07"), "the stockout order's log too");
}

Test(modhdr, MOD_T8_08_shipped_logged_when_configured) {
    fx_cat.set.remark_change_block = 1;
    decide(95, OF_MF_CS_REMARK);
    cr_expect_eq(plan.block_or | plan.bad_or, 0);
    cr_expect(logged(&plan.logs, "MOD-T8-08"));
    fx_cat.set.remark_change_block = 0;
    decide(95, OF_MF_CS_REMARK);
    cr_expect_not(logged(&plan.logs, "MOD-T8-08"));
}

/* ---------------------------------------------------------------- MOD-T128 */
Test(modhdr, MOD_T128_01_02_03_client_remark_in_every_state) {
    fx_raw.buyer_message = "周末送";
    int states[] = {10, 45, 60, 95, 5};
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) {
        decide(states[i], OF_MF_CLIENT_REMARK);
        cr_expect(plan.set_client_remark, "status %d", states[i]);
        cr_expect_eq(plan.handled, OF_MF_CLIENT_REMARK);
        cr_expect_eq(plan.bad_or | plan.block_or, 0);
        cr_expect(logged(&plan.logs, "MOD-T128-02"));
    }
}

/* ---------------------------------------------------------------- MOD-T16 */
static void new_address(void) {
    fx_raw.receiver_province = "北京";
    fx_raw.receiver_city = "北京市";
    fx_raw.receiver_district = "朝阳区";
    fx_raw.receiver_address = "建国路 1 号";
}

Test(modhdr, MOD_T16_01_customer_books_always) {
    new_address();
    decide(60, OF_MF_ADDRESS);
    cr_expect(plan.customer_books);
}

Test(modhdr, MOD_T16_02_address_already_on_the_order_skips_the_rest) {
    decide(60, OF_MF_ADDRESS); /* fx_raw and st carry the same address */
    cr_expect(logged(&plan.logs, "MOD-T16-02"));
    cr_expect_eq(plan.block_or | plan.bad_or, 0);
    cr_expect_not(plan.set_address);
    cr_expect_eq(plan.handled, OF_MF_ADDRESS, "T16-06 clears the bit");
}

Test(modhdr, MOD_T16_03_audited_blocked_4) {
    new_address();
    decide(60, OF_MF_ADDRESS);
    cr_expect_eq(plan.block_or, OF_BLOCK_ADDRESS);
    cr_expect_not(plan.set_address);
    cr_expect(logged(&plan.logs, "MOD-T16-03"));
    cr_expect(logged(&plan.stockout_logs, "MOD-T16-03"));
}

Test(modhdr, MOD_T16_04_unaudited_updated_and_recomputed) {
    new_address();
    decide(20, OF_MF_ADDRESS);
    cr_expect(plan.set_address);
    cr_expect(plan.recompute, "logistics, alias, package, fee (OP-68)");
    cr_expect_eq(plan.block_or | plan.bad_or, 0);
    cr_expect(logged(&plan.logs, "MOD-T16-04"));
}

Test(modhdr, MOD_T16_05_shipped_or_cancelled_bad_2) {
    new_address();
    decide(95, OF_MF_ADDRESS);
    cr_expect_eq(plan.bad_or, OF_MBAD_ADDRESS);
    cr_expect(logged(&plan.logs, "MOD-T16-05"));
    decide(5, OF_MF_ADDRESS);
    cr_expect_eq(plan.bad_or, OF_MBAD_ADDRESS, "cancelled is 'other' too");
    cr_expect_not(plan.set_address);
}

Test(modhdr, MOD_T16_06_bit_cleared_in_every_branch) {
    new_address();
    int states[] = {10, 60, 95, 5};
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) {
        decide(states[i], OF_MF_ADDRESS);
        cr_expect_eq(plan.handled, OF_MF_ADDRESS, "status %d", states[i]);
    }
}

/* ---------------------------------------------------------------- MOD-T32 */
Test(modhdr, MOD_T32_01_audited_blocked_8) {
    decide(50, OF_MF_INVOICE);
    cr_expect_eq(plan.block_or, OF_BLOCK_INVOICE);
    cr_expect(logged(&plan.logs, "MOD-T32-01"));
    cr_expect(logged(&plan.stockout_logs, "MOD-T32-01"));
}

Test(modhdr, MOD_T32_02_unaudited_updated) {
    fx_raw.invoice_type = 1;
    fx_raw.invoice_title = "某某公司";
    decide(16, OF_MF_INVOICE);
    cr_expect(plan.set_invoice);
    cr_expect_eq(plan.block_or | plan.bad_or, 0);
    cr_expect(logged(&plan.logs, "MOD-T32-02"));
}

Test(modhdr, MOD_T32_03_other_bad_4_and_T32_04_cleared) {
    decide(100, OF_MF_INVOICE);
    cr_expect_eq(plan.bad_or, OF_MBAD_INVOICE);
    cr_expect(logged(&plan.logs, "MOD-T32-03"));
    cr_expect_eq(plan.handled, OF_MF_INVOICE);
}

/* ---------------------------------------------------------------- MOD-T64 */
Test(modhdr, MOD_T64_01_audited_blocked_with_the_source_bit_8) {
    decide(70, OF_MF_WAREHOUSE);
    cr_expect_eq(plan.block_or, OF_BLOCK_WAREHOUSE_CHANGED);
    cr_expect_eq(OF_BLOCK_WAREHOUSE_CHANGED, 8, "OP-69: source-literal");
    cr_expect(logged(&plan.logs, "MOD-T64-01"));
}

Test(modhdr, MOD_T64_02_unaudited_warehouse_selected_again) {
    decide(20, OF_MF_WAREHOUSE);
    cr_expect(plan.reselect_warehouse);
    cr_expect_eq(plan.block_or | plan.bad_or, 0);
}

Test(modhdr, MOD_T64_03_shipped_not_completed_bad_8) {
    decide(95, OF_MF_WAREHOUSE);
    cr_expect_eq(plan.bad_or, OF_MBAD_WAREHOUSE);
    cr_expect(logged(&plan.logs, "MOD-T64-03"));
    st.completed = 1;
    decide(95, OF_MF_WAREHOUSE);
    cr_expect_eq(plan.bad_or, 0, "completed: nothing to do");
}

Test(modhdr, MOD_T64_04_cleared_and_cancelled_untouched) {
    decide(5, OF_MF_WAREHOUSE);
    cr_expect_eq(plan.handled, OF_MF_WAREHOUSE);
    cr_expect_eq(plan.bad_or | plan.block_or, 0);
    cr_expect_not(plan.reselect_warehouse);
}

/* ---------------------------------------------------------------- MOD-00 */
Test(modhdr, MOD_00_several_bits_in_one_change_audited_block_accumulates) {
    new_address();
    decide(60, OF_MF_ADDRESS | OF_MF_INVOICE | OF_MF_WAREHOUSE | OF_MF_CLIENT_REMARK);
    cr_expect_eq(plan.block_or, OF_BLOCK_ADDRESS | OF_BLOCK_INVOICE);
    cr_expect_eq(plan.handled, OF_MF_ADDRESS | OF_MF_INVOICE | OF_MF_WAREHOUSE | OF_MF_CLIENT_REMARK);
    cr_expect(plan.set_client_remark);
    /* the source's order: 128 before 16, 32, 64 */
    size_t i128 = 99, i16 = 99;
    for (size_t i = 0; i < plan.logs.n; i++) {
        if (!strcmp(plan.logs.e[i].rule, "MOD-T128-02") && i128 == 99) i128 = i;
        if (!strcmp(plan.logs.e[i].rule, "MOD-T16-03") && i16 == 99) i16 = i;
    }
    cr_expect_lt(i128, i16);
}

Test(modhdr, MOD_T8_03_the_new_remark_is_composed_onto_the_order) {
    fx_raw.cs_remark = "请用顺丰";
    decide(20, OF_MF_CS_REMARK);
    cr_expect(plan.set_cs_remark, "T8-03/04: the order takes the raw trade's remark");
    cr_expect(logged(&plan.logs, "MOD-T8-04"));
}

/* §4.0 OTHER (cancelled, 5, D-MOD-1): T8 has no branch by state there: recorded and set, nothing intercepted */
Test(modhdr, MOD_T8_01_04_cancelled_order_recorded_not_intercepted) {
    fx_raw.cs_remark = "取消了也记下";
    decide(5, OF_MF_CS_REMARK);
    cr_expect(plan.remark_history, "T8-01");
    cr_expect(plan.set_cs_remark, "T8-04");
    cr_expect_eq(plan.bad_or | plan.block_or, 0, "T8-06/07/08 are for 40 and above");
    cr_expect_eq(plan.handled, OF_MF_CS_REMARK, "T8-09");
}

Test(modhdr, MOD_T32_03_cancelled_order_bad_4) {
    decide(5, OF_MF_INVOICE);
    cr_expect_eq(plan.bad_or, OF_MBAD_INVOICE, "T32-03: bad_reason |= 4 (5 is not unaudited, D-MOD-1)");
    cr_expect_eq(plan.block_or, 0);
    cr_expect(logged(&plan.logs, "MOD-T32-03"));
    decide(95, OF_MF_INVOICE);
    cr_expect_eq(plan.bad_or, OF_MBAD_INVOICE, "T32-03 on a shipped order too");
}

Test(modhdr, MOD_T32_04_bit_cleared_in_every_branch) {
    int states[] = {20, 40, 95, 5};
    for (size_t i = 0; i < sizeof states / sizeof *states; i++) {
        decide(states[i], OF_MF_INVOICE);
        cr_expect_eq(plan.handled, OF_MF_INVOICE, "status %d", states[i]);
    }
}

Test(modhdr, MOD_END_01_every_header_bit_is_handled) {
    decide(20, OF_MF_REFUND | OF_MF_CS_REMARK | OF_MF_ADDRESS | OF_MF_INVOICE | OF_MF_WAREHOUSE | OF_MF_CLIENT_REMARK);
    cr_expect_eq(plan.handled,
                 OF_MF_REFUND | OF_MF_CS_REMARK | OF_MF_ADDRESS | OF_MF_INVOICE | OF_MF_WAREHOUSE | OF_MF_CLIENT_REMARK,
                 "the caller clears what the plan handled: with bits 1|2 of MOD-T1-37 the row's flag is 0");
}

Test(modhdr, MOD_T8_06_07_boundary_at_55) {
    fx_cat.set.remark_change_block = 1;
    decide(54, OF_MF_CS_REMARK);
    cr_expect_eq(plan.bad_or, OF_MBAD_REMARK, "54: 待递交仓库");
    cr_expect_eq(plan.block_or, 0);
    decide(55, OF_MF_CS_REMARK);
    cr_expect_eq(plan.bad_or, 0, "55: 已审核待发货, not T8-06");
    cr_expect_eq(plan.block_or, OF_BLOCK_REMARK);
    fx_cat.set.remark_change_block = 0;
}
