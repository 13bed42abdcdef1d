/* of_flags.c -- the flags a submitted order sets on itself and its customer's other orders: SUB-FLAG-01…-03,
 * SUB-WU-01/02. Pure. */
#include "of_flags.h"
#include <stdio.h>
#include <string.h>
#include "of_money.h"
#include "of_time.h"

typedef unsigned long long ull;

/* §1.16 literal sets (OP-03: each rule keeps its own bounds). */
static const int FLAG_PAID[] = {13, 16, 19, 20, 27}; /* SUB-FLAG-02, L266 */
static const int WU_HOLD[] = {16, 20};               /* SUB-WU-01, L275 */
static const int WU_OWN[] = {16, 20, 27};            /* SUB-WU-02, L276 */
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
/* SUB-FLAG-01/02: siblings 10 ≤ s ≤ 95 (L265, L267). */
#define SIB_LO 10
#define SIB_HI 95

static int in_set(int v, const int *set, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (set[i] == v) return 1;
    return 0;
}

int of_flags_decide(const of_subin_t *in, of_sub_t *s) {
    const int own = s->status;
    const int64_t wait = in->cat->set.wait_unpaid_s;

    /* SUB-FLAG-01 (own 10 → bit 1) / SUB-FLAG-02 (own paid → bit 2) on siblings 10 ≤ s ≤ 95. */
    uint32_t bit = own == OF_ST_UNPAID                        ? OF_UM_HAS_UNPAID
                   : in_set(own, FLAG_PAID, NELEM(FLAG_PAID)) ? OF_UM_SAME_NAME
                                                              : 0;
    const char *frule = own == OF_ST_UNPAID ? "SUB-FLAG-01" : "SUB-FLAG-02";
    for (size_t i = 0; bit && i < in->nsiblings; i++) {
        const of_sibling_t *sb = &in->siblings[i];
        if (sb->status < SIB_LO || sb->status > SIB_HI) continue;
        if (of_sub_sib_update(s, sb->trade_id, bit, 0, 0)) return -1;
        of_trace_add(&s->trace, frule, "sibling", "order %llu (status %d): unmerge_mask |= %u (%s)", (ull)sb->trade_id,
                     sb->status, bit, bit == OF_UM_HAS_UNPAID ? "有未付款订单" : "同名未合并");
    }

    /* SUB-FLAG-03: own mask from the siblings: = 10 → bit 1, 10 < s ≤ 95 → bit 2. */
    s->unmerge_mask = 0;
    for (size_t i = 0; i < in->nsiblings; i++) {
        int st = in->siblings[i].status;
        if (st == OF_ST_UNPAID) s->unmerge_mask |= OF_UM_HAS_UNPAID;
        if (st > 10 && st <= 95) s->unmerge_mask |= OF_UM_SAME_NAME;
    }
    of_trace_add(&s->trace, "SUB-FLAG-03", "unmerge_mask", "%u over %zu siblings (status 10 → 1, 10 < status ≤ 95 → 2)",
                 s->unmerge_mask, in->nsiblings);

    /* SUB-WU-01: an unpaid order holds its paid siblings {16, 20} until own trade_time + WAIT_UNPAID. */
    if (own == OF_ST_UNPAID && (s->unmerge_mask & OF_UM_SAME_NAME)) {
        int64_t until = of_time_parse(in->raw->trade_time) + wait;
        char u[32];
        of_time_format(until, u, sizeof u);
        if (in->now <= until) {
            for (size_t i = 0; i < in->nsiblings; i++) {
                const of_sibling_t *sb = &in->siblings[i];
                if (!in_set(sb->status, WU_HOLD, NELEM(WU_HOLD))) continue;
                if (of_sub_sib_update(s, sb->trade_id, 0, OF_ST_WAIT_UNPAID, until)) return -1;
                of_trace_add(&s->trace, "SUB-WU-01", "sibling", "order %llu (status %d) → 15 等未付 until %s",
                             (ull)sb->trade_id, sb->status, u);
            }
        } else {
            of_trace_add(&s->trace, "SUB-WU-01", "hold", "wait ended %s: siblings not held", u);
        }
    }

    /* SUB-WU-02: a paid order waits for the customer's most recent unpaid order. */
    const of_sibling_t *latest = NULL;
    if (in_set(own, WU_OWN, NELEM(WU_OWN)) && (s->unmerge_mask & OF_UM_HAS_UNPAID))
        for (size_t i = 0; i < in->nsiblings; i++)
            if (in->siblings[i].status == OF_ST_UNPAID && (!latest || in->siblings[i].trade_time > latest->trade_time))
                latest = &in->siblings[i];
    if (latest) {
        int64_t until = latest->trade_time + wait;
        char u[32];
        of_time_format(until, u, sizeof u);
        if (in->now <= until) {
            s->status = OF_ST_WAIT_UNPAID;
            s->delay_to_time = until;
            if (own == OF_ST_GRAB) s->grab = 0; /* OP-49: the grab attempt is abandoned */
            of_trace_add(&s->trace, "SUB-WU-02", "status", "15 等未付 (was %d) until %s: unpaid order %llu%s", own, u,
                         (ull)latest->trade_id, own == OF_ST_GRAB ? "; grab abandoned (OP-49)" : "");
            of_logs_add(&s->logs, OF_LOG_WAIT_UNPAID, "SUB-WU-02", "等未付: 等待同名未付款订单 %llu 至 %s",
                        (ull)latest->trade_id, u);
        } else {
            of_trace_add(&s->trace, "SUB-WU-02", "wait", "unpaid order %llu: wait ended %s, status stays %d",
                         (ull)latest->trade_id, u, own);
        }
    }
    return 0;
}
