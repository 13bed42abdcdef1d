/* of_substore.c -- submission I/O, plan-then-write (issue 10, decision D-T10-50): for a run of raw trades stored in
 * the batch's transaction, the reads the rules need are one query per table per round (customers, phone and address
 * books, siblings, stock), the rules decide trade after trade in memory (the stock view sees every earlier
 * reservation), and what they decided is buffered in a write set (of_wset) and written with one multi-row statement
 * per table. Platform goods upkeep (INIT-02…-08) writes as it goes: at most once per new or changed platform spec.
 * Refund orders (SUB-RFD-01, and trade-modify's) are written at the end of the batch: one read, one statement per
 * table. */
#include "of_substore.h"
#include "of_mid.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "of_api_goods.h"
#include "of_array.h"
#include "of_automatch.h"
#include "of_goods.h"
#include "of_customer.h"
#include "of_log.h"
#include "of_money.h"
#include "of_reserve.h"
#include "of_stock.h"
#include "of_sub.h"
#include "of_tracepack.h"
#include "of_wset.h"

/* ---- statements run as they go (rare: new or changed platform goods, refunded trades) ---- */
enum { Q_AG_INS, Q_AG_UPD, Q_RAWO_VALID, Q__COUNT };
static const char *const SQL[Q__COUNT] = {
    [Q_AG_INS] = "INSERT INTO api_goods_spec (platform_id, shop_id, goods_id, spec_id, goods_no, spec_no, goods_name, "
                 "spec_name, cid, match_target_type, match_target_id, match_code, modify_flag, is_stock_change, brand, "
                 "class_name) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 1, IFNULL(MAX(g.brand), ''), "
                 "IFNULL(MAX(g.class_name), '') FROM (SELECT 1) one LEFT JOIN goods_spec s ON s.spec_id = ? AND ? = 1 "
                 "LEFT JOIN goods_goods g ON g.goods_id = s.goods_id ON DUPLICATE KEY UPDATE rec_id = rec_id",
    [Q_AG_UPD] = "UPDATE api_goods_spec SET modify_flag = 0, goods_no = ?, spec_no = ?, goods_name = ?, spec_name = ?, "
                 "cid = ?, match_target_type = IF(is_manual_match = 0, ?, match_target_type), match_target_id = "
                 "IF(is_manual_match = 0, ?, match_target_id), match_code = IF(is_manual_match = 0, ?, match_code), "
                 "is_stock_change = IF(is_manual_match = 0, 1, is_stock_change) WHERE shop_id = ? AND goods_id = ? AND "
                 "spec_id = ?",
    [Q_RAWO_VALID] = "UPDATE api_trade_order SET is_invalid_goods = 0 WHERE shop_id = ? AND goods_id = ? AND spec_id = "
                     "? AND is_invalid_goods = 1",
};

/* ---- the round's reads: one statement per table (parts of 64 keys) ---- */
enum { R_CUST, R_PHONE, R_ADDR, R_STOCK, R__COUNT };
static const struct {
    const char *head, *row, *sep, *tail;
} READS[R__COUNT] = {
    /* SUB-CUST-02/03: (platform_id, nick) by the column's own comparison; v.k names the asking trade */
    /* SUB-CUST-02/03 and SIBLINGS (§0.3), one read: (platform_id, nick) by the column's own comparison, each
     * customer found with its open orders (10 ≤ status ≤ 95); v.k names the asking trade */
    [R_CUST] = {"SELECT v.k, pc.customer_id, c.customer_type, st.trade_id, st.trade_status, DATE_FORMAT(st.trade_time, "
                "'%Y-%m-%d %H:%i:%s'), st.unmerge_mask FROM (",
                "SELECT ? AS k, ? AS p, ? AS a", " UNION ALL ",
                ") v JOIN crm_platform_customer pc ON pc.platform_id = v.p AND pc.account = v.a JOIN crm_customer c "
                "ON c.customer_id = pc.customer_id LEFT JOIN sales_trade st ON st.customer_id = pc.customer_id AND "
                "st.trade_status BETWEEN 10 AND 95 ORDER BY v.k, st.trade_id"},
    /* OP-18: the offline customers' phone and address books, compared in C by the tested rules
     * (of_cust_phone_match, of_cust_address_match: exact bytes, not the column's case-insensitive collation) */
    [R_PHONE] = {"SELECT customer_id, telno FROM crm_customer_telno WHERE customer_id IN (", "?", ", ", ")"},
    [R_ADDR] = {"SELECT customer_id, province, city, district, address FROM crm_customer_address WHERE customer_id "
                "IN (",
                "?", ", ", ")"},
    [R_STOCK] = {"SELECT " OF_SUBSTORE_STOCK_COLS " FROM stock_spec WHERE spec_id IN (", "?", ", ", ")"},
};

/* sales_trade's columns as the submission writes them: a new order, or one submitted again (OF_SW_TRADE_INTO) */
#define TRADE_COLS                                                                                                     \
    "trade_no, platform_id, shop_id, raw_trade_id, src_tids, trade_status, pay_status, refund_status, delivery_term, " \
    "trade_mask, flag_id, unmerge_mask, freeze_reason, is_sealed, trade_time, pay_time, delay_to_time, customer_id, "  \
    "buyer_nick, receiver_name, receiver_mobile, receiver_telno, receiver_province, receiver_city, "                   \
    "receiver_district, receiver_address, receiver_zip, area_alias, warehouse_id, wms_type, logistics_id, "            \
    "logistics_by, package_id, post_cost, salesman_id, cs_remark, buyer_message, invoice_type, invoice_title, "        \
    "invoice_content, goods_count, goods_type_count, single_spec_no, weight, volume, goods_amount, post_amount, "      \
    "discount, receivable, paid, pbs_amount, cod_amount, goods_cost, commission, gift_mask, is_not_use_air, "          \
    "decision_trace_z, event_id, preorder_by"
#define TRADE_ROW                                                                                                      \
    "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "  \
    "?, "                                                                                                              \
    "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"

