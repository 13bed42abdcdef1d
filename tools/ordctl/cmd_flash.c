/* ordctl flash: the flash sale's operator commands (issue 13): create a batch, issue a buyer's token, show a job
 * (live record and final record) and a batch, and check that no batch is oversold, no buyer is over a limit and no
 * job is stuck. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "of_rkey.h"
#include "of_db.h"
#include "of_fsauth.h"
#include "of_fsjob.h"
#include "of_money.h"
#include "of_redis.h"
#include "ordctl.h"

static const char USAGE_FLASH[] =
    "usage: ordctl flash batch-create --code CODE --merchant ID --units N --price P [--start T|now] [--end "
    "T|+SECONDS]\n"
    "                                 [--limit-unpaid K] [--limit-order K] [--limit-buyer K] [--spec ID]\n"
    "                                 [--repurchase-price P --yield R --period DAYS] [--title TEXT]\n"
    "        a batch on sale (state 1) from --start (default now) to --end (default +3600 s); prints its id\n"
    "       ordctl flash batch ID        the batch, its orders by state and units, its jobs by state\n"
    "       ordctl flash job JOB_ID      a job's live record (Redis) and final record (fs_job), and its order\n"
    "       ordctl flash token --user ID [--ttl SECONDS]\n"
    "        a buyer's bearer token for the gateway (signed with OF_GATEWAY_USER_SECRET; default 86400 s)\n"
    "       ordctl flash ledger (--user ID | --merchant ID) [--limit N]\n"
    "        the account's points and balance, and its ledger rows newest first (bills, payments, explain)\n"
    "       ordctl flash check [--batch ID]\n"
    "        sold units = the orders' units and never above the batch (FS-6), no buyer over the unpaid limit, no\n"
    "        job active past its TTL, every paid order's payments = its amount, every account's balance = its\n"
    "        ledger's last balance_after; exit 1 on a violation\n";

static of_err_t run(of_db_t *db, const char *sql, const of_param_t *p, int n, of_rows_t **rows, uint64_t *id, char *err,
                    size_t size) {
    int st = of_db_register(db, sql);
    if (st < 0) return of_seterr(err, size, OF_ERR_DB, "cannot register a statement");
    if (rows) return of_db_query(db, st, p, n, rows, err, size);
    return of_db_exec(db, st, p, n, NULL, id, err, size);
}

static const char *arg(int argc, char **argv, const char *name) {
    for (int i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], name)) return argv[i + 1];
    return NULL;
}

static int batch_create(of_db_t *db, int argc, char **argv) {
    const char *code = arg(argc, argv, "--code"), *merchant = arg(argc, argv, "--merchant");
    const char *units = arg(argc, argv, "--units"), *price = arg(argc, argv, "--price");
    const char *start = arg(argc, argv, "--start"), *end = arg(argc, argv, "--end");
    const char *rp = arg(argc, argv, "--repurchase-price"), *yield = arg(argc, argv, "--yield");
    const char *period = arg(argc, argv, "--period"), *title = arg(argc, argv, "--title");
    const char *spec = arg(argc, argv, "--spec");
    int64_t p = 0, rpv = 0;
    if (!code || !merchant || !units || !price || atoi(units) < 1 || of_money_parse(price, &p) || p < 0 ||
        (rp && of_money_parse(rp, &rpv))) {
        fputs(USAGE_FLASH, stderr);
        return 2;
    }
    /* times on the database's clock: now, or as given; the end as given or start + seconds */
    const char *s = start && strcmp(start, "now") ? start : "";
    const char *e = end && end[0] != '+' ? end : "";
    long secs = end && end[0] == '+' ? atol(end + 1) : 3600;
    const char *lu = arg(argc, argv, "--limit-unpaid"), *lo = arg(argc, argv, "--limit-order");
    const char *lb = arg(argc, argv, "--limit-buyer");
    of_param_t ps[] = {OFP_S(code),
                       OFP_U(strtoull(merchant, NULL, 10)),
                       OFP_U(spec ? strtoull(spec, NULL, 10) : 0),
                       OFP_S(title ? title : code),
                       OFP_M(p),
                       OFP_I(atoi(units)),
                       OFP_I(lu ? atoi(lu) : 0),
                       OFP_I(lo ? atoi(lo) : 0),
                       OFP_I(lb ? atoi(lb) : 0),
                       OFP_S(s),
                       OFP_S(s),
                       OFP_S(e),
                       OFP_S(s),
                       OFP_S(s),
                       OFP_I(secs),
                       OFP_S(e),
                       OFP_M(rpv),
                       OFP_S(yield ? yield : "0"),
                       OFP_I(period ? atoi(period) : 0)};
    char err[512];
    uint64_t id = 0;
    if (run(db,
            "INSERT INTO fs_batch (batch_code, merchant_id, spec_id, main_title, unit_price, total_num, "
            "limit_unpaid_per_buyer, limit_per_order, limit_per_buyer, start_time, end_time, state, repurchase_price, "
            "yield_rate, period_days) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, IF(? = '', NOW(3), ?), IF(? = '', IF(? = '', "
            "NOW(3), ?) + INTERVAL ? SECOND, ?), 1, ?, ?, ?)",
            ps, 19, NULL, &id, err, sizeof err)) {
        fprintf(stderr, "ordctl flash batch-create: %s\n", err);
        return 1;
    }
    printf("%" PRIu64 "\n", id);
    fprintf(stderr, "batch %" PRIu64 " (%s): %s units at %s on sale (ordctl flash batch %" PRIu64 ")\n", id, code,
            units, price, id);
    return 0;
}

