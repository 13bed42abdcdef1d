/* of_fspaystore.h -- the flash sale's payments in MariaDB (spec flash-sale-payment.md FS-8, FS-10, FS-11): each pay
 * request, back-office payment and provider notify is one transaction on the order's locked row: points and balance
 * move buyer → merchant with a bill and both ledger rows (never below zero), a pay_info is appended, remain_pay falls,
 * and the order that has nothing left to pay is paid with a PaymentCompleted event in the outbox (published by the
 * gateway's publisher after commit). Every request carries an idempotency key: a repeated or concurrent request has
 * one effect. */
#ifndef OF_FSPAYSTORE_H
#define OF_FSPAYSTORE_H
#include <stdint.h>
#include "of_db.h"
#include "of_fspay.h"

typedef struct of_fspaystore_s of_fspaystore_t;

typedef enum {
    OF_PAYR_OK = 0,    /* applied */
    OF_PAYR_REPLAY,    /* the same request (key) was applied before: nothing changed */
    OF_PAYR_NOT_FOUND, /* no such order (or not the caller's), no such trade number */
    OF_PAYR_STATE,     /* the order is not unpaid (paid or closed) */
    OF_PAYR_INVALID,   /* the parts do not fit what remains (why says) */
    OF_PAYR_FUNDS,     /* the buyer's points or balance are short */
    OF_PAYR_MISMATCH,  /* a notify's amount is not its payment's */
} of_payr_t;

typedef struct {
    of_payr_t result;
    char why[160];
    uint64_t order_id;
    int paid;          /* the order is paid now (PaymentCompleted staged) */
    int64_t third;     /* the third-party part asked of the provider (0 none) */
    uint64_t third_id; /* its fs_pay_info id */
    char trade_no[64]; /* its provider trade number */
    char channel[24];
} of_payout_t;

/* Statements on db (a gateway request thread's connection). NULL when registering them failed. */
of_fspaystore_t *of_fspaystore_new(of_db_t *db, char *errstr, size_t errstr_size);
void of_fspaystore_destroy(of_fspaystore_t *ps);
/* FS-8 for order_id: buyer (0 = any: a service client) must own it; request_id is the request's idempotency key. */
of_err_t of_fspaystore_pay(of_fspaystore_t *ps, uint64_t order_id, uint64_t buyer, const char *request_id,
                           const of_fspay_req_t *rq, of_payout_t *out, char *errstr, size_t size) OF_MUST_CHECK;
/* FS-10: a payment received offline, registered by a back-office client (operator: its name). */
of_err_t of_fspaystore_offline(of_fspaystore_t *ps, uint64_t order_id, const char *request_id, int64_t amount,
                               const char *remark, const char *operator_name, of_payout_t *out, char *errstr,
                               size_t size) OF_MUST_CHECK;
/* FS-11: a verified notify of the provider (signature kept on the event). A notify for a payment already settled is
 * a replay. */
of_err_t of_fspaystore_notify(of_fspaystore_t *ps, const of_fspay_notify_t *n, const char *signature, of_payout_t *out,
                              char *errstr, size_t size) OF_MUST_CHECK;
/* The provider refused a third-party part at once: that pay_info fails (status 2) unless a notify settled it. */
of_err_t of_fspaystore_third_failed(of_fspaystore_t *ps, uint64_t pay_info_id, char *errstr, size_t size) OF_MUST_CHECK;

#endif
