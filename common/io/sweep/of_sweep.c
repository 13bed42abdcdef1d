/* of_sweep.c -- the sweep's I/O (spec trade-rules §5; docs/architecture.md "The sweep"; decisions D-MID-1…): a round
 * reads candidate customers by index (due status-15/16 orders, pre-processing orders 19/20), locks a batch of them
 * (crm_customer FOR UPDATE SKIP LOCKED: two instances never take one customer, a crash releases the lock with the
 * connection), reads their open orders and the lines of those that may move with one locking statement each, runs
 * of_mid_decide per customer and writes the plan in the same transaction (one multi-row statement per table; stock
 * through of_substore's sorted counters; an OrderEvent per change through the outbox). */
#include "of_sweep.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "of_array.h"
#include "of_catcache.h"
#include "of_log.h"
#include "of_mid.h"
#include "of_money.h"
#include "of_outbox.h"
#include "of_stock.h"
#include "of_substore.h"
#include "of_time.h"
#include "of_topics.h"
#include "of_wset.h"
#include "order.pb-c.h"

/* candidates: the customers of due waiting orders and of pre-processing orders, by idx_status_delay; each part
 * limited, so a backlog of 100,000 orders is not read to pick a batch */
static const char SQL_CAND[] =
    "(SELECT t.customer_id FROM sales_trade t JOIN crm_customer c ON c.customer_id = t.customer_id WHERE "
    "t.trade_status IN (15, 16) AND t.delay_to_time < ? LIMIT ?) UNION (SELECT t.customer_id FROM sales_trade t JOIN "
    "crm_customer c ON c.customer_id = t.customer_id WHERE t.trade_status IN (15, 16) AND t.delay_to_time IS NULL "
    "LIMIT ?) UNION (SELECT t.customer_id FROM sales_trade t JOIN crm_customer c ON c.customer_id = t.customer_id "
    "WHERE t.trade_status IN (19, 20) LIMIT ?)";
/* a round waits at most this long for a row another transaction holds (then it is retried: 1205 passes), so a stop is
 * not held up by a lock for innodb_lock_wait_timeout (50 s), longer than the client's read timeout */
static const char SQL_LOCK_WAIT[] = "SET SESSION innodb_lock_wait_timeout = 5";

enum { R_LOCK, R_ORD, R_LINE, R_STOCK, R_SPLIT_IDS, R__COUNT };
static const struct {
    const char *head, *tail;
} READS[R__COUNT] = {
    /* the per-customer lock (D-MID-1) */
    [R_LOCK] = {"SELECT customer_id FROM crm_customer WHERE customer_id IN (", ") FOR UPDATE SKIP LOCKED"},
    [R_ORD] = {"SELECT trade_id, customer_id, shop_id, warehouse_id, trade_status, delivery_term, is_sealed, is_split, "
               "is_locked_warehouse, is_big_independent, freeze_reason, block_reason, unmerge_mask, gift_mask, "
               "DATE_FORMAT(trade_time, '%Y-%m-%d %H:%i:%s'), IFNULL(DATE_FORMAT(pay_time, '%Y-%m-%d %H:%i:%s'), ''), "
               "IFNULL(DATE_FORMAT(delay_to_time, '%Y-%m-%d %H:%i:%s'), ''), receiver_name, receiver_mobile, "
               "receiver_province, receiver_city, receiver_district, receiver_address, src_tids, goods_amount, "
               "post_amount, discount, receivable, paid, pbs_amount, cod_amount, goods_cost, commission, weight, "
               "volume, goods_count, IFNULL(trade_no, ''), version, sales_counted, refund_status, cs_remark, "
               "buyer_message, preorder_by FROM "
               "sales_trade WHERE trade_status "
               "BETWEEN 10 AND "
               "95 AND customer_id IN (",
               ") ORDER BY customer_id, trade_id FOR UPDATE"},
    [R_LINE] =
        {"SELECT trade_id, rec_id, spec_id, actual_num, gift_type, stock_reserved, reserved_warehouse_id, "
         "reserved_num, share_amount, weight, volume, spec_no, share_post, paid, discount, commission, bind_oid, "
         "num, large_type, api_goods_name, api_spec_name FROM sales_trade_order WHERE trade_id IN (",
         ") ORDER BY trade_id, rec_id FOR UPDATE"},
    /* MID-SPW-03: the stock of the lines' specs (no lock: it only chooses; the counters move by upsert) */
    [R_STOCK] =
        {"SELECT warehouse_id, spec_id, stock_num, wms_stock_num, sending_num, order_num, unpay_num, subscribe_num "
         "FROM stock_spec WHERE spec_id IN (",
         ")"},
    /* the ids of the orders split off in this transaction, by their numbers */
    [R_SPLIT_IDS] = {"SELECT trade_no, trade_id FROM sales_trade WHERE trade_no IN (", ")"},
};

enum {
    W_SPLIT_INS,
    W_STATUS,
    W_HEADER,
    W_LINE,
    W_LINE_QTY,
    W_PIECE,
    W_RAW,
    W_MERGE,
    W_SPLIT_REC,
    W_DEL,
    W_LOG,
    W_SALES,
    W__COUNT
};
/* the columns a line split off by MID-BIG-03 copies from its row (the rest: W_PIECE's v.*) */
#define PIECE_COPIED                                                                                                   \
    "platform_id, shop_id, src_tid, src_oid, api_trade_order_id, spec_id, goods_id, api_goods_id, api_spec_id, "       \
    "refund_status, guarantee_mode, delivery_term, bind_oid, price, order_price, adjust, cost_price, goods_name, "     \
    "goods_no, spec_name, spec_no, spec_code, api_goods_name, api_spec_name, weight, volume, tax_rate, large_type, "   \
    "invoice_type, invoice_content, from_mask, gift_type, cid, is_zero_cost, is_not_use_air, remark, suite_id, "       \
    "suite_no, suite_name, suite_num, is_consigned"
