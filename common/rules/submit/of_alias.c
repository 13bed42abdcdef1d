/* of_alias.c -- I_DL_DECIDE_AREA_ALIAS (SUB-ALIAS-01): the receiver area's alias. Pure. */
#include "of_alias.h"
#include <stdio.h>
#include <string.h>
#include "of_money.h"

typedef unsigned long long ull;

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
            int m = of_cat_area_match(a->province, a->city, a->district, p, ci, d);
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
