/* of_sync.c -- of-order-sync's rounds (of_sync.h). */
#include "of_sync.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "of_ladder_send.h"
#include "of_log.h"
#include "of_metrics.h"
#include "of_money.h"
#include "of_time.h"
#include "of_site.h"
#include "of_syncmerge.h"
#include "sync.pb-c.h"

#define TS(col) "DATE_FORMAT(" col ", '%Y-%m-%d %H:%i:%s.%f')"
#define OPS_HEAD(p)                                                                                                    \
    "SELECT id, oid, op, actor, fields, from_status, status, " TS("addtime") " FROM " p "_order_sync_log WHERE "
#define Q30 "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

typedef struct {
    of_db_multi_t lock, orders_w, state_w, applied_w, flags_w, synclines_w;
} side_stmts_t;

struct of_sync_s {
    const of_config_t *cfg;
    of_db_t *b, *s, *r;
    of_producer_t *p;
    const of_ladder_t *ladder;
    const char *worker;
    side_stmts_t bs, ss;
    of_db_multi_t b_sn, s_sn, b_state, b_ops, b_logs, b_lines, b_logs_mark, s_max, r_max, r_ops, s_logs_merge,
        s_products;
    int s_gtid, r_wait;
    int away;         /* rounds failed in a row (a site or the replica away): logged once, then at debug */
    int replica_away; /* the replica did not answer: logged once */
    int failpoint;    /* tests: OF_TEST_FAILPOINT=after-seller-commit exits between the two commits (D-SYN-5) */
    int64_t next_sweep_ms;
    uint64_t sweep_after; /* the catch-up sweep's cursor (oid) */
    int b_stuck, r_stuck;
    char orders_sql[2][4096];
};

typedef struct {
    uint64_t oid;
    int msg;      /* the last message naming it */
    int deferred; /* the replica is behind the seller primary for it (or does not answer) */
    int needs;    /* the primary has seller ops of it the merged state has not taken: they are read on the replica */
    int has_create;
    char refuse[160]; /* why its create is refused by a constraint outside the order (order number taken) */
    int refused;      /* its round alone was refused for good (rounds_isolated); error says why */
    char error[512];
    uint64_t behind_primary, behind_replica;
    int version;
    uint64_t last_b, last_s;
    of_syn_order_t base, st;
    of_syn_op_t *ops; /* buyer ops then seller ops, sorted for the merge */
    int nb, n, cap;
    of_syn_result_t *res;
    int changed;
    uint64_t new_last_b, new_last_s;
    char *state_json;
} ord_t;

typedef struct {
    of_sync_t *s;
    ord_t *o;
    int n;
    of_rows_t *bops, *sops, *blogs, *lines;
} round_t;

static void ord_reset_merge(ord_t *o) {
    o->n = o->nb;
    free(o->res);
    o->res = NULL;
    free(o->state_json);
    o->state_json = NULL;
    o->changed = 0;
    o->deferred = 0;
    o->needs = 0;
    o->has_create = 0;
    o->refuse[0] = 0;
}

static ord_t *find(round_t *rd, uint64_t oid) {
    int lo = 0, hi = rd->n - 1;
    while (lo <= hi) {
        int m = (lo + hi) / 2;
        if (rd->o[m].oid == oid) return &rd->o[m];
        if (rd->o[m].oid < oid)
            lo = m + 1;
        else
            hi = m - 1;
    }
    return NULL;
}

static int push_op(ord_t *o, of_syn_op_t op) {
    if (o->n == o->cap) {
        int c = o->cap ? o->cap * 2 : 8;
        of_syn_op_t *x = realloc(o->ops, (size_t)c * sizeof *x);
        if (!x) return -1;
        o->ops = x;
        o->cap = c;
    }
    o->ops[o->n++] = op;
    return 0;
}

static of_syn_op_t op_of(const of_rows_t *r, int i, int side) {
    return (of_syn_op_t){.side = side,
                         .id = (uint64_t)of_rows_i64(r, i, 0),
                         .oid = (uint64_t)of_rows_i64(r, i, 1),
                         .op = of_rows_str(r, i, 2),
                         .actor = (int)of_rows_i64(r, i, 3),
                         .fields = of_rows_str(r, i, 4),
                         .from_status = (int)of_rows_i64(r, i, 5),
                         .status = (int)of_rows_i64(r, i, 6),
                         .addtime = of_rows_str(r, i, 7)};
}

static const char *ct_name(of_syn_row_t row) {
    static const char *const n[] = {"match",
                                    "CT-1 fact overrides",
                                    "CT-2 paid cancelled",
                                    "CT-3 request loses",
                                    "CT-4 fact too late",
                                    "CT-5 self answer",
                                    "CT-6 invalid",
                                    "CT-7 duplicate",
                                    "CT-8 paid price",
                                    "CT-9 both cancel"};
    return (unsigned)row < sizeof n / sizeof n[0] ? n[row] : "?";
}

/* ------------------------------------------------------------------ writes of one side */

typedef struct {
    of_param_t *p;
    int n, cap, width;
} pbuf_t;

static of_param_t *prow(pbuf_t *b) {
    if (b->n == b->cap) {
        int c = b->cap ? b->cap * 2 : 16;
        of_param_t *x = realloc(b->p, (size_t)c * (size_t)b->width * sizeof *x);
        if (!x) return NULL;
        b->p = x;
        b->cap = c;
    }
    return b->p + (size_t)b->n++ * (size_t)b->width;
}

/* A sync line's key and text for result res of op (or "" when the op needs none). */
static int sync_line(const of_syn_op_t *op, const of_syn_result_t *res, char *key, size_t ksize, const char **action) {
    char k[24];
    of_syncorder_op_key(op->side, op->id, k, sizeof k);
    if (res->outcome == OF_SYN_REJECTED && (res->row == OF_SYN_CT_FACT_OVERRIDES || res->row == OF_SYN_CT_PAID_PRICE))
        return 0; /* overridden: the line of the op that overrode it says it */
    if (res->outcome == OF_SYN_REJECTED) {
        snprintf(key, ksize, "reject:%s", k);
        *action = "reject";
        return 1;
    }
    if (res->overrides[0]) {
        snprintf(key, ksize, "override:%s", res->overrides);
        *action = "override";
        return 1;
    }
    if (res->row == OF_SYN_CT_BOTH_CANCEL) {
        snprintf(key, ksize, "both_cancel:%s", k);
        *action = "cancel_agree";
        return 1;
    }
    if (res->row == OF_SYN_CT_PAID_CANCELLED) {
        snprintf(key, ksize, "refund:%s", k);
        *action = "refund_due";
        return 1;
    }
    return 0;
}

