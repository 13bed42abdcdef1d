/* of_catcache.c -- a worker's published catalogue (of_catcache.h). */
#include "of_catcache.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "of_catload.h"
#include "of_log.h"
#include "of_time.h"

struct of_catcache_s {
    const of_config_t *cfg;
    of_catload_t *cl;
    of_cat_snap_t *snap; /* the published catalogue, NULL until loaded */
    int64_t last_check_ms;
    char changed[sizeof(((of_catload_stats_t *)0)->tables)]; /* tables changed since of_catcache_changes() */
};

/* Add the tables of list (comma-separated) not in cc->changed yet. */
static void note_changed(of_catcache_t *cc, const char *list) {
    char one[96];
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        snprintf(one, sizeof one, "%.*s", (int)n, p);
        size_t len = strlen(cc->changed);
        char pad[sizeof one + 2];
        snprintf(pad, sizeof pad, ",%s,", one);
        char have[sizeof cc->changed + 2];
        snprintf(have, sizeof have, ",%s,", cc->changed);
        if (*one && !strstr(have, pad))
            snprintf(cc->changed + len, sizeof cc->changed - len, "%s%s", len ? "," : "", one);
        p = e ? e + 1 : p + n;
    }
}

of_catcache_t *of_catcache_new(const of_config_t *cfg, of_db_t *db) {
    of_catcache_t *cc = calloc(1, sizeof *cc);
    if (!cc) return NULL;
    cc->cfg = cfg;
    if (!(cc->cl = of_catload_new(db))) {
        free(cc);
        return NULL;
    }
    return cc;
}

void of_catcache_destroy(of_catcache_t *cc) {
    if (!cc) return;
    of_catload_destroy(cc->cl);
    of_cat_snap_release(cc->snap);
    free(cc);
}

static void cat_log(const of_catcache_t *cc, const of_catload_stats_t *st, int initial) {
    const of_catalog_t *c = of_cat_snap_cat(cc->snap);
    of_info("catalogue loaded", OF_I("initial", initial), OF_S("tables", st->tables),
            OF_I("incremental", st->incremental), OF_U("rows_read", st->rows), OF_I("ms", st->ms),
            OF_U("shops", c->nshops), OF_U("warehouses", c->nwhs), OF_U("specs", c->nspecs),
            OF_U("platform_goods", of_cat_snap_api_keys(cc->snap)), OF_END);
}

/* Loaded when there is none yet, else refreshed table by table when a table changed; the new snapshot is published,
 * batches that hold the old one keep it. -1 when it could not be read. */
static int refresh(of_catcache_t *cc) {
    of_cat_snap_t *s;
    of_catload_stats_t st;
    char err[256];
    if (of_catload_refresh(cc->cl, cc->snap, &s, &st, err, sizeof err)) {
        of_warn(cc->snap ? "catalogue reload failed" : "catalogue load failed", OF_S("error", err), OF_END);
        return -1;
    }
    if (s) {
        int initial = !cc->snap;
        of_cat_snap_release(cc->snap);
        cc->snap = s;
        cat_log(cc, &st, initial);
        note_changed(cc, st.tables);
    }
    return 0;
}

of_cat_snap_t *of_catcache_acquire(of_catcache_t *cc) {
    if (!cc->snap && refresh(cc)) return NULL;
    return of_cat_snap_acquire(cc->snap);
}

/* Out of memory keeps the old snapshot (the rows are in the database: a later trade inserts them again as no-ops,
 * the next refresh reads them back). */
void of_catcache_commit(of_catcache_t *cc, of_cat_snap_t **batch_snap, int committed, const of_api_goods_t *rows,
                        size_t n) {
    if (!committed || !n) return;
    of_cat_snap_t *s = of_cat_snap_merge(cc->snap, rows, n);
    if (!s) {
        of_warn("catalogue merge failed: out of memory", OF_U("platform_goods", n), OF_END);
        return;
    }
    of_cat_snap_release(cc->snap);
    cc->snap = s;
    of_cat_snap_release(*batch_snap);
    *batch_snap = of_cat_snap_acquire(s);
}

void of_catcache_tick(of_catcache_t *cc) {
    int64_t now = of_now_ms();
    if (now - cc->last_check_ms < of_cfg_int(cc->cfg, OF_CFG_CATALOG_REFRESH_S) * 1000) return;
    cc->last_check_ms = now;
    (void)refresh(cc); /* logged; a batch without a catalogue loads it */
}

void of_catcache_refresh(of_catcache_t *cc) {
    cc->last_check_ms = of_now_ms();
    (void)refresh(cc);
}

int of_catcache_changes(of_catcache_t *cc, char *buf, size_t size) {
    snprintf(buf, size, "%s", cc->changed);
    cc->changed[0] = '\0';
    return *buf != '\0';
}
