/* of_stock.c -- stock rows in memory, the SUB-WH-07 formulas and the reservation counter per status. */
#include "of_stock.h"
#include <stdlib.h>
#include <string.h>

static int cmp_key(uint64_t w1, uint64_t s1, uint64_t w2, uint64_t s2) {
    if (w1 != w2) return w1 < w2 ? -1 : 1;
    if (s1 != s2) return s1 < s2 ? -1 : 1;
    return 0;
}

/* Index of the first row >= (w, s). */
static size_t lower(const of_stockview_t *v, uint64_t w, uint64_t s) {
    size_t lo = 0, hi = v->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cmp_key(v->rows[mid].warehouse_id, v->rows[mid].spec_id, w, s) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const of_stock_row_t *of_stock_find(const of_stockview_t *v, uint64_t warehouse_id, uint64_t spec_id) {
    size_t i = lower(v, warehouse_id, spec_id);
    if (i < v->n && v->rows[i].warehouse_id == warehouse_id && v->rows[i].spec_id == spec_id) return &v->rows[i];
    return NULL;
}

int of_stock_put(of_stockview_t *v, const of_stock_row_t *row) {
    size_t i = lower(v, row->warehouse_id, row->spec_id);
    if (i < v->n && v->rows[i].warehouse_id == row->warehouse_id && v->rows[i].spec_id == row->spec_id) {
        v->rows[i] = *row;
        return 0;
    }
    if (v->n == v->cap) {
        size_t nc = v->cap ? v->cap * 2 : 64;
        of_stock_row_t *r = realloc(v->rows, nc * sizeof *r);
        if (!r) return -1;
        v->rows = r;
        v->cap = nc;
    }
    memmove(&v->rows[i + 1], &v->rows[i], (v->n - i) * sizeof *v->rows);
    v->rows[i] = *row;
    v->n++;
    return 0;
}

int of_stock_add(of_stockview_t *v, uint64_t warehouse_id, uint64_t spec_id, of_res_t kind, int delta) {
    of_stock_row_t *r = (of_stock_row_t *)of_stock_find(v, warehouse_id, spec_id);
    if (!r) {
        of_stock_row_t z = {.warehouse_id = warehouse_id, .spec_id = spec_id};
        if (of_stock_put(v, &z)) return -1;
        r = (of_stock_row_t *)of_stock_find(v, warehouse_id, spec_id);
    }
    switch (kind) {
    case OF_RES_UNPAY:
        r->unpay_num += delta;
        break;
    case OF_RES_ORDER:
        r->order_num += delta;
        break;
    case OF_RES_SUBSCRIBE:
        r->subscribe_num += delta;
        break;
    case OF_RES_SENDING:
        r->sending_num += delta;
        break;
    case OF_RES_NONE:
        break;
    }
    return 0;
}

void of_stock_free(of_stockview_t *v) {
    free(v->rows);
    memset(v, 0, sizeof *v);
}

int64_t of_stock_x(const of_stock_row_t *r, int is_external) {
    if (!r) return 0;
    return (int64_t)(is_external ? r->wms_stock_num : r->stock_num) - r->sending_num - r->order_num;
}

int64_t of_stock_sys(int64_t x, int actual_num) {
    int64_t clamped = x < 0 ? 0 : x;
    return clamped - actual_num < 0 ? 0 : x;
}

int64_t of_stock_real(int64_t sys_stock, int actual_num) {
    int64_t r = sys_stock - actual_num;
    return r > 0 ? 0 : r;
}

of_res_t of_stock_reservation_for_status(int status) {
    switch (status) {
    case 10: /* SUB-STK-02 */
    case 12: /* SUB-STK-06, OP-51: awaiting balance reserves as unpaid */
        return OF_RES_UNPAY;
    case 15: /* SUB-STK-03 */
    case 16:
    case 20:
    case 27:
    case 30: /* MID-STK-01 (OP-83): awaiting audit keeps order_num */
        return OF_RES_ORDER;
    case 19: /* SUB-STK-04 */
    case 25: /* MID-STK-01 (OP-83): a pre-order keeps subscribe_num */
        return OF_RES_SUBSCRIBE;
    default: /* 5, 13 (SUB-STK-06), 55 (stockout order, SUB-STK-05) */
        return OF_RES_NONE;
    }
}

const char *of_stock_counter_name(of_res_t kind) {
    switch (kind) {
    case OF_RES_UNPAY:
        return "unpay_num";
    case OF_RES_ORDER:
        return "order_num";
    case OF_RES_SUBSCRIBE:
        return "subscribe_num";
    case OF_RES_SENDING:
        return "sending_num";
    default:
        return "";
    }
}
