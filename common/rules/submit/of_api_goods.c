/* of_api_goods.c -- the platform-goods rows a raw trade needs (INIT-03, INIT-04 / SUB-MAP-10a). Pure. */
#include "of_api_goods.h"
#include <stdio.h>
#include <string.h>

/* INIT-03 step 1 */
int of_api_goods_changed(const of_api_goods_t *gs, const char *goods_no, const char *spec_no) {
    return strcmp(gs->goods_no, goods_no ? goods_no : "") != 0 || strcmp(gs->spec_no, spec_no ? spec_no : "") != 0;
}

/* INIT-04 / SUB-MAP-10a (OP-07) */
size_t of_api_goods_missing(const of_catalog_t *cat, uint64_t shop_id, const Orderfleet__RawTrade *raw,
                            uint8_t *missing) {
    size_t distinct = 0;
    for (size_t i = 0; i < raw->n_orders; i++) {
        const Orderfleet__RawSubOrder *o = raw->orders[i];
        missing[i] = o->goods_id && *o->goods_id && !of_cat_api_goods(cat, shop_id, o->goods_id, o->spec_id);
        if (!missing[i]) continue;
        size_t j = 0;
        while (j < i && !(missing[j] && !strcmp(raw->orders[j]->goods_id, o->goods_id) &&
                          !strcmp(raw->orders[j]->spec_id, o->spec_id)))
            j++;
        if (j == i) distinct++;
    }
    return distinct;
}

/* INIT-03…-06 */
int of_api_goods_init(const of_catalog_t *cat, uint64_t shop_id, const Orderfleet__RawSubOrder *o, of_api_goods_t *row,
                      of_match_t *m) {
    if (!o->goods_id || !*o->goods_id) return 0; /* INIT-03/04: goods_id <> '' */
    const of_api_goods_t *gs = of_cat_api_goods(cat, shop_id, o->goods_id, o->spec_id);
    if (!gs) { /* INIT-04 insert (OP-07, OP-08) → INIT-05/06 auto-match */
        of_automatch(cat, shop_id, o->goods_no, o->spec_no, m);
        memset(row, 0, sizeof *row);
        row->shop_id = shop_id;
        row->match_type = m->type;
        row->match_id = m->id;
        row->status = 1;
        snprintf(row->goods_id, sizeof row->goods_id, "%s", o->goods_id);
        snprintf(row->spec_id, sizeof row->spec_id, "%s", o->spec_id);
    } else if (of_api_goods_changed(gs, o->goods_no, o->spec_no)) { /* INIT-03 → INIT-05/06 */
        *row = *gs;
        /* INIT-05: a changed row (INIT-03 raised its modify_flag) is an auto-match candidate unless matched by hand
         * or deleted */
        if (of_automatch_candidate(1, row->is_manual_match, row->status)) {
            of_automatch(cat, shop_id, o->goods_no, o->spec_no, m);
            row->match_type = m->type;
            row->match_id = m->id;
        } else {
            memset(m, 0, sizeof *m);
            m->type = row->match_type;
            m->id = row->match_id;
        }
    } else {
        return 0;
    }
    snprintf(row->goods_no, sizeof row->goods_no, "%s", o->goods_no ? o->goods_no : "");
    snprintf(row->spec_no, sizeof row->spec_no, "%s", o->spec_no ? o->spec_no : "");
    return gs ? 2 : 1;
}
