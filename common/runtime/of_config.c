/* of_config.c -- configuration keys, file and environment loading, validation. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "of_config.h"
#include "of_log.h"
#include "of_time.h"

extern char **environ;

#define INT(n, d, lo, hi, doc)                                                                                         \
    { n, OF_CFGT_INT, d, lo, hi, NULL, doc }
#define STR(n, d, doc)                                                                                                 \
    { n, OF_CFGT_STR, d, 0, 0, NULL, doc }
#define SECRET(n, doc)                                                                                                 \
    { n, OF_CFGT_SECRET, "", 0, 0, NULL, doc }
#define ENUM(n, d, ch, doc)                                                                                            \
    { n, OF_CFGT_ENUM, d, 0, 0, ch, doc }

static const of_cfg_def_t defs[OF_CFG__COUNT] = {
    [OF_CFG_LOG_LEVEL] = ENUM("OF_LOG_LEVEL", "info", "debug|info|warn|error", "Minimum level written to stderr."),
    [OF_CFG_INSTANCE_ID] =
        STR("OF_INSTANCE_ID", "",
            "Name of this process in logs and event `producer` fields; default host:pid. Set it per instance "
            "(e.g. trade-submit-1, kept across restarts) to make the instance a static member of its consumer "
            "group (OF_KAFKA_STATIC_MEMBER)."),
    [OF_CFG_MYSQL_HOST] = STR("OF_MYSQL_HOST", "127.0.0.1", "MariaDB/MySQL host."),
    [OF_CFG_MYSQL_PORT] = INT("OF_MYSQL_PORT", "3306", 1, 65535, "MariaDB/MySQL TCP port (local stack: 33306)."),
    [OF_CFG_MYSQL_USER] = STR("OF_MYSQL_USER", "orderfleet", "Database user."),
    [OF_CFG_MYSQL_PASSWORD] = SECRET(
        "OF_MYSQL_PASSWORD", "Database password. Secret: from the environment or the config file only; never logged."),
    [OF_CFG_MYSQL_DB] = STR("OF_MYSQL_DB", "orderfleet", "System-of-record database."),
    [OF_CFG_MYSQL_BUYER_DB] = STR("OF_MYSQL_BUYER_DB", "orderfleet_buyer", "Buyer-side order database (order-sync)."),
    [OF_CFG_MYSQL_SELLER_DB] =
        STR("OF_MYSQL_SELLER_DB", "orderfleet_seller", "Seller-side order database (order-sync)."),
    [OF_CFG_MYSQL_CONNECT_TIMEOUT_S] =
        INT("OF_MYSQL_CONNECT_TIMEOUT_S", "5", 1, 300,
            "Connect timeout of database connections, seconds; a read or write waits 6 times as long (a server that "
            "stops answering)."),
    [OF_CFG_MYSQL_LOCK_WAIT_S] =
        INT("OF_MYSQL_LOCK_WAIT_S", "10", 1, 3600,
            "Seconds a statement waits for a row another transaction holds (the session's "
            "innodb_lock_wait_timeout; MariaDB's default is 50) before it fails as a lock wait, which the "
            "transaction retries: it also bounds how long a stop (SIGTERM) waits for a statement held up so (D-RT-8). "
            "In the workers also the wait for a table another session has locked (LOCK TABLES, an ALTER: the "
            "session's lock_wait_timeout, MariaDB's default a day; D-RT-15); ordctl's migrations keep the server's. "
            "Keep it well under the supervisor's stop timeout (`TimeoutStopSec=45s` in deploy/systemd, "
            "`stop_grace_period: 45s` in compose): above ~40 s a stop behind a lock can be cut short by SIGKILL "
            "(nothing is lost, the batch is redelivered, but the exit is not clean)."),
    [OF_CFG_MYSQL_PREPARED_PARAMS] = INT(
        "OF_MYSQL_PREPARED_PARAMS", "40960", 0, 10000000,
        "Most parameters of the statements one database connection keeps prepared; past it the least recently "
        "used are closed and prepared again when next used (D-T10-70: the client library keeps ~220 bytes per "
        "parameter, so the default holds ~9 MB a connection; one statement larger than the limit alone stays while in "
        "use; /metrics: orderfleet_db_prepared_parameters, orderfleet_db_statements_closed_total). 0 = no limit."),
    [OF_CFG_MYSQL_BULK] = INT(
        "OF_MYSQL_BULK", "1", 0, 1,
        "1: a batch's rows of one table go to an INSERT in one execution of its one-row statement with an array of "
        "parameter rows (MariaDB's bulk execution, COM_STMT_BULK_EXECUTE), instead of multi-row statements of several "
        "sizes: one round trip and one prepared statement a table (D-RT-16). 0: multi-row statements only (a server "
        "without bulk execution, e.g. MySQL, is detected and gets them anyway)."),
    [OF_CFG_REDIS_HOST] = STR("OF_REDIS_HOST", "127.0.0.1", "Redis host."),
    [OF_CFG_REDIS_PORT] = INT("OF_REDIS_PORT", "6379", 1, 65535, "Redis port (local stack: 36379)."),
    [OF_CFG_REDIS_PASSWORD] = SECRET("OF_REDIS_PASSWORD", "Redis AUTH password; empty = no AUTH. Secret."),
    [OF_CFG_REDIS_PREFIX] =
        STR("OF_REDIS_PREFIX", "of:", "Prefix of every Redis key (several fleets can share one Redis)."),
    [OF_CFG_REDIS_DEDUPE_TTL_S] =
        INT("OF_REDIS_DEDUPE_TTL_S", "604800", 60, 31536000,
            "Lifetime of Redis dedupe keys, seconds (MySQL's processed_event stays authoritative)."),
    [OF_CFG_KAFKA_BOOTSTRAP] = STR("OF_KAFKA_BOOTSTRAP", "",
                                   "Kafka bootstrap servers, host:port[,host:port]. Required by workers and by "
                                   "ordctl's Kafka commands (local stack: written to .state/stack.env)."),
    [OF_CFG_KAFKA_PROFILE] =
        ENUM("OF_KAFKA_PROFILE", "local", "local|production",
             "`local` tunes for the local stack's Apache Kafka on one machine (fetch.wait.max.ms=100, "
             "linger.ms=5, session.timeout.ms=10000); `production` keeps librdkafka defaults "
             "plus OF_KAFKA_EXTRA."),
    [OF_CFG_KAFKA_EXTRA] =
        STR("OF_KAFKA_EXTRA", "",
            "Extra librdkafka properties, `k=v;k=v` (e.g. security.protocol=SASL_SSL;sasl.mechanisms=PLAIN). Applied "
            "to producers and consumers."),
    [OF_CFG_KAFKA_UNREACHABLE_ALERT_S] =
        INT("OF_KAFKA_UNREACHABLE_ALERT_S", "30", 1, 86400,
            "Seconds without any reachable Kafka broker after which a worker logs an error (msg=\"kafka unreachable\", "
            "repeated every 30 s) and counts it in the kafka_unreachable metric; it keeps retrying meanwhile."),
    [OF_CFG_KAFKA_SASL_USERNAME] = STR(
        "OF_KAFKA_SASL_USERNAME", "",
        "SASL user name (with security.protocol and sasl.mechanisms in OF_KAFKA_EXTRA); empty = no SASL credentials."),
    [OF_CFG_KAFKA_SASL_PASSWORD] =
        SECRET("OF_KAFKA_SASL_PASSWORD", "SASL password. Secret: keep it out of OF_KAFKA_EXTRA."),
    [OF_CFG_KAFKA_GROUP] =
        STR("OF_KAFKA_GROUP", "",
            "Consumer group; default `orderfleet.<worker>`. All instances of one worker type share it. Printable "
            "ASCII without spaces, at most 64 characters: the processed-event ledger's consumer column (D-RT-7)."),
    [OF_CFG_KAFKA_STATIC_MEMBER] =
        ENUM("OF_KAFKA_STATIC_MEMBER", "auto", "auto|on|off",
             "Static consumer-group membership (Kafka group.instance.id = OF_INSTANCE_ID): an instance restarted "
             "with the same id within the session timeout gets its partitions back without a rebalance; a stopped "
             "one keeps them until the session times out. `auto`: static when OF_INSTANCE_ID is set explicitly (1..249 "
             "characters of A-Z a-z 0-9 . _ -), else dynamic; `on`: static, a worker refuses to start without such an "
             "id; `off`: dynamic. Two running processes with one id fence each other: the older one stops with exit "
             "code 78."),
    [OF_CFG_TOPIC_PREFIX] =
        STR("OF_TOPIC_PREFIX", "", "Prefix added to every topic name (namespaces a fleet on a shared cluster)."),
    [OF_CFG_BATCH_SIZE] =
        INT("OF_BATCH_SIZE", "200", 1, 10000, "Most messages handled in one batch (one MySQL transaction)."),
    [OF_CFG_BATCH_WAIT_MS] =
        INT("OF_BATCH_WAIT_MS", "5", 0, 10000,
            "Longest wait to fill a batch once its first message is in, ms; beyond it a batch is what has "
            "arrived, so batches grow with the backlog (D-T10-66)."),
    [OF_CFG_WORKER_LANES] =
        INT("OF_WORKER_LANES", "1", 1, 8,
            "trade-submit and trade-modify: batches of one instance run on this many database connections at once, "
            "their messages shared out by partition (a key's messages stay in order on one lane); 1 = one at a "
            "time. With more than one, each connection's prepared statements stay within a bound (D-T10-64: more, "
            "smaller multi-row statements: two lanes of trade-submit peak at ~31 MB, one lane at ~28; trade-modify "
            "~34-36 MB against ~30 after 20,000 changes, D-MOD-57). Other workers ignore it."),
    [OF_CFG_TRACE_THREAD] =
        INT("OF_TRACE_THREAD", "1", 0, 1,
            "trade-submit and trade-modify: 1 = each lane compresses its orders' decision traces on a thread of its "
            "own while the rules of the next orders run (D-T10-71); 0 = on the lane's thread, one after the other."),
    [OF_CFG_SIDE_READS] =
        INT("OF_SIDE_READS", "1", 0, 1,
            "trade-modify: 1 = each lane reads a batch's sub-orders and the customers of the orders it submits "
            "again on a second connection of its own, while the batch's orders, lines and rules go on on the first "
            "(D-MOD-55, D-MOD-56); 0 = on the lane's one connection, in turn."),
    [OF_CFG_TX_RETRIES] = INT("OF_TX_RETRIES", "10", 0, 1000,
                              "Retries of a transaction after a deadlock, lock wait timeout or lost connection."),
    [OF_CFG_RETRY_BACKOFF_MAX_MS] =
        INT("OF_RETRY_BACKOFF_MAX_MS", "5000", 10, 600000, "Cap of the exponential backoff between retries, ms."),
    [OF_CFG_STATS_INTERVAL_S] = INT("OF_STATS_INTERVAL_S", "10", 0, 86400,
                                    "Seconds between `stats` log lines with the counters; 0 = only at exit."),
    [OF_CFG_LUA_DIR] =
        STR("OF_LUA_DIR", "",
            "Folder of the Redis scripts; default the source tree's lua/ or /usr/local/share/orderfleet/lua."),
    [OF_CFG_SCHEMA_DIR] =
        STR("OF_SCHEMA_DIR", "",
            "Folder of the SQL migrations; default the source tree's schema/ or /usr/local/share/orderfleet/schema."),
    [OF_CFG_OUTBOX_SWEEP_S] =
        INT("OF_OUTBOX_SWEEP_S", "5", 1, 3600,
            "Seconds between sweeps that re-publish outbox events whose delivery was not confirmed."),
    [OF_CFG_OUTBOX_RETENTION_H] =
        INT("OF_OUTBOX_RETENTION_H", "168", 1, 87600,
            "Hours a published outbox row is kept before the workers delete it (in slices, once a minute)."),
    [OF_CFG_LEDGER_RETENTION_H] =
        INT("OF_LEDGER_RETENTION_H", "336", 24, 87600,
            "Hours a processed_event row is kept. A replay of older messages is applied again, so keep it above the "
            "topics' retention (local stack: 168)."),
    [OF_CFG_CATALOG_REFRESH_S] =
        INT("OF_CATALOG_REFRESH_S", "5", 1, 3600,
            "Seconds between checks of the configuration tables (cfg_*, goods, platform goods); trade-submit "
            "reloads its catalogue cache when their fingerprint (row counts, last modification) changed."),
    [OF_CFG_RESUBMIT_AUTO] =
        INT("OF_RESUBMIT_AUTO", "0", 0, 1,
            "1: when trade-submit's catalogue refresh sees configuration tables changed (goods mapped, a warehouse "
            "added ...), it re-submits the raw trades stopped before that change by a rule the change can unblock "
            "(as `ordctl resubmit`, exactly once; docs/operations.md \"Reprocess stopped trades\"); 0: only by hand."),
    [OF_CFG_PLATFORM_UTC_OFFSET_S] =
        INT("OF_PLATFORM_UTC_OFFSET_S", "28800", -50400, 50400,
            "Offset of the platforms' local time from UTC in seconds (raw-trade times carry no zone; 28800 = "
            "UTC+8): \"now\" for the delay and wait-unpaid rules is read on this clock."),
    [OF_CFG_PLATFORM_NOW] =
        STR("OF_PLATFORM_NOW", "",
            "Fixed \"now\" (YYYY-MM-DD HH:MM:SS, platform time) for the submission rules instead of the clock; for "
            "tests and what-if runs. Empty = the clock."),
    [OF_CFG_RETRY_LADDER] =
        STR("OF_RETRY_LADDER", "30,300,3600,7200",
            "Retry ladder (DLV-6): the wait before each retry, comma-separated seconds (or `NNNms`), one rung per "
            "entry on topics retry.30s, retry.300s, retry.3600s, retry.7200s (at most 4; empty = no retries). "
            "Tries in all = rungs + 1; after the last a message is a dead letter."),
    [OF_CFG_DELIVERY_MAX_INFLIGHT] = INT("OF_DELIVERY_MAX_INFLIGHT", "64", 1, 1024,
                                         "Delivery: most HTTP calls to merchants in flight at once per instance."),
    [OF_CFG_DELIVERY_CONNECT_TIMEOUT_MS] =
        INT("OF_DELIVERY_CONNECT_TIMEOUT_MS", "2000", 10, 60000,
            "Delivery: connect timeout of a call to a merchant, ms (the total timeout is merchant.timeout_ms)."),
    [OF_CFG_DEADLETTER_LOG] =
        STR("OF_DEADLETTER_LOG", "deadletter.log",
            "Text log the dead-letter recorder appends one line per dead letter to (relative to the working "
            "directory)."),
    [OF_CFG_SWEEP_BATCH] =
        INT("OF_SWEEP_BATCH", "64", 1, 1024,
            "Sweep: customers one round locks and moves in one transaction (it reads four times as many candidates "
            "and takes those no other instance holds)."),
    [OF_CFG_SWEEP_INTERVAL_MS] =
        INT("OF_SWEEP_INTERVAL_MS", "1000", 50, 600000,
            "Sweep: the wait between rounds when the last one did not fill its batch (a full round runs the next at "
            "once): the longest a due order waits for its round."),
    [OF_CFG_FLASH_TTL_MS] = INT("OF_FLASH_TTL_MS", "5000", 100, 600000,
                                "Flash sale (FS-2): how long one attempt of a job may stay active; past it the "
                                "attempt fails (\"TTL exceeded\") and the job waits for its next attempt."),
    [OF_CFG_FLASH_ATTEMPTS] = INT("OF_FLASH_ATTEMPTS", "3", 1, 100,
                                  "Flash sale (FS-2): attempts of a job; a job started this many times without "
                                  "finishing (its worker died, or it outlived its TTL) fails."),
    [OF_CFG_FLASH_BACKOFF_MS] = INT("OF_FLASH_BACKOFF_MS", "1000", 0, 60000,
                                    "Flash sale (FS-2): wait before a job's second attempt, doubled for each next "
                                    "one (at most 60 s)."),
    [OF_CFG_FLASH_JOB_KEEP_S] = INT("OF_FLASH_JOB_KEEP_S", "86400", 60, 31536000,
                                    "Flash sale (FS-3): seconds a job's live record stays in Redis after its last "
                                    "change; later the gateway answers from fs_job."),
    [OF_CFG_GATEWAY_BIND] = STR("OF_GATEWAY_BIND", "127.0.0.1", "Gateway: address the HTTP server listens on."),
    [OF_CFG_GATEWAY_PORT] = INT("OF_GATEWAY_PORT", "8480", 1, 65535, "Gateway: HTTP port."),
    [OF_CFG_GATEWAY_THREADS] = INT("OF_GATEWAY_THREADS", "8", 1, 256,
                                   "Gateway: request threads (each holds one database and one Redis connection)."),
    [OF_CFG_GATEWAY_MAX_BODY] = INT("OF_GATEWAY_MAX_BODY", "16384", 256, 1048576,
                                    "Gateway: largest request body in bytes; more is answered 413."),
    [OF_CFG_GATEWAY_QUEUE_TIMEOUT_MS] =
        INT("OF_GATEWAY_QUEUE_TIMEOUT_MS", "5000", 100, 60000,
            "Gateway (FS-1): how long a job submit waits for Kafka to take the job before answering CreateOrderFail."),
    [OF_CFG_GATEWAY_TOKENS] =
        SECRET("OF_GATEWAY_TOKENS",
               "Gateway: service clients, `name:token:role` comma-separated (role `service`: acts for any user; "
               "`backoffice`: also registers offline payments). Secret. Buyers use signed user tokens instead."),
    [OF_CFG_GATEWAY_USER_SECRET] =
        SECRET("OF_GATEWAY_USER_SECRET",
               "Gateway: key of the buyers' bearer tokens `u.<user_id>.<expiry s>.<HMAC-SHA256 hex>` "
               "(`ordctl flash token` issues them). Secret; at least 16 characters, empty = no buyer tokens."),
    [OF_CFG_CONSOLE_BIND] = STR("OF_CONSOLE_BIND", "127.0.0.1",
                                "Ops console (of-console): address its HTTP server listens on (an IPv4 address)."),
    [OF_CFG_CONSOLE_PORT] = INT("OF_CONSOLE_PORT", "8490", 1, 65535, "Ops console: HTTP port."),
    [OF_CFG_CONSOLE_THREADS] = INT("OF_CONSOLE_THREADS", "2", 1, 64,
                                   "Ops console: request threads (each opens its own database connections)."),
    [OF_CFG_CONSOLE_TOKEN] =
        SECRET("OF_CONSOLE_TOKEN",
               "Ops console: the operators' token (16+ characters; required, of-console refuses to start without "
               "it): `Authorization: Bearer <token>`, or typed once into the login form, which sets a session cookie. "
               "Secret; never logged."),
    [OF_CFG_CONSOLE_REFRESH_S] = INT("OF_CONSOLE_REFRESH_S", "10", 0, 3600,
                                     "Ops console: the page refreshes its panels every N seconds without reloading "
                                     "(0 = never)."),
    [OF_CFG_PAY_PROVIDER_URL] =
        STR("OF_PAY_PROVIDER_URL", "",
            "Payment (FS-8, FS-11): the third-party provider's endpoint the gateway POSTs a signed payment request to; "
            "empty = no third-party payments (otherPay is refused)."),
    [OF_CFG_PAY_PROVIDER_SECRET] =
        SECRET("OF_PAY_PROVIDER_SECRET",
               "Payment: HMAC-SHA256 key shared with the provider: it signs our requests and verifies its notifies "
               "(X-OF-Signature). Secret; 16+ characters when OF_PAY_PROVIDER_URL is set."),
    [OF_CFG_PAY_NOTIFY_URL] =
        STR("OF_PAY_NOTIFY_URL", "",
            "Payment: the URL the provider notifies (this gateway's POST /api/order/pay/notify as "
            "the provider reaches it); empty = http://OF_GATEWAY_BIND:OF_GATEWAY_PORT/…"),
    [OF_CFG_FINISH_PUSH_MERCHANT] =
        INT("OF_FINISH_PUSH_MERCHANT", "0", 0, 4294967295LL,
            "payment-finish (FS-9): the merchant row (endpoint, secret) of the push service that tells the buyer's "
            "devices \"付款成功\"; delivered as a signed webhook by of-delivery. 0 = no push (the step is skipped)."),
    [OF_CFG_FINISH_MESSAGE_MERCHANT] =
        INT("OF_FINISH_MESSAGE_MERCHANT", "0", 0, 4294967295LL,
            "payment-finish (FS-9): the merchant row of the system-message service (the order's pay-success "
            "message); 0 = none (the step is skipped)."),
    [OF_CFG_SITE_BUYER_HOST] = STR("OF_SITE_BUYER_HOST", "127.0.0.1",
                                   "order-sync: the buyer site's MariaDB server (database OF_MYSQL_BUYER_DB; the same "
                                   "account as OF_MYSQL_USER / OF_MYSQL_PASSWORD)."),
    [OF_CFG_SITE_BUYER_PORT] = INT("OF_SITE_BUYER_PORT", "3306", 1, 65535,
                                   "order-sync: the buyer site's port (local stack: OF_MYSQL_PORT+1)."),
    [OF_CFG_SITE_SELLER_HOST] = STR("OF_SITE_SELLER_HOST", "127.0.0.1",
                                    "order-sync: the seller site's primary server (database OF_MYSQL_SELLER_DB)."),
    [OF_CFG_SITE_SELLER_PORT] = INT("OF_SITE_SELLER_PORT", "3306", 1, 65535,
                                    "order-sync: the seller primary's port (local stack: OF_MYSQL_PORT+2)."),
    [OF_CFG_SITE_REPLICA_HOST] =
        STR("OF_SITE_REPLICA_HOST", "127.0.0.1",
            "order-sync: the replica of the seller primary at the buyer site (read only; the sync reads the seller's "
            "ops there once it has caught up, SYN-4)."),
    [OF_CFG_SITE_REPLICA_PORT] =
        INT("OF_SITE_REPLICA_PORT", "3306", 1, 65535, "order-sync: the replica's port (local stack: OF_MYSQL_PORT+3)."),
    [OF_CFG_SYNC_LAG_WAIT_MS] =
        INT("OF_SYNC_LAG_WAIT_MS", "2000", 0, 60000,
            "order-sync (SYN-4): how long a round waits for the replica to reach the seller primary's newest op of "
            "an order (MASTER_GTID_WAIT); an order still behind then goes up the retry ladder."),
    [OF_CFG_SYNC_PUBLISH_BATCH] = INT("OF_SYNC_PUBLISH_BATCH", "500", 1, 10000,
                                      "order-sync: sync-log rows a reader publishes to order.sync per transaction."),
    [OF_CFG_SYNC_PUBLISH_IDLE_MS] =
        INT("OF_SYNC_PUBLISH_IDLE_MS", "50", 5, 10000,
            "order-sync: how long a reader sleeps when its sync log has nothing unpublished."),
    [OF_CFG_SYNC_SWEEP_S] = INT(
        "OF_SYNC_SWEEP_S", "10", 0, 3600,
        "order-sync: the catch-up sweep: every S seconds, orders whose sync-log ops are S seconds old and still not "
        "taken (waited for the replica past their retry ladder, dead-lettered, committed late) get a round; 0 = "
        "off."),
    [OF_CFG_ADMIN_BIND] = STR("OF_ADMIN_BIND", "127.0.0.1",
                              "Admin port: the address /metrics, /healthz and /readyz listen on (every worker and "
                              "the gateway)."),
    [OF_CFG_ADMIN_PORT] =
        INT("OF_ADMIN_PORT", "0", 0, 65535,
            "Admin port: Prometheus /metrics, liveness /healthz and readiness /readyz of this process; 0 = off. Each "
            "instance on a host needs its own (scripts/fleet.sh gives each one)."),
    [OF_CFG_ADMIN_STALL_S] =
        INT("OF_ADMIN_STALL_S", "120", 5, 86400,
            "Admin port: /healthz answers 503 once the worker's loop has not come round for this many seconds (a batch "
            "stuck in a call that never returns)."),
};

#define UNKNOWN_MAX 32

struct of_config_s {
    char *val[OF_CFG__COUNT];
    unsigned char explicit_[OF_CFG__COUNT]; /* from the file, the environment or of_cfg_set() */
    char *unknown[UNKNOWN_MAX];             /* OF_* names that are no key: "NAME\tSOURCE" (of_config_warn_unknown) */
    int nunknown;
};

