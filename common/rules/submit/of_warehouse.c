/* of_warehouse.c -- I_DL_DECIDE_WAREHOUSE: the warehouse of a submitted order (SUB-WH-01…-13), with a trace of every
 * candidate, its stock per line and the rule / tier that chose the winner (`ordctl explain`). Pure. */
#include "of_warehouse.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "of_money.h"

typedef struct {
    const of_warehouse_t *wh;
    int prio;              /* designation priority: shop_whs / spec_whs row (higher first) */
    uint64_t logistics_id; /* goods designation in address mode: the designated logistics (SUB-WH-10) */
} cand_t;

static const char *str(const char *s) {
    return s ? s : "";
}

static unsigned long long ull(uint64_t v) {
    return (unsigned long long)v;
}

/* Priority order of SUB-WH-04…-06: designation priority desc, then warehouse priority desc, then id asc. */
static int cmp_cand(const void *a, const void *b) {
    const cand_t *x = a, *y = b;
    if (x->prio != y->prio) return x->prio > y->prio ? -1 : 1;
    if (x->wh->priority != y->wh->priority) return x->wh->priority > y->wh->priority ? -1 : 1;
    if (x->wh->id != y->wh->id) return x->wh->id < y->wh->id ? -1 : 1;
    return 0;
}

static void sort_cands(cand_t *c, size_t n) {
    if (n > 1) qsort(c, n, sizeof *c, cmp_cand);
}

/* Add (or merge into) a candidate: a warehouse appears once, with its best designation priority. */
static size_t add_cand(cand_t *c, size_t n, const of_warehouse_t *wh, int prio, uint64_t logistics_id) {
    for (size_t i = 0; i < n; i++)
        if (c[i].wh == wh) {
            if (prio > c[i].prio) {
                c[i].prio = prio;
                if (logistics_id) c[i].logistics_id = logistics_id;
            } else if (!c[i].logistics_id) {
                c[i].logistics_id = logistics_id;
            }
            return n;
        }
    c[n] = (cand_t){wh, prio, logistics_id};
    return n + 1;
}

int64_t of_warehouse_shortage(const of_subin_t *in, const of_sub_t *s, uint64_t warehouse_id, int *sufficientp,
                              of_trace_t *tr) {
    const of_warehouse_t *wh = of_cat_warehouse(in->cat, warehouse_id);
    int ext = wh ? wh->is_external : 0;
    int64_t amount = 0;
    int sufficient = 1;
    char b1[32], b2[32];
    for (size_t i = 0; i < s->nlines; i++) {
        const of_line_t *l = &s->lines[i];
        if (l->actual_num <= 0) continue;
        const of_stock_row_t *r = in->stock ? of_stock_find(in->stock, warehouse_id, l->spec_id) : NULL;
        int64_t x = of_stock_x(r, ext);               /* S − sending_num − order_num */
        int64_t sys = of_stock_sys(x, l->actual_num); /* OP-34 proposed reconstruction */
        int64_t real = of_stock_real(sys, l->actual_num);
        amount += real * l->share_price; /* 缺货金额 = Σ 实际库存 × 单品平均价格 (share_price, OP-34) */
        if (real) sufficient = 0;
        if (tr)
            of_trace_add(tr, "SUB-WH-07", "line",
                         "warehouse %llu spec %llu%s%s: actual_num=%d X=%lld sys_stock=%lld real=%lld price=%s "
                         "shortage=%s",
                         ull(warehouse_id), ull(l->spec_id), l->spec_no[0] ? " " : "", l->spec_no, l->actual_num,
                         (long long)x, (long long)sys, (long long)real, of_money_fmt(l->share_price, b1, sizeof b1),
                         of_money_fmt(real * l->share_price, b2, sizeof b2));
    }
    if (tr)
        of_trace_add(tr, "SUB-WH-07", "candidate", "warehouse %llu %s%s: shortage amount %s, %s", ull(warehouse_id),
                     wh ? wh->name : "(unknown)", ext ? " (external stock)" : "", of_money_fmt(amount, b1, sizeof b1),
                     sufficient ? "sufficient" : "insufficient");
    if (sufficientp) *sufficientp = sufficient;
    return amount;
}

/* SUB-WH-06/07/08: choose among n ≥ 2 candidates (sorted by priority). With CFG_CHECK_STOCK: the highest-priority
 * candidate with sufficient stock, else the largest (closest to 0) shortage amount, ties → higher priority; without:
 * the highest priority (OP-35). *rulep = the deciding rule; tr may be NULL. Returns the index. */
