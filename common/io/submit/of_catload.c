/* of_catload.c -- the submission configuration from MySQL: one descriptor per table maps SELECT columns onto
 * the plain structs of of_catalog.h; each table is fingerprinted, read and replaced on its own, in one consistent
 * read (docs/decisions.md D-T10-30..). */
#include "of_str.h"
#include "of_catload.h"
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "of_money.h"
#include "of_time.h"

enum { K_U64, K_INT, K_MONEY, K_F6, K_STR };
typedef struct {
    int kind;
    size_t off, size;
} col_t;
#define CU(T, f)                                                                                                       \
    { K_U64, offsetof(T, f), 0 }
#define CI(T, f)                                                                                                       \
    { K_INT, offsetof(T, f), 0 }
#define CM(T, f)                                                                                                       \
    { K_MONEY, offsetof(T, f), 0 }
#define CF6(T, f)                                                                                                      \
    { K_F6, offsetof(T, f), 0 }
#define CS(T, f)                                                                                                       \
    { K_STR, offsetof(T, f), sizeof(((T *)0)->f) }

typedef struct {
    const char *sql;
    const char *fp; /* "table.column" whose row count and MAX(column) fingerprint it */
    size_t elem;
    of_cat_table_t kind; /* the snapshot's table it fills */
    col_t cols[24];
    int ncols;
} table_t;

