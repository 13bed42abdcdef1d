/* test_rawtrade.c -- JSON line -> RawTrade mapping, validation, partition key, event id. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
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
Test(rawtrade_validate, issue10_3_zero_sub_orders_are_refused) {
    /* D-RT-1 as revised by issue 10: a trade without sub-orders used to be stored and left pending (SUB-TYPE-02);
     * it is a dead letter now, from the worker and the adapter alike. */
    char err[256];
    Orderfleet__RawTrade *t = parse("{\"platform_id\":1,\"shop_no\":\"s\",\"tid\":\"T\",\"delivery_term\":1,"
                                    "\"trade_time\":\"2026-11-20 10:00:00\",\"orders\":[]}",
                                    err, sizeof err);
    cr_assert_not_null(t, "%s", err);
    expect_invalid(t, "orders: at least one sub-order");
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
    expect_invalid(t, "tid: 70 characters, more than 64");
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

/* ================================================================ issue 10: limits, strings, NUL, sub-orders */

static void set_str(char **slot, const char *v) {
    if (*slot && *slot != protobuf_c_empty_string) free(*slot);
    *slot = strdup(v);
}

static char *repeat(const char *unit, size_t n) {
    size_t u = strlen(unit);
    char *s = malloc(u * n + 1);
    cr_assert_not_null(s);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * u, unit, u);
    s[u * n] = '\0';
    return s;
}

static void expect_ok(Orderfleet__RawTrade *t) {
    char err[256] = "";
    cr_expect_eq(of_rawtrade_validate(t, err, sizeof err), OF_OK, "%s", err);
    of_rawtrade_free(t);
}

/* expect_invalid with the whole message */
static void expect_reason(Orderfleet__RawTrade *t, const char *reason) {
    char err[256] = "";
    cr_expect_eq(of_rawtrade_validate(t, err, sizeof err), OF_ERR_INVALID);
    cr_expect_str_eq(err, reason);
    of_rawtrade_free(t);
}

/* ---------------------------------------------------------------- item 2: quantities and amounts */

Test(rawtrade_limits, issue10_2_quantity_at_limit_is_accepted) {
    Orderfleet__RawTrade *t = good();
    t->orders[0]->num = OF_RT_MAX_NUM;
    expect_ok(t);
}
Test(rawtrade_limits, issue10_2_quantity_over_limit_is_refused) {
    Orderfleet__RawTrade *t = good();
    t->orders[0]->num = OF_RT_MAX_NUM + 1;
    expect_reason(t, "orders[0].num: 1000001 is more than 1000000");
    t = good();
    t->orders[0]->num = 2147483647;
    expect_reason(t, "orders[0].num: 2147483647 is more than 1000000");
}
Test(rawtrade_limits, issue10_2_zero_quantity_still_accepted_D_RT_1) {
    Orderfleet__RawTrade *t = good();
    t->orders[0]->num = 0;
    expect_ok(t);
}
Test(rawtrade_limits, issue10_2_goods_count_at_and_over_limit) {
    Orderfleet__RawTrade *t = good();
    t->goods_count = OF_RT_MAX_GOODS_COUNT;
    expect_ok(t);
    t = good();
    t->goods_count = OF_RT_MAX_GOODS_COUNT + 1;
    expect_reason(t, "goods_count: 500000001 not in 0..500000000");
    t = good();
    t->goods_count = -1;
    expect_reason(t, "goods_count: -1 not in 0..500000000");
}
Test(rawtrade_limits, issue10_2_goods_type_count_at_and_over_limit) {
    Orderfleet__RawTrade *t = good();
    t->goods_type_count = OF_RT_MAX_ORDERS;
    expect_ok(t);
    t = good();
    t->goods_type_count = OF_RT_MAX_ORDERS + 1;
    expect_reason(t, "goods_type_count: 501 not in 0..500");
}

