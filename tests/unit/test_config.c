/* test_config.c -- configuration: defaults, file, environment precedence, validation with the key named. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "of_config.h"

static void clean_env(void) {
    const of_cfg_def_t *d = of_config_defs();
    for (int i = 0; i < OF_CFG__COUNT; i++)
        unsetenv(d[i].name);
    unsetenv("OF_CONFIG");
}

TestSuite(config, .init = clean_env);

Test(config, defaults_load) {
    char err[256];
    of_config_t *c = of_config_load(NULL, err, sizeof err);
    cr_assert_not_null(c, "%s", err);
    cr_expect_eq(of_cfg_int(c, OF_CFG_MYSQL_PORT), 3306);
    cr_expect_str_eq(of_cfg_str(c, OF_CFG_REDIS_PREFIX), "of:");
    cr_expect_neq(strlen(of_cfg_str(c, OF_CFG_INSTANCE_ID)), 0, "instance id defaults to host:pid");
    of_config_destroy(c);
}

Test(config, file_then_env_wins) {
    char path[] = "/tmp/of_cfg_XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    fprintf(f, "# comment\nexport OF_MYSQL_PORT=33306\nOF_REDIS_PORT=\"36379\"\nOF_STATE_DIR=/x\n\nOF_BATCH_SIZE=50\n");
    fclose(f);
    setenv("OF_BATCH_SIZE", "70", 1);
    char err[256];
    of_config_t *c = of_config_load(path, err, sizeof err);
    unlink(path);
    cr_assert_not_null(c, "%s", err);
    cr_expect_eq(of_cfg_int(c, OF_CFG_MYSQL_PORT), 33306);
    cr_expect_eq(of_cfg_int(c, OF_CFG_REDIS_PORT), 36379, "quotes stripped");
    cr_expect_eq(of_cfg_int(c, OF_CFG_BATCH_SIZE), 70, "environment wins over the file");
    of_config_destroy(c);
}

static void expect_bad(const char *key, const char *value, const char *needle) {
    clean_env();
    setenv(key, value, 1);
    char err[256] = "";
    of_config_t *c = of_config_load(NULL, err, sizeof err);
    unsetenv(key);
    cr_expect_null(c, "%s=%s accepted", key, value);
    of_config_destroy(c);
    cr_expect(strstr(err, key) != NULL, "error '%s' names the key", err);
    cr_expect(strstr(err, needle) != NULL, "error '%s' says '%s'", err, needle);
}

Test(config, bad_integer) {
    expect_bad("OF_MYSQL_PORT", "abc", "not an integer");
}
Test(config, out_of_range) {
    expect_bad("OF_MYSQL_PORT", "70000", "out of range 1..65535");
}
Test(config, trailing_garbage) {
    expect_bad("OF_BATCH_SIZE", "10x", "not an integer");
}
Test(config, bad_choice) {
    expect_bad("OF_LOG_LEVEL", "loud", "must be one of debug|info|warn|error");
}
Test(config, bad_profile) {
    expect_bad("OF_KAFKA_PROFILE", "dev", "must be one of");
}

Test(config, unknown_key_in_file_is_an_error) {
    char path[] = "/tmp/of_cfg_XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    fprintf(f, "MYSQL_PORT=1\n");
    fclose(f);
    char err[256] = "";
    of_config_t *c = of_config_load(path, err, sizeof err);
    unlink(path);
    cr_expect_null(c);
    cr_expect(strstr(err, "unknown key MYSQL_PORT") != NULL, "%s", err);
}

Test(config, missing_file_is_an_error) {
    char err[256] = "";
    cr_expect_null(of_config_load("/nonexistent/of.conf", err, sizeof err));
    cr_expect(strstr(err, "/nonexistent/of.conf") != NULL, "%s", err);
}

Test(config, set_validates) {
    char err[256];
    of_config_t *c = of_config_load(NULL, err, sizeof err);
    cr_assert_not_null(c);
    cr_expect_eq(of_cfg_set(c, OF_CFG_BATCH_SIZE, "0", err, sizeof err), OF_ERR_CONFIG);
    cr_expect_eq(of_cfg_set(c, OF_CFG_BATCH_SIZE, "10", err, sizeof err), OF_OK);
    cr_expect_eq(of_cfg_int(c, OF_CFG_BATCH_SIZE), 10);
    of_config_destroy(c);
}

Test(config, every_key_documented) {
    const of_cfg_def_t *d = of_config_defs();
    for (int i = 0; i < OF_CFG__COUNT; i++) {
        cr_expect_not_null(d[i].name, "key %d has no name", i);
        cr_expect(d[i].doc && strlen(d[i].doc) > 10, "%s lacks documentation", d[i].name);
        cr_expect(!strncmp(d[i].name, "OF_", 3), "%s has the OF_ prefix", d[i].name);
    }
}
