/* fixture_kafka.h -- a clean configuration for the Kafka configuration tests (test_kafka_member.c,
 * test_kafka_gap.c): every OF_ variable unset, and a bootstrap address that is never dialled. */
#ifndef FIXTURE_KAFKA_H
#define FIXTURE_KAFKA_H
#include <criterion/criterion.h>
#include <stdlib.h>
#include "of_config.h"

/* A suite's .init: no OF_ variable from the caller's environment leaks into a test. */
static void fx_kafka_env(void) {
    const of_cfg_def_t *d = of_config_defs();
    for (int i = 0; i < OF_CFG__COUNT; i++)
        unsetenv(d[i].name);
    unsetenv("OF_CONFIG");
    setenv("OF_KAFKA_BOOTSTRAP", "127.0.0.1:1", 1);
}

/* The configuration from the environment (no file); the test fails when it does not load. */
static of_config_t *fx_kafka_load(void) {
    char err[256];
    of_config_t *c = of_config_load(NULL, err, sizeof err);
    cr_assert_not_null(c, "%s", err);
    return c;
}

#endif