/* the columns a split order copies from the order it comes from (the rest are its own: W_SPLIT_INS's v.*) */
#define SPLIT_COPIED                                                                                                   \
    "platform_id, shop_id, raw_trade_id, pay_status, refund_status, delivery_term, trade_mask, flag_id, "              \
    "bad_reason, block_reason, freeze_reason, is_sealed, is_consigned, is_locked_warehouse, "                          \
    "is_history, trade_time, pay_time, audit_time, consign_time, customer_id, buyer_nick, "                            \
    "receiver_name, receiver_mobile, receiver_telno, receiver_province, receiver_city, receiver_district, "            \
    "receiver_address, receiver_zip, area_alias, wms_type, logistics_id, logistics_by, package_id, salesman_id, "      \
    "cs_remark, buyer_message, remark_count, remark_changed, invoice_type, invoice_title, invoice_content, "           \
    "is_not_use_air, decision_trace_z"
static const of_wtable_t TABLES[W__COUNT] = {
    /* MID-SPW-03/-07 (D-MID-14): a new order, a copy of the order it is split from with its own number, status,
     * warehouse and sums; its id is read back by its number (R_SPLIT_IDS) */
    [W_SPLIT_INS] =
        {"sales_trade (split off)",
         "INSERT INTO sales_trade (" SPLIT_COPIED
         ", src_tids, unmerge_mask, sales_counted, trade_no, trade_from, trade_status, is_split, "
         "is_big_independent, "
         "split_from_trade_id, delay_to_time, warehouse_id, post_cost, goods_count, goods_type_count, "
         "single_spec_no, weight, volume, goods_amount, post_amount, discount, receivable, paid, pbs_amount, "
         "cod_amount, goods_cost, commission, gift_mask, preorder_by) SELECT " SPLIT_COPIED
         ", v.tids, v.um, 1, v.no, 3, v.st, 1, v.big, v.src, NULL, v.wh, 0, v.gc, v.gtc, v.ssn, v.wt, v.vo, v.ga, "
         "v.pa, v.di, v.rc, "
         "v.pd, v.pbs, v.cod, v.gco, v.cm, v.gm, IF(v.st = 25, t.preorder_by, '') FROM sales_trade t JOIN (",
         "SELECT ? AS src, ? AS no, ? AS st, ? AS wh, ? AS gc, ? AS gtc, ? AS ssn, ? AS wt, ? AS vo, ? AS ga, "
         "? AS pa, ? AS di, ? AS rc, ? AS pd, ? AS pbs, ? AS cod, ? AS gco, ? AS cm, ? AS gm, ? AS big, ? AS tids, ? "
         "AS um",
         " UNION ALL ", ") v ON t.trade_id = v.src", 0, 1, 0},
    /* MID-DLY, MID-MRG-05, MID-UMF-01, MID-SPW-03 (rows read FOR UPDATE by this transaction) */
    [W_STATUS] = {"sales_trade (status)", "UPDATE sales_trade t JOIN (",
                  "SELECT ? AS id, ? AS st, ? AS dl, ? AS um, ? AS wh, ? AS spl, ? AS sc", " UNION ALL ",
                  ") v ON t.trade_id = v.id SET t.trade_status = v.st, t.delay_to_time = v.dl, t.unmerge_mask = v.um, "
                  "t.warehouse_id = v.wh, t.is_split = t.is_split | v.spl, t.sales_counted = t.sales_counted | v.sc, "
                  "t.version = t.version + 1",
                  0, 1, 0},
    /* MID-MRG-02/03: the order that took others in (D-MID-6) */
    [W_HEADER] = {"sales_trade (merged)", "UPDATE sales_trade t JOIN (",
                  "SELECT ? AS id, ? AS ga, ? AS pa, ? AS di, ? AS rc, ? AS pd, ? AS pbs, ? AS cod, ? AS gco, ? AS cm, "
                  "? AS wt, ? AS vo, ? AS gc, ? AS gtc, ? AS ssn, ? AS tids, ? AS gm, ? AS rs, ? AS csr, ? AS bm",
                  " UNION ALL ",
                  ") v ON t.trade_id = v.id SET t.goods_amount = v.ga, t.post_amount = v.pa, t.discount = v.di, "
                  "t.receivable = v.rc, t.paid = v.pd, t.pbs_amount = v.pbs, t.cod_amount = v.cod, t.goods_cost = "
                  "v.gco, t.commission = v.cm, t.weight = v.wt, t.volume = v.vo, t.goods_count = v.gc, "
                  "t.goods_type_count = v.gtc, t.single_spec_no = v.ssn, t.src_tids = v.tids, t.gift_mask = v.gm, "
                  "t.refund_status = v.rs, t.cs_remark = v.csr, t.buyer_message = v.bm",
                  0, 1, 0},
    /* lines moved to another order, reservations changed (MID-STK-01) */
    [W_LINE] = {"sales_trade_order (swept)", "UPDATE sales_trade_order o JOIN (",
                "SELECT ? AS id, ? AS tid, ? AS sr, ? AS rw, ? AS rn", " UNION ALL ",
                ") v ON o.rec_id = v.id SET o.trade_id = v.tid, o.stock_reserved = v.sr, o.reserved_warehouse_id = "
                "v.rw, o.reserved_num = v.rn",
                0, 1, 0},
    /* the raw trades of a merged order now deliver into the order that took it (trade-modify finds it there) */
    [W_RAW] = {"api_trade (merged)", "UPDATE api_trade a JOIN (", "SELECT ? AS f, ? AS i", " UNION ALL ",
               ") v ON a.deliver_trade_id = v.f SET a.deliver_trade_id = v.i", 0, 0, 0},
    [W_MERGE] = {"sales_trade_merge",
                 "INSERT INTO sales_trade_merge (from_trade_id, from_trade_no, into_trade_id, rule_id, from_status, "
                 "src_tids, receivable) VALUES ",
                 "(?, ?, ?, ?, ?, ?, ?)", NULL, NULL, 0, 0, 0},
    /* MID-BIG-03: a row that keeps fewer units, its amounts shared out per unit */
    [W_LINE_QTY] =
        {"sales_trade_order (units split off)", "UPDATE sales_trade_order o JOIN (",
         "SELECT ? AS id, ? AS n, ? AS sa, ? AS sp, ? AS pd, ? AS di, ? AS cm", " UNION ALL ",
         ") v ON o.rec_id = v.id SET o.num = v.n, o.actual_num = v.n, o.share_amount = v.sa, o.share_price = "
         "ROUND(v.sa / v.n, 4), o.share_post = v.sp, o.paid = v.pd, o.discount = v.di, o.commission = v.cm",
         0, 1, 0},
    /* MID-BIG-03: a unit in a row of its own, in the new order */
    [W_PIECE] = {"sales_trade_order (split unit)",
                 "INSERT INTO sales_trade_order (" PIECE_COPIED ", trade_id, is_main, num, actual_num, share_amount, "
                 "share_price, share_post, paid, discount, commission, stock_reserved, reserved_warehouse_id, "
                 "reserved_num) SELECT " PIECE_COPIED ", v.tid, 0, v.n, v.n, v.sa, ROUND(v.sa / v.n, 4), v.sp, v.pd, "
                 "v.di, v.cm, v.sr, v.rw, IF(v.sr > 0, v.n, 0) FROM sales_trade_order o JOIN (",
                 "SELECT ? AS src, ? AS tid, ? AS n, ? AS sa, ? AS sp, ? AS pd, ? AS di, ? AS cm, ? AS sr, ? AS rw",
                 " UNION ALL ", ") v ON o.rec_id = v.src", 0, 1, 0},
    [W_SPLIT_REC] = {"sales_trade_split",
                     "INSERT INTO sales_trade_split (from_trade_id, to_trade_id, rule_id, warehouse_id, goods_count, "
                     "goods_amount) VALUES ",
                     "(?, ?, ?, ?, ?, ?)", NULL, NULL, 0, 0, 0},
    [W_DEL] = {"sales_trade (merged away)", "DELETE FROM sales_trade WHERE trade_id IN (", "?", ", ", ")", 0, 0, 0},
    [W_LOG] = {NULL, NULL, NULL, NULL, NULL, 0, 0, 0}, /* the submission's sales_trade_log, copied in at start */
    /* MID-SLS-01 (D-MID-8): today's sales, once, when the lines leave pre-processing */
    [W_SALES] = {"stat_daily_sales",
                 "INSERT INTO stat_daily_sales (sales_date, shop_id, warehouse_id, spec_id, num, amount) VALUES ",
                 "(CURDATE(), ?, ?, ?, ?, ?)", NULL,
                 " ON DUPLICATE KEY UPDATE num = num + VALUES(num), amount = amount + VALUES(amount)", 0, 0, 0},
};

