/* of_catalog.h -- the submission configuration in memory (INIT-01): settings, shops, warehouses,
 * logistics, goods, suites, platform goods and every strategy table, as plain arrays.
 *
 * Two ways to get one. The worker: of_catload builds an immutable, reference-counted snapshot (of_cat_snap_t) of
 * per-table blocks (of_cat_tab_t), each sorted and hash-indexed once and shared by later snapshots while its table
 * is unchanged; a batch holds the snapshot it started with, and the platform goods rows it writes (INIT-03/04) go
 * to a batch-local overlay (of_cat_overlay_t) that lookups see over the snapshot and that is merged into a NEW
 * snapshot only after the transaction commits (of_cat_snap_merge; docs/decisions.md D-T10-30..). Unit tests: fill
 * the arrays of an of_catalog_t by hand and call of_cat_index(), which sorts them and builds the same indexes.
 * Rules only read an of_catalog_t (const), never a snapshot.
 * Units: money, weight (kg), volume (cm³) and tax rates are int64 scaled by OF_MONEY_SCALE (1/10000),
 * exactly as the DECIMAL(19,4) columns; commission factors are scaled by 1e6 (DECIMAL(9,6)). */
#ifndef OF_CATALOG_H
#define OF_CATALOG_H
#include <stddef.h>
#include <stdint.h>

#define OF_CODE 65 /* VARCHAR(64) codes and platform ids, NUL included */
#define OF_AREA 41 /* province / city / district */
#define OF_NAME 256

typedef struct of_cat_hix_s of_cat_hix_t;         /* one hash index over one table (of_catalog.c) */
typedef struct of_cat_overlay_s of_cat_overlay_t; /* platform goods rows layered over api_goods */
typedef struct of_cat_tab_s of_cat_tab_t;         /* one table of a snapshot: rows + indexes, reference-counted */
typedef struct of_cat_snap_s of_cat_snap_t;       /* an immutable catalogue, reference-counted */
#define OF_CAT_NHIX 12                            /* hash indexes of a catalogue (of_catalog.c, IX_*) */

/* §1.18 switches (cfg_setting rows, keys as in the table). Defaults: of_settings_defaults(). */
typedef struct {
    int gen_api_goods_spec;      /* CFG_GEN_API_GOODS_SPEC (INIT-02) */
    int dynamic_match;           /* CFG_DYNAMIC_MATCH (SUB-MAP-08/10) */
    int remark_extract;          /* CFG_REMARK_EXTRACT (SUB-CFG-01/02) */
    int client_remark_extract;   /* CFG_CLIENT_REMARK_EXTRACT (SUB-CFG-04) */
    int remark_logi_after_audit; /* CFG_REMARK_LOGI_AFTER_AUDIT (INIT-01; used by MOD) */
    int grab;                    /* CFG_GRAB (SUB-CFG-06) */
    int preorder;                /* CFG_PREORDER (SUB-CFG-05, SUB-PRE-01) */
    int preorder_stockout;       /* CFG_PREORDER_STOCKOUT (SUB-PRE-01) */
    int preorder_stock_calc;     /* CFG_PREORDER_STOCK_CALC: 1 sys_stock of SUB-WH-07, 2 stock − sending, 3 stock */
    int wh_by_goods;             /* CFG_WH_BY_GOODS (SUB-WH-02/09) */
    int check_stock;             /* CFG_CHECK_STOCK (SUB-WH-08) */
    int auto_external_wh;        /* CFG_AUTO_EXTERNAL_WH (SUB-PRE-01, SUB-STAT-02) */
    int package_mode;            /* CFG_PACKAGE: 0 off, 1 by weight, 2 by volume (SUB-PKG-*) */
    int cod_logi_mode;           /* CFG_COD_LOGI_MODE: 1 by warehouse, 2 by shop (SUB-LOGI-02) */
    int logi_by_weight;          /* CFG_LOGI_BY_WEIGHT (SUB-LOGI-04) */
    int no_default_logi;         /* CFG_NO_DEFAULT_LOGI (SUB-LOGI-05) */
    int full_link;               /* CFG_FULL_LINK (SUB-FL-01) */
    int remark_change_block;     /* CFG_REMARK_CHANGE_BLOCK (MOD-T8-07/08) */
    int block_gift;              /* CFG_BLOCK_GIFT (MOD-T1-33, MOD-O1-10, MOD-O2-04) */
    int wh_change_prompt;        /* CFG_WH_CHANGE_PROMPT (MID-MRG-02) */
    int split_by_wh;             /* CFG_SPLIT_BY_WH (MID-SPW-01) */
    int no_all_gift_split;       /* CFG_NO_ALL_GIFT_SPLIT (MID-SPW-04) */
    int big_max_split;           /* CFG_BIG_MAX_SPLIT (MID-BIG-01) */
    int split_preorder;          /* CFG_SPLIT_PREORDER (MID-PRE-01, D-MID-22) */
    uint64_t cod_logistics_id;   /* CFG_COD_LOGISTICS_ID: designated COD logistics, 0 none (SUB-LOGI-03) */
    int default_logistics_type;  /* CFG_DEFAULT_LOGISTICS_TYPE: designated type (SUB-LOGI-04 step 4, -05) */
    int64_t delay_audit_s;       /* DELAY_AUDIT (SUB-STAT-08) */
    int64_t cod_delay_s;         /* COD_DELAY (SUB-STAT-08) */
    int64_t wait_unpaid_s;       /* WAIT_UNPAID (SUB-WU-01/02) */
} of_settings_t;

