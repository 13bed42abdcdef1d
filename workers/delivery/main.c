/* of-delivery -- delivers paid orders to their merchants' HTTP endpoints (DLV-2..DLV-6). Wiring only. */
#include <stdio.h>
#include <stdlib.h>
#include "of_db.h"
#include "of_delivery_loop.h"
#include "of_delivery_worker.h"
#include "of_kafka.h"
#include "of_ladder.h"
#include "of_log.h"
#include "of_redis.h"
#include "of_topics.h"
#include "of_worker.h"

static const char ABOUT[] =
    "Consumes DeliveryRequest events from delivery.request (keyed by order) and POSTs each paid order to its\n"
    "merchant's endpoint (merchant.endpoint_url): JSON body, Idempotency-Key header (stable across retries),\n"
    "X-OF-Signature: sha256=HMAC-SHA256(secret, body) with the secret read from the environment variable named\n"
    "by merchant.secret_ref. Many calls are in flight at once (OF_DELIVERY_MAX_INFLIGHT), one per order at a\n"
    "time. A 2xx is delivered; a timeout, connection error or 5xx goes up the retry ladder (OF_RETRY_LADDER,\n"
    "served by of-retry-ladder); a 4xx, or the last failed try, is a dead letter with every try's error.\n"
    "A duplicate notify or a replayed message does nothing (Redis claim, then the delivery row in MySQL).\n"
    "Every try is recorded in delivery_attempt, the outcome in delivery, and an OrderEvent is emitted.";

int main(int argc, char **argv) {
    of_worker_one_arena(); /* the loop and its two database threads */
    of_config_t *cfg = of_worker_init(argc, argv, "delivery", ABOUT);
    of_worker_signals_install();
    of_db_set_interrupt(&of_stop_requested);
    char err[512], group[256];
    int rc = 1;
    of_db_t *db = NULL, *rdb = NULL; /* the claims' and the records' (two threads) */
    of_redis_t *redis = NULL, *rredis = NULL;
    of_producer_t *p = NULL;
    of_delivery_t *dv = NULL;
    of_ladder_t ladder;

    if (of_ladder_parse(of_cfg_str(cfg, OF_CFG_RETRY_LADDER), &ladder, err, sizeof err)) {
        fprintf(stderr, "of-delivery: configuration error: %s\n", err);
        of_config_destroy(cfg);
        return 78;
    }
    /* D-RT-14: waits for a database not up yet */
    if (!(db = of_worker_db_open(cfg, "delivery claims", &rc)) ||
        !(rdb = of_worker_db_open(cfg, "delivery records", &rc)))
        goto out;
    if (!(redis = of_redis_connect(cfg, err, sizeof err)) || !(rredis = of_redis_connect(cfg, err, sizeof err))) {
        of_error("redis configuration error", OF_S("error", err), OF_END);
        goto out;
    }
    if (!(p = of_producer_new(cfg, of_cfg_str(cfg, OF_CFG_INSTANCE_ID), err, sizeof err))) {
        of_error("producer start failed", OF_S("error", err), OF_END);
        goto out;
    }
    of_worker_group(cfg, "delivery", group, sizeof group);
    if (!(dv = of_delivery_worker_new(cfg, db, redis, rdb, rredis, p, &ladder, group, err, sizeof err))) {
        of_error("delivery start failed", OF_S("error", err), OF_END);
        goto out;
    }
    of_info("retry ladder", OF_S("ladder", of_cfg_str(cfg, OF_CFG_RETRY_LADDER)),
            OF_I("tries", of_ladder_tries(&ladder)), OF_END);
    rc = of_delivery_loop_run(cfg, p, dv, "delivery");
out:
    of_delivery_worker_destroy(dv);
    of_producer_destroy(p);
    of_redis_close(rredis);
    of_redis_close(redis);
    of_db_close(rdb);
    of_db_close(db);
    of_config_destroy(cfg);
    return rc;
}
