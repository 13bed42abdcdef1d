/* ordctl explain / stock-check: why an order looks the way it does, and whether the stock counters agree with
 * the open orders (trade-rules §1.17, SUB-STK-01…-06). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "of_db.h"
#include "of_stock.h"
#include "ordctl.h"

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
    "st.receiver_province, st.receiver_city, st.receiver_district, IFNULL(st.decision_trace, ''), st.bad_reason, "
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

static const char *status_name(int s) {
    switch (s) {
    case 5:
        return "cancelled";
    case 10:
        return "unpaid";
    case 12:
        return "awaiting balance";
    case 13:
        return "awaiting warehouse selection";
    case 15:
        return "wait-unpaid";
    case 16:
        return "delayed audit";
    case 19:
        return "pre-order pre-processing";
    case 20:
        return "pre-audit processing";
    case 27:
        return "grab";
    case 30:
        return "awaiting audit";
    case 55:
        return "audited, pushed to the warehouse (stockout order)";
    case 95:
        return "shipped";
    case 110:
        return "completed";
    default:
        return s > 40 && s < 95 ? "audited" : s == 40 ? "audited (awaiting push to the warehouse)" : "?";
    }
}

static const char *logistics_by_name(int b) {
    static const char *const n[] = {"none", "strategy", "CS remark", "manual", "warehouse address"};
    return b >= 0 && b <= 4 ? n[b] : "?";
}

void explain_print_trace(const char *json) {
    cJSON *a = cJSON_Parse(json);
    if (!cJSON_IsArray(a)) {
        printf("  (no trace)\n");
        cJSON_Delete(a);
        return;
    }
    cJSON *e;
    cJSON_ArrayForEach(e, a) {
        const char *rule = cJSON_GetStringValue(cJSON_GetObjectItem(e, "rule"));
        const char *key = cJSON_GetStringValue(cJSON_GetObjectItem(e, "key"));
        const char *val = cJSON_GetStringValue(cJSON_GetObjectItem(e, "value"));
        printf("  %-12s %-12s %s\n", rule ? rule : "", key ? key : "", val ? val : "");
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
static void print_bits(const char *what, unsigned v, const bit_name_t *t, size_t n) {
    if (!v) return;
    printf("  %-10s %u:", what, v);
    const char *sep = " ";
    for (size_t i = 0; i < n; i++)
        if (v & t[i].bit) {
            printf("%s%s", sep, t[i].name);
            sep = ", ";
        }
    printf("\n");
}

static int explain_order(of_db_t *db, uint64_t trade_id) {
    char err[512];
    of_rows_t *r;
    of_param_t p[] = {OFP_U(trade_id)};
    if (of_db_query(db, of_db_register(db, SQL_ORDER), p, 1, &r, err, sizeof err)) {
        fprintf(stderr, "ordctl explain: %s\n", err);
        return 1;
    }
    if (!r->nrows) {
        of_rows_free(r);
        if (of_db_query(db, of_db_register(db, SQL_MERGED_INTO), p, 1, &r, err, sizeof err) == OF_OK && r->nrows) {
            uint64_t into = strtoull(cell(r, 0, 0), NULL, 10);
            printf("order %s (trade_id %llu) was merged into order %llu by %s at %s; that order:\n", cell(r, 0, 3),
                   (unsigned long long)trade_id, (unsigned long long)into, cell(r, 0, 1), cell(r, 0, 2));
            of_rows_free(r);
            return into && into != trade_id ? explain_order(db, into) : 1;
        }
        if (r) of_rows_free(r);
        printf("order %llu: not found\n", (unsigned long long)trade_id);
        return 1;
    }
    int st = atoi(cell(r, 0, 2));
    printf("order %s (trade_id %s): status %d %s, refund_status %s, unmerge_mask %s\n", cell(r, 0, 1), cell(r, 0, 0),
           st, status_name(st), cell(r, 0, 3), cell(r, 0, 4));
    printf("  customer   %s (%s)\n", cell(r, 0, 5), cell(r, 0, 6));
    printf("  ship to    %s %s %s, area alias \"%s\"\n", cell(r, 0, 26), cell(r, 0, 27), cell(r, 0, 28),
           cell(r, 0, 17));
    printf("  warehouse  %s %s %s\n", cell(r, 0, 7), cell(r, 0, 8), cell(r, 0, 9));
    printf("  logistics  %s %s %s (chosen by %s), fee %s\n", cell(r, 0, 10), cell(r, 0, 11), cell(r, 0, 12),
           logistics_by_name(atoi(cell(r, 0, 13))), cell(r, 0, 16));
    printf("  package    %s %s, weight %s kg\n", cell(r, 0, 14), cell(r, 0, 15), cell(r, 0, 20));
    printf("  goods      %s pieces, %s kinds, amount %s, paid %s, estimated cost %s\n", cell(r, 0, 18), cell(r, 0, 19),
           cell(r, 0, 21), cell(r, 0, 22), cell(r, 0, 23));
    if (*cell(r, 0, 24)) printf("  delayed to %s\n", cell(r, 0, 24));
    if (atoi(cell(r, 0, 25))) printf("  frozen     reason %s\n", cell(r, 0, 25));
    print_bits("exception", (unsigned)strtoul(cell(r, 0, 30), NULL, 10), BAD_BITS,
               sizeof BAD_BITS / sizeof BAD_BITS[0]);
    print_bits("blocked", (unsigned)strtoul(cell(r, 0, 31), NULL, 10), BLOCK_BITS,
               sizeof BLOCK_BITS / sizeof BLOCK_BITS[0]);
    if (*cell(r, 0, 32)) printf("  stockout   %s\n", cell(r, 0, 32));
    printf("why (rule trace):\n");
    explain_print_trace(cell(r, 0, 29));
    of_rows_free(r);
    if (of_db_query(db, of_db_register(db, SQL_LINES), p, 1, &r, err, sizeof err) == OF_OK) {
        printf("lines:\n");
        for (int i = 0; i < r->nrows; i++)
            printf("  %s oid=%s spec=%s %s \"%s\" num=%s actual=%s amount=%s refund=%s%s%s%s reserved=%s@wh%s x%s\n",
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
        if (r->nrows) printf("merged in by the sweep (trade-rules §5):\n");
        for (int i = 0; i < r->nrows; i++)
            printf("  %s order %s (trade_id %s, status %s, tids %s, receivable %s) merged in by %s\n", cell(r, i, 0),
                   cell(r, i, 2), cell(r, i, 1), cell(r, i, 4), cell(r, i, 5), cell(r, i, 6), cell(r, i, 3));
        of_rows_free(r);
    }
    if (of_db_query(db, of_db_register(db, SQL_SPLITS), p3, 2, &r, err, sizeof err) == OF_OK) {
        if (r->nrows) printf("split by the sweep (trade-rules §5):\n");
        for (int i = 0; i < r->nrows; i++)
            printf("  %s order %s split into order %s on warehouse %s (%s pieces, goods %s) by %s\n", cell(r, i, 0),
                   cell(r, i, 1), cell(r, i, 2), cell(r, i, 4), cell(r, i, 5), cell(r, i, 6), cell(r, i, 3));
        of_rows_free(r);
    }
    if (of_db_query(db, of_db_register(db, SQL_LOGS), p3, 3, &r, err, sizeof err) == OF_OK) {
        printf("log:\n");
        for (int i = 0; i < r->nrows; i++)
            printf("  %s %-12s %s\n", cell(r, i, 0), cell(r, i, 1), cell(r, i, 2));
        of_rows_free(r);
    }
    if (of_db_query(db, of_db_register(db, SQL_CHANGES), p, 1, &r, err, sizeof err) == OF_OK) {
        printf("changes applied by trade-modify (trade-rules §4):\n");
        if (!r->nrows) printf("  none\n");
        for (int i = 0; i < r->nrows; i++) {
            printf("  %s %s: bits %s, sub-order bits %s, status %s → %s, %s\n", cell(r, i, 0), cell(r, i, 1),
                   cell(r, i, 2), cell(r, i, 3), cell(r, i, 4), cell(r, i, 5), cell(r, i, 8));
            printf("      rules: %s\n", cell(r, i, 9));
            if (strcmp(cell(r, i, 6), "0") || strcmp(cell(r, i, 7), "0"))
                printf("      block_reason |= %s, bad_reason |= %s\n", cell(r, i, 6), cell(r, i, 7));
            if (*cell(r, i, 10)) printf("      stock: %s\n", cell(r, i, 10));
        }
        of_rows_free(r);
    }
    return 0;
}

static const char EXPLAIN_USAGE[] =
    "usage: ordctl explain (--order TRADE_ID | --tid TID [--platform N] | --raw API_TRADE_ID)\n"
    "  why an order has its warehouse, logistics, package and status (the rule trace stored with it), or why a raw\n"
    "  trade was not submitted (the rule that stopped it and its bad_reason bits)\n";

int cmd_explain(int argc, char **argv) {
    uint64_t order = 0, raw = 0;
    const char *tid = "";
    long platform = -1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--order"))
            order = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--tid"))
            tid = argv[i + 1];
        else if (!strcmp(argv[i], "--platform"))
            platform = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--raw"))
            raw = strtoull(argv[i + 1], NULL, 10);
        else {
            fputs(EXPLAIN_USAGE, stderr);
            return 2;
        }
    }
    if (!order && !raw && !*tid) {
        fputs(EXPLAIN_USAGE, stderr);
        return 2;
    }
    char err[512];
    of_db_t *db = of_db_connect(cfg, NULL, err, sizeof err);
    if (!db) {
        fprintf(stderr, "ordctl explain: %s\n", err);
        return 1;
    }
    int rc = 0;
    of_rows_t *r;
    of_param_t p[] = {OFP_U(raw),      OFP_U(raw),      OFP_S(tid),   OFP_S(tid),
                      OFP_I(platform), OFP_I(platform), OFP_U(order), OFP_U(order)};
    if (of_db_query(db, of_db_register(db, SQL_RAW_BY), p, 8, &r, err, sizeof err)) {
        fprintf(stderr, "ordctl explain: %s\n", err);
        of_db_close(db);
        return 1;
    }
    if (!r->nrows && !order) {
        printf("no raw trade matches\n");
        rc = 1;
    }
    for (int i = 0; i < r->nrows; i++) {
        unsigned bad = (unsigned)atoi(cell(r, i, 6));
        printf("raw trade %s: platform %s shop %s tid %s, platform status %s, process_status %s, bad_reason %u",
               cell(r, i, 0), cell(r, i, 1), cell(r, i, 2), cell(r, i, 3), cell(r, i, 4), cell(r, i, 5), bad);
        if (bad)
            printf(" (%s%s%s%s)", bad & 1 ? "invalid goods or zero quantity " : "", bad & 2 ? "count mismatch " : "",
                   bad & 4 ? "no warehouse " : "", bad & 8 ? "no goods " : "");
        printf("\n");
        uint64_t dt = strtoull(cell(r, i, 7), NULL, 10);
        if (!dt) {
            printf("  not submitted%s%s: %s\n", *cell(r, i, 8) ? " by " : "", cell(r, i, 8),
                   *cell(r, i, 9) ? cell(r, i, 9) : "(no submission attempt recorded)");
            printf("why (rule trace of the attempt at %s):\n", cell(r, i, 11));
            explain_print_trace(cell(r, i, 10));
        } else if (!order) {
            rc |= explain_order(db, dt);
        }
    }
    of_rows_free(r);
    if (order) rc |= explain_order(db, order);
    of_db_close(db);
    return rc;
}

/* Expected counters from the orders (status → counter, SUB-STK-02…-06: 10/12 unpay_num; 15, 16, 20, 27 order_num;
 * 19 and the pre-orders of the sweep (25, MID-STK-01) subscribe_num; from awaiting audit (30) to shipment a line keeps
 * the order_num it had, or none (an order pushed to an external warehouse at submission), D-MOD-16; the order's
 * warehouse; actual_num of its lines) against stock_spec, for every (warehouse, spec) either side knows. */
