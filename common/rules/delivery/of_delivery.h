/* of_delivery.h -- a DeliveryRequest's rules (DLV-2..DLV-4): reference, idempotency key, validation, body. Pure. */
#ifndef OF_DELIVERY_H
#define OF_DELIVERY_H
#include <stddef.h>
#include "of_err.h"
#include "payment.pb-c.h"

/* The largest order payload a request may carry (bytes of JSON); a larger one is refused by validation. */
#define OF_DELIVERY_MAX_PAYLOAD (64 * 1024)

/* The order's reference: order_code when set, else the decimal order_id. Key of the message, of the Redis
 * keys and of delivery.order_id. Returns buf ("" when the request has neither). */
const char *of_delivery_ref(const Orderfleet__DeliveryRequest *rq, char *buf, size_t size);
/* The idempotency key sent to the merchant: the request's, else "dlv-<merchant_id>-<ref>" (stable across
 * retries and re-drives). */
const char *of_delivery_idem_key(const Orderfleet__DeliveryRequest *rq, const char *ref, char *buf, size_t size);
/* Validate a decoded request (event id, merchant, order, amount, payload JSON, key lengths). Pure. */
of_err_t of_delivery_validate(const Orderfleet__DeliveryRequest *rq, char *errstr, size_t errstr_size) OF_MUST_CHECK;
/* The JSON body POSTed to the merchant (stable for a request: every try sends the same bytes). Caller frees
 * with free(); NULL when out of memory. */
char *of_delivery_body(const Orderfleet__DeliveryRequest *rq, const char *ref, const char *merchant_no,
                       const char *idem_key, size_t *lenp);

#endif
