/* of_outbox.c -- the outbox table: queue in the transaction, publish after commit, sweep what was missed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "of_ledger.h"
#include "of_log.h"
#include "of_metrics.h"
#include "of_time.h"
#include "of_outbox.h"
#include "of_topics.h"

/* A sweep leases the unsent rows it takes, so that instances sweeping at the same time never publish the same
 * rows (migration 021); a lease outlives message.timeout.ms (30 s), so a sweep in progress keeps its rows. */
#define LEASE_MS 60000
static const char SQL_LEASE[] =
    "UPDATE outbox SET lease_token = ?, lease_until = NOW(3) + INTERVAL ? MICROSECOND WHERE sent_at IS NULL AND "
    "created_at < NOW(3) - INTERVAL ? MICROSECOND AND (lease_until IS NULL OR lease_until < NOW(3)) ORDER BY id "
    "LIMIT ?";
static const char SQL_LEASED[] =
    "SELECT id, topic, msg_key, payload, event_id FROM outbox WHERE lease_token = ? AND sent_at IS NULL ORDER BY id";
/* The backlog gauges (of_metrics OF_MG_OUTBOX_*): rows not confirmed published and the age of the oldest, both read
 * through ix_unsent (sent_at, id). */
static const char SQL_BACKLOG[] =
    "SELECT (SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL), IFNULL((SELECT TIMESTAMPDIFF(SECOND, created_at, "
    "NOW(3)) FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT 1), 0)";
/* Retention of sent rows (of_outbox_prune): small slices, so that a prune never holds locks for long. */
static const char SQL_PRUNE[] =
    "DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < NOW(3) - INTERVAL ? HOUR ORDER BY sent_at LIMIT ?";

typedef struct {
    int topic;
    char *event_id, *key, *payload;
    size_t keylen, len;
} pending_t;

struct of_outbox_s {
    of_db_t *db;
    of_producer_t *p;
    int st_lease, st_leased, st_prune, st_backlog;
    unsigned long sweeps; /* lease tokens: instance:pid:sweeps */
    int64_t last_sweep_ms, last_prune_ms, prune_wait_ms;
    of_db_multi_t m_add, m_sent, m_tried;
    pending_t *pending; /* events added since the last flush (copies) */
    int npending, cap;
    int nstaged; /* pending[npending .. npending + nstaged): staged, not written yet */
    int nready;  /* pending[0 .. nready): committed, left by of_outbox_send for the next flight */
    /* D-T10-55: the events of the last flush, sent and not marked yet; their delivery reports come in while the next
     * batch runs, and they are marked by the next flush, tick or destroy */
    pending_t *fly;
    int nfly, fly_cap;
    of_dr_batch_t *flyb;
};

of_outbox_t *of_outbox_new(of_db_t *db, of_producer_t *producer) {
    of_outbox_t *ob = calloc(1, sizeof *ob);
    if (!ob) return NULL;
    ob->db = db;
    ob->p = producer;
    ob->st_lease = of_db_register(db, SQL_LEASE);
    ob->st_leased = of_db_register(db, SQL_LEASED);
    ob->st_prune = of_db_register(db, SQL_PRUNE);
    ob->st_backlog = of_db_register(db, SQL_BACKLOG);
    if (ob->st_lease < 0 || ob->st_leased < 0 || ob->st_prune < 0 || ob->st_backlog < 0 ||
        of_db_register_multi(db, "INSERT IGNORE INTO outbox (event_id, topic, msg_key, payload) VALUES ",
                             "(?, ?, ?, ?)", "", &ob->m_add) ||
        of_db_register_multi(db, "UPDATE outbox SET sent_at = NOW(3), attempts = attempts + 1 WHERE event_id IN (", "?",
                             ")", &ob->m_sent) ||
        of_db_register_multi(db, "UPDATE outbox SET attempts = attempts + 1 WHERE event_id IN (", "?", ")",
                             &ob->m_tried)) {
        free(ob);
        return NULL;
    }
    return ob;
}

static void pending_free(pending_t *pe) {
    free(pe->event_id);
    free(pe->key);
    free(pe->payload);
}

void of_outbox_discard(of_outbox_t *ob) {
    for (int i = ob->nready; i < ob->npending + ob->nstaged; i++)
        pending_free(&ob->pending[i]);
    ob->npending = ob->nready;
    ob->nstaged = 0;
}

