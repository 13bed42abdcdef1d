/* of-order-sync -- keeps the buyer site's and the seller site's copies of every order in one state (spec
 * order-sync.md SYN-1 … SYN-7; common/io/sync/of_sync.h). Wiring only. */
#include <stdio.h>
#include <stdlib.h>
#include "of_db.h"
#include "of_kafka.h"
#include "of_ladder.h"
#include "of_log.h"
#include "of_site.h"
#include "of_sync.h"
#include "of_syncpub.h"
#include "of_topics.h"
#include "of_worker.h"

static const char ABOUT[] =
    "Keeps the buyer site's and the seller site's order databases in one state. Two reader threads publish each\n"
    "site's unpublished sync-log rows to order.sync keyed by order (the sync logs are the outboxes); the consumer\n"
    "takes each named order's ops of both sides in time order, checks each op's from_status against the merged\n"
    "status, settles conflicts by the table of docs/decisions.md (facts — payment, shipment, receipt — win over\n"
    "requests; a losing op is rejected with a log line on both sides), and writes the result to the seller primary\n"
    "then the buyer site, idempotently (SYN-2). It reads the seller's ops from the replica at the buyer site once\n"
    "the replica has every op the primary has for the order (SYN-4; an order whose replica lags waits on the retry\n"
    "ladder). Lines copy buyer -> seller (SYN-5), order logs merge without duplicates (SYN-6). Run more instances\n"
    "to scale out: each order belongs to one partition, so to one instance at a time (SYN-3).";

int main(int argc, char **argv) {
    of_config_t *cfg = of_worker_init(argc, argv, "order-sync", ABOUT);
    of_worker_signals_install();
    of_db_set_interrupt(&of_stop_requested);
    char err[512], worker[160];
    int rc = 1;
    of_db_t *b = NULL, *s = NULL, *r = NULL;
    of_producer_t *p = NULL;
    of_sync_t *sy = NULL;
    of_syncpub_t *pb = NULL, *ps = NULL;
    of_ladder_t ladder;
    if (of_ladder_parse(of_cfg_str(cfg, OF_CFG_RETRY_LADDER), &ladder, err, sizeof err)) {
        of_error("configuration error", OF_S("key", "OF_RETRY_LADDER"), OF_S("error", err), OF_END);
        of_config_destroy(cfg);
        return 78;
    }
    snprintf(worker, sizeof worker, "order-sync@%s", of_cfg_str(cfg, OF_CFG_INSTANCE_ID));
    /* D-RT-14: a site's server not reachable yet is waited for (logged), as every worker's database */
    if (!(b = of_site_open(cfg, OF_SITE_BUYER, &rc)) || !(s = of_site_open(cfg, OF_SITE_SELLER, &rc)) ||
        !(r = of_site_open(cfg, OF_SITE_REPLICA, &rc)))
        goto out;
    if (!(p = of_producer_new(cfg, of_cfg_str(cfg, OF_CFG_INSTANCE_ID), err, sizeof err))) {
        of_error("producer start failed", OF_S("error", err), OF_END);
        goto out;
    }
    if (!(sy = of_sync_new(cfg, b, s, r, p, &ladder, worker, err, sizeof err))) {
        of_error("order-sync start failed", OF_S("error", err), OF_END);
        goto out;
    }
    if (!(pb = of_syncpub_start(cfg, OF_SITE_BUYER, worker, err, sizeof err)) ||
        !(ps = of_syncpub_start(cfg, OF_SITE_SELLER, worker, err, sizeof err))) {
        of_error("sync-log reader start failed", OF_S("error", err), OF_END);
        goto out;
    }
    static const int topics[] = {OF_TOPIC_ORDER_SYNC};
    of_worker_spec_t spec = {.name = "order-sync",
                             .topics = topics,
                             .ntopics = 1,
                             .on_batch = of_sync_batch,
                             .on_tick = of_sync_tick,
                             .tick_ms = 1000,
                             .ctx = sy};
    rc = of_worker_run(cfg, p, &spec);
out:
    of_syncpub_stop(pb);
    of_syncpub_stop(ps);
    of_sync_destroy(sy);
    of_producer_destroy(p);
    of_db_close(r);
    of_db_close(s);
    of_db_close(b);
    of_config_destroy(cfg);
    return rc;
}
