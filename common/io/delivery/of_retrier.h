/* of_retrier.h -- the retry-ladder worker's loop: park each rung's partitions until their head is due, then
 * republish to the origin topic (DLV-6). Generic: serves any worker that sends with of_ladder_send(). */
#ifndef OF_RETRIER_H
#define OF_RETRIER_H
#include "of_config.h"
#include "of_kafka.h"
#include "of_ladder.h"

/* Consume the rung topics of ladder l (retry.30s … one per rung) in group `group`. A message whose due time
 * has come is republished to its origin topic (original key and bytes; headers of-attempt and of-retry carry
 * the attempt and the errors so far); its offset is stored once that is delivered. A message not yet due is
 * held with what follows it on its partition, and the partition is paused (rd_kafka_pause_partitions) when the
 * wait is longer than a second; it resumes when the held messages are handled: the loop sleeps until the next
 * head is due (no busy loop), and a rung never holds up another (each rung is its own topic and partitions).
 * An envelope that cannot be decoded or names an unknown origin topic is a dead letter. Runs until a stop is
 * requested (of_stop_requested), then commits and leaves the group. Returns the exit code. */
int of_retrier_run(const of_config_t *cfg, of_producer_t *p, const of_ladder_t *l, const char *group);

#endif
