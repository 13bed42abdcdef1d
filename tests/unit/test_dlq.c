/* test_dlq.c -- of_dlq_pack, the one DeadLetter builder (issue 10, item 8): what it packs, decoded again; a first
 * try's dead letter (worker loop, retry ladder) and one after the retry ladder with every earlier error (delivery). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "of_dlq.h"
#include "of_ladder.h"

static rd_kafka_t *rk;
static rd_kafka_topic_t *rkt;

/* A handle without brokers (never connects): only for topic names on messages. */
static void setup(void) {
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "0", err, sizeof err);
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    cr_assert(rk, "rd_kafka_new: %s", err);
    rkt = rd_kafka_topic_new(rk, "ns1.delivery.request", NULL);
    cr_assert(rkt);
}

static void teardown(void) {
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
}

static rd_kafka_message_t msg(const void *val, size_t len, const char *key) {
    rd_kafka_message_t m;
    memset(&m, 0, sizeof m);
    m.rkt = rkt;
    m.partition = 3;
    m.offset = 42;
    m.payload = (void *)val;
    m.len = len;
    m.key = (void *)key;
    m.key_len = key ? strlen(key) : 0;
    return m;
}

static Orderfleet__DeadLetter *unpack(const uint8_t *buf, size_t len) {
    Orderfleet__DeadLetter *dl = orderfleet__dead_letter__unpack(NULL, len, buf);
    cr_assert(dl, "what of_dlq_pack packed does not decode as a DeadLetter");
    return dl;
}

TestSuite(dlq, .init = setup, .fini = teardown);

Test(dlq, first_try_dead_letter_carries_the_message_and_one_error) {
    static const uint8_t val[] = {0x0a, 0x00, 0xff, 0x10, 'x'}; /* bytes, a NUL among them */
    rd_kafka_message_t m = msg(val, sizeof val, "1:5001");
    size_t len = 0;
    int64_t before = of_now_ms();
    uint8_t *buf =
        of_dlq_pack(&m, "payload: not JSON text", "validation", "orderfleet.delivery", "dlv-1", 1, NULL, 0, &len);
    cr_assert(buf && len > 0);
    Orderfleet__DeadLetter *dl = unpack(buf, len);
    cr_expect_str_eq(dl->meta->event_id, "dl-ns1.delivery.request-3-42");
    cr_expect_str_eq(dl->meta->producer, "dlv-1");
    cr_expect_eq(dl->meta->schema_version, 1);
    cr_expect_eq(dl->original.len, sizeof val);
    cr_expect_arr_eq(dl->original.data, val, sizeof val, "original kept byte for byte");
    cr_expect_eq(dl->original_key.len, 6);
    cr_expect_arr_eq(dl->original_key.data, "1:5001", 6);
    cr_expect_str_eq(dl->topic, "ns1.delivery.request");
    cr_expect_eq(dl->partition, 3);
    cr_expect_eq(dl->offset, 42);
    cr_expect_str_eq(dl->error, "payload: not JSON text");
    cr_expect_str_eq(dl->error_class, "validation");
    cr_expect_str_eq(dl->consumer_group, "orderfleet.delivery");
    cr_expect_eq(dl->attempts, 1);
    cr_assert_eq(dl->n_errors, 1);
    cr_expect_eq(dl->errors[0]->attempt, 1);
    cr_expect_str_eq(dl->errors[0]->error, "payload: not JSON text");
    cr_expect_str_eq(dl->errors[0]->worker, "dlv-1");
    cr_expect_geq(dl->dead_at_ms, before);
    cr_expect_eq(dl->first_failed_at_ms, dl->dead_at_ms, "one try: it failed first when it died");
    cr_expect_eq(dl->errors[0]->at_ms, dl->dead_at_ms);
    orderfleet__dead_letter__free_unpacked(dl, NULL);
    free(buf);
}

Test(dlq, attempts_from_a_header_without_earlier_errors) {
    rd_kafka_message_t m = msg("{}", 2, NULL);
    size_t len = 0;
    uint8_t *buf = of_dlq_pack(&m, "unknown shop", "unknown_ref", "g", "w", 3, NULL, 0, &len);
    Orderfleet__DeadLetter *dl = unpack(buf, len);
    cr_expect_eq(dl->attempts, 3);
    cr_assert_eq(dl->n_errors, 1);
    cr_expect_eq(dl->errors[0]->attempt, 3);
    cr_expect_eq(dl->original_key.len, 0, "no key: none in the dead letter");
    orderfleet__dead_letter__free_unpacked(dl, NULL);
    free(buf);
}

