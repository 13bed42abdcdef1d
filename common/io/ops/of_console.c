/* of_console.c -- the ops console's server (of_console.h): libmicrohttpd with a small thread pool; each request
 * reads what it shows with its own connections (the console is for people: a few requests a minute); Kafka handles,
 * one per consumer group asked about, are kept and shared under a lock. HTML from of_cpage.c. */
#include "of_console.h"
#include <arpa/inet.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <librdkafka/rdkafka.h>
#include <microhttpd.h>
#include "of_admin.h"
#include "of_cauth.h"
#include "of_cpage.h"
#include "of_db.h"
#include "of_dlqstore.h"
#include "of_explain.h"
#include "of_fsjob.h"
#include "of_kafka.h"
#include "of_lag.h"
#include "of_log.h"
#include "of_opsq.h"
#include "of_redis.h"
#include "of_site.h"
#include "of_stockcheck.h"
#include "of_time.h"
#include "of_topics.h"
#include "of_worker.h"

#define MAX_BODY 8192
#define MAX_GROUPS 16
#define SESSION_TTL_S (12 * 3600)
#define DL_SHOWN 50
#define CONFLICTS_SHOWN 20

struct of_console_s {
    const of_config_t *cfg;
    struct MHD_Daemon *d;
    char token[512], csrf[65];
    pthread_mutex_t kmu; /* the Kafka handles */
    struct {
        char group[256];
        rd_kafka_t *rk;
    } groups[MAX_GROUPS];
    int ngroups;
    pthread_mutex_t rmu; /* re-drives, one at a time, on one producer */
    of_producer_t *producer;
};

typedef struct {
    char *body;
    size_t len;
    int too_large;
} req_t;

/* ---------------------------------------------------------------- responses */
static enum MHD_Result send_page(struct MHD_Connection *conn, unsigned status, of_cpage_buf_t *b,
                                 const char *set_cookie, const char *location) {
    if (b->oom) {
        of_cpage_free(b);
        return MHD_NO;
    }
    struct MHD_Response *r = MHD_create_response_from_buffer(b->len, b->s ? b->s : (void *)"",
                                                             b->s ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!r) {
        of_cpage_free(b);
        return MHD_NO;
    }
    *b = (of_cpage_buf_t){0}; /* the response owns the text */
    MHD_add_response_header(r, "Content-Type", "text/html; charset=utf-8");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src "
                            "'self'; form-action 'self'; frame-ancestors 'none'");
    if (status == MHD_HTTP_UNAUTHORIZED) MHD_add_response_header(r, "WWW-Authenticate", "Bearer realm=\"of-console\"");
    if (set_cookie) MHD_add_response_header(r, "Set-Cookie", set_cookie);
    if (location) MHD_add_response_header(r, "Location", location);
    enum MHD_Result rc = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result send_text(struct MHD_Connection *conn, unsigned status, const char *text) {
    of_cpage_buf_t b = {0};
    of_cpage_esc(&b, text);
    return send_page(conn, status, &b, NULL, NULL);
}

static enum MHD_Result redirect(struct MHD_Connection *conn, const char *location, const char *set_cookie) {
    of_cpage_buf_t b = {0};
    of_cpage_puts(&b, "");
    return send_page(conn, MHD_HTTP_SEE_OTHER, &b, set_cookie, location);
}

static enum MHD_Result login_page(struct MHD_Connection *conn, unsigned status, const char *msg) {
    of_cpage_buf_t b = {0};
    of_cpage_login(&b, msg);
    return send_page(conn, status, &b, NULL, NULL);
}

static const char *peer(struct MHD_Connection *conn, char *buf, size_t size) {
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    buf[0] = '\0';
    if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, buf, (socklen_t)size);
    return buf;
}

