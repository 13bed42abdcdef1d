/* of_delivery_worker.c -- delivery of paid orders to merchants: claim, concurrent signed POSTs, ladder, outcome (the
 * request's pure rules are rules/delivery/of_delivery.c's). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "of_rkey.h"
#include "of_delivery.h"
#include "of_delivery_worker.h"
#include "of_dlq.h"
#include "of_http.h"
#include "of_log.h"
#include "of_metrics.h"
#include "of_money.h"
#include "of_outbox.h"
#include "of_sign.h"
#include "of_topics.h"
#include "of_trace.h"
#include "order.pb-c.h"

#define MERCHANT_CACHE 256

/* delivery.status (schema/main/010_delivery.sql) */
enum { ST_PENDING = 0, ST_IN_FLIGHT = 1, ST_DELIVERED = 2, ST_RETRYING = 3, ST_DEAD = 4 };

static const char SQL_MERCHANT[] = "SELECT merchant_no, endpoint_url, secret_ref, timeout_ms, is_enabled FROM merchant "
                                   "WHERE id = ?";
/* The claim of a batch: every new delivery row in one statement (a row already there is left as it is), then
 * every row of the batch read and locked by its idempotency key; rows to take over (a retry, a re-drive) are
 * updated together. A request whose row is not found that way (its order's row has another key) is claimed
 * alone (SQL_CLAIM_INS, SQL_CLAIM_SEL by id). */
#define CLAIM_INS_HEAD                                                                                                 \
    "INSERT INTO delivery (merchant_id, order_id, amount, payload, status, idempotency_key, event_id) VALUES "
#define CLAIM_INS_ROW "(?, ?, ?, ?, 1, ?, ?)"
static const char SQL_CLAIM_INS_HEAD[] = CLAIM_INS_HEAD;
static const char SQL_CLAIM_INS_ROW[] = CLAIM_INS_ROW;
static const char SQL_CLAIM_INS_TAIL[] = " ON DUPLICATE KEY UPDATE id = id";
#define CLAIM_COLS "id, merchant_id, order_id, status, event_id, attempts, retry_step, idempotency_key"
static const char SQL_CLAIM_SEL_HEAD[] = "SELECT " CLAIM_COLS " FROM delivery WHERE idempotency_key IN (";
static const char SQL_CLAIM_SEL_TAIL[] = ") FOR UPDATE";
static const char SQL_CLAIM_INS[] = CLAIM_INS_HEAD CLAIM_INS_ROW " ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id)";
static const char SQL_CLAIM_SEL[] = "SELECT " CLAIM_COLS " FROM delivery WHERE id = ? FOR UPDATE";
/* Multi-row updates of rows known by id, written as upserts (the unique columns repeat the row's own values, so
 * the insert part always meets its own row). */
static const char SQL_UPSERT_HEAD[] = "INSERT INTO delivery (id, merchant_id, order_id, idempotency_key, status, "
                                      "event_id, retry_step, attempts, next_attempt_at, last_error, "
                                      "last_http_status, delivered_at) VALUES ";
static const char SQL_TAKE_ROW[] = "(?, ?, ?, ?, 1, ?, ?, 0, NULL, '', 0, NULL)";
static const char SQL_TAKE_TAIL[] =
    " ON DUPLICATE KEY UPDATE status = 1, event_id = VALUES(event_id), retry_step = VALUES(retry_step)";
static const char SQL_OUTCOME_ROW[] =
    "(?, ?, ?, ?, ?, '', ?, ?, IF(? > 0, FROM_UNIXTIME(? / 1000), NULL), ?, ?, IF(? = 2, NOW(3), NULL))";
static const char SQL_OUTCOME_TAIL[] =
    " ON DUPLICATE KEY UPDATE status = VALUES(status), attempts = GREATEST(attempts, VALUES(attempts)), "
    "retry_step = VALUES(retry_step), next_attempt_at = VALUES(next_attempt_at), last_error = VALUES(last_error), "
    "last_http_status = VALUES(last_http_status), delivered_at = COALESCE(VALUES(delivered_at), delivered_at)";
static const char SQL_ATTEMPT_HEAD[] = "INSERT INTO delivery_attempt (delivery_id, attempt_no, retry_step, started_at, "
                                       "duration_ms, http_status, ok, error, worker_id) VALUES ";
static const char SQL_ATTEMPT_ROW[] = "(?, ?, ?, FROM_UNIXTIME(? / 1000), ?, ?, ?, ?, ?)";
static const char SQL_ATTEMPT_TAIL[] = " ON DUPLICATE KEY UPDATE id = id";

typedef of_dlv_item_t item_t;
typedef of_dlv_merchant_t merchant_t;

struct of_delivery_s {
    const of_config_t *cfg;
    of_db_t *db; /* the claims' (with redis: the claim thread's) */
    of_redis_t *redis;
    of_db_t *rdb; /* the records' (with rredis, the outbox, the producer: the record thread's) */
    of_redis_t *rredis;
    of_producer_t *p;
    const of_ladder_t *ladder;
    of_outbox_t *ob;
    of_http_t *http;
    char group[128], worker[200], prefix[80];
    char worker_id[65]; /* delivery_attempt.worker_id is VARCHAR(64): the instance id, cut to fit */
    int st_merchant, st_ins, st_sel;
    of_db_multi_t m_ins, m_sel, m_take, m_outcome, m_attempt;
    merchant_t merchants[MERCHANT_CACHE];
    int nmerchants;
    int redis_warned, rredis_warned;
    int64_t last_sweep_ms;
};

