/* of_goods.c -- raw sub-orders → system goods: I_DL_MAP_TRADE_GOODS (SUB-MAP-01…-26) and SUB-CNT-01/02. Pure: reads
 * the catalogue, writes of_sub_t. (SUB-TYPE is of_sub.c's, the INIT platform-goods rules of_automatch.c's and
 * of_api_goods.c's.) */
#include "of_goods.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "of_automatch.h"
#include "of_money.h"
#include "of_str.h"

/* per-unit money of a total: total / num at 1e-4, half away from zero (SUB-MAP-15) */
static int64_t per_unit(int64_t total, int num) {
    return num > 0 ? of_money_div_round(total, num) : 0;
}

/* SUB-MAP-07 (proposed formula): share_amount × factor (×1e6) */
static int64_t commission_of(int64_t share_amount, int64_t factor) {
    return factor ? of_money_div_round((__int128)share_amount * factor, 1000000) : 0;
}

/* ------------------------------------------------------------------ resolution of one raw sub-order */

typedef struct {
    int type; /* OF_MATCH_SPEC / OF_MATCH_SUITE */
    uint64_t id;
    const of_api_goods_t *gs;
    const of_spec_t *spec;
    const of_suite_t *suite;
    const of_suite_detail_t *det;
    size_t ndet;
    const char *how; /* explain: which way the target was found */
    int match_key;
    /* on failure */
    const char *rule, *log, *why;
    int no_api_goods;
} res_t;

static int res_fail(res_t *r, const char *rule, const char *log, const char *why) {
    r->rule = rule;
    r->log = log;
    r->why = why;
    return 1;
}

/* SUB-MAP-06/08 → -13/-18/-21 and the invalid-goods tests of SUB-MAP-10 (a, b, c) for raw->orders[i].
 * 0 resolved, 1 invalid (r->rule, r->log, r->why say why). */
static int resolve(const of_subin_t *in, size_t i, res_t *r) {
    const of_catalog_t *cat = in->cat;
    const Orderfleet__RawSubOrder *o = in->raw->orders[i];
    memset(r, 0, sizeof *r);
    if (in->raw->platform_id == 0) {
        /* SUB-MAP-06: offline, by spec_no (商家编码); a suite's code is its suite_no */
        size_t nl = strlen(o->spec_no);
        const of_spec_t *sp = of_cat_spec_by_no(cat, o->spec_no, nl, NULL, 0, 0);
        const of_suite_t *su = sp ? NULL : of_cat_suite_by_no(cat, o->spec_no, nl, 0);
        if (sp)
            r->type = OF_MATCH_SPEC, r->id = sp->id;
        else if (su)
            r->type = OF_MATCH_SUITE, r->id = su->id;
        r->how = "offline: by spec_no (SUB-MAP-06)";
        if (!r->type) return res_fail(r, "SUB-MAP-06", "订单包含无效货品", "商家编码无对应系统货品");
    } else {
        /* SUB-MAP-08: the stored match of the platform goods */
        r->gs = of_cat_api_goods(cat, in->shop_id, o->goods_id, o->spec_id);
        if (!r->gs) {
            r->no_api_goods = *o->goods_id != '\0';
            return res_fail(r, "SUB-MAP-09", "订单包含无效货品", "平台货品不存在"); /* SUB-MAP-10a */
        }
        if (cat->set.dynamic_match && !r->gs->is_manual_match) {
            of_match_t m;
            of_automatch(cat, in->shop_id, o->goods_no, o->spec_no, &m);
            /* SUB-MAP-10b (OP-22): the auto-match rule finds nothing → invalid */
            if (m.type == OF_MATCH_NONE)
                return res_fail(r, "SUB-MAP-10", "订单包含无效货品", "动态匹配: 自动匹配规则未找到系统货品");
            r->type = m.type;
            r->id = m.id;
            r->match_key = m.match_key;
            r->how = "dynamic match (CFG_DYNAMIC_MATCH, automatic matching)";
        } else {
            r->type = r->gs->match_type;
            r->id = r->gs->match_id;
            r->how = r->gs->is_manual_match ? "stored manual match" : "stored match";
            /* SUB-MAP-09 / -10a: match relation none or empty */
            if ((r->type != OF_MATCH_SPEC && r->type != OF_MATCH_SUITE) || !r->id)
                return res_fail(r, "SUB-MAP-09", "订单包含无效货品", "平台货品未匹配系统货品");
        }
    }
    if (r->type == OF_MATCH_SPEC) {
        /* SUB-MAP-13: the spec must exist (a deleted spec is not found) */
        r->spec = of_cat_spec(cat, r->id);
        if (!r->spec || r->spec->deleted) return res_fail(r, "SUB-MAP-13", "包含无效货品", "单品不存在或已删除");
        return 0;
    }
    /* SUB-MAP-18: the suite must exist */
    r->suite = of_cat_suite(cat, r->id);
    if (!r->suite || r->suite->deleted) return res_fail(r, "SUB-MAP-18", "包含无效组合装", "组合装不存在或已删除");
    r->det = of_cat_suite_details(cat, r->id, &r->ndet);
    long total_num = 0;
    for (size_t k = 0; k < r->ndet; k++) {
        const of_spec_t *c = of_cat_spec(cat, r->det[k].spec_id);
        /* SUB-MAP-10c: a component that is deleted (or gone) makes the suite invalid */
        if (!c || c->deleted) return res_fail(r, "SUB-MAP-10", "包含无效组合装", "组合装包含已删除的单品");
        total_num += r->det[k].num;
    }
    /* SUB-MAP-21: total_num = 0 */
    if (total_num <= 0) return res_fail(r, "SUB-MAP-21", "组合装不包含货品", "组合装不包含货品");
    return 0;
}

