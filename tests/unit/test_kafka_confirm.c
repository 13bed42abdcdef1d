/* test_kafka_confirm.c -- D-KAF-10: a delivery report without an error but without an offset (librdkafka's reading
 * of the broker's DUPLICATE_SEQUENCE_NUMBER, "written before") is not taken as stored: the producer sends the message
 * again, at most 3 copies, and only then reports the batch failed; so is a success at an offset the partition had
 * confirmed before (the rest of a DUPLICATE_SEQUENCE_NUMBER batch). Runs against librdkafka's mock cluster in this
 * process (no server): the mock answers a Produce request with the pushed error and stores nothing, as the real
 * broker did on 2026-12-01 (1 publish in ~16 of 20,000 trades lost 2-5 messages acknowledged that way). */
#include <criterion/criterion.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdlib.h>
#include <string.h>
#include "of_config.h"
#include "of_kafka.h"
#include "of_metrics.h"
#include "fixture_kafka.h"

#define API_KEY_PRODUCE 0 /* Kafka protocol API key of Produce (librdkafka does not export its constants) */
#define TOPIC "confirm.t"

TestSuite(confirm, .init = fx_kafka_env, .timeout = 60);

Test(confirm, d_kaf_10_an_acknowledgement_without_offset_is_unconfirmed) {
    cr_expect(of_kafka_dr_unconfirmed(0, -1001, -1, 0, 1), "success without an offset (implicit ack), acks=all");
    cr_expect(of_kafka_dr_unconfirmed(0, -1, 7, 0, 1), "DUPLICATE_SEQUENCE_NUMBER's first message: base offset -1");
    cr_expect_not(of_kafka_dr_unconfirmed(0, 0, -1, 0, 1), "offset 0, nothing confirmed before: stored");
    cr_expect_not(of_kafka_dr_unconfirmed(0, 41, 40, 0, 1), "the next offset: stored");
    cr_expect_not(of_kafka_dr_unconfirmed(0, 90, 40, 0, 1), "a later offset (other producers wrote between): stored");
    cr_expect_not(of_kafka_dr_unconfirmed(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, -1001, -1, 0, 1), "a failure stays one");
    cr_expect_not(of_kafka_dr_unconfirmed(0, -1001, -1, 0, 0), "acks=0 gives no offsets at all: nothing to confirm");
}

Test(confirm, d_kaf_10_an_offset_already_confirmed_is_unconfirmed) {
    /* DUPLICATE_SEQUENCE_NUMBER on a batch of N: librdkafka numbers its messages -1, 0, 1 ... N-2 from the error's
     * base offset; all but the first are at or below what the partition confirmed before */
    cr_expect(of_kafka_dr_unconfirmed(0, 0, 0, 0, 1));
    cr_expect(of_kafka_dr_unconfirmed(0, 3, 12, 0, 1));
    cr_expect(of_kafka_dr_unconfirmed(0, 12, 12, 0, 1));
}

Test(confirm, d_kaf_10_a_copy_with_an_offset_is_confirmed_wherever_the_log_restarted) {
    /* a topic deleted and created again under a running producer: its offsets start at 0 again; the first originals
     * cost a copy each, whose offsets are taken as the partition's new start */
    cr_expect(of_kafka_dr_unconfirmed(0, 0, 5000, 0, 1), "an original below the old offsets: a copy is sent");
    cr_expect_not(of_kafka_dr_unconfirmed(0, 3, 5000, 1, 1), "the copy, stored at 3: confirmed");
    cr_expect(of_kafka_dr_unconfirmed(0, -1001, 5000, 1, 1), "a copy without an offset is not");
}

typedef struct {
    rd_kafka_t *host; /* owns the mock cluster */
    rd_kafka_mock_cluster_t *mc;
    of_config_t *cfg;
    of_producer_t *p;
} mock_t;

/* Send one message and wait for its report. */
static of_err_t send_one(mock_t *m, const char *val, of_dr_batch_t *b) {
    cr_assert_eq(of_producer_send(m->p, TOPIC, "k", 1, val, strlen(val), NULL, b), OF_OK);
    return of_producer_wait(m->p, b);
}

/* The mock cluster with the topic, a fleet producer on it, and "first" stored through it: the first Produce request
 * has to succeed once so that the producer has its id and the partition's leader before the errors are pushed (the
 * tests aim at the Produce answer alone). */