/* ------------------------------------------------------------------ set-up */

/* Forget the cached merchants (their URLs freed). */
static void merchants_forget(of_delivery_t *d) {
    for (int i = 0; i < d->nmerchants; i++)
        free(d->merchants[i].url);
    d->nmerchants = 0;
}

of_delivery_t *of_delivery_worker_new(const of_config_t *cfg, of_db_t *db, of_redis_t *redis, of_db_t *rdb,
                                      of_redis_t *rredis, of_producer_t *producer, const of_ladder_t *ladder,
                                      const char *group, char *errstr, size_t errstr_size) {
    of_delivery_t *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->cfg = cfg;
    d->db = db;
    d->redis = redis;
    d->rdb = rdb;
    d->rredis = rredis;
    d->p = producer;
    d->ladder = ladder;
    snprintf(d->group, sizeof d->group, "%s", group);
    snprintf(d->worker, sizeof d->worker, "delivery@%s", of_cfg_str(cfg, OF_CFG_INSTANCE_ID));
    of_utf8_trim(d->worker_id, sizeof d->worker_id,
                 snprintf(d->worker_id, sizeof d->worker_id, "%s", of_cfg_str(cfg, OF_CFG_INSTANCE_ID)));
    snprintf(d->prefix, sizeof d->prefix, "%s", of_cfg_str(cfg, OF_CFG_REDIS_PREFIX));
    d->ob = of_outbox_new(rdb, producer);
    d->http = of_http_new();
    d->st_merchant = of_db_register(db, SQL_MERCHANT);
    d->st_ins = of_db_register(db, SQL_CLAIM_INS);
    d->st_sel = of_db_register(db, SQL_CLAIM_SEL);
    if (!d->ob || !d->http || d->st_merchant < 0 || d->st_ins < 0 || d->st_sel < 0 ||
        of_db_register_multi(db, SQL_CLAIM_INS_HEAD, SQL_CLAIM_INS_ROW, SQL_CLAIM_INS_TAIL, &d->m_ins) ||
        of_db_register_multi(db, SQL_CLAIM_SEL_HEAD, "?", SQL_CLAIM_SEL_TAIL, &d->m_sel) ||
        of_db_register_multi(db, SQL_UPSERT_HEAD, SQL_TAKE_ROW, SQL_TAKE_TAIL, &d->m_take) ||
        of_db_register_multi(rdb, SQL_UPSERT_HEAD, SQL_OUTCOME_ROW, SQL_OUTCOME_TAIL, &d->m_outcome) ||
        of_db_register_multi(rdb, SQL_ATTEMPT_HEAD, SQL_ATTEMPT_ROW, SQL_ATTEMPT_TAIL, &d->m_attempt)) {
        of_seterr(errstr, errstr_size, OF_ERR_NOMEM, "cannot set up delivery (out of memory or libcurl refused)");
        of_delivery_worker_destroy(d);
        return NULL;
    }
    if (strlen(of_cfg_str(cfg, OF_CFG_REDIS_PREFIX)) > 64) {
        of_seterr(errstr, errstr_size, OF_ERR_CONFIG, "OF_REDIS_PREFIX: longer than 64 characters");
        of_delivery_worker_destroy(d);
        return NULL;
    }
    return d;
}

void of_delivery_worker_destroy(of_delivery_t *d) {
    if (!d) return;
    of_outbox_destroy(d->ob);
    of_http_destroy(d->http);
    merchants_forget(d);
    free(d);
}

/* ------------------------------------------------------------------ steps */

/* The merchant (cache, else MySQL), copied to *out (its URL the copy's own: free it); *found = 0 when unknown.
 * OF_ERR_NOMEM / OF_ERR_TRANSIENT when it cannot be known now. */
static of_err_t merchant_get(of_delivery_t *d, uint64_t id, merchant_t *out, int *found) {
    free(out->url);
    memset(out, 0, sizeof *out);
    *found = 0;
    const merchant_t *c = NULL;
    for (int i = 0; i < d->nmerchants && !c; i++)
        if (d->merchants[i].id == id) c = &d->merchants[i];
    merchant_t m = {.id = id};
    if (!c) {
        char err[256];
        of_rows_t *rows;
        of_param_t p[] = {OFP_U(id)};
        if (of_db_query(d->db, d->st_merchant, p, 1, &rows, err, sizeof err)) {
            of_warn("merchant lookup failed", OF_S("error", err), OF_END);
            return OF_ERR_TRANSIENT;
        }
        if (!rows->nrows) {
            of_rows_free(rows);
            return OF_OK; /* unknown ones are not cached: added ones work at once */
        }
        snprintf(m.no, sizeof m.no, "%s", of_rows_str(rows, 0, 0));
        m.url = strdup(of_rows_str(rows, 0, 1) ? of_rows_str(rows, 0, 1) : "");
        snprintf(m.secret_ref, sizeof m.secret_ref, "%s", of_rows_str(rows, 0, 2));
        m.timeout_ms = of_rows_i64(rows, 0, 3);
        m.enabled = (int)of_rows_i64(rows, 0, 4);
        of_rows_free(rows);
        if (!m.url) return OF_ERR_NOMEM;
        if (d->nmerchants < MERCHANT_CACHE) {
            d->merchants[d->nmerchants++] = m;
            c = &d->merchants[d->nmerchants - 1];
        } else {
            *out = m; /* the cache is full: the copy keeps the URL read */
            *found = 1;
            return OF_OK;
        }
    }
    *out = *c;
    if (!(out->url = strdup(c->url))) return OF_ERR_NOMEM;
    *found = 1;
    return OF_OK;
}

