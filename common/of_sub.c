/* of_sub.c -- the submission decision of one raw trade: its state (of_sub_t) and the flow of SUB-00. */
#include "of_sub.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t of_time_parse(const char *s) {
    int Y, M, D, h = 0, m = 0, sec = 0;
    if (!s || !*s || sscanf(s, "%d-%d-%d %d:%d:%d", &Y, &M, &D, &h, &m, &sec) < 3 || Y <= 0 || M <= 0 || D <= 0)
        return 0;
    struct tm tm = {.tm_year = Y - 1900, .tm_mon = M - 1, .tm_mday = D, .tm_hour = h, .tm_min = m, .tm_sec = sec};
    return (int64_t)timegm(&tm);
}

void of_sub_init(of_sub_t *s) {
    memset(s, 0, sizeof *s);
    s->raw_process_status = OF_PS_PENDING;
}

void of_sub_free(of_sub_t *s) {
    free(s->lines);
    free(s->rawo_invalid);
    free(s->rawo_no_api_goods);
    free(s->sib);
    of_trace_free(&s->trace);
    of_logs_free(&s->logs);
    memset(s, 0, sizeof *s);
}

of_line_t *of_sub_add_line(of_sub_t *s) {
    if (s->nlines == s->lines_cap) {
        size_t nc = s->lines_cap ? s->lines_cap * 2 : 8;
        of_line_t *l = realloc(s->lines, nc * sizeof *l);
        if (!l) return NULL;
        s->lines = l;
        s->lines_cap = nc;
    }
    of_line_t *l = &s->lines[s->nlines++];
    memset(l, 0, sizeof *l);
    return l;
}

int of_sub_sib_update(of_sub_t *s, uint64_t trade_id, uint32_t or_mask, int new_status, int64_t delay_to_time) {
    for (size_t i = 0; i < s->nsib; i++)
        if (s->sib[i].trade_id == trade_id) {
            s->sib[i].or_mask |= or_mask;
            if (new_status) {
                s->sib[i].new_status = new_status;
                s->sib[i].delay_to_time = delay_to_time;
            }
            return 0;
        }
    if (s->nsib == s->sib_cap) {
        size_t nc = s->sib_cap ? s->sib_cap * 2 : 8;
        of_sib_update_t *u = realloc(s->sib, nc * sizeof *u);
        if (!u) return -1;
        s->sib = u;
        s->sib_cap = nc;
    }
    s->sib[s->nsib++] = (of_sib_update_t){trade_id, or_mask, new_status, delay_to_time};
    return 0;
}

int of_sub_stop(of_sub_t *s, const char *rule, uint32_t bad_bits, int process_status, const char *reason) {
    s->submitted = 0;
    s->raw_bad_reason |= bad_bits;
    s->raw_process_status = process_status;
    snprintf(s->stop_rule, sizeof s->stop_rule, "%s", rule);
    snprintf(s->stop_reason, sizeof s->stop_reason, "%s", reason);
    of_trace_add(&s->trace, rule, "stop", "%s (bad_reason |= %u)", reason, bad_bits);
    return 1;
}