static int batch_show(of_db_t *db, const char *id) {
    char err[512];
    of_rows_t *b = NULL, *o = NULL, *j = NULL;
    of_param_t k = OFP_U(strtoull(id, NULL, 10));
    if (run(db,
            "SELECT id, batch_code, merchant_id, unit_price, total_num, sell_num, limit_unpaid_per_buyer, "
            "limit_per_order, limit_per_buyer, start_time, end_time, state FROM fs_batch WHERE id = ?",
            &k, 1, &b, NULL, err, sizeof err) ||
        run(db, "SELECT state, COUNT(*), IFNULL(SUM(num), 0) FROM fs_order WHERE batch_id = ? GROUP BY state", &k, 1,
            &o, NULL, err, sizeof err) ||
        run(db, "SELECT state, error, COUNT(*) FROM fs_job WHERE batch_id = ? GROUP BY state, error", &k, 1, &j, NULL,
            err, sizeof err)) {
        fprintf(stderr, "ordctl flash batch: %s\n", err);
        of_rows_free(b);
        of_rows_free(o);
        return 1;
    }
    int rc = 0;
    if (!b->nrows) {
        fprintf(stderr, "ordctl flash batch: no batch %s\n", id);
        rc = 3;
    } else {
        static const char *const ST[] = {"draft", "on sale", "sold out", "closed"};
        long long st = of_rows_i64(b, 0, 11);
        printf("batch %s (%s), merchant %s: unit price %s, %s of %s units sold, state %s\n", of_rows_str(b, 0, 0),
               of_rows_str(b, 0, 1), of_rows_str(b, 0, 2), of_rows_str(b, 0, 3), of_rows_str(b, 0, 5),
               of_rows_str(b, 0, 4), st >= 0 && st <= 3 ? ST[st] : "?");
        printf("  limits: unpaid orders per buyer %s, units per order %s, units per buyer %s (0 = none)\n",
               of_rows_str(b, 0, 6), of_rows_str(b, 0, 7), of_rows_str(b, 0, 8));
        printf("  window: %s .. %s\n", of_rows_str(b, 0, 9), of_rows_str(b, 0, 10));
        static const char *const OS[] = {"", "unpaid", "paid", "closed"};
        for (int i = 0; i < o->nrows; i++) {
            long long s = of_rows_i64(o, i, 0);
            printf("  orders %-8s %s (%s units)\n", s >= 1 && s <= 3 ? OS[s] : "?", of_rows_str(o, i, 1),
                   of_rows_str(o, i, 2));
        }
        for (int i = 0; i < j->nrows; i++)
            printf("  jobs %-9s %-20s %s\n", of_rows_str(j, i, 0), of_rows_str(j, i, 1), of_rows_str(j, i, 2));
    }
    of_rows_free(b);
    of_rows_free(o);
    of_rows_free(j);
    return rc;
}

