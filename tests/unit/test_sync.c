/* test_sync.c -- the order sync's rules (spec order-sync.md): SYN-2 (order of ops, from_status check), the conflict
 * table of docs/decisions.md row by row (D-SYN-2, CT-1 … CT-7), the status model (D-SYN-1), the flows of SYN-7, who
 * answers a cancellation (D-SYN-3), ties (D-SYN-4) and the state's JSON form; each test named by what it covers. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "of_syncmerge.h"
#include "of_syncorder.h"

static const char CREATE_FIELDS[] =
    "{\"order_sn\":\"B2026120100001\",\"buyer_id\":\"7\",\"seller_id\":\"9\",\"currency\":\"CNY\",\"price\":\"100.00\","
    "\"shipping_fee\":\"10.00\",\"receiver_name\":\"Ann\",\"receiver_city\":\"Paris\",\"addtime\":\"2026-12-01 "
    "10:00:00.000\"}";

static of_syn_op_t op(int side, uint64_t id, const char *name, int actor, int from, int to, const char *at,
                      const char *fields) {
    return (of_syn_op_t){.side = side,
                         .id = id,
                         .oid = 1,
                         .op = name,
                         .actor = actor,
                         .fields = fields ? fields : "{}",
                         .from_status = from,
                         .status = to,
                         .addtime = at};
}

static of_syn_order_t created(void) {
    of_syn_order_t st;
    of_syncorder_init(&st);
    st.exists = 0;
    of_syn_op_t c =
        op(OF_SYN_SIDE_BUYER, 1, "create", OF_SYN_ACT_BUYER, 0, 0, "2026-12-01 10:00:00.000", CREATE_FIELDS);
    of_syn_result_t r;
    of_syncmerge_op(&st, &c, &r);
    cr_assert_eq(r.outcome, OF_SYN_APPLIED, "%s", r.reason_en);
    return st;
}

static of_syn_result_t take(of_syn_order_t *st, of_syn_op_t o) {
    of_syn_result_t r;
    of_syncmerge_op(st, &o, &r);
    return r;
}

#define B OF_SYN_SIDE_BUYER
#define S OF_SYN_SIDE_SELLER
#define AB OF_SYN_ACT_BUYER
#define AS OF_SYN_ACT_SELLER

Test(sync, SYN_7_flow_1_create_sets_the_order_and_amount) {
    of_syn_order_t st = created();
    cr_assert(st.exists);
    cr_assert_eq(st.status, OF_SYN_UNPAID);
    cr_assert_str_eq(st.order_sn, "B2026120100001");
    cr_assert_eq(st.buyer_id, 7);
    cr_assert_eq(st.amount, 1100000); /* 100 + 10 */
    cr_assert_eq(st.cancel_from, -1);
}

Test(sync, SYN_7_flows_2_to_4_and_8_price_pay_ship_receive) {
    of_syn_order_t st = created();
    cr_assert_eq(
        take(&st, op(S, 1, "adjust_price", AS, 0, 0, "2026-12-01 10:01:00.000", "{\"price\":\"90.00\"}")).outcome,
        OF_SYN_APPLIED);
    cr_assert_eq(st.amount, 1000000);
    of_syn_result_t r = take(
        &st, op(B, 2, "pay", AB, 0, 1, "2026-12-01 10:02:00.000", "{\"pay_no\":\"P1\",\"paid_amount\":\"100.00\"}"));
    cr_assert_eq(r.outcome, OF_SYN_APPLIED);
    cr_assert_eq(st.status, OF_SYN_PAID);
    cr_assert_eq(st.pay_result, 1);
    cr_assert_str_eq(st.pay_time, "2026-12-01 10:02:00.000"); /* the op's time when the fields carry none */
    r = take(&st, op(S, 2, "ship", AS, 1, 2, "2026-12-01 11:00:00.000",
                     "{\"ship_logistics\":\"SF\",\"ship_waybill_no\":\"W1\",\"ship_time\":\"2026-12-01 10:59:59\"}"));
    cr_assert_eq(r.outcome, OF_SYN_APPLIED);
    cr_assert_eq(st.status, OF_SYN_SHIPPED);
    cr_assert_str_eq(st.ship_time, "2026-12-01 10:59:59.000");
    cr_assert_str_eq(st.ship_waybill_no, "W1");
    cr_assert_eq(take(&st, op(B, 3, "receive", AB, 2, 5, "2026-12-01 12:00:00.000", NULL)).outcome, OF_SYN_APPLIED);
    cr_assert_eq(st.status, OF_SYN_RECEIVED);
    cr_assert_str_eq(st.receive_time, "2026-12-01 12:00:00.000");
}