/* ---- the round's writes, parents before children (of_wset: OFP_REF names a row of an earlier table) ---- */
static const of_wtable_t TABLES[OF_SW__COUNT] = {
    [OF_SW_CUSTOMER] = {"crm_customer",
                        "INSERT INTO crm_customer (customer_no, nick, name, mobile, telno, province, city, district, "
                        "address, zip) VALUES ",
                        "(CONCAT('KH', UUID_SHORT()), ?, ?, ?, ?, ?, ?, ?, ?, ?)", NULL, NULL, 1, 0, 0},
    [OF_SW_PLATFORM_CUSTOMER] = {"crm_platform_customer",
                                 "INSERT INTO crm_platform_customer (platform_id, account, customer_id) VALUES ",
                                 "(?, ?, ?)", NULL, NULL, 0, 0, 0},
    [OF_SW_ADDRESS] = {"crm_customer_address",
                       "INSERT IGNORE INTO crm_customer_address (customer_id, name, province, city, district, "
                       "address, zip, mobile, telno) VALUES ",
                       "(?, ?, ?, ?, ?, ?, ?, ?, ?)", NULL, NULL, 0, 0, 0},
    [OF_SW_TELNO] = {"crm_customer_telno", "INSERT IGNORE INTO crm_customer_telno (customer_id, type, telno) VALUES ",
                     "(?, ?, ?)", NULL, NULL, 0, 0, 0},
    [OF_SW_TRADE] = {"sales_trade", "INSERT INTO sales_trade (" TRADE_COLS ") VALUES ", "(" TRADE_ROW ")", NULL, NULL,
                     1, 0, 0},
    /* MOD-T1-10: an order submitted again keeps its id, number, creation event and what later steps set (block,
     * exceptions, consignment); every value the submission decides is written again */
    [OF_SW_TRADE_INTO] =
        {"sales_trade (submitted again)", "INSERT INTO sales_trade (trade_id, " TRADE_COLS ") VALUES ",
         "(?, " TRADE_ROW ")", NULL,
         " ON DUPLICATE KEY UPDATE trade_status = VALUES(trade_status), pay_status = VALUES(pay_status), "
         "refund_status = VALUES(refund_status), delivery_term = VALUES(delivery_term), trade_mask = "
         "VALUES(trade_mask), flag_id = VALUES(flag_id), unmerge_mask = VALUES(unmerge_mask), freeze_reason = "
         "VALUES(freeze_reason), is_sealed = VALUES(is_sealed), pay_time = VALUES(pay_time), delay_to_time = "
         "VALUES(delay_to_time), customer_id = VALUES(customer_id), receiver_name = VALUES(receiver_name), "
         "receiver_mobile = VALUES(receiver_mobile), receiver_telno = VALUES(receiver_telno), receiver_province = "
         "VALUES(receiver_province), receiver_city = VALUES(receiver_city), receiver_district = "
         "VALUES(receiver_district), receiver_address = VALUES(receiver_address), receiver_zip = VALUES(receiver_zip), "
         "area_alias = VALUES(area_alias), warehouse_id = VALUES(warehouse_id), wms_type = VALUES(wms_type), "
         "logistics_id = VALUES(logistics_id), logistics_by = VALUES(logistics_by), package_id = VALUES(package_id), "
         "post_cost = VALUES(post_cost), salesman_id = VALUES(salesman_id), cs_remark = VALUES(cs_remark), "
         "buyer_message = VALUES(buyer_message), invoice_type = VALUES(invoice_type), invoice_title = "
         "VALUES(invoice_title), invoice_content = VALUES(invoice_content), goods_count = VALUES(goods_count), "
         "goods_type_count = VALUES(goods_type_count), single_spec_no = VALUES(single_spec_no), weight = "
         "VALUES(weight), volume = VALUES(volume), goods_amount = VALUES(goods_amount), post_amount = "
         "VALUES(post_amount), discount = VALUES(discount), receivable = VALUES(receivable), paid = VALUES(paid), "
         "pbs_amount = VALUES(pbs_amount), cod_amount = VALUES(cod_amount), goods_cost = VALUES(goods_cost), "
         "commission = VALUES(commission), gift_mask = VALUES(gift_mask), is_not_use_air = VALUES(is_not_use_air), "
         "decision_trace_z = VALUES(decision_trace_z), preorder_by = VALUES(preorder_by), version = version + 1",
         0, 0, 0},
    /* SUB-STK-05: stockout_no CK<trade_id> */
    [OF_SW_STOCKOUT] = {"stockout_order",
                        "INSERT INTO stockout_order (stockout_no, src_order_type, src_order_id, warehouse_id, "
                        "logistics_id, status, goods_count, weight, post_cost) VALUES ",
                        "(CONCAT('CK', ?), 1, ?, ?, ?, 50, ?, ?, ?)", NULL, NULL, 1, 0, 0},
    /* MOD-T1-04: the lines of an order submitted again (by id: the new lines may be written first) */
    [OF_SW_LINE_DEL] = {"sales_trade_order (replaced)", "DELETE FROM sales_trade_order WHERE rec_id IN (", "?", ", ",
                        ")", 0, 0, 1},
    [OF_SW_LINE] =
        {"sales_trade_order",
         "INSERT INTO sales_trade_order (trade_id, platform_id, shop_id, src_tid, src_oid, "
         "api_trade_order_id, spec_id, goods_id, api_goods_id, api_spec_id, refund_status, guarantee_mode, "
         "delivery_term, bind_oid, num, actual_num, price, order_price, share_price, share_amount, "
         "share_post, paid, adjust, discount, commission, cost_price, goods_name, goods_no, spec_name, "
         "spec_no, spec_code, api_goods_name, api_spec_name, weight, volume, tax_rate, large_type, "
         "gift_type, cid, is_zero_cost, is_not_use_air, suite_id, suite_no, suite_name, suite_num, "
         "is_main, stock_reserved, reserved_warehouse_id, reserved_num) VALUES ",
         "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
         "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
         NULL, NULL, 1, 0, 0},
    [OF_SW_STOCKOUT_LINE] = {"stockout_order_detail",
                             "INSERT INTO stockout_order_detail (stockout_id, src_order_detail_id, spec_id, num) "
                             "VALUES ",
                             "(?, ?, ?, ?)", NULL, NULL, 0, 0, 0},
    [OF_SW_STOCK_LOG] = {"stock_change_log",
                         "INSERT INTO stock_change_log (warehouse_id, spec_id, src_type, src_id, event_id, "
                         "d_order_num, d_unpay_num, d_subscribe_num, remark) VALUES ",
                         "(?, ?, 1, ?, ?, ?, ?, ?, ?)", NULL, NULL, 0, 0, 0},
    [OF_SW_LOG] = {"sales_trade_log", "INSERT INTO sales_trade_log (trade_id, type, rule_id, message) VALUES ",
                   "(?, ?, ?, ?)", NULL, NULL, 0, 0, 0},
    /* SUB-FLAG-01/02, SUB-WU-01: the siblings (orders of earlier rounds), each at most once per round. delay_to_time
     * is assigned before trade_status, both from the row's status as read (MariaDB assigns left to right; the
     * test it_submit checks a wait-unpaid sibling's delay). */
    [OF_SW_SIBLING] = {"sales_trade (siblings)", "UPDATE sales_trade t JOIN (",
                       "SELECT ? AS id, ? AS om, ? AS ns, ? AS dl, ? AS vn", " UNION ALL ",
                       ") v ON t.trade_id = v.id SET t.unmerge_mask = t.unmerge_mask | v.om, t.delay_to_time = "
                       "IF(v.ns > 0 AND t.trade_status IN (16, 20), v.dl, t.delay_to_time), t.trade_status = "
                       "IF(v.ns > 0 AND t.trade_status IN (16, 20), v.ns, t.trade_status), t.version = t.version + "
                       "v.vn",
                       0, 0, 1},
    [OF_SW_REMARK] = {"sales_trade_remark_history",
                      "INSERT INTO sales_trade_remark_history (trade_id, raw_trade_id, src_tid, remark_type, remark) "
                      "VALUES ",
                      "(?, ?, ?, ?, ?)", NULL, NULL, 0, 0, 0},
    [OF_SW_GRAB] = {"stock_grab", "INSERT INTO stock_grab (trade_id, warehouse_id, spec_id, num) VALUES ",
                    "(?, ?, ?, ?)", NULL, " ON DUPLICATE KEY UPDATE num = num + VALUES(num)", 0, 0, 0},
    [OF_SW_FULLLINK] = {"sys_process_background",
                        "INSERT INTO sys_process_background (type, shop_id, object_id, data) VALUES ", "(2, ?, ?, ?)",
                        NULL, NULL, 0, 0, 0},
    /* SUB-UPD-01/02: the raw trades, stored by this transaction and still pending (every row must change) */
    [OF_SW_RAW] =
        {"api_trade (submission)", "UPDATE api_trade a JOIN (",
         "SELECT ? AS id, ? AS ps, ? AS bad, ? AS dt, ? AS cu, ? AS sm, ? AS rl, ? AS fr, ? AS pw, ? AS sr, ? "
         "AS sre, ? AS tr, ? AS pay",
         " UNION ALL ",
         ") v ON a.rec_id = v.id AND (a.process_status = 10 OR (v.dt > 0 AND a.deliver_trade_id = v.dt)) SET "
         "a.process_status = v.ps, a.bad_reason = "
         "a.bad_reason | v.bad, a.deliver_trade_id = v.dt, a.customer_id = v.cu, a.salesman_id = v.sm, "
         "a.remark_logistics_id = v.rl, a.freeze_reason = v.fr, a.prompt_warehouse_id = v.pw, "
         "a.submit_rule = v.sr, a.submit_reason = v.sre, a.decision_trace = v.tr, a.submitted_at = NOW(3), "
         "a.modify_flag = IF(v.ps = 20, 0, a.modify_flag), a.pay_time = IFNULL(a.pay_time, v.pay)",
         0, 1, 1},
    [OF_SW_RAW_LINES] = {"api_trade_order (submission)", "UPDATE api_trade_order o JOIN (", "SELECT ? AS id, ? AS ps",
                         " UNION ALL ",
                         ") v ON o.api_trade_id = v.id SET o.process_status = v.ps, o.modify_flag = IF(v.ps = 20, 0, "
                         "o.modify_flag), o.is_new = 0",
                         0, 0, 1},
    /* SUB-MAP-10 */
    /* SUB-RFD-01 (also MOD-T1-22, MOD-O1-02): a temporary refund order per raw trade that has none, else its status;
     * the refunded sub-orders as its lines (a line already there stays) */
    [OF_SW_REFUND] = {"api_refund",
                      "INSERT INTO api_refund (platform_id, shop_id, refund_no, is_temp, tid, raw_trade_id, status, "
                      "buyer_nick, refund_amount, reason) VALUES ",
                      "(?, ?, ?, 1, ?, ?, ?, ?, ?, ?)", NULL, NULL, 1, 0, 0},
    [OF_SW_REFUND_UPD] = {"api_refund (status)", "UPDATE api_refund r JOIN (", "SELECT ? AS id, ? AS st", " UNION ALL ",
                          ") v ON r.rec_id = v.id SET r.status = v.st, r.modify_flag = r.modify_flag | 1", 0, 0, 1},
    [OF_SW_REFUND_LINE] =
        {"api_refund_order",
         "INSERT IGNORE INTO api_refund_order (refund_id, oid, goods_id, spec_id, spec_no, goods_name, "
         "num, price, refund_amount, status) VALUES ",
         "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", NULL, NULL, 0, 0, 0},
    [OF_SW_RAW_INVALID] = {"api_trade_order (invalid goods)", "UPDATE api_trade_order o JOIN (",
                           "SELECT ? AS id, ? AS oid", " UNION ALL ",
                           ") v ON o.api_trade_id = v.id AND o.oid = v.oid SET o.is_invalid_goods = 1", 0, 0, 1},
};

const of_wtable_t *of_substore_tables(void) {
    return TABLES;
}

/* SUB-STK: the counters, one row per (warehouse, spec) for the whole batch, written last in lock order */
static const char STOCK_UPS_HEAD[] = "INSERT INTO stock_spec (warehouse_id, spec_id, unpay_num, order_num, "
                                     "subscribe_num) VALUES ";
static const char STOCK_UPS_TAIL[] = " ON DUPLICATE KEY UPDATE unpay_num = unpay_num + VALUES(unpay_num), order_num = "
                                     "order_num + VALUES(order_num), subscribe_num = subscribe_num + "
                                     "VALUES(subscribe_num)";

typedef struct {
    uint64_t wh, spec;
    int d[3]; /* unpay, order, subscribe */
} delta_t;

/* A raw trade's refund order to write (of_substore_refund). */
typedef struct {
    const Orderfleet__RawTrade *raw;
    uint64_t raw_id, shop_id;
    int status, whole;
    char nick[OF_NAME * 2];
    const char *reason; /* static */
} refreq_t;

/* What a round knows of one of its trades. */
typedef struct {
    of_cust_lookup_t cust;
    uint64_t known; /* the customer id the lookup found (platform, else offline), 0 = none */
    of_sibling_t *sibs;
    size_t nsibs, sibs_cap;
} rjob_t;

/* A sibling's row buffered in OF_SW_SIBLING since the last flush (D-MOD-48: a later update of the same sibling is
 * merged into it; the round's later trades see it). */
typedef struct {
    of_sib_update_t u;
    int row;
    int updates; /* merged into the row: its version step */
} rsib_t;

/* A lookup's key (SUB-CUST-01: the buyer nick), copied from its job: a read on the side connection (D-MOD-55) reads no
 * raw trade the caller's thread may touch meanwhile. */
typedef struct {
    int64_t platform_id;
    uint64_t into_trade_id; /* an order submitted again: not its own sibling */
    char nick[OF_NAME * 2];
} ckey_t;

/* D-MOD-55: the customers' read of a call's first round, read ahead (of_substore_ahead_read) */
struct of_subahead_s {
    of_db_t *db;      /* the connection rd is registered on */
    of_db_multi_t rd; /* R_CUST on it */
    ckey_t *ck;       /* the keys */
    rjob_t *rj;       /* their results */
    size_t n, cap;
};

/* An order row written before its packed trace: the trace's parameter is set when the trace is collected (D-T10-71). */
typedef struct {
    int table, row, ticket;
    const char *event_id;
} late_t;

struct of_substore_s {
    of_db_t *db;
    const of_config_t *cfg;
    int st[Q__COUNT];
    of_db_multi_t rd[R__COUNT];
    of_db_multi_t m_stock_ups;
    of_tracepack_t *tp; /* the orders' traces, compressed (D-T10-62) on a thread of their own (D-T10-71) */
    late_t *late;       /* the order rows whose trace is still being packed */
    size_t nlate, late_cap;
    of_wset_t *w;
    /* per batch */
    of_catalog_t cat;     /* the batch's view: its snapshot + ov */
    of_cat_overlay_t *ov; /* the platform goods rows this transaction wrote (INIT-03/04) */
    of_stockview_t view;
    uint64_t *loaded_specs; /* specs whose stock rows are in view (sorted after each load) */
    size_t nloaded, loaded_cap;
    delta_t *deltas;
    size_t ndeltas, deltas_cap;
    rjob_t *rj; /* per position in the round */
    size_t rj_cap;
    size_t *round;             /* the round's trades (indexes into the submitted jobs), then the pending ones */
    of_subjob_t **rjobs;       /* the round's jobs */
    char (*keys)[OF_NAME * 2]; /* per submitted job: its nick key */
    size_t njobs;              /* trades submitted in this transaction */
    refreq_t *refunds;         /* refund orders to write at the end of the batch */
    size_t nrefunds, refunds_cap;
    of_db_multi_t rd_refund;
    int single_call; /* D-RT-11 */
    int fold;        /* D-MOD-48: this call's rounds hold several trades of a customer (single_call, unless a lookup
                      * settles on another customer than an order's own) */
    rsib_t *rsib;    /* the siblings' rows not written yet (D-MOD-48) */
    size_t nrsib, rsib_cap;
    unsigned char *later;       /* per position in the round: 1 = waits for the next round (D-MOD-48) */
    int *rank;                  /* per position in the round: the customer's trades before it (D-MOD-48) */
    const of_subahead_t *ahead; /* D-MOD-55: the customers read ahead for the next round, the call's first, or NULL */
};

