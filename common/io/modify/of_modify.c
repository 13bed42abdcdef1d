/* of_modify.c -- trade-modify's batch handler: TradeChange events in, the MOD rules applied (of_modstore). */
#include "of_modify.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "of_catcache.h"
#include "of_dlq.h"
#include "of_ladder_send.h"
#include "of_ledger.h"
#include "of_log.h"
#include "of_metrics.h"
#include "of_modstore.h"
#include "of_substore.h"
#include "trade.pb-c.h"

struct of_modify_s {
    const of_config_t *cfg;
    of_db_t *db;
    of_producer_t *p;
    const of_ladder_t *ladder;
    of_modstore_t *ms;
    of_catcache_t *cc;
    of_ledger_t lg;
    char consumer[128], worker[160];
    int64_t last_prune_ms, prune_wait_ms;
    int lane;        /* OF_WORKER_LANES: lane 0 does the instance's upkeep (the ledger's retention) */
    int read_ledger; /* D-MOD-28: read the ledger before applying (from the start, after a batch that held a copy) */
};

/* IT_LATER: its job was deferred (D-MOD-43): it goes into the batch's next transaction (wave) */
enum { IT_PENDING, IT_DUP, IT_DEAD, IT_DONE, IT_WAIT, IT_LATER };
typedef struct {
    rd_kafka_message_t *m;
    Orderfleet__TradeChange *c;
    int state;
    int wave;         /* the transaction of the batch that handles it (D-MOD-43) */
    int job;          /* index into the transaction's jobs */
    of_modjob_t done; /* its job's outcome, kept when the transaction commits (the message-by-message search
                       * reuses the jobs array) */
    of_retry_ctx_t rc;
} item_t;

typedef struct {
    of_modify_t *md;
    item_t *items;
    int n;
    int only; /* -1 = every pending item (of this wave), else that one */
    int wave; /* the items of this wave (D-MOD-43: an item deferred by one transaction is handled by the next) */
    of_cat_snap_t *snap;
    of_modjob_t *jobs;
    of_modjob_t **jp;
    int njobs;
    const char **eids;
    uint8_t *seen;
    of_ledger_row_t *lrows;
    int copy_found; /* D-MOD-28: the ledger's insert found a change recorded before (the ledger was not read first) */
    int dup;        /* D-MOD-45: the last transaction (run_tx) met a duplicate key in every one of its attempts */
} txctx_t;

of_modify_t *of_modify_new(const of_config_t *cfg, of_db_t *db, of_producer_t *producer, const of_ladder_t *ladder,
                           const char *consumer, char *errstr, size_t errstr_size) {
    if (strlen(consumer) > 64) { /* processed_event.consumer */
        of_seterr(errstr, errstr_size, OF_ERR_CONFIG, "OF_KAFKA_GROUP: longer than 64 characters");
        return NULL;
    }
    of_modify_t *md = calloc(1, sizeof *md);
    if (!md) return NULL;
    md->cfg = cfg;
    md->db = db;
    md->p = producer;
    md->ladder = ladder;
    md->read_ledger = 1; /* a start: what a stopped or crashed instance left uncommitted comes again */
    snprintf(md->consumer, sizeof md->consumer, "%s", consumer);
    snprintf(md->worker, sizeof md->worker, "trade-modify@%s", of_cfg_str(cfg, OF_CFG_INSTANCE_ID));
    md->ms = of_modstore_new(db, cfg);
    md->cc = of_catcache_new(cfg, db);
    if (!md->ms || !md->cc || of_ledger_init(db, &md->lg)) {
        of_seterr(errstr, errstr_size, OF_ERR_NOMEM, "cannot set up the change store");
        of_modify_destroy(md);
        return NULL;
    }
    return md;
}

void of_modify_destroy(of_modify_t *md) {
    if (!md) return;
    of_modstore_destroy(md->ms);
    of_catcache_destroy(md->cc);
    free(md);
}