/* ---------------------------------------------------------------- the model */
static rd_kafka_t *group_handle(of_console_t *c, const char *group, char *err, size_t size) {
    for (int i = 0; i < c->ngroups; i++)
        if (!strcmp(c->groups[i].group, group)) return c->groups[i].rk;
    if (c->ngroups == MAX_GROUPS) {
        snprintf(err, size, "too many consumer groups");
        return NULL;
    }
    rd_kafka_conf_t *conf = of_kafka_conf_new(c->cfg, OF_KAFKA_CONSUMER, "of-console", err, size);
    if (!conf) return NULL;
    if (rd_kafka_conf_set(conf, "group.id", group, err, size) != RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, size);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    snprintf(c->groups[c->ngroups].group, sizeof c->groups[0].group, "%s", group);
    if (!c->ngroups) of_admin_kafka(rk); /* /readyz asks Kafka through it whether a broker is back */
    c->groups[c->ngroups++].rk = rk;
    return rk;
}

static void fill_lags(of_console_t *c, of_cpage_model_t *m) {
    size_t n;
    const of_lag_watch_t *w = of_lag_watched(&n);
    if (!*of_cfg_str(c->cfg, OF_CFG_KAFKA_BOOTSTRAP)) {
        snprintf(m->lag_err, sizeof m->lag_err, "OF_KAFKA_BOOTSTRAP is not set");
        return;
    }
    if (!(m->lags = calloc(n, sizeof *m->lags))) {
        snprintf(m->lag_err, sizeof m->lag_err, "out of memory");
        return;
    }
    pthread_mutex_lock(&c->kmu);
    const char *down = NULL; /* the topic Kafka did not answer about */
    for (size_t i = 0; i < n; i++) {
        of_cpage_lag_t *l = &m->lags[m->nlags++];
        of_worker_group(c->cfg, w[i].worker, l->group, sizeof l->group);
        of_topic_name(w[i].topic, of_cfg_str(c->cfg, OF_CFG_TOPIC_PREFIX), l->topic, sizeof l->topic);
        l->rung = w[i].topic >= OF_TOPIC_RETRY_1 && w[i].topic <= OF_TOPIC_RETRY_4
                      ? (int)(w[i].topic - OF_TOPIC_RETRY_1) + 1
                      : 0;
        l->state = -1;
        char err[512];
        rd_kafka_t *rk = down ? NULL : group_handle(c, l->group, err, sizeof err);
        if (!rk) continue;
        int np = 0;
        if (of_lag_topic_count(rk, l->topic, &np) < 0) {
            down = l->topic; /* not asked again for every topic: the page comes back at once */
            continue;
        }
        of_lag_part_t parts[OF_CPAGE_MAX_PARTS];
        if (np > OF_CPAGE_MAX_PARTS) np = OF_CPAGE_MAX_PARTS;
        l->state = of_lag_group_position(rk, l->topic, np, &l->lag, parts, l->msg, sizeof l->msg);
        if (l->state < 0) {
            down = l->topic;
            continue;
        }
        l->np = np;
        for (int k = 0; k < np; k++)
            l->parts[k] =
                (of_cpage_part_t){parts[k].partition, parts[k].committed, parts[k].lo, parts[k].hi, parts[k].lag};
    }
    pthread_mutex_unlock(&c->kmu);
    if (down)
        snprintf(m->lag_err, sizeof m->lag_err, "Kafka (%s) does not answer about %s (or the topic is missing)",
                 of_cfg_str(c->cfg, OF_CFG_KAFKA_BOOTSTRAP), down);
}

static void cellcpy(char *dst, size_t size, const of_rows_t *r, int row, int col) {
    const char *s = of_rows_str(r, row, col);
    snprintf(dst, size, "%s", s ? s : "");
}