static void dead(of_msg_result_t *r, item_t *it, const char *klass, const char *reason) {
    r->dead = 1;
    r->klass = klass;
    snprintf(r->reason, sizeof r->reason, "%s", reason);
    if (it->rq) { /* named in the worker's log line and the dead letter (D-DLQ-3) */
        char ref[sizeof it->ref];
        of_worker_result_about(r, it->rq->meta ? it->rq->meta->event_id : NULL, "order",
                               *it->ref ? it->ref : of_delivery_ref(it->rq, ref, sizeof ref));
    }
    it->state = IT_DEAD;
}

static void rkey(of_delivery_t *d, const char *ref, const char *what, char *buf, size_t size) {
    of_rkey_delivery(buf, size, d->prefix, ref, what); /* one hash tag: the order's keys share a slot */
}

/* Keys and arguments of one script call per item, in one block (of_redis_eval_many's layout). */
typedef struct {
    char (*keys)[2][256];
    const char **kv, **av;
    char (*num)[3][32];
    int *who; /* index of the item of each call */
    int n;
} rcalls_t;

static int rcalls_init(rcalls_t *rc, int n, int nargs) {
    memset(rc, 0, sizeof *rc);
    rc->keys = calloc((size_t)n + 1, sizeof *rc->keys);
    rc->kv = calloc((size_t)n * 2 + 1, sizeof *rc->kv);
    rc->av = calloc((size_t)n * (size_t)nargs + 1, sizeof *rc->av);
    rc->num = calloc((size_t)n + 1, sizeof *rc->num);
    rc->who = calloc((size_t)n + 1, sizeof *rc->who);
    return rc->keys && rc->kv && rc->av && rc->num && rc->who ? 0 : -1;
}

static void rcalls_free(rcalls_t *rc) {
    free(rc->keys);
    free(rc->kv);
    free(rc->av);
    free(rc->num);
    free(rc->who);
}

/* DLV-2 in Redis for every pending item, one pipelined round trip: register the order's data and claim it for
 * this event. 3 = a duplicate notify (skip). Redis trouble only disables the fast path: MySQL decides. */
static void redis_notify_all(of_delivery_t *d, item_t **items, int n) {
    if (!d->redis) return;
    enum { NARGS = 8 };
    rcalls_t rc = {0};
    long long *v = calloc((size_t)n + 1, sizeof *v);
    char err[256], ttl[32];
    if (!v || rcalls_init(&rc, n, NARGS)) {
        free(v);
        rcalls_free(&rc);
        return; /* out of memory: MySQL decides */
    }
    snprintf(ttl, sizeof ttl, "%lld", of_cfg_int(d->cfg, OF_CFG_REDIS_DEDUPE_TTL_S) * 1000);
    for (int i = 0; i < n; i++) {
        item_t *it = items[i];
        if (it->state != IT_PENDING) continue;
        int k = rc.n++;
        rc.who[k] = i;
        rkey(d, it->ref, "order", rc.keys[k][0], sizeof rc.keys[k][0]);
        rkey(d, it->ref, "claim", rc.keys[k][1], sizeof rc.keys[k][1]);
        rc.kv[k * 2] = rc.keys[k][0];
        rc.kv[k * 2 + 1] = rc.keys[k][1];
        of_money_fmt(it->rq->cash, rc.num[k][0], sizeof rc.num[k][0]);
        snprintf(rc.num[k][1], sizeof rc.num[k][1], "%llu", (unsigned long long)it->rq->merchant_id);
        const char *a[NARGS] = {rc.num[k][0], it->rq->meta->event_id, ttl,    it->ref,
                                "merchant",   rc.num[k][1],           "idem", it->idem};
        memcpy(&rc.av[(size_t)k * NARGS], a, sizeof a);
    }
    of_err_t e = of_redis_eval_many(d->redis, OF_LUA_DELIVERY_NOTIFY, rc.n, 2, rc.kv, NARGS, rc.av, v, err, sizeof err);
    if (e == OF_ERR_TRANSIENT || e == OF_ERR_NOMEM || e == OF_ERR_INVALID) {
        if (!d->redis_warned++) of_warn("redis unavailable: claims decided by MySQL alone", OF_S("error", err), OF_END);
    } else {
        if (e) of_warn("redis notify script failed for some orders", OF_S("error", err), OF_END);
        d->redis_warned = 0;
        for (int k = 0; k < rc.n; k++)
            if (v[k] == 3) {
                items[rc.who[k]]->state = IT_DUP;
                items[rc.who[k]]->dup_why = "duplicate notify (order claimed by another event)";
            }
    }
    free(v);
    rcalls_free(&rc);
}