static size_t choose(const of_subin_t *in, const of_sub_t *s, const cand_t *c, size_t n, of_trace_t *tr,
                     const char **rulep) {
    char b[32];
    if (!in->cat->set.check_stock) {
        *rulep = "SUB-WH-08";
        if (tr)
            of_trace_add(
                tr, "SUB-WH-08", "decision",
                "CFG_CHECK_STOCK off: highest priority of %zu candidates → warehouse %llu %s (designation priority %d, "
                "warehouse priority %d)",
                n, ull(c[0].wh->id), c[0].wh->name, c[0].prio, c[0].wh->priority);
        return 0;
    }
    *rulep = "SUB-WH-06";
    size_t best = 0, first_ok = n, nok = 0;
    int64_t best_amount = 0;
    for (size_t i = 0; i < n; i++) {
        if (tr)
            of_trace_add(tr, "SUB-WH-06", "candidate",
                         "#%zu warehouse %llu %s: designation priority %d, warehouse priority %d", i + 1,
                         ull(c[i].wh->id), c[i].wh->name, c[i].prio, c[i].wh->priority);
        int ok;
        int64_t a = of_warehouse_shortage(in, s, c[i].wh->id, &ok, tr);
        if (ok) {
            nok++;
            if (first_ok == n) first_ok = i;
        }
        if (i == 0 || a > best_amount) { /* strictly larger: a tie keeps the higher priority */
            best = i;
            best_amount = a;
        }
    }
    if (first_ok < n) {
        if (tr)
            of_trace_add(tr, "SUB-WH-06", "decision", "%s: highest priority with sufficient stock → warehouse %llu %s",
                         nok == n ? "all candidates have sufficient stock" : "some candidates have sufficient stock",
                         ull(c[first_ok].wh->id), c[first_ok].wh->name);
        return first_ok;
    }
    if (tr)
        of_trace_add(tr, "SUB-WH-06", "decision",
                     "no candidate has sufficient stock: minimum shortage amount %s (ties → higher priority) → "
                     "warehouse %llu %s",
                     of_money_fmt(best_amount, b, sizeof b), ull(c[best].wh->id), c[best].wh->name);
    return best;
}

/* One candidate or a choice among several; 0 when n = 0. */
static uint64_t pick(const of_subin_t *in, const of_sub_t *s, const cand_t *c, size_t n, const char *src,
                     of_trace_t *tr, const char **rulep, size_t *idxp) {
    if (!n) return 0;
    if (n == 1) {
        *rulep = src;
        if (idxp) *idxp = 0;
        if (tr)
            of_trace_add(tr, src, "decision", "single candidate → warehouse %llu %s", ull(c[0].wh->id), c[0].wh->name);
        return c[0].wh->id;
    }
    size_t i = choose(in, s, c, n, tr, rulep);
    if (idxp) *idxp = i;
    return c[i].wh->id;
}

static int covers(const of_catalog_t *cat, uint64_t wid, const char *p, const char *ci, const char *d) {
    for (size_t i = 0; i < cat->nwh_areas; i++) {
        const of_wh_area_t *a = &cat->wh_areas[i];
        if (a->warehouse_id == wid && of_cat_area_match(a->province, a->city, a->district, p, ci, d)) return 1;
    }
    return 0;
}

