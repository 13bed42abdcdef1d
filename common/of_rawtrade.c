/* of_rawtrade.c -- JSON lines of platform adapters to RawTrade events, and their validation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include <openssl/sha.h>
#include "of_money.h"
#include "of_rawtrade.h"

#define F_STR OF_RTF_STR
#define F_INT OF_RTF_INT
#define F_UINT OF_RTF_UINT
#define F_MONEY OF_RTF_MONEY
#define F_TIME OF_RTF_TIME
typedef of_rtfield_t field_t;

#define T(f) offsetof(Orderfleet__RawTrade, f)
#define O(f) offsetof(Orderfleet__RawSubOrder, f)

static const field_t trade_fields[] = {
    {"platform_id", F_INT, T(platform_id), 0},
    {"shop_no", F_STR, T(shop_no), OF_RT_MAX_ID},
    {"tid", F_STR, T(tid), OF_RT_MAX_ID},
    {"trade_status", F_INT, T(trade_status), 0},
    {"pay_status", F_INT, T(pay_status), 0},
    {"refund_status", F_INT, T(refund_status), 0},
    {"delivery_term", F_INT, T(delivery_term), 0},
    {"trade_time", F_TIME, T(trade_time), 19},
    {"pay_time", F_TIME, T(pay_time), 19},
    {"modified", F_TIME, T(modified), 19},
    {"buyer_nick", F_STR, T(buyer_nick), OF_RT_MAX_NAME},
    {"receiver_name", F_STR, T(receiver_name), OF_RT_MAX_NAME},
    {"receiver_mobile", F_STR, T(receiver_mobile), OF_RT_MAX_ID},
    {"receiver_telno", F_STR, T(receiver_telno), OF_RT_MAX_ID},
    {"receiver_province", F_STR, T(receiver_province), OF_RT_MAX_ID},
    {"receiver_city", F_STR, T(receiver_city), OF_RT_MAX_ID},
    {"receiver_district", F_STR, T(receiver_district), OF_RT_MAX_ID},
    {"receiver_address", F_STR, T(receiver_address), OF_RT_MAX_NAME},
    {"receiver_zip", F_STR, T(receiver_zip), 16},
    {"warehouse_no", F_STR, T(warehouse_no), OF_RT_MAX_ID},
    {"cs_remark", F_STR, T(cs_remark), OF_RT_MAX_REMARK},
    {"buyer_message", F_STR, T(buyer_message), OF_RT_MAX_REMARK},
    {"invoice_type", F_INT, T(invoice_type), 0},
    {"invoice_title", F_STR, T(invoice_title), OF_RT_MAX_NAME},
    {"invoice_content", F_STR, T(invoice_content), OF_RT_MAX_REMARK},
    {"goods_count", F_INT, T(goods_count), 0},
    {"goods_type_count", F_INT, T(goods_type_count), 0},
    {"post_amount", F_MONEY, T(post_amount), 0},
    {"discount", F_MONEY, T(discount), 0},
    {"receivable", F_MONEY, T(receivable), 0},
    {"paid", F_MONEY, T(paid), 0},
    {"cod_amount", F_MONEY, T(cod_amount), 0},
    {"trade_mask", F_UINT, T(trade_mask), 0},
    {"is_external", F_INT, T(is_external), 0},
    {"is_sealed", F_INT, T(is_sealed), 0},
    {"wms_type", F_INT, T(wms_type), 0},
};
static const field_t order_fields[] = {
    {"oid", F_STR, O(oid), OF_RT_MAX_ID},
    {"status", F_INT, O(status), 0},
    {"refund_status", F_INT, O(refund_status), 0},
    {"goods_id", F_STR, O(goods_id), OF_RT_MAX_ID},
    {"spec_id", F_STR, O(spec_id), OF_RT_MAX_ID},
    {"goods_no", F_STR, O(goods_no), OF_RT_MAX_ID},
    {"spec_no", F_STR, O(spec_no), OF_RT_MAX_ID},
    {"goods_name", F_STR, O(goods_name), OF_RT_MAX_NAME},
    {"spec_name", F_STR, O(spec_name), OF_RT_MAX_NAME},
    {"cid", F_STR, O(cid), OF_RT_MAX_ID},
    {"num", F_INT, O(num), 0},
    {"price", F_MONEY, O(price), 0},
    {"adjust", F_MONEY, O(adjust), 0},
    {"discount", F_MONEY, O(discount), 0},
    {"share_discount", F_MONEY, O(share_discount), 0},
    {"total_amount", F_MONEY, O(total_amount), 0},
    {"paid", F_MONEY, O(paid), 0},
    {"share_post", F_MONEY, O(share_post), 0},
    {"bind_oid", F_STR, O(bind_oid), OF_RT_MAX_ID},
    {"guarantee_mode", F_INT, O(guarantee_mode), 0},
    {"order_price", F_MONEY, O(order_price), 0},
    {"share_amount", F_MONEY, O(share_amount), 0},
};
#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))

const of_rtfield_t *of_rawtrade_fields(int which, size_t *np) {
    *np = which ? NFIELDS(order_fields) : NFIELDS(trade_fields);
    return which ? order_fields : trade_fields;
}

int of_rawtrade_time_ok(const char *s, int allow_empty) {
    if (!s || !*s) return allow_empty;
    int y, mo, d, h, mi, se;
    char tail;
    if (strlen(s) != 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':') return 0;
    if (sscanf(s, "%4d-%2d-%2d %2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &se, &tail) != 6) return 0;
    for (int i = 0; i < 19; i++)
        if (i != 4 && i != 7 && i != 10 && i != 13 && i != 16 && (s[i] < '0' || s[i] > '9')) return 0;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1970 || y > 2999 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 59) return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap)) return 0;
    return 1;
}

static const field_t *find_field(const field_t *fs, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++)
        if (!strcmp(fs[i].name, name)) return &fs[i];
    return NULL;
}

/* Set one field from JSON; strings are malloc'd (freed by protobuf_c_message_free_unpacked). */
static of_err_t set_field(void *msg, const field_t *f, const cJSON *v, const char *where, char *errstr, size_t size) {
    char *base = msg;
    switch (f->kind) {
    case F_STR:
    case F_TIME: {
        if (!cJSON_IsString(v))
            return of_seterr(errstr, size, OF_ERR_INVALID, "%s%s: must be a string", where, f->name);
        if (f->kind == F_TIME && !of_rawtrade_time_ok(v->valuestring, 1))
            return of_seterr(errstr, size, OF_ERR_INVALID, "%s%s: '%s' is not \"YYYY-MM-DD HH:MM:SS\"", where, f->name,
                             v->valuestring);
        char *s = strdup(v->valuestring);
        if (!s) return OF_ERR_NOMEM;
        char **slot = (char **)(base + f->off);
        if (*slot && *slot != protobuf_c_empty_string) free(*slot);
        *slot = s;
        return OF_OK;
    }
    case F_INT:
    case F_UINT: {
        if (!cJSON_IsNumber(v))
            return of_seterr(errstr, size, OF_ERR_INVALID, "%s%s: must be a number", where, f->name);
        double d = v->valuedouble;
        if (d != (double)(long long)d || d < -2147483648.0 || d > 2147483647.0 || (f->kind == F_UINT && d < 0))
            return of_seterr(errstr, size, OF_ERR_INVALID, "%s%s: must be an integer in range", where, f->name);
        if (f->kind == F_INT)
            *(int32_t *)(base + f->off) = (int32_t)d;
        else
            *(uint32_t *)(base + f->off) = (uint32_t)d;
        return OF_OK;
    }
    case F_MONEY: {
        if (!cJSON_IsString(v))
            return of_seterr(errstr, size, OF_ERR_INVALID, "%s%s: money must be a decimal string like \"12.50\"", where,
                             f->name);
        int64_t m;
        if (of_money_parse(v->valuestring, &m))
            return of_seterr(errstr, size, OF_ERR_INVALID, "%s%s: '%s' is not a decimal with at most 4 places", where,
                             f->name, v->valuestring);
        *(int64_t *)(base + f->off) = m;
        return OF_OK;
    }
    }
    return OF_ERR_INVALID;
}