static const table_t TABLES[] = {
    {"SELECT shop_id, platform_id, shop_no, shop_name, is_preorder, is_grab, is_split_merge, is_goods_wh, "
     "cod_logistics_id, grab_logistics_id FROM cfg_shop WHERE is_disabled = 0",
     "cfg_shop.modified_at",
     sizeof(of_shop_t),
     OF_CT_SHOPS,
     {CU(of_shop_t, id), CI(of_shop_t, platform_id), CS(of_shop_t, shop_no), CS(of_shop_t, name),
      CI(of_shop_t, is_preorder), CI(of_shop_t, is_grab), CI(of_shop_t, is_split_merge), CI(of_shop_t, is_goods_wh),
      CU(of_shop_t, cod_logistics_id), CU(of_shop_t, grab_logistics_id)},
     10},
    {"SELECT warehouse_id, warehouse_no, name, wms_type, is_external, is_express, priority, province, city, district, "
     "cod_logistics_id FROM cfg_warehouse WHERE is_disabled = 0",
     "cfg_warehouse.modified_at",
     sizeof(of_warehouse_t),
     OF_CT_WHS,
     {CU(of_warehouse_t, id), CS(of_warehouse_t, no), CS(of_warehouse_t, name), CI(of_warehouse_t, wms_type),
      CI(of_warehouse_t, is_external), CI(of_warehouse_t, is_express), CI(of_warehouse_t, priority),
      CS(of_warehouse_t, province), CS(of_warehouse_t, city), CS(of_warehouse_t, district),
      CU(of_warehouse_t, cod_logistics_id)},
     11},
    {"SELECT warehouse_id, province, city, district FROM cfg_warehouse_area ORDER BY rec_id",
     "cfg_warehouse_area.created_at",
     sizeof(of_wh_area_t),
     OF_CT_WH_AREAS,
     {CU(of_wh_area_t, warehouse_id), CS(of_wh_area_t, province), CS(of_wh_area_t, city), CS(of_wh_area_t, district)},
     4},
    {"SELECT logistics_id, logistics_no, name, logistics_type, supports_cod, sort_order FROM cfg_logistics "
     "WHERE is_disabled = 0",
     "cfg_logistics.modified_at",
     sizeof(of_logistics_t),
     OF_CT_LOGIS,
     {CU(of_logistics_t, id), CS(of_logistics_t, no), CS(of_logistics_t, name), CI(of_logistics_t, type),
      CI(of_logistics_t, supports_cod), CI(of_logistics_t, sort_order)},
     6},
    {"SELECT shop_id, warehouse_id, priority FROM cfg_shop_warehouse",
     "cfg_shop_warehouse.created_at",
     sizeof(of_shop_wh_t),
     OF_CT_SHOP_WHS,
     {CU(of_shop_wh_t, shop_id), CU(of_shop_wh_t, warehouse_id), CI(of_shop_wh_t, priority)},
     3},
    {"SELECT shop_id, logistics_id, priority FROM cfg_shop_logistics ORDER BY shop_id, priority DESC, logistics_id",
     "cfg_shop_logistics.created_at",
     sizeof(of_shop_logi_t),
     OF_CT_SHOP_LOGIS,
     {CU(of_shop_logi_t, shop_id), CU(of_shop_logi_t, logistics_id), CI(of_shop_logi_t, priority)},
     3},
    {"SELECT spec_id, goods_id, goods_no, goods_name, spec_no, spec_code, spec_name, retail_price, weight, length, "
     "width, height, volume, tax_rate, large_type, is_zero_cost, is_not_use_air, deleted FROM goods_spec",
     "goods_spec.modified_at",
     sizeof(of_spec_t),
     OF_CT_SPECS,
     {CU(of_spec_t, id), CU(of_spec_t, goods_id), CS(of_spec_t, goods_no), CS(of_spec_t, goods_name),
      CS(of_spec_t, spec_no), CS(of_spec_t, spec_code), CS(of_spec_t, spec_name), CM(of_spec_t, retail_price),
      CM(of_spec_t, weight), CM(of_spec_t, length), CM(of_spec_t, width), CM(of_spec_t, height), CM(of_spec_t, volume),
      CM(of_spec_t, tax_rate), CI(of_spec_t, large_type), CI(of_spec_t, is_zero_cost), CI(of_spec_t, is_not_use_air),
      CI(of_spec_t, deleted)},
     18},
    {"SELECT suite_id, suite_no, suite_name, is_unsplit, print_mode, deleted FROM goods_suite",
     "goods_suite.modified_at",
     sizeof(of_suite_t),
     OF_CT_SUITES,
     {CU(of_suite_t, id), CS(of_suite_t, suite_no), CS(of_suite_t, name), CI(of_suite_t, is_unsplit),
      CI(of_suite_t, print_mode), CI(of_suite_t, deleted)},
     6},
    {"SELECT suite_id, spec_id, num, amount, is_gift, sort_order FROM goods_suite_detail",
     "goods_suite_detail.modified_at",
     sizeof(of_suite_detail_t),
     OF_CT_SUITE_DETAILS,
     {CU(of_suite_detail_t, suite_id), CU(of_suite_detail_t, spec_id), CI(of_suite_detail_t, num),
      CM(of_suite_detail_t, amount), CI(of_suite_detail_t, is_gift), CI(of_suite_detail_t, sort_order)},
     6},
    {"SELECT shop_id, goods_id, spec_id, goods_no, spec_no, match_target_type, match_target_id, is_manual_match, "
     "status FROM api_goods_spec",
     "api_goods_spec.modified_at",
     sizeof(of_api_goods_t),
     OF_CT_API_GOODS,
     {CU(of_api_goods_t, shop_id), CS(of_api_goods_t, goods_id), CS(of_api_goods_t, spec_id),
      CS(of_api_goods_t, goods_no), CS(of_api_goods_t, spec_no), CI(of_api_goods_t, match_type),
      CU(of_api_goods_t, match_id), CI(of_api_goods_t, is_manual_match), CI(of_api_goods_t, status)},
     9},
    {"SELECT shop_id, cid, commission_factor FROM api_goods_category",
     "api_goods_category.modified_at",
     sizeof(of_category_t),
     OF_CT_CATS,
     {CU(of_category_t, shop_id), CS(of_category_t, cid), CF6(of_category_t, commission_factor)},
     3},
    {"SELECT shop_id, spec_id, warehouse_id, mode, logistics_id, priority FROM goods_spec_warehouse "
     "ORDER BY priority DESC, rec_id",
     "goods_spec_warehouse.modified_at",
     sizeof(of_spec_wh_t),
     OF_CT_SPEC_WHS,
     {CU(of_spec_wh_t, shop_id), CU(of_spec_wh_t, spec_id), CU(of_spec_wh_t, warehouse_id), CI(of_spec_wh_t, mode),
      CU(of_spec_wh_t, logistics_id), CI(of_spec_wh_t, priority)},
     6},
    {"SELECT class, keyword, target_type, target_id, shop_id FROM cfg_trade_remark_extract WHERE is_disabled = 0 "
     "ORDER BY created_at DESC, rec_id DESC",
     "cfg_trade_remark_extract.modified_at",
     sizeof(of_remark_rule_t),
     OF_CT_REMARK_RULES,
     {CI(of_remark_rule_t, klass), CS(of_remark_rule_t, keyword), CI(of_remark_rule_t, target_type),
      CU(of_remark_rule_t, target_id), CU(of_remark_rule_t, shop_id)},
     5},
    {"SELECT prefix, suffix FROM cfg_salesman_extract WHERE is_disabled = 0 ORDER BY rec_id",
     "cfg_salesman_extract.modified_at",
     sizeof(of_salesman_rule_t),
     OF_CT_SALESMAN_RULES,
     {CS(of_salesman_rule_t, prefix), CS(of_salesman_rule_t, suffix)},
     2},
    {"SELECT employee_id, name FROM hr_employee WHERE is_disabled = 0 ORDER BY employee_id",
     "hr_employee.modified_at",
     sizeof(of_employee_t),
     OF_CT_EMPLOYEES,
     {CU(of_employee_t, id), CS(of_employee_t, name)},
     2},
    {"SELECT shop_id, goods_keyword, spec_keyword FROM cfg_preorder_keyword WHERE is_disabled = 0 ORDER BY rec_id",
     "cfg_preorder_keyword.modified_at",
     sizeof(of_preorder_kw_t),
     OF_CT_PREORDER_KWS,
     {CU(of_preorder_kw_t, shop_id), CS(of_preorder_kw_t, goods_keyword), CS(of_preorder_kw_t, spec_keyword)},
     3},
    {"SELECT scope, warehouse_id, shop_id, logistics_id, weight_min, weight_max, priority FROM cfg_logistics_strategy "
     "WHERE is_disabled = 0 ORDER BY scope DESC, priority DESC, rec_id",
     "cfg_logistics_strategy.modified_at",
     sizeof(of_logi_strategy_t),
     OF_CT_LOGI_STRATEGIES,
     {CI(of_logi_strategy_t, scope), CU(of_logi_strategy_t, warehouse_id), CU(of_logi_strategy_t, shop_id),
      CU(of_logi_strategy_t, logistics_id), CM(of_logi_strategy_t, weight_min), CM(of_logi_strategy_t, weight_max),
      CI(of_logi_strategy_t, priority)},
     7},
    {"SELECT logistics_id, province, city, district, is_reachable FROM cfg_logistics_area",
     "cfg_logistics_area.created_at",
     sizeof(of_logi_area_t),
     OF_CT_LOGI_AREAS,
     {CU(of_logi_area_t, logistics_id), CS(of_logi_area_t, province), CS(of_logi_area_t, city),
      CS(of_logi_area_t, district), CI(of_logi_area_t, is_reachable)},
     5},
    {"SELECT logistics_id, province, city, weight_from, weight_to, first_weight, first_fee, step_weight, step_fee, "
     "round_mode FROM cfg_logistics_fee ORDER BY logistics_id, weight_from",
     "cfg_logistics_fee.modified_at",
     sizeof(of_logi_fee_t),
     OF_CT_LOGI_FEES,
     {CU(of_logi_fee_t, logistics_id), CS(of_logi_fee_t, province), CS(of_logi_fee_t, city),
      CM(of_logi_fee_t, weight_from), CM(of_logi_fee_t, weight_to), CM(of_logi_fee_t, first_weight),
      CM(of_logi_fee_t, first_fee), CM(of_logi_fee_t, step_weight), CM(of_logi_fee_t, step_fee),
      CI(of_logi_fee_t, round_mode)},
     10},
    {"SELECT logistics_id, province, city, district, alias FROM cfg_area_alias",
     "cfg_area_alias.modified_at",
     sizeof(of_area_alias_t),
     OF_CT_ALIASES,
     {CU(of_area_alias_t, logistics_id), CS(of_area_alias_t, province), CS(of_area_alias_t, city),
      CS(of_area_alias_t, district), CS(of_area_alias_t, alias)},
     5},
    {"SELECT package_id, package_no, volume, weight FROM cfg_package WHERE is_disabled = 0 ORDER BY volume, package_id",
     "cfg_package.modified_at",
     sizeof(of_package_t),
     OF_CT_PACKAGES,
     {CU(of_package_t, id), CS(of_package_t, no), CM(of_package_t, volume), CM(of_package_t, weight)},
     4},
    {"SELECT mode, shop_id, weight_min, weight_max, volume_min, volume_max, package_id, priority FROM "
     "cfg_package_strategy WHERE is_disabled = 0 ORDER BY priority DESC, rec_id",
     "cfg_package_strategy.modified_at",
     sizeof(of_package_strategy_t),
     OF_CT_PKG_STRATEGIES,
     {CI(of_package_strategy_t, mode), CU(of_package_strategy_t, shop_id), CM(of_package_strategy_t, weight_min),
      CM(of_package_strategy_t, weight_max), CM(of_package_strategy_t, volume_min),
      CM(of_package_strategy_t, volume_max), CU(of_package_strategy_t, package_id),
      CI(of_package_strategy_t, priority)},
     8},
    {"SELECT shop_id, match_key, target_scope, ignore_case, trim_space, priority FROM cfg_auto_match_rule "
     "WHERE is_disabled = 0 ORDER BY priority DESC, rec_id",
     "cfg_auto_match_rule.modified_at",
     sizeof(of_match_rule_t),
     OF_CT_MATCH_RULES,
     {CU(of_match_rule_t, shop_id), CI(of_match_rule_t, match_key), CI(of_match_rule_t, target_scope),
      CI(of_match_rule_t, ignore_case), CI(of_match_rule_t, trim_space), CI(of_match_rule_t, priority)},
     6},
};
#define NTABLES (sizeof TABLES / sizeof TABLES[0])
#define NFP (NTABLES + 1) /* fingerprints: cfg_setting, then TABLES */