/* D-DLQ-3: what the message is about, as the worker read it, travels with the dead letter; nothing read: empty */
Test(dlq, D_DLQ_3_event_id_and_subject_travel_with_the_dead_letter) {
    rd_kafka_message_t m = msg("x", 1, "2:buyer");
    size_t len = 0;
    uint8_t *buf = of_dlq_pack_about(&m, "trade not submitted", "exhausted", "g", "w", 6, NULL, 0, "tc-rt-9", "tid",
                                     "T1001", &len);
    Orderfleet__DeadLetter *dl = unpack(buf, len);
    cr_expect_str_eq(dl->event_id, "tc-rt-9");
    cr_expect_str_eq(dl->subject, "tid:T1001");
    cr_expect_str_eq(dl->error, "trade not submitted");
    orderfleet__dead_letter__free_unpacked(dl, NULL);
    free(buf);
    buf = of_dlq_pack(&m, "not a TradeChange", "decode", "g", "w", 1, NULL, 0, &len);
    dl = unpack(buf, len);
    cr_expect_str_eq(dl->event_id, "", "nothing read: no event id");
    cr_expect_str_eq(dl->subject, "", "nothing read: no subject");
    orderfleet__dead_letter__free_unpacked(dl, NULL);
    free(buf);
}

Test(dlq, earlier_errors_come_first_in_order_and_date_the_first_failure) {
    rd_kafka_message_t m = msg("body", 4, "k");
    Orderfleet__AttemptError e[4];
    Orderfleet__AttemptError *earlier[4];
    const char *texts[] = {"HTTP 500", "timeout after 2000 ms", "connection refused", "HTTP 503"};
    for (int i = 0; i < 4; i++) {
        orderfleet__attempt_error__init(&e[i]);
        e[i].attempt = i + 1;
        e[i].at_ms = 1000 * (i + 1);
        e[i].error = (char *)texts[i];
        e[i].worker = (char *)"dlv-a";
        earlier[i] = &e[i];
    }
    size_t len = 0;
    uint8_t *buf = of_dlq_pack(&m, "HTTP 502", "exhausted", "orderfleet.delivery", "dlv-b", 5, earlier, 4, &len);
    Orderfleet__DeadLetter *dl = unpack(buf, len);
    cr_expect_eq(dl->attempts, 5);
    cr_assert_eq(dl->n_errors, 5, "every try's error: 4 earlier + this one");
    for (int i = 0; i < 4; i++) {
        cr_expect_eq(dl->errors[i]->attempt, i + 1);
        cr_expect_eq(dl->errors[i]->at_ms, 1000 * (i + 1));
        cr_expect_str_eq(dl->errors[i]->error, texts[i]);
        cr_expect_str_eq(dl->errors[i]->worker, "dlv-a");
    }
    cr_expect_eq(dl->errors[4]->attempt, 5);
    cr_expect_str_eq(dl->errors[4]->error, "HTTP 502");
    cr_expect_str_eq(dl->errors[4]->worker, "dlv-b");
    cr_expect_str_eq(dl->error, "HTTP 502", "the error is the last try's");
    cr_expect_str_eq(dl->error_class, "exhausted");
    cr_expect_eq(dl->first_failed_at_ms, 1000, "first failure = the first try's time");
    cr_expect_gt(dl->dead_at_ms, 1000);
    orderfleet__dead_letter__free_unpacked(dl, NULL);
    free(buf);
}

Test(dlq, earlier_error_without_a_time_dates_the_first_failure_now) {
    rd_kafka_message_t m = msg("b", 1, "k");
    Orderfleet__AttemptError e = ORDERFLEET__ATTEMPT_ERROR__INIT, *earlier[] = {&e};
    e.attempt = 1;
    e.error = (char *)"x";
    size_t len = 0;
    uint8_t *buf = of_dlq_pack(&m, "y", "exhausted", "g", "w", 2, earlier, 1, &len);
    Orderfleet__DeadLetter *dl = unpack(buf, len);
    cr_expect_eq(dl->n_errors, 2);
    cr_expect_eq(dl->first_failed_at_ms, dl->dead_at_ms);
    orderfleet__dead_letter__free_unpacked(dl, NULL);
    free(buf);
}

