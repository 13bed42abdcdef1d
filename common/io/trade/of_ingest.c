/* of_ingest.c -- trade-submit's batch handler: raw trades in, api_trade rows and TradeChange events out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "of_rkey.h"
#include "of_catcache.h"
#include "of_dlq.h"
#include "of_ingest.h"
#include "of_log.h"
#include "of_metrics.h"
#include "of_ledger.h"
#include "of_outbox.h"
#include "of_rawtrade.h"
#include "of_resubmit.h"
#include "of_sub.h"
#include "of_substore.h"
#include "of_topics.h"
#include "of_tradestore.h"
#include "order.pb-c.h"

#define SHOP_CACHE 256

static const char SQL_SHOP[] = "SELECT shop_id FROM cfg_shop WHERE platform_id = ? AND shop_no = ?";
typedef struct {
    int platform_id;
    char shop_no[OF_RT_MAX_ID + 1];
    uint32_t shop_id; /* 0 = unknown */
} shop_entry_t;

struct of_ingest_s {
    const of_config_t *cfg;
    of_db_t *db;
    of_redis_t *redis;
    of_producer_t *p;
    of_tradestore_t *ts;
    of_outbox_t *ob;
    char consumer[128];
    int st_shop;
    of_ledger_t lg; /* the idempotency ledger (D-T10-11): per segment, one read and one multi-row insert */
    shop_entry_t shops[SHOP_CACHE];
    int nshops;
    int redis_warned;
    int64_t last_sweep_ms, last_prune_ms, prune_wait_ms;
    /* submission (trade-rules §2, §3): the configuration cache (an immutable snapshot, D-T10-30) and the order
     * writer */
    of_catcache_t *cc;
    of_substore_t *ss;
    of_resubmit_t *rs; /* the automatic re-submission (OF_RESUBMIT_AUTO) */
    int lane;          /* OF_WORKER_LANES: lane 0 does the instance's upkeep (ledger retention, re-submission) */
};

enum { IT_PENDING, IT_DUP, IT_DEAD, IT_DONE };
typedef struct {
    rd_kafka_message_t *m;
    Orderfleet__RawTrade *t;
    uint32_t shop_id;
    int state;
    of_ts_outcome_t outcome;
    of_ts_item_t ts; /* the stored raw trade (ts.raw_id: api_trade.rec_id) */
    of_subjob_t job; /* submission result (job.raw set = submitted in this batch) */
} item_t;

typedef struct {
    of_ingest_t *in;
    item_t *items;
    int n;
    int only;            /* -1 = every pending item, else that one */
    of_cat_snap_t *snap; /* the catalogue this batch runs on (a reference) */
    int runs;            /* times tx_body ran for this transaction: a retried one goes one item per segment */
    /* per segment (scratch, n each) */
    int *seg;
    of_ts_item_t **tsp;
    of_subjob_t **jobs;
    const char **eids;
    uint8_t *seen;
    of_ledger_row_t *lrows;
} txctx_t;

of_ingest_t *of_ingest_new(const of_config_t *cfg, of_db_t *db, of_redis_t *redis, of_producer_t *producer,
                           const char *consumer, char *errstr, size_t errstr_size) {
    of_ingest_t *in = calloc(1, sizeof *in);
    if (!in) return NULL;
    in->cfg = cfg;
    in->db = db;
    in->redis = redis;
    in->p = producer;
    snprintf(in->consumer, sizeof in->consumer, "%s", consumer);
    in->ts = of_tradestore_new(db);
    in->ob = of_outbox_new(db, producer);
    in->st_shop = of_db_register(db, SQL_SHOP);
    int multi_bad = of_ledger_init(db, &in->lg);
    in->cc = of_catcache_new(cfg, db);
    in->ss = of_substore_new(db, cfg);
    in->rs = of_resubmit_new(db);
    if (strlen(consumer) > 64) { /* processed_event.consumer */
        of_seterr(errstr, errstr_size, OF_ERR_CONFIG, "OF_KAFKA_GROUP: longer than 64 characters");
        of_ingest_destroy(in);
        return NULL;
    }
    if (*of_cfg_str(cfg, OF_CFG_PLATFORM_NOW) && !of_rawtrade_time_ok(of_cfg_str(cfg, OF_CFG_PLATFORM_NOW), 0)) {
        of_seterr(errstr, errstr_size, OF_ERR_CONFIG, "OF_PLATFORM_NOW: not a YYYY-MM-DD HH:MM:SS time");
        of_ingest_destroy(in);
        return NULL;
    }
    if (strlen(of_cfg_str(cfg, OF_CFG_REDIS_PREFIX)) > 64) {
        of_seterr(errstr, errstr_size, OF_ERR_CONFIG, "OF_REDIS_PREFIX: longer than 64 characters");
        of_ingest_destroy(in);
        return NULL;
    }
    if (!in->ts || !in->ob || !in->cc || !in->ss || !in->rs || in->st_shop < 0 || multi_bad) {
        of_seterr(errstr, errstr_size, OF_ERR_NOMEM, "cannot set up the trade store");
        of_ingest_destroy(in);
        return NULL;
    }
    return in;
}