/* OF_* variables that are not configuration keys but are read by the scripts, the tests or the fleet (exact names,
 * then prefixes). merchant.secret_ref names are OF_MERCHANT_* in the samples (or any name without OF_). */
static const char *const other_names[] = {
    "OF_CONFIG",          "OF_STATE_DIR",          "OF_BUILD_DIR",   "OF_REPO",
    "OF_KAFKA_PORT",      "OF_KAFKA_BROKERS",      "OF_KAFKA_HEAP",  "OF_KAFKA_HOME",
    "OF_SITES",           "OF_BROKER_WAIT",        "OF_TOPICS_ARGS", "OF_IMAGE",
    "OF_REQUIRE_COMPOSE", "OF_MYSQL_ROOT_PASSWORD"};
static const char *const other_prefixes[] = {"OF_TEST_", "OF_IT_", "OF_IT3_", "OF_BENCH_", "OF_FLEET_", "OF_MERCHANT_"};

int of_config_other_name(const char *name, size_t len) {
    for (size_t i = 0; i < sizeof other_names / sizeof other_names[0]; i++)
        if (strlen(other_names[i]) == len && !strncmp(other_names[i], name, len)) return 1;
    for (size_t i = 0; i < sizeof other_prefixes / sizeof other_prefixes[0]; i++)
        if (len > strlen(other_prefixes[i]) && !strncmp(other_prefixes[i], name, strlen(other_prefixes[i]))) return 1;
    return 0;
}

