/* of_fsfinish.h -- the payment finish chain (spec flash-sale-payment.md FS-9): its steps in order, and what each
 * writes or sends for a paid order. Pure; common/io/flash/of_finish.c runs the steps, each once. */
#ifndef OF_FSFINISH_H
#define OF_FSFINISH_H
#include <stddef.h>
#include <stdint.h>

/* FS-9, in the seed's order: order → paid; payment method recorded; goods units (one per unit bought); the
 * repurchase order (batch with repurchase terms); the buyer push "付款成功"; the system message; the activity updated;
 * the merchant's delivery request. */
typedef enum {
    OF_FIN_PAID = 0,
    OF_FIN_METHOD,
    OF_FIN_UNITS,
    OF_FIN_REPURCHASE,
    OF_FIN_PUSH,
    OF_FIN_MESSAGE,
    OF_FIN_ACTIVITY,
    OF_FIN_DELIVER,
    OF_FIN__COUNT
} of_fin_step_t;

/* A paid order as the chain sees it (fs_order joined with its batch; money ×1e4). */
typedef struct {
    uint64_t id, user_id, merchant_id, batch_id;
    const char *order_code, *batch_code, *title;
    int num, state;
    int64_t unit_price, amount, remain_pay, repurchase_price;
    int period_days;
    const char *yield_rate; /* as stored, e.g. "0.090000" */
} of_fin_order_t;

/* "paid", "method", "units", … (fs_finish_step.step); NULL for an unknown step. */
const char *of_fsfinish_step_name(of_fin_step_t s);
/* -1 when the name is unknown. */
int of_fsfinish_step_parse(const char *name);
/* OF_FIN_PAID's check: the order is paid and nothing remains; else why not (the step fails). */
const char *of_fsfinish_not_paid(const of_fin_order_t *o);
/* OF_FIN_METHOD: the pay_method bits of the event's part methods ("jifen", "balance", "third_party", "offline"). */
unsigned of_fsfinish_method_bits(const char *const *methods, size_t n);
/* OF_FIN_UNITS: the unit number of unit seq (1..num) into buf: "<order_code>-<seq>". */
void of_fsfinish_unit_no(const of_fin_order_t *o, int seq, char *buf, size_t size);
/* OF_FIN_REPURCHASE: 1 and the repurchase amount (repurchase_price × num) when the batch has repurchase terms; 0 when
 * it has none; -1 when the amount is out of range. */
int of_fsfinish_repurchase(const of_fin_order_t *o, int64_t *amount);
/* OF_FIN_PUSH, OF_FIN_MESSAGE, OF_FIN_DELIVER: the JSON the service or merchant receives (into buf). 0, -1 when buf is
 * too small. */
int of_fsfinish_push_payload(const of_fin_order_t *o, char *buf, size_t size);
int of_fsfinish_message_payload(const of_fin_order_t *o, char *buf, size_t size);
int of_fsfinish_deliver_payload(const of_fin_order_t *o, char *buf, size_t size);

#endif
