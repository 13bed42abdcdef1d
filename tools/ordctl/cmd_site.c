/* ordctl site: the two order sites of spec order-sync.md (issue 14): the site operations of SYN-7 (each one local
 * transaction with its sync-log row, SYN-1), an order on both sides with its merged history, the conflicts the sync
 * rejected, and a checker that the two sides agree. */
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "of_db.h"
#include "of_money.h"
#include "of_progress.h"
#include "of_site.h"
#include "of_syncmerge.h"
#include "ordctl.h"

static const char USAGE_SITE[] =
    "usage: ordctl site buyer|seller OPERATION ... [--operator] [--note TEXT]\n"
    "       ordctl site show OID | conflicts [--limit N] | check [--wait S]\n"
    "       ordctl site load buyer|seller OPERATION (--count N | --from OID --to OID) [--rate R]\n"
    "  buyer create-order --buyer ID --seller ID [--line SKU:PRICE:NUM[:NAME_EN[:NAME_CN]]]... [--shipping F]\n"
    "                     [--price P (no lines)] [--currency C] [--receiver NAME] [--mobile M] [--country C]\n"
    "                     [--province P] [--city C] [--address A] [--zip Z]          SYN-7 flow 1; prints the oid\n"
    "  buyer pay OID [--pay-no P] [--amount A]                       flow 3 (the amount due by default)\n"
    "  buyer request-cancel OID | seller request-cancel OID          flow 5 (from unpaid or paid)\n"
    "  seller refuse-cancel OID | buyer refuse-cancel OID            flow 6 (the party who did not ask)\n"
    "  seller agree-cancel OID  | buyer agree-cancel OID             flow 7 (refund_time set when it was paid)\n"
    "  buyer confirm-receipt OID                                     flow 8\n"
    "  buyer change-address OID [--receiver N] [--mobile M] [--city C] [--address A] [--zip Z] (before shipment)\n"
    "  seller adjust-price OID PRICE [--shipping F]                  flow 2 (while unpaid)\n"
    "  seller ship OID [--logistics L] [--waybill W] [--deliver-by 'YYYY-MM-DD HH:MM:SS']   flow 4\n"
    "        each is one transaction on that site's own database: the order, its sync-log row and its order log in\n"
    "        English and Chinese (SYN-1); of-order-sync brings the other side along. --operator makes the back office\n"
    "        the actor. Refused (exit 1, with why) when the order's status on this site does not allow it.\n"
    "  show OID       the order on both sites, the merged state, every op of both sides with its outcome, and the\n"
    "                 order log as each side reads it (SYN-6)\n"
    "  conflicts      ops the sync rejected, newest first, with the conflict-table row and why (D-SYN-2)\n"
    "  load           a site's operation many times from one connection (benchmarks, tests): create-order --count N\n"
    "                 (two lines each), or OPERATION on every order --from … --to …; --rate R paces it (ops/s); "
    "prints\n"
    "                 progress on a terminal, then ops, refused, ops/s and the oid range created\n"
    "  check          the two sides agree: every order's synced columns and lines equal, every op of both sides\n"
    "                 taken once by both, every buyer log merged; --wait S first waits up to S seconds for the sync\n"
    "                 to catch up; exit 1 on a difference\n";

static const char *arg(int argc, char **argv, const char *name) {
    for (int i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], name)) return argv[i + 1];
    return NULL;
}
static int flag(int argc, char **argv, const char *name) {
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], name)) return 1;
    return 0;
}

static of_err_t run(of_db_t *db, const char *sql, const of_param_t *p, int n, of_rows_t **rows, char *err,
                    size_t size) {
    int st = of_db_register(db, sql);
    if (st < 0) return of_seterr(err, size, OF_ERR_DB, "cannot register a statement");
    if (rows) return of_db_query(db, st, p, n, rows, err, size);
    return of_db_exec(db, st, p, n, NULL, NULL, err, size);
}

static void jstr(cJSON *o, const char *k, const char *v) {
    if (v) cJSON_AddStringToObject(o, k, v);
}

