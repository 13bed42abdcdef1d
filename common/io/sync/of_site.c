/* of_site.c -- the order sites: connections, the order row mapping, and the site operations (SYN-1, SYN-7). */
#include "of_site.h"
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "of_money.h"
#include "of_syncmerge.h"
#include "of_worker.h"

const char OF_SITE_COLS[] =
    "order_sn, buyer_id, seller_id, status, cancel_from_status, cancel_by, currency, price, shipping_fee, amount, "
    "pay_result, pay_no, paid_amount, pay_time, ship_time, ship_logistics, ship_waybill_no, newdeliver, refund_time, "
    "receive_time, receiver_name, receiver_mobile, receiver_country, receiver_province, receiver_city, "
    "receiver_address, receiver_zip, addtime";
/* guarded: a row that collides on another unique key (an order number another order holds) is never changed */
const char OF_SITE_COLS_UPDATE[] =
    "order_sn = IF(id = VALUES(id), VALUES(order_sn), order_sn), "
    "buyer_id = IF(id = VALUES(id), VALUES(buyer_id), buyer_id), "
    "seller_id = IF(id = VALUES(id), VALUES(seller_id), seller_id), "
    "status = IF(id = VALUES(id), VALUES(status), status), "
    "cancel_from_status = IF(id = VALUES(id), VALUES(cancel_from_status), cancel_from_status), "
    "cancel_by = IF(id = VALUES(id), VALUES(cancel_by), cancel_by), "
    "currency = IF(id = VALUES(id), VALUES(currency), currency), "
    "price = IF(id = VALUES(id), VALUES(price), price), "
    "shipping_fee = IF(id = VALUES(id), VALUES(shipping_fee), shipping_fee), "
    "amount = IF(id = VALUES(id), VALUES(amount), amount), "
    "pay_result = IF(id = VALUES(id), VALUES(pay_result), pay_result), "
    "pay_no = IF(id = VALUES(id), VALUES(pay_no), pay_no), "
    "paid_amount = IF(id = VALUES(id), VALUES(paid_amount), paid_amount), "
    "pay_time = IF(id = VALUES(id), VALUES(pay_time), pay_time), "
    "ship_time = IF(id = VALUES(id), VALUES(ship_time), ship_time), "
    "ship_logistics = IF(id = VALUES(id), VALUES(ship_logistics), ship_logistics), "
    "ship_waybill_no = IF(id = VALUES(id), VALUES(ship_waybill_no), ship_waybill_no), "
    "newdeliver = IF(id = VALUES(id), VALUES(newdeliver), newdeliver), "
    "refund_time = IF(id = VALUES(id), VALUES(refund_time), refund_time), "
    "receive_time = IF(id = VALUES(id), VALUES(receive_time), receive_time), "
    "receiver_name = IF(id = VALUES(id), VALUES(receiver_name), receiver_name), "
    "receiver_mobile = IF(id = VALUES(id), VALUES(receiver_mobile), receiver_mobile), "
    "receiver_country = IF(id = VALUES(id), VALUES(receiver_country), receiver_country), "
    "receiver_province = IF(id = VALUES(id), VALUES(receiver_province), receiver_province), "
    "receiver_city = IF(id = VALUES(id), VALUES(receiver_city), receiver_city), "
    "receiver_address = IF(id = VALUES(id), VALUES(receiver_address), receiver_address), "
    "receiver_zip = IF(id = VALUES(id), VALUES(receiver_zip), receiver_zip), "
    "sync_version = IF(id = VALUES(id), VALUES(sync_version), sync_version)";

#define SETCOLS                                                                                                        \
    "order_sn = ?, buyer_id = ?, seller_id = ?, status = ?, cancel_from_status = ?, cancel_by = ?, currency = ?, "     \
    "price = ?, shipping_fee = ?, amount = ?, pay_result = ?, pay_no = ?, paid_amount = ?, pay_time = ?, "             \
    "ship_time = ?, ship_logistics = ?, ship_waybill_no = ?, newdeliver = ?, refund_time = ?, receive_time = ?, "      \
    "receiver_name = ?, receiver_mobile = ?, receiver_country = ?, receiver_province = ?, receiver_city = ?, "         \
    "receiver_address = ?, receiver_zip = ?, addtime = ?"