static void dead(of_msg_result_t *r, item_t *it, const char *klass, const char *fmt, const char *detail) {
    r->dead = 1;
    r->klass = klass;
    snprintf(r->reason, sizeof r->reason, fmt, detail);
    if (it->c) /* named in the worker's log line */
        of_worker_result_about(r, it->c->meta ? it->c->meta->event_id : NULL, "tid", it->c->tid);
    it->state = IT_DEAD;
}

/* Item i takes part in the transaction of c: the one item searched (c->only), else every item of c's wave. */
static int in_tx(const txctx_t *c, int i) {
    return c->only >= 0 ? i == c->only : c->items[i].wave == c->wave;
}

/* The batch's jobs: one per raw trade among the pending items (several changes of one trade are one job: the bits
 * accumulate on its row, the first job handles them all). */
static void make_jobs(txctx_t *c) {
    c->njobs = 0;
    for (int i = 0; i < c->n; i++) {
        item_t *it = &c->items[i];
        if (it->state != IT_PENDING || !in_tx(c, i)) continue;
        int j = 0;
        while (j < c->njobs && c->jobs[j].raw_id != it->c->api_trade_id)
            j++;
        if (j == c->njobs) {
            memset(&c->jobs[j], 0, sizeof c->jobs[j]);
            c->jobs[j].raw_id = it->c->api_trade_id;
            c->jobs[j].event_id = it->c->meta->event_id;
            c->jp[j] = &c->jobs[j];
            c->njobs++;
        }
        it->job = j;
    }
}

static of_err_t tx_body(of_db_t *db, void *vctx, char *errstr, size_t size) {
    txctx_t *c = vctx;
    of_modify_t *md = c->md;
    of_modstore_discard(md->ms); /* a retried transaction starts clean */
    int m = 0;
    for (int i = 0; i < c->n; i++) {
        item_t *it = &c->items[i];
        if (!in_tx(c, i)) continue;
        if (it->state == IT_DONE || it->state == IT_WAIT || it->state == IT_DUP || it->state == IT_LATER)
            it->state = IT_PENDING;
        if (it->state != IT_PENDING) continue;
        /* a copy of an event earlier in the batch (the outbox publishes at least once): the first one stands */
        for (int k = 0; k < i && it->state == IT_PENDING; k++)
            if (c->items[k].state == IT_PENDING && !strcmp(c->items[k].c->meta->event_id, it->c->meta->event_id))
                it->state = IT_DUP;
        if (it->state == IT_PENDING) c->eids[m++] = it->c->meta->event_id;
    }
    /* 1. changes applied before (a redelivery or a replay): skipped. D-MOD-28: the ledger is read first only while
     * copies are likely (after a start, a batch that held one, and message by message); otherwise its insert at the
     * end finds a copy (a duplicate key) and the batch runs again, reading it first. */
    int read_first = md->read_ledger || c->only >= 0;
    of_err_t err = OF_OK;
    if (read_first)
        err = of_ledger_seen(db, &md->lg, md->consumer, c->eids, m, c->seen, errstr, size);
    else
        memset(c->seen, 0, (size_t)m);
    if (err) return err;
    if (c->only < 0) { /* the next batch reads it first while this one held a copy */
        int any = 0;
        for (int k = 0; k < m; k++)
            any |= c->seen[k];
        md->read_ledger = c->wave ? md->read_ledger | any : any; /* a later wave keeps what the first found */
    }
    for (int i = 0, k = 0; i < c->n; i++) {
        item_t *it = &c->items[i];
        if (!in_tx(c, i) || it->state != IT_PENDING) continue;
        if (c->seen[k++]) it->state = IT_DUP;
    }
    /* 2. the pending bits of each raw trade */
    make_jobs(c);
    if (!c->njobs) return OF_OK;
    if ((err = of_modstore_apply(md->ms, c->snap, c->jp, (size_t)c->njobs, of_cfg_platform_now(md->cfg), errstr, size)))
        return err;
    /* 3. the ledger: every change whose trade was handled (a waiting one is not: it comes back from the ladder) */
    int np = 0;
    for (int i = 0; i < c->n; i++) {
        item_t *it = &c->items[i];
        if (!in_tx(c, i) || it->state != IT_PENDING) continue;
        const of_modjob_t *job = &c->jobs[it->job];
        if (job->outcome == OF_MS_DEFERRED) { /* D-MOD-43: the next transaction's; no ledger row in this one */
            it->state = IT_LATER;
            continue;
        }
        if (job->outcome == OF_MS_WAITING || job->outcome == OF_MS_UNKNOWN) {
            it->state = IT_WAIT;
            continue;
        }
        it->state = IT_DONE;
        c->lrows[np++] = (of_ledger_row_t){.event_id = it->c->meta->event_id,
                                           .topic = rd_kafka_topic_name(it->m->rkt),
                                           .partition = it->m->partition,
                                           .offset = it->m->offset,
                                           .outcome = of_modstore_outcome(job->outcome)};
    }
    err = of_ledger_record(db, &md->lg, md->consumer, c->lrows, np, errstr, size);
    if (err == OF_ERR_DUPLICATE && !read_first) { /* a copy among them: of_modify_batch runs the batch again */
        c->copy_found = 1;
        return err;
    }
    return err == OF_ERR_DUPLICATE ? OF_ERR_TRANSIENT : err; /* recorded meanwhile by another instance: read again */
}

