/* test_config.c -- configuration: defaults, file, environment precedence, validation with the key named. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
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

/* A config file with text at a fresh path (path: a mkstemp template). */
static void write_conf(char *path, const char *text) {
    FILE *f = fdopen(mkstemp(path), "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

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
    write_conf(path,
               "# comment\nexport OF_MYSQL_PORT=33306\nOF_REDIS_PORT=\"36379\"\nOF_STATE_DIR=/x\n\nOF_BATCH_SIZE=50\n");
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
/* D-RT-7: the group is the processed-event ledger's consumer (VARCHAR(64) ascii): refused at start, not a dead letter
 * per message */
Test(config, D_RT_7_group_printable_ascii_up_to_64) {
    expect_bad("OF_KAFKA_GROUP", "modify-\xc3\xa9", "printable ASCII");
    expect_bad("OF_KAFKA_GROUP", "my group", "printable ASCII");
    char g[66];
    memset(g, 'g', 65);
    g[65] = '\0';
    expect_bad("OF_KAFKA_GROUP", g, "longer than 64");
    g[64] = '\0';
    clean_env();
    setenv("OF_KAFKA_GROUP", g, 1);
    char err[256] = "";
    of_config_t *c = of_config_load(NULL, err, sizeof err);
    unsetenv("OF_KAFKA_GROUP");
    cr_expect_not_null(c, "64 characters refused: %s", err);
    of_config_destroy(c);
}

Test(config, unknown_key_in_file_is_an_error) {
    char path[] = "/tmp/of_cfg_XXXXXX";
    write_conf(path, "MYSQL_PORT=1\n");
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

static const char *nearest(const char *name, int *d) {
    return of_config_nearest(name, strlen(name), d);
}

Test(config, nearest_key) {
    int d = -1;
    cr_expect_str_eq(nearest("OF_MYSQL_PORTT", &d), "OF_MYSQL_PORT");
    cr_expect_eq(d, 1, "one insertion");
    cr_expect_str_eq(nearest("OF_REDIS_PROT", &d), "OF_REDIS_PORT");
    cr_expect_eq(d, 2, "a transposition is two edits");
    cr_expect_str_eq(nearest("of_batch_size", &d), "OF_BATCH_SIZE");
    cr_expect_eq(d, 0, "case is ignored");
    cr_expect_str_eq(nearest("OF_KAFKA_BOOTSTRAPS", &d), "OF_KAFKA_BOOTSTRAP");
    cr_expect_str_eq(nearest("OF_SWEEP_INTERVAL", &d), "OF_SWEEP_INTERVAL_MS");
    cr_expect_eq(d, 3);
    cr_expect_str_eq(nearest("OF_LOG_LEVEL", &d), "OF_LOG_LEVEL");
    cr_expect_eq(d, 0, "a key is its own nearest");
    cr_expect_not_null(nearest("", &d), "an empty name still gets a key");
}

Test(config, other_names_are_no_keys) {
    const char *ok[] = {"OF_STATE_DIR",   "OF_BUILD_DIR",         "OF_CONFIG",    "OF_TEST_FAILPOINT",
                        "OF_FLEET_SWEEP", "OF_MERCHANT_1_SECRET", "OF_KAFKA_PORT"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        cr_expect(of_config_other_name(ok[i], strlen(ok[i])), "%s is a known non-key variable", ok[i]);
    const char *no[] = {"OF_MYSQL_PORTT", "OF_FLEET_", "OF_STATE", "OF_TESTX"};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        cr_expect(!of_config_other_name(no[i], strlen(no[i])), "%s is not", no[i]);
}

/* An unknown OF_* name in the environment and in the file is warned about once each, with the nearest key; the
 * non-key variables of the scripts are not; loading still succeeds. */
Test(config, unknown_names_warn_with_nearest, .init = cr_redirect_stderr) {
    clean_env();
    char path[] = "/tmp/of_cfg_XXXXXX";
    write_conf(path, "OF_STATE_DIR=/x\nOF_REDIS_PROT=1\nOF_MYSQL_PORT=3307\n");
    setenv("OF_BATCH_SIZ", "5", 1);
    setenv("OF_TEST_FAILPOINT", "x", 1);
    char err[256];
    of_config_t *c = of_config_load(path, err, sizeof err);
    unsetenv("OF_BATCH_SIZ");
    unsetenv("OF_TEST_FAILPOINT");
    cr_assert_not_null(c, "%s", err);
    cr_expect_eq(of_cfg_int(c, OF_CFG_BATCH_SIZE), 200, "an unknown name sets nothing");
    of_config_warn_unknown(c);
    of_config_destroy(c);
    fflush(stderr);
    char got[2048] = "";
    size_t n = fread(got, 1, sizeof got - 1, cr_get_redirected_stderr());
    got[n] = '\0';
    unlink(path);
    cr_expect(strstr(got, "key=OF_BATCH_SIZ source=environment nearest=OF_BATCH_SIZE") != NULL, "%s", got);
    cr_expect(strstr(got, "key=OF_REDIS_PROT") && strstr(got, ":2 nearest=OF_REDIS_PORT"), "%s", got);
    cr_expect(!strstr(got, "OF_STATE_DIR") && !strstr(got, "OF_TEST_FAILPOINT"), "%s", got);
}