/* Levenshtein distance of a[0..an) and b, case-insensitive; names are short (a is cut at 127 characters). */
static int distance(const char *a, size_t an, const char *b) {
    size_t bn = strlen(b);
    int row[128];
    if (an > 127) an = 127;
    if (bn > 127) bn = 127;
    for (size_t j = 0; j <= bn; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= an; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= bn; j++) {
            int up = row[j];
            int cost = toupper((unsigned char)a[i - 1]) != toupper((unsigned char)b[j - 1]);
            int best = diag + cost;
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[bn];
}

const char *of_config_nearest(const char *name, size_t len, int *dist) {
    const char *best = NULL;
    int bd = 1 << 30;
    for (int i = 0; i < OF_CFG__COUNT; i++) {
        int d = distance(name, len, defs[i].name);
        if (d < bd) {
            bd = d;
            best = defs[i].name;
        }
    }
    if (dist) *dist = bd;
    return best;
}

/* Remember an OF_* name that is neither a key nor one of other_names (warned about once logging is up). */
static void note_unknown(of_config_t *cfg, const char *name, size_t len, const char *source) {
    if (cfg->nunknown >= UNKNOWN_MAX || of_config_other_name(name, len)) return;
    for (int i = 0; i < cfg->nunknown; i++)
        if (!strncmp(cfg->unknown[i], name, len) && cfg->unknown[i][len] == '\t') return;
    size_t n = len + strlen(source) + 2;
    char *u = malloc(n);
    if (!u) return;
    snprintf(u, n, "%.*s\t%s", (int)len, name, source);
    cfg->unknown[cfg->nunknown++] = u;
}

void of_config_warn_unknown(const of_config_t *cfg) {
    for (int i = 0; i < cfg->nunknown; i++) {
        const char *u = cfg->unknown[i], *tab = strchr(u, '\t');
        char key[128];
        snprintf(key, sizeof key, "%.*s", (int)(tab - u), u);
        of_warn("unknown configuration key, ignored", OF_S("key", key), OF_S("source", tab + 1),
                OF_S("nearest", of_config_nearest(u, (size_t)(tab - u), NULL)), OF_END);
    }
}

const of_cfg_def_t *of_config_defs(void) {
    return defs;
}

of_err_t of_cfg_validate(const of_cfg_def_t *def, const char *value, char *errstr, size_t errstr_size) {
    if (!value || (!*value && !def->defval))
        return of_seterr(errstr, errstr_size, OF_ERR_CONFIG, "%s: required, not set", def->name);
    if (def->type == OF_CFGT_INT) {
        char *end;
        errno = 0;
        long long v = strtoll(value, &end, 10);
        if (!*value || *end || errno)
            return of_seterr(errstr, errstr_size, OF_ERR_CONFIG, "%s=%s: not an integer", def->name, value);
        if (v < def->min || v > def->max)
            return of_seterr(errstr, errstr_size, OF_ERR_CONFIG, "%s=%s: out of range %lld..%lld", def->name, value,
                             def->min, def->max);
    } else if (def->type == OF_CFGT_ENUM) {
        size_t n = strlen(value);
        const char *p = def->choices;
        while (p && *p) {
            const char *bar = strchr(p, '|');
            size_t len = bar ? (size_t)(bar - p) : strlen(p);
            if (len == n && !strncmp(p, value, n)) return OF_OK;
            p = bar ? bar + 1 : NULL;
        }
        return of_seterr(errstr, errstr_size, OF_ERR_CONFIG, "%s=%s: must be one of %s", def->name, value,
                         def->choices);
    }
    for (const char *p = value; *p; p++)
        if ((unsigned char)*p < 0x20)
            return of_seterr(errstr, errstr_size, OF_ERR_CONFIG, "%s: control character in value", def->name);
    if (def == &defs[OF_CFG_KAFKA_GROUP]) { /* D-RT-7: processed_event.consumer, VARCHAR(64) ascii */
        if (strlen(value) > 64)
            return of_seterr(errstr, errstr_size, OF_ERR_CONFIG, "%s: longer than 64 characters", def->name);
        for (const char *p = value; *p; p++)
            if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
                return of_seterr(
                    errstr, errstr_size, OF_ERR_CONFIG,
                    "%s: printable ASCII without spaces only (the processed-event ledger's consumer column)",
                    def->name);
    }
    return OF_OK;
}

static int key_index(const char *name, size_t len) {
    for (int i = 0; i < OF_CFG__COUNT; i++)
        if (strlen(defs[i].name) == len && !strncmp(defs[i].name, name, len)) return i;
    return -1;
}

static of_err_t set_raw(of_config_t *cfg, int i, const char *v, size_t len) {
    char *copy = strndup(v, len);
    if (!copy) return OF_ERR_NOMEM;
    free(cfg->val[i]);
    cfg->val[i] = copy;
    return OF_OK;
}

static of_err_t load_file(of_config_t *cfg, const char *path, char *errstr, size_t errstr_size) {
    FILE *f = fopen(path, "r");
    if (!f) return of_seterr(errstr, errstr_size, OF_ERR_CONFIG, "config file %s: %s", path, strerror(errno));
    char line[4096];
    int lineno = 0;
    of_err_t err = OF_OK;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *p = line;
        size_t n = strlen(p);
        while (n && (p[n - 1] == '\n' || p[n - 1] == '\r' || p[n - 1] == ' '))
            p[--n] = '\0';
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p || *p == '#') continue;
        if (!strncmp(p, "export ", 7)) p += 7;
        char *eq = strchr(p, '=');
        if (!eq) {
            err = of_seterr(errstr, errstr_size, OF_ERR_CONFIG, "%s:%d: expected KEY=value", path, lineno);
            break;
        }
        int i = key_index(p, (size_t)(eq - p));
        if (i < 0) {
            /* Keys of other tools (e.g. OF_STATE_DIR in stack.env) are allowed but must look like ours. */
            if (strncmp(p, "OF_", 3)) {
                err = of_seterr(errstr, errstr_size, OF_ERR_CONFIG, "%s:%d: unknown key %.*s", path, lineno,
                                (int)(eq - p), p);
                break;
            }
            char where[1100];
            snprintf(where, sizeof where, "%s:%d", path, lineno);
            note_unknown(cfg, p, (size_t)(eq - p), where);
            continue;
        }
        char *v = eq + 1;
        size_t vl = strlen(v);
        if (vl >= 2 && ((v[0] == '"' && v[vl - 1] == '"') || (v[0] == '\'' && v[vl - 1] == '\''))) {
            v++;
            vl -= 2;
        }
        if ((err = set_raw(cfg, i, v, vl))) break;
        cfg->explicit_[i] = 1;
    }
    fclose(f);
    return err;
}

