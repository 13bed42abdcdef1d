/* of_gateway.c -- the flash-sale HTTP gateway (of_gateway.h): libmicrohttpd with a thread pool, one database and
 * one Redis connection per request thread, and a librdkafka producer whose delivery reports a poll thread hands to
 * the waiting requests. */
#include "of_rkey.h"
#include "of_gateway.h"
#include <arpa/inet.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include <librdkafka/rdkafka.h>
#include <microhttpd.h>
#include "flash.pb-c.h"
#include "of_admin.h"
#include "of_db.h"
#include "of_fsauth.h"
#include "of_fsjob.h"
#include "of_fsorder.h"
#include "of_fspay.h"
#include "of_fspaystore.h"
#include "of_http.h"
#include "of_outbox.h"
#include "of_sign.h"
#include "of_fsreq.h"
#include "of_kafka.h"
#include "of_log.h"
#include "of_metrics.h"
#include "of_money.h"
#include "of_redis.h"
#include "of_time.h"
#include "of_topics.h"

#define CREATE_FAIL_MSG "下单失败，请重新下单"

/* a job given up on after its produce, whose failed record fs_job still lacks (the database was unavailable) */
typedef struct {
    char id[40];
    uint64_t user_id, batch_id;
    int num, line;
} qfail_t;

#ifndef MHD_HTTP_UNPROCESSABLE_CONTENT /* libmicrohttpd before 0.9.74 */
#define MHD_HTTP_UNPROCESSABLE_CONTENT 422
#endif

#define QFAIL_MAX 100000 /* records kept for a database that stays away (~6 MB); beyond, logged and dropped */

struct of_gateway_s {
    const of_config_t *cfg;
    rd_kafka_t *rk;
    of_kafka_confirm_t *confirm; /* D-KAF-10, used by the poll thread alone */
    pthread_t poller;
    int poller_started;
    volatile int stopping;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct MHD_Daemon *d;
    pthread_key_t key;
    char topic[256], prefix[64], host[64];
    int nlines, attempts_max, max_body, queue_timeout_ms;
    int64_t ttl_ms, keep_ms;
    char notify_url[512];
    /* the publisher: PaymentCompleted rows of the outbox go to Kafka as soon as a payment commits */
    pthread_t publisher;
    int publisher_started, publish_asked;
    pthread_cond_t publish_cv;
    /* D-FS-3: QUEUE_FAILED records the database refused at give-up, written by the publisher thread (under mu) */
    qfail_t *qfail;
    size_t nqfail, capqfail;
};

/* a request thread's connections */
typedef struct {
    of_gateway_t *g;
    of_db_t *db;
    of_redis_t *rd;
    of_fspaystore_t *pay;
    int st_order, st_pays, st_job, st_idem, st_qfail;
} session_t;

/* a request; a job submit is suspended (MHD_suspend_connection) from its produce until its delivery report resumes
 * it, so that no request thread waits for Kafka */
typedef struct {
    char *body;
    size_t len, cap;
    int too_large;
    int phase; /* 0 reading, 1 job queued and suspended, 2 its delivery report came (err) */
    rd_kafka_resp_err_t err;
    struct MHD_Connection *conn;
    char id[40], hkey[128], ikey[256], name[64];
    uint64_t user_id, batch_id;
    int num, line;
    int64_t t0_us; /* arrival (the request-time histogram) */
} req_t;

static const char SQL_ORDER[] =
    "SELECT id, order_code, IFNULL(job_id, ''), user_id, merchant_id, batch_id, num, unit_price, amount, remain_pay, "
    "state, pay_method, IFNULL(present_info, 'null'), DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s'), "
    "IFNULL(DATE_FORMAT(paid_at, '%Y-%m-%d %H:%i:%s'), '') FROM fs_order WHERE id = ?";
static const char SQL_PAYS[] = "SELECT seq, pay_type, amount, status, IFNULL(provider_trade_no, ''), "
                               "DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s') FROM fs_pay_info WHERE order_id = ? "
                               "ORDER BY seq";
static const char SQL_JOB[] =
    "SELECT job_id, line, user_id, batch_id, num, IFNULL(data, 'null'), priority, progress, state, error, "
    "IFNULL(result_order_id, 0), ttl_ms, attempts_made, attempts_remaining, attempts_max, "
    "ROUND(UNIX_TIMESTAMP(created_at) * 1000), ROUND(UNIX_TIMESTAMP(promote_at) * 1000) FROM fs_job WHERE job_id = ?";

/* D-FS-15: the job that made the order of a caller's Idempotency-Key (the flash worker writes it with the order) */
static const char SQL_IDEM[] = "SELECT job_id FROM fs_job WHERE idem_client = ? AND idempotency_key = ?";

/* D-FS-3: a job the gateway gave up on after its produce, failed durably unless a worker recorded it first (the
 * worker locks the row before it decides, so a message that lands later finds it final and makes no order) */
static const char SQL_QFAIL[] =
    "INSERT INTO fs_job (job_id, line, user_id, batch_id, num, state, error, progress, attempts_made, "
    "attempts_remaining, attempts_max, ttl_ms, finished_at) VALUES (?, ?, ?, ?, ?, 'failed', 'QUEUE_FAILED', 100, 0, "
    "0, ?, ?, NOW(3)) ON DUPLICATE KEY UPDATE job_id = job_id";

/* ---------------------------------------------------------------- Kafka */
static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk;
    of_gateway_t *g = opaque;
    req_t *rq = m->_private;
    rd_kafka_resp_err_t err = m->err;
    /* D-KAF-10: a success the broker did not confirm fails the job (its record failed, CreateOrderFail); should the
     * message be stored after all, the worker finds the job final and makes no order (D-FS-3) */
    if (!of_kafka_confirm_check(g->confirm, m)) {
        of_kafka_confirm_warn(m, 0, "the job fails (CreateOrderFail)");
        err = RD_KAFKA_RESP_ERR__INCONSISTENT;
    }
    if (!rq) return;
    rq->err = err;
    __atomic_store_n(&rq->phase, 2, __ATOMIC_RELEASE);
    MHD_resume_connection(rq->conn); /* the request thread answers it (submit_end) */
}

static void *poll_main(void *arg) {
    of_gateway_t *g = arg;
    while (!g->stopping)
        rd_kafka_poll(g->rk, 100);
    return NULL;
}

/* D-FS-3: q's failed record (SQL_QFAIL, prepared as st on db) */
static of_err_t qfail_write(const of_gateway_t *g, of_db_t *db, int st, const qfail_t *q, char *why, size_t size) {
    of_param_t p[] = {OFP_S(q->id),  OFP_I(q->line),         OFP_U(q->user_id), OFP_U(q->batch_id),
                      OFP_I(q->num), OFP_I(g->attempts_max), OFP_I(g->ttl_ms)};
    return of_db_exec(db, st, p, 7, NULL, NULL, why, size);
}

/* D-FS-3: the failed records give_up_durably could not write, written now (the publisher thread, every second and
 * at stop). A record the database refuses stays for the next pass; the pass goes on past a refusal of one row and
 * stops at the server's condition (an outage: the rest waits too). Returns the records still waiting. */
static size_t qfail_flush(of_gateway_t *g, of_db_t *db, int64_t *last_warn) {
    pthread_mutex_lock(&g->mu);
    size_t n = g->nqfail;
    pthread_mutex_unlock(&g->mu);
    if (!n || !db) return n;
    int st = of_db_register(db, SQL_QFAIL);
    size_t i = 0, kept = 0; /* entries [0, kept) are refused ones, compacted in place; only this thread removes */
    char why[256] = "";
    of_err_t e = OF_OK;
    for (; st >= 0 && i < n; i++) {
        qfail_t q;
        pthread_mutex_lock(&g->mu);
        q = g->qfail[i];
        pthread_mutex_unlock(&g->mu);
        if ((e = qfail_write(g, db, st, &q, why, sizeof why))) {
            pthread_mutex_lock(&g->mu);
            g->qfail[kept++] = q;
            pthread_mutex_unlock(&g->mu);
            if (e == OF_ERR_TRANSIENT) {
                i++;
                break;
            }
            continue;
        }
        of_info("flash job given up on: failed in fs_job now that the database takes it (D-FS-3)", OF_S("job_id", q.id),
                OF_END);
    }
    pthread_mutex_lock(&g->mu); /* [i, n) not tried; entries added meanwhile were appended after n */
    memmove(g->qfail + kept, g->qfail + i, (g->nqfail - i) * sizeof *g->qfail);
    g->nqfail -= i - kept;
    size_t left = g->nqfail;
    pthread_mutex_unlock(&g->mu);
    if (left && of_mono_ms() - *last_warn >= 10000) {
        *last_warn = of_mono_ms();
        of_warn("flash jobs given up on: not failed in fs_job yet (database), retried every second",
                OF_I("pending", (long long)left), OF_S("error", why), OF_END);
    }
    return left;
}

