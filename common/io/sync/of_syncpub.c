/* of_syncpub.c -- a site's sync-log reader (of_syncpub.h). */
#include "of_syncpub.h"
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "of_kafka.h"
#include "of_log.h"
#include "of_time.h"
#include "of_topics.h"
#include "of_worker.h"
#include "sync.pb-c.h"

struct of_syncpub_s {
    const of_config_t *cfg;
    of_site_t side;
    char worker[160];
    pthread_t th;
    atomic_int stop;
    atomic_ullong published;
    of_db_t *db;
    of_producer_t *p;
    int q_take;
    of_db_multi_t w_mark;
    int limit;
};

#define TAKE_SQL(p)                                                                                                    \
    "SELECT id, oid, op, actor, fields, from_status, status, DATE_FORMAT(addtime, '%Y-%m-%d %H:%i:%s.%f'), "           \
    "UNIX_TIMESTAMP(addtime) * 1000 FROM " p "_order_sync_log WHERE published = 0 ORDER BY id LIMIT ? FOR UPDATE "     \
    "SKIP LOCKED"

static void nap(of_syncpub_t *p, long ms) {
    for (long t = 0; t < ms && !atomic_load(&p->stop) && !of_stop_requested; t += 20) {
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

static of_err_t take_fn(of_db_t *db, void *ctx, char *err, size_t size) {
    of_syncpub_t *p = ctx;
    of_rows_t *r = NULL;
    of_param_t lim = OFP_I(p->limit);
    of_err_t e = of_db_query(db, p->q_take, &lim, 1, &r, err, size);
    if (e) return e;
    if (!r->nrows) {
        of_rows_free(r);
        return OF_ERR_STALE; /* nothing to publish: the caller naps (rolled back, nothing held) */
    }
    const char *topic = of_producer_topic(p->p, OF_TOPIC_ORDER_SYNC);
    of_dr_batch_t b = {0};
    of_param_t *ids = calloc((size_t)r->nrows, sizeof *ids);
    if (!ids) {
        of_rows_free(r);
        return of_seterr(err, size, OF_ERR_NOMEM, "out of memory");
    }
    char eid[64], key[24];
    for (int i = 0; i < r->nrows && !e; i++) {
        Orderfleet__EventMeta meta = ORDERFLEET__EVENT_META__INIT;
        Orderfleet__SyncOp op = ORDERFLEET__SYNC_OP__INIT;
        uint64_t id = (uint64_t)of_rows_i64(r, i, 0), oid = (uint64_t)of_rows_i64(r, i, 1);
        snprintf(eid, sizeof eid, "sync-%c-%" PRIu64, p->side == OF_SITE_SELLER ? 's' : 'b', id);
        meta.event_id = eid;
        meta.occurred_at_ms = of_rows_i64(r, i, 8);
        meta.producer = p->worker;
        meta.schema_version = 1;
        op.meta = &meta;
        op.side = p->side == OF_SITE_SELLER ? ORDERFLEET__SYNC_OP__SIDE__SELLER : ORDERFLEET__SYNC_OP__SIDE__BUYER;
        op.sync_log_id = id;
        op.oid = oid;
        op.op = (char *)(of_rows_str(r, i, 2) ? of_rows_str(r, i, 2) : "");
        op.actor_type = (int32_t)of_rows_i64(r, i, 3);
        op.fields_json = (char *)(of_rows_str(r, i, 4) ? of_rows_str(r, i, 4) : "{}");
        op.from_status = (int32_t)of_rows_i64(r, i, 5);
        op.status = (int32_t)of_rows_i64(r, i, 6);
        op.addtime_ms = of_rows_i64(r, i, 8);
        op.actor = (char *)"";
        size_t len = orderfleet__sync_op__get_packed_size(&op);
        uint8_t *buf = malloc(len ? len : 1);
        if (!buf) {
            e = of_seterr(err, size, OF_ERR_NOMEM, "out of memory");
            break;
        }
        orderfleet__sync_op__pack(&op, buf);
        snprintf(key, sizeof key, "%" PRIu64, oid);
        e = of_producer_send(p->p, topic, key, strlen(key), buf, len, NULL, &b);
        free(buf);
        ids[i] = OFP_U(id);
    }
    if (of_producer_wait(p->p, &b) && !e) e = of_seterr(err, size, OF_ERR_TRANSIENT, "kafka: %s", b.error);
    if (!e) e = of_db_exec_multi(db, &p->w_mark, ids, r->nrows, NULL, err, size);
    if (!e) atomic_fetch_add(&p->published, (unsigned long long)r->nrows);
    free(ids);
    of_rows_free(r);
    return e;
}

static void *run(void *arg) {
    of_syncpub_t *p = arg;
    char err[512];
    int away = 0;
    long backoff = 100;
    const char *side = of_site_name(p->side);
    while (!atomic_load(&p->stop) && !of_stop_requested) {
        if (!p->db) {
            p->db = of_site_connect(p->cfg, p->side, err, sizeof err);
            if (p->db) {
                of_err_t e = OF_OK;
                p->q_take = of_db_register(p->db, p->side == OF_SITE_SELLER ? TAKE_SQL("seller") : TAKE_SQL("buyer"));
                if (p->q_take < 0) e = OF_ERR_NOMEM;
                if (!e)
                    e = of_db_register_multi(p->db,
                                             p->side == OF_SITE_SELLER
                                                 ? "UPDATE seller_order_sync_log SET published = 1 WHERE id IN ("
                                                 : "UPDATE buyer_order_sync_log SET published = 1 WHERE id IN (",
                                             "?", ")", &p->w_mark);
                if (e) {
                    of_error("sync-log reader: cannot prepare its statements", OF_S("site", side), OF_END);
                    of_db_close(p->db);
                    p->db = NULL;
                    nap(p, 5000);
                    continue;
                }
            }
        }
        of_err_t e = p->db ? of_db_tx(p->db, take_fn, p, err, sizeof err) : OF_ERR_TRANSIENT;
        if (e == OF_OK || e == OF_ERR_STALE) {
            if (away)
                of_info("sync-log reader: site reachable again", OF_S("site", side), OF_I("after_tries", away), OF_END);
            away = 0;
            backoff = 100;
            if (e == OF_ERR_STALE) nap(p, (long)of_cfg_int(p->cfg, OF_CFG_SYNC_PUBLISH_IDLE_MS));
            continue;
        }
        if (!away++)
            of_warn("sync-log reader: waiting for the site (SYN-4: nothing is lost, its ops wait in its sync log)",
                    OF_S("site", side), OF_S("error", err), OF_END);
        if (p->db && e != OF_ERR_TRANSIENT) { /* not a passing condition: start over with a fresh connection */
            of_db_close(p->db);
            p->db = NULL;
        }
        nap(p, backoff);
        backoff = backoff * 2 > 5000 ? 5000 : backoff * 2;
    }
    return NULL;
}

of_syncpub_t *of_syncpub_start(const of_config_t *cfg, of_site_t side, const char *worker, char *errstr, size_t size) {
    of_syncpub_t *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->cfg = cfg;
    p->side = side;
    p->limit = (int)of_cfg_int(cfg, OF_CFG_SYNC_PUBLISH_BATCH);
    snprintf(p->worker, sizeof p->worker, "%s/%s-reader", worker, of_site_name(side));
    if (!(p->p = of_producer_new(cfg, p->worker, errstr, size))) {
        free(p);
        return NULL;
    }
    if (pthread_create(&p->th, NULL, run, p)) {
        of_producer_destroy(p->p);
        free(p);
        of_seterr(errstr, size, OF_ERR_NOMEM, "cannot start a thread");
        return NULL;
    }
    return p;
}

unsigned long long of_syncpub_published(const of_syncpub_t *p) {
    return atomic_load(&p->published);
}

void of_syncpub_stop(of_syncpub_t *p) {
    if (!p) return;
    atomic_store(&p->stop, 1);
    pthread_join(p->th, NULL);
    of_producer_destroy(p->p);
    of_db_close(p->db);
    free(p);
}
