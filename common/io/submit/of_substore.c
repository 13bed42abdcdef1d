/* of_substore.c -- submission I/O: platform goods upkeep (INIT-02…-08), the loads the rules need, and the
 * writes of what of_sub_decide() decided, all inside the caller's batch transaction. */
#include "of_substore.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "of_api_goods.h"
#include "of_automatch.h"
#include "of_goods.h"
#include "of_customer.h"
#include "of_log.h"
#include "of_money.h"
#include "of_stock.h"
#include "of_sub.h"

static const char *const SQL[OF_SS__COUNT] = {
    [OF_SS_PC_GET] = "SELECT pc.customer_id, c.customer_type FROM crm_platform_customer pc JOIN crm_customer c ON "
                     "c.customer_id = pc.customer_id WHERE pc.platform_id = ? AND pc.account = ?",
    /* OP-18: the offline customer's phone and address books, compared in C by the tested rules
     * (of_cust_phone_match, of_cust_address_match: exact bytes, not the column's case-insensitive collation) */
    [OF_SS_OFF_PHONE] = "SELECT telno FROM crm_customer_telno WHERE customer_id = ?",
    [OF_SS_OFF_ADDR] = "SELECT province, city, district, address FROM crm_customer_address WHERE customer_id = ?",
    [OF_SS_CUST_INS] = "INSERT INTO crm_customer (customer_no, nick, name, mobile, telno, province, city, district, "
                       "address, zip) VALUES (CONCAT('KH', UUID_SHORT()), ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [OF_SS_PC_INS] = "INSERT INTO crm_platform_customer (platform_id, account, customer_id) VALUES (?, ?, ?)",
    [OF_SS_ADDR_INS] = "INSERT IGNORE INTO crm_customer_address (customer_id, name, province, city, district, address, "
                       "zip, mobile, telno) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [OF_SS_TEL_INS] = "INSERT IGNORE INTO crm_customer_telno (customer_id, type, telno) VALUES (?, ?, ?)",
    [OF_SS_SIBS] = "SELECT trade_id, trade_status, DATE_FORMAT(trade_time, '%Y-%m-%d %H:%i:%s'), unmerge_mask FROM "
                   "sales_trade WHERE customer_id = ? AND trade_status BETWEEN 10 AND 95 ORDER BY trade_id",
    [OF_SS_STOCK] = "SELECT warehouse_id, spec_id, stock_num, wms_stock_num, sending_num, order_num, unpay_num, "
                    "subscribe_num, cost_price FROM stock_spec WHERE spec_id = ?",
    [OF_SS_ST_INS] =
        "INSERT INTO sales_trade (trade_no, platform_id, shop_id, raw_trade_id, src_tids, trade_status, pay_status, "
        "refund_status, delivery_term, trade_mask, flag_id, unmerge_mask, freeze_reason, is_sealed, trade_time, "
        "pay_time, delay_to_time, customer_id, buyer_nick, receiver_name, receiver_mobile, receiver_telno, "
        "receiver_province, receiver_city, receiver_district, receiver_address, receiver_zip, area_alias, "
        "warehouse_id, wms_type, logistics_id, logistics_by, package_id, post_cost, salesman_id, cs_remark, "
        "buyer_message, invoice_type, invoice_title, invoice_content, goods_count, goods_type_count, single_spec_no, "
        "weight, volume, goods_amount, post_amount, discount, receivable, paid, pbs_amount, cod_amount, goods_cost, "
        "commission, gift_mask, is_not_use_air, decision_trace, event_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [OF_SS_STO_INS] =
        "INSERT INTO sales_trade_order (trade_id, platform_id, shop_id, src_tid, src_oid, api_trade_order_id, "
        "spec_id, goods_id, api_goods_id, api_spec_id, refund_status, guarantee_mode, delivery_term, bind_oid, num, "
        "actual_num, price, order_price, share_price, share_amount, share_post, paid, adjust, discount, commission, "
        "cost_price, goods_name, goods_no, spec_name, spec_no, spec_code, api_goods_name, api_spec_name, weight, "
        "volume, tax_rate, large_type, gift_type, cid, is_zero_cost, is_not_use_air, suite_id, suite_no, suite_name, "
        "suite_num, is_main, stock_reserved, reserved_warehouse_id, reserved_num) VALUES (?, ?, ?, ?, ?, "
        "(SELECT rec_id FROM api_trade_order WHERE api_trade_id = ? AND oid = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [OF_SS_LOG_INS] = "INSERT INTO sales_trade_log (trade_id, type, rule_id, message) VALUES (?, ?, ?, ?)",
    [OF_SS_SIB_UPD] =
        "UPDATE sales_trade SET unmerge_mask = unmerge_mask | ?, delay_to_time = IF(? > 0 AND trade_status "
        "IN (16, 20), ?, delay_to_time), trade_status = IF(? > 0 AND trade_status IN (16, 20), ?, "
        "trade_status), version = version + 1 WHERE trade_id = ?",
    [OF_SS_RAW_UPD] =
        "UPDATE api_trade SET process_status = ?, bad_reason = bad_reason | ?, deliver_trade_id = ?, "
        "customer_id = ?, salesman_id = ?, remark_logistics_id = ?, freeze_reason = ?, prompt_warehouse_id = "
        "?, submit_rule = ?, submit_reason = ?, decision_trace = ?, submitted_at = NOW(3), modify_flag = "
        "IF(? = 20, 0, modify_flag), pay_time = IF(pay_time IS NULL AND ? <> '', ?, pay_time) WHERE rec_id = "
        "? AND process_status = 10",
    [OF_SS_RAWO_UPD] =
        "UPDATE api_trade_order SET process_status = ?, modify_flag = IF(? = 20, 0, modify_flag), is_new = 0 "
        "WHERE api_trade_id = ?",
    [OF_SS_RAWO_INVALID] = "UPDATE api_trade_order SET is_invalid_goods = 1 WHERE api_trade_id = ? AND oid = ?",
    [OF_SS_AG_INS] =
        "INSERT INTO api_goods_spec (platform_id, shop_id, goods_id, spec_id, goods_no, spec_no, goods_name, "
        "spec_name, cid, match_target_type, match_target_id, match_code, modify_flag, is_stock_change, brand, "
        "class_name) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 1, IFNULL(MAX(g.brand), ''), "
        "IFNULL(MAX(g.class_name), '') FROM (SELECT 1) one LEFT JOIN goods_spec s ON s.spec_id = ? AND ? = 1 "
        "LEFT JOIN goods_goods g ON g.goods_id = s.goods_id ON DUPLICATE KEY UPDATE rec_id = rec_id",
    [OF_SS_AG_UPD] =
        "UPDATE api_goods_spec SET modify_flag = 0, goods_no = ?, spec_no = ?, goods_name = ?, spec_name = ?, "
        "cid = ?, match_target_type = IF(is_manual_match = 0, ?, match_target_type), match_target_id = "
        "IF(is_manual_match = 0, ?, match_target_id), match_code = IF(is_manual_match = 0, ?, match_code), "
        "is_stock_change = IF(is_manual_match = 0, 1, is_stock_change) WHERE shop_id = ? AND goods_id = ? AND "
        "spec_id = ?",
    [OF_SS_RAWO_VALID] =
        "UPDATE api_trade_order SET is_invalid_goods = 0 WHERE shop_id = ? AND goods_id = ? AND spec_id = "
        "? AND is_invalid_goods = 1",
    [OF_SS_STOCK_UPS] =
        "INSERT INTO stock_spec (warehouse_id, spec_id, unpay_num, order_num, subscribe_num) VALUES (?, ?, "
        "?, ?, ?) ON DUPLICATE KEY UPDATE unpay_num = unpay_num + VALUES(unpay_num), order_num = order_num "
        "+ VALUES(order_num), subscribe_num = subscribe_num + VALUES(subscribe_num)",
    [OF_SS_STOCK_LOG] = "INSERT INTO stock_change_log (warehouse_id, spec_id, src_type, src_id, event_id, d_order_num, "
                        "d_unpay_num, d_subscribe_num, remark) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?)",
    [OF_SS_REFUND_GET] = "SELECT rec_id FROM api_refund WHERE shop_id = ? AND tid = ? ORDER BY is_temp, rec_id LIMIT 1",
    [OF_SS_REFUND_UPD] = "UPDATE api_refund SET status = ?, modify_flag = modify_flag | 1 WHERE rec_id = ?",
    [OF_SS_REFUND_INS] = "INSERT INTO api_refund (platform_id, shop_id, refund_no, is_temp, tid, raw_trade_id, status, "
                         "buyer_nick, refund_amount, reason) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?)",
    [OF_SS_REFUND_LINE] =
        "INSERT IGNORE INTO api_refund_order (refund_id, oid, goods_id, spec_id, spec_no, goods_name, num, "
        "price, refund_amount, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [OF_SS_RMK] =
        "INSERT INTO sales_trade_remark_history (trade_id, raw_trade_id, src_tid, remark_type, remark) VALUES "
        "(?, ?, ?, ?, ?)",
    [OF_SS_STOCKOUT] =
        "INSERT INTO stockout_order (stockout_no, src_order_type, src_order_id, warehouse_id, logistics_id, "
        "status, goods_count, weight, post_cost) VALUES (?, 1, ?, ?, ?, 50, ?, ?, ?)",
    [OF_SS_STOCKOUT_LINE] =
        "INSERT INTO stockout_order_detail (stockout_id, src_order_detail_id, spec_id, num) VALUES (?, "
        "?, ?, ?)",
    [OF_SS_GRAB] = "INSERT INTO stock_grab (trade_id, warehouse_id, spec_id, num) VALUES (?, ?, ?, ?) ON DUPLICATE KEY "
                   "UPDATE num = num + VALUES(num)",
    [OF_SS_FULLLINK] = "INSERT INTO sys_process_background (type, shop_id, object_id, data) VALUES (2, ?, ?, ?)",
};

