/* of_wiload.c -- what-if's reads and its throw-away configuration (of_wiload.h). */
#include "of_wiload.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "of_catload.h"
#include "of_money.h"

/* the window, by the platform's trade time or by arrival */
#define WINDOW(col) " WHERE " col " >= CAST(? AS DATETIME) AND " col " < CAST(? AS DATETIME)"
static const char *const SQL_BATCH[2] = {
    "SELECT " OF_RAWROWS_TRADE_COLS " FROM api_trade" WINDOW("trade_time") " AND rec_id > ? ORDER BY rec_id LIMIT ?",
    "SELECT " OF_RAWROWS_TRADE_COLS " FROM api_trade" WINDOW("created_at") " AND rec_id > ? ORDER BY rec_id LIMIT ?"};
static const char *const SQL_COUNT[2] = {
    "SELECT COUNT(*), IFNULL(SUM(deliver_trade_id <> 0), 0) FROM api_trade" WINDOW("trade_time"),
    "SELECT COUNT(*), IFNULL(SUM(deliver_trade_id <> 0), 0) FROM api_trade" WINDOW("created_at")};
static const char *const SQL_ORDERS[2] = {
    "SELECT deliver_trade_id FROM api_trade" WINDOW("trade_time") " AND deliver_trade_id <> 0",
    "SELECT deliver_trade_id FROM api_trade" WINDOW("created_at") " AND deliver_trade_id <> 0"};
/* what the window's orders hold (stock_reserved 1 unpay, 2 order, 3 subscribe: of_res_t) */
static const char *const SQL_HELD[2] = {
    "SELECT o.reserved_warehouse_id, o.spec_id, o.stock_reserved, SUM(o.reserved_num) FROM api_trade a JOIN "
    "sales_trade_order o ON o.trade_id = a.deliver_trade_id WHERE a.trade_time >= CAST(? AS DATETIME) AND "
    "a.trade_time < CAST(? AS DATETIME) AND a.deliver_trade_id <> 0 AND o.stock_reserved <> 0 GROUP BY 1, 2, 3",
    "SELECT o.reserved_warehouse_id, o.spec_id, o.stock_reserved, SUM(o.reserved_num) FROM api_trade a JOIN "
    "sales_trade_order o ON o.trade_id = a.deliver_trade_id WHERE a.created_at >= CAST(? AS DATETIME) AND "
    "a.created_at < CAST(? AS DATETIME) AND a.deliver_trade_id <> 0 AND o.stock_reserved <> 0 GROUP BY 1, 2, 3"};
static const char SQL_STOCK[] = "SELECT " OF_SUBSTORE_STOCK_COLS " FROM stock_spec";

struct of_wiload_s {
    of_db_t *db;
    of_substore_t *ss;
    int st_batch, st_count, st_orders, st_held, st_stock;
    of_db_multi_t rd_rawo, rd_stored;
    char since[32], until[32];
    size_t batch;
    uint64_t last;           /* the last rec_id read */
    uint64_t *window_orders; /* sorted */
    size_t nwindow_orders;
    /* the current batch */
    of_rows_t *rows_t, *rows_o;
    Orderfleet__RawTrade *t;
    Orderfleet__RawSubOrder *o, **op;
    of_rawmeta_t *meta;
    of_subjob_t *jobs, **jobp;
    of_sublookup_t *look;
    of_wi_trade_t *trades;
    size_t n;
};

static of_err_t nomem(char *err, size_t size) {
    return of_seterr(err, size, OF_ERR_NOMEM, "out of memory");
}

of_wiload_t *of_wiload_new(of_db_t *db, const of_config_t *cfg, const char *since, const char *until, int received,
                           size_t batch) {
    of_wiload_t *wl = calloc(1, sizeof *wl);
    if (!wl) return NULL;
    wl->db = db;
    wl->batch = batch ? batch : 1000;
    snprintf(wl->since, sizeof wl->since, "%s", since && *since ? since : "1000-01-01 00:00:00");
    snprintf(wl->until, sizeof wl->until, "%s", until && *until ? until : "9999-12-31 23:59:59");
    received = received ? 1 : 0;
    int bad = !(wl->ss = of_substore_new(db, cfg)) || (wl->st_batch = of_db_register(db, SQL_BATCH[received])) < 0 ||
              (wl->st_count = of_db_register(db, SQL_COUNT[received])) < 0 ||
              (wl->st_orders = of_db_register(db, SQL_ORDERS[received])) < 0 ||
              (wl->st_held = of_db_register(db, SQL_HELD[received])) < 0 ||
              (wl->st_stock = of_db_register(db, SQL_STOCK)) < 0;
    bad = bad ||
          of_db_register_multi_sep(db, "SELECT " OF_RAWROWS_ORDER_COLS " FROM api_trade_order WHERE api_trade_id IN (",
                                   "?", ", ", ") ORDER BY api_trade_id, rec_id", &wl->rd_rawo) != 0;
    bad = bad || of_db_register_multi_sep(db,
                                          "SELECT trade_id, warehouse_id, logistics_id, package_id, post_cost, "
                                          "trade_status, preorder_by FROM sales_trade WHERE trade_id IN (",
                                          "?", ", ", ")", &wl->rd_stored) != 0;
    if (bad) {
        of_wiload_destroy(wl);
        return NULL;
    }
    return wl;
}