static int64_t *money_slot(void *msg, const of_rtfield_t *f) {
    return (int64_t *)((char *)msg + f->off);
}
static int is_signed_field(const char *name) {
    return !strcmp(name, "discount") || !strcmp(name, "adjust") || !strcmp(name, "share_discount");
}

Test(rawtrade_limits, issue10_2_amount_at_limit_and_one_past_on_every_money_field) {
    cr_assert_eq(OF_RT_MAX_AMOUNT, 1000000000000000LL, "10^11 yuan in ten-thousandths");
    for (int which = 0; which < 2; which++) {
        size_t n;
        const of_rtfield_t *fs = of_rawtrade_fields(which, &n);
        for (size_t i = 0; i < n; i++) {
            if (fs[i].kind != OF_RTF_MONEY) continue;
            char want[160];
            const char *pre = which ? "orders[0]." : "";
            Orderfleet__RawTrade *t = good();
            void *msg = which ? (void *)t->orders[0] : (void *)t;
            t->orders[0]->num = 1; /* price × num = price */
            *money_slot(msg, &fs[i]) = OF_RT_MAX_AMOUNT;
            expect_ok(t);
            t = good();
            msg = which ? (void *)t->orders[0] : (void *)t;
            t->orders[0]->num = 1;
            *money_slot(msg, &fs[i]) = OF_RT_MAX_AMOUNT + 1;
            snprintf(want, sizeof want, "%s%s: 100000000000.0001 is more than 100000000000.0000", pre, fs[i].name);
            expect_reason(t, want);
            t = good();
            msg = which ? (void *)t->orders[0] : (void *)t;
            if (is_signed_field(fs[i].name)) {
                *money_slot(msg, &fs[i]) = -OF_RT_MAX_AMOUNT;
                expect_ok(t);
                t = good();
                msg = which ? (void *)t->orders[0] : (void *)t;
                *money_slot(msg, &fs[i]) = -OF_RT_MAX_AMOUNT - 1;
                snprintf(want, sizeof want, "%s%s: -100000000000.0001 is less than -100000000000.0000", pre,
                         fs[i].name);
            } else {
                *money_slot(msg, &fs[i]) = -1;
                snprintf(want, sizeof want, "%s%s: -0.0001 is negative", pre, fs[i].name);
            }
            expect_reason(t, want);
        }
    }
}

Test(rawtrade_limits, issue10_2_price_times_quantity_over_limit_is_refused) {
    Orderfleet__RawTrade *t = good();
    t->orders[0]->price = t->orders[0]->order_price = OF_RT_MAX_AMOUNT / 1000;
    t->orders[0]->num = 1000; /* exactly the limit */
    expect_ok(t);
    t = good();
    t->orders[0]->price = OF_RT_MAX_AMOUNT / 1000;
    t->orders[0]->num = 1001;
    expect_reason(t, "orders[0].price: 100000000.0000 × num 1001 is more than 100000000000.0000");
    t = good();
    t->orders[0]->order_price = OF_RT_MAX_AMOUNT / 1000;
    t->orders[0]->num = 1001;
    expect_reason(t, "orders[0].order_price: 100000000.0000 × num 1001 is more than 100000000000.0000");
    t = good(); /* 10^15 × 10^6 = 10^21: past int64 itself, caught by the checked product */
    t->orders[0]->price = OF_RT_MAX_AMOUNT;
    t->orders[0]->num = OF_RT_MAX_NUM;
    expect_reason(t, "orders[0].price: 100000000000.0000 × num 1000000 is more than 100000000000.0000");
}

Test(rawtrade_limits, issue10_2_json_amount_past_the_limit_same_reason) {
    /* of_money_parse takes up to 14 integer digits (< 10^14 yuan); the limit is 10^11 */
    char err[256] = "";
    Orderfleet__RawTrade *t = parse("{\"platform_id\":2,\"shop_no\":\"s\",\"tid\":\"T\",\"delivery_term\":1,"
                                    "\"trade_time\":\"2026-11-20 10:00:00\",\"orders\":[{\"oid\":\"A\",\"num\":5000,"
                                    "\"price\":\"200000000000.00\"}]}",
                                    err, sizeof err);
    cr_assert_not_null(t, "%s", err);
    expect_reason(t, "orders[0].price: 200000000000.0000 is more than 100000000000.0000");
}

