/* of_stockcheck.c -- the stock check (of_stockcheck.h). */
#include "of_stockcheck.h"

static const char *cell(const of_rows_t *r, int row, int col) {
    const char *s = of_rows_str(r, row, col);
    return s ? s : "";
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

int of_stockcheck_run(of_db_t *db, FILE *out, char *err, size_t errsize) {
    of_rows_t *r = NULL, *l = NULL, *c = NULL;
    int rc = 0;
    if (of_db_plain(db, "START TRANSACTION WITH CONSISTENT SNAPSHOT", err, errsize) ||
        of_db_query(db, of_db_register(db, SQL_COUNTS), NULL, 0, &c, err, errsize) ||
        of_db_query(db, of_db_register(db, SQL_DRIFT), NULL, 0, &r, err, errsize) ||
        of_db_query(db, of_db_register(db, SQL_LINE_DRIFT), NULL, 0, &l, err, errsize)) {
        rc = -1;
        goto out;
    }
    fprintf(out, "checked %s stock rows against %s orders (%s lines)\n", cell(c, 0, 0), cell(c, 0, 1), cell(c, 0, 2));
    for (int i = 0; i < r->nrows; i++)
        fprintf(out,
                "DRIFT warehouse=%s spec=%s unpay_num=%s expected=%s order_num=%s expected=%s subscribe_num=%s "
                "expected=%s\n",
                cell(r, i, 0), cell(r, i, 1), cell(r, i, 2), cell(r, i, 3), cell(r, i, 4), cell(r, i, 5), cell(r, i, 6),
                cell(r, i, 7));
    for (int i = 0; i < l->nrows; i++)
        fprintf(out,
                "LINE-DRIFT order=%s %s status=%s line=%s spec=%s stock_reserved=%s@wh%s x%s (order warehouse %s, "
                "actual_num %s)\n",
                cell(l, i, 0), cell(l, i, 1), cell(l, i, 2), cell(l, i, 3), cell(l, i, 4), cell(l, i, 5), cell(l, i, 6),
                cell(l, i, 7), cell(l, i, 8), cell(l, i, 9));
    if (r->nrows || l->nrows) {
        fprintf(out, "stock check FAILED: %d counter rows and %d lines drift\n", r->nrows, l->nrows);
        rc = 1;
    } else {
        fprintf(out, "stock check OK: every unpay_num, order_num and subscribe_num equals its open orders' lines\n");
    }
out:
    if (of_db_plain(db, "COMMIT", err, errsize) && rc >= 0) rc = -1;
    of_rows_free(r);
    of_rows_free(l);
    of_rows_free(c);
    return rc;
}