void of_ingest_destroy(of_ingest_t *in) {
    if (!in) return;
    of_tradestore_destroy(in->ts);
    of_outbox_destroy(in->ob);
    of_catcache_destroy(in->cc);
    of_substore_destroy(in->ss);
    of_resubmit_destroy(in->rs);
    free(in);
}

/* Shop id of (platform, shop_no): cache, else the database. *idp = 0 when the shop is unknown. */
static of_err_t resolve_shop(of_ingest_t *in, int platform_id, const char *shop_no, uint32_t *idp) {
    for (int i = 0; i < in->nshops; i++)
        if (in->shops[i].platform_id == platform_id && !strcmp(in->shops[i].shop_no, shop_no)) {
            *idp = in->shops[i].shop_id;
            return OF_OK;
        }
    char err[256];
    of_rows_t *rows;
    of_param_t p[] = {OFP_I(platform_id), OFP_S(shop_no)};
    of_err_t e = of_db_query(in->db, in->st_shop, p, 2, &rows, err, sizeof err);
    if (e) {
        of_warn("shop lookup failed", OF_S("error", err), OF_END);
        return OF_ERR_TRANSIENT;
    }
    *idp = rows->nrows ? (uint32_t)of_rows_i64(rows, 0, 0) : 0;
    of_rows_free(rows);
    if (in->nshops < SHOP_CACHE && *idp) { /* unknown shops are not cached: a new shop works at once */
        shop_entry_t *s = &in->shops[in->nshops++];
        s->platform_id = platform_id;
        snprintf(s->shop_no, sizeof s->shop_no, "%s", shop_no);
        s->shop_id = *idp;
    }
    return OF_OK;
}

static void dedupe_key(of_ingest_t *in, const char *event_id, char *buf, size_t size) {
    of_rkey_dedupe(buf, size, of_cfg_str(in->cfg, OF_CFG_REDIS_PREFIX), in->consumer, event_id);
}

/* Redis fast path: events already marked done are replays (one GET per event, pipelined: the keys are in different
 * hash slots, docs/scaling.md). Redis trouble only disables the fast path. */
static void redis_skip_done(of_ingest_t *in, item_t *it, int n) {
    if (!in->redis) return;
    const char **kp = calloc((size_t)n + 1, sizeof *kp);
    char(*keys)[512] = calloc((size_t)n + 1, sizeof *keys);
    int *idx = calloc((size_t)n + 1, sizeof *idx);
    uint8_t *done = calloc((size_t)n + 1, 1);
    int k = 0;
    if (!kp || !keys || !idx || !done) goto out;
    for (int i = 0; i < n; i++)
        if (it[i].state == IT_PENDING) {
            dedupe_key(in, it[i].t->meta->event_id, keys[k], sizeof keys[k]);
            idx[k] = i;
            kp[k] = keys[k];
            k++;
        }
    char err[256];
    if (!k) goto out;
    if (of_redis_match_many(in->redis, kp, k, "done", done, err, sizeof err)) {
        if (!in->redis_warned++) of_warn("redis unavailable: dedupe fast path off", OF_S("error", err), OF_END);
        goto out;
    }
    in->redis_warned = 0;
    for (int j = 0; j < k; j++)
        if (done[j]) it[idx[j]].state = IT_DUP;
out:
    free(kp);
    free(keys);
    free(idx);
    free(done);
}