/* One transaction of the batch. D-MOD-45: a duplicate key met by every one of its attempts (c->dup), each of which read
 * again (a row another instance wrote meanwhile would have been found, as crm_platform_customer's is, and a race
 * passes), is no passing race but a change's own fault, which the search message by message finds and dead-letters
 * instead of holding the partition for good; like any refusal that blames the row. */
static of_err_t run_tx(txctx_t *c, char *err, size_t size) {
    of_err_t e = of_db_tx(c->md->db, tx_body, c, err, size);
    c->dup = e == OF_ERR_TRANSIENT && of_db_errno_class(of_db_tx_gave_up_on(c->md->db)) == OF_ERR_DUPLICATE;
    return e;
}

/* After a commit: each item handled by it keeps its job's outcome. */
static void keep_outcomes(txctx_t *c) {
    for (int i = 0; i < c->n; i++) {
        item_t *it = &c->items[i];
        if (!in_tx(c, i) || (it->state != IT_DONE && it->state != IT_WAIT)) continue;
        it->done = c->jobs[it->job];
    }
}

static void log_item(const item_t *it) {
    if (it->state != IT_DUP && it->state != IT_DONE) return; /* dead ones are logged by the worker loop */
    const char *eid = it->c->meta->event_id;
    if (it->state == IT_DUP) {
        of_debug("replay skipped", OF_S("event_id", eid), OF_S("tid", it->c->tid), OF_END);
        return;
    }
    const of_modjob_t *j = &it->done;
    if (j->outcome == OF_MS_APPLIED)
        of_info("change applied", OF_S("event_id", eid), OF_S("tid", j->tid), OF_U("order_id", j->trade_id),
                OF_U("bits", j->bits), OF_U("order_bits", j->order_bits), OF_I("status_before", j->status_before),
                OF_I("status_after", j->status_after), OF_U("block_reason", j->block_or), OF_U("bad_reason", j->bad_or),
                OF_S("rules", j->note), OF_END);
    else
        of_log(j->outcome == OF_MS_NOTHING ? OF_LOG_DEBUG : OF_LOG_WARN, "change not applied", OF_S("event_id", eid),
               OF_S("tid", j->tid), OF_U("raw_id", j->raw_id), OF_U("order_id", j->trade_id),
               OF_S("outcome", of_modstore_outcome(j->outcome)), OF_S("why", j->note), OF_END);
}