static int job_show(of_db_t *db, const char *id) {
    if (!of_fsjob_id_ok(id)) {
        fprintf(stderr, "ordctl flash job: a job id is 1..32 characters of [0-9A-Za-z_-]\n");
        return 2;
    }
    char err[512], key[160];
    int found = 0;
    of_redis_t *rd = of_redis_connect(cfg, err, sizeof err);
    if (!rd) {
        fprintf(stderr, "ordctl flash job: redis: %s (the final record follows)\n", err);
    } else {
        of_rkey_fsjob(key, sizeof key, of_cfg_str(cfg, OF_CFG_REDIS_PREFIX), id);
        const char *hg[] = {"HGETALL", key};
        redisReply *r = NULL;
        if (!of_redis_cmd(rd, 2, hg, &r, err, sizeof err) && r && r->type == REDIS_REPLY_ARRAY && r->elements) {
            found = 1;
            printf("live record (%s):\n", key);
            for (size_t i = 0; i + 1 < r->elements; i += 2)
                printf("  %-14s %s\n", r->element[i]->str, r->element[i + 1]->str);
        }
        freeReplyObject(r);
        of_redis_close(rd);
    }
    of_rows_t *j = NULL, *o = NULL;
    of_param_t k = OFP_S(id);
    if (run(db,
            "SELECT state, error, IFNULL(result_order_id, 0), attempts_made, attempts_max, line, user_id, batch_id, "
            "num, IFNULL(finished_at, '') FROM fs_job WHERE job_id = ?",
            &k, 1, &j, NULL, err, sizeof err) ||
        run(db, "SELECT id, order_code, amount, remain_pay, state, num, created_at FROM fs_order WHERE job_id = ?", &k,
            1, &o, NULL, err, sizeof err)) {
        fprintf(stderr, "ordctl flash job: %s\n", err);
        of_rows_free(j);
        return 1;
    }
    if (j->nrows) {
        found = 1;
        printf("final record (fs_job): %s%s%s, attempts %s of %s, line %s, user %s, batch %s, num %s, finished %s\n",
               of_rows_str(j, 0, 0), *of_rows_str(j, 0, 1) ? " " : "", of_rows_str(j, 0, 1), of_rows_str(j, 0, 3),
               of_rows_str(j, 0, 4), of_rows_str(j, 0, 5), of_rows_str(j, 0, 6), of_rows_str(j, 0, 7),
               of_rows_str(j, 0, 8), of_rows_str(j, 0, 9));
    } else if (found) {
        printf("final record (fs_job): none yet (the job is not finished)\n");
    }
    for (int i = 0; i < o->nrows; i++)
        printf("order %s (%s): %s units, amount %s, remain_pay %s, state %s, created %s\n", of_rows_str(o, i, 0),
               of_rows_str(o, i, 1), of_rows_str(o, i, 5), of_rows_str(o, i, 2), of_rows_str(o, i, 3),
               of_rows_str(o, i, 4), of_rows_str(o, i, 6));
    of_rows_free(j);
    of_rows_free(o);
    if (!found) {
        fprintf(stderr, "ordctl flash job: no job %s\n", id);
        return 3;
    }
    return 0;
}

static int token(int argc, char **argv) {
    const char *user = arg(argc, argv, "--user"), *ttl = arg(argc, argv, "--ttl");
    uint64_t uid = user ? strtoull(user, NULL, 10) : 0;
    if (!uid) {
        fputs(USAGE_FLASH, stderr);
        return 2;
    }
    char buf[160];
    if (of_fsauth_user_token(of_cfg_str(cfg, OF_CFG_GATEWAY_USER_SECRET), uid,
                             (int64_t)time(NULL) + (ttl ? atol(ttl) : 86400), buf, sizeof buf)) {
        fprintf(stderr, "ordctl flash token: OF_GATEWAY_USER_SECRET must be set (16+ characters)\n");
        return 78;
    }
    printf("%s\n", buf);
    return 0;
}