typedef struct {
    uint64_t id;
    int platform_id;
    char shop_no[OF_CODE];
    char name[OF_NAME];
    int is_preorder, is_grab, is_split_merge, is_goods_wh; /* SHOP.preorder, .grab, .split_merge, .goods_wh */
    uint64_t cod_logistics_id;                             /* 0 none (SUB-LOGI-02) */
    uint64_t grab_logistics_id;                            /* 0 none (SUB-STAT-07, OP-46) */
} of_shop_t;

enum { OF_WMS_OWN = 0, OF_WMS_LOGISTICS_BAO = 1, OF_WMS_OTHER = 2 };
typedef struct {
    uint64_t id;
    char no[OF_CODE];
    char name[OF_NAME];
    int wms_type;    /* OF_WMS_* */
    int is_external; /* stock is wms_stock_num; auto-transfer target (SUB-STAT-02) */
    int is_express;  /* used for 极速达 (SUB-WH-10/11) */
    int priority;    /* higher = preferred */
    char province[OF_AREA], city[OF_AREA], district[OF_AREA];
    uint64_t cod_logistics_id; /* 0 none (SUB-LOGI-02) */
} of_warehouse_t;

typedef struct { /* coverage area: '' city = whole province, '' district = whole city */
    uint64_t warehouse_id;
    char province[OF_AREA], city[OF_AREA], district[OF_AREA];
} of_wh_area_t;

enum { OF_LT_CUSTOM = 0, OF_LT_NO_TRACKING = 1, OF_LT_EXPRESS = 2, OF_LT_FREIGHT = 3, OF_LT_ESB = 4 };
typedef struct {
    uint64_t id;
    char no[OF_CODE];
    char name[OF_NAME];
    int type; /* OF_LT_* */
    int supports_cod;
    int sort_order; /* "take one from the list" = lowest sort_order, then lowest id */
} of_logistics_t;

typedef struct {
    uint64_t shop_id, warehouse_id;
    int priority; /* higher first; ties: warehouse priority, then id */
} of_shop_wh_t;

typedef struct {
    uint64_t shop_id, logistics_id;
    int priority; /* higher first */
} of_shop_logi_t;