/* PaymentCompleted (and any other unsent outbox row) to Kafka: at once when a payment commits, else every second
 * (a gateway that died between commit and publish is covered by any worker's outbox sweep) */
static void *publish_main(void *arg) {
    of_gateway_t *g = arg;
    char err[256] = "";
    of_db_t *db = NULL;
    of_producer_t *p = NULL;
    of_outbox_t *ob = NULL;
    int64_t qfail_warn = 0;
    while (!g->stopping) {
        if (!ob) {
            if (!db) db = of_db_connect(g->cfg, NULL, err, sizeof err);
            if (db && !p) p = of_producer_new(g->cfg, g->host, err, sizeof err);
            if (db && p) ob = of_outbox_new(db, p);
            if (!ob) of_warn("payment publisher: not ready, retrying", OF_S("error", err), OF_END);
        }
        if (ob) of_outbox_sweep(ob, 0, 256);
        qfail_flush(g, db, &qfail_warn);
        pthread_mutex_lock(&g->mu);
        if (!g->publish_asked && !g->stopping) {
            struct timespec t;
            clock_gettime(CLOCK_REALTIME, &t);
            t.tv_sec += 1;
            pthread_cond_timedwait(&g->publish_cv, &g->mu, &t);
        }
        g->publish_asked = 0;
        pthread_mutex_unlock(&g->mu);
    }
    if (ob) of_outbox_sweep(ob, 0, 256);
    qfail_warn = 0;
    if (qfail_flush(g, db, &qfail_warn)) { /* no request thread is left: the list is this thread's */
        char ids[11 * 40] = "";
        for (size_t i = 0, o = 0; i < g->nqfail && i < 10; i++)
            o += (size_t)snprintf(ids + o, sizeof ids - o, "%s%s", i ? "," : "", g->qfail[i].id);
        of_error("gateway stop: jobs given up on are not failed in fs_job (database unavailable); a late message "
                 "may still run one if Redis loses its record too",
                 OF_I("jobs", (long long)g->nqfail), OF_S("first_job_ids", ids), OF_END);
    }
    of_outbox_destroy(ob);
    of_producer_destroy(p);
    of_db_close(db);
    return NULL;
}

static void publish_now(of_gateway_t *g) {
    pthread_mutex_lock(&g->mu);
    g->publish_asked = 1;
    pthread_cond_signal(&g->publish_cv);
    pthread_mutex_unlock(&g->mu);
}

/* ---------------------------------------------------------------- sessions */
static void session_free(void *p) {
    session_t *s = p;
    if (!s) return;
    of_fspaystore_destroy(s->pay);
    of_db_close(s->db);
    of_redis_close(s->rd);
    free(s);
}

static session_t *session(of_gateway_t *g, char *why, size_t size) {
    session_t *s = pthread_getspecific(g->key);
    if (s && s->db && s->rd) return s;
    if (!s) {
        if (!(s = calloc(1, sizeof *s))) {
            snprintf(why, size, "out of memory");
            return NULL;
        }
        s->g = g;
        pthread_setspecific(g->key, s);
    }
    if (!s->rd && !(s->rd = of_redis_connect(g->cfg, why, size))) return NULL;
    if (!s->db) {
        if (!(s->db = of_db_connect(g->cfg, NULL, why, size))) return NULL;
        s->st_order = of_db_register(s->db, SQL_ORDER);
        s->st_pays = of_db_register(s->db, SQL_PAYS);
        s->st_job = of_db_register(s->db, SQL_JOB);
        s->st_idem = of_db_register(s->db, SQL_IDEM);
        s->st_qfail = of_db_register(s->db, SQL_QFAIL);
    }
    if (!s->pay && !(s->pay = of_fspaystore_new(s->db, why, size))) return NULL;
    return s;
}

/* D-FS-19: 0 when job id (the job an Idempotency-Key names) asked for another job than r; 1 when the same, or when
 * its record cannot be read (the key still names that job: the answer stays its jobId, as before D-FS-19) */
static int idem_same_job(session_t *s, const char *id, const of_fsreq_job_t *r);

/* ---------------------------------------------------------------- responses */
/* allow: the Allow header of a 405 (RFC 9110 §15.5.6), NULL otherwise */
static enum MHD_Result reply_text_allow(struct MHD_Connection *c, unsigned status, const char *type, const char *text,
                                        const char *allow) {
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
    if (!r) return MHD_NO;
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    if (status == MHD_HTTP_UNAUTHORIZED) MHD_add_response_header(r, "WWW-Authenticate", "Bearer");
    if (allow) MHD_add_response_header(r, "Allow", allow);
    enum MHD_Result rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned status, const char *type, const char *text) {
    return reply_text_allow(c, status, type, text, NULL);
}

static enum MHD_Result reply_json_allow(struct MHD_Connection *c, unsigned status, cJSON *o, const char *allow) {
    char *s = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    if (!s) return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain", "out of memory\n");
    enum MHD_Result rc = reply_text_allow(c, status, "application/json; charset=utf-8", s, allow);
    free(s);
    return rc;
}

static enum MHD_Result reply_json(struct MHD_Connection *c, unsigned status, cJSON *o) {
    return reply_json_allow(c, status, o, NULL);
}

/* A 405's message is the method the route takes, also sent as its Allow header. */
static enum MHD_Result reply_error(struct MHD_Connection *c, unsigned status, const char *error, const char *msg) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "error", error);
    cJSON_AddStringToObject(o, "message", msg);
    return reply_json_allow(c, status, o, status == MHD_HTTP_METHOD_NOT_ALLOWED ? msg : NULL);
}

static void add_money(cJSON *o, const char *name, const char *cell) {
    /* exact decimals as strings (DECIMAL(19,4)) */
    cJSON_AddStringToObject(o, name, cell ? cell : "0");
}

/* ---------------------------------------------------------------- POST /api/order/job (FS-1) */
static void new_job_id(char *buf, size_t size) {
    uint64_t r = 0;
    if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r) r = (uint64_t)rand() << 32 ^ (uint64_t)rand();
    snprintf(buf, size, "%011" PRIx64 "%016" PRIx64, (uint64_t)of_now_ms(), r);
}

static int redis_do(session_t *s, int argc, const char **argv, redisReply **rep, char *why, size_t size) {
    if (of_redis_cmd(s->rd, argc, argv, rep, why, size)) return -1;
    if (*rep && (*rep)->type == REDIS_REPLY_ERROR) {
        snprintf(why, size, "redis: %s", (*rep)->str);
        freeReplyObject(*rep);
        *rep = NULL;
        return -1;
    }
    return 0;
}

/* D-FS-15: while its submit is in flight a key holds "claim:<jobId>" (a concurrent repeat is told to retry, never
 * handed a job that may yet fail to queue); once Kafka holds the job, the jobId. */
enum { IDEM_ERROR = -1, IDEM_FRESH, IDEM_JOB, IDEM_BUSY };

/* the key names the job (Kafka holds it) */
static void idem_bind(session_t *s, const char *ikey, const char *id) {
    char keep[24], why[256];
    snprintf(keep, sizeof keep, "%lld", (long long)s->g->keep_ms);
    const char *set[] = {"SET", ikey, id, "PX", keep};
    redisReply *rep = NULL;
    if (redis_do(s, 5, set, &rep, why, sizeof why))
        of_warn("idempotency key not bound (fs_job keeps it once the order is made)", OF_S("job_id", id),
                OF_S("error", why), OF_END);
    freeReplyObject(rep);
}

/* the key free again after a CreateOrderFail, if job id still claims it (dedupe_release.lua) */
static void idem_release(session_t *s, const char *ikey, const char *id) {
    char why[256];
    const char *k[] = {ikey}, *a[] = {id};
    long long v = 0;
    if (of_redis_eval_int(s->rd, OF_LUA_DEDUPE_RELEASE, 1, k, 1, a, &v, why, sizeof why))
        of_warn("idempotency key not released (it lapses)", OF_S("job_id", id), OF_S("error", why), OF_END);
}