Test(sync, SYN_7_flows_5_6_cancel_refused_goes_back_to_its_from_status) {
    of_syn_order_t st = created();
    take(&st, op(B, 2, "pay", AB, 0, 1, "2026-12-01 10:02:00.000", NULL));
    cr_assert_eq(take(&st, op(B, 3, "cancel_request", AB, 1, 3, "2026-12-01 10:03:00.000", NULL)).outcome,
                 OF_SYN_APPLIED);
    cr_assert_eq(st.status, OF_SYN_CANCEL_REQ);
    cr_assert_eq(st.cancel_from, OF_SYN_PAID);
    cr_assert_eq(st.cancel_by, AB);
    cr_assert_str_eq(st.cancel_op, "b:3");
    cr_assert_eq(take(&st, op(S, 4, "cancel_refuse", AS, 3, 1, "2026-12-01 10:04:00.000", NULL)).outcome,
                 OF_SYN_APPLIED);
    cr_assert_eq(st.status, OF_SYN_PAID);
    cr_assert_eq(st.cancel_from, -1);
    cr_assert_str_eq(st.cancel_op, "");
}

Test(sync, SYN_7_flow_7_cancel_agreed_refunds_a_paid_order) {
    of_syn_order_t st = created();
    take(&st, op(B, 2, "pay", AB, 0, 1, "2026-12-01 10:02:00.000", NULL));
    take(&st, op(B, 3, "cancel_request", AB, 1, 3, "2026-12-01 10:03:00.000", NULL));
    cr_assert_eq(take(&st, op(S, 4, "cancel_agree", AS, 3, 4, "2026-12-01 10:04:00.000", NULL)).outcome,
                 OF_SYN_APPLIED);
    cr_assert_eq(st.status, OF_SYN_CANCELLED);
    cr_assert_str_eq(st.refund_time, "2026-12-01 10:04:00.000");
}

Test(sync, D_SYN_1_cancel_agreed_unpaid_sets_no_refund_time) {
    of_syn_order_t st = created();
    take(&st, op(B, 3, "cancel_request", AB, 0, 3, "2026-12-01 10:03:00.000", NULL));
    take(&st, op(S, 4, "cancel_agree", AS, 3, 4, "2026-12-01 10:04:00.000", NULL));
    cr_assert_eq(st.status, OF_SYN_CANCELLED);
    cr_assert_str_eq(st.refund_time, "");
}

Test(sync, SYN_2_ops_sort_by_time_then_buyer_first_then_id_D_SYN_4) {
    of_syn_op_t ops[4] = {
        op(S, 5, "ship", AS, 1, 2, "2026-12-01 10:00:01.000", NULL),
        op(B, 9, "pay", AB, 0, 1, "2026-12-01 10:00:01.000", NULL),
        op(B, 2, "create", AB, 0, 0, "2026-12-01 10:00:00.000", NULL),
        op(S, 3, "adjust_price", AS, 0, 0, "2026-12-01 10:00:01.000", NULL),
    };
    of_syncmerge_sort(ops, 4);
    cr_assert_str_eq(ops[0].op, "create");
    cr_assert_str_eq(ops[1].op, "pay");          /* the tie goes to the buyer */
    cr_assert_str_eq(ops[2].op, "adjust_price"); /* then the seller's by id */
    cr_assert_str_eq(ops[3].op, "ship");
}

