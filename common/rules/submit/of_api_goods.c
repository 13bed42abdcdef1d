/* of_api_goods.c -- the platform-goods rows a raw trade needs (INIT-03, INIT-04 / SUB-MAP-10a). Pure. */
#include "of_api_goods.h"
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