static char *orders_json(int n) {
    size_t cap = 256 + (size_t)n * 32;
    char *j = malloc(cap);
    cr_assert_not_null(j);
    int k = snprintf(j, cap,
                     "{\"platform_id\":1,\"shop_no\":\"s\",\"tid\":\"T\",\"delivery_term\":1,"
                     "\"trade_time\":\"2026-11-20 10:00:00\",\"orders\":[");
    for (int i = 0; i < n; i++)
        k += snprintf(j + k, cap - (size_t)k, "%s{\"oid\":\"O%d\",\"num\":1}", i ? "," : "", i);
    snprintf(j + k, cap - (size_t)k, "]}");
    return j;
}

Test(rawtrade_limits, issue10_2_sub_orders_at_limit_and_one_past) {
    char err[256] = "";
    char *j = orders_json(OF_RT_MAX_ORDERS);
    Orderfleet__RawTrade *t = parse(j, err, sizeof err);
    free(j);
    cr_assert_not_null(t, "%s", err);
    cr_expect_eq(of_rawtrade_validate(t, err, sizeof err), OF_OK, "%s", err);
    /* one more on the decoded message (the worker's path) */
    t->orders = realloc(t->orders, sizeof *t->orders * (OF_RT_MAX_ORDERS + 1));
    cr_assert_not_null(t->orders);
    Orderfleet__RawSubOrder *o = malloc(sizeof *o);
    orderfleet__raw_sub_order__init(o);
    o->oid = strdup("EXTRA");
    t->orders[t->n_orders++] = o;
    expect_reason(t, "orders: 501 sub-orders, more than 500");
    /* and as JSON (the adapter's path): the same reason */
    j = orders_json(OF_RT_MAX_ORDERS + 1);
    t = parse(j, err, sizeof err);
    free(j);
    cr_expect_null(t);
    cr_expect_str_eq(err, "orders: 501 sub-orders, more than 500");
}

/* ---------------------------------------------------------------- item 3: at least one sub-order */

Test(rawtrade_validate, issue10_3_zero_sub_orders_on_the_decoded_message) {
    Orderfleet__RawTrade *t = good();
    protobuf_c_message_free_unpacked(&t->orders[0]->base, NULL);
    free(t->orders);
    t->orders = NULL;
    t->n_orders = 0;
    expect_reason(t, "orders: at least one sub-order");
}

/* ---------------------------------------------------------------- item 3: UTF-8 */

static void expect_goods_name(const char *bytes, const char *reason) {
    Orderfleet__RawTrade *t = good();
    set_str(&t->orders[0]->goods_name, bytes);
    if (reason)
        expect_reason(t, reason);
    else
        expect_ok(t);
}

static void utf8_ok(const char *s, size_t want_chars) {
    size_t n = 0, at = 0;
    const char *why = "";
    cr_expect(of_rawtrade_utf8(s, strlen(s), &n, &at, &why), "refused at %zu: %s", at, why);
    cr_expect_eq(n, want_chars);
}

static void utf8_bad(const char *s, size_t want_at, const char *want_why) {
    size_t n = 0, at = 99;
    const char *why = "";
    cr_expect_not(of_rawtrade_utf8(s, strlen(s), &n, &at, &why), "accepted");
    cr_expect_eq(at, want_at);
    cr_expect_str_eq(why, want_why);
}