/* D-FS-3: after a produce whose report failed (the message may have been persisted all the same), the job fails in
 * fs_job too, so that no Redis loss or outage lets a late message make an order. Returns 0 when a worker recorded the
 * job first (the job exists), 1 when failed here (or the database is unavailable: logged) */
static int give_up_durably(of_gateway_t *g, session_t *s, const req_t *rq) {
    char why[256];
    qfail_t q = {.user_id = rq->user_id, .batch_id = rq->batch_id, .num = rq->num, .line = rq->line};
    snprintf(q.id, sizeof q.id, "%s", rq->id);
    of_param_t id = OFP_S(rq->id);
    of_rows_t *rows = NULL;
    if (qfail_write(g, s->db, s->st_qfail, &q, why, sizeof why) ||
        of_db_query(s->db, s->st_job, &id, 1, &rows, why, sizeof why)) {
        /* answered CreateOrderFail all the same; the record is written when the database is back (qfail_flush):
         * until then the live record (failed by fsjob_abandon.lua) keeps a late message from making an order */
        pthread_mutex_lock(&g->mu);
        int kept = g->nqfail < QFAIL_MAX;
        if (kept && g->nqfail == g->capqfail) {
            size_t cap = g->capqfail ? g->capqfail * 2 : 64;
            qfail_t *nq = realloc(g->qfail, cap * sizeof *nq);
            if (nq) g->qfail = nq, g->capqfail = cap;
            kept = nq != NULL;
        }
        if (kept) g->qfail[g->nqfail++] = q;
        pthread_mutex_unlock(&g->mu);
        of_warn(kept ? "flash job: not failed in fs_job yet (database), written when it is back"
                     : "flash job: not failed in fs_job (database; too many waiting), a late message may still run it "
                       "if Redis loses its record too",
                OF_S("job_id", rq->id), OF_S("error", why), OF_END);
        return 1;
    }
    int mine =
        rows->nrows && !strcmp(of_rows_str(rows, 0, 8), "failed") && !strcmp(of_rows_str(rows, 0, 9), "QUEUE_FAILED");
    of_rows_free(rows);
    return mine;
}

/* FS-1, D-FS-3: the gateway could not queue job id. fsjob_abandon.lua fails its record unless a worker took the job
 * first (the message landed after all: the job exists, its jobId is the answer); after a produce (rq) fs_job too
 * (give_up_durably); else CreateOrderFail, the key free again. */
static enum MHD_Result give_up(of_gateway_t *g, session_t *s, struct MHD_Connection *c, const char *id,
                               const char *hkey, const char *ikey, const req_t *rq) {
    char why[256], now[24], keep[24];
    long long v = 1;
    if (s && s->rd) {
        snprintf(now, sizeof now, "%lld", (long long)of_now_ms());
        snprintf(keep, sizeof keep, "%lld", (long long)g->keep_ms);
        const char *k[] = {hkey}, *a[] = {now, keep};
        if (of_redis_eval_int(s->rd, OF_LUA_FSJOB_ABANDON, 1, k, 2, a, &v, why, sizeof why))
            of_warn("flash job: its record not failed (Redis)", OF_S("job_id", id), OF_S("error", why), OF_END);
    }
    if (v && rq && s && s->db) v = give_up_durably(g, s, rq);
    if (!v) { /* a worker took it first */
        of_warn("flash job queued after all: a worker took it before its delivery report (jobId answered)",
                OF_S("job_id", id), OF_END);
        if (ikey[0]) idem_bind(s, ikey, id);
        of_metric_add(OF_M_EMITTED, 1);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "jobId", id);
        return reply_json(c, MHD_HTTP_OK, o);
    }
    if (s && s->rd && ikey[0]) idem_release(s, ikey, id);
    of_metric_add(OF_M_FAILED, 1);
    return reply_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "CreateOrderFail", CREATE_FAIL_MSG);
}

/* The key, claimed for job id: IDEM_FRESH (ours: queue the job), IDEM_JOB (id := the job that has the key, from Redis
 * or, when Redis lost the key, from fs_job), IDEM_BUSY (another submit with the key is in flight), IDEM_ERROR. */
