/* modify_ceiling.c -- the raw-SQL ceiling of the trade-modify benchmark (bench/run_modify_bench.sh): write the rows
 * of-trade-modify wrote for a set of changes, with multi-row statements, no Kafka, no rules, no reads.
 *
 * The rows are the worker's own, taken from the same run: the benchmark keeps a copy of the database after the worker
 * drained trade.changed (--after DB), puts the database back to the state before the changes (the dump both runs
 * start from), and this program compares the two, table by table, by primary key, before its clock starts:
 *   - rows only in the copy:         INSERT INTO t (every column) VALUES (…), (…) …            (explicit keys)
 *   - rows only in the database:     DELETE FROM t WHERE pk IN (…)
 *   - rows in both that differ:      UPDATE t x JOIN (SELECT ? AS k0, ? AS v0 … UNION ALL …) v ON x.pk = v.k0
 *                                    SET x.c = v.v0 …   (the columns that differ in any row of the table)
 *   - stock_spec (the counters):     not as final values but as the worker writes them: per transaction, one sorted
 *                                    INSERT … ON DUPLICATE KEY UPDATE unpay_num = unpay_num + VALUES(unpay_num), …
 *                                    of the summed d_unpay_num / d_order_num / d_subscribe_num of that transaction's
 *                                    stock_change_log rows (a new counter gets the copy's rec_id)
 * Columns whose default is CURRENT_TIMESTAMP (created_at, modified_at, processed_at) and generated columns are
 * neither compared nor written: the server sets them.
 * Rows the worker updated to the values they had are not in the diff (so not written here).
 *
 * Batching: --changes N / OF_BATCH_SIZE transactions (the worker's batch count); transaction k writes the k-th slice
 * of every table's rows (in primary-key order, i.e. in the worker's insert order for its new rows), deletes first,
 * then inserts, then updates, then the counters. Statements go through of_db_exec_multi (prepared, parts of up to 64
 * rows), as the worker's write set does; integer columns are bound as integers, everything else as strings. With
 * OF_MYSQL_BULK=1 (the configuration's default, D-RT-16) the inserts and the counters' upserts go as the worker's do,
 * each table's rows of a transaction in one bulk execution of its one-row statement; run_modify_bench.sh runs it both
 * ways: OF_MYSQL_BULK=0, the multi-row ceiling of issue 11's target, and 1, the bulk ceiling beside it.
 *
 * After the timed part it checks that every compared column of every table now equals the copy (verify=ok).
 *
 * Usage: of-bench-modceiling --after DB --changes N [--batch B] [--connections C] [--compare] [--mysqld-pid P]
 *   --connections C  write on C connections at once, one thread each (default 1): transaction k on connection k mod C
 *              (what the worker's OF_WORKER_LANES=C is compared with: each transaction's rows are another slice, so
 *              they share only the stock counters, whose sorted upserts wait for each other as the lanes' do)
 *   --mysqld-pid P  also print the CPU of the timed part: MariaDB's process P (same machine) and this program's
 * The timed part's steal is printed too (steal=: seconds the hypervisor gave this machine's CPUs to others, summed).
 *   --compare  only print the difference (rows per table, changed columns) and write nothing: e.g. to check that two
 *              builds of the worker leave the same rows (exit 0 when there is none)
 * Configuration: $OF_CONFIG (the stack's stack.env); the app user needs SELECT on DB.
 * Prints one line: changes=… transactions=… connections=… seconds=… cps=… verify=ok|FAILED, then one line per table
 * written. */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "of_config.h"
#include "of_db.h"
#include "of_log.h"

#define MAXT 96
#define MAXC 160
#define MAXCONN 8

typedef struct {
    char *v;
    size_t len;
    int null;
} cell_t;

typedef struct {
    int nrows, ncols;
    cell_t *c; /* nrows * ncols */
} rowset_t;

typedef struct {
    char name[80];
    int ncols;
    char *col[MAXC];
    int pk[MAXC];      /* is part of the primary key */
    int skip[MAXC];    /* DEFAULT CURRENT_TIMESTAMP / ON UPDATE, generated: not compared, not written */
    int integer[MAXC]; /* integer type: bound as an integer */
    int is_unsigned[MAXC];
    int binary[MAXC]; /* a BLOB or BINARY column (sales_trade.decision_trace_z): bound as bytes, not as text */
    int npk;
    /* the compared columns: keys first (kc[0..npk)), then the rest */
    int cc[MAXC], ncc;
    rowset_t ins, del, upd;  /* ins: cc columns; del: pk columns; upd: pk + changed columns */
    int ucols[MAXC], nucols; /* changed columns (indexes into col) */
    of_db_multi_t m_ins[MAXCONN], m_del[MAXCONN], m_upd[MAXCONN]; /* per connection */
    char *sql_ins[4], *sql_del[4], *sql_upd[4];
} table_t;

