/* of_modline.c -- a changed sub-order of a submitted trade (MOD-O1, -O2, -O16). Pure. */
#include "of_modline.h"
#include <string.h>
#include "of_modflag.h"
#include "of_modhdr.h" /* OF_MLOG_BLOCK */
#include "of_sub.h"

void of_modline_plan_init(of_modline_plan_t *p) {
    memset(p, 0, sizeof *p);
    p->line_refund_status = -1;
}

void of_modline_plan_free(of_modline_plan_t *p) {
    of_logs_free(&p->logs);
    of_logs_free(&p->stockout_logs);
    of_trace_free(&p->trace);
    memset(p, 0, sizeof *p);
    p->line_refund_status = -1;
}

static void block(of_modline_plan_t *p, uint32_t bit, const char *rule, const char *oid, const char *what) {
    p->block_or |= bit;
    of_logs_add(&p->logs, OF_MLOG_BLOCK, rule, "sub-order %s %s: order intercepted (block_reason |= %u)", oid, what,
                bit);
    of_logs_add(&p->stockout_logs, OF_MLOG_BLOCK, rule, "sub-order %s %s: stockout order intercepted", oid, what);
}

/* MOD-O1: the sub-order's platform status. */
static void status(const of_modline_order_t *st, const Orderfleet__RawSubOrder *o, of_modline_plan_t *p) {
    p->handled |= OF_MFO_STATUS; /* O1-14 */
    int s = (int)o->status;
    if (s == OF_RAWO_REFUNDED || s == OF_RAWO_CLOSED) {
        const char *what = s == OF_RAWO_REFUNDED ? "refunded" : "closed";
        if (!st->exists) { /* O1-01 (OP-70) */
            of_trace_add(&p->trace, "MOD-O1-01", "line", "sub-order %s %s: no order line holds it", o->oid, what);
            return;
        }
        if (s == OF_RAWO_REFUNDED) p->refund_order = 1; /* O1-02 */
        p->gift_intercept = st->block_gift;             /* O1-10 (OP-63) */
        switch (of_mod_class(st->status)) {
        case OF_MOD_SHIPPED: /* O1-03 */
            of_logs_add(&p->logs, OF_LOG_EXCEPTION, "MOD-O1-03", "sub-order %s %s after shipment", o->oid, what);
            return;
        case OF_MOD_AUDITED: /* O1-04: intercepted until the user handles the refund (§4.0, D-MOD-10) */
            if (!st->refund_handled && st->has_stockout) {
                block(p, OF_BLOCK_REFUNDED, "MOD-O1-04", o->oid, what);
                p->bad_or |= OF_MBAD_REFUND_AUDITED;
            } else if (st->refund_handled) {
                of_logs_add(&p->logs, OF_LOG_EXCEPTION, "MOD-O1-04", "sub-order %s %s, refund already handled", o->oid,
                            what);
            } else { /* OP-62: no stockout order to intercept; the audited order is the user's to handle */
                of_logs_add(&p->logs, OF_LOG_EXCEPTION, "MOD-O1-04",
                            "sub-order %s %s on an audited order without a stockout order: nothing intercepted, the "
                            "refund is the user's to handle",
                            o->oid, what);
            }
            return;
        case OF_MOD_OTHER: /* a cancelled order holds nothing to release */
            of_trace_add(&p->trace, "MOD-O1-01", "line", "sub-order %s %s: the order is cancelled", o->oid, what);
            return;
        case OF_MOD_UNAUDITED: /* O1-05…-11 */
            p->release_line = 1;
            p->line_refund_status = s == OF_RAWO_REFUNDED ? OF_LRS_REFUNDED : OF_LRS_CLOSED;
            p->reallocate_post = 1;
            of_logs_add(&p->logs, OF_LOG_EXCEPTION, "MOD-O1-09", "sub-order %s %s: its goods released", o->oid, what);
            return;
        }
        return;
    }
    if (s >= OF_RAWO_SHIPPED && s < OF_RAWO_COMPLETED) { /* O1-12 */
        p->consign_line = 1;
        of_trace_add(&p->trace, "MOD-O1-12", "line", "sub-order %s shipped on the platform", o->oid);
    } else if (s >= OF_RAWO_COMPLETED && s < OF_RAWO_REFUNDED) { /* O1-13 (OP-72: the raw trade completes with all) */
        p->settle_line = 1;
        of_trace_add(&p->trace, "MOD-O1-13", "line", "sub-order %s completed", o->oid);
    }
}

