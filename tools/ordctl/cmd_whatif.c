/* ordctl what-if: the submission decisions of a window's raw trades run again with the configuration changed, and
 * how they would differ (docs/operations.md "What if we change this strategy?", docs/decisions.md "What-if"). */
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "of_catload.h"
#include "of_db.h"
#include "of_file.h"
#include "of_rawtrade.h"
#include "of_time.h"
#include "of_whatif.h"
#include "of_wiload.h"
#include "of_explain.h"
#include "of_progress.h"
#include "ordctl.h"

static const char USAGE[] =
    "usage: ordctl what-if --since T [--until T] [--received] (--sql CHANGES.sql | --set KEY=VALUE ...)\n"
    "                      [--explain TID ...] [--per-order] [--limit N] [--json] [--batch N]\n"
    "\n"
    "Runs the submission decisions of the raw trades in the window again, in memory, twice: with the\n"
    "configuration as it is now (\"before\") and with the changes applied (\"after\"), through the same rules\n"
    "as trade-submit, and prints how the decisions would differ: warehouse, logistics, package, fee, status,\n"
    "pre-order, and whether (and by which rule) a trade is stopped. Nothing real is written: --sql runs in a\n"
    "read-only session of its own against temporary copies of the configuration tables, which the server\n"
    "drops with the session (also on an error, Ctrl-C or kill).\n"
    "\n"
    "  --since T, --until T   the window [T, T2) on the raw trades' trade_time (YYYY-MM-DD[ HH:MM:SS]);\n"
    "                         --received: on their arrival time (api_trade.created_at) instead\n"
    "  --sql FILE             INSERT / UPDATE / DELETE / REPLACE statements on the configuration tables (cfg_*,\n"
    "                         goods_*, api_goods_spec, ...); any other statement is refused before anything runs,\n"
    "                         a write to another table is refused by the server\n"
    "  --set KEY=VALUE        a cfg_setting key the submission reads (CFG_CHECK_STOCK, CFG_PACKAGE,\n"
    "                         CFG_PREORDER, CFG_WH_BY_GOODS, WAIT_UNPAID, DELAY_AUDIT ...; repeatable);\n"
    "                         keys of other rules (splits, merges, trade-modify) are refused\n"
    "  --explain TID          the rule trace of that trade before and after (as `ordctl explain` prints it)\n"
    "  --per-order            every changed order: tid, field before -> after (--limit N: the first N; 0 = all)\n"
    "  --json                 one JSON document instead of the text report\n"
    "  --batch N              raw trades read per statement (default 1000)\n"
    "\n"
    "Also counts how many \"before\" decisions differ from what is stored today (drift: configuration changed\n"
    "since, stock moved, or trades of different buyers raced for stock; status is left out, it moves on).\n"
    "Exit 0 when it ran (with or without differences), 1 on an error, 2 on a usage error.\n";

#define MAX_SETS 32
#define MAX_EXPLAIN 16

typedef struct {
    const char *since, *until, *sql_file;
    const char *sets[MAX_SETS];
    int nsets;
    const char *explain[MAX_EXPLAIN];
    int nexplain;
    int per_order, json, received;
    long limit, batch;
} opts_t;

/* "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS" (or with 'T') into buf; 0 on success. */
static int window_time(const char *in, char *buf, size_t size) {
    if (strlen(in) == 10)
        snprintf(buf, size, "%s 00:00:00", in);
    else
        snprintf(buf, size, "%s", in);
    if (strlen(buf) > 10 && buf[10] == 'T') buf[10] = ' ';
    return of_rawtrade_time_ok(buf, 0) ? 0 : -1;
}

