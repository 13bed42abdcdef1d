/* of-trade-modify -- consumes the changes of submitted raw trades and applies them to their system orders. Wiring
 * only. */
#include <stdio.h>
#include <stdlib.h>
#include "of_db.h"
#include "of_kafka.h"
#include "of_ladder.h"
#include "of_log.h"
#include "of_modify.h"
#include "of_topics.h"
#include "of_worker.h"

static const char ABOUT[] =
    "Consumes TradeChange events from the trade.changed topic (keyed by the buyer, so a customer's changes\n"
    "arrive in order on one partition) and applies the raw trade's pending modify_flag bits to its system\n"
    "order, in the order of spec trade-rules section 4: status (paid: submitted again into the same order;\n"
    "refunded or closed: stock released, order cancelled, or an audited order intercepted), CS and client\n"
    "remarks, address, invoice, warehouse, and the sub-orders' refunds and goods changes. Each change is\n"
    "recorded once (replays change nothing). A change of a trade not submitted yet waits on the retry\n"
    "ladder (OF_RETRY_LADDER, served by of-retry-ladder). Run more instances to scale out: they share the\n"
    "group.";

int main(int argc, char **argv) {
    of_worker_one_arena(); /* the lanes (D-T10-68) */
    of_config_t *cfg = of_worker_init(argc, argv, "trade-modify", ABOUT);
    of_worker_signals_install();
    of_db_set_interrupt(&of_stop_requested);
    char err[512], group[256];
    int rc = 1, nl = of_worker_lanes(cfg), opened = 0;
    of_worker_lane_t lanes[OF_WORKER_LANES_MAX] = {0};
    void *ctx[OF_WORKER_LANES_MAX] = {0};
    of_producer_t *p = NULL;
    of_ladder_t ladder;
    if (of_ladder_parse(of_cfg_str(cfg, OF_CFG_RETRY_LADDER), &ladder, err, sizeof err)) {
        of_error("configuration error", OF_S("key", "OF_RETRY_LADDER"), OF_S("error", err), OF_END);
        of_config_destroy(cfg);
        return 78;
    }
    if (!(p = of_producer_new(cfg, of_cfg_str(cfg, OF_CFG_INSTANCE_ID), err, sizeof err))) {
        of_error("producer start failed", OF_S("error", err), OF_END);
        goto out;
    }
    of_worker_group(cfg, "trade-modify", group, sizeof group);
    for (; opened < nl; opened++) { /* a lane: its connections and its trade-modify context (D-T10-63) */
        of_worker_lane_t *l = &lanes[opened];
        int bad = of_worker_lane_open(cfg, p, opened, 0, l) ||
                  !(ctx[opened] = of_modify_new(cfg, l->db, l->p, &ladder, group, err, sizeof err));
        if (bad) {
            if (l->db && l->p) of_error("trade-modify start failed", OF_S("error", err), OF_I("lane", opened), OF_END);
            if (!l->db && of_stop_requested) rc = 0; /* asked to stop while waiting for the database (D-RT-14) */
            opened++;
            goto out;
        }
        of_modify_set_lane(ctx[opened], opened);
        of_db_set_stop_abandon(l->db, 1); /* D-RT-12: its transactions touch only the database before their commit */
    }
    static const int topics[] = {OF_TOPIC_TRADE_CHANGED};
    of_worker_spec_t spec = {.name = "trade-modify",
                             .topics = topics,
                             .ntopics = 1,
                             .on_batch = of_modify_batch,
                             .on_tick = of_modify_tick,
                             .tick_ms = 1000,
                             .ctx = ctx[0],
                             .lanes = ctx,
                             .nlanes = nl};
    rc = of_worker_run(cfg, p, &spec);
out:
    for (int k = 0; k < opened; k++) {
        of_modify_destroy(ctx[k]);
        of_worker_lane_close(&lanes[k]);
    }
    of_producer_destroy(p);
    of_config_destroy(cfg);
    return rc;
}