#define QUARANTINE_MS (10 * 60 * 1000)

struct of_sweep_s {
    const of_config_t *cfg;
    of_db_t *db;
    of_outbox_t *ob;
    of_catcache_t *cc;
    of_substore_t *ss;
    of_wset_t *w;
    of_wtable_t tables[W__COUNT];
    of_db_multi_t reads[R__COUNT];
    int q_cand;
    size_t batch;
    /* a round */
    struct rsplit {
        uint64_t src, wh, id;
        char no[48];
        int k, status;
        int64_t goods_count, goods_amount;
        const char *rule;
    } * rs;
    size_t nrs, caprs;
    struct rline {
        uint64_t rec_id, wh;
        size_t split; /* index in rs */
        int kind, num;
    } * rl;
    size_t nrl, caprl;
    struct rpiece {
        uint64_t src, wh; /* the row it copies; its reservation's warehouse */
        size_t split;     /* index in rs */
        int num, kind;
        int64_t sa, sp, pd, di, cm;
    } * rp;
    size_t nrp, caprp;
    uint64_t *cands;
    size_t ncands;
    /* a round that fails for what its data is (not a passing condition of the server) is run again one customer a
     * round (solo rounds left), and a customer that fails alone is set aside for OF_SWEEP_QUARANTINE_MS (D-MID-19) */
    size_t solo;
    uint64_t tried;
    struct {
        uint64_t customer;
        int64_t until_ms;
    } quarantine[64];
    size_t nquarantine;
    const of_cat_snap_t *snap;
    of_sweep_stats_t st;
    char instance[96];
};

static of_err_t nomem(char *err, size_t size) {
    return of_seterr(err, size, OF_ERR_NOMEM, "out of memory");
}

of_sweep_t *of_sweep_new(const of_config_t *cfg, of_db_t *db, of_producer_t *producer, char *err, size_t size) {
    of_sweep_t *sw = calloc(1, sizeof *sw);
    if (!sw) return NULL;
    sw->cfg = cfg;
    sw->db = db;
    sw->batch = (size_t)of_cfg_int(cfg, OF_CFG_SWEEP_BATCH);
    snprintf(sw->instance, sizeof sw->instance, "%s", of_cfg_str(cfg, OF_CFG_INSTANCE_ID));
    memcpy(sw->tables, TABLES, sizeof TABLES);
    sw->tables[W_LOG] = of_substore_tables()[OF_SW_LOG];
    int bad = !(sw->ob = of_outbox_new(db, producer)) || !(sw->cc = of_catcache_new(cfg, db)) ||
              !(sw->ss = of_substore_new(db, cfg)) || !(sw->w = of_wset_new(db, sw->tables, W__COUNT)) ||
              (sw->q_cand = of_db_register(db, SQL_CAND)) < 0;
    for (int r = 0; r < R__COUNT && !bad; r++)
        bad = of_db_register_multi(db, READS[r].head, "?", READS[r].tail, &sw->reads[r]) != OF_OK;
    if (bad) {
        of_seterr(err, size, OF_ERR_NOMEM, "sweep: out of memory or statement registry full");
        of_sweep_destroy(sw);
        return NULL;
    }
    return sw;
}

void of_sweep_destroy(of_sweep_t *sw) {
    if (!sw) return;
    of_wset_free(sw->w);
    of_substore_destroy(sw->ss);
    of_catcache_destroy(sw->cc);
    of_outbox_destroy(sw->ob);
    free(sw->cands);
    free(sw->rs);
    free(sw->rl);
    free(sw->rp);
    free(sw);
}

