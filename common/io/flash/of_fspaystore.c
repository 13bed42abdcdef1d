/* of_fspaystore.c -- FS-8/FS-10/FS-11 in MariaDB: one transaction per request on the order's locked row. */
#include "of_fspaystore.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "of_log.h"
#include "of_money.h"
#include "of_outbox.h"
#include "of_time.h"
#include "of_topics.h"
#include "payment.pb-c.h"

enum {
    S_ORDER,
    S_REQ,
    S_SEQ,
    S_ACC_ENSURE,
    S_ACC_LOCK,
    S_PI_INS,
    S_ACC_UPD,
    S_PLEDGER,
    S_BLEDGER,
    S_ORDER_UPD,
    S_PARTS,
    S_PI_FIND,
    S_PI_LOCK,
    S_PI_SET,
    S__COUNT
};

static const char *const SQL[S__COUNT] = {
    [S_ORDER] = "SELECT id, user_id, merchant_id, amount, remain_pay, state, order_code, batch_id FROM fs_order WHERE "
                "id = ? FOR UPDATE",
    [S_REQ] = "SELECT COUNT(*) FROM fs_pay_info WHERE order_id = ? AND request_id = ?",
    [S_SEQ] = "SELECT IFNULL(MAX(seq), 0) FROM fs_pay_info WHERE order_id = ?",
    [S_ACC_ENSURE] = "INSERT IGNORE INTO fs_account (owner_type, owner_id) VALUES (2, ?)",
    [S_ACC_LOCK] = "SELECT id, owner_type, point_balance, cash_balance FROM fs_account WHERE (owner_type = 1 AND "
                   "owner_id = ?) OR (owner_type = 2 AND owner_id = ?) ORDER BY id FOR UPDATE",
    [S_PI_INS] = "INSERT INTO fs_pay_info (order_id, seq, pay_type, amount, status, request_id, provider_trade_no, "
                 "remark) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    [S_ACC_UPD] = "UPDATE fs_account SET point_balance = point_balance + ?, cash_balance = cash_balance + ?, version = "
                  "version + 1 WHERE id = ?",
    [S_PLEDGER] = "INSERT INTO fs_point_ledger (owner_type, owner_id, bill_no, change_amount, balance_after, "
                  "counterparty_type, counterparty_id, order_id, pay_info_id, biz_type, `explain`, ref_key) VALUES "
                  "(1, ?, ?, ?, ?, 2, ?, ?, ?, 1, ?, ?), (2, ?, ?, ?, ?, 1, ?, ?, ?, 1, ?, ?)",
    [S_BLEDGER] = "INSERT INTO fs_balance_ledger (owner_type, owner_id, bill_no, change_amount, balance_after, "
                  "counterparty_type, counterparty_id, order_id, pay_info_id, biz_type, `explain`, ref_key) VALUES "
                  "(1, ?, ?, ?, ?, 2, ?, ?, ?, 1, ?, ?), (2, ?, ?, ?, ?, 1, ?, ?, ?, 1, ?, ?)",
    /* left to right: state and paid_at see the new remain_pay */
    [S_ORDER_UPD] = "UPDATE fs_order SET remain_pay = remain_pay - ?, pay_method = pay_method | ?, state = "
                    "IF(remain_pay = 0, 2, state), paid_at = IF(remain_pay = 0, NOW(3), paid_at) WHERE id = ?",
    [S_PARTS] = "SELECT pay_type, amount, IFNULL(provider_trade_no, '') FROM fs_pay_info WHERE order_id = ? AND "
                "status = 1 ORDER BY seq",
    [S_PI_FIND] = "SELECT order_id FROM fs_pay_info WHERE pay_type = 3 AND provider_trade_no = ?",
    [S_PI_LOCK] = "SELECT id, amount, status FROM fs_pay_info WHERE pay_type = 3 AND provider_trade_no = ? FOR UPDATE",
    [S_PI_SET] = "UPDATE fs_pay_info SET status = ? WHERE id = ? AND status = 0",
};

struct of_fspaystore_s {
    of_db_t *db;
    of_outbox_t *ob;
    int st[S__COUNT];
};

of_fspaystore_t *of_fspaystore_new(of_db_t *db, char *errstr, size_t size) {
    of_fspaystore_t *ps = calloc(1, sizeof *ps);
    if (!ps) return NULL;
    ps->db = db;
    for (int i = 0; i < S__COUNT; i++)
        if ((ps->st[i] = of_db_register(db, SQL[i])) < 0) {
            of_seterr(errstr, size, OF_ERR_DB, "cannot register the payment statements");
            free(ps);
            return NULL;
        }
    if (!(ps->ob = of_outbox_new(db, NULL))) { /* staged and written here; published by the gateway's publisher */
        of_seterr(errstr, size, OF_ERR_NOMEM, "out of memory");
        free(ps);
        return NULL;
    }
    return ps;
}