static const char SQL_SETTINGS[] = "SELECT setting_key, setting_value FROM cfg_setting";
/* The fingerprint covers cfg_setting and every table loaded above (so a new table cannot be forgotten). */
static const char FP_SETTINGS[] = "cfg_setting.modified_at";
/* One consistent read (the stack runs READ COMMITTED): the fingerprints and the rows read after them are of the
 * same moment, so a change between them is neither missed nor half seen. */
static const char SQL_BEGIN[] =
    "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ; START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY";
/* api_goods_spec read back incrementally (D-T10-32): the rows modified since the previous read's MAX(modified_at),
 * less a margin for a transaction that commits a while after its statement stamped modified_at. An insert missed
 * anyway shows in the row count (the table is then read in full). */
static const char SQL_AG_SINCE[] = " WHERE modified_at >= CAST(? AS DATETIME(3)) - INTERVAL 10 SECOND";

size_t of_catload_tables(char names[][64], size_t max) {
    size_t n = 0;
    if (n < max) snprintf(names[n++], 64, "%.*s", (int)(strchr(FP_SETTINGS, '.') - FP_SETTINGS), FP_SETTINGS);
    for (size_t i = 0; i < NTABLES && n < max; i++)
        snprintf(names[n++], 64, "%.*s", (int)(strchr(TABLES[i].fp, '.') - TABLES[i].fp), TABLES[i].fp);
    return n;
}

