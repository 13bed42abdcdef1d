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
    of_config_t *cfg = of_worker_init(argc, argv, "trade-submit", ABOUT);
    of_worker_signals_install();
    of_db_set_interrupt(&of_stop_requested);
    char err[512], group[256];
    int rc = 1;
    of_db_t *db = NULL;
    of_redis_t *redis = NULL;
    of_producer_t *p = NULL;
    of_ingest_t *in = NULL;

    if (!(db = of_db_connect(cfg, NULL, err, sizeof err))) {
        of_error("database unavailable at start", OF_S("error", err), OF_END);
        goto out;
    }
    /* Redis being away is not fatal (the handle reconnects on use); a configuration error is. */
    if (!(redis = of_redis_connect(cfg, err, sizeof err))) {
        of_error("redis configuration error", OF_S("error", err), OF_END);
        goto out;
    }
    if (!(p = of_producer_new(cfg, of_cfg_str(cfg, OF_CFG_INSTANCE_ID), err, sizeof err))) {
        of_error("producer start failed", OF_S("error", err), OF_END);
        goto out;
    }
    of_worker_group(cfg, "trade-submit", group, sizeof group);
    if (!(in = of_ingest_new(cfg, db, redis, p, group, err, sizeof err))) {
        of_error("ingest start failed", OF_S("error", err), OF_END);
        goto out;
    }
    static const int topics[] = {OF_TOPIC_TRADE_RAW};
    of_worker_spec_t spec = {.name = "trade-submit",
                             .topics = topics,
                             .ntopics = 1,
                             .on_batch = of_ingest_batch,
                             .on_tick = of_ingest_tick,
                             .tick_ms = 200, /* the outbox marks its events soon after their reports (D-T10-55) */
                             .ctx = in};
    rc = of_worker_run(cfg, p, &spec);
out:
    of_ingest_destroy(in);
    of_producer_destroy(p);
    of_redis_close(redis);
    of_db_close(db);
    of_config_destroy(cfg);
    return rc;
}