void of_fspaystore_destroy(of_fspaystore_t *ps) {
    if (!ps) return;
    of_outbox_discard(ps->ob);
    of_outbox_destroy(ps->ob);
    free(ps);
}

typedef enum { OP_PAY, OP_OFFLINE, OP_NOTIFY } op_t;

typedef struct {
    of_fspaystore_t *ps;
    op_t op;
    uint64_t order_id, buyer;
    const char *request_id;
    const of_fspay_req_t *rq;
    int64_t offline;
    const char *remark, *operator_name;
    const of_fspay_notify_t *n;
    const char *signature;
    of_payout_t *out;
} ctx_t;

#define Q(ps, k, p, n, rows) of_db_query((ps)->db, (ps)->st[k], (p), (n), (rows), err, size)
#define X(ps, k, p, n, aff, id) of_db_exec((ps)->db, (ps)->st[k], (p), (n), (aff), (id), err, size)

static int64_t money(const of_rows_t *r, int row, int col) {
    int64_t v = 0;
    const char *s = of_rows_str(r, row, col);
    return s && !of_money_parse(s, &v) ? v : 0;
}

/* one internal transfer buyer → merchant (points or balance): its pay_info, both accounts, both ledger rows */
static of_err_t transfer(of_fspaystore_t *ps, const ctx_t *c, int type, int64_t amount, int seq, uint64_t user,
                         uint64_t merchant, uint64_t acc_u, uint64_t acc_m, int64_t bal_u, int64_t bal_m, char *err,
                         size_t size) {
    char bill[48], refd[96], refc[96];
    uint64_t pi = 0;
    of_err_t e;
    const char *req = c->request_id;
    of_param_t pp[] = {
        OFP_U(c->order_id), OFP_I(seq), OFP_I(type), OFP_M(amount),
        OFP_I(1),           OFP_S(req), OFP_NUL,     OFP_S(type == OF_PAY_POINTS ? "购羊抵现扣除" : "余额支付")};
    if ((e = X(ps, S_PI_INS, pp, 8, NULL, &pi))) return e;
    int points = type == OF_PAY_POINTS;
    of_param_t du[] = {OFP_M(points ? -amount : 0), OFP_M(points ? 0 : -amount), OFP_U(acc_u)};
    of_param_t dm[] = {OFP_M(points ? amount : 0), OFP_M(points ? 0 : amount), OFP_U(acc_m)};
    if ((e = X(ps, S_ACC_UPD, du, 3, NULL, NULL)) || (e = X(ps, S_ACC_UPD, dm, 3, NULL, NULL))) return e;
    snprintf(bill, sizeof bill, "%s%" PRIu64 "-%d", points ? "JF" : "YE", c->order_id, seq);
    snprintf(refd, sizeof refd, "pay:%" PRIu64 ":debit", pi);
    snprintf(refc, sizeof refc, "pay:%" PRIu64 ":credit", pi);
    const char *why = points ? "购羊抵现扣除" : "购羊余额扣除";
    of_param_t l[] = {OFP_U(user),
                      OFP_S(bill),
                      OFP_M(-amount),
                      OFP_M(bal_u - amount),
                      OFP_U(merchant),
                      OFP_U(c->order_id),
                      OFP_U(pi),
                      OFP_S(why),
                      OFP_S(refd),
                      OFP_U(merchant),
                      OFP_S(bill),
                      OFP_M(amount),
                      OFP_M(bal_m + amount),
                      OFP_U(user),
                      OFP_U(c->order_id),
                      OFP_U(pi),
                      OFP_S(why),
                      OFP_S(refc)};
    return X(ps, points ? S_PLEDGER : S_BLEDGER, l, 18, NULL, NULL);
}

