/* of_sweep.h -- the sweep's I/O (spec trade-rules §5, MID; issue 12): orders in waiting states found by index, taken
 * one customer at a time under a lock that holds across instances (the customer's crm_customer row, FOR UPDATE SKIP
 * LOCKED), the MID rules (common/rules/sweep) decided in memory and written in one transaction per round: one
 * multi-row statement per table, stock through the submission's sorted counters, order events through the outbox. */
#ifndef OF_SWEEP_H
#define OF_SWEEP_H
#include <stddef.h>
#include <stdint.h>
#include "of_config.h"
#include "of_db.h"
#include "of_kafka.h"

typedef struct of_sweep_s of_sweep_t;

/* Borrowed: cfg, db, producer (NULL: events stay in the outbox for another process's sweep). NULL + errstr when the
 * statements do not fit the connection or memory runs out. */
of_sweep_t *of_sweep_new(const of_config_t *cfg, of_db_t *db, of_producer_t *producer, char *errstr,
                         size_t errstr_size);
void of_sweep_destroy(of_sweep_t *sw);

/* What a round did. */
typedef struct {
    size_t candidates; /* customers with due or pre-processing orders seen by the index read */
    size_t customers;  /* of them, locked and handled by this instance */
    size_t moved;      /* orders whose status changed */
    size_t merged;     /* orders merged into another */
    size_t stock_moves, sales_rows;
    int full; /* 1: the candidate read was full: more are waiting, run again at once */
} of_sweep_stats_t;

/* One round: read up to OF_SWEEP_BATCH × 4 candidate customers (no lock), lock up to OF_SWEEP_BATCH of them that no
 * other instance holds, and move their orders, in one transaction (retried on a passing database condition). Returns
 * OF_OK, or the error (logged by the caller) with nothing written. */
of_err_t of_sweep_round(of_sweep_t *sw, of_sweep_stats_t *st, char *errstr, size_t errstr_size) OF_MUST_CHECK;
/* Between rounds: outbox sweep and retention, catalogue refresh. */
void of_sweep_tick(of_sweep_t *sw);

#endif
