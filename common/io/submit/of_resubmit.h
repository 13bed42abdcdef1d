/* of_resubmit.h -- reprocess stopped trades (issue 15 part 4, OP-10): find the raw trades a rule stopped
 * (api_trade.process_status 10, no order, submit_rule set) and publish a resubmit request for each on trade.raw, which
 * trade-submit turns into a new submission of the stored version (of_ingest.c). The request's event id names the
 * stop it answers (raw trade and the time of its last submission), so a request is applied once however often it
 * is sent, and a trade submitted meanwhile is not touched (docs/decisions.md D-RS-1). Used by `ordctl resubmit` and
 * by trade-submit's catalogue refresh (OF_RESUBMIT_AUTO, of_unblock.h). */
#ifndef OF_RESUBMIT_H
#define OF_RESUBMIT_H
#include <stddef.h>
#include "of_db.h"
#include "of_err.h"
#include "of_kafka.h"

typedef struct of_resubmit_s of_resubmit_t;

typedef struct {
    const char *rules;   /* comma-separated rule ids (submit_rule), "" or NULL: every rule */
    const char *tid;     /* one platform trade id, "" or NULL: any */
    const char *since;   /* "YYYY-MM-DD HH:MM:SS": stopped (last submission) at or after it; "" or NULL: any time */
    const char *changed; /* NULL: the filters above (by hand); else the automatic path: the configuration tables
                          * that changed (of_unblock_plan), the other filters unused */
    int dry_run;         /* count only */
} of_resub_filter_t;

#define OF_RESUB_RULES 64
typedef struct {
    struct {
        char rule[24];
        long n;
    } rules[OF_RESUB_RULES]; /* per stopping rule: trades found (and, not dry, requested) */
    size_t nrules;
    long found, published; /* published: acknowledged by Kafka */
} of_resub_result_t;

/* Called after each page of requests (progress). */
typedef void (*of_resub_progress_fn)(const of_resub_result_t *r, void *arg);

/* Registers the statements on db. NULL when out of memory. */
of_resubmit_t *of_resubmit_new(of_db_t *db);
void of_resubmit_destroy(of_resubmit_t *rs);
/* Find and (unless dry) publish, page by page (outside any transaction); *res is zeroed first. p may be NULL when
 * dry. producer names the sender (EventMeta.producer). Errors: OF_ERR_TRANSIENT (Kafka did not acknowledge, the
 * database away: run it again, nothing is applied twice), OF_ERR_DB, OF_ERR_NOMEM, OF_ERR_INVALID (a filter). */
of_err_t of_resubmit_run(of_resubmit_t *rs, of_producer_t *p, const char *producer, const of_resub_filter_t *f,
                         of_resub_result_t *res, of_resub_progress_fn progress, void *arg, char *errstr,
                         size_t errstr_size) OF_MUST_CHECK;
/* The event id of the request for raw trade raw_id whose last submission was at stamp (digits): "rs-<id>-<stamp>". */
const char *of_resubmit_event_id(unsigned long long raw_id, const char *stamp, char *buf, size_t size);

#endif