void of_sweep_tick(of_sweep_t *sw) {
    of_outbox_tick(sw->ob, sw->cfg);
    of_catcache_tick(sw->cc);
}

static const char *S(const of_rows_t *rows, int r, int c) {
    const char *s = of_rows_str(rows, r, c);
    return s ? s : "";
}
static int64_t M(const of_rows_t *rows, int r, int c) {
    int64_t v = 0;
    if (of_money_parse(S(rows, r, c), &v)) v = 0;
    return v;
}
#define I(rows, r, c) of_rows_i64(rows, r, c)
#define U(rows, r, c) ((uint64_t)of_rows_i64(rows, r, c))

/* ---- one customer's plan written ---- */

/* one OrderEvent through the outbox, keyed by the order (its id: mid:<order>:<version after the change>) */
static of_err_t stage(of_sweep_t *sw, int kind, uint64_t id, uint64_t version, int from, int to, uint64_t wh,
                      const char *why, char *err, size_t size) {
    char eid[64], key[32];
    snprintf(eid, sizeof eid, "mid:%llu:%llu", (unsigned long long)id, (unsigned long long)version);
    snprintf(key, sizeof key, "%llu", (unsigned long long)id);
    Orderfleet__EventMeta meta = ORDERFLEET__EVENT_META__INIT;
    meta.event_id = eid;
    meta.occurred_at_ms = of_now_ms();
    meta.producer = "sweep";
    meta.schema_version = 1;
    Orderfleet__OrderEvent ev = ORDERFLEET__ORDER_EVENT__INIT;
    ev.meta = &meta;
    ev.kind = kind;
    ev.order_id = id;
    ev.from_status = from;
    ev.to_status = to;
    ev.reason = (char *)why;
    ev.warehouse_id = wh;
    uint8_t buf[1024];
    size_t len = orderfleet__order_event__get_packed_size(&ev);
    if (len > sizeof buf) return of_seterr(err, size, OF_ERR_INVALID, "order event too large");
    orderfleet__order_event__pack(&ev, buf);
    return of_outbox_stage(sw->ob, OF_TOPIC_ORDER_EVENTS, eid, key, strlen(key), buf, len, err, size);
}

/* a changed order: merged away, split, or moved */
static of_err_t stage_event(of_sweep_t *sw, const of_mid_order_t *o, uint64_t version, char *err, size_t size) {
    char why[160];
    int kind = o->merged_into ? ORDERFLEET__ORDER_EVENT__KIND__MERGED
               : o->split     ? ORDERFLEET__ORDER_EVENT__KIND__SPLIT
                              : ORDERFLEET__ORDER_EVENT__KIND__STATUS_CHANGED;
    if (o->merged_into)
        snprintf(why, sizeof why, "%s: merged into order %llu", o->merge_rule, (unsigned long long)o->merged_into);
    else
        snprintf(why, sizeof why, "%s", o->logs.n ? o->logs.e[o->logs.n - 1].rule : "MID");
    return stage(sw, kind, o->trade_id, version + 1, o->status, o->merged_into ? o->status : o->new_status,
                 o->new_warehouse_id, why, err, size);
}

/* an order split off (CREATED, reason: the order it comes from) */
static of_err_t stage_created(of_sweep_t *sw, uint64_t id, int status, uint64_t wh, uint64_t from, const char *rule,
                              char *err, size_t size) {
    char why[96];
    snprintf(why, sizeof why, "%s: split from order %llu", rule, (unsigned long long)from);
    return stage(sw, ORDERFLEET__ORDER_EVENT__KIND__CREATED, id, 0, 0, status, wh, why, err, size);
}

#define ADD(t, ...) (of_wset_add(sw->w, (t), (of_param_t[]){__VA_ARGS__}) < 0 ? nomem(err, size) : OF_OK)