/* A copy of the event at pending[npending + nstaged] (room made). */
static of_err_t keep(of_outbox_t *ob, int topic, const char *event_id, const void *key, size_t keylen,
                     const void *payload, size_t len, char *errstr, size_t errstr_size) {
    if (ob->npending + ob->nstaged == ob->cap) {
        int nc = ob->cap ? ob->cap * 2 : 64;
        pending_t *np = realloc(ob->pending, sizeof *np * (size_t)nc);
        if (!np) return of_seterr(errstr, errstr_size, OF_ERR_NOMEM, "out of memory");
        ob->pending = np;
        ob->cap = nc;
    }
    pending_t *pe = &ob->pending[ob->npending + ob->nstaged];
    pe->topic = topic;
    pe->event_id = strdup(event_id);
    pe->key = malloc(keylen + 1);
    pe->payload = malloc(len + 1);
    if (!pe->event_id || !pe->key || !pe->payload) {
        pending_free(pe);
        return of_seterr(errstr, errstr_size, OF_ERR_NOMEM, "out of memory");
    }
    if (keylen) memcpy(pe->key, key, keylen);
    memcpy(pe->payload, payload, len);
    pe->keylen = keylen;
    pe->len = len;
    return OF_OK;
}

static void land(of_outbox_t *ob, int wait);

void of_outbox_destroy(of_outbox_t *ob) {
    if (!ob) return;
    of_outbox_discard(ob);
    if (ob->nready) of_outbox_flush(ob);
    land(ob, 1);
    free(ob->pending);
    free(ob->fly);
    free(ob->flyb);
    free(ob);
}

of_err_t of_outbox_stage(of_outbox_t *ob, int topic, const char *event_id, const void *key, size_t keylen,
                         const void *payload, size_t len, char *errstr, size_t errstr_size) {
    of_err_t err = keep(ob, topic, event_id, key, keylen, payload, len, errstr, errstr_size);
    if (!err) ob->nstaged++;
    return err;
}

of_err_t of_outbox_write(of_outbox_t *ob, char *errstr, size_t errstr_size) {
    int n = ob->nstaged;
    if (!n) return OF_OK;
    of_param_t *p = malloc(sizeof *p * (size_t)n * 4);
    if (!p) return of_seterr(errstr, errstr_size, OF_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        const pending_t *pe = &ob->pending[ob->npending + i];
        p[i * 4 + 0] = OFP_S(pe->event_id);
        p[i * 4 + 1] = OFP_S(of_topics()[pe->topic].name);
        p[i * 4 + 2] = OFP_SN(pe->keylen ? pe->key : "", pe->keylen);
        p[i * 4 + 3] = OFP_SN(pe->payload, pe->len);
    }
    of_err_t err = of_db_exec_multi(ob->db, &ob->m_add, p, n, NULL, errstr, errstr_size);
    free(p);
    if (err) return err;
    ob->npending += n; /* an event already in the table is published again: consumers dedupe by event id */
    ob->nstaged = 0;
    return OF_OK;
}

typedef struct {
    of_outbox_t *ob;
    const of_db_multi_t *m;
    of_param_t *ids;
    const pending_t *ev;
    int n;
} mark_t;

/* The marks: in one transaction (of_db_tx), or alone in autocommit when they are one statement. */
static of_err_t mark(of_db_t *db, void *ctx, char *errstr, size_t errstr_size) {
    mark_t *k = ctx;
    for (int i = 0; i < k->n; i++)
        k->ids[i] = OFP_S(k->ev[i].event_id);
    return of_db_exec_multi_in(db, k->m, k->ids, k->n, NULL, errstr, errstr_size);
}

/* Up to this many events are marked by one statement in autocommit (D-T10-61): of_db_exec_multi_in fills the IN
 * list up to the next prepared size with the last id again (a row matches once, however often its id is listed), so
 * a batch's marks are one round trip, not BEGIN, three statements (128 + 64 + 8) and COMMIT. */
#define MARK_ONE_STATEMENT 256

/* Mark published events: all sent when every delivery was confirmed, else only "tried". On any failure every row
 * stays for the sweep (a duplicate is allowed, consumers dedupe by event id; a lost event is not). Returns n when
 * confirmed, else 0. */