/* The op of key ("b:ID" / "s:ID") is one of this round's: its own record carries the override (mark_overridden). */
static int in_round(const ord_t *o, const char *key) {
    char k[24];
    for (int j = 0; j < o->n; j++) {
        of_syncorder_op_key(o->ops[j].side, o->ops[j].id, k, sizeof k);
        if (!strcmp(k, key)) return 1;
    }
    return 0;
}

/* CT-1 within one round: the request a later fact overrode is recorded rejected, not applied then rejected (one
 * record and one flag per op: a statement's derived table must not name a row twice). */
static void mark_overridden(ord_t *o) {
    char k[24];
    for (int j = 0; j < o->n; j++) {
        if (!o->res[j].overrides[0]) continue;
        for (int i = 0; i < j; i++) {
            of_syncorder_op_key(o->ops[i].side, o->ops[i].id, k, sizeof k);
            if (strcmp(k, o->res[j].overrides)) continue;
            o->res[i].outcome = OF_SYN_REJECTED;
            o->res[i].row = o->res[j].row;
            memcpy(o->res[i].reason_en, o->res[j].reason_en, sizeof o->res[i].reason_en);
            memcpy(o->res[i].reason_cn, o->res[j].reason_cn, sizeof o->res[i].reason_cn);
        }
    }
}

static of_err_t write_side(round_t *rd, of_db_t *db, int seller, char *err, size_t size) {
    of_sync_t *s = rd->s;
    side_stmts_t *q = seller ? &s->ss : &s->bs;
    pbuf_t ord = {.width = 30}, st = {.width = 6}, ap = {.width = 7}, fl = {.width = 3}, sl = {.width = 7};
    char(*keys)[48] = NULL;
    int nkeys = 0, capkeys = 0;
    of_err_t e = OF_OK;
    int mine = seller ? OF_SYN_SIDE_SELLER : OF_SYN_SIDE_BUYER;
    for (int i = 0; i < rd->n && !e; i++) {
        ord_t *o = &rd->o[i];
        if (!o->changed) continue;
        of_param_t *p;
        if (o->st.exists) {
            if (!(p = prow(&ord))) goto nomem;
            p[0] = OFP_U(o->oid);
            of_site_row_params(&o->st, p + 1);
            p[29] = OFP_I(o->version + 1);
            if (!(p = prow(&st))) goto nomem;
            p[0] = OFP_U(o->oid);
            p[1] = OFP_I(o->version + 1);
            p[2] = OFP_U(o->new_last_b);
            p[3] = OFP_U(o->new_last_s);
            p[4] = OFP_I(o->st.status);
            p[5] = OFP_S(o->state_json);
        }
        for (int j = 0; j < o->n; j++) {
            const of_syn_op_t *op = &o->ops[j];
            const of_syn_result_t *r = &o->res[j];
            if (!(p = prow(&ap))) goto nomem;
            p[0] = OFP_S(op->side == OF_SYN_SIDE_SELLER ? "s" : "b");
            p[1] = OFP_U(op->id);
            p[2] = OFP_U(o->oid);
            p[3] = OFP_I(o->version + 1);
            p[4] = OFP_I(r->outcome);
            p[5] = OFP_S(ct_name(r->row));
            p[6] = OFP_S(r->outcome == OF_SYN_REJECTED ? r->reason_en : "");
            if (op->side == mine) {
                if (!(p = prow(&fl))) goto nomem;
                p[0] = OFP_U(op->id);
                p[1] = OFP_I(r->outcome);
                p[2] = OFP_S(r->outcome == OF_SYN_REJECTED ? r->reason_en : "");
            }
            if (r->overrides[0] && !in_round(o, r->overrides)) { /* CT-1: the request it overrode, taken earlier */
                uint64_t oid2 = strtoull(r->overrides + 2, NULL, 10);
                int oside = r->overrides[0] == 's' ? OF_SYN_SIDE_SELLER : OF_SYN_SIDE_BUYER;
                if (!(p = prow(&ap))) goto nomem;
                p[0] = OFP_S(oside == OF_SYN_SIDE_SELLER ? "s" : "b");
                p[1] = OFP_U(oid2);
                p[2] = OFP_U(o->oid);
                p[3] = OFP_I(o->version + 1);
                p[4] = OFP_I(OF_SYN_REJECTED);
                p[5] = OFP_S(ct_name(r->row));
                p[6] = OFP_S(r->reason_en);
                if (oside == mine) {
                    if (!(p = prow(&fl))) goto nomem;
                    p[0] = OFP_U(oid2);
                    p[1] = OFP_I(OF_SYN_REJECTED);
                    p[2] = OFP_S(r->reason_en);
                }
            }
            const char *action;
            if (nkeys == capkeys) {
                int c = capkeys ? capkeys * 2 : 16;
                char(*x)[48] = realloc(keys, (size_t)c * sizeof *x);
                if (!x) goto nomem;
                keys = x;
                capkeys = c;
            }
            if (!sync_line(op, r, keys[nkeys], sizeof keys[nkeys], &action)) continue;
            if (!(p = prow(&sl))) goto nomem;
            p[0] = OFP_U(o->oid);
            p[1] = OFP_S(action);
            p[2] = OFP_I(op->from_status);
            p[3] = OFP_I(r->outcome == OF_SYN_APPLIED ? o->st.status : op->status);
            p[4] = OFP_S(r->reason_en);
            p[5] = OFP_S(r->reason_cn);
            p[6] = OFP_S(keys[nkeys++]);
        }
    }
    /* keys[] moved while growing: point the sync lines at their final place */
    for (int i = 0, k = 0; i < sl.n; i++, k++)
        sl.p[i * 7 + 6] = OFP_S(keys[k]);
    if (!e && ord.n) e = of_db_exec_multi(db, &q->orders_w, ord.p, ord.n, NULL, err, size);
    if (!e && st.n) e = of_db_exec_multi(db, &q->state_w, st.p, st.n, NULL, err, size);
    if (!e && ap.n) e = of_db_exec_multi(db, &q->applied_w, ap.p, ap.n, NULL, err, size);
    if (!e && fl.n) e = of_db_exec_multi(db, &q->flags_w, fl.p, fl.n, NULL, err, size);
    if (!e && sl.n) e = of_db_exec_multi(db, &q->synclines_w, sl.p, sl.n, NULL, err, size);
    goto out;
nomem:
    e = of_seterr(err, size, OF_ERR_NOMEM, "out of memory");
out:
    free(ord.p);
    free(st.p);
    free(ap.p);
    free(fl.p);
    free(sl.p);
    free(keys);
    return e;
}

