/* test_rawtrade.c -- JSON line -> RawTrade mapping, validation, partition key, event id. */
#include <criterion/criterion.h>
#include <string.h>
#include "of_rawtrade.h"

static const char GOOD[] =
    "{\"platform_id\":1,\"shop_no\":\"tb-flagship\",\"tid\":\"TB1\",\"trade_status\":30,\"pay_status\":2,"
    "\"refund_status\":0,\"delivery_term\":1,\"trade_time\":\"2026-11-20 10:00:00\",\"pay_time\":\"2026-11-20 "
    "10:01:00\","
    "\"modified\":\"\",\"buyer_nick\":\"小王\",\"receiver_name\":\"王小明\",\"receiver_mobile\":\"13800000000\","
    "\"receiver_province\":\"上海\",\"cs_remark\":\"顺丰\",\"goods_count\":2,\"goods_type_count\":1,"
    "\"post_amount\":\"10.00\",\"paid\":\"128.5\",\"trade_mask\":3,"
    "\"orders\":[{\"oid\":\"TB1-1\",\"status\":30,\"refund_status\":0,\"goods_id\":\"G\",\"spec_id\":\"S\","
    "\"spec_no\":\"SKU-TEA-001\",\"num\":2,\"price\":\"59.00\",\"order_price\":\"58.5\",\"total_amount\":\"118\","
    "\"share_amount\":\"117.00\",\"paid\":\"118.0000\","
    "\"guarantee_mode\":1}]}";

static Orderfleet__RawTrade *parse(const char *s, char *err, size_t n) {
    return of_rawtrade_from_json(s, strlen(s), err, n);
}

Test(rawtrade_json, maps_every_kind_of_field) {
    char err[256] = "";
    Orderfleet__RawTrade *t = parse(GOOD, err, sizeof err);
    cr_assert_not_null(t, "%s", err);
    cr_expect_eq(t->platform_id, 1);
    cr_expect_str_eq(t->shop_no, "tb-flagship");
    cr_expect_str_eq(t->buyer_nick, "小王");
    cr_expect_str_eq(t->receiver_city, "", "absent string is empty");
    cr_expect_eq(t->post_amount, 100000);
    cr_expect_eq(t->paid, 1285000);
    cr_expect_eq(t->trade_mask, 3u);
    cr_assert_eq(t->n_orders, 1);
    cr_expect_str_eq(t->orders[0]->oid, "TB1-1");
    cr_expect_eq(t->orders[0]->num, 2);
    cr_expect_eq(t->orders[0]->price, 590000);
    cr_expect_eq(t->orders[0]->total_amount, 1180000);
    cr_expect_eq(t->orders[0]->order_price, 585000);
    cr_expect_eq(t->orders[0]->share_amount, 1170000);
    cr_expect_eq(of_rawtrade_validate(t, err, sizeof err), OF_OK, "%s", err);
    of_rawtrade_free(t);
}

Test(rawtrade_json, packs_and_unpacks_identically) {
    char err[256];
    Orderfleet__RawTrade *t = parse(GOOD, err, sizeof err);
    cr_assert_not_null(t);
    size_t n = orderfleet__raw_trade__get_packed_size(t);
    uint8_t buf[4096];
    cr_assert_lt(n, sizeof buf);
    orderfleet__raw_trade__pack(t, buf);
    Orderfleet__RawTrade *u = orderfleet__raw_trade__unpack(NULL, n, buf);
    cr_assert_not_null(u);
    cr_expect_str_eq(u->orders[0]->spec_no, "SKU-TEA-001");
    cr_expect_eq(u->paid, t->paid);
    of_rawtrade_free(u);
    of_rawtrade_free(t);
}

static void expect_refused(const char *json, const char *needle) {
    char err[256] = "";
    Orderfleet__RawTrade *t = parse(json, err, sizeof err);
    if (t) {
        of_err_t e = of_rawtrade_validate(t, err, sizeof err);
        of_rawtrade_free(t);
        cr_assert_eq(e, OF_ERR_INVALID, "accepted: %s", json);
    }
    cr_expect(strstr(err, needle) != NULL, "error '%s' should mention '%s'", err, needle);
}

