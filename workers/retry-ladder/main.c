/* of-retry-ladder -- holds failed messages on the retry rungs until due, then republishes them (DLV-6). Wiring. */
#include <stdio.h>
#include "of_kafka.h"
#include "of_ladder.h"
#include "of_log.h"
#include "of_retrier.h"
#include "of_worker.h"

static const char ABOUT[] =
    "Serves the retry ladder of every worker: consumes the rung topics (retry.30s, retry.300s, retry.3600s,\n"
    "retry.7200s; as many as OF_RETRY_LADDER has waits) whose RetryEnvelope messages carry the original\n"
    "message, its origin topic, the next attempt, the due time and every error so far. A partition whose head\n"
    "is not due is paused until it is (its head held); a due message is republished to its origin topic with\n"
    "headers of-attempt and of-retry, and its offset committed once that is durable. No busy loop, and a long\n"
    "rung never holds up a short one. Run more instances to scale out (same consumer group).";

int main(int argc, char **argv) {
    of_config_t *cfg = of_worker_init(argc, argv, "retry-ladder", ABOUT);
    of_worker_signals_install();
    char err[512], group[256];
    of_ladder_t ladder;
    if (of_ladder_parse(of_cfg_str(cfg, OF_CFG_RETRY_LADDER), &ladder, err, sizeof err)) {
        fprintf(stderr, "of-retry-ladder: configuration error: %s\n", err);
        of_config_destroy(cfg);
        return 78;
    }
    int rc = 1;
    of_producer_t *p = of_producer_new(cfg, of_cfg_str(cfg, OF_CFG_INSTANCE_ID), err, sizeof err);
    if (!p)
        of_error("producer start failed", OF_S("error", err), OF_END);
    else
        rc = of_retrier_run(cfg, p, &ladder, of_worker_group(cfg, "retry-ladder", group, sizeof group));
    of_producer_destroy(p);
    of_config_destroy(cfg);
    return rc;
}
