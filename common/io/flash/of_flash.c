/* of_flash.c -- the flash worker's I/O (FS-2…FS-6): live job records in Redis, orders in one transaction a batch. */
#include "of_rkey.h"
#include "of_flash.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "flash.pb-c.h"
#include "of_admin.h"
#include "of_array.h"
#include "of_fsjob.h"
#include "of_fsorder.h"
#include "of_fsreq.h"
#include "of_log.h"
#include "of_metrics.h"
#include "of_money.h"
#include "of_time.h"

#define MAX_REAP 256

struct of_flash_s {
    const of_config_t *cfg;
    of_db_t *db;
    of_redis_t *rd;
    of_db_multi_t r_job, r_idem, r_batch, r_buyer, r_new, r_lost, w_order, w_batch, w_job, w_reap;
    int64_t ttl_ms, backoff_ms, keep_ms;
    int attempts_max;
    char prefix[64];
    int64_t last_reap;
};

typedef struct {
    Orderfleet__FlashJob *j;
    char key[128];
    char delivery[64]; /* pid:partition:offset: a retried batch is the same attempt, another delivery a new one */
    long long started; /* fsjob_start.lua: n ≥ 1 attempt n, 0 replay, -n exhausted */
    /* decided in the transaction (reset on every run of it) */
    int dup;      /* the same job earlier in the batch: answers what that one got */
    int keydup;   /* D-FS-15: a job earlier in the batch with the same Idempotency-Key made the order: this one
                     completes with it */
    int bound;    /* D-FS-15: fs_job holds the key on another job, which made the order: this one completes with it */
    int recorded; /* fs_job holds its final record already (a replay, or failed by the TTL check) */
    int complete; /* 1 complete, 0 failed */
    of_fs_reason_t why;
    uint64_t order_id;
    int64_t amount;
    int attempts;
    char code[48];
    char error[40];
    int order_row; /* its row in the order insert, -1 none */
} item_t;

static const char *R_JOB_HEAD = "SELECT job_id, state, IFNULL(result_order_id, 0), error, attempts_made FROM fs_job "
                                "WHERE job_id IN (";
static const char *R_BATCH_HEAD =
    "SELECT id, merchant_id, unit_price, total_num, sell_num, limit_unpaid_per_buyer, limit_per_order, "
    "limit_per_buyer, ROUND(UNIX_TIMESTAMP(start_time) * 1000), ROUND(UNIX_TIMESTAMP(end_time) * 1000), state, "
    "ROUND(UNIX_TIMESTAMP(NOW(3)) * 1000), DATE_FORMAT(NOW(), '%y%m%d%H%i%s') FROM fs_batch WHERE id IN (";

of_flash_t *of_flash_new(const of_config_t *cfg, of_db_t *db, of_redis_t *rd, char *errstr, size_t size) {
    of_flash_t *f = calloc(1, sizeof *f);
    if (!f) {
        of_seterr(errstr, size, OF_ERR_NOMEM, "out of memory");
        return NULL;
    }
    f->cfg = cfg;
    f->db = db;
    f->rd = rd;
    f->ttl_ms = of_cfg_int(cfg, OF_CFG_FLASH_TTL_MS);
    f->backoff_ms = of_cfg_int(cfg, OF_CFG_FLASH_BACKOFF_MS);
    f->keep_ms = of_cfg_int(cfg, OF_CFG_FLASH_JOB_KEEP_S) * 1000;
    f->attempts_max = (int)of_cfg_int(cfg, OF_CFG_FLASH_ATTEMPTS);
    snprintf(f->prefix, sizeof f->prefix, "%s", of_cfg_str(cfg, OF_CFG_REDIS_PREFIX));
    of_err_t e = OF_OK;
    if (!e) e = of_db_register_multi(db, R_JOB_HEAD, "?", ") FOR UPDATE", &f->r_job);
    /* D-FS-15: the jobs that made the orders of the batch's Idempotency-Keys, locked (a concurrent job with the same
     * key waits, and then finds it) */
    if (!e)
        e = of_db_register_multi(db,
                                 "SELECT idem_client, idempotency_key, job_id, IFNULL(result_order_id, 0), user_id, "
                                 "batch_id, num FROM fs_job "
                                 "WHERE (idem_client, idempotency_key) IN (",
                                 "(?, ?)", ") FOR UPDATE", &f->r_idem);
    if (!e) e = of_db_register_multi(db, R_BATCH_HEAD, "?", ") FOR UPDATE", &f->r_batch);
    /* the buyers' open orders in the jobs' batches (FS-6 limits), under the batch lock */
    if (!e)
        e = of_db_register_multi(db,
                                 OF_DB_DIVE "SELECT batch_id, user_id, SUM(state = 1), SUM(num) FROM fs_order WHERE "
                                            "(batch_id, user_id) IN (", /* D-T10-65: pairs x states pass 200 ranges */
                                 "(?, ?)", ") AND state IN (1, 2) GROUP BY batch_id, user_id", &f->r_buyer);
    if (!e) e = of_db_register_multi(db, "SELECT job_id, id FROM fs_order WHERE job_id IN (", "?", ")", &f->r_new);
    if (!e)
        e = of_db_register_multi(db,
                                 "INSERT INTO fs_order (order_code, job_id, user_id, merchant_id, batch_id, type, num, "
                                 "unit_price, amount, remain_pay, state, present_info) VALUES ",
                                 "(?, ?, ?, ?, ?, 1, ?, ?, ?, ?, 1, ?)", "", &f->w_order);
    if (!e)
        e = of_db_register_multi_sep(db, "UPDATE fs_batch b JOIN (", "SELECT ? AS id, ? AS sell, ? AS st",
                                     " UNION ALL ", ") v ON b.id = v.id SET b.sell_num = v.sell, b.state = v.st",
                                     &f->w_batch);
    if (!e)
        e = of_db_register_multi(
            db,
            "INSERT INTO fs_job (job_id, line, user_id, batch_id, num, data, priority, state, error, result_order_id, "
            "ttl_ms, attempts_made, attempts_remaining, attempts_max, idem_client, idempotency_key, started_at, "
            "finished_at) VALUES ",
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NOW(3), NOW(3))",
            /* a final record is never replaced (another instance finished the job first); error … state in this
             * order: MySQL assigns left to right */
            " ON DUPLICATE KEY UPDATE error = IF(state IN ('complete', 'failed'), error, VALUES(error)), "
            "result_order_id = IF(state IN ('complete', 'failed'), result_order_id, VALUES(result_order_id)), "
            "attempts_made = IF(state IN ('complete', 'failed'), attempts_made, VALUES(attempts_made)), "
            "attempts_remaining = IF(state IN ('complete', 'failed'), attempts_remaining, VALUES(attempts_remaining)), "
            "finished_at = IF(state IN ('complete', 'failed'), finished_at, VALUES(finished_at)), progress = 100, "
            "state = IF(state IN ('complete', 'failed'), state, VALUES(state))",
            &f->w_job);
    /* D-FS-18, D-FS-19: the jobs of the batch's new orders whose complete record is there after the upsert */
    if (!e)
        e = of_db_register_multi(db, "SELECT job_id FROM fs_job WHERE state = 'complete' AND job_id IN (", "?", ")",
                                 &f->r_lost);
    /* FS-2: the TTL check fails a job's last attempt unless the job completed meanwhile (error before state: MySQL
     * assigns left to right, so error still sees the old state) */
    if (!e)
        e = of_db_register_multi(
            db,
            "INSERT INTO fs_job (job_id, line, user_id, batch_id, num, state, error, ttl_ms, attempts_made, "
            "attempts_remaining, attempts_max, finished_at) VALUES ",
            "(?, ?, ?, ?, ?, 'failed', 'TTL_EXCEEDED', ?, ?, 0, ?, NOW(3))",
            " ON DUPLICATE KEY UPDATE error = IF(state IN ('complete', 'failed'), error, VALUES(error)), finished_at = "
            "IF(state IN ('complete', 'failed'), finished_at, VALUES(finished_at)), state = IF(state IN ('complete', "
            "'failed'), state, 'failed')",
            &f->w_reap);
    if (e) {
        of_seterr(errstr, size, e, "registering the flash worker's statements failed");
        free(f);
        return NULL;
    }
    return f;
}