Test(rawtrade_json, malformed_json) {
    expect_refused("{\"tid\": ", "malformed JSON");
}
Test(rawtrade_json, not_an_object) {
    expect_refused("[1,2]", "JSON object");
}
Test(rawtrade_json, unknown_key) {
    expect_refused("{\"tid\":\"x\",\"colour\":\"red\",\"orders\":[]}", "unknown key 'colour'");
}
Test(rawtrade_json, money_must_be_string) {
    expect_refused("{\"tid\":\"x\",\"paid\":12.5,\"orders\":[]}", "paid: money must be a decimal string");
}
Test(rawtrade_json, money_five_decimals) {
    expect_refused("{\"tid\":\"x\",\"paid\":\"1.00001\",\"orders\":[]}", "paid");
}
Test(rawtrade_json, quantity_as_string) {
    expect_refused("{\"tid\":\"x\",\"orders\":[{\"oid\":\"1\",\"num\":\"abc\"}]}", "orders[0].num: must be a number");
}
Test(rawtrade_json, quantity_fraction) {
    expect_refused("{\"tid\":\"x\",\"orders\":[{\"oid\":\"1\",\"num\":1.5}]}", "orders[0].num: must be an integer");
}
Test(rawtrade_json, bad_time) {
    expect_refused("{\"tid\":\"x\",\"trade_time\":\"2026-02-30 10:00:00\",\"orders\":[]}", "trade_time");
}
Test(rawtrade_json, orders_missing) {
    expect_refused("{\"tid\":\"x\"}", "orders: must be an array");
}

static Orderfleet__RawTrade *good(void) {
    char err[256];
    Orderfleet__RawTrade *t = parse(GOOD, err, sizeof err);
    cr_assert_not_null(t);
    return t;
}

static void expect_invalid(Orderfleet__RawTrade *t, const char *needle) {
    char err[256] = "";
    cr_expect_eq(of_rawtrade_validate(t, err, sizeof err), OF_ERR_INVALID);
    cr_expect(strstr(err, needle) != NULL, "error '%s' should mention '%s'", err, needle);
    of_rawtrade_free(t);
}

