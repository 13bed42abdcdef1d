/* of_config.h -- configuration: documented keys, defaults, an optional KEY=value file, env overrides. */
#ifndef OF_CONFIG_H
#define OF_CONFIG_H
#include <stdint.h>
#include <stddef.h>
#include "of_err.h"

typedef enum {
    OF_CFG_LOG_LEVEL,
    OF_CFG_INSTANCE_ID,
    OF_CFG_MYSQL_HOST,
    OF_CFG_MYSQL_PORT,
    OF_CFG_MYSQL_USER,
    OF_CFG_MYSQL_PASSWORD,
    OF_CFG_MYSQL_DB,
    OF_CFG_MYSQL_BUYER_DB,
    OF_CFG_MYSQL_SELLER_DB,
    OF_CFG_MYSQL_CONNECT_TIMEOUT_S,
    OF_CFG_MYSQL_LOCK_WAIT_S,
    OF_CFG_MYSQL_PREPARED_PARAMS,
    OF_CFG_MYSQL_BULK,
    OF_CFG_REDIS_HOST,
    OF_CFG_REDIS_PORT,
    OF_CFG_REDIS_PASSWORD,
    OF_CFG_REDIS_PREFIX,
    OF_CFG_REDIS_DEDUPE_TTL_S,
    OF_CFG_KAFKA_BOOTSTRAP,
    OF_CFG_KAFKA_PROFILE,
    OF_CFG_KAFKA_EXTRA,
    OF_CFG_KAFKA_UNREACHABLE_ALERT_S,
    OF_CFG_KAFKA_SASL_USERNAME,
    OF_CFG_KAFKA_SASL_PASSWORD,
    OF_CFG_KAFKA_GROUP,
    OF_CFG_KAFKA_STATIC_MEMBER,
    OF_CFG_TOPIC_PREFIX,
    OF_CFG_BATCH_SIZE,
    OF_CFG_BATCH_WAIT_MS,
    OF_CFG_WORKER_LANES,
    OF_CFG_TRACE_THREAD,
    OF_CFG_SIDE_READS,
    OF_CFG_TX_RETRIES,
    OF_CFG_RETRY_BACKOFF_MAX_MS,
    OF_CFG_STATS_INTERVAL_S,
    OF_CFG_LUA_DIR,
    OF_CFG_SCHEMA_DIR,
    OF_CFG_OUTBOX_SWEEP_S,
    OF_CFG_OUTBOX_RETENTION_H,
    OF_CFG_LEDGER_RETENTION_H,
    OF_CFG_CATALOG_REFRESH_S,
    OF_CFG_RESUBMIT_AUTO,
    OF_CFG_PLATFORM_UTC_OFFSET_S,
    OF_CFG_PLATFORM_NOW,
    OF_CFG_RETRY_LADDER,
    OF_CFG_DELIVERY_MAX_INFLIGHT,
    OF_CFG_DELIVERY_CONNECT_TIMEOUT_MS,
    OF_CFG_DEADLETTER_LOG,
    OF_CFG_SWEEP_BATCH,
    OF_CFG_SWEEP_INTERVAL_MS,
    OF_CFG_FLASH_TTL_MS,
    OF_CFG_FLASH_ATTEMPTS,
    OF_CFG_FLASH_BACKOFF_MS,
    OF_CFG_FLASH_JOB_KEEP_S,
    OF_CFG_GATEWAY_BIND,
    OF_CFG_GATEWAY_PORT,
    OF_CFG_GATEWAY_THREADS,
    OF_CFG_GATEWAY_MAX_BODY,
    OF_CFG_GATEWAY_QUEUE_TIMEOUT_MS,
    OF_CFG_GATEWAY_TOKENS,
    OF_CFG_GATEWAY_USER_SECRET,
    OF_CFG_CONSOLE_BIND,
    OF_CFG_CONSOLE_PORT,
    OF_CFG_CONSOLE_THREADS,
    OF_CFG_CONSOLE_TOKEN,
    OF_CFG_CONSOLE_REFRESH_S,
    OF_CFG_PAY_PROVIDER_URL,
    OF_CFG_PAY_PROVIDER_SECRET,
    OF_CFG_PAY_NOTIFY_URL,
    OF_CFG_FINISH_PUSH_MERCHANT,
    OF_CFG_FINISH_MESSAGE_MERCHANT,
    OF_CFG_SITE_BUYER_HOST,
    OF_CFG_SITE_BUYER_PORT,
    OF_CFG_SITE_SELLER_HOST,
    OF_CFG_SITE_SELLER_PORT,
    OF_CFG_SITE_REPLICA_HOST,
    OF_CFG_SITE_REPLICA_PORT,
    OF_CFG_SYNC_LAG_WAIT_MS,
    OF_CFG_SYNC_PUBLISH_BATCH,
    OF_CFG_SYNC_PUBLISH_IDLE_MS,
    OF_CFG_SYNC_SWEEP_S,
    OF_CFG_ADMIN_BIND,
    OF_CFG_ADMIN_PORT,
    OF_CFG_ADMIN_STALL_S,
    OF_CFG__COUNT
} of_cfg_key_t;

