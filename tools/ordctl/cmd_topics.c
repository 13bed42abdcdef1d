/* ordctl topics create | check -- the topic table made real on a Kafka cluster (Admin API, one request). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "of_kafka.h"
#include "of_topics.h"
#include "ordctl.h"

#define MAX_TOPICS (OF_TOPIC__COUNT * 33)

typedef struct {
    char name[256];
    int partitions;
} want_t;

/* The topics of the table under the configured prefix, then (namespaces > 0) the whole table again under
 * <prefix>ns1. .. <prefix>nsM. with ns_parts partitions each (isolated topic sets for tests). */
static int wanted(want_t *w, int namespaces, int ns_parts, int scale) {
    const char *prefix = of_cfg_str(cfg, OF_CFG_TOPIC_PREFIX);
    const of_topic_def_t *t = of_topics();
    int n = 0;
    for (int ns = 0; ns <= namespaces; ns++) {
        char pfx[160];
        if (ns == 0)
            snprintf(pfx, sizeof pfx, "%s", prefix);
        else
            snprintf(pfx, sizeof pfx, "%sns%d.", prefix, ns);
        for (int i = 0; i < OF_TOPIC__COUNT; i++, n++) {
            of_topic_name((of_topic_t)i, pfx, w[n].name, sizeof w[n].name);
            w[n].partitions = ns ? ns_parts : t[i].partitions * scale;
        }
    }
    return n;
}

/* Partition count of every topic in the cluster's metadata, matched against w: 0 = all present with at
 * least their partitions; otherwise prints each difference and returns the count. */
static int check(rd_kafka_t *rk, const want_t *w, int n, int quiet, int report) {
    const struct rd_kafka_metadata *md;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, NULL, &md, 15000);
    if (err) {
        fprintf(stderr, "ordctl topics: cannot read the cluster's metadata: %s\n", rd_kafka_err2str(err));
        return n ? n : 1;
    }
    int bad = 0;
    for (int i = 0; i < n; i++) {
        int found = -1;
        for (int k = 0; k < md->topic_cnt; k++)
            if (!strcmp(md->topics[k].topic, w[i].name) && !md->topics[k].err) found = md->topics[k].partition_cnt;
        if (found < 0) {
            if (report)
                fprintf(stderr, "ordctl topics: %s is missing (want %d partitions)\n", w[i].name, w[i].partitions);
            bad++;
        } else if (found < w[i].partitions) {
            if (report)
                fprintf(stderr,
                        "ordctl topics: %s has %d partitions, the table says %d (scripts/kafka.sh topics --alter "
                        "--topic %s --partitions %d; keys move to other partitions)\n",
                        w[i].name, found, w[i].partitions, w[i].name, w[i].partitions);
            bad++;
        } else if (report && !quiet && found > w[i].partitions) {
            printf("note: %s has %d partitions (table: %d)\n", w[i].name, found, w[i].partitions);
        }
    }
    rd_kafka_metadata_destroy(md);
    return bad;
}

static int create(rd_kafka_t *rk, const want_t *w, int n, int replication, int timeout_s) {
    rd_kafka_NewTopic_t **nt = calloc((size_t)n, sizeof *nt);
    if (!nt) return -1;
    char err[512];
    int rc = 0;
    for (int i = 0; i < n && !rc; i++) {
        nt[i] = rd_kafka_NewTopic_new(w[i].name, w[i].partitions, replication, err, sizeof err);
        if (!nt[i]) {
            fprintf(stderr, "ordctl topics: %s: %s\n", w[i].name, err);
            rc = -1;
        }
    }
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *opt = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_operation_timeout(opt, timeout_s * 1000, err, sizeof err);
    rd_kafka_AdminOptions_set_request_timeout(opt, timeout_s * 1000, err, sizeof err);
    int created = 0, existed = 0;
    if (!rc) {
        rd_kafka_CreateTopics(rk, nt, (size_t)n, opt, q);
        rd_kafka_event_t *ev = rd_kafka_queue_poll(q, (timeout_s + 5) * 1000);
        if (!ev) {
            fprintf(stderr, "ordctl topics: no answer from the cluster within %ds\n", timeout_s + 5);
            rc = -1;
        } else if (rd_kafka_event_error(ev)) {
            fprintf(stderr, "ordctl topics: create failed: %s\n", rd_kafka_event_error_string(ev));
            rc = -1;
        } else {
            size_t cnt;
            const rd_kafka_topic_result_t **res =
                rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &cnt);
            for (size_t i = 0; i < cnt; i++) {
                rd_kafka_resp_err_t e = rd_kafka_topic_result_error(res[i]);
                if (!e)
                    created++;
                else if (e == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
                    existed++;
                else {
                    fprintf(stderr, "ordctl topics: %s: %s\n", rd_kafka_topic_result_name(res[i]),
                            rd_kafka_topic_result_error_string(res[i]) ? rd_kafka_topic_result_error_string(res[i])
                                                                       : rd_kafka_err2str(e));
                    rc = -1;
                }
            }
        }
        if (ev) rd_kafka_event_destroy(ev);
    }
    rd_kafka_AdminOptions_destroy(opt);
    rd_kafka_queue_destroy(q);
    for (int i = 0; i < n; i++)
        if (nt[i]) rd_kafka_NewTopic_destroy(nt[i]);
    free(nt);
    if (!rc) printf("topics: %d created, %d already there (replication %d)\n", created, existed, replication);
    return rc;
}

