/* ordctl order: the back-office steps that take an order past submission (issue 11, part 2), so that the MOD rules'
 * audited and shipped branches can be reached: audit (40, stockout order created, reservation kept), push to the
 * warehouse (55), ship (95, is_consigned, goods out of stock), refund handled (the refunded lines of an intercepted
 * order released, the interception lifted), release (the other interceptions lifted once the operator has dealt with
 * their cause); and show. Each step is one transaction on the order's locked row, with
 * its order log and an OrderEvent (STATUS_CHANGED) through the outbox. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "of_db.h"
#include "of_kafka.h"
#include "of_outbox.h"
#include "of_topics.h"
#include "order.pb-c.h"
#include "ordctl.h"

static const char USAGE_ORDER[] =
    "usage: ordctl order show ID\n"
    "       ordctl order audit ID            paid order (15, 16, 20, 27, 30) → 40: stockout order, reservation kept\n"
    "       ordctl order push ID             audited (40…54) → 55: the stockout order goes to the warehouse\n"
    "       ordctl order ship ID [--waybill NO]  audited (40…94) → 95: is_consigned, goods leave the stock\n"
    "       ordctl order refund-handled ID   the refunded sub-orders' lines released, the refund interception\n"
    "                                        (block_reason 2, bad_reason 64) lifted, and block_reason 1 when no\n"
    "                                        sub-order's refund is still in progress; no goods left: cancelled\n"
    "       ordctl order release ID          the cause of an interception dealt with (the new address or invoice on\n"
    "                                        the waybill, the warehouse, remark or goods checked, a cancelled "
    "refund):\n"
    "                                        block_reason 4, 8, 64, 128, 256 lifted on the order and its stockout\n"
    "                                        order, and 1 when no sub-order's refund is in progress (2: "
    "refund-handled)\n"
    "A blocked (block_reason ≠ 0) or frozen order is refused by audit, push and ship (exit 3).\n";

static const char SQL_LOCK[] =
    "SELECT trade_status, block_reason, freeze_reason, warehouse_id, logistics_id, goods_count, weight, post_cost, "
    "trade_no, bad_reason, shop_id FROM sales_trade WHERE trade_id = ? FOR UPDATE";
/* MOD-T1-28 / MOD-O1-05: platform stock changed; MOD-T1-30 / MOD-O1-06: today's sales, where counted */
static const char SQL_BACKGROUND[] =
    "INSERT INTO sys_process_background (type, shop_id, object_id, data) VALUES (1, ?, ?, "
    "'{\"rule\":\"OPS-REFUND\"}')";
static const char SQL_SALES[] =
    "UPDATE stat_daily_sales SET num = GREATEST(num - ?, 0) WHERE sales_date = CURDATE() AND "
    "shop_id = ? AND warehouse_id = ? AND spec_id = ?";
static const char SQL_SET_STATUS[] =
    "UPDATE sales_trade SET trade_status = ?, audit_time = IF(? = 40, NOW(), audit_time), consign_time = IF(? = 95, "
    "NOW(), consign_time), is_consigned = IF(? = 95, 1, is_consigned), version = version + 1 WHERE trade_id = ?";
static const char SQL_STOCKOUT_INS[] =
    "INSERT INTO stockout_order (stockout_no, src_order_type, src_order_id, warehouse_id, logistics_id, status, "
    "goods_count, weight, post_cost) VALUES (CONCAT('CK', ?), 1, ?, ?, ?, 50, ?, ?, ?)";
static const char SQL_STOCKOUT_LINES[] =
    "INSERT INTO stockout_order_detail (stockout_id, src_order_detail_id, spec_id, num) SELECT ?, rec_id, spec_id, "
    "actual_num FROM sales_trade_order WHERE trade_id = ? AND actual_num > 0";
static const char SQL_STOCKOUT_SET[] =
    "UPDATE stockout_order SET status = ?, logistics_no = IF(? <> '', ?, logistics_no), consign_time = IF(? = 95, "
    "NOW(), consign_time) WHERE src_order_type = 1 AND src_order_id = ? AND status <> 5";