Test(rawtrade_utf8, issue10_3_valid_multibyte_chinese_is_accepted) {
    utf8_ok("西湖龙井", 4);
    utf8_ok("250g礼盒 ü ©", 10);
    expect_goods_name("明前特级西湖龙井茶叶 2026新茶", NULL);
}
Test(rawtrade_utf8, issue10_3_four_byte_emoji_is_accepted) {
    utf8_ok("\xF0\x9F\x98\x80", 1);         /* U+1F600 */
    utf8_ok("\xF4\x8F\xBF\xBF", 1);         /* U+10FFFF, the last code point */
    utf8_ok("\xED\x9F\xBF\xEE\x80\x80", 2); /* U+D7FF and U+E000 around the surrogates */
    expect_goods_name("好茶\xF0\x9F\x98\x80", NULL);
}
Test(rawtrade_utf8, issue10_3_overlong_c0_af_is_refused) {
    utf8_bad("\xC0\xAF", 0, "overlong");
    utf8_bad("a\xC1\xBF", 1, "overlong");
    utf8_bad("\xE0\x80\xAF", 0, "overlong");
    utf8_bad("\xF0\x80\x80\xAF", 0, "overlong");
    expect_goods_name("茶\xC0\xAF", "orders[0].goods_name: not valid UTF-8 at byte 3 (overlong)");
}
Test(rawtrade_utf8, issue10_3_surrogate_ed_a0_80_is_refused) {
    utf8_bad("\xED\xA0\x80", 0, "surrogate");
    utf8_bad("ab\xED\xBF\xBF", 2, "surrogate");
    expect_goods_name("ab\xED\xA0\x80", "orders[0].goods_name: not valid UTF-8 at byte 2 (surrogate)");
}
Test(rawtrade_utf8, issue10_3_truncated_sequence_is_refused) {
    utf8_bad("\xE4\xB8", 0, "truncated");
    utf8_bad("\xE4\xB8"
             "A",
             0, "truncated");
    utf8_bad("ok\xF0\x9F\x98", 2, "truncated");
    utf8_bad("\xC3", 0, "truncated");
    expect_goods_name("茶\xE8\x8C", "orders[0].goods_name: not valid UTF-8 at byte 3 (truncated)");
}
Test(rawtrade_utf8, issue10_3_f5_and_above_u10ffff_are_refused) {
    utf8_bad("\xF5\x80\x80\x80", 0, "above U+10FFFF");
    utf8_bad("\xF4\x90\x80\x80", 0, "above U+10FFFF");
    utf8_bad("\xFF", 0, "invalid byte");
    utf8_bad("x\x80", 1, "invalid byte"); /* a continuation byte without a lead */
    expect_goods_name("\xF5\x80\x80\x80", "orders[0].goods_name: not valid UTF-8 at byte 0 (above U+10FFFF)");
}
Test(rawtrade_utf8, issue10_3_every_string_field_is_checked_and_named) {
    for (int which = 0; which < 2; which++) {
        size_t n;
        const of_rtfield_t *fs = of_rawtrade_fields(which, &n);
        for (size_t i = 0; i < n; i++) {
            if (fs[i].kind != OF_RTF_STR && fs[i].kind != OF_RTF_TIME) continue;
            Orderfleet__RawTrade *t = good();
            void *msg = which ? (void *)t->orders[0] : (void *)t;
            set_str((char **)((char *)msg + fs[i].off), "\xC0\xAF");
            char want[160];
            snprintf(want, sizeof want, "%s%s: not valid UTF-8 at byte 0 (overlong)", which ? "orders[0]." : "",
                     fs[i].name);
            expect_reason(t, want);
        }
    }
}
Test(rawtrade_utf8, issue10_3_json_adapter_gives_the_same_reason) {
    char err[256] = "";
    Orderfleet__RawTrade *t = parse("{\"platform_id\":2,\"shop_no\":\"s\",\"tid\":\"T\",\"delivery_term\":1,"
                                    "\"trade_time\":\"2026-11-20 10:00:00\",\"receiver_name\":\"周\xED\xA0\x80\","
                                    "\"orders\":[{\"oid\":\"A\",\"num\":1}]}",
                                    err, sizeof err);
    cr_assert_not_null(t, "%s", err);
    expect_reason(t, "receiver_name: not valid UTF-8 at byte 3 (surrogate)");
}