static table_t T[MAXT];
static int NT;
static MYSQL *MY;
static char AFTER[80];
static int K; /* transactions */

/* stock counters */
typedef struct {
    uint64_t wh, spec, rec_id;
    int64_t d[3]; /* unpay, order, subscribe */
} ctr_t;
static ctr_t **CTR; /* per transaction */
static int *NCTR;
static of_db_multi_t M_CTR[MAXCONN];
static int HAVE_CTR;
static long long STOCK_LOG_ROWS;

static void die(const char *what) {
    fprintf(stderr, "of-bench-modceiling: %s: %s\n", what, mysql_error(MY));
    exit(1);
}

static MYSQL_RES *q(const char *sql) {
    if (mysql_real_query(MY, sql, strlen(sql))) {
        fprintf(stderr, "of-bench-modceiling: query failed: %.300s\n", sql);
        die("query");
    }
    MYSQL_RES *r = mysql_store_result(MY);
    if (!r && mysql_field_count(MY)) die("store result");
    return r;
}

static void load(const char *sql, rowset_t *rs) {
    MYSQL_RES *r = q(sql);
    rs->nrows = (int)mysql_num_rows(r);
    rs->ncols = (int)mysql_num_fields(r);
    rs->c = calloc((size_t)rs->nrows * (size_t)rs->ncols + 1, sizeof *rs->c);
    if (!rs->c) exit(1);
    MYSQL_ROW row;
    for (int i = 0; (row = mysql_fetch_row(r)); i++) {
        unsigned long *len = mysql_fetch_lengths(r);
        for (int j = 0; j < rs->ncols; j++) {
            cell_t *c = &rs->c[(size_t)i * (size_t)rs->ncols + (size_t)j];
            if (!row[j]) {
                c->null = 1;
                continue;
            }
            c->v = malloc(len[j] + 1);
            if (!c->v) exit(1);
            memcpy(c->v, row[j], len[j]);
            c->v[len[j]] = '\0';
            c->len = len[j];
        }
    }
    mysql_free_result(r);
}

/* a growing string */
typedef struct {
    char *s;
    size_t n, cap;
} buf_t;
static void put(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#include <stdarg.h>
static void put(buf_t *b, const char *fmt, ...) {
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int k = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (b->s && b->n + (size_t)k < b->cap) {
            b->n += (size_t)k;
            return;
        }
        b->cap = (b->cap + (size_t)k + 1) * 2;
        b->s = realloc(b->s, b->cap);
        if (!b->s) exit(1);
        if (b->n == 0) b->s[0] = '\0';
    }
}
static char *take(buf_t *b) {
    char *s = b->s ? b->s : strdup("");
    b->s = NULL;
    b->n = b->cap = 0;
    return s;
}

/* "a.`k1` = b.`k1` AND …" */
static char *join_on(const table_t *t, const char *a, const char *b) {
    buf_t s = {0};
    int first = 1;
    for (int i = 0; i < t->ncols; i++)
        if (t->pk[i]) {
            put(&s, "%s%s.`%s` = %s.`%s`", first ? "" : " AND ", a, t->col[i], b, t->col[i]);
            first = 0;
        }
    return take(&s);
}