static void fill_dls(of_db_t *db, const char *prefix, of_cpage_model_t *m) {
    of_dlqstore_filter_t f = {.id = -1, .limit = DL_SHOWN, .newest_first = 1};
    of_rows_t *r;
    if (of_dlqstore_select(db, prefix, &f, &r, m->dl_err, sizeof m->dl_err)) return;
    if (r->nrows && !(m->dls = calloc((size_t)r->nrows, sizeof *m->dls))) {
        snprintf(m->dl_err, sizeof m->dl_err, "out of memory");
        of_rows_free(r);
        return;
    }
    for (int i = 0; i < r->nrows; i++) {
        of_cpage_dl_t *d = &m->dls[m->ndls++];
        d->id = of_rows_i64(r, i, OF_DLQ_ID);
        cellcpy(d->topic, sizeof d->topic, r, i, OF_DLQ_TOPIC);
        cellcpy(d->order, sizeof d->order, r, i, OF_DLQ_ORDER);
        if (!*d->order) cellcpy(d->order, sizeof d->order, r, i, OF_DLQ_SUBJECT); /* "tid:…" (D-DLQ-3) */
        cellcpy(d->klass, sizeof d->klass, r, i, OF_DLQ_CLASS);
        cellcpy(d->dead_at, sizeof d->dead_at, r, i, OF_DLQ_DEAD_AT);
        cellcpy(d->redriven_at, sizeof d->redriven_at, r, i, OF_DLQ_REDRIVEN_AT);
        cellcpy(d->error, sizeof d->error, r, i, OF_DLQ_ERROR);
        d->attempts = (int)of_rows_i64(r, i, OF_DLQ_ATTEMPTS);
        d->redrives = (int)of_rows_i64(r, i, OF_DLQ_REDRIVES);
        d->bytes = of_rows_i64(r, i, OF_DLQ_BYTES);
    }
    of_rows_free(r);
}

static void fill_sync(const of_config_t *cfg, of_cpage_model_t *m) {
    of_db_t *b = of_site_connect(cfg, OF_SITE_BUYER, m->sync_err, sizeof m->sync_err);
    of_rows_t *r;
    if (!b) return;
    if (of_site_conflicts(b, CONFLICTS_SHOWN, &r, m->sync_err, sizeof m->sync_err) == OF_OK) {
        if (r->nrows && !(m->conflicts = calloc((size_t)r->nrows, sizeof *m->conflicts)))
            snprintf(m->sync_err, sizeof m->sync_err, "out of memory");
        for (int i = 0; m->conflicts && i < r->nrows; i++) {
            of_cpage_conflict_t *x = &m->conflicts[m->nconflicts++];
            cellcpy(x->when, sizeof x->when, r, i, 0);
            cellcpy(x->oid, sizeof x->oid, r, i, 1);
            cellcpy(x->side, sizeof x->side, r, i, 2);
            cellcpy(x->op, sizeof x->op, r, i, 3);
            cellcpy(x->row, sizeof x->row, r, i, 4);
            cellcpy(x->why, sizeof x->why, r, i, 5);
        }
        of_rows_free(r);
    }
    of_db_close(b);
}

/* Text written to a FILE by fn, in a malloc'd string. */
typedef int (*writer_fn)(of_db_t *db, FILE *out, const void *arg, char *err, size_t size);
static char *capture(of_db_t *db, writer_fn fn, const void *arg, int *rc, char *err, size_t size) {
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (!out) {
        snprintf(err, size, "out of memory");
        *rc = -1;
        return NULL;
    }
    *rc = fn(db, out, arg, err, size);
    fclose(out);
    return text;
}
static int stock_writer(of_db_t *db, FILE *out, const void *arg, char *err, size_t size) {
    (void)arg;
    return of_stockcheck_run(db, out, err, size);
}
static int search_writer(of_db_t *db, FILE *out, const void *arg, char *err, size_t size) {
    return of_explain_search(db, out, arg, err, size);
}

/* Everything the page shows, read now; *owned: texts to free with the model (model_free). */
typedef struct {
    of_cpage_model_t m;
    char now[32], notice[768];
    char *stock, *search;
} page_t;