/* After commit: mark applied events done in Redis, one pipelined round trip (best effort). */
static void redis_mark_done(of_ingest_t *in, item_t *it, int n) {
    if (!in->redis) return;
    char(*keys)[512] = calloc((size_t)n, sizeof *keys);
    const char **kp = calloc((size_t)n, sizeof *kp);
    int k = 0;
    for (int i = 0; keys && kp && i < n; i++) {
        if (it[i].state != IT_DONE) continue;
        dedupe_key(in, it[i].t->meta->event_id, keys[k], sizeof keys[k]);
        kp[k] = keys[k];
        k++;
    }
    char err[256];
    if (k && of_redis_set_many(in->redis, kp, k, "done", of_cfg_int(in->cfg, OF_CFG_REDIS_DEDUPE_TTL_S) * 1000, err,
                               sizeof err))
        if (!in->redis_warned++) of_warn("redis mark-done failed", OF_S("error", err), OF_END);
    free(keys);
    free(kp);
}

static const char *outcome_name(of_ts_outcome_t o) {
    switch (o) {
    case OF_TS_INSERTED:
        return "inserted";
    case OF_TS_CHANGED:
        return "changed";
    case OF_TS_STALE:
        return "stale";
    case OF_TS_RESUBMIT:
        return "resubmitted";
    case OF_TS_NOT_STOPPED:
        return "not-stopped";
    default:
        return "unchanged";
    }
}

/* TradeChange for a changed raw trade, through the outbox (published after the commit). */
static of_err_t change_event(of_ingest_t *in, item_t *it, char *errstr, size_t size) {
    Orderfleet__RawTrade *t = it->t;
    const char *eid = t->meta->event_id;
    Orderfleet__TradeChange *chg = &it->ts.chg;
    char ceid[160], key[160], prod[160];
    snprintf(ceid, sizeof ceid, "tc-%s", eid);
    of_rawtrade_key(t, key, sizeof key); /* D-MOD-26: the buyer's, as on trade.raw */
    snprintf(prod, sizeof prod, "trade-submit@%s", of_cfg_str(in->cfg, OF_CFG_INSTANCE_ID));
    Orderfleet__EventMeta meta = ORDERFLEET__EVENT_META__INIT;
    meta.event_id = ceid;
    meta.occurred_at_ms = of_now_ms();
    meta.producer = prod;
    meta.causation_id = (char *)eid;
    meta.schema_version = 1;
    chg->meta = &meta;
    chg->platform_id = t->platform_id;
    chg->shop_no = t->shop_no;
    chg->tid = t->tid;
    size_t len = orderfleet__trade_change__get_packed_size(chg);
    uint8_t *buf = malloc(len ? len : 1);
    of_err_t err;
    if (!buf)
        err = of_seterr(errstr, size, OF_ERR_NOMEM, "out of memory");
    else {
        orderfleet__trade_change__pack(chg, buf);
        err = of_outbox_stage(in->ob, OF_TOPIC_TRADE_CHANGED, ceid, key, strlen(key), buf, len, errstr, size);
        free(buf);
    }
    chg->meta = NULL;
    chg->shop_no = chg->tid = NULL;
    return err;
}