/* the order is paid: its PaymentCompleted (every settled part) into the outbox, in this transaction */
static of_err_t completed(of_fspaystore_t *ps, const ctx_t *c, const of_rows_t *o, char *err, size_t size) {
    of_rows_t *r = NULL;
    of_param_t k = OFP_U(c->order_id);
    of_err_t e = Q(ps, S_PARTS, &k, 1, &r);
    if (e) return e;
    Orderfleet__PayPart *parts = calloc((size_t)r->nrows + 1, sizeof *parts);
    Orderfleet__PayPart **pp = calloc((size_t)r->nrows + 1, sizeof *pp);
    char refs[64][72];
    if (!parts || !pp) {
        free(parts);
        free(pp);
        of_rows_free(r);
        return of_seterr(err, size, OF_ERR_NOMEM, "out of memory");
    }
    int n = r->nrows < 64 ? r->nrows : 64;
    for (int i = 0; i < n; i++) {
        orderfleet__pay_part__init(&parts[i]);
        parts[i].method = (char *)of_fspay_method_name((int)of_rows_i64(r, i, 0));
        parts[i].amount = money(r, i, 1);
        snprintf(refs[i], sizeof refs[i], "%s", of_rows_str(r, i, 2));
        parts[i].reference = refs[i];
        pp[i] = &parts[i];
    }
    char eid[64], key[32], code[40], host[48] = "", producer[64];
    snprintf(eid, sizeof eid, "paid:%" PRIu64, c->order_id);
    snprintf(key, sizeof key, "%" PRIu64, c->order_id);
    snprintf(code, sizeof code, "%s", of_rows_str(o, 0, 6));
    gethostname(host, sizeof host - 1);
    snprintf(producer, sizeof producer, "gateway@%.40s", host);
    Orderfleet__EventMeta meta = ORDERFLEET__EVENT_META__INIT;
    meta.event_id = eid;
    meta.occurred_at_ms = of_now_ms();
    meta.producer = producer;
    meta.schema_version = 1;
    Orderfleet__PaymentCompleted pc = ORDERFLEET__PAYMENT_COMPLETED__INIT;
    pc.meta = &meta;
    pc.order_id = c->order_id;
    pc.order_code = code;
    pc.merchant_id = (uint64_t)of_rows_i64(o, 0, 2);
    pc.amount = money(o, 0, 3);
    pc.n_parts = (size_t)n;
    pc.parts = pp;
    pc.provider_signature = (char *)(c->signature ? c->signature : "");
    pc.user_id = (uint64_t)of_rows_i64(o, 0, 1);
    pc.batch_id = (uint64_t)of_rows_i64(o, 0, 7);
    pc.operator_id = (char *)(c->operator_name ? c->operator_name : "");
    size_t len = orderfleet__payment_completed__get_packed_size(&pc);
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf) e = of_seterr(err, size, OF_ERR_NOMEM, "out of memory");
    if (!e) {
        orderfleet__payment_completed__pack(&pc, buf);
        e = of_outbox_stage(ps->ob, OF_TOPIC_PAYMENT_COMPLETED, eid, key, strlen(key), buf, len, err, size);
    }
    if (!e) e = of_outbox_write(ps->ob, err, size);
    free(buf);
    free(parts);
    free(pp);
    of_rows_free(r);
    return e;
}

static of_err_t settle(of_fspaystore_t *ps, const ctx_t *c, int64_t settled, unsigned bits, const of_rows_t *o,
                       char *err, size_t size) {
    of_payout_t *out = c->out;
    of_param_t u[] = {OFP_M(settled), OFP_U(bits), OFP_U(c->order_id)};
    of_err_t e = X(ps, S_ORDER_UPD, u, 3, NULL, NULL);
    if (e) return e;
    if (money(o, 0, 4) - settled == 0) {
        out->paid = 1;
        e = completed(ps, c, o, err, size);
    }
    return e;
}

