/* of_finish.c -- payment-finish's I/O (FS-9): the chain's steps, each once, step after step per batch. */
#include "of_finish.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "of_fsfinish.h"
#include "of_ladder_send.h"
#include "of_log.h"
#include "of_metrics.h"
#include "of_money.h"
#include "of_outbox.h"
#include "of_time.h"
#include "of_topics.h"
#include "payment.pb-c.h"

struct of_finish_s {
    const of_config_t *cfg;
    of_db_t *db;
    of_producer_t *p;
    of_outbox_t *ob;
    const of_ladder_t *ladder;
    const char *worker;
    uint64_t push_merchant, message_merchant;
    of_db_multi_t r_orders, r_steps, r_lock, r_done, w_step, w_method, w_units, w_repur, w_activity;
};

typedef struct {
    rd_kafka_message_t *m;
    Orderfleet__PaymentCompleted *pc;
    of_retry_ctx_t rc;
    int found, dup, dead;
    of_fin_order_t o;
    char code[40], batch_code[40], title[140], yield[24];
    unsigned done;   /* bit per step already done */
    int failed_step; /* -1 none */
    char error[480];
} item_t;

#define S(r, i, c) (of_rows_str((r), (i), (c)) ? of_rows_str((r), (i), (c)) : "")
#define I(r, i, c) of_rows_i64((r), (i), (c))

of_finish_t *of_finish_new(const of_config_t *cfg, of_db_t *db, of_producer_t *producer, const of_ladder_t *ladder,
                           const char *worker, char *errstr, size_t size) {
    of_finish_t *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    f->cfg = cfg;
    f->db = db;
    f->p = producer;
    f->ladder = ladder;
    f->worker = worker;
    f->push_merchant = (uint64_t)of_cfg_int(cfg, OF_CFG_FINISH_PUSH_MERCHANT);
    f->message_merchant = (uint64_t)of_cfg_int(cfg, OF_CFG_FINISH_MESSAGE_MERCHANT);
    of_err_t e = OF_OK;
    if (!e)
        e = of_db_register_multi(
            db,
            "SELECT o.id, o.order_code, o.user_id, o.merchant_id, o.batch_id, o.num, o.state, o.unit_price, o.amount, "
            "o.remain_pay, b.repurchase_price, b.period_days, b.yield_rate, b.batch_code, b.main_title FROM fs_order o "
            "JOIN fs_batch b ON b.id = o.batch_id WHERE o.id IN (",
            "?", ")", &f->r_orders);
    if (!e)
        e = of_db_register_multi(db, "SELECT order_id, step FROM fs_finish_step WHERE order_id IN (", "?", ")",
                                 &f->r_steps);
    if (!e) e = of_db_register_multi(db, "SELECT id FROM fs_order WHERE id IN (", "?", ") FOR UPDATE", &f->r_lock);
    if (!e)
        e = of_db_register_multi(db, "SELECT order_id FROM fs_finish_step WHERE (order_id, step) IN (", "(?, ?)", ")",
                                 &f->r_done);
    if (!e)
        e = of_db_register_multi(db, "INSERT INTO fs_finish_step (order_id, step, detail, event_id) VALUES ",
                                 "(?, ?, ?, ?)", "", &f->w_step);
    if (!e)
        e = of_db_register_multi_sep(db, "UPDATE fs_order o JOIN (", "SELECT ? AS id, ? AS bits", " UNION ALL ",
                                     ") v ON o.id = v.id SET o.pay_method = o.pay_method | v.bits", &f->w_method);
    if (!e)
        e = of_db_register_multi(db, "INSERT INTO fs_goods_unit (unit_no, order_id, seq, batch_id, user_id) VALUES ",
                                 "(?, ?, ?, ?, ?)", "", &f->w_units);
    if (!e)
        e = of_db_register_multi(db,
                                 "INSERT INTO fs_repurchase_order (order_id, batch_id, user_id, num, unit_price, "
                                 "repurchase_price, amount, yield_rate, period_days, start_date, due_date) VALUES ",
                                 "(?, ?, ?, ?, ?, ?, ?, ?, ?, CURDATE(), CURDATE() + INTERVAL ? DAY)", "", &f->w_repur);
    if (!e)
        e = of_db_register_multi_sep(db, "UPDATE fs_batch b JOIN (", "SELECT ? AS id, ? AS n", " UNION ALL ",
                                     ") v ON b.id = v.id SET b.paid_num = b.paid_num + v.n", &f->w_activity);
    if (e || !(f->ob = of_outbox_new(db, producer))) {
        of_seterr(errstr, size, e ? e : OF_ERR_NOMEM, "payment-finish: cannot prepare its statements");
        free(f);
        return NULL;
    }
    return f;
}

