/* of_explain.c -- the explain text (of_explain.h), from the rule traces and logs the workers store. */
#include "of_explain.h"
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include "of_err.h"
#include "of_stock.h"
#include "of_tstatus.h"

static const char SQL_RAW_BY[] =
    "SELECT a.rec_id, a.platform_id, a.shop_no, a.tid, a.trade_status, a.process_status, a.bad_reason, "
    "a.deliver_trade_id, a.submit_rule, a.submit_reason, IFNULL(a.decision_trace, ''), "
    "IFNULL(DATE_FORMAT(a.submitted_at, '%Y-%m-%d %H:%i:%s'), '') FROM api_trade a WHERE (? > 0 AND a.rec_id = ?) OR "
    "(? <> '' AND a.tid = ? AND (? < 0 OR a.platform_id = ?)) OR (? > 0 AND a.deliver_trade_id = ?) ORDER BY a.rec_id "
    "LIMIT 5";
static const char SQL_ORDER[] =
    "SELECT st.trade_id, st.trade_no, st.trade_status, st.refund_status, st.unmerge_mask, st.customer_id, "
    "st.buyer_nick, st.warehouse_id, IFNULL(w.warehouse_no, ''), IFNULL(w.name, ''), st.logistics_id, "
    "IFNULL(l.logistics_no, ''), IFNULL(l.name, ''), st.logistics_by, st.package_id, IFNULL(p.package_no, ''), "
    "st.post_cost, st.area_alias, st.goods_count, st.goods_type_count, st.weight, st.goods_amount, st.paid, "
    "st.goods_cost, IFNULL(DATE_FORMAT(st.delay_to_time, '%Y-%m-%d %H:%i:%s'), ''), st.freeze_reason, "
    "st.receiver_province, st.receiver_city, st.receiver_district, IFNULL((SELECT tt.decision_trace FROM "
    "sales_trade_trace tt WHERE tt.trade_id = st.trade_id), ''), st.bad_reason, "
    "st.block_reason, IFNULL((SELECT GROUP_CONCAT(CONCAT(so.stockout_no, ' block_reason ', so.block_reason)) FROM "
    "stockout_order so WHERE so.src_order_type = 1 AND so.src_order_id = st.trade_id), '') FROM sales_trade st "
    "LEFT JOIN cfg_warehouse w ON w.warehouse_id = st.warehouse_id LEFT JOIN cfg_logistics l ON l.logistics_id = "
    "st.logistics_id LEFT JOIN cfg_package p ON p.package_id = st.package_id WHERE st.trade_id = ?";
static const char SQL_LINES[] =
    "SELECT rec_id, src_oid, spec_id, spec_no, goods_name, num, actual_num, share_amount, refund_status, suite_no, "
    "is_main, stock_reserved, reserved_warehouse_id, reserved_num FROM sales_trade_order WHERE trade_id = ? ORDER BY "
    "rec_id";
static const char SQL_CHANGES[] =
    "SELECT DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s'), event_id, modify_flag, order_flags, status_before, "
    "status_after, block_or, bad_or, outcome, rules, stock FROM sales_trade_change WHERE trade_id = ? ORDER BY rec_id";
/* the order's logs and those of the orders merged into it (their logs stay under their own ids, D-MID-9) */
static const char SQL_LOGS[] =
    "SELECT DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s'), rule_id, IF(trade_id = ?, message, CONCAT('[order ', "
    "trade_id, '] ', message)) FROM sales_trade_log WHERE trade_id = ? OR trade_id IN (SELECT from_trade_id FROM "
    "sales_trade_merge WHERE into_trade_id = ?) ORDER BY rec_id";
/* merges into the order (trade-rules §5, MID-MRG-02/03) */
static const char SQL_MERGES[] =
    "SELECT DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s'), from_trade_id, from_trade_no, rule_id, from_status, "
    "src_tids, receivable FROM sales_trade_merge WHERE into_trade_id = ? ORDER BY rec_id";
/* splits of the order, and where a split order came from (trade-rules §5, MID-SPW) */
static const char SQL_SPLITS[] =
    "SELECT DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s'), from_trade_id, to_trade_id, rule_id, warehouse_id, "
    "goods_count, goods_amount FROM sales_trade_split WHERE from_trade_id = ? OR to_trade_id = ? ORDER BY rec_id";
/* an order merged away: where it went */
static const char SQL_MERGED_INTO[] =
    "SELECT into_trade_id, rule_id, DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s'), from_trade_no FROM "
    "sales_trade_merge WHERE from_trade_id = ? ORDER BY rec_id DESC LIMIT 1";

static const char *logistics_by_name(int b) {
    static const char *const n[] = {"none", "strategy", "CS remark", "manual", "warehouse address"};
    return b >= 0 && b <= 4 ? n[b] : "?";
}