static const char SQL_DRIFT[] =
    "SELECT k.w, k.s, IFNULL(ss.unpay_num, 0), IFNULL(e.unpay, 0), IFNULL(ss.order_num, 0), IFNULL(e.ord, 0), "
    "IFNULL(ss.subscribe_num, 0), IFNULL(e.sub, 0) FROM (SELECT warehouse_id w, spec_id s FROM stock_spec UNION "
    "SELECT st.warehouse_id, sto.spec_id FROM sales_trade_order sto JOIN sales_trade st ON st.trade_id = sto.trade_id "
    "WHERE st.warehouse_id > 0) k LEFT JOIN stock_spec ss ON ss.warehouse_id = k.w AND ss.spec_id = k.s LEFT JOIN "
    "(SELECT st.warehouse_id w, sto.spec_id s, SUM(IF(st.trade_status IN (10, 12), sto.actual_num, 0)) unpay, "
    "SUM(IF(st.trade_status IN (15, 16, 20, 27) OR (st.trade_status BETWEEN 30 AND 94 AND sto.stock_reserved = 2), "
    "sto.actual_num, 0)) ord, "
    "SUM(IF(st.trade_status IN (19, 25), "
    "sto.actual_num, 0)) sub FROM sales_trade_order sto JOIN sales_trade st ON st.trade_id = sto.trade_id WHERE "
    "st.warehouse_id > 0 GROUP BY st.warehouse_id, sto.spec_id) e ON e.w = k.w AND e.s = k.s WHERE "
    "IFNULL(ss.unpay_num, 0) <> IFNULL(e.unpay, 0) OR IFNULL(ss.order_num, 0) <> IFNULL(e.ord, 0) OR "
    "IFNULL(ss.subscribe_num, 0) <> IFNULL(e.sub, 0) ORDER BY k.w, k.s";
