/* of_topics.c -- the topic table (docs/topics.md is generated from it; `ordctl topics create` makes it on Kafka). */
#include <stdio.h>
#include <string.h>
#include "of_topics.h"

/* Partition counts bound each worker type's parallelism (one active instance per partition). */
static const of_topic_def_t topics[OF_TOPIC__COUNT] = {
    [OF_TOPIC_TRADE_RAW] =
        {"trade.raw", 16, "platform_id:buyer (buyer_nick, else MOB+mobile, TEL+telno, else tid)", "RawTrade",
         "platform adapters (`ordctl publish-trades`); resubmit requests (`ordctl resubmit`, trade-submit)",
         "trade-submit", "all trades of one buyer in order: merge and same-name flags need no cross-partition locks"},
    [OF_TOPIC_TRADE_CHANGED] = {"trade.changed", 8, "platform_id:buyer (as trade.raw)", "TradeChange",
                                "trade-submit (outbox)", "trade-modify",
                                "modify_flag bits detected on a stored raw trade; a buyer's changes on one partition: "
                                "two instances or lanes do not re-submit one customer's orders at once (D-MOD-26)"},
    [OF_TOPIC_ORDER_EVENTS] = {"order.events", 8, "order id", "OrderEvent",
                               "trade-submit, trade-modify, sweep, payment-finish, delivery",
                               "analytics, notifications", "order lifecycle"},
    [OF_TOPIC_FLASH_JOBS] = {"flash.jobs", 8, "order line (0..N-1)", "FlashJob", "gateway", "flash",
                             "N order lines = N partitions (FS-5)"},
    [OF_TOPIC_PAYMENT_COMPLETED] = {"payment.completed", 8, "order id", "PaymentCompleted", "gateway (outbox)",
                                    "payment-finish", ""},
    [OF_TOPIC_DELIVERY_REQUEST] = {"delivery.request", 8, "order id", "DeliveryRequest", "payment-finish", "delivery",
                                   "DLV-2..DLV-4"},
    [OF_TOPIC_RETRY_1] = {"retry.30s", 8, "original key", "RetryEnvelope", "any worker (of_ladder_send)",
                          "retry-ladder", "DLV-6 rung 1"},
    [OF_TOPIC_RETRY_2] = {"retry.300s", 8, "original key", "RetryEnvelope", "retry-ladder", "retry-ladder", "rung 2"},
    [OF_TOPIC_RETRY_3] = {"retry.3600s", 8, "original key", "RetryEnvelope", "retry-ladder", "retry-ladder", "rung 3"},
    [OF_TOPIC_RETRY_4] = {"retry.7200s", 8, "original key", "RetryEnvelope", "retry-ladder", "retry-ladder", "rung 4"},
    [OF_TOPIC_ORDER_SYNC] = {"order.sync", 8, "oid", "SyncOp", "buyer/seller sync-log readers", "order-sync",
                             "one order's ops in time order (SYN-2, SYN-3)"},
    [OF_TOPIC_DEADLETTER] = {"deadletter", 4, "original key", "DeadLetter", "every worker",
                             "dlq-recorder (MySQL, text log)", "original bytes + reason; re-drive to origin topic"},
};

const of_topic_def_t *of_topics(void) {
    return topics;
}

const char *of_topic_name(of_topic_t t, const char *prefix, char *buf, size_t size) {
    snprintf(buf, size, "%s%s", prefix ? prefix : "", topics[t].name);
    return buf;
}

int of_topic_find(const char *name, const char *prefix) {
    size_t pl = prefix ? strlen(prefix) : 0;
    if (pl && strncmp(name, prefix, pl)) return -1;
    for (int i = 0; i < OF_TOPIC__COUNT; i++)
        if (!strcmp(name + pl, topics[i].name)) return i;
    return -1;
}

void of_topics_print_markdown(void) {
    printf("| Topic | Partitions | Key | Message | Producers | Consumers | Note |\n|---|---|---|---|---|---|---|\n");
    for (int i = 0; i < OF_TOPIC__COUNT; i++) {
        const of_topic_def_t *t = &topics[i];
        printf("| `%s` | %d | %s | `%s` | %s | %s | %s |\n", t->name, t->partitions, t->key, t->message, t->producers,
               t->consumers, t->note);
    }
}