/* SUB-MAP-09/10 (P_UseTran = 1: I_DL_MARK_INVALID_TRADE over every raw sub-order), then the SUB-MAP-26 exit. */
static int fail_invalid(const of_subin_t *in, of_sub_t *s, size_t at, const res_t *cur) {
    const Orderfleet__RawTrade *raw = in->raw;
    size_t ninvalid = 0;
    for (size_t j = 0; j < raw->n_orders; j++) {
        res_t r;
        if (!resolve(in, j, &r)) continue;
        s->rawo_invalid[j] = 1;
        s->rawo_no_api_goods[j] = (uint8_t)r.no_api_goods;
        ninvalid++;
        of_trace_add(&s->trace, "SUB-MAP-10", "invalid_goods",
                     "oid %s (goods_id %s, spec_id %s, spec_no %s): %s [%s]%s", raw->orders[j]->oid,
                     raw->orders[j]->goods_id, raw->orders[j]->spec_id, raw->orders[j]->spec_no, r.why, r.rule,
                     r.no_api_goods ? "; platform goods row to insert" : "");
    }
    /* SUB-MAP-10d: bad_reason bit 1 (OP-14: OR) */
    of_logs_add(&s->logs, OF_LOG_EXCEPTION, cur->rule, "%s: 子订单 %s %s", cur->log, raw->orders[at]->oid, cur->why);
    char why[256];
    snprintf(why, sizeof why, "%s: oid %s, %s (%zu invalid sub-order(s))", cur->log, raw->orders[at]->oid, cur->why,
             ninvalid);
    of_trace_add(&s->trace, "SUB-MAP-26", "exit", "goods mapping failed at oid %s", raw->orders[at]->oid);
    return of_sub_stop(s, cur->rule, OF_BAD_GOODS, OF_PS_PENDING, why);
}

/* ------------------------------------------------------------------ lines */

