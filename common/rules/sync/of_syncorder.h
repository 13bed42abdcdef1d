/* of_syncorder.h -- the buyer/seller order as the sync sees it (spec order-sync.md), its ops, and its JSON forms.
 * Pure: common/io/sync reads rows into these structs and writes back what the rules decide. Money is ×1e4 (of_money),
 * times are DATETIME(3) text "YYYY-MM-DD HH:MM:SS.mmm" ("" = NULL), which sort as they read. */
#ifndef OF_SYNCORDER_H
#define OF_SYNCORDER_H
#include <stddef.h>
#include <stdint.h>

/* Status model (spec open point, decision D-SYN-1): 0 unpaid → 1 paid → 2 shipped → 5 received; 3 cancel requested
 * (from 0 or 1, back to it when refused); 4 cancelled (refund_time set when money was paid). */
enum {
    OF_SYN_UNPAID = 0,
    OF_SYN_PAID = 1,
    OF_SYN_SHIPPED = 2,
    OF_SYN_CANCEL_REQ = 3,
    OF_SYN_CANCELLED = 4,
    OF_SYN_RECEIVED = 5,
    OF_SYN__STATUSES
};
/* Where an op was made (SyncOp.Side). Ties on time go to the buyer first (D-SYN-4). */
enum { OF_SYN_SIDE_BUYER = 1, OF_SYN_SIDE_SELLER = 2 };
/* Who made it (sync-log and order-log actor). */
enum { OF_SYN_ACT_BUYER = 1, OF_SYN_ACT_SELLER = 2, OF_SYN_ACT_OPERATOR = 3, OF_SYN_ACT_SYNC = 4 };

/* The ops of SYN-7 (flows 1–8) and an information change; the sync-log `op` column holds the name. */
typedef enum {
    OF_SYN_OP_CREATE,         /* flow 1, buyer */
    OF_SYN_OP_ADJUST_PRICE,   /* flow 2, seller, while unpaid */
    OF_SYN_OP_PAY,            /* flow 3, buyer: a fact */
    OF_SYN_OP_SHIP,           /* flow 4, seller: a fact */
    OF_SYN_OP_CANCEL_REQUEST, /* flow 5, buyer (or seller) from 0 or 1 */
    OF_SYN_OP_CANCEL_REFUSE,  /* flow 6, the party who did not ask */
    OF_SYN_OP_CANCEL_AGREE,   /* flow 7, the party who did not ask (D-SYN-3) */
    OF_SYN_OP_RECEIVE,        /* flow 8, buyer: a fact */
    OF_SYN_OP_UPDATE,         /* receiver address or receive deadline, before shipment */
    OF_SYN_OP__COUNT
} of_syn_kind_t;

#define OF_SYN_TS 24 /* "YYYY-MM-DD HH:MM:SS.mmm" + NUL */
/* A text column of n characters (VARCHAR(n), utf8mb4): up to 4 bytes a character, and the NUL. Values are checked in
 * characters (valid UTF-8, at most n of them, no NUL), as the column counts them. */
#define OF_SYN_CHARS(n) (4 * (n) + 1)

/* The synced columns of buyer_orders / seller_orders (one structure on both sides). */
typedef struct {
    int exists; /* 0: no create merged yet */
    char order_sn[OF_SYN_CHARS(40)];
    uint64_t buyer_id, seller_id;
    int status;
    int cancel_from;    /* -1: none */
    int cancel_by;      /* 0 nobody, else the requester's actor code */
    char cancel_op[24]; /* the pending cancel request's op key "b:ID" / "s:ID" (an override marks it rejected) */
    char price_op[24];  /* the last price change applied while unpaid (a payment at the price before it overrides it) */
    char currency[OF_SYN_CHARS(3)];
    int64_t price, shipping_fee, amount, paid_amount;
    int pay_result; /* 0 none, 1 success */
    char pay_no[OF_SYN_CHARS(64)];
    char pay_time[OF_SYN_TS], ship_time[OF_SYN_TS], newdeliver[OF_SYN_TS], refund_time[OF_SYN_TS],
        receive_time[OF_SYN_TS], addtime[OF_SYN_TS];
    char ship_logistics[OF_SYN_CHARS(64)], ship_waybill_no[OF_SYN_CHARS(64)];
    char receiver_name[OF_SYN_CHARS(64)], receiver_mobile[OF_SYN_CHARS(40)], receiver_country[OF_SYN_CHARS(40)],
        receiver_province[OF_SYN_CHARS(40)], receiver_city[OF_SYN_CHARS(40)], receiver_address[OF_SYN_CHARS(255)],
        receiver_zip[OF_SYN_CHARS(16)];
} of_syn_order_t;

/* One sync-log row (buyer_order_sync_log / seller_order_sync_log), borrowed strings. */
typedef struct {
    int side;
    uint64_t id, oid;
    const char *op; /* name; of_syncorder_kind_parse */
    int actor;
    const char *fields; /* JSON object of the changed columns */
    int from_status, status;
    const char *addtime; /* DATETIME(3) text */
    const char *refuse;  /* set by the caller when a constraint outside the order refuses the op (an order number
                          * another order holds): rejected by CT-6 with this reason */
} of_syn_op_t;

/* Op names ("create", "adjust_price", "pay" …); -1 for an unknown name. */
const char *of_syncorder_kind_name(of_syn_kind_t k);
int of_syncorder_kind_parse(const char *name);
/* 1 for the facts that cannot be undone (pay, ship, receive): they win over requests (D-SYN-2). */
int of_syncorder_kind_is_fact(of_syn_kind_t k);
/* Status names for logs: English ("unpaid") and Chinese ("待付款"); "?" out of range. */
const char *of_syncorder_status_en(int status);
const char *of_syncorder_status_cn(int status);
const char *of_syncorder_kind_en(of_syn_kind_t k);
const char *of_syncorder_kind_cn(of_syn_kind_t k);

/* The op's key on both sides, "b:ID" or "s:ID" (order_sync_applied, override references). */
void of_syncorder_op_key(int side, uint64_t id, char *buf, size_t size);

/* A new order: status unpaid, no cancellation. */
void of_syncorder_init(of_syn_order_t *o);
/* The merged state as JSON (order_sync_state.state) and back. 0 on success; -1 when json is not an object of the
 * expected members (the caller keeps the row and reports it). *out is malloc'ed. */
int of_syncorder_to_json(const of_syn_order_t *o, char **out);
int of_syncorder_from_json(const char *json, of_syn_order_t *o);

/* Apply the columns of an op's `fields` that the kind k may change onto o (create: identity, money, receiver;
 * adjust_price: price, shipping_fee, amount = their sum; pay: pay_*, paid_amount, and the price and shipping_fee the
 * buyer saw when paying (CT-8); ship: ship_*, newdeliver;
 * cancel_agree: refund_time; receive: receive_time; update: receiver_*, newdeliver). Others are ignored. 0 on success;
 * -1 with the column named in bad (a value of the wrong type, a bad amount or time, too long) and o unchanged. */
int of_syncorder_fields_apply(of_syn_kind_t k, const char *fields, of_syn_order_t *o, char *bad, size_t bad_size);

#endif
