/* of_topics.h -- the one topic table: name, key, payload message, producers, consumers, partitions. */
#ifndef OF_TOPICS_H
#define OF_TOPICS_H
#include <stddef.h>

typedef enum {
    OF_TOPIC_TRADE_RAW,
    OF_TOPIC_TRADE_CHANGED,
    OF_TOPIC_ORDER_EVENTS,
    OF_TOPIC_FLASH_JOBS,
    OF_TOPIC_PAYMENT_COMPLETED,
    OF_TOPIC_DELIVERY_REQUEST,
    OF_TOPIC_RETRY_1,
    OF_TOPIC_RETRY_2,
    OF_TOPIC_RETRY_3,
    OF_TOPIC_RETRY_4,
    OF_TOPIC_ORDER_SYNC,
    OF_TOPIC_DEADLETTER,
    OF_TOPIC__COUNT
} of_topic_t;

typedef struct {
    const char *name; /* without OF_TOPIC_PREFIX */
    int partitions;
    const char *key;
    const char *message; /* protobuf message in proto/ */
    const char *producers;
    const char *consumers;
    const char *note;
} of_topic_def_t;

/* Static table, OF_TOPIC__COUNT entries. */
const of_topic_def_t *of_topics(void);
/* Full name with prefix into buf; returns buf. */
const char *of_topic_name(of_topic_t t, const char *prefix, char *buf, size_t size);
/* Index of a (prefixed) topic name, or -1. */
int of_topic_find(const char *name, const char *prefix);
void of_topics_print_markdown(void);

#endif