void of_finish_destroy(of_finish_t *f) {
    if (!f) return;
    of_outbox_destroy(f->ob);
    free(f);
}

void of_finish_tick(void *ctx) {
    of_finish_t *f = ctx;
    of_outbox_tick(f->ob, f->cfg);
}

/* ---- one step for a set of orders, in one transaction ---- */
typedef struct {
    of_finish_t *f;
    item_t *it;
    int *idx; /* the items this step runs for */
    int n;
    of_fin_step_t step;
    int ran; /* out: items whose step was written (others were done meanwhile) */
} step_t;

static of_err_t stage(of_finish_t *f, const item_t *x, const char *kind, uint64_t merchant, const char *ref,
                      int64_t cash, const char *payload, char *err, size_t size) {
    char eid[80], idem[80], key[24];
    snprintf(eid, sizeof eid, "fin:%s:%" PRIu64, kind, x->o.id);
    snprintf(idem, sizeof idem, "fin-%s-%" PRIu64, kind, x->o.id);
    snprintf(key, sizeof key, "%" PRIu64, x->o.id);
    Orderfleet__EventMeta meta = ORDERFLEET__EVENT_META__INIT;
    meta.event_id = eid;
    meta.occurred_at_ms = of_now_ms();
    meta.producer = (char *)f->worker;
    meta.causation_id = x->pc->meta && x->pc->meta->event_id ? x->pc->meta->event_id : "";
    meta.schema_version = 1;
    Orderfleet__DeliveryRequest d = ORDERFLEET__DELIVERY_REQUEST__INIT;
    d.meta = &meta;
    d.order_id = x->o.id;
    d.order_code = (char *)ref;
    d.merchant_id = merchant;
    d.cash = cash;
    d.payload = (char *)payload;
    d.idempotency_key = idem;
    size_t len = orderfleet__delivery_request__get_packed_size(&d);
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf) return of_seterr(err, size, OF_ERR_NOMEM, "out of memory");
    orderfleet__delivery_request__pack(&d, buf);
    of_err_t e = of_outbox_stage(f->ob, OF_TOPIC_DELIVERY_REQUEST, eid, key, strlen(key), buf, len, err, size);
    free(buf);
    return e;
}

