/* of_fspay.c -- FS-8/FS-10/FS-11: pay requests, their split, and the provider's notify. Pure. */
#include "of_fspay.h"
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "of_money.h"

#define MAX_AMOUNT 100000000000000LL /* 10^10 a payment, as an order's amount */

/* an amount: a JSON number with at most 4 decimals or a decimal string; absent/null = 0 */
static int amount_of(const cJSON *v, int64_t *out) {
    *out = 0;
    if (!v || cJSON_IsNull(v)) return 0;
    char buf[64];
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (!isfinite(d) || fabs(d) >= 1e10 || fabs(d * 1e4 - nearbyint(d * 1e4)) > 1e-3) return -1; /* 4 decimals */
        snprintf(buf, sizeof buf, "%.4f", v->valuedouble);
    } else if (cJSON_IsString(v) && strlen(v->valuestring) < sizeof buf) {
        snprintf(buf, sizeof buf, "%s", v->valuestring);
    } else {
        return -1;
    }
    return of_money_parse(buf, out) || *out < 0 || *out >= MAX_AMOUNT ? -1 : 0;
}

int of_fspay_req_parse(const char *body, size_t len, of_fspay_req_t *r, char *why, size_t size) {
    memset(r, 0, sizeof *r);
    snprintf(r->other_type, sizeof r->other_type, "default");
    cJSON *o = body && len ? cJSON_ParseWithLength(body, len) : NULL;
    int rc = -1;
    if (!cJSON_IsObject(o)) {
        snprintf(why, size, "a JSON object {jifen, balance, otherPay} is required");
        goto out;
    }
    if (amount_of(cJSON_GetObjectItemCaseSensitive(o, "jifen"), &r->jifen)) {
        snprintf(why, size, "jifen: an amount >= 0 with at most 4 decimals required");
        goto out;
    }
    if (amount_of(cJSON_GetObjectItemCaseSensitive(o, "balance"), &r->balance)) {
        snprintf(why, size, "balance: an amount >= 0 with at most 4 decimals required");
        goto out;
    }
    const cJSON *op = cJSON_GetObjectItemCaseSensitive(o, "otherPay");
    if (op && !cJSON_IsNull(op)) {
        if (!cJSON_IsObject(op)) {
            snprintf(why, size, "otherPay: null or {type, amount}");
            goto out;
        }
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(op, "type");
        if (t && !cJSON_IsNull(t)) {
            if (!cJSON_IsString(t) || !*t->valuestring || strlen(t->valuestring) >= sizeof r->other_type) {
                snprintf(why, size, "otherPay.type: a name of 1..23 characters");
                goto out;
            }
            snprintf(r->other_type, sizeof r->other_type, "%s", t->valuestring);
        }
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(op, "amount");
        if (!a || cJSON_IsNull(a))
            r->other_rest = 1;
        else if (amount_of(a, &r->other)) {
            snprintf(why, size, "otherPay.amount: an amount >= 0 with at most 4 decimals required");
            goto out;
        }
    }
    rc = 0;
out:
    cJSON_Delete(o);
    return rc;
}

int of_fspay_plan(int64_t remain, const of_fspay_req_t *r, of_fspay_plan_t *p, const char **why) {
    memset(p, 0, sizeof *p);
    if (r->jifen < 0 || r->balance < 0 || r->other < 0) {
        *why = "a negative amount";
        return -1;
    }
    if (remain <= 0) {
        *why = "nothing remains to be paid";
        return -1;
    }
    if (r->jifen > remain || r->balance > remain - r->jifen) {
        *why = "points and balance pay more than remains";
        return -1;
    }
    p->jifen = r->jifen;
    p->balance = r->balance;
    int64_t left = remain - r->jifen - r->balance;
    p->other = r->other_rest ? left : r->other;
    if (p->other > left) {
        *why = "the parts pay more than remains";
        return -1;
    }
    if (!p->jifen && !p->balance && !p->other) {
        *why = "nothing to pay: give jifen, balance or otherPay";
        return -1;
    }
    p->remain_after = left;
    return 0;
}

