/* test_modflag.c -- modify_flag diff, one test per bit of trade-rules §1.10 and §1.11. */
#include <criterion/criterion.h>
#include <string.h>
#include "of_modflag.h"

static Orderfleet__RawTrade a, b;
static Orderfleet__RawSubOrder oa, ob;

static void setup(void) {
    orderfleet__raw_trade__init(&a);
    a.tid = "T1";
    a.trade_status = 10;
    a.pay_status = 0;
    a.cs_remark = "";
    a.buyer_message = "hi";
    a.receiver_name = "王小明";
    a.receiver_address = "世纪大道100号";
    a.receiver_mobile = "13800000000";
    a.invoice_title = "";
    a.warehouse_no = "";
    b = a;
    orderfleet__raw_sub_order__init(&oa);
    oa.oid = "O1";
    oa.status = 30;
    oa.goods_id = "G1";
    oa.spec_id = "S1";
    oa.spec_no = "SKU-1";
    oa.num = 2;
    ob = oa;
}

TestSuite(modflag, .init = setup);

Test(modflag, identical_versions_raise_no_bit) {
    cr_expect_eq(of_modflag_trade(&a, &b), 0);
    cr_expect_eq(of_modflag_order(&oa, &ob), 0);
}

Test(modflag, trade_bit1_status) {
    b.trade_status = 30;
    cr_expect_eq(of_modflag_trade(&a, &b), OF_MF_TRADE_STATUS);
}

Test(modflag, trade_bit2_pay_status) {
    b.pay_status = 2;
    cr_expect_eq(of_modflag_trade(&a, &b), OF_MF_PAY);
}

Test(modflag, trade_bit4_refund_status) {
    b.refund_status = 1;
    cr_expect_eq(of_modflag_trade(&a, &b), OF_MF_REFUND);
}

Test(modflag, trade_bit8_cs_remark) {
    b.cs_remark = "顺丰发货";
    cr_expect_eq(of_modflag_trade(&a, &b), OF_MF_CS_REMARK);
}

Test(modflag, trade_bit16_address_any_receiver_field) {
    const char *alt = "changed";
    size_t offs[] = {
        offsetof(Orderfleet__RawTrade, receiver_name),    offsetof(Orderfleet__RawTrade, receiver_mobile),
        offsetof(Orderfleet__RawTrade, receiver_telno),   offsetof(Orderfleet__RawTrade, receiver_province),
        offsetof(Orderfleet__RawTrade, receiver_city),    offsetof(Orderfleet__RawTrade, receiver_district),
        offsetof(Orderfleet__RawTrade, receiver_address), offsetof(Orderfleet__RawTrade, receiver_zip)};
    for (size_t i = 0; i < sizeof offs / sizeof offs[0]; i++) {
        Orderfleet__RawTrade c = a;
        *(const char **)((char *)&c + offs[i]) = alt;
        cr_expect_eq(of_modflag_trade(&a, &c), OF_MF_ADDRESS, "receiver field #%zu", i);
    }
}

Test(modflag, trade_bit32_invoice) {
    b.invoice_title = "上海某公司";
    cr_expect_eq(of_modflag_trade(&a, &b), OF_MF_INVOICE);
    b = a;
    b.invoice_type = 1;
    cr_expect_eq(of_modflag_trade(&a, &b), OF_MF_INVOICE);
}

Test(modflag, trade_bit64_warehouse) {
    b.warehouse_no = "WH-SH";
    cr_expect_eq(of_modflag_trade(&a, &b), OF_MF_WAREHOUSE);
}

Test(modflag, trade_bit128_client_remark) {
    b.buyer_message = "请尽快发货";
    cr_expect_eq(of_modflag_trade(&a, &b), OF_MF_CLIENT_REMARK);
}

Test(modflag, trade_several_bits_at_once) {
    b.trade_status = 30;
    b.pay_status = 2;
    b.cs_remark = "x";
    cr_expect_eq(of_modflag_trade(&a, &b), OF_MF_TRADE_STATUS | OF_MF_PAY | OF_MF_CS_REMARK);
}

Test(modflag, amounts_and_times_raise_no_bit) {
    b.paid = 12345;
    b.pay_time = "2026-11-20 10:00:00";
    b.goods_count = 9;
    cr_expect_eq(of_modflag_trade(&a, &b), 0);
}

Test(modflag, null_and_empty_strings_are_equal) {
    b.cs_remark = NULL;
    cr_expect_eq(of_modflag_trade(&a, &b), 0);
}

Test(modflag, order_bit1_status) {
    ob.status = 80;
    cr_expect_eq(of_modflag_order(&oa, &ob), OF_MFO_STATUS);
}

Test(modflag, order_bit2_refund) {
    ob.refund_status = 2;
    cr_expect_eq(of_modflag_order(&oa, &ob), OF_MFO_REFUND);
}

Test(modflag, order_bit16_goods_changed) {
    ob.spec_id = "S2";
    cr_expect_eq(of_modflag_order(&oa, &ob), OF_MFO_GOODS);
    ob = oa;
    ob.spec_no = "SKU-2";
    cr_expect_eq(of_modflag_order(&oa, &ob), OF_MFO_GOODS);
    ob = oa;
    ob.goods_id = "G9";
    cr_expect_eq(of_modflag_order(&oa, &ob), OF_MFO_GOODS);
}

Test(modflag, order_quantity_or_price_raise_no_bit) {
    ob.num = 5;
    ob.price = 1;
    cr_expect_eq(of_modflag_order(&oa, &ob), 0);
}

Test(modflag, stale_by_platform_modified_time) {
    cr_expect(of_modflag_is_stale("2026-11-20 10:00:00", "2026-11-20 09:59:59"));
    cr_expect_not(of_modflag_is_stale("2026-11-20 10:00:00", "2026-11-20 10:00:00"));
    cr_expect_not(of_modflag_is_stale("2026-11-20 10:00:00", "2026-11-20 10:00:01"));
    cr_expect_not(of_modflag_is_stale("", "2026-11-20 10:00:01"));
    cr_expect_not(of_modflag_is_stale("2026-11-20 10:00:00", ""));
}