Test(sync, CT_3_price_change_racing_a_payment_loses_either_way) {
    /* the pay first (by time): the price change made from unpaid finds the order paid */
    of_syn_order_t st = created();
    take(&st, op(B, 2, "pay", AB, 0, 1, "2026-12-01 10:02:00.000", NULL));
    of_syn_result_t r =
        take(&st, op(S, 3, "adjust_price", AS, 0, 0, "2026-12-01 10:02:00.500", "{\"price\":\"1.00\"}"));
    cr_assert_eq(r.outcome, OF_SYN_REJECTED);
    cr_assert_eq(r.row, OF_SYN_CT_REQUEST_LOSES);
    cr_assert_eq(st.price, 1000000);
    cr_assert(strstr(r.reason_en, "price adjustment made while the order was unpaid, but it is paid now"), "%s",
              r.reason_en);
    cr_assert(strstr(r.reason_cn, "修改价格于订单待付款时发起，但订单现为已付款：已拒绝"), "%s", r.reason_cn);
    /* the price change first: applied, the payment is then a payment of the new amount */
    of_syn_order_t st2 = created();
    cr_assert_eq(
        take(&st2, op(S, 3, "adjust_price", AS, 0, 0, "2026-12-01 10:01:00.000", "{\"price\":\"1.00\"}")).outcome,
        OF_SYN_APPLIED);
    cr_assert_eq(take(&st2, op(B, 2, "pay", AB, 0, 1, "2026-12-01 10:02:00.000", NULL)).outcome, OF_SYN_APPLIED);
    cr_assert_eq(st2.paid_amount, 110000); /* 1.00 + 10.00 shipping: the amount due when it paid */
}

Test(sync, CT_1_shipment_overrides_a_pending_cancel_request) {
    of_syn_order_t st = created();
    take(&st, op(B, 2, "pay", AB, 0, 1, "2026-12-01 10:02:00.000", NULL));
    cr_assert_eq(take(&st, op(B, 3, "cancel_request", AB, 1, 3, "2026-12-01 10:03:00.000", NULL)).outcome,
                 OF_SYN_APPLIED);
    of_syn_result_t r = take(&st, op(S, 4, "ship", AS, 1, 2, "2026-12-01 10:03:00.100", NULL));
    cr_assert_eq(r.outcome, OF_SYN_APPLIED);
    cr_assert_eq(r.row, OF_SYN_CT_FACT_OVERRIDES);
    cr_assert_str_eq(r.overrides, "b:3");
    cr_assert_eq(st.status, OF_SYN_SHIPPED);
    cr_assert_eq(st.cancel_from, -1);
    /* the other order of the race: the request finds the order shipped and loses; same end state */
    of_syn_order_t st2 = created();
    take(&st2, op(B, 2, "pay", AB, 0, 1, "2026-12-01 10:02:00.000", NULL));
    take(&st2, op(S, 4, "ship", AS, 1, 2, "2026-12-01 10:03:00.000", NULL));
    r = take(&st2, op(B, 3, "cancel_request", AB, 1, 3, "2026-12-01 10:03:00.100", NULL));
    cr_assert_eq(r.outcome, OF_SYN_REJECTED);
    cr_assert_eq(r.row, OF_SYN_CT_REQUEST_LOSES);
    cr_assert_eq(st2.status, OF_SYN_SHIPPED);
}

Test(sync, CT_1_payment_overrides_a_cancel_request_made_while_unpaid) {
    of_syn_order_t st = created();
    take(&st, op(S, 3, "cancel_request", AS, 0, 3, "2026-12-01 10:01:00.000", NULL));
    of_syn_result_t r = take(&st, op(B, 4, "pay", AB, 0, 1, "2026-12-01 10:01:00.200", NULL));
    cr_assert_eq(r.row, OF_SYN_CT_FACT_OVERRIDES);
    cr_assert_str_eq(r.overrides, "s:3");
    cr_assert_eq(st.status, OF_SYN_PAID);
}