/* columns common to single and component lines (SUB-MAP-02/03/13/16) */
static void line_base(const of_subin_t *in, size_t i, const of_spec_t *sp, int refund, int delivery_term,
                      of_line_t *l) {
    const Orderfleet__RawSubOrder *o = in->raw->orders[i];
    l->raw_index = i;
    l->spec_id = sp->id;
    of_str_copy(l->src_oid, sizeof l->src_oid, o->oid);
    of_str_copy(l->src_tid, sizeof l->src_tid, in->raw->tid);
    of_str_copy(l->bind_oid, sizeof l->bind_oid, o->bind_oid);
    of_str_copy(l->api_goods_id, sizeof l->api_goods_id, o->goods_id);
    of_str_copy(l->api_spec_id, sizeof l->api_spec_id, o->spec_id);
    l->refund_status = refund;
    l->guarantee_mode = o->guarantee_mode;
    l->delivery_term = delivery_term;
    of_str_copy(l->goods_name, sizeof l->goods_name, sp->goods_name);
    of_str_copy(l->goods_no, sizeof l->goods_no, sp->goods_no);
    of_str_copy(l->spec_name, sizeof l->spec_name, sp->spec_name);
    of_str_copy(l->spec_no, sizeof l->spec_no, sp->spec_no);
    of_str_copy(l->spec_code, sizeof l->spec_code, sp->spec_code);
    of_str_copy(l->api_goods_name, sizeof l->api_goods_name, o->goods_name);
    of_str_copy(l->api_spec_name, sizeof l->api_spec_name, o->spec_name);
    of_str_copy(l->cid, sizeof l->cid, o->cid);
    l->weight = sp->weight;
    l->volume = sp->volume;
    l->tax_rate = sp->tax_rate;
    l->large_type = sp->large_type;
    l->is_zero_cost = sp->is_zero_cost;
    l->is_not_use_air = sp->is_not_use_air;
}

/* SUB-MAP-17 (OP-26): not refunded (refund ≤ 2) beats refunded, then the larger share_amount, ties: first */
static int better_main(const of_line_t *a, const of_line_t *b) {
    int ra = a->refund_status <= 2, rb = b->refund_status <= 2;
    if (ra != rb) return ra > rb;
    return a->share_amount > b->share_amount;
}

static void main_candidate(of_sub_t *s, size_t idx, int *have) {
    if (!*have || better_main(&s->lines[idx], &s->lines[s->main_line])) {
        s->main_line = idx;
        *have = 1;
    }
}

/* Issue 10 item 2: a quantity or amount the types cannot hold (int quantities, int64 money) stops the mapping with
 * the reason instead of wrapping (SUB-MAP-26: the raw trade stays pending, bad_reason bit 1 as for invalid goods).
 * Validation bounds what a raw trade carries (of_rawtrade.h); the catalogue's suite quantities and amounts are not
 * bounded by it, so products and sums with them are checked here. Returns 1. */
static int fail_overflow(of_sub_t *s, const char *rule, const char *oid, const char *why) {
    of_logs_add(&s->logs, OF_LOG_EXCEPTION, rule, "数量或金额溢出: 子订单 %s %s", oid, why);
    of_trace_add(&s->trace, "SUB-MAP-26", "exit", "goods mapping failed at oid %s", oid);
    char r[256];
    snprintf(r, sizeof r, "数量或金额溢出: oid %s, %s", oid, why);
    return of_sub_stop(s, rule, OF_BAD_GOODS, OF_PS_PENDING, r);
}

/* The line discount of SUB-MAP-16 (OP-25): discount − adjust + share_discount, checked. 0 or 1 on overflow. */
static int line_discount(const Orderfleet__RawSubOrder *o, int64_t *out) {
    int64_t d;
    return __builtin_sub_overflow(o->discount, o->adjust, &d) || __builtin_add_overflow(d, o->share_discount, out);
}

/* Σ of the lines' quantities (SUB-AGG-01 adds actual_num into an int): *total += num, 1 when past INT_MAX. */
static int add_qty(int *total, int num) {
    return __builtin_add_overflow(*total, num, total);
}