typedef struct {
    uint64_t id, goods_id;
    char goods_no[OF_CODE], goods_name[OF_NAME], spec_no[OF_CODE], spec_code[OF_CODE], spec_name[OF_NAME];
    int64_t retail_price, weight, length, width, height, volume, tax_rate; /* ×1e4 */
    int large_type, is_zero_cost, is_not_use_air, deleted;
} of_spec_t;

typedef struct {
    uint64_t id;
    char suite_no[OF_CODE], name[OF_NAME];
    int is_unsplit, print_mode, deleted; /* print_mode 1 = print the components (SUB-MAP-19) */
} of_suite_t;

typedef struct {
    uint64_t suite_id, spec_id;
    int num;        /* per one suite */
    int64_t amount; /* per one suite, apportioning weight (OP-27) */
    int is_gift;
    int sort_order; /* apportioning order; the last takes the remainder */
} of_suite_detail_t;

enum { OF_MATCH_NONE = 0, OF_MATCH_SPEC = 1, OF_MATCH_SUITE = 2 };
typedef struct {
    uint64_t shop_id;
    char goods_id[OF_CODE], spec_id[OF_CODE]; /* platform ids; key (shop_id, goods_id, spec_id) */
    char goods_no[OF_CODE], spec_no[OF_CODE];
    int match_type; /* OF_MATCH_* */
    uint64_t match_id;
    int is_manual_match;
    int status; /* > 0 not deleted */
} of_api_goods_t;

typedef struct {
    uint64_t shop_id;
    char cid[OF_CODE];
    int64_t commission_factor; /* ×1e6 */
} of_category_t;

enum { OF_SWH_WAREHOUSE = 1, OF_SWH_ADDRESS = 2 };
typedef struct { /* goods → shop warehouse designation (SUB-WH-02) */
    uint64_t shop_id, spec_id, warehouse_id;
    int mode;              /* OF_SWH_*: 指定仓库 / 指定仓库地址 (极速达) */
    uint64_t logistics_id; /* mode 2: the designated logistics (E速宝, SUB-WH-10) */
    int priority;
} of_spec_wh_t;

enum {
    OF_RX_LOGISTICS = 1,
    OF_RX_FLAG = 2,
    OF_RX_SALESMAN = 3,
    OF_RX_WAREHOUSE = 4,
    OF_RX_PREORDER = 5,
    OF_RX_FREEZE = 6
};
typedef struct {           /* cfg_trade_remark_extract, in strategy order: newest first */
    int klass;             /* 1 CS remark, 2 client remark */
    char keyword[129 * 4]; /* UTF-8 */
    int target_type;       /* OF_RX_* */
    uint64_t target_id;    /* logistics / flag / employee / warehouse / freeze reason id */
    uint64_t shop_id;      /* 0 every shop */
} of_remark_rule_t;

typedef struct {
    char prefix[33 * 4], suffix[33 * 4]; /* suffix '' = to the end of the remark */
} of_salesman_rule_t;

typedef struct {
    uint64_t id;
    char name[65 * 4];
} of_employee_t;

typedef struct {
    uint64_t shop_id; /* 0 every shop */
    char goods_keyword[129 * 4], spec_keyword[129 * 4];
} of_preorder_kw_t;

enum { OF_LS_GLOBAL = 1, OF_LS_WAREHOUSE = 2, OF_LS_SHOP = 3 };
typedef struct {
    int scope; /* OF_LS_* */
    uint64_t warehouse_id, shop_id, logistics_id;
    int64_t weight_min, weight_max; /* kg ×1e4; [min, max), max 0 = unbounded (CFG_LOGI_BY_WEIGHT) */
    int priority;                   /* higher first within a scope */
} of_logi_strategy_t;

typedef struct { /* reachability exception; the most specific row wins */
    uint64_t logistics_id;
    char province[OF_AREA], city[OF_AREA], district[OF_AREA];
    int is_reachable;
} of_logi_area_t;

