/* sql_ceiling.c -- the raw-SQL ceiling of the trade-submit benchmark (issue 3): read raw-trade JSON lines and
 * write the same rows per trade as trade-submit does (of_tradestore.c, of_ingest.c, of_substore.c, of_outbox.c),
 * with the same batching (OF_BATCH_SIZE trades per transaction) and prepared statements, but no Kafka, no rules and
 * no per-trade reads: shop, goods, suites, customers and each customer's earlier orders are kept in memory.
 *
 * Fixed decisions instead of the rules: warehouse 1 + hash(receiver_province) % 3 (a stand-in for the coverage
 * area, so that a batch touches as many (warehouse, spec) counters as the worker's); status 20 (paid or cash on
 * delivery, reserves order_num) or 10 (unpaid, reserves unpay_num); 4 log rows per order (the worker averages 4.05); a
 * trade with a line whose spec_no is neither a single spec nor a suite is not submitted (the worker's SUB-MAP-09 on the
 * benchmark data).
 *
 * decision_trace: a JSON blob of --trace-bytes (default 4800, the worker's average sales_trade.decision_trace on the
 * benchmark data, 4.8 kB) in sales_trade, or in api_trade for a trade not submitted, as the worker does.
 *
 * Usage: of-bench-sqlceiling [--connections N] [--mark-sent] [--trace-bytes B] FILE.jsonl
 *   --connections N  N threads, each with its own connection, over a share of the trades (by buyer key, as Kafka
 *                    partitions them); default 1.
 *   --mark-sent      also mark each outbox row sent after the commit, one autocommit UPDATE per order, as the
 *                    worker's outbox flush does (not part of the default ceiling: it is the Kafka side).
 * Configuration: $OF_CONFIG (the stack's stack.env), OF_BATCH_SIZE. Prints one line: trades=… seconds=… tps=… */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "of_config.h"
#include "of_customer.h"
#include "of_db.h"
#include "of_log.h"
#include "of_rawtrade.h"
#include "of_substore.h"
#include "of_topics.h"
#include "order.pb-c.h"

/* ------------------------------------------------------------------ statements (the worker's texts) */
enum {
    S_PROCESSED,
    S_CUST_INS,
    S_PC_INS,
    S_ADDR_INS,
    S_TEL_INS,
    S_ST_INS,
    S_STO_INS,
    S_LOG_INS,
    S_SIB_UPD,
    S_RAW_UPD,
    S_RAWO_UPD,
    S_RAWO_INVALID,
    S_AG_INS,
    S_STOCK_UPS,
    S_STOCK_LOG,
    S_RMK,
    S_OUTBOX,
    S_SENT,
    S__FIXED
};

/* Texts of ingest and outbox; the submission's come from of_substore_sql() (use_worker_texts). */
static const char *SQL[S__FIXED] = {
    [S_PROCESSED] = "INSERT INTO processed_event (consumer, event_id, topic, kpartition, koffset, outcome) VALUES (?, "
                    "?, ?, ?, ?, ?)",
    [S_CUST_INS] = NULL,  /* the worker's text: of_substore_sql(OF_SS_CUST_INS) */
    [S_PC_INS] = NULL,    /* the worker's text: of_substore_sql(OF_SS_PC_INS) */
    [S_ADDR_INS] = NULL,  /* the worker's text: of_substore_sql(OF_SS_ADDR_INS) */
    [S_TEL_INS] = NULL,   /* the worker's text: of_substore_sql(OF_SS_TEL_INS) */
    [S_ST_INS] = NULL,    /* the worker's text: of_substore_sql(OF_SS_ST_INS) */
    [S_STO_INS] = NULL,   /* the worker's text: of_substore_sql(OF_SS_STO_INS) */
    [S_LOG_INS] = NULL,   /* the worker's text: of_substore_sql(OF_SS_LOG_INS) */
    [S_SIB_UPD] = NULL,   /* the worker's text: of_substore_sql(OF_SS_SIB_UPD) */
    [S_RAW_UPD] = NULL,   /* the worker's text: of_substore_sql(OF_SS_RAW_UPD) */
    [S_RAWO_UPD] = NULL,  /* the worker's text: of_substore_sql(OF_SS_RAWO_UPD) */
    [S_AG_INS] = NULL,    /* the worker's text: of_substore_sql(OF_SS_AG_INS) */
    [S_STOCK_UPS] = NULL, /* the worker's text: of_substore_sql(OF_SS_STOCK_UPS) */
    [S_STOCK_LOG] = NULL, /* the worker's text: of_substore_sql(OF_SS_STOCK_LOG) */
    [S_RMK] = NULL,       /* the worker's text: of_substore_sql(OF_SS_RMK) */
    [S_OUTBOX] = "INSERT IGNORE INTO outbox (event_id, topic, msg_key, payload) VALUES (?, ?, ?, ?)",
    [S_SENT] = "UPDATE outbox SET sent_at = NOW(3), attempts = attempts + 1 WHERE id = ?",
};