static int parse(int argc, char **argv, opts_t *o) {
    memset(o, 0, sizeof *o);
    o->limit = 0;
    o->batch = 1000;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(a, "--since") && more)
            o->since = argv[++i];
        else if (!strcmp(a, "--until") && more)
            o->until = argv[++i];
        else if (!strcmp(a, "--received"))
            o->received = 1;
        else if (!strcmp(a, "--sql") && more)
            o->sql_file = argv[++i];
        else if (!strcmp(a, "--set") && more && o->nsets < MAX_SETS)
            o->sets[o->nsets++] = argv[++i];
        else if (!strcmp(a, "--explain") && more && o->nexplain < MAX_EXPLAIN)
            o->explain[o->nexplain++] = argv[++i];
        else if (!strcmp(a, "--per-order"))
            o->per_order = 1;
        else if (!strcmp(a, "--json"))
            o->json = 1;
        else if (!strcmp(a, "--limit") && more)
            o->limit = strtol(argv[++i], NULL, 10);
        else if (!strcmp(a, "--batch") && more)
            o->batch = strtol(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "ordctl what-if: unknown or incomplete argument %s (ordctl what-if --help)\n", a);
            return -1;
        }
    }
    if (!o->since) {
        fprintf(stderr, "ordctl what-if: --since is required (ordctl what-if --help)\n");
        return -1;
    }
    if (!o->sql_file && !o->nsets) {
        fprintf(stderr,
                "ordctl what-if: nothing to change: give --sql FILE or --set KEY=VALUE (ordctl what-if --help)\n");
        return -1;
    }
    if (o->batch < 1 || o->batch > 10000) o->batch = 1000;
    return 0;
}

/* --set KEY=VALUE on the settings s; -1 with a message for a key the submission does not read. */
static int apply_sets(const opts_t *o, of_settings_t *s) {
    for (int i = 0; i < o->nsets; i++) {
        const char *eq = strchr(o->sets[i], '=');
        char key[128];
        if (!eq || eq == o->sets[i] || (size_t)(eq - o->sets[i]) >= sizeof key) {
            fprintf(stderr, "ordctl what-if: --set %s: expected KEY=VALUE\n", o->sets[i]);
            return -1;
        }
        snprintf(key, sizeof key, "%.*s", (int)(eq - o->sets[i]), o->sets[i]);
        if (of_catload_sub_setting(s, key, eq + 1)) {
            fprintf(stderr,
                    "ordctl what-if: --set %s: not a setting the submission reads (keys of trade-modify, the sweep's "
                    "splits and merges, or unknown); see ordctl what-if --help\n",
                    key);
            return -1;
        }
    }
    return 0;
}

/* The catalogue as a new session sees it after the --sql changes (its temporary tables go with the session). */
static of_cat_snap_t *changed_catalogue(const char *sql_file, char *err, size_t size) {
    size_t len = 0;
    char *sql = of_file_read(sql_file, &len);
    if (!sql) {
        snprintf(err, size, "%s: cannot read the file", sql_file);
        return NULL;
    }
    of_db_t *db2 = of_db_connect(cfg, NULL, err, size);
    of_cat_snap_t *snap = NULL;
    if (db2) {
        int failed = 0;
        of_catload_t *cl = of_catload_new(db2);
        of_catload_stats_t st;
        if (!cl)
            snprintf(err, size, "out of memory");
        else if (of_wiload_changes(db2, sql, &failed, err, size) || of_catload_load(cl, &snap, &st, err, size)) {
            if (failed) {
                char *tmp = strdup(err);
                if (tmp) snprintf(err, size, "%s, statement %d: %s", sql_file, failed, tmp);
                free(tmp);
            }
            snap = NULL;
        }
        of_catload_destroy(cl);
        of_db_close(db2); /* the temporary tables go with the session */
    }
    free(sql);
    return snap;
}

static int wanted(const opts_t *o, const char *tid) {
    for (int i = 0; i < o->nexplain; i++)
        if (!strcmp(o->explain[i], tid)) return 1;
    return 0;
}

typedef struct {
    char tid[72];
    char *before, *after; /* trace JSON */
} explained_t;

/* "warehouse BJ-01 -> SH-01; fee 12.0000 -> 10.0000" */
static void describe(unsigned diff, const of_catalog_t *ca, const of_wi_dec_t *a, const of_catalog_t *cb,
                     const of_wi_dec_t *b, char *buf, size_t size) {
    size_t len = 0;
    buf[0] = '\0';
    for (int f = 0; f < OF_WI__FIELDS; f++) {
        if (!(diff & (1u << f))) continue;
        char x[72], y[72];
        of_whatif_value(ca, a, (of_wi_field_t)f, x, sizeof x);
        of_whatif_value(cb, b, (of_wi_field_t)f, y, sizeof y);
        if (len < size)
            len += (size_t)snprintf(buf + len, size - len, "%s%s %s -> %s", len ? "; " : "",
                                    of_whatif_field_name((of_wi_field_t)f), x, y);
    }
    if (a->submitted != b->submitted && len < size) { /* the order that one side makes */
        const of_wi_dec_t *d = a->submitted ? a : b;
        const of_catalog_t *c = a->submitted ? ca : cb;
        char w[72], l[72], st[16];
        of_whatif_value(c, d, OF_WI_WAREHOUSE, w, sizeof w);
        of_whatif_value(c, d, OF_WI_LOGISTICS, l, sizeof l);
        of_whatif_value(c, d, OF_WI_STATUS, st, sizeof st);
        snprintf(buf + len, size - len, " (%s: warehouse %s, logistics %s, status %s)",
                 a->submitted ? "before" : "after", w, l, st);
    }
}