/* ---------------------------------------------------------------- item 3: length in characters (the column) */

static void expect_field(const char *field, const char *value, const char *reason) {
    Orderfleet__RawTrade *t = good();
    size_t n;
    const of_rtfield_t *fs = of_rawtrade_fields(0, &n);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(fs[i].name, field)) set_str((char **)((char *)t + fs[i].off), value);
    if (reason)
        expect_reason(t, reason);
    else
        expect_ok(t);
}

Test(rawtrade_length, issue10_3_every_string_field_at_its_column_and_one_past) {
    for (int which = 0; which < 2; which++) {
        size_t n;
        const of_rtfield_t *fs = of_rawtrade_fields(which, &n);
        for (size_t i = 0; i < n; i++) {
            if (fs[i].kind != OF_RTF_STR) continue;
            cr_assert(fs[i].maxchars > 0 && fs[i].maxchars <= fs[i].maxlen, "%s", fs[i].name);
            for (size_t len = fs[i].maxchars; len <= fs[i].maxchars + 1; len++) {
                Orderfleet__RawTrade *t = good();
                void *msg = which ? (void *)t->orders[0] : (void *)t;
                char *v = repeat("a", len);
                set_str((char **)((char *)msg + fs[i].off), v);
                free(v);
                char want[160];
                snprintf(want, sizeof want, "%s%s: %zu characters, more than %zu", which ? "orders[0]." : "",
                         fs[i].name, len, fs[i].maxchars);
                if (len == fs[i].maxchars)
                    expect_ok(t);
                else
                    expect_reason(t, want);
            }
        }
    }
}
Test(rawtrade_length, issue10_3_columns_of_the_submission_bind_receiver_and_nick) {
    /* sales_trade / crm_customer columns are narrower than api_trade's: checked before any write */
    char *v = repeat("王", 64); /* 64 characters, 192 bytes */
    expect_field("receiver_name", v, NULL);
    free(v);
    v = repeat("王", 65);
    expect_field("receiver_name", v, "receiver_name: 65 characters, more than 64");
    free(v);
    v = repeat("1", 41);
    expect_field("receiver_mobile", v, "receiver_mobile: 41 characters, more than 40");
    free(v);
    v = repeat("n", 129);
    expect_field("buyer_nick", v, "buyer_nick: 129 characters, more than 128");
    free(v);
    v = repeat("c", 256);
    expect_field("invoice_content", v, "invoice_content: 256 characters, more than 255");
    free(v);
}
Test(rawtrade_length, issue10_3_bytes_bound_by_the_worker_buffers) {
    char *v = repeat("路", 85); /* 255 bytes */
    expect_field("receiver_address", v, NULL);
    free(v);
    v = repeat("路", 86); /* 86 characters fit the column, 258 bytes do not fit the buffers */
    expect_field("receiver_address", v, "receiver_address: 258 bytes, more than 255");
    free(v);
    v = repeat("a", 256);
    expect_field("receiver_address", v, "receiver_address: 256 characters, more than 255");
    free(v);
}

/* ---------------------------------------------------------------- item 3: NUL inside a string */

/* The packed bytes of t with the first 'X' of every string equal to `mark` turned into a NUL. */
static size_t pack_with_nul(Orderfleet__RawTrade *t, uint8_t *buf, size_t cap, const char *mark) {
    Orderfleet__EventMeta meta = ORDERFLEET__EVENT_META__INIT;
    meta.event_id = "ev-1";
    meta.producer = "unit";
    if (!t->meta) t->meta = &meta;
    size_t n = orderfleet__raw_trade__get_packed_size(t);
    cr_assert_lt(n, cap);
    orderfleet__raw_trade__pack(t, buf);
    if (t->meta == &meta) t->meta = NULL;
    uint8_t *hit = NULL;
    for (size_t i = 0; !hit && i + strlen(mark) <= n; i++)
        if (!memcmp(buf + i, mark, strlen(mark))) hit = buf + i;
    cr_assert_not_null(hit, "mark %s not packed", mark);
    *(uint8_t *)memchr(hit, 'X', strlen(mark)) = 0;
    return n;
}