typedef struct {
    uint64_t logistics_id;
    char province[OF_AREA], city[OF_AREA]; /* '' = any */
    int64_t weight_from, weight_to;        /* kg ×1e4: (from, to], to 0 = unbounded */
    int64_t first_weight, first_fee, step_weight, step_fee;
    int round_mode; /* 1 up to whole steps, 2 half-up, 3 pro rata, 4 down */
} of_logi_fee_t;

typedef struct {
    uint64_t logistics_id; /* 0 every logistics */
    char province[OF_AREA], city[OF_AREA], district[OF_AREA];
    char alias[65 * 4];
} of_area_alias_t;

typedef struct {
    uint64_t id;
    char no[OF_CODE];
    int64_t volume, weight; /* cm³ and kg, ×1e4 */
} of_package_t;

typedef struct {
    int mode; /* 1 weight, 2 volume */
    uint64_t shop_id;
    int64_t weight_min, weight_max, volume_min, volume_max; /* ×1e4; [min, max), max 0 = unbounded */
    uint64_t package_id;
    int priority;
} of_package_strategy_t;

enum { OF_MK_SPEC_NO = 1, OF_MK_GOODS_SPEC_NO = 2, OF_MK_GOODS_NO = 3 };
typedef struct {
    uint64_t shop_id; /* 0 every shop */
    int match_key;    /* OF_MK_* */
    int target_scope; /* 0 specs then suites, 1 specs only, 2 suites only */
    int ignore_case;  /* compare codes ASCII-case-insensitively */
    int trim_space;   /* trim ASCII spaces of the platform code first */
    int priority;     /* higher first */
} of_match_rule_t;

typedef struct {
    of_settings_t set;
    of_shop_t *shops;
    size_t nshops;
    of_warehouse_t *whs;
    size_t nwhs;
    of_wh_area_t *wh_areas;
    size_t nwh_areas;
    of_logistics_t *logis;
    size_t nlogis;
    of_shop_wh_t *shop_whs;
    size_t nshop_whs;
    of_shop_logi_t *shop_logis;
    size_t nshop_logis;
    of_spec_t *specs;
    size_t nspecs;
    of_suite_t *suites;
    size_t nsuites;
    of_suite_detail_t *suite_details;
    size_t nsuite_details;
    of_api_goods_t *api_goods;
    size_t napi_goods;
    of_category_t *cats;
    size_t ncats;
    of_spec_wh_t *spec_whs;
    size_t nspec_whs;
    of_remark_rule_t *remark_rules; /* strategy order: newest first (OP-29) — kept as given */
    size_t nremark_rules;
    of_salesman_rule_t *salesman_rules;
    size_t nsalesman_rules;
    of_employee_t *employees;
    size_t nemployees;
    of_preorder_kw_t *preorder_kws;
    size_t npreorder_kws;
    of_logi_strategy_t *logi_strategies;
    size_t nlogi_strategies;
    of_logi_area_t *logi_areas;
    size_t nlogi_areas;
    of_logi_fee_t *logi_fees;
    size_t nlogi_fees;
    of_area_alias_t *aliases;
    size_t naliases;
    of_package_t *packages;
    size_t npackages;
    of_package_strategy_t *pkg_strategies;
    size_t npkg_strategies;
    of_match_rule_t *match_rules;
    size_t nmatch_rules;
    /* Lookup machinery, zero in a catalogue built by hand until of_cat_index(); rules never touch it. hix: hash
     * indexes (NULL = the lookups scan). Platform goods are looked up in overlay (the batch's own rows), then
     * api_delta (committed rows merged into the snapshot, not yet folded into api_goods), then api_goods. */
    const of_cat_hix_t *hix[OF_CAT_NHIX];
    const of_cat_overlay_t *api_delta;
    const of_cat_overlay_t *overlay;
    int owns_hix; /* hix allocated by of_cat_index() (of_cat_index_free) */
} of_catalog_t;

/* The proposed defaults of every switch (all "off", durations 0, calc 1, cod mode 1, type express). */
void of_settings_defaults(of_settings_t *s);