/* ------------------------------------------------------------------ the seller side: lag, ops, merge, writes */

static of_err_t read_max(of_db_t *db, const of_db_multi_t *m, round_t *rd, int replica, char *err, size_t size) {
    of_param_t *p = calloc((size_t)rd->n, sizeof *p);
    if (!p) return of_seterr(err, size, OF_ERR_NOMEM, "out of memory");
    for (int i = 0; i < rd->n; i++)
        p[i] = OFP_U(rd->o[i].oid);
    of_rows_t *r = NULL;
    of_err_t e = of_db_query_multi(db, m, p, rd->n, &r, err, size);
    free(p);
    if (e) return e;
    for (int i = 0; i < r->nrows; i++) {
        ord_t *o = find(rd, (uint64_t)of_rows_i64(r, i, 0));
        if (!o) continue;
        if (replica)
            o->behind_replica = (uint64_t)of_rows_i64(r, i, 1);
        else
            o->behind_primary = (uint64_t)of_rows_i64(r, i, 1);
    }
    of_rows_free(r);
    return OF_OK;
}

static int behind(const round_t *rd) {
    int n = 0;
    for (int i = 0; i < rd->n; i++)
        n += rd->o[i].behind_replica < rd->o[i].behind_primary;
    return n;
}

static void prefix(char *err, size_t size, const char *what) {
    char t[512];
    snprintf(t, sizeof t, "%s%s", what, err);
    snprintf(err, size, "%s", t);
}

/* An order number is unique on both sides: a create whose number another order holds there is refused (CT-6)
 * before the merge, so that no upsert ever meets another order's row. */
static of_err_t check_order_sns(round_t *rd, char *err, size_t size) {
    of_sync_t *s = rd->s;
    int n = 0;
    for (int i = 0; i < rd->n; i++)
        for (int j = 0; j < rd->o[i].n; j++)
            n += rd->o[i].ops[j].op && !strcmp(rd->o[i].ops[j].op, "create");
    if (!n) return OF_OK;
    of_param_t *p = calloc((size_t)n, sizeof *p);
    of_syn_order_t *tmp = calloc((size_t)n, sizeof *tmp);
    uint64_t *owner = calloc((size_t)n, sizeof *owner);
    of_err_t e = OF_OK;
    if (!p || !tmp || !owner) {
        e = of_seterr(err, size, OF_ERR_NOMEM, "out of memory");
        goto out;
    }
    int k = 0;
    char bad[64];
    for (int i = 0; i < rd->n; i++)
        for (int j = 0; j < rd->o[i].n; j++) {
            const of_syn_op_t *op = &rd->o[i].ops[j];
            if (!op->op || strcmp(op->op, "create")) continue;
            of_syncorder_init(&tmp[k]);
            if (of_syncorder_fields_apply(OF_SYN_OP_CREATE, op->fields, &tmp[k], bad, sizeof bad) ||
                !tmp[k].order_sn[0])
                continue; /* the merge rejects it by itself */
            owner[k] = rd->o[i].oid;
            p[k] = OFP_S(tmp[k].order_sn);
            k++;
        }
    for (int side = 0; side < 2 && k && !e; side++) {
        of_rows_t *r = NULL;
        if ((e = of_db_query_multi(side ? s->s : s->b, side ? &s->s_sn : &s->b_sn, p, k, &r, err, size))) break;
        for (int x = 0; x < r->nrows; x++) {
            uint64_t id = (uint64_t)of_rows_i64(r, x, 0);
            const char *sn = of_rows_str(r, x, 1);
            for (int y = 0; y < k; y++) {
                if (owner[y] == id || strcmp(tmp[y].order_sn, sn ? sn : "")) continue;
                ord_t *o = find(rd, owner[y]);
                if (o)
                    snprintf(o->refuse, sizeof o->refuse,
                             "order number %.60s belongs to order %" PRIu64 " on the %s side", tmp[y].order_sn, id,
                             side ? "seller" : "buyer");
            }
        }
        of_rows_free(r);
    }
    for (int i = 0; i < rd->n; i++)
        for (int j = 0; rd->o[i].refuse[0] && j < rd->o[i].n; j++)
            if (rd->o[i].ops[j].op && !strcmp(rd->o[i].ops[j].op, "create")) rd->o[i].ops[j].refuse = rd->o[i].refuse;
out:
    free(p);
    free(tmp);
    free(owner);
    return e;
}

