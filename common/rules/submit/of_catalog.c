/* of_catalog.c -- sorting, hash indexes and lookups over the in-memory submission configuration; immutable
 * reference-counted snapshots of per-table blocks; the platform goods overlay of a batch. Pure. */
#include "of_catalog.h"
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

void of_settings_defaults(of_settings_t *s) {
    memset(s, 0, sizeof *s);
    s->preorder_stock_calc = 1;
    s->no_all_gift_split = 1;
    s->big_max_split = 5; /* MID-BIG-01: the sample's CFG_BIG_MAX_SPLIT */ /* MID-SPW-04: no order of gifts only unless
                                                                              the setting says so */
    s->cod_logi_mode = 1;
    s->default_logistics_type = 2; /* OF_LT_EXPRESS */
}

/* ------------------------------------------------------------------ order */
#define CMP(a, b)                                                                                                      \
    do {                                                                                                               \
        if ((a) != (b)) return (a) < (b) ? -1 : 1;                                                                     \
    } while (0)

static int cmp_shop(const void *a, const void *b) {
    CMP(((const of_shop_t *)a)->id, ((const of_shop_t *)b)->id);
    return 0;
}
static int cmp_wh(const void *a, const void *b) {
    CMP(((const of_warehouse_t *)a)->id, ((const of_warehouse_t *)b)->id);
    return 0;
}
static int cmp_logi(const void *a, const void *b) {
    const of_logistics_t *x = a, *y = b;
    CMP(x->sort_order, y->sort_order);
    CMP(x->id, y->id);
    return 0;
}
static int cmp_spec(const void *a, const void *b) {
    CMP(((const of_spec_t *)a)->id, ((const of_spec_t *)b)->id);
    return 0;
}
static int cmp_suite(const void *a, const void *b) {
    CMP(((const of_suite_t *)a)->id, ((const of_suite_t *)b)->id);
    return 0;
}
static int cmp_sd(const void *a, const void *b) {
    const of_suite_detail_t *x = a, *y = b;
    CMP(x->suite_id, y->suite_id);
    CMP(x->sort_order, y->sort_order);
    CMP(x->spec_id, y->spec_id);
    return 0;
}
static int cmp_ag(const void *a, const void *b) {
    const of_api_goods_t *x = a, *y = b;
    CMP(x->shop_id, y->shop_id);
    int c = strcmp(x->goods_id, y->goods_id);
    if (c) return c;
    return strcmp(x->spec_id, y->spec_id);
}
static int cmp_cat(const void *a, const void *b) {
    const of_category_t *x = a, *y = b;
    CMP(x->shop_id, y->shop_id);
    return strcmp(x->cid, y->cid);
}
static int cmp_mr(const void *a, const void *b) {
    const of_match_rule_t *x = a, *y = b;
    CMP(y->priority, x->priority); /* desc */
    return 0;
}
static int cmp_swh(const void *a, const void *b) {
    const of_shop_wh_t *x = a, *y = b;
    CMP(x->shop_id, y->shop_id);
    CMP(y->priority, x->priority);
    CMP(x->warehouse_id, y->warehouse_id);
    return 0;
}

/* ------------------------------------------------------------------ tables */
typedef struct {
    size_t elem;
    size_t arr_off, n_off;                  /* in of_catalog_t (settings: none) */
    int (*cmp)(const void *, const void *); /* NULL: kept in the loader's order */
} tdesc_t;

