/* of_aggregate.c -- order values of a submitted raw trade: SUB-AGG-01…-04. Pure. */
#include "of_aggregate.h"
#include <stdio.h>
#include <string.h>
#include "of_money.h"
#include "of_time.h"

typedef unsigned long long ull;

int of_aggregate(const of_subin_t *in, of_sub_t *s) {
    /* SUB-AGG-03 first (OP-41); line refunded = refund_status > 2, application = 2 (OP-02). */
    size_t refunded = 0, applied = 0;
    for (size_t i = 0; i < s->nlines; i++) {
        if (s->lines[i].refund_status > 2)
            refunded++;
        else if (s->lines[i].refund_status == 2)
            applied++;
    }
    s->cancelled = 0;
    if (s->nlines && refunded == s->nlines) {
        s->refund_status = OF_TRS_FULL;
        s->cancelled = 1;
    } else if (refunded) {
        s->refund_status = OF_TRS_PARTIAL;
    } else if (applied) {
        s->refund_status = OF_TRS_APPLIED;
    } else {
        s->refund_status = OF_TRS_NONE;
    }
    static const char *const trs_name[] = {"无退款", "申请退款", "部分退款", "全部退款"};
    of_trace_add(&s->trace, "SUB-AGG-03", "refund_status",
                 "%d %s: %zu of %zu lines refunded (refund_status > 2), %zu applied (= 2)%s", s->refund_status,
                 trs_name[s->refund_status], refunded, s->nlines, applied,
                 s->cancelled ? "; every line refunded → order cancelled (SUB-STAT-01)" : "");

    /* SUB-AGG-01 (OP-40): lines whose refund is not completed (refund_status < 5) and actual_num > 0. */
    of_agg_t *a = &s->agg;
    memset(a, 0, sizeof *a);
    size_t n = 0, first = 0;
    int all_pbs = 1;
    for (size_t i = 0; i < s->nlines; i++) {
        const of_line_t *l = &s->lines[i];
        if (l->refund_status >= 5 || l->actual_num <= 0) continue;
        if (!n) first = i;
        n++;
        int distinct = 1;
        for (size_t j = 0; j < i && distinct; j++)
            if (s->lines[j].refund_status < 5 && s->lines[j].actual_num > 0 && s->lines[j].spec_id == l->spec_id)
                distinct = 0;
        a->goods_type_count += distinct;
        a->goods_count += l->actual_num;
        a->weight += l->weight * l->actual_num;
        a->volume += l->volume * l->actual_num;
        a->goods_amount += l->share_amount;
        a->post_amount += l->share_post;
        a->paid += l->paid;
        a->discount += l->discount;
        a->commission += l->commission;
        a->gift_mask |= (uint32_t)l->gift_type;
        if (l->is_not_use_air > a->is_not_use_air) a->is_not_use_air = l->is_not_use_air;
        if (l->delivery_term != 1) all_pbs = 0;
    }
    a->delivery_term = n && all_pbs ? 1 : in->raw->delivery_term;
    a->pbs_amount = a->paid;
    a->cod_amount = a->goods_amount + a->post_amount - a->paid;
    char w[24], v[24], g[24], p[24], pd[24], cod[24];
    of_trace_add(&s->trace, "SUB-AGG-01", "aggregate",
                 "%zu of %zu lines (refund_status < 5, actual_num > 0): goods_count %d, weight %s kg, volume %s cm3, "
                 "goods_amount %s, post %s, paid %s, cod_amount %s, delivery_term %d%s, gift_mask %u, no_air %d",
                 n, s->nlines, a->goods_count, of_money_fmt(a->weight, w, sizeof w),
                 of_money_fmt(a->volume, v, sizeof v), of_money_fmt(a->goods_amount, g, sizeof g),
                 of_money_fmt(a->post_amount, p, sizeof p), of_money_fmt(a->paid, pd, sizeof pd),
                 of_money_fmt(a->cod_amount, cod, sizeof cod), a->delivery_term,
                 n && all_pbs ? " (every line PBS)" : " (raw delivery_term)", a->gift_mask, a->is_not_use_air);

    /* SUB-AGG-02: no shippable goods (the full-refund path of SUB-AGG-03 is not an error, OP-41). */
    if (!n && !s->cancelled)
        return of_sub_stop(s, "SUB-AGG-02", OF_BAD_NO_GOODS, s->raw_process_status,
                           "订单无货品: no line with refund_status < 5 and actual_num > 0");

    /* SUB-AGG-04: kind count and the single spec_no. */
    a->single_spec_no[0] = '\0';
    if (a->goods_type_count == 1) snprintf(a->single_spec_no, sizeof a->single_spec_no, "%s", s->lines[first].spec_no);
    of_trace_add(&s->trace, "SUB-AGG-04", "kinds", "goods_type_count %d, goods_count %d%s%s", a->goods_type_count,
                 a->goods_count, a->goods_type_count == 1 ? ", single spec_no " : "", a->single_spec_no);
    return 0;
}