static const char SQL_LOG[] = "INSERT INTO sales_trade_log (trade_id, type, rule_id, message) VALUES (?, ?, ?, ?)";
/* the lines that hold stock, or whose raw sub-order (or raw trade) is refunded or closed */
static const char SQL_LINES[] =
    "SELECT o.rec_id, o.spec_id, o.actual_num, o.stock_reserved, o.reserved_warehouse_id, o.reserved_num, "
    "IF(IFNULL(ao.status, 0) IN (80, 90), ao.status, IF(IFNULL(a.trade_status, 0) IN (80, 90), a.trade_status, 0)), "
    "o.gift_type FROM sales_trade_order o LEFT JOIN api_trade_order ao ON ao.rec_id = o.api_trade_order_id LEFT JOIN "
    "api_trade a ON a.rec_id = ao.api_trade_id WHERE o.trade_id = ? ORDER BY o.rec_id FOR UPDATE";
static const char SQL_LINE_RELEASE[] = "UPDATE sales_trade_order SET actual_num = ?, refund_status = IF(? > 0, ?, "
                                       "refund_status), stock_reserved = 0, reserved_warehouse_id = 0, reserved_num = "
                                       "0, is_consigned = IF(? = 95, 1, is_consigned) WHERE rec_id = ?";
/* a reservation released (?: the counter's delta), and on shipment the goods out of stock_num */
static const char SQL_STOCK[] =
    "UPDATE stock_spec SET unpay_num = unpay_num + ?, order_num = order_num + ?, subscribe_num = subscribe_num + ?, "
    "stock_num = stock_num + ? WHERE warehouse_id = ? AND spec_id = ?";
static const char SQL_STOCK_LOG[] =
    "INSERT INTO stock_change_log (warehouse_id, spec_id, src_type, src_id, event_id, d_order_num, d_unpay_num, "
    "d_subscribe_num, remark) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?)";
static const char SQL_UNBLOCK[] =
    "UPDATE sales_trade SET block_reason = block_reason & ~?, bad_reason = bad_reason & ~64, trade_status = IF(? > 0, "
    "5, trade_status), refund_status = IF(? > 0, 3, 2), goods_count = ?, version = version + 1 WHERE trade_id = ?";
static const char SQL_UNBLOCK_SO[] =
    "UPDATE stockout_order SET block_reason = block_reason & ~?, status = IF(? > 0, 5, status) WHERE src_order_type = "
    "1 AND src_order_id = ? AND status <> 5";
static const char SQL_RELEASE[] =
    "UPDATE sales_trade SET block_reason = block_reason & ~?, version = version + 1 WHERE trade_id = ?";
/* sub-orders whose refund is in progress (applied, waiting for the return or its receipt: MOD-O2-02 marks the line) */
static const char SQL_REFUNDING[] =
    "SELECT COUNT(*) FROM sales_trade_order WHERE trade_id = ? AND refund_status BETWEEN 2 AND 4 AND actual_num > 0";
static const char SQL_SHOW[] =
    "SELECT t.trade_no, t.trade_status, t.refund_status, t.block_reason, t.bad_reason, t.warehouse_id, t.is_consigned, "
    "t.goods_count, IFNULL((SELECT GROUP_CONCAT(CONCAT(so.stockout_no, ' status ', so.status, ' block_reason ', "
    "so.block_reason) SEPARATOR '; ') FROM stockout_order so WHERE so.src_order_type = 1 AND so.src_order_id = "
    "t.trade_id), ''), CONCAT_WS(' ', t.receiver_name, t.receiver_mobile, t.receiver_province, t.receiver_city, "
    "t.receiver_district, t.receiver_address), t.cs_remark, t.buyer_message, t.invoice_type, t.invoice_title FROM "
    "sales_trade t WHERE t.trade_id = ?";

typedef struct {
    const char *step; /* audit, push, ship, refund-handled, release */
    uint64_t id;
    const char *waybill;
    of_outbox_t *ob;
    char eid[96];
    /* out */
    int from, to;
    char why[256];
    int refused; /* 1: the order is not in a state for the step (why says) */
} step_t;

