/* ordctl -- operator and adapter tool: migrate, publish raw trades, summary, dead letters, topics, lag. */
#include <errno.h>
#include <getopt.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "deadletter.pb-c.h"
#include "of_db.h"
#include "of_dlq.h"
#include "of_file.h"
#include "of_kafka.h"
#include "of_lag.h"
#include "of_log.h"
#include "of_migrate.h"
#include "of_progress.h"
#include "of_opsq.h"
#include "of_rawtrade.h"
#include "of_topics.h"
#include "of_tstatus.h"
#include "of_worker.h"
#include "of_site.h"
#include "of_status.h"
#include "ordctl.h"
#include "trade.pb-c.h"

static const char USAGE[] =
    "usage: ordctl [--config FILE] COMMAND [ARGS]\n"
    "\n"
    "The configuration is read from --config FILE or $OF_CONFIG (KEY=value lines; the local stack writes\n"
    ".state/stack.env), then the environment (OF_* variables); see `ordctl config`.\n"
    "\n"
    "Commands:\n"
    "  migrate [--db main|buyer|seller|all] [--dry-run]\n"
    "        apply schema/<db>/NNN_*.sql not yet applied (schema_migrations); idempotent. main on OF_MYSQL_HOST/PORT,\n"
    "        buyer and seller on their site servers (OF_SITE_BUYER_*, OF_SITE_SELLER_*; the replica follows the "
    "seller)\n"
    "  publish-trades [--no-validate] [--quiet] [--rate R] [--times OUT] FILE...\n"
    "                 (--rate: at most R events/s, paced; --times: \"tid<TAB>publish epoch ms\" per event)\n"
    "        platform adapter: read raw trades as JSON lines (docs/raw-trade-format.md), publish each\n"
    "        as a RawTrade to trade.raw keyed by buyer; a bad line is refused with its line number and\n"
    "        reason (exit 1 at the end); a missing, unreadable or directory FILE: exit 2, nothing published; "
    "--no-validate publishes well-formed but invalid trades (tests)\n"
    "  produce-raw --topic NAME [--key K] (--text S | --hex HEX | --file F)\n"
    "        publish arbitrary bytes (fault injection in tests)\n"
    "  summary\n"
    "        trades published, raw trades stored, changes detected, dead letters, each worker group's lag; exit 3\n"
    "        when a group's offset is outside its topic's log (messages skipped), 4 when Kafka does not answer\n"
    "  dlq list [--topic ORIGIN] [--order ORDER] [--about S] [--class C] [--since T] [--until T] [--pending]\n"
    "           [--errors] [--limit N] [--kafka]\n"
    "        dead letters recorded in MySQL (of-dlq-recorder): origin, order, what it is about (tid:…, order:…),\n"
    "        event id, class, tries, reason; --errors prints every try's error; --kafka reads the deadletter topic\n"
    "  dlq redrive ID | --all [filters as for list]\n"
    "        send dead letters back to their origin topic as a fresh first try, and record it\n"
    "  deliver --merchant ID (--order N | --code C) [--count K] [--cash AMOUNT] [--payload JSON] [--event-id E]\n"
    "          [--idempotency-key K]\n"
    "        payment-finish's role: publish DeliveryRequest events to delivery.request (keyed by order)\n"
    "  deliveries [--order REF] [--limit N]\n"
    "        deliveries to merchants, newest first (default 50): status, tries, last error; counts by status\n"
    "  events TOPIC [--limit N]\n"
    "        print the events of a topic (TradeChange decoded; others as sizes)\n"
    "  explain (--order TRADE_ID | --trade-no NO | --tid TID [--platform N] | --raw API_TRADE_ID)\n"
    "        why an order got its warehouse (candidates, stock, shortage), logistics, package and status, or why a\n"
    "        raw trade was not submitted (rule, bad_reason); prints the rule trace, the lines, the order log and\n"
    "        the changes trade-modify applied (bits, rules, status before/after, stock moved)\n"
    "  flash batch-create|batch|job|token|check ...\n"
    "        the flash sale: create a batch, show a batch or a job, a buyer's gateway token, check that nothing is\n"
    "        oversold or stuck (ordctl flash --help)\n"
    "  site buyer|seller OPERATION ... | show OID | conflicts | check\n"
    "        the order-sync sites: the eight flows of SYN-7 on either site, an order on both sides with its merged\n"
    "        history, rejected ops, and a check that both sides agree (ordctl site --help)\n"
    "  order show|audit|push|ship|refund-handled|release ID [--waybill NO]\n"
    "        the back-office steps after submission: audit (→ 40, stockout order, reservation kept), push to the\n"
    "        warehouse (→ 55), ship (→ 95, is_consigned, goods out of stock), refund handled (refunded lines "
    "released,\n"
    "        the refund interception lifted); each writes its order log and an OrderEvent; show: status, block and\n"
    "        exception bits, stockout order\n"
    "  stock-check\n"
    "        verify that every unpay_num / order_num / subscribe_num equals the sum over the open orders' lines in\n"
    "        the statuses that reserve it; prints each drift and exits 1 if any\n"
    "  wait-idle --topic NAME [--group G] [--timeout SECONDS]\n"
    "        wait until group G (default orderfleet.trade-submit) has committed every message of NAME; exit 3 at once\n"
    "        when the group's offset is outside the log (messages deleted unread, or the topic recreated), 4 when\n"
    "        Kafka does not answer for OF_KAFKA_UNREACHABLE_ALERT_S, 1 on timeout\n"
    "  replay --topic T --group G (--from-beginning | --from-time ISO8601 | --from-offsets P:O,...) [--yes]\n"
    "        move stopped group G's committed offsets on topic T back (or forward) so its workers read those messages\n"
    "        again; prints per partition committed, new, high watermark and messages re-read; without --yes a dry\n"
    "        run; refuses (exit 3) while G has live members; --from-time is UTC (2026-11-30T12:00:00Z)\n"
    "  what-if --since T [--until T] (--sql CHANGES.sql | --set KEY=VALUE ...) [--explain TID] [--per-order] [--json]\n"
    "        run the submission decisions of the window's raw trades again with the configuration changed (in memory\n"
    "        and a session's temporary tables; nothing real is written) and print how they would differ, counted and\n"
    "        per order (ordctl what-if --help)\n"
    "  resubmit [--rule ID[,ID...]] [--tid TID] [--since \"YYYY-MM-DD HH:MM:SS\"] [--dry-run]\n"
    "        reprocess the raw trades a rule stopped (api_trade.submit_rule; goods not mapped, no warehouse ...) once\n"
    "        the cause is fixed: a resubmit request per trade on trade.raw, which trade-submit submits again exactly\n"
    "        once; prints the trades found per rule; --since: stopped at or after that time; --dry-run: count only\n"
    "  topics                   the topic table (markdown, as in docs/topics.md)\n"
    "  topics create | check [--namespaces M] [--namespace-partitions K] [--replication R] [--partitions-scale K]\n"
    "        create the table's topics on the cluster in one Admin request (existing ones are kept), then check\n"
    "        that each exists with at least its partitions (exit 1 on a difference); --namespaces also makes the\n"
    "        table under ns1. .. nsM. with K partitions each (the test stack's isolated topic sets)\n"
    "  config                   the configuration reference (markdown, as in docs/config.md)\n"
    "  help\n";

