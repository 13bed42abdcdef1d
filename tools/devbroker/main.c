/* of-devbroker -- librdkafka's mock cluster (real Kafka protocol over TCP, in memory), kept for one job: fault
 * injection a real broker cannot give on demand (tests/integration/it_kafka_faults.sh). The local stack runs
 * Apache Kafka (scripts/stack.sh). */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include "of_log.h"
#include "of_topics.h"

static volatile sig_atomic_t stop_flag;
static void on_signal(int sig) {
    (void)sig;
    stop_flag = 1;
}

/* A topic creation is a blocking op served by the mock cluster's thread. In librdkafka 2.0.2 that
 * thread serves ops, then drains its wake-up pipe: an op queued in between (our next create, sent as
 * soon as the previous one is answered) is only noticed at the thread's 1 s poll timeout. Pausing
 * 2 ms between creates lets the thread get back into poll first: ~100 topics in a fraction of a second. */
static void settle(void) {
    struct timespec ts = {0, 2 * 1000 * 1000};
    nanosleep(&ts, NULL);
}

/* Kafka protocol API key of Produce requests (the mock's error queues are per API key; librdkafka does not export
 * its protocol constants). */
#define API_KEY_PRODUCE 0

static void usage(FILE *f) {
    fprintf(f, "usage: of-devbroker [--brokers N] [--bootstrap-file PATH] [--topic-prefix P] [--partitions-scale K]\n"
               "                    [--namespaces M] [--produce-errors N]\n"
               "\n"
               "Runs a Kafka cluster of N brokers (default 3) on loopback, built on librdkafka's mock cluster: real\n"
               "Kafka protocol, consumer groups, idempotent producers; data in memory only. It is kept for fault\n"
               "injection in tests; the local stack runs Apache Kafka (scripts/stack.sh).\n"
               "Creates every topic of the project's topic table (see `ordctl topics`), writes the bootstrap\n"
               "address to PATH once ready (atomically), and runs until SIGTERM/SIGINT.\n"
               "--topic-prefix P is prepended to every topic name (as OF_TOPIC_PREFIX does for the workers);\n"
               "--partitions-scale K multiplies every partition count (for benchmarks that push more data).\n"
               "--namespaces M also creates the whole table under prefixes ns1. .. nsM. (OF_TOPIC_PREFIX), so that\n"
               "tests can run in isolated topic sets on one broker.\n"
               "--produce-errors N answers the first N Produce requests with NOT_ENOUGH_REPLICAS (retriable), as a\n"
               "cluster that lost an in-sync replica would.\n"
               "Limits: each partition keeps only its last ~5 MiB; a restart loses all messages.\n");
}

int main(int argc, char **argv) {
    int brokers = 3, scale = 1, namespaces = 0, produce_errors = 0;
    const char *bootstrap_file = NULL, *prefix = "";
    static const struct option opts[] = {{"brokers", required_argument, 0, 'b'},
                                         {"bootstrap-file", required_argument, 0, 'f'},
                                         {"topic-prefix", required_argument, 0, 'p'},
                                         {"partitions-scale", required_argument, 0, 's'},
                                         {"namespaces", required_argument, 0, 'n'},
                                         {"produce-errors", required_argument, 0, 'e'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "b:f:p:s:n:e:h", opts, NULL)) != -1) {
        switch (c) {
        case 'b':
            brokers = atoi(optarg);
            break;
        case 'f':
            bootstrap_file = optarg;
            break;
        case 'p':
            prefix = optarg;
            break;
        case 's':
            scale = atoi(optarg);
            break;
        case 'n':
            namespaces = atoi(optarg);
            break;
        case 'e':
            produce_errors = atoi(optarg);
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (brokers < 1 || brokers > 16 || scale < 1 || scale > 64 || namespaces < 0 || namespaces > 32 ||
        produce_errors < 0 || produce_errors > 1000) {
        fprintf(stderr, "of-devbroker: --brokers must be 1..16, --partitions-scale 1..64, --namespaces 0..32, "
                        "--produce-errors 0..1000\n");
        return 2;
    }
    of_log_init("devbroker", OF_LOG_INFO);
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "4", errstr, sizeof errstr);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!rk) {
        of_error("cannot create handle", OF_S("error", errstr), OF_END);
        return 1;
    }
    rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers);
    if (!mc) {
        of_error("cannot create mock cluster", OF_END);
        rd_kafka_destroy(rk);
        return 1;
    }
    const of_topic_def_t *t = of_topics();
    int failed = 0;
    for (int ns = 0; ns <= namespaces && !failed; ns++) {
        char pfx[128];
        if (ns == 0)
            snprintf(pfx, sizeof pfx, "%s", prefix);
        else
            snprintf(pfx, sizeof pfx, "%sns%d.", prefix, ns);
        for (int i = 0; i < OF_TOPIC__COUNT; i++) {
            char name[256];
            of_topic_name((of_topic_t)i, pfx, name, sizeof name);
            int parts = ns ? 2 : t[i].partitions * scale; /* test namespaces: 2 partitions each */
            int repl = brokers < 3 ? brokers : 3;
            settle();
            rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mc, name, parts, repl);
            if (err) {
                of_error("topic create failed", OF_S("topic", name), OF_S("error", rd_kafka_err2str(err)), OF_END);
                failed = 1;
                break;
            }
            if (!ns)
                of_info("topic created", OF_S("topic", name), OF_I("partitions", parts), OF_I("replication", repl),
                        OF_END);
        }
    }
    if (failed) {
        rd_kafka_mock_cluster_destroy(mc);
        rd_kafka_destroy(rk);
        return 1;
    }
    if (namespaces) of_info("test namespaces created", OF_I("namespaces", namespaces), OF_END);
    if (produce_errors) {
        rd_kafka_resp_err_t *errs = calloc((size_t)produce_errors, sizeof *errs);
        if (!errs) {
            rd_kafka_mock_cluster_destroy(mc);
            rd_kafka_destroy(rk);
            return 1;
        }
        for (int i = 0; i < produce_errors; i++)
            errs[i] = RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS;
        rd_kafka_mock_push_request_errors_array(mc, API_KEY_PRODUCE, (size_t)produce_errors, errs);
        free(errs);
        of_info("fault injection armed", OF_I("produce_errors", produce_errors), OF_S("error", "NOT_ENOUGH_REPLICAS"),
                OF_END);
    }
    const char *bs = rd_kafka_mock_cluster_bootstraps(mc);
    if (bootstrap_file) {
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s.tmp", bootstrap_file);
        FILE *f = fopen(tmp, "w");
        if (!f || fprintf(f, "%s\n", bs) < 0 || fclose(f) != 0 || rename(tmp, bootstrap_file) != 0) {
            of_error("cannot write bootstrap file", OF_S("path", bootstrap_file), OF_END);
            rd_kafka_mock_cluster_destroy(mc);
            rd_kafka_destroy(rk);
            return 1;
        }
    }
    of_info("ready", OF_S("bootstrap", bs), OF_I("brokers", brokers), OF_END);
    printf("%s\n", bs);
    fflush(stdout);

    while (!stop_flag)
        rd_kafka_poll(rk, 200);

    of_info("stopping", OF_END);
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(rk);
    if (bootstrap_file) unlink(bootstrap_file);
    return 0;
}