void of_explain_trace(FILE *out, const char *json) {
    cJSON *a = cJSON_Parse(json);
    if (!cJSON_IsArray(a)) {
        fprintf(out, "  (no trace)\n");
        cJSON_Delete(a);
        return;
    }
    cJSON *e;
    cJSON_ArrayForEach(e, a) {
        const char *rule = cJSON_GetStringValue(cJSON_GetObjectItem(e, "rule"));
        const char *key = cJSON_GetStringValue(cJSON_GetObjectItem(e, "key"));
        const char *val = cJSON_GetStringValue(cJSON_GetObjectItem(e, "value"));
        fprintf(out, "  %-12s %-12s %s\n", rule ? rule : "", key ? key : "", val ? val : "");
    }
    cJSON_Delete(a);
}

static const char *cell(const of_rows_t *r, int row, int col) {
    const char *s = of_rows_str(r, row, col);
    return s ? s : "";
}

/* trade-rules §1.8 (sales_trade.bad_reason) and §1.9 (block_reason; 8 is the invoice's and the warehouse's, OP-69) */
typedef struct {
    unsigned bit;
    const char *name;
} bit_name_t;
static const bit_name_t BAD_BITS[] = {{2, "address changed (other state)"},
                                      {4, "invoice changed (other state)"},
                                      {8, "warehouse changed after shipment"},
                                      {16, "CS remark changed awaiting push to warehouse"},
                                      {32, "goods changed"},
                                      {64, "refund on an audited order"}},
                        BLOCK_BITS[] = {{1, "refund applied"},    {2, "refunded"},
                                        {4, "address changed"},   {8, "invoice/warehouse changed"},
                                        {64, "remark changed"},   {128, "goods changed"},
                                        {256, "refund cancelled"}};

/* "  <what>  N: name, name" when any bit is set (MOD interceptions and exceptions, issue 11). */
static void print_bits(FILE *out, const char *what, unsigned v, const bit_name_t *t, size_t n) {
    if (!v) return;
    fprintf(out, "  %-10s %u:", what, v);
    const char *sep = " ";
    for (size_t i = 0; i < n; i++)
        if (v & t[i].bit) {
            fprintf(out, "%s%s", sep, t[i].name);
            sep = ", ";
        }
    fprintf(out, "\n");
}