of_substore_t *of_substore_new(of_db_t *db, const of_config_t *cfg) {
    of_substore_t *ss = calloc(1, sizeof *ss);
    if (!ss) return NULL;
    ss->db = db;
    ss->cfg = cfg;
    int bad = !(ss->ov = of_cat_overlay_new()) || !(ss->w = of_wset_new(db, TABLES, OF_SW__COUNT)) ||
              !(ss->tp = of_tracepack_new((int)of_cfg_int(cfg, OF_CFG_TRACE_THREAD)));
    for (int i = 0; !bad && i < Q__COUNT; i++)
        bad = (ss->st[i] = of_db_register(db, SQL[i])) < 0;
    for (int i = 0; !bad && i < R__COUNT; i++)
        bad = of_db_register_multi_sep(db, READS[i].head, READS[i].row, READS[i].sep, READS[i].tail, &ss->rd[i]) != 0;
    /* the raw trades' refund orders, one read: (shop_id, tid) pairs; a real one before a temporary one */
    bad = bad || of_db_register_multi_sep(
                     db, OF_DB_DIVE "SELECT shop_id, tid, rec_id FROM api_refund WHERE (shop_id, tid) IN (", "(?, ?)",
                     ", ", ") ORDER BY is_temp, rec_id", &ss->rd_refund) != 0;
    if (bad || of_db_register_multi(db, STOCK_UPS_HEAD, "(?, ?, ?, ?, ?)", STOCK_UPS_TAIL, &ss->m_stock_ups)) {
        of_substore_destroy(ss);
        return NULL;
    }
    return ss;
}

static void rj_clear(of_substore_t *ss) {
    for (size_t i = 0; i < ss->rj_cap; i++) {
        free(ss->rj[i].sibs);
        ss->rj[i].sibs = NULL;
        ss->rj[i].nsibs = ss->rj[i].sibs_cap = 0;
    }
}

void of_substore_destroy(of_substore_t *ss) {
    if (!ss) return;
    of_stock_free(&ss->view);
    of_cat_overlay_free(ss->ov);
    of_tracepack_free(ss->tp);
    free(ss->late);
    of_wset_free(ss->w);
    free(ss->loaded_specs);
    free(ss->deltas);
    rj_clear(ss);
    free(ss->rj);
    free(ss->round);
    free(ss->rsib);
    free(ss->later);
    free(ss->rank);
    free(ss->rjobs);
    free(ss->keys);
    free(ss->refunds);
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

static of_err_t nomem(char *err, size_t size) {
    return of_seterr(err, size, OF_ERR_NOMEM, "out of memory");
}

/* ------------------------------------------------------------------ INIT-02…-08: platform goods */
of_err_t of_substore_platform_goods(of_substore_t *ss, const of_subjob_t *job, char *err, size_t size) {
    const of_catalog_t *cat = &ss->cat;
    if (!cat->set.gen_api_goods_spec) return OF_OK; /* INIT-02 */
    const Orderfleet__RawTrade *raw = job->raw;
    of_err_t e;
    for (size_t i = 0; i < raw->n_orders; i++) {
        const Orderfleet__RawSubOrder *o = raw->orders[i];
        of_api_goods_t row;
        of_match_t m;
        int what = of_api_goods_init(cat, job->shop_id, o, &row, &m);
        if (what == 1) { /* INIT-04 insert → INIT-05/06 auto-match → INIT-07 brand → INIT-08 flag 0 */
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
            if ((e = of_db_exec(ss->db, ss->st[Q_AG_INS], p, 14, NULL, NULL, err, size))) return e;
            of_debug("INIT-04 platform goods added", OF_S("goods_id", o->goods_id), OF_S("spec_id", o->spec_id),
                     OF_I("match_type", m.type), OF_U("match_id", m.id), OF_END);
        } else if (what == 2) { /* INIT-03 → INIT-05/06 → INIT-08 */
            of_param_t p[] = {OFP_S(o->goods_no),  OFP_S(o->spec_no),  OFP_S(o->goods_name), OFP_S(o->spec_name),
                              OFP_S(o->cid),       OFP_I(m.type),      OFP_U(m.id),          OFP_S(m.code),
                              OFP_U(job->shop_id), OFP_S(o->goods_id), OFP_S(o->spec_id)};
            if ((e = of_db_exec(ss->db, ss->st[Q_AG_UPD], p, 11, NULL, NULL, err, size))) return e;
            if (m.type != OF_MATCH_NONE) { /* INIT-07 (b): lines waiting for this match become valid */
                of_param_t q[] = {OFP_U(job->shop_id), OFP_S(o->goods_id), OFP_S(o->spec_id)};
                if ((e = of_db_exec(ss->db, ss->st[Q_RAWO_VALID], q, 3, NULL, NULL, err, size))) return e;
            }
        }
        /* the batch's overlay: merged into the catalogue only once the transaction commits */
        if (what && of_cat_overlay_put(ss->ov, &row)) return of_seterr(err, size, OF_ERR_NOMEM, "out of memory");
    }
    return OF_OK;
}

/* ------------------------------------------------------------------ stock: the rows of the specs a trade can use */
typedef struct {
    uint64_t *v;
    size_t n, cap;
} idset_t;

static int idset_add(idset_t *s, uint64_t id) {
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i] == id) return 0;
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 64;
        uint64_t *p = realloc(s->v, nc * sizeof *p);
        if (!p) return -1;
        s->v = p;
        s->cap = nc;
    }
    s->v[s->n++] = id;
    return 0;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int spec_loaded(const of_substore_t *ss, uint64_t id) {
    return ss->nloaded && bsearch(&id, ss->loaded_specs, ss->nloaded, sizeof id, cmp_u64) != NULL;
}

/* Add to want the specs of job whose stock is not in the view yet: every system spec a line can map to (the stored
 * match, a dynamic match SUB-MAP-08, suite parts). */
static int want_specs(const of_substore_t *ss, const of_catalog_t *cat, const of_subjob_t *job, idset_t *want) {
    const Orderfleet__RawTrade *raw = job->raw;
    for (size_t i = 0; i < raw->n_orders; i++) {
        const Orderfleet__RawSubOrder *o = raw->orders[i];
        uint64_t ids[2] = {0, 0};
        int types[2] = {0, 0};
        const of_api_goods_t *gs = of_cat_api_goods(cat, job->shop_id, o->goods_id, o->spec_id);
        if (gs) {
            types[0] = gs->match_type;
            ids[0] = gs->match_id;
        }
        of_match_t m;
        if ((cat->set.dynamic_match || raw->platform_id == 0) &&
            of_automatch(cat, job->shop_id, o->goods_no, o->spec_no, &m) != OF_MATCH_NONE) {
            types[1] = m.type;
            ids[1] = m.id;
        }
        for (int k = 0; k < 2; k++) {
            if (types[k] == OF_MATCH_SPEC) {
                if (!spec_loaded(ss, ids[k]) && idset_add(want, ids[k])) return -1;
            } else if (types[k] == OF_MATCH_SUITE) {
                size_t nd;
                const of_suite_detail_t *d = of_cat_suite_details(cat, ids[k], &nd);
                for (size_t j = 0; j < nd; j++)
                    if (!spec_loaded(ss, d[j].spec_id) && idset_add(want, d[j].spec_id)) return -1;
            }
        }
    }
    return 0;
}

void of_substore_stock_row(const of_rows_t *rows, int r, of_stock_row_t *row) {
    *row = (of_stock_row_t){.warehouse_id = (uint64_t)of_rows_i64(rows, r, 0),
                            .spec_id = (uint64_t)of_rows_i64(rows, r, 1),
                            .stock_num = (int32_t)of_rows_i64(rows, r, 2),
                            .wms_stock_num = (int32_t)of_rows_i64(rows, r, 3),
                            .sending_num = (int32_t)of_rows_i64(rows, r, 4),
                            .order_num = (int32_t)of_rows_i64(rows, r, 5),
                            .unpay_num = (int32_t)of_rows_i64(rows, r, 6),
                            .subscribe_num = (int32_t)of_rows_i64(rows, r, 7)};
    if (of_money_parse(of_rows_str(rows, r, 8) ? of_rows_str(rows, r, 8) : "0", &row->cost_price)) row->cost_price = 0;
}

/* The stock rows of the specs in want, one statement; each becomes loaded (a spec without rows too). */
static of_err_t load_specs(of_substore_t *ss, const idset_t *want, char *err, size_t size) {
    if (!want->n) return OF_OK;
    of_param_t *p = malloc(want->n * sizeof *p);
    if (!p) return nomem(err, size);
    for (size_t i = 0; i < want->n; i++)
        p[i] = OFP_U(want->v[i]);
    of_rows_t *rows;
    of_err_t e = of_db_query_multi_in(ss->db, &ss->rd[R_STOCK], p, (int)want->n, NULL, &rows, err, size);
    free(p);
    if (e) return e;
    for (int r = 0; r < rows->nrows && !e; r++) {
        of_stock_row_t row;
        of_substore_stock_row(rows, r, &row);
        if (of_stock_put(&ss->view, &row)) e = nomem(err, size);
    }
    of_rows_free(rows);
    if (e) return e;
    if (ss->nloaded + want->n > ss->loaded_cap) {
        size_t nc = (ss->nloaded + want->n) * 2;
        uint64_t *l = realloc(ss->loaded_specs, nc * sizeof *l);
        if (!l) return nomem(err, size);
        ss->loaded_specs = l;
        ss->loaded_cap = nc;
    }
    memcpy(ss->loaded_specs + ss->nloaded, want->v, want->n * sizeof *want->v);
    ss->nloaded += want->n;
    qsort(ss->loaded_specs, ss->nloaded, sizeof *ss->loaded_specs, cmp_u64);
    return OF_OK;
}

/* One spec (a line reserving a spec no lookup foresaw). */
static of_err_t load_spec(of_substore_t *ss, uint64_t spec_id, char *err, size_t size) {
    if (spec_loaded(ss, spec_id)) return OF_OK;
    idset_t one = {&spec_id, 1, 1};
    return load_specs(ss, &one, err, size);
}

/* ------------------------------------------------------------------ the round's reads */
/* SUB-CUST-01 key of a nick: ASCII letters folded, so that two spellings the column's collation treats as one
 * customer never share a round. */
static void nick_key(const char *nick, char *key, size_t size) {
    size_t i = 0;
    for (; nick[i] && i + 1 < size; i++)
        key[i] = (char)tolower((unsigned char)nick[i]);
    key[i] = '\0';
}

static of_err_t add_sibling(rjob_t *rj, const of_rows_t *rows, int r) {
    if (rj->nsibs == rj->sibs_cap) {
        size_t nc = rj->sibs_cap ? rj->sibs_cap * 2 : 8;
        of_sibling_t *s = realloc(rj->sibs, nc * sizeof *s);
        if (!s) return OF_ERR_NOMEM;
        rj->sibs = s;
        rj->sibs_cap = nc;
    }
    rj->sibs[rj->nsibs++] = (of_sibling_t){.trade_id = (uint64_t)of_rows_i64(rows, r, 3),
                                           .status = (int)of_rows_i64(rows, r, 4),
                                           .trade_time = of_time_parse(of_rows_str(rows, r, 5)),
                                           .unmerge_mask = (uint32_t)of_rows_i64(rows, r, 6)};
    return OF_OK;
}

static void ckey_of(const of_subjob_t *job, ckey_t *k) {
    k->platform_id = job->raw->platform_id;
    k->into_trade_id = job->into_trade_id;
    of_cust_nick(job->raw, k->nick, sizeof k->nick);
}

/* D-MOD-50: key k asks for its platform customer only (no offline key): an order submitted again, of a platform
 * trade, in a read with into_platform. */
static int platform_only(const ckey_t *k, int into_platform) {
    return into_platform && k->into_trade_id && k->platform_id != 0;
}

/* SUB-CUST-02/03 and each found customer's open orders (SIBLINGS) for keys ck[0..n) into rjs[0..n), on db with the
 * registered read rd: one statement. The siblings are those of the customer the lookup settles on: the platform's,
 * else the offline one's. With into_platform (D-MOD-50), an order submitted again asks for its platform customer only,
 * and *missedp tells whether one of them has none (its offline customer would then count: the caller reads again with
 * every key). */