static void expect_wire(const uint8_t *buf, size_t n, const char *reason) {
    char err[256] = "";
    cr_expect_eq(of_rawtrade_wire_check(buf, n, err, sizeof err), reason ? OF_ERR_INVALID : OF_OK, "%s", err);
    if (reason) cr_expect_str_eq(err, reason);
}

Test(rawtrade_nul, issue10_3_nul_in_protobuf_shop_no_is_found_on_the_wire) {
    Orderfleet__RawTrade *t = good();
    set_str(&t->shop_no, "jd-storeXevil");
    uint8_t buf[4096];
    size_t n = pack_with_nul(t, buf, sizeof buf, "jd-storeXevil");
    of_rawtrade_free(t);
    /* what the worker decodes: the string silently cut, and the validator cannot tell */
    Orderfleet__RawTrade *u = orderfleet__raw_trade__unpack(NULL, n, buf);
    cr_assert_not_null(u);
    cr_expect_str_eq(u->shop_no, "jd-store");
    char err[256] = "";
    cr_expect_eq(of_rawtrade_validate(u, err, sizeof err), OF_OK, "%s", err);
    cr_expect_neq(orderfleet__raw_trade__get_packed_size(u), n, "re-packing shows the bytes lost");
    of_rawtrade_free(u);
    /* the wire check sees it, names the field and the offset */
    expect_wire(buf, n, "shop_no: contains a NUL byte at byte 8");
}
Test(rawtrade_nul, issue10_3_nul_in_sub_order_and_meta_strings_is_named) {
    char err[256] = "";
    Orderfleet__RawTrade *t = parse("{\"platform_id\":1,\"shop_no\":\"s\",\"tid\":\"T\",\"delivery_term\":1,"
                                    "\"trade_time\":\"2026-11-20 10:00:00\",\"orders\":[{\"oid\":\"A\",\"num\":1},"
                                    "{\"oid\":\"B\",\"num\":1,\"goods_name\":\"茶Xleaf\"}]}",
                                    err, sizeof err);
    cr_assert_not_null(t, "%s", err);
    uint8_t buf[4096];
    size_t n = pack_with_nul(t, buf, sizeof buf, "Xleaf");
    expect_wire(buf, n, "orders[1].goods_name: contains a NUL byte at byte 3");
    Orderfleet__EventMeta meta = ORDERFLEET__EVENT_META__INIT;
    meta.event_id = "ev-2";
    meta.producer = "proXducer";
    t->meta = &meta;
    n = pack_with_nul(t, buf, sizeof buf, "proXducer");
    t->meta = NULL;
    expect_wire(buf, n, "meta.producer: contains a NUL byte at byte 3");
    of_rawtrade_free(t);
}
Test(rawtrade_nul, issue10_3_clean_or_undecodable_bytes_pass_the_wire_check) {
    Orderfleet__RawTrade *t = good();
    Orderfleet__EventMeta meta = ORDERFLEET__EVENT_META__INIT;
    meta.event_id = "ev-3";
    t->meta = &meta;
    uint8_t buf[4096];
    size_t n = orderfleet__raw_trade__get_packed_size(t);
    orderfleet__raw_trade__pack(t, buf);
    t->meta = NULL;
    of_rawtrade_free(t);
    expect_wire(buf, n, NULL);
    static const uint8_t garbage[] = {0xde, 0xad, 0xbe, 0xef, 0x00, 0xff, 0x17}; /* the decoder refuses these */
    expect_wire(garbage, sizeof garbage, NULL);
    expect_wire(buf, 0, NULL);
    expect_wire(buf, n - 1, NULL); /* cut short: not well formed, left to the decoder */
}
Test(rawtrade_nul, issue10_3_nul_in_json_refused_with_the_same_reason) {
    char err[256] = "";
    const char *head = "{\"platform_id\":2,\"tid\":\"T\",\"delivery_term\":1,\"trade_time\":\"2026-11-20 10:00:00\",";
    char j[512];
    snprintf(j, sizeof j, "%s\"shop_no\":\"jd-store\\u0000evil\",\"orders\":[{\"oid\":\"A\",\"num\":1}]}", head);
    cr_expect_null(parse(j, err, sizeof err));
    cr_expect_str_eq(err, "shop_no: contains a NUL byte at byte 8");
    snprintf(j, sizeof j,
             "%s\"shop_no\":\"s\",\"orders\":[{\"oid\":\"A\"},{\"oid\":\"B\",\"goods_name\":\"茶\\u0000\"}]}", head);
    cr_expect_null(parse(j, err, sizeof err));
    cr_expect_str_eq(err, "orders[1].goods_name: contains a NUL byte at byte 3");
    /* a raw NUL byte in the line */
    int k = snprintf(j, sizeof j, "%s\"shop_no\":\"jd-store", head);
    j[k] = '\0';
    k += 1 + snprintf(j + k + 1, sizeof j - (size_t)k - 1, "evil\",\"orders\":[{\"oid\":\"A\",\"num\":1}]}");
    Orderfleet__RawTrade *t = of_rawtrade_from_json(j, (size_t)k, err, sizeof err);
    cr_expect_null(t);
    cr_expect_str_eq(err, "shop_no: contains a NUL byte at byte 8");
    /* a key with a NUL would map to "tid" */
    cr_expect_null(parse("{\"tid\\u0000x\":\"T\",\"orders\":[]}", err, sizeof err));
    cr_expect_str_eq(err, "tid: key contains a NUL byte at byte 3");
    /* an escaped backslash before u0000 is text, not a NUL */
    snprintf(j, sizeof j, "%s\"shop_no\":\"s\",\"cs_remark\":\"a\\\\u0000b\",\"orders\":[{\"oid\":\"A\",\"num\":1}]}",
             head);
    t = parse(j, err, sizeof err);
    cr_assert_not_null(t, "%s", err);
    cr_expect_str_eq(t->cs_remark, "a\\u0000b");
    of_rawtrade_free(t);
}