static void mock_up(mock_t *m) {
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
    m->host = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    cr_assert_not_null(m->host, "%s", err);
    m->mc = rd_kafka_mock_cluster_new(m->host, 1);
    cr_assert_not_null(m->mc);
    cr_assert_eq(rd_kafka_mock_topic_create(m->mc, TOPIC, 1, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    setenv("OF_KAFKA_BOOTSTRAP", rd_kafka_mock_cluster_bootstraps(m->mc), 1);
    m->cfg = fx_kafka_load();
    m->p = of_producer_new(m->cfg, "confirm-test", err, sizeof err);
    cr_assert_not_null(m->p, "%s", err);
    of_dr_batch_t b0 = {0};
    cr_assert_eq(send_one(m, "first", &b0), OF_OK, "%s", b0.error);
}

static void mock_down(mock_t *m) {
    of_producer_destroy(m->p);
    of_config_destroy(m->cfg);
    rd_kafka_mock_cluster_destroy(m->mc);
    rd_kafka_destroy(m->host);
}

/* The messages the mock holds on the topic's partition 0, in order: their values, joined by ','. */
static void held(mock_t *m, char *out, size_t size, int *resends) {
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    cr_assert_eq(rd_kafka_conf_set(conf, "bootstrap.servers", rd_kafka_mock_cluster_bootstraps(m->mc), err, sizeof err),
                 RD_KAFKA_CONF_OK);
    rd_kafka_conf_set(conf, "group.id", "confirm-reader", err, sizeof err);
    rd_kafka_conf_set(conf, "enable.partition.eof", "true", err, sizeof err);
    rd_kafka_t *c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    cr_assert_not_null(c, "%s", err);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, TOPIC, 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
    cr_assert_eq(rd_kafka_assign(c, l), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_destroy(l);
    out[0] = '\0';
    *resends = 0;
    int eof = 0;
    for (int polls = 0; polls < 300 && !eof; polls++) {
        rd_kafka_message_t *msg = rd_kafka_consumer_poll(c, 100);
        if (!msg) continue;
        eof = msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF;
        if (!msg->err) {
            size_t n = strlen(out);
            snprintf(out + n, size - n, "%s%.*s", n ? "," : "", (int)msg->len, (const char *)msg->payload);
            rd_kafka_headers_t *h = NULL;
            const void *v;
            size_t vlen;
            if (!rd_kafka_message_headers(msg, &h) && !rd_kafka_header_get_last(h, "of-resend", &v, &vlen))
                (*resends)++;
        }
        rd_kafka_message_destroy(msg);
    }
    rd_kafka_consumer_close(c);
    rd_kafka_destroy(c);
    cr_assert(eof, "the reader reached the end of the partition within 30 s (read so far: %s)", out);
}

Test(confirm, d_kaf_10_a_duplicate_sequence_answer_is_sent_again_and_stored) {
    mock_t m;
    mock_up(&m);
    uint64_t before = of_metric_get(OF_M_UNCONFIRMED);
    rd_kafka_mock_push_request_errors(m.mc, API_KEY_PRODUCE, 1, RD_KAFKA_RESP_ERR_DUPLICATE_SEQUENCE_NUMBER);
    of_dr_batch_t b = {0};
    cr_assert_eq(send_one(&m, "second", &b), OF_OK, "%s", b.error);
    cr_expect_eq(b.delivered, 1);
    cr_expect_eq(b.failed, 0);
    cr_expect_eq(b.pending, 0);
    cr_expect_eq(of_metric_get(OF_M_UNCONFIRMED) - before, 1, "the unconfirmed report is counted");
    char v[256];
    int resends;
    held(&m, v, sizeof v, &resends);
    cr_expect_str_eq(v, "first,second", "the message acknowledged without an offset is on the topic");
    cr_expect_eq(resends, 1, "the stored copy carries the of-resend header");
    mock_down(&m);
}

Test(confirm, d_kaf_10_every_message_of_a_duplicate_sequence_batch_is_sent_again) {
    mock_t m;
    mock_up(&m);
    rd_kafka_mock_push_request_errors(m.mc, API_KEY_PRODUCE, 1, RD_KAFKA_RESP_ERR_DUPLICATE_SEQUENCE_NUMBER);
    /* two messages queued before any poll: one Produce request (linger.ms) */
    of_dr_batch_t b = {0};
    cr_assert_eq(of_producer_send(m.p, TOPIC, "k", 1, "a", 1, NULL, &b), OF_OK);
    cr_assert_eq(of_producer_send(m.p, TOPIC, "k", 1, "b", 1, NULL, &b), OF_OK);
    cr_assert_eq(of_producer_wait(m.p, &b), OF_OK, "%s", b.error);
    cr_expect_eq(b.delivered, 2);
    char v[256];
    int resends;
    held(&m, v, sizeof v, &resends);
    cr_expect_str_eq(v, "first,a,b", "both messages of the batch the broker called a duplicate are on the topic");
    cr_expect_eq(resends, 2);
    mock_down(&m);
}

Test(confirm, d_kaf_10_resends_are_bounded_then_the_batch_fails) {
    mock_t m;
    mock_up(&m);
    rd_kafka_mock_push_request_errors(m.mc, API_KEY_PRODUCE, 4, RD_KAFKA_RESP_ERR_DUPLICATE_SEQUENCE_NUMBER,
                                      RD_KAFKA_RESP_ERR_DUPLICATE_SEQUENCE_NUMBER,
                                      RD_KAFKA_RESP_ERR_DUPLICATE_SEQUENCE_NUMBER,
                                      RD_KAFKA_RESP_ERR_DUPLICATE_SEQUENCE_NUMBER);
    of_dr_batch_t b = {0};
    cr_assert_eq(send_one(&m, "lost", &b), OF_ERR_TRANSIENT, "four unconfirmed answers: the batch fails");
    cr_expect_eq(b.failed, 1);
    cr_expect_eq(b.delivered, 0);
    cr_expect_eq(b.pending, 0);
    cr_expect(strstr(b.error, "did not confirm") != NULL && strstr(b.error, "3 copies") != NULL, "%s", b.error);
    char v[256];
    int resends;
    held(&m, v, sizeof v, &resends);
    cr_expect_str_eq(v, "first", "nothing stored, and the caller knows it");
    mock_down(&m);
}
