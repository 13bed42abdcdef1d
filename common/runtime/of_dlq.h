/* of_dlq.h -- dead letters: a message kept whole with why it failed. */
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

/* Pack a DeadLetter for message m (original value and key byte for byte, topic, partition, offset).
 * error_class: "decode", "validation", "unknown_ref", "permanent", "exhausted". Returns malloc'd bytes
 * (caller frees with free()) and their length in *lenp; NULL when out of memory. */
uint8_t *of_dlq_pack(const rd_kafka_message_t *m, const char *error, const char *error_class, const char *group,
                     const char *producer, int attempts, size_t *lenp);

#endif