static of_err_t step_body(of_db_t *db, void *vctx, char *err, size_t size) {
    step_t *s = vctx;
    of_finish_t *f = s->f;
    of_err_t e = OF_OK;
    of_outbox_discard(f->ob);
    s->ran = 0;
    const char *name = of_fsfinish_step_name(s->step);
    of_param_t *p = calloc((size_t)s->n * 10 + 1, sizeof *p);
    char(*detail)[160] = calloc((size_t)s->n + 1, sizeof *detail);
    char *run = calloc((size_t)s->n + 1, 1);
    of_rows_t *r = NULL;
    if (!p || !detail || !run) {
        e = of_seterr(err, size, OF_ERR_NOMEM, "out of memory");
        goto out;
    }
    /* the orders locked, then what is done now (another process may have run the step meanwhile) */
    for (int k = 0; k < s->n; k++)
        p[k] = OFP_U(s->it[s->idx[k]].o.id);
    if ((e = of_db_query_multi(db, &f->r_lock, p, s->n, &r, err, size))) goto out;
    of_rows_free(r);
    r = NULL;
    for (int k = 0; k < s->n; k++) {
        p[k * 2] = OFP_U(s->it[s->idx[k]].o.id);
        p[k * 2 + 1] = OFP_S(name);
        run[k] = 1;
    }
    if ((e = of_db_query_multi(db, &f->r_done, p, s->n, &r, err, size))) goto out;
    for (int q = 0; q < r->nrows; q++)
        for (int k = 0; k < s->n; k++)
            if (s->it[s->idx[k]].o.id == (uint64_t)I(r, q, 0)) run[k] = 0;
    of_rows_free(r);
    r = NULL;
    int np = 0, rows = 0;
    switch (s->step) {
    case OF_FIN_PAID:
        for (int k = 0; k < s->n; k++)
            if (run[k]) {
                char a[32];
                snprintf(detail[k], sizeof detail[k], "paid %s", of_money_fmt(s->it[s->idx[k]].o.amount, a, sizeof a));
            }
        break;
    case OF_FIN_METHOD:
        for (int k = 0; k < s->n; k++) {
            if (!run[k]) continue;
            item_t *x = &s->it[s->idx[k]];
            const char *ms[16];
            size_t nm = 0;
            detail[k][0] = '\0';
            for (size_t i = 0; i < x->pc->n_parts && nm < 16; i++) {
                ms[nm++] = x->pc->parts[i]->method;
                size_t l = strlen(detail[k]);
                snprintf(detail[k] + l, sizeof detail[k] - l, "%s%s", l ? "+" : "", x->pc->parts[i]->method);
            }
            p[np++] = OFP_U(x->o.id);
            p[np++] = OFP_U(of_fsfinish_method_bits(ms, nm));
            rows++;
        }
        if (rows) e = of_db_exec_multi(db, &f->w_method, p, rows, NULL, err, size);
        break;
    case OF_FIN_UNITS: {
        long total = 0;
        for (int k = 0; k < s->n; k++)
            if (run[k]) total += s->it[s->idx[k]].o.num;
        of_param_t *u = calloc((size_t)total * 5 + 1, sizeof *u);
        char(*no)[64] = calloc((size_t)total + 1, sizeof *no);
        long m = 0;
        if (!u || !no) e = of_seterr(err, size, OF_ERR_NOMEM, "out of memory");
        for (int k = 0; !e && k < s->n; k++) {
            if (!run[k]) continue;
            item_t *x = &s->it[s->idx[k]];
            for (int q = 1; q <= x->o.num; q++, m++) {
                of_fsfinish_unit_no(&x->o, q, no[m], sizeof no[m]);
                u[m * 5] = OFP_S(no[m]);
                u[m * 5 + 1] = OFP_U(x->o.id);
                u[m * 5 + 2] = OFP_I(q);
                u[m * 5 + 3] = OFP_U(x->o.batch_id);
                u[m * 5 + 4] = OFP_U(x->o.user_id);
            }
            snprintf(detail[k], sizeof detail[k], "%d goods units", x->o.num);
        }
        if (!e && m) e = of_db_exec_multi(db, &f->w_units, u, (int)m, NULL, err, size);
        free(u);
        free(no);
        break;
    }
    case OF_FIN_REPURCHASE:
        for (int k = 0; k < s->n && !e; k++) {
            if (!run[k]) continue;
            item_t *x = &s->it[s->idx[k]];
            int64_t amount = 0;
            int has = of_fsfinish_repurchase(&x->o, &amount);
            if (has < 0) {
                e = of_seterr(err, size, OF_ERR_INVALID, "order %" PRIu64 ": repurchase amount out of range", x->o.id);
                break;
            }
            if (!has) {
                snprintf(detail[k], sizeof detail[k], "skipped: the batch has no repurchase terms");
                continue;
            }
            char a[32];
            snprintf(detail[k], sizeof detail[k], "repurchase %s due in %d days", of_money_fmt(amount, a, sizeof a),
                     x->o.period_days);
            of_param_t *q = &p[np];
            q[0] = OFP_U(x->o.id);
            q[1] = OFP_U(x->o.batch_id);
            q[2] = OFP_U(x->o.user_id);
            q[3] = OFP_I(x->o.num);
            q[4] = OFP_M(x->o.unit_price);
            q[5] = OFP_M(x->o.repurchase_price);
            q[6] = OFP_M(amount);
            q[7] = OFP_S(x->o.yield_rate);
            q[8] = OFP_I(x->o.period_days);
            q[9] = OFP_I(x->o.period_days);
            np += 10;
            rows++;
        }
        if (!e && rows) e = of_db_exec_multi(db, &f->w_repur, p, rows, NULL, err, size);
        break;
    case OF_FIN_PUSH:
    case OF_FIN_MESSAGE:
    case OF_FIN_DELIVER:
        for (int k = 0; k < s->n && !e; k++) {
            if (!run[k]) continue;
            item_t *x = &s->it[s->idx[k]];
            char payload[2048], ref[64];
            uint64_t merchant = s->step == OF_FIN_PUSH      ? f->push_merchant
                                : s->step == OF_FIN_MESSAGE ? f->message_merchant
                                                            : x->o.merchant_id;
            if (!merchant) {
                snprintf(detail[k], sizeof detail[k], "skipped: %s is 0",
                         s->step == OF_FIN_PUSH ? "OF_FINISH_PUSH_MERCHANT" : "OF_FINISH_MESSAGE_MERCHANT");
                continue;
            }
            int bad = s->step == OF_FIN_PUSH      ? of_fsfinish_push_payload(&x->o, payload, sizeof payload)
                      : s->step == OF_FIN_MESSAGE ? of_fsfinish_message_payload(&x->o, payload, sizeof payload)
                                                  : of_fsfinish_deliver_payload(&x->o, payload, sizeof payload);
            if (bad) {
                e = of_seterr(err, size, OF_ERR_INVALID, "order %" PRIu64 ": payload too large", x->o.id);
                break;
            }
            snprintf(ref, sizeof ref, "%s%s", x->o.order_code,
                     s->step == OF_FIN_PUSH      ? ":push"
                     : s->step == OF_FIN_MESSAGE ? ":msg"
                                                 : "");
            e = stage(f, x, name, merchant, ref, s->step == OF_FIN_DELIVER ? x->o.amount : 0, payload, err, size);
            snprintf(detail[k], sizeof detail[k], "delivery.request to merchant %" PRIu64 " (%s)", merchant, ref);
        }
        if (!e) e = of_outbox_write(f->ob, err, size);
        break;
    case OF_FIN_ACTIVITY: {
        /* the batches' paid units, one row per batch */
        for (int k = 0; k < s->n; k++) {
            if (!run[k]) continue;
            item_t *x = &s->it[s->idx[k]];
            snprintf(detail[k], sizeof detail[k], "batch %" PRIu64 ": +%d paid units", x->o.batch_id, x->o.num);
            int found = 0;
            for (int q = 0; q < rows && !found; q++)
                if (p[q * 2].u == x->o.batch_id) p[q * 2 + 1].i += x->o.num, found = 1;
            if (!found) {
                p[rows * 2] = OFP_U(x->o.batch_id);
                p[rows * 2 + 1] = OFP_I(x->o.num);
                rows++;
            }
        }
        if (rows) e = of_db_exec_multi(db, &f->w_activity, p, rows, NULL, err, size);
        break;
    }
    default:
        break;
    }
    if (e) goto out;
    /* the step's rows */
    np = 0;
    for (int k = 0; k < s->n; k++) {
        if (!run[k]) continue;
        item_t *x = &s->it[s->idx[k]];
        p[np++] = OFP_U(x->o.id);
        p[np++] = OFP_S(name);
        p[np++] = OFP_S(detail[k]);
        p[np++] = OFP_S(x->pc->meta && x->pc->meta->event_id ? x->pc->meta->event_id : "");
        s->ran++;
    }
    if (s->ran) e = of_db_exec_multi(db, &f->w_step, p, s->ran, NULL, err, size);
out:
    of_rows_free(r);
    free(p);
    free(detail);
    free(run);
    return e;
}