#define ARR(f, n) offsetof(of_catalog_t, f), offsetof(of_catalog_t, n)
static const tdesc_t TD[OF_CT__COUNT] = {
    [OF_CT_SETTINGS] = {sizeof(of_settings_t), 0, 0, NULL},
    [OF_CT_SHOPS] = {sizeof(of_shop_t), ARR(shops, nshops), cmp_shop},
    [OF_CT_WHS] = {sizeof(of_warehouse_t), ARR(whs, nwhs), cmp_wh},
    [OF_CT_WH_AREAS] = {sizeof(of_wh_area_t), ARR(wh_areas, nwh_areas), NULL},
    [OF_CT_LOGIS] = {sizeof(of_logistics_t), ARR(logis, nlogis), cmp_logi},
    [OF_CT_SHOP_WHS] = {sizeof(of_shop_wh_t), ARR(shop_whs, nshop_whs), cmp_swh},
    [OF_CT_SHOP_LOGIS] = {sizeof(of_shop_logi_t), ARR(shop_logis, nshop_logis), NULL},
    [OF_CT_SPECS] = {sizeof(of_spec_t), ARR(specs, nspecs), cmp_spec},
    [OF_CT_SUITES] = {sizeof(of_suite_t), ARR(suites, nsuites), cmp_suite},
    [OF_CT_SUITE_DETAILS] = {sizeof(of_suite_detail_t), ARR(suite_details, nsuite_details), cmp_sd},
    [OF_CT_API_GOODS] = {sizeof(of_api_goods_t), ARR(api_goods, napi_goods), cmp_ag},
    [OF_CT_CATS] = {sizeof(of_category_t), ARR(cats, ncats), cmp_cat},
    [OF_CT_SPEC_WHS] = {sizeof(of_spec_wh_t), ARR(spec_whs, nspec_whs), NULL},
    [OF_CT_REMARK_RULES] = {sizeof(of_remark_rule_t), ARR(remark_rules, nremark_rules), NULL},
    [OF_CT_SALESMAN_RULES] = {sizeof(of_salesman_rule_t), ARR(salesman_rules, nsalesman_rules), NULL},
    [OF_CT_EMPLOYEES] = {sizeof(of_employee_t), ARR(employees, nemployees), NULL},
    [OF_CT_PREORDER_KWS] = {sizeof(of_preorder_kw_t), ARR(preorder_kws, npreorder_kws), NULL},
    [OF_CT_LOGI_STRATEGIES] = {sizeof(of_logi_strategy_t), ARR(logi_strategies, nlogi_strategies), NULL},
    [OF_CT_LOGI_AREAS] = {sizeof(of_logi_area_t), ARR(logi_areas, nlogi_areas), NULL},
    [OF_CT_LOGI_FEES] = {sizeof(of_logi_fee_t), ARR(logi_fees, nlogi_fees), NULL},
    [OF_CT_ALIASES] = {sizeof(of_area_alias_t), ARR(aliases, naliases), NULL},
    [OF_CT_PACKAGES] = {sizeof(of_package_t), ARR(packages, npackages), NULL},
    [OF_CT_PKG_STRATEGIES] = {sizeof(of_package_strategy_t), ARR(pkg_strategies, npkg_strategies), NULL},
    [OF_CT_MATCH_RULES] = {sizeof(of_match_rule_t), ARR(match_rules, nmatch_rules), cmp_mr},
};

size_t of_cat_table_elem(of_cat_table_t t) {
    return t < OF_CT__COUNT ? TD[t].elem : 0;
}

static void *arr_of(const of_catalog_t *c, int t) {
    return *(void *const *)((const char *)c + TD[t].arr_off);
}
static size_t n_of(const of_catalog_t *c, int t) {
    return *(const size_t *)((const char *)c + TD[t].n_off);
}

/* ------------------------------------------------------------------ hash indexes */
/* One index: head[hash & mask] = 1 + the first row of its chain, next[row] = 1 + the next row; chains run in row
 * order, so a walk meets the rows in catalogue order. Code indexes hash the ASCII-folded code, so one index
 * serves exact and case-insensitive lookups (the comparison decides). */
enum {
    IX_SHOP_ID,
    IX_WH_ID,
    IX_WH_NO,
    IX_LOGI_ID,
    IX_SPEC_ID,
    IX_SPEC_NO,
    IX_SPEC_GOODS_NO,
    IX_SUITE_ID,
    IX_SUITE_NO,
    IX_API_KEY,
    IX_CAT_KEY,
    IX_EMP_NAME,
    IX__COUNT
};
_Static_assert(IX__COUNT == OF_CAT_NHIX, "OF_CAT_NHIX is the number of indexes");
static const int IX_TABLE[IX__COUNT] = {
    [IX_SHOP_ID] = OF_CT_SHOPS,       [IX_WH_ID] = OF_CT_WHS,       [IX_WH_NO] = OF_CT_WHS,
    [IX_LOGI_ID] = OF_CT_LOGIS,       [IX_SPEC_ID] = OF_CT_SPECS,   [IX_SPEC_NO] = OF_CT_SPECS,
    [IX_SPEC_GOODS_NO] = OF_CT_SPECS, [IX_SUITE_ID] = OF_CT_SUITES, [IX_SUITE_NO] = OF_CT_SUITES,
    [IX_API_KEY] = OF_CT_API_GOODS,   [IX_CAT_KEY] = OF_CT_CATS,    [IX_EMP_NAME] = OF_CT_EMPLOYEES,
};

