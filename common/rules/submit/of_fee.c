/* of_fee.c -- I_DL_DECIDE_LOGISTICS_FEE (SUB-FEE-01): the logistics fee of an order. Pure. */
#include "of_fee.h"
#include <stdio.h>
#include <string.h>
#include "of_money.h"

typedef unsigned long long ull;

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