/* Sort the arrays (by id; api_goods by key; suite_details by suite, sort_order; logis by sort_order, id;
 * match_rules by priority desc; shop_whs by shop, priority desc) and build the hash indexes of a catalogue built
 * by hand (again after a test changed ids, codes or counts of indexed tables). Indexes of an earlier call are
 * freed. -1 when out of memory (the lookups then scan). */
int of_cat_index(of_catalog_t *c);
/* Free what of_cat_index() allocated (not the arrays). */
void of_cat_index_free(of_catalog_t *c);

/* Lookups by id or key; NULL when absent. Through the hash indexes when present, else by scanning; the first row
 * in catalogue order wins. Pure. */
const of_shop_t *of_cat_shop(const of_catalog_t *c, uint64_t id);
const of_warehouse_t *of_cat_warehouse(const of_catalog_t *c, uint64_t id);
const of_warehouse_t *of_cat_warehouse_by_no(const of_catalog_t *c, const char *no);
const of_logistics_t *of_cat_logistics(const of_catalog_t *c, uint64_t id);
const of_spec_t *of_cat_spec(const of_catalog_t *c, uint64_t id);
const of_suite_t *of_cat_suite(const of_catalog_t *c, uint64_t id);
/* The components of suite_id in apportioning order; *np = their number (0 → NULL). */
const of_suite_detail_t *of_cat_suite_details(const of_catalog_t *c, uint64_t suite_id, size_t *np);
/* Platform goods by (shop_id, goods_id, spec_id), byte comparison: the batch's overlay, then the snapshot's merged
 * rows, then api_goods. */
const of_api_goods_t *of_cat_api_goods(const of_catalog_t *c, uint64_t shop_id, const char *goods_id,
                                       const char *spec_id);
const of_category_t *of_cat_category(const of_catalog_t *c, uint64_t shop_id, const char *cid);
const of_employee_t *of_cat_employee_by_name(const of_catalog_t *c, const char *name);

/* Lookups by code for the matching rules (INIT-06, SUB-MAP-06/08), exactly as of_automatch compares: the code is
 * code[0, len) (a trimmed span need not end in NUL), equal to the system code byte for byte, or ASCII case folded
 * when ic; an empty code matches nothing; deleted rows never match.
 * of_cat_spec_by_no: the first spec (catalogue order) whose spec_no equals the code and, when goods_no is not
 * NULL, whose goods_no equals goods_no[0, glen) too. of_cat_spec_by_goods_no: the first spec whose goods_no equals
 * the code, *np = how many specs do. of_cat_suite_by_no: the first suite whose suite_no equals the code. */
const of_spec_t *of_cat_spec_by_no(const of_catalog_t *c, const char *code, size_t len, const char *goods_no,
                                   size_t glen, int ic);
const of_spec_t *of_cat_spec_by_goods_no(const of_catalog_t *c, const char *code, size_t len, int ic, size_t *np);
const of_suite_t *of_cat_suite_by_no(const of_catalog_t *c, const char *code, size_t len, int ic);

/* Area match of a rule (province, city, district; '' = wildcard for city / district) against an
 * address: 0 no match, else specificity 1 province, 2 city, 3 district. Pure. */
int of_cat_area_match(const char *rp, const char *rc, const char *rd, const char *p, const char *c, const char *d);

/* ------------------------------------------------------------------ snapshots (worker) */
/* The tables of a snapshot: each is loaded, fingerprinted and replaced on its own (of_catload). */
typedef enum {
    OF_CT_SETTINGS, /* one of_settings_t */
    OF_CT_SHOPS,
    OF_CT_WHS,
    OF_CT_WH_AREAS,
    OF_CT_LOGIS,
    OF_CT_SHOP_WHS,
    OF_CT_SHOP_LOGIS,
    OF_CT_SPECS,
    OF_CT_SUITES,
    OF_CT_SUITE_DETAILS,
    OF_CT_API_GOODS,
    OF_CT_CATS,
    OF_CT_SPEC_WHS,
    OF_CT_REMARK_RULES,
    OF_CT_SALESMAN_RULES,
    OF_CT_EMPLOYEES,
    OF_CT_PREORDER_KWS,
    OF_CT_LOGI_STRATEGIES,
    OF_CT_LOGI_AREAS,
    OF_CT_LOGI_FEES,
    OF_CT_ALIASES,
    OF_CT_PACKAGES,
    OF_CT_PKG_STRATEGIES,
    OF_CT_MATCH_RULES,
    OF_CT__COUNT
} of_cat_table_t;

