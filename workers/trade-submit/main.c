/* of-trade-submit -- consumes raw trades, stores them (api_trade), emits the changes it detects. Wiring only. */
#include <stdio.h>
#include <stdlib.h>
#include "of_db.h"
#include "of_ingest.h"
#include "of_kafka.h"
#include "of_log.h"
#include "of_redis.h"
#include "of_topics.h"
#include "of_worker.h"

static const char ABOUT[] =
    "Consumes RawTrade events from the trade.raw topic (keyed by buyer), stores each raw trade and its\n"
    "sub-orders in api_trade / api_trade_order once (replays change nothing), raises modify_flag bits\n"
    "when a stored trade arrives changed and emits a TradeChange event for trade-modify (via the outbox).\n"
    "Messages that cannot be decoded, fail validation or name an unknown shop go to the deadletter topic\n"
    "with the reason. Run more instances to scale out: they share the consumer group.";

int main(int argc, char **argv) {
    of_worker_one_arena(); /* the lanes (D-T10-68) */
    of_config_t *cfg = of_worker_init(argc, argv, "trade-submit", ABOUT);
    of_worker_signals_install();
    of_db_set_interrupt(&of_stop_requested);
    char err[512], group[256];
    int rc = 1, nl = of_worker_lanes(cfg), opened = 0;
    of_worker_lane_t lanes[OF_WORKER_LANES_MAX] = {0};
    void *ctx[OF_WORKER_LANES_MAX] = {0};
    of_producer_t *p = of_producer_new(cfg, of_cfg_str(cfg, OF_CFG_INSTANCE_ID), err, sizeof err);
    if (!p) {
        of_error("producer start failed", OF_S("error", err), OF_END);
        goto out;
    }
    of_worker_group(cfg, "trade-submit", group, sizeof group);
    for (; opened < nl; opened++) { /* a lane: its connections and its ingest (D-T10-63) */
        of_worker_lane_t *l = &lanes[opened];
        int bad = of_worker_lane_open(cfg, p, opened, 1, l) ||
                  !(ctx[opened] = of_ingest_new(cfg, l->db, l->redis, l->p, group, err, sizeof err));
        if (bad) {
            if (l->db && l->p) of_error("ingest start failed", OF_S("error", err), OF_I("lane", opened), OF_END);
            if (!l->db && of_stop_requested) rc = 0; /* asked to stop while waiting for the database (D-RT-14) */
            opened++;
            goto out;
        }
        of_ingest_set_lane(ctx[opened], opened);
    }
    static const int topics[] = {OF_TOPIC_TRADE_RAW};
    of_worker_spec_t spec = {.name = "trade-submit",
                             .topics = topics,
                             .ntopics = 1,
                             .on_batch = of_ingest_batch,
                             .on_tick = of_ingest_tick,
                             .tick_ms = 200, /* the outbox marks its events soon after their reports (D-T10-55) */
                             .ctx = ctx[0],
                             .lanes = ctx,
                             .nlanes = nl};
    rc = of_worker_run(cfg, p, &spec);
out:
    for (int k = 0; k < opened; k++) {
        of_ingest_destroy(ctx[k]);
        of_worker_lane_close(&lanes[k]);
    }
    of_producer_destroy(p);
    of_config_destroy(cfg);
    return rc;
}
