/* of_modstore.h -- the I/O side of trade-modify (trade-rules §4, MOD-00 … MOD-O-END-01): inside the batch
 * transaction, lock and read the changed raw trades, their sub-orders, their system orders and lines (one statement
 * per table), run the MOD rules (of_modst, of_modhdr, of_modline) and write what they decided (one multi-row
 * statement per table; stock through the submission's sorted counters), then clear the handled bits. */
#ifndef OF_MODSTORE_H
#define OF_MODSTORE_H
#include <stddef.h>
#include <stdint.h>
#include "of_catalog.h"
#include "of_config.h"
#include "of_db.h"
#include "of_err.h"

typedef struct of_modstore_s of_modstore_t;

typedef enum {
    OF_MS_APPLIED,          /* bits handled and cleared */
    OF_MS_NOTHING,          /* no bit left (a replay whose ledger row is gone, or a later change handled it already) */
    OF_MS_WAITING,          /* not submitted yet (pending, no exception): the change waits (retry ladder) */
    OF_MS_SKIPPED,          /* MOD-00: not submitted and will not be (exception, external, cancelled): bits left */
    OF_MS_UNKNOWN,          /* no such raw trade */
    OF_MS_RESUBMIT_STOPPED, /* MOD-T1-04 (OP-56): the paid version could not be submitted; the order is kept */
    OF_MS_DEFERRED,         /* D-MOD-43: an earlier job of the call changed its order (two raw trades of one merged
                             * order): nothing written, the caller applies it in a transaction of its own after this one */
} of_ms_outcome_t;

/* One changed raw trade (several change events of one raw trade in a batch are one job). */
typedef struct {
    uint64_t raw_id;      /* api_trade.rec_id */
    const char *event_id; /* the change event (stock log, order logs' cause) */
    /* out */
    of_ms_outcome_t outcome;
    uint64_t trade_id; /* the system order */
    int status_before, status_after;
    uint32_t bits, order_bits; /* api_trade / api_trade_order bits handled */
    uint32_t block_or, bad_or;
    char tid[72];
    char note[200];  /* the rules that acted, or why not */
    char moves[256]; /* the stock it moved ("order_num -2@1/spec 3 …"; "replaced" for a re-submission) */
} of_modjob_t;

of_modstore_t *of_modstore_new(of_db_t *db, const of_config_t *cfg);
void of_modstore_destroy(of_modstore_t *ms);

/* Inside the caller's open transaction: apply the pending bits of jobs[0..n) (distinct raw_id) on the catalogue
 * snapshot snap (borrowed). now = seconds on the platform clock. Errors: OF_ERR_TRANSIENT (retry the
 * transaction), OF_ERR_DB, OF_ERR_NOMEM. */
of_err_t of_modstore_apply(of_modstore_t *ms, const of_cat_snap_t *snap, of_modjob_t *const *jobs, size_t n,
                           int64_t now, char *errstr, size_t errstr_size) OF_MUST_CHECK;
/* The worker's lane the store serves (OF_WORKER_LANES; 0 by default): named in its log lines. */
void of_modstore_set_lane(of_modstore_t *ms, int lane);
/* The platform goods rows a re-submission of this transaction wrote (INIT-04; to publish after its commit). */
const of_cat_overlay_t *of_modstore_overlay(const of_modstore_t *ms);
/* The transaction is over (committed or rolled back): drop what is buffered. */
void of_modstore_discard(of_modstore_t *ms);

const char *of_modstore_outcome(of_ms_outcome_t o);

#endif