of_config_t *cfg;

int need_kafka(void) {
    if (!*of_cfg_str(cfg, OF_CFG_KAFKA_BOOTSTRAP)) {
        fprintf(stderr, "ordctl: OF_KAFKA_BOOTSTRAP is not set (use --config .state/stack.env)\n");
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ migrate */
static int cmd_migrate(int argc, char **argv) {
    const char *which = "all";
    int dry = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--db") && i + 1 < argc)
            which = argv[++i];
        else if (!strcmp(argv[i], "--dry-run"))
            dry = 1;
        else {
            fprintf(stderr, "ordctl migrate: unknown argument %s\n", argv[i]);
            return 2;
        }
    }
    struct {
        const char *name;
        of_cfg_key_t db;
    } dbs[] = {{"main", OF_CFG_MYSQL_DB}, {"buyer", OF_CFG_MYSQL_BUYER_DB}, {"seller", OF_CFG_MYSQL_SELLER_DB}};
    int matched = 0;
    for (int i = 0; i < 3; i++) {
        if (strcmp(which, "all") && strcmp(which, dbs[i].name)) continue;
        matched = 1;
        char dir[1024], err[1024];
        snprintf(dir, sizeof dir, "%s/%s", of_migrate_schema_dir(cfg), dbs[i].name);
        if (access(dir, R_OK)) continue;
        printf("migrate %s (%s):\n", dbs[i].name, of_cfg_str(cfg, dbs[i].db));
        of_db_t *db = i == 0 ? of_db_connect(cfg, NULL, err, sizeof err)
                             : of_site_connect(cfg, i == 1 ? OF_SITE_BUYER : OF_SITE_SELLER, err, sizeof err);
        if (!db) {
            fprintf(stderr, "ordctl migrate: %s\n", err);
            return 1;
        }
        int applied = 0;
        of_err_t e = of_migrate_dir(db, dir, dry, &applied, err, sizeof err);
        of_db_close(db);
        if (e) {
            fprintf(stderr, "ordctl migrate: %s\n", err);
            return 1;
        }
        printf("  %d applied\n", applied);
    }
    if (!matched) {
        fprintf(stderr, "ordctl migrate: --db must be main, buyer, seller or all\n");
        return 2;
    }
    return 0;
}

/* ------------------------------------------------------------------ publish-trades */
static int cmd_publish(int argc, char **argv) {
    int validate = 1, quiet = 0, first = 1;
    double rate = 0;
    FILE *times = NULL;
    for (; first < argc && argv[first][0] == '-' && argv[first][1]; first++) { /* "-" alone: standard input */
        if (!strcmp(argv[first], "--no-validate"))
            validate = 0;
        else if (!strcmp(argv[first], "--rate") && first + 1 < argc && atof(argv[first + 1]) > 0)
            rate = atof(argv[++first]);
        else if (!strcmp(argv[first], "--times") && first + 1 < argc) {
            if (!(times = fopen(argv[++first], "w"))) {
                fprintf(stderr, "ordctl publish-trades: cannot write %s\n", argv[first]);
                return 2;
            }
        } else if (!strcmp(argv[first], "--quiet"))
            quiet = 1;
        else {
            fprintf(stderr, "ordctl publish-trades: unknown option %s\n", argv[first]);
            if (times) fclose(times);
            return 2;
        }
    }
    if (first >= argc) {
        fprintf(stderr, "ordctl publish-trades: no FILE given (- reads standard input)\n");
        if (times) fclose(times);
        return 2;
    }
    /* every path is checked before anything is published: a typo is an error, never "published=0" */
    for (int f = first; f < argc; f++) {
        struct stat st;
        const char *why = NULL;
        if (!strcmp(argv[f], "-")) continue;
        if (stat(argv[f], &st) || access(argv[f], R_OK))
            why = strerror(errno);
        else if (S_ISDIR(st.st_mode))
            why = "is a directory (give the JSON-lines files in it)";
        if (why) {
            fprintf(stderr, "ordctl publish-trades: %s: %s\n", argv[f], why);
            if (times) fclose(times);
            return 2;
        }
    }
    if (need_kafka()) {
        if (times) fclose(times);
        return 2;
    }
    char err[512], prod[256];
    snprintf(prod, sizeof prod, "ordctl-publish@%s", of_cfg_str(cfg, OF_CFG_INSTANCE_ID));
    of_producer_t *p = of_producer_new(cfg, prod, err, sizeof err);
    if (!p) {
        fprintf(stderr, "ordctl: producer: %s\n", err);
        return 1;
    }
    char topic[256];
    snprintf(topic, sizeof topic, "%s", of_producer_topic(p, OF_TOPIC_TRADE_RAW));
    of_dr_batch_t b = {0};
    long published = 0, refused = 0, lines = 0;
    int64_t t0 = of_mono_ms();
    int rc = 0;
    of_progress_t pg;
    of_progress_init(&pg, "ordctl publish-trades", quiet);
    for (int f = first; f < argc; f++) {
        const char *name = strcmp(argv[f], "-") ? argv[f] : "(standard input)";
        FILE *in = strcmp(argv[f], "-") ? fopen(argv[f], "r") : stdin;
        if (!in) {
            of_progress_end(&pg);
            fprintf(stderr, "ordctl publish-trades: %s: %s\n", name, strerror(errno));
            rc = 1;
            continue;
        }
        char *line = NULL;
        size_t cap = 0;
        ssize_t len;
        long lineno = 0;
        while ((len = getline(&line, &cap, in)) > 0) {
            lineno++;
            lines++;
            while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
                line[--len] = '\0';
            if (!len) continue;
            Orderfleet__RawTrade *t = of_rawtrade_from_json(line, (size_t)len, err, sizeof err);
            if (t && validate && of_rawtrade_validate(t, err, sizeof err)) {
                of_rawtrade_free(t);
                t = NULL;
            }
            if (!t) {
                of_progress_end(&pg);
                fprintf(stderr, "ordctl publish-trades: %s:%ld: refused: %s\n", name, lineno, err);
                refused++;
                continue;
            }
            if (rate > 0) { /* paced: event n leaves at t0 + n / rate */
                int64_t due = t0 + (int64_t)((double)published * 1000.0 / rate);
                while (of_mono_ms() < due) {
                    of_producer_poll(p);
                    int64_t left = due - of_mono_ms();
                    if (left > 0) {
                        struct timespec ts = {0, (long)(left > 5 ? 5 : left) * 1000000L};
                        nanosleep(&ts, NULL);
                    }
                }
            }
            char eid[64], key[512];
            Orderfleet__EventMeta meta = ORDERFLEET__EVENT_META__INIT;
            meta.event_id = (char *)of_rawtrade_event_id(line, (size_t)len, eid, sizeof eid);
            meta.occurred_at_ms = of_now_ms();
            meta.producer = prod;
            meta.schema_version = 1;
            t->meta = &meta;
            size_t n = orderfleet__raw_trade__get_packed_size(t);
            uint8_t *buf = malloc(n ? n : 1);
            if (buf) {
                orderfleet__raw_trade__pack(t, buf);
                of_rawtrade_key(t, key, sizeof key);
                if (of_producer_send(p, topic, key, strlen(key), buf, n, NULL, &b) == OF_OK) {
                    published++;
                    if (times) fprintf(times, "%s\t%lld\n", t->tid, (long long)of_now_ms());
                } else
                    rc = 1;
                free(buf);
            }
            t->meta = NULL;
            of_rawtrade_free(t);
            of_progress_show(&pg, 0, "%s: %ld published, %ld refused, %d awaiting ack", name, published, refused,
                             b.pending);
            of_producer_poll(p);
        }
        if (ferror(in)) {
            of_progress_end(&pg);
            fprintf(stderr, "ordctl publish-trades: %s: read error: %s\n", name, strerror(errno));
            rc = 1;
        }
        free(line);
        if (in != stdin) fclose(in);
    }
    if (times) fclose(times);
    of_progress_show(&pg, 1, "%ld sent, waiting for the acknowledgements", published);
    of_err_t waited = of_producer_wait(p, &b);
    of_progress_end(&pg);
    if (waited) {
        fprintf(stderr, "ordctl publish-trades: %d messages not acknowledged: %s\n", b.failed + b.pending, b.error);
        rc = 1;
    }
    of_producer_destroy(p);
    printf("published=%d refused=%ld lines=%ld seconds=%.2f topic=%s\n", b.delivered, refused, lines,
           (of_mono_ms() - t0) / 1000.0, topic);
    return rc || refused ? 1 : 0;
}

/* ------------------------------------------------------------------ produce-raw */
static int cmd_produce_raw(int argc, char **argv) {
    const char *topic = NULL, *key = "", *text = NULL, *hex = NULL, *file = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--topic"))
            topic = argv[i + 1];
        else if (!strcmp(argv[i], "--key"))
            key = argv[i + 1];
        else if (!strcmp(argv[i], "--text"))
            text = argv[i + 1];
        else if (!strcmp(argv[i], "--hex"))
            hex = argv[i + 1];
        else if (!strcmp(argv[i], "--file"))
            file = argv[i + 1];
    }
    if (!topic || (!text && !hex && !file)) {
        fprintf(stderr, "ordctl produce-raw: --topic and one of --text, --hex, --file are required\n");
        return 2;
    }
    if (need_kafka()) return 2;
    size_t n = 0;
    uint8_t *buf = NULL;
    if (file) {
        if (!(buf = (uint8_t *)of_file_read(file, &n))) {
            fprintf(stderr, "ordctl produce-raw: cannot read %s\n", file);
            return 1;
        }
    } else if (text) {
        n = strlen(text);
        if ((buf = malloc(n + 1))) memcpy(buf, text, n);
    } else {
        n = strlen(hex) / 2;
        if ((buf = malloc(n + 1)))
            for (size_t i = 0; i < n; i++) {
                unsigned v;
                if (sscanf(hex + 2 * i, "%2x", &v) != 1) {
                    fprintf(stderr, "ordctl produce-raw: bad hex\n");
                    free(buf);
                    return 2;
                }
                buf[i] = (uint8_t)v;
            }
    }
    if (!buf) return 1;
    char err[512], full[256];
    of_producer_t *p = of_producer_new(cfg, "ordctl-produce-raw", err, sizeof err);
    if (!p) {
        fprintf(stderr, "ordctl: producer: %s\n", err);
        free(buf);
        return 1;
    }
    int t = of_topic_find(topic, "");
    snprintf(full, sizeof full, "%s", t >= 0 ? of_producer_topic(p, t) : topic);
    of_dr_batch_t b = {0};
    of_err_t e = of_producer_send(p, full, key, strlen(key), buf, n, NULL, &b);
    if (of_producer_wait(p, &b) && !e) e = OF_ERR_TRANSIENT;
    free(buf);
    of_producer_destroy(p);
    if (e) fprintf(stderr, "ordctl produce-raw: not delivered: %s\n", b.error);
    return e ? 1 : 0;
}