typedef struct {
    uint64_t wh, spec;
    int d[3]; /* unpay, order, subscribe */
} delta_t;

const char *of_substore_sql(of_ss_stmt_t id) {
    return id >= 0 && id < OF_SS__COUNT ? SQL[id] : NULL;
}

struct of_substore_s {
    of_db_t *db;
    const of_config_t *cfg;
    int st[OF_SS__COUNT];
    /* per batch */
    of_catalog_t cat;     /* the batch's view: its snapshot + ov */
    of_cat_overlay_t *ov; /* the platform goods rows this transaction wrote (INIT-03/04) */
    of_stockview_t view;
    uint64_t *loaded_specs;
    size_t nloaded, loaded_cap;
    delta_t *deltas;
    size_t ndeltas, deltas_cap;
};

of_substore_t *of_substore_new(of_db_t *db, const of_config_t *cfg) {
    of_substore_t *ss = calloc(1, sizeof *ss);
    if (!ss) return NULL;
    ss->db = db;
    ss->cfg = cfg;
    if (!(ss->ov = of_cat_overlay_new())) {
        free(ss);
        return NULL;
    }
    for (int i = 0; i < OF_SS__COUNT; i++)
        if ((ss->st[i] = of_db_register(db, SQL[i])) < 0) {
            of_cat_overlay_free(ss->ov);
            free(ss);
            return NULL;
        }
    return ss;
}

void of_substore_destroy(of_substore_t *ss) {
    if (!ss) return;
    of_stock_free(&ss->view);
    of_cat_overlay_free(ss->ov);
    free(ss->loaded_specs);
    free(ss->deltas);
    free(ss);
}

