/* of_tradestore.c -- SQL for api_trade / api_trade_order, derived from the raw-trade field table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "of_modflag.h"
#include "of_money.h"
#include "of_rawtrade.h"
#include "of_tradestore.h"

/* Columns of the trade not rewritten by an update (identity of the row). */
static int is_identity(const char *c) {
    return !strcmp(c, "platform_id") || !strcmp(c, "tid") || !strcmp(c, "shop_no");
}

struct of_tradestore_s {
    of_db_t *db;
    char *sql[6];
    int st_sel, st_ins, st_upd, st_sel_o, st_ins_o, st_upd_o;
};

typedef struct {
    char *buf;
    size_t len, cap;
} sb_t;

static void sb_add(sb_t *b, const char *s) {
    size_t n = strlen(s);
    if (b->len + n + 1 > b->cap) {
        size_t nc = (b->len + n + 1) * 2;
        char *nb = realloc(b->buf, nc);
        if (!nb) return;
        b->buf = nb;
        b->cap = nc;
    }
    memcpy(b->buf + b->len, s, n + 1);
    b->len += n;
}

/* "a, b, c" / "?, ?, ?" / "a = ?, b = ?" over the fields (skip identity columns when for_update). */
static void sb_fields(sb_t *b, const of_rtfield_t *f, size_t n, int mode, int for_update) {
    int first = 1;
    for (size_t i = 0; i < n; i++) {
        if (for_update && is_identity(f[i].name)) continue;
        if (!first) sb_add(b, ", ");
        first = 0;
        if (mode == 0)
            sb_add(b, f[i].name);
        else if (mode == 1)
            sb_add(b, "?");
        else {
            sb_add(b, f[i].name);
            sb_add(b, " = ?");
        }
    }
}

of_tradestore_t *of_tradestore_new(of_db_t *db) {
    of_tradestore_t *ts = calloc(1, sizeof *ts);
    if (!ts) return NULL;
    ts->db = db;
    size_t nt, no;
    const of_rtfield_t *tf = of_rawtrade_fields(0, &nt), *of = of_rawtrade_fields(1, &no);
    sb_t b[6] = {{0}};
    sb_add(&b[0], "SELECT rec_id, deliver_trade_id, ");
    sb_fields(&b[0], tf, nt, 0, 0);
    sb_add(&b[0], " FROM api_trade WHERE platform_id = ? AND tid = ? FOR UPDATE");
    sb_add(&b[1], "INSERT INTO api_trade (shop_id, last_event_id, ");
    sb_fields(&b[1], tf, nt, 0, 0);
    sb_add(&b[1], ") VALUES (?, ?, ");
    sb_fields(&b[1], tf, nt, 1, 0);
    sb_add(&b[1], ")");
    sb_add(&b[2], "UPDATE api_trade SET ");
    sb_fields(&b[2], tf, nt, 2, 1);
    sb_add(&b[2], ", modify_flag = modify_flag | ?, version = version + 1, last_event_id = ? WHERE rec_id = ?");
    sb_add(&b[3], "SELECT rec_id, ");
    sb_fields(&b[3], of, no, 0, 0);
    sb_add(&b[3], " FROM api_trade_order WHERE api_trade_id = ? ORDER BY rec_id");
    sb_add(&b[4], "INSERT INTO api_trade_order (api_trade_id, platform_id, shop_id, tid, modify_flag, ");
    sb_fields(&b[4], of, no, 0, 0);
    sb_add(&b[4], ") VALUES (?, ?, ?, ?, ?, ");
    sb_fields(&b[4], of, no, 1, 0);
    sb_add(&b[4], ")");
    sb_add(&b[5], "UPDATE api_trade_order SET ");
    sb_fields(&b[5], of, no, 2, 0);
    sb_add(&b[5], ", modify_flag = modify_flag | ? WHERE rec_id = ?");
    int *ids[6] = {&ts->st_sel, &ts->st_ins, &ts->st_upd, &ts->st_sel_o, &ts->st_ins_o, &ts->st_upd_o};
    for (int i = 0; i < 6; i++) {
        if (!b[i].buf) {
            of_tradestore_destroy(ts);
            return NULL;
        }
        ts->sql[i] = b[i].buf;
        *ids[i] = of_db_register(db, ts->sql[i]);
    }
    return ts;
}

void of_tradestore_destroy(of_tradestore_t *ts) {
    if (!ts) return;
    for (int i = 0; i < 6; i++)
        free(ts->sql[i]);
    free(ts);
}