static const char *block_names(unsigned b, char *buf, size_t size) {
    static const struct {
        unsigned bit;
        const char *name;
    } N[] = {{1, "refund applied"}, {2, "refunded"}, {4, "address"},           {8, "invoice/warehouse"},
             {64, "remark"},        {128, "goods"},  {256, "refund cancelled"}};
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof N / sizeof *N; i++)
        if (b & N[i].bit) {
            size_t len = strlen(buf);
            snprintf(buf + len, size - len, "%s%s", len ? ", " : "", N[i].name);
        }
    return buf;
}

static of_err_t exec(of_db_t *db, const char *sql, const of_param_t *p, int n, uint64_t *affected, uint64_t *id,
                     char *err, size_t size) {
    int st = of_db_register(db, sql);
    if (st < 0) return of_seterr(err, size, OF_ERR_DB, "cannot register a statement");
    return of_db_exec(db, st, p, n, affected, id, err, size);
}

/* The reservations of the order's lines released: on shipment every line, the goods leaving stock; when the refund is
 * handled, the refunded lines (and the gifts when no other goods are left: the order is then cancelled), each with
 * its platform stock-change job and today's sales. *left: the goods left (Σ actual_num of the lines kept). */
static of_err_t release(of_db_t *db, step_t *s, int ship, int status, uint64_t shop, int *left, char *err,
                        size_t size) {
    of_rows_t *r;
    of_param_t q[] = {OFP_U(s->id)};
    int st = of_db_register(db, SQL_LINES);
    of_err_t e = st < 0 ? OF_ERR_DB : of_db_query(db, st, q, 1, &r, err, size);
    if (e) return e;
    int goods = 0; /* non-gift lines kept */
    for (int i = 0; i < r->nrows; i++)
        goods += !ship && !atoi(of_rows_str(r, i, 6)) && atoi(of_rows_str(r, i, 2)) > 0 && !atoi(of_rows_str(r, i, 7));
    *left = 0;
    for (int i = 0; i < r->nrows && !e; i++) {
        uint64_t line = strtoull(of_rows_str(r, i, 0), NULL, 10), spec = strtoull(of_rows_str(r, i, 1), NULL, 10);
        int actual = atoi(of_rows_str(r, i, 2)), kind = atoi(of_rows_str(r, i, 3)), num = atoi(of_rows_str(r, i, 5));
        uint64_t wh = strtoull(of_rows_str(r, i, 4), NULL, 10);
        int refunded = atoi(of_rows_str(r, i, 6)), gift = atoi(of_rows_str(r, i, 7));
        int go = ship || refunded || (gift && !goods && actual > 0);
        if (!go) {
            *left += actual;
            continue;
        }
        int d[3] = {0, 0, 0};
        if (kind >= 1 && kind <= 3) d[kind - 1] = -num;
        if (wh && (d[0] || d[1] || d[2] || ship)) {
            of_param_t u[] = {OFP_I(d[0]), OFP_I(d[1]), OFP_I(d[2]), OFP_I(ship ? -actual : 0), OFP_U(wh), OFP_U(spec)};
            if (!(e = exec(db, SQL_STOCK, u, 6, NULL, NULL, err, size))) {
                of_param_t l[] = {
                    OFP_U(wh),   OFP_U(spec), OFP_U(s->id), OFP_S(s->eid),
                    OFP_I(d[1]), OFP_I(d[0]), OFP_I(d[2]),  OFP_S(ship ? "OPS-SHIP shipped" : "OPS-REFUND released")};
                e = exec(db, SQL_STOCK_LOG, l, 8, NULL, NULL, err, size);
            }
        }
        if (!e && !ship && actual > 0) {
            of_param_t b[] = {OFP_U(shop), OFP_U(spec)};
            e = exec(db, SQL_BACKGROUND, b, 2, NULL, NULL, err, size);
            if (!e && wh && status >= 25 && status <= 55) {
                of_param_t sl[] = {OFP_I(actual), OFP_U(shop), OFP_U(wh), OFP_U(spec)};
                e = exec(db, SQL_SALES, sl, 4, NULL, NULL, err, size);
            }
        }
        int rs = refunded == 90 ? 6 : refunded || !ship ? 5 : 0;
        of_param_t u[] = {OFP_I(ship ? actual : 0), OFP_I(rs), OFP_I(rs), OFP_I(ship ? 95 : 0), OFP_U(line)};
        if (!e) e = exec(db, SQL_LINE_RELEASE, u, 5, NULL, NULL, err, size);
        if (ship) *left += actual;
    }
    if (!ship && !goods) *left = 0;
    of_rows_free(r);
    return e;
}