static void read_tables(void) {
    MYSQL_RES *r = q("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type "
                     "= 'BASE TABLE' AND table_name <> 'schema_migrations' ORDER BY table_name");
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(r)) && NT < MAXT)
        snprintf(T[NT++].name, sizeof T[0].name, "%s", row[0]);
    mysql_free_result(r);
    for (int i = 0; i < NT; i++) {
        table_t *t = &T[i];
        char sql[600];
        snprintf(
            sql, sizeof sql,
            "SELECT column_name, column_key = 'PRI', IFNULL(column_default, '') LIKE 'current_timestamp%%' OR "
            "extra LIKE '%%on update%%' OR is_generated = 'ALWAYS', data_type IN ('tinyint', 'smallint', "
            "'mediumint', 'int', 'bigint'), "
            "column_type LIKE '%%unsigned%%', data_type IN ('tinyblob', 'blob', 'mediumblob', 'longblob', 'binary', "
            "'varbinary') FROM information_schema.columns WHERE table_schema = DATABASE() "
            "AND table_name = '%.79s' ORDER BY ordinal_position",
            t->name);
        MYSQL_RES *c = q(sql);
        while ((row = mysql_fetch_row(c)) && t->ncols < MAXC) {
            int k = t->ncols++;
            t->col[k] = strdup(row[0]);
            t->pk[k] = atoi(row[1]);
            t->skip[k] = atoi(row[2]) && !t->pk[k];
            t->integer[k] = atoi(row[3]);
            t->is_unsigned[k] = atoi(row[4]);
            t->binary[k] = atoi(row[5]);
            t->npk += t->pk[k];
        }
        mysql_free_result(c);
        for (int k = 0; k < t->ncols; k++)
            if (t->pk[k]) t->cc[t->ncc++] = k;
        for (int k = 0; k < t->ncols; k++)
            if (!t->pk[k] && !t->skip[k]) t->cc[t->ncc++] = k;
    }
}

/* the diff of table t between AFTER (a) and the database (b) */
static void diff_table(table_t *t) {
    if (!t->npk) return;
    char *on = join_on(t, "a", "b");
    const char *k0 = NULL;
    for (int i = 0; i < t->ncols && !k0; i++)
        if (t->pk[i]) k0 = t->col[i];
    buf_t s = {0};
    /* inserted */
    put(&s, "SELECT ");
    for (int i = 0; i < t->ncc; i++)
        put(&s, "%sa.`%s`", i ? ", " : "", t->col[t->cc[i]]);
    put(&s, " FROM `%s`.`%s` a LEFT JOIN `%s` b ON %s WHERE b.`%s` IS NULL ORDER BY ", AFTER, t->name, t->name, on, k0);
    for (int i = 0; i < t->npk; i++)
        put(&s, "%sa.`%s`", i ? ", " : "", t->col[t->cc[i]]);
    char *sql = take(&s);
    load(sql, &t->ins);
    free(sql);
    /* deleted */
    put(&s, "SELECT ");
    for (int i = 0; i < t->npk; i++)
        put(&s, "%sb.`%s`", i ? ", " : "", t->col[t->cc[i]]);
    put(&s, " FROM `%s` b LEFT JOIN `%s`.`%s` a ON %s WHERE a.`%s` IS NULL ORDER BY ", t->name, AFTER, t->name, on, k0);
    for (int i = 0; i < t->npk; i++)
        put(&s, "%sb.`%s`", i ? ", " : "", t->col[t->cc[i]]);
    sql = take(&s);
    load(sql, &t->del);
    free(sql);
    /* updated: which columns differ (byte-wise), then the rows with the copy's values of those columns */
    if (t->ncc > t->npk) {
        put(&s, "SELECT ");
        for (int i = t->npk; i < t->ncc; i++)
            put(&s, "%sIFNULL(SUM(NOT (BINARY a.`%s` <=> BINARY b.`%s`)), 0)", i > t->npk ? ", " : "", t->col[t->cc[i]],
                t->col[t->cc[i]]);
        put(&s, " FROM `%s`.`%s` a JOIN `%s` b ON %s", AFTER, t->name, t->name, on);
        sql = take(&s);
        MYSQL_RES *r = q(sql);
        free(sql);
        MYSQL_ROW row = mysql_fetch_row(r);
        for (int i = t->npk; row && i < t->ncc; i++)
            if (atoll(row[i - t->npk]) > 0) t->ucols[t->nucols++] = t->cc[i];
        mysql_free_result(r);
    }
    if (t->nucols) {
        put(&s, "SELECT ");
        for (int i = 0; i < t->npk; i++)
            put(&s, "%sa.`%s`", i ? ", " : "", t->col[t->cc[i]]);
        for (int i = 0; i < t->nucols; i++)
            put(&s, ", a.`%s`", t->col[t->ucols[i]]);
        put(&s, " FROM `%s`.`%s` a JOIN `%s` b ON %s WHERE NOT (", AFTER, t->name, t->name, on);
        for (int i = 0; i < t->nucols; i++)
            put(&s, "%sBINARY a.`%s` <=> BINARY b.`%s`", i ? " AND " : "", t->col[t->ucols[i]], t->col[t->ucols[i]]);
        put(&s, ") ORDER BY ");
        for (int i = 0; i < t->npk; i++)
            put(&s, "%sa.`%s`", i ? ", " : "", t->col[t->cc[i]]);
        sql = take(&s);
        load(sql, &t->upd);
        free(sql);
    }
    free(on);
}

