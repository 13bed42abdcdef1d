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
    int match_key;      /* OF_MK_* of the rule that found it (explain), 0 = none */
} of_match_t;

/* INIT-06 / SUB-MAP-08 auto-match rule (OP-09): try cat->match_rules of shop_id (or 0) by priority; the first
 * rule that finds a target wins. Keys: 1 spec_no = spec_no / suite_no; 2 goods_no + spec_no (a single spec
 * whose goods_no and spec_no both match; suites: suite_no = spec_no); 3 goods_no (goods with exactly one
 * non-deleted spec). Scope 0 specs then suites, 1 specs, 2 suites. ignore_case / trim_space as in the rule.
 * Deleted specs and suites are never targets; an empty (trimmed) code matches nothing. Equal priorities: the
 * shop's own rule before the all-shops rule. No rule configured for the shop → the schema-default rule
 * (spec_no, specs then suites, ignore case, trim spaces). No match → out->type = OF_MATCH_NONE.
 * Returns out->type. */
int of_automatch(const of_catalog_t *cat, uint64_t shop_id, const char *goods_no, const char *spec_no, of_match_t *out);

/* INIT-05: 1 when a platform goods row is an auto-match candidate: modify_flag > 0 (changed or new, OP-08),
 * automatic matching (is_manual_match = 0) and not deleted (status > 0). The worker writes of_automatch()'s
 * result (INIT-06: match_target_type/id/code, is_stock_change = 1, also for no match, OP-09). */
int of_automatch_candidate(uint32_t modify_flag, int is_manual_match, int status);

/* INIT-04 / SUB-MAP-10a pure part (OP-07): missing[i] = 1 for every raw->orders[i] with goods_id ≠ '' whose
 * platform goods row (shop_id, goods_id, spec_id) is absent from cat (missing has raw->n_orders entries).
 * Returns the number of distinct missing keys = the rows to INSERT IGNORE (with modify_flag = 1, OP-08). */
size_t of_api_goods_missing(const of_catalog_t *cat, uint64_t shop_id, const Orderfleet__RawTrade *raw,
                            uint8_t *missing);

/* INIT-03 step 1: 1 when the platform goods row's goods_no or spec_no differs from the raw sub-order's
 * (byte comparison: a change of case or spaces is a change). */
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
 * logs "订单包含无效货品" and stops (SUB-MAP-26). A quantity or amount past int / int64 (suite quantity × component
 * quantity, the goods count, price × quantity, the catalogue's suite totals) stops it the same way with the reason
 * "数量或金额溢出: …" instead of wrapping (issue 10 item 2). Returns 1 when stopped, 0 otherwise, -1 out of memory. */
int of_goods_map(const of_subin_t *in, of_sub_t *s);

/* SUB-CNT-01 (counts differ from the raw trade's goods_count / goods_type_count → bad_reason 2, stop) and
 * SUB-CNT-02 (wms_type < 0 → 0, into s->wms_type). Returns 1 when stopped. */
int of_goods_count_check(const of_subin_t *in, of_sub_t *s);

#endif
