/* of_delivery.c -- a DeliveryRequest's rules: its reference, idempotency key, validation and the signed body's
 * JSON (DLV-2..DLV-4). Pure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "of_delivery.h"
#include "of_money.h"
#include "of_trace.h"

const char *of_delivery_ref(const Orderfleet__DeliveryRequest *rq, char *buf, size_t size) {
    if (rq->order_code && *rq->order_code)
        snprintf(buf, size, "%s", rq->order_code);
    else if (rq->order_id)
        snprintf(buf, size, "%llu", (unsigned long long)rq->order_id);
    else if (size)
        buf[0] = '\0';
    return buf;
}

const char *of_delivery_idem_key(const Orderfleet__DeliveryRequest *rq, const char *ref, char *buf, size_t size) {
    if (rq->idempotency_key && *rq->idempotency_key)
        snprintf(buf, size, "%s", rq->idempotency_key);
    else
        snprintf(buf, size, "dlv-%llu-%s", (unsigned long long)rq->merchant_id, ref);
    return buf;
}

static int id_chars_ok(const char *s, size_t max) {
    size_t n = strlen(s);
    return n >= 1 && n <= max && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-") == n;
}

of_err_t of_delivery_validate(const Orderfleet__DeliveryRequest *rq, char *errstr, size_t size) {
    if (!rq->meta || !rq->meta->event_id || !id_chars_ok(rq->meta->event_id, 100))
        return of_seterr(errstr, size, OF_ERR_INVALID, "meta.event_id: must be 1..100 of [A-Za-z0-9._:-]");
    if (!rq->merchant_id) return of_seterr(errstr, size, OF_ERR_INVALID, "merchant_id: required");
    if (!(rq->order_code && *rq->order_code) && !rq->order_id)
        return of_seterr(errstr, size, OF_ERR_INVALID, "order_id or order_code: required");
    if (rq->order_code && *rq->order_code && !id_chars_ok(rq->order_code, 64))
        return of_seterr(errstr, size, OF_ERR_INVALID, "order_code: must be 1..64 of [A-Za-z0-9._:-]");
    if (rq->cash < 0) return of_seterr(errstr, size, OF_ERR_INVALID, "cash: %lld is negative", (long long)rq->cash);
    if (rq->cash >= 100000000000000LL) return of_seterr(errstr, size, OF_ERR_INVALID, "cash: too large");
    if (rq->idempotency_key && *rq->idempotency_key && !id_chars_ok(rq->idempotency_key, 128))
        return of_seterr(errstr, size, OF_ERR_INVALID, "idempotency_key: must be 1..128 of [A-Za-z0-9._:-]");
    if (rq->payload && *rq->payload) {
        if (strlen(rq->payload) > OF_DELIVERY_MAX_PAYLOAD)
            return of_seterr(errstr, size, OF_ERR_INVALID, "payload: longer than %d bytes", OF_DELIVERY_MAX_PAYLOAD);
        cJSON *j = cJSON_Parse(rq->payload);
        if (!j) return of_seterr(errstr, size, OF_ERR_INVALID, "payload: not JSON text");
        cJSON_Delete(j);
    }
    return OF_OK;
}

char *of_delivery_body(const Orderfleet__DeliveryRequest *rq, const char *ref, const char *merchant_no,
                       const char *idem_key, size_t *lenp) {
    char num[32], cash[32];
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    snprintf(num, sizeof num, "%llu", (unsigned long long)rq->order_id);
    cJSON_AddItemToObject(o, "order_id", cJSON_CreateRaw(num)); /* exact: no double in between */
    cJSON_AddStringToObject(o, "order_ref", ref);
    cJSON_AddStringToObject(o, "order_code", rq->order_code ? rq->order_code : "");
    cJSON_AddStringToObject(o, "merchant_no", merchant_no);
    cJSON_AddStringToObject(o, "cash", of_money_fmt(rq->cash, cash, sizeof cash));
    cJSON *payload = rq->payload && *rq->payload ? cJSON_Parse(rq->payload) : cJSON_CreateNull();
    cJSON_AddItemToObject(o, "payload", payload ? payload : cJSON_CreateNull());
    cJSON_AddStringToObject(o, "idempotency_key", idem_key);
    cJSON_AddStringToObject(o, "event_id", rq->meta && rq->meta->event_id ? rq->meta->event_id : "");
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!s) return NULL;
    size_t n = strlen(s);
    char *out = malloc(n + 1); /* plain malloc'd copy: callers free() */
    if (out) memcpy(out, s, n + 1);
    cJSON_free(s);
    *lenp = n;
    return out;
}