static of_err_t body(of_db_t *db, void *vctx, char *err, size_t size) {
    (void)db;
    ctx_t *c = vctx;
    of_fspaystore_t *ps = c->ps;
    of_payout_t *out = c->out;
    memset(out, 0, sizeof *out);
    of_outbox_discard(ps->ob);
    of_rows_t *o = NULL, *r = NULL;
    of_err_t e = OF_OK;
    const of_fspay_notify_t *n = c->n;
    uint64_t pi_id = 0;
    int64_t pi_amount = 0;
    if (c->op == OP_NOTIFY) { /* the order of the trade number, then the order and the payment locked, in that order */
        of_param_t t = OFP_S(n->trade_no);
        if ((e = Q(ps, S_PI_FIND, &t, 1, &r))) goto out;
        if (!r->nrows) {
            out->result = OF_PAYR_NOT_FOUND;
            snprintf(out->why, sizeof out->why, "no third-party payment %s", n->trade_no);
            goto out;
        }
        c->order_id = (uint64_t)of_rows_i64(r, 0, 0);
        of_rows_free(r);
        r = NULL;
    }
    out->order_id = c->order_id;
    of_param_t k = OFP_U(c->order_id);
    if ((e = Q(ps, S_ORDER, &k, 1, &o))) goto out;
    if (!o->nrows || (c->buyer && (uint64_t)of_rows_i64(o, 0, 1) != c->buyer)) {
        out->result = OF_PAYR_NOT_FOUND;
        snprintf(out->why, sizeof out->why, "no such order");
        goto out;
    }
    if (c->op == OP_NOTIFY) {
        of_param_t t = OFP_S(n->trade_no);
        if ((e = Q(ps, S_PI_LOCK, &t, 1, &r))) goto out;
        if (!r->nrows) {
            out->result = OF_PAYR_NOT_FOUND;
            goto out;
        }
        pi_id = (uint64_t)of_rows_i64(r, 0, 0);
        pi_amount = money(r, 0, 1);
        if (of_rows_i64(r, 0, 2) != 0) { /* settled (or failed) before: a repeated notify */
            out->result = OF_PAYR_REPLAY;
            goto out;
        }
        if (pi_amount != n->amount) {
            out->result = OF_PAYR_MISMATCH;
            snprintf(out->why, sizeof out->why, "the notify's amount is not the payment's");
            goto out;
        }
        of_param_t s[] = {OFP_I(n->success ? 1 : 2), OFP_U(pi_id)};
        if ((e = X(ps, S_PI_SET, s, 2, NULL, NULL))) goto out;
        if (!n->success) goto out; /* the part failed: the order still waits for it */
        if (of_rows_i64(o, 0, 5) != 1 || money(o, 0, 4) < pi_amount) {
            /* paid by other means meanwhile: the money came all the same (left to the refund process) */
            out->result = OF_PAYR_STATE;
            snprintf(out->why, sizeof out->why, "order not awaiting this payment: settle the surplus by refund");
            of_warn("third-party payment for an order that does not await it", OF_U("order_id", c->order_id),
                    OF_S("trade_no", n->trade_no), OF_END);
            goto out;
        }
        e = settle(ps, c, pi_amount, OF_PAYBIT_THIRD, o, err, size);
        goto out;
    }
    /* a pay request or a back-office payment: the same key again is a replay */
    of_param_t rk[] = {OFP_U(c->order_id), OFP_S(c->request_id)};
    if ((e = Q(ps, S_REQ, rk, 2, &r))) goto out;
    if (of_rows_i64(r, 0, 0) > 0) {
        out->result = OF_PAYR_REPLAY;
        goto out;
    }
    of_rows_free(r);
    r = NULL;
    if (of_rows_i64(o, 0, 5) != 1) {
        out->result = OF_PAYR_STATE;
        snprintf(out->why, sizeof out->why, "the order is %s", of_rows_i64(o, 0, 5) == 2 ? "paid" : "closed");
        goto out;
    }
    int64_t remain = money(o, 0, 4);
    of_fspay_plan_t plan = {0};
    if (c->op == OP_PAY) {
        const char *why = "";
        if (of_fspay_plan(remain, c->rq, &plan, &why)) {
            out->result = OF_PAYR_INVALID;
            snprintf(out->why, sizeof out->why, "%s", why);
            goto out;
        }
    } else if (c->offline > remain) {
        out->result = OF_PAYR_INVALID;
        snprintf(out->why, sizeof out->why, "more than remains to be paid");
        goto out;
    }
    if ((e = Q(ps, S_SEQ, &k, 1, &r))) goto out;
    int seq = (int)of_rows_i64(r, 0, 0);
    of_rows_free(r);
    r = NULL;
    uint64_t user = (uint64_t)of_rows_i64(o, 0, 1), merchant = (uint64_t)of_rows_i64(o, 0, 2);
    int64_t settled = 0;
    unsigned bits = 0;
    if (plan.jifen || plan.balance) { /* FS-8: points, then balance, buyer → merchant */
        of_param_t m = OFP_U(merchant);
        if ((e = X(ps, S_ACC_ENSURE, &m, 1, NULL, NULL))) goto out;
        of_param_t a[] = {OFP_U(user), OFP_U(merchant)};
        if ((e = Q(ps, S_ACC_LOCK, a, 2, &r))) goto out;
        uint64_t acc_u = 0, acc_m = 0;
        int64_t pu = 0, cu = 0, pm = 0, cm = 0;
        for (int i = 0; i < r->nrows; i++) {
            if (of_rows_i64(r, i, 1) == 1)
                acc_u = (uint64_t)of_rows_i64(r, i, 0), pu = money(r, i, 2), cu = money(r, i, 3);
            else
                acc_m = (uint64_t)of_rows_i64(r, i, 0), pm = money(r, i, 2), cm = money(r, i, 3);
        }
        if (!acc_u || pu < plan.jifen || cu < plan.balance) {
            out->result = OF_PAYR_FUNDS;
            snprintf(out->why, sizeof out->why, "%s",
                     !acc_u            ? "the buyer has no account"
                     : pu < plan.jifen ? "not enough points (jifen)"
                                       : "not enough balance");
            goto out;
        }
        if (plan.jifen &&
            (e = transfer(ps, c, OF_PAY_POINTS, plan.jifen, ++seq, user, merchant, acc_u, acc_m, pu, pm, err, size)))
            goto out;
        if (plan.balance &&
            (e = transfer(ps, c, OF_PAY_BALANCE, plan.balance, ++seq, user, merchant, acc_u, acc_m, cu, cm, err, size)))
            goto out;
        settled = plan.jifen + plan.balance;
        bits = (plan.jifen ? OF_PAYBIT_POINTS : 0) | (plan.balance ? OF_PAYBIT_BALANCE : 0);
    }
    if (c->op == OP_OFFLINE) { /* FS-10 */
        of_param_t pp[] = {OFP_U(c->order_id),
                           OFP_I(++seq),
                           OFP_I(OF_PAY_OFFLINE),
                           OFP_M(c->offline),
                           OFP_I(1),
                           OFP_S(c->request_id),
                           OFP_NUL,
                           OFP_S(c->remark ? c->remark : "")};
        if ((e = X(ps, S_PI_INS, pp, 8, NULL, NULL))) goto out;
        settled = c->offline;
        bits = OF_PAYBIT_OFFLINE;
    }
    if (plan.other) { /* the third-party part waits for the provider's notify (FS-11) */
        snprintf(out->trade_no, sizeof out->trade_no, "TP%" PRIu64 "-%d", c->order_id, seq + 1);
        snprintf(out->channel, sizeof out->channel, "%s", c->rq->other_type);
        of_param_t pp[] = {OFP_U(c->order_id), OFP_I(++seq),         OFP_I(OF_PAY_THIRD),  OFP_M(plan.other),
                           OFP_I(0),           OFP_S(c->request_id), OFP_S(out->trade_no), OFP_S(c->rq->other_type)};
        if ((e = X(ps, S_PI_INS, pp, 8, NULL, &out->third_id))) goto out;
        out->third = plan.other;
    }
    if (settled || bits) e = settle(ps, c, settled, bits, o, err, size);
out:
    of_rows_free(o);
    of_rows_free(r);
    return e;
}

