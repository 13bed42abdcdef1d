/* of_fspay.h -- paying a flash-sale order (spec flash-sale-payment.md FS-8, FS-10, FS-11): what a pay request takes
 * from points, balance and the third-party provider (calRemainPayInfo), the methods' bits, and the provider's
 * signed notify. Pure; money in ten-thousandths (of_money). Points count one for one against the amount
 * (docs/decisions.md D-FS-8). */
#ifndef OF_FSPAY_H
#define OF_FSPAY_H
#include <stddef.h>
#include <stdint.h>

/* fs_pay_info.pay_type, and the bits of fs_order.pay_method */
enum { OF_PAY_POINTS = 1, OF_PAY_BALANCE = 2, OF_PAY_THIRD = 3, OF_PAY_OFFLINE = 4 };
enum { OF_PAYBIT_POINTS = 1, OF_PAYBIT_BALANCE = 2, OF_PAYBIT_THIRD = 4, OF_PAYBIT_OFFLINE = 8 };

/* A pay request `{jifen, balance, otherPay}` (FS-8). other_rest: otherPay without an amount pays what is left. */
typedef struct {
    int64_t jifen, balance, other;
    int other_rest;
    char other_type[24]; /* the provider's channel, e.g. "default" */
} of_fspay_req_t;

/* What the request takes (FS-8 calRemainPayInfo): each part, and remain_pay once points and balance are taken
 * (the third-party part counts when its notify succeeds). */
typedef struct {
    int64_t jifen, balance, other, remain_after;
} of_fspay_plan_t;

/* Parse the JSON body (len bytes) of a pay request: jifen, balance: amounts (numbers or decimal strings, ≥ 0,
 * absent = 0); otherPay: null, or {type, amount} (amount absent = the rest). 0, or -1 with why. */
int of_fspay_req_parse(const char *body, size_t len, of_fspay_req_t *r, char *why, size_t size);
/* FS-8: the parts of a request against remain. -1 with why when a part is negative, the parts pay more than
 * remains, or nothing would be paid. */
int of_fspay_plan(int64_t remain, const of_fspay_req_t *r, of_fspay_plan_t *p, const char **why);
/* The pay_method bit of a pay_type (0 for an unknown one). */
unsigned of_fspay_bit(int pay_type);
/* "jifen", "balance", "third_party", "offline" (PayPart.method, the API's pay_type); "" for an unknown one. */
const char *of_fspay_method_name(int pay_type);

/* FS-10: a back-office payment `{amount, remark}`: amount > 0. 0, or -1 with why. */
int of_fspay_offline_parse(const char *body, size_t len, int64_t *amount, char *remark, size_t remark_size, char *why,
                           size_t size);

/* FS-11: the provider's notify `{trade_no, amount, status: SUCCESS|FAILED, notify_id}`. */
typedef struct {
    char trade_no[65], notify_id[65];
    int64_t amount;
    int success;
} of_fspay_notify_t;
int of_fspay_notify_parse(const char *body, size_t len, of_fspay_notify_t *n, char *why, size_t size);
/* The request to the provider for a third-party part (JSON into buf): trade number, amount, channel, notify URL. */
int of_fspay_provider_body(const char *trade_no, int64_t amount, const char *channel, const char *notify_url, char *buf,
                           size_t size);

#endif
