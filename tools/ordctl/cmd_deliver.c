/* ordctl deliver, deliveries: publish DeliveryRequest events (payment-finish's role) and list deliveries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "of_db.h"
#include "of_dlq.h"
#include "of_kafka.h"
#include "of_money.h"
#include "of_topics.h"
#include "ordctl.h"
#include "payment.pb-c.h"

static const char DELIVER_USAGE[] =
    "usage: ordctl deliver --merchant ID (--order N | --code C) [--count K] [--cash AMOUNT] [--payload JSON]\n"
    "                      [--event-id E] [--idempotency-key K]\n";

int cmd_deliver(int argc, char **argv) {
    unsigned long long merchant = 0, order = 0;
    long count = 1;
    const char *code = NULL, *cash_s = "0", *payload = "{\"sku\":\"SKU-TEA-001\",\"qty\":1}", *event = NULL,
               *idem = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) {
            fprintf(stderr, "ordctl deliver: %s needs a value\n%s", a, DELIVER_USAGE);
            return 2;
        }
        if (!strcmp(a, "--merchant"))
            merchant = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--order"))
            order = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--code"))
            code = v;
        else if (!strcmp(a, "--count"))
            count = atol(v);
        else if (!strcmp(a, "--cash"))
            cash_s = v;
        else if (!strcmp(a, "--payload"))
            payload = v;
        else if (!strcmp(a, "--event-id"))
            event = v;
        else if (!strcmp(a, "--idempotency-key"))
            idem = v;
        else {
            fprintf(stderr, "ordctl deliver: unknown argument %s\n%s", a, DELIVER_USAGE);
            return 2;
        }
        i++;
    }
    int64_t cash;
    if (!merchant || (!order && !code) || count < 1 || ((event || idem) && count != 1) ||
        of_money_parse(cash_s, &cash)) {
        fprintf(stderr,
                "ordctl deliver: --merchant, --order or --code, a decimal --cash, --count >= 1 (and "
                "--event-id/--idempotency-key only with one order) are required\n%s",
                DELIVER_USAGE);
        return 2;
    }
    if (need_kafka()) return 2;
    char err[512], prod[256];
    snprintf(prod, sizeof prod, "ordctl-deliver@%s", of_cfg_str(cfg, OF_CFG_INSTANCE_ID));
    of_producer_t *p = of_producer_new(cfg, prod, err, sizeof err);
    if (!p) {
        fprintf(stderr, "ordctl: producer: %s\n", err);
        return 1;
    }
    const char *topic = of_producer_topic(p, OF_TOPIC_DELIVERY_REQUEST);
    of_dr_batch_t b = {0};
    int rc = 0;
    for (long i = 0; i < count && !rc; i++) {
        char ref[96], codebuf[80], eid[160];
        Orderfleet__DeliveryRequest rq = ORDERFLEET__DELIVERY_REQUEST__INIT;
        rq.order_id = order ? order + (unsigned long long)i : 0;
        if (code && count > 1)
            snprintf(codebuf, sizeof codebuf, "%s-%ld", code, i + 1);
        else
            snprintf(codebuf, sizeof codebuf, "%s", code ? code : "");
        rq.order_code = codebuf;
        rq.merchant_id = merchant;
        rq.cash = cash;
        rq.payload = (char *)payload;
        rq.idempotency_key = (char *)(idem ? idem : "");
        if (*codebuf)
            snprintf(ref, sizeof ref, "%s", codebuf);
        else
            snprintf(ref, sizeof ref, "%llu", (unsigned long long)rq.order_id);
        snprintf(eid, sizeof eid, "%s", event ? event : "");
        if (!event) snprintf(eid, sizeof eid, "dr-%llu-%s", merchant, ref);
        Orderfleet__EventMeta meta = ORDERFLEET__EVENT_META__INIT;
        meta.event_id = eid;
        meta.occurred_at_ms = of_now_ms();
        meta.producer = prod;
        meta.schema_version = 1;
        rq.meta = &meta;
        size_t n = orderfleet__delivery_request__get_packed_size(&rq);
        uint8_t *buf = malloc(n ? n : 1);
        if (!buf) return 1;
        orderfleet__delivery_request__pack(&rq, buf);
        if (of_producer_send(p, topic, ref, strlen(ref), buf, n, NULL, &b)) rc = 1;
        free(buf);
        of_producer_poll(p);
    }
    if (of_producer_wait(p, &b)) {
        fprintf(stderr, "ordctl deliver: %d not acknowledged: %s\n", b.failed, b.error);
        rc = 1;
    }
    printf("published=%d topic=%s\n", b.delivered, topic);
    of_producer_destroy(p);
    return rc;
}

static const char *const status_names[] = {"pending", "in_flight", "delivered", "retrying", "dead"};

int cmd_deliveries(int argc, char **argv) {
    const char *order = "";
    long limit = 50;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--order"))
            order = argv[i + 1];
        else if (!strcmp(argv[i], "--limit"))
            limit = atol(argv[i + 1]);
        else {
            fprintf(stderr, "usage: ordctl deliveries [--order REF] [--limit N]\n");
            return 2;
        }
    }
    char err[512];
    of_db_t *db = of_db_connect(cfg, NULL, err, sizeof err);
    if (!db) {
        fprintf(stderr, "ordctl deliveries: %s\n", err);
        return 1;
    }
    static const char q[] =
        "SELECT d.id, d.order_id, m.merchant_no, d.status, d.attempts, d.retry_step, d.last_http_status, "
        "IFNULL(DATE_FORMAT(d.delivered_at, '%Y-%m-%dT%H:%i:%s.%f'), '-'), d.idempotency_key, d.last_error "
        "FROM delivery d LEFT JOIN merchant m ON m.id = d.merchant_id WHERE ? = '' OR d.order_id = ? "
        "ORDER BY d.id DESC LIMIT ?"; /* the newest first */
    static const char qc[] = "SELECT status, COUNT(*) FROM delivery GROUP BY status";
    of_rows_t *rows = NULL, *counts = NULL;
    of_param_t p[] = {OFP_S(order), OFP_S(order), OFP_I(limit)};
    int st = of_db_register(db, q), sc = of_db_register(db, qc);
    if (of_db_query(db, st, p, 3, &rows, err, sizeof err) || of_db_query(db, sc, NULL, 0, &counts, err, sizeof err)) {
        fprintf(stderr, "ordctl deliveries: %s\n", err);
        of_rows_free(rows);
        of_db_close(db);
        return 1;
    }
    for (int r = 0; r < rows->nrows; r++) {
        long long s = of_rows_i64(rows, r, 3);
        printf("delivery id=%s order=%s merchant=%s status=%s attempts=%s step=%s http=%s delivered_at=%s "
               "idempotency_key=%s error=\"%s\"\n",
               of_rows_str(rows, r, 0), of_rows_str(rows, r, 1),
               of_rows_str(rows, r, 2) ? of_rows_str(rows, r, 2) : "?", s >= 0 && s <= 4 ? status_names[s] : "?",
               of_rows_str(rows, r, 4), of_rows_str(rows, r, 5), of_rows_str(rows, r, 6), of_rows_str(rows, r, 7),
               of_rows_str(rows, r, 8), of_rows_str(rows, r, 9));
    }
    long long by[5] = {0};
    for (int r = 0; r < counts->nrows; r++) {
        long long s = of_rows_i64(counts, r, 0);
        if (s >= 0 && s <= 4) by[s] = of_rows_i64(counts, r, 1);
    }
    printf("deliveries: %d shown; delivered=%lld retrying=%lld dead=%lld in_flight=%lld\n", rows->nrows, by[2], by[3],
           by[4], by[1] + by[0]);
    of_rows_free(rows);
    of_rows_free(counts);
    of_db_close(db);
    return 0;
}