static int idem_claim(session_t *s, const char *ikey, char *id, const char *client, const char *idem, char *why,
                      size_t size) {
    char claim[64], keep[24];
    snprintf(claim, sizeof claim, "claim:%s", id);
    snprintf(keep, sizeof keep, "%lld", (long long)s->g->keep_ms);
    redisReply *rep = NULL;
    const char *set[] = {"SET", ikey, claim, "NX", "PX", keep, "GET"}; /* Redis 7: the old value when not set */
    if (redis_do(s, 7, set, &rep, why, size)) return IDEM_ERROR;
    int fresh = rep && rep->type == REDIS_REPLY_NIL;
    if (!fresh) {
        int busy = rep && rep->type == REDIS_REPLY_STRING && !strncmp(rep->str, "claim:", 6);
        int job = rep && rep->type == REDIS_REPLY_STRING && !busy && of_fsjob_id_ok(rep->str);
        if (job) snprintf(id, 40, "%s", rep->str);
        freeReplyObject(rep);
        if (busy) return IDEM_BUSY;
        if (job) return IDEM_JOB;
        snprintf(why, size, "idempotency key holds no job id");
        return IDEM_ERROR;
    }
    freeReplyObject(rep);
    /* new to Redis: the job that made the key's order may be in fs_job all the same (Redis lost the key, or it
     * expired) */
    of_rows_t *rows = NULL;
    of_param_t p[] = {OFP_S(client), OFP_S(idem)};
    if (of_db_query(s->db, s->st_idem, p, 2, &rows, why, size)) {
        idem_release(s, ikey, id);
        return IDEM_ERROR;
    }
    int found = rows->nrows > 0 && of_fsjob_id_ok(of_rows_str(rows, 0, 0));
    if (found) snprintf(id, 40, "%s", of_rows_str(rows, 0, 0));
    of_rows_free(rows);
    if (!found) return IDEM_FRESH;
    idem_bind(s, ikey, id);
    return IDEM_JOB;
}
static enum MHD_Result submit(of_gateway_t *g, struct MHD_Connection *c, req_t *rq, const of_fsa_caller_t *who) {
    char why[256];
    of_fsreq_job_t job;
    if (of_fsreq_job_parse(rq->body, rq->len, &job, why, sizeof why))
        return reply_error(c, MHD_HTTP_BAD_REQUEST, "BadRequest", why);
    if (who->role == OF_FSA_BUYER) {
        if (job.user_id && job.user_id != who->user_id) {
            of_fsreq_job_free(&job);
            return reply_error(c, MHD_HTTP_FORBIDDEN, "Forbidden", "user_id is not the token's user");
        }
        job.user_id = who->user_id;
    } else if (!job.user_id) {
        of_fsreq_job_free(&job);
        return reply_error(c, MHD_HTTP_BAD_REQUEST, "BadRequest", "user_id: a positive integer required");
    }
    const char *idem = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Idempotency-Key");
    if (idem && !of_fsreq_idem_ok(idem)) {
        of_fsreq_job_free(&job);
        return reply_error(c, MHD_HTTP_BAD_REQUEST, "BadRequest", "Idempotency-Key: 1..128 printable characters");
    }
    session_t *s = session(g, why, sizeof why);
    char id[40], ikey[256] = "", hkey[128], v[8][32];
    new_job_id(id, sizeof id);
    of_rkey_fsjob(hkey, sizeof hkey, g->prefix, id);
    int line = (int)(job.user_id % (uint64_t)g->nlines);
    enum MHD_Result res;
    if (!s) goto fail;
    snprintf(v[7], sizeof v[7], "%lld", (long long)g->keep_ms);
    if (idem) { /* D-FS-2, D-FS-15: the same key again answers the same job */
        of_rkey_fsidem(ikey, sizeof ikey, g->prefix, who->name, idem);
        switch (idem_claim(s, ikey, id, who->name, idem, why, sizeof why)) {
        case IDEM_FRESH:
            break;
        case IDEM_JOB: { /* id holds the job that has the key */
            int same = idem_same_job(s, id, &job);
            of_fsreq_job_free(&job);
            if (!same) /* D-FS-19 */
                return reply_error(c, MHD_HTTP_UNPROCESSABLE_CONTENT, "IdempotencyKeyReused",
                                   "this Idempotency-Key was used for a different job (user_id, batch_id or num)");
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "jobId", id);
            return reply_json(c, MHD_HTTP_OK, o);
        }
        case IDEM_BUSY:
            of_fsreq_job_free(&job);
            return reply_error(c, MHD_HTTP_CONFLICT, "IdempotencyKeyInUse",
                               "a request with this Idempotency-Key is in progress, retry");
        default:
            ikey[0] = '\0'; /* not ours to free */
            goto fail;
        }
    }
    /* the live record first (the worker finds it), then the job on its line */
    int64_t now = of_now_ms();
    snprintf(v[0], sizeof v[0], "%" PRIu64, job.user_id);
    snprintf(v[1], sizeof v[1], "%" PRIu64, job.batch_id);
    snprintf(v[2], sizeof v[2], "%d", job.num);
    snprintf(v[3], sizeof v[3], "%d", line);
    snprintf(v[4], sizeof v[4], "%lld", (long long)now);
    snprintf(v[5], sizeof v[5], "%d", g->attempts_max);
    snprintf(v[6], sizeof v[6], "%lld", (long long)g->ttl_ms);
    char data[OF_FSREQ_PRESENT_MAX + 128];
    snprintf(data, sizeof data, "{\"user_id\":%s,\"batch_id\":%s,\"num\":%s,\"present_info\":%s}", v[0], v[1], v[2],
             job.present_info ? job.present_info : "null");
    const char *kv[] = {v[7], "state",    "inactive", "user_id",  v[0], "batch_id",      v[1], "num",
                        v[2], "line",     v[3],       "data",     data, "created_at",    v[4], "promote_at",
                        v[4], "priority", "0",        "progress", "0",  "attempts_made", "0",  "attempts_max",
                        v[5], "ttl",      v[6]};
    const char *hk[] = {hkey};
    long long one = 0;
    if (of_redis_eval_int(s->rd, OF_LUA_FSJOB_SUBMIT, 1, hk, (int)(sizeof kv / sizeof kv[0]), kv, &one, why,
                          sizeof why))
        goto fail;
    char eid[64];
    snprintf(eid, sizeof eid, "fsjob:%s", id);
    Orderfleet__EventMeta meta = ORDERFLEET__EVENT_META__INIT;
    meta.event_id = eid;
    meta.occurred_at_ms = now;
    meta.producer = g->host;
    meta.schema_version = 1;
    Orderfleet__FlashJob fj = ORDERFLEET__FLASH_JOB__INIT;
    fj.meta = &meta;
    fj.job_id = id;
    fj.idempotency_key = (char *)(idem ? idem : "");
    fj.client = (char *)(idem ? who->name : "");
    fj.user_id = job.user_id;
    fj.batch_id = job.batch_id;
    fj.num = job.num;
    fj.present_info = job.present_info ? job.present_info : "";
    fj.line = line;
    fj.attempts_max = g->attempts_max;
    fj.ttl_ms = g->ttl_ms;
    size_t len = orderfleet__flash_job__get_packed_size(&fj);
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf) {
        snprintf(why, sizeof why, "out of memory");
        goto fail;
    }
    orderfleet__flash_job__pack(&fj, buf);
    /* suspended before the produce: its delivery report (within OF_GATEWAY_QUEUE_TIMEOUT_MS = message.timeout.ms)
     * resumes it, and submit_end answers */
    snprintf(rq->id, sizeof rq->id, "%s", id);
    snprintf(rq->hkey, sizeof rq->hkey, "%s", hkey);
    snprintf(rq->ikey, sizeof rq->ikey, "%s", ikey);
    snprintf(rq->name, sizeof rq->name, "%s", who->name);
    rq->user_id = job.user_id;
    rq->batch_id = job.batch_id;
    rq->num = job.num;
    rq->line = line;
    rq->conn = c;
    rq->phase = 1;
    MHD_suspend_connection(c);
    rd_kafka_resp_err_t err = rd_kafka_producev(
        g->rk, RD_KAFKA_V_TOPIC(g->topic), RD_KAFKA_V_PARTITION(line), RD_KAFKA_V_KEY(v[0], strlen(v[0])),
        RD_KAFKA_V_VALUE(buf, len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(rq), RD_KAFKA_V_END);
    free(buf);
    of_fsreq_job_free(&job);
    if (err) { /* not queued: answered at once */
        rq->err = err;
        __atomic_store_n(&rq->phase, 2, __ATOMIC_RELEASE);
        MHD_resume_connection(c);
    }
    return MHD_YES;
fail:
    /* nothing queued: no jobId; the record says so and the key is free for a retry */
    of_warn("flash job not queued", OF_S("job_id", id), OF_U("user_id", job.user_id), OF_U("batch_id", job.batch_id),
            OF_S("client", who->name), OF_S("error", why), OF_END);
    of_fsreq_job_free(&job);
    res = give_up(g, s, c, id, hkey, ikey, NULL); /* nothing produced: nothing can land */
    return res;
}

/* the job's delivery report came: {jobId} once Kafka holds it, else CreateOrderFail (the record failed, the key
 * free again) unless a worker took the job meanwhile (give_up) */
static enum MHD_Result submit_end(of_gateway_t *g, struct MHD_Connection *c, req_t *rq) {
    char why[256];
    session_t *s = session(g, why, sizeof why);
    if (!rq->err) {
        if (rq->ikey[0] && s) idem_bind(s, rq->ikey, rq->id);
        of_metric_add(OF_M_EMITTED, 1);
        of_debug("flash job queued", OF_S("job_id", rq->id), OF_U("user_id", rq->user_id),
                 OF_U("batch_id", rq->batch_id), OF_S("client", rq->name), OF_END);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "jobId", rq->id);
        return reply_json(c, MHD_HTTP_OK, o);
    }
    of_warn("flash job not queued", OF_S("job_id", rq->id), OF_U("user_id", rq->user_id),
            OF_U("batch_id", rq->batch_id), OF_S("client", rq->name), OF_S("error", rd_kafka_err2str(rq->err)), OF_END);
    return give_up(g, s, c, rq->id, rq->hkey, rq->ikey, rq);
}

/* ---------------------------------------------------------------- GET /api/order/job/{id}/state (FS-3, FS-4) */
typedef struct {
    char state[16], error[40], data[OF_FSREQ_PRESENT_MAX + 256];
    long long recorded; /* the live record holds fs_job's final record (fsjob_finish.lua) */
    long long line, user_id, batch_id, num, priority, progress, result, ttl, made, max, created, promote;
} jobrec_t;

static void field(jobrec_t *j, const char *k, const char *v) {
    struct {
        const char *k;
        long long *p;
    } nums[] = {{"line", &j->line},          {"user_id", &j->user_id},
                {"batch_id", &j->batch_id},  {"num", &j->num},
                {"priority", &j->priority},  {"progress", &j->progress},
                {"result", &j->result},      {"ttl", &j->ttl},
                {"attempts_made", &j->made}, {"attempts_max", &j->max},
                {"created_at", &j->created}, {"promote_at", &j->promote},
                {"recorded", &j->recorded}};
    if (!strcmp(k, "state")) snprintf(j->state, sizeof j->state, "%s", v);
    if (!strcmp(k, "error")) snprintf(j->error, sizeof j->error, "%s", v);
    if (!strcmp(k, "data")) snprintf(j->data, sizeof j->data, "%s", v);
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
        if (!strcmp(k, nums[i].k)) *nums[i].p = atoll(v);
}

/* D-FS-16: the live record, unless fs_job holds a final one: the database is the system of record for final states
 * (a worker that died between its commit and the live record's update left it active or delayed; a start script that
 * failed it ATTEMPTS_EXHAUSTED before the transaction found the job complete). A live record written from fs_job
 * (fsjob_finish.lua: recorded) is answered as it is, and so is complete (never undone). A stale live record is repaired
 * (fsjob_finish.lua). 1 found, 0 none, -1 unavailable */