/* SUB-MAP-13…-16: one single-spec line */
static int map_single(const of_subin_t *in, of_sub_t *s, size_t i, const res_t *r, int refund, int delivery_term,
                      int64_t factor, int *have_main, int *qty) {
    const Orderfleet__RawSubOrder *o = in->raw->orders[i];
    char why[200];
    int64_t disc;
    if (line_discount(o, &disc)) return fail_overflow(s, "SUB-MAP-16", o->oid, "discount − adjust + share_discount");
    if (add_qty(qty, o->num)) {
        snprintf(why, sizeof why, "quantity %d takes the trade's lines past %d", o->num, INT_MAX);
        return fail_overflow(s, "SUB-MAP-16", o->oid, why);
    }
    of_line_t *l = of_sub_add_line(s);
    if (!l) return -1;
    line_base(in, i, r->spec, refund, delivery_term, l);
    l->num = o->num;
    l->actual_num = refund > 2 ? 0 : o->num; /* SUB-MAP-16 */
    l->price = o->price;
    l->order_price = o->order_price;
    l->share_amount = o->share_amount;
    l->share_post = o->share_post;
    l->paid = o->paid;
    l->adjust = o->adjust;
    l->discount = disc;                                     /* SUB-MAP-16, OP-25 */
    l->share_price = per_unit(o->share_amount, o->num);     /* SUB-MAP-15 */
    l->commission = commission_of(o->share_amount, factor); /* SUB-MAP-07 */
    of_trace_add(&s->trace, "SUB-MAP-16", "line",
                 "oid %s → spec %llu %s × %d (actual %d, refund %d), share_amount %lld, share_price %lld, "
                 "discount %lld",
                 o->oid, (unsigned long long)l->spec_id, l->spec_no, l->num, l->actual_num, refund,
                 (long long)l->share_amount, (long long)l->share_price, (long long)l->discount);
    main_candidate(s, s->nlines - 1, have_main);
    return 0;
}

