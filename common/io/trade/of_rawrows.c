/* of_rawrows.c -- api_trade / api_trade_order rows back into RawTrade messages (of_rawrows.h). */
#include "of_rawrows.h"
#include "of_money.h"

char *of_rawrows_str(const of_rows_t *rows, int r, int c) {
    const char *s = of_rows_str(rows, r, c);
    return (char *)(s ? s : "");
}

int64_t of_rawrows_money(const of_rows_t *rows, int r, int c) {
    int64_t v = 0;
    if (of_money_parse(of_rawrows_str(rows, r, c), &v)) v = 0;
    return v;
}

#define S of_rawrows_str
#define M of_rawrows_money

#define I(rows, r, c) of_rows_i64(rows, r, c)
#define U(rows, r, c) ((uint64_t)of_rows_i64(rows, r, c))

void of_rawrows_trade(const of_rows_t *rr, int r, Orderfleet__RawTrade *t, of_rawmeta_t *m) {
    orderfleet__raw_trade__init(t);
    m->rec_id = U(rr, r, 0);
    t->platform_id = (int)I(rr, r, 1);
    m->shop_id = U(rr, r, 2);
    t->tid = S(rr, r, 3);
    m->process_status = (int)I(rr, r, 4);
    t->trade_status = (int)I(rr, r, 5);
    t->pay_status = (int)I(rr, r, 6);
    t->refund_status = (int)I(rr, r, 7);
    t->delivery_term = (int)I(rr, r, 8);
    t->trade_time = S(rr, r, 9);
    t->pay_time = S(rr, r, 10);
    t->buyer_nick = S(rr, r, 11);
    t->receiver_name = S(rr, r, 12);
    t->receiver_mobile = S(rr, r, 13);
    t->receiver_telno = S(rr, r, 14);
    t->receiver_province = S(rr, r, 15);
    t->receiver_city = S(rr, r, 16);
    t->receiver_district = S(rr, r, 17);
    t->receiver_address = S(rr, r, 18);
    t->receiver_zip = S(rr, r, 19);
    t->warehouse_no = S(rr, r, 20);
    t->cs_remark = S(rr, r, 21);
    t->buyer_message = S(rr, r, 22);
    t->invoice_type = (int)I(rr, r, 23);
    t->invoice_title = S(rr, r, 24);
    t->invoice_content = S(rr, r, 25);
    t->goods_count = (int)I(rr, r, 26);
    t->goods_type_count = (int)I(rr, r, 27);
    t->post_amount = M(rr, r, 28);
    t->discount = M(rr, r, 29);
    t->receivable = M(rr, r, 30);
    t->paid = M(rr, r, 31);
    t->cod_amount = M(rr, r, 32);
    t->trade_mask = (uint32_t)I(rr, r, 33);
    t->is_external = (int)I(rr, r, 34);
    t->is_sealed = (int)I(rr, r, 35);
    t->wms_type = (int)I(rr, r, 36);
    m->bad_reason = (uint32_t)I(rr, r, 37);
    m->modify_flag = (uint32_t)I(rr, r, 38);
    m->deliver = U(rr, r, 39);
    t->shop_no = S(rr, r, 40);
    m->submit_rule = S(rr, r, 41);
    t->modified = (char *)"";
}

void of_rawrows_order(const of_rows_t *ro, int r, Orderfleet__RawSubOrder *o, uint64_t *api_trade_id, uint64_t *rec_id,
                      uint32_t *modify_flag) {
    orderfleet__raw_sub_order__init(o);
    if (api_trade_id) *api_trade_id = U(ro, r, 0);
    if (rec_id) *rec_id = U(ro, r, 1);
    o->oid = S(ro, r, 2);
    o->status = (int)I(ro, r, 3);
    o->refund_status = (int)I(ro, r, 4);
    o->goods_id = S(ro, r, 5);
    o->spec_id = S(ro, r, 6);
    o->goods_no = S(ro, r, 7);
    o->spec_no = S(ro, r, 8);
    o->goods_name = S(ro, r, 9);
    o->spec_name = S(ro, r, 10);
    o->cid = S(ro, r, 11);
    o->num = (int)I(ro, r, 12);
    o->price = M(ro, r, 13);
    o->adjust = M(ro, r, 14);
    o->discount = M(ro, r, 15);
    o->share_discount = M(ro, r, 16);
    o->total_amount = M(ro, r, 17);
    o->paid = M(ro, r, 18);
    o->share_post = M(ro, r, 19);
    o->bind_oid = S(ro, r, 20);
    o->guarantee_mode = (int)I(ro, r, 21);
    o->order_price = M(ro, r, 22);
    o->share_amount = M(ro, r, 23);
    if (modify_flag) *modify_flag = (uint32_t)I(ro, r, 24);
}
