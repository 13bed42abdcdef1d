/* of_logistics.c -- I_DL_DECIDE_LOGISTICS (SUB-LOGI-01…-05), I_DL_DECIDE_LOGISTICS_FEE (SUB-FEE-01),
 * I_DL_DECIDE_AREA_ALIAS (SUB-ALIAS-01) and the estimated goods cost (SUB-COST-01). */
#include "of_logistics.h"
#include <stdio.h>
#include <string.h>
#include "of_money.h"

typedef unsigned long long ull;

int of_logi_reaches(const of_catalog_t *cat, uint64_t logistics_id, const char *p, const char *c, const char *d) {
    int best = 0, reachable = 1;
    for (size_t i = 0; i < cat->nlogi_areas; i++) {
        const of_logi_area_t *a = &cat->logi_areas[i];
        if (a->logistics_id != logistics_id) continue;
        int m = of_area_match(a->province, a->city, a->district, p, c, d);
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
        if (!of_logi_reaches(c, r->logistics_id, p, ci, d)) {
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
            else if (!of_logi_reaches(c, l->id, p, ci, d))
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

/* ---------------------------------------------------------------- SUB-FEE-01 */

int64_t of_fee_calc(const of_logi_fee_t *f, int64_t weight) {
    int64_t extra = weight - f->first_weight, sw = f->step_weight;
    if (extra <= 0 || sw <= 0) return f->first_fee;
    int64_t q = extra / sw, r = extra % sw;
    switch (f->round_mode) {
    case 2: /* half-up to whole steps */
        return f->first_fee + (q + (2 * r >= sw)) * f->step_fee;
    case 3: /* pro rata, the fee rounded half-up to 0.0001 */
        return f->first_fee + q * f->step_fee + (r * f->step_fee + sw / 2) / sw;
    case 4: /* down */
        return f->first_fee + q * f->step_fee;
    default: /* 1 (and unknown modes, the column default): up to whole steps */
        return f->first_fee + (q + (r > 0)) * f->step_fee;
    }
}

void of_fee_decide(const of_subin_t *in, of_sub_t *s) {
    if (!s->logistics_id) return;
    const of_catalog_t *c = in->cat;
    const char *p = in->raw->receiver_province, *ci = in->raw->receiver_city;
    int64_t w = s->agg.weight;
    const of_logi_fee_t *best = NULL;
    int bspec = -1;
    for (size_t i = 0; i < c->nlogi_fees; i++) {
        const of_logi_fee_t *f = &c->logi_fees[i];
        if (f->logistics_id != s->logistics_id) continue;
        int spec = !f->province[0] ? 0 : strcmp(f->province, p) ? -1 : !f->city[0] ? 1 : strcmp(f->city, ci) ? -1 : 2;
        if (spec < 0) continue;
        /* bracket (from, to]; from 0 = from zero (inclusive), to 0 = unbounded */
        if (!(w > f->weight_from || (f->weight_from == 0 && w >= 0)) || (f->weight_to && w > f->weight_to)) continue;
        if (spec > bspec) {
            best = f;
            bspec = spec;
        }
    }
    char wb[24];
    of_money_fmt(w, wb, sizeof wb);
    if (!best) {
        of_trace_add(&s->trace, "SUB-FEE-01", "post_cost", "no fee row of logistics %llu for %s %s, %s kg: unchanged",
                     (ull)s->logistics_id, p, ci, wb);
        return;
    }
    s->post_cost = of_fee_calc(best, w);
    static const char *const level[] = {"any destination", "province", "city"};
    char fee[24], fw[24], ff[24], stw[24], stf[24];
    of_trace_add(&s->trace, "SUB-FEE-01", "post_cost",
                 "%s: %s kg, %s row %s%s, first %s kg %s + %s per %s kg, round mode %d",
                 of_money_fmt(s->post_cost, fee, sizeof fee), wb, level[bspec], best->province, best->city,
                 of_money_fmt(best->first_weight, fw, sizeof fw), of_money_fmt(best->first_fee, ff, sizeof ff),
                 of_money_fmt(best->step_fee, stf, sizeof stf), of_money_fmt(best->step_weight, stw, sizeof stw),
                 best->round_mode);
}

/* ---------------------------------------------------------------- SUB-ALIAS-01 */

void of_alias_decide(const of_subin_t *in, of_sub_t *s) {
    const of_catalog_t *c = in->cat;
    const char *p = in->raw->receiver_province, *ci = in->raw->receiver_city, *d = in->raw->receiver_district;
    uint64_t keys[2] = {s->logistics_id, 0};
    for (size_t k = 0; k < (s->logistics_id ? 2u : 1u); k++) {
        const of_area_alias_t *best = NULL;
        int bm = 0;
        for (size_t i = 0; i < c->naliases; i++) {
            const of_area_alias_t *a = &c->aliases[i];
            if (a->logistics_id != keys[k]) continue;
            int m = of_area_match(a->province, a->city, a->district, p, ci, d);
            if (m > bm) {
                bm = m;
                best = a;
            }
        }
        if (best) {
            snprintf(s->area_alias, sizeof s->area_alias, "%s", best->alias);
            of_trace_add(&s->trace, "SUB-ALIAS-01", "area_alias", "%s: alias row of logistics %llu for %s %s %s",
                         s->area_alias, (ull)keys[k], best->province, best->city, best->district);
            return;
        }
    }
    snprintf(s->area_alias, sizeof s->area_alias, "%s%s", ci, d);
    of_trace_add(&s->trace, "SUB-ALIAS-01", "area_alias", "%s: no alias row, city + district", s->area_alias);
}

/* ---------------------------------------------------------------- SUB-COST-01 */

void of_cost_decide(const of_subin_t *in, of_sub_t *s) {
    int64_t total = 0;
    size_t priced = 0;
    for (size_t i = 0; i < s->nlines; i++) {
        of_line_t *l = &s->lines[i];
        const of_stock_row_t *r =
            s->warehouse_id && in->stock ? of_stock_find(in->stock, s->warehouse_id, l->spec_id) : NULL;
        l->cost_price = r ? r->cost_price : 0;
        priced += r != NULL;
        total += (int64_t)l->actual_num * l->cost_price;
    }
    s->goods_cost = total;
    char t[24];
    of_trace_add(&s->trace, "SUB-COST-01", "goods_cost",
                 "%s: Σ actual_num × cost price in warehouse %llu (%zu of %zu lines have a stock row)",
                 of_money_fmt(total, t, sizeof t), (ull)s->warehouse_id, priced, s->nlines);
}