/* SUB-MAP-18…-23: the component lines of a suite */
static int map_suite(const of_subin_t *in, of_sub_t *s, size_t i, const res_t *r, int refund, int delivery_term,
                     int64_t factor, int *have_main, int *qty) {
    const Orderfleet__RawSubOrder *o = in->raw->orders[i];
    const of_suite_t *su = r->suite;
    size_t n = r->ndet;
    /* SUB-MAP-19: print mode ≠ 1 (打印组合装明细) → unsplittable */
    int unsplit = su->is_unsplit || su->print_mode != 1;
    char bind[OF_CODE];
    of_str_copy(bind, sizeof bind, o->bind_oid);
    /* SUB-MAP-20 */
    if (unsplit && !*bind) of_str_copy(bind, sizeof bind, o->oid);
    of_trace_add(&s->trace, "SUB-MAP-19", "suite", "oid %s → suite %llu %s: %s (is_unsplit %d, print_mode %d)%s%s",
                 o->oid, (unsigned long long)su->id, su->suite_no, unsplit ? "unsplittable" : "splittable",
                 su->is_unsplit, su->print_mode, *bind ? ", bind_oid " : "", bind);

    /* SUB-MAP-21: totals; SUB-MAP-22 (OP-27): weights = amounts, or quantities when Σ amount = 0. Checked: the
     * catalogue's quantities and amounts, the line's unit prices × quantity, every component quantity. */
    char why[200];
    int64_t total_amount = 0, line_price, line_order, disc;
    int total_num = 0;
    for (size_t k = 0; k < n; k++)
        if (__builtin_add_overflow(total_amount, r->det[k].amount, &total_amount) ||
            __builtin_add_overflow(total_num, r->det[k].num, &total_num)) {
            snprintf(why, sizeof why, "suite %s: Σ component quantities or amounts too large", su->suite_no);
            return fail_overflow(s, "SUB-MAP-21", o->oid, why);
        }
    if (__builtin_mul_overflow(o->price, (int64_t)o->num, &line_price) ||
        __builtin_mul_overflow(o->order_price, (int64_t)o->num, &line_order)) {
        snprintf(why, sizeof why, "price × quantity %d too large", o->num);
        return fail_overflow(s, "SUB-MAP-22", o->oid, why);
    }
    if (line_discount(o, &disc)) return fail_overflow(s, "SUB-MAP-22", o->oid, "discount − adjust + share_discount");
    for (size_t k = 0; k < n; k++) {
        int num;
        if (__builtin_mul_overflow(o->num, r->det[k].num, &num) || add_qty(qty, num)) {
            snprintf(why, sizeof why, "suite %s: quantity %d × component quantity %d takes the lines past %d",
                     su->suite_no, o->num, r->det[k].num, INT_MAX);
            return fail_overflow(s, "SUB-MAP-23", o->oid, why);
        }
    }
    int64_t *buf = malloc(sizeof(int64_t) * n * 8);
    if (!buf) return -1;
    int64_t *w = buf, *a_price = buf + n, *a_order = buf + 2 * n, *a_share = buf + 3 * n, *a_post = buf + 4 * n,
            *a_paid = buf + 5 * n, *a_adjust = buf + 6 * n, *a_disc = buf + 7 * n;
    for (size_t k = 0; k < n; k++)
        w[k] = total_amount > 0 ? r->det[k].amount : r->det[k].num;
    /* the line's money, apportioned with one set of weights; unit prices as totals of the line */
    of_money_apportion(line_price, w, n, a_price);
    of_money_apportion(line_order, w, n, a_order);
    of_money_apportion(o->share_amount, w, n, a_share);
    of_money_apportion(o->share_post, w, n, a_post);
    of_money_apportion(o->paid, w, n, a_paid);
    of_money_apportion(o->adjust, w, n, a_adjust);
    of_money_apportion(disc, w, n, a_disc);
    of_trace_add(&s->trace, "SUB-MAP-22", "apportion",
                 "oid %s: share_amount %lld, paid %lld, share_post %lld over %zu components by %s (Σ %lld), "
                 "last takes the remainder",
                 o->oid, (long long)o->share_amount, (long long)o->paid, (long long)o->share_post, n,
                 total_amount > 0 ? "amount" : "quantity", (long long)(total_amount > 0 ? total_amount : total_num));

    /* SUB-MAP-23 */
    for (size_t k = 0; k < n; k++) {
        const of_suite_detail_t *d = &r->det[k];
        const of_spec_t *sp = of_cat_spec(in->cat, d->spec_id); /* checked by resolve() */
        of_line_t *l = of_sub_add_line(s);
        if (!l) {
            free(buf);
            return -1;
        }
        line_base(in, i, sp, refund, delivery_term, l);
        of_str_copy(l->bind_oid, sizeof l->bind_oid, bind);
        l->suite_id = su->id;
        of_str_copy(l->suite_no, sizeof l->suite_no, su->suite_no);
        of_str_copy(l->suite_name, sizeof l->suite_name, su->name);
        l->suite_num = o->num;
        l->gift_type = d->is_gift ? 1 : 0;
        l->num = o->num * d->num;                /* checked above */
        l->actual_num = refund > 2 ? 0 : l->num; /* SUB-MAP-16 */
        l->price = per_unit(a_price[k], l->num);
        l->order_price = per_unit(a_order[k], l->num);
        l->share_amount = a_share[k];
        l->share_post = a_post[k];
        l->paid = a_paid[k];
        l->adjust = a_adjust[k];
        l->discount = a_disc[k];
        l->share_price = per_unit(l->share_amount, l->num);
        l->commission = commission_of(l->share_amount, factor);
        of_trace_add(&s->trace, "SUB-MAP-23", "line",
                     "oid %s component %zu/%zu → spec %llu %s × %d (actual %d), share_amount %lld, paid %lld, "
                     "share_post %lld, discount %lld",
                     o->oid, k + 1, n, (unsigned long long)l->spec_id, l->spec_no, l->num, l->actual_num,
                     (long long)l->share_amount, (long long)l->paid, (long long)l->share_post, (long long)l->discount);
        main_candidate(s, s->nlines - 1, have_main);
    }
    free(buf);
    return 0;
}