static void fill(of_console_t *c, page_t *p, const char *q, int panels_only) {
    of_cpage_model_t *m = &p->m;
    const of_config_t *cfg = c->cfg;
    time_t t = time(NULL);
    struct tm tm;
    strftime(p->now, sizeof p->now, "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&t, &tm));
    m->now = p->now;
    m->csrf = c->csrf;
    m->refresh_s = (int)of_cfg_int(cfg, OF_CFG_CONSOLE_REFRESH_S);
    char err[256];
    of_db_t *db = of_db_connect(cfg, NULL, err, sizeof err);
    if (!db) {
        snprintf(m->status_err, sizeof m->status_err, "%s", err);
        snprintf(m->moves_err, sizeof m->moves_err, "%s", err);
        snprintf(m->dl_err, sizeof m->dl_err, "%s", err);
        snprintf(m->fs_err, sizeof m->fs_err, "%s", err);
        snprintf(m->stock_err, sizeof m->stock_err, "%s", err);
        if (q) snprintf(m->search_err, sizeof m->search_err, "%s", err);
    } else {
        of_opsq_status_t st[64];
        size_t n = 0;
        if (of_opsq_statuses(db, st, 64, &n, m->status_err, sizeof m->status_err) == OF_OK)
            for (size_t i = 0; i < n; i++)
                m->statuses[m->nstatuses++] = (of_cpage_status_t){st[i].status, st[i].count};
        (void)of_opsq_moves(db, OF_CPAGE_MINUTES, m->moves, m->moves_err, sizeof m->moves_err);
        fill_dls(db, of_cfg_str(cfg, OF_CFG_TOPIC_PREFIX), m);
        (void)of_opsq_fsjobs_final(db, m->fs_final, m->fs_err, sizeof m->fs_err);
        int rc;
        p->stock = capture(db, stock_writer, NULL, &rc, m->stock_err, sizeof m->stock_err);
        if (rc >= 0) *m->stock_err = '\0';
        m->stock_rc = rc > 0;
        m->stock_text = p->stock ? p->stock : "";
        if (q && !panels_only) {
            m->search_q = q;
            p->search = capture(db, search_writer, q, &rc, m->search_err, sizeof m->search_err);
            if (rc >= 0) *m->search_err = '\0';
            m->search_text = p->search ? p->search : "";
        }
        of_db_close(db);
    }
    of_redis_t *rd = of_redis_connect(cfg, m->fs_live_err, sizeof m->fs_live_err);
    if (rd) {
        (void)of_opsq_fsjobs_live(rd, of_cfg_str(cfg, OF_CFG_REDIS_PREFIX), 10000, m->fs_live, &m->fs_scanned,
                                  &m->fs_more, m->fs_live_err, sizeof m->fs_live_err);
        of_redis_close(rd);
    }
    fill_sync(cfg, m);
    fill_lags(c, m);
}

static void page_free(page_t *p) {
    free(p->m.lags);
    free(p->m.dls);
    free(p->m.conflicts);
    free(p->stock);
    free(p->search);
}

/* "dead letter 7 (origin …) re-driven at …, 1 time(s) in all" from its row now */
static void redrive_notice(of_console_t *c, const char *id, char *out, size_t size) {
    char err[256];
    of_db_t *db = of_db_connect(c->cfg, NULL, err, sizeof err);
    of_rows_t *r = NULL;
    of_dlqstore_filter_t f = {.id = strtoll(id, NULL, 10), .limit = 1};
    if (!db || of_dlqstore_select(db, of_cfg_str(c->cfg, OF_CFG_TOPIC_PREFIX), &f, &r, err, sizeof err))
        snprintf(out, size, "dead letter %s: %s", id, err);
    else if (!r->nrows)
        snprintf(out, size, "no dead letter %s", id);
    else
        snprintf(out, size, "Dead letter %s re-driven to %s at %s (re-driven %s time(s) in all); order %s.",
                 of_rows_str(r, 0, OF_DLQ_ID), of_rows_str(r, 0, OF_DLQ_TOPIC), of_rows_str(r, 0, OF_DLQ_REDRIVEN_AT),
                 of_rows_str(r, 0, OF_DLQ_REDRIVES),
                 *of_rows_str(r, 0, OF_DLQ_ORDER) ? of_rows_str(r, 0, OF_DLQ_ORDER) : "-");
    of_rows_free(r);
    of_db_close(db);
}

static enum MHD_Result show(of_console_t *c, struct MHD_Connection *conn, int panels_only, const char *notice) {
    page_t p = {0};
    const char *q = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "q");
    const char *redriven = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "redriven");
    if (q && !*q) q = NULL;
    fill(c, &p, q, panels_only);
    if (notice)
        snprintf(p.notice, sizeof p.notice, "%s", notice);
    else if (redriven && *redriven && strspn(redriven, "0123456789") == strlen(redriven) && strlen(redriven) < 20)
        redrive_notice(c, redriven, p.notice, sizeof p.notice);
    if (*p.notice) p.m.notice = p.notice;
    of_cpage_buf_t b = {0};
    if (panels_only)
        of_cpage_panels(&b, &p.m);
    else
        of_cpage_page(&b, &p.m);
    page_free(&p);
    return send_page(conn, MHD_HTTP_OK, &b, NULL, NULL);
}