static const struct {
    const char *verb;
    of_syn_kind_t kind;
} verbs[] = {{"create-order", OF_SYN_OP_CREATE},
             {"adjust-price", OF_SYN_OP_ADJUST_PRICE},
             {"pay", OF_SYN_OP_PAY},
             {"ship", OF_SYN_OP_SHIP},
             {"request-cancel", OF_SYN_OP_CANCEL_REQUEST},
             {"refuse-cancel", OF_SYN_OP_CANCEL_REFUSE},
             {"agree-cancel", OF_SYN_OP_CANCEL_AGREE},
             {"confirm-receipt", OF_SYN_OP_RECEIVE},
             {"change-address", OF_SYN_OP_UPDATE}};

static int site_op(of_site_t side, int argc, char **argv) {
    if (argc < 2) {
        fputs(USAGE_SITE, stderr);
        return 2;
    }
    int kind = -1;
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        if (!strcmp(argv[1], verbs[i].verb)) kind = (int)verbs[i].kind;
    if (kind < 0) {
        fprintf(stderr, "ordctl site %s: unknown operation '%s'\n", of_site_name(side), argv[1]);
        fputs(USAGE_SITE, stderr);
        return 2;
    }
    of_site_op_t op = {.side = side,
                       .kind = (of_syn_kind_t)kind,
                       .actor = flag(argc, argv, "--operator") ? OF_SYN_ACT_OPERATOR
                                : side == OF_SITE_BUYER        ? OF_SYN_ACT_BUYER
                                                               : OF_SYN_ACT_SELLER,
                       .note = arg(argc, argv, "--note")};
    cJSON *f = cJSON_CreateObject();
    of_site_line_t lines[64];
    int nlines = 0;
    int64_t m;
    if (kind != OF_SYN_OP_CREATE) {
        if (argc < 3 || !(op.oid = strtoull(argv[2], NULL, 10))) {
            fprintf(stderr, "ordctl site %s %s: an order id (OID) is needed\n", of_site_name(side), argv[1]);
            cJSON_Delete(f);
            return 2;
        }
    }
    const char *bad = NULL;
    switch (kind) {
    case OF_SYN_OP_CREATE: {
        const char *b = arg(argc, argv, "--buyer"), *s = arg(argc, argv, "--seller");
        if (!b || !s) bad = "--buyer and --seller are needed";
        jstr(f, "buyer_id", b);
        jstr(f, "seller_id", s);
        jstr(f, "currency", arg(argc, argv, "--currency"));
        jstr(f, "shipping_fee", arg(argc, argv, "--shipping"));
        jstr(f, "price", arg(argc, argv, "--price"));
        jstr(f, "receiver_name", arg(argc, argv, "--receiver"));
        jstr(f, "receiver_mobile", arg(argc, argv, "--mobile"));
        jstr(f, "receiver_country", arg(argc, argv, "--country"));
        jstr(f, "receiver_province", arg(argc, argv, "--province"));
        jstr(f, "receiver_city", arg(argc, argv, "--city"));
        jstr(f, "receiver_address", arg(argc, argv, "--address"));
        jstr(f, "receiver_zip", arg(argc, argv, "--zip"));
        for (int i = 1; i + 1 < argc && !bad; i++) {
            if (strcmp(argv[i], "--line")) continue;
            if (nlines == 64) {
                bad = "at most 64 lines";
                break;
            }
            char *spec = argv[i + 1], *parts[5] = {0};
            int np = 0;
            for (char *p = spec; np < 5;) {
                parts[np++] = p;
                char *c = strchr(p, ':');
                if (!c) break;
                *c = 0;
                p = c + 1;
            }
            if (np < 3 || of_money_parse(parts[1], &m) || atoi(parts[2]) < 1) {
                bad = "--line is SKU:PRICE:NUM[:NAME_EN[:NAME_CN]]";
                break;
            }
            lines[nlines++] = (of_site_line_t){
                .sku = parts[0], .price = m, .num = atoi(parts[2]), .name_en = parts[3], .name_cn = parts[4]};
        }
        break;
    }
    case OF_SYN_OP_ADJUST_PRICE:
        if (argc < 4 || of_money_parse(argv[3], &m))
            bad = "adjust-price OID PRICE";
        else
            jstr(f, "price", argv[3]);
        jstr(f, "shipping_fee", arg(argc, argv, "--shipping"));
        break;
    case OF_SYN_OP_PAY: {
        char pn[64];
        snprintf(pn, sizeof pn, "PAY%" PRIu64 "-%ld", op.oid, (long)getpid());
        const char *p = arg(argc, argv, "--pay-no");
        jstr(f, "pay_no", p ? p : pn);
        jstr(f, "paid_amount", arg(argc, argv, "--amount"));
        break;
    }
    case OF_SYN_OP_SHIP:
        jstr(f, "ship_logistics", arg(argc, argv, "--logistics"));
        jstr(f, "ship_waybill_no", arg(argc, argv, "--waybill"));
        jstr(f, "newdeliver", arg(argc, argv, "--deliver-by"));
        break;
    case OF_SYN_OP_UPDATE:
        jstr(f, "receiver_name", arg(argc, argv, "--receiver"));
        jstr(f, "receiver_mobile", arg(argc, argv, "--mobile"));
        jstr(f, "receiver_city", arg(argc, argv, "--city"));
        jstr(f, "receiver_address", arg(argc, argv, "--address"));
        jstr(f, "receiver_zip", arg(argc, argv, "--zip"));
        break;
    default:
        break;
    }
    if (bad) {
        fprintf(stderr, "ordctl site %s %s: %s\n", of_site_name(side), argv[1], bad);
        cJSON_Delete(f);
        return 2;
    }
    char *fields = cJSON_PrintUnformatted(f);
    cJSON_Delete(f);
    op.fields = fields;
    op.lines = lines;
    op.nlines = nlines;
    char err[512];
    int rc = 1;
    of_db_t *db = of_site_connect(cfg, side, err, sizeof err);
    of_site_stmts_t st;
    of_site_done_t done;
    if (!db) {
        fprintf(stderr, "ordctl site %s: %s\n", of_site_name(side), err);
    } else if (of_site_register(db, side, &st, err, sizeof err) ||
               of_site_apply(db, &st, &op, &done, err, sizeof err)) {
        fprintf(stderr, "ordctl site %s %s: refused: %s\n", of_site_name(side), argv[1], err);
    } else {
        printf("oid=%" PRIu64 " op=%s sync_log_id=%" PRIu64 " status %s -> %s (%s site)\n", done.oid,
               of_syncorder_kind_name(op.kind), done.sync_log_id, of_syncorder_status_en(done.from_status),
               of_syncorder_status_en(done.status), of_site_name(side));
        rc = 0;
    }
    of_db_close(db);
    free(fields);
    return rc;
}