static of_err_t seller_fn(of_db_t *db, void *ctx, char *err, size_t size) {
    round_t *rd = ctx;
    of_sync_t *s = rd->s;
    of_rows_free(rd->sops);
    rd->sops = NULL;
    of_param_t *p = calloc((size_t)rd->n * 2, sizeof *p);
    if (!p) return of_seterr(err, size, OF_ERR_NOMEM, "out of memory");
    for (int i = 0; i < rd->n; i++) {
        ord_reset_merge(&rd->o[i]);
        rd->o[i].behind_primary = rd->o[i].behind_replica = 0;
        p[i] = OFP_U(rd->o[i].oid);
    }
    of_rows_t *r = NULL;
    of_err_t e = of_db_query_multi(db, &s->ss.lock, p, rd->n, &r, err, size);
    of_rows_free(r);
    r = NULL;
    /* SYN-4: the replica must have every seller op of the order the primary has (the seller's ops lock the order
     * row first, so none can be added to a locked order until this round commits). Only orders with seller ops the
     * merged state lacks need it; the wait for a lagging replica happened before the transactions (lag_wait) */
    if (!e) e = read_max(db, &s->s_max, rd, 0, err, size);
    int need = 0, replica_down = 0;
    for (int i = 0; i < rd->n; i++)
        need += rd->o[i].needs = rd->o[i].behind_primary > rd->o[i].last_s;
    if (!e && need && s->r != db) {
        char rerr[512];
        if (read_max(s->r, &s->r_max, rd, 1, rerr, sizeof rerr)) {
            replica_down = 1;
            if (!s->replica_away++)
                of_warn("seller replica does not answer: orders with new seller ops wait, the others go on (SYN-4)",
                        OF_S("error", rerr), OF_END);
        } else if (s->replica_away) {
            of_info("seller replica answers again", OF_I("failed_tries", s->replica_away), OF_END);
            s->replica_away = 0;
        }
    }
    if (e) {
        free(p);
        return e;
    }
    int k = 0;
    for (int i = 0; i < rd->n; i++) {
        ord_t *o = &rd->o[i];
        if (!o->needs) continue;
        if (s->r != db && (replica_down || o->behind_replica < o->behind_primary)) {
            o->deferred = 1;
            continue;
        }
        p[2 * k] = OFP_U(o->oid);
        p[2 * k + 1] = OFP_U(o->last_s);
        k++;
    }
    /* without a replica (s->r == db) the ops are read on the primary, in this transaction */
    if (k && (e = of_db_query_multi(s->r, &s->r_ops, p, k, &rd->sops, err, size))) {
        if (s->r == db) {
            free(p);
            return e;
        }
        /* the replica went away between the two reads: those orders wait */
        e = OF_OK;
        for (int i = 0; i < rd->n; i++)
            if (rd->o[i].needs) rd->o[i].deferred = 1;
    }
    free(p);
    for (int i = 0; rd->sops && i < rd->sops->nrows; i++) {
        of_syn_op_t op = op_of(rd->sops, i, OF_SYN_SIDE_SELLER);
        ord_t *o = find(rd, op.oid);
        if (o && !o->deferred && op.id > o->last_s && push_op(o, op))
            return of_seterr(err, size, OF_ERR_NOMEM, "out of memory");
    }
    if ((e = check_order_sns(rd, err, size))) return e;
    /* SYN-2: each order's ops of both sides in time order against the merged status */
    for (int i = 0; i < rd->n; i++) {
        ord_t *o = &rd->o[i];
        if (o->deferred || !o->n) continue;
        of_syncmerge_sort(o->ops, o->n);
        if (!(o->res = calloc((size_t)o->n, sizeof *o->res)))
            return of_seterr(err, size, OF_ERR_NOMEM, "out of memory");
        o->st = o->base;
        o->new_last_b = o->last_b;
        o->new_last_s = o->last_s;
        for (int j = 0; j < o->n; j++) {
            of_syncmerge_op(&o->st, &o->ops[j], &o->res[j]);
            if (o->ops[j].side == OF_SYN_SIDE_BUYER && o->ops[j].id > o->new_last_b) o->new_last_b = o->ops[j].id;
            if (o->ops[j].side == OF_SYN_SIDE_SELLER && o->ops[j].id > o->new_last_s) o->new_last_s = o->ops[j].id;
            if (o->ops[j].op && !strcmp(o->ops[j].op, "create")) o->has_create = 1;
        }
        mark_overridden(o);
        /* an order never created (only rejected ops): its ops are recorded, no order row or state is written */
        if (o->st.exists && of_syncorder_to_json(&o->st, &o->state_json))
            return of_seterr(err, size, OF_ERR_NOMEM, "out of memory");
        o->changed = 1;
    }
    e = write_side(rd, db, 1, err, size);
    /* SYN-6: the buyer's logs merged in (buy_log_id makes it idempotent); SYN-5: the lines copied one way */
    if (!e && rd->blogs && rd->blogs->nrows) {
        int n = rd->blogs->nrows;
        of_param_t *lp = calloc((size_t)n * 9, sizeof *lp);
        if (!lp) return of_seterr(err, size, OF_ERR_NOMEM, "out of memory");
        int m = 0;
        for (int i = 0; i < n; i++) {
            const ord_t *o = find(rd, (uint64_t)of_rows_i64(rd->blogs, i, 1));
            if (!o || o->deferred) continue;
            of_param_t *q = lp + m++ * 9;
            q[0] = OFP_U((uint64_t)of_rows_i64(rd->blogs, i, 1));
            q[1] = OFP_I(of_rows_i64(rd->blogs, i, 2));
            q[2] = OFP_S(of_rows_str(rd->blogs, i, 3));
            q[3] = of_rows_str(rd->blogs, i, 4) ? OFP_I(of_rows_i64(rd->blogs, i, 4)) : OFP_NUL;
            q[4] = of_rows_str(rd->blogs, i, 5) ? OFP_I(of_rows_i64(rd->blogs, i, 5)) : OFP_NUL;
            q[5] = OFP_S(of_rows_str(rd->blogs, i, 6));
            q[6] = OFP_S(of_rows_str(rd->blogs, i, 7));
            q[7] = OFP_U((uint64_t)of_rows_i64(rd->blogs, i, 0));
            q[8] = OFP_S(of_rows_str(rd->blogs, i, 8));
        }
        if (m) e = of_db_exec_multi(db, &s->s_logs_merge, lp, m, NULL, err, size);
        free(lp);
    }
    if (!e && rd->lines && rd->lines->nrows) {
        int n = rd->lines->nrows, m = 0;
        of_param_t *lp = calloc((size_t)n * 11, sizeof *lp);
        if (!lp) return of_seterr(err, size, OF_ERR_NOMEM, "out of memory");
        for (int i = 0; i < n; i++) {
            const ord_t *o = find(rd, (uint64_t)of_rows_i64(rd->lines, i, 1));
            if (!o || o->deferred || !o->has_create) continue; /* SYN-5: lines are written with the order */
            of_param_t *q = lp + m++ * 11;
            q[0] = OFP_U((uint64_t)of_rows_i64(rd->lines, i, 0));
            q[1] = OFP_U((uint64_t)of_rows_i64(rd->lines, i, 1));
            q[2] = OFP_U((uint64_t)of_rows_i64(rd->lines, i, 2));
            for (int c = 3; c <= 6; c++)
                q[c] = OFP_S(of_rows_str(rd->lines, i, c));
            q[7] = OFP_I(of_rows_i64(rd->lines, i, 7));
            q[8] = OFP_S(of_rows_str(rd->lines, i, 8));
            q[9] = OFP_I(of_rows_i64(rd->lines, i, 9));
            q[10] = OFP_S(of_rows_str(rd->lines, i, 10));
        }
        if (m) e = of_db_exec_multi(db, &s->s_products, lp, m, NULL, err, size);
        free(lp);
    }
    return e;
}

/* One transaction, one attempt: a round that fails is tried again whole by the batch loop, with backoff, so a site
 * that is away makes the batch wait (SYN-4) instead of retrying inside a transaction that holds the other side. */
static of_err_t tx_once(of_db_t *db, of_db_tx_fn fn, void *ctx, char *err, size_t size) {
    of_err_t e = of_db_plain(db, "START TRANSACTION", err, size);
    if (e) return e;
    e = fn(db, ctx, err, size);
    if (!e) e = of_db_plain(db, "COMMIT", err, size);
    char e2[128];
    if (e && of_db_plain(db, "ROLLBACK", e2, sizeof e2)) {
    } /* a lost connection has rolled it back already */
    return e;
}

/* ------------------------------------------------------------------ the buyer side: base, ops, then both writes */

