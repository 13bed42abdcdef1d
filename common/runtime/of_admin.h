/* of_admin.h -- a worker's admin port (OF_ADMIN_BIND:OF_ADMIN_PORT, 0 = off) on libmicrohttpd, one thread:
 *   GET /metrics   Prometheus text format 0.0.4: the process's counters, per-topic counters, gauges and histograms
 *                  (of_metrics.h), the lag of each partition the consumer holds, the retry ladder's occupancy per
 *                  rung, readiness, build info and the standard process_* metrics
 *   GET /healthz   200 while the worker's loop is alive; 503 when it has not come round for OF_ADMIN_STALL_S
 *   GET /readyz    200 when it can do its work: loop running, a Kafka broker reachable, its consumer group joined,
 *                  its database and Redis answering at the last try; 503 naming each condition that fails
 * The page is answered from atomics, and the partitions' high watermarks asked of Kafka within one second (past it,
 * librdkafka's cached values): a scrape never waits on a database, never longer than that on a broker, and never
 * touches the worker's own database or Redis connections. */
#ifndef OF_ADMIN_H
#define OF_ADMIN_H
#include <stddef.h>
#include <librdkafka/rdkafka.h>
#include "of_config.h"
#include "of_err.h"

/* Start the admin server of worker `name` when OF_ADMIN_PORT is not 0 (else nothing, OF_OK). OF_ERR_CONFIG with
 * the reason when the address is bad or the port is taken. Stopped by of_admin_stop() (idempotent). */
of_err_t of_admin_start(const of_config_t *cfg, const char *name, char *errstr, size_t errstr_size) OF_MUST_CHECK;
void of_admin_stop(void);

/* The worker's loop came round (liveness; also marks the loop started for readiness). Cheap: one atomic store. */
void of_admin_beat(void);
/* The worker's last attempt at its dependencies (database, Redis, the merchants' endpoints ...) succeeded (ok=1) or
 * failed (ok=0, why: the error, copied). */
void of_admin_dependency(int ok, const char *why);
/* The consumer whose partitions' lag /metrics shows (rk NULL: none, e.g. before it is closed). The caller
 * unregisters before destroying rk; registration waits for a scrape in progress to finish. */
void of_admin_consumer(rd_kafka_t *rk, const char *group);
/* A handle to ask Kafka whether a broker is back with, for a process without a registered consumer (the gateway, the
 * sweep, the console): librdkafka reports "all brokers down" but nothing when one answers again. NULL: none. The
 * caller unregisters before destroying rk. */
void of_admin_kafka(rd_kafka_t *rk);
/* Retry-ladder rung topics (full names) and their labels: /metrics adds orderfleet_ladder_occupancy{rung=label},
 * the messages on the rung not yet republished: held in memory (of_admin_rung_held) plus not yet fetched. n <= 8. */
void of_admin_rungs(const char *const *topics, const char *const *labels, int n);
/* Messages of rung i the consumer holds in memory, fetched and not yet due (counted in its occupancy). */
void of_admin_rung_held(int rung, long long n);

#endif
