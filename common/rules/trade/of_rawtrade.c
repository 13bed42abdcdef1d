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

/* The one table of field limits: strings are checked against maxchars characters, the smallest column the
 * value is written to (api_trade / api_trade_order, and on submission sales_trade, sales_trade_order,
 * crm_customer, crm_platform_customer, api_goods_spec: schema/main/001, 003, 006, 007), and maxlen bytes, the
 * worker's fixed buffers (OF_RT_MAX_*). Numbers and amounts: of_rawtrade_validate, limits in of_rawtrade.h. */
static const field_t trade_fields[] = {
    {"platform_id", F_INT, T(platform_id), 0, 0},
    {"shop_no", F_STR, T(shop_no), OF_RT_MAX_ID, 64}, /* api_trade.shop_no, cfg_shop */
    {"tid", F_STR, T(tid), OF_RT_MAX_ID, 64},         /* api_trade.tid, sales_trade_order.src_tid */
    {"trade_status", F_INT, T(trade_status), 0, 0},
    {"pay_status", F_INT, T(pay_status), 0, 0},
    {"refund_status", F_INT, T(refund_status), 0, 0},
    {"delivery_term", F_INT, T(delivery_term), 0, 0},
    {"trade_time", F_TIME, T(trade_time), 19, 19},
    {"pay_time", F_TIME, T(pay_time), 19, 19},
    {"modified", F_TIME, T(modified), 19, 19},
    {"buyer_nick", F_STR, T(buyer_nick), OF_RT_MAX_NAME, 128},            /* sales_trade.buyer_nick, crm nick/account */
    {"receiver_name", F_STR, T(receiver_name), OF_RT_MAX_NAME, 64},       /* sales_trade, crm_customer(_address) */
    {"receiver_mobile", F_STR, T(receiver_mobile), OF_RT_MAX_ID, 40},     /* sales_trade, crm_customer */
    {"receiver_telno", F_STR, T(receiver_telno), OF_RT_MAX_ID, 40},       /* sales_trade, crm_customer */
    {"receiver_province", F_STR, T(receiver_province), OF_RT_MAX_ID, 40}, /* sales_trade, crm_customer */
    {"receiver_city", F_STR, T(receiver_city), OF_RT_MAX_ID, 40},         /* sales_trade, crm_customer */
    {"receiver_district", F_STR, T(receiver_district), OF_RT_MAX_ID, 40}, /* sales_trade, crm_customer */
    {"receiver_address", F_STR, T(receiver_address), OF_RT_MAX_NAME, 255},
    {"receiver_zip", F_STR, T(receiver_zip), 16, 16},
    {"warehouse_no", F_STR, T(warehouse_no), OF_RT_MAX_ID, 64},
    {"cs_remark", F_STR, T(cs_remark), OF_RT_MAX_REMARK, 1024},
    {"buyer_message", F_STR, T(buyer_message), OF_RT_MAX_REMARK, 1024},
    {"invoice_type", F_INT, T(invoice_type), 0, 0},
    {"invoice_title", F_STR, T(invoice_title), OF_RT_MAX_NAME, 255},
    {"invoice_content", F_STR, T(invoice_content), OF_RT_MAX_REMARK, 255}, /* sales_trade.invoice_content */
    {"goods_count", F_INT, T(goods_count), 0, 0},
    {"goods_type_count", F_INT, T(goods_type_count), 0, 0},
    {"post_amount", F_MONEY, T(post_amount), 0, 0},
    {"discount", F_MONEY, T(discount), 0, 0},
    {"receivable", F_MONEY, T(receivable), 0, 0},
    {"paid", F_MONEY, T(paid), 0, 0},
    {"cod_amount", F_MONEY, T(cod_amount), 0, 0},
    {"trade_mask", F_UINT, T(trade_mask), 0, 0},
    {"is_external", F_INT, T(is_external), 0, 0},
    {"is_sealed", F_INT, T(is_sealed), 0, 0},
    {"wms_type", F_INT, T(wms_type), 0, 0},
};
static const field_t order_fields[] = {
    {"oid", F_STR, O(oid), OF_RT_MAX_ID, 64},
    {"status", F_INT, O(status), 0, 0},
    {"refund_status", F_INT, O(refund_status), 0, 0},
    {"goods_id", F_STR, O(goods_id), OF_RT_MAX_ID, 64},
    {"spec_id", F_STR, O(spec_id), OF_RT_MAX_ID, 64},
    {"goods_no", F_STR, O(goods_no), OF_RT_MAX_ID, 64},
    {"spec_no", F_STR, O(spec_no), OF_RT_MAX_ID, 64},
    {"goods_name", F_STR, O(goods_name), OF_RT_MAX_NAME, 255}, /* also sales_trade_order.api_goods_name */
    {"spec_name", F_STR, O(spec_name), OF_RT_MAX_NAME, 255},   /* also sales_trade_order.api_spec_name */
    {"cid", F_STR, O(cid), OF_RT_MAX_ID, 64},
    {"num", F_INT, O(num), 0, 0},
    {"price", F_MONEY, O(price), 0, 0},
    {"adjust", F_MONEY, O(adjust), 0, 0},
    {"discount", F_MONEY, O(discount), 0, 0},
    {"share_discount", F_MONEY, O(share_discount), 0, 0},
    {"total_amount", F_MONEY, O(total_amount), 0, 0},
    {"paid", F_MONEY, O(paid), 0, 0},
    {"share_post", F_MONEY, O(share_post), 0, 0},
    {"bind_oid", F_STR, O(bind_oid), OF_RT_MAX_ID, 64},
    {"guarantee_mode", F_INT, O(guarantee_mode), 0, 0},
    {"order_price", F_MONEY, O(order_price), 0, 0},
    {"share_amount", F_MONEY, O(share_amount), 0, 0},
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

/* ------------------------------------------------------------------ NUL inside strings */

/* Where of `path` (JSON) or of a wire message a string is: "shop_no", "orders[2].goods_name", "meta.producer". */
static void path_add(char *path, size_t size, const char *name, long index) {
    size_t n = strlen(path);
    if (n >= size - 1) return;
    if (index >= 0)
        snprintf(path + n, size - n, "[%ld]", index);
    else
        snprintf(path + n, size - n, "%s%s", n ? "." : "", name);
}

static int hexval(int c) {
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* cJSON decodes "\u0000" (and copies a raw NUL byte) into its C string, which then ends there: "jd-store\u0000evil"
 * would map to shop_no "jd-store". The JSON text cJSON accepted is scanned for a key or string holding a NUL;
 * returns 1 with the path of the value (or of the key) and the NUL's byte offset in the decoded string. */
#define JSON_DEPTH 8
static int json_nul(const char *js, size_t len, char *path, size_t psize, int *is_key, size_t *at) {
    struct {
        int arr;
        long idx;
        char key[80];
    } st[JSON_DEPTH];
    int depth = 0, want_key = 0;
    for (size_t i = 0; i < len; i++) {
        char c = js[i];
        if (c == '{' || c == '[') {
            if (depth < JSON_DEPTH) {
                st[depth].arr = c == '[';
                st[depth].idx = 0;
                st[depth].key[0] = '\0';
            }
            depth++;
            want_key = c == '{';
        } else if (c == '}' || c == ']') {
            if (--depth <= 0) break; /* the root value ends: what follows is not part of it */
            want_key = 0;
        } else if (c == ',' && depth > 0 && depth <= JSON_DEPTH) {
            if (st[depth - 1].arr)
                st[depth - 1].idx++;
            else
                want_key = 1;
        } else if (c == ':') {
            want_key = 0;
        } else if (c == '"') {
            size_t out = 0, klen = 0, nul = (size_t)-1;
            char key[80];
            for (i++; i < len && js[i] != '"'; i++) {
                unsigned char b = (unsigned char)js[i];
                size_t w = 1; /* bytes this source character decodes to */
                if (b == '\\' && i + 1 < len) {
                    i++;
                    if (js[i] == 'u' && i + 4 < len) {
                        long cp = 0;
                        for (int k = 1; k <= 4; k++)
                            cp = cp * 16 + (hexval(js[i + k]) < 0 ? 0 : hexval(js[i + k]));
                        i += 4;
                        w = cp < 0x80 ? 1 : cp < 0x800 ? 2 : (cp >= 0xD800 && cp <= 0xDBFF) ? 4 : cp <= 0xDFFF ? 0 : 3;
                        if (cp == 0 && nul == (size_t)-1) nul = out;
                        b = cp < 0x80 ? (unsigned char)cp : 'x';
                    } else {
                        b = 'x';
                    }
                } else if (b == 0 && nul == (size_t)-1) {
                    nul = out;
                }
                if (want_key && klen + 1 < sizeof key && nul == (size_t)-1) key[klen++] = (char)b;
                out += w;
            }
            if (want_key) {
                key[klen] = '\0';
                if (depth > 0 && depth <= JSON_DEPTH) snprintf(st[depth - 1].key, sizeof st[depth - 1].key, "%s", key);
            }
            if (nul != (size_t)-1) {
                path[0] = '\0';
                for (int d = 0; d < depth && d < JSON_DEPTH; d++) /* a key names itself: it is st[depth - 1].key */
                    path_add(path, psize, st[d].key, st[d].arr ? st[d].idx : -1);
                *is_key = want_key;
                *at = nul;
                return 1;
            }
        }
    }
    return 0;
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
    char path[160];
    int is_key;
    size_t at;
    if (json_nul(json, len, path, sizeof path, &is_key, &at)) { /* as of_rawtrade_wire_check() for protobuf */
        err = of_seterr(errstr, size, OF_ERR_INVALID, "%s: %scontains a NUL byte at byte %zu", path,
                        is_key ? "key " : "", at);
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
        err = of_seterr(errstr, size, OF_ERR_INVALID, "orders: %d sub-orders, more than %d", n, OF_RT_MAX_ORDERS);
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

/* ------------------------------------------------------------------ validation */

/* RFC 3629 well-formed sequences (Unicode Table 3-7): the second byte's range depends on the first, which
 * excludes overlong forms (C0, C1, E0 80..9F, F0 80..8F), surrogates (ED A0..BF) and code points above U+10FFFF
 * (F4 90.., F5..FF). */
int of_rawtrade_utf8(const char *str, size_t len, size_t *nchars, size_t *bad_at, const char **why) {
    const unsigned char *s = (const unsigned char *)str;
    size_t n = 0;
    for (size_t i = 0; i < len; n++) {
        unsigned char b = s[i];
        if (b < 0x80) {
            i++;
            continue;
        }
        size_t need = 0;
        unsigned char lo = 0x80, hi = 0xBF;
        const char *narrow = NULL; /* what a first continuation byte in 80..BF but outside lo..hi means */
        if (b >= 0xC2 && b <= 0xDF) {
            need = 1;
        } else if (b >= 0xE0 && b <= 0xEF) {
            need = 2;
            if (b == 0xE0) lo = 0xA0, narrow = "overlong";
            if (b == 0xED) hi = 0x9F, narrow = "surrogate";
        } else if (b >= 0xF0 && b <= 0xF4) {
            need = 3;
            if (b == 0xF0) lo = 0x90, narrow = "overlong";
            if (b == 0xF4) hi = 0x8F, narrow = "above U+10FFFF";
        }
        const char *bad = NULL;
        if (!need)
            bad = b == 0xC0 || b == 0xC1 ? "overlong" : b >= 0xF5 && b <= 0xF7 ? "above U+10FFFF" : "invalid byte";
        for (size_t k = 1; !bad && k <= need; k++) {
            if (i + k >= len || s[i + k] < 0x80 || s[i + k] > 0xBF)
                bad = "truncated";
            else if (k == 1 && (s[i + k] < lo || s[i + k] > hi))
                bad = narrow;
        }
        if (bad) {
            *bad_at = i;
            *why = bad;
            return 0;
        }
        i += need + 1;
    }
    *nchars = n;
    return 1;
}

/* One string field: valid UTF-8, within its column in characters and its buffer in bytes, present if required. */
static of_err_t check_str(const char *what, const char *s, const field_t *f, int required, char *errstr, size_t size) {
    s = nz(s);
    size_t n = strlen(s), chars = 0, bad = 0;
    const char *why = "";
    if (required && !n) return of_seterr(errstr, size, OF_ERR_INVALID, "%s: required", what);
    if (!of_rawtrade_utf8(s, n, &chars, &bad, &why))
        return of_seterr(errstr, size, OF_ERR_INVALID, "%s: not valid UTF-8 at byte %zu (%s)", what, bad, why);
    if (chars > f->maxchars)
        return of_seterr(errstr, size, OF_ERR_INVALID, "%s: %zu characters, more than %zu", what, chars, f->maxchars);
    if (n > f->maxlen)
        return of_seterr(errstr, size, OF_ERR_INVALID, "%s: %zu bytes, more than %zu", what, n, f->maxlen);
    return OF_OK;
}

/* One amount: |v| ≤ OF_RT_MAX_AMOUNT, and v ≥ 0 unless signed. */
static of_err_t check_money(const char *what, int64_t v, int is_signed, char *errstr, size_t size) {
    char a[32], b[32];
    if (v < 0 && !is_signed)
        return of_seterr(errstr, size, OF_ERR_INVALID, "%s: %s is negative", what, of_money_fmt(v, a, sizeof a));
    if (v > OF_RT_MAX_AMOUNT)
        return of_seterr(errstr, size, OF_ERR_INVALID, "%s: %s is more than %s", what, of_money_fmt(v, a, sizeof a),
                         of_money_fmt(OF_RT_MAX_AMOUNT, b, sizeof b));
    if (v < -OF_RT_MAX_AMOUNT)
        return of_seterr(errstr, size, OF_ERR_INVALID, "%s: %s is less than %s", what, of_money_fmt(v, a, sizeof a),
                         of_money_fmt(-OF_RT_MAX_AMOUNT, b, sizeof b));
    return OF_OK;
}

/* A unit price × quantity (the line's value, SUB-MAP-22 apportions it) within OF_RT_MAX_AMOUNT: checked product. */
static of_err_t check_line_value(const char *what, int64_t price, int num, char *errstr, size_t size) {
    int64_t v;
    if (!__builtin_mul_overflow(price, (int64_t)num, &v) && v <= OF_RT_MAX_AMOUNT) return OF_OK;
    char a[32], b[32];
    return of_seterr(errstr, size, OF_ERR_INVALID, "%s: %s × num %d is more than %s", what,
                     of_money_fmt(price, a, sizeof a), num, of_money_fmt(OF_RT_MAX_AMOUNT, b, sizeof b));
}

static int is_signed_money(const char *name) {
    return !strcmp(name, "discount") || !strcmp(name, "adjust") || !strcmp(name, "share_discount");
}

static of_err_t check_fields(const void *msg, const field_t *fs, size_t n, const char *prefix, char *errstr,
                             size_t size) {
    of_err_t err = OF_OK;
    for (size_t i = 0; i < n && !err; i++) {
        const field_t *f = &fs[i];
        if (f->kind == F_STR || f->kind == F_TIME) {
            int req = !strcmp(f->name, "tid") || !strcmp(f->name, "shop_no") || !strcmp(f->name, "trade_time") ||
                      (*prefix && !strcmp(f->name, "oid"));
            err = check_str(f->name, *(char *const *)((const char *)msg + f->off), f, req, errstr, size);
        } else if (f->kind == F_MONEY) {
            int64_t v = *(const int64_t *)((const char *)msg + f->off);
            err = check_money(f->name, v, is_signed_money(f->name), errstr, size);
        }
    }
    if (err && *prefix) { /* the field's path, e.g. orders[2].goods_name, only for a refusal (issue 10: formatting it
                           * for every field of every trade was 5% of trade-submit's CPU) */
        char msg2[512];
        snprintf(msg2, sizeof msg2, "%s%s", prefix, errstr);
        snprintf(errstr, size, "%s", msg2);
    }
    return err;
}

of_err_t of_rawtrade_validate_resubmit(const Orderfleet__RawTrade *t, char *errstr, size_t size) {
    static const char *const used[] = {"shop_no", "tid", "buyer_nick", "receiver_mobile", "receiver_telno"};
    for (size_t i = 0; i < NFIELDS(trade_fields); i++) {
        const field_t *f = &trade_fields[i];
        for (size_t k = 0; k < sizeof used / sizeof used[0]; k++) {
            if (strcmp(f->name, used[k])) continue;
            of_err_t err = check_str(f->name, *(char *const *)((const char *)t + f->off), f, k < 2, errstr, size);
            if (err) return err;
        }
    }
    if (t->platform_id < 0 || t->platform_id > 255)
        return of_seterr(errstr, size, OF_ERR_INVALID, "platform_id: %d not in 0..255", t->platform_id);
    if (t->n_orders)
        return of_seterr(errstr, size, OF_ERR_INVALID, "resubmit: a resubmit request carries no sub-orders");
    return OF_OK;
}

of_err_t of_rawtrade_validate(const Orderfleet__RawTrade *t, char *errstr, size_t size) {
    of_err_t err;
    /* strings (UTF-8, characters, bytes, required ids) and amounts of the trade */
    if ((err = check_fields(t, trade_fields, NFIELDS(trade_fields), "", errstr, size))) return err;
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
    if (t->goods_count < 0 || t->goods_count > OF_RT_MAX_GOODS_COUNT)
        return of_seterr(errstr, size, OF_ERR_INVALID, "goods_count: %d not in 0..%d", t->goods_count,
                         OF_RT_MAX_GOODS_COUNT);
    if (t->goods_type_count < 0 || t->goods_type_count > OF_RT_MAX_ORDERS)
        return of_seterr(errstr, size, OF_ERR_INVALID, "goods_type_count: %d not in 0..%d", t->goods_type_count,
                         OF_RT_MAX_ORDERS);
    if (t->invoice_type < 0 || t->invoice_type > 255)
        return of_seterr(errstr, size, OF_ERR_INVALID, "invoice_type: %d not in 0..255", t->invoice_type);
    if (t->is_external < 0 || t->is_external > 127 || t->is_sealed < 0 || t->is_sealed > 127)
        return of_seterr(errstr, size, OF_ERR_INVALID, "is_external/is_sealed: not in 0..127");
    if (t->wms_type < -1 || t->wms_type > 127)
        return of_seterr(errstr, size, OF_ERR_INVALID, "wms_type: %d not in -1..127", t->wms_type);
    /* issue 10 item 3: a trade without sub-orders is refused (it used to be stored and left pending, SUB-TYPE-02) */
    if (t->n_orders == 0) return of_seterr(errstr, size, OF_ERR_INVALID, "orders: at least one sub-order");
    if (t->n_orders > OF_RT_MAX_ORDERS)
        return of_seterr(errstr, size, OF_ERR_INVALID, "orders: %zu sub-orders, more than %d", t->n_orders,
                         OF_RT_MAX_ORDERS);
    for (size_t i = 0; i < t->n_orders; i++) {
        const Orderfleet__RawSubOrder *o = t->orders[i];
        char where[32], what[64];
        snprintf(where, sizeof where, "orders[%zu].", i);
        if (!o) return of_seterr(errstr, size, OF_ERR_INVALID, "orders[%zu]: missing", i);
        if ((err = check_fields(o, order_fields, NFIELDS(order_fields), where, errstr, size))) return err;
        /* D-RT-1: 0 is stored (SUB-MAP-04 marks it at submission); negative or above the limit is refused */
        if (o->num < 0) return of_seterr(errstr, size, OF_ERR_INVALID, "orders[%zu].num: %d is negative", i, o->num);
        if (o->num > OF_RT_MAX_NUM)
            return of_seterr(errstr, size, OF_ERR_INVALID, "orders[%zu].num: %d is more than %d", i, o->num,
                             OF_RT_MAX_NUM);
        snprintf(what, sizeof what, "orders[%zu].price", i);
        if ((err = check_line_value(what, o->price, o->num, errstr, size))) return err;
        snprintf(what, sizeof what, "orders[%zu].order_price", i);
        if ((err = check_line_value(what, o->order_price, o->num, errstr, size))) return err;
        if (o->status < 0 || o->status > 255)
            return of_seterr(errstr, size, OF_ERR_INVALID, "orders[%zu].status: %d not in 0..255", i, o->status);
        if (o->refund_status < 0 || o->refund_status > 6)
            return of_seterr(errstr, size, OF_ERR_INVALID,
                             "orders[%zu].refund_status: %d not in 0..6 (trade-rules §1.5)", i, o->refund_status);
        if (o->guarantee_mode < 0 || o->guarantee_mode > 255)
            return of_seterr(errstr, size, OF_ERR_INVALID, "orders[%zu].guarantee_mode: %d not in 0..255", i,
                             o->guarantee_mode);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(nz(t->orders[j]->oid), nz(o->oid)))
                return of_seterr(errstr, size, OF_ERR_INVALID, "orders[%zu].oid: '%s' repeated", i, o->oid);
    }
    return OF_OK;
}

/* ------------------------------------------------------------------ NUL on the wire */

static int wire_varint(const uint8_t *p, size_t len, size_t *pos, uint64_t *v) {
    *v = 0;
    for (int shift = 0; shift < 64 && *pos < len; shift += 7) {
        uint8_t b = p[(*pos)++];
        *v |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80)) return 1;
    }
    return 0;
}

/* Walk one message's fields: strings are searched for a NUL, sub-messages walked (repeated ones numbered).
 * Returns 1 with path/at set when a NUL is found; 0 otherwise (also on bytes that are not well formed: the
 * decoder judges those). */
static int wire_nul(const ProtobufCMessageDescriptor *d, const uint8_t *p, size_t len, char *path, size_t psize,
                    size_t *at, int depth) {
    size_t pos = 0, plen = strlen(path);
    unsigned counts[64] = {0}; /* occurrences of repeated message fields, by field index */
    while (pos < len) {
        uint64_t key, v;
        if (!wire_varint(p, len, &pos, &key)) return 0;
        unsigned wt = (unsigned)(key & 7);
        uint64_t id = key >> 3;
        if (wt == 0) {
            if (!wire_varint(p, len, &pos, &v)) return 0;
        } else if (wt == 1 || wt == 5) {
            if (len - pos < (wt == 1 ? 8u : 4u)) return 0;
            pos += wt == 1 ? 8 : 4;
        } else if (wt == 2) {
            if (!wire_varint(p, len, &pos, &v) || v > len - pos) return 0;
            const ProtobufCFieldDescriptor *f =
                id <= UINT32_MAX ? protobuf_c_message_descriptor_get_field(d, (unsigned)id) : NULL;
            if (f && f->type == PROTOBUF_C_TYPE_STRING) {
                const uint8_t *z = memchr(p + pos, 0, (size_t)v);
                if (z) {
                    path_add(path, psize, f->name, -1);
                    *at = (size_t)(z - (p + pos));
                    return 1;
                }
            } else if (f && f->type == PROTOBUF_C_TYPE_MESSAGE && depth < 4) {
                size_t fi = (size_t)(f - d->fields);
                path_add(path, psize, f->name, -1);
                if (f->label == PROTOBUF_C_LABEL_REPEATED) path_add(path, psize, "", fi < 64 ? counts[fi]++ : 0);
                if (wire_nul(f->descriptor, p + pos, (size_t)v, path, psize, at, depth + 1)) return 1;
                path[plen] = '\0';
            }
            pos += (size_t)v;
        } else {
            return 0; /* groups (3, 4) and 6, 7 are not in these messages */
        }
    }
    return 0;
}

of_err_t of_rawtrade_wire_check(const void *bytes, size_t len, char *errstr, size_t size) {
    char path[160] = "";
    size_t at = 0;
    if (!bytes || !wire_nul(&orderfleet__raw_trade__descriptor, bytes, len, path, sizeof path, &at, 0)) return OF_OK;
    return of_seterr(errstr, size, OF_ERR_INVALID, "%s: contains a NUL byte at byte %zu", path, at);
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
