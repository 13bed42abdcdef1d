/* of-flash -- turns flash-sale jobs into orders (spec flash-sale-payment.md FS-2…FS-6). Wiring only. */
#include <stdio.h>
#include <stdlib.h>
#include "of_db.h"
#include "of_flash.h"
#include "of_kafka.h"
#include "of_log.h"
#include "of_redis.h"
#include "of_topics.h"
#include "of_worker.h"

static const char ABOUT[] =
    "Consumes FlashJob messages from the flash.jobs topic (one partition per order line, FS-5: a line's jobs run\n"
    "in order) and turns each job into a flash-sale order (FS-6): within the batch's sale window, never selling\n"
    "more units than the batch has, within the buyer's unpaid-order and unit limits; amount = unit price x num.\n"
    "Each job's live record in Redis (what the gateway answers: inactive, active, complete, failed, delayed;\n"
    "attempts; FS-3) follows its attempts; an attempt active longer than OF_FLASH_TTL_MS fails, and a job that\n"
    "used all OF_FLASH_ATTEMPTS fails (FS-2). A job delivered again answers the order it made, never a second\n"
    "one. Run more instances to scale out: they share the order lines.";

int main(int argc, char **argv) {
    of_config_t *cfg = of_worker_init(argc, argv, "flash", ABOUT);
    of_worker_signals_install();
    of_db_set_interrupt(&of_stop_requested);
    char err[512];
    int rc = 1;
    of_db_t *db = NULL;
    of_redis_t *rd = NULL;
    of_producer_t *p = NULL;
    of_flash_t *f = NULL;
    if (!(db = of_worker_db_open(cfg, "flash", &rc))) goto out; /* D-RT-14: waits for a database not up yet */
    if (!(rd = of_redis_connect(cfg, err, sizeof err))) {
        of_error("redis unavailable at start", OF_S("error", err), OF_END);
        goto out;
    }
    if (!(p = of_producer_new(cfg, of_cfg_str(cfg, OF_CFG_INSTANCE_ID), err, sizeof err))) {
        of_error("producer start failed", OF_S("error", err), OF_END);
        goto out;
    }
    if (!(f = of_flash_new(cfg, db, rd, err, sizeof err))) {
        of_error("flash worker start failed", OF_S("error", err), OF_END);
        goto out;
    }
    static const int topics[] = {OF_TOPIC_FLASH_JOBS};
    of_worker_spec_t spec = {.name = "flash",
                             .topics = topics,
                             .ntopics = 1,
                             .on_batch = of_flash_batch,
                             .on_tick = of_flash_tick,
                             .tick_ms = 500,
                             .ctx = f};
    rc = of_worker_run(cfg, p, &spec);
out:
    of_flash_destroy(f);
    of_producer_destroy(p);
    of_redis_close(rd);
    of_db_close(db);
    of_config_destroy(cfg);
    return rc;
}