Test(sync, CT_2_payment_reaching_a_cancelled_order_is_recorded_and_refunded) {
    of_syn_order_t st = created();
    take(&st, op(B, 3, "cancel_request", AB, 0, 3, "2026-12-01 10:01:00.000", NULL));
    take(&st, op(S, 4, "cancel_agree", AS, 3, 4, "2026-12-01 10:02:00.000", NULL));
    of_syn_result_t r = take(&st, op(B, 5, "pay", AB, 0, 1, "2026-12-01 10:02:00.500", NULL));
    cr_assert_eq(r.outcome, OF_SYN_APPLIED);
    cr_assert_eq(r.row, OF_SYN_CT_PAID_CANCELLED);
    cr_assert_eq(st.status, OF_SYN_CANCELLED);
    cr_assert_eq(st.pay_result, 1);
    cr_assert_str_eq(st.refund_time, "2026-12-01 10:02:00.500");
}

Test(sync, CT_4_shipping_a_cancelled_order_is_rejected_for_the_operator) {
    of_syn_order_t st = created();
    take(&st, op(B, 2, "pay", AB, 0, 1, "2026-12-01 10:02:00.000", NULL));
    take(&st, op(B, 3, "cancel_request", AB, 1, 3, "2026-12-01 10:03:00.000", NULL));
    take(&st, op(S, 4, "cancel_agree", AS, 3, 4, "2026-12-01 10:04:00.000", NULL));
    of_syn_result_t r = take(&st, op(S, 5, "ship", AS, 1, 2, "2026-12-01 10:05:00.000", NULL));
    cr_assert_eq(r.outcome, OF_SYN_REJECTED);
    cr_assert_eq(r.row, OF_SYN_CT_FACT_TOO_LATE);
    cr_assert(strstr(r.reason_en, "for the operator"));
    cr_assert_eq(st.status, OF_SYN_CANCELLED);
    /* a second payment of a paid order: the same row */
    of_syn_order_t st2 = created();
    take(&st2, op(B, 2, "pay", AB, 0, 1, "2026-12-01 10:02:00.000", NULL));
    cr_assert_eq(take(&st2, op(B, 3, "pay", AB, 0, 1, "2026-12-01 10:03:00.000", NULL)).row, OF_SYN_CT_FACT_TOO_LATE);
}

Test(sync, CT_3_answer_to_an_overridden_request_is_rejected) {
    of_syn_order_t st = created();
    take(&st, op(B, 2, "pay", AB, 0, 1, "2026-12-01 10:02:00.000", NULL));
    take(&st, op(B, 3, "cancel_request", AB, 1, 3, "2026-12-01 10:03:00.000", NULL));
    take(&st, op(S, 4, "ship", AS, 1, 2, "2026-12-01 10:03:30.000", NULL));
    of_syn_result_t r = take(&st, op(S, 5, "cancel_agree", AS, 3, 4, "2026-12-01 10:04:00.000", NULL));
    cr_assert_eq(r.row, OF_SYN_CT_REQUEST_LOSES);
    cr_assert_eq(st.status, OF_SYN_SHIPPED);
}

Test(sync, CT_5_D_SYN_3_the_requester_cannot_answer_its_own_request) {
    of_syn_order_t st = created();
    take(&st, op(B, 3, "cancel_request", AB, 0, 3, "2026-12-01 10:03:00.000", NULL));
    of_syn_result_t r = take(&st, op(B, 4, "cancel_agree", AB, 3, 4, "2026-12-01 10:04:00.000", NULL));
    cr_assert_eq(r.row, OF_SYN_CT_SELF_ANSWER);
    cr_assert_eq(st.status, OF_SYN_CANCEL_REQ);
    char why[200];
    cr_assert_not(of_syncmerge_site_allows(&st, OF_SYN_OP_CANCEL_AGREE, AB, why, sizeof why));
    cr_assert(strstr(why, "other party"));
    cr_assert(of_syncmerge_site_allows(&st, OF_SYN_OP_CANCEL_AGREE, AS, why, sizeof why));
    cr_assert(of_syncmerge_site_allows(&st, OF_SYN_OP_CANCEL_REFUSE, OF_SYN_ACT_OPERATOR, why, sizeof why));
}