of_config_t *of_config_load(const char *path, char *errstr, size_t errstr_size) {
    of_config_t *cfg = calloc(1, sizeof *cfg);
    if (!cfg) return NULL;
    for (int i = 0; i < OF_CFG__COUNT; i++)
        if (set_raw(cfg, i, defs[i].defval ? defs[i].defval : "", defs[i].defval ? strlen(defs[i].defval) : 0))
            goto fail;
    if (!path || !*path) path = getenv("OF_CONFIG");
    if (path && *path && load_file(cfg, path, errstr, errstr_size)) goto fail;
    for (int i = 0; i < OF_CFG__COUNT; i++) {
        const char *e = getenv(defs[i].name);
        if (e && set_raw(cfg, i, e, strlen(e))) goto fail;
        if (e) cfg->explicit_[i] = 1;
    }
    for (char **e = environ; e && *e; e++) {
        const char *eq = strchr(*e, '=');
        if (eq && !strncmp(*e, "OF_", 3) && key_index(*e, (size_t)(eq - *e)) < 0)
            note_unknown(cfg, *e, (size_t)(eq - *e), "environment");
    }
    for (int i = 0; i < OF_CFG__COUNT; i++)
        if (of_cfg_validate(&defs[i], cfg->val[i], errstr, errstr_size)) goto fail;
    if (!*cfg->val[OF_CFG_INSTANCE_ID]) {
        char host[128] = "host", id[192];
        gethostname(host, sizeof host - 1);
        snprintf(id, sizeof id, "%s:%d", host, (int)getpid());
        if (set_raw(cfg, OF_CFG_INSTANCE_ID, id, strlen(id))) goto fail;
        cfg->explicit_[OF_CFG_INSTANCE_ID] = 0; /* an empty value is no id: host:pid changes at every start */
    }
    return cfg;
fail:
    of_config_destroy(cfg);
    return NULL;
}

