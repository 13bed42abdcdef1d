/* of_syncorder.c -- the order's synced columns, op names and their JSON forms (spec order-sync.md). */
#include "of_syncorder.h"
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "of_money.h"

static const struct {
    const char *name, *en, *cn;
    int fact;
} kinds[OF_SYN_OP__COUNT] = {
    [OF_SYN_OP_CREATE] = {"create", "order created", "创建订单", 0},
    [OF_SYN_OP_ADJUST_PRICE] = {"adjust_price", "price adjustment", "修改价格", 0},
    [OF_SYN_OP_PAY] = {"pay", "payment", "付款", 1},
    [OF_SYN_OP_SHIP] = {"ship", "shipment", "发货", 1},
    [OF_SYN_OP_CANCEL_REQUEST] = {"cancel_request", "cancellation request", "申请取消", 0},
    [OF_SYN_OP_CANCEL_REFUSE] = {"cancel_refuse", "cancellation refusal", "拒绝取消", 0},
    [OF_SYN_OP_CANCEL_AGREE] = {"cancel_agree", "cancellation agreement", "同意取消", 0},
    [OF_SYN_OP_RECEIVE] = {"receive", "receipt confirmation", "确认收货", 1},
    [OF_SYN_OP_UPDATE] = {"update", "change of the order's details", "修改订单信息", 0},
};

static const char *const status_en[OF_SYN__STATUSES] = {"unpaid",           "paid",      "shipped",
                                                        "cancel requested", "cancelled", "received"};
static const char *const status_cn[OF_SYN__STATUSES] = {"待付款", "已付款", "已发货", "申请取消中", "已取消", "已收货"};

const char *of_syncorder_kind_name(of_syn_kind_t k) {
    return (unsigned)k < OF_SYN_OP__COUNT ? kinds[k].name : "?";
}
const char *of_syncorder_kind_en(of_syn_kind_t k) {
    return (unsigned)k < OF_SYN_OP__COUNT ? kinds[k].en : "?";
}
const char *of_syncorder_kind_cn(of_syn_kind_t k) {
    return (unsigned)k < OF_SYN_OP__COUNT ? kinds[k].cn : "?";
}
int of_syncorder_kind_is_fact(of_syn_kind_t k) {
    return (unsigned)k < OF_SYN_OP__COUNT && kinds[k].fact;
}
int of_syncorder_kind_parse(const char *name) {
    for (int k = 0; name && k < OF_SYN_OP__COUNT; k++)
        if (!strcmp(kinds[k].name, name)) return k;
    return -1;
}
const char *of_syncorder_status_en(int s) {
    return s >= 0 && s < OF_SYN__STATUSES ? status_en[s] : "?";
}
const char *of_syncorder_status_cn(int s) {
    return s >= 0 && s < OF_SYN__STATUSES ? status_cn[s] : "?";
}

void of_syncorder_op_key(int side, uint64_t id, char *buf, size_t size) {
    snprintf(buf, size, "%c:%" PRIu64, side == OF_SYN_SIDE_SELLER ? 's' : 'b', id);
}

void of_syncorder_init(of_syn_order_t *o) {
    memset(o, 0, sizeof *o);
    o->cancel_from = -1;
    snprintf(o->currency, sizeof o->currency, "CNY");
}

/* ------------------------------------------------------------------ columns, as one table */

