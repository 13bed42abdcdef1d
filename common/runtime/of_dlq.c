/* of_dlq.c -- building DeadLetter events (the one builder: the worker loop, the retry ladder's worker and the
 * delivery worker's exhausted or refused tries all call of_dlq_pack). */
#include <stdio.h>
#include <stdlib.h>
#include "of_dlq.h"

uint8_t *of_dlq_pack(const rd_kafka_message_t *m, const char *error, const char *error_class, const char *group,
                     const char *producer, int attempts, Orderfleet__AttemptError *const *earlier, size_t nearlier,
                     size_t *lenp) {
    return of_dlq_pack_about(m, error, error_class, group, producer, attempts, earlier, nearlier, NULL, NULL, NULL,
                             lenp);
}

uint8_t *of_dlq_pack_about(const rd_kafka_message_t *m, const char *error, const char *error_class, const char *group,
                           const char *producer, int attempts, Orderfleet__AttemptError *const *earlier,
                           size_t nearlier, const char *event_id, const char *about_key, const char *about,
                           size_t *lenp) {
    int64_t now = of_now_ms();
    char id[160], note[640];
    snprintf(id, sizeof id, "dl-%s-%d-%lld", rd_kafka_topic_name(m->rkt), (int)m->partition, (long long)m->offset);
    Orderfleet__EventMeta meta = ORDERFLEET__EVENT_META__INIT;
    meta.event_id = id;
    meta.occurred_at_ms = now;
    meta.producer = (char *)producer;
    meta.schema_version = 1;
    Orderfleet__DeadLetter dl = ORDERFLEET__DEAD_LETTER__INIT;
    dl.meta = &meta;
    dl.original.data = m->payload;
    dl.original.len = m->len;
    if (m->len > OF_DLQ_MAX_ORIGINAL) {
        dl.original.len = OF_DLQ_MAX_ORIGINAL;
        snprintf(note, sizeof note, "%.512s [original truncated: %d of %zu bytes kept]", error, OF_DLQ_MAX_ORIGINAL,
                 m->len);
        error = note;
    }
    /* every try's error: the earlier ones (borrowed) and this one */
    Orderfleet__AttemptError cur = ORDERFLEET__ATTEMPT_ERROR__INIT;
    cur.attempt = attempts;
    cur.at_ms = now;
    cur.error = (char *)error;
    cur.worker = (char *)producer;
    if (!earlier) nearlier = 0;
    Orderfleet__AttemptError **errs = calloc(nearlier + 1, sizeof *errs);
    if (!errs) return NULL;
    for (size_t i = 0; i < nearlier; i++)
        errs[i] = earlier[i];
    errs[nearlier] = &cur;
    dl.original_key.data = m->key;
    dl.original_key.len = m->key_len;
    dl.topic = (char *)rd_kafka_topic_name(m->rkt);
    dl.partition = m->partition;
    dl.offset = m->offset;
    dl.error = (char *)error;
    dl.error_class = (char *)error_class;
    dl.attempts = attempts;
    dl.n_errors = nearlier + 1;
    dl.errors = errs;
    dl.first_failed_at_ms = nearlier && errs[0]->at_ms ? errs[0]->at_ms : now;
    dl.dead_at_ms = now;
    dl.consumer_group = (char *)group;
    if (event_id && *event_id) dl.event_id = (char *)event_id;
    char subject[200];
    if (about_key && about && *about) {
        snprintf(subject, sizeof subject, "%s:%s", about_key, about);
        dl.subject = subject;
    }
    size_t n = orderfleet__dead_letter__get_packed_size(&dl);
    uint8_t *buf = malloc(n ? n : 1);
    if (buf) {
        orderfleet__dead_letter__pack(&dl, buf);
        *lenp = n;
    }
    free(errs);
    return buf;
}