typedef enum { OF_CFGT_STR, OF_CFGT_INT, OF_CFGT_SECRET, OF_CFGT_ENUM } of_cfg_type_t;

typedef struct {
    const char *name; /* environment variable and file key, e.g. "OF_MYSQL_PORT" */
    of_cfg_type_t type;
    const char *defval;  /* NULL = required */
    long long min, max;  /* OF_CFGT_INT range */
    const char *choices; /* OF_CFGT_ENUM: "a|b|c" */
    const char *doc;
} of_cfg_def_t;

typedef struct of_config_s of_config_t;

/* The documented key table (static, OF_CFG__COUNT entries). */
const of_cfg_def_t *of_config_defs(void);

/* Build a configuration: defaults, then the file (path may be NULL; else KEY=value lines,
 * '#' comments, optional leading "export "), then the environment. Every value is validated;
 * a bad one fails with "KEY: reason" in errstr and NULL is returned.
 * Caller frees with of_config_destroy(). */
of_config_t *of_config_load(const char *path, char *errstr, size_t errstr_size);
void of_config_destroy(of_config_t *cfg);

/* Borrowed; valid until of_config_destroy(). Never NULL (empty string when unset). */
const char *of_cfg_str(const of_config_t *cfg, of_cfg_key_t key);
long long of_cfg_int(const of_config_t *cfg, of_cfg_key_t key);
/* Now on the platform clock (raw-trade times are naive platform-local times): OF_PLATFORM_NOW when set (tests),
 * else the system clock + OF_PLATFORM_UTC_OFFSET_S; seconds as of_time_parse gives them. */
int64_t of_cfg_platform_now(const of_config_t *cfg);
/* 1 when key's value came from the file, the environment or of_cfg_set(), 0 when it is the default (or, for
 * OF_INSTANCE_ID, the host:pid filled in at load). */
int of_cfg_explicit(const of_config_t *cfg, of_cfg_key_t key);
/* Override a value (tests, command-line flags); validated like a loaded one. */
of_err_t of_cfg_set(of_config_t *cfg, of_cfg_key_t key, const char *value, char *errstr, size_t errstr_size);

/* Validate one value against its definition; pure. Returns OF_OK or OF_ERR_CONFIG with the reason. */
of_err_t of_cfg_validate(const of_cfg_def_t *def, const char *value, char *errstr, size_t errstr_size);

/* Unknown OF_* names: of_config_load() remembers every OF_* name of the environment or the file that is no key
 * (nor one of the OF_* variables the scripts, tests and fleet read: OF_STATE_DIR, OF_BUILD_DIR, OF_TEST_*,
 * OF_FLEET_*, OF_MERCHANT_* secret refs ...); of_config_warn_unknown() logs one warning per name with its source
 * and the nearest key (call it once logging is set up). */
void of_config_warn_unknown(const of_config_t *cfg);
/* 1 when name[0..len) is one of those non-key OF_* variables. */
int of_config_other_name(const char *name, size_t len);
/* The key nearest to name[0..len) by edit distance (Levenshtein, case-insensitive); *dist (may be NULL) gets it. */
const char *of_config_nearest(const char *name, size_t len, int *dist);

/* Print the key reference: markdown table (docs/config.md) or a --help listing. */
void of_config_print_markdown(void);
void of_config_print_help(void);

#endif
