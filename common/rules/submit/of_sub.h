/* of_sub.h -- submission of a raw trade (spec trade-rules §3, SUB-00 … SUB-FL-01): the plain structs every
 * rule module reads and writes, and the orchestration of_sub_decide().
 *
 * The worker loads what the rules need (of_subin_t: the raw trade, the catalogue, the customer lookup, the
 * customer's other orders, the stock rows) and writes what they decide (of_sub_t). Rules do no I/O.
 * Money, weights and volumes are int64 ×1e4 (OF_MONEY_SCALE); times are seconds since the epoch of the
 * platform's naive local time (of_time_parse). */
#ifndef OF_SUB_H
#define OF_SUB_H
#include <stddef.h>
#include <stdint.h>
#include "of_catalog.h"
#include "of_time.h" /* of_time_parse */
#include "of_stock.h"
#include "of_trace.h"
#include "trade.pb-c.h"

/* §1.4 process_status of api_trade (proposed codes, schema/main/001). */
enum { OF_PS_PENDING = 10, OF_PS_SUBMITTED = 20, OF_PS_CANCELLED = 30 };
/* §1.7 api_trade.bad_reason bits. */
enum { OF_BAD_GOODS = 1, OF_BAD_COUNT = 2, OF_BAD_NO_WAREHOUSE = 4, OF_BAD_NO_GOODS = 8 };
/* §1.1 sales_trade statuses used by SUB (30, 40, 95 are proposed codes, OP-01). */
enum {
    OF_ST_CANCELLED = 5,
    OF_ST_UNPAID = 10,
    OF_ST_BALANCE = 12,
    OF_ST_SELECT_WH = 13,
    OF_ST_WAIT_UNPAID = 15,
    OF_ST_DELAY = 16,
    OF_ST_PREORDER_PRE = 19,
    OF_ST_PRE_AUDIT = 20,
    OF_ST_GRAB = 27,
    OF_ST_AUDITED_EXT = 55,
    OF_ST_SHIPPED = 95
};
/* §1.6 sales_trade.refund_status (proposed, OP-02). */
enum { OF_TRS_NONE = 0, OF_TRS_APPLIED = 1, OF_TRS_PARTIAL = 2, OF_TRS_FULL = 3 };
/* §1.13 unmerge_mask bits. */
enum { OF_UM_HAS_UNPAID = 1, OF_UM_SAME_NAME = 2 };
/* sales_trade.logistics_by */
enum { OF_LB_NONE = 0, OF_LB_STRATEGY = 1, OF_LB_REMARK = 2, OF_LB_MANUAL = 3, OF_LB_WH_ADDRESS = 4 };
/* sales_trade_log.type (docs/schema.md) */
enum {
    OF_LOG_PLACED = 1,
    OF_LOG_PAID = 2,
    OF_LOG_SUBMITTED = 3,
    OF_LOG_STATUS = 4,
    OF_LOG_REMARK = 5,
    OF_LOG_WAREHOUSE = 8,
    OF_LOG_MERGE = 11,
    OF_LOG_SPLIT = 12,
    OF_LOG_FREEZE = 13,
    OF_LOG_WAIT_UNPAID = 14,
    OF_LOG_EXCEPTION = 15,
    OF_LOG_STOCK = 18
};

/* SUB-CUST-02/03 lookups done by the worker before the rules run. */
typedef struct {
    uint64_t platform_customer_id; /* crm_platform_customer (platform_id, nick) → customer, 0 = not found */
    int customer_type;             /* of that customer */
    uint64_t offline_customer_id;  /* crm_platform_customer (0, nick), 0 = not found */
    int offline_phone_match;       /* RAW mobile or telno in the offline customer's phone book (OP-18) */
    int offline_address_match;     /* RAW address in the offline customer's address book (OP-18) */
} of_cust_lookup_t;

/* Another open order of the same customer (SIBLINGS, §0.3). */
typedef struct {
    uint64_t trade_id;
    int status;
    int64_t trade_time;
    uint32_t unmerge_mask;
} of_sibling_t;

typedef struct {
    const of_catalog_t *cat;
    const Orderfleet__RawTrade *raw; /* the stored version */
    uint64_t raw_id;                 /* api_trade.rec_id */
    uint64_t shop_id;
    int64_t now; /* same clock as of_time_parse */
    of_cust_lookup_t cust;
    const of_sibling_t *siblings;
    size_t nsiblings;
    const of_stockview_t *stock; /* rows of every (warehouse, spec) the rules may read; absent = zeros */
} of_subin_t;

