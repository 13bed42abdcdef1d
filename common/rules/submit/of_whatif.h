/* of_whatif.h -- what-if (ordctl what-if, docs/decisions.md "What-if"): the submission decisions of stored raw trades
 * run again in memory, trade after trade in arrival order, over one catalogue, through the same pure entry point as
 * trade-submit (of_sub_decide), and compared field by field with another run of the same trades. Pure, no I/O.
 *
 * A side is one such run: its catalogue (a snapshot, plus the platform goods rows INIT-04 would add, in a private
 * overlay), its own copy of the stock rows (each submitted trade's reservation is counted in, as the worker's batch
 * view does) and the open orders of each customer (seeded from the stored ones outside the window, then the orders
 * the side itself made, with the sibling updates SUB-FLAG/SUB-WU apply to them). Two sides started from the same
 * state and fed the same trades differ only by their catalogues. */
#ifndef OF_WHATIF_H
#define OF_WHATIF_H
#include <stddef.h>
#include <stdint.h>
#include "of_catalog.h"
#include "of_stock.h"
#include "of_sub.h"

/* The fields compared, in report order. */
typedef enum {
    OF_WI_STOP,      /* submitted, or the rule that stopped the trade */
    OF_WI_WAREHOUSE, /* warehouse_id */
    OF_WI_LOGISTICS, /* logistics_id */
    OF_WI_PACKAGE,   /* package_id */
    OF_WI_FEE,       /* post_cost */
    OF_WI_STATUS,    /* trade_status */
    OF_WI_PREORDER,  /* converted to a pre-order, and by which rule */
    OF_WI__FIELDS
} of_wi_field_t;

/* What one decision came to. */
typedef struct {
    int submitted;
    char stop_rule[24]; /* "" when submitted */
    uint64_t warehouse_id, logistics_id, package_id;
    int64_t post_cost; /* ×1e4 */
    int status;
    char preorder_by[24]; /* "" = not a pre-order */
} of_wi_dec_t;

/* One raw trade to decide, with what the worker would read before its rules (of_substore_lookup). */
typedef struct {
    const Orderfleet__RawTrade *raw;
    uint64_t raw_id, shop_id;
    of_cust_lookup_t cust;
    uint64_t known;           /* the customer the lookup settled on, 0 = none (a new customer) */
    const of_sibling_t *sibs; /* that customer's stored open orders not made by the window's trades */
    size_t nsibs;
} of_wi_trade_t;

typedef struct of_wi_side_s of_wi_side_t;

/* A side over snap (one more reference held) starting from the stock rows of stock (copied). NULL when out of
 * memory. */
of_wi_side_t *of_whatif_side_new(const of_cat_snap_t *snap, const of_stockview_t *stock);
void of_whatif_side_free(of_wi_side_t *side);
/* The side's settings (cfg_setting), to change before the first trade (--set). */
of_settings_t *of_whatif_side_settings(of_wi_side_t *side);
/* The side's catalogue (for names in reports). */
const of_catalog_t *of_whatif_side_cat(const of_wi_side_t *side);

/* Decide t on side at now (platform clock): INIT-03/04 platform goods into the side's overlay (when the settings ask
 * for them), of_sub_decide, then the side's state moves on as the worker's would (reservation, siblings, the new
 * order). s must be of_sub_init()ed; the caller frees it (its trace is the explain). -1 when out of memory. */
int of_whatif_decide(of_wi_side_t *side, const of_wi_trade_t *t, int64_t now, of_sub_t *s, of_wi_dec_t *d);

/* The fields in which a and b differ (bit 1 << of_wi_field_t). A trade submitted on one side and stopped on the
 * other differs in OF_WI_STOP only (its order fields exist on one side); two stopped trades compare their rules. */
unsigned of_whatif_diff(const of_wi_dec_t *a, const of_wi_dec_t *b);
/* "warehouse", "logistics", ... */
const char *of_whatif_field_name(of_wi_field_t f);
/* Field f of d as an operator reads it (codes from cat: warehouse_no, logistics_no, package_no; money; status;
 * "submitted" / "stopped SUB-MAP-09"; "no" / "SUB-CFG-05"). */
void of_whatif_value(const of_catalog_t *cat, const of_wi_dec_t *d, of_wi_field_t f, char *buf, size_t size);

/* The counts of a comparison: per field, and per (field, before, after) transition. */
typedef struct {
    of_wi_field_t field;
    char from[72], to[72];
    size_t count;
} of_wi_move_t;
typedef struct of_wi_sum_s of_wi_sum_t;
of_wi_sum_t *of_whatif_sum_new(void);
void of_whatif_sum_free(of_wi_sum_t *sum);
/* Count one order whose fields `diff` changed from a (on cat_a) to b (on cat_b). -1 when out of memory. */
int of_whatif_sum_add(of_wi_sum_t *sum, unsigned diff, const of_catalog_t *cat_a, const of_wi_dec_t *a,
                      const of_catalog_t *cat_b, const of_wi_dec_t *b);
/* Orders in which field f changed; orders with any change. */
size_t of_whatif_sum_field(const of_wi_sum_t *sum, of_wi_field_t f);
size_t of_whatif_sum_orders(const of_wi_sum_t *sum);
/* The transitions, by field then count (largest first) then text; *n their number. Valid until the next add. */
const of_wi_move_t *of_whatif_sum_moves(of_wi_sum_t *sum, size_t *n);

#endif