struct of_cat_hix_s {
    uint32_t mask;
    uint32_t *head, *next;
};

static uint64_t mix64(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}
static int fold(int c) {
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}
/* FNV-1a over s[0, n), continuing h; ASCII case folded when f */
static uint64_t hbytes(uint64_t h, const char *s, size_t n, int f) {
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)(f ? fold((unsigned char)s[i]) : s[i]);
        h *= 0x100000001b3ULL;
    }
    return h;
}
#define H0 0xcbf29ce484222325ULL
static uint64_t hstr(const char *s, int f) {
    return hbytes(H0, s, strlen(s), f);
}
static uint64_t hkey(uint64_t shop, const char *a, const char *b) {
    uint64_t h = hbytes(H0 ^ mix64(shop), a, strlen(a), 0);
    h = (h ^ 0xff) * 0x100000001b3ULL; /* a separator: ("ab", "c") ≠ ("a", "bc") */
    return b ? hbytes(h, b, strlen(b), 0) : h;
}

static uint64_t row_hash(int ix, const void *r) {
    switch (ix) {
    case IX_SHOP_ID:
        return mix64(((const of_shop_t *)r)->id);
    case IX_WH_ID:
        return mix64(((const of_warehouse_t *)r)->id);
    case IX_WH_NO:
        return hstr(((const of_warehouse_t *)r)->no, 0);
    case IX_LOGI_ID:
        return mix64(((const of_logistics_t *)r)->id);
    case IX_SPEC_ID:
        return mix64(((const of_spec_t *)r)->id);
    case IX_SPEC_NO:
        return hstr(((const of_spec_t *)r)->spec_no, 1);
    case IX_SPEC_GOODS_NO:
        return hstr(((const of_spec_t *)r)->goods_no, 1);
    case IX_SUITE_ID:
        return mix64(((const of_suite_t *)r)->id);
    case IX_SUITE_NO:
        return hstr(((const of_suite_t *)r)->suite_no, 1);
    case IX_API_KEY: {
        const of_api_goods_t *g = r;
        return hkey(g->shop_id, g->goods_id, g->spec_id);
    }
    case IX_CAT_KEY: {
        const of_category_t *g = r;
        return hkey(g->shop_id, g->cid, NULL);
    }
    case IX_EMP_NAME:
        return hstr(((const of_employee_t *)r)->name, 0);
    }
    return 0;
}

static of_cat_hix_t *hix_build(int ix, const void *rows, size_t n) {
    if (n >= UINT32_MAX / 4) return NULL;
    size_t nb = 8;
    while (nb < 2 * n)
        nb *= 2;
    of_cat_hix_t *h = malloc(sizeof *h + (nb + n) * sizeof(uint32_t));
    if (!h) return NULL;
    h->mask = (uint32_t)(nb - 1);
    h->head = (uint32_t *)(h + 1);
    h->next = h->head + nb;
    memset(h->head, 0, nb * sizeof *h->head);
    size_t elem = TD[IX_TABLE[ix]].elem;
    for (size_t i = n; i-- > 0;) {
        uint32_t b = (uint32_t)row_hash(ix, (const char *)rows + i * elem) & h->mask;
        h->next[i] = h->head[b];
        h->head[b] = (uint32_t)(i + 1);
    }
    return h;
}

/* Walk the chain of hash in index ix of c: ROW names the row (type T), BODY returns or continues. Rows past the
 * table's current count (a test shrank it after indexing) are skipped. */
#define HIX_WALK(c, ix, T, arr, n, hash, ROW, BODY)                                                                    \
    do {                                                                                                               \
        const of_cat_hix_t *h_ = (c)->hix[ix];                                                                         \
        for (uint32_t k_ = h_->head[(uint32_t)(hash)&h_->mask]; k_; k_ = h_->next[k_ - 1]) {                           \
            if (k_ - 1 >= (n)) continue;                                                                               \
            const T *ROW = &(arr)[k_ - 1];                                                                             \
            BODY;                                                                                                      \
        }                                                                                                              \
    } while (0)

/* ------------------------------------------------------------------ hand-built catalogues */
void of_cat_index_free(of_catalog_t *c) {
    if (c->owns_hix)
        for (int i = 0; i < IX__COUNT; i++)
            free((void *)c->hix[i]);
    memset(c->hix, 0, sizeof c->hix);
    c->owns_hix = 0;
}

