/* test_kafka_member.c -- static consumer-group membership (issue 10, item 7; D-T10-41): which OF_INSTANCE_ID becomes
 * Kafka's group.instance.id under OF_KAFKA_STATIC_MEMBER auto|on|off, and that only group consumers get it. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "of_config.h"
#include "of_kafka.h"
#include "fixture_kafka.h"

TestSuite(member, .init = fx_kafka_env);

/* The group.instance.id of_kafka_static_id chooses ("" = dynamic); rc its return. */
static const char *chosen(of_config_t *c, of_err_t *rc, char *why, size_t n) {
    const char *id = NULL;
    *rc = of_kafka_static_id(c, &id, why, n);
    return id ? id : "";
}

Test(member, instance_ids_kafka_accepts) {
    cr_expect(of_kafka_instance_id_ok("trade-submit-1"));
    cr_expect(of_kafka_instance_id_ok("delivery_2.eu-west"));
    char max[250];
    memset(max, 'a', 249);
    max[249] = '\0';
    cr_expect(of_kafka_instance_id_ok(max), "249 characters");
    char over[251];
    memset(over, 'a', 250);
    over[250] = '\0';
    cr_expect_not(of_kafka_instance_id_ok(over), "250 characters");
    cr_expect_not(of_kafka_instance_id_ok(""));
    cr_expect_not(of_kafka_instance_id_ok("."));
    cr_expect_not(of_kafka_instance_id_ok(".."));
    cr_expect_not(of_kafka_instance_id_ok("host:1234"), "host:pid is never an instance id");
    cr_expect_not(of_kafka_instance_id_ok("trade submit"));
    cr_expect_not(of_kafka_instance_id_ok("仓库-1"));
}

Test(member, auto_without_an_instance_id_is_dynamic) {
    of_config_t *c = fx_kafka_load();
    char why[256];
    of_err_t rc;
    cr_expect_str_eq(chosen(c, &rc, why, sizeof why), "", "default host:pid changes at every start: dynamic");
    cr_expect_eq(rc, OF_OK);
    cr_expect_not(of_cfg_explicit(c, OF_CFG_INSTANCE_ID));
    cr_expect(strstr(why, "OF_INSTANCE_ID not set"), "%s", why);
    of_config_destroy(c);
}

Test(member, auto_with_an_instance_id_from_the_environment_is_static) {
    setenv("OF_INSTANCE_ID", "trade-submit-1", 1);
    of_config_t *c = fx_kafka_load();
    char why[256];
    of_err_t rc;
    cr_expect_str_eq(chosen(c, &rc, why, sizeof why), "trade-submit-1");
    cr_expect_eq(rc, OF_OK);
    of_config_destroy(c);
}

Test(member, auto_with_an_instance_id_from_the_config_file_is_static) {
    char path[] = "/tmp/of_member_XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    fprintf(f, "OF_INSTANCE_ID=delivery-2\n");
    fclose(f);
    char err[256], why[256];
    of_config_t *c = of_config_load(path, err, sizeof err);
    unlink(path);
    cr_assert_not_null(c, "%s", err);
    of_err_t rc;
    cr_expect_str_eq(chosen(c, &rc, why, sizeof why), "delivery-2");
    of_config_destroy(c);
}

Test(member, an_empty_instance_id_is_no_id) {
    setenv("OF_INSTANCE_ID", "", 1);
    of_config_t *c = fx_kafka_load();
    char why[256];
    of_err_t rc;
    cr_expect_str_eq(chosen(c, &rc, why, sizeof why), "");
    cr_expect_neq(strlen(of_cfg_str(c, OF_CFG_INSTANCE_ID)), 0, "host:pid filled in");
    cr_expect_not(of_cfg_explicit(c, OF_CFG_INSTANCE_ID));
    of_config_destroy(c);
}

Test(member, auto_with_an_id_kafka_refuses_stays_dynamic) {
    setenv("OF_INSTANCE_ID", "web 1", 1);
    of_config_t *c = fx_kafka_load();
    char why[256];
    of_err_t rc;
    cr_expect_str_eq(chosen(c, &rc, why, sizeof why), "");
    cr_expect_eq(rc, OF_OK, "auto never refuses to start");
    cr_expect(strstr(why, "not a valid group.instance.id"), "%s", why);
    of_config_destroy(c);
}

Test(member, on_requires_a_usable_instance_id) {
    setenv("OF_KAFKA_STATIC_MEMBER", "on", 1);
    of_config_t *c = fx_kafka_load();
    char why[256];
    of_err_t rc;
    cr_expect_str_eq(chosen(c, &rc, why, sizeof why), "");
    cr_expect_eq(rc, OF_ERR_CONFIG);
    cr_expect(strstr(why, "OF_KAFKA_STATIC_MEMBER=on: OF_INSTANCE_ID must be set"), "%s", why);
    of_config_destroy(c);
    setenv("OF_INSTANCE_ID", "host:77", 1);
    c = fx_kafka_load();
    cr_expect_str_eq(chosen(c, &rc, why, sizeof why), "");
    cr_expect_eq(rc, OF_ERR_CONFIG);
    cr_expect(strstr(why, "OF_INSTANCE_ID=host:77: not usable as a Kafka group.instance.id"), "%s", why);
    of_config_destroy(c);
    setenv("OF_INSTANCE_ID", "trade-submit-3", 1);
    c = fx_kafka_load();
    cr_expect_str_eq(chosen(c, &rc, why, sizeof why), "trade-submit-3");
    cr_expect_eq(rc, OF_OK);
    of_config_destroy(c);
}

