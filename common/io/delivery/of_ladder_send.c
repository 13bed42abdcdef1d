/* of_ladder_send.c -- the ladder's sends (of_ladder_send.h); what is sent is built by of_ladder.c. */
#include <stdlib.h>
#include "of_ladder_send.h"
#include "of_topics.h"

of_err_t of_ladder_send(of_producer_t *p, const of_ladder_t *l, const rd_kafka_message_t *m, const of_retry_ctx_t *ctx,
                        const char *error, const char *worker, int *rungp, of_dr_batch_t *b) {
    int rung = of_ladder_next_rung(l, ctx->attempt);
    *rungp = rung;
    if (rung < 0) return OF_OK;
    size_t n = 0;
    uint8_t *buf = of_ladder_pack(l, m, ctx, error, worker, rung, &n);
    if (!buf) return OF_ERR_NOMEM;
    of_err_t err =
        of_producer_send(p, of_producer_topic(p, of_ladder_topic(rung)), m->key, m->key_len, buf, n, NULL, b);
    free(buf);
    return err;
}

of_err_t of_ladder_send_dead(of_producer_t *p, const rd_kafka_message_t *m, const uint8_t *buf, size_t len,
                             const char *error_class, of_dr_batch_t *b) {
    const char *hdrs[] = {"of-error-class", error_class, "of-origin-topic", rd_kafka_topic_name(m->rkt), NULL};
    return of_producer_send(p, of_producer_topic(p, OF_TOPIC_DEADLETTER), m->key, m->key_len, buf, len, hdrs, b);
}