Test(rawtrade_validate, negative_quantity) {
    Orderfleet__RawTrade *t = good();
    t->orders[0]->num = -1;
    expect_invalid(t, "orders[0].num: -1 is negative");
}
Test(rawtrade_validate, zero_quantity_is_stored_for_submission_rules) {
    /* SUB-MAP-04: a sub-order with quantity 0 is marked bad_reason|1 at submission, not refused here. */
    char err[256];
    Orderfleet__RawTrade *t = good();
    t->orders[0]->num = 0;
    cr_expect_eq(of_rawtrade_validate(t, err, sizeof err), OF_OK);
    of_rawtrade_free(t);
}
Test(rawtrade_validate, trade_without_goods_is_stored) {
    /* SUB-TYPE-02: no goods -> bad_reason 8 at submission; the raw trade stays visible. */
    char err[256];
    Orderfleet__RawTrade *t = parse("{\"platform_id\":1,\"shop_no\":\"s\",\"tid\":\"T\",\"delivery_term\":1,"
                                    "\"trade_time\":\"2026-11-20 10:00:00\",\"orders\":[]}",
                                    err, sizeof err);
    cr_assert_not_null(t, "%s", err);
    cr_expect_eq(of_rawtrade_validate(t, err, sizeof err), OF_OK, "%s", err);
    of_rawtrade_free(t);
}
Test(rawtrade_validate, tid_required) {
    Orderfleet__RawTrade *t = good();
    free(t->tid);
    t->tid = strdup("");
    expect_invalid(t, "tid: required");
}
Test(rawtrade_validate, shop_required) {
    Orderfleet__RawTrade *t = good();
    free(t->shop_no);
    t->shop_no = strdup("");
    expect_invalid(t, "shop_no: required");
}
Test(rawtrade_validate, tid_too_long) {
    Orderfleet__RawTrade *t = good();
    free(t->tid);
    t->tid = calloc(1, 80);
    memset(t->tid, 'x', 70);
    expect_invalid(t, "tid: longer than 64");
}
Test(rawtrade_validate, trade_status_negative) {
    Orderfleet__RawTrade *t = good();
    t->trade_status = -1;
    expect_invalid(t, "trade_status");
}
Test(rawtrade_validate, delivery_term_range) {
    Orderfleet__RawTrade *t = good();
    t->delivery_term = 3;
    expect_invalid(t, "delivery_term");
}
Test(rawtrade_validate, line_refund_status_range) {
    Orderfleet__RawTrade *t = good();
    t->orders[0]->refund_status = 7;
    expect_invalid(t, "refund_status");
}
Test(rawtrade_validate, tinyint_ranges) {
    Orderfleet__RawTrade *t = good();
    t->orders[0]->guarantee_mode = 300;
    expect_invalid(t, "guarantee_mode");
    t = good();
    t->invoice_type = 256;
    expect_invalid(t, "invoice_type");
    t = good();
    t->wms_type = 128;
    expect_invalid(t, "wms_type");
    t = good();
    t->is_sealed = 200;
    expect_invalid(t, "is_sealed");
}
Test(rawtrade_validate, negative_share_amount) {
    Orderfleet__RawTrade *t = good();
    t->orders[0]->share_amount = -1;
    expect_invalid(t, "share_amount");
}
Test(rawtrade_validate, repeated_oid) {
    char err[256];
    const char *j =
        "{\"platform_id\":1,\"shop_no\":\"s\",\"tid\":\"T\",\"delivery_term\":1,\"trade_time\":\"2026-11-20 "
        "10:00:00\",\"orders\":[{\"oid\":\"A\",\"num\":1},{\"oid\":\"A\",\"num\":1}]}";
    Orderfleet__RawTrade *t = parse(j, err, sizeof err);
    cr_assert_not_null(t, "%s", err);
    expect_invalid(t, "repeated");
}
Test(rawtrade_validate, negative_paid) {
    Orderfleet__RawTrade *t = good();
    t->paid = -1;
    expect_invalid(t, "negative");
}

Test(rawtrade_key, buyer_then_fallbacks_sub_cust_01) {
    Orderfleet__RawTrade *t = good();
    char k[128];
    cr_expect_str_eq(of_rawtrade_key(t, k, sizeof k), "1:小王");
    free(t->buyer_nick);
    t->buyer_nick = strdup("");
    cr_expect_str_eq(of_rawtrade_key(t, k, sizeof k), "1:MOB13800000000");
    free(t->receiver_mobile);
    t->receiver_mobile = strdup("");
    free(t->receiver_telno);
    t->receiver_telno = strdup("021-5555");
    cr_expect_str_eq(of_rawtrade_key(t, k, sizeof k), "1:TEL021-5555");
    free(t->receiver_telno);
    t->receiver_telno = strdup("");
    cr_expect_str_eq(of_rawtrade_key(t, k, sizeof k), "1:TIDTB1");
    of_rawtrade_free(t);
}

Test(rawtrade_event_id, deterministic_per_content) {
    char a[64], b[64], c[64];
    of_rawtrade_event_id("abc", 3, a, sizeof a);
    of_rawtrade_event_id("abc", 3, b, sizeof b);
    of_rawtrade_event_id("abd", 3, c, sizeof c);
    cr_expect_str_eq(a, b);
    cr_expect_str_neq(a, c);
    cr_expect_eq(strlen(a), 35);
    cr_expect(!strncmp(a, "rt-", 3));
}

Test(rawtrade_time, calendar) {
    cr_expect(of_rawtrade_time_ok("2024-02-29 23:59:59", 0));
    cr_expect_not(of_rawtrade_time_ok("2023-02-29 10:00:00", 0));
    cr_expect_not(of_rawtrade_time_ok("2026-11-20T10:00:00", 0));
    cr_expect_not(of_rawtrade_time_ok("2026-11-20 24:00:00", 0));
    cr_expect_not(of_rawtrade_time_ok("", 0));
    cr_expect(of_rawtrade_time_ok("", 1));
}