static of_err_t read_customer_keys(of_db_t *db, const of_db_multi_t *rd, rjob_t *rjs, const ckey_t *ck, size_t n,
                                   int into_platform, int *missedp, char *err, size_t size) {
    of_param_t *p = malloc(n * 2 * 3 * sizeof *p);
    size_t *nplat = calloc(n, sizeof *nplat); /* siblings read for the platform customer (they come first) */
    if (!p || !nplat) {
        free(p);
        free(nplat);
        return nomem(err, size);
    }
    int k = 0;
    for (size_t j = 0; j < n; j++) {
        p[k * 3] = OFP_U(j * 2);
        p[k * 3 + 1] = OFP_I(ck[j].platform_id);
        p[k * 3 + 2] = OFP_S(ck[j].nick);
        k++;
        /* SUB-CUST-03: an offline customer of the same nick */
        if (ck[j].platform_id != 0 && !platform_only(&ck[j], into_platform)) {
            p[k * 3] = OFP_U(j * 2 + 1);
            p[k * 3 + 1] = OFP_I(0);
            p[k * 3 + 2] = OFP_S(ck[j].nick);
            k++;
        }
        memset(&rjs[j].cust, 0, sizeof rjs[j].cust);
        rjs[j].nsibs = 0;
    }
    of_rows_t *rows;
    /* padded with a key no job has (rows of k / 2 >= n are skipped below): one statement */
    const of_param_t pad[3] = {OFP_U(n * 2), OFP_I(-1), OFP_S("")};
    of_err_t e = of_db_query_multi_in(db, rd, p, k, pad, &rows, err, size);
    free(p);
    if (e) {
        free(nplat);
        return e;
    }
    for (int r = 0; r < rows->nrows && !e; r++) { /* in k order: a job's platform rows before its offline rows */
        uint64_t kk = (uint64_t)of_rows_i64(rows, r, 0);
        if (kk / 2 >= n) continue;
        rjob_t *rj = &rjs[kk / 2];
        of_cust_lookup_t *c = &rj->cust;
        if (kk % 2 == 0) {
            c->platform_customer_id = (uint64_t)of_rows_i64(rows, r, 1);
            c->customer_type = (int)of_rows_i64(rows, r, 2);
        } else {
            c->offline_customer_id = (uint64_t)of_rows_i64(rows, r, 1);
        }
        if (of_rows_str(rows, r, 3) && add_sibling(rj, rows, r)) e = nomem(err, size);
        if (kk % 2 == 0) nplat[kk / 2] = rj->nsibs;
    }
    of_rows_free(rows);
    for (size_t j = 0; j < n; j++) { /* an offline customer counts only when the platform has none */
        rjob_t *rj = &rjs[j];
        of_cust_lookup_t *c = &rj->cust;
        if (c->platform_customer_id) {
            c->offline_customer_id = 0;
            rj->nsibs = nplat[j];
        }
        size_t kept = 0; /* an order submitted again is not its own sibling */
        for (size_t i = 0; i < rj->nsibs; i++)
            if (!ck[j].into_trade_id || rj->sibs[i].trade_id != ck[j].into_trade_id) rj->sibs[kept++] = rj->sibs[i];
        rj->nsibs = kept;
        rj->known = c->platform_customer_id ? c->platform_customer_id : c->offline_customer_id;
        if (platform_only(&ck[j], into_platform) && !c->platform_customer_id) *missedp = 1;
    }
    free(nplat);
    return e;
}

/* D-MOD-50: the offline keys are asked only when a platform lookup can miss. An order submitted again (trade-modify)
 * nearly always has its platform customer (SUB-CUST-02 found or created it at the first submission); with one, the
 * offline customer does not count (above), so its key only doubled the read's rows. When one of them misses (an order
 * of an offline customer, a changed buyer nick) the whole read runs again with every key: the same result as one
 * read with every key. */
static of_err_t read_customers_on(of_db_t *db, const of_db_multi_t *rd, rjob_t *rjs, const ckey_t *ck, size_t n,
                                  char *err, size_t size) {
    int missed = 0;
    of_err_t e = read_customer_keys(db, rd, rjs, ck, n, 1, &missed, err, size);
    if (!e && missed) e = read_customer_keys(db, rd, rjs, ck, n, 0, &missed, err, size);
    return e;
}

static of_err_t read_customers(of_substore_t *ss, of_subjob_t *const *jobs, size_t n, char *err, size_t size) {
    ckey_t *ck = malloc((n ? n : 1) * sizeof *ck);
    if (!ck) return nomem(err, size);
    for (size_t j = 0; j < n; j++)
        ckey_of(jobs[j], &ck[j]);
    of_err_t e = read_customers_on(ss->db, &ss->rd[R_CUST], ss->rj, ck, n, err, size);
    free(ck);
    return e;
}

/* ---- D-MOD-55: the first round's lookups of a call read ahead (of_substore_ahead_read, of_substore_use_ahead) ---- */
of_subahead_t *of_substore_ahead_new(void) {
    return calloc(1, sizeof(of_subahead_t));
}

void of_substore_ahead_free(of_subahead_t *a) {
    if (!a) return;
    for (size_t i = 0; i < a->cap; i++)
        free(a->rj[i].sibs);
    free(a->rj);
    free(a->ck);
    free(a);
}

int of_substore_ahead_keys(of_subahead_t *a, of_subjob_t *const *jobs, size_t n) {
    if (n > a->cap) {
        for (size_t i = 0; i < a->cap; i++)
            free(a->rj[i].sibs);
        free(a->rj);
        free(a->ck);
        a->rj = calloc(n, sizeof *a->rj);
        a->ck = malloc(n * sizeof *a->ck);
        a->cap = a->rj && a->ck ? n : 0;
        if (!a->cap) {
            a->n = 0;
            return -1;
        }
    }
    for (size_t j = 0; j < n; j++)
        ckey_of(jobs[j], &a->ck[j]);
    a->n = n;
    return 0;
}

of_err_t of_substore_ahead_read(of_subahead_t *a, of_db_t *db, char *err, size_t size) {
    if (a->db != db) { /* another connection: the read registered on it once */
        if (of_db_register_multi_sep(db, READS[R_CUST].head, READS[R_CUST].row, READS[R_CUST].sep, READS[R_CUST].tail,
                                     &a->rd))
            return of_seterr(err, size, OF_ERR_NOMEM, "statement registry full");
        a->db = db;
    }
    return read_customers_on(db, &a->rd, a->rj, a->ck, a->n, err, size);
}

/* k of the order id in o[0..n) (sorted by trade_id), else n */
static size_t order_at(const of_ahead_order_t *o, size_t n, uint64_t id) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (o[mid].trade_id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && o[lo].trade_id == id ? lo : n;
}

int of_substore_ahead_agrees(const of_subahead_t *a, const of_ahead_order_t *o, size_t n) {
    for (size_t j = 0; j < a->n; j++) {
        const rjob_t *rj = &a->rj[j];
        /* each open order it found that is one of o: the same customer, status and flags now */
        for (size_t i = 0; i < rj->nsibs; i++) {
            const of_sibling_t *sb = &rj->sibs[i];
            size_t k = order_at(o, n, sb->trade_id);
            if (k < n &&
                (o[k].customer_id != rj->known || o[k].status != sb->status || o[k].unmerge_mask != sb->unmerge_mask))
                return 0;
        }
        /* and each of o open now for its customer (not its own order) among them: none came or moved in between */
        for (size_t k = 0; rj->known && k < n; k++) {
            if (o[k].customer_id != rj->known || o[k].status < 10 || o[k].status > 95 ||
                o[k].trade_id == a->ck[j].into_trade_id)
                continue;
            size_t i = 0;
            while (i < rj->nsibs && rj->sibs[i].trade_id != o[k].trade_id)
                i++;
            if (i == rj->nsibs) return 0;
        }
    }
    return 1;
}

void of_substore_use_ahead(of_substore_t *ss, const of_subahead_t *a) {
    ss->ahead = a;
}

/* The first round's lookups from the read sent ahead: each of its trades' key there (by value), its result copied to
 * ss->rj. 1 when taken; 0 when there is none or a trade's key is not in it (the round reads as without it); -1 when
 * out of memory. */
static int ahead_take(of_substore_t *ss, of_subjob_t *const *jobs, size_t n) {
    const of_subahead_t *a = ss->ahead;
    ss->ahead = NULL; /* once: a later round reads what the rounds before it wrote */
    if (!a || !a->n) return 0;
    size_t k = 0;
    for (size_t j = 0; j < n; j++) {
        ckey_t want;
        ckey_of(jobs[j], &want);
        size_t tries = 0; /* from the last key found: the jobs come in the order their keys were sent */
        for (; tries < a->n; tries++, k = (k + 1) % a->n) {
            const ckey_t *c = &a->ck[k];
            if (c->platform_id == want.platform_id && c->into_trade_id == want.into_trade_id &&
                !strcmp(c->nick, want.nick))
                break;
        }
        if (tries == a->n) {
            of_debug("a trade of the round was not read ahead: the round reads its customers", OF_S("nick", want.nick),
                     OF_U("into_trade_id", want.into_trade_id), OF_END);
            return 0;
        }
        const rjob_t *src = &a->rj[k];
        rjob_t *dst = &ss->rj[j];
        if (src->nsibs > dst->sibs_cap) {
            of_sibling_t *sb = realloc(dst->sibs, src->nsibs * sizeof *sb);
            if (!sb) return -1;
            dst->sibs = sb;
            dst->sibs_cap = src->nsibs;
        }
        if (src->nsibs) memcpy(dst->sibs, src->sibs, src->nsibs * sizeof *src->sibs);
        dst->nsibs = src->nsibs;
        dst->cust = src->cust;
        dst->known = src->known;
    }
    of_debug("the round's customers: read ahead on the side connection", OF_U("trades", n), OF_U("read", a->n), OF_END);
    return 1;
}

/* OP-18: the offline customers' books, one statement each, matched by the tested rules. */
static of_err_t read_books(of_substore_t *ss, of_subjob_t *const *jobs, size_t n, char *err, size_t size) {
    of_param_t *p = malloc((n ? n : 1) * sizeof *p);
    if (!p) return nomem(err, size);
    int k = 0;
    for (size_t j = 0; j < n; j++)
        if (ss->rj[j].cust.offline_customer_id) p[k++] = OFP_U(ss->rj[j].cust.offline_customer_id);
    of_err_t e = OF_OK;
    for (int q = R_PHONE; k && !e && q <= R_ADDR; q++) {
        of_rows_t *rows;
        if ((e = of_db_query_multi(ss->db, &ss->rd[q], p, k, &rows, err, size))) break;
        for (int r = 0; r < rows->nrows; r++) {
            uint64_t cid = (uint64_t)of_rows_i64(rows, r, 0);
            for (size_t j = 0; j < n; j++) {
                of_cust_lookup_t *c = &ss->rj[j].cust;
                if (c->offline_customer_id != cid) continue;
                if (q == R_PHONE && !c->offline_phone_match)
                    c->offline_phone_match = of_cust_phone_match(jobs[j]->raw, of_rows_str(rows, r, 1));
                if (q == R_ADDR && !c->offline_address_match)
                    c->offline_address_match =
                        of_cust_address_match(jobs[j]->raw, of_rows_str(rows, r, 1), of_rows_str(rows, r, 2),
                                              of_rows_str(rows, r, 3), of_rows_str(rows, r, 4));
            }
        }
        of_rows_free(rows);
    }
    free(p);
    return e;
}