/* ------------------------------------------------------------------ topic reading helpers */

/* Read every message of topic present now, from the beginning; calls cb for each. */
int read_topic(const char *topic, msg_cb cb, void *arg) {
    char err[512];
    rd_kafka_conf_t *conf = of_kafka_conf_new(cfg, OF_KAFKA_CONSUMER, "ordctl-reader", err, sizeof err);
    if (!conf) {
        fprintf(stderr, "ordctl: %s\n", err);
        return -1;
    }
    rd_kafka_conf_set(conf, "group.id", "ordctl-reader", err, sizeof err);
    rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof err);
    rd_kafka_conf_set(conf, "enable.partition.eof", "true", err, sizeof err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "ordctl: %s\n", err);
        return -1;
    }
    int np = 0;
    if (of_lag_topic_count(rk, topic, &np) < 0) {
        fprintf(stderr, "ordctl: topic %s not found\n", topic);
        rd_kafka_destroy(rk);
        return -1;
    }
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(np);
    int live = 0;
    for (int i = 0; i < np; i++) {
        int64_t lo, hi;
        rd_kafka_query_watermark_offsets(rk, topic, i, &lo, &hi, 10000);
        if (hi > lo) {
            rd_kafka_topic_partition_list_add(l, topic, i)->offset = lo;
            live++;
        }
    }
    rd_kafka_assign(rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    int64_t deadline = of_mono_ms() + 30000;
    int stop = 0;
    while (live > 0 && !stop && of_mono_ms() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 500);
        if (!m) continue;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
            live--;
        else if (m->err)
            fprintf(stderr, "ordctl: %s\n", rd_kafka_message_errstr(m));
        else
            stop = cb(m, arg);
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return live > 0 && !stop ? -1 : 0;
}

