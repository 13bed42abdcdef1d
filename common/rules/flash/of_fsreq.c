/* of_fsreq.c -- FS-1 request checks. Pure. */
#include "of_fsreq.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "of_fsorder.h"

/* a positive integer below 2^53 (exact in a JSON number), or a string of 1..19 digits; 0 = absent or bad */
static int id_of(const cJSON *v, uint64_t *out) {
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d < 1 || d > 9007199254740991.0 || floor(d) != d) return -1;
        *out = (uint64_t)d;
        return 0;
    }
    if (cJSON_IsString(v)) {
        const char *s = v->valuestring;
        size_t n = strlen(s);
        if (!n || n > 19) return -1;
        uint64_t x = 0;
        for (size_t i = 0; i < n; i++) {
            if (s[i] < '0' || s[i] > '9') return -1;
            x = x * 10 + (uint64_t)(s[i] - '0');
        }
        if (!x) return -1;
        *out = x;
        return 0;
    }
    return -1;
}

/* well-formed UTF-8 (no overlong forms, no surrogates): what MariaDB's utf8mb4 columns take */
static int utf8_ok(const unsigned char *s, size_t n) {
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        size_t k = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (!k || i + k > n || (k == 2 && c < 0xC2) || (k == 4 && c > 0xF4)) return 0;
        for (size_t j = 1; j < k; j++)
            if ((s[i + j] & 0xC0) != 0x80) return 0;
        if (k == 3 && ((c == 0xE0 && s[i + 1] < 0xA0) || (c == 0xED && s[i + 1] >= 0xA0))) return 0;
        if (k == 4 && ((c == 0xF0 && s[i + 1] < 0x90) || (c == 0xF4 && s[i + 1] >= 0x90))) return 0;
        i += k;
    }
    return 1;
}

int of_fsreq_job_parse(const char *body, size_t len, of_fsreq_job_t *r, char *why, size_t size) {
    memset(r, 0, sizeof *r);
    if (!body || !len) {
        snprintf(why, size, "empty body: a JSON object {user_id, batch_id, num, present_info} is required");
        return -1;
    }
    if (!utf8_ok((const unsigned char *)body, len)) {
        snprintf(why, size, "the body is not valid UTF-8");
        return -1;
    }
    const char *end = NULL;
    cJSON *o = cJSON_ParseWithLengthOpts(body, len, &end, 0);
    while (o && end && end < body + len && (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n'))
        end++;
    if (o && end && end < body + len) { /* trailing bytes after the object */
        cJSON_Delete(o);
        o = NULL;
    }
    if (!o) {
        snprintf(why, size, "malformed JSON near byte %zu", end && end >= body ? (size_t)(end - body) : (size_t)0);
        return -1;
    }
    int rc = -1;
    if (!cJSON_IsObject(o)) {
        snprintf(why, size, "a JSON object is required");
        goto out;
    }
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(o, "user_id");
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(o, "batch_id");
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, "num");
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "present_info");
    if (u && !cJSON_IsNull(u) && id_of(u, &r->user_id)) {
        snprintf(why, size, "user_id: a positive integer required");
        goto out;
    }
    if (!b || id_of(b, &r->batch_id)) {
        snprintf(why, size, "batch_id: a positive integer required");
        goto out;
    }
    if (!cJSON_IsNumber(n) || n->valuedouble < 1 || n->valuedouble > OF_FS_MAX_NUM ||
        floor(n->valuedouble) != n->valuedouble) {
        snprintf(why, size, "num: an integer 1..%d required", OF_FS_MAX_NUM);
        goto out;
    }
    r->num = (int)n->valuedouble;
    if (p && !cJSON_IsNull(p)) {
        r->present_info = cJSON_PrintUnformatted(p);
        if (!r->present_info) {
            snprintf(why, size, "present_info: out of memory");
            goto out;
        }
        if (strlen(r->present_info) > OF_FSREQ_PRESENT_MAX) {
            snprintf(why, size, "present_info: at most %d bytes of JSON", OF_FSREQ_PRESENT_MAX);
            goto out;
        }
    }
    rc = 0;
out:
    cJSON_Delete(o);
    if (rc) of_fsreq_job_free(r);
    return rc;
}

void of_fsreq_job_free(of_fsreq_job_t *r) {
    free(r->present_info);
    r->present_info = NULL;
}

int of_fsreq_idem_match(const of_fsreq_job_t *r, uint64_t user_id, uint64_t batch_id, int num) {
    return r->user_id == user_id && r->batch_id == batch_id && r->num == num;
}

int of_fsreq_idem_ok(const char *key) {
    size_t n = key ? strlen(key) : 0;
    if (n < 1 || n > 128) return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)key[i] < 0x21 || (unsigned char)key[i] > 0x7e) return 0;
    return 1;
}