/* A change whose trade is not submitted yet (or not stored yet) waits on the ladder; its last try is a dead letter. */
static of_err_t send_waiting(of_modify_t *md, txctx_t *c, of_msg_result_t *res) {
    of_dr_batch_t b = {0};
    of_err_t se = OF_OK;
    for (int i = 0; i < c->n && !se; i++) {
        item_t *it = &c->items[i];
        if (it->state != IT_WAIT) continue;
        const of_modjob_t *j = &it->done;
        char why[320];
        snprintf(why, sizeof why, "%s: %s",
                 j->outcome == OF_MS_UNKNOWN ? "raw trade not stored" : "trade not submitted", j->note);
        int rung = -1;
        if ((se = of_ladder_send(md->p, md->ladder, it->m, &it->rc, why, md->worker, &rung, &b))) break;
        if (rung >= 0) {
            of_info("change waits on the retry ladder", OF_S("event_id", it->c->meta->event_id),
                    OF_S("tid", it->c->tid), OF_I("rung", rung), OF_I("attempt", it->rc.attempt), OF_S("why", why),
                    OF_END);
            continue;
        }
        /* tries used up: the worker's loop dead-letters it with the reason */
        dead(&res[i], it, "exhausted", "%s (every try of the retry ladder)", why);
    }
    if (of_producer_wait(md->p, &b) || se) {
        of_warn("retry not delivered; the batch will be handled again",
                OF_S("error", b.error[0] ? b.error : of_err_str(se)), OF_END);
        return OF_ERR_TRANSIENT;
    }
    return OF_OK;
}

