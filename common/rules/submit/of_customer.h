/* of_customer.h -- SUB-CUST-01…-06: who the buyer is. Pure; the worker does the lookups and inserts. */
#ifndef OF_CUSTOMER_H
#define OF_CUSTOMER_H
#include <stddef.h>
#include "of_sub.h"

/* SUB-CUST-01: the buyer nick, else 'MOB'+mobile, else 'TEL'+telno, else the literal '未知卖家' (OP-17). */
void of_cust_nick(const Orderfleet__RawTrade *raw, char *buf, size_t size);

/* SUB-CUST-01…-04 over in->cust: fills s->nick, s->cust_action, s->customer_id, s->customer_type and a trace
 * entry. Found by platform account → OF_CUST_EXISTING; else an offline customer (platform 0, same nick) whose
 * phone or address matches (OP-18) → OF_CUST_LINK_OFFLINE with its id; else OF_CUST_CREATE (id 0). */
void of_cust_decide(const of_subin_t *in, of_sub_t *s);

/* SUB-CUST-06: the phone-book rows to INSERT IGNORE: mobile (type 1) and telephone (type 2), only non-empty
 * ones. Fills numbers[i] / types[i]; returns how many (0..2). */
int of_cust_phones(const Orderfleet__RawTrade *raw, const char *numbers[2], int types[2]);

/* OP-18 phone test, for the worker computing of_cust_lookup_t.offline_phone_match: 1 when number (one row of
 * the offline customer's crm_customer_telno) is non-empty and equals the raw mobile or telno. */
int of_cust_phone_match(const Orderfleet__RawTrade *raw, const char *number);

/* OP-18 address test (offline_address_match): 1 when (province, city, district, address) of one
 * crm_customer_address row all equal the raw receiver's, and the raw address is not empty. */
int of_cust_address_match(const Orderfleet__RawTrade *raw, const char *province, const char *city, const char *district,
                          const char *address);

/* SUB-CUST-05: the address-book row to INSERT IGNORE (borrowed pointers into raw). Returns 1 when there is
 * one, 0 when every address part (province, city, district, address) is empty. */
typedef struct {
    const char *name, *mobile, *telno, *province, *city, *district, *address, *zip;
} of_cust_address_t;
int of_cust_address(const Orderfleet__RawTrade *raw, of_cust_address_t *out);

#endif