Test(rawtrade_validate, a_resubmit_request_carries_the_identity_only) {
    Orderfleet__RawTrade t = ORDERFLEET__RAW_TRADE__INIT;
    char err[256];
    t.resubmit = 1;
    t.platform_id = 1;
    t.shop_no = "tb-flagship";
    t.tid = "TB1";
    t.buyer_nick = "小王";
    cr_expect_eq(of_rawtrade_validate_resubmit(&t, err, sizeof err), OF_OK, "%s", err);
    cr_expect_neq(of_rawtrade_validate(&t, err, sizeof err), OF_OK); /* not a trade: no trade_time */
    t.tid = "";
    cr_expect_eq(of_rawtrade_validate_resubmit(&t, err, sizeof err), OF_ERR_INVALID);
    t.tid = "TB1";
    t.platform_id = 256;
    cr_expect_eq(of_rawtrade_validate_resubmit(&t, err, sizeof err), OF_ERR_INVALID);
    t.platform_id = 1;
    Orderfleet__RawSubOrder o = ORDERFLEET__RAW_SUB_ORDER__INIT, *os[1] = {&o};
    t.n_orders = 1;
    t.orders = os;
    cr_expect_eq(of_rawtrade_validate_resubmit(&t, err, sizeof err), OF_ERR_INVALID);
    cr_expect(strstr(err, "no sub-orders") != NULL, "%s", err);
}