/* ---------------------------------------------------------------- re-drive */
static enum MHD_Result redrive(of_console_t *c, struct MHD_Connection *conn, const req_t *rq) {
    char id[32], csrf[80], err[512], who[64];
    if (of_cauth_form(rq->body, rq->len, "csrf", csrf, sizeof csrf) || !of_cauth_csrf_ok(c->token, csrf))
        return send_text(conn, MHD_HTTP_FORBIDDEN,
                         "forbidden: the form's CSRF token is missing or wrong (reload "
                         "the page)\n");
    if (of_cauth_form(rq->body, rq->len, "id", id, sizeof id) || !*id || strspn(id, "0123456789") != strlen(id))
        return send_text(conn, MHD_HTTP_BAD_REQUEST, "id: a dead letter's number is required\n");
    of_db_t *db = of_db_connect(c->cfg, NULL, err, sizeof err);
    if (!db) return show(c, conn, 0, err);
    of_rows_t *r = NULL;
    of_dlqstore_filter_t f = {.id = strtoll(id, NULL, 10), .limit = 1};
    const char *prefix = of_cfg_str(c->cfg, OF_CFG_TOPIC_PREFIX);
    of_err_t e = of_dlqstore_select(db, prefix, &f, &r, err, sizeof err);
    if (!e && !r->nrows) {
        snprintf(err, sizeof err, "no dead letter %s", id);
        e = OF_ERR_UNKNOWN_REF;
    }
    if (!e) {
        pthread_mutex_lock(&c->rmu);
        if (!c->producer) c->producer = of_producer_new(c->cfg, "of-console-redrive", err, sizeof err);
        e = c->producer ? of_dlqstore_redrive(db, c->producer, prefix, r, 0, err, sizeof err) : OF_ERR_TRANSIENT;
        pthread_mutex_unlock(&c->rmu);
    }
    of_rows_free(r);
    of_db_close(db);
    if (e) {
        of_warn("console re-drive failed", OF_S("id", id), OF_S("client", peer(conn, who, sizeof who)),
                OF_S("error", err), OF_END);
        char msg[640];
        snprintf(msg, sizeof msg, "Re-drive of dead letter %s failed: %s", id, err);
        return show(c, conn, 0, msg);
    }
    of_info("console re-drive", OF_S("id", id), OF_S("client", peer(conn, who, sizeof who)), OF_END);
    char loc[64];
    snprintf(loc, sizeof loc, "/?redriven=%s", id);
    return redirect(conn, loc, NULL);
}