static of_err_t fill(void *msg, const field_t *fs, size_t n, const cJSON *obj, const char *where, const char *skip,
                     char *errstr, size_t size) {
    for (const cJSON *it = obj->child; it; it = it->next) {
        if (skip && !strcmp(it->string, skip)) continue;
        const field_t *f = find_field(fs, n, it->string);
        if (!f) return of_seterr(errstr, size, OF_ERR_INVALID, "%sunknown key '%s'", where, it->string);
        of_err_t err = set_field(msg, f, it, where, errstr, size);
        if (err) return err;
    }
    for (size_t i = 0; i < n; i++)
        if (!cJSON_GetObjectItemCaseSensitive(obj, fs[i].name) && (fs[i].kind == F_STR || fs[i].kind == F_TIME)) {
            /* absent string = "" (own allocation, so free_unpacked may free it) */
            char **slot = (char **)((char *)msg + fs[i].off);
            if (*slot == protobuf_c_empty_string || !*slot) {
                if (!(*slot = strdup(""))) return OF_ERR_NOMEM;
            }
        }
    return OF_OK;
}

Orderfleet__RawTrade *of_rawtrade_from_json(const char *json, size_t len, char *errstr, size_t size) {
    cJSON *root = cJSON_ParseWithLength(json, len);
    if (!root) {
        of_seterr(errstr, size, OF_ERR_INVALID, "malformed JSON near byte %ld",
                  cJSON_GetErrorPtr() ? (long)(cJSON_GetErrorPtr() - json) : -1L);
        return NULL;
    }
    Orderfleet__RawTrade *t = malloc(sizeof *t);
    if (!t) {
        cJSON_Delete(root);
        return NULL;
    }
    orderfleet__raw_trade__init(t);
    of_err_t err = OF_OK;
    if (!cJSON_IsObject(root)) {
        err = of_seterr(errstr, size, OF_ERR_INVALID, "a raw trade must be a JSON object");
        goto out;
    }
    if ((err = fill(t, trade_fields, NFIELDS(trade_fields), root, "", "orders", errstr, size))) goto out;
    const cJSON *orders = cJSON_GetObjectItemCaseSensitive(root, "orders");
    if (!cJSON_IsArray(orders)) {
        err = of_seterr(errstr, size, OF_ERR_INVALID, "orders: must be an array of sub-orders");
        goto out;
    }
    int n = cJSON_GetArraySize(orders);
    if (n > OF_RT_MAX_ORDERS) {
        err = of_seterr(errstr, size, OF_ERR_INVALID, "orders: more than %d sub-orders", OF_RT_MAX_ORDERS);
        goto out;
    }
    if (n) {
        t->orders = calloc((size_t)n, sizeof *t->orders);
        if (!t->orders) {
            err = OF_ERR_NOMEM;
            goto out;
        }
    }
    int i = 0;
    for (const cJSON *o = orders->child; o; o = o->next, i++) {
        char where[48];
        snprintf(where, sizeof where, "orders[%d].", i);
        if (!cJSON_IsObject(o)) {
            err = of_seterr(errstr, size, OF_ERR_INVALID, "orders[%d]: must be an object", i);
            goto out;
        }
        Orderfleet__RawSubOrder *so = malloc(sizeof *so);
        if (!so) {
            err = OF_ERR_NOMEM;
            goto out;
        }
        orderfleet__raw_sub_order__init(so);
        t->orders[t->n_orders++] = so;
        if ((err = fill(so, order_fields, NFIELDS(order_fields), o, where, NULL, errstr, size))) goto out;
        /* Adapters that do not share the trade discount out give no share_amount / order_price: the line's
         * total after its own discounts is its share, and the list price its deal price (docs/raw-trade-format.md). */
        if (!cJSON_GetObjectItemCaseSensitive(o, "share_amount")) so->share_amount = so->total_amount;
        if (!cJSON_GetObjectItemCaseSensitive(o, "order_price")) so->order_price = so->price;
    }
out:
    cJSON_Delete(root);
    if (err) {
        if (err == OF_ERR_NOMEM) of_seterr(errstr, size, err, "out of memory");
        of_rawtrade_free(t);
        return NULL;
    }
    return t;
}

