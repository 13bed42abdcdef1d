/* of_midmrg.c -- auto-merge (spec trade-rules §5, MID-MRG-01…-03; OP-77, OP-78, OP-79; docs/decisions.md D-MID-4,
 * D-MID-5, D-MID-6): eligibility, the merge conditions between two orders, and the merged order's values. Pure. */
#include "of_midmrg.h"
#include <stdio.h>
#include <string.h>

static int same(const char *a, const char *b) {
    return !strcmp(a ? a : "", b ? b : "");
}

int of_midmrg_gate(const of_mid_order_t *o) {
    return o->shop_split_merge && o->delivery_term == 1 && !o->is_sealed;
}

const char *of_midmrg_why_not(const of_mid_order_t *a, const of_mid_order_t *b, const of_mid_cfg_t *cfg) {
    if (a->shop_id != b->shop_id) return "different shops";
    if (!of_midmrg_gate(a) || !of_midmrg_gate(b)) return "MID-MRG-01: the shop does not merge, COD, or sealed";
    if (a->freeze_reason || b->freeze_reason) return "frozen";
    if (a->block_reason || b->block_reason) return "intercepted (block_reason)";
    if (a->is_split || b->is_split || a->split || b->split) return "split before"; /* in this plan too (未拆分) */
    if (a->is_big_indep || b->is_big_indep) return "independent big item";
    if (!same(a->receiver_name, b->receiver_name) || !same(a->receiver_mobile, b->receiver_mobile) ||
        !same(a->receiver_province, b->receiver_province) || !same(a->receiver_city, b->receiver_city) ||
        !same(a->receiver_district, b->receiver_district) || !same(a->receiver_address, b->receiver_address))
        return "different receivers";
    /* MID-MRG-02.1 (OP-78): different warehouses merge (the merged lines move to the main order's warehouse), unless
     * CFG_WH_CHANGE_PROMPT is on and one of them is locked */
    if (a->warehouse_id != b->warehouse_id && cfg->wh_change_prompt && (a->is_locked_wh || b->is_locked_wh))
        return "MID-MRG-02: different warehouses, one locked, CFG_WH_CHANGE_PROMPT on";
    return NULL;
}

/* tids of `add` not in `dst` appended to it (comma-separated); -1 when the result would not fit size. */
static int join_tids(char *dst, size_t size, const char *add) {
    char out[2048];
    snprintf(out, sizeof out, "%s", dst);
    size_t len = strlen(out);
    for (const char *p = add ? add : ""; *p;) {
        const char *e = strchr(p, ',');
        size_t k = e ? (size_t)(e - p) : strlen(p);
        int found = 0;
        for (const char *q = out; k && *q;) {
            const char *qe = strchr(q, ',');
            size_t qk = qe ? (size_t)(qe - q) : strlen(q);
            if (qk == k && !memcmp(q, p, k)) found = 1;
            q = qe ? qe + 1 : q + qk;
        }
        if (k && !found) {
            if (len + k + 2 > size || len + k + 2 > sizeof out) return -1;
            if (len) out[len++] = ',';
            memcpy(out + len, p, k);
            len += k;
            out[len] = '\0';
        }
        p = e ? e + 1 : p + k;
    }
    memcpy(dst, out, len + 1);
    return 0;
}

/* §1.6 over two orders: equal stays; none and applied give applied; any other mix is partly refunded */
static int merged_refund(int a, int b) {
    if (a == b) return a;
    if (a <= 1 && b <= 1) return 1;
    return 2;
}

/* add's text after dst's ("；" between), unless dst has it already; -1 when it would not fit */
static int join_remark(char *dst, size_t size, const char *add) {
    if (!add || !*add || strstr(dst, add)) return 0;
    size_t a = strlen(dst), b = strlen(add), sep = a ? strlen("；") : 0;
    if (a + sep + b + 1 > size) return -1;
    snprintf(dst + a, size - a, "%s%s", a ? "；" : "", add);
    return 0;
}

