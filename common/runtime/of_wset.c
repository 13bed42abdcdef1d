/* of_wset.c -- buffered rows per table, written with multi-row statements, parents first (of_wset.h).
 *
 * Memory stays bounded by what is not written yet: each table keeps only its unwritten rows (the written ones are
 * dropped, their ids kept for references), and the strings of its rows live in the table's own blocks, emptied once
 * every row of the table is written. */
#include "of_wset.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A pad table's row of NULLs is a zeroed array (D-RT-9). */
_Static_assert(OFP_NULL == 0, "calloc'd parameters are NULLs");

/* Copied strings live in blocks that never move (cells point into them). */
typedef struct block_s {
    struct block_s *next;
    size_t used, cap;
    char data[];
} block_t;

typedef struct {
    of_db_multi_t m;
    of_param_t *cells; /* rows [base, rows): (rows - base) * m.row_params */
    size_t cap;        /* rows the cells hold */
    size_t base;       /* the first row still in cells (the earlier ones are written and dropped) */
    size_t done;       /* rows [0, done) are written */
    size_t rows;       /* rows added since the reset */
    uint64_t *ids;     /* ids tables: the id of every written row */
    size_t ids_cap;
    block_t *blocks;   /* the strings of the rows in cells */
    of_param_t *nulls; /* pad tables: one row of NULLs (D-RT-9) */
} wtab_t;

struct of_wset_s {
    of_db_t *db;
    const of_wtable_t *def;
    int n;
    wtab_t *t;
    int failed;
};

of_wset_t *of_wset_new(of_db_t *db, const of_wtable_t *tables, int ntables) {
    if (ntables > 32) return NULL; /* the table masks of of_wset_flush_some */
    of_wset_t *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->db = db;
    w->def = tables;
    w->n = ntables;
    w->failed = -1;
    w->t = calloc((size_t)ntables, sizeof *w->t);
    if (!w->t) {
        free(w);
        return NULL;
    }
    for (int i = 0; i < ntables; i++)
        if (of_db_register_multi_sep(db, tables[i].head, tables[i].row, tables[i].sep ? tables[i].sep : ", ",
                                     tables[i].tail ? tables[i].tail : "", &w->t[i].m) ||
            (tables[i].pad && !(w->t[i].nulls = calloc((size_t)w->t[i].m.row_params, sizeof *w->t[i].nulls)))) {
            of_wset_free(w);
            return NULL;
        }
    return w;
}

/* Empty a table's string blocks, keeping the oldest one for reuse. */
static void blocks_reset(wtab_t *t) {
    while (t->blocks && t->blocks->next) {
        block_t *b = t->blocks;
        t->blocks = b->next;
        free(b);
    }
    if (t->blocks) t->blocks->used = 0;
}

void of_wset_free(of_wset_t *w) {
    if (!w) return;
    for (int i = 0; i < w->n; i++) {
        free(w->t[i].cells);
        free(w->t[i].ids);
        free(w->t[i].nulls);
        blocks_reset(&w->t[i]);
        free(w->t[i].blocks);
    }
    free(w->t);
    free(w);
}

void of_wset_reset(of_wset_t *w) {
    for (int i = 0; i < w->n; i++) {
        w->t[i].rows = w->t[i].done = w->t[i].base = 0;
        blocks_reset(&w->t[i]);
    }
}

static char *copy_str(wtab_t *t, const char *s, size_t n) {
    block_t *b = t->blocks;
    if (!b || b->cap - b->used < n + 1) {
        size_t cap = n + 1 > 16 * 1024 ? n + 1 : 16 * 1024;
        block_t *nb = malloc(sizeof *nb + cap);
        if (!nb) return NULL;
        nb->next = t->blocks;
        nb->used = 0;
        nb->cap = cap;
        t->blocks = b = nb;
    }
    char *d = b->data + b->used;
    memcpy(d, s, n);
    d[n] = '\0';
    b->used += n + 1;
    return d;
}

/* *dst = *src, a string or blob copied into t's blocks. -1 when out of memory. */
static int put(wtab_t *t, of_param_t *dst, const of_param_t *src) {
    *dst = *src;
    if ((src->type == OFP_STR || src->type == OFP_BLOB) && src->s) {
        size_t n = src->len || src->type == OFP_BLOB ? src->len : strlen(src->s);
        char *c = copy_str(t, src->s, n);
        if (!c) return -1;
        dst->s = n ? c : ""; /* len 0 means strlen: keep it an empty string */
        dst->len = n;
    }
    return 0;
}

int of_wset_add(of_wset_t *w, int table, const of_param_t *row) {
    wtab_t *t = &w->t[table];
    size_t np = (size_t)t->m.row_params;
    if (t->rows - t->base == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 16;
        of_param_t *c = realloc(t->cells, nc * np * sizeof *c);
        if (!c) return -1;
        t->cells = c;
        t->cap = nc;
    }
    of_param_t *dst = t->cells + (t->rows - t->base) * np;
    for (size_t i = 0; i < np; i++)
        if (put(t, &dst[i], &row[i])) return -1;
    return (int)t->rows++;
}