static int mark_published(of_outbox_t *ob, const pending_t *ev, int n, of_err_t e, const of_dr_batch_t *b) {
    char err[256];
    of_param_t *ids = malloc(sizeof *ids * (size_t)(n > 0 ? n : 1));
    mark_t k = {ob, e ? &ob->m_tried : &ob->m_sent, ids, ev, n};
    of_err_t me = OF_ERR_NOMEM;
    if (ids && n > 0 && n <= MARK_ONE_STATEMENT) { /* one statement is atomic by itself; a lost connection is opened
                                                    * again by the next try */
        for (int t = 0; t < 3; t++)
            if ((me = mark(ob->db, &k, err, sizeof err)) != OF_ERR_TRANSIENT) break;
    } else if (ids) {
        me = of_db_tx(ob->db, mark, &k, err, sizeof err);
    }
    if (me) of_warn("outbox mark failed", OF_S("error", ids ? err : "out of memory"), OF_END);
    free(ids);
    if (e) {
        of_warn("outbox publish not confirmed; the sweep will retry", OF_S("error", b->error), OF_I("events", n),
                OF_END);
        return 0;
    }
    return n;
}

static void send_all(of_outbox_t *ob, const pending_t *ev, int n, of_dr_batch_t *b) {
    for (int i = 0; i < n; i++)
        if (of_producer_send(ob->p, of_producer_topic(ob->p, ev[i].topic), ev[i].key, ev[i].keylen, ev[i].payload,
                             ev[i].len, NULL, b))
            b->failed++;
}

/* Publish events, wait for their delivery reports, mark them (the sweep's way). */
static int publish(of_outbox_t *ob, const pending_t *ev, int n) {
    of_dr_batch_t b = {0};
    send_all(ob, ev, n, &b);
    of_err_t e = of_producer_wait(ob->p, &b);
    return mark_published(ob, ev, n, e, &b);
}

/* The events in flight: marked once their reports are in (wait: wait for them, bounded by message.timeout.ms or the
 * stop grace). */
static void land(of_outbox_t *ob, int wait) {
    if (!ob->nfly) return;
    if (!wait) {
        of_producer_poll(ob->p);
        if (ob->flyb->pending) return;
    }
    of_err_t e = of_producer_wait(ob->p, ob->flyb);
    mark_published(ob, ob->fly, ob->nfly, e, ob->flyb);
    for (int i = 0; i < ob->nfly; i++)
        pending_free(&ob->fly[i]);
    ob->nfly = 0;
}

int of_outbox_flush(of_outbox_t *ob) {
    if (ob->nstaged) {
        of_warn("outbox: staged events never written were dropped", OF_I("events", ob->nstaged), OF_END);
        for (int i = ob->npending; i < ob->npending + ob->nstaged; i++)
            pending_free(&ob->pending[i]);
        ob->nstaged = 0;
    }
    land(ob, 1); /* the previous flush's events: their reports came in while this batch ran */
    int n = ob->npending;
    if (!n) return 0;
    if (!ob->flyb && !(ob->flyb = malloc(sizeof *ob->flyb))) {
        n = publish(ob, ob->pending, n); /* out of memory: the synchronous way */
        ob->nready = 0;
        of_outbox_discard(ob);
        return n;
    }
    /* the pending events take off: they become the flight, the flight's array takes their place */
    pending_t *t = ob->fly;
    int tc = ob->fly_cap;
    ob->fly = ob->pending;
    ob->fly_cap = ob->cap;
    ob->nfly = n;
    ob->pending = t;
    ob->cap = tc;
    ob->npending = ob->nready = 0;
    memset(ob->flyb, 0, sizeof *ob->flyb);
    send_all(ob, ob->fly, n, ob->flyb);
    return n;
}

int of_outbox_send(of_outbox_t *ob) {
    land(ob, 0);
    if (!ob->nfly) return of_outbox_flush(ob);
    ob->nready = ob->npending; /* committed: they take off with the next flight */
    return 0;
}