/* CREATED order event for a submitted raw trade, through the outbox (published after the commit). */
static of_err_t order_event(of_ingest_t *in, const item_t *it, char *errstr, size_t size) {
    char eid[160], key[48], no[40], prod[160];
    snprintf(eid, sizeof eid, "oc-%s", it->t->meta->event_id);
    snprintf(no, sizeof no, "JY%llu", (unsigned long long)it->ts.raw_id);
    snprintf(key, sizeof key, "%llu", (unsigned long long)it->job.trade_id);
    snprintf(prod, sizeof prod, "trade-submit@%s", of_cfg_str(in->cfg, OF_CFG_INSTANCE_ID));
    Orderfleet__EventMeta meta = ORDERFLEET__EVENT_META__INIT;
    meta.event_id = eid;
    meta.occurred_at_ms = of_now_ms();
    meta.producer = prod;
    meta.causation_id = it->t->meta->event_id;
    meta.schema_version = 1;
    Orderfleet__OrderEvent ev = ORDERFLEET__ORDER_EVENT__INIT;
    ev.meta = &meta;
    ev.kind = ORDERFLEET__ORDER_EVENT__KIND__CREATED;
    ev.order_id = it->job.trade_id;
    ev.order_no = no;
    ev.to_status = it->job.status;
    char *tids[1] = {it->t->tid};
    ev.n_src_tids = 1;
    ev.src_tids = tids;
    ev.warehouse_id = it->job.warehouse_id;
    size_t len = orderfleet__order_event__get_packed_size(&ev);
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf) return of_seterr(errstr, size, OF_ERR_NOMEM, "out of memory");
    orderfleet__order_event__pack(&ev, buf);
    of_err_t err = of_outbox_stage(in->ob, OF_TOPIC_ORDER_EVENTS, eid, key, strlen(key), buf, len, errstr, size);
    free(buf);
    return err;
}

/* The segment key of a trade or an event: ASCII letters folded (the columns compare without case). */
static int same_key(const char *a, const char *b) {
    return !strcasecmp(a, b);
}

/* The segment that starts at item `from`: pending items up to the first one whose trade (platform_id, tid) or event
 * id is in it already (that later version is stored, and becomes a change, only after this one is submitted: §3).
 * One item when serial. Returns the count; c->seg holds their indexes; *nextp is where the next one starts. */
static int segment(txctx_t *c, int from, int serial, int *nextp) {
    int m = 0, i = from;
    for (; i < c->n; i++) {
        if (c->only >= 0 && i != c->only) continue;
        const item_t *it = &c->items[i];
        if (it->state != IT_PENDING) continue;
        if (serial && m) break;
        int clash = 0;
        for (int j = 0; j < m && !clash; j++) {
            const Orderfleet__RawTrade *o = c->items[c->seg[j]].t;
            clash = (o->platform_id == it->t->platform_id && same_key(o->tid, it->t->tid)) ||
                    same_key(o->meta->event_id, it->t->meta->event_id);
        }
        if (clash) break;
        c->seg[m++] = i;
    }
    *nextp = i;
    return m;
}

static const char *outcome_of(const item_t *it) {
    return it->ts.outcome == OF_TS_INSERTED || it->ts.outcome == OF_TS_CHANGED ? "applied"
                                                                               : outcome_name(it->ts.outcome);
}