static void batch_free(of_wiload_t *wl) {
    for (size_t i = 0; wl->look && i < wl->n; i++)
        free(wl->look[i].sibs);
    of_rows_free(wl->rows_t);
    of_rows_free(wl->rows_o);
    free(wl->t);
    free(wl->o);
    free(wl->op);
    free(wl->meta);
    free(wl->jobs);
    free(wl->jobp);
    free(wl->look);
    free(wl->trades);
    wl->rows_t = wl->rows_o = NULL;
    wl->t = NULL;
    wl->o = NULL;
    wl->op = NULL;
    wl->meta = NULL;
    wl->jobs = NULL;
    wl->jobp = NULL;
    wl->look = NULL;
    wl->trades = NULL;
    wl->n = 0;
}

void of_wiload_destroy(of_wiload_t *wl) {
    if (!wl) return;
    batch_free(wl);
    of_substore_destroy(wl->ss);
    free(wl->window_orders);
    free(wl);
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

of_err_t of_wiload_begin(of_wiload_t *wl, size_t *ntrades, char *err, size_t size) {
    of_param_t p[] = {OFP_S(wl->since), OFP_S(wl->until)};
    of_rows_t *rows;
    of_err_t e = of_db_query(wl->db, wl->st_count, p, 2, &rows, err, size);
    if (e) return e;
    *ntrades = rows->nrows ? (size_t)of_rows_i64(rows, 0, 0) : 0;
    of_rows_free(rows);
    if ((e = of_db_query(wl->db, wl->st_orders, p, 2, &rows, err, size))) return e;
    free(wl->window_orders);
    wl->nwindow_orders = 0;
    if (!(wl->window_orders = malloc(((size_t)rows->nrows + 1) * sizeof *wl->window_orders))) {
        of_rows_free(rows);
        return nomem(err, size);
    }
    for (int r = 0; r < rows->nrows; r++)
        wl->window_orders[wl->nwindow_orders++] = (uint64_t)of_rows_i64(rows, r, 0);
    of_rows_free(rows);
    qsort(wl->window_orders, wl->nwindow_orders, sizeof *wl->window_orders, cmp_u64);
    wl->last = 0;
    return OF_OK;
}

of_err_t of_wiload_stock(of_wiload_t *wl, of_stockview_t *out, char *err, size_t size) {
    of_rows_t *rows;
    of_err_t e = of_db_query(wl->db, wl->st_stock, NULL, 0, &rows, err, size);
    if (e) return e;
    for (int r = 0; r < rows->nrows && !e; r++) {
        of_stock_row_t row;
        of_substore_stock_row(rows, r, &row);
        if (of_stock_put(out, &row)) e = nomem(err, size);
    }
    of_rows_free(rows);
    if (e) return e;
    of_param_t p[] = {OFP_S(wl->since), OFP_S(wl->until)};
    if ((e = of_db_query(wl->db, wl->st_held, p, 2, &rows, err, size))) return e;
    for (int r = 0; r < rows->nrows && !e; r++)
        if (of_stock_add(out, (uint64_t)of_rows_i64(rows, r, 0), (uint64_t)of_rows_i64(rows, r, 1),
                         (of_res_t)of_rows_i64(rows, r, 2), -(int)of_rows_i64(rows, r, 3)))
            e = nomem(err, size);
    of_rows_free(rows);
    return e;
}

static int window_order(const of_wiload_t *wl, uint64_t id) {
    return wl->nwindow_orders && bsearch(&id, wl->window_orders, wl->nwindow_orders, sizeof id, cmp_u64) != NULL;
}

of_err_t of_wiload_next(of_wiload_t *wl, of_wibatch_t *out, char *err, size_t size) {
    batch_free(wl);
    memset(out, 0, sizeof *out);
    of_param_t p[] = {OFP_S(wl->since), OFP_S(wl->until), OFP_U(wl->last), OFP_I((long long)wl->batch)};
    of_err_t e = of_db_query(wl->db, wl->st_batch, p, 4, &wl->rows_t, err, size);
    if (e || !wl->rows_t->nrows) return e;
    size_t n = (size_t)wl->rows_t->nrows;
    wl->t = calloc(n, sizeof *wl->t);
    wl->meta = calloc(n, sizeof *wl->meta);
    wl->jobs = calloc(n, sizeof *wl->jobs);
    wl->jobp = calloc(n, sizeof *wl->jobp);
    wl->look = calloc(n, sizeof *wl->look);
    wl->trades = calloc(n, sizeof *wl->trades);
    of_param_t *ids = calloc(n, sizeof *ids);
    if (!wl->t || !wl->meta || !wl->jobs || !wl->jobp || !wl->look || !wl->trades || !ids) {
        free(ids);
        return nomem(err, size);
    }
    wl->n = n;
    for (size_t i = 0; i < n; i++) {
        of_rawrows_trade(wl->rows_t, (int)i, &wl->t[i], &wl->meta[i]);
        ids[i] = OFP_U(wl->meta[i].rec_id);
    }
    wl->last = wl->meta[n - 1].rec_id;
    e = of_db_query_multi(wl->db, &wl->rd_rawo, ids, (int)n, &wl->rows_o, err, size);
    free(ids);
    if (e) return e;
    size_t no = (size_t)wl->rows_o->nrows;
    wl->o = calloc(no + 1, sizeof *wl->o);
    wl->op = calloc(no + 1, sizeof *wl->op);
    if (!wl->o || !wl->op) return nomem(err, size);
    /* sub-orders come in api_trade_id order, as the trades */
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        wl->t[i].orders = wl->op + k;
        while (k < no && (uint64_t)of_rows_i64(wl->rows_o, (int)k, 0) == wl->meta[i].rec_id) {
            of_rawrows_order(wl->rows_o, (int)k, &wl->o[k], NULL, NULL, NULL);
            wl->op[k] = &wl->o[k];
            k++;
            wl->t[i].n_orders++;
        }
        wl->jobs[i].raw = &wl->t[i];
        wl->jobs[i].raw_id = wl->meta[i].rec_id;
        wl->jobs[i].shop_id = wl->meta[i].shop_id;
        wl->jobp[i] = &wl->jobs[i];
    }
    if ((e = of_substore_lookup(wl->ss, wl->jobp, n, wl->look, err, size))) return e;
    for (size_t i = 0; i < n; i++) {
        of_sublookup_t *l = &wl->look[i];
        size_t kept = 0; /* the window's own orders are made again by the replay */
        for (size_t j = 0; j < l->nsibs; j++)
            if (!window_order(wl, l->sibs[j].trade_id)) l->sibs[kept++] = l->sibs[j];
        l->nsibs = kept;
        wl->trades[i] = (of_wi_trade_t){.raw = &wl->t[i],
                                        .raw_id = wl->meta[i].rec_id,
                                        .shop_id = wl->meta[i].shop_id,
                                        .cust = l->cust,
                                        .known = l->known,
                                        .sibs = l->sibs,
                                        .nsibs = l->nsibs};
    }
    out->n = n;
    out->trades = wl->trades;
    out->meta = wl->meta;
    return OF_OK;
}

