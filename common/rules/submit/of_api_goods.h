/* of_api_goods.h -- the platform-goods rows (api_goods_spec) a raw trade needs: INIT-03, INIT-04 / SUB-MAP-10a.
 * Pure. */
#ifndef OF_API_GOODS_H
#define OF_API_GOODS_H
#include <stddef.h>
#include <stdint.h>
#include "of_automatch.h"
#include "of_catalog.h"
#include "trade.pb-c.h"

/* INIT-04 / SUB-MAP-10a pure part (OP-07): missing[i] = 1 for every raw->orders[i] with goods_id ≠ '' whose
 * platform goods row (shop_id, goods_id, spec_id) is absent from cat (missing has raw->n_orders entries).
 * Returns the number of distinct missing keys = the rows to INSERT IGNORE (with modify_flag = 1, OP-08). */
size_t of_api_goods_missing(const of_catalog_t *cat, uint64_t shop_id, const Orderfleet__RawTrade *raw,
                            uint8_t *missing);

/* INIT-03 step 1: 1 when the platform goods row's goods_no or spec_no differs from the raw sub-order's
 * (byte comparison: a change of case or spaces is a change). */
int of_api_goods_changed(const of_api_goods_t *gs, const char *goods_no, const char *spec_no);

/* INIT-03…-06 pure part for one raw sub-order o of shop_id (when CFG_GEN_API_GOODS_SPEC asks for platform goods):
 * what its platform goods row becomes. 0: nothing to write (no goods_id, or the row is there unchanged);
 * 1: INIT-04, a new row *row (auto-matched, INIT-05/06: *m); 2: INIT-03, the changed row *row (goods_no/spec_no of
 * o, re-matched when it is an auto-match candidate; *m the match it keeps, m->code "" when not re-matched). */
int of_api_goods_init(const of_catalog_t *cat, uint64_t shop_id, const Orderfleet__RawSubOrder *o, of_api_goods_t *row,
                      of_match_t *m);

#endif