/* After the outcomes are recorded, one pipelined round trip per script: DLV-4 for the delivered ones (drop data
 * and claim) and the release of the claim for the dead ones. want[i]: 1 delivered, 2 dead, 0 nothing. */
static void redis_after_all(of_delivery_t *d, item_t **items, const char *want, int n) {
    if (!d->rredis) return;
    rcalls_t rc = {0};
    long long *v = calloc((size_t)n + 1, sizeof *v);
    char err[256];
    if (!v || rcalls_init(&rc, n, 1)) {
        free(v);
        rcalls_free(&rc);
        return; /* the keys expire by their TTL */
    }
    for (int pass = 1; pass <= 2; pass++) {
        rc.n = 0;
        for (int i = 0; i < n; i++) {
            if (want[i] != pass) continue;
            int k = rc.n++;
            rkey(d, items[i]->ref, "order", rc.keys[k][0], sizeof rc.keys[k][0]);
            rkey(d, items[i]->ref, "claim", rc.keys[k][1], sizeof rc.keys[k][1]);
            if (pass == 1) {
                rc.kv[k * 2] = rc.keys[k][0];
                rc.kv[k * 2 + 1] = rc.keys[k][1];
                rc.av[k] = items[i]->ref;
            } else {
                rc.kv[k] = rc.keys[k][1];
                rc.av[k] = items[i]->rq->meta->event_id;
            }
        }
        of_err_t e =
            pass == 1
                ? of_redis_eval_many(d->rredis, OF_LUA_DELIVERY_DELIVERED, rc.n, 2, rc.kv, 1, rc.av, v, err, sizeof err)
                : of_redis_eval_many(d->rredis, OF_LUA_DEDUPE_RELEASE, rc.n, 1, rc.kv, 1, rc.av, v, err, sizeof err);
        if (e && !d->rredis_warned++) of_warn("redis clean-up failed", OF_S("error", err), OF_END);
    }
    free(v);
    rcalls_free(&rc);
}

typedef struct {
    of_delivery_t *d;
    item_t **items;
    int n;
} txctx_t;

/* The delivery row of an item, as read under its lock. */
typedef struct {
    uint64_t id, merchant;
    const char *order, *event, *idem;
    int status, attempts, step;
} drow_t;

static drow_t drow_at(const of_rows_t *rows, int r) {
    drow_t w = {(uint64_t)of_rows_i64(rows, r, 0), (uint64_t)of_rows_i64(rows, r, 1), of_rows_str(rows, r, 2),
                of_rows_str(rows, r, 4),           of_rows_str(rows, r, 7),           (int)of_rows_i64(rows, r, 3),
                (int)of_rows_i64(rows, r, 5),      (int)of_rows_i64(rows, r, 6)};
    if (!w.order) w.order = "";
    if (!w.event) w.event = "";
    if (!w.idem) w.idem = "";
    return w;
}

/* DLV-2 in MySQL, for item i and its locked row: this event goes on when the row is new, already its own and not
 * past this try (a redelivery after a crash), or dead (a re-drive). Otherwise a duplicate: delivered already,
 * owned by another notify, or a stale copy of an earlier try. */
static void decide(txctx_t *c, int i, const drow_t *w) {
    item_t *it = c->items[i];
    const char *eid = it->rq->meta->event_id;
    int same_order = w->merchant == it->rq->merchant_id && !strcmp(w->order, it->ref);
    int mine = !strcmp(w->event, eid);
    it->delivery_id = w->id;
    it->row_merchant = w->merchant;
    snprintf(it->row_order, sizeof it->row_order, "%s", w->order);
    snprintf(it->row_idem, sizeof it->row_idem, "%s", w->idem);
    it->attempt_no = w->attempts + 1;
    for (int j = 0; j < i && same_order; j++)
        if (c->items[j]->state == IT_CALL && c->items[j]->delivery_id == w->id) {
            it->state = IT_DUP;
            it->dup_why = "same delivery earlier in this batch";
            return;
        }
    if (!same_order) {
        it->state = IT_DEAD; /* marked; the caller fills the result */
        it->dup_why = "idempotency_key already used by another order";
    } else if (w->status == ST_DELIVERED) {
        it->state = IT_DUP;
        it->dup_why = "delivered already";
    } else if (w->status != ST_DEAD && !mine) {
        it->state = IT_DUP;
        it->dup_why = "duplicate notify (order claimed by another event)";
    } else if (w->status != ST_DEAD && it->rc.attempt - 1 < w->step) {
        it->state = IT_DUP;
        it->dup_why = "stale copy of an earlier try (a later one is on the ladder)";
    } else {
        it->state = IT_CALL;
        it->take = !(w->status == ST_IN_FLIGHT && mine && w->step == it->rc.attempt - 1);
    }
}

static int cmp_idem(const void *a, const void *b) {
    const drow_t *x = a, *y = b;
    return strcmp(x->idem, y->idem);
}