#define COLS_LIT                                                                                                       \
    "order_sn, buyer_id, seller_id, status, cancel_from_status, cancel_by, currency, price, shipping_fee, amount, "    \
    "pay_result, pay_no, paid_amount, pay_time, ship_time, ship_logistics, ship_waybill_no, newdeliver, "              \
    "refund_time, receive_time, receiver_name, receiver_mobile, receiver_country, receiver_province, receiver_city, "  \
    "receiver_address, receiver_zip, addtime"
#define Q28 "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"
#define SIDE_SQL(p)                                                                                                    \
    {                                                                                                                  \
        "SELECT id, " COLS_LIT ", DATE_FORMAT(NOW(3), '%Y-%m-%d %H:%i:%s.%f') FROM " p                                 \
        "_orders WHERE id = ? FOR UPDATE",                                                                             \
            "UPDATE " p "_orders SET " SETCOLS ", sync_version = sync_version + 1 WHERE id = ?",                       \
            "INSERT INTO " p "_orders (" COLS_LIT ") VALUES (" Q28 ")",                                                \
            "INSERT INTO " p                                                                                           \
            "_order_sync_log (oid, op, actor, fields, from_status, status, addtime) VALUES (?, ?, ?, ?, ?, "           \
            "?, ?)",                                                                                                   \
            "INSERT INTO " p                                                                                           \
            "_order_logs (oid, actor, action, from_status, status, en_remark, cn_remark, addtime) VALUES "             \
            "(?, ?, ?, ?, ?, ?, ?, ?)"                                                                                 \
    }
static const char *const side_sql[2][5] = {SIDE_SQL("buyer"), SIDE_SQL("seller")};

const char *of_site_name(of_site_t site) {
    return site == OF_SITE_BUYER ? "buyer" : site == OF_SITE_SELLER ? "seller" : "replica";
}

/* A site's server and database (OF_SITE_<NAME>_HOST/PORT; the replica holds the seller's database). */
static void site_addr(const of_config_t *cfg, of_site_t site, const char **host, unsigned int *port, const char **db) {
    of_cfg_key_t h = site == OF_SITE_BUYER    ? OF_CFG_SITE_BUYER_HOST
                     : site == OF_SITE_SELLER ? OF_CFG_SITE_SELLER_HOST
                                              : OF_CFG_SITE_REPLICA_HOST;
    of_cfg_key_t p = site == OF_SITE_BUYER    ? OF_CFG_SITE_BUYER_PORT
                     : site == OF_SITE_SELLER ? OF_CFG_SITE_SELLER_PORT
                                              : OF_CFG_SITE_REPLICA_PORT;
    *host = of_cfg_str(cfg, h);
    *port = (unsigned)of_cfg_int(cfg, p);
    *db = of_cfg_str(cfg, site == OF_SITE_BUYER ? OF_CFG_MYSQL_BUYER_DB : OF_CFG_MYSQL_SELLER_DB);
}

of_db_t *of_site_connect(const of_config_t *cfg, of_site_t site, char *errstr, size_t size) {
    const char *host, *db;
    unsigned int port;
    site_addr(cfg, site, &host, &port, &db);
    return of_db_connect_to(cfg, host, port, db, errstr, size);
}

of_db_t *of_site_open(const of_config_t *cfg, of_site_t site, int *rc) {
    const char *host, *db;
    unsigned int port;
    char what[40];
    site_addr(cfg, site, &host, &port, &db);
    snprintf(what, sizeof what, "%s site", of_site_name(site));
    return of_worker_db_open_to(cfg, host, port, db, what, rc);
}

static void cpy(char *dst, size_t size, const char *s) {
    snprintf(dst, size, "%s", s ? s : "");
}

