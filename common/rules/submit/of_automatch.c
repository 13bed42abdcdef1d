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

static int lower(int c) {
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* platform span == system code (ASCII case folded when ic) */
static int code_eq(const char *p, size_t n, const char *sys, int ic) {
    if (strlen(sys) != n) return 0;
    for (size_t i = 0; i < n; i++)
        if (ic ? lower((unsigned char)p[i]) != lower((unsigned char)sys[i]) : p[i] != sys[i]) return 0;
    return 1;
}

static int match_spec(const of_catalog_t *cat, const of_match_rule_t *r, const char *gn, size_t gl, const char *sn,
                      size_t sl, of_match_t *out) {
    const of_spec_t *hit = NULL;
    size_t nhit = 0;
    for (size_t i = 0; i < cat->nspecs; i++) {
        const of_spec_t *sp = &cat->specs[i];
        if (sp->deleted) continue;
        int ok = 0;
        if (r->match_key == OF_MK_SPEC_NO)
            ok = sl && code_eq(sn, sl, sp->spec_no, r->ignore_case);
        else if (r->match_key == OF_MK_GOODS_SPEC_NO)
            ok = sl && gl && code_eq(sn, sl, sp->spec_no, r->ignore_case) &&
                 code_eq(gn, gl, sp->goods_no, r->ignore_case);
        else if (r->match_key == OF_MK_GOODS_NO)
            ok = gl && code_eq(gn, gl, sp->goods_no, r->ignore_case);
        if (ok && !nhit++) hit = sp;
        if (ok && r->match_key != OF_MK_GOODS_NO) break; /* spec_no is unique */
    }
    if (!hit || nhit != 1) return 0; /* key 3: the goods must have exactly one non-deleted spec */
    out->type = OF_MATCH_SPEC;
    out->id = hit->id;
    of_str_copy(out->code, sizeof out->code, hit->spec_no);
    return 1;
}

static int match_suite(const of_catalog_t *cat, const of_match_rule_t *r, const char *sn, size_t sl, of_match_t *out) {
    if (r->match_key != OF_MK_SPEC_NO && r->match_key != OF_MK_GOODS_SPEC_NO) return 0; /* key 3: specs only */
    if (!sl) return 0;
    for (size_t i = 0; i < cat->nsuites; i++) {
        const of_suite_t *su = &cat->suites[i];
        if (su->deleted || !code_eq(sn, sl, su->suite_no, r->ignore_case)) continue;
        out->type = OF_MATCH_SUITE;
        out->id = su->id;
        of_str_copy(out->code, sizeof out->code, su->suite_no);
        return 1;
    }
    return 0;
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