Test(sync, CT_6_invalid_ops_are_rejected_not_dropped) {
    of_syn_order_t st = created();
    cr_assert_eq(take(&st, op(B, 2, "teleport", AB, 0, 1, "2026-12-01 10:02:00.000", NULL)).row, OF_SYN_CT_INVALID);
    cr_assert_eq(take(&st, op(B, 2, "pay", AB, 0, 5, "2026-12-01 10:02:00.000", NULL)).row, OF_SYN_CT_INVALID);
    of_syn_result_t r = take(&st, op(S, 3, "adjust_price", AS, 0, 0, "2026-12-01 10:02:00.000", "{\"price\":\"-1\"}"));
    cr_assert_eq(r.row, OF_SYN_CT_INVALID);
    cr_assert(strstr(r.reason_en, "price"), "%s", r.reason_en);
    cr_assert_eq(take(&st, op(S, 3, "adjust_price", AS, 0, 0, "x", "[1]")).row, OF_SYN_CT_INVALID);
    cr_assert_eq(st.amount, 1100000);
    of_syn_order_t none;
    of_syncorder_init(&none);
    cr_assert_eq(take(&none, op(B, 2, "pay", AB, 0, 1, "2026-12-01 10:02:00.000", NULL)).row, OF_SYN_CT_INVALID);
}

Test(sync, CT_7_a_second_create_is_a_duplicate) {
    of_syn_order_t st = created();
    cr_assert_eq(take(&st, op(B, 9, "create", AB, 0, 0, "2026-12-01 10:09:00.000", CREATE_FIELDS)).row,
                 OF_SYN_CT_DUPLICATE);
}

Test(sync, D_SYN_2_ops_change_only_the_columns_of_their_kind) {
    of_syn_order_t st = created();
    take(&st, op(S, 3, "adjust_price", AS, 0, 0, "2026-12-01 10:02:00.000",
                 "{\"price\":\"50\",\"status\":5,\"pay_no\":\"X\",\"buyer_id\":\"99\"}"));
    cr_assert_eq(st.price, 500000);
    cr_assert_eq(st.status, OF_SYN_UNPAID);
    cr_assert_str_eq(st.pay_no, "");
    cr_assert_eq(st.buyer_id, 7);
    cr_assert_eq(take(&st, op(B, 4, "update", AB, 0, 0, "2026-12-01 10:03:00.000",
                              "{\"receiver_city\":\"Lyon\",\"price\":\"1\"}"))
                     .outcome,
                 OF_SYN_APPLIED);
    cr_assert_str_eq(st.receiver_city, "Lyon");
    cr_assert_eq(st.price, 500000);
}

Test(sync, D_SYN_1_site_allows_only_the_status_model_steps) {
    of_syn_order_t st = created();
    char why[200];
    cr_assert_not(of_syncmerge_site_allows(&st, OF_SYN_OP_SHIP, AS, why, sizeof why));
    cr_assert(strstr(why, "unpaid"), "%s", why);
    cr_assert_not(of_syncmerge_site_allows(&st, OF_SYN_OP_PAY, AS, why, sizeof why)); /* the seller does not pay */
    cr_assert(of_syncmerge_site_allows(&st, OF_SYN_OP_PAY, AB, why, sizeof why));
    cr_assert_not(of_syncmerge_site_allows(&st, OF_SYN_OP_CREATE, AB, why, sizeof why));
    st.status = OF_SYN_SHIPPED;
    cr_assert_not(of_syncmerge_site_allows(&st, OF_SYN_OP_CANCEL_REQUEST, AB, why, sizeof why));
    cr_assert(of_syncmerge_site_allows(&st, OF_SYN_OP_RECEIVE, AB, why, sizeof why));
}