static of_err_t buyer_fn(of_db_t *db, void *ctx, char *err, size_t size) {
    round_t *rd = ctx;
    of_sync_t *s = rd->s;
    of_rows_free(rd->bops);
    of_rows_free(rd->blogs);
    of_rows_free(rd->lines);
    rd->bops = rd->blogs = rd->lines = NULL;
    of_param_t *p = calloc((size_t)rd->n * 2, sizeof *p);
    if (!p) return of_seterr(err, size, OF_ERR_NOMEM, "out of memory");
    for (int i = 0; i < rd->n; i++) {
        ord_t *o = &rd->o[i];
        o->nb = o->n = 0;
        o->version = 0;
        o->last_b = o->last_s = 0;
        of_syncorder_init(&o->base);
        o->base.exists = 0;
        p[i] = OFP_U(o->oid);
    }
    of_rows_t *r = NULL;
    of_err_t e = of_db_query_multi(db, &s->bs.lock, p, rd->n, &r, err, size);
    of_rows_free(r);
    r = NULL;
    if (!e) e = of_db_query_multi(db, &s->b_state, p, rd->n, &r, err, size);
    for (int i = 0; !e && i < r->nrows; i++) {
        ord_t *o = find(rd, (uint64_t)of_rows_i64(r, i, 0));
        if (!o) continue;
        if (of_syncorder_from_json(of_rows_str(r, i, 4), &o->base)) {
            e = of_seterr(err, size, OF_ERR_DB, "order %" PRIu64 ": order_sync_state.state is unreadable", o->oid);
            break;
        }
        o->version = (int)of_rows_i64(r, i, 1);
        o->last_b = (uint64_t)of_rows_i64(r, i, 2);
        o->last_s = (uint64_t)of_rows_i64(r, i, 3);
    }
    of_rows_free(r);
    if (!e) e = of_db_query_multi(db, &s->b_logs, p, rd->n, &rd->blogs, err, size);
    if (!e) e = of_db_query_multi(db, &s->b_lines, p, rd->n, &rd->lines, err, size);
    for (int i = 0; i < rd->n; i++) {
        p[2 * i] = OFP_U(rd->o[i].oid);
        p[2 * i + 1] = OFP_U(rd->o[i].last_b);
    }
    if (!e) e = of_db_query_multi(db, &s->b_ops, p, rd->n, &rd->bops, err, size);
    free(p);
    if (e) return e;
    for (int i = 0; i < rd->bops->nrows; i++) {
        of_syn_op_t op = op_of(rd->bops, i, OF_SYN_SIDE_BUYER);
        ord_t *o = find(rd, op.oid);
        /* the query took every op after the cursor and any not taken yet (a writer that committed late, D-SYN-10) */
        if (o && push_op(o, op)) return of_seterr(err, size, OF_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < rd->n; i++)
        rd->o[i].nb = rd->o[i].n;
    /* the remote side first: begin, change, commit; then this side (of_sync.h). One attempt: a failure rolls this side
     * back too, and the batch loop tries the whole round again with backoff */
    if ((e = tx_once(s->s, seller_fn, rd, err, size))) {
        if (strncmp(err, "seller replica", 14)) prefix(err, size, "seller site: ");
        return e;
    }
    if (s->failpoint) {
        of_warn("OF_TEST_FAILPOINT=after-seller-commit: exiting between the seller's and the buyer's commit", OF_END);
        _exit(86);
    }
    if ((e = write_side(rd, db, 0, err, size))) return e;
    int n = rd->blogs->nrows, m = 0;
    if (n) {
        of_param_t *lp = calloc((size_t)n, sizeof *lp);
        if (!lp) return of_seterr(err, size, OF_ERR_NOMEM, "out of memory");
        for (int i = 0; i < n; i++) {
            const ord_t *o = find(rd, (uint64_t)of_rows_i64(rd->blogs, i, 1));
            if (o && !o->deferred) lp[m++] = OFP_U((uint64_t)of_rows_i64(rd->blogs, i, 0));
        }
        if (m) e = of_db_exec_multi(db, &s->b_logs_mark, lp, m, NULL, err, size);
        free(lp);
    }
    return e;
}

/* ------------------------------------------------------------------ the batch */

static void round_free_rows(round_t *rd) {
    of_rows_free(rd->bops);
    of_rows_free(rd->sops);
    of_rows_free(rd->blogs);
    of_rows_free(rd->lines);
    rd->bops = rd->sops = rd->blogs = rd->lines = NULL;
}

/* SYN-4, before any lock is taken: when the replica lacks some seller op of an order the primary has, wait for the
 * primary's position there (MASTER_GTID_WAIT, at most OF_SYNC_LAG_WAIT_MS). The round checks again under its locks
 * and holds back what is still behind; an error here only means no wait. */
static void lag_wait(of_sync_t *s, round_t *rd) {
    if (s->r == s->s || !rd->n) return;
    char err[512];
    for (int i = 0; i < rd->n; i++)
        rd->o[i].behind_primary = rd->o[i].behind_replica = 0;
    if (read_max(s->s, &s->s_max, rd, 0, err, sizeof err) || read_max(s->r, &s->r_max, rd, 1, err, sizeof err) ||
        !behind(rd))
        return;
    of_rows_t *g = NULL, *w = NULL;
    if (!of_db_query(s->s, s->s_gtid, NULL, 0, &g, err, sizeof err)) {
        char t[32];
        snprintf(t, sizeof t, "%.3f", (double)of_cfg_int(s->cfg, OF_CFG_SYNC_LAG_WAIT_MS) / 1000.0);
        of_param_t wp[2] = {OFP_S(of_rows_str(g, 0, 0) ? of_rows_str(g, 0, 0) : ""), OFP_S(t)};
        if (of_db_query(s->r, s->r_wait, wp, 2, &w, err, sizeof err)) {
        } /* no wait: the round decides */
    }
    of_rows_free(w);
    of_rows_free(g);
}

static of_err_t run_round(of_sync_t *s, round_t *rd, char *err, size_t size) {
    lag_wait(s, rd);
    return tx_once(s->b, buyer_fn, rd, err, size);
}

static int cmp_oid(const void *a, const void *b) {
    const ord_t *x = a, *y = b;
    return x->oid < y->oid ? -1 : x->oid > y->oid;
}

/* One entry per order, by oid; an order named twice keeps its last message (it stands for the others: a round takes
 * every op the order has). Returns the new count. */
static int dedupe_orders(ord_t *o, int n) {
    qsort(o, (size_t)n, sizeof *o, cmp_oid);
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (k && o[k - 1].oid == o[i].oid) {
            if (o[i].msg > o[k - 1].msg) o[k - 1].msg = o[i].msg;
            continue;
        }
        o[k++] = o[i];
    }
    return k;
}

