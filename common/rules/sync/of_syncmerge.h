/* of_syncmerge.h -- merging one order's ops from both sides (spec order-sync.md SYN-2) by the conflict table of
 * docs/decisions.md (D-SYN-1 … D-SYN-6). Pure: common/io/sync/of_sync.c reads the merged state and the pending ops
 * of both sides, merges them here and writes the result to both sides. */
#ifndef OF_SYNCMERGE_H
#define OF_SYNCMERGE_H
#include "of_syncorder.h"

typedef enum { OF_SYN_APPLIED = 1, OF_SYN_REJECTED = 2 } of_syn_outcome_t;

/* The conflict table's rows (docs/decisions.md, D-SYN-2); tests and logs name them. */
typedef enum {
    OF_SYN_CT_MATCH = 0,      /* from_status matches the merged status: applied */
    OF_SYN_CT_FACT_OVERRIDES, /* CT-1: a fact (pay, ship) made from the status a pending cancel request left:
                               * applied, the request rejected ("overridden") */
    OF_SYN_CT_PAID_CANCELLED, /* CT-2: a payment reaching a cancelled order: recorded, refund due (refund_time) */
    OF_SYN_CT_REQUEST_LOSES,  /* CT-3: a request (price, cancel request/answer, update) whose status moved: rejected */
    OF_SYN_CT_FACT_TOO_LATE,  /* CT-4: a fact that no longer fits (shipping a cancelled order, paying twice): rejected
                               * and logged for the operator */
    OF_SYN_CT_SELF_ANSWER,    /* CT-5: the requester answering its own cancel request: rejected */
    OF_SYN_CT_INVALID,        /* CT-6: unknown op, a transition its kind never makes, bad fields, no such order */
    OF_SYN_CT_DUPLICATE,      /* CT-7: a second create of an order: rejected */
    OF_SYN_CT_PAID_PRICE,     /* CT-8: a payment made at the price before a price change it had not seen: applied at
                               * the price paid, the price change rejected ("overridden") */
    OF_SYN_CT_BOTH_CANCEL,    /* CT-9: both parties asked to cancel from the same status: the second request is the
                               * other's agreement (cancelled, refund_time when paid) */
} of_syn_row_t;

typedef struct {
    of_syn_outcome_t outcome;
    of_syn_row_t row;
    char overrides[24];  /* CT-1: the key of the pending request this op overrode ("" none) */
    char reason_en[256]; /* rejected (or CT-1/CT-2 note): for the order logs of both sides */
    char reason_cn[256];
} of_syn_result_t;

/* SYN-2: the order in which ops are taken: addtime, then the side (buyer first, D-SYN-4), then the id. */
int of_syncmerge_cmp(const of_syn_op_t *a, const of_syn_op_t *b);
void of_syncmerge_sort(of_syn_op_t *ops, int n);

/* Take one op against the merged state st (SYN-2: its from_status must match st->status, else the conflict
 * table decides). On OF_SYN_APPLIED st has moved; on OF_SYN_REJECTED st is unchanged. */
void of_syncmerge_op(of_syn_order_t *st, const of_syn_op_t *op, of_syn_result_t *res);

/* Whether the site may make op kind k on an order in status st->status by actor (the site operations' check, the
 * same table the merge uses for a matching from_status): 1, or 0 with why (English) in why. */
int of_syncmerge_site_allows(const of_syn_order_t *st, of_syn_kind_t k, int actor, char *why, size_t why_size);
/* The status op kind k leads to from st (cancel_refuse: back to cancel_from). */
int of_syncmerge_next_status(const of_syn_order_t *st, of_syn_kind_t k);

#endif
