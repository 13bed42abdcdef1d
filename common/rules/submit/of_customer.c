/* of_customer.c -- SUB-CUST-01…-06: who the buyer is (nick fallback, existing / offline / new customer, address
 * and phone books). Pure: the worker does the lookups before and the inserts after. */
#include "of_customer.h"
#include <stdio.h>
#include <string.h>

static int empty(const char *s) {
    return !s || !*s;
}

/* SUB-CUST-01 (OP-17: the literal '未知卖家' is stored). */
void of_cust_nick(const Orderfleet__RawTrade *raw, char *buf, size_t size) {
    if (!empty(raw->buyer_nick))
        snprintf(buf, size, "%s", raw->buyer_nick);
    else if (!empty(raw->receiver_mobile))
        snprintf(buf, size, "MOB%s", raw->receiver_mobile);
    else if (!empty(raw->receiver_telno))
        snprintf(buf, size, "TEL%s", raw->receiver_telno);
    else
        snprintf(buf, size, "%s", "未知卖家");
}

void of_cust_decide(const of_subin_t *in, of_sub_t *s) {
    const Orderfleet__RawTrade *raw = in->raw;
    const of_cust_lookup_t *c = &in->cust;

    /* SUB-CUST-01 */
    of_cust_nick(raw, s->nick, sizeof s->nick);
    const char *how = !empty(raw->buyer_nick)        ? "buyer nick"
                      : !empty(raw->receiver_mobile) ? "no nick: 'MOB' + mobile"
                      : !empty(raw->receiver_telno)  ? "no nick: 'TEL' + telno"
                                                     : "no nick, mobile or telno: literal (OP-17)";
    of_trace_add(&s->trace, "SUB-CUST-01", "nick", "%s (%s)", s->nick, how);

    /* SUB-CUST-02: crm_platform_customer (platform_id, account = nick) */
    if (c->platform_customer_id) {
        s->cust_action = OF_CUST_EXISTING;
        s->customer_id = c->platform_customer_id;
        s->customer_type = c->customer_type;
        of_trace_add(&s->trace, "SUB-CUST-02", "customer", "existing customer %llu (platform %d, account %s), type %d",
                     (unsigned long long)s->customer_id, raw->platform_id, s->nick, s->customer_type);
        return;
    }
    of_trace_add(&s->trace, "SUB-CUST-02", "customer", "no platform customer (platform %d, account %s)",
                 raw->platform_id, s->nick);

    /* SUB-CUST-03: an offline customer (platform 0, same nick) whose phone or address matches (OP-18) */
    s->customer_type = 0;
    if (c->offline_customer_id && (c->offline_phone_match || c->offline_address_match)) {
        s->cust_action = OF_CUST_LINK_OFFLINE;
        s->customer_id = c->offline_customer_id;
        of_trace_add(&s->trace, "SUB-CUST-03", "customer", "offline customer %llu reused (phone %s, address %s)",
                     (unsigned long long)s->customer_id, c->offline_phone_match ? "matches" : "differs",
                     c->offline_address_match ? "matches" : "differs");
        /* SUB-CUST-04: customer_id ≠ 0 → only the platform customer row is inserted */
        of_trace_add(&s->trace, "SUB-CUST-04", "action", "insert crm_platform_customer linked to customer %llu",
                     (unsigned long long)s->customer_id);
        return;
    }
    if (c->offline_customer_id)
        of_trace_add(&s->trace, "SUB-CUST-03", "customer",
                     "offline customer %llu not reused: neither phone nor address matches (OP-18)",
                     (unsigned long long)c->offline_customer_id);
    else
        of_trace_add(&s->trace, "SUB-CUST-03", "customer", "no offline customer with account %s", s->nick);
    /* SUB-CUST-04: customer_id = 0 → new crm_customer and crm_platform_customer */
    s->cust_action = OF_CUST_CREATE;
    s->customer_id = 0;
    of_trace_add(&s->trace, "SUB-CUST-04", "action", "create crm_customer and crm_platform_customer (account %s)",
                 s->nick);
}

/* SUB-CUST-06: mobile type 1, telephone type 2, non-empty only. */
int of_cust_phones(const Orderfleet__RawTrade *raw, const char *numbers[2], int types[2]) {
    int n = 0;
    if (!empty(raw->receiver_mobile)) {
        numbers[n] = raw->receiver_mobile;
        types[n++] = 1;
    }
    if (!empty(raw->receiver_telno)) {
        numbers[n] = raw->receiver_telno;
        types[n++] = 2;
    }
    return n;
}

/* OP-18 */
int of_cust_phone_match(const Orderfleet__RawTrade *raw, const char *number) {
    if (empty(number)) return 0;
    return (!empty(raw->receiver_mobile) && !strcmp(number, raw->receiver_mobile)) ||
           (!empty(raw->receiver_telno) && !strcmp(number, raw->receiver_telno));
}

static const char *nz(const char *s) {
    return s ? s : "";
}

/* OP-18 */
int of_cust_address_match(const Orderfleet__RawTrade *raw, const char *province, const char *city, const char *district,
                          const char *address) {
    if (empty(raw->receiver_address)) return 0;
    return !strcmp(nz(province), nz(raw->receiver_province)) && !strcmp(nz(city), nz(raw->receiver_city)) &&
           !strcmp(nz(district), nz(raw->receiver_district)) && !strcmp(nz(address), raw->receiver_address);
}

/* SUB-CUST-05 */
int of_cust_address(const Orderfleet__RawTrade *raw, of_cust_address_t *out) {
    *out = (of_cust_address_t){nz(raw->receiver_name),     nz(raw->receiver_mobile), nz(raw->receiver_telno),
                               nz(raw->receiver_province), nz(raw->receiver_city),   nz(raw->receiver_district),
                               nz(raw->receiver_address),  nz(raw->receiver_zip)};
    return !(empty(raw->receiver_province) && empty(raw->receiver_city) && empty(raw->receiver_district) &&
             empty(raw->receiver_address));
}
