/* of_modhdr.c -- the header changes of a submitted trade (MOD-T4, -T8, -T128, -T16, -T32, -T64). Pure. */
#include "of_modhdr.h"
#include <string.h>
#include "of_modflag.h"
#include "of_sub.h"

void of_modhdr_plan_init(of_modhdr_plan_t *p) {
    memset(p, 0, sizeof *p);
}

void of_modhdr_plan_free(of_modhdr_plan_t *p) {
    of_logs_free(&p->logs);
    of_logs_free(&p->stockout_logs);
    of_trace_free(&p->trace);
    memset(p, 0, sizeof *p);
}

static int same(const char *a, const char *b) {
    return !strcmp(a ? a : "", b ? b : "");
}

int of_modhdr_same_address(const of_mod_order_t *st, const Orderfleet__RawTrade *raw) {
    return same(st->receiver_name, raw->receiver_name) && same(st->receiver_mobile, raw->receiver_mobile) &&
           same(st->receiver_telno, raw->receiver_telno) && same(st->receiver_province, raw->receiver_province) &&
           same(st->receiver_city, raw->receiver_city) && same(st->receiver_district, raw->receiver_district) &&
           same(st->receiver_address, raw->receiver_address) && same(st->receiver_zip, raw->receiver_zip);
}

/* An interception: the bit on the order and on its stockout order, a log on both (MOD-T8-07, -T16-03, -T32-01,
 * -T64-01). */
static void block(of_modhdr_plan_t *p, uint32_t bit, const char *rule, const char *what) {
    p->block_or |= bit;
    of_logs_add(&p->logs, OF_MLOG_BLOCK, rule, "%s: order intercepted (block_reason |= %u)", what, bit);
    of_logs_add(&p->stockout_logs, OF_MLOG_BLOCK, rule, "%s: stockout order intercepted (block_reason |= %u)", what,
                bit);
    of_trace_add(&p->trace, rule, "block", "%s: block_reason |= %u on the order and its stockout order", what, bit);
}

/* An exception on an order that can no longer take the change (MOD-T8-06, -T16-05, -T32-03, -T64-03). */
static void exception(of_modhdr_plan_t *p, uint32_t bit, const char *rule, const char *what, int status) {
    p->bad_or |= bit;
    of_logs_add(&p->logs, OF_LOG_EXCEPTION, rule, "%s with the order in status %d: bad_reason |= %u", what, status,
                bit);
    of_trace_add(&p->trace, rule, "exception", "%s, status %d: bad_reason |= %u", what, status, bit);
}

/* MOD-T8: the CS remark. */
static void cs_remark(const of_catalog_t *cat, uint64_t shop_id, const of_mod_order_t *st,
                      const Orderfleet__RawTrade *raw, of_modhdr_plan_t *p) {
    int s = st->status;
    p->remark_history = 1; /* T8-01 */
    /* T8-02: the raw trade's salesman, logistics, freeze and flag, each from what the extraction found */
    if (cat->set.remark_extract) of_remark_extract_cs(cat, shop_id, raw->cs_remark, &p->cs, &p->trace);
    /* T8-03/04: the order's remark (one raw trade per order until merges exist, MID-MRG), count and flag; the
     * salesman only below 55 */
    p->set_cs_remark = 1;
    if (p->cs.salesman_id && s < 55) p->salesman_id = p->cs.salesman_id;
    p->flag_id = p->cs.flag_id;
    of_logs_add(&p->logs, OF_LOG_REMARK, "MOD-T8-04", "CS remark changed: %s", raw->cs_remark);
    /* T8-05 (OP-65): the extracted logistics replaces the order's while it is in pre-processing (≤ 20), or before
     * audit when CFG_REMARK_LOGI_AFTER_AUDIT is on */
    if (p->cs.logistics_id && s < 40 && s != OF_ST_CANCELLED && cat->set.remark_extract &&
        (s <= OF_ST_PRE_AUDIT || cat->set.remark_logi_after_audit)) {
        p->logistics_id = p->cs.logistics_id;
        of_logs_add(&p->logs, OF_MLOG_LOGISTICS, "MOD-T8-05", "logistics %llu from the CS remark",
                    (unsigned long long)p->logistics_id);
        of_trace_add(&p->trace, "MOD-T8-05", "logistics", "%llu from the CS remark (status %d)",
                     (unsigned long long)p->logistics_id, s);
    }
    if (s >= 40 && s < 55) /* T8-06 (OP-66): 待递交仓库 */
        exception(p, OF_MBAD_REMARK, "MOD-T8-06", "CS remark changed", s);
    else if (s >= 55 && s < 95 && cat->set.remark_change_block) /* T8-07: 已审核待发货 */
        block(p, OF_BLOCK_REMARK, "MOD-T8-07", "CS remark changed");
    else if (s >= 95 && cat->set.remark_change_block) /* T8-08 */
        of_logs_add(&p->logs, OF_LOG_REMARK, "MOD-T8-08", "CS remark changed after shipment");
    p->handled |= OF_MF_CS_REMARK; /* T8-09 */
}