static int check(of_db_t *db, int argc, char **argv) {
    const char *only = arg(argc, argv, "--batch");
    char err[512];
    of_rows_t *r = NULL, *u = NULL;
    of_param_t k = OFP_U(only ? strtoull(only, NULL, 10) : 0);
    int rc = 0;
    if (run(db,
            "SELECT b.id, b.total_num, b.sell_num, IFNULL(SUM(o.num), 0) FROM fs_batch b LEFT JOIN fs_order o ON "
            "o.batch_id = b.id AND o.state IN (1, 2) WHERE ? = 0 OR b.id = ? GROUP BY b.id, b.total_num, b.sell_num",
            (of_param_t[]){k, k}, 2, &r, NULL, err, sizeof err) ||
        run(db,
            "SELECT o.batch_id, o.user_id, COUNT(*), b.limit_unpaid_per_buyer FROM fs_order o JOIN fs_batch b ON b.id "
            "= o.batch_id WHERE o.state = 1 AND b.limit_unpaid_per_buyer > 0 AND (? = 0 OR b.id = ?) GROUP BY "
            "o.batch_id, o.user_id, b.limit_unpaid_per_buyer HAVING COUNT(*) > b.limit_unpaid_per_buyer",
            (of_param_t[]){k, k}, 2, &u, NULL, err, sizeof err)) {
        fprintf(stderr, "ordctl flash check: %s\n", err);
        of_rows_free(r);
        return 1;
    }
    for (int i = 0; i < r->nrows; i++) {
        long long total = of_rows_i64(r, i, 1), sell = of_rows_i64(r, i, 2), sum = of_rows_i64(r, i, 3);
        if (sell > total || sell != sum) {
            printf("batch %s: %lld sold of %lld, the orders hold %lld%s\n", of_rows_str(r, i, 0), sell, total, sum,
                   sell > total ? " (OVERSOLD)" : "");
            rc = 1;
        }
    }
    for (int i = 0; i < u->nrows; i++) {
        printf("batch %s: user %s has %s unpaid orders (limit %s)\n", of_rows_str(u, i, 0), of_rows_str(u, i, 1),
               of_rows_str(u, i, 2), of_rows_str(u, i, 3));
        rc = 1;
    }
    int nb = r->nrows;
    of_rows_free(r);
    of_rows_free(u);
    /* FS-8: a paid order's settled payments are its amount, an unpaid one's remain_pay its amount less them */
    of_rows_t *p = NULL, *lg = NULL;
    if (run(db,
            "SELECT o.id, o.state, o.amount, o.remain_pay, IFNULL(SUM(p.amount), 0) FROM fs_order o LEFT JOIN "
            "fs_pay_info p ON p.order_id = o.id AND p.status = 1 WHERE ? = 0 OR o.batch_id = ? GROUP BY o.id, "
            "o.state, o.amount, o.remain_pay HAVING o.remain_pay + IFNULL(SUM(p.amount), 0) <> o.amount OR (o.state = "
            "2 "
            "AND o.remain_pay <> 0) LIMIT 20",
            (of_param_t[]){k, k}, 2, &p, NULL, err, sizeof err) ||
        run(db,
            "SELECT a.owner_type, a.owner_id, a.point_balance, a.cash_balance, (SELECT l.balance_after FROM "
            "fs_point_ledger l WHERE l.owner_type = a.owner_type AND l.owner_id = a.owner_id ORDER BY l.id DESC "
            "LIMIT 1), (SELECT l.balance_after FROM fs_balance_ledger l WHERE l.owner_type = a.owner_type AND "
            "l.owner_id = a.owner_id ORDER BY l.id DESC LIMIT 1) FROM fs_account a",
            NULL, 0, &lg, NULL, err, sizeof err)) {
        fprintf(stderr, "ordctl flash check: %s\n", err);
        of_rows_free(p);
        return 1;
    }
    for (int i = 0; i < p->nrows; i++) {
        printf("order %s (state %s): amount %s, remain_pay %s, settled payments %s\n", of_rows_str(p, i, 0),
               of_rows_str(p, i, 1), of_rows_str(p, i, 2), of_rows_str(p, i, 3), of_rows_str(p, i, 4));
        rc = 1;
    }
    for (int i = 0; i < lg->nrows; i++) {
        const char *pl = of_rows_str(lg, i, 4), *cl = of_rows_str(lg, i, 5);
        if ((pl && strcmp(pl, of_rows_str(lg, i, 2))) || (cl && strcmp(cl, of_rows_str(lg, i, 3)))) {
            printf("account %s/%s: points %s (ledger %s), balance %s (ledger %s)\n", of_rows_str(lg, i, 0),
                   of_rows_str(lg, i, 1), of_rows_str(lg, i, 2), pl ? pl : "-", of_rows_str(lg, i, 3), cl ? cl : "-");
            rc = 1;
        }
    }
    int np = lg->nrows;
    of_rows_free(p);
    of_rows_free(lg);
    /* jobs active past their TTL, beyond one TTL check (they should have been moved on) */
    of_redis_t *rd = of_redis_connect(cfg, err, sizeof err);
    long long stuck = -1;
    if (rd) {
        char key[128], upto[32];
        of_rkey_fsjob_active(key, sizeof key, of_cfg_str(cfg, OF_CFG_REDIS_PREFIX));
        snprintf(upto, sizeof upto, "%lld", (long long)(of_now_ms() - 5000));
        const char *zc[] = {"ZCOUNT", key, "-inf", upto};
        redisReply *rep = NULL;
        if (!of_redis_cmd(rd, 4, zc, &rep, err, sizeof err) && rep && rep->type == REDIS_REPLY_INTEGER)
            stuck = rep->integer;
        freeReplyObject(rep);
        of_redis_close(rd);
    }
    if (stuck > 0) {
        printf("%lld jobs active more than 5 s past their TTL (is any of-flash running?)\n", stuck);
        rc = 1;
    }
    printf("flash check %s: %d batch%s; sold = orders, within the batch; unpaid limits kept; payments = amounts; %d "
           "account%s = %s ledger%s%s\n",
           rc ? "FAILED" : "OK", nb, nb == 1 ? "" : "es", np, np == 1 ? "" : "s", np == 1 ? "its" : "their",
           np == 1 ? "" : "s", stuck < 0 ? "; jobs: redis unavailable" : "; no job stuck active");
    return rc;
}