/* *n: the order's lines with a refund in progress (block_reason 1 stays while there is one) */
static of_err_t refunding(of_db_t *db, uint64_t id, int *n, char *err, size_t size) {
    of_rows_t *r;
    of_param_t q[] = {OFP_U(id)};
    int st = of_db_register(db, SQL_REFUNDING);
    of_err_t e = st < 0 ? OF_ERR_DB : of_db_query(db, st, q, 1, &r, err, size);
    if (e) return e;
    *n = r->nrows ? atoi(of_rows_str(r, 0, 0)) : 0;
    of_rows_free(r);
    return OF_OK;
}

static of_err_t step_tx(of_db_t *db, void *ctx, char *err, size_t size) {
    step_t *s = ctx;
    of_outbox_discard(s->ob);
    s->refused = 0;
    of_rows_t *r;
    of_param_t q[] = {OFP_U(s->id)};
    int st = of_db_register(db, SQL_LOCK);
    of_err_t e = st < 0 ? OF_ERR_DB : of_db_query(db, st, q, 1, &r, err, size);
    if (e) return e;
    if (!r->nrows) {
        of_rows_free(r);
        snprintf(s->why, sizeof s->why, "no order %llu", (unsigned long long)s->id);
        s->refused = 1;
        return OF_OK;
    }
    int status = atoi(of_rows_str(r, 0, 0));
    unsigned block = (unsigned)strtoul(of_rows_str(r, 0, 1), NULL, 10);
    uint64_t freeze = strtoull(of_rows_str(r, 0, 2), NULL, 10), wh = strtoull(of_rows_str(r, 0, 3), NULL, 10);
    uint64_t logi = strtoull(of_rows_str(r, 0, 4), NULL, 10), shop = strtoull(of_rows_str(r, 0, 10), NULL, 10);
    int goods = atoi(of_rows_str(r, 0, 5));
    char weight[32], post[32], blk[128];
    snprintf(weight, sizeof weight, "%s", of_rows_str(r, 0, 6));
    snprintf(post, sizeof post, "%s", of_rows_str(r, 0, 7));
    of_rows_free(r);
    s->from = status;
    s->to = status;
    const char *rule = "", *msg = "";
    char text[256];
    int ok, busy = 0;
    unsigned lift = 0; /* release: the bits lifted */
    if (!strcmp(s->step, "refund-handled")) {
        ok = (block & 2) || status < 40;
        if (!ok) snprintf(s->why, sizeof s->why, "order %llu has no refund interception", (unsigned long long)s->id);
    } else if (!strcmp(s->step, "release")) {
        if ((e = refunding(db, s->id, &busy, err, size))) return e;
        lift = block & ~2u & (busy ? ~1u : ~0u);
        ok = lift != 0;
        if (!ok && (block & 2))
            snprintf(s->why, sizeof s->why,
                     "order %llu is intercepted for a refund (block_reason %u: %s): ordctl order refund-handled %llu",
                     (unsigned long long)s->id, block, block_names(block, blk, sizeof blk), (unsigned long long)s->id);
        else if (!ok && block)
            snprintf(s->why, sizeof s->why,
                     "order %llu: %d sub-order%s refund still in progress (refund_status 2-4): block_reason 1 stays "
                     "until the platform refunds it (then refund-handled) or the buyer cancels it",
                     (unsigned long long)s->id, busy, busy == 1 ? "'s" : "s'");
        else if (!ok)
            snprintf(s->why, sizeof s->why, "order %llu is not intercepted", (unsigned long long)s->id);
    } else if (block || freeze) {
        ok = 0;
        snprintf(s->why, sizeof s->why, "order %llu is %s (block_reason %u: %s)", (unsigned long long)s->id,
                 block ? "intercepted" : "frozen", block, block_names(block, blk, sizeof blk));
    } else if (!strcmp(s->step, "audit")) {
        ok = (status == 15 || status == 16 || status == 20 || status == 27 || status == 30) && wh;
        if (!ok)
            snprintf(s->why, sizeof s->why,
                     "order %llu is in status %d%s: audit takes a paid order (15, 16, 20, 27, 30)",
                     (unsigned long long)s->id, status, wh ? "" : " without a warehouse");
    } else if (!strcmp(s->step, "push")) {
        ok = status >= 40 && status < 55;
        if (!ok)
            snprintf(s->why, sizeof s->why, "order %llu is in status %d: push takes an audited order (40…54)",
                     (unsigned long long)s->id, status);
    } else {
        ok = status >= 40 && status < 95;
        if (!ok)
            snprintf(s->why, sizeof s->why, "order %llu is in status %d: ship takes an audited order (40…94)",
                     (unsigned long long)s->id, status);
    }
    if (!ok) {
        s->refused = 1;
        return OF_OK;
    }
    int left = 0;
    if (!strcmp(s->step, "audit")) {
        s->to = 40;
        of_param_t p[] = {OFP_U(s->id), OFP_U(s->id), OFP_U(wh), OFP_U(logi), OFP_I(goods), OFP_S(weight), OFP_S(post)};
        uint64_t so = 0;
        if ((e = exec(db, SQL_STOCKOUT_INS, p, 7, NULL, &so, err, size))) return e;
        of_param_t l[] = {OFP_U(so), OFP_U(s->id)};
        if ((e = exec(db, SQL_STOCKOUT_LINES, l, 2, NULL, NULL, err, size))) return e;
        rule = "OPS-AUDIT";
        msg = "audited: stockout order created (待递交仓库), reservation kept";
    } else if (!strcmp(s->step, "push")) {
        s->to = 55;
        rule = "OPS-PUSH";
        msg = "pushed to the warehouse (已审核待发货)";
    } else if (!strcmp(s->step, "ship")) {
        s->to = 95;
        if ((e = release(db, s, 1, status, shop, &left, err, size))) return e;
        rule = "OPS-SHIP";
        snprintf(text, sizeof text, "shipped%s%s: reservation released, goods out of stock",
                 *s->waybill ? ", waybill " : "", s->waybill);
        msg = text;
    } else if (!strcmp(s->step, "release")) {
        of_param_t u[] = {OFP_U(lift), OFP_U(s->id)};
        if ((e = exec(db, SQL_RELEASE, u, 2, NULL, NULL, err, size))) return e;
        of_param_t so[] = {OFP_U(lift), OFP_I(0), OFP_U(s->id)};
        if ((e = exec(db, SQL_UNBLOCK_SO, so, 3, NULL, NULL, err, size))) return e;
        rule = "OPS-RELEASE";
        unsigned kept = block & ~lift;
        snprintf(text, sizeof text, "interception lifted (%s)", block_names(lift, blk, sizeof blk));
        if (kept) {
            size_t n = strlen(text);
            snprintf(text + n, sizeof text - n, "; kept: block_reason %u (%s)%s", kept,
                     block_names(kept, blk, sizeof blk), kept & 2 ? ", for ordctl order refund-handled" : "");
        }
        msg = text;
    } else {
        if ((e = release(db, s, 0, status, shop, &left, err, size))) return e;
        if (!left) s->to = 5;
        /* block 1 (a refund applied) goes too once no sub-order's refund is in progress (it was refunded, or cancelled)
         */
        if ((e = refunding(db, s->id, &busy, err, size))) return e;
        unsigned off = 2u | (busy ? 0u : 1u);
        of_param_t u[] = {OFP_U(off), OFP_I(!left), OFP_I(!left), OFP_I(left), OFP_U(s->id)};
        if ((e = exec(db, SQL_UNBLOCK, u, 5, NULL, NULL, err, size))) return e;
        of_param_t so[] = {OFP_U(off), OFP_I(!left), OFP_U(s->id)};
        if ((e = exec(db, SQL_UNBLOCK_SO, so, 3, NULL, NULL, err, size))) return e;
        rule = "OPS-REFUND";
        if (!left)
            msg = "refund handled: no goods left, order cancelled";
        else if ((block & 1) && busy)
            msg = "refund handled: refunded lines released, refund interception lifted (a sub-order's refund still in "
                  "progress: block_reason 1 kept)";
        else
            msg = "refund handled: refunded lines released, interception lifted";
    }
    if (strcmp(s->step, "refund-handled") && strcmp(s->step, "release")) {
        of_param_t u[] = {OFP_I(s->to), OFP_I(s->to), OFP_I(s->to), OFP_I(s->to), OFP_U(s->id)};
        if ((e = exec(db, SQL_SET_STATUS, u, 5, NULL, NULL, err, size))) return e;
        of_param_t so[] = {OFP_I(s->to == 40 ? 50 : s->to), OFP_S(s->waybill), OFP_S(s->waybill), OFP_I(s->to),
                           OFP_U(s->id)};
        if (s->to != 40 && (e = exec(db, SQL_STOCKOUT_SET, so, 5, NULL, NULL, err, size))) return e;
    }
    of_param_t lg[] = {OFP_U(s->id), OFP_I(4), OFP_S(rule), OFP_S(msg)};
    if ((e = exec(db, SQL_LOG, lg, 4, NULL, NULL, err, size))) return e;
    snprintf(s->why, sizeof s->why, "%s", msg);
    /* the order event, published after the commit */
    char key[32], prod[64];
    snprintf(key, sizeof key, "%llu", (unsigned long long)s->id);
    snprintf(prod, sizeof prod, "ordctl-order-%s", s->step);
    Orderfleet__EventMeta meta = ORDERFLEET__EVENT_META__INIT;
    meta.event_id = s->eid;
    meta.occurred_at_ms = of_now_ms();
    meta.producer = prod;
    meta.schema_version = 1;
    Orderfleet__OrderEvent ev = ORDERFLEET__ORDER_EVENT__INIT;
    ev.meta = &meta;
    ev.kind = s->to == 5 ? ORDERFLEET__ORDER_EVENT__KIND__CANCELLED : ORDERFLEET__ORDER_EVENT__KIND__STATUS_CHANGED;
    ev.order_id = s->id;
    ev.from_status = s->from;
    ev.to_status = s->to;
    ev.reason = (char *)msg;
    ev.warehouse_id = wh;
    size_t len = orderfleet__order_event__get_packed_size(&ev);
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf) return of_seterr(err, size, OF_ERR_NOMEM, "out of memory");
    orderfleet__order_event__pack(&ev, buf);
    e = of_outbox_stage(s->ob, OF_TOPIC_ORDER_EVENTS, s->eid, key, strlen(key), buf, len, err, size);
    free(buf);
    return e ? e : of_outbox_write(s->ob, err, size);
}

