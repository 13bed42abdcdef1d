/* of_opsq.h -- the fleet's state in numbers for operators (ordctl summary, the ops console): orders by status,
 * what moved in the last minutes, flash-sale jobs by state. */
#ifndef OF_OPSQ_H
#define OF_OPSQ_H
#include <stddef.h>
#include <stdint.h>
#include "of_db.h"
#include "of_err.h"
#include "of_redis.h"

/* Orders (sales_trade) by status: up to max (status, count) pairs by status, their number in *n. */
typedef struct {
    int status;
    long long count;
} of_opsq_status_t;
of_err_t of_opsq_statuses(of_db_t *db, of_opsq_status_t *out, size_t max, size_t *n, char *err, size_t errsize);

/* Order log rows (sales_trade_log: every status change, merge, split, change applied) written in each of the last
 * `minutes` whole minutes: per_min[0] is the oldest minute, per_min[minutes - 1] the current one (up to now). */
of_err_t of_opsq_moves(of_db_t *db, int minutes, long long *per_min, char *err, size_t errsize);

/* Flash-sale jobs by state (of_fsjob_state_t order: inactive, active, complete, failed, delayed). live: the live
 * records in Redis (fsjob:<id> hashes under prefix; a SCAN of at most scan_max keys, *scanned says how many were
 * read, *more 1 when it stopped before the end); final: the records kept in fs_job. */
of_err_t of_opsq_fsjobs_live(of_redis_t *rd, const char *prefix, long scan_max, long long live[5], long *scanned,
                             int *more, char *err, size_t errsize);
of_err_t of_opsq_fsjobs_final(of_db_t *db, long long final[5], char *err, size_t errsize);

#endif