of_err_t of_wiload_stored(of_wiload_t *wl, const of_wibatch_t *b, of_wi_dec_t *d, int *stored, char *err, size_t size) {
    of_param_t *ids = calloc(b->n + 1, sizeof *ids);
    if (!ids) return nomem(err, size);
    int k = 0;
    for (size_t i = 0; i < b->n; i++) {
        memset(&d[i], 0, sizeof d[i]);
        const of_rawmeta_t *m = &b->meta[i];
        stored[i] = m->process_status != OF_PS_PENDING || *m->submit_rule;
        d[i].submitted = m->deliver != 0;
        if (!d[i].submitted) snprintf(d[i].stop_rule, sizeof d[i].stop_rule, "%s", m->submit_rule);
        if (m->deliver) ids[k++] = OFP_U(m->deliver);
    }
    of_rows_t *rows = NULL;
    of_err_t e = k ? of_db_query_multi(wl->db, &wl->rd_stored, ids, k, &rows, err, size) : OF_OK;
    free(ids);
    if (e || !rows) return e;
    for (int r = 0; r < rows->nrows; r++) {
        uint64_t id = (uint64_t)of_rows_i64(rows, r, 0);
        for (size_t i = 0; i < b->n; i++) {
            if (b->meta[i].deliver != id) continue;
            d[i].warehouse_id = (uint64_t)of_rows_i64(rows, r, 1);
            d[i].logistics_id = (uint64_t)of_rows_i64(rows, r, 2);
            d[i].package_id = (uint64_t)of_rows_i64(rows, r, 3);
            const char *fee = of_rows_str(rows, r, 4);
            if (of_money_parse(fee ? fee : "0", &d[i].post_cost)) d[i].post_cost = 0;
            d[i].status = (int)of_rows_i64(rows, r, 5);
            const char *pre = of_rows_str(rows, r, 6);
            snprintf(d[i].preorder_by, sizeof d[i].preorder_by, "%s", pre ? pre : "");
        }
    }
    of_rows_free(rows);
    return OF_OK;
}

