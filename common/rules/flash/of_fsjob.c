/* of_fsjob.c -- FS-2/FS-3 job transitions. Pure. */
#include "of_fsjob.h"
#include <string.h>

static const char *const NAMES[OF_FSJ__COUNT] = {"inactive", "active", "complete", "failed", "delayed"};

const char *of_fsjob_state_name(of_fsjob_state_t s) {
    return s >= 0 && s < OF_FSJ__COUNT ? NAMES[s] : NULL;
}

int of_fsjob_state_parse(const char *name) {
    for (int i = 0; name && i < OF_FSJ__COUNT; i++)
        if (!strcmp(name, NAMES[i])) return i;
    return -1;
}

int of_fsjob_start(of_fsjob_t *j, int64_t now_ms) {
    if (j->state == OF_FSJ_COMPLETE || j->state == OF_FSJ_FAILED) return 1;
    if (j->state == OF_FSJ_DELAYED && now_ms < j->promote_ms) return 2; /* its backoff is not over */
    if (j->attempts_made >= j->attempts_max) {
        j->state = OF_FSJ_FAILED;
        j->finished_ms = now_ms;
        return -1;
    }
    j->attempts_made++;
    j->state = OF_FSJ_ACTIVE;
    j->started_ms = now_ms;
    j->deadline_ms = now_ms + j->ttl_ms;
    return 0;
}

void of_fsjob_complete(of_fsjob_t *j, int64_t now_ms) {
    j->state = OF_FSJ_COMPLETE;
    j->finished_ms = now_ms;
}

int64_t of_fsjob_backoff(const of_fsjob_t *j, int n) {
    int64_t b = j->backoff_ms > 0 ? j->backoff_ms : 0;
    for (int i = 1; i < n && b < 60000; i++)
        b *= 2;
    return b < 60000 ? b : 60000;
}

void of_fsjob_fail(of_fsjob_t *j, int64_t now_ms, int permanent) {
    if (permanent || j->attempts_made >= j->attempts_max) {
        j->state = OF_FSJ_FAILED;
        j->finished_ms = now_ms;
        return;
    }
    j->state = OF_FSJ_DELAYED;
    j->promote_ms = now_ms + of_fsjob_backoff(j, j->attempts_made);
}

int of_fsjob_expired(const of_fsjob_t *j, int64_t now_ms) {
    return j->state == OF_FSJ_ACTIVE && now_ms >= j->deadline_ms;
}

int of_fsjob_id_ok(const char *id) {
    size_t n = id ? strlen(id) : 0;
    if (n < 1 || n > 32) return 0;
    if (!strcmp(id, "active")) return 0; /* the key <prefix>fsjob:active is the set of active jobs, not a job */
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}