/* ------------------------------------------------------------------ events */
typedef struct {
    long limit, n;
    int kind;
} ev_arg_t;

/* "status|pay" for the modify_flag bits of trade-rules §1.10. */
static const char *flag_names(uint32_t f, char *buf, size_t size) {
    static const char *const tn[8] = {"status",  "pay",     "refund",    "cs_remark",
                                      "address", "invoice", "warehouse", "client_remark"};
    size_t len = 0;
    buf[0] = '\0';
    for (int b = 0; b < 8; b++) {
        const char *n = tn[b];
        if (!(f & (1u << b))) continue;
        len += (size_t)snprintf(buf + len, len < size ? size - len : 0, "%s%s", len ? "|" : "", n);
    }
    return buf;
}

static int print_ev(const rd_kafka_message_t *m, void *varg) {
    ev_arg_t *a = varg;
    if (a->n++ >= a->limit) return 1;
    if (a->kind == OF_TOPIC_TRADE_CHANGED) {
        Orderfleet__TradeChange *c = orderfleet__trade_change__unpack(NULL, m->len, m->payload);
        if (c) {
            char names[160];
            printf("event partition=%d offset=%lld event_id=%s key=%.*s tid=%s api_trade_id=%llu modify_flag=%u "
                   "bits=%s orders=",
                   m->partition, (long long)m->offset, c->meta ? c->meta->event_id : "", (int)m->key_len,
                   (const char *)m->key, c->tid, (unsigned long long)c->api_trade_id, c->modify_flag,
                   c->modify_flag ? flag_names(c->modify_flag, names, sizeof names) : "-");
            for (size_t i = 0; i < c->n_orders; i++)
                printf("%s%s:%u%s", i ? "," : "", c->orders[i]->oid, c->orders[i]->modify_flag,
                       c->orders[i]->added ? "+" : "");
            printf("\n");
            orderfleet__trade_change__free_unpacked(c, NULL);
            return 0;
        }
    }
    printf("event partition=%d offset=%lld key=%.*s bytes=%zu\n", m->partition, (long long)m->offset, (int)m->key_len,
           (const char *)m->key, m->len);
    return 0;
}