/* Lines whose recorded reservation disagrees with their order's status. */
static const char SQL_LINE_DRIFT[] =
    "SELECT st.trade_id, st.trade_no, st.trade_status, sto.rec_id, sto.spec_id, sto.stock_reserved, "
    "sto.reserved_warehouse_id, sto.reserved_num, st.warehouse_id, sto.actual_num FROM sales_trade_order sto JOIN "
    "sales_trade st ON st.trade_id = sto.trade_id WHERE sto.stock_reserved <> CASE WHEN st.warehouse_id = 0 OR "
    "sto.actual_num = 0 THEN 0 WHEN st.trade_status IN (10, 12) THEN 1 WHEN st.trade_status IN (15, 16, 20, 27) THEN 2 "
    "WHEN st.trade_status BETWEEN 30 AND 94 THEN IF(sto.stock_reserved IN (0, 2), sto.stock_reserved, 2) WHEN "
    "st.trade_status IN (19, 25) THEN 3 ELSE 0 END OR (sto.stock_reserved > 0 AND (sto.reserved_warehouse_id <> "
    "st.warehouse_id OR sto.reserved_num <> sto.actual_num)) ORDER BY st.trade_id, sto.rec_id LIMIT 1000";
static const char SQL_COUNTS[] = "SELECT (SELECT COUNT(*) FROM stock_spec), (SELECT COUNT(*) FROM sales_trade), "
                                 "(SELECT COUNT(*) FROM sales_trade_order)";