/* A round for rd's orders; when the database refuses it for good (not a passing condition), one round per order, so
 * that the others go through and each order refused alone is marked (refused, error: D-SYN-12). *onesp holds the
 * single rounds' rows (the orders' ops point into them): the caller frees them with free_ones once it is done with
 * the ops. Returns a passing error (the whole batch waits) or OF_OK. */
static of_err_t rounds_isolated(of_sync_t *s, round_t *rd, round_t **onesp, char *err, size_t size) {
    *onesp = NULL;
    of_err_t e = rd->n ? run_round(s, rd, err, size) : OF_OK;
    if (!e || e == OF_ERR_TRANSIENT || e == OF_ERR_NOMEM) return e;
    of_warn("order-sync round refused, taking its orders one by one", OF_I("orders", rd->n), OF_S("error", err),
            OF_END);
    round_t *ones = *onesp = calloc((size_t)rd->n, sizeof *ones);
    if (!ones) return OF_ERR_NOMEM;
    for (int i = 0; i < rd->n; i++) {
        ord_t *o = &rd->o[i];
        ones[i] = (round_t){.s = s, .o = o, .n = 1};
        of_err_t r1 = run_round(s, &ones[i], o->error, sizeof o->error);
        if (r1 == OF_ERR_TRANSIENT || r1 == OF_ERR_NOMEM) {
            snprintf(err, size, "%s", o->error);
            return r1;
        }
        if (r1) {
            o->refused = 1;
            o->changed = 0;
        }
    }
    return OF_OK;
}

static void free_ones(round_t *ones, int n) {
    for (int i = 0; ones && i < n; i++)
        round_free_rows(&ones[i]);
    free(ones);
}

of_err_t of_sync_batch(void *ctx, rd_kafka_message_t **msgs, int n, of_msg_result_t *res) {
    of_sync_t *s = ctx;
    round_t rd = {.s = s}, *ones = NULL;
    of_retry_ctx_t *rc = calloc((size_t)n, sizeof *rc);
    rd.o = calloc((size_t)n, sizeof *rd.o);
    char err[512] = "";
    of_err_t e = OF_OK;
    if (!rd.o || !rc) {
        free(rd.o);
        free(rc);
        return OF_ERR_TRANSIENT;
    }
    for (int i = 0; i < n; i++) {
        of_ladder_ctx_read(msgs[i], &rc[i]);
        Orderfleet__SyncOp *op = orderfleet__sync_op__unpack(NULL, msgs[i]->len, msgs[i]->payload);
        if (!op || !op->oid) {
            res[i].dead = 1;
            res[i].klass = "decode";
            snprintf(res[i].reason, sizeof res[i].reason, "%s", op ? "SyncOp without an order id" : "not a SyncOp");
            if (op && op->meta) of_worker_result_about(&res[i], op->meta->event_id, NULL, NULL);
            if (op) orderfleet__sync_op__free_unpacked(op, NULL);
            continue;
        }
        /* named by its dead letter, if it comes to one (D-DLQ-3) */
        of_worker_result_about_id(&res[i], op->meta ? op->meta->event_id : NULL, "order", op->oid);
        rd.o[rd.n++] = (ord_t){.oid = op->oid, .msg = i};
        orderfleet__sync_op__free_unpacked(op, NULL);
    }
    rd.n = dedupe_orders(rd.o, rd.n);
    e = rounds_isolated(s, &rd, &ones, err, sizeof err);
    for (int i = 0; !e && i < rd.n; i++) { /* refused alone: its message is dead-lettered, its ops stay */
        ord_t *o = &rd.o[i];
        if (!o->refused) continue;
        res[o->msg].dead = 1;
        res[o->msg].klass = "permanent";
        snprintf(res[o->msg].reason, sizeof res[o->msg].reason,
                 "order %" PRIu64 " cannot be merged: %.400s (its ops stay in the sync logs)", o->oid, o->error);
        of_error("order-sync: an order cannot be merged, its message dead-lettered", OF_U("order_id", o->oid),
                 OF_S("error", o->error), OF_END);
    }
    if (e) {
        of_metric_add(OF_M_WAITING, (uint64_t)rd.n);
        if (!s->away++)
            of_warn("order-sync round failed, the batch waits and is tried again (SYN-4: nothing applied half-way)",
                    OF_I("orders", rd.n), OF_S("error", err), OF_END);
        else
            of_debug("order-sync round failed again", OF_I("tries", s->away), OF_S("error", err), OF_END);
        goto out;
    }
    if (s->away) of_info("order-sync rounds go through again", OF_I("failed_tries", s->away), OF_END);
    s->away = 0;
    /* orders whose seller ops the replica has not got yet wait on the ladder (issue 14, part 4) */
    of_dr_batch_t b = {0};
    for (int i = 0; i < rd.n && !e; i++) {
        ord_t *o = &rd.o[i];
        if (!o->deferred) continue;
        char why[200];
        snprintf(why, sizeof why,
                 "replica behind the seller primary for order %" PRIu64 ": newest seller op %" PRIu64
                 " on the primary, %" PRIu64 " on the replica",
                 o->oid, o->behind_primary, o->behind_replica);
        int rung = -1;
        of_metric_add(OF_M_WAITING, 1);
        if ((e = of_ladder_send(s->p, s->ladder, msgs[o->msg], &rc[o->msg], why, s->worker, &rung, &b))) break;
        if (rung >= 0)
            of_warn("order waits for the replica (SYN-4): retried on the ladder", OF_U("order_id", o->oid),
                    OF_I("rung", rung), OF_S("reason", why), OF_END);
        else {
            res[o->msg].dead = 1;
            res[o->msg].klass = "exhausted";
            snprintf(res[o->msg].reason, sizeof res[o->msg].reason, "%s (its ops stay in the sync log)", why);
        }
    }
    if (of_producer_wait(s->p, &b) || e) {
        e = OF_ERR_TRANSIENT;
        goto out;
    }
    for (int i = 0; i < rd.n; i++) {
        ord_t *o = &rd.o[i];
        if (!o->changed) continue;
        int rej = 0;
        for (int j = 0; j < o->n; j++) {
            if (o->res[j].outcome != OF_SYN_REJECTED && !o->res[j].overrides[0]) continue;
            rej++;
            char key[24];
            of_syncorder_op_key(o->ops[j].side, o->ops[j].id, key, sizeof key);
            of_info("order-sync conflict", OF_U("order_id", o->oid), OF_S("op", key),
                    OF_S("kind", o->ops[j].op ? o->ops[j].op : ""), OF_S("row", ct_name(o->res[j].row)),
                    OF_S("overrides", o->res[j].overrides), OF_S("reason", o->res[j].reason_en), OF_END);
        }
        of_debug("order synced", OF_U("order_id", o->oid), OF_I("round", o->version + 1), OF_I("ops", o->n),
                 OF_I("conflicts", rej), OF_I("status", o->st.status), OF_END);
    }
    of_metric_add(OF_M_PROCESSED, (uint64_t)n);
out:
    for (int i = 0; i < rd.n; i++) {
        free(rd.o[i].ops);
        free(rd.o[i].res);
        free(rd.o[i].state_json);
    }
    for (int i = 0; i < n; i++)
        of_ladder_ctx_clear(&rc[i]);
    free(rc);
    free_ones(ones, rd.n);
    free(rd.o);
    round_free_rows(&rd);
    return e ? OF_ERR_TRANSIENT : OF_OK;
}

