/* ordctl internals shared by the command files (tools/ordctl/cmd_*.c). */
#ifndef ORDCTL_H
#define ORDCTL_H
#include <librdkafka/rdkafka.h>
#include <stdint.h>
#include "of_config.h"
#include "of_time.h"

extern of_config_t *cfg; /* loaded by main() before any command runs */

int need_kafka(void); /* -1 (with a message) when OF_KAFKA_BOOTSTRAP is unset */

typedef int (*msg_cb)(const rd_kafka_message_t *m, void *arg); /* non-zero = stop */
/* Read every message of topic present now, from the beginning; calls cb for each. */
int read_topic(const char *topic, msg_cb cb, void *arg);


/* Commands living in their own files. */
int cmd_dlq(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_stock_check(int argc, char **argv);
int cmd_deliver(int argc, char **argv);
int cmd_deliveries(int argc, char **argv);
int cmd_topics(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_order(int argc, char **argv);
int cmd_flash(int argc, char **argv);
int cmd_site(int argc, char **argv);
int cmd_whatif(int argc, char **argv);

#endif