static int cmp_ctr(const void *x, const void *y) {
    const ctr_t *a = x, *b = y;
    if (a->wh != b->wh) return a->wh < b->wh ? -1 : 1;
    return a->spec < b->spec ? -1 : a->spec > b->spec;
}

/* stock_spec: the counters per transaction from that transaction's slice of the new stock_change_log rows */
static void plan_counters(table_t *ss, table_t *log) {
    /* the copy's rec_id of counters the worker created */
    int c_wh = -1, c_spec = -1, c_rec = -1;
    for (int i = 0; i < ss->ncc; i++) {
        const char *n = ss->col[ss->cc[i]];
        if (!strcmp(n, "warehouse_id")) c_wh = i;
        if (!strcmp(n, "spec_id")) c_spec = i;
        if (!strcmp(n, "rec_id")) c_rec = i;
    }
    int l_wh = -1, l_spec = -1, l_d[3] = {-1, -1, -1};
    for (int i = 0; i < log->ncc; i++) {
        const char *n = log->col[log->cc[i]];
        if (!strcmp(n, "warehouse_id")) l_wh = i;
        if (!strcmp(n, "spec_id")) l_spec = i;
        if (!strcmp(n, "d_unpay_num")) l_d[0] = i;
        if (!strcmp(n, "d_order_num")) l_d[1] = i;
        if (!strcmp(n, "d_subscribe_num")) l_d[2] = i;
    }
    if (c_wh < 0 || c_spec < 0 || c_rec < 0 || l_wh < 0 || l_spec < 0 || l_d[0] < 0 || l_d[1] < 0 || l_d[2] < 0) {
        fprintf(stderr, "of-bench-modceiling: stock_spec / stock_change_log columns not as expected\n");
        exit(1);
    }
    CTR = calloc((size_t)K, sizeof *CTR);
    NCTR = calloc((size_t)K, sizeof *NCTR);
    int n = log->ins.nrows;
    STOCK_LOG_ROWS = n;
    for (int k = 0; k < K; k++) {
        int r0 = (int)((long long)n * k / K), r1 = (int)((long long)n * (k + 1) / K);
        CTR[k] = calloc((size_t)(r1 - r0) + 1, sizeof *CTR[k]);
        for (int r = r0; r < r1; r++) {
            const cell_t *c = &log->ins.c[(size_t)r * (size_t)log->ins.ncols];
            uint64_t wh = strtoull(c[l_wh].v, NULL, 10), spec = strtoull(c[l_spec].v, NULL, 10);
            int j = 0;
            while (j < NCTR[k] && !(CTR[k][j].wh == wh && CTR[k][j].spec == spec))
                j++;
            if (j == NCTR[k]) CTR[k][NCTR[k]++] = (ctr_t){.wh = wh, .spec = spec};
            for (int d = 0; d < 3; d++)
                CTR[k][j].d[d] += strtoll(c[l_d[d]].v, NULL, 10);
        }
        qsort(CTR[k], (size_t)NCTR[k], sizeof *CTR[k], cmp_ctr);
        for (int j = 0; j < NCTR[k]; j++)
            for (int r = 0; r < ss->ins.nrows; r++) {
                const cell_t *c = &ss->ins.c[(size_t)r * (size_t)ss->ins.ncols];
                if (strtoull(c[c_wh].v, NULL, 10) == CTR[k][j].wh && strtoull(c[c_spec].v, NULL, 10) == CTR[k][j].spec)
                    CTR[k][j].rec_id = strtoull(c[c_rec].v, NULL, 10);
            }
    }
    /* the generic writer leaves the counters alone */
    ss->ins.nrows = ss->upd.nrows = 0;
    ss->nucols = 0;
    HAVE_CTR = 1;
}

static of_param_t bind(const table_t *t, int col, const cell_t *c) {
    if (c->null) return OFP_NUL;
    if (t->integer[col]) return t->is_unsigned[col] ? OFP_U(strtoull(c->v, NULL, 10)) : OFP_I(strtoll(c->v, NULL, 10));
    return t->binary[col] ? OFP_BN(c->v, c->len) : OFP_SN(c->v, c->len);
}