typedef enum { C_STR, C_KEY, C_U64, C_INT, C_MONEY, C_TIME } ctype_t; /* C_KEY: an op key, ASCII */
typedef struct {
    const char *name;
    ctype_t type;
    size_t off, size; /* size: the char array's size (C_STR, C_TIME) */
} col_t;
#define STRC(n)                                                                                                        \
    { #n, C_STR, offsetof(of_syn_order_t, n), sizeof(((of_syn_order_t *)0)->n) }
#define KEYC(n)                                                                                                        \
    { #n, C_KEY, offsetof(of_syn_order_t, n), sizeof(((of_syn_order_t *)0)->n) }
#define TIMEC(n)                                                                                                       \
    { #n, C_TIME, offsetof(of_syn_order_t, n), OF_SYN_TS }
#define MONC(n)                                                                                                        \
    { #n, C_MONEY, offsetof(of_syn_order_t, n), 0 }
#define INTC(n)                                                                                                        \
    { #n, C_INT, offsetof(of_syn_order_t, n), 0 }
#define U64C(n)                                                                                                        \
    { #n, C_U64, offsetof(of_syn_order_t, n), 0 }
static const col_t cols[] = {
    STRC(order_sn),        U64C(buyer_id),         U64C(seller_id),
    INTC(status),          INTC(cancel_from),      INTC(cancel_by),
    KEYC(cancel_op),       KEYC(price_op),         STRC(currency),
    MONC(price),           MONC(shipping_fee),     MONC(amount),
    MONC(paid_amount),     INTC(pay_result),       STRC(pay_no),
    TIMEC(pay_time),       TIMEC(ship_time),       TIMEC(newdeliver),
    TIMEC(refund_time),    TIMEC(receive_time),    TIMEC(addtime),
    STRC(ship_logistics),  STRC(ship_waybill_no),  STRC(receiver_name),
    STRC(receiver_mobile), STRC(receiver_country), STRC(receiver_province),
    STRC(receiver_city),   STRC(receiver_address), STRC(receiver_zip),
};
#define NCOLS (sizeof cols / sizeof cols[0])

static const col_t *col_named(const char *name) {
    for (size_t i = 0; i < NCOLS; i++)
        if (!strcmp(cols[i].name, name)) return &cols[i];
    return NULL;
}

static int num(const char *s, int n) {
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* "YYYY-MM-DD HH:MM:SS" with an optional fraction of 1–6 digits, kept to milliseconds; a real calendar date and time
 * (years 1000–9999, as DATETIME holds), so that the server never refuses what the merge accepted. */
static int time_ok(const char *s, char *out) {
    static const char pat[] = "dddd-dd-dd dd:dd:dd";
    size_t n = strlen(s);
    if (n < 19) return 0;
    for (int i = 0; i < 19; i++)
        if (pat[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != pat[i]) return 0;
    int y = num(s, 4), mo = num(s + 5, 2), d = num(s + 8, 2), h = num(s + 11, 2), mi = num(s + 14, 2),
        se = num(s + 17, 2);
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1000 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 59) return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[mo - 1] + (mo == 2 && leap)) return 0;
    char frac[4] = "000";
    if (n > 19) {
        if (s[19] != '.' || n > 26 || n == 20) return 0;
        for (size_t i = 20; i < n; i++) {
            if (s[i] < '0' || s[i] > '9') return 0;
            if (i - 20 < 3) frac[i - 20] = s[i];
        }
    }
    snprintf(out, OF_SYN_TS, "%.19s.%s", s, frac);
    return 1;
}

/* Characters of valid UTF-8 text (no overlong forms, no surrogates, nothing above U+10FFFF), -1 when it is not. */
static long utf8_chars(const char *s) {
    const unsigned char *p = (const unsigned char *)s;
    long n = 0;
    while (*p) {
        unsigned c = *p;
        int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (!len) return -1;
        unsigned cp = len == 1 ? c : c & (0x7Fu >> len);
        for (int i = 1; i < len; i++) {
            if ((p[i] & 0xC0) != 0x80) return -1;
            cp = cp << 6 | (p[i] & 0x3Fu);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return -1;
        p += len;
        n++;
    }
    return n;
}

/* One JSON member onto the column: 0, or -1 when the value does not fit. */
static int set_col(const col_t *c, const cJSON *v, of_syn_order_t *o) {
    char *base = (char *)o + c->off;
    switch (c->type) {
    case C_KEY:
        if (!cJSON_IsString(v) || strlen(v->valuestring) >= c->size || utf8_chars(v->valuestring) < 0) return -1;
        snprintf(base, c->size, "%s", v->valuestring);
        return 0;
    case C_STR: {
        if (!cJSON_IsString(v) || strlen(v->valuestring) >= c->size) return -1;
        long chars = utf8_chars(v->valuestring);
        if (chars < 0 || (size_t)chars > (c->size - 1) / 4) return -1;
        snprintf(base, c->size, "%s", v->valuestring);
        return 0;
    }
    case C_TIME: {
        if (cJSON_IsNull(v) || (cJSON_IsString(v) && !v->valuestring[0])) {
            base[0] = 0;
            return 0;
        }
        char t[OF_SYN_TS];
        if (!cJSON_IsString(v) || !time_ok(v->valuestring, t)) return -1;
        memcpy(base, t, OF_SYN_TS);
        return 0;
    }
    case C_MONEY: {
        int64_t m;
        char buf[40];
        if (cJSON_IsString(v)) {
            if (of_money_parse(v->valuestring, &m)) return -1;
        } else if (cJSON_IsNumber(v)) {
            snprintf(buf, sizeof buf, "%.4f", v->valuedouble);
            if (of_money_parse(buf, &m)) return -1;
        } else
            return -1;
        if (m < 0 || m >= (int64_t)1000000000000000LL) return -1; /* DECIMAL(19,4) holds < 10^15 */
        memcpy(base, &m, sizeof m);
        return 0;
    }
    case C_U64: {
        uint64_t u;
        if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 9007199254740992.0)
            u = (uint64_t)v->valuedouble;
        else if (cJSON_IsString(v) && v->valuestring[0] >= '0' && v->valuestring[0] <= '9') {
            char *end;
            u = strtoull(v->valuestring, &end, 10);
            if (*end) return -1;
        } else
            return -1;
        memcpy(base, &u, sizeof u);
        return 0;
    }
    case C_INT: {
        if (!cJSON_IsNumber(v) || v->valuedouble < -1 || v->valuedouble > 255) return -1;
        int i = (int)v->valuedouble;
        memcpy(base, &i, sizeof i);
        return 0;
    }
    }
    return -1;
}

int of_syncorder_to_json(const of_syn_order_t *o, char **out) {
    cJSON *j = cJSON_CreateObject();
    if (!j) return -1;
    char buf[40];
    for (size_t i = 0; i < NCOLS; i++) {
        const col_t *c = &cols[i];
        const char *base = (const char *)o + c->off;
        cJSON *v = NULL;
        switch (c->type) {
        case C_STR:
        case C_KEY:
        case C_TIME:
            v = cJSON_CreateString(base);
            break;
        case C_MONEY: {
            int64_t m;
            memcpy(&m, base, sizeof m);
            v = cJSON_CreateString(of_money_fmt(m, buf, sizeof buf));
            break;
        }
        case C_U64: {
            uint64_t u;
            memcpy(&u, base, sizeof u);
            snprintf(buf, sizeof buf, "%" PRIu64, u);
            v = cJSON_CreateString(buf);
            break;
        }
        case C_INT: {
            int x;
            memcpy(&x, base, sizeof x);
            v = cJSON_CreateNumber(x);
            break;
        }
        }
        if (!v || !cJSON_AddItemToObject(j, c->name, v)) {
            cJSON_Delete(v);
            cJSON_Delete(j);
            return -1;
        }
    }
    *out = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return *out ? 0 : -1;
}

int of_syncorder_from_json(const char *json, of_syn_order_t *o) {
    cJSON *j = json ? cJSON_Parse(json) : NULL;
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        return -1;
    }
    of_syn_order_t t;
    of_syncorder_init(&t);
    int rc = 0;
    for (size_t i = 0; i < NCOLS && !rc; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, cols[i].name);
        if (!v || set_col(&cols[i], v, &t)) rc = -1;
    }
    cJSON_Delete(j);
    if (rc) return -1;
    t.exists = 1;
    *o = t;
    return 0;
}

/* The columns each kind may change (NULL-terminated). */
static const char *const create_cols[] = {
    "order_sn",      "buyer_id",         "seller_id",       "currency",         "price",
    "shipping_fee",  "receiver_name",    "receiver_mobile", "receiver_country", "receiver_province",
    "receiver_city", "receiver_address", "receiver_zip",    "addtime",          NULL};
static const char *const price_cols[] = {"price", "shipping_fee", NULL};
static const char *const pay_cols[] = {"pay_no", "paid_amount", "pay_time", "price", "shipping_fee", NULL};
static const char *const ship_cols[] = {"ship_time", "ship_logistics", "ship_waybill_no", "newdeliver", NULL};
static const char *const agree_cols[] = {"refund_time", NULL};
static const char *const receive_cols[] = {"receive_time", NULL};
static const char *const update_cols[] = {"receiver_name",     "receiver_mobile", "receiver_country",
                                          "receiver_province", "receiver_city",   "receiver_address",
                                          "receiver_zip",      "newdeliver",      NULL};
static const char *const none_cols[] = {NULL};

static const char *const *allowed(of_syn_kind_t k) {
    switch (k) {
    case OF_SYN_OP_CREATE:
        return create_cols;
    case OF_SYN_OP_ADJUST_PRICE:
        return price_cols;
    case OF_SYN_OP_PAY:
        return pay_cols;
    case OF_SYN_OP_SHIP:
        return ship_cols;
    case OF_SYN_OP_CANCEL_AGREE:
        return agree_cols;
    case OF_SYN_OP_RECEIVE:
        return receive_cols;
    case OF_SYN_OP_UPDATE:
        return update_cols;
    default:
        return none_cols;
    }
}

int of_syncorder_fields_apply(of_syn_kind_t k, const char *fields, of_syn_order_t *o, char *bad, size_t bad_size) {
    cJSON *j = fields ? cJSON_Parse(fields) : NULL;
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        snprintf(bad, bad_size, "fields (not a JSON object)");
        return -1;
    }
    of_syn_order_t t = *o;
    int rc = 0;
    for (const char *const *c = allowed(k); *c && !rc; c++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, *c);
        if (!v) continue;
        if (set_col(col_named(*c), v, &t)) {
            snprintf(bad, bad_size, "%s", *c);
            rc = -1;
        }
    }
    cJSON_Delete(j);
    if (rc) return -1;
    if (k == OF_SYN_OP_CREATE || k == OF_SYN_OP_ADJUST_PRICE || k == OF_SYN_OP_PAY) t.amount = t.price + t.shipping_fee;
    if (k == OF_SYN_OP_PAY) t.pay_result = 1;
    *o = t;
    return 0;
}