/* ------------------------------------------------------------------ show */

static void print_order(const char *label, const of_rows_t *r) {
    if (!r || !r->nrows) {
        printf("%-8s (not there)\n", label);
        return;
    }
    of_syn_order_t o;
    if (of_site_row_read(r, 0, 1, &o)) {
        printf("%-8s (unreadable)\n", label);
        return;
    }
    char a[32], p[32];
    printf("%-8s %s status %d %-16s amount %s paid %s%s%s%s%s%s%s  v%s\n", label, o.order_sn, o.status,
           of_syncorder_status_en(o.status), of_money_fmt(o.amount, a, sizeof a),
           of_money_fmt(o.paid_amount, p, sizeof p), o.pay_time[0] ? " paid@" : "", o.pay_time,
           o.ship_time[0] ? " shipped@" : "", o.ship_time, o.refund_time[0] ? " refund@" : "", o.refund_time,
           of_rows_str(r, 0, 1 + OF_SITE_NCOLS));
}

static int site_show(of_db_t *b, of_db_t *s, uint64_t oid) {
    char err[512];
    of_param_t id = OFP_U(oid);
    of_rows_t *bo = NULL, *so = NULL, *st = NULL, *bops = NULL, *sops = NULL, *blog = NULL, *slog = NULL, *ap = NULL;
    static const char ob[] =
        "SELECT id, order_sn, buyer_id, seller_id, status, cancel_from_status, cancel_by, currency, "
        "price, shipping_fee, amount, pay_result, pay_no, paid_amount, pay_time, ship_time, "
        "ship_logistics, ship_waybill_no, newdeliver, refund_time, receive_time, receiver_name, "
        "receiver_mobile, receiver_country, receiver_province, receiver_city, receiver_address, "
        "receiver_zip, addtime, sync_version FROM buyer_orders WHERE id = ?";
    static const char os[] =
        "SELECT id, order_sn, buyer_id, seller_id, status, cancel_from_status, cancel_by, currency, "
        "price, shipping_fee, amount, pay_result, pay_no, paid_amount, pay_time, ship_time, "
        "ship_logistics, ship_waybill_no, newdeliver, refund_time, receive_time, receiver_name, "
        "receiver_mobile, receiver_country, receiver_province, receiver_city, receiver_address, "
        "receiver_zip, addtime, sync_version FROM seller_orders WHERE id = ?";
    static const char qops_b[] = "SELECT 'b', id, op, actor, from_status, status, addtime, flag, reject_reason, "
                                 "published FROM buyer_order_sync_log WHERE oid = ? ORDER BY id";
    static const char qops_s[] = "SELECT 's', id, op, actor, from_status, status, addtime, flag, reject_reason, "
                                 "published FROM seller_order_sync_log WHERE oid = ? ORDER BY id";
    of_err_t e = run(b, ob, &id, 1, &bo, err, sizeof err);
    if (!e) e = run(s, os, &id, 1, &so, err, sizeof err);
    if (!e)
        e = run(b, "SELECT version, last_buyer_op, last_seller_op, status FROM order_sync_state WHERE oid = ?", &id, 1,
                &st, err, sizeof err);
    if (!e) e = run(b, qops_b, &id, 1, &bops, err, sizeof err);
    if (!e) e = run(s, qops_s, &id, 1, &sops, err, sizeof err);
    if (!e)
        e = run(b, "SELECT side, op_id, outcome, ct_row, version FROM order_sync_applied WHERE oid = ?", &id, 1, &ap,
                err, sizeof err);
    if (!e)
        e = run(b,
                "SELECT addtime, actor, action, en_remark, sync_flag FROM buyer_order_logs WHERE oid = ? ORDER BY "
                "addtime, id",
                &id, 1, &blog, err, sizeof err);
    if (!e)
        e = run(s,
                "SELECT addtime, actor, action, cn_remark, buy_log_id, en_remark FROM seller_order_logs WHERE oid = ? "
                "ORDER BY "
                "addtime, id",
                &id, 1, &slog, err, sizeof err);
    int rc = 0;
    if (e) {
        fprintf(stderr, "ordctl site show: %s\n", err);
        rc = 1;
        goto out;
    }
    printf("order %" PRIu64 "\n", oid);
    print_order("buyer", bo);
    print_order("seller", so);
    if (st->nrows)
        printf("merged   round %s, status %s (%s), last ops b:%s s:%s\n", of_rows_str(st, 0, 0), of_rows_str(st, 0, 3),
               of_syncorder_status_en(atoi(of_rows_str(st, 0, 3))), of_rows_str(st, 0, 1), of_rows_str(st, 0, 2));
    else
        printf("merged   (not merged yet)\n");
    printf("ops (both sides, as made):\n");
    const of_rows_t *sets[2] = {bops, sops};
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < sets[k]->nrows; i++) {
            const char *side = of_rows_str(sets[k], i, 0), *oid_s = of_rows_str(sets[k], i, 1);
            const char *how = "pending";
            const char *row = "";
            for (int j = 0; j < ap->nrows; j++)
                if (!strcmp(of_rows_str(ap, j, 0), side) && !strcmp(of_rows_str(ap, j, 1), oid_s)) {
                    how = atoi(of_rows_str(ap, j, 2)) == OF_SYN_APPLIED ? "applied" : "REJECTED";
                    row = of_rows_str(ap, j, 3);
                }
            printf("  %s:%-6s %-23s %-15s %s -> %s  %-8s %s%s%s%s\n", side, oid_s, of_rows_str(sets[k], i, 6),
                   of_rows_str(sets[k], i, 2), of_rows_str(sets[k], i, 4), of_rows_str(sets[k], i, 5), how, row,
                   of_rows_str(sets[k], i, 8)[0] ? " — " : "", of_rows_str(sets[k], i, 8),
                   atoi(of_rows_str(sets[k], i, 9)) ? "" : " (not published yet)");
        }
    printf("buyer site's log (its own lines and the seller's, SYN-6):\n");
    for (int i = 0; i < blog->nrows; i++)
        printf("  %s  %-14s %s\n", of_rows_str(blog, i, 0), of_rows_str(blog, i, 2), of_rows_str(blog, i, 3));
    for (int i = 0; i < slog->nrows; i++)
        if (!of_rows_str(slog, i, 4) && atoi(of_rows_str(slog, i, 1)) != OF_SYN_ACT_SYNC)
            printf("  %s  %-14s (seller) %s\n", of_rows_str(slog, i, 0), of_rows_str(slog, i, 2),
                   of_rows_str(slog, i, 5));
    printf("seller site's log (merged, in Chinese):\n");
    for (int i = 0; i < slog->nrows; i++)
        printf("  %s  %-14s %s%s\n", of_rows_str(slog, i, 0), of_rows_str(slog, i, 2), of_rows_str(slog, i, 3),
               of_rows_str(slog, i, 4) ? "  [买家日志]" : "");
