/* of-console -- the ops web page (issue 15): the fleet's state for people, behind a token. Wiring only. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "of_admin.h"
#include "of_console.h"
#include "of_log.h"
#include "of_metrics.h"
#include "of_worker.h"

static const char ABOUT[] =
    "The ops console: one server-rendered page (no JavaScript build, charts as inline SVG) on\n"
    "http://OF_CONSOLE_BIND:OF_CONSOLE_PORT/ behind OF_CONSOLE_TOKEN (Authorization: Bearer <token>, or the login\n"
    "form, which sets a session cookie for 12 h):\n"
    "  orders by status (with their names) and the order log rows of the last 15 minutes per minute; lag per\n"
    "  consumer group and partition (committed offset against the high watermark); retry-ladder occupancy per rung;\n"
    "  dead letters with their reasons and a re-drive button (ordctl dlq redrive ID); flash-sale jobs by state\n"
    "  (Redis live records and fs_job); sync conflicts (ordctl site conflicts); the stock check (ordctl\n"
    "  stock-check); an order search by order id, trade number or tid showing ordctl explain's output.\n"
    "The panels refresh every OF_CONSOLE_REFRESH_S without reloading. GET /healthz answers 200 without a token.";

int main(int argc, char **argv) {
    of_config_t *cfg = of_worker_init(argc, argv, "console", ABOUT);
    of_worker_signals_install();
    char err[512];
    of_console_t *c = of_console_new(cfg, err, sizeof err);
    if (!c) {
        of_error("console start failed", OF_S("error", err), OF_END);
        of_config_destroy(cfg);
        return 78;
    }
    while (!of_stop_requested) {
        of_admin_beat();
        usleep(100 * 1000);
    }
    of_info("console stopping", OF_END);
    of_console_destroy(c);
    of_metrics_log("exit");
    of_config_destroy(cfg);
    return 0;
}