static int show(of_db_t *db, uint64_t id) {
    char err[256], blk[128], bad[16];
    of_rows_t *r;
    of_param_t q[] = {OFP_U(id)};
    int st = of_db_register(db, SQL_SHOW);
    if (st < 0 || of_db_query(db, st, q, 1, &r, err, sizeof err)) {
        fprintf(stderr, "ordctl order show: %s\n", st < 0 ? "cannot register" : err);
        return 1;
    }
    if (!r->nrows) {
        of_rows_free(r);
        fprintf(stderr, "ordctl order show: no order %llu\n", (unsigned long long)id);
        return 1;
    }
    unsigned block = (unsigned)strtoul(of_rows_str(r, 0, 3), NULL, 10);
    snprintf(bad, sizeof bad, "%s", of_rows_str(r, 0, 4));
    printf("order %llu %s: status %s, refund status %s, warehouse %s, goods %s, consigned %s\n", (unsigned long long)id,
           of_rows_str(r, 0, 0), of_rows_str(r, 0, 1), of_rows_str(r, 0, 2), of_rows_str(r, 0, 5), of_rows_str(r, 0, 7),
           of_rows_str(r, 0, 6));
    printf("  block_reason %u%s%s%s, bad_reason %s\n", block, block ? " (" : "", block_names(block, blk, sizeof blk),
           block ? ")" : "", bad);
    printf("  stockout: %s\n", *of_rows_str(r, 0, 8) ? of_rows_str(r, 0, 8) : "none");
    printf("  receiver: %s\n", of_rows_str(r, 0, 9));
    const char *csr = of_rows_str(r, 0, 10), *bm = of_rows_str(r, 0, 11), *inv = of_rows_str(r, 0, 12);
    printf("  CS remark: %s; client remark: %s; invoice: ", *csr ? csr : "-", *bm ? bm : "-");
    if (atoi(inv))
        printf("type %s, %s\n", inv, of_rows_str(r, 0, 13));
    else
        printf("none\n");
    of_rows_free(r);
    return 0;
}