unsigned of_fspay_bit(int pay_type) {
    switch (pay_type) {
    case OF_PAY_POINTS:
        return OF_PAYBIT_POINTS;
    case OF_PAY_BALANCE:
        return OF_PAYBIT_BALANCE;
    case OF_PAY_THIRD:
        return OF_PAYBIT_THIRD;
    case OF_PAY_OFFLINE:
        return OF_PAYBIT_OFFLINE;
    default:
        return 0;
    }
}

const char *of_fspay_method_name(int pay_type) {
    static const char *const N[] = {"", "jifen", "balance", "third_party", "offline"};
    return pay_type >= 1 && pay_type <= 4 ? N[pay_type] : "";
}

int of_fspay_offline_parse(const char *body, size_t len, int64_t *amount, char *remark, size_t remark_size, char *why,
                           size_t size) {
    cJSON *o = body && len ? cJSON_ParseWithLength(body, len) : NULL;
    int rc = -1;
    remark[0] = '\0';
    if (!cJSON_IsObject(o)) {
        snprintf(why, size, "a JSON object {amount, remark} is required");
        goto out;
    }
    if (amount_of(cJSON_GetObjectItemCaseSensitive(o, "amount"), amount) || *amount <= 0) {
        snprintf(why, size, "amount: an amount > 0 with at most 4 decimals required");
        goto out;
    }
    const cJSON *rm = cJSON_GetObjectItemCaseSensitive(o, "remark");
    if (rm && !cJSON_IsNull(rm)) {
        if (!cJSON_IsString(rm) || strlen(rm->valuestring) >= remark_size) {
            snprintf(why, size, "remark: a string of at most %zu bytes", remark_size - 1);
            goto out;
        }
        snprintf(remark, remark_size, "%s", rm->valuestring);
    }
    rc = 0;
out:
    cJSON_Delete(o);
    return rc;
}

static int id_ok(const char *s, size_t max) {
    size_t n = strlen(s);
    if (!n || n > max) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' || c == '_'))
            return 0;
    }
    return 1;
}

int of_fspay_notify_parse(const char *body, size_t len, of_fspay_notify_t *n, char *why, size_t size) {
    memset(n, 0, sizeof *n);
    cJSON *o = body && len ? cJSON_ParseWithLength(body, len) : NULL;
    int rc = -1;
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "trade_no");
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(o, "status");
    const cJSON *ni = cJSON_GetObjectItemCaseSensitive(o, "notify_id");
    if (!cJSON_IsObject(o) || !cJSON_IsString(t) || !id_ok(t->valuestring, 64)) {
        snprintf(why, size, "trade_no: 1..64 of [0-9A-Za-z_-] required");
        goto out;
    }
    if (amount_of(cJSON_GetObjectItemCaseSensitive(o, "amount"), &n->amount) || n->amount <= 0) {
        snprintf(why, size, "amount: an amount > 0 required");
        goto out;
    }
    if (!cJSON_IsString(st) || (strcmp(st->valuestring, "SUCCESS") && strcmp(st->valuestring, "FAILED"))) {
        snprintf(why, size, "status: SUCCESS or FAILED");
        goto out;
    }
    if (ni && (!cJSON_IsString(ni) || strlen(ni->valuestring) > 64)) {
        snprintf(why, size, "notify_id: a string of at most 64 characters");
        goto out;
    }
    snprintf(n->trade_no, sizeof n->trade_no, "%s", t->valuestring);
    snprintf(n->notify_id, sizeof n->notify_id, "%s", ni ? ni->valuestring : "");
    n->success = !strcmp(st->valuestring, "SUCCESS");
    rc = 0;
out:
    cJSON_Delete(o);
    return rc;
}

int of_fspay_provider_body(const char *trade_no, int64_t amount, const char *channel, const char *notify_url, char *buf,
                           size_t size) {
    char a[32];
    of_money_fmt(amount, a, sizeof a);
    cJSON *o = cJSON_CreateObject();
    if (!o) return -1;
    cJSON_AddStringToObject(o, "trade_no", trade_no);
    cJSON_AddStringToObject(o, "amount", a);
    cJSON_AddStringToObject(o, "channel", channel);
    cJSON_AddStringToObject(o, "notify_url", notify_url);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!s) return -1;
    int ok = strlen(s) < size;
    if (ok) snprintf(buf, size, "%s", s);
    cJSON_free(s);
    return ok ? 0 : -1;
}
