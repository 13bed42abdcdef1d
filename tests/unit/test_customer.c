/* test_customer.c -- SUB-CUST-01…-06 (nick fallback, existing / offline / new customer, address and phone books),
 * OP-17 and OP-18. */
#include <criterion/criterion.h>
#include <string.h>
#include "of_customer.h"

static Orderfleet__RawTrade raw;
static of_subin_t in;
static of_sub_t s;

static void setup(void) {
    orderfleet__raw_trade__init(&raw);
    raw.platform_id = 1;
    raw.tid = "TB1";
    raw.buyer_nick = "小王";
    raw.receiver_name = "王小明";
    raw.receiver_mobile = "13800000000";
    raw.receiver_telno = "021-55550000";
    raw.receiver_province = "上海";
    raw.receiver_city = "上海市";
    raw.receiver_district = "浦东新区";
    raw.receiver_address = "世纪大道100号";
    raw.receiver_zip = "200120";
    memset(&in, 0, sizeof in);
    in.raw = &raw;
    in.shop_id = 1;
    of_sub_init(&s);
}

static void teardown(void) {
    of_sub_free(&s);
}

TestSuite(sub_cust, .init = setup, .fini = teardown);

Test(sub_cust, SUB_CUST_01_nick_fallbacks) {
    char nick[64];
    of_cust_nick(&raw, nick, sizeof nick);
    cr_expect_str_eq(nick, "小王");
    raw.buyer_nick = "";
    of_cust_nick(&raw, nick, sizeof nick);
    cr_expect_str_eq(nick, "MOB13800000000");
    raw.receiver_mobile = "";
    of_cust_nick(&raw, nick, sizeof nick);
    cr_expect_str_eq(nick, "TEL021-55550000");
    raw.buyer_nick = NULL; /* NULL counts as empty too */
    raw.receiver_telno = NULL;
    of_cust_nick(&raw, nick, sizeof nick);
    cr_expect_str_eq(nick, "未知卖家");
}

Test(sub_cust, SUB_CUST_01_OP_17_literal_unknown_nick_in_decision) {
    raw.buyer_nick = "";
    raw.receiver_mobile = "";
    raw.receiver_telno = "";
    of_cust_decide(&in, &s);
    cr_expect_str_eq(s.nick, "未知卖家", "stored literally (OP-17)");
    const of_trace_entry_t *t = of_trace_find(&s.trace, "SUB-CUST-01", "nick");
    cr_assert_not_null(t);
    cr_expect(strstr(t->value, "OP-17") != NULL, "%s", t->value);
}

Test(sub_cust, SUB_CUST_02_existing_platform_customer) {
    in.cust.platform_customer_id = 42;
    in.cust.customer_type = 3;
    in.cust.offline_customer_id = 7; /* ignored once the platform customer is found */
    in.cust.offline_phone_match = 1;
    of_cust_decide(&in, &s);
    cr_expect_eq(s.cust_action, OF_CUST_EXISTING);
    cr_expect_eq(s.customer_id, 42u);
    cr_expect_eq(s.customer_type, 3);
    cr_expect_str_eq(s.nick, "小王");
    cr_expect_not_null(of_trace_find(&s.trace, "SUB-CUST-02", "customer"));
    cr_expect_null(of_trace_find(&s.trace, "SUB-CUST-03", "customer"));
}

Test(sub_cust, SUB_CUST_03_OP_18_offline_customer_reused_by_phone_or_address) {
    in.cust.offline_customer_id = 7;
    in.cust.offline_phone_match = 1;
    of_cust_decide(&in, &s);
    cr_expect_eq(s.cust_action, OF_CUST_LINK_OFFLINE);
    cr_expect_eq(s.customer_id, 7u);
    of_sub_free(&s);
    of_sub_init(&s);
    in.cust.offline_phone_match = 0;
    in.cust.offline_address_match = 1;
    of_cust_decide(&in, &s);
    cr_expect_eq(s.cust_action, OF_CUST_LINK_OFFLINE, "the address alone is enough");
    cr_expect_eq(s.customer_id, 7u);
}

