/* test_catalog.c -- the catalogue's hash indexes (every lookup as before: first row in catalogue order, case,
 * trimming and deleted rows as the matching rules compare), immutable reference-counted snapshots that share
 * unchanged tables, and the batch overlay of platform goods: rows of a rolled-back transaction are never seen
 * again, rows of a committed one reach a new snapshot only (issue 10 item 5, D-T10-30..). */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "of_automatch.h"
#include "of_catalog.h"

/* ---------------------------------------------------------------- helpers */
static uint64_t rng = 88172645463325252ULL;
static uint64_t rnd(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static size_t pick(size_t n) {
    return (size_t)(rnd() % n);
}

/* codes that collide by case, by trailing spaces and by UTF-8 */
static const char *const CODES[] = {"sku-1", "SKU-1", "Sku-2", "sku-2", "sku-2 ", "G-1",
                                    "g-1",   "货品A", "货品a", "x",     "X",      ""};
#define NCODES (sizeof CODES / sizeof CODES[0])

static of_api_goods_t ag(uint64_t shop, const char *gid, const char *sid, uint64_t match_id) {
    of_api_goods_t g = {.shop_id = shop, .match_type = OF_MATCH_SPEC, .match_id = match_id, .status = 1};
    snprintf(g.goods_id, sizeof g.goods_id, "%s", gid);
    snprintf(g.spec_id, sizeof g.spec_id, "%s", sid);
    return g;
}

static void *dup_rows(const void *rows, size_t n, size_t elem) {
    void *p = malloc(n ? n * elem : 1);
    cr_assert_not_null(p);
    if (n) memcpy(p, rows, n * elem);
    return p;
}

static of_cat_tab_t *tab(of_cat_table_t t, const void *rows, size_t n) {
    of_cat_tab_t *tb = of_cat_tab_new(t, dup_rows(rows, n, of_cat_table_elem(t)), n);
    cr_assert_not_null(tb);
    return tb;
}

/* a snapshot of api_goods rows (and two specs) */
static of_cat_snap_t *snap_of(const of_api_goods_t *rows, size_t n) {
    of_cat_tab_t *tabs[OF_CT__COUNT] = {0};
    of_spec_t specs[2] = {{.id = 1, .spec_no = "SKU-1"}, {.id = 2, .spec_no = "SKU-2"}};
    tabs[OF_CT_SPECS] = tab(OF_CT_SPECS, specs, 2);
    tabs[OF_CT_API_GOODS] = tab(OF_CT_API_GOODS, rows, n);
    of_cat_snap_t *s = of_cat_snap_new(NULL, tabs);
    cr_assert_not_null(s);
    return s;
}

/* ---------------------------------------------------------------- a random catalogue, indexed and not */
#define NSPEC 400
#define NSUITE 120
static of_spec_t specs[NSPEC];
static of_suite_t suites[NSUITE];
static of_warehouse_t whs[40];
static of_employee_t emps[40];
static of_shop_t shops[30];
static of_logistics_t logis[30];
static of_api_goods_t agoods[300];
static of_category_t cats[100];
static of_match_rule_t rules[6];
static of_catalog_t cat, scan; /* the same arrays: cat with hash indexes, scan without (the lookups scan) */

static void build(void) {
    memset(&cat, 0, sizeof cat);
    of_settings_defaults(&cat.set);
    for (size_t i = 0; i < NSPEC; i++) {
        specs[i] = (of_spec_t){.id = 1000 - i * 2, .goods_id = i % 50, .deleted = pick(5) == 0};
        snprintf(specs[i].spec_no, sizeof specs[i].spec_no, "%s", CODES[pick(NCODES)]);
        snprintf(specs[i].goods_no, sizeof specs[i].goods_no, "%s", CODES[pick(NCODES)]);
    }
    for (size_t i = 0; i < NSUITE; i++) {
        suites[i] = (of_suite_t){.id = 5000 - i, .deleted = pick(4) == 0};
        snprintf(suites[i].suite_no, sizeof suites[i].suite_no, "%s", CODES[pick(NCODES)]);
    }
    for (size_t i = 0; i < 40; i++) {
        whs[i] = (of_warehouse_t){.id = 80 - i};
        snprintf(whs[i].no, sizeof whs[i].no, "%s", CODES[pick(NCODES)]);
        emps[i] = (of_employee_t){.id = i + 1};
        snprintf(emps[i].name, sizeof emps[i].name, "%s", CODES[pick(NCODES)]);
    }
    for (size_t i = 0; i < 30; i++) {
        shops[i] = (of_shop_t){.id = 60 - 2 * i};
        logis[i] = (of_logistics_t){.id = 90 - i, .sort_order = (int)pick(5)};
    }
    for (size_t i = 0; i < 300; i++) {
        char g[16], s[16];
        snprintf(g, sizeof g, "G%zu", i / 3);
        snprintf(s, sizeof s, "%s", CODES[i % 3]);
        agoods[i] = ag(1 + i % 4, g, s, i);
    }
    for (size_t i = 0; i < 100; i++) {
        cats[i] = (of_category_t){.shop_id = 1 + i % 5, .commission_factor = (int64_t)i};
        snprintf(cats[i].cid, sizeof cats[i].cid, "c%zu", i / 5);
    }
    cat.specs = specs, cat.nspecs = NSPEC;
    cat.suites = suites, cat.nsuites = NSUITE;
    cat.whs = whs, cat.nwhs = 40;
    cat.employees = emps, cat.nemployees = 40;
    cat.shops = shops, cat.nshops = 30;
    cat.logis = logis, cat.nlogis = 30;
    cat.api_goods = agoods, cat.napi_goods = 300;
    cat.cats = cats, cat.ncats = 100;
    cat.match_rules = rules, cat.nmatch_rules = 0;
    cr_assert_eq(of_cat_index(&cat), 0);
    scan = cat;
    memset(scan.hix, 0, sizeof scan.hix);
    scan.owns_hix = 0;
}

static void fini(void) {
    of_cat_index_free(&cat);
}

TestSuite(cat_index, .init = build, .fini = fini);

Test(cat_index, every_lookup_by_id_or_key_finds_what_the_scan_finds) {
    cr_assert_not_null(cat.hix[0]);
    for (uint64_t id = 0; id < 1100; id++) {
        cr_assert_eq(of_cat_spec(&cat, id), of_cat_spec(&scan, id), "spec %llu", (unsigned long long)id);
        cr_assert_eq(of_cat_suite(&cat, id + 4800), of_cat_suite(&scan, id + 4800));
        cr_assert_eq(of_cat_shop(&cat, id % 70), of_cat_shop(&scan, id % 70));
        cr_assert_eq(of_cat_warehouse(&cat, id % 90), of_cat_warehouse(&scan, id % 90));
        cr_assert_eq(of_cat_logistics(&cat, id % 100), of_cat_logistics(&scan, id % 100));
    }
    cr_assert_eq(of_cat_spec(&cat, 1000)->id, 1000u);
    for (size_t i = 0; i < NCODES; i++) {
        cr_assert_eq(of_cat_warehouse_by_no(&cat, CODES[i]), of_cat_warehouse_by_no(&scan, CODES[i]), "%s", CODES[i]);
        cr_assert_eq(of_cat_employee_by_name(&cat, CODES[i]), of_cat_employee_by_name(&scan, CODES[i]));
    }
    for (uint64_t shop = 0; shop < 7; shop++)
        for (size_t i = 0; i < 110; i++) {
            char g[16], c[16];
            snprintf(g, sizeof g, "G%zu", i);
            snprintf(c, sizeof c, "c%zu", i % 25);
            for (size_t k = 0; k < 4; k++) {
                const of_api_goods_t *a = of_cat_api_goods(&cat, shop, g, CODES[k]);
                cr_assert_eq(a, of_cat_api_goods(&scan, shop, g, CODES[k]));
                if (a) cr_assert(a->shop_id == shop && !strcmp(a->goods_id, g) && !strcmp(a->spec_id, CODES[k]));
            }
            cr_assert_eq(of_cat_category(&cat, shop, c), of_cat_category(&scan, shop, c));
        }
    char longcode[OF_CODE + 8];
    memset(longcode, 'a', sizeof longcode - 1);
    longcode[sizeof longcode - 1] = '\0';
    cr_assert_null(of_cat_api_goods(&cat, 1, longcode, ""), "a code longer than the column is never found");
}

Test(cat_index, code_lookups_keep_case_trimming_and_deleted_rows) {
    for (size_t i = 0; i < NCODES; i++)
        for (size_t j = 0; j < NCODES; j++)
            for (int ic = 0; ic < 2; ic++) {
                const char *a = CODES[i], *b = CODES[j];
                size_t la = strlen(a), lb = strlen(b), n1, n2;
                cr_assert_eq(of_cat_spec_by_no(&cat, a, la, NULL, 0, ic), of_cat_spec_by_no(&scan, a, la, NULL, 0, ic));
                cr_assert_eq(of_cat_spec_by_no(&cat, a, la, b, lb, ic), of_cat_spec_by_no(&scan, a, la, b, lb, ic));
                cr_assert_eq(of_cat_spec_by_goods_no(&cat, a, la, ic, &n1),
                             of_cat_spec_by_goods_no(&scan, a, la, ic, &n2));
                cr_assert_eq(n1, n2);
                cr_assert_eq(of_cat_suite_by_no(&cat, a, la, ic), of_cat_suite_by_no(&scan, a, la, ic));
                const of_spec_t *sp = of_cat_spec_by_no(&cat, a, la, NULL, 0, ic);
                if (sp) cr_assert(!sp->deleted && (ic ? !strcasecmp(sp->spec_no, a) : !strcmp(sp->spec_no, a)));
            }
    /* a span that does not end in NUL (the trimmed platform code) */
    const of_spec_t *sp = of_cat_spec_by_no(&cat, "sku-2 ", 5, NULL, 0, 0);
    cr_assert_eq(sp, of_cat_spec_by_no(&cat, "sku-2", 5, NULL, 0, 0));
    cr_assert_null(of_cat_spec_by_no(&cat, "", 0, NULL, 0, 1), "an empty code matches nothing");
}

/* of_automatch written with the index lookups: the same answer for every rule and code (the rule module may
 * switch to them without a change of behaviour) */
static void span(const char *code, int trim, const char **bp, size_t *np) {
    const char *b = code;
    size_t n = strlen(b);
    if (trim) {
        while (n && (*b == ' ' || *b == '\t'))
            b++, n--;
        while (n && (b[n - 1] == ' ' || b[n - 1] == '\t'))
            n--;
    }
    *bp = b;
    *np = n;
}
static int idx_try(const of_match_rule_t *r, const char *goods_no, const char *spec_no, of_match_t *out) {
    const char *gn, *sn;
    size_t gl, sl;
    span(goods_no, r->trim_space, &gn, &gl);
    span(spec_no, r->trim_space, &sn, &sl);
    if (r->target_scope == 0 || r->target_scope == 1) {
        const of_spec_t *hit = NULL;
        size_t n = 0;
        if (r->match_key == OF_MK_SPEC_NO) hit = of_cat_spec_by_no(&cat, sn, sl, NULL, 0, r->ignore_case);
        if (r->match_key == OF_MK_GOODS_SPEC_NO) hit = of_cat_spec_by_no(&cat, sn, sl, gn, gl, r->ignore_case);
        if (r->match_key == OF_MK_GOODS_NO &&
            !((hit = of_cat_spec_by_goods_no(&cat, gn, gl, r->ignore_case, &n)) && n == 1))
            hit = NULL;
        if (hit) {
            *out = (of_match_t){.type = OF_MATCH_SPEC, .id = hit->id, .match_key = r->match_key};
            snprintf(out->code, sizeof out->code, "%s", hit->spec_no);
            return 1;
        }
    }
    if ((r->target_scope == 0 || r->target_scope == 2) &&
        (r->match_key == OF_MK_SPEC_NO || r->match_key == OF_MK_GOODS_SPEC_NO)) {
        const of_suite_t *su = of_cat_suite_by_no(&cat, sn, sl, r->ignore_case);
        if (su) {
            *out = (of_match_t){.type = OF_MATCH_SUITE, .id = su->id, .match_key = r->match_key};
            snprintf(out->code, sizeof out->code, "%s", su->suite_no);
            return 1;
        }
    }
    return 0;
}

Test(cat_index, automatch_through_the_indexes_answers_as_the_rule) {
    size_t hits[3] = {0, 0, 0};
    for (int round = 0; round < 400; round++) {
        rules[0] = (of_match_rule_t){.shop_id = pick(3),
                                     .match_key = 1 + (int)pick(3),
                                     .target_scope = (int)pick(3),
                                     .ignore_case = (int)pick(2),
                                     .trim_space = (int)pick(2)};
        cat.nmatch_rules = 1;
        for (size_t i = 0; i < NCODES; i++)
            for (size_t j = 0; j < NCODES; j += 2) {
                of_match_t want, got = {0};
                of_automatch(&cat, rules[0].shop_id, CODES[j], CODES[i], &want);
                if (!idx_try(&rules[0], CODES[j], CODES[i], &got)) memset(&got, 0, sizeof got);
                cr_assert_eq(got.type, want.type, "rule key %d scope %d ic %d trim %d, goods '%s' spec '%s'",
                             rules[0].match_key, rules[0].target_scope, rules[0].ignore_case, rules[0].trim_space,
                             CODES[j], CODES[i]);
                cr_assert_eq(got.id, want.id);
                cr_assert_str_eq(got.code, want.code);
                hits[want.type]++;
            }
    }
    cr_assert(hits[OF_MATCH_NONE] && hits[OF_MATCH_SPEC] && hits[OF_MATCH_SUITE], "none %zu, spec %zu, suite %zu",
              hits[0], hits[1], hits[2]);
}

Test(cat_index, a_hand_built_catalogue_without_indexes_is_scanned) {
    of_catalog_t c;
    memset(&c, 0, sizeof c);
    of_spec_t s[2] = {{.id = 9, .spec_no = "A"}, {.id = 3, .spec_no = "a"}};
    c.specs = s, c.nspecs = 2;
    cr_assert_eq(of_cat_spec(&c, 3), &s[1]);
    cr_assert_eq(of_cat_spec_by_no(&c, "a", 1, NULL, 0, 1), &s[0], "first in catalogue order");
    cr_assert_eq(of_cat_index(&c), 0);
    cr_assert_eq(of_cat_spec(&c, 3)->id, 3u);
    cr_assert_eq(of_cat_spec_by_no(&c, "a", 1, NULL, 0, 1)->id, 3u, "sorted by id: spec 3 first");
    of_cat_index_free(&c);
}

/* ---------------------------------------------------------------- snapshots and the overlay */
static const of_api_goods_t *find(const of_catalog_t *c, const char *gid) {
    return of_cat_api_goods(c, 1, gid, "S1");
}

Test(cat_snap, a_rolled_back_batch_leaves_no_platform_goods_behind) {
    /* issue 10 item 5: INIT-04 put the new row into the shared cache inside the transaction; after a rollback
     * (or the poison-message fallback) the retry found it cached and never inserted it (D-SUB-5) */
    of_api_goods_t base[1] = {ag(1, "G1", "S1", 1)};
    of_cat_snap_t *s = snap_of(base, 1);
    of_cat_overlay_t *ov = of_cat_overlay_new();
    of_catalog_t v;
    of_cat_view(s, ov, &v); /* transaction 1 */
    cr_assert_null(find(&v, "G2"), "new platform goods: INIT-04 inserts them");
    of_api_goods_t row = ag(1, "G2", "S1", 2);
    cr_assert_eq(of_cat_overlay_put(ov, &row), 0);
    cr_assert_not_null(find(&v, "G2"), "the batch sees its own row");
    cr_assert_null(find(of_cat_snap_cat(s), "G2"), "the snapshot is never written");
    of_cat_overlay_reset(ov); /* rolled back */
    of_cat_view(s, ov, &v);   /* transaction 2: the retry, or the message alone in the poison search */
    cr_assert_null(find(&v, "G2"), "after the rollback the retry must insert the row again");
    cr_assert_not_null(find(&v, "G1"));
    of_cat_overlay_free(ov);
    of_cat_snap_release(s);
}

Test(cat_snap, committed_rows_reach_a_new_snapshot_and_the_old_one_is_unchanged) {
    of_api_goods_t base[2] = {ag(1, "G1", "S1", 1), ag(2, "G1", "S1", 1)};
    of_cat_snap_t *s1 = snap_of(base, 2);
    of_cat_snap_t *held = of_cat_snap_acquire(s1); /* a batch that started on s1 */
    of_cat_overlay_t *ov = of_cat_overlay_new();
    of_api_goods_t r1 = ag(1, "G2", "S1", 2), r2 = ag(1, "G1", "S1", 7); /* a new row, a re-matched row */
    cr_assert_eq(of_cat_overlay_put(ov, &r1), 0);
    cr_assert_eq(of_cat_overlay_put(ov, &r2), 0);
    cr_assert_eq(of_cat_overlay_put(ov, &r2), 0, "the same key twice is one row");
    size_t n;
    const of_api_goods_t *rows = of_cat_overlay_rows(ov, &n);
    cr_assert_eq(n, 2u);
    of_cat_snap_t *s2 = of_cat_snap_merge(s1, rows, n); /* after the commit */
    cr_assert_not_null(s2);
    of_cat_snap_release(s1); /* published: s2 replaces s1 */
    cr_assert_eq(find(of_cat_snap_cat(s2), "G2")->match_id, 2u);
    cr_assert_eq(find(of_cat_snap_cat(s2), "G1")->match_id, 7u);
    cr_assert_eq(of_cat_api_goods(of_cat_snap_cat(s2), 2, "G1", "S1")->match_id, 1u);
    cr_assert_eq(of_cat_snap_api_keys(s2), 3u);
    cr_assert_null(find(of_cat_snap_cat(held), "G2"), "the batch keeps the snapshot it started with");
    cr_assert_eq(find(of_cat_snap_cat(held), "G1")->match_id, 1u);
    cr_assert_eq(of_cat_snap_api_keys(held), 2u);
    cr_assert_eq(of_cat_snap_tab(held, OF_CT_API_GOODS), of_cat_snap_tab(s2, OF_CT_API_GOODS),
                 "a small merge shares the api_goods table (a delta over it)");
    cr_assert_eq(of_cat_snap_delta_rows(s2), 2u);
    of_cat_snap_release(held);
    /* a snapshot derived from s2 keeps its merged rows, until api_goods is read again */
    of_cat_tab_t *tabs[OF_CT__COUNT] = {0};
    of_settings_t set;
    of_settings_defaults(&set);
    set.grab = 1;
    tabs[OF_CT_SETTINGS] = tab(OF_CT_SETTINGS, &set, 1);
    of_cat_snap_t *s3 = of_cat_snap_new(s2, tabs);
    cr_assert_eq(of_cat_snap_cat(s3)->set.grab, 1);
    cr_assert_eq(of_cat_snap_cat(s2)->set.grab, 0);
    cr_assert_eq(find(of_cat_snap_cat(s3), "G2")->match_id, 2u);
    cr_assert_eq(of_cat_snap_tab(s3, OF_CT_SPECS), of_cat_snap_tab(s2, OF_CT_SPECS), "unchanged tables are shared");
    cr_assert_neq(of_cat_snap_tab(s3, OF_CT_SETTINGS), of_cat_snap_tab(s2, OF_CT_SETTINGS));
    tabs[OF_CT_SETTINGS] = NULL;
    tabs[OF_CT_API_GOODS] = tab(OF_CT_API_GOODS, base, 1);
    of_cat_snap_t *s4 = of_cat_snap_new(s3, tabs);
    cr_assert_null(find(of_cat_snap_cat(s4), "G2"), "a table read again replaces the merged rows");
    cr_assert_eq(of_cat_snap_api_keys(s4), 1u);
    of_cat_snap_release(s2);
    of_cat_snap_release(s3);
    cr_assert_eq(of_cat_snap_cat(s4)->set.grab, 1, "s4 holds the settings of s3 after s3 is gone");
    of_cat_snap_release(s4);
    of_cat_overlay_free(ov);
}

Test(cat_snap, a_large_delta_is_folded_into_a_new_table) {
    of_api_goods_t base[1] = {ag(1, "G0", "S1", 0)};
    of_cat_snap_t *s = snap_of(base, 1);
    const of_cat_tab_t *t0 = of_cat_snap_tab(s, OF_CT_API_GOODS);
    of_api_goods_t rows[100];
    for (int b = 0; b < 12; b++) { /* 1,200 rows in 12 commits */
        for (int i = 0; i < 100; i++) {
            char g[16];
            snprintf(g, sizeof g, "G%d", b * 100 + i);
            rows[i] = ag(1, g, "S1", (uint64_t)(b * 100 + i + 1000));
        }
        of_cat_snap_t *n = of_cat_snap_merge(s, rows, 100);
        cr_assert_not_null(n);
        of_cat_snap_release(s);
        s = n;
    }
    cr_assert_neq(of_cat_snap_tab(s, OF_CT_API_GOODS), t0, "folded into a new table");
    cr_assert_lt(of_cat_snap_delta_rows(s), 1024u);
    cr_assert_eq(of_cat_snap_api_keys(s), 1200u, "G0 replaced, G1..G1199 added");
    for (int i = 0; i < 1200; i++) {
        char g[16];
        snprintf(g, sizeof g, "G%d", i);
        cr_assert_eq(find(of_cat_snap_cat(s), g)->match_id, (uint64_t)(i + 1000), "%s", g);
    }
    of_cat_snap_release(s);
}

static void *churn(void *arg) {
    of_cat_snap_t *s = arg;
    for (int i = 0; i < 100000; i++)
        of_cat_snap_release(of_cat_snap_acquire(s));
    return NULL;
}

Test(cat_snap, references_count_across_threads) {
    of_api_goods_t base[1] = {ag(1, "G1", "S1", 1)};
    of_cat_snap_t *s = snap_of(base, 1);
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        cr_assert_eq(pthread_create(&th[i], NULL, churn, s), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    cr_assert_not_null(find(of_cat_snap_cat(s), "G1"), "still alive: one reference left");
    of_cat_snap_release(s); /* the last one frees it (ASan: no leak, no double free) */
}