int of_cat_index(of_catalog_t *c) {
    of_cat_index_free(c);
    for (int t = 1; t < OF_CT__COUNT; t++)
        if (TD[t].cmp && n_of(c, t)) qsort(arr_of(c, t), n_of(c, t), TD[t].elem, TD[t].cmp);
    c->owns_hix = 1;
    for (int i = 0; i < IX__COUNT; i++)
        if (!(c->hix[i] = hix_build(i, arr_of(c, IX_TABLE[i]), n_of(c, IX_TABLE[i])))) {
            of_cat_index_free(c);
            return -1;
        }
    return 0;
}

/* ------------------------------------------------------------------ lookups */
#define BY_ID(c, ix, T, arr, n, idv)                                                                                   \
    do {                                                                                                               \
        if ((c)->hix[ix]) {                                                                                            \
            HIX_WALK(c, ix, T, arr, n, mix64(idv), r_, if (r_->id == (idv)) return r_);                                \
            return NULL;                                                                                               \
        }                                                                                                              \
        for (size_t i_ = 0; i_ < (n); i_++)                                                                            \
            if ((arr)[i_].id == (idv)) return &(arr)[i_];                                                              \
        return NULL;                                                                                                   \
    } while (0)

const of_shop_t *of_cat_shop(const of_catalog_t *c, uint64_t id) {
    BY_ID(c, IX_SHOP_ID, of_shop_t, c->shops, c->nshops, id);
}

const of_warehouse_t *of_cat_warehouse(const of_catalog_t *c, uint64_t id) {
    BY_ID(c, IX_WH_ID, of_warehouse_t, c->whs, c->nwhs, id);
}

const of_logistics_t *of_cat_logistics(const of_catalog_t *c, uint64_t id) {
    BY_ID(c, IX_LOGI_ID, of_logistics_t, c->logis, c->nlogis, id);
}

const of_spec_t *of_cat_spec(const of_catalog_t *c, uint64_t id) {
    BY_ID(c, IX_SPEC_ID, of_spec_t, c->specs, c->nspecs, id);
}

const of_suite_t *of_cat_suite(const of_catalog_t *c, uint64_t id) {
    BY_ID(c, IX_SUITE_ID, of_suite_t, c->suites, c->nsuites, id);
}

const of_warehouse_t *of_cat_warehouse_by_no(const of_catalog_t *c, const char *no) {
    if (c->hix[IX_WH_NO]) {
        HIX_WALK(c, IX_WH_NO, of_warehouse_t, c->whs, c->nwhs, hstr(no, 0), w, if (!strcmp(w->no, no)) return w);
        return NULL;
    }
    for (size_t i = 0; i < c->nwhs; i++)
        if (!strcmp(c->whs[i].no, no)) return &c->whs[i];
    return NULL;
}

const of_employee_t *of_cat_employee_by_name(const of_catalog_t *c, const char *name) {
    if (c->hix[IX_EMP_NAME]) {
        HIX_WALK(c, IX_EMP_NAME, of_employee_t, c->employees, c->nemployees, hstr(name, 0), e,
                 if (!strcmp(e->name, name)) return e);
        return NULL;
    }
    for (size_t i = 0; i < c->nemployees; i++)
        if (!strcmp(c->employees[i].name, name)) return &c->employees[i];
    return NULL;
}

const of_suite_detail_t *of_cat_suite_details(const of_catalog_t *c, uint64_t suite_id, size_t *np) {
    size_t lo = 0, hi = c->nsuite_details;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c->suite_details[mid].suite_id < suite_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < c->nsuite_details && c->suite_details[end].suite_id == suite_id)
        end++;
    *np = end - lo;
    return *np ? &c->suite_details[lo] : NULL;
}

static const of_api_goods_t *overlay_get(const of_cat_overlay_t *ov, uint64_t shop_id, const char *goods_id,
                                         const char *spec_id);