static int explain_order(of_db_t *db, FILE *out, uint64_t trade_id) {
    char err[512];
    of_rows_t *r;
    of_param_t p[] = {OFP_U(trade_id)};
    if (of_db_query(db, of_db_register(db, SQL_ORDER), p, 1, &r, err, sizeof err)) {
        fprintf(out, "explain: %s\n", err);
        return 1;
    }
    if (!r->nrows) {
        of_rows_free(r);
        if (of_db_query(db, of_db_register(db, SQL_MERGED_INTO), p, 1, &r, err, sizeof err) == OF_OK && r->nrows) {
            uint64_t into = strtoull(cell(r, 0, 0), NULL, 10);
            fprintf(out, "order %s (trade_id %llu) was merged into order %llu by %s at %s; that order:\n",
                    cell(r, 0, 3), (unsigned long long)trade_id, (unsigned long long)into, cell(r, 0, 1),
                    cell(r, 0, 2));
            of_rows_free(r);
            return into && into != trade_id ? explain_order(db, out, into) : 1;
        }
        if (r) of_rows_free(r);
        fprintf(out, "order %llu: not found\n", (unsigned long long)trade_id);
        return 1;
    }
    int st = atoi(cell(r, 0, 2));
    fprintf(out, "order %s (trade_id %s): status %d %s, refund_status %s, unmerge_mask %s\n", cell(r, 0, 1),
            cell(r, 0, 0), st, of_tstatus_name(st), cell(r, 0, 3), cell(r, 0, 4));
    fprintf(out, "  customer   %s (%s)\n", cell(r, 0, 5), cell(r, 0, 6));
    fprintf(out, "  ship to    %s %s %s, area alias \"%s\"\n", cell(r, 0, 26), cell(r, 0, 27), cell(r, 0, 28),
            cell(r, 0, 17));
    fprintf(out, "  warehouse  %s %s %s\n", cell(r, 0, 7), cell(r, 0, 8), cell(r, 0, 9));
    fprintf(out, "  logistics  %s %s %s (chosen by %s), fee %s\n", cell(r, 0, 10), cell(r, 0, 11), cell(r, 0, 12),
            logistics_by_name(atoi(cell(r, 0, 13))), cell(r, 0, 16));
    fprintf(out, "  package    %s %s, weight %s kg\n", cell(r, 0, 14), cell(r, 0, 15), cell(r, 0, 20));
    fprintf(out, "  goods      %s pieces, %s kinds, amount %s, paid %s, estimated cost %s\n", cell(r, 0, 18),
            cell(r, 0, 19), cell(r, 0, 21), cell(r, 0, 22), cell(r, 0, 23));
    if (*cell(r, 0, 24)) fprintf(out, "  delayed to %s\n", cell(r, 0, 24));
    if (atoi(cell(r, 0, 25))) fprintf(out, "  frozen     reason %s\n", cell(r, 0, 25));
    print_bits(out, "exception", (unsigned)strtoul(cell(r, 0, 30), NULL, 10), BAD_BITS,
               sizeof BAD_BITS / sizeof BAD_BITS[0]);
    print_bits(out, "blocked", (unsigned)strtoul(cell(r, 0, 31), NULL, 10), BLOCK_BITS,
               sizeof BLOCK_BITS / sizeof BLOCK_BITS[0]);
    if (*cell(r, 0, 32)) fprintf(out, "  stockout   %s\n", cell(r, 0, 32));
    fprintf(out, "why (rule trace):\n");
    of_explain_trace(out, cell(r, 0, 29));
    of_rows_free(r);
    if (of_db_query(db, of_db_register(db, SQL_LINES), p, 1, &r, err, sizeof err) == OF_OK) {
        fprintf(out, "lines:\n");
        for (int i = 0; i < r->nrows; i++)
            fprintf(out,
                    "  %s oid=%s spec=%s %s \"%s\" num=%s actual=%s amount=%s refund=%s%s%s%s reserved=%s@wh%s x%s\n",
                    cell(r, i, 0), cell(r, i, 1), cell(r, i, 2), cell(r, i, 3), cell(r, i, 4), cell(r, i, 5),
                    cell(r, i, 6), cell(r, i, 7), cell(r, i, 8), *cell(r, i, 9) ? " suite=" : "", cell(r, i, 9),
                    atoi(cell(r, i, 10)) ? " main" : "",
                    of_stock_counter_name((of_res_t)atoi(cell(r, i, 11)))[0]
                        ? of_stock_counter_name((of_res_t)atoi(cell(r, i, 11)))
                        : "none",
                    cell(r, i, 12), cell(r, i, 13));
        of_rows_free(r);
    }
    of_param_t p3[] = {OFP_U(trade_id), OFP_U(trade_id), OFP_U(trade_id)};
    if (of_db_query(db, of_db_register(db, SQL_MERGES), p, 1, &r, err, sizeof err) == OF_OK) {
        if (r->nrows) fprintf(out, "merged in by the sweep (trade-rules §5):\n");
        for (int i = 0; i < r->nrows; i++)
            fprintf(out, "  %s order %s (trade_id %s, status %s, tids %s, receivable %s) merged in by %s\n",
                    cell(r, i, 0), cell(r, i, 2), cell(r, i, 1), cell(r, i, 4), cell(r, i, 5), cell(r, i, 6),
                    cell(r, i, 3));
        of_rows_free(r);
    }
    if (of_db_query(db, of_db_register(db, SQL_SPLITS), p3, 2, &r, err, sizeof err) == OF_OK) {
        if (r->nrows) fprintf(out, "split by the sweep (trade-rules §5):\n");
        for (int i = 0; i < r->nrows; i++)
            fprintf(out, "  %s order %s split into order %s on warehouse %s (%s pieces, goods %s) by %s\n",
                    cell(r, i, 0), cell(r, i, 1), cell(r, i, 2), cell(r, i, 4), cell(r, i, 5), cell(r, i, 6),
                    cell(r, i, 3));
        of_rows_free(r);
    }
    if (of_db_query(db, of_db_register(db, SQL_LOGS), p3, 3, &r, err, sizeof err) == OF_OK) {
        fprintf(out, "log:\n");
        for (int i = 0; i < r->nrows; i++)
            fprintf(out, "  %s %-12s %s\n", cell(r, i, 0), cell(r, i, 1), cell(r, i, 2));
        of_rows_free(r);
    }
    if (of_db_query(db, of_db_register(db, SQL_CHANGES), p, 1, &r, err, sizeof err) == OF_OK) {
        fprintf(out, "changes applied by trade-modify (trade-rules §4):\n");
        if (!r->nrows) fprintf(out, "  none\n");
        for (int i = 0; i < r->nrows; i++) {
            fprintf(out, "  %s %s: bits %s, sub-order bits %s, status %s → %s, %s\n", cell(r, i, 0), cell(r, i, 1),
                    cell(r, i, 2), cell(r, i, 3), cell(r, i, 4), cell(r, i, 5), cell(r, i, 8));
            fprintf(out, "      rules: %s\n", cell(r, i, 9));
            if (strcmp(cell(r, i, 6), "0") || strcmp(cell(r, i, 7), "0"))
                fprintf(out, "      block_reason |= %s, bad_reason |= %s\n", cell(r, i, 6), cell(r, i, 7));
            if (*cell(r, i, 10)) fprintf(out, "      stock: %s\n", cell(r, i, 10));
        }
        of_rows_free(r);
    }
    return 0;
}