/* t's statements' texts (once, for every connection) */
static void build_sql(table_t *t) {
    buf_t h = {0}, r = {0}, tl = {0};
    if (t->del.nrows) {
        put(&h, "DELETE FROM `%s` WHERE (", t->name);
        put(&r, "(");
        for (int i = 0; i < t->npk; i++) {
            put(&h, "%s`%s`", i ? ", " : "", t->col[t->cc[i]]);
            put(&r, "%s?", i ? ", " : "");
        }
        put(&h, ") IN (");
        put(&r, ")");
        put(&tl, ")");
        t->sql_del[0] = take(&h), t->sql_del[1] = take(&r), t->sql_del[2] = take(&tl);
    }
    if (t->ins.nrows) {
        put(&h, "INSERT INTO `%s` (", t->name);
        put(&r, "(");
        for (int i = 0; i < t->ncc; i++) {
            put(&h, "%s`%s`", i ? ", " : "", t->col[t->cc[i]]);
            put(&r, "%s?", i ? ", " : "");
        }
        put(&h, ") VALUES ");
        put(&r, ")");
        t->sql_ins[0] = take(&h), t->sql_ins[1] = take(&r), t->sql_ins[2] = take(&tl);
    }
    if (t->upd.nrows) {
        put(&h, "UPDATE `%s` x JOIN (", t->name);
        put(&r, "SELECT ");
        for (int i = 0; i < t->npk; i++)
            put(&r, "%s? AS k%d", i ? ", " : "", i);
        for (int i = 0; i < t->nucols; i++)
            put(&r, ", ? AS v%d", i);
        put(&tl, ") v ON ");
        for (int i = 0; i < t->npk; i++)
            put(&tl, "%sx.`%s` = v.k%d", i ? " AND " : "", t->col[t->cc[i]], i);
        put(&tl, " SET ");
        for (int i = 0; i < t->nucols; i++)
            put(&tl, "%sx.`%s` = v.v%d", i ? ", " : "", t->col[t->ucols[i]], i);
        t->sql_upd[0] = take(&h), t->sql_upd[1] = take(&r), t->sql_upd[2] = take(&tl);
    }
}

/* t's statements prepared on connection c (db) */
static void register_table(of_db_t *db, int c, table_t *t) {
    if (t->del.nrows && of_db_register_multi_sep(db, t->sql_del[0], t->sql_del[1], ", ", t->sql_del[2], &t->m_del[c]))
        exit(1);
    if (t->ins.nrows && of_db_register_multi_sep(db, t->sql_ins[0], t->sql_ins[1], ", ", t->sql_ins[2], &t->m_ins[c]))
        exit(1);
    if (t->upd.nrows &&
        of_db_register_multi_sep(db, t->sql_upd[0], t->sql_upd[1], " UNION ALL ", t->sql_upd[2], &t->m_upd[c]))
        exit(1);
}

/* rows [r0, r1) of rs, columns given by cols (indexes into t->col) */
static of_err_t exec_rows(of_db_t *db, const table_t *t, const of_db_multi_t *m, const rowset_t *rs, const int *cols,
                          int r0, int r1, char *err, size_t size) {
    int n = r1 - r0;
    if (n <= 0) return OF_OK;
    of_param_t *p = malloc((size_t)n * (size_t)rs->ncols * sizeof *p);
    if (!p) return OF_ERR_NOMEM;
    for (int r = 0; r < n; r++)
        for (int c = 0; c < rs->ncols; c++)
            p[(size_t)r * (size_t)rs->ncols + (size_t)c] =
                bind(t, cols[c], &rs->c[(size_t)(r0 + r) * (size_t)rs->ncols + (size_t)c]);
    of_err_t e = of_db_exec_multi(db, m, p, n, NULL, err, size);
    if (e) {
        size_t l = strlen(err);
        snprintf(err + l, size - l, " (table %s)", t->name);
    }
    free(p);
    return e;
}

typedef struct {
    int k, c; /* transaction, connection */
} txc_t;

