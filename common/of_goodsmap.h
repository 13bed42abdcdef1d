/* of_goodsmap.h -- SUB-TYPE-01…-04, I_DL_MAP_TRADE_GOODS (SUB-MAP-01…-26), SUB-CNT-01/02 and the platform-goods
 * rules of INIT (INIT-03…-06: change detection and auto-match). Pure. */
#ifndef OF_GOODSMAP_H
#define OF_GOODSMAP_H
#include <stdint.h>
#include "of_sub.h"

/* SUB-TYPE-01…-04. Returns 1 when the submission stops (SUB-TYPE-01: process_status cancelled; SUB-TYPE-02:
 * bad_reason 8), else 0 with s->is_sealed (SUB-TYPE-03) and s->pay_time (SUB-TYPE-04: a paid trade, status 20
 * or 30 (OP-16), with a zero/empty pay time takes the trade time) set. */
int of_sub_type(const of_subin_t *in, of_sub_t *s);

/* The result of matching platform goods to system goods. */
typedef struct {
    int type;           /* OF_MATCH_* */
    uint64_t id;        /* spec_id or suite_id */
    char code[OF_CODE]; /* spec_no / suite_no of the target */
} of_match_t;

/* INIT-06 / SUB-MAP-08 auto-match rule (OP-09): try cat->match_rules of shop_id (or 0) by priority; the first
 * rule that finds a target wins. Keys: 1 spec_no = spec_no / suite_no; 2 goods_no + spec_no (a single spec
 * whose goods_no and spec_no both match; suites: suite_no = spec_no); 3 goods_no (goods with exactly one
 * non-deleted spec). Scope 0 specs then suites, 1 specs, 2 suites. ignore_case / trim_space as in the rule.
 * No match → out->type = OF_MATCH_NONE. Returns out->type. */
int of_automatch(const of_catalog_t *cat, uint64_t shop_id, const char *goods_no, const char *spec_no, of_match_t *out);

/* INIT-03 step 1: 1 when the platform goods row's goods_no or spec_no differs from the raw sub-order's. */
int of_api_goods_changed(const of_api_goods_t *gs, const char *goods_no, const char *spec_no);

/* OP-27: split total over n parts by weights (Σ weights > 0; all-zero weights → equal parts): each part =
 * round(total × w_i / Σw, 2 decimals, half away from zero), the last part takes the remainder so that
 * Σ out = total exactly. */
void of_apportion(int64_t total, const int64_t *weights, size_t n, int64_t *out);

/* I_DL_MAP_TRADE_GOODS(0, RAW, P_UseTran = 1) (SUB-MAP-01…-24, -26): builds s->lines from in->raw->orders:
 * zero quantity (SUB-MAP-04), counts (SUB-MAP-05), spec resolution offline (SUB-MAP-06, platform 0: by spec_no)
 * and online (SUB-MAP-08: the stored match of (shop, goods_id, spec_id); with CFG_DYNAMIC_MATCH and automatic
 * matching, of_automatch), commission (SUB-MAP-07), refund status (SUB-MAP-11/12), single specs (SUB-MAP-13…-16),
 * main line (SUB-MAP-17/24), suites (SUB-MAP-18…-23). Any unresolved or invalid goods → SUB-MAP-09/10: marks
 * s->rawo_invalid[i] (and s->rawo_no_api_goods[i] when the platform goods row is missing), bad_reason |= 1,
 * logs "订单包含无效货品" and stops (SUB-MAP-26). Returns 1 when stopped, 0 otherwise, -1 out of memory. */
int of_goods_map(const of_subin_t *in, of_sub_t *s);

/* SUB-CNT-01 (counts differ from the raw trade's goods_count / goods_type_count → bad_reason 2, stop) and
 * SUB-CNT-02 (wms_type < 0 → 0, into s->wms_type). Returns 1 when stopped. */
int of_goods_count_check(const of_subin_t *in, of_sub_t *s);

#endif
