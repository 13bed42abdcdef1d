/* ordctl explain / stock-check: why an order looks the way it does (of_explain.h), and whether the stock counters
 * agree with the open orders (of_stockcheck.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "of_db.h"
#include "of_explain.h"
#include "of_stockcheck.h"
#include "ordctl.h"

static const char EXPLAIN_USAGE[] =
    "usage: ordctl explain (--order TRADE_ID | --trade-no NO | --tid TID [--platform N] | --raw API_TRADE_ID)\n"
    "  why an order has its warehouse, logistics, package and status (the rule trace stored with it), or why a raw\n"
    "  trade was not submitted (the rule that stopped it and its bad_reason bits)\n";

int cmd_explain(int argc, char **argv) {
    uint64_t order = 0, raw = 0;
    const char *tid = "", *trade_no = "";
    long platform = -1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--order"))
            order = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--trade-no"))
            trade_no = argv[i + 1];
        else if (!strcmp(argv[i], "--tid"))
            tid = argv[i + 1];
        else if (!strcmp(argv[i], "--platform"))
            platform = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--raw"))
            raw = strtoull(argv[i + 1], NULL, 10);
        else {
            fputs(EXPLAIN_USAGE, stderr);
            return 2;
        }
    }
    if (!order && !raw && !*tid && !*trade_no) {
        fputs(EXPLAIN_USAGE, stderr);
        return 2;
    }
    char err[512];
    of_db_t *db = of_db_connect(cfg, NULL, err, sizeof err);
    if (!db) {
        fprintf(stderr, "ordctl explain: %s\n", err);
        return 1;
    }
    int rc = of_explain_write(db, stdout, order, trade_no, raw, tid, platform, err, sizeof err);
    if (rc < 0) fprintf(stderr, "ordctl explain: %s\n", err);
    of_db_close(db);
    return rc ? 1 : 0;
}

int cmd_stock_check(int argc, char **argv) {
    (void)argv;
    if (argc > 1) {
        fprintf(stderr, "usage: ordctl stock-check\n");
        return 2;
    }
    char err[512];
    of_db_t *db = of_db_connect(cfg, NULL, err, sizeof err);
    if (!db) {
        fprintf(stderr, "ordctl stock-check: %s\n", err);
        return 1;
    }
    int rc = of_stockcheck_run(db, stdout, err, sizeof err);
    if (rc < 0) fprintf(stderr, "ordctl stock-check: %s\n", err);
    of_db_close(db);
    return rc ? 1 : 0;
}
