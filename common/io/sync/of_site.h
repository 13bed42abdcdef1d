/* of_site.h -- the two order sites of spec order-sync.md: connections (buyer server, seller primary, the seller's
 * replica at the buyer site), the order row ↔ of_syn_order_t mapping both sides share, and the site operations of
 * SYN-7 (SYN-1: each changes that side's order and writes its sync-log row and its order log in one local
 * transaction). The rules are common/rules/sync; the sync worker is of_sync.c. */
#ifndef OF_SITE_H
#define OF_SITE_H
#include <stdint.h>
#include "of_db.h"
#include "of_syncorder.h"

typedef enum { OF_SITE_BUYER = 1, OF_SITE_SELLER = 2, OF_SITE_REPLICA = 3 } of_site_t;

/* Connect to a site's server (OF_SITE_<NAME>_HOST/PORT, its database OF_MYSQL_BUYER_DB / OF_MYSQL_SELLER_DB; the
 * replica holds the seller's database). */
of_db_t *of_site_connect(const of_config_t *cfg, of_site_t site, char *errstr, size_t errstr_size);
/* A worker's connection to a site at start (D-RT-14, of_worker_db_open_to): a server not reachable yet is waited for;
 * NULL when it cannot be had (logged) or a stop was asked, *rc the exit status (0 for a stop, 1 otherwise). */
of_db_t *of_site_open(const of_config_t *cfg, of_site_t site, int *rc);
const char *of_site_name(of_site_t site);
/* The ops the sync rejected (order_sync_applied outcome 2, D-SYN-2) on db (the buyer site), newest first, at most
 * limit: columns when, oid, side, op id, conflict-table row, why (`ordctl site conflicts`, the ops console). */
of_err_t of_site_conflicts(of_db_t *db, int limit, of_rows_t **rowsp, char *errstr, size_t errstr_size);

/* The synced columns, in the order of_site_row_read and of_site_row_params use (28 of them): for
 * "SELECT id, <OF_SITE_COLS> FROM …" and "INSERT INTO … (id, <OF_SITE_COLS>, sync_version) VALUES …". */
#define OF_SITE_NCOLS 28
extern const char OF_SITE_COLS[];
extern const char OF_SITE_COLS_UPDATE[]; /* "col = VALUES(col), …" for ON DUPLICATE KEY UPDATE (all but addtime) */
/* Row r of a result whose columns col0 … col0+27 are OF_SITE_COLS into o (o->exists = 1). 0, or -1 when a value does
 * not fit (an amount out of range). */
int of_site_row_read(const of_rows_t *rows, int r, int col0, of_syn_order_t *o);
/* The 28 parameters of o, borrowing its strings. */
void of_site_row_params(const of_syn_order_t *o, of_param_t *p);

/* A line of an order to create (buyer_order_products). */
typedef struct {
    const char *sku, *name_en, *name_cn;
    int64_t price; /* ×1e4 */
    int num;
} of_site_line_t;

/* What a site operation is asked to do. */
typedef struct {
    of_site_t side; /* where it is made: OF_SITE_BUYER or OF_SITE_SELLER */
    of_syn_kind_t kind;
    int actor;                   /* OF_SYN_ACT_BUYER / SELLER / OPERATOR */
    uint64_t oid;                /* 0 for a create */
    const char *fields;          /* JSON object of the columns it sets (of_syncorder_fields_apply), "{}" for none */
    const of_site_line_t *lines; /* create: its lines */
    int nlines;
    const char *note; /* optional free text added to the order log */
} of_site_op_t;

typedef struct {
    uint64_t oid, sync_log_id;
    int from_status, status;
} of_site_done_t;

/* The statements of the site operations on one connection (of_site_register, once per connection). */
typedef struct of_site_stmts_s {
    of_site_t side;
    int lock, update, ins_order, ins_sync, ins_log, now;
    of_db_multi_t ins_lines;
} of_site_stmts_t;
of_err_t of_site_register(of_db_t *db, of_site_t side, of_site_stmts_t *st, char *errstr,
                          size_t errstr_size) OF_MUST_CHECK;

/* Run one site operation as one local transaction (SYN-1): lock the order row, check it is allowed now
 * (of_syncmerge_site_allows), change the row, write the sync-log row (op, actor, fields, from_status, status, addtime
 * = the server's NOW(3)) and the order log in both languages. OF_ERR_INVALID with why in errstr when the op is not
 * allowed; OF_ERR_TRANSIENT when the server is away. */
of_err_t of_site_apply(of_db_t *db, const struct of_site_stmts_s *st, const of_site_op_t *op, of_site_done_t *done,
                       char *errstr, size_t errstr_size) OF_MUST_CHECK;

#endif