int of_outbox_sweep(of_outbox_t *ob, int min_age_ms, int limit) {
    land(ob, 1); /* never sweep an event of our own still in flight */
    char err[256], token[96], host[64] = "";
    of_rows_t *rows;
    gethostname(host, sizeof host - 1);
    /* host:pid:outbox:sweep: unique per outbox object, so two outboxes of one process never share a lease */
    snprintf(token, sizeof token, "%.50s:%ld:%lx:%lu", host, (long)getpid(), (unsigned long)(uintptr_t)ob,
             ++ob->sweeps);
    uint64_t leased = 0;
    of_param_t p[] = {OFP_S(token), OFP_I((int64_t)LEASE_MS * 1000), OFP_I((int64_t)min_age_ms * 1000), OFP_I(limit)};
    if (of_db_exec(ob->db, ob->st_lease, p, 4, &leased, NULL, err, sizeof err)) {
        of_warn("outbox sweep failed", OF_S("error", err), OF_END);
        return -1;
    }
    if (!leased) return 0;
    of_param_t q[] = {OFP_S(token)};
    if (of_db_query(ob->db, ob->st_leased, q, 1, &rows, err, sizeof err)) {
        of_warn("outbox sweep failed", OF_S("error", err), OF_END);
        return -1;
    }
    int n = 0, k = 0;
    pending_t *ev = rows->nrows ? calloc((size_t)rows->nrows, sizeof *ev) : NULL;
    for (int r = 0; ev && r < rows->nrows; r++) {
        int t = of_topic_find(of_rows_str(rows, r, 1), "");
        if (t < 0) {
            of_warn("outbox row with unknown topic", OF_S("topic", of_rows_str(rows, r, 1)), OF_END);
            continue;
        }
        ev[k].event_id = rows->cells[r * 5 + 4];
        ev[k].topic = t;
        ev[k].key = rows->cells[r * 5 + 2];
        ev[k].keylen = rows->lens[r * 5 + 2];
        ev[k].payload = rows->cells[r * 5 + 3];
        ev[k].len = rows->lens[r * 5 + 3];
        k++;
    }
    if (k) {
        n = publish(ob, ev, k);
        of_info("outbox sweep", OF_I("found", k), OF_I("published", n), OF_END);
    }
    free(ev);
    of_rows_free(rows);
    return n;
}

int of_outbox_prune(of_outbox_t *ob, int retention_h, int limit) {
    char err[256];
    uint64_t n = 0;
    of_param_t p[] = {OFP_I(retention_h), OFP_I(limit)};
    if (of_db_exec(ob->db, ob->st_prune, p, 2, &n, NULL, err, sizeof err)) {
        of_warn("outbox prune failed", OF_S("error", err), OF_END);
        return -1;
    }
    if (n) of_info("outbox pruned", OF_U("rows", n), OF_I("retention_h", retention_h), OF_END);
    return (int)n;
}

/* Measure the backlog for /metrics; a failure leaves the last figures (the sweep has logged the database's state). */
static void backlog(of_outbox_t *ob) {
    of_rows_t *rows = NULL;
    char err[256];
    if (of_db_query(ob->db, ob->st_backlog, NULL, 0, &rows, err, sizeof err) == OF_OK && rows && rows->nrows == 1) {
        of_metric_gauge_set(OF_MG_OUTBOX_BACKLOG, of_rows_i64(rows, 0, 0));
        of_metric_gauge_set(OF_MG_OUTBOX_OLDEST_S, of_rows_i64(rows, 0, 1));
    }
    of_rows_free(rows);
}

void of_outbox_tick(of_outbox_t *ob, const of_config_t *cfg) {
    land(ob, 0);                                      /* marked as soon as their reports are in */
    if (ob->nready && !ob->nfly) of_outbox_flush(ob); /* what of_outbox_send left */
    int64_t now = of_mono_ms();
    if (now - ob->last_sweep_ms >= of_cfg_int(cfg, OF_CFG_OUTBOX_SWEEP_S) * 1000) {
        ob->last_sweep_ms = now;
        of_outbox_sweep(ob, 2000, 500);
        backlog(ob);
    }
    if (now - ob->last_prune_ms >= ob->prune_wait_ms) {
        ob->last_prune_ms = now;
        ob->prune_wait_ms =
            of_ledger_prune_wait_ms(of_outbox_prune(ob, (int)of_cfg_int(cfg, OF_CFG_OUTBOX_RETENTION_H), 5000), 5000);
    }
}