/* The size of one row of table t (of_settings_t, of_shop_t, ...). */
size_t of_cat_table_elem(of_cat_table_t t);

/* A table block of n rows (a malloc'd array of of_cat_table_elem(t) each, taken over; n 0 → rows may be NULL):
 * sorted as of_cat_index() sorts it and hash-indexed, one reference (the caller's). NULL when out of memory
 * (rows freed). Never changed afterwards. */
of_cat_tab_t *of_cat_tab_new(of_cat_table_t t, void *rows, size_t n);
size_t of_cat_tab_rows(const of_cat_tab_t *tab);
void of_cat_tab_release(of_cat_tab_t *tab);

/* A snapshot whose table t is tabs[t] when not NULL (that reference moves into the snapshot), else base's table t
 * (shared: one more reference; an empty table when base is NULL). Platform goods merged into base and not folded
 * yet are kept unless tabs[OF_CT_API_GOODS] replaces that table. One reference (the caller's). NULL when out of
 * memory (the given tables are released). */
of_cat_snap_t *of_cat_snap_new(const of_cat_snap_t *base, of_cat_tab_t *tabs[OF_CT__COUNT]);
/* A snapshot = base + rows (platform goods committed, or read back from the database): each row inserted or
 * replacing the row of its key; every table shared with base. The rows go to a delta layer that is folded into a
 * new api_goods table once it holds more than max(1024, api_goods / 16) rows. One reference. NULL when out of
 * memory. */
of_cat_snap_t *of_cat_snap_merge(const of_cat_snap_t *base, const of_api_goods_t *rows, size_t n);
/* Reference counting (C11 atomics: a snapshot may be released on any thread). release frees it with the last
 * reference, and with it the tables nothing else shares. NULL is ignored. */
of_cat_snap_t *of_cat_snap_acquire(of_cat_snap_t *s);
void of_cat_snap_release(of_cat_snap_t *s);
/* The catalogue of s (valid while a reference is held). */
const of_catalog_t *of_cat_snap_cat(const of_cat_snap_t *s);
/* The table block t of s (to compare which tables two snapshots share). */
const of_cat_tab_t *of_cat_snap_tab(const of_cat_snap_t *s, of_cat_table_t t);
/* The number of distinct platform goods keys of s (api_goods and the merged rows). */
size_t of_cat_snap_api_keys(const of_cat_snap_t *s);
/* The rows merged into s and not folded yet. */
size_t of_cat_snap_delta_rows(const of_cat_snap_t *s);

/* A batch's view: *out = the catalogue of s with ov (may be NULL) layered over its platform goods. The view
 * borrows s and ov. */
void of_cat_view(const of_cat_snap_t *s, const of_cat_overlay_t *ov, of_catalog_t *out);

/* ------------------------------------------------------------------ overlay (a batch's platform goods) */
of_cat_overlay_t *of_cat_overlay_new(void);
void of_cat_overlay_free(of_cat_overlay_t *ov);
/* Insert row, or replace the row of its key. Pointers from earlier lookups into ov are invalid afterwards.
 * -1 when out of memory. */
int of_cat_overlay_put(of_cat_overlay_t *ov, const of_api_goods_t *row);
/* Drop every row (the transaction rolled back, or a new one starts). */
void of_cat_overlay_reset(of_cat_overlay_t *ov);
/* The rows in insertion order; *np their number. */
const of_api_goods_t *of_cat_overlay_rows(const of_cat_overlay_t *ov, size_t *np);

#endif