/* One segment: the ledger, the raw trades, the submission, the events. */
static of_err_t run_segment(txctx_t *c, int m, int64_t now, char *errstr, size_t size) {
    of_ingest_t *in = c->in;
    of_err_t err;
    /* 1. events processed before (a redelivery or a replay): skipped */
    for (int j = 0; j < m; j++)
        c->eids[j] = c->items[c->seg[j]].t->meta->event_id;
    if ((err = of_ledger_seen(in->db, &in->lg, in->consumer, c->eids, m, c->seen, errstr, size))) return err;
    for (int j = 0; j < m; j++)
        if (c->seen[j]) c->items[c->seg[j]].state = IT_DUP;
    /* 2. the raw trades */
    int k = 0;
    for (int j = 0; j < m; j++) {
        item_t *it = &c->items[c->seg[j]];
        if (it->state != IT_PENDING) continue;
        it->ts.t = it->t;
        it->ts.shop_id = it->shop_id;
        it->ts.event_id = it->t->meta->event_id;
        it->ts.resubmit = it->t->resubmit;
        c->tsp[k++] = &it->ts;
    }
    if (!k) return OF_OK;
    if ((err = of_tradestore_apply_batch(in->ts, c->tsp, (size_t)k, errstr, size))) return err;
    /* 3. the ledger: one row per event, with its outcome; changes out through the outbox */
    int np = 0, nj = 0;
    for (int j = 0; j < m; j++) {
        item_t *it = &c->items[c->seg[j]];
        if (it->state != IT_PENDING) continue;
        it->state = IT_DONE;
        c->lrows[np++] = (of_ledger_row_t){.event_id = it->t->meta->event_id,
                                           .topic = rd_kafka_topic_name(it->m->rkt),
                                           .partition = it->m->partition,
                                           .offset = it->m->offset,
                                           .outcome = outcome_of(it)};
        if (it->ts.outcome == OF_TS_CHANGED && (err = change_event(in, it, errstr, size))) return err;
        if (it->ts.outcome != OF_TS_INSERTED && it->ts.outcome != OF_TS_RESUBMIT) continue;
        /* trade-rules §3: a new raw trade becomes a system order right after it is stored; a stopped one when a
         * resubmit request asks for it (its stored version: OP-10, D-RS-1) */
        it->job = (of_subjob_t){.raw = it->ts.outcome == OF_TS_RESUBMIT ? it->ts.stored : it->t,
                                .raw_id = it->ts.raw_id,
                                .shop_id = it->shop_id,
                                .order_ids = it->ts.order_ids,
                                .event_id = it->t->meta->event_id};
        c->jobs[nj++] = &it->job;
    }
    err = of_ledger_record(in->db, &in->lg, in->consumer, c->lrows, np, errstr, size);
    if (err == OF_ERR_DUPLICATE) return OF_ERR_TRANSIENT; /* processed meanwhile by another instance: read again */
    if (err) return err;
    /* 4. the submission, then each order's CREATED event */
    if (nj && (err = of_substore_submit(in->ss, c->jobs, (size_t)nj, now, errstr, size))) return err;
    for (int j = 0; j < m; j++) {
        item_t *it = &c->items[c->seg[j]];
        if (it->state == IT_DONE && it->job.raw && it->job.trade_id && (err = order_event(in, it, errstr, size)))
            return err;
    }
    return OF_OK;
}

static of_err_t tx_body(of_db_t *db, void *vctx, char *errstr, size_t size) {
    (void)db;
    txctx_t *c = vctx;
    of_ingest_t *in = c->in;
    of_outbox_discard(in->ob); /* a retried transaction starts clean */
    /* Platform goods the submission adds go to the batch's overlay (emptied here), merged only after the commit
     * (cat_commit) */
    of_substore_begin(in->ss, c->snap);
    int64_t now = of_cfg_platform_now(in->cfg);
    /* A retried transaction (a deadlock, a duplicate key raced by another instance ...) runs one item per segment:
     * exact and slower, once. */
    int serial = c->runs++ > 0;
    for (int i = 0; i < c->n; i++) {
        if (c->only >= 0 && i != c->only) continue;
        item_t *it = &c->items[i];
        if (it->state != IT_PENDING && it->state != IT_DONE) continue;
        it->state = IT_PENDING;
        it->job.raw = NULL;
        it->job.trade_id = 0;
    }
    for (int from = 0, next; from < c->n; from = next) {
        int m = segment(c, from, serial, &next);
        if (!m) continue;
        of_err_t err = run_segment(c, m, now, errstr, size);
        if (err) return err;
    }
    of_err_t err = of_substore_end(in->ss, errstr, size);
    return err ? err : of_outbox_write(in->ob, errstr, size); /* the batch's events, one multi-row insert */
}

static void dead(of_msg_result_t *r, item_t *it, const char *klass, const char *fmt, const char *detail) {
    r->dead = 1;
    r->klass = klass;
    snprintf(r->reason, sizeof r->reason, fmt, detail);
    if (it->t) /* named in the worker's log line */
        of_worker_result_about(r, it->t->meta ? it->t->meta->event_id : NULL, "tid", it->t->tid);
    it->state = IT_DEAD;
}