/* ------------------------------------------------------------------ the changed configuration */
/* The next statement of the SQL text at *pp (quotes, backquotes and comments respected; the ';' is not part of it):
 * [*start, *end). 0 at the end of the text. */
static int next_statement(const char **pp, const char **start, const char **end) {
    const char *p = *pp;
    for (;;) { /* skip blanks, comments and empty statements */
        while (*p && (isspace((unsigned char)*p) || *p == ';'))
            p++;
        if (p[0] == '-' && p[1] == '-' && (!p[2] || isspace((unsigned char)p[2]))) {
            while (*p && *p != '\n')
                p++;
        } else if (*p == '#') {
            while (*p && *p != '\n')
                p++;
        } else if (p[0] == '/' && p[1] == '*') {
            const char *q = strstr(p + 2, "*/");
            p = q ? q + 2 : p + strlen(p);
        } else {
            break;
        }
    }
    if (!*p) return 0;
    *start = p;
    char quote = 0;
    for (; *p; p++) {
        if (quote) {
            if (*p == '\\' && quote != '`' && p[1])
                p++;
            else if (*p == quote)
                quote = 0;
        } else if (*p == '\'' || *p == '"' || *p == '`') {
            quote = *p;
        } else if (*p == ';') {
            break;
        }
    }
    *end = p;
    *pp = *p ? p + 1 : p;
    return 1;
}

static int allowed(const char *s, const char *e) {
    static const char *const OK[] = {"INSERT", "UPDATE", "DELETE", "REPLACE"};
    size_t len = 0;
    while (s + len < e && isalpha((unsigned char)s[len]))
        len++;
    for (size_t i = 0; i < sizeof OK / sizeof OK[0]; i++)
        if (len == strlen(OK[i]) && !strncasecmp(s, OK[i], len)) return 1;
    return 0;
}

of_err_t of_wiload_changes(of_db_t *db2, const char *sql, int *failed_stmt, char *err, size_t size) {
    *failed_stmt = 0;
    /* refuse before anything runs */
    const char *p = sql, *s, *e;
    int k = 0;
    while (next_statement(&p, &s, &e)) {
        k++;
        if (!allowed(s, e)) {
            *failed_stmt = k;
            return of_seterr(err, size, OF_ERR_CONFIG,
                             "statement %d is not INSERT, UPDATE, DELETE or REPLACE (%.60s): only the configuration's "
                             "rows may change",
                             k, s);
        }
    }
    char names[64][64];
    size_t nt = of_catload_tables(names, 64);
    char q[512];
    of_err_t r = OF_OK;
    for (size_t i = 0; i < nt && !r; i++) {
        snprintf(q, sizeof q,
                 "CREATE TEMPORARY TABLE of_whatif_copy LIKE `%s`; INSERT INTO of_whatif_copy SELECT * FROM `%s`; "
                 "ALTER TABLE of_whatif_copy RENAME TO `%s`",
                 names[i], names[i], names[i]);
        r = of_db_plain(db2, q, err, size);
    }
    /* from here on the server refuses every write to a real table in this session (temporary tables stay writable) */
    if (!r) r = of_db_plain(db2, "SET SESSION TRANSACTION READ ONLY", err, size);
    if (r) return r;
    p = sql;
    k = 0;
    while (next_statement(&p, &s, &e)) {
        k++;
        size_t len = (size_t)(e - s);
        char *one = malloc(len + 1);
        if (!one) return nomem(err, size);
        memcpy(one, s, len);
        one[len] = '\0';
        r = of_db_plain(db2, one, err, size);
        free(one);
        if (r) {
            *failed_stmt = k;
            if (of_db_last_errno(db2) == 1792) /* ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION */
                return of_seterr(err, size, OF_ERR_CONFIG,
                                 "statement %d writes a table that is not part of the configuration (only %zu "
                                 "configuration tables may change: cfg_setting, cfg_*, goods_*, api_goods_*, ...)",
                                 k, nt);
            return r;
        }
    }
    return OF_OK;
}
