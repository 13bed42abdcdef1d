/* of_resubmit.c -- resubmit requests for stopped raw trades (of_resubmit.h). */
#include "of_resubmit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "of_rawtrade.h"
#include "of_time.h"
#include "of_topics.h"
#include "of_unblock.h"
#include "of_worker.h"
#include "trade.pb-c.h"

#define PAGE 500
#define MAX_STEPS 16

/* The stopped raw trades (a rule stopped them, no order, still pending), in rec_id pages; the stamp is the time of
 * their last submission, digits only. */
#define SEL                                                                                                            \
    "SELECT a.rec_id, a.platform_id, a.shop_no, a.tid, a.buyer_nick, a.receiver_mobile, a.receiver_telno, "            \
    "a.submit_rule, DATE_FORMAT(IFNULL(a.submitted_at, '1970-01-01'), '%Y%m%d%H%i%s%f') FROM api_trade a "             \
    "WHERE a.process_status = 10 AND a.deliver_trade_id = 0 AND a.submit_rule <> '' AND "
#define PAGE_END " AND a.rec_id > ? ORDER BY a.rec_id LIMIT 500"
static const char SQL_BY_HAND[] = SEL "(? = '' OR FIND_IN_SET(a.submit_rule, ?)) AND (? = '' OR a.tid = ?) AND "
                                      "(? = '' OR a.submitted_at >= CAST(? AS DATETIME(3)))" PAGE_END;

struct of_resubmit_s {
    of_db_t *db;
    int st_hand, st_auto;
    size_t nsteps;
    char *auto_sql; /* registered: the connection keeps the pointer */
};

/* The automatic path: one statement over every step of of_unblock_steps(), each guarded by a parameter (1: its
 * table changed) and given its rules: "(? = 1 AND FIND_IN_SET(a.submit_rule, ?) AND <stopped before the change>)". */
static char *auto_sql(size_t *nsteps) {
    size_t n;
    const of_unblock_step_t *st = of_unblock_steps(&n);
    size_t cap = sizeof SEL + sizeof PAGE_END + n * 512 + 16;
    char *sql = malloc(cap);
    if (!sql || n > MAX_STEPS) {
        free(sql);
        return NULL;
    }
    size_t len = (size_t)snprintf(sql, cap, "%s(", SEL);
    for (size_t i = 0; i < n; i++) {
        char cond[400];
        if (st[i].per_trade) /* a row of the trade's own platform goods, matched after the stop */
            snprintf(cond, sizeof cond,
                     "EXISTS (SELECT 1 FROM api_trade_order o JOIN %s g ON g.shop_id = o.shop_id AND g.goods_id = "
                     "o.goods_id AND g.spec_id = o.spec_id WHERE o.api_trade_id = a.rec_id AND g.match_target_id > 0 "
                     "AND g.%s > a.submitted_at)",
                     st[i].table, st[i].column);
        else
            snprintf(cond, sizeof cond, "a.submitted_at < (SELECT MAX(%s) FROM %s)", st[i].column, st[i].table);
        len += (size_t)snprintf(sql + len, cap - len, "%s(? = 1 AND FIND_IN_SET(a.submit_rule, ?) AND %s)",
                                i ? " OR " : "", cond);
    }
    snprintf(sql + len, cap - len, ")%s", PAGE_END);
    *nsteps = n;
    return sql;
}

of_resubmit_t *of_resubmit_new(of_db_t *db) {
    of_resubmit_t *rs = calloc(1, sizeof *rs);
    char *sql = auto_sql(rs ? &rs->nsteps : &(size_t){0});
    if (!rs || !sql) {
        free(rs);
        free(sql);
        return NULL;
    }
    rs->db = db;
    rs->auto_sql = sql;
    rs->st_hand = of_db_register(db, SQL_BY_HAND);
    rs->st_auto = of_db_register(db, sql);
    if (rs->st_hand < 0 || rs->st_auto < 0) {
        of_resubmit_destroy(rs);
        return NULL;
    }
    return rs;
}

void of_resubmit_destroy(of_resubmit_t *rs) {
    if (!rs) return;
    free(rs->auto_sql);
    free(rs);
}

const char *of_resubmit_event_id(unsigned long long raw_id, const char *stamp, char *buf, size_t size) {
    snprintf(buf, size, "rs-%llu-%s", raw_id, stamp);
    return buf;
}

static void count_rule(of_resub_result_t *res, const char *rule) {
    size_t i = 0;
    while (i < res->nrules && strcmp(res->rules[i].rule, rule))
        i++;
    if (i == res->nrules) {
        if (res->nrules == OF_RESUB_RULES)
            i--; /* more rules than slots: the last one counts the rest */
        else
            snprintf(res->rules[res->nrules++].rule, sizeof res->rules[0].rule, "%s", rule);
    }
    res->rules[i].n++;
    res->found++;
}

