/* of_unblock.c -- the rule ↔ configuration-table map of the automatic re-submission (of_unblock.h). */
#include "of_unblock.h"
#include <stdio.h>
#include <string.h>

/* Which rule reads which table (docs/decisions.md D-RS-2). Rules absent here stop on the raw trade's own data
 * (SUB-TYPE-02 no goods, SUB-MAP-04 zero quantity, SUB-MAP-05/16 amounts, SUB-CNT-01 count mismatch, SUB-AGG-02
 * nothing left to ship): no configuration change unblocks them. */
static const of_unblock_step_t STEPS[] = {
    /* a platform goods row of the trade matched (by hand or INIT-06) or re-matched to another system goods */
    {"api_goods_spec", "modified_at", 1, "SUB-MAP-09,SUB-MAP-10,SUB-MAP-13,SUB-MAP-18,SUB-MAP-21"},
    /* system goods added or restored: by merchant code offline (SUB-MAP-06), dynamic match (-10), the match's spec */
    {"goods_spec", "modified_at", 0, "SUB-MAP-06,SUB-MAP-10,SUB-MAP-13"},
    {"goods_suite", "modified_at", 0, "SUB-MAP-06,SUB-MAP-10,SUB-MAP-18"},
    /* a suite's components (deleted component, empty suite, quantities that overflowed) */
    {"goods_suite_detail", "modified_at", 0, "SUB-MAP-10,SUB-MAP-21,SUB-MAP-22,SUB-MAP-23"},
    {"cfg_auto_match_rule", "modified_at", 0, "SUB-MAP-10"},
    /* CFG_DYNAMIC_MATCH and the other settings of the mapping */
    {"cfg_setting", "modified_at", 0, "SUB-MAP-09,SUB-MAP-10"},
    /* no valid warehouse (SUB-WH-11): warehouses, a shop's warehouses, areas, goods' warehouses, shop settings */
    {"cfg_warehouse", "modified_at", 0, "SUB-WH-11"},
    {"cfg_shop_warehouse", "created_at", 0, "SUB-WH-11"},
    {"cfg_warehouse_area", "created_at", 0, "SUB-WH-11"},
    {"goods_spec_warehouse", "modified_at", 0, "SUB-WH-11"},
    {"cfg_shop", "modified_at", 0, "SUB-WH-11"},
};
#define NSTEPS (sizeof STEPS / sizeof STEPS[0])

const of_unblock_step_t *of_unblock_steps(size_t *n) {
    *n = NSTEPS;
    return STEPS;
}

/* name is one of the comma-separated items of list */
static int in_list(const char *list, const char *name) {
    size_t n = strlen(name);
    for (const char *p = list; p && *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        while (len && *p == ' ')
            p++, len--;
        while (len && p[len - 1] == ' ')
            len--;
        if (len == n && !strncmp(p, name, n)) return 1;
        p = e ? e + 1 : NULL;
    }
    return 0;
}

size_t of_unblock_plan(const char *changed, of_unblock_step_t *out, size_t max) {
    size_t k = 0;
    for (size_t i = 0; i < NSTEPS && k < max; i++)
        if (in_list(changed, STEPS[i].table)) out[k++] = STEPS[i];
    return k;
}

const char *of_unblock_tables(const char *rule, char *buf, size_t size) {
    size_t len = 0;
    if (size) buf[0] = '\0';
    for (size_t i = 0; i < NSTEPS && size; i++)
        if (in_list(STEPS[i].rules, rule)) {
            int w = snprintf(buf + len, size - len, "%s%s", len ? "," : "", STEPS[i].table);
            if (w < 0 || (size_t)w >= size - len) {
                buf[len] = '\0'; /* a table does not fit: the list stops before it */
                break;
            }
            len += (size_t)w;
        }
    return buf;
}