int cmd_topics(int argc, char **argv) {
    int namespaces = 0, ns_parts = 2, replication = 1, scale = 1, timeout_s = 30, quiet = 0;
    static const struct option opts[] = {{"namespaces", required_argument, 0, 'n'},
                                         {"namespace-partitions", required_argument, 0, 'k'},
                                         {"replication", required_argument, 0, 'r'},
                                         {"partitions-scale", required_argument, 0, 's'},
                                         {"timeout", required_argument, 0, 't'},
                                         {"quiet", no_argument, 0, 'q'},
                                         {0, 0, 0, 0}};
    if (argc < 2 || (strcmp(argv[1], "create") && strcmp(argv[1], "check"))) {
        fprintf(stderr, "ordctl topics: create | check [--namespaces M] [--namespace-partitions K] "
                        "[--replication R] [--partitions-scale K] [--timeout S]\n");
        return 2;
    }
    int c;
    optind = 2;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        long v = c == 'q' ? 0 : strtol(optarg, NULL, 10);
        switch (c) {
        case 'n':
            namespaces = (int)v;
            break;
        case 'k':
            ns_parts = (int)v;
            break;
        case 'r':
            replication = (int)v;
            break;
        case 's':
            scale = (int)v;
            break;
        case 't':
            timeout_s = (int)v;
            break;
        case 'q':
            quiet = 1;
            break;
        default:
            return 2;
        }
    }
    if (namespaces < 0 || namespaces > 32 || ns_parts < 1 || ns_parts > 64 || replication < 1 || replication > 16 ||
        scale < 1 || scale > 64 || timeout_s < 1 || timeout_s > 600) {
        fprintf(stderr, "ordctl topics: --namespaces 0..32, --namespace-partitions 1..64, --replication 1..16, "
                        "--partitions-scale 1..64, --timeout 1..600\n");
        return 2;
    }
    if (need_kafka()) return 2;
    static want_t w[MAX_TOPICS];
    int n = wanted(w, namespaces, ns_parts, scale);
    char err[512];
    rd_kafka_conf_t *conf = of_kafka_conf_new(cfg, OF_KAFKA_PRODUCER, "ordctl-topics", err, sizeof err);
    rd_kafka_t *rk = conf ? rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err) : NULL;
    if (!rk) {
        if (conf) rd_kafka_conf_destroy(conf);
        fprintf(stderr, "ordctl topics: %s\n", err);
        return 1;
    }
    int rc = 0;
    if (!strcmp(argv[1], "create") && create(rk, w, n, replication, timeout_s)) rc = 1;
    if (!rc) {
        /* Metadata reaches every broker shortly after a create: look again for a few seconds. */
        int64_t until = of_mono_ms() + (!strcmp(argv[1], "create") ? 15000 : 0);
        int bad;
        while ((bad = check(rk, w, n, quiet, 0)) && of_mono_ms() < until)
            usleep(300 * 1000);
        bad = check(rk, w, n, quiet, 1);
        if (bad) {
            fprintf(stderr, "ordctl topics: %d of %d topics differ from the table\n", bad, n);
            rc = 1;
        } else if (!strcmp(argv[1], "check")) {
            printf("topics: all %d present with their partitions\n", n);
        }
    }
    rd_kafka_destroy(rk);
    return rc;
}