/* Parameters of the fields of msg, in table order; returns the count. */
static int field_params(const void *msg, const of_rtfield_t *f, size_t n, int for_update, of_param_t *out) {
    const char *base = msg;
    int k = 0;
    for (size_t i = 0; i < n; i++) {
        if (for_update && is_identity(f[i].name)) continue;
        const void *v = base + f[i].off;
        switch (f[i].kind) {
        case OF_RTF_STR:
            out[k++] = OFP_S(*(char *const *)v);
            break;
        case OF_RTF_TIME: {
            const char *s = *(char *const *)v;
            out[k++] = (s && *s) ? OFP_S(s) : OFP_NUL;
            break;
        }
        case OF_RTF_INT:
            out[k++] = OFP_I(*(const int32_t *)v);
            break;
        case OF_RTF_UINT:
            out[k++] = OFP_U(*(const uint32_t *)v);
            break;
        case OF_RTF_MONEY:
            out[k++] = OFP_M(*(const int64_t *)v);
            break;
        }
    }
    return k;
}

/* Fill msg's fields from a row, starting at column col0. Strings are malloc'd. */
static of_err_t fields_from_row(void *msg, const of_rtfield_t *f, size_t n, const of_rows_t *rows, int r, int col0) {
    char *base = msg;
    for (size_t i = 0; i < n; i++) {
        const char *s = of_rows_str(rows, r, col0 + (int)i);
        void *v = base + f[i].off;
        switch (f[i].kind) {
        case OF_RTF_STR:
        case OF_RTF_TIME: {
            char *c = strdup(s ? s : "");
            if (!c) return OF_ERR_NOMEM;
            *(char **)v = c;
            break;
        }
        case OF_RTF_INT:
            *(int32_t *)v = s ? (int32_t)strtol(s, NULL, 10) : 0;
            break;
        case OF_RTF_UINT:
            *(uint32_t *)v = s ? (uint32_t)strtoul(s, NULL, 10) : 0;
            break;
        case OF_RTF_MONEY: {
            int64_t m = 0;
            if (s && of_money_parse(s, &m)) return OF_ERR_DB;
            *(int64_t *)v = m;
            break;
        }
        }
    }
    return OF_OK;
}

static void free_loaded(Orderfleet__RawSubOrder **os, int n) {
    for (int i = 0; i < n; i++)
        if (os[i]) protobuf_c_message_free_unpacked(&os[i]->base, NULL);
    free(os);
}

static of_err_t insert_order(of_tradestore_t *ts, uint64_t trade_id, const Orderfleet__RawTrade *t, uint32_t shop_id,
                             const Orderfleet__RawSubOrder *o, uint32_t flag, char *errstr, size_t size) {
    size_t no;
    const of_rtfield_t *of = of_rawtrade_fields(1, &no);
    of_param_t p[64];
    p[0] = OFP_U(trade_id);
    p[1] = OFP_I(t->platform_id);
    p[2] = OFP_U(shop_id);
    p[3] = OFP_S(t->tid);
    p[4] = OFP_U(flag);
    int k = 5 + field_params(o, of, no, 0, p + 5);
    return of_db_exec(ts->db, ts->st_ins_o, p, k, NULL, NULL, errstr, size);
}

void of_tradestore_change_clear(Orderfleet__TradeChange *chg) {
    for (size_t i = 0; i < chg->n_orders; i++)
        free(chg->orders[i]);
    free(chg->orders);
    chg->orders = NULL;
    chg->n_orders = 0;
}

static of_err_t add_change(Orderfleet__TradeChange *chg, const char *oid, uint32_t flag, int added) {
    Orderfleet__SubOrderChange **n = realloc(chg->orders, sizeof *n * (chg->n_orders + 1));
    if (!n) return OF_ERR_NOMEM;
    chg->orders = n;
    Orderfleet__SubOrderChange *c = malloc(sizeof *c);
    if (!c) return OF_ERR_NOMEM;
    orderfleet__sub_order_change__init(c);
    c->oid = (char *)oid; /* borrowed from the incoming trade */
    c->modify_flag = flag;
    c->added = added;
    chg->orders[chg->n_orders++] = c;
    return OF_OK;
}

