/* of_delivery_loop.h -- of-delivery's consumer loop: the steps of of_delivery_worker.h as a pipeline, so that while
 * some messages' outcomes are written, the next ones' claims and calls already run. */
#ifndef OF_DELIVERY_LOOP_H
#define OF_DELIVERY_LOOP_H
#include "of_config.h"
#include "of_delivery_worker.h"
#include "of_kafka.h"

/* Consume delivery.request in the group of worker `name` until a stop is requested. Three threads: this one
 * receives (Kafka), runs the calls (libcurl multi, at most OF_DELIVERY_MAX_INFLIGHT, one per order at a time: a
 * message waits while an earlier one of its order is not durable) and stores offsets; a claim thread runs the claims
 * (at most OF_BATCH_SIZE messages a job: those ready when it is free) and a record thread the records (every message
 * whose call is over when it is free), each on its own database and Redis connection; the record thread also
 * serves the producer and sweeps the outbox. At most 3 x OF_BATCH_SIZE messages are held (4,096 at most). A
 * message's offset is stored once its outcome is durable and every earlier message of its partition's is. A
 * revoke first finishes what is under way of the revoked partitions. On a stop: nothing new is claimed or called,
 * calls in flight get 2 s (then abandoned: redelivered), what is done is recorded and stored. Returns the exit
 * code (of_worker_run's). */
int of_delivery_loop_run(const of_config_t *cfg, of_producer_t *producer, of_delivery_t *d, const char *name);

#endif