static of_err_t tx_body(of_db_t *db, void *vctx, char *err, size_t size) {
    int k = ((txc_t *)vctx)->k, cn = ((txc_t *)vctx)->c;
    of_err_t e = OF_OK;
    int cols[MAXC];
#define SLICE(rs) (int)((long long)(rs).nrows * k / K), (int)((long long)(rs).nrows * (k + 1) / K)
    for (int i = 0; i < NT && !e; i++) {
        table_t *t = &T[i];
        if (t->del.nrows) e = exec_rows(db, t, &t->m_del[cn], &t->del, t->cc, SLICE(t->del), err, size);
    }
    for (int i = 0; i < NT && !e; i++) {
        table_t *t = &T[i];
        if (t->ins.nrows) e = exec_rows(db, t, &t->m_ins[cn], &t->ins, t->cc, SLICE(t->ins), err, size);
    }
    for (int i = 0; i < NT && !e; i++) {
        table_t *t = &T[i];
        if (!t->upd.nrows) continue;
        for (int c = 0; c < t->npk; c++)
            cols[c] = t->cc[c];
        for (int c = 0; c < t->nucols; c++)
            cols[t->npk + c] = t->ucols[c];
        e = exec_rows(db, t, &t->m_upd[cn], &t->upd, cols, SLICE(t->upd), err, size);
    }
    if (!e && HAVE_CTR && NCTR[k]) {
        of_param_t *p = malloc((size_t)NCTR[k] * 6 * sizeof *p);
        if (!p) return OF_ERR_NOMEM;
        for (int j = 0; j < NCTR[k]; j++) {
            const ctr_t *c = &CTR[k][j];
            of_param_t *x = &p[j * 6];
            x[0] = c->rec_id ? OFP_U(c->rec_id) : OFP_NUL;
            x[1] = OFP_U(c->wh);
            x[2] = OFP_U(c->spec);
            x[3] = OFP_I(c->d[0]);
            x[4] = OFP_I(c->d[1]);
            x[5] = OFP_I(c->d[2]);
        }
        e = of_db_exec_multi(db, &M_CTR[cn], p, NCTR[k], NULL, err, size);
        free(p);
    }
    return e;
}

/* One connection's share of the transactions: k = c, c + n, c + 2n … */
typedef struct {
    of_db_t *db;
    int c, n;
    int failed; /* the transaction that failed, -1 = none */
    char err[1024];
} conn_t;

static void *run_conn(void *arg) {
    conn_t *cn = arg;
    cn->failed = -1;
    for (int k = cn->c; k < K; k += cn->n) {
        txc_t c = {.k = k, .c = cn->c};
        if (of_db_tx(cn->db, tx_body, &c, cn->err, sizeof cn->err)) {
            cn->failed = k;
            break;
        }
    }
    return NULL;
}

/* CPU seconds of process pid (utime + stime), -1 when unreadable; pid 0: this process. */
static double cpu_s(long pid) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, pid ? "/proc/%ld/stat" : "/proc/self/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')'); /* the fields after the command name */
    unsigned long long ut = 0, st = 0;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2) return -1;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* Seconds the host's hypervisor ran something else on this machine's CPUs (steal, all CPUs summed: /proc/stat), -1
 * when unreadable: the run_modify_bench.sh pairs whose timed parts lost CPU to it are told apart (D-MOD-44). */
static double steal_s(void) {
    FILE *f = fopen("/proc/stat", "r");
    if (!f) return -1;
    unsigned long long v[8] = {0};
    int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
                   &v[7]);
    fclose(f);
    return n == 8 ? (double)v[7] / (double)sysconf(_SC_CLK_TCK) : -1;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* rows of t that differ between the copy and the database now (both ways) */
static long long mismatches(const table_t *t) {
    if (!t->npk) return 0;
    char *on = join_on(t, "a", "b");
    const char *k0 = t->col[t->cc[0]];
    buf_t s = {0};
    put(&s, "SELECT (SELECT COUNT(*) FROM `%s`.`%s` a LEFT JOIN `%s` b ON %s WHERE b.`%s` IS NULL", AFTER, t->name,
        t->name, on, k0);
    for (int i = t->npk; i < t->ncc; i++)
        put(&s, " OR NOT (BINARY a.`%s` <=> BINARY b.`%s`)", t->col[t->cc[i]], t->col[t->cc[i]]);
    put(&s, ") + (SELECT COUNT(*) FROM `%s` b LEFT JOIN `%s`.`%s` a ON %s WHERE a.`%s` IS NULL)", t->name, AFTER,
        t->name, on, k0);
    char *sql = take(&s);
    MYSQL_RES *r = q(sql);
    MYSQL_ROW row = mysql_fetch_row(r);
    long long n = row && row[0] ? atoll(row[0]) : -1;
    mysql_free_result(r);
    free(sql);
    free(on);
    return n;
}

