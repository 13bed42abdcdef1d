/* of_whatif.c -- submission decisions run again in memory and compared (of_whatif.h). Pure. */
#include "of_whatif.h"
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "of_api_goods.h"
#include "of_customer.h"
#include "of_money.h"
#include "of_reserve.h"

/* The orders a side made get ids no stored order has (siblings of later trades of the same customer). */
#define SIDE_TRADE_ID(raw_id) ((UINT64_C(1) << 62) | (raw_id))

/* One customer's open orders as the side sees them. */
typedef struct {
    char key[OF_NAME * 2 + 32];
    of_sibling_t *v;
    size_t n, cap;
} cust_t;

struct of_wi_side_s {
    of_cat_snap_t *snap;
    of_cat_overlay_t *ov;
    of_catalog_t cat; /* view of snap + ov, settings possibly changed */
    of_stockview_t stock;
    cust_t *cust; /* open addressing on key, cap a power of two */
    size_t ncust, cust_cap;
};

of_wi_side_t *of_whatif_side_new(const of_cat_snap_t *snap, const of_stockview_t *stock) {
    of_wi_side_t *side = calloc(1, sizeof *side);
    if (!side) return NULL;
    side->cust_cap = 1024;
    side->snap = of_cat_snap_acquire((of_cat_snap_t *)snap);
    side->ov = of_cat_overlay_new();
    side->cust = calloc(side->cust_cap, sizeof *side->cust);
    if (!side->ov || !side->cust) goto fail;
    of_cat_view(side->snap, side->ov, &side->cat);
    for (size_t i = 0; stock && i < stock->n; i++)
        if (of_stock_put(&side->stock, &stock->rows[i])) goto fail;
    return side;
fail:
    of_whatif_side_free(side);
    return NULL;
}

void of_whatif_side_free(of_wi_side_t *side) {
    if (!side) return;
    for (size_t i = 0; side->cust && i < side->cust_cap; i++)
        free(side->cust[i].v);
    free(side->cust);
    of_stock_free(&side->stock);
    of_cat_overlay_free(side->ov);
    of_cat_snap_release(side->snap);
    free(side);
}

of_settings_t *of_whatif_side_settings(of_wi_side_t *side) {
    return &side->cat.set;
}

const of_catalog_t *of_whatif_side_cat(const of_wi_side_t *side) {
    return &side->cat;
}

