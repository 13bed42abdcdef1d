/* of_unblock.h -- which stopped submissions a configuration change can unblock (issue 15 part 4, OP-10): a raw trade
 * a rule stopped (api_trade.submit_rule) stays pending until it is submitted again; the catalogue refresh of
 * trade-submit (OF_RESUBMIT_AUTO) re-submits those whose rule depends on a table that changed after the stop. Pure. */
#ifndef OF_UNBLOCK_H
#define OF_UNBLOCK_H
#include <stddef.h>

#define OF_UNBLOCK_RULES_MAX 256 /* the longest rules list of a step ("SUB-MAP-06,SUB-MAP-10,...") */

/* One step of the automatic re-submission: the raw trades stopped by one of `rules` (comma-separated) before the
 * last change of `table` (its `column`: MAX(column) is the time of that change). per_trade: the change is a row of
 * the trade's own platform goods (api_goods_spec: a row of one of its sub-orders, matched, changed after the stop),
 * not the table's last change. */
typedef struct {
    const char *table, *column;
    int per_trade;
    char rules[OF_UNBLOCK_RULES_MAX];
} of_unblock_step_t;

/* The tables the decision knows (each with the rules its change can unblock), in a fixed order; *n their number. */
const of_unblock_step_t *of_unblock_steps(size_t *n);
/* The steps for the changed tables (changed: comma-separated table names, as of_catload_stats_t.tables; unknown
 * names are ignored): at most max into out, in the order of of_unblock_steps(); returns their number. */
size_t of_unblock_plan(const char *changed, of_unblock_step_t *out, size_t max);
/* The tables (comma-separated, into buf) whose change can unblock `rule`; "" when none (the stop comes from the raw
 * trade itself: a new version of it or an operator's `ordctl resubmit` submits it again). Returns buf. */
const char *of_unblock_tables(const char *rule, char *buf, size_t size);

#endif