static void log_item(const item_t *it) {
    if (it->state == IT_DUP) {
        of_debug("replay skipped", OF_S("event_id", it->t->meta->event_id), OF_S("tid", it->t->tid), OF_END);
        return;
    }
    if (it->state != IT_DONE) return;
    if (it->ts.outcome == OF_TS_NOT_STOPPED) {
        of_info("resubmit request: the raw trade is not stopped, nothing to do",
                OF_S("event_id", it->t->meta->event_id), OF_S("tid", it->t->tid), OF_U("raw_id", it->ts.raw_id),
                OF_END);
        return;
    }
    if (it->job.raw && it->job.trade_id)
        of_info("order created", OF_S("event_id", it->t->meta->event_id), OF_S("tid", it->t->tid),
                OF_U("order_id", it->job.trade_id), OF_I("status", it->job.status),
                OF_U("warehouse_id", it->job.warehouse_id), OF_END);
    else if (it->job.raw)
        of_warn("raw trade not submitted", OF_S("event_id", it->t->meta->event_id), OF_S("tid", it->t->tid),
                OF_U("raw_id", it->ts.raw_id), OF_S("rule", it->job.stop_rule), OF_S("reason", it->job.stop_reason),
                OF_END);
    if (it->ts.outcome == OF_TS_RESUBMIT) return;
    if (it->ts.outcome == OF_TS_STALE) of_metric_add(OF_M_STALE, 1);
    of_log(it->ts.outcome == OF_TS_INSERTED ? OF_LOG_DEBUG : OF_LOG_INFO, "raw trade stored",
           OF_S("event_id", it->t->meta->event_id), OF_S("tid", it->t->tid), OF_I("platform_id", it->t->platform_id),
           OF_S("outcome", outcome_name(it->ts.outcome)), OF_END);
}

/* After a batch: the platform goods a committed transaction wrote are published (of_catcache_commit); the overlay is
 * dropped either way. */
static void cat_commit(of_ingest_t *in, txctx_t *c, int committed) {
    size_t n;
    const of_api_goods_t *rows = of_cat_overlay_rows(of_substore_overlay(in->ss), &n);
    of_catcache_commit(in->cc, &c->snap, committed, rows, n);
    of_substore_discard(in->ss);
}

