/* of_opsq.c -- operators' numbers (of_opsq.h). */
#include "of_opsq.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "of_fsjob.h"

of_err_t of_opsq_statuses(of_db_t *db, of_opsq_status_t *out, size_t max, size_t *n, char *err, size_t errsize) {
    of_rows_t *r;
    *n = 0;
    int st = of_db_register(db, "SELECT trade_status, COUNT(*) FROM sales_trade GROUP BY trade_status ORDER BY "
                                "trade_status");
    of_err_t e = of_db_query(db, st, NULL, 0, &r, err, errsize);
    if (e) return e;
    for (int i = 0; i < r->nrows && *n < max; i++)
        out[(*n)++] = (of_opsq_status_t){(int)of_rows_i64(r, i, 0), of_rows_i64(r, i, 1)};
    of_rows_free(r);
    return OF_OK;
}

of_err_t of_opsq_moves(of_db_t *db, int minutes, long long *per_min, char *err, size_t errsize) {
    memset(per_min, 0, sizeof *per_min * (size_t)minutes);
    /* minute 0 = the current one; the server's clock on both sides (created_at is its NOW(3)) */
    int st = of_db_register(db, "SELECT FLOOR(UNIX_TIMESTAMP(NOW(3)) / 60) - FLOOR(UNIX_TIMESTAMP(created_at) / 60) "
                                "m, COUNT(*) FROM sales_trade_log WHERE created_at >= FROM_UNIXTIME((FLOOR("
                                "UNIX_TIMESTAMP(NOW(3)) / 60) - ? + 1) * 60) GROUP BY m");
    of_param_t p[] = {OFP_I(minutes)};
    of_rows_t *r;
    of_err_t e = of_db_query(db, st, p, 1, &r, err, errsize);
    if (e) return e;
    for (int i = 0; i < r->nrows; i++) {
        long long ago = of_rows_i64(r, i, 0);
        if (ago >= 0 && ago < minutes) per_min[minutes - 1 - ago] = of_rows_i64(r, i, 1);
    }
    of_rows_free(r);
    return OF_OK;
}

of_err_t of_opsq_fsjobs_live(of_redis_t *rd, const char *prefix, long scan_max, long long live[5], long *scanned,
                             int *more, char *err, size_t errsize) {
    memset(live, 0, sizeof(long long) * OF_FSJ__COUNT);
    *scanned = 0;
    *more = 0;
    char pattern[160], active[160], cursor[32] = "0";
    snprintf(pattern, sizeof pattern, "%sfsjob:*", prefix);
    snprintf(active, sizeof active, "%sfsjob:active", prefix);
    do {
        const char *scan[] = {"SCAN", cursor, "MATCH", pattern, "COUNT", "500"};
        redisReply *rep = NULL;
        of_err_t e = of_redis_cmd(rd, 6, scan, &rep, err, errsize);
        if (e) return e;
        if (!rep || rep->type != REDIS_REPLY_ARRAY || rep->elements != 2 ||
            rep->element[0]->type != REDIS_REPLY_STRING || rep->element[1]->type != REDIS_REPLY_ARRAY) {
            freeReplyObject(rep);
            return of_seterr(err, errsize, OF_ERR_TRANSIENT, "redis: unexpected SCAN answer");
        }
        snprintf(cursor, sizeof cursor, "%s", rep->element[0]->str);
        for (size_t i = 0; i < rep->element[1]->elements; i++) {
            const char *key = rep->element[1]->element[i]->str;
            if (!key || !strcmp(key, active)) continue; /* the active set, not a job */
            const char *hget[] = {"HGET", key, "state"};
            redisReply *st = NULL;
            if (of_redis_cmd(rd, 3, hget, &st, err, errsize) == OF_OK && st && st->type == REDIS_REPLY_STRING) {
                int s = of_fsjob_state_parse(st->str);
                if (s >= 0) live[s]++;
            }
            freeReplyObject(st);
            (*scanned)++;
        }
        freeReplyObject(rep);
    } while (strcmp(cursor, "0") && *scanned < scan_max);
    *more = strcmp(cursor, "0") != 0;
    return OF_OK;
}

of_err_t of_opsq_fsjobs_final(of_db_t *db, long long final[5], char *err, size_t errsize) {
    memset(final, 0, sizeof(long long) * OF_FSJ__COUNT);
    of_rows_t *r;
    of_err_t e = of_db_query(db, of_db_register(db, "SELECT state, COUNT(*) FROM fs_job GROUP BY state"), NULL, 0, &r,
                             err, errsize);
    if (e) return e;
    for (int i = 0; i < r->nrows; i++) {
        int s = of_fsjob_state_parse(of_rows_str(r, i, 0) ? of_rows_str(r, i, 0) : "");
        if (s >= 0) final[s] += of_rows_i64(r, i, 1);
    }
    of_rows_free(r);
    return OF_OK;
}