Test(sub_cust, SUB_CUST_03_offline_customer_without_match_is_not_reused) {
    in.cust.offline_customer_id = 7;
    of_cust_decide(&in, &s);
    cr_expect_eq(s.cust_action, OF_CUST_CREATE);
    cr_expect_eq(s.customer_id, 0u);
    const of_trace_entry_t *t = of_trace_find(&s.trace, "SUB-CUST-03", "customer");
    cr_assert_not_null(t);
    cr_expect(strstr(t->value, "not reused") != NULL, "%s", t->value);
}

Test(sub_cust, SUB_CUST_03_OP_18_phone_match_definition) {
    cr_expect_eq(of_cust_phone_match(&raw, "13800000000"), 1, "the mobile");
    cr_expect_eq(of_cust_phone_match(&raw, "021-55550000"), 1, "the telephone");
    cr_expect_eq(of_cust_phone_match(&raw, "13900000000"), 0);
    cr_expect_eq(of_cust_phone_match(&raw, ""), 0, "an empty number never matches");
    raw.receiver_telno = "";
    cr_expect_eq(of_cust_phone_match(&raw, ""), 0, "not even an empty raw telno");
}

Test(sub_cust, SUB_CUST_03_OP_18_address_match_definition) {
    cr_expect_eq(of_cust_address_match(&raw, "上海", "上海市", "浦东新区", "世纪大道100号"), 1);
    cr_expect_eq(of_cust_address_match(&raw, "上海", "上海市", "黄浦区", "世纪大道100号"), 0, "district differs");
    cr_expect_eq(of_cust_address_match(&raw, "上海", "上海市", "浦东新区", "世纪大道101号"), 0, "address differs");
    raw.receiver_address = "";
    cr_expect_eq(of_cust_address_match(&raw, "上海", "上海市", "浦东新区", ""), 0, "no address: no match");
}

Test(sub_cust, SUB_CUST_04_create_new_customer) {
    of_cust_decide(&in, &s);
    cr_expect_eq(s.cust_action, OF_CUST_CREATE);
    cr_expect_eq(s.customer_id, 0u, "the worker inserts crm_customer and fills it");
    cr_expect_eq(s.customer_type, 0);
    const of_trace_entry_t *t = of_trace_find(&s.trace, "SUB-CUST-04", "action");
    cr_assert_not_null(t);
    cr_expect(strstr(t->value, "create") != NULL, "%s", t->value);
}

Test(sub_cust, SUB_CUST_04_link_inserts_only_platform_customer) {
    in.cust.offline_customer_id = 9;
    in.cust.offline_address_match = 1;
    of_cust_decide(&in, &s);
    const of_trace_entry_t *t = of_trace_find(&s.trace, "SUB-CUST-04", "action");
    cr_assert_not_null(t);
    cr_expect(strstr(t->value, "crm_platform_customer linked to customer 9") != NULL, "%s", t->value);
}

Test(sub_cust, SUB_CUST_05_address_book_row) {
    of_cust_address_t a;
    cr_expect_eq(of_cust_address(&raw, &a), 1);
    cr_expect_str_eq(a.name, "王小明");
    cr_expect_str_eq(a.province, "上海");
    cr_expect_str_eq(a.city, "上海市");
    cr_expect_str_eq(a.district, "浦东新区");
    cr_expect_str_eq(a.address, "世纪大道100号");
    cr_expect_str_eq(a.zip, "200120");
    cr_expect_str_eq(a.mobile, "13800000000");
    raw.receiver_province = "";
    raw.receiver_city = "";
    raw.receiver_district = NULL;
    raw.receiver_address = "";
    cr_expect_eq(of_cust_address(&raw, &a), 0, "nothing to add");
    cr_expect_str_eq(a.district, "", "NULL reads as empty");
}

Test(sub_cust, SUB_CUST_06_phone_book_rows) {
    const char *num[2];
    int type[2];
    cr_assert_eq(of_cust_phones(&raw, num, type), 2);
    cr_expect_str_eq(num[0], "13800000000");
    cr_expect_eq(type[0], 1, "mobile = type 1");
    cr_expect_str_eq(num[1], "021-55550000");
    cr_expect_eq(type[1], 2, "telephone = type 2");
    raw.receiver_mobile = "";
    cr_assert_eq(of_cust_phones(&raw, num, type), 1, "only non-empty numbers");
    cr_expect_eq(type[0], 2);
    raw.receiver_telno = "";
    cr_expect_eq(of_cust_phones(&raw, num, type), 0);
}
