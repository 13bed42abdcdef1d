/* of_worker.h -- the consumer loop every worker runs (design.md "Processing model"), and start-up helpers. */
#ifndef OF_WORKER_H
#define OF_WORKER_H
#include <signal.h>
#include <librdkafka/rdkafka.h>
#include "of_config.h"
#include "of_db.h"
#include "of_err.h"
#include "of_kafka.h"
#include "of_redis.h"

/* Outcome of one message, filled by the batch handler. */
typedef struct {
    int dead;          /* 1 = send to the dead-letter topic with reason, then move on */
    const char *klass; /* "decode", "validation", "unknown_ref", "permanent" (static string) */
    char reason[512];
    /* what the message is about, when the handler decoded it (of_worker_result_about; "" / NULL otherwise): named in
     * the dead letter's log line as event_id=… <ref_key>=<ref> */
    char event_id[129];
    const char *ref_key; /* "tid" (a platform trade), "order", "job" … (static string) */
    char ref[80];
} of_msg_result_t;

/* Handle a batch: fill results[i] for every message. Return OF_OK when every message is either
 * durably applied (or recognised as a replay) or marked dead; OF_ERR_TRANSIENT to have the same batch
 * handed again after a backoff (database or broker away); nothing is stored until OF_OK. */
typedef of_err_t (*of_batch_fn)(void *ctx, rd_kafka_message_t **msgs, int n, of_msg_result_t *results);
/* Called about every tick_ms, between batches (outbox sweeps, cache refresh). */
typedef void (*of_tick_fn)(void *ctx);

#define OF_WORKER_LANES_MAX 8 /* OF_WORKER_LANES' upper bound */

typedef struct {
    const char *name;  /* worker name, e.g. "trade-submit"; default group "orderfleet.<name>" */
    const int *topics; /* of_topic_t values */
    int ntopics;
    of_batch_fn on_batch;
    of_tick_fn on_tick;
    int tick_ms;
    void *ctx;
    /* Lanes (OF_WORKER_LANES, D-T10-63): nlanes > 1 contexts, each with its own database connection and producer;
     * a batch's messages are shared out by partition (a partition, so a key, stays on one lane for the batch, in
     * order; the most loaded partitions first, each to the least loaded lane) and the lanes' on_batch calls run at
     * once on their own threads; the batch is done when every lane is (a failed lane runs again, the others keep
     * their results). lanes[0] may be ctx. on_tick is called for every lane, between batches. */
    void *const *lanes;
    int nlanes;
} of_worker_spec_t;

/* Set by SIGTERM/SIGINT (handler only sets it; a second signal exits at once). */
extern volatile sig_atomic_t of_stop_requested;
void of_worker_signals_install(void);

/* Parse the common options (--config FILE, --help, --version, --log-level L) and load the configuration.
 * Prints usage (with `about` and the config keys) for --help and exits 0; exits 2 on a bad option and
 * 78 (EX_CONFIG) on a configuration error, naming the key (also OF_KAFKA_STATIC_MEMBER=on without a usable
 * OF_INSTANCE_ID). Caller frees with of_config_destroy(). */
of_config_t *of_worker_init(int argc, char **argv, const char *name, const char *about);
/* One malloc arena for every thread of the process; call first in main, before any thread starts. glibc gives each
 * thread that allocates its own arena, which keeps what that thread freed: of-delivery's loop and database threads
 * peaked 1.7 MB higher for it (issue 16), two lanes of trade-modify 1.5-3 MB higher (29,800-30,656 kB against
 * 32,124-32,764, D-T10-68), for no measurable speed; small allocations come from per-thread caches anyway. */
void of_worker_one_arena(void);

/* Lanes (D-T10-63): lane[i] for the message of partition[i], i < n. A partition's messages all go to one lane; the
 * partitions, most messages first (then by number), each to the lane with the fewest messages so far (then the lowest
 * lane). 0, or -1 (nlanes outside 1..OF_WORKER_LANES_MAX, out of memory). Pure. */
int of_worker_lane_split(const int32_t *partition, int n, int nlanes, int *lane);