/* "YYYY-MM-DD HH:MM:SS" of platform seconds; "" for 0. */
static const char *fmt_time(int64_t t, char *buf, size_t size) {
    if (!t) {
        buf[0] = '\0';
        return buf;
    }
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

static of_param_t time_param(const char *s) {
    return s && *s ? OFP_S(s) : OFP_NUL;
}

/* ------------------------------------------------------------------ INIT-02…-08: platform goods */
static of_err_t init_platform_goods(of_substore_t *ss, const of_catalog_t *cat, const of_subjob_t *job, char *err,
                                    size_t size) {
    const Orderfleet__RawTrade *raw = job->raw;
    of_err_t e;
    for (size_t i = 0; i < raw->n_orders; i++) {
        const Orderfleet__RawSubOrder *o = raw->orders[i];
        if (!*o->goods_id) continue; /* INIT-03/04: goods_id ≠ '' */
        const of_api_goods_t *gs = of_cat_api_goods(cat, job->shop_id, o->goods_id, o->spec_id);
        of_match_t m;
        if (!gs) { /* INIT-04 insert (OP-07, OP-08) → INIT-05/06 auto-match → INIT-07 brand → INIT-08 flag 0 */
            of_automatch(cat, job->shop_id, o->goods_no, o->spec_no, &m);
            of_param_t p[] = {OFP_I(raw->platform_id),
                              OFP_U(job->shop_id),
                              OFP_S(o->goods_id),
                              OFP_S(o->spec_id),
                              OFP_S(o->goods_no),
                              OFP_S(o->spec_no),
                              OFP_S(o->goods_name),
                              OFP_S(o->spec_name),
                              OFP_S(o->cid),
                              OFP_I(m.type),
                              OFP_U(m.id),
                              OFP_S(m.code),
                              OFP_U(m.id),
                              OFP_I(m.type)};
            if ((e = of_db_exec(ss->db, ss->st[OF_SS_AG_INS], p, 14, NULL, NULL, err, size))) return e;
            of_api_goods_t row = {.shop_id = job->shop_id, .match_type = m.type, .match_id = m.id, .status = 1};
            snprintf(row.goods_id, sizeof row.goods_id, "%s", o->goods_id);
            snprintf(row.spec_id, sizeof row.spec_id, "%s", o->spec_id);
            snprintf(row.goods_no, sizeof row.goods_no, "%s", o->goods_no);
            snprintf(row.spec_no, sizeof row.spec_no, "%s", o->spec_no);
            /* the batch's overlay: merged into the catalogue only once the transaction commits */
            if (of_cat_overlay_put(ss->ov, &row)) return of_seterr(err, size, OF_ERR_NOMEM, "out of memory");
            of_debug("INIT-04 platform goods added", OF_S("goods_id", o->goods_id), OF_S("spec_id", o->spec_id),
                     OF_I("match_type", m.type), OF_U("match_id", m.id), OF_END);
        } else if (of_api_goods_changed(gs, o->goods_no, o->spec_no)) { /* INIT-03 → INIT-05/06 → INIT-08 */
            of_api_goods_t row = *gs;
            /* INIT-05: a changed row (INIT-03 raised its modify_flag) is an auto-match candidate unless matched
             * by hand or deleted */
            if (of_automatch_candidate(1, row.is_manual_match, row.status)) {
                of_automatch(cat, job->shop_id, o->goods_no, o->spec_no, &m);
                row.match_type = m.type;
                row.match_id = m.id;
            } else {
                m.type = row.match_type;
                m.id = row.match_id;
                m.code[0] = '\0';
            }
            of_param_t p[] = {OFP_S(o->goods_no),  OFP_S(o->spec_no),  OFP_S(o->goods_name), OFP_S(o->spec_name),
                              OFP_S(o->cid),       OFP_I(m.type),      OFP_U(m.id),          OFP_S(m.code),
                              OFP_U(job->shop_id), OFP_S(o->goods_id), OFP_S(o->spec_id)};
            if ((e = of_db_exec(ss->db, ss->st[OF_SS_AG_UPD], p, 11, NULL, NULL, err, size))) return e;
            snprintf(row.goods_no, sizeof row.goods_no, "%s", o->goods_no);
            snprintf(row.spec_no, sizeof row.spec_no, "%s", o->spec_no);
            if (of_cat_overlay_put(ss->ov, &row)) return of_seterr(err, size, OF_ERR_NOMEM, "out of memory");
            if (m.type != OF_MATCH_NONE) { /* INIT-07 (b): lines waiting for this match become valid */
                of_param_t q[] = {OFP_U(job->shop_id), OFP_S(o->goods_id), OFP_S(o->spec_id)};
                if ((e = of_db_exec(ss->db, ss->st[OF_SS_RAWO_VALID], q, 3, NULL, NULL, err, size))) return e;
            }
        }
    }
    return OF_OK;
}

/* ------------------------------------------------------------------ loads */
static of_err_t load_spec_stock(of_substore_t *ss, uint64_t spec_id, char *err, size_t size) {
    for (size_t i = 0; i < ss->nloaded; i++)
        if (ss->loaded_specs[i] == spec_id) return OF_OK;
    if (ss->nloaded == ss->loaded_cap) {
        size_t nc = ss->loaded_cap ? ss->loaded_cap * 2 : 64;
        uint64_t *p = realloc(ss->loaded_specs, nc * sizeof *p);
        if (!p) return of_seterr(err, size, OF_ERR_NOMEM, "out of memory");
        ss->loaded_specs = p;
        ss->loaded_cap = nc;
    }
    ss->loaded_specs[ss->nloaded++] = spec_id;
    of_rows_t *rows;
    of_param_t p[] = {OFP_U(spec_id)};
    of_err_t e = of_db_query(ss->db, ss->st[OF_SS_STOCK], p, 1, &rows, err, size);
    if (e) return e;
    for (int r = 0; r < rows->nrows; r++) {
        of_stock_row_t row = {.warehouse_id = (uint64_t)of_rows_i64(rows, r, 0),
                              .spec_id = (uint64_t)of_rows_i64(rows, r, 1),
                              .stock_num = (int32_t)of_rows_i64(rows, r, 2),
                              .wms_stock_num = (int32_t)of_rows_i64(rows, r, 3),
                              .sending_num = (int32_t)of_rows_i64(rows, r, 4),
                              .order_num = (int32_t)of_rows_i64(rows, r, 5),
                              .unpay_num = (int32_t)of_rows_i64(rows, r, 6),
                              .subscribe_num = (int32_t)of_rows_i64(rows, r, 7)};
        if (of_money_parse(of_rows_str(rows, r, 8) ? of_rows_str(rows, r, 8) : "0", &row.cost_price))
            row.cost_price = 0;
        if (of_stock_put(&ss->view, &row)) {
            of_rows_free(rows);
            return of_seterr(err, size, OF_ERR_NOMEM, "out of memory");
        }
    }
    of_rows_free(rows);
    return OF_OK;
}

/* The stock rows of every system spec the raw trade can map to (stored match, dynamic match, suite parts). */
static of_err_t load_stock_for(of_substore_t *ss, const of_catalog_t *cat, const of_subjob_t *job, char *err,
                               size_t size) {
    const Orderfleet__RawTrade *raw = job->raw;
    of_err_t e;
    for (size_t i = 0; i < raw->n_orders; i++) {
        const Orderfleet__RawSubOrder *o = raw->orders[i];
        uint64_t ids[2] = {0, 0};
        int types[2] = {0, 0};
        const of_api_goods_t *gs = of_cat_api_goods(cat, job->shop_id, o->goods_id, o->spec_id);
        if (gs) {
            types[0] = gs->match_type;
            ids[0] = gs->match_id;
        }
        of_match_t m; /* SUB-MAP-08: a dynamic match may pick another target than the stored one */
        if ((cat->set.dynamic_match || raw->platform_id == 0) &&
            of_automatch(cat, job->shop_id, o->goods_no, o->spec_no, &m) != OF_MATCH_NONE) {
            types[1] = m.type;
            ids[1] = m.id;
        }
        for (int k = 0; k < 2; k++) {
            if (types[k] == OF_MATCH_SPEC) {
                if ((e = load_spec_stock(ss, ids[k], err, size))) return e;
            } else if (types[k] == OF_MATCH_SUITE) {
                size_t nd;
                const of_suite_detail_t *d = of_cat_suite_details(cat, ids[k], &nd);
                for (size_t j = 0; j < nd; j++)
                    if ((e = load_spec_stock(ss, d[j].spec_id, err, size))) return e;
            }
        }
    }
    return OF_OK;
}

static of_err_t load_customer(of_substore_t *ss, const of_subjob_t *job, const char *nick, of_cust_lookup_t *c,
                              char *err, size_t size) {
    const Orderfleet__RawTrade *raw = job->raw;
    memset(c, 0, sizeof *c);
    of_rows_t *rows;
    of_param_t p[] = {OFP_I(raw->platform_id), OFP_S(nick)};
    of_err_t e = of_db_query(ss->db, ss->st[OF_SS_PC_GET], p, 2, &rows, err, size); /* SUB-CUST-02 */
    if (e) return e;
    if (rows->nrows) {
        c->platform_customer_id = (uint64_t)of_rows_i64(rows, 0, 0);
        c->customer_type = (int)of_rows_i64(rows, 0, 1);
    }
    of_rows_free(rows);
    if (c->platform_customer_id || raw->platform_id == 0) return OF_OK;
    p[0] = OFP_I(0); /* SUB-CUST-03: an offline customer of the same nick */
    if ((e = of_db_query(ss->db, ss->st[OF_SS_PC_GET], p, 2, &rows, err, size))) return e;
    if (rows->nrows) c->offline_customer_id = (uint64_t)of_rows_i64(rows, 0, 0);
    of_rows_free(rows);
    if (!c->offline_customer_id) return OF_OK;
    of_param_t q[] = {OFP_U(c->offline_customer_id)};
    if ((e = of_db_query(ss->db, ss->st[OF_SS_OFF_PHONE], q, 1, &rows, err, size))) return e;
    for (int r = 0; r < rows->nrows && !c->offline_phone_match; r++)
        c->offline_phone_match = of_cust_phone_match(raw, of_rows_str(rows, r, 0));
    of_rows_free(rows);
    if ((e = of_db_query(ss->db, ss->st[OF_SS_OFF_ADDR], q, 1, &rows, err, size))) return e;
    for (int r = 0; r < rows->nrows && !c->offline_address_match; r++)
        c->offline_address_match = of_cust_address_match(raw, of_rows_str(rows, r, 0), of_rows_str(rows, r, 1),
                                                         of_rows_str(rows, r, 2), of_rows_str(rows, r, 3));
    of_rows_free(rows);
    return OF_OK;
}

static of_err_t load_siblings(of_substore_t *ss, uint64_t customer_id, of_sibling_t **sibsp, size_t *np, char *err,
                              size_t size) {
    *sibsp = NULL;
    *np = 0;
    if (!customer_id) return OF_OK;
    of_rows_t *rows;
    of_param_t p[] = {OFP_U(customer_id)};
    of_err_t e = of_db_query(ss->db, ss->st[OF_SS_SIBS], p, 1, &rows, err, size);
    if (e) return e;
    if (rows->nrows) {
        of_sibling_t *s = calloc((size_t)rows->nrows, sizeof *s);
        if (!s) {
            of_rows_free(rows);
            return of_seterr(err, size, OF_ERR_NOMEM, "out of memory");
        }
        for (int r = 0; r < rows->nrows; r++) {
            s[r].trade_id = (uint64_t)of_rows_i64(rows, r, 0);
            s[r].status = (int)of_rows_i64(rows, r, 1);
            s[r].trade_time = of_time_parse(of_rows_str(rows, r, 2));
            s[r].unmerge_mask = (uint32_t)of_rows_i64(rows, r, 3);
        }
        *sibsp = s;
        *np = (size_t)rows->nrows;
    }
    of_rows_free(rows);
    return OF_OK;
}

/* ------------------------------------------------------------------ writes */
static of_err_t write_customer(of_substore_t *ss, const of_subjob_t *job, of_sub_t *s, char *err, size_t size) {
    const Orderfleet__RawTrade *raw = job->raw;
    of_err_t e;
    if (s->cust_action == OF_CUST_CREATE) { /* SUB-CUST-04 */
        of_param_t p[] = {OFP_S(s->nick),
                          OFP_S(raw->receiver_name),
                          OFP_S(raw->receiver_mobile),
                          OFP_S(raw->receiver_telno),
                          OFP_S(raw->receiver_province),
                          OFP_S(raw->receiver_city),
                          OFP_S(raw->receiver_district),
                          OFP_S(raw->receiver_address),
                          OFP_S(raw->receiver_zip)};
        if ((e = of_db_exec(ss->db, ss->st[OF_SS_CUST_INS], p, 9, NULL, &s->customer_id, err, size))) return e;
    }
    if (s->cust_action == OF_CUST_CREATE || s->cust_action == OF_CUST_LINK_OFFLINE) {
        of_param_t p[] = {OFP_I(raw->platform_id), OFP_S(s->nick), OFP_U(s->customer_id)};
        e = of_db_exec(ss->db, ss->st[OF_SS_PC_INS], p, 3, NULL, NULL, err, size);
        if (e == OF_ERR_DUPLICATE) return OF_ERR_TRANSIENT; /* created meanwhile by another instance: retry */
        if (e) return e;
    }
    /* SUB-CUST-05 address book (none when every address part is empty), SUB-CUST-06 phone book (INSERT IGNORE:
     * only added) */
    of_cust_address_t ad;
    if (of_cust_address(raw, &ad)) {
        of_param_t a[] = {OFP_U(s->customer_id), OFP_S(ad.name), OFP_S(ad.province), OFP_S(ad.city), OFP_S(ad.district),
                          OFP_S(ad.address),     OFP_S(ad.zip),  OFP_S(ad.mobile),   OFP_S(ad.telno)};
        if ((e = of_db_exec(ss->db, ss->st[OF_SS_ADDR_INS], a, 9, NULL, NULL, err, size))) return e;
    }
    const char *nums[2];
    int types[2];
    int np = of_cust_phones(raw, nums, types);
    for (int i = 0; i < np; i++) {
        of_param_t t[] = {OFP_U(s->customer_id), OFP_I(types[i]), OFP_S(nums[i])};
        if ((e = of_db_exec(ss->db, ss->st[OF_SS_TEL_INS], t, 3, NULL, NULL, err, size))) return e;
    }
    return OF_OK;
}

static of_err_t add_delta(of_substore_t *ss, uint64_t wh, uint64_t spec, of_res_t kind, int n, char *err, size_t size) {
    int idx = kind == OF_RES_UNPAY ? 0 : kind == OF_RES_ORDER ? 1 : kind == OF_RES_SUBSCRIBE ? 2 : -1;
    if (idx < 0 || !n) return OF_OK;
    for (size_t i = 0; i < ss->ndeltas; i++)
        if (ss->deltas[i].wh == wh && ss->deltas[i].spec == spec) {
            ss->deltas[i].d[idx] += n;
            return OF_OK;
        }
    if (ss->ndeltas == ss->deltas_cap) {
        size_t nc = ss->deltas_cap ? ss->deltas_cap * 2 : 64;
        delta_t *d = realloc(ss->deltas, nc * sizeof *d);
        if (!d) return of_seterr(err, size, OF_ERR_NOMEM, "out of memory");
        ss->deltas = d;
        ss->deltas_cap = nc;
    }
    delta_t *d = &ss->deltas[ss->ndeltas++];
    memset(d, 0, sizeof *d);
    d->wh = wh;
    d->spec = spec;
    d->d[idx] = n;
    return OF_OK;
}

static int cmp_delta(const void *a, const void *b) {
    const delta_t *x = a, *y = b;
    if (x->wh != y->wh) return x->wh < y->wh ? -1 : 1;
    if (x->spec != y->spec) return x->spec < y->spec ? -1 : 1;
    return 0;
}

static of_err_t write_order(of_substore_t *ss, const of_catalog_t *cat, of_subjob_t *job, of_sub_t *s,
                            const char *trace, char *err, size_t size) {
    const Orderfleet__RawTrade *raw = job->raw;
    of_err_t e;
    char trade_no[40], pay[24], delay[24];
    snprintf(trade_no, sizeof trade_no, "JY%llu", (unsigned long long)job->raw_id);
    fmt_time(s->pay_time, pay, sizeof pay);
    fmt_time(s->delay_to_time, delay, sizeof delay);
    uint64_t freeze = s->cs.freeze_reason ? s->cs.freeze_reason : s->client.freeze_reason;
    uint64_t flag = s->cs.flag_id ? s->cs.flag_id : s->client.flag_id;
    const of_agg_t *g = &s->agg;
    of_param_t p[] = {OFP_S(trade_no),
                      OFP_I(raw->platform_id),
                      OFP_U(job->shop_id),
                      OFP_U(job->raw_id),
                      OFP_S(raw->tid),
                      OFP_I(s->status),
                      OFP_I(raw->pay_status),
                      OFP_I(s->refund_status),
                      OFP_I(g->delivery_term),
                      OFP_U(raw->trade_mask),
                      OFP_U(flag),
                      OFP_U(s->unmerge_mask),
                      OFP_U(freeze),
                      OFP_I(s->is_sealed),
                      OFP_S(raw->trade_time),
                      time_param(pay),
                      time_param(delay),
                      OFP_U(s->customer_id),
                      OFP_S(s->nick),
                      OFP_S(raw->receiver_name),
                      OFP_S(raw->receiver_mobile),
                      OFP_S(raw->receiver_telno),
                      OFP_S(raw->receiver_province),
                      OFP_S(raw->receiver_city),
                      OFP_S(raw->receiver_district),
                      OFP_S(raw->receiver_address),
                      OFP_S(raw->receiver_zip),
                      OFP_S(s->area_alias),
                      OFP_U(s->warehouse_id),
                      OFP_I(s->wms_type),
                      OFP_U(s->logistics_id),
                      OFP_I(s->logistics_by),
                      OFP_U(s->package_id),
                      OFP_M(s->post_cost),
                      OFP_U(s->cs.salesman_id),
                      OFP_S(raw->cs_remark),
                      OFP_S(raw->buyer_message),
                      OFP_I(raw->invoice_type),
                      OFP_S(raw->invoice_title),
                      OFP_S(raw->invoice_content),
                      OFP_I(g->goods_count),
                      OFP_I(g->goods_type_count),
                      OFP_S(g->single_spec_no),
                      OFP_M(g->weight),
                      OFP_M(g->volume),
                      OFP_M(g->goods_amount),
                      OFP_M(g->post_amount),
                      OFP_M(g->discount),
                      OFP_M(raw->receivable),
                      OFP_M(g->paid),
                      OFP_M(g->pbs_amount),
                      OFP_M(g->cod_amount),
                      OFP_M(s->goods_cost),
                      OFP_M(g->commission),
                      OFP_U(g->gift_mask),
                      OFP_I(g->is_not_use_air),
                      trace ? OFP_S(trace) : OFP_NUL,
                      OFP_S(job->event_id)};
    e = of_db_exec(ss->db, ss->st[OF_SS_ST_INS], p, (int)(sizeof p / sizeof p[0]), NULL, &job->trade_id, err, size);
    if (e == OF_ERR_DUPLICATE) /* uk_trade_no: this raw trade already has its order */
        return of_seterr(err, size, OF_ERR_DB, "raw trade %llu already has order %s", (unsigned long long)job->raw_id,
                         trade_no);
    if (e) return e;
    uint64_t tid = job->trade_id;
    uint64_t stockout_id = 0;
    if (s->make_stockout) { /* SUB-STK-05: transferred to the external warehouse */
        char no[40];
        snprintf(no, sizeof no, "CK%llu", (unsigned long long)tid);
        of_param_t q[] = {
            OFP_S(no),        OFP_U(tid),         OFP_U(s->warehouse_id), OFP_U(s->logistics_id), OFP_I(g->goods_count),
            OFP_M(g->weight), OFP_M(s->post_cost)};
        if ((e = of_db_exec(ss->db, ss->st[OF_SS_STOCKOUT], q, 7, NULL, &stockout_id, err, size))) return e;
    }
    for (size_t i = 0; i < s->nlines; i++) { /* SUB-CRT-02 */
        of_line_t *l = &s->lines[i];
        const of_spec_t *sp = of_cat_spec(cat, l->spec_id);
        int reserved = s->reserve != OF_RES_NONE && s->warehouse_id && l->actual_num > 0 ? s->reserve : 0;
        of_param_t q[] = {OFP_U(tid),
                          OFP_I(raw->platform_id),
                          OFP_U(job->shop_id),
                          OFP_S(l->src_tid),
                          OFP_S(l->src_oid),
                          OFP_U(job->raw_id),
                          OFP_S(l->src_oid),
                          OFP_U(l->spec_id),
                          OFP_U(sp ? sp->goods_id : 0),
                          OFP_S(l->api_goods_id),
                          OFP_S(l->api_spec_id),
                          OFP_I(l->refund_status),
                          OFP_I(l->guarantee_mode),
                          OFP_I(l->delivery_term),
                          OFP_S(l->bind_oid),
                          OFP_I(l->num),
                          OFP_I(l->actual_num),
                          OFP_M(l->price),
                          OFP_M(l->order_price),
                          OFP_M(l->share_price),
                          OFP_M(l->share_amount),
                          OFP_M(l->share_post),
                          OFP_M(l->paid),
                          OFP_M(l->adjust),
                          OFP_M(l->discount),
                          OFP_M(l->commission),
                          OFP_M(l->cost_price),
                          OFP_S(l->goods_name),
                          OFP_S(l->goods_no),
                          OFP_S(l->spec_name),
                          OFP_S(l->spec_no),
                          OFP_S(l->spec_code),
                          OFP_S(l->api_goods_name),
                          OFP_S(l->api_spec_name),
                          OFP_M(l->weight),
                          OFP_M(l->volume),
                          OFP_M(l->tax_rate),
                          OFP_I(l->large_type),
                          OFP_I(l->gift_type),
                          OFP_S(l->cid),
                          OFP_I(l->is_zero_cost),
                          OFP_I(l->is_not_use_air),
                          OFP_U(l->suite_id),
                          OFP_S(l->suite_no),
                          OFP_S(l->suite_name),
                          OFP_I(l->suite_num),
                          OFP_I(l->is_main),
                          OFP_I(reserved),
                          OFP_U(reserved ? s->warehouse_id : 0),
                          OFP_I(reserved ? l->actual_num : 0)};
        uint64_t line_id = 0;
        if ((e = of_db_exec(ss->db, ss->st[OF_SS_STO_INS], q, (int)(sizeof q / sizeof q[0]), NULL, &line_id, err,
                            size)))
            return e;
        if (reserved) { /* SUB-STK-01…-04: counted now, written in lock order at the end of the batch */
            if ((e = load_spec_stock(ss, l->spec_id, err, size))) return e; /* the view must hold the row first */
            if ((e = add_delta(ss, s->warehouse_id, l->spec_id, (of_res_t)reserved, l->actual_num, err, size)))
                return e;
            if (of_stock_add(&ss->view, s->warehouse_id, l->spec_id, (of_res_t)reserved, l->actual_num))
                return of_seterr(err, size, OF_ERR_NOMEM, "out of memory");
            int d[3] = {0, 0, 0};
            d[reserved == OF_RES_UNPAY ? 0 : reserved == OF_RES_ORDER ? 1 : 2] = l->actual_num;
            of_param_t r[] = {OFP_U(s->warehouse_id),
                              OFP_U(l->spec_id),
                              OFP_U(tid),
                              OFP_S(job->event_id),
                              OFP_I(d[1]),
                              OFP_I(d[0]),
                              OFP_I(d[2]),
                              OFP_S("SUB-STK reservation")};
            if ((e = of_db_exec(ss->db, ss->st[OF_SS_STOCK_LOG], r, 8, NULL, NULL, err, size))) return e;
        }
        if (stockout_id && l->actual_num > 0) {
            of_param_t r[] = {OFP_U(stockout_id), OFP_U(line_id), OFP_U(l->spec_id), OFP_I(l->actual_num)};
            if ((e = of_db_exec(ss->db, ss->st[OF_SS_STOCKOUT_LINE], r, 4, NULL, NULL, err, size))) return e;
        }
        if (s->status == OF_ST_GRAB && s->warehouse_id && l->actual_num > 0) { /* SUB-GRAB-01 */
            of_param_t r[] = {OFP_U(tid), OFP_U(s->warehouse_id), OFP_U(l->spec_id), OFP_I(l->actual_num)};
            if ((e = of_db_exec(ss->db, ss->st[OF_SS_GRAB], r, 4, NULL, NULL, err, size))) return e;
        }
    }
    for (size_t i = 0; i < s->logs.n; i++) { /* SUB-LOG-01 and every rule's log */
        of_param_t q[] = {OFP_U(tid), OFP_I(s->logs.e[i].type), OFP_S(s->logs.e[i].rule), OFP_S(s->logs.e[i].message)};
        if ((e = of_db_exec(ss->db, ss->st[OF_SS_LOG_INS], q, 4, NULL, NULL, err, size))) return e;
    }
    for (size_t i = 0; i < s->nsib; i++) { /* SUB-FLAG-01/02, SUB-WU-01 */
        char d[24];
        fmt_time(s->sib[i].delay_to_time, d, sizeof d);
        of_param_t q[] = {OFP_U(s->sib[i].or_mask),    OFP_I(s->sib[i].new_status), time_param(d),
                          OFP_I(s->sib[i].new_status), OFP_I(s->sib[i].new_status), OFP_U(s->sib[i].trade_id)};
        if ((e = of_db_exec(ss->db, ss->st[OF_SS_SIB_UPD], q, 6, NULL, NULL, err, size))) return e;
    }
    if (*raw->cs_remark) { /* SUB-RMK-01 */
        of_param_t q[] = {OFP_U(tid), OFP_U(job->raw_id), OFP_S(raw->tid), OFP_I(1), OFP_S(raw->cs_remark)};
        if ((e = of_db_exec(ss->db, ss->st[OF_SS_RMK], q, 5, NULL, NULL, err, size))) return e;
    }
    if (s->refund_occur > 1) { /* SUB-RFD-01: update the existing refund order, else a temporary one */
        of_rows_t *rows;
        of_param_t q[] = {OFP_U(job->shop_id), OFP_S(raw->tid)};
        if ((e = of_db_query(ss->db, ss->st[OF_SS_REFUND_GET], q, 2, &rows, err, size))) return e;
        uint64_t rid = rows->nrows ? (uint64_t)of_rows_i64(rows, 0, 0) : 0;
        of_rows_free(rows);
        if (rid) {
            of_param_t u[] = {OFP_I(s->refund_occur), OFP_U(rid)};
            if ((e = of_db_exec(ss->db, ss->st[OF_SS_REFUND_UPD], u, 2, NULL, NULL, err, size))) return e;
        } else {
            char no[80];
            snprintf(no, sizeof no, "TMP-%s", raw->tid);
            int64_t amount = 0;
            for (size_t i = 0; i < s->nlines; i++)
                if (s->lines[i].refund_status > 1) amount += s->lines[i].share_amount;
            of_param_t u[] = {
                OFP_I(raw->platform_id), OFP_U(job->shop_id), OFP_S(no),
                OFP_S(raw->tid),         OFP_U(job->raw_id),  OFP_I(s->refund_occur),
                OFP_S(s->nick),          OFP_M(amount),       OFP_S("SUB-RFD-01 refunded lines at submission")};
            if ((e = of_db_exec(ss->db, ss->st[OF_SS_REFUND_INS], u, 9, NULL, &rid, err, size))) return e;
            for (size_t i = 0; i < raw->n_orders; i++) {
                const Orderfleet__RawSubOrder *o = raw->orders[i];
                int rs = (o->status == 80 || o->status == 90) ? 5 : o->refund_status; /* SUB-MAP-11 */
                if (rs <= 1) continue;
                of_param_t w[] = {
                    OFP_U(rid),           OFP_S(o->oid), OFP_S(o->goods_id), OFP_S(o->spec_id),      OFP_S(o->spec_no),
                    OFP_S(o->goods_name), OFP_I(o->num), OFP_M(o->price),    OFP_M(o->share_amount), OFP_I(rs)};
                if ((e = of_db_exec(ss->db, ss->st[OF_SS_REFUND_LINE], w, 10, NULL, NULL, err, size))) return e;
            }
        }
    }
    if (cat->set.full_link && raw->trade_status >= 30 && raw->trade_status < 40) { /* SUB-FL-01, OP-52 */
        char data[160];
        snprintf(data, sizeof data, "{\"tid\":\"%s\",\"rule\":\"SUB-FL-01\"}", raw->tid);
        of_param_t q[] = {OFP_U(job->shop_id), OFP_U(tid), OFP_S(data)};
        if ((e = of_db_exec(ss->db, ss->st[OF_SS_FULLLINK], q, 3, NULL, NULL, err, size))) return e;
    }
    return OF_OK;
}

static of_err_t write_raw(of_substore_t *ss, of_subjob_t *job, const of_sub_t *s, const char *trace, char *err,
                          size_t size) {
    const Orderfleet__RawTrade *raw = job->raw;
    of_err_t e;
    char pay[24];
    fmt_time(s->pay_time, pay, sizeof pay);
    uint64_t freeze = s->cs.freeze_reason ? s->cs.freeze_reason : s->client.freeze_reason;
    /* SUB-UPD-01/02 */
    of_param_t p[] = {OFP_I(s->raw_process_status),
                      OFP_U(s->raw_bad_reason),
                      OFP_U(job->trade_id),
                      OFP_U(s->customer_id),
                      OFP_U(s->cs.salesman_id),
                      OFP_U(s->cs.logistics_id),
                      OFP_U(freeze),
                      OFP_U(s->prompt_warehouse_id),
                      OFP_S(s->stop_rule),
                      OFP_S(s->stop_reason),
                      trace ? OFP_S(trace) : OFP_NUL,
                      OFP_I(s->raw_process_status),
                      OFP_S(pay),
                      time_param(pay),
                      OFP_U(job->raw_id)};
    uint64_t affected = 0;
    if ((e = of_db_exec(ss->db, ss->st[OF_SS_RAW_UPD], p, 15, &affected, NULL, err, size))) return e;
    if (!affected)
        return of_seterr(err, size, OF_ERR_DB, "raw trade %llu is no longer pending submission",
                         (unsigned long long)job->raw_id);
    of_param_t q[] = {OFP_I(s->raw_process_status), OFP_I(s->raw_process_status), OFP_U(job->raw_id)};
    if ((e = of_db_exec(ss->db, ss->st[OF_SS_RAWO_UPD], q, 3, NULL, NULL, err, size))) return e;
    for (size_t i = 0; s->rawo_invalid && i < raw->n_orders; i++) /* SUB-MAP-10 */
        if (s->rawo_invalid[i]) {
            of_param_t r[] = {OFP_U(job->raw_id), OFP_S(raw->orders[i]->oid)};
            if ((e = of_db_exec(ss->db, ss->st[OF_SS_RAWO_INVALID], r, 2, NULL, NULL, err, size))) return e;
        }
    return OF_OK;
}

static of_err_t submit_one(of_substore_t *ss, of_subjob_t *job, int64_t now, char *err, size_t size) {
    const of_catalog_t *cat = &ss->cat;
    of_err_t e;
    if (cat->set.gen_api_goods_spec && (e = init_platform_goods(ss, cat, job, err, size))) return e; /* INIT-02 */
    if ((e = load_stock_for(ss, cat, job, err, size))) return e;
    char nick[OF_NAME * 2];
    of_cust_nick(job->raw, nick, sizeof nick);
    of_subin_t in = {
        .cat = cat, .raw = job->raw, .raw_id = job->raw_id, .shop_id = job->shop_id, .now = now, .stock = &ss->view};
    if ((e = load_customer(ss, job, nick, &in.cust, err, size))) return e;
    of_sibling_t *sibs = NULL;
    size_t nsibs = 0;
    uint64_t known = in.cust.platform_customer_id ? in.cust.platform_customer_id : in.cust.offline_customer_id;
    if ((e = load_siblings(ss, known, &sibs, &nsibs, err, size))) return e;
    in.siblings = sibs;
    in.nsiblings = nsibs;
    of_sub_t s;
    of_sub_init(&s);
    if (of_sub_decide(&in, &s)) {
        e = of_seterr(err, size, OF_ERR_NOMEM, "out of memory deciding the order");
        goto out;
    }
    if (s.submitted && (e = write_customer(ss, job, &s, err, size))) goto out;
    char *trace = of_trace_json(&s.trace);
    if (s.submitted) e = write_order(ss, cat, job, &s, trace, err, size);
    /* the trace is stored once: with the order, or on the raw trade when no order was made */
    if (!e) e = write_raw(ss, job, &s, s.submitted ? NULL : trace, err, size);
    free(trace);
    if (e) goto out;
    job->status = s.submitted ? s.status : 0;
    job->warehouse_id = s.warehouse_id;
    snprintf(job->stop_rule, sizeof job->stop_rule, "%s", s.stop_rule);
    snprintf(job->stop_reason, sizeof job->stop_reason, "%s", s.stop_reason);
out:
    of_sub_free(&s);
    free(sibs);
    return e;
}

void of_substore_begin(of_substore_t *ss, const of_cat_snap_t *snap) {
    of_cat_overlay_reset(ss->ov);
    of_cat_view(snap, ss->ov, &ss->cat);
    ss->view.n = 0;
    ss->nloaded = 0;
    ss->ndeltas = 0;
}

of_err_t of_substore_submit_one(of_substore_t *ss, of_subjob_t *job, int64_t now, char *errstr, size_t errstr_size) {
    job->trade_id = 0;
    return submit_one(ss, job, now, errstr, errstr_size);
}

const of_cat_overlay_t *of_substore_overlay(const of_substore_t *ss) {
    return ss->ov;
}

void of_substore_discard(of_substore_t *ss) {
    of_cat_overlay_reset(ss->ov);
}

of_err_t of_substore_end(of_substore_t *ss, char *errstr, size_t errstr_size) {
    /* SUB-STK: the counters, one upsert per (warehouse, spec), in lock order (deadlock-free across instances) */
    of_err_t e = OF_OK;
    if (ss->ndeltas) qsort(ss->deltas, ss->ndeltas, sizeof *ss->deltas, cmp_delta);
    for (size_t i = 0; i < ss->ndeltas && !e; i++) {
        const delta_t *d = &ss->deltas[i];
        of_param_t p[] = {OFP_U(d->wh), OFP_U(d->spec), OFP_I(d->d[0]), OFP_I(d->d[1]), OFP_I(d->d[2])};
        e = of_db_exec(ss->db, ss->st[OF_SS_STOCK_UPS], p, 5, NULL, NULL, errstr, errstr_size);
    }
    ss->ndeltas = 0;
    return e;
}