/* SUB-WH-03…-08: the shop-designated warehouses. c has room for every warehouse. tr may be NULL. */
static uint64_t by_shop(const of_subin_t *in, const of_sub_t *s, cand_t *c, of_trace_t *tr, const char **rulep) {
    const of_catalog_t *cat = in->cat;
    const Orderfleet__RawTrade *raw = in->raw;
    size_t n = 0;
    for (size_t i = 0; i < cat->nshop_whs; i++) {
        const of_shop_wh_t *sw = &cat->shop_whs[i];
        if (sw->shop_id != in->shop_id) continue;
        const of_warehouse_t *wh = of_cat_warehouse(cat, sw->warehouse_id);
        if (!wh) {
            if (tr)
                of_trace_add(tr, "SUB-WH-03", "ignored", "shop warehouse %llu is not in the catalogue",
                             ull(sw->warehouse_id));
            continue;
        }
        n = add_cand(c, n, wh, sw->priority, 0);
    }
    sort_cands(c, n);
    if (tr)
        of_trace_add(tr, "SUB-WH-03", "shop_warehouses", "shop %llu designates %zu warehouse(s)", ull(in->shop_id), n);

    if (n == 1 && c[0].wh->wms_type != s->wms_type && tr)
        of_trace_add(tr, "SUB-WH-03", "ignored", "the one shop warehouse %llu has type %d, required %d: as none",
                     ull(c[0].wh->id), c[0].wh->wms_type, s->wms_type);
    if (n == 1 && c[0].wh->wms_type == s->wms_type) {
        *rulep = "SUB-WH-03";
        if (tr)
            of_trace_add(tr, "SUB-WH-03", "decision", "the one shop warehouse → %llu %s", ull(c[0].wh->id),
                         c[0].wh->name);
        return c[0].wh->id;
    }
    if (n <= 1) {
        /* SUB-WH-03: none (or one of the wrong type, proposed): one warehouse of the required type from the list —
         * the highest priority, then the lowest id */
        const of_warehouse_t *best = NULL;
        for (size_t i = 0; i < cat->nwhs; i++) {
            const of_warehouse_t *w = &cat->whs[i];
            if (w->wms_type != s->wms_type) continue;
            if (!best || w->priority > best->priority || (w->priority == best->priority && w->id < best->id)) best = w;
        }
        *rulep = "SUB-WH-03";
        if (tr) {
            if (best)
                of_trace_add(tr, "SUB-WH-03", "decision", "no shop warehouse: first of type %d in the list → %llu %s",
                             s->wms_type, ull(best->id), best->name);
            else
                of_trace_add(tr, "SUB-WH-03", "decision", "no shop warehouse and no warehouse of type %d", s->wms_type);
        }
        return best ? best->id : 0;
    }

    /* SUB-WH-04: several → those of the required type whose coverage contains the receiver's area */
    const char *p = str(raw->receiver_province), *ci = str(raw->receiver_city), *d = str(raw->receiver_district);
    cand_t *cov = c + n; /* c has room for 2 × nwhs */
    size_t ncov = 0;
    for (size_t i = 0; i < n; i++) {
        int typed = c[i].wh->wms_type == s->wms_type, cv = typed && covers(cat, c[i].wh->id, p, ci, d);
        if (tr)
            of_trace_add(tr, "SUB-WH-04", "coverage",
                         "warehouse %llu %s (designation priority %d, warehouse priority %d, type %d): %s",
                         ull(c[i].wh->id), c[i].wh->name, c[i].prio, c[i].wh->priority, c[i].wh->wms_type,
                         !typed ? "wrong type"
                         : cv   ? "covers the receiver"
                                : "does not cover the receiver");
        if (cv) cov[ncov++] = c[i];
    }
    if (ncov) {
        if (tr) of_trace_add(tr, "SUB-WH-04", "candidates", "%zu covering warehouse(s) for %s %s %s", ncov, p, ci, d);
        return pick(in, s, cov, ncov, "SUB-WH-04", tr, rulep, NULL);
    }
    /* SUB-WH-05: coverage gives none → the shop warehouses of the required type */
    ncov = 0;
    for (size_t i = 0; i < n; i++)
        if (c[i].wh->wms_type == s->wms_type) cov[ncov++] = c[i];
    if (tr)
        of_trace_add(tr, "SUB-WH-05", "candidates", "no coverage of %s %s %s: %zu shop warehouse(s) of type %d", p, ci,
                     d, ncov, s->wms_type);
    *rulep = "SUB-WH-05";
    return pick(in, s, cov, ncov, "SUB-WH-05", tr, rulep, NULL);
}

/* SUB-WH-02 (OP-33): the designations of the order's lines (actual_num > 0) in this shop, union. Mode 2 on any row →
 * address mode (极速达): candidates = mode-2 warehouses at the receiver's province/city/district; else mode 1:
 * the designated warehouses. Qualifying = in the catalogue and of the required type. *designatedp = rows found. */