/* MOD-T16: the address. */
static void address(const of_mod_order_t *st, const Orderfleet__RawTrade *raw, of_modhdr_plan_t *p) {
    p->customer_books = 1;                 /* T16-01 */
    p->handled |= OF_MF_ADDRESS;           /* T16-06 */
    if (of_modhdr_same_address(st, raw)) { /* T16-02 (OP-67) */
        of_logs_add(&p->logs, OF_MLOG_ADDRESS, "MOD-T16-02", "address change already on the order");
        return;
    }
    switch (of_mod_class(st->status)) {
    case OF_MOD_AUDITED: /* T16-03 */
        block(p, OF_BLOCK_ADDRESS, "MOD-T16-03", "address changed");
        break;
    case OF_MOD_UNAUDITED: /* T16-04 (OP-68) */
        p->set_address = 1;
        p->recompute = 1;
        of_logs_add(&p->logs, OF_MLOG_ADDRESS, "MOD-T16-04", "address changed to %s %s %s %s", raw->receiver_province,
                    raw->receiver_city, raw->receiver_district, raw->receiver_address);
        break;
    default: /* T16-05 */
        exception(p, OF_MBAD_ADDRESS, "MOD-T16-05", "address changed", st->status);
    }
}

/* MOD-T32: the invoice. */
static void invoice(const of_mod_order_t *st, const Orderfleet__RawTrade *raw, of_modhdr_plan_t *p) {
    p->handled |= OF_MF_INVOICE; /* T32-04 */
    switch (of_mod_class(st->status)) {
    case OF_MOD_AUDITED: /* T32-01 */
        block(p, OF_BLOCK_INVOICE, "MOD-T32-01", "invoice changed");
        break;
    case OF_MOD_UNAUDITED: /* T32-02 */
        p->set_invoice = 1;
        of_logs_add(&p->logs, OF_MLOG_INVOICE, "MOD-T32-02", "invoice changed: type %d, %s", raw->invoice_type,
                    raw->invoice_title);
        break;
    default: /* T32-03 */
        exception(p, OF_MBAD_INVOICE, "MOD-T32-03", "invoice changed", st->status);
    }
}

/* MOD-T64: the warehouse (the platform's designated one). */
static void warehouse(const of_mod_order_t *st, of_modhdr_plan_t *p) {
    p->handled |= OF_MF_WAREHOUSE; /* T64-04 */
    switch (of_mod_class(st->status)) {
    case OF_MOD_AUDITED: /* T64-01 (OP-69: the source's 8) */
        block(p, OF_BLOCK_WAREHOUSE_CHANGED, "MOD-T64-01", "warehouse changed");
        break;
    case OF_MOD_UNAUDITED: /* T64-02 */
        p->reselect_warehouse = 1;
        of_trace_add(&p->trace, "MOD-T64-02", "warehouse", "warehouse changed on the platform: selected again");
        break;
    case OF_MOD_SHIPPED: /* T64-03 */
        if (!st->completed) exception(p, OF_MBAD_WAREHOUSE, "MOD-T64-03", "warehouse changed", st->status);
        break;
    case OF_MOD_OTHER:
        of_trace_add(&p->trace, "MOD-T64-04", "warehouse", "cancelled order: nothing to change");
        break;
    }
}

int of_modhdr_decide(const of_catalog_t *cat, uint64_t shop_id, const of_mod_order_t *st,
                     const Orderfleet__RawTrade *raw, uint32_t modify_flag, of_modhdr_plan_t *p) {
    /* MOD-00: the source's order of the bits: (1, 2: MOD-T1), 4, 8, 128, 16, 32, 64 */
    if (modify_flag & OF_MF_REFUND) { /* T4-01: partial refunds are the sub-orders' (MOD-O2) */
        p->handled |= OF_MF_REFUND;
        of_trace_add(&p->trace, "MOD-T4-01", "refund", "trade-level refund status changed: left to the sub-orders");
    }
    if (modify_flag & OF_MF_CS_REMARK) cs_remark(cat, shop_id, st, raw, p);
    if (modify_flag & OF_MF_CLIENT_REMARK) { /* T128-01/02/03 */
        p->set_client_remark = 1;
        p->handled |= OF_MF_CLIENT_REMARK;
        of_logs_add(&p->logs, OF_LOG_REMARK, "MOD-T128-02", "client remark changed: %s", raw->buyer_message);
    }
    if (modify_flag & OF_MF_ADDRESS) address(st, raw, p);
    if (modify_flag & OF_MF_INVOICE) invoice(st, raw, p);
    if (modify_flag & OF_MF_WAREHOUSE) warehouse(st, p);
    return 0;
}