void of_config_destroy(of_config_t *cfg) {
    if (!cfg) return;
    for (int i = 0; i < OF_CFG__COUNT; i++)
        free(cfg->val[i]);
    for (int i = 0; i < cfg->nunknown; i++)
        free(cfg->unknown[i]);
    free(cfg);
}

const char *of_cfg_str(const of_config_t *cfg, of_cfg_key_t key) {
    return cfg->val[key] ? cfg->val[key] : "";
}

long long of_cfg_int(const of_config_t *cfg, of_cfg_key_t key) {
    return strtoll(of_cfg_str(cfg, key), NULL, 10);
}

int of_cfg_explicit(const of_config_t *cfg, of_cfg_key_t key) {
    return cfg->explicit_[key];
}

of_err_t of_cfg_set(of_config_t *cfg, of_cfg_key_t key, const char *value, char *errstr, size_t errstr_size) {
    of_err_t err = of_cfg_validate(&defs[key], value, errstr, errstr_size);
    if (err) return err;
    if ((err = set_raw(cfg, (int)key, value, strlen(value)))) return err;
    cfg->explicit_[key] = 1;
    return OF_OK;
}

static const char *type_name(const of_cfg_def_t *d) {
    switch (d->type) {
    case OF_CFGT_INT:
        return "integer";
    case OF_CFGT_SECRET:
        return "secret";
    case OF_CFGT_ENUM:
        return "choice";
    default:
        return "string";
    }
}