int of_site_row_read(const of_rows_t *rows, int r, int c, of_syn_order_t *o) {
    of_syncorder_init(o);
    o->exists = 1;
    const char *s;
    cpy(o->order_sn, sizeof o->order_sn, of_rows_str(rows, r, c + 0));
    o->buyer_id = (uint64_t)of_rows_i64(rows, r, c + 1);
    o->seller_id = (uint64_t)of_rows_i64(rows, r, c + 2);
    o->status = (int)of_rows_i64(rows, r, c + 3);
    o->cancel_from = (s = of_rows_str(rows, r, c + 4)) ? atoi(s) : -1;
    o->cancel_by = (int)of_rows_i64(rows, r, c + 5);
    cpy(o->currency, sizeof o->currency, of_rows_str(rows, r, c + 6));
    if (of_money_parse(of_rows_str(rows, r, c + 7), &o->price) ||
        of_money_parse(of_rows_str(rows, r, c + 8), &o->shipping_fee) ||
        of_money_parse(of_rows_str(rows, r, c + 9), &o->amount) ||
        of_money_parse(of_rows_str(rows, r, c + 12), &o->paid_amount))
        return -1;
    o->pay_result = (int)of_rows_i64(rows, r, c + 10);
    cpy(o->pay_no, sizeof o->pay_no, of_rows_str(rows, r, c + 11));
    cpy(o->pay_time, sizeof o->pay_time, of_rows_str(rows, r, c + 13));
    cpy(o->ship_time, sizeof o->ship_time, of_rows_str(rows, r, c + 14));
    cpy(o->ship_logistics, sizeof o->ship_logistics, of_rows_str(rows, r, c + 15));
    cpy(o->ship_waybill_no, sizeof o->ship_waybill_no, of_rows_str(rows, r, c + 16));
    cpy(o->newdeliver, sizeof o->newdeliver, of_rows_str(rows, r, c + 17));
    cpy(o->refund_time, sizeof o->refund_time, of_rows_str(rows, r, c + 18));
    cpy(o->receive_time, sizeof o->receive_time, of_rows_str(rows, r, c + 19));
    cpy(o->receiver_name, sizeof o->receiver_name, of_rows_str(rows, r, c + 20));
    cpy(o->receiver_mobile, sizeof o->receiver_mobile, of_rows_str(rows, r, c + 21));
    cpy(o->receiver_country, sizeof o->receiver_country, of_rows_str(rows, r, c + 22));
    cpy(o->receiver_province, sizeof o->receiver_province, of_rows_str(rows, r, c + 23));
    cpy(o->receiver_city, sizeof o->receiver_city, of_rows_str(rows, r, c + 24));
    cpy(o->receiver_address, sizeof o->receiver_address, of_rows_str(rows, r, c + 25));
    cpy(o->receiver_zip, sizeof o->receiver_zip, of_rows_str(rows, r, c + 26));
    cpy(o->addtime, sizeof o->addtime, of_rows_str(rows, r, c + 27));
    return 0;
}

static of_param_t tparam(const char *t) {
    return t[0] ? OFP_S(t) : OFP_NUL;
}

void of_site_row_params(const of_syn_order_t *o, of_param_t *p) {
    p[0] = OFP_S(o->order_sn);
    p[1] = OFP_U(o->buyer_id);
    p[2] = OFP_U(o->seller_id);
    p[3] = OFP_I(o->status);
    p[4] = o->cancel_from >= 0 ? OFP_I(o->cancel_from) : OFP_NUL;
    p[5] = OFP_I(o->cancel_by);
    p[6] = OFP_S(o->currency);
    p[7] = OFP_M(o->price);
    p[8] = OFP_M(o->shipping_fee);
    p[9] = OFP_M(o->amount);
    p[10] = OFP_I(o->pay_result);
    p[11] = OFP_S(o->pay_no);
    p[12] = OFP_M(o->paid_amount);
    p[13] = tparam(o->pay_time);
    p[14] = tparam(o->ship_time);
    p[15] = OFP_S(o->ship_logistics);
    p[16] = OFP_S(o->ship_waybill_no);
    p[17] = tparam(o->newdeliver);
    p[18] = tparam(o->refund_time);
    p[19] = tparam(o->receive_time);
    p[20] = OFP_S(o->receiver_name);
    p[21] = OFP_S(o->receiver_mobile);
    p[22] = OFP_S(o->receiver_country);
    p[23] = OFP_S(o->receiver_province);
    p[24] = OFP_S(o->receiver_city);
    p[25] = OFP_S(o->receiver_address);
    p[26] = OFP_S(o->receiver_zip);
    p[27] = tparam(o->addtime);
}