static int cmd_events(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: ordctl events TOPIC [--limit N]\n");
        return 2;
    }
    ev_arg_t a = {1000000, 0, of_topic_find(argv[1], "")};
    if (argc >= 4 && !strcmp(argv[2], "--limit")) a.limit = atol(argv[3]);
    if (need_kafka()) return 2;
    char t[256];
    snprintf(t, sizeof t, "%s%s", of_cfg_str(cfg, OF_CFG_TOPIC_PREFIX), argv[1]);
    if (read_topic(t, print_ev, &a)) return 1;
    printf("events: %ld\n", a.n > a.limit ? a.limit : a.n);
    return 0;
}

/* ------------------------------------------------------------------ wait-idle */

static int cmd_wait_idle(int argc, char **argv) {
    const char *topic = NULL, *group = "orderfleet.trade-submit";
    long timeout = 120;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--topic"))
            topic = argv[i + 1];
        else if (!strcmp(argv[i], "--group"))
            group = argv[i + 1];
        else if (!strcmp(argv[i], "--timeout"))
            timeout = atol(argv[i + 1]);
    }
    if (!topic) {
        fprintf(stderr, "ordctl wait-idle: --topic is required\n");
        return 2;
    }
    if (need_kafka()) return 2;
    char err[512], full[256], msg[512];
    snprintf(full, sizeof full, "%s%s", of_cfg_str(cfg, OF_CFG_TOPIC_PREFIX), topic);
    rd_kafka_conf_t *conf = of_kafka_conf_new(cfg, OF_KAFKA_CONSUMER, "ordctl-lag", err, sizeof err);
    if (!conf) return 1;
    rd_kafka_conf_set(conf, "group.id", group, err, sizeof err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "ordctl: %s\n", err);
        return 1;
    }
    int np = 0;
    int rc = 1;
    int64_t unreachable_for = of_cfg_int(cfg, OF_CFG_KAFKA_UNREACHABLE_ALERT_S) * 1000;
    if (of_lag_topic_count(rk, full, &np) < 0) {
        fprintf(stderr, "ordctl wait-idle: topic %s not found, or Kafka (%s) not answering\n", full,
                of_cfg_str(cfg, OF_CFG_KAFKA_BOOTSTRAP));
        rc = 4;
    } else {
        int64_t end = of_mono_ms() + timeout * 1000, last = 0, down = 0;
        for (;;) {
            long long lag;
            int pos = of_lag_group_position(rk, full, np, &lag, NULL, msg, sizeof msg);
            if (pos == 1) {
                /* never "idle" over a gap: the group would look caught up while messages were never processed */
                fprintf(stderr, "ordctl wait-idle: group %s: %s\n", group, msg);
                rc = 3;
                break;
            }
            if (pos < 0) {
                if (!down) down = of_mono_ms();
                if (of_mono_ms() - down >= unreachable_for) {
                    fprintf(stderr, "ordctl wait-idle: Kafka (%s) unreachable for %llds\n",
                            of_cfg_str(cfg, OF_CFG_KAFKA_BOOTSTRAP), (long long)(of_mono_ms() - down) / 1000);
                    rc = 4;
                    break;
                }
            } else {
                down = 0;
            }
            if (pos == 0 && lag == 0) {
                printf("idle: group %s has committed everything in %s\n", group, full);
                rc = 0;
                break;
            }
            if (of_mono_ms() > end) {
                fprintf(stderr, "ordctl wait-idle: timed out after %lds, lag=%lld\n", timeout, lag);
                break;
            }
            if (of_mono_ms() - last >= 2000) {
                last = of_mono_ms();
                if (pos < 0)
                    fprintf(stderr, "ordctl wait-idle: Kafka not answering, retrying\n");
                else
                    fprintf(stderr, "ordctl wait-idle: group %s lag=%lld on %s\n", group, lag, full);
            }
            usleep(200 * 1000);
        }
    }
    rd_kafka_destroy(rk);
    return rc;
}