of_err_t of_tradestore_apply(of_tradestore_t *ts, const Orderfleet__RawTrade *t, uint32_t shop_id, const char *event_id,
                             of_ts_outcome_t *outcomep, Orderfleet__TradeChange *chg, char *errstr, size_t size) {
    size_t nt, no;
    const of_rtfield_t *tf = of_rawtrade_fields(0, &nt), *of = of_rawtrade_fields(1, &no);
    of_param_t p[96];
    of_err_t err;
    of_rows_t *rows = NULL;

    p[0] = OFP_I(t->platform_id);
    p[1] = OFP_S(t->tid);
    if ((err = of_db_query(ts->db, ts->st_sel, p, 2, &rows, errstr, size))) return err;

    if (rows->nrows == 0) { /* first version */
        of_rows_free(rows);
        p[0] = OFP_U(shop_id);
        p[1] = OFP_S(event_id);
        int k = 2 + field_params(t, tf, nt, 0, p + 2);
        uint64_t id = 0;
        err = of_db_exec(ts->db, ts->st_ins, p, k, NULL, &id, errstr, size);
        /* Another instance inserted it meanwhile (e.g. the buyer key changed between versions):
         * retry the transaction, which will then see the row and diff against it. */
        if (err == OF_ERR_DUPLICATE) return OF_ERR_TRANSIENT;
        if (err) return err;
        for (size_t i = 0; i < t->n_orders; i++)
            if ((err = insert_order(ts, id, t, shop_id, t->orders[i], 0, errstr, size)))
                return err == OF_ERR_DUPLICATE ? OF_ERR_DB : err;
        chg->api_trade_id = id;
        *outcomep = OF_TS_INSERTED;
        return OF_OK;
    }

    /* a stored version exists: diff, then apply */
    uint64_t id = strtoull(of_rows_str(rows, 0, 0), NULL, 10);
    chg->api_trade_id = id;
    chg->deliver_trade_id = strtoull(of_rows_str(rows, 0, 1), NULL, 10);
    Orderfleet__RawTrade stored = ORDERFLEET__RAW_TRADE__INIT;
    Orderfleet__RawTrade *sp = malloc(sizeof *sp);
    if (!sp) {
        of_rows_free(rows);
        return of_seterr(errstr, size, OF_ERR_NOMEM, "out of memory");
    }
    *sp = stored;
    err = fields_from_row(sp, tf, nt, rows, 0, 2);
    of_rows_free(rows);
    if (err) {
        of_rawtrade_free(sp);
        return of_seterr(errstr, size, err, "api_trade %llu: unreadable stored row", (unsigned long long)id);
    }
    if (of_modflag_is_stale(sp->modified, t->modified)) {
        of_rawtrade_free(sp);
        *outcomep = OF_TS_STALE;
        return OF_OK;
    }
    uint32_t tflag = of_modflag_trade(sp, t);
    of_rawtrade_free(sp);

    /* sub-orders */
    p[0] = OFP_U(id);
    if ((err = of_db_query(ts->db, ts->st_sel_o, p, 1, &rows, errstr, size))) return err;
    int ns = rows->nrows;
    Orderfleet__RawSubOrder **so = calloc((size_t)ns + 1, sizeof *so);
    uint64_t *so_id = calloc((size_t)ns + 1, sizeof *so_id);
    if (!so || !so_id) err = of_seterr(errstr, size, OF_ERR_NOMEM, "out of memory");
    for (int r = 0; !err && r < ns; r++) {
        so[r] = malloc(sizeof **so);
        if (!so[r]) {
            err = OF_ERR_NOMEM;
            break;
        }
        orderfleet__raw_sub_order__init(so[r]);
        so_id[r] = strtoull(of_rows_str(rows, r, 0), NULL, 10);
        err = fields_from_row(so[r], of, no, rows, r, 1);
    }
    of_rows_free(rows);
    int any_order = 0;
    for (size_t i = 0; !err && i < t->n_orders; i++) {
        const Orderfleet__RawSubOrder *o = t->orders[i];
        int match = -1;
        for (int r = 0; r < ns; r++)
            if (!strcmp(so[r]->oid, o->oid)) {
                match = r;
                break;
            }
        if (match < 0) { /* D-MF-1: a sub-order new to a stored trade counts as a goods change */
            err = insert_order(ts, id, t, shop_id, o, OF_MFO_ADDED, errstr, size);
            if (!err) err = add_change(chg, o->oid, OF_MFO_ADDED, 1);
            any_order = 1;
            continue;
        }
        uint32_t of_bits = of_modflag_order(so[match], o);
        int k = field_params(o, of, no, 0, p);
        p[k++] = OFP_U(of_bits);
        p[k++] = OFP_U(so_id[match]);
        err = of_db_exec(ts->db, ts->st_upd_o, p, k, NULL, NULL, errstr, size);
        if (!err && of_bits) {
            err = add_change(chg, o->oid, of_bits, 0);
            any_order = 1;
        }
    }
    if (so) free_loaded(so, ns);
    free(so_id);
    if (err) {
        if (err == OF_ERR_NOMEM) of_seterr(errstr, size, err, "out of memory");
        return err;
    }
    int k = field_params(t, tf, nt, 1, p);
    p[k++] = OFP_U(tflag);
    p[k++] = OFP_S(event_id);
    p[k++] = OFP_U(id);
    if ((err = of_db_exec(ts->db, ts->st_upd, p, k, NULL, NULL, errstr, size))) return err;
    chg->modify_flag = tflag;
    *outcomep = (tflag || any_order) ? OF_TS_CHANGED : OF_TS_UNCHANGED;
    return OF_OK;
}
