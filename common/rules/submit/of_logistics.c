/* of_logistics.c -- I_DL_DECIDE_LOGISTICS (SUB-LOGI-01…-05). Pure. (The fee is of_fee.c's, the area alias
 * of_alias.c's, the goods cost of_cost.c's.) */
#include "of_logistics.h"
#include <stdio.h>
#include <string.h>
#include "of_money.h"

typedef unsigned long long ull;

int of_logistics_reaches(const of_catalog_t *cat, uint64_t logistics_id, const char *p, const char *c, const char *d) {
    int best = 0, reachable = 1;
    for (size_t i = 0; i < cat->nlogi_areas; i++) {
        const of_logi_area_t *a = &cat->logi_areas[i];
        if (a->logistics_id != logistics_id) continue;
        int m = of_cat_area_match(a->province, a->city, a->district, p, c, d);
        if (m > best) {
            best = m;
            reachable = a->is_reachable;
        }
    }
    return reachable;
}

static const char *lb_name(int by) {
    switch (by) {
    case OF_LB_STRATEGY:
        return "strategy";
    case OF_LB_REMARK:
        return "CS remark (SUB-CFG-02)";
    case OF_LB_MANUAL:
        return "manual";
    case OF_LB_WH_ADDRESS:
        return "warehouse address E速宝 (SUB-WH-10)";
    default:
        return "earlier step";
    }
}

/* The logistics id when it exists in the catalogue (disabled rows are not loaded), else NULL. */
static const of_logistics_t *logi(const of_catalog_t *c, uint64_t id) {
    return id ? of_cat_logistics(c, id) : NULL;
}

/* ---------------------------------------------------------------- COD: SUB-LOGI-02/03 */

static const of_logistics_t *decide_cod(const of_subin_t *in, of_sub_t *s, const char **rulep) {
    const of_catalog_t *c = in->cat;
    const of_warehouse_t *wh = s->warehouse_id ? of_cat_warehouse(c, s->warehouse_id) : NULL;
    const of_shop_t *shop = of_cat_shop(c, in->shop_id);
    const of_logistics_t *w = logi(c, wh ? wh->cod_logistics_id : 0), *sh = logi(c, shop ? shop->cod_logistics_id : 0);
    /* SUB-LOGI-02: CFG_COD_LOGI_MODE 2 = by shop first, else (1) by warehouse first. */
    int shop_first = c->set.cod_logi_mode == 2;
    const of_logistics_t *l = shop_first ? (sh ? sh : w) : (w ? w : sh);
    *rulep = "SUB-LOGI-02";
    of_trace_add(&s->trace, "SUB-LOGI-02", "cod",
                 "COD by %s: warehouse %llu COD logistics %llu, shop %llu COD logistics %llu",
                 shop_first ? "shop" : "warehouse", (ull)s->warehouse_id, (ull)(w ? w->id : 0), (ull)in->shop_id,
                 (ull)(sh ? sh->id : 0));
    if (l) return l;
    /* SUB-LOGI-03: the designated COD logistics, else the first COD-capable one (sort order). */
    *rulep = "SUB-LOGI-03";
    l = logi(c, c->set.cod_logistics_id);
    if (l) {
        of_trace_add(&s->trace, "SUB-LOGI-03", "cod", "CFG_COD_LOGISTICS_ID %llu", (ull)l->id);
        return l;
    }
    for (size_t i = 0; i < c->nlogis; i++)
        if (c->logis[i].supports_cod) {
            of_trace_add(&s->trace, "SUB-LOGI-03", "cod", "first COD-capable logistics %llu", (ull)c->logis[i].id);
            return &c->logis[i];
        }
    of_trace_add(&s->trace, "SUB-LOGI-03", "cod", "no COD-capable logistics");
    return NULL;
}

/* ---------------------------------------------------------------- non-COD: SUB-LOGI-04/05 */

/* Next strategy row of a scope after the row prev (SIZE_MAX = none yet), in the order priority desc, table order.
 * key = the shop (scope 3) or warehouse (scope 2); a row key of 0 means every shop / warehouse. SIZE_MAX = none. */
static size_t next_strategy(const of_catalog_t *c, int scope, uint64_t key, size_t prev) {
    size_t best = SIZE_MAX;
    for (size_t i = 0; i < c->nlogi_strategies; i++) {
        const of_logi_strategy_t *r = &c->logi_strategies[i];
        if (r->scope != scope) continue;
        uint64_t rk = scope == OF_LS_SHOP ? r->shop_id : scope == OF_LS_WAREHOUSE ? r->warehouse_id : 0;
        if (rk && rk != key) continue;
        if (prev != SIZE_MAX) { /* strictly after prev in (−priority, index) order */
            int pp = c->logi_strategies[prev].priority;
            if (r->priority > pp || (r->priority == pp && i <= prev)) continue;
        }
        if (best == SIZE_MAX || r->priority > c->logi_strategies[best].priority) best = i;
    }
    return best;
}