/* ---------------------------------------------------------------- routing */
static int authorized(of_console_t *c, struct MHD_Connection *conn) {
    if (of_cauth_bearer_ok(c->token, MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION)))
        return 1;
    char v[128];
    const char *cookie = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_COOKIE);
    return cookie && !of_cauth_cookie(cookie, OF_CAUTH_COOKIE, v, sizeof v) &&
           of_cauth_session_ok(c->token, v, of_now_ms() / 1000);
}

static enum MHD_Result route(of_console_t *c, struct MHD_Connection *conn, const char *url, const char *method,
                             const req_t *rq) {
    int get = !strcmp(method, "GET") || !strcmp(method, "HEAD"), post = !strcmp(method, "POST");
    char who[64];
    if (!strcmp(url, "/healthz")) return send_text(conn, MHD_HTTP_OK, "ok\n");
    if (rq->too_large) return send_text(conn, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large\n");
    if (!strcmp(url, "/login")) {
        if (get) return login_page(conn, MHD_HTTP_OK, NULL);
        if (!post) return send_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "GET or POST\n");
        char tok[512], cookie[192], session[96];
        if (of_cauth_form(rq->body, rq->len, "token", tok, sizeof tok) || !of_cauth_token_ok(c->token, tok)) {
            of_warn("console login refused", OF_S("client", peer(conn, who, sizeof who)), OF_END);
            return login_page(conn, MHD_HTTP_UNAUTHORIZED, "That is not the console's token.");
        }
        if (of_cauth_session_new(c->token, of_now_ms() / 1000, SESSION_TTL_S, session, sizeof session))
            return send_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot make a session\n");
        snprintf(cookie, sizeof cookie, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d", OF_CAUTH_COOKIE,
                 session, SESSION_TTL_S);
        of_info("console login", OF_S("client", peer(conn, who, sizeof who)), OF_END);
        return redirect(conn, "/", cookie);
    }
    if (!authorized(c, conn)) {
        if (get && (!strcmp(url, "/") || !strcmp(url, "/panels"))) return login_page(conn, MHD_HTTP_UNAUTHORIZED, NULL);
        return send_text(conn, MHD_HTTP_UNAUTHORIZED, "unauthorized: a bearer token or a session is required\n");
    }
    if (!strcmp(url, "/") || !strcmp(url, "/panels")) {
        if (!get) return send_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "GET\n");
        return show(c, conn, !strcmp(url, "/panels"), NULL);
    }
    if (!strcmp(url, "/redrive")) {
        if (!post) return send_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "POST\n");
        return redrive(c, conn, rq);
    }
    if (!strcmp(url, "/logout")) {
        char csrf[80];
        if (!post) return send_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "POST\n");
        if (of_cauth_form(rq->body, rq->len, "csrf", csrf, sizeof csrf) || !of_cauth_csrf_ok(c->token, csrf))
            return send_text(conn, MHD_HTTP_FORBIDDEN, "forbidden: the form's CSRF token is missing or wrong\n");
        return redirect(conn, "/login", OF_CAUTH_COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    }
    return send_text(conn, MHD_HTTP_NOT_FOUND, "no such page\n");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **con_cls) {
    (void)version;
    of_console_t *c = cls;
    req_t *rq = *con_cls;
    if (!rq) {
        if (!(rq = calloc(1, sizeof *rq))) return MHD_NO;
        *con_cls = rq;
        return MHD_YES;
    }
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (rq->too_large || rq->len + n > MAX_BODY) {
            rq->too_large = 1;
            return MHD_YES;
        }
        if (!rq->body && !(rq->body = malloc(MAX_BODY + 1))) return MHD_NO;
        memcpy(rq->body + rq->len, upload, n);
        rq->len += n;
        rq->body[rq->len] = '\0';
        return MHD_YES;
    }
    return route(c, conn, url, method, rq);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe) {
    (void)cls, (void)conn, (void)toe;
    req_t *rq = *con_cls;
    if (rq) {
        if (rq->body) memset(rq->body, 0, rq->len); /* a login's token does not linger */
        free(rq->body);
    }
    free(rq);
    *con_cls = NULL;
}