out:
    of_rows_free(bo);
    of_rows_free(so);
    of_rows_free(st);
    of_rows_free(bops);
    of_rows_free(sops);
    of_rows_free(ap);
    of_rows_free(blog);
    of_rows_free(slog);
    return rc;
}

static int site_conflicts(of_db_t *b, int limit) {
    char err[512];
    of_rows_t *r = NULL;
    if (of_site_conflicts(b, limit, &r, err, sizeof err)) {
        fprintf(stderr, "ordctl site conflicts: %s\n", err);
        return 1;
    }
    printf("%-23s %-8s %-10s %-24s %s\n", "when", "oid", "op", "row", "why");
    for (int i = 0; i < r->nrows; i++)
        printf("%-23s %-8s %s:%-8s %-24s %s\n", of_rows_str(r, i, 0), of_rows_str(r, i, 1), of_rows_str(r, i, 2),
               of_rows_str(r, i, 3), of_rows_str(r, i, 4), of_rows_str(r, i, 5));
    printf("%d rejected op(s)\n", r->nrows);
    of_rows_free(r);
    return 0;
}

/* ------------------------------------------------------------------ check */

static int rows_differ(const of_rows_t *a, const of_rows_t *b, const char *what, int *shown) {
    int diffs = 0, i = 0, j = 0;
    while (i < a->nrows || j < b->nrows) {
        long long ka = i < a->nrows ? of_rows_i64(a, i, 0) : -1, kb = j < b->nrows ? of_rows_i64(b, j, 0) : -1;
        if (j >= b->nrows || (i < a->nrows && ka < kb)) {
            if ((*shown)++ < 20) printf("  %s %lld: only on the buyer side\n", what, ka);
            diffs++, i++;
            continue;
        }
        if (i >= a->nrows || kb < ka) {
            if ((*shown)++ < 20) printf("  %s %lld: only on the seller side\n", what, kb);
            diffs++, j++;
            continue;
        }
        for (int c = 1; c < a->ncols; c++) {
            const char *x = of_rows_str(a, i, c), *y = of_rows_str(b, j, c);
            if ((x == NULL) != (y == NULL) || (x && strcmp(x, y))) {
                if ((*shown)++ < 20)
                    printf("  %s %lld: column %d differs: buyer '%s', seller '%s'\n", what, ka, c, x ? x : "NULL",
                           y ? y : "NULL");
                diffs++;
                break;
            }
        }
        i++, j++;
    }
    return diffs;
}

