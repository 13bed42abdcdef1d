/* of_modhdr.h -- trade-modify's rules for the changes of a submitted trade's header (spec trade-rules §4: MOD-T4,
 * MOD-T8 CS remark, MOD-T128 client remark, MOD-T16 address, MOD-T32 invoice, MOD-T64 warehouse), each by the state of
 * the system order: an unaudited order is updated, an audited one is intercepted (block_reason, on the order and its
 * stockout order), a shipped or other one gets an exception bit (bad_reason). Pure: the caller loads the order and
 * applies the plan (issue 11). The status change (bit 1, MOD-T1), the pay status (bit 2, cleared with it, OP-53) and
 * the sub-order changes (MOD-O*) are not decided here. */
#ifndef OF_MODHDR_H
#define OF_MODHDR_H
#include <stddef.h>
#include <stdint.h>
#include "of_catalog.h"
#include "of_mod.h"
#include "of_remark.h"
#include "of_trace.h"
#include "trade.pb-c.h"

/* §1.8 sales_trade.bad_reason */
enum { OF_MBAD_ADDRESS = 2, OF_MBAD_INVOICE = 4, OF_MBAD_WAREHOUSE = 8, OF_MBAD_REMARK = 16 };
/* §1.9 block_reason; 8 is both the invoice's and the warehouse's (source-literal, OP-69) */
enum { OF_BLOCK_ADDRESS = 4, OF_BLOCK_INVOICE = 8, OF_BLOCK_WAREHOUSE_CHANGED = 8, OF_BLOCK_REMARK = 64 };

/* sales_trade_log.type of the logs these rules write (docs/schema.md; 5 remark, 8 warehouse and 15 exception are
 * of_sub.h's OF_LOG_*) */
enum { OF_MLOG_ADDRESS = 6, OF_MLOG_INVOICE = 7, OF_MLOG_BLOCK = 10, OF_MLOG_LOGISTICS = 16 };

/* The system order as loaded (the fields the header rules read). */
typedef struct {
    uint64_t trade_id;
    int status;
    int completed; /* shipped and settled (MOD-T1-36): a warehouse change no longer matters (MOD-T64-03) */
    char receiver_name[256], receiver_mobile[64], receiver_telno[64], receiver_province[64], receiver_city[64],
        receiver_district[64], receiver_address[1024], receiver_zip[32];
    int invoice_type;
    char invoice_title[256], invoice_content[256];
    char cs_remark[1024], buyer_message[1024];
} of_mod_order_t;

/* What the order gets. */
typedef struct {
    uint32_t bad_or;   /* |= on sales_trade.bad_reason */
    uint32_t block_or; /* |= on sales_trade.block_reason and on its stockout order's */
    uint32_t handled;  /* modify_flag bits handled (cleared by the caller when the plan is applied) */
    /* MOD-T8 */
    int remark_history;    /* T8-01: record the new CS remark */
    int set_cs_remark;     /* T8-04: cs_remark, remark_count + 1 */
    uint64_t salesman_id;  /* T8-04: 0 = unchanged (only extracted, and only below 55) */
    uint64_t flag_id;      /* T8-04: 0 = unchanged */
    uint64_t logistics_id; /* T8-05: 0 = unchanged; logistics_by becomes OF_LB_REMARK */
    of_remark_out_t cs;    /* T8-02: what the extraction found (the raw trade's salesman, logistics, freeze, flag) */
    /* MOD-T128 */
    int set_client_remark; /* T128-02: buyer_message */
    /* MOD-T16 */
    int customer_books; /* T16-01: the address and phone books (SUB-CUST-05/06) */
    int set_address;    /* T16-04: the receiver fields */
    int recompute;      /* T16-04: logistics (unless set by hand or remark), area alias, package, fee (OP-68) */
    /* MOD-T32 */
    int set_invoice; /* T32-02 */
    /* MOD-T64 */
    int reselect_warehouse;  /* T64-02: SUB-WH-01…-13, stock moved when it changes */
    of_logs_t logs;          /* order logs (sales_trade_log), each with its rule */
    of_logs_t stockout_logs; /* logs on the stockout order of an intercepted order */
    of_trace_t trace;
} of_modhdr_plan_t;

void of_modhdr_plan_init(of_modhdr_plan_t *p);
void of_modhdr_plan_free(of_modhdr_plan_t *p);

/* The plan for the header bits of modify_flag (4, 8, 16, 32, 64, 128) on order st, from the raw trade's new version.
 * cat: the configuration (CFG_REMARK_EXTRACT, CFG_REMARK_LOGI_AFTER_AUDIT, CFG_REMARK_CHANGE_BLOCK; the remark
 * extraction's tables), shop_id the raw trade's shop. Bits 1 and 2 are left to MOD-T1. Returns 0 (a log that does not
 * fit in memory is dropped, as of_logs_add does). */
int of_modhdr_decide(const of_catalog_t *cat, uint64_t shop_id, const of_mod_order_t *st,
                     const Orderfleet__RawTrade *raw, uint32_t modify_flag, of_modhdr_plan_t *p);

/* MOD-T16-02 (OP-67): the order already carries the raw trade's address. */
int of_modhdr_same_address(const of_mod_order_t *st, const Orderfleet__RawTrade *raw);

#endif
