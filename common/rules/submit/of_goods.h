/* of_goods.h -- raw sub-orders → system goods: I_DL_MAP_TRADE_GOODS (SUB-MAP-01…-26), SUB-CNT-01/02. Pure. */
#ifndef OF_GOODS_H
#define OF_GOODS_H
#include <stdint.h>
#include "of_sub.h"

/* I_DL_MAP_TRADE_GOODS(0, RAW, P_UseTran = 1) (SUB-MAP-01…-24, -26): builds s->lines from in->raw->orders:
 * zero quantity (SUB-MAP-04), counts (SUB-MAP-05), spec resolution offline (SUB-MAP-06, platform 0: by spec_no)
 * and online (SUB-MAP-08: the stored match of (shop, goods_id, spec_id); with CFG_DYNAMIC_MATCH and automatic
 * matching, of_automatch), commission (SUB-MAP-07), refund status (SUB-MAP-11/12), single specs (SUB-MAP-13…-16),
 * main line (SUB-MAP-17/24), suites (SUB-MAP-18…-23). Any unresolved or invalid goods → SUB-MAP-09/10: marks
 * s->rawo_invalid[i] (and s->rawo_no_api_goods[i] when the platform goods row is missing), bad_reason |= 1,
 * logs "订单包含无效货品" and stops (SUB-MAP-26). A quantity or amount past int / int64 (suite quantity × component
 * quantity, the goods count, price × quantity, the catalogue's suite totals) stops it the same way with the reason
 * "数量或金额溢出: …" instead of wrapping (issue 10 item 2). Returns 1 when stopped, 0 otherwise, -1 out of memory. */
int of_goods_map(const of_subin_t *in, of_sub_t *s);

/* SUB-CNT-01 (counts differ from the raw trade's goods_count / goods_type_count → bad_reason 2, stop) and
 * SUB-CNT-02 (wms_type < 0 → 0, into s->wms_type). Returns 1 when stopped. */
int of_goods_count_check(const of_subin_t *in, of_sub_t *s);
/* SUB-MAP-11: a sub-order's line refund status (V_RefundStatus): 5 when refunded or closed (80, 90), else its own. */
int of_goods_refund_status(const Orderfleet__RawSubOrder *o);

#endif
