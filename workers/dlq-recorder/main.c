/* of-dlq-recorder -- records every dead letter in MySQL and in the dead-letter text log. Wiring only. */
#include <stdio.h>
#include "of_db.h"
#include "of_dlqrec.h"
#include "of_kafka.h"
#include "of_log.h"
#include "of_topics.h"
#include "of_worker.h"

static const char ABOUT[] =
    "Consumes the deadletter topic (dead letters of every worker) and records each one in MySQL's dead_letter\n"
    "table (original bytes and key, origin topic/partition/offset, order, class, last error, every try's error,\n"
    "times) and as one line in the text log OF_DEADLETTER_LOG. A redelivered dead letter adds nothing.\n"
    "`ordctl dlq list` reads the table; `ordctl dlq redrive` sends dead letters back to their origin topic.";

int main(int argc, char **argv) {
    of_config_t *cfg = of_worker_init(argc, argv, "dlq-recorder", ABOUT);
    of_worker_signals_install();
    of_db_set_interrupt(&of_stop_requested);
    char err[512];
    int rc = 1;
    of_db_t *db = NULL;
    of_producer_t *p = NULL;
    of_dlqrec_t *rec = NULL;
    if (!(db = of_worker_db_open(cfg, "dlq-recorder", &rc))) goto out; /* D-RT-14: waits for a database not up yet */
    if (!(rec = of_dlqrec_new(cfg, db, err, sizeof err))) {
        of_error("dead-letter recorder start failed", OF_S("error", err), OF_END);
        goto out;
    }
    if (!(p = of_producer_new(cfg, of_cfg_str(cfg, OF_CFG_INSTANCE_ID), err, sizeof err))) {
        of_error("producer start failed", OF_S("error", err), OF_END);
        goto out;
    }
    static const int topics[] = {OF_TOPIC_DEADLETTER};
    of_worker_spec_t spec = {
        .name = "dlq-recorder", .topics = topics, .ntopics = 1, .on_batch = of_dlqrec_batch, .ctx = rec};
    rc = of_worker_run(cfg, p, &spec);
out:
    of_producer_destroy(p);
    of_dlqrec_destroy(rec);
    of_db_close(db);
    of_config_destroy(cfg);
    return rc;
}
