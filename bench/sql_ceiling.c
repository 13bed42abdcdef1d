/* sql_ceiling.c -- the raw-SQL ceilings of the trade-submit benchmark (issues 3 and 10): read raw-trade JSON lines and
 * write the rows trade-submit writes for them, through the worker's own writers (of_tradestore for api_trade and its
 * sub-orders, of_substore_write/flush for the order and everything hanging off it, of_outbox for the events), with
 * the same batching (OF_BATCH_SIZE trades per transaction), but no Kafka, no rules and no reads beyond the stored-
 * version check of_tradestore makes: shop, goods, suites, customers and each customer's earlier orders are kept in
 * memory, and the decisions are fixed.
 *
 * Two ceilings (--rows):
 *   multi  (default) one multi-row statement per table per batch, as the worker writes since issue 10;
 *   one    every row its own statement (the first ceiling, kept for continuity with the earlier figures).
 * With multi, OF_MYSQL_BULK (D-RT-16, default 1) decides how an INSERT's rows go, as in the worker: 1, one bulk
 * execution of its one-row statement; 0, multi-row statements. run_submit_bench.sh runs the multi-row ceilings with 0
 * (issue 10's target is against them) and a bulk ceiling with 1.
 *
 * Fixed decisions instead of the rules: warehouse 1 + hash(receiver_province) % 3 (a stand-in for the coverage
 * area, so that a batch touches as many (warehouse, spec) counters as the worker's); status 20 (paid or cash on
 * delivery, reserves order_num) or 10 (unpaid, reserves unpay_num); 4 log rows per order (the worker averages 4.05); a
 * trade with a line whose spec_no is neither a single spec nor a suite is not submitted (the worker's SUB-MAP-09 on the
 * benchmark data); the customer's earlier orders get the same-name bit (SUB-FLAG-01).
 *
 * decision_trace: a trace of about --trace-bytes (default 4800, the worker's average decision trace on the benchmark
 * data, 4.8 kB of JSON) in sales_trade, or in api_trade for a trade not submitted, as the worker does.
 *
 * Usage: of-bench-sqlceiling [--rows multi|one] [--connections N] [--trace-bytes B] FILE.jsonl
 *   --connections N  N threads, each with its own connection, over a share of the trades (by buyer key, as Kafka
 *                    partitions them); default 1.
 * Configuration: $OF_CONFIG (the stack's stack.env), OF_BATCH_SIZE. Prints one line: trades=… seconds=… tps=… */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "of_catload.h"
#include "of_config.h"
#include "of_customer.h"
#include "of_db.h"
#include "of_log.h"
#include "of_outbox.h"
#include "of_rawtrade.h"
#include "of_sub.h"
#include "of_substore.h"
#include "of_topics.h"
#include "of_tradestore.h"
#include "order.pb-c.h"

/* the idempotency ledger, as of_ingest writes it */
static const char SQL_PROCESSED_HEAD[] = "INSERT INTO processed_event (consumer, event_id, topic, kpartition, koffset, "
                                         "outcome) VALUES ";

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
static shop_t *g_shops;
static size_t g_nshops;
static const of_config_t *g_cfg;
static int g_batch, g_one_row;
static const char *const TRACE_RULES[] = {"SUB-00",      "SUB-TYPE-03", "SUB-CUST-01", "SUB-MAP-08", "SUB-MAP-16",
                                          "SUB-MAP-24",  "SUB-CFG-06",  "SUB-WH-03",   "SUB-AGG-01", "SUB-PKG-01",
                                          "SUB-LOGI-04", "SUB-FEE-01",  "SUB-STAT-08", "SUB-STK-03"};