#define NWAREHOUSES 3 /* sample catalogue: warehouses 1..3 */

/* ------------------------------------------------------------------ catalogue (read once) */
typedef struct {
    char no[OF_RT_MAX_ID + 1];
    uint64_t id, goods_id; /* spec: spec_id, goods_id; suite: suite_id */
    int is_suite;
    size_t part0, nparts; /* suite parts in g_parts */
} goods_t;
typedef struct {
    uint64_t spec_id, goods_id;
    int num;
} part_t;
typedef struct {
    int platform_id;
    char no[OF_RT_MAX_ID + 1];
    uint64_t id;
} shop_t;

static goods_t *g_goods;
static size_t g_ngoods;
static part_t *g_parts;
static size_t g_nparts;
static char (*g_ags)[3 * OF_RT_MAX_ID + 8]; /* platform goods already stored: shop|goods_id|spec_id */
static size_t g_nags;
static shop_t *g_shops;
static size_t g_nshops;
static const of_config_t *g_cfg;
static int g_batch, g_mark_sent;
static char *g_trace; /* the stand-in decision trace */

static const goods_t *find_goods(const char *no) {
    for (size_t i = 0; i < g_ngoods; i++)
        if (!strcmp(g_goods[i].no, no)) return &g_goods[i];
    return NULL;
}
static uint64_t find_shop(int platform_id, const char *no) {
    for (size_t i = 0; i < g_nshops; i++)
        if (g_shops[i].platform_id == platform_id && !strcmp(g_shops[i].no, no)) return g_shops[i].id;
    return 0;
}

static int load_catalogue(of_db_t *db) {
    static const char *q[4] = {"SELECT spec_no, spec_id, goods_id FROM goods_spec",
                               "SELECT s.suite_no, s.suite_id, d.spec_id, d.num, g.goods_id FROM goods_suite s JOIN "
                               "goods_suite_detail d ON d.suite_id = s.suite_id JOIN goods_spec g ON g.spec_id = "
                               "d.spec_id ORDER BY s.suite_id, d.sort_order, d.rec_id",
                               "SELECT platform_id, shop_no, shop_id FROM cfg_shop",
                               "SELECT shop_id, goods_id, spec_id FROM api_goods_spec"};
    char err[512];
    for (int k = 0; k < 4; k++) {
        int st = of_db_register(db, q[k]);
        of_rows_t *r;
        if (st < 0 || of_db_query(db, st, NULL, 0, &r, err, sizeof err)) {
            fprintf(stderr, "of-bench-sqlceiling: catalogue: %s\n", err);
            return -1;
        }
        for (int i = 0; i < r->nrows; i++) {
            if (k == 3) {
                g_ags = realloc(g_ags, (g_nags + 1) * sizeof *g_ags);
                snprintf(g_ags[g_nags++], sizeof *g_ags, "%s|%s|%s", of_rows_str(r, i, 0), of_rows_str(r, i, 1),
                         of_rows_str(r, i, 2));
                continue;
            }
            if (k == 2) {
                g_shops = realloc(g_shops, (g_nshops + 1) * sizeof *g_shops);
                shop_t *s = &g_shops[g_nshops++];
                s->platform_id = (int)of_rows_i64(r, i, 0);
                snprintf(s->no, sizeof s->no, "%s", of_rows_str(r, i, 1));
                s->id = (uint64_t)of_rows_i64(r, i, 2);
                continue;
            }
            goods_t *g = g_ngoods ? &g_goods[g_ngoods - 1] : NULL;
            if (k == 0 || !g || !g->is_suite || strcmp(g->no, of_rows_str(r, i, 0))) {
                g_goods = realloc(g_goods, (g_ngoods + 1) * sizeof *g_goods);
                g = &g_goods[g_ngoods++];
                memset(g, 0, sizeof *g);
                snprintf(g->no, sizeof g->no, "%s", of_rows_str(r, i, 0));
                g->id = (uint64_t)of_rows_i64(r, i, 1);
                g->is_suite = k == 1;
                g->goods_id = k == 0 ? (uint64_t)of_rows_i64(r, i, 2) : 0;
                g->part0 = g_nparts;
            }
            if (k == 1) {
                g_parts = realloc(g_parts, (g_nparts + 1) * sizeof *g_parts);
                g_parts[g_nparts++] =
                    (part_t){(uint64_t)of_rows_i64(r, i, 2), (uint64_t)of_rows_i64(r, i, 4), (int)of_rows_i64(r, i, 3)};
                g->nparts++;
            }
        }
        of_rows_free(r);
    }
    return 0;
}

/* ------------------------------------------------------------------ per-thread state */
typedef struct {
    char key[OF_RT_MAX_NAME * 2 + 16]; /* platform:nick */
    uint64_t customer_id;
    uint64_t *trades; /* the customer's orders so far (siblings) */
    size_t ntrades;
} cust_t;

typedef struct {
    uint64_t wh, spec;
    int d[2]; /* unpay, order */
} delta_t;