of_err_t of_site_register(of_db_t *db, of_site_t side, of_site_stmts_t *st, char *errstr, size_t size) {
    memset(st, 0, sizeof *st);
    st->side = side;
    const char *const *q = side_sql[side == OF_SITE_SELLER];
    int *ids[5] = {&st->lock, &st->update, &st->ins_order, &st->ins_sync, &st->ins_log};
    for (int i = 0; i < 5; i++)
        if ((*ids[i] = of_db_register(db, q[i])) < 0)
            return of_seterr(errstr, size, OF_ERR_NOMEM, "statement registry full");
    if ((st->now = of_db_register(db, "SELECT DATE_FORMAT(NOW(3), '%Y-%m-%d %H:%i:%s.%f'), CONNECTION_ID()")) < 0)
        return of_seterr(errstr, size, OF_ERR_NOMEM, "statement registry full");
    if (side == OF_SITE_BUYER)
        return of_db_register_multi(db,
                                    "INSERT INTO buyer_order_products (oid, sku, name_en, name_cn, price, num, amount) "
                                    "VALUES ",
                                    "(?, ?, ?, ?, ?, ?, ?)", "", &st->ins_lines);
    return OF_OK;
}

static const char *actor_en(int a) {
    return a == OF_SYN_ACT_BUYER ? "buyer" : a == OF_SYN_ACT_SELLER ? "seller" : "operator";
}
static const char *actor_cn(int a) {
    return a == OF_SYN_ACT_BUYER ? "买家" : a == OF_SYN_ACT_SELLER ? "卖家" : "运营";
}

typedef struct {
    const of_site_stmts_t *st;
    const of_site_op_t *op;
    of_site_done_t *done;
} tx_t;

static of_err_t write_logs(of_db_t *db, tx_t *x, uint64_t oid, const char *fields, int from, int to, const char *now,
                           const char *detail, char *errstr, size_t size) {
    const of_site_op_t *op = x->op;
    char en[1024], cn[1024];
    snprintf(en, sizeof en, "%s: %s%s%s%s%s", actor_en(op->actor), of_syncorder_kind_en(op->kind), detail[0] ? " " : "",
             detail, op->note && op->note[0] ? " — " : "", op->note ? op->note : "");
    snprintf(cn, sizeof cn, "%s%s%s%s%s%s", actor_cn(op->actor), of_syncorder_kind_cn(op->kind), detail[0] ? " " : "",
             detail, op->note && op->note[0] ? " —— " : "", op->note ? op->note : "");
    of_param_t sp[7] = {
        OFP_U(oid), OFP_S(of_syncorder_kind_name(op->kind)), OFP_I(op->actor), OFP_S(fields), OFP_I(from), OFP_I(to),
        OFP_S(now)};
    uint64_t sid = 0;
    of_err_t e = of_db_exec(db, x->st->ins_sync, sp, 7, NULL, &sid, errstr, size);
    if (e) return e;
    of_param_t lp[8] = {OFP_U(oid),  OFP_I(op->actor), OFP_S(of_syncorder_kind_name(op->kind)),
                        OFP_I(from), OFP_I(to),        OFP_S(en),
                        OFP_S(cn),   OFP_S(now)};
    if ((e = of_db_exec(db, x->st->ins_log, lp, 8, NULL, NULL, errstr, size))) return e;
    *x->done = (of_site_done_t){.oid = oid, .sync_log_id = sid, .from_status = from, .status = to};
    return OF_OK;
}

