/* of_ladder.c -- retry ladder arithmetic, retry context from headers, RetryEnvelope bytes (pure: the sends are
 * of_ladder_send.c's; a dead letter is built by of_dlq_pack with the context's errors). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "of_ladder.h"
#include "of_log.h"
#include "of_time.h"
#include "of_topics.h"

of_err_t of_ladder_parse(const char *spec, of_ladder_t *lp, char *errstr, size_t errstr_size) {
    memset(lp, 0, sizeof *lp);
    const char *p = spec ? spec : "";
    while (*p == ' ')
        p++;
    if (!*p) return OF_OK;
    for (;;) {
        if (lp->nrungs == OF_LADDER_MAX_RUNGS)
            return of_seterr(errstr, errstr_size, OF_ERR_CONFIG,
                             "OF_RETRY_LADDER=%s: more than %d rungs (one retry topic per rung)", spec,
                             OF_LADDER_MAX_RUNGS);
        if (!isdigit((unsigned char)*p))
            return of_seterr(errstr, errstr_size, OF_ERR_CONFIG,
                             "OF_RETRY_LADDER=%s: expected a number of seconds (or NNNms) at '%s'", spec, p);
        char *end;
        errno = 0;
        long long v = strtoll(p, &end, 10);
        if (errno || v > 86400000LL)
            return of_seterr(errstr, errstr_size, OF_ERR_CONFIG, "OF_RETRY_LADDER=%s: each wait must be 1 ms..1 day",
                             spec);
        long long ms = v * 1000;
        if (!strncmp(end, "ms", 2)) {
            ms = v;
            end += 2;
        } else if (*end == 's') {
            end++;
        }
        if (ms < 1 || ms > 86400000LL)
            return of_seterr(errstr, errstr_size, OF_ERR_CONFIG, "OF_RETRY_LADDER=%s: each wait must be 1 ms..1 day",
                             spec);
        lp->delay_ms[lp->nrungs++] = ms;
        while (*end == ' ')
            end++;
        if (!*end) return OF_OK;
        if (*end != ',')
            return of_seterr(errstr, errstr_size, OF_ERR_CONFIG, "OF_RETRY_LADDER=%s: unexpected '%c'", spec, *end);
        p = end + 1;
        while (*p == ' ')
            p++;
    }
}

int of_ladder_tries(const of_ladder_t *l) {
    return 1 + l->nrungs;
}

int of_ladder_next_rung(const of_ladder_t *l, int attempt) {
    if (attempt < 1) attempt = 1;
    return attempt <= l->nrungs ? attempt - 1 : -1;
}

int64_t of_ladder_due_ms(const of_ladder_t *l, int rung, int64_t now_ms) {
    if (rung < 0 || rung >= l->nrungs) return now_ms;
    return now_ms + l->delay_ms[rung];
}

int of_ladder_topic(int rung) {
    return OF_TOPIC_RETRY_1 + rung;
}

void of_ladder_hex(const uint8_t *in, size_t n, char *out) {
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

static int unhex(const char *in, size_t n, uint8_t *out) {
    if (n % 2) return -1;
    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (v < 0) return -1;
        if (i % 2)
            out[i / 2] = (uint8_t)(out[i / 2] | v);
        else
            out[i / 2] = (uint8_t)(v << 4);
    }
    return 0;
}

void of_ladder_ctx_read(const rd_kafka_message_t *m, of_retry_ctx_t *ctx) {
    memset(ctx, 0, sizeof *ctx);
    ctx->attempt = 1;
    rd_kafka_headers_t *h = NULL;
    const void *v;
    size_t n;
    if (rd_kafka_message_headers(m, &h)) return;
    if (!rd_kafka_header_get_last(h, OF_HDR_RETRY, &v, &n)) {
        uint8_t *bin = malloc(n / 2 + 1);
        if (bin && !unhex(v, n, bin)) ctx->env = orderfleet__retry_envelope__unpack(NULL, n / 2, bin);
        free(bin);
        if (!ctx->env)
            of_warn("bad of-retry header: counted as a first try", OF_S("topic", rd_kafka_topic_name(m->rkt)),
                    OF_I("partition", m->partition), OF_I("offset", m->offset), OF_END);
        else if (ctx->env->attempt > 1)
            ctx->attempt = ctx->env->attempt;
    }
    if (!ctx->env && !rd_kafka_header_get_last(h, OF_HDR_ATTEMPT, &v, &n) && n && n < 8) {
        char buf[8];
        memcpy(buf, v, n);
        buf[n] = '\0';
        int a = atoi(buf);
        if (a > 1) ctx->attempt = a;
    }
}

void of_ladder_ctx_clear(of_retry_ctx_t *ctx) {
    if (ctx->env) orderfleet__retry_envelope__free_unpacked(ctx->env, NULL);
    ctx->env = NULL;
}

/* errors so far + this one, as an array of pointers into ctx and *cur (borrowed). Caller frees the array. */
static Orderfleet__AttemptError **all_errors(const of_retry_ctx_t *ctx, Orderfleet__AttemptError *cur, size_t *np) {
    size_t prev = ctx->env ? ctx->env->n_errors : 0;
    Orderfleet__AttemptError **a = calloc(prev + 1, sizeof *a);
    if (!a) return NULL;
    for (size_t i = 0; i < prev; i++)
        a[i] = ctx->env->errors[i];
    a[prev] = cur;
    *np = prev + 1;
    return a;
}

uint8_t *of_ladder_pack(const of_ladder_t *l, const rd_kafka_message_t *m, const of_retry_ctx_t *ctx, const char *error,
                        const char *worker, int rung, size_t *lenp) {
    int64_t now = of_now_ms();
    char id[200];
    snprintf(id, sizeof id, "rt-%s-%d-%lld-a%d", rd_kafka_topic_name(m->rkt), (int)m->partition, (long long)m->offset,
             ctx->attempt + 1);
    Orderfleet__EventMeta meta = ORDERFLEET__EVENT_META__INIT;
    meta.event_id = id;
    meta.occurred_at_ms = now;
    meta.producer = (char *)worker;
    meta.schema_version = 1;
    Orderfleet__AttemptError cur = ORDERFLEET__ATTEMPT_ERROR__INIT;
    cur.attempt = ctx->attempt;
    cur.at_ms = now;
    cur.error = (char *)error;
    cur.worker = (char *)worker;
    Orderfleet__RetryEnvelope env = ORDERFLEET__RETRY_ENVELOPE__INIT;
    env.meta = &meta;
    env.original.data = m->payload;
    env.original.len = m->len;
    env.original_key.data = m->key;
    env.original_key.len = m->key_len;
    env.origin_topic = (char *)rd_kafka_topic_name(m->rkt);
    env.attempt = ctx->attempt + 1;
    env.due_at_ms = of_ladder_due_ms(l, rung, now);
    env.errors = all_errors(ctx, &cur, &env.n_errors);
    if (!env.errors) return NULL;
    size_t n = orderfleet__retry_envelope__get_packed_size(&env);
    uint8_t *buf = malloc(n ? n : 1);
    if (buf) {
        orderfleet__retry_envelope__pack(&env, buf);
        *lenp = n;
    }
    free(env.errors);
    return buf;
}