static int site_check(of_db_t *b, of_db_t *s, int wait_s) {
    char err[512];
    static const char pend_b[] =
        "SELECT (SELECT COUNT(*) FROM buyer_order_sync_log l LEFT JOIN order_sync_applied a ON "
        "a.side = 'b' AND a.op_id = l.id WHERE a.op_id IS NULL), (SELECT COUNT(*) FROM "
        "buyer_order_logs WHERE sync_flag = 0)";
    static const char pend_s[] =
        "SELECT COUNT(*) FROM seller_order_sync_log l LEFT JOIN order_sync_applied a ON a.side "
        "= 's' AND a.op_id = l.id WHERE a.op_id IS NULL";
    long long pb = 0, pl = 0, ps = 0;
    of_progress_t pg;
    of_progress_init(&pg, "site check", 0);
    for (int t = 0;; t++) {
        of_rows_t *r1 = NULL, *r2 = NULL;
        if (run(b, pend_b, NULL, 0, &r1, err, sizeof err) || run(s, pend_s, NULL, 0, &r2, err, sizeof err)) {
            of_rows_free(r1);
            of_progress_end(&pg);
            fprintf(stderr, "ordctl site check: %s\n", err);
            return 1;
        }
        pb = of_rows_i64(r1, 0, 0), pl = of_rows_i64(r1, 0, 1), ps = of_rows_i64(r2, 0, 0);
        of_rows_free(r1);
        of_rows_free(r2);
        if ((!pb && !pl && !ps) || t >= wait_s * 4) break;
        of_progress_show(&pg, 0, "waiting for the sync: %lld buyer op(s), %lld seller op(s), %lld buyer log(s) pending",
                         pb, ps, pl);
        usleep(250000);
    }
    of_progress_end(&pg);
    int diffs = 0, shown = 0;
    if (pb || ps || pl) {
        printf("  not caught up: %lld buyer op(s) and %lld seller op(s) not taken, %lld buyer log line(s) not merged\n",
               pb, ps, pl);
        diffs += (int)(pb + ps + pl);
    }
    static const char cols_b[] = "SELECT id, order_sn, buyer_id, seller_id, status, cancel_from_status, cancel_by, "
                                 "currency, price, shipping_fee, amount, pay_result, pay_no, paid_amount, pay_time, "
                                 "ship_time, ship_logistics, ship_waybill_no, newdeliver, refund_time, receive_time, "
                                 "receiver_name, receiver_mobile, receiver_country, receiver_province, receiver_city, "
                                 "receiver_address, receiver_zip, addtime FROM buyer_orders ORDER BY id";
    static const char cols_s[] = "SELECT id, order_sn, buyer_id, seller_id, status, cancel_from_status, cancel_by, "
                                 "currency, price, shipping_fee, amount, pay_result, pay_no, paid_amount, pay_time, "
                                 "ship_time, ship_logistics, ship_waybill_no, newdeliver, refund_time, receive_time, "
                                 "receiver_name, receiver_mobile, receiver_country, receiver_province, receiver_city, "
                                 "receiver_address, receiver_zip, addtime FROM seller_orders ORDER BY id";
    static const char lines_q[] = "SELECT id, oid, sku, name_en, name_cn, price, num, amount, deleted FROM "
                                  "buyer_order_products ORDER BY id";
    static const char applied_q[] = "SELECT CONCAT(op_id, side), oid, outcome, ct_row FROM order_sync_applied ORDER "
                                    "BY CONCAT(op_id, side)";
    static const char state_q[] = "SELECT oid, version, last_buyer_op, last_seller_op, status, state FROM "
                                  "order_sync_state ORDER BY oid";
    const char *qb[4] = {cols_b, lines_q, applied_q, state_q}, *qs[4] = {cols_s, lines_q, applied_q, state_q};
    const char *what[4] = {"order", "line", "op", "merged state of order"};
    for (int k = 0; k < 4; k++) {
        of_rows_t *ra = NULL, *rb = NULL;
        if (run(b, qb[k], NULL, 0, &ra, err, sizeof err) || run(s, qs[k], NULL, 0, &rb, err, sizeof err)) {
            of_rows_free(ra);
            fprintf(stderr, "ordctl site check: %s\n", err);
            return 1;
        }
        int d = k == 2 ? 0 : rows_differ(ra, rb, what[k], &shown);
        if (k == 2) { /* keys are text: compare in order */
            int n = ra->nrows > rb->nrows ? ra->nrows : rb->nrows;
            for (int i = 0; i < n; i++) {
                const char *x = i < ra->nrows ? of_rows_str(ra, i, 0) : "",
                           *y = i < rb->nrows ? of_rows_str(rb, i, 0) : "";
                if (strcmp(x, y) ||
                    (i < ra->nrows && i < rb->nrows && strcmp(of_rows_str(ra, i, 2), of_rows_str(rb, i, 2)))) {
                    if (shown++ < 20) printf("  op records differ at %s / %s\n", x, y);
                    d++;
                    break;
                }
            }
        }
        if (k == 0) printf("orders: buyer %d, seller %d\n", ra->nrows, rb->nrows);
        diffs += d;
        of_rows_free(ra);
        of_rows_free(rb);
    }
    /* every op of a side once in its sync log's own flag */
    of_rows_t *fb = NULL, *fs = NULL;
    if (run(b,
            "SELECT COUNT(*) FROM buyer_order_sync_log l JOIN order_sync_applied a ON a.side = 'b' AND a.op_id = l.id "
            "WHERE l.flag <> a.outcome",
            NULL, 0, &fb, err, sizeof err) ||
        run(s,
            "SELECT COUNT(*) FROM seller_order_sync_log l JOIN order_sync_applied a ON a.side = 's' AND a.op_id = l.id "
            "WHERE l.flag <> a.outcome",
            NULL, 0, &fs, err, sizeof err)) {
        of_rows_free(fb);
        fprintf(stderr, "ordctl site check: %s\n", err);
        return 1;
    }
    long long bad_flags = of_rows_i64(fb, 0, 0) + of_rows_i64(fs, 0, 0);
    of_rows_free(fb);
    of_rows_free(fs);
    if (bad_flags) printf("  %lld sync-log flag(s) disagree with the recorded outcome\n", bad_flags);
    diffs += (int)bad_flags;
    if (diffs) {
        printf("site check: %d difference(s)\n", diffs);
        return 1;
    }
    printf("site check: both sides agree (orders, lines, ops taken, merged states)\n");
    return 0;
}