int of_midmrg_into(of_mid_order_t *into, of_mid_order_t *from, of_mid_line_t *lines, size_t nlines, const char *rule) {
    char tids[sizeof into->src_tids_out];
    memcpy(tids, into->src_tids_out, sizeof tids);
    if (join_tids(tids, sizeof tids, from->src_tids_out)) {
        of_logs_add(&from->logs, OF_LOG_MERGE, rule, "不合并到订单 %llu: the joined raw tids exceed 1023 bytes",
                    (unsigned long long)into->trade_id);
        return -1;
    }
    memcpy(into->src_tids_out, tids, sizeof tids);
    /* D-MID-6: the buyer's and the service desk's remarks of both, and the refund status over both */
    if (join_remark(into->cs_remark_out, sizeof into->cs_remark_out, from->cs_remark_out))
        of_logs_add(&into->logs, OF_LOG_MERGE, rule,
                    "客服备注 of order %llu not copied: the joined text exceeds 1023 "
                    "bytes",
                    (unsigned long long)from->trade_id);
    if (join_remark(into->buyer_message_out, sizeof into->buyer_message_out, from->buyer_message_out))
        of_logs_add(&into->logs, OF_LOG_MERGE, rule,
                    "客户备注 of order %llu not copied: the joined text exceeds 1023 "
                    "bytes",
                    (unsigned long long)from->trade_id);
    into->new_refund_status = merged_refund(into->new_refund_status, from->new_refund_status);
    of_mid_sums_t *s = &into->sums;
    const of_mid_sums_t *f = &from->sums;
    s->goods_amount += f->goods_amount;
    s->post_amount += f->post_amount;
    s->discount += f->discount;
    s->receivable += f->receivable;
    s->paid += f->paid;
    s->pbs_amount += f->pbs_amount;
    s->cod_amount += f->cod_amount;
    s->goods_cost += f->goods_cost;
    s->commission += f->commission;
    s->goods_count += f->goods_count;
    /* D-MID-6: the goods' weight and volume move with their lines; the package of the order merged away does not
     * (the main order's package stays, counted once) */
    for (size_t i = 0; i < nlines; i++) {
        of_mid_line_t *l = &lines[i];
        if (l->new_trade_id != from->trade_id) continue;
        l->new_trade_id = into->trade_id;
        s->weight += l->weight * l->actual_num;
        s->volume += l->volume * l->actual_num;
    }
    into->gift_mask |= from->gift_mask;
    into->merged = 1;
    from->merged_into = into->trade_id;
    from->merge_rule = rule;
    of_logs_add(&into->logs, OF_LOG_MERGE, rule, "%s: 订单 %llu 合并到本订单 (%s)",
                !strcmp(rule, "MID-MRG-03") ? "自动合并" : "合并", (unsigned long long)from->trade_id,
                from->src_tids_out);
    of_logs_add(&from->logs, OF_LOG_MERGE, rule, "%s: 合并到订单 %llu, 本订单删除",
                !strcmp(rule, "MID-MRG-03") ? "自动合并" : "合并", (unsigned long long)into->trade_id);
    return 0;
}

void of_midmrg_kinds(const of_mid_line_t *lines, size_t nlines, uint64_t trade_id, int split, int *kinds, char *single,
                     size_t size, uint32_t *gift_mask) {
    /* SUB-AGG-04 over the lines an order holds after the plan: distinct specs with goods left, and the spec_no when
     * there is one; the OR of their gift types */
    const char *first_no = "";
    int k = 0;
    uint32_t gm = 0;
    for (size_t i = 0; i < nlines; i++) {
        const of_mid_line_t *l = &lines[i];
        if (l->new_trade_id != trade_id || l->new_split != split || l->actual_num <= 0) continue;
        gm |= (uint32_t)l->gift_type;
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = lines[j].new_trade_id == trade_id && lines[j].new_split == split && lines[j].actual_num > 0 &&
                   lines[j].spec_id == l->spec_id;
        if (seen) continue;
        if (!k++) first_no = l->spec_no ? l->spec_no : "";
    }
    *kinds = k;
    snprintf(single, size, "%s", k == 1 ? first_no : "");
    if (gift_mask) *gift_mask = gm;
}

void of_midmrg_counts(of_mid_order_t *o, const of_mid_line_t *lines, size_t nlines) {
    uint32_t gm = 0;
    of_midmrg_kinds(lines, nlines, o->trade_id, -1, &o->goods_type_count, o->single_spec_no, sizeof o->single_spec_no,
                    &gm);
    if (o->split) o->gift_mask = gm; /* lines left: the gifts that went with them are not here any more */
}