/* ------------------------------------------------------------------ summary */

/* Each worker group's position on its input topics: lag, and never a quiet gap (of_lag_group_position). */
static int summary_groups(void) {
    size_t ng;
    const of_lag_watch_t *g = of_lag_watched(&ng);
    int rc = 0;
    printf("consumer groups (lag = messages not processed yet):\n");
    for (size_t i = 0; i < ng; i++) {
        char group[256], topic[256], err[512], msg[512];
        of_worker_group(cfg, g[i].worker, group, sizeof group);
        of_topic_name(g[i].topic, of_cfg_str(cfg, OF_CFG_TOPIC_PREFIX), topic, sizeof topic);
        rd_kafka_conf_t *conf = of_kafka_conf_new(cfg, OF_KAFKA_CONSUMER, "ordctl-summary", err, sizeof err);
        if (!conf || rd_kafka_conf_set(conf, "group.id", group, err, sizeof err) != RD_KAFKA_CONF_OK) {
            if (conf) rd_kafka_conf_destroy(conf);
            fprintf(stderr, "ordctl summary: %s\n", err);
            return 1;
        }
        rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
        if (!rk) {
            rd_kafka_conf_destroy(conf);
            fprintf(stderr, "ordctl summary: %s\n", err);
            return 1;
        }
        int np = 0;
        long long lag = 0;
        int pos = of_lag_topic_count(rk, topic, &np) < 0
                      ? -1
                      : of_lag_group_position(rk, topic, np, &lag, NULL, msg, sizeof msg);
        rd_kafka_destroy(rk);
        if (pos < 0) {
            fprintf(stderr, "ordctl summary: Kafka (%s) does not answer\n", of_cfg_str(cfg, OF_CFG_KAFKA_BOOTSTRAP));
            return 4;
        }
        printf("  %-28s %-20s lag %lld\n", group, topic, lag);
        if (pos == 1) {
            printf("  ERROR: group %s: %s\n", group, msg);
            rc = 3;
        }
    }
    return rc;
}