static int load_job(session_t *s, const char *id, jobrec_t *j, char *why, size_t size) {
    memset(j, 0, sizeof *j);
    char hkey[256];
    of_rkey_fsjob(hkey, sizeof hkey, s->g->prefix, id);
    const char *hg[] = {"HGETALL", hkey};
    redisReply *rep = NULL;
    if (redis_do(s, 2, hg, &rep, why, size)) return -1;
    int found = rep && rep->type == REDIS_REPLY_ARRAY && rep->elements >= 2;
    for (size_t i = 0; found && i + 1 < rep->elements; i += 2)
        if (rep->element[i]->type == REDIS_REPLY_STRING && rep->element[i + 1]->type == REDIS_REPLY_STRING)
            field(j, rep->element[i]->str, rep->element[i + 1]->str);
    freeReplyObject(rep);
    found = found && j->state[0];
    if (found && (j->recorded || !strcmp(j->state, "complete"))) return 1;
    of_rows_t *rows = NULL;
    of_param_t p = OFP_S(id);
    if (of_db_query(s->db, s->st_job, &p, 1, &rows, why, size)) return -1;
    const char *dbst = rows->nrows ? of_rows_str(rows, 0, 8) : NULL;
    if (!dbst || (strcmp(dbst, "complete") && strcmp(dbst, "failed"))) {
        of_rows_free(rows);
        return found ? 1 : 0;
    }
    if (found && (strcmp(j->state, dbst) || strcmp(j->error, of_rows_str(rows, 0, 9)))) {
        char now[24], keep[24], made[24];
        snprintf(now, sizeof now, "%lld", (long long)of_now_ms());
        snprintf(keep, sizeof keep, "%lld", (long long)s->g->keep_ms);
        snprintf(made, sizeof made, "%lld", (long long)of_rows_i64(rows, 0, 12));
        const char *order = of_rows_i64(rows, 0, 10) ? of_rows_str(rows, 0, 10) : "";
        const char *k[] = {hkey}, *a[] = {dbst, now, order, of_rows_str(rows, 0, 9), keep, made};
        long long v = 0;
        char w2[256];
        of_warn("job state: the live record is stale, fs_job's final record answers and repairs it", OF_S("job_id", id),
                OF_S("live", j->state), OF_S("final", dbst), OF_END);
        if (of_redis_eval_int(s->rd, OF_LUA_FSJOB_FINISH, 1, k, 6, a, &v, w2, sizeof w2))
            of_warn("job state: live record not repaired", OF_S("job_id", id), OF_S("error", w2), OF_END);
        memset(j, 0, sizeof *j);
    }
    snprintf(j->data, sizeof j->data, "%s", of_rows_str(rows, 0, 5));
    snprintf(j->state, sizeof j->state, "%s", of_rows_str(rows, 0, 8));
    snprintf(j->error, sizeof j->error, "%s", of_rows_str(rows, 0, 9));
    j->line = of_rows_i64(rows, 0, 1);
    j->user_id = of_rows_i64(rows, 0, 2);
    j->batch_id = of_rows_i64(rows, 0, 3);
    j->num = of_rows_i64(rows, 0, 4);
    j->priority = of_rows_i64(rows, 0, 6);
    j->progress = of_rows_i64(rows, 0, 7);
    j->result = of_rows_i64(rows, 0, 10);
    j->ttl = of_rows_i64(rows, 0, 11);
    j->made = of_rows_i64(rows, 0, 12);
    j->max = of_rows_i64(rows, 0, 14);
    j->created = of_rows_i64(rows, 0, 15);
    j->promote = of_rows_i64(rows, 0, 16);
    of_rows_free(rows);
    return 1;
}

static int idem_same_job(session_t *s, const char *id, const of_fsreq_job_t *r) {
    jobrec_t j;
    char why[256];
    int found = load_job(s, id, &j, why, sizeof why);
    if (found < 0)
        of_warn("idempotency key: the job it names could not be read to compare (its jobId answered)",
                OF_S("job_id", id), OF_S("error", why), OF_END);
    /* none, or a bare record (fsjob_finish.lua on a hash Redis had lost: state only): nothing to compare */
    if (found <= 0 || j.user_id <= 0 || j.batch_id <= 0 || j.num <= 0) return 1;
    return of_fsreq_idem_match(r, (uint64_t)j.user_id, (uint64_t)j.batch_id, (int)j.num);
}

static void add_time(cJSON *o, const char *name, long long ms) {
    if (ms <= 0) {
        cJSON_AddNullToObject(o, name);
        return;
    }
    char buf[40], t[24];
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    strftime(t, sizeof t, "%Y-%m-%dT%H:%M:%S", gmtime_r(&secs, &tm));
    snprintf(buf, sizeof buf, "%s.%03lldZ", t, ms % 1000);
    cJSON_AddStringToObject(o, name, buf);
}

static enum MHD_Result job_state(of_gateway_t *g, struct MHD_Connection *c, const char *id, int full,
                                 const of_fsa_caller_t *who) {
    char why[256];
    if (!of_fsjob_id_ok(id))
        return reply_error(c, MHD_HTTP_BAD_REQUEST, "BadRequest", "job id: 1..32 of [0-9A-Za-z_-]");
    session_t *s = session(g, why, sizeof why);
    jobrec_t *j = malloc(sizeof *j);
    int found = j && s ? load_job(s, id, j, why, sizeof why) : -1;
    if (found < 0) {
        free(j);
        of_warn("job state unavailable", OF_S("job_id", id), OF_S("error", why), OF_END);
        return reply_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "Unavailable", "job state unavailable, try again");
    }
    if (!found || (who->role == OF_FSA_BUYER && (uint64_t)j->user_id != who->user_id)) {
        free(j);
        return reply_error(c, MHD_HTTP_NOT_FOUND, "NotFound", "no such job");
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", id);
    cJSON_AddStringToObject(o, "state", j->state);
    if (!strcmp(j->state, "complete")) {
        cJSON *r = cJSON_AddObjectToObject(o, "result");
        cJSON_AddNumberToObject(r, "orderId", (double)j->result);
    } else if (!strcmp(j->state, "failed") || j->error[0]) {
        of_fs_reason_t rs = of_fsorder_reason_parse(j->error);
        cJSON_AddStringToObject(o, "reason", j->error[0] ? j->error : "UNKNOWN");
        cJSON_AddStringToObject(o, "message",
                                rs < OF_FS__COUNT                   ? of_fsorder_reason_text(rs)
                                : !strcmp(j->error, "QUEUE_FAILED") ? CREATE_FAIL_MSG
                                                                    : j->error);
    }
    if (full) { /* FS-3: the whole record */
        char type[32];
        snprintf(type, sizeof type, "order/line-%lld", j->line);
        cJSON_AddStringToObject(o, "type", type);
        cJSON *data = cJSON_Parse(j->data); /* {user_id, batch_id, num, present_info} as submitted */
        if (!cJSON_IsObject(data)) {
            cJSON_Delete(data);
            data = cJSON_CreateObject();
            cJSON_AddNumberToObject(data, "user_id", (double)j->user_id);
            cJSON_AddNumberToObject(data, "batch_id", (double)j->batch_id);
            cJSON_AddNumberToObject(data, "num", (double)j->num);
            cJSON_AddNullToObject(data, "present_info");
        }
        cJSON_AddItemToObject(o, "data", data);
        cJSON_AddNumberToObject(o, "priority", (double)j->priority);
        cJSON_AddNumberToObject(o, "progress", (double)j->progress);
        add_time(o, "created_at", j->created);
        add_time(o, "promote_at", j->promote);
        cJSON_AddNumberToObject(o, "ttl", (double)(j->ttl ? j->ttl : g->ttl_ms));
        cJSON *a = cJSON_AddObjectToObject(o, "attempts");
        long long max = j->max ? j->max : g->attempts_max;
        cJSON_AddNumberToObject(a, "made", (double)j->made);
        cJSON_AddNumberToObject(a, "remaining", (double)(max > j->made ? max - j->made : 0));
        cJSON_AddNumberToObject(a, "max", (double)max);
    }
    free(j);
    return reply_json(c, MHD_HTTP_OK, o);
}