static of_err_t write_plan(of_sweep_t *sw, of_mid_order_t *o, size_t n, of_mid_line_t *l, size_t nl,
                           const of_mid_plan_t *p, const of_rows_t *ro, int row0, char *err, size_t size) {
    of_err_t e = OF_OK;
    char dl[32];
    for (size_t i = 0; i < n && !e; i++) {
        const of_mid_order_t *x = &o[i];
        int r = row0 + (int)i;
        for (size_t k = 0; k < x->logs.n && !e; k++)
            e = ADD(W_LOG, OFP_U(x->trade_id), OFP_I(x->logs.e[k].type), OFP_S(x->logs.e[k].rule),
                    OFP_S(x->logs.e[k].message));
        if (!x->changed || e) continue;
        if ((e = stage_event(sw, x, U(ro, r, 37), err, size))) break;
        if (x->merged_into) {
            /* its own tids and receivable, not those of orders merged into it first (a chain) */
            e = ADD(W_MERGE, OFP_U(x->trade_id), OFP_S(S(ro, r, 36)), OFP_U(x->merged_into), OFP_S(x->merge_rule),
                    OFP_I(x->status), OFP_S(x->src_tids), OFP_M(x->receivable0));
            if (!e) e = ADD(W_RAW, OFP_U(x->trade_id), OFP_U(x->merged_into));
            if (!e) e = ADD(W_DEL, OFP_U(x->trade_id));
            continue;
        }
        e = ADD(W_STATUS, OFP_U(x->trade_id), OFP_I(x->new_status),
                x->new_delay ? OFP_S(of_time_format(x->new_delay, dl, sizeof dl)) : OFP_NUL, OFP_U(x->new_unmerge_mask),
                OFP_U(x->new_warehouse_id), OFP_I(x->split), OFP_I(x->left_pre || x->merged));
        if (!e && x->merged) {
            const of_mid_sums_t *s = &x->sums;
            e = ADD(W_HEADER, OFP_U(x->trade_id), OFP_M(s->goods_amount), OFP_M(s->post_amount), OFP_M(s->discount),
                    OFP_M(s->receivable), OFP_M(s->paid), OFP_M(s->pbs_amount), OFP_M(s->cod_amount),
                    OFP_M(s->goods_cost), OFP_M(s->commission), OFP_M(s->weight), OFP_M(s->volume),
                    OFP_I(s->goods_count), OFP_I(x->goods_type_count), OFP_S(x->single_spec_no), OFP_S(x->src_tids_out),
                    OFP_U(x->gift_mask), OFP_I(x->new_refund_status), OFP_S(x->cs_remark_out),
                    OFP_S(x->buyer_message_out));
        }
    }
    /* MID-SPW: the new orders of this customer (their ids come after the round's insert), then the lines */
    size_t base = sw->nrs;
    for (size_t k = 0; k < p->nsplits && !e; k++) {
        const of_mid_split_t *sp = &p->splits[k];
        const of_mid_order_t *x = &o[sp->from];
        int r = row0 + (int)sp->from;
        if (of_array_grow((void **)&sw->rs, &sw->caprs, sw->nrs + 1, sizeof *sw->rs)) return nomem(err, size);
        struct rsplit *q = &sw->rs[sw->nrs++];
        *q = (struct rsplit){.src = x->trade_id,
                             .wh = sp->warehouse_id,
                             .k = sp->k,
                             .status = sp->status,
                             .goods_count = sp->sums.goods_count,
                             .goods_amount = sp->sums.goods_amount,
                             .rule = sp->rule};
        /* a number no other order has: the source's, its version after this change, the split's index */
        snprintf(q->no, sizeof q->no, "%.24s-%llu-%d", S(ro, r, 36), (unsigned long long)U(ro, r, 37) + 1, sp->k);
        const of_mid_sums_t *m = &sp->sums;
        e = ADD(W_SPLIT_INS, OFP_U(x->trade_id), OFP_S(q->no), OFP_I(sp->status), OFP_U(sp->warehouse_id),
                OFP_I(m->goods_count), OFP_I(sp->goods_type_count), OFP_S(sp->single_spec_no), OFP_M(m->weight),
                OFP_M(m->volume), OFP_M(m->goods_amount), OFP_M(m->post_amount), OFP_M(m->discount),
                OFP_M(m->receivable), OFP_M(m->paid), OFP_M(m->pbs_amount), OFP_M(m->cod_amount), OFP_M(m->goods_cost),
                OFP_M(m->commission), OFP_U(sp->gift_mask), OFP_I(!strcmp(sp->rule, "MID-BIG-03")),
                OFP_S(x->src_tids_out), OFP_U(x->new_unmerge_mask));
    }
    for (size_t k = 0; k < p->npieces && !e; k++) { /* MID-BIG-03: their rows come after the orders' ids */
        const of_mid_piece_t *pc = &p->pieces[k];
        const of_mid_split_t *sp = &p->splits[pc->split];
        if (of_array_grow((void **)&sw->rp, &sw->caprp, sw->nrp + 1, sizeof *sw->rp)) return nomem(err, size);
        int kind = sp->warehouse_id ? (int)of_stock_reservation_for_status(sp->status) : OF_RES_NONE;
        sw->rp[sw->nrp++] = (struct rpiece){.src = l[pc->line].rec_id,
                                            .wh = kind != OF_RES_NONE ? sp->warehouse_id : 0,
                                            .split = base + (size_t)pc->split,
                                            .num = pc->num,
                                            .kind = kind,
                                            .sa = pc->share_amount,
                                            .sp = pc->share_post,
                                            .pd = pc->paid,
                                            .di = pc->discount,
                                            .cm = pc->commission};
    }
    for (size_t i = 0; i < nl && !e; i++) {
        if (l[i].qty_changed)
            e = ADD(W_LINE_QTY, OFP_U(l[i].rec_id), OFP_I(l[i].actual_num), OFP_M(l[i].share_amount),
                    OFP_M(l[i].share_post), OFP_M(l[i].paid), OFP_M(l[i].discount), OFP_M(l[i].commission));
        if (!l[i].changed || e) continue;
        if (l[i].new_split < 0) {
            e = ADD(W_LINE, OFP_U(l[i].rec_id), OFP_U(l[i].new_trade_id), OFP_I(l[i].new_kind), OFP_U(l[i].new_wh),
                    OFP_I(l[i].new_num));
            continue;
        }
        if (of_array_grow((void **)&sw->rl, &sw->caprl, sw->nrl + 1, sizeof *sw->rl)) return nomem(err, size);
        sw->rl[sw->nrl++] = (struct rline){.rec_id = l[i].rec_id,
                                           .wh = l[i].new_wh,
                                           .split = base + (size_t)l[i].new_split,
                                           .kind = l[i].new_kind,
                                           .num = l[i].new_num};
    }
    for (size_t i = 0; i < p->nsales && !e; i++)
        e = ADD(W_SALES, OFP_U(p->sales[i].shop_id), OFP_U(p->sales[i].warehouse_id), OFP_U(p->sales[i].spec_id),
                OFP_I(p->sales[i].num), OFP_M(p->sales[i].amount));
    for (size_t i = 0; i < p->nmoves && !e; i++) {
        const of_mid_move_t *m = &p->moves[i];
        e = of_substore_stock(sw->ss, m->warehouse_id, m->spec_id, m->kind, m->delta, m->trade_id, "",
                              m->delta < 0 ? "MID-STK-01 released" : "MID-STK-01 reserved", err, size);
    }
    return e;
}

/* MID-SPW: the round's new orders inserted (one statement), their ids read back by number (one), then their lines,
 * split records, logs and events */
