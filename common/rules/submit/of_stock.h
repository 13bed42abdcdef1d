/* of_stock.h -- stock per warehouse × spec (trade-rules §1.17) in memory: the rows a batch read, the
 * SUB-WH-07 formulas, the reservation counter of each status (SUB-STK-01…-06) and the stock-check invariant.
 * Pure, no I/O. */
#ifndef OF_STOCK_H
#define OF_STOCK_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t warehouse_id, spec_id;
    int32_t stock_num, wms_stock_num, sending_num, order_num, unpay_num, subscribe_num;
    int64_t cost_price; /* ×1e4 */
} of_stock_row_t;

/* Rows sorted by (warehouse_id, spec_id). A missing row reads as all zeros. */
typedef struct {
    of_stock_row_t *rows;
    size_t n, cap;
} of_stockview_t;

/* sales_trade_order.stock_reserved: the counter a line holds. */
typedef enum { OF_RES_NONE = 0, OF_RES_UNPAY = 1, OF_RES_ORDER = 2, OF_RES_SUBSCRIBE = 3, OF_RES_SENDING = 4 } of_res_t;

const of_stock_row_t *of_stock_find(const of_stockview_t *v, uint64_t warehouse_id, uint64_t spec_id);
/* Insert or replace a row, keeping the order. -1 when out of memory. */
int of_stock_put(of_stockview_t *v, const of_stock_row_t *row);
/* counter(kind) += delta on (warehouse, spec), creating a zero row if needed. -1 when out of memory. */
int of_stock_add(of_stockview_t *v, uint64_t warehouse_id, uint64_t spec_id, of_res_t kind, int delta);
void of_stock_free(of_stockview_t *v);

/* SUB-WH-07: X = S − sending_num − order_num, S = wms_stock_num for an external warehouse, else stock_num. */
int64_t of_stock_x(const of_stock_row_t *r, int is_external);
/* SUB-WH-07 (OP-34, proposed reconstruction): sys_stock = IF(IF(X<0,0,X) − actual_num < 0, 0, X). */
int64_t of_stock_sys(int64_t x, int actual_num);
/* SUB-WH-07: real = MIN(0, sys_stock − actual_num) (≤ 0). */
int64_t of_stock_real(int64_t sys_stock, int actual_num);

/* SUB-STK-02…-06, MID-STK-01: the counter reserved by an order in this status: 10 and 12 → unpay_num, 15/16/20/27
 * and 30 → order_num, 19 and 25 → subscribe_num, anything else (5, 13, 55 …) → none. */
of_res_t of_stock_reservation_for_status(int status);
/* Column name of a counter ("unpay_num" …), "" for OF_RES_NONE. */
const char *of_stock_counter_name(of_res_t kind);

#endif