/* ------------------------------------------------------------------ statements */

static of_err_t side_register(of_db_t *db, int seller, side_stmts_t *q, char *sql, size_t sqlsize) {
    const char *t = seller ? "seller" : "buyer";
    of_err_t e = of_db_register_multi(
        db, seller ? "SELECT id FROM seller_orders WHERE id IN (" : "SELECT id FROM buyer_orders WHERE id IN (", "?",
        ") FOR UPDATE", &q->lock);
    snprintf(sql, sqlsize, "INSERT INTO %s_orders (id, %s, sync_version) VALUES ", t, OF_SITE_COLS);
    /* the statement's texts are built here (of_db_register_multi copies them) */
    static const char upd_tail[] = " ON DUPLICATE KEY UPDATE ";
    static char tails[2][4096];
    snprintf(tails[seller], sizeof tails[seller], "%s%s", upd_tail, OF_SITE_COLS_UPDATE);
    if (!e) e = of_db_register_multi(db, sql, Q30, tails[seller], &q->orders_w);
    if (!e)
        e = of_db_register_multi(db,
                                 "INSERT INTO order_sync_state (oid, version, last_buyer_op, last_seller_op, status, "
                                 "state) VALUES ",
                                 "(?, ?, ?, ?, ?, ?)",
                                 " ON DUPLICATE KEY UPDATE version = VALUES(version), last_buyer_op = "
                                 "VALUES(last_buyer_op), last_seller_op = VALUES(last_seller_op), status = "
                                 "VALUES(status), state = VALUES(state)",
                                 &q->state_w);
    if (!e)
        e = of_db_register_multi(db,
                                 "INSERT INTO order_sync_applied (side, op_id, oid, version, outcome, ct_row, reason) "
                                 "VALUES ",
                                 "(?, ?, ?, ?, ?, ?, ?)",
                                 " ON DUPLICATE KEY UPDATE version = VALUES(version), outcome = VALUES(outcome), "
                                 "ct_row = VALUES(ct_row), reason = VALUES(reason)",
                                 &q->applied_w);
    if (!e)
        e = of_db_register_multi_sep(
            db, seller ? "UPDATE seller_order_sync_log l JOIN (" : "UPDATE buyer_order_sync_log l JOIN (",
            "SELECT ? AS id, ? AS flag, ? AS reason", " UNION ALL ",
            ") v ON l.id = v.id SET l.flag = v.flag, l.reject_reason = LEFT(v.reason, 255), l.processed_at = NOW(3)",
            &q->flags_w);
    if (!e)
        e = of_db_register_multi(
            db,
            seller ? "INSERT INTO seller_order_logs (oid, actor, action, from_status, status, en_remark, cn_remark, "
                     "sync_op) VALUES "
                   : "INSERT INTO buyer_order_logs (oid, actor, action, from_status, status, en_remark, cn_remark, "
                     "sync_op, sync_flag) VALUES ",
            seller ? "(?, 4, ?, ?, ?, ?, ?, ?)" : "(?, 4, ?, ?, ?, ?, ?, ?, 1)", " ON DUPLICATE KEY UPDATE id = id",
            &q->synclines_w);
    return e;
}

of_sync_t *of_sync_new(const of_config_t *cfg, of_db_t *buyer, of_db_t *seller, of_db_t *replica, of_producer_t *p,
                       const of_ladder_t *ladder, const char *worker, char *errstr, size_t size) {
    of_sync_t *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    *s = (of_sync_t){.cfg = cfg,
                     .b = buyer,
                     .s = seller,
                     .r = replica ? replica : seller,
                     .p = p,
                     .ladder = ladder,
                     .worker = worker};
    of_err_t e = side_register(buyer, 0, &s->bs, s->orders_sql[0], sizeof s->orders_sql[0]);
    if (!e) e = side_register(seller, 1, &s->ss, s->orders_sql[1], sizeof s->orders_sql[1]);
    if (!e)
        e = of_db_register_multi(
            buyer, "SELECT oid, version, last_buyer_op, last_seller_op, state FROM order_sync_state WHERE oid IN (",
            "?", ") FOR UPDATE", &s->b_state);
    if (!e)
        e = of_db_register_multi_sep(buyer, OPS_HEAD("buyer"), "(oid = ? AND (id > ? OR flag = 0))", " OR ", "",
                                     &s->b_ops);
    if (!e)
        e = of_db_register_multi(buyer,
                                 "SELECT id, oid, actor, action, from_status, status, en_remark, cn_remark, " TS(
                                     "addtime") " FROM buyer_order_logs WHERE sync_flag = 0 AND oid IN (",
                                 "?", ")", &s->b_logs);
    if (!e)
        e = of_db_register_multi(buyer,
                                 "SELECT id, oid, product_id, sku, name_en, name_cn, price, num, amount, deleted, " TS(
                                     "addtime") " FROM buyer_order_products WHERE oid IN (",
                                 "?", ")", &s->b_lines);
    if (!e)
        e = of_db_register_multi(buyer, "UPDATE buyer_order_logs SET sync_flag = 1 WHERE id IN (", "?", ")",
                                 &s->b_logs_mark);
    static const char max_head[] = "SELECT oid, MAX(id) FROM seller_order_sync_log WHERE oid IN (";
    if (!e) e = of_db_register_multi(seller, max_head, "?", ") GROUP BY oid", &s->s_max);
    if (!e) e = of_db_register_multi(s->r, max_head, "?", ") GROUP BY oid", &s->r_max);
    if (!e) e = of_db_register_multi_sep(s->r, OPS_HEAD("seller"), "(oid = ? AND id > ?)", " OR ", "", &s->r_ops);
    if (!e)
        e = of_db_register_multi(seller,
                                 "INSERT INTO seller_order_logs (oid, actor, action, from_status, status, en_remark, "
                                 "cn_remark, buy_log_id, addtime) VALUES ",
                                 "(?, ?, ?, ?, ?, ?, ?, ?, ?)", " ON DUPLICATE KEY UPDATE id = id", &s->s_logs_merge);
    if (!e)
        e = of_db_register_multi(seller,
                                 "INSERT INTO buyer_order_products (id, oid, product_id, sku, name_en, name_cn, price, "
                                 "num, amount, deleted, addtime) VALUES ",
                                 "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                 " ON DUPLICATE KEY UPDATE oid = VALUES(oid), product_id = VALUES(product_id), sku = "
                                 "VALUES(sku), name_en = VALUES(name_en), name_cn = VALUES(name_cn), price = "
                                 "VALUES(price), num = VALUES(num), amount = VALUES(amount), deleted = VALUES(deleted)",
                                 &s->s_products);
    if (!e)
        e = of_db_register_multi(buyer, "SELECT id, order_sn FROM buyer_orders WHERE order_sn IN (", "?", ")",
                                 &s->b_sn);
    if (!e)
        e = of_db_register_multi(seller, "SELECT id, order_sn FROM seller_orders WHERE order_sn IN (", "?", ")",
                                 &s->s_sn);
    if (!e && (s->s_gtid = of_db_register(seller, "SELECT @@GLOBAL.gtid_binlog_pos")) < 0) e = OF_ERR_NOMEM;
    if (!e && (s->b_stuck = of_db_register(
                   buyer, "SELECT DISTINCT oid FROM buyer_order_sync_log WHERE flag = 0 AND "
                          "addtime < NOW(3) - INTERVAL ? SECOND AND oid > ? ORDER BY oid LIMIT 200")) < 0)
        e = OF_ERR_NOMEM;
    if (!e && (s->r_stuck =
                   of_db_register(s->r, "SELECT DISTINCT oid FROM seller_order_sync_log WHERE flag = 0 AND "
                                        "addtime < NOW(3) - INTERVAL ? SECOND AND oid > ? ORDER BY oid LIMIT 200")) < 0)
        e = OF_ERR_NOMEM;
    const char *fp = getenv("OF_TEST_FAILPOINT");
    s->failpoint = fp && !strcmp(fp, "after-seller-commit");
    if (!e && (s->r_wait = of_db_register(s->r, "SELECT MASTER_GTID_WAIT(?, ?)")) < 0) e = OF_ERR_NOMEM;
    if (e) {
        of_seterr(errstr, size, e, "order-sync: cannot prepare its statements");
        free(s);
        return NULL;
    }
    return s;
}