static of_err_t write_splits(of_sweep_t *sw, of_db_t *db, char *err, size_t size) {
    of_err_t e = of_wset_flush_some(sw->w, 1u << W_SPLIT_INS, err, size);
    if (e) return e;
    of_param_t *ps = calloc(sw->nrs, sizeof *ps);
    if (!ps) return nomem(err, size);
    for (size_t i = 0; i < sw->nrs; i++)
        ps[i] = OFP_S(sw->rs[i].no);
    of_rows_t *r = NULL;
    e = of_db_query_multi(db, &sw->reads[R_SPLIT_IDS], ps, (int)sw->nrs, &r, err, size);
    free(ps);
    for (int k = 0; !e && k < r->nrows; k++)
        for (size_t i = 0; i < sw->nrs; i++)
            if (!strcmp(sw->rs[i].no, S(r, k, 0))) sw->rs[i].id = U(r, k, 1);
    of_rows_free(r);
    for (size_t i = 0; !e && i < sw->nrs; i++)
        if (!sw->rs[i].id)
            e = of_seterr(err, size, OF_ERR_DB, "split order %s not found after its insert", sw->rs[i].no);
    for (size_t i = 0; !e && i < sw->nrl; i++) {
        const struct rline *q = &sw->rl[i];
        e = ADD(W_LINE, OFP_U(q->rec_id), OFP_U(sw->rs[q->split].id), OFP_I(q->kind), OFP_U(q->wh), OFP_I(q->num));
    }
    for (size_t i = 0; !e && i < sw->nrp; i++) {
        const struct rpiece *q = &sw->rp[i];
        e = ADD(W_PIECE, OFP_U(q->src), OFP_U(sw->rs[q->split].id), OFP_I(q->num), OFP_M(q->sa), OFP_M(q->sp),
                OFP_M(q->pd), OFP_M(q->di), OFP_M(q->cm), OFP_I(q->kind), OFP_U(q->wh));
    }
    for (size_t i = 0; !e && i < sw->nrs; i++) {
        const struct rsplit *q = &sw->rs[i];
        char msg[200];
        snprintf(msg, sizeof msg, "拆分: 由订单 %llu 拆出, 仓库 %llu, %lld 件 (%s)", (unsigned long long)q->src,
                 (unsigned long long)q->wh, (long long)q->goods_count, q->rule);
        e = ADD(W_SPLIT_REC, OFP_U(q->src), OFP_U(q->id), OFP_S(q->rule), OFP_U(q->wh), OFP_I(q->goods_count),
                OFP_M(q->goods_amount));
        if (!e) e = ADD(W_LOG, OFP_U(q->id), OFP_I(OF_LOG_SPLIT), OFP_S(q->rule), OFP_S(msg));
        if (!e) e = stage_created(sw, q->id, q->status, q->wh, q->src, q->rule, err, size);
    }
    return e;
}