static const of_logistics_t *decide_normal(const of_subin_t *in, of_sub_t *s, const char **rulep) {
    const of_catalog_t *c = in->cat;
    const Orderfleet__RawTrade *raw = in->raw;
    const char *p = raw->receiver_province, *ci = raw->receiver_city, *d = raw->receiver_district;
    char wb[24];
    of_money_fmt(s->agg.weight, wb, sizeof wb);

    /* SUB-LOGI-04 step 1: the shop's designated logistics (priority desc); one that does not reach is skipped. */
    *rulep = "SUB-LOGI-04";
    const of_shop_logi_t *sl = NULL;
    for (size_t i = 0; i < c->nshop_logis; i++) {
        const of_shop_logi_t *r = &c->shop_logis[i];
        if (r->shop_id != in->shop_id || !logi(c, r->logistics_id)) continue;
        if (!of_logistics_reaches(c, r->logistics_id, p, ci, d)) {
            of_trace_add(&s->trace, "SUB-LOGI-04", "skipped", "shop logistics %llu does not reach %s %s %s",
                         (ull)r->logistics_id, p, ci, d);
            continue;
        }
        if (!sl || r->priority > sl->priority) sl = r;
    }
    if (sl) {
        of_trace_add(&s->trace, "SUB-LOGI-04", "shop", "shop %llu designated logistics %llu (priority %d)",
                     (ull)in->shop_id, (ull)sl->logistics_id, sl->priority);
        return logi(c, sl->logistics_id);
    }

    /* Steps 2–4 (OP-43): shop > warehouse > global; unreachable skipped; CFG_LOGI_BY_WEIGHT: [min, max) holds
     * the weight; the type must be CFG_DEFAULT_LOGISTICS_TYPE (another type is skipped). */
    static const int scopes[] = {OF_LS_SHOP, OF_LS_WAREHOUSE, OF_LS_GLOBAL};
    static const char *const scope_name[] = {"", "global", "warehouse", "shop"};
    for (size_t k = 0; k < 3; k++) {
        int sc = scopes[k];
        uint64_t key = sc == OF_LS_SHOP ? in->shop_id : sc == OF_LS_WAREHOUSE ? s->warehouse_id : 0;
        for (size_t i = next_strategy(c, sc, key, SIZE_MAX); i != SIZE_MAX; i = next_strategy(c, sc, key, i)) {
            const of_logi_strategy_t *r = &c->logi_strategies[i];
            const of_logistics_t *l = logi(c, r->logistics_id);
            const char *why = NULL;
            if (!l)
                why = "unknown or disabled logistics";
            else if (c->set.logi_by_weight &&
                     (s->agg.weight < r->weight_min || (r->weight_max && s->agg.weight >= r->weight_max)))
                why = "weight outside [min, max) (CFG_LOGI_BY_WEIGHT)";
            else if (!of_logistics_reaches(c, l->id, p, ci, d))
                why = "does not reach the receiver";
            else if (l->type != c->set.default_logistics_type)
                why = "type is not CFG_DEFAULT_LOGISTICS_TYPE";
            if (why) {
                of_trace_add(&s->trace, "SUB-LOGI-04", "skipped", "%s strategy logistics %llu (priority %d): %s",
                             scope_name[sc], (ull)r->logistics_id, r->priority, why);
                continue;
            }
            of_trace_add(&s->trace, "SUB-LOGI-04", "strategy",
                         "%s strategy logistics %llu (priority %d), weight %s kg%s", scope_name[sc], (ull)l->id,
                         r->priority, wb, c->set.logi_by_weight ? " by weight" : "");
            return l;
        }
    }

    /* SUB-LOGI-05 */
    *rulep = "SUB-LOGI-05";
    if (c->set.no_default_logi && c->set.default_logistics_type == OF_LT_CUSTOM) {
        of_trace_add(&s->trace, "SUB-LOGI-05", "none", "CFG_NO_DEFAULT_LOGI and designated type custom: no logistics");
        return NULL;
    }
    for (size_t i = 0; i < c->nlogis; i++)
        if (c->logis[i].type == c->set.default_logistics_type) {
            of_trace_add(&s->trace, "SUB-LOGI-05", "default", "first logistics of type %d: %llu",
                         c->set.default_logistics_type, (ull)c->logis[i].id);
            return &c->logis[i];
        }
    of_trace_add(&s->trace, "SUB-LOGI-05", "none", "no logistics of type %d", c->set.default_logistics_type);
    return NULL;
}

void of_logistics_decide(const of_subin_t *in, of_sub_t *s) {
    /* SUB-LOGI-01: a logistics chosen earlier (CS remark, SUB-WH-10) skips SUB-LOGI-02…-05. */
    if (!s->logistics_id && s->cs.logistics_id) {
        s->logistics_id = s->cs.logistics_id;
        s->logistics_by = OF_LB_REMARK;
    }
    if (s->logistics_id) {
        of_trace_add(&s->trace, "SUB-LOGI-01", "logistics", "%llu chosen by %s: SUB-LOGI-02…-05 skipped",
                     (ull)s->logistics_id, lb_name(s->logistics_by));
        return;
    }
    int cod = s->agg.delivery_term != 1;
    const char *rule = "";
    const of_logistics_t *l = cod ? decide_cod(in, s, &rule) : decide_normal(in, s, &rule);
    if (!l) {
        of_trace_add(&s->trace, rule, "logistics", "none (%s order)", cod ? "COD" : "non-COD");
        return;
    }
    s->logistics_id = l->id;
    s->logistics_by = OF_LB_STRATEGY;
    of_trace_add(&s->trace, rule, "logistics", "%s %s (%llu), %s order", l->no, l->name, (ull)l->id,
                 cod ? "COD" : "non-COD");
}
