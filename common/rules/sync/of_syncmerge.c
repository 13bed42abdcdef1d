/* of_syncmerge.c -- SYN-2 merge and the conflict table (docs/decisions.md D-SYN-1 … D-SYN-6). */
#include "of_syncmerge.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int of_syncmerge_cmp(const of_syn_op_t *a, const of_syn_op_t *b) {
    int c = strcmp(a->addtime ? a->addtime : "", b->addtime ? b->addtime : "");
    if (c) return c;
    if (a->side != b->side) return a->side == OF_SYN_SIDE_BUYER ? -1 : 1; /* D-SYN-4: buyer first on a tie */
    return a->id < b->id ? -1 : a->id > b->id;
}

static int cmp_side_id(const void *a, const void *b) {
    const of_syn_op_t *x = a, *y = b;
    if (x->side != y->side) return x->side == OF_SYN_SIDE_BUYER ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* Each side's ops stay in their id order (the order they were committed in on that side, whatever their clocks
 * said), and the two sequences are merged by time, buyer first on a tie (of_syncmerge_cmp). */
void of_syncmerge_sort(of_syn_op_t *ops, int n) {
    if (n < 2) return;
    qsort(ops, (size_t)n, sizeof *ops, cmp_side_id);
    int nb = 0;
    while (nb < n && ops[nb].side == OF_SYN_SIDE_BUYER)
        nb++;
    of_syn_op_t *tmp = malloc((size_t)n * sizeof *tmp);
    if (!tmp) return; /* still a valid order: each side in id order, the buyer's first */
    int i = 0, j = nb, k = 0;
    while (i < nb || j < n) {
        if (j >= n || (i < nb && of_syncmerge_cmp(&ops[i], &ops[j]) <= 0))
            tmp[k++] = ops[i++];
        else
            tmp[k++] = ops[j++];
    }
    memcpy(ops, tmp, (size_t)n * sizeof *ops);
    free(tmp);
}

/* The statuses kind k is made from (a bit per status). */
static unsigned from_mask(of_syn_kind_t k) {
    switch (k) {
    case OF_SYN_OP_CREATE:
    case OF_SYN_OP_ADJUST_PRICE:
    case OF_SYN_OP_PAY:
        return 1u << OF_SYN_UNPAID;
    case OF_SYN_OP_SHIP:
        return 1u << OF_SYN_PAID;
    case OF_SYN_OP_CANCEL_REQUEST:
    case OF_SYN_OP_UPDATE:
        return 1u << OF_SYN_UNPAID | 1u << OF_SYN_PAID;
    case OF_SYN_OP_CANCEL_REFUSE:
    case OF_SYN_OP_CANCEL_AGREE:
        return 1u << OF_SYN_CANCEL_REQ;
    case OF_SYN_OP_RECEIVE:
        return 1u << OF_SYN_SHIPPED;
    default:
        return 0;
    }
}

int of_syncmerge_next_status(const of_syn_order_t *st, of_syn_kind_t k) {
    switch (k) {
    case OF_SYN_OP_CREATE:
        return OF_SYN_UNPAID;
    case OF_SYN_OP_PAY:
        return OF_SYN_PAID;
    case OF_SYN_OP_SHIP:
        return OF_SYN_SHIPPED;
    case OF_SYN_OP_CANCEL_REQUEST:
        return OF_SYN_CANCEL_REQ;
    case OF_SYN_OP_CANCEL_REFUSE:
        return st->cancel_from >= 0 ? st->cancel_from : st->status;
    case OF_SYN_OP_CANCEL_AGREE:
        return OF_SYN_CANCELLED;
    case OF_SYN_OP_RECEIVE:
        return OF_SYN_RECEIVED;
    default:
        return st->status;
    }
}