/* ---- the round's transaction ---- */

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static of_err_t round_tx(of_db_t *db, void *ctx, char *err, size_t size) {
    of_sweep_t *sw = ctx;
    of_wset_reset(sw->w);
    of_outbox_discard(sw->ob);
    of_substore_discard(sw->ss);
    of_substore_begin(sw->ss, sw->snap);
    sw->nrs = sw->nrl = sw->nrp = 0;
    of_stockview_t stock = {0};
    size_t moved = 0, merged = 0, nmoves = 0, nsales = 0, ncust = 0;
    of_rows_t *ro = NULL, *rl = NULL;
    of_mid_order_t *ords = NULL;
    of_mid_line_t *lines = NULL;
    uint64_t *keys = NULL;
    of_mid_plan_t plan = {0};
    const of_catalog_t *cat = of_cat_snap_cat(sw->snap);
    of_mid_cfg_t mc = {.delay_audit_s = cat->set.delay_audit_s,
                       .cod_delay_s = cat->set.cod_delay_s,
                       .wh_change_prompt = cat->set.wh_change_prompt,
                       .split_by_wh = cat->set.split_by_wh,
                       .no_all_gift_split = cat->set.no_all_gift_split,
                       .big_max_split = cat->set.big_max_split,
                       .split_preorder = cat->set.split_preorder,
                       .cat = cat,
                       .stock = &stock};
    int64_t now = of_cfg_platform_now(sw->cfg);
    /* lock the customers (the first batch of the shuffled candidates no other instance holds) */
    size_t batch = sw->solo ? 1 : sw->batch;
    size_t nk = sw->ncands < batch ? sw->ncands : batch;
    of_param_t *ps = calloc(sw->ncands + 1, sizeof *ps);
    if (!ps) return nomem(err, size);
    of_err_t e = OF_OK;
    size_t off = 0;
    /* walk the shuffled candidates until a batch is locked (a candidate another instance holds is skipped) */
    while (!e && off < sw->ncands && ncust < nk) {
        size_t take = sw->ncands - off < nk - ncust ? sw->ncands - off : nk - ncust;
        for (size_t i = 0; i < take; i++)
            ps[i] = OFP_U(sw->cands[off + i]);
        off += take;
        of_rows_t *r = NULL;
        if ((e = of_db_query_multi(db, &sw->reads[R_LOCK], ps, (int)take, &r, err, size))) break;
        uint64_t *k2 = realloc(keys, (ncust + (size_t)r->nrows + 1) * sizeof *k2);
        if (!k2) {
            of_rows_free(r);
            e = nomem(err, size);
            break;
        }
        keys = k2;
        for (int i = 0; i < r->nrows; i++)
            keys[ncust++] = U(r, i, 0);
        of_rows_free(r);
    }
    if (!e && ncust) {
        qsort(keys, ncust, sizeof *keys, cmp_u64);
        sw->tried = ncust == 1 ? keys[0] : 0; /* a customer alone: the one to set aside if the round fails */
        for (size_t i = 0; i < ncust; i++)
            ps[i] = OFP_U(keys[i]);
        e = of_db_query_multi(db, &sw->reads[R_ORD], ps, (int)ncust, &ro, err, size);
    }
    size_t nord = ro ? (size_t)ro->nrows : 0, nline = 0;
    if (!e && nord) {
        /* the lines of the orders that may move or take others in */
        of_param_t *ts = calloc(nord, sizeof *ts);
        size_t nt = 0;
        if (!ts) e = nomem(err, size);
        for (size_t i = 0; !e && i < nord; i++) {
            int st = (int)I(ro, (int)i, 4);
            if (st == 15 || st == 16 || st == 19 || st == 20 || st == 25 || st == 30)
                ts[nt++] = OFP_U(U(ro, (int)i, 0));
        }
        if (!e && nt) e = of_db_query_multi(db, &sw->reads[R_LINE], ts, (int)nt, &rl, err, size);
        free(ts);
        nline = rl ? (size_t)rl->nrows : 0;
    }
    if (!e && nord) {
        ords = calloc(nord, sizeof *ords);
        lines = calloc(nline + 1, sizeof *lines);
        if (!ords || !lines) e = nomem(err, size);
    }
    for (size_t i = 0; !e && i < nline; i++) {
        int r = (int)i;
        lines[i] = (of_mid_line_t){.trade_id = U(rl, r, 0),
                                   .rec_id = U(rl, r, 1),
                                   .spec_id = U(rl, r, 2),
                                   .actual_num = (int)I(rl, r, 3),
                                   .gift_type = (int)I(rl, r, 4),
                                   .held_kind = (int)I(rl, r, 5),
                                   .held_wh = U(rl, r, 6),
                                   .held_num = (int)I(rl, r, 7),
                                   .share_amount = M(rl, r, 8),
                                   .weight = M(rl, r, 9),
                                   .volume = M(rl, r, 10),
                                   .spec_no = S(rl, r, 11),
                                   .share_post = M(rl, r, 12),
                                   .paid = M(rl, r, 13),
                                   .discount = M(rl, r, 14),
                                   .commission = M(rl, r, 15),
                                   .bind_oid = S(rl, r, 16),
                                   .num = (int)I(rl, r, 17),
                                   .large_type = (int)I(rl, r, 18),
                                   .api_goods_name = S(rl, r, 19),
                                   .api_spec_name = S(rl, r, 20)};
    }
    if (!e && nline && (mc.split_by_wh || mc.split_preorder)) { /* MID-SPW-03, MID-PRE-01 choose by stock: the
                                                                 * lines' specs, one read */
        of_param_t *sp = calloc(nline, sizeof *sp);
        of_rows_t *rs = NULL;
        if (!sp) e = nomem(err, size);
        for (size_t i = 0; !e && i < nline; i++)
            sp[i] = OFP_U(lines[i].spec_id);
        if (!e) e = of_db_query_multi(db, &sw->reads[R_STOCK], sp, (int)nline, &rs, err, size);
        for (int r = 0; !e && rs && r < rs->nrows; r++) {
            of_stock_row_t row = {.warehouse_id = U(rs, r, 0),
                                  .spec_id = U(rs, r, 1),
                                  .stock_num = (int32_t)I(rs, r, 2),
                                  .wms_stock_num = (int32_t)I(rs, r, 3),
                                  .sending_num = (int32_t)I(rs, r, 4),
                                  .order_num = (int32_t)I(rs, r, 5),
                                  .unpay_num = (int32_t)I(rs, r, 6),
                                  .subscribe_num = (int32_t)I(rs, r, 7)};
            if (!of_stock_find(&stock, row.warehouse_id, row.spec_id) && of_stock_put(&stock, &row))
                e = nomem(err, size);
        }
        of_rows_free(rs);
        free(sp);
    }
    for (size_t i = 0; !e && i < nord; i++) {
        int r = (int)i;
        of_mid_order_t *x = &ords[i];
        for (int c = 24; c <= 34 && !e; c++) { /* an amount out of range would be read as 0 and written back */
            int64_t v;
            const char *cell = S(ro, r, c);
            if (*cell && of_money_parse(cell, &v))
                e = of_seterr(err, size, OF_ERR_INVALID, "order %llu: amount %s out of range (|v| < 10^14)",
                              (unsigned long long)U(ro, r, 0), cell);
        }
        if (e) break;
        uint64_t shop = U(ro, r, 2);
        const of_shop_t *sh = of_cat_shop(cat, shop);
        *x = (of_mid_order_t){.trade_id = U(ro, r, 0),
                              .shop_id = shop,
                              .warehouse_id = U(ro, r, 3),
                              .status = (int)I(ro, r, 4),
                              .delivery_term = (int)I(ro, r, 5),
                              .is_sealed = (int)I(ro, r, 6),
                              .is_split = (int)I(ro, r, 7),
                              .is_locked_wh = (int)I(ro, r, 8),
                              .is_big_indep = (int)I(ro, r, 9),
                              .shop_split_merge = sh ? sh->is_split_merge : 0,
                              .freeze_reason = U(ro, r, 10),
                              .block_reason = (uint32_t)I(ro, r, 11),
                              .unmerge_mask = (uint32_t)I(ro, r, 12),
                              .gift_mask = (uint32_t)I(ro, r, 13),
                              .trade_time = of_time_parse(S(ro, r, 14)),
                              .pay_time = of_time_parse(S(ro, r, 15)),
                              .delay_to_time = of_time_parse(S(ro, r, 16)),
                              .receiver_name = S(ro, r, 17),
                              .receiver_mobile = S(ro, r, 18),
                              .receiver_province = S(ro, r, 19),
                              .receiver_city = S(ro, r, 20),
                              .receiver_district = S(ro, r, 21),
                              .receiver_address = S(ro, r, 22),
                              .src_tids = S(ro, r, 23),
                              .sums = {.goods_amount = M(ro, r, 24),
                                       .post_amount = M(ro, r, 25),
                                       .discount = M(ro, r, 26),
                                       .receivable = M(ro, r, 27),
                                       .paid = M(ro, r, 28),
                                       .pbs_amount = M(ro, r, 29),
                                       .cod_amount = M(ro, r, 30),
                                       .goods_cost = M(ro, r, 31),
                                       .commission = M(ro, r, 32),
                                       .weight = M(ro, r, 33),
                                       .volume = M(ro, r, 34),
                                       .goods_count = I(ro, r, 35)},
                              .sales_counted = (int)I(ro, r, 38),
                              .refund_status = (int)I(ro, r, 39),
                              .cs_remark = S(ro, r, 40),
                              .buyer_message = S(ro, r, 41),
                              .preorder_by = S(ro, r, 42)};
        /* its lines: a run of the line array (sorted by trade_id; the orders are sorted by customer first) */
        size_t lo = 0, hi = nline;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (lines[mid].trade_id < x->trade_id)
                lo = mid + 1;
            else
                hi = mid;
        }
        x->line0 = lo;
        while (lo < nline && lines[lo].trade_id == x->trade_id)
            lo++;
        x->nline = lo - x->line0;
    }
    /* lines are sorted by trade_id, orders by (customer, trade_id): a customer's orders are a run of rows, and
     * their lines a subset of the line array; each customer is decided over its own orders and all lines (the rules
     * only touch lines of the orders they are given) */
    for (size_t i = 0; !e && i < nord;) {
        size_t j = i;
        uint64_t cu = U(ro, (int)i, 1);
        while (j < nord && U(ro, (int)j, 1) == cu)
            j++;
        if (of_mid_decide(ords + i, j - i, lines, nline, &mc, now, &plan)) {
            e = nomem(err, size);
            break;
        }
        /* the stock this customer's plan reserved and released: the next customers of the round choose warehouses
         * by what is left (MID-SPW-03 across the round) */
        for (size_t m = 0; m < plan.nmoves && !e && (mc.split_by_wh || mc.split_preorder); m++)
            if (of_stock_add(&stock, plan.moves[m].warehouse_id, plan.moves[m].spec_id, (of_res_t)plan.moves[m].kind,
                             plan.moves[m].delta))
                e = nomem(err, size);
        if (e) break;
        moved += plan.nmoved;
        merged += plan.nmerged;
        nmoves += plan.nmoves;
        nsales += plan.nsales;
        e = write_plan(sw, ords + i, j - i, lines, nline, &plan, ro, (int)i, err, size);
        i = j;
    }
    if (!e && sw->nrs) e = write_splits(sw, db, err, size);
    if (!e) e = of_wset_flush(sw->w, err, size);
    if (!e) e = of_substore_end(sw->ss, err, size);
    if (!e) e = of_outbox_write(sw->ob, err, size);
    if (!e) {
        sw->st.customers = ncust;
        sw->st.moved = moved;
        sw->st.merged = merged;
        sw->st.stock_moves = nmoves;
        sw->st.sales_rows = nsales;
    }
    of_mid_plan_free(&plan, ords, nord);
    of_stock_free(&stock);
    free(ords);
    free(lines);
    free(keys);
    free(ps);
    of_rows_free(ro);
    of_rows_free(rl);
    return e;
}

