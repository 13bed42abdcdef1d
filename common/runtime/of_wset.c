/* of_wset.c -- buffered rows per table, written with multi-row statements, parents first (of_wset.h). */
#include "of_wset.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Copied strings live in blocks that never move (cells point into them). */
typedef struct block_s {
    struct block_s *next;
    size_t used, cap;
    char data[];
} block_t;

typedef struct {
    of_db_multi_t m;
    of_param_t *cells; /* rows * m.row_params */
    size_t rows, cap;
    size_t done;   /* rows [0, done) are written */
    uint64_t *ids; /* after the flush, ids tables */
    size_t ids_cap;
} wtab_t;

struct of_wset_s {
    of_db_t *db;
    const of_wtable_t *def;
    int n;
    wtab_t *t;
    block_t *blocks;
    int failed;
};

of_wset_t *of_wset_new(of_db_t *db, const of_wtable_t *tables, int ntables) {
    of_wset_t *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->db = db;
    w->def = tables;
    w->n = ntables;
    w->t = calloc((size_t)ntables, sizeof *w->t);
    if (!w->t) {
        free(w);
        return NULL;
    }
    for (int i = 0; i < ntables; i++)
        if (of_db_register_multi_sep(db, tables[i].head, tables[i].row, tables[i].sep ? tables[i].sep : ", ",
                                     tables[i].tail ? tables[i].tail : "", &w->t[i].m)) {
            of_wset_free(w);
            return NULL;
        }
    return w;
}

static void blocks_free(of_wset_t *w) {
    for (block_t *b = w->blocks, *nx; b; b = nx) {
        nx = b->next;
        free(b);
    }
    w->blocks = NULL;
}

void of_wset_free(of_wset_t *w) {
    if (!w) return;
    for (int i = 0; i < w->n; i++) {
        free(w->t[i].cells);
        free(w->t[i].ids);
    }
    free(w->t);
    blocks_free(w);
    free(w);
}

void of_wset_reset(of_wset_t *w) {
    for (int i = 0; i < w->n; i++)
        w->t[i].rows = w->t[i].done = 0;
    /* keep the first block for the next round; its successors go */
    if (w->blocks) {
        block_t *keep = w->blocks;
        while (keep->next) { /* the oldest (first allocated) is last: free all but one */
            block_t *b = w->blocks;
            w->blocks = b->next;
            free(b);
            keep = w->blocks;
        }
        keep->used = 0;
    }
}

static char *copy_str(of_wset_t *w, const char *s, size_t n) {
    block_t *b = w->blocks;
    if (!b || b->cap - b->used < n + 1) {
        size_t cap = n + 1 > 64 * 1024 ? n + 1 : 64 * 1024;
        block_t *nb = malloc(sizeof *nb + cap);
        if (!nb) return NULL;
        nb->next = w->blocks;
        nb->used = 0;
        nb->cap = cap;
        w->blocks = b = nb;
    }
    char *d = b->data + b->used;
    memcpy(d, s, n);
    d[n] = '\0';
    b->used += n + 1;
    return d;
}

int of_wset_add(of_wset_t *w, int table, const of_param_t *row) {
    wtab_t *t = &w->t[table];
    size_t np = (size_t)t->m.row_params;
    if (t->rows == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 16;
        of_param_t *c = realloc(t->cells, nc * np * sizeof *c);
        if (!c) return -1;
        t->cells = c;
        t->cap = nc;
    }
    of_param_t *dst = t->cells + t->rows * np;
    for (size_t i = 0; i < np; i++) {
        dst[i] = row[i];
        if (row[i].type == OFP_STR && row[i].s) {
            size_t n = row[i].len ? row[i].len : strlen(row[i].s);
            char *c = copy_str(w, row[i].s, n);
            if (!c) return -1;
            dst[i].s = c;
            dst[i].len = n;
            if (!n) dst[i].s = ""; /* len 0 means strlen: keep it an empty string */
        }
    }
    return (int)t->rows++;
}

size_t of_wset_rows(const of_wset_t *w, int table) {
    return w->t[table].rows;
}

of_param_t *of_wset_cell(of_wset_t *w, int table, int row, int col) {
    wtab_t *t = &w->t[table];
    if (row < 0 || (size_t)row >= t->rows || col < 0 || col >= t->m.row_params) return NULL;
    return &t->cells[(size_t)row * (size_t)t->m.row_params + (size_t)col];
}

uint64_t of_wset_id(const of_wset_t *w, int table, int row) {
    const wtab_t *t = &w->t[table];
    if (!w->def[table].ids || row < 0 || (size_t)row >= t->done || !t->ids) return 0;
    return t->ids[row];
}

int of_wset_failed(const of_wset_t *w) {
    return w->failed;
}

of_err_t of_wset_flush(of_wset_t *w, char *errstr, size_t errstr_size) {
    return of_wset_flush_some(w, ~0u, errstr, errstr_size);
}

of_err_t of_wset_flush_some(of_wset_t *w, unsigned tables, char *errstr, size_t errstr_size) {
    w->failed = -1;
    for (int i = 0; i < w->n; i++) {
        wtab_t *t = &w->t[i];
        const of_wtable_t *d = &w->def[i];
        if (t->rows == t->done || !(tables & (1u << i))) continue;
        size_t np = (size_t)t->m.row_params, nnew = t->rows - t->done;
        of_param_t *cells = t->cells + t->done * np;
        /* references to the rows of earlier tables become their ids */
        for (size_t c = 0; c < nnew * np; c++) {
            of_param_t *p = &cells[c];
            if (p->type != OFP_REF) continue;
            int pt = (int)p->i;
            uint64_t id = pt >= 0 && pt < i ? of_wset_id(w, pt, (int)p->u) : 0;
            if (!id) {
                w->failed = i;
                return of_seterr(errstr, errstr_size, OF_ERR_DB,
                                 "%s: row %zu refers to row %llu of table %d, not written before it", d->name,
                                 t->done + c / np, (unsigned long long)p->u, pt);
            }
            *p = OFP_U(id);
        }
        uint64_t affected = 0;
        of_err_t e;
        if (d->ids) {
            if (t->ids_cap < t->rows) {
                uint64_t *ids = realloc(t->ids, t->cap * sizeof *ids);
                if (!ids) return of_seterr(errstr, errstr_size, OF_ERR_NOMEM, "out of memory");
                t->ids = ids;
                t->ids_cap = t->cap;
            }
            e = of_db_exec_multi_ids(w->db, &t->m, cells, (int)nnew, t->ids + t->done, &affected, errstr, errstr_size);
        } else {
            e = of_db_exec_multi(w->db, &t->m, cells, (int)nnew, &affected, errstr, errstr_size);
        }
        if (e) { /* name the table */
            w->failed = i;
            char why[400];
            snprintf(why, sizeof why, "%s", errstr);
            snprintf(errstr, errstr_size, "%s: %s", d->name, why);
            return e;
        }
        if (d->must_affect && affected != nnew) {
            w->failed = i;
            return of_seterr(errstr, errstr_size, OF_ERR_DB,
                             "%s: %llu of %zu rows changed (rows no longer in the "
                             "state this transaction read)",
                             d->name, (unsigned long long)affected, nnew);
        }
        t->done = t->rows;
    }
    return OF_OK;
}