/* ---------------------------------------------------------------- GET /api/order/{orderId} (FS-7) */
static enum MHD_Result order(of_gateway_t *g, struct MHD_Connection *c, uint64_t id, const of_fsa_caller_t *who) {
    char why[256];
    session_t *s = session(g, why, sizeof why);
    of_rows_t *o = NULL, *p = NULL;
    of_param_t k = OFP_U(id);
    if (!s || of_db_query(s->db, s->st_order, &k, 1, &o, why, sizeof why)) {
        of_warn("order unavailable", OF_U("order_id", id), OF_S("error", why), OF_END);
        return reply_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "Unavailable", "order unavailable, try again");
    }
    if (!o->nrows || (who->role == OF_FSA_BUYER && (uint64_t)of_rows_i64(o, 0, 3) != who->user_id)) {
        of_rows_free(o);
        return reply_error(c, MHD_HTTP_NOT_FOUND, "NotFound", "no such order");
    }
    if (of_db_query(s->db, s->st_pays, &k, 1, &p, why, sizeof why)) {
        of_rows_free(o);
        return reply_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "Unavailable", "order unavailable, try again");
    }
    static const char *const PAY_TYPES[] = {"", "jifen", "balance", "third_party", "offline"};
    static const char *const STATES[] = {"", "unpaid", "paid", "closed"};
    cJSON *r = cJSON_CreateObject();
    cJSON_AddNumberToObject(r, "id", (double)of_rows_i64(o, 0, 0));
    cJSON_AddStringToObject(r, "order_code", of_rows_str(o, 0, 1));
    cJSON_AddStringToObject(r, "job_id", of_rows_str(o, 0, 2));
    cJSON_AddNumberToObject(r, "user_id", (double)of_rows_i64(o, 0, 3));
    cJSON_AddNumberToObject(r, "merchant_id", (double)of_rows_i64(o, 0, 4));
    cJSON_AddNumberToObject(r, "batch_id", (double)of_rows_i64(o, 0, 5));
    cJSON_AddNumberToObject(r, "num", (double)of_rows_i64(o, 0, 6));
    add_money(r, "unit_price", of_rows_str(o, 0, 7));
    add_money(r, "amount", of_rows_str(o, 0, 8));
    add_money(r, "remain_pay", of_rows_str(o, 0, 9));
    long long st = of_rows_i64(o, 0, 10);
    cJSON_AddNumberToObject(r, "state", (double)st);
    cJSON_AddStringToObject(r, "state_name", st >= 1 && st <= 3 ? STATES[st] : "unknown");
    cJSON_AddNumberToObject(r, "pay_method", (double)of_rows_i64(o, 0, 11));
    cJSON *pi = cJSON_Parse(of_rows_str(o, 0, 12));
    cJSON_AddItemToObject(r, "present_info", pi ? pi : cJSON_CreateNull());
    cJSON_AddStringToObject(r, "created_at", of_rows_str(o, 0, 13));
    const char *paid = of_rows_str(o, 0, 14);
    if (paid && *paid)
        cJSON_AddStringToObject(r, "paid_at", paid);
    else
        cJSON_AddNullToObject(r, "paid_at");
    cJSON *pays = cJSON_AddArrayToObject(r, "pay_infos");
    for (int i = 0; i < p->nrows; i++) {
        cJSON *x = cJSON_CreateObject();
        long long t = of_rows_i64(p, i, 1);
        cJSON_AddNumberToObject(x, "seq", (double)of_rows_i64(p, i, 0));
        cJSON_AddStringToObject(x, "pay_type", t >= 1 && t <= 4 ? PAY_TYPES[t] : "unknown");
        add_money(x, "amount", of_rows_str(p, i, 2));
        cJSON_AddNumberToObject(x, "status", (double)of_rows_i64(p, i, 3));
        cJSON_AddStringToObject(x, "provider_trade_no", of_rows_str(p, i, 4));
        cJSON_AddStringToObject(x, "created_at", of_rows_str(p, i, 5));
        cJSON_AddItemToArray(pays, x);
    }
    of_rows_free(o);
    of_rows_free(p);
    return reply_json(c, MHD_HTTP_OK, r);
}

/* ---------------------------------------------------------------- payments (FS-8, FS-10, FS-11) */
static enum MHD_Result pay_answer(of_gateway_t *g, struct MHD_Connection *c, const of_payout_t *o, uint64_t order_id,
                                  const of_fsa_caller_t *who) {
    switch (o->result) {
    case OF_PAYR_OK:
    case OF_PAYR_REPLAY:
        return order(g, c, order_id, who); /* the order as it is now (a replay: the same effect, nothing more) */
    case OF_PAYR_NOT_FOUND:
        return reply_error(c, MHD_HTTP_NOT_FOUND, "NotFound", "no such order");
    case OF_PAYR_STATE:
        return reply_error(c, MHD_HTTP_CONFLICT, "OrderNotUnpaid", o->why);
    case OF_PAYR_FUNDS:
        return reply_error(c, MHD_HTTP_CONFLICT, "InsufficientFunds", o->why);
    default:
        return reply_error(c, MHD_HTTP_BAD_REQUEST, "BadRequest", o->why);
    }
}

/* the third-party part: a signed request to the provider; refused → that part fails, the order waits */
static int ask_provider(of_gateway_t *g, session_t *s, const of_payout_t *o, char *why, size_t size) {
    const char *url = of_cfg_str(g->cfg, OF_CFG_PAY_PROVIDER_URL);
    char body[1024], sig[80], hsig[112];
    if (of_fspay_provider_body(o->trade_no, o->third, o->channel, g->notify_url, body, sizeof body) ||
        of_sign_body(of_cfg_str(g->cfg, OF_CFG_PAY_PROVIDER_SECRET), body, strlen(body), sig, sizeof sig)) {
        snprintf(why, size, "cannot build the provider request");
    } else {
        snprintf(hsig, sizeof hsig, "%s: %s", OF_SIGN_HEADER, sig);
        const char *h[] = {"Content-Type: application/json", hsig, NULL};
        long st = of_http_post_sync(url, h, body, strlen(body), 5000, why, size);
        if (st >= 200 && st < 300) return 0;
        if (st) snprintf(why, size, "the provider answered HTTP %ld", st);
    }
    char err[256];
    if (of_fspaystore_third_failed(s->pay, o->third_id, err, sizeof err))
        of_warn("third-party part not marked failed", OF_S("trade_no", o->trade_no), OF_S("error", err), OF_END);
    return -1;
}

static enum MHD_Result pay(of_gateway_t *g, struct MHD_Connection *c, req_t *rq, uint64_t id,
                           const of_fsa_caller_t *who, int offline) {
    char why[256], remark[256] = "";
    const char *key = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Idempotency-Key");
    if (!key || !of_fsreq_idem_ok(key))
        return reply_error(c, MHD_HTTP_BAD_REQUEST, "BadRequest",
                           "an Idempotency-Key header (1..128 printable characters) is required: a payment is never "
                           "made twice");
    of_fspay_req_t prq;
    memset(&prq, 0, sizeof prq);
    int64_t amount = 0;
    if (offline) {
        if (who->role != OF_FSA_BACKOFFICE)
            return reply_error(c, MHD_HTTP_FORBIDDEN, "Forbidden", "back-office clients only");
        if (of_fspay_offline_parse(rq->body, rq->len, &amount, remark, sizeof remark, why, sizeof why))
            return reply_error(c, MHD_HTTP_BAD_REQUEST, "BadRequest", why);
    } else {
        if (of_fspay_req_parse(rq->body, rq->len, &prq, why, sizeof why))
            return reply_error(c, MHD_HTTP_BAD_REQUEST, "BadRequest", why);
        if ((prq.other || prq.other_rest) && !*of_cfg_str(g->cfg, OF_CFG_PAY_PROVIDER_URL))
            return reply_error(c, MHD_HTTP_BAD_REQUEST, "BadRequest", "otherPay: no third-party provider configured");
    }
    session_t *s = session(g, why, sizeof why);
    of_payout_t o;
    of_err_t e = !s        ? OF_ERR_TRANSIENT
                 : offline ? of_fspaystore_offline(s->pay, id, key, amount, remark, who->name, &o, why, sizeof why)
                           : of_fspaystore_pay(s->pay, id, who->role == OF_FSA_BUYER ? who->user_id : 0, key, &prq, &o,
                                               why, sizeof why);
    if (e) {
        of_warn("payment not applied", OF_U("order_id", id), OF_S("client", who->name), OF_S("error", why), OF_END);
        return reply_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "Unavailable", "payment not applied, try again");
    }
    if (o.paid) publish_now(g);
    of_info(offline ? "offline payment" : "pay request", OF_U("order_id", id), OF_S("client", who->name),
            OF_S("request", key), OF_I("result", o.result), OF_I("paid", o.paid), OF_S("why", o.why), OF_END);
    if (o.result == OF_PAYR_OK && o.third && ask_provider(g, s, &o, why, sizeof why)) {
        of_warn("third-party payment refused", OF_U("order_id", id), OF_S("trade_no", o.trade_no), OF_S("error", why),
                OF_END);
        return reply_error(c, MHD_HTTP_BAD_GATEWAY, "ThirdPartyFailed", why);
    }
    return pay_answer(g, c, &o, id, who);
}