/* One request: the identity of the trade and the fields of its Kafka key (of_rawtrade_key: the trade's versions and
 * its requests stay in one partition, in order). */
static of_err_t send_one(of_producer_t *p, const char *producer, const of_rows_t *rows, int r, of_dr_batch_t *b,
                         char *errstr, size_t size) {
    char eid[96], key[512];
    Orderfleet__EventMeta meta = ORDERFLEET__EVENT_META__INIT;
    meta.event_id = (char *)of_resubmit_event_id(strtoull(of_rows_str(rows, r, 0), NULL, 10), of_rows_str(rows, r, 8),
                                                 eid, sizeof eid);
    meta.occurred_at_ms = of_now_ms();
    meta.producer = (char *)producer;
    meta.schema_version = 1;
    Orderfleet__RawTrade t = ORDERFLEET__RAW_TRADE__INIT;
    t.meta = &meta;
    t.platform_id = (int32_t)of_rows_i64(rows, r, 1);
    t.shop_no = (char *)of_rows_str(rows, r, 2);
    t.tid = (char *)of_rows_str(rows, r, 3);
    t.buyer_nick = (char *)of_rows_str(rows, r, 4);
    t.receiver_mobile = (char *)of_rows_str(rows, r, 5);
    t.receiver_telno = (char *)of_rows_str(rows, r, 6);
    t.resubmit = 1;
    size_t n = orderfleet__raw_trade__get_packed_size(&t);
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf) return of_seterr(errstr, size, OF_ERR_NOMEM, "out of memory");
    orderfleet__raw_trade__pack(&t, buf);
    of_rawtrade_key(&t, key, sizeof key);
    of_err_t e = of_producer_send(p, of_producer_topic(p, OF_TOPIC_TRADE_RAW), key, strlen(key), buf, n, NULL, b);
    free(buf);
    if (e) of_seterr(errstr, size, e, "trade.raw: the request for tid %s was not queued", t.tid);
    return e;
}

of_err_t of_resubmit_run(of_resubmit_t *rs, of_producer_t *p, const char *producer, const of_resub_filter_t *f,
                         of_resub_result_t *res, of_resub_progress_fn progress, void *arg, char *errstr, size_t size) {
    memset(res, 0, sizeof *res);
    if (!f->dry_run && !p) return of_seterr(errstr, size, OF_ERR_INVALID, "no producer");
    const char *rules = f->rules ? f->rules : "", *tid = f->tid ? f->tid : "", *since = f->since ? f->since : "";
    if (*since && !of_rawtrade_time_ok(since, 0))
        return of_seterr(errstr, size, OF_ERR_INVALID, "--since: not a YYYY-MM-DD HH:MM:SS time");
    of_param_t prm[2 * MAX_STEPS + 8];
    int np = 0, st = rs->st_hand;
    of_unblock_step_t plan[MAX_STEPS];
    if (f->changed) {
        size_t n, k = of_unblock_plan(f->changed, plan, MAX_STEPS);
        const of_unblock_step_t *all = of_unblock_steps(&n);
        if (!k) return OF_OK; /* nothing the change can unblock */
        for (size_t i = 0; i < n; i++) {
            int on = 0;
            for (size_t j = 0; j < k && !on; j++)
                on = !strcmp(plan[j].table, all[i].table);
            prm[np++] = OFP_I(on);
            prm[np++] = OFP_S(all[i].rules);
        }
        st = rs->st_auto;
    } else {
        prm[np++] = OFP_S(rules);
        prm[np++] = OFP_S(rules);
        prm[np++] = OFP_S(tid);
        prm[np++] = OFP_S(tid);
        prm[np++] = OFP_S(since);
        prm[np++] = OFP_S(since);
    }
    uint64_t after = 0;
    for (;;) {
        prm[np] = OFP_U(after);
        of_rows_t *rows;
        of_err_t e = of_db_query(rs->db, st, prm, np + 1, &rows, errstr, size);
        if (e) return e;
        of_dr_batch_t b = {0};
        for (int r = 0; r < rows->nrows && !e; r++) {
            count_rule(res, of_rows_str(rows, r, 7));
            after = strtoull(of_rows_str(rows, r, 0), NULL, 10);
            if (!f->dry_run) e = send_one(p, producer, rows, r, &b, errstr, size);
        }
        int last = rows->nrows < PAGE;
        of_rows_free(rows);
        if (!f->dry_run) {
            of_err_t w = of_producer_wait(p, &b);
            res->published += b.delivered;
            if (!e && w)
                e = of_seterr(errstr, size, w, "trade.raw: %d requests not acknowledged: %s", b.failed, b.error);
        }
        if (e) return e;
        if (progress) progress(res, arg);
        if (last) return OF_OK;
        if (of_stop_requested) return of_seterr(errstr, size, OF_ERR_TRANSIENT, "stopped");
    }
}
