/* of_outbox.c -- the outbox table: queue in the transaction, publish after commit, sweep what was missed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "of_log.h"
#include "of_outbox.h"
#include "of_topics.h"

static const char SQL_ADD[] = "INSERT IGNORE INTO outbox (event_id, topic, msg_key, payload) VALUES (?, ?, ?, ?)";
static const char SQL_SENT[] = "UPDATE outbox SET sent_at = NOW(3), attempts = attempts + 1 WHERE id = ?";
static const char SQL_TRIED[] = "UPDATE outbox SET attempts = attempts + 1 WHERE id = ?";
static const char SQL_UNSENT[] = "SELECT id, topic, msg_key, payload FROM outbox WHERE sent_at IS NULL "
                                 "AND created_at < NOW(3) - INTERVAL ? MICROSECOND ORDER BY id LIMIT ?";

typedef struct {
    uint64_t id;
    int topic;
    char *key, *payload;
    size_t keylen, len;
} pending_t;

struct of_outbox_s {
    of_db_t *db;
    of_producer_t *p;
    int st_add, st_sent, st_tried, st_unsent;
    pending_t *pending; /* events added since the last flush (copies) */
    int npending, cap;
};

of_outbox_t *of_outbox_new(of_db_t *db, of_producer_t *producer) {
    of_outbox_t *ob = calloc(1, sizeof *ob);
    if (!ob) return NULL;
    ob->db = db;
    ob->p = producer;
    ob->st_add = of_db_register(db, SQL_ADD);
    ob->st_sent = of_db_register(db, SQL_SENT);
    ob->st_tried = of_db_register(db, SQL_TRIED);
    ob->st_unsent = of_db_register(db, SQL_UNSENT);
    return ob;
}

void of_outbox_discard(of_outbox_t *ob) {
    for (int i = 0; i < ob->npending; i++) {
        free(ob->pending[i].key);
        free(ob->pending[i].payload);
    }
    ob->npending = 0;
}

void of_outbox_destroy(of_outbox_t *ob) {
    if (!ob) return;
    of_outbox_discard(ob);
    free(ob->pending);
    free(ob);
}

of_err_t of_outbox_add(of_outbox_t *ob, int topic, const char *event_id, const void *key, size_t keylen,
                       const void *payload, size_t len, char *errstr, size_t errstr_size) {
    if (ob->npending == ob->cap) {
        int nc = ob->cap ? ob->cap * 2 : 64;
        pending_t *np = realloc(ob->pending, sizeof *np * (size_t)nc);
        if (!np) return of_seterr(errstr, errstr_size, OF_ERR_NOMEM, "out of memory");
        ob->pending = np;
        ob->cap = nc;
    }
    of_param_t p[] = {OFP_S(event_id), OFP_S(of_topics()[topic].name), OFP_SN(keylen ? key : "", keylen),
                      OFP_SN(payload, len)};
    uint64_t affected = 0, id = 0;
    of_err_t err = of_db_exec(ob->db, ob->st_add, p, 4, &affected, &id, errstr, errstr_size);
    if (err || !affected) return err; /* ignored: the same event is already queued or sent */
    pending_t *pe = &ob->pending[ob->npending];
    pe->id = id;
    pe->topic = topic;
    pe->key = malloc(keylen + 1);
    pe->payload = malloc(len + 1);
    if (!pe->key || !pe->payload) {
        free(pe->key);
        free(pe->payload);
        return of_seterr(errstr, errstr_size, OF_ERR_NOMEM, "out of memory");
    }
    if (keylen) memcpy(pe->key, key, keylen);
    memcpy(pe->payload, payload, len);
    pe->keylen = keylen;
    pe->len = len;
    ob->npending++;
    return OF_OK;
}

/* Publish events and mark them: all sent when every delivery is confirmed, else only "tried".
 * On any failure every row stays for the sweep (a duplicate is allowed, consumers dedupe by
 * event id; a lost event is not). */
static int publish(of_outbox_t *ob, const pending_t *ev, int n) {
    char err[256];
    of_dr_batch_t b = {0};
    for (int i = 0; i < n; i++)
        if (of_producer_send(ob->p, of_producer_topic(ob->p, ev[i].topic), ev[i].key, ev[i].keylen, ev[i].payload,
                             ev[i].len, NULL, &b))
            b.failed++;
    of_err_t e = of_producer_wait(ob->p, &b);
    for (int i = 0; i < n; i++) {
        of_param_t id = OFP_U(ev[i].id);
        if (of_db_exec(ob->db, e ? ob->st_tried : ob->st_sent, &id, 1, NULL, NULL, err, sizeof err))
            of_warn("outbox mark failed", OF_S("error", err), OF_END);
    }
    if (e) {
        of_warn("outbox publish not confirmed; the sweep will retry", OF_S("error", b.error), OF_I("events", n),
                OF_END);
        return 0;
    }
    return n;
}

int of_outbox_flush(of_outbox_t *ob) {
    int n = ob->npending ? publish(ob, ob->pending, ob->npending) : 0;
    of_outbox_discard(ob);
    return n;
}

int of_outbox_sweep(of_outbox_t *ob, int min_age_ms, int limit) {
    char err[256];
    of_rows_t *rows;
    of_param_t p[] = {OFP_I((int64_t)min_age_ms * 1000), OFP_I(limit)};
    if (of_db_query(ob->db, ob->st_unsent, p, 2, &rows, err, sizeof err)) {
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
        ev[k].id = strtoull(of_rows_str(rows, r, 0), NULL, 10);
        ev[k].topic = t;
        ev[k].key = rows->cells[r * 4 + 2];
        ev[k].keylen = rows->lens[r * 4 + 2];
        ev[k].payload = rows->cells[r * 4 + 3];
        ev[k].len = rows->lens[r * 4 + 3];
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