int cmd_order(int argc, char **argv) {
    if (argc < 3 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(USAGE_ORDER, argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) ? stdout : stderr);
        return argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) ? 0 : 2;
    }
    const char *step = argv[1];
    char *end;
    uint64_t id = strtoull(argv[2], &end, 10);
    if (!id || *end) {
        fprintf(stderr, "ordctl order %s: ID must be an order id (sales_trade.trade_id)\n", step);
        return 2;
    }
    const char *waybill = "";
    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "--waybill") && i + 1 < argc && !strcmp(step, "ship"))
            waybill = argv[++i];
        else {
            fprintf(stderr, "ordctl order %s: unknown argument %s\n%s", step, argv[i], USAGE_ORDER);
            return 2;
        }
    }
    int known = !strcmp(step, "show") || !strcmp(step, "audit") || !strcmp(step, "push") || !strcmp(step, "ship") ||
                !strcmp(step, "refund-handled") || !strcmp(step, "release");
    if (!known) {
        fprintf(stderr, "ordctl order: unknown step %s\n%s", step, USAGE_ORDER);
        return 2;
    }
    char err[512];
    of_db_t *db = of_db_connect(cfg, NULL, err, sizeof err);
    if (!db) {
        fprintf(stderr, "ordctl order %s: %s\n", step, err);
        return 1;
    }
    if (!strcmp(step, "show")) {
        int rc = show(db, id);
        of_db_close(db);
        return rc;
    }
    if (need_kafka()) {
        of_db_close(db);
        return 1;
    }
    of_producer_t *p = of_producer_new(cfg, "ordctl-order", err, sizeof err);
    of_outbox_t *ob = p ? of_outbox_new(db, p) : NULL;
    int rc = 1;
    if (!ob) {
        fprintf(stderr, "ordctl order %s: %s\n", step, p ? "out of memory" : err);
        goto out;
    }
    step_t s = {.step = step, .id = id, .waybill = waybill, .ob = ob};
    snprintf(s.eid, sizeof s.eid, "ops-%s-%llu-%lld", step, (unsigned long long)id, (long long)of_now_ms());
    if (of_db_tx(db, step_tx, &s, err, sizeof err)) {
        fprintf(stderr, "ordctl order %s: %s\n", step, err);
        goto out;
    }
    if (s.refused) {
        fprintf(stderr, "ordctl order %s: refused: %s\n", step, s.why);
        rc = 3;
        goto out;
    }
    of_outbox_flush(ob);
    printf("order %llu: %d → %d: %s\n", (unsigned long long)id, s.from, s.to, s.why);
    rc = 0;
out:
    of_outbox_destroy(ob);
    of_producer_destroy(p);
    of_db_close(db);
    return rc;
}