/* the step for every order that needs it; on a refusal the orders one by one, so that one order's failure does not
 * hold the others. Returns OF_ERR_TRANSIENT when the database is away (the batch is handled again). */
static of_err_t run_step(of_finish_t *f, item_t *it, int n, of_fin_step_t step) {
    int *idx = calloc((size_t)n + 1, sizeof *idx);
    if (!idx) return OF_ERR_TRANSIENT;
    int m = 0;
    char err[400];
    for (int i = 0; i < n; i++) {
        item_t *x = &it[i];
        if (!x->found || x->dup || x->dead || x->failed_step >= 0 || (x->done >> step & 1)) continue;
        if (step == OF_FIN_PAID) {
            const char *why = of_fsfinish_not_paid(&x->o);
            if (why) {
                x->failed_step = step;
                snprintf(x->error, sizeof x->error, "step paid: %s", why);
                continue;
            }
        }
        idx[m++] = i;
    }
    of_err_t e = OF_OK;
    if (m) {
        step_t s = {.f = f, .it = it, .idx = idx, .n = m, .step = step};
        e = of_db_tx(f->db, step_body, &s, err, sizeof err);
        if (e && e != OF_ERR_TRANSIENT) {
            for (int k = 0; k < m; k++) { /* one by one */
                step_t one = {.f = f, .it = it, .idx = &idx[k], .n = 1, .step = step};
                of_err_t e1 = of_db_tx(f->db, step_body, &one, err, sizeof err);
                if (e1 == OF_ERR_TRANSIENT) {
                    e = e1;
                    break;
                }
                if (e1) {
                    item_t *x = &it[idx[k]];
                    x->failed_step = step;
                    snprintf(x->error, sizeof x->error, "step %s: %s", of_fsfinish_step_name(step), err);
                } else {
                    it[idx[k]].done |= 1u << step;
                    of_outbox_flush(f->ob);
                }
            }
            if (e != OF_ERR_TRANSIENT) e = OF_OK;
        } else if (!e) {
            for (int k = 0; k < m; k++)
                it[idx[k]].done |= 1u << step;
            of_outbox_flush(f->ob);
        }
        if (e == OF_ERR_TRANSIENT) of_outbox_discard(f->ob);
    }
    free(idx);
    return e;
}

