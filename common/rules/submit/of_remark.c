/* of_remark.c -- remark extraction: CS remark (I_DL_EXTRACT_REMARK, SUB-CFG-02) and client remark
 * (I_DL_EXTRACT_CLIENT_REMARK, SUB-CFG-04). Pure: reads the catalogue, writes the out struct and the trace. */
#include "of_remark.h"
#include <string.h>

#define RULE_CS "SUB-CFG-02"
#define RULE_CLIENT "SUB-CFG-04"

static int is_ascii_space(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* U+3000 IDEOGRAPHIC SPACE (全角空格) is E3 80 80 in UTF-8. */
static int is_fullwidth_space(const char *p, size_t n) {
    return n >= 3 && (unsigned char)p[0] == 0xE3 && (unsigned char)p[1] == 0x80 && (unsigned char)p[2] == 0x80;
}

/* Trim ASCII whitespace and full-width spaces from both ends of [*sp, *sp + *np). */
static void trim(const char **sp, size_t *np) {
    const char *s = *sp;
    size_t n = *np;
    for (;;) {
        if (n && is_ascii_space((unsigned char)s[0])) {
            s++, n--;
        } else if (is_fullwidth_space(s, n)) {
            s += 3, n -= 3;
        } else {
            break;
        }
    }
    for (;;) {
        if (n && is_ascii_space((unsigned char)s[n - 1])) {
            n--;
        } else if (n >= 3 && is_fullwidth_space(s + n - 3, 3)) {
            n -= 3;
        } else {
            break;
        }
    }
    *sp = s;
    *np = n;
}

/* First occurrence of needle (NUL-terminated, non-empty) in [hay, hay + n), NULL when absent. */
static const char *find(const char *hay, size_t n, const char *needle) {
    size_t k = strlen(needle);
    if (!k || k > n) return NULL;
    for (size_t i = 0; i + k <= n; i++)
        if (hay[i] == needle[0] && !memcmp(hay + i, needle, k)) return hay + i;
    return NULL;
}

static const char *kind_name(int target_type) {
    switch (target_type) {
    case OF_RX_LOGISTICS:
        return "logistics";
    case OF_RX_FLAG:
        return "flag";
    case OF_RX_SALESMAN:
        return "salesman";
    case OF_RX_WAREHOUSE:
        return "warehouse";
    case OF_RX_PREORDER:
        return "preorder";
    case OF_RX_FREEZE:
        return "freeze";
    default:
        return "unknown";
    }
}

/* The output slot of a target type; preorder is an int flag, reported through *flagp. */
static uint64_t *slot_of(of_remark_out_t *out, int target_type) {
    switch (target_type) {
    case OF_RX_LOGISTICS:
        return &out->logistics_id;
    case OF_RX_FLAG:
        return &out->flag_id;
    case OF_RX_SALESMAN:
        return &out->salesman_id;
    case OF_RX_WAREHOUSE:
        return &out->warehouse_id;
    case OF_RX_FREEZE:
        return &out->freeze_reason;
    default:
        return NULL;
    }
}

/* SUB-CFG-02 (a): the salesman between a configured prefix and suffix (suffix '' or not found = to the end),
 * trimmed, must be the name of an employee. Every occurrence of the prefix is tried; first rule that names an
 * employee wins. Returns the employee id, 0 when none. */
static uint64_t salesman_by_prefix(const of_catalog_t *cat, const char *t, size_t n, of_trace_t *tr) {
    for (size_t r = 0; r < cat->nsalesman_rules; r++) {
        const of_salesman_rule_t *sr = &cat->salesman_rules[r];
        size_t plen = strlen(sr->prefix);
        size_t pos = 0;
        while (pos <= n) {
            const char *p = plen ? find(t + pos, n - pos, sr->prefix) : t + pos;
            if (!p) break;
            const char *start = p + plen;
            size_t rest = (size_t)(t + n - start);
            const char *end = sr->suffix[0] ? find(start, rest, sr->suffix) : NULL;
            size_t len = end ? (size_t)(end - start) : rest;
            trim(&start, &len);
            of_employee_t probe;
            if (len && len < sizeof probe.name) {
                memcpy(probe.name, start, len);
                probe.name[len] = '\0';
                const of_employee_t *e = of_cat_employee_by_name(cat, probe.name);
                if (e) {
                    if (tr)
                        of_trace_add(tr, RULE_CS, "salesman", "prefix '%s' suffix '%s' names '%s' (employee %llu)",
                                     sr->prefix, sr->suffix, e->name, (unsigned long long)e->id);
                    return e->id;
                }
                if (tr)
                    of_trace_add(tr, RULE_CS, "salesman_unknown", "prefix '%s' suffix '%s': '%s' is no employee",
                                 sr->prefix, sr->suffix, probe.name);
            }
            if (!plen) break;
            pos = (size_t)(p - t) + plen;
        }
    }
    return 0;
}

/* The strategies of class klass for the shop (or shop 0) in catalogue order (newest first, OP-29): a keyword that is
 * a substring of the remark matches; per output kind the first match wins; kinds outside allowed_mask (bit = 1 <<
 * target_type) are ignored. */
static void by_strategies(const of_catalog_t *cat, uint64_t shop_id, const char *t, size_t n, int klass,
                          unsigned allowed_mask, of_remark_out_t *out, of_trace_t *tr, const char *rule) {
    for (size_t i = 0; i < cat->nremark_rules; i++) {
        const of_remark_rule_t *rr = &cat->remark_rules[i];
        if (rr->klass != klass || (rr->shop_id != 0 && rr->shop_id != shop_id)) continue;
        if (!rr->keyword[0] || !find(t, n, rr->keyword)) continue;
        const char *kind = kind_name(rr->target_type);
        if (rr->target_type < OF_RX_LOGISTICS || rr->target_type > OF_RX_FREEZE ||
            !(allowed_mask & (1u << rr->target_type))) {
            if (tr)
                of_trace_add(tr, rule, "ignored", "keyword '%s' → %s: not an output of this extraction", rr->keyword,
                             kind);
            continue;
        }
        if (rr->target_type == OF_RX_PREORDER) {
            if (out->preorder) {
                if (tr) of_trace_add(tr, rule, "ignored", "keyword '%s' → preorder: already decided", rr->keyword);
                continue;
            }
            out->preorder = 1;
            if (tr) of_trace_add(tr, rule, kind, "keyword '%s' → convert to pre-order", rr->keyword);
            continue;
        }
        uint64_t *slot = slot_of(out, rr->target_type);
        if (!rr->target_id) {
            if (tr) of_trace_add(tr, rule, "ignored", "keyword '%s' → %s: target id 0", rr->keyword, kind);
            continue;
        }
        if (*slot) {
            if (tr)
                of_trace_add(tr, rule, "ignored", "keyword '%s' → %s %llu: %s %llu already chosen (first match wins)",
                             rr->keyword, kind, (unsigned long long)rr->target_id, kind, (unsigned long long)*slot);
            continue;
        }
        *slot = rr->target_id;
        if (tr)
            of_trace_add(tr, rule, kind, "keyword '%s' → %s %llu", rr->keyword, kind,
                         (unsigned long long)rr->target_id);
    }
}

void of_remark_extract_cs(const of_catalog_t *cat, uint64_t shop_id, const char *remark, of_remark_out_t *out,
                          of_trace_t *tr) {
    memset(out, 0, sizeof *out);
    const char *t = remark ? remark : "";
    size_t n = strlen(t);
    trim(&t, &n); /* SUB-CFG-02: trim(CS remark) */
    if (!n) return;
    /* (a) prefix/suffix salesman first: it beats a strategy salesman (OP-29) */
    out->salesman_id = salesman_by_prefix(cat, t, n, tr);
    /* (b) class-1 strategies, newest first; every kind is an output */
    unsigned all = (1u << OF_RX_LOGISTICS) | (1u << OF_RX_FLAG) | (1u << OF_RX_SALESMAN) | (1u << OF_RX_WAREHOUSE) |
                   (1u << OF_RX_PREORDER) | (1u << OF_RX_FREEZE);
    by_strategies(cat, shop_id, t, n, 1, all, out, tr, RULE_CS);
}

void of_remark_extract_client(const of_catalog_t *cat, uint64_t shop_id, const char *remark, of_remark_out_t *out,
                              of_trace_t *tr) {
    memset(out, 0, sizeof *out);
    const char *t = remark ? remark : "";
    size_t n = strlen(t);
    trim(&t, &n);
    if (!n) return;
    /* SUB-CFG-04: class-2 strategies; outputs trade flag, warehouse and freeze only */
    unsigned allowed = (1u << OF_RX_FLAG) | (1u << OF_RX_WAREHOUSE) | (1u << OF_RX_FREEZE);
    by_strategies(cat, shop_id, t, n, 2, allowed, out, tr, RULE_CLIENT);
}
