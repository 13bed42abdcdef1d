/* of_automatch.h -- platform goods → system goods by the shop's match rules (INIT-05/06, SUB-MAP-08). Pure. */
#ifndef OF_AUTOMATCH_H
#define OF_AUTOMATCH_H
#include <stdint.h>
#include "of_catalog.h"

/* The result of matching platform goods to system goods. */
typedef struct {
    int type;           /* OF_MATCH_* */
    uint64_t id;        /* spec_id or suite_id */
    char code[OF_CODE]; /* spec_no / suite_no of the target */
    int match_key;      /* OF_MK_* of the rule that found it (explain), 0 = none */
} of_match_t;

/* INIT-06 / SUB-MAP-08 auto-match rule (OP-09): try cat->match_rules of shop_id (or 0) by priority; the first
 * rule that finds a target wins. Keys: 1 spec_no = spec_no / suite_no; 2 goods_no + spec_no (a single spec
 * whose goods_no and spec_no both match; suites: suite_no = spec_no); 3 goods_no (goods with exactly one
 * non-deleted spec). Scope 0 specs then suites, 1 specs, 2 suites. ignore_case / trim_space as in the rule.
 * Deleted specs and suites are never targets; an empty (trimmed) code matches nothing. Equal priorities: the
 * shop's own rule before the all-shops rule. No rule configured for the shop → the schema-default rule
 * (spec_no, specs then suites, ignore case, trim spaces). No match → out->type = OF_MATCH_NONE.
 * Returns out->type. */
int of_automatch(const of_catalog_t *cat, uint64_t shop_id, const char *goods_no, const char *spec_no, of_match_t *out);

/* INIT-05: 1 when a platform goods row is an auto-match candidate: modify_flag > 0 (changed or new, OP-08),
 * automatic matching (is_manual_match = 0) and not deleted (status > 0). The worker writes of_automatch()'s
 * result (INIT-06: match_target_type/id/code, is_stock_change = 1, also for no match, OP-09). */
int of_automatch_candidate(uint32_t modify_flag, int is_manual_match, int status);

#endif