const of_api_goods_t *of_cat_api_goods(const of_catalog_t *c, uint64_t shop_id, const char *goods_id,
                                       const char *spec_id) {
    if (strlen(goods_id) >= OF_CODE || strlen(spec_id) >= OF_CODE) return NULL;
    const of_api_goods_t *r;
    if (c->overlay && (r = overlay_get(c->overlay, shop_id, goods_id, spec_id))) return r;
    if (c->api_delta && (r = overlay_get(c->api_delta, shop_id, goods_id, spec_id))) return r;
    if (c->hix[IX_API_KEY]) {
        HIX_WALK(c, IX_API_KEY, of_api_goods_t, c->api_goods, c->napi_goods, hkey(shop_id, goods_id, spec_id), g,
                 if (g->shop_id == shop_id && !strcmp(g->goods_id, goods_id) && !strcmp(g->spec_id, spec_id)) return g);
        return NULL;
    }
    for (size_t i = 0; i < c->napi_goods; i++) {
        const of_api_goods_t *g = &c->api_goods[i];
        if (g->shop_id == shop_id && !strcmp(g->goods_id, goods_id) && !strcmp(g->spec_id, spec_id)) return g;
    }
    return NULL;
}

const of_category_t *of_cat_category(const of_catalog_t *c, uint64_t shop_id, const char *cid) {
    if (strlen(cid) >= OF_CODE) return NULL;
    if (c->hix[IX_CAT_KEY]) {
        HIX_WALK(c, IX_CAT_KEY, of_category_t, c->cats, c->ncats, hkey(shop_id, cid, NULL), g,
                 if (g->shop_id == shop_id && !strcmp(g->cid, cid)) return g);
        return NULL;
    }
    for (size_t i = 0; i < c->ncats; i++)
        if (c->cats[i].shop_id == shop_id && !strcmp(c->cats[i].cid, cid)) return &c->cats[i];
    return NULL;
}

/* code[0, n) == sys (ASCII case folded when ic): of_automatch's comparison */
static int code_eq(const char *p, size_t n, const char *sys, int ic) {
    if (strlen(sys) != n) return 0;
    for (size_t i = 0; i < n; i++)
        if (ic ? fold((unsigned char)p[i]) != fold((unsigned char)sys[i]) : p[i] != sys[i]) return 0;
    return 1;
}

const of_spec_t *of_cat_spec_by_no(const of_catalog_t *c, const char *code, size_t len, const char *goods_no,
                                   size_t glen, int ic) {
    if (!len || (goods_no && !glen)) return NULL;
#define SPEC_OK(sp)                                                                                                    \
    (!(sp)->deleted && code_eq(code, len, (sp)->spec_no, ic) &&                                                        \
     (!goods_no || code_eq(goods_no, glen, (sp)->goods_no, ic)))
    if (c->hix[IX_SPEC_NO]) {
        HIX_WALK(c, IX_SPEC_NO, of_spec_t, c->specs, c->nspecs, hbytes(H0, code, len, 1), sp,
                 if (SPEC_OK(sp)) return sp);
        return NULL;
    }
    for (size_t i = 0; i < c->nspecs; i++)
        if (SPEC_OK(&c->specs[i])) return &c->specs[i];
    return NULL;
#undef SPEC_OK
}

const of_spec_t *of_cat_spec_by_goods_no(const of_catalog_t *c, const char *code, size_t len, int ic, size_t *np) {
    const of_spec_t *first = NULL;
    *np = 0;
    if (!len) return NULL;
    if (c->hix[IX_SPEC_GOODS_NO]) {
        HIX_WALK(c, IX_SPEC_GOODS_NO, of_spec_t, c->specs, c->nspecs, hbytes(H0, code, len, 1), sp,
                 if (!sp->deleted && code_eq(code, len, sp->goods_no, ic) && !(*np)++) first = sp);
        return first;
    }
    for (size_t i = 0; i < c->nspecs; i++)
        if (!c->specs[i].deleted && code_eq(code, len, c->specs[i].goods_no, ic) && !(*np)++) first = &c->specs[i];
    return first;
}

const of_suite_t *of_cat_suite_by_no(const of_catalog_t *c, const char *code, size_t len, int ic) {
    if (!len) return NULL;
    if (c->hix[IX_SUITE_NO]) {
        HIX_WALK(c, IX_SUITE_NO, of_suite_t, c->suites, c->nsuites, hbytes(H0, code, len, 1), su,
                 if (!su->deleted && code_eq(code, len, su->suite_no, ic)) return su);
        return NULL;
    }
    for (size_t i = 0; i < c->nsuites; i++)
        if (!c->suites[i].deleted && code_eq(code, len, c->suites[i].suite_no, ic)) return &c->suites[i];
    return NULL;
}

int of_cat_area_match(const char *rp, const char *rc, const char *rd, const char *p, const char *c, const char *d) {
    if (strcmp(rp, p)) return 0;
    if (!*rc) return 1;
    if (strcmp(rc, c)) return 0;
    if (!*rd) return 2;
    return strcmp(rd, d) ? 0 : 3;
}

