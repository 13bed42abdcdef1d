/* of_flash.h -- the flash worker (spec flash-sale-payment.md FS-2…FS-6): consumes FlashJob messages from flash.jobs
 * (one partition per order line, FS-5), starts an attempt of each job on its live record in Redis, and in one MySQL
 * transaction per batch locks the jobs' batches, decides each job in order (of_fsorder_decide: window, limits, units
 * left) and writes the orders, the batches' sold units and the jobs' final records; then the live records take the
 * recorded state. A job's order is keyed by its job id, so a job delivered again (a worker died, a batch was retried)
 * answers the order it made, never a second one. Its tick fails attempts that outlive their TTL (FS-2). */
#ifndef OF_FLASH_H
#define OF_FLASH_H
#include "of_db.h"
#include "of_redis.h"
#include "of_worker.h"

typedef struct of_flash_s of_flash_t;

of_flash_t *of_flash_new(const of_config_t *cfg, of_db_t *db, of_redis_t *rd, char *errstr, size_t errstr_size);
void of_flash_destroy(of_flash_t *f);
/* of_batch_fn: every message ends applied, recognised as a replay, or dead (undecodable, no job id). */
of_err_t of_flash_batch(void *ctx, rd_kafka_message_t **msgs, int n, of_msg_result_t *results);
/* of_tick_fn: the TTL check of active attempts (FS-2), at most once a second. */
void of_flash_tick(void *ctx);

#endif