static int site_load(int argc, char **argv) {
    if (argc < 3 || (strcmp(argv[1], "buyer") && strcmp(argv[1], "seller"))) {
        fputs(USAGE_SITE, stderr);
        return 2;
    }
    of_site_t side = !strcmp(argv[1], "buyer") ? OF_SITE_BUYER : OF_SITE_SELLER;
    int kind = -1;
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        if (!strcmp(argv[2], verbs[i].verb)) kind = (int)verbs[i].kind;
    const char *cnt = arg(argc, argv, "--count"), *from = arg(argc, argv, "--from"), *to = arg(argc, argv, "--to");
    double rate = arg(argc, argv, "--rate") ? atof(arg(argc, argv, "--rate")) : 0;
    uint64_t a = from ? strtoull(from, NULL, 10) : 0, b = to ? strtoull(to, NULL, 10) : 0;
    long n = kind == OF_SYN_OP_CREATE ? (cnt ? atol(cnt) : 0) : (long)(b >= a && a ? b - a + 1 : 0);
    if (kind < 0 || n <= 0 || n > 10000000) {
        fprintf(stderr, "ordctl site load: an operation and --count N (create-order) or --from/--to are needed\n");
        return 2;
    }
    char err[512];
    of_db_t *db = of_site_connect(cfg, side, err, sizeof err);
    of_site_stmts_t st;
    if (!db || of_site_register(db, side, &st, err, sizeof err)) {
        fprintf(stderr, "ordctl site load: %s\n", err);
        of_db_close(db);
        return 1;
    }
    long done = 0, refused = 0;
    uint64_t first = 0, last = 0;
    int64_t t0 = of_mono_ms();
    of_progress_t pg;
    of_progress_init(&pg, "site load", 0);
    char fields[256];
    for (long i = 0; i < n && !0; i++) {
        if (rate > 0) {
            int64_t due = t0 + (int64_t)((double)i * 1000.0 / rate), now = of_mono_ms();
            if (due > now) usleep((useconds_t)((due - now) * 1000));
        }
        of_site_line_t lines[2] = {{.sku = "LOAD-A", .name_en = "Tea", .name_cn = "茶叶", .price = 105000, .num = 2},
                                   {.sku = "LOAD-B", .name_en = "Cup", .name_cn = "杯子", .price = 50000, .num = 1}};
        snprintf(fields, sizeof fields, "{}");
        if (kind == OF_SYN_OP_CREATE)
            snprintf(fields, sizeof fields,
                     "{\"buyer_id\":\"%ld\",\"seller_id\":\"9\",\"shipping_fee\":\"3\",\"receiver_name\":\"Load\","
                     "\"receiver_city\":\"Paris\"}",
                     1000 + i);
        else if (kind == OF_SYN_OP_ADJUST_PRICE)
            snprintf(fields, sizeof fields, "{\"price\":\"%ld.00\"}", 10 + i % 50);
        else if (kind == OF_SYN_OP_SHIP)
            snprintf(fields, sizeof fields, "{\"ship_logistics\":\"SF\",\"ship_waybill_no\":\"W%ld\"}", i);
        of_site_op_t op = {.side = side,
                           .kind = (of_syn_kind_t)kind,
                           .actor = side == OF_SITE_BUYER ? OF_SYN_ACT_BUYER : OF_SYN_ACT_SELLER,
                           .oid = kind == OF_SYN_OP_CREATE ? 0 : a + (uint64_t)i,
                           .fields = fields,
                           .lines = lines,
                           .nlines = kind == OF_SYN_OP_CREATE ? 2 : 0};
        of_site_done_t d;
        of_err_t e = of_site_apply(db, &st, &op, &d, err, sizeof err);
        if (e == OF_ERR_INVALID)
            refused++;
        else if (e) {
            fprintf(stderr, "ordctl site load: %s\n", err);
            break;
        } else {
            done++;
            if (!first) first = d.oid;
            last = d.oid;
        }
        of_progress_show(&pg, 0, "%ld/%ld (%ld refused)", done + refused, n, refused);
    }
    double secs = (double)(of_mono_ms() - t0) / 1000.0;
    of_progress_end(&pg);
    printf("ops=%ld refused=%ld seconds=%.2f ops_per_s=%.0f first_oid=%" PRIu64 " last_oid=%" PRIu64 "\n", done,
           refused, secs, secs > 0 ? (double)done / secs : 0.0, first, last);
    of_db_close(db);
    return done + refused == n ? 0 : 1;
}

