/* ordctl dlq: dead letters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "deadletter.pb-c.h"
#include "of_topics.h"
#include "ordctl.h"

typedef struct {
    const char *origin;
    long limit, shown, total;
} dlq_arg_t;

static int print_dl(const rd_kafka_message_t *m, void *varg) {
    dlq_arg_t *a = varg;
    a->total++;
    Orderfleet__DeadLetter *dl = orderfleet__dead_letter__unpack(NULL, m->len, m->payload);
    if (!dl) {
        printf("dlq partition=%d offset=%lld undecodable (%zu bytes)\n", m->partition, (long long)m->offset, m->len);
        return 0;
    }
    if ((!a->origin || strstr(dl->topic, a->origin)) && a->shown < a->limit) {
        a->shown++;
        char when[32];
        time_t secs = (time_t)(dl->dead_at_ms / 1000);
        struct tm tm;
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&secs, &tm));
        printf("dlq partition=%d offset=%lld origin=%s:%d:%lld class=%s attempts=%d dead_at=%s bytes=%zu "
               "reason=\"%s\"\n",
               m->partition, (long long)m->offset, dl->topic, dl->partition, (long long)dl->offset, dl->error_class,
               dl->attempts, when, dl->original.len, dl->error);
    }
    orderfleet__dead_letter__free_unpacked(dl, NULL);
    return 0;
}

int cmd_dlq(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "list")) {
        fprintf(stderr, "usage: ordctl dlq list [--topic ORIGIN] [--limit N]\n");
        return 2;
    }
    dlq_arg_t a = {NULL, 1000000, 0, 0};
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--topic"))
            a.origin = argv[i + 1];
        else if (!strcmp(argv[i], "--limit"))
            a.limit = atol(argv[i + 1]);
    }
    if (need_kafka()) return 2;
    char t[256];
    of_topic_name(OF_TOPIC_DEADLETTER, of_cfg_str(cfg, OF_CFG_TOPIC_PREFIX), t, sizeof t);
    if (read_topic(t, print_dl, &a)) return 1;
    printf("dead letters: %ld shown of %ld\n", a.shown, a.total);
    return 0;
}