static uint64_t hash(const char *s) {
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static cust_t *cust_slot(cust_t *tab, size_t cap, const char *key) {
    size_t i = hash(key) & (cap - 1);
    while (tab[i].key[0] && strcmp(tab[i].key, key))
        i = (i + 1) & (cap - 1);
    return &tab[i];
}

static int cust_grow(of_wi_side_t *side) {
    size_t cap = side->cust_cap * 2;
    cust_t *tab = calloc(cap, sizeof *tab);
    if (!tab) return -1;
    for (size_t i = 0; i < side->cust_cap; i++)
        if (side->cust[i].key[0]) *cust_slot(tab, cap, side->cust[i].key) = side->cust[i];
    free(side->cust);
    side->cust = tab;
    side->cust_cap = cap;
    return 0;
}

static int sib_push(cust_t *c, const of_sibling_t *sb) {
    if (c->n == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 4;
        of_sibling_t *v = realloc(c->v, nc * sizeof *v);
        if (!v) return -1;
        c->v = v;
        c->cap = nc;
    }
    c->v[c->n++] = *sb;
    return 0;
}

/* The customer of t as the side knows it: the one the lookup found, else the nick (a customer the first of its trades
 * creates); seeded with the stored open orders on first sight. */
static cust_t *customer(of_wi_side_t *side, const of_wi_trade_t *t) {
    char key[sizeof side->cust->key];
    if (t->known) {
        snprintf(key, sizeof key, "c%" PRIu64, t->known);
    } else {
        char nick[OF_NAME * 2];
        of_cust_nick(t->raw, nick, sizeof nick);
        int len = snprintf(key, sizeof key, "n%d:%s", t->raw->platform_id, nick);
        for (int i = 0; i < len && (size_t)i < sizeof key; i++) /* the column's collation folds ASCII case */
            key[i] = (char)tolower((unsigned char)key[i]);
    }
    if ((side->ncust + 1) * 2 > side->cust_cap && cust_grow(side)) return NULL;
    cust_t *c = cust_slot(side->cust, side->cust_cap, key);
    if (!c->key[0]) {
        snprintf(c->key, sizeof c->key, "%s", key);
        side->ncust++;
        for (size_t i = 0; i < t->nsibs; i++)
            if (sib_push(c, &t->sibs[i])) return NULL;
    }
    return c;
}

/* After a submitted decision: SUB-FLAG/SUB-WU updates of the siblings, and the new order among them. */
static int customer_moves_on(cust_t *c, const of_wi_trade_t *t, const of_sub_t *s) {
    for (size_t i = 0; i < s->nsib; i++)
        for (size_t k = 0; k < c->n; k++)
            if (c->v[k].trade_id == s->sib[i].trade_id) {
                c->v[k].unmerge_mask |= s->sib[i].or_mask;
                if (s->sib[i].new_status) c->v[k].status = s->sib[i].new_status;
            }
    if (s->status < 10 || s->status > 95) return 0; /* the siblings are the open orders (§0.3) */
    of_sibling_t me = {.trade_id = SIDE_TRADE_ID(t->raw_id),
                       .status = s->status,
                       .trade_time = of_time_parse(t->raw->trade_time),
                       .unmerge_mask = s->unmerge_mask};
    return sib_push(c, &me);
}

int of_whatif_decide(of_wi_side_t *side, const of_wi_trade_t *t, int64_t now, of_sub_t *s, of_wi_dec_t *d) {
    const Orderfleet__RawTrade *raw = t->raw;
    for (size_t i = 0; side->cat.set.gen_api_goods_spec && i < raw->n_orders; i++) { /* INIT-02…-06 */
        of_api_goods_t row;
        of_match_t m;
        if (of_api_goods_init(&side->cat, t->shop_id, raw->orders[i], &row, &m) && of_cat_overlay_put(side->ov, &row))
            return -1;
    }
    cust_t *c = customer(side, t);
    if (!c) return -1;
    of_subin_t in = {.cat = &side->cat,
                     .raw = raw,
                     .raw_id = t->raw_id,
                     .shop_id = t->shop_id,
                     .now = now,
                     .cust = t->cust,
                     .siblings = c->v,
                     .nsiblings = c->n,
                     .stock = &side->stock};
    if (of_sub_decide(&in, s)) return -1;
    memset(d, 0, sizeof *d);
    d->submitted = s->submitted;
    snprintf(d->stop_rule, sizeof d->stop_rule, "%s", s->submitted ? "" : s->stop_rule);
    if (!s->submitted) return 0;
    d->warehouse_id = s->warehouse_id;
    d->logistics_id = s->logistics_id;
    d->package_id = s->package_id;
    d->post_cost = s->post_cost;
    d->status = s->status;
    if (s->status == OF_ST_PREORDER_PRE) /* as the order stores it (sales_trade.preorder_by) */
        snprintf(d->preorder_by, sizeof d->preorder_by, "%s", *s->preorder_by ? s->preorder_by : "yes");
    if (of_reserve_apply(s, &side->stock)) return -1;
    return customer_moves_on(c, t, s);
}

/* ------------------------------------------------------------------ comparing */
unsigned of_whatif_diff(const of_wi_dec_t *a, const of_wi_dec_t *b) {
    if (a->submitted != b->submitted) return 1u << OF_WI_STOP;
    if (!a->submitted) return strcmp(a->stop_rule, b->stop_rule) ? 1u << OF_WI_STOP : 0;
    unsigned m = 0;
    if (a->warehouse_id != b->warehouse_id) m |= 1u << OF_WI_WAREHOUSE;
    if (a->logistics_id != b->logistics_id) m |= 1u << OF_WI_LOGISTICS;
    if (a->package_id != b->package_id) m |= 1u << OF_WI_PACKAGE;
    if (a->post_cost != b->post_cost) m |= 1u << OF_WI_FEE;
    if (a->status != b->status) m |= 1u << OF_WI_STATUS;
    if (strcmp(a->preorder_by, b->preorder_by)) m |= 1u << OF_WI_PREORDER;
    return m;
}

const char *of_whatif_field_name(of_wi_field_t f) {
    static const char *const N[OF_WI__FIELDS] = {"stop", "warehouse", "logistics", "package",
                                                 "fee",  "status",    "preorder"};
    return f < OF_WI__FIELDS ? N[f] : "?";
}

void of_whatif_value(const of_catalog_t *cat, const of_wi_dec_t *d, of_wi_field_t f, char *buf, size_t size) {
    const char *code = NULL;
    uint64_t id = 0;
    switch (f) {
    case OF_WI_STOP:
        snprintf(buf, size, "%s%s", d->submitted ? "submitted" : "stopped ", d->submitted ? "" : d->stop_rule);
        return;
    case OF_WI_WAREHOUSE: {
        const of_warehouse_t *w = of_cat_warehouse(cat, id = d->warehouse_id);
        code = w ? w->no : NULL;
        break;
    }
    case OF_WI_LOGISTICS: {
        const of_logistics_t *l = of_cat_logistics(cat, id = d->logistics_id);
        code = l ? l->no : NULL;
        break;
    }
    case OF_WI_PACKAGE:
        id = d->package_id;
        for (size_t i = 0; i < cat->npackages && !code; i++)
            if (cat->packages[i].id == id) code = cat->packages[i].no;
        break;
    case OF_WI_FEE:
        of_money_fmt(d->post_cost, buf, size);
        return;
    case OF_WI_STATUS:
        snprintf(buf, size, "%d", d->status);
        return;
    case OF_WI_PREORDER:
        snprintf(buf, size, "%s", *d->preorder_by ? d->preorder_by : "no");
        return;
    default:
        snprintf(buf, size, "?");
        return;
    }
    if (!id)
        snprintf(buf, size, "none");
    else if (code && *code)
        snprintf(buf, size, "%s", code);
    else
        snprintf(buf, size, "#%" PRIu64, id);
}

struct of_wi_sum_s {
    size_t fields[OF_WI__FIELDS];
    size_t orders;
    of_wi_move_t *moves;
    size_t n, cap;
    size_t *ix; /* open addressing: move index + 1, 0 = empty */
    size_t ix_cap;
    int sorted;
};

of_wi_sum_t *of_whatif_sum_new(void) {
    return calloc(1, sizeof(of_wi_sum_t));
}

void of_whatif_sum_free(of_wi_sum_t *sum) {
    if (!sum) return;
    free(sum->moves);
    free(sum->ix);
    free(sum);
}

static uint64_t move_hash(of_wi_field_t f, const char *from, const char *to) {
    return hash(from) * 31 + hash(to) * 7 + (uint64_t)f;
}

static int reindex(of_wi_sum_t *sum) {
    size_t cap = sum->ix_cap ? sum->ix_cap * 2 : 256;
    size_t *ix = calloc(cap, sizeof *ix);
    if (!ix) return -1;
    for (size_t k = 0; k < sum->n; k++) {
        const of_wi_move_t *m = &sum->moves[k];
        size_t i = move_hash(m->field, m->from, m->to) & (cap - 1);
        while (ix[i])
            i = (i + 1) & (cap - 1);
        ix[i] = k + 1;
    }
    free(sum->ix);
    sum->ix = ix;
    sum->ix_cap = cap;
    return 0;
}

static int count_move(of_wi_sum_t *sum, of_wi_field_t f, const char *from, const char *to) {
    if (sum->sorted || (sum->n + 1) * 2 > sum->ix_cap) { /* sorting moved the rows: index again */
        if (sum->sorted) sum->ix_cap /= 2;
        sum->sorted = 0;
        if (reindex(sum)) return -1;
    }
    size_t i = move_hash(f, from, to) & (sum->ix_cap - 1);
    for (; sum->ix[i]; i = (i + 1) & (sum->ix_cap - 1)) {
        of_wi_move_t *m = &sum->moves[sum->ix[i] - 1];
        if (m->field == f && !strcmp(m->from, from) && !strcmp(m->to, to)) {
            m->count++;
            return 0;
        }
    }
    if (sum->n == sum->cap) {
        size_t nc = sum->cap ? sum->cap * 2 : 64;
        of_wi_move_t *v = realloc(sum->moves, nc * sizeof *v);
        if (!v) return -1;
        sum->moves = v;
        sum->cap = nc;
    }
    of_wi_move_t *m = &sum->moves[sum->n++];
    m->field = f;
    snprintf(m->from, sizeof m->from, "%s", from);
    snprintf(m->to, sizeof m->to, "%s", to);
    m->count = 1;
    sum->ix[i] = sum->n;
    return 0;
}

int of_whatif_sum_add(of_wi_sum_t *sum, unsigned diff, const of_catalog_t *cat_a, const of_wi_dec_t *a,
                      const of_catalog_t *cat_b, const of_wi_dec_t *b) {
    if (!diff) return 0;
    sum->orders++;
    for (int f = 0; f < OF_WI__FIELDS; f++) {
        if (!(diff & (1u << f))) continue;
        sum->fields[f]++;
        char from[72], to[72];
        of_whatif_value(cat_a, a, (of_wi_field_t)f, from, sizeof from);
        of_whatif_value(cat_b, b, (of_wi_field_t)f, to, sizeof to);
        if (count_move(sum, (of_wi_field_t)f, from, to)) return -1;
    }
    return 0;
}

size_t of_whatif_sum_field(const of_wi_sum_t *sum, of_wi_field_t f) {
    return f < OF_WI__FIELDS ? sum->fields[f] : 0;
}

size_t of_whatif_sum_orders(const of_wi_sum_t *sum) {
    return sum->orders;
}

static int cmp_move(const void *x, const void *y) {
    const of_wi_move_t *a = x, *b = y;
    if (a->field != b->field) return a->field < b->field ? -1 : 1;
    if (a->count != b->count) return a->count > b->count ? -1 : 1;
    int c = strcmp(a->from, b->from);
    return c ? c : strcmp(a->to, b->to);
}

const of_wi_move_t *of_whatif_sum_moves(of_wi_sum_t *sum, size_t *n) {
    if (sum->n) qsort(sum->moves, sum->n, sizeof *sum->moves, cmp_move);
    sum->sorted = 1;
    *n = sum->n;
    return sum->moves;
}