int cmd_site(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(USAGE_SITE, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "buyer")) return site_op(OF_SITE_BUYER, argc - 1, argv + 1);
    if (!strcmp(argv[1], "seller")) return site_op(OF_SITE_SELLER, argc - 1, argv + 1);
    if (!strcmp(argv[1], "load")) return site_load(argc - 1, argv + 1);
    char err[512];
    of_db_t *b = of_site_connect(cfg, OF_SITE_BUYER, err, sizeof err);
    if (!b) {
        fprintf(stderr, "ordctl site: buyer site: %s\n", err);
        return 1;
    }
    of_db_t *s = of_site_connect(cfg, OF_SITE_SELLER, err, sizeof err);
    if (!s) {
        fprintf(stderr, "ordctl site: seller site: %s\n", err);
        of_db_close(b);
        return 1;
    }
    int rc;
    if (!strcmp(argv[1], "show") && argc >= 3)
        rc = site_show(b, s, strtoull(argv[2], NULL, 10));
    else if (!strcmp(argv[1], "conflicts"))
        rc = site_conflicts(b, arg(argc, argv, "--limit") ? atoi(arg(argc, argv, "--limit")) : 50);
    else if (!strcmp(argv[1], "check"))
        rc = site_check(b, s, arg(argc, argv, "--wait") ? atoi(arg(argc, argv, "--wait")) : 0);
    else {
        fputs(USAGE_SITE, stderr);
        rc = 2;
    }
    of_db_close(s);
    of_db_close(b);
    return rc;
}