/* ---------------------------------------------------------------- life */
of_console_t *of_console_new(const of_config_t *cfg, char *errstr, size_t size) {
    const char *tok = of_cfg_str(cfg, OF_CFG_CONSOLE_TOKEN);
    if (strlen(tok) < OF_CAUTH_MIN_TOKEN) {
        of_seterr(errstr, size, OF_ERR_CONFIG, "OF_CONSOLE_TOKEN: a token of at least %d characters is required",
                  OF_CAUTH_MIN_TOKEN);
        return NULL;
    }
    if (strlen(tok) >= 512) {
        of_seterr(errstr, size, OF_ERR_CONFIG, "OF_CONSOLE_TOKEN: at most 511 characters");
        return NULL;
    }
    of_console_t *c = calloc(1, sizeof *c);
    if (!c) {
        of_seterr(errstr, size, OF_ERR_NOMEM, "out of memory");
        return NULL;
    }
    c->cfg = cfg;
    snprintf(c->token, sizeof c->token, "%s", tok);
    pthread_mutex_init(&c->kmu, NULL);
    pthread_mutex_init(&c->rmu, NULL);
    if (of_cauth_csrf(c->token, c->csrf, sizeof c->csrf)) {
        of_seterr(errstr, size, OF_ERR_CONFIG, "cannot derive the CSRF token");
        goto fail;
    }
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)of_cfg_int(cfg, OF_CFG_CONSOLE_PORT))};
    if (inet_pton(AF_INET, of_cfg_str(cfg, OF_CFG_CONSOLE_BIND), &sa.sin_addr) != 1) {
        of_seterr(errstr, size, OF_ERR_CONFIG, "OF_CONSOLE_BIND: an IPv4 address is required");
        goto fail;
    }
    c->d = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ITC, (uint16_t)of_cfg_int(cfg, OF_CFG_CONSOLE_PORT),
                            NULL, NULL, on_request, c, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                            MHD_OPTION_THREAD_POOL_SIZE, (unsigned)of_cfg_int(cfg, OF_CFG_CONSOLE_THREADS),
                            MHD_OPTION_NOTIFY_COMPLETED, on_completed, c, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
                            MHD_OPTION_CONNECTION_LIMIT, (unsigned)256, MHD_OPTION_END);
    if (!c->d) {
        of_seterr(errstr, size, OF_ERR_CONFIG, "HTTP server: cannot listen on %s:%lld (port taken?)",
                  of_cfg_str(cfg, OF_CFG_CONSOLE_BIND), of_cfg_int(cfg, OF_CFG_CONSOLE_PORT));
        goto fail;
    }
    of_info("console listening", OF_S("bind", of_cfg_str(cfg, OF_CFG_CONSOLE_BIND)),
            OF_I("port", of_cfg_int(cfg, OF_CFG_CONSOLE_PORT)),
            OF_I("threads", of_cfg_int(cfg, OF_CFG_CONSOLE_THREADS)), OF_END);
    return c;
fail:
    of_console_destroy(c);
    return NULL;
}

void of_console_destroy(of_console_t *c) {
    if (!c) return;
    if (c->d) {
        MHD_quiesce_daemon(c->d); /* no new connections */
        MHD_stop_daemon(c->d);    /* the requests in flight finish; their reads are bounded by the clients' timeouts */
    }
    of_admin_kafka(NULL);
    for (int i = 0; i < c->ngroups; i++)
        rd_kafka_destroy(c->groups[i].rk);
    of_producer_destroy(c->producer);
    memset(c->token, 0, sizeof c->token);
    pthread_mutex_destroy(&c->kmu);
    pthread_mutex_destroy(&c->rmu);
    free(c);
}