/* The catch-up sweep (SYN-4): ops older than OF_SYNC_SWEEP_S that no round has taken — an order that waited for the
 * replica longer than its ladder, a message dead-lettered, a writer that committed late — get a round here. Rounds
 * of one order from two instances meet on the sites' row locks and compute the same result (D-SYN-5). */
void of_sync_tick(void *ctx) {
    of_sync_t *s = ctx;
    int64_t every = of_cfg_int(s->cfg, OF_CFG_SYNC_SWEEP_S);
    if (every <= 0 || of_now_ms() < s->next_sweep_ms) return;
    s->next_sweep_ms = of_now_ms() + every * 1000;
    char err[512];
    /* from where the last sweep stopped, so that orders that cannot be merged never hide the others */
    of_param_t q[2] = {OFP_I(every), OFP_U(s->sweep_after)};
    of_rows_t *rb = NULL, *rs = NULL;
    if (of_db_query(s->b, s->b_stuck, q, 2, &rb, err, sizeof err)) {
        of_warn("catch-up sweep: the buyer site did not answer", OF_S("error", err), OF_END);
        rb = NULL;
    }
    if (s->r != s->s && of_db_query(s->r, s->r_stuck, q, 2, &rs, err, sizeof err)) {
        of_warn("catch-up sweep: the replica did not answer", OF_S("error", err), OF_END);
        rs = NULL;
    }
    uint64_t last = 0;
    int full = (rb && rb->nrows == 200) || (rs && rs->nrows == 200);
    for (int i = 0; rb && i < rb->nrows; i++)
        if ((uint64_t)of_rows_i64(rb, i, 0) > last) last = (uint64_t)of_rows_i64(rb, i, 0);
    for (int i = 0; rs && i < rs->nrows; i++)
        if ((uint64_t)of_rows_i64(rs, i, 0) > last) last = (uint64_t)of_rows_i64(rs, i, 0);
    s->sweep_after = full ? last : 0; /* a short page: the next sweep starts from the beginning */
    int refused = 0;
    int n = (rb ? rb->nrows : 0) + (rs ? rs->nrows : 0);
    if (n) {
        round_t rd = {.s = s, .o = calloc((size_t)n, sizeof(ord_t))};
        for (int i = 0; rd.o && rb && i < rb->nrows; i++)
            rd.o[rd.n++] = (ord_t){.oid = (uint64_t)of_rows_i64(rb, i, 0), .msg = -1};
        for (int i = 0; rd.o && rs && i < rs->nrows; i++)
            rd.o[rd.n++] = (ord_t){.oid = (uint64_t)of_rows_i64(rs, i, 0), .msg = -1};
        rd.n = dedupe_orders(rd.o, rd.n);
        round_t *ones = NULL;
        of_err_t e = rounds_isolated(s, &rd, &ones, err, sizeof err);
        for (int i = 0; i < rd.n; i++)
            if (rd.o[i].refused && refused++ < 3) /* the first few; the count follows */
                of_error("catch-up sweep: an order cannot be merged", OF_U("order_id", rd.o[i].oid),
                         OF_S("error", rd.o[i].error), OF_END);
        int merged = 0, waiting = 0;
        for (int i = 0; i < rd.n; i++) {
            merged += rd.o[i].changed;
            waiting += rd.o[i].deferred;
            free(rd.o[i].ops);
            free(rd.o[i].res);
            free(rd.o[i].state_json);
        }
        if (refused > 3) of_error("catch-up sweep: orders that cannot be merged", OF_I("orders", refused), OF_END);
        if (e)
            of_warn("catch-up sweep: round failed, tried again at the next sweep", OF_I("orders", rd.n),
                    OF_S("error", err), OF_END);
        else if (merged || waiting)
            of_info("catch-up sweep: orders with ops no round had taken", OF_I("orders", rd.n), OF_I("merged", merged),
                    OF_I("waiting", waiting), OF_END);
        free_ones(ones, rd.n);
        round_free_rows(&rd);
        free(rd.o);
    }
    of_rows_free(rb);
    of_rows_free(rs);
}

void of_sync_destroy(of_sync_t *s) {
    free(s);
}
