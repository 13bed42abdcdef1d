/* of_catalog.c -- sorting and lookups over the in-memory submission configuration. */
#include "of_catalog.h"
#include <stdlib.h>
#include <string.h>

void of_settings_defaults(of_settings_t *s) {
    memset(s, 0, sizeof *s);
    s->preorder_stock_calc = 1;
    s->cod_logi_mode = 1;
    s->default_logistics_type = 2; /* OF_LT_EXPRESS */
}

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

void of_cat_index(of_catalog_t *c) {
    if (c->nshops) qsort(c->shops, c->nshops, sizeof *c->shops, cmp_shop);
    if (c->nwhs) qsort(c->whs, c->nwhs, sizeof *c->whs, cmp_wh);
    if (c->nlogis) qsort(c->logis, c->nlogis, sizeof *c->logis, cmp_logi);
    if (c->nspecs) qsort(c->specs, c->nspecs, sizeof *c->specs, cmp_spec);
    if (c->nsuites) qsort(c->suites, c->nsuites, sizeof *c->suites, cmp_suite);
    if (c->nsuite_details) qsort(c->suite_details, c->nsuite_details, sizeof *c->suite_details, cmp_sd);
    if (c->napi_goods) qsort(c->api_goods, c->napi_goods, sizeof *c->api_goods, cmp_ag);
    if (c->ncats) qsort(c->cats, c->ncats, sizeof *c->cats, cmp_cat);
    if (c->nmatch_rules) qsort(c->match_rules, c->nmatch_rules, sizeof *c->match_rules, cmp_mr);
    if (c->nshop_whs) qsort(c->shop_whs, c->nshop_whs, sizeof *c->shop_whs, cmp_swh);
}

const of_shop_t *of_cat_shop(const of_catalog_t *c, uint64_t id) {
    of_shop_t k = {.id = id};
    return c->nshops ? bsearch(&k, c->shops, c->nshops, sizeof k, cmp_shop) : NULL;
}

const of_warehouse_t *of_cat_warehouse(const of_catalog_t *c, uint64_t id) {
    of_warehouse_t k = {.id = id};
    return c->nwhs ? bsearch(&k, c->whs, c->nwhs, sizeof k, cmp_wh) : NULL;
}

const of_warehouse_t *of_cat_warehouse_by_no(const of_catalog_t *c, const char *no) {
    for (size_t i = 0; i < c->nwhs; i++)
        if (!strcmp(c->whs[i].no, no)) return &c->whs[i];
    return NULL;
}

const of_logistics_t *of_cat_logistics(const of_catalog_t *c, uint64_t id) {
    for (size_t i = 0; i < c->nlogis; i++) /* sorted by sort_order: a few dozen rows */
        if (c->logis[i].id == id) return &c->logis[i];
    return NULL;
}

const of_spec_t *of_cat_spec(const of_catalog_t *c, uint64_t id) {
    of_spec_t k = {.id = id};
    return c->nspecs ? bsearch(&k, c->specs, c->nspecs, sizeof k, cmp_spec) : NULL;
}

const of_suite_t *of_cat_suite(const of_catalog_t *c, uint64_t id) {
    of_suite_t k = {.id = id};
    return c->nsuites ? bsearch(&k, c->suites, c->nsuites, sizeof k, cmp_suite) : NULL;
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

const of_api_goods_t *of_cat_api_goods(const of_catalog_t *c, uint64_t shop_id, const char *goods_id,
                                       const char *spec_id) {
    if (!c->napi_goods || strlen(goods_id) >= OF_CODE || strlen(spec_id) >= OF_CODE) return NULL;
    of_api_goods_t k;
    k.shop_id = shop_id;
    strcpy(k.goods_id, goods_id);
    strcpy(k.spec_id, spec_id);
    return bsearch(&k, c->api_goods, c->napi_goods, sizeof k, cmp_ag);
}

int of_cat_put_api_goods(of_catalog_t *c, const of_api_goods_t *row) {
    of_api_goods_t *hit = (of_api_goods_t *)of_cat_api_goods(c, row->shop_id, row->goods_id, row->spec_id);
    if (hit) {
        *hit = *row;
        return 0;
    }
    size_t i = 0;
    while (i < c->napi_goods && cmp_ag(&c->api_goods[i], row) < 0)
        i++;
    of_api_goods_t *a = realloc(c->api_goods, (c->napi_goods + 1) * sizeof *a);
    if (!a) return -1;
    memmove(&a[i + 1], &a[i], (c->napi_goods - i) * sizeof *a);
    a[i] = *row;
    c->api_goods = a;
    c->napi_goods++;
    return 0;
}

const of_category_t *of_cat_category(const of_catalog_t *c, uint64_t shop_id, const char *cid) {
    if (!c->ncats || strlen(cid) >= OF_CODE) return NULL;
    of_category_t k;
    k.shop_id = shop_id;
    strcpy(k.cid, cid);
    return bsearch(&k, c->cats, c->ncats, sizeof k, cmp_cat);
}

const of_employee_t *of_cat_employee_by_name(const of_catalog_t *c, const char *name) {
    for (size_t i = 0; i < c->nemployees; i++)
        if (!strcmp(c->employees[i].name, name)) return &c->employees[i];
    return NULL;
}

int of_cat_area_match(const char *rp, const char *rc, const char *rd, const char *p, const char *c, const char *d) {
    if (strcmp(rp, p)) return 0;
    if (!*rc) return 1;
    if (strcmp(rc, c)) return 0;
    if (!*rd) return 2;
    return strcmp(rd, d) ? 0 : 3;
}

void of_cat_clear(of_catalog_t *c) {
    free(c->shops);
    free(c->whs);
    free(c->wh_areas);
    free(c->logis);
    free(c->shop_whs);
    free(c->shop_logis);
    free(c->specs);
    free(c->suites);
    free(c->suite_details);
    free(c->api_goods);
    free(c->cats);
    free(c->spec_whs);
    free(c->remark_rules);
    free(c->salesman_rules);
    free(c->employees);
    free(c->preorder_kws);
    free(c->logi_strategies);
    free(c->logi_areas);
    free(c->logi_fees);
    free(c->aliases);
    free(c->packages);
    free(c->pkg_strategies);
    free(c->match_rules);
    memset(c, 0, sizeof *c);
}
