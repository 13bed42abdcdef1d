/* of_ladder.h -- the retry ladder (DLV-6): rung arithmetic, retry context of a message, RetryEnvelope building.
 * Any worker uses it to send a failed message up the ladder; of_retrier runs it. When the tries are used up, the
 * dead letter is built by of_dlq_pack with the context's errors (ctx.env->errors). */
#ifndef OF_LADDER_H
#define OF_LADDER_H
#include <stddef.h>
#include <stdint.h>
#include <librdkafka/rdkafka.h>
#include "deadletter.pb-c.h"
#include "of_err.h"

#define OF_LADDER_MAX_RUNGS 4

/* Header names on a message the retry-ladder republishes to its origin topic. */
#define OF_HDR_ATTEMPT "of-attempt" /* the try this copy is, "2".."5" */
#define OF_HDR_RETRY "of-retry"     /* hex of a packed RetryEnvelope without `original`: errors so far */
#define OF_HDR_REDRIVE "of-redrive" /* dead_letter.id, on a copy re-driven by ordctl dlq redrive */

typedef struct {
    int nrungs;
    int64_t delay_ms[OF_LADDER_MAX_RUNGS];
} of_ladder_t;

/* Parse OF_RETRY_LADDER: "30,300,3600,7200" (seconds; "1500ms" for milliseconds), 0..4 rungs, each
 * 1 ms..1 day. Pure. OF_ERR_CONFIG with the reason on a bad value. */
of_err_t of_ladder_parse(const char *spec, of_ladder_t *lp, char *errstr, size_t errstr_size) OF_MUST_CHECK;
/* Tries in all: the first + one per rung (DLV-6: 5 with the default ladder). */
int of_ladder_tries(const of_ladder_t *l);
/* After try `attempt` (1-based) failed: the rung (0-based) the message waits on, or -1 when the tries are
 * used up (dead letter). */
int of_ladder_next_rung(const of_ladder_t *l, int attempt);
/* When a message put on `rung` at now_ms is due. */
int64_t of_ladder_due_ms(const of_ladder_t *l, int rung, int64_t now_ms);
/* The topic (of_topic_t) of a rung: retry.30s, retry.300s, retry.3600s, retry.7200s in order. */
int of_ladder_topic(int rung);

/* Lowercase hex of n bytes into out (2n + 1 bytes). Header values travel as text. */
void of_ladder_hex(const uint8_t *in, size_t n, char *out);

/* What a consumed message carries from earlier tries. */
typedef struct {
    int attempt;                    /* this try, 1-based (header of-attempt, default 1) */
    Orderfleet__RetryEnvelope *env; /* errors so far (header of-retry), NULL on a first try */
} of_retry_ctx_t;

/* Read m's headers into ctx (zeroed first). A bad header counts as a first try (logged). Caller clears
 * with of_ladder_ctx_clear(). */
void of_ladder_ctx_read(const rd_kafka_message_t *m, of_retry_ctx_t *ctx);
void of_ladder_ctx_clear(of_retry_ctx_t *ctx);

/* The RetryEnvelope that takes m up to rung after its try ctx->attempt failed with `error`: original bytes and key,
 * origin topic, next attempt, due time, every error so far plus this one. Returns malloc'd bytes (caller frees),
 * length in *lenp; NULL when out of memory. */
uint8_t *of_ladder_pack(const of_ladder_t *l, const rd_kafka_message_t *m, const of_retry_ctx_t *ctx, const char *error,
                        const char *worker, int rung, size_t *lenp);

#endif