Test(member, off_is_dynamic_whatever_the_id) {
    setenv("OF_KAFKA_STATIC_MEMBER", "off", 1);
    setenv("OF_INSTANCE_ID", "trade-submit-1", 1);
    of_config_t *c = fx_kafka_load();
    char why[256];
    of_err_t rc;
    cr_expect_str_eq(chosen(c, &rc, why, sizeof why), "");
    cr_expect_eq(rc, OF_OK);
    of_config_destroy(c);
}

Test(member, a_bad_mode_is_a_configuration_error) {
    setenv("OF_KAFKA_STATIC_MEMBER", "yes", 1);
    char err[256];
    of_config_t *c = of_config_load(NULL, err, sizeof err);
    cr_expect_null(c);
    cr_expect(strstr(err, "OF_KAFKA_STATIC_MEMBER=yes: must be one of auto|on|off"), "%s", err);
}

Test(member, an_id_set_by_of_cfg_set_counts_as_explicit) {
    of_config_t *c = fx_kafka_load();
    char err[256], why[256];
    cr_assert_eq(of_cfg_set(c, OF_CFG_INSTANCE_ID, "retry-ladder-1", err, sizeof err), OF_OK);
    of_err_t rc;
    cr_expect_str_eq(chosen(c, &rc, why, sizeof why), "retry-ladder-1");
    of_config_destroy(c);
}

/* A property's value, "" when it is not set (librdkafka answers RD_KAFKA_CONF_UNKNOWN for an unset string). */
static const char *conf_value(rd_kafka_conf_t *conf, const char *name, char *buf, size_t size) {
    size_t n = size;
    if (rd_kafka_conf_get(conf, name, buf, &n) != RD_KAFKA_CONF_OK) return "";
    return buf;
}

Test(member, only_group_consumers_get_the_group_instance_id) {
    setenv("OF_INSTANCE_ID", "trade-submit-1", 1);
    of_config_t *c = fx_kafka_load();
    char err[256], v[256];
    rd_kafka_conf_t *conf = of_kafka_consumer_conf_new(c, "orderfleet.trade-submit", "trade-submit-1", err, sizeof err);
    cr_assert_not_null(conf, "%s", err);
    cr_expect_str_eq(conf_value(conf, "group.instance.id", v, sizeof v), "trade-submit-1");
    cr_expect_str_eq(conf_value(conf, "partition.assignment.strategy", v, sizeof v), "cooperative-sticky");
    rd_kafka_conf_destroy(conf);
    /* ordctl's readers and the producers have no group membership */
    conf = of_kafka_conf_new(c, OF_KAFKA_CONSUMER, "ordctl-reader", err, sizeof err);
    cr_assert_not_null(conf, "%s", err);
    cr_expect_str_eq(conf_value(conf, "group.instance.id", v, sizeof v), "");
    rd_kafka_conf_destroy(conf);
    conf = of_kafka_conf_new(c, OF_KAFKA_PRODUCER, "p", err, sizeof err);
    cr_assert_not_null(conf, "%s", err);
    cr_expect_str_eq(conf_value(conf, "group.instance.id", v, sizeof v), "");
    rd_kafka_conf_destroy(conf);
    of_config_destroy(c);
}

Test(member, dynamic_consumers_have_no_group_instance_id) {
    of_config_t *c = fx_kafka_load();
    char err[256], v[256];
    rd_kafka_conf_t *conf = of_kafka_consumer_conf_new(c, "orderfleet.trade-submit", "x", err, sizeof err);
    cr_assert_not_null(conf, "%s", err);
    cr_expect_str_eq(conf_value(conf, "group.instance.id", v, sizeof v), "");
    rd_kafka_conf_destroy(conf);
    of_config_destroy(c);
}

Test(member, on_without_an_id_refuses_the_consumer_conf) {
    setenv("OF_KAFKA_STATIC_MEMBER", "on", 1);
    of_config_t *c = fx_kafka_load();
    char err[256];
    rd_kafka_conf_t *conf = of_kafka_consumer_conf_new(c, "g", "x", err, sizeof err);
    cr_expect_null(conf);
    cr_expect(strstr(err, "OF_INSTANCE_ID must be set"), "%s", err);
    of_config_destroy(c);
}

Test(member, no_fatal_error_no_exit_code) {
    cr_expect_eq(of_kafka_fatal(), 0);
    cr_expect_eq(of_kafka_fatal_exit_code(), 0);
}