of_err_t of_modify_batch(void *ctx, rd_kafka_message_t **msgs, int n, of_msg_result_t *res) {
    of_modify_t *md = ctx;
    item_t *items = calloc((size_t)n, sizeof *items);
    if (!items) return OF_ERR_TRANSIENT;
    of_err_t rc = OF_OK;
    char err[400];
    /* 1. decode and validate (pure) */
    for (int i = 0; i < n; i++) {
        item_t *it = &items[i];
        it->m = msgs[i];
        of_ladder_ctx_read(msgs[i], &it->rc);
        if (msgs[i]->len > OF_MODIFY_MAX_CHANGE) { /* D-MOD-42: it could not wait on the ladder (its partition stuck) */
            char what[96];
            snprintf(what, sizeof what, "value of %zu bytes: a TradeChange takes at most %d", msgs[i]->len,
                     OF_MODIFY_MAX_CHANGE);
            dead(&res[i], it, "validation", "%s", what);
            continue;
        }
        it->c = orderfleet__trade_change__unpack(NULL, msgs[i]->len, msgs[i]->payload);
        if (!it->c) {
            dead(&res[i], it, "decode", "%s", "value is not a TradeChange protobuf message");
            continue;
        }
        const char *eid = it->c->meta ? it->c->meta->event_id : NULL;
        /* D-RT-5: up to processed_event.event_id's 128, not the 100 of a raw event's id, which trade-submit prefixes
         * with "tc-" */
        if (!eid || !*eid || strlen(eid) > 128 ||
            strspn(eid, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-") != strlen(eid)) {
            dead(&res[i], it, "validation", "%s", "meta.event_id: must be 1..128 of [A-Za-z0-9._:-]");
            continue;
        }
        if (!it->c->api_trade_id) {
            dead(&res[i], it, "validation", "%s", "api_trade_id: required (the api_trade row the change is about)");
            continue;
        }
    }
    /* 2. one transaction for the batch; on a permanent error, one per message to find the poison one */
    of_cat_snap_t *snap = of_catcache_acquire(md->cc); /* the catalogue, outside the transaction */
    if (!snap) {
        rc = OF_ERR_TRANSIENT;
        goto out;
    }
    txctx_t c = {.md = md, .items = items, .n = n, .only = -1, .snap = snap};
    c.jobs = calloc((size_t)n, sizeof *c.jobs);
    c.jp = calloc((size_t)n, sizeof *c.jp);
    c.eids = calloc((size_t)n, sizeof *c.eids);
    c.seen = calloc((size_t)n, 1);
    c.lrows = calloc((size_t)n, sizeof *c.lrows);
    of_err_t e = OF_ERR_TRANSIENT;
    if (!c.jobs || !c.jp || !c.eids || !c.seen || !c.lrows)
        snprintf(err, sizeof err, "out of memory");
    else
        e = run_tx(&c, err, sizeof err);
    if (e == OF_ERR_DUPLICATE && c.copy_found) { /* D-MOD-28: rolled back; again, the ledger read first */
        of_info("a change of the batch was applied before (a copy): the batch runs again, reading the ledger first",
                OF_I("messages", n), OF_END);
        md->read_ledger = 1;
        c.copy_found = 0;
        e = run_tx(&c, err, sizeof err);
    }
    if (e == OF_OK) keep_outcomes(&c);
    size_t nov;
    const of_api_goods_t *ov = of_cat_overlay_rows(of_modstore_overlay(md->ms), &nov);
    of_catcache_commit(md->cc, &c.snap, e == OF_OK, ov, nov);
    of_modstore_discard(md->ms);
    /* D-MOD-43: changes deferred because another change of the transaction changed their order, one transaction more
     * each time (two raw trades of one merged order in a batch: two) */
    for (int later = e == OF_OK; later;) {
        later = 0;
        for (int i = 0; i < n; i++)
            if (items[i].state == IT_LATER) {
                items[i].state = IT_PENDING;
                items[i].wave = c.wave + 1;
                later++;
            }
        if (!later) break;
        c.wave++;
        of_debug("changes of an order changed by the transaction before: one transaction more", OF_I("wave", c.wave),
                 OF_I("messages", later), OF_END);
        e = run_tx(&c, err, sizeof err);
        if (e == OF_ERR_DUPLICATE && c.copy_found) { /* D-MOD-28, as for the first */
            md->read_ledger = 1;
            c.copy_found = 0;
            e = run_tx(&c, err, sizeof err);
        }
        if (e == OF_OK) keep_outcomes(&c);
        ov = of_cat_overlay_rows(of_modstore_overlay(md->ms), &nov);
        of_catcache_commit(md->cc, &c.snap, e == OF_OK, ov, nov);
        of_modstore_discard(md->ms);
        later = e == OF_OK;
    }
    if (c.dup) e = OF_ERR_DB;
    if (e && of_err_class(e) == OF_ERRCLASS_PERMANENT) {
        of_warn("batch transaction failed; retrying message by message", OF_S("error", err), OF_I("messages", n),
                OF_END);
        int applied = 0, suspects = 0;
        char why[sizeof err] = "";
        /* a change refused with an error that blames no row, and how many changes had been applied then: when one
         * is applied after it, the refusal may have been a condition that passed meanwhile (a table back), so it
         * runs once more (pass 1) before it counts as its own */
        int *failed_at = malloc((size_t)n * sizeof *failed_at);
        if (!failed_at) e = OF_ERR_TRANSIENT; /* out of memory: the batch again later */
        for (int i = 0; failed_at && i < n; i++)
            failed_at[i] = -1;
        for (int pass = 0; failed_at && pass < 2 && e != OF_ERR_TRANSIENT; pass++)
            for (int i = 0; i < n && e != OF_ERR_TRANSIENT; i++) {
                if (pass == 1) {
                    if (failed_at[i] < 0 || failed_at[i] == applied) continue;
                    failed_at[i] = -1;
                    res[i].dead = 0;
                    suspects--;
                } else if (items[i].state == IT_DEAD || items[i].wave < c.wave) {
                    continue; /* an earlier wave's: committed */
                }
                items[i].state = IT_PENDING;
                c.only = i;
                of_err_t e1 = run_tx(&c, err, sizeof err);
                unsigned int dberr = of_db_last_errno(md->db);
                ov = of_cat_overlay_rows(of_modstore_overlay(md->ms), &nov);
                of_catcache_commit(md->cc, &c.snap, e1 == OF_OK, ov, nov);
                of_modstore_discard(md->ms);
                if (e1 == OF_OK) {
                    keep_outcomes(&c);
                    /* D-MOD-47: only a change whose rows the database took tells that a refusal blaming no row is the
                     * others' own; a copy the ledger skipped, or a change sent to wait, wrote none of them */
                    applied += items[i].state == IT_DONE && (items[i].done.outcome == OF_MS_APPLIED ||
                                                             items[i].done.outcome == OF_MS_RESUBMIT_STOPPED);
                    continue;
                }
                if (of_err_class(e1) != OF_ERRCLASS_PERMANENT && !c.dup) {
                    e = OF_ERR_TRANSIENT;
                    continue;
                }
                if (e1 == OF_ERR_DB && of_db_errno_blame(dberr) != OF_DB_BLAME_ROW) {
                    if (!suspects++) snprintf(why, sizeof why, "%s", err);
                    if (pass == 0 && !c.dup) failed_at[i] = applied;
                }
                if (c.dup) { /* err's room is the reason's: the attempts go first */
                    char again[sizeof err + 64];
                    snprintf(again, sizeof again, "a duplicate key in each of its %lld attempts: %s",
                             (long long)of_cfg_int(md->cfg, OF_CFG_TX_RETRIES) + 1, err);
                    dead(&res[i], &items[i], "permanent", "database refused the change: %s", again);
                } else {
                    dead(&res[i], &items[i], "permanent", "database refused the change: %s", err);
                }
            }
        free(failed_at);
        c.only = -1;
        if (e != OF_ERR_TRANSIENT && suspects && !applied) { /* a refusal that blames no row: not the messages' */
            of_warn("database refused every change of the batch with an error that blames no row; will retry",
                    OF_S("error", why), OF_I("messages", n), OF_END);
            snprintf(err, sizeof err, "%s", why);
            e = OF_ERR_TRANSIENT;
        }
        if (e != OF_ERR_TRANSIENT) e = OF_OK;
    }
    if (!e) e = send_waiting(md, &c, res);
    if (e) {
        of_warn("batch transaction failed", OF_S("error", err), OF_S("class", of_err_str(e)), OF_END);
        of_metric_add(OF_M_FAILED, 1);
        rc = OF_ERR_TRANSIENT;
    } else {
        for (int i = 0; i < n; i++) {
            log_item(&items[i]);
            if (items[i].state == IT_DONE) of_metric_add(OF_M_PROCESSED, 1);
            if (items[i].state == IT_DUP) of_metric_add(OF_M_DUPLICATE, 1);
        }
    }
    of_cat_snap_release(c.snap);
    free(c.jobs);
    free(c.jp);
    free(c.eids);
    free(c.seen);
    free(c.lrows);
out:
    for (int i = 0; i < n; i++) {
        orderfleet__trade_change__free_unpacked(items[i].c, NULL);
        of_ladder_ctx_clear(&items[i].rc);
    }
    free(items);
    return rc;
}

void of_modify_set_lane(of_modify_t *md, int lane) {
    md->lane = lane;
    of_modstore_set_lane(md->ms, lane);
}

void of_modify_tick(void *ctx) {
    of_modify_t *md = ctx;
    int64_t now = of_now_ms();
    of_producer_poll(md->p); /* a lane's own producer: its reports and errors also while it sends nothing */
    int upkeep = !md->lane;  /* lane 0 does the instance's upkeep */
    if (upkeep && now - md->last_prune_ms >= md->prune_wait_ms) { /* the ledger's retention (D-T10-11) */
        md->last_prune_ms = now;
        int n = of_ledger_prune(md->db, (int)of_cfg_int(md->cfg, OF_CFG_LEDGER_RETENTION_H), 5000);
        md->prune_wait_ms = of_ledger_prune_wait_ms(n, 5000);
    }
    of_catcache_tick(md->cc);
}