Test(dlq, a_null_list_counts_as_no_earlier_errors) {
    rd_kafka_message_t m = msg("b", 1, "k");
    size_t len = 0;
    uint8_t *buf = of_dlq_pack(&m, "y", "permanent", "g", "w", 1, NULL, 7, &len);
    Orderfleet__DeadLetter *dl = unpack(buf, len);
    cr_expect_eq(dl->n_errors, 1);
    orderfleet__dead_letter__free_unpacked(dl, NULL);
    free(buf);
}

Test(dlq, D_DLQ_1_original_over_900_KiB_is_cut_and_every_error_says_so) {
    size_t big = OF_DLQ_MAX_ORIGINAL + 50000;
    uint8_t *val = malloc(big);
    cr_assert(val);
    for (size_t i = 0; i < big; i++)
        val[i] = (uint8_t)(i * 7);
    rd_kafka_message_t m = msg(val, big, "k");
    Orderfleet__AttemptError e = ORDERFLEET__ATTEMPT_ERROR__INIT, *earlier[] = {&e};
    e.attempt = 1;
    e.at_ms = 5;
    e.error = (char *)"HTTP 500";
    size_t len = 0;
    uint8_t *buf = of_dlq_pack(&m, "HTTP 413", "permanent", "g", "w", 2, earlier, 1, &len);
    Orderfleet__DeadLetter *dl = unpack(buf, len);
    cr_expect_eq(dl->original.len, OF_DLQ_MAX_ORIGINAL);
    cr_expect_arr_eq(dl->original.data, val, OF_DLQ_MAX_ORIGINAL, "the kept part is the original's start");
    cr_expect(strstr(dl->error, "HTTP 413 [original truncated: 921600 of 971600 bytes kept]"), "%s", dl->error);
    cr_expect_str_eq(dl->errors[1]->error, dl->error, "this try's error carries the note too");
    cr_expect_str_eq(dl->errors[0]->error, "HTTP 500", "earlier errors unchanged");
    cr_expect_lt(len, 1000 * 1000, "fits the broker's default message.max.bytes");
    orderfleet__dead_letter__free_unpacked(dl, NULL);
    free(buf);
    free(val);
}

/* The delivery worker's path: a message that climbed the ladder (two RetryEnvelopes) and failed its last try. */
Test(dlq, after_the_ladder_the_envelopes_errors_are_the_dead_letters_earlier_errors) {
    of_ladder_t l;
    char err[128];
    cr_assert_eq(of_ladder_parse("1,2", &l, err, sizeof err), OF_OK);
    rd_kafka_message_t m = msg("order", 5, "1:77");
    of_retry_ctx_t ctx = {.attempt = 1, .env = NULL};
    size_t len = 0;
    uint8_t *env1 = of_ladder_pack(&l, &m, &ctx, "HTTP 500", "dlv-a", 0, &len);
    Orderfleet__RetryEnvelope *e1 = orderfleet__retry_envelope__unpack(NULL, len, env1);
    cr_assert(e1 && e1->n_errors == 1);
    ctx = (of_retry_ctx_t){.attempt = 2, .env = e1};
    uint8_t *env2 = of_ladder_pack(&l, &m, &ctx, "timeout", "dlv-a", 1, &len);
    Orderfleet__RetryEnvelope *e2 = orderfleet__retry_envelope__unpack(NULL, len, env2);
    cr_assert(e2 && e2->n_errors == 2);
    ctx = (of_retry_ctx_t){.attempt = 3, .env = e2};
    cr_expect_eq(of_ladder_next_rung(&l, ctx.attempt), -1, "two rungs: the third try is the last");
    uint8_t *buf = of_dlq_pack(&m, "HTTP 502", "exhausted", "orderfleet.delivery", "dlv-b", ctx.attempt,
                               ctx.env->errors, ctx.env->n_errors, &len);
    Orderfleet__DeadLetter *dl = unpack(buf, len);
    cr_expect_eq(dl->attempts, 3);
    cr_assert_eq(dl->n_errors, 3);
    cr_expect_str_eq(dl->errors[0]->error, "HTTP 500");
    cr_expect_str_eq(dl->errors[1]->error, "timeout");
    cr_expect_str_eq(dl->errors[2]->error, "HTTP 502");
    cr_expect_eq(dl->first_failed_at_ms, e2->errors[0]->at_ms);
    cr_expect_str_eq(dl->meta->event_id, "dl-ns1.delivery.request-3-42");
    orderfleet__dead_letter__free_unpacked(dl, NULL);
    orderfleet__retry_envelope__free_unpacked(e1, NULL);
    orderfleet__retry_envelope__free_unpacked(e2, NULL);
    free(env1);
    free(env2);
    free(buf);
}