static void dead(of_msg_result_t *r, item_t *it, const char *klass, const char *reason) {
    r->dead = 1;
    r->klass = klass;
    snprintf(r->reason, sizeof r->reason, "%s", reason);
    if (it->pc) /* named in the worker's log line */
        of_worker_result_about_id(r, it->pc->meta ? it->pc->meta->event_id : NULL, "order", it->pc->order_id);
    it->dead = 1;
}

of_err_t of_finish_batch(void *ctx, rd_kafka_message_t **msgs, int n, of_msg_result_t *res) {
    of_finish_t *f = ctx;
    item_t *it = calloc((size_t)n, sizeof *it);
    of_param_t *ps = calloc((size_t)n + 1, sizeof *ps);
    of_rows_t *ro = NULL, *rs = NULL;
    of_err_t e = OF_OK;
    char err[400];
    if (!it || !ps) {
        free(it);
        free(ps);
        return OF_ERR_TRANSIENT;
    }
    int np = 0;
    for (int i = 0; i < n; i++) {
        item_t *x = &it[i];
        x->m = msgs[i];
        x->failed_step = -1;
        of_ladder_ctx_read(msgs[i], &x->rc);
        x->pc = orderfleet__payment_completed__unpack(NULL, msgs[i]->len, msgs[i]->payload);
        if (!x->pc) {
            dead(&res[i], x, "decode", "value is not a PaymentCompleted protobuf message");
            continue;
        }
        if (!x->pc->order_id) {
            dead(&res[i], x, "validation", "order_id: required");
            continue;
        }
        for (int k = 0; k < i && !x->dup; k++)
            if (it[k].pc && !it[k].dead && it[k].pc->order_id == x->pc->order_id) x->dup = 1;
        if (!x->dup) ps[np++] = OFP_U(x->pc->order_id);
    }
    if (np && (e = of_db_query_multi(f->db, &f->r_orders, ps, np, &ro, err, sizeof err))) goto out;
    if (np && (e = of_db_query_multi(f->db, &f->r_steps, ps, np, &rs, err, sizeof err))) goto out;
    for (int i = 0; i < n; i++) {
        item_t *x = &it[i];
        if (!x->pc || x->dead || x->dup) continue;
        for (int r = 0; ro && r < ro->nrows && !x->found; r++) {
            if ((uint64_t)I(ro, r, 0) != x->pc->order_id) continue;
            x->found = 1;
            snprintf(x->code, sizeof x->code, "%s", S(ro, r, 1));
            snprintf(x->yield, sizeof x->yield, "%s", S(ro, r, 12));
            snprintf(x->batch_code, sizeof x->batch_code, "%s", S(ro, r, 13));
            snprintf(x->title, sizeof x->title, "%s", S(ro, r, 14));
            int64_t up = 0, am = 0, rp = 0, rr = 0;
            int bad = of_money_parse(S(ro, r, 7), &up) || of_money_parse(S(ro, r, 8), &am) ||
                      of_money_parse(S(ro, r, 9), &rp) || of_money_parse(S(ro, r, 10), &rr);
            x->o = (of_fin_order_t){.id = (uint64_t)I(ro, r, 0),
                                    .order_code = x->code,
                                    .user_id = (uint64_t)I(ro, r, 2),
                                    .merchant_id = (uint64_t)I(ro, r, 3),
                                    .batch_id = (uint64_t)I(ro, r, 4),
                                    .num = (int)I(ro, r, 5),
                                    .state = (int)I(ro, r, 6),
                                    .unit_price = up,
                                    .amount = am,
                                    .remain_pay = rp,
                                    .repurchase_price = rr,
                                    .period_days = (int)I(ro, r, 11),
                                    .yield_rate = x->yield,
                                    .batch_code = x->batch_code,
                                    .title = x->title};
            if (bad) { /* never write an amount that was not read back exactly (as D-MID-21) */
                x->failed_step = OF_FIN_PAID;
                snprintf(x->error, sizeof x->error, "order %" PRIu64 ": an amount out of range", x->o.id);
            }
        }
        for (int r = 0; rs && r < rs->nrows; r++) {
            int st = of_fsfinish_step_parse(S(rs, r, 1));
            if ((uint64_t)I(rs, r, 0) == x->pc->order_id && st >= 0) x->done |= 1u << st;
        }
        if (!x->found) {
            x->failed_step = OF_FIN_PAID;
            snprintf(x->error, sizeof x->error, "order %" PRIu64 " not found", x->pc->order_id);
        }
    }
    for (int s = 0; s < OF_FIN__COUNT && !e; s++)
        e = run_step(f, it, n, (of_fin_step_t)s);
    if (e) goto out;
    /* the orders whose step failed go up the ladder (the steps done stay done) */
    of_dr_batch_t b = {0};
    for (int i = 0; i < n && !e; i++) {
        item_t *x = &it[i];
        if (x->failed_step < 0 || x->dead || x->dup) continue;
        int rung = -1;
        if ((e = of_ladder_send(f->p, f->ladder, x->m, &x->rc, x->error, f->worker, &rung, &b))) break;
        if (rung >= 0)
            of_warn("payment finish step failed: retried on the ladder",
                    OF_S("event_id", x->pc->meta ? x->pc->meta->event_id : ""), OF_U("order_id", x->pc->order_id),
                    OF_I("rung", rung), OF_I("attempt", x->rc.attempt), OF_S("error", x->error), OF_END);
        else
            dead(&res[i], x, "exhausted", x->error);
    }
    if (of_producer_wait(f->p, &b) || e) {
        e = OF_ERR_TRANSIENT;
        goto out;
    }
    for (int i = 0; i < n; i++) {
        item_t *x = &it[i];
        if (!x->pc || x->dead || x->failed_step >= 0) continue;
        if (x->dup) {
            of_metric_add(OF_M_DUPLICATE, 1);
            continue;
        }
        of_metric_add(OF_M_PROCESSED, 1);
        of_info("payment finished", OF_S("event_id", x->pc->meta ? x->pc->meta->event_id : ""),
                OF_U("order_id", x->o.id), OF_S("order_code", x->o.order_code), OF_I("units", x->o.num), OF_END);
    }
out:
    if (e) of_warn("payment-finish batch failed, retried", OF_I("events", n), OF_S("error", err), OF_END);
    for (int i = 0; i < n; i++) {
        if (it[i].pc) orderfleet__payment_completed__free_unpacked(it[i].pc, NULL);
        of_ladder_ctx_clear(&it[i].rc);
    }
    of_rows_free(ro);
    of_rows_free(rs);
    free(ps);
    free(it);
    return e ? OF_ERR_TRANSIENT : OF_OK;
}
