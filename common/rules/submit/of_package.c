/* of_package.c -- I_DL_DECIDE_PACKAGE: the package of an order by weight or by volume (SUB-PKG-01…-03). */
#include "of_package.h"
#include <string.h>
#include "of_money.h"

typedef unsigned long long ull;

static const of_package_t *find_package(const of_catalog_t *c, uint64_t id) {
    for (size_t i = 0; i < c->npackages; i++)
        if (c->packages[i].id == id) return &c->packages[i];
    return NULL;
}

/* SUB-PKG-01: strategies of mode 1 for the shop or every shop (0) whose [weight_min, weight_max) holds the
 * order weight (max 0 = unbounded); priority desc, then the shop's own before every-shop rows, then table order. */
static const of_package_t *by_weight(const of_subin_t *in, of_sub_t *s) {
    const of_catalog_t *c = in->cat;
    const of_package_strategy_t *best = NULL;
    const of_package_t *pkg = NULL;
    int64_t w = s->agg.weight;
    for (size_t i = 0; i < c->npkg_strategies; i++) {
        const of_package_strategy_t *ps = &c->pkg_strategies[i];
        if (ps->mode != 1 || (ps->shop_id && ps->shop_id != in->shop_id)) continue;
        if (w < ps->weight_min || (ps->weight_max && w >= ps->weight_max)) continue;
        const of_package_t *p = find_package(c, ps->package_id);
        if (!p) continue; /* package disabled or deleted */
        if (best &&
            (ps->priority < best->priority || (ps->priority == best->priority && (!ps->shop_id || best->shop_id))))
            continue;
        best = ps;
        pkg = p;
    }
    char wb[24], lo[24], hi[24];
    of_money_fmt(w, wb, sizeof wb);
    if (!pkg) {
        of_trace_add(&s->trace, "SUB-PKG-01", "package", "no weight strategy of shop %llu holds %s kg",
                     (ull)in->shop_id, wb);
        return NULL;
    }
    of_trace_add(
        &s->trace, "SUB-PKG-01", "package", "%s (%llu): weight %s kg in [%s, %s) of strategy shop %llu priority %d",
        pkg->no, (ull)pkg->id, wb, of_money_fmt(best->weight_min, lo, sizeof lo),
        best->weight_max ? of_money_fmt(best->weight_max, hi, sizeof hi) : "∞", (ull)best->shop_id, best->priority);
    return pkg;
}

/* SUB-PKG-02 (OP-42): the smallest package whose volume ≥ the order volume, none → the largest; ties → lower id. */
static const of_package_t *by_volume(const of_subin_t *in, of_sub_t *s) {
    const of_catalog_t *c = in->cat;
    int64_t v = s->agg.volume;
    const of_package_t *fit = NULL, *largest = NULL;
    for (size_t i = 0; i < c->npackages; i++) {
        const of_package_t *p = &c->packages[i];
        if (p->volume >= v && (!fit || p->volume < fit->volume || (p->volume == fit->volume && p->id < fit->id)))
            fit = p;
        if (!largest || p->volume > largest->volume || (p->volume == largest->volume && p->id < largest->id))
            largest = p;
    }
    char vb[24], pb[24];
    of_money_fmt(v, vb, sizeof vb);
    if (fit) {
        of_trace_add(&s->trace, "SUB-PKG-02", "package",
                     "%s (%llu): smallest package with volume %s ≥ order volume %s cm3", fit->no, (ull)fit->id,
                     of_money_fmt(fit->volume, pb, sizeof pb), vb);
        return fit;
    }
    if (largest)
        of_trace_add(&s->trace, "SUB-PKG-02", "package", "%s (%llu): no package holds %s cm3, the largest (%s cm3)",
                     largest->no, (ull)largest->id, vb, of_money_fmt(largest->volume, pb, sizeof pb));
    else
        of_trace_add(&s->trace, "SUB-PKG-02", "package", "no package configured");
    return largest;
}

void of_package_decide(const of_subin_t *in, of_sub_t *s) {
    int mode = in->cat->set.package_mode;
    const of_package_t *p = mode == 1 ? by_weight(in, s) : mode == 2 ? by_volume(in, s) : NULL;
    if (!p) return;
    s->package_id = p->id;
    /* SUB-PKG-03 */
    s->agg.weight += p->weight;
    char pw[24], w[24];
    of_trace_add(&s->trace, "SUB-PKG-03", "weight", "+ package %s kg = %s kg", of_money_fmt(p->weight, pw, sizeof pw),
                 of_money_fmt(s->agg.weight, w, sizeof w));
}