static cJSON *decision_json(const of_catalog_t *cat, const of_wi_dec_t *d) {
    cJSON *o = cJSON_CreateObject();
    for (int f = 0; f < OF_WI__FIELDS; f++) {
        char v[72];
        of_whatif_value(cat, d, (of_wi_field_t)f, v, sizeof v);
        cJSON_AddStringToObject(o, of_whatif_field_name((of_wi_field_t)f), v);
    }
    return o;
}

/* The transitions as [{"field", from_key, to_key, "count"}] into arr. */
static void moves_json(cJSON *arr, const of_wi_move_t *mv, size_t n, const char *from_key, const char *to_key) {
    for (size_t i = 0; i < n; i++) {
        cJSON *m = cJSON_CreateObject();
        cJSON_AddStringToObject(m, "field", of_whatif_field_name(mv[i].field));
        cJSON_AddStringToObject(m, from_key, mv[i].from);
        cJSON_AddStringToObject(m, to_key, mv[i].to);
        cJSON_AddNumberToObject(m, "count", (double)mv[i].count);
        cJSON_AddItemToArray(arr, m);
    }
}

int cmd_whatif(int argc, char **argv) {
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(USAGE, stdout);
        return 0;
    }
    opts_t o;
    if (parse(argc, argv, &o)) return 2;
    char since[32], until[32] = "";
    if (window_time(o.since, since, sizeof since) || (o.until && window_time(o.until, until, sizeof until))) {
        fprintf(stderr, "ordctl what-if: --since / --until: expected YYYY-MM-DD or YYYY-MM-DD HH:MM:SS\n");
        return 2;
    }
    of_settings_t probe; /* refuse a bad --set before connecting */
    of_settings_defaults(&probe);
    if (apply_sets(&o, &probe)) return 2;

    char err[1024];
    int rc = 1;
    of_progress_t prog;
    of_progress_init(&prog, "ordctl what-if", o.json); /* a terminal only, and not with --json */
    int64_t t0 = of_mono_ms();
    of_db_t *db = of_db_connect(cfg, NULL, err, sizeof err);
    of_catload_t *cl = NULL;
    of_cat_snap_t *snap_a = NULL, *snap_b = NULL;
    of_wiload_t *wl = NULL;
    of_stockview_t stock = {0};
    of_wi_side_t *a = NULL, *b = NULL;
    of_wi_sum_t *sum = of_whatif_sum_new(), *drift = of_whatif_sum_new();
    explained_t ex[MAX_EXPLAIN] = {0};
    int nex = 0;
    cJSON *orders_json = o.json ? cJSON_CreateArray() : NULL;
    size_t ntrades = 0, done = 0, stored_n = 0, listed = 0;
    of_catload_stats_t st;
    if (!db || !sum || !drift) goto fail;
    if (!(cl = of_catload_new(db))) goto nomem;
    if (of_catload_load(cl, &snap_a, &st, err, sizeof err)) goto fail;
    if (o.sql_file) {
        if (!(snap_b = changed_catalogue(o.sql_file, err, sizeof err))) goto fail;
    } else {
        snap_b = of_cat_snap_acquire(snap_a);
    }
    if (!(wl = of_wiload_new(db, cfg, since, until, o.received, (size_t)o.batch))) goto nomem;
    if (of_wiload_begin(wl, &ntrades, err, sizeof err) || of_wiload_stock(wl, &stock, err, sizeof err)) goto fail;
    if (!(a = of_whatif_side_new(snap_a, &stock)) || !(b = of_whatif_side_new(snap_b, &stock))) goto nomem;
    if (apply_sets(&o, of_whatif_side_settings(b))) goto fail;
    const of_catalog_t *ca = of_whatif_side_cat(a), *cb = of_whatif_side_cat(b);
    int64_t now = of_cfg_platform_now(cfg);
    int64_t t_loaded = of_mono_ms();
    if (!o.json)
        printf("what-if over %zu raw trades (%s %s .. %s)%s%s\n", ntrades, o.received ? "received" : "trade_time",
               since, *until ? until : "now", o.sql_file ? ", changes from " : "", o.sql_file ? o.sql_file : "");
    for (;;) {
        of_wibatch_t bt;
        if (of_wiload_next(wl, &bt, err, sizeof err)) goto fail;
        if (!bt.n) break;
        of_wi_dec_t *sd = calloc(bt.n, sizeof *sd);
        int *has = calloc(bt.n, sizeof *has);
        if (!sd || !has || of_wiload_stored(wl, &bt, sd, has, err, sizeof err)) {
            free(sd);
            free(has);
            if (!*err) snprintf(err, sizeof err, "out of memory");
            goto fail;
        }
        for (size_t i = 0; i < bt.n; i++) {
            const of_wi_trade_t *t = &bt.trades[i];
            of_sub_t sa, sb;
            of_wi_dec_t da, db_;
            of_sub_init(&sa);
            of_sub_init(&sb);
            int bad = of_whatif_decide(a, t, now, &sa, &da) || of_whatif_decide(b, t, now, &sb, &db_);
            unsigned diff = bad ? 0 : of_whatif_diff(&da, &db_);
            if (!bad && has[i]) {
                stored_n++;
                unsigned dd = of_whatif_diff(&sd[i], &da) & ~(1u << OF_WI_STATUS);
                bad = of_whatif_sum_add(drift, dd, ca, &sd[i], ca, &da);
            }
            if (!bad) bad = of_whatif_sum_add(sum, diff, ca, &da, cb, &db_);
            if (!bad && wanted(&o, t->raw->tid) && nex < MAX_EXPLAIN) {
                snprintf(ex[nex].tid, sizeof ex[nex].tid, "%s", t->raw->tid);
                ex[nex].before = of_trace_json(&sa.trace);
                ex[nex].after = of_trace_json(&sb.trace);
                nex++;
            }
            if (!bad && diff && o.per_order && (!o.limit || listed < (size_t)o.limit)) {
                listed++;
                if (o.json) {
                    cJSON *j = cJSON_CreateObject();
                    cJSON_AddStringToObject(j, "tid", t->raw->tid);
                    cJSON *fields = cJSON_AddArrayToObject(j, "changed");
                    for (int f = 0; f < OF_WI__FIELDS; f++)
                        if (diff & (1u << f))
                            cJSON_AddItemToArray(fields, cJSON_CreateString(of_whatif_field_name((of_wi_field_t)f)));
                    cJSON_AddItemToObject(j, "before", decision_json(ca, &da));
                    cJSON_AddItemToObject(j, "after", decision_json(cb, &db_));
                    cJSON_AddItemToArray(orders_json, j);
                } else {
                    char line[1024];
                    describe(diff, ca, &da, cb, &db_, line, sizeof line);
                    if (listed == 1) printf("\nper order (tid: field before -> after):\n");
                    printf("  %s: %s\n", t->raw->tid, line);
                }
            }
            of_sub_free(&sa);
            of_sub_free(&sb);
            if (bad) {
                free(sd);
                free(has);
                goto nomem;
            }
            done++;
        }
        free(sd);
        free(has);
        of_progress_show(&prog, 0, "%zu / %zu raw trades decided twice", done, ntrades);
    }
    of_progress_end(&prog);
    int64_t t_end = of_mono_ms();
    size_t nmoves, ndrift;
    const of_wi_move_t *mv = of_whatif_sum_moves(sum, &nmoves);
    const of_wi_move_t *dmv = of_whatif_sum_moves(drift, &ndrift);
    if (o.json) {
        cJSON *root = cJSON_CreateObject();
        cJSON_AddNumberToObject(root, "trades", (double)done);
        cJSON_AddNumberToObject(root, "changed", (double)of_whatif_sum_orders(sum));
        cJSON *fields = cJSON_AddObjectToObject(root, "fields");
        for (int f = 0; f < OF_WI__FIELDS; f++)
            cJSON_AddNumberToObject(fields, of_whatif_field_name((of_wi_field_t)f),
                                    (double)of_whatif_sum_field(sum, (of_wi_field_t)f));
        moves_json(cJSON_AddArrayToObject(root, "moves"), mv, nmoves, "from", "to");
        if (o.per_order) cJSON_AddItemToObject(root, "orders", orders_json), orders_json = NULL;
        cJSON *dj = cJSON_AddObjectToObject(root, "drift");
        cJSON_AddNumberToObject(dj, "stored", (double)stored_n);
        cJSON_AddNumberToObject(dj, "differ", (double)of_whatif_sum_orders(drift));
        moves_json(cJSON_AddArrayToObject(dj, "moves"), dmv, ndrift, "stored", "before");
        cJSON *ej = cJSON_AddArrayToObject(root, "explain");
        for (int i = 0; i < nex; i++) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "tid", ex[i].tid);
            cJSON_AddItemToObject(e, "before", cJSON_Parse(ex[i].before ? ex[i].before : "[]"));
            cJSON_AddItemToObject(e, "after", cJSON_Parse(ex[i].after ? ex[i].after : "[]"));
            cJSON_AddItemToArray(ej, e);
        }
        cJSON_AddNumberToObject(root, "seconds", (double)(t_end - t0) / 1000.0);
        char *txt = cJSON_Print(root);
        if (txt) puts(txt);
        free(txt);
        cJSON_Delete(root);
    } else {
        printf("\norders whose decision would change: %zu of %zu\n", of_whatif_sum_orders(sum), done);
        printf("  %-10s %s\n", "field", "orders");
        for (int f = 0; f < OF_WI__FIELDS; f++)
            printf("  %-10s %zu\n", of_whatif_field_name((of_wi_field_t)f), of_whatif_sum_field(sum, (of_wi_field_t)f));
        if (nmoves) printf("\nchanges:\n");
        for (size_t i = 0; i < nmoves; i++)
            printf("  %s %s -> %s: %zu\n", of_whatif_field_name(mv[i].field), mv[i].from, mv[i].to, mv[i].count);
        for (int i = 0; i < nex; i++) {
            printf("\nexplain %s, before (rule trace):\n", ex[i].tid);
            of_explain_trace(stdout, ex[i].before ? ex[i].before : "");
            printf("explain %s, after (rule trace):\n", ex[i].tid);
            of_explain_trace(stdout, ex[i].after ? ex[i].after : "");
        }
        for (int i = 0; i < o.nexplain; i++) {
            int found = 0;
            for (int k = 0; k < nex; k++)
                found |= !strcmp(ex[k].tid, o.explain[i]);
            if (!found) printf("\nexplain %s: no raw trade of that tid in the window\n", o.explain[i]);
        }
        printf("\ndrift: %zu of %zu stored decisions differ from \"before\" (status left out)\n",
               of_whatif_sum_orders(drift), stored_n);
        for (size_t i = 0; i < ndrift && i < 10; i++)
            printf("  stored %s %s -> before %s: %zu\n", of_whatif_field_name(dmv[i].field), dmv[i].from, dmv[i].to,
                   dmv[i].count);
        printf("\ndecided %zu raw trades twice in %.2f s (loading %.2f s); nothing was written\n", done,
               (double)(t_end - t0) / 1000.0, (double)(t_loaded - t0) / 1000.0);
    }
    rc = 0;
    goto out;
nomem:
    snprintf(err, sizeof err, "out of memory");
fail:
    of_progress_end(&prog);
    fprintf(stderr, "ordctl what-if: %s\n", err);
out:
    for (int i = 0; i < nex; i++) {
        free(ex[i].before);
        free(ex[i].after);
    }
    cJSON_Delete(orders_json);
    of_whatif_sum_free(sum);
    of_whatif_sum_free(drift);
    of_whatif_side_free(a);
    of_whatif_side_free(b);
    of_stock_free(&stock);
    of_wiload_destroy(wl);
    of_cat_snap_release(snap_a);
    of_cat_snap_release(snap_b);
    of_catload_destroy(cl);
    of_db_close(db);
    return rc;
}