/* The 6 parameters of CLAIM_INS_ROW for an item. */
static void claim_params(const item_t *it, of_param_t *p) {
    p[0] = OFP_U(it->rq->merchant_id);
    p[1] = OFP_S(it->ref);
    p[2] = OFP_M(it->rq->cash);
    p[3] = OFP_S(it->body);
    p[4] = OFP_S(it->idem);
    p[5] = OFP_S(it->rq->meta->event_id);
}

/* The claim in MySQL (authoritative): one delivery row per (merchant, order), for the whole batch in a few
 * statements (SQL_CLAIM_INS_HEAD ...). */
static of_err_t tx_claim(of_db_t *db, void *vctx, char *errstr, size_t size) {
    txctx_t *c = vctx;
    of_delivery_t *d = c->d;
    int n = 0;
    for (int i = 0; i < c->n; i++) {
        item_t *it = c->items[i];
        if (it->by_claim) it->state = IT_PENDING; /* a retried transaction starts over */
        it->by_claim = it->take = 0;
        if (it->state == IT_PENDING) n++;
    }
    if (!n) return OF_OK;
    of_param_t *p = calloc((size_t)n * 6, sizeof *p);
    drow_t *rows_sorted = NULL;
    of_rows_t *rows = NULL;
    of_err_t err = OF_OK;
    if (!p) return of_seterr(errstr, size, OF_ERR_NOMEM, "out of memory");
    int k = 0;
    for (int i = 0; i < c->n; i++) {
        item_t *it = c->items[i];
        if (it->state != IT_PENDING) continue;
        it->by_claim = 1;
        claim_params(it, &p[k++ * 6]);
    }
    if ((err = of_db_exec_multi(db, &d->m_ins, p, n, NULL, errstr, size))) goto out;
    k = 0;
    for (int i = 0; i < c->n; i++)
        if (c->items[i]->by_claim) p[k++] = OFP_S(c->items[i]->idem);
    if ((err = of_db_query_multi(db, &d->m_sel, p, n, &rows, errstr, size))) goto out;
    if (!(rows_sorted = calloc((size_t)rows->nrows + 1, sizeof *rows_sorted))) {
        err = of_seterr(errstr, size, OF_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (int r = 0; r < rows->nrows; r++)
        rows_sorted[r] = drow_at(rows, r);
    qsort(rows_sorted, (size_t)rows->nrows, sizeof *rows_sorted, cmp_idem);
    int ntake = 0;
    for (int i = 0; i < c->n; i++) {
        item_t *it = c->items[i];
        if (!it->by_claim) continue;
        drow_t key = {.idem = it->idem};
        const drow_t *w = bsearch(&key, rows_sorted, (size_t)rows->nrows, sizeof key, cmp_idem);
        if (w) {
            decide(c, i, w);
        } else { /* the order's row has another idempotency key: claim it alone, by the row the insert met */
            uint64_t id = 0;
            of_param_t q[6];
            claim_params(it, q);
            if ((err = of_db_exec(db, d->st_ins, q, 6, NULL, &id, errstr, size))) goto out;
            of_rows_t *one;
            of_param_t qi[] = {OFP_U(id)};
            if ((err = of_db_query(db, d->st_sel, qi, 1, &one, errstr, size))) goto out;
            if (!one->nrows) {
                of_rows_free(one);
                err = of_seterr(errstr, size, OF_ERR_TRANSIENT, "delivery row %llu vanished", (unsigned long long)id);
                goto out;
            }
            drow_t w1 = drow_at(one, 0);
            decide(c, i, &w1);
            of_rows_free(one);
        }
        if (it->state == IT_CALL && it->take) ntake++;
    }
    if (ntake) { /* rows taken over: a retry, a re-drive of a dead delivery, a redelivered message */
        of_param_t *t = calloc((size_t)ntake * 6, sizeof *t);
        if (!t) {
            err = of_seterr(errstr, size, OF_ERR_NOMEM, "out of memory");
            goto out;
        }
        k = 0;
        for (int i = 0; i < c->n; i++) {
            item_t *it = c->items[i];
            if (!it->by_claim || it->state != IT_CALL || !it->take) continue;
            of_param_t r[] = {OFP_U(it->delivery_id), OFP_U(it->row_merchant),       OFP_S(it->row_order),
                              OFP_S(it->row_idem),    OFP_S(it->rq->meta->event_id), OFP_I(it->rc.attempt - 1)};
            memcpy(&t[k++ * 6], r, sizeof r);
        }
        err = of_db_exec_multi(db, &d->m_take, t, ntake, NULL, errstr, size);
        free(t);
    }
out:
    free(p);
    free(rows_sorted);
    of_rows_free(rows);
    return err;
}

/* The OrderEvent of a final outcome, staged in the outbox (written with the outcomes). */
static of_err_t add_event(of_delivery_t *d, item_t *it, int delivered, char *errstr, size_t size) {
    char eid[160], reason[700];
    if (delivered)
        snprintf(eid, sizeof eid, "dlv-%llu-delivered", (unsigned long long)it->delivery_id);
    else
        snprintf(eid, sizeof eid, "dlv-%llu-dead-%d", (unsigned long long)it->delivery_id, it->attempt_no);
    if (delivered)
        snprintf(reason, sizeof reason, "delivered to merchant %s (HTTP %ld, try %d)", it->mc->no, it->req.status,
                 it->rc.attempt);
    else
        snprintf(reason, sizeof reason, "delivery to merchant %s failed after %d tries: %.500s", it->mc->no,
                 it->rc.attempt, it->error);
    Orderfleet__EventMeta meta = ORDERFLEET__EVENT_META__INIT;
    meta.event_id = eid;
    meta.occurred_at_ms = of_now_ms();
    meta.producer = d->worker;
    meta.causation_id = it->rq->meta->event_id;
    meta.schema_version = 1;
    Orderfleet__OrderEvent ev = ORDERFLEET__ORDER_EVENT__INIT;
    ev.meta = &meta;
    ev.kind = delivered ? ORDERFLEET__ORDER_EVENT__KIND__DELIVERED : ORDERFLEET__ORDER_EVENT__KIND__DELIVERY_FAILED;
    ev.order_id = it->rq->order_id;
    ev.order_no = it->ref;
    ev.reason = reason;
    size_t len = orderfleet__order_event__get_packed_size(&ev);
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf) return of_seterr(errstr, size, OF_ERR_NOMEM, "out of memory");
    orderfleet__order_event__pack(&ev, buf);
    of_err_t err = of_outbox_stage(d->ob, OF_TOPIC_ORDER_EVENTS, eid, it->ref, strlen(it->ref), buf, len, errstr, size);
    free(buf);
    return err;
}

/* Every try and its outcome, once, for the whole batch: the attempt rows are keyed (delivery, attempt_no), so a
 * try re-made after a crash between the call and this commit is recorded once, and attempts only grows. */
static of_err_t tx_outcome(of_db_t *db, void *vctx, char *errstr, size_t size) {
    txctx_t *c = vctx;
    of_delivery_t *d = c->d;
    of_outbox_discard(d->ob);
    int n = 0;
    for (int i = 0; i < c->n; i++)
        n += c->items[i]->state == IT_CALL;
    if (!n) return OF_OK;
    enum { NA = 9, NO = 12 };
    of_param_t *a = calloc((size_t)n * NA, sizeof *a), *o = calloc((size_t)n * NO, sizeof *o);
    of_err_t err = OF_OK;
    if (!a || !o) {
        err = of_seterr(errstr, size, OF_ERR_NOMEM, "out of memory");
        goto out;
    }
    int k = 0;
    for (int i = 0; i < c->n && !err; i++) {
        item_t *it = c->items[i];
        if (it->state != IT_CALL) continue;
        int ok = it->outcome == OUT_DELIVERED;
        int status = ok ? ST_DELIVERED : it->outcome == OUT_RETRY ? ST_RETRYING : ST_DEAD;
        int step = it->outcome == OUT_RETRY ? it->rung + 1 : it->rc.attempt - 1;
        int64_t next = it->outcome == OUT_RETRY ? it->due_ms : 0;
        of_param_t ar[NA] = {OFP_U(it->delivery_id),
                             OFP_I(it->attempt_no),
                             OFP_I(it->rc.attempt - 1),
                             OFP_I(it->started_wall_ms),
                             OFP_I(it->req.duration_ms),
                             OFP_I(it->req.status),
                             OFP_I(ok),
                             OFP_S(ok ? "" : it->error),
                             OFP_S(d->worker_id)};
        of_param_t orow[NO] = {OFP_U(it->delivery_id),
                               OFP_U(it->row_merchant),
                               OFP_S(it->row_order),
                               OFP_S(it->row_idem),
                               OFP_I(status),
                               OFP_I(step),
                               OFP_I(it->attempt_no),
                               OFP_I(next),
                               OFP_I(next),
                               OFP_S(ok ? "" : it->error),
                               OFP_I(it->req.status),
                               OFP_I(status)};
        memcpy(&a[k * NA], ar, sizeof ar);
        memcpy(&o[k * NO], orow, sizeof orow);
        k++;
        if (ok || it->outcome == OUT_DEAD) err = add_event(d, it, ok, errstr, size);
    }
    if (!err) err = of_db_exec_multi(db, &d->m_attempt, a, n, NULL, errstr, size);
    if (!err) err = of_db_exec_multi(db, &d->m_outcome, o, n, NULL, errstr, size);
    if (!err) err = of_outbox_write(d->ob, errstr, size);
out:
    free(a);
    free(o);
    return err;
}

/* Build the request of a claimed item. */
/* The headers of a call (libcurl copies them when the call starts). */
typedef struct {
    char sig[80], idem[200], sign[120], merchant[120], attempt[40], event[180], order[120];
    const char *v[9];
} hdrs_t;

static of_err_t prepare_call(of_delivery_t *d, item_t *it, hdrs_t *h) {
    if (of_sign_body(it->secret, it->body, it->body_len, h->sig, sizeof h->sig)) return OF_ERR_NOMEM;
    snprintf(h->idem, sizeof h->idem, "Idempotency-Key: %s", it->idem);
    snprintf(h->sign, sizeof h->sign, "%s: %s", OF_SIGN_HEADER, h->sig);
    snprintf(h->merchant, sizeof h->merchant, "X-OF-Merchant: %s", it->mc->no);
    snprintf(h->attempt, sizeof h->attempt, "X-OF-Attempt: %d", it->rc.attempt);
    snprintf(h->event, sizeof h->event, "X-OF-Event-Id: %s", it->rq->meta->event_id);
    snprintf(h->order, sizeof h->order, "X-OF-Order: %s", it->ref);
    int k = 0;
    h->v[k++] = "Content-Type: application/json";
    h->v[k++] = h->idem;
    h->v[k++] = h->sign;
    h->v[k++] = h->merchant;
    h->v[k++] = h->attempt;
    h->v[k++] = h->event;
    h->v[k++] = h->order;
    h->v[k++] = "Expect:"; /* no 100-continue round trip */
    h->v[k] = NULL;
    memset(&it->req, 0, sizeof it->req);
    it->req.url = it->mc->url;
    it->req.body = it->body;
    it->req.body_len = it->body_len;
    it->req.headers = h->v;
    it->req.connect_timeout_ms = (long)of_cfg_int(d->cfg, OF_CFG_DELIVERY_CONNECT_TIMEOUT_MS);
    it->req.timeout_ms = it->mc->timeout_ms > 0 ? it->mc->timeout_ms : 5000;
    it->req.user = it;
    return OF_OK;
}

static void log_outcome(const item_t *it) {
    const char *eid = it->rq->meta->event_id;
    if (it->outcome == OUT_DELIVERED)
        of_info("delivered", OF_S("event_id", eid), OF_S("order", it->ref), OF_S("merchant", it->mc->no),
                OF_I("attempt", it->rc.attempt), OF_I("http_status", it->req.status),
                OF_I("duration_ms", it->req.duration_ms), OF_S("idempotency_key", it->idem), OF_END);
    else if (it->outcome == OUT_RETRY)
        of_warn("delivery failed, retry scheduled", OF_S("event_id", eid), OF_S("order", it->ref),
                OF_S("merchant", it->mc->no), OF_I("attempt", it->rc.attempt), OF_I("rung", it->rung + 1),
                OF_I("due_in_ms", it->due_ms - of_now_ms()), OF_S("error", it->error), OF_END);
    else if (it->outcome == OUT_DEAD)
        of_warn("delivery dead-lettered", OF_S("event_id", eid), OF_S("order", it->ref), OF_S("merchant", it->mc->no),
                OF_I("attempts", it->rc.attempt), OF_S("error", it->error), OF_END);
}

void of_delivery_worker_decode(of_delivery_t *d, item_t *it, rd_kafka_message_t *m) {
    char err[512];
    (void)d;
    it->m = m;
    it->state = IT_PENDING;
    of_ladder_ctx_read(m, &it->rc);
    it->rq = orderfleet__delivery_request__unpack(NULL, m->len, m->payload);
    if (!it->rq) {
        dead(&it->res, it, "decode", "value is not a DeliveryRequest protobuf message");
        return;
    }
    if (of_delivery_validate(it->rq, err, sizeof err)) {
        dead(&it->res, it, "validation", err);
        return;
    }
    of_delivery_ref(it->rq, it->ref, sizeof it->ref);
    of_delivery_idem_key(it->rq, it->ref, it->idem, sizeof it->idem);
}

of_err_t of_delivery_worker_claim(of_delivery_t *d, item_t **items, int n) {
    char err[512];
    int64_t now = of_now_ms();
    if (now - d->last_sweep_ms >= of_cfg_int(d->cfg, OF_CFG_OUTBOX_SWEEP_S) * 1000) {
        d->last_sweep_ms = now;
        merchants_forget(d); /* merchants changed or disabled are seen within a sweep interval */
    }
    /* 1. merchant (cached lookups), secret, body; a run again starts over */
    for (int i = 0; i < n; i++) {
        item_t *it = items[i];
        free(it->body);
        it->body = NULL;
        memset(&it->res, 0, sizeof it->res);
        it->state = IT_PENDING;
        it->mc = NULL;
        int found;
        of_err_t e = merchant_get(d, it->rq->merchant_id, &it->mcopy, &found);
        if (e) return e == OF_ERR_NOMEM ? e : OF_ERR_TRANSIENT;
        if (!found || !it->mcopy.enabled) {
            snprintf(err, sizeof err,
                     "unknown or disabled merchant: merchant_id=%llu (add or enable it, then re-drive)",
                     (unsigned long long)it->rq->merchant_id);
            dead(&it->res, it, "unknown_ref", err);
            continue;
        }
        it->mc = &it->mcopy;
        it->secret = getenv(it->mc->secret_ref);
        if (!it->secret || !*it->secret) {
            snprintf(err, sizeof err,
                     "merchant %s: its secret %s is not set in the environment (set it, restart, then re-drive)",
                     it->mc->no, it->mc->secret_ref);
            dead(&it->res, it, "config", err);
            continue;
        }
        if (!(it->body = of_delivery_body(it->rq, it->ref, it->mc->no, it->idem, &it->body_len)))
            return OF_ERR_TRANSIENT;
    }
    /* 2. DLV-2 claim in Redis (fast path) */
    redis_notify_all(d, items, n);
    /* 3. the claim in MySQL */
    txctx_t c = {d, items, n};
    if (of_db_tx(d->db, tx_claim, &c, err, sizeof err)) {
        of_warn("delivery claim failed", OF_S("error", err), OF_END);
        return OF_ERR_TRANSIENT;
    }
    for (int i = 0; i < n; i++)
        if (items[i]->state == IT_DEAD && !items[i]->res.dead)
            dead(&items[i]->res, items[i], "validation", items[i]->dup_why);
    return OF_OK;
}

int of_delivery_worker_call(of_delivery_t *d, item_t *it) {
    hdrs_t h;
    it->started_wall_ms = of_now_ms();
    of_err_t e = prepare_call(d, it, &h);
    if (!e) e = of_http_start(d->http, &it->req);
    it->req.headers = NULL; /* h's, copied by the start */
    if (e) {
        it->req.curl_code = 27; /* CURLE_OUT_OF_MEMORY: retriable */
        snprintf(it->req.error, sizeof it->req.error, "could not start the call (out of memory)");
        return -1;
    }
    return 0;
}

of_err_t of_delivery_worker_record(of_delivery_t *d, item_t **items, int n) {
    char err[512];
    /* 1. classify; failed tries up the ladder or to the dead letters, durable before anything is recorded */
    of_dr_batch_t b = {0};
    of_err_t se = OF_OK;
    for (int i = 0; i < n && !se; i++) {
        item_t *it = items[i];
        if (it->state != IT_CALL) continue;
        of_http_class_t k = of_http_classify(it->req.curl_code, it->req.status);
        of_http_describe(it->req.curl_code, it->req.status, it->req.error, it->req.timeout_ms, it->req.resp, it->error,
                         sizeof it->error);
        if (k == OF_HTTP_OK) {
            it->outcome = OUT_DELIVERED;
            continue;
        }
        it->rung = -1;
        if (k == OF_HTTP_RETRY &&
            (se = of_ladder_send(d->p, d->ladder, it->m, &it->rc, it->error, d->worker, &it->rung, &b)))
            break;
        if (it->rung >= 0) {
            it->outcome = OUT_RETRY;
            it->due_ms = of_ladder_due_ms(d->ladder, it->rung, of_now_ms());
            continue;
        }
        it->outcome = OUT_DEAD;
        const char *klass = k == OF_HTTP_RETRY ? "exhausted" : "permanent";
        size_t len;
        uint8_t *buf = of_dlq_pack_about(it->m, it->error, klass, d->group, d->worker, it->rc.attempt,
                                         it->rc.env ? it->rc.env->errors : NULL, it->rc.env ? it->rc.env->n_errors : 0,
                                         it->rq->meta->event_id, "order", it->ref, &len);
        se = buf ? of_ladder_send_dead(d->p, it->m, buf, len, klass, &b) : OF_ERR_NOMEM;
        free(buf);
    }
    if (of_producer_wait(d->p, &b) || se) {
        of_warn("retry or dead-letter not delivered; the outcomes will be recorded again",
                OF_S("error", b.error[0] ? b.error : of_err_str(se)), OF_END);
        return OF_ERR_TRANSIENT;
    }
    /* 2. record every try and outcome, with the order events */
    txctx_t c = {d, items, n};
    if (of_db_tx(d->rdb, tx_outcome, &c, err, sizeof err)) {
        of_outbox_discard(d->ob);
        of_warn("recording delivery outcomes failed", OF_S("error", err), OF_END);
        return OF_ERR_TRANSIENT;
    }
    of_outbox_send(d->ob); /* never waits for the previous flight: the next record runs meanwhile */
    /* 3. Redis, logs, counters */
    char *want = calloc((size_t)n + 1, 1); /* redis_after_all: 1 delivered, 2 dead */
    for (int i = 0; i < n; i++) {
        item_t *it = items[i];
        char w = 0;
        if (it->state == IT_DUP) {
            of_metric_add(OF_M_DUPLICATE, 1);
            of_info("delivery skipped", OF_S("event_id", it->rq->meta->event_id), OF_S("order", it->ref),
                    OF_S("why", it->dup_why), OF_END);
            if (!strcmp(it->dup_why, "delivered already")) w = 1;
        } else if (it->state == IT_CALL) {
            log_outcome(it);
            if (it->outcome == OUT_DELIVERED) {
                of_metric_add(OF_M_PROCESSED, 1);
                w = 1;
            } else {
                of_metric_add(OF_M_FAILED, 1);
                if (it->outcome == OUT_DEAD) {
                    of_metric_add(OF_M_DEADLETTERED, 1);
                    w = 2;
                }
            }
        }
        if (want) want[i] = w;
    }
    if (want) redis_after_all(d, items, want, n); /* out of memory: the keys expire by their TTL */
    free(want);
    return OF_OK;
}

void of_delivery_worker_item_clear(item_t *it) {
    if (it->rq) orderfleet__delivery_request__free_unpacked(it->rq, NULL);
    it->rq = NULL;
    of_ladder_ctx_clear(&it->rc);
    free(it->body);
    it->body = NULL;
    free(it->mcopy.url);
    it->mcopy.url = NULL;
}

of_http_t *of_delivery_worker_http(of_delivery_t *d) {
    return d->http;
}

void of_delivery_worker_tick(of_delivery_t *d) {
    of_outbox_tick(d->ob, d->cfg); /* also sends what of_outbox_send left, once the flight before has landed */
}