static size_t by_goods(const of_subin_t *in, const of_sub_t *s, cand_t *c, of_trace_t *tr, int *address_modep,
                       size_t *designatedp) {
    const of_catalog_t *cat = in->cat;
    const Orderfleet__RawTrade *raw = in->raw;
    size_t nrows = 0, n = 0;
    int address = 0;
    for (size_t i = 0; i < cat->nspec_whs; i++) {
        const of_spec_wh_t *sw = &cat->spec_whs[i];
        if (sw->shop_id != in->shop_id) continue;
        for (size_t j = 0; j < s->nlines; j++)
            if (s->lines[j].actual_num > 0 && s->lines[j].spec_id == sw->spec_id) {
                nrows++;
                if (sw->mode == OF_SWH_ADDRESS) address = 1;
                break;
            }
    }
    *designatedp = nrows;
    *address_modep = address;
    if (!nrows) return 0;
    for (size_t i = 0; i < cat->nspec_whs; i++) {
        const of_spec_wh_t *sw = &cat->spec_whs[i];
        if (sw->shop_id != in->shop_id) continue;
        int used = 0;
        for (size_t j = 0; j < s->nlines && !used; j++)
            used = s->lines[j].actual_num > 0 && s->lines[j].spec_id == sw->spec_id;
        if (!used) continue;
        const of_warehouse_t *wh = of_cat_warehouse(cat, sw->warehouse_id);
        const char *why = NULL;
        if (!wh)
            why = "not in the catalogue";
        else if (address && sw->mode != OF_SWH_ADDRESS)
            why = "mode 指定仓库 ignored in address mode";
        else if (wh->wms_type != s->wms_type)
            why = "wrong warehouse type";
        else if (address &&
                 (strcmp(wh->province, str(raw->receiver_province)) || strcmp(wh->city, str(raw->receiver_city)) ||
                  strcmp(wh->district, str(raw->receiver_district))))
            why = "warehouse address differs from the receiver's";
        of_trace_add(tr, "SUB-WH-02", "designation", "spec %llu → warehouse %llu%s%s mode %d priority %d: %s",
                     ull(sw->spec_id), ull(sw->warehouse_id), wh ? " " : "", wh ? wh->name : "", sw->mode, sw->priority,
                     why ? why : "candidate");
        if (!why) n = add_cand(c, n, wh, sw->priority, address ? sw->logistics_id : 0);
    }
    sort_cands(c, n);
    return n;
}

