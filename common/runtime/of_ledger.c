/* of_ledger.c -- retention of the processed-event ledger (of_ledger.h). */
#include "of_ledger.h"
#include "of_log.h"

static const char SQL_PRUNE[] =
    "DELETE FROM processed_event WHERE processed_at < NOW(3) - INTERVAL ? HOUR ORDER BY processed_at LIMIT ?";

int of_ledger_prune(of_db_t *db, int retention_h, int limit) {
    char err[256];
    int st = of_db_register(db, SQL_PRUNE); /* the registry gives the same id for the same static text */
    uint64_t n = 0;
    of_param_t p[] = {OFP_I(retention_h), OFP_I(limit)};
    if (st < 0 || of_db_exec(db, st, p, 2, &n, NULL, err, sizeof err)) {
        of_warn("ledger prune failed", OF_S("error", st < 0 ? "cannot register the statement" : err), OF_END);
        return -1;
    }
    if (n) of_info("ledger pruned", OF_U("rows", n), OF_I("retention_h", retention_h), OF_END);
    return (int)n;
}