/* I_DL_MAP_TRADE_GOODS(0, RAW, P_UseTran = 1): SUB-MAP-01 */
int of_goods_map(const of_subin_t *in, of_sub_t *s) {
    const Orderfleet__RawTrade *raw = in->raw;
    const of_catalog_t *cat = in->cat;
    size_t n = raw->n_orders;

    /* SUB-MAP-02: TMP = s->lines, per raw sub-order flags for I_DL_MARK_INVALID_TRADE */
    free(s->rawo_invalid);
    free(s->rawo_no_api_goods);
    s->rawo_invalid = calloc(n ? n : 1, 1);
    s->rawo_no_api_goods = calloc(n ? n : 1, 1);
    if (!s->rawo_invalid || !s->rawo_no_api_goods) return -1;
    s->nlines = 0;
    s->main_line = 0;
    s->map_goods_count = 0;
    s->map_goods_type_count = 0;
    s->refund_occur = 0;
    int have_main = 0, qty = 0; /* qty: Σ of the lines' quantities, after suite expansion */

    /* SUB-MAP-03: header values */
    of_trace_add(&s->trace, "SUB-MAP-03", "header", "platform %d, shop %llu, tid %s, delivery_term %d, trade_mask %u",
                 raw->platform_id, (unsigned long long)in->shop_id, raw->tid, raw->delivery_term, raw->trade_mask);

    /* SUB-MAP-04: the cursor over the raw sub-orders */
    for (size_t i = 0; i < n; i++) {
        const Orderfleet__RawSubOrder *o = raw->orders[i];
        if (o->num == 0) { /* OP-20: bit 1 as invalid goods; the log tells them apart */
            of_logs_add(&s->logs, OF_LOG_EXCEPTION, "SUB-MAP-04", "货品数量为0: 子订单 %s", o->oid);
            of_trace_add(&s->trace, "SUB-MAP-26", "exit", "goods mapping failed at oid %s", o->oid);
            char why[160];
            snprintf(why, sizeof why, "货品数量为0: oid %s has quantity 0", o->oid);
            return of_sub_stop(s, "SUB-MAP-04", OF_BAD_GOODS, OF_PS_PENDING, why);
        }
        /* SUB-MAP-05 (OP-21: raw rows before suite expansion, refunded rows included); checked (issue 10 item 2) */
        if (__builtin_add_overflow(s->map_goods_count, o->num, &s->map_goods_count)) {
            char why[160];
            snprintf(why, sizeof why, "quantity %d takes the goods count past %d", o->num, INT_MAX);
            return fail_overflow(s, "SUB-MAP-05", o->oid, why);
        }
        s->map_goods_type_count += 1;

        /* SUB-MAP-07: commission factor of the platform category (online) */
        int64_t factor = 0;
        if (raw->platform_id != 0 && *o->cid) {
            const of_category_t *c = of_cat_category(cat, in->shop_id, o->cid);
            factor = c ? c->commission_factor : 0;
            of_trace_add(&s->trace, "SUB-MAP-07", "commission_factor", "oid %s cid %s: %lld/1e6%s", o->oid, o->cid,
                         (long long)factor, c ? "" : " (category not found)");
        }
        /* SUB-MAP-06 / -08 → SUB-MAP-09 */
        res_t r;
        if (resolve(in, i, &r)) return fail_invalid(in, s, i, &r);
        if (r.match_key)
            of_trace_add(&s->trace, "SUB-MAP-08", "match",
                         "oid %s (spec_no %s, goods_no %s) → %s %llu by %s, rule key %d", o->oid, o->spec_no,
                         o->goods_no, r.type == OF_MATCH_SPEC ? "spec" : "suite", (unsigned long long)r.id, r.how,
                         r.match_key);
        else
            of_trace_add(&s->trace, raw->platform_id ? "SUB-MAP-08" : "SUB-MAP-06", "match", "oid %s → %s %llu by %s",
                         o->oid, r.type == OF_MATCH_SPEC ? "spec" : "suite", (unsigned long long)r.id, r.how);

        int refund = of_goods_refund_status(o); /* SUB-MAP-11 */
        if (o->status == 80 || o->status == 90)
            of_trace_add(&s->trace, "SUB-MAP-11", "refund_status", "oid %s status %d → V_RefundStatus 5", o->oid,
                         o->status);
        /* SUB-MAP-12 (OP-23: the maximum over the lines) */
        if (refund > 1 && refund > s->refund_occur) {
            s->refund_occur = refund;
            of_trace_add(&s->trace, "SUB-MAP-12", "refund_occur", "oid %s V_RefundStatus %d > 1: refund order needed",
                         o->oid, refund);
        }
        /* SUB-MAP-14 (OP-24: suites too, before expansion) */
        int delivery_term = raw->delivery_term;
        if ((__int128)o->paid >= (__int128)o->share_amount + o->share_post) { /* no int64 sum to overflow */
            delivery_term = 1;
            if (raw->delivery_term != 1)
                of_trace_add(&s->trace, "SUB-MAP-14", "delivery_term",
                             "oid %s paid %lld ≥ share_amount %lld + share_post %lld → 1 (pay before shipment)", o->oid,
                             (long long)o->paid, (long long)o->share_amount, (long long)o->share_post);
        }
        int rc = r.type == OF_MATCH_SPEC ? map_single(in, s, i, &r, refund, delivery_term, factor, &have_main, &qty)
                                         : map_suite(in, s, i, &r, refund, delivery_term, factor, &have_main, &qty);
        if (rc) return rc; /* 1 stopped (overflow), -1 out of memory */
    }

    /* SUB-MAP-24: the SUB-MAP-17 candidate is the main line */
    if (s->nlines) {
        s->lines[s->main_line].is_main = 1;
        const of_line_t *m = &s->lines[s->main_line];
        of_trace_add(&s->trace, "SUB-MAP-24", "main_line", "line %zu: oid %s spec %s, share_amount %lld%s",
                     s->main_line, m->src_oid, m->spec_no, (long long)m->share_amount,
                     m->refund_status <= 2 ? "" : " (every line refunded: largest amount)");
    }
    of_trace_add(&s->trace, "SUB-MAP-05", "counts", "goods_count %d, goods_type_count %d, %zu lines",
                 s->map_goods_count, s->map_goods_type_count, s->nlines);
    return 0;
}

