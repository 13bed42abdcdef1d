/* of_trace.c -- decision trace and order log lines of a decision. */
#include "of_trace.h"
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    snprintf(e->rule, sizeof e->rule, "%s", rule);
    snprintf(e->key, sizeof e->key, "%s", key);
    va_list ap;
    va_start(ap, fmt);
    of_utf8_trim(e->value, sizeof e->value, vsnprintf(e->value, sizeof e->value, fmt, ap));
    va_end(ap);
}

const of_trace_entry_t *of_trace_find(const of_trace_t *t, const char *rule, const char *key) {
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->e[i].key, key) && (!rule || !strcmp(t->e[i].rule, rule))) return &t->e[i];
    return NULL;
}

char *of_trace_json(const of_trace_t *t) {
    cJSON *a = cJSON_CreateArray();
    if (!a) return NULL;
    for (size_t i = 0; i < t->n; i++) {
        cJSON *o = cJSON_CreateObject();
        if (!o) break;
        cJSON_AddItemToArray(a, o);
        cJSON_AddStringToObject(o, "rule", t->e[i].rule);
        cJSON_AddStringToObject(o, "key", t->e[i].key);
        cJSON_AddStringToObject(o, "value", t->e[i].value);
    }
    char *s = cJSON_PrintUnformatted(a);
    cJSON_Delete(a);
    return s;
}

void of_trace_free(of_trace_t *t) {
    free(t->e);
    memset(t, 0, sizeof *t);
}

void of_logs_add(of_logs_t *l, int type, const char *rule, const char *fmt, ...) {
    if (grow((void **)&l->e, &l->cap, l->n, sizeof *l->e)) return;
    of_log_entry_t *e = &l->e[l->n++];
    e->type = type;
    snprintf(e->rule, sizeof e->rule, "%s", rule);
    va_list ap;
    va_start(ap, fmt);
    of_utf8_trim(e->message, sizeof e->message, vsnprintf(e->message, sizeof e->message, fmt, ap));
    va_end(ap);
}

void of_logs_free(of_logs_t *l) {
    free(l->e);
    memset(l, 0, sizeof *l);
}
