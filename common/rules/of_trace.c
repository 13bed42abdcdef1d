/* of_trace.c -- decision trace and order log lines of a decision. */
#include "of_trace.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libdeflate.h>

static int grow(void **p, size_t *cap, size_t n, size_t elem) {
    if (n < *cap) return 0;
    size_t nc = *cap ? *cap * 2 : 16;
    void *q = realloc(*p, nc * elem);
    if (!q) return -1;
    *p = q;
    *cap = nc;
    return 0;
}

void of_trace_add(of_trace_t *t, const char *rule, const char *key, const char *fmt, ...) {
    if (grow((void **)&t->e, &t->cap, t->n, sizeof *t->e)) return;
    of_trace_entry_t *e = &t->e[t->n++];
    of_str_copy(e->rule, sizeof e->rule, rule);
    of_str_copy(e->key, sizeof e->key, key);
    va_list ap;
    va_start(ap, fmt);
    of_utf8_trim(e->value, sizeof e->value, of_str_vfmt(e->value, sizeof e->value, fmt, ap));
    va_end(ap);
}

const of_trace_entry_t *of_trace_find(const of_trace_t *t, const char *rule, const char *key) {
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->e[i].key, key) && (!rule || !strcmp(t->e[i].rule, rule))) return &t->e[i];
    return NULL;
}

typedef struct {
    char *p;
    size_t n, cap;
    int bad;
} jbuf_t;

static void jput(jbuf_t *b, const char *s, size_t n) {
    if (b->bad) return;
    if (b->n + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 1024;
        while (nc < b->n + n + 1)
            nc *= 2;
        char *q = realloc(b->p, nc);
        if (!q) {
            b->bad = 1;
            return;
        }
        b->p = q;
        b->cap = nc;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* D-T10-77: whether any of the 8 bytes of w needs an escape (below 0x20, '"' or '\\'); the scan of a trace's text
 * goes a word at a time (5 % of trade-modify's instructions byte by byte). A byte from 0x80 up (UTF-8) never does. */
static int word_needs_escape(uint64_t w) {
    uint64_t q = w ^ (ONES * '"'), bs = w ^ (ONES * '\\');
    uint64_t below = (w - ONES * 0x20) & ~w, zq = (q - ONES) & ~q, zb = (bs - ONES) & ~bs;
    return ((below | zq | zb) & HIGHS) != 0;
}

/* A JSON string: quotes, backslashes and control characters escaped (as cJSON does); UTF-8 passes through. */
static void jstr(jbuf_t *b, const char *s) {
    jput(b, "\"", 1);
    const char *run = s;
    const char *end = s + strlen(s);
    for (; *s; s++) {
        while (end - s >= 8) { /* whole words without an escape */
            uint64_t w;
            memcpy(&w, s, 8);
            if (word_needs_escape(w)) break;
            s += 8;
        }
        if (!*s) break;
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        jput(b, run, (size_t)(s - run));
        char esc[8];
        switch (c) {
        case '"':
            jput(b, "\\\"", 2);
            break;
        case '\\':
            jput(b, "\\\\", 2);
            break;
        case '\n':
            jput(b, "\\n", 2);
            break;
        case '\r':
            jput(b, "\\r", 2);
            break;
        case '\t':
            jput(b, "\\t", 2);
            break;
        case '\b':
            jput(b, "\\b", 2);
            break;
        case '\f':
            jput(b, "\\f", 2);
            break;
        default:
            snprintf(esc, sizeof esc, "\\u%04x", c);
            jput(b, esc, 6);
        }
        run = s + 1;
    }
    jput(b, run, (size_t)(s - run));
    jput(b, "\"", 1);
}

/* One buffer, no tree: a trade's trace has ~50 entries and is built for every order (issue 10: cJSON's nodes were a
 * tenth of trade-submit's CPU). */
char *of_trace_json(const of_trace_t *t) {
    jbuf_t b = {0};
    jput(&b, "[", 1);
    for (size_t i = 0; i < t->n; i++) {
        jput(&b, i ? ",{\"rule\":" : "{\"rule\":", i ? 9 : 8);
        jstr(&b, t->e[i].rule);
        jput(&b, ",\"key\":", 7);
        jstr(&b, t->e[i].key);
        jput(&b, ",\"value\":", 9);
        jstr(&b, t->e[i].value);
        jput(&b, "}", 1);
    }
    jput(&b, "]", 1);
    if (b.bad) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

struct of_trace_packer_s {
    struct libdeflate_compressor *c; /* one compressor for every trace: its tables are allocated once, not per order */
};

of_trace_packer_t *of_trace_packer_new(void) {
    of_trace_packer_t *pk = calloc(1, sizeof *pk);
    /* libdeflate at level 1 (D-T10-67): a whole-buffer compressor, 2.3x as fast as zlib's level 1 on these traces
     * (36 against 83.5 us for ~4.8 kB on the development machine) and a little smaller (34 % of the JSON against
     * 36 %); its zlib stream is what UNCOMPRESS() reads */
    if (pk && !(pk->c = libdeflate_alloc_compressor(1))) {
        free(pk);
        return NULL;
    }
    return pk;
}

void of_trace_packer_free(of_trace_packer_t *pk) {
    if (!pk) return;
    libdeflate_free_compressor(pk->c);
    free(pk);
}

/* The JSON in MariaDB's COMPRESS() format: the length as 4 bytes, low byte first, then a zlib stream (D-T10-62). An
 * empty trace is its JSON "[]", packed like any other. */
unsigned char *of_trace_pack_json(of_trace_packer_t *pk, const char *json, size_t n, size_t *lenp) {
    *lenp = 0;
    size_t cap = libdeflate_zlib_compress_bound(pk->c, n);
    unsigned char *out = n < 0x3FFFFFFF ? malloc(4 + cap) : NULL;
    size_t z = out ? libdeflate_zlib_compress(pk->c, json, n, out + 4, cap) : 0;
    if (z) {
        for (int i = 0; i < 4; i++)
            out[i] = (unsigned char)(n >> (8 * i));
        *lenp = 4 + z;
        /* the bound is about the JSON's size, the stream about a third of it: packed traces wait for their round's
         * flush (D-T10-71), so each keeps only its own bytes */
        unsigned char *fit = realloc(out, 4 + z);
        if (fit) out = fit;
    } else {
        free(out);
        out = NULL;
    }
    return out;
}

void of_trace_free(of_trace_t *t) {
    free(t->e);
    memset(t, 0, sizeof *t);
}

void of_logs_add(of_logs_t *l, int type, const char *rule, const char *fmt, ...) {
    if (grow((void **)&l->e, &l->cap, l->n, sizeof *l->e)) return;
    of_log_entry_t *e = &l->e[l->n++];
    e->type = type;
    of_str_copy(e->rule, sizeof e->rule, rule);
    va_list ap;
    va_start(ap, fmt);
    of_utf8_trim(e->message, sizeof e->message, of_str_vfmt(e->message, sizeof e->message, fmt, ap));
    va_end(ap);
}

void of_logs_free(of_logs_t *l) {
    free(l->e);
    memset(l, 0, sizeof *l);
}