struct of_catload_s {
    of_db_t *db;
    int st[NTABLES];
    int st_settings, st_fp, st_ag_since;
    size_t ag;         /* TABLES index of api_goods_spec */
    char fp_sql[4096]; /* built from TABLES */
    char ag_since_sql[1024];
    char fp[NFP][64]; /* per table "COUNT@MAX(column)" of the last load or refresh; "" = not read yet */
};

static void fp_part(char *buf, size_t size, const char *fp, int first) {
    size_t len = strlen(buf);
    const char *dot = strchr(fp, '.');
    snprintf(buf + len, size - len, "%s(SELECT CONCAT(COUNT(*), '@', IFNULL(MAX(%s), '')) FROM %.*s)",
             first ? "" : ", ", dot + 1, (int)(dot - fp), fp);
}

of_catload_t *of_catload_new(of_db_t *db) {
    of_catload_t *cl = calloc(1, sizeof *cl);
    if (!cl) return NULL;
    cl->db = db;
    cl->ag = NTABLES;
    for (size_t i = 0; i < NTABLES; i++) {
        if ((cl->st[i] = of_db_register(db, TABLES[i].sql)) < 0) goto fail;
        if (TABLES[i].kind == OF_CT_API_GOODS) cl->ag = i;
    }
    if (cl->ag == NTABLES) goto fail;
    snprintf(cl->fp_sql, sizeof cl->fp_sql, "SELECT ");
    fp_part(cl->fp_sql, sizeof cl->fp_sql, FP_SETTINGS, 1);
    for (size_t i = 0; i < NTABLES; i++)
        fp_part(cl->fp_sql, sizeof cl->fp_sql, TABLES[i].fp, 0);
    snprintf(cl->ag_since_sql, sizeof cl->ag_since_sql, "%s%s", TABLES[cl->ag].sql, SQL_AG_SINCE);
    if ((cl->st_settings = of_db_register(db, SQL_SETTINGS)) < 0 || (cl->st_fp = of_db_register(db, cl->fp_sql)) < 0 ||
        (cl->st_ag_since = of_db_register(db, cl->ag_since_sql)) < 0)
        goto fail;
    return cl;
fail:
    free(cl);
    return NULL;
}