/* ------------------------------------------------------------------ overlay */
/* Rows in insertion order; an open-addressing table of 1 + row index over their keys. */
struct of_cat_overlay_s {
    of_api_goods_t *rows;
    size_t n, cap;
    uint32_t *slots;
    size_t mask; /* slots: mask + 1, a power of two, at most half full */
};

of_cat_overlay_t *of_cat_overlay_new(void) {
    return calloc(1, sizeof(of_cat_overlay_t));
}

void of_cat_overlay_free(of_cat_overlay_t *ov) {
    if (!ov) return;
    free(ov->rows);
    free(ov->slots);
    free(ov);
}

static uint64_t ag_hash(const of_api_goods_t *g) {
    return hkey(g->shop_id, g->goods_id, g->spec_id);
}

/* the slot of (shop, goods_id, spec_id): its row's, or the empty one where it would go */
static size_t overlay_slot(const of_cat_overlay_t *ov, uint64_t h, uint64_t shop_id, const char *goods_id,
                           const char *spec_id) {
    size_t i = (size_t)h & ov->mask;
    for (;; i = (i + 1) & ov->mask) {
        uint32_t k = ov->slots[i];
        if (!k) return i;
        const of_api_goods_t *g = &ov->rows[k - 1];
        if (g->shop_id == shop_id && !strcmp(g->goods_id, goods_id) && !strcmp(g->spec_id, spec_id)) return i;
    }
}

static const of_api_goods_t *overlay_get(const of_cat_overlay_t *ov, uint64_t shop_id, const char *goods_id,
                                         const char *spec_id) {
    if (!ov->n) return NULL;
    uint32_t k = ov->slots[overlay_slot(ov, hkey(shop_id, goods_id, spec_id), shop_id, goods_id, spec_id)];
    return k ? &ov->rows[k - 1] : NULL;
}

static int overlay_rehash(of_cat_overlay_t *ov, size_t nslots) {
    uint32_t *s = calloc(nslots, sizeof *s);
    if (!s) return -1;
    free(ov->slots);
    ov->slots = s;
    ov->mask = nslots - 1;
    for (size_t r = 0; r < ov->n; r++) {
        const of_api_goods_t *g = &ov->rows[r];
        ov->slots[overlay_slot(ov, ag_hash(g), g->shop_id, g->goods_id, g->spec_id)] = (uint32_t)(r + 1);
    }
    return 0;
}

int of_cat_overlay_put(of_cat_overlay_t *ov, const of_api_goods_t *row) {
    if (ov->slots) {
        size_t i = overlay_slot(ov, ag_hash(row), row->shop_id, row->goods_id, row->spec_id);
        if (ov->slots[i]) {
            ov->rows[ov->slots[i] - 1] = *row;
            return 0;
        }
    }
    if (ov->n >= UINT32_MAX / 4) return -1;
    if (ov->n == ov->cap) {
        size_t nc = ov->cap ? ov->cap * 2 : 16;
        of_api_goods_t *r = realloc(ov->rows, nc * sizeof *r);
        if (!r) return -1;
        ov->rows = r;
        ov->cap = nc;
    }
    if (!ov->slots || 2 * (ov->n + 1) > ov->mask + 1) {
        size_t ns = ov->slots ? 2 * (ov->mask + 1) : 32;
        while (2 * (ov->n + 1) > ns)
            ns *= 2;
        if (overlay_rehash(ov, ns)) return -1;
    }
    ov->rows[ov->n] = *row;
    ov->slots[overlay_slot(ov, ag_hash(row), row->shop_id, row->goods_id, row->spec_id)] = (uint32_t)(ov->n + 1);
    ov->n++;
    return 0;
}

void of_cat_overlay_reset(of_cat_overlay_t *ov) {
    if (ov->n && ov->slots) memset(ov->slots, 0, (ov->mask + 1) * sizeof *ov->slots);
    ov->n = 0;
}

const of_api_goods_t *of_cat_overlay_rows(const of_cat_overlay_t *ov, size_t *np) {
    *np = ov ? ov->n : 0;
    return ov && ov->n ? ov->rows : NULL;
}