of_err_t of_sweep_round(of_sweep_t *sw, of_sweep_stats_t *st, char *err, size_t size) {
    memset(&sw->st, 0, sizeof sw->st);
    *st = sw->st;
    int64_t now = of_cfg_platform_now(sw->cfg);
    char nw[32];
    of_time_format(now, nw, sizeof nw);
    long long lim = (long long)sw->batch * 4;
    of_param_t p[] = {OFP_S(nw), OFP_I(lim), OFP_I(lim), OFP_I(lim)};
    of_rows_t *rows = NULL;
    of_err_t e = of_db_query(sw->db, sw->q_cand, p, 4, &rows, err, size);
    if (e) return e;
    sw->ncands = 0;
    uint64_t *c = realloc(sw->cands, ((size_t)rows->nrows + 1) * sizeof *c);
    if (!c) {
        of_rows_free(rows);
        return nomem(err, size);
    }
    sw->cands = c;
    int64_t mono = of_mono_ms();
    for (int r = 0; r < rows->nrows; r++) {
        uint64_t cu = U(rows, r, 0);
        int aside = 0;
        for (size_t q = 0; q < sw->nquarantine && !aside; q++)
            aside = sw->quarantine[q].customer == cu && sw->quarantine[q].until_ms > mono;
        if (!aside) c[sw->ncands++] = cu;
    }
    of_rows_free(rows);
    sw->st.candidates = sw->ncands;
    sw->st.full = sw->ncands >= sw->batch;
    if (!sw->ncands) {
        *st = sw->st;
        return OF_OK;
    }
    /* shuffle (D-MID-1): instances reading the same candidates lock different ones first */
    for (size_t i = sw->ncands - 1; i > 0; i--) {
        size_t j = (size_t)rand() % (i + 1);
        uint64_t t = c[i];
        c[i] = c[j];
        c[j] = t;
    }
    if ((e = of_db_plain(sw->db, SQL_LOCK_WAIT, err, size)))
        return e;                                      /* kept per session: set again after a reconnect */
    of_cat_snap_t *snap = of_catcache_acquire(sw->cc); /* the catalogue, outside the transaction */
    if (!snap) return of_seterr(err, size, OF_ERR_TRANSIENT, "catalogue unavailable");
    sw->snap = snap;
    sw->tried = 0;
    e = of_db_tx(sw->db, round_tx, sw, err, size);
    sw->snap = NULL;
    if (sw->solo) sw->solo--;
    if (e && e != OF_ERR_TRANSIENT && e != OF_ERR_NOMEM) {
        if (sw->tried) { /* D-MID-19: this customer alone fails: set it aside, the others go on */
            size_t q = 0;
            while (q < sw->nquarantine && sw->quarantine[q].until_ms > mono)
                q++;
            if (q == sw->nquarantine && sw->nquarantine < sizeof sw->quarantine / sizeof sw->quarantine[0])
                sw->nquarantine++;
            if (q < sw->nquarantine) {
                sw->quarantine[q].customer = sw->tried;
                sw->quarantine[q].until_ms = mono + QUARANTINE_MS;
            }
            of_error("sweep: a customer's orders cannot be moved; set aside for 10 minutes",
                     OF_U("customer_id", sw->tried), OF_S("error", err), OF_END);
        } else if (!sw->solo) { /* find the customer: one a round for the next candidates */
            sw->solo = sw->batch * 4;
        }
    }
    of_substore_discard(sw->ss);
    if (!e) {
        of_outbox_flush(sw->ob);
    } else {
        of_outbox_discard(sw->ob);
        memset(&sw->st, 0, sizeof sw->st);
    }
    of_cat_snap_release(snap);
    *st = sw->st;
    st->candidates = sw->ncands;
    return e;
}
