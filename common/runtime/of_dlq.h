/* of_dlq.h -- dead letters: a message kept whole with why it failed. The one builder of DeadLetter messages. */
#ifndef OF_DLQ_H
#define OF_DLQ_H
#include <stddef.h>
#include <stdint.h>
#include <librdkafka/rdkafka.h>
#include "deadletter.pb-c.h"
#include "of_time.h" /* of_now_ms */

/* Originals larger than this are cut to it in the dead letter (the error says so), so that a dead
 * letter always fits the broker's default message.max.bytes (1 MB) and never blocks its partition. */
#define OF_DLQ_MAX_ORIGINAL (900 * 1024)

/* Pack a DeadLetter for message m: original value (cut to OF_DLQ_MAX_ORIGINAL, the error saying so) and key byte
 * for byte, topic, partition, offset, event id dl-<topic>-<partition>-<offset>, consumer group, attempts, and the
 * errors of every try: `earlier` (nearlier of them, oldest first; NULL/0 for none: the errors a RetryEnvelope
 * carried up the retry ladder), then this try's (attempt = attempts, now, error, worker = producer).
 * first_failed_at_ms is the first error's time (now without earlier errors), dead_at_ms now.
 * error_class: "decode", "validation", "unknown_ref", "config", "permanent", "exhausted". Returns malloc'd bytes
 * (caller frees with free()) and their length in *lenp; NULL when out of memory. Pure apart from the clock. */
uint8_t *of_dlq_pack(const rd_kafka_message_t *m, const char *error, const char *error_class, const char *group,
                     const char *producer, int attempts, Orderfleet__AttemptError *const *earlier, size_t nearlier,
                     size_t *lenp);
/* The same, naming what the original is about when the worker read it: its event id, and the subject
 * "<about_key>:<about>" such as "tid:T1001" or "order:1003" (D-DLQ-3; NULL or "" for none). */
uint8_t *of_dlq_pack_about(const rd_kafka_message_t *m, const char *error, const char *error_class, const char *group,
                           const char *producer, int attempts, Orderfleet__AttemptError *const *earlier,
                           size_t nearlier, const char *event_id, const char *about_key, const char *about,
                           size_t *lenp);

#endif
