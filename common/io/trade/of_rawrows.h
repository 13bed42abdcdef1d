/* of_rawrows.h -- a stored raw trade (api_trade) and its sub-orders (api_trade_order) read back into the RawTrade
 * message the rules take: the columns to SELECT (in this order) and the mapping of a result row onto the message.
 * Shared by trade-modify (of_modstore) and what-if (of_wiload), so that a column is mapped in one place. */
#ifndef OF_RAWROWS_H
#define OF_RAWROWS_H
#include <stdint.h>
#include "of_db.h"
#include "trade.pb-c.h"

/* api_trade's columns, unqualified (FROM api_trade) */
#define OF_RAWROWS_TRADE_COLS                                                                                          \
    "rec_id, platform_id, shop_id, tid, process_status, trade_status, pay_status, refund_status, "                     \
    "delivery_term, DATE_FORMAT(trade_time, '%Y-%m-%d %H:%i:%s'), IFNULL(DATE_FORMAT(pay_time, "                       \
    "'%Y-%m-%d %H:%i:%s'), ''), buyer_nick, receiver_name, receiver_mobile, receiver_telno, "                          \
    "receiver_province, receiver_city, receiver_district, receiver_address, receiver_zip, warehouse_no, "              \
    "cs_remark, buyer_message, invoice_type, invoice_title, invoice_content, goods_count, "                            \
    "goods_type_count, post_amount, discount, receivable, paid, cod_amount, trade_mask, is_external, "                 \
    "is_sealed, wms_type, bad_reason, modify_flag, deliver_trade_id, shop_no, submit_rule"
/* api_trade_order's columns, unqualified (FROM api_trade_order) */
#define OF_RAWROWS_ORDER_COLS                                                                                          \
    "api_trade_id, rec_id, oid, status, refund_status, goods_id, spec_id, goods_no, spec_no, "                         \
    "goods_name, spec_name, cid, num, price, adjust, discount, share_discount, total_amount, paid, "                   \
    "share_post, bind_oid, guarantee_mode, order_price, share_amount, modify_flag"

/* What api_trade holds besides the message. */
typedef struct {
    uint64_t rec_id, shop_id;
    uint64_t deliver;        /* deliver_trade_id */
    const char *submit_rule; /* the rule that stopped its submission, "" = none (or not tried yet) */
    int process_status;
    uint32_t bad_reason, modify_flag;
} of_rawmeta_t;

/* A cell as a string ("" for NULL; borrowed from rows), and a DECIMAL cell as money ×1e4 (0 when not a number). */
char *of_rawrows_str(const of_rows_t *rows, int r, int c);
int64_t of_rawrows_money(const of_rows_t *rows, int r, int c);

/* Row r of a result of OF_RAWROWS_TRADE_COLS onto *t (initialised here; its strings point into rows, which must
 * outlive it; orders left empty) and *m. */
void of_rawrows_trade(const of_rows_t *rows, int r, Orderfleet__RawTrade *t, of_rawmeta_t *m);
/* Row r of a result of OF_RAWROWS_ORDER_COLS onto *o (initialised here, strings borrowed from rows); *api_trade_id,
 * *rec_id and *modify_flag get the row's own columns (each may be NULL). */
void of_rawrows_order(const of_rows_t *rows, int r, Orderfleet__RawSubOrder *o, uint64_t *api_trade_id,
                      uint64_t *rec_id, uint32_t *modify_flag);

#endif