static enum MHD_Result notify(of_gateway_t *g, struct MHD_Connection *c, req_t *rq) {
    char why[256];
    const char *sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, OF_SIGN_HEADER);
    const char *secret = of_cfg_str(g->cfg, OF_CFG_PAY_PROVIDER_SECRET);
    if (!*secret || !sig || !of_sign_verify(secret, rq->body ? rq->body : "", rq->len, sig)) {
        of_warn("payment notify refused: bad signature", OF_END);
        return reply_error(c, MHD_HTTP_UNAUTHORIZED, "Unauthorized", "bad or missing " OF_SIGN_HEADER);
    }
    of_fspay_notify_t n;
    if (of_fspay_notify_parse(rq->body, rq->len, &n, why, sizeof why))
        return reply_error(c, MHD_HTTP_BAD_REQUEST, "BadRequest", why);
    session_t *s = session(g, why, sizeof why);
    of_payout_t o;
    if (!s || of_fspaystore_notify(s->pay, &n, sig, &o, why, sizeof why)) {
        of_warn("payment notify not applied", OF_S("trade_no", n.trade_no), OF_S("error", why), OF_END);
        return reply_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "Unavailable", "try again"); /* the provider retries */
    }
    if (o.paid) publish_now(g);
    of_info("payment notify", OF_S("trade_no", n.trade_no), OF_S("notify_id", n.notify_id),
            OF_U("order_id", o.order_id), OF_S("status", n.success ? "SUCCESS" : "FAILED"), OF_I("result", o.result),
            OF_I("paid", o.paid), OF_END);
    if (o.result == OF_PAYR_NOT_FOUND) return reply_error(c, MHD_HTTP_NOT_FOUND, "NotFound", "no such payment");
    if (o.result == OF_PAYR_MISMATCH) return reply_error(c, MHD_HTTP_BAD_REQUEST, "BadRequest", o.why);
    return reply_text(c, MHD_HTTP_OK, "text/plain", "success"); /* applied, a replay, or kept for refund */
}

/* ---------------------------------------------------------------- routing */
static int digits_only(const char *s, size_t n) {
    if (!n || n > 19) return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    return 1;
}

static enum MHD_Result route(of_gateway_t *g, struct MHD_Connection *c, const char *url, const char *method,
                             req_t *rq) {
    int get = !strcmp(method, "GET"), post = !strcmp(method, "POST");
    if (!strcmp(url, "/healthz"))
        return get ? reply_text(c, MHD_HTTP_OK, "text/plain", "ok\n")
                   : reply_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "MethodNotAllowed", "GET");
    static const char P[] = "/api/order/";
    if (strncmp(url, P, sizeof P - 1)) return reply_error(c, MHD_HTTP_NOT_FOUND, "NotFound", "no such route");
    const char *rest = url + sizeof P - 1;
    if (!strcmp(rest, "pay/notify") && !rq->too_large) /* the provider: signed, no bearer token (FS-11) */
        return post ? notify(g, c, rq) : reply_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "MethodNotAllowed", "POST");
    if (rq->too_large) {
        char msg[64];
        snprintf(msg, sizeof msg, "body larger than %d bytes", g->max_body);
        return reply_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "PayloadTooLarge", msg);
    }
    of_fsa_caller_t who;
    const char *why = "";
    if (of_fsauth_check(MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION),
                        of_cfg_str(g->cfg, OF_CFG_GATEWAY_TOKENS), of_cfg_str(g->cfg, OF_CFG_GATEWAY_USER_SECRET),
                        of_now_ms() / 1000, &who, &why))
        return reply_error(c, MHD_HTTP_UNAUTHORIZED, "Unauthorized", why);
    if (!strcmp(rest, "job"))
        return post ? submit(g, c, rq, &who) : reply_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "MethodNotAllowed", "POST");
    size_t n = strlen(rest);
    static const char ST[] = "/state";
    if (!strncmp(rest, "job/", 4) && n > 4 + sizeof ST - 1 && !strcmp(rest + n - (sizeof ST - 1), ST)) {
        char id[64];
        size_t idn = n - 4 - (sizeof ST - 1);
        if (idn >= sizeof id) return reply_error(c, MHD_HTTP_BAD_REQUEST, "BadRequest", "job id too long");
        memcpy(id, rest + 4, idn);
        id[idn] = '\0';
        const char *full = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "full");
        return get ? job_state(g, c, id, full && !strcmp(full, "1"), &who)
                   : reply_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "MethodNotAllowed", "GET");
    }
    const char *slash = strchr(rest, '/');
    if (slash && digits_only(rest, (size_t)(slash - rest)) && (!strcmp(slash, "/pay") || !strcmp(slash, "/payInfo"))) {
        if (strcmp(method, "PUT")) return reply_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "MethodNotAllowed", "PUT");
        return pay(g, c, rq, strtoull(rest, NULL, 10), &who, !strcmp(slash, "/payInfo"));
    }
    if (digits_only(rest, n))
        return get ? order(g, c, strtoull(rest, NULL, 10), &who)
                   : reply_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "MethodNotAllowed", "GET");
    return reply_error(c, MHD_HTTP_NOT_FOUND, "NotFound", "no such route");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **con_cls) {
    (void)version;
    of_gateway_t *g = cls;
    req_t *rq = *con_cls;
    if (!rq) {
        if (!(rq = calloc(1, sizeof *rq))) return MHD_NO;
        *con_cls = rq;
        rq->t0_us = of_mono_us();
        of_metric_gauge_add(OF_MG_HTTP_REQUESTS, 1);
        return MHD_YES;
    }
    if (__atomic_load_n(&rq->phase, __ATOMIC_ACQUIRE) == 2) return submit_end(g, c, rq);
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (rq->too_large || rq->len + n > (size_t)g->max_body) {
            rq->too_large = 1;
            return MHD_YES;
        }
        if (rq->len + n + 1 > rq->cap) {
            size_t cap = rq->cap ? rq->cap * 2 : 1024;
            while (cap < rq->len + n + 1)
                cap *= 2;
            char *b = realloc(rq->body, cap);
            if (!b) return MHD_NO;
            rq->body = b, rq->cap = cap;
        }
        memcpy(rq->body + rq->len, upload, n);
        rq->len += n;
        rq->body[rq->len] = '\0';
        return MHD_YES;
    }
    return route(g, c, url, method, rq);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe) {
    (void)cls, (void)c, (void)toe;
    req_t *rq = *con_cls;
    if (rq) {
        of_metric_gauge_add(OF_MG_HTTP_REQUESTS, -1);
        of_metric_observe(OF_MH_HTTP_REQUEST, (double)(of_mono_us() - rq->t0_us) / 1e6);
        free(rq->body);
    }
    free(rq);
    *con_cls = NULL;
}