/* The lanes of this instance (OF_WORKER_LANES, clamped to 1..OF_WORKER_LANES_MAX). With more than one, each lane's
 * connection keeps its prepared statements within OF_DB_MULTI_PARAMS parameters a size (of_db_set_param_bound,
 * D-T10-64): two lanes of trade-submit fit in 32 MB; one lane keeps every size (fewer, larger statements). Call once
 * at start, before any connection registers its statements. */
int of_worker_lanes(const of_config_t *cfg);

/* A lane's connections (OF_WORKER_LANES, D-T10-63): its own database connection, Redis connection (with_redis) and
 * producer; lane 0 uses the loop's producer (shared), which must outlive it. */
typedef struct {
    of_db_t *db;
    of_redis_t *redis;
    of_producer_t *p;
    const of_producer_t *shared;
} of_worker_lane_t;
/* 0, or -1 with the reason logged (what was opened is closed by of_worker_lane_close). */
/* D-RT-14: a worker's database connection at start (of_db_connect_wait: a server not reachable yet is waited for,
 * what names it in the logs). NULL when it cannot be had: logged (error; info when a stop was asked during the
 * wait), and *rc set to the exit status (0 for a stop asked, 1 otherwise). */
of_db_t *of_worker_db_open(const of_config_t *cfg, const char *what, int *rc);
/* The same for host:port, database dbname (of_db_connect_wait_to's; NULL / 0 = the OF_MYSQL_* one). */
of_db_t *of_worker_db_open_to(const of_config_t *cfg, const char *host, unsigned int port, const char *dbname,
                              const char *what, int *rc);
int of_worker_lane_open(const of_config_t *cfg, of_producer_t *shared, int k, int with_redis, of_worker_lane_t *l);
void of_worker_lane_close(of_worker_lane_t *l);

/* Run the loop until a stop is requested: poll a batch, hand it to on_batch (retrying transient
 * failures with backoff), publish dead letters and wait for their delivery, then store the offsets of
 * the batch. On stop: finish the batch, commit, leave the group, all bounded while Kafka does not answer
 * (delivery reports 2 s, then purged; the group close OF_KAFKA_CLOSE_MS). Returns the process exit code: 0,
 * or of_kafka_fatal_exit_code() when a fatal Kafka error ended the loop (78 when fenced by another process
 * with the same group.instance.id). */
int of_worker_run(const of_config_t *cfg, of_producer_t *producer, const of_worker_spec_t *spec);

/* The pieces of of_worker_run for a worker that runs its own loop (delivery's pipeline): the consumer of spec's
 * topics in its group (group gets its name; "started" logged, registered with the admin port, each topic's counters
 * shown at 0), NULL when it cannot start (logged); and its close (commit, leave, exit stats). */
of_consumer_t *of_worker_consumer_open(const of_config_t *cfg, of_producer_t *producer, const of_worker_spec_t *spec,
                                       char *group, size_t group_size);
void of_worker_consumer_close(of_consumer_t *c);
/* Publish the dead letters among msgs (res[i].dead); OF_OK once every one is delivered. */
of_err_t of_worker_publish_dead(of_producer_t *p, const char *group, const char *producer_id, rd_kafka_message_t **msgs,
                                int n, of_msg_result_t *res) OF_MUST_CHECK;
/* What a dead letter's log line names: the message's event id and what it is about (ref_key "tid", "order", "job" …:
 * a static string; ref its value), when the handler decoded them; NULL or "" leaves a field as it is. */
void of_worker_result_about(of_msg_result_t *r, const char *event_id, const char *ref_key, const char *ref);
/* The same for a numeric ref (0 = none read). */
void of_worker_result_about_id(of_msg_result_t *r, const char *event_id, const char *ref_key, uint64_t id);
/* A message settled (applied or dead-lettered, durably): counted under its topic, a dead letter logged. */
void of_worker_settled(const rd_kafka_message_t *m, const of_msg_result_t *r);
/* The consumer group of a worker: OF_KAFKA_GROUP or "orderfleet.<name>". */
const char *of_worker_group(const of_config_t *cfg, const char *name, char *buf, size_t size);

#endif