void of_catload_destroy(of_catload_t *cl) {
    free(cl);
}

/* "0.123456" → 123456 (×1e6), via the ×1e4 money parser on the first 4 decimals plus the rest. */
static int64_t parse_f6(const char *s) {
    const char *dot = strchr(s, '.');
    long long ip = strtoll(s, NULL, 10);
    long long frac = 0;
    int neg = s[0] == '-';
    if (dot) {
        int digits = 0;
        for (const char *p = dot + 1; *p >= '0' && *p <= '9' && digits < 6; p++, digits++)
            frac = frac * 10 + (*p - '0');
        for (; digits < 6; digits++)
            frac *= 10;
    }
    return neg ? ip * 1000000 - frac : ip * 1000000 + frac;
}

static void set_cell(const col_t *c, char *elem, const char *v) {
    if (!v) v = "";
    switch (c->kind) {
    case K_U64:
        *(uint64_t *)(elem + c->off) = strtoull(v, NULL, 10);
        break;
    case K_INT:
        *(int *)(elem + c->off) = (int)strtol(v, NULL, 10);
        break;
    case K_MONEY: {
        int64_t m = 0;
        if (of_money_parse(v, &m)) m = 0;
        *(int64_t *)(elem + c->off) = m;
        break;
    }
    case K_F6:
        *(int64_t *)(elem + c->off) = parse_f6(v);
        break;
    case K_STR:
        of_str_copy(elem + c->off, c->size, v); /* a value longer than its field is cut between characters */
        break;
    }
}

static int64_t setting_i(const char *v) {
    return strtoll(v ? v : "0", NULL, 10);
}