Test(sync, state_json_round_trip_keeps_every_column) {
    of_syn_order_t st = created();
    take(&st, op(B, 3, "cancel_request", AB, 0, 3, "2026-12-01 10:03:00.000", NULL));
    char *j = NULL;
    cr_assert_eq(of_syncorder_to_json(&st, &j), 0);
    of_syn_order_t back;
    cr_assert_eq(of_syncorder_from_json(j, &back), 0);
    free(j);
    cr_assert(back.exists);
    cr_assert_eq(back.status, OF_SYN_CANCEL_REQ);
    cr_assert_eq(back.cancel_from, 0);
    cr_assert_str_eq(back.cancel_op, "b:3");
    cr_assert_eq(back.amount, st.amount);
    cr_assert_str_eq(back.addtime, "2026-12-01 10:00:00.000");
    cr_assert_str_eq(back.receiver_city, "Paris");
    cr_assert_eq(of_syncorder_from_json("{\"status\":1}", &back), -1); /* a partial state is refused */
    cr_assert_eq(of_syncorder_from_json("nope", &back), -1);
}

Test(sync, CT_8_a_payment_at_the_price_it_saw_overrides_an_unseen_price_change) {
    of_syn_order_t st = created();
    /* the seller's change is earlier by time, but the buyer paid 100 + 10 without having seen it */
    cr_assert_eq(
        take(&st, op(S, 3, "adjust_price", AS, 0, 0, "2026-12-01 10:01:00.000", "{\"price\":\"1.00\"}")).outcome,
        OF_SYN_APPLIED);
    cr_assert_str_eq(st.price_op, "s:3");
    of_syn_result_t r = take(&st, op(B, 4, "pay", AB, 0, 1, "2026-12-01 10:01:00.100",
                                     "{\"price\":\"100.00\",\"shipping_fee\":\"10.00\",\"paid_amount\":\"110.00\"}"));
    cr_assert_eq(r.outcome, OF_SYN_APPLIED);
    cr_assert_eq(r.row, OF_SYN_CT_PAID_PRICE);
    cr_assert_str_eq(r.overrides, "s:3");
    cr_assert_eq(st.amount, 1100000);
    cr_assert_eq(st.paid_amount, 1100000);
    cr_assert_str_eq(st.price_op, "");
    /* a payment that saw the change: no conflict */
    of_syn_order_t st2 = created();
    take(&st2, op(S, 3, "adjust_price", AS, 0, 0, "2026-12-01 10:01:00.000", "{\"price\":\"1.00\"}"));
    r = take(&st2,
             op(B, 4, "pay", AB, 0, 1, "2026-12-01 10:02:00.000", "{\"price\":\"1.00\",\"shipping_fee\":\"10.00\"}"));
    cr_assert_eq(r.row, OF_SYN_CT_MATCH);
    cr_assert_eq(st2.amount, 110000);
}

Test(sync, SYN_2_each_side_keeps_its_commit_order_whatever_its_clock) {
    /* the seller's op 7 was committed after its op 6 but stamped earlier (its time was read before the row lock) */
    of_syn_op_t ops[3] = {
        op(S, 7, "ship", AS, 1, 2, "2026-12-01 10:00:00.500", NULL),
        op(S, 6, "adjust_price", AS, 0, 0, "2026-12-01 10:00:00.600", NULL),
        op(B, 4, "pay", AB, 0, 1, "2026-12-01 10:00:00.550", NULL),
    };
    of_syncmerge_sort(ops, 3);
    cr_assert_eq(ops[0].id, 4); /* merged by time against the seller's first op */
    cr_assert_eq(ops[1].id, 6); /* s:6 before s:7 always */
    cr_assert_eq(ops[2].id, 7);
}

