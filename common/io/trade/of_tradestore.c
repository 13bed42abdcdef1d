/* of_tradestore.c -- SQL for api_trade / api_trade_order, derived from the raw-trade field table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "of_modflag.h"
#include "of_money.h"
#include "of_rawtrade.h"
#include "of_tradestore.h"
#include "of_wset.h"

/* Columns of the trade not rewritten by an update (identity of the row). */
static int is_identity(const char *c) {
    return !strcmp(c, "platform_id") || !strcmp(c, "tid") || !strcmp(c, "shop_no");
}

/* The batch's statements (issue 10, D-T10-50): one read of the stored versions (locked), one of their sub-orders,
 * one multi-row insert per table for first versions; changed versions update row by row (a change, not the common
 * path). */
enum { W_TRADE, W_ORDER, W__COUNT };
struct of_tradestore_s {
    of_db_t *db;
    char *sql[12];
    int st_upd, st_upd_o, st_reset, st_reset_o;
    of_db_multi_t m_sel, m_sel_o;
    of_wtable_t tables[W__COUNT];
    of_wset_t *w;
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

/* A stopped raw trade submitted again (OP-10): its exception bits and invalid-goods marks go, the submission sets
 * again those that still hold. */
static const char SQL_RESET[] = "UPDATE api_trade SET bad_reason = 0 WHERE rec_id = ?";
static const char SQL_RESET_O[] = "UPDATE api_trade_order SET is_invalid_goods = 0 WHERE api_trade_id = ?";
/* The columns of a stored version before its fields (of_tradestore_new, sql[0]). */
enum { C_KEY, C_REC_ID, C_DELIVER, C_PROCESS, C_RULE, C_FIELDS };

of_tradestore_t *of_tradestore_new(of_db_t *db) {
    of_tradestore_t *ts = calloc(1, sizeof *ts);
    if (!ts) return NULL;
    ts->db = db;
    size_t nt, no;
    const of_rtfield_t *tf = of_rawtrade_fields(0, &nt), *of = of_rawtrade_fields(1, &no);
    sb_t b[12] = {{0}};
    /* 0-2: the stored versions of the batch's trades, locked; v.k names the asking item */
    sb_add(&b[0], "SELECT v.k, a.rec_id, a.deliver_trade_id, a.process_status, a.submit_rule, ");
    for (size_t i = 0; i < nt; i++) {
        sb_add(&b[0], i ? ", a." : "a.");
        sb_add(&b[0], tf[i].name);
    }
    sb_add(&b[0], " FROM (");
    sb_add(&b[1], "SELECT ? AS k, ? AS p, ? AS t");
    sb_add(&b[2], ") v JOIN api_trade a ON a.platform_id = v.p AND a.tid = v.t FOR UPDATE");
    /* 3-4: their sub-orders */
    sb_add(&b[3], "SELECT api_trade_id, rec_id, ");
    sb_fields(&b[3], of, no, 0, 0);
    sb_add(&b[3], " FROM api_trade_order WHERE api_trade_id IN (");
    sb_add(&b[4], ") ORDER BY api_trade_id, rec_id");
    /* 5-6: first versions */
    sb_add(&b[5], "INSERT INTO api_trade (shop_id, last_event_id, ");
    sb_fields(&b[5], tf, nt, 0, 0);
    sb_add(&b[5], ") VALUES ");
    sb_add(&b[6], "(?, ?, ");
    sb_fields(&b[6], tf, nt, 1, 0);
    sb_add(&b[6], ")");
    /* 7-8: sub-orders of first versions, and sub-orders new to a stored version */
    sb_add(&b[7], "INSERT INTO api_trade_order (api_trade_id, platform_id, shop_id, tid, modify_flag, ");
    sb_fields(&b[7], of, no, 0, 0);
    sb_add(&b[7], ") VALUES ");
    sb_add(&b[8], "(?, ?, ?, ?, ?, ");
    sb_fields(&b[8], of, no, 1, 0);
    sb_add(&b[8], ")");
    /* 9-10: changed versions */
    sb_add(&b[9], "UPDATE api_trade SET ");
    sb_fields(&b[9], tf, nt, 2, 1);
    sb_add(&b[9], ", modify_flag = modify_flag | ?, version = version + 1, last_event_id = ? WHERE rec_id = ?");
    sb_add(&b[10], "UPDATE api_trade_order SET ");
    sb_fields(&b[10], of, no, 2, 0);
    sb_add(&b[10], ", modify_flag = modify_flag | ? WHERE rec_id = ?");
    sb_add(&b[11], "?");
    for (int i = 0; i < 12; i++) {
        if (!b[i].buf) {
            for (int j = 0; j < 12; j++)
                free(b[j].buf);
            free(ts);
            return NULL;
        }
        ts->sql[i] = b[i].buf;
    }
    ts->tables[W_TRADE] = (of_wtable_t){"api_trade", ts->sql[5], ts->sql[6], NULL, NULL, 1, 0, 0};
    ts->tables[W_ORDER] = (of_wtable_t){"api_trade_order", ts->sql[7], ts->sql[8], NULL, NULL, 1, 0, 0};
    ts->st_upd = of_db_register(db, ts->sql[9]);
    ts->st_upd_o = of_db_register(db, ts->sql[10]);
    ts->st_reset = of_db_register(db, SQL_RESET);
    ts->st_reset_o = of_db_register(db, SQL_RESET_O);
    if (ts->st_upd < 0 || ts->st_upd_o < 0 || ts->st_reset < 0 || ts->st_reset_o < 0 ||
        of_db_register_multi_sep(db, ts->sql[0], ts->sql[1], " UNION ALL ", ts->sql[2], &ts->m_sel) ||
        of_db_register_multi(db, ts->sql[3], ts->sql[11], ts->sql[4], &ts->m_sel_o) ||
        !(ts->w = of_wset_new(db, ts->tables, W__COUNT))) {
        of_tradestore_destroy(ts);
        return NULL;
    }
    return ts;
}

void of_tradestore_destroy(of_tradestore_t *ts) {
    if (!ts) return;
    of_wset_free(ts->w);
    for (int i = 0; i < 12; i++)
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

static void change_clear(Orderfleet__TradeChange *chg) {
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

/* The row of W_ORDER for sub-order o (api_trade_id: a reference to the trade's row, or the stored id). */
static int add_order_row(of_tradestore_t *ts, of_param_t trade, const Orderfleet__RawTrade *t, uint32_t shop_id,
                         const Orderfleet__RawSubOrder *o, uint32_t flag) {
    size_t no;
    const of_rtfield_t *of = of_rawtrade_fields(1, &no);
    of_param_t p[64];
    p[0] = trade;
    p[1] = OFP_I(t->platform_id);
    p[2] = OFP_U(shop_id);
    p[3] = OFP_S(t->tid);
    p[4] = OFP_U(flag);
    field_params(o, of, no, 0, p + 5);
    return of_wset_add(ts->w, W_ORDER, p);
}

/* A stored version against its new one: raise the bits, update the rows (row by row: a change, not the common
 * path), note the changes in it->chg. rows/r0..r1: the stored sub-orders (columns: api_trade_id, rec_id, fields). */
static of_err_t apply_change(of_tradestore_t *ts, of_ts_item_t *it, Orderfleet__RawTrade *stored, const of_rows_t *rows,
                             int r0, int r1, char *errstr, size_t size) {
    const Orderfleet__RawTrade *t = it->t;
    size_t nt, no;
    const of_rtfield_t *tf = of_rawtrade_fields(0, &nt), *of = of_rawtrade_fields(1, &no);
    of_param_t p[96];
    of_err_t err = OF_OK;
    uint32_t tflag = of_modflag_trade(stored, t);
    int ns = r1 - r0;
    Orderfleet__RawSubOrder **so = calloc((size_t)ns + 1, sizeof *so);
    if (!so) return of_seterr(errstr, size, OF_ERR_NOMEM, "out of memory");
    for (int r = 0; !err && r < ns; r++) {
        so[r] = malloc(sizeof **so);
        if (!so[r]) {
            err = OF_ERR_NOMEM;
            break;
        }
        orderfleet__raw_sub_order__init(so[r]);
        err = fields_from_row(so[r], of, no, rows, r0 + r, 2);
    }
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
            if (add_order_row(ts, OFP_U(it->raw_id), t, it->shop_id, o, OF_MFO_ADDED) < 0) err = OF_ERR_NOMEM;
            if (!err) err = add_change(&it->chg, o->oid, OF_MFO_ADDED, 1);
            any_order = 1;
            continue;
        }
        uint32_t of_bits = of_modflag_order(so[match], o);
        int k = field_params(o, of, no, 0, p);
        p[k++] = OFP_U(of_bits);
        p[k++] = OFP_U(strtoull(of_rows_str(rows, r0 + match, 1), NULL, 10));
        err = of_db_exec(ts->db, ts->st_upd_o, p, k, NULL, NULL, errstr, size);
        if (!err && of_bits) {
            err = add_change(&it->chg, o->oid, of_bits, 0);
            any_order = 1;
        }
    }
    free_loaded(so, ns);
    if (err) {
        if (err == OF_ERR_NOMEM) of_seterr(errstr, size, err, "out of memory");
        return err;
    }
    int k = field_params(t, tf, nt, 1, p);
    p[k++] = OFP_U(tflag);
    p[k++] = OFP_S(it->event_id);
    p[k++] = OFP_U(it->raw_id);
    if ((err = of_db_exec(ts->db, ts->st_upd, p, k, NULL, NULL, errstr, size))) return err;
    it->chg.modify_flag = tflag;
    it->outcome = (tflag || any_order) ? OF_TS_CHANGED : OF_TS_UNCHANGED;
    return OF_OK;
}

void of_tradestore_item_clear(of_ts_item_t *it) {
    change_clear(&it->chg);
    free(it->order_ids);
    it->order_ids = NULL;
    of_rawtrade_free(it->stored);
    it->stored = NULL;
}

/* A resubmit request: the stored version (row r of rows, sub-orders r0..r1 of orows) into it->stored when a rule
 * stopped it, its marks cleared (of_tradestore.h). */
static of_err_t resubmit_item(of_tradestore_t *ts, of_ts_item_t *it, const of_rows_t *rows, int r,
                              const of_rows_t *orows, int r0, int r1, char *errstr, size_t size) {
    size_t nt, no;
    const of_rtfield_t *tf = of_rawtrade_fields(0, &nt), *of = of_rawtrade_fields(1, &no);
    const char *rule = of_rows_str(rows, r, C_RULE);
    it->outcome = OF_TS_NOT_STOPPED;
    if (strtoull(of_rows_str(rows, r, C_DELIVER), NULL, 10) || atoi(of_rows_str(rows, r, C_PROCESS)) != 10 || !rule ||
        !*rule)
        return OF_OK;
    Orderfleet__RawTrade *sp = calloc(1, sizeof *sp);
    if (!sp) return of_seterr(errstr, size, OF_ERR_NOMEM, "out of memory");
    orderfleet__raw_trade__init(sp);
    it->stored = sp;
    int ns = r1 - r0;
    sp->orders = calloc((size_t)ns + 1, sizeof *sp->orders);
    it->order_ids = calloc((size_t)ns + 1, sizeof *it->order_ids);
    if (!sp->orders || !it->order_ids) return of_seterr(errstr, size, OF_ERR_NOMEM, "out of memory");
    of_err_t err = fields_from_row(sp, tf, nt, rows, r, C_FIELDS);
    for (int k = 0; !err && k < ns; k++) {
        Orderfleet__RawSubOrder *o = malloc(sizeof *o);
        if (!o) return of_seterr(errstr, size, OF_ERR_NOMEM, "out of memory");
        orderfleet__raw_sub_order__init(o);
        sp->orders[sp->n_orders++] = o;
        it->order_ids[k] = strtoull(of_rows_str(orows, r0 + k, 1), NULL, 10);
        err = fields_from_row(o, of, no, orows, r0 + k, 2);
    }
    if (err)
        return of_seterr(errstr, size, err, "api_trade %llu: unreadable stored row", (unsigned long long)it->raw_id);
    it->outcome = OF_TS_RESUBMIT;
    of_param_t p = OFP_U(it->raw_id);
    if ((err = of_db_exec(ts->db, ts->st_reset, &p, 1, NULL, NULL, errstr, size))) return err;
    return of_db_exec(ts->db, ts->st_reset_o, &p, 1, NULL, NULL, errstr, size);
}

of_err_t of_tradestore_apply_batch(of_tradestore_t *ts, of_ts_item_t *const *items, size_t n, char *errstr,
                                   size_t size) {
    size_t nt;
    const of_rtfield_t *tf = of_rawtrade_fields(0, &nt);
    of_err_t err = OF_OK;
    of_rows_t *rows = NULL, *orows = NULL;
    int *stored_row = NULL, *trade_row = NULL;
    of_param_t *p = malloc((n * 3 + 1) * sizeof *p);
    stored_row = malloc((n + 1) * sizeof *stored_row);
    trade_row = malloc((n + 1) * sizeof *trade_row);
    if (!p || !stored_row || !trade_row) {
        err = of_seterr(errstr, size, OF_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        of_tradestore_item_clear(items[i]);
        orderfleet__trade_change__init(&items[i]->chg);
        items[i]->raw_id = 0;
        stored_row[i] = trade_row[i] = -1;
        p[i * 3] = OFP_U(i);
        p[i * 3 + 1] = OFP_I(items[i]->t->platform_id);
        p[i * 3 + 2] = OFP_S(items[i]->t->tid);
    }
    /* 1. the stored versions, locked (two instances serialise on one trade) */
    if ((err = of_db_query_multi(ts->db, &ts->m_sel, p, (int)n, &rows, errstr, size))) goto out;
    int nstored = 0;
    for (int r = 0; r < rows->nrows; r++) {
        uint64_t k = strtoull(of_rows_str(rows, r, 0), NULL, 10);
        if (k < n && stored_row[k] < 0) {
            stored_row[k] = r;
            items[k]->raw_id = strtoull(of_rows_str(rows, r, 1), NULL, 10);
            for (int j = 0; j < nstored; j++)
                if (p[j].u == items[k]->raw_id) { /* two keys that are one trade to the columns' collation */
                    err = of_seterr(errstr, size, OF_ERR_TRANSIENT,
                                    "api_trade %llu: two versions in one segment (tid %s); retrying one by one",
                                    (unsigned long long)items[k]->raw_id, items[k]->t->tid);
                    goto out;
                }
            p[nstored++] = OFP_U(items[k]->raw_id);
        }
    }
    /* 2. their sub-orders, one read */
    if (nstored && (err = of_db_query_multi(ts->db, &ts->m_sel_o, p, nstored, &orows, errstr, size))) goto out;
    /* 3. first versions: buffered; stored versions: compared and updated */
    of_wset_reset(ts->w);
    for (size_t i = 0; i < n && !err; i++) {
        of_ts_item_t *it = items[i];
        const Orderfleet__RawTrade *t = it->t;
        if (it->resubmit && stored_row[i] < 0) {
            it->outcome = OF_TS_NOT_STOPPED;
            continue;
        }
        if (stored_row[i] < 0) {
            of_param_t q[96];
            q[0] = OFP_U(it->shop_id);
            q[1] = OFP_S(it->event_id);
            field_params(t, tf, nt, 0, q + 2);
            trade_row[i] = of_wset_add(ts->w, W_TRADE, q);
            for (size_t j = 0; trade_row[i] >= 0 && j < t->n_orders; j++)
                if (add_order_row(ts, OFP_REF(W_TRADE, trade_row[i]), t, it->shop_id, t->orders[j], 0) < 0)
                    trade_row[i] = -1;
            if (trade_row[i] < 0) err = of_seterr(errstr, size, OF_ERR_NOMEM, "out of memory");
            it->outcome = OF_TS_INSERTED;
            continue;
        }
        int r0 = 0, r1;
        while (r0 < orows->nrows && strtoull(of_rows_str(orows, r0, 0), NULL, 10) != it->raw_id)
            r0++;
        for (r1 = r0; r1 < orows->nrows && strtoull(of_rows_str(orows, r1, 0), NULL, 10) == it->raw_id; r1++)
            ;
        if (it->resubmit) {
            err = resubmit_item(ts, it, rows, stored_row[i], orows, r0, r1, errstr, size);
            continue;
        }
        it->chg.api_trade_id = it->raw_id;
        it->chg.deliver_trade_id = strtoull(of_rows_str(rows, stored_row[i], C_DELIVER), NULL, 10);
        Orderfleet__RawTrade *sp = malloc(sizeof *sp);
        if (!sp) {
            err = of_seterr(errstr, size, OF_ERR_NOMEM, "out of memory");
            break;
        }
        orderfleet__raw_trade__init(sp);
        if ((err = fields_from_row(sp, tf, nt, rows, stored_row[i], C_FIELDS))) {
            of_rawtrade_free(sp);
            err = of_seterr(errstr, size, err, "api_trade %llu: unreadable stored row", (unsigned long long)it->raw_id);
            break;
        }
        if (of_modflag_is_stale(sp->modified, t->modified)) {
            it->outcome = OF_TS_STALE;
        } else {
            err = apply_change(ts, it, sp, orows, r0, r1, errstr, size);
        }
        of_rawtrade_free(sp);
    }
    if (err) goto out;
    /* 4. one multi-row insert per table; the ids of first versions and of their sub-orders */
    err = of_wset_flush(ts->w, errstr, size);
    /* Another instance inserted one of them meanwhile (e.g. the buyer key changed between versions): retry the
     * transaction, which will then see the row and diff against it. */
    if (err == OF_ERR_DUPLICATE) err = of_wset_failed(ts->w) == W_TRADE ? OF_ERR_TRANSIENT : OF_ERR_DB;
    if (err) goto out;
    int orow = 0;
    for (size_t i = 0; i < n; i++) {
        of_ts_item_t *it = items[i];
        if (trade_row[i] < 0) { /* sub-orders new to stored versions were buffered in item order too */
            for (size_t c = 0; c < it->chg.n_orders; c++)
                orow += it->chg.orders[c]->added;
            continue;
        }
        it->raw_id = of_wset_id(ts->w, W_TRADE, trade_row[i]);
        it->chg.api_trade_id = it->raw_id;
        it->order_ids = calloc(it->t->n_orders + 1, sizeof *it->order_ids);
        if (!it->order_ids) {
            err = of_seterr(errstr, size, OF_ERR_NOMEM, "out of memory");
            goto out;
        }
        for (size_t j = 0; j < it->t->n_orders; j++)
            it->order_ids[j] = of_wset_id(ts->w, W_ORDER, orow++);
    }
out:
    of_rows_free(rows);
    of_rows_free(orows);
    free(p);
    free(stored_row);
    free(trade_row);
    return err;
}