static int g_trace_bytes;
static of_cat_snap_t *g_snap; /* the catalogue, as the worker loads it */

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
    static const char *q[3] = {"SELECT spec_no, spec_id, goods_id FROM goods_spec",
                               "SELECT s.suite_no, s.suite_id, d.spec_id, d.num, g.goods_id FROM goods_suite s JOIN "
                               "goods_suite_detail d ON d.suite_id = s.suite_id JOIN goods_spec g ON g.spec_id = "
                               "d.spec_id ORDER BY s.suite_id, d.sort_order, d.rec_id",
                               "SELECT platform_id, shop_no, shop_id FROM cfg_shop"};
    char err[512];
    for (int k = 0; k < 3; k++) {
        int st = of_db_register(db, q[k]);
        of_rows_t *r;
        if (st < 0 || of_db_query(db, st, NULL, 0, &r, err, sizeof err)) {
            fprintf(stderr, "of-bench-sqlceiling: catalogue: %s\n", err);
            return -1;
        }
        for (int i = 0; i < r->nrows; i++) {
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
    uint64_t customer_id;              /* 0 until the round that creates it is written */
    uint64_t *trades;                  /* the customer's orders so far (siblings) */
    size_t ntrades;
} cust_t;

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
    /* batch */
    size_t b0, b1;
    of_db_t *db;
    of_tradestore_t *ts;
    of_substore_t *ss;
    of_outbox_t *ob;
    of_db_multi_t m_processed;
    of_ts_item_t *items;
    of_ts_item_t **itemp;
    of_subjob_t *jobs;
    of_subjob_t **round;
    size_t *round_cust; /* the customer of each job of the round: its index + 1 in cust, 0 = none */
    size_t *ci, *occ;   /* per trade of the batch: its customer (index + 1), its occurrence (0 = the first) */
    struct {
        size_t ci;
        uint64_t id;
        size_t ntrades;
    } * undo; /* what the batch's rounds changed in memory, undone when its transaction runs again */
    size_t nundo, undo_cap;
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

/* The customer of key: its index + 1 in w->cust, created (customer_id 0) when new. */
static size_t cust_get(worker_t *w, const char *key) {
    if (w->ncust * 2 >= w->hcap) {
        size_t nc = w->hcap ? w->hcap * 2 : 4096;
        size_t *nh = calloc(nc, sizeof *nh);
        if (!nh) return 0;
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
        if (!strcmp(w->cust[w->hash[h] - 1].key, key)) return w->hash[h];
        h = (h + 1) & (w->hcap - 1);
    }
    if (w->ncust == w->cust_cap) {
        size_t nc = w->cust_cap ? w->cust_cap * 2 : 1024;
        cust_t *c = realloc(w->cust, nc * sizeof *c);
        if (!c) return 0;
        w->cust = c;
        w->cust_cap = nc;
    }
    cust_t *c = &w->cust[w->ncust];
    memset(c, 0, sizeof *c);
    snprintf(c->key, sizeof c->key, "%s", key);
    w->hash[h] = ++w->ncust;
    return w->ncust;
}

/* TRACE_NOISE letters and digits of a pseudo-random run: what varies from trade to trade in the worker's values
 * (names, amounts, times), sized so that the ceiling's trace compresses as the worker's (~1.7 kB for 4.8 kB) */
#define TRACE_NOISE 110
static const char *noise(char *buf, size_t size) {
    static _Thread_local uint64_t x = 88172645463325252ULL;
    static const char AL[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    size_t i = 0;
    for (; i + 1 < size; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        buf[i] = AL[x % (sizeof AL - 1)];
    }
    buf[i] = '\0';
    return buf;
}

/* The fixed decisions for trade t, as the rules would leave them in s. */
static int decide_fixed(worker_t *w, const Orderfleet__RawTrade *t, cust_t *c, of_sub_t *s) {
    int unknown = 0;
    for (size_t i = 0; i < t->n_orders; i++)
        if (!find_goods(t->orders[i]->spec_no)) unknown = 1;
    /* entries in the words of the worker's (its rule IDs, the trade's numbers) up to the trace's size: the trace is
     * stored compressed (D-T10-62), so it must compress as the worker's does (~2.7:1), not as a filler would */
    size_t bytes = 2;
    char noise_buf[TRACE_NOISE + 1];
    for (int k = 0; bytes < (size_t)g_trace_bytes; k++) {
        const Orderfleet__RawSubOrder *o = t->n_orders ? t->orders[(size_t)k % t->n_orders] : NULL;
        const char *rule = TRACE_RULES[k % (int)(sizeof TRACE_RULES / sizeof TRACE_RULES[0])];
        of_trace_add(&s->trace, rule, k % 3 ? "decision" : "line",
                     "tid=%s shop=%s oid %s → spec %s × %d, %s %s %s, status %d, share_amount %lld, weight %d.%04d kg "
                     "(bench, entry %d of a trace of %d bytes) %s",
                     t->tid, t->shop_no, o ? o->oid : "-", o ? o->spec_no : "-", o ? (int)o->num : 0,
                     t->receiver_province, t->receiver_city, t->receiver_district, (int)t->trade_status,
                     (long long)(o ? o->share_amount : t->receivable), k * 7 % 10, (k * 7919) % 10000, k, g_trace_bytes,
                     noise(noise_buf, sizeof noise_buf));
        if (!s->trace.n) break; /* out of memory: the entry was dropped */
        bytes += strlen(rule) + strlen(s->trace.e[s->trace.n - 1].value) + 40;
    }
    if (unknown) { /* SUB-MAP-09 / -10 */
        of_sub_stop(s, "SUB-MAP-09", OF_BAD_GOODS, OF_PS_PENDING, "bench: unknown goods");
        s->rawo_invalid = calloc(t->n_orders + 1, 1);
        if (!s->rawo_invalid) return -1;
        for (size_t i = 0; i < t->n_orders; i++)
            s->rawo_invalid[i] = !find_goods(t->orders[i]->spec_no);
        return 0;
    }
    int paid = t->pay_status == 2 || t->delivery_term == 2;
    s->submitted = 1;
    s->raw_process_status = OF_PS_SUBMITTED;
    s->status = paid ? 20 : 10;
    s->reserve = paid ? OF_RES_ORDER : OF_RES_UNPAY;
    s->warehouse_id = 1 + hash_str(t->receiver_province) % NWAREHOUSES;
    s->logistics_id = 1;
    s->is_sealed = t->is_sealed;
    s->pay_time = *t->pay_time ? of_time_parse(t->pay_time) : 0;
    of_cust_nick(t, s->nick, sizeof s->nick);
    s->cust_action = c->customer_id ? OF_CUST_EXISTING : OF_CUST_CREATE;
    s->customer_id = c->customer_id;
    of_agg_t *g = &s->agg;
    g->goods_type_count = (int)t->n_orders;
    g->goods_amount = t->receivable;
    g->post_amount = t->post_amount;
    g->discount = t->discount;
    g->paid = t->paid;
    g->cod_amount = t->cod_amount;
    g->delivery_term = t->delivery_term;
    for (size_t i = 0; i < t->n_orders; i++) { /* one line per sub-order (suites: per part) */
        const Orderfleet__RawSubOrder *o = t->orders[i];
        const goods_t *gd = find_goods(o->spec_no);
        size_t nl = gd->is_suite ? gd->nparts : 1;
        for (size_t j = 0; j < nl; j++) {
            const part_t *pt = gd->is_suite ? &g_parts[gd->part0 + j] : NULL;
            of_line_t *l = of_sub_add_line(s);
            if (!l) return -1;
            l->raw_index = i;
            l->spec_id = pt ? pt->spec_id : gd->id;
            l->num = l->actual_num = pt ? o->num * pt->num : o->num;
            g->goods_count += l->actual_num;
            snprintf(l->src_tid, sizeof l->src_tid, "%s", t->tid);
            snprintf(l->src_oid, sizeof l->src_oid, "%s", o->oid);
            snprintf(l->bind_oid, sizeof l->bind_oid, "%s", o->bind_oid);
            snprintf(l->api_goods_id, sizeof l->api_goods_id, "%s", o->goods_id);
            snprintf(l->api_spec_id, sizeof l->api_spec_id, "%s", o->spec_id);
            l->refund_status = o->refund_status;
            l->guarantee_mode = o->guarantee_mode;
            l->delivery_term = t->delivery_term;
            l->price = l->share_price = o->price;
            l->order_price = o->order_price;
            l->share_amount = o->share_amount;
            l->share_post = o->share_post;
            l->paid = o->paid;
            l->adjust = o->adjust;
            l->discount = o->discount;
            snprintf(l->goods_name, sizeof l->goods_name, "%s", o->goods_name);
            snprintf(l->goods_no, sizeof l->goods_no, "%s", o->goods_no);
            snprintf(l->spec_name, sizeof l->spec_name, "%s", o->spec_name);
            snprintf(l->spec_no, sizeof l->spec_no, "%s", o->spec_no);
            snprintf(l->api_goods_name, sizeof l->api_goods_name, "%s", o->goods_name);
            snprintf(l->api_spec_name, sizeof l->api_spec_name, "%s", o->spec_name);
            snprintf(l->cid, sizeof l->cid, "%s", o->cid);
            if (pt) {
                l->suite_id = gd->id;
                snprintf(l->suite_no, sizeof l->suite_no, "%s", gd->no);
                snprintf(l->suite_name, sizeof l->suite_name, "%s", o->goods_name);
                l->suite_num = o->num;
                l->is_main = j == 0;
            }
        }
    }
    /* the order's log rows (the worker: SUB-LOG-01 ×2–3 and the status rule's row) */
    of_logs_add(&s->logs, 1, "SUB-LOG-01", "bench: order created from the raw trade");
    of_logs_add(&s->logs, 2, "SUB-LOG-01", "bench: paid");
    of_logs_add(&s->logs, 3, "SUB-LOG-01", "bench: warehouse chosen (fixed)");
    of_logs_add(&s->logs, 4, "SUB-STAT-08", "bench: status fixed");
    for (size_t i = 0; i < c->ntrades; i++) /* SUB-FLAG-01: the customer's earlier orders */
        if (of_sub_sib_update(s, c->trades[i], OF_UM_HAS_UNPAID, 0, 0)) return -1;
    return 0;
}

/* Write the round's buffered rows; its customers and orders are known from then on. */
static of_err_t flush_round(worker_t *w, size_t n, char *err, size_t size) {
    of_err_t e = of_substore_flush(w->ss, w->round, n, err, size);
    for (size_t j = 0; !e && j < n; j++) {
        of_subjob_t *job = w->round[j];
        if (!job->trade_id || !w->round_cust[j]) continue;
        cust_t *c = &w->cust[w->round_cust[j] - 1];
        if (w->nundo == w->undo_cap) {
            size_t nc = w->undo_cap ? w->undo_cap * 2 : 256;
            void *u = realloc(w->undo, nc * sizeof *w->undo);
            if (!u) return of_seterr(err, size, OF_ERR_NOMEM, "out of memory");
            w->undo = u;
            w->undo_cap = nc;
        }
        w->undo[w->nundo].ci = w->round_cust[j];
        w->undo[w->nundo].id = c->customer_id;
        w->undo[w->nundo++].ntrades = c->ntrades;
        w->submitted++;
        c->customer_id = job->customer_id;
        uint64_t *tr = realloc(c->trades, (c->ntrades + 1) * sizeof *tr);
        if (!tr) return of_seterr(err, size, OF_ERR_NOMEM, "out of memory");
        c->trades = tr;
        c->trades[c->ntrades++] = job->trade_id;
        /* the CREATED order event, into the outbox */
        char oeid[64], okey[32], ono[40];
        snprintf(oeid, sizeof oeid, "oc-%s", job->event_id);
        snprintf(okey, sizeof okey, "%llu", (unsigned long long)job->trade_id);
        snprintf(ono, sizeof ono, "JY%llu", (unsigned long long)job->raw_id);
        Orderfleet__EventMeta meta = ORDERFLEET__EVENT_META__INIT;
        meta.event_id = oeid;
        meta.producer = "bench.sqlceiling";
        meta.causation_id = (char *)job->event_id;
        meta.schema_version = 1;
        Orderfleet__OrderEvent ev = ORDERFLEET__ORDER_EVENT__INIT;
        ev.meta = &meta;
        ev.kind = ORDERFLEET__ORDER_EVENT__KIND__CREATED;
        ev.order_id = job->trade_id;
        ev.order_no = ono;
        ev.to_status = job->status;
        char *tids[1] = {job->raw->tid};
        ev.n_src_tids = 1;
        ev.src_tids = tids;
        ev.warehouse_id = job->warehouse_id;
        uint8_t buf[512];
        size_t len = orderfleet__order_event__get_packed_size(&ev);
        if (len > sizeof buf) return of_seterr(err, size, OF_ERR_DB, "order event too large");
        orderfleet__order_event__pack(&ev, buf);
        e = of_outbox_stage(w->ob, OF_TOPIC_ORDER_EVENTS, oeid, okey, strlen(okey), buf, len, err, size);
    }
    return e;
}

static of_err_t tx_batch(of_db_t *db, void *ctx, char *err, size_t size) {
    worker_t *w = ctx;
    of_err_t e;
    size_t n = w->b1 - w->b0;
    while (w->nundo) { /* a retried transaction (a deadlock between connections): its customers as they were */
        w->nundo--;
        cust_t *c = &w->cust[w->undo[w->nundo].ci - 1];
        c->customer_id = w->undo[w->nundo].id;
        c->ntrades = w->undo[w->nundo].ntrades;
        w->submitted--;
    }
    of_outbox_discard(w->ob);
    of_substore_begin(w->ss, g_snap);
    /* the ledger and the raw trades (of_tradestore: one locked read, one multi-row insert per table) */
    of_param_t *p = malloc(n * 6 * sizeof *p);
    if (!p) return of_seterr(err, size, OF_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        size_t ti = w->b0 + i;
        p[i * 6] = OFP_S("bench.sqlceiling");
        p[i * 6 + 1] = OFP_S(w->eids[ti]);
        p[i * 6 + 2] = OFP_S("trade.raw");
        p[i * 6 + 3] = OFP_I(w->idx);
        p[i * 6 + 4] = OFP_I((long)ti);
        p[i * 6 + 5] = OFP_S("applied");
        w->items[i].t = w->trades[ti];
        w->items[i].shop_id = (uint32_t)find_shop(w->trades[ti]->platform_id, w->trades[ti]->shop_no);
        w->items[i].event_id = w->eids[ti];
        w->itemp[i] = &w->items[i];
    }
    e = of_db_exec_multi(db, &w->m_processed, p, (int)n, NULL, err, size);
    free(p);
    if (e || (e = of_tradestore_apply_batch(w->ts, w->itemp, n, err, size))) return e;
    /* the orders in rounds, as the worker takes them: round k holds each customer's k-th trade of the batch (its id
     * comes with the round that creates it) */
    size_t maxocc = 0;
    for (size_t i = 0; i < n; i++) {
        const Orderfleet__RawTrade *t = w->trades[w->b0 + i];
        char nick[OF_RT_MAX_NAME * 2], key[sizeof((cust_t *)0)->key];
        of_cust_nick(t, nick, sizeof nick);
        snprintf(key, sizeof key, "%d:%s", t->platform_id, nick);
        for (char *k = key; *k; k++) /* one customer to the column's collation (ASCII case folded) */
            *k = (char)tolower((unsigned char)*k);
        size_t ci = cust_get(w, key);
        if (!ci) return of_seterr(err, size, OF_ERR_NOMEM, "out of memory");
        w->ci[i] = ci;
        w->occ[i] = 0;
        for (size_t j = 0; j < i; j++)
            w->occ[i] += w->ci[j] == ci;
        if (w->occ[i] > maxocc) maxocc = w->occ[i];
    }
    for (size_t k = 0; k <= maxocc && !e; k++) {
        size_t nr = 0;
        for (size_t i = 0; i < n && !e; i++) {
            if (w->occ[i] != k) continue;
            size_t ti = w->b0 + i, ci = w->ci[i];
            const Orderfleet__RawTrade *t = w->trades[ti];
            of_subjob_t *job = &w->jobs[i];
            *job = (of_subjob_t){.raw = t,
                                 .raw_id = w->items[i].raw_id,
                                 .shop_id = w->items[i].shop_id,
                                 .order_ids = w->items[i].order_ids,
                                 .event_id = w->eids[ti]};
            if ((e = of_substore_platform_goods(w->ss, job, err, size))) break; /* INIT-04, as the worker */
            of_sub_t s;
            of_sub_init(&s);
            if (decide_fixed(w, t, &w->cust[ci - 1], &s))
                e = of_seterr(err, size, OF_ERR_NOMEM, "out of memory");
            else
                e = of_substore_write(w->ss, job, &s, err, size);
            int submitted = s.submitted;
            of_sub_free(&s);
            w->round[nr] = job;
            w->round_cust[nr++] = submitted ? ci : 0;
        }
        if (!e && nr) e = flush_round(w, nr, err, size);
    }
    if (!e) e = of_substore_end(w->ss, err, size); /* SUB-STK: counters at the end, in (warehouse, spec) order */
    if (!e) e = of_outbox_write(w->ob, err, size);
    return e;
}

static long session_statements(of_db_t *db) {
    static const char q[] = "SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME = "
                            "'COM_STMT_EXECUTE'";
    char err[256];
    of_rows_t *r;
    int st = of_db_register(db, q);
    if (st < 0 || of_db_query(db, st, NULL, 0, &r, err, sizeof err)) return 0;
    long n = r->nrows ? (long)of_rows_i64(r, 0, 0) : 0;
    of_rows_free(r);
    return n;
}

static void *run(void *arg) {
    worker_t *w = arg;
    w->db = of_db_connect(g_cfg, NULL, w->err, sizeof w->err);
    if (!w->db) {
        w->failed = 1;
        return NULL;
    }
    if (g_one_row) of_db_set_multi_max(w->db, 1);
    w->ts = of_tradestore_new(w->db);
    w->ss = of_substore_new(w->db, g_cfg);
    w->ob = of_outbox_new(w->db, NULL);
    size_t b = (size_t)g_batch;
    w->items = calloc(b, sizeof *w->items);
    w->itemp = calloc(b, sizeof *w->itemp);
    w->jobs = calloc(b, sizeof *w->jobs);
    w->round = calloc(b, sizeof *w->round);
    w->round_cust = calloc(b, sizeof *w->round_cust);
    w->ci = calloc(b, sizeof *w->ci);
    w->occ = calloc(b, sizeof *w->occ);
    if (!w->ts || !w->ss || !w->ob || !w->items || !w->itemp || !w->jobs || !w->round || !w->round_cust || !w->ci ||
        !w->occ || of_db_register_multi(w->db, SQL_PROCESSED_HEAD, "(?, ?, ?, ?, ?, ?)", "", &w->m_processed)) {
        snprintf(w->err, sizeof w->err, "cannot set up the writers");
        w->failed = 1;
    }
    long before = w->failed ? 0 : session_statements(w->db);
    for (w->b0 = 0; w->b0 < w->n && !w->failed; w->b0 = w->b1) {
        w->b1 = w->b0 + b < w->n ? w->b0 + b : w->n;
        w->nundo = 0;
        if (of_db_tx(w->db, tx_batch, w, w->err, sizeof w->err)) {
            w->failed = 1;
            break;
        }
        of_outbox_discard(w->ob); /* the Kafka side is not part of the ceiling */
    }
    if (!w->failed) w->statements = session_statements(w->db) - before - 1; /* not the counting query itself */
    for (size_t i = 0; i < b && w->items; i++)
        of_tradestore_item_clear(&w->items[i]);
    free(w->items);
    free(w->itemp);
    free(w->jobs);
    free(w->round);
    free(w->round_cust);
    free(w->ci);
    free(w->occ);
    free(w->undo);
    of_outbox_destroy(w->ob);
    of_substore_destroy(w->ss);
    of_tradestore_destroy(w->ts);
    of_db_close(w->db);
    return NULL;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    int nconn = 1, trace_bytes = 4800;
    const char *file = NULL;
    static const char usage[] =
        "usage: of-bench-sqlceiling [--rows multi|one] [--connections N] [--trace-bytes B] FILE.jsonl\n"
        "  the raw-SQL ceilings of the trade-submit benchmark: write the rows trade-submit writes for each raw trade\n"
        "  of FILE (JSON lines) with the worker's writers, OF_BATCH_SIZE per transaction, no Kafka, no rules;\n"
        "  --rows multi (default): one multi-row statement per table per batch; --rows one: a statement per row;\n"
        "  prints trades/s\n"
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
        else if (!strcmp(argv[i], "--rows") && i + 1 < argc &&
                 (!strcmp(argv[i + 1], "one") || !strcmp(argv[i + 1], "multi")))
            g_one_row = !strcmp(argv[++i], "one");
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
    /* D-T10-70 as D-T10-64: a ceiling keeps every statement it prepares (the worker's memory limit is not its) */
    if (of_cfg_set(cfg, OF_CFG_MYSQL_PREPARED_PARAMS, "0", err, sizeof err)) {
        fprintf(stderr, "of-bench-sqlceiling: %s\n", err);
        return 78;
    }
    g_cfg = cfg;
    g_trace_bytes = trace_bytes;
    g_batch = (int)of_cfg_int(cfg, OF_CFG_BATCH_SIZE);
    of_db_t *db = of_db_connect(cfg, NULL, err, sizeof err);
    if (!db) {
        fprintf(stderr, "of-bench-sqlceiling: %s\n", err);
        return 1;
    }
    if (load_catalogue(db)) return 1;
    of_catload_t *cl = of_catload_new(db);
    of_catload_stats_t cst;
    if (!cl || of_catload_refresh(cl, NULL, &g_snap, &cst, err, sizeof err) || !g_snap) {
        fprintf(stderr, "of-bench-sqlceiling: catalogue: %s\n", err);
        return 1;
    }
    of_catload_destroy(cl);
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
    printf("rows=%s trades=%ld orders=%ld refused=%ld connections=%d batch=%d statements=%ld per_trade=%.2f "
           "seconds=%.2f tps=%.0f\n",
           g_one_row ? "one" : "multi", total, submitted, refused, nconn, g_batch, statements,
           total ? (double)statements / (double)total : 0.0, secs, secs > 0 ? (double)total / secs : 0.0);
    for (int i = 0; i < nconn; i++) {
        for (size_t j = 0; j < ws[i].n; j++)
            of_rawtrade_free(ws[i].trades[j]);
        for (size_t j = 0; j < ws[i].ncust; j++)
            free(ws[i].cust[j].trades);
        free(ws[i].trades);
        free(ws[i].eids);
        free(ws[i].cust);
        free(ws[i].hash);
    }
    free(ws);
    free(th);
    free(g_goods);
    free(g_parts);
    free(g_shops);
    of_cat_snap_release(g_snap);
    of_config_destroy(cfg);
    return rc;
}