/* The op's own from → to is one its kind makes (a refusal goes back to 0 or 1). */
static int transition_ok(of_syn_kind_t k, int from, int to) {
    if (from < 0 || from >= OF_SYN__STATUSES || !(from_mask(k) >> from & 1u)) return 0;
    if (k == OF_SYN_OP_CANCEL_REFUSE) return to == OF_SYN_UNPAID || to == OF_SYN_PAID;
    of_syn_order_t s = {.status = from, .cancel_from = -1};
    return to == of_syncmerge_next_status(&s, k);
}

static int actor_may(of_syn_kind_t k, int actor) {
    if (actor == OF_SYN_ACT_OPERATOR) return 1;
    switch (k) {
    case OF_SYN_OP_CREATE:
    case OF_SYN_OP_PAY:
    case OF_SYN_OP_RECEIVE:
    case OF_SYN_OP_UPDATE:
        return actor == OF_SYN_ACT_BUYER;
    case OF_SYN_OP_ADJUST_PRICE:
    case OF_SYN_OP_SHIP:
        return actor == OF_SYN_ACT_SELLER;
    case OF_SYN_OP_CANCEL_REQUEST:
    case OF_SYN_OP_CANCEL_REFUSE:
    case OF_SYN_OP_CANCEL_AGREE:
        return actor == OF_SYN_ACT_BUYER || actor == OF_SYN_ACT_SELLER;
    default:
        return 0;
    }
}

static const char *actor_en(int a) {
    return a == OF_SYN_ACT_BUYER      ? "buyer"
           : a == OF_SYN_ACT_SELLER   ? "seller"
           : a == OF_SYN_ACT_OPERATOR ? "operator"
                                      : "sync";
}

int of_syncmerge_site_allows(const of_syn_order_t *st, of_syn_kind_t k, int actor, char *why, size_t why_size) {
    if ((unsigned)k >= OF_SYN_OP__COUNT) {
        snprintf(why, why_size, "unknown operation");
        return 0;
    }
    if (!actor_may(k, actor)) {
        snprintf(why, why_size, "a %s cannot make a %s", actor_en(actor), of_syncorder_kind_en(k));
        return 0;
    }
    if (k == OF_SYN_OP_CREATE) {
        if (st->exists) snprintf(why, why_size, "the order exists already");
        return !st->exists;
    }
    if (!st->exists) {
        snprintf(why, why_size, "no such order on this site");
        return 0;
    }
    if (!(from_mask(k) >> st->status & 1u)) {
        snprintf(why, why_size, "a %s cannot be made while the order is %s", of_syncorder_kind_en(k),
                 of_syncorder_status_en(st->status));
        return 0;
    }
    if ((k == OF_SYN_OP_CANCEL_REFUSE || k == OF_SYN_OP_CANCEL_AGREE) && actor != OF_SYN_ACT_OPERATOR &&
        actor == st->cancel_by) {
        snprintf(why, why_size, "the %s asked for the cancellation: the other party answers it (D-SYN-3)",
                 actor_en(actor));
        return 0;
    }
    return 1;
}

/* A text cut by snprintf may end inside a UTF-8 character: drop that partial character (the columns refuse it). */
static void fix_tail(char *s) {
    size_t n = strlen(s), i = n;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--;
    if (i == 0) return;
    unsigned c = (unsigned char)s[i - 1];
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    if (n - (i - 1) < len) s[i - 1] = 0;
}

static void reject(of_syn_result_t *res, of_syn_row_t row, const char *en, const char *cn) {
    res->outcome = OF_SYN_REJECTED;
    res->row = row;
    snprintf(res->reason_en, sizeof res->reason_en, "%s", en);
    snprintf(res->reason_cn, sizeof res->reason_cn, "%s", cn);
    fix_tail(res->reason_en);
    fix_tail(res->reason_cn);
}