typedef struct {
    char key[3 * OF_RT_MAX_ID + 8];
} seen_t;

typedef struct {
    int idx;
    Orderfleet__RawTrade **trades;
    char (*eids)[48];
    size_t n;
    /* in memory instead of reads */
    cust_t *cust;
    size_t ncust, cust_cap;
    size_t *hash; /* open addressing over cust, index + 1 */
    size_t hcap;
    seen_t *seen;
    size_t nseen;
    delta_t *deltas;
    size_t ndeltas;
    uint64_t *outbox_ids;
    size_t nout;
    /* batch */
    size_t b0, b1;
    int attempt;
    of_db_t *db;
    int st[S__FIXED], st_at, st_ato;
    long submitted, statements;
    int failed;
    char err[512];
} worker_t;

static size_t hash_str(const char *s) {
    size_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static cust_t *cust_get(worker_t *w, const char *key, int *created) {
    if (w->ncust * 2 >= w->hcap) {
        size_t nc = w->hcap ? w->hcap * 2 : 4096;
        size_t *nh = calloc(nc, sizeof *nh);
        for (size_t i = 0; i < w->ncust; i++) {
            size_t h = hash_str(w->cust[i].key) & (nc - 1);
            while (nh[h])
                h = (h + 1) & (nc - 1);
            nh[h] = i + 1;
        }
        free(w->hash);
        w->hash = nh;
        w->hcap = nc;
    }
    size_t h = hash_str(key) & (w->hcap - 1);
    while (w->hash[h]) {
        if (!strcmp(w->cust[w->hash[h] - 1].key, key)) {
            *created = 0;
            return &w->cust[w->hash[h] - 1];
        }
        h = (h + 1) & (w->hcap - 1);
    }
    if (w->ncust == w->cust_cap) {
        w->cust_cap = w->cust_cap ? w->cust_cap * 2 : 1024;
        w->cust = realloc(w->cust, w->cust_cap * sizeof *w->cust);
    }
    cust_t *c = &w->cust[w->ncust];
    memset(c, 0, sizeof *c);
    snprintf(c->key, sizeof c->key, "%s", key);
    w->hash[h] = ++w->ncust;
    *created = 1;
    return c;
}

static void add_delta(worker_t *w, uint64_t wh, uint64_t spec, int kind, int n) {
    for (size_t i = 0; i < w->ndeltas; i++)
        if (w->deltas[i].wh == wh && w->deltas[i].spec == spec) {
            w->deltas[i].d[kind] += n;
            return;
        }
    w->deltas = realloc(w->deltas, (w->ndeltas + 1) * sizeof *w->deltas);
    w->deltas[w->ndeltas] = (delta_t){wh, spec, {0, 0}};
    w->deltas[w->ndeltas++].d[kind] = n;
}

static int cmp_delta(const void *a, const void *b) {
    const delta_t *x = a, *y = b;
    if (x->wh != y->wh) return x->wh < y->wh ? -1 : 1;
    return x->spec < y->spec ? -1 : x->spec > y->spec;
}

/* api_trade / api_trade_order INSERT text built from the field table, as of_tradestore.c does. */
static char *fields_sql(int which, const char *head, const char *mid) {
    size_t n;
    const of_rtfield_t *f = of_rawtrade_fields(which, &n);
    size_t cap = 8192, len = 0;
    char *b = malloc(cap);
    len += (size_t)snprintf(b + len, cap - len, "%s", head);
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(b + len, cap - len, "%s%s", i ? ", " : "", f[i].name);
    len += (size_t)snprintf(b + len, cap - len, "%s", mid);
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(b + len, cap - len, "%s?", i ? ", " : "");
    snprintf(b + len, cap - len, ")");
    return b;
}

static int field_params(const void *msg, int which, of_param_t *out) {
    size_t n;
    const of_rtfield_t *f = of_rawtrade_fields(which, &n);
    const char *base = msg;
    int k = 0;
    for (size_t i = 0; i < n; i++) {
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

#define X(stmt, params, aff, id)                                                                                       \
    do {                                                                                                               \
        w->statements++;                                                                                               \
        if ((e = of_db_exec(w->db, w->st[stmt], params, (int)(sizeof params / sizeof params[0]), aff, id, err, size))) \
            return e;                                                                                                  \
    } while (0)

static of_err_t one_trade(worker_t *w, size_t ti, long offset, char *err, size_t size) {
    Orderfleet__RawTrade *t = w->trades[ti];
    const char *eid = w->eids[ti];
    of_err_t e;
    uint64_t shop_id = find_shop(t->platform_id, t->shop_no);
    /* of_ingest.c apply_one: processed_event, then of_tradestore.c: api_trade + its sub-orders */
    of_param_t pe[] = {OFP_S("bench.sqlceiling"), OFP_S(eid), OFP_S("trade.raw"), OFP_I(w->idx), OFP_I(offset),
                       OFP_S("applied")};
    X(S_PROCESSED, pe, NULL, NULL);
    of_param_t p[96];
    p[0] = OFP_U(shop_id);
    p[1] = OFP_S(eid);
    int k = 2 + field_params(t, 0, p + 2);
    uint64_t raw_id = 0;
    w->statements++;
    if ((e = of_db_exec(w->db, w->st_at, p, k, NULL, &raw_id, err, size))) return e;
    for (size_t i = 0; i < t->n_orders; i++) {
        p[0] = OFP_U(raw_id);
        p[1] = OFP_I(t->platform_id);
        p[2] = OFP_U(shop_id);
        p[3] = OFP_S(t->tid);
        p[4] = OFP_U(0);
        k = 5 + field_params(t->orders[i], 1, p + 5);
        w->statements++;
        if ((e = of_db_exec(w->db, w->st_ato, p, k, NULL, NULL, err, size))) return e;
    }
    /* INIT-04: first sight of a platform goods row */
    for (size_t i = 0; i < t->n_orders; i++) {
        const Orderfleet__RawSubOrder *o = t->orders[i];
        seen_t s;
        snprintf(s.key, sizeof s.key, "%llu|%s|%s", (unsigned long long)shop_id, o->goods_id, o->spec_id);
        int found = 0;
        for (size_t j = 0; j < g_nags && !found; j++)
            found = !strcmp(g_ags[j], s.key);
        for (size_t j = 0; j < w->nseen && !found; j++)
            found = !strcmp(w->seen[j].key, s.key);
        if (found) continue;
        w->seen = realloc(w->seen, (w->nseen + 1) * sizeof *w->seen);
        w->seen[w->nseen++] = s;
        const goods_t *g = find_goods(o->spec_no);
        of_param_t a[] = {OFP_I(t->platform_id), OFP_U(shop_id),
                          OFP_S(o->goods_id),    OFP_S(o->spec_id),
                          OFP_S(o->goods_no),    OFP_S(o->spec_no),
                          OFP_S(o->goods_name),  OFP_S(o->spec_name),
                          OFP_S(o->cid),         OFP_I(g ? (g->is_suite ? 2 : 1) : 0),
                          OFP_U(g ? g->id : 0),  OFP_S(g ? g->no : ""),
                          OFP_U(g ? g->id : 0),  OFP_I(g ? (g->is_suite ? 2 : 1) : 0)};
        X(S_AG_INS, a, NULL, NULL);
    }
    /* unknown goods: not submitted (SUB-MAP-09 / -10) */
    int unknown = 0;
    for (size_t i = 0; i < t->n_orders; i++)
        if (!find_goods(t->orders[i]->spec_no)) unknown = 1;
    int paid = t->pay_status == 2 || t->delivery_term == 2;
    int status = unknown ? 0 : paid ? 20 : 10, reserve = paid ? 2 : 1;
    uint64_t tid = 0, cust_id = 0, wh = 1 + hash_str(t->receiver_province) % NWAREHOUSES;
    if (!unknown) {
        char nick[OF_RT_MAX_NAME * 2], key[sizeof((cust_t *)0)->key];
        of_cust_nick(t, nick, sizeof nick);
        snprintf(key, sizeof key, "%d:%s", t->platform_id, nick);
        int created;
        cust_t *c = cust_get(w, key, &created);
        if (created) { /* SUB-CUST-04 */
            of_param_t q[] = {OFP_S(nick),
                              OFP_S(t->receiver_name),
                              OFP_S(t->receiver_mobile),
                              OFP_S(t->receiver_telno),
                              OFP_S(t->receiver_province),
                              OFP_S(t->receiver_city),
                              OFP_S(t->receiver_district),
                              OFP_S(t->receiver_address),
                              OFP_S(t->receiver_zip)};
            X(S_CUST_INS, q, NULL, &c->customer_id);
            of_param_t r[] = {OFP_I(t->platform_id), OFP_S(nick), OFP_U(c->customer_id)};
            X(S_PC_INS, r, NULL, NULL);
        }
        cust_id = c->customer_id;
        of_param_t a[] = {OFP_U(cust_id),          OFP_S(t->receiver_name),     OFP_S(t->receiver_province),
                          OFP_S(t->receiver_city), OFP_S(t->receiver_district), OFP_S(t->receiver_address),
                          OFP_S(t->receiver_zip),  OFP_S(t->receiver_mobile),   OFP_S(t->receiver_telno)};
        X(S_ADDR_INS, a, NULL, NULL);
        const char *nums[2];
        int types[2];
        int np = of_cust_phones(t, nums, types);
        for (int i = 0; i < np; i++) {
            of_param_t q[] = {OFP_U(cust_id), OFP_I(types[i]), OFP_S(nums[i])};
            X(S_TEL_INS, q, NULL, NULL);
        }
        /* sales_trade */
        char trade_no[40];
        snprintf(trade_no, sizeof trade_no, "JY%llu", (unsigned long long)raw_id);
        int goods_count = 0;
        for (size_t i = 0; i < t->n_orders; i++)
            goods_count += t->orders[i]->num;
        of_param_t s[] = {OFP_S(trade_no),
                          OFP_I(t->platform_id),
                          OFP_U(shop_id),
                          OFP_U(raw_id),
                          OFP_S(t->tid),
                          OFP_I(status),
                          OFP_I(t->pay_status),
                          OFP_I(0),
                          OFP_I(t->delivery_term),
                          OFP_U(t->trade_mask),
                          OFP_U(0),
                          OFP_U(0),
                          OFP_U(0),
                          OFP_I(t->is_sealed),
                          OFP_S(t->trade_time),
                          *t->pay_time ? OFP_S(t->pay_time) : OFP_NUL,
                          OFP_NUL,
                          OFP_U(cust_id),
                          OFP_S(nick),
                          OFP_S(t->receiver_name),
                          OFP_S(t->receiver_mobile),
                          OFP_S(t->receiver_telno),
                          OFP_S(t->receiver_province),
                          OFP_S(t->receiver_city),
                          OFP_S(t->receiver_district),
                          OFP_S(t->receiver_address),
                          OFP_S(t->receiver_zip),
                          OFP_S(""),
                          OFP_U(wh),
                          OFP_I(0),
                          OFP_U(1),
                          OFP_I(0),
                          OFP_U(0),
                          OFP_M(0),
                          OFP_U(0),
                          OFP_S(t->cs_remark),
                          OFP_S(t->buyer_message),
                          OFP_I(t->invoice_type),
                          OFP_S(t->invoice_title),
                          OFP_S(t->invoice_content),
                          OFP_I(goods_count),
                          OFP_I((int)t->n_orders),
                          OFP_S(""),
                          OFP_M(0),
                          OFP_M(0),
                          OFP_M(t->receivable),
                          OFP_M(t->post_amount),
                          OFP_M(t->discount),
                          OFP_M(t->receivable),
                          OFP_M(t->paid),
                          OFP_M(0),
                          OFP_M(t->cod_amount),
                          OFP_M(0),
                          OFP_M(0),
                          OFP_U(0),
                          OFP_I(0),
                          OFP_S(g_trace),
                          OFP_S(eid)};
        X(S_ST_INS, s, NULL, &tid);
        /* one sales_trade_order per line (suites: per part) + stock_change_log per reserved line */
        for (size_t i = 0; i < t->n_orders; i++) {
            const Orderfleet__RawSubOrder *o = t->orders[i];
            const goods_t *g = find_goods(o->spec_no);
            size_t nl = g->is_suite ? g->nparts : 1;
            for (size_t j = 0; j < nl; j++) {
                const part_t *pt = g->is_suite ? &g_parts[g->part0 + j] : NULL;
                uint64_t spec = pt ? pt->spec_id : g->id, goods = pt ? pt->goods_id : g->goods_id;
                int num = pt ? o->num * pt->num : o->num;
                int res = num > 0 ? reserve : 0;
                of_param_t q[] = {OFP_U(tid),
                                  OFP_I(t->platform_id),
                                  OFP_U(shop_id),
                                  OFP_S(t->tid),
                                  OFP_S(o->oid),
                                  OFP_U(raw_id),
                                  OFP_S(o->oid),
                                  OFP_U(spec),
                                  OFP_U(goods),
                                  OFP_S(o->goods_id),
                                  OFP_S(o->spec_id),
                                  OFP_I(o->refund_status),
                                  OFP_I(o->guarantee_mode),
                                  OFP_I(t->delivery_term),
                                  OFP_S(o->bind_oid),
                                  OFP_I(num),
                                  OFP_I(num),
                                  OFP_M(o->price),
                                  OFP_M(o->order_price),
                                  OFP_M(o->price),
                                  OFP_M(o->share_amount),
                                  OFP_M(o->share_post),
                                  OFP_M(o->paid),
                                  OFP_M(o->adjust),
                                  OFP_M(o->discount),
                                  OFP_M(0),
                                  OFP_M(0),
                                  OFP_S(o->goods_name),
                                  OFP_S(o->goods_no),
                                  OFP_S(o->spec_name),
                                  OFP_S(o->spec_no),
                                  OFP_S(""),
                                  OFP_S(o->goods_name),
                                  OFP_S(o->spec_name),
                                  OFP_M(0),
                                  OFP_M(0),
                                  OFP_M(0),
                                  OFP_I(0),
                                  OFP_I(0),
                                  OFP_S(o->cid),
                                  OFP_I(0),
                                  OFP_I(0),
                                  OFP_U(pt ? g->id : 0),
                                  OFP_S(pt ? g->no : ""),
                                  OFP_S(pt ? o->goods_name : ""),
                                  OFP_I(pt ? o->num : 0),
                                  OFP_I(pt ? j == 0 : 0),
                                  OFP_I(res),
                                  OFP_U(res ? wh : 0),
                                  OFP_I(res ? num : 0)};
                X(S_STO_INS, q, NULL, NULL);
                if (!res) continue;
                add_delta(w, wh, spec, reserve == 1 ? 0 : 1, num);
                of_param_t r[] = {OFP_U(wh),
                                  OFP_U(spec),
                                  OFP_U(tid),
                                  OFP_S(eid),
                                  OFP_I(reserve == 2 ? num : 0),
                                  OFP_I(reserve == 1 ? num : 0),
                                  OFP_I(0),
                                  OFP_S("SUB-STK reservation")};
                X(S_STOCK_LOG, r, NULL, NULL);
            }
        }
        /* the order's log rows (the worker: SUB-LOG-01 ×2–3 and the status rule's row) */
        static const struct {
            int type;
            const char *rule, *msg;
        } logs[4] = {{1, "SUB-LOG-01", "bench: order created from the raw trade"},
                     {2, "SUB-LOG-01", "bench: paid"},
                     {3, "SUB-LOG-01", "bench: warehouse chosen (fixed)"},
                     {4, "SUB-STAT-08", "bench: status fixed"}};
        for (int i = 0; i < 4; i++) {
            of_param_t q[] = {OFP_U(tid), OFP_I(logs[i].type), OFP_S(logs[i].rule), OFP_S(logs[i].msg)};
            X(S_LOG_INS, q, NULL, NULL);
        }
        /* the customer's earlier orders: same-name flag refreshed (SUB-FLAG-01) */
        for (size_t i = 0; i < c->ntrades; i++) {
            of_param_t q[] = {OFP_U(1), OFP_I(0), OFP_NUL, OFP_I(0), OFP_I(0), OFP_U(c->trades[i])};
            X(S_SIB_UPD, q, NULL, NULL);
        }
        c->trades = realloc(c->trades, (c->ntrades + 1) * sizeof *c->trades);
        c->trades[c->ntrades++] = tid;
        if (*t->cs_remark) {
            of_param_t q[] = {OFP_U(tid), OFP_U(raw_id), OFP_S(t->tid), OFP_I(1), OFP_S(t->cs_remark)};
            X(S_RMK, q, NULL, NULL);
        }
        w->submitted++;
    }
    /* SUB-UPD-01/02: the raw trade and its sub-orders */
    const char *rule = unknown ? "SUB-MAP-09" : "";
    of_param_t u[] = {OFP_I(unknown ? 10 : 20),
                      OFP_U(unknown ? 1 : 0),
                      OFP_U(tid),
                      OFP_U(cust_id),
                      OFP_U(0),
                      OFP_U(0),
                      OFP_U(0),
                      OFP_U(0),
                      OFP_S(rule),
                      OFP_S(unknown ? "bench: unknown goods" : ""),
                      unknown ? OFP_S(g_trace) : OFP_NUL, /* as the worker: on the raw trade only when not submitted */
                      OFP_I(unknown ? 10 : 20),
                      OFP_S(t->pay_time),
                      *t->pay_time ? OFP_S(t->pay_time) : OFP_NUL,
                      OFP_U(raw_id)};
    X(S_RAW_UPD, u, NULL, NULL);
    of_param_t v[] = {OFP_I(unknown ? 10 : 20), OFP_I(unknown ? 10 : 20), OFP_U(raw_id)};
    X(S_RAWO_UPD, v, NULL, NULL);
    for (size_t i = 0; unknown && i < t->n_orders; i++)
        if (!find_goods(t->orders[i]->spec_no)) {
            of_param_t q[] = {OFP_U(raw_id), OFP_S(t->orders[i]->oid)};
            X(S_RAWO_INVALID, q, NULL, NULL);
        }
    if (!unknown) { /* the CREATED order event, into the outbox */
        char oeid[64], okey[32], ono[40];
        snprintf(oeid, sizeof oeid, "oc-%s", eid);
        snprintf(okey, sizeof okey, "%llu", (unsigned long long)tid);
        snprintf(ono, sizeof ono, "JY%llu", (unsigned long long)raw_id);
        Orderfleet__EventMeta meta = ORDERFLEET__EVENT_META__INIT;
        meta.event_id = oeid;
        meta.producer = "bench.sqlceiling";
        meta.causation_id = (char *)eid;
        meta.schema_version = 1;
        Orderfleet__OrderEvent ev = ORDERFLEET__ORDER_EVENT__INIT;
        ev.meta = &meta;
        ev.kind = ORDERFLEET__ORDER_EVENT__KIND__CREATED;
        ev.order_id = tid;
        ev.order_no = ono;
        ev.to_status = status;
        char *tids[1] = {t->tid};
        ev.n_src_tids = 1;
        ev.src_tids = tids;
        ev.warehouse_id = wh;
        uint8_t buf[512];
        size_t len = orderfleet__order_event__get_packed_size(&ev);
        if (len > sizeof buf) return of_seterr(err, size, OF_ERR_DB, "order event too large");
        orderfleet__order_event__pack(&ev, buf);
        of_param_t q[] = {OFP_S(oeid), OFP_S(of_topics()[OF_TOPIC_ORDER_EVENTS].name), OFP_S(okey),
                          OFP_SN((const char *)buf, len)};
        uint64_t oid = 0;
        X(S_OUTBOX, q, NULL, &oid);
        w->outbox_ids = realloc(w->outbox_ids, (w->nout + 1) * sizeof *w->outbox_ids);
        w->outbox_ids[w->nout++] = oid;
    }
    return OF_OK;
}

static of_err_t tx_batch(of_db_t *db, void *ctx, char *err, size_t size) {
    (void)db;
    worker_t *w = ctx;
    if (w->attempt++) /* the in-memory customers / siblings of a rolled-back attempt are not undone */
        return of_seterr(err, size, OF_ERR_DB, "transaction retried (deadlock or lost connection): not supported");
    w->ndeltas = 0;
    w->nout = 0;
    of_err_t e;
    for (size_t i = w->b0; i < w->b1; i++)
        if ((e = one_trade(w, i, (long)i, err, size))) return e;
    qsort(w->deltas, w->ndeltas, sizeof *w->deltas, cmp_delta);
    for (size_t i = 0; i < w->ndeltas; i++) { /* SUB-STK: counters at the end, in (warehouse, spec) order */
        of_param_t p[] = {OFP_U(w->deltas[i].wh), OFP_U(w->deltas[i].spec), OFP_I(w->deltas[i].d[0]),
                          OFP_I(w->deltas[i].d[1]), OFP_I(0)};
        X(S_STOCK_UPS, p, NULL, NULL);
    }
    return OF_OK;
}

static void *run(void *arg) {
    worker_t *w = arg;
    w->db = of_db_connect(g_cfg, NULL, w->err, sizeof w->err);
    if (!w->db) {
        w->failed = 1;
        return NULL;
    }
    for (int i = 0; i < S__FIXED; i++)
        w->st[i] = of_db_register(w->db, SQL[i]);
    char *at = fields_sql(0, "INSERT INTO api_trade (shop_id, last_event_id, ", ") VALUES (?, ?, ");
    char *ato = fields_sql(1, "INSERT INTO api_trade_order (api_trade_id, platform_id, shop_id, tid, modify_flag, ",
                           ") VALUES (?, ?, ?, ?, ?, ");
    w->st_at = of_db_register(w->db, at);
    w->st_ato = of_db_register(w->db, ato);
    for (w->b0 = 0; w->b0 < w->n && !w->failed; w->b0 = w->b1) {
        w->b1 = w->b0 + (size_t)g_batch < w->n ? w->b0 + (size_t)g_batch : w->n;
        w->attempt = 0;
        if (of_db_tx(w->db, tx_batch, w, w->err, sizeof w->err)) {
            w->failed = 1;
            break;
        }
        w->statements += 2; /* BEGIN, COMMIT */
        for (size_t i = 0; g_mark_sent && i < w->nout; i++) {
            of_param_t p[] = {OFP_U(w->outbox_ids[i])};
            w->statements++;
            if (of_db_exec(w->db, w->st[S_SENT], p, 1, NULL, NULL, w->err, sizeof w->err)) {
                w->failed = 1;
                break;
            }
        }
    }
    of_db_close(w->db);
    free(at);
    free(ato);
    return NULL;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The statements trade-submit writes with come from of_substore.c, so the ceiling cannot drift from the worker. */
static void use_worker_texts(void) {
    static const int from[S__FIXED] = {
        [S_CUST_INS] = OF_SS_CUST_INS,
        [S_PC_INS] = OF_SS_PC_INS,
        [S_ADDR_INS] = OF_SS_ADDR_INS,
        [S_TEL_INS] = OF_SS_TEL_INS,
        [S_ST_INS] = OF_SS_ST_INS,
        [S_STO_INS] = OF_SS_STO_INS,
        [S_LOG_INS] = OF_SS_LOG_INS,
        [S_SIB_UPD] = OF_SS_SIB_UPD,
        [S_RAW_UPD] = OF_SS_RAW_UPD,
        [S_RAWO_UPD] = OF_SS_RAWO_UPD,
        [S_RAWO_INVALID] = OF_SS_RAWO_INVALID,
        [S_AG_INS] = OF_SS_AG_INS,
        [S_STOCK_UPS] = OF_SS_STOCK_UPS,
        [S_STOCK_LOG] = OF_SS_STOCK_LOG,
        [S_RMK] = OF_SS_RMK,
    };
    for (int i = 0; i < S__FIXED; i++)
        if (!SQL[i]) SQL[i] = of_substore_sql((of_ss_stmt_t)from[i]);
}

int main(int argc, char **argv) {
    int nconn = 1, trace_bytes = 4800;
    use_worker_texts();
    const char *file = NULL;
    static const char usage[] =
        "usage: of-bench-sqlceiling [--connections N] [--mark-sent] [--trace-bytes B] FILE.jsonl\n"
        "  the raw-SQL ceiling of the trade-submit benchmark: writes the rows trade-submit writes for each raw trade\n"
        "  of FILE (JSON lines), OF_BATCH_SIZE per transaction, no Kafka, no rules; prints trades/s\n"
        "  (configuration from $OF_CONFIG and OF_* variables, as every binary; see bench/run_submit_bench.sh)\n";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage, stdout);
            return 0;
        }
        if (!strcmp(argv[i], "--connections") && i + 1 < argc)
            nconn = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--trace-bytes") && i + 1 < argc)
            trace_bytes = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--mark-sent"))
            g_mark_sent = 1;
        else if (argv[i][0] != '-' && !file)
            file = argv[i];
        else {
            fputs(usage, stderr);
            return 2;
        }
    }
    if (!file || nconn < 1 || nconn > 64 || trace_bytes < 16 || trace_bytes > 60000) {
        fputs(usage, stderr);
        return 2;
    }
    char err[512];
    of_config_t *cfg = of_config_load(NULL, err, sizeof err);
    if (!cfg) {
        fprintf(stderr, "of-bench-sqlceiling: configuration error: %s\n", err);
        return 78;
    }
    of_log_init("bench-sqlceiling", OF_LOG_WARN);
    g_cfg = cfg;
    g_trace = malloc((size_t)trace_bytes + 1); /* {"bench":"xxxx…"} */
    if (!g_trace) return 1;
    memset(g_trace, 'x', (size_t)trace_bytes);
    memcpy(g_trace, "{\"bench\":\"", 10);
    memcpy(g_trace + trace_bytes - 2, "\"}", 2);
    g_trace[trace_bytes] = '\0';
    g_batch = (int)of_cfg_int(cfg, OF_CFG_BATCH_SIZE);
    of_db_t *db = of_db_connect(cfg, NULL, err, sizeof err);
    if (!db) {
        fprintf(stderr, "of-bench-sqlceiling: %s\n", err);
        return 1;
    }
    if (load_catalogue(db)) return 1;
    of_db_close(db);

    /* read and share out the trades: by buyer key, as the raw-trade topic's partitioner does */
    worker_t *ws = calloc((size_t)nconn, sizeof *ws);
    FILE *in = fopen(file, "r");
    if (!in) {
        fprintf(stderr, "of-bench-sqlceiling: cannot open %s\n", file);
        return 1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long total = 0, refused = 0;
    while ((len = getline(&line, &cap, in)) > 0) {
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (!len) continue;
        Orderfleet__RawTrade *t = of_rawtrade_from_json(line, (size_t)len, err, sizeof err);
        if (t && of_rawtrade_validate(t, err, sizeof err)) { /* as ordctl publish-trades refuses it */
            of_rawtrade_free(t);
            t = NULL;
        }
        if (!t) {
            refused++;
            continue;
        }
        char key[512];
        worker_t *w = &ws[hash_str(of_rawtrade_key(t, key, sizeof key)) % (size_t)nconn];
        w->trades = realloc(w->trades, (w->n + 1) * sizeof *w->trades);
        w->eids = realloc(w->eids, (w->n + 1) * sizeof *w->eids);
        of_rawtrade_event_id(line, (size_t)len, w->eids[w->n], sizeof w->eids[w->n]);
        w->trades[w->n++] = t;
        total++;
    }
    free(line);
    fclose(in);

    pthread_t *th = calloc((size_t)nconn, sizeof *th);
    double t0 = now_s();
    for (int i = 0; i < nconn; i++) {
        ws[i].idx = i;
        pthread_create(&th[i], NULL, run, &ws[i]);
    }
    int rc = 0;
    long submitted = 0, statements = 0;
    for (int i = 0; i < nconn; i++) {
        pthread_join(th[i], NULL);
        if (ws[i].failed) {
            fprintf(stderr, "of-bench-sqlceiling: connection %d: %s\n", i, ws[i].err);
            rc = 1;
        }
        submitted += ws[i].submitted;
        statements += ws[i].statements;
    }
    double secs = now_s() - t0;
    printf("trades=%ld orders=%ld refused=%ld connections=%d batch=%d statements=%ld per_trade=%.2f seconds=%.2f "
           "tps=%.0f\n",
           total, submitted, refused, nconn, g_batch, statements, total ? (double)statements / (double)total : 0.0,
           secs, secs > 0 ? (double)total / secs : 0.0);
    for (int i = 0; i < nconn; i++) {
        for (size_t j = 0; j < ws[i].n; j++)
            of_rawtrade_free(ws[i].trades[j]);
        for (size_t j = 0; j < ws[i].ncust; j++)
            free(ws[i].cust[j].trades);
        free(ws[i].trades);
        free(ws[i].eids);
        free(ws[i].cust);
        free(ws[i].hash);
        free(ws[i].seen);
        free(ws[i].deltas);
        free(ws[i].outbox_ids);
    }
    free(ws);
    free(th);
    free(g_goods);
    free(g_parts);
    free(g_shops);
    free(g_ags);
    free(g_trace);
    of_config_destroy(cfg);
    return rc;
}