static of_cat_overlay_t *overlay_copy(const of_cat_overlay_t *src) {
    of_cat_overlay_t *ov = of_cat_overlay_new();
    if (!ov || !src->n) return ov;
    ov->rows = malloc(src->cap * sizeof *ov->rows);
    ov->slots = malloc((src->mask + 1) * sizeof *ov->slots);
    if (!ov->rows || !ov->slots) {
        of_cat_overlay_free(ov);
        return NULL;
    }
    memcpy(ov->rows, src->rows, src->n * sizeof *ov->rows);
    memcpy(ov->slots, src->slots, (src->mask + 1) * sizeof *ov->slots);
    ov->n = src->n;
    ov->cap = src->cap;
    ov->mask = src->mask;
    return ov;
}

/* ------------------------------------------------------------------ table blocks */
struct of_cat_tab_s {
    atomic_int refs;
    int kind;
    void *rows;
    size_t n;
    of_cat_hix_t *hix[IX__COUNT]; /* the indexes of this table (others NULL) */
};

void of_cat_tab_release(of_cat_tab_t *tab) {
    if (!tab || atomic_fetch_sub_explicit(&tab->refs, 1, memory_order_acq_rel) != 1) return;
    for (int i = 0; i < IX__COUNT; i++)
        free(tab->hix[i]);
    free(tab->rows);
    free(tab);
}

static of_cat_tab_t *tab_acquire(of_cat_tab_t *tab) {
    atomic_fetch_add_explicit(&tab->refs, 1, memory_order_relaxed);
    return tab;
}

of_cat_tab_t *of_cat_tab_new(of_cat_table_t t, void *rows, size_t n) {
    if (t >= OF_CT__COUNT) {
        free(rows);
        return NULL;
    }
    of_cat_tab_t *tab = calloc(1, sizeof *tab);
    if (!tab) {
        free(rows);
        return NULL;
    }
    atomic_init(&tab->refs, 1);
    tab->kind = (int)t;
    tab->rows = n ? rows : NULL;
    tab->n = n;
    if (!n) free(rows);
    if (TD[t].cmp && n) qsort(tab->rows, n, TD[t].elem, TD[t].cmp);
    for (int i = 0; i < IX__COUNT; i++)
        if (IX_TABLE[i] == (int)t && !(tab->hix[i] = hix_build(i, tab->rows, n))) {
            of_cat_tab_release(tab);
            return NULL;
        }
    return tab;
}

size_t of_cat_tab_rows(const of_cat_tab_t *tab) {
    return tab ? tab->n : 0;
}

/* ------------------------------------------------------------------ snapshots */
struct of_cat_snap_s {
    atomic_int refs;
    of_catalog_t cat;                 /* the view: arrays and indexes of tabs[], delta over api_goods */
    of_cat_tab_t *tabs[OF_CT__COUNT]; /* one reference each */
    of_cat_overlay_t *delta;          /* committed platform goods not folded into tabs[OF_CT_API_GOODS]; owned */
    size_t api_keys;                  /* distinct platform goods keys: api_goods + delta rows it does not hold */
};

static void snap_free(of_cat_snap_t *s) {
    for (int t = 0; t < OF_CT__COUNT; t++)
        of_cat_tab_release(s->tabs[t]);
    of_cat_overlay_free(s->delta);
    free(s);
}

/* the catalogue view of s from its tables and delta */
static void snap_view(of_cat_snap_t *s) {
    of_catalog_t *c = &s->cat;
    memset(c, 0, sizeof *c);
    if (s->tabs[OF_CT_SETTINGS]->n)
        c->set = *(const of_settings_t *)s->tabs[OF_CT_SETTINGS]->rows;
    else
        of_settings_defaults(&c->set);
    for (int t = 1; t < OF_CT__COUNT; t++) {
        *(void **)((char *)c + TD[t].arr_off) = s->tabs[t]->rows;
        *(size_t *)((char *)c + TD[t].n_off) = s->tabs[t]->n;
    }
    for (int i = 0; i < IX__COUNT; i++)
        c->hix[i] = s->tabs[IX_TABLE[i]]->hix[i];
    c->api_delta = s->delta && s->delta->n ? s->delta : NULL;
}