Test(sync, CT_6_bad_dates_and_text_the_columns_refuse_are_invalid) {
    of_syn_order_t st = created();
    cr_assert_eq(
        take(&st, op(B, 2, "update", AB, 0, 0, "2026-12-01 10:02:00.000", "{\"newdeliver\":\"2026-02-30 10:00:00\"}"))
            .row,
        OF_SYN_CT_INVALID);
    cr_assert_eq(
        take(&st, op(B, 3, "update", AB, 0, 0, "2026-12-01 10:02:00.000", "{\"newdeliver\":\"2026-12-01 25:61:61\"}"))
            .row,
        OF_SYN_CT_INVALID);
    cr_assert_eq(
        take(&st, op(B, 4, "update", AB, 0, 0, "2026-12-01 10:02:00.000", "{\"newdeliver\":\"2028-02-29 10:00:00\"}"))
            .row,
        OF_SYN_CT_MATCH); /* a leap day */
    /* 22 Chinese characters fit receiver_name VARCHAR(64) (66 bytes); 65 characters do not */
    char f[600];
    snprintf(f, sizeof f, "{\"receiver_name\":\"%s\"}", "张张张张张张张张张张张张张张张张张张张张张张");
    cr_assert_eq(take(&st, op(B, 5, "update", AB, 0, 0, "2026-12-01 10:03:00.000", f)).row, OF_SYN_CT_MATCH);
    char longname[80];
    memset(longname, 'x', 65);
    longname[65] = 0;
    snprintf(f, sizeof f, "{\"receiver_name\":\"%s\"}", longname);
    cr_assert_eq(take(&st, op(B, 6, "update", AB, 0, 0, "2026-12-01 10:04:00.000", f)).row, OF_SYN_CT_INVALID);
    cr_assert_eq(
        take(&st, op(B, 7, "update", AB, 0, 0, "2026-12-01 10:05:00.000", "{\"receiver_city\":\"\\ud800\"}")).row,
        OF_SYN_CT_INVALID); /* a lone surrogate is not UTF-8 */
}

Test(sync, CT_9_both_parties_asking_to_cancel_is_an_agreement) {
    of_syn_order_t st = created();
    take(&st, op(B, 2, "pay", AB, 0, 1, "2026-12-01 10:02:00.000", NULL));
    take(&st, op(B, 3, "cancel_request", AB, 1, 3, "2026-12-01 10:03:00.000", NULL));
    of_syn_result_t r = take(&st, op(S, 4, "cancel_request", AS, 1, 3, "2026-12-01 10:03:00.100", NULL));
    cr_assert_eq(r.outcome, OF_SYN_APPLIED);
    cr_assert_eq(r.row, OF_SYN_CT_BOTH_CANCEL);
    cr_assert_eq(st.status, OF_SYN_CANCELLED);
    cr_assert_str_eq(st.refund_time, "2026-12-01 10:03:00.100");
    /* the same party asking twice is not an agreement */
    of_syn_order_t st2 = created();
    take(&st2, op(B, 3, "cancel_request", AB, 0, 3, "2026-12-01 10:03:00.000", NULL));
    cr_assert_eq(take(&st2, op(B, 4, "cancel_request", AB, 0, 3, "2026-12-01 10:04:00.000", NULL)).row,
                 OF_SYN_CT_REQUEST_LOSES);
}

Test(sync, CT_4_a_rejected_shipment_keeps_its_waybill_in_the_reason) {
    of_syn_order_t st = created();
    take(&st, op(B, 3, "cancel_request", AB, 0, 3, "2026-12-01 10:03:00.000", NULL));
    take(&st, op(S, 4, "cancel_agree", AS, 3, 4, "2026-12-01 10:04:00.000", NULL));
    of_syn_result_t r = take(&st, op(S, 5, "ship", AS, 1, 2, "2026-12-01 10:05:00.000",
                                     "{\"ship_logistics\":\"SF\",\"ship_waybill_no\":\"SF999\"}"));
    cr_assert_eq(r.row, OF_SYN_CT_FACT_TOO_LATE);
    cr_assert(strstr(r.reason_en, "SF999"), "%s", r.reason_en);
}
