/* of_fsjob.h -- the life of a flash-sale job (spec flash-sale-payment.md FS-2, FS-3): inactive → active → complete or
 * failed, with attempts, a TTL per attempt and a backoff before the next one (delayed). Pure: the gateway and the
 * flash worker keep the live record in Redis and the final one in fs_job. The running transitions are the Lua scripts
 * (lua/fsjob_start.lua, fsjob_reap.lua: atomic on the record); these functions are their specification, tested by
 * test_fs; of_fsjob_id_ok is used by the gateway, the worker and ordctl. Keep the scripts and these in step. */
#ifndef OF_FSJOB_H
#define OF_FSJOB_H
#include <stddef.h>
#include <stdint.h>

typedef enum {
    OF_FSJ_INACTIVE = 0,
    OF_FSJ_ACTIVE,
    OF_FSJ_COMPLETE,
    OF_FSJ_FAILED,
    OF_FSJ_DELAYED,
    OF_FSJ__COUNT
} of_fsjob_state_t;

typedef struct {
    of_fsjob_state_t state;
    int attempts_made, attempts_max;
    int64_t ttl_ms, backoff_ms; /* FS-2: 5000, and the first wait between attempts */
    int64_t created_ms, promote_ms, started_ms, deadline_ms, finished_ms;
} of_fsjob_t;

/* "inactive", "active", "complete", "failed", "delayed" (FS-3); NULL for an unknown state. */
const char *of_fsjob_state_name(of_fsjob_state_t s);
/* The state of a name, -1 when unknown. */
int of_fsjob_state_parse(const char *name);
/* A worker starts an attempt: inactive or delayed (or active: a worker that died) → active, attempts_made + 1,
 * deadline = now + ttl. Returns 0; 1 when the job is complete or failed already (a replay: nothing changes); 2 when it
 * is delayed and its backoff is not over (now < promote_ms: nothing changes, the worker waits, FS-2); -1 when every
 * attempt was made (the job fails, FS-2). */
int of_fsjob_start(of_fsjob_t *j, int64_t now_ms);
/* fsjob_start.lua answers a delayed job whose backoff is not over with OF_FSJOB_WAIT - ms (ms: the wait left, ≥ 1);
 * its other answers are ≥ -100 (attempts are at most 100). */
#define OF_FSJOB_WAIT (-1000LL)
/* The attempt finished: complete. */
void of_fsjob_complete(of_fsjob_t *j, int64_t now_ms);
/* The attempt failed. permanent (the job itself is refused: sold out, over a limit) or no attempt left → failed;
 * else delayed until now + the backoff of this attempt (of_fsjob_backoff). */
void of_fsjob_fail(of_fsjob_t *j, int64_t now_ms, int permanent);
/* Exponential backoff after attempt n (1-based): backoff_ms × 2^(n−1), at most 60 s. */
int64_t of_fsjob_backoff(const of_fsjob_t *j, int n);
/* FS-2: an active job past its deadline ("TTL exceeded"). */
int of_fsjob_expired(const of_fsjob_t *j, int64_t now_ms);
/* Job ids the gateway hands out and accepts: 1..32 characters of [0-9A-Za-z_-]. */
int of_fsjob_id_ok(const char *id);

#endif