/* The op's effect on t (t->status is the status it is made from). 0, or -1 with bad naming the column. */
static int effect(of_syn_order_t *t, const of_syn_op_t *op, of_syn_kind_t k, char *bad, size_t bad_size) {
    int from = t->status;
    if (of_syncorder_fields_apply(k, op->fields, t, bad, bad_size)) return -1;
    int next = of_syncmerge_next_status(t, k);
    const char *at = op->addtime ? op->addtime : "";
    switch (k) {
    case OF_SYN_OP_CANCEL_REQUEST:
        t->cancel_from = from;
        t->cancel_by = op->actor;
        of_syncorder_op_key(op->side, op->id, t->cancel_op, sizeof t->cancel_op);
        break;
    case OF_SYN_OP_CANCEL_REFUSE:
        t->cancel_from = -1;
        t->cancel_by = 0;
        t->cancel_op[0] = 0;
        break;
    case OF_SYN_OP_CANCEL_AGREE:
        t->cancel_from = -1; /* cancel_by stays: who asked for the cancellation of a cancelled order */
        t->cancel_op[0] = 0;
        if (t->pay_result == 1 && !t->refund_time[0]) snprintf(t->refund_time, sizeof t->refund_time, "%.23s", at);
        break;
    case OF_SYN_OP_ADJUST_PRICE:
        of_syncorder_op_key(op->side, op->id, t->price_op, sizeof t->price_op);
        break;
    case OF_SYN_OP_PAY:
        t->price_op[0] = 0;
        if (!t->pay_time[0]) snprintf(t->pay_time, sizeof t->pay_time, "%.23s", at);
        if (!t->paid_amount) t->paid_amount = t->amount;
        break;
    case OF_SYN_OP_SHIP:
        if (!t->ship_time[0]) snprintf(t->ship_time, sizeof t->ship_time, "%.23s", at);
        break;
    case OF_SYN_OP_RECEIVE:
        if (!t->receive_time[0]) snprintf(t->receive_time, sizeof t->receive_time, "%.23s", at);
        break;
    default:
        break;
    }
    t->status = next;
    return 0;
}

