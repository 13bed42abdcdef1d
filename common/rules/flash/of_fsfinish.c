/* of_fsfinish.c -- FS-9: the payment finish chain's steps. Pure. */
#include "of_fsfinish.h"
#include <stdio.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "of_fspay.h"
#include "of_money.h"

static const char *const NAMES[OF_FIN__COUNT] = {"paid", "method",  "units",    "repurchase",
                                                 "push", "message", "activity", "deliver"};

const char *of_fsfinish_step_name(of_fin_step_t s) {
    return s >= 0 && s < OF_FIN__COUNT ? NAMES[s] : NULL;
}

int of_fsfinish_step_parse(const char *name) {
    for (int i = 0; name && i < OF_FIN__COUNT; i++)
        if (!strcmp(name, NAMES[i])) return i;
    return -1;
}

const char *of_fsfinish_not_paid(const of_fin_order_t *o) {
    if (o->state != 2) return o->state == 3 ? "the order is closed" : "the order is not paid";
    if (o->remain_pay != 0) return "the order is paid but remain_pay is not 0";
    return NULL;
}

unsigned of_fsfinish_method_bits(const char *const *methods, size_t n) {
    unsigned bits = 0;
    for (size_t i = 0; i < n; i++)
        for (int t = OF_PAY_POINTS; t <= OF_PAY_OFFLINE; t++)
            if (methods[i] && !strcmp(methods[i], of_fspay_method_name(t))) bits |= of_fspay_bit(t);
    return bits;
}

void of_fsfinish_unit_no(const of_fin_order_t *o, int seq, char *buf, size_t size) {
    snprintf(buf, size, "%.40s-%d", o->order_code ? o->order_code : "", seq);
}

int of_fsfinish_repurchase(const of_fin_order_t *o, int64_t *amount) {
    *amount = 0;
    if (o->repurchase_price <= 0) return 0;
    if (o->num <= 0 || o->repurchase_price > 100000000000000LL / o->num) return -1;
    *amount = o->repurchase_price * o->num;
    return 1;
}

static int print(cJSON *j, char *buf, size_t size) {
    char *s = j ? cJSON_PrintUnformatted(j) : NULL;
    cJSON_Delete(j);
    if (!s) return -1;
    int ok = strlen(s) < size;
    if (ok) snprintf(buf, size, "%s", s);
    cJSON_free(s);
    return ok ? 0 : -1;
}

int of_fsfinish_push_payload(const of_fin_order_t *o, char *buf, size_t size) {
    cJSON *j = cJSON_CreateObject();
    char uid[24];
    snprintf(uid, sizeof uid, "%llu", (unsigned long long)o->user_id);
    cJSON_AddStringToObject(j, "type", "push");
    cJSON_AddStringToObject(j, "title", "付款成功");
    cJSON_AddStringToObject(j, "body", "主人，付款已成功，您的羊群正在赶来的路上！");
    cJSON_AddStringToObject(j, "target", "account");
    cJSON_AddStringToObject(j, "targetValue", uid);
    cJSON_AddNumberToObject(j, "order_id", (double)o->id);
    return print(j, buf, size);
}

int of_fsfinish_message_payload(const of_fin_order_t *o, char *buf, size_t size) {
    cJSON *j = cJSON_CreateObject();
    char a[32], rp[32];
    cJSON_AddStringToObject(j, "type", "system_message");
    cJSON_AddNumberToObject(j, "user_id", (double)o->user_id);
    cJSON_AddNumberToObject(j, "order_id", (double)o->id);
    cJSON_AddStringToObject(j, "order_code", o->order_code ? o->order_code : "");
    cJSON_AddStringToObject(j, "batch_code", o->batch_code ? o->batch_code : "");
    cJSON_AddStringToObject(j, "main_title", o->title ? o->title : "");
    cJSON_AddNumberToObject(j, "num", o->num);
    cJSON_AddStringToObject(j, "amount", of_money_fmt(o->amount, a, sizeof a));
    cJSON_AddStringToObject(j, "repurchase_price", of_money_fmt(o->repurchase_price, rp, sizeof rp));
    cJSON_AddStringToObject(j, "yield", o->yield_rate ? o->yield_rate : "0");
    cJSON_AddNumberToObject(j, "period", o->period_days);
    cJSON_AddStringToObject(j, "text", "订单付款成功");
    return print(j, buf, size);
}

int of_fsfinish_deliver_payload(const of_fin_order_t *o, char *buf, size_t size) {
    cJSON *j = cJSON_CreateObject();
    char a[32], u[32];
    cJSON_AddStringToObject(j, "type", "flash_order_paid");
    cJSON_AddNumberToObject(j, "order_id", (double)o->id);
    cJSON_AddStringToObject(j, "order_code", o->order_code ? o->order_code : "");
    cJSON_AddNumberToObject(j, "user_id", (double)o->user_id);
    cJSON_AddNumberToObject(j, "batch_id", (double)o->batch_id);
    cJSON_AddNumberToObject(j, "num", o->num);
    cJSON_AddStringToObject(j, "unit_price", of_money_fmt(o->unit_price, u, sizeof u));
    cJSON_AddStringToObject(j, "amount", of_money_fmt(o->amount, a, sizeof a));
    return print(j, buf, size);
}
