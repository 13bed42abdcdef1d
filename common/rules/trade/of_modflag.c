/* of_modflag.c -- modify_flag diff of raw trades and sub-orders (pure functions). */
#include <string.h>
#include "of_modflag.h"

static int diff(const char *a, const char *b) {
    return strcmp(a ? a : "", b ? b : "");
}

uint32_t of_modflag_trade(const Orderfleet__RawTrade *s, const Orderfleet__RawTrade *n) {
    uint32_t f = 0;
    if (s->trade_status != n->trade_status) f |= OF_MF_TRADE_STATUS;
    if (s->pay_status != n->pay_status) f |= OF_MF_PAY;
    if (s->refund_status != n->refund_status) f |= OF_MF_REFUND;
    if (diff(s->cs_remark, n->cs_remark)) f |= OF_MF_CS_REMARK;
    if (diff(s->receiver_name, n->receiver_name) || diff(s->receiver_mobile, n->receiver_mobile) ||
        diff(s->receiver_telno, n->receiver_telno) || diff(s->receiver_province, n->receiver_province) ||
        diff(s->receiver_city, n->receiver_city) || diff(s->receiver_district, n->receiver_district) ||
        diff(s->receiver_address, n->receiver_address) || diff(s->receiver_zip, n->receiver_zip))
        f |= OF_MF_ADDRESS;
    if (s->invoice_type != n->invoice_type || diff(s->invoice_title, n->invoice_title) ||
        diff(s->invoice_content, n->invoice_content))
        f |= OF_MF_INVOICE;
    if (diff(s->warehouse_no, n->warehouse_no)) f |= OF_MF_WAREHOUSE;
    if (diff(s->buyer_message, n->buyer_message)) f |= OF_MF_CLIENT_REMARK;
    return f;
}

uint32_t of_modflag_order(const Orderfleet__RawSubOrder *s, const Orderfleet__RawSubOrder *n) {
    uint32_t f = 0;
    if (s->status != n->status) f |= OF_MFO_STATUS;
    if (s->refund_status != n->refund_status) f |= OF_MFO_REFUND;
    if (diff(s->goods_id, n->goods_id) || diff(s->spec_id, n->spec_id) || diff(s->goods_no, n->goods_no) ||
        diff(s->spec_no, n->spec_no))
        f |= OF_MFO_GOODS;
    return f;
}

int of_modflag_is_stale(const char *stored, const char *incoming) {
    if (!stored || !*stored || !incoming || !*incoming) return 0;
    return strcmp(incoming, stored) < 0; /* same fixed format: lexical order = time order */
}
