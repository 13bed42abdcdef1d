/* of-payment-finish -- runs the chain of every paid flash-sale order (spec flash-sale-payment.md FS-9). Wiring only. */
#include <stdio.h>
#include <stdlib.h>
#include "of_db.h"
#include "of_finish.h"
#include "of_kafka.h"
#include "of_ladder.h"
#include "of_log.h"
#include "of_topics.h"
#include "of_worker.h"

static const char ABOUT[] =
    "Consumes PaymentCompleted events from payment.completed (keyed by order) and runs each paid order's finish\n"
    "chain (FS-9), every step once: the order paid, the payment method recorded, the goods units created (one per\n"
    "unit bought), the repurchase order (when the batch has repurchase terms), the buyer push \"付款成功\"\n"
    "(OF_FINISH_PUSH_MERCHANT) and the system message (OF_FINISH_MESSAGE_MERCHANT) as signed webhooks through\n"
    "of-delivery, the activity updated (the batch's paid units), and the merchant's delivery.request. A step that\n"
    "fails goes up the retry ladder (OF_RETRY_LADDER, served by of-retry-ladder) without redoing the steps before\n"
    "it (fs_finish_step). Run more instances to scale out: they share the group.";

int main(int argc, char **argv) {
    of_config_t *cfg = of_worker_init(argc, argv, "payment-finish", ABOUT);
    of_worker_signals_install();
    of_db_set_interrupt(&of_stop_requested);
    char err[512], worker[160];
    int rc = 1;
    of_db_t *db = NULL;
    of_producer_t *p = NULL;
    of_finish_t *f = NULL;
    of_ladder_t ladder;
    if (of_ladder_parse(of_cfg_str(cfg, OF_CFG_RETRY_LADDER), &ladder, err, sizeof err)) {
        of_error("configuration error", OF_S("key", "OF_RETRY_LADDER"), OF_S("error", err), OF_END);
        of_config_destroy(cfg);
        return 78;
    }
    snprintf(worker, sizeof worker, "payment-finish@%s", of_cfg_str(cfg, OF_CFG_INSTANCE_ID));
    if (!(db = of_worker_db_open(cfg, "payment-finish", &rc))) goto out; /* D-RT-14: waits for a database not up yet */
    if (!(p = of_producer_new(cfg, of_cfg_str(cfg, OF_CFG_INSTANCE_ID), err, sizeof err))) {
        of_error("producer start failed", OF_S("error", err), OF_END);
        goto out;
    }
    if (!(f = of_finish_new(cfg, db, p, &ladder, worker, err, sizeof err))) {
        of_error("payment-finish start failed", OF_S("error", err), OF_END);
        goto out;
    }
    static const int topics[] = {OF_TOPIC_PAYMENT_COMPLETED};
    of_worker_spec_t spec = {.name = "payment-finish",
                             .topics = topics,
                             .ntopics = 1,
                             .on_batch = of_finish_batch,
                             .on_tick = of_finish_tick,
                             .tick_ms = 1000,
                             .ctx = f};
    rc = of_worker_run(cfg, p, &spec);
out:
    of_finish_destroy(f);
    of_producer_destroy(p);
    of_db_close(db);
    of_config_destroy(cfg);
    return rc;
}