/* One TMP row (tmp_sales_trade_order, §7.7) = one future sales_trade_order row. */
typedef struct {
    size_t raw_index; /* index of the RAWO in raw->orders */
    uint64_t spec_id;
    char src_oid[OF_CODE], src_tid[OF_CODE], bind_oid[OF_CODE];
    char api_goods_id[OF_CODE], api_spec_id[OF_CODE];
    int refund_status; /* V_RefundStatus (SUB-MAP-11) */
    int guarantee_mode;
    int delivery_term; /* SUB-MAP-14 */
    int num, actual_num;
    int64_t price, order_price, share_price, share_amount, share_post, paid, adjust, discount, commission;
    int64_t cost_price; /* SUB-COST-01 */
    char goods_name[OF_NAME], goods_no[OF_CODE], spec_name[OF_NAME], spec_no[OF_CODE], spec_code[OF_CODE];
    char api_goods_name[OF_NAME], api_spec_name[OF_NAME], cid[OF_CODE];
    int64_t weight, volume, tax_rate; /* per unit */
    int large_type, gift_type, is_zero_cost, is_not_use_air;
    uint64_t suite_id; /* component of this suite, 0 = single spec */
    char suite_no[OF_CODE], suite_name[OF_NAME];
    int suite_num;
    int is_main; /* SUB-MAP-24 */
} of_line_t;

/* What remark extraction found (SUB-CFG-02 / SUB-CFG-04); 0 = nothing. */
typedef struct {
    uint64_t salesman_id, flag_id, logistics_id, warehouse_id, freeze_reason;
    int preorder;
} of_remark_out_t;

/* Order-level aggregates (SUB-AGG-01, OP-40). */
typedef struct {
    int goods_count, goods_type_count; /* Σ actual_num, distinct spec_id */
    int64_t weight, volume;            /* Σ unit × actual_num; weight grows by the package (SUB-PKG-03) */
    int64_t goods_amount, post_amount, paid, discount, commission, pbs_amount, cod_amount;
    uint32_t gift_mask;
    int is_not_use_air;
    int delivery_term;
    char single_spec_no[OF_CODE]; /* SUB-AGG-04 */
} of_agg_t;

/* An update of another order of the customer (SUB-FLAG-01/02, SUB-WU-01). */
typedef struct {
    uint64_t trade_id;
    uint32_t or_mask;      /* unmerge_mask |= */
    int new_status;        /* 0 = unchanged, else OF_ST_WAIT_UNPAID */
    int64_t delay_to_time; /* with new_status */
} of_sib_update_t;

enum { OF_CUST_EXISTING = 0, OF_CUST_CREATE = 1, OF_CUST_LINK_OFFLINE = 2 };