static int ledger(of_db_t *db, int argc, char **argv) {
    const char *user = arg(argc, argv, "--user"), *merchant = arg(argc, argv, "--merchant");
    const char *lim = arg(argc, argv, "--limit");
    if (!user == !merchant) {
        fputs(USAGE_FLASH, stderr);
        return 2;
    }
    of_param_t k[] = {OFP_I(user ? 1 : 2), OFP_U(strtoull(user ? user : merchant, NULL, 10)),
                      OFP_I(lim ? atoi(lim) : 50)};
    char err[512];
    of_rows_t *a = NULL, *l = NULL;
    if (run(db, "SELECT point_balance, cash_balance FROM fs_account WHERE owner_type = ? AND owner_id = ?", k, 2, &a,
            NULL, err, sizeof err) ||
        run(db,
            "SELECT * FROM (SELECT 'points' AS kind, created_at, bill_no, change_amount, balance_after, order_id, "
            "`explain` FROM fs_point_ledger WHERE owner_type = ? AND owner_id = ? UNION ALL SELECT 'balance', "
            "created_at, bill_no, change_amount, balance_after, order_id, `explain` FROM fs_balance_ledger WHERE "
            "owner_type = ? AND owner_id = ?) x ORDER BY created_at DESC, kind LIMIT ?",
            (of_param_t[]){k[0], k[1], k[0], k[1], k[2]}, 5, &l, NULL, err, sizeof err)) {
        fprintf(stderr, "ordctl flash ledger: %s\n", err);
        of_rows_free(a);
        return 1;
    }
    int rc = 0;
    if (!a->nrows) {
        fprintf(stderr, "ordctl flash ledger: no account\n");
        rc = 3;
    } else {
        printf("%s %s: points %s, balance %s\n", user ? "user" : "merchant", user ? user : merchant,
               of_rows_str(a, 0, 0), of_rows_str(a, 0, 1));
        for (int i = 0; i < l->nrows; i++)
            printf("  %-7s %s  %-14s %12s  after %12s  order %s  %s\n", of_rows_str(l, i, 0), of_rows_str(l, i, 1),
                   of_rows_str(l, i, 2), of_rows_str(l, i, 3), of_rows_str(l, i, 4), of_rows_str(l, i, 5),
                   of_rows_str(l, i, 6));
    }
    of_rows_free(a);
    of_rows_free(l);
    return rc;
}

int cmd_flash(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help")) {
        fputs(USAGE_FLASH, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "token")) return token(argc - 1, argv + 1);
    char err[512];
    of_db_t *db = of_db_connect(cfg, NULL, err, sizeof err);
    if (!db) {
        fprintf(stderr, "ordctl flash: database: %s\n", err);
        return 1;
    }
    int rc;
    if (!strcmp(sub, "batch-create"))
        rc = batch_create(db, argc - 1, argv + 1);
    else if (!strcmp(sub, "batch") && argc >= 3)
        rc = batch_show(db, argv[2]);
    else if (!strcmp(sub, "job") && argc >= 3)
        rc = job_show(db, argv[2]);
    else if (!strcmp(sub, "ledger"))
        rc = ledger(db, argc - 1, argv + 1);
    else if (!strcmp(sub, "check"))
        rc = check(db, argc - 1, argv + 1);
    else {
        fputs(USAGE_FLASH, stderr);
        rc = 2;
    }
    of_db_close(db);
    return rc;
}