/* Apply setting k = v to *s. Returns 1 when the submission's rules read k, 0 when other rules do (or none). */
static int apply_setting(of_settings_t *s, const char *k, const char *v) {
    static const struct {
        const char *key;
        size_t off;
        int sub; /* read by the submission's rules (SUB-*, INIT-*): what-if --set may change it */
    } INTS[] = {
        {"CFG_GEN_API_GOODS_SPEC", offsetof(of_settings_t, gen_api_goods_spec), 1},
        {"CFG_DYNAMIC_MATCH", offsetof(of_settings_t, dynamic_match), 1},
        {"CFG_REMARK_EXTRACT", offsetof(of_settings_t, remark_extract), 1},
        {"CFG_CLIENT_REMARK_EXTRACT", offsetof(of_settings_t, client_remark_extract), 1},
        {"CFG_REMARK_LOGI_AFTER_AUDIT", offsetof(of_settings_t, remark_logi_after_audit), 0},
        {"CFG_GRAB", offsetof(of_settings_t, grab), 1},
        {"CFG_PREORDER", offsetof(of_settings_t, preorder), 1},
        {"CFG_PREORDER_STOCKOUT", offsetof(of_settings_t, preorder_stockout), 1},
        {"CFG_PREORDER_STOCK_CALC", offsetof(of_settings_t, preorder_stock_calc), 1},
        {"CFG_WH_BY_GOODS", offsetof(of_settings_t, wh_by_goods), 1},
        {"CFG_CHECK_STOCK", offsetof(of_settings_t, check_stock), 1},
        {"CFG_AUTO_EXTERNAL_WH", offsetof(of_settings_t, auto_external_wh), 1},
        {"CFG_PACKAGE", offsetof(of_settings_t, package_mode), 1},
        {"CFG_COD_LOGI_MODE", offsetof(of_settings_t, cod_logi_mode), 1},
        {"CFG_LOGI_BY_WEIGHT", offsetof(of_settings_t, logi_by_weight), 1},
        {"CFG_NO_DEFAULT_LOGI", offsetof(of_settings_t, no_default_logi), 1},
        {"CFG_FULL_LINK", offsetof(of_settings_t, full_link), 0},
        {"CFG_REMARK_CHANGE_BLOCK", offsetof(of_settings_t, remark_change_block), 0},
        {"CFG_BLOCK_GIFT", offsetof(of_settings_t, block_gift), 0},
        {"CFG_WH_CHANGE_PROMPT", offsetof(of_settings_t, wh_change_prompt), 0},
        {"CFG_SPLIT_BY_WH", offsetof(of_settings_t, split_by_wh), 0},
        {"CFG_NO_ALL_GIFT_SPLIT", offsetof(of_settings_t, no_all_gift_split), 0},
        {"CFG_BIG_MAX_SPLIT", offsetof(of_settings_t, big_max_split), 0},
        {"CFG_SPLIT_PREORDER", offsetof(of_settings_t, split_preorder), 0},
        {"CFG_DEFAULT_LOGISTICS_TYPE", offsetof(of_settings_t, default_logistics_type), 1},
    };
    for (size_t i = 0; i < sizeof INTS / sizeof INTS[0]; i++)
        if (!strcmp(k, INTS[i].key)) {
            *(int *)((char *)s + INTS[i].off) = (int)setting_i(v);
            return INTS[i].sub;
        }
    if (!strcmp(k, "CFG_COD_LOGISTICS_ID"))
        s->cod_logistics_id = strtoull(v ? v : "0", NULL, 10);
    else if (!strcmp(k, "DELAY_AUDIT"))
        s->delay_audit_s = setting_i(v);
    else if (!strcmp(k, "COD_DELAY"))
        s->cod_delay_s = setting_i(v);
    else if (!strcmp(k, "WAIT_UNPAID"))
        s->wait_unpaid_s = setting_i(v);
    else
        return 0; /* other keys belong to MOD / MID rules */
    return 1;
}

int of_catload_sub_setting(of_settings_t *s, const char *key, const char *value) {
    of_settings_t tmp = *s;
    if (!apply_setting(&tmp, key, value)) return -1;
    *s = tmp;
    return 0;
}

/* The rows of a table descriptor's result as an array of its struct (NULL for none; *bad on out of memory). */
static void *rows_array(const table_t *tb, const of_rows_t *rows, int *bad) {
    *bad = 0;
    if (!rows->nrows) return NULL;
    char *arr = calloc((size_t)rows->nrows, tb->elem);
    if (!arr) {
        *bad = 1;
        return NULL;
    }
    for (int r = 0; r < rows->nrows; r++)
        for (int c = 0; c < tb->ncols && c < rows->ncols; c++)
            set_cell(&tb->cols[c], arr + (size_t)r * tb->elem, of_rows_str(rows, r, c));
    return arr;
}