typedef struct {
    /* outcome */
    int submitted;           /* 1: a sales_trade is created */
    int raw_process_status;  /* OF_PS_* to store on api_trade */
    uint32_t raw_bad_reason; /* §1.7 bits to OR into api_trade.bad_reason (OP-14) */
    char stop_rule[24];      /* rule that stopped the submission, "" when submitted */
    char stop_reason[256];   /* human text, also logged */
    /* SUB-TYPE */
    int is_sealed;
    int64_t pay_time; /* after SUB-TYPE-04; 0 = unpaid */
    /* SUB-CUST */
    int cust_action;      /* OF_CUST_* */
    uint64_t customer_id; /* 0 with OF_CUST_CREATE: the worker inserts and fills it */
    int customer_type;
    char nick[OF_NAME * 2]; /* SUB-CUST-01 */
    /* SUB-MAP */
    of_line_t *lines; /* malloc'd, of_sub_free() */
    size_t nlines, lines_cap;
    size_t main_line;    /* SUB-MAP-17/24 */
    int map_goods_count; /* SUB-MAP-05 OUT arguments */
    int map_goods_type_count;
    int refund_occur;           /* @tmp_refund_occur, max over lines (OP-23) */
    uint8_t *rawo_invalid;      /* per raw->orders[i]: 1 = is_invalid_goods (SUB-MAP-10), malloc'd */
    uint8_t *rawo_no_api_goods; /* per raw->orders[i]: 1 = no api_goods_spec row: insert it (SUB-MAP-10a) */
    int wms_type;               /* SUB-CNT-02 */
    /* SUB-CFG */
    of_remark_out_t cs, client;
    int is_preorder;      /* V_IsPreOrder */
    char preorder_by[24]; /* rule that converted: SUB-CFG-03 / SUB-CFG-05 / SUB-PRE-01 */
    int grab;
    /* SUB-WH */
    uint64_t warehouse_id;        /* 0 = none */
    char warehouse_rule[24];      /* rule that decided it */
    int wh_address_mode;          /* goods-designated warehouse address mode (极速达, SUB-WH-02/10, SUB-STAT-05) */
    uint64_t prompt_warehouse_id; /* SUB-WH-09 */
    /* SUB-AGG … SUB-COST */
    of_agg_t agg;
    int refund_status; /* OF_TRS_* (SUB-AGG-03) */
    int cancelled;     /* full refund (SUB-AGG-03 → SUB-STAT-01) */
    uint64_t package_id;
    uint64_t logistics_id;
    int logistics_by;  /* OF_LB_* */
    int64_t post_cost; /* SUB-FEE-01 */
    char area_alias[65 * 4];
    int64_t goods_cost;
    /* SUB-STAT, SUB-FLAG, SUB-WU */
    int status;
    int64_t delay_to_time; /* 0 = none */
    uint32_t unmerge_mask;
    of_sib_update_t *sib; /* malloc'd */
    size_t nsib, sib_cap;
    /* SUB-STK: which counter the lines reserve (OF_RES_*), SUB-STK-05 stockout order */
    int reserve;
    int make_stockout;
    /* why: rule trace and order logs */
    of_trace_t trace;
    of_logs_t logs;
} of_sub_t;

void of_sub_init(of_sub_t *s);
void of_sub_free(of_sub_t *s);
/* Append a zeroed line (NULL when out of memory). The pointer is valid until the next append. */
of_line_t *of_sub_add_line(of_sub_t *s);
/* Record a sibling update, merging with an earlier one for the same trade. -1 when out of memory. */
int of_sub_sib_update(of_sub_t *s, uint64_t trade_id, uint32_t or_mask, int new_status, int64_t delay_to_time);
/* Drop the sibling updates that change nothing on the siblings as read (sibs: the rules' input): no new status and
 * every bit of or_mask already in the sibling's unmerge_mask (D-MOD-22: a write of the same flags is no write; the
 * decision and its trace stay). Returns how many were dropped. */
size_t of_sub_sib_prune(of_sub_t *s, const of_sibling_t *sibs, size_t nsibs);
/* D-MOD-48: what the write of update u (OF_SW_SIBLING's statement: unmerge_mask |= or_mask; a new status only from 16
 * or 20) leaves of sibling sib, as the next reader sees it. */
void of_sub_sib_seen(of_sibling_t *sib, const of_sib_update_t *u);
/* D-MOD-48: one statement's row for two updates of one sibling (a multi-row UPDATE … JOIN changes a row once): later
 * is folded into first as if it were written after it. */
void of_sub_sib_merge(of_sib_update_t *first, const of_sib_update_t *later);
/* Stop the submission: set stop_rule/stop_reason, OR bad bits, log it. Returns 1 (for `return of_sub_stop(...)`). */
int of_sub_stop(of_sub_t *s, const char *rule, uint32_t bad_bits, int process_status, const char *reason);

/* Run SUB-00's flow over in: SUB-TYPE → SUB-CUST → SUB-MAP → SUB-CNT → SUB-CFG → SUB-WH → SUB-AGG → SUB-PKG →
 * SUB-LOGI → SUB-FEE → SUB-ALIAS → SUB-COST → SUB-PRE → SUB-STAT → SUB-FLAG/SUB-WU → reservation plan.
 * s must be of_sub_init()ed. Returns 0, or -1 when out of memory. */
int of_sub_decide(const of_subin_t *in, of_sub_t *s);

/* SUB-TYPE-01…-04. Returns 1 when the submission stops (SUB-TYPE-01: process_status cancelled; SUB-TYPE-02:
 * bad_reason 8), else 0 with s->is_sealed (SUB-TYPE-03) and s->pay_time (SUB-TYPE-04: a paid trade, status 20
 * or 30 (OP-16), with a zero/empty pay time takes the trade time) set. */
int of_sub_type(const of_subin_t *in, of_sub_t *s);

#endif