void of_rawtrade_free(Orderfleet__RawTrade *t) {
    if (t) protobuf_c_message_free_unpacked(&t->base, NULL);
}

static const char *nz(const char *s) {
    return s ? s : "";
}

static of_err_t check_str(const char *what, const char *s, size_t maxlen, int required, char *errstr, size_t size) {
    size_t n = strlen(nz(s));
    if (required && !n) return of_seterr(errstr, size, OF_ERR_INVALID, "%s: required", what);
    if (n > maxlen) return of_seterr(errstr, size, OF_ERR_INVALID, "%s: longer than %zu bytes", what, maxlen);
    return OF_OK;
}

of_err_t of_rawtrade_validate(const Orderfleet__RawTrade *t, char *errstr, size_t size) {
    of_err_t err;
    /* strings: lengths (and required ids) */
    for (size_t i = 0; i < NFIELDS(trade_fields); i++) {
        const field_t *f = &trade_fields[i];
        if (f->kind != F_STR && f->kind != F_TIME) continue;
        int req = !strcmp(f->name, "tid") || !strcmp(f->name, "shop_no") || !strcmp(f->name, "trade_time");
        if ((err = check_str(f->name, *(char *const *)((const char *)t + f->off), f->maxlen, req, errstr, size)))
            return err;
    }
    if (!of_rawtrade_time_ok(t->trade_time, 0)) return of_seterr(errstr, size, OF_ERR_INVALID, "trade_time: malformed");
    if (!of_rawtrade_time_ok(t->pay_time, 1)) return of_seterr(errstr, size, OF_ERR_INVALID, "pay_time: malformed");
    if (!of_rawtrade_time_ok(t->modified, 1)) return of_seterr(errstr, size, OF_ERR_INVALID, "modified: malformed");
    if (t->platform_id < 0 || t->platform_id > 255)
        return of_seterr(errstr, size, OF_ERR_INVALID, "platform_id: %d not in 0..255", t->platform_id);
    if (t->trade_status < 0 || t->trade_status > 255)
        return of_seterr(errstr, size, OF_ERR_INVALID, "trade_status: %d not in 0..255", t->trade_status);
    if (t->pay_status < 0 || t->pay_status > 2)
        return of_seterr(errstr, size, OF_ERR_INVALID, "pay_status: %d not in 0..2", t->pay_status);
    if (t->refund_status < 0 || t->refund_status > 3)
        return of_seterr(errstr, size, OF_ERR_INVALID, "refund_status: %d not in 0..3 (trade-rules §1.6)",
                         t->refund_status);
    if (t->delivery_term != 1 && t->delivery_term != 2)
        return of_seterr(errstr, size, OF_ERR_INVALID, "delivery_term: %d is neither 1 (pay first) nor 2 (COD)",
                         t->delivery_term);
    if (t->goods_count < 0 || t->goods_type_count < 0)
        return of_seterr(errstr, size, OF_ERR_INVALID, "goods_count/goods_type_count: negative");
    if (t->invoice_type < 0 || t->invoice_type > 255)
        return of_seterr(errstr, size, OF_ERR_INVALID, "invoice_type: %d not in 0..255", t->invoice_type);
    if (t->is_external < 0 || t->is_external > 127 || t->is_sealed < 0 || t->is_sealed > 127)
        return of_seterr(errstr, size, OF_ERR_INVALID, "is_external/is_sealed: not in 0..127");
    if (t->wms_type < -1 || t->wms_type > 127)
        return of_seterr(errstr, size, OF_ERR_INVALID, "wms_type: %d not in -1..127", t->wms_type);
    if (t->post_amount < 0 || t->receivable < 0 || t->paid < 0 || t->cod_amount < 0)
        return of_seterr(errstr, size, OF_ERR_INVALID, "post_amount/receivable/paid/cod_amount: negative");
    if (t->n_orders > OF_RT_MAX_ORDERS) return of_seterr(errstr, size, OF_ERR_INVALID, "orders: too many");
    for (size_t i = 0; i < t->n_orders; i++) {
        const Orderfleet__RawSubOrder *o = t->orders[i];
        char what[64];
        for (size_t k = 0; k < NFIELDS(order_fields); k++) {
            const field_t *f = &order_fields[k];
            if (f->kind != F_STR) continue;
            snprintf(what, sizeof what, "orders[%zu].%s", i, f->name);
            if ((err = check_str(what, *(char *const *)((const char *)o + f->off), f->maxlen, !strcmp(f->name, "oid"),
                                 errstr, size)))
                return err;
        }
        if (o->num < 0) return of_seterr(errstr, size, OF_ERR_INVALID, "orders[%zu].num: %d is negative", i, o->num);
        if (o->status < 0 || o->status > 255)
            return of_seterr(errstr, size, OF_ERR_INVALID, "orders[%zu].status: %d not in 0..255", i, o->status);
        if (o->refund_status < 0 || o->refund_status > 6)
            return of_seterr(errstr, size, OF_ERR_INVALID,
                             "orders[%zu].refund_status: %d not in 0..6 (trade-rules §1.5)", i, o->refund_status);
        if (o->guarantee_mode < 0 || o->guarantee_mode > 255)
            return of_seterr(errstr, size, OF_ERR_INVALID, "orders[%zu].guarantee_mode: %d not in 0..255", i,
                             o->guarantee_mode);
        if (o->price < 0 || o->order_price < 0 || o->total_amount < 0 || o->share_amount < 0 || o->paid < 0 ||
            o->share_post < 0)
            return of_seterr(errstr, size, OF_ERR_INVALID,
                             "orders[%zu]: price/order_price/total_amount/share_amount/paid/share_post negative", i);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(nz(t->orders[j]->oid), nz(o->oid)))
                return of_seterr(errstr, size, OF_ERR_INVALID, "orders[%zu].oid: '%s' repeated", i, o->oid);
    }
    return OF_OK;
}

const char *of_rawtrade_key(const Orderfleet__RawTrade *t, char *buf, size_t size) {
    if (*nz(t->buyer_nick))
        snprintf(buf, size, "%d:%s", t->platform_id, t->buyer_nick);
    else if (*nz(t->receiver_mobile))
        snprintf(buf, size, "%d:MOB%s", t->platform_id, t->receiver_mobile);
    else if (*nz(t->receiver_telno))
        snprintf(buf, size, "%d:TEL%s", t->platform_id, t->receiver_telno);
    else
        snprintf(buf, size, "%d:TID%s", t->platform_id, nz(t->tid));
    return buf;
}

const char *of_rawtrade_event_id(const void *bytes, size_t len, char *buf, size_t size) {
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(bytes, len, md);
    char hex[33];
    for (int i = 0; i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    snprintf(buf, size, "rt-%s", hex);
    return buf;
}
