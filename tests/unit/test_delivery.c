/* test_delivery.c -- delivery's pure parts: response classification (DLV-5/DLV-6), the order ref and
 * idempotency key (DLV-2), validation, the JSON body, the dead-letter text-log line. */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "of_delivery.h"
#include "of_dlqrec.h"
#include "of_http.h"

Test(classify, DLV_2xx_is_delivered) {
    cr_expect_eq(of_http_classify(CURLE_OK, 200), OF_HTTP_OK);
    cr_expect_eq(of_http_classify(CURLE_OK, 201), OF_HTTP_OK);
    cr_expect_eq(of_http_classify(CURLE_OK, 204), OF_HTTP_OK);
}

Test(classify, DLV_5_timeouts_connection_errors_and_5xx_are_retried) {
    cr_expect_eq(of_http_classify(CURLE_OPERATION_TIMEDOUT, 0), OF_HTTP_RETRY);
    cr_expect_eq(of_http_classify(CURLE_COULDNT_CONNECT, 0), OF_HTTP_RETRY);
    cr_expect_eq(of_http_classify(CURLE_COULDNT_RESOLVE_HOST, 0), OF_HTTP_RETRY);
    cr_expect_eq(of_http_classify(CURLE_GOT_NOTHING, 0), OF_HTTP_RETRY);
    cr_expect_eq(of_http_classify(CURLE_RECV_ERROR, 0), OF_HTTP_RETRY);
    cr_expect_eq(of_http_classify(CURLE_OK, 500), OF_HTTP_RETRY);
    cr_expect_eq(of_http_classify(CURLE_OK, 502), OF_HTTP_RETRY);
    cr_expect_eq(of_http_classify(CURLE_OK, 503), OF_HTTP_RETRY);
    cr_expect_eq(of_http_classify(CURLE_OK, 429), OF_HTTP_RETRY, "too many requests: later");
    cr_expect_eq(of_http_classify(CURLE_OK, 408), OF_HTTP_RETRY, "request timeout: later");
}

Test(classify, DLV_4xx_saying_the_request_is_wrong_is_a_dead_letter_at_once) {
    cr_expect_eq(of_http_classify(CURLE_OK, 400), OF_HTTP_PERMANENT);
    cr_expect_eq(of_http_classify(CURLE_OK, 401), OF_HTTP_PERMANENT, "signature refused");
    cr_expect_eq(of_http_classify(CURLE_OK, 404), OF_HTTP_PERMANENT);
    cr_expect_eq(of_http_classify(CURLE_OK, 422), OF_HTTP_PERMANENT);
    cr_expect_eq(of_http_classify(CURLE_OK, 302), OF_HTTP_PERMANENT, "redirects are not followed");
    cr_expect_eq(of_http_classify(CURLE_URL_MALFORMAT, 0), OF_HTTP_PERMANENT, "a bad endpoint_url");
    cr_expect_eq(of_http_classify(CURLE_UNSUPPORTED_PROTOCOL, 0), OF_HTTP_PERMANENT);
}

Test(classify, describe) {
    char b[256];
    cr_expect_str_eq(of_http_describe(CURLE_OK, 500, "", 3000, "", b, sizeof b), "HTTP 500");
    cr_expect_str_eq(of_http_describe(CURLE_OK, 400, "", 3000, "{\"error\":\"x\"}", b, sizeof b),
                     "HTTP 400: {\"error\":\"x\"}");
    cr_expect(strstr(of_http_describe(CURLE_OPERATION_TIMEDOUT, 0, "Operation timed out", 3000, "", b, sizeof b),
                     "timeout after 3000 ms") != NULL);
    cr_expect(strstr(of_http_describe(CURLE_COULDNT_CONNECT, 0, "refused", 3000, "", b, sizeof b), "connect failed") !=
              NULL);
}

static Orderfleet__DeliveryRequest req(Orderfleet__EventMeta *meta) {
    Orderfleet__DeliveryRequest rq = ORDERFLEET__DELIVERY_REQUEST__INIT;
    static Orderfleet__EventMeta m0 = ORDERFLEET__EVENT_META__INIT;
    *meta = m0;
    meta->event_id = "dr-1-1001";
    rq.meta = meta;
    rq.order_id = 1001;
    rq.merchant_id = 1;
    rq.cash = 125000;
    rq.payload = "{\"sku\":\"SKU-TEA-001\",\"qty\":2}";
    return rq;
}