static of_err_t run(ctx_t *c, char *err, size_t size) {
    of_err_t e = of_db_tx(c->ps->db, body, c, err, size);
    of_outbox_discard(c->ps->ob); /* committed rows are published by the gateway's publisher; rolled back: gone */
    return e;
}

of_err_t of_fspaystore_pay(of_fspaystore_t *ps, uint64_t order_id, uint64_t buyer, const char *request_id,
                           const of_fspay_req_t *rq, of_payout_t *out, char *err, size_t size) {
    ctx_t c = {
        .ps = ps, .op = OP_PAY, .order_id = order_id, .buyer = buyer, .request_id = request_id, .rq = rq, .out = out};
    return run(&c, err, size);
}

of_err_t of_fspaystore_offline(of_fspaystore_t *ps, uint64_t order_id, const char *request_id, int64_t amount,
                               const char *remark, const char *operator_name, of_payout_t *out, char *err,
                               size_t size) {
    ctx_t c = {.ps = ps,
               .op = OP_OFFLINE,
               .order_id = order_id,
               .request_id = request_id,
               .offline = amount,
               .remark = remark,
               .operator_name = operator_name,
               .out = out};
    return run(&c, err, size);
}

of_err_t of_fspaystore_notify(of_fspaystore_t *ps, const of_fspay_notify_t *n, const char *signature, of_payout_t *out,
                              char *err, size_t size) {
    ctx_t c = {.ps = ps, .op = OP_NOTIFY, .n = n, .signature = signature, .out = out};
    return run(&c, err, size);
}

of_err_t of_fspaystore_third_failed(of_fspaystore_t *ps, uint64_t pay_info_id, char *err, size_t size) {
    of_param_t s[] = {OFP_I(2), OFP_U(pay_info_id)};
    return X(ps, S_PI_SET, s, 2, NULL, NULL);
}