int main(int argc, char **argv) {
    long changes = 0;
    int batch = 0, compare = 0, nconn = 1;
    long mysqld_pid = -1;
    static const char usage[] =
        "usage: of-bench-modceiling --after DB --changes N [--batch B] [--connections C] [--compare] "
        "[--mysqld-pid P]\n"
        "  the raw-SQL ceiling of the trade-modify benchmark: writes the rows the worker wrote (the difference "
        "between\n"
        "  database DB, a copy taken after the worker, and the current database, the state before the changes) with\n"
        "  multi-row statements in N/B transactions (B = OF_BATCH_SIZE by default); prints changes/s and checks the\n"
        "  result equals DB; --connections C (1..8, default 1) writes them on C connections at once (transaction k on\n"
        "  connection k mod C). See the comment at the top of bench/modify_ceiling.c.\n";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--after") && i + 1 < argc)
            snprintf(AFTER, sizeof AFTER, "%s", argv[++i]);
        else if (!strcmp(argv[i], "--changes") && i + 1 < argc)
            changes = atol(argv[++i]);
        else if (!strcmp(argv[i], "--batch") && i + 1 < argc)
            batch = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--compare"))
            compare = 1;
        else if (!strcmp(argv[i], "--mysqld-pid") && i + 1 < argc)
            mysqld_pid = atol(argv[++i]);
        else if (!strcmp(argv[i], "--connections") && i + 1 < argc)
            nconn = atoi(argv[++i]);
        else {
            fputs(usage, strcmp(argv[i], "--help") ? stderr : stdout);
            return strcmp(argv[i], "--help") ? 2 : 0;
        }
    }
    if (!AFTER[0] || changes <= 0 || nconn < 1 || nconn > MAXCONN ||
        strspn(AFTER, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(AFTER)) {
        fputs(usage, stderr);
        return 2;
    }
    char err[1024];
    of_config_t *cfg = of_config_load(NULL, err, sizeof err);
    if (!cfg) {
        fprintf(stderr, "of-bench-modceiling: configuration error: %s\n", err);
        return 78;
    }
    of_log_init("bench-modceiling", OF_LOG_WARN);
    /* D-T10-70 as D-T10-64: a ceiling keeps every statement it prepares (the worker's memory limit is not its) */
    if (of_cfg_set(cfg, OF_CFG_MYSQL_PREPARED_PARAMS, "0", err, sizeof err)) {
        fprintf(stderr, "of-bench-modceiling: %s\n", err);
        return 78;
    }
    if (batch <= 0) batch = (int)of_cfg_int(cfg, OF_CFG_BATCH_SIZE);
    K = (int)((changes + batch - 1) / batch);
    of_db_t *db = of_db_connect(cfg, NULL, err, sizeof err);
    if (!db) {
        fprintf(stderr, "of-bench-modceiling: %s\n", err);
        return 1;
    }
    MY = of_db_handle(db);
    /* 1. the diff (not timed) */
    read_tables();
    table_t *ss = NULL, *log = NULL;
    for (int i = 0; i < NT; i++) {
        diff_table(&T[i]);
        if (!strcmp(T[i].name, "stock_spec")) ss = &T[i];
        if (!strcmp(T[i].name, "stock_change_log")) log = &T[i];
    }
    if (compare) {
        long long total = 0;
        for (int i = 0; i < NT; i++) {
            table_t *t = &T[i];
            if (!t->ins.nrows && !t->del.nrows && !t->upd.nrows) continue;
            total += t->ins.nrows + t->del.nrows + t->upd.nrows;
            printf("  %-28s only in %s %6d  only here %6d  differ %6d", t->name, AFTER, t->ins.nrows, t->del.nrows,
                   t->upd.nrows);
            for (int c = 0; c < t->nucols; c++)
                printf("%s%s", c ? " " : "  (", t->col[t->ucols[c]]);
            printf("%s\n", t->nucols ? ")" : "");
        }
        printf("compare: %lld rows differ\n", total);
        return total ? 3 : 0;
    }
    if (ss && log && (ss->ins.nrows || ss->upd.nrows)) plan_counters(ss, log);
    /* the connections: 0 is the diff's; each prepares every statement */
    conn_t cs[MAXCONN] = {{0}};
    cs[0].db = db;
    for (int c = 1; c < nconn; c++)
        if (!(cs[c].db = of_db_connect(cfg, NULL, err, sizeof err))) {
            fprintf(stderr, "of-bench-modceiling: connection %d: %s\n", c, err);
            return 1;
        }
    long long rows = 0;
    for (int i = 0; i < NT; i++)
        build_sql(&T[i]);
    for (int c = 0; c < nconn; c++) {
        cs[c].c = c;
        cs[c].n = nconn;
        if (HAVE_CTR && of_db_register_multi(cs[c].db,
                                             "INSERT INTO stock_spec (rec_id, warehouse_id, spec_id, unpay_num, "
                                             "order_num, subscribe_num) VALUES ",
                                             "(?, ?, ?, ?, ?, ?)",
                                             " ON DUPLICATE KEY UPDATE unpay_num = unpay_num + VALUES(unpay_num), "
                                             "order_num = order_num + VALUES(order_num), subscribe_num = "
                                             "subscribe_num + VALUES(subscribe_num)",
                                             &M_CTR[c]))
            return 1;
        for (int i = 0; i < NT; i++)
            register_table(cs[c].db, c, &T[i]);
    }
    for (int i = 0; i < NT; i++)
        rows += T[i].ins.nrows + T[i].del.nrows + T[i].upd.nrows;
    long long nctr = 0;
    for (int k = 0; HAVE_CTR && k < K; k++)
        nctr += NCTR[k];
    /* 2. the writes (timed): connection c writes transactions c, c + C, c + 2C … (one thread each when C > 1) */
    double c_my0 = mysqld_pid > 0 ? cpu_s(mysqld_pid) : -1, c_self0 = cpu_s(0), st0 = steal_s();
    double t0 = now_s();
    pthread_t th[MAXCONN];
    for (int c = 1; c < nconn; c++)
        if (pthread_create(&th[c], NULL, run_conn, &cs[c])) {
            fprintf(stderr, "of-bench-modceiling: cannot start a thread\n");
            return 1;
        }
    run_conn(&cs[0]);
    for (int c = 1; c < nconn; c++)
        pthread_join(th[c], NULL);
    double secs = now_s() - t0, st1 = steal_s();
    for (int c = 0; c < nconn; c++)
        if (cs[c].failed >= 0) {
            fprintf(stderr, "of-bench-modceiling: connection %d, transaction %d: %s\n", c, cs[c].failed, cs[c].err);
            return 1;
        }
    double c_my = c_my0 >= 0 ? cpu_s(mysqld_pid) - c_my0 : -1, c_self = cpu_s(0) - c_self0;
    /* 3. the check */
    long long bad = 0;
    char badt[600] = "";
    for (int i = 0; i < NT; i++) {
        long long m = mismatches(&T[i]);
        if (m) {
            bad += m;
            size_t l = strlen(badt);
            snprintf(badt + l, sizeof badt - l, " %.79s:%lld", T[i].name, m);
        }
    }
    printf(
        "changes=%ld transactions=%d connections=%d rows=%lld counter_upserts=%lld seconds=%.3f cps=%.0f verify=%s%s",
        changes, K, nconn, rows + nctr, nctr, secs, (double)changes / secs, bad ? "FAILED" : "ok", badt);
    if (c_my >= 0) printf(" cpu_mysqld=%.2f cpu_self=%.2f", c_my, c_self);
    if (st0 >= 0 && st1 >= 0) printf(" steal=%.2f", st1 - st0);
    printf("\n");
    for (int i = 0; i < NT; i++) {
        table_t *t = &T[i];
        if (t == ss && HAVE_CTR) {
            printf("  %-28s counters: %lld upserts from %lld stock_change_log rows\n", t->name, nctr, STOCK_LOG_ROWS);
            continue;
        }
        if (!t->ins.nrows && !t->del.nrows && !t->upd.nrows) continue;
        printf("  %-28s insert %6d  delete %6d  update %6d", t->name, t->ins.nrows, t->del.nrows, t->upd.nrows);
        if (t->nucols) {
            printf("  (set");
            for (int c = 0; c < t->nucols; c++)
                printf(" %s", t->col[t->ucols[c]]);
            printf(")");
        }
        printf("\n");
    }
    for (int c = 1; c < nconn; c++)
        of_db_close(cs[c].db);
    of_db_close(db);
    of_config_destroy(cfg);
    return bad ? 3 : 0;
}