void of_syncmerge_op(of_syn_order_t *st, const of_syn_op_t *op, of_syn_result_t *res) {
    memset(res, 0, sizeof *res);
    char en[256], cn[256], bad[64];
    int kk = of_syncorder_kind_parse(op->op);
    if (kk < 0) {
        char name[41] = ""; /* printable ASCII only: a cut multibyte name would be text the column refuses */
        for (int i = 0, k = 0; op->op && op->op[i] && k < 40; i++)
            if (op->op[i] >= 0x20 && op->op[i] < 0x7f) name[k++] = op->op[i], name[k] = 0;
        snprintf(en, sizeof en, "unknown operation '%s': rejected", name);
        snprintf(cn, sizeof cn, "未知操作 '%s'：已拒绝", name);
        reject(res, OF_SYN_CT_INVALID, en, cn);
        return;
    }
    of_syn_kind_t k = (of_syn_kind_t)kk;
    if (op->refuse) {
        snprintf(en, sizeof en, "%s refused: %s", of_syncorder_kind_en(k), op->refuse);
        snprintf(cn, sizeof cn, "%s被拒绝：%s", of_syncorder_kind_cn(k), op->refuse);
        reject(res, OF_SYN_CT_INVALID, en, cn);
        return;
    }
    if (k == OF_SYN_OP_CREATE) {
        if (st->exists) {
            reject(res, OF_SYN_CT_DUPLICATE, "the order was created already: a second create is rejected",
                   "订单已创建：重复创建已拒绝");
            return;
        }
        of_syn_order_t t;
        of_syncorder_init(&t);
        if (of_syncorder_fields_apply(k, op->fields, &t, bad, sizeof bad)) {
            snprintf(en, sizeof en, "order created with a bad value in %s: rejected", bad);
            snprintf(cn, sizeof cn, "创建订单的字段 %s 有误：已拒绝", bad);
            reject(res, OF_SYN_CT_INVALID, en, cn);
            return;
        }
        if (!t.addtime[0] && op->addtime) snprintf(t.addtime, sizeof t.addtime, "%.23s", op->addtime);
        if (!t.order_sn[0] || !t.addtime[0]) {
            reject(res, OF_SYN_CT_INVALID, "order created without an order number or a time: rejected",
                   "创建订单缺少订单号或时间：已拒绝");
            return;
        }
        t.exists = 1;
        t.status = OF_SYN_UNPAID;
        *st = t;
        res->outcome = OF_SYN_APPLIED;
        return;
    }
    if (!st->exists) {
        snprintf(en, sizeof en, "%s for an order that was never created: rejected", of_syncorder_kind_en(k));
        snprintf(cn, sizeof cn, "%s：订单不存在，已拒绝", of_syncorder_kind_cn(k));
        reject(res, OF_SYN_CT_INVALID, en, cn);
        return;
    }
    if (!transition_ok(k, op->from_status, op->status)) {
        snprintf(en, sizeof en, "%s from %s to %s is not a step of the status model: rejected", of_syncorder_kind_en(k),
                 of_syncorder_status_en(op->from_status), of_syncorder_status_en(op->status));
        snprintf(cn, sizeof cn, "%s（%s → %s）不是有效的状态变化：已拒绝", of_syncorder_kind_cn(k),
                 of_syncorder_status_cn(op->from_status), of_syncorder_status_cn(op->status));
        reject(res, OF_SYN_CT_INVALID, en, cn);
        return;
    }
    of_syn_order_t t = *st;
    if (op->from_status == st->status) {
        if ((k == OF_SYN_OP_CANCEL_REFUSE || k == OF_SYN_OP_CANCEL_AGREE) && op->actor != OF_SYN_ACT_OPERATOR &&
            op->actor == st->cancel_by) {
            snprintf(en, sizeof en, "%s by the %s who asked for it: rejected (the other party answers, D-SYN-3)",
                     of_syncorder_kind_en(k), actor_en(op->actor));
            snprintf(cn, sizeof cn, "%s由申请方发起：已拒绝（应由另一方处理）", of_syncorder_kind_cn(k));
            reject(res, OF_SYN_CT_SELF_ANSWER, en, cn);
            return;
        }
        if (effect(&t, op, k, bad, sizeof bad)) goto bad_fields;
        res->outcome = OF_SYN_APPLIED;
        res->row = OF_SYN_CT_MATCH;
        if (k == OF_SYN_OP_PAY && st->price_op[0] && (t.price != st->price || t.shipping_fee != st->shipping_fee)) {
            /* CT-8: the buyer paid the price it saw; the price change it had not seen loses */
            res->row = OF_SYN_CT_PAID_PRICE;
            snprintf(res->overrides, sizeof res->overrides, "%s", st->price_op);
            snprintf(res->reason_en, sizeof res->reason_en,
                     "the price change is overridden: the buyer paid the price it saw before the change reached it");
            snprintf(res->reason_cn, sizeof res->reason_cn, "改价被覆盖：买家已按改价前的价格付款");
        }
        *st = t;
        return;
    }
    /* from_status no longer matches: the conflict table (D-SYN-2) */
    if (of_syncorder_kind_is_fact(k) && st->status == OF_SYN_CANCEL_REQ && st->cancel_from == op->from_status) {
        snprintf(res->overrides, sizeof res->overrides, "%s", st->cancel_op);
        t.status = st->cancel_from;
        t.cancel_from = -1;
        t.cancel_by = 0;
        t.cancel_op[0] = 0;
        if (effect(&t, op, k, bad, sizeof bad)) goto bad_fields;
        *st = t;
        res->outcome = OF_SYN_APPLIED;
        res->row = OF_SYN_CT_FACT_OVERRIDES;
        snprintf(res->reason_en, sizeof res->reason_en,
                 "the cancellation request is overridden: the %s came first and cannot be undone",
                 of_syncorder_kind_en(k));
        snprintf(res->reason_cn, sizeof res->reason_cn, "取消申请被覆盖：%s在先且不可撤销", of_syncorder_kind_cn(k));
        return;
    }
    if (k == OF_SYN_OP_PAY && st->status == OF_SYN_CANCELLED && st->pay_result != 1) {
        if (of_syncorder_fields_apply(k, op->fields, &t, bad, sizeof bad)) goto bad_fields;
        if (!t.pay_time[0]) snprintf(t.pay_time, sizeof t.pay_time, "%.23s", op->addtime ? op->addtime : "");
        if (!t.paid_amount) t.paid_amount = t.amount;
        if (!t.refund_time[0]) snprintf(t.refund_time, sizeof t.refund_time, "%s", t.pay_time);
        *st = t;
        res->outcome = OF_SYN_APPLIED;
        res->row = OF_SYN_CT_PAID_CANCELLED;
        snprintf(res->reason_en, sizeof res->reason_en,
                 "payment reached a cancelled order: recorded, the order stays cancelled and the money is refunded");
        snprintf(res->reason_cn, sizeof res->reason_cn, "付款到达时订单已取消：已记录付款，订单保持取消，款项退回");
        return;
    }
    if (k == OF_SYN_OP_CANCEL_REQUEST && st->status == OF_SYN_CANCEL_REQ && st->cancel_from == op->from_status &&
        st->cancel_by && op->actor != st->cancel_by && op->actor != OF_SYN_ACT_OPERATOR) {
        /* CT-9: the other party asked too: that is its agreement */
        of_syn_op_t agree = *op;
        agree.op = of_syncorder_kind_name(OF_SYN_OP_CANCEL_AGREE);
        agree.fields = "{}";
        if (effect(&t, &agree, OF_SYN_OP_CANCEL_AGREE, bad, sizeof bad)) goto bad_fields;
        *st = t;
        res->outcome = OF_SYN_APPLIED;
        res->row = OF_SYN_CT_BOTH_CANCEL;
        snprintf(res->reason_en, sizeof res->reason_en,
                 "both parties asked to cancel: the second request agrees to the first, the order is cancelled");
        snprintf(res->reason_cn, sizeof res->reason_cn, "双方均申请取消：视为同意取消，订单已取消");
        return;
    }
    if (of_syncorder_kind_is_fact(k)) {
        char what[600] = "";
        if (k == OF_SYN_OP_SHIP) { /* the rows keep the order's state: the waybill is only in this line */
            of_syn_order_t f = t;
            if (!of_syncorder_fields_apply(k, op->fields, &f, bad, sizeof bad) && f.ship_waybill_no[0])
                snprintf(what, sizeof what, " (waybill %s %s)", f.ship_logistics, f.ship_waybill_no);
            what[100] = 0; /* the reason must fit its column: the waybill's start is enough to find it */
            fix_tail(what);
        }
        snprintf(en, sizeof en,
                 "%s%.100s made while the order was %s reached an order that is %s: rejected, for the operator",
                 of_syncorder_kind_en(k), what, of_syncorder_status_en(op->from_status),
                 of_syncorder_status_en(st->status));
        snprintf(cn, sizeof cn, "%s%.100s于订单%s时发生，但订单现为%s：已拒绝，请人工处理", of_syncorder_kind_cn(k),
                 what, of_syncorder_status_cn(op->from_status), of_syncorder_status_cn(st->status));
        reject(res, OF_SYN_CT_FACT_TOO_LATE, en, cn);
        return;
    }
    snprintf(en, sizeof en, "%s made while the order was %s, but it is %s now: rejected", of_syncorder_kind_en(k),
             of_syncorder_status_en(op->from_status), of_syncorder_status_en(st->status));
    snprintf(cn, sizeof cn, "%s于订单%s时发起，但订单现为%s：已拒绝", of_syncorder_kind_cn(k),
             of_syncorder_status_cn(op->from_status), of_syncorder_status_cn(st->status));
    reject(res, OF_SYN_CT_REQUEST_LOSES, en, cn);
    return;
bad_fields:
    snprintf(en, sizeof en, "%s with a bad value in %s: rejected", of_syncorder_kind_en(k), bad);
    snprintf(cn, sizeof cn, "%s的字段 %s 有误：已拒绝", of_syncorder_kind_cn(k), bad);
    reject(res, OF_SYN_CT_INVALID, en, cn);
}