static of_err_t do_create(of_db_t *db, tx_t *x, char *errstr, size_t size) {
    const of_site_op_t *op = x->op;
    of_rows_t *rows = NULL;
    of_syn_order_t o;
    of_syncorder_init(&o);
    char bad[64];
    if (of_syncorder_fields_apply(OF_SYN_OP_CREATE, op->fields, &o, bad, sizeof bad))
        return of_seterr(errstr, size, OF_ERR_INVALID, "create-order: bad value for %s", bad);
    int64_t price = 0;
    for (int i = 0; i < op->nlines; i++) {
        if (op->lines[i].num < 1 || op->lines[i].num > 100000 || op->lines[i].price < 0 ||
            op->lines[i].price > (int64_t)100000000 * OF_MONEY_SCALE)
            return of_seterr(errstr, size, OF_ERR_INVALID, "create-order: line %d: bad price or quantity", i + 1);
        price += op->lines[i].price * op->lines[i].num;
    }
    if (op->nlines) o.price = price;
    o.amount = o.price + o.shipping_fee;
    o.exists = 1;
    of_err_t e = of_db_query(db, x->st->now, NULL, 0, &rows, errstr, size);
    if (e) return e;
    snprintf(o.addtime, sizeof o.addtime, "%.23s", of_rows_str(rows, 0, 0) ? of_rows_str(rows, 0, 0) : "");
    /* The order number "B<date><id>" needs the id the insert assigns: the row goes in with a number no other open
     * transaction can hold (this connection's id on the server), and gets its own number in the same transaction,
     * so no committed row ever has the temporary one. */
    snprintf(o.order_sn, sizeof o.order_sn, "tmp-conn-%s", of_rows_str(rows, 0, 1) ? of_rows_str(rows, 0, 1) : "0");
    of_rows_free(rows);
    of_param_t p[OF_SITE_NCOLS + 1];
    of_site_row_params(&o, p);
    uint64_t oid = 0;
    if ((e = of_db_exec(db, x->st->ins_order, p, OF_SITE_NCOLS, NULL, &oid, errstr, size))) return e;
    snprintf(o.order_sn, sizeof o.order_sn, "B%.4s%.2s%.2s%08" PRIu64, o.addtime, o.addtime + 5, o.addtime + 8, oid);
    of_site_row_params(&o, p);
    p[OF_SITE_NCOLS] = OFP_U(oid);
    if ((e = of_db_exec(db, x->st->update, p, OF_SITE_NCOLS + 1, NULL, NULL, errstr, size))) return e;
    if (op->nlines) {
        of_param_t *lp = calloc((size_t)op->nlines * 7, sizeof *lp);
        if (!lp) return of_seterr(errstr, size, OF_ERR_NOMEM, "out of memory");
        for (int i = 0; i < op->nlines; i++) {
            const of_site_line_t *l = &op->lines[i];
            of_param_t *q = lp + i * 7;
            q[0] = OFP_U(oid);
            q[1] = OFP_S(l->sku ? l->sku : "");
            q[2] = OFP_S(l->name_en ? l->name_en : "");
            q[3] = OFP_S(l->name_cn ? l->name_cn : "");
            q[4] = OFP_M(l->price);
            q[5] = OFP_I(l->num);
            q[6] = OFP_M(l->price * l->num);
        }
        e = of_db_exec_multi(db, &x->st->ins_lines, lp, op->nlines, NULL, errstr, size);
        free(lp);
        if (e) return e;
    }
    char *fields = NULL;
    if (of_syncorder_to_json(&o, &fields)) return of_seterr(errstr, size, OF_ERR_NOMEM, "out of memory");
    char amt[32], detail[512];
    snprintf(detail, sizeof detail, "%s, %d line(s), amount %s %s", o.order_sn, op->nlines,
             of_money_fmt(o.amount, amt, sizeof amt), o.currency);
    e = write_logs(db, x, oid, fields, 0, 0, o.addtime, detail, errstr, size);
    free(fields);
    return e;
}

