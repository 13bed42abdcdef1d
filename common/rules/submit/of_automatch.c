/* of_automatch.c -- platform goods → system goods by the shop's match rules (INIT-05/06, SUB-MAP-08). Pure. */
#include "of_automatch.h"
#include <string.h>
#include "of_str.h"

static int is_sp(char c) {
    return c == ' ' || c == '\t';
}

/* platform code [*b, *b + *n) after optional trimming of ASCII spaces */
static void code_span(const char *code, int trim, const char **bp, size_t *np) {
    const char *b = code ? code : "";
    size_t n = strlen(b);
    if (trim) {
        while (n && is_sp(*b))
            b++, n--;
        while (n && is_sp(b[n - 1]))
            n--;
    }
    *bp = b;
    *np = n;
}

/* The catalogue's code indexes compare as the rules say (byte for byte, or ASCII case folded when ignore_case; an
 * empty code matches nothing; deleted rows never match): test_catalog checks them against a scan. */
static int match_spec(const of_catalog_t *cat, const of_match_rule_t *r, const char *gn, size_t gl, const char *sn,
                      size_t sl, of_match_t *out) {
    const of_spec_t *hit = NULL;
    size_t nhit = 1;
    if (r->match_key == OF_MK_SPEC_NO)
        hit = of_cat_spec_by_no(cat, sn, sl, NULL, 0, r->ignore_case);
    else if (r->match_key == OF_MK_GOODS_SPEC_NO)
        hit = of_cat_spec_by_no(cat, sn, sl, gn, gl, r->ignore_case);
    else if (r->match_key == OF_MK_GOODS_NO)
        hit = of_cat_spec_by_goods_no(cat, gn, gl, r->ignore_case, &nhit);
    if (!hit || nhit != 1) return 0; /* key 3: the goods must have exactly one non-deleted spec */
    out->type = OF_MATCH_SPEC;
    out->id = hit->id;
    of_str_copy(out->code, sizeof out->code, hit->spec_no);
    return 1;
}

static int match_suite(const of_catalog_t *cat, const of_match_rule_t *r, const char *sn, size_t sl, of_match_t *out) {
    if (r->match_key != OF_MK_SPEC_NO && r->match_key != OF_MK_GOODS_SPEC_NO) return 0; /* key 3: specs only */
    const of_suite_t *su = of_cat_suite_by_no(cat, sn, sl, r->ignore_case);
    if (!su) return 0;
    out->type = OF_MATCH_SUITE;
    out->id = su->id;
    of_str_copy(out->code, sizeof out->code, su->suite_no);
    return 1;
}

static int try_rule(const of_catalog_t *cat, const of_match_rule_t *r, const char *goods_no, const char *spec_no,
                    of_match_t *out) {
    const char *gn, *sn;
    size_t gl, sl;
    code_span(goods_no, r->trim_space, &gn, &gl);
    code_span(spec_no, r->trim_space, &sn, &sl);
    int found = 0;
    if (r->target_scope == 0 || r->target_scope == 1) found = match_spec(cat, r, gn, gl, sn, sl, out);
    if (!found && (r->target_scope == 0 || r->target_scope == 2)) found = match_suite(cat, r, sn, sl, out);
    if (found) out->match_key = r->match_key;
    return found;
}

/* INIT-06 / SUB-MAP-08 (OP-09) */
int of_automatch(const of_catalog_t *cat, uint64_t shop_id, const char *goods_no, const char *spec_no,
                 of_match_t *out) {
    memset(out, 0, sizeof *out);
    out->type = OF_MATCH_NONE;
    int any = 0;
    /* match_rules are sorted by priority desc (of_cat_index); within one priority the shop's rules go first */
    for (size_t i = 0; i < cat->nmatch_rules;) {
        size_t j = i;
        while (j < cat->nmatch_rules && cat->match_rules[j].priority == cat->match_rules[i].priority)
            j++;
        for (int pass = 0; pass < 2; pass++)
            for (size_t k = i; k < j; k++) {
                const of_match_rule_t *r = &cat->match_rules[k];
                if (pass == 0 ? (r->shop_id != shop_id || shop_id == 0) : r->shop_id != 0) continue;
                any = 1;
                if (try_rule(cat, r, goods_no, spec_no, out)) return out->type;
            }
        i = j;
    }
    if (!any) { /* no rule configured: the schema default row of cfg_auto_match_rule */
        const of_match_rule_t def = {.match_key = OF_MK_SPEC_NO, .target_scope = 0, .ignore_case = 1, .trim_space = 1};
        if (try_rule(cat, &def, goods_no, spec_no, out)) return out->type;
    }
    memset(out, 0, sizeof *out);
    return OF_MATCH_NONE;
}

/* INIT-05 */
int of_automatch_candidate(uint32_t modify_flag, int is_manual_match, int status) {
    return modify_flag > 0 && is_manual_match == 0 && status > 0;
}