/* ---------------------------------------------------------------- life */
of_gateway_t *of_gateway_new(const of_config_t *cfg, char *errstr, size_t size) {
    char why[256];
    if (of_fsauth_tokens_ok(of_cfg_str(cfg, OF_CFG_GATEWAY_TOKENS), why, sizeof why)) {
        of_seterr(errstr, size, OF_ERR_CONFIG, "OF_GATEWAY_TOKENS: %s", why);
        return NULL;
    }
    const char *us = of_cfg_str(cfg, OF_CFG_GATEWAY_USER_SECRET);
    if (*us && strlen(us) < 16) {
        of_seterr(errstr, size, OF_ERR_CONFIG, "OF_GATEWAY_USER_SECRET: at least 16 characters (or empty)");
        return NULL;
    }
    of_gateway_t *g = calloc(1, sizeof *g);
    if (!g) {
        of_seterr(errstr, size, OF_ERR_NOMEM, "out of memory");
        return NULL;
    }
    g->cfg = cfg;
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->cv, NULL);
    pthread_cond_init(&g->publish_cv, NULL);
    pthread_key_create(&g->key, session_free);
    g->attempts_max = (int)of_cfg_int(cfg, OF_CFG_FLASH_ATTEMPTS);
    g->ttl_ms = of_cfg_int(cfg, OF_CFG_FLASH_TTL_MS);
    g->keep_ms = of_cfg_int(cfg, OF_CFG_FLASH_JOB_KEEP_S) * 1000;
    g->max_body = (int)of_cfg_int(cfg, OF_CFG_GATEWAY_MAX_BODY);
    g->queue_timeout_ms = (int)of_cfg_int(cfg, OF_CFG_GATEWAY_QUEUE_TIMEOUT_MS);
    snprintf(g->prefix, sizeof g->prefix, "%s", of_cfg_str(cfg, OF_CFG_REDIS_PREFIX));
    snprintf(g->topic, sizeof g->topic, "%s%s", of_cfg_str(cfg, OF_CFG_TOPIC_PREFIX),
             of_topics()[OF_TOPIC_FLASH_JOBS].name);
    char host[48] = "";
    gethostname(host, sizeof host - 1);
    snprintf(g->host, sizeof g->host, "gateway@%.40s", host);
    /* the producer: acks=all, idempotent (the fleet's profile); reports served by the poll thread */
    rd_kafka_conf_t *kc = of_kafka_conf_new(cfg, OF_KAFKA_PRODUCER, g->host, errstr, size);
    if (!kc) goto fail;
    /* a job the gateway gave up on (CreateOrderFail) is not retried by the client library after the answer; one
     * that reaches Kafka all the same finds its record failed and makes no order (of_flash.c) */
    char tmo[24];
    snprintf(tmo, sizeof tmo, "%d", g->queue_timeout_ms);
    if (rd_kafka_conf_set(kc, "message.timeout.ms", tmo, why, sizeof why) != RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(kc);
        of_seterr(errstr, size, OF_ERR_CONFIG, "Kafka producer: %s", why);
        goto fail;
    }
    rd_kafka_conf_set_dr_msg_cb(kc, dr_cb);
    rd_kafka_conf_set_opaque(kc, g);
    /* by the offset alone: the gateway fails a job instead of sending it again, so a topic recreated under it would
     * otherwise fail every job until its offsets passed the old ones */
    if (!(g->confirm = of_kafka_confirm_new(kc, 0))) {
        rd_kafka_conf_destroy(kc);
        of_seterr(errstr, size, OF_ERR_NOMEM, "out of memory");
        goto fail;
    }
    if (!(g->rk = rd_kafka_new(RD_KAFKA_PRODUCER, kc, why, sizeof why))) {
        rd_kafka_conf_destroy(kc);
        of_seterr(errstr, size, OF_ERR_CONFIG, "Kafka producer: %s", why);
        goto fail;
    }
    of_admin_kafka(g->rk); /* /readyz asks Kafka through it whether a broker is back */
    /* FS-5: the order lines are the topic's partitions */
    g->nlines = of_topics()[OF_TOPIC_FLASH_JOBS].partitions;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(g->rk, g->topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    if (rkt && !rd_kafka_metadata(g->rk, 0, rkt, &md, 5000) && md->topic_cnt == 1 && !md->topics[0].err &&
        md->topics[0].partition_cnt > 0)
        g->nlines = md->topics[0].partition_cnt;
    else
        of_warn("flash.jobs partitions unknown (broker or topic unavailable): using the topic table's",
                OF_S("topic", g->topic), OF_I("lines", g->nlines), OF_END);
    if (md) rd_kafka_metadata_destroy(md);
    if (rkt) rd_kafka_topic_destroy(rkt);
    if (pthread_create(&g->poller, NULL, poll_main, g)) {
        of_seterr(errstr, size, OF_ERR_NOMEM, "poll thread: cannot start");
        goto fail;
    }
    g->poller_started = 1;
    const char *pu = of_cfg_str(cfg, OF_CFG_PAY_PROVIDER_URL), *psec = of_cfg_str(cfg, OF_CFG_PAY_PROVIDER_SECRET);
    if (*pu && strlen(psec) < 16) {
        of_seterr(errstr, size, OF_ERR_CONFIG,
                  "OF_PAY_PROVIDER_SECRET: 16+ characters are required with OF_PAY_PROVIDER_URL");
        goto fail;
    }
    if (*of_cfg_str(cfg, OF_CFG_PAY_NOTIFY_URL))
        snprintf(g->notify_url, sizeof g->notify_url, "%s", of_cfg_str(cfg, OF_CFG_PAY_NOTIFY_URL));
    else
        snprintf(g->notify_url, sizeof g->notify_url, "http://%s:%lld/api/order/pay/notify",
                 of_cfg_str(cfg, OF_CFG_GATEWAY_BIND), of_cfg_int(cfg, OF_CFG_GATEWAY_PORT));
    if (pthread_create(&g->publisher, NULL, publish_main, g)) {
        of_seterr(errstr, size, OF_ERR_NOMEM, "publisher thread: cannot start");
        goto fail;
    }
    g->publisher_started = 1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)of_cfg_int(cfg, OF_CFG_GATEWAY_PORT))};
    if (inet_pton(AF_INET, of_cfg_str(cfg, OF_CFG_GATEWAY_BIND), &sa.sin_addr) != 1) {
        of_seterr(errstr, size, OF_ERR_CONFIG, "OF_GATEWAY_BIND: an IPv4 address is required");
        goto fail;
    }
    g->d = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC,
                            (uint16_t)of_cfg_int(cfg, OF_CFG_GATEWAY_PORT), NULL, NULL, on_request, g,
                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE,
                            (unsigned)of_cfg_int(cfg, OF_CFG_GATEWAY_THREADS), MHD_OPTION_NOTIFY_COMPLETED,
                            on_completed, g, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_CONNECTION_LIMIT,
                            (unsigned)4096, MHD_OPTION_END);
    if (!g->d) {
        of_seterr(errstr, size, OF_ERR_CONFIG, "HTTP server: cannot listen on %s:%lld (port taken?)",
                  of_cfg_str(cfg, OF_CFG_GATEWAY_BIND), of_cfg_int(cfg, OF_CFG_GATEWAY_PORT));
        goto fail;
    }
    of_info("gateway listening", OF_S("bind", of_cfg_str(cfg, OF_CFG_GATEWAY_BIND)),
            OF_I("port", of_cfg_int(cfg, OF_CFG_GATEWAY_PORT)),
            OF_I("threads", of_cfg_int(cfg, OF_CFG_GATEWAY_THREADS)), OF_S("topic", g->topic), OF_I("lines", g->nlines),
            OF_END);
    return g;
fail:
    of_gateway_destroy(g);
    return NULL;
}

void of_gateway_destroy(of_gateway_t *g) {
    if (!g) return;
    if (g->d) MHD_quiesce_daemon(g->d); /* no new connections */
    if (g->rk) { /* every submit in flight gets its report (delivered, or purged: CreateOrderFail) and is answered */
        if (rd_kafka_flush(g->rk, 2000))
            of_warn("gateway stop: jobs not acknowledged (answered CreateOrderFail)",
                    OF_I("pending", rd_kafka_outq_len(g->rk)), OF_END);
        rd_kafka_purge(g->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        rd_kafka_flush(g->rk, 500);
    }
    if (g->d) MHD_stop_daemon(g->d); /* joins the request threads: their sessions are freed by the key */
    pthread_mutex_lock(&g->mu);
    g->stopping = 1;
    pthread_cond_broadcast(&g->publish_cv);
    pthread_mutex_unlock(&g->mu);
    if (g->publisher_started) pthread_join(g->publisher, NULL);
    if (g->poller_started) pthread_join(g->poller, NULL);
    if (g->rk) {
        of_admin_kafka(NULL);
        rd_kafka_purge(g->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        rd_kafka_poll(g->rk, 0);
        rd_kafka_destroy(g->rk);
    }
    of_kafka_confirm_free(g->confirm);
    session_free(pthread_getspecific(g->key));
    pthread_key_delete(g->key);
    pthread_cond_destroy(&g->cv);
    pthread_cond_destroy(&g->publish_cv);
    pthread_mutex_destroy(&g->mu);
    free(g->qfail);
    free(g);
}
