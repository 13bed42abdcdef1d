/* of_fsorder.h -- a flash-sale job becomes an order (spec flash-sale-payment.md FS-6): the sale window, the batch's
 * units (never oversold), the buyer's limits, and the amount (unit_price × num, exact). Pure: the flash worker
 * (common/io/flash/of_flash.c) loads the batch and the buyer's orders under the batch's row lock and writes what this
 * decides. */
#ifndef OF_FSORDER_H
#define OF_FSORDER_H
#include <stdint.h>

/* fs_batch.state */
enum { OF_FSB_DRAFT = 0, OF_FSB_ON_SALE = 1, OF_FSB_SOLD_OUT = 2, OF_FSB_CLOSED = 3 };

/* A batch as the decision sees it (fs_batch; money ×1e4, times in ms since the epoch). */
typedef struct {
    uint64_t id, merchant_id;
    int64_t unit_price;
    int total_num, sell_num;
    int limit_unpaid_per_buyer, limit_per_order, limit_per_buyer; /* 0 = no limit */
    int64_t start_ms, end_ms;
    int state;
    int changed; /* out: sell_num or state moved */
} of_fs_batch_t;

/* A buyer's orders in a batch that are not closed (fs_order state 1 unpaid, 2 paid). */
typedef struct {
    int unpaid_orders;
    int units;
} of_fs_buyer_t;

/* Why a job does not become an order (FS-4: the job fails with this reason). */
typedef enum {
    OF_FS_OK = 0,
    OF_FS_BAD_NUM,       /* num < 1 or above OF_FS_MAX_NUM */
    OF_FS_UNKNOWN_BATCH, /* no such batch */
    OF_FS_NOT_ON_SALE,   /* a draft batch */
    OF_FS_NOT_STARTED,   /* before start_time */
    OF_FS_CLOSED,        /* after end_time, or closed */
    OF_FS_SOLD_OUT,      /* fewer units left than asked for */
    OF_FS_UNPAID_LIMIT,  /* limit_unpaid_per_buyer unpaid orders already (seed limit.batchNoPayOrderNum) */
    OF_FS_ORDER_LIMIT,   /* more units than limit_per_order */
    OF_FS_BUYER_LIMIT,   /* the buyer's units would pass limit_per_buyer */
    OF_FS_AMOUNT_RANGE,  /* unit_price × num out of the amounts the schema holds */
    OF_FS_ATTEMPTS,      /* FS-2: started attempts_max times without finishing */
    OF_FS_TTL,           /* FS-2: active past its TTL on its last attempt */
    OF_FS_INVALID,       /* the job message itself is invalid */
    OF_FS_QUEUE_FAILED,  /* FS-1: the gateway answered CreateOrderFail for it (Kafka took it too late) */
    OF_FS_KEY_REUSED,    /* D-FS-19: its Idempotency-Key made an order for another job (user, batch or num differ) */
    OF_FS__COUNT
} of_fs_reason_t;

#define OF_FS_MAX_NUM 10000 /* units in one job: more is refused at the gateway and failed by the worker */

/* FS-6 for one job of `num` units by a buyer at now_ms: OF_FS_OK and *amount = unit_price × num (the order's amount
 * and remain_pay), the batch's sell_num and the buyer's counts moved (the next job of the batch sees them; the batch
 * is marked sold out when nothing is left); else the reason and nothing moved. Checks in this order: num, batch
 * state and window, per-order limit, unpaid limit, buyer limit, units left, amount. */
of_fs_reason_t of_fsorder_decide(of_fs_batch_t *b, of_fs_buyer_t *buyer, int num, int64_t now_ms, int64_t *amount);
/* Stable code (FS-4 "failed jobs say why"), e.g. "SOLD_OUT". */
const char *of_fsorder_reason_code(of_fs_reason_t r);
/* The reason of a code, OF_FS__COUNT when unknown. */
of_fs_reason_t of_fsorder_reason_parse(const char *code);
/* A sentence for the buyer (Chinese, then English). */
const char *of_fsorder_reason_text(of_fs_reason_t r);

#endif
