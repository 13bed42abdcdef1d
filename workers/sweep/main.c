/* of-sweep -- moves the orders in waiting states on by themselves (spec trade-rules §5, MID): due delays, then the
 * pre-processing of each customer's orders (merges, the state they enter, stock and sales). Wiring only: the rounds
 * are of_sweep.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "of_db.h"
#include "of_kafka.h"
#include "of_admin.h"
#include "of_log.h"
#include "of_metrics.h"
#include "of_sweep.h"
#include "of_time.h"
#include "of_worker.h"

static const char ABOUT[] =
    "Moves orders in waiting states on by themselves (spec trade-rules section 5): a wait-unpaid (15) or\n"
    "delayed-audit (16) order whose delay_to_time has passed goes to 16 or to pre-processing (20); every\n"
    "pre-processing order (19, 20) is taken with the customer's other orders: merged with them or into an\n"
    "existing awaiting-audit / pre-order order when the shop allows it, then moved to awaiting audit (30) or\n"
    "pre-order (25), its stock kept exact and today's sales counted. Each round locks the customers it moves\n"
    "(FOR UPDATE SKIP LOCKED), so any number of instances can run; a round is one transaction. Rounds run every\n"
    "OF_SWEEP_INTERVAL_MS, at once while candidates are waiting. Order events go to order.events.";

/* Sleep ms, in slices, until a stop is requested. */
static void nap(int64_t ms) {
    int64_t end = of_mono_ms() + ms;
    while (!of_stop_requested) {
        of_admin_beat();
        int64_t left = end - of_mono_ms();
        if (left <= 0) break;
        struct timespec ts = {0, (long)((left < 50 ? left : 50) * 1000000)};
        nanosleep(&ts, NULL);
    }
}

int main(int argc, char **argv) {
    of_config_t *cfg = of_worker_init(argc, argv, "sweep", ABOUT);
    of_worker_signals_install();
    of_db_set_interrupt(&of_stop_requested);
    srand((unsigned)(getpid() ^ (unsigned)of_now_ms()));
    char err[512];
    int rc = 1;
    of_db_t *db = NULL;
    of_producer_t *p = NULL;
    of_sweep_t *sw = NULL;
    if (!(db = of_worker_db_open(cfg, "sweep", &rc))) goto out; /* D-RT-14: waits for a database not up yet */
    if (!(p = of_producer_new(cfg, of_cfg_str(cfg, OF_CFG_INSTANCE_ID), err, sizeof err))) {
        of_error("producer start failed", OF_S("error", err), OF_END);
        goto out;
    }
    of_admin_kafka(of_producer_handle(p)); /* /readyz asks Kafka through it whether a broker is back */
    if (!(sw = of_sweep_new(cfg, db, p, err, sizeof err))) {
        of_error("sweep start failed", OF_S("error", err), OF_END);
        goto out;
    }
    int64_t interval = of_cfg_int(cfg, OF_CFG_SWEEP_INTERVAL_MS), backoff = 0;
    int64_t stats_ms = of_cfg_int(cfg, OF_CFG_STATS_INTERVAL_S) * 1000, next_stats = of_mono_ms() + stats_ms;
    int64_t next_tick = 0;
    unsigned long long rounds = 0, moved = 0, merged = 0, failed = 0;
    of_info("sweep started", OF_I("interval_ms", interval), OF_I("batch", of_cfg_int(cfg, OF_CFG_SWEEP_BATCH)), OF_END);
    while (!of_stop_requested) {
        of_sweep_stats_t st;
        of_admin_beat();
        int64_t t0 = of_mono_us();
        of_err_t e = of_sweep_round(sw, &st, err, sizeof err);
        of_metric_observe(OF_MH_BATCH, (double)(of_mono_us() - t0) / 1e6);
        of_admin_dependency(!e, err);
        of_metric_add(OF_M_BATCHES, 1);
        rounds++;
        if (e) {
            of_metric_add(OF_M_FAILED, 1);
            failed++;
            backoff = backoff ? backoff * 2 : 200;
            int64_t cap = of_cfg_int(cfg, OF_CFG_RETRY_BACKOFF_MAX_MS);
            if (backoff > cap) backoff = cap;
            of_warn("sweep round failed, retrying", OF_S("error", err), OF_I("backoff_ms", backoff), OF_END);
            nap(backoff);
            continue;
        }
        backoff = 0;
        of_metric_add(OF_M_PROCESSED, st.moved); /* the sweep's processed: orders moved on */
        moved += st.moved;
        merged += st.merged;
        if (st.customers)
            of_info("sweep round", OF_U("candidates", st.candidates), OF_U("customers", st.customers),
                    OF_U("moved", st.moved), OF_U("merged", st.merged), OF_U("stock_moves", st.stock_moves),
                    OF_U("sales_rows", st.sales_rows), OF_END);
        int64_t now = of_mono_ms();
        if (now >= next_tick) {
            of_sweep_tick(sw);
            next_tick = now + 1000;
        }
        if (stats_ms > 0 && now >= next_stats) {
            of_info("stats", OF_S("why", "interval"), OF_U("rounds", rounds), OF_U("moved", moved),
                    OF_U("merged", merged), OF_U("failed_rounds", failed), OF_END);
            next_stats = now + stats_ms;
        }
        /* a full round, or customers another instance held: go on at once; else wait for the interval */
        if (!st.full || !st.customers) nap(interval);
    }
    of_info("stats", OF_S("why", "exit"), OF_U("rounds", rounds), OF_U("moved", moved), OF_U("merged", merged), OF_END);
    rc = 0;
out:
    of_sweep_destroy(sw);
    of_admin_kafka(NULL);
    of_producer_destroy(p);
    of_db_close(db);
    of_config_destroy(cfg);
    return rc;
}