static of_err_t nomem(char *errstr, size_t errstr_size) {
    return of_seterr(errstr, errstr_size, OF_ERR_NOMEM, "out of memory loading the catalogue");
}

static of_err_t load_settings(of_catload_t *cl, of_cat_tab_t **out, size_t *nread, char *errstr, size_t errstr_size) {
    of_settings_t *set = malloc(sizeof *set);
    if (!set) return nomem(errstr, errstr_size);
    of_settings_defaults(set);
    of_rows_t *rows;
    of_err_t e = of_db_query(cl->db, cl->st_settings, NULL, 0, &rows, errstr, errstr_size);
    if (e) {
        free(set);
        return e;
    }
    for (int r = 0; r < rows->nrows; r++)
        apply_setting(set, of_rows_str(rows, r, 0), of_rows_str(rows, r, 1));
    *nread += (size_t)rows->nrows;
    of_rows_free(rows);
    return (*out = of_cat_tab_new(OF_CT_SETTINGS, set, 1)) ? OF_OK : nomem(errstr, errstr_size);
}

static of_err_t load_table(of_catload_t *cl, size_t t, of_cat_tab_t **out, size_t *nread, char *errstr,
                           size_t errstr_size) {
    of_rows_t *rows;
    of_err_t e = of_db_query(cl->db, cl->st[t], NULL, 0, &rows, errstr, errstr_size);
    if (e) return e;
    int bad;
    void *arr = rows_array(&TABLES[t], rows, &bad);
    size_t n = (size_t)rows->nrows;
    of_rows_free(rows);
    if (bad) return nomem(errstr, errstr_size);
    *nread += n;
    return (*out = of_cat_tab_new(TABLES[t].kind, arr, n)) ? OF_OK : nomem(errstr, errstr_size);
}

static void note(of_catload_stats_t *st, const char *fp) {
    size_t len = strlen(st->tables);
    snprintf(st->tables + len, sizeof st->tables - len, "%s%.*s", len ? "," : "", (int)(strchr(fp, '.') - fp), fp);
    st->ntables++;
}

/* api_goods_spec after a change: the rows modified since since (a MAX(modified_at)) merged into *snap; when the
 * snapshot's keys then differ in number from the table's rows (count), the table is read in full. */
static of_err_t ag_refresh(of_catload_t *cl, of_cat_snap_t **snap, const char *since, long long count,
                           of_catload_stats_t *st, char *errstr, size_t errstr_size) {
    of_rows_t *rows;
    of_param_t p[] = {OFP_S(since)};
    of_err_t e = of_db_query(cl->db, cl->st_ag_since, p, 1, &rows, errstr, errstr_size);
    if (e) return e;
    int bad;
    of_api_goods_t *arr = rows_array(&TABLES[cl->ag], rows, &bad);
    size_t n = (size_t)rows->nrows;
    of_rows_free(rows);
    if (bad) return nomem(errstr, errstr_size);
    st->rows += n;
    of_cat_snap_t *merged = of_cat_snap_merge(*snap, arr, n);
    free(arr);
    if (!merged) return nomem(errstr, errstr_size);
    if (count >= 0 && of_cat_snap_api_keys(merged) == (size_t)count) {
        of_cat_snap_release(*snap);
        *snap = merged;
        st->incremental = 1;
        return OF_OK;
    }
    of_cat_snap_release(merged); /* a row deleted, or an insert the margin missed: read the table in full */
    of_cat_tab_t *tabs[OF_CT__COUNT] = {0};
    if ((e = load_table(cl, cl->ag, &tabs[OF_CT_API_GOODS], &st->rows, errstr, errstr_size))) return e;
    if (!(merged = of_cat_snap_new(*snap, tabs))) return nomem(errstr, errstr_size);
    of_cat_snap_release(*snap);
    *snap = merged;
    return OF_OK;
}

