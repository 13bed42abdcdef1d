/* of_side.h -- a second connection whose statements run on a thread of their own while the caller goes on with its
 * own connection (D-MOD-55): a batch's lookups that take no lock, sent while its locked reads and its rules run. One
 * job at a time; used by one caller thread. The thread starts, and the connection opens, with the first job: a process
 * that never sends one has neither. */
#ifndef OF_SIDE_H
#define OF_SIDE_H
#include <stddef.h>
#include "of_config.h"
#include "of_db.h"
#include "of_err.h"

typedef struct of_side_s of_side_t;

/* The side session, set at its connection and at every reconnection (of_db_connect_session): each statement its own
 * transaction and consistent read, whatever the server's default (autocommit); no table lock waited for longer than
 * 2 s (a caller that waits for the side while its own transaction holds table locks that a pending ALTER queues
 * behind, which the side's statement then queues behind, goes on in 2 s, not after the client's read timeout). */
#define OF_SIDE_SESSION "SET SESSION autocommit = 1, lock_wait_timeout = 2"

/* A job: runs on the side thread with the side connection. */
typedef of_err_t (*of_side_fn)(of_db_t *db, void *arg, char *errstr, size_t errstr_size);

/* cfg is borrowed (it outlives the side). NULL when out of memory. */
of_side_t *of_side_new(const of_config_t *cfg);
/* Waits for a job still running, stops the thread, closes the connection. */
void of_side_free(of_side_t *s);
/* Hands fn(db, arg) to the side thread and returns at once: 0. -1 when a job is still to be collected
 * (of_side_wait), or when the thread cannot start: the caller does the work itself. arg must stay valid until
 * of_side_wait returns. */
int of_side_start(of_side_t *s, of_side_fn fn, void *arg);
/* Waits for the job handed over by of_side_start and returns its result (its message in errstr); OF_OK when there
 * was none. A connection that cannot be opened is the job's OF_ERR_TRANSIENT. */
of_err_t of_side_wait(of_side_t *s, char *errstr, size_t errstr_size);
/* Whether a job was handed over and not collected yet. */
int of_side_busy(of_side_t *s);
/* Called by a job, on the side thread: what it has produced so far may be used (D-MOD-59: a batch's sub-orders, read
 * before its customers). */
void of_side_mark(of_side_t *s);
/* Waits until the job handed over has called of_side_mark, or has ended: 1 when it marked (what it wrote before
 * of_side_mark is the caller's to read; the job may still run), 0 when it ended without marking or there is none. The
 * job is still collected by of_side_wait. */
int of_side_wait_mark(of_side_t *s);

#endif