int of_warehouse_decide(const of_subin_t *in, of_sub_t *s) {
    const of_catalog_t *cat = in->cat;
    const Orderfleet__RawTrade *raw = in->raw;
    of_trace_t *tr = &s->trace;
    s->warehouse_id = 0;
    s->warehouse_rule[0] = '\0';
    s->wh_address_mode = 0;
    s->prompt_warehouse_id = 0;
    const char *rule = "";
    uint64_t wid = 0;
    uint64_t address_logistics = 0; /* SUB-WH-10 */
    int by_address = 0;             /* the warehouse was chosen in warehouse-address mode */

    /* room for the candidates of one strategy plus a filtered copy */
    cand_t *c = malloc((cat->nwhs ? cat->nwhs : 1) * 2 * sizeof *c);
    if (!c) return -1;

    const char *wno = str(raw->warehouse_no);
    if (*wno) {
        /* SUB-WH-01 (OP-32): the warehouse whose code is the number and whose type is the required type */
        const of_warehouse_t *wh = NULL;
        for (size_t i = 0; i < cat->nwhs && !wh; i++)
            if (!strcmp(cat->whs[i].no, wno) && cat->whs[i].wms_type == s->wms_type) wh = &cat->whs[i];
        rule = "SUB-WH-01";
        wid = wh ? wh->id : 0;
        if (wh)
            of_trace_add(tr, rule, "decision", "raw trade names warehouse '%s' → %llu %s", wno, ull(wh->id), wh->name);
        else
            of_trace_add(tr, rule, "decision", "raw trade names warehouse '%s': no warehouse of type %d with that code",
                         wno, s->wms_type);
    } else {
        const of_shop_t *shop = of_cat_shop(cat, in->shop_id);
        int goods_on = cat->set.wh_by_goods && shop && shop->is_goods_wh;
        int by_goods_done = 0;
        if (goods_on) {
            /* SUB-WH-02 */
            int address = 0;
            size_t rows = 0;
            size_t n = by_goods(in, s, c, tr, &address, &rows);
            if (rows) {
                s->wh_address_mode = address;
                of_trace_add(tr, "SUB-WH-02", "candidates", "%zu designation(s) in mode %s: %zu candidate(s)", rows,
                             address ? "指定仓库地址 (极速达)" : "指定仓库", n);
                size_t idx = 0;
                wid = pick(in, s, c, n, "SUB-WH-02", tr, &rule, &idx);
                if (wid && address) {
                    by_address = 1;
                    address_logistics = c[idx].logistics_id;
                }
                if (wid || address) by_goods_done = 1; /* OP-33: empty in address mode → no warehouse (status 13) */
                if (!n && !address)
                    of_trace_add(tr, "SUB-WH-02", "decision", "no qualifying designated warehouse: shop warehouses");
                if (!n && address)
                    of_trace_add(tr, "SUB-WH-02", "decision",
                                 "no designated warehouse at the receiver's address: left empty (status 13)");
                if (!wid) rule = "SUB-WH-02";
            } else {
                of_trace_add(tr, "SUB-WH-02", "skipped", "no goods designation for this order's goods in shop %llu",
                             ull(in->shop_id));
            }
        } else {
            of_trace_add(tr, "SUB-WH-02", "skipped", "CFG_WH_BY_GOODS=%d SHOP.goods_wh=%d", cat->set.wh_by_goods,
                         shop ? shop->is_goods_wh : 0);
        }
        if (!by_goods_done) {
            wid = by_shop(in, s, c, tr, &rule); /* SUB-WH-03…-08 */
        } else if (cat->set.wh_by_goods && wid) {
            /* SUB-WH-09 (OP-36): the goods designation changed the warehouse the shop strategy would choose */
            const char *other_rule = "";
            uint64_t other = by_shop(in, s, c, NULL, &other_rule);
            if (other != wid) {
                s->prompt_warehouse_id = wid;
                of_trace_add(tr, "SUB-WH-09", "prompt",
                             "goods-designated warehouse %llu differs from the shop strategy's %llu (%s): recorded",
                             ull(wid), ull(other), other_rule);
            } else {
                of_trace_add(tr, "SUB-WH-09", "prompt", "goods-designated warehouse %llu = the shop strategy's",
                             ull(wid));
            }
        }
    }
    free(c);

    /* SUB-WH-12 (OP-38): the CS-remark warehouse, then the client-remark one, override the strategies */
    uint64_t rx = s->cs.warehouse_id ? s->cs.warehouse_id : s->client.warehouse_id;
    const char *rx_src = s->cs.warehouse_id ? "CS remark" : "client remark";
    if (rx) {
        const of_warehouse_t *wh = of_cat_warehouse(cat, rx);
        if (!wh) {
            of_trace_add(tr, "SUB-WH-12", "ignored", "%s warehouse %llu is not in the catalogue", rx_src, ull(rx));
        } else {
            of_trace_add(tr, "SUB-WH-12", "decision", "%s names warehouse %llu %s: overrides %llu (%s)", rx_src,
                         ull(rx), wh->name, ull(wid), *rule ? rule : "none");
            if (rx != wid) by_address = 0; /* no longer chosen by warehouse address */
            wid = rx;
            rule = "SUB-WH-12";
        }
    }
    s->warehouse_id = wid;
    snprintf(s->warehouse_rule, sizeof s->warehouse_rule, "%s", rule);

    /* SUB-WH-10: chosen by warehouse address (极速达) → the designated logistics (E速宝) */
    if (wid && by_address) {
        if (address_logistics) {
            s->logistics_id = address_logistics;
            s->logistics_by = OF_LB_WH_ADDRESS;
            of_trace_add(tr, "SUB-WH-10", "logistics", "warehouse-address mode: designated logistics %llu",
                         ull(address_logistics));
        } else {
            of_trace_add(tr, "SUB-WH-10", "logistics", "warehouse-address mode: no designated logistics");
        }
    }

    /* SUB-WH-11 (OP-37): no warehouse for an order that is not 极速达 (address mode) → invalid order, stop */
    if (!wid && !s->wh_address_mode) {
        of_sub_stop(s, "SUB-WH-11", OF_BAD_NO_WAREHOUSE, OF_PS_PENDING, "无有效仓库: 标记无效订单");
        return 1;
    }
    if (wid) {
        const of_warehouse_t *wh = of_cat_warehouse(cat, wid);
        of_trace_add(tr, s->warehouse_rule, "warehouse", "warehouse %llu %s", ull(wid), wh ? wh->name : "");
    }

    /* SUB-WH-13 (OP-39): a grab order needs sufficient stock in the selected warehouse, else grab = 0 */
    if (s->grab) {
        int ok = 0;
        if (wid) of_warehouse_shortage(in, s, wid, &ok, tr);
        if (!ok) s->grab = 0;
        of_trace_add(tr, "SUB-WH-13", "grab", "%s → grab=%d",
                     !wid ? "no warehouse"
                     : ok ? "stock sufficient"
                          : "stock insufficient",
                     s->grab);
    }
    return 0;
}