/* Inside the consistent read: fingerprints, then the tables that changed since cl->fp (every table when cur is
 * NULL) into *out (NULL when none changed); fps = the fingerprints read. */
static of_err_t read_changes(of_catload_t *cl, const of_cat_snap_t *cur, char fps[NFP][64], of_cat_snap_t **out,
                             of_catload_stats_t *st, char *errstr, size_t errstr_size) {
    of_rows_t *rows;
    of_err_t e = of_db_query(cl->db, cl->st_fp, NULL, 0, &rows, errstr, errstr_size);
    if (e) return e;
    for (size_t f = 0; f < NFP; f++) {
        const char *v = rows->nrows && (int)f < rows->ncols ? of_rows_str(rows, 0, (int)f) : NULL;
        snprintf(fps[f], 64, "%s", v ? v : "");
    }
    of_rows_free(rows);
    of_cat_tab_t *tabs[OF_CT__COUNT] = {0};
    int changed = 0, ag_inc = 0;
    for (size_t f = 0; f < NFP && !e; f++) {
        if (cur && !strcmp(fps[f], cl->fp[f])) continue;
        changed = 1;
        note(st, f ? TABLES[f - 1].fp : FP_SETTINGS);
        const char *at = strchr(cl->fp[f], '@');
        if (f == 0)
            e = load_settings(cl, &tabs[OF_CT_SETTINGS], &st->rows, errstr, errstr_size);
        else if (cur && f - 1 == cl->ag && at && at[1]) /* rows existed and were read: read back what changed */
            ag_inc = 1;
        else
            e = load_table(cl, f - 1, &tabs[TABLES[f - 1].kind], &st->rows, errstr, errstr_size);
    }
    if (e) {
        for (int t = 0; t < OF_CT__COUNT; t++)
            of_cat_tab_release(tabs[t]);
        return e;
    }
    of_cat_snap_t *snap = NULL;
    if (changed && !(snap = of_cat_snap_new(cur, tabs))) return nomem(errstr, errstr_size); /* tabs released */
    if (ag_inc) {
        e = ag_refresh(cl, &snap, strchr(cl->fp[cl->ag + 1], '@') + 1, strtoll(fps[cl->ag + 1], NULL, 10), st, errstr,
                       errstr_size);
        if (e) {
            of_cat_snap_release(snap);
            return e;
        }
    }
    *out = snap;
    return OF_OK;
}

static of_err_t refresh(of_catload_t *cl, const of_cat_snap_t *cur, of_cat_snap_t **out, of_catload_stats_t *st,
                        char *errstr, size_t errstr_size) {
    int64_t t0 = of_mono_ms();
    memset(st, 0, sizeof *st);
    *out = NULL;
    char fps[NFP][64];
    of_cat_snap_t *snap = NULL;
    of_err_t e = of_db_plain(cl->db, SQL_BEGIN, errstr, errstr_size);
    if (!e) e = read_changes(cl, cur, fps, &snap, st, errstr, errstr_size);
    if (!e && (e = of_db_plain(cl->db, "COMMIT", errstr, errstr_size))) of_cat_snap_release(snap);
    st->ms = of_mono_ms() - t0;
    if (e) {
        char ignored[128];
        if (of_db_plain(cl->db, "ROLLBACK", ignored, sizeof ignored)) { /* a lost connection is reopened next call */
        }
        return e;
    }
    memcpy(cl->fp, fps, sizeof cl->fp);
    *out = snap;
    return OF_OK;
}

of_err_t of_catload_load(of_catload_t *cl, of_cat_snap_t **out, of_catload_stats_t *st, char *errstr,
                         size_t errstr_size) {
    return refresh(cl, NULL, out, st, errstr, errstr_size);
}

of_err_t of_catload_refresh(of_catload_t *cl, const of_cat_snap_t *cur, of_cat_snap_t **out, of_catload_stats_t *st,
                            char *errstr, size_t errstr_size) {
    return refresh(cl, cur, out, st, errstr, errstr_size);
}