void of_config_print_markdown(void) {
    printf("| Key | Type | Default | Meaning |\n|---|---|---|---|\n");
    for (int i = 0; i < OF_CFG__COUNT; i++) {
        const of_cfg_def_t *d = &defs[i];
        char range[96] = "";
        if (d->type == OF_CFGT_INT) snprintf(range, sizeof range, " %lld..%lld", d->min, d->max);
        if (d->type == OF_CFGT_ENUM) snprintf(range, sizeof range, " %s", d->choices);
        printf("| `%s` | %s%s | %s | %s |\n", d->name, type_name(d), range,
               !d->defval ? "**required**" : (*d->defval ? d->defval : "(empty)"), d->doc);
    }
}

void of_config_print_help(void) {
    printf("Configuration (environment variables, or KEY=value lines in --config FILE / $OF_CONFIG;\n"
           "the environment wins):\n");
    for (int i = 0; i < OF_CFG__COUNT; i++) {
        const of_cfg_def_t *d = &defs[i];
        printf("  %-28s %s [%s]\n", d->name, d->doc, !d->defval ? "required" : d->defval);
    }
}

int64_t of_cfg_platform_now(const of_config_t *cfg) {
    const char *fixed = of_cfg_str(cfg, OF_CFG_PLATFORM_NOW);
    if (*fixed) return of_time_parse(fixed);
    return (int64_t)time(NULL) + of_cfg_int(cfg, OF_CFG_PLATFORM_UTC_OFFSET_S);
}