static int cmd_summary(void) {
    if (need_kafka()) return 2;
    char err[512], t1[256], t2[256];
    of_db_t *db = of_db_connect(cfg, NULL, err, sizeof err);
    if (!db) {
        fprintf(stderr, "ordctl summary: %s\n", err);
        return 1;
    }
    static const char *const q[] = {
        "SELECT COUNT(*) FROM api_trade",
        "SELECT COUNT(*) FROM api_trade_order",
        "SELECT COUNT(*) FROM api_trade WHERE modify_flag <> 0",
        "SELECT COUNT(*) FROM outbox WHERE topic = 'trade.changed'",
        "SELECT COUNT(*) FROM outbox WHERE topic = 'trade.changed' AND sent_at IS NULL",
        "SELECT COUNT(*) FROM sales_trade",
        "SELECT COUNT(*) FROM api_trade WHERE process_status = 10",
        "SELECT COUNT(*) FROM api_trade WHERE process_status = 30",
        "SELECT COUNT(*) FROM sales_trade_change",
        "SELECT COUNT(*) FROM sales_trade WHERE block_reason <> 0",
        "SELECT COUNT(*) FROM sales_trade_merge",
        "SELECT COUNT(DISTINCT into_trade_id) FROM sales_trade_merge",
        "SELECT COUNT(*) FROM sales_trade WHERE trade_status IN (15, 16, 19, 20)",
    };
    enum { NQ = sizeof q / sizeof q[0] };
    long long v[NQ];
    char statuses[2048] = "";
    for (int i = 0; i < NQ; i++) {
        of_rows_t *rows;
        int st = of_db_register(db, q[i]);
        if (of_db_query(db, st, NULL, 0, &rows, err, sizeof err)) {
            fprintf(stderr, "ordctl summary: %s\n", err);
            of_db_close(db);
            return 1;
        }
        v[i] = of_rows_i64(rows, 0, 0);
        of_rows_free(rows);
    }
    of_opsq_status_t sts[64];
    size_t nst = 0;
    if (of_opsq_statuses(db, sts, 64, &nst, err, sizeof err) == OF_OK) {
        size_t len = 0;
        for (size_t k = 0; k < nst && len < sizeof statuses; k++)
            len += (size_t)snprintf(statuses + len, sizeof statuses - len, "  %5d %s: %lld\n", sts[k].status,
                                    of_tstatus_name(sts[k].status), sts[k].count);
    }
    of_db_close(db);
    rd_kafka_conf_t *conf = of_kafka_conf_new(cfg, OF_KAFKA_PRODUCER, "ordctl-summary", err, sizeof err);
    rd_kafka_t *rk = conf ? rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err) : NULL;
    if (!rk) {
        fprintf(stderr, "ordctl summary: %s\n", err);
        return 1;
    }
    const char *prefix = of_cfg_str(cfg, OF_CFG_TOPIC_PREFIX);
    long long published = of_lag_topic_count(rk, of_topic_name(OF_TOPIC_TRADE_RAW, prefix, t1, sizeof t1), NULL);
    long long dead = of_lag_topic_count(rk, of_topic_name(OF_TOPIC_DEADLETTER, prefix, t2, sizeof t2), NULL);
    rd_kafka_destroy(rk);
    if (published < 0 || dead < 0) {
        fprintf(stderr, "ordctl summary: Kafka (%s) does not answer\n", of_cfg_str(cfg, OF_CFG_KAFKA_BOOTSTRAP));
        return 4;
    }
    printf("trades published (messages on %s): %lld\n", t1, published);
    printf("raw trades stored (api_trade):       %lld\n", v[0]);
    printf("raw sub-orders stored:               %lld\n", v[1]);
    printf("trades with changes pending:         %lld (modify_flag ≠ 0; trade-modify clears them)\n", v[2]);
    printf("change events emitted (trade.changed): %lld (%lld awaiting delivery)\n", v[3], v[4]);
    printf("system orders (sales_trade):         %lld%s\n%s", v[5], v[5] ? ", by status:" : "", statuses);
    printf("changes applied (trade-modify):      %lld (intercepted orders: %lld; ordctl order show ID)\n", v[8], v[9]);
    printf("orders merged (sweep):               %lld into %lld (waiting or pre-processing now: %lld)\n", v[10], v[11],
           v[12]);
    printf("raw trades cancelled:                %lld (SUB-TYPE-01, or refunded/closed: MOD-T1-34)\n", v[7]);
    printf("raw trades stopped by a rule:        %lld (ordctl explain --tid TID says why)\n", v[6]);
    printf("dead letters (%s):           %lld\n", t2, dead);
    return summary_groups();
}