Test(delivery, DLV_2_order_ref_and_stable_idempotency_key) {
    Orderfleet__EventMeta meta;
    Orderfleet__DeliveryRequest rq = req(&meta);
    char ref[72], idem[130];
    cr_expect_str_eq(of_delivery_ref(&rq, ref, sizeof ref), "1001", "no order_code: the order id");
    cr_expect_str_eq(of_delivery_idem_key(&rq, ref, idem, sizeof idem), "dlv-1-1001", "derived, the same every try");
    rq.order_code = "FS-20261121-00042";
    cr_expect_str_eq(of_delivery_ref(&rq, ref, sizeof ref), "FS-20261121-00042", "order_code wins");
    rq.idempotency_key = "pay-77";
    cr_expect_str_eq(of_delivery_idem_key(&rq, ref, idem, sizeof idem), "pay-77", "the request's own key wins");
}

static void bad(Orderfleet__DeliveryRequest *rq, const char *needle) {
    char err[256] = "";
    cr_expect_eq(of_delivery_validate(rq, err, sizeof err), OF_ERR_INVALID, "accepted; wanted '%s'", needle);
    cr_expect(strstr(err, needle) != NULL, "'%s' says '%s'", err, needle);
}

Test(delivery, validation) {
    Orderfleet__EventMeta meta;
    Orderfleet__DeliveryRequest rq = req(&meta);
    char err[256];
    cr_expect_eq(of_delivery_validate(&rq, err, sizeof err), OF_OK, "%s", err);
    rq.payload = "";
    cr_expect_eq(of_delivery_validate(&rq, err, sizeof err), OF_OK, "no payload is fine");
    rq.payload = "{not json";
    bad(&rq, "payload: not JSON");
    rq = req(&meta);
    rq.merchant_id = 0;
    bad(&rq, "merchant_id");
    rq = req(&meta);
    rq.order_id = 0;
    bad(&rq, "order_id or order_code");
    rq = req(&meta);
    rq.cash = -1;
    bad(&rq, "negative");
    rq = req(&meta);
    meta.event_id = "has space";
    bad(&rq, "meta.event_id");
    rq = req(&meta);
    rq.meta = NULL;
    bad(&rq, "meta.event_id");
    rq = req(&meta);
    rq.order_code = "a/b";
    bad(&rq, "order_code");
}

Test(delivery, body_is_json_with_exact_amounts_and_the_payload_embedded) {
    Orderfleet__EventMeta meta;
    Orderfleet__DeliveryRequest rq = req(&meta);
    rq.order_id = 18446744073709551615ULL; /* beyond a double's exact range */
    size_t len;
    char *body = of_delivery_body(&rq, "18446744073709551615", "ranch-01", "dlv-1-x", &len);
    cr_assert_not_null(body);
    cr_expect_eq(strlen(body), len);
    cr_expect(strstr(body, "\"order_id\":18446744073709551615") != NULL, "%s", body);
    cr_expect(strstr(body, "\"cash\":\"12.5000\"") != NULL, "%s", body);
    cJSON *j = cJSON_Parse(body);
    cr_assert_not_null(j, "valid JSON: %s", body);
    cJSON *p = cJSON_GetObjectItem(j, "payload");
    cr_expect(cJSON_IsObject(p), "payload embedded as JSON, not a string");
    cr_expect_eq(cJSON_GetObjectItem(p, "qty")->valueint, 2);
    cr_expect_str_eq(cJSON_GetObjectItem(j, "idempotency_key")->valuestring, "dlv-1-x");
    cJSON_Delete(j);
    size_t len2;
    char *again = of_delivery_body(&rq, "18446744073709551615", "ranch-01", "dlv-1-x", &len2);
    cr_expect(len == len2 && !memcmp(body, again, len), "every try sends the same bytes");
    free(body);
    free(again);
}

Test(dlqrec, DLV_6_text_log_line_is_one_escaped_line) {
    char line[1024];
    of_dlqrec_line(7, "delivery.request", 1, 42, "1003", "order:1003", "exhausted", 5, "orderfleet.delivery",
                   1795266997402LL, "HTTP 500: {\"error\":\"down\"}\nsecond line", line, sizeof line);
    cr_expect(strchr(line, '\n') == NULL, "one line: %s", line);
    cr_expect(strstr(line, "dead_letter id=7 origin=delivery.request:1:42 order=1003 about=order:1003 class=exhausted "
                           "attempts=5") != NULL,
              "%s", line);
    cr_expect(strstr(line, "error=\"HTTP 500: {\\\"error\\\":\\\"down\\\"} second line\"") != NULL, "%s", line);
    cr_expect_eq(strncmp(line, "2026-11-21T", 11), 0, "starts with the ISO time: %s", line);
    of_dlqrec_line(8, "trade.changed", 0, 1, "", NULL, "decode", 1, "g", 1795266997402LL, "x", line, sizeof line);
    cr_expect(strstr(line, " order=- about=- class=decode") != NULL, "nothing read: dashes: %s", line);
}