static const char SQL_BY_TRADE_NO[] = "SELECT trade_id FROM sales_trade WHERE trade_no = ? LIMIT 1";
static const char SQL_BY_ID[] = "SELECT trade_id FROM sales_trade WHERE trade_id = ? UNION SELECT from_trade_id FROM "
                                "sales_trade_merge WHERE from_trade_id = ? LIMIT 1";

/* the order id of query st with params p, 0 when none; -1 on error */
static int64_t lookup(of_db_t *db, const char *sql, const of_param_t *p, int n, char *err, size_t errsize) {
    of_rows_t *r;
    if (of_db_query(db, of_db_register(db, sql), p, n, &r, err, errsize)) return -1;
    int64_t id = r->nrows ? (int64_t)strtoull(cell(r, 0, 0), NULL, 10) : 0;
    of_rows_free(r);
    return id;
}

int of_explain_write(of_db_t *db, FILE *out, uint64_t order, const char *trade_no, uint64_t raw, const char *tid,
                     long platform, char *err, size_t errsize) {
    if (trade_no && *trade_no) {
        of_param_t q[] = {OFP_S(trade_no)};
        int64_t id = lookup(db, SQL_BY_TRADE_NO, q, 1, err, errsize);
        if (id < 0) return -1;
        if (!id) {
            fprintf(out, "no order with trade number %s\n", trade_no);
            return 1;
        }
        order = (uint64_t)id;
    }
    if (!tid) tid = "";
    int rc = 0;
    of_rows_t *r;
    of_param_t p[] = {OFP_U(raw),      OFP_U(raw),      OFP_S(tid),   OFP_S(tid),
                      OFP_I(platform), OFP_I(platform), OFP_U(order), OFP_U(order)};
    if (of_db_query(db, of_db_register(db, SQL_RAW_BY), p, 8, &r, err, errsize)) return -1;
    if (!r->nrows && !order) {
        fprintf(out, "no raw trade matches\n");
        rc = 1;
    }
    for (int i = 0; i < r->nrows; i++) {
        unsigned bad = (unsigned)atoi(cell(r, i, 6));
        fprintf(out, "raw trade %s: platform %s shop %s tid %s, platform status %s, process_status %s, bad_reason %u",
                cell(r, i, 0), cell(r, i, 1), cell(r, i, 2), cell(r, i, 3), cell(r, i, 4), cell(r, i, 5), bad);
        if (bad)
            fprintf(out, " (%s%s%s%s)", bad & 1 ? "invalid goods or zero quantity " : "",
                    bad & 2 ? "count mismatch " : "", bad & 4 ? "no warehouse " : "", bad & 8 ? "no goods " : "");
        fprintf(out, "\n");
        uint64_t dt = strtoull(cell(r, i, 7), NULL, 10);
        if (!dt) {
            fprintf(out, "  not submitted%s%s: %s\n", *cell(r, i, 8) ? " by " : "", cell(r, i, 8),
                    *cell(r, i, 9) ? cell(r, i, 9) : "(no submission attempt recorded)");
            fprintf(out, "why (rule trace of the attempt at %s):\n", cell(r, i, 11));
            of_explain_trace(out, cell(r, i, 10));
        } else if (!order) {
            rc |= explain_order(db, out, dt);
        }
    }
    of_rows_free(r);
    if (order) rc |= explain_order(db, out, order);
    return rc;
}

int of_explain_search(of_db_t *db, FILE *out, const char *q, char *err, size_t errsize) {
    of_param_t s[] = {OFP_S(q)};
    int64_t id = lookup(db, SQL_BY_TRADE_NO, s, 1, err, errsize);
    if (id < 0) return -1;
    if (!id && *q && strspn(q, "0123456789") == strlen(q) && strlen(q) < 20) {
        uint64_t n = strtoull(q, NULL, 10);
        of_param_t p[] = {OFP_U(n), OFP_U(n)};
        if ((id = lookup(db, SQL_BY_ID, p, 2, err, errsize)) < 0) return -1;
    }
    if (id) return of_explain_write(db, out, (uint64_t)id, NULL, 0, NULL, -1, err, errsize);
    return of_explain_write(db, out, 0, NULL, 0, q, -1, err, errsize);
}