/* ------------------------------------------------------------------ writes (buffered in the write set) */
#define ADD(table, ...) (of_wset_add(ss->w, (table), (const of_param_t[]){__VA_ARGS__}) < 0 ? nomem(err, size) : OF_OK)

/* SUB-CUST-04…06. *cust: the customer's id, or a reference to the row that creates it. */
static of_err_t write_customer(of_substore_t *ss, of_subjob_t *job, const of_sub_t *s, of_param_t *cust, char *err,
                               size_t size) {
    const Orderfleet__RawTrade *raw = job->raw;
    of_err_t e;
    *cust = OFP_U(s->customer_id);
    if (s->cust_action == OF_CUST_CREATE) { /* SUB-CUST-04 */
        int r = of_wset_add(ss->w, OF_SW_CUSTOMER,
                            (const of_param_t[]){OFP_S(s->nick), OFP_S(raw->receiver_name), OFP_S(raw->receiver_mobile),
                                                 OFP_S(raw->receiver_telno), OFP_S(raw->receiver_province),
                                                 OFP_S(raw->receiver_city), OFP_S(raw->receiver_district),
                                                 OFP_S(raw->receiver_address), OFP_S(raw->receiver_zip)});
        if (r < 0) return nomem(err, size);
        *cust = OFP_REF(OF_SW_CUSTOMER, r);
        job->cust_row = r;
    }
    if (s->cust_action == OF_CUST_CREATE || s->cust_action == OF_CUST_LINK_OFFLINE)
        if ((e = ADD(OF_SW_PLATFORM_CUSTOMER, OFP_I(raw->platform_id), OFP_S(s->nick), *cust))) return e;
    /* SUB-CUST-05 address book (none when every address part is empty), SUB-CUST-06 phone book (INSERT IGNORE:
     * only added); not again for an order submitted again whose customer's books hold its receiver (D-MOD-23) */
    if (job->books_customer && s->cust_action == OF_CUST_EXISTING && job->books_customer == s->customer_id)
        return OF_OK;
    of_cust_address_t ad;
    if (of_cust_address(raw, &ad) &&
        (e = ADD(OF_SW_ADDRESS, *cust, OFP_S(ad.name), OFP_S(ad.province), OFP_S(ad.city), OFP_S(ad.district),
                 OFP_S(ad.address), OFP_S(ad.zip), OFP_S(ad.mobile), OFP_S(ad.telno))))
        return e;
    const char *nums[2];
    int types[2];
    int np = of_cust_phones(raw, nums, types);
    for (int i = 0; i < np; i++)
        if ((e = ADD(OF_SW_TELNO, *cust, OFP_I(types[i]), OFP_S(nums[i])))) return e;
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
        if (!d) return nomem(err, size);
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

/* api_trade_order.rec_id of the raw sub-order oid (stored by this transaction), NULL when none. */
static of_param_t raw_line_id(const of_subjob_t *job, const char *oid) {
    for (size_t i = 0; job->order_ids && i < job->raw->n_orders; i++)
        if (!strcmp(job->raw->orders[i]->oid, oid)) return job->order_ids[i] ? OFP_U(job->order_ids[i]) : OFP_NUL;
    return OFP_NUL;
}

/* A stock change: the counter's delta (written in lock order by of_substore_end) and its stock_change_log row. */
static of_err_t stock_change(of_substore_t *ss, uint64_t wh, uint64_t spec, int kind, int n, of_param_t trade,
                             const char *event_id, const char *remark, char *err, size_t size) {
    if (kind == OF_RES_NONE || !n) return OF_OK;
    of_err_t e = add_delta(ss, wh, spec, (of_res_t)kind, n, err, size);
    if (e) return e;
    int d[3] = {0, 0, 0};
    d[kind == OF_RES_UNPAY ? 0 : kind == OF_RES_ORDER ? 1 : 2] = n;
    return ADD(OF_SW_STOCK_LOG, OFP_U(wh), OFP_U(spec), trade, OFP_S(event_id), OFP_I(d[1]), OFP_I(d[0]), OFP_I(d[2]),
               OFP_S(remark));
}

of_err_t of_substore_stock(of_substore_t *ss, uint64_t warehouse_id, uint64_t spec_id, int kind, int n,
                           uint64_t trade_id, const char *event_id, const char *remark, char *err, size_t size) {
    return stock_change(ss, warehouse_id, spec_id, kind, n, OFP_U(trade_id), event_id, remark, err, size);
}

/* The refund status of a sub-order for its refund order: SUB-MAP-11, every one refunded when the whole trade is. */
static int refund_line_status(const Orderfleet__RawSubOrder *o, int whole) {
    return whole ? 5 : of_goods_refund_status(o);
}

of_err_t of_substore_refund(of_substore_t *ss, const Orderfleet__RawTrade *raw, uint64_t raw_id, uint64_t shop_id,
                            int status, int whole, const char *nick, const char *reason, char *err, size_t size) {
    for (size_t i = 0; i < ss->nrefunds; i++) {
        refreq_t *q = &ss->refunds[i];
        if (q->raw_id != raw_id) continue;
        q->whole |= whole;
        if (status > q->status) q->status = status;
        return OF_OK;
    }
    if (ss->nrefunds == ss->refunds_cap) {
        size_t nc = ss->refunds_cap ? ss->refunds_cap * 2 : 16;
        refreq_t *p = realloc(ss->refunds, nc * sizeof *p);
        if (!p) return nomem(err, size);
        ss->refunds = p;
        ss->refunds_cap = nc;
    }
    refreq_t *q = &ss->refunds[ss->nrefunds++];
    *q = (refreq_t){
        .raw = raw, .raw_id = raw_id, .shop_id = shop_id, .status = status, .whole = whole, .reason = reason};
    snprintf(q->nick, sizeof q->nick, "%s", nick);
    return OF_OK;
}

/* The batch's refund orders (of_substore_refund): one read of the existing ones, then rows in the write set. */
static of_err_t write_refunds(of_substore_t *ss, char *err, size_t size) {
    if (!ss->nrefunds) return OF_OK;
    of_param_t *p = malloc(ss->nrefunds * 2 * sizeof *p);
    uint64_t *ids = calloc(ss->nrefunds, sizeof *ids);
    of_err_t e = OF_OK;
    if (!p || !ids) e = nomem(err, size);
    for (size_t i = 0; !e && i < ss->nrefunds; i++) {
        p[i * 2] = OFP_U(ss->refunds[i].shop_id);
        p[i * 2 + 1] = OFP_S(ss->refunds[i].raw->tid);
    }
    of_rows_t *rows = NULL;
    if (!e) e = of_db_query_multi_in(ss->db, &ss->rd_refund, p, (int)ss->nrefunds, NULL, &rows, err, size);
    for (int r = 0; !e && r < rows->nrows; r++) /* in preference order: the first row of a trade stands */
        for (size_t i = 0; i < ss->nrefunds; i++)
            if (!ids[i] && (uint64_t)of_rows_i64(rows, r, 0) == ss->refunds[i].shop_id &&
                !strcmp(of_rows_str(rows, r, 1), ss->refunds[i].raw->tid))
                ids[i] = (uint64_t)of_rows_i64(rows, r, 2);
    of_rows_free(rows);
    for (size_t i = 0; !e && i < ss->nrefunds; i++) {
        const refreq_t *q = &ss->refunds[i];
        const Orderfleet__RawTrade *raw = q->raw;
        of_param_t rid = OFP_U(ids[i]);
        if (ids[i]) {
            e = ADD(OF_SW_REFUND_UPD, OFP_U(ids[i]), OFP_I(q->status));
        } else {
            char no[80];
            snprintf(no, sizeof no, "TMP-%s", raw->tid);
            int64_t amount = 0;
            for (size_t k = 0; k < raw->n_orders; k++)
                if (refund_line_status(raw->orders[k], q->whole) > 1) amount += raw->orders[k]->share_amount;
            int r = of_wset_add(ss->w, OF_SW_REFUND,
                                (const of_param_t[]){OFP_I(raw->platform_id), OFP_U(q->shop_id), OFP_S(no),
                                                     OFP_S(raw->tid), OFP_U(q->raw_id), OFP_I(q->status),
                                                     OFP_S(q->nick), OFP_M(amount), OFP_S(q->reason)});
            if (r < 0) e = nomem(err, size);
            rid = OFP_REF(OF_SW_REFUND, r);
        }
        for (size_t k = 0; !e && k < raw->n_orders; k++) {
            const Orderfleet__RawSubOrder *o = raw->orders[k];
            int rs = refund_line_status(o, q->whole);
            if (rs > 1)
                e = ADD(OF_SW_REFUND_LINE, rid, OFP_S(o->oid), OFP_S(o->goods_id), OFP_S(o->spec_id), OFP_S(o->spec_no),
                        OFP_S(o->goods_name), OFP_I(o->num), OFP_M(o->price), OFP_M(o->share_amount), OFP_I(rs));
        }
    }
    free(p);
    free(ids);
    ss->nrefunds = 0;
    return e;
}

/* The buffered row of sibling trade_id (D-MOD-48), NULL when none. */
static rsib_t *rsib_of(of_substore_t *ss, uint64_t trade_id) {
    for (size_t i = 0; i < ss->nrsib; i++)
        if (ss->rsib[i].u.trade_id == trade_id) return &ss->rsib[i];
    return NULL;
}

/* The buffered row of r set to r's update and its version step. */
static of_err_t sibling_set(of_substore_t *ss, const rsib_t *r, char *err, size_t size) {
    char d[24];
    fmt_time(r->u.delay_to_time, d, sizeof d);
    if (of_wset_set(ss->w, OF_SW_SIBLING, r->row, 1, OFP_U(r->u.or_mask)) ||
        of_wset_set(ss->w, OF_SW_SIBLING, r->row, 2, OFP_I(r->u.new_status)) ||
        of_wset_set(ss->w, OF_SW_SIBLING, r->row, 3, time_param(d)) ||
        of_wset_set(ss->w, OF_SW_SIBLING, r->row, 4, OFP_I(r->updates)))
        return nomem(err, size); /* the row is buffered (reset at each flush): only memory can fail */
    return OF_OK;
}

/* SUB-FLAG-01/02, SUB-WU-01: a sibling's update, one row per sibling until the next flush (D-MOD-48: two trades of a
 * customer in one round, trade-modify's, may both update it: the second is merged into the row as if written after
 * it, since a multi-row UPDATE … JOIN changes a row once; the version steps once per update, as two statements do). */
static of_err_t sibling_row(of_substore_t *ss, const of_sib_update_t *u, char *err, size_t size) {
    rsib_t *r = rsib_of(ss, u->trade_id);
    if (r) {
        of_sub_sib_merge(&r->u, u);
        r->updates++;
        return sibling_set(ss, r, err, size);
    }
    if (of_array_grow((void **)&ss->rsib, &ss->rsib_cap, ss->nrsib + 1, sizeof *ss->rsib)) return nomem(err, size);
    char d[24];
    fmt_time(u->delay_to_time, d, sizeof d);
    int row = of_wset_add(
        ss->w, OF_SW_SIBLING,
        (const of_param_t[]){OFP_U(u->trade_id), OFP_U(u->or_mask), OFP_I(u->new_status), time_param(d), OFP_I(1)});
    if (row < 0) return nomem(err, size);
    ss->rsib[ss->nrsib++] = (rsib_t){.u = *u, .row = row, .updates = 1};
    return OF_OK;
}

/* SUB-CRT-01/02 and what hangs off the order. Returns its row in OF_SW_TRADE through *rowp. */
static of_err_t write_order(of_substore_t *ss, const of_catalog_t *cat, const of_subjob_t *job, const of_sub_t *s,
                            of_param_t cust, of_param_t trace, int *rowp, char *err, size_t size) {
    const Orderfleet__RawTrade *raw = job->raw;
    of_err_t e;
    char trade_no[40], pay[24], delay[24];
    snprintf(trade_no, sizeof trade_no, "JY%llu", (unsigned long long)job->raw_id);
    fmt_time(s->pay_time, pay, sizeof pay);
    fmt_time(s->delay_to_time, delay, sizeof delay);
    uint64_t freeze = s->cs.freeze_reason ? s->cs.freeze_reason : s->client.freeze_reason;
    uint64_t flag = s->cs.flag_id ? s->cs.flag_id : s->client.flag_id;
    const of_agg_t *g = &s->agg;
    const of_param_t hp[] = {
        OFP_U(job->into_trade_id),
        OFP_S(trade_no),
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
        cust,
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
        trace,
        OFP_S(job->event_id),
        OFP_S(s->status == OF_ST_PREORDER_PRE || s->status == 25 /* kept, D-MID-12 */ ? s->preorder_by : "")};
    int into = job->into_trade_id != 0;
    int row = into ? of_wset_add(ss->w, OF_SW_TRADE_INTO, hp) : of_wset_add(ss->w, OF_SW_TRADE, hp + 1);
    if (row < 0) return nomem(err, size);
    *rowp = into ? -1 : row;
    const of_param_t tid = into ? OFP_U(job->into_trade_id) : OFP_REF(OF_SW_TRADE, row);
    for (size_t i = 0; into && i < job->nheld; i++) { /* MOD-T1-03/04: the old lines and their reservations go */
        const of_held_t *h = &job->held[i];
        if ((e = ADD(OF_SW_LINE_DEL, OFP_U(h->line_id)))) return e;
        if ((e = stock_change(ss, h->warehouse_id, h->spec_id, h->kind, -h->num, tid, job->event_id,
                              "MOD-T1-03 reservation released", err, size)))
            return e;
    }
    int stockout = -1;
    if (s->make_stockout) { /* SUB-STK-05: transferred to the external warehouse */
        stockout = of_wset_add(ss->w, OF_SW_STOCKOUT,
                               (const of_param_t[]){tid, tid, OFP_U(s->warehouse_id), OFP_U(s->logistics_id),
                                                    OFP_I(g->goods_count), OFP_M(g->weight), OFP_M(s->post_cost)});
        if (stockout < 0) return nomem(err, size);
    }
    for (size_t i = 0; i < s->nlines; i++) { /* SUB-CRT-02 */
        const of_line_t *l = &s->lines[i];
        const of_spec_t *sp = of_cat_spec(cat, l->spec_id);
        int reserved = of_reserve_line(s, l);
        int line = of_wset_add(ss->w, OF_SW_LINE,
                               (const of_param_t[]){tid,
                                                    OFP_I(raw->platform_id),
                                                    OFP_U(job->shop_id),
                                                    OFP_S(l->src_tid),
                                                    OFP_S(l->src_oid),
                                                    raw_line_id(job, l->src_oid),
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
                                                    OFP_I(reserved ? l->actual_num : 0)});
        if (line < 0) return nomem(err, size);
        if (reserved) { /* SUB-STK-01…-04: counted now, written in lock order at the end of the batch */
            if ((e = stock_change(ss, s->warehouse_id, l->spec_id, reserved, l->actual_num, tid, job->event_id,
                                  "SUB-STK reservation", err, size)))
                return e;
            if (of_stock_add(&ss->view, s->warehouse_id, l->spec_id, (of_res_t)reserved, l->actual_num))
                return nomem(err, size);
        }
        if (stockout >= 0 && l->actual_num > 0 &&
            (e = ADD(OF_SW_STOCKOUT_LINE, OFP_REF(OF_SW_STOCKOUT, stockout), OFP_REF(OF_SW_LINE, line),
                     OFP_U(l->spec_id), OFP_I(l->actual_num))))
            return e;
        if (s->status == OF_ST_GRAB && s->warehouse_id && l->actual_num > 0 && /* SUB-GRAB-01 */
            (e = ADD(OF_SW_GRAB, tid, OFP_U(s->warehouse_id), OFP_U(l->spec_id), OFP_I(l->actual_num))))
            return e;
    }
    for (size_t i = 0; i < s->logs.n; i++) /* SUB-LOG-01 and every rule's log */
        if ((e = ADD(OF_SW_LOG, tid, OFP_I(s->logs.e[i].type), OFP_S(s->logs.e[i].rule), OFP_S(s->logs.e[i].message))))
            return e;
    for (size_t i = 0; i < s->nsib; i++) /* SUB-FLAG-01/02, SUB-WU-01 */
        if ((e = sibling_row(ss, &s->sib[i], err, size))) return e;
    if (*raw->cs_remark && (!job->into_trade_id || job->remark_changed) && /* SUB-RMK-01; MOD-T1-02 (D-MOD-31) */
        (e = ADD(OF_SW_REMARK, tid, OFP_U(job->raw_id), OFP_S(raw->tid), OFP_I(1), OFP_S(raw->cs_remark))))
        return e;
    if (s->refund_occur > 1 && (e = of_substore_refund(ss, raw, job->raw_id, job->shop_id, s->refund_occur, 0, s->nick,
                                                       "SUB-RFD-01 refunded lines at submission", err, size)))
        return e;
    if (cat->set.full_link && raw->trade_status >= 30 && raw->trade_status < 40) { /* SUB-FL-01, OP-52 */
        char data[160];
        snprintf(data, sizeof data, "{\"tid\":\"%s\",\"rule\":\"SUB-FL-01\"}", raw->tid);
        if ((e = ADD(OF_SW_FULLLINK, OFP_U(job->shop_id), tid, OFP_S(data)))) return e;
    }
    return OF_OK;
}

/* SUB-UPD-01/02: the raw trade's submission columns (deliver_trade_id: the order's row, or 0). */
static of_err_t write_raw(of_substore_t *ss, const of_subjob_t *job, const of_sub_t *s, of_param_t cust, int row,
                          const char *trace, char *err, size_t size) {
    const Orderfleet__RawTrade *raw = job->raw;
    of_err_t e;
    char pay[24];
    fmt_time(s->pay_time, pay, sizeof pay);
    uint64_t freeze = s->cs.freeze_reason ? s->cs.freeze_reason : s->client.freeze_reason;
    if ((e = ADD(OF_SW_RAW, OFP_U(job->raw_id), OFP_I(s->raw_process_status), OFP_U(s->raw_bad_reason),
                 row >= 0                             ? OFP_REF(OF_SW_TRADE, row)
                 : job->into_trade_id && s->submitted ? OFP_U(job->into_trade_id)
                                                      : OFP_U(0),
                 cust, OFP_U(s->cs.salesman_id), OFP_U(s->cs.logistics_id), OFP_U(freeze),
                 OFP_U(s->prompt_warehouse_id), OFP_S(s->stop_rule), OFP_S(s->stop_reason),
                 trace ? OFP_S(trace) : OFP_NUL, time_param(pay))))
        return e;
    if ((e = ADD(OF_SW_RAW_LINES, OFP_U(job->raw_id), OFP_I(s->raw_process_status)))) return e;
    for (size_t i = 0; s->rawo_invalid && i < raw->n_orders; i++) /* SUB-MAP-10 */
        if (s->rawo_invalid[i] && (e = ADD(OF_SW_RAW_INVALID, OFP_U(job->raw_id), OFP_S(raw->orders[i]->oid))))
            return e;
    return OF_OK;
}

/* ------------------------------------------------------------------ the writer */
/* The order row just written (its table's last) takes the trace of ticket once packed (land_traces). */
static of_err_t late_trace(of_substore_t *ss, const of_subjob_t *job, int ticket, char *err, size_t size) {
    if (of_array_grow((void **)&ss->late, &ss->late_cap, ss->nlate + 1, sizeof *ss->late)) return nomem(err, size);
    int table = job->into_trade_id ? OF_SW_TRADE_INTO : OF_SW_TRADE;
    ss->late[ss->nlate++] = (late_t){table, (int)of_wset_rows(ss->w, table) - 1, ticket, job->event_id};
    return OF_OK;
}

/* Before the orders' rows are written: each takes its packed trace (decision_trace_z, the third parameter from the
 * row's end in OF_SW_TRADE and OF_SW_TRADE_INTO). */
static of_err_t land_traces(of_substore_t *ss, char *err, size_t size) {
    if (!ss->nlate) return OF_OK;
    of_tracepack_wait(ss->tp);
    for (size_t i = 0; i < ss->nlate; i++) {
        const late_t *l = &ss->late[i];
        size_t len;
        const unsigned char *z = of_tracepack_get(ss->tp, l->ticket, &len);
        if (!z) { /* out of memory, or the compressor refused: the order is written without its explanation */
            of_warn("decision trace not stored: it could not be compressed", OF_S("event_id", l->event_id), OF_END);
            continue;
        }
        int r = of_wset_set(ss->w, l->table, l->row, -3, OFP_BN(z, len));
        if (r < 0) return nomem(err, size);
        if (r) /* a row written before its trace: a defect of this file, not the batch's */
            return of_seterr(err, size, OF_ERR_DB, "decision trace of order row %d of %s: the row is not buffered",
                             l->row, TABLES[l->table].name);
    }
    ss->nlate = 0;
    of_tracepack_reset(ss->tp);
    return OF_OK;
}

static void drop_traces(of_substore_t *ss) {
    ss->nlate = 0;
    of_tracepack_reset(ss->tp);
}

of_err_t of_substore_write(of_substore_t *ss, of_subjob_t *job, const of_sub_t *s, char *err, size_t size) {
    of_err_t e = OF_OK;
    job->trade_row = job->cust_row = -1;
    job->customer_id = s->submitted ? s->customer_id : 0;
    of_param_t cust = OFP_U(s->customer_id);
    /* the trace is stored once: with the order (compressed, D-T10-62), or on the raw trade when no order was made */
    char *trace = of_trace_json(&s->trace);
    /* the order's: packed on the trace thread meanwhile, set in its row before the row is written (D-T10-71) */
    int ticket = s->submitted && trace ? of_tracepack_put(ss->tp, trace) : -1;
    if (s->submitted) trace = NULL; /* taken */
    /* out of memory: the order is written without its explanation */
    if (s->submitted && ticket < 0)
        of_warn("decision trace not stored: out of memory", OF_S("event_id", job->event_id), OF_END);
    if (s->submitted && !(e = write_customer(ss, job, s, &cust, err, size)))
        e = write_order(ss, &ss->cat, job, s, cust, OFP_NUL, &job->trade_row, err, size);
    if (!e && ticket >= 0) e = late_trace(ss, job, ticket, err, size);
    if (!e) e = write_raw(ss, job, s, cust, job->trade_row, trace, err, size);
    free(trace);
    if (e) return e;
    job->status = s->submitted ? s->status : 0;
    job->unmerge_mask = s->unmerge_mask;
    job->warehouse_id = s->warehouse_id;
    snprintf(job->stop_rule, sizeof job->stop_rule, "%s", s->stop_rule);
    snprintf(job->stop_reason, sizeof job->stop_reason, "%s", s->stop_reason);
    return OF_OK;
}

/* What a round writes before the next one reads: customers (their platform keys, address and phone books: a later
 * round's SUB-CUST-03 reads them), orders — new ones and those submitted again into their own row (trade-modify: a
 * customer's second paid order of a batch must see the first as paid, D-MOD-25) — and siblings' flags. The rest (lines,
 * logs, stock log, raw trades ...) waits for the end of of_substore_submit, one statement per table per call. */
#define ROUND_TABLES                                                                                                   \
    ((1u << OF_SW_CUSTOMER) | (1u << OF_SW_PLATFORM_CUSTOMER) | (1u << OF_SW_ADDRESS) | (1u << OF_SW_TELNO) |          \
     (1u << OF_SW_TRADE) | (1u << OF_SW_TRADE_INTO) | (1u << OF_SW_SIBLING))

/* A duplicate key: another instance created the customer meanwhile (crm_platform_customer), or two keys are one to
 * the column's collation: the transaction runs again (its retry takes one trade per call, see of_ingest) and reads
 * what is there. With one trade alone, elsewhere: its own row is the duplicate (its order exists), the message's
 * fault. */
static of_err_t duplicate(const of_substore_t *ss, size_t n) {
    return n > 1 || of_wset_failed(ss->w) == OF_SW_PLATFORM_CUSTOMER ? OF_ERR_TRANSIENT : OF_ERR_DB;
}

/* The round's tables that take no trace (customers and their books): written first, while the trace thread is still
 * packing the orders' traces (D-MOD-58); the same statements in the same order as one flush of ROUND_TABLES. */
#define ROUND_CUSTOMER_TABLES                                                                                          \
    ((1u << OF_SW_CUSTOMER) | (1u << OF_SW_PLATFORM_CUSTOMER) | (1u << OF_SW_ADDRESS) | (1u << OF_SW_TELNO))

of_err_t of_substore_flush(of_substore_t *ss, of_subjob_t *const *jobs, size_t n, char *err, size_t size) {
    of_err_t e = of_wset_flush_some(ss->w, ROUND_CUSTOMER_TABLES, err, size);
    if (!e) e = land_traces(ss, err, size);
    if (!e) e = of_wset_flush_some(ss->w, ROUND_TABLES & ~ROUND_CUSTOMER_TABLES, err, size);
    if (e == OF_ERR_DUPLICATE) return duplicate(ss, n);
    if (e) return e;
    ss->nrsib = 0; /* written: a later update of a sibling is a row of the next statement */
    for (size_t j = 0; j < n; j++) {
        of_subjob_t *job = jobs[j];
        job->trade_id = job->trade_row >= 0                 ? of_wset_id(ss->w, OF_SW_TRADE, job->trade_row)
                        : job->into_trade_id && job->status ? job->into_trade_id
                                                            : 0;
        if (job->cust_row >= 0) job->customer_id = of_wset_id(ss->w, OF_SW_CUSTOMER, job->cust_row);
    }
    return OF_OK;
}

/* ------------------------------------------------------------------ a round */
/* Decide and buffer one job of the round; INIT-02…-08 first (its platform goods are visible to the trades after
 * it). */
static of_err_t decide_one(of_substore_t *ss, of_subjob_t *job, const rjob_t *rj, int64_t now, char *err, size_t size) {
    const of_catalog_t *cat = &ss->cat;
    of_err_t e;
    job->trade_row = job->cust_row = -1;
    if ((e = of_substore_platform_goods(ss, job, err, size))) return e;
    idset_t want = {0};
    if (want_specs(ss, cat, job, &want))
        e = nomem(err, size); /* what INIT just matched (else loaded already) */
    else
        e = load_specs(ss, &want, err, size);
    free(want.v);
    if (e) return e;
    /* MOD-T1-03: an order submitted again decides with its own reservation released */
    for (size_t i = 0; job->into_trade_id && i < job->nheld && !e; i++) {
        const of_held_t *h = &job->held[i];
        if (h->kind == OF_RES_NONE || !h->num) continue;
        if (!(e = load_spec(ss, h->spec_id, err, size)) &&
            of_stock_add(&ss->view, h->warehouse_id, h->spec_id, (of_res_t)h->kind, -h->num))
            e = nomem(err, size);
    }
    if (e) return e;
    of_subin_t in = {.cat = cat,
                     .raw = job->raw,
                     .raw_id = job->raw_id,
                     .shop_id = job->shop_id,
                     .now = now,
                     .stock = &ss->view,
                     .cust = rj->cust,
                     .siblings = rj->sibs,
                     .nsiblings = rj->nsibs};
    of_sub_t s;
    of_sub_init(&s);
    if (of_sub_decide(&in, &s)) {
        e = of_seterr(err, size, OF_ERR_NOMEM, "out of memory deciding the order");
        goto out;
    }
    if (job->into_trade_id && job->keep_state && s.submitted) { /* D-MID-12 */
        int kept = of_mid_kept_status(job->keep_state, s.status);
        if (kept != s.status) {
            of_trace_add(&s.trace, "MID-MRG-05", "status", "%d kept: the order had left pre-processing (decided %d)",
                         kept, s.status);
            of_logs_add(&s.logs, OF_LOG_STATUS, "MID-MRG-05",
                        "订单状态: 保持 %d (decided %d: the order had left "
                        "pre-processing, D-MID-12)",
                        kept, s.status);
            s.status = kept;
            s.delay_to_time = 0;
        }
    }
    of_sub_sib_prune(&s, rj->sibs, rj->nsibs); /* D-MOD-22: flags a sibling already has are not written again */
    /* SUB-STK: the view must hold a reserved spec's rows before the reservation is counted in it */
    for (size_t i = 0; s.submitted && s.reserve != OF_RES_NONE && i < s.nlines && !e; i++)
        e = load_spec(ss, s.lines[i].spec_id, err, size);
    if (!e && job->into_trade_id && !s.submitted) {
        /* MOD-T1-04 (OP-56, D-MOD-14): the order stays as it was (lines, reservation); the caller marks the raw
         * trade with the stop */
        for (size_t i = 0; i < job->nheld; i++) {
            const of_held_t *h = &job->held[i];
            if (h->kind != OF_RES_NONE && h->num &&
                of_stock_add(&ss->view, h->warehouse_id, h->spec_id, (of_res_t)h->kind, h->num))
                e = nomem(err, size);
        }
        job->status = 0;
        job->raw_bad_reason = s.raw_bad_reason;
        snprintf(job->stop_rule, sizeof job->stop_rule, "%s", s.stop_rule);
        snprintf(job->stop_reason, sizeof job->stop_reason, "%s", s.stop_reason);
        goto out;
    }
    if (!e) e = of_substore_write(ss, job, &s, err, size);
out:
    of_sub_free(&s);
    return e;
}

/* A round: the first pending trade of each customer (by nick key), in arrival order, so that a customer's trades keep
 * their order and a round is as large as the batch allows (D-T10-54: trades of different customers are independent;
 * Kafka gives no order across partitions anyway). Fills round[] with indexes into jobs; returns the count. With one
 * call a transaction (trade-modify, D-MOD-48): every pending trade; round_by_known() then keeps those that can share
 * it. */
static size_t round_pick(const of_substore_t *ss, const size_t *pend, size_t npend, size_t *round) {
    size_t len = 0;
    for (size_t i = 0; i < npend; i++) {
        int first = 1;
        for (size_t j = 0; j < i && first && !ss->fold; j++)
            first = strcmp(ss->keys[pend[j]], ss->keys[pend[i]]) != 0;
        if (first) round[len++] = pend[i];
    }
    return len;
}

/* Positions i and j of the round are one customer's trades: one nick key, or the lookup found one customer. */
static int same_customer(const of_substore_t *ss, const size_t *round, size_t i, size_t j) {
    return !strcmp(ss->keys[round[i]], ss->keys[round[j]]) || (ss->rj[i].known && ss->rj[i].known == ss->rj[j].known);
}

/* D-MOD-48: a trade that may share its round with others of its customer: an order submitted again (trade-modify, one
 * call a transaction) whose platform customer exists. Its round then creates no customer, reads no offline book, and
 * what an earlier trade of the round changed of the customer's orders (the order's own row, its siblings' flags) is
 * what a later round would read: the later trade sees it in memory (fold_siblings). */
static int foldable(const of_substore_t *ss, of_subjob_t *const *jobs, const size_t *round, size_t i) {
    return ss->fold && jobs[round[i]]->into_trade_id && ss->rj[i].cust.platform_customer_id;
}

/* D-MOD-48: whether the call may fold, after its first read (every pending trade): not when a lookup settles on
 * another customer than the order's own (a changed buyer nick): the order would move to that customer, out of the
 * open orders its first customer's later trades read; then every round holds one trade a customer, as trade-submit's.
 */
static int fold_ok(const of_substore_t *ss, of_subjob_t *const *jobs, const size_t *round, size_t len) {
    for (size_t i = 0; i < len; i++)
        if (jobs[round[i]]->into_trade_id && ss->rj[i].known != jobs[round[i]]->into_customer) return 0;
    return 1;
}

/* D-MOD-48: the round's trades in the order separate rounds decide them: each customer's first trades (in arrival
 * order), then their second ones, and so on (rank[]: the customer's trades kept before it), so that the stock each
 * trade finds is what it found before; a customer's trades keep their order. Moves rj[] with round[] (insertion
 * sort, stable). */
static void order_by_rank(of_substore_t *ss, size_t *round, size_t len) {
    int *rank = ss->rank;
    for (size_t i = 1; i < len; i++)
        for (size_t k = i; k > 0 && rank[k - 1] > rank[k]; k--) {
            rjob_t tr = ss->rj[k - 1];
            ss->rj[k - 1] = ss->rj[k];
            ss->rj[k] = tr;
            size_t t = round[k - 1];
            round[k - 1] = round[k];
            round[k] = t;
            int r = rank[k - 1];
            rank[k - 1] = rank[k];
            rank[k] = r;
        }
}

/* Two trades of one customer (two nicks the lookup found to be one customer, or, with one call, one nick) share a
 * round only when both are foldable; else the later one waits for a later round, and so do the customer's trades
 * after it (they keep their order). Keeps the round's trades in order; rj[] follows round[]. Returns the new count. */
static size_t round_by_known(of_substore_t *ss, of_subjob_t *const *jobs, size_t *round, size_t len) {
    size_t kept = 0;
    for (size_t i = 0; i < len; i++) {
        int clash = 0, rank = 0, fold_i = foldable(ss, jobs, round, i);
        for (size_t j = 0; j < kept && !clash; j++)
            if (same_customer(ss, round, i, j)) {
                rank++;
                clash = !(fold_i && foldable(ss, jobs, round, j));
            }
        for (size_t j = kept; j < i && !clash; j++) /* positions kept … i-1: those put off */
            clash = same_customer(ss, round, i, j);
        if (clash) continue;
        ss->rank[kept] = rank;
        if (kept != i) { /* swap, so that every rj keeps its own siblings buffer */
            rjob_t tmp = ss->rj[kept];
            ss->rj[kept] = ss->rj[i];
            ss->rj[i] = tmp;
            size_t r = round[kept];
            round[kept] = round[i];
            round[i] = r;
        }
        kept++;
    }
    if (ss->fold) order_by_rank(ss, round, kept);
    return kept;
}

/* D-MOD-48: before position k of the round decides, its customer's orders as a later round would read them after the
 * round's earlier trades: an order submitted again by one of them has the status and flags it wrote (or leaves the
 * open orders), a sibling they updated has the update (of_sub_sib_seen). Returns 1 when k must wait for the next
 * round instead: an earlier trade of its customer waits, or one of them left open an order k did not read as open
 * (its trade time is not known here). An update of k's own order by an earlier trade is undone once k is decided
 * (run_round): a later round would have written k's row over it. */
static int fold_siblings(of_substore_t *ss, size_t k) {
    rjob_t *rk = &ss->rj[k];
    for (size_t j = 0; j < k; j++) {
        if (!same_customer(ss, ss->round, j, k)) continue;
        if (ss->later[j]) return 1;
        const of_subjob_t *jj = ss->rjobs[j];
        if (ss->rj[j].known != rk->known || !jj->status || jj->status < 10 || jj->status > 95) continue;
        int seen = 0;
        for (size_t i = 0; i < rk->nsibs && !seen; i++)
            seen = rk->sibs[i].trade_id == jj->into_trade_id;
        if (!seen) return 1;
    }
    size_t kept = 0;
    for (size_t i = 0; i < rk->nsibs; i++) {
        of_sibling_t sib = rk->sibs[i];
        for (size_t j = 0; j < k; j++) {
            const of_subjob_t *jj = ss->rjobs[j];
            if (!ss->later[j] && jj->into_trade_id == sib.trade_id && jj->status && ss->rj[j].known == rk->known) {
                sib.status = jj->status;
                sib.unmerge_mask = jj->unmerge_mask;
            }
        }
        const rsib_t *r = rsib_of(ss, sib.trade_id);
        if (r) of_sub_sib_seen(&sib, &r->u);
        if (sib.status >= 10 && sib.status <= 95) rk->sibs[kept++] = sib; /* SIBLINGS: the read's open orders */
    }
    rk->nsibs = kept;
    return 0;
}

static of_err_t run_round(of_substore_t *ss, of_subjob_t *const *jobs, size_t n, size_t *pend, size_t *npend,
                          int64_t now, char *err, size_t size) {
    of_err_t e;
    size_t len = round_pick(ss, pend, *npend, ss->round);
    for (size_t j = 0; j < len; j++)
        ss->rjobs[j] = jobs[ss->round[j]];
    int ahead = ahead_take(ss, ss->rjobs, len); /* D-MOD-55: the first round only */
    if (ahead < 0) return nomem(err, size);
    if (!ahead && (e = read_customers(ss, ss->rjobs, len, err, size))) return e;
    if (ss->fold && !fold_ok(ss, jobs, ss->round, len)) {
        ss->fold = 0;
        of_debug("submission rounds: one trade a customer (a lookup settled on another customer than an order's)",
                 OF_U("trades", len), OF_END);
    }
    len = round_by_known(ss, jobs, ss->round, len);
    for (size_t j = 0; j < len; j++)
        ss->rjobs[j] = jobs[ss->round[j]];
    if ((e = read_books(ss, ss->rjobs, len, err, size))) return e;
    size_t taken = 0;
    for (size_t j = 0; j < len; j++) {
        ss->later[j] = ss->fold && fold_siblings(ss, j);
        if (ss->later[j]) continue;
        if ((e = decide_one(ss, ss->rjobs[j], &ss->rj[j], now, err, size))) return e;
        rsib_t *r = ss->fold && ss->rjobs[j]->status ? rsib_of(ss, ss->rjobs[j]->into_trade_id) : NULL;
        if (r) { /* an earlier trade's update of this order, which a later round would write before this order's row
                  * (D-MOD-48): the row overwrites what it set; only its version step stays */
            r->u.or_mask = 0;
            r->u.new_status = 0;
            if ((e = sibling_set(ss, r, err, size))) return e;
        }
    }
    for (size_t j = 0; j < len; j++) /* the round: the trades decided, in order */
        if (!ss->later[j]) {
            ss->round[taken] = ss->round[j];
            ss->rjobs[taken++] = ss->rjobs[j];
        }
    of_debug("submission round", OF_U("trades", taken), OF_U("pending", *npend - taken), OF_END);
    len = taken;
    if ((e = of_substore_flush(ss, ss->rjobs, len, err, size))) return e;
    /* the other tables' full statements now (memory stays bounded on a large batch, no statement more) */
    e = land_traces(ss, err, size);
    if (!e) e = of_wset_flush_full(ss->w, err, size);
    if (e == OF_ERR_DUPLICATE) return duplicate(ss, n);
    if (e) return e;
    size_t left = 0; /* the pending trades not in this round, in order */
    for (size_t i = 0; i < *npend; i++) {
        int took = 0;
        for (size_t j = 0; j < len && !took; j++)
            took = ss->round[j] == pend[i];
        if (!took) pend[left++] = pend[i];
    }
    *npend = left;
    return OF_OK;
}

void of_substore_begin(of_substore_t *ss, const of_cat_snap_t *snap) {
    ss->ahead = NULL;
    of_cat_overlay_reset(ss->ov);
    of_cat_view(snap, ss->ov, &ss->cat);
    ss->view.n = 0;
    ss->nloaded = 0;
    ss->ndeltas = 0;
    ss->njobs = 0;
    ss->nrefunds = 0;
    ss->nrsib = 0;
    of_wset_reset(ss->w);
    drop_traces(ss);
}

/* Room for n jobs in the round buffers. -1 when out of memory. */
static int ensure_cap(of_substore_t *ss, size_t n) {
    if (n > ss->rj_cap) {
        rj_clear(ss);
        rjob_t *r = realloc(ss->rj, n * sizeof *r);
        if (r) {
            memset(r, 0, n * sizeof *r);
            ss->rj = r;
            ss->rj_cap = n;
        }
        unsigned char *lt = realloc(ss->later, n);
        if (lt) ss->later = lt;
        int *rk = realloc(ss->rank, n * sizeof *rk);
        if (rk) ss->rank = rk;
        size_t *rd = realloc(ss->round, n * 2 * sizeof *rd);
        of_subjob_t **rjobs = realloc(ss->rjobs, n * sizeof *rjobs);
        char(*keys)[OF_NAME * 2] = realloc(ss->keys, n * sizeof *keys);
        if (rd) ss->round = rd;
        if (rjobs) ss->rjobs = rjobs;
        if (keys) ss->keys = keys;
        if (!r || !lt || !rk || !rd || !rjobs || !keys) {
            ss->rj_cap = 0;
            return -1;
        }
    }
    return 0;
}

/* What the submission reads before a trade's rules (SUB-CUST-02/03, OP-18, SIBLINGS), for a caller deciding on its
 * own (what-if). */
of_err_t of_substore_lookup(of_substore_t *ss, of_subjob_t *const *jobs, size_t n, of_sublookup_t *out, char *errstr,
                            size_t errstr_size) {
    if (ensure_cap(ss, n)) return nomem(errstr, errstr_size);
    of_err_t e = read_customers(ss, jobs, n, errstr, errstr_size);
    if (!e) e = read_books(ss, jobs, n, errstr, errstr_size);
    for (size_t j = 0; !e && j < n; j++) {
        const rjob_t *rj = &ss->rj[j];
        out[j].cust = rj->cust;
        out[j].known = rj->known;
        out[j].nsibs = rj->nsibs;
        out[j].sibs = NULL;
        if (rj->nsibs && !(out[j].sibs = malloc(rj->nsibs * sizeof *out[j].sibs))) {
            out[j].nsibs = 0;
            e = nomem(errstr, errstr_size);
        } else if (rj->nsibs) {
            memcpy(out[j].sibs, rj->sibs, rj->nsibs * sizeof *rj->sibs);
        }
    }
    return e;
}

of_err_t of_substore_submit(of_substore_t *ss, of_subjob_t *const *jobs, size_t n, int64_t now, char *errstr,
                            size_t errstr_size) {
    if (ensure_cap(ss, n)) return nomem(errstr, errstr_size);
    size_t *pend = ss->round + n, npend = n;
    for (size_t i = 0; i < n; i++) {
        jobs[i]->trade_id = 0;
        char nick[OF_NAME * 2];
        of_cust_nick(jobs[i]->raw, nick, sizeof nick);
        nick_key(nick, ss->keys[i], sizeof ss->keys[i]);
        pend[i] = i;
    }
    ss->njobs += n;
    ss->fold = ss->single_call;
    /* the stock of every spec the trades can map to, one statement (the view then sees each reservation) */
    idset_t want = {0};
    of_err_t e = OF_OK;
    for (size_t j = 0; j < n && !e; j++)
        if (want_specs(ss, &ss->cat, jobs[j], &want)) e = nomem(errstr, errstr_size);
    if (!e) e = load_specs(ss, &want, errstr, errstr_size);
    free(want.v);
    while (!e && npend)
        e = run_round(ss, jobs, n, pend, &npend, now, errstr, errstr_size);
    if (e) return e;
    /* The rest of this call's rows now: a later call (the next segment) may store a later version of one of these
     * raw trades, which must find them submitted (deliver_trade_id, process_status) and keep its own modify_flag
     * bits (D-T10-50; it_change "two versions of a new trade in one batch"). Without a later call, with
     * of_substore_end's (D-RT-11). */
    if (ss->single_call) return OF_OK;
    e = land_traces(ss, errstr, errstr_size);
    if (!e) e = of_wset_flush(ss->w, errstr, errstr_size);
    return e == OF_ERR_DUPLICATE ? duplicate(ss, n) : e;
}

void of_substore_set_single_call(of_substore_t *ss, int on) {
    ss->single_call = on;
}

of_wset_t *of_substore_wset(of_substore_t *ss) {
    return ss->w;
}

const of_cat_overlay_t *of_substore_overlay(const of_substore_t *ss) {
    return ss->ov;
}

void of_substore_discard(of_substore_t *ss) {
    ss->ahead = NULL;
    ss->nrefunds = 0;
    ss->nrsib = 0;
    of_cat_overlay_reset(ss->ov);
    of_wset_reset(ss->w);
    drop_traces(ss);
}

of_err_t of_substore_end(of_substore_t *ss, char *errstr, size_t errstr_size) {
    /* the batch's refund orders, then the rows left buffered (also the benchmark's writer-only use:
     * of_substore_write/flush without submit) */
    of_err_t e = write_refunds(ss, errstr, errstr_size);
    if (!e) e = land_traces(ss, errstr, errstr_size);
    if (!e) e = of_wset_flush(ss->w, errstr, errstr_size);
    if (e == OF_ERR_DUPLICATE) return duplicate(ss, ss->njobs);
    if (e) return e;
    of_wset_reset(ss->w);
    ss->nrsib = 0;
    /* SUB-STK: the counters, one row per (warehouse, spec), in lock order (deadlock-free across instances) */
    if (!ss->ndeltas) return OF_OK;
    qsort(ss->deltas, ss->ndeltas, sizeof *ss->deltas, cmp_delta);
    of_param_t *p = malloc(ss->ndeltas * 5 * sizeof *p);
    if (!p) return nomem(errstr, errstr_size);
    for (size_t i = 0; i < ss->ndeltas; i++) {
        const delta_t *d = &ss->deltas[i];
        p[i * 5] = OFP_U(d->wh);
        p[i * 5 + 1] = OFP_U(d->spec);
        p[i * 5 + 2] = OFP_I(d->d[0]);
        p[i * 5 + 3] = OFP_I(d->d[1]);
        p[i * 5 + 4] = OFP_I(d->d[2]);
    }
    e = of_db_exec_multi(ss->db, &ss->m_stock_ups, p, (int)ss->ndeltas, NULL, errstr, errstr_size);
    free(p);
    ss->ndeltas = 0;
    return e;
}