int main(int argc, char **argv) {
    const char *config_path = NULL;
    int i = 1;
    while (i < argc && argv[i][0] == '-') {
        if (!strcmp(argv[i], "--config") && i + 1 < argc) {
            config_path = argv[i + 1];
            i += 2;
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(USAGE, stdout);
            return 0;
        } else {
            fprintf(stderr, "ordctl: unknown option %s\n%s", argv[i], USAGE);
            return 2;
        }
    }
    if (i >= argc || !strcmp(argv[i], "help")) {
        fputs(USAGE, i >= argc ? stderr : stdout);
        return i >= argc ? 2 : 0;
    }
    const char *cmd = argv[i];
    for (int k = i + 1; k < argc; k++)
        if (!strcmp(argv[k], "--help") || !strcmp(argv[k], "-h")) {
            if (!strcmp(cmd, "order")) return cmd_order(2, (char *[]){argv[i], "--help", NULL}); /* its own usage */
            if (!strcmp(cmd, "flash")) return cmd_flash(2, (char *[]){argv[i], "--help", NULL});
            if (!strcmp(cmd, "site")) return cmd_site(2, (char *[]){argv[i], "--help", NULL});
            if (!strcmp(cmd, "what-if")) return cmd_whatif(2, (char *[]){argv[i], "--help", NULL});
            fputs(USAGE, stdout);
            return 0;
        }
    if (!strcmp(cmd, "topics") && i + 1 >= argc) {
        of_topics_print_markdown();
        return 0;
    }
    if (!strcmp(cmd, "config")) {
        of_config_print_markdown();
        return 0;
    }
    char err[512];
    cfg = of_config_load(config_path, err, sizeof err);
    if (!cfg) {
        fprintf(stderr, "ordctl: configuration error: %s\n", err);
        return 78;
    }
    of_log_init("ordctl", (of_log_level_t)of_log_level_parse(of_cfg_str(cfg, OF_CFG_LOG_LEVEL)));
    of_config_warn_unknown(cfg);
    int rc;
    int sub_argc = argc - i;
    char **sub_argv = argv + i;
    if (!strcmp(cmd, "migrate"))
        rc = cmd_migrate(sub_argc, sub_argv);
    else if (!strcmp(cmd, "publish-trades"))
        rc = cmd_publish(sub_argc, sub_argv);
    else if (!strcmp(cmd, "produce-raw"))
        rc = cmd_produce_raw(sub_argc, sub_argv);
    else if (!strcmp(cmd, "summary"))
        rc = cmd_summary();
    else if (!strcmp(cmd, "dlq"))
        rc = cmd_dlq(sub_argc, sub_argv);
    else if (!strcmp(cmd, "deliver"))
        rc = cmd_deliver(sub_argc, sub_argv);
    else if (!strcmp(cmd, "deliveries"))
        rc = cmd_deliveries(sub_argc, sub_argv);
    else if (!strcmp(cmd, "events"))
        rc = cmd_events(sub_argc, sub_argv);
    else if (!strcmp(cmd, "explain"))
        rc = cmd_explain(sub_argc, sub_argv);
    else if (!strcmp(cmd, "order"))
        rc = cmd_order(sub_argc, sub_argv);
    else if (!strcmp(cmd, "flash"))
        rc = cmd_flash(sub_argc, sub_argv);
    else if (!strcmp(cmd, "site"))
        rc = cmd_site(sub_argc, sub_argv);
    else if (!strcmp(cmd, "stock-check"))
        rc = cmd_stock_check(sub_argc, sub_argv);
    else if (!strcmp(cmd, "topics"))
        rc = cmd_topics(sub_argc, sub_argv);
    else if (!strcmp(cmd, "wait-idle"))
        rc = cmd_wait_idle(sub_argc, sub_argv);
    else if (!strcmp(cmd, "replay"))
        rc = cmd_replay(sub_argc, sub_argv);
    else if (!strcmp(cmd, "what-if"))
        rc = cmd_whatif(sub_argc, sub_argv);
    else if (!strcmp(cmd, "resubmit"))
        rc = cmd_resubmit(sub_argc, sub_argv);
    else {
        fprintf(stderr, "ordctl: unknown command %s\n%s", cmd, USAGE);
        rc = 2;
    }
    of_config_destroy(cfg);
    return rc;
}