of_cat_snap_t *of_cat_snap_new(const of_cat_snap_t *base, of_cat_tab_t *tabs[OF_CT__COUNT]) {
    of_cat_snap_t *s = calloc(1, sizeof *s);
    int fail = !s;
    for (int t = 0; t < OF_CT__COUNT; t++) {
        if (fail) {
            of_cat_tab_release(tabs[t]);
            continue;
        }
        if (tabs[t])
            s->tabs[t] = tabs[t];
        else if (base)
            s->tabs[t] = tab_acquire(base->tabs[t]);
        else if (!(s->tabs[t] = of_cat_tab_new((of_cat_table_t)t, NULL, 0)))
            fail = 1;
    }
    if (!fail && base && !tabs[OF_CT_API_GOODS] && base->delta && base->delta->n &&
        !(s->delta = overlay_copy(base->delta)))
        fail = 1;
    if (fail) {
        if (s) snap_free(s);
        return NULL;
    }
    atomic_init(&s->refs, 1);
    s->api_keys = s->delta ? base->api_keys : s->tabs[OF_CT_API_GOODS]->n;
    snap_view(s);
    return s;
}

/* a new api_goods table: the rows of tab with the delta's rows inserted or replacing theirs */
static of_cat_tab_t *fold_delta(const of_catalog_t *c, const of_cat_tab_t *tab, const of_cat_overlay_t *delta) {
    size_t n = tab->n;
    of_api_goods_t *rows = malloc((n + delta->n ? n + delta->n : 1) * sizeof *rows);
    if (!rows) return NULL;
    if (n) memcpy(rows, tab->rows, n * sizeof *rows);
    of_catalog_t base = *c;
    base.overlay = base.api_delta = NULL;
    for (size_t i = 0; i < delta->n; i++) {
        const of_api_goods_t *g = &delta->rows[i];
        const of_api_goods_t *old = of_cat_api_goods(&base, g->shop_id, g->goods_id, g->spec_id);
        if (old)
            rows[old - base.api_goods] = *g;
        else
            rows[n++] = *g;
    }
    return of_cat_tab_new(OF_CT_API_GOODS, rows, n);
}

of_cat_snap_t *of_cat_snap_merge(const of_cat_snap_t *base, const of_api_goods_t *rows, size_t n) {
    of_cat_tab_t *none[OF_CT__COUNT] = {0};
    of_cat_snap_t *s = of_cat_snap_new(base, none);
    if (!s) return NULL;
    if (!n) return s;
    if (!s->delta && !(s->delta = of_cat_overlay_new())) goto oom;
    of_catalog_t plain = s->cat; /* api_goods without the delta: does a key add to it? */
    plain.overlay = plain.api_delta = NULL;
    for (size_t i = 0; i < n; i++) {
        const of_api_goods_t *g = &rows[i];
        int known = overlay_get(s->delta, g->shop_id, g->goods_id, g->spec_id) ||
                    of_cat_api_goods(&plain, g->shop_id, g->goods_id, g->spec_id);
        if (of_cat_overlay_put(s->delta, g)) goto oom;
        if (!known) s->api_keys++;
    }
    size_t limit = s->tabs[OF_CT_API_GOODS]->n / 16;
    if (s->delta->n > (limit > 1024 ? limit : 1024)) {
        of_cat_tab_t *t = fold_delta(&plain, s->tabs[OF_CT_API_GOODS], s->delta);
        if (!t) goto oom;
        of_cat_tab_release(s->tabs[OF_CT_API_GOODS]);
        s->tabs[OF_CT_API_GOODS] = t;
        of_cat_overlay_free(s->delta);
        s->delta = NULL;
        s->api_keys = t->n;
    }
    snap_view(s);
    return s;
oom:
    snap_free(s);
    return NULL;
}

of_cat_snap_t *of_cat_snap_acquire(of_cat_snap_t *s) {
    if (s) atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
    return s;
}

void of_cat_snap_release(of_cat_snap_t *s) {
    if (s && atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) == 1) snap_free(s);
}

const of_catalog_t *of_cat_snap_cat(const of_cat_snap_t *s) {
    return &s->cat;
}

const of_cat_tab_t *of_cat_snap_tab(const of_cat_snap_t *s, of_cat_table_t t) {
    return t < OF_CT__COUNT ? s->tabs[t] : NULL;
}

size_t of_cat_snap_api_keys(const of_cat_snap_t *s) {
    return s->api_keys;
}

size_t of_cat_snap_delta_rows(const of_cat_snap_t *s) {
    return s->delta ? s->delta->n : 0;
}

void of_cat_view(const of_cat_snap_t *s, const of_cat_overlay_t *ov, of_catalog_t *out) {
    *out = s->cat;
    out->overlay = ov; /* rows put into ov later are seen too */
    out->owns_hix = 0;
}