int of_wset_set(of_wset_t *w, int table, int row, int col, of_param_t v) {
    wtab_t *t = &w->t[table];
    int np = t->m.row_params;
    if (col < 0) col += np;
    if (row < 0 || (size_t)row < t->done || (size_t)row < t->base || (size_t)row >= t->rows || col < 0 || col >= np)
        return 1;
    return put(t, &t->cells[((size_t)row - t->base) * (size_t)np + (size_t)col], &v);
}

size_t of_wset_rows(const of_wset_t *w, int table) {
    return w->t[table].rows;
}

uint64_t of_wset_id(const of_wset_t *w, int table, int row) {
    const wtab_t *t = &w->t[table];
    if (!w->def[table].ids || row < 0 || (size_t)row >= t->done || !t->ids) return 0;
    return t->ids[row];
}

int of_wset_failed(const of_wset_t *w) {
    return w->failed;
}

/* Is every reference in rows [from, to) of table i to a row written already? */
static int refs_ready(const of_wset_t *w, int i, size_t from, size_t to) {
    const wtab_t *t = &w->t[i];
    size_t np = (size_t)t->m.row_params;
    const of_param_t *c = t->cells + (from - t->base) * np;
    for (size_t k = 0; k < (to - from) * np; k++)
        if (c[k].type == OFP_REF && (c[k].len >= (size_t)i || c[k].u >= w->t[c[k].len].done)) return 0;
    return 1;
}

/* Write rows [done, done + n) of table i. */
static of_err_t write_rows(of_wset_t *w, int i, size_t n, char *errstr, size_t errstr_size) {
    wtab_t *t = &w->t[i];
    const of_wtable_t *d = &w->def[i];
    size_t np = (size_t)t->m.row_params;
    of_param_t *cells = t->cells + (t->done - t->base) * np;
    /* references to the rows of earlier tables become their ids */
    for (size_t c = 0; c < n * np; c++) {
        of_param_t *p = &cells[c];
        if (p->type != OFP_REF) continue;
        int pt = (int)p->len;
        uint64_t id = pt >= 0 && pt < i ? of_wset_id(w, pt, (int)p->u) : 0;
        if (!id) {
            w->failed = i;
            return of_seterr(errstr, errstr_size, OF_ERR_DB,
                             "%s: row %zu refers to row %llu of table %d, not written "
                             "before it",
                             d->name, t->done + c / np, (unsigned long long)p->u, pt);
        }
        *p = OFP_U(id);
    }
    uint64_t affected = 0;
    of_err_t e;
    if (d->ids) {
        if (t->ids_cap < t->done + n) {
            size_t nc = t->ids_cap ? t->ids_cap : 64;
            while (nc < t->done + n)
                nc *= 2;
            uint64_t *ids = realloc(t->ids, nc * sizeof *ids);
            if (!ids) return of_seterr(errstr, errstr_size, OF_ERR_NOMEM, "out of memory");
            t->ids = ids;
            t->ids_cap = nc;
        }
        e = of_db_exec_multi_ids(w->db, &t->m, cells, (int)n, t->ids + t->done, &affected, errstr, errstr_size);
    } else if (d->pad) {
        e = of_db_exec_multi_pad(w->db, &t->m, cells, (int)n, t->nulls, &affected, errstr, errstr_size);
    } else {
        e = of_db_exec_multi(w->db, &t->m, cells, (int)n, &affected, errstr, errstr_size);
    }
    if (e) { /* name the table */
        w->failed = i;
        char why[400];
        snprintf(why, sizeof why, "%s", errstr);
        snprintf(errstr, errstr_size, "%s: %s", d->name, why);
        return e;
    }
    if (d->must_affect && affected != n) {
        w->failed = i;
        return of_seterr(errstr, errstr_size, OF_ERR_DB,
                         "%s: %llu of %zu rows changed (rows no longer in the state this transaction read)", d->name,
                         (unsigned long long)affected, n);
    }
    t->done += n;
    /* drop the written rows: the unwritten ones move to the front, and the strings go with the last row */
    size_t left = t->rows - t->done;
    if (left) memmove(t->cells, t->cells + (t->done - t->base) * np, left * np * sizeof *t->cells);
    t->base = t->done;
    if (!left) blocks_reset(t);
    return OF_OK;
}

of_err_t of_wset_flush(of_wset_t *w, char *errstr, size_t errstr_size) {
    return of_wset_flush_some(w, ~0u, errstr, errstr_size);
}

of_err_t of_wset_flush_some(of_wset_t *w, unsigned tables, char *errstr, size_t errstr_size) {
    w->failed = -1;
    for (int i = 0; i < w->n; i++) {
        wtab_t *t = &w->t[i];
        if (t->rows == t->done || !(tables & (1u << i))) continue;
        of_err_t e = write_rows(w, i, t->rows - t->done, errstr, errstr_size);
        if (e) return e;
    }
    return OF_OK;
}

of_err_t of_wset_flush_full(of_wset_t *w, char *errstr, size_t errstr_size) {
    w->failed = -1;
    for (int i = 0; i < w->n; i++) {
        wtab_t *t = &w->t[i];
        size_t n = (t->rows - t->done) / OF_DB_MULTI_MAX * OF_DB_MULTI_MAX;
        if (!n || !refs_ready(w, i, t->done, t->done + n)) continue;
        of_err_t e = write_rows(w, i, n, errstr, errstr_size);
        if (e) return e;
    }
    return OF_OK;
}
