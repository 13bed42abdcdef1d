/* of_ledger.c -- the processed-event ledger (of_ledger.h). */
#include "of_ledger.h"
#include <stdlib.h>
#include <string.h>
#include "of_log.h"

/* v.k names the asking event */
static const char SQL_SEEN_HEAD[] = "SELECT v.k FROM (";
static const char SQL_SEEN_ROW[] = "SELECT ? AS k, ? AS c, ? AS e";
static const char SQL_SEEN_TAIL[] = ") v JOIN processed_event p ON p.consumer = v.c AND p.event_id = v.e";
static const char SQL_PROCESSED_HEAD[] = "INSERT INTO processed_event (consumer, event_id, topic, kpartition, koffset, "
                                         "outcome) VALUES ";
static const char SQL_PROCESSED_ROW[] = "(?, ?, ?, ?, ?, ?)";

int of_ledger_init(of_db_t *db, of_ledger_t *lg) {
    return of_db_register_multi_sep(db, SQL_SEEN_HEAD, SQL_SEEN_ROW, " UNION ALL ", SQL_SEEN_TAIL, &lg->seen) ||
                   of_db_register_multi(db, SQL_PROCESSED_HEAD, SQL_PROCESSED_ROW, "", &lg->processed)
               ? -1
               : 0;
}

of_err_t of_ledger_seen(of_db_t *db, const of_ledger_t *lg, const char *consumer, const char *const *event_ids, int n,
                        uint8_t *seen, char *errstr, size_t errstr_size) {
    memset(seen, 0, (size_t)n);
    if (n <= 0) return OF_OK;
    of_param_t *p = malloc((size_t)n * 3 * sizeof *p);
    if (!p) return of_seterr(errstr, errstr_size, OF_ERR_NOMEM, "out of memory");
    for (int j = 0; j < n; j++) {
        p[j * 3] = OFP_I(j);
        p[j * 3 + 1] = OFP_S(consumer);
        p[j * 3 + 2] = OFP_S(event_ids[j]);
    }
    of_rows_t *rows;
    of_err_t e = of_db_query_multi_in(db, &lg->seen, p, n, NULL, &rows, errstr, errstr_size);
    free(p);
    if (e) return e;
    for (int r = 0; r < rows->nrows; r++) {
        long long k = of_rows_i64(rows, r, 0);
        if (k >= 0 && k < n) seen[k] = 1;
    }
    of_rows_free(rows);
    return OF_OK;
}

of_err_t of_ledger_record(of_db_t *db, const of_ledger_t *lg, const char *consumer, const of_ledger_row_t *rows, int n,
                          char *errstr, size_t errstr_size) {
    if (n <= 0) return OF_OK;
    of_param_t *p = malloc((size_t)n * 6 * sizeof *p);
    if (!p) return of_seterr(errstr, errstr_size, OF_ERR_NOMEM, "out of memory");
    for (int j = 0; j < n; j++) {
        of_param_t *q = &p[j * 6];
        q[0] = OFP_S(consumer);
        q[1] = OFP_S(rows[j].event_id);
        q[2] = OFP_S(rows[j].topic);
        q[3] = OFP_I(rows[j].partition);
        q[4] = OFP_I(rows[j].offset);
        q[5] = OFP_S(rows[j].outcome);
    }
    of_err_t e = of_db_exec_multi(db, &lg->processed, p, n, NULL, errstr, errstr_size);
    free(p);
    return e;
}

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

int64_t of_ledger_prune_wait_ms(int deleted, int limit) {
    return deleted >= limit ? 1000 : 60000;
}