of_err_t of_ingest_batch(void *ctx, rd_kafka_message_t **msgs, int n, of_msg_result_t *res) {
    of_ingest_t *in = ctx;
    item_t *items = calloc((size_t)n, sizeof *items);
    if (!items) return OF_ERR_TRANSIENT;
    of_err_t rc = OF_OK;
    char err[400];

    /* 1. decode and validate (pure) */
    for (int i = 0; i < n; i++) {
        item_t *it = &items[i];
        it->m = msgs[i];
        it->t = orderfleet__raw_trade__unpack(NULL, msgs[i]->len, msgs[i]->payload);
        if (!it->t) {
            dead(&res[i], it, "decode", "%s", "value is not a RawTrade protobuf message");
            continue;
        }
        if (!it->t->meta || !it->t->meta->event_id || !*it->t->meta->event_id) {
            dead(&res[i], it, "validation", "%s", "meta.event_id: required");
            continue;
        }
        if (strlen(it->t->meta->event_id) > 100 ||
            strspn(it->t->meta->event_id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-") !=
                strlen(it->t->meta->event_id)) {
            dead(&res[i], it, "validation", "%s", "meta.event_id: must be 1..100 of [A-Za-z0-9._:-]");
            continue;
        }
        if (of_rawtrade_wire_check(msgs[i]->payload, msgs[i]->len, err, sizeof err) ||
            (it->t->resubmit ? of_rawtrade_validate_resubmit(it->t, err, sizeof err)
                             : of_rawtrade_validate(it->t, err, sizeof err))) {
            dead(&res[i], it, "validation", "%s", err);
            continue;
        }
    }
    /* 2. replays known to Redis */
    redis_skip_done(in, items, n);
    /* 3. shops */
    for (int i = 0; i < n; i++) {
        item_t *it = &items[i];
        if (it->state != IT_PENDING) continue;
        if (resolve_shop(in, it->t->platform_id, it->t->shop_no, &it->shop_id)) {
            rc = OF_ERR_TRANSIENT;
            goto out;
        }
        if (!it->shop_id) {
            snprintf(err, sizeof err,
                     "unknown shop: platform_id=%d shop_no=%s (add it to cfg_shop, then publish the trade again)",
                     it->t->platform_id, it->t->shop_no);
            dead(&res[i], it, "unknown_ref", "%s", err);
        }
    }
    /* 4. one transaction for the batch; on a permanent error, one per message to find the poison one. A resubmit
     * request follows a configuration change: the catalogue is checked first, whatever the time since the last
     * check. */
    for (int i = 0; i < n; i++)
        if (items[i].state == IT_PENDING && items[i].t->resubmit) {
            of_catcache_refresh(in->cc);
            break;
        }
    of_cat_snap_t *snap = of_catcache_acquire(in->cc); /* the catalogue, outside the transaction */
    if (!snap) {
        rc = OF_ERR_TRANSIENT;
        goto out;
    }
    txctx_t c = {.in = in, .items = items, .n = n, .only = -1, .snap = snap};
    c.seg = malloc((size_t)n * sizeof *c.seg);
    c.tsp = malloc((size_t)n * sizeof *c.tsp);
    c.jobs = malloc((size_t)n * sizeof *c.jobs);
    c.eids = malloc((size_t)n * sizeof *c.eids);
    c.seen = malloc((size_t)n);
    c.lrows = malloc((size_t)n * sizeof *c.lrows);
    of_err_t e = OF_ERR_TRANSIENT;
    if (!c.seg || !c.tsp || !c.jobs || !c.eids || !c.seen || !c.lrows)
        snprintf(err, sizeof err, "out of memory");
    else
        e = of_db_tx(in->db, tx_body, &c, err, sizeof err);
    cat_commit(in, &c, e == OF_OK);
    if (e && of_err_class(e) == OF_ERRCLASS_PERMANENT) {
        of_warn("batch transaction failed; retrying message by message", OF_S("error", err), OF_I("messages", n),
                OF_END);
        /* The batch rolled back: what it applied is undone and must be applied again, one by one. */
        for (int i = 0; i < n; i++)
            if (items[i].state == IT_DONE) items[i].state = IT_PENDING;
        /* Issue 10, item 1: a refusal that passes (full, read-only ... of_db_errno_blame) holds the whole batch
         * back, even when it starts in the middle of this search; a refusal whose code blames no row (the SQL,
         * the schema, an unknown code) is the message's only when the database accepts a batch-mate. */
        int applied = 0, dead_n = 0, suspects = 0;
        char why[sizeof err] = "";
        for (int i = 0; i < n && e != OF_ERR_TRANSIENT; i++) {
            if (items[i].state != IT_PENDING) continue;
            c.only = i;
            c.runs = 0;
            of_err_t e1 = of_db_tx(in->db, tx_body, &c, err, sizeof err);
            unsigned int dberr = of_db_last_errno(in->db); /* before any other call on the connection */
            cat_commit(in, &c, e1 == OF_OK);
            if (e1 == OF_OK) {
                of_outbox_flush(in->ob);
                applied += items[i].state == IT_DONE;
                continue;
            }
            of_outbox_discard(in->ob);
            if (of_err_class(e1) != OF_ERRCLASS_PERMANENT) {
                e = OF_ERR_TRANSIENT;
                continue;
            }
            if (e1 == OF_ERR_DB && of_db_errno_blame(dberr) != OF_DB_BLAME_ROW) {
                if (!suspects++) snprintf(why, sizeof why, "%s", err);
            }
            dead(&res[i], &items[i], "permanent", "database refused the trade: %s", err);
            dead_n++;
        }
        if (e != OF_ERR_TRANSIENT && suspects && !applied) {
            of_warn("database refused every message of the batch with an error that blames no row; will retry",
                    OF_S("error", why), OF_I("messages", n), OF_END);
            snprintf(err, sizeof err, "%s", why);
            e = OF_ERR_TRANSIENT;
        }
        if (e != OF_ERR_TRANSIENT) {
            of_metric_add(OF_M_FAILED, (uint64_t)dead_n);
            e = OF_OK;
        }
    }
    of_cat_snap_release(c.snap);
    free(c.seg);
    free(c.tsp);
    free(c.jobs);
    free(c.eids);
    free(c.seen);
    free(c.lrows);
    if (e) {
        of_outbox_discard(in->ob);
        of_warn("batch transaction failed", OF_S("error", err), OF_S("class", of_err_str(e)), OF_END);
        of_metric_add(OF_M_FAILED, 1);
        rc = OF_ERR_TRANSIENT;
        goto out;
    }
    /* 5. after commit: events out, Redis marks, logs */
    of_outbox_flush(in->ob);
    redis_mark_done(in, items, n);
    for (int i = 0; i < n; i++) {
        log_item(&items[i]);
        if (items[i].state == IT_DONE)
            of_metric_add(OF_M_PROCESSED, 1);
        else if (items[i].state == IT_DUP)
            of_metric_add(OF_M_DUPLICATE, 1);
    }
out:
    for (int i = 0; i < n; i++) {
        of_tradestore_item_clear(&items[i].ts);
        of_rawtrade_free(items[i].t);
    }
    free(items);
    return rc;
}

/* OF_RESUBMIT_AUTO: after the catalogue refresh published a change of configuration tables, request the
 * re-submission of the raw trades stopped before it by a rule it can unblock (of_unblock.h). The requests go through
 * trade.raw like `ordctl resubmit`'s; every instance may send them, their event ids make them count once. */
static void auto_resubmit(of_ingest_t *in) {
    char changed[640], err[400];
    if (!of_catcache_changes(in->cc, changed, sizeof changed) || !of_cfg_int(in->cfg, OF_CFG_RESUBMIT_AUTO)) return;
    char prod[160];
    snprintf(prod, sizeof prod, "trade-submit@%s", of_cfg_str(in->cfg, OF_CFG_INSTANCE_ID));
    of_resub_filter_t f = {.changed = changed};
    of_resub_result_t r;
    of_err_t e = of_resubmit_run(in->rs, in->p, prod, &f, &r, NULL, NULL, err, sizeof err);
    if (e) {
        of_warn("automatic resubmit failed; it runs again after the next configuration change or by hand "
                "(ordctl resubmit)",
                OF_S("tables", changed), OF_S("error", err), OF_END);
        return;
    }
    if (!r.found) return;
    char per[400] = "";
    for (size_t i = 0, len = 0; i < r.nrules && len < sizeof per; i++)
        len += (size_t)snprintf(per + len, sizeof per - len, "%s%s=%ld", i ? "," : "", r.rules[i].rule, r.rules[i].n);
    of_info("stopped trades resubmitted after a configuration change", OF_S("tables", changed), OF_S("rules", per),
            OF_I("requests", r.published), OF_END);
}

void of_ingest_set_lane(of_ingest_t *in, int lane) {
    in->lane = lane;
}

void of_ingest_tick(void *ctx) {
    of_ingest_t *in = ctx;
    int64_t now = of_now_ms();
    of_producer_poll(in->p);         /* a lane's own producer: its reports and errors also while it sends nothing */
    of_outbox_tick(in->ob, in->cfg); /* this lane's events in flight; sweep and retention of the outbox */
    if (now - in->last_sweep_ms >= of_cfg_int(in->cfg, OF_CFG_OUTBOX_SWEEP_S) * 1000) {
        in->last_sweep_ms = now;
        in->nshops = 0; /* shops renamed or removed are seen within a sweep interval */
    }
    of_catcache_tick(in->cc); /* each lane's own snapshot */
    if (in->lane) return;
    if (now - in->last_prune_ms >= in->prune_wait_ms) { /* retention of the processed-event ledger (D-T10-11) */
        in->last_prune_ms = now;
        int n = of_ledger_prune(in->db, (int)of_cfg_int(in->cfg, OF_CFG_LEDGER_RETENTION_H), 5000);
        in->prune_wait_ms = of_ledger_prune_wait_ms(n, 5000);
    }
    auto_resubmit(in);
}
