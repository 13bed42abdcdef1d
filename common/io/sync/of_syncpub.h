/* of_syncpub.h -- a site's sync log as its outbox (issue 14, part 1): a reader thread takes unpublished rows in id
 * order (FOR UPDATE SKIP LOCKED, so any number of of-order-sync instances share the work), publishes each as a SyncOp
 * on order.sync keyed by the order id, and marks the rows published once Kafka acknowledged them, in the same
 * transaction. A crash between publish and mark only publishes again: the sync takes ops from the sync logs by id,
 * and a message is only the news that an order has some (of_sync.c). */
#ifndef OF_SYNCPUB_H
#define OF_SYNCPUB_H
#include "of_config.h"
#include "of_site.h"

typedef struct of_syncpub_s of_syncpub_t;

/* Start the reader of side's sync log (OF_SITE_BUYER or OF_SITE_SELLER) in its own thread, with its own database
 * connection and producer. While the site is unreachable it waits (a log line when that starts and ends) and tries
 * again; it never gives up. NULL + errstr on a start failure. */
of_syncpub_t *of_syncpub_start(const of_config_t *cfg, of_site_t side, const char *worker, char *errstr,
                               size_t errstr_size);
/* Rows published since the start. */
unsigned long long of_syncpub_published(const of_syncpub_t *p);
/* Stop (bounded: the current publish gets the producer's stop grace), join, free. */
void of_syncpub_stop(of_syncpub_t *p);

#endif