static of_err_t tx_fn(of_db_t *db, void *ctx, char *errstr, size_t size) {
    tx_t *x = ctx;
    const of_site_op_t *op = x->op;
    if (op->kind == OF_SYN_OP_CREATE) return do_create(db, x, errstr, size);
    of_rows_t *rows = NULL;
    of_param_t id = OFP_U(op->oid);
    of_err_t e = of_db_query(db, x->st->lock, &id, 1, &rows, errstr, size);
    if (e) return e;
    of_syn_order_t o;
    char now[OF_SYN_TS] = "";
    if (!rows->nrows) {
        of_syncorder_init(&o);
    } else if (of_site_row_read(rows, 0, 1, &o)) {
        of_rows_free(rows);
        return of_seterr(errstr, size, OF_ERR_DB, "order %" PRIu64 ": an amount out of range", op->oid);
    }
    of_rows_free(rows);
    /* the op's time is read once the row lock is held, so that a side's ops of one order are stamped in the order
     * they commit in (the merge keeps each side's id order anyway, D-SYN-4) */
    if (o.exists) {
        if ((e = of_db_query(db, x->st->now, NULL, 0, &rows, errstr, size))) return e;
        snprintf(now, sizeof now, "%.23s", of_rows_str(rows, 0, 0) ? of_rows_str(rows, 0, 0) : "");
        of_rows_free(rows);
    }
    char why[256];
    if (!of_syncmerge_site_allows(&o, op->kind, op->actor, why, sizeof why))
        return of_seterr(errstr, size, OF_ERR_INVALID, "order %" PRIu64 " on the %s site: %s", op->oid,
                         of_site_name(x->st->side), why);
    /* a payment records the price it paid (CT-8: a price change it had not seen loses) */
    char *paid_fields = NULL;
    if (op->kind == OF_SYN_OP_PAY) {
        cJSON *f = cJSON_Parse(op->fields ? op->fields : "{}");
        if (!cJSON_IsObject(f)) {
            cJSON_Delete(f);
            return of_seterr(errstr, size, OF_ERR_INVALID, "order %" PRIu64 ": fields are not a JSON object", op->oid);
        }
        char m1[32], m2[32];
        cJSON_DeleteItemFromObject(f, "price");
        cJSON_DeleteItemFromObject(f, "shipping_fee");
        cJSON_AddStringToObject(f, "price", of_money_fmt(o.price, m1, sizeof m1));
        cJSON_AddStringToObject(f, "shipping_fee", of_money_fmt(o.shipping_fee, m2, sizeof m2));
        paid_fields = cJSON_PrintUnformatted(f);
        cJSON_Delete(f);
        if (!paid_fields) return of_seterr(errstr, size, OF_ERR_NOMEM, "out of memory");
    }
    const char *fields = paid_fields ? paid_fields : op->fields ? op->fields : "{}";
    /* the op's effect on this side is the merge's effect of a matching op (one table for both, D-SYN-2) */
    int from = o.status, to = of_syncmerge_next_status(&o, op->kind);
    of_syn_op_t so = {.side = x->st->side == OF_SITE_SELLER ? OF_SYN_SIDE_SELLER : OF_SYN_SIDE_BUYER,
                      .oid = op->oid,
                      .op = of_syncorder_kind_name(op->kind),
                      .actor = op->actor,
                      .fields = fields,
                      .from_status = from,
                      .status = to,
                      .addtime = now};
    of_syn_result_t res;
    of_syncmerge_op(&o, &so, &res);
    if (res.outcome != OF_SYN_APPLIED) {
        free(paid_fields);
        return of_seterr(errstr, size, OF_ERR_INVALID, "order %" PRIu64 ": %s", op->oid, res.reason_en);
    }
    of_param_t p[OF_SITE_NCOLS + 1];
    of_site_row_params(&o, p);
    p[OF_SITE_NCOLS] = OFP_U(op->oid);
    if ((e = of_db_exec(db, x->st->update, p, OF_SITE_NCOLS + 1, NULL, NULL, errstr, size))) {
        free(paid_fields);
        return e;
    }
    char detail[640] = "", a[32];
    switch (op->kind) {
    case OF_SYN_OP_ADJUST_PRICE:
        snprintf(detail, sizeof detail, "amount %s", of_money_fmt(o.amount, a, sizeof a));
        break;
    case OF_SYN_OP_PAY:
        snprintf(detail, sizeof detail, "%s %s", of_money_fmt(o.paid_amount, a, sizeof a), o.pay_no);
        break;
    case OF_SYN_OP_SHIP:
        snprintf(detail, sizeof detail, "%s %s", o.ship_logistics, o.ship_waybill_no);
        break;
    default:
        break;
    }
    e = write_logs(db, x, op->oid, fields, from, to, now, detail, errstr, size);
    free(paid_fields);
    return e;
}

of_err_t of_site_apply(of_db_t *db, const of_site_stmts_t *st, const of_site_op_t *op, of_site_done_t *done,
                       char *errstr, size_t size) {
    if (op->kind == OF_SYN_OP_CREATE && st->side != OF_SITE_BUYER)
        return of_seterr(errstr, size, OF_ERR_INVALID, "orders are created on the buyer site (SYN-7 flow 1)");
    of_site_done_t d = {0};
    tx_t x = {.st = st, .op = op, .done = &d};
    of_err_t e = of_db_tx(db, tx_fn, &x, errstr, size);
    if (!e && done) *done = d;
    return e;
}

of_err_t of_site_conflicts(of_db_t *db, int limit, of_rows_t **rowsp, char *errstr, size_t errstr_size) {
    of_param_t p = OFP_I(limit);
    int st = of_db_register(db, "SELECT a.applied_at, a.oid, a.side, a.op_id, a.ct_row, a.reason FROM "
                                "order_sync_applied a WHERE a.outcome = 2 ORDER BY a.applied_at DESC, a.oid LIMIT ?");
    return of_db_query(db, st, &p, 1, rowsp, errstr, errstr_size);
}