/* ------------------------------------------------------------------ SUB-CNT */

int of_goods_count_check(const of_subin_t *in, of_sub_t *s) {
    const Orderfleet__RawTrade *raw = in->raw;
    /* SUB-CNT-01 (OP-14: bad_reason |= 2) */
    if (s->map_goods_count != raw->goods_count || s->map_goods_type_count != raw->goods_type_count) {
        of_logs_add(&s->logs, OF_LOG_EXCEPTION, "SUB-CNT-01", "订单货品数量不一致: 货品 %d/%d, 种类 %d/%d",
                    s->map_goods_count, raw->goods_count, s->map_goods_type_count, raw->goods_type_count);
        char why[160];
        snprintf(why, sizeof why, "订单货品数量不一致: mapped %d goods / %d kinds, raw trade %d / %d",
                 s->map_goods_count, s->map_goods_type_count, raw->goods_count, raw->goods_type_count);
        return of_sub_stop(s, "SUB-CNT-01", OF_BAD_COUNT, OF_PS_PENDING, why);
    }
    /* SUB-CNT-02 (OP-28: the raw trade's wms_type) */
    s->wms_type = raw->wms_type < 0 ? 0 : raw->wms_type;
    if (raw->wms_type < 0)
        of_trace_add(&s->trace, "SUB-CNT-02", "wms_type", "%d < 0 → 0 (upgrade transition)", raw->wms_type);
    return 0;
}

/* SUB-MAP-11: 80 / 90 → 5, else the sub-order's refund_status */
int of_goods_refund_status(const Orderfleet__RawSubOrder *o) {
    return (o->status == 80 || o->status == 90) ? 5 : o->refund_status;
}