void of_flash_destroy(of_flash_t *f) {
    free(f);
}

typedef struct {
    of_flash_t *f;
    item_t *it;
    int n;
    of_fs_batch_t *batches;
    size_t nbatches;
    int64_t now_ms;
    char stamp[16]; /* the database's yymmddHHMMSS: the order codes' prefix */
} tx_t;

#define S(r, i, c) (of_rows_str((r), (i), (c)) ? of_rows_str((r), (i), (c)) : "")
#define I(r, i, c) of_rows_i64((r), (i), (c))

static int64_t money(const char *s) {
    int64_t v = 0;
    return of_money_parse(s, &v) ? -1 : v;
}

static of_fs_batch_t *find_batch(tx_t *t, uint64_t id) {
    for (size_t i = 0; i < t->nbatches; i++)
        if (t->batches[i].id == id) return &t->batches[i];
    return NULL;
}

typedef struct {
    uint64_t batch_id, user_id;
    of_fs_buyer_t b;
} buyer_t;

static buyer_t *find_buyer(buyer_t *bs, size_t n, uint64_t batch, uint64_t user) {
    for (size_t i = 0; i < n; i++)
        if (bs[i].batch_id == batch && bs[i].user_id == user) return &bs[i];
    return NULL;
}

/* the job's data as fs_job keeps it (FS-3) */
static char *job_data(const Orderfleet__FlashJob *j) {
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddNumberToObject(o, "user_id", (double)j->user_id);
    cJSON_AddNumberToObject(o, "batch_id", (double)j->batch_id);
    cJSON_AddNumberToObject(o, "num", j->num);
    cJSON *pi = j->present_info && *j->present_info ? cJSON_Parse(j->present_info) : NULL;
    if (pi)
        cJSON_AddItemToObject(o, "present_info", pi);
    else
        cJSON_AddNullToObject(o, "present_info");
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

/* D-FS-19: a job with a key asks for the same order as the job that made the key's order */
static int same_job(const Orderfleet__FlashJob *j, uint64_t user_id, uint64_t batch_id, int num) {
    of_fsreq_job_t r = {.user_id = j->user_id, .batch_id = j->batch_id, .num = j->num};
    return of_fsreq_idem_match(&r, user_id, batch_id, num);
}

/* D-FS-15: the job carries its caller's Idempotency-Key */
static int keyed(const item_t *x) {
    return x->j && x->j->idempotency_key && *x->j->idempotency_key && x->j->client && *x->j->client;
}

static of_err_t tx_body(of_db_t *db, void *vctx, char *err, size_t size) {
    tx_t *t = vctx;
    of_flash_t *f = t->f;
    item_t *it = t->it;
    int n = t->n;
    of_err_t e = OF_OK;
    of_rows_t *rj = NULL, *rk = NULL, *rb = NULL, *ru = NULL, *rn = NULL;
    of_param_t *ps = calloc((size_t)n * 3 + 1, sizeof *ps); /* 2 a buyer pair, 3 a changed batch */
    buyer_t *buyers = calloc((size_t)n + 1, sizeof *buyers);
    char **datas = calloc((size_t)n + 1, sizeof *datas);
    of_param_t *rows = calloc((size_t)n * 16 + 1, sizeof *rows);
    long long *seq = calloc((size_t)n + 1, sizeof *seq);
    size_t nbuyers = 0;
    free(t->batches);
    t->batches = NULL;
    t->nbatches = 0;
    if (!ps || !buyers || !datas || !rows || !seq) {
        e = of_seterr(err, size, OF_ERR_TRANSIENT, "out of memory");
        goto out;
    }
    for (int i = 0; i < n; i++) {
        it[i].dup = it[i].recorded = it[i].complete = it[i].keydup = it[i].bound = 0;
        it[i].why = OF_FS_OK;
        it[i].order_id = 0;
        it[i].order_row = -1;
        it[i].error[0] = it[i].code[0] = '\0';
        for (int k = 0; k < i && !it[i].dup; k++)
            if (it[k].j && it[i].j && !strcmp(it[k].j->job_id, it[i].j->job_id)) it[i].dup = k + 1;
    }
    /* 1. the jobs' final records (replays, and jobs the TTL check failed), locked */
    int np = 0;
    for (int i = 0; i < n; i++)
        if (it[i].j && !it[i].dup) ps[np++] = OFP_S(it[i].j->job_id);
    if (np && (e = of_db_query_multi(db, &f->r_job, ps, np, &rj, err, size))) goto out;
    for (int r = 0; rj && r < rj->nrows; r++)
        for (int i = 0; i < n; i++) {
            if (!it[i].j || it[i].dup || strcmp(it[i].j->job_id, S(rj, r, 0))) continue;
            it[i].recorded = 1;
            it[i].complete = !strcmp(S(rj, r, 1), "complete");
            it[i].order_id = (uint64_t)I(rj, r, 2);
            snprintf(it[i].error, sizeof it[i].error, "%s", S(rj, r, 3));
            it[i].attempts = (int)I(rj, r, 4);
        }
    /* 1b. D-FS-15: the orders the jobs' Idempotency-Keys made already (one read, only when a job has a key) */
    np = 0;
    for (int i = 0; i < n; i++)
        if (keyed(&it[i]) && !it[i].dup && !it[i].recorded && it[i].started > 0) {
            ps[np++] = OFP_S(it[i].j->client);
            ps[np++] = OFP_S(it[i].j->idempotency_key);
        }
    if (np && (e = of_db_query_multi(db, &f->r_idem, ps, np / 2, &rk, err, size))) goto out;
    for (int r = 0; rk && r < rk->nrows; r++)
        for (int i = 0; i < n; i++) {
            item_t *x = &it[i];
            if (!keyed(x) || x->dup || x->recorded || x->started <= 0 || strcmp(x->j->client, S(rk, r, 0)) ||
                strcmp(x->j->idempotency_key, S(rk, r, 1)) || !strcmp(x->j->job_id, S(rk, r, 2)))
                continue;
            x->bound = 1;
            x->attempts = (int)x->started;
            if (!same_job(x->j, (uint64_t)I(rk, r, 4), (uint64_t)I(rk, r, 5), (int)I(rk, r, 6))) {
                x->why = OF_FS_KEY_REUSED; /* D-FS-19: fails; the key's order stays the other job's */
                of_warn("flash job: its Idempotency-Key made an order for another job (user, batch or num differ): "
                        "the job fails (D-FS-19)",
                        OF_S("job_id", x->j->job_id), OF_S("first_job_id", S(rk, r, 2)), OF_END);
                continue;
            }
            x->complete = 1;
            x->order_id = (uint64_t)I(rk, r, 3);
            of_info("flash job: its Idempotency-Key made an order already, the job completes with it (D-FS-15)",
                    OF_S("job_id", x->j->job_id), OF_S("first_job_id", S(rk, r, 2)), OF_U("order_id", x->order_id),
                    OF_END);
        }
    /* 2. the batches, locked: the units left and the window (FS-6) */
    np = 0;
    for (int i = 0; i < n; i++) {
        if (!it[i].j || it[i].dup || it[i].recorded || it[i].bound || it[i].started < 0) continue;
        int seen = 0;
        for (int k = 0; k < np && !seen; k++)
            seen = ps[k].u == it[i].j->batch_id;
        if (!seen) ps[np++] = OFP_U(it[i].j->batch_id);
    }
    if (np && (e = of_db_query_multi(db, &f->r_batch, ps, np, &rb, err, size))) goto out;
    t->batches = calloc((size_t)(rb ? rb->nrows : 0) + 1, sizeof *t->batches);
    if (!t->batches) {
        e = of_seterr(err, size, OF_ERR_TRANSIENT, "out of memory");
        goto out;
    }
    for (int r = 0; rb && r < rb->nrows; r++) {
        of_fs_batch_t *b = &t->batches[t->nbatches++];
        *b = (of_fs_batch_t){.id = (uint64_t)I(rb, r, 0),
                             .merchant_id = (uint64_t)I(rb, r, 1),
                             .unit_price = money(S(rb, r, 2)),
                             .total_num = (int)I(rb, r, 3),
                             .sell_num = (int)I(rb, r, 4),
                             .limit_unpaid_per_buyer = (int)I(rb, r, 5),
                             .limit_per_order = (int)I(rb, r, 6),
                             .limit_per_buyer = (int)I(rb, r, 7),
                             .start_ms = I(rb, r, 8),
                             .end_ms = I(rb, r, 9),
                             .state = (int)I(rb, r, 10)};
        t->now_ms = I(rb, r, 11);
        snprintf(t->stamp, sizeof t->stamp, "%s", S(rb, r, 12));
    }
    /* 3. the buyers' open orders in those batches */
    np = 0;
    for (int i = 0; i < n; i++) {
        if (!it[i].j || it[i].dup || it[i].recorded || it[i].bound || it[i].started < 0) continue;
        if (!find_batch(t, it[i].j->batch_id) || find_buyer(buyers, nbuyers, it[i].j->batch_id, it[i].j->user_id))
            continue;
        buyers[nbuyers++] = (buyer_t){.batch_id = it[i].j->batch_id, .user_id = it[i].j->user_id};
        ps[np++] = OFP_U(it[i].j->batch_id);
        ps[np++] = OFP_U(it[i].j->user_id);
    }
    if (np && (e = of_db_query_multi(db, &f->r_buyer, ps, np / 2, &ru, err, size))) goto out;
    for (int r = 0; ru && r < ru->nrows; r++) {
        buyer_t *b = find_buyer(buyers, nbuyers, (uint64_t)I(ru, r, 0), (uint64_t)I(ru, r, 1));
        if (b) b->b = (of_fs_buyer_t){.unpaid_orders = (int)I(ru, r, 2), .units = (int)I(ru, r, 3)};
    }
    /* 4. FS-6, job after job in the order of the line */
    int norders = 0;
    for (int i = 0; i < n; i++) {
        item_t *x = &it[i];
        if (!x->j || x->dup || x->recorded || x->bound) continue;
        x->attempts = x->started > 0 ? (int)x->started : (int)-x->started;
        if (x->started < 0) {
            x->why = OF_FS_ATTEMPTS;
            continue;
        }
        if (x->started == 0) { /* final in Redis, not in fs_job: the gateway gave up on it (CreateOrderFail) */
            x->why = OF_FS_QUEUE_FAILED;
            continue;
        }
        if (!x->j->user_id) {
            x->why = OF_FS_INVALID;
            continue;
        }
        for (int k = 0; k < i && keyed(x) && !x->keydup; k++) /* D-FS-15: the key's order made earlier in the batch */
            if (keyed(&it[k]) && !it[k].dup && it[k].complete && !strcmp(it[k].j->client, x->j->client) &&
                !strcmp(it[k].j->idempotency_key, x->j->idempotency_key))
                x->keydup = k + 1;
        if (x->keydup) {
            const Orderfleet__FlashJob *first = it[x->keydup - 1].j;
            if (same_job(x->j, first->user_id, first->batch_id, first->num))
                x->complete = 1;
            else /* D-FS-19 */
                x->why = OF_FS_KEY_REUSED, x->keydup = 0;
            continue;
        }
        of_fs_batch_t *b = find_batch(t, x->j->batch_id);
        buyer_t *bu = find_buyer(buyers, nbuyers, x->j->batch_id, x->j->user_id);
        of_fs_buyer_t none = {0};
        x->why = of_fsorder_decide(b, bu ? &bu->b : &none, x->j->num, t->now_ms, &x->amount);
        if (x->why == OF_FS_OK && b->unit_price < 0) x->why = OF_FS_AMOUNT_RANGE;
        if (x->why == OF_FS_OK) {
            x->complete = 1;
            x->order_row = norders++;
        }
    }
    /* 5. the orders: codes from the DLV-1 sequence, one multi-row insert, their ids by job id */
    if (norders) {
        char seqkey[96];
        of_rkey_seq(seqkey, sizeof seqkey, f->prefix, "fs_order");
        const char **keys = calloc((size_t)norders, sizeof *keys);
        if (!keys) {
            e = of_seterr(err, size, OF_ERR_TRANSIENT, "out of memory");
            goto out;
        }
        for (int k = 0; k < norders; k++)
            keys[k] = seqkey;
        e = of_redis_eval_many(f->rd, OF_LUA_SEQUENCE, norders, 1, keys, 0, NULL, seq, err, size);
        free(keys);
        if (e) {
            e = OF_ERR_TRANSIENT;
            goto out;
        }
        int nr = 0;
        for (int i = 0; i < n; i++) {
            item_t *x = &it[i];
            if (x->order_row < 0) continue;
            of_fs_batch_t *b = find_batch(t, x->j->batch_id);
            snprintf(x->code, sizeof x->code, "FS%s%05lld", t->stamp,
                     seq[x->order_row] > 0 ? seq[x->order_row] % 100000 : 0);
            cJSON *pi = x->j->present_info && *x->j->present_info ? cJSON_Parse(x->j->present_info) : NULL;
            datas[i] = pi ? cJSON_PrintUnformatted(pi) : NULL;
            cJSON_Delete(pi);
            of_param_t *p = &rows[nr++ * 10];
            p[0] = OFP_S(x->code);
            p[1] = OFP_S(x->j->job_id);
            p[2] = OFP_U(x->j->user_id);
            p[3] = OFP_U(b->merchant_id);
            p[4] = OFP_U(b->id);
            p[5] = OFP_I(x->j->num);
            p[6] = OFP_M(b->unit_price);
            p[7] = OFP_M(x->amount);
            p[8] = OFP_M(x->amount);
            p[9] = datas[i] ? OFP_S(datas[i]) : OFP_NUL;
        }
        if ((e = of_db_exec_multi(db, &f->w_order, rows, nr, NULL, err, size))) goto out;
        np = 0;
        for (int i = 0; i < n; i++)
            if (it[i].order_row >= 0) ps[np++] = OFP_S(it[i].j->job_id);
        if ((e = of_db_query_multi(db, &f->r_new, ps, np, &rn, err, size))) goto out;
        for (int r = 0; r < rn->nrows; r++)
            for (int i = 0; i < n; i++)
                if (it[i].order_row >= 0 && !strcmp(it[i].j->job_id, S(rn, r, 0)))
                    it[i].order_id = (uint64_t)I(rn, r, 1);
        /* the batches' units */
        np = 0;
        for (size_t k = 0; k < t->nbatches; k++) {
            if (!t->batches[k].changed) continue;
            ps[np++] = OFP_U(t->batches[k].id);
            ps[np++] = OFP_I(t->batches[k].sell_num);
            ps[np++] = OFP_I(t->batches[k].state);
        }
        if (np && (e = of_db_exec_multi(db, &f->w_batch, ps, np / 3, NULL, err, size))) goto out;
    }
    for (int i = 0; i < n; i++)
        if (it[i].keydup) {
            it[i].order_id = it[it[i].keydup - 1].order_id;
            of_info("flash job: its Idempotency-Key made an order earlier in the batch, the job completes with it "
                    "(D-FS-15)",
                    OF_S("job_id", it[i].j->job_id), OF_S("first_job_id", it[it[i].keydup - 1].j->job_id),
                    OF_U("order_id", it[i].order_id), OF_END);
        }
    /* 6. the jobs' final records; the key on the job that made its order (uk_idem: one order per key) */
    int nj = 0;
    for (int i = 0; i < n; i++) {
        item_t *x = &it[i];
        if (!x->j || x->dup || x->recorded) continue;
        if (!x->complete) snprintf(x->error, sizeof x->error, "%s", of_fsorder_reason_code(x->why));
        free(datas[i]);
        datas[i] = job_data(x->j);
        int max = x->j->attempts_max > 0 ? x->j->attempts_max : f->attempts_max;
        of_param_t *p = &rows[nj++ * 16];
        p[0] = OFP_S(x->j->job_id);
        p[1] = OFP_I(x->j->line);
        p[2] = OFP_U(x->j->user_id);
        p[3] = OFP_U(x->j->batch_id);
        p[4] = OFP_I(x->j->num);
        p[5] = datas[i] ? OFP_S(datas[i]) : OFP_NUL;
        p[6] = OFP_I(x->j->priority);
        p[7] = OFP_S(x->complete ? "complete" : "failed");
        p[8] = OFP_S(x->error);
        p[9] = x->order_id ? OFP_U(x->order_id) : OFP_NUL;
        p[10] = OFP_I(x->j->ttl_ms > 0 ? x->j->ttl_ms : f->ttl_ms);
        p[11] = OFP_I(x->attempts);
        p[12] = OFP_I(max > x->attempts ? max - x->attempts : 0);
        p[13] = OFP_I(max);
        int owner = keyed(x) && x->complete && !x->bound && !x->keydup;
        p[14] = owner ? OFP_S(x->j->client) : OFP_NUL;
        p[15] = owner ? OFP_S(x->j->idempotency_key) : OFP_NUL;
    }
    if (nj) e = of_db_exec_multi(db, &f->w_job, rows, nj, NULL, err, size);
    /* 7. D-FS-18: step 1 locks no missing row under READ COMMITTED, so the TTL check (of_flash_reap) may have recorded
     * a job failed since; the upsert above then kept its final record, and the order made here must not stay. Once
     * the upsert holds the rows, the TTL check waits for this commit and keeps our record; so read the new orders'
     * jobs back: a job failed meanwhile sends the whole batch round again (transient), and that round's step 1 finds
     * the record and makes no order. */
    np = 0;
    for (int i = 0; !e && i < n; i++)
        if (it[i].order_row >= 0) ps[np++] = OFP_S(it[i].j->job_id);
    /* D-FS-19: the same for a keyed job whose key a concurrent job (another line, so another worker) took first: its
     * upsert met uk_idem and updated the other job's row instead of inserting its own (the step-1b read locked no
     * row, READ COMMITTED), so it has no record; the next round's step 1b finds the key's job */
    of_rows_t *rl = NULL;
    if (np && !e && !(e = of_db_query_multi(db, &f->r_lost, ps, np, &rl, err, size)) && rl && rl->nrows < np) {
        const char *lost = "";
        for (int k = 0; k < np && !*lost; k++) {
            int seen = 0;
            for (int r = 0; r < rl->nrows && !seen; r++)
                seen = !strcmp(ps[k].s, S(rl, r, 0));
            if (!seen) lost = ps[k].s;
        }
        of_warn("flash job without its complete record after the upsert (the TTL check failed it, or a concurrent job "
                "took its Idempotency-Key): the batch runs again without its order (D-FS-18, D-FS-19)",
                OF_S("job_id", lost), OF_I("jobs", np - rl->nrows), OF_END);
        e = of_seterr(err, size, OF_ERR_TRANSIENT, "job %s has no complete record after the upsert", lost);
    }
    of_rows_free(rl);
out:
    for (int i = 0; datas && i < n; i++)
        free(datas[i]);
    free(datas);
    of_rows_free(rj);
    of_rows_free(rk);
    of_rows_free(rb);
    of_rows_free(ru);
    of_rows_free(rn);
    free(ps);
    free(buyers);
    free(rows);
    free(seq);
    return e;
}

/* the live records take the recorded final states (fsjob_finish.lua), the active set forgets them */
static of_err_t finish(of_flash_t *f, item_t *it, int n, char *err, size_t size) {
    const char **keys = calloc((size_t)n + 1, sizeof *keys);
    const char **args = calloc((size_t)n * 6 + 1, sizeof *args);
    char(*num)[4][24] = calloc((size_t)n + 1, sizeof *num);
    long long *out = calloc((size_t)n + 1, sizeof *out);
    const char **zrem = calloc((size_t)n + 2, sizeof *zrem);
    of_err_t e = OF_OK;
    if (!keys || !args || !num || !out || !zrem) {
        e = of_seterr(err, size, OF_ERR_TRANSIENT, "out of memory");
        goto out;
    }
    char zkey[96];
    of_rkey_fsjob_active(zkey, sizeof zkey, f->prefix);
    zrem[0] = "ZREM";
    zrem[1] = zkey;
    int k = 0;
    for (int i = 0; i < n; i++) {
        item_t *x = &it[i];
        if (!x->j) continue;
        const item_t *src = x->dup ? &it[x->dup - 1] : x;
        snprintf(num[k][0], sizeof num[k][0], "%lld", (long long)of_now_ms());
        snprintf(num[k][1], sizeof num[k][1], "%llu", (unsigned long long)src->order_id);
        snprintf(num[k][2], sizeof num[k][2], "%lld", (long long)f->keep_ms);
        snprintf(num[k][3], sizeof num[k][3], "%d", src->attempts);
        keys[k] = x->key;
        const char **a = &args[k * 6];
        a[0] = src->complete ? "complete" : "failed";
        a[1] = num[k][0];
        a[2] = src->complete ? num[k][1] : "";
        a[3] = src->complete ? "" : src->error;
        a[4] = num[k][2];
        a[5] = num[k][3];
        zrem[2 + k] = x->j->job_id;
        k++;
    }
    if (!k) goto out;
    if ((e = of_redis_eval_many(f->rd, OF_LUA_FSJOB_FINISH, k, 1, keys, 6, args, out, err, size))) goto out;
    redisReply *rep = NULL;
    if ((e = of_redis_cmd(f->rd, 2 + k, zrem, &rep, err, size))) goto out;
    freeReplyObject(rep);
out:
    free(keys);
    free(args);
    free(num);
    free(out);
    free(zrem);
    return e ? OF_ERR_TRANSIENT : OF_OK;
}

/* FS-2 backoff: *wait_ms = the longest wait left (fsjob_peek.lua, at most 60 s) among the batch's delayed jobs whose
 * backoff is not over; 0 when none. */
static of_err_t peek(of_flash_t *f, item_t *it, int n, int64_t *wait_ms, char *err, size_t size) {
    const char **keys = calloc((size_t)n + 1, sizeof *keys), **args = calloc((size_t)n + 1, sizeof *args);
    long long *out = calloc((size_t)n + 1, sizeof *out);
    int *at = calloc((size_t)n + 1, sizeof *at);
    char nows[24];
    snprintf(nows, sizeof nows, "%lld", (long long)of_now_ms());
    of_err_t e = OF_OK;
    *wait_ms = 0;
    int k = 0;
    if (!keys || !args || !out || !at) {
        e = of_seterr(err, size, OF_ERR_TRANSIENT, "out of memory");
        goto out;
    }
    for (int i = 0; i < n; i++)
        if (it[i].j) {
            keys[k] = it[i].key;
            args[k] = nows; /* one ARGV per script call */
            at[k++] = i;
        }
    if (k && (e = of_redis_eval_many(f->rd, OF_LUA_FSJOB_PEEK, k, 1, keys, 1, args, out, err, size))) goto out;
    for (int m = 0; m < k; m++) {
        if (out[m] <= 0) continue;
        of_info("flash job delayed: waiting for its backoff before the next attempt (FS-2)",
                OF_S("job_id", it[at[m]].j->job_id), OF_I("wait_ms", out[m]), OF_END);
        if (out[m] > *wait_ms) *wait_ms = out[m];
    }
out:
    free(keys);
    free(args);
    free(out);
    free(at);
    return e ? OF_ERR_TRANSIENT : OF_OK;
}

/* FS-2: start an attempt of every job on its live record, and note its deadline in the active set */
static of_err_t start(of_flash_t *f, item_t *it, int n, char *err, size_t size) {
    const char **keys = calloc((size_t)n + 1, sizeof *keys);
    const char **args = calloc((size_t)n * 15 + 1, sizeof *args);
    char(*num)[9][24] = calloc((size_t)n + 1, sizeof *num);
    long long *out = calloc((size_t)n + 1, sizeof *out);
    const char **zadd = calloc((size_t)n * 2 + 3, sizeof *zadd);
    int *at = calloc((size_t)n + 1, sizeof *at);
    of_err_t e = OF_OK;
    if (!keys || !args || !num || !out || !zadd || !at) {
        e = of_seterr(err, size, OF_ERR_TRANSIENT, "out of memory");
        goto out;
    }
    int64_t now = of_now_ms();
    int k = 0;
    for (int i = 0; i < n; i++) {
        item_t *x = &it[i];
        if (!x->j) continue;
        int64_t ttl = x->j->ttl_ms > 0 ? x->j->ttl_ms : f->ttl_ms;
        int max = x->j->attempts_max > 0 ? x->j->attempts_max : f->attempts_max;
        char(*v)[24] = num[k];
        snprintf(v[0], 24, "%lld", (long long)now);
        snprintf(v[1], 24, "%lld", (long long)ttl);
        snprintf(v[2], 24, "%d", max);
        snprintf(v[3], 24, "%lld", (long long)f->keep_ms);
        snprintf(v[4], 24, "%llu", (unsigned long long)x->j->user_id);
        snprintf(v[5], 24, "%llu", (unsigned long long)x->j->batch_id);
        snprintf(v[6], 24, "%d", x->j->num);
        snprintf(v[7], 24, "%d", x->j->line);
        snprintf(v[8], 24, "%lld", (long long)(x->j->meta ? x->j->meta->occurred_at_ms : now));
        const char **a = &args[k * 15];
        a[0] = v[0], a[1] = v[1], a[2] = v[2], a[3] = v[3], a[4] = x->delivery;
        a[5] = "user_id", a[6] = v[4], a[7] = "batch_id", a[8] = v[5], a[9] = "num", a[10] = v[6];
        a[11] = "line", a[12] = v[7], a[13] = "created_at", a[14] = v[8];
        keys[k] = x->key;
        at[k++] = i;
    }
    if (!k) goto out;
    if ((e = of_redis_eval_many(f->rd, OF_LUA_FSJOB_START, k, 1, keys, 15, args, out, err, size))) goto out;
    char zkey[96], (*score)[24] = calloc((size_t)k + 1, sizeof *score);
    if (!score) {
        e = of_seterr(err, size, OF_ERR_TRANSIENT, "out of memory");
        goto out;
    }
    of_rkey_fsjob_active(zkey, sizeof zkey, f->prefix);
    int nz = 2;
    zadd[0] = "ZADD";
    zadd[1] = zkey;
    for (int m = 0; m < k; m++) {
        item_t *x = &it[at[m]];
        x->started = out[m];
        if (out[m] <= 0) continue;
        snprintf(score[m], sizeof score[m], "%lld", (long long)(now + atoll(num[m][1])));
        zadd[nz++] = score[m];
        zadd[nz++] = x->j->job_id;
    }
    if (nz > 2) {
        redisReply *rep = NULL;
        e = of_redis_cmd(f->rd, nz, zadd, &rep, err, size);
        freeReplyObject(rep);
    }
    free(score);
out:
    free(keys);
    free(args);
    free(num);
    free(out);
    free(zadd);
    free(at);
    return e ? OF_ERR_TRANSIENT : OF_OK;
}

of_err_t of_flash_batch(void *ctx, rd_kafka_message_t **msgs, int n, of_msg_result_t *res) {
    of_flash_t *f = ctx;
    item_t *it = calloc((size_t)n, sizeof *it);
    if (!it) return OF_ERR_TRANSIENT;
    char err[512];
    for (int i = 0; i < n; i++) {
        item_t *x = &it[i];
        x->j = orderfleet__flash_job__unpack(NULL, msgs[i]->len, msgs[i]->payload);
        if (!x->j) {
            res[i].dead = 1;
            res[i].klass = "decode";
            snprintf(res[i].reason, sizeof res[i].reason, "not a FlashJob (%zu bytes)", msgs[i]->len);
            continue;
        }
        if (!of_fsjob_id_ok(x->j->job_id)) {
            res[i].dead = 1;
            res[i].klass = "validation";
            snprintf(res[i].reason, sizeof res[i].reason, "job_id: 1..32 characters of [0-9A-Za-z_-] required");
            /* named in the worker's log line: the job has no valid id, its buyer */
            of_worker_result_about_id(&res[i], x->j->meta ? x->j->meta->event_id : NULL, "user", x->j->user_id);
            orderfleet__flash_job__free_unpacked(x->j, NULL);
            x->j = NULL;
            continue;
        }
        of_rkey_fsjob(x->key, sizeof x->key, f->prefix, x->j->job_id);
        snprintf(x->delivery, sizeof x->delivery, "%ld:%d:%lld", (long)getpid(), (int)msgs[i]->partition,
                 (long long)msgs[i]->offset);
    }
    /* FS-2 backoff: a delayed job whose message came again (its worker died) waits until its promote time, at most
     * 60 s, before any job of the batch starts: no started attempt runs down its TTL meanwhile. The batch (this
     * instance's partitions) waits with it, as jobs of a line run in order (FS-5). */
    int64_t wait = 0;
    of_err_t e = peek(f, it, n, &wait, err, sizeof err);
    for (int64_t end = of_mono_ms() + wait; !e && of_mono_ms() < end;) {
        if (of_stop_requested || of_kafka_fatal()) {
            e = of_seterr(err, sizeof err, OF_ERR_TRANSIENT, "stopping while a job waits for its backoff");
            break;
        }
        of_admin_beat();
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (!e) e = start(f, it, n, err, sizeof err);
    tx_t t = {.f = f, .it = it, .n = n};
    if (!e) e = of_db_tx(f->db, tx_body, &t, err, sizeof err);
    if (!e) e = finish(f, it, n, err, sizeof err);
    if (e) {
        of_warn("flash batch failed, retried", OF_I("jobs", n), OF_S("error", err), OF_END);
        e = OF_ERR_TRANSIENT;
    } else {
        int done = 0, failed = 0;
        for (int i = 0; i < n; i++) {
            item_t *x = &it[i];
            if (!x->j) continue;
            const item_t *src = x->dup ? &it[x->dup - 1] : x;
            if (src->complete)
                done++;
            else
                failed++;
            if (x->recorded || x->dup) of_metric_add(OF_M_DUPLICATE, 1);
            if (src->complete)
                of_debug("flash job complete", OF_S("event_id", x->j->meta ? x->j->meta->event_id : ""),
                         OF_S("job_id", x->j->job_id), OF_U("order_id", src->order_id), OF_S("order_code", src->code),
                         OF_I("attempt", src->attempts), OF_S("replay", x->recorded || x->dup ? "yes" : "no"), OF_END);
            else
                of_info("flash job failed", OF_S("event_id", x->j->meta ? x->j->meta->event_id : ""),
                        OF_S("job_id", x->j->job_id), OF_U("user_id", x->j->user_id), OF_U("batch_id", x->j->batch_id),
                        OF_I("num", x->j->num), OF_S("reason", src->error),
                        OF_S("replay", x->recorded || x->dup ? "yes" : "no"), OF_END);
        }
        of_metric_add(OF_M_PROCESSED, (uint64_t)(done + failed));
        of_debug("flash batch", OF_I("jobs", n), OF_I("complete", done), OF_I("failed", failed), OF_END);
    }
    for (int i = 0; i < n; i++)
        if (it[i].j) orderfleet__flash_job__free_unpacked(it[i].j, NULL);
    free(t.batches);
    free(it);
    return e;
}

/* ---- FS-2: attempts active past their TTL ---- */
typedef struct {
    of_flash_t *f;
    char (*ids)[40];
    redisReply **rec; /* HMGET line user_id batch_id num attempts_made attempts_max ttl */
    item_t *fin;      /* out: what fs_job holds afterwards */
    int n;
} reap_t;

static of_err_t reap_body(of_db_t *db, void *vctx, char *err, size_t size) {
    reap_t *r = vctx;
    of_param_t *p = calloc((size_t)r->n * 8 + 1, sizeof *p);
    of_rows_t *rows = NULL;
    if (!p) return of_seterr(err, size, OF_ERR_TRANSIENT, "out of memory");
    for (int i = 0; i < r->n; i++) {
        redisReply *h = r->rec[i];
        long long v[7] = {0};
        for (size_t k = 0; h && h->type == REDIS_REPLY_ARRAY && k < h->elements && k < 7; k++)
            if (h->element[k]->type == REDIS_REPLY_STRING) v[k] = atoll(h->element[k]->str);
        of_param_t *q = &p[i * 8];
        q[0] = OFP_S(r->ids[i]);
        q[1] = OFP_I(v[0]);
        q[2] = OFP_U(v[1]);
        q[3] = OFP_U(v[2]);
        q[4] = OFP_I(v[3] > 0 ? v[3] : 1);
        q[5] = OFP_I(v[6] > 0 ? v[6] : r->f->ttl_ms);
        q[6] = OFP_I(v[4]);
        q[7] = OFP_I(v[5] > 0 ? v[5] : r->f->attempts_max);
    }
    of_err_t e = of_db_exec_multi(db, &r->f->w_reap, p, r->n, NULL, err, size);
    for (int i = 0; !e && i < r->n; i++)
        p[i] = OFP_S(r->ids[i]);
    if (!e) e = of_db_query_multi(db, &r->f->r_job, p, r->n, &rows, err, size);
    for (int k = 0; !e && k < rows->nrows; k++)
        for (int i = 0; i < r->n; i++) {
            if (strcmp(r->ids[i], S(rows, k, 0))) continue;
            item_t *x = &r->fin[i];
            x->complete = !strcmp(S(rows, k, 1), "complete");
            x->order_id = (uint64_t)I(rows, k, 2);
            snprintf(x->error, sizeof x->error, "%s", S(rows, k, 3));
            x->attempts = (int)I(rows, k, 4);
        }
    of_rows_free(rows);
    free(p);
    return e;
}

void of_flash_tick(void *ctx) {
    of_flash_t *f = ctx;
    int64_t now = of_now_ms();
    if (now - f->last_reap < 1000) return;
    f->last_reap = now;
    char zkey[96], nows[24], err[512], backoff[24];
    of_rkey_fsjob_active(zkey, sizeof zkey, f->prefix);
    snprintf(nows, sizeof nows, "%lld", (long long)now);
    snprintf(backoff, sizeof backoff, "%lld", (long long)f->backoff_ms);
    const char *zr[] = {"ZRANGEBYSCORE", zkey, "-inf", nows, "LIMIT", "0", "256"};
    redisReply *ids = NULL;
    if (of_redis_cmd(f->rd, 7, zr, &ids, err, sizeof err) || !ids || ids->type != REDIS_REPLY_ARRAY || !ids->elements) {
        freeReplyObject(ids);
        return;
    }
    int n = (int)(ids->elements < MAX_REAP ? ids->elements : MAX_REAP);
    const char **keys = calloc((size_t)n, sizeof *keys);
    char(*kbuf)[128] = calloc((size_t)n, sizeof *kbuf);
    char(*jid)[40] = calloc((size_t)n, sizeof *jid);
    const char **args = calloc((size_t)n * 2, sizeof *args);
    long long *out = calloc((size_t)n, sizeof *out);
    redisReply **rec = calloc((size_t)n, sizeof *rec);
    item_t *fin = calloc((size_t)n, sizeof *fin);
    Orderfleet__FlashJob *js = calloc((size_t)n, sizeof *js);
    const char **zrem = calloc((size_t)n + 2, sizeof *zrem);
    if (!keys || !kbuf || !jid || !args || !out || !rec || !fin || !js || !zrem) goto out;
    for (int i = 0; i < n; i++) {
        const char *id = ids->element[i]->type == REDIS_REPLY_STRING ? ids->element[i]->str : "";
        snprintf(jid[i], sizeof jid[i], "%s", id);
        of_rkey_fsjob(kbuf[i], sizeof kbuf[i], f->prefix, id);
        keys[i] = kbuf[i];
        args[i * 2] = nows;
        args[i * 2 + 1] = backoff;
    }
    if (of_redis_eval_many(f->rd, OF_LUA_FSJOB_REAP, n, 1, keys, 2, args, out, err, sizeof err)) {
        of_warn("flash TTL check failed", OF_S("error", err), OF_END);
        goto out;
    }
    /* everything looked at leaves the active set, except the last attempts until their failure is recorded */
    int nz = 2, nl = 0;
    zrem[0] = "ZREM";
    zrem[1] = zkey;
    for (int i = 0; i < n; i++) {
        if (out[i] == 1) of_info("flash attempt past its TTL: delayed", OF_S("job_id", jid[i]), OF_END);
        if (out[i] != 2) {
            zrem[nz++] = ids->element[i]->type == REDIS_REPLY_STRING ? ids->element[i]->str : "";
            continue;
        }
        const char *hm[] = {"HMGET", kbuf[i],         "line",         "user_id", "batch_id",
                            "num",   "attempts_made", "attempts_max", "ttl"};
        if (of_redis_cmd(f->rd, 9, hm, &rec[nl], err, sizeof err)) break;
        /* compact the last attempts to the front (i ≥ nl: nothing not yet read is overwritten) */
        memmove(jid[nl], jid[i], sizeof jid[nl]);
        memmove(kbuf[nl], kbuf[i], sizeof kbuf[nl]);
        nl++;
    }
    if (nz > 2) {
        redisReply *rep = NULL;
        if (!of_redis_cmd(f->rd, nz, zrem, &rep, err, sizeof err)) freeReplyObject(rep);
    }
    if (!nl) goto out;
    /* the last attempts: failed in the database first (unless complete meanwhile), then the live records say what
     * the database holds, and they leave the active set (finish) */
    reap_t r = {.f = f, .ids = jid, .rec = rec, .fin = fin, .n = nl};
    if (of_db_tx(f->db, reap_body, &r, err, sizeof err)) {
        of_warn("flash TTL check: recording the failed jobs failed, next tick", OF_S("error", err), OF_END);
        goto out;
    }
    for (int i = 0; i < nl; i++) {
        js[i].job_id = jid[i];
        fin[i].j = &js[i];
        snprintf(fin[i].key, sizeof fin[i].key, "%s", kbuf[i]);
        of_warn("flash job past its TTL on its last attempt", OF_S("job_id", jid[i]),
                OF_S("state", fin[i].complete ? "complete" : "failed"), OF_U("order_id", fin[i].order_id), OF_END);
    }
    if (finish(f, fin, nl, err, sizeof err))
        of_warn("flash TTL check: live records not updated", OF_S("error", err), OF_END);
out:
    for (int i = 0; rec && i < n; i++)
        freeReplyObject(rec[i]);
    freeReplyObject(ids);
    free(keys);
    free(kbuf);
    free(jid);
    free(args);
    free(out);
    free(rec);
    free(fin);
    free(js);
    free(zrem);
}