/* MOD-O2: the sub-order's refund status. */
static void refund(const of_modline_order_t *st, const Orderfleet__RawSubOrder *o, of_modline_plan_t *p) {
    p->handled |= OF_MFO_REFUND; /* O2-10 (OP-74: bit 2, not the source's 4) */
    p->reallocate_post = 1;      /* O2-08 */
    int rs = (int)o->refund_status;
    of_mod_class_t c = of_mod_class(st->status);
    if (rs >= OF_LRS_APPLIED && rs <= OF_LRS_WAIT_RECEIPT) {
        if (c == OF_MOD_AUDITED) block(p, OF_BLOCK_REFUND_APPLIED, "MOD-O2-01", o->oid, "refund applied");
        /* O2-02 (OP-73: marked only); a sub-order refunded or closed in the same change keeps MOD-O1-07's 5 / 6 */
        if (o->status != OF_RAWO_REFUNDED && o->status != OF_RAWO_CLOSED) p->line_refund_status = rs;
        p->recompute_refund = 1;            /* O2-03 */
        p->gift_intercept = st->block_gift; /* O2-04 (OP-63) */
        of_logs_add(&p->logs, OF_LOG_EXCEPTION, "MOD-O2-09", "sub-order %s refund status %d", o->oid, rs);
        return;
    }
    if (rs != OF_LRS_CANCELLED) { /* refunded (5) or closed (6) arrive with the status bit (MOD-O1) */
        p->line_refund_status = rs;
        p->recompute_refund = 1;
        of_logs_add(&p->logs, OF_LOG_EXCEPTION, "MOD-O2-09", "sub-order %s refund status %d", o->oid, rs);
        return;
    }
    if (st->refund_handled && c == OF_MOD_AUDITED) { /* O2-05 */
        block(p, OF_BLOCK_REFUND_CANCELLED, "MOD-O2-05", o->oid, "refund cancelled after processing");
    } else if (st->refund_handled && (c == OF_MOD_UNAUDITED || c == OF_MOD_OTHER)) { /* O2-06: below 40, 5 too */
        p->restore_line = 1;
        p->reopen = st->status == OF_ST_CANCELLED;
        p->line_refund_status = OF_LRS_CANCELLED;
        p->recompute_refund = 1;
        of_logs_add(&p->logs, OF_LOG_EXCEPTION, "MOD-O2-06", "sub-order %s refund cancelled: goods restored%s", o->oid,
                    p->reopen ? ", order back to awaiting audit" : "");
    } else { /* O2-07 */
        if (st->line_refund_status == OF_LRS_APPLIED) p->line_refund_status = OF_LRS_CANCELLED;
        p->recompute_refund = 1;
        of_logs_add(&p->logs, OF_LOG_EXCEPTION, "MOD-O2-07", "sub-order %s refund cancelled", o->oid);
    }
}

void of_modline_decide(const of_modline_order_t *st, const Orderfleet__RawSubOrder *rawo, uint32_t modify_flag,
                       of_modline_plan_t *p) {
    /* MOD-O-00: bits 1, 2, 16 in this order */
    if (modify_flag & OF_MFO_STATUS) status(st, rawo, p);
    if (modify_flag & OF_MFO_REFUND) refund(st, rawo, p);
    if (modify_flag & OF_MFO_GOODS) { /* O16-01/02/03 */
        p->handled |= OF_MFO_GOODS;
        if (of_mod_class(st->status) == OF_MOD_AUDITED)
            block(p, OF_BLOCK_GOODS, "MOD-O16-01", rawo->oid, "goods changed");
        p->bad_or |= OF_MBAD_GOODS;
        of_logs_add(&p->logs, OF_LOG_EXCEPTION, "MOD-O16-02",
                    "sub-order %s: goods changed on the platform (bad_reason "
                    "|= 32)",
                    rawo->oid);
    }
}