int cmd_stock_check(int argc, char **argv) {
    (void)argv;
    if (argc > 1) {
        fprintf(stderr, "usage: ordctl stock-check\n");
        return 2;
    }
    char err[512];
    of_db_t *db = of_db_connect(cfg, NULL, err, sizeof err);
    if (!db) {
        fprintf(stderr, "ordctl stock-check: %s\n", err);
        return 1;
    }
    of_rows_t *r = NULL, *l = NULL, *c = NULL;
    int rc = 0;
    if (of_db_plain(db, "START TRANSACTION WITH CONSISTENT SNAPSHOT", err, sizeof err) ||
        of_db_query(db, of_db_register(db, SQL_COUNTS), NULL, 0, &c, err, sizeof err) ||
        of_db_query(db, of_db_register(db, SQL_DRIFT), NULL, 0, &r, err, sizeof err) ||
        of_db_query(db, of_db_register(db, SQL_LINE_DRIFT), NULL, 0, &l, err, sizeof err)) {
        fprintf(stderr, "ordctl stock-check: %s\n", err);
        rc = 1;
        goto out;
    }
    printf("checked %s stock rows against %s orders (%s lines)\n", cell(c, 0, 0), cell(c, 0, 1), cell(c, 0, 2));
    for (int i = 0; i < r->nrows; i++)
        printf("DRIFT warehouse=%s spec=%s unpay_num=%s expected=%s order_num=%s expected=%s subscribe_num=%s "
               "expected=%s\n",
               cell(r, i, 0), cell(r, i, 1), cell(r, i, 2), cell(r, i, 3), cell(r, i, 4), cell(r, i, 5), cell(r, i, 6),
               cell(r, i, 7));
    for (int i = 0; i < l->nrows; i++)
        printf("LINE-DRIFT order=%s %s status=%s line=%s spec=%s stock_reserved=%s@wh%s x%s (order warehouse %s, "
               "actual_num %s)\n",
               cell(l, i, 0), cell(l, i, 1), cell(l, i, 2), cell(l, i, 3), cell(l, i, 4), cell(l, i, 5), cell(l, i, 6),
               cell(l, i, 7), cell(l, i, 8), cell(l, i, 9));
    if (r->nrows || l->nrows) {
        printf("stock check FAILED: %d counter rows and %d lines drift\n", r->nrows, l->nrows);
        rc = 1;
    } else {
        printf("stock check OK: every unpay_num, order_num and subscribe_num equals its open orders' lines\n");
    }
out:
    of_rows_free(r);
    of_rows_free(l);
    of_rows_free(c);
    of_db_close(db);
    return rc;
}
